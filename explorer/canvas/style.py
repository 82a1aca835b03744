"""Qt drawing objects for one theme, built once and shared by every canvas item.

Painting runs for every visible item on every frame, so pens, brushes, fonts and font
metrics are made here once per theme, never inside ``paint()``. Items hold a reference
to the current :class:`CanvasStyle` and the scene swaps it on a theme change. Fonts use
pixel sizes so that text has the same size in scene units on every screen; Qt then
renders it at the device's real resolution, which keeps it crisp on HiDPI.

This module also fixes the card geometry (header, rows, ports) so that the items, the
hit-testing and the tests agree on where things are.

Imports: PySide6.QtCore/QtGui, explorer.theme, explorer.graph.layout (card and pill sizes).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen, QPixmap, QStaticText

from explorer.graph.layout import HEADER_HEIGHT, NODE_HEIGHT, NODE_WIDTH, PILL_HEIGHT
from explorer.theme import LIGHT, Theme

# ----------------------------------------------------------------------------- card geometry
WIDTH = NODE_WIDTH
HEIGHT = NODE_HEIGHT
RADIUS = 7.0
HEADER = HEADER_HEIGHT
PAD = 10.0
ROW_HEIGHT = 22.0
VALUE_ROW = QRectF(PAD - 4.0, HEADER + 3.0, WIDTH - 2 * PAD + 8.0, ROW_HEIGHT)
GRAD_ROW = QRectF(PAD - 4.0, HEADER + 5.0 + ROW_HEIGHT, WIDTH - 2 * PAD + 8.0, ROW_HEIGHT)
PORT_RADIUS = 5.5
PORT_HIT_RADIUS = 11.0
BODY_MID = (HEADER + HEIGHT) / 2.0
OUTPUT_PORT = QPointF(WIDTH, BODY_MID)
CARD = QRectF(0.0, 0.0, WIDTH, HEIGHT)
# Room around the card for the output tag, error badge, operand names and tangent line.
BOUNDS = QRectF(-56.0, -24.0, WIDTH + 70.0, HEIGHT + 46.0)


# Two operand ports sit at a third and two thirds of the card's height: one on the seam
# under the header, one in the gap between the rows, so that neither link seems to feed
# the "value" or the "grad" row. More (a function call's parameters) share the height
# evenly in the same way, in slot order from the top.

# A constant is a small pill showing its number, on the right of its slot in the layout
# so that its output port is where a card's would be.
PILL_MIN_WIDTH = 34.0
PILL_PAD = 11.0


def pill_rect(width: float) -> QRectF:
    """The constant's pill for a text ``width`` wide (item coordinates)."""
    w = min(WIDTH, max(PILL_MIN_WIDTH, width + 2 * PILL_PAD))
    return QRectF(WIDTH - w, BODY_MID - PILL_HEIGHT / 2.0, w, PILL_HEIGHT)


def input_port_y(slot: int, arity: int) -> float:
    """Height of operand port ``slot`` on a card with ``arity`` operands (item coordinates)."""
    return BODY_MID if arity <= 1 else HEIGHT * (slot + 1) / (arity + 1)


def input_port(slot: int, arity: int) -> QPointF:
    """Where operand ``slot`` of a node with ``arity`` operands plugs in (item coordinates)."""
    return QPointF(0.0, input_port_y(slot, arity))


# ----------------------------------------------------------------------------- level of detail
LOD_TEXT = 0.42  # below this zoom the card is drawn as a plain shape
LOD_DETAIL = 0.62  # from here the value/grad rows are fully opaque
LOD_LABELS = 0.55  # edge labels and port names
LOD_FAR_TEXT = 0.2  # zoomed out, a card's name is drawn big from here (about 8 px tall)


def fade(lod: float, start: float, full: float) -> float:
    """0 below ``start``, 1 from ``full``, linear between: details fade in as you zoom."""
    if lod <= start:
        return 0.0
    if lod >= full:
        return 1.0
    return (lod - start) / (full - start)


# ----------------------------------------------------------------------------- cached pictures
PICTURES_KEPT = 400  # per style and scale, before the cache starts afresh


def snap(rect: QRectF, scale: float) -> QRectF:
    """``rect`` grown to whole device pixels from the item's origin, so that a picture of
    it shows the item exactly as drawing it directly at an integral position would."""
    left, top = math.floor(rect.left() * scale), math.floor(rect.top() * scale)
    right, bottom = math.ceil(rect.right() * scale), math.ceil(rect.bottom() * scale)
    return QRectF(left / scale, top / scale, (right - left) / scale, (bottom - top) / scale)


def make_picture(
    rect: QRectF, scale: float, hints: QPainter.RenderHint, paint: Callable[[QPainter], None]
) -> QPixmap:
    """``paint`` (item coordinates) rendered to a transparent pixmap covering ``rect`` (see
    :func:`snap`) at ``scale`` device pixels per unit, ready for :func:`draw_picture`."""
    pixmap = QPixmap(max(1, round(rect.width() * scale)), max(1, round(rect.height() * scale)))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHints(hints)
    painter.scale(scale, scale)
    painter.translate(-rect.left(), -rect.top())
    paint(painter)
    painter.end()
    # Drawn at item coordinates, the picture then covers exactly its own pixels;
    # resetting the painter's transform instead would cost more than the copy.
    pixmap.setDevicePixelRatio(scale)
    return pixmap


