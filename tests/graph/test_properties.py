"""Property tests of the engine on random graphs over every op.

Four claims, each against something the engine did not compute itself:

1. every input's gradient agrees with central finite differences wherever the function
   is smooth around the point;
2. reverse mode (``ev[x].grad``) equals forward mode (``ev.tangents(x)[out]``);
3. the vectorised ``sweep`` equals point-by-point ``evaluate`` (and both equal an
   independent reference implementation), NaN in the same places;
4. nothing ever raises, and every undefined value is explained by a diagnostic.

Tolerances follow the conditioning of each point (see ``strategies.tolerance``) rather
than a blanket number, so a tight 1e-9 holds where the maths is well posed.
"""

from __future__ import annotations

import math
import sys

import numpy as np
from hypothesis import HealthCheck, assume, event, given, note, settings
from hypothesis import strategies as st

from explorer.graph.engine import Evaluation, evaluate, finite_difference
from explorer.graph.model import Graph
from explorer.graph.tape import sweep

from .strategies import (
    COMPUTED_OPS,
    compare_sweep,
    describe,
    graphs,
    input_names,
    layered_graphs,
    moderate,
    reference,
)

EPS = sys.float_info.epsilon
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# Operand slots at which an op bends or blows up when the operand is 0.
SINGULAR_AT_ZERO = {"relu": 0, "abs": 0, "sqrt": 0, "log": 0, "div": 1, "pow": 0}


def near_singularity(graph: Graph, at: list[Evaluation]) -> bool:
    """Does an operand come within 1000 stencil widths of where its op is not smooth?

    ``at`` are evaluations across the finite-difference stencil. Inside such a region a
    difference quotient measures a chord, not the slope: sqrt((2x)²) at x = 1e-80 is
    |2x|, and (f(x+h) - f(x-h)) / 2h is 0 there for every small h.
    """
    for node in graph:
        slot = SINGULAR_AT_ZERO.get(node.op)
        src = node.operands[slot] if slot is not None else None
        if src is None:
            continue
        u = [e.value_of(src) for e in at]
        if any(math.isnan(v) for v in u):
            return True
        if min(abs(v) for v in u) <= 1e3 * (max(u) - min(u)):
            return True
    return False


def curved_within(at: dict[int, Evaluation]) -> bool:
    """Is some node far from linear across the stencil (``at[k]`` is at x + k·h)?

    A difference quotient is only a slope where every intermediate value is nearly
    linear over the step: sin(x/1e-22) moves through 1e16 periods between x - h and
    x + h, and its quotient is noise however tight fd(h) and fd(2h) happen to agree.
    Linear means the chord over ±h is half the chord over ±2h, up to rounding.
    """
    for i in range(len(at[0].value_list)):
        v = {k: e.value_list[i] for k, e in at.items()}
        chord1, chord2 = v[1] - v[-1], (v[2] - v[-2]) / 2
        floor = 1e3 * EPS * max(abs(u) for u in v.values())
        if not abs(chord1 - chord2) <= 1e-3 * abs(chord1) + floor:
            return True
    return False


def rounding(ev: Evaluation) -> float:
    """First-order bound on the output's rounding error: 8 eps × Σ |d out/d node · node|."""
    terms = [abs(g * v) for g, v in zip(ev.grad_list, ev.value_list, strict=True)]
    return 8 * EPS * math.fsum(t for t in terms if not math.isnan(t))


# ------------------------------------------------------------------ 1. finite differences
@FAST
@given(g=graphs())
def test_gradient_agrees_with_central_finite_differences(g: Graph) -> None:
    note(describe(g))
    ev = evaluate(g)
    assume(math.isfinite(ev.value))
    magnitudes = [abs(v) for v in ev.value_list if v == v and v != 0.0]
    if magnitudes and not 1e-100 < min(magnitudes) <= max(magnitudes) < 1e100:
        # Out there a local derivative like -y/u underflows to 0 (x/(x/1e-267)) and
        # takes its path with it, in any float implementation: not a check of the maths.
        event("fd: extreme magnitudes")
        return
    absolute = reference(g, absolute=True).grads
    for name in input_names(g):
        grad = ev[name].grad
        if not math.isfinite(grad):
            event("fd: gradient undefined")
            continue  # the engine says "undefined here" (checked in test_engine)
        x = g.find(name).value
        h = 1e-6 * max(1.0, abs(x))
        stencil = [evaluate(g, {name: x + k * h}) for k in (-2, -1, 1, 2)]
        if near_singularity(g, [*stencil, ev]):
            event("fd: a kink or singularity near the stencil")
            continue
        if curved_within(dict(zip((-2, -1, 1, 2, 0), [*stencil, ev], strict=True))):
            event("fd: some node curves within the stencil")
            continue
        # The rounding noise of the samples the difference quotient takes: each node's
        # rounding, times how much the output cares about it.
        noise = max(rounding(e) for e in stencil) / h
        fd1 = finite_difference(g, name)
        fd2 = finite_difference(g, name, h=2 * h)
        if not (math.isfinite(fd1) and math.isfinite(fd2)):
            event("fd: domain boundary inside the stencil")
            continue
        # fd2's truncation error is 4x fd1's and its noise half, so |fd1 - fd2| measures
        # how far fd1 itself can be trusted. Where it moves by more than 1e-3 (the step
        # spans a pole or a sharp bend, as sqrt near 0) the reference is unusable.
        if abs(fd1 - fd2) > 1e-3 * abs(fd1) + noise:
            event("fd: difference quotient unstable")
            continue
        event("fd: checked")
        # The gradient's own rounding: re-associating a sum of |path products| (x/x + x
        # near x = 0 sums ±1/x and loses the 1 entirely, in any float implementation).
        accumulation = 4 * len(g) * EPS * absolute[g.find(name).id]
        tol = 1e-4 * max(abs(grad), abs(fd1)) + abs(fd1 - fd2) + noise + accumulation + 1e-300
        assert abs(grad - fd1) <= tol, (name, x, grad, fd1, fd2)


