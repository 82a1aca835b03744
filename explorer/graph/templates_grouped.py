"""The templates with their layers grouped as functions: one box per shape, reused.

:mod:`explorer.graph.templates` checks the choices and calls these builders when the
learner asks for functions. Each builds the same computation as the flat template —
same parameter names, draws from the same seeded generator in the same order, same data
rows and node names for everything outside a box — with every neuron a call of one
function per shape (``neuron2_tanh``, ``neuron4_tanh``, ``linear4``…) and every row's
error a call of ``sq_error``; the lesson's network calls ``linear2``, ``linear3`` and
``softmax_p0``. So the learner sees the same box at every data row and in every layer,
and the numbers are bit for bit the flat template's (the engine inlines calls).

The MLP is laid out by hand on a grid, neuron by neuron: per layer a column of
parameters (each neuron's weights and bias, in port order) beside a column where that
neuron's calls are stacked, one per data row, so the learner sees one box used again and
again next to the very weights it shares; an empty column between layers gives the
all-to-all links between them room. Then the targets, the row errors and the running
sum of the loss.

Imports: standard library and the rest of ``explorer.graph``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from itertools import pairwise

from explorer.graph.layout import COLUMN_STEP, NODE_HEIGHT, ROW_GAP, apply_layout
from explorer.graph.model import Graph
from explorer.graph.template_parts import (
    call,
    layer_parameters,
    neuron_function,
    op,
    param,
    softmax_function,
    square_error_function,
)

ROW_STEP = NODE_HEIGHT + ROW_GAP


def grouped_neuron(xs: Sequence[float], ws: Sequence[float], bias: float, target: float | None) -> Graph:
    """micrograd's neuron as one call ``o = neuron2_tanh(x1, x2, w1, w2, b)``."""
    g = Graph("A neuron: o = tanh(w·x + b)")
    x_ids = [g.add_node("input", f"x{i + 1}", v).id for i, v in enumerate(xs)]
    w_ids = [param(g, f"w{i + 1}", v) for i, v in enumerate(ws)]
    b = param(g, "b", bias)
    o = call(g, neuron_function(len(xs), "tanh"), (*x_ids, *w_ids, b), "o")
    out = o
    if target is not None:
        y = g.add_node("const", "target", target).id
        out = call(g, square_error_function(), (o, y), "loss")
    g.set_output(out)
    apply_layout(g)
    return g


def grouped_mlp(
    sizes: Sequence[int],
    xs: Sequence[Sequence[float]],
    ys: Sequence[float],
    activation: str,
    seed: int,
    linear_output: bool,
) -> Graph:
    """The MLP of :func:`~explorer.graph.templates.mlp` (arguments already checked), with a
    call per neuron per data row and ``sq_error`` per row."""
    rng = random.Random(seed)
    g = Graph()
    n_inputs, n_layers = sizes[0], len(sizes) - 1
    layers = layer_parameters(g, sizes, rng)  # per layer, per neuron: (bias, weights)
    boxes = [
        neuron_function(fan_in, None if layer == n_layers and linear_output else activation)
        for layer, (fan_in, _) in enumerate(pairwise(sizes), start=1)
    ]
    sq_error = square_error_function()

    # Rows of the grid, neuron by neuron: each neuron's weights and bias (in port order)
    # beside the stack of its calls, one per data row, so every box sits next to the
    # parameters it shares. Every column is centred on the tallest one.
    n_rows = len(xs)
    blocks = [max(fan_in + 1, n_rows) + 1 for fan_in in sizes[:-1]]
    spans = [n_rows * (n_inputs + 1) - 1] + [w * b - 1 for w, b in zip(sizes[1:], blocks, strict=True)]
    height = max(spans)
    place: dict[str, tuple[float, float]] = {}

    def at(node: str, col: float, row: float) -> None:
        place[node] = (col * COLUMN_STEP, row * ROW_STEP)

    for layer, (neurons, block) in enumerate(zip(layers, blocks, strict=True)):
        top = (height - spans[layer + 1]) / 2
        for j, (bias, weights) in enumerate(neurons):
            for i, node in enumerate((*weights, bias)):
                at(node, 3 * layer + 1, top + j * block + (block - 1 - len(weights) - 1) / 2 + i)

    def call_row(layer: int, j: int, r: int) -> float:
        block = blocks[layer - 1]
        return (height - spans[layer]) / 2 + j * block + (block - 1 - n_rows) / 2 + r

    row_losses = []
    for r, (row, target) in enumerate(zip(xs, ys, strict=True)):
        signal = []
        for i, v in enumerate(row):
            x = g.add_node("const", f"x{r}_{i}", float(v)).id
            at(x, 0, (height - spans[0]) / 2 + r * (n_inputs + 1) + i)
            signal.append(x)
        for layer, (neurons, box) in enumerate(zip(layers, boxes, strict=True), start=1):
            outputs = []
            for j, (bias, weights) in enumerate(neurons):
                name = f"pred_{r}" if layer == n_layers else f"a{layer}_{j}_r{r}"
                out = call(g, box, (*signal, *weights, bias), name)
                at(out, 3 * layer - 1, call_row(layer, j, r))
                outputs.append(out)
            signal = outputs
        pred_row = place[signal[0]][1] / ROW_STEP
        y = g.add_node("const", f"y{r}", float(target)).id
        part = call(g, sq_error, (signal[0], y), f"loss_{r}")
        at(y, 3 * n_layers, pred_row + 0.5)
        at(part, 3 * n_layers + 1, pred_row)
        row_losses.append(part)
    total = row_losses[0]
    for k, part in enumerate(row_losses[1:], start=2):
        total = op(g, "add", (total, part), "loss" if k == len(row_losses) else "")
        at(total, 3 * n_layers + k, place[part][1] / ROW_STEP)
    if len(row_losses) == 1:
        g.rename(total, "loss")
    g.set_output(total)
    for node_id, position in place.items():
        g.move(node_id, position)
    return g


def grouped_lesson_network(embedding_dim: int, hidden: int, classes: int, target: int, seed: int) -> Graph:
    """The lesson's network with ``linearK`` boxes for both layers and a softmax box."""
    rng = random.Random(seed)
    g = Graph()
    emb = [param(g, f"emb{i}", round(rng.uniform(-1.0, 1.0), 3)) for i in range(embedding_dim)]
    # Equal sizes give the same box in both layers (``call`` adds a function once by name).
    first, second = neuron_function(embedding_dim, None), neuron_function(hidden, None)
    hidden_out = []
    for j in range(hidden):
        ws = [param(g, f"W1_{j}_{i}", round(rng.uniform(-1.0, 1.0), 3)) for i in range(embedding_dim)]
        b = param(g, f"b1_{j}", round(rng.uniform(0.0, 0.5), 3))
        h = call(g, first, (*emb, *ws, b), f"h{j}")
        hidden_out.append(op(g, "relu", (h,), f"r{j}"))
    logits = []
    for k in range(classes):
        ws = [param(g, f"W2_{k}_{j}", round(rng.uniform(-1.0, 1.0), 3)) for j in range(hidden)]
        b = param(g, f"b2_{k}", 0.0)
        logits.append(call(g, second, (*hidden_out, *ws, b), f"z{k}"))
    p = call(g, softmax_function(classes, target), logits, f"p{target}")
    logp = op(g, "log", (p,), "logp")
    g.set_output(op(g, "neg", (logp,), "loss"))
    apply_layout(g)
    return g
