"""The main window: canvas in the centre, palette, inspector, narrative, plot and animation
docks, menus, toolbar, status bar.

The window wires parts together and owns nothing the document does not: every edit goes
through :class:`~explorer.document.document.GraphDocument` (one undo step each), the
canvas and panels redraw from its signals, and the status bar shows the output value and
the selection. File commands and crash recovery live in
:class:`~explorer.app.documents.DocumentHandling`; actions and menus in
:mod:`explorer.app.actions`. Preferences (dock layout, geometry, theme, fonts, recent files)
persist through the QSettings given to the constructor, so tests never touch the user's.

Nothing heavy is imported here: the plot and the narrative are docks added through
:meth:`MainWindow.add_panel` with factories, built the first time they are shown, and
never before the window's first paint (:mod:`explorer.app.features`).

Opening or resetting a document frames the graph (at most 150%) and keeps it framed
while the window and its docks settle, until the user zooms, pans or clicks the canvas
(:mod:`explorer.app.features`).

Imports: PySide6, explorer.canvas, explorer.document, explorer.graph, explorer.io, explorer.app.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDropEvent,
    QFont,
    QGuiApplication,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QToolTip,
    QWidget,
)
from shiboken6 import isValid

from explorer.app.actions import build_menus, build_toolbar, create_actions
from explorer.app.dialogs import GraphInfoDialog, show_about, show_shortcuts
from explorer.app.documents import DocumentHandling
from explorer.app.features import Features
from explorer.app.function_actions import FunctionActions
from explorer.app.inspector import InspectorPanel
from explorer.app.palette import NodePalette, palette_panel
from explorer.app.problems import ProblemButton
from explorer.app.recovery import AutoSaver, RecoveryStore
from explorer.app.settings import Preferences, default_settings
from explorer.app.shortcuts import all_actions, resolve_clashes
from explorer.app.style import LARGE_FONT_SCALE, apply_app_theme
from explorer.app.template_dialog import install_template_action
from explorer.app.train_dock import install_train_dock
from explorer.canvas.scene import GraphScene
from explorer.canvas.view import GraphView
from explorer.document.document import GraphDocument
from explorer.graph.layout import COLUMN_GAP, NODE_HEIGHT, NODE_WIDTH
from explorer.graph.model import Graph, GraphError
from explorer.theme import THEMES, Theme, format_number

if TYPE_CHECKING:
    from explorer.app.expression_dialog import ExpressionDialog

APP_NAME = "Chain Rule Explorer"
STATE_VERSION = 2  # 2: narrative, sensitivity and animation docks
LAZY_FALLBACK_MS = 1500  # build deferred panels even if the canvas never gets painted
Area = Qt.DockWidgetArea


def _silencer(*objects: QObject) -> Callable[..., None]:
    def silence(*_: object) -> None:
        for obj in objects:
            if isValid(obj):
                obj.blockSignals(True)

    return silence


class MainWindow(DocumentHandling, Features, QMainWindow):
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

        self.selection_label = QLabel()
        self.selection_label.setObjectName("selectionStatus")
        self.selection_label.setTextFormat(Qt.TextFormat.RichText)
        self.output_label = QLabel()
        self.output_label.setObjectName("outputStatus")
        self.output_label.setTextFormat(Qt.TextFormat.RichText)
        # A card's reason for being red is in its tooltip; show it even while another
        # window (the projector's notes, a terminal) has the focus.
        self.setAttribute(Qt.WidgetAttribute.WA_AlwaysShowToolTips)
        self.problem_button = ProblemButton()
        self.problem_button.go_to.connect(self._go_to_problem)
        self.statusBar().addPermanentWidget(self.selection_label)
        self.statusBar().addPermanentWidget(self.output_label)
        self.statusBar().addPermanentWidget(self.problem_button)

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
        restored = self.restoreDockWidget(dock)  # where the user left it last time, if known
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
        self.actions[f"theme_{self.theme.name}"].setChecked(True)
        self.actions["large_font"].setChecked(self.prefs.large_font)
        self.actions["edge_labels"].setChecked(self.prefs.edge_labels)
        self.scene.set_show_edge_labels(self.prefs.edge_labels)
        self._apply_look(app=False)  # the application look was set before the widgets

    def _size_docks(self) -> None:
        """First run, once the window has its size: a slim palette; on the right, room for
        formulas and a plot tall enough to read."""
        right = max(360, min(460, self.width() // 4))
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

    # ------------------------------------------------------------------ title and status
    def _update_title(self, *_: object) -> None:
        if self.document.file_path is not None:
            name = self.document.file_path.name
        else:
            name = self.example_title or self.document.graph.title or "Untitled"
        self.setWindowTitle(f"{name}[*] — {APP_NAME}")
        self.setWindowModified(self.document.is_modified)
        self.actions["revert"].setEnabled(self.document.file_path is not None and self.document.is_modified)

    def _status(self, text: str) -> None:
        self.statusBar().showMessage(text, 6000)

    def _update_status(self, *_: object) -> None:
        ev = self.document.evaluation
        graph = self.document.graph
        t = self.theme
        if ev.output is None or ev.output not in graph:
            self.output_label.setText(f'<span style="color:{t.muted_text}">no output</span>')
        else:
            name = html.escape(graph.display_name(ev.output))
            text = f'{name} = <b style="color:{t.value}">{html.escape(format_number(ev.value))}</b>'
            self.output_label.setText(text)
        self.problem_button.show_problems(ev, graph, t)
        self._selection_changed(self.scene.selected_node_ids(), refresh_inspector=False)

    def _go_to_problem(self, node_id: str, message: str) -> None:
        """The status-bar problem count was clicked: show that node and say why it is red."""
        if node_id not in self.document.graph:
            return
        self._auto_fit = False
        self.scene.select_nodes([node_id])
        self.view.centerOn(self.scene.node_item(node_id))
        inspector = self.panels.get("inspectorDock")
        if inspector is not None:
            inspector.show()
            inspector.raise_()
        self.statusBar().showMessage(message)  # stays until the next message: it is the answer

    def _selection_changed(self, ids: list[str], refresh_inspector: bool = True) -> None:
        ids = [nid for nid in ids if nid in self.document.graph]
        if refresh_inspector:
            self.inspector.set_selection(ids)
        ev = self.document.evaluation
        if not ids:
            self.selection_label.setText("")
        elif len(ids) == 1 and ids[0] in ev.program.index:
            node = self.document.graph.node(ids[0])
            t = self.theme
            grad = "?" if self.inspector.hides_gradient(node.id) else format_number(ev.grad_of(node.id))
            self.selection_label.setText(
                f"{html.escape(self.document.graph.display_name(node.id))}: value "
                f'<span style="color:{t.value}">{format_number(ev.value_of(node.id))}</span>, gradient '
                f'<span style="color:{t.grad}">{grad}</span>&nbsp;&nbsp;'
            )
        else:
            self.selection_label.setText(f"{len(ids)} selected")
        has = bool(ids)
        for key in ("cut", "copy", "duplicate", "delete"):
            self.actions[key].setEnabled(has)
        for key in ("rename", "set_output"):
            self.actions[key].setEnabled(len(ids) == 1)

    def _document_replaced(self) -> None:
        QToolTip.hideText()  # a card's tooltip must not outlive its graph
        self._selection_changed([])
        self._update_title()
        self._update_status()
        self.fit_view(keep_fitting=True)

    # ------------------------------------------------------------------ edit commands
    def copy(self) -> None:
        self.scene.copy_selection()  # the scene puts the graph-file text on the clipboard

    def cut(self) -> None:
        self.scene.cut_selection()

    def paste(self) -> None:
        text = QGuiApplication.clipboard().text()
        if text.strip():
            self.scene.last_mouse_pos = self.view.cursor_scene_pos()  # paste where the user looks
            self.scene.paste(text)

    def duplicate(self) -> None:
        self.scene.duplicate_selection()

    def delete(self) -> None:
        self.scene.delete_selection()

    def rename(self) -> None:
        self.scene.rename_selected()

    def set_output(self) -> None:
        self.scene.set_selected_as_output()

    def select_all(self) -> None:
        self.scene.select_nodes([n.id for n in self.document.graph.nodes])

    def auto_layout(self) -> None:
        self.document.auto_layout()
        self.fit_view()

    def select_nodes(self, ids: list[str]) -> None:
        self.scene.select_nodes(ids)

    def add_node_at_centre(self, op: str) -> str | None:
        """Add ``op`` in the middle of the visible canvas (palette double-click)."""
        centre = self.view.mapToScene(self.view.viewport().rect().center())
        occupied = {n.position for n in self.document.graph.nodes}
        corner = (round(centre.x() - NODE_WIDTH / 2.0), round(centre.y() - NODE_HEIGHT / 2.0))
        while (float(corner[0]), float(corner[1])) in occupied:  # never hide a node under another
            centre += QPointF(24.0, 24.0)
            corner = (round(centre.x() - NODE_WIDTH / 2.0), round(centre.y() - NODE_HEIGHT / 2.0))
        try:
            return self.scene.add_node_at(op, centre)
        except GraphError as error:
            self._status(str(error))
            return None

    def open_lesson(self, path: str | Path, step: int | None = None) -> bool:
        """Start a lesson in the Lesson dock (the module loads on first use)."""
        from explorer.app.lesson_player import open_lesson

        return open_lesson(self, path, step) is not None

    def _fill_lessons_menu(self) -> None:
        from explorer.app.lesson_player import fill_lessons_menu

        fill_lessons_menu(self, self.lessons_menu)

    def build_from_expression(self) -> ExpressionDialog:
        """Open the Build-from-expression dialog (window-modal); OK inserts the graph."""
        from explorer.app.expression_dialog import ExpressionDialog  # the parser loads on first use

        dialog = ExpressionDialog(self, self.theme, self._last_expression, self._last_replace)
        dialog.accepted.connect(lambda: self._insert_built_graph(dialog))
        dialog.finished.connect(dialog.deleteLater)
        self.expression_dialog = dialog
        dialog.open()
        dialog.editor.setFocus()
        return dialog

    def _insert_built_graph(self, dialog: ExpressionDialog) -> list[str]:
        graph = dialog.graph()
        self._last_expression, self._last_replace = dialog.text, dialog.replace
        if graph is None:
            return []
        return self.insert_built_graph(graph, dialog.replace)

    def insert_built_graph(self, graph: Graph, replace: bool) -> list[str]:
        """One undo step: the laid-out ``graph`` replaces the current one or goes beside it."""
        current = [n.position for n in self.document.graph.nodes if n.position is not None]
        if replace or not len(self.document.graph):
            # A replaced graph is a new document: Save asks where, never over the old file.
            ids = self.document.insert_graph(
                graph, replace=True, text="Build from expression", untitled=replace
            )
            if replace:
                self.example_title = None
        else:
            placed = [n.position for n in graph.nodes if n.position is not None]
            dx = dy = 0.0
            if current and placed:
                dx = max(p[0] for p in current) + NODE_WIDTH + COLUMN_GAP - min(p[0] for p in placed)
                dy = min(p[1] for p in current) - min(p[1] for p in placed)
            ids = self.document.insert_graph(graph, (dx, dy), text="Add expression")
        self.select_nodes(ids)
        self.fit_view()
        return ids

    def edit_graph_info(self) -> None:
        graph = self.document.graph
        dialog = GraphInfoDialog(self, graph.title, graph.description)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.document.set_metadata(*dialog.values())

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
