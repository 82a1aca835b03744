"""The two-input sweep behind the heat map: y, ∂y/∂x and ∂y/∂x₂ over a grid in one pass.

Checked against hand-derived formulas, and against the one-dimensional sweep (itself
checked against point evaluation in ``test_properties``): row j of the grid is the
sweep along x with x₂ = x2s[j], column i of ∂y/∂x₂ is the sweep along x₂ with x = xs[i].
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from explorer.graph.functions import flatten
from explorer.graph.model import Graph, GraphError
from explorer.graph.parser import parse
from explorer.graph.tape import sweep, sweep_grid

from .strategies import Builder, describe, graphs, input_names, layered_graphs

XS = np.linspace(-2.0, 2.0, 9)
X2S = np.linspace(-1.5, 1.0, 6)


def product_plus_sine() -> Graph:
    """y = a·b + sin(a) + 2."""
    b = Builder()
    a, bb, two = b.input("a", 0.5), b.input("b", -1.0), b.const(2.0)
    y = b.op("add", b.op("add", b.op("mul", a, bb), b.op("sin", a)), two)
    b.graph.set_output(y)
    return b.graph


def test_grid_matches_the_hand_derivatives() -> None:
    g = product_plus_sine()
    values, d_a, d_b = sweep_grid(g, "a", "b", XS, X2S)
    a, b = np.meshgrid(XS, X2S)  # a[j, i] = XS[i], b[j, i] = X2S[j]
    assert values.shape == d_a.shape == d_b.shape == (len(X2S), len(XS))
    np.testing.assert_allclose(values, a * b + np.sin(a) + 2.0, rtol=1e-14)
    np.testing.assert_allclose(d_a, b + np.cos(a), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(d_b, a, rtol=0, atol=0)
    assert g.find("b").value == -1.0  # the graph is untouched


def test_an_axis_the_output_ignores_has_zero_slope() -> None:
    bld = Builder()
    x, unused = bld.input("x", 1.0), bld.input("u", 3.0)
    y = bld.op("exp", x)
    bld.graph.set_output(y)
    assert unused
    values, d_x, d_u = sweep_grid(bld.graph, "x", "u", XS, X2S)
    np.testing.assert_allclose(values, np.broadcast_to(np.exp(XS), values.shape))
    np.testing.assert_allclose(d_x, values)
    assert np.all(d_u == 0.0)


def test_undefined_points_are_nan_in_all_three() -> None:
    bld = Builder()
    x, x2 = bld.input("x", 1.0), bld.input("x2", 1.0)
    y = bld.op("log", bld.op("mul", x, x2))  # undefined where x·x₂ <= 0
    bld.graph.set_output(y)
    values, d_x, d_x2 = sweep_grid(bld.graph, "x", "x2", XS, X2S)
    a, b = np.meshgrid(XS, X2S)
    bad = a * b <= 0
    assert np.all(np.isnan(values[bad])) and np.all(np.isnan(d_x[bad])) and np.all(np.isnan(d_x2[bad]))
    np.testing.assert_allclose(values[~bad], np.log(a[~bad] * b[~bad]))
    np.testing.assert_allclose(d_x[~bad], 1 / a[~bad])
    np.testing.assert_allclose(d_x2[~bad], 1 / b[~bad])


def test_the_output_may_be_an_axis_itself() -> None:
    g = product_plus_sine()
    values, d_a, d_b = sweep_grid(g, "a", "b", XS, X2S, output="b")
    np.testing.assert_array_equal(values, np.broadcast_to(X2S[:, None], values.shape))
    assert np.all(d_a == 0.0) and np.all(d_b == 1.0)


def test_bad_axes_are_refused() -> None:
    g = product_plus_sine()
    with pytest.raises(GraphError, match="both axes"):
        sweep_grid(g, "a", "a", XS, X2S)
    with pytest.raises(GraphError, match="not an input"):
        sweep_grid(g, "a", g.nodes[-1].id, XS, X2S)
    with pytest.raises(GraphError, match="one-dimensional"):
        sweep_grid(g, "a", "b", np.zeros((2, 2)), X2S)


def assert_grid_equals_sweeps(g: Graph, x: str, x2: str) -> None:
    values, d_x, d_x2 = sweep_grid(g, x, x2, XS, X2S)
    rows = [sweep(g, x, XS, values={x2: float(v)}) for v in X2S]
    ref_y = np.array([r[0] for r in rows])
    ref_dx = np.array([r[1] for r in rows])
    ref_dx2 = np.array([sweep(g, x2, X2S, values={x: float(u)})[1] for u in XS]).T
    # Beyond 1e100 the sweeps let add/sub/mul carry an infinity a few steps (by design);
    # there the two may say "inf" and "undefined": compare everything short of that.
    sane = ~(np.abs(ref_y) >= 1e100) & ~(np.abs(values) >= 1e100)
    # The sweeps compute what does not depend on their one input with Python floats,
    # the grid with NumPy: the same operations, rounded alike to within a few ulps.
    for got, ref in ((values, ref_y), (d_x, ref_dx), (d_x2, ref_dx2)):
        keep = sane & ~(np.abs(ref) >= 1e100) & ~(np.abs(got) >= 1e100)
        scale = 1.0 + np.nanmax(np.abs(ref[keep]), initial=0.0)
        np.testing.assert_allclose(got[keep], ref[keep], rtol=1e-9, atol=1e-12 * scale, equal_nan=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=graphs(min_inputs=2), data=st.data())
def test_grid_equals_one_dimensional_sweeps(g: Graph, data: st.DataObject) -> None:
    note(describe(g))
    names = input_names(g)
    x = data.draw(st.sampled_from(names), label="x")
    x2 = data.draw(st.sampled_from([n for n in names if n != x]), label="x2")
    assert_grid_equals_sweeps(g, x, x2)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=layered_graphs(), data=st.data())
def test_batched_grid_equals_one_dimensional_sweeps(g: Graph, data: st.DataObject) -> None:
    """Wide layers take the grouped path, with the two tangents as a leading axis."""
    names = input_names(g)
    if len(names) < 2:
        return
    note(describe(g))
    x = data.draw(st.sampled_from(names), label="x")
    x2 = data.draw(st.sampled_from([n for n in names if n != x]), label="x2")
    assert_grid_equals_sweeps(g, x, x2)


def test_a_graph_with_function_calls_is_swept_as_its_flat_twin() -> None:
    """The heat map of a graph with functions (it used to fail with an IndexError)."""
    g = parse("def f(a, b):\n    return a*b + sin(a)\ny = f(x, w) + 2\n")
    assert g.has_calls
    values, d_x, d_w = sweep_grid(g, "x", "w", XS, X2S, values={"x": 0.25})
    x, w = np.meshgrid(XS, X2S)
    np.testing.assert_allclose(values, x * w + np.sin(x) + 2.0, rtol=1e-14)
    np.testing.assert_allclose(d_x, w + np.cos(x), rtol=1e-14, atol=1e-15)
    np.testing.assert_array_equal(d_w, x)
    flat, where = flatten(g)
    flat_grid = sweep_grid(flat, "x", "w", XS, X2S, output=where[g.find("y").id])
    for ours, theirs in zip((values, d_x, d_w), flat_grid, strict=True):
        np.testing.assert_array_equal(ours, theirs)
