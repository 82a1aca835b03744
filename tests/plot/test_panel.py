"""SensitivityPanel against a real GraphDocument: sync, honest curves, gestures, undo, export."""

from __future__ import annotations

import csv
import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF
from PySide6.QtGui import QImage

import explorer.plot.panel as panel_module
import explorer.plot.sweeps as sweeps_module
from explorer.document.document import GraphDocument
from explorer.graph.model import Graph
from explorer.graph.parser import parse
from explorer.graph.tape import sweep
from explorer.plot import SensitivityPanel
from explorer.theme import DARK

from .plot_helpers import drag, log_graph, square_graph, two_input_graph


def node_id(doc: GraphDocument, name: str) -> str:
    return doc.graph.find(name).id


@pytest.fixture
def make_panel(qtbot):
    def make(graph: Graph) -> tuple[GraphDocument, SensitivityPanel]:
        doc = GraphDocument(graph)
        panel = SensitivityPanel(doc)
        qtbot.addWidget(panel)
        panel.resize(560, 640)
        panel.show()
        qtbot.waitExposed(panel)
        return doc, panel

    return make


def viewport_point(panel: SensitivityPanel, plot, x: float, y: float) -> QPoint:
    scene_point = plot.vb.mapViewToScene(QPointF(x, y))
    return panel.view.mapFromScene(scene_point)


def assert_same(a: np.ndarray, b: np.ndarray) -> None:
    np.testing.assert_array_equal(a, b)  # NaN == NaN here, position by position


# ------------------------------------------------------------------------------ what is plotted
def test_plotted_arrays_are_the_sweep(make_panel) -> None:
    doc, panel = make_panel(square_graph())
    xs, ys, dys = panel.curve_data()
    assert len(xs) == panel_module.SWEEP_POINTS
    assert (xs[0], xs[-1]) == panel.x_range
    ref_y, ref_dy = sweep(doc.graph, "x", xs)
    assert_same(ys, ref_y)
    assert_same(dys, ref_dy)
    # ... which is (2x+1)² and 4(2x+1), worked by hand.
    np.testing.assert_allclose(ys, (2 * xs + 1) ** 2, rtol=1e-12)
    np.testing.assert_allclose(dys, 4 * (2 * xs + 1), rtol=1e-12, atol=1e-12)
    # And the curve items hold exactly those arrays.
    cx, cy = panel.view.y_curve.data()
    assert_same(cx, xs)
    assert_same(cy, ys)
    assert_same(panel.view.dy_curve.data()[1], dys)


def test_the_marker_tangent_and_readout_show_the_current_point(make_panel) -> None:
    _doc, panel = make_panel(square_graph(3.0))
    assert panel.view.point() == (3.0, 49.0, 28.0)
    text = panel.view.readout.text()
    assert "x = 3" in text and "h = 49" in text and "dh/dx = 28" in text
    line = panel.view.tangent.line()
    slope = (line.y2() - line.y1()) / (line.x2() - line.x1())
    assert slope == pytest.approx(28.0)
    assert line.y1() + 28.0 * (3.0 - line.x1()) == pytest.approx(49.0)
    assert panel.view.y_marker.pos() == QPointF(3.0, 49.0)
    assert panel.view.dy_marker.pos() == QPointF(3.0, 28.0)


def test_a_domain_gap_is_nan_in_the_curve_not_finite_garbage(make_panel) -> None:
    _doc, panel = make_panel(log_graph(1.0))
    panel.set_range(-1.0, 2.0)
    xs, ys, dys = panel.curve_data()
    outside = xs <= 0.0
    assert outside.any() and (~outside).any()
    assert np.isnan(ys[outside]).all() and np.isnan(dys[outside]).all()
    np.testing.assert_allclose(ys[~outside], np.log(xs[~outside]), rtol=1e-12)
    np.testing.assert_allclose(dys[~outside], 1.0 / xs[~outside], rtol=1e-12)
    # The curve item draws nothing into or out of the gap.
    path = panel.view.y_curve.path()
    drawn_x = [path.elementAt(i).x for i in range(path.elementCount())]
    first_defined = xs[~outside][0]
    lines_into_gap = [
        i
        for i in range(1, path.elementCount())
        if path.elementAt(i).isLineTo() and drawn_x[i] < first_defined
    ]
    assert lines_into_gap == []


