"""An expanded function call: its body drawn in a frame under the call's card, values live.

Collapsed, a call is one card: ``g`` with its value and gradient, and the edge into it
labelled with the local derivative ``dg/dx``. Expanded, the same card gets a frame that
shows *why* that local derivative is what it is: the body's own nodes, each with its
value (blue) and its gradient d(output)/d(node) (vermillion), and each body edge with
its local derivative, all read from the engine's evaluation of the call
(:meth:`~explorer.graph.engine.Evaluation.inside`), so they move while x is dragged.

The frame is a child of the card, so it follows every drag; :class:`FunctionFrames`
creates and removes frames as the document expands and collapses calls.

Imports: PySide6, explorer.canvas.style, explorer.document, explorer.graph, explorer.theme.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget
from shiboken6 import isValid

from explorer.canvas import style as st
from explorer.canvas.expand_toggle import ExpandToggle
from explorer.graph.engine import Evaluation, NodeResult
from explorer.graph.functions import Function
from explorer.graph.layout import layout
from explorer.graph.model import Edge, GraphError
from explorer.graph.ops import OPS
from explorer.theme import format_number

if TYPE_CHECKING:
    from explorer.canvas.scene import GraphScene

SCALE = 0.6  # body layout units to frame units: the body is a smaller picture
CARD_W, CARD_H, PILL_H = 104.0, 50.0, 24.0
MARGIN, TITLE_H, GAP = 14.0, 26.0, 14.0


def _font(px: int, bold: bool = False) -> QFont:
    font = QFont()
    font.setPixelSize(px)
    font.setWeight(QFont.Weight.DemiBold if bold else QFont.Weight.Normal)
    return font


class FunctionFrameItem(QGraphicsItem):
    """The body of one expanded call, drawn under its card (a child item of the card)."""

    def __init__(self, function: Function, path: str, style: st.CanvasStyle, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self.function = function
        self.path = path
        self._style = style
        self._results: dict[str, NodeResult] = {}
        self._locals: dict[Edge, float] = {}
        # the animation's overrides for body nodes and edges (see function_frame_steps)
        self.body_values: dict[str, str] = {}
        self.body_grads: dict[str, str] = {}
        self.body_emphasis: dict[str, str] = {}
        self.body_captions: dict[Edge, str] = {}
        self.edge_emphasis: dict[Edge, str] = {}
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent)
        body = function.body
        raw = layout(body)
        xs = [p[0] for p in raw.values()] or [0.0]
        ys = [p[1] for p in raw.values()] or [0.0]
        self._pos = {
            nid: QPointF(MARGIN + (x - min(xs)) * SCALE, TITLE_H + MARGIN + (y - min(ys)) * SCALE)
            for nid, (x, y) in raw.items()
        }
        width = max(p.x() for p in self._pos.values()) + CARD_W + MARGIN
        height = max(p.y() for p in self._pos.values()) + CARD_H + MARGIN
        parent_rect = parent.boundingRect()
        self.setPos(parent_rect.left(), parent_rect.bottom() + GAP)
        self._rect = QRectF(0.0, 0.0, max(width, parent_rect.width()), height)

    # ------------------------------------------------------------------ setters
    def set_style(self, style: st.CanvasStyle) -> None:
        self._style = style
        self.update()

    def set_results(self, results: dict[str, NodeResult], locals_: dict[Edge, float]) -> None:
        self._results, self._locals = results, locals_
        self.update()

    # ------------------------------------------------------------------ geometry
    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-2.0, -GAP - 2.0, 2.0, 2.0)

    def frame_rect(self) -> QRectF:
        return QRectF(self._rect)

    def _card(self, nid: str) -> QRectF:
        p = self._pos[nid]
        op = self.function.body.node(nid).op
        h = PILL_H if op == "const" else CARD_H
        return QRectF(p.x(), p.y() + (CARD_H - h) / 2, CARD_W, h)

    # ------------------------------------------------------------------ painting
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        s = self._style
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # the frame, tied to the card above by a short stem
        painter.setPen(QPen(s.muted, 1.4, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(24.0, -GAP), QPointF(24.0, 0.0))
        painter.setBrush(QBrush(QColor(s.background.red(), s.background.green(), s.background.blue(), 235)))
        painter.drawRoundedRect(self._rect, 10.0, 10.0)
        painter.setPen(s.text)
        painter.setFont(_font(12, bold=True))
        params = ", ".join(self.function.parameters)
        painter.drawText(
            QRectF(MARGIN, 4.0, self._rect.width() - 2 * MARGIN, TITLE_H - 4.0),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            f"inside {self.function.name}({params})",
        )
        body = self.function.body
        for edge in body.edges():
            self._paint_edge(painter, edge)
        for node in body:
            if node.id in self._pos:
                self._paint_node(painter, node.id)

    def _paint_edge(self, painter: QPainter, edge: Edge) -> None:
        s = self._style
        path = self.edge_path(edge)
        active = self.edge_emphasis.get(edge) == "active"
        painter.setPen(QPen(s.output_border.color() if active else s.edge, 2.6 if active else 1.4))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        local = self._locals.get(edge)
        caption = self.body_captions.get(edge)
        if caption is not None:
            text = caption
        elif local is not None and self.function.body.node(edge.source).op != "const":
            text = f"×{format_number(local)}"
        else:
            text = ""
        if text:
            painter.setFont(_font(10))
            mid = path.pointAtPercent(0.5)
            width = painter.fontMetrics().horizontalAdvance(text) + 10.0
            box = QRectF(mid.x() - width / 2, mid.y() - 9.0, width, 18.0)
            painter.setPen(s.label_pen)
            painter.setBrush(s.label_back)
            painter.drawRoundedRect(box, 9.0, 9.0)
            painter.setPen(s.edge_label)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def texts(self, nid: str) -> tuple[str, str]:
        """The value and gradient a body node shows now.

        Mid-animation the box's own card may still hide its value or gradient ("?"): the
        body follows it, so the gradients inside appear when the box's gradient arrives.
        """
        result = self._results.get(nid)
        if result is None:
            return "", ""
        value_override, grad_override = getattr(self.parentItem(), "overrides", (None, None))
        if self.stepping:  # the animation walks through this body: its own overrides rule
            value_override, grad_override = self.body_values.get(nid), self.body_grads.get(nid)
        value = value_override if value_override is not None else format_number(result.value)
        grad = "" if math.isnan(result.grad) and math.isnan(result.value) else format_number(result.grad)
        return value, grad_override if grad_override is not None else grad

    @property
    def stepping(self) -> bool:
        """True while the animation shows this body step by step (it set overrides here)."""
        return bool(self.body_values or self.body_grads or self.body_emphasis or self.body_captions)

    def edge_path(self, edge: Edge) -> QPainterPath:
        """A body edge's curve in this item's coordinates (the pulse travels along it)."""
        a, b = self._card(edge.source), self._card(edge.target)
        arity = len(self.function.body.node(edge.target).operands)
        start = QPointF(a.right(), a.center().y())
        end = QPointF(b.left(), b.top() + b.height() * (edge.slot + 1) / (arity + 1))
        path = QPainterPath(start)
        dx = max(20.0, (end.x() - start.x()) / 2)
        path.cubicTo(start + QPointF(dx, 0.0), end - QPointF(dx, 0.0), end)
        return path

    def _paint_node(self, painter: QPainter, nid: str) -> None:
        s = self._style
        node = self.function.body.node(nid)
        rect = self._card(nid)
        result = self._results.get(nid)
        emphasis = self.body_emphasis.get(nid)
        if emphasis in ("active", "done"):
            painter.setPen(QPen(s.output_border.color() if emphasis == "active" else s.muted, 3.0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(-3.0, -3.0, 3.0, 3.0), 9.0, 9.0)
        if node.op == "const":
            painter.setPen(s.border)
            painter.setBrush(s.const_fill)
            painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
            painter.setPen(s.text)
            painter.setFont(_font(12, bold=True))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, format_number(node.value))
            return
        is_out = nid == self.function.output
        painter.setPen(s.output_border if is_out else s.border)
        painter.setBrush(s.input_fill if node.op == "input" else s.fill)
        painter.drawRoundedRect(rect, 7.0, 7.0)
        if node.op == "input":
            title = node.name
            painter.setPen(s.muted)
            painter.setFont(_font(9, bold=True))
            tag = rect.adjusted(8.0, 4.0, -7.0, -rect.height() / 2)
            painter.drawText(tag, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, "PARAM")
        elif node.op == "call":
            title = f"{node.function}(…)"
        else:
            title = f"{OPS[node.op].symbol}  {node.name}".rstrip()
        painter.setPen(s.text)
        painter.setFont(_font(12, bold=True))
        painter.drawText(rect.adjusted(8.0, 3.0, -6.0, -rect.height() / 2), Qt.AlignmentFlag.AlignLeft, title)
        if result is None:
            return
        value, grad = self.texts(nid)
        painter.setFont(_font(12, bold=True))
        half = rect.adjusted(8.0, rect.height() / 2 - 2.0, -8.0, -3.0)
        painter.setPen(s.value)
        painter.drawText(half, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, value)
        painter.setPen(s.grad)
        painter.drawText(half, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, grad)


class FunctionFrames(QObject):
    """Keeps a frame under every expanded call's card, with the latest evaluation's numbers."""

    def __init__(self, scene: GraphScene) -> None:
        super().__init__(scene)
        self._scene = scene
        self._frames: dict[str, FunctionFrameItem] = {}
        self._toggles: dict[str, ExpandToggle] = {}
        document = scene.document
        document.expansion_changed.connect(self._sync)
        document.graph_reset.connect(self._sync)
        document.node_added.connect(self._sync)
        document.node_removed.connect(self._sync)
        document.node_changed.connect(self._sync)
        document.evaluated.connect(self._refresh)
        self._sync()

    def frame(self, node_id: str) -> FunctionFrameItem | None:
        return self._frames.get(node_id)

    def toggle(self, node_id: str) -> ExpandToggle | None:
        """The ▸/▾ on call ``node_id``'s card."""
        return self._toggles.get(node_id)

    def _sync_toggles(self) -> None:
        """Every call's card has a one-click expand/collapse in its header."""
        graph = self._scene.document.graph
        calls = {n.id for n in graph if n.op == "call"}
        for nid, toggle in list(self._toggles.items()):
            card = toggle.parentItem() if isValid(toggle) else None  # gone with its card?
            if nid not in calls or card is None or card is not self._card(nid):
                del self._toggles[nid]
                if isValid(toggle) and toggle.scene() is not None:
                    toggle.scene().removeItem(toggle)
            else:
                toggle.refresh_tip()
        for nid in calls - self._toggles.keys():
            card = self._card(nid)
            if card is not None:
                self._toggles[nid] = ExpandToggle(self._scene.document, nid, card)

    def scene_rect(self) -> QRectF:
        """Where the open frames are (fitting the view includes them)."""
        rect = QRectF()
        for frame in self._frames.values():
            rect = rect.united(frame.mapRectToScene(frame.frame_rect()))
        return rect

    def set_style(self, style: st.CanvasStyle) -> None:
        for frame in self._frames.values():
            frame.set_style(style)

    def _sync(self, *_args: object) -> None:
        document = self._scene.document
        graph = document.graph
        wanted = {nid for nid in document.expanded if nid in graph and graph.node(nid).op == "call"}
        for nid, frame in list(self._frames.items()):
            card = frame.parentItem()
            alive = nid in wanted and card is not None and card is self._card(nid)
            if not alive or graph.function(graph.node(nid).function) is not frame.function:
                del self._frames[nid]
                if card is not None and card.scene() is not None:
                    frame.setParentItem(None)
                if frame.scene() is not None:
                    frame.scene().removeItem(frame)
        for nid in wanted - self._frames.keys():
            card = self._card(nid)
            if card is None:
                continue
            function = graph.function(graph.node(nid).function)
            self._frames[nid] = FunctionFrameItem(function, nid, self._scene.canvas_style, card)
        self._sync_toggles()
        self._refresh(document.evaluation)

    def _card(self, node_id: str) -> QGraphicsItem | None:
        try:
            return self._scene.node_item(node_id)
        except KeyError:
            return None

    def _refresh(self, evaluation: Evaluation) -> None:
        for nid, frame in self._frames.items():
            try:
                results, locals_ = evaluation.inside(nid)
            except (GraphError, KeyError):
                results, locals_ = {}, {}
            frame.set_results(results, locals_)
