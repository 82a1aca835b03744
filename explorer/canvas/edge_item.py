"""EdgeItem (a link between two ports) and DragEdgeItem (the link being dragged).

An edge is a horizontal-tangent cubic curve from the source's output port to the
target's operand port, ending in an arrowhead, with an optional label near its middle:
the local derivative (``×3`` reads "on the way back, multiply by 3"), or a caption the
animation sets. Like the node item it is a dumb view: the scene sets its end points and
numbers, and the label string is only made when the label is actually painted.

A plain link (not selected, not emphasised, normal width) is drawn by the view's
backdrop (:mod:`explorer.canvas.backdrop`), which keeps it as pixels between frames; in a
view's paint event the item then draws only its label. Painted anywhere else (export,
printing) the item draws itself whole.

Where the label chip goes and how it is painted is in :mod:`explorer.canvas.edge_chip`
(a mixin of :class:`EdgeItem`).

Imports: PySide6, explorer.theme, explorer.graph.model (Edge), explorer.canvas.style.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainter, QPainterPath, QPainterPathStroker, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from explorer.canvas import style as st
from explorer.canvas.edge_chip import LABEL_HALF, EdgeChip
from explorer.canvas.style import CanvasStyle
from explorer.graph.model import Edge
from explorer.theme import format_number

if TYPE_CHECKING:
    from explorer.canvas.backdrop import Backdrop

ARROW_LENGTH = 10.0
ARROW_HALF_WIDTH = 5.0
EMPHASIS_KINDS = frozenset({"active", "done", "path", "dim"})
_SELECTABLE = QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
_NO_PEN = Qt.PenStyle.NoPen
_NO_BRUSH = Qt.BrushStyle.NoBrush
_CENTER = Qt.AlignmentFlag.AlignCenter


def _controls(x0: float, y0: float, x1: float, y1: float) -> float:
    """Horizontal reach of the control points of the link from (x0, y0) to (x1, y1)."""
    dx = max(40.0, abs(x1 - x0) * 0.5, min(160.0, abs(y1 - y0) * 0.4))
    if x1 < x0:  # a link that runs backwards loops out and in
        dx = max(dx, 80.0)
    return dx


def curve(start: QPointF, end: QPointF) -> QPainterPath:
    """The S-curve every link uses: leaves and enters horizontally."""
    x0, y0, x1, y1 = start.x(), start.y(), end.x(), end.y()
    dx = _controls(x0, y0, x1, y1)
    path = QPainterPath(start)
    path.cubicTo(x0 + dx, y0, x1 - dx, y1, x1, y1)
    return path


class EdgeItem(EdgeChip, QGraphicsItem):
    """One link. ``edge`` identifies it in the model.

    ``set_ends`` only stores numbers and the bounding box; the painter paths are built
    the first time the edge is painted or queried, so a thousand off-screen links cost
    almost nothing to create or move.
    """

    # Defaults live on the class, so building a thousand links stores little per link.
    _ends = (0.0, 0.0, 0.0, 0.0, 0.0)  # origin x, y, arrow base x, y, control reach
    _geometry: tuple[QPainterPath, QPolygonF, QPointF] | None = None
    _full: QPainterPath | None = None
    _bounds = QRectF()
    _shape: QPainterPath | None = None
    _local = math.nan
    _label: str | None = None
    _label_width = 0.0  # of the text in _measured, which is measured once per new text
    _measured: str | None = None
    _caption: str | None = None
    _show_label = True
    _source_varies = True
    _emphasis: str | None = None
    _width_scale = 1.0
    _pen: QPen | None = None
    _arrow_brush: QBrush | None = None
    _limit: float | None = None  # x where the target's operand name begins: chips stay left of it
    _reserve = 2.0 * LABEL_HALF.x()  # chip width the bounding box leaves room for
    _chip: dict[tuple[float, float], QRectF] | None = None  # (width, height) -> box, for these ends
    backdrop: Backdrop | None = None  # told when this link moves or changes its look

    def __init__(self, edge: Edge, style: CanvasStyle) -> None:
        super().__init__()
        self.edge = edge
        self._style = style
        self.setFlag(_SELECTABLE)

    # ------------------------------------------------------------------ setters
    def set_style(self, style: CanvasStyle) -> None:
        self._style = style
        self._pen = None
        self.update()

    def _restyled(self) -> None:
        """The stroke changed: whoever draws it must redraw it."""
        self._pen = None
        self.update()
        if self.backdrop is not None:
            self.backdrop.invalidate(self.boundingRect())

    def set_ends(self, start: QPointF, end: QPointF) -> None:
        """Source output port and target operand port, in scene coordinates."""
        self.set_ends_xy(start.x(), start.y(), end.x(), end.y())

    def set_ends_xy(
        self, sx: float, sy: float, ex: float, ey: float, label_limit: float | None = None
    ) -> None:
        """:meth:`set_ends` with plain numbers (the scene's fast path); ``label_limit`` is
        the x where the target's operand name begins (the chip stays left of it)."""
        self.prepareGeometryChange()
        backdrop = self.backdrop
        if backdrop is not None and self._ends != EdgeItem._ends:
            backdrop.invalidate(self.boundingRect())
        x0, y0 = sx + st.PORT_RADIUS, sy
        x1, y1 = ex - st.PORT_RADIUS - 1.0 - ARROW_LENGTH, ey
        dx = _controls(x0, y0, x1, y1)
        self._ends = (x0, y0, x1, y1, dx)
        self._limit = label_limit
        self._update_bounds()
        self._geometry = None
        self._full = None
        self._shape = None
        self._chip = None
        if backdrop is not None:
            backdrop.invalidate(self.boundingRect())

    def _update_bounds(self) -> None:
        # The curve lies inside the hull of its control points; the chip sits on the curve,
        # at its middle or moved towards the source (up to ``_reserve`` wide).
        x0, y0, x1, y1, dx = self._ends
        mx, my = (x0 + x1) / 2.0, (y0 + y1) / 2.0
        half, ly = self._reserve / 2.0, LABEL_HALF.y()
        left = min(x0, x1 - dx, mx - half) - 8.0
        right = max(x0 + dx, x1 + ARROW_LENGTH + 2.0, mx + half, x0 + 4.0 + self._reserve) + 8.0
        top = min(y0, y1, my) - ly - 8.0
        bottom = max(y0, y1, my) + ly + 8.0
        self._bounds = QRectF(left, top, right - left, bottom - top)

    def _paths(self) -> tuple[QPainterPath, QPolygonF, QPointF]:
        if self._geometry is None:
            x0, y0, x1, y1, dx = self._ends
            stroke = QPainterPath(QPointF(x0, y0))
            stroke.cubicTo(x0 + dx, y0, x1 - dx, y1, x1, y1)
            tip = x1 + ARROW_LENGTH
            arrow = QPolygonF(
                [
                    QPointF(tip, y1),
                    QPointF(x1, y1 - ARROW_HALF_WIDTH),
                    QPointF(x1 + 2.0, y1),
                    QPointF(x1, y1 + ARROW_HALF_WIDTH),
                ]
            )
            # The curve is point-symmetric about its middle, so t = 0.5 is the midpoint.
            self._geometry = (stroke, arrow, QPointF((x0 + x1) / 2.0, (y0 + y1) / 2.0))
        return self._geometry

    def _full_path(self) -> QPainterPath:
        if self._full is None:
            self._full = QPainterPath(self._paths()[0])
            self._full.lineTo(self._ends[2] + ARROW_LENGTH, self._ends[3])
        return self._full

    def set_local(self, local: float) -> None:
        """The local derivative of the target with respect to this operand."""
        if not (local == self._local or (local != local and self._local != self._local)):
            self._local = local
            self._label = None

    def set_source_varies(self, varies: bool) -> None:
        """Whether the source depends on some input. A link out of a constant carries no
        local-derivative label: nobody asks how the output moves when the number 2 moves."""
        if varies != self._source_varies:
            self._source_varies = varies
            self.update()

    @property
    def source_varies(self) -> bool:
        return self._source_varies

    def set_show_label(self, show: bool) -> None:
        if show != self._show_label:
            self._show_label = show
            self.update()

    def set_caption(self, text: str | None) -> None:
        """Replace the local-derivative label (None = back to the label)."""
        if text != self._caption:
            if text:
                needed = math.ceil(self._style.edge_metrics.horizontalAdvance(text)) + 12.0
                if needed > self._reserve:  # a long product: widen the box, or exports cut it
                    self.prepareGeometryChange()
                    self._reserve = needed
                    self._update_bounds()
            self._caption = text
            self._label = None
            self.update()

    def set_emphasis(self, kind: str | None) -> None:
        if kind is not None and kind not in EMPHASIS_KINDS:
            raise ValueError(f"unknown emphasis {kind!r}")
        if kind != self._emphasis:
            self._emphasis = kind
            self._restyled()

    def set_width_scale(self, scale: float) -> None:
        scale = max(0.1, float(scale))
        if scale != self._width_scale:
            if self.backdrop is not None:
                self.backdrop.invalidate(self.boundingRect())
            self.prepareGeometryChange()
            self._width_scale = scale
            self._shape = None
            self._restyled()

    # ------------------------------------------------------------------ queries
    def path_point(self, t: float) -> QPointF:
        """The point at fraction ``t`` (0 = source port, 1 = arrow tip) along the link."""
        return self._full_path().pointAtPercent(min(1.0, max(0.0, t)))

    def label_text(self) -> str:
        """What the label shows now ("" when hidden)."""
        if self._caption is not None:
            return self._caption
        if not self._show_label or not self._source_varies:
            return ""
        if self._label is None:
            self._label = "×" + format_number(self._local) if self._local == self._local else "× ?"
        return self._label

    @property
    def emphasis(self) -> str | None:
        return self._emphasis

    @property
    def is_plain(self) -> bool:
        """Drawn the default way (so the EdgeLayer may draw it when zoomed out)."""
        return self._emphasis is None and self._width_scale == 1.0

    @property
    def width_scale(self) -> float:
        return self._width_scale

    @property
    def style(self) -> CanvasStyle:
        return self._style

    @property
    def bounds(self) -> QRectF:
        """The bounding rectangle in scene coordinates (links are never moved as items)."""
        return self._bounds

    @property
    def ends(self) -> tuple[float, float, float, float, float]:
        """(start x, y, arrow base x, y, control reach) in scene coordinates."""
        return self._ends

    def boundingRect(self) -> QRectF:
        if self._width_scale <= 3.0:
            return self._bounds
        m = 2.0 * self._width_scale
        return self._bounds.adjusted(-m, -m, m, m)

    def shape(self) -> QPainterPath:
        if self._shape is None:
            stroker = QPainterPathStroker()
            stroker.setWidth(max(10.0, 1.8 * self._width_scale + 6.0))
            self._shape = stroker.createStroke(self._full_path())
        return self._shape

    # ------------------------------------------------------------------ painting
    def _make_pen(self) -> QPen:
        s = self._style
        colour = {
            "active": s.pulse,
            "path": s.grad,
            "done": s.text,
        }.get(self._emphasis or "", s.edge)
        width = {"active": 3.2, "path": 2.6, "done": 2.0}.get(self._emphasis or "", 1.8)
        pen = QPen(s.edge_pen)
        pen.setColor(colour)
        pen.setWidthF(width * self._width_scale)
        self._pen = pen
        self._arrow_brush = QBrush(colour)
        return pen

    def paint_link(self, painter: QPainter) -> QPen:
        """The curve and its arrowhead (not the label); returns the pen used."""
        if self._emphasis == "dim":
            painter.setOpacity(painter.opacity() * 0.25)
        pen = self._pen or self._make_pen()
        selected = self.isSelected()
        if selected:
            pen = self._style.edge_selected
        stroke, arrow, _mid = self._paths()
        painter.setPen(pen)
        painter.setBrush(_NO_BRUSH)
        painter.drawPath(stroke)
        painter.setPen(_NO_PEN)
        painter.setBrush(QBrush(pen.color()) if selected else self._arrow_brush)
        painter.drawPolygon(arrow)
        return pen

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        lod = painter.worldTransform().m11()  # no rotation here, so this is the zoom
        backdrop = self.backdrop
        labelled = lod >= st.LOD_LABELS and (
            self._caption is not None or (self._show_label and self._source_varies)
        )
        opacity = painter.opacity()
        in_view = widget is not None and backdrop is not None and backdrop.active
        if in_view and self._emphasis is None and self._width_scale == 1.0 and not self.isSelected():
            pen = None  # the view's backdrop has drawn the curve
        else:
            pen = self.paint_link(painter)
        text = self.label_text() if labelled else ""
        if text:
            cached = in_view and backdrop is not None and not backdrop.zooming
            dpr = widget.devicePixelRatioF() if cached and widget is not None else 0.0
            self._paint_label(painter, text, lod, pen, dpr)
        painter.setOpacity(opacity)


class DragEdgeItem(QGraphicsItem):
    """The dashed link that follows the cursor while a connection is dragged."""

    def __init__(self, style: CanvasStyle) -> None:
        super().__init__()
        self._style = style
        self._path = QPainterPath()
        self._ok = True
        self._end = QPointF()
        self.setZValue(3.0)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def set_ends(self, start: QPointF, end: QPointF, from_output: bool, ok: bool) -> None:
        self.prepareGeometryChange()
        self._path = curve(start, end) if from_output else curve(end, start)
        self._ok = ok
        self._end = QPointF(end)
        self.update()

    @property
    def ok(self) -> bool:
        """Whether a drop here would connect (drawn plain; else in the refusal colour)."""
        return self._ok

    @property
    def end(self) -> QPointF:
        """Where the free end is: the cursor, or the port it snapped to."""
        return self._end

    def boundingRect(self) -> QRectF:
        return self._path.controlPointRect().adjusted(-4.0, -4.0, 4.0, 4.0)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setPen(self._style.drag_pen if self._ok else self._style.drag_bad_pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)
