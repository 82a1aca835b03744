"""The numbers behind the sensitivity plot, with no Qt: ranges, honest breaks, tangents, CSV.

* :func:`interesting_range` picks an x range around the current x that shows what the
  curve *does* nearby: the nearest extremum or kink, root, inflection, domain edge, and
  the region where the slope is substantial (a sigmoid's S), found on one wide sweep.
* :func:`robust_y_range` frames the curve without letting a pole (``1/x`` near 0) or an
  exponential blow-up squash everything else flat.
* :func:`connect_mask` says which neighbouring samples may be joined by a line: never
  across an undefined sample (a domain gap) and never across a pole, where the samples
  jump from -1000 to +1000 while both derivatives point the other way. Kinks (relu, abs)
  are continuous and stay joined, drawn as they are.
* :func:`tangent_segment` clips the tangent line to the visible window so a steep slope
  never produces coordinates of 1e300.

Imports: standard library and NumPy only.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable

import numpy as np

SweepFunction = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]

SCAN_POINTS = 4001
SCAN_HALF_WIDTH = 16.0  # in units of max(1, |x0|)
SUBSTANTIAL_SLOPE = 0.05  # of the largest |dy/dx| seen, for bell-shaped slopes
NEIGHBOURHOOD = 5.0  # features up to this many times the nearest one's distance count


def _crossings(xs: np.ndarray, a: np.ndarray) -> list[float]:
    """Midpoints between neighbours where the sign of ``a`` changes (both finite)."""
    s = np.sign(a)
    ok = np.isfinite(a[:-1]) & np.isfinite(a[1:])
    hit = ok & (s[:-1] != s[1:])
    idx = np.nonzero(hit)[0]
    return [0.5 * (xs[i] + xs[i + 1]) for i in idx]


def features(xs: np.ndarray, ys: np.ndarray, dys: np.ndarray) -> list[float]:
    """x positions where something happens on a sampled curve, sorted."""
    found: list[float] = []
    finite = np.isfinite(ys)
    edges = np.nonzero(finite[:-1] != finite[1:])[0]
    found += [0.5 * (xs[i] + xs[i + 1]) for i in edges]  # domain edges
    found += _crossings(xs, ys)  # roots
    found += _crossings(xs, dys)  # extrema and kinks (relu: 0 -> 1 changes the sign)
    d2 = np.diff(dys)
    scale = np.nanmax(np.abs(dys)) if np.any(np.isfinite(dys)) else 0.0
    if scale > 0.0:
        # Rounding noise on a straight line would otherwise look like inflections.
        d2 = np.where(np.abs(d2) > 1e-8 * scale, d2, np.nan)
        found += _crossings(0.5 * (xs[:-1] + xs[1:]), d2)
        found += _bell_edges(xs, np.abs(dys))
    return sorted(found)


def _bell_edges(xs: np.ndarray, slope: np.ndarray) -> list[float]:
    """Where a bell-shaped |dy/dx| (sigmoid, tanh) falls below a few percent of its peak.

    Only for a smooth peak inside the scan: a slope that grows towards an end (exp) or
    shoots up at a pole (1/x) has no such region.
    """
    n = len(xs)
    peak = int(np.nanargmax(slope))
    if not n // 10 < peak < n - n // 10:
        return []
    top = slope[peak]
    if not (slope[peak - 1] >= 0.5 * top and slope[peak + 1] >= 0.5 * top):
        return []
    strong = np.where(np.isfinite(slope), slope >= SUBSTANTIAL_SLOPE * top, False)
    change = np.nonzero(strong[:-1] != strong[1:])[0]
    return [0.5 * (xs[i] + xs[i + 1]) for i in change]


def interesting_range(f: SweepFunction, x0: float) -> tuple[float, float]:
    """A range that holds ``x0`` and the nearest features of y on either side.

    ``f(xs) -> (ys, dys)`` is one vectorised sweep. A side with no feature in a wide
    scan gets half the other side's width (or a default), so x0 never sits on an edge;
    past a pole or a narrow gap the range reaches on, so both branches show.
    """
    scale = max(1.0, abs(x0))
    xs = np.linspace(x0 - SCAN_HALF_WIDTH * scale, x0 + SCAN_HALF_WIDTH * scale, SCAN_POINTS)
    ys, dys = f(xs)
    ys = np.asarray(ys, dtype=float)
    dys = np.asarray(dys, dtype=float)
    step = float(xs[1] - xs[0])
    near = 2.5 * step  # features this close to x0 are "here", not a side
    marks: list[float] = []
    for m in features(xs, ys, dys):
        if not marks or m - marks[-1] > near:  # one root-and-extremum is one feature
            marks.append(m)
    # Everything within a few times the nearest feature's distance: a cubic shows both
    # bumps, a parabola far from its vertex shows the vertex, not half the scan.
    away = [m for m in marks if abs(m - x0) > near]
    reach = NEIGHBOURHOOD * min((abs(m - x0) for m in away), default=0.0)
    left = [m for m in away if x0 - reach <= m < x0]
    right = [m for m in away if x0 < m <= x0 + reach]
    lo = left[0] if left else None
    hi = right[-1] if right else None
    finite = np.isfinite(ys)
    breaks = [0.5 * (xs[i] + xs[i + 1]) for i in np.nonzero(~connect_mask(xs, ys, dys)[:-1])[0]]

    def defined(a: float, b: float) -> bool:
        return bool(np.any(finite[(xs > min(a, b)) & (xs < max(a, b))]))

    def reach_on(edge: float, direction: float) -> float:
        """Past a gap or pole the curve may go on: show some of the far branch, and
        from inside a gap show the defined side."""
        if not defined(x0, edge):
            return edge + direction * max(abs(edge - x0), scale)
        if any(abs(c - edge) <= near for c in breaks) and defined(edge, edge + direction * 4 * near):
            return edge + direction * 0.5 * abs(edge - x0)
        return edge

    if lo is not None:
        lo = reach_on(lo, -1.0)
    if hi is not None:
        hi = reach_on(hi, +1.0)

    default = 2.0 * scale
    if lo is None and hi is None:
        lo, hi = x0 - default, x0 + default
    elif lo is None:
        assert hi is not None
        lo = x0 - max(0.5 * (hi - x0), 0.25 * default)
    elif hi is None:
        hi = x0 + max(0.5 * (x0 - lo), 0.25 * default)
    span = hi - lo
    pad = 0.12 * span
    lo, hi = lo - pad, hi + pad
    minimum = 1e-6 * scale
    if hi - lo < minimum:
        lo, hi = x0 - minimum, x0 + minimum
    return nice_bounds(lo, hi)


def nice_bounds(lo: float, hi: float) -> tuple[float, float]:
    """Round outwards to two significant digits of the span, so the range reads cleanly."""
    span = hi - lo
    if not (math.isfinite(span) and span > 0.0):
        return lo, hi
    exponent = math.floor(math.log10(span)) - 1
    unit = 10.0**exponent
    digits = max(0, -exponent)
    # A hair of tolerance, so float dust (5.1000000000000005) does not add a whole unit.
    low = math.floor(lo / unit + 1e-9) * unit
    high = math.ceil(hi / unit - 1e-9) * unit
    return round(low, digits), round(high, digits)


def robust_y_range(values: np.ndarray, pad: float = 0.08) -> tuple[float, float] | None:
    """A y window for the finite samples; ``None`` when there are none.

    The window is the samples' full extent unless the tails are far out of proportion
    with the bulk (a pole): then each tail is cut one bulk-width beyond the 5th/95th
    percentile, so the rest of the curve keeps its shape.
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return None
    lo, hi = float(v.min()), float(v.max())
    if v.size >= 20:
        q5, q95 = (float(q) for q in np.percentile(v, [5.0, 95.0]))
        bulk = q95 - q5
        if bulk > 0.0:
            lo = max(lo, q5 - bulk)
            hi = min(hi, q95 + bulk)
    if hi - lo <= 1e-12 * max(1.0, abs(lo), abs(hi)):
        half = max(1.0, abs(lo) * 0.1)
        return lo - half, hi + half
    margin = pad * (hi - lo)
    return lo - margin, hi + margin


