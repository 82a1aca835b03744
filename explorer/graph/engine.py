"""The autograd engine: values, gradients and per-edge chain-rule terms at one point.

How the chain rule is computed here, in the words of the lesson
----------------------------------------------------------------
Every operation knows only its *local* derivative: how its own value moves when one of
its operands moves (``∂(a·b)/∂a = b``). The engine never differentiates a formula.

*Forward pass.* Nodes are visited in topological order; each computes its value from its
operands' values. A node whose operands are not all defined is itself undefined. A node
whose op rejects its operands (``log(-1)``, ``1/0``) or overflows gets a diagnostic and
is undefined; everything downstream is then undefined too, rather than a misleading
number.

*Backward pass.* The output's gradient d(out)/d(out) is 1. Visiting nodes in *reverse*
topological order, each node passes back along each incoming edge the product
``upstream × local`` — its own gradient times the local derivative for that operand —
called the edge's *contribution*. A node that feeds several others receives several
contributions and their **sum** is its gradient: that is the "sum over paths" of the chain
rule, done one edge at a time exactly as micrograd's ``Value.backward()`` does with
``+=``. Undefined numbers are NaN and poison every product they touch, so a gradient that
passes through an undefined value is never shown as valid.

*Forward mode* (tangents) runs the same local derivatives the other way: the tangent of a
node with respect to one chosen input is the sum over its operands of ``local ×
tangent(operand)``. Both modes must agree; the tests hold them to it.

The point evaluation runs on Python floats over a program compiled once per graph
structure (indices instead of ids; :mod:`explorer.graph.program`), because at a thousand
nodes per-call overhead, not arithmetic, is what costs. Sweeps over many x values live in
:mod:`explorer.graph.tape`.

*Functions.* A node that calls a user-defined function is compiled inline: its body's
operations run in the forward pass as hidden nodes, and its local derivatives come from
a backward pass inside the body (:mod:`explorer.graph.inline`). Everything outside sees
one node with one local derivative per operand, like any op.

Imports: standard library, NumPy and explorer.graph (model, ops, trace); never Qt.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from explorer.graph.inline import call_locals, inner_backward
from explorer.graph.model import Edge, Graph, GraphError
from explorer.graph.ops import DomainError, NumericOverflow
from explorer.graph.program import Kernel as Kernel  # re-exported: the compile step's home moved
from explorer.graph.program import Program as Program
from explorer.graph.program import compile_graph as compile_graph
from explorer.graph.trace import Trace, build_trace

NAN = math.nan
DiagnosticKind = Literal["domain", "overflow", "missing", "gradient"]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """Something numerically wrong at one node; ``message`` is one line and names it."""

    node_id: str
    kind: DiagnosticKind
    message: str


@dataclass(frozen=True, slots=True)
class NodeResult:
    value: float
    grad: float


def _label(graph: Graph, node_id: str) -> str:
    node = graph.node(node_id)
    return f"{graph.display_name(node_id)!r} ({node.function or node.op})"


def _blame(graph: Graph, program: Program, i: int) -> tuple[str, str]:
    """(visible node id, how to name it) for node ``i``, which may sit inside a call."""
    n = len(program.ids)
    if i < n:
        nid = program.ids[i]
        node = graph.node(nid)
        where = f", inside {node.function}, at its output" if node.op == "call" else ""
        return nid, _label(graph, nid) + where
    owner = program.ids[program.hidden_owner[i - n]]
    path = program.hidden_ids[i - n].split("/")
    return owner, f"{_label(graph, owner)}, inside {graph.node(owner).function}, at body node {path[-1]!r}"


def leaf_values(graph: Graph, program: Program, values: Mapping[str, float] | None) -> list[float]:
    """Stored input/const values, with ``values`` (by input name or id) taking precedence."""
    vals = [NAN] * (len(program.ids) + len(program.hidden_ids))
    for i in program.leaves:
        vals[i] = graph.node(program.ids[i]).value
    for i, value in program.hidden_consts:
        vals[i] = value
    if values:
        for key, value in values.items():
            node = graph.find(key)
            if node.op != "input":
                raise GraphError(f"{graph.display_name(node.id)!r} is not an input (it is {node.op})")
            value = float(value)
            if not math.isfinite(value):
                raise GraphError(f"value for {node.label!r} must be a finite number")
            vals[program.index[node.id]] = value
    return vals


def forward_values(
    graph: Graph,
    program: Program,
    vals: list[float],
    diagnostics: list[Diagnostic] | None,
    locals_: list[float] | None = None,
    kernels: list[Kernel] | None = None,
) -> None:
    """Fill ``vals`` for computed nodes in place (NaN = undefined), noting why.

    With ``locals_`` it also stores each edge's local derivative, in the same pass: the
    point evaluation's whole budget is about a microsecond per node, so it is one loop
    specialised for the only two arities there are. ``kernels`` restricts the pass to
    some of ``program.kernels`` (in order), e.g. the constants a sweep reads.
    """
    for i, forward, local, ia, ib, start in program.kernels if kernels is None else kernels:
        if ib < 0:
            a = vals[ia]
            if a != a:  # NaN operand: undefined downstream, no new blame
                continue
            try:
                v = forward(a)
            except DomainError as exc:
                if diagnostics is not None:
                    diagnostics.append(_domain(graph, program, i, exc))
                continue
            if v - v != 0.0:  # inf or NaN
                if diagnostics is not None:
                    diagnostics.append(_overflow(graph, program, i))
                continue
            vals[i] = v
            if locals_ is not None:
                d = local((a,), v)[0]
                locals_[start] = d if d - d == 0.0 else NAN
        else:
            a = vals[ia]
            b = vals[ib]
            if a != a or b != b:
                continue
            try:
                v = forward(a, b)
            except DomainError as exc:
                if diagnostics is not None:
                    diagnostics.append(_domain(graph, program, i, exc))
                continue
            if v - v != 0.0:
                if diagnostics is not None:
                    diagnostics.append(_overflow(graph, program, i))
                continue
            vals[i] = v
            if locals_ is not None:
                da, db = local((a, b), v)
                locals_[start] = da if da - da == 0.0 else NAN
                locals_[start + 1] = db if db - db == 0.0 else NAN
    if diagnostics is not None:
        for i in program.incomplete:
            nid = program.ids[i]
            missing = ", ".join(str(k + 1) for k, j in enumerate(program.operands[i]) if j < 0)
            diagnostics.append(
                Diagnostic(nid, "missing", f"{_label(graph, nid)}: operand {missing} is not connected")
            )


def _domain(graph: Graph, program: Program, i: int, exc: DomainError) -> Diagnostic:
    kind: DiagnosticKind = "overflow" if isinstance(exc, NumericOverflow) else "domain"
    node_id, label = _blame(graph, program, i)
    return Diagnostic(node_id, kind, f"{label}: {exc}")


def _overflow(graph: Graph, program: Program, i: int) -> Diagnostic:
    node_id, label = _blame(graph, program, i)
    return Diagnostic(node_id, "overflow", f"{label}: overflow (the value is too large)")


@dataclass
class Evaluation:
    """Everything the engine knows at one point. NaN means "undefined"."""

    graph: Graph
    program: Program
    output: str | None
    value_list: list[float]
    grad_list: list[float]
    local_list: list[float]
    contribution_list: list[float]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # With function calls: every value and local, hidden body nodes included (see inside()).
    all_values: list[float] | None = None
    all_locals: list[float] | None = None

    @property
    def value(self) -> float:
        """The output's value (NaN if undefined or if there is no output)."""
        if self.output is None:
            return NAN
        return self.value_list[self.program.index[self.output]]

    def value_of(self, node_id: str) -> float:
        return self.value_list[self.program.index[node_id]]

    def grad_of(self, node_id: str) -> float:
        """d(output)/d(node); 0 for nodes the output does not depend on."""
        return self.grad_list[self.program.index[node_id]]

    def local_of(self, edge: Edge) -> float:
        return self.local_list[self.program.edge_index[edge]]

    def contribution_of(self, edge: Edge) -> float:
        return self.contribution_list[self.program.edge_index[edge]]

    def __getitem__(self, name_or_id: str) -> NodeResult:
        node = self.graph.find(name_or_id)
        i = self.program.index[node.id]
        return NodeResult(self.value_list[i], self.grad_list[i])

    @property
    def values(self) -> dict[str, float]:
        return dict(zip(self.program.ids, self.value_list, strict=True))

    @property
    def grads(self) -> dict[str, float]:
        return dict(zip(self.program.ids, self.grad_list, strict=True))

    @property
    def locals(self) -> dict[Edge, float]:
        return dict(zip(self.program.edges, self.local_list, strict=True))

    @property
    def contributions(self) -> dict[Edge, float]:
        return dict(zip(self.program.edges, self.contribution_list, strict=True))

    def diagnostics_for(self, node_id: str) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.node_id == node_id]

    @cached_property
    def trace(self) -> Trace:
        """The ordered forward and backward steps, for the animation and narrative."""
        return build_trace(self)

    def tangents(self, input_name_or_id: str) -> dict[str, float]:
        """Forward mode: d(node)/d(x) for every node, for one input x."""
        return forward_tangents(self, input_name_or_id)

    def inside(self, path: str) -> tuple[dict[str, NodeResult], dict[Edge, float]]:
        """Inside the call ``path``: each body node's value and d(output)/d(node), each body
        edge's local derivative — what an expanded function shows.

        ``path`` is a call node's id, or ``call/inner`` for a call inside a body. A body
        node's gradient is the call's gradient times d(call)/d(node) from the backward pass
        inside the body: the chain rule once more.
        """
        site = self.program.call_at.get(path)
        if site is None:
            raise GraphError(f"{path!r} is not a function call in this graph")
        on_path = True  # does the output depend on this call? (else every gradient is 0)
        if "/" in path:
            outer, _, inner = path.rpartition("/")
            upstream = self.inside(outer)[0][inner].grad
        else:
            i = self.program.index[path]
            upstream = self.grad_list[i]
            out = self.output
            on_path = out is None or self.program.ancestors(self.program.index[out])[i]
        values = self.all_values if self.all_values is not None else self.value_list
        locals_ = self.all_locals if self.all_locals is not None else self.local_list
        inner_grads = inner_backward(site, locals_) if on_path else [0.0] * len(site.slot_ids)
        nodes = {
            bid: NodeResult(values[idx], upstream * g)
            for bid, idx, g in zip(site.slot_ids, site.slot_index, inner_grads, strict=True)
        }
        return nodes, {edge: locals_[e] for edge, e in site.body_edges}


