"""Build from expression: live parse errors pointing at the column, preview, insertion."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox

from explorer.app.expression_dialog import caret_snippet, title_for
from explorer.io.format import dumps

from .app_helpers import write_graph


def test_caret_snippet_points_at_the_column() -> None:
    assert caret_snippet("a = 1\nb = a *+ ", 2, 8) == "b = a *+ \n       ^"
    assert caret_snippet("x", 1, 1) == "x\n^"


def test_title_for_short_single_lines_only() -> None:
    assert title_for("  h(x) = (2x+1)^2 ") == "h(x) = (2x+1)^2"
    assert title_for("a = 2\nb = a * a") == ""


def _ok(dialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_ctrl_e_opens_the_dialog_and_shows_the_error_column(window, qtbot) -> None:
    window.actions["build_expression"].trigger()
    dialog = window.expression_dialog
    assert dialog is not None and dialog.isVisible()
    QTest.keyClicks(dialog.editor, "x + * 2")
    assert dialog.error is not None and (dialog.error.line, dialog.error.column) == (1, 5)
    assert "column 5" in dialog.status.text()
    assert dialog.caret.isVisible()
    assert dialog.caret.text().splitlines()[1] == "    ^"  # under the '*'
    marks = dialog.editor.extraSelections()
    assert len(marks) == 1 and marks[0].cursor.selectionStart() == 4
    assert not _ok(dialog).isEnabled()
    dialog.reject()


def test_ok_replaces_the_graph_laid_out_in_one_undo_step(window, tmp_path) -> None:
    path = tmp_path / "before.json"
    write_graph(path, "y(t) = sin(t)")
    window.open_file(path)
    before = dumps(window.document.graph)
    dialog = window.build_from_expression()
    QTest.keyClicks(dialog.editor, "h(x) = (2x + 1)^2")
    assert dialog.error is None and not dialog.caret.isVisible()
    assert len(dialog.preview_document.graph) == 7  # the preview shows the graph
    assert dialog.replace
    QTest.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)

    graph = window.document.graph
    assert sorted(n.op for n in graph.nodes) == sorted(
        ["input", "const", "mul", "const", "add", "const", "pow"]
    )
    assert all(n.position is not None for n in graph.nodes)
    x_pos = graph.find("x").position
    h_pos = graph.find("h").position
    assert x_pos[0] < h_pos[0]  # inputs left, output right
    ev = window.document.evaluation
    assert ev.value_of(graph.find("h").id) == 9.0  # x = 1: (2 + 1)²
    assert ev.grad_of(graph.find("x").id) == 12.0  # 2·3·2
    assert graph.title == "h(x) = (2x + 1)^2"
    assert set(window.scene.selected_node_ids()) == {n.id for n in graph.nodes}

    window.actions["undo"].trigger()
    assert dumps(window.document.graph) == before


def test_add_beside_keeps_the_current_graph_and_places_the_new_one_right(window, tmp_path) -> None:
    path = tmp_path / "before.json"
    write_graph(path, "y(t) = sin(t)")
    window.open_file(path)
    old = {n.id: n.position for n in window.document.graph.nodes}
    dialog = window.build_from_expression()
    dialog.add_button.setChecked(True)
    for line in ("a = Value(2.0)", "b = a * a", "b.backward()"):
        QTest.keyClicks(dialog.editor, line)
        QTest.keyClick(dialog.editor, Qt.Key.Key_Return)
    QTest.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)
    graph = window.document.graph
    assert {nid: graph.node(nid).position for nid in old} == old
    new = [n for n in graph.nodes if n.id not in old]
    assert len(new) == 2
    assert min(n.position[0] for n in new) > max(p[0] for p in old.values())
    assert window.document.undo_stack.count() == 1


def test_the_dialog_remembers_the_last_text(window) -> None:
    dialog = window.build_from_expression()
    QTest.keyClicks(dialog.editor, "y(z) = tanh(z)")
    QTest.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)
    again = window.build_from_expression()
    assert again.text == "y(z) = tanh(z)"
    again.reject()


def test_program_free_names_are_inputs_and_a_refused_text_empties_the_preview(window) -> None:
    """Issue 12 item 4: the lesson's own program parses; the preview never shows a stale graph."""
    dialog = window.build_from_expression()
    QTest.keyClicks(dialog.editor, "g = 2*x + 1; h = g**2")
    assert dialog.error is None and _ok(dialog).isEnabled()
    assert len(dialog.preview_document.graph) == 7  # x, 2, ·, 1, +, 2, **
    assert len(dialog.preview_scene.node_items()) == 7
    assert "∂h/∂x = " in dialog.status.text()
    QTest.keyClicks(dialog.editor, " +")  # "h = g**2 +" no longer parses
    assert dialog.error is not None
    assert len(dialog.preview_document.graph) == 0
    assert dialog.preview_scene.node_items() == []
    QTest.keyClick(dialog.editor, Qt.Key.Key_Backspace)
    QTest.keyClick(dialog.editor, Qt.Key.Key_Backspace)
    assert dialog.error is None and len(dialog.preview_scene.node_items()) == 7
    dialog.reject()


def _link_on_screen(window, source: str, target: str) -> bool:
    """Whether the viewport shows the link's curve: along the stretch between the port
    and the label chip, nearly every sampled point has a pixel of the link's colour."""
    from PySide6.QtGui import QColor

    graph = window.document.graph
    edge = next(
        e
        for e in graph.edges()
        if graph.node(e.source).name == source and graph.node(e.target).name == target
    )
    item = window.scene.edge_item(edge)
    window.view.viewport().repaint()
    image = window.view.viewport().grab().toImage()
    ink = QColor(window.scene.canvas_style.edge)
    samples = [0.12 + 0.02 * k for k in range(12)]
    hits = 0
    for t in samples:
        p = window.view.mapFromScene(item.path_point(t))
        near = [image.pixelColor(p.x() + dx, p.y() + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
        hits += any(
            abs(c.red() - ink.red()) + abs(c.green() - ink.green()) + abs(c.blue() - ink.blue()) < 90
            for c in near
        )
    return hits >= len(samples) // 2


def test_a_replace_after_stepping_to_the_end_draws_every_link(window, qtbot) -> None:
    """The new user's steps: Ctrl+E, End, Ctrl+E with a program, replace."""
    window.resize(1440, 900)
    QTest.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = window.expression_dialog
    dialog.editor.setPlainText("(2*x+1)**2")
    QTest.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)
    QTest.mouseClick(
        window.view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=window.view.viewport().rect().topLeft() + QPoint(8, 8),
    )
    window.actions["backward_end"].trigger()
    window.view.viewport().repaint()
    QTest.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = window.expression_dialog
    dialog.editor.setPlainText(
        "a = Value(2.0); b = Value(3.0); c = a*b; d = c + 1; loss = d**2; loss.backward()"
    )
    assert dialog.replace
    QTest.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)
    for source, target in (("a", "c"), ("b", "c"), ("c", "d"), ("d", "loss")):
        assert _link_on_screen(window, source, target), f"{source} → {target} is not drawn"