def connect_mask(xs: np.ndarray, ys: np.ndarray, dys: np.ndarray) -> np.ndarray:
    """``mask[i]`` is True when sample i may be joined to sample i+1 (last entry unused).

    A pole is recognised where the secant between two samples climbs one way while the
    derivative at *both* ends points the other way: a continuous curve cannot do that
    between two samples of a fine grid. Without ``dys`` the slopes at the two ends are
    the secants of the neighbouring intervals.
    """
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    n = len(xs)
    mask = np.zeros(n, dtype=bool)
    if n < 2:
        return mask
    finite = np.isfinite(xs) & np.isfinite(ys)
    join = finite[:-1] & finite[1:]
    with np.errstate(all="ignore"):
        rise = np.diff(ys)
        if dys is None:
            secant = rise / np.diff(xs)
            nan = np.array([np.nan])
            d0, d1 = np.concatenate([nan, secant[:-1]]), np.concatenate([secant[1:], nan])
        else:
            d = np.asarray(dys, dtype=float)
            d0, d1 = d[:-1], d[1:]
        same_way = np.isfinite(d0) & np.isfinite(d1) & (np.sign(d0) == np.sign(d1)) & (d0 != 0.0)
        against = np.sign(rise) == -np.sign(d0)
        pole = same_way & against & (rise != 0.0)
    mask[:-1] = join & ~pole
    return mask


def tangent_segment(
    x0: float, y0: float, slope: float, x_lo: float, x_hi: float, y_lo: float, y_hi: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """The tangent line through (x0, y0) over [x_lo, x_hi], clipped to a band a bit
    taller than [y_lo, y_hi]; ``None`` when the point or slope is undefined."""
    if not all(math.isfinite(v) for v in (x0, y0, slope, x_lo, x_hi, y_lo, y_hi)):
        return None
    band = y_hi - y_lo
    y_lo, y_hi = y_lo - band, y_hi + band
    a, b = x_lo, x_hi
    if slope != 0.0:
        # x where the line leaves the band, on either side of x0.
        xa = x0 + (y_lo - y0) / slope
        xb = x0 + (y_hi - y0) / slope
        a = max(a, min(xa, xb))
        b = min(b, max(xa, xb))
    if not a < b:
        a, b = x0, x0
    xs = np.array([a, b])
    return xs, y0 + slope * (xs - x0)


def sweep_csv(xs: np.ndarray, ys: np.ndarray, dys: np.ndarray, x_name: str, y_name: str) -> str:
    """The sweep as CSV text: a header, then one row per sample; undefined cells are empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([x_name, y_name, f"d{y_name}/d{x_name}"])

    def cell(v: float) -> str:
        return format(float(v), ".17g") if math.isfinite(v) else ""

    for x, y, d in zip(xs.tolist(), ys.tolist(), dys.tolist(), strict=True):
        writer.writerow([cell(x), cell(y), cell(d)])
    return out.getvalue()
