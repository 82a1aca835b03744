"""The window against hostile files (issue 12, adversarial list): refuse in one line, keep running."""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

import pytest

from explorer.io.format import dumps


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_opening_a_named_pipe_is_refused_and_the_document_kept(window, dialogs, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    done = threading.Event()

    def unblock() -> None:  # frees a reader that blocked anyway (the bug), so it fails, not hangs
        done.wait(15)
        with contextlib.suppress(OSError):
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    guard = threading.Thread(target=unblock, daemon=True)
    guard.start()
    before = dumps(window.document.graph)
    try:
        assert window.open_file(fifo) is False
    finally:
        done.set()
        guard.join()
    assert dialogs.errors == [f"{fifo}: cannot read the file: not a regular file (a named pipe)"]
    assert dumps(window.document.graph) == before and window.document.file_path is None


def test_deleting_and_undoing_a_selected_node_never_asks_for_a_removed_id(window, qtbot, tmp_path) -> None:
    """The soak found ``show_node → chain_product → output_label → GraphError: no node 'n46'``."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from .app_helpers import write_graph

    path = tmp_path / "lesson.json"
    write_graph(path, "a = 2.0; b = 3.0; c = a * b; d = c + 1; loss = d**2")
    window.open_file(path)
    narrative, plot = window.narrative, window.sensitivity
    graph = window.document.graph
    # While several selected nodes go one by one, the selection passes through one node while
    # the evaluation still names the removed output.
    for names in (["loss"], ["c"], ["a", "loss"], ["loss", "b"], ["c", "d", "loss"]):
        ids = [graph.find(name).id for name in names]
        window.scene.select_nodes(ids)
        window.view.setFocus()
        QTest.keyClick(window.view, Qt.Key.Key_Delete)
        assert not any(node_id in graph for node_id in ids)
        assert "Select a node" in narrative.selected_label.text()
        QTest.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert all(node_id in graph for node_id in ids)
    assert plot.x_range[0] < plot.x_range[1]


def test_a_selection_made_while_nodes_are_being_removed_shows_no_removed_id(window, tmp_path) -> None:
    """The selection can change between one removal and the re-evaluation (the soak's n46)."""
    from .app_helpers import write_graph

    path = tmp_path / "lesson.json"
    write_graph(path, "a = 2.0; b = 3.0; c = a * b; d = c + 1; loss = d**2")
    window.open_file(path)
    narrative, _plot, graph = window.narrative, window.sensitivity, window.document.graph
    a = graph.find("a").id
    window.document.node_removed.connect(lambda _id: window.scene.select_nodes([a]))
    for name in ("loss", "c"):
        window.document.remove_nodes([graph.find(name).id])
        window.document.undo_stack.undo()
        window.scene.clearSelection()
    window.scene.select_nodes([a])
    assert "d(loss)/da" in narrative.selected_label.text().replace("<", " <")
