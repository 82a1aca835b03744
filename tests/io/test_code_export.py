"""Tests for explorer.io.code_export: the exported script runs alone and agrees with the app.

Every exported script is run by a fresh interpreter (``sys.executable``, a subprocess), and
its printout is compared *bit for bit* with the engine: with ``chain-explorer eval --json``
for the bundled examples, with :func:`explorer.graph.engine.evaluate` for random graphs,
every op at domain edges, and graphs built so that a careless script would add gradient
terms in another order. The graph block is parsed back with Build from expression's parser
and compared structurally with the original, and for the lesson it is checked against
the text a person would write.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from explorer.graph.engine import evaluate
from explorer.graph.model import Graph
from explorer.graph.ops import OPS
from explorer.graph.parser import parse
from explorer.io.code_export import (
    GRAPH_BEGIN,
    GRAPH_END,
    CodeExportError,
    export_python,
    graph_block,
    program_text,
)
from explorer.io.format import load

from ..graph.strategies import graphs

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "resources" / "examples").glob("*.json"))


# ------------------------------------------------------------------------------ helpers
Printout = tuple[tuple[str, float], dict[str, tuple[float, float]]]
_SEPARATOR = "=" * 12


def run_script(text: str, tmp_path: Path) -> Printout:
    """Run an exported script in a fresh interpreter; (output name, value), {input: (value, grad)}."""
    return run_scripts([text], tmp_path)[0]


def run_scripts(texts: list[str], tmp_path: Path) -> list[Printout]:
    """Run several scripts one after the other in *one* fresh interpreter (each one defines
    its own Value class and report, so they do not share anything that matters)."""
    path = tmp_path / "exported.py"
    path.write_text("".join(f"{t}\nprint({_SEPARATOR!r})\n" for t in texts), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-I", str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    chunks = done.stdout.split(_SEPARATOR + "\n")
    assert chunks[-1] == "" and len(chunks) == len(texts) + 1
    return [_read_printout(chunk) for chunk in chunks[:-1]]


def _read_printout(text: str) -> Printout:
    first, *rest = text.splitlines()
    out_name, out_value = first.rsplit(" = ", 1)
    inputs = {}
    for line in rest:
        left, right = line.split("    d", 1)
        name, value = left.rsplit(" = ", 1)
        assert right.startswith(f"{out_name}/d{name} = ")
        inputs[name] = (_number(value), _number(right.rsplit(" = ", 1)[1]))
    return (out_name, _number(out_value)), inputs


def _number(text: str) -> float:
    return math.nan if text == "undefined" else float(text)


def same(a: float | None, b: float | None) -> bool:
    """Bit-for-bit equal floats (NaN and None both meaning "undefined"), signed zeros apart."""
    a = math.nan if a is None else a
    b = math.nan if b is None else b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def assert_matches_engine(graph: Graph, tmp_path: Path, printout: Printout | None = None) -> None:
    (out_name, out_value), inputs = printout or run_script(export_python(graph), tmp_path)
    ev = evaluate(graph)
    assert ev.output is not None
    out = graph.node(ev.output)
    assert out_name == (out.name or out_name)
    assert same(out_value, ev.value)
    assert len(inputs) == len(graph.inputs())
    for node in graph.inputs():
        value, grad = inputs[node.name]
        assert same(value, node.value), node.name
        assert same(grad, ev.grad_of(node.id)), (node.name, grad, ev.grad_of(node.id))


def canonical(graph: Graph) -> tuple[Counter[tuple[object, ...]], tuple[object, ...]]:
    """The graph up to node ids: a multiset of computed nodes described by what they read.

    Constants are described by their value only (code writes them as numbers), and names
    the export had to make up (``_t3``) count as no name, so the comparison is "the same
    computation with the same names".
    """
    key: dict[str, tuple[object, ...]] = {}
    for nid in graph.topological_order():
        node = graph.node(nid)
        name = "" if re.fullmatch(r"_t\d+", node.name) else node.name  # made up by the export
        if node.op == "const":
            key[nid] = ("const", node.value)
        elif node.op == "input":
            key[nid] = ("input", name, node.value)
        else:
            key[nid] = (node.op, name, *(key[s] for s in node.operands if s is not None))
    computed = Counter(key[n.id] for n in graph if n.op != "const")
    out = graph.default_output()
    assert out is not None
    return computed, key[out]


def assert_round_trips(graph: Graph) -> Graph:
    script = export_python(graph)
    again = parse(graph_block(script))
    assert canonical(again) == canonical(graph)
    ev, ev2 = evaluate(graph), evaluate(again)
    for node in graph.inputs():
        assert same(ev.grad_of(node.id), ev2.grad_of(again.find(node.name).id))
    assert same(ev.value, ev2.value)
    return again


# ------------------------------------------------------------------------------ the lesson
def test_lesson_block_reads_like_the_lesson() -> None:
    graph = load(EXAMPLES[[p.stem for p in EXAMPLES].index("lesson_loss")])
    assert program_text(graph) == (
        "a = Value(2.0)\nb = Value(3.0)\nc = a * b\nd = c + 1\nloss = d ** 2\nloss.backward()\n"
    )
    h = load(EXAMPLES[[p.stem for p in EXAMPLES].index("lesson_h")])
    assert program_text(h) == (
        "@Value.function\ndef g(x):\n    return 2 * x + 1\n\n"
        "@Value.function\ndef f(z):\n    return z ** 2\n\n"
        "x = Value(3.0)\nh = f(g(x))\nh.backward()\n"
    )


def test_lesson_script_prints_42_and_28(tmp_path: Path) -> None:
    graph = load(EXAMPLES[[p.stem for p in EXAMPLES].index("lesson_loss")])
    (name, value), inputs = run_script(export_python(graph), tmp_path)
    # Hand-derived: c = 6, d = 7, loss = 49; dloss/dd = 14, dloss/da = 14·b = 42, dloss/db = 14·a = 28.
    assert (name, value) == ("loss", 49.0)
    assert inputs == {"a": (2.0, 42.0), "b": (3.0, 28.0)}


def test_script_layout_has_the_class_the_markers_and_a_report() -> None:
    graph = load(EXAMPLES[0])
    graph.title, graph.description = "My graph", "Line one\nLine two"
    script = export_python(graph)
    lines = script.splitlines()
    assert lines[0] == "#!/usr/bin/env python3"
    assert "# My graph" in lines and "# Line one" in lines and "# Line two" in lines
    assert "class Value:" in lines
    assert lines.count(GRAPH_BEGIN) == 1 and lines.count(GRAPH_END) == 1
    assert lines.index(GRAPH_BEGIN) > lines.index("class Value:")
    assert "import" not in graph_block(script)
    assert script.endswith("\n")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_match_chain_explorer_eval_json(path: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "explorer", "eval", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    reference = json.loads(done.stdout)
    (name, value), inputs = run_script(export_python(load(path)), tmp_path)
    assert name == reference["output"]
    assert same(value, reference["value"])
    expected = {n["name"]: (n["value"], n["grad"]) for n in reference["nodes"] if n["op"] == "input"}
    assert inputs.keys() == expected.keys()
    for key, (v, g) in expected.items():
        assert same(inputs[key][0], v) and same(inputs[key][1], g), key


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_round_trip_through_build_from_expression(path: Path) -> None:
    assert_round_trips(load(path))


# ------------------------------------------------------------------------------ random graphs
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(graph=graphs(max_ops=12, max_inputs=3, max_consts=2))
def test_random_graphs_agree_with_the_engine_bit_for_bit(graph: Graph, tmp_path: Path) -> None:
    assert_matches_engine(graph, tmp_path)


@settings(max_examples=150, deadline=None)
@given(graph=graphs(max_ops=14))
def test_random_graphs_round_trip(graph: Graph) -> None:
    assert_round_trips(graph)


# ------------------------------------------------------------------------------ every op, every edge
_EDGES = {
    1: [-2.0, -1.0, -0.0, 0.0, 0.5, 1.0, 2.5, 800.0],
    2: [(-8.0, 1 / 3), (-2.0, 3.0), (0.0, -1.0), (0.0, 0.0), (0.0, 2.0), (2.0, 0.0), (3.0, 0.0),
        (1e200, 1e200), (2.0, 1100.0), (-1.5, 2.5), (4.0, 0.5)],
}  # fmt: skip


def _op_cases() -> list[tuple[str, tuple[float, ...]]]:
    cases: list[tuple[str, tuple[float, ...]]] = []
    for name, op in sorted(OPS.items()):
        if op.arity == 1:
            cases += [(name, (a,)) for a in _EDGES[1]]
        elif op.arity == 2:
            cases += [(name, pair) for pair in _EDGES[2]]
    return cases


def _one_op_graph(op: str, operands: tuple[float, ...]) -> Graph:
    g = Graph()
    ids = [g.add_node("input", f"x{k}", v).id for k, v in enumerate(operands)]
    node = g.add_node(op, "y")
    for slot, nid in enumerate(ids):
        g.connect(nid, node.id, slot)
    top = g.add_node("mul", "z")  # one more op, so an undefined local derivative travels on
    g.connect(node.id, top.id, 0)
    g.connect(ids[0], top.id, 1)
    g.set_output(top.id)
    return g


def test_every_op_at_its_domain_edges(tmp_path: Path) -> None:
    """One script per op and operand pair, including undefined values and derivatives."""
    cases = [_one_op_graph(op, operands) for op, operands in _op_cases()]
    printouts = run_scripts([export_python(g) for g in cases], tmp_path)
    for graph, printout in zip(cases, printouts, strict=True):
        assert_matches_engine(graph, tmp_path, printout)
    undefined = sum(math.isnan(evaluate(g).grad_of(g.find("x0").id)) for g in cases)
    assert undefined >= 10  # the edges really were met


def test_undefined_output_prints_undefined_everywhere(tmp_path: Path) -> None:
    graph = parse("a = -1.0; b = 2.0; c = b * 3; y = a.log() + c")
    (_name, value), inputs = run_script(export_python(graph), tmp_path)
    assert math.isnan(value)
    assert all(math.isnan(g) for _v, g in inputs.values())
    assert set(inputs) == {"a", "b"}


# ------------------------------------------------------------------------------ writing expressions
@pytest.mark.parametrize(
    "text",
    [
        "y = (-x) ** 2",
        "y = -(x ** 2)",
        "y = x ** 2 ** x",
        "y = (x ** 2) ** x",
        "y = x - (x - 1)",
        "y = (x - x) - 1",
        "y = x / (x / 3)",
        "y = x * (x * x)",
        "y = 2 ** -x",
        "y = (-3) ** x",
        "y = -3 * x",
        "y = x * -3",
        "y = (x + 1).tanh().exp() * (x * 2).relu()",
        "y = -(x + 1)",
        "y = --x",
        "y = Value(2) * 3 + x",
        "y = Value(2).exp() + -Value(2) + x",
        "y = x * 1e-300 + 1e+300 * x",
        "y = x ** 0.5 - x ** -0.5 + x * -0.0",
        "y = ((((x + 1) * 2 - 3) / 4) ** 2).sigmoid().sin().cos().abs().sqrt().log()",
    ],
)
def test_expressions_are_written_so_that_they_parse_back_the_same(text: str, tmp_path: Path) -> None:
    graph = parse("x = Value(1.25)\n" + text)
    again = assert_round_trips(graph)
    assert [n.name for n in again if n.name] == ["x", "y"]  # nothing needed a made-up name
    assert_matches_engine(graph, tmp_path)


def test_constants_are_plain_numbers_and_exact() -> None:
    graph = parse("x = Value(0.1)\ny = x * 0.1 + 3 - (-0.0) * x + 1e16 * x")
    block = program_text(graph)
    assert "x = Value(0.1)" in block
    assert "x * 0.1 + 3 - -0.0 * x + 1e+16 * x" in block


# ------------------------------------------------------------------------------ names
def test_awkward_names_get_python_names_and_keep_their_labels(tmp_path: Path) -> None:
    g = Graph()
    a = g.add_node("input", "rate 1", 2.0)
    b = g.add_node("input", "print", 3.0)
    c = g.add_node("input", "", 4.0)  # unnamed
    d = g.add_node("input", "2x", 5.0)
    e = g.add_node("input", "_t1", 6.0)  # would clash with a made-up name
    f = g.add_node("input", "lambda", 0.5)
    s1 = g.add_node("mul", "sum")
    s2 = g.add_node("add")
    s3 = g.add_node("add")
    s4 = g.add_node("mul", "Value")
    out = g.add_node("add", "result")
    for src, dst, slot in [
        (a, s1, 0), (b, s1, 1), (c, s2, 0), (d, s2, 1), (s1, s3, 0), (s2, s3, 1),
        (s3, s4, 0), (e, s4, 1), (s4, out, 0), (f, out, 1),
    ]:  # fmt: skip
        g.connect(src.id, dst.id, slot)
    g.set_output(out.id)
    script = export_python(g)
    block = graph_block(script)
    assert "rate_1 = Value(2.0, label='rate 1')" in block
    assert "print_ = Value(3.0, label='print')" in block
    assert "_2x = Value(5.0, label='2x')" in block
    assert "lambda_ = Value(0.5, label='lambda')" in block
    assert "_t1 = Value(6.0)" in block
    assert "sum_ = rate_1 * print_" in block
    assert "Value_ = " in block
    (_name, _value), inputs = run_script(script, tmp_path)
    assert set(inputs) == {"rate 1", "print", "2x", "_t1", "lambda", "_t2"}
    ev = evaluate(g)
    assert same(inputs["_t2"][1], ev.grad_of(c.id))
    assert same(inputs["rate 1"][1], ev.grad_of(a.id))
    again = parse(block)
    assert again.find("rate_1").value == 2.0 and again.find("result").op == "add"


def test_unnamed_shared_and_dangling_nodes_get_names_and_unused_inputs_are_kept(tmp_path: Path) -> None:
    g = parse("x = Value(2.0); w = Value(9.0); s = x.sin(); y = s * s + x")
    s = g.find("s")
    g.rename(s.id, "")  # now unnamed but used twice: it needs a name in code
    g.add_node("const", "k", 5.0)  # a dangling constant: no code needed
    lone = g.add_node("exp")
    g.connect(g.find("x").id, lone.id, 0)  # a second sink, not the output
    block = program_text(g)
    assert "_t1 = x.sin()" in block and "y = _t1 * _t1 + x" in block
    assert "_t2 = x.exp()" in block
    assert block.splitlines()[-1] == "y.backward()"
    (name, _v), inputs = run_script(export_python(g), tmp_path)
    assert name == "y" and inputs["w"] == (9.0, 0.0)
    again = parse(block)
    assert again.node(again.output or "").name == "y"


def test_output_can_be_an_input_or_chosen_explicitly(tmp_path: Path) -> None:
    g = parse("x = Value(2.0); y = x * x; z = y + 1")
    (name, value), inputs = run_script(export_python(g, output="y"), tmp_path)
    assert (name, value, inputs["x"]) == ("y", 4.0, (2.0, 4.0))
    g.set_output(g.find("x").id)
    (name, value), inputs = run_script(export_python(g), tmp_path)
    assert (name, value, inputs["x"]) == ("x", 2.0, (2.0, 1.0))


# ------------------------------------------------------------------------------ refusals and scale
def test_half_built_and_empty_graphs_are_refused_with_a_reason() -> None:
    g = parse("x = Value(2.0); y = x * 3")
    z = g.add_node("mul", "z")
    g.connect(g.find("y").id, z.id, 0)
    g.set_output(z.id)
    with pytest.raises(CodeExportError, match=r"operand 2 of 'z' \(mul\) is not connected"):
        export_python(g)
    with pytest.raises(CodeExportError, match="empty"):
        export_python(Graph())


def test_graph_block_of_text_without_markers_is_empty() -> None:
    assert graph_block("x = 1\n") == ""
    assert graph_block(f"{GRAPH_END}\n{GRAPH_BEGIN}\nx = 1\n") == ""


def test_terms_are_added_in_the_engines_order(tmp_path: Path) -> None:
    """x0 feeds five operand slots; written naively, the script would create x0 + x0 last
    among them and add its terms in another order. It must get a line of its own."""
    g = Graph()
    x = g.add_node("input", "x0", 2.0665311091502883).id  # here the order shows in the last bit
    n = {}
    for key, op, operands in [
        ("n2", "add", [x, x]), ("n3", "sin", [x]), ("n4", "sub", [x, "n3"]), ("n5", "mul", ["n4", "n3"]),
        ("n6", "add", ["n4", "n5"]), ("n7", "add", ["n2", "n6"]), ("n8", "sub", [x, "n6"]),
        ("n9", "sub", ["n7", "n4"]),
    ]:  # fmt: skip
        n[key] = g.add_node(op).id
        for slot, src in enumerate(operands):
            g.connect(n.get(src, src), n[key], slot)
    g.set_output(n["n9"])
    assert_matches_engine(g, tmp_path)
    assert "_t1 = x0 + x0" in program_text(g).splitlines()[1]
    assert_round_trips(g)


def test_a_long_chain_runs_without_recursion_and_parses_back(tmp_path: Path) -> None:
    text = "x = Value(0.5)\ny = " + " + ".join(["x"] * 3000)
    g = parse(text)
    assert len(g) == 3000
    script = export_python(g)
    (_name, value), inputs = run_script(script, tmp_path)
    assert value == evaluate(g).value and inputs["x"] == (0.5, 3000.0)
    deep = "x = Value(0.5)\ny = " + "(" * 40 + "x" + ".tanh() + 1)" * 40
    g2 = parse(deep)
    assert_matches_engine(g2, tmp_path)
    again = assert_round_trips(g2)
    assert max(len(line) for line in program_text(g2).splitlines()) < 400
    assert len(again) == len(g2)
