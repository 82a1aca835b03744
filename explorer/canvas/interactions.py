"""Mouse gestures on the canvas, each one an object that edits the document when it ends.

Following orange-canvas-core's ``document/interactions.py``: the scene hands a press to a
gesture, forwards moves and the release to it, and forgets it afterwards. A gesture
changes the document only through :class:`~explorer.document.document.GraphDocument`
methods, and only as one undo step:

* :class:`ConnectGesture` drags a link out of a port and connects on release, or shows
  why not (cycle, full node, an input that takes no operands) next to the cursor.
* :class:`ScrubGesture` drags a value sideways; every move is a ``set_value`` inside
  ``begin_value_drag()``/``end_value_drag()``, so the document merges them into one step.
* :class:`MoveGesture` lets Qt move the selected cards and pushes one ``move_nodes`` on release.

Imports: PySide6, explorer.graph (read-only queries), explorer.canvas items.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtWidgets import QGraphicsSceneMouseEvent

from explorer.canvas.edge_item import DragEdgeItem
from explorer.canvas.node_chrome import operand_label
from explorer.canvas.node_item import NodeItem
from explorer.graph.functions import op_of
from explorer.graph.model import GraphError
from explorer.graph.ops import OPS
from explorer.theme import snap_value, value_step

if TYPE_CHECKING:
    from explorer.canvas.scene import GraphScene

SCRUB_THRESHOLD = 3.0  # screen pixels before a press on a value becomes a scrub
SNAP_RADIUS = 24.0  # scene units: how far from an operand port a dragged link still snaps to it


class Gesture:
    """One press-move-release interaction."""

    def move(self, event: QGraphicsSceneMouseEvent) -> None:  # pragma: no cover - interface
        pass

    def release(self, event: QGraphicsSceneMouseEvent) -> None:  # pragma: no cover - interface
        pass

    def cancel(self) -> None:
        pass


def connection_problem(scene: GraphScene, source: str, target: str, slot: int | None) -> str | None:
    """Why linking ``source`` into ``target`` would be refused (None: it is fine).

    ``slot`` None means "dropped on the card": the first free operand is used, and a node
    whose operands are all taken refuses. Dropping on an occupied port replaces its link.
    """
    graph = scene.document.graph
    src, dst = graph.node(source), graph.node(target)
    spec = op_of(graph, dst)
    src_name, dst_name = graph.display_name(src.id), graph.display_name(dst.id)
    if spec.arity == 0:
        return f"{dst_name!r} is {spec.title.lower()} and takes no operands"
    if slot is None and None not in dst.operands:
        return f"all operands of {dst_name!r} are connected — drop on a port to replace one"
    if graph.reaches(target, source):
        if source == target:
            return f"{dst_name!r} cannot feed itself"
        return f"linking {src_name!r} into {dst_name!r} would make a cycle"
    return None


def output_port_refusal(scene: GraphScene, target: str) -> str:
    """Why a link dropped on ``target``'s output port does not connect, and what would."""
    graph = scene.document.graph
    node = graph.node(target)
    spec = op_of(graph, node)  # a function's call node names its parameters
    names = [
        operand_label(node.op, k) if node.op in OPS else spec.operand_names[k] for k in range(spec.arity)
    ]
    if not names:
        return f"that is the output of {node.label!r}, which takes no operands"
    return f"that is the output of {node.label!r}: drop on " + " or ".join(repr(n) for n in names)


