"""Stepping with the arrow keys while pulses travel: every press counts.

A learner tapping → three times quickly means three steps. Each press that arrives while
a pulse is still travelling commits that step at once and starts the next one's pulse;
the last pulse is allowed to arrive (awaited through the player's signal, no clock)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from .app_helpers import write_graph


def _ready(window, tmp_path: Path) -> None:
    path = tmp_path / "g.json"
    write_graph(path, x=3.0)
    assert window.open_file(path)
    window.player.set_speed(2.0)  # each pulse travels 0.35 s: the presses below all land mid-flight
    window.activateWindow()
    window.view.setFocus()
    QApplication.processEvents()
    assert QApplication.focusWidget() is window.view


def _settle(qtbot, player) -> None:
    if player.in_transition:
        with qtbot.waitSignal(player.position_changed, timeout=3000):
            pass
    assert not player.in_transition


def test_three_quick_right_presses_take_three_steps(window, qtbot, tmp_path: Path) -> None:
    _ready(window, tmp_path)
    player = window.player
    assert player.animate_steps
    for _ in range(3):
        QTest.keyClick(window.view, Qt.Key.Key_Right)
    assert player.in_transition  # the last step's pulse is still on its way ...
    assert player.position == 2  # ... the two before it are done
    _settle(qtbot, player)
    assert player.position == 3


def test_quick_presses_in_both_directions_add_up(window, qtbot, tmp_path: Path) -> None:
    _ready(window, tmp_path)
    player = window.player
    for key in (Qt.Key.Key_Right,) * 4:
        QTest.keyClick(window.view, key)
    _settle(qtbot, player)
    assert player.position == 4
    QTest.keyClick(window.view, Qt.Key.Key_Right)  # in flight: 4 -> 5
    QTest.keyClick(window.view, Qt.Key.Key_Left)  # cancels it
    QTest.keyClick(window.view, Qt.Key.Key_Left)  # and one more back
    _settle(qtbot, player)
    assert player.position == 3
    for _ in range(player.count + 3):  # more presses than steps: stops at the end
        QTest.keyClick(window.view, Qt.Key.Key_Right)
    _settle(qtbot, player)
    assert player.position == player.count
