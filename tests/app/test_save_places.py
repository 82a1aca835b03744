"""Where Save As starts, and what a Replace from Ctrl+E does to the document's file.

Saving into the app's own examples folder would write into the installed package, and a
replaced graph saved with Ctrl+S would overwrite the file it replaced."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

from explorer.app.examples import examples_dir

from .app_helpers import make_graph, write_graph


@pytest.fixture
def save_dialog(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records the start path of every Save dialog and cancels it."""
    starts: list[str] = []

    def get_save(parent: object, caption: str, start: str, *args: object) -> tuple[str, str]:
        starts.append(start)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", get_save)
    return starts


def test_save_as_of_an_opened_example_starts_in_documents_not_in_the_app(window, save_dialog) -> None:
    example = examples_dir() / "lesson_loss.json"
    assert window.open_file(example)  # as `chain-explorer resources/examples/lesson_loss.json`
    assert not window.save_as()
    start = Path(save_dialog[-1])
    assert start.name == "lesson_loss.json"
    assert examples_dir() not in start.parents
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    expected = Path(documents) if documents and Path(documents).is_dir() else Path.home()
    assert start.parent == expected


def test_save_as_starts_in_the_folder_the_user_last_used(window, save_dialog, tmp_path: Path) -> None:
    mine = tmp_path / "work"
    mine.mkdir()
    path = mine / "g.json"
    write_graph(path)
    assert window.open_file(path)
    window.new_document()
    assert not window.save_as()
    assert Path(save_dialog[-1]).parent == mine


def test_replace_from_an_expression_makes_an_untitled_document(window, dialogs, tmp_path: Path) -> None:
    path = tmp_path / "kept.json"
    write_graph(path, "y(t) = sin(t)")
    assert window.open_file(path)
    before = path.read_text(encoding="utf-8")
    QTest.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = window.expression_dialog
    dialog.editor.setPlainText("h(x) = (2x + 1)^2")
    assert dialog.replace
    QTest.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert window.document.file_path is None
    assert window.document.is_modified
    assert "kept.json" not in window.windowTitle()
    # Ctrl+S now asks where to save (and is cancelled); the old file is untouched.
    dialogs.save_paths.append("")
    QTest.keyClick(window.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialogs.save_paths == []  # the Save dialog was shown
    assert path.read_text(encoding="utf-8") == before


def test_undoing_the_replace_gives_the_graph_back_its_file(window, tmp_path: Path) -> None:
    path = tmp_path / "kept.json"
    write_graph(path, "y(t) = sin(t)")
    assert window.open_file(path)
    dialog = window.build_from_expression()
    dialog.editor.setPlainText("h(x) = (2x + 1)^2")
    QTest.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert window.document.file_path is None
    window.actions["undo"].trigger()
    assert window.document.file_path == path.resolve()
    assert not window.document.is_modified and "kept.json" in window.windowTitle()


def test_an_untitled_graph_is_offered_a_tidy_file_name(window, save_dialog) -> None:
    graph = make_graph("h(x) = (2x+1)^2")
    graph.title = "h(x) = (2x+1)^2"  # as the expression dialog names it
    window.insert_built_graph(graph, replace=True)
    assert not window.save_as()
    assert Path(save_dialog[-1]).name == "h_x_2x_1_2.json"
