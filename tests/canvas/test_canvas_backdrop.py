"""The view's cached pictures (backdrop, card chrome, label chips) against plain vector
drawing: whatever happened, what is on screen is what drawing afresh would show, and a
frame where only numbers change redraws no picture."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QGraphicsItem

from explorer.canvas import style as st
from explorer.theme import DARK, LIGHT

from .canvas_helpers import Canvas

_NO_CONTENTS = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents


def _screen(canvas: Canvas) -> QImage:
    canvas.view.viewport().repaint()
    return canvas.view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


def _vector(canvas: Canvas) -> QImage:
    """The same window drawn by QGraphicsView.render: no cached picture is used."""
    view = canvas.view
    size = view.viewport().size()
    image = QImage(size, QImage.Format.Format_RGB32)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHints(view.renderHints())
    view.render(painter, QRectF(image.rect()), view.viewport().rect())
    painter.end()
    return image


def _pixels(image: QImage) -> np.ndarray:
    rows = np.frombuffer(bytes(image.constBits()), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 4].reshape(image.height(), image.width(), 4)[..., :3].astype(np.int16)


def _stale_pixels(canvas: Canvas) -> int:
    """Pixels where the screen and a vector drawing clearly disagree (antialiasing and
    sub-pixel placement differ by far less than 60 levels)."""
    difference = np.abs(_pixels(_screen(canvas)) - _pixels(_vector(canvas))).max(axis=2)
    return int((difference > 60).sum())


def test_the_screen_matches_a_fresh_drawing_after_every_kind_of_change(canvas: Canvas) -> None:
    canvas.scene.set_show_edge_labels(False)  # label text may sit half a pixel apart
    doc, view, scene = canvas.document, canvas.view, canvas.scene
    changes: list[tuple[str, Callable[[], None]]] = [
        ("start", lambda: None),
        ("node moved", lambda: doc.move_nodes({canvas.node_id("d"): (480.0, 160.0)})),
        ("panned", lambda: view.horizontalScrollBar().setValue(view.horizontalScrollBar().value() + 37)),
        ("panned up", lambda: view.verticalScrollBar().setValue(view.verticalScrollBar().value() - 23)),
        ("value", lambda: doc.set_value(canvas.node_id("a"), 3.5)),
        ("dark", lambda: scene.set_theme(DARK)),
        ("far out", lambda: view.set_zoom(0.3, scene.nodes_rect().center())),
        ("far selected", lambda: scene.select_nodes([canvas.node_id("c")])),
        ("far moved", lambda: doc.move_nodes({canvas.node_id("c"): (240.0, -300.0)})),
        ("far emphasis", lambda: canvas.item("b").set_emphasis("dim")),
        ("near again", lambda: view.set_zoom(1.0, scene.nodes_rect().center())),
        ("light", lambda: scene.set_theme(LIGHT)),
        ("node removed", lambda: doc.remove_nodes([canvas.node_id("b")])),
    ]
    for what, change in changes:
        change()
        assert _stale_pixels(canvas) <= 4, what


def test_a_value_frame_redraws_no_picture(canvas: Canvas) -> None:
    cache, style = canvas.view.backdrop_cache, canvas.scene.canvas_style
    canvas.document.set_value(canvas.node_id("a"), 2.5)
    _screen(canvas)
    _screen(canvas)
    redraws, pictures = cache.redraws, len(style.chrome)
    for k in range(5):
        canvas.document.set_value(canvas.node_id("a"), 3.0 + k)
        _screen(canvas)
    assert cache.redraws == redraws  # no link, no grid line drawn again
    assert len(style.chrome) == pictures  # every card reused its picture
    assert canvas.item("loss").value_text() == "484"  # a = 7: (7 * 3 + 1) ** 2


def test_far_out_the_backdrop_draws_the_cards_and_exports_still_draw_them(canvas: Canvas) -> None:
    view, scene = canvas.view, canvas.scene
    view.set_zoom(0.3, scene.nodes_rect().center())
    _screen(canvas)
    assert scene.far_mode
    assert all(item.flags() & _NO_CONTENTS for item in (*scene.node_items(), *scene.edge_items()))
    card = canvas.item("c").card_rect()
    assert QColor(_screen(canvas).pixelColor(canvas.point(card.center()))) != QColor(LIGHT.background)
    # An export renders the scene itself: every item paints, with vectors.
    source = scene.nodes_rect().adjusted(-20.0, -30.0, 20.0, 20.0)
    image = QImage(round(source.width()), round(source.height()), QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    scene.render(painter, QRectF(image.rect()), source)
    painter.end()
    header = canvas.item("c").mapToScene(QPointF(st.WIDTH - 12.0, st.HEADER / 2.0)) - source.topLeft()
    assert image.pixelColor(round(header.x()), round(header.y())) == QColor(LIGHT.node_header)
    assert scene.far_mode  # and the view is left as it was
    view.set_zoom(1.0, scene.nodes_rect().center())
    _screen(canvas)
    assert not scene.far_mode
    assert not any(item.flags() & _NO_CONTENTS for item in scene.node_items())


class _PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_a_value_change_costs_one_repaint(canvas: Canvas, qapp: QApplication) -> None:
    counter = _PaintCounter()
    canvas.view.viewport().installEventFilter(counter)
    try:
        for k in range(3):
            canvas.document.set_value(canvas.node_id("a"), 4.0 + k)
            qapp.processEvents()
        assert counter.count == 3
        # Zoomed far out no card shows a number: nothing to repaint at all.
        canvas.view.set_zoom(0.3, canvas.scene.nodes_rect().center())
        qapp.processEvents()
        counter.count = 0
        canvas.document.set_value(canvas.node_id("a"), 1.0)
        qapp.processEvents()
        assert counter.count == 0
    finally:
        canvas.view.viewport().removeEventFilter(counter)


def test_a_pan_and_an_edit_in_the_same_frame_both_reach_the_screen(canvas: Canvas) -> None:
    """Replacing the graph adds links and refits the view before one paint: the pan's
    strip and the edited area are two stale parts of the picture (the b → c link of the
    lesson went missing that way after Ctrl+E)."""
    canvas.scene.set_show_edge_labels(False)
    doc, view = canvas.document, canvas.view
    assert _stale_pixels(canvas) <= 4
    doc.move_nodes({canvas.node_id("b"): (30.0, 170.0)})  # the b → c link moves ...
    view.verticalScrollBar().setValue(view.verticalScrollBar().value() + 19)  # ... and the view pans
    assert _stale_pixels(canvas) <= 4
    doc.move_nodes({canvas.node_id("a"): (40.0, -60.0)})
    view.horizontalScrollBar().setValue(view.horizontalScrollBar().value() - 13)
    assert _stale_pixels(canvas) <= 4
