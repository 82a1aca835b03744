"""Constants and input-free nodes: compact pills, no gradient, no local-derivative label;
and operand ports that read clearly."""

from __future__ import annotations

import math

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest

from explorer.canvas import style as st
from explorer.canvas.node_chrome import operand_label
from explorer.graph.model import Edge, Graph
from explorer.theme import LIGHT, format_number

from .canvas_helpers import Canvas, close_canvas, make_canvas


def _constant(canvas: Canvas, value: float):  # type: ignore[no-untyped-def]
    (node,) = [n for n in canvas.graph if n.op == "const" and n.value == value]
    return canvas.scene.node_item(node.id)


def _pixel(canvas: Canvas, scene_pos: QPointF) -> QColor:
    image: QImage = canvas.view.viewport().grab().toImage()
    p = canvas.point(scene_pos)
    return image.pixelColor(p.x(), p.y())


def test_a_constant_is_a_small_pill_with_just_its_number(canvas: Canvas) -> None:
    two = _constant(canvas, 2.0)  # the exponent of loss = d**2
    assert two.is_pill and two.value_text() == "2"
    assert two.grad_text() == "" and not two.has_gradient
    pill = two.card_rect()
    assert pill.height() == st.PILL_HEIGHT and pill.width() < st.WIDTH / 3
    # Its output port is where a card's would be, so links and the layout are unchanged.
    corner = two.pos()
    assert two.output_port_pos() == QPointF(corner.x() + st.WIDTH, corner.y() + st.BODY_MID)
    assert pill.right() == corner.x() + st.WIDTH
    # On screen: the pill's tint just inside its left end, bare canvas where a card's
    # grad row would have been.
    assert _pixel(canvas, QPointF(pill.left() + 5.0, pill.center().y())) == QColor(LIGHT.const_fill)
    where_the_grad_was = QPointF(corner.x() + st.GRAD_ROW.center().x(), corner.y() + st.GRAD_ROW.center().y())
    assert _pixel(canvas, where_the_grad_was) != QColor(LIGHT.node_fill)
    assert "no gradient" in two.tooltip_text()


def test_links_out_of_constants_carry_no_local_derivative(canvas: Canvas) -> None:
    loss, d = canvas.node_id("loss"), canvas.node_id("d")
    exponent = canvas.scene.edge_item(
        next(e for e in canvas.graph.edges() if e.target == loss and e.slot == 1)
    )
    one = canvas.scene.edge_item(next(e for e in canvas.graph.edges() if e.target == d and e.slot == 1))
    assert exponent.label_text() == "" and one.label_text() == ""
    assert canvas.scene.edge_item(Edge(d, loss, 0)).label_text() == "×14"  # 2 * d, d = 7


def _input_free_graph() -> Graph:
    """y = (2 * 3) * x: the product m = 2 * 3 depends on no input."""
    g = Graph()
    k1 = g.add_node("const", "", 2.0, (0.0, 0.0)).id
    k2 = g.add_node("const", "", 3.0, (0.0, 120.0)).id
    x = g.add_node("input", "x", 5.0, (0.0, 240.0)).id
    m = g.add_node("mul", "m", position=(240.0, 60.0)).id
    y = g.add_node("mul", "y", position=(480.0, 150.0)).id
    g.connect(k1, m, 0)
    g.connect(k2, m, 1)
    g.connect(m, y, 0)
    g.connect(x, y, 1)
    return g


