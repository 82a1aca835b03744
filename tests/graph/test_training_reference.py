"""Training matches independent references: a plain-Python ``Value`` (micrograd's), NumPy, PyTorch.

The reference networks are rebuilt from the numbers in the example files (weights by
name, data by name), not from the graph's structure, so a wiring mistake in a template
would show up here as a mismatch.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from explorer.graph.engine import evaluate
from explorer.graph.templates import MICROGRAD_XS, MICROGRAD_YS, lesson_network, micrograd_mlp, mlp, neuron
from explorer.graph.training import Trainer, trainable_parameters
from explorer.io.format import load

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
MLP_FILE = EXAMPLES / "micrograd_mlp.json"
LESSON_FILE = EXAMPLES / "lesson_network.json"

# The examples' losses, checked so that a regenerated file cannot drift unnoticed.
MLP_START_LOSS = 5.687622563928786
LESSON_START_LOSS = 1.0223903189455301


class Value:
    """micrograd's scalar autograd value (add, mul, pow by a number, tanh, neg, sub)."""

    def __init__(self, data: float, children: tuple[Value, ...] = ()) -> None:
        self.data = data
        self.grad = 0.0
        self._backward: Callable[[], None] = lambda: None
        self._prev = children

    def __add__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other))

        def _backward() -> None:
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other))

        def _backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, k: float) -> Value:
        out = Value(self.data**k, (self,))

        def _backward() -> None:
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    def __neg__(self) -> Value:
        return self * -1.0

    def __sub__(self, other: Value | float) -> Value:
        return self + (-other if isinstance(other, Value) else Value(-other))

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        out = Value(t, (self,))

        def _backward() -> None:
            self.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out

    def backward(self) -> None:
        topo: list[Value] = []
        seen: set[int] = set()

        def build(v: Value) -> None:
            if id(v) not in seen:
                seen.add(id(v))
                for child in v._prev:
                    build(child)
                topo.append(v)

        build(self)
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()


def _reference_mlp(path: Path) -> tuple[dict[str, Value], Callable[[], Value]]:
    """micrograd's MLP with the file's weights: parameters by name, and a loss function."""
    data = json.loads(path.read_text(encoding="utf-8"))
    by_name = {n["name"]: n for n in data["nodes"] if n.get("name")}
    params = {n["name"]: Value(n["value"]) for n in data["nodes"] if n.get("trainable")}
    rows = sorted({int(name[1:].split("_")[0]) for name in by_name if name.startswith("x")})
    xs = [[by_name[f"x{r}_{i}"]["value"] for i in range(2)] for r in rows]
    ys = [by_name[f"y{r}"]["value"] for r in rows]
    sizes = [2, 4, 4, 1]

    def loss() -> Value:
        total: Value | None = None
        for x, y in zip(xs, ys, strict=True):
            signal: list[Value | float] = list(x)
            for layer, (fan_in, width) in enumerate(itertools.pairwise(sizes), start=1):
                signal = [
                    sum(
                        (params[f"w{layer}_{j}_{i}"] * signal[i] for i in range(fan_in)),
                        params[f"b{layer}_{j}"],
                    ).tanh()
                    for j in range(width)
                ]
            term = (signal[0] - y) ** 2  # type: ignore[operator]
            total = term if total is None else total + term
        assert total is not None
        return total

    return params, loss


def test_the_mlp_example_is_the_template_and_has_its_loss() -> None:
    g = load(MLP_FILE)
    assert g == micrograd_mlp(), "rebuild resources/examples with build_examples.py"
    assert len(trainable_parameters(g)) == 2 * 4 + 4 + 4 * 4 + 4 + 4 + 1
    assert evaluate(g).value == pytest.approx(MLP_START_LOSS, rel=1e-12)
    _params, loss = _reference_mlp(MLP_FILE)
    assert loss().data == pytest.approx(MLP_START_LOSS, rel=1e-12)


def test_twenty_steps_match_a_plain_python_value_implementation() -> None:
    g = load(MLP_FILE)
    trainer = Trainer(g, 0.05)
    assert trainer.run(20) is None
    params, loss = _reference_mlp(MLP_FILE)
    ref_losses = []
    for _ in range(20):
        out = loss()
        for p in params.values():
            p.grad = 0.0
        out.backward()
        ref_losses.append(out.data)
        for p in params.values():
            p.data += -0.05 * p.grad
    ref_losses.append(loss().data)
    assert trainer.losses == pytest.approx(ref_losses, rel=1e-9)
    trained = {g.node(pid).name: v for pid, v in trainer.values().items()}
    assert trained == pytest.approx({name: p.data for name, p in params.items()}, rel=1e-9, abs=1e-15)
    assert trainer.losses[-1] < trainer.losses[0] / 4, "it learns"


