"""The node canvas: QGraphicsScene/View and the items that draw nodes, ports and edges.

``GraphScene(document)`` mirrors a GraphDocument and turns gestures into document edits;
``GraphView(scene)`` adds pan/zoom, drops and the quick-add popup. Items are dumb views:
``NodeItem`` (card + ports, painted in one item) and ``EdgeItem`` (curve + arrow + label).

Imports: PySide6, explorer.document, explorer.io, explorer.graph, explorer.theme — never
explorer.app, explorer.plot or explorer.animation.
"""

from explorer.canvas.edge_item import EdgeItem
from explorer.canvas.node_item import NodeItem
from explorer.canvas.scene import GraphScene
from explorer.canvas.view import OP_MIME_TYPE, GraphView

__all__ = ["OP_MIME_TYPE", "EdgeItem", "GraphScene", "GraphView", "NodeItem"]