def draw_picture(painter: QPainter, pixmap: QPixmap, rect: QRectF, dpr: float) -> tuple[float, float]:
    """Copy a :func:`make_picture` of ``rect`` to its place, on whole device pixels; returns
    the shift (item units, under half a pixel) it was given to land there."""
    t = painter.worldTransform()
    scale = pixmap.devicePixelRatio()
    x = (t.m11() * rect.left() + t.dx()) * dpr
    y = (t.m22() * rect.top() + t.dy()) * dpr
    ox, oy = (round(x) - x) / scale, (round(y) - y) / scale
    painter.drawPixmap(QPointF(rect.left() + ox, rect.top() + oy), pixmap)
    return ox, oy


def _font(px: int, weight: QFont.Weight = QFont.Weight.Normal, family: str = "") -> QFont:
    font = QFont(family) if family else QFont()
    font.setPixelSize(px)
    font.setWeight(weight)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)  # scales smoothly
    return font


def _pen(color: QColor, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(color, width, style)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor(
        round(a.red() + (b.red() - a.red()) * t),
        round(a.green() + (b.green() - a.green()) * t),
        round(a.blue() + (b.blue() - a.blue()) * t),
    )


@dataclass(eq=False)
class CanvasStyle:
    """Everything an item needs to paint in one theme."""

    theme: Theme
    # colours
    background: QColor
    grid: QColor
    text: QColor
    muted: QColor
    value: QColor
    grad: QColor
    tangent: QColor
    error: QColor
    pulse: QColor
    edge: QColor
    edge_label: QColor
    # brushes
    fill: QBrush
    header: QBrush
    input_fill: QBrush
    const_fill: QBrush
    field: QBrush
    chip: QBrush
    field_hover: QBrush
    label_back: QBrush
    label_pen: QPen
    error_fill: QBrush
    active_fill: QBrush
    shadow: QBrush
    # pens
    border: QPen
    selected_border: QPen
    output_border: QPen
    error_border: QPen
    active_border: QPen
    path_border: QPen
    divider: QPen
    port: QPen
    edge_pen: QPen
    edge_selected: QPen
    drag_pen: QPen
    drag_bad_pen: QPen
    # fonts
    title_font: QFont
    big_title_font: QFont
    symbol_font: QFont
    tag_font: QFont
    row_label_font: QFont
    number_font: QFont
    edge_font: QFont
    far_font: QFont
    title_metrics: QFontMetricsF
    big_title_metrics: QFontMetricsF
    symbol_metrics: QFontMetricsF
    tag_metrics: QFontMetricsF
    number_metrics: QFontMetricsF
    edge_metrics: QFontMetricsF
    far_metrics: QFontMetricsF
    far_fill: QBrush = field(default_factory=QBrush)
    value_brush: QBrush = field(default_factory=QBrush)
    grad_brush: QBrush = field(default_factory=QBrush)
    # Vertical placement of text, measured once: tops for static text, a baseline shift.
    big_title_top: float = 0.0
    title_top: float = 0.0
    symbol_top: float = 0.0
    tag_top: float = 0.0
    label_top: float = 0.0
    number_dy: float = 0.0
    # Text layouts items share (e.g. a header's elided title), keyed by what they show.
    cache: dict[tuple[str, str, str], tuple[str, str, float, float]] = field(default_factory=dict)
    # Pictures of card chrome (everything but the title and numbers), keyed by the look
    # and the device scale; see NodePainting._blit_chrome.
    chrome: dict[tuple[object, ...], QPixmap] = field(default_factory=dict)
    chrome_scale: tuple[float, float] = (0.0, 0.0)
    edge_dy: float = 0.0  # baseline shift that centres edge-label text on a point
    _static: dict[tuple[str, str], QStaticText] = field(default_factory=dict)
    _far_pos: dict[str, QPointF] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.far_fill = QBrush(_mix(self.header.color(), self.border.color(), 0.25))
        self.value_brush = QBrush(self.value)
        self.grad_brush = QBrush(self.grad)
        half = HEADER / 2.0
        self.big_title_top = half - self.big_title_metrics.height() / 2.0
        self.title_top = half - self.title_metrics.height() / 2.0
        self.symbol_top = half - self.symbol_metrics.height() / 2.0
        self.tag_top = half - self.tag_metrics.height() / 2.0
        self.label_top = -QFontMetricsF(self.row_label_font).height() / 2.0
        nm = self.number_metrics
        self.number_dy = (nm.ascent() - nm.descent()) / 2.0
        em = self.edge_metrics
        self.edge_dy = (em.ascent() - em.descent()) / 2.0

    def pictures(self, lod: float, dpr: float) -> dict[tuple[object, ...], QPixmap]:
        """The cache of pictures drawn at this zoom (emptied when the zoom changes)."""
        if self.chrome_scale != (lod, dpr) or len(self.chrome) > PICTURES_KEPT:
            self.chrome.clear()  # a new zoom: the old pictures will not be drawn again
            self.chrome_scale = (lod, dpr)
        return self.chrome

    def static(self, text: str, font: str) -> QStaticText:
        """A pre-laid-out text in one of the named fonts ("title", "big", "symbol", "tag",
        "label", "far"); drawing it costs half of ``drawText``."""
        key = (text, font)
        static = self._static.get(key)
        if static is None:
            static = QStaticText(text)
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.prepare(font=self._fonts[font])
            self._static[key] = static
        return static

    @property
    def _fonts(self) -> dict[str, QFont]:
        return {
            "title": self.title_font,
            "big": self.big_title_font,
            "symbol": self.symbol_font,
            "tag": self.tag_font,
            "label": self.row_label_font,
            "far": self.far_font,
        }

    def far_text_pos(self, text: str) -> QPointF:
        """Top-left for ``text`` in the far font, centred on the card."""
        pos = self._far_pos.get(text)
        if pos is None:
            m = self.far_metrics
            pos = QPointF((WIDTH - m.horizontalAdvance(text)) / 2.0, (HEIGHT - m.height()) / 2.0)
            self._far_pos[text] = pos
        return pos

    @classmethod
    def from_theme(cls, theme: Theme = LIGHT) -> CanvasStyle:
        c = QColor
        dark = theme.name == "dark"
        text, background = c(theme.text), c(theme.background)
        node_fill = c(theme.node_fill)
        field = _mix(node_fill, c(theme.value), 0.07 if not dark else 0.12)
        error_fill = _mix(node_fill, c(theme.error), 0.10 if not dark else 0.16)
        active_fill = _mix(node_fill, c(theme.pulse), 0.14)
        # Opaque stand-ins for translucent colours: alpha blending costs three times as much.
        shadow = _mix(background, QColor(0, 0, 0), 0.10 if not dark else 0.35)
        label_back = QColor(background)
        return cls(
            theme=theme,
            background=background,
            grid=c(theme.grid),
            text=text,
            muted=c(theme.muted_text),
            value=c(theme.value),
            grad=c(theme.grad),
            tangent=c(theme.tangent),
            error=c(theme.error),
            pulse=c(theme.pulse),
            edge=c(theme.edge),
            edge_label=c(theme.edge_label),
            fill=QBrush(node_fill),
            header=QBrush(c(theme.node_header)),
            input_fill=QBrush(c(theme.input_fill)),
            const_fill=QBrush(c(theme.const_fill)),
            field=QBrush(field),
            chip=QBrush(_mix(c(theme.node_header), c(theme.node_border), 0.30 if not dark else 0.45)),
            field_hover=QBrush(_mix(node_fill, c(theme.value), 0.16 if not dark else 0.24)),
            label_back=QBrush(label_back),
            label_pen=QPen(c(theme.edge), 1.0),
            error_fill=QBrush(error_fill),
            active_fill=QBrush(active_fill),
            shadow=QBrush(shadow),
            border=_pen(c(theme.node_border), 1.2),
            selected_border=_pen(c(theme.node_selected), 2.6),
            output_border=_pen(c(theme.output_border), 3.2),
            error_border=_pen(c(theme.error), 2.6),
            active_border=_pen(c(theme.pulse), 3.4),
            path_border=_pen(c(theme.grad), 2.6),
            divider=_pen(_mix(c(theme.node_border), node_fill, 0.55), 1.0),
            port=_pen(node_fill, 1.6),
            edge_pen=_pen(c(theme.edge), 1.8),
            edge_selected=_pen(c(theme.node_selected), 2.6),
            drag_pen=_pen(c(theme.node_selected), 2.0, Qt.PenStyle.DashLine),
            drag_bad_pen=_pen(c(theme.error), 2.0, Qt.PenStyle.DashLine),
            title_font=_font(14, QFont.Weight.DemiBold),
            big_title_font=_font(17, QFont.Weight.Bold),
            symbol_font=_font(14, QFont.Weight.Bold),
            tag_font=_font(9, QFont.Weight.DemiBold),
            row_label_font=_font(11),
            number_font=_font(14, QFont.Weight.DemiBold),
            edge_font=_font(11, QFont.Weight.DemiBold),
            far_font=_font(38, QFont.Weight.Bold),
            title_metrics=QFontMetricsF(_font(14, QFont.Weight.DemiBold)),
            big_title_metrics=QFontMetricsF(_font(17, QFont.Weight.Bold)),
            symbol_metrics=QFontMetricsF(_font(14, QFont.Weight.Bold)),
            tag_metrics=QFontMetricsF(_font(9, QFont.Weight.DemiBold)),
            number_metrics=QFontMetricsF(_font(14, QFont.Weight.DemiBold)),
            edge_metrics=QFontMetricsF(_font(11, QFont.Weight.DemiBold)),
            far_metrics=QFontMetricsF(_font(38, QFont.Weight.Bold)),
        )
