"""The scene as a picture of the document: live numbers, diagnostics, themes, labels and
the display API the animation drives."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPoint, QPointF
from PySide6.QtGui import QColor, QImage

from explorer.canvas.edge_item import EdgeItem
from explorer.graph.model import Edge, Graph
from explorer.theme import DARK, LIGHT

from .canvas_helpers import Canvas, close_canvas, make_canvas


def _log_graph(x: float) -> Graph:
    """y = log(x) * 2 — undefined for x <= 0."""
    g = Graph()
    xi = g.add_node("input", "x", x, (0.0, 0.0)).id
    two = g.add_node("const", "", 2.0, (0.0, 140.0)).id
    lg = g.add_node("log", "l", position=(240.0, 0.0)).id
    y = g.add_node("mul", "y", position=(480.0, 40.0)).id
    g.connect(xi, lg, 0)
    g.connect(lg, y, 0)
    g.connect(two, y, 1)
    return g


def test_every_card_shows_the_evaluation(canvas: Canvas) -> None:
    # Forward 2*3 = 6, 6 + 1 = 7, 7^2 = 49; backward 1, 2*7 = 14, 14, 14*3 = 42, 14*2 = 28.
    expected = {"a": ("2", "42"), "b": ("3", "28"), "c": ("6", "14"), "d": ("7", "14"), "loss": ("49", "1")}
    for name, (value, grad) in expected.items():
        item = canvas.item(name)
        assert (item.value_text(), item.grad_text()) == (value, grad), name
    assert canvas.item("loss").is_output
    assert [i.node_id for i in canvas.scene.node_items() if i.is_output] == [canvas.node_id("loss")]


def test_edges_carry_their_local_derivative(canvas: Canvas) -> None:
    a, b, c_id = canvas.node_id("a"), canvas.node_id("b"), canvas.node_id("c")
    into_c_from_a = canvas.scene.edge_item(Edge(a, c_id, 0))
    assert into_c_from_a.label_text() == "×3"  # d(a*b)/da = b = 3
    assert canvas.scene.edge_item(Edge(b, c_id, 1)).label_text() == "×2"
    d, loss = canvas.node_id("d"), canvas.node_id("loss")
    assert canvas.scene.edge_item(Edge(d, loss, 0)).label_text() == "×14"  # 2 * d
    # The exponent 2 is a constant: its link carries no local derivative (ln(7) * 49 would
    # only say how the loss moves if the number 2 moved), unless the animation captions it.
    exponent = canvas.scene.edge_item(
        next(e for e in canvas.graph.edges() if e.target == loss and e.slot == 1)
    )
    assert not exponent.source_varies and exponent.label_text() == ""
    exponent.set_caption("2 · 7 = 14")
    assert exponent.label_text() == "2 · 7 = 14"
    exponent.set_caption(None)
    canvas.scene.set_show_edge_labels(False)
    assert into_c_from_a.label_text() == ""
    into_c_from_a.set_caption("14 × 3 = 42")  # a caption shows even without labels
    assert into_c_from_a.label_text() == "14 × 3 = 42"
    into_c_from_a.set_caption(None)
    canvas.scene.set_show_edge_labels(True)
    assert into_c_from_a.label_text() == "×3"


def test_a_domain_error_turns_the_node_red_and_downstream_undefined(qtbot) -> None:  # type: ignore[no-untyped-def]
    c = make_canvas(qtbot, _log_graph(-1.0))
    try:
        log_item, y_item = c.item("l"), c.item("y")
        assert log_item.has_error
        assert any("log of a non-positive number" in m for m in log_item.errors)
        assert "log of a non-positive number" in log_item.tooltip_text()
        assert log_item.value_text() == "undefined"
        assert not y_item.has_error and y_item.value_text() == "undefined"
        assert c.item("x").grad_text() == "undefined"
        # Scrub x into the domain: the error clears and the numbers appear, live.
        start = c.point(c.item("x").value_rect().center())
        c.drag(start, start + QPoint(300, 0))  # -1 + 300 * 0.01 = 2
        assert c.graph.find("x").value == 2.0
        assert not log_item.has_error
        assert y_item.value_text() == f"{2 * math.log(2):.4g}"
        assert c.item("x").grad_text() == "1"  # d(2 ln x)/dx = 2 / x
    finally:
        close_canvas(c)


def test_an_unconnected_operand_is_a_note_not_an_error(qtbot) -> None:  # type: ignore[no-untyped-def]
    g = Graph()
    g.add_node("add", "s", position=(0.0, 0.0))
    c = make_canvas(qtbot, g)
    try:
        item = c.item("s")
        assert not item.has_error
        assert "not connected" in item.tooltip_text()
        assert item.value_text() == "undefined"
    finally:
        close_canvas(c)


def _pixel(canvas: Canvas, scene_pos: QPointF) -> QColor:
    image: QImage = canvas.view.viewport().grab().toImage()
    p = canvas.point(scene_pos)
    return image.pixelColor(p.x(), p.y())


def test_theme_switch_recolours_everything(canvas: Canvas) -> None:
    corner = canvas.scene.nodes_rect().topLeft() - QPointF(40.0, 40.0)
    grid = 24.0  # explorer.canvas.view.GRID at 100%: sample midway between grid lines
    empty = QPointF(
        math.floor(corner.x() / grid) * grid + grid / 2, math.floor(corner.y() / grid) * grid + grid / 2
    )
    assert _pixel(canvas, empty) == QColor(LIGHT.background)
    header = canvas.item("c").header_rect().center() + QPointF(30.0, 8.0)
    assert _pixel(canvas, header) == QColor(LIGHT.node_header)
    canvas.scene.set_theme(DARK)
    assert canvas.scene.theme is DARK
    assert _pixel(canvas, empty) == QColor(DARK.background)
    assert _pixel(canvas, header) == QColor(DARK.node_header)
    assert canvas.view.quick_add.styleSheet().count(DARK.node_fill) >= 1


def _column(canvas: Canvas, x: float, y0: float, y1: float) -> list[QColor]:
    """The pixels down a short vertical line of the viewport (scene coordinates)."""
    image: QImage = canvas.view.viewport().grab().toImage()
    top, bottom = canvas.point(QPointF(x, y0)), canvas.point(QPointF(x, y1))
    return [image.pixelColor(top.x(), y) for y in range(top.y(), bottom.y() + 1)]


def test_the_output_and_selection_are_marked_on_screen(canvas: Canvas) -> None:
    card = canvas.item("loss").card_rect()
    # A thick border in the output colour (its core is solid) and the OUTPUT tag above.
    assert QColor(LIGHT.output_border) in _column(canvas, card.left() + 40.0, card.top() - 3, card.top() + 3)
    assert _pixel(canvas, QPointF(card.left() + 3.0, card.top() - 11.0)) == QColor(LIGHT.output_border)
    ordinary = canvas.item("d").card_rect()
    assert QColor(LIGHT.output_border) not in _column(
        canvas, ordinary.left() + 40.0, ordinary.top() - 3, ordinary.top() + 3
    )
    canvas.scene.select_nodes([canvas.node_id("d")])
    assert QColor(LIGHT.node_selected) in _column(
        canvas, ordinary.left() + 40.0, ordinary.top() - 6, ordinary.top()
    )


def test_value_and_gradient_use_the_theme_colours(canvas: Canvas) -> None:
    from explorer.canvas import style

    image = canvas.view.viewport().grab().toImage()
    item = canvas.item("c")
    for row, colour in ((style.VALUE_ROW, LIGHT.value), (style.GRAD_ROW, LIGHT.grad)):
        bar = item.mapToScene(QPointF(row.left() + 5.5, row.center().y()))
        p = canvas.point(bar)
        assert image.pixelColor(p.x(), p.y()) == QColor(colour)


def test_animation_display_api(canvas: Canvas) -> None:
    item = canvas.item("c")
    item.set_value_override("?")
    item.set_grad_override("14 × 3")
    assert (item.value_text(), item.grad_text()) == ("?", "14 × 3")
    item.set_value_override(None)
    assert item.value_text() == "6"
    for kind in ("active", "done", "path", "dim", None):
        item.set_emphasis(kind)
        assert item.emphasis == kind
    with pytest.raises(ValueError):
        item.set_emphasis("glow")
    item.set_tangent_text("dc/da = 3")
    assert item.tangent_text == "dc/da = 3"
    edge = canvas.scene.edge_item(Edge(canvas.node_id("a"), canvas.node_id("c"), 0))
    edge.set_emphasis("active")
    edge.set_width_scale(3.0)
    assert edge.emphasis == "active" and edge.width_scale == 3.0 and not edge.is_plain
    start, end = edge.path_point(0.0), edge.path_point(1.0)
    assert (start - canvas.item("a").output_port_pos()).manhattanLength() < 8.0
    assert (end - item.input_port_pos(0)).manhattanLength() < 8.0
    canvas.scene.set_pulse(edge.edge, 0.25, False, "2")
    pulse = canvas.scene.pulse_item
    assert pulse.isVisible() and pulse.text == "2" and not pulse.backward
    assert pulse.pos() == edge.path_point(0.25)
    canvas.scene.set_pulse(edge.edge, 0.25, True, "42")  # backward pulses start at the target
    assert pulse.pos() == edge.path_point(0.75) and pulse.backward
    canvas.scene.set_pulse(None, 0.0, False, "")
    assert not pulse.isVisible()
    canvas.view.viewport().grab()  # every emphasis paints without error


def test_zoomed_out_cards_drop_small_text_but_stay_visible(canvas: Canvas) -> None:
    canvas.view.set_zoom(0.3, canvas.scene.nodes_rect().center())
    item = canvas.item("c")
    centre = item.card_rect().center()
    image = canvas.view.viewport().grab().toImage()
    p = canvas.point(centre)
    assert image.pixelColor(p.x(), p.y()) != QColor(LIGHT.background)
    # Far out, the links are drawn together by one layer: each item skips itself.
    assert all(isinstance(e, EdgeItem) and e.is_plain for e in canvas.scene.edge_items())
    canvas.view.set_zoom(0.08, canvas.scene.nodes_rect().center())
    canvas.view.viewport().grab()


def test_new_nodes_without_a_position_are_placed_by_the_layout(canvas: Canvas) -> None:
    nid = canvas.document.add_node("tanh")
    item = canvas.scene.node_item(nid)
    others = [i.card_rect() for i in canvas.scene.node_items() if i is not item]
    assert not any(item.card_rect().intersects(r) for r in others)
