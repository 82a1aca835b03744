"""Editing actions through real keys and clicks: delete, copy/paste, quick add, inline edits.

Every edit must be exactly one undo step and undo must restore the file byte for byte
(compared with the file format's own writer).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from explorer.graph.model import Edge
from explorer.io.format import dumps, loads

from .canvas_helpers import Canvas, document_delete_undo_is_safe

needs_safe_undo = pytest.mark.skipif(
    not document_delete_undo_is_safe(),
    reason="GraphDocument.remove_nodes segfaults on undo (compound QUndoCommand children are collected)",
)


@needs_safe_undo
def test_delete_then_undo_restores_exactly(canvas: Canvas) -> None:
    before = dumps(canvas.graph)
    stack = canvas.document.undo_stack
    steps = stack.count()
    c_id = canvas.node_id("c")
    canvas.click(canvas.point(canvas.item("c").header_rect().center()))
    QTest.keyClick(canvas.view, Qt.Key.Key_Delete)
    assert c_id not in canvas.graph
    assert len(canvas.graph.edges()) == 3  # a->c, b->c and c->d are gone
    assert len(canvas.scene.edge_items()) == 3
    assert canvas.item("d").value_text() == "undefined"  # d lost an operand
    assert stack.count() == steps + 1
    stack.undo()
    assert dumps(canvas.graph) == before
    assert canvas.scene.node_item(c_id).value_text() == "6"
    assert canvas.item("loss").value_text() == "49"
    assert len(canvas.scene.edge_items()) == 6
    stack.redo()
    assert c_id not in canvas.graph


def test_a_selected_link_is_deleted_with_its_key(canvas: Canvas) -> None:
    edge = Edge(canvas.node_id("c"), canvas.node_id("d"), 0)
    item = canvas.scene.edge_item(edge)
    canvas.click(canvas.point(item.path_point(0.5)))
    assert item.isSelected()
    QTest.keyClick(canvas.view, Qt.Key.Key_Delete)
    assert edge not in canvas.graph.edges()
    canvas.document.undo_stack.undo()
    assert edge in canvas.graph.edges()


def test_copy_and_paste_by_keyboard(canvas: Canvas) -> None:
    a, b, c_id = canvas.node_id("a"), canvas.node_id("b"), canvas.node_id("c")
    canvas.scene.select_nodes([a, b, c_id])
    QTest.keyClick(canvas.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    text = QGuiApplication.clipboard().text()
    copied = loads(text)  # the clipboard holds a valid graph file
    assert sorted(n.name for n in copied.nodes) == ["a", "b", "c"]
    assert len(copied.edges()) == 2
    before = dumps(canvas.graph)
    n_before = len(canvas.graph)
    QTest.keyClick(canvas.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert len(canvas.graph) == n_before + 3
    new_ids = canvas.scene.selected_node_ids()
    assert len(new_ids) == 3
    names = {canvas.graph.node(nid).name for nid in new_ids}
    assert names == {"a_2", "b_2", "c_2"}  # names stay unique
    c2 = canvas.graph.find("c_2")
    assert canvas.scene.node_item(c2.id).value_text() == "6"  # the copy computes too
    assert {e.target for e in canvas.graph.edges() if e.target in new_ids} == {c2.id}
    canvas.document.undo_stack.undo()
    assert dumps(canvas.graph) == before


def test_paste_offsets_repeated_pastes_and_duplicate(canvas: Canvas) -> None:
    a = canvas.node_id("a")
    canvas.scene.select_nodes([a])
    text = canvas.scene.copy_selection()
    first = canvas.scene.paste(text)
    second = canvas.scene.paste(text)
    a_pos = canvas.graph.node(a).position
    assert a_pos is not None
    p1, p2 = canvas.graph.node(first[0]).position, canvas.graph.node(second[0]).position
    assert p1 == (a_pos[0] + 30, a_pos[1] + 30) and p2 == (a_pos[0] + 60, a_pos[1] + 60)
    canvas.scene.select_nodes([a])
    QTest.keyClick(canvas.view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    dup = canvas.scene.selected_node_ids()
    assert len(dup) == 1 and canvas.graph.node(dup[0]).value == 2.0


def test_pasting_text_that_is_not_a_graph_says_why(canvas: Canvas) -> None:
    messages: list[str] = []
    canvas.scene.message.connect(messages.append)
    before = dumps(canvas.graph)
    assert canvas.scene.paste('{"format": "something else"}') == []
    assert dumps(canvas.graph) == before
    assert messages and messages[0].startswith("cannot paste")


def test_pasting_a_program_builds_it(canvas: Canvas) -> None:
    ids = canvas.scene.paste("p = 4.0\nq = p * p\n")
    assert len(ids) == 2
    q = canvas.graph.find("q")
    assert canvas.scene.node_item(q.id).value_text() == "16"


def test_delete_of_several_nodes_is_one_step(canvas: Canvas) -> None:
    steps = canvas.document.undo_stack.count()
    canvas.scene.select_nodes([canvas.node_id("a"), canvas.node_id("b")])
    QTest.keyClick(canvas.view, Qt.Key.Key_Delete)
    assert {n.name for n in canvas.graph.nodes} == {"c", "d", "loss", ""}
    assert canvas.document.undo_stack.count() == steps + 1
    assert canvas.item("loss").value_text() == "undefined"


def test_cut_removes_and_keeps_the_text(canvas: Canvas) -> None:
    canvas.scene.select_nodes([canvas.node_id("loss")])
    QTest.keyClick(canvas.view, Qt.Key.Key_X, Qt.KeyboardModifier.ControlModifier)
    assert "loss" not in {n.name for n in canvas.graph.nodes}
    assert [n.name for n in loads(QGuiApplication.clipboard().text()).nodes] == ["loss"]


def test_quick_add_by_keyboard_adds_at_the_cursor(canvas: Canvas) -> None:
    stack = canvas.document.undo_stack
    steps = stack.count()
    spot = canvas.point(canvas.scene.nodes_rect().bottomLeft() + QPointF(100.0, 150.0))
    canvas.move(spot, Qt.MouseButton.NoButton)
    QTest.keyClick(canvas.view, Qt.Key.Key_Tab)
    popup = canvas.view.quick_add
    assert popup.isVisible()
    QTest.keyClicks(popup.edit, "tanh")
    assert popup.matches()[0] == "tanh"
    QTest.keyClick(popup.edit, Qt.Key.Key_Return)
    assert not popup.isVisible()
    added = [n for n in canvas.graph.nodes if n.op == "tanh"]
    assert len(added) == 1
    item = canvas.scene.node_item(added[0].id)
    assert item.card_rect().contains(canvas.view.mapToScene(spot))
    assert canvas.scene.selected_node_ids() == [added[0].id]
    assert stack.count() == steps + 1


def test_shift_a_opens_quick_add_and_arrows_choose(canvas: Canvas) -> None:
    QTest.keyClick(canvas.view, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    popup = canvas.view.quick_add
    assert popup.isVisible()
    QTest.keyClicks(popup.edit, "s")
    listed = popup.matches()
    assert listed[:2] == ["sub", "sqrt"]  # name prefixes first, in table order
    QTest.keyClick(popup.edit, Qt.Key.Key_Down)
    QTest.keyClick(popup.edit, Qt.Key.Key_Enter)
    assert [n.op for n in canvas.graph.nodes].count("sqrt") == 1
    QTest.keyClick(canvas.view, Qt.Key.Key_Tab)
    QTest.keyClick(popup.edit, Qt.Key.Key_Escape)
    assert not popup.isVisible()


def test_double_click_a_value_to_type_it(canvas: Canvas) -> None:
    canvas.double_click(canvas.point(canvas.item("b").value_rect().center()))
    editor = canvas.scene.editor
    assert editor is not None and editor.line_edit.text() == "3"
    editor.line_edit.selectAll()
    QTest.keyClicks(editor.line_edit, "not a number")
    QTest.keyClick(editor.line_edit, Qt.Key.Key_Return)
    assert canvas.scene.editor is editor  # refused: still open, graph untouched
    assert "not a number" in editor.line_edit.toolTip()
    assert canvas.graph.find("b").value == 3.0
    editor.line_edit.selectAll()
    QTest.keyClicks(editor.line_edit, "-1.5")
    QTest.keyClick(editor.line_edit, Qt.Key.Key_Return)
    assert canvas.scene.editor is None
    assert canvas.graph.find("b").value == -1.5
    assert canvas.item("loss").value_text() == "4"  # (2 * -1.5 + 1)^2
    canvas.document.undo_stack.undo()
    assert canvas.graph.find("b").value == 3.0


def test_escape_cancels_an_inline_edit(canvas: Canvas) -> None:
    canvas.double_click(canvas.point(canvas.item("a").value_rect().center()))
    editor = canvas.scene.editor
    assert editor is not None
    QTest.keyClicks(editor.line_edit, "9")
    QTest.keyClick(editor.line_edit, Qt.Key.Key_Escape)
    assert canvas.scene.editor is None
    assert canvas.graph.find("a").value == 2.0


def test_double_click_the_header_to_rename(canvas: Canvas) -> None:
    c_id = canvas.node_id("c")
    canvas.double_click(canvas.point(canvas.item("c").header_rect().center()))
    editor = canvas.scene.editor
    assert editor is not None and editor.line_edit.text() == "c"
    editor.line_edit.selectAll()
    QTest.keyClicks(editor.line_edit, "a")  # taken by the input a
    QTest.keyClick(editor.line_edit, Qt.Key.Key_Return)
    assert canvas.scene.editor is editor and "already used" in editor.line_edit.toolTip()
    editor.line_edit.selectAll()
    QTest.keyClicks(editor.line_edit, "product")
    QTest.keyClick(editor.line_edit, Qt.Key.Key_Return)
    assert canvas.graph.node(c_id).name == "product"
    assert canvas.scene.node_item(c_id).title == "product"


def test_f2_renames_the_selection(canvas: Canvas) -> None:
    canvas.scene.select_nodes([canvas.node_id("d")])
    QTest.keyClick(canvas.view, Qt.Key.Key_F2)
    editor = canvas.scene.editor
    assert editor is not None and editor.line_edit.text() == "d"


def test_set_the_output_node(canvas: Canvas) -> None:
    d_id, loss_id = canvas.node_id("d"), canvas.node_id("loss")
    assert canvas.scene.node_item(loss_id).is_output
    canvas.scene.select_nodes([d_id])
    canvas.scene.set_selected_as_output()
    assert canvas.graph.output == d_id
    assert canvas.scene.node_item(d_id).is_output and not canvas.scene.node_item(loss_id).is_output
    assert canvas.item("a").grad_text() == "3"  # dd/da = b
    assert canvas.item("loss").grad_text() == "0"  # loss no longer feeds the output
    canvas.document.undo_stack.undo()
    assert canvas.scene.node_item(loss_id).is_output
    assert canvas.item("a").grad_text() == "42"


def test_double_click_on_empty_canvas_is_announced(canvas: Canvas) -> None:
    seen: list[QPointF] = []
    canvas.scene.background_double_clicked.connect(seen.append)
    spot = canvas.scene.nodes_rect().bottomRight() + QPointF(200.0, 200.0)
    canvas.double_click(canvas.point(spot))
    assert len(seen) == 1 and (seen[0] - spot).manhattanLength() <= 2.0


def test_select_all_and_escape(canvas: Canvas) -> None:
    QTest.keyClick(canvas.view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(canvas.scene.selected_node_ids()) == len(canvas.graph)
    QTest.keyClick(canvas.view, Qt.Key.Key_Escape)
    assert canvas.scene.selected_node_ids() == []
