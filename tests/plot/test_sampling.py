"""The plot's Qt-free numbers: ranges, honest gaps, tangent clipping, CSV (no qtbot here)."""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pytest

from explorer.plot.sampling import (
    connect_mask,
    features,
    interesting_range,
    nice_bounds,
    robust_y_range,
    sweep_csv,
    tangent_segment,
)


def curve(f, df):
    """A sweep function from numpy formulas; non-finite values become NaN, as in tape.sweep."""

    def run(xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(all="ignore"):
            ys, dys = f(xs), df(xs) + 0.0 * xs
        ok = np.isfinite(ys) & np.isfinite(dys)
        return np.where(ok, ys, np.nan), np.where(ok, dys, np.nan)

    return run


SQUARE = curve(lambda x: x * x, lambda x: 2 * x)
LOG = curve(np.log, lambda x: 1 / x)
RECIP = curve(lambda x: 1 / x, lambda x: -1 / x**2)
SIGMOID = curve(lambda x: 1 / (1 + np.exp(-x)), lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2)
CUBIC = curve(lambda x: x**3 - x, lambda x: 3 * x**2 - 1)
RELU = curve(lambda x: np.maximum(x, 0.0), lambda x: (x > 0) * 1.0)


# ---------------------------------------------------------------------------------- ranges
@pytest.mark.parametrize(
    ("f", "x0", "must_hold"),
    [
        (SQUARE, 3.0, [0.0, 3.0]),  # the vertex, seen from afar
        (CUBIC, 2.0, [-1.0, -1 / math.sqrt(3), 1 / math.sqrt(3), 1.0, 2.0]),  # both bumps, all roots
        (LOG, 1.0, [0.0, 1.0]),  # the domain edge
        (RECIP, 1.0, [-0.25, 0.0, 1.0]),  # the pole and a piece of the far branch
        (RELU, 2.0, [0.0, 2.0]),  # the kink
        (SIGMOID, 0.0, [-4.0, 4.0]),  # where the slope is more than a few % of its peak
    ],
)
def test_interesting_range_holds_the_features(f, x0, must_hold) -> None:
    lo, hi = interesting_range(f, x0)
    for x in must_hold:
        assert lo < x < hi, (lo, hi, x)
    # ... and it is a close-up, not the whole scan.
    assert hi - lo <= 12.0


def test_interesting_range_from_inside_a_gap_reaches_the_defined_side() -> None:
    lo, hi = interesting_range(LOG, -1.0)
    assert lo < -1.0 < 0.0 < 0.5 < hi


def test_interesting_range_of_a_featureless_curve_is_centred() -> None:
    lo, hi = interesting_range(curve(np.exp, np.exp), 0.0)
    assert lo < 0.0 < hi
    assert abs((lo + hi) / 2) < 0.05 * (hi - lo)


def test_features_find_an_extremum_a_root_and_an_edge() -> None:
    xs = np.linspace(-2.0, 3.0, 1001)
    ys, dys = curve(lambda x: np.sqrt(x) * (x - 1.0), lambda x: 1.5 * np.sqrt(x) - 0.5 / np.sqrt(x))(xs)
    found = features(xs, ys, dys)
    for x in (0.0, 1.0 / 3.0, 1.0):  # edge, minimum, root
        assert min(abs(f - x) for f in found) < 0.01


def test_nice_bounds_round_outwards() -> None:
    assert nice_bounds(-0.6000000000000001, 5.1000000000000005) == (-0.6, 5.1)  # float dust
    assert nice_bounds(-0.61, 5.11) == (-0.7, 5.2)
    assert nice_bounds(0.1234, 0.1876) == (0.123, 0.188)


# ---------------------------------------------------------------------------------- y window
def test_robust_y_range_keeps_a_smooth_curve_whole() -> None:
    xs = np.linspace(-3, 3, 500)
    lo, hi = robust_y_range(xs * xs)
    assert lo < 0.0 and hi > 9.0
    assert hi - lo < 9.0 * 1.2


def test_robust_y_range_is_not_flattened_by_a_pole() -> None:
    xs = np.linspace(-1, 2, 500)
    with np.errstate(divide="ignore"):
        ys = 1 / xs
    lo, hi = robust_y_range(ys)
    assert np.nanmax(np.abs(ys[np.isfinite(ys)])) > 400
    assert -200 < lo < -1 and 2 < hi < 200


def test_robust_y_range_of_nothing_and_of_a_constant() -> None:
    assert robust_y_range(np.full(10, np.nan)) is None
    lo, hi = robust_y_range(np.full(10, 5.0))
    assert lo < 5.0 < hi


# ---------------------------------------------------------------------------------- honest curves
def test_connect_mask_breaks_at_undefined_samples() -> None:
    xs = np.linspace(-1, 2, 301)
    ys, dys = LOG(xs)
    mask = connect_mask(xs, ys, dys)
    defined = np.isfinite(ys)
    assert not mask[:-1][~defined[:-1]].any()  # nothing leaves an undefined sample
    assert not mask[:-1][~defined[1:]].any()  # nothing enters one
    assert mask[:-1][defined[:-1] & defined[1:]].all()  # the defined part is one stroke


def test_connect_mask_breaks_across_a_pole_and_nowhere_else() -> None:
    xs = np.linspace(-1.003, 2.0, 400)  # 0 falls between two samples
    ys, dys = RECIP(xs)
    assert np.isfinite(ys).all()
    mask = connect_mask(xs, ys, dys)
    cut = np.nonzero(~mask[:-1])[0]
    assert len(cut) == 1
    assert xs[cut[0]] < 0.0 < xs[cut[0] + 1]


def test_connect_mask_without_derivatives_still_finds_the_pole() -> None:
    xs = np.linspace(-1.003, 2.0, 400)
    with np.errstate(all="ignore"):
        slope = -2.0 / xs**3  # d/dx of 1/x², whose own graph jumps at 0
    mask = connect_mask(xs, slope, None)
    cut = np.nonzero(~mask[:-1])[0]
    assert len(cut) == 1 and xs[cut[0]] < 0.0 < xs[cut[0] + 1]


@pytest.mark.parametrize(
    "f",
    [
        RELU,
        curve(np.abs, np.sign),
        curve(np.sin, np.cos),
        SQUARE,
        SIGMOID,
        curve(np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    ],
)
def test_connect_mask_keeps_continuous_curves_and_kinks_whole(f) -> None:
    xs = np.linspace(-3.1, 2.9, 500)
    ys, dys = f(xs)
    assert connect_mask(xs, ys, dys)[:-1].all()
    assert connect_mask(xs, dys, None)[:-1].all() or f is RELU  # relu' is a step: joined or not, no spike


# ---------------------------------------------------------------------------------- tangent
def test_tangent_passes_through_the_point_with_the_slope() -> None:
    xs, ys = tangent_segment(3.0, 49.0, 28.0, -1.2, 5.4, 0.0, 140.0)
    assert xs[0] < 3.0 < xs[1]
    slope = (ys[1] - ys[0]) / (xs[1] - xs[0])
    assert slope == pytest.approx(28.0)
    assert 49.0 + 28.0 * (xs[0] - 3.0) == pytest.approx(ys[0])


def test_a_steep_tangent_is_clipped_to_the_view() -> None:
    xs, ys = tangent_segment(0.0, 0.0, 1e9, -1.0, 1.0, -1.0, 1.0)
    assert np.all(np.abs(ys) <= 3.0 + 1e-9)
    assert xs[1] - xs[0] < 1e-8


def test_no_tangent_at_an_undefined_point() -> None:
    assert tangent_segment(0.0, math.nan, 1.0, -1.0, 1.0, -1.0, 1.0) is None
    assert tangent_segment(0.0, 1.0, math.nan, -1.0, 1.0, -1.0, 1.0) is None


def test_a_flat_tangent_spans_the_range() -> None:
    xs, ys = tangent_segment(0.5, 2.0, 0.0, -1.0, 1.0, 0.0, 3.0)
    assert list(xs) == [-1.0, 1.0] and list(ys) == [2.0, 2.0]


# ---------------------------------------------------------------------------------- CSV
def test_sweep_csv_round_trips_and_leaves_undefined_cells_empty() -> None:
    xs = np.array([-1.0, 0.5, 2.0])
    ys = np.array([math.nan, math.log(0.5), math.log(2.0)])
    dys = np.array([math.nan, 2.0, 0.5])
    rows = list(csv.reader(io.StringIO(sweep_csv(xs, ys, dys, "x", "loss"))))
    assert rows[0] == ["x", "loss", "dloss/dx"]
    assert rows[1] == ["-1", "", ""]
    assert float(rows[2][1]) == math.log(0.5)  # 17 significant digits: exact
    assert [float(v) for v in rows[3]] == [2.0, math.log(2.0), 0.5]
