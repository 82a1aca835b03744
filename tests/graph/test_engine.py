"""The point evaluation against hand-derived numbers, sympy and the domain rules.

Every expected number here was worked out by hand (the lesson's examples) or comes from
sympy's symbolic derivative evaluated exactly; the engine is never its own reference.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from explorer.graph.engine import (
    Diagnostic,
    compile_graph,
    evaluate,
    finite_difference,
    forward_tangents,
)
from explorer.graph.model import Edge, Graph, GraphError
from explorer.graph.tape import sweep

from .strategies import Builder, moderate, spread, tolerance

NAN = math.nan


def is_nan(v: float) -> bool:
    return isinstance(v, float) and math.isnan(v)


# ------------------------------------------------------------------ the lesson's examples
def lesson_h() -> tuple[Builder, dict[str, str]]:
    """h(x) = (2x + 1)**2 with x = 3."""
    b = Builder()
    ids = {"x": b.input("x", 3.0), "two": b.const(2.0, "two"), "one": b.const(1.0, "one")}
    ids["m"] = b.op("mul", ids["two"], ids["x"], name="m")
    ids["s"] = b.op("add", ids["m"], ids["one"], name="s")
    ids["p"] = b.const(2.0, "p")
    ids["h"] = b.op("pow", ids["s"], ids["p"], name="h")
    return b, ids


def lesson_loss() -> tuple[Builder, dict[str, str]]:
    """loss = (a*b + 1)**2 with a = 2, b = 3."""
    b = Builder()
    ids = {"a": b.input("a", 2.0), "b": b.input("b", 3.0)}
    ids["c"] = b.op("mul", ids["a"], ids["b"], name="c")
    ids["one"] = b.const(1.0, "one")
    ids["d"] = b.op("add", ids["c"], ids["one"], name="d")
    ids["two"] = b.const(2.0, "two")
    ids["loss"] = b.op("pow", ids["d"], ids["two"], name="loss")
    return b, ids


def test_h_of_x_value_and_derivative() -> None:
    b, ids = lesson_h()
    ev = evaluate(b.graph)
    assert ev.value == 49.0
    assert ev["x"].grad == 28.0  # dh/dx = 2(2x+1)·2 = 28
    assert ev.value_of(ids["s"]) == 7.0
    # 1 -> 14 -> 28 flowing back: upstream × local = contribution on each edge.
    assert ev.local_of(Edge(ids["s"], ids["h"], 0)) == 14.0
    assert ev.contribution_of(Edge(ids["s"], ids["h"], 0)) == 14.0
    assert ev.contribution_of(Edge(ids["m"], ids["s"], 0)) == 14.0
    assert ev.local_of(Edge(ids["x"], ids["m"], 1)) == 2.0
    assert ev.contribution_of(Edge(ids["x"], ids["m"], 1)) == 28.0
    assert ev.diagnostics == []


def test_loss_example_values_and_every_gradient() -> None:
    b, ids = lesson_loss()
    ev = evaluate(b.graph)
    assert ev.value == 49.0
    assert (ev["c"].value, ev["d"].value) == (6.0, 7.0)
    assert ev["a"].grad == 42.0  # 2·7·b
    assert ev["b"].grad == 28.0  # 2·7·a
    assert ev["d"].grad == 14.0
    assert ev["c"].grad == 14.0
    assert ev["loss"].grad == 1.0
    assert ev.locals[Edge(ids["a"], ids["c"], 0)] == 3.0
    assert ev.locals[Edge(ids["b"], ids["c"], 1)] == 2.0
    assert ev.contributions[Edge(ids["a"], ids["c"], 0)] == 42.0
    assert ev.values == {ids[k]: v for k, v in {"a": 2, "b": 3, "c": 6, "one": 1, "d": 7, "two": 2,
                                                "loss": 49}.items()}  # fmt: skip
    assert ev.grads[ids["b"]] == 28.0


def test_fan_out_sums_the_contributions_of_every_path() -> None:
    # y = a*b + a: a reaches y along two paths, dy/da = b + 1.
    b = Builder()
    a, bb = b.input("a", 2.0), b.input("b", 3.0)
    p = b.op("mul", a, bb, name="p")
    y = b.op("add", p, a, name="y")
    ev = evaluate(b.graph)
    assert ev.value == 8.0
    assert ev.contribution_of(Edge(a, y, 1)) == 1.0
    assert ev.contribution_of(Edge(a, p, 0)) == 3.0
    assert ev["a"].grad == 4.0
    assert ev["b"].grad == 2.0


def test_same_node_twice_in_one_op() -> None:
    b = Builder()
    x = b.input("x", 3.0)
    y = b.op("mul", x, x, name="y")
    ev = evaluate(b.graph)
    assert ev.value == 9.0
    assert ev.local_of(Edge(x, y, 0)) == ev.local_of(Edge(x, y, 1)) == 3.0
    assert ev["x"].grad == 6.0
    assert ev.tangents("x")[y] == 6.0


def test_tanh_neuron_against_sympy() -> None:
    # micrograd's neuron: o = tanh(x1·w1 + x2·w2 + b)
    numbers = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}
    g = Builder()
    ids = {k: g.input(k, v) for k, v in numbers.items()}
    s1 = g.op("mul", ids["x1"], ids["w1"])
    s2 = g.op("mul", ids["x2"], ids["w2"])
    n = g.op("add", g.op("add", s1, s2), ids["b"], name="n")
    g.op("tanh", n, name="o")
    ev = evaluate(g.graph)

    sym = {k: sp.Symbol(k, real=True) for k in numbers}
    o = sp.tanh(sym["x1"] * sym["w1"] + sym["x2"] * sym["w2"] + sym["b"])
    at = {sym[k]: sp.Rational(v) for k, v in numbers.items()}
    assert ev.value == pytest.approx(float(o.subs(at).evalf(30)), rel=1e-14)
    for k in numbers:
        exact = float(sp.diff(o, sym[k]).subs(at).evalf(30))
        assert ev[k].grad == pytest.approx(exact, rel=1e-12, abs=1e-15), k
    assert ev["x1"].grad == pytest.approx(-1.5, rel=1e-6)
    assert ev["w1"].grad == pytest.approx(1.0, rel=1e-6)


# ------------------------------------------------------------------ random expressions vs sympy
SYMPY_UNARY = {
    "neg": lambda a: -a,
    "exp": sp.exp,
    "log": sp.log,
    "sqrt": sp.sqrt,
    "tanh": sp.tanh,
    "sigmoid": lambda a: 1 / (1 + sp.exp(-a)),
    "sin": sp.sin,
    "cos": sp.cos,
    "relu": lambda a: sp.Max(0, a),
    "abs": sp.Abs,
}
SYMPY_BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
}
LEAF = st.one_of(st.sampled_from(["x", "y"]), moderate(3.0).map(lambda v: round(v, 2)))
TREES = st.recursive(
    LEAF,
    lambda kids: st.one_of(
        st.tuples(st.sampled_from(sorted(SYMPY_UNARY)), kids),
        st.tuples(st.sampled_from(sorted(SYMPY_BINARY)), kids, kids),
    ),
    max_leaves=6,
)


def build(tree: object, b: Builder, inputs: dict[str, str]) -> str:
    """The expression as a graph, sharing one input node per name."""
    if isinstance(tree, str):
        return inputs[tree]
    if isinstance(tree, float):
        return b.const(tree)
    assert isinstance(tree, tuple)
    op, *kids = tree
    return b.op(op, *(build(k, b, inputs) for k in kids))


def symbolic(tree: object, sym: dict[str, sp.Symbol]) -> sp.Expr:
    """The same expression for sympy; numbers are the floats' exact values at 50 digits.

    (Exact rationals would be exact too, but sympy then tries to simplify powers of
    51-bit fractions by factoring, which can take minutes.)
    """
    if isinstance(tree, str):
        return sym[tree]
    if isinstance(tree, float):
        return sp.Float(tree, 50)
    assert isinstance(tree, tuple)
    op, *kids = tree
    table = SYMPY_UNARY if len(kids) == 1 else SYMPY_BINARY
    return table[op](*(symbolic(k, sym) for k in kids))


def real_number(expr: object) -> float | None:
    value = sp.N(expr, 30)
    if value.is_real and value.is_finite and abs(value) < 1e300:
        return float(value)
    return None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=TREES, xv=moderate(3.0), yv=moderate(3.0))
def test_random_expressions_match_sympy_diff(tree: object, xv: float, yv: float) -> None:
    note(repr(tree))
    b = Builder()
    inputs = {"x": b.input("x", xv), "y": b.input("y", yv)}
    sym = {"x": sp.Symbol("x", real=True), "y": sp.Symbol("y", real=True)}
    out = build(tree, b, inputs)
    if out in inputs.values():
        event("sympy: a bare input")
        return
    b.graph.set_output(out)
    ev = evaluate(b.graph)
    if not math.isfinite(ev.value):
        event("sympy: undefined in the engine")
        return
    # Built only now: sympy evaluates constant subtrees eagerly and refuses relu(sqrt(-1)).
    expr = symbolic(tree, sym)
    at = {sym["x"]: sp.Float(xv, 50), sym["y"]: sp.Float(yv, 50)}
    # relu/abs are differentiated as Heaviside/sign by sympy; at the kink itself
    # the engine's convention (0) is checked separately.
    kinks = [ev.value_of(n.operands[0]) for n in b.graph if n.op in {"relu", "abs"}]
    if 0.0 in kinks:
        event("sympy: at a kink")
        return
    exact_value = real_number(expr.subs(at))
    _, wobbled = spread(b.graph, {})
    if exact_value is not None:
        tol = tolerance(exact_value, [w.values[out] for w in wobbled])
        if tol is not None:
            assert abs(ev.value - exact_value) <= tol
    for name in ("x", "y"):
        grad = ev[name].grad
        exact = real_number(sp.diff(expr, sym[name]).subs(at))
        if exact is None or not math.isfinite(grad):
            continue
        tol = tolerance(exact, [w.grads[inputs[name]] for w in wobbled])
        if tol is not None:
            event("sympy: derivative compared")
            assert abs(grad - exact) <= tol, (name, grad, exact)


# ------------------------------------------------------------------ domain problems
DOMAIN_CASES = [
    # (label, op, x, second operand or None, kind, words in the message)
    ("log of zero", "log", 0.0, None, "domain", "log of a non-positive number"),
    ("log of a negative", "log", -1.0, None, "domain", "log of a non-positive number"),
    ("division by zero", "div", 0.0, "divisor", "domain", "division by zero"),
    ("sqrt of a negative", "sqrt", -1.0, None, "domain", "square root of a negative number"),
    ("negative base, fractional power", "pow", -2.0, 0.5, "domain", "negative base"),
    ("zero to a negative power", "pow", 0.0, -1.0, "domain", "zero to a negative power"),
    ("exp overflow", "exp", 1000.0, None, "overflow", "overflow"),
    ("product overflow", "mul", 1e200, 1e200, "overflow", "overflow"),
    ("power overflow", "pow", 10.0, 400.0, "overflow", "overflow"),
]


def domain_graph(op: str, x: float, second: float | str | None) -> tuple[Graph, dict[str, str]]:
    """x -> u = x·1 -> bad = op(u[, second]) -> down = tanh(bad) -> out = down·2."""
    b = Builder()
    ids = {"x": b.input("x", x)}
    ids["u"] = b.op("mul", ids["x"], b.const(1.0), name="u")
    if second is None:
        ids["bad"] = b.op(op, ids["u"], name="bad")
    elif second == "divisor":  # 1 / u
        ids["bad"] = b.op(op, b.const(1.0), ids["u"], name="bad")
    else:
        ids["bad"] = b.op(op, ids["u"], b.const(float(second)), name="bad")
    ids["down"] = b.op("tanh", ids["bad"], name="down")
    ids["out"] = b.op("mul", ids["down"], b.const(2.0), name="out")
    return b.graph, ids


@pytest.mark.parametrize(("label", "op", "x", "second", "kind", "words"), DOMAIN_CASES)
def test_domain_problem_is_a_diagnostic_and_undefined_downstream(
    label: str, op: str, x: float, second: float | str | None, kind: str, words: str
) -> None:
    g, ids = domain_graph(op, x, second)
    ev = evaluate(g)  # must not raise
    assert [(d.node_id, d.kind) for d in ev.diagnostics] == [(ids["bad"], kind)], ev.diagnostics
    message = ev.diagnostics[0].message
    assert "'bad'" in message and words in message and "\n" not in message
    assert ev.value_of(ids["x"]) == x and not is_nan(ev.value_of(ids["u"]))
    for name in ("bad", "down", "out"):
        assert is_nan(ev.value_of(ids[name])), name
    # Never a misleading number: every gradient through the undefined node is undefined.
    for name in ("x", "u", "bad", "down", "out"):
        assert is_nan(ev.grad_of(ids[name])), name
    assert is_nan(ev.tangents("x")[ids["out"]])
    trace = ev.trace
    assert all(is_nan(s.contribution) for s in trace.steps[trace.backward_start + 1 :])  # type: ignore[union-attr]
    ys, dys = sweep(g, "x", [x])
    assert is_nan(ys[0]) and is_nan(dys[0])
    finite_difference(g, "x")  # no exception


def test_unnamed_node_is_named_by_its_formula_in_the_message() -> None:
    b = Builder()
    x = b.input("x", -1.0)
    bad = b.op("log", x)
    ev = evaluate(b.graph)
    (d,) = ev.diagnostics
    assert d == Diagnostic(bad, "domain", "'log(x)' (log): log of a non-positive number (log(-1))")
    assert bad not in d.message  # never a bare id (issue 12 item 5)


def test_division_by_a_computed_zero() -> None:
    b = Builder()
    x = b.input("x", 2.0)
    zero = b.op("sub", x, x, name="zero")
    q = b.op("div", x, zero, name="q")
    ev = evaluate(b.graph)
    assert [d.node_id for d in ev.diagnostics] == [q]
    assert is_nan(ev.value) and is_nan(ev["x"].grad) and is_nan(ev["zero"].grad)


def test_missing_operand_is_a_diagnostic() -> None:
    b = Builder()
    x = b.input("x", 1.0)
    s = b.op("add", x, None, name="s")
    t = b.op("tanh", s, name="t")
    ev = evaluate(b.graph)
    assert [(d.node_id, d.kind) for d in ev.diagnostics] == [(s, "missing")]
    assert "'s'" in ev.diagnostics[0].message and "operand 2" in ev.diagnostics[0].message
    assert is_nan(ev.value_of(s)) and is_nan(ev.value_of(t))
    assert is_nan(ev["x"].grad)
    assert is_nan(ev.tangents("x")[t])
    ys, dys = sweep(b.graph, "x", [0.0, 1.0])
    assert np.isnan(ys).all() and np.isnan(dys).all()
    _ = ev.trace


def test_node_with_no_operand_connected_is_undefined_in_both_modes() -> None:
    b = Builder()
    b.input("x", 1.0)
    e = b.op("exp", name="e")
    b.graph.set_output(e)
    ev = evaluate(b.graph)
    assert [(d.node_id, d.kind) for d in ev.diagnostics] == [(e, "missing")]
    assert is_nan(ev.value) and is_nan(ev["x"].grad) and is_nan(ev.tangents("x")[e])


@pytest.mark.parametrize("op", ["relu", "abs"])
def test_relu_and_abs_have_slope_zero_at_zero(op: str) -> None:
    b = Builder()
    x = b.input("x", 0.0)
    y = b.op(op, x)
    ev = evaluate(b.graph)
    assert ev.value == 0.0 and ev["x"].grad == 0.0 and ev.diagnostics == []
    assert ev.tangents("x")[y] == 0.0
    _, dys = sweep(b.graph, "x", [-1.0, 0.0, 1.0])
    assert dys[1] == 0.0
    assert list(dys) == [0.0 if op == "relu" else -1.0, 0.0, 1.0]


def test_sqrt_at_zero_has_a_value_but_no_slope() -> None:
    b = Builder()
    x = b.input("x", 0.0)
    s = b.op("sqrt", x, name="s")
    ev = evaluate(b.graph)
    assert ev.value == 0.0
    assert is_nan(ev["x"].grad)
    assert [(d.node_id, d.kind) for d in ev.diagnostics] == [(s, "gradient")]
    assert "'s'" in ev.diagnostics[0].message


def test_undefined_slope_reaches_through_a_zero_upstream_gradient() -> None:
    # y = sqrt(relu(x)) at x = -1: relu passes back 0, but sqrt'(0) is undefined, and
    # 0 × undefined is undefined in both modes (and in the sweep).
    b = Builder()
    x = b.input("x", -1.0)
    y = b.op("sqrt", b.op("relu", x))
    ev = evaluate(b.graph)
    assert ev.value == 0.0
    assert is_nan(ev["x"].grad) and is_nan(ev.tangents("x")[y])
    assert is_nan(sweep(b.graph, "x", [-1.0])[1][0])


def test_pow_special_points() -> None:
    b = Builder()
    x = b.input("x", 0.0)
    zero, two, half = b.const(0.0), b.const(2.0), b.const(0.5)
    p0 = b.op("pow", x, zero, name="p0")  # x**0 = 1, slope 0 even at 0
    p2 = b.op("pow", x, two, name="p2")  # x**2, slope 0 at 0
    ph = b.op("pow", x, half, name="ph")  # sqrt: slope undefined at 0
    e = b.op("pow", two, x, name="e")  # 2**x, slope ln 2
    for out, value, grad in [(p0, 1.0, 0.0), (p2, 0.0, 0.0), (ph, 0.0, NAN), (e, 1.0, math.log(2))]:
        ev = evaluate(b.graph, output=out)
        assert ev.value == value
        assert (is_nan(grad) and is_nan(ev["x"].grad)) or ev["x"].grad == pytest.approx(grad, rel=1e-15)
    # negative base to an integer power is defined; d/d(exponent) is not
    ev = evaluate(b.graph, {"x": -3.0}, output=p2)
    assert ev.value == 9.0 and ev["x"].grad == -6.0


def test_exponent_of_a_negative_base_has_no_slope() -> None:
    b = Builder()
    base, k = b.input("base", -2.0), b.input("k", 2.0)
    p = b.op("pow", base, k, name="p")
    ev = evaluate(b.graph)
    assert ev.value == 4.0 and ev["base"].grad == -4.0
    assert is_nan(ev["k"].grad)
    assert [(d.node_id, d.kind) for d in ev.diagnostics] == [(p, "gradient")]
    assert "'p'" in ev.diagnostics[0].message and "undefined" in ev.diagnostics[0].message


def test_constant_subgraphs_get_no_gradient_diagnostics() -> None:
    b = Builder()
    x = b.input("x", 1.0)
    root = b.op("sqrt", b.const(0.0))  # sqrt(0): slope undefined, but nobody moves 0
    b.op("mul", x, root)
    ev = evaluate(b.graph)
    assert ev.diagnostics == []
    assert ev["x"].grad == 0.0


# ------------------------------------------------------------------ outputs, overrides, caching
def test_output_choice_and_value_overrides() -> None:
    b, ids = lesson_loss()
    g = b.graph
    ev = evaluate(g, {"a": -1.0, ids["b"]: 4.0}, output="d")
    assert ev.output == ids["d"] and ev.value == -3.0
    assert ev["a"].grad == 4.0 and ev["loss"].grad == 0.0  # not upstream of d
    assert g.find("a").value == 2.0  # overrides never touch the graph
    with pytest.raises(GraphError, match="not an input"):
        evaluate(g, {"c": 1.0})
    with pytest.raises(GraphError, match="finite"):
        evaluate(g, {"a": math.inf})
    with pytest.raises(GraphError, match="no node named"):
        evaluate(g, output="nope")
    with pytest.raises(GraphError, match="not an input"):
        forward_tangents(ev, "c")


def test_empty_graph_has_no_output() -> None:
    ev = evaluate(Graph())
    assert ev.output is None and is_nan(ev.value)
    assert len(ev.trace) == 0
    with pytest.raises(GraphError):
        sweep(Graph(), "x", [0.0])


def test_undefined_output_makes_every_gradient_undefined() -> None:
    b = Builder()
    b.input("x", 1.0)  # not read by the output at all
    y = b.input("y", -1.0)
    b.graph.set_output(b.op("log", y))
    ev = evaluate(b.graph)
    assert is_nan(ev["x"].grad) and is_nan(ev["y"].grad)
    assert is_nan(ev.tangents("x")[ev.output])  # type: ignore[index]
    assert is_nan(sweep(b.graph, "x", [1.0])[1][0])


def test_program_is_compiled_once_per_structure() -> None:
    b, ids = lesson_loss()
    g = b.graph
    first = compile_graph(g)
    g.set_value(ids["a"], 5.0)
    assert compile_graph(g) is first
    assert evaluate(g).value == 256.0  # (5·3 + 1)**2
    g.connect(ids["a"], g.add_node("neg").id, 0)
    assert compile_graph(g) is not first


def test_finite_difference_helper() -> None:
    b, _ = lesson_h()
    g = b.graph
    assert finite_difference(g, "x") == pytest.approx(28.0, rel=1e-8)
    assert finite_difference(g, "x", central=False) == pytest.approx(28.0, rel=1e-5)
    assert finite_difference(g, "x", {"x": 0.0}, h=1e-3) == pytest.approx(4.0, rel=1e-8)
    assert finite_difference(g, "x", output="m") == pytest.approx(2.0, rel=1e-8)
    with pytest.raises(GraphError):
        finite_difference(g, "two")


# ------------------------------------------------------------------ 10,000-node chains
N = 10_000


def chain(op: str, c: float, x0: float) -> tuple[Graph, list[str]]:
    b = Builder()
    prev = b.input("x", x0)
    k = b.const(c, "k")
    ids = [prev]
    for _ in range(N):
        prev = b.op(op, prev, k)
        ids.append(prev)
    return b.graph, ids


def test_ten_thousand_additions() -> None:
    g, ids = chain("add", 1.0, 0.5)
    ev = evaluate(g)
    assert ev.value == 0.5 + N
    assert ev["x"].grad == 1.0 and all(ev.grad_of(i) == 1.0 for i in ids)
    assert ev["k"].grad == float(N)  # one constant feeding every link: N paths
    assert ev.tangents("x")[ids[-1]] == 1.0
    trace = ev.trace
    assert trace.forward_count == N
    assert len(trace) == 2 * N + 1  # const edges are left out of the backward pass
    xs = np.linspace(-1.0, 1.0, 500)
    expected = xs.copy()
    for _ in range(N):
        expected += 1.0  # the same roundings, one addition at a time
    ys, dys = sweep(g, "x", xs)
    assert np.array_equal(ys, expected) and (dys == 1.0).all()
    assert ys == pytest.approx(xs + N, rel=1e-12)
    assert finite_difference(g, "x") == pytest.approx(1.0, rel=1e-6)


def test_ten_thousand_multiplications() -> None:
    g, ids = chain("mul", 1.0001, 2.0)
    ev = evaluate(g)
    growth = math.exp(N * math.log1p(1e-4))  # 1.0001**N ≈ e
    assert ev.value == pytest.approx(2.0 * growth, rel=1e-10)
    assert ev["x"].grad == pytest.approx(growth, rel=1e-10)
    assert ev.tangents("x")[ids[-1]] == pytest.approx(growth, rel=1e-10)
    ys, dys = sweep(g, "x", np.array([-1.0, 2.0]))
    assert ys == pytest.approx([-growth, 2 * growth], rel=1e-10)
    assert dys == pytest.approx([growth, growth], rel=1e-10)
    steps = ev.trace.steps
    assert len(steps) == 2 * N + 1