def test_a_pole_is_a_gap_not_a_spike(make_panel) -> None:
    g = Graph()
    x = g.add_node("input", "x", 1.0)
    one = g.add_node("const", "one", 1.0)
    d = g.add_node("div", "y")
    g.connect(one.id, d.id, 0)
    g.connect(x.id, d.id, 1)
    _doc, panel = make_panel(g)
    panel.set_range(-1.003, 2.0)  # 0 falls between two samples: both ends are finite
    _xs, ys, _ = panel.curve_data()
    assert np.isfinite(ys).all()
    path = panel.view.y_curve.path()
    for i in range(1, path.elementCount()):
        a, b = path.elementAt(i - 1), path.elementAt(i)
        if b.isLineTo():
            assert not (a.x < 0.0 < b.x), "a segment crosses the pole"


def test_switching_input_or_output_redraws(make_panel) -> None:
    doc, panel = make_panel(two_input_graph())
    a, b, m = node_id(doc, "a"), node_id(doc, "b"), node_id(doc, "m")
    assert panel.input_id == a
    before = panel.curve_data()[1]
    panel.set_input(b)
    xs, ys, dys = panel.curve_data()
    assert not np.array_equal(ys, before)
    ref = sweep(doc.graph, "b", xs)
    assert_same(ys, ref[0])
    assert_same(dys, ref[1])
    assert "b = -1" in panel.view.readout.text()

    panel.set_output(m)  # m = a·b: linear in b with slope a
    xs, ys, dys = panel.curve_data()
    np.testing.assert_allclose(ys, 0.5 * xs)
    np.testing.assert_allclose(dys, 0.5)
    assert_same(panel.view.y_curve.data()[1], ys)
    assert panel.view.point()[2] == pytest.approx(0.5)  # d m/d b from forward mode

    panel.set_output(None)  # back to the graph's output
    assert panel.output_id == node_id(doc, "y")
    assert_same(panel.curve_data()[1], sweep(doc.graph, "b", panel.curve_data()[0])[0])


def test_the_readout_slope_for_a_non_output_node_matches_a_finite_difference(make_panel) -> None:
    doc, panel = make_panel(two_input_graph(0.7, -0.4))
    panel.set_output(node_id(doc, "s"))  # s = a·b + b, ds/da = b
    assert panel.view.point()[2] == pytest.approx(-0.4)


# ------------------------------------------------------------------------------ dragging x
def test_dragging_the_vertical_line_moves_x_live_and_is_one_undo_step(make_panel, every_mouse_move) -> None:
    doc, panel = make_panel(square_graph(3.0))
    x = node_id(doc, "x")
    sweeps_before = panel.curve_data()
    plot = panel.view.y_plot
    y_mid = sum(plot.vb.viewRange()[1]) / 2
    start = viewport_point(panel, plot, 3.0, y_mid)
    targets = [3.0 - 0.25 * k for k in range(1, 9)]  # down to x = 1
    points = [start] + [viewport_point(panel, plot, t, y_mid) for t in targets]
    seen: list[tuple[float, float]] = []
    steps_before = doc.undo_stack.count()

    def during(_p: QPoint) -> None:
        seen.append((doc.graph.node(x).value, doc.evaluation.grad_of(x)))

    drag(panel.view.viewport(), points, on_move=during)

    values = [v for v, _ in seen]
    assert values[0] < 3.0 and values == sorted(values, reverse=True)  # it moved while held
    for value, grad in seen:
        assert grad == pytest.approx(4 * (2 * value + 1))  # the engine's gradient followed
    final = doc.graph.node(x).value
    assert final == pytest.approx(1.0, abs=0.05)
    assert panel.view.point()[0] == final
    assert panel.x_box.value() == pytest.approx(final, abs=1e-9)
    # The curves were not touched, the x range neither.
    for a, b in zip(sweeps_before, panel.curve_data(), strict=True):
        assert_same(a, b)
    # One drag, one undo step.
    assert doc.undo_stack.count() == steps_before + 1
    doc.undo_stack.undo()
    assert doc.graph.node(x).value == 3.0
    assert panel.view.point() == (3.0, 49.0, 28.0)
    doc.undo_stack.redo()
    assert doc.graph.node(x).value == final


