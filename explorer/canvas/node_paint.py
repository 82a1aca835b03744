"""Painting of a node card (the drawing half of :class:`~explorer.canvas.node_item.NodeItem`).

Split from the item so each file stays readable: the item holds state and geometry, this
mixin turns that state into pixels. Everything here reads only the item's own fields and
the shared :class:`~explorer.canvas.style.CanvasStyle`; strings are measured and elided
once per change (header) or once per new number (rows), never on every frame.

Level of detail: below ``LOD_TEXT`` a card is a plain rectangle with its name in big
letters (readable from far away), above it the full card fades its small text in.

Imports: PySide6, explorer.theme, explorer.graph.ops, explorer.canvas.style.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

from explorer.canvas import style as st
from explorer.graph.ops import LEAF_OPS, OPS
from explorer.theme import format_number

# Ops whose operand order changes the result get their operand names drawn at the ports.
ORDERED_OPS = frozenset({"sub", "div", "pow"})
_SHORT_OPERAND = {"exponent": "exp"}
_NO_PEN = Qt.PenStyle.NoPen
_NO_BRUSH = Qt.BrushStyle.NoBrush
_CENTER = Qt.AlignmentFlag.AlignCenter
_ELIDE = Qt.TextElideMode.ElideRight


def _card_path() -> QPainterPath:
    path = QPainterPath()
    path.addRoundedRect(st.CARD, st.RADIUS, st.RADIUS)
    return path


def _header_path() -> QPainterPath:
    top = QPainterPath()
    top.addRect(QRectF(0.0, 0.0, st.WIDTH, st.HEADER))
    return _card_path().intersected(top)


CARD_PATH = _card_path()
HEADER_PATH = _header_path()
_SHADOW_RECT = st.CARD.translated(0.0, 2.5)
_SELECTION_RECT = st.CARD.adjusted(-4.0, -4.0, 4.0, 4.0)
_DIVIDER = (QPointF(1.0, st.HEADER), QPointF(st.WIDTH - 1.0, st.HEADER))
_VALUE_BASE = st.VALUE_ROW.center().y()
_GRAD_BASE = st.GRAD_ROW.center().y()
_VALUE_BAR = QRectF(st.VALUE_ROW.left() + 4.0, _VALUE_BASE - 6.0, 3.0, 12.0)
_GRAD_BAR = QRectF(st.GRAD_ROW.left() + 4.0, _GRAD_BASE - 6.0, 3.0, 12.0)
_LABEL_X = st.VALUE_ROW.left() + 12.0


class NodePainting:
    """Mixin for NodeItem: ``paint()`` and the text layout it needs."""

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
    _value_override: str | None
    _grad_override: str | None
    _value_str: str | None
    _grad_str: str | None
    _value_x: float
    _grad_x: float
    _header: tuple[str, str, float, float] | None

    if TYPE_CHECKING:

        def isSelected(self) -> bool: ...  # provided by QGraphicsItem

    # ------------------------------------------------------------------ text layout
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
                far = s.far_metrics.elidedText(self._name or self._symbol, _ELIDE, st.WIDTH - 12.0)
                cached = (title, far, symbol_width, tag_width)
                s.cache[key] = cached
            self._header = cached
        return self._header

    def _format_numbers(self) -> None:
        s = self._style
        room = st.VALUE_ROW.width() - 52.0
        if self._value_str is None:
            text = self._value_override
            if text is None:
                text = format_number(self._value)
            self._value_str = s.number_metrics.elidedText(text, _ELIDE, room)
            self._value_x = st.VALUE_ROW.right() - 6.0 - s.number_metrics.horizontalAdvance(self._value_str)
        if self._grad_str is None:
            text = self._grad_override
            if text is None:
                text = format_number(self._grad)
            self._grad_str = s.number_metrics.elidedText(text, _ELIDE, room)
            self._grad_x = st.GRAD_ROW.right() - 6.0 - s.number_metrics.horizontalAdvance(self._grad_str)

    # ------------------------------------------------------------------ painting
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        s = self._style
        lod = painter.worldTransform().m11()  # no rotation here, so this is the zoom
        selected = self.isSelected()
        emphasis = self._emphasis
        if emphasis == "dim":
            painter.setOpacity(0.28)
        errors = self._errors
        if errors:
            fill, border = s.error_fill, s.error_border
        elif emphasis == "active":
            fill, border = s.active_fill, s.active_border
        else:
            fill = s.fill
            if emphasis == "path":
                border = s.path_border
            elif self._output:
                border = s.output_border
            else:
                border = s.border
        header = self._header_layout()
        if lod < st.LOD_TEXT:
            self._paint_far(painter, lod, fill, border, selected, header[1])
            return

        # Card: soft shadow, body, header band, outline.
        painter.setPen(_NO_PEN)
        if lod > 0.7:
            painter.setBrush(s.shadow)
            painter.drawRoundedRect(_SHADOW_RECT, st.RADIUS, st.RADIUS)
        painter.setBrush(fill)
        painter.drawPath(CARD_PATH)
        op = self._op
        painter.setBrush(s.input_fill if op == "input" else (s.const_fill if op == "const" else s.header))
        painter.drawPath(HEADER_PATH)
        painter.setPen(s.divider)
        painter.drawLine(*_DIVIDER)
        painter.setBrush(_NO_BRUSH)
        if self._output and border is not s.output_border:
            painter.setPen(s.output_border)
            painter.drawPath(CARD_PATH)
        painter.setPen(border)
        painter.drawPath(CARD_PATH)
        if selected:
            painter.setPen(s.selected_border)
            painter.drawRoundedRect(_SELECTION_RECT, st.RADIUS + 3, st.RADIUS + 3)

        self._paint_header(painter, header)
        if lod < st.LOD_DETAIL:
            opacity = painter.opacity()
            painter.setOpacity(opacity * st.fade(lod, st.LOD_TEXT, st.LOD_DETAIL))
            self._paint_rows(painter)
            painter.setOpacity(opacity)
        else:
            self._paint_rows(painter)
        self._paint_ports(painter)
        if lod >= st.LOD_LABELS and self._op in ORDERED_OPS:
            self._paint_operand_names(painter)
        if self._output or errors:
            self._paint_badges(painter)

    def _paint_far(
        self, painter: QPainter, lod: float, fill: QBrush, border: QPen, selected: bool, far: str
    ) -> None:
        """Zoomed far out: a plain card, and its name in big letters once they are legible."""
        s = self._style
        if selected:
            painter.setPen(s.selected_border)
        elif border is s.border:
            painter.setPen(_NO_PEN)  # a plain fill is half the cost of a stroked outline
        else:
            painter.setPen(border)
        painter.setBrush(s.far_fill if fill is s.fill else fill)
        painter.drawRect(st.CARD)
        if lod >= st.LOD_FAR_TEXT:
            painter.setPen(s.error if self._errors else s.text)
            painter.setFont(s.far_font)
            painter.drawStaticText(s.far_text_pos(far), s.static(far, "far"))

    def _paint_header(self, painter: QPainter, header: tuple[str, str, float, float]) -> None:
        s = self._style
        title, _far, symbol_width, tag_width = header
        if self._op in LEAF_OPS:
            if self._name:
                painter.setPen(s.text)
                painter.setFont(s.big_title_font)
                painter.drawStaticText(QPointF(st.PAD, s.big_title_top), s.static(title, "big"))
            else:
                painter.setPen(s.muted)
                painter.setFont(s.title_font)
                painter.drawStaticText(QPointF(st.PAD, s.title_top), s.static(title, "title"))
            if not self._tag:
                return
            painter.setPen(s.muted)
            painter.setFont(s.tag_font)
            painter.drawStaticText(
                QPointF(st.WIDTH - st.PAD - tag_width, s.tag_top), s.static(self._tag, "tag")
            )
            return
        # Op symbol in a chip, then the name (or the op's title while it has none).
        painter.setPen(_NO_PEN)
        painter.setBrush(s.chip)
        painter.drawRoundedRect(QRectF(st.PAD - 3.0, 5.0, symbol_width, st.HEADER - 10.0), 4.0, 4.0)
        painter.setPen(s.text)
        painter.setFont(s.symbol_font)
        painter.drawStaticText(QPointF(st.PAD + 3.0, s.symbol_top), s.static(self._symbol, "symbol"))
        if title:
            painter.setPen(s.text if self._name else s.muted)
            painter.setFont(s.title_font)
            painter.drawStaticText(
                QPointF(st.PAD + symbol_width + 5.0, s.title_top), s.static(title, "title")
            )

    def _paint_rows(self, painter: QPainter) -> None:
        s = self._style
        if self._value_str is None or self._grad_str is None:
            self._format_numbers()
        if self._op in LEAF_OPS:
            hovered = self._hover is not None and self._hover[0] == "value"
            painter.setPen(_NO_PEN)
            painter.setBrush(s.field_hover if hovered else s.field)
            painter.drawRoundedRect(st.VALUE_ROW, 4.0, 4.0)
        # A short bar in each row's colour: the colour code is never carried by text alone.
        painter.fillRect(_VALUE_BAR, s.value_brush)
        painter.fillRect(_GRAD_BAR, s.grad_brush)
        painter.setPen(s.muted)
        painter.setFont(s.row_label_font)
        painter.drawStaticText(QPointF(_LABEL_X, _VALUE_BASE + s.label_top), s.static("value", "label"))
        painter.drawStaticText(QPointF(_LABEL_X, _GRAD_BASE + s.label_top), s.static("grad", "label"))
        painter.setFont(s.number_font)
        for text, x, y, colour in (
            (self._value_str, self._value_x, _VALUE_BASE, s.value),
            (self._grad_str, self._grad_x, _GRAD_BASE, s.grad),
        ):
            if text == "undefined":
                colour = s.error if self._errors else s.muted
            painter.setPen(colour)
            painter.drawText(QPointF(x, y + s.number_dy), text or "")
        if self._tangent:
            painter.setFont(s.row_label_font)
            painter.setPen(s.tangent)
            painter.drawText(QPointF(st.PAD, st.HEIGHT + 15.0), self._tangent)

    def _paint_ports(self, painter: QPainter) -> None:
        s = self._style
        r = st.PORT_RADIUS
        hover = self._hover
        mark = self._port_mark
        painter.setPen(_NO_PEN)
        ports = [(st.OUTPUT_PORT, -1, self._out_connected)]
        ports += [(st.input_port(k, self._arity), k, c) for k, c in enumerate(self._in_connected)]
        for point, slot, connected in ports:
            # Filled discs only: an outline would cost as much as the rest of the port.
            if mark is not None and mark[0] == slot:
                painter.setBrush(s.fill)
                painter.drawEllipse(point, r + 3.5, r + 3.5)
                painter.setBrush(s.value if mark[1] else s.error)
                painter.drawEllipse(point, r + 2.0, r + 2.0)
            elif (
                hover is not None
                and hover[0] != "value"
                and (slot == -1) == (hover[0] == "out")
                and (slot == -1 or hover[1] == slot)
            ):
                painter.setBrush(s.selected_border.color())
                painter.drawEllipse(point, r + 1.5, r + 1.5)
            elif connected:
                painter.setBrush(s.edge)
                painter.drawEllipse(point, r, r)
            else:
                painter.setBrush(s.edge)
                painter.drawEllipse(point, r, r)
                painter.setBrush(s.fill)
                painter.drawEllipse(point, r - 1.8, r - 1.8)

    def _paint_operand_names(self, painter: QPainter) -> None:
        s = self._style
        painter.setPen(s.muted)
        painter.setFont(s.tag_font)
        for slot, name in enumerate(OPS[self._op].operand_names):
            label = _SHORT_OPERAND.get(name, name)
            p = st.input_port(slot, self._arity)
            width = s.tag_metrics.horizontalAdvance(label)
            painter.drawStaticText(QPointF(-width - 9.0, p.y() - 18.0), s.static(label, "tag"))

    def _paint_badges(self, painter: QPainter) -> None:
        s = self._style
        if self._output:
            tm = s.tag_metrics
            text = "OUTPUT"
            pill = QRectF(0.0, -19.0, tm.horizontalAdvance(text) + 14.0, 15.0)
            painter.setPen(_NO_PEN)
            painter.setBrush(s.output_border.color())
            painter.drawRoundedRect(pill, 7.5, 7.5)
            painter.setFont(s.tag_font)
            painter.setPen(s.background)
            painter.drawText(pill, _CENTER, text)
        if self._errors:
            centre = QPointF(st.WIDTH - 4.0, 0.0)
            painter.setPen(_NO_PEN)
            painter.setBrush(s.fill)
            painter.drawEllipse(centre, 10.5, 10.5)
            painter.setBrush(s.error)
            painter.drawEllipse(centre, 9.0, 9.0)
            painter.setFont(s.symbol_font)
            painter.setPen(s.fill.color())
            painter.drawText(QRectF(centre.x() - 9.0, -9.0, 18.0, 18.0), _CENTER, "!")
