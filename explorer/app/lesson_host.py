"""What the Lesson dock asks of the main window: the :class:`LessonHost` protocol and its docks.

The panel (:mod:`explorer.app.lesson_player`) drives the window only through these public
members, so it can be tested against any object that has them.

Imports: PySide6 (and, for types only, the player, settings, document and theme).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QWidget

if TYPE_CHECKING:
    from explorer.animation.player import Player
    from explorer.app.settings import Preferences
    from explorer.document.document import GraphDocument
    from explorer.theme import Theme

# Lesson dock names -> the window's dock object names.
DOCKS = {
    "chain": "narrativeDock",
    "sensitivity": "sensitivityDock",
    "inspector": "inspectorDock",
    "animation": "animationDock",
    "nodes": "paletteDock",
    "lesson": "lessonDock",
}
LESSON_DOCK_WIDTH = 330


class LessonHost(Protocol):
    """What the panel needs from the main window (all public)."""

    document: GraphDocument
    player: Player
    panels: dict[str, QDockWidget]
    prefs: Preferences
    theme: Theme
    example_title: str | None  # what the title bar calls an untitled document

    def select_nodes(self, ids: list[str]) -> None: ...
    def fit_view(self, keep_fitting: bool = False) -> None: ...
    def panel_widget(self, object_name: str) -> QWidget | None: ...
    def new_document(self) -> bool: ...
    def add_panel(
        self,
        widget: QWidget,
        title: str,
        object_name: str,
        area: Qt.DockWidgetArea = ...,
        visible: bool = ...,
    ) -> QDockWidget: ...
    def tabifyDockWidget(self, first: QDockWidget, second: QDockWidget) -> None: ...
    def resizeDocks(
        self, docks: list[QDockWidget], sizes: list[int], orientation: Qt.Orientation
    ) -> None: ...
