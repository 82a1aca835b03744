"""The Train dock in the main window, driven by real clicks and keys.

Numbers are checked against a pure Trainer run on a copy of the same graph; the undo
tests follow do -> undo -> assert -> redo -> assert-equal-to-snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from explorer.app.train_dock import TrainPanel
from explorer.app.window import MainWindow
from explorer.graph.parser import parse
from explorer.graph.training import Trainer
from explorer.io.format import save
from explorer.theme import format_number

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
MLP = EXAMPLES / "micrograd_mlp.json"


def open_graph(window: MainWindow, path: Path) -> TrainPanel:
    assert window.open_file(path)
    panel = window.panel_widget("trainDock")
    assert isinstance(panel, TrainPanel)
    return panel


def write(tmp_path: Path, program: str, *trainable: str) -> Path:
    g = parse(program)
    for name in trainable:
        g.set_trainable(g.find(name).id, True)
    path = tmp_path / "g.json"
    save(g, path)
    return path


def values(window: MainWindow, ids: list[str]) -> tuple[float, ...]:
    return tuple(window.document.graph.node(i).value for i in ids)


def click(button: object) -> None:
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)  # type: ignore[call-overload]


def type_into(edit: object, text: str) -> None:
    edit.selectAll()  # type: ignore[attr-defined]
    QTest.keyClicks(edit, text)  # type: ignore[call-overload]
    QTest.keyClick(edit, Qt.Key.Key_Return)  # type: ignore[call-overload]


@pytest.fixture
def window(make_window: Callable[..., MainWindow]) -> MainWindow:
    return make_window()


def test_opening_a_graph_with_parameters_shows_the_dock(window: MainWindow) -> None:
    open_graph(window, MLP)
    assert window.panels["trainDock"].isVisible()


def test_step_moves_every_parameter_on_the_canvas_as_one_undo_step(window: MainWindow) -> None:
    panel = open_graph(window, MLP)
    reference = Trainer(window.document.graph.copy(), 0.05)
    reference.step()
    stack = window.document.undo_stack
    before = stack.count()
    click(panel.step_button)
    assert panel.trainer is not None and panel.trainer.steps == 1
    assert values(window, reference.parameters) == reference.path[1]
    assert stack.count() == before + 1
    w = reference.parameters[0]
    item = window.scene.node_item(w)
    assert item._value == reference.path[1][0], "the card shows the new value"
    assert window.document.evaluation.value == reference.losses[1]
    click(panel.step_button)
    assert stack.count() == before + 2, "each Step is its own undo step"


def test_a_whole_run_is_one_undo_step_and_undo_redo_follow_the_path(qtbot, window: MainWindow) -> None:
    panel = open_graph(window, MLP)
    ids = panel.document.graph
    reference = Trainer(window.document.graph.copy(), 0.05)
    reference.run(20)
    start = values(window, reference.parameters)
    panel.steps_box.selectAll()
    QTest.keyClicks(panel.steps_box, "20")
    assert panel.run_button.text() == "Run 20"
    stack = window.document.undo_stack
    before = stack.count()
    with qtbot.waitSignal(panel.run_stopped, timeout=10_000):
        click(panel.run_button)
        assert panel.running and panel.run_button.text() == "Pause"
    assert not panel.running
    assert panel.trainer is not None and panel.trainer.steps == 20
    assert panel.trainer.losses == reference.losses
    assert values(window, reference.parameters) == reference.path[20]
    assert stack.count() == before + 1
    xs, _ys = panel.curve.curve.getData()
    assert len(xs) == 21
    snapshot = values(window, reference.parameters)
    stack.undo()
    assert values(window, reference.parameters) == start
    assert panel.trainer is not None and panel.trainer.position == 0, "undo landed on step 0 of the kept path"
    stack.redo()
    assert values(window, reference.parameters) == snapshot
    assert panel.trainer.position == 20
    assert ids is window.document.graph


def test_pause_mid_run_and_change_the_learning_rate_while_running(qtbot, window: MainWindow) -> None:
    panel = open_graph(window, MLP)
    panel.steps_box.setValue(100_000)
    click(panel.run_button)
    with qtbot.waitSignal(panel.stepped, timeout=10_000):
        pass  # the timer ticks while the event loop runs: the window stays responsive
    type_into(panel.lr_edit, "0.01")
    with qtbot.waitSignal(panel.stepped, timeout=10_000):
        pass
    assert panel.running
    with qtbot.waitSignal(panel.run_stopped, timeout=10_000):
        click(panel.run_button)
    assert not panel.running and panel.run_button.text() == "Run 100000"
    trainer = panel.trainer
    assert trainer is not None
    assert trainer.rates[0] == 0.05 and trainer.rates[-1] == 0.01
    assert values(window, trainer.parameters) == trainer.path[-1]


BAD_RATES = [("0", "greater than 0"), ("-1", "greater than 0"), ("NaN", "finite"), ("1e308", "too large"),
             ("abc", "not a number")]  # fmt: skip


@pytest.mark.parametrize(("text", "words"), BAD_RATES)
def test_bad_learning_rates_say_so_and_change_nothing(window: MainWindow, text: str, words: str) -> None:
    panel = open_graph(window, MLP)
    stack = window.document.undo_stack
    before = stack.count()
    graph_before = window.document.graph.copy()
    type_into(panel.lr_edit, text)
    assert panel.error_label.isVisible() and words in panel.error_label.text()
    click(panel.step_button)
    assert words in panel.error_label.text()
    assert stack.count() == before and window.document.graph == graph_before
    type_into(panel.lr_edit, "0.05")
    assert not panel.error_label.isVisible()


def test_a_bad_rate_mid_training_keeps_the_last_good_one(window: MainWindow) -> None:
    panel = open_graph(window, MLP)
    click(panel.step_button)
    type_into(panel.lr_edit, "-3")
    assert "greater than 0" in panel.error_label.text()
    assert panel.lr_edit.text() == "0.05"
    click(panel.step_button)
    assert panel.trainer is not None and panel.trainer.rates == [0.05, 0.05]


def test_no_trainable_inputs(window: MainWindow) -> None:
    panel = open_graph(window, EXAMPLES / "lesson_loss.json")
    window.panels["trainDock"].show()
    assert "No trainable inputs" in panel.status_label.text()
    before = window.document.undo_stack.count()
    click(panel.step_button)
    assert "no trainable inputs" in panel.error_label.text()
    assert window.document.undo_stack.count() == before


def test_loss_undefined_at_the_start(window: MainWindow, tmp_path: Path) -> None:
    panel = open_graph(window, write(tmp_path, "x = -1.0; loss = log(x)", "x"))
    click(panel.step_button)
    assert "undefined before training" in panel.error_label.text()
    assert window.document.graph.find("x").value == -1.0


def test_divergence_stops_with_the_step_and_parameter(qtbot, window: MainWindow, tmp_path: Path) -> None:
    panel = open_graph(window, write(tmp_path, "x = 2.0; loss = x**2", "x"))
    type_into(panel.lr_edit, "2")
    with qtbot.waitSignal(panel.run_stopped, timeout=10_000):
        click(panel.run_button)
    text = panel.error_label.text()
    assert "step 7 diverged" in text and "'x'" in text
    assert window.document.graph.find("x").value == 2.0 * (-3.0) ** 6, "the last good step is kept"
    assert panel.trainer is not None and panel.trainer.steps == 6


def test_reset_and_rewind(window: MainWindow) -> None:
    panel = open_graph(window, MLP)
    for _ in range(4):
        click(panel.step_button)
    trainer = panel.trainer
    assert trainer is not None
    path = list(trainer.path)
    stack = window.document.undo_stack
    before = stack.count()
    click(panel.reset_button)
    assert values(window, trainer.parameters) == path[0]
    assert stack.count() == before + 1 and stack.undoText() == "Reset training"
    assert trainer.path == path, "the run is kept after Reset"
    panel.slider.setFocus()
    QTest.keyClick(panel.slider, Qt.Key.Key_End)
    assert values(window, trainer.parameters) == path[4]
    QTest.keyClick(panel.slider, Qt.Key.Key_Left)
    assert values(window, trainer.parameters) == path[3] and trainer.position == 3
    click(panel.step_button)  # a step from an earlier point replaces the later ones
    assert trainer.steps == 4 and trainer.path[:4] == path[:4]


def test_editing_a_value_by_hand_starts_the_next_run_from_it(window: MainWindow) -> None:
    panel = open_graph(window, MLP)
    click(panel.step_button)
    first = panel.trainer
    assert first is not None
    w = first.parameters[0]
    window.document.set_value(w, 0.25)
    assert panel.trainer is None, "the run no longer describes the graph"
    click(panel.step_button)
    assert panel.trainer is not None and panel.trainer.path[0][0] == 0.25


def test_inspector_trainable_check_box(window: MainWindow) -> None:
    open_graph(window, EXAMPLES / "lesson_loss.json")
    a = window.document.graph.find("a").id
    window.select_nodes([a])
    box = window.inspector.trainable_box
    assert box.isVisible() and not box.isChecked()
    click(box)
    assert window.document.graph.node(a).trainable
    window.document.undo_stack.undo()
    assert not window.document.graph.node(a).trainable and not box.isChecked()
    window.document.undo_stack.redo()
    assert box.isChecked()
    window.select_nodes([window.document.graph.find("c").id])
    assert not box.isVisible(), "only inputs can be trainable"


def test_gradient_health_overlay_and_depth_chart(qtbot, window: MainWindow, tmp_path: Path) -> None:
    program = "x = 3.0; w = -2.0; t = tanh(x); r = relu(w); u = relu(x); s = t + r\nloss = s * u"
    panel = open_graph(window, write(tmp_path, program, "x", "w"))
    graph = window.document.graph
    t, r = graph.find("t").id, graph.find("r").id
    click(panel.health_check)
    overlay = panel.overlay
    assert overlay is not None and overlay.enabled  # type: ignore[attr-defined]
    assert overlay.badges == {t: "saturated", r: "dead"}  # type: ignore[attr-defined]
    badge = overlay._badges[t]  # type: ignore[attr-defined]
    assert badge.parentItem() is window.scene.node_item(t), "the badge rides on the card"
    assert "1 − o²" in badge.toolTip()
    assert "1 saturated" in panel.health_label.text() and "1 dead relu" in panel.health_label.text()
    xs, _ = panel.depth_chart.median.getData()
    assert list(xs) == [0.0, 1.0, 2.0, 3.0]
    widths = {e: window.scene.edge_item(e).width_scale for e in graph.edges()}
    strongest = max(widths.values())
    assert strongest == pytest.approx(3.2) and min(widths.values()) < 1.0
    # r is dead: nothing flows back into it from w, so that edge is dimmed and thinnest
    into_r = next(e for e in graph.edges() if e.target == r)
    assert window.scene.edge_item(into_r).emphasis == "dim"
    window.document.set_value(graph.find("x").id, 0.2)  # no longer saturated
    assert overlay.badges == {r: "dead"}  # type: ignore[attr-defined]
    click(panel.health_check)
    assert overlay.badges == {}  # type: ignore[attr-defined]
    assert all(window.scene.edge_item(e).width_scale == 1.0 for e in graph.edges())
    assert all(window.scene.edge_item(e).emphasis is None for e in graph.edges())


def test_two_parameters_draw_the_descent_path_on_the_loss_surface(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    panel = open_graph(
        window, write(tmp_path, "x = 1.5; w = -1.0; b = 0.5; loss = (tanh(w*x + b) - 0.8)**2", "w", "b")
    )
    assert panel.surface_button.isEnabled()
    type_into(panel.lr_edit, "0.3")
    for _ in range(5):
        click(panel.step_button)
    click(panel.surface_button)
    plot = window.sensitivity
    graph = window.document.graph
    assert (plot.input_id, plot.second_input_id) == (graph.find("w").id, graph.find("b").id)
    assert plot.output_id == graph.find("loss").id
    trainer = panel.trainer
    assert trainer is not None
    xs, ys = panel.descent.points  # type: ignore[attr-defined]
    assert xs == [p[0] for p in trainer.path] and ys == [p[1] for p in trainer.path]
    lo, hi = plot.x_range
    assert lo < min(xs) and max(xs) < hi, "the whole path is on the map"
    heat = plot.heat_data()
    assert heat is not None and heat[1][0] < min(ys) and max(ys) < heat[1][-1]
    panel.go_to_step(2)
    assert panel.descent._dot.getData()[0][0] == xs[2]  # type: ignore[attr-defined]
    plot.set_second_input(None)
    assert panel.descent.points == ([], []), "hidden when the map no longer shows the pair"


def test_loss_surface_needs_exactly_two_parameters(window: MainWindow) -> None:
    panel = open_graph(window, MLP)
    assert not panel.surface_button.isEnabled()


def test_each_parameter_shows_where_the_next_step_pushes_it(window: MainWindow, tmp_path: Path) -> None:
    panel = open_graph(
        window, write(tmp_path, "a = 2.0; b = 3.0; c = a * b; d = c + 1; loss = d**2", "a", "b")
    )
    nudges = panel.nudges
    assert nudges is not None and nudges.texts == {}  # type: ignore[attr-defined]
    type_into(panel.lr_edit, "0.001")
    click(panel.step_button)
    graph = window.document.graph
    a, b = graph.find("a").id, graph.find("b").id
    trainer = panel.trainer
    assert trainer is not None
    grads = trainer.gradients
    assert grads[a] > 0 and grads[b] > 0  # both push the loss up: the next step lowers both
    texts = nudges.texts  # type: ignore[attr-defined]
    assert texts[a].startswith("▼") and texts[b].startswith("▼")
    assert texts[a] == f"▼ {format_number(0.001 * grads[a], 2)}"
    badge = nudges._badges[a]  # type: ignore[attr-defined]
    assert badge.parentItem() is window.scene.node_item(a)
    window.document.set_value(graph.find("b").id, -5.0)  # the run is forgotten
    assert nudges.texts == {}  # type: ignore[attr-defined]


def test_a_click_on_the_loss_curve_rewinds_there(qtbot, window: MainWindow) -> None:
    from PySide6.QtCore import QPointF

    panel = open_graph(window, MLP)
    for _ in range(6):
        click(panel.step_button)
    trainer = panel.trainer
    assert trainer is not None
    box = panel.curve.getPlotItem().getViewBox()
    (lo, hi) = box.viewRange()[1]
    scene_point = box.mapViewToScene(QPointF(2.0, (lo + hi) / 2.0))
    at = panel.curve.mapFromScene(scene_point)
    QTest.mouseClick(panel.curve.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert trainer.position == 2
    assert values(window, trainer.parameters) == trainer.path[2]


def test_opening_another_graph_mid_run_stops_the_run(qtbot, window: MainWindow) -> None:
    panel = open_graph(window, MLP)
    panel.steps_box.setValue(100_000)
    with qtbot.waitSignal(panel.run_stopped, timeout=10_000):
        click(panel.run_button)
        with qtbot.waitSignal(panel.stepped, timeout=10_000):
            pass
        window.document.undo_stack.setClean()  # nothing to ask about
        assert window.open_file(EXAMPLES / "lesson_network.json")
    assert not panel.running and panel.trainer is None
    assert "23 trainable inputs" in panel.status_label.text()
