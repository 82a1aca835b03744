"""Transient scene items: the pulse that travels along an edge, and the in-place message.

``PulseItem`` is one dot with a small caption, moved by the animation through
``GraphScene.set_pulse``; value-coloured on the forward pass, gradient-coloured on the
backward pass. ``MessageItem`` is the small red note shown next to the cursor when an
edit is refused ("linking 'c' into 'a' would make a cycle"); it ignores the view's
zoom so that it is always readable.

Imports: PySide6, explorer.canvas.style.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from explorer.canvas.style import CanvasStyle

PULSE_RADIUS = 7.0


class PulseItem(QGraphicsItem):
    """A dot at one point of an edge with an optional caption above it."""

    def __init__(self, style: CanvasStyle) -> None:
        super().__init__()
        self._style = style
        self._text = ""
        self._backward = False
        self._text_width = 0.0
        self.setZValue(5.0)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def set_style(self, style: CanvasStyle) -> None:
        self._style = style
        self.set_pulse(self._backward, self._text)

    def set_pulse(self, backward: bool, text: str) -> None:
        self.prepareGeometryChange()
        self._backward, self._text = backward, text
        self._text_width = self._style.edge_metrics.horizontalAdvance(text) + 12.0 if text else 0.0
        self.update()

    @property
    def text(self) -> str:
        return self._text

    @property
    def backward(self) -> bool:
        return self._backward

    def boundingRect(self) -> QRectF:
        half = max(PULSE_RADIUS + 3.0, self._text_width / 2.0 + 2.0)
        return QRectF(-half, -PULSE_RADIUS - 28.0, 2 * half, 2 * PULSE_RADIUS + 31.0)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        s = self._style
        colour = s.grad if self._backward else s.value
        halo = colour.lighter(160) if s.theme.name == "light" else colour.darker(160)
        halo.setAlpha(150)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(halo)
        painter.drawEllipse(QPointF(), PULSE_RADIUS + 3.0, PULSE_RADIUS + 3.0)
        painter.setBrush(colour)
        painter.setPen(QPen(s.fill.color(), 1.5))
        painter.drawEllipse(QPointF(), PULSE_RADIUS, PULSE_RADIUS)
        if self._text:
            box = QRectF(-self._text_width / 2.0, -PULSE_RADIUS - 26.0, self._text_width, 19.0)
            painter.setBrush(colour)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRoundedRect(box, 9.5, 9.5)
            painter.setFont(s.edge_font)
            painter.setPen(s.fill.color() if s.theme.name == "light" else s.background)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self._text)


class MessageItem(QGraphicsItem):
    """A one-line refusal note next to the cursor, the same size at every zoom."""

    def __init__(self, style: CanvasStyle) -> None:
        super().__init__()
        self._style = style
        self._text = ""
        self._font = QFont()
        self._font.setPixelSize(13)
        self._font.setWeight(QFont.Weight.DemiBold)
        self._metrics = QFontMetricsF(self._font)
        self._width = 0.0
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setZValue(10.0)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def set_style(self, style: CanvasStyle) -> None:
        self._style = style
        self.update()

    def set_text(self, text: str) -> None:
        self.prepareGeometryChange()
        self._text = text
        self._width = self._metrics.horizontalAdvance(text) + 20.0
        self.update()

    @property
    def text(self) -> str:
        return self._text

    def boundingRect(self) -> QRectF:
        return QRectF(0.0, 0.0, self._width + 2.0, 28.0)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        s = self._style
        box = QRectF(1.0, 1.0, self._width, 25.0)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(s.shadow)
        painter.drawRoundedRect(box.translated(0.0, 2.0), 6.0, 6.0)
        painter.setBrush(s.error)
        painter.drawRoundedRect(box, 6.0, 6.0)
        painter.setFont(self._font)
        painter.setPen(Qt.GlobalColor.white)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self._text)
