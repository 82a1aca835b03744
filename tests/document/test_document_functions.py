"""Functions in the document: Group as Function, Ungroup, Expand/Collapse, each one undo step."""

from __future__ import annotations

import pytest

from explorer.document.document import GraphDocument
from explorer.graph.model import GraphError
from explorer.graph.parser import parse
from explorer.io.format import dumps

from ..graph.function_helpers import flat_lesson, lesson


def test_group_as_function_undo_redo(qapp: object) -> None:
    doc = GraphDocument(flat_lesson())
    before = dumps(doc.graph)
    call = doc.group_as_function(["two", "m", "one", "g"], "g_fn")
    assert call == "g" and doc.graph.node("g").op == "call" and doc.graph.node("g").function == "g_fn"
    assert doc.evaluation.value == 49.0 and doc.evaluation["x"].grad == 28.0
    grouped = dumps(doc.graph)
    assert doc.undo_stack.count() == 1 and doc.undo_stack.undoText() == "Group as g_fn"
    doc.undo_stack.undo()
    assert dumps(doc.graph) == before and not doc.graph.functions
    doc.undo_stack.redo()
    assert dumps(doc.graph) == grouped


def test_ungroup_undo_redo_and_the_library_follows(qapp: object) -> None:
    doc = GraphDocument(lesson())
    before = dumps(doc.graph)
    added = doc.ungroup("g")
    assert "g" in added and doc.graph.node("g").op == "add"
    assert [f.name for f in doc.graph.functions] == ["f"]  # g is no longer used
    assert doc.evaluation.value == 49.0 and doc.evaluation["x"].grad == 28.0
    after = dumps(doc.graph)
    doc.undo_stack.undo()
    assert dumps(doc.graph) == before
    doc.undo_stack.redo()
    assert dumps(doc.graph) == after


def test_expand_and_collapse_are_undoable_and_signalled(qapp: object) -> None:
    doc = GraphDocument(lesson())
    seen: list[str] = []
    doc.expansion_changed.connect(seen.append)
    doc.set_expanded("h", True)
    assert doc.expanded == {"h"} and seen == ["h"]
    doc.set_expanded("h", True)  # no change, no step
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert doc.expanded == set()
    doc.undo_stack.redo()
    doc.ungroup("h")  # an expanded call that goes away is collapsed in the same step
    assert doc.expanded == set()
    doc.undo_stack.undo()
    assert doc.expanded == {"h"}
    with pytest.raises(GraphError, match="not a function call"):
        doc.set_expanded("x", True)


def test_add_call_and_refusals(qapp: object) -> None:
    doc = GraphDocument(lesson())
    nid = doc.add_call("g", (10.0, 20.0))
    assert doc.graph.node(nid).function == "g" and len(doc.graph.node(nid).operands) == 1
    doc.undo_stack.undo()
    assert nid not in doc.graph
    with pytest.raises(GraphError, match="select the computed nodes"):
        doc.group_as_function(["x"], "bad")
    count = doc.undo_stack.count()
    with pytest.raises(GraphError):
        doc.group_as_function(["g"], "exp")
    assert doc.undo_stack.count() == count


def test_build_from_a_program_with_functions_replaces_the_library(qapp: object) -> None:
    doc = GraphDocument(lesson())
    doc.insert_graph(parse("sq(t) = t*t; a = 3; b = sq(a)"), replace=True, text="Build")
    assert [f.name for f in doc.graph.functions] == ["sq"] and doc.evaluation.value == 9.0
    doc.undo_stack.undo()
    assert [f.name for f in doc.graph.functions] == ["g", "f"]
    pasted = doc.insert_graph(parse("sq(t) = t*t; a = 3; b = sq(a)"))
    assert any(doc.graph.node(n).function == "sq" for n in pasted)
    with pytest.raises(GraphError, match="different function named 'sq'"):
        doc.insert_graph(parse("sq(t) = t*t*t; a = 3; b = sq(a)"))


def test_copy_and_paste_carry_the_functions_a_call_uses(qapp: object) -> None:
    from explorer.canvas.clipboard import graph_from_text, selection_text

    doc = GraphDocument(lesson())
    text = selection_text(doc.graph, ["g"], {})
    copied = graph_from_text(text)
    assert [f.name for f in copied.functions] == ["g"] and copied.node("g").op == "call"
    other = GraphDocument()
    ids = other.insert_graph(copied, text="Paste")
    assert other.graph.node(ids[0]).function == "g" and other.graph.function("g") == doc.graph.function("g")
