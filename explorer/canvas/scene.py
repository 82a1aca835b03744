"""GraphScene: the canvas's QGraphicsScene, a live picture of one GraphDocument.

Like orange-canvas-core's ``canvas/scene.py``, the scene keeps private id -> item maps
and wires the document's fine-grained signals to item setters; items never see the
model. Edits flow the other way only through GraphDocument methods, each one undo step:
gestures (:mod:`explorer.canvas.interactions`) push theirs on release, and the editing
actions (:mod:`explorer.canvas.scene_editing`: delete, paste, rename, set output …) make
one document call each, or several inside one undo macro. The other direction, document
signals -> items and each evaluation's numbers, is :mod:`explorer.canvas.scene_sync`.

Live recompute: on every ``evaluated`` the scene hands each card its new numbers without
formatting them, marks diagnostics, then asks every view for one repaint. Cards format
their text lazily while painting, so a frame costs what the *visible* cards cost. The
grid and plain links are drawn by the views' backdrop (:mod:`explorer.canvas.backdrop`),
which keeps them as pixels; zoomed far out it draws the cards too (``set_far_mode``).

Imports: PySide6, explorer.document, explorer.io.format (via clipboard), explorer.graph,
explorer.theme, and the canvas's own item modules.
"""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsSceneHelpEvent,
    QGraphicsSceneMouseEvent,
    QToolTip,
    QWidget,
)

from explorer.canvas import style as st
from explorer.canvas.backdrop import Backdrop, far_items
from explorer.canvas.edge_item import EdgeItem
from explorer.canvas.editors import InlineEditor
from explorer.canvas.expand_toggle import ExpandToggle
from explorer.canvas.function_frame import FunctionFrames
from explorer.canvas.function_frame_steps import body_edge_item, body_node_item
from explorer.canvas.interactions import ConnectGesture, Gesture, MoveGesture, ScrubGesture
from explorer.canvas.node_item import NodeItem
from explorer.canvas.overlays import MessageItem, PulseItem
from explorer.canvas.scene_editing import SceneEditing
from explorer.canvas.scene_sync import SceneSync
from explorer.document.document import GraphDocument
from explorer.graph.engine import Program
from explorer.graph.model import Edge
from explorer.theme import LIGHT, Theme

MESSAGE_MILLISECONDS = 4000


