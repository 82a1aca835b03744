"""The part of the canvas the animation drives, as a duck-typed Protocol.

``explorer.animation`` and ``explorer.canvas`` are sibling layers and must not import
each other, so the player talks to any object with these methods (the real
``GraphScene``, or a recording fake in tests). ``None`` always means "no override: show
the evaluation's own number / the normal look".

Imports: PySide6.QtCore, explorer.graph.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from PySide6.QtCore import QPointF

from explorer.graph.model import Edge

Emphasis = str  # "active" | "done" | "path" | "dim"


@runtime_checkable
class NodeItemLike(Protocol):
    def set_value_override(self, text: str | None) -> None: ...
    def set_grad_override(self, text: str | None) -> None: ...
    def set_emphasis(self, kind: Emphasis | None) -> None: ...
    def set_tangent_text(self, text: str | None) -> None: ...


@runtime_checkable
class EdgeItemLike(Protocol):
    def set_caption(self, text: str | None) -> None: ...
    def set_emphasis(self, kind: Emphasis | None) -> None: ...
    def set_width_scale(self, scale: float) -> None: ...
    def path_point(self, t: float) -> QPointF: ...


@runtime_checkable
class SceneLike(Protocol):
    def node_item(self, node_id: str) -> NodeItemLike | None: ...
    def edge_item(self, edge: Edge) -> EdgeItemLike | None: ...
    def set_pulse(self, edge: Edge | None, t: float, backward: bool, text: str) -> None: ...
