"""Mouse gestures on a real view: connect, refuse, scrub, move, rubber band.

Expected numbers are derived by hand from the lesson graph
``c = a*b, d = c + 1, loss = d**2`` at a = 2, b = 3 (c = 6, d = 7, loss = 49).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPoint, QPointF, Qt

from explorer.graph.model import Edge, Graph
from explorer.io.format import dumps

from .canvas_helpers import Canvas, close_canvas, make_canvas


def _two_loose_nodes(qtbot) -> Canvas:  # type: ignore[no-untyped-def]
    g = Graph()
    g.add_node("input", "x", 0.5, (0.0, 0.0))
    g.add_node("tanh", "t", position=(300.0, 60.0))
    return make_canvas(qtbot, g)


def test_connect_by_dragging_from_output_port_to_input_port(qtbot) -> None:  # type: ignore[no-untyped-def]
    c = _two_loose_nodes(qtbot)
    try:
        x, t = c.node_id("x"), c.node_id("t")
        start = c.point(c.item("x").output_port_pos())
        end = c.point(c.item("t").input_port_pos(0))
        c.drag(start, end)
        assert c.graph.edges() == [Edge(x, t, 0)]
        assert c.scene.edge_item(Edge(x, t, 0)) is not None
        assert c.item("t").input_connected(0)
        # Live recompute: the card now shows tanh(0.5), and the edge its local derivative.
        assert c.item("t").value_text() == f"{math.tanh(0.5):.4g}"
        local = 1.0 - math.tanh(0.5) ** 2
        assert c.scene.edge_item(Edge(x, t, 0)).label_text() == f"×{local:.4g}"
        c.document.undo_stack.undo()
        assert c.graph.edges() == []
        assert c.scene.edge_items() == []
    finally:
        close_canvas(c)


def test_connect_by_dragging_from_input_port_back_to_an_output(qtbot) -> None:  # type: ignore[no-untyped-def]
    c = _two_loose_nodes(qtbot)
    try:
        start = c.point(c.item("t").input_port_pos(0))
        end = c.point(c.item("x").card_rect().center())  # anywhere on the source card
        c.drag(start, end)
        assert c.graph.edges() == [Edge(c.node_id("x"), c.node_id("t"), 0)]
    finally:
        close_canvas(c)


def test_a_cycle_is_refused_in_place_and_the_graph_is_unchanged(canvas: Canvas) -> None:
    messages: list[str] = []
    canvas.scene.message.connect(messages.append)
    before = dumps(canvas.graph)
    steps = canvas.document.undo_stack.count()
    # loss's output into c's first operand: c -> d -> loss -> c would be a cycle.
    start = canvas.point(canvas.item("loss").output_port_pos())
    end = canvas.point(canvas.item("c").input_port_pos(0))
    canvas.drag(start, end)
    assert dumps(canvas.graph) == before
    assert canvas.document.undo_stack.count() == steps
    note = canvas.scene.in_place_message()
    assert note is not None and "cycle" in note and "'loss'" in note and "'c'" in note
    assert messages == [note]
    # The next press clears the note.
    canvas.click(canvas.point(QPointF(-400.0, -400.0)))
    assert canvas.scene.in_place_message() is None


def test_a_full_node_and_an_input_refuse_with_their_reasons(canvas: Canvas) -> None:
    before = dumps(canvas.graph)
    start = canvas.point(canvas.item("a").output_port_pos())
    canvas.drag(start, canvas.point(canvas.item("d").card_rect().center()))
    note = canvas.scene.in_place_message()
    assert note is not None and "all operands of 'd' are connected" in note
    canvas.drag(start, canvas.point(canvas.item("b").card_rect().center()))
    note = canvas.scene.in_place_message()
    assert note is not None and "'b' is input and takes no operands" in note
    assert dumps(canvas.graph) == before


def test_dropping_on_a_taken_port_replaces_its_link_in_one_step(canvas: Canvas) -> None:
    a, b, c_id = canvas.node_id("a"), canvas.node_id("b"), canvas.node_id("c")
    steps = canvas.document.undo_stack.count()
    canvas.drag(
        canvas.point(canvas.item("a").output_port_pos()), canvas.point(canvas.item("c").input_port_pos(1))
    )
    assert canvas.graph.node(c_id).operands == [a, a]
    assert canvas.item("c").value_text() == "4"  # 2 * 2
    assert canvas.document.undo_stack.count() == steps + 1
    canvas.document.undo_stack.undo()
    assert canvas.graph.node(c_id).operands == [a, b]


def test_scrubbing_a_value_updates_the_output_live_and_undoes_in_one_step(canvas: Canvas) -> None:
    stack = canvas.document.undo_stack
    steps = stack.count()
    field = canvas.item("a").value_rect()
    start = canvas.point(field.center())
    # 1 % of the value's magnitude per pixel: +100 px takes a from 2 to 3.
    canvas.press(start)
    for dx in (10, 40, 70, 100):
        canvas.move(start + QPoint(dx, 0))
        # Every move recomputes: loss = (3a + 1)^2 at the current a.
        a = canvas.graph.find("a").value
        assert canvas.item("loss").value_text() == f"{(3 * a + 1) ** 2:.4g}"
    canvas.release(start + QPoint(100, 0))
    assert canvas.graph.find("a").value == 3.0
    assert canvas.item("a").value_text() == "3"
    assert canvas.item("loss").value_text() == "100"  # (3*3 + 1)^2
    assert canvas.item("a").grad_text() == "60"  # 2 * 10 * 3
    assert stack.count() == steps + 1
    stack.undo()
    assert canvas.graph.find("a").value == 2.0
    assert canvas.item("loss").value_text() == "49"


def test_shift_scrubs_ten_times_finer(canvas: Canvas) -> None:
    start = canvas.point(canvas.item("b").value_rect().center())
    canvas.drag(start, start + QPoint(-50, 0), mods=Qt.KeyboardModifier.ShiftModifier)
    assert canvas.graph.find("b").value == 2.95  # 3 - 50 * 0.001


def test_a_click_on_a_value_selects_without_changing_it(canvas: Canvas) -> None:
    steps = canvas.document.undo_stack.count()
    canvas.click(canvas.point(canvas.item("a").value_rect().center()))
    assert canvas.scene.selected_node_ids() == [canvas.node_id("a")]
    assert canvas.document.undo_stack.count() == steps


def test_moving_two_selected_nodes_is_one_undo_step(canvas: Canvas) -> None:
    stack = canvas.document.undo_stack
    steps = stack.count()
    a_item, b_item = canvas.item("a"), canvas.item("b")
    a0, b0 = canvas.graph.find("a").position, canvas.graph.find("b").position
    assert a0 is not None and b0 is not None
    canvas.click(canvas.point(a_item.header_rect().center()))
    canvas.click(canvas.point(b_item.header_rect().center()), Qt.KeyboardModifier.ControlModifier)
    assert set(canvas.scene.selected_node_ids()) == {canvas.node_id("a"), canvas.node_id("b")}
    start = canvas.point(a_item.header_rect().center())
    canvas.drag(start, start + QPoint(60, 40), steps=8)
    assert canvas.graph.find("a").position == (a0[0] + 60, a0[1] + 40)  # 100% zoom: 1 px = 1 unit
    assert canvas.graph.find("b").position == (b0[0] + 60, b0[1] + 40)
    assert stack.count() == steps + 1
    # The links followed the cards.
    edge = canvas.scene.edge_item(Edge(canvas.node_id("a"), canvas.node_id("c"), 0))
    assert edge.path_point(0.0).x() > a_item.output_port_pos().x()
    assert abs(edge.path_point(0.0).y() - a_item.output_port_pos().y()) < 1e-6
    stack.undo()
    assert canvas.graph.find("a").position == a0 and canvas.graph.find("b").position == b0
    assert (a_item.pos().x(), a_item.pos().y()) == a0


def test_a_rubber_band_selects_the_cards_it_touches(canvas: Canvas) -> None:
    rect = canvas.item("a").card_rect().united(canvas.item("b").card_rect())
    start = canvas.point(rect.topLeft() + QPointF(-30.0, -30.0))
    end = canvas.point(QPointF(rect.left() + 20.0, rect.bottom() + 10.0))
    canvas.drag(start, end)
    assert canvas.scene.selected_node_ids() == [canvas.node_id("a"), canvas.node_id("b")]
