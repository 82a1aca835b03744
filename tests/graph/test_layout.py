"""Tests for the automatic layered layout (pure: no Qt).

The crossing counts and the geometry checks here are computed independently from the
returned positions, never with the layout's own helpers (except where a helper itself
is under test against a brute-force reference).
"""

from __future__ import annotations

import itertools
import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.graph.layout import (
    COLUMN_GAP,
    INPUT_SLACK,
    NODE_HEIGHT,
    NODE_WIDTH,
    ROW_GAP,
    _fit,
    _inversions,
    apply_layout,
    compute_layout,
    layout,
)
from explorer.graph.model import Graph

STEP = NODE_WIDTH + COLUMN_GAP


# ------------------------------------------------------------------------- helpers
def column(pos: dict[str, tuple[float, float]], node_id: str) -> float:
    return pos[node_id][0] / STEP


def centre_y(pos: dict[str, tuple[float, float]], node_id: str) -> float:
    return pos[node_id][1] + NODE_HEIGHT / 2


def op(graph: Graph, kind: str, *operands: str, name: str = "", value: float = 0.0) -> str:
    node_id = graph.add_node(kind, name, value).id
    for slot, src in enumerate(operands):
        graph.connect(src, node_id, slot)
    return node_id


def crossings(graph: Graph, key: dict[str, float]) -> int:
    """Crossings among edges between adjacent columns, ports ordered by slot.

    ``key`` gives each node's height (or rank) within its column; two links cross when
    their sources and their target ports are in opposite orders.
    """
    pos = layout(graph)
    links = [
        (key[e.source], (key[e.target], e.slot), pos[e.source][0])
        for e in graph.edges()
        if pos[e.target][0] - pos[e.source][0] == STEP
    ]
    count = 0
    for (s1, t1, c1), (s2, t2, c2) in itertools.combinations(links, 2):
        if c1 == c2 and ((s1 < s2 and t1 > t2) or (s1 > s2 and t1 < t2)):
            count += 1
    return count


def layout_crossings(graph: Graph) -> int:
    pos = layout(graph)
    return crossings(graph, {nid: p[1] for nid, p in pos.items()})


def insertion_crossings(graph: Graph) -> int:
    """Crossings when every column lists its nodes in insertion order."""
    return crossings(graph, {node.id: float(i) for i, node in enumerate(graph.nodes)})


def downstream(graph: Graph, start: str) -> set[str]:
    return {node.id for node in graph.nodes if graph.reaches(start, node.id)}


# What the canvas draws, in card coordinates (top-left of the card slot): a card fills
# the slot; a constant is a pill 26 high centred on the output port, 57 below the top.
PILL = (57.0 - 13.0, 57.0 + 13.0)


def drawn(graph: Graph, pos: dict[str, tuple[float, float]], node_id: str) -> tuple[float, ...]:
    """(left, top, right, bottom) of what the canvas draws for the node."""
    x, y = pos[node_id]
    top, bottom = PILL if graph.node(node_id).op == "const" else (0.0, NODE_HEIGHT)
    return (x, y + top, x + NODE_WIDTH, y + bottom)


