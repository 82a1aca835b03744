"""Document handling through the window: save/load, undo back to the saved bytes, the
unsaved-changes question, bad files, drops, recent files and revert."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from explorer.graph.model import Graph
from explorer.io.format import FormatError, dumps, load, save

from .app_helpers import make_graph, write_graph

Button = QMessageBox.StandardButton


def test_save_as_then_open_round_trip(window, make_window, dialogs, tmp_path: Path) -> None:
    window.insert_built_graph(make_graph("h(x) = (2x + 1)^2", x=3.0), replace=True)
    target = tmp_path / "square"
    dialogs.save_paths.append(str(target))
    assert window.actions["save"].isEnabled()
    window.actions["save"].trigger()  # no file yet: Save asks where
    saved = tmp_path / "square.json"  # the extension is added
    assert saved.read_text(encoding="utf-8") == dumps(window.document.graph)
    assert not window.document.is_modified
    assert window.windowTitle().startswith("square.json")

    other = make_window()
    assert other.open_file(saved)
    assert dumps(other.document.graph) == saved.read_text(encoding="utf-8")
    ev = other.document.evaluation
    h = other.document.graph.find("h").id
    x = other.document.graph.find("x").id
    assert ev.value_of(h) == 49.0  # (2·3 + 1)²
    assert ev.grad_of(x) == 28.0  # 2·(2·3 + 1)·2


def test_save_keeps_a_backup_of_the_previous_version(window, tmp_path: Path) -> None:
    path = tmp_path / "g.json"
    write_graph(path, x=3.0)
    first = path.read_bytes()
    assert window.open_file(path)
    window.document.set_value(window.document.graph.find("x").id, 5.0)
    assert window.save()
    assert (tmp_path / "g.json.bak").read_bytes() == first
    assert load(path).node(window.document.graph.find("x").id).value == 5.0


def _first(graph: Graph, op: str) -> str:
    return next(n.id for n in graph.nodes if n.op == op)


def _edit_add_from_palette(w) -> None:
    item = w.palette.op_items()["tanh"]
    w.palette.scrollToItem(item)
    rect = w.palette.visualItemRect(item)
    QTest.mouseClick(w.palette.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    QTest.mouseDClick(w.palette.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _edit_rename_in_inspector(w) -> None:
    w.select_nodes([w.document.graph.find("x").id])
    w.inspector.name_edit.selectAll()
    QTest.keyClicks(w.inspector.name_edit, "speed")
    QTest.keyClick(w.inspector.name_edit, Qt.Key.Key_Return)


def _edit_value_in_inspector(w) -> None:
    w.select_nodes([w.document.graph.find("x").id])
    w.inspector.value_edit.selectAll()
    QTest.keyClicks(w.inspector.value_edit, "-2.5")
    QTest.keyClick(w.inspector.value_edit, Qt.Key.Key_Return)


def _edit_delete_action(w) -> None:
    w.select_nodes([_first(w.document.graph, "add")])
    w.actions["delete"].trigger()


def _edit_set_output_action(w) -> None:
    w.select_nodes([_first(w.document.graph, "add")])
    w.actions["set_output"].trigger()


def _edit_auto_layout_action(w) -> None:
    g = w.document.graph
    w.document.move_nodes({n.id: (n.position[0] + 40.0, n.position[1] - 30.0) for n in g.nodes})
    w.document.undo_stack.setClean()  # this scrambled layout is the "saved" state
    w.save()
    w.actions["auto_layout"].trigger()


def _edit_connect(w) -> None:
    mul = _first(w.document.graph, "mul")
    w.document.unlink(mul, 1)
    w.document.undo_stack.setClean()
    w.save()
    w.document.link(w.document.graph.find("x").id, mul, 1)


def _edit_disconnect(w) -> None:
    w.document.unlink(_first(w.document.graph, "pow"), 0)


def _edit_set_op(w) -> None:
    w.document.set_op(_first(w.document.graph, "add"), "sub")


def _edit_move(w) -> None:
    w.document.move_nodes({w.document.graph.find("x").id: (-300.0, 250.0)})


def _edit_metadata(w) -> None:
    w.document.set_metadata("Square", "A square of a line")


def _edit_build_beside(w) -> None:
    w.insert_built_graph(make_graph("y(t) = sin(t) * t"), replace=False)


def _edit_build_replace(w) -> None:
    w.insert_built_graph(make_graph("q(u) = exp(-u)"), replace=True)


def _edit_copy_paste(w) -> None:
    w.select_nodes([_first(w.document.graph, "mul"), w.document.graph.find("x").id])
    w.actions["copy"].trigger()
    w.actions["paste"].trigger()


def _edit_duplicate(w) -> None:
    w.select_nodes([_first(w.document.graph, "pow")])
    w.actions["duplicate"].trigger()


def _edit_cut(w) -> None:
    w.select_nodes([_first(w.document.graph, "mul")])
    w.actions["cut"].trigger()


EDITS = {
    "add from palette": _edit_add_from_palette,
    "rename in inspector": _edit_rename_in_inspector,
    "value in inspector": _edit_value_in_inspector,
    "delete": _edit_delete_action,
    "set output": _edit_set_output_action,
    "auto layout": _edit_auto_layout_action,
    "connect": _edit_connect,
    "disconnect": _edit_disconnect,
    "set op": _edit_set_op,
    "move": _edit_move,
    "metadata": _edit_metadata,
    "build beside": _edit_build_beside,
    "build replace": _edit_build_replace,
    "copy paste": _edit_copy_paste,
    "duplicate": _edit_duplicate,
    "cut": _edit_cut,
}


@pytest.mark.parametrize("kind", list(EDITS))
def test_undo_and_redo_of_each_edit_returns_to_the_saved_bytes(
    window, dialogs, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "doc.json"
    write_graph(path, x=3.0)
    assert window.open_file(path)
    EDITS[kind](window)
    saved = path.read_text(encoding="utf-8")
    after = dumps(window.document.graph)
    assert after != saved, "the edit changed nothing"
    assert window.document.is_modified and window.isWindowModified()

    window.actions["undo"].trigger()
    assert dumps(window.document.graph) == saved
    assert not window.document.is_modified and not window.isWindowModified()

    window.actions["redo"].trigger()
    assert dumps(window.document.graph) == after
    if kind == "build replace":  # a replaced graph is a new document: Save asks where
        assert window.document.file_path is None
        dialogs.save_paths.append(str(path))
    assert window.save()
    assert load(path) == window.document.graph
    assert path.read_text(encoding="utf-8") == after


def _modified_window(window, tmp_path: Path) -> Path:
    path = tmp_path / "work.json"
    write_graph(path, x=3.0)
    assert window.open_file(path)
    window.document.set_value(window.document.graph.find("x").id, 4.0)
    return path


def test_new_with_unsaved_changes_save(window, dialogs, tmp_path: Path) -> None:
    path = _modified_window(window, tmp_path)
    dialogs.answers.append(Button.Save)
    window.actions["new"].trigger()
    assert len(dialogs.questions) == 1 and "work.json" in dialogs.questions[0]
    assert load(path).find("x").value == 4.0  # saved first
    assert len(window.document.graph) == 0 and window.document.file_path is None


def test_new_with_unsaved_changes_discard(window, dialogs, tmp_path: Path) -> None:
    path = _modified_window(window, tmp_path)
    before = path.read_bytes()
    dialogs.answers.append(Button.Discard)
    window.actions["new"].trigger()
    assert path.read_bytes() == before
    assert len(window.document.graph) == 0 and not window.document.is_modified


def test_new_with_unsaved_changes_cancel(window, dialogs, tmp_path: Path) -> None:
    path = _modified_window(window, tmp_path)
    text = dumps(window.document.graph)
    dialogs.answers.append(Button.Cancel)
    window.actions["new"].trigger()
    assert dumps(window.document.graph) == text
    assert window.document.is_modified and window.document.file_path == path.resolve()


def test_open_asks_and_cancel_keeps_the_document(window, dialogs, tmp_path: Path) -> None:
    _modified_window(window, tmp_path)
    text = dumps(window.document.graph)
    other = tmp_path / "other.json"
    write_graph(other, "y(w) = tanh(w)")
    dialogs.open_paths.append(str(other))
    dialogs.answers.append(Button.Cancel)
    window.actions["open"].trigger()
    assert dialogs.questions and dumps(window.document.graph) == text


def test_close_asks_cancel_keeps_the_window_discard_closes(window, dialogs, tmp_path: Path) -> None:
    _modified_window(window, tmp_path)
    dialogs.answers.append(Button.Cancel)
    assert not window.close()
    assert window.isVisible()
    dialogs.answers.append(Button.Discard)
    assert window.close()
    assert not window.isVisible()


def test_save_answer_with_untitled_document_and_cancelled_save_dialog_cancels(window, dialogs) -> None:
    window.insert_built_graph(make_graph("y(x) = x * x"), replace=True)
    dialogs.answers.append(Button.Save)
    dialogs.save_paths.append("")  # the user closes the file dialog
    window.actions["new"].trigger()
    assert len(window.document.graph) == 2 and window.document.is_modified


@pytest.mark.parametrize(
    "content",
    [
        '{"format": "chain-rule-explorer", "version": 1, "nodes": [',
        '{"format": "chain-rule-explorer", "version": 1, "nodes": [{"id": "a", "op": "frobnicate"}], '
        '"edges": []}',
        '{"format": "something-else", "version": 1, "nodes": [], "edges": []}',
    ],
)
def test_a_malformed_file_shows_the_reason_and_leaves_the_document(
    window, dialogs, tmp_path: Path, content: str
) -> None:
    _modified_window(window, tmp_path)
    text, path_before = dumps(window.document.graph), window.document.file_path
    undo_count = window.document.undo_stack.count()
    bad = tmp_path / "broken.json"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(FormatError) as refusal:
        load(bad)

    assert not window.open_file(bad)
    assert dialogs.errors == [str(refusal.value)]
    assert "\n" not in dialogs.errors[0] and "broken.json" in dialogs.errors[0]
    assert dialogs.questions == []  # no unsaved-changes question for a file that cannot open
    assert dumps(window.document.graph) == text
    assert window.document.file_path == path_before
    assert window.document.is_modified and window.document.undo_stack.count() == undo_count


def _send_drop(widget, path: Path) -> QDropEvent:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    pos = widget.rect().center()
    enter = QDragEnterEvent(
        pos, Qt.DropAction.CopyAction, data, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(pos), Qt.DropAction.CopyAction, data, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, drop)
    return drop


def test_dropping_a_file_on_the_window_opens_it(window, tmp_path: Path) -> None:
    path = tmp_path / "dropped.json"
    graph = write_graph(path, "y(w) = tanh(w)", w=0.5)
    drop = _send_drop(window, path)
    assert drop.isAccepted()
    QApplication.processEvents()  # the file opens once the drop has returned
    assert window.document.file_path == path.resolve()
    assert window.document.graph == graph
    assert window.windowTitle().startswith("dropped.json")


def test_dropping_a_file_on_the_canvas_reaches_the_window(window, tmp_path: Path) -> None:
    path = tmp_path / "onto-canvas.json"
    write_graph(path, "y(w) = sin(w)")
    _send_drop(window.view.viewport(), path)
    QApplication.processEvents()
    assert window.document.file_path == path.resolve()


def test_recent_files_are_remembered_and_reopen(window, make_window, settings, tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    write_graph(a, "y(x) = x * x")
    write_graph(b, "y(x) = exp(x)")
    assert window.open_file(a) and window.open_file(b)
    assert window.prefs.recent_files[:2] == [str(b.resolve()), str(a.resolve())]
    settings.sync()

    later = make_window(settings=settings)
    later._fill_recent_menu()
    entries = [act for act in later.recent_menu.actions() if act.toolTip() == str(a.resolve())]
    assert len(entries) == 1
    entries[0].trigger()
    assert later.document.file_path == a.resolve()


def test_revert_reloads_the_saved_file(window, dialogs, tmp_path: Path) -> None:
    path = _modified_window(window, tmp_path)
    assert window.actions["revert"].isEnabled()
    dialogs.answers.append(Button.Discard)
    window.actions["revert"].trigger()
    assert dumps(window.document.graph) == path.read_text(encoding="utf-8")
    assert not window.document.is_modified


def test_title_shows_the_file_name_and_the_unsaved_mark(window, tmp_path: Path) -> None:
    path = _modified_window(window, tmp_path)
    assert window.windowTitle() == "work.json[*] — Chain Rule Explorer"
    assert window.isWindowModified()
    window.save()
    assert not window.isWindowModified()
    assert path.name in window.windowTitle()


def test_examples_open_as_untitled_copies(window, dialogs, tmp_path: Path) -> None:
    path = tmp_path / "lesson.json"
    graph = make_graph("h(x) = (2x + 1)^2", x=3.0)
    graph.title = "The first lesson"
    save(graph, path)
    assert window.open_example(path)
    assert window.document.file_path is None
    assert window.document.graph == graph
    assert window.windowTitle().startswith("The first lesson")
    dialogs.save_paths.append(str(tmp_path / "mine.json"))
    assert window.save()  # Save asks where: never over the bundled example
    assert path.read_text(encoding="utf-8") == dumps(graph)


def test_startup_opens_the_given_path(window, tmp_path: Path) -> None:
    path = tmp_path / "start.json"
    write_graph(path)
    window.startup(path)
    assert window.document.file_path == path.resolve()
