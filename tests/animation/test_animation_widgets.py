"""Controls and narrative panel with the real canvas scene: keys, clicks, predict mode."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication

from explorer.animation.controls import AnimationControls
from explorer.animation.narrative import NarrativePanel
from explorer.animation.player import Player
from explorer.canvas.scene import GraphScene
from explorer.document.document import GraphDocument
from explorer.graph.layout import apply_layout
from explorer.graph.model import Graph
from explorer.theme import LIGHT, format_number

from .animation_fakes import diamond, fan_out, lesson_h, lesson_loss, node_id


@dataclass
class Rig:
    document: GraphDocument
    scene: GraphScene
    player: Player
    controls: AnimationControls
    panel: NarrativePanel

    def id(self, name: str) -> str:
        return node_id(self.document.graph, name)


def _rig(qtbot: Any, graph: Graph) -> Rig:
    apply_layout(graph)
    document = GraphDocument(graph)
    scene = GraphScene(document)
    player = Player(document, scene)
    controls = AnimationControls(player)
    panel = NarrativePanel(document, player)
    qtbot.addWidget(controls)
    qtbot.addWidget(panel)
    return Rig(document, scene, player, controls, panel)


def scene_state(scene: GraphScene) -> tuple[dict[str, tuple[object, ...]], dict[object, tuple[object, ...]]]:
    """What every card and link shows, as the canvas draws it."""
    nodes = {
        item.node_id: (item.value_text(), item.grad_text(), item.emphasis, item.tangent_text)
        for item in scene.node_items()
    }
    edges = {item.edge: (item.label_text(), item.emphasis, item.width_scale) for item in scene.edge_items()}
    return nodes, edges


def plain(rich_text: str) -> str:
    return html.unescape(re.sub(r"<br\s*/?>", "\n", re.sub(r"<(?!br)[^>]+>", "", rich_text)))


def test_the_real_canvas_shows_the_lesson_numbers(qtbot: Any) -> None:
    rig = _rig(qtbot, lesson_loss())
    scene, player = rig.scene, rig.player
    a, c, loss = rig.id("a"), rig.id("c"), rig.id("loss")
    player.seek(0)
    assert scene.node_item(c).value_text() == "?" and scene.node_item(loss).value_text() == "?"
    assert scene.node_item(a).value_text() == "2"
    player.seek(1)
    assert scene.node_item(c).value_text() == "6"
    assert [scene.node_item(c).grad_text() for _ in (0,)] == [""]
    grads = []
    for n in range(player.forward_count + 1, player.count + 1):
        player.seek(n)
        grads.append(tuple(scene.node_item(rig.id(k)).grad_text() for k in ("loss", "d", "c", "a", "b")))
    assert grads == [
        ("1", "?", "?", "?", "?"),
        ("1", "14", "?", "?", "?"),
        ("1", "14", "14", "?", "?"),
        ("1", "14", "14", "42", "?"),
        ("1", "14", "14", "42", "28"),
    ]


def test_the_running_sum_appears_on_the_card(qtbot: Any) -> None:
    rig = _rig(qtbot, fan_out())
    x = rig.id("x")
    rig.player.seek(rig.player.count - 1)
    assert rig.scene.node_item(x).grad_text() == "1 + 3 = 4"
    rig.player.step_back()
    assert rig.scene.node_item(x).grad_text() == "1"


def test_a_three_term_running_sum_fits_on_the_card(qtbot: Any) -> None:
    rig = _rig(qtbot, fan_out())
    rig.player.seek(rig.player.count)
    assert rig.scene.node_item(rig.id("x")).grad_text() == "1 + 3 + 3 = 7"


@pytest.mark.parametrize("widget", ["controls", "panel"])
def test_keyboard_stepping_reaches_the_same_state_as_seek(qtbot: Any, widget: str) -> None:
    rig = _rig(qtbot, lesson_loss())
    reference = _rig(qtbot, lesson_loss())
    target = rig.controls if widget == "controls" else rig.panel
    rig.player.set_speed(200)  # the dot still travels; each step commits when it arrives
    rig.player.seek(0)
    for n in range(1, 7):
        with qtbot.waitSignal(rig.player.position_changed, timeout=5000):
            qtbot.keyClick(target, Qt.Key.Key_Right)
        assert rig.player.position == n
    qtbot.keyClick(target, Qt.Key.Key_Left)
    qtbot.keyClick(target, Qt.Key.Key_Left)
    assert rig.player.position == 4
    reference.player.seek(4)
    assert scene_state(rig.scene) == scene_state(reference.scene)
    qtbot.keyClick(target, Qt.Key.Key_End)
    reference.player.seek(reference.player.count)
    assert scene_state(rig.scene) == scene_state(reference.scene)
    qtbot.keyClick(target, Qt.Key.Key_End, Qt.KeyboardModifier.ShiftModifier)
    assert rig.player.position == rig.player.forward_count
    qtbot.keyClick(target, Qt.Key.Key_Home)
    reference.player.seek(0)
    assert scene_state(rig.scene) == scene_state(reference.scene)
    assert rig.controls.step_text() == "step 0 of 8 · start"


def test_space_plays_to_the_end(qtbot: Any) -> None:
    rig = _rig(qtbot, lesson_loss())
    reference = _rig(qtbot, lesson_loss())
    rig.player.set_speed(400)
    with qtbot.waitSignal(rig.player.finished, timeout=10000):
        qtbot.keyClick(rig.controls, Qt.Key.Key_Space)
    assert rig.controls.play_button.text() == "Play" and rig.player.position == 8
    reference.player.seek(8)
    assert scene_state(rig.scene) == scene_state(reference.scene)
    assert not rig.scene.pulse_item.isVisible()


def test_an_edit_during_play_resets_the_canvas(qtbot: Any) -> None:
    rig = _rig(qtbot, lesson_loss())
    rig.player.set_speed(20)
    with qtbot.waitSignal(rig.player.position_changed, timeout=5000):
        rig.player.play()
    assert rig.controls.play_button.text() == "Pause"
    assert rig.controls.play_button.icon().cacheKey() == rig.controls.pause_icon.cacheKey()
    rig.document.set_value(rig.id("b"), 4.0)
    assert not rig.player.is_playing and rig.player.is_idle
    ev = rig.document.evaluation
    nodes, edges = scene_state(rig.scene)
    for nid, (value, grad, emphasis, tangent) in nodes.items():
        # The canvas draws constants as pills without a gradient.
        shown_grad = "" if ev.graph.node(nid).op == "const" else format_number(ev.grad_of(nid))
        assert value == format_number(ev.value_of(nid)) and grad == shown_grad
        assert emphasis is None and tangent is None
    assert all(e[1] is None for e in edges.values())
    assert not rig.scene.pulse_item.isVisible()
    assert rig.controls.step_text() == "live · 8 steps"
    assert rig.controls.play_button.text() == "Play"
    assert rig.controls.play_button.icon().cacheKey() == rig.controls.play_icon.cacheKey()
    assert "Live view" in rig.panel.narrative_text()


def test_scrubber_and_speed(qtbot: Any) -> None:
    rig = _rig(qtbot, lesson_loss())
    rig.controls.scrubber.setValue(3)
    assert rig.player.position == 3 and rig.controls.step_text() == "step 3 of 8 · forward"
    rig.player.seek(6)
    assert rig.controls.scrubber.value() == 6 and rig.controls.step_text() == "step 6 of 8 · backward"
    rig.controls.speed.setValue(3.5)
    assert rig.player.speed == 3.5
    rig.player.set_speed(2.0)
    assert rig.controls.speed.value() == 2.0


def test_the_narrative_at_step_k(qtbot: Any) -> None:
    rig = _rig(qtbot, lesson_loss())
    rig.player.seek(rig.player.forward_count + 3)
    text = rig.panel.narrative_text()
    assert "Backward pass, step 2 of 4: d → c, against the arrow" in text
    assert "d(loss)/dc = d(loss)/dd × dd/dc = 14 × 1 = 14" in text
    rendered = rig.panel.numbers_label.text()
    assert f'<span style="color:{LIGHT.grad}; font-weight:600">14</span>' in rendered
    rig.player.seek(1)
    assert f'<span style="color:{LIGHT.value}; font-weight:600">6</span>' in rig.panel.numbers_label.text()
    assert rig.panel.steps_list.currentRow() == 1


def test_clicking_a_step_seeks_there(qtbot: Any) -> None:
    rig = _rig(qtbot, lesson_loss())
    rig.panel.resize(420, 640)
    rig.panel.show()
    qtbot.waitExposed(rig.panel)
    rig.player.seek(0)  # leaves the live view: the list is built
    assert rig.panel.steps_list.count() == 9
    item = rig.panel.steps_list.item(7)
    assert item.text() == "7. ← d(loss)/da = 14 × 3 = 42"
    rect = rig.panel.steps_list.visualItemRect(item)
    qtbot.mouseClick(rig.panel.steps_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert rig.player.position == 7
    assert rig.scene.node_item(rig.id("a")).grad_text() == "42"


def test_selecting_a_node_shows_its_chain_product(qtbot: Any) -> None:
    rig = _rig(qtbot, lesson_loss())
    rig.scene.select_nodes([rig.id("b")])
    product = "d(loss)/db = d(loss)/dd × dd/dc × dc/db = 14 × 1 × 2 = 28"
    assert plain(rig.panel.selected_label.text()) == product
    assert rig.panel.current_input() == rig.id("b")  # an input also becomes the chosen input
    rig.scene.select_nodes([])
    assert "Select a node" in plain(rig.panel.selected_label.text())


def test_the_paths_view_sums_to_the_gradient_and_highlights(qtbot: Any) -> None:
    rig = _rig(qtbot, diamond(2.0, 5.0))
    x = rig.id("x")
    rig.panel.set_input(x)
    view = rig.panel.paths_view
    assert view.paths is not None and view.list.count() == 3
    grad = rig.document.evaluation.grad_of(x)
    assert view.paths.listed_sum == pytest.approx(grad)
    assert plain(view.sum_label.text()).endswith(f"the backward pass found d(out)/dx = {format_number(grad)}")
    row = next(i for i in range(3) if view.list.item(i).text().startswith("x → p → q → out"))
    view.list.itemEntered.emit(view.list.item(row))
    emphasis = {n: rig.scene.node_item(rig.id(n)).emphasis for n in ("x", "p", "q", "out", "e", "w")}
    assert emphasis == {"x": "path", "p": "path", "q": "path", "out": "path", "e": None, "w": None}
    QApplication.sendEvent(view.list.viewport(), QEvent(QEvent.Type.Leave))
    assert all(item.emphasis is None for item in rig.scene.node_items())


def test_the_nudge_check_in_the_lessons_words(qtbot: Any) -> None:
    rig = _rig(qtbot, lesson_h(3.0))
    assert plain(rig.panel.nudge_label.text()).startswith(
        "nudge x from 3 to 3.001: h goes 49 → 49.028004, 0.028004 / 0.001 = 28.004 ≈ 28"
    )
    rig.document.set_value(rig.id("x"), 1.0)
    rig.panel.refresh()  # edits rebuild the slower parts once they pause
    # Hand: h(1.001) = 3.002² = 9.012004, dh/dx = 4·3 = 12.
    assert plain(rig.panel.nudge_label.text()).startswith("nudge x from 1 to 1.001: h goes 9 → 9.012004")


def test_forward_mode_and_gears_toggles(qtbot: Any) -> None:
    rig = _rig(qtbot, lesson_h(3.0))
    rig.panel.forward_mode_check.setChecked(True)
    assert rig.scene.node_item(rig.id("h")).tangent_text == "dh/dx = 28"
    rig.player.seek(1)
    assert rig.scene.node_item(rig.id("h")).tangent_text == "dh/dx = ?"
    rig.panel.forward_mode_check.setChecked(False)
    assert rig.scene.node_item(rig.id("h")).tangent_text is None
    rig.panel.gears_check.setChecked(True)
    widths = sorted(item.width_scale for item in rig.scene.edge_items())
    assert widths[-1] == pytest.approx(4.0) and widths[0] < 1.0


def test_predict_mode_accepts_a_right_answer_and_corrects_a_wrong_one(qtbot: Any) -> None:
    rig = _rig(qtbot, lesson_loss())
    player, box = rig.player, rig.panel.predict
    player.animate_steps = False
    player.set_speed(1000)
    rig.panel.predict_check.setChecked(True)
    with qtbot.waitSignal(player.held, timeout=5000) as held:
        player.play()
    assert held.args == [player.forward_count + 1]  # before d's gradient appears
    assert box.question.text().startswith("Predict: what is d(loss)/dd?")
    assert rig.scene.node_item(rig.id("d")).grad_text() == "?"
    with qtbot.waitSignal(player.held, timeout=5000):
        qtbot.keyClicks(box.answer, "14")
        qtbot.keyClick(box.answer, Qt.Key.Key_Return)
    assert plain(box.feedback.text()).startswith("✓ Right: 14.")
    assert rig.scene.node_item(rig.id("d")).grad_text() == "14"
    box.answer.setText("banana")
    box.submit()
    assert "not a number" in plain(box.feedback.text()) and box.held_step is not None
    with qtbot.waitSignal(player.held, timeout=5000):
        box.answer.setText("14")
        box.submit()  # c
    qtbot.keyClicks(box.answer, "40")  # a: the right answer is 14 × 3 = 42
    qtbot.keyClick(box.answer, Qt.Key.Key_Return)
    assert plain(box.feedback.text()) == (
        "✗ Not quite: you said 40, the gradient is 42.\nd(loss)/da = d(loss)/dc × dc/da = 14 × 3 = 42"
    )
    assert rig.scene.node_item(rig.id("a")).grad_text() == "42"