def evaluate(
    graph: Graph, values: Mapping[str, float] | None = None, output: str | None = None
) -> Evaluation:
    """Values, gradients, local derivatives and contributions at one point.

    ``values`` overrides input values by name or id without touching the graph.
    ``output`` is a node name or id; by default the graph's chosen output, else its
    single sink (or, while the graph has several loose ends, the last one).
    """
    program = compile_graph(graph)
    out_id = graph.find(output).id if output is not None else graph.default_output()
    vals = leaf_values(graph, program, values)
    diagnostics: list[Diagnostic] = []
    n_edges = len(program.edge_ends)
    locals_ = [NAN] * program.local_count
    forward_values(graph, program, vals, diagnostics, locals_)
    all_values = all_locals = None
    if program.calls:
        call_locals(program.calls, locals_)
        all_values, all_locals = vals, locals_
        vals, locals_ = vals[: len(program.ids)], locals_[:n_edges]
    contributions = [0.0] * n_edges
    if out_id is None:
        grads = [NAN] * len(program.ids)
        return Evaluation(
            graph, program, out_id, vals, grads, locals_, contributions, diagnostics, all_values, all_locals
        )

    grads = [0.0] * len(program.ids)
    out = program.index[out_id]
    grads[out] = 1.0
    # Reverse topological order; every node's own gradient is complete before it is
    # passed back, because all its consumers come later in the order.
    for i, pairs in program.backward_plan(out):
        g = grads[i]
        for e, src in pairs:
            c = g * locals_[e]
            contributions[e] = c
            grads[src] += c
    if vals[out] != vals[out]:
        # An undefined output has no slope with respect to anything, even nodes it does
        # not read: the same answer forward mode and the sweep give.
        grads = [NAN] * len(program.ids)
    # An undefined local derivative on a path that matters deserves a reason. (The sum is
    # NaN if any local is: one C loop instead of a second Python pass, most of the time.)
    total = sum(locals_)
    varies = program.varies
    for i, pairs in program.backward_plan(out) if total != total else ():
        if vals[i] == vals[i]:
            for e, src in pairs:
                if locals_[e] != locals_[e] and varies[src]:
                    edge = program.edges[e]
                    diagnostics.append(
                        Diagnostic(
                            edge.target,
                            "gradient",
                            f"{_label(graph, edge.target)}: the local derivative with respect to "
                            f"{graph.node(edge.source).label!r} is undefined at "
                            f"{graph.node(edge.source).label} = {vals[src]:.6g}",
                        )
                    )
    return Evaluation(
        graph, program, out_id, vals, grads, locals_, contributions, diagnostics, all_values, all_locals
    )


