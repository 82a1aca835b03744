"""The gradient-health overlay on the canvas: strong and weak paths, saturated and dead nodes.

While on, after every evaluation each edge is drawn as wide as its |contribution| on a
log scale (:func:`~explorer.graph.health.gradient_health`), edges more than five decades
weaker than the strongest are dimmed, and a small badge sits on every saturated
tanh/sigmoid ("saturated") and dead relu ("dead"), its reason in the tooltip. The badges
are child items of the node cards, so they follow a dragged card without any help; the
canvas modules are not changed. Turning the overlay off puts every edge back.

The animation player owns edge emphasis while it plays a pass, and the gears view owns
widths: with either of those on, they win until the next evaluation.

Imports: PySide6, explorer.canvas (items, through the scene's public lookups),
explorer.document, explorer.graph.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget
from shiboken6 import isValid

from explorer.canvas.scene import GraphScene
from explorer.document.document import GraphDocument
from explorer.graph.health import Health, gradient_health
from explorer.graph.model import Edge
from explorer.theme import Theme

MIN_WIDTH, MAX_WIDTH = 0.4, 3.2
DIM_BELOW = 1.0 / 6.0  # strength: more than five decades below the strongest edge


class BadgeItem(QGraphicsItem):
    """A small pill ("saturated", "dead") on the top edge of a card."""

    def __init__(
        self, text: str, tooltip: str, colour: str, parent: QGraphicsItem, bottom: bool = False
    ) -> None:
        super().__init__(parent)
        self.text = text
        self._colour = QColor(colour)
        self._font = QFont()
        self._font.setPointSizeF(9.0)
        self._font.setBold(True)
        self.setToolTip(tooltip)
        self.setZValue(3.0)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        card = parent.card_shape()  # type: ignore[attr-defined]
        self.setPos(QPointF(card.right() - 82.0, card.bottom() + 2.0 if bottom else -11.0))

    def set_text(self, text: str, tooltip: str) -> None:
        if text != self.text:
            self.text = text
            self.update()
        self.setToolTip(tooltip)

    def boundingRect(self) -> QRectF:
        return QRectF(0.0, 0.0, 78.0, 18.0)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(self._colour))
        painter.drawRoundedRect(self.boundingRect(), 9.0, 9.0)
        painter.setPen(QPen(QColor("white")))
        painter.setFont(self._font)
        painter.drawText(self.boundingRect(), Qt.AlignmentFlag.AlignCenter, self.text)


class HealthOverlay(QObject):
    """Applies :class:`Health` to the scene's items while enabled."""

    def __init__(
        self, document: GraphDocument, scene: GraphScene, theme: Theme, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.scene = scene
        self.theme = theme
        self.enabled = False
        self.health: Health | None = None
        self._widths: dict[Edge, float] = {}
        self._dimmed: set[Edge] = set()
        self._badges: dict[str, BadgeItem] = {}
        document.evaluated.connect(self._evaluated)

    def set_enabled(self, on: bool) -> None:
        if on == self.enabled:
            return
        self.enabled = on
        if on:
            self.apply()
        else:
            self._clear()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        if self.enabled:
            self._clear_badges()
            self.apply()

    @property
    def badges(self) -> dict[str, str]:
        """Node id -> badge text, for what is on the canvas now."""
        return {nid: b.text for nid, b in self._badges.items() if isValid(b)}

    def edge_width(self, edge: Edge) -> float:
        return self._widths.get(edge, 1.0)

    def is_dimmed(self, edge: Edge) -> bool:
        return edge in self._dimmed

    def apply(self) -> None:
        ev = self.document.evaluation
        health = self.health = gradient_health(ev)
        widths = {e: MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * s for e, s in health.edge_strength.items()}
        dimmed = {e for e, s in health.edge_strength.items() if s < DIM_BELOW}
        for edge in self._widths.keys() - widths.keys():
            self._edge(edge, 1.0, None)
        for edge, width in widths.items():
            if self._widths.get(edge) != width or (edge in dimmed) != (edge in self._dimmed):
                self._edge(edge, width, "dim" if edge in dimmed else None)
        self._widths, self._dimmed = widths, dimmed

        wanted = {nid: ("saturated", why) for nid, why in health.saturated.items()}
        wanted.update({nid: ("dead", why) for nid, why in health.dead.items()})
        for nid in list(self._badges):
            badge = self._badges[nid]
            if nid not in wanted or not isValid(badge) or badge.text != wanted[nid][0]:
                self._drop_badge(nid)
        for nid, (text, why) in wanted.items():
            if nid in self._badges:
                self._badges[nid].setToolTip(why)
                continue
            try:
                item = self.scene.node_item(nid)
            except KeyError:
                continue
            colour = self.theme.error if text == "dead" else self.theme.muted_text
            self._badges[nid] = BadgeItem(text, why, colour, item)

    def _evaluated(self, *_: object) -> None:
        if self.enabled:
            self.apply()

    def _edge(self, edge: Edge, width: float, emphasis: str | None) -> None:
        try:
            item = self.scene.edge_item(edge)
        except KeyError:
            return
        item.set_width_scale(width)
        item.set_emphasis(emphasis)

    def _clear(self) -> None:
        for edge in self._widths:
            self._edge(edge, 1.0, None)
        self._widths, self._dimmed = {}, set()
        self._clear_badges()

    def _clear_badges(self) -> None:
        for nid in list(self._badges):
            self._drop_badge(nid)

    def _drop_badge(self, nid: str) -> None:
        badge = self._badges.pop(nid)
        if isValid(badge):
            badge.setParentItem(None)
            if badge.scene() is not None:
                badge.scene().removeItem(badge)
