"""Pure tests of how the narrative reads: formula labels for unnamed nodes, no repeated
``X = X`` in any narrative form, checked on the shipped lesson examples.

The full step list and narrative of each lesson example are printed (``pytest -s``) so a
person can read them; the assertions pin the exact lines a learner sees.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from explorer.animation.frames import Timeline
from explorer.animation.narration import chain_product, describe, step_summary
from explorer.animation.wording import LABEL_BUDGET, label, label_is_formula, operand_label
from explorer.graph.engine import evaluate
from explorer.graph.model import Graph
from explorer.graph.parser import parse
from explorer.io.format import load

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


def _example(name: str) -> Timeline:
    if name == "lesson_h_flat":  # the lesson's h before g and f became functions in lesson_h.json
        return Timeline(evaluate(parse("x = 3.0\nu = 2*x + 1\nh = u**2\n")))
    return Timeline(evaluate(load(EXAMPLES / f"{name}.json")))


def _lines(timeline: Timeline) -> list[str]:
    """Every sentence the learner can be shown for this graph, one per entry."""
    ev = timeline.evaluation
    out = [f"{k + 1}. {step_summary(timeline, k)}" for k in range(timeline.count)]
    for n in range(timeline.count + 1):
        narration = describe(timeline, n)
        out += [narration.title, narration.words.plain, *(line.plain for line in narration.numbers)]
    for nid in ev.program.ids:
        out += [line.plain for line in chain_product(ev, nid)]
    return out


def _labels(graph: Graph) -> dict[str, str]:
    return {n.id: label(graph, n.id) for n in graph.nodes if not n.is_leaf and not n.name}


# ------------------------------------------------------------------ formula labels
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(2*x + 1) ** 2", {"2·x", "2·x + 1"}),
        ("exp(z1) * c", {"exp(z1)"}),
        ("(c + 1) * (c - 1)", {"c + 1", "c − 1"}),
        ("x - (y + z)", {"y + z"}),  # the subtraction is the output, named "out"
        ("-(x + y) * z", {"x + y", "−(x + y)"}),
        ("x * y ** 3 + sqrt(x * y)", {"y³", "x·y³", "x·y", "√(x·y)"}),
        ("x / (y * z) + 1", {"y·z", "x/(y·z)"}),
        ("(x + 1) ** 0.5 + 1", {"x + 1", "(x + 1)^0.5"}),
    ],
)
def test_unnamed_nodes_are_called_by_their_formula(text: str, expected: set[str]) -> None:
    assert set(_labels(parse(text)).values()) == expected


def test_a_long_formula_falls_back_to_the_op_title_and_id() -> None:
    g = parse("tanh(exp(x*y + 3*z) - 1)")
    labels = _labels(g)
    assert sorted(labels.values()) == sorted(["x·y", "3·z", "x·y + 3·z", "exp(x·y + 3·z)", "Subtract n10"])
    assert all(len(t) <= LABEL_BUDGET for t in labels.values() if not t.startswith("Subtract"))
    assert label_is_formula(g, "n8") and not label_is_formula(g, "n10")


def test_a_long_chain_stays_cheap_and_short() -> None:
    # 5,000 nested exps: the formula gives up after a few levels instead of recursing to the bottom.
    g = Graph()
    prev = g.add_node("input", "x", 0.0).id
    for _ in range(5000):
        nxt = g.add_node("exp").id
        g.connect(prev, nxt, 0)
        prev = nxt
    assert label(g, prev) == f"Exponential {prev}"
    assert label(g, "n2") == "exp(x)" and label(g, "n3") == "exp(exp(x))"


def test_unconnected_operands_and_unnamed_inputs_fall_back() -> None:
    g = Graph()
    x = g.add_node("input", "", 1.0).id
    m = g.add_node("mul").id
    g.connect(x, m, 0)
    assert label(g, m) == f"Multiply {m}"  # slot 1 is empty: no formula to write
    assert label(g, x) == f"input {x}"


def test_operands_are_bracketed_only_where_precedence_needs_it() -> None:
    g = parse("(x + 1) * (x * 2) - (x - 1)")
    sub = g.node(g.output or "")
    mul, right = sub.operands
    assert mul is not None and right is not None
    plus, times = g.node(mul).operands
    assert plus is not None and times is not None
    assert label(g, mul) == "(x + 1)·x·2" and label(g, right) == "x − 1"
    assert operand_label(g, plus, "mul", 0) == "(x + 1)"  # + inside ×
    assert operand_label(g, times, "mul", 1) == "x·2"  # × inside × or +
    assert operand_label(g, times, "add", 1) == "x·2"
    assert operand_label(g, right, "sub", 1) == "(x − 1)"  # the right of −
    assert operand_label(g, right, "add", 1) == "x − 1"
    assert operand_label(g, right, "exp", 0) == "x − 1"  # a call brings its own brackets


# ------------------------------------------------------------------ the lesson examples
def test_lesson_h_with_functions_reads_like_the_composition() -> None:
    tl = _example("lesson_h")
    assert [step_summary(tl, k) for k in range(tl.count)] == [
        "g = g(x) = 7",
        "h = f(g) = 49",
        "dh/dh = 1",
        "dh/dg = 1 × 14 = 14",
        "dh/dx = 14 × 2 = 28",
    ]
    assert [line.plain for line in describe(tl, 5).numbers] == ["dh/dx = dh/dg × dg/dx = 14 × 2 = 28"]


def test_lesson_h_reads_with_the_formula_label() -> None:
    tl = _example("lesson_h_flat")
    lines = _lines(tl)
    print("\n".join(lines))
    assert [step_summary(tl, k) for k in range(tl.count)] == [
        "2·x = 2 × 3 = 6",
        "u = 2·x + 1 = 7",
        "h = u ** 2 = 49",
        "dh/dh = 1",
        "dh/du = 1 × 14 = 14",
        "dh/d(2·x) = 14 × 1 = 14",
        "dh/dx = 14 × 2 = 28",
    ]
    first = describe(tl, 1)
    assert first.title == "Forward pass, step 1 of 3: compute 2·x"
    assert first.words.plain == (
        "The values of 2 and x travel along the arrows into the Multiply node, which computes 2·x."
    )
    assert [line.plain for line in first.numbers] == ["2·x = 2 × 3 = 6"]
    assert [line.plain for line in describe(tl, 2).numbers] == ["u = 2·x + 1 = 6 + 1 = 7"]
    assert [line.plain for line in describe(tl, 7).numbers] == ["dh/dx = dh/d(2·x) × d(2·x)/dx = 14 × 2 = 28"]
    ev = tl.evaluation
    assert chain_product(ev, "n1")[0].plain == "dh/dx = dh/du × du/d(2·x) × d(2·x)/dx = 14 × 1 × 2 = 28"
    assert not any("mul n3" in line or "Multiply n3" in line for line in lines)


def test_the_first_backward_step_names_the_seed_by_its_value_not_twice() -> None:
    tl = _example("lesson_h_flat")
    assert [line.plain for line in describe(tl, 5).numbers] == ["dh/du = 1 × 14 = 14"]
    fan = _example("fan_out")
    assert [line.plain for line in describe(fan, 5).numbers] == ["df/dd = 1 × 1 = 1"]


def test_a_one_edge_chain_product_is_said_once() -> None:
    ev = _example("lesson_h_flat").evaluation
    assert [line.plain for line in chain_product(ev, "n5")] == ["dh/du = 14"]
    ev = _example("lesson_loss").evaluation
    assert [line.plain for line in chain_product(ev, "n5")] == ["d(loss)/dd = 14"]


def test_fan_out_step_list_does_not_repeat_the_first_term() -> None:
    tl = _example("fan_out")
    print("\n".join(_lines(tl)))
    assert [step_summary(tl, k) for k in range(6, 10)] == [
        "df/da += -6 × 1 = -6  (term 1 of 2)",
        "df/db += -6 × 1 = -6  (term 1 of 2)",
        "df/da += 1 × 3 = 3  →  -6 + 3 = -3",
        "df/db += 1 × -2 = -2  →  -6 − 2 = -8",
    ]


def _repeats(line: str) -> bool:
    """True when a line says one thing twice in a row: ``dh/du = dh/du``, ``14 = 14``, ``-6  →  -6``."""
    body = re.sub(r"^\d+\. ", "", line).removesuffix(" so far")
    for piece in body.split("  →  "):
        sides = [side.split(" += ")[-1].strip() for side in piece.split(" = ")]
        if any(a == b for a, b in itertools.pairwise(sides)):
            return True
    chunks = body.split("  →  ")
    return len(chunks) == 2 and chunks[0].split(" = ")[-1] == chunks[1].strip()


@pytest.mark.parametrize("name", ["lesson_h", "lesson_loss", "fan_out", "scalar_chain", "tanh_neuron"])
def test_no_narrative_line_says_the_same_thing_twice(name: str) -> None:
    tl = _example(name)
    lines = _lines(tl)
    print(f"===== {name}\n" + "\n".join(lines))
    repeated = [line for line in lines if _repeats(line)]
    assert repeated == []
    assert not any(re.search(r"\b(mul|add|sub|pow|exp|tanh) n\d", line) for line in lines)


def test_the_repeat_detector_catches_the_old_forms() -> None:
    assert _repeats("dh/du = dh/du = 14 = 14")
    assert _repeats("7. df/da += -6 × 1 = -6  →  -6")
    assert not _repeats("dh/dx = 14 × 2 = 28")
    assert not _repeats("9. df/da += 1 × 3 = 3  →  -6 + 3 = -3")
