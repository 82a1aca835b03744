"""Benchmark: the heat map's grid, y and both partial derivatives over two inputs.

One :func:`~explorer.graph.tape.sweep_grid` over a 64 × 64 grid (x0 across, x1 up) on
a random DAG (the engine benchmark's ``random``: one long path, second operands drawn
from earlier bounded nodes) and on a tanh network (``mlp``). Targets: <= 20 ms at 200
nodes and <= 80 ms at 1,000. The baseline is what the heat map did before: one
one-dimensional sweep along x0 per row (values and dy/dx0 only).

Run as a script for the table (median and best over repeats, in ms)::

    PYTHONPATH=. /work/venv/bin/python tests/benchmarks/bench_heatmap.py

or under pytest (benchmarking is disabled by default, so each case runs once)::

    /work/venv/bin/pytest tests/benchmarks/bench_heatmap.py --benchmark-enable
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from explorer.graph.model import Graph
from explorer.graph.tape import sweep, sweep_grid
from tests.benchmarks.bench_engine import mlp, random_dag

SIDE = 64
XS = np.linspace(-2.0, 2.0, SIDE)
X2S = np.linspace(-1.5, 1.5, SIDE)
TARGETS = {200: 20.0, 1000: 80.0}
BUILDERS: dict[str, Callable[[int], Graph]] = {"random": random_dag, "mlp": mlp}


def grid(g: Graph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return sweep_grid(g, "x0", "x1", XS, X2S)


def rows_of_sweeps(g: Graph) -> np.ndarray:
    """The old heat map: one sweep along x0 per value of x1."""
    return np.array([sweep(g, "x0", XS, values={"x1": float(v)})[0] for v in X2S])


@pytest.mark.parametrize("kind", ["random", "mlp"])
@pytest.mark.parametrize("n", [200, 1000])
def test_grid_64x64(benchmark: Any, kind: str, n: int) -> None:
    g = BUILDERS[kind](n)
    grid(g)  # compile the tape once, as switching the heat map on does
    values, d_x, d_x2 = benchmark(grid, g)
    assert values.shape == d_x.shape == d_x2.shape == (SIDE, SIDE)
    for j in (0, SIDE // 2, SIDE - 1):  # rows against the one-dimensional sweep
        ys, dys = sweep(g, "x0", XS, values={"x1": float(X2S[j])})
        np.testing.assert_allclose(values[j], ys, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(d_x[j], dys, rtol=1e-9, atol=1e-12)
    _, d_col = sweep(g, "x1", X2S, values={"x0": float(XS[5])})
    np.testing.assert_allclose(d_x2[:, 5], d_col, rtol=1e-9, atol=1e-12)


def _time(fn: Callable[[], object], budget: float = 1.0, most: int = 60) -> tuple[float, float]:
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < most and (len(times) < 7 or time.perf_counter() - start < budget):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times), min(times)


def main() -> None:
    print(f"{SIDE} x {SIDE} grid: y, dy/dx0, dy/dx1; times in ms; load {os.getloadavg()[0]:.1f}")
    print(f"{'graph':8}{'nodes':>6}{'median':>9}{'best':>8}{'64 sweeps':>11}{'target':>8}  met")
    for n in (200, 1000):
        for kind, build in BUILDERS.items():
            g = build(n)
            grid(g)
            rows_of_sweeps(g)
            median, best = _time(lambda g=g: grid(g))  # type: ignore[misc]
            old = _time(lambda g=g: rows_of_sweeps(g), most=9)[0]  # type: ignore[misc]
            met = "yes" if median <= TARGETS[n] else "NO"
            print(f"{kind:8}{len(g):>6}{median:>9.1f}{best:>8.1f}{old:>11.1f}{TARGETS[n]:>8g}  {met}")


if __name__ == "__main__":
    main()
    sys.exit(0)
