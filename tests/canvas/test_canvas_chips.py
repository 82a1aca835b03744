"""Edge chips (the local derivative on each link, the product during the backward pass)
never cover a card or an operand's name, on every bundled example; and an exported frame
never cuts a chip (the link's bounding box holds it)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF

from explorer.app.examples import examples_dir
from explorer.graph.model import Edge, Graph
from explorer.io.format import load

from .canvas_helpers import close_canvas, make_canvas

EXAMPLES = sorted(examples_dir().glob("*.json"))


def _occupied(scene) -> list[tuple[str, QRectF]]:  # type: ignore[no-untyped-def]
    """Every card and every operand name, in scene coordinates."""
    rects = []
    for item in scene.node_items():
        name = item.node_id
        rects.append((f"card {name}", item.card_rect()))
        for slot in range(len(scene.document.graph.node(name).operands)):
            rects.append((f"name {name}[{slot}]", item.operand_name_rect(slot)))
    return rects


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_no_chip_covers_a_card_or_an_operand_name(path, qtbot) -> None:  # type: ignore[no-untyped-def]
    c = make_canvas(qtbot, load(path))
    try:
        occupied = _occupied(c.scene)
        chips = [(e.edge, e.chip_rect()) for e in c.scene.edge_items()]
        assert any(chip is not None for _, chip in chips)
        hits = [
            (edge, what)
            for edge, chip in chips
            if chip is not None
            for what, rect in occupied
            if chip.intersects(rect)
        ]
        assert hits == []
    finally:
        close_canvas(c)


def test_a_long_caption_stays_inside_the_links_box(qtbot) -> None:  # type: ignore[no-untyped-def]
    g = Graph()
    x = g.add_node("input", "x", 2.0, (0.0, 0.0))
    t = g.add_node("tanh", "t", position=(240.0, 0.0))
    g.connect(x.id, t.id, 0)
    c = make_canvas(qtbot, g)
    try:
        item = c.scene.edge_item(Edge(x.id, t.id, 0))
        item.set_caption("0.07065 × 0.9293 = 0.06566")  # a backward step's product
        chip = item.chip_rect()
        assert chip is not None and item.sceneBoundingRect().contains(chip)
        assert not chip.intersects(c.item("x").card_rect())
    finally:
        close_canvas(c)


# The training examples have hand-made grids whose links cross on their way into a node's
# two ports; the chips of two crossing links can meet there (they still cover no card).
LAID_OUT = [p for p in EXAMPLES if p.stem not in {"lesson_network", "micrograd_mlp"}]


@pytest.mark.parametrize("path", LAID_OUT, ids=[p.stem for p in LAID_OUT])
def test_no_two_chips_overlap(path, qtbot) -> None:  # type: ignore[no-untyped-def]
    c = make_canvas(qtbot, load(path))
    try:
        chips = [(e.edge, e.chip_rect()) for e in c.scene.edge_items()]
        chips = [(edge, chip) for edge, chip in chips if chip is not None]
        clashes = [(a, b) for i, (a, ra) in enumerate(chips) for b, rb in chips[i + 1 :] if ra.intersects(rb)]
        assert clashes == []
    finally:
        close_canvas(c)


def test_the_two_links_of_x_times_x_keep_their_chips_apart(qtbot) -> None:  # type: ignore[no-untyped-def]
    from explorer.graph.layout import apply_layout
    from explorer.graph.parser import parse

    g = parse("y(x) = x*x")
    apply_layout(g)
    c = make_canvas(qtbot, g)
    try:
        first, second = sorted(c.scene.edge_items(), key=lambda e: e.edge.slot)
        a, b = first.chip_rect(), second.chip_rect()
        assert a is not None and b is not None and not a.intersects(b)
        assert a.bottom() < b.top()  # each beside the port it feeds
    finally:
        close_canvas(c)


def test_an_unnamed_op_never_shows_a_cut_title(qtbot) -> None:  # type: ignore[no-untyped-def]
    """In both themes: the op chip names it ("exp") rather than an elided "Expone…"."""
    from explorer.graph.layout import apply_layout
    from explorer.graph.parser import parse
    from explorer.theme import DARK

    g = parse("y(x) = exp(log(x)) + abs(x) + sigmoid(x) + sqrt(x)")
    apply_layout(g)
    c = make_canvas(qtbot, g)
    try:
        for theme in (None, DARK):
            if theme is not None:
                c.scene.set_theme(theme)
            titles = {item.op: item.title_text() for item in c.scene.node_items()}
            assert not any(t.endswith("…") for t in titles.values()), titles
            assert titles["sigmoid"] == "Sigmoid" and titles["sqrt"] == "Square root"  # they fit
    finally:
        close_canvas(c)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_backward_pass_products_neither_cover_cards_nor_get_cut(path, qtbot) -> None:  # type: ignore[no-untyped-def]
    """At every step of the backward pass (what the GIF frames show): a product too long
    for its gap shows its result, so no chip covers a card or a name."""
    from explorer.animation.player import Player

    c = make_canvas(qtbot, load(path))
    try:
        player = Player(c.document, c.scene)
        player.animate_steps = False
        captions = 0
        stride = max(1, (player.count - player.forward_count) // 40)  # about forty steps each
        for n in [*range(player.forward_count + 1, player.count, stride), player.count]:
            player.seek(n)
            for e in c.scene.edge_items():
                chip = e.chip_rect()
                if chip is None:
                    continue
                captions += "=" in e.label_text()
                assert e.sceneBoundingRect().contains(chip), (n, e.edge)
                near = [item for item in c.scene.items(chip) if hasattr(item, "occupied_rects")]
                assert not any(chip.intersects(r) for item in near for r in item.occupied_rects()), (
                    n,
                    e.edge,
                )
        assert captions > 0
    finally:
        close_canvas(c)


def test_a_product_too_long_for_one_line_breaks_before_its_result(qtbot) -> None:  # type: ignore[no-untyped-def]
    from explorer.animation.player import Player

    from .canvas_helpers import lesson_graph

    c = make_canvas(qtbot, lesson_graph())
    try:
        player = Player(c.document, c.scene)
        player.seek(player.count)
        a_to_c = c.scene.edge_item(Edge(c.node_id("a"), c.node_id("c"), 0))
        assert a_to_c.label_text() == "14 × 3 = 42"  # the whole product is still said
        box, lines = a_to_c._chip_layout(a_to_c.label_text())
        assert lines == ("14 × 3", "= 42") and box.height() > 18.0
        assert not box.intersects(c.item("c").card_rect())
    finally:
        close_canvas(c)
