"""Painting of a node card (the drawing half of :class:`~explorer.canvas.node_item.NodeItem`).

Split from the item so each file stays readable: the item holds state and geometry, this
mixin turns that state into pixels. Everything here reads only the item's own fields and
the shared :class:`~explorer.canvas.style.CanvasStyle`; strings are measured and elided
once per change (header) or once per new number (rows), never on every frame.

A card is drawn in two layers. The *chrome* (:mod:`explorer.canvas.node_chrome`: shadow,
body, header band, outline, op chip, row bars and labels, ports, badges) depends only on
a handful of states shared by many cards, so in a view it is drawn once per look and
device scale into a pixmap that every such card copies: one ``drawPixmap`` instead of a
dozen antialiased shapes. The *live* layer here (the node's title and its numbers) is
drawn on top with cached fonts and pre-laid-out text, shifted with the picture onto whole
device pixels. Painted for export (no widget), both layers are drawn as vectors. While
the view zooms, the scale changes every frame and pictures would be thrown away at
once, so cards draw vectors until the zoom settles.

A constant is a compact pill with just its number: it has no gradient row, as nobody asks
how the output moves when the number 2 moves; neither does any node that depends on no
input (``set_varies(False)``).

Level of detail: below ``LOD_TEXT`` a card is a plain rectangle with its name in big
letters (readable from far away; the view's backdrop draws it), above it the full card
fades its small text in.

Imports: PySide6, explorer.theme, explorer.graph.ops, explorer.canvas.style / node_chrome.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

from explorer.canvas import style as st
from explorer.canvas.node_chrome import NodeChrome
from explorer.graph.ops import LEAF_OPS
from explorer.theme import format_number

if TYPE_CHECKING:
    from explorer.canvas.backdrop import Backdrop

DIM_OPACITY = 0.28
NO_GRADIENT = "—"  # shown in the grad row of a node that depends on no input
_NO_PEN = Qt.PenStyle.NoPen
_ELIDE = Qt.TextElideMode.ElideRight
_VALUE_BASE = st.VALUE_ROW.center().y()
_GRAD_BASE = st.GRAD_ROW.center().y()
_NUMBER_ROOM = st.VALUE_ROW.width() - 52.0  # right of the row label
_WIDE_ROOM = st.VALUE_ROW.width() - 18.0  # a long override hides the row label


class NodePainting(NodeChrome):
    """Mixin for NodeItem: ``paint()``, the live layer and the text layout they need."""

    _style: st.CanvasStyle
    _op: str
    _name: str
    _title: str
    _symbol: str
    _tag: str
    _arity: int
    _errors: tuple[str, ...]
    _emphasis: str | None
    _output: bool
    _hover: tuple[str, int] | None
    _port_mark: tuple[int, bool] | None
    _in_connected: list[bool]
    _out_connected: bool
    _tangent: str | None
    _value: float
    _grad: float
    _varies: bool
    _value_override: str | None
    _grad_override: str | None
    _value_str: str | None
    _grad_str: str | None
    _value_x: float
    _grad_x: float
    _value_wide: bool
    _grad_wide: bool
    _pill_width: float
    _header: tuple[str, str, float, float] | None
    backdrop: Backdrop | None

    if TYPE_CHECKING:

        def isSelected(self) -> bool: ...  # provided by QGraphicsItem

    # ------------------------------------------------------------------ text layout
    @property
    def is_pill(self) -> bool:
        """Drawn as a compact constant (a pill with its number)."""
        return self._op == "const"

    def _header_layout(self) -> tuple[str, str, float, float]:
        """(title as shown, far-zoom title, symbol chip width, tag width), cached per style."""
        if self._header is None:
            s = self._style
            key = (self._op, self._title, self._name)
            cached = s.cache.get(key)
            if cached is None:
                symbol_width = s.symbol_metrics.horizontalAdvance(self._symbol) + 12.0
                tag_width = s.tag_metrics.horizontalAdvance(self._tag) if self._tag else 0.0
                if self._op in LEAF_OPS:
                    room = st.WIDTH - 2 * st.PAD - tag_width - 6.0
                    metrics = s.big_title_metrics if self._name else s.title_metrics
                    title = metrics.elidedText(self._title, _ELIDE, room)
                else:
                    room = st.WIDTH - 2 * st.PAD - symbol_width - 8.0
                    title = s.title_metrics.elidedText(self._title, _ELIDE, room)
                    if title != self._title and not self._name:
                        title = ""  # the chip already says "exp" (or "|a|"): better than "Expone…"
                far = s.far_metrics.elidedText(self._name or self._symbol, _ELIDE, st.WIDTH - 12.0)
                cached = (title, far, symbol_width, tag_width)
                s.cache[key] = cached
            self._header = cached
        return self._header

    def _fit(self, text: str, room: float) -> tuple[str, float]:
        """``text`` elided to ``room`` and its width (one measurement when it fits)."""
        metrics = self._style.number_metrics
        width = metrics.horizontalAdvance(text)
        if width > room:
            text = metrics.elidedText(text, _ELIDE, room)
            width = metrics.horizontalAdvance(text)
        return text, width

    def _format_numbers(self) -> None:
        """Make the row strings (and their x) for the current numbers and overrides."""
        if self._value_str is None:
            text = self._value_override
            if text is None:
                text = format_number(self._value)
            if self.is_pill:
                text, width = self._fit(self._pill_text(text), st.WIDTH - 2 * st.PILL_PAD)
                self._pill_width = width
                self._value_x = st.pill_rect(width).center().x() - width / 2.0
            else:
                self._value_wide = self._value_override is not None and self._too_wide(text)
                text, width = self._fit(text, _WIDE_ROOM if self._value_wide else _NUMBER_ROOM)
                self._value_x = st.VALUE_ROW.right() - 6.0 - width
            self._value_str = text
        if self._grad_str is None:
            text = self._grad_override
            if self.is_pill:
                text = ""
            elif text is None:
                text = format_number(self._grad) if self._varies else ""
            self._grad_wide = self._grad_override is not None and self._too_wide(text)
            text, width = self._fit(
                text or self._placeholder(), _WIDE_ROOM if self._grad_wide else _NUMBER_ROOM
            )
            self._grad_str = "" if text == NO_GRADIENT else text
            self._grad_x = st.GRAD_ROW.right() - 6.0 - width

    def _placeholder(self) -> str:
        """What an empty grad row shows: a dash on a card that has no gradient at all."""
        return NO_GRADIENT if not self._varies and self._grad_override is None else ""

    def _too_wide(self, text: str) -> bool:
        return self._style.number_metrics.horizontalAdvance(text) > _NUMBER_ROOM

    def _pill_text(self, number: str) -> str:
        return f"{self._name} = {number}" if self._name else number

    # ------------------------------------------------------------------ painting
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        lod = painter.worldTransform().m11()  # no rotation here, so this is the zoom
        if lod < st.LOD_TEXT:
            self.paint_far(painter, lod)
            return
        opacity = painter.opacity()
        if self._emphasis == "dim":
            painter.setOpacity(opacity * DIM_OPACITY)
        if self._value_str is None or self._grad_str is None:
            self._format_numbers()
        backdrop = self.backdrop
        if widget is None or backdrop is None or backdrop.zooming:
            self._paint_chrome(painter, lod)
            self._paint_live(painter, lod, 0.0, 0.0)
        else:
            self._paint_live(painter, lod, *self._blit_chrome(painter, lod, widget.devicePixelRatioF()))
        painter.setOpacity(opacity)

    def card_shape(self) -> QRectF:
        """The card (or the constant's pill) in item coordinates."""
        if self.is_pill:
            if self._value_str is None:
                self._format_numbers()
            return st.pill_rect(self._pill_width)
        return st.CARD

    def paint_far(self, painter: QPainter, lod: float) -> None:
        """Zoomed far out: a plain card, and its name in big letters once they are legible."""
        s = self._style
        opacity = painter.opacity()
        if self._emphasis == "dim":
            painter.setOpacity(opacity * DIM_OPACITY)
        fill, border = self._look()
        far = self._header_layout()[1]
        if self.isSelected():
            painter.setPen(s.selected_border)
        elif border is s.border:
            painter.setPen(_NO_PEN)  # a plain fill is half the cost of a stroked outline
        else:
            painter.setPen(border)
        painter.setBrush(s.far_fill if fill is s.fill else fill)
        rect = self.card_shape()
        painter.drawRect(rect)
        if lod >= st.LOD_FAR_TEXT and not self.is_pill:  # a pill is too small for a name
            painter.setPen(s.error if self._errors else s.text)
            painter.setFont(s.far_font)
            painter.drawStaticText(s.far_text_pos(far), s.static(far, "far"))
        painter.setOpacity(opacity)

    # ------------------------------------------------------------------ live layer
    def _paint_live(self, painter: QPainter, lod: float, ox: float, oy: float) -> None:
        """The title, the numbers, the tangent line and the hovered or marked port, shifted
        by (``ox``, ``oy``) like the chrome picture under them."""
        s = self._style
        if self._hover is not None or self._port_mark is not None:
            if ox or oy:
                painter.translate(ox, oy)
                self._paint_ports(painter, live=True)
                painter.translate(-ox, -oy)
            else:
                self._paint_ports(painter, live=True)
        if self.is_pill:
            painter.setFont(s.number_font)
            painter.setPen(s.value)
            painter.drawText(
                QPointF(self._value_x + ox, st.BODY_MID + s.number_dy + oy), self._value_str or ""
            )
            self._paint_tangent(painter, st.BODY_MID + st.PILL_HEIGHT / 2.0 + 15.0 + oy, ox)
            return
        self._paint_title(painter, ox, oy)
        if lod < st.LOD_DETAIL:
            faded = painter.opacity()
            painter.setOpacity(faded * st.fade(lod, st.LOD_TEXT, st.LOD_DETAIL))
            self._paint_numbers(painter, ox, oy)
            painter.setOpacity(faded)
        else:
            self._paint_numbers(painter, ox, oy)
        self._paint_tangent(painter, st.HEIGHT + 15.0 + oy, ox)

    def _paint_title(self, painter: QPainter, ox: float, oy: float) -> None:
        s = self._style
        title, _far, symbol_width, _tag_width = self._header_layout()
        if not title:
            return
        if self._op in LEAF_OPS:
            if self._name:
                painter.setPen(s.text)
                painter.setFont(s.big_title_font)
                painter.drawStaticText(QPointF(st.PAD + ox, s.big_title_top + oy), s.static(title, "big"))
            else:
                painter.setPen(s.muted)
                painter.setFont(s.title_font)
                painter.drawStaticText(QPointF(st.PAD + ox, s.title_top + oy), s.static(title, "title"))
            return
        painter.setPen(s.text if self._name else s.muted)
        painter.setFont(s.title_font)
        x = st.PAD + symbol_width + 5.0 + ox
        painter.drawStaticText(QPointF(x, s.title_top + oy), s.static(title, "title"))

    def _paint_numbers(self, painter: QPainter, ox: float, oy: float) -> None:
        s = self._style
        painter.setFont(s.number_font)
        for text, x, y, colour in (
            (self._value_str, self._value_x, _VALUE_BASE, s.value),
            (self._grad_str or self._placeholder(), self._grad_x, _GRAD_BASE, s.grad),
        ):
            if not text:
                continue
            if text == "undefined":
                colour = s.error if self._errors else s.muted
            elif text == NO_GRADIENT:
                colour = s.muted
            painter.setPen(colour)
            painter.drawText(QPointF(x + ox, y + s.number_dy + oy), text)

    def _paint_tangent(self, painter: QPainter, y: float, ox: float) -> None:
        if self._tangent:
            s = self._style
            painter.setFont(s.row_label_font)
            painter.setPen(s.tangent)
            painter.drawText(QPointF(self.card_shape().left() + st.PAD - 4.0 + ox, y), self._tangent)
