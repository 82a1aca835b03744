"""The computation graph as plain data: nodes, operand links, the chosen output.

A node's operands live in the node itself, one slot per operand (``None`` while a slot
is unconnected), so arity can never be broken and an edge is just "slot *k* of node T
reads node S". Every mutation goes through a method here that checks its preconditions
and raises :class:`GraphError` (or a subclass) *before* changing anything, so a refused
edit leaves the graph exactly as it was. The editor's undo commands call only this API.

A graph also holds a library of user-defined functions (:mod:`explorer.graph.functions`);
a node with op ``"call"`` uses one of them by name, with one operand slot per parameter.

Two counters let caches stay cheap: ``structure_revision`` changes when the shape of
the computation changes (nodes, links, ops, output), ``revision`` on any change at all.

This module holds the container and its checked mutations; the read-only queries are in
:mod:`explorer.graph.graph_queries` and the node, link and error types in
:mod:`explorer.graph.model_parts` (all importable from here, as before).

Imports: standard library only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from explorer.graph.graph_queries import GraphQueries
from explorer.graph.model_parts import (
    MAX_NAME_LENGTH,
    ArityError,
    CycleError,
    Edge,
    GraphError,
    Node,
    name_problem,
)
from explorer.graph.ops import LEAF_OPS, OPS

if TYPE_CHECKING:
    from explorer.graph.functions import Function

__all__ = [
    "MAX_NAME_LENGTH",
    "ArityError",
    "CycleError",
    "Edge",
    "Graph",
    "GraphError",
    "GraphQueries",
    "Node",
    "name_problem",
]


class Graph(GraphQueries):
    """A directed acyclic graph of scalar operations with one chosen output."""

    def __init__(self, title: str = "", description: str = "") -> None:
        self.title = title
        self.description = description
        self._nodes = {}
        self._consumers = {}
        self._output = None
        self._next_id = 1
        self.revision = 0
        self.structure_revision = 0
        self._derived = {}
        self._names = {}
        self._functions = {}
        self._calls = 0

    # ------------------------------------------------------------------ mutations
    def _touch(self, structural: bool) -> None:
        self.revision += 1
        if structural:
            self.structure_revision += 1

    def _claim_id(self, node_id: str | None) -> str:
        """A fresh id, or ``node_id`` if it is free (and not empty)."""
        if node_id is None:
            return self.new_id()
        if node_id in self._nodes:
            raise GraphError(f"a node with id {node_id!r} already exists")
        if not node_id:
            raise GraphError("a node id must not be empty")
        return node_id

    def _check_name(self, name: str, node_id: str | None) -> None:
        problem = name_problem(name)
        if problem:
            raise GraphError(problem)
        if name and self._names.get(name, node_id) != node_id:
            raise GraphError(f"the name {name!r} is already used by another node")

    def add_node(
        self,
        op: str,
        name: str = "",
        value: float = 0.0,
        position: tuple[float, float] | None = None,
        node_id: str | None = None,
    ) -> Node:
        """Create an unconnected node and return it (function calls: :meth:`add_call`)."""
        if op not in OPS:
            hint = "; use add_call for a function" if op == "call" else ""
            raise GraphError(f"unknown op {op!r}{hint}")
        node_id = self._claim_id(node_id)
        self._check_name(name, None)
        value = float(value)
        if not math.isfinite(value):
            raise GraphError(f"value of {name or node_id!r} must be a finite number")
        if value != 0.0 and op not in LEAF_OPS:
            raise GraphError(
                f"{name or node_id!r} is computed ({op}); only inputs and constants hold a value"
            )
        node = Node(node_id, op, name, value, position, [None] * OPS[op].arity)
        self._nodes[node_id] = node
        if name:
            self._names[name] = node_id
        self._consumers[node_id] = []
        self._touch(structural=True)
        return node

    def add_call(
        self,
        function: Function,
        name: str = "",
        position: tuple[float, float] | None = None,
        node_id: str | None = None,
    ) -> Node:
        """Create an unconnected node that calls ``function``, one slot per parameter.

        A function body is a graph without a library of its own, so the function object is
        passed in; a graph *with* a library only calls functions it holds.
        """
        if self._functions and self._functions.get(function.name) is not function:
            raise GraphError(f"unknown function {function.name!r}")
        node_id = self._claim_id(node_id)
        self._check_name(name, None)
        node = Node(
            node_id, "call", name, 0.0, position, [None] * len(function.parameters), False, function.name
        )
        self._nodes[node_id] = node
        if name:
            self._names[name] = node_id
        self._consumers[node_id] = []
        self._calls += 1
        self._touch(structural=True)
        return node

    def insert_node(self, node: Node, index: int | None = None, links: Iterable[Edge] = ()) -> None:
        """Put back a node removed by :meth:`remove_node`, with its links (for undo)."""
        if node.id in self._nodes:
            raise GraphError(f"a node with id {node.id!r} already exists")
        self._check_name(node.name, None)
        if node.op == "call":
            function = self._functions.get(node.function)
            if function is not None and len(node.operands) != len(function.parameters):
                raise ArityError(f"{node.label!r} does not have the operand slots of {node.function!r}")
        elif node.op not in OPS or len(node.operands) != OPS[node.op].arity:
            raise ArityError(f"{node.label!r} does not have the operand slots of {node.op!r}")
        for src in node.operands:
            if src is not None and src not in self._nodes:
                raise GraphError(f"operand {src!r} of {node.label!r} does not exist")
        before = self._nodes
        items = list(self._nodes.items())
        at = len(items) if index is None else max(0, min(index, len(items)))
        items.insert(at, (node.id, node))
        self._nodes = dict(items)
        self._consumers[node.id] = []
        if node.name:
            self._names[node.name] = node.id
        self._calls += node.op == "call"
        for slot, src in enumerate(node.operands):
            if src is not None:
                self._consumers[src].append((node.id, slot))
        done: list[Edge] = []
        revisions = (self.revision, self.structure_revision)
        try:
            for edge in links:
                done.append(self.connect(edge.source, edge.target, edge.slot))
        except GraphError:
            # A refused link refuses the whole insertion: put everything back, the
            # revision counters too, so listeners see no edit at all.
            for edge in reversed(done):
                self.disconnect(edge.target, edge.slot)
            self.revision, self.structure_revision = revisions
            for slot, src in enumerate(node.operands):
                if src is not None:
                    self._consumers[src].remove((node.id, slot))
            del self._consumers[node.id]
            self._nodes = before
            self._names.pop(node.name, None)
            self._calls -= node.op == "call"
            raise
        self._touch(structural=True)

    def remove_node(self, node_id: str) -> tuple[Node, int, list[Edge]]:
        """Delete a node and every link touching it.

        Returns what :meth:`insert_node` needs to undo it: the node (with its operands),
        its index in insertion order, and the outgoing links that were cut.
        """
        node = self.node(node_id)
        index = list(self._nodes).index(node_id)
        outgoing = [Edge(node_id, t, s) for t, s in self._consumers.get(node_id, ())]
        for edge in outgoing:
            self.disconnect(edge.target, edge.slot)
        for src in node.operands:
            if src is not None:
                self._consumers[src] = [(t, s) for t, s in self._consumers[src] if t != node_id]
        del self._nodes[node_id]
        if node.name:
            del self._names[node.name]
        del self._consumers[node_id]
        self._calls -= node.op == "call"
        if self._output == node_id:
            self._output = None
        self._touch(structural=True)
        return node, index, outgoing

    def check_connect(self, source: str, target: str, slot: int) -> None:
        """Raise the reason a link would be refused, or return if it is allowed."""
        src, dst = self.node(source), self.node(target)
        arity = len(dst.operands)
        if arity == 0:
            title = OPS[dst.op].title.lower()
            raise ArityError(f"{self.display_name(dst.id)!r} is {title} and takes no operands")
        if not 0 <= slot < arity:
            kind = dst.function or dst.op
            raise ArityError(f"{self.display_name(dst.id)!r} ({kind}) has no operand slot {slot}")
        if dst.operands[slot] is not None:
            raise ArityError(f"operand {slot + 1} of {self.display_name(dst.id)!r} is already connected")
        if self.reaches(target, source):
            names = self.display_name(src.id), self.display_name(dst.id)
            raise CycleError(f"linking {names[0]!r} into {names[1]!r} would make a cycle")

    def connect(self, source: str, target: str, slot: int) -> Edge:
        """Feed ``source`` into operand ``slot`` of ``target``."""
        self.check_connect(source, target, slot)
        self._nodes[target].operands[slot] = source
        self._consumers[source].append((target, slot))
        self._touch(structural=True)
        return Edge(source, target, slot)

    def check_disconnect(self, target: str, slot: int) -> str:
        """The source feeding operand ``slot`` of ``target``; GraphError if there is none."""
        dst = self.node(target)
        arity = len(dst.operands)
        if isinstance(slot, bool) or not isinstance(slot, int) or not 0 <= slot < arity:
            kind = dst.function or dst.op
            raise ArityError(f"{self.display_name(dst.id)!r} ({kind}) has no operand slot {slot!r}")
        source = dst.operands[slot]
        if source is None:
            raise GraphError(f"operand {slot + 1} of {self.display_name(dst.id)!r} is not connected")
        return source

    def disconnect(self, target: str, slot: int) -> Edge:
        """Empty operand ``slot`` of ``target``; returns the link that was there."""
        dst = self.node(target)
        source = self.check_disconnect(target, slot)
        assert source is not None
        dst.operands[slot] = None
        self._consumers[source].remove((target, slot))
        self._touch(structural=True)
        return Edge(source, target, slot)

    def set_value(self, node_id: str, value: float) -> None:
        node = self.node(node_id)
        if not node.is_leaf:
            raise GraphError(
                f"{node.label!r} is computed ({node.op}); only inputs and constants hold a value"
            )
        value = float(value)
        if not math.isfinite(value):
            raise GraphError(f"value of {node.label!r} must be a finite number")
        node.value = value
        self._touch(structural=False)

    def rename(self, node_id: str, name: str) -> None:
        node = self.node(node_id)
        self._check_name(name, node_id)
        if node.name:
            del self._names[node.name]
        node.name = name
        if name:
            self._names[name] = node_id
        self._touch(structural=False)

    def set_op(self, node_id: str, op: str) -> None:
        """Change a node's op when the new op has the same arity (e.g. tanh -> relu)."""
        node = self.node(node_id)
        if op not in OPS:
            raise GraphError(f"unknown op {op!r}")
        if node.op == "call":
            raise GraphError(f"{node.label!r} calls {node.function!r}; a function call cannot change its op")
        if OPS[op].arity != OPS[node.op].arity:
            raise ArityError(f"{node.op} takes {OPS[node.op].arity} operands but {op} takes {OPS[op].arity}")
        if node.trainable and op != "input":
            raise GraphError(f"{node.label!r} is trainable; only inputs can be, so unmark it first")
        node.op = op
        self._touch(structural=True)

    def set_trainable(self, node_id: str, trainable: bool) -> None:
        """Mark an input as a parameter that a training step may change (inputs only)."""
        node = self.node(node_id)
        if trainable and node.op != "input":
            raise GraphError(f"only inputs can be trainable, not {node.label!r} ({node.op})")
        node.trainable = bool(trainable)
        self._touch(structural=False)

    def move(self, node_id: str, position: tuple[float, float] | None) -> None:
        self.node(node_id).position = position
        self._touch(structural=False)

    def set_output(self, node_id: str | None) -> None:
        if node_id is not None:
            self.node(node_id)
        self._output = node_id
        self._touch(structural=True)

    # ------------------------------------------------------------------ function library
    def add_function(self, function: Function, index: int | None = None) -> None:
        """Add a function to the library, after checking it (see ``check_function``)."""
        from explorer.graph.functions import check_function

        if function.name in self._functions:
            raise GraphError(f"a function named {function.name!r} is already defined")
        check_function(function, self._functions)
        items = list(self._functions.items())
        at = len(items) if index is None else max(0, min(index, len(items)))
        items.insert(at, (function.name, function))
        self._functions = dict(items)
        self._touch(structural=True)

    def remove_function(self, name: str) -> tuple[Function, int]:
        """Remove an unused function; returns it and its index, for undo."""
        function = self.function(name)
        users = [n.label for n in self._nodes.values() if n.function == name]
        users += [f.name for f in self._functions.values() if name in f.callees]
        if users:
            raise GraphError(f"function {name!r} is still used by {', '.join(map(repr, users[:3]))}")
        index = list(self._functions).index(name)
        del self._functions[name]
        self._touch(structural=True)
        return function, index

    def copy(self) -> Graph:
        """A deep, independent copy (same ids, names, values, positions, output).

        Functions are shared, not copied: a :class:`Function` is never changed in place.
        """
        other = Graph(self.title, self.description)
        for node in self._nodes.values():
            other._nodes[node.id] = node.copy()
            other._consumers[node.id] = list(self._consumers[node.id])
        other._output = self._output
        other._names = dict(self._names)
        other._next_id = self._next_id
        other._functions = dict(self._functions)
        other._calls = self._calls
        return other

    def __eq__(self, other: object) -> bool:
        """Equal when a file written from each would be the same."""
        if not isinstance(other, Graph):
            return NotImplemented
        return (
            self.title == other.title
            and self.description == other.description
            and self._output == other._output
            and list(self._nodes) == list(other._nodes)
            and self.functions == other.functions
            and all(
                (a.op, a.name, a.value, a.position, a.operands, a.trainable, a.function)
                == (b.op, b.name, b.value, b.position, b.operands, b.trainable, b.function)
                for a, b in zip(self._nodes.values(), other._nodes.values(), strict=True)
            )
        )

    __hash__ = None  # type: ignore[assignment]
