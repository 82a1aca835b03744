"""Benchmark: gradient descent on the graph.

Targets (issue 11):

* one training step (forward, backward, update of every trainable input) on a
  1,000-node graph — an MLP whose 100+ weights are all trainable — <= 2 ms;
* a run of 100 steps on the micrograd MLP example — <= 1 s in all (the engine's share;
  the Train dock's repaint per step is measured in ``bench_train_dock.py``).

Run as a script for the table (medians in ms)::

    PYTHONPATH=. /work/venv/bin/python tests/benchmarks/bench_training.py

or under pytest (benchmarking is disabled by default, so each case runs once)::

    /work/venv/bin/pytest tests/benchmarks/bench_training.py --benchmark-enable
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from explorer.graph.model import Graph
from explorer.graph.templates import mlp
from explorer.graph.training import Trainer
from explorer.io.format import load

MLP_EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "examples" / "micrograd_mlp.json"


def big_network() -> Graph:
    """A 4-8-8-1 tanh MLP on 4 rows: 1,056 nodes, 121 trainable parameters."""
    rng = random.Random(0)
    xs = [[rng.uniform(-1, 1) for _ in range(4)] for _ in range(4)]
    ys = [rng.choice([-1.0, 1.0]) for _ in range(4)]
    g = mlp(4, [8, 8, 1], xs, ys, "tanh", seed=0)
    assert len(g) >= 1000
    return g


def one_step(trainer: Trainer) -> Callable[[], object]:
    """A fresh step each call (always from the end of the path, lr small enough not to diverge)."""
    return trainer.step


def test_one_step_1000_nodes(benchmark: Any) -> None:
    trainer = Trainer(big_network(), 0.001)
    start = trainer.loss
    problem = benchmark(one_step(trainer))
    assert problem is None and trainer.loss < start


def test_run_100_steps_mlp_example(benchmark: Any) -> None:
    g = load(MLP_EXAMPLE)

    def run() -> Trainer:
        trainer = Trainer(g, 0.05)
        assert trainer.run(100) is None
        return trainer

    trainer = benchmark(run)
    assert trainer.losses[-1] < trainer.losses[0] / 10


def _time(fn: Callable[[], object], repeats: int = 200) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main() -> None:
    g = big_network()
    trainer = Trainer(g, 0.001)
    step = _time(trainer.step)
    print(f"one step, {len(g)} nodes, {len(trainer.parameters)} parameters: {step:.3f} ms (target 2)")
    example = load(MLP_EXAMPLE)
    run = _time(lambda: Trainer(example, 0.05).run(100), repeats=10)
    print(f"100 steps on the MLP example ({len(example)} nodes): {run:.1f} ms (target 1000)")


if __name__ == "__main__":
    main()
