"""Navigation and drops on the real view: pan, zoom, fit, palette drops, Space."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from explorer.canvas.view import OP_MIME_TYPE

from .canvas_helpers import Canvas


def _centre(canvas: Canvas) -> QPointF:
    return canvas.view.mapToScene(canvas.view.viewport().rect().center())


def test_middle_drag_pans_by_the_drag(canvas: Canvas) -> None:
    before = _centre(canvas)
    start = QPoint(500, 300)
    canvas.drag(start, start + QPoint(120, -80), button=Qt.MouseButton.MiddleButton)
    after = _centre(canvas)
    assert (after.x() - before.x(), after.y() - before.y()) == (-120.0, 80.0)  # 100%: 1 px = 1 unit
    assert canvas.scene.selected_node_ids() == []  # no rubber band, no edit


def test_space_drag_pans_and_a_space_tap_is_announced(canvas: Canvas) -> None:
    taps: list[bool] = []
    canvas.view.space_tapped.connect(lambda: taps.append(True))
    before = _centre(canvas)
    QTest.keyPress(canvas.view, Qt.Key.Key_Space)
    start = canvas.point(canvas.item("c").header_rect().center())  # even over a card
    canvas.drag(start, start + QPoint(-50, 30))
    QTest.keyRelease(canvas.view, Qt.Key.Key_Space)
    after = _centre(canvas)
    assert (after.x() - before.x(), after.y() - before.y()) == (50.0, -30.0)
    assert canvas.document.undo_stack.count() == 0  # the card did not move
    assert taps == []
    QTest.keyClick(canvas.view, Qt.Key.Key_Space)
    assert taps == [True]


def test_wheel_zooms_around_the_cursor(canvas: Canvas) -> None:
    viewport = canvas.view.viewport()
    spot = QPoint(300, 200)
    anchor = canvas.view.mapToScene(spot)
    event = QWheelEvent(
        QPointF(spot),
        QPointF(viewport.mapToGlobal(spot)),
        QPoint(0, 0),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    canvas.move(spot, Qt.MouseButton.NoButton)
    QApplication.sendEvent(viewport, event)
    assert canvas.view.zoom > 1.3
    after = canvas.view.mapToScene(spot)
    assert (after - anchor).manhattanLength() < 2.0


def test_ctrl_0_fits_everything_and_ctrl_1_is_100_percent(canvas: Canvas) -> None:
    canvas.view.set_zoom(3.0, QPointF(-2000.0, -2000.0))
    QTest.keyClick(canvas.view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    visible = canvas.view.mapToScene(canvas.view.viewport().rect()).boundingRect()
    for item in canvas.scene.node_items():
        assert visible.contains(item.card_rect())
    QTest.keyClick(canvas.view, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert canvas.view.zoom == 1.0


def _drop(canvas: Canvas, payload: bytes, pos: QPoint) -> QDropEvent:
    viewport = canvas.view.viewport()
    mime = QMimeData()
    mime.setData(OP_MIME_TYPE, QByteArray(payload))
    action = Qt.DropAction.CopyAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos, action, mime, buttons, mods)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    move = QDragMoveEvent(pos, action, mime, buttons, mods)
    QApplication.sendEvent(viewport, move)
    assert move.isAccepted()
    drop = QDropEvent(QPointF(pos), action, mime, buttons, mods)
    QApplication.sendEvent(viewport, drop)
    return drop


def test_dropping_an_op_from_the_palette_adds_it_there(canvas: Canvas) -> None:
    spot = QPoint(200, 600)
    drop = _drop(canvas, b"sigmoid", spot)
    assert drop.isAccepted()
    added = [n for n in canvas.graph.nodes if n.op == "sigmoid"]
    assert len(added) == 1
    assert canvas.scene.node_item(added[0].id).card_rect().contains(canvas.view.mapToScene(spot))
    assert canvas.document.undo_stack.count() == 1


def test_dropped_inputs_get_fresh_names(canvas: Canvas) -> None:
    _drop(canvas, b"input", QPoint(150, 600))
    _drop(canvas, b"input", QPoint(450, 600))
    names = [n.name for n in canvas.graph.nodes if n.op == "input"]
    assert names == ["a", "b", "x", "y"]


def test_an_unknown_op_is_refused(canvas: Canvas) -> None:
    messages: list[str] = []
    canvas.scene.message.connect(messages.append)
    drop = _drop(canvas, b"frobnicate", QPoint(200, 600))
    assert not drop.isAccepted()
    assert len(canvas.graph) == 7 and messages and "frobnicate" in messages[0]