def test_twenty_steps_match_pytorch() -> None:
    torch = pytest.importorskip("torch")
    g = load(MLP_FILE)
    trainer = Trainer(g, 0.05)
    trainer.run(20)
    data = json.loads(MLP_FILE.read_text(encoding="utf-8"))
    params = {
        n["name"]: torch.tensor(n["value"], dtype=torch.float64, requires_grad=True)
        for n in data["nodes"]
        if n.get("trainable")
    }
    xs = torch.tensor(MICROGRAD_XS, dtype=torch.float64)
    ys = torch.tensor(MICROGRAD_YS, dtype=torch.float64)
    sizes = [2, 4, 4, 1]
    for _ in range(20):
        signal = xs
        for layer, (fan_in, width) in enumerate(itertools.pairwise(sizes), start=1):
            w = torch.stack(
                [torch.stack([params[f"w{layer}_{j}_{i}"] for i in range(fan_in)]) for j in range(width)]
            )
            b = torch.stack([params[f"b{layer}_{j}"] for j in range(width)])
            signal = torch.tanh(signal @ w.T + b)
        loss = ((signal[:, 0] - ys) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            for p in params.values():
                p -= 0.05 * p.grad
                p.grad = None
    trained = {g.node(pid).name: v for pid, v in trainer.values().items()}
    assert trained == pytest.approx({k: float(v) for k, v in params.items()}, rel=1e-9, abs=1e-12)


def test_the_lesson_network_example_against_numpy() -> None:
    g = load(LESSON_FILE)
    assert g == lesson_network(), "rebuild resources/examples with build_examples.py"
    v = {n.name: n.value for n in g.nodes if n.name}
    emb = np.array([v["emb0"], v["emb1"]])
    w1 = np.array([[v[f"W1_{j}_{i}"] for i in range(2)] for j in range(3)])
    b1 = np.array([v[f"b1_{j}"] for j in range(3)])
    w2 = np.array([[v[f"W2_{k}_{j}"] for j in range(3)] for k in range(3)])
    b2 = np.array([v[f"b2_{k}"] for k in range(3)])
    z = w2 @ np.maximum(w1 @ emb + b1, 0.0) + b2
    nll = -np.log(np.exp(z[0]) / np.exp(z).sum())
    ev = evaluate(g)
    assert ev.value == pytest.approx(nll, rel=1e-12)
    assert ev.value == pytest.approx(LESSON_START_LOSS, rel=1e-12)
    assert ev["r0"].value > 0 or ev["r1"].value > 0, "some relus are alive at the start"
    # the gradient of the loss with respect to the logits is softmax(z) − onehot(target)
    soft = np.exp(z) / np.exp(z).sum()
    for k in range(3):
        assert ev[f"z{k}"].grad == pytest.approx(soft[k] - (k == 0), rel=1e-9)
    trainer = Trainer(g, 0.5)
    assert trainer.run(30) is None
    assert trainer.losses[-1] < trainer.losses[0] / 5


def test_the_neuron_template_has_micrographs_numbers() -> None:
    g = neuron()
    ev = evaluate(g)
    assert ev["n"].value == pytest.approx(0.8813735870195432, rel=1e-12)
    assert ev["o"].value == pytest.approx(math.sqrt(0.5), rel=1e-12)
    assert ev["w1"].grad == pytest.approx(2 * (ev["o"].value - 1) * 0.5 * 2.0, rel=1e-9)
    assert {g.node(p).name for p in trainable_parameters(g)} == {"w1", "w2", "b"}


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_mlp_template_agrees_with_numpy(activation: str) -> None:
    xs = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]]
    ys = [1.0, -0.5]
    g = mlp(3, [3, 2, 1], xs, ys, activation, seed=7)
    v = {n.name: n.value for n in g.nodes if n.name}
    act = {"tanh": np.tanh, "relu": lambda a: np.maximum(a, 0.0), "sigmoid": lambda a: 1 / (1 + np.exp(-a))}[
        activation
    ]
    sizes = [3, 3, 2, 1]
    total = 0.0
    for x, y in zip(xs, ys, strict=True):
        signal = np.array(x)
        for layer, (fan_in, width) in enumerate(itertools.pairwise(sizes), start=1):
            w = np.array([[v[f"w{layer}_{j}_{i}"] for i in range(fan_in)] for j in range(width)])
            b = np.array([v[f"b{layer}_{j}"] for j in range(width)])
            pre = w @ signal + b
            signal = pre if (layer == 3 and activation == "relu") else act(pre)
        total += float((signal[0] - y) ** 2)
    assert evaluate(g).value == pytest.approx(total, rel=1e-12)
    assert len(trainable_parameters(g)) == 3 * 4 + 2 * 4 + 1 * 3


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"activation": "softplus"}, "unknown activation"),
        ({"layer_sizes": [4, 2]}, "last layer"),
        ({"ys": [1.0]}, "one target per row"),
        ({"xs": [[1.0], [2.0]]}, "row 1 has 1 values"),
        ({"layer_sizes": [3000, 3000, 1]}, "nodes"),
    ],
)
def test_mlp_template_refuses_bad_shapes(kwargs: dict[str, object], words: str) -> None:
    from explorer.graph.model import GraphError

    args: dict[str, object] = {
        "n_inputs": 2,
        "layer_sizes": [2, 1],
        "xs": [[1.0, 2.0], [3.0, 4.0]],
        "ys": [1.0, 0.0],
    }
    args.update(kwargs)
    with pytest.raises(GraphError, match=words):
        mlp(**args)  # type: ignore[arg-type]


def test_mlp_layout_is_a_grid_without_overlaps() -> None:
    from explorer.graph.layout import NODE_HEIGHT, NODE_WIDTH

    g = micrograd_mlp()
    spots = [n.position for n in g.nodes]
    assert all(p is not None for p in spots)
    assert len(set(spots)) == len(spots)
    cells = sorted(spots)  # type: ignore[type-var]
    for (x1, y1), (x2, y2) in itertools.pairwise(cells):  # type: ignore[misc]
        assert x1 != x2 or y2 - y1 >= NODE_HEIGHT, "cards in one column do not overlap"
        assert x1 == x2 or x2 - x1 >= NODE_WIDTH
    # a neuron reads as a ladder: each weight sits on the row of the product it feeds
    for node in g.nodes:
        if node.op == "mul":
            w = g.node(node.operands[0])  # type: ignore[arg-type]
            if node.position[1] < 2000:  # type: ignore[index]  (the first data row's band)
                assert w.position[1] == node.position[1]  # type: ignore[index]
    # columns run left to right along every edge except a running sum's own chain
    for edge in g.edges():
        src, dst = g.node(edge.source), g.node(edge.target)
        assert src.position[0] <= dst.position[0]  # type: ignore[index]
