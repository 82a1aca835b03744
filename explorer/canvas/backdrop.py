"""The backdrop: what a view draws under the items, kept as a picture between frames.

A frame in which every number changes (dragging x) moves nothing: the grid and the links
look exactly as before. Yet an antialiased 1.8 px link costs about half a microsecond per
pixel of length to rasterise, so the hundred long links that cross the window of a big
graph cost 15-40 ms per frame when drawn afresh. The backdrop draws the grid and every
*plain* link (not selected, not emphasised by the animation) into one device-pixel
picture per view (:class:`BackdropCache`), which a frame only copies. What changes is
redrawn where it changed: items call :meth:`Backdrop.invalidate` with the scene rectangle
their backdrop look covered, a pan scrolls the picture and draws the strip it uncovered,
a zoom redraws it whole.

Zoomed far out (below ``LOD_TEXT``) a card is a plain shape with its name and no numbers,
so the backdrop draws the cards and every link too, and the scene marks every node and
link item ``ItemHasNoContents``: Qt then skips their 2,500 Python ``paint()`` calls per
frame, and a frame at "fit all" is one copy.

Anything that is not a GraphView's own paint event (``scene.render`` for export, a view's
``render()`` to a printer) draws with vectors, item by item, exactly as before.

Imports: PySide6, explorer.canvas.style (and the item modules, for their types).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QRect, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPen, QPixmap, QTransform
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QWidget

from explorer.canvas import style as st
from explorer.canvas.edge_item import ARROW_HALF_WIDTH, ARROW_LENGTH, EdgeItem
from explorer.canvas.node_item import NodeItem

if TYPE_CHECKING:
    from explorer.canvas.scene import GraphScene

GRID = 24.0
_NO_CONTENTS = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
_BY_BOUNDS = Qt.ItemSelectionMode.IntersectsItemBoundingRect
_HINTS = (
    QPainter.RenderHint.Antialiasing
    | QPainter.RenderHint.TextAntialiasing
    | QPainter.RenderHint.SmoothPixmapTransform
)


class Backdrop:
    """Per scene: what the backdrop shows, and who must hear that part of it changed."""

    def __init__(self, scene: GraphScene) -> None:
        self._scene = scene
        self.far = False  # zoomed far out: cards are drawn here too
        self.active = False  # a GraphView draws the plain links (so the items skip them)
        self.zooming = False  # the scale changed since the last frame: draw, do not cache
        self._batch = 0
        self._batch_dirty = False

    # ------------------------------------------------------------------ invalidation
    def invalidate(self, rect: QRectF | None = None, repaint: bool = True) -> None:
        """The backdrop's look changed inside ``rect`` (scene coordinates; None: everywhere);
        ``repaint`` False when a paint is under way anyway."""
        if self._batch:
            self._batch_dirty = True
            return
        scene = self._scene
        for view in scene.views():
            cache = getattr(view, "backdrop_cache", None)
            if cache is not None:
                cache.dirty(rect)
        if repaint:  # items without contents ask for no repaint themselves: ask for them
            scene.update(QRectF() if rect is None else rect)

    def begin_batch(self) -> None:
        """Collect invalidations (a rebuild adds thousands) into one full redraw."""
        self._batch += 1

    def end_batch(self) -> None:
        self._batch -= 1
        if not self._batch and self._batch_dirty:
            self._batch_dirty = False
            self.invalidate(None)

    def set_far(self, far: bool, items: list[QGraphicsItem], repaint: bool = True) -> None:
        """Switch between near (items paint cards) and far (the backdrop paints them);
        ``repaint`` False when called at the start of a view's paint event."""
        if far == self.far:
            return
        self.far = far
        for item in items:
            item.setFlag(_NO_CONTENTS, far)
        self.invalidate(None, repaint)
        if not far and repaint:
            for item in items:
                item.update()

    # ------------------------------------------------------------------ painting
    def paint(self, painter: QPainter, rect: QRectF, lod: float) -> None:
        """Links (and far out, cards) that intersect ``rect``, bottom to top."""
        scene = self._scene
        if not self.far:
            # Near: the scene's index finds the hundred links in view among thousands.
            plain = [
                item
                for item in scene.items(rect, _BY_BOUNDS, Qt.SortOrder.AscendingOrder)
                if isinstance(item, EdgeItem) and item.is_plain and not item.isSelected() and item.isVisible()
            ]
            plain_links(painter, plain)
            return
        # Far: most of the graph is in view, and plain Python lists beat wrapping every
        # item the index returns.
        plain = []
        for edge in scene.edge_items():
            if not edge.bounds.intersects(rect) or not edge.isVisible():
                continue
            if edge.is_plain and not edge.isSelected():
                plain.append(edge)
            else:
                painter.save()
                edge.paint_link(painter)
                painter.restore()
        plain_links(painter, plain)
        area = rect.adjusted(-st.WIDTH - 4.0, -st.HEIGHT - 4.0, 4.0, 4.0)  # outlines overhang
        base = painter.worldTransform()
        on_top = []
        for node in scene.node_items():
            if area.contains(node.x(), node.y()) and node.isVisible():
                if node.isSelected():
                    on_top.append(node)
                else:
                    _paint_far(painter, base, node, lod)
        for node in on_top:
            _paint_far(painter, base, node, lod)


def _paint_far(painter: QPainter, base: QTransform, node: NodeItem, lod: float) -> None:
    painter.setWorldTransform(QTransform.fromTranslate(node.x(), node.y()) * base)
    node.paint_far(painter, lod)
    painter.setWorldTransform(base)


