"""User-defined functions: the model, the engine's inline compile and local derivatives."""

from __future__ import annotations

import math

import numpy as np
import pytest

from explorer.graph.engine import evaluate, finite_difference
from explorer.graph.functions import (
    MAX_FUNCTION_DEPTH,
    Function,
    FunctionError,
    flatten,
    group,
    op_of,
    ungroup,
)
from explorer.graph.model import Edge, Graph, GraphError
from explorer.graph.tape import sweep

from .function_helpers import body, f_function, flat_lesson, g_function, lesson


def test_lesson_values_gradients_and_true_local_derivatives() -> None:
    ev = evaluate(lesson())
    assert ev.value == 49.0
    assert (ev["g"].value, ev["h"].value) == (7.0, 49.0)
    assert (ev["x"].grad, ev["g"].grad, ev["h"].grad) == (28.0, 14.0, 1.0)
    # Edges into a function carry its local derivative, found from the body: dg/dx = 2, df/dg = 2·7.
    assert ev.local_of(Edge("x", "g", 0)) == 2.0
    assert ev.local_of(Edge("g", "h", 0)) == 14.0
    assert ev.contribution_of(Edge("x", "g", 0)) == 28.0


def test_trace_steps_through_each_function_as_one_step() -> None:
    steps = evaluate(lesson()).trace.steps
    assert [type(s).__name__ for s in steps] == [
        "ForwardStep",
        "ForwardStep",
        "SeedStep",
        "BackwardStep",
        "BackwardStep",
    ]
    last = steps[-1]
    # dh/dx = df/dg × dg/dx = 14 × 2 = 28
    assert (last.upstream, last.local, last.contribution) == (14.0, 2.0, 28.0)


def test_inside_a_call_values_gradients_and_locals_match_the_flat_graph() -> None:
    ev, flat = evaluate(lesson()), evaluate(flat_lesson())
    nodes, locals_ = ev.inside("g")
    assert nodes["m"] == flat["m"] and nodes["s"] == flat["g"] and nodes["p_x"] == flat["x"]
    assert locals_[Edge("p_x", "m", 1)] == 2.0
    f_nodes, _ = ev.inside("h")
    assert f_nodes["sq"] == flat["h"] and f_nodes["p_z"] == flat["g"]
    with pytest.raises(GraphError, match="not a function call"):
        ev.inside("x")


def test_values_are_bit_identical_to_the_flat_graph_and_sweeps_too() -> None:
    xs = np.linspace(-3, 3, 101)
    for x in (-2.5, 0.0, 0.1, 3.0):
        assert evaluate(lesson(x))["h"] == evaluate(flat_lesson(x))["h"]
    y1, d1 = sweep(lesson(), "x", xs)
    y2, d2 = sweep(flat_lesson(), "x", xs)
    assert np.array_equal(y1, y2) and np.array_equal(d1, d2)
    assert np.array_equal(d1, 4 * (2 * xs + 1))


def test_forward_mode_and_finite_differences_agree() -> None:
    graph = lesson()
    ev = evaluate(graph)
    assert ev.tangents("x") == {"x": 1.0, "g": 2.0, "h": 28.0}
    assert finite_difference(graph, "x") == pytest.approx(28.0, rel=1e-8)


def nested() -> Graph:
    """k(a, b) = g(a) · f(b); out = k(x, x) + k(y, 2): calls inside a body, a repeated argument."""
    graph = Graph()
    g, f = g_function(), f_function()
    graph.add_function(g)
    graph.add_function(f)
    kb = Graph()
    kb.add_node("input", "a", 1.0, node_id="a")
    kb.add_node("input", "b", 1.0, node_id="b")
    kb.add_call(g, node_id="ga")
    kb.add_call(f, node_id="fb")
    kb.add_node("mul", node_id="prod")
    kb.connect("a", "ga", 0)
    kb.connect("b", "fb", 0)
    kb.connect("ga", "prod", 0)
    kb.connect("fb", "prod", 1)
    kb.set_output("prod")
    k = Function("k", ["a", "b"], kb)
    graph.add_function(k)
    assert k.depth == 2 and k.callees == {"g", "f"}
    graph.add_node("input", "x", 0.5, node_id="x")
    graph.add_node("input", "y", -1.5, node_id="y")
    graph.add_node("const", value=2.0, node_id="c")
    graph.add_call(k, node_id="k1")
    graph.add_call(k, node_id="k2")
    graph.add_node("add", "out", node_id="out")
    for s, t, slot in [
        ("x", "k1", 0),
        ("x", "k1", 1),
        ("y", "k2", 0),
        ("c", "k2", 1),
        ("k1", "out", 0),
        ("k2", "out", 1),
    ]:
        graph.connect(s, t, slot)
    graph.set_output("out")
    return graph