def overlapping(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def check_invariants(graph: Graph) -> None:
    result = compute_layout(graph)
    pos = result.positions
    assert set(pos) == {node.id for node in graph.nodes}
    for x, y in pos.values():
        assert type(x) is float and type(y) is float  # plain floats: they go into JSON files
        assert np.isfinite(x) and np.isfinite(y)
        assert (x / STEP) == round(x / STEP)
    for edge in graph.edges():
        assert pos[edge.source][0] < pos[edge.target][0], edge
    out = graph.default_output()
    assert out is not None  # a non-empty DAG always has a sink
    after = downstream(graph, out)
    assert all(pos[out][0] >= pos[n.id][0] for n in graph.nodes if n.id not in after)
    for node in graph.nodes:
        readers = [pos[t][0] for t, _ in graph.consumers(node.id)]
        if node.op == "input" and node.id != out and pos[node.id][0] != 0.0:
            # pulled beside its nearest reader, or (not feeding the output) stopped at its column
            assert pos[node.id][0] in (min(readers) - STEP, pos[out][0])
        if node.op == "const" and readers:
            assert pos[node.id][0] in (min(readers) - STEP, pos[out][0])
    boxes = sorted(drawn(graph, pos, node.id) for node in graph.nodes)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if b[0] - a[0] >= NODE_WIDTH:
                break
            assert not overlapping(a, b), (a, b)
            assert max(b[1] - a[3], a[1] - b[3]) >= ROW_GAP - 2e-3, (a, b)  # room (positions are rounded)
    for edge, points in result.routes.items():
        span = round((pos[edge.target][0] - pos[edge.source][0]) / STEP)
        assert len(points) == span - 1
        for px, py in points:
            assert not any(left < px < right and top < py < bottom for left, top, right, bottom in boxes)
    assert layout(graph) == pos
    assert layout(graph.copy()) == pos


def square_of_affine() -> tuple[Graph, dict[str, str]]:
    """h = (2x + 1) ** 2, built as the parser would."""
    g = Graph()
    ids = {"x": g.add_node("input", "x", 3.0).id, "two": g.add_node("const", "", 2.0).id}
    ids["mul"] = op(g, "mul", ids["two"], ids["x"])
    ids["one"] = op(g, "const", value=1.0)
    ids["add"] = op(g, "add", ids["mul"], ids["one"])
    ids["exp2"] = op(g, "const", value=2.0)
    ids["pow"] = op(g, "pow", ids["add"], ids["exp2"])
    return g, ids


# ------------------------------------------------------------------------- columns
def test_constants_have_the_agreed_sizes() -> None:
    assert (NODE_WIDTH, NODE_HEIGHT, COLUMN_GAP, ROW_GAP) == (150.0, 84.0, 90.0, 36.0)


def test_expression_columns_by_hand() -> None:
    g, ids = square_of_affine()
    pos = layout(g)
    expected = {"x": 0, "two": 0, "mul": 1, "one": 1, "add": 2, "exp2": 2, "pow": 3}
    assert {k: column(pos, v) for k, v in ids.items()} == expected
    assert centre_y(pos, ids["two"]) < centre_y(pos, ids["x"])  # slot 0 drawn above slot 1
    assert centre_y(pos, ids["add"]) < centre_y(pos, ids["exp2"])
    assert layout_crossings(g) == 0


def test_constant_sits_beside_its_deep_consumer() -> None:
    g = Graph()
    x = g.add_node("input", "x").id
    deep = op(g, "exp", op(g, "tanh", op(g, "exp", x)))
    two = op(g, "const", value=2.0)
    square = op(g, "pow", deep, two)
    pos = layout(g)
    assert column(pos, x) == 0
    assert column(pos, square) == 4
    assert column(pos, two) == 3


def test_constant_only_subexpression_floats_with_its_leaf() -> None:
    g = Graph()
    x = g.add_node("input", "x").id
    deep = op(g, "exp", op(g, "exp", op(g, "exp", x)))
    two = op(g, "const", value=2.0)
    minus_two = op(g, "neg", two)
    product = op(g, "mul", deep, minus_two)
    pos = layout(g)
    assert (column(pos, two), column(pos, minus_two), column(pos, product)) == (2, 3, 4)


def test_input_stays_left_when_cheap_and_moves_when_expensive() -> None:
    # Nearest consumer p+1 columns in with k links costs p*k; the slack is 3.
    assert INPUT_SLACK == 3
    g = Graph()
    x = g.add_node("input", "x").id
    chain = [x]
    for _ in range(6):
        chain.append(op(g, "exp", chain[-1]))
    cheap = g.add_node("input", "cheap").id  # p = 3, k = 1: stays
    op(g, "add", chain[3], cheap)
    dear = g.add_node("input", "dear").id  # p = 4, k = 1: moves
    op(g, "add", chain[4], dear)
    shared = g.add_node("input", "shared").id  # p = 1, k = 4: moves
    for _ in range(4):
        op(g, "mul", chain[1], shared)
    trio = g.add_node("input", "trio").id  # p = 1, k = 3: stays
    for _ in range(3):
        op(g, "mul", chain[1], trio)
    end = op(g, "add", chain[6], chain[6])
    g.set_output(end)
    pos = layout(g)
    assert column(pos, x) == column(pos, cheap) == column(pos, trio) == 0
    assert column(pos, dear) == 4
    assert column(pos, shared) == 1
    check_invariants(g)


def test_output_is_rightmost_even_beside_a_longer_fragment() -> None:
    g, ids = square_of_affine()
    loose = g.add_node("input", "t").id
    tail = loose
    for _ in range(5):
        tail = op(g, "exp", tail)
    g.set_output(ids["pow"])
    pos = layout(g)
    assert column(pos, ids["pow"]) == max(column(pos, n) for n in pos) == 5
    assert column(pos, ids["x"]) == column(pos, loose) == 0
    # the output's part is stacked first, wholly above the fragment
    main = {ids[k] for k in ids}
    assert max(p[1] for n, p in pos.items() if n in main) + NODE_HEIGHT < min(
        p[1] for n, p in pos.items() if n not in main
    )


def test_chosen_output_with_readers_stays_left_of_them() -> None:
    g = Graph()
    a = g.add_node("input", "a").id
    b = g.add_node("input", "b").id
    mid = op(g, "mul", a, b)
    later = op(g, "exp", mid)
    side = op(g, "exp", op(g, "exp", op(g, "tanh", a)))
    g.set_output(mid)
    pos = layout(g)
    assert column(pos, mid) == 3  # as far right as the side branch
    assert column(pos, later) == 4
    assert column(pos, side) == 3
    check_invariants(g)


# ------------------------------------------------------------------------- crossings
def test_diamond_and_fan_out_have_no_crossings() -> None:
    g = Graph()
    x = g.add_node("input", "x").id
    left, right = op(g, "exp", x), op(g, "tanh", x)
    op(g, "mul", left, right)
    assert layout_crossings(g) == 0

    fan = Graph()
    x = fan.add_node("input", "x").id
    branches = [op(fan, kind, x) for kind in ("exp", "tanh", "sin", "cos", "relu")]
    acc = branches[0]
    for other in branches[1:]:
        acc = op(fan, "add", acc, other)
    assert layout_crossings(fan) == 0
    check_invariants(fan)


def test_full_binary_tree_is_planar_with_operand_order() -> None:
    g = Graph()
    level = [g.add_node("input", f"x{i}").id for i in range(16)]
    while len(level) > 1:
        level = [op(g, "add", level[i], level[i + 1]) for i in range(0, len(level), 2)]
    pos = layout(g)
    assert layout_crossings(g) == 0
    for edge in g.edges():
        node = g.node(edge.target)
        a, b = node.operands
        assert a is not None and b is not None
        assert centre_y(pos, a) < centre_y(pos, b)


def test_two_layer_reversed_order_is_untangled() -> None:
    g = Graph()
    xs = [g.add_node("input", f"x{i}").id for i in range(6)]
    for i in range(5):  # insertion order reads the inputs bottom-up: many crossings
        op(g, "mul", xs[5 - i], xs[4 - i])
    assert insertion_crossings(g) > 0
    assert layout_crossings(g) <= insertion_crossings(g)
    assert layout_crossings(g) == 0


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_two_layer_crossings_never_exceed_insertion_order(data: st.DataObject) -> None:
    g = Graph()
    m = data.draw(st.integers(2, 7))
    xs = [g.add_node("input", f"x{i}").id for i in range(m)]
    for _ in range(data.draw(st.integers(1, 8))):
        if data.draw(st.booleans()):
            op(g, "exp", xs[data.draw(st.integers(0, m - 1))])
        else:
            op(g, "sub", xs[data.draw(st.integers(0, m - 1))], xs[data.draw(st.integers(0, m - 1))])
    assert layout_crossings(g) <= insertion_crossings(g)


# ------------------------------------------------------------------------- geometry
def test_rows_are_spaced_and_long_edges_get_a_lane() -> None:
    g = Graph()
    x = g.add_node("input", "x").id
    y = g.add_node("input", "y").id
    inner = op(g, "exp", op(g, "exp", op(g, "mul", x, y)))
    end = op(g, "add", inner, x)  # x -> add spans four columns
    result = compute_layout(g)
    pos = result.positions
    assert abs(centre_y(pos, x) - centre_y(pos, y)) >= NODE_HEIGHT + ROW_GAP
    long_edge = next(e for e in g.edges() if e.source == x and e.target == end)
    lane = result.routes[long_edge]
    assert [px for px, _ in lane] == [c * STEP + NODE_WIDTH / 2 for c in (1, 2, 3)]
    check_invariants(g)


def test_single_node_and_empty_graph() -> None:
    assert layout(Graph()) == {}
    g = Graph()
    only = g.add_node("add").id  # both operand slots unconnected
    assert layout(g) == {only: (0.0, -NODE_HEIGHT / 2)}


def test_half_connected_nodes_and_loose_parts() -> None:
    g = Graph()
    x = g.add_node("input", "x").id
    half = g.add_node("mul").id
    g.connect(x, half, 1)
    loose = [g.add_node("const", value=float(i)).id for i in range(3)]
    pos = layout(g)
    assert column(pos, half) == 1
    assert column(pos, loose[0]) == column(pos, loose[1]) == 0
    # With no output chosen the last loose end is the default one, and goes rightmost.
    assert g.default_output() == loose[2]
    assert column(pos, loose[2]) == 1
    check_invariants(g)


def test_apply_layout_moves_every_node() -> None:
    g, _ = square_of_affine()
    expected = layout(g)
    apply_layout(g)
    assert {node.id: node.position for node in g.nodes} == expected


def test_ten_thousand_node_chain() -> None:
    g = Graph()
    prev = g.add_node("input", "x").id
    for _ in range(9_999):
        prev = op(g, "tanh", prev)
    pos = layout(g)
    assert len(pos) == 10_000
    assert pos[prev] == (9_999 * STEP, -NODE_HEIGHT / 2)
    assert {p[1] for p in pos.values()} == {-NODE_HEIGHT / 2}


def test_two_thousand_node_random_dag() -> None:
    rnd = random.Random(7)
    g = Graph()
    ids = [g.add_node("input", f"x{i}").id for i in range(4)]
    kinds = ["input", "const", "add", "mul", "exp", "tanh", "pow", "neg"]
    while len(ids) < 2_000:
        kind = rnd.choice(kinds)
        node = g.add_node(kind)
        for slot in range(len(node.operands)):
            g.connect(ids[rnd.randrange(max(0, len(ids) - 30), len(ids))], node.id, slot)
        ids.append(node.id)
    pos = layout(g)
    assert len(pos) == 2_000
    assert all(pos[e.source][0] < pos[e.target][0] for e in g.edges())


# ------------------------------------------------------------------------- properties
KINDS = ["input", "const", "add", "sub", "mul", "pow", "neg", "exp", "tanh"]


@st.composite
def random_graphs(draw: st.DrawFn) -> Graph:
    g = Graph()
    ids: list[str] = []
    for _ in range(draw(st.integers(1, 40))):
        node = g.add_node(draw(st.sampled_from(KINDS)))
        for slot in range(len(node.operands)):
            if ids and draw(st.integers(0, 9)) > 0:  # sometimes leave a slot open
                g.connect(ids[draw(st.integers(0, len(ids) - 1))], node.id, slot)
        ids.append(node.id)
    if draw(st.booleans()):
        g.set_output(draw(st.sampled_from(ids)))  # possibly a node with readers
    return g


@settings(max_examples=150, deadline=None)
@given(random_graphs())
def test_random_dags_keep_the_invariants(g: Graph) -> None:
    check_invariants(g)


# ------------------------------------------------------------------------- helpers under test
@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 6), max_size=40))
def test_inversion_count_matches_brute_force(values: list[int]) -> None:
    brute = sum(1 for i, j in itertools.combinations(range(len(values)), 2) if values[i] > values[j])
    assert _inversions(np.asarray(values, dtype=np.int64)) == brute


def test_fit_keeps_gaps_and_matches_hand_solutions() -> None:
    # Two nodes both wanting 0, 10 apart, equal weights: split the difference.
    assert _fit([0.0, 0.0], [1.0, 1.0], [0.0, 10.0]) == [-5.0, 5.0]
    # A three-times heavier first node moves a quarter as far: -2.5 and 7.5.
    assert _fit([0.0, 0.0], [3.0, 1.0], [0.0, 10.0]) == [-2.5, 7.5]
    # Already far enough apart: nobody moves.
    assert _fit([0.0, 50.0, 51.0], [1.0, 1.0, 1.0], [0.0, 10.0, 0.0]) == [0.0, 50.0, 51.0]