def plain_links(painter: QPainter, edges: list[EdgeItem]) -> None:
    """Every plain link in one stroke and every arrowhead in one fill."""
    if not edges:
        return
    style = edges[0].style
    path = QPainterPath()
    arrows = QPainterPath()
    half = ARROW_HALF_WIDTH
    for edge in edges:
        x0, y0, x1, y1, dx = edge.ends
        path.moveTo(x0, y0)
        path.cubicTo(x0 + dx, y0, x1 - dx, y1, x1, y1)
        # The arrowhead of EdgeItem._paths, without building a polygon per link.
        arrows.moveTo(x1 + ARROW_LENGTH, y1)
        arrows.lineTo(x1, y1 - half)
        arrows.lineTo(x1 + 2.0, y1)
        arrows.lineTo(x1, y1 + half)
        arrows.closeSubpath()
    painter.setPen(style.edge_pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(style.edge)
    painter.drawPath(arrows)


def paint_grid(painter: QPainter, rect: QRectF, style: st.CanvasStyle, zoom: float) -> None:
    """Background colour and the two-weight grid (a minor line every 24 units)."""
    step = GRID
    while step * zoom < 12.0:
        step *= 4.0
    major = step * 4.0
    minor: list[QLineF] = []
    strong: list[QLineF] = []
    x = math.floor(rect.left() / step) * step
    while x < rect.right():
        (strong if abs(math.remainder(x, major)) < 1e-6 else minor).append(
            QLineF(x, rect.top(), x, rect.bottom())
        )
        x += step
    y = math.floor(rect.top() / step) * step
    while y < rect.bottom():
        (strong if abs(math.remainder(y, major)) < 1e-6 else minor).append(
            QLineF(rect.left(), y, rect.right(), y)
        )
        y += step
    antialiased = painter.testRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # 20x cheaper fills
    painter.fillRect(rect, style.background)
    painter.setPen(QPen(style.grid, 0))
    painter.drawLines(minor)
    painter.setPen(QPen(style.grid.darker(112 if style.theme.name == "light" else 80), 0))
    painter.drawLines(strong)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, antialiased)


class BackdropCache:
    """Per view: the backdrop as a device-pixel picture, redrawn only where it changed."""

    def __init__(self) -> None:
        self._pixmap: QPixmap | None = None
        self._key: tuple[float, ...] = ()
        self._origin = (0.0, 0.0)
        self._dirty: QRectF | None = None  # scene coordinates
        self._all = True
        self.redraws = 0  # for tests and benchmarks: how often any part was redrawn

    def dirty(self, rect: QRectF | None) -> None:
        if rect is None:
            self._all = True
        elif not self._all:
            self._dirty = QRectF(rect) if self._dirty is None else self._dirty.united(rect)

    def paint(self, painter: QPainter, viewport: QWidget, draw: Callable[[QPainter, QRectF], None]) -> None:
        """Copy the picture into ``painter`` (a view's paint event), redrawing stale parts
        with ``draw(painter, scene_rect)`` first."""
        t = painter.worldTransform()
        dpr = viewport.devicePixelRatioF()
        width, height = viewport.width(), viewport.height()
        key = (width, height, dpr, t.m11(), t.m12(), t.m21(), t.m22())
        origin = (t.dx(), t.dy())
        pixmap = self._pixmap
        full = QRect(0, 0, width, height)
        stale: list[QRect] = []
        if pixmap is None or key != self._key or self._all:
            if pixmap is None or key[:3] != self._key[:3]:
                pixmap = QPixmap(round(width * dpr), round(height * dpr))
                pixmap.setDevicePixelRatio(dpr)
                self._pixmap = pixmap
            stale.append(full)
        else:
            sx, sy = (origin[0] - self._origin[0]) * dpr, (origin[1] - self._origin[1]) * dpr
            if sx or sy:
                stale += _scroll(pixmap, sx, sy, width, height, dpr)
            if self._dirty is not None:
                stale.append(t.mapRect(self._dirty).toAlignedRect().adjusted(-2, -2, 2, 2))
        self._key, self._origin = key, origin
        self._all, self._dirty = False, None
        stale = [r for r in (r.intersected(full) for r in stale) if not r.isEmpty()]
        if stale:
            self.redraws += 1
            inverse, _ok = t.inverted()
            p = QPainter(pixmap)
            p.setRenderHints(_HINTS)
            for rect in stale:
                # The clip is in device pixels: set it before the scene transform, or the
                # second stale part (a pan's strip, then an edit) lands somewhere else.
                p.resetTransform()
                p.setClipRect(rect)
                p.setWorldTransform(t)
                draw(p, inverse.mapRect(QRectF(rect)))
            p.end()
        painter.save()
        painter.resetTransform()
        painter.drawPixmap(0, 0, pixmap)
        painter.restore()


def _scroll(pixmap: QPixmap, sx: float, sy: float, width: int, height: int, dpr: float) -> list[QRect]:
    """Move the picture with a pan; returns the uncovered strips (logical pixels)."""
    if sx != round(sx) or sy != round(sy) or abs(sx) >= pixmap.width() or abs(sy) >= pixmap.height():
        return [QRect(0, 0, width, height)]
    dx, dy = round(sx), round(sy)
    pixmap.scroll(dx, dy, pixmap.rect())
    stale = []
    lx, ly = math.ceil(abs(dx) / dpr) + 1, math.ceil(abs(dy) / dpr) + 1
    if dx > 0:
        stale.append(QRect(0, 0, lx, height))
    elif dx < 0:
        stale.append(QRect(width - lx, 0, lx, height))
    if dy > 0:
        stale.append(QRect(0, 0, width, ly))
    elif dy < 0:
        stale.append(QRect(0, height - ly, width, ly))
    return stale


def far_items(scene: QGraphicsScene) -> list[QGraphicsItem]:
    """The items the backdrop stands in for when zoomed far out."""
    return [item for item in scene.items() if isinstance(item, (NodeItem, EdgeItem))]