class ConnectGesture(Gesture):
    """Drag from an output port to an operand port (or the other way round)."""

    def __init__(self, scene: GraphScene, item: NodeItem, part: str, slot: int) -> None:
        self._scene = scene
        self._origin = item
        self._from_output = part == "out"
        self._slot = slot
        self._anchor = item.output_port_pos() if self._from_output else item.input_port_pos(slot)
        self._drag = DragEdgeItem(scene.canvas_style)
        self._drag.set_ends(self._anchor, self._anchor, self._from_output, True)
        scene.addItem(self._drag)
        self._marked: NodeItem | None = None
        self.refusal: str | None = None  # why the drop under the cursor cannot connect
        item.set_port_mark((-1 if self._from_output else slot, True))

    def _target(self, pos: QPointF) -> tuple[str, str, int | None, NodeItem, QPointF] | None:
        """(source, target, slot, item, snap point) for a drop at ``pos``.

        From an output, a link snaps only to an input port within ``SNAP_RADIUS`` of the
        cursor; a drop elsewhere on a card uses its first free operand (marked, not snapped
        to), and a drop on its *output* port is refused (:attr:`refusal` says why)."""
        self.refusal = None
        if self._from_output:
            near = self._nearest_input(pos)
            if near is not None:
                item, slot = near
                return self._origin.node_id, item.node_id, slot, item, item.input_port_pos(slot)
        item = self._scene.node_item_at(pos, exclude=self._origin)
        if item is None:
            return None
        if self._from_output:
            part, _slot = item.hit_part(item.mapFromScene(pos))
            if part == "out":
                self.refusal = output_port_refusal(self._scene, item.node_id)
                return self._origin.node_id, item.node_id, None, item, pos
            # The first free operand is marked; the line itself stays with the cursor.
            return self._origin.node_id, item.node_id, None, item, pos
        return item.node_id, self._origin.node_id, self._slot, item, item.output_port_pos()

    def _nearest_input(self, pos: QPointF) -> tuple[NodeItem, int] | None:
        """The input port nearest ``pos`` within ``SNAP_RADIUS`` (any card but the origin)."""
        r = SNAP_RADIUS
        best: tuple[float, NodeItem, int] | None = None
        for item in self._scene.items(QRectF(pos.x() - r, pos.y() - r, 2 * r, 2 * r)):
            if not isinstance(item, NodeItem) or item is self._origin:
                continue
            for slot in range(len(self._scene.document.graph.node(item.node_id).operands)):
                d = QLineF(pos, item.input_port_pos(slot)).length()
                if d <= r and (best is None or d < best[0]):
                    best = (d, item, slot)
        return None if best is None else (best[1], best[2])

    def _first_free(self, item: NodeItem) -> int | None:
        node = self._scene.document.graph.node(item.node_id)
        for k, src in enumerate(node.operands):
            if src is None:
                return k
        return None

    def move(self, event: QGraphicsSceneMouseEvent) -> None:
        pos = event.scenePos()
        found = self._target(pos)
        ok = True
        end = pos
        mark_item: NodeItem | None = None
        if found is not None:
            source, target, slot, item, snap = found
            ok = self.refusal is None and connection_problem(self._scene, source, target, slot) is None
            end = snap if ok else pos
            mark_item = item
            if self._from_output and self.refusal is not None:
                item.set_port_mark((-1, False))  # its output port, refused
            elif self._from_output:
                mark_slot = slot if slot is not None else self._first_free(item)
                item.set_port_mark((mark_slot, ok) if mark_slot is not None else None)
            else:
                item.set_port_mark((-1, ok))
        if self._marked is not None and self._marked is not mark_item:
            self._marked.set_port_mark(None)
        self._marked = mark_item
        self._drag.set_ends(self._anchor, end, self._from_output, ok)

    def release(self, event: QGraphicsSceneMouseEvent) -> None:
        pos = event.scenePos()
        found = self._target(pos)
        self.cancel()
        if found is None:
            return
        source, target, slot, _item, _snap = found
        problem = self.refusal or connection_problem(self._scene, source, target, slot)
        if problem is None:
            if slot is None:
                slot = self._first_free(_item)
                assert slot is not None
            try:
                self._scene.document.link(source, target, slot)
            except GraphError as exc:
                problem = str(exc)
        if problem is not None:
            self._scene.show_refusal(problem, pos)

    def cancel(self) -> None:
        if self._drag.scene() is not None:
            self._scene.removeItem(self._drag)
        self._origin.set_port_mark(None)
        if self._marked is not None:
            self._marked.set_port_mark(None)
            self._marked = None


def scrub_step(start: float, fine: bool) -> float:
    """Value change per screen pixel: 1% of the value's order of magnitude (0.1% with Shift),
    the same step the plot's x line snaps to."""
    return value_step(start, fine)


class ScrubGesture(Gesture):
    """Press on a value and drag sideways to change it; a press without a drag selects."""

    def __init__(self, scene: GraphScene, item: NodeItem, event: QGraphicsSceneMouseEvent) -> None:
        self._scene = scene
        self._item = item
        self._x = event.screenPos().x()
        self._value = scene.document.graph.node(item.node_id).value
        self._started = False
        self._travel = 0.0

    @property
    def started(self) -> bool:
        return self._started

    def move(self, event: QGraphicsSceneMouseEvent) -> None:
        x = event.screenPos().x()
        dx = x - self._x
        if not self._started:
            if abs(dx) < SCRUB_THRESHOLD:
                return
            self._scene.document.begin_value_drag()
            self._started = True
            self._item.setCursor(Qt.CursorShape.SizeHorCursor)
        self._x = x
        fine = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        step = scrub_step(self._value, fine)
        self._travel += dx * step
        value = snap_value(self._value + self._travel, step)
        try:
            self._scene.document.set_value(self._item.node_id, value)
        except GraphError as exc:
            self._scene.show_refusal(str(exc), event.scenePos())

    def release(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._started:
            self._scene.document.end_value_drag()
            self._started = False
            return
        if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._scene.clearSelection()
        self._item.setSelected(True)

    def cancel(self) -> None:
        if self._started:
            self._scene.document.end_value_drag()
            self._started = False


class MoveGesture(Gesture):
    """Qt drags the selected cards; on release their final positions become one undo step."""

    def __init__(self, scene: GraphScene) -> None:
        self._scene = scene
        self._start = {item.node_id: (item.pos().x(), item.pos().y()) for item in scene.selected_node_items()}

    def release(self, event: QGraphicsSceneMouseEvent) -> None:
        moves: dict[str, tuple[float, float]] = {}
        for item in self._scene.selected_node_items():
            start = self._start.get(item.node_id)
            end = (item.pos().x(), item.pos().y())
            if start is not None and start != end:
                moves[item.node_id] = end
        if moves:
            self._scene.document.move_nodes(moves)
