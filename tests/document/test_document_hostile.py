"""GraphDocument refuses impossible edits with a GraphError and keeps a bounded history (issue 12)."""

from __future__ import annotations

import pytest

from explorer.document.document import UNDO_LIMIT, GraphDocument
from explorer.graph.model import GraphError
from explorer.graph.parser import parse
from explorer.io.format import dumps


@pytest.fixture
def doc(qapp: object) -> GraphDocument:
    return GraphDocument(parse("a = 2.0; b = 3.0; c = a * b; d = c + 1; loss = d**2"))


@pytest.mark.parametrize(
    ("slot", "message"),
    [(0, "operand 1 of 'c' is not connected"), (2, "has no operand slot 2"), (-1, "has no operand slot -1")],
)
def test_unlink_of_an_empty_or_missing_slot_is_a_graph_error(
    doc: GraphDocument, slot: int, message: str
) -> None:
    c = doc.graph.find("c").id
    if slot == 0:
        doc.unlink(c, 0)
    before, depth = dumps(doc.graph), doc.undo_stack.count()
    with pytest.raises(GraphError, match=message):
        doc.unlink(c, slot)
    assert dumps(doc.graph) == before and doc.undo_stack.count() == depth


def test_the_undo_history_is_bounded_and_the_newest_steps_still_undo(doc: GraphDocument) -> None:
    a = doc.graph.find("a").id
    for i in range(UNDO_LIMIT + 50):  # each a separate edit (not one scrub)
        doc.set_value(a, float(i + 1))
    assert doc.undo_stack.count() == UNDO_LIMIT
    assert doc.is_modified
    doc.undo_stack.undo()
    assert doc.graph.node(a).value == float(UNDO_LIMIT + 49)
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert doc.graph.node(a).value == 50.0  # the 50 oldest steps were forgotten
    assert doc.is_modified  # the saved state is out of reach, so it is not "clean"


@pytest.mark.parametrize("name", ["x\ny", "tab\there", "x\u202e2", "a\u2066b", "bell\x07", "line\u2028sep"])
def test_names_with_control_or_direction_characters_are_refused(doc: GraphDocument, name: str) -> None:
    a = doc.graph.find("a").id
    with pytest.raises(GraphError, match="a name cannot contain"):
        doc.rename(a, name)
    assert doc.graph.node(a).name == "a"


def test_views_asking_mid_edit_get_the_evaluation_of_the_graph_as_it_is(doc: GraphDocument) -> None:
    """A view that reacts to node_removed or graph_reset reads the evaluation before the
    document re-evaluates; it must never name removed nodes (the monkey test's 'n54')."""
    seen: list[tuple[str | None, bool]] = []

    def look(*_: object) -> None:
        ev = doc.evaluation
        seen.append((ev.output, ev.output is None or ev.output in doc.graph))

    doc.node_removed.connect(look)
    doc.graph_reset.connect(look)
    doc.remove_nodes([doc.graph.find("loss").id])
    doc.reset(parse("h(x) = (2x + 1)**2"))
    assert seen and all(ok for _, ok in seen), seen
    assert seen[-1][0] == doc.graph.find("h").id
