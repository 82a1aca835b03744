"""The main window: actions and shortcuts, palette, inspector, status bar, preferences."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from explorer.app.palette import OP_MIME_TYPE, grouped_ops
from explorer.graph.ops import OPS
from explorer.theme import DARK, LIGHT

from .app_helpers import make_graph, write_graph


def _keys(action) -> set[str]:
    return {s.toString(QKeySequence.SequenceFormat.PortableText) for s in action.shortcuts()}


STANDARD_SHORTCUTS = [
    ("new", "Ctrl+N"),
    ("open", "Ctrl+O"),
    ("save", "Ctrl+S"),
    ("save_as", "Ctrl+Shift+S"),
    ("undo", "Ctrl+Z"),
    ("redo", "Ctrl+Shift+Z"),
    ("copy", "Ctrl+C"),
    ("paste", "Ctrl+V"),
    ("cut", "Ctrl+X"),
    ("delete", "Del"),
    ("select_all", "Ctrl+A"),
    ("build_expression", "Ctrl+E"),
    ("fit_all", "Ctrl+0"),
    ("zoom_100", "Ctrl+1"),
    ("play", "Space"),
    ("step_back", "Left"),
    ("step_forward", "Right"),
    ("to_start", "Home"),
    ("forward_end", "Shift+End"),
    ("backward_end", "End"),
    ("export", "Ctrl+Shift+E"),
    ("copy_diagram", "Ctrl+Shift+C"),
]


def test_standard_shortcuts(window) -> None:
    missing = [(key, keys) for key, keys in STANDARD_SHORTCUTS if keys not in _keys(window.actions[key])]
    assert missing == []
    owners: dict[str, list[str]] = {}
    for key, action in window.actions.items():
        for keys in _keys(action):
            owners.setdefault(keys, []).append(key)
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}  # no key does two things


def test_menus_run_actions_and_panels(window) -> None:
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles == ["File", "Edit", "View", "Run", "Help"]
    run = ("play", "step_back", "step_forward", "to_start", "forward_end", "backward_end")
    for key in run:
        assert window.actions[key] in window.run_menu.actions()
        assert not window.actions[key].isEnabled()  # nothing to play in an empty graph
    window.insert_built_graph(make_graph(), replace=True)
    assert all(window.actions[key].isEnabled() for key in run)
    names = {window.panels[k].toggleViewAction().text() for k in window.panels}
    assert {"Nodes", "Inspector", "Chain Rule", "Sensitivity", "Animation"} <= names
    assert {a.text() for a in window.panels_menu.actions()} >= names


def test_the_shortcut_keys_really_undo_and_redo(window, qtbot, tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    write_graph(path, x=3.0)
    window.open_file(path)
    window.activateWindow()
    window.view.setFocus()
    x = window.document.graph.find("x").id
    window.document.set_value(x, 9.0)
    QTest.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.document.graph.node(x).value == 3.0
    QTest.keyClick(
        window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert window.document.graph.node(x).value == 9.0


def test_palette_lists_every_op_in_groups_with_the_drag_mime_type(window) -> None:
    assert window.palette.group_titles()[:3] == ["Inputs", "Arithmetic", "Functions"]
    assert set(window.palette.op_items()) == set(OPS)
    assert sum(len(ops) for _, ops in grouped_ops()) == len(OPS)
    item = window.palette.op_items()["mul"]
    data = window.palette.mimeData([item])
    assert bytes(data.data(OP_MIME_TYPE).data()).decode("utf-8") == "mul"


def test_palette_double_click_adds_at_the_view_centre(window) -> None:
    item = window.palette.op_items()["input"]
    window.palette.scrollToItem(item)
    at = window.palette.visualItemRect(item).center()
    QTest.mouseClick(window.palette.viewport(), Qt.MouseButton.LeftButton, pos=at)
    QTest.mouseDClick(window.palette.viewport(), Qt.MouseButton.LeftButton, pos=at)
    nodes = window.document.graph.nodes
    assert len(nodes) == 1 and nodes[0].op == "input" and nodes[0].name == "x"
    centre = window.view.mapToScene(window.view.viewport().rect().center())
    x, y = nodes[0].position
    assert abs(x + 75.0 - centre.x()) <= 1.0 and abs(y + 42.0 - centre.y()) <= 1.0
    assert window.scene.selected_node_ids() == [nodes[0].id]
    window.add_node_at_centre("input")  # a second one does not hide under the first
    assert len({n.position for n in window.document.graph.nodes}) == 2


def test_inspector_shows_formulas_numbers_and_edits_through_the_document(window, tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    write_graph(path, "y(a, b) = a * b", a=3.0, b=-2.0)
    window.open_file(path)
    graph = window.document.graph
    mul = next(n.id for n in graph.nodes if n.op == "mul")
    window.select_nodes([mul])
    inspector = window.inspector
    text = inspector.locals_label.text()
    for formula in OPS["mul"].formulas:
        assert formula in text
    assert inspector.value_label.text().count("-6") == 1  # 3 × -2
    assert LIGHT.value in inspector.value_label.text()
    assert LIGHT.grad in inspector.grad_label.text() and ">1<" in inspector.grad_label.text()
    # upstream dy/dy = 1 times the local dy/da = b = -2 flows back to a
    assert "∂y/∂y × ∂y/∂a = " in text and "× -2 = " in text and ">-2</span></p>" in text

    a = graph.find("a").id
    window.select_nodes([a])
    assert inspector.value_edit.text() == "3"
    assert ">-2<" in inspector.grad_label.text()  # dy/da = b
    inspector.name_edit.selectAll()
    QTest.keyClicks(inspector.name_edit, "alpha")
    QTest.keyClick(inspector.name_edit, Qt.Key.Key_Return)
    assert graph.node(a).name == "alpha"
    window.actions["undo"].trigger()
    assert graph.node(a).name == "a" and inspector.name_edit.text() == "a"

    inspector.value_edit.selectAll()
    QTest.keyClicks(inspector.value_edit, "abc")
    QTest.keyClick(inspector.value_edit, Qt.Key.Key_Return)
    assert "not a number" in inspector.edit_error.text()
    assert graph.node(a).value == 3.0 and not window.document.is_modified

    inspector.name_edit.selectAll()
    QTest.keyClicks(inspector.name_edit, "b")  # taken
    QTest.keyClick(inspector.name_edit, Qt.Key.Key_Return)
    assert "already used" in inspector.edit_error.text()
    assert graph.node(a).name == "a"


def test_diagnostics_show_in_red_in_inspector_and_status(window, tmp_path: Path) -> None:
    path = tmp_path / "log.json"
    write_graph(path, "y(x) = log(x)", x=-1.0)
    window.open_file(path)
    log = next(n.id for n in window.document.graph.nodes if n.op == "log")
    window.select_nodes([log])
    label = window.inspector.diagnostics_label
    assert label.isVisibleTo(window.inspector)
    assert "log of a non-positive number" in label.text()
    assert LIGHT.error in label.styleSheet()
    assert "undefined" in window.inspector.value_label.text()
    button = window.problem_button
    assert button.isVisibleTo(window) and button.text() == "⚠ 1 problem"
    assert LIGHT.error in button.styleSheet()


def test_status_bar_shows_output_value_and_selection(window, tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    write_graph(path, x=3.0)
    window.open_file(path)
    assert "h = " in window.output_label.text() and ">49<" in window.output_label.text()
    window.select_nodes([window.document.graph.find("x").id])
    label = window.selection_label.text()
    assert label.startswith("x: value ") and ">3<" in label and ">28<" in label and LIGHT.grad in label
    window.select_all()
    assert window.selection_label.text() == "7 selected"


def test_preferences_persist_between_windows(make_window, settings: QSettings) -> None:
    first = make_window()
    first.set_theme("dark")
    first.set_large_font(True)
    first.set_edge_labels(False)
    first.panels["inspectorDock"].hide()
    # The palette never elides its titles, so with large text it and the animation strip
    # need more than the offscreen screen's 800 px: hide it (its state persists too).
    first.panels["paletteDock"].hide()
    first.resize(790, 560)  # within the offscreen screen (restoreGeometry clamps to it)
    assert first.close()
    settings.sync()

    second = make_window(settings=QSettings(settings.fileName(), QSettings.Format.IniFormat))
    assert second.theme is DARK and second.actions["theme_dark"].isChecked()
    assert second.scene.theme is DARK
    assert second.actions["large_font"].isChecked()
    assert not second.actions["edge_labels"].isChecked() and not second.scene.show_edge_labels
    assert not second.panels["inspectorDock"].isVisible()
    assert not second.panels["paletteDock"].isVisible()
    assert (second.width(), second.height()) == (790, 560)
    assert QApplication.instance().palette().window().color().name() != "#000000"


def test_dark_theme_recolours_the_application(window) -> None:
    window.set_theme("dark")
    assert window.scene.theme is DARK
    assert QApplication.instance().palette().base().color().name() == "#1b1e23"
    window.set_theme("light")
    assert window.scene.theme is LIGHT


def test_add_panel_builds_a_lazy_panel_only_when_shown(window) -> None:
    from PySide6.QtWidgets import QLabel

    built: list[QLabel] = []

    def factory() -> QLabel:
        built.append(QLabel("plot"))
        return built[-1]

    dock = window.add_panel(
        factory, "Plot", "plotDock", Qt.DockWidgetArea.BottomDockWidgetArea, visible=False
    )
    assert built == [] and not dock.isVisible()
    assert dock.toggleViewAction() in window.panels_menu.actions()
    dock.show()
    assert len(built) == 1 and dock.widget() is built[0]


def test_shortcuts_dialog_lists_the_actions(window) -> None:
    dialog = window.show_shortcuts()
    from PySide6.QtWidgets import QLabel

    text = dialog.findChild(QLabel).text()
    assert "Build from Expression" in text and "Ctrl+E" in text
    dialog.close()


def test_bundled_examples_all_load(window) -> None:
    from explorer.app.examples import examples_dir, list_examples
    from explorer.io.format import load

    examples = list_examples()
    assert len(examples) == len(list(examples_dir().glob("*.json")))
    for example in examples:
        assert example.title
        assert len(load(example.path)) > 0
    window._fill_examples_menu()
    assert [a.text() for a in window.examples_menu.actions()] == (
        [e.title for e in examples] or ["No examples found"]
    )
