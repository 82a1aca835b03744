"""Programs that define functions: ``g(x) = 2*x + 1; f(z) = z**2; h = f(g(x))``."""

from __future__ import annotations

import pytest

from explorer.graph.engine import evaluate
from explorer.graph.model import Edge
from explorer.graph.parser import ParseError, parse

LESSON = "x = 3; g(x) = 2*x + 1; f(z) = z**2; h = f(g(x))"


def test_the_lesson_composition_parses_into_two_functions() -> None:
    graph = parse(LESSON)
    assert [f.signature for f in graph.functions] == ["g(x)", "f(z)"]
    calls = [n for n in graph if n.op == "call"]
    assert [(n.function, n.name) for n in calls] == [("g", "g"), ("f", "h")]
    ev = evaluate(graph)
    assert ev.value == 49.0 and ev["x"].grad == 28.0
    assert (ev["g"].value, ev["g"].grad, ev["h"].grad) == (7.0, 14.0, 1.0)
    assert ev.local_of(Edge(graph.find("x").id, graph.find("g").id, 0)) == 2.0
    # The body is the lesson's g: 2·x + 1 with x a parameter.
    g_body = graph.function("g").body
    assert sorted(n.op for n in g_body) == ["add", "const", "const", "input", "mul"]


def test_lesson_typography_and_newlines_work_in_definitions() -> None:
    graph = parse("x = 3\ng(x) = 2x + 1\nf(z) = z²\nh = f(g(x))")
    assert evaluate(graph).value == 49.0


def test_free_names_outside_functions_become_inputs() -> None:
    graph = parse("g(x) = 2*x + 1; f(z) = z**2; h = f(g(x))")
    assert graph.find("x").op == "input"
    assert evaluate(graph, {"x": 3.0})["x"].grad == 28.0


def test_functions_call_functions_and_take_several_parameters() -> None:
    graph = parse("sq(t) = t*t; dist(a, b) = sq(a - b); d = dist(5, 2)")
    assert graph.function("dist").callees == {"sq"}
    assert evaluate(graph).value == 9.0


def test_a_lone_definition_is_still_the_whole_graph() -> None:
    graph = parse("h(x) = (2x+1)²")
    assert not graph.functions and graph.find("h").op == "pow"


REFUSALS = [
    ("g(x) = 2*x; h = k(1)", 1, 17, "unknown function 'k'"),
    ("g(x) = 2*x; h = g(1, 2)", 1, 22, "g() takes 1 argument (2 given)"),
    ("g(a, b) = a*b; h = g(1)", 1, 20, "g() takes 2 arguments (1 given)"),
    ("g(x) = 2*x; f(z) = z*x; h = f(1)", 1, 22, "'x' is a parameter of g, not of f"),
    ("g(x) = 2*x + y; h = g(1)", 1, 14, "'y' is not a parameter of g"),
    ("g(x) = 2*x\ng(y) = y\nh = g(1)", 2, 1, "'g' is already defined on line 1"),
    ("g(x) = g(x); h = g(1)", 1, 8, "recursion is not supported"),
    ("g(x) = 2*x; g = 3", 1, 13, "'g' is a function and cannot name a value"),
    ("g(x) = 2*x; h = g", 1, 17, "'g' is a function; call it"),
    ("exp(x) = x; y = exp(1)", 1, 1, "built-in function"),
    ("g(x, x) = x; h = g(1, 1)", 1, 6, "'x' appears twice"),
    ("g() = 1; h = g()", 1, 1, "needs a parameter"),
    ("a = 2\ng(x) = a * x\nh = g(1)", 2, 8, "'a' is not a parameter of g"),
]


@pytest.mark.parametrize(("text", "line", "column", "message"), REFUSALS, ids=[r[3][:30] for r in REFUSALS])
def test_refusals_point_at_line_and_column(text: str, line: int, column: int, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert (info.value.line, info.value.column) == (line, column), str(info.value)
    assert message in info.value.message


def test_a_lambda_typed_by_the_user_is_still_refused() -> None:
    with pytest.raises(ParseError, match="lambda functions are not supported"):
        parse("x = 1; g = lambda t: t; y = x")


def test_thousands_of_nested_definitions_are_refused_with_a_line() -> None:
    # As many as fit in the 100,000 characters the parser reads.
    lines = ["f0(x)=-x", *(f"f{k}(x)=f{k - 1}(x)" for k in range(1, 5_000)), "y=f4999(1)"]
    text = "\n".join(lines)
    assert len(text) < 100_000
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.line == 101 and "nests calls more than 100 deep" in info.value.message
