"""The plot area of the sensitivity panel: a dumb pyqtgraph view with setters and intent signals.

Three stacked plots share one x axis: y(x) on top with the marker and the tangent line,
dy/dx(x) below with its own marker and a zero line, and an optional heat map of y over
(x, x₂) with the gradient arrow. A vertical line in each plot marks the current x; a
press-and-drag anywhere on a plot (the line included) scrubs x, a click puts x there.
The view never talks to the document: it reports the gesture (``x_drag_started``,
``x_dragged``, …) and the panel decides what happens. Curves are drawn with a connect
mask, so an undefined sample or a pole leaves a gap rather than a spike
(:mod:`explorer.plot.sampling`).

What moves on every drag step is drawn by the light items of :mod:`explorer.plot.items`;
axes, grids and curves are cached as pixmaps, since they change only with the sweep.

Imports: PySide6, pyqtgraph, numpy, explorer.theme, explorer.plot.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QResizeEvent
from PySide6.QtWidgets import QGraphicsItem, QWidget

from explorer.plot.items import (
    CompactAxis,
    CurveItem,
    DotItem,
    ReadoutItem,
    RuleItem,
    Run,
    SegmentItem,
    cosmetic_pen,
)
from explorer.plot.limits import drawable, usable_range
from explorer.plot.sampling import connect_mask, robust_y_range, tangent_segment
from explorer.theme import LIGHT, Theme, format_number, snap_value, value_step

ARROW_PIXELS = 46.0  # the gradient arrow's length on screen; its size is in the readout
CURVE_WIDTH = 2.4
AXIS_LABEL_POINTS = 10.5  # the side and bottom axis titles
MIN_CURVE_PIXELS = 45.0  # below this the legend folds away to give the curve room
QWIDGETSIZE_MAX = float((1 << 24) - 1)  # Qt's "no maximum"


def _slope(y: str, x: str) -> str:
    """``dy/dx`` in the lesson's notation: ``d(loss)/da`` once a name is longer than a letter."""
    d_y, d_x = (f"d{n}" if len(n) == 1 else f"d({n})" for n in (y, x))
    return f"{d_y}/{d_x}"


