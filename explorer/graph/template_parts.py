"""Building blocks of the templates: parameters, wired ops, and the boxes a network reuses.

A layer of a network does the same thing again and again: every neuron computes
``act(b + w₁·x₁ + w₂·x₂ + …)``, every data row's error is ``(ŷ − y)²``. Drawn flat, that
sameness is hidden in a hundred ``mul`` and ``add`` cards; as a *function* it is one
named box the learner opens once and then recognises at every call. The functions here
are built in micrograd's order of operations, so a call computes bit for bit what the
flat template writes out (the engine inlines calls; see :mod:`explorer.graph.functions`).

A function only takes values in: the weights and biases stay trainable inputs of the
graph itself (a body's parameters can never be trainable), so training is unchanged.

Imports: standard library and the rest of ``explorer.graph``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from itertools import pairwise

from explorer.graph.functions import Function
from explorer.graph.model import Graph


def param(g: Graph, name: str, value: float) -> str:
    """A trainable input named ``name``; returns its id."""
    node = g.add_node("input", name, value)
    g.set_trainable(node.id, True)
    return node.id


def layer_parameters(g: Graph, sizes: Sequence[int], rng: random.Random) -> list[list[tuple[str, list[str]]]]:
    """Per layer, per neuron: (bias, weights), trainable inputs drawn from ``rng`` in one
    fixed order (weights, then bias), so a flat and a grouped network get the same numbers."""
    layers: list[list[tuple[str, list[str]]]] = []
    for layer, (fan_in, width) in enumerate(pairwise(sizes), start=1):
        neurons = []
        for j in range(width):
            weights = [param(g, f"w{layer}_{j}_{i}", rng.uniform(-1.0, 1.0)) for i in range(fan_in)]
            neurons.append((param(g, f"b{layer}_{j}", rng.uniform(-1.0, 1.0)), weights))
        layers.append(neurons)
    return layers


def op(g: Graph, kind: str, operands: Sequence[str], name: str = "") -> str:
    """A node of op ``kind`` reading ``operands`` in slot order; returns its id."""
    nid = g.add_node(kind, name).id
    for slot, src in enumerate(operands):
        g.connect(src, nid, slot)
    return nid


def call(g: Graph, function: Function, operands: Sequence[str], name: str = "") -> str:
    """A call of ``function`` (added to the library on first use) reading ``operands``."""
    if function.name not in {f.name for f in g.functions}:
        g.add_function(function)
    nid = g.add_call(g.function(function.name), name).id
    for slot, src in enumerate(operands):
        g.connect(src, nid, slot)
    return nid


def affine(g: Graph, bias: str, weights: Sequence[str], xs: Sequence[str], name: str = "") -> str:
    """b + w₀·x₀ + w₁·x₁ + … in micrograd's order (``sum(..., start=b)``)."""
    acc = bias
    for k, (w, x) in enumerate(zip(weights, xs, strict=True)):
        prod = op(g, "mul", (w, x))
        acc = op(g, "add", (acc, prod), name if k == len(xs) - 1 else "")
    return acc


def _body(parameters: Sequence[str]) -> tuple[Graph, list[str]]:
    body = Graph()
    return body, [body.add_node("input", p, 1.0).id for p in parameters]


def neuron_function(fan_in: int, activation: str | None) -> Function:
    """``neuron{k}_{act}(x1…xk, w1…wk, b) = act(b + w1·x1 + … + wk·xk)``; ``linearK`` without one.

    The inputs come first, then the weights in the same order, then the bias: the order
    in which the call's ports are stacked and in which the templates stack the weights.
    """
    xs = [f"x{i + 1}" for i in range(fan_in)]
    ws = [f"w{i + 1}" for i in range(fan_in)]
    body, ids = _body([*xs, *ws, "b"])
    n = affine(body, ids[-1], ids[fan_in : 2 * fan_in], ids[:fan_in], "n")
    out = op(body, activation, (n,), "o") if activation else n
    body.set_output(out)
    return Function(
        f"neuron{fan_in}_{activation}" if activation else f"linear{fan_in}", [*xs, *ws, "b"], body
    )


def square_error_function() -> Function:
    """``sq_error(pred, y) = (pred − y)²``, one data row's share of the loss."""
    body, (pred, y) = _body(["pred", "y"])
    diff = op(body, "sub", (pred, y), "diff")
    two = body.add_node("const", "", 2.0).id
    body.set_output(op(body, "pow", (diff, two), "sq"))
    return Function("sq_error", ["pred", "y"], body)


def softmax_function(classes: int, target: int) -> Function:
    """``softmax_p{t}(z0…zc) = exp(z_t) / Σ exp(z_k)``: the probability of class ``t``."""
    zs = [f"z{k}" for k in range(classes)]
    body, ids = _body(zs)
    exps = [op(body, "exp", (z,), f"e{k}") for k, z in enumerate(ids)]
    total = exps[0]
    for k, e in enumerate(exps[1:], start=2):
        total = op(body, "add", (total, e), "sum_e" if k == classes else "")
    body.set_output(op(body, "div", (exps[target], total), f"p{target}"))
    return Function(f"softmax_p{target}", zs, body)