def _grad_row_shows(canvas: Canvas, name: str, colour: str) -> bool:
    """Whether any pixel of the number end of ``name``'s grad row has ``colour``."""
    image: QImage = canvas.view.viewport().grab().toImage()
    row = canvas.item(name).mapRectToScene(st.GRAD_ROW)
    top, bottom = canvas.point(row.topLeft()), canvas.point(row.bottomRight())
    want = QColor(colour)
    return any(
        image.pixelColor(x, y) == want
        for x in range((top.x() + bottom.x()) // 2, bottom.x())
        for y in range(top.y(), bottom.y())
    )


def test_a_node_that_depends_on_no_input_shows_no_gradient(qtbot) -> None:  # type: ignore[no-untyped-def]
    c = make_canvas(qtbot, _input_free_graph())
    try:
        m, x = c.item("m"), c.item("x")
        assert m.value_text() == "6" and not m.varies and not m.has_gradient
        assert m.grad_text() == "" and "depends on no input" in m.tooltip_text().lower()
        assert not _grad_row_shows(c, "m", LIGHT.grad) and _grad_row_shows(c, "y", LIGHT.grad)
        assert x.grad_text() == "6"  # dy/dx = m
        edges = {(e.source, e.slot): c.scene.edge_item(e).label_text() for e in c.graph.edges()}
        assert edges[(c.node_id("m"), 0)] == ""  # out of an input-free product
        assert edges[(c.node_id("x"), 1)] == "×6"  # d(m * x)/dx = m
        # Link x into m in place of the 3: m now depends on x and shows its gradient.
        c.document.link(c.node_id("x"), c.node_id("m"), 1)
        ev = c.document.evaluation
        assert m.varies and m.has_gradient
        assert m.grad_text() == format_number(ev.grad_of(c.node_id("m"))) == "5"  # dy/dm = x
        assert c.scene.edge_item(Edge(c.node_id("x"), c.node_id("m"), 1)).label_text() == "×2"
        c.view.viewport().repaint()
        assert _grad_row_shows(c, "m", LIGHT.grad)
    finally:
        close_canvas(c)


def test_a_pill_is_scrubbed_and_typed_into_like_a_value_row(canvas: Canvas) -> None:
    two = _constant(canvas, 2.0)
    narrow = two.card_rect().width()
    start = canvas.point(two.card_rect().center())
    canvas.drag(start, start + QPoint(35, 0))  # 1% of the magnitude per pixel
    node = canvas.graph.node(two.node_id)
    assert math.isclose(node.value, 2.35)
    assert two.value_text() == "2.35" and two.card_rect().width() > narrow  # the pill grows
    assert canvas.item("loss").value_text() == format_number(7.0**2.35)
    canvas.document.undo_stack.undo()
    assert node.value == 2.0 and two.card_rect().width() == narrow
    canvas.double_click(canvas.point(two.card_rect().center()))
    editor = canvas.scene.editor
    assert editor is not None and editor.geometry().width() >= 80.0
    # Centred on its pill, the number where the pill had it (it sat left of the pill).
    pill = two.card_rect()
    assert abs(editor.geometry().center().x() - pill.center().x()) <= 1.0
    assert editor.geometry().top() == pill.top() and editor.geometry().height() == pill.height()
    assert editor.line_edit.alignment() & Qt.AlignmentFlag.AlignHCenter
    editor.line_edit.setText("3")
    QTest.keyClick(editor.line_edit, Qt.Key.Key_Return)
    assert node.value == 3.0 and canvas.item("loss").value_text() == "343"


def test_a_named_constant_shows_its_name_in_the_pill(qtbot) -> None:  # type: ignore[no-untyped-def]
    g = Graph()
    k = g.add_node("const", "k", 0.5, (0.0, 0.0)).id
    y = g.add_node("neg", "y", position=(240.0, 0.0)).id
    g.connect(k, y, 0)
    c = make_canvas(qtbot, g)
    try:
        assert c.item("k").value_text() == "k = 0.5"
        editor = c.scene.rename_node(k)  # what F2 and the Rename action open
        assert editor is not None and editor.geometry().width() >= 100.0  # room to type
        editor.line_edit.setText("half")
        QTest.keyClick(editor.line_edit, Qt.Key.Key_Return)
        assert c.graph.node(k).name == "half"
        assert c.item("half").value_text() == "half = 0.5"
    finally:
        close_canvas(c)


def test_operand_ports_sit_off_the_rows_and_are_named(canvas: Canvas) -> None:
    for slot in (0, 1):
        y = st.input_port_y(slot, 2)
        for row in (st.VALUE_ROW, st.GRAD_ROW):
            assert abs(y - row.center().y()) >= 8.0  # a link does not point at a row
    assert [operand_label("pow", k) for k in (0, 1)] == ["base", "exp"]
    assert [operand_label("sub", k) for k in (0, 1)] == ["a", "b"]
    # The links land on the ports.
    loss = canvas.item("loss")
    for edge in canvas.graph.edges():
        if edge.target == loss.node_id:
            end = canvas.scene.edge_item(edge).path_point(1.0)
            assert (end - loss.input_port_pos(edge.slot)).manhattanLength() < 8.0


def test_a_long_override_uses_the_whole_row(canvas: Canvas) -> None:
    # The animation writes running sums into the grad row; they need more than the
    # number's usual room, so the row label gives way.
    c = canvas.item("c")
    c.set_grad_override("1 + 3 + 3 = 7")
    assert c.grad_text() == "1 + 3 + 3 = 7"
    c.set_grad_override(None)
    assert c.grad_text() == "14"
