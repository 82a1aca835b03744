"""Benchmark: the engine against a micrograd-style scalar ``Value`` loop.

What is measured, on graphs people build (layered tanh networks with weights as inputs,
a plain random DAG) and on a 10,000-node chain:

* one 500-point sweep (y and dy/dx) — targets <= 0.5 / 3 / 40 ms at 200 / 1,000 /
  10,000 nodes; the baseline evaluates the same graph point by point with ``Value``;
* recompiling after an edit (one structural change, then ``compile_graph``) —
  targets <= 1 / 10 ms at 200 / 1,000 nodes;
* one evaluation with every node's value and gradient at 1,000 nodes — target <= 1 ms;
  the baseline is one ``Value`` forward + ``backward()``;
* the same tanh network with every neuron grouped into a function, against the flat
  network: evaluation and sweep may cost at most 10% more (functions compile inline).

Run as a script for the table (numbers are medians over repeats, in ms)::

    PYTHONPATH=/work/main /work/venv/bin/python tests/benchmarks/bench_engine.py

or under pytest (benchmarking is disabled by default, so each case runs once)::

    /work/venv/bin/pytest tests/benchmarks/bench_engine.py --benchmark-enable
"""

from __future__ import annotations

import itertools
import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from explorer.graph.engine import Program, compile_graph, evaluate
from explorer.graph.functions import group
from explorer.graph.model import Graph
from explorer.graph.tape import sweep

XS = np.linspace(-2.0, 2.0, 500)


# ------------------------------------------------------------------ graphs people build
def mlp(n_nodes: int, n_in: int = 4, depth: int = 3, seed: int = 0) -> Graph:
    """A tanh network (n_in -> w -> ... -> w -> 1, squared-error loss) of about n_nodes.

    Each neuron is tanh(Σ w·x + b) with its weights and bias as *input* nodes, so the
    graph is what a learner gets from micrograd's ``MLP``; the width w is chosen to
    land near ``n_nodes``.
    """

    def size(w: int) -> int:
        sizes = [n_in] + [w] * depth + [1]
        return n_in + sum(m * (3 * k + 2) for k, m in itertools.pairwise(sizes)) + 4

    width = 1
    while size(width + 1) <= n_nodes:
        width += 1
    rng = random.Random(seed)
    g = Graph()
    layer = [g.add_node("input", f"x{i}", rng.uniform(-1, 1)).id for i in range(n_in)]
    for depth_index, m in enumerate([width] * depth + [1]):
        nxt = []
        for j in range(m):
            acc = g.add_node("input", f"b{depth_index}_{j}", rng.uniform(-1, 1)).id
            for k, src in enumerate(layer):
                w = g.add_node("input", f"w{depth_index}_{j}_{k}", rng.uniform(-1, 1)).id
                prod = g.add_node("mul").id
                g.connect(w, prod, 0)
                g.connect(src, prod, 1)
                total = g.add_node("add").id
                g.connect(acc, total, 0)
                g.connect(prod, total, 1)
                acc = total
            out = g.add_node("tanh").id
            g.connect(acc, out, 0)
            nxt.append(out)
        layer = nxt
    target = g.add_node("const", "target", 0.5).id
    diff = g.add_node("sub").id
    g.connect(layer[0], diff, 0)
    g.connect(target, diff, 1)
    two = g.add_node("const", "two", 2.0).id
    loss = g.add_node("pow", "loss").id
    g.connect(diff, loss, 0)
    g.connect(two, loss, 1)
    g.set_output(loss)
    return g


def random_dag(n_nodes: int, n_inputs: int = 8, seed: int = 0) -> Graph:
    """A random DAG of smooth ops on one long path from x0 to the output.

    Second operands are drawn from earlier *bounded* nodes (inputs, the constant, and
    tanh/sigmoid/sin/cos results), so values grow at most linearly along the path.
    """
    unary, binary = ("tanh", "sigmoid", "sin", "cos", "neg"), ("add", "mul", "sub")
    rng = random.Random(seed)
    g = Graph()
    bounded = [g.add_node("input", f"x{i}", rng.uniform(-1.0, 1.0)).id for i in range(n_inputs)]
    bounded.append(g.add_node("const", "k", 0.5).id)
    prev = bounded[0]
    while len(g) < n_nodes:
        if rng.random() < 0.4:
            node = g.add_node(rng.choice(unary))
            g.connect(prev, node.id, 0)
            if node.op != "neg":
                bounded.append(node.id)
        else:
            node = g.add_node(rng.choice(binary))
            g.connect(prev, node.id, 0)
            g.connect(rng.choice(bounded), node.id, 1)
        prev = node.id
    g.set_output(prev)
    return g


