"""The main window as one product: plot, animation, narrative and export docks, wired.

Real mouse clicks on the canvas, real key presses with the canvas focused (shortcuts go
through Qt's shortcut map, as a user's would), and the player's own signals awaited.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog

from explorer.theme import DARK, format_number

from .app_helpers import make_graph, write_graph

ROOT = Path(__file__).resolve().parents[2]
LESSON = ROOT / "resources" / "examples" / "lesson_h.json"


def _focus_canvas(window) -> None:
    window.activateWindow()
    window.view.setFocus()
    QApplication.processEvents()
    assert QApplication.focusWidget() is window.view


def _click_node(window, node_id: str) -> None:
    """A real left click on the node's header, the way a user selects it."""
    rect = window.scene.node_item(node_id).header_rect()
    at: QPoint = window.view.mapFromScene(rect.center())
    assert window.view.viewport().rect().contains(at), "the node is not on screen"
    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)


def _open(window, tmp_path: Path, text: str = "h(x) = (2x + 1)^2", **values: float) -> None:
    path = tmp_path / "g.json"
    write_graph(path, text, **values)
    assert window.open_file(path)


# ------------------------------------------------------------------------------ docks
def test_feature_docks_are_visible_by_default_and_toggle_from_the_view_menu(window) -> None:
    for name in ("narrativeDock", "sensitivityDock", "animationDock"):
        dock = window.panels[name]
        assert dock.isVisible(), name
        assert dock.toggleViewAction() in window.panels_menu.actions()
    right = Qt.DockWidgetArea.RightDockWidgetArea
    assert window.dockWidgetArea(window.panels["sensitivityDock"]) == right
    assert window.dockWidgetArea(window.panels["animationDock"]) == Qt.DockWidgetArea.BottomDockWidgetArea
    # the narrative shares the inspector's place as a tab, raised on first run
    assert window.panels["narrativeDock"] in window.tabifiedDockWidgets(window.panels["inspectorDock"])
    toggle = window.panels["sensitivityDock"].toggleViewAction()
    toggle.trigger()
    assert not window.panels["sensitivityDock"].isVisible()
    toggle.trigger()
    assert window.panels["sensitivityDock"].isVisible()


def test_the_plot_is_built_after_the_first_paint(make_window, qtbot) -> None:
    from explorer.plot.panel import SensitivityPanel

    window = make_window()
    dock = window.panels["sensitivityDock"]
    assert not isinstance(dock.widget(), SensitivityPanel)  # shown, but not painted yet
    qtbot.waitUntil(lambda: isinstance(dock.widget(), SensitivityPanel), timeout=5000)
    assert window.sensitivity is dock.widget()


