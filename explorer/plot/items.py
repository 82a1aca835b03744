"""Light graphics items for the parts of the plot that move on every drag step.

pyqtgraph's general items (ScatterPlotItem, InfiniteLine, PlotCurveItem, LabelItem) each
cost a few hundred microseconds per update in bookkeeping — bounds, caches, layout — and
a drag updates about ten of them per mouse move. These plain ``QGraphicsItem``s do only
what the current point needs: a dot, a line segment, a vertical rule that highlights on
hover, and a readout of coloured text runs whose height never changes while dragging.

Imports: PySide6, pyqtgraph, numpy.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsLineItem, QGraphicsSimpleTextItem


def cosmetic_pen(colour: str, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    """A pen whose width is in screen pixels, whatever the view's scale."""
    pen = QPen(QColor(colour), width)
    pen.setCosmetic(True)
    pen.setStyle(style)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    return pen


class DotItem(QGraphicsItem):
    """A filled circle of fixed screen size at a point in data coordinates."""

    def __init__(self, radius: float = 5.5) -> None:
        super().__init__()
        self._radius = radius
        self._brush = QBrush(QColor("#000000"))
        self._pen = QPen(QColor("#ffffff"), 2.0)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setZValue(20)

    def set_style(self, fill: str, outline: str) -> None:
        self._brush = QBrush(QColor(fill))
        self._pen = QPen(QColor(outline), 2.0)
        self.update()

    def boundingRect(self) -> QRectF:
        r = self._radius + 2.0
        return QRectF(-r, -r, 2 * r, 2 * r)

    def paint(self, painter: QPainter, _option: object, _widget: object = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(self._pen)
        painter.setBrush(self._brush)
        painter.drawEllipse(QPointF(0.0, 0.0), self._radius, self._radius)

    def place(self, x: float, y: float) -> None:
        """Show at (x, y), or hide when either is undefined."""
        if x == x and y == y:
            self.setPos(x, y)
            self.setVisible(True)
        else:
            self.setVisible(False)


class CurveItem(pg.GraphicsObject):
    """A sampled curve in data coordinates, broken where ``connect`` says, stroked in pixels.

    It paints its path mapped to the device, for the same reason as the lines below: a
    stroke under the view's anisotropic transform is only right in SVG readers that
    honour ``non-scaling-stroke`` (y(x) stays readable; a flat dy/dx curve vanishes).
    """

    def __init__(self) -> None:
        super().__init__()
        self._pen = QPen(QColor("#000000"), 2.0)
        self._path = QPainterPath()
        self._xs = np.zeros(0)
        self._ys = np.zeros(0)
        self._bounds = QRectF()
        self._padded: QRectF | None = None

    def set_pen(self, pen: QPen) -> None:
        self._pen = QPen(pen)
        self._pen.setCosmetic(True)
        self._padded = None
        self.prepareGeometryChange()
        self.update()

    def pen(self) -> QPen:
        return QPen(self._pen)

    def set_data(self, xs: np.ndarray, ys: np.ndarray, connect: np.ndarray) -> None:
        """Samples, and ``connect[i]``: may sample i be joined to sample i+1."""
        self.prepareGeometryChange()
        self._xs, self._ys = xs, ys
        finite = np.isfinite(xs) & np.isfinite(ys)
        if np.count_nonzero(finite) >= 1:
            self._path = pg.arrayToQPath(xs, ys, connect=np.asarray(connect, dtype=np.int32))
            fx, fy = xs[finite], ys[finite]
            self._bounds = QRectF(fx.min(), fy.min(), fx.max() - fx.min(), fy.max() - fy.min())
        else:
            self._path = QPainterPath()
            self._bounds = QRectF()
        self._padded = None
        self.update()

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        return self._xs, self._ys

    def path(self) -> QPainterPath:
        return QPainterPath(self._path)

    def viewTransformChanged(self) -> None:
        self._padded = None
        self.prepareGeometryChange()

    def boundingRect(self) -> QRectF:
        if self._padded is None:
            if self._path.isEmpty():
                self._padded = QRectF()
            else:
                px, py = self.pixelVectors()
                w = 0.5 * self._pen.widthF() + 1.0  # half the stroke, in pixels
                dx = 0.0 if px is None else px.length() * w
                dy = 0.0 if py is None else py.length() * w
                self._padded = self._bounds.adjusted(-dx, -dy, dx, dy)
        return self._padded

    def paint(self, painter: QPainter, *_: object) -> None:
        if self._path.isEmpty():
            return
        device = painter.worldTransform().map(self._path)
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(self._pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(device)
        painter.restore()


class _DeviceLineItem(QGraphicsLineItem):
    """A line in data coordinates, stroked in device pixels.

    A cosmetic pen would do that on screen, but an SVG keeps the view's huge, anisotropic
    data-to-page transform and relies on ``vector-effect: non-scaling-stroke``, which not
    every SVG reader honours (librsvg draws a one-pixel rule as a band 150 px wide). So
    the end points are mapped to the device first and drawn without a transform.
    """

    def paint(self, painter: QPainter, _option: object, _widget: object = None) -> None:
        line = painter.worldTransform().map(self.line())
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(self.pen())
        painter.drawLine(line)
        painter.restore()


class SegmentItem(_DeviceLineItem):
    """A straight segment in data coordinates (the tangent, the gradient arrow's shaft)."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(10)

    def place(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.setLine(QLineF(x0, y0, x1, y1))
        self.setVisible(True)


class RuleItem(_DeviceLineItem):
    """The vertical line at the current x, spanning the visible y range.

    It takes no mouse presses itself: the view box under it turns a press-and-drag into
    a scrub, so the whole plot is the handle (its cursor says so) and the line shows
    where x is.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(5)
        self._x = float("nan")

    def place(self, x: float, y_lo: float, y_hi: float) -> None:
        self._x = x
        if x == x:
            self.setLine(QLineF(x, y_lo, x, y_hi))
            self.setVisible(True)
        else:
            self.setVisible(False)

    def value(self) -> float:
        return self._x


Run = tuple[str, str, bool]  # text, colour, bold


class ReadoutItem(pg.GraphicsWidget):
    """Lines of coloured text runs (``x = 3   y = 49   dy/dx = 28``) in a layout cell.

    Changing the text never changes the item's height (only the number of lines does),
    so a drag does not make the plot layout recompute.
    """

    def __init__(self, point_size: float = 11.0) -> None:
        super().__init__()
        self._font = QFont()
        self._font.setPointSizeF(point_size)
        self._bold = QFont(self._font)
        self._bold.setBold(True)
        self._small = QFont(self._font)
        self._small.setPointSizeF(point_size * 0.82)
        self._items: list[QGraphicsSimpleTextItem] = []
        self._lines = 0
        self._shown: tuple[list[list[Run]], bool] = ([], False)
        self._line_height = QFontMetricsF(self._font).height() * 1.18
        self.set_line_count(1)

    def set_line_count(self, count: int) -> None:
        if count != self._lines:
            self._lines = count
            height = self._line_height * count + 4.0
            self.setMinimumHeight(height)
            self.setMaximumHeight(height)
            self.setPreferredSize(QSizeF(100.0, height))

    def set_lines(self, lines: list[list[Run]], small_last: bool = False) -> None:
        """Lay out the runs; with ``small_last`` the last line is a smaller remark."""
        self._shown = (lines, small_last)
        self.set_line_count(len(lines))
        k = 0
        y = 2.0
        room = self.size().width() - 8.0
        for n, runs in enumerate(lines):
            small = small_last and n == len(lines) - 1
            fonts = [self._small if small else (self._bold if bold else self._font) for _, _, bold in runs]
            widths = [
                QFontMetricsF(f).horizontalAdvance(text) for f, (text, _, _) in zip(fonts, runs, strict=True)
            ]
            # A line wider than the dock is drawn smaller rather than cut off at the right
            # ("dy/dx = un…"); the line height stays, so a drag never relayouts the plot.
            scale = min(1.0, room / sum(widths)) if room > 0 and sum(widths) > 0 else 1.0
            x = 4.0
            for (text, colour, _), font, width in zip(runs, fonts, widths, strict=True):
                if k == len(self._items):
                    self._items.append(QGraphicsSimpleTextItem(self))
                item = self._items[k]
                k += 1
                item.setFont(font)
                item.setText(text)
                item.setBrush(QColor(colour))
                item.setScale(scale)
                item.setPos(x, y + (1.0 - scale) * self._line_height / 2)
                item.setVisible(True)
                x += width * scale
            y += self._line_height
        for item in self._items[k:]:
            item.setVisible(False)

    def resizeEvent(self, event: object) -> None:
        """A narrower dock re-fits the lines already shown."""
        super().resizeEvent(event)
        if self._shown[0]:
            self.set_lines(*self._shown)

    def fits(self) -> bool:
        """Whether every visible run ends inside the item (for tests)."""
        right = self.size().width()
        return all(
            i.pos().x() + i.boundingRect().width() * i.scale() <= right + 0.5
            for i in self._items
            if i.isVisible()
        )

    def text(self) -> str:
        """The readout as plain text (for tests and accessibility)."""
        return "".join(i.text() for i in self._items if i.isVisible())


class CompactAxis(pg.AxisItem):
    """Tick numbers without padded exponents ("3.8e-7", not "3.8e-07"): the left axes
    have a fixed width (so the two plots line up), and a long number ran into the
    axis title beside it."""

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        strings: list[str] = super().tickStrings(values, scale, spacing)
        return [_compact_exponent(text) for text in strings]


def _compact_exponent(text: str) -> str:
    mantissa, e, exponent = text.partition("e")
    if not e:
        return text
    sign = "-" if exponent.startswith("-") else ""
    return f"{mantissa}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"
