"""Pure tests of the per-step state and the words, against hand-derived lesson numbers."""

from __future__ import annotations

import math

from explorer.animation.frames import HIDDEN, PENDING, Timeline
from explorer.animation.narration import chain_product, describe, step_summary
from explorer.animation.player import MAX_WIDTH, MIN_WIDTH, gear_widths
from explorer.graph.engine import evaluate
from explorer.graph.trace import BackwardStep, SeedStep

from .animation_fakes import diamond, fan_out, lesson_h, lesson_loss, node_id


def _backward_grads(timeline: Timeline) -> list[tuple[str, float]]:
    """(node name, gradient after the step) for every step from the seed on."""
    graph = timeline.evaluation.graph
    out = []
    for step in timeline.steps[timeline.forward_count :]:
        if isinstance(step, SeedStep):
            out.append((graph.node(step.node_id).name, step.grad))
        else:
            assert isinstance(step, BackwardStep)
            out.append((graph.node(step.edge.source).name, step.grad_after))
    return out


def test_lesson_h_forward_values_appear_in_order() -> None:
    g = lesson_h(3.0)
    tl = Timeline(evaluate(g))
    m, a, h = (node_id(g, n) for n in "mah")
    assert tl.forward_count == 3 and tl.count == 7  # 3 forward, seed, 3 backward (constants skipped)
    assert {k: tl.frame(0).values.get(k) for k in (m, a, h)} == {m: PENDING, a: PENDING, h: PENDING}
    assert tl.frame(1).values == {a: PENDING, h: PENDING}  # m = 2·3 = 6 now known
    assert tl.frame(2).values == {h: PENDING}
    assert tl.frame(3).values == {}
    # Every gradient is hidden during the forward pass.
    assert set(tl.frame(2).grads.values()) == {HIDDEN}
    # The edges into the current node carry the operand values 2·x = 2·3.
    captions = {e: c for e, c in tl.frame(1).captions.items() if c}
    assert sorted(captions.values()) == ["2", "3"]


def test_lesson_h_backward_gradients_are_1_14_14_28() -> None:
    g = lesson_h(3.0)
    tl = Timeline(evaluate(g))
    # Hand: dh/dh = 1, dh/da = 2a = 14 (a = 7), dh/dm = 14 · 1, dh/dx = 14 · 2 = 28.
    assert _backward_grads(tl) == [("h", 1.0), ("a", 14.0), ("m", 14.0), ("x", 28.0)]
    x, m, a = node_id(g, "x"), node_id(g, "m"), node_id(g, "a")
    seed = tl.frame(tl.forward_count + 1)
    assert (seed.grads[x], seed.grads[m], seed.grads[a]) == (PENDING, PENDING, PENDING)
    assert node_id(g, "h") not in seed.grads  # the output shows its own gradient, 1
    after_a = tl.frame(tl.forward_count + 2)
    assert a not in after_a.grads and after_a.node_emphasis[a] == "active"
    edge = next(e for e in after_a.captions if e.source == a)
    assert after_a.captions[edge] == "1 × 14 = 14"
    end = tl.frame(tl.count)
    assert x not in end.grads and end.node_emphasis[x] == "active"
    # Constants never get a gradient in the animation.
    consts = [n.id for n in g.nodes if n.op == "const"]
    assert all(end.grads[c] == HIDDEN for c in consts)


def test_lesson_loss_steps_1_14_14_42_28() -> None:
    g = lesson_loss(2.0, 3.0)
    tl = Timeline(evaluate(g))
    # Hand: dloss/dd = 2d = 14 (d = 7), dloss/dc = 14, dloss/da = 14·b = 42, dloss/db = 14·a = 28.
    assert _backward_grads(tl) == [("loss", 1.0), ("d", 14.0), ("c", 14.0), ("a", 42.0), ("b", 28.0)]
    assert step_summary(tl, tl.forward_count + 2) == "d(loss)/dc = 14 × 1 = 14"
    assert step_summary(tl, 0) == "c = a × b = 6"
    assert step_summary(tl, 2) == "loss = d ** 2 = 49"


def test_narrative_in_the_lessons_form() -> None:
    g = lesson_loss()
    tl = Timeline(evaluate(g))
    c_step = describe(tl, tl.forward_count + 3)
    assert c_step.numbers[0].plain == "d(loss)/dc = d(loss)/dd × dd/dc = 14 × 1 = 14"
    assert "∂(a+b)/∂a = 1" in c_step.words.plain
    assert describe(tl, 1).numbers[0].plain == "c = a × b = 2 × 3 = 6"
    assert describe(tl, 0).numbers[0].plain == "a = 2, b = 3"
    seed = describe(tl, tl.forward_count + 1)
    assert seed.numbers[0].plain == "d(loss)/d(loss) = 1"
    last = describe(tl, tl.count)
    assert last.numbers[0].plain == "d(loss)/db = d(loss)/dc × dc/db = 14 × 2 = 28"
    assert "complete" in last.words.plain
    # Colours: gradients in the gradient role, values in the value role.
    kinds = dict(c_step.numbers[0].runs[1:])
    assert kinds["14"] == "grad"
    assert ("6", "value") in describe(tl, 1).numbers[0].runs


