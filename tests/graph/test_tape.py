"""The vectorised sweep: every kernel against the point evaluation, and its edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

import explorer.graph.tape as tape
from explorer.graph.engine import evaluate
from explorer.graph.model import Graph, GraphError
from explorer.graph.ops import OPS
from explorer.graph.tape import sweep

from .strategies import COMPUTED_OPS, Builder, compare_sweep

# Domain edges, kinks, integers and fractions: where kernels and scalar forms could part.
GRID = np.array([-3.0, -2.0, -1.5, -1.0, -0.5, -1e-300, 0.0, 1e-300, 0.5, 1.0, 1.5, 2.0, 3.0, 40.0, -40.0])
CONSTANTS = [-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 2.5, 3.0]
UNARY = [op for op in COMPUTED_OPS if OPS[op].arity == 1]
BINARY = [op for op in COMPUTED_OPS if OPS[op].arity == 2]


def test_h_of_x_curve_and_slope() -> None:
    b = Builder()
    x = b.input("x", 3.0)
    s = b.op("add", b.op("mul", b.const(2.0), x), b.const(1.0))
    b.op("pow", s, b.const(2.0))
    xs = np.linspace(-3.0, 3.0, 61)
    ys, dys = sweep(b.graph, "x", xs)
    assert np.array_equal(ys, (2 * xs + 1) ** 2)
    assert np.array_equal(dys, 4 * (2 * xs + 1))


@pytest.mark.parametrize("op", UNARY)
def test_unary_kernel_matches_point_evaluation(op: str) -> None:
    b = Builder()
    x = b.input("x", 0.0)
    inner = b.op(op, x)
    b.op(op, b.op("mul", inner, b.const(1.5)))  # composed, so tangents are not all 1
    assert compare_sweep(b.graph, "x", GRID) > 0


@pytest.mark.parametrize("op", BINARY)
@pytest.mark.parametrize("c", CONSTANTS)
def test_binary_kernel_matches_point_evaluation(op: str, c: float) -> None:
    # x in either slot, in both, and beside a function of x: every varying pattern.
    for shape in ("x_c", "c_x", "x_x", "x_fx"):
        b = Builder()
        x = b.input("x", 0.0)
        k = b.const(c)
        operands = {"x_c": (x, k), "c_x": (k, x), "x_x": (x, x), "x_fx": (x, b.op("add", b.op("sin", x), k))}
        b.op(op, *operands[shape])
        compare_sweep(b.graph, "x", GRID)


def test_division_by_a_constant_zero_does_not_raise() -> None:
    b = Builder()
    x = b.input("x", 1.0)
    b.op("div", x, b.const(0.0))
    ys, dys = sweep(b.graph, "x", [-1.0, 0.0, 1.0])
    assert np.isnan(ys).all() and np.isnan(dys).all()


def test_sigmoid_keeps_relative_precision_far_left() -> None:
    b = Builder()
    x = b.input("x", 0.0)
    b.op("log", b.op("sigmoid", x))  # log σ(x) ≈ x for x ≪ 0
    xs = np.array([-20.0, -40.0, -700.0])
    ys, dys = sweep(b.graph, "x", xs)
    exact = -np.log1p(np.exp(-xs))
    assert ys == pytest.approx(exact, rel=1e-14)
    assert dys == pytest.approx(1.0 - 1.0 / (1.0 + np.exp(-xs)), rel=1e-12)


def test_undefined_slope_is_not_masked_by_relu() -> None:
    b = Builder()
    x = b.input("x", 0.0)
    b.op("relu", b.op("sub", b.op("sqrt", x), b.const(5.0)))  # sqrt'(0) undefined, relu off
    _, dys = sweep(b.graph, "x", [0.0, 1.0])
    assert math.isnan(dys[0]) and dys[1] == 0.0
    assert math.isnan(evaluate(b.graph)["x"].grad)


@pytest.mark.parametrize("absorber", ["tanh", "sigmoid", "exp", "relu", "recip", "pow_neg"])
def test_overflow_upstream_stays_undefined(absorber: str) -> None:
    # x·x overflows to ±inf at 1e200; tanh(inf) = 1, exp(-inf) = 0, 1/inf = 0 ... would
    # look like ordinary numbers. The point evaluation says "overflow"; so must the sweep.
    b = Builder()
    x = b.input("x", 1e200)
    big = b.op("neg", b.op("mul", x, x))
    if absorber == "recip":
        b.op("div", b.const(1.0), big)
    elif absorber == "pow_neg":
        b.op("pow", big, b.const(-1.0))
    else:
        b.op(absorber, big)
    xs = [1e200, 2.0]
    ys, dys = sweep(b.graph, "x", xs)
    for k, xv in enumerate(xs):
        ev = evaluate(b.graph, {"x": xv})
        assert (math.isnan(ys[k]), math.isnan(dys[k])) == (math.isnan(ev.value), math.isnan(ev["x"].grad))
    assert math.isnan(ys[0]) and not math.isnan(ys[1])


def test_overflow_at_the_output_is_undefined() -> None:
    b = Builder()
    x = b.input("x", 1.0)
    b.op("mul", x, b.const(1e200))
    ys, dys = sweep(b.graph, "x", [1e200, 1.0])
    assert math.isnan(ys[0]) and math.isnan(dys[0])
    assert (ys[1], dys[1]) == (1e200, 1e200)


@pytest.mark.parametrize(("base", "exponent"), [("nan", "x"), ("one", "nan_of_x")])
def test_pow_never_makes_a_number_from_an_undefined_operand(base: str, exponent: str) -> None:
    # IEEE: pow(NaN, 0) = 1 and pow(1, NaN) = 1; the engine says undefined for both.
    b = Builder()
    x = b.input("x", 0.0)
    nodes = {
        "nan": b.op("log", b.const(-1.0)),
        "one": b.const(1.0),
        "x": x,
        "nan_of_x": b.op("log", b.op("sub", x, b.const(5.0))),
    }
    b.op("pow", nodes[base], nodes[exponent])
    ys, _ = sweep(b.graph, "x", [0.0, 1.0])
    assert np.isnan(ys).all()
    assert math.isnan(evaluate(b.graph).value)


def test_output_that_does_not_depend_on_x() -> None:
    b = Builder()
    b.input("x", 0.0)
    y = b.input("y", 2.0)
    b.op("exp", y)
    ys, dys = sweep(b.graph, "x", [0.0, 1.0, 2.0])
    assert list(ys) == [math.exp(2.0)] * 3 and list(dys) == [0.0] * 3
    b.graph.set_value(y, 1000.0)  # exp overflows: a flat *undefined* line
    ys, dys = sweep(b.graph, "x", [0.0, 1.0])
    assert np.isnan(ys).all() and np.isnan(dys).all()


def test_sweep_of_x_itself_and_of_other_outputs() -> None:
    b = Builder()
    x = b.input("x", 0.0)
    b.input("k", 3.0)
    sq = b.op("mul", x, x, name="sq")
    b.op("mul", sq, b.graph.find("k").id, name="y")
    xs = np.array([-1.0, 0.5, 2.0])
    ys, dys = sweep(b.graph, "x", xs, output="x")
    assert np.array_equal(ys, xs) and np.array_equal(dys, np.ones(3))
    ys, dys = sweep(b.graph, "x", xs, output="sq")
    assert np.array_equal(ys, xs * xs) and np.array_equal(dys, 2 * xs)
    ys, dys = sweep(b.graph, "x", xs, values={"k": -2.0})  # other inputs by name
    assert np.array_equal(ys, -2 * xs * xs) and np.array_equal(dys, -4 * xs)
    assert b.graph.find("k").value == 3.0
    ys, dys = sweep(b.graph, "x", np.array([]))
    assert ys.shape == dys.shape == (0,)


def test_sweep_refuses_bad_requests() -> None:
    b = Builder()
    b.input("x", 0.0)
    b.op("neg", b.graph.find("x").id, name="y")
    with pytest.raises(GraphError, match="not an input"):
        sweep(b.graph, "y", [0.0])
    with pytest.raises(GraphError, match="one-dimensional"):
        sweep(b.graph, "x", [[0.0, 1.0]])
    with pytest.raises(GraphError):
        sweep(b.graph, "nope", [0.0])
    with pytest.raises(GraphError):
        sweep(Graph(), "x", [0.0])


def test_tape_is_compiled_once_per_structure(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = tape._compile_tape

    def counting(graph: Graph, x: int, y: int) -> tape.Tape:
        calls.append(1)
        return real(graph, x, y)

    monkeypatch.setattr(tape, "_compile_tape", counting)
    b = Builder()
    x, k = b.input("x", 0.0), b.input("k", 2.0)
    b.op("mul", x, k)
    assert list(sweep(b.graph, "x", [1.0])[0]) == [2.0]
    b.graph.set_value(k, 5.0)  # dragging another input: new numbers, same tape
    assert list(sweep(b.graph, "x", [1.0])[0]) == [5.0]
    assert len(calls) == 1
    b.graph.set_op(b.graph.nodes[-1].id, "add")  # a structural edit recompiles
    assert list(sweep(b.graph, "x", [1.0])[0]) == [6.0]
    assert len(calls) == 2


# ------------------------------------------------------------------ batched layers
def tape_of(g: Graph) -> tape.Tape:
    return next(v for k, (_, v) in g._derived.items() if k.startswith("tape:"))


def tiny_mlp(width: int = 4, n_in: int = 3) -> Graph:
    """tanh(Σ w·x + b) neurons in two layers, weights as inputs, like micrograd's MLP."""
    b = Builder()
    layer = [b.input(f"x{i}", 0.3 * i - 0.2) for i in range(n_in)]
    for depth in range(2):
        nxt = []
        for j in range(width):
            acc = b.input(f"b{depth}{j}", 0.1 * j - 0.15)
            for k, src in enumerate(layer):
                w = b.input(f"w{depth}{j}{k}", 0.2 * ((j + 2 * k) % 5) - 0.4)
                acc = b.op("add", acc, b.op("mul", w, src))
            nxt.append(b.op("tanh", acc))
        layer = nxt
    total = layer[0]
    for node in layer[1:]:
        total = b.op("add", total, node)
    b.graph.set_output(total)
    return b.graph


