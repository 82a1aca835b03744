"""Code export of graphs with functions: a Python function over Value for each, bit for bit."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings

from explorer.graph.engine import evaluate
from explorer.graph.model import Graph
from explorer.graph.parser import parse
from explorer.io.code_export import export_python, graph_block, program_text

from ..graph.function_helpers import lesson
from ..graph.test_function_properties import grouped
from .test_code_export import assert_matches_engine, run_scripts, same

LESSON = "x = 3; g(x) = 2*x + 1; f(z) = z**2; h = f(g(x))"


def test_each_function_is_a_python_function_over_value() -> None:
    assert program_text(parse(LESSON)) == (
        "@Value.function\ndef g(x):\n    return 2 * x + 1\n\n"
        "@Value.function\ndef f(z):\n    return z ** 2\n\n"
        "x = Value(3.0)\nh = f(g(x))\nh.backward()\n"
    )


def test_the_lesson_script_prints_49_and_28_and_parses_back_the_same(tmp_path: Path) -> None:
    graph = parse(LESSON)
    script = export_python(graph)
    ((name, value), inputs), *_ = run_scripts([script], tmp_path)
    assert (name, value, inputs) == ("h", 49.0, {"x": (3.0, 28.0)})
    assert parse(graph_block(script)) == graph


def test_nested_calls_repeated_arguments_identity_and_constant_bodies(tmp_path: Path) -> None:
    texts = [
        "sq(t) = t*t; dist(a, b) = sq(a - b) + sq(b); x = 0.7; y = -1.3; d = dist(x, y) * dist(x, x)",
        "ident(t) = t; three(t) = 3; x = 2.5; y = ident(x) * three(x) + ident(ident(x))",
        "lg(u) = log(u); x = -1; y = lg(x) + x",
        "k(a, b, c) = a*b + b*c + c*a; x = 0.1; y = 0.2; z = k(x, y, x) * k(y, y, y)",
    ]
    graphs = [parse(t) for t in texts]
    graphs.append(lesson(-0.25))
    printouts = run_scripts([export_python(g) for g in graphs], tmp_path)
    for graph, printout in zip(graphs, printouts, strict=True):
        assert_matches_engine(graph, tmp_path, printout)
        again = parse(graph_block(export_python(graph)))
        assert same(evaluate(again).value, evaluate(graph).value)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(case=grouped())
def test_grouped_random_graphs_agree_with_the_engine_bit_for_bit(
    tmp_path_factory: object, case: tuple[Graph, Graph, list[str]]
) -> None:
    _flat, graph, _chosen = case
    tmp = Path(tmp_path_factory.mktemp("fx"))  # type: ignore[attr-defined]
    (printout,) = run_scripts([export_python(graph)], tmp)
    assert_matches_engine(graph, tmp, printout)
    again = parse(graph_block(export_python(graph)))
    ev, ev2 = evaluate(graph), evaluate(again)
    assert same(ev.value, ev2.value)
    for node in graph.inputs():
        assert same(ev.grad_of(node.id), ev2.grad_of(again.find(node.name).id))
