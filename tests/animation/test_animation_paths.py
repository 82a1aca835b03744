"""Path enumeration, the nudge check and prediction parsing, against hand-derived numbers."""

from __future__ import annotations

import math

import pytest

from explorer.animation.checks import check_prediction, engine_slope, nudge, nudge_text, parse_guess
from explorer.animation.paths import chain_paths
from explorer.graph.engine import evaluate
from explorer.graph.model import Graph

from .animation_fakes import diamond, fan_out, lesson_h, lesson_loss, node_id


def test_diamond_paths_sum_to_the_hand_gradient() -> None:
    x, w = 2.0, 5.0
    ev = evaluate(diamond(x, w))
    g = ev.graph
    paths = chain_paths(ev, node_id(g, "x"))
    # out = x·w·eˣ + x: three paths from x (through p, through e, direct).
    products = sorted(p.product for p in paths.paths)
    expected = sorted([w * math.exp(x), x * w * math.exp(x), 1.0])
    assert paths.total_count == 3 and paths.truncated == 0
    assert products == pytest.approx(expected)
    hand = w * math.exp(x) + x * w * math.exp(x) + 1.0
    assert paths.listed_sum == pytest.approx(hand) == paths.total_sum
    assert ev.grad_of(node_id(g, "x")) == pytest.approx(hand)
    only = chain_paths(ev, node_id(g, "w"))
    assert only.total_count == 1 and only.paths[0].product == pytest.approx(x * math.exp(x))
    assert [g.node(n).name for n in only.paths[0].nodes] == ["w", "p", "q", "out"]


def test_both_slots_of_x_times_x_are_two_paths() -> None:
    ev = evaluate(fan_out(3.0))
    paths = chain_paths(ev, node_id(ev.graph, "x"))
    assert paths.total_count == 3
    assert sorted(p.product for p in paths.paths) == [1.0, 3.0, 3.0]


def test_paths_are_capped_with_an_honest_count() -> None:
    # y_{k+1} = y_k + y_k, twelve times: 2**12 paths, each product 1, gradient 2**12.
    g = Graph()
    prev = g.add_node("input", "x", 1.0).id
    for k in range(12):
        nxt = g.add_node("add", f"y{k}").id
        g.connect(prev, nxt, 0)
        g.connect(prev, nxt, 1)
        prev = nxt
    ev = evaluate(g)
    paths = chain_paths(ev, node_id(g, "x"), cap=1000)
    assert len(paths.paths) == 1000 and paths.total_count == 4096 and paths.truncated == 3096
    assert paths.total_sum == 4096.0 == ev.grad_of(node_id(g, "x"))
    assert len(set(p.edges for p in paths.paths)) == 1000


def test_a_deep_chain_does_not_recurse() -> None:
    g = Graph()
    prev = g.add_node("input", "x", 0.5).id
    one = g.add_node("const", "", 1.0).id
    for _ in range(3000):
        nxt = g.add_node("add").id
        g.connect(prev, nxt, 0)
        g.connect(one, nxt, 1)
        prev = nxt
    ev = evaluate(g)
    paths = chain_paths(ev, node_id(g, "x"))
    assert paths.total_count == 1 and len(paths.paths[0].edges) == 3000 and paths.paths[0].product == 1.0


def test_nodes_the_output_ignores_have_no_paths() -> None:
    g = lesson_loss()
    stray = g.add_node("input", "stray", 1.0).id
    g.set_output(node_id(g, "loss"))
    paths = chain_paths(evaluate(g), stray)
    assert paths.total_count == 0 and paths.total_sum == 0.0


def test_nudge_in_the_lessons_words() -> None:
    ev = evaluate(lesson_h(3.0))
    x = node_id(ev.graph, "x")
    result = nudge(ev, x, h=0.001)
    # Hand: h(3.001) = 7.002² = 49.028004.
    assert result.y == 49.0 and result.y_nudged == pytest.approx(49.028004, abs=1e-12)
    assert result.slope == pytest.approx(28.004, abs=1e-9) and result.agrees
    assert result.slope == pytest.approx(engine_slope(ev, x, h=0.001), rel=1e-12)
    assert nudge_text(ev, result).plain.startswith(
        "nudge x from 3 to 3.001: h goes 49 → 49.028004, 0.028004 / 0.001 = 28.004 ≈ 28"
    )


def test_nudge_of_a_second_input_holds_the_first() -> None:
    ev = evaluate(lesson_loss(2.0, 3.0))
    result = nudge(ev, node_id(ev.graph, "b"), h=0.001)
    # loss(2, 3.001) = (2·3.001 + 1)² = 7.002² again.
    assert result.y_nudged == pytest.approx(49.028004, abs=1e-12)
    assert result.grad == 28.0 and result.agrees


@pytest.mark.parametrize(
    ("text", "value"),
    [("42", 42.0), ("-0.5", -0.5), ("−3", -3.0), ("4.2e1", 42.0), ("84/2", 42.0), (" 7 ", 7.0), (".5", 0.5)],
)
def test_parse_guess_accepts_numbers_and_fractions(text: str, value: float) -> None:
    assert parse_guess(text) == value


@pytest.mark.parametrize("text", ["", "abc", "1/0", "2+2", "__import__('os')", "1e", "4/x"])
def test_parse_guess_refuses_everything_else(text: str) -> None:
    assert parse_guess(text) is None


def test_prediction_tolerance_is_relative() -> None:
    assert check_prediction("42", 42.0).correct
    assert check_prediction("42.03", 42.0).correct  # 7e-4 relative
    assert not check_prediction("42.1", 42.0).correct
    wrong = check_prediction("40", 42.0)
    assert not wrong.correct and wrong.message == "Not quite: you said 40, the gradient is 42."
    assert check_prediction("0", 0.0).correct
    assert check_prediction("x", 1.0).guess is None
