"""Predict mode keeps its answers secret (issue 12 item 8): while the player asks for
d(loss)/da, no view may show 42 (nudge line, Paths tab, chain product, plot slope);
once revealed, they all show it."""

from __future__ import annotations

import html
import re
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

LESSON = Path(__file__).resolve().parents[2] / "resources" / "examples" / "lesson_loss.json"


def plain(rich: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", rich))


def _answer(qtbot, window, box, text: str) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.player.held, timeout=5000):
        QTest.keyClicks(box.answer, text)
        QTest.keyClick(box.answer, Qt.Key.Key_Return)


def test_no_view_gives_the_gradient_away_before_it_is_revealed(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    assert window.open_file(LESSON)
    graph = window.document.graph
    a = graph.find("a").id
    narrative, plot, player = window.narrative, window.sensitivity, window.player
    player.animate_steps = False
    player.set_speed(1000)
    narrative.set_input(a)
    window.scene.select_nodes([a])
    assert plot.input_id == a and "42" in plain(narrative.nudge_label.text())  # live view: shown
    check = narrative.predict_check
    QTest.mouseClick(check, Qt.MouseButton.LeftButton, pos=QPoint(8, check.height() // 2))
    assert check.isChecked()
    box = narrative.predict
    with qtbot.waitSignal(player.held, timeout=5000):
        player.play()
    _answer(qtbot, window, box, "14")  # d(loss)/dd
    _answer(qtbot, window, box, "14")  # d(loss)/dc
    assert box.question.text().startswith("Predict: what is d(loss)/da?")

    secrets = {
        "nudge": plain(narrative.nudge_label.text()),
        "paths": plain(narrative.paths_view.sum_label.text()),
        "product": plain(narrative.selected_label.text()),
        "plot": plot.view.readout.text(),
        "inspector": plain(window.inspector.grad_label.text()),
        "status": plain(window.selection_label.text()),
        "steps": "\n".join(narrative.steps_list.item(i).text() for i in range(narrative.steps_list.count())),
    }
    assert not narrative.forward_mode_check.isEnabled()  # tangents would print the answer
    c = graph.find("c").id
    window.scene.select_nodes([c])  # c's gradient (14) is known; its product with ∂c/∂a is a's
    secrets["inspector c"] = plain(window.inspector.locals_label.text())
    assert "14" in plain(window.inspector.grad_label.text())
    window.scene.select_nodes([a])
    for where, text in secrets.items():
        assert "42" not in text, (where, text)
    assert "Predict d(loss)/da first" in secrets["nudge"] and "Predict d(loss)/da first" in secrets["paths"]
    assert not narrative.paths_view.list.isVisible() and narrative.paths_view.list.count() == 0
    assert plot.view.slope_hidden and not plot.view.dy_curve.isVisible() and not plot.view.tangent.isVisible()
    assert "d(loss)/da = ?" in secrets["plot"]

    with qtbot.waitSignal(player.held, timeout=5000):  # b is asked next
        QTest.keyClicks(box.answer, "42")
        QTest.keyClick(box.answer, Qt.Key.Key_Return)
    assert "42" in plain(narrative.nudge_label.text())
    assert "d(loss)/da = 14 × 3 = 42" in narrative.steps_list.item(player.position).text()
    assert "42" in plain(narrative.paths_view.sum_label.text()) and narrative.paths_view.list.count() == 1
    assert "42" in plain(narrative.selected_label.text())
    assert not plot.view.slope_hidden and "d(loss)/da = 42" in plot.view.readout.text()
    assert "42" in plain(window.inspector.grad_label.text()) and "42" in plain(window.selection_label.text())
    check.click()  # predict off: forward mode is offered again
    assert narrative.forward_mode_check.isEnabled()
