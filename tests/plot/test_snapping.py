"""Dragging x on the plot (the line, the slider) snaps to the same step a scrub on the
canvas moves in: 1% of the magnitude of the numbers (0.5, never 0.500353)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF

from explorer.document.document import GraphDocument
from explorer.plot import SensitivityPanel
from explorer.theme import value_step

from .plot_helpers import drag, square_graph


@pytest.fixture
def panel(qtbot) -> tuple[GraphDocument, SensitivityPanel]:  # type: ignore[no-untyped-def]
    doc = GraphDocument(square_graph(3.0))
    panel = SensitivityPanel(doc)
    qtbot.addWidget(panel)
    panel.resize(560, 640)
    panel.show()
    qtbot.waitExposed(panel)
    return doc, panel


def _on_a_step(value: float, step: float) -> bool:
    return abs(value / step - round(value / step)) < 1e-9


def test_dragging_the_line_gives_values_on_the_scrub_step(panel, every_mouse_move) -> None:
    doc, p = panel
    plot = p.view.y_plot
    lo, hi = p.x_range
    step = value_step(max(abs(lo), abs(hi)))
    assert step == value_step(3.0)  # the canvas scrub of x = 3 moves in the same step
    y_mid = sum(plot.vb.viewRange()[1]) / 2
    # Odd places between pixels' worth of x: the values land on the step anyway.
    targets = [3.0, 2.71828, 1.23456, 0.500353, 0.987654]
    points = [p.view.mapFromScene(plot.vb.mapViewToScene(QPointF(t, y_mid))) for t in targets]
    seen: list[float] = []
    x = doc.graph.find("x").id
    drag(p.view.viewport(), points, on_move=lambda _pt: seen.append(doc.graph.node(x).value))
    assert len(seen) == len(targets) - 1
    for value in seen:
        assert _on_a_step(value, step), value
    assert doc.graph.node(x).value == pytest.approx(0.99, abs=0.05)


def test_the_slider_gives_values_on_the_scrub_step(panel) -> None:
    doc, p = panel
    lo, hi = p.x_range
    step = value_step(max(abs(lo), abs(hi)))
    x = doc.graph.find("x").id
    for position in (1, 333, 517, 999):
        p.slider.setValue(position)
        assert _on_a_step(doc.graph.node(x).value, step), doc.graph.node(x).value