class GraphScene(SceneSync, SceneEditing, QGraphicsScene):
    """Nodes, edges and gestures for one document."""

    selection_changed_ids = Signal(list)
    message = Signal(str)
    background_double_clicked = Signal(QPointF)  # the app may add a node there
    theme_changed = Signal()

    def __init__(self, document: GraphDocument, theme: Theme = LIGHT, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._style = st.CanvasStyle.from_theme(theme)
        self._nodes: dict[str, NodeItem] = {}
        self._edges: dict[Edge, EdgeItem] = {}
        self._edges_at: defaultdict[str, set[Edge]] = defaultdict(set)
        self._errors: dict[str, tuple[str, ...]] = {}
        self._output: str | None = None
        self._pending: set[str] = set()
        # Items in the order of the last evaluation's program, so applying an evaluation
        # is a zip over lists rather than a thousand dictionary lookups.
        self._aligned: tuple[Program, list[NodeItem | None], list[EdgeItem | None]] | None = None
        self._show_labels = True
        self._gesture: Gesture | None = None
        self._editor: InlineEditor | None = None
        self._last_copy = ""
        self._paste_count = 0
        self.last_mouse_pos = QPointF()
        # With an index a repaint finds the hundred visible items without asking all
        # 2,500 (in Python) for their bounds: that halves a frame at 100% zoom.
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.setBackgroundBrush(self._style.background)
        self.backdrop = Backdrop(self)
        self._selected: set[QGraphicsItem] = set()
        self._pulse = PulseItem(self._style)
        self._pulse.hide()
        self.addItem(self._pulse)
        self._message_item = MessageItem(self._style)
        self._message_item.hide()
        self.addItem(self._message_item)
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.setInterval(MESSAGE_MILLISECONDS)
        self._message_timer.timeout.connect(self.hide_message)

        document.graph_reset.connect(self.rebuild)
        document.node_added.connect(self._on_node_added)
        document.node_removed.connect(self._on_node_removed)
        document.edge_added.connect(self._add_edge)
        document.edge_removed.connect(self._remove_edge)
        document.node_changed.connect(self._on_node_changed)
        document.node_moved.connect(self._on_node_moved)
        document.evaluated.connect(self._apply_evaluation)
        self.selectionChanged.connect(self._on_selection_changed)
        self.rebuild()
        self.function_frames = FunctionFrames(self)  # expanded calls show their body

    # ------------------------------------------------------------------ public queries
    @property
    def canvas_style(self) -> st.CanvasStyle:
        return self._style

    @property
    def theme(self) -> Theme:
        return self._style.theme

    def node_item(self, node_id: str) -> NodeItem:
        if "/" in node_id and node_id not in self._nodes:  # inside an expanded call
            return body_node_item(self.function_frames, node_id)  # type: ignore[return-value]
        return self._nodes[node_id]

    def edge_item(self, edge: Edge) -> EdgeItem:
        if "/" in edge.source and edge not in self._edges:  # inside an expanded call
            return body_edge_item(self.function_frames, edge)  # type: ignore[return-value]
        return self._edges[edge]

    def node_items(self) -> list[NodeItem]:
        return list(self._nodes.values())

    def edge_items(self) -> list[EdgeItem]:
        return list(self._edges.values())

    def selected_node_items(self) -> list[NodeItem]:
        return [item for item in self.selectedItems() if isinstance(item, NodeItem)]

    def selected_node_ids(self) -> list[str]:
        """Selected node ids, in graph order."""
        chosen = {item.node_id for item in self.selected_node_items()}
        return [nid for nid in self._nodes if nid in chosen]

    def select_nodes(self, node_ids: list[str]) -> None:
        self.clearSelection()
        for nid in node_ids:
            if nid in self._nodes:
                self._nodes[nid].setSelected(True)

    def nodes_rect(self) -> QRectF:
        """Bounding rectangle of every card (what "fit all" frames)."""
        rect = QRectF()
        for item in self._nodes.values():
            rect = rect.united(item.card_rect())
        frames = getattr(self, "function_frames", None)  # expanded calls' bodies count too
        return rect.united(frames.scene_rect()) if frames is not None else rect

    def node_item_at(self, pos: QPointF, exclude: NodeItem | None = None) -> NodeItem | None:
        """The topmost card (ports included) under ``pos``; None over an open editor."""
        for item in self.items(pos):
            if isinstance(item, InlineEditor):
                return None
            if isinstance(item, NodeItem) and item is not exclude:
                return item
        return None

    @property
    def pulse_item(self) -> PulseItem:
        return self._pulse

    @property
    def editor(self) -> InlineEditor | None:
        """The open inline editor, if any."""
        return self._editor

    def in_place_message(self) -> str | None:
        """The refusal note shown next to the cursor, if visible."""
        return self._message_item.text if self._message_item.isVisible() else None

    # ------------------------------------------------------------------ appearance
    def set_theme(self, theme: Theme) -> None:
        self._style = st.CanvasStyle.from_theme(theme)
        self.function_frames.set_style(self._style)
        self.setBackgroundBrush(self._style.background)
        for item in (*self._nodes.values(), *self._edges.values(), self._pulse, self._message_item):
            item.set_style(self._style)
        self.backdrop.invalidate(None)
        self.theme_changed.emit()
        self.update()

    @property
    def far_mode(self) -> bool:
        """Zoomed far out: the views' backdrop draws the cards and links."""
        return self.backdrop.far

    def set_far_mode(self, far: bool, repaint: bool = True) -> None:
        """The view calls this when its zoom crosses ``LOD_TEXT`` (with ``repaint`` False:
        it is about to paint)."""
        self.backdrop.set_far(far, far_items(self), repaint)

    def render(
        self,
        painter: QPainter,
        target: QRectF | QRect | None = None,
        source: QRectF | QRect | None = None,
        mode: Qt.AspectRatioMode = Qt.AspectRatioMode.KeepAspectRatio,
    ) -> None:
        """QGraphicsScene.render, with every item painting itself (exports need vectors)."""
        far = self.backdrop.far
        if far:
            self.set_far_mode(False)
        try:
            super().render(painter, target or QRectF(), source or QRectF(), mode)
        finally:
            if far:
                self.set_far_mode(True)

    def set_show_edge_labels(self, show: bool) -> None:
        self._show_labels = show
        for item in self._edges.values():
            item.set_show_label(show)

    @property
    def show_edge_labels(self) -> bool:
        return self._show_labels

    def set_pulse(self, edge: Edge | None, t: float = 0.0, backward: bool = False, text: str = "") -> None:
        """One dot along ``edge``; ``t`` is progress in the direction of travel (a backward
        pulse starts at the target). None hides it."""
        try:
            item = self.edge_item(edge) if edge is not None else None
        except KeyError:
            item = None
        if item is None:
            self._pulse.hide()
            return
        t = min(1.0, max(0.0, t))
        self._pulse.set_pulse(backward, text)
        self._pulse.setPos(item.path_point(1.0 - t if backward else t))
        self._pulse.show()

    def show_refusal(self, text: str, pos: QPointF) -> None:
        """Say why an edit was refused, next to ``pos`` and on the ``message`` signal."""
        item = self._message_item
        item.set_text(text)
        at = pos + QPointF(14.0, 12.0)
        for view in self.views():  # keep the whole note on screen: no reason cut at the edge
            seen = view.mapToScene(view.viewport().rect()).boundingRect()
            zoom = view.transform().m11() or 1.0
            size = item.boundingRect().size() / zoom  # the note ignores the zoom: screen pixels
            at.setX(max(seen.left() + 4.0, min(at.x(), seen.right() - size.width() - 4.0)))
            at.setY(max(seen.top() + 4.0, min(at.y(), seen.bottom() - size.height() - 4.0)))
            break
        item.setPos(at)
        item.show()
        self._message_timer.start()
        self.message.emit(text)

    def hide_message(self) -> None:
        self._message_item.hide()

    # ------------------------------------------------------------------ mouse
    def _cancel_gesture(self) -> None:
        if self._gesture is not None:
            self._gesture.cancel()
            self._gesture = None

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        pos = event.scenePos()
        self.last_mouse_pos = pos
        self.hide_message()
        self._cancel_gesture()
        if event.button() == Qt.MouseButton.LeftButton:
            item = self.node_item_at(pos)
            if item is not None:
                part, slot = item.hit_part(item.mapFromScene(pos))
                if part in ("out", "in"):
                    self._gesture = ConnectGesture(self, item, part, slot)
                    event.accept()
                    return
                if part == "value":
                    self._gesture = ScrubGesture(self, item, event)
                    event.accept()
                    return
        super().mousePressEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and isinstance(self.mouseGrabberItem(), NodeItem):
            self._gesture = MoveGesture(self)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self.last_mouse_pos = event.scenePos()
        gesture = self._gesture
        if gesture is not None and not isinstance(gesture, MoveGesture):
            gesture.move(event)
            event.accept()
            return
        if not isinstance(gesture, MoveGesture):
            super().mouseMoveEvent(event)
            return
        moving = self.selected_node_items()
        if self.backdrop.far:
            for item in moving:
                self.backdrop.invalidate(item.sceneBoundingRect())
        super().mouseMoveEvent(event)
        if self.backdrop.far:
            for item in moving:
                self.backdrop.invalidate(item.sceneBoundingRect())
        self._follow(moving)

    def helpEvent(self, event: QGraphicsSceneHelpEvent) -> None:
        """Tooltips are composed when asked for, not stored on a thousand items."""
        item = self.node_item_at(event.scenePos())
        if item is None:
            super().helpEvent(event)
            return
        QToolTip.showText(event.screenPos(), item.tooltip_text())
        event.accept()

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        gesture, self._gesture = self._gesture, None
        if isinstance(gesture, MoveGesture):
            super().mouseReleaseEvent(event)
            gesture.release(event)
            return
        if gesture is not None:
            gesture.release(event)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        pos = event.scenePos()
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        if any(isinstance(i, ExpandToggle) for i in self.items(pos)):  # one toggle, no rename
            super().mouseDoubleClickEvent(event)
            return
        item = self.node_item_at(pos)
        if item is not None:
            part, _slot = item.hit_part(item.mapFromScene(pos))
            if part == "value":
                self.edit_value(item.node_id)
            elif part in ("header", "body"):
                self.rename_node(item.node_id)
            event.accept()
            return
        if any(isinstance(i, (EdgeItem, InlineEditor)) for i in self.items(pos)):
            super().mouseDoubleClickEvent(event)
            return
        self.background_double_clicked.emit(pos)
        event.accept()
