"""The sensitivity plot at the edges of floating point (issue 12, adversarial list).

An input set to 1e308, a range that would overflow or a curve that is all ±inf or NaN must
show up as a note and an empty plot, never as an exception inside a Qt slot (pytest-qt fails
the test on any such exception).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from explorer.document.document import GraphDocument
from explorer.graph.parser import parse
from explorer.plot import SensitivityPanel
from explorer.plot.limits import PLOT_LIMIT, drawable, range_around, slider_fraction, usable_range

from .plot_helpers import square_graph, two_input_graph

HUGE = [1e308, -1e308, 1.7976931348623157e308, -1.7976931348623157e308, 1e200, 1e101]


@pytest.fixture
def panel_for(qtbot):
    def make(doc: GraphDocument) -> SensitivityPanel:
        panel = SensitivityPanel(doc)
        qtbot.addWidget(panel)
        panel.resize(560, 640)
        panel.show()
        qtbot.waitExposed(panel)
        return panel

    return make


def test_limits_refuse_what_cannot_be_swept() -> None:
    assert usable_range(-2.0, 2.0) and usable_range(1e99, 1e99 + 1e92)
    assert not usable_range(1e308, 1e308)  # the reported (1e308, 1e308)
    assert not usable_range(-math.inf, math.inf) and not usable_range(math.nan, 1.0)
    assert not usable_range(-1e308, 1e308)  # finite ends, infinite width
    assert not usable_range(1.0, 1.0 + 1e-15)  # samples would repeat
    assert range_around(1e308, 2.0) is None and range_around(math.nan, 2.0) is None
    lo, hi = range_around(1e50, 2.0) or (0.0, 0.0)
    assert usable_range(lo, hi) and lo < 1e50 < hi
    assert slider_fraction(math.nan, 0.0, 1.0) is None and slider_fraction(5.0, 0.0, 1.0) == 1.0
    assert np.isnan(drawable(np.array([math.inf, -1e308, 2.0 * PLOT_LIMIT]))).all()


@pytest.mark.parametrize("value", HUGE)
def test_an_input_too_far_out_shows_a_note_and_no_curve(panel_for, value: float) -> None:
    doc = GraphDocument(square_graph())
    panel = panel_for(doc)
    doc.set_value(doc.graph.find("x").id, value)
    xs, ys, dys = panel.curve_data()
    assert np.isnan(ys).all() and np.isnan(dys).all()
    assert "x = " in panel.view._note and "too far out to plot" in panel.view._note
    doc.undo_stack.undo()  # back to x = 3: the curve of (2x+1)² returns
    xs, ys, _ = panel.curve_data()
    assert panel.view._note == "" and np.nanmax(np.abs(ys - (2 * xs + 1) ** 2)) < 1e-9


def test_curves_that_overflow_are_framed_without_raising(panel_for) -> None:
    # exp(exp(x)) overflows to inf over most of any range; 1e300·x reaches 1e300.
    for text in ("y = exp(exp(x)) * 1e300", "y = x * 1e300", "y = log(x - 1e300)"):
        doc = GraphDocument(parse(text, default_input_value=5.0))
        panel = panel_for(doc)
        panel.refit_y()
        for plot in (panel.view.y_plot, panel.view.dy_plot):
            lo, hi = plot.vb.viewRange()[1]
            assert math.isfinite(lo) and math.isfinite(hi) and lo < hi
        panel.fit_interesting_range()


def test_typing_huge_values_into_the_boxes_and_dragging_the_slider_never_raises(panel_for, qtbot) -> None:
    doc = GraphDocument(two_input_graph())
    panel = panel_for(doc)
    a = doc.graph.find("a").id
    for value in HUGE:
        doc.set_value(a, value)
        panel.set_second_input(doc.graph.find("b").id)
        QTest.keyClick(panel.slider, Qt.Key.Key_PageUp)
        QTest.keyClick(panel.slider, Qt.Key.Key_End)
    panel.lo_box.setValue(-1e300)
    panel.hi_box.setValue(1e300)
    panel.x_box.setValue(1e300)
    assert usable_range(*panel.x_range)