def test_start_up_does_not_import_pyqtgraph() -> None:
    """The first paint must not wait for pyqtgraph (the start-up budget is 700 ms)."""
    code = (
        "import sys, tempfile\n"
        "from PySide6.QtCore import QSettings\n"
        "from explorer.app.gui import make_application\n"
        "app = make_application()\n"
        "from explorer.app.window import MainWindow\n"
        "d = tempfile.mkdtemp()\n"
        "w = MainWindow(QSettings(d + '/s.ini', QSettings.Format.IniFormat), d + '/r')\n"
        f"w.show(); w.open_example(r'{LESSON}')\n"
        "print('pyqtgraph' in sys.modules)\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip().splitlines()[-1] == "False"


# ------------------------------------------------------------------------------ plot
def test_selecting_an_input_on_the_canvas_switches_the_plot_x(window, tmp_path: Path) -> None:
    _open(window, tmp_path, "y(a, b) = a * b + a", a=2.0, b=-3.0)
    plot = window.sensitivity
    graph = window.document.graph
    a, b = graph.find("a").id, graph.find("b").id
    assert plot.input_id == a  # the first input by default
    _click_node(window, b)
    assert window.scene.selected_node_ids() == [b]
    assert plot.input_id == b
    assert plot.x_combo.currentData() == b
    # dy/db = a = 2 at the current point, as the readout says
    ev = window.document.evaluation
    assert ev.grad_of(b) == 2.0
    assert format_number(plot.x_box.value()) == "-3"


def test_plot_follows_the_theme_and_speaks_in_the_status_bar(window, tmp_path: Path) -> None:
    _open(window, tmp_path)
    plot = window.sensitivity
    window.set_theme("dark")
    assert plot.view.backgroundBrush().color().name() == DARK.background
    plot.message.emit("x is outside the domain")
    assert window.statusBar().currentMessage() == "x is outside the domain"


# ------------------------------------------------------------------------------ animation
def test_space_on_the_canvas_plays_to_the_end(window, qtbot, tmp_path: Path) -> None:
    _open(window, tmp_path, x=3.0)
    player = window.player
    player.set_speed(1000.0)
    _focus_canvas(window)
    with qtbot.waitSignal(player.playing_changed, timeout=2000) as started:
        QTest.keyClick(window.view, Qt.Key.Key_Space)
    assert started.args == [True]
    assert window.actions["play"].text() == "&Pause"
    with qtbot.waitSignal(player.finished, timeout=10000):
        pass
    assert player.position == player.count and not player.is_playing
    assert window.actions["play"].text() == "&Play"
    x = window.document.graph.find("x").id
    assert window.scene.node_item(x).grad_text() == "28"  # dh/dx = 2·2·(2x+1) at x = 3


def test_arrow_keys_on_the_canvas_step_and_edits_reset_the_player(window, tmp_path: Path) -> None:
    _open(window, tmp_path, x=3.0)
    player, controls = window.player, window.animation_controls
    player.animate_steps = False  # each step commits at once; no clock in this test
    _focus_canvas(window)
    QTest.keyClick(window.view, Qt.Key.Key_Right)
    assert not player.is_idle and player.position == 1
    QTest.keyClick(window.view, Qt.Key.Key_Right)
    QTest.keyClick(window.view, Qt.Key.Key_Right)
    assert player.position == 3
    QTest.keyClick(window.view, Qt.Key.Key_Left)
    assert player.position == 2
    assert controls.step_text().startswith("step 2 of ")
    QTest.keyClick(window.view, Qt.Key.Key_End)
    assert player.position == player.count
    QTest.keyClick(window.view, Qt.Key.Key_End, Qt.KeyboardModifier.ShiftModifier)
    assert player.position == player.forward_count
    QTest.keyClick(window.view, Qt.Key.Key_Home)
    assert player.position == 0
    window.document.set_value(window.document.graph.find("x").id, 1.0)  # an edit
    assert player.is_idle and controls.step_text().startswith("live")


def test_space_and_arrows_also_work_after_clicking_the_plot(window, qtbot, tmp_path: Path) -> None:
    _open(window, tmp_path, x=3.0)
    plot_view = window.sensitivity.view
    window.player.animate_steps = False
    window.activateWindow()
    plot_view.setFocus()
    QApplication.processEvents()
    assert QApplication.focusWidget() is plot_view
    QTest.keyClick(plot_view, Qt.Key.Key_Right)
    assert window.player.position == 1
    with qtbot.waitSignal(window.player.playing_changed, timeout=2000):
        QTest.keyClick(plot_view, Qt.Key.Key_Space)
    assert window.player.is_playing


def test_arrow_keys_in_a_text_field_move_the_caret_not_the_animation(window, tmp_path: Path) -> None:
    _open(window, tmp_path, x=3.0)
    window.panels["inspectorDock"].raise_()
    window.select_nodes([window.document.graph.find("x").id])
    edit = window.inspector.name_edit
    window.activateWindow()
    edit.setFocus()
    edit.setCursorPosition(0)
    QTest.keyClick(edit, Qt.Key.Key_Right)
    assert edit.cursorPosition() == 1
    assert window.player.is_idle


def test_keys_in_the_canvas_inline_editor_edit_the_text_not_the_animation(window, tmp_path: Path) -> None:
    _open(window, tmp_path, x=3.0)
    x = window.document.graph.find("x").id
    _focus_canvas(window)
    at = window.view.mapFromScene(window.scene.node_item(x).value_rect().center())
    QTest.mouseDClick(window.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
    editor = window.scene.editor
    assert editor is not None
    line = editor.line_edit
    line.setCursorPosition(0)
    for key in (Qt.Key.Key_Right, Qt.Key.Key_End, Qt.Key.Key_Left, Qt.Key.Key_Home, Qt.Key.Key_Right):
        QTest.keyClick(window.view, key)  # where the user's keys go: the focused canvas
    assert line.cursorPosition() == 1
    QTest.keyClick(window.view, Qt.Key.Key_Space)
    assert window.player.is_idle and not window.player.is_playing
    assert line.text() == "3 "


def test_run_menu_goes_to_the_end_of_each_pass_and_sets_the_speed(window, tmp_path: Path) -> None:
    _open(window, tmp_path, x=3.0)
    p = window.player
    window.actions["forward_end"].trigger()
    assert p.position == p.forward_count
    h = window.document.graph.find("h").id
    assert window.scene.node_item(h).value_text() == "49"
    window.actions["backward_end"].trigger()
    assert p.position == p.count
    window.actions["to_start"].trigger()
    assert p.position == 0
    window.actions["speed_4"].trigger()
    assert p.speed == 4.0
    window.animation_controls.speed.setValue(3.0)  # a speed no menu item matches
    assert not any(window.actions[f"speed_{s:g}"].isChecked() for s in (0.5, 1, 2, 4))


def test_selecting_a_node_shows_its_chain_rule_product_in_the_narrative(window, tmp_path: Path) -> None:
    _open(window, tmp_path, x=3.0)
    narrative = window.narrative
    x = window.document.graph.find("x").id
    _click_node(window, x)
    text = re.sub(r"<[^>]+>", "", narrative.selected_label.text())
    # dh/dx = dh/du × du/d(2x) × d(2x)/dx = 14 × 1 × 2 = 28, by hand at x = 3
    assert text.startswith("dh/dx = ") and text.endswith("= 14 × 1 × 2 = 28")


def test_narrative_tells_the_backward_step_the_player_is_on(window, tmp_path: Path) -> None:
    _open(window, tmp_path, x=3.0)
    p = window.player
    p.seek(p.forward_count + 2)  # second backward step: dh/du = 1 × 14
    assert "14" in window.narrative.narrative_text()
    assert window.animation_controls.step_text() == f"step {p.forward_count + 2} of {p.count} · backward"


# ------------------------------------------------------------------------------ fitting
def test_opening_frames_the_graph_centred_and_never_above_150_percent(window, tmp_path: Path) -> None:
    _open(window, tmp_path, "y(a) = a")  # two tiny nodes: would blow up without a cap
    assert window.view.zoom <= 1.5 + 1e-9
    nodes = window.scene.nodes_rect()
    centre = window.view.mapFromScene(nodes.center())
    viewport = window.view.viewport().rect()
    assert abs(centre.x() - viewport.center().x()) <= 6 and abs(centre.y() - viewport.center().y()) <= 6

    _open(window, tmp_path, "y(a, b, c, d) = tanh(a*b + c*d) * exp(a) + log(b*b + 1) * sin(c)")
    shown = window.view.mapToScene(viewport).boundingRect()
    assert shown.contains(window.scene.nodes_rect())


def test_the_graph_stays_framed_while_docks_settle_until_the_user_zooms(
    window, qtbot, tmp_path: Path
) -> None:
    _open(window, tmp_path)
    window.panels["sensitivityDock"].hide()
    window.panels["narrativeDock"].hide()
    window.panels["inspectorDock"].hide()  # the canvas grows: the graph grows with it
    qtbot.waitUntil(lambda: _framed(window), timeout=3000)
    zoom = window.view.zoom
    at = window.view.viewport().rect().center()
    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
    window.panels["sensitivityDock"].show()  # after a click the view is the user's
    QApplication.processEvents()
    assert window.view.zoom == zoom


def _framed(window) -> bool:
    nodes = window.scene.nodes_rect()
    shown = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    if not shown.contains(nodes):
        return False
    return window.view.zoom >= 1.5 - 1e-9 or (
        nodes.width() > 0.75 * shown.width() or nodes.height() > 0.75 * shown.height()
    )


# ------------------------------------------------------------------------------ export
def test_file_export_opens_the_dialog_on_this_document(window, tmp_path: Path, monkeypatch) -> None:
    from explorer.app.export_dialog import ExportDialog

    _open(window, tmp_path)
    seen: list[ExportDialog] = []

    def fake_exec(dialog: ExportDialog) -> int:
        seen.append(dialog)
        dialog.format_box.setCurrentIndex(dialog.format_box.findData("svg"))
        dialog.path_edit.setText(str(tmp_path / "out.svg"))
        assert dialog.export()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ExportDialog, "exec", fake_exec)
    window.actions["export"].trigger()
    assert len(seen) == 1 and seen[0].document is window.document and seen[0].parent() is window
    assert isinstance(seen[0].view_rect, QRectF) and not seen[0].view_rect.isEmpty()
    text = (tmp_path / "out.svg").read_text(encoding="utf-8")
    assert "<svg" in text and "49" in text
    assert window.statusBar().currentMessage() == "Exported out.svg"


def test_copy_diagram_puts_an_image_of_the_graph_on_the_clipboard(window, tmp_path: Path) -> None:
    _open(window, tmp_path)
    QGuiApplication.clipboard().clear()
    assert window.copy_diagram()
    image = QGuiApplication.clipboard().image()
    assert not image.isNull() and image.width() > 200 and image.height() > 100
    assert "Copied" in window.statusBar().currentMessage()


def test_copy_diagram_of_an_empty_graph_says_so(window) -> None:
    assert not window.copy_diagram()
    assert "empty" in window.statusBar().currentMessage()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_theme_reaches_the_narrative(window, tmp_path: Path, theme: str) -> None:
    window.insert_built_graph(make_graph(), replace=True)
    narrative = window.narrative
    window.set_theme(theme)
    assert narrative._theme is window.theme


# ------------------------------------------------------------------------------ large text
def test_large_text_reaches_menus_toolbar_and_dock_titles(make_window, settings) -> None:
    from explorer.app import style

    settings.setValue("view/large_font", True)  # as after a restart in large-text mode
    window = make_window()
    base = style._base_point_size
    large = base * style.LARGE_FONT_SCALE
    assert window.menuBar().font().pointSizeF() == pytest.approx(large)
    assert window.toolbar.font().pointSizeF() == pytest.approx(large)
    window.set_large_font(False)
    assert window.menuBar().font().pointSizeF() == pytest.approx(base)
    assert window.panels["narrativeDock"].font().pointSizeF() == pytest.approx(base)
    window.set_large_font(True)
    assert window.panels["sensitivityDock"].font().pointSizeF() == pytest.approx(large)
