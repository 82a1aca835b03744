"""Soak (issue 12): thousands of seeded random document operations on a live window.

Every view is attached (canvas, inspector, narrative, plot, player, problem count) and
every operation goes through the document, as the editor's gestures do. Refusals are
GraphErrors and fine; any exception inside a Qt slot fails the test at once, naming the
operation. Values include 1e308 and tiny numbers; names include hostile characters.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable

import pytest

from explorer.document.document import UNDO_LIMIT
from explorer.graph.model import GraphError
from explorer.graph.ops import OPS
from explorer.graph.parser import parse
from explorer.io.format import dumps, loads

from .slot_errors import failing_on_slot_errors

OPERATIONS = int(os.environ.get("SOAK_OPERATIONS", "2500"))
SEED = int(os.environ.get("SOAK_SEED", "20261205"))
VALUES = (0.0, -1.0, 1.0, 2.5, 1e-308, 5e-324, 1e308, -1e308, 1.7976931348623157e308, 1e15, -3.0)
NAMES = ("a", "x", "loss", "", "x\ny", "x\u202e2", "a" * 80, "ünï", "n1")


def test_random_document_operations_never_raise_in_a_slot(window) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(SEED)
    doc = window.document
    doc.reset(parse("a = 2.0; b = 3.0; c = a * b; d = c + 1; loss = d**2"))
    # Build the lazy docks now so that every view listens from the first operation on.
    narrative, plot, player = window.narrative, window.sensitivity, window.player
    narrative.predict_check.setChecked(True)
    ops = sorted(OPS)

    def some_node() -> str | None:
        nodes = doc.graph.nodes
        return rng.choice(nodes).id if nodes else None

    def add() -> None:
        op = rng.choice(ops)
        doc.add_node(op, value=rng.choice(VALUES), position=(rng.uniform(-900, 900), rng.uniform(-600, 600)))

    def remove() -> None:
        ids = [n for n in (some_node() for _ in range(rng.randint(1, 3))) if n]
        doc.remove_nodes(ids)

    def link() -> None:
        source, target = some_node(), some_node()
        if source and target:
            doc.link(source, target, rng.randint(-1, 2))

    def unlink() -> None:
        target = some_node()
        if target:
            doc.unlink(target, rng.randint(-1, 2))

    def set_value() -> None:
        node = some_node()
        if node:
            doc.set_value(node, rng.choice(VALUES))

    def rename() -> None:
        node = some_node()
        if node:
            doc.rename(node, rng.choice(NAMES))

    def set_output() -> None:
        doc.set_output(rng.choice([some_node(), None]))

    def undo_redo() -> None:
        stack = doc.undo_stack
        for _ in range(rng.randint(1, 4)):
            (stack.undo if rng.random() < 0.6 else stack.redo)()

    def select() -> None:
        window.scene.select_nodes([n for n in (some_node() for _ in range(rng.randint(0, 2))) if n])

    def animate() -> None:
        player.seek(rng.randint(0, max(player.count, 0)))

    def plot_input() -> None:
        inputs = [n.id for n in doc.graph.inputs()]
        if inputs:
            plot.set_input(rng.choice(inputs))
            plot.fit_interesting_range()

    def round_trip() -> None:
        doc.reset(loads(dumps(doc.graph)))

    actions: list[tuple[Callable[[], None], int]] = [
        (add, 14), (remove, 6), (link, 16), (unlink, 5), (set_value, 12), (rename, 5), (set_output, 4),
        (undo_redo, 10), (select, 10), (animate, 6), (plot_input, 3), (round_trip, 1),
    ]  # fmt: skip
    choices, weights = zip(*actions, strict=True)
    refused = 0
    with failing_on_slot_errors() as errors:
        for i in range(OPERATIONS):
            action = rng.choices(choices, weights)[0]
            try:
                action()
            except GraphError:
                refused += 1
            if errors:
                pytest.fail(f"operation {i} ({action.__name__}) raised in a slot:\n{errors[0]}")
            if len(doc.graph) > 60:
                doc.reset(parse("a = 2.0; b = 3.0; c = a * b; d = c + 1; loss = d**2"))
    assert refused > 0  # the run did try impossible things
    assert doc.undo_stack.count() <= UNDO_LIMIT
    assert dumps(loads(dumps(doc.graph))) == dumps(doc.graph)  # what is left still saves and loads
