"""Undo commands for functions: the library, restructuring edits, expanding a call in place.

Group as Function and Ungroup are computed by the pure surgery in
:mod:`explorer.graph.functions`; :func:`restructure` turns the difference between the
graph now and the graph wanted into ordinary child commands (remove, add, link, output)
plus the two library commands here, so undo and redo go through the same small steps as
every other edit and the views update from the same fine-grained signals.

Expanding a call (showing its body in a frame on the canvas) is a view choice, not part
of the computation; it lives in the document so that it, too, is one undo step.

Imports: PySide6.QtGui (QUndoCommand), explorer.graph, explorer.document.commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from explorer.document import commands as cmd
from explorer.graph.functions import Function
from explorer.graph.model import Graph

if TYPE_CHECKING:
    from explorer.document.document import GraphDocument


class AddFunctionCommand(QUndoCommand):
    def __init__(self, doc: GraphDocument, function: Function, index: int | None = None) -> None:
        super().__init__(f"Define {function.name}")
        self._doc, self._function, self._index = doc, function, index

    def redo(self) -> None:
        self._doc._do_add_function(self._function, self._index)

    def undo(self) -> None:
        self._doc._do_remove_function(self._function.name)


class RemoveFunctionCommand(QUndoCommand):
    def __init__(self, doc: GraphDocument, name: str) -> None:
        super().__init__(f"Remove {name}")
        self._doc = doc
        self._function = doc.graph.function(name)
        self._index = [f.name for f in doc.graph.functions].index(name)

    def redo(self) -> None:
        self._doc._do_remove_function(self._function.name)

    def undo(self) -> None:
        self._doc._do_add_function(self._function, self._index)


class SetExpandedCommand(QUndoCommand):
    def __init__(self, doc: GraphDocument, node_id: str, expanded: bool) -> None:
        label = doc.graph.node(node_id).label
        super().__init__(f"{'Expand' if expanded else 'Collapse'} {label}")
        self._doc, self._node_id, self._expanded = doc, node_id, expanded

    def redo(self) -> None:
        self._doc._do_set_expanded(self._node_id, self._expanded)

    def undo(self) -> None:
        self._doc._do_set_expanded(self._node_id, not self._expanded)


def restructure(doc: GraphDocument, after: Graph, text: str) -> cmd.MacroCommand:
    """One undo step that turns ``doc.graph`` into ``after`` (same ids where nodes stay)."""
    parent = cmd.MacroCommand(text)
    with doc._dry_run():
        graph = doc.graph

        def kind(graph_: Graph, nid: str) -> tuple[str, str, int]:
            node = graph_.node(nid)
            return node.op, node.function, len(node.operands)

        for nid in list(doc.expanded):
            if nid not in after or kind(after, nid) != kind(graph, nid):
                parent.adopt(SetExpandedCommand(doc, nid, False)).redo()
        for node in list(graph.nodes):
            if node.id not in after or kind(after, node.id) != kind(graph, node.id):
                parent.adopt(cmd.RemoveNodeCommand(doc, node.id)).redo()
        wanted = set(after.edges())
        for edge in graph.edges():
            if edge not in wanted:
                parent.adopt(cmd.DisconnectCommand(doc, edge.target, edge.slot)).redo()
        have = {f.name for f in graph.functions}
        for index, function in enumerate(after.functions):
            if function.name not in have:
                parent.adopt(AddFunctionCommand(doc, function, index)).redo()
        for index, node in enumerate(after.nodes):
            if node.id not in graph:
                parent.adopt(cmd.AddNodeCommand(doc, node, index=index)).redo()
        present = set(graph.edges())
        for edge in after.edges():
            if edge not in present:
                parent.adopt(cmd.ConnectCommand(doc, edge.source, edge.target, edge.slot)).redo()
        keep = {f.name for f in after.functions}
        for function in reversed(graph.functions):
            if function.name not in keep:
                parent.adopt(RemoveFunctionCommand(doc, function.name)).redo()
        if graph.output != after.output:
            parent.adopt(cmd.SetOutputCommand(doc, after.output)).redo()
        parent.undo()  # push() runs redo() again, in order
    return parent
