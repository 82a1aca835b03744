"""What the sensitivity plot can draw: ranges and windows that are safe to hand to pyqtgraph.

An input may hold any finite float, 1e308 included, and a curve may reach ±inf or be NaN.
Neither NumPy's ``linspace`` nor pyqtgraph's view boxes cope with spans that overflow or
vanish next to their own magnitude, so every range the panel sets and every y window it
fits goes through here first. ``None`` means "not plottable": the panel then says so in a
note and draws no curve, instead of raising inside a Qt slot.

Imports: standard library and NumPy only.
"""

from __future__ import annotations

import math

import numpy as np

# Axes stop here: far enough for any lesson, and span arithmetic (hi - lo, padding, ticks)
# stays finite with a wide margin.
PLOT_LIMIT = 1e100
# The smallest span relative to its magnitude that still gives distinct samples and ticks.
_RELATIVE_SPAN = 1e-9


def usable_range(lo: float, hi: float) -> bool:
    """True when [lo, hi] can be swept and drawn: finite, ordered, within the limit, resolvable."""
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        return False
    if max(abs(lo), abs(hi)) > PLOT_LIMIT:
        return False
    return hi - lo > _RELATIVE_SPAN * max(abs(lo), abs(hi))


def range_around(center: float, half: float) -> tuple[float, float] | None:
    """A usable range centred on ``center`` at least ``half`` wide each side, or None."""
    if not (math.isfinite(center) and math.isfinite(half)) or abs(center) > PLOT_LIMIT:
        return None
    half = max(abs(half), 1e-3 * abs(center), 1e-12)
    lo, hi = center - half, center + half
    return (lo, hi) if usable_range(lo, hi) else None


def usable_or_around(
    window: tuple[float, float] | None, center: float, half: float = 2.0
) -> tuple[float, float] | None:
    """``window`` when it is usable, else :func:`range_around` ``center``."""
    if window is not None and usable_range(*window):
        return window
    return range_around(center, half)


def drawable(values: np.ndarray) -> np.ndarray:
    """``values`` with everything beyond ±PLOT_LIMIT (and ±inf) turned into gaps (NaN)."""
    v = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(np.abs(v) <= PLOT_LIMIT, v, np.nan)


def slider_fraction(x: float, lo: float, hi: float) -> float | None:
    """Where ``x`` sits in [lo, hi] as 0..1, or None when that is not a number."""
    if not usable_range(lo, hi) or not math.isfinite(x):
        return None
    fraction = (x - lo) / (hi - lo)
    return min(max(fraction, 0.0), 1.0) if math.isfinite(fraction) else None