def test_the_curves_are_not_resampled_while_x_alone_moves(make_panel, monkeypatch, every_mouse_move) -> None:
    doc, panel = make_panel(two_input_graph())
    calls: list[str] = []
    real = sweeps_module.sweep

    def counting(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(sweeps_module, "sweep", counting)
    plot = panel.view.dy_plot
    y_mid = sum(plot.vb.viewRange()[1]) / 2
    drag(panel.view.viewport(), [viewport_point(panel, plot, t, y_mid) for t in (0.5, 0.8, 1.1, 1.4, 1.7)])
    doc.set_value(node_id(doc, "a"), 0.25)
    assert doc.graph.node(node_id(doc, "a")).value == 0.25
    assert calls == []
    doc.set_value(node_id(doc, "b"), 0.3)  # another input: the curve depends on it
    assert calls == ["a"]
    assert_same(panel.curve_data()[1], real(doc.graph, "a", panel.curve_data()[0])[0])


def test_spin_box_slider_and_line_stay_in_sync(make_panel) -> None:
    doc, panel = make_panel(square_graph(3.0))
    x = node_id(doc, "x")
    panel.x_box.setValue(1.25)
    assert doc.graph.node(x).value == 1.25
    assert panel.view.rules[0].value() == 1.25
    assert panel.view.point() == (1.25, 12.25, 14.0)
    lo, hi = panel.x_range
    assert panel.slider.value() == round((1.25 - lo) / (hi - lo) * panel_module.SLIDER_STEPS)

    doc.set_value(x, 2.5)  # as a canvas scrub would
    assert panel.x_box.value() == 2.5
    assert all(rule.value() == 2.5 for rule in panel.view.rules[:2])
    assert panel.slider.value() == round((2.5 - lo) / (hi - lo) * panel_module.SLIDER_STEPS)


def test_typing_a_value_in_the_spin_box_sets_x(make_panel, qtbot) -> None:
    from PySide6.QtCore import Qt

    doc, panel = make_panel(square_graph(3.0))
    box = panel.x_box
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "-0.25")
    assert doc.graph.node(node_id(doc, "x")).value == 3.0  # not while typing
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)
    assert doc.graph.node(node_id(doc, "x")).value == -0.25
    assert panel.view.point() == (-0.25, 0.25, 2.0)
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "1e-3")
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)
    assert doc.graph.node(node_id(doc, "x")).value == 0.001


def test_a_value_beyond_the_box_range_is_clamped_and_says_so(make_panel, qtbot) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QToolTip

    doc, panel = make_panel(square_graph(3.0))
    box = panel.x_box
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "1e308")
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)
    assert doc.graph.node(node_id(doc, "x")).value == box.maximum() == 1e12
    assert "beyond the plot's range" in QToolTip.text() and "Inspector" in QToolTip.text()


def test_dragging_the_slider_is_live_and_one_undo_step(make_panel) -> None:
    doc, panel = make_panel(square_graph(3.0))
    x = node_id(doc, "x")
    slider = panel.slider
    lo, _hi = panel.x_range
    steps = doc.undo_stack.count()
    handle = slider.style().sliderPositionFromValue(
        0, panel_module.SLIDER_STEPS, slider.value(), slider.width()
    )
    y = slider.height() // 2
    seen: list[float] = []
    drag(
        slider,
        [QPoint(handle, y), *(QPoint(handle - 20 * k, y) for k in range(1, 6))],
        on_move=lambda _p: seen.append(doc.graph.node(x).value),
    )
    assert len(set(seen)) > 2 and seen == sorted(seen, reverse=True)
    final = doc.graph.node(x).value
    assert lo <= final < 3.0
    assert panel.view.point()[0] == final
    assert doc.undo_stack.count() == steps + 1
    doc.undo_stack.undo()
    assert doc.graph.node(x).value == 3.0


def test_a_click_on_the_plot_puts_x_there(make_panel, qtbot) -> None:
    doc, panel = make_panel(square_graph(3.0))
    plot = panel.view.y_plot
    y_mid = sum(plot.vb.viewRange()[1]) / 2
    where = viewport_point(panel, plot, 0.0, y_mid)
    from PySide6.QtCore import Qt

    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert doc.graph.node(node_id(doc, "x")).value == pytest.approx(0.0, abs=0.03)


def test_x_leaving_the_range_recentres_it(make_panel) -> None:
    doc, panel = make_panel(square_graph(3.0))
    lo, hi = panel.x_range
    doc.set_value(node_id(doc, "x"), 100.0)
    new_lo, new_hi = panel.x_range
    assert new_lo < 100.0 < new_hi
    assert new_hi - new_lo == pytest.approx(hi - lo)
    assert panel.curve_data()[0][0] == new_lo


