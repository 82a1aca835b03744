"""The trace through an expanded call: the body's steps, with the engine's numbers (no Qt)."""

from __future__ import annotations

import math

from explorer.animation.expanded import expand_trace
from explorer.animation.frames import PENDING, Timeline
from explorer.animation.narration import describe, step_summary
from explorer.graph.engine import evaluate
from explorer.graph.model import Graph
from explorer.graph.parser import parse
from explorer.graph.trace import BackwardStep, ForwardStep, SeedStep

LESSON = "x = 3; g(x) = 2*x + 1; f(z) = z**2; h = f(g(x))"


def _lesson() -> tuple[Graph, str, str]:
    graph = parse(LESSON)
    return graph, graph.find("g").id, graph.find("h").id


def test_collapsed_is_the_engines_trace() -> None:
    graph, _g, _h = _lesson()
    ev = evaluate(graph)
    trace, opened = expand_trace(ev, [])
    assert trace is ev.trace and opened == {}


def test_expanded_g_steps_through_its_body_with_hand_numbers() -> None:
    graph, g, _h = _lesson()
    ev = evaluate(graph)
    timeline = Timeline(ev, [g])
    forward = timeline.steps[: timeline.forward_count]
    assert all(isinstance(s, ForwardStep) for s in forward)
    # x enters g (3), 2·x = 6, 2·x + 1 = 7, then the box g = 7 and h = 49
    assert [s.value for s in forward] == [3.0, 6.0, 7.0, 7.0, 49.0]
    assert [s.node_id.startswith(f"{g}/") for s in forward] == [True, True, True, False, False]
    backward = timeline.steps[timeline.forward_count :]
    kinds = [type(s).__name__ for s in backward]
    assert kinds == ["SeedStep", "BackwardStep", "SeedStep", "BackwardStep", "BackwardStep", "BackwardStep"]
    body_seed = backward[2]
    assert isinstance(body_seed, SeedStep) and body_seed.grad == 14.0  # g's gradient enters its body
    inner = [s for s in backward[3:5] if isinstance(s, BackwardStep)]
    assert [(s.upstream, s.local, s.contribution) for s in inner] == [(14.0, 1.0, 14.0), (14.0, 2.0, 28.0)]
    # the body's derivative d(2x + 1)/dx = 2 is the local derivative the box's edge carries
    last = backward[-1]
    assert isinstance(last, BackwardStep) and last.local == 2.0 and last.contribution == 28.0
    # the body's own numbers are the engine's inside the call, and match finite differences
    body, _locals = ev.inside(g)
    param = graph.function("g").parameter_ids[0]
    assert body[param].grad == inner[-1].contribution
    eps = 1e-6
    slope = (evaluate(graph, {"x": 3 + eps}).value_of(g) - evaluate(graph, {"x": 3 - eps}).value_of(g)) / (
        2 * eps
    )
    assert math.isclose(slope, inner[-1].local, rel_tol=1e-6)


def test_frames_hide_body_numbers_until_their_step() -> None:
    graph, g, _h = _lesson()
    timeline = Timeline(evaluate(graph), [g])
    function = graph.function("g")
    out = f"{g}/{function.output}"
    param = f"{g}/{function.parameter_ids[0]}"
    assert timeline.frame(0).values[out] == PENDING and timeline.frame(0).values[param] == PENDING
    assert out not in timeline.frame(3).values
    seed = timeline.forward_count
    assert timeline.frame(seed + 2).grads[out] == PENDING  # dh/dg known, the body not yet entered
    assert out not in timeline.frame(seed + 3).grads  # g's gradient has entered the body
    assert timeline.frame(seed + 4).grads[param] == PENDING
    assert param not in timeline.frame(seed + 5).grads
    assert timeline.frame(timeline.count).grads == {}


def test_narrative_names_the_call_it_is_inside() -> None:
    graph, g, _h = _lesson()
    timeline = Timeline(evaluate(graph), [g])
    lines = [step_summary(timeline, k) for k in range(timeline.count)]
    assert lines[:3] == ["in g: x = 3", "in g: 2·x = 2 × 3 = 6", "in g: 2·x + 1 = 6 + 1 = 7"]
    assert lines[-2:] == ["in g: dh/dx = 14 × 2 = 28", "dh/dx = 14 × 2 = 28"]
    assert "inside g" in describe(timeline, 2).title
    assert "into the body of g" in describe(timeline, timeline.forward_count + 3).title


def test_both_calls_expanded_and_a_call_that_cannot_open() -> None:
    graph, g, h = _lesson()
    ev = evaluate(graph)
    both = Timeline(ev, [g, h])
    assert both.forward_count == 7 and both.count == 7 + 8  # each body: its seed and its edges
    assert Timeline(ev, ["no-such-call"]).count == len(ev.trace)
