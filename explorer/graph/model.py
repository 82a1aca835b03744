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

Imports: standard library only.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from explorer.graph.ops import LEAF_OPS, OPS

if TYPE_CHECKING:
    from explorer.graph.functions import Function

MAX_NAME_LENGTH = 64

T = TypeVar("T")


class GraphError(ValueError):
    """An edit or a lookup the graph refuses; the message says why in one line."""


class CycleError(GraphError):
    """The link would make the output depend on itself."""


class ArityError(GraphError):
    """The slot does not exist for that op, or is already taken."""


# A name is shown in tables, captions and messages: control characters would break the line
# and bidi overrides would make it read as something else (U+202E turns "x‮2" into "2x").
_INVISIBLE_IN_NAMES = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a node, or None; the one rule for the editor, parser and files."""
    if len(name) > MAX_NAME_LENGTH:
        return f"name is longer than {MAX_NAME_LENGTH} characters"
    for char in name:
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            return f"a name cannot contain a control character (U+{ord(char):04X})"
        if char in _INVISIBLE_IN_NAMES:
            return f"a name cannot contain a text-direction character (U+{ord(char):04X})"
    return None


@dataclass(frozen=True, slots=True, order=True)
class Edge:
    """Slot ``slot`` of node ``target`` reads the value of node ``source``."""

    source: str
    target: str
    slot: int


@dataclass(slots=True)
class Node:
    """One node. ``value`` is only meaningful for ``input`` and ``const`` nodes."""

    id: str
    op: str
    name: str = ""
    value: float = 0.0
    position: tuple[float, float] | None = None
    operands: list[str | None] = field(default_factory=list)
    # Only inputs can be trainable: gradient descent nudges exactly the marked parameters.
    trainable: bool = False
    # For op "call": the name of the function in the graph's library it uses.
    function: str = ""

    @property
    def label(self) -> str:
        """What to call the node in a message: its name, else its id."""
        return self.name or self.id

    @property
    def is_leaf(self) -> bool:
        return self.op in LEAF_OPS


class Graph:
    """A directed acyclic graph of scalar operations with one chosen output."""

    def __init__(self, title: str = "", description: str = "") -> None:
        self.title = title
        self.description = description
        self._nodes: dict[str, Node] = {}
        self._consumers: dict[str, list[tuple[str, int]]] = {}
        self._output: str | None = None
        self._next_id = 1
        self.revision = 0
        self.structure_revision = 0
        self._derived: dict[str, tuple[int, Any]] = {}
        self._names: dict[str, str] = {}  # name -> id, so name checks stay O(1)
        self._functions: dict[str, Function] = {}
        self._calls = 0  # how many call nodes: graphs without any skip the inlining

    # ------------------------------------------------------------------ queries
    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._nodes

    def __iter__(self) -> Iterator[Node]:
        return iter(self._nodes.values())

    @property
    def nodes(self) -> list[Node]:
        """Nodes in insertion order (the order files are written in)."""
        return list(self._nodes.values())

    def display_name(self, node_id: str) -> str:
        """What to call a node in any message: its name, else its formula (never a bare id)."""
        from explorer.graph.naming import display_name  # naming reads this module

        return display_name(self, node_id)

    def node(self, node_id: str) -> Node:
        try:
            return self._nodes[node_id]
        except KeyError:
            raise GraphError(f"no node with id {node_id!r}") from None

    def find(self, name_or_id: str) -> Node:
        """A node by name (preferred) or id; the lookup users type."""
        if name_or_id in self._names:
            return self._nodes[self._names[name_or_id]]
        if name_or_id in self._nodes:
            return self._nodes[name_or_id]
        raise GraphError(f"no node named {name_or_id!r}")

    def has_name(self, name: str) -> bool:
        return name in self._names

    def index_of(self, node_id: str) -> int:
        """Where the node is in insertion order (files, equality and undo keep this order)."""
        self.node(node_id)
        return list(self._nodes).index(node_id)

    def edges(self) -> list[Edge]:
        """Every connected operand slot, in node order then slot order."""
        return [
            Edge(src, node.id, slot)
            for node in self._nodes.values()
            for slot, src in enumerate(node.operands)
            if src is not None
        ]

    def consumers(self, node_id: str) -> list[tuple[str, int]]:
        """(target, slot) pairs that read ``node_id``."""
        return list(self._consumers.get(node_id, ()))

    def inputs(self) -> list[Node]:
        return [n for n in self._nodes.values() if n.op == "input"]

    def sinks(self) -> list[Node]:
        """Nodes nothing reads from: candidates for the output."""
        return [n for n in self._nodes.values() if not self._consumers.get(n.id)]

    @property
    def output(self) -> str | None:
        """The explicitly chosen output node id, if any."""
        return self._output

    def resolve_output(self) -> str:
        """The output to differentiate: the chosen one, else the single sink."""
        if self._output is not None:
            return self._output
        sinks = self.sinks()
        if len(sinks) == 1:
            return sinks[0].id
        if not sinks:
            raise GraphError("the graph is empty: there is no output node")
        names = ", ".join(self.display_name(n.id) for n in sinks[:5])
        raise GraphError(f"the graph has {len(sinks)} possible outputs ({names}); choose one")

    def default_output(self) -> str | None:
        """Like :meth:`resolve_output` but never refuses: the last sink wins ties.

        The editor uses this while a graph is half-built and has several loose ends.
        """
        if self._output is not None:
            return self._output
        sinks = self.derived("model.sinks", lambda g: [n.id for n in g.sinks()])
        return sinks[-1] if sinks else None

    def new_id(self) -> str:
        """A fresh id that is not in use (ids are never reused within a session)."""
        while f"n{self._next_id}" in self._nodes:
            self._next_id += 1
        self._next_id += 1  # never hand out the same id twice, even if it was not used
        return f"n{self._next_id - 1}"

    def reaches(self, start: str, goal: str) -> bool:
        """True when ``goal`` depends on ``start`` (a path start -> ... -> goal exists)."""
        if start == goal:
            return True
        stack, seen = [start], {start}
        while stack:
            for target, _slot in self._consumers.get(stack.pop(), ()):
                if target == goal:
                    return True
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        return False

    def topological_order(self) -> list[str]:
        """Kahn's algorithm, iterative and stable: ties keep insertion order."""
        # Every compile after an edit starts here, so the common cases (no operand, one
        # consumer) take the short way; the order is the same as the general loop's.
        indegree = {
            nid: len({s for s in node.operands if s is not None}) if node.operands else 0
            for nid, node in self._nodes.items()
        }
        position = {nid: k for k, nid in enumerate(self._nodes)}
        ready = [nid for nid, d in indegree.items() if d == 0]
        ready.reverse()  # pop() from the end keeps insertion order
        order: list[str] = []
        consumers = self._consumers
        while ready:
            nid = ready.pop()
            order.append(nid)
            links = consumers.get(nid, ())
            if len(links) == 1:
                target = links[0][0]
                indegree[target] -= 1
                if indegree[target] == 0:
                    ready.append(target)
                continue
            released: list[str] = []
            for target in dict.fromkeys(t for t, _ in links):
                indegree[target] -= 1
                if indegree[target] == 0:
                    released.append(target)
            # Consumer lists are in link order, which undo does not restore; sorting by
            # insertion order makes the order a function of what equality compares.
            if len(released) > 1:
                released.sort(key=position.__getitem__, reverse=True)
            ready.extend(released)
        if len(order) != len(self._nodes):  # pragma: no cover - mutations prevent cycles
            raise CycleError("the graph has a cycle")
        return order

    def derived(self, key: str, factory: Callable[[Graph], T]) -> T:
        """Memoise something computed from the graph's *structure* (e.g. a compiled program).

        Recomputed only after a structural edit, so dragging a value never recompiles.
        """
        entry = self._derived.get(key)
        if entry is None or entry[0] != self.structure_revision:
            entry = (self.structure_revision, factory(self))
            self._derived[key] = entry
        result: T = entry[1]
        return result

    # ------------------------------------------------------------------ mutations
    def _touch(self, structural: bool) -> None:
        self.revision += 1
        if structural:
            self.structure_revision += 1

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
        if node_id is None:
            node_id = self.new_id()
        elif node_id in self._nodes:
            raise GraphError(f"a node with id {node_id!r} already exists")
        if not node_id:
            raise GraphError("a node id must not be empty")
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
        if node_id is None:
            node_id = self.new_id()
        elif node_id in self._nodes:
            raise GraphError(f"a node with id {node_id!r} already exists")
        if not node_id:
            raise GraphError("a node id must not be empty")
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

    # ------------------------------------------------------------------ functions
    @property
    def functions(self) -> list[Function]:
        """The library of user-defined functions, in definition order (callees first)."""
        return list(self._functions.values())

    @property
    def has_calls(self) -> bool:
        return self._calls > 0

    def function(self, name: str) -> Function:
        try:
            return self._functions[name]
        except KeyError:
            raise GraphError(f"unknown function {name!r}") from None

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
            other._nodes[node.id] = Node(
                node.id,
                node.op,
                node.name,
                node.value,
                node.position,
                list(node.operands),
                node.trainable,
                node.function,
            )
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
