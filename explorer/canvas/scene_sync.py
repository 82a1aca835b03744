"""Document -> items: the scene's live mirror of the GraphDocument it shows.

A mixin of :class:`~explorer.canvas.scene.GraphScene`, split out to keep the scene
readable. Its slots take the document's fine-grained signals (node added/removed/changed/
moved, edge added/removed, graph reset, evaluated) and update the cards and links: the id
-> item maps, port ends, auto-placement of unplaced nodes, and the numbers, diagnostics
and output marker of each new evaluation. It never edits the document.

Imports: PySide6, explorer.graph, explorer.canvas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QGraphicsItem

from explorer.canvas.edge_item import EdgeItem
from explorer.canvas.node_item import NodeItem
from explorer.graph.engine import Evaluation, Program
from explorer.graph.functions import op_of
from explorer.graph.layout import place_missing
from explorer.graph.model import Edge

if TYPE_CHECKING:
    from explorer.canvas.scene import GraphScene

_NO_CONTENTS = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
_RED_KINDS = frozenset({"domain", "overflow", "gradient"})


class SceneSync:
    """The document-following half of GraphScene (``self`` is always a GraphScene)."""

    def rebuild(self: GraphScene) -> None:
        """Throw every item away and draw the document's graph afresh."""
        self._cancel_gesture()
        self._close_editor()
        self.backdrop.begin_batch()
        try:
            self._rebuild()
        finally:
            self.backdrop.end_batch()

    def _rebuild(self: GraphScene) -> None:
        self.backdrop.invalidate(None)
        self._selected.clear()
        for edge_item in self._edges.values():
            edge_item.backdrop = None
            self.removeItem(edge_item)
        for node_item in self._nodes.values():
            node_item.backdrop = None
            self.removeItem(node_item)
        self._nodes.clear()
        self._edges.clear()
        self._edges_at.clear()
        self._errors.clear()
        self._output = None
        self._pending.clear()
        self._pulse.hide()
        self._aligned = None
        graph = self.document.graph
        auto = place_missing(graph)  # nodes without a position, clear of the placed ones
        for node in graph:
            self._add_node(node.id, node.position or auto.get(node.id, (0.0, 0.0)))
        for edge in graph.edges():
            self._add_edge(edge)
        evaluation = self.document.evaluation
        if evaluation.graph is graph:  # on graph_reset the new evaluation arrives just after
            self._apply_evaluation(evaluation)

    def _add_node(self: GraphScene, node_id: str, position: tuple[float, float]) -> NodeItem:
        node = self.document.graph.node(node_id)
        item = NodeItem(node_id, self._style)
        item.set_node(node.op, node.name, op_of(self.document.graph, node))
        item.setPos(position[0], position[1])
        item.backdrop = self.backdrop
        if self.backdrop.far:
            item.setFlag(_NO_CONTENTS)
            self.backdrop.invalidate(item.sceneBoundingRect())
        self.addItem(item)
        self._nodes[node_id] = item
        self._aligned = None
        return item

    def _on_node_added(self: GraphScene, node_id: str) -> None:
        position = self.document.graph.node(node_id).position
        if position is None:
            self._pending.add(node_id)  # placed by the layout once the edit is complete
        self._add_node(node_id, position or (0.0, 0.0))

    def _on_node_removed(self: GraphScene, node_id: str) -> None:
        for edge in list(self._edges_at.get(node_id, ())):
            self._remove_edge(edge)
        self._edges_at.pop(node_id, None)
        item = self._nodes.pop(node_id, None)
        if item is not None:
            if self.backdrop.far:
                self.backdrop.invalidate(item.sceneBoundingRect())
            item.backdrop = None
            self._selected.discard(item)
            self.removeItem(item)
            self._aligned = None
        self._pending.discard(node_id)
        self._errors.pop(node_id, None)
        if self._output == node_id:
            self._output = None
        if self._editor is not None:
            self._close_editor()

    def _add_edge(self: GraphScene, edge: Edge) -> None:
        src, dst = self._nodes.get(edge.source), self._nodes.get(edge.target)
        if src is None or dst is None or edge in self._edges:
            return
        item = EdgeItem(edge, self._style)
        if not self._show_labels:
            item.set_show_label(False)
        if self.backdrop.far:
            item.setFlag(_NO_CONTENTS)
        item.backdrop = self.backdrop
        item.set_ends_xy(
            *src.output_port_xy(), *dst.input_port_xy(edge.slot), dst.operand_name_left(edge.slot)
        )
        self.addItem(item)
        self._edges[edge] = item
        self._aligned = None
        self._edges_at[edge.source].add(edge)
        self._edges_at[edge.target].add(edge)
        dst.set_input_connected(edge.slot, True)
        src.set_output_connected(True)

    def _remove_edge(self: GraphScene, edge: Edge) -> None:
        item = self._edges.pop(edge, None)
        if item is None:
            return
        self.backdrop.invalidate(item.boundingRect())
        item.backdrop = None
        self._selected.discard(item)
        self.removeItem(item)
        self._aligned = None
        self._edges_at[edge.source].discard(edge)
        self._edges_at[edge.target].discard(edge)
        dst, src = self._nodes.get(edge.target), self._nodes.get(edge.source)
        if dst is not None:
            dst.set_input_connected(edge.slot, False)
        if src is not None:
            src.set_output_connected(any(e.source == edge.source for e in self._edges_at[edge.source]))

    def _on_node_changed(self: GraphScene, node_id: str) -> None:
        item = self._nodes.get(node_id)
        if item is not None:
            node = self.document.graph.node(node_id)
            item.set_node(node.op, node.name, op_of(self.document.graph, node))

    def _on_node_moved(self: GraphScene, node_id: str) -> None:
        item = self._nodes.get(node_id)
        if item is None:
            return
        position = self.document.graph.node(node_id).position
        if position is None:
            position = place_missing(self.document.graph).get(node_id, (0.0, 0.0))
        self._place(item, position)

    def _place(self: GraphScene, item: NodeItem, position: tuple[float, float]) -> None:
        far = self.backdrop.far
        if far:
            self.backdrop.invalidate(item.sceneBoundingRect())
        item.setPos(position[0], position[1])
        if far:
            self.backdrop.invalidate(item.sceneBoundingRect())
        self._follow([item])

    def _follow(self: GraphScene, items: list[NodeItem]) -> None:
        """Re-route the links of cards that moved."""
        nodes, edges = self._nodes, self._edges
        touched: set[Edge] = set()
        for item in items:
            touched.update(self._edges_at.get(item.node_id, ()))
        for edge in touched:
            edge_item = edges.get(edge)
            if edge_item is not None:
                dst = nodes[edge.target]
                edge_item.set_ends_xy(
                    *nodes[edge.source].output_port_xy(),
                    *dst.input_port_xy(edge.slot),
                    dst.operand_name_left(edge.slot),
                )

    def _on_selection_changed(self: GraphScene) -> None:
        # A selected link draws itself, highlighted; far out the backdrop draws cards too.
        selected = set(self.selectedItems())
        for item in selected ^ self._selected:
            if isinstance(item, EdgeItem):
                self.backdrop.invalidate(item.boundingRect())
            elif isinstance(item, NodeItem) and self.backdrop.far:
                self.backdrop.invalidate(item.sceneBoundingRect())
        self._selected = selected
        for item in self._nodes.values():
            z = 2.0 if item.isSelected() else 1.0
            if item.zValue() != z:
                item.setZValue(z)
        self.selection_changed_ids.emit(self.selected_node_ids())

    def _aligned_items(
        self: GraphScene, program: Program
    ) -> tuple[list[NodeItem | None], list[EdgeItem | None]]:
        if self._aligned is None or self._aligned[0] is not program:
            nodes, edges = self._nodes, self._edges
            node_items = [nodes.get(nid) for nid in program.ids]
            edge_items = [edges.get(edge) for edge in program.edges]
            self._aligned = (program, node_items, edge_items)
            # Structure changed: which nodes depend on an input (the others show no gradient).
            varies = program.varies
            for item, v in zip(node_items, varies, strict=True):
                if item is not None:
                    item.set_varies(v)
            for edge_item, (src, _dst) in zip(edge_items, program.edge_ends, strict=True):
                if edge_item is not None:
                    edge_item.set_source_varies(varies[src])
        return self._aligned[1], self._aligned[2]

    def _apply_evaluation(self: GraphScene, ev: Evaluation) -> None:
        if self._pending:
            auto = place_missing(self.document.graph)
            for nid in self._pending:
                if nid in self._nodes and nid in auto:
                    self._place(self._nodes[nid], auto[nid])
            self._pending.clear()
        node_items, edge_items = self._aligned_items(ev.program)
        for item, value, grad in zip(node_items, ev.value_list, ev.grad_list, strict=True):
            if item is not None:
                item.set_numbers(value, grad)
        for edge_item, local in zip(edge_items, ev.local_list, strict=True):
            if edge_item is not None:
                edge_item.set_local(local)
        errors: dict[str, list[str]] = {}
        notes: dict[str, list[str]] = {}
        for diag in ev.diagnostics:
            (errors if diag.kind in _RED_KINDS else notes).setdefault(diag.node_id, []).append(diag.message)
        problems = {nid: (tuple(errors.get(nid, ())), tuple(notes.get(nid, ()))) for nid in {*errors, *notes}}
        for nid in {*self._errors, *problems}:
            item = self._nodes.get(nid)
            if item is not None:
                red, hints = problems.get(nid, ((), ()))
                item.set_errors(red, hints)
        self._errors = {nid: p[0] + p[1] for nid, p in problems.items()}
        if ev.output != self._output:
            old = self._nodes.get(self._output) if self._output else None
            if old is not None:
                old.set_output(False)
            new = self._nodes.get(ev.output) if ev.output else None
            if new is not None:
                new.set_output(True)
            self._output = ev.output
        if not self.backdrop.far:  # far out no card shows a number
            self.update()  # one repaint per view; cards format only what is visible
