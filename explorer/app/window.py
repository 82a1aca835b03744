"""The main window: canvas in the centre, palette, inspector, narrative, plot and animation
docks, menus, toolbar, status bar.

The window wires parts together and owns nothing the document does not: every edit goes
through :class:`~explorer.document.document.GraphDocument` (one undo step each), the
canvas and panels redraw from its signals, and the status bar shows the output value and
the selection. File commands and crash recovery live in
:class:`~explorer.app.documents.DocumentHandling`; actions and menus in
:mod:`explorer.app.actions`; docks, preferences and looks in
:mod:`explorer.app.window_panels`; title and status bar in :mod:`explorer.app.window_status`;
edit commands in :mod:`explorer.app.edit_commands`. Preferences (dock layout, geometry,
theme, fonts, recent files) persist through the QSettings given to the constructor, so
tests never touch the user's.

Nothing heavy is imported here: the plot and the narrative are docks added through
:meth:`MainWindow.add_panel` with factories, built the first time they are shown, and
never before the window's first paint (:mod:`explorer.app.features`).

Opening or resetting a document frames the graph (at most 150%) and keeps it framed
while the window and its docks settle, until the user zooms, pans or clicks the canvas
(:mod:`explorer.app.features`).

Imports: PySide6, explorer.canvas, explorer.document, explorer.graph, explorer.io, explorer.app.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QRectF, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDropEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QMainWindow,
    QMenu,
    QWidget,
)
from shiboken6 import isValid

from explorer.app.actions import build_menus, build_toolbar, create_actions
from explorer.app.dialogs import show_about, show_shortcuts
from explorer.app.documents import DocumentHandling
from explorer.app.edit_commands import EditCommands
from explorer.app.features import Features
from explorer.app.function_actions import FunctionActions
from explorer.app.inspector import InspectorPanel
from explorer.app.palette import NodePalette, palette_panel
from explorer.app.recovery import AutoSaver, RecoveryStore
from explorer.app.settings import Preferences, default_settings
from explorer.app.shortcuts import all_actions, resolve_clashes
from explorer.app.style import apply_app_theme
from explorer.app.template_dialog import install_template_action
from explorer.app.train_dock import install_train_dock
from explorer.app.window_panels import STATE_VERSION, PanelHosting
from explorer.app.window_status import APP_NAME, StatusReporting
from explorer.canvas.scene import GraphScene
from explorer.canvas.view import GraphView
from explorer.document.document import GraphDocument
from explorer.theme import THEMES, Theme

if TYPE_CHECKING:
    from explorer.app.expression_dialog import ExpressionDialog

__all__ = ["APP_NAME", "LAZY_FALLBACK_MS", "STATE_VERSION", "MainWindow"]

LAZY_FALLBACK_MS = 1500  # build deferred panels even if the canvas never gets painted
Area = Qt.DockWidgetArea


def _silencer(*objects: QObject) -> Callable[..., None]:
    def silence(*_: object) -> None:
        for obj in objects:
            if isValid(obj):
                obj.blockSignals(True)

    return silence


class MainWindow(StatusReporting, EditCommands, PanelHosting, DocumentHandling, Features, QMainWindow):
    """One open graph document and everything around it."""

    theme_changed = Signal(object)  # Theme: later panels (plot, narrative) recolour themselves
    _file_dropped = Signal(str)

    def __init__(
        self,
        settings: QSettings | None = None,
        recovery_dir: str | Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.prefs = Preferences(settings if settings is not None else default_settings())
        self.theme: Theme = THEMES[self.prefs.theme]
        # Before any widget exists: widgets made under the old application font and then
        # polished by the style sheet keep that font (menus stayed small in large-text mode).
        apply_app_theme(self.theme, self.prefs.large_font)
        self.example_title: str | None = None
        self.actions: dict[str, QAction] = {}  # type: ignore[assignment]
        self.panels: dict[str, QDockWidget] = {}
        self._lazy: dict[str, Callable[[], QWidget]] = {}
        self._deferred: list[QDockWidget] = []  # lazy docks shown before the first paint
        self._painted = False
        self._shown_once = False
        self._layout_restored = False  # restoreState has run: docks added later may be restored
        self._auto_fit = True  # keep the graph framed until the user moves the view
        self._seen: QRectF | None = None  # the scene area the canvas last showed
        self.expression_dialog: ExpressionDialog | None = None
        self._last_expression = ""
        self._last_replace = True

        self.document = GraphDocument(parent=self)
        self.scene = GraphScene(self.document, self.theme)
        self.view = GraphView(self.scene)
        self.view.setObjectName("graphView")
        self.setCentralWidget(self.view)
        self.recovery_store = RecoveryStore(Path(recovery_dir) if recovery_dir is not None else None)
        self.autosaver = AutoSaver(self.document, self.recovery_store, self)
        self._make_player()

        self.recent_menu: QMenu
        self.examples_menu: QMenu
        self.lessons_menu: QMenu
        self.welcome: QWidget | None = None  # the welcome page while it is open
        self.panels_menu: QMenu
        self.run_menu: QMenu
        create_actions(self)
        build_menus(self)
        self.toolbar = build_toolbar(self)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self.setCorner(Qt.Corner.BottomLeftCorner, Area.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Area.RightDockWidgetArea)

        self.palette = NodePalette()
        self.palette.op_activated.connect(self.add_node_at_centre)
        self.add_panel(palette_panel(self.palette), "Nodes", "paletteDock", Area.LeftDockWidgetArea)
        self.inspector = InspectorPanel(self.document, self.theme)
        self.add_panel(self.inspector, "Inspector", "inspectorDock", Area.RightDockWidgetArea)
        self._install_features()
        install_train_dock(self)
        install_template_action(self)
        self.function_actions = FunctionActions(self)  # Group as Function, Ungroup, Expand
        self.panels_menu.addSeparator()
        self.panels_menu.addAction(self.toolbar.toggleViewAction())

        # A card's reason for being red is in its tooltip; show it even while another
        # window (the projector's notes, a terminal) has the focus.
        self.setAttribute(Qt.WidgetAttribute.WA_AlwaysShowToolTips)
        self._install_status_bar()

        self.scene.selection_changed_ids.connect(self._selection_changed)
        self.scene.message.connect(self._status)
        self.document.evaluated.connect(self._update_status)
        self.document.modified_changed.connect(self._update_title)
        self.document.file_path_changed.connect(self._update_title)
        self.document.metadata_changed.connect(self._update_title)
        self.autosaver.failed.connect(self._status)
        self.scene.background_double_clicked.connect(lambda _pos: self.view.open_quick_add())
        self.view.space_tapped.connect(self._space_tapped)
        self._file_dropped.connect(self.open_file, Qt.ConnectionType.QueuedConnection)
        self.setAcceptDrops(True)
        # The canvas takes drags itself (palette ops); files dropped on it are ours.
        self.view.viewport().installEventFilter(self)

        # Tearing down the scene and the undo stack emits signals into Python slots of
        # objects that are already half gone; nobody needs to hear them once we are.
        self.destroyed.connect(_silencer(self.scene, self.document.undo_stack))

        resolve_clashes(all_actions(self))  # after the features: every action is there
        self._restore_preferences()
        self._selection_changed([])
        self._update_title()
        self._update_status()
        self._position_changed(0)
        self.view.setFocus()

    # ------------------------------------------------------------------ start-up
    def startup(self, path: str | Path | None = None) -> None:
        """What a fresh launch shows: a crashed session's work, else ``path``, else the welcome page."""
        if self.offer_recovery():
            return
        if path is not None:
            self.open_file(path)
            return
        from explorer.app.welcome import show_welcome

        show_welcome(self)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            if self._first_run_layout:
                self._size_docks()
            self.fit_view()
            if self._deferred:
                QTimer.singleShot(LAZY_FALLBACK_MS, self, self._build_deferred)

    # ------------------------------------------------------------------ view commands
    def _space_tapped(self) -> None:
        # The canvas keeps Space (hold to pan); a tap still means play / pause.
        play = self.actions["play"]
        if play.isEnabled():
            play.trigger()

    def show_shortcuts(self) -> QDialog:
        return show_shortcuts(self, self.actions)

    def show_about(self) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            ver = version("chain-rule-explorer")
        except PackageNotFoundError:
            ver = ""
        show_about(self, ver)

    # ------------------------------------------------------------------ canvas events and closing
    def _graph_was_whole(self) -> bool:
        """Whether the last picture showed the whole graph and the resized view does not."""
        nodes, seen = self.scene.nodes_rect(), self._seen
        if nodes.isNull() or seen is None:
            return False
        now = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        return seen.contains(nodes) and not now.contains(nodes)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ChildPolished:
            child = event.child()  # type: ignore[attr-defined]
            if isinstance(child, QDialog):
                child.installEventFilter(self)  # to give the canvas the keys back when it closes
        return super().event(event)

    def _dialog_closed(self) -> None:
        """A dialog of ours closed: the keys go to the canvas again, not to whichever dock
        widget Qt picks (a typed space there started playback)."""
        if QApplication.activeModalWidget() is None and isValid(self.view):
            self.activateWindow()  # without a window manager nobody else does: keys went nowhere
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Hide and isinstance(watched, QDialog) and watched.parent() is self:
            QTimer.singleShot(0, self, self._dialog_closed)  # once Qt has restored its own focus
        if watched is self.view.viewport():
            if kind == QEvent.Type.Paint:
                self._seen = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
                if not self._painted:
                    self._painted = True
                    QTimer.singleShot(0, self, self._build_deferred)  # after this paint is done
            elif kind == QEvent.Type.Resize and (self._auto_fit or self._graph_was_whole()):
                self._auto_fit = True  # a shrinking window keeps a graph that was whole in view
                QTimer.singleShot(0, self, self._refit)  # once the view has its new size
            elif kind in (QEvent.Type.MouseButtonPress, QEvent.Type.Wheel):
                self._auto_fit = False
        if watched is self.view.viewport() and kind in (
            QEvent.Type.DragEnter,
            QEvent.Type.DragMove,
            QEvent.Type.Drop,
        ):
            assert isinstance(event, QDropEvent)
            if self._dropped_file(event.mimeData()) is not None:
                if kind == QEvent.Type.Drop:
                    self.dropEvent(event)
                else:
                    event.acceptProposedAction()
                return True
        return super().eventFilter(watched, event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self.save_preferences()
        self.autosaver.stop()
        event.accept()
