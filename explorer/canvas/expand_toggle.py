"""The one-click ▸/▾ on a function call's card: expand its body in place, or collapse it.

A small child item in the card's header, so it follows the card everywhere. A click runs
the document's undoable :meth:`~explorer.document.document.GraphDocument.set_expanded`
(the same command as Edit ▸ Expand/Collapse Function, Ctrl+Shift+X), so Ctrl+Z undoes it.

Imports: PySide6, explorer.canvas.style, explorer.document (type only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSceneMouseEvent, QStyleOptionGraphicsItem, QWidget

from explorer.canvas import style as st

if TYPE_CHECKING:
    from explorer.document.document import GraphDocument

SIZE = 18.0
INSET = 4.0


class ExpandToggle(QGraphicsItem):
    """▸ when the call is collapsed, ▾ when its body is shown; a click flips it (undoable)."""

    def __init__(self, document: GraphDocument, node_id: str, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self._document = document
        self.node_id = node_id
        self.setPos(st.WIDTH - SIZE - INSET, (st.HEADER - SIZE) / 2)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setZValue(2.0)
        self.refresh_tip()

    @property
    def expanded(self) -> bool:
        return self.node_id in self._document.expanded

    def refresh_tip(self) -> None:
        verb = "Hide" if self.expanded else "Show"
        self.setToolTip(f"{verb} the function's body (Ctrl+Shift+X)")
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(0.0, 0.0, SIZE, SIZE)

    def scene_centre(self) -> QPointF:
        return self.mapToScene(self.boundingRect().center())

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = widget.palette().text().color() if widget is not None else Qt.GlobalColor.black
        painter.setPen(QPen(colour, 1.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(self.boundingRect().adjusted(1.0, 1.0, -1.0, -1.0), 4.0, 4.0)
        c = self.boundingRect().center()
        r = SIZE * 0.22
        triangle = QPainterPath()
        if self.expanded:  # ▾
            triangle.moveTo(c.x() - r, c.y() - r * 0.6)
            triangle.lineTo(c.x() + r, c.y() - r * 0.6)
            triangle.lineTo(c.x(), c.y() + r * 0.8)
        else:  # ▸
            triangle.moveTo(c.x() - r * 0.6, c.y() - r)
            triangle.lineTo(c.x() - r * 0.6, c.y() + r)
            triangle.lineTo(c.x() + r * 0.8, c.y())
        triangle.closeSubpath()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(colour))
        painter.drawPath(triangle)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        event.accept()  # the card does not start a drag from here
        self._document.set_expanded(self.node_id, not self.expanded)

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        event.accept()  # each of its two presses toggled already; no rename from here
