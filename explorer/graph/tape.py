"""Vectorised sweeps: y(x) and dy/dx at many x values in one NumPy pass.

The plot redraws whole curves while the user drags, so a sweep must cost about as much
as a handful of point evaluations, not hundreds. Two observations make that so:

* Only nodes that depend on x *and* feed y change along the sweep. Everything else is a
  single number, computed once on floats, that NumPy broadcasts for free.
* With one input there is one tangent per node, so *forward mode* gives dy/dx in the same
  pass as the values: ``tangent = Σ local × tangent(operand)`` over the operands that
  depend on x. No backward pass, no per-edge storage.

The tape (which nodes, in which order, reading which slots) is compiled once per graph
structure and (x, y) pair and cached on the graph; values of the *other* inputs are read
at sweep time, so dragging another input never recompiles.

Undefined points are NaN, exactly as in the point evaluation: infinities that an op
produces are turned into NaN at once, so ``tanh(exp(1000))`` is undefined here too.

Imports: standard library and NumPy only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from explorer.graph.engine import compile_graph, forward_values, leaf_values
from explorer.graph.model import Graph, GraphError
from explorer.graph.ops import Op

# Ops that turn finite operands into infinities in practice; their results are fixed up
# to NaN at once. add/sub/mul only overflow beyond 1e308 and skip the fix-up for speed:
# there the point evaluation reports "overflow" while a sweep carries inf a few steps on.
_CAN_OVERFLOW = frozenset({"div", "pow", "exp", "log"})
# Where such an inf can come from, what carries it on, and which ops would turn it into a
# plausible finite number (tanh(inf) = 1, exp(-inf) = 0, 1/inf = 0): those few steps
# ("guarded", known when the tape is compiled) turn an infinite operand into NaN.
_MAKES_INF = frozenset({"add", "sub", "mul"})
_CARRIES_INF = frozenset({"neg", "abs", "sqrt", "relu"})
_ABSORBS_INF = frozenset({"tanh", "sigmoid", "relu", "exp", "div", "pow"})


@dataclass(frozen=True, slots=True)
class _Step:
    node: int
    op: Op
    operands: tuple[int, ...]
    varying: tuple[bool, ...]  # which operands depend on x
    poison: bool
    guard: bool  # an operand may hold ±inf that this op would hide


@dataclass(frozen=True, slots=True)
class Tape:
    x: int
    y: int
    steps: tuple[_Step, ...]
    needed_constants: tuple[bool, ...]  # nodes whose scalar value the tape reads


def _compile_tape(graph: Graph, x: int, y: int) -> Tape:
    program = compile_graph(graph)
    ancestors = program.ancestors(y)
    n = len(program.ids)
    depends = [False] * n
    depends[x] = True
    unbounded = [False] * n  # the node's array may hold ±inf
    steps: list[_Step] = []
    for i in range(x + 1, y + 1):
        if not ancestors[i]:
            continue
        operands = program.operands[i]
        varying = tuple(j >= 0 and depends[j] for j in operands)
        if any(varying) and -1 not in operands:
            depends[i] = True
            op = program.ops[i]
            inf_in = any(v and unbounded[j] for v, j in zip(varying, operands, strict=True))
            guard = inf_in and op.name in _ABSORBS_INF
            unbounded[i] = op.name in _MAKES_INF or (inf_in and op.name in _CARRIES_INF and not guard)
            steps.append(_Step(i, op, operands, varying, op.name in _CAN_OVERFLOW, guard))
    needed = [ancestors[i] and not depends[i] for i in range(n)]
    return Tape(x, y, tuple(steps), tuple(needed))


def _poison(a: np.ndarray) -> np.ndarray:
    """Turn ±inf into NaN in two cheap ufunc calls (inf·0 is NaN, finite·0 is 0)."""
    return a + a * 0.0


Values = list["np.ndarray | float"]


def _generic(step: _Step, vals: Values, tans: Values) -> None:
    """Any op: forward, all local derivatives, tangent summed over varying operands."""
    args = tuple(vals[j] for j in step.operands)
    out = step.op.vforward(*args)
    if step.poison:
        out = _poison(out)
    if step.guard:
        for k, j in enumerate(step.operands):
            if step.varying[k]:
                out = out + 0.0 * vals[j]  # inf·0 is NaN, finite·0 is 0
    vals[step.node] = out
    local = step.op.vlocal(args, out)
    tangent: np.ndarray | float = 0.0
    for k, j in enumerate(step.operands):
        if step.varying[k]:
            tangent = tangent + local[k] * tans[j]
    tans[step.node] = tangent


# Hand-written kernels for the common ops: the fewest NumPy calls per node, since at a
# few hundred points the per-call overhead, not the arithmetic, is what a sweep costs.
def _k_add(step: _Step, vals: Values, tans: Values) -> None:
    a, b = step.operands
    va, vb = step.varying
    vals[step.node] = vals[a] + vals[b]
    tans[step.node] = tans[a] + tans[b] if va and vb else (tans[a] if va else tans[b])


def _k_sub(step: _Step, vals: Values, tans: Values) -> None:
    a, b = step.operands
    va, vb = step.varying
    vals[step.node] = vals[a] - vals[b]
    tans[step.node] = tans[a] - tans[b] if va and vb else (tans[a] if va else -tans[b])


def _k_mul(step: _Step, vals: Values, tans: Values) -> None:
    a, b = step.operands
    va, vb = step.varying
    vals[step.node] = vals[a] * vals[b]
    if va and vb:
        tans[step.node] = tans[a] * vals[b] + vals[a] * tans[b]
    else:
        tans[step.node] = tans[a] * vals[b] if va else vals[a] * tans[b]


def _k_neg(step: _Step, vals: Values, tans: Values) -> None:
    (a,) = step.operands
    vals[step.node] = -vals[a]
    tans[step.node] = -tans[a]


def _k_tanh(step: _Step, vals: Values, tans: Values) -> None:
    (a,) = step.operands
    out = np.tanh(vals[a])
    if step.guard:
        out = out + 0.0 * vals[a]
    vals[step.node] = out
    tans[step.node] = (1.0 - out * out) * tans[a]


def _k_sigmoid(step: _Step, vals: Values, tans: Values) -> None:
    (a,) = step.operands
    # 1/(1 + e^-a) keeps full relative precision for very negative a, where the
    # tanh form cancels (log(sigmoid(-40)) must be -40, not log(0)); exp's overflow
    # to inf gives the right limit 0.
    out = 1.0 / (1.0 + np.exp(-vals[a]))
    if step.guard:
        out = out + 0.0 * vals[a]
    vals[step.node] = out
    tans[step.node] = out * (1.0 - out) * tans[a]


def _k_exp(step: _Step, vals: Values, tans: Values) -> None:
    (a,) = step.operands
    out = _poison(np.exp(vals[a]))
    if step.guard:
        out = out + 0.0 * vals[a]
    vals[step.node] = out
    tans[step.node] = out * tans[a]


def _k_relu(step: _Step, vals: Values, tans: Values) -> None:
    (a,) = step.operands
    va = vals[a]
    vals[step.node] = np.maximum(va, 0.0) + 0.0 * va if step.guard else np.maximum(va, 0.0)
    # A product, not np.where: 0 × NaN must stay NaN as in the point evaluation.
    tans[step.node] = (va > 0.0) * tans[a]


def _k_pow_const_exponent(step: _Step, vals: Values, tans: Values) -> None:
    a, b = step.operands
    va, vb = vals[a], vals[b]
    out = _poison(np.power(va, vb))
    if vb == 0.0 or vb != vb or step.guard:
        out = out + 0.0 * va * vb  # IEEE: pow(NaN, 0) = pow(1, NaN) = 1; not here
    vals[step.node] = out
    if vb == 0.0:
        tans[step.node] = 0.0 * tans[a]
    elif vb == 2.0:
        tans[step.node] = 2.0 * va * tans[a]
    else:
        tans[step.node] = _poison(vb * np.power(va, vb - 1.0)) * tans[a]


def _k_pow(step: _Step, vals: Values, tans: Values) -> None:
    if step.varying == (True, False):
        _k_pow_const_exponent(step, vals, tans)
    else:
        _generic(step, vals, tans)


_KERNELS = {
    "add": _k_add,
    "sub": _k_sub,
    "mul": _k_mul,
    "neg": _k_neg,
    "tanh": _k_tanh,
    "exp": _k_exp,
    "sigmoid": _k_sigmoid,
    "relu": _k_relu,
    "pow": _k_pow,
}


def sweep(
    graph: Graph,
    input_name_or_id: str,
    xs: np.ndarray | list[float],
    output: str | None = None,
    values: Mapping[str, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(y, dy/dx) at every x in ``xs``, other inputs at their current (or given) values."""
    program = compile_graph(graph)
    x_node = graph.find(input_name_or_id)
    if x_node.op != "input":
        raise GraphError(f"{x_node.label!r} is not an input")
    out_id = graph.find(output).id if output is not None else graph.default_output()
    if out_id is None:
        raise GraphError("the graph is empty: there is no output node")
    x, y = program.index[x_node.id], program.index[out_id]
    tape: Tape = graph.derived(f"tape:{x_node.id}:{out_id}", lambda g: _compile_tape(g, x, y))

    xs_arr = np.asarray(xs, dtype=float)
    if xs_arr.ndim != 1:
        raise GraphError("xs must be a one-dimensional array")
    if y == x:
        return xs_arr.copy(), np.ones_like(xs_arr)

    scalars = leaf_values(graph, program, values)
    forward_values(graph, program, scalars, None)
    vals: list[np.ndarray | float] = list(scalars)
    tans: list[np.ndarray | float] = [0.0] * len(scalars)
    vals[x] = xs_arr
    tans[x] = np.ones_like(xs_arr)
    with np.errstate(all="ignore"):
        for step in tape.steps:
            _KERNELS.get(step.op.name, _generic)(step, vals, tans)
        y_values = _poison(np.broadcast_to(np.asarray(vals[y], dtype=float), xs_arr.shape).copy())
        grads = _poison(np.broadcast_to(np.asarray(tans[y], dtype=float), xs_arr.shape).copy())
    if not tape.steps or tape.steps[-1].node != y:
        # The output does not depend on x: a flat line with zero slope (or undefined).
        grads = np.where(np.isnan(y_values), np.nan, 0.0)
    grads[np.isnan(y_values)] = np.nan
    return y_values, grads
