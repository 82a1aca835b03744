"""Benchmark: a training frame in the Train dock, and a whole Run of 100 steps.

Targets (issue 11), on the micrograd MLP example (324 nodes, 37 parameters):

* one frame of a run — a training step, the new values written to the document (one
  evaluation, every card's numbers), the canvas repainted (1280 x 800, fitted, and at
  100%) and the loss curve repainted — <= 16.7 ms;
* a Run of 100 steps, timer-driven with the event loop turning (the window paints
  between ticks) — <= 1 s from the click to the last step.

Run as a script for the table::

    QT_QPA_PLATFORM=offscreen PYTHONPATH=. /work/venv/bin/python tests/benchmarks/bench_train_dock.py

or under pytest (benchmarking is disabled by default, so each test runs once)::

    /work/venv/bin/pytest tests/benchmarks/bench_train_dock.py --benchmark-enable
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from explorer.app.train_dock import TrainPanel
from explorer.canvas.scene import GraphScene
from explorer.canvas.view import GraphView
from explorer.document.document import GraphDocument
from explorer.io.format import load

MLP = Path(__file__).resolve().parents[2] / "resources" / "examples" / "micrograd_mlp.json"
VIEW_SIZE = (1280, 800)


def _app() -> QApplication:
    app = QApplication.instance()
    return app if isinstance(app, QApplication) else QApplication(sys.argv[:1])


class Bench:
    """Document, canvas and Train dock on the MLP example, all shown."""

    def __init__(self, fitted: bool = True) -> None:
        self.app = _app()
        self.document = GraphDocument(load(MLP))
        self.scene = GraphScene(self.document)
        self.view = GraphView(self.scene)
        self.view.resize(*VIEW_SIZE)
        self.view.show()
        if fitted:
            self.view.fit_all()
        self.panel = TrainPanel(self.document)
        self.panel.resize(420, 520)
        self.panel.show()
        self.app.processEvents()
        self.panel.step()  # builds the trainer; later frames are plain steps

    def frame(self) -> None:
        trainer = self.panel.trainer
        assert trainer is not None
        self.panel._advance(trainer, 1)
        self.view.viewport().repaint()
        self.panel.curve.viewport().repaint()

    def run_100(self) -> float:
        """Seconds from starting a Run of 100 to its end, the event loop turning."""
        stopped: list[bool] = []
        self.panel.run_stopped.connect(lambda: stopped.append(True))
        t0 = time.perf_counter()
        self.panel.run(100)
        while not stopped:
            self.app.processEvents()
        return time.perf_counter() - t0

    def close(self) -> None:
        self.document.undo_stack.blockSignals(True)
        self.scene.blockSignals(True)
        for widget in (self.panel, self.view):
            widget.close()
            widget.deleteLater()
        self.scene.deleteLater()
        self.app.processEvents()


def test_training_frame_fitted(benchmark: Any) -> None:
    bench = Bench(fitted=True)
    try:
        benchmark(bench.frame)
        trainer = bench.panel.trainer
        assert trainer is not None
        assert bench.document.evaluation.value == trainer.loss
    finally:
        bench.close()


def test_run_100_steps_with_the_window_painting(benchmark: Any) -> None:
    bench = Bench()
    try:
        benchmark.pedantic(bench.run_100, rounds=1, iterations=1)
        trainer = bench.panel.trainer
        assert trainer is not None and trainer.steps == 101  # the first Step, then 100
        assert bench.document.undo_stack.count() == 2
    finally:
        bench.close()


def _median_ms(fn: Callable[[], None], n: int = 60) -> tuple[float, float]:
    """Median (wall, CPU) ms: on a shared machine the CPU figure is the steadier one."""
    for _ in range(5):
        fn()
    wall, cpu = [], []
    for _ in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    for fitted in (True, False):
        bench = Bench(fitted)
        label = "fitted" if fitted else "100%"
        wall, cpu = _median_ms(bench.frame)
        print(f"training frame ({label}): {wall:.1f} ms wall, {cpu:.1f} ms CPU   target <= 16.7")
        bench.close()
    bench = Bench()
    print(f"Run of 100 steps, event loop turning: {bench.run_100() * 1e3:.0f} ms   target <= 1000")
    bench.close()


if __name__ == "__main__":
    main()