# ------------------------------------------------------------------------------ ranges
def test_set_range_and_fit(make_panel) -> None:
    _doc, panel = make_panel(square_graph(3.0))
    panel.set_range(-5.0, 5.0)
    xs = panel.curve_data()[0]
    assert (xs[0], xs[-1]) == (-5.0, 5.0)
    assert (panel.lo_box.value(), panel.hi_box.value()) == (-5.0, 5.0)
    with pytest.raises(ValueError):
        panel.set_range(2.0, 1.0)
    panel.fit_interesting_range()
    lo, hi = panel.x_range
    assert lo < -0.5 < 3.0 < hi  # the vertex of (2x+1)² and the current x


def test_the_range_boxes_set_the_range(make_panel) -> None:
    _doc, panel = make_panel(square_graph(3.0))
    panel.hi_box.setValue(10.0)
    assert panel.x_range[1] == 10.0
    panel.lo_box.setValue(20.0)  # above the high end: refused, boxes restored
    assert panel.x_range[1] == 10.0 and panel.lo_box.value() == panel.x_range[0]


def test_the_y_range_refits_when_the_graph_changes_not_while_dragging(make_panel) -> None:
    doc, panel = make_panel(square_graph(3.0))
    y_view = panel.view.y_plot.vb.viewRange()[1]
    doc.begin_value_drag()
    for v in (2.0, 1.0, 0.0):
        doc.set_value(node_id(doc, "x"), v)
    doc.end_value_drag()
    assert panel.view.y_plot.vb.viewRange()[1] == y_view
    doc.set_op(node_id(doc, "a"), "sub")  # (2x - 1)²: a structural edit refits at once
    assert panel.view.y_plot.vb.viewRange()[1] != y_view
    ys = panel.curve_data()[1]
    lo, hi = panel.view.y_plot.vb.viewRange()[1]
    assert lo <= np.nanmin(ys) and np.nanmax(ys) <= hi


# ------------------------------------------------------------------------------ following the document
def test_structural_edits_resweep(make_panel) -> None:
    doc, panel = make_panel(square_graph(3.0))
    h = node_id(doc, "h")
    t = doc.add_node("tanh", "t")
    doc.link(h, t, 0)
    doc.set_output(t)
    xs, ys, _dys = panel.curve_data()
    assert panel.output_id == t
    assert_same(ys, sweep(doc.graph, "x", xs)[0])
    assert "t = 1" in panel.view.readout.text()


def test_deleting_x_picks_another_input(make_panel) -> None:
    doc, panel = make_panel(two_input_graph())
    doc.remove_nodes([node_id(doc, "a")])
    assert panel.input_id == node_id(doc, "b")
    assert panel.x_combo.currentText() == "b"
    assert_same(panel.curve_data()[1], sweep(doc.graph, "b", panel.curve_data()[0])[0])


def test_a_reset_document_starts_afresh(make_panel) -> None:
    doc, panel = make_panel(two_input_graph())
    panel.set_second_input(node_id(doc, "b"))
    doc.reset(square_graph(0.5))
    assert panel.input_id == node_id(doc, "x")
    assert panel.view.point() == (0.5, 4.0, 8.0)
    assert panel.x_combo.currentText() == "x"
    assert panel.heat_data() is None and not panel.view.heat_plot.isVisible()


def test_a_graph_without_inputs_plots_nothing_and_says_why(make_panel) -> None:
    g = Graph()
    g.add_node("const", "c", 2.0)
    _doc, panel = make_panel(g)
    assert panel.input_id is None
    assert np.isnan(panel.curve_data()[1]).all()
    assert "Add an input" in panel.view.readout.text()
    assert not panel.slider.isEnabled()


def test_a_node_that_does_not_depend_on_x_is_flat_with_a_note(make_panel) -> None:
    doc, panel = make_panel(two_input_graph())
    panel.set_input(node_id(doc, "b"))
    g = doc.graph
    c = doc.add_node("exp", "c")
    doc.link(node_id(doc, "a"), c, 0)
    panel.set_output(c)
    _xs, ys, dys = panel.curve_data()
    np.testing.assert_allclose(ys, math.exp(0.5))
    assert (dys == 0.0).all()
    assert "does not depend on b" in panel.view.readout.text()
    assert g is doc.graph


