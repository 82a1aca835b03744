"""Layout sizes, rationed lanes and new nodes among hand-placed ones (pure: no Qt).

Geometry is checked against the canvas's numbers written out here (a card fills its
84-high slot; a constant's pill is 26 high, centred 57 below the slot's top), not
against the layout's own helpers.
"""

from __future__ import annotations

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.graph.layout import (
    COLUMN_GAP,
    NODE_HEIGHT,
    NODE_WIDTH,
    ROW_GAP,
    compute_layout,
    layout,
    place_missing,
)
from explorer.graph.layout.part import LANE_BUDGET, LANE_FLOOR
from explorer.graph.model import Graph

from .test_layout import check_invariants, drawn, op, overlapping

STEP = NODE_WIDTH + COLUMN_GAP


def centre(pos: dict[str, tuple[float, float]], node_id: str) -> float:
    return pos[node_id][1] + NODE_HEIGHT / 2


def test_constants_stack_as_pills_not_as_cards() -> None:
    """Four constants into one sum: pills 26 high, so 26 + 36 apart, not 84 + 36."""
    g = Graph()
    consts = [op(g, "const", value=float(k)) for k in range(4)]
    a = op(g, "add", consts[0], consts[1])
    b = op(g, "add", consts[2], consts[3])
    op(g, "mul", a, b)
    pos = layout(g)
    heights = sorted(centre(pos, c) for c in consts)
    assert {pos[c][0] for c in consts} == {0.0}
    gaps = [round(b - a, 6) for a, b in itertools.pairwise(heights)]
    assert min(gaps) == 26.0 + ROW_GAP
    # The two sums are cards: at least a card and a gap apart.
    assert abs(centre(pos, a) - centre(pos, b)) >= NODE_HEIGHT + ROW_GAP
    check_invariants(g)


def test_a_constant_read_all_along_a_chain_costs_few_lanes() -> None:
    """x -> ·k -> +c -> tanh ... : k and c feed nodes hundreds of columns away."""
    g = Graph()
    prev = g.add_node("input", "x", 0.5).id
    k, c = op(g, "const", value=1.5), op(g, "const", value=0.1)
    for i in range(600):
        kind = ("mul", "add", "tanh")[i % 3]
        second = {"mul": (k,), "add": (c,), "tanh": ()}[kind]
        prev = op(g, kind, prev, *second)
    result = compute_layout(g)
    lanes = sum(len(points) for points in result.routes.values())
    assert 0 < lanes <= max(LANE_BUDGET * len(g), LANE_FLOOR)
    # The shortest long edges got their lanes first.
    spans = sorted(len(points) for points in result.routes.values())
    routed = set(result.routes)
    longest_routed = spans[-1] + 1
    for edge in g.edges():
        span = round((result.positions[edge.target][0] - result.positions[edge.source][0]) / STEP)
        if span < longest_routed:
            assert span <= 1 or edge in routed
    check_invariants(g)


def square() -> Graph:
    """h = (2x + 1) ** 2 with every node placed by the layout."""
    g = Graph()
    x = g.add_node("input", "x", 3.0).id
    m = op(g, "mul", op(g, "const", value=2.0), x)
    h = op(g, "pow", op(g, "add", m, op(g, "const", value=1.0)), op(g, "const", value=2.0))
    g.set_output(h)
    for node_id, position in layout(g).items():
        g.move(node_id, position)
    return g


def test_nothing_to_place_when_every_node_has_a_position() -> None:
    assert place_missing(square()) == {}


def test_with_no_position_at_all_it_is_the_layout() -> None:
    g = square()
    for node in g.nodes:
        g.move(node.id, None)
    assert place_missing(g) == layout(g)


def test_a_new_node_slides_clear_of_a_hand_placed_one() -> None:
    """A new node whose layout slot is taken by a node the user dragged there."""
    g = square()
    neg = op(g, "neg", g.find("x").id)  # new: no position
    auto = layout(g)[neg]
    user = g.add_node("input", "user", 0.0, position=(auto[0], auto[1] + 10.0)).id  # in the way
    placed = place_missing(g)
    assert set(placed) == {neg}
    everything = {**{m.id: m.position for m in g.nodes if m.position is not None}, **placed}
    for other in g.nodes:
        if other.id != neg:
            assert not overlapping(drawn(g, everything, neg), drawn(g, everything, other.id)), other.id
    assert g.node(user).position == (auto[0], auto[1] + 10.0)  # the user's node never moves


@st.composite
def half_placed(draw: st.DrawFn) -> Graph:
    """A random DAG; some nodes placed by hand anywhere (overlapping even), the rest new."""
    g = Graph()
    ids: list[str] = []
    for _ in range(draw(st.integers(1, 25))):
        kind = draw(st.sampled_from(["input", "const", "add", "mul", "tanh", "neg"]))
        node = g.add_node(kind)
        for slot in range(len(node.operands)):
            if ids:
                g.connect(ids[draw(st.integers(0, len(ids) - 1))], node.id, slot)
        ids.append(node.id)
    for node_id in ids:
        if draw(st.booleans()):
            x = draw(st.integers(-3, 6)) * STEP + draw(st.sampled_from([0.0, 17.0]))
            y = draw(st.floats(-400, 400, allow_nan=False, allow_infinity=False))
            g.move(node_id, (x, round(y, 1)))
    return g


@settings(max_examples=120, deadline=None)
@given(half_placed())
def test_new_nodes_never_cover_hand_placed_ones_or_each_other(g: Graph) -> None:
    placed = {n.id: n.position for n in g.nodes if n.position is not None}
    new = place_missing(g)
    assert set(new) == {n.id for n in g.nodes if n.position is None}
    everything = {**placed, **new}
    for a in new:
        box = drawn(g, everything, a)
        for b in everything:
            if b != a:
                assert not overlapping(box, drawn(g, everything, b)), (a, b)
    assert {n.id: n.position for n in g.nodes if n.position is not None} == placed  # untouched
    assert place_missing(g) == new  # deterministic


def test_ten_thousand_node_random_dag_is_laid_out() -> None:
    """Long edges everywhere (operands drawn from the whole past): lanes are rationed."""
    rnd = random.Random(3)
    g = Graph()
    ids = [g.add_node("input", f"x{i}").id for i in range(8)]
    bounded = list(ids)
    prev = ids[0]
    while len(g) < 10_000:
        kind = rnd.choice(["tanh", "sin", "add", "mul"])
        prev = op(g, kind, prev) if kind in ("tanh", "sin") else op(g, kind, prev, rnd.choice(bounded))
        if kind in ("tanh", "sin"):
            bounded.append(prev)
    result = compute_layout(g)
    assert len(result.positions) == 10_000
    assert all(result.positions[e.source][0] < result.positions[e.target][0] for e in g.edges())
    assert sum(len(p) for p in result.routes.values()) <= LANE_BUDGET * len(g)
