"""The window's function commands, driven by real keys on the canvas (pytest-qt)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from explorer.app.window import MainWindow
from explorer.graph.layout import apply_layout
from explorer.graph.parser import parse

LESSON = "x = 3; g(x) = 2*x + 1; f(z) = z**2; h = f(g(x))"


@pytest.fixture
def window(make_window: Callable[..., MainWindow], qtbot: QtBot) -> MainWindow:
    w = make_window()
    qtbot.waitExposed(w)
    return w


def _load(window: MainWindow, text: str) -> None:
    graph = parse(text)
    apply_layout(graph)
    window.document.reset(graph)


def test_group_ungroup_and_undo_with_the_keyboard(window: MainWindow, qtbot: QtBot) -> None:
    _load(window, "x = 3; h = (2*x + 1)**2")
    graph = window.document.graph
    inner = [n.id for n in graph if n.op in ("mul", "add") or (n.op == "const" and n.value == 1.0)]
    inner += [graph.node(graph.find(next(n.id for n in graph if n.op == "mul")).id).operands[0] or ""]
    window.scene.select_nodes(inner)
    call = window.function_actions.group_selection("g")
    assert call is not None
    node = window.document.graph.node(call)
    assert node.op == "call" and window.document.evaluation["x"].grad == 28.0
    assert window.palette.op_items().get("fn:g") is not None  # reusable from the palette
    assert ("g", "g(x)") in window.view.quick_add.functions
    window.scene.select_nodes([call])
    window.view.setFocus()
    qtbot.keyClick(
        window.view, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert all(n.op != "call" for n in window.document.graph)
    assert window.document.evaluation["x"].grad == 28.0
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.document.graph.node(call).op == "call"
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not window.document.graph.functions and window.palette.op_items().get("fn:g") is None


def test_expand_shows_the_body_with_live_numbers(window: MainWindow, qtbot: QtBot) -> None:
    _load(window, LESSON)
    call = window.document.graph.find("g").id
    window.scene.select_nodes([call])
    window.view.setFocus()
    qtbot.keyClick(
        window.view, Qt.Key.Key_X, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert window.document.expanded == {call}
    frame = window.scene.function_frames.frame(call)
    assert frame is not None and frame.parentItem() is window.scene.node_item(call)
    x = window.document.graph.find("x").id
    window.document.set_value(x, 1.0)
    body, _locals = window.document.evaluation.inside(call)
    assert frame._results == body and body[window.document.graph.function("g").output].value == 3.0
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the value
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the expansion
    assert window.document.expanded == set() and window.scene.function_frames.frame(call) is None


def test_palette_adds_a_call_of_a_function(window: MainWindow) -> None:
    _load(window, LESSON)
    nid = window.add_node_at_centre("fn:f")
    assert nid is not None and window.document.graph.node(nid).function == "f"


def test_a_bad_name_is_refused_in_the_status_line(window: MainWindow) -> None:
    _load(window, "x = 3; h = (2*x + 1)**2")
    window.scene.select_nodes([window.document.graph.find("h").id])
    assert window.function_actions.group_selection("exp") is None
    assert window.function_actions.group_selection("h2") is not None


def test_an_open_body_follows_the_animation(window: MainWindow) -> None:
    _load(window, LESSON)
    g, h = window.document.graph.find("g").id, window.document.graph.find("h").id
    window.document.set_expanded(g, True)
    window.document.set_expanded(h, True)
    frame_g, frame_h = window.scene.function_frames.frame(g), window.scene.function_frames.frame(h)
    assert frame_g is not None and frame_h is not None
    param_g = window.document.graph.function("g").parameter_ids[0]
    param_f = window.document.graph.function("f").parameter_ids[0]
    player = window.player
    player.animate_steps = False
    assert player.forward_count == 7  # each body's parameter and nodes, then its box
    player.seek(player.forward_count + 1)  # dh/dh = 1: nothing inside knows its gradient yet
    assert frame_h.texts(param_f) == ("7", "?")
    assert frame_g.texts(param_g) == ("3", "?")
    player.seek(player.forward_count + 3)  # into f's body, then z**2 -> z: 1 x 14 = 14
    assert frame_h.texts(param_f) == ("7", "14")
    assert frame_g.texts(param_g) == ("3", "?")
    player.seek(player.count)  # g's body done too: dh/dx = 14 x 2 = 28 inside g
    assert frame_g.texts(param_g) == ("3", "28")
    player.seek(0)  # before the forward pass: nothing inside is known either
    assert frame_g.texts(param_g)[0] == "?"
