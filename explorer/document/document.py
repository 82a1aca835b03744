"""GraphDocument: the one source of truth for an open graph.

It owns the :class:`~explorer.graph.model.Graph`, the ``QUndoStack`` and the current
:class:`~explorer.graph.engine.Evaluation`. Every user edit goes through a public method
here, which pushes one undo command; commands call the private ``_do_*`` methods, which
change the graph through its API and emit fine-grained signals. After each push, undo or
redo the document re-evaluates once and emits ``evaluated``. Views (canvas, inspector,
plot, narrative) listen and redraw; nothing reads state back out of a widget.

Imports: PySide6.QtCore/QtGui (no widgets), explorer.graph, explorer.io.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from explorer.document import commands as cmd
from explorer.document import function_commands as fcmd
from explorer.graph import functions as fn
from explorer.graph.engine import Evaluation, evaluate
from explorer.graph.layout import layout
from explorer.graph.model import Edge, Graph, GraphError, Node

# A long lesson is a few hundred edits; the oldest steps beyond this are forgotten, so an
# afternoon of scrubbing and rebuilding cannot grow the history without bound.
UNDO_LIMIT = 2_000


class GraphDocument(QObject):
    """The open graph, its undo history, its file, and its latest evaluation."""

    node_added = Signal(str)
    node_removed = Signal(str)
    edge_added = Signal(object)  # Edge
    edge_removed = Signal(object)  # Edge
    node_changed = Signal(str)  # name, value or op changed
    node_moved = Signal(str)
    output_changed = Signal()
    metadata_changed = Signal()
    graph_reset = Signal()  # a whole new graph: rebuild every view
    evaluated = Signal(object)  # Evaluation
    file_path_changed = Signal()
    value_drag_started = Signal()
    value_drag_finished = Signal()  # release: views may now refit what they held still
    modified_changed = Signal(bool)
    functions_changed = Signal()  # a function was defined or removed
    expansion_changed = Signal(str)  # a call node was expanded or collapsed

    def __init__(self, graph: Graph | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.graph = graph if graph is not None else Graph()
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)
        self.file_path: Path | None = None
        self._dirty = True
        self._merge_open = False
        self._drag_serial = 0
        self._pushed: list[QUndoCommand] = []
        self.expanded: set[str] = set()  # call nodes whose body the canvas shows in place
        self._evaluation: Evaluation = evaluate(self.graph)
        self._evaluated_revision = self.graph.revision
        self.undo_stack.indexChanged.connect(self._after_change)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)

    # ------------------------------------------------------------------ state
    @property
    def evaluation(self) -> Evaluation:
        """The evaluation of the graph as it is now.

        Views hear about an edit (node_removed, graph_reset, a selection change) before the
        document re-evaluates at the end of the command; one that asks for the evaluation
        then gets it computed afresh (without a second ``evaluated`` signal), never one that
        still names removed nodes.
        """
        if self._evaluation.graph is not self.graph or self._evaluated_revision != self.graph.revision:
            self._evaluation = evaluate(self.graph)
            self._evaluated_revision = self.graph.revision
        return self._evaluation

    @property
    def is_modified(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def display_name(self) -> str:
        return self.file_path.name if self.file_path else "Untitled"

    def recompute(self) -> Evaluation:
        """Evaluate now and tell every view; cheap enough (~1 ms at 1,000 nodes) to do per edit."""
        self._evaluation = evaluate(self.graph)
        self._evaluated_revision = self.graph.revision
        self._dirty = False
        self.evaluated.emit(self._evaluation)
        return self._evaluation

    def _on_clean_changed(self, clean: bool) -> None:
        self.modified_changed.emit(not clean)

    def _after_change(self, *_: object) -> None:
        if self._dirty:
            self.recompute()

    def _push(self, command: QUndoCommand) -> None:
        # Hold the Python side of every pushed command: PySide must never be left with a
        # command whose Python overrides were garbage-collected.
        self._pushed.append(command)
        self.undo_stack.push(command)
        self._after_change()  # a merged command does not move the index

    # ------------------------------------------------------------------ whole documents
    def reset(self, graph: Graph, file_path: Path | None = None) -> None:
        """Show a different graph (New, Open, Revert): history starts afresh."""
        self.undo_stack.clear()
        self._pushed.clear()
        self.graph = graph
        self.file_path = file_path
        self.expanded = set()
        self._dirty = True
        self.graph_reset.emit()
        self.file_path_changed.emit()
        self.recompute()
        self.undo_stack.setClean()
        self.modified_changed.emit(False)

    def mark_saved(self, file_path: Path) -> None:
        self.file_path = file_path
        self.undo_stack.setClean()
        self.file_path_changed.emit()

    # ------------------------------------------------------------------ edits (one undo step each)
    def add_node(
        self, op: str, name: str = "", value: float = 0.0, position: tuple[float, float] | None = None
    ) -> str:
        """Add an unconnected node; returns its id. Raises GraphError for a bad name/value."""
        if name:
            self.graph._check_name(name, None)
        if not math.isfinite(value):
            raise GraphError("a value must be a finite number")
        node = Node(self.graph.new_id(), op, name, float(value), position, [])
        from explorer.graph.ops import get_op

        node.operands = [None] * get_op(op).arity
        self._push(cmd.AddNodeCommand(self, node))
        return node.id

    def remove_nodes(self, node_ids: Iterable[str]) -> None:
        ids = [nid for nid in dict.fromkeys(node_ids) if nid in self.graph]
        if not ids:
            return
        parent = cmd.MacroCommand(f"Delete {len(ids)} node{'s' if len(ids) != 1 else ''}")
        with self._dry_run():
            for nid in ids:
                # Each child reads the graph as the previous children will have left it.
                parent.adopt(cmd.RemoveNodeCommand(self, nid)).redo()
            parent.undo()  # push() runs redo() again, in order
        self._push(parent)

    # Named link/unlink, not connect/disconnect: those would shadow QObject's own methods.
    def link(self, source: str, target: str, slot: int) -> None:
        """Link ``source`` into ``slot`` of ``target``, replacing an existing link there.

        Raises CycleError/ArityError (GraphError) with the reason, for the canvas to show.
        """
        node = self.graph.node(target)
        if 0 <= slot < len(node.operands) and node.operands[slot] is not None:
            if node.operands[slot] == source:
                return
            # Check the new link as if the slot were free.
            if self.graph.reaches(target, source):
                from explorer.graph.model import CycleError

                raise CycleError(
                    f"linking {self.graph.display_name(source)!r} into {self.graph.display_name(target)!r} "
                    "would make a cycle"
                )
        else:
            self.graph.check_connect(source, target, slot)
        self._push(cmd.ConnectCommand(self, source, target, slot))

    def unlink(self, target: str, slot: int) -> None:
        self.graph.check_disconnect(target, slot)
        self._push(cmd.DisconnectCommand(self, target, slot))

    def set_value(self, node_id: str, value: float) -> None:
        """A new value; inside begin_value_drag()/end_value_drag() the drag is one undo step."""
        node = self.graph.node(node_id)
        value = float(value)
        if not node.is_leaf:
            raise GraphError(f"{node.label!r} is computed; only inputs and constants hold a value")
        if not math.isfinite(value):
            raise GraphError(f"value of {node.label!r} must be a finite number")
        if value == node.value:
            return
        self._push(cmd.SetValueCommand(self, node_id, node.value, value))

    def set_values(self, values: Mapping[str, float], text: str = "Set values", serial: int = -1) -> None:
        """New values for several inputs/constants as one undo step.

        Calls with the same ``serial`` (from :meth:`new_merge_serial`) while nothing else
        was pushed in between merge into one step: a training run is undone at once.
        Everything is checked before anything changes.
        """
        changes: dict[str, tuple[float, float]] = {}
        for node_id, value in values.items():
            node = self.graph.node(node_id)
            value = float(value)
            if not node.is_leaf:
                raise GraphError(f"{node.label!r} is computed; only inputs and constants hold a value")
            if not math.isfinite(value):
                raise GraphError(f"value of {node.label!r} must be a finite number")
            if value != node.value:
                changes[node_id] = (node.value, value)
        if changes:
            self._push(cmd.SetValuesCommand(self, changes, text, serial))

    def new_merge_serial(self) -> int:
        """A fresh key for :meth:`set_values` calls that should become one undo step."""
        self._drag_serial += 1
        return self._drag_serial

    def begin_value_drag(self) -> None:
        """Start merging successive set_value calls on one node into one undo step."""
        self._merge_open = True
        self._drag_serial += 1  # values of this drag never merge into an earlier one
        self.value_drag_started.emit()

    def end_value_drag(self) -> None:
        self._merge_open = False
        self.value_drag_finished.emit()

    def rename(self, node_id: str, name: str) -> None:
        name = name.strip()
        self.graph._check_name(name, node_id)
        if name != self.graph.node(node_id).name:
            self._push(cmd.RenameCommand(self, node_id, name))

    def set_op(self, node_id: str, op: str) -> None:
        from explorer.graph.ops import get_op

        node = self.graph.node(node_id)
        if get_op(op).arity != get_op(node.op).arity:
            from explorer.graph.model import ArityError

            raise ArityError(f"{node.op} and {op} take different numbers of operands")
        if op == node.op:
            return
        if node.trainable and op != "input":
            # Only inputs are trainable: unmark and change in one undo step.
            macro = cmd.MacroCommand(f"Change to {op}")
            macro.adopt(cmd.SetTrainableCommand(self, node_id, False))
            macro.adopt(cmd.SetOpCommand(self, node_id, op))
            self._push(macro)
        else:
            self._push(cmd.SetOpCommand(self, node_id, op))

    def set_trainable(self, node_id: str, trainable: bool) -> None:
        """Mark an input as a parameter gradient descent may change (inputs only)."""
        node = self.graph.node(node_id)
        if trainable and node.op != "input":
            raise GraphError(f"only inputs can be trainable, not {node.label!r} ({node.op})")
        if bool(trainable) != node.trainable:
            self._push(cmd.SetTrainableCommand(self, node_id, bool(trainable)))

    def move_nodes(self, moves: dict[str, tuple[float, float]], text: str = "Move") -> None:
        """Final positions after a drag (or layout); one undo step."""
        changes = {
            nid: (self.graph.node(nid).position, pos)
            for nid, pos in moves.items()
            if nid in self.graph and self.graph.node(nid).position != pos
        }
        if changes:
            self._push(cmd.MoveNodesCommand(self, changes, text))

    def auto_layout(self) -> None:
        positions = layout(self.graph)
        self.move_nodes(positions, "Auto layout")

    def set_output(self, node_id: str | None) -> None:
        if node_id != self.graph.output:
            self._push(cmd.SetOutputCommand(self, node_id))

    def set_metadata(self, title: str, description: str) -> None:
        if (title, description) != (self.graph.title, self.graph.description):
            self._push(cmd.SetMetadataCommand(self, title, description))

    def insert_graph(
        self,
        other: Graph,
        offset: tuple[float, float] = (0.0, 0.0),
        replace: bool = False,
        text: str = "Insert graph",
        untitled: bool = False,
    ) -> list[str]:
        """Add a copy of ``other`` (fresh ids, names made unique); with ``replace``, the
        current nodes go first; with ``untitled``, the result is a new document that no
        file holds yet (Save asks where; undo gives the file back). One undo step.
        Returns the new node ids in order."""
        parent = cmd.MacroCommand(text)
        if not replace:
            for function in other.functions:
                mine = self.graph._functions.get(function.name)
                if mine is not None and mine != function:
                    raise GraphError(f"a different function named {function.name!r} is already defined here")
        with self._dry_run():
            if replace:
                for nid in [n.id for n in self.graph.nodes]:
                    parent.adopt(cmd.RemoveNodeCommand(self, nid)).redo()
                for function in reversed(self.graph.functions):
                    parent.adopt(fcmd.RemoveFunctionCommand(self, function.name)).redo()
            for function in other.functions:
                if function.name not in {f.name for f in self.graph.functions}:
                    parent.adopt(fcmd.AddFunctionCommand(self, function)).redo()
            taken = {n.name for n in self.graph.nodes if n.name}
            id_map: dict[str, str] = {}
            new_ids: list[str] = []
            for node in other.nodes:
                new_id = self.graph.new_id()
                id_map[node.id] = new_id
                name = node.name
                if name and name in taken:
                    k = 2
                    while f"{name}_{k}" in taken:
                        k += 1
                    name = f"{name}_{k}"
                if name:
                    taken.add(name)
                pos = (
                    None
                    if node.position is None
                    else (node.position[0] + offset[0], node.position[1] + offset[1])
                )
                node_copy = node.unlinked(id=new_id, name=name, position=pos)
                parent.adopt(cmd.AddNodeCommand(self, node_copy)).redo()
                new_ids.append(new_id)
            for edge in other.edges():
                parent.adopt(
                    cmd.ConnectCommand(self, id_map[edge.source], id_map[edge.target], edge.slot)
                ).redo()
            if replace:
                out = other.output
                parent.adopt(cmd.SetOutputCommand(self, id_map[out] if out else None)).redo()
                parent.adopt(cmd.SetMetadataCommand(self, other.title, other.description)).redo()
            if untitled:
                parent.adopt(cmd.SetFileCommand(self, None)).redo()
            parent.undo()  # push() runs redo() again, in order
        self._push(parent)
        return new_ids

    # ------------------------------------------------------------------ functions (one undo step each)
    def add_call(self, function: str, position: tuple[float, float] | None = None) -> str:
        """Add an unconnected node that calls a function of this document; returns its id."""
        spec = self.graph.function(function)
        node = Node(
            self.graph.new_id(), "call", "", 0.0, position, [None] * len(spec.parameters), function=function
        )
        self._push(cmd.AddNodeCommand(self, node))
        return node.id

    def group_as_function(self, node_ids: Iterable[str], name: str) -> str:
        """Selected nodes become one call of a new function ``name`` (its free inputs are the
        parameters). Returns the call node's id; raises GraphError with the reason."""
        after = fn.group(self.graph, node_ids, name.strip())
        call = next(n.id for n in after if n.op == "call" and n.function == name.strip())
        self._push(fcmd.restructure(self, after, f"Group as {name.strip()}"))
        return call

    def ungroup(self, call_id: str) -> list[str]:
        """Replace a call by its body, in place; returns the ids of the nodes that appeared."""
        after = fn.ungroup(self.graph, call_id)
        before = {n.id for n in self.graph if n.id != call_id}
        label = self.graph.node(call_id).label
        self._push(fcmd.restructure(self, after, f"Ungroup {label}"))
        return [n.id for n in self.graph if n.id not in before]

    def set_expanded(self, call_id: str, expanded: bool) -> None:
        """Show (or hide) a call's body in place on the canvas; one undo step."""
        node = self.graph.node(call_id)
        if node.op != "call":
            raise GraphError(f"{node.label!r} is not a function call")
        if expanded != (call_id in self.expanded):
            self._push(fcmd.SetExpandedCommand(self, call_id, expanded))

    def _do_add_function(self, function: fn.Function, index: int | None) -> None:
        self.graph.add_function(function, index)
        self._dirty = True
        self.functions_changed.emit()

    def _do_remove_function(self, name: str) -> None:
        self.graph.remove_function(name)
        self._dirty = True
        self.functions_changed.emit()

    def _do_set_expanded(self, node_id: str, expanded: bool) -> None:
        if expanded:
            self.expanded.add(node_id)
        else:
            self.expanded.discard(node_id)
        self.expansion_changed.emit(node_id)

    @contextmanager
    def _dry_run(self) -> Iterator[None]:
        """Silence signals while a compound command is built by doing and undoing it."""
        blocked = self.blockSignals(True)
        try:
            yield
        finally:
            self.blockSignals(blocked)

    # ------------------------------------------------------------------ used by commands only
    def _do_insert_node(self, node: Node, index: int | None, links: Iterable[Edge]) -> None:
        self.graph.insert_node(node, index, links)
        self._dirty = True
        self.node_added.emit(node.id)

    def _do_remove_node(self, node_id: str) -> None:
        was_output = self.graph.output == node_id
        self.graph.remove_node(node_id)
        self._dirty = True
        self.node_removed.emit(node_id)
        if was_output:
            self.output_changed.emit()

    def _do_connect(self, source: str, target: str, slot: int) -> None:
        edge = self.graph.connect(source, target, slot)
        self._dirty = True
        self.edge_added.emit(edge)

    def _do_disconnect(self, target: str, slot: int) -> None:
        edge = self.graph.disconnect(target, slot)
        self._dirty = True
        self.edge_removed.emit(edge)

    def _do_set_value(self, node_id: str, value: float) -> None:
        self.graph.set_value(node_id, value)
        self._dirty = True
        self.node_changed.emit(node_id)

    def _do_rename(self, node_id: str, name: str) -> None:
        self.graph.rename(node_id, name)
        self._dirty = True
        self.node_changed.emit(node_id)

    def _do_set_op(self, node_id: str, op: str) -> None:
        self.graph.set_op(node_id, op)
        self._dirty = True
        self.node_changed.emit(node_id)

    def _do_set_trainable(self, node_id: str, trainable: bool) -> None:
        self.graph.set_trainable(node_id, trainable)
        self._dirty = True
        self.node_changed.emit(node_id)

    def _do_move(self, node_id: str, position: tuple[float, float] | None) -> None:
        self.graph.move(node_id, position)
        self.node_moved.emit(node_id)

    def _do_set_output(self, node_id: str | None) -> None:
        self.graph.set_output(node_id)
        self._dirty = True
        self.output_changed.emit()

    def _do_set_file(self, path: Path | None) -> None:
        self.file_path = path
        self.file_path_changed.emit()

    def _do_set_metadata(self, title: str, description: str) -> None:
        self.graph.title, self.graph.description = title, description
        self.graph.revision += 1
        self.metadata_changed.emit()