def test_a_layer_is_one_call_and_matches_point_evaluation() -> None:
    g = tiny_mlp()
    assert compare_sweep(g, "x0", np.linspace(-3, 3, 9)) == 18
    units = tape_of(g).units
    groups = [u for u in units if isinstance(u, tape._Group)]
    assert {u.step.op.name for u in groups} == {"add", "mul", "tanh"}
    # the second layer's products read the first layer's tanh matrix, no copying
    kinds = {(u.step.op.name, gth.kind) for u in groups for gth in u.gathers}
    assert ("mul", "rows") in kinds and ("mul", "const") in kinds and ("add", "rows") in kinds
    # every weight of the second layer is an input too: sweeping it is a different tape
    compare_sweep(g, "w100", np.linspace(-1, 1, 5))


@pytest.mark.parametrize("how", ["one", "stack", "picked rows", "strided rows"])
def test_every_way_a_batch_reads_its_operands(how: str) -> None:
    b = Builder()
    x = b.input("x", 0.5)
    first = [b.op("sin", b.op("mul", x, b.const(0.5 + k))) for k in range(4)]  # a group of 4 rows
    others = [b.op("tanh", b.op("add", x, b.const(float(k)))) for k in range(2)]  # a second group
    if how == "one":
        srcs = [x] * 4
    elif how == "stack":
        srcs = [first[0], others[0], first[2], others[1]]  # rows of two different groups
    elif how == "picked rows":
        srcs = [first[2], first[0], first[3], first[1]]
    else:
        srcs = [first[0], first[2]] * 2
    layer = [b.op("mul", s, b.op("cos", x)) for s in srcs]
    total = layer[0]
    for node in layer[1:]:
        total = b.op("add", total, node)
    compare_sweep(b.graph, "x", np.linspace(-2, 2, 9))
    kinds = [gth.kind for u in tape_of(b.graph).units if isinstance(u, tape._Group) for gth in u.gathers]
    expected = {"one": "one", "stack": "stack", "picked rows": "rows", "strided rows": "rows"}[how]
    assert expected in kinds


