"""Several values as one undo step, and training runs merged into one."""

from __future__ import annotations

import pytest

from explorer.document.document import GraphDocument
from explorer.graph.model import GraphError
from explorer.graph.parser import parse
from explorer.io.format import dumps

LESSON = "a = 2.0; b = 3.0; c = a * b; d = c + 1; loss = d**2"


@pytest.fixture
def doc(qapp: object) -> GraphDocument:
    return GraphDocument(parse(LESSON))


def test_set_values_is_one_undo_step_and_byte_exact(doc: GraphDocument) -> None:
    a, b = doc.graph.find("a").id, doc.graph.find("b").id
    before = dumps(doc.graph)
    doc.set_values({a: 1.0, b: -2.0}, "Train")
    after = dumps(doc.graph)
    assert doc.evaluation.value == (1.0 * -2.0 + 1) ** 2
    assert doc.undo_stack.count() == 1 and doc.undo_stack.undoText() == "Train"
    doc.undo_stack.undo()
    assert dumps(doc.graph) == before
    doc.undo_stack.redo()
    assert dumps(doc.graph) == after


def test_same_serial_merges_into_one_step(doc: GraphDocument) -> None:
    a, b = doc.graph.find("a").id, doc.graph.find("b").id
    before = dumps(doc.graph)
    serial = doc.new_merge_serial()
    for k in range(5):
        doc.set_values({a: 1.0 + k, b: 0.5 * k}, f"Train to step {k + 1}", serial)
    assert doc.undo_stack.count() == 1 and doc.undo_stack.undoText() == "Train to step 5"
    after = dumps(doc.graph)
    doc.undo_stack.undo()
    assert dumps(doc.graph) == before
    doc.undo_stack.redo()
    assert dumps(doc.graph) == after
    doc.set_values({a: 9.0}, "Train", doc.new_merge_serial())
    doc.set_values({a: 8.0}, "Train")  # no serial: never merges
    assert doc.undo_stack.count() == 3


def test_refused_values_change_nothing(doc: GraphDocument) -> None:
    a, c = doc.graph.find("a").id, doc.graph.find("c").id
    before = dumps(doc.graph)
    with pytest.raises(GraphError, match="computed"):
        doc.set_values({a: 1.0, c: 2.0})
    with pytest.raises(GraphError, match="finite"):
        doc.set_values({a: float("inf")})
    assert dumps(doc.graph) == before and doc.undo_stack.count() == 0
    doc.set_values({a: 2.0})  # unchanged: no step
    assert doc.undo_stack.count() == 0


def test_trainable_survives_delete_undo_and_insert(doc: GraphDocument) -> None:
    a = doc.graph.find("a").id
    doc.set_trainable(a, True)
    before = dumps(doc.graph)
    doc.remove_nodes([a])
    doc.undo_stack.undo()
    assert doc.graph.node(a).trainable, "undo of a delete restores the parameter as a parameter"
    assert dumps(doc.graph) == before
    doc.undo_stack.redo()
    doc.undo_stack.undo()
    other = parse("w = 0.5; y = w * 2")
    other.set_trainable(other.find("w").id, True)
    new_ids = doc.insert_graph(other, offset=(0.0, 300.0))
    assert doc.graph.node(new_ids[0]).trainable, "pasting or inserting keeps the flag"
