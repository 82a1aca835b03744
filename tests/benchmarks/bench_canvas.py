"""Benchmarks: the node canvas at 1,000 nodes.

Targets (issue 3):

* open — a 1,000-node graph (with stored positions, as a saved file has) goes from a
  document to the first full render of a fitted view in <= 150 ms;
* value frame — one frame in which every node's value changes (set an input the whole
  graph depends on: evaluate, hand the numbers to the cards, repaint) costs <= 16.7 ms
  at 100% zoom and <= 30 ms with the whole graph fitted in the window.

The view is 1280 x 800 and shown (offscreen platform); a frame is ``set_value`` plus a
synchronous ``viewport().repaint()``. Each figure is the median of many runs after a
warm-up. The script prints wall-clock time and this process's CPU time: on a shared
machine the CPU figure is the steadier one.

Run as a script for a table of numbers::

    QT_QPA_PLATFORM=offscreen /work/venv/bin/python tests/benchmarks/bench_canvas.py

or under pytest (benchmarking is disabled by default, so each test runs once and only
checks that the canvas showed the new numbers)::

    /work/venv/bin/pytest tests/benchmarks/bench_canvas.py --benchmark-enable
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from itertools import count

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from explorer.canvas.scene import GraphScene
from explorer.canvas.view import GraphView
from explorer.document.document import GraphDocument
from explorer.graph.layout import NODE_HEIGHT, NODE_WIDTH
from explorer.graph.model import Graph
from explorer.theme import format_number

VIEW_SIZE = (1280, 800)
UNARY = ("tanh", "sigmoid", "sin")
BINARY = ("add", "mul", "sub")


def build_graph(columns: int = 25, rows: int = 40, seed: int = 0) -> tuple[Graph, str]:
    """``columns * rows`` nodes on a grid, as a laid-out file would have them.

    Column 0 holds inputs; every later node reads the node to its left, and binary ops
    also read the next row. Column 1 is all binary and also reads ``x0``, so every
    computed node depends on ``x0``: setting it changes every value on the canvas.
    Returns the graph and the id of ``x0``.
    """
    rng = random.Random(seed)
    g = Graph()
    step_x, step_y = NODE_WIDTH + 90.0, NODE_HEIGHT + 36.0
    prev = [g.add_node("input", f"x{r}", rng.uniform(-1, 1), (0.0, r * step_y)).id for r in range(rows)]
    x0 = prev[0]
    for c in range(1, columns):
        cur = []
        for r in range(rows):
            op = rng.choice(BINARY if c == 1 or r % 2 == 0 else UNARY)
            nid = g.add_node(op, position=(c * step_x, r * step_y)).id
            g.connect(prev[r], nid, 0)
            if op in BINARY:
                g.connect(x0 if c == 1 else prev[(r + 1) % rows], nid, 1)
            cur.append(nid)
        prev = cur
    g.set_output(prev[0])
    return g, x0


def _app() -> QApplication:
    app = QApplication.instance()
    return app if isinstance(app, QApplication) else QApplication(sys.argv[:1])


class Canvas:
    """A document, scene and shown view on the benchmark graph."""

    def __init__(self, graph: Graph, input_id: str) -> None:
        self.app = _app()
        self.document = GraphDocument(graph)
        self.input_id = input_id
        self.scene: GraphScene | None = None
        self.view: GraphView | None = None
        self._values = count()

    def open(self) -> None:
        """Scene + view + fit + first full render: what opening a file costs the canvas."""
        self.scene = GraphScene(self.document)
        self.view = GraphView(self.scene)
        self.view.resize(*VIEW_SIZE)
        self.view.show()  # lays the viewport out, so fit_all knows its size
        self.view.fit_all()
        self.app.processEvents()  # the window is exposed and painted here

    def frame(self) -> None:
        """Every node's value changes, then one repaint."""
        assert self.view is not None
        self.document.set_value(self.input_id, 0.25 + 1e-3 * (next(self._values) % 500))
        self.view.viewport().repaint()

    def close(self) -> None:
        # Tearing down emits signals into Python slots of objects that are half gone.
        self.document.undo_stack.blockSignals(True)
        if self.scene is not None:
            self.scene.blockSignals(True)
        if self.view is not None:
            self.view.close()
            self.view.deleteLater()
        if self.scene is not None:
            self.scene.deleteLater()
        self.app.processEvents()


def _check_shows_current_numbers(canvas: Canvas) -> None:
    assert canvas.scene is not None
    ev = canvas.document.evaluation
    for node in canvas.document.graph.nodes[-40:]:
        item = canvas.scene.node_item(node.id)
        assert item.value_text() == format_number(ev.value_of(node.id))


def _timed(fn: Callable[[], None]) -> tuple[float, float]:
    """(wall ms, CPU ms) of one call."""
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - w0) * 1000.0, (time.process_time() - c0) * 1000.0


def open_ms(repeats: int) -> list[tuple[float, float]]:
    times = []
    for _ in range(repeats):
        canvas = Canvas(*build_graph())
        times.append(_timed(canvas.open))
        canvas.close()
    return times


def frame_ms(canvas: Canvas, setup: Callable[[], None], frames: int) -> list[tuple[float, float]]:
    setup()
    for _ in range(5):
        canvas.frame()
    return [_timed(canvas.frame) for _ in range(frames)]


def _row(label: str, times: list[tuple[float, float]], target: float, extra: str = "") -> str:
    wall = statistics.median(t[0] for t in times)
    cpu = statistics.median(t[1] for t in times)
    return f"{label}: median {wall:6.1f} ms wall, {cpu:6.1f} ms CPU{extra}   target <= {target:g}"


# ----------------------------------------------------------------------------- pytest


def test_open_1000_nodes(benchmark: Callable[..., object]) -> None:
    canvases: list[Canvas] = []

    def run() -> None:
        canvas = Canvas(*build_graph())
        canvases.append(canvas)
        canvas.open()

    benchmark(run)
    canvas = canvases[-1]
    try:
        assert canvas.scene is not None and len(canvas.scene.node_items()) == 1000
        _check_shows_current_numbers(canvas)
    finally:
        for c in canvases:
            c.close()


def _frame_bench(benchmark: Callable[..., object], fitted: bool) -> None:
    canvas = Canvas(*build_graph())
    canvas.open()
    try:
        assert canvas.view is not None
        (canvas.view.fit_all if fitted else canvas.view.zoom_100)()
        benchmark(canvas.frame)
        _check_shows_current_numbers(canvas)
    finally:
        canvas.close()


def test_value_frame_100_percent(benchmark: Callable[..., object]) -> None:
    _frame_bench(benchmark, fitted=False)


def test_value_frame_fitted(benchmark: Callable[..., object]) -> None:
    _frame_bench(benchmark, fitted=True)


# ----------------------------------------------------------------------------- script


def main() -> int:
    graph, _ = build_graph()
    print(f"canvas, {len(graph)} nodes / {len(graph.edges())} edges, view {VIEW_SIZE[0]}x{VIEW_SIZE[1]}")
    open_ms(1)  # fonts, glyph caches and imports are a one-time cost of the process
    print(_row("open to first render", open_ms(12), 150.0))
    canvas = Canvas(*build_graph())
    canvas.open()
    assert canvas.view is not None
    for label, setup, target in (
        ("value frame, 100%  ", canvas.view.zoom_100, 16.7),
        ("value frame, fitted", canvas.view.fit_all, 30.0),
    ):
        times = frame_ms(canvas, setup, 60)
        print(_row(label, times, target, f" (zoom {canvas.view.zoom:.3f})"))
    canvas.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