# ------------------------------------------------------------------ 2. reverse == forward
@FAST
@given(g=graphs(allow_missing=True))
def test_reverse_mode_equals_forward_mode(g: Graph) -> None:
    note(describe(g))
    ev = evaluate(g)
    if ev.output is None:
        return
    absolute = reference(g, absolute=True).grads
    for name in input_names(g):
        reverse = ev[name].grad
        forward = ev.tangents(name)[ev.output]
        scale = absolute[g.find(name).id]
        if scale >= 1e100:
            # Products of locals near the float limit overflow in one association and
            # not the other (x/x at x = 1e-308: ±9e307·e is ±inf in reverse mode, while
            # forward mode cancels 9e307 - 9e307 first). Outside "sane" values.
            event("rev/fwd: path products beyond 1e100")
            continue
        # Same local derivatives, summed in another order: NaN exactly alike, numbers
        # within the rounding of re-associating a sum of |path products|.
        assert math.isnan(reverse) == math.isnan(forward), (name, reverse, forward)
        if not math.isnan(reverse):
            tol = 1e-9 * abs(reverse) + 4 * len(g) * EPS * scale
            assert abs(reverse - forward) <= tol, (name, reverse, forward)


# ------------------------------------------------------------------ 3. sweep == evaluate
GRID = np.concatenate([np.linspace(-3.0, 3.0, 13), [-1e-3, 0.25, 1.7]])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=graphs(), data=st.data())
def test_sweep_equals_point_evaluation(g: Graph, data: st.DataObject) -> None:
    note(describe(g))
    name = data.draw(st.sampled_from(input_names(g)), label="x")
    # Also checks every node's gradient against the independent reference.
    compared = compare_sweep(g, name, GRID)
    event(f"sweep: {min(compared // 8, 4) * 8}+ of {2 * len(GRID)} numbers compared")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=layered_graphs(), data=st.data())
def test_batched_sweep_equals_point_evaluation(g: Graph, data: st.DataObject) -> None:
    """Wide layers go through the sweep's batched path (one call per layer)."""
    note(describe(g))
    name = data.draw(st.sampled_from(input_names(g)), label="x")
    sweep(g, name, GRID[:1])
    tape = next(v for k, (_, v) in g._derived.items() if k.startswith("tape:"))
    event(f"sweep: {tape.groups} batched groups" if tape.groups < 3 else "sweep: 3+ batched groups")
    for unit in tape.units:
        for gather in getattr(unit, "gathers", ()):
            strided = gather.kind == "rows" and not isinstance(gather.rows, slice)
            event(f"sweep: a slot read as {'picked rows' if strided else gather.kind}")
    compare_sweep(g, name, GRID[::2])


# ------------------------------------------------------------------ 4. nothing raises
EDGY = st.one_of(
    moderate(3.0),
    moderate(800.0),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 709.0, 710.0, -745.0, 1e200, -1e200, 5e-324]),
)
EDGY_XS = np.array([-1e200, -710.0, -3.0, -1.0, -5e-324, 0.0, 5e-324, 0.5, 1.0, 3.0, 710.0, 1e200])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=graphs(values=EDGY, allow_missing=True, max_ops=12, max_depth=6))
def test_nothing_raises_and_every_undefined_value_is_explained(g: Graph) -> None:
    note(describe(g))
    ev = evaluate(g)
    _ = ev.trace
    for name in input_names(g):
        _ = ev.tangents(name)
        _ = finite_difference(g, name)
        ys, dys = sweep(g, name, EDGY_XS)
        assert not np.isinf(ys).any()
        assert np.isnan(dys[np.isnan(ys)]).all()

    blamed = {d.node_id for d in ev.diagnostics if d.kind in {"domain", "overflow"}}
    missing = {d.node_id for d in ev.diagnostics if d.kind == "missing"}
    for d in ev.diagnostics:
        assert g.display_name(d.node_id) in d.message, d
        assert "\n" not in d.message
    for node in g:
        v = ev.value_of(node.id)
        assert not math.isinf(v), node
        if node.is_leaf:
            assert v == node.value
            continue
        incomplete = None in node.operands
        assert (node.id in missing) == incomplete
        upstream_undefined = incomplete or any(math.isnan(ev.value_of(s)) for s in node.operands if s)
        # NaN exactly when an operand is undefined or this node is to blame, and blame
        # only where the operands were fine (the first undefined node on each path).
        assert math.isnan(v) == (upstream_undefined or node.id in blamed), node
        if node.id in blamed:
            assert not upstream_undefined, node
    if ev.output is not None and math.isnan(ev.value):
        assert all(math.isnan(gr) for gr in ev.grad_list)


def test_strategy_covers_every_computed_op() -> None:
    """A new op in the table is exercised by the properties without anyone listing it."""
    from explorer.graph.ops import OPS

    assert set(COMPUTED_OPS) == {n for n, op in OPS.items() if op.arity}
    assert len(COMPUTED_OPS) == 15
