"""Benchmark: laying out a graph that arrives without positions.

Graphs: the engine benchmark's ``random`` DAG (one long path; second operands drawn from
all earlier bounded nodes, so long edges everywhere), its ``chain`` (two constants read
all along it) and its tanh network ``mlp``. Targets: <= 150 ms at 1,000 nodes and
<= 2 s at 10,000.

Run as a script for the table (median and best, in ms)::

    PYTHONPATH=. /work/venv/bin/python tests/benchmarks/bench_layout.py

or under pytest (benchmarking is disabled by default, so each case runs once)::

    /work/venv/bin/pytest tests/benchmarks/bench_layout.py --benchmark-enable
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import pytest

from explorer.graph.layout import compute_layout
from explorer.graph.model import Graph
from tests.benchmarks.bench_engine import chain, mlp, random_dag

TARGETS = {1000: 150.0, 10_000: 2000.0}
BUILDERS: dict[str, Callable[[int], Graph]] = {"random": random_dag, "chain": chain, "mlp": mlp}


@pytest.mark.parametrize("kind", list(BUILDERS))
@pytest.mark.parametrize("n", [1000])
def test_layout(benchmark: Any, kind: str, n: int) -> None:
    g = BUILDERS[kind](n)
    result = benchmark(compute_layout, g)
    pos = result.positions
    assert len(pos) == len(g)
    assert all(pos[e.source][0] < pos[e.target][0] for e in g.edges())


def main() -> None:
    print(f"layout without positions; times in ms; load {os.getloadavg()[0]:.1f}")
    print(f"{'graph':8}{'nodes':>7}{'median':>9}{'best':>9}{'target':>8}  met")
    for n in TARGETS:
        for kind, build in BUILDERS.items():
            g = build(n)
            times = []
            for _ in range(7 if n < 10_000 else 3):
                t0 = time.perf_counter()
                compute_layout(g)
                times.append((time.perf_counter() - t0) * 1e3)
            median = statistics.median(times)
            met = "yes" if median <= TARGETS[n] else "NO"
            print(f"{kind:8}{len(g):>7}{median:>9.0f}{min(times):>9.0f}{TARGETS[n]:>8g}  {met}")


if __name__ == "__main__":
    main()