def test_selection_on_the_canvas_chooses_x_and_y(make_panel) -> None:
    doc, panel = make_panel(two_input_graph())
    a, b, m = node_id(doc, "a"), node_id(doc, "b"), node_id(doc, "m")
    panel.set_selected_node(b)
    assert panel.input_id == b
    panel.set_selected_node(m)
    assert panel.output_id == m
    panel.set_selected_node(None)  # clearing the selection returns y to the output
    assert panel.output_id == node_id(doc, "y")
    panel.set_output(m)  # chosen in the panel: sticks
    panel.set_selected_node(None)
    assert panel.output_id == m
    panel.set_selected_node(a)
    assert (panel.input_id, panel.output_id) == (a, m)
    panel.set_second_input(b)
    panel.set_selected_node(b)  # x₂ selected: the heat map's axes swap
    assert (panel.input_id, panel.second_input_id) == (b, a)
    xs, x2s, values = panel.heat_data()
    np.testing.assert_allclose(values[3], x2s[3] * xs)  # m = a·b over (b, a)


# ------------------------------------------------------------------------------ heat map
def test_the_heat_map_is_y_over_both_inputs_with_the_gradient(make_panel) -> None:
    doc, panel = make_panel(two_input_graph(0.5, -1.0))
    a, b = node_id(doc, "a"), node_id(doc, "b")
    assert panel.heat_data() is None
    panel.set_second_input(b)
    xs, x2s, values = panel.heat_data()
    for j in (0, len(x2s) // 2, len(x2s) - 1):
        expected = np.tanh(xs * x2s[j] + x2s[j])
        np.testing.assert_allclose(values[j], expected, rtol=1e-12, atol=1e-15)
    ev = doc.evaluation
    assert panel.view.heat_point() == (0.5, -1.0, ev.grad_of(a), ev.grad_of(b))
    assert panel.view.heat_shaft.isVisible()
    # The arrow leaves the marker in the gradient's direction (up-left here: g = (-, +)).
    line = panel.view.heat_shaft.line()
    assert (line.x2() - line.x1()) * ev.grad_of(a) > 0
    assert (line.y2() - line.y1()) * ev.grad_of(b) > 0
    assert "∇y = (" in panel.view.readout.text()
    panel.set_second_input(None)
    assert panel.heat_data() is None


def test_the_heat_map_of_a_graph_with_a_function(make_panel) -> None:
    """It failed inside the slot with an IndexError: grids did not inline calls."""
    doc, panel = make_panel(parse("def f(a, b):\n    return tanh(a*b + b)\ny = f(a, b)\n"))
    panel.set_selected_node(node_id(doc, "a"))
    panel.set_second_input(node_id(doc, "b"))
    xs, x2s, values = panel.heat_data()
    for j in (0, len(x2s) - 1):
        np.testing.assert_allclose(values[j], np.tanh(xs * x2s[j] + x2s[j]), rtol=1e-12, atol=1e-15)
    assert "∇y = (" in panel.view.readout.text()


def test_the_heat_map_waits_for_a_pause_in_value_edits(make_panel) -> None:
    g = two_input_graph(0.5, -1.0)
    c = g.add_node("input", "c", 1.0)
    k = g.add_node("mul", "k")
    g.connect(g.find("y").id, k.id, 0)
    g.connect(c.id, k.id, 1)
    doc, panel = make_panel(g)  # k = c · tanh(a·b + b)
    panel.set_second_input(node_id(doc, "b"))
    before = panel.heat_data()[2]
    doc.set_value(node_id(doc, "a"), 0.75)  # an axis of the map: nothing to redo
    np.testing.assert_array_equal(panel.heat_data()[2], before)
    doc.set_value(c.id, 2.0)  # a third input: the map is stale until the pause
    np.testing.assert_array_equal(panel.heat_data()[2], before)
    panel.update_heat_map()
    np.testing.assert_allclose(panel.heat_data()[2], 2.0 * before)
    assert panel.view.heat_point()[2] == pytest.approx(doc.evaluation.grad_of(node_id(doc, "a")))


def test_dragging_on_the_heat_map_moves_both_inputs_in_one_undo_step(make_panel, every_mouse_move) -> None:
    doc, panel = make_panel(two_input_graph(0.5, -1.0))
    a, b = node_id(doc, "a"), node_id(doc, "b")
    panel.set_second_input(b)
    panel.resize(560, 860)
    plot = panel.view.heat_plot
    x2_lo, x2_hi = plot.vb.viewRange()[1]
    target = (1.5, x2_lo + 0.25 * (x2_hi - x2_lo))
    points = [viewport_point(panel, plot, 0.5, -1.0)]
    points += [
        viewport_point(panel, plot, 0.5 + k * 0.25, -1.0 + k * (target[1] + 1.0) / 4) for k in range(1, 5)
    ]
    steps = doc.undo_stack.count()
    drag(panel.view.viewport(), points)
    assert doc.graph.node(a).value == pytest.approx(1.5, abs=0.05)
    assert doc.graph.node(b).value == pytest.approx(target[1], abs=0.05 * (x2_hi - x2_lo))
    assert doc.undo_stack.count() == steps + 1
    doc.undo_stack.undo()
    assert (doc.graph.node(a).value, doc.graph.node(b).value) == (0.5, -1.0)


# ------------------------------------------------------------------------------ export and theme
def test_csv_export_is_the_sweep(make_panel, tmp_path) -> None:
    _doc, panel = make_panel(log_graph(1.0))
    panel.set_range(-1.0, 2.0)
    path = tmp_path / "sweep.csv"
    panel.export_csv(path)
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["x", "y", "dy/dx"]
    xs, ys, dys = panel.curve_data()
    assert len(rows) == len(xs) + 1
    for row, x, y, d in zip(rows[1:], xs, ys, dys, strict=True):
        assert float(row[0]) == x
        assert (row[1] == "") if math.isnan(y) else float(row[1]) == y
        assert (row[2] == "") if math.isnan(d) else float(row[2]) == d


def test_svg_export_is_vector_xml_with_sound_clips(make_panel, tmp_path) -> None:
    g = Graph()
    x = g.add_node("input", "x", 1.0)
    one = g.add_node("const", "one", 1.0)
    d = g.add_node("div", "y")
    g.connect(one.id, d.id, 0)
    g.connect(x.id, d.id, 1)
    _doc, panel = make_panel(g)  # 1/x: a pole whose curve must stay inside its plot
    path = tmp_path / "plot.svg"
    panel.export_svg(path)
    root = ET.parse(path).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    assert root.find(f"{ns}title").text == "y(x)"
    assert root.findall(f".//{ns}image") == []  # every curve, axis and label is vector
    # Each clip is a plot's rectangle in page coordinates, and nothing refers to a
    # missing or empty clip (browsers would then draw nothing at all).
    clips = {c.get("id"): c for c in root.iter(f"{ns}clipPath")}
    assert len(clips) == 2
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    for clip in clips.values():
        (rect,) = list(clip)
        x0, y0, w, h = (float(rect.get(k)) for k in ("x", "y", "width", "height"))
        assert x0 >= 0 and y0 >= 0 and w > 50 and h > 50 and x0 + w <= width + 1 and y0 + h <= height + 1
    for element in root.iter():
        ref = element.get("clip-path")
        if ref is not None:
            assert ref[5:-1] in clips
    # The value curve is stroked in page coordinates, with the value colour.
    value = panel.view.y_curve.pen().color().name()

    def drawn_points(group: ET.Element) -> int:
        return sum(len((c.get("d") or c.get("points") or "").split()) for c in group)

    curves = [g for g in root.iter(f"{ns}g") if g.get("stroke") == value and drawn_points(g) > 100]
    assert curves
    assert all(g.get("transform") == "matrix(1,0,0,1,0,0)" for g in curves)


def test_png_export_is_an_image_of_the_plot(make_panel, tmp_path) -> None:
    _doc, panel = make_panel(square_graph(3.0))
    path = tmp_path / "plot.png"
    panel.export_png(path, scale=2.0)
    image = QImage(str(path))
    assert not image.isNull()
    assert image.width() == 2 * panel.view.viewport().width()
    colours = {
        image.pixelColor(i, j).name() for i in range(0, image.width(), 3) for j in range(0, image.height(), 3)
    }
    assert panel.view.y_curve.pen().color().name() in colours


def test_set_theme_recolours_the_curves(make_panel) -> None:
    _doc, panel = make_panel(square_graph(3.0))
    panel.set_theme(DARK)
    assert panel.view.y_curve.pen().color().name() == DARK.value
    assert panel.view.dy_curve.pen().color().name() == DARK.grad
    assert panel.view.backgroundBrush().color().name() == DARK.background


def test_tick_numbers_have_no_padded_exponents(make_panel) -> None:
    """ "3.8e-07" beside the fixed-width axis ran into its title; "3.8e-7" fits."""
    _doc, panel = make_panel(square_graph(3.0))
    axis = panel.view.dy_plot.getAxis("left")
    assert axis.tickStrings([3.8e-7, 3.6e-7], 1.0, 2e-8) == ["3.8e-7", "3.6e-7"]
    assert axis.tickStrings([1e12, -2e-300], 1.0, 1e12) == ["1e12", "-2e-300"]
    assert axis.tickStrings([0.5, 1.0], 1.0, 0.5) == ["0.5", "1.0"]