def forward_tangents(evaluation: Evaluation, input_name_or_id: str) -> dict[str, float]:
    """d(node)/d(x) for every node by forward mode, reusing the evaluation's locals."""
    graph, program = evaluation.graph, evaluation.program
    node = graph.find(input_name_or_id)
    if node.op != "input":
        raise GraphError(f"{node.label!r} is not an input")
    tangents = [0.0] * len(program.ids)
    tangents[program.index[node.id]] = 1.0
    # Sum over the operands that depend on x *structurally*, not over nonzero tangents:
    # reverse mode multiplies an undefined local derivative by a zero upstream gradient
    # and gets NaN, so forward mode must not skip it either (sqrt(relu(x)) at x = -1).
    depends = [False] * len(program.ids)
    depends[program.index[node.id]] = True
    locals_, edge_ends, values = evaluation.local_list, program.edge_ends, evaluation.value_list
    for i, edges in enumerate(program.edges_into):
        if not edges:
            if values[i] != values[i]:
                tangents[i] = NAN  # a computed node with no operand connected yet
            continue
        total = 0.0
        for e in edges:
            src = edge_ends[e][0]
            if depends[src]:
                depends[i] = True
                total += locals_[e] * tangents[src]
        tangents[i] = total if values[i] == values[i] else NAN
    return dict(zip(program.ids, tangents, strict=True))


def finite_difference(
    graph: Graph,
    input_name_or_id: str,
    values: Mapping[str, float] | None = None,
    output: str | None = None,
    h: float | None = None,
    central: bool = True,
) -> float:
    """Numerical d(output)/d(x): the check a learner can do by hand ("nudge x a little").

    The default step scales with |x| so that large inputs still see a visible change.
    """
    node = graph.find(input_name_or_id)
    if node.op != "input":
        raise GraphError(f"{node.label!r} is not an input")
    program = compile_graph(graph)
    base = dict(values or {})
    x = float(base.get(node.name or node.id, base.get(node.id, node.value)))
    if h is None:
        h = 1e-6 * max(1.0, abs(x))
    base.pop(node.id, None)
    key = node.name or node.id
    out_id = graph.find(output).id if output is not None else graph.default_output()
    if out_id is None:
        return NAN
    out = program.index[out_id]

    def at(xv: float) -> float:
        vals = leaf_values(graph, program, {**base, key: xv})
        forward_values(graph, program, vals, None)
        return vals[out]

    if central:
        return (at(x + h) - at(x - h)) / (2.0 * h)
    return (at(x + h) - at(x)) / h
