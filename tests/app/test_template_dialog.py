"""File ▸ New from Template…: choices typed into the dialog build the pure templates."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QCheckBox, QDialogButtonBox, QStyle, QStyleOptionButton

from explorer.app.template_dialog import TemplateDialog, new_from_template, parse_rows, parse_sizes
from explorer.app.window import MainWindow
from explorer.graph.engine import evaluate
from explorer.graph.model import GraphError
from explorer.graph.templates import lesson_network, micrograd_mlp, mlp, neuron
from explorer.graph.training import trainable_parameters


@pytest.fixture
def window(make_window: Callable[..., MainWindow]) -> MainWindow:
    return make_window()


def ok_button(dialog: TemplateDialog) -> object:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def retype(widget: object, text: str) -> None:
    widget.selectAll()  # type: ignore[attr-defined]
    QTest.keyClick(widget, Qt.Key.Key_Delete)  # type: ignore[call-overload]
    for k, line in enumerate(text.split("\n")):
        if k:
            QTest.keyClick(widget, Qt.Key.Key_Return)  # type: ignore[call-overload]
        QTest.keyClicks(widget, line)  # type: ignore[call-overload]


def test_parse_rows_and_sizes() -> None:
    assert parse_rows("2, 3, 1\n\n3 -1 → -1\n0.5;1;−1", 2) == (
        [[2.0, 3.0], [3.0, -1.0], [0.5, 1.0]],
        [1.0, -1.0, -1.0],
    )
    with pytest.raises(GraphError, match="line 2: expected 3 numbers"):
        parse_rows("1, 2, 3\n1, 2", 2)
    with pytest.raises(GraphError, match="line 1: 'x' is not a number"):
        parse_rows("x, 2, 3", 2)
    with pytest.raises(GraphError, match="finite"):
        parse_rows("nan, 2, 3", 2)
    with pytest.raises(GraphError, match="at least one"):
        parse_rows("  \n", 2)
    assert parse_sizes("4, 4, 1") == [4, 4, 1]
    with pytest.raises(GraphError, match="whole number"):
        parse_sizes("4, 0, 1")


def test_the_menu_item_opens_the_default_mlp_as_an_untitled_document(qtbot, window: MainWindow) -> None:
    action = window.actions["new_template"]
    file_menu = next(
        a.menu() for a in window.menuBar().actions() if a.menu() and action in a.menu().actions()
    )
    items = file_menu.actions()
    assert items.index(action) == items.index(window.actions["new"]) + 1
    action.trigger()
    dialog = window.findChild(TemplateDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.select("mlp")
    assert dialog.group_functions.isChecked(), "layers as functions by default"
    assert "92 nodes, 37 trainable parameters; 3 functions, 324 nodes written out" in dialog.preview.text()
    QTest.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert window.document.graph == mlp(2, [4, 4, 1], *_default_data(), "tanh", 14, functions=True)
    assert evaluate(window.document.graph).value == evaluate(micrograd_mlp()).value
    assert window.document.file_path is None and not window.document.is_modified
    assert window.panels["trainDock"].isVisible(), "a graph with parameters brings the Train dock forward"


def _default_data() -> tuple[list[list[float]], list[float]]:
    from explorer.graph.templates import MICROGRAD_XS, MICROGRAD_YS

    return [list(x) for x in MICROGRAD_XS], list(MICROGRAD_YS)


def test_typed_choices_build_that_network(qtbot, window: MainWindow) -> None:
    dialog = new_from_template(window)
    dialog.select("mlp")
    retype(dialog.mlp_layers, "3, 1")
    dialog.mlp_activation.setCurrentText("relu")
    retype(dialog.mlp_data, "1, 2, 0.5\n-1, 0, 2")
    assert "trainable parameters" in dialog.preview.text()
    expected = mlp(2, [3, 1], [[1.0, 2.0], [-1.0, 0.0]], [0.5, 2.0], "relu", 14, functions=True)
    assert dialog.graph() == expected
    QTest.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert evaluate(window.document.graph).value == evaluate(expected).value


@pytest.mark.parametrize(
    ("key", "edit", "words"),
    [
        ("mlp", lambda d: retype(d.mlp_layers, "4, 2"), "last layer"),
        ("mlp", lambda d: retype(d.mlp_data, "1, 2"), "expected 3 numbers"),
        ("mlp", lambda d: retype(d.mlp_layers, "a"), "whole number"),
        ("neuron", lambda d: retype(d.neuron_target, "up"), "not a finite number"),
        ("lesson", lambda d: d.lesson_target.setValue(5), "from 0 to 2"),
    ],
)
def test_bad_choices_say_why_and_ok_is_disabled(
    window: MainWindow, key: str, edit: Callable[[TemplateDialog], None], words: str
) -> None:
    dialog = TemplateDialog(window)
    dialog.select(key)
    edit(dialog)
    assert words in dialog.preview.text()
    assert not ok_button(dialog).isEnabled()  # type: ignore[attr-defined]
    dialog.deleteLater()


def test_neuron_and_lesson_pages(window: MainWindow) -> None:
    dialog = TemplateDialog(window)
    dialog.select("neuron")
    assert dialog.graph() == neuron(functions=True)
    dialog.select("lesson")
    assert dialog.graph() == lesson_network(functions=True)
    dialog.lesson_classes.setValue(4)
    dialog.lesson_target.setValue(3)
    g = dialog.graph()
    assert g.find("p3").function == "softmax_p3" and g.function("softmax_p3").body.find("e3")
    assert len(trainable_parameters(g)) == 2 + 3 * 3 + 4 * 4
    dialog.group_functions.setChecked(False)
    assert dialog.graph() == lesson_network(2, 3, 4, 3)
    dialog.deleteLater()


def test_picking_a_data_set_fills_the_rows_and_the_input_count(window: MainWindow) -> None:
    dialog = TemplateDialog(window)
    dialog.select("mlp")
    combo = dialog.mlp_preset
    combo.setFocus()
    while combo.currentText() != "a sine wave, 6 samples":
        QTest.keyClick(combo, Qt.Key.Key_Down)
    assert dialog.mlp_inputs.value() == 1
    xs, ys = parse_rows(dialog.mlp_data.toPlainText(), 1)
    assert len(xs) == 6 and ys[0] == pytest.approx(-0.598, abs=1e-3)  # sin(-2.5)
    assert "trainable parameters" in dialog.preview.text()
    retype(dialog.mlp_data, "0, 1")
    assert combo.currentIndex() == 0, "edited by hand: no longer the preset"
    dialog.deleteLater()


def click_check_box(box: QCheckBox) -> None:
    """A left click where the user aims: on the box's indicator and label."""
    option = QStyleOptionButton()
    box.initStyleOption(option)
    area = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxClickRect, option, box)
    QTest.mouseClick(box, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, area.center())


