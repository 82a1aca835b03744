"""A lesson's prediction keeps its answer secret (issue 12 item 8, for the Lesson dock):
entering a predicting step shows no gradient of the asked node (card, player frame, step
text, Chain Rule panel, chart); a correct answer or *Show me* reveals it; and by Next
alone the learner still reads every answer, in the following step's prose."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from explorer.animation.frames import HIDDEN
from explorer.app.lesson_player import LessonPanel
from explorer.bundled import lessons_dir
from explorer.io.lesson import Predict, load_lesson

CHAIN = lessons_dir() / "01_chain_rule.md"
LESSONS = sorted(lessons_dir().glob("*.md"))
THREE_NODE = 7  # "The three-node example": predict dloss/da = 42


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    assert button.isEnabled() and button.isVisible(), button.objectName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def plain(rich: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", rich))


def numbers(text: str) -> list[float]:
    """Every decimal number written in ``text`` (a "−" counts as a minus sign)."""
    return [float(t) for t in re.findall(r"-?\d+(?:\.\d+)?", text.replace("−", "-"))]


def states(text: str, number: float, tolerance: float) -> bool:
    """Does ``text`` write ``number`` (within the prediction's tolerance or 0.1 %)?"""
    slack = max(tolerance, 1e-3 * abs(number))
    return any(abs(n - number) <= slack for n in numbers(text))


def open_at(window, qtbot, path: Path, step: int) -> LessonPanel:  # type: ignore[no-untyped-def]
    """Open the lesson and walk to ``step`` by clicking Next, as a learner would."""
    assert window.open_lesson(path)
    panel = window.panels["lessonDock"].widget()
    assert isinstance(panel, LessonPanel)
    panel.go_to_step(0)
    for _ in range(step):
        click(qtbot, panel.next_button)
    assert panel.step == step
    return panel


def card_grad(window, name: str) -> str:  # type: ignore[no-untyped-def]
    return window.scene.node_item(window.document.graph.find(name).id).grad_text()


def steps_list(narrative) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(narrative.steps_list.item(i).text() for i in range(narrative.steps_list.count()))


def predicting_steps() -> list[tuple[Path, int, Predict]]:
    found = []
    for path in LESSONS:
        for k, step in enumerate(load_lesson(path).steps):
            found += [(path, k, p) for p in step.predictions]
    return found


PREDICTING = predicting_steps()


def test_every_builtin_lesson_has_predictions() -> None:
    assert {(p.name, k) for p, k, _ in PREDICTING} == {
        ("01_chain_rule.md", 1),
        ("01_chain_rule.md", 2),
        ("01_chain_rule.md", THREE_NODE),
        ("02_long_chains.md", 2),
        ("03_many_paths.md", 0),
        ("03_many_paths.md", 2),
    }


@pytest.mark.parametrize(
    ("path", "k", "predict"), [pytest.param(*p, id=f"{p[0].stem}-step{p[1] + 1}") for p in PREDICTING]
)
def test_entering_a_predicting_step_gives_nothing_away(window, qtbot, path, k, predict) -> None:  # type: ignore[no-untyped-def]
    condition = predict.condition
    answer, slack = condition.number, condition.slack()
    wrt = condition.quantity.wrt
    assert wrt is not None
    panel = open_at(window, qtbot, path, k)
    assert panel.prediction_box.isVisible()
    assert not states(panel.text.toPlainText(), answer, slack), panel.text.toPlainText()
    player = window.player
    node = window.document.graph.find(wrt).id
    assert not player.is_idle and player.position == player.forward_count  # values, no gradients
    assert player.frame.grads[node] == HIDDEN and card_grad(window, wrt) == ""
    assert not states(" ".join(i.grad_text() for i in window.scene.node_items()), answer, slack)
    assert not panel.chart.isVisible()
    # By Next alone the answer is still read: in the prose of a later step.
    later = []
    while panel.next_button.isEnabled():
        click(qtbot, panel.next_button)
        later.append(panel.text.toPlainText())
    assert any(states(text, answer, slack) for text in later), (path.name, condition.text)


def test_show_me_on_the_three_node_step_plays_the_answer_out(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = open_at(window, qtbot, CHAIN, THREE_NODE)
    narrative, player = window.narrative, window.player
    a = window.document.graph.find("a").id
    narrative.set_input(a)
    window.scene.select_nodes([a])
    assert window.panels["narrativeDock"].isVisible()  # the step's "dock: chain"
    secrets = {
        "nudge": plain(narrative.nudge_label.text()),
        "product": plain(narrative.selected_label.text()),
        "paths": plain(narrative.paths_view.sum_label.text()),
        "inspector": plain(window.inspector.grad_label.text()),
        "status": plain(window.selection_label.text()),
        "card": card_grad(window, "a"),
        "step": panel.text.toPlainText(),
        "steps list": steps_list(narrative),
    }
    for where, text in secrets.items():
        assert not states(text, 42, 0.01), (where, text)
    assert "Predict d(loss)/da first" in secrets["nudge"]
    assert "d(loss)/da = ?" in secrets["steps list"] and "c = a × b = 6" in secrets["steps list"]
    assert not narrative.predict.isVisible()  # the lesson asks; the panel's own box stays shut
    player.animate_steps = False
    player.set_speed(1000)
    click(qtbot, panel.show_button)
    assert player.is_playing and panel.answer.text() == "42"
    qtbot.waitUntil(lambda: not player.is_playing, timeout=10000)
    assert player.position == player.count
    assert card_grad(window, "a") == "42" and card_grad(window, "b") == "28"
    assert "42" in plain(narrative.nudge_label.text()) and "42" in plain(narrative.selected_label.text())
    assert "42" in plain(window.inspector.grad_label.text())
    assert "d(loss)/da = 14 × 3 = 42" in steps_list(narrative)


def test_a_right_prediction_reveals_a_wrong_one_does_not(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = open_at(window, qtbot, CHAIN, THREE_NODE)
    player = window.player
    qtbot.keyClicks(panel.answer, "41")
    click(qtbot, panel.check_button)
    assert panel.verdict.text().startswith("Not quite")
    assert player.position == player.forward_count and card_grad(window, "a") == ""
    panel.answer.clear()
    qtbot.keyClicks(panel.answer, "42")
    qtbot.keyClick(panel.answer, Qt.Key.Key_Return)
    assert panel.verdict.text().startswith("✓ Right")
    assert player.position == player.count  # the step's own "play: end"
    assert card_grad(window, "a") == "42" and card_grad(window, "loss") == "1"


def test_a_step_without_play_shows_the_live_view_once_answered(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = open_at(window, qtbot, CHAIN, 1)  # predict dh/dg = 14, no "play:"
    assert card_grad(window, "g") == "" and card_grad(window, "x") == ""
    qtbot.keyClicks(panel.answer, "14")
    click(qtbot, panel.check_button)
    assert window.player.is_idle and card_grad(window, "g") == "14" and card_grad(window, "x") == "28"
    click(qtbot, panel.back_button)
    click(qtbot, panel.next_button)  # coming back asks again
    assert card_grad(window, "g") == "" and panel.answer.text() == ""


def test_the_magnitudes_chart_waits_for_the_answer(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = open_at(window, qtbot, lessons_dir() / "02_long_chains.md", 2)
    assert not panel.chart.isVisible()
    click(qtbot, panel.show_button)
    assert panel.chart.isVisible() and panel.chart.decades() == (0, 2)
    click(qtbot, panel.next_button)  # no prediction here: the chart at once
    assert panel.chart.isVisible()


def test_an_edit_ends_the_secret(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = open_at(window, qtbot, CHAIN, THREE_NODE)
    predict = window.narrative.predict
    assert predict.keeps_secrets
    window.document.set_value(window.document.graph.find("a").id, 1.0)  # the live view shows all
    assert not predict.keeps_secrets and window.player.is_idle and card_grad(window, "a") == "24"
    click(qtbot, panel.next_button)
    assert not predict.keeps_secrets
