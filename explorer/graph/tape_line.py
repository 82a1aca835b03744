"""One-input sweeps' steps, specialised when the tape is compiled: the fewest NumPy calls.

A 500-point sweep of a 200-node chain costs about as much in per-call overhead as in
arithmetic, so for the common case, one tangent per point, each step of the tape gets a
closure made for its op and for which of its operands vary:

* no branches, attribute lookups or keyword arguments at run time (operand slots,
  buffers and ufuncs are bound as defaults, so they are local reads);
* results written into buffers planned when the tape is compiled (:func:`plan_line`)
  instead of a fresh array per result: a buffer is reused once nothing that may still
  be read refers to it, so a long chain runs in a few buffers that stay in the cache.
  The buffers are kept between sweeps (:func:`buffers_for`, per thread, up to
  :data:`KEEP_BYTES`), so the plot's sweeps while a value is dragged allocate nothing;
* constants 1 and 0 read as arrays of the sweep's length (:data:`ONE`, :data:`ZERO`
  slots appended to the value list), since a Python float operand costs a ufunc about
  half as much again as an array does.

The operations, and their order, are exactly those of :mod:`explorer.graph.tape_kernels`,
so the numbers are bit-for-bit the same; ops without a closure here run their general
kernel (which makes its own arrays). A step never writes into an operand's array.

Imports: standard library and NumPy; explorer.graph.tape_kernels for the step type.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from explorer.graph.tape_kernels import Values, _Step

Buffers = list[np.ndarray]
LineStep = Callable[[Values, Values, Buffers], None]

# Where a one-input sweep keeps its constant rows: the value list gets two extra slots.
ONE, ZERO = -2, -1
SCRATCH = 0  # buffer for a step's own intermediate, dead when the step returns

_add, _sub, _mul, _div = np.add, np.subtract, np.multiply, np.divide
_neg, _exp, _tanh = np.negative, np.exp, np.tanh
_sin, _cos, _max, _gt = np.sin, np.cos, np.maximum, np.greater


KEEP_BYTES = 32 << 20  # buffers kept for the next sweep, per thread

_kept = threading.local()  # .pools: {points: (one, zero, buffers)}


def buffers_for(count: int, points: int) -> tuple[np.ndarray, np.ndarray, Buffers]:
    """Rows of ones and zeros and ``count`` buffers, all of length ``points``.

    Reused from the last sweeps of this length on this thread when they fit in
    :data:`KEEP_BYTES` (a sweep of a million points gets its own, dropped afterwards).
    Nothing outside a sweep holds a buffer: results are copied out of them.
    """
    pools: dict[int, tuple[np.ndarray, np.ndarray, Buffers]] = getattr(_kept, "pools", None) or {}
    _kept.pools = pools
    kept = pools.get(points)
    if kept is None:
        kept = (np.ones(points), np.zeros(points), [])
    one, zero, buffers = kept
    if len(buffers) < count:
        buffers.extend(np.empty(points) for _ in range(count - len(buffers)))
    if (len(buffers) + 2) * points * 8 <= KEEP_BYTES:
        pools.pop(points, None)
        pools[points] = kept  # the newest last
        while sum((len(b) + 2) * p * 8 for p, (_, _, b) in pools.items()) > KEEP_BYTES:
            del pools[next(iter(pools))]  # the oldest length goes first
    else:
        pools.pop(points, None)
    return one, zero, buffers


class _Group(Protocol):
    """What the plan needs of a batched group (defined in :mod:`explorer.graph.tape`)."""

    @property
    def index(self) -> int: ...
    @property
    def step(self) -> _Step: ...
    @property
    def gathers(self) -> Sequence[object]: ...
    @property
    def publish(self) -> tuple[tuple[int, int], ...]: ...


@dataclass(frozen=True, slots=True)
class LinePlan:
    """How a one-input sweep runs a tape: see :func:`plan_line`."""

    closures: tuple[LineStep | None, ...]  # per unit; None for a group
    buffers: int  # how many buffers a sweep needs
    # With no groups: every step and, after a general kernel's last reader, a step that
    # drops its arrays, to be run in order with nothing else between (None otherwise).
    flat: tuple[LineStep, ...] | None
    # With record_free, the free buffers after each unit: tests scribble on them to
    # prove that nothing still reads them.
    free_after: tuple[tuple[int, ...], ...] = ()


def plan_line(
    units: Sequence[_Step | _Group], releases: Sequence[tuple[int, ...]], record_free: bool = False
) -> LinePlan:
    """Per unit its closure, the buffers a sweep needs, and the flat run of a group-free tape.

    Buffers are handed out as the tape would run: a step's fresh results each take a
    free buffer, and a node (or group matrix) *holds* the buffers its arrays refer to;
    when the last holder of a buffer is released (the tape's ``releases``), the buffer
    is free again. What an array can refer to is known exactly: every kernel makes
    fresh arrays except ``x + c`` and ``x - c`` (one or a batch of them), whose tangent
    *is* the operand's tangent; so a node holds its own buffers, or for its tangent the
    buffers of the tangent it passes on. (Holding more, say everything an operand held,
    would be safe but would keep a whole chain of buffers alive: a 1,000-step chain of
    ``+ c`` at a million points needed 8 GB.)
    """
    count = [0]  # holders per buffer; buffer 0 is SCRATCH, never handed out
    free: list[int] = []
    hold: dict[int, tuple[int, ...]] = {}  # node -> buffers its value and tangent use
    tangent_of: dict[int, tuple[int, ...]] = {}  # node -> buffers its tangent uses
    matrix_tangent: dict[int, tuple[int, ...]] = {}  # group -> buffers its tangent matrix uses

    def take() -> int:
        if free:
            return free.pop()
        count.append(0)
        return len(count) - 1

    def held_by(key: int, buffers: tuple[int, ...], table: dict[int, tuple[int, ...]]) -> None:
        table[key] = buffers
        for b in buffers:
            count[b] += 1

    closures: list[LineStep | None] = []
    flat: list[LineStep] | None = []
    free_after: list[tuple[int, ...]] = []
    own_arrays: set[int] = set()  # nodes whose arrays a general kernel made: dropped when done
    for unit, done in zip(units, releases, strict=True):
        if isinstance(unit, _Step):
            maker = _MAKERS.get(unit.op.name)
            if maker is not None and not (unit.guard and unit.op.name == "relu"):
                passed = _passed_tangent(unit)
                value_buffer = take()
                tangent_buffer = take() if passed is None else -1
                closures.append(maker(unit, value_buffer, tangent_buffer))
                tangent = (tangent_buffer,) if passed is None else tangent_of.get(passed, ())
                tangent_of[unit.node] = tangent
                held_by(unit.node, (value_buffer, *tangent), hold)
            else:
                closures.append(_general(unit))  # fresh arrays of its own, no buffer
                own_arrays.add(unit.node)
                tangent_of[unit.node] = ()
            if flat is not None:
                flat.append(closures[-1])  # type: ignore[arg-type]
                dropped = tuple(j for j in done if j in own_arrays)
                if dropped:
                    flat.append(_drop(dropped))
        else:
            flat = None
            closures.append(None)
            tangent = _group_tangent(unit, tangent_of, matrix_tangent)
            held_by(unit.index, tangent, matrix_tangent)
            for _, node in unit.publish:  # rows of the matrices: views
                tangent_of[node] = tangent
                held_by(node, tangent, hold)
        for item in done:
            for b in hold.pop(item, ()) if item >= 0 else matrix_tangent.pop(~item, ()):
                count[b] -= 1
                if count[b] == 0:
                    free.append(b)
        if record_free:
            free_after.append(tuple(free))
    return LinePlan(tuple(closures), len(count), tuple(flat) if flat is not None else None, tuple(free_after))


def _group_tangent(
    group: _Group, tangent_of: dict[int, tuple[int, ...]], matrix_tangent: dict[int, tuple[int, ...]]
) -> tuple[int, ...]:
    """The buffers a group's tangent matrix may be a view of: only ``+ c`` / ``- c`` pass one on."""
    slot = _passed_tangent(group.step)  # the template's operands are its slots 0, 1
    if slot is None:
        return ()
    gather = group.gathers[slot]
    kind, source = gather.kind, gather.source  # type: ignore[attr-defined]
    if kind == "one":
        return tangent_of.get(source, ())
    if kind == "rows":
        return matrix_tangent.get(source, ())
    return ()  # stacked rows are a copy


def _drop(nodes: tuple[int, ...]) -> LineStep:
    """A step that lets go of arrays nothing reads any more (buffers need no such step)."""

    def drop(vals: Values, tans: Values, bufs: Buffers, nodes: tuple[int, ...] = nodes) -> None:
        for j in nodes:
            vals[j] = tans[j] = 0.0

    return drop


def _passed_tangent(step: _Step) -> int | None:
    """The operand whose tangent ``step`` passes on unchanged (x + c), if any."""
    if step.op.name in ("add", "sub") and step.varying != (True, True):
        a, b = step.operands
        if step.varying[0]:
            return a
        if step.op.name == "add":
            return b
    return None


def _general(step: _Step) -> LineStep:
    kernel = step.kernel

    def general(vals: Values, tans: Values, bufs: Buffers, step: _Step = step) -> None:
        kernel(step, vals, tans)

    return general


def _binary_add(step: _Step, ov: int, ot: int) -> LineStep:
    n, (a, b), (va, vb) = step.node, step.operands, step.varying
    if va and vb:

        def both(vals: Values, tans: Values, bufs: Buffers, n: int = n, a: int = a, b: int = b, ov: int = ov,
                 ot: int = ot, add: np.ufunc = _add) -> None:  # fmt: skip
            vals[n] = add(vals[a], vals[b], bufs[ov])
            tans[n] = add(tans[a], tans[b], bufs[ot])

        return both
    moving = a if va else b

    def one(vals: Values, tans: Values, bufs: Buffers, n: int = n, a: int = a, b: int = b, ov: int = ov,
            m: int = moving, add: np.ufunc = _add) -> None:  # fmt: skip
        vals[n] = add(vals[a], vals[b], bufs[ov])
        tans[n] = tans[m]

    return one


def _binary_sub(step: _Step, ov: int, ot: int) -> LineStep:
    n, (a, b), (va, vb) = step.node, step.operands, step.varying
    if va and vb:

        def both(vals: Values, tans: Values, bufs: Buffers, n: int = n, a: int = a, b: int = b, ov: int = ov,
                 ot: int = ot, sub: np.ufunc = _sub) -> None:  # fmt: skip
            vals[n] = sub(vals[a], vals[b], bufs[ov])
            tans[n] = sub(tans[a], tans[b], bufs[ot])

        return both
    if va:

        def left(vals: Values, tans: Values, bufs: Buffers, n: int = n, a: int = a, b: int = b, ov: int = ov,
                 sub: np.ufunc = _sub) -> None:  # fmt: skip
            vals[n] = sub(vals[a], vals[b], bufs[ov])
            tans[n] = tans[a]

        return left

    def right(vals: Values, tans: Values, bufs: Buffers, n: int = n, a: int = a, b: int = b, ov: int = ov,
              ot: int = ot, sub: np.ufunc = _sub, neg: np.ufunc = _neg) -> None:  # fmt: skip
        vals[n] = sub(vals[a], vals[b], bufs[ov])
        tans[n] = neg(tans[b], bufs[ot])

    return right


def _binary_mul(step: _Step, ov: int, ot: int) -> LineStep:
    n, (a, b), (va, vb) = step.node, step.operands, step.varying
    if va and vb:

        def both(vals: Values, tans: Values, bufs: Buffers, n: int = n, a: int = a, b: int = b, ov: int = ov,
                 ot: int = ot, mul: np.ufunc = _mul, add: np.ufunc = _add) -> None:  # fmt: skip
            value_a, value_b = vals[a], vals[b]
            vals[n] = mul(value_a, value_b, bufs[ov])
            tangent = mul(tans[a], value_b, bufs[ot])
            tans[n] = add(tangent, mul(value_a, tans[b], bufs[SCRATCH]), tangent)

        return both
    if va:

        def left(vals: Values, tans: Values, bufs: Buffers, n: int = n, a: int = a, b: int = b, ov: int = ov,
                 ot: int = ot, mul: np.ufunc = _mul) -> None:  # fmt: skip
            value_b = vals[b]
            vals[n] = mul(vals[a], value_b, bufs[ov])
            tans[n] = mul(tans[a], value_b, bufs[ot])

        return left

    def right(vals: Values, tans: Values, bufs: Buffers, n: int = n, a: int = a, b: int = b, ov: int = ov,
              ot: int = ot, mul: np.ufunc = _mul) -> None:  # fmt: skip
        value_a = vals[a]
        vals[n] = mul(value_a, vals[b], bufs[ov])
        tans[n] = mul(value_a, tans[b], bufs[ot])

    return right


def _unary_neg(step: _Step, ov: int, ot: int) -> LineStep:
    def run(vals: Values, tans: Values, bufs: Buffers, n: int = step.node, a: int = step.operands[0],
            ov: int = ov, ot: int = ot, neg: np.ufunc = _neg) -> None:  # fmt: skip
        vals[n] = neg(vals[a], bufs[ov])
        tans[n] = neg(tans[a], bufs[ot])

    return run


def _guarded(out: np.ndarray, value: np.ndarray, zero: np.ndarray, scratch: np.ndarray) -> None:
    """``out + 0·value`` in place: NaN where the operand was ±inf (or NaN)."""
    _add(out, _mul(zero, value, scratch), out)


def _unary_tanh(step: _Step, ov: int, ot: int) -> LineStep:
    guard = step.guard

    def run(vals: Values, tans: Values, bufs: Buffers, n: int = step.node, a: int = step.operands[0],
            ov: int = ov, ot: int = ot, tanh: np.ufunc = _tanh, mul: np.ufunc = _mul,
            sub: np.ufunc = _sub) -> None:  # fmt: skip
        value = vals[a]
        out = tanh(value, bufs[ov])
        if guard:
            _guarded(out, value, vals[ZERO], bufs[SCRATCH])  # type: ignore[arg-type]
        vals[n] = out
        slope = mul(out, out, bufs[ot])
        sub(vals[ONE], slope, slope)
        tans[n] = mul(slope, tans[a], slope)

    return run


def _unary_sigmoid(step: _Step, ov: int, ot: int) -> LineStep:
    guard = step.guard

    def run(vals: Values, tans: Values, bufs: Buffers, n: int = step.node, a: int = step.operands[0],
            ov: int = ov, ot: int = ot, neg: np.ufunc = _neg, exp: np.ufunc = _exp, add: np.ufunc = _add,
            div: np.ufunc = _div, sub: np.ufunc = _sub, mul: np.ufunc = _mul) -> None:  # fmt: skip
        value, one = vals[a], vals[ONE]
        out = neg(value, bufs[ov])
        exp(out, out)
        add(out, one, out)
        div(one, out, out)
        if guard:
            _guarded(out, value, vals[ZERO], bufs[SCRATCH])  # type: ignore[arg-type]
        vals[n] = out
        slope = sub(one, out, bufs[ot])
        mul(slope, out, slope)
        tans[n] = mul(slope, tans[a], slope)

    return run


def _unary_exp(step: _Step, ov: int, ot: int) -> LineStep:
    guard = step.guard

    def run(vals: Values, tans: Values, bufs: Buffers, n: int = step.node, a: int = step.operands[0],
            ov: int = ov, ot: int = ot, exp: np.ufunc = _exp, mul: np.ufunc = _mul,
            add: np.ufunc = _add) -> None:  # fmt: skip
        value, zero, scratch = vals[a], vals[ZERO], bufs[SCRATCH]
        out = exp(value, bufs[ov])
        add(out, mul(out, zero, scratch), out)  # ±inf -> NaN, as _poison does
        if guard:
            _guarded(out, value, zero, scratch)  # type: ignore[arg-type]
        vals[n] = out
        tans[n] = mul(out, tans[a], bufs[ot])

    return run


def _unary_sin(step: _Step, ov: int, ot: int) -> LineStep:
    def run(vals: Values, tans: Values, bufs: Buffers, n: int = step.node, a: int = step.operands[0],
            ov: int = ov, ot: int = ot, sin: np.ufunc = _sin, cos: np.ufunc = _cos,
            mul: np.ufunc = _mul) -> None:  # fmt: skip
        value = vals[a]
        vals[n] = sin(value, bufs[ov])
        slope = cos(value, bufs[ot])
        tans[n] = mul(slope, tans[a], slope)

    return run


def _unary_cos(step: _Step, ov: int, ot: int) -> LineStep:
    def run(vals: Values, tans: Values, bufs: Buffers, n: int = step.node, a: int = step.operands[0],
            ov: int = ov, ot: int = ot, sin: np.ufunc = _sin, cos: np.ufunc = _cos, neg: np.ufunc = _neg,
            mul: np.ufunc = _mul) -> None:  # fmt: skip
        value = vals[a]
        vals[n] = cos(value, bufs[ov])
        slope = sin(value, bufs[ot])
        neg(slope, slope)
        tans[n] = mul(slope, tans[a], slope)

    return run


def _unary_relu(step: _Step, ov: int, ot: int) -> LineStep:
    def run(vals: Values, tans: Values, bufs: Buffers, n: int = step.node, a: int = step.operands[0],
            ov: int = ov, ot: int = ot, top: np.ufunc = _max, gt: np.ufunc = _gt,
            mul: np.ufunc = _mul) -> None:  # fmt: skip
        value, zero = vals[a], vals[ZERO]
        vals[n] = top(value, zero, out=bufs[ov])  # maximum: out by keyword (NumPy 2.4)
        # A product, not np.where: 0 × NaN must stay NaN as in the point evaluation.
        tans[n] = mul(gt(value, zero), tans[a], bufs[ot])

    return run


_MAKERS: dict[str, Callable[[_Step, int, int], LineStep]] = {
    "add": _binary_add,
    "sub": _binary_sub,
    "mul": _binary_mul,
    "neg": _unary_neg,
    "tanh": _unary_tanh,
    "sigmoid": _unary_sigmoid,
    "exp": _unary_exp,
    "sin": _unary_sin,
    "cos": _unary_cos,
    "relu": _unary_relu,  # not when guarded (rare): the general kernel
}
