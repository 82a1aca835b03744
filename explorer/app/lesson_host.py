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
LESSON_DOCK_HEIGHT = 230  # under the canvas, in a small window
SMALL_WINDOW = 1200  # narrower than this, the lesson goes under the canvas
WIDE_PANEL = 560  # a lesson panel this wide (and flat) lays out in two columns


def lesson_dock_width(window_width: int) -> int:
    """Room for the prose, but in a small window (1024 px) the canvas keeps ~450 px."""
    return max(260, min(LESSON_DOCK_WIDTH, window_width * 26 // 100))


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
    def splitDockWidget(
        self, first: QDockWidget, second: QDockWidget, orientation: Qt.Orientation
    ) -> None: ...
    def dockWidgetArea(self, dock: QDockWidget) -> Qt.DockWidgetArea: ...
    def width(self) -> int: ...
    def resizeDocks(
        self, docks: list[QDockWidget], sizes: list[int], orientation: Qt.Orientation
    ) -> None: ...