def chain(n_nodes: int) -> Graph:
    """x -> (·1.0001, +0.001, tanh, ·1.0001, ...): one node after another."""
    g = Graph()
    prev = g.add_node("input", "x0", 0.5).id
    k = g.add_node("const", "k", 1.0001).id
    c = g.add_node("const", "c", 0.001).id
    ops = ("mul", "add", "tanh")
    i = 0
    while len(g) < n_nodes:
        op = ops[i % 3]
        node = g.add_node(op).id
        g.connect(prev, node, 0)
        if op != "tanh":
            g.connect(k if op == "mul" else c, node, 1)
        prev = node
        i += 1
    g.set_output(prev)
    return g


def mlp_functions(n_nodes: int) -> Graph:
    """:func:`mlp` with each neuron (its products, sums and tanh) grouped into a function."""
    g = mlp(n_nodes)
    neurons = []
    for node in g:
        if node.op == "tanh":
            chosen, stack = [], [node.id]
            while stack:
                nid = stack.pop()
                chosen.append(nid)
                stack.extend(s for s in g.node(nid).operands if s and g.node(s).op in ("add", "mul"))
            neurons.append(chosen)
    for k, chosen in enumerate(neurons):
        g = group(g, chosen, f"neuron{k}")
    return g


BUILDERS: dict[str, Callable[[int], Graph]] = {
    "mlp": mlp,
    "random": random_dag,
    "chain": chain,
    "mlp_fn": mlp_functions,
}


# ------------------------------------------------------------------ the micrograd baseline
class Value:
    """micrograd's scalar autograd value: data, grad, a backward closure, children."""

    __slots__ = ("_backward", "_prev", "data", "grad")

    def __init__(self, data: float, children: tuple[Value, ...] = ()) -> None:
        self.data = data
        self.grad = 0.0
        self._backward: Callable[[], None] = lambda: None
        self._prev = children

    def __add__(self, other: Value) -> Value:
        out = Value(self.data + other.data, (self, other))

        def _backward() -> None:
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __sub__(self, other: Value) -> Value:
        out = Value(self.data - other.data, (self, other))

        def _backward() -> None:
            self.grad += out.grad
            other.grad -= out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Value) -> Value:
        out = Value(self.data * other.data, (self, other))

        def _backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, other: Value) -> Value:  # constant exponent, as in micrograd
        out = Value(self.data**other.data, (self,))

        def _backward() -> None:
            self.grad += other.data * self.data ** (other.data - 1) * out.grad

        out._backward = _backward
        return out

    def __neg__(self) -> Value:
        out = Value(-self.data, (self,))

        def _backward() -> None:
            self.grad -= out.grad

        out._backward = _backward
        return out

    def _unary(self, value: float, local: float) -> Value:
        out = Value(value, (self,))

        def _backward() -> None:
            self.grad += local * out.grad

        out._backward = _backward
        return out

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        return self._unary(t, 1 - t * t)

    def sigmoid(self) -> Value:
        s = 1 / (1 + math.exp(-self.data))
        return self._unary(s, s * (1 - s))

    def exp(self) -> Value:
        e = math.exp(self.data)
        return self._unary(e, e)

    def sin(self) -> Value:
        return self._unary(math.sin(self.data), math.cos(self.data))

    def cos(self) -> Value:
        return self._unary(math.cos(self.data), -math.sin(self.data))

    def backward(self) -> None:
        # micrograd's topological sort, made iterative so a 10,000-node chain works
        topo: list[Value] = []
        visited: set[int] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:
            v, expanded = stack.pop()
            if expanded:
                topo.append(v)
            elif id(v) not in visited:
                visited.add(id(v))
                stack.append((v, True))
                stack.extend((c, False) for c in v._prev if id(c) not in visited)
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()