def test_batched_guard_and_domain_edges() -> None:
    # a layer of tanh over products that overflow at x = 1e200, and of logs that leave
    # their domain: NaN exactly where the point evaluation says undefined
    b = Builder()
    x = b.input("x", 1.0)
    prods = [b.op("mul", x, b.const(10.0**k)) for k in (0, 100, 200)]
    squashed = [b.op("tanh", b.op("mul", p, x)) for p in prods]
    logs = [b.op("log", b.op("add", x, b.const(float(k)))) for k in (0, 1, 2)]
    total = squashed[0]
    for node in [*squashed[1:], *logs]:
        total = b.op("add", total, node)
    xs = np.array([-1.5, -0.5, 0.5, 1e200])
    ys, dys = sweep(b.graph, "x", xs)
    for k, xv in enumerate(xs):
        ev = evaluate(b.graph, {"x": float(xv)})
        assert math.isnan(ys[k]) == math.isnan(ev.value) and math.isnan(dys[k]) == math.isnan(ev["x"].grad)
        if not math.isnan(ev.value):
            assert ys[k] == pytest.approx(ev.value, rel=1e-12)
            assert dys[k] == pytest.approx(ev["x"].grad, rel=1e-9)
    assert any(isinstance(u, tape._Group) and u.step.guard for u in tape_of(b.graph).units)