def test_the_group_check_box_switches_between_boxes_and_the_flat_network(qtbot, window: MainWindow) -> None:
    dialog = new_from_template(window)
    dialog.select("mlp")
    box = dialog.group_functions
    assert box.isVisible() and box.isChecked() and "Group layers as functions" in box.text()
    click_check_box(box)
    assert not box.isChecked()
    assert dialog.preview.text() == "324 nodes, 37 trainable parameters."
    click_check_box(box)
    assert box.isChecked() and "3 functions" in dialog.preview.text()
    click_check_box(box)
    QTest.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    flat = window.document.graph
    assert flat == mlp(2, [4, 4, 1], *_default_data(), "tanh", 14) and not flat.functions

    grouped_dialog = new_from_template(window)
    grouped_dialog.select("lesson")
    assert grouped_dialog.group_functions.isChecked(), "each new dialog starts grouped"
    QTest.mouseClick(ok_button(grouped_dialog), Qt.MouseButton.LeftButton)
    g = window.document.graph
    assert [f.name for f in g.functions] == ["linear2", "linear3", "softmax_p0"]
    assert evaluate(g).value == evaluate(lesson_network()).value
    assert window.scene.node_item(g.find("p0").id) is not None, "the boxes are on the canvas"


def test_a_grouped_template_trains_from_the_dock_like_the_flat_one(qtbot, window: MainWindow) -> None:
    from explorer.app.train_dock import TrainPanel
    from explorer.graph.training import Trainer

    dialog = new_from_template(window)
    dialog.select("mlp")
    QTest.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert window.document.graph.functions
    panel = window.panel_widget("trainDock")
    assert isinstance(panel, TrainPanel)
    flat = Trainer(mlp(2, [4, 4, 1], *_default_data(), "tanh", 14), 0.05)
    assert flat.run(3) is None
    for _ in range(3):
        QTest.mouseClick(panel.step_button, Qt.MouseButton.LeftButton)
    g = window.document.graph
    trained = [g.node(p).value for p in trainable_parameters(g)]
    assert trained == pytest.approx(list(flat.values().values()), rel=1e-12)
    assert evaluate(g).value == pytest.approx(flat.losses[-1], rel=1e-12)
    click_check_box(panel.health_check)
    assert panel.health_check.isChecked() and panel.health_label.text()
