"""GraphDocument: every edit is one undo step that restores the file byte for byte."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from explorer.document.document import GraphDocument
from explorer.graph.model import CycleError, GraphError
from explorer.graph.parser import parse
from explorer.io.format import dumps

LESSON = "a = 2.0; b = 3.0; c = a * b; d = c + 1; loss = d**2"


@pytest.fixture
def doc(qapp: object) -> GraphDocument:
    return GraphDocument(parse(LESSON))


def ids(doc: GraphDocument, *names: str) -> list[str]:
    return [doc.graph.find(n).id for n in names]


EDITS: dict[str, Callable[[GraphDocument], object]] = {
    "add": lambda d: d.add_node("tanh", position=(10.0, 20.0)),
    "delete one": lambda d: d.remove_nodes(ids(d, "c")),
    "delete many": lambda d: d.remove_nodes(ids(d, "a", "d", "loss")),
    "connect replacing": lambda d: d.link(*ids(d, "b"), d.graph.find("d").id, 1),
    "disconnect": lambda d: d.unlink(d.graph.find("c").id, 0),
    "set value": lambda d: d.set_value(d.graph.find("a").id, -1.5),
    "rename": lambda d: d.rename(d.graph.find("c").id, "product"),
    "set op": lambda d: d.set_op(d.graph.find("c").id, "add"),
    "move": lambda d: d.move_nodes({d.graph.find("a").id: (1.0, 2.0), d.graph.find("b").id: (3.0, 4.0)}),
    "output": lambda d: d.set_output(d.graph.find("d").id),
    "metadata": lambda d: d.set_metadata("T", "D"),
    "insert graph": lambda d: d.insert_graph(parse("x = 1.0; y = tanh(x * 2)"), offset=(0.0, 300.0)),
    "replace graph": lambda d: d.insert_graph(parse("x = 1.0; y = exp(x)"), replace=True),
    "auto layout": lambda d: d.auto_layout(),
    "mark trainable": lambda d: d.set_trainable(d.graph.find("a").id, True),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_edit_undo_redo_is_byte_exact(doc: GraphDocument, name: str) -> None:
    before = dumps(doc.graph)
    EDITS[name](doc)
    after = dumps(doc.graph)
    assert after != before
    assert doc.is_modified
    doc.undo_stack.undo()
    assert dumps(doc.graph) == before
    assert doc.evaluation.value == 49.0
    doc.undo_stack.redo()
    assert dumps(doc.graph) == after
    doc.undo_stack.undo()
    assert dumps(doc.graph) == before
    assert not doc.is_modified


def test_every_edit_re_evaluates(doc: GraphDocument) -> None:
    seen: list[float] = []
    doc.evaluated.connect(lambda ev: seen.append(ev.value))
    doc.set_value(doc.graph.find("a").id, 1.0)
    assert seen == [16.0]
    assert doc.evaluation["a"].grad == 24.0
    doc.undo_stack.undo()
    assert seen == [16.0, 49.0]


def test_value_drag_is_one_undo_step(doc: GraphDocument) -> None:
    a = doc.graph.find("a").id
    doc.begin_value_drag()
    for v in (2.1, 2.2, 2.5, 3.0):
        doc.set_value(a, v)
    doc.end_value_drag()
    doc.begin_value_drag()
    doc.set_value(a, 4.0)
    doc.end_value_drag()
    assert doc.undo_stack.count() == 2
    doc.undo_stack.undo()
    assert doc.graph.node(a).value == 3.0
    doc.undo_stack.undo()
    assert doc.graph.node(a).value == 2.0


def test_refused_edits_change_nothing(doc: GraphDocument) -> None:
    before = dumps(doc.graph)
    with pytest.raises(CycleError):
        doc.link(doc.graph.find("loss").id, doc.graph.find("c").id, 0)
    with pytest.raises(GraphError):
        doc.set_value(doc.graph.find("c").id, 1.0)
    with pytest.raises(GraphError):
        doc.rename(doc.graph.find("c").id, "a")
    assert dumps(doc.graph) == before
    assert doc.undo_stack.count() == 0


def test_delete_emits_and_undo_restores_links(doc: GraphDocument) -> None:
    removed: list[str] = []
    doc.node_removed.connect(removed.append)
    doc.remove_nodes(ids(doc, "c"))
    assert removed == ids_before(doc)
    assert doc.evaluation.diagnostics and doc.evaluation.diagnostics[0].kind == "missing"
    doc.undo_stack.undo()
    assert doc.evaluation["a"].grad == 42.0


def ids_before(doc: GraphDocument) -> list[str]:
    # After the delete "c" no longer exists; its id is the third node of the program.
    return ["n3"]


def test_reset_clears_history(doc: GraphDocument) -> None:
    doc.set_value(doc.graph.find("a").id, 5.0)
    doc.reset(parse("x = 3.0; h = (2*x + 1)**2"))
    assert doc.undo_stack.count() == 0 and not doc.is_modified
    assert doc.evaluation.value == 49.0 and doc.evaluation["x"].grad == 28.0


def test_changing_a_trainable_input_to_a_constant_unmarks_it_in_the_same_step(doc: GraphDocument) -> None:
    a = doc.graph.find("a").id
    doc.set_trainable(a, True)
    marked = dumps(doc.graph)
    doc.set_op(a, "const")
    assert doc.graph.node(a).op == "const" and not doc.graph.node(a).trainable
    doc.undo_stack.undo()
    assert dumps(doc.graph) == marked and doc.graph.node(a).trainable
    with pytest.raises(GraphError, match="only inputs can be trainable"):
        doc.set_trainable(doc.graph.find("c").id, True)