def test_nested_calls_and_repeated_arguments() -> None:
    graph = nested()
    ev = evaluate(graph)
    x, y = 0.5, -1.5
    assert ev.value == (2 * x + 1) * x**2 + (2 * y + 1) * 4.0
    # dk/da and dk/db are separate locals even though both operands are x.
    assert ev.local_of(Edge("x", "k1", 0)) == 2 * x**2
    assert ev.local_of(Edge("x", "k1", 1)) == (2 * x + 1) * 2 * x
    assert ev["x"].grad == pytest.approx(2 * x**2 + (2 * x + 1) * 2 * x, rel=1e-15)
    assert ev["y"].grad == 8.0
    flat, _where = flatten(graph)
    fev = evaluate(flat)
    assert fev.value == ev.value and fev["x"].grad == pytest.approx(ev["x"].grad, rel=1e-14)
    # Inside an inner call: d(out)/d(node) through both levels.
    inner, _ = ev.inside("k1/ga")
    assert inner["s"].value == 2 * x + 1 and inner["s"].grad == pytest.approx(x**2)
    xs = np.linspace(-2, 2, 41)
    for a, b in zip(sweep(graph, "x", xs), sweep(flat, "x", xs), strict=True):
        assert np.array_equal(a, b)


def test_identity_and_constant_functions() -> None:
    graph = Graph()
    ident = Function("ident", ["t"], body(["t"], "q const 0"))  # placeholder, replaced below
    b = Graph()
    b.add_node("input", "t", 1.0, node_id="t")
    b.set_output("t")
    ident = Function("ident", ["t"], b)
    three = Function("three", ["t"], body(["t"], "q const 3"))
    graph.add_function(ident)
    graph.add_function(three)
    graph.add_node("input", "x", 5.0, node_id="x")
    graph.add_call(ident, node_id="i")
    graph.add_call(three, node_id="t3")
    graph.add_node("mul", "y", node_id="y")
    graph.connect("x", "i", 0)
    graph.connect("x", "t3", 0)
    graph.connect("i", "y", 0)
    graph.connect("t3", "y", 1)
    ev = evaluate(graph)
    assert (ev["i"].value, ev["t3"].value, ev.value) == (5.0, 3.0, 15.0)
    assert ev.local_of(Edge("x", "i", 0)) == 1.0 and ev.local_of(Edge("x", "t3", 0)) == 0.0
    assert ev["x"].grad == 3.0
    ys, ds = sweep(graph, "x", np.array([1.0, 2.0]))
    assert list(ys) == [3.0, 6.0] and list(ds) == [3.0, 3.0]


def test_a_domain_problem_inside_a_body_names_the_call_and_the_body_node() -> None:
    graph = Graph()
    lg = Function("lg", ["u"], body(["u"], "l log p_u"))
    graph.add_function(lg)
    graph.add_node("input", "x", -1.0, node_id="x")
    graph.add_call(lg, "y", node_id="y")
    graph.connect("x", "y", 0)
    ev = evaluate(graph)
    assert math.isnan(ev.value)
    (diag,) = ev.diagnostics
    assert diag.node_id == "y" and "inside lg" in diag.message and "log" in diag.message


def test_an_unconnected_call_is_undefined_and_named() -> None:
    graph = Graph()
    graph.add_function(g_function())
    graph.add_call(graph.function("g"), "y", node_id="y")
    ev = evaluate(graph)
    assert math.isnan(ev["y"].value)
    assert [d.kind for d in ev.diagnostics] == ["missing"]


def test_model_refusals_name_the_function() -> None:
    graph = Graph()
    with pytest.raises(FunctionError, match="recursion"):
        b = Graph()
        b.add_node("input", "x", 1.0, node_id="x")
        b.add_call(g_function().__class__("r", ["x"], body(["x"], "n neg p_x")), node_id="r")
        b.connect("x", "r", 0)
        b.set_output("r")
        Function("r", ["x"], b)
    with pytest.raises(FunctionError, match="unknown function 'g'"):
        b = Graph()
        b.add_node("input", "x", 1.0, node_id="x")
        b.add_call(g_function(), node_id="c")
        b.connect("x", "c", 0)
        b.set_output("c")
        graph.add_function(Function("uses_g", ["x"], b))
    with pytest.raises(FunctionError, match="'y' is not a parameter"):
        Function("bad", ["x"], body(["x", "y"], "n neg p_y"))
    with pytest.raises(FunctionError, match="no output"):
        b = Graph()
        b.add_node("input", "x", 1.0)
        Function("bad", ["x"], b)
    with pytest.raises(FunctionError, match="is reserved"):
        Function("exp", ["x"], body(["x"], "n neg p_x"))
    graph.add_function(g_function())
    with pytest.raises(GraphError, match="already defined"):
        graph.add_function(g_function())
    graph.add_node("input", "x", 1.0, node_id="x")
    graph.add_call(graph.function("g"), node_id="c")
    with pytest.raises(GraphError, match="still used"):
        graph.remove_function("g")
    with pytest.raises(GraphError, match="function call cannot change its op"):
        graph.set_op("c", "neg")
    with pytest.raises(GraphError, match="unknown function 'f'"):
        graph.add_call(f_function())


