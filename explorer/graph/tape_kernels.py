"""The sweep's kernels: one op's values and tangents over many points, in NumPy.

Split from :mod:`explorer.graph.tape`, which compiles the tape and runs it. A kernel
reads its operands' values and tangents by node index and writes the node's own; the
same kernel serves one node (value rows ``(N,)``) and a batched group (matrices with a
row per member), and one tangent per point or two (a leading axis of length 2, grid
sweeps): values broadcast against tangents either way.

Imports: standard library and NumPy; explorer.graph.ops for the op type.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from explorer.graph.ops import Op

Values = list["np.ndarray | float"]
Kernel = Callable[["_Step", Values, Values], None]


@dataclass(slots=True)  # not frozen: frozen __init__ is slow, and tapes of 10,000 steps
class _Step:
    node: int
    op: Op
    operands: tuple[int, ...]
    varying: tuple[bool, ...]  # which operands depend on x
    poison: bool
    guard: bool  # an operand may hold ±inf that this op would hide
    kernel: Kernel
    # Grid sweeps only: per operand, the tangent lane it does not depend on (-1: none).
    # Its term there is exactly 0, even where the local derivative is infinite.
    quiet: tuple[int, ...] = ()


def _poison(a: np.ndarray) -> np.ndarray:
    """Turn ±inf into NaN in two cheap ufunc calls (inf·0 is NaN, finite·0 is 0)."""
    return a + a * 0.0


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
            term = local[k] * tans[j]
            if step.quiet and step.quiet[k] >= 0:
                term = _silence(np.array(term, dtype=float), step.quiet[k])
            tangent = tangent + term
    tans[step.node] = tangent


# Hand-written kernels for the common ops: the fewest NumPy calls per node, since at a
# few hundred points the per-call overhead, not the arithmetic, is what a sweep costs.
# Fresh intermediates are updated in place (the same operations in the same order, so
# the same numbers) to spare the allocator; never in place against a tangent, whose
# shape may have a leading axis the value lacks (grid sweeps).
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
        tangent = tans[a] * vals[b]
        tangent += vals[a] * tans[b]
        tans[step.node] = tangent
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
    slope = out * out
    np.subtract(1.0, slope, out=slope)
    tans[step.node] = slope * tans[a]


def _k_sigmoid(step: _Step, vals: Values, tans: Values) -> None:
    (a,) = step.operands
    # 1/(1 + e^-a) keeps full relative precision for very negative a, where the
    # tanh form cancels (log(sigmoid(-40)) must be -40, not log(0)); exp's overflow
    # to inf gives the right limit 0.
    out = np.negative(vals[a])
    np.exp(out, out=out)
    out += 1.0
    np.divide(1.0, out, out=out)
    if step.guard:
        out = out + 0.0 * vals[a]
    vals[step.node] = out
    slope = 1.0 - out
    slope *= out
    tans[step.node] = slope * tans[a]


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


def _k_sin(step: _Step, vals: Values, tans: Values) -> None:
    (a,) = step.operands
    va = vals[a]
    vals[step.node] = np.sin(va)
    tans[step.node] = np.cos(va) * tans[a]


def _k_cos(step: _Step, vals: Values, tans: Values) -> None:
    (a,) = step.operands
    va = vals[a]
    vals[step.node] = np.cos(va)
    slope = np.sin(va)
    np.negative(slope, out=slope)
    tans[step.node] = slope * tans[a]


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
    "sin": _k_sin,
    "cos": _k_cos,
}


def _silence(tangent: np.ndarray | float, lane: int) -> np.ndarray | float:
    """``tangent`` with lane ``lane`` set to exactly 0 (copied first if it is read-only)."""
    if isinstance(tangent, np.ndarray):
        if not tangent.flags.writeable:
            tangent = tangent.copy()
        tangent[lane] = 0.0
    return tangent
