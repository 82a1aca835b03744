"""The transport buttons always render, and the nudge line follows a value drag at once.

Uses the fake scene, so these tests do not depend on the canvas.
"""

from __future__ import annotations

import html
import re
from typing import Any

from PySide6.QtGui import QFont, QFontMetrics

from explorer.animation.controls import AnimationControls
from explorer.animation.narrative import NarrativePanel
from explorer.animation.player import Player
from explorer.document.document import GraphDocument
from explorer.graph.parser import parse

from .animation_fakes import FakeScene, node_id

# The lesson's h written out in primitive nodes (lesson_h.json now shows g and f as functions).
LESSON_H_FLAT = "x = 3.0\nu = 2*x + 1\nh = u**2\n"


def _plain(rich_text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", rich_text))


def _rig(qtbot: Any) -> tuple[GraphDocument, Player, AnimationControls, NarrativePanel]:
    document = GraphDocument(parse(LESSON_H_FLAT))
    player = Player(document, FakeScene(document))
    controls = AnimationControls(player)
    panel = NarrativePanel(document, player)
    qtbot.addWidget(controls)
    qtbot.addWidget(panel)
    return document, player, controls, panel


def test_every_transport_button_draws_an_icon_and_no_missing_glyph(qtbot: Any) -> None:
    _, player, controls, _ = _rig(qtbot)
    buttons = [
        controls.start_button,
        controls.back_button,
        controls.play_button,
        controls.forward_button,
        controls.forward_end_button,
        controls.backward_end_button,
    ]
    assert all(not b.icon().isNull() for b in buttons)
    # Whatever text is shown must exist in DejaVu Sans, the usual Linux fallback (⏸ does not).
    dejavu = QFontMetrics(QFont("DejaVu Sans"))
    assert not dejavu.inFontUcs4(ord("⏸"))  # the detector would have caught the old glyph
    assert all(dejavu.inFontUcs4(ord(c)) for b in buttons for c in b.text())
    assert controls.play_button.icon().cacheKey() == controls.play_icon.cacheKey()
    player.play()
    assert controls.play_button.text() == "Pause"
    assert controls.play_button.icon().cacheKey() == controls.pause_icon.cacheKey()
    player.pause()
    assert controls.play_button.text() == "Play"
    assert controls.play_button.icon().cacheKey() == controls.play_icon.cacheKey()


def test_the_nudge_line_follows_a_drag_at_once_and_the_step_list_at_release(qtbot: Any) -> None:
    document, _, _, panel = _rig(qtbot)
    x = node_id(document.graph, "x")
    panel.set_input(x)
    assert panel.steps_list.item(1).text() == "1. → 2·x = 2 × 3 = 6"
    document.begin_value_drag()
    document.set_value(x, 1.0)
    # No waiting: hand-derived h(1.001) = (2·1.001 + 1)² = 3.002² = 9.012004, dh/dx = 4·(2·1 + 1) = 12.
    assert _plain(panel.nudge_label.text()).startswith(
        "nudge x from 1 to 1.001: h goes 9 → 9.012004, 0.012004 / 0.001 = 12.004 ≈ 12"
    )
    # The step list waits for the edits to pause (or the drag to end), so dragging stays smooth.
    assert panel.steps_list.item(1).text() == "1. → 2·x = 2 × 3 = 6"
    document.end_value_drag()
    assert panel.steps_list.item(1).text() == "1. → 2·x = 2 × 1 = 2"
    assert panel.steps_list.item(7).text() == "7. ← dh/dx = 6 × 2 = 12"
