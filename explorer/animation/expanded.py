"""The trace with expanded function calls opened up: a call's body as steps of its own.

Collapsed, a call is one forward step (``g = g(x) = 7``) and one backward step per
operand (``dh/dx = 14 × 2 = 28``). Expanded on the canvas, the learner sees the body, so
the animation walks through it too:

* forward: each parameter receives its operand's value (along the arrow into the box),
  then each body node is computed in the body's own order, then the box shows the
  body's output (the call's own step, unchanged);
* backward: just before the first step along an edge into the box, the body's output
  receives the box's gradient (a body :class:`SeedStep`), then ``upstream × local`` runs
  along each body edge against the arrow, so each parameter ends with
  ``d(output)/d(param) = gradient of the box × d(box)/d(param)``; the box's own steps
  follow, reading the same product on the edges outside.

Body nodes and edges are named by *path*: ``g/n2`` is body node ``n2`` of call ``g``
(the engine's :meth:`~explorer.graph.engine.Evaluation.inside` convention). Every number
comes from the evaluation (values and locals inside the call); nothing is recomputed
but the products and running sums the collapsed trace also forms. Only calls in the
outer graph open; a call inside a body stays one step.

Imports: standard library, explorer.graph.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from explorer.graph.engine import Evaluation
from explorer.graph.functions import Function
from explorer.graph.model import Edge, GraphError
from explorer.graph.trace import BackwardStep, ForwardStep, SeedStep, Step, Trace

SEP = "/"


def body_path(call_id: str, body_id: str) -> str:
    return f"{call_id}{SEP}{body_id}"


def split_path(path: str) -> tuple[str, str] | None:
    """``("g", "n2")`` for ``"g/n2"``; None for an outer node id."""
    call, sep, body_id = path.partition(SEP)
    return (call, body_id) if sep else None


def body_edge(call_id: str, edge: Edge) -> Edge:
    return Edge(body_path(call_id, edge.source), body_path(call_id, edge.target), edge.slot)


@dataclass(frozen=True, slots=True)
class Opened:
    """One expanded call: its function and the body steps that replace or precede its own."""

    call_id: str
    function: Function
    forward: tuple[ForwardStep, ...]
    backward: tuple[Step, ...]


def open_call(evaluation: Evaluation, call_id: str) -> Opened | None:
    """The body steps of call ``call_id``, or None if it cannot be opened (not a complete call)."""
    graph = evaluation.graph
    if call_id not in graph or graph.node(call_id).op != "call":
        return None
    node = graph.node(call_id)
    try:
        function = graph.function(node.function or "")
        results, locals_ = evaluation.inside(call_id)
    except (GraphError, KeyError):
        return None
    if any(src is None for src in node.operands):
        return None
    body = function.body
    order = body.topological_order()
    value = {bid: results[bid].value for bid in order if bid in results}
    grad = {bid: results[bid].grad for bid in order if bid in results}
    if len(value) != len(order):
        return None
    # forward: parameters receive their operands, then the body runs in its own order
    forward: list[ForwardStep] = []
    into = {e.slot: e for e in graph.edges() if e.target == call_id}
    for k, pid in enumerate(function.parameter_ids):
        edge = into.get(k)
        if edge is None:
            return None
        operand = evaluation.value_of(edge.source)
        forward.append(ForwardStep(body_path(call_id, pid), (edge,), (operand,), value[pid]))
    varies: dict[str, bool] = {}
    for bid in order:
        bnode = body.node(bid)
        varies[bid] = bnode.op == "input" or any(varies.get(s or "", False) for s in bnode.operands)
        if bnode.is_leaf:
            continue
        edges = tuple(e for e in body.edges() if e.target == bid)
        edges = tuple(sorted(edges, key=lambda e: e.slot))
        forward.append(
            ForwardStep(
                body_path(call_id, bid),
                tuple(body_edge(call_id, e) for e in edges),
                tuple(value[e.source] for e in edges),
                value[bid],
            )
        )
    # backward: the body's output gets the box's gradient, then edges against the arrow
    backward: list[Step] = [SeedStep(body_path(call_id, function.output), grad[function.output])]
    pending = [
        e
        for bid in reversed(order)
        for e in sorted((e for e in body.edges() if e.target == bid), key=lambda e: e.slot)
        if varies[e.source]
    ]
    remaining: dict[str, int] = {}
    for e in pending:
        remaining[e.source] = remaining.get(e.source, 0) + 1
    received: dict[str, list[float]] = {}
    for e in pending:
        upstream, local = grad[e.target], locals_[e]
        contribution = upstream * local
        terms = received.setdefault(e.source, [])
        before = sum(terms) if terms else 0.0
        terms.append(contribution)
        remaining[e.source] -= 1
        backward.append(
            BackwardStep(
                edge=body_edge(call_id, e),
                upstream=upstream,
                local=local,
                contribution=contribution,
                grad_before=before,
                grad_after=before + contribution,
                terms=tuple(terms),
                final=remaining[e.source] == 0,
            )
        )
    return Opened(call_id, function, tuple(forward), tuple(backward))


def expand_trace(evaluation: Evaluation, expanded: Iterable[str]) -> tuple[Trace, dict[str, Opened]]:
    """``evaluation.trace`` with each call in ``expanded`` opened (see the module docstring)."""
    trace = evaluation.trace
    opened = {c: o for c in sorted(set(expanded)) if (o := open_call(evaluation, c)) is not None}
    if not opened:
        return trace, {}
    steps: list[Step] = []
    for step in trace.steps[: trace.forward_count]:
        assert isinstance(step, ForwardStep)
        body = opened.get(step.node_id)
        if body is not None:
            steps.extend(body.forward)
        steps.append(step)
    forward_count = len(steps)
    entered: set[str] = set()
    for step in trace.steps[trace.forward_count :]:
        if isinstance(step, BackwardStep):
            call = step.edge.target
            body = opened.get(call)
            if body is not None and call not in entered:
                entered.add(call)
                steps.extend(body.backward)
        steps.append(step)
    return Trace(tuple(steps), forward_count), opened
