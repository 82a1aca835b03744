"""The read-only half of :class:`~explorer.graph.model.Graph`: lookups, links, order, output.

Everything here answers a question about the graph and changes nothing (apart from the
memo of :meth:`GraphQueries.derived`); the checked mutations live in
:mod:`explorer.graph.model`, which builds ``Graph`` on top of this class.

Imports: standard library only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from explorer.graph.model_parts import CycleError, Edge, GraphError, Node

if TYPE_CHECKING:
    from explorer.graph.functions import Function
    from explorer.graph.model import Graph

T = TypeVar("T")


class GraphQueries:
    """The state a graph holds and every question that can be asked of it."""

    title: str
    description: str
    revision: int
    structure_revision: int
    _nodes: dict[str, Node]
    _consumers: dict[str, list[tuple[str, int]]]
    _output: str | None
    _next_id: int
    _derived: dict[str, tuple[int, Any]]
    _names: dict[str, str]  # name -> id, so name checks stay O(1)
    _functions: dict[str, Function]
    _calls: int  # how many call nodes: graphs without any skip the inlining

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

        return display_name(cast("Graph", self), node_id)  # only Graph subclasses this

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

    def derived(self, key: str, factory: Callable[[Self], T]) -> T:
        """Memoise something computed from the graph's *structure* (e.g. a compiled program).

        Recomputed only after a structural edit, so dragging a value never recompiles.
        """
        entry = self._derived.get(key)
        if entry is None or entry[0] != self.structure_revision:
            entry = (self.structure_revision, factory(self))
            self._derived[key] = entry
        result: T = entry[1]
        return result

    # ------------------------------------------------------------------ function library
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
