"""Undo commands: one small class per kind of edit, each calling only the document's
private ``_do_*`` methods (which call the graph API and emit signals).

Compound edits (delete a selection, paste, build from an expression) are parent commands
whose children are these; a command never pushes another command. Each command stores
exactly what undo needs (ids, indices, old values) so undo restores the graph exactly:
the tests compare saved files byte for byte after do -> undo -> redo.

Imports: PySide6.QtGui (QUndoCommand), explorer.graph.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from explorer.graph.model import Edge, Node

if TYPE_CHECKING:
    from pathlib import Path

    from explorer.document.document import GraphDocument


class MacroCommand(QUndoCommand):
    """Several commands as one undo step, run in order and undone in reverse.

    The children are ordinary Python objects held in a list, *not* Qt child commands:
    PySide frees a Qt child whose Python wrapper nothing refers to, and undo would then
    run freed memory. Keeping the composition in Python sidesteps that entirely.
    """

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.children: list[QUndoCommand] = []

    def adopt(self, child: QUndoCommand) -> QUndoCommand:
        self.children.append(child)
        return child

    def redo(self) -> None:
        for child in self.children:
            child.redo()

    def undo(self) -> None:
        for child in reversed(self.children):
            child.undo()


class AddNodeCommand(QUndoCommand):
    def __init__(
        self,
        doc: GraphDocument,
        node: Node,
        text: str = "",
        parent: QUndoCommand | None = None,
        index: int | None = None,
    ) -> None:
        super().__init__(text or f"Add {node.function or node.op}", parent)
        self._doc = doc
        self._index = index
        self._node = node.copy()

    def redo(self) -> None:
        self._doc._do_insert_node(
            self._node.unlinked(),
            self._index,
            (),
        )

    def undo(self) -> None:
        self._doc._do_remove_node(self._node.id)


class RemoveNodeCommand(QUndoCommand):
    """Delete one node; its links are cut first by child commands so undo restores them."""

    def __init__(self, doc: GraphDocument, node_id: str, parent: QUndoCommand | None = None) -> None:
        super().__init__(f"Delete {doc.graph.node(node_id).label}", parent)
        self._doc = doc
        self._node_id = node_id
        graph = doc.graph
        node = graph.node(node_id)
        self._index = [n.id for n in graph.nodes].index(node_id)
        self._snapshot = node.unlinked()
        self._links = [Edge(s, node_id, k) for k, s in enumerate(node.operands) if s is not None] + [
            Edge(node_id, t, k) for t, k in graph.consumers(node_id)
        ]
        self._was_output = graph.output == node_id

    def redo(self) -> None:
        for edge in self._links:
            self._doc._do_disconnect(edge.target, edge.slot)
        self._doc._do_remove_node(self._node_id)

    def undo(self) -> None:
        snap = self._snapshot
        self._doc._do_insert_node(
            Node(
                snap.id,
                snap.op,
                snap.name,
                snap.value,
                snap.position,
                [None] * len(snap.operands),
                snap.trainable,
                snap.function,
            ),
            self._index,
            (),
        )
        for edge in self._links:
            self._doc._do_connect(edge.source, edge.target, edge.slot)
        if self._was_output:
            self._doc._do_set_output(self._node_id)


class ConnectCommand(QUndoCommand):
    """Link source -> slot of target, replacing whatever fed that slot before."""

    def __init__(
        self, doc: GraphDocument, source: str, target: str, slot: int, parent: QUndoCommand | None = None
    ) -> None:
        super().__init__("Connect", parent)
        self._doc = doc
        self._edge = Edge(source, target, slot)
        self._replaced = doc.graph.node(target).operands[slot]

    def redo(self) -> None:
        if self._replaced is not None:
            self._doc._do_disconnect(self._edge.target, self._edge.slot)
        self._doc._do_connect(self._edge.source, self._edge.target, self._edge.slot)

    def undo(self) -> None:
        self._doc._do_disconnect(self._edge.target, self._edge.slot)
        if self._replaced is not None:
            self._doc._do_connect(self._replaced, self._edge.target, self._edge.slot)


class DisconnectCommand(QUndoCommand):
    def __init__(
        self, doc: GraphDocument, target: str, slot: int, parent: QUndoCommand | None = None
    ) -> None:
        super().__init__("Disconnect", parent)
        self._doc = doc
        source = doc.graph.node(target).operands[slot]
        assert source is not None
        self._edge = Edge(source, target, slot)

    def redo(self) -> None:
        self._doc._do_disconnect(self._edge.target, self._edge.slot)

    def undo(self) -> None:
        self._doc._do_connect(self._edge.source, self._edge.target, self._edge.slot)


class SetValueCommand(QUndoCommand):
    """A new value for an input or constant. Successive scrubs of one node merge."""

    ID = 1001

    def __init__(
        self, doc: GraphDocument, node_id: str, old: float, new: float, parent: QUndoCommand | None = None
    ) -> None:
        super().__init__(f"Set {doc.graph.node(node_id).label} = {new:g}", parent)
        self._doc, self._node_id, self._old, self._new = doc, node_id, old, new
        self._serial = doc._drag_serial if doc._merge_open else -1

    def id(self) -> int:
        return self.ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        # Only a scrub of the same node merges, so each separate edit stays its own step.
        if not isinstance(other, SetValueCommand) or other._node_id != self._node_id:
            return False
        if self._serial < 0 or other._serial != self._serial:
            return False
        self._new = other._new
        self.setText(other.text())
        return True

    def redo(self) -> None:
        self._doc._do_set_value(self._node_id, self._new)

    def undo(self) -> None:
        self._doc._do_set_value(self._node_id, self._old)


class SetValuesCommand(QUndoCommand):
    """New values for several leaves at once (a training step moves every parameter).

    Commands with the same non-negative ``serial`` merge, so a whole training run,
    however many steps it takes, is one undo step back to the values before it.
    """

    ID = 1002

    def __init__(
        self,
        doc: GraphDocument,
        changes: Mapping[str, tuple[float, float]],
        text: str,
        serial: int = -1,
        parent: QUndoCommand | None = None,
    ) -> None:
        super().__init__(text, parent)
        self._doc, self._changes, self._serial = doc, dict(changes), serial

    def id(self) -> int:
        return self.ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetValuesCommand) or self._serial < 0 or other._serial != self._serial:
            return False
        for node_id, (old, new) in other._changes.items():
            first = self._changes.get(node_id, (old, new))[0]
            self._changes[node_id] = (first, new)
        self.setText(other.text())
        return True

    def redo(self) -> None:
        for node_id, (_old, new) in self._changes.items():
            self._doc._do_set_value(node_id, new)

    def undo(self) -> None:
        for node_id, (old, _new) in self._changes.items():
            self._doc._do_set_value(node_id, old)


class RenameCommand(QUndoCommand):
    def __init__(
        self, doc: GraphDocument, node_id: str, name: str, parent: QUndoCommand | None = None
    ) -> None:
        super().__init__(f"Rename to {name or '(no name)'}", parent)
        self._doc, self._node_id, self._new = doc, node_id, name
        self._old = doc.graph.node(node_id).name

    def redo(self) -> None:
        self._doc._do_rename(self._node_id, self._new)

    def undo(self) -> None:
        self._doc._do_rename(self._node_id, self._old)


class SetOpCommand(QUndoCommand):
    def __init__(self, doc: GraphDocument, node_id: str, op: str, parent: QUndoCommand | None = None) -> None:
        super().__init__(f"Change to {op}", parent)
        self._doc, self._node_id, self._new = doc, node_id, op
        self._old = doc.graph.node(node_id).op

    def redo(self) -> None:
        self._doc._do_set_op(self._node_id, self._new)

    def undo(self) -> None:
        self._doc._do_set_op(self._node_id, self._old)


class SetTrainableCommand(QUndoCommand):
    def __init__(
        self, doc: GraphDocument, node_id: str, trainable: bool, parent: QUndoCommand | None = None
    ) -> None:
        node = doc.graph.node(node_id)
        super().__init__(f"{'Mark' if trainable else 'Unmark'} {node.label} trainable", parent)
        self._doc, self._node_id, self._new, self._old = doc, node_id, trainable, node.trainable

    def redo(self) -> None:
        self._doc._do_set_trainable(self._node_id, self._new)

    def undo(self) -> None:
        self._doc._do_set_trainable(self._node_id, self._old)


class MoveNodesCommand(QUndoCommand):
    """Positions for several nodes at once: a whole drag is one undo step."""

    def __init__(
        self,
        doc: GraphDocument,
        moves: Mapping[str, tuple[tuple[float, float] | None, tuple[float, float] | None]],
        text: str = "Move",
        parent: QUndoCommand | None = None,
    ) -> None:
        super().__init__(text, parent)
        self._doc, self._moves = doc, dict(moves)

    def redo(self) -> None:
        for node_id, (_old, new) in self._moves.items():
            self._doc._do_move(node_id, new)

    def undo(self) -> None:
        for node_id, (old, _new) in self._moves.items():
            self._doc._do_move(node_id, old)


class SetOutputCommand(QUndoCommand):
    def __init__(self, doc: GraphDocument, node_id: str | None, parent: QUndoCommand | None = None) -> None:
        super().__init__("Set output", parent)
        self._doc, self._new, self._old = doc, node_id, doc.graph.output

    def redo(self) -> None:
        self._doc._do_set_output(self._new)

    def undo(self) -> None:
        self._doc._do_set_output(self._old)


class SetMetadataCommand(QUndoCommand):
    def __init__(
        self, doc: GraphDocument, title: str, description: str, parent: QUndoCommand | None = None
    ) -> None:
        super().__init__("Edit title and description", parent)
        self._doc = doc
        self._new = (title, description)
        self._old = (doc.graph.title, doc.graph.description)

    def redo(self) -> None:
        self._doc._do_set_metadata(*self._new)

    def undo(self) -> None:
        self._doc._do_set_metadata(*self._old)


class SetFileCommand(QUndoCommand):
    """Which file the document belongs to: a Replace makes a new, untitled document, and
    undoing it gives the old graph back its file."""

    def __init__(self, doc: GraphDocument, path: Path | None, parent: QUndoCommand | None = None) -> None:
        super().__init__("Forget the file", parent)
        self._doc = doc
        self._new = path
        self._old = doc.file_path

    def redo(self) -> None:
        self._doc._do_set_file(self._new)

    def undo(self) -> None:
        self._doc._do_set_file(self._old)