def test_fan_out_shows_a_running_sum() -> None:
    g = fan_out(3.0)
    tl = Timeline(evaluate(g))
    x = node_id(g, "x")
    base = tl.forward_count + 1  # the seed
    # Hand: z = x² + x, dz/dx = 2x + 1 = 7 = 1 (direct) + 3 + 3 (both slots of x·x).
    assert tl.frame(base).grads[x] == PENDING
    assert tl.frame(base + 2).grads[x] == "1"
    assert tl.frame(base + 3).grads[x] == "1 + 3 = 4"
    assert tl.frame(base + 4).grads[x] == "1 + 3 + 3 = 7"
    # Back one step: the running sum is exactly what it was.
    assert tl.frame(base + 3) == tl.frame(base + 3)
    assert tl.frame(base + 3).grads[x] == "1 + 3 = 4"
    narration = describe(tl, base + 4)
    assert narration.numbers[0].plain == "dz/dx += dz/dy × dy/dx = 1 × 3 = 3"
    assert narration.numbers[1].plain == "dz/dx = 1 + 3 + 3 = 7"
    assert describe(tl, base + 3).numbers[1].plain == "dz/dx = 1 + 3 = 4 so far"
    assert step_summary(tl, base + 2) == "dz/dx += 1 × 3 = 3  →  1 + 3 = 4"


def test_negative_terms_read_as_subtraction() -> None:
    from explorer.graph.model import Graph

    g = Graph()
    x = g.add_node("input", "x", 3.0).id
    n = g.add_node("neg", "n").id
    g.connect(x, n, 0)
    s = g.add_node("add", "s").id
    g.connect(x, s, 0)
    g.connect(n, s, 1)  # s = x + (−x) = 0
    p = g.add_node("mul", "p").id
    g.connect(s, p, 0)
    g.connect(x, p, 1)  # p = s·x
    tl = Timeline(evaluate(g))
    texts = [tl.frame(k).grads.get(x) for k in range(tl.count + 1)]
    # Hand: via p directly s = 0; via s, dp/ds · 1 = x = 3; via n, 3 · (−1) = −3.
    assert texts[-3:] == ["0 + 3 = 3", "3", "0 + 3 − 3 = 0"]


def test_chain_product_for_a_selected_node() -> None:
    ev = evaluate(lesson_loss())
    g = ev.graph
    lines = chain_product(ev, node_id(g, "a"))
    assert [line.plain for line in lines] == ["d(loss)/da = d(loss)/dd × dd/dc × dc/da = 14 × 1 × 3 = 42"]
    assert chain_product(ev, node_id(g, "loss"))[0].plain == "d(loss)/d(loss) = 1"
    fan = evaluate(fan_out())
    lines = chain_product(fan, node_id(fan.graph, "x"))
    assert len(lines) == 5 and lines[-1].plain == "dz/dx = 3 + 3 + 1 = 7"
    assert lines[3].plain == "   dz/dx = 1"  # the direct edge x → z


def test_forward_mode_tangents_flow_forward() -> None:
    ev = evaluate(lesson_h(3.0))
    g = ev.graph
    tl = Timeline(ev)
    x, m, h = node_id(g, "x"), node_id(g, "m"), node_id(g, "h")
    tangents = ev.tangents(x)
    first = tl.frame(1, tangents, "x").tangents
    assert first[x] == "dx/dx = 1" and first[m] == "dm/dx = 2" and first[h] == "dh/dx = ?"
    # Forward mode agrees with the hand derivative d/dx (2x+1)² = 4(2x+1) = 28.
    assert tl.frame(3, tangents, "x").tangents[h] == "dh/dx = 28"


def test_gear_widths_follow_contributions() -> None:
    ev = evaluate(lesson_loss())
    g = ev.graph
    widths = gear_widths(ev)
    a, b, c = node_id(g, "a"), node_id(g, "b"), node_id(g, "c")
    by_source = {(e.source, e.target): w for e, w in widths.items()}
    assert math.isclose(by_source[(a, c)], MAX_WIDTH)  # 42 is the largest contribution
    assert math.isclose(by_source[(b, c)], MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * 28 / 42)
    consts = {n.id for n in g.nodes if n.op == "const"}
    assert all(w == MIN_WIDTH for e, w in widths.items() if e.source in consts)


def test_diamond_has_one_timeline_per_evaluation_and_every_position_is_distinct() -> None:
    tl = Timeline(evaluate(diamond()))
    frames = [tl.frame(n) for n in range(tl.count + 1)]
    assert len({repr(f) for f in frames}) == len(frames)
    assert tl.frame(-5) == tl.frame(0) and tl.frame(10**6) == tl.frame(tl.count)
