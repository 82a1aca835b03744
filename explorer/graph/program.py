"""The compile step: a graph flattened once per structure into index arrays and kernels.

:class:`Program` lists the nodes in topological order with their ops, operands, edges
(grouped by target, for the backward pass) and one flat :data:`Kernel` per fully connected
computed node; calls of user-defined functions are inlined as hidden body nodes
(:mod:`explorer.graph.inline`). :func:`compile_graph` caches it on the graph until the
next structural edit. The point evaluation (:mod:`explorer.graph.engine`) and the sweeps
(:mod:`explorer.graph.tape`) both run over it; it computes no numbers itself.

Imports: standard library and explorer.graph (functions, inline, model, ops); never Qt.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from explorer.graph.functions import call_op
from explorer.graph.inline import CallSite, Inliner
from explorer.graph.model import Edge, Graph
from explorer.graph.ops import OPS, Op

# (node, forward, local, first operand, second operand or -1, first edge): one per fully
# connected computed node, flat so that the point evaluation's loop unpacks once.
Kernel = tuple[int, Callable[..., float], Callable[..., tuple[float, ...]], int, int, int]


class Program:
    """A graph flattened to indices in topological order: compiled once per structure."""

    def __init__(self, graph: Graph) -> None:
        # One pass over the nodes: recompiling after each edit must stay within a few
        # milliseconds at a thousand nodes, so nothing here is computed twice.
        self.ids: list[str] = graph.topological_order()
        index = self.index = {nid: i for i, nid in enumerate(self.ids)}
        nodes = [graph.node(nid) for nid in self.ids]
        ops_get = OPS.get
        self.ops: list[Op] = [ops_get(n.op) or call_op(graph.function(n.function)) for n in nodes]
        self.operands: list[tuple[int, ...]] = []
        self.leaves: list[int] = []
        self.inputs: list[int] = []
        # Edges grouped by target in topological order, slots in order: the backward pass
        # walks this list in reverse.
        self.edge_ends: list[tuple[int, int]] = []  # (source index, target index)
        self.edge_slots: list[int] = []
        self.edges_into: list[range] = []
        # Does the node depend on any input at all? Constant subgraphs get no gradient
        # diagnostics: nobody asks how the output moves when the number 2 moves.
        self.varies: list[bool] = []
        self.kernels: list[Kernel] = []
        self.incomplete: list[int] = []
        # Function calls: hidden body nodes live at indices len(ids) and up (see inline.py).
        inliner: Inliner | None = None
        if graph.has_calls:
            visible_edges = sum(1 for n in nodes for s in n.operands if s is not None)
            inliner = Inliner(graph, len(nodes), visible_edges)
        edge_ends, edge_slots, varies = self.edge_ends, self.edge_slots, self.varies
        for i, (node, op) in enumerate(zip(nodes, self.ops, strict=True)):
            start = len(edge_ends)
            if not op.arity:
                self.operands.append(())
                self.leaves.append(i)
                is_input = op.name == "input"
                if is_input:
                    self.inputs.append(i)
                varies.append(is_input)
                self.edges_into.append(range(start, start))
                continue
            operands = tuple(-1 if s is None else index[s] for s in node.operands)
            self.operands.append(operands)
            varying = False
            for slot, j in enumerate(operands):
                if j >= 0:
                    edge_ends.append((j, i))
                    edge_slots.append(slot)
                    varying = varying or varies[j]
            varies.append(varying)
            self.edges_into.append(range(start, len(edge_ends)))
            if -1 in operands:
                self.incomplete.append(i)
            elif inliner is not None and node.op == "call":
                edges = tuple(range(start, len(edge_ends)))
                function = graph.function(node.function)
                inliner.inline(function, i, list(operands), edges, node.id, i, self.kernels)
            else:
                b = operands[1] if len(operands) == 2 else -1
                self.kernels.append((i, op.forward, op.local, operands[0], b, start))
        self.hidden_ids: list[str] = inliner.hidden_ids if inliner else []
        self.hidden_owner: list[int] = inliner.hidden_owner if inliner else []
        self.hidden_consts: list[tuple[int, float]] = inliner.hidden_consts if inliner else []
        self.calls: list[CallSite] = inliner.calls if inliner else []
        self.call_at: dict[str, CallSite] = {site.path: site for site in self.calls}
        self.local_count = inliner.local_count if inliner else len(edge_ends)
        self._ancestors: dict[int, list[bool]] = {}
        self._plans: dict[int, list[tuple[int, tuple[tuple[int, int], ...]]]] = {}

    @cached_property
    def edges(self) -> list[Edge]:
        """Every link as an :class:`Edge`, in edge-index order (built on first use)."""
        ids = self.ids
        return [Edge(ids[s], ids[t], k) for (s, t), k in zip(self.edge_ends, self.edge_slots, strict=True)]

    @cached_property
    def edge_index(self) -> dict[Edge, int]:
        return {e: k for k, e in enumerate(self.edges)}

    def backward_plan(self, out: int) -> list[tuple[int, tuple[tuple[int, int], ...]]]:
        """(node, its (edge, source) pairs) for the output's ancestors, output first.

        Pairs are zipped here once: zipping a range with a tuple per node on every
        evaluation cost more than the arithmetic.
        """
        plan = self._plans.get(out)
        if plan is None:
            mark = self.ancestors(out)
            plan = [
                (i, tuple((e, self.edge_ends[e][0]) for e in self.edges_into[i]))
                for i in range(out, -1, -1)
                if mark[i] and self.edges_into[i]
            ]
            self._plans[out] = plan
        return plan

    def ancestors(self, out: int) -> list[bool]:
        """Which nodes the node ``out`` depends on (itself included); cached per output."""
        cached = self._ancestors.get(out)
        if cached is not None:
            return cached
        mark = [False] * len(self.ids)
        mark[out] = True
        for i in range(out, -1, -1):
            if mark[i]:
                for j in self.operands[i]:
                    if j >= 0:
                        mark[j] = True
        self._ancestors[out] = mark
        return mark


def compile_graph(graph: Graph) -> Program:
    """The graph's compiled program, rebuilt only after a structural edit."""
    return graph.derived("engine.program", Program)
