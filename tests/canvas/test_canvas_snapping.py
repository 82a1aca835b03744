"""Where a dragged link lands: only operand ports within a small radius pull it in, and a
drop on another card's *output* port is refused with the reason (it used to connect,
silently, to the card's first free operand: x's output dropped on Power's output became
its base)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, QRect

from explorer.canvas.edge_item import DragEdgeItem
from explorer.canvas.interactions import SNAP_RADIUS
from explorer.graph.model import Edge, Graph
from explorer.io.format import dumps

from .canvas_helpers import Canvas, close_canvas, make_canvas


def _preview(c: Canvas) -> DragEdgeItem:
    found = [item for item in c.scene.items() if isinstance(item, DragEdgeItem)]
    assert len(found) == 1
    return found[0]


def _x_and_power(qtbot) -> Canvas:  # type: ignore[no-untyped-def]
    g = Graph()
    g.add_node("input", "x", 3.0, (0.0, 0.0))
    g.add_node("pow", "p", position=(320.0, 40.0))
    return make_canvas(qtbot, g)


@pytest.mark.parametrize("zoom", [1.0, 0.5])
def test_a_drop_on_an_output_port_is_refused_with_the_reason(qtbot, zoom: float) -> None:  # type: ignore[no-untyped-def]
    c = _x_and_power(qtbot)
    try:
        port = c.item("p").output_port_pos()
        c.view.set_zoom(zoom, port)
        half = c.view.viewport().width() / 2.0 / zoom
        c.view.centerOn(port - QPointF(half - 50.0 / zoom, 0.0))  # the port 50 px from the right edge
        before = dumps(c.graph)
        start = c.point(c.item("x").output_port_pos())
        end = c.point(c.item("p").output_port_pos())
        c.press(start)
        c.move(start + QPoint(40, 0))
        c.move(end)
        drag = _preview(c)
        assert not drag.ok  # drawn as refused while hovering
        c.release(end)
        assert dumps(c.graph) == before  # nothing connected
        note = c.scene.in_place_message()
        assert note is not None and "output of 'p'" in note and "'base'" in note and "'exp'" in note
        # The whole note is on screen, not cut at the view's edge.
        note_box = c.view.mapFromScene(c.scene._message_item.scenePos())
        size = c.scene._message_item.boundingRect().size().toSize()
        assert c.view.viewport().rect().contains(QRect(note_box, size))
    finally:
        close_canvas(c)


def test_a_link_snaps_to_an_operand_port_only_when_close(qtbot) -> None:  # type: ignore[no-untyped-def]
    c = _x_and_power(qtbot)
    try:
        x, p = c.node_id("x"), c.node_id("p")
        start = c.point(c.item("x").output_port_pos())
        port = c.item("p").input_port_pos(1)  # exp
        near = port + QPointF(-(SNAP_RADIUS - 6.0), 3.0)  # left of the card, close to the port
        c.press(start)
        c.move(start + QPoint(40, 0))
        c.move(c.point(near))
        assert _preview(c).end == port  # the line snaps onto the port
        far = port + QPointF(-(SNAP_RADIUS + 30.0), 0.0)  # out on the canvas
        c.move(c.point(far))
        assert _preview(c).end != port
        c.release(c.point(far))
        assert c.graph.edges() == []  # nothing was near enough
        c.drag(start, c.point(near))
        assert c.graph.edges() == [Edge(x, p, 1)]
    finally:
        close_canvas(c)


def test_a_drop_on_a_function_calls_output_names_its_parameters(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A call node's ports are its function's parameters (no entry in the op table)."""
    from explorer.graph.layout import apply_layout
    from explorer.graph.parser import parse

    g = parse("g(x) = 2*x + 1\nh = g(x)**2")
    g.add_node("input", "w", 1.0, (-400.0, -200.0))
    apply_layout(g)
    c = make_canvas(qtbot, g)
    try:
        call = next(item for item in c.scene.node_items() if item.op == "call")
        before = dumps(c.graph)
        c.drag(c.point(c.item("w").output_port_pos()), c.point(call.output_port_pos()))
        assert dumps(c.graph) == before
        note = c.scene.in_place_message()
        assert note is not None and "output of 'g'" in note and "'x'" in note
        assert all(e.chip_rect() is None or not e.chip_rect().isEmpty() for e in c.scene.edge_items())
    finally:
        close_canvas(c)
