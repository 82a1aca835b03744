"""The chrome of a node card: everything but its title and numbers.

Body, shadow, header band, outline, op chip, row bars and labels, ports, operand names
and badges depend only on a few states that many cards share (op, selection, emphasis,
output, errors, which ports are linked, hover over the value). In a view they are drawn
once per look and device scale into a picture (:func:`~explorer.canvas.style.make_picture`)
that every such card copies; for export they are drawn as vectors. The live layer on
top is :mod:`explorer.canvas.node_paint`.

Imports: PySide6, explorer.graph.ops, explorer.canvas.style.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainter, QPainterPath, QPen

from explorer.canvas import style as st
from explorer.graph.ops import LEAF_OPS, OPS

BINARY_OPS = frozenset(name for name, op in OPS.items() if op.arity == 2)
_SHORT_OPERAND = {"exponent": "exp"}
_NO_PEN = Qt.PenStyle.NoPen
_NO_BRUSH = Qt.BrushStyle.NoBrush
_CENTER = Qt.AlignmentFlag.AlignCenter
BADGE_RADIUS = 10.5  # the "!" disc on a card with a problem (painted here, hit-tested by the item)


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
_OPERAND_GAP = 9.0  # between an operand name and the card's edge


def operand_label(op: str, slot: int) -> str:
    name = OPS[op].operand_names[slot]
    return _SHORT_OPERAND.get(name, name)


class NodeChrome:
    """Mixin for NodeItem (through NodePainting): the chrome, drawn or copied."""

    _style: st.CanvasStyle
    _op: str
    _name: str
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
    _varies: bool
    _value_wide: bool
    _grad_wide: bool
    _pill_width: float

    if TYPE_CHECKING:

        def isSelected(self) -> bool: ...  # provided by QGraphicsItem

        @property
        def is_pill(self) -> bool: ...

        def card_shape(self) -> QRectF: ...

        def _header_layout(self) -> tuple[str, str, float, float]: ...

    def _look(self) -> tuple[QBrush, QPen]:
        """(card fill, outline) for the node's state."""
        s = self._style
        emphasis = self._emphasis
        if self._errors:
            return s.error_fill, s.error_border
        if emphasis == "active":
            return s.active_fill, s.active_border
        if emphasis == "path":
            return s.fill, s.path_border
        return s.fill, (s.output_border if self._output else s.border)

    # ------------------------------------------------------------------ chrome, cached
    def _chrome_key(self, lod: float, dpr: float) -> tuple[object, ...]:
        fill, border = self._look()
        hovered = self._hover is not None and self._hover[0] == "value"
        return (
            self._op,
            bool(self._name),
            id(fill),
            id(border),
            self.isSelected(),
            self._output,
            bool(self._errors),
            tuple(self._in_connected),
            self._out_connected,
            hovered,
            self._varies,
            self._value_wide,
            self._grad_wide,
            self._pill_width if self.is_pill else 0.0,
            lod,
            dpr,
        )

    def _chrome_rect(self, lod: float) -> QRectF:
        """What the chrome covers, in item coordinates (ports, names and badges included)."""
        if self.is_pill:
            rect = self.card_shape().adjusted(-5.0, -5.0, st.PORT_RADIUS + 5.0, 6.0)
        else:
            rect = st.CARD.adjusted(-st.PORT_RADIUS - 5.0, -6.0, st.PORT_RADIUS + 5.0, 8.0)
            if self._op in BINARY_OPS and lod >= st.LOD_LABELS:
                rect.setLeft(-48.0)
        if self._output:
            rect.setTop(-22.0)
        elif self._errors:
            rect.setTop(-13.0)
        return rect

    def _blit_chrome(self, painter: QPainter, lod: float, dpr: float) -> tuple[float, float]:
        """Copy this look's picture (made on first use at this zoom) to the card; returns
        the shift that put it on whole device pixels, for the live layer to follow."""
        pictures = self._style.pictures(lod, dpr)
        key = self._chrome_key(lod, dpr)
        rect = st.snap(self._chrome_rect(lod), lod * dpr)
        pixmap = pictures.get(key)
        if pixmap is None:
            pixmap = st.make_picture(
                rect, lod * dpr, painter.renderHints(), lambda p: self._paint_chrome(p, lod)
            )
            pictures[key] = pixmap
        return st.draw_picture(painter, pixmap, rect, dpr)

    def _paint_chrome(self, painter: QPainter, lod: float) -> None:
        s = self._style
        fill, border = self._look()
        if self.is_pill:
            self._paint_pill_chrome(painter, lod, fill, border)
            return
        painter.setPen(_NO_PEN)
        if lod > 0.7:
            painter.setBrush(s.shadow)
            painter.drawRoundedRect(_SHADOW_RECT, st.RADIUS, st.RADIUS)
        painter.setBrush(fill)
        painter.drawPath(CARD_PATH)
        op = self._op
        painter.setBrush(s.input_fill if op == "input" else s.header)
        painter.drawPath(HEADER_PATH)
        painter.setPen(s.divider)
        painter.drawLine(*_DIVIDER)
        painter.setBrush(_NO_BRUSH)
        if self._output and border is not s.output_border:
            painter.setPen(s.output_border)
            painter.drawPath(CARD_PATH)
        painter.setPen(border)
        painter.drawPath(CARD_PATH)
        if self.isSelected():
            painter.setPen(s.selected_border)
            painter.drawRoundedRect(_SELECTION_RECT, st.RADIUS + 3, st.RADIUS + 3)
        self._paint_header_chrome(painter)
        if lod < st.LOD_DETAIL:
            faded = painter.opacity()
            painter.setOpacity(faded * st.fade(lod, st.LOD_TEXT, st.LOD_DETAIL))
            self._paint_rows_chrome(painter)
            painter.setOpacity(faded)
        else:
            self._paint_rows_chrome(painter)
        self._paint_ports(painter, live=False)
        if lod >= st.LOD_LABELS and op in BINARY_OPS:
            self._paint_operand_names(painter)
        if self._output or self._errors:
            self._paint_badges(painter, st.CARD)

    def _paint_pill_chrome(self, painter: QPainter, lod: float, fill: QBrush, border: QPen) -> None:
        s = self._style
        rect = self.card_shape()
        radius = st.PILL_HEIGHT / 2.0
        painter.setPen(_NO_PEN)
        if lod > 0.7:
            painter.setBrush(s.shadow)
            painter.drawRoundedRect(rect.translated(0.0, 2.0), radius, radius)
        hovered = self._hover is not None and self._hover[0] == "value"
        if fill is s.fill:
            fill = s.field_hover if hovered else s.const_fill
        painter.setBrush(fill)
        painter.setPen(border)
        painter.drawRoundedRect(rect, radius, radius)
        if self._output and border is not s.output_border:
            painter.setBrush(_NO_BRUSH)
            painter.setPen(s.output_border)
            painter.drawRoundedRect(rect, radius, radius)
        if self.isSelected():
            painter.setBrush(_NO_BRUSH)
            painter.setPen(s.selected_border)
            outer = rect.adjusted(-4.0, -4.0, 4.0, 4.0)
            painter.drawRoundedRect(outer, radius + 4.0, radius + 4.0)
        self._paint_ports(painter, live=False)
        if self._output or self._errors:
            self._paint_badges(painter, rect)

    def _paint_header_chrome(self, painter: QPainter) -> None:
        s = self._style
        _title, _far, symbol_width, tag_width = self._header_layout()
        if self._op in LEAF_OPS:
            if self._tag:
                painter.setPen(s.muted)
                painter.setFont(s.tag_font)
                painter.drawStaticText(
                    QPointF(st.WIDTH - st.PAD - tag_width, s.tag_top), s.static(self._tag, "tag")
                )
            return
        # The op symbol in a chip; the title beside it is live.
        painter.setPen(_NO_PEN)
        painter.setBrush(s.chip)
        painter.drawRoundedRect(QRectF(st.PAD - 3.0, 5.0, symbol_width, st.HEADER - 10.0), 4.0, 4.0)
        painter.setPen(s.text)
        painter.setFont(s.symbol_font)
        painter.drawStaticText(QPointF(st.PAD + 3.0, s.symbol_top), s.static(self._symbol, "symbol"))

    def _paint_rows_chrome(self, painter: QPainter) -> None:
        s = self._style
        if self._op in LEAF_OPS:
            hovered = self._hover is not None and self._hover[0] == "value"
            painter.setPen(_NO_PEN)
            painter.setBrush(s.field_hover if hovered else s.field)
            painter.drawRoundedRect(st.VALUE_ROW, 4.0, 4.0)
        # A short bar in each row's colour: the colour code is never carried by text alone.
        painter.fillRect(_VALUE_BAR, s.value_brush)
        if self._varies:
            painter.fillRect(_GRAD_BAR, s.grad_brush)
        painter.setPen(s.muted)
        painter.setFont(s.row_label_font)
        if not self._value_wide:
            painter.drawStaticText(QPointF(_LABEL_X, _VALUE_BASE + s.label_top), s.static("value", "label"))
        if not self._grad_wide:
            painter.drawStaticText(QPointF(_LABEL_X, _GRAD_BASE + s.label_top), s.static("grad", "label"))

    def _paint_ports(self, painter: QPainter, live: bool) -> None:
        """Ports at rest (``live`` False, part of the chrome), or only the hovered and
        marked ones on top (``live`` True)."""
        s = self._style
        r = st.PORT_RADIUS
        hover = self._hover
        mark = self._port_mark
        painter.setPen(_NO_PEN)
        ports = [(st.OUTPUT_PORT, -1, self._out_connected)]
        ports += [(st.input_port(k, self._arity), k, c) for k, c in enumerate(self._in_connected)]
        for point, slot, connected in ports:
            if not live:
                # Filled discs only: an outline would cost as much as the rest of the port.
                painter.setBrush(s.edge)
                painter.drawEllipse(point, r, r)
                if not connected:
                    painter.setBrush(s.fill)
                    painter.drawEllipse(point, r - 1.8, r - 1.8)
            elif mark is not None and mark[0] == slot:
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

    def operand_name_box(self, slot: int) -> QRectF:
        """Where operand ``slot``'s name is written (item coordinates): left of its port,
        above the first link and below the second."""
        s = self._style
        p = st.input_port(slot, self._arity)
        if self._op not in BINARY_OPS:  # no name is written: an empty box at the port
            return QRectF(0.0, p.y(), 0.0, 0.0)
        label = operand_label(self._op, slot)
        width, height = s.tag_metrics.horizontalAdvance(label), s.tag_metrics.height()
        y = p.y() - height - 3.0 if slot == 0 else p.y() + 3.0
        return QRectF(-width - _OPERAND_GAP, y, width, height)

    def _paint_operand_names(self, painter: QPainter) -> None:
        """Tiny names left of the operand ports: above the first link, below the second."""
        s = self._style
        painter.setPen(s.muted)
        painter.setFont(s.tag_font)
        for slot in range(self._arity):
            box = self.operand_name_box(slot)
            painter.drawStaticText(box.topLeft(), s.static(operand_label(self._op, slot), "tag"))

    def _paint_badges(self, painter: QPainter, card: QRectF) -> None:
        s = self._style
        if self._output:
            tm = s.tag_metrics
            text = "OUTPUT"
            pill = QRectF(card.left(), card.top() - 19.0, tm.horizontalAdvance(text) + 14.0, 15.0)
            painter.setPen(_NO_PEN)
            painter.setBrush(s.output_border.color())
            painter.drawRoundedRect(pill, 7.5, 7.5)
            painter.setFont(s.tag_font)
            painter.setPen(s.background)
            painter.drawText(pill, _CENTER, text)
        if self._errors:
            centre = QPointF(card.right() - 4.0, card.top())
            painter.setPen(_NO_PEN)
            painter.setBrush(s.fill)
            painter.drawEllipse(centre, BADGE_RADIUS, BADGE_RADIUS)
            painter.setBrush(s.error)
            painter.drawEllipse(centre, 9.0, 9.0)
            painter.setFont(s.symbol_font)
            painter.setPen(s.fill.color())
            painter.drawText(QRectF(centre.x() - 9.0, centre.y() - 9.0, 18.0, 18.0), _CENTER, "!")
