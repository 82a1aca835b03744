"""The reason for a red node is easy to find (issue 12 item 7): the card and its "!" badge
have a tooltip, the status-bar problem count goes to the node and says why, and the
inspector explains a missing local derivative instead of printing "1/a = undefined"."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip

from .app_helpers import write_graph

REASON = "'y' (log): log of a non-positive number (log(-1))"


def _open_log(window, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "log.json"
    write_graph(path, "a = -1.0; y = log(a); z = y * 2")
    assert window.open_file(path)
    return window.document.graph.find("y").id


def _tooltip_at(window, scene_point: QPointF, shown: list[str]) -> str:  # type: ignore[no-untyped-def]
    """Send a real tooltip event where the pointer rests; what the scene asked QToolTip to show."""
    viewport = window.view.viewport()
    pos = window.view.mapFromScene(scene_point)
    shown.clear()
    QApplication.sendEvent(viewport, QHelpEvent(QEvent.Type.ToolTip, pos, viewport.mapToGlobal(pos)))
    return shown[-1] if shown else ""


def test_the_card_and_its_badge_explain_the_problem(window, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    shown: list[str] = []
    monkeypatch.setattr(QToolTip, "showText", lambda _pos, text, *args: shown.append(text))
    y = _open_log(window, tmp_path)
    item = window.scene.node_item(y)
    window.view.centerOn(item)
    card = item.card_shape()
    badge = item.mapToScene(QPointF(card.right() - 4.0, card.top()))  # where the "!" is drawn
    # The "!" disc straddles the card's corner: its upper half lies outside the card.
    for point in (
        item.sceneBoundingRect().center(),
        badge,
        badge + QPointF(0.0, -8.0),
        badge + QPointF(7.0, -5.0),
    ):
        assert _tooltip_at(window, point, shown).startswith(REASON), point


def test_clicking_the_problem_count_selects_the_node_and_says_why(window, tmp_path: Path) -> None:
    y = _open_log(window, tmp_path)
    window.scene.clearSelection()
    window.view.centerOn(-5000.0, -5000.0)  # the node is out of sight
    button = window.problem_button
    assert button.isVisible() and button.text() == "⚠ 1 problem"
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.scene.selected_node_ids() == [y]
    assert window.view.viewport().rect().contains(window.view.mapFromScene(window.scene.node_item(y).pos()))
    assert window.statusBar().currentMessage() == REASON
    assert window.panels["inspectorDock"].isVisible()
    assert REASON in window.inspector.diagnostics_label.text()


def test_the_inspector_says_the_logs_operand_is_not_positive(window, tmp_path: Path) -> None:
    y = _open_log(window, tmp_path)
    window.select_nodes([y])
    text = html.unescape(window.inspector.locals_label.text())
    assert "1/a = undefined" not in text.replace("<b>", "").replace("</b>", "")
    assert "no value here: the log's operand a = -1 is ≤ 0" in text
    # Downstream, z = y·2 is undefined because of y: its row says so, and names y.
    window.select_nodes([window.document.graph.find("z").id])
    assert "no value here: y is undefined (a problem upstream)" in html.unescape(
        window.inspector.locals_label.text()
    )


def test_the_nudge_check_does_not_compare_undefined_with_undefined(window, tmp_path: Path) -> None:
    _open_log(window, tmp_path)
    narrative = window.narrative
    narrative.set_input(window.document.graph.find("a").id)
    text = html.unescape(narrative.nudge_label.text())
    assert "≠" not in text and "undefined / " not in text
    assert "z is undefined here, so nudging a shows nothing (the problem: " + REASON + ")." in text
