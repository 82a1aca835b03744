"""Stepping through an expanded function call, and its one-click ▸/▾ (pytest-qt, real events)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from explorer.app.window import MainWindow
from explorer.bundled import examples_dir
from explorer.graph.trace import BackwardStep

LESSON_H = examples_dir() / "lesson_h.json"


@pytest.fixture
def window(make_window: Callable[..., MainWindow], qtbot: QtBot) -> MainWindow:
    w = make_window()
    qtbot.waitExposed(w)
    assert w.open_file(LESSON_H)
    w.player.animate_steps = False  # each step commits at once; no clock in these tests
    return w


def _click_toggle(window: MainWindow, call: str) -> None:
    toggle = window.scene.function_frames.toggle(call)
    assert toggle is not None
    at: QPoint = window.view.mapFromScene(toggle.scene_centre())
    assert window.view.viewport().rect().contains(at), "the toggle is not on screen"
    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)


def _step(window: MainWindow, times: int = 1) -> None:
    window.activateWindow()
    window.view.setFocus()
    QApplication.processEvents()
    for _ in range(times):
        QTest.keyClick(window.view, Qt.Key.Key_Right)


def _steps_list(window: MainWindow) -> list[str]:
    steps = window.narrative.steps_list
    return [steps.item(i).text() for i in range(steps.count())]


def test_a_click_on_the_toggle_expands_and_a_second_collapses_undoably(window: MainWindow) -> None:
    g = window.document.graph.find("g").id
    assert window.document.expanded == set()  # the lesson opens with its functions collapsed
    _click_toggle(window, g)
    assert window.document.expanded == {g}
    assert window.scene.function_frames.frame(g) is not None
    _click_toggle(window, g)
    assert window.document.expanded == set() and window.scene.function_frames.frame(g) is None
    window.document.undo_stack.undo()
    assert window.document.expanded == {g}


def test_a_collapsed_call_is_one_step(window: MainWindow) -> None:
    player = window.player
    assert player.forward_count == 2  # g = 7, h = 49
    lines = _steps_list(window)[1:]  # after "0. Start"
    assert [line for line in lines if "in g" in line] == []
    assert any(line.endswith("g = g(x) = 7") for line in lines)


def test_stepping_through_an_expanded_g_shows_its_body(window: MainWindow) -> None:
    graph = window.document.graph
    g = graph.find("g").id
    _click_toggle(window, g)
    player = window.player
    assert player.is_idle and player.forward_count == 5  # x into g, 2·x, 2·x + 1, g, h
    frame = window.scene.function_frames.frame(g)
    assert frame is not None
    function = graph.function("g")
    body = function.body
    mul = next(n.id for n in body if n.op == "mul")
    out, param = function.output, function.parameter_ids[0]

    _step(window)  # x's value enters g's body
    assert player.position == 1
    assert frame.texts(param)[0] == "3" and frame.texts(mul)[0] == "?" and frame.texts(out)[0] == "?"
    assert window.scene.node_item(g).overrides[0] == "?"  # the box waits for its body
    _step(window)
    assert frame.texts(mul)[0] == "6" and frame.texts(out)[0] == "?"
    _step(window)
    assert frame.texts(out)[0] == "7"
    assert window.scene.node_item(g).overrides[0] == "?"
    _step(window)  # the box shows its body's output
    assert window.scene.node_item(g).overrides[0] is None
    lines = _steps_list(window)
    assert lines[1].endswith("in g: x = 3")
    assert lines[2].endswith("in g: 2·x = 2 × 3 = 6")
    assert lines[3].endswith("in g: 2·x + 1 = 6 + 1 = 7")

    _step(window, 3)  # h = 49, dh/dh = 1, dh/dg = 14
    assert frame.texts(out)[1] == "?" and frame.texts(param)[1] == "?"
    _step(window)  # into g's body: its output is g, so it gets g's gradient
    assert frame.texts(out)[1] == "14" and frame.texts(param)[1] == "?"
    _step(window)
    assert frame.texts(mul)[1] == "14"
    step = player.timeline.step(player.position)
    assert isinstance(step, BackwardStep) and step.local == 2.0  # d(2·x)/dx: the body's derivative
    _step(window)
    assert frame.texts(param)[1] == "28"  # 14 × 2
    x = graph.find("x").id
    assert window.scene.node_item(x).overrides[1] == "?"  # the box has not passed it on yet
    _step(window)
    assert player.position == player.count
    assert window.scene.node_item(x).overrides[1] is None
    assert window.scene.node_item(x).grad_text() == "28"
    lines = _steps_list(window)
    assert "in g: dh/d(2·x) = 14 × 1 = 14" in lines[-3]
    assert "in g: dh/dx = 14 × 2 = 28" in lines[-2]
    assert lines[-1].endswith("dh/dx = 14 × 2 = 28")
    window.player.seek(player.forward_count + 3)  # the narrative says where it is
    assert "into the body of g" in window.narrative.narrative_text()


def test_collapsing_returns_to_one_step(window: MainWindow) -> None:
    g = window.document.graph.find("g").id
    _click_toggle(window, g)
    assert window.player.forward_count == 5
    _click_toggle(window, g)
    assert window.player.forward_count == 2 and window.player.count == 5


def test_predict_mode_asks_only_about_the_graphs_own_nodes(window: MainWindow) -> None:
    g = window.document.graph.find("g").id
    _click_toggle(window, g)
    timeline, predict = window.player.timeline, window.narrative.predict
    holds = [k for k in range(timeline.count) if predict.should_hold(k)]
    assert holds and all("/" not in timeline.step(k).edge.source for k in holds)  # type: ignore[union-attr]
    for k in holds:
        predict.ask(k)  # names the node without failing on a body path
        assert "Predict: what is dh/d" in predict.question.text()
