"""Stand-ins for the nodes and edges drawn inside an expanded call, for the animation.

The player sets overrides on whatever ``scene.node_item(id)`` returns; a body node is
named by its path (``g/n2``, see :mod:`explorer.animation.expanded`) and is painted by the
call's :class:`~explorer.canvas.function_frame.FunctionFrameItem`, not by an item of its
own. These small proxies take the same calls and store them in that frame, which then
repaints, so values and gradients inside the frame appear step by step.

Imports: PySide6, explorer.canvas.function_frame, explorer.graph.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF

from explorer.canvas.function_frame import FunctionFrameItem, FunctionFrames
from explorer.graph.model import Edge

SEP = "/"


class BodyNodeItem:
    """What the player sees of one body node: its overrides live in the frame."""

    def __init__(self, frame: FunctionFrameItem, body_id: str) -> None:
        self._frame, self._id = frame, body_id

    def _put(self, store: dict[str, str], text: str | None) -> None:
        if text is None:
            store.pop(self._id, None)
        else:
            store[self._id] = text
        self._frame.update()

    def set_value_override(self, text: str | None) -> None:
        self._put(self._frame.body_values, text)

    def set_grad_override(self, text: str | None) -> None:
        self._put(self._frame.body_grads, text)

    def set_emphasis(self, kind: str | None) -> None:
        self._put(self._frame.body_emphasis, kind)

    def set_tangent_text(self, text: str | None) -> None:
        """Forward-mode tangents are not drawn inside a body."""


class BodyEdgeItem:
    """What the player sees of one body edge: caption, emphasis and the pulse's path."""

    def __init__(self, frame: FunctionFrameItem, edge: Edge) -> None:
        self._frame, self._edge = frame, edge

    def _put(self, store: dict[Edge, str], text: str | None) -> None:
        if text is None:
            store.pop(self._edge, None)
        else:
            store[self._edge] = text
        self._frame.update()

    def set_caption(self, text: str | None) -> None:
        self._put(self._frame.body_captions, text)

    def set_emphasis(self, kind: str | None) -> None:
        self._put(self._frame.edge_emphasis, kind)

    def set_width_scale(self, scale: float) -> None:
        """Gears widths are not drawn inside a body."""

    def path_point(self, t: float) -> QPointF:
        """A point along the body edge, in scene coordinates."""
        return self._frame.mapToScene(self._frame.edge_path(self._edge).pointAtPercent(t))


def body_node_item(frames: FunctionFrames, path: str) -> BodyNodeItem:
    """The proxy for body node ``call/body_id``; KeyError when that call is not open."""
    call, _, body_id = path.partition(SEP)
    frame = frames.frame(call)
    if frame is None or body_id not in frame.function.body:
        raise KeyError(path)
    return BodyNodeItem(frame, body_id)


def body_edge_item(frames: FunctionFrames, edge: Edge) -> BodyEdgeItem:
    """The proxy for a body edge named by paths; KeyError when that call is not open."""
    call, _, source = edge.source.partition(SEP)
    target = edge.target.partition(SEP)[2]
    frame = frames.frame(call)
    if frame is None:
        raise KeyError(edge)
    return BodyEdgeItem(frame, Edge(source, target, edge.slot))