class ScrubViewBox(pg.ViewBox):
    """A view box whose left-button drag and click mean "put x here" (and x₂ on a heat map)."""

    scrub_started = Signal(object)  # QPointF in data coordinates
    scrubbed = Signal(object)
    scrub_finished = Signal(object)

    def __init__(self) -> None:
        super().__init__(enableMenu=False)
        self.setMouseEnabled(x=False, y=False)

    def mouseDragEvent(self, ev, axis=None) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        point = self.mapSceneToView(ev.scenePos())
        if ev.isStart():
            self.scrub_started.emit(point)
        self.scrubbed.emit(point)
        if ev.isFinish():
            self.scrub_finished.emit(point)

    def mouseClickEvent(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        point = self.mapSceneToView(ev.scenePos())
        self.scrub_started.emit(point)
        self.scrubbed.emit(point)
        self.scrub_finished.emit(point)

    def wheelEvent(self, ev, axis=None) -> None:
        ev.ignore()  # the range is the panel's to set: zooming would outrun the sweep


def _pen(colour: str, width: float = CURVE_WIDTH, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> object:
    pen = pg.mkPen(QColor(colour), width=width)
    pen.setStyle(style)
    return pen


class SensitivityView(pg.GraphicsLayoutWidget):
    """y(x), dy/dx(x) and an optional heat map, with the current point and its tangent."""

    x_drag_started = Signal()
    x_dragged = Signal(float)
    x_drag_finished = Signal()
    point_drag_started = Signal()  # on the heat map: x and x₂ together
    point_dragged = Signal(float, float)
    point_drag_finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = LIGHT
        self._names = ("x", "y", "")
        self._xs = np.zeros(0)
        self._ys = np.zeros(0)
        self._dys = np.zeros(0)
        self._point = (math.nan, math.nan, math.nan)
        self._heat_point = (math.nan, math.nan, math.nan, math.nan)
        self._x_range = (-1.0, 1.0)
        self._note = ""
        self._slope_hidden = False  # predict mode: the slope is the answer being asked for

        self.ci.layout.setSpacing(2)
        self.ci.setContentsMargins(6, 4, 10, 6)
        self.readout = ReadoutItem()
        self.addItem(self.readout, row=0, col=0, colspan=2)
        # The legend has its own row so that it never hides a piece of curve.
        self.legend = pg.LegendItem(colCount=3, labelTextSize="9pt", horSpacing=14)
        self.addItem(self.legend, row=1, col=0, colspan=2)

        self.y_plot = self._make_plot(row=2)
        self.dy_plot = self._make_plot(row=3)
        for plot in (self.y_plot, self.dy_plot):
            plot.getViewBox().sigResized.connect(self._fit_axis_labels)
        self._legend_height = 0.0  # while the legend is folded away: the room it took
        self.y_plot.getViewBox().sigResized.connect(self._fold_legend)
        self.heat_plot = self._make_plot(row=4)
        self.dy_plot.setXLink(self.y_plot)
        self.heat_plot.setXLink(self.y_plot)
        self.ci.layout.setRowStretchFactor(2, 3)
        self.ci.layout.setRowStretchFactor(3, 2)
        self.ci.layout.setRowStretchFactor(4, 3)

        self.y_curve = CurveItem()
        self.dy_curve = CurveItem()
        self.dy_zero = SegmentItem()
        self.tangent = SegmentItem()
        self.y_marker = DotItem()
        self.dy_marker = DotItem()
        for plot, items in (
            (self.y_plot, (self.y_curve, self.tangent, self.y_marker)),
            (self.dy_plot, (self.dy_zero, self.dy_curve, self.dy_marker)),
        ):
            for item in items:
                plot.addItem(item, ignoreBounds=True)

        # Stand-ins that only give the legend its samples (the tangent is not a pg item).
        self._samples = [pg.PlotDataItem() for _ in range(3)]
        for sample, name in zip(self._samples, ("y", "tangent", "dy/dx"), strict=True):
            self.legend.addItem(sample, name)

        self.heat_image = pg.ImageItem(axisOrder="row-major")
        self.heat_image.setColorMap(pg.colormap.get("cividis"))
        self.heat_marker = DotItem()
        self.heat_shaft = SegmentItem()
        self.heat_head = pg.ArrowItem(headLen=14, tipAngle=34, tailLen=0)
        for item in (self.heat_image, self.heat_shaft, self.heat_head, self.heat_marker):
            self.heat_plot.addItem(item, ignoreBounds=True)
        self.heat_head.setZValue(15)
        self.colour_bar = pg.ColorBarItem(colorMap=pg.colormap.get("cividis"), interactive=False, width=14)
        self.colour_bar.setImageItem(self.heat_image)
        for name in ("left", "right", "top", "bottom"):
            self.colour_bar.getAxis(name).enableAutoSIPrefix(False)
        self.addItem(self.colour_bar, row=4, col=1)
        self.heat_plot.vb.sigRangeChanged.connect(self._draw_arrow)
        self.heat_plot.vb.sigResized.connect(self._draw_arrow)

        self.rules: list[RuleItem] = []
        for plot in (self.y_plot, self.dy_plot, self.heat_plot):
            rule = RuleItem()
            plot.addItem(rule, ignoreBounds=True)
            self.rules.append(rule)
            plot.vb.sigYRangeChanged.connect(self._place_rules)
        for plot in (self.y_plot, self.dy_plot):
            vb: ScrubViewBox = plot.vb
            vb.setCursor(Qt.CursorShape.SizeHorCursor)
            vb.scrub_started.connect(lambda _p: self.x_drag_started.emit())
            vb.scrubbed.connect(lambda p: self.x_dragged.emit(self.snap_x(p.x())))
            vb.scrub_finished.connect(lambda _p: self.x_drag_finished.emit())
        heat_vb: ScrubViewBox = self.heat_plot.vb
        heat_vb.setCursor(Qt.CursorShape.CrossCursor)
        heat_vb.scrub_started.connect(lambda _p: self.point_drag_started.emit())
        heat_vb.scrubbed.connect(self._heat_scrubbed)
        heat_vb.scrub_finished.connect(lambda _p: self.point_drag_finished.emit())

        # Axes (with their grids) and curves change only with the range or the sweep;
        # cached as pixmaps, a drag step blits them instead of re-drawing every tick
        # label and 500-point path (that took ~25 ms a frame; the cache takes ~1).
        cached: list[QGraphicsItem] = [self.y_curve, self.dy_curve, self.heat_image]
        for plot in (self.y_plot, self.dy_plot, self.heat_plot):
            cached += [plot.getAxis(name) for name in ("left", "bottom", "top", "right")]
        for item in cached:
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.show_heat(False)
        self.set_theme(LIGHT)

    def _make_plot(self, row: int) -> pg.PlotItem:
        plot = pg.PlotItem(viewBox=ScrubViewBox(), axisItems={"left": CompactAxis("left")})
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.showGrid(x=True, y=True, alpha=0.25)
        plot.getAxis("left").setWidth(64)
        for name in ("left", "bottom"):
            plot.getAxis(name).enableAutoSIPrefix(False)
            plot.getAxis(name).setStyle(maxTickLevel=1)  # no third, faint level of grid
        plot.getAxis("left").setTickDensity(0.7)
        self.addItem(plot, row=row, col=0)
        return plot

    # ------------------------------------------------------------------ appearance
    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.setBackground(QColor(theme.background))
        font = QFont()
        font.setPointSizeF(9.5)
        for plot in (self.y_plot, self.dy_plot, self.heat_plot, self.colour_bar):
            for name in ("left", "bottom", "right"):
                axis = plot.getAxis(name)
                axis.setPen(QColor(theme.muted_text))
                axis.setTextPen(QColor(theme.text))
                axis.setTickFont(font)
        self.y_curve.set_pen(cosmetic_pen(theme.value, CURVE_WIDTH))
        self.dy_curve.set_pen(cosmetic_pen(theme.grad, CURVE_WIDTH))
        tangent_pen = cosmetic_pen(theme.grad, 2.0, Qt.PenStyle.DashLine)
        self.tangent.setPen(tangent_pen)
        self.dy_zero.setPen(cosmetic_pen(theme.muted_text, 1.0, Qt.PenStyle.DashLine))
        for sample, pen in zip(
            self._samples,
            (_pen(theme.value), _pen(theme.grad, 2.0, Qt.PenStyle.DashLine), _pen(theme.grad)),
            strict=True,
        ):
            sample.setPen(pen)
        self.y_marker.set_style(theme.value, theme.background)
        self.dy_marker.set_style(theme.grad, theme.background)
        self.heat_marker.set_style(theme.grad, "#ffffff")
        self.heat_shaft.setPen(cosmetic_pen(theme.grad, 3.0))
        self.heat_head.setStyle(
            brush=pg.mkBrush(QColor(theme.grad)), pen=pg.mkPen(QColor("#ffffff"), width=1)
        )
        for rule in self.rules:
            rule.setPen(cosmetic_pen(theme.muted_text, 1.4))
        self.legend.setLabelTextColor(QColor(theme.text))
        self._label_axes()
        self._write_readout()
        for item in (self.y_curve, self.dy_curve):
            item.update()

    def set_names(self, x_name: str, y_name: str, x2_name: str = "") -> None:
        """The names the axes, legend and readout use (node names, else formulas)."""
        self._names = (x_name, y_name, x2_name)
        self._label_axes()
        self._write_readout()
        self._fit_legend()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._fit_legend()
        super().resizeEvent(event)

    def _fit_legend(self) -> None:
        """As many legend columns as the width holds: a legend wider than the view would
        make the whole plot wider than its dock (axes and curves cut at the right)."""
        if not hasattr(self, "legend"):
            return  # pyqtgraph resizes the view while it is being built
        left, _top, right, _bottom = self.ci.layout.getContentsMargins()
        room = self.width() - left - right - 2.0
        for columns in (3, 2, 1):
            if self.legend.columnCount != columns:
                self.legend.setColumnCount(columns)
            if self.legend.layout.minimumWidth() <= room:
                break

    def _label_axes(self) -> None:
        x, y, x2 = self._names
        t = self._theme
        style = {"font-size": f"{AXIS_LABEL_POINTS}pt"}
        self.y_plot.setLabel("left", y, color=t.value, **style)
        self.dy_plot.setLabel("left", _slope(y, x), color=t.grad, **style)
        heat = self.heat_plot.isVisible()
        for plot, bottom in ((self.y_plot, False), (self.dy_plot, not heat), (self.heat_plot, heat)):
            plot.setLabel("bottom", x if bottom else None, color=t.text, **style)
            plot.getAxis("bottom").setStyle(showValues=bottom)
        self.heat_plot.setLabel("left", x2, color=t.text, **style)
        self.colour_bar.setLabel("right", y, color=t.value, **style)
        self._fit_axis_labels()
        # "tangent" alone: its slope is the dy/dx beside it, and a short legend fits one row.
        for sample, text in zip(self._samples, (f"{y}({x})", "tangent", _slope(y, x)), strict=True):
            label = self.legend.getLabel(sample)
            if label is not None:
                label.setText(text, color=QColor(t.text), size="9pt")

    def _fold_legend(self, *_: object) -> None:
        """No legend when it would leave the curve less than :data:`MIN_CURVE_PIXELS`.

        A short dock (1024 × 700 with the Train tab) with long names ("d(loss)/d(w1_0_0)",
        two legend rows) left a 24 px curve; the readout above says the same names in
        the same colours.
        """
        height = self.y_plot.getViewBox().height()
        if self.legend.isVisible() and height < MIN_CURVE_PIXELS:
            self._legend_height = self.legend.boundingRect().height()
            self.legend.hide()
            self.legend.setMaximumHeight(0.0)  # a hidden item still takes its row's room
        elif not self.legend.isVisible() and height - self._legend_height >= MIN_CURVE_PIXELS + 4.0:
            self.legend.setMaximumHeight(QWIDGETSIZE_MAX)
            self.legend.show()

    def _fit_axis_labels(self, *_: object) -> None:
        """A side label only where the plot is tall enough for it: in a short plot the
        upright "d(loss)/da" ran into the "loss" above it (the legend names both)."""
        if not hasattr(self, "dy_plot"):
            return  # pyqtgraph resizes the view while it is being built
        font = QFont(self.font())
        font.setPointSizeF(AXIS_LABEL_POINTS)
        metrics = QFontMetricsF(font)
        for plot in (self.y_plot, self.dy_plot):
            axis = plot.getAxis("left")
            fits = metrics.horizontalAdvance(axis.labelText) <= plot.getViewBox().height()
            if axis.label.isVisible() != fits:
                axis.showLabel(fits)

    # ------------------------------------------------------------------ data
    def set_x_range(self, lo: float, hi: float) -> None:
        self._x_range = (lo, hi)
        self.y_plot.setXRange(lo, hi, padding=0.0)
        self.dy_zero.place(lo, 0.0, hi, 0.0)

    def set_curves(self, xs: np.ndarray, ys: np.ndarray, dys: np.ndarray) -> None:
        """New curves; NaN samples and poles become gaps."""
        # Samples beyond the axes' reach are gaps: pyqtgraph cannot frame or draw them.
        ys, dys = drawable(ys), drawable(dys)
        self._xs, self._ys, self._dys = xs, ys, dys
        self.y_curve.set_data(xs, ys, connect_mask(xs, ys, dys))
        # dy/dx has poles of its own (d(1/x²)/dx at 0); its slopes come from the samples.
        self.dy_curve.set_data(xs, dys, connect_mask(xs, dys, None))

    def fit_y(self) -> None:
        """Frame both curves (robustly: a pole does not flatten everything else)."""
        for plot, values in ((self.y_plot, self._ys), (self.dy_plot, self._dys)):
            window = robust_y_range(values)
            plot.setYRange(*(window if window and usable_range(*window) else (-1.0, 1.0)), padding=0.0)
        self._draw_tangent()

    def set_point(self, x: float, y: float, dy: float) -> None:
        """The current point: rules, markers, tangent and readout; the curves stay as they are."""
        self._point = (x, y, dy)
        self._place_rules()
        x_, y_, dy_ = (float(v) for v in drawable(np.array([x, y, dy])))
        self.y_marker.place(x_, y_)
        self.dy_marker.place(x_, dy_)
        self._draw_tangent()
        self._write_readout()

    def point(self) -> tuple[float, float, float]:
        """(x, y, dy/dx) as shown by the marker and readout."""
        return self._point

    def set_slope_hidden(self, hidden: bool) -> None:
        """Hide dy/dx (curve, marker, tangent, readout number) until the learner has predicted it."""
        if hidden == self._slope_hidden:
            return
        self._slope_hidden = hidden
        for item in (self.dy_curve, self.dy_marker):
            item.setVisible(not hidden)
        self._draw_tangent()
        self._write_readout()

    @property
    def slope_hidden(self) -> bool:
        return self._slope_hidden

    def set_note(self, note: str) -> None:
        """A one-line remark under the readout ("y does not depend on x"), or ""."""
        if note != self._note:
            self._note = note
            self._write_readout()

    def _place_rules(self, *_: object) -> None:
        x = self._point[0]
        for plot, rule in zip((self.y_plot, self.dy_plot, self.heat_plot), self.rules, strict=True):
            lo, hi = plot.vb.viewRange()[1]
            span = hi - lo
            rule.place(x, lo - span, hi + span)

    def _draw_tangent(self) -> None:
        x, y, dy = self._point
        lo, hi = self._x_range
        y_lo, y_hi = self.y_plot.vb.viewRange()[1]
        segment = tangent_segment(x, y, dy, lo, hi, y_lo, y_hi)
        if segment is None or self._slope_hidden:
            self.tangent.setVisible(False)
        else:
            (x0, x1), (y0, y1) = segment
            self.tangent.place(x0, y0, x1, y1)

    def _write_readout(self) -> None:
        t = self._theme
        x_name, y_name, x2_name = self._names
        x, y, dy = self._point
        gap = ("    ", t.text, False)
        lines: list[list[Run]] = [
            [
                (f"{x_name} = ", t.text, False),
                (format_number(x), t.text, True),
                gap,
                (f"{y_name} = ", t.value, False),
                (format_number(y), t.value, True),
                gap,
                (f"{_slope(y_name, x_name)} = ", t.grad, False),
                ("?" if self._slope_hidden else format_number(dy), t.grad, True),
            ]
        ]
        if self.heat_plot.isVisible() and x2_name:
            _x1, x2, g1, g2 = self._heat_point
            nabla = "?, ?" if self._slope_hidden else f"{format_number(g1)}, {format_number(g2)}"
            lines.append(
                [
                    (f"{x2_name} = ", t.text, False),
                    (format_number(x2), t.text, True),
                    gap,
                    (f"∇{y_name} = (", t.grad, False),
                    (nabla, t.grad, True),
                    (")", t.grad, False),
                ]
            )
        if x != x and self._note:
            lines = []  # nothing to plot against yet: the remark alone, not "x = undefined …"
        if self._note:
            lines.append([(self._note, t.muted_text, False)])
        self.readout.set_lines(lines, small_last=bool(self._note))

    # ------------------------------------------------------------------ heat map
    def show_heat(self, visible: bool) -> None:
        # Out of the layout, not only hidden: a hidden grid cell still takes its space.
        if visible and not self.heat_plot.isVisible():
            self.addItem(self.heat_plot, row=4, col=0)
            self.addItem(self.colour_bar, row=4, col=1)
        elif not visible and self.heat_plot in self.ci.items:
            self.ci.removeItem(self.heat_plot)
            self.ci.removeItem(self.colour_bar)
        self.heat_plot.setVisible(visible)
        self.colour_bar.setVisible(visible)
        for row, stretch in ((2, 3), (3, 2), (4, 3 if visible else 0)):
            self.ci.layout.setRowStretchFactor(row, stretch)
        self._label_axes()
        self._write_readout()

    def set_heat(self, xs: np.ndarray, x2s: np.ndarray, values: np.ndarray) -> None:
        """y over the grid: ``values[j, i]`` is y at (xs[i], x2s[j]); NaN is transparent."""
        levels = robust_y_range(values, pad=0.0) or (0.0, 1.0)
        self.heat_image.setImage(values, levels=levels, autoLevels=False)
        dx = (xs[-1] - xs[0]) / max(1, len(xs) - 1)
        dx2 = (x2s[-1] - x2s[0]) / max(1, len(x2s) - 1)
        self.heat_image.setRect(
            QRectF(xs[0] - dx / 2, x2s[0] - dx2 / 2, xs[-1] - xs[0] + dx, x2s[-1] - x2s[0] + dx2)
        )
        self.colour_bar.setLevels(levels)
        self.heat_plot.setYRange(float(x2s[0]), float(x2s[-1]), padding=0.0)

    def set_heat_point(self, x: float, x2: float, g1: float, g2: float) -> None:
        self._heat_point = (x, x2, g1, g2)
        self.heat_marker.place(x, x2)
        self._draw_arrow()
        self._write_readout()

    def heat_point(self) -> tuple[float, float, float, float]:
        """(x, x₂, dy/dx, dy/dx₂) at the marker."""
        return self._heat_point

    def _draw_arrow(self, *_: object) -> None:
        x, x2, g1, g2 = self._heat_point
        px_w, px_h = self.heat_plot.vb.viewPixelSize()
        sx, sy = g1 / px_w if px_w else math.nan, -g2 / px_h if px_h else math.nan
        norm = math.hypot(sx, sy) if all(math.isfinite(v) for v in (x, x2, sx, sy)) else 0.0
        if not norm > 0.0:
            self.heat_shaft.setVisible(False)
            self.heat_head.hide()
            return
        # The gradient's direction in data space, drawn at a fixed length on screen.
        ux, uy = sx / norm, sy / norm
        tip_x, tip_y = x + ux * ARROW_PIXELS * px_w, x2 - uy * ARROW_PIXELS * px_h
        self.heat_shaft.place(x, x2, tip_x, tip_y)
        self.heat_head.setPos(QPointF(tip_x, tip_y))
        self.heat_head.setStyle(angle=math.degrees(math.atan2(-uy, -ux)))
        self.heat_head.show()

    def _heat_scrubbed(self, point: QPointF) -> None:
        y_lo, y_hi = self.heat_plot.vb.viewRange()[1]
        x2 = min(max(point.y(), y_lo), y_hi)
        self.point_dragged.emit(self.snap_x(point.x()), snap_value(x2, value_step(max(abs(y_lo), abs(y_hi)))))

    def _clamp(self, x: float) -> float:
        lo, hi = self._x_range
        return min(max(x, lo), hi)

    def snap_x(self, x: float) -> float:
        """``x`` inside the range, rounded to the step a scrub on the canvas moves in (for
        the magnitude of the numbers on the axis): 0.5, not 0.500353."""
        lo, hi = self._x_range
        return self._clamp(snap_value(x, value_step(max(abs(lo), abs(hi)))))
