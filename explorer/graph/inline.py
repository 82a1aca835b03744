"""Function calls compiled inline, and their local derivatives found by reverse mode inside.

A call node is one box to the graph around it, but the engine does not evaluate it as a
black box: its body's operations are compiled *into* the caller's program, as extra
("hidden") nodes after the visible ones, reading the call's operands directly. The body's
output writes straight into the call node's own slot. So the forward pass of a graph with
functions runs exactly the operations of the same graph flattened, in an order with the
same operands: the values are bit-for-bit the same, and it costs no more.

The call's *local derivatives* — what the edges into the box are labelled with, ``dg/dx``
— come from the body by the chain rule itself: after the forward pass, each call runs the
engine's backward pass over its own body (seed 1 at the body's output, ``upstream ×
local`` along each body edge, summed where paths meet), and the gradient that reaches
parameter *k* is the local derivative for operand *k*. Nested calls are done first, so
an enclosing body sees an inner call as one box with known locals, just as the outer
graph does. The outer backward pass then multiplies these locals like any other.

Imports: standard library and the graph model only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from explorer.graph.functions import Function, FunctionError
from explorer.graph.model import Edge, Graph
from explorer.graph.ops import OPS

# Same shape as the engine's point-evaluation kernel (see engine.Kernel).
Kernel = tuple[int, Callable[..., float], Callable[..., tuple[float, ...]], int, int, int]


def _identity(a: float) -> float:
    return a


def _identity_local(_args: tuple[float, ...], _out: float) -> tuple[float, ...]:
    return (1.0,)


@dataclass(frozen=True, slots=True)
class CallSite:
    """One inlined call: where its body lives in the program and how to run its backward pass.

    *Slots* number what the body's backward pass accumulates into: the parameters first
    (slot k is parameter k, even when two operands are the same node), then body nodes.
    """

    node: int  # program index of the call node (visible, or hidden in an outer body)
    path: str  # the call's id, or "outer/inner" ids for a call inside a body
    function: Function
    edges: tuple[int, ...]  # local-derivative slots of the edges into the call, per parameter
    plan: tuple[tuple[int, int, int], ...]  # (local slot, source slot, target slot), backward order
    out_slot: int
    slot_ids: tuple[str, ...]  # body node id of each slot
    slot_index: tuple[int, ...]  # program index of each slot's value
    body_edges: tuple[tuple[Edge, int], ...]  # each body edge and its local slot


class Inliner:
    """Appends hidden nodes, kernels and call sites to a program being compiled."""

    def __init__(self, graph: Graph, visible: int, edges: int) -> None:
        self.graph = graph
        self.visible = visible
        self.local_count = edges  # hidden edges' locals come after the visible edges'
        self.hidden_ids: list[str] = []
        self.hidden_owner: list[int] = []  # the visible call each hidden node belongs to
        self.hidden_consts: list[tuple[int, float]] = []
        self.calls: list[CallSite] = []

    def _hidden(self, path: str, owner: int) -> int:
        self.hidden_ids.append(path)
        self.hidden_owner.append(owner)
        return self.visible + len(self.hidden_ids) - 1

    def inline(
        self,
        function: Function,
        call: int,
        args: list[int],
        call_edges: tuple[int, ...],
        path: str,
        owner: int,
        kernels: list[Kernel],
    ) -> None:
        """Compile ``function``'s body as if its output were node ``call`` reading ``args``."""
        body = function.body
        order, needed = body.derived("inline.order", _needed)
        slot_of = {pid: k for k, pid in enumerate(function.parameter_ids)}
        index_of = dict(zip(function.parameter_ids, args, strict=True))
        slot_ids = list(function.parameter_ids)
        slot_index = list(args)
        # One group of (local slot, source slot, target slot) per body node, slots in order:
        # walked backwards group by group, like the engine's own backward pass, so sums
        # of three or more terms are added in the same order as outside.
        forward_plan: list[list[tuple[int, int, int]]] = []
        body_edges: list[tuple[Edge, int]] = []
        for bid in order:
            if bid not in needed:
                continue
            bnode = body.node(bid)
            if bnode.op == "input":
                continue
            idx = call if bid == function.output else self._hidden(f"{path}/{bid}", owner)
            slot = len(slot_ids)
            slot_of[bid], index_of[bid] = slot, idx
            slot_ids.append(bid)
            slot_index.append(idx)
            if bnode.op == "const":
                self.hidden_consts.append((idx, bnode.value))
                continue
            sources = [s for s in bnode.operands if s is not None]
            first = self.local_count
            self.local_count += len(sources)
            forward_plan.append([(first + k, slot_of[src], slot) for k, src in enumerate(sources)])
            for k, src in enumerate(sources):
                body_edges.append((Edge(src, bid, k), first + k))
            operands = [index_of[s] for s in sources]
            if bnode.op == "call":
                callee = self.graph.function(bnode.function)
                edges = tuple(range(first, first + len(sources)))
                self.inline(callee, idx, operands, edges, f"{path}/{bid}", owner, kernels)
            else:
                op = OPS[bnode.op]
                b = operands[1] if len(operands) == 2 else -1
                kernels.append((idx, op.forward, op.local, operands[0], b, first))
        if function.output in function.parameter_ids:  # g(x) = x: the call copies its argument
            k = function.parameter_ids.index(function.output)
            first = self.local_count
            self.local_count += 1
            slot_ids.append(function.output)
            slot_index.append(call)
            forward_plan.append([(first, k, len(slot_ids) - 1)])
            kernels.append((call, _identity, _identity_local, args[k], -1, first))
            out_slot = len(slot_ids) - 1
        else:
            out_slot = slot_of[function.output]
        self.calls.append(
            CallSite(
                call,
                path,
                function,
                call_edges,
                tuple(step for group in reversed(forward_plan) for step in group),
                out_slot,
                tuple(slot_ids),
                tuple(slot_index),
                tuple(body_edges),
            )
        )


def _needed(body: Graph) -> tuple[list[str], frozenset[str]]:
    """The body's topological order and the nodes its output depends on."""
    out = body.output
    if out is None:  # pragma: no cover - a Function always has an output
        raise FunctionError("a function body has no output")
    seen = {out}
    stack = [out]
    while stack:
        for src in body.node(stack.pop()).operands:
            if src is not None and src not in seen:
                seen.add(src)
                stack.append(src)
    return body.topological_order(), frozenset(seen)


def inner_backward(site: CallSite, locals_: list[float]) -> list[float]:
    """d(body output)/d(slot) for every slot of one call: the backward pass inside its body."""
    grads = [0.0] * len(site.slot_ids)
    grads[site.out_slot] = 1.0
    for e, src, dst in site.plan:
        grads[src] += grads[dst] * locals_[e]
    return grads


def call_locals(calls: list[CallSite], locals_: list[float]) -> None:
    """Fill each call's operand edges with its local derivatives (inner calls first)."""
    for site in calls:
        grads = [0.0] * len(site.slot_ids)
        grads[site.out_slot] = 1.0
        for e, src, dst in site.plan:
            grads[src] += grads[dst] * locals_[e]
        # Parameters are the first slots, in the order of the call's operand edges.
        for e, g in zip(site.edges, grads, strict=False):
            locals_[e] = g
