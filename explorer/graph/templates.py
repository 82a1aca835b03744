"""Graph templates: the networks the lesson talks about, built from scalar nodes.

A neural network is nothing but a big expression, so the same nodes that draw
``(2x + 1)²`` can draw one: every weight and bias is a *trainable input*, every data value
a constant, and the loss the output. Nothing here is special-cased by the engine; the
templates only save the learner from wiring three hundred nodes by hand. Each generator
is pure and deterministic (weights come from a seeded ``random.Random``), returns a laid
out :class:`~explorer.graph.model.Graph`, and follows micrograd's order of operations
(``b + w₀x₀ + w₁x₁ + …``, loss ``Σ (ŷ − y)²``) so that its numbers can be checked
against a plain ``Value`` implementation digit for digit.

With ``functions=True`` the same networks are built with their layers grouped as
functions (:mod:`explorer.graph.templates_grouped`): one box per neuron shape, reused at
every data row and in every layer; the numbers do not change, bit for bit.

Imports: standard library and the rest of ``explorer.graph``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from itertools import pairwise

from explorer.graph.layout import COLUMN_STEP, NODE_HEIGHT, ROW_GAP, apply_layout
from explorer.graph.model import Graph, GraphError
from explorer.graph.template_parts import affine, layer_parameters, op, param
from explorer.graph.templates_grouped import grouped_lesson_network, grouped_mlp, grouped_neuron

ACTIVATIONS = ("tanh", "relu", "sigmoid")
ROW_STEP = NODE_HEIGHT + ROW_GAP
MAX_TEMPLATE_NODES = 20_000
"""A template bigger than this would not be readable, nor quick to train by hand."""

# micrograd's demo data, with its first two features (the issue asks for 2 inputs):
# four points, targets ±1.
MICROGRAD_XS: tuple[tuple[float, ...], ...] = ((2.0, 3.0), (3.0, -1.0), (0.5, 1.0), (1.0, 1.0))
MICROGRAD_YS: tuple[float, ...] = (1.0, -1.0, -1.0, 1.0)


def neuron(
    xs: Sequence[float] = (2.0, 0.0),
    ws: Sequence[float] = (-3.0, 1.0),
    bias: float = 6.881373587019543,
    target: float | None = 1.0,
    *,
    functions: bool = False,
) -> Graph:
    """micrograd's neuron ``o = tanh(w·x + b)``; with a target, ``loss = (o − target)²``.

    The default numbers are the ones from micrograd's walkthrough (n = 0.8814, o = 0.7071).
    The weights and the bias are trainable; the inputs x are data. With ``functions``,
    ``o`` is one call of ``neuron2_tanh`` and the loss one of ``sq_error``.
    """
    if len(xs) != len(ws) or not xs:
        raise GraphError("a neuron needs as many weights as inputs, and at least one")
    if functions:
        g = grouped_neuron(xs, ws, bias, target)
        box = g.function(f"neuron{len(xs)}_tanh").signature
        g.description = _neuron_description(target) + f" Here the neuron is one box, {box}: open it."
        return g
    g = Graph("A neuron: o = tanh(w·x + b)")
    x_ids = [g.add_node("input", f"x{i + 1}", v).id for i, v in enumerate(xs)]
    w_ids = [param(g, f"w{i + 1}", v) for i, v in enumerate(ws)]
    b = param(g, "b", bias)
    n = affine(g, b, w_ids, x_ids, "n")
    o = op(g, "tanh", (n,), "o")
    out = o
    if target is not None:
        y = g.add_node("const", "target", target).id
        diff = op(g, "sub", (o, y))
        two = g.add_node("const", "", 2.0).id
        out = op(g, "pow", (diff, two), "loss")
    g.set_output(out)
    g.description = _neuron_description(target)
    apply_layout(g)
    return g


def _neuron_description(target: float | None) -> str:
    return "micrograd's neuron: n = w1·x1 + w2·x2 + b, o = tanh(n)" + (
        f", and loss = (o − {target:g})². Train w1, w2 and b to bring o to the target."
        if target is not None
        else "."
    )


def mlp(
    n_inputs: int,
    layer_sizes: Sequence[int],
    xs: Sequence[Sequence[float]],
    ys: Sequence[float],
    activation: str = "tanh",
    seed: int = 0,
    linear_output: bool | None = None,
    *,
    functions: bool = False,
) -> Graph:
    """A multi-layer perceptron and its squared-error loss summed over the data rows.

    Neuron ``j`` of layer ``L`` computes ``act(b + Σ wᵢ·xᵢ)`` with trainable ``wL_j_i``
    and ``bL_j`` drawn uniformly from [−1, 1] (micrograd's init, seeded). The network is
    copied once per data row (the rows share the parameters, so their gradients add up:
    the sum over paths again), and ``loss = Σ_r (ŷ_r − y_r)²``. The last layer is
    linear when ``linear_output`` (by default: only for relu, whose zero half would
    swallow negative targets); with tanh, every layer is squashed, as in micrograd's demo.
    With ``functions``, every neuron is a call of one function per shape and every row's
    error a call of ``sq_error`` (see :mod:`explorer.graph.templates_grouped`).
    """
    if activation not in ACTIVATIONS:
        raise GraphError(f"unknown activation {activation!r} (choose {', '.join(ACTIVATIONS)})")
    if n_inputs < 1 or not layer_sizes or any(s < 1 for s in layer_sizes):
        raise GraphError("an MLP needs at least one input and layers of at least one neuron")
    if layer_sizes[-1] != 1:
        raise GraphError("the last layer must have one neuron (the prediction)")
    if not xs or len(xs) != len(ys):
        raise GraphError(f"the data needs one target per row ({len(xs)} rows, {len(ys)} targets)")
    for r, row in enumerate(xs):
        if len(row) != n_inputs:
            raise GraphError(f"data row {r + 1} has {len(row)} values; the network has {n_inputs} inputs")
    sizes = [n_inputs, *layer_sizes]
    per_row = sum(m * (2 * k + 1) for k, m in pairwise(sizes)) + n_inputs + 4
    n_params = sum(m * (k + 1) for k, m in pairwise(sizes))
    if n_params + per_row * len(xs) > MAX_TEMPLATE_NODES:
        raise GraphError(f"that network would need over {MAX_TEMPLATE_NODES:,} nodes; make it smaller")
    if linear_output is None:
        linear_output = activation == "relu"

    shape = "-".join(str(s) for s in sizes)
    description = (
        f"A {shape} network ({activation}{', linear output' if linear_output else ''}) with "
        f"{n_params} trainable parameters, copied for each of the {len(xs)} data rows; "
        "loss = Σ (pred − y)². Every weight's gradient is the sum of what each row sends back."
    )
    if functions:
        g = grouped_mlp(sizes, xs, ys, activation, seed, linear_output)
        g.title = f"MLP {shape} ({activation}) on {len(xs)} points, layers as functions"
        boxes = ", ".join(f.signature for f in g.functions)
        g.description = f"{description} Each neuron is one box, the same at every row: {boxes}."
        return g
    rng = random.Random(seed)
    g = Graph(f"MLP {shape} ({activation}) on {len(xs)} points")
    layers = layer_parameters(g, sizes, rng)  # per layer, per neuron: (bias, weights)

    # A grid laid out by hand: each layer is four columns (parameters, products, the
    # running sum, the activation) and each neuron a "ladder" — wᵢ beside wᵢ·xᵢ beside
    # the sum that adds it — one data row per band, the parameters beside the first band.
    band = max(width * (fan_in + 1) for fan_in, width in pairwise(sizes)) + 1
    place: dict[str, tuple[float, float]] = {}

    def at(node: str, col: float, row: float) -> None:
        place.setdefault(node, (col * COLUMN_STEP, row * ROW_STEP))

    row_losses = []
    for r, (row, target) in enumerate(zip(xs, ys, strict=True)):
        top = r * band
        first_rows = sizes[1] * (n_inputs + 1)
        signal = []
        for i, v in enumerate(row):
            x = g.add_node("const", f"x{r}_{i}", float(v)).id
            at(x, 0, top + (band - 1 - first_rows) / 2 + (first_rows - n_inputs) / 2 + i)
            signal.append(x)
        col = 1
        for layer, neurons in enumerate(layers, start=1):
            last = layer == len(layers)
            fan_in = len(neurons[0][1])
            offset = top + (band - 1 - len(neurons) * (fan_in + 1)) / 2
            outputs = []
            for j, (bias, weights) in enumerate(neurons):
                base = offset + j * (fan_in + 1)
                at(bias, col, base)
                acc = bias
                for i, (w, x) in enumerate(zip(weights, signal, strict=True)):
                    at(w, col, base + 1 + i)
                    prod = op(g, "mul", (w, x))
                    name = f"pred_{r}" if last and linear_output and i == fan_in - 1 else ""
                    acc = op(g, "add", (acc, prod), name)
                    at(prod, col + 1, base + 1 + i)
                    at(acc, col + 2, base + 1 + i)
                if last and linear_output:
                    outputs.append(acc)
                else:
                    out = op(g, activation, (acc,), f"pred_{r}" if last else f"a{layer}_{j}_r{r}")
                    at(out, col + 3, base + fan_in)
                    outputs.append(out)
            signal = outputs
            col += 3 if last and linear_output else 4
        pred_row = place[signal[0]][1] / ROW_STEP
        y = g.add_node("const", f"y{r}", float(target)).id
        diff = op(g, "sub", (signal[0], y))
        two = g.add_node("const", "", 2.0).id
        part = op(g, "pow", (diff, two), f"loss_{r}")
        at(y, col, pred_row + 1)
        at(diff, col + 1, pred_row)
        at(two, col + 1, pred_row + 1)
        at(part, col + 2, pred_row)
        row_losses.append(part)
    total = row_losses[0]
    for k, part in enumerate(row_losses[1:], start=2):
        total = op(g, "add", (total, part), "loss" if k == len(row_losses) else "")
        at(total, place[part][0] / COLUMN_STEP + k - 1, place[part][1] / ROW_STEP)
    if len(row_losses) == 1:
        g.rename(total, "loss")
    g.set_output(total)
    g.description = description
    for node_id, position in place.items():
        g.move(node_id, position)
    return g


def micrograd_mlp(seed: int = 14) -> Graph:
    """The 2-4-4-1 tanh network on micrograd's four points (first two features)."""
    g = mlp(2, (4, 4, 1), MICROGRAD_XS, MICROGRAD_YS, "tanh", seed)
    g.title = "micrograd's MLP: 2-4-4-1 on four points"
    g.description = (
        "micrograd's demo network, with two inputs: xs = (2, 3), (3, −1), (0.5, 1), (1, 1) — "
        "micrograd's data without its third column — and targets 1, −1, −1, 1. Every layer is "
        "tanh(b + Σ w·x); loss = Σ (pred − y)² over the four rows. 37 trainable weights and "
        "biases; train with lr 0.05 and watch the loss fall."
    )
    return g


def lesson_network(
    embedding_dim: int = 2,
    hidden: int = 3,
    classes: int = 3,
    target: int = 0,
    seed: int = 3,
    *,
    functions: bool = False,
) -> Graph:
    """The lesson's chain in scalar form, from an embedding row to the loss.

    parameter row (the embedding of the current token) → linear → relu → linear →
    ``classes`` logits → softmax (exp, sum, divide) → log → negative → loss, the negative
    log-likelihood of class ``target``. Only the row that was looked up is in the graph:
    the other rows do not touch this loss, so their gradient is 0. All weights, biases
    and the embedding row are trainable. With ``functions``, both linear layers are calls
    of ``linearK`` boxes and the softmax one call of ``softmax_p{target}``.
    """
    if min(embedding_dim, hidden) < 1 or classes < 2 or not 0 <= target < classes:
        raise GraphError(
            "the lesson network needs a non-empty embedding and hidden layer, ≥ 2 classes and a valid target"
        )
    title = "The lesson's network: embedding → linear → relu → linear → softmax → loss"
    if functions:
        g = grouped_lesson_network(embedding_dim, hidden, classes, target, seed)
        g.title = title
        g.description = _lesson_description(embedding_dim, hidden, classes, target) + (
            " The layers are functions: " + ", ".join(f.signature for f in g.functions) + "."
        )
        return g
    rng = random.Random(seed)
    g = Graph(title)
    emb = [param(g, f"emb{i}", round(rng.uniform(-1.0, 1.0), 3)) for i in range(embedding_dim)]
    hidden_out = []
    for j in range(hidden):
        ws = [param(g, f"W1_{j}_{i}", round(rng.uniform(-1.0, 1.0), 3)) for i in range(embedding_dim)]
        b = param(g, f"b1_{j}", round(rng.uniform(0.0, 0.5), 3))  # mostly alive relus to start
        h = affine(g, b, ws, emb, f"h{j}")
        hidden_out.append(op(g, "relu", (h,), f"r{j}"))
    exps = []
    for k in range(classes):
        ws = [param(g, f"W2_{k}_{j}", round(rng.uniform(-1.0, 1.0), 3)) for j in range(hidden)]
        b = param(g, f"b2_{k}", 0.0)
        z = affine(g, b, ws, hidden_out, f"z{k}")
        exps.append(op(g, "exp", (z,), f"e{k}"))
    total = exps[0]
    for k, e in enumerate(exps[1:], start=2):
        total = op(g, "add", (total, e), "sum_e" if k == classes else "")
    p = op(g, "div", (exps[target], total), f"p{target}")
    logp = op(g, "log", (p,), "logp")
    loss = op(g, "neg", (logp,), "loss")
    g.set_output(loss)
    g.description = _lesson_description(embedding_dim, hidden, classes, target)
    apply_layout(g)
    return g


def _lesson_description(embedding_dim: int, hidden: int, classes: int, target: int) -> str:
    return (
        f"The chain the lesson is about, one number per node: the embedding row of the current "
        f"token ({embedding_dim} trainable numbers) → a linear layer of {hidden} → relu → a linear "
        f"layer making {classes} logits z → softmax (e = exp(z), p = e{target} / Σ e) → log → "
        f"negative: loss = −log p{target}, the negative log-likelihood of the right answer "
        f"(class {target}). Train it and watch p{target} rise."
    )
