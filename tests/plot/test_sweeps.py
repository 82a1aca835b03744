"""The panel's sweeps (curve, fit, grid) against hand-derived formulas; no Qt."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.graph.model import Graph, GraphError
from explorer.plot import sweeps

from .plot_helpers import square_graph, two_input_graph


def test_curve_is_y_and_its_slope() -> None:
    g = square_graph(3.0)
    xs, ys, dys = sweeps.curve(g, g.find("x").id, g.find("h").id, -1.0, 2.0, 31)
    np.testing.assert_allclose(xs, np.linspace(-1.0, 2.0, 31))
    np.testing.assert_allclose(ys, (2 * xs + 1) ** 2)
    np.testing.assert_allclose(dys, 4 * (2 * xs + 1), atol=1e-12)


def test_unnamed_nodes_are_found_by_id() -> None:
    g = Graph()
    x = g.add_node("input", "", 2.0)
    e = g.add_node("exp", "")
    g.connect(x.id, e.id, 0)
    xs, ys, dys = sweeps.curve(g, x.id, e.id, 0.0, 1.0, 5)
    np.testing.assert_allclose(ys, np.exp(xs))
    np.testing.assert_allclose(dys, np.exp(xs))


def test_grid_is_y_over_both_inputs() -> None:
    g = two_input_graph()
    a, b, y = g.find("a").id, g.find("b").id, g.find("y").id
    xs, x2s = np.linspace(-1, 1, 7), np.linspace(-2, 0, 5)
    values = sweeps.grid(g, a, b, y, xs, x2s)
    assert values.shape == (5, 7)
    np.testing.assert_allclose(values, np.tanh(np.outer(x2s, xs) + x2s[:, None]))
    assert g.find("b").value == -1.0  # the graph itself is untouched


def test_fit_range_holds_the_vertex_and_x() -> None:
    g = square_graph(3.0)
    lo, hi = sweeps.fit_range(g, g.find("x").id, g.find("h").id, 3.0)
    assert lo < -0.5 < 3.0 < hi
    assert sweeps.fit_range(g, g.find("x").id, None, 3.0) == (1.0, 5.0)


def test_a_non_input_x_is_refused() -> None:
    g = square_graph()
    with pytest.raises(GraphError):
        sweeps.curve(g, g.find("m").id, g.find("h").id, 0.0, 1.0, 3)
