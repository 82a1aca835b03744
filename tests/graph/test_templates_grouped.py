"""Templates with layers as functions compute exactly what the flat templates compute.

The reference for every grouped template is its flat twin, itself checked against
plain-Python, NumPy and PyTorch references in ``test_training_reference.py``: same loss
and same values bit for bit (a call runs its body's ops in the flat order), the same
gradient for every parameter to 1e-12 (sums may be added in another order), the same
training step; and a layout in which no two cards overlap.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable

import pytest

from explorer.graph.engine import evaluate
from explorer.graph.functions import flatten
from explorer.graph.layout import NODE_WIDTH, extent
from explorer.graph.model import Graph
from explorer.graph.templates import MICROGRAD_XS, MICROGRAD_YS, lesson_network, mlp, neuron
from explorer.graph.training import Trainer, trainable_parameters
from explorer.io.format import dumps, loads

Build = Callable[[bool], Graph]
TEMPLATES: dict[str, Build] = {
    "neuron": lambda fn: neuron(functions=fn),
    "neuron without target": lambda fn: neuron((0.5, -1.0, 2.0), (0.1, 0.2, 0.3), 0.4, None, functions=fn),
    "lesson": lambda fn: lesson_network(functions=fn),
    "lesson 4 classes, class 3": lambda fn: lesson_network(3, 3, 4, 3, seed=5, functions=fn),
    **{
        f"micrograd mlp {act}": (
            lambda fn, act=act: mlp(2, (4, 4, 1), MICROGRAD_XS, MICROGRAD_YS, act, 14, functions=fn)
        )
        for act in ("tanh", "relu", "sigmoid")
    },
    **{
        f"mlp 3-3-2-1 {act}": (
            lambda fn, act=act: mlp(
                3, (3, 2, 1), [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], [1.0, -0.5], act, 7, functions=fn
            )
        )
        for act in ("tanh", "relu", "sigmoid")
    },
    "mlp one row, one layer": lambda fn: mlp(
        4, (1,), [[1.0, 2.0, 3.0, 4.0]], [0.5], "sigmoid", 2, functions=fn
    ),
    "mlp tanh, linear output": lambda fn: mlp(
        1, (3, 1), [[-1.0], [0.0], [1.0]], [2.0, 0.0, -2.0], "tanh", 1, True, functions=fn
    ),
}
CASES = pytest.mark.parametrize("build", TEMPLATES.values(), ids=TEMPLATES.keys())


def _by_name(graph: Graph, ids: list[str]) -> dict[str, str]:
    return {graph.node(i).name: i for i in ids}


@CASES
def test_grouped_and_flat_agree_on_every_value_and_gradient(build: Build) -> None:
    flat, grouped = build(False), build(True)
    assert not flat.functions and grouped.functions, "functions=False stays flat, as before"
    assert len(flatten(grouped)[0]) == len(flat), "the boxes hold exactly the flat nodes"
    ef, eg = evaluate(flat), evaluate(grouped)
    assert ef.value == eg.value and ef.value == ef.value, "the same loss, bit for bit"
    for node in grouped:
        if node.name:
            assert eg[node.name].value == ef[node.name].value, node.name
    pf, pg = _by_name(flat, trainable_parameters(flat)), _by_name(grouped, trainable_parameters(grouped))
    assert list(pf) == list(pg), "the same trainable parameters, in the same order"
    for name in pf:
        assert flat.node(pf[name]).value == grouped.node(pg[name]).value
        assert eg[name].grad == pytest.approx(ef[name].grad, rel=1e-12, abs=1e-300), name
    # trainable flags only on the graph's own inputs (a body's parameters cannot be)
    assert all(grouped.node(p).op == "input" for p in pg.values())
    assert not any(n.trainable for f in grouped.functions for n in f.body)


@CASES
def test_a_training_step_is_the_same(build: Build) -> None:
    flat, grouped = build(False), build(True)
    tf, tg = Trainer(flat, 0.05), Trainer(grouped, 0.05)
    assert tf.step() is None and tg.step() is None
    assert tg.losses == pytest.approx(tf.losses, rel=1e-12)
    assert tg.labels == tf.labels
    assert list(tg.values().values()) == pytest.approx(list(tf.values().values()), rel=1e-12)
    assert tg.values(0) != tg.values(1), "the step moved the parameters"
    assert tf.run(4) is None and tg.run(4) is None
    assert tg.losses == pytest.approx(tf.losses, rel=1e-12)
    if flat.node(flat.resolve_output()).name == "loss":  # (o alone is not minimised)
        assert tf.losses[-1] < tf.losses[0]


@CASES
def test_no_two_cards_overlap(build: Build) -> None:
    for g in (build(True), build(False)):
        boxes = []
        for node in g:
            assert node.position is not None, f"{node.label} is laid out"
            x, y = node.position
            top, bottom = extent(node.op)
            boxes.append((node.label, x, y + top, x + NODE_WIDTH, y + bottom))
        for a, b in itertools.combinations(boxes, 2):
            apart = a[3] <= b[1] or b[3] <= a[1] or a[4] <= b[2] or b[4] <= a[2]
            assert apart, f"{a[0]} and {b[0]} overlap in {g.title!r}"


def test_the_mlp_reuses_one_box_per_neuron_shape_across_rows_and_layers() -> None:
    g = mlp(2, (4, 4, 1), MICROGRAD_XS, MICROGRAD_YS, "tanh", 14, functions=True)
    calls = Counter(n.function for n in g if n.op == "call")
    assert calls == {"neuron2_tanh": 4 * 4, "neuron4_tanh": (4 + 1) * 4, "sq_error": 4}
    assert g.function("neuron4_tanh").signature == "neuron4_tanh(x1, x2, x3, x4, w1, w2, w3, w4, b)"
    assert len(g) == 92 and len(trainable_parameters(g)) == 37
    relu = mlp(2, (3, 3, 1), MICROGRAD_XS, MICROGRAD_YS, "relu", 1, functions=True)
    assert [f.name for f in relu.functions] == ["neuron2_relu", "neuron3_relu", "linear3", "sq_error"]
    # each neuron's weights and bias sit beside the stack of its calls, one per row,
    # and every link runs left to right
    for node in g:
        if node.op == "call" and node.function != "sq_error":
            bias = g.node(node.operands[-1])  # type: ignore[arg-type]
            assert 0 < node.position[0] - bias.position[0] <= 240  # type: ignore[index]
    for edge in g.edges():
        assert g.node(edge.source).position[0] < g.node(edge.target).position[0]  # type: ignore[index]


def test_the_lesson_network_has_linear_and_softmax_boxes() -> None:
    g = lesson_network(functions=True)
    assert [f.signature for f in g.functions] == [
        "linear2(x1, x2, w1, w2, b)",
        "linear3(x1, x2, x3, w1, w2, w3, b)",
        "softmax_p0(z0, z1, z2)",
    ]
    assert [g.node(i).name for i in g.node(g.find("p0").id).operands] == ["z0", "z1", "z2"]
    assert g.node(g.find("r1").id).op == "relu", "relu stays a card of its own: linear → relu → linear"
    same = lesson_network(3, 3, functions=True)
    assert [f.name for f in same.functions] == ["linear3", "softmax_p0"], "one box for both layers"


@CASES
def test_a_grouped_template_survives_a_save_and_load(build: Build) -> None:
    g = build(True)
    assert loads(dumps(g)) == g