def test_ten_thousand_nested_definitions_are_refused_quickly() -> None:
    graph = Graph()
    previous = Function("f0", ["x"], body(["x"], "n neg p_x"))
    graph.add_function(previous)
    with pytest.raises(FunctionError, match=f"more than {MAX_FUNCTION_DEPTH} deep"):
        for k in range(1, 10_000):
            b = Graph()
            b.add_node("input", "x", 1.0, node_id="x")
            b.add_call(previous, node_id="c")
            b.connect("x", "c", 0)
            b.set_output("c")
            previous = Function(f"f{k}", ["x"], b)
            graph.add_function(previous)
    assert len(graph.functions) == MAX_FUNCTION_DEPTH


def test_doubling_definitions_are_refused_before_they_explode() -> None:
    graph = Graph()
    previous = Function("f0", ["x"], body(["x"], "n neg p_x"))
    graph.add_function(previous)
    with pytest.raises(FunctionError, match="expands to more than"):
        for k in range(1, 60):
            b = Graph()
            b.add_node("input", "x", 1.0, node_id="x")
            b.add_call(previous, node_id="c1")
            b.add_call(previous, node_id="c2")
            b.add_node("add", node_id="s")
            b.connect("x", "c1", 0)
            b.connect("c1", "c2", 0)
            b.connect("c2", "s", 0)
            b.connect("x", "s", 1)
            b.set_output("s")
            previous = Function(f"f{k}", ["x"], b)
            graph.add_function(previous)


def test_op_of_a_call_names_its_parameters() -> None:
    graph = lesson()
    op = op_of(graph, graph.node("g"))
    assert (op.arity, op.symbol, op.operand_names) == (1, "g", ("x",))
    assert op_of(graph, graph.node("x")).name == "input"


def test_group_then_ungroup_restores_the_lesson() -> None:
    flat = flat_lesson()
    grouped = group(flat, ["two", "m", "one", "g"], "g_fn")
    (fn,) = grouped.functions
    assert fn.parameters == ("x",) and grouped.node("g").op == "call" and grouped.node("g").name == "g"
    assert evaluate(grouped)["x"] == evaluate(flat)["x"]
    assert evaluate(grouped).local_of(Edge("x", "g", 0)) == 2.0
    back = ungroup(grouped, "g")
    assert back == flat
    assert group(flat, ["m", "g", "h"], "whole").node("h").op == "call"
    flat.add_node("neg", "k", node_id="k")
    flat.connect("m", "k", 0)
    with pytest.raises(FunctionError, match="one output"):
        group(flat, ["m", "g"], "bad")
    flat.add_node("neg", "k2", node_id="k2")
    flat.connect("h", "k2", 0)
    with pytest.raises(FunctionError, match="'k2' does not feed the function's output 'g'"):
        group(flat, ["g", "k2"], "bad")


def test_copy_and_equality_include_functions() -> None:
    graph = lesson()
    other = graph.copy()
    assert other == graph and other.functions == graph.functions
    assert other != flat_lesson()


def test_sweeps_follow_values_changed_after_the_first_sweep() -> None:
    graph = parse_lesson_with_a_second_input()
    xs = np.array([0.0, 1.0, 2.0])
    sweep(graph, "x", xs)
    graph.set_value(graph.find("y").id, 5.0)
    graph.set_value(graph.find("k").id, 3.0)
    const = next(n for n in graph if n.op == "const")  # the 1 of the outer sum
    graph.set_value(const.id, 0.0)
    ys, ds = sweep(graph, "x", xs)
    assert list(ys) == [5.0 * 3.0 * (2 * x + 1) ** 2 for x in xs]
    assert list(ds) == [5.0 * 3.0 * 4 * (2 * x + 1) for x in xs]


def parse_lesson_with_a_second_input() -> Graph:
    from explorer.graph.parser import parse

    return parse("x = 1; y = 2; k = 1; g(x) = 2*x + 1; f(z) = z**2; h = f(g(x)) * y * k + 1")