_VALUE_OPS: dict[str, Callable[..., Value]] = {
    "add": Value.__add__,
    "sub": Value.__sub__,
    "mul": Value.__mul__,
    "pow": Value.__pow__,
    "neg": Value.__neg__,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "exp": Value.exp,
    "sin": Value.sin,
    "cos": Value.cos,
}


def micrograd_point(program: Program, leaves: list[float], x: int, xv: float) -> tuple[float, float]:
    """y and dy/dx at one x, micrograd's way: build the Values, then backward()."""
    vals: list[Any] = [None] * len(program.ids)
    for i in program.leaves:
        vals[i] = Value(xv if i == x else leaves[i])
    for i, op in enumerate(program.ops):
        if op.arity:
            vals[i] = _VALUE_OPS[op.name](*(vals[j] for j in program.operands[i]))
    out = vals[-1]
    out.backward()
    return out.data, vals[x].grad


def micrograd_sweep(g: Graph, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    program = compile_graph(g)
    assert program.ids[-1] == g.output, "the output comes last in topological order"
    leaves = [g.node(nid).value for nid in program.ids]
    x = program.index[g.find("x0").id]
    pairs = [micrograd_point(program, leaves, x, float(xv)) for xv in xs]
    return np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])


# ------------------------------------------------------------------ the measured actions
def structural_edit(g: Graph) -> Callable[[], Program]:
    """One structural change (tanh <-> sigmoid on a middle node), then compile_graph."""
    node = next(n for n in reversed(g.nodes[: len(g) // 2 + 50]) if n.op in ("tanh", "sigmoid"))

    def edit() -> Program:
        g.set_op(node.id, "sigmoid" if node.op == "tanh" else "tanh")
        return compile_graph(g)

    return edit


def dragged_evaluation(g: Graph) -> Callable[[], object]:
    """One evaluation (every value and gradient) after x0 moved: no recompilation."""
    x0 = g.find("x0").id
    state = {"k": 0}

    def step() -> object:
        state["k"] += 1
        g.set_value(x0, 0.1 + 1e-3 * (state["k"] % 100))
        return evaluate(g)

    return step


# ------------------------------------------------------------------ pytest-benchmark
SIZES = [200, 1000]


@pytest.mark.parametrize("kind", ["mlp", "random"])
@pytest.mark.parametrize("n", [*SIZES, 10_000])
def test_sweep_500(benchmark: Any, kind: str, n: int) -> None:
    g = BUILDERS[kind](n)
    sweep(g, "x0", XS)  # compile the tape once, as the plot does on the first draw
    ys, dys = benchmark(sweep, g, "x0", XS)
    ref_y, ref_d = micrograd_sweep(g, XS[::100])
    assert np.allclose(ys[::100], ref_y, rtol=1e-9, atol=1e-12)
    assert np.allclose(dys[::100], ref_d, rtol=1e-8, atol=1e-12)


def test_sweep_500_chain(benchmark: Any) -> None:
    g = chain(10_000)
    sweep(g, "x0", XS)
    ys, dys = benchmark(sweep, g, "x0", XS)
    ref_y, ref_d = micrograd_sweep(g, XS[::250])
    assert np.allclose(ys[::250], ref_y, rtol=1e-9) and np.allclose(dys[::250], ref_d, rtol=1e-8)


@pytest.mark.parametrize("kind", ["mlp", "random"])
@pytest.mark.parametrize("n", SIZES)
def test_recompile_after_edit(benchmark: Any, kind: str, n: int) -> None:
    g = BUILDERS[kind](n)
    program = benchmark(structural_edit(g))
    assert len(program.ids) == len(g)


@pytest.mark.parametrize("kind", ["mlp", "random"])
def test_evaluate_every_value_and_gradient_1000(benchmark: Any, kind: str) -> None:
    g = BUILDERS[kind](1000)
    ev = benchmark(dragged_evaluation(g))
    program = compile_graph(g)
    leaves = [g.node(nid).value for nid in program.ids]
    y, dy = micrograd_point(program, leaves, program.index[g.find("x0").id], g.find("x0").value)
    assert ev.value == pytest.approx(y, rel=1e-12)  # type: ignore[attr-defined]
    assert ev["x0"].grad == pytest.approx(dy, rel=1e-9)  # type: ignore[index]


@pytest.mark.parametrize("kind", ["mlp", "mlp_fn"])
def test_functions_against_flat_1000(benchmark: Any, kind: str) -> None:
    """Compare the two ids in the report: mlp_fn must be within 10% of mlp."""
    g = BUILDERS[kind](1000)
    flat = mlp(1000)

    def both() -> tuple[object, tuple[np.ndarray, np.ndarray]]:
        return dragged_evaluation(g)(), sweep(g, "x0", XS)

    ev, (ys, dys) = benchmark(both)
    ref = evaluate(flat, values={"x0": g.find("x0").value})
    assert ev.value == ref.value  # type: ignore[attr-defined]
    assert ev["x0"].grad == pytest.approx(ref["x0"].grad, rel=1e-12)  # type: ignore[index]
    ref_y, ref_d = sweep(flat, "x0", XS)
    assert np.array_equal(ys, ref_y) and np.array_equal(dys, ref_d)


# ------------------------------------------------------------------ the table
def _time(fn: Callable[[], object], budget: float = 0.4, most: int = 200) -> tuple[float, float]:
    """(median, best) wall time of fn in ms, over as many runs as fit in ``budget`` s."""
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < most and (len(times) < 5 or time.perf_counter() - start < budget):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times), min(times)


def _row(cells: list[str]) -> str:
    widths = [7, 6, 27, 7, 7, 10, 6, 4]
    pairs = enumerate(zip(cells, widths, strict=True))
    return "  ".join(c.rjust(w) if k >= 3 else c.ljust(w) for k, (c, w) in pairs)


def _line(kind: str, g: Graph, what: str, ms: tuple[float, float], micro: str, target: float) -> None:
    median, best = ms
    cells = [kind, str(len(g)), what, f"{median:.2f}", f"{best:.2f}", micro, f"{target:g}"]
    print(_row([*cells, "yes" if median <= target else "NO"]))


def main() -> None:
    print(f"Python {sys.version.split()[0]}, NumPy {np.__version__}; times in ms; sweeps of 500 points")
    print(_row(["graph", "nodes", "measure", "median", "best", "micrograd", "target", "met"]))
    cases: list[tuple[str, int]] = [(k, n) for n in (200, 1000, 10_000) for k in ("mlp", "random")]
    cases.append(("chain", 10_000))
    sweep_target = {200: 0.5, 1000: 3.0, 10_000: 40.0}
    for kind, n in cases:
        g = BUILDERS[kind](n)
        sweep(g, "x0", XS)
        engine = _time(lambda g=g: sweep(g, "x0", XS))  # type: ignore[misc]
        # micrograd point by point; at 10,000 nodes 20 points, scaled to 500
        sample = XS if n < 10_000 else XS[::25]
        t0 = time.perf_counter()
        micrograd_sweep(g, sample)
        micro = (time.perf_counter() - t0) * 1e3 * len(XS) / len(sample)
        _line(kind, g, "sweep: y and dy/dx", engine, f"{micro:.0f}", sweep_target[n])
        if n <= 1000:
            _line(kind, g, "edit + compile_graph", _time(structural_edit(g)), "-", 1.0 if n == 200 else 10.0)
        if n == 1000:
            program = compile_graph(g)
            leaves = [g.node(nid).value for nid in program.ids]
            x = program.index[g.find("x0").id]
            micro_point = _time(lambda p=program, lv=leaves, x=x: micrograd_point(p, lv, x, 0.3))[0]  # type: ignore[misc]
            _line(
                kind,
                g,
                "evaluate: all values, grads",
                _time(dragged_evaluation(g)),
                f"{micro_point:.2f}",
                1.0,
            )
    flat, fn = mlp(1000), mlp_functions(1000)
    for what, measure in (
        ("evaluate: all values, grads", dragged_evaluation),
        ("sweep: y and dy/dx", lambda g: lambda: sweep(g, "x0", XS)),
    ):
        base = _time(measure(flat), budget=1.0)
        with_fn = _time(measure(fn), budget=1.0)
        ratio = with_fn[0] / base[0]
        print(_row(["mlp_fn", str(len(fn)), what, f"{with_fn[0]:.2f}", f"{with_fn[1]:.2f}", f"x{ratio:.2f}",
                    "1.1", "yes" if ratio <= 1.1 else "NO"]))  # fmt: skip


if __name__ == "__main__":
    main()
