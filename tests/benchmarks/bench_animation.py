"""Benchmark: one frame of the chain-rule animation on a 200-node graph.

Target (issue 4): a frame costs <= 16.7 ms (one 60 Hz frame). Two kinds of frame:

* step frame — the player goes to the next position (``seek``: the pure frame at step
  n is computed and only what changed is set on the cards and links), the pulse dot is
  placed, and the view repaints synchronously;
* pulse frame — only the dot moves along the current edge and the view repaints (what
  most frames of a playing animation are).

Positions cycle through the whole trace (forward pass, seed, backward pass, then back to
the start, which changes every card at once). The view is 1280 x 800, shown on the
offscreen platform, at 100% zoom and fitted. Each figure is the median (and p95) of many
frames after a warm-up; the machine is shared, so expect noise. A 1,000-node row is
printed for information.

Run as a script for a table of numbers::

    QT_QPA_PLATFORM=offscreen /work/venv/bin/python tests/benchmarks/bench_animation.py

or under pytest (benchmarking is disabled by default, so each test runs once and checks
that the canvas shows the frame)::

    /work/venv/bin/pytest tests/benchmarks/bench_animation.py --benchmark-enable
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from explorer.animation.frames import Timeline
from explorer.animation.player import Player
from explorer.canvas.scene import GraphScene
from explorer.canvas.view import GraphView
from explorer.document.document import GraphDocument
from explorer.graph.layout import NODE_HEIGHT, NODE_WIDTH
from explorer.graph.model import Graph

VIEW_SIZE = (1280, 800)
UNARY = ("tanh", "sigmoid", "sin")
BINARY = ("add", "mul", "sub")
TARGET_MS = 16.7


def build_graph(columns: int = 20, rows: int = 10, seed: int = 0) -> Graph:
    """``columns * rows`` nodes on a grid with stored positions; every node reaches the output.

    Column 0 holds inputs; each later node reads the node to its left, binary ops also the
    next row, so gradients fan out and the backward pass has running sums.
    """
    rng = random.Random(seed)
    g = Graph()
    step_x, step_y = NODE_WIDTH + 90.0, NODE_HEIGHT + 36.0
    prev = [g.add_node("input", f"x{r}", rng.uniform(-1, 1), (0.0, r * step_y)).id for r in range(rows)]
    for c in range(1, columns):
        cur = []
        for r in range(rows):
            op = rng.choice(BINARY if r % 2 == 0 else UNARY)
            nid = g.add_node(op, position=(c * step_x, r * step_y)).id
            g.connect(prev[r], nid, 0)
            if op in BINARY:
                g.connect(prev[(r + 1) % rows], nid, 1)
            cur.append(nid)
        prev = cur
    # One sum of the last column is the output, so every node matters to it.
    acc = prev[0]
    for k, nid in enumerate(prev[1:]):
        s = g.add_node("add", position=((columns + k // 3) * step_x, (k % rows) * step_y)).id
        g.connect(acc, s, 0)
        g.connect(nid, s, 1)
        acc = s
    g.set_output(acc)
    return g


def _app() -> QApplication:
    app = QApplication.instance()
    return app if isinstance(app, QApplication) else QApplication(sys.argv[:1])


class Stage:
    """Document, scene, shown view and player on the benchmark graph."""

    def __init__(self, graph: Graph) -> None:
        self.app = _app()
        self.document = GraphDocument(graph)
        self.scene = GraphScene(self.document)
        self.view = GraphView(self.scene)
        self.view.resize(*VIEW_SIZE)
        self.view.show()
        self.app.processEvents()
        self.player = Player(self.document, self.scene)
        self.player.seek(0)
        self._n = 0
        self._t = 0.0

    def step_frame(self) -> None:
        """Next position, its first pulse, one repaint."""
        count = self.player.count
        self._n = (self._n + 1) % (count + 1)
        self.player.seek(self._n)
        if self._n < count:
            self.player.show_pulse(self._n, 0.1)
        self.view.viewport().repaint()

    def pulse_frame(self) -> None:
        """The dot moves a little along the current step's edge; one repaint."""
        self._t = (self._t + 0.05) % 1.0
        self.player.show_pulse(min(self._n, self.player.count - 1), self._t)
        self.view.viewport().repaint()

    def close(self) -> None:
        self.view.close()
        self.view.deleteLater()
        self.scene.deleteLater()
        self.app.processEvents()


def _measure(frame: Callable[[], None], frames: int) -> list[float]:
    for _ in range(10):
        frame()
    times = []
    for _ in range(frames):
        t0 = time.perf_counter()
        frame()
        times.append((time.perf_counter() - t0) * 1000.0)
    return times


def _p95(times: list[float]) -> float:
    return sorted(times)[int(0.95 * (len(times) - 1))]


def _check_shows_position(stage: Stage) -> None:
    player, scene = stage.player, stage.scene
    frame = Timeline(stage.document.evaluation).frame(player.position)
    for nid, text in list(frame.grads.items())[:50]:
        if text:
            assert scene.node_item(nid).grad_text().rstrip("…") in text
    for nid in frame.values:
        assert scene.node_item(nid).value_text() == "?"


# ----------------------------------------------------------------------------- pytest


def _bench(benchmark: Callable[..., object], kind: str, fitted: bool) -> None:
    stage = Stage(build_graph())
    try:
        (stage.view.fit_all if fitted else stage.view.zoom_100)()
        benchmark(stage.step_frame if kind == "step" else stage.pulse_frame)
        _check_shows_position(stage)
        assert stage.scene.pulse_item.isVisible() or stage.player.position == stage.player.count
    finally:
        stage.close()


def test_step_frame_200_nodes_fitted(benchmark: Callable[..., object]) -> None:
    _bench(benchmark, "step", fitted=True)


def test_step_frame_200_nodes_100_percent(benchmark: Callable[..., object]) -> None:
    _bench(benchmark, "step", fitted=False)


def test_pulse_frame_200_nodes_fitted(benchmark: Callable[..., object]) -> None:
    _bench(benchmark, "pulse", fitted=True)


# ----------------------------------------------------------------------------- script


def main() -> int:
    for columns, rows in ((20, 10), (50, 20)):
        graph = build_graph(columns, rows)
        stage = Stage(graph)
        tl = stage.player.timeline
        print(
            f"animation, {len(graph)} nodes / {len(graph.edges())} edges, {tl.count} steps, "
            f"view {VIEW_SIZE[0]}x{VIEW_SIZE[1]}"
        )
        t0 = time.perf_counter()
        for n in range(tl.count + 1):
            tl.frame(n)
        per_frame = (time.perf_counter() - t0) * 1000.0 / (tl.count + 1)
        print(f"  pure frame(n) alone:          mean {per_frame:6.2f} ms")
        for label, setup in (("100%  ", stage.view.zoom_100), ("fitted", stage.view.fit_all)):
            setup()
            for kind, frame in (("step ", stage.step_frame), ("pulse", stage.pulse_frame)):
                times = _measure(frame, 3 * tl.count if kind == "step " else 200)
                print(
                    f"  {kind} frame {label}:  median {statistics.median(times):6.2f} ms"
                    f"  p95 {_p95(times):6.2f}  max {max(times):6.2f}   target <= {TARGET_MS}"
                )
        stage.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
