"""The window's actions, menus and toolbar, in one table-like place.

``window.actions[key]`` holds every QAction by a stable key ("open", "undo", "fit_all",
"play", ...) so later features and tests find them without walking menus. The Run actions
drive the window's animation player; :mod:`explorer.app.features` scopes their keys to
the canvas and keeps their enabled state and the Play/Pause label in step with the player.

Imports: PySide6, explorer.app (window type only).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar

from explorer.app.shortcuts import Shortcut, set_keys

if TYPE_CHECKING:
    from explorer.app.window import MainWindow

Key = QKeySequence.StandardKey


def _action(
    window: MainWindow,
    key: str,
    text: str,
    slot: Callable[[], object] | None = None,
    shortcuts: tuple[Shortcut, ...] = (),
    tip: str = "",
    checkable: bool = False,
) -> QAction:
    action = QAction(text, window)
    action.setObjectName(f"action_{key}")
    set_keys(action, shortcuts)
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    action.setCheckable(checkable)
    if slot is not None:
        action.triggered.connect(lambda _checked=False: slot())
    window.actions[key] = action
    window.addAction(action)  # shortcuts work even while the menu bar is hidden
    return action


def create_actions(w: MainWindow) -> None:
    doc = w.document
    # File
    _action(w, "new", "&New", w.new_document, (Key.New,), "Start an empty graph")
    _action(w, "open", "&Open…", w.open_dialog, (Key.Open,), "Open a graph file")
    _action(w, "save", "&Save", w.save, (Key.Save,), "Save the graph")
    _action(w, "save_as", "Save &As…", w.save_as, (Key.SaveAs, "Ctrl+Shift+S"), "Save under a new name")
    _action(w, "revert", "&Revert to Saved", w.revert, (), "Discard changes and reload the file")
    _action(
        w, "export", "&Export…", w.export_dialog, ("Ctrl+Shift+E",),
        "Export the diagram (PNG, SVG, PDF), the passes as an animation (GIF, APNG) or Python code",
    )  # fmt: skip
    _action(w, "quit", "&Quit", w.close, (Key.Quit, "Ctrl+Q"))
    # Edit
    undo = doc.undo_stack.createUndoAction(w, "&Undo")
    set_keys(undo, (Key.Undo,))
    undo.setObjectName("action_undo")
    redo = doc.undo_stack.createRedoAction(w, "&Redo")
    set_keys(redo, (Key.Redo, "Ctrl+Shift+Z"))
    redo.setObjectName("action_redo")
    for key, action in (("undo", undo), ("redo", redo)):
        action.setIconText(key.capitalize())  # the toolbar keeps a steady label; menus say what
        w.actions[key] = action
        w.addAction(action)
    _action(w, "cut", "Cu&t", w.cut, (Key.Cut,), "Copy the selected nodes and delete them")
    _action(w, "copy", "&Copy", w.copy, (Key.Copy,), "Copy the selected nodes")
    _action(w, "paste", "&Paste", w.paste, (Key.Paste,), "Paste nodes")
    _action(
        w, "copy_diagram", "Copy Diagram as &Image", w.copy_diagram, ("Ctrl+Shift+C",),
        "Put a picture of the whole graph on the clipboard (image and SVG)",
    )  # fmt: skip
    _action(w, "duplicate", "D&uplicate", w.duplicate, ("Ctrl+D",), "Duplicate the selected nodes")
    _action(w, "delete", "&Delete", w.delete, (Key.Delete, "Backspace"), "Delete the selected nodes")
    _action(w, "rename", "Re&name…", w.rename, ("F2",), "Rename the selected node")
    _action(w, "set_output", "Set as &Output", w.set_output, ("Ctrl+Shift+O",), "Differentiate this node")
    _action(w, "select_all", "Select &All", w.select_all, (Key.SelectAll,))
    _action(
        w, "build_expression", "&Build from Expression…", w.build_from_expression, ("Ctrl+E",),
        "Type an expression or a micrograd program and turn it into a graph",
    )  # fmt: skip
    _action(w, "auto_layout", "Auto &Layout", w.auto_layout, ("Ctrl+L",), "Arrange the graph left to right")
    _action(w, "graph_info", "Graph &Title and Description…", w.edit_graph_info)
    # View
    _action(w, "fit_all", "&Fit All", w.fit_all, ("Ctrl+0",), "Show the whole graph")
    _action(w, "zoom_100", "&Actual Size", w.zoom_100, ("Ctrl+1",), "Zoom to 100%")
    _action(w, "zoom_in", "Zoom &In", w.zoom_in, (Key.ZoomIn, "Ctrl+="))
    _action(w, "zoom_out", "Zoom &Out", w.zoom_out, (Key.ZoomOut,))
    group = QActionGroup(w)
    for name, label in (("light", "&Light"), ("dark", "&Dark")):
        action = _action(w, f"theme_{name}", label, lambda n=name: w.set_theme(n), checkable=True)
        group.addAction(action)
    _action(
        w, "large_font", "Lar&ge Text", lambda: w.set_large_font(w.actions["large_font"].isChecked()),
        ("Ctrl+Shift+=",), "Bigger text everywhere, for projectors", checkable=True,
    )  # fmt: skip
    _action(
        w, "edge_labels", "Show &Edge Labels",
        lambda: w.set_edge_labels(w.actions["edge_labels"].isChecked()),
        tip="Show the local derivative on every edge", checkable=True,
    )  # fmt: skip
    # Run
    p = w.player
    _action(w, "play", "&Play", w.toggle_play, ("Space",), "Play the forward, then the backward pass (Space)")
    w.actions["play"].setIconText("Play")
    _action(w, "step_back", "Step &Back", p.step_back, ("Left",), "Undo one step of the animation (←)")
    _action(w, "step_forward", "Step &Forward", p.step_forward, ("Right",), "Take one step: one edge (→)")
    _action(w, "to_start", "To &Start", p.to_start, ("Home",), "Back to the start: only the inputs known")
    _action(
        w, "forward_end", "End of F&orward Pass", p.to_forward_end, ("Shift+End",),
        "Every value known, no gradient yet",
    )  # fmt: skip
    _action(
        w, "backward_end", "End of B&ackward Pass", p.to_backward_end, ("End",),
        "Every gradient known",
    )  # fmt: skip
    # Help
    _action(w, "shortcuts", "&Keyboard Shortcuts", w.show_shortcuts, (Key.HelpContents, "Ctrl+/"))
    _action(w, "about", "&About Chain Rule Explorer", w.show_about)


def build_menus(w: MainWindow) -> None:
    a = w.actions
    bar = w.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addActions([a["new"], a["open"]])
    w.recent_menu = file_menu.addMenu("Open &Recent")
    w.recent_menu.setObjectName("recentMenu")
    w.recent_menu.aboutToShow.connect(w._fill_recent_menu)
    w.examples_menu = file_menu.addMenu("&Examples")
    w.examples_menu.setObjectName("examplesMenu")
    w.examples_menu.aboutToShow.connect(w._fill_examples_menu)
    w.lessons_menu = file_menu.addMenu("&Lessons")
    w.lessons_menu.setObjectName("lessonsMenu")
    w.lessons_menu.aboutToShow.connect(w._fill_lessons_menu)
    file_menu.addSeparator()
    file_menu.addActions([a["save"], a["save_as"], a["revert"]])
    file_menu.addSeparator()
    file_menu.addAction(a["export"])
    file_menu.addSeparator()
    file_menu.addAction(a["quit"])

    edit = bar.addMenu("&Edit")
    edit.addActions([a["undo"], a["redo"]])
    edit.addSeparator()
    edit.addActions([a["cut"], a["copy"], a["paste"], a["duplicate"], a["delete"]])
    edit.addAction(a["copy_diagram"])
    edit.addSeparator()
    edit.addActions([a["rename"], a["set_output"], a["select_all"]])
    edit.addSeparator()
    edit.addActions([a["build_expression"], a["auto_layout"], a["graph_info"]])

    view = bar.addMenu("&View")
    view.addActions([a["fit_all"], a["zoom_100"], a["zoom_in"], a["zoom_out"]])
    view.addSeparator()
    theme = view.addMenu("&Theme")
    theme.addActions([a["theme_light"], a["theme_dark"]])
    view.addActions([a["large_font"], a["edge_labels"]])
    view.addSeparator()
    w.panels_menu = view.addMenu("&Panels")
    w.panels_menu.setObjectName("panelsMenu")

    run = bar.addMenu("&Run")
    run.addActions([a["play"], a["step_back"], a["step_forward"]])
    run.addSeparator()
    run.addActions([a["to_start"], a["forward_end"], a["backward_end"]])
    run.addSeparator()
    speed: QMenu = run.addMenu("Sp&eed")
    speed.setObjectName("speedMenu")
    group = QActionGroup(w)
    group.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)  # a typed speed matches none
    speed.addActions(w.add_speed_actions(group))
    w.run_menu = run

    help_menu = bar.addMenu("&Help")
    help_menu.addActions([a["shortcuts"], a["about"]])


def build_toolbar(w: MainWindow) -> QToolBar:
    a = w.actions
    bar = QToolBar("Toolbar", w)
    bar.setObjectName("mainToolbar")
    bar.setMovable(False)
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    bar.addActions([a["new"], a["open"], a["save"]])
    bar.addSeparator()
    bar.addActions([a["undo"], a["redo"]])
    bar.addSeparator()
    bar.addActions([a["build_expression"], a["auto_layout"], a["fit_all"]])
    bar.addSeparator()
    bar.addAction(a["export"])
    return bar
