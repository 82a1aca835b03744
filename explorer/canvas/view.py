"""GraphView: the window onto a GraphScene — pan, zoom, grid, drops and keyboard.

* Pan with the middle button, or hold Space and drag. Zoom with the wheel, around the
  cursor; Ctrl+0 fits everything, Ctrl+1 is 100%.
* Rubber-band selection on empty canvas (Ctrl adds to the selection).
* Drop target for palette drags (MIME ``application/x-chain-explorer-op``, payload the op
  name in UTF-8) and the quick-add popup on Tab or Shift+A, both adding at the cursor.
* Fallback keys for the editing actions (Delete, Ctrl+C/X/V/D, F2, Ctrl+Z …) when no
  application shortcut claims them first.

The view repaints the whole viewport on any change (FullViewportUpdate): when every
number on the canvas changes at once, that is several times cheaper than Qt computing
the union of a thousand small dirty regions. What lies under the items (grid, plain
links, and far out the cards) is the scene's backdrop, kept as a device-pixel picture by
this view's :class:`~explorer.canvas.backdrop.BackdropCache` (Qt's own CacheBackground
would ask the scene for a second repaint after each partial invalidation). A Space tap
that is not a pan is announced as ``space_tapped`` so the application can still use
Space for play/pause.

Imports: PySide6, explorer.graph.ops, explorer.canvas.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFocusEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QFrame, QGraphicsView, QWidget

from explorer.canvas import style as st
from explorer.canvas.backdrop import BackdropCache, paint_grid
from explorer.canvas.editors import QuickAddPopup
from explorer.canvas.scene import GraphScene
from explorer.graph.model import GraphError
from explorer.graph.ops import OPS

OP_MIME_TYPE = "application/x-chain-explorer-op"
MIN_SCALE = 0.03
MAX_SCALE = 4.0
FIT_MAX_SCALE = 1.6
_HALF_WORLD = 1.0e6


class GraphView(QGraphicsView):
    """A QGraphicsView with the canvas's navigation and shortcuts."""

    space_tapped = Signal()
    zoom_changed = Signal(float)

    def __init__(self, scene: GraphScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self._scene = scene
        # No SmoothPixmapTransform: every picture is copied 1:1 onto device pixels, and the
        # hint alone halves the speed of those copies.
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing, True)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)  # the backdrop cache does it
        self.backdrop_cache = BackdropCache()
        self._in_paint_event = False
        self._painted_zoom = 0.0
        scene.backdrop.active = True
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # A very large world, so panning never hits an edge.
        self.setSceneRect(QRectF(-_HALF_WORLD, -_HALF_WORLD, 2 * _HALF_WORLD, 2 * _HALF_WORLD))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self._space_down = False
        self._space_panned = False
        self._pan_from: QPointF | None = None
        self._last_mouse: QPoint | None = None
        self.quick_add = QuickAddPopup(self.viewport(), scene.canvas_style)
        self.quick_add.chosen.connect(self._quick_add_chosen)
        self._quick_add_pos = QPointF()
        scene.theme_changed.connect(self._theme_changed)

    # ------------------------------------------------------------------ zoom
    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float, anchor: QPointF | None = None) -> None:
        """Absolute zoom (1.0 = 100%), keeping ``anchor`` (scene) or the centre still."""
        factor = min(MAX_SCALE, max(MIN_SCALE, factor))
        centre = anchor if anchor is not None else self.mapToScene(self.viewport().rect().center())
        self.resetTransform()
        self.scale(factor, factor)
        self.centerOn(centre)
        self.zoom_changed.emit(factor)

    def zoom_by(self, factor: float, at: QPoint | None = None) -> None:
        """Zoom by ``factor`` keeping the scene point under viewport pixel ``at`` (default:
        the centre) where it is."""
        target = min(MAX_SCALE, max(MIN_SCALE, self.zoom * factor))
        if target == self.zoom:
            return
        point = at if at is not None else self.viewport().rect().center()
        anchor = self.mapToScene(point)
        f = target / self.zoom
        # Anchoring by hand: Qt's AnchorUnderMouse needs a real enter event to know the cursor.
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.scale(f, f)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        moved = self.mapFromScene(anchor) - point
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + moved.x())
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + moved.y())
        self.zoom_changed.emit(target)

    def zoom_100(self) -> None:
        self.set_zoom(1.0)

    def fit_all(self) -> None:
        """Frame every node (never zooming in past 160%)."""
        rect = self._scene.nodes_rect()
        if rect.isNull():
            self.set_zoom(1.0, QPointF(0.0, 0.0))
            return
        rect = rect.adjusted(-40.0, -44.0, 40.0, 40.0)
        view = self.viewport().rect()
        factor = min(view.width() / rect.width(), view.height() / rect.height())
        self.set_zoom(min(FIT_MAX_SCALE, factor), rect.center())

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y() or event.angleDelta().x()
        if delta:
            self.zoom_by(math.pow(1.0015, delta), event.position().toPoint())
        event.accept()

    # ------------------------------------------------------------------ backdrop
    def paintEvent(self, event: QPaintEvent) -> None:
        zoom = self.zoom
        far = zoom < st.LOD_TEXT
        if far != self._scene.far_mode:
            self._scene.set_far_mode(far, repaint=False)
        # Cards keep pictures of themselves per scale: not worth it in mid-zoom.
        self._scene.backdrop.zooming = zoom != self._painted_zoom
        self._painted_zoom = zoom
        self._in_paint_event = True
        try:
            super().paintEvent(event)
        finally:
            self._in_paint_event = False

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        if self._in_paint_event:
            self.backdrop_cache.paint(painter, self.viewport(), self._draw_backdrop)
        else:  # render() to a printer or an image: vectors, no cache
            self._draw_backdrop(painter, QRectF(rect))

    def _draw_backdrop(self, painter: QPainter, rect: QRectF) -> None:
        paint_grid(painter, rect, self._scene.canvas_style, self.zoom)
        self._scene.backdrop.paint(painter, rect, self.zoom)

    def _theme_changed(self) -> None:
        self.quick_add.set_style(self._scene.canvas_style)
        self.backdrop_cache.dirty(None)
        self.viewport().update()

    # ------------------------------------------------------------------ panning
    def _start_pan(self, pos: QPointF) -> None:
        self._pan_from = pos
        self._space_panned = True
        self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.quick_add.hide()
        if event.button() == Qt.MouseButton.MiddleButton or (
            event.button() == Qt.MouseButton.LeftButton and self._space_down
        ):
            self._start_pan(event.position())
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._last_mouse = event.position().toPoint()
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - round(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - round(delta.y()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None and event.button() in (
            Qt.MouseButton.MiddleButton,
            Qt.MouseButton.LeftButton,
        ):
            self._pan_from = None
            if self._space_down:
                self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            else:
                self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    # ------------------------------------------------------------------ drops from the palette
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(OP_MIME_TYPE):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasFormat(OP_MIME_TYPE):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        if not event.mimeData().hasFormat(OP_MIME_TYPE):
            super().dropEvent(event)
            return
        op = bytes(event.mimeData().data(OP_MIME_TYPE).data()).decode("utf-8", "replace").strip()
        if op not in OPS and not op.startswith("fn:"):
            self._scene.message.emit(f"cannot add a node of unknown kind {op!r}")
            event.ignore()
            return
        self._scene.add_node_at(op, self.mapToScene(event.position().toPoint()))
        event.acceptProposedAction()
        self.setFocus()

    # ------------------------------------------------------------------ quick add
    def cursor_scene_pos(self) -> QPointF:
        """Where "at the cursor" is: the last mouse position over the canvas, else its centre."""
        point = self._last_mouse
        if point is None or not self.viewport().rect().contains(point):
            point = self.viewport().rect().center()
        return self.mapToScene(point)

    def open_quick_add(self) -> QuickAddPopup:
        self._quick_add_pos = self.cursor_scene_pos()
        self.quick_add.popup_at(self.mapFromScene(self._quick_add_pos))
        return self.quick_add

    def _quick_add_chosen(self, op: str) -> None:
        self.setFocus()
        try:
            self._scene.add_node_at(op, self._quick_add_pos)
        except GraphError as exc:
            self._scene.message.emit(str(exc))

    # ------------------------------------------------------------------ keyboard
    def _editing_text(self) -> bool:
        return self._scene.editor is not None or self.quick_add.isVisible()

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride) and not self._editing_text():
            assert isinstance(event, QKeyEvent)
            key, mods = event.key(), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if kind == QEvent.Type.ShortcutOverride:
                # Space is ours while the canvas has focus (pan); a tap is re-announced.
                if key == Qt.Key.Key_Space and mods == Qt.KeyboardModifier.NoModifier:
                    event.accept()
                    return True
            elif key == Qt.Key.Key_Tab and mods == Qt.KeyboardModifier.NoModifier:
                self.open_quick_add()
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._editing_text():
            super().keyPressEvent(event)
            return
        key, mods = event.key(), event.modifiers()
        scene = self._scene
        ctrl = Qt.KeyboardModifier.ControlModifier
        if key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_down = True
            self._space_panned = False
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
        elif key == Qt.Key.Key_A and mods == Qt.KeyboardModifier.ShiftModifier:
            self.open_quick_add()
        elif key in (Qt.Key.Key_0, Qt.Key.Key_1) and mods & ctrl:
            self.fit_all() if key == Qt.Key.Key_0 else self.zoom_100()
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            scene.delete_selection()
        elif key == Qt.Key.Key_F2:
            scene.rename_selected()
        elif event.matches(QKeySequence.StandardKey.Copy):
            scene.copy_selection()
        elif event.matches(QKeySequence.StandardKey.Cut):
            scene.cut_selection()
        elif event.matches(QKeySequence.StandardKey.Paste):
            clipboard = QGuiApplication.clipboard()
            scene.last_mouse_pos = self.cursor_scene_pos()
            if clipboard is not None:
                scene.paste(clipboard.text())
        elif key == Qt.Key.Key_D and mods == ctrl:
            scene.duplicate_selection()
        elif event.matches(QKeySequence.StandardKey.Undo):
            scene.document.undo_stack.undo()
        elif event.matches(QKeySequence.StandardKey.Redo):
            scene.document.undo_stack.redo()
        elif event.matches(QKeySequence.StandardKey.SelectAll):
            scene.select_nodes([n.id for n in scene.document.graph])
        elif key == Qt.Key.Key_Escape:
            scene.clearSelection()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        # A Space released while another widget has focus never reaches us.
        if self._space_down and self._pan_from is None:
            self._space_down = False
            self.viewport().unsetCursor()
        super().focusOutEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat() and self._space_down:
            self._space_down = False
            if self._pan_from is None:
                self.viewport().unsetCursor()
            if not self._space_panned:
                self.space_tapped.emit()
            event.accept()
            return
        super().keyReleaseEvent(event)
