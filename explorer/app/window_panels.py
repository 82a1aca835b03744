"""The window's docks and looks: adding panels (built lazily), preferences, theme and text size.

A mixin of :class:`~explorer.app.window.MainWindow`, split from it so the window stays the
composition root. A panel given as a factory is built the first time its dock is shown,
and never before the window's first paint; the dock layout, geometry, theme, large text
and edge labels persist through the window's :class:`~explorer.app.settings.Preferences`.

Imports: PySide6, explorer.app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QWidget
from shiboken6 import isValid

from explorer.app.shortcuts import all_actions, resolve_clashes
from explorer.app.style import LARGE_FONT_SCALE, apply_app_theme
from explorer.theme import THEMES

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMenu

    from explorer.app.inspector import InspectorPanel
    from explorer.app.settings import Preferences
    from explorer.canvas.scene import GraphScene
    from explorer.canvas.view import GraphView
    from explorer.theme import Theme

STATE_VERSION = 2  # 2: narrative, sensitivity and animation docks
Area = Qt.DockWidgetArea


class PanelHosting:
    """Docks (eager or lazy), saved layout and preferences, theme and large text for the window."""

    prefs: Preferences
    theme: Theme
    scene: GraphScene
    view: GraphView
    inspector: InspectorPanel
    actions: dict[str, QAction]
    panels: dict[str, QDockWidget]
    panels_menu: QMenu
    _lazy: dict[str, Callable[[], QWidget]]
    _deferred: list[QDockWidget]
    _painted: bool
    _shown_once: bool
    _layout_restored: bool
    _first_run_layout: bool

    # ------------------------------------------------------------------ panels
    def add_panel(
        self,
        widget: QWidget | Callable[[], QWidget],
        title: str,
        object_name: str,
        area: Qt.DockWidgetArea = Area.RightDockWidgetArea,
        visible: bool = True,
    ) -> QDockWidget:
        """Add a dock (toggle in View ▸ Panels; layout persisted by object name).

        ``widget`` may be a zero-argument factory: the panel is then built the first time
        the dock is shown, so heavy panels (the plot) cost nothing at start-up.
        """
        dock = QDockWidget(title, self)
        dock.setObjectName(object_name)
        if isinstance(widget, QWidget):
            dock.setWidget(widget)
        else:
            self._lazy[object_name] = widget
            placeholder = QLabel(f"{title}…")
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            placeholder.setEnabled(False)
            dock.setWidget(placeholder)
            dock.visibilityChanged.connect(lambda shown, d=dock: shown and self._build_when_painted(d))
        self.addDockWidget(area, dock)
        # Where the user left it last time, if known. (Before restoreState has run, Qt
        # answers True for any dock already added, which kept visible=False docks showing.)
        restored = self._layout_restored and self.restoreDockWidget(dock)
        if not visible and not restored:
            dock.hide()
        self.panels[object_name] = dock
        self.panels_menu.addAction(dock.toggleViewAction())
        if dock.isVisible() and object_name in self._lazy:
            self._build_when_painted(dock)
        return dock

    def _build_when_painted(self, dock: QDockWidget) -> None:
        if self._shown_once or self._painted:
            self._build_lazy(dock)
        elif dock not in self._deferred:
            # Shown with the window: fill it once the first picture is on screen.
            self._deferred.append(dock)

    def _build_deferred(self) -> None:
        self._painted = True
        docks, self._deferred = self._deferred, []
        for dock in docks:
            if isValid(dock):
                self._build_lazy(dock)

    def _build_lazy(self, dock: QDockWidget) -> None:
        factory = self._lazy.pop(dock.objectName(), None)
        if factory is not None:
            old = dock.widget()
            dock.setWidget(factory())
            if old is not None:
                old.deleteLater()
            resolve_clashes(all_actions(self))  # a panel may bring its own keys

    def panel_widget(self, object_name: str) -> QWidget | None:
        dock = self.panels.get(object_name)
        if dock is None:
            return None
        self._build_lazy(dock)
        return dock.widget()

    # ------------------------------------------------------------------ preferences
    def _restore_preferences(self) -> None:
        geometry = self.prefs.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            screen = self.screen().availableGeometry()
            self.resize(min(1600, int(screen.width() * 0.9)), min(1000, int(screen.height() * 0.9)))
        state = self.prefs.window_state()
        self._first_run_layout = state is None or not self.restoreState(state, STATE_VERSION)
        self._layout_restored = True
        self.actions[f"theme_{self.theme.name}"].setChecked(True)
        self.actions["large_font"].setChecked(self.prefs.large_font)
        self.actions["edge_labels"].setChecked(self.prefs.edge_labels)
        self.scene.set_show_edge_labels(self.prefs.edge_labels)
        self._apply_look(app=False)  # the application look was set before the widgets

    def _size_docks(self) -> None:
        """First run, once the window has its size: a slim palette; on the right, room for
        formulas and a plot tall enough to read."""
        # A quarter of the window, between 300 (a 1024 px window keeps its canvas) and 460.
        right = max(300, min(460, self.width() // 4))
        self.resizeDocks(
            [self.panels["paletteDock"], self.panels["inspectorDock"]],
            [round(170 * (LARGE_FONT_SCALE if self.prefs.large_font else 1.0)), right],
            Qt.Orientation.Horizontal,
        )
        self.resizeDocks(
            [self.panels["inspectorDock"], self.panels["sensitivityDock"]],
            [self.height() * 48 // 100, self.height() * 52 // 100],
            Qt.Orientation.Vertical,
        )

    def save_preferences(self) -> None:
        self.prefs.save_layout(self.saveGeometry(), self.saveState(STATE_VERSION))
        self.prefs.sync()

    def _apply_look(self, app: bool = True) -> None:
        if app:
            apply_app_theme(self.theme, self.prefs.large_font)
            # A dock paints its title in the font it was made with while its own font equals
            # the application's; a font that differs (only in a rendering hint) is used instead.
            title = QFont(QApplication.font())
            title.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
            for dock in self.panels.values():
                dock.setFont(title)
        self.scene.set_theme(self.theme)
        self.inspector.set_theme(self.theme)
        self._update_status()

    def set_theme(self, name: str) -> None:
        self.theme = THEMES.get(name, self.theme)
        self.prefs.theme = self.theme.name
        self.actions[f"theme_{self.theme.name}"].setChecked(True)
        self._apply_look()
        self.theme_changed.emit(self.theme)

    def set_large_font(self, on: bool) -> None:
        """Bigger text in panels, menus and dialogs; the canvas zooms by the same factor."""
        was = self.prefs.large_font
        self.prefs.large_font = on
        self.actions["large_font"].setChecked(on)
        self._apply_look()
        if on != was:
            scale = LARGE_FONT_SCALE if on else 1.0 / LARGE_FONT_SCALE
            self.view.zoom_by(scale)
            palette = self.panels["paletteDock"]  # op names must not be cut short
            self.resizeDocks([palette], [round(palette.width() * scale)], Qt.Orientation.Horizontal)

    def set_edge_labels(self, on: bool) -> None:
        self.prefs.edge_labels = on
        self.actions["edge_labels"].setChecked(on)
        self.scene.set_show_edge_labels(on)
