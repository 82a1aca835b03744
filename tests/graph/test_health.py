"""Gradient health: hand-checked strengths, saturation, dead relus and the depth profile."""

from __future__ import annotations

import itertools
import math

import pytest

from explorer.graph.engine import evaluate
from explorer.graph.health import DECADES, gradient_health
from explorer.graph.model import Edge
from explorer.graph.parser import parse


def test_edge_strength_is_log_contribution_relative_to_the_strongest() -> None:
    # loss = a*b + c*1e-4: contributions into the add are 1 and 1; into the muls b=3, a=2, 1e-4
    g = parse("a = 2.0; b = 3.0; c = 5.0; p = a*b; q = c*0.0001; loss = p + q")
    ev = evaluate(g)
    health = gradient_health(ev)
    by_pair = {(g.node(e.source).label, g.node(e.target).label): s for e, s in health.edge_strength.items()}
    top = math.log10(3.0)  # the strongest edge: a -> p carries b = 3
    assert by_pair["a", "p"] == 1.0
    assert by_pair["b", "p"] == pytest.approx((math.log10(2.0) - (top - DECADES)) / DECADES)
    assert by_pair["c", "q"] == pytest.approx((math.log10(1e-4) - (top - DECADES)) / DECADES)
    assert len(by_pair) == 5, "edges out of constants are not part of the story"


def test_saturated_and_dead_nodes() -> None:
    g = parse(
        "x = 3.0; w = -2.0; t = tanh(x); s = sigmoid(x * 2); r = relu(w); u = relu(x); loss = t + s + r + u"
    )
    health = gradient_health(evaluate(g))
    names = {g.node(n).name for n in health.saturated}
    assert names == {"t", "s"}  # 1 − tanh(3)² = 0.0099; sigmoid(6)(1 − sigmoid(6)) = 0.0025
    assert "1 − o²" in health.saturated[g.find("t").id]
    assert {g.node(n).name for n in health.dead} == {"r"}
    g.set_value(g.find("x").id, 0.5)
    assert not gradient_health(evaluate(g)).saturated


def test_a_long_sigmoid_chain_shows_the_gradient_vanishing_by_depth() -> None:
    program = "x = 0.3\n" + "".join(f"h{i} = sigmoid({'x' if i == 0 else f'h{i - 1}'})\n" for i in range(12))
    g = parse(program)
    health = gradient_health(evaluate(g))
    medians = [d.median for d in health.by_depth]
    assert [d.depth for d in health.by_depth] == list(range(13))
    assert medians[0] == 1.0
    assert all(b < a * 0.26 for a, b in itertools.pairwise(medians)), "each sigmoid ≤ 0.25"
    assert medians[-1] < 1e-7


def test_depth_is_the_longest_path_to_the_output() -> None:
    g = parse("x = 1.0; a = x * 2; b = a * 3; loss = b + x")
    health = gradient_health(evaluate(g))
    depths = {d.depth: d for d in health.by_depth}
    # loss 0; b 1; a 2; x is read by loss directly (1) but also through b, a (3): deepest wins
    assert sorted(depths) == [0, 1, 2, 3]
    assert depths[3].largest == 7.0 and depths[3].count == 1


def test_no_output_no_health() -> None:
    g = parse("a = 1.0; b = 2.0; c = a * 2; d = b * 3")
    g.set_output(None)
    ev = evaluate(g)
    assert ev.output is not None or gradient_health(ev).by_depth == []
    assert isinstance(next(iter(gradient_health(evaluate(parse("x = 1.0; y = x * 2"))).edge_strength)), Edge)
