"""Autosave to a separate recovery file, and the offer to restore it after a crash."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from explorer.app.recovery import (
    BURST_QUIET_MS,
    MAX_UNSAVED_MS,
    RECOVERY_ENV,
    RecoveryStore,
    default_recovery_dir,
    read_entry,
    write_entry,
)
from explorer.io.format import dumps, loads

from .app_helpers import make_graph, write_graph

Button = QMessageBox.StandardButton


def _open_and_edit(window, tmp_path: Path) -> Path:
    path = tmp_path / "mine.json"
    write_graph(path, x=3.0)
    assert window.open_file(path)
    window.document.set_value(window.document.graph.find("x").id, 7.0)
    return path


def test_an_edit_schedules_autosave_in_a_burst_and_within_30_seconds(window, tmp_path: Path) -> None:
    _open_and_edit(window, tmp_path)
    saver = window.autosaver
    assert saver.pending
    assert saver.burst_timer.isActive() and saver.burst_timer.interval() == BURST_QUIET_MS
    assert saver.max_timer.isActive() and saver.max_timer.interval() == MAX_UNSAVED_MS == 30_000


def test_the_burst_timer_writes_the_recovery_file_never_the_users_file(window, tmp_path: Path) -> None:
    path = _open_and_edit(window, tmp_path)
    on_disk = path.read_bytes()
    window.autosaver.burst_timer.timeout.emit()  # the burst went quiet
    recovery = window.recovery_store.path
    assert recovery.parent == tmp_path / "recovery"
    entry = read_entry(recovery)
    assert entry is not None
    assert entry.file_path == path.resolve()
    assert entry.graph_text == dumps(window.document.graph)
    assert loads(entry.graph_text).find("x").value == 7.0
    assert path.read_bytes() == on_disk
    assert not window.autosaver.pending and not window.autosaver.max_timer.isActive()


def test_saving_or_undoing_to_clean_removes_the_recovery_file(window, tmp_path: Path) -> None:
    _open_and_edit(window, tmp_path)
    assert window.autosaver.write_now()
    assert window.recovery_store.path.exists()
    window.actions["undo"].trigger()  # back to the saved state: nothing to recover
    assert not window.recovery_store.path.exists()
    window.actions["redo"].trigger()
    assert window.autosaver.write_now()
    assert window.save()
    assert not window.recovery_store.path.exists()


def test_a_normal_close_removes_the_recovery_file(window, dialogs, tmp_path: Path) -> None:
    _open_and_edit(window, tmp_path)
    window.autosaver.write_now()
    dialogs.answers.append(Button.Discard)
    assert window.close()
    assert not window.recovery_store.path.exists()


def test_after_a_crash_the_next_window_offers_and_restores(make_window, dialogs, tmp_path: Path) -> None:
    first = make_window()
    path = _open_and_edit(first, tmp_path)
    first.document.rename(first.document.graph.find("h").id, "height")
    assert first.autosaver.write_now()
    crashed_text = dumps(first.document.graph)
    first.recovery_store.abandon()  # the process dies: its lock goes, its file stays

    second = make_window()
    dialogs.answers.append(Button.Yes)
    second.startup(None)
    assert len(dialogs.questions) == 1 and "mine.json" in dialogs.questions[0]
    assert dumps(second.document.graph) == crashed_text
    assert second.document.file_path == path.resolve()
    assert second.document.is_modified and second.isWindowModified()
    assert read_entry(second.recovery_store.path) is not None  # its own autosave now guards it
    assert not first.recovery_store.path.exists()
    assert loads(path.read_text(encoding="utf-8")).find("x").value == 3.0  # user's file untouched

    assert second.save()
    assert dumps(loads(path.read_text(encoding="utf-8"))) == crashed_text


def test_a_recovery_file_written_before_start_is_offered(make_window, dialogs, tmp_path: Path) -> None:
    folder = tmp_path / "recovery"
    graph = make_graph("y(x) = log(x)", x=2.0)
    write_entry(folder / "old-session.json", dumps(graph), None, saved_at=1_700_000_000.0)
    window = make_window(recovery_dir=folder)
    dialogs.answers.append(Button.Yes)
    assert window.offer_recovery()
    assert window.document.graph == graph
    assert window.document.file_path is None and window.document.is_modified
    assert not (folder / "old-session.json").exists()


def test_declining_discards_the_recovery_file(make_window, dialogs, tmp_path: Path) -> None:
    folder = tmp_path / "recovery"
    write_entry(folder / "old.json", dumps(make_graph("y(x) = x * x")), None)
    window = make_window(recovery_dir=folder)
    dialogs.answers.append(Button.No)
    assert not window.offer_recovery()
    assert len(window.document.graph) == 0
    assert not (folder / "old.json").exists()
    assert not window.offer_recovery()  # asked once only


def test_a_running_sessions_autosave_is_not_offered(make_window, dialogs, tmp_path: Path) -> None:
    first = make_window()
    _open_and_edit(first, tmp_path)
    assert first.autosaver.write_now()
    second = make_window()
    assert not second.offer_recovery()  # no question: the first window is alive
    assert dialogs.questions == []
    assert first.recovery_store.path.exists()


def test_a_damaged_recovery_file_is_ignored(make_window, dialogs, tmp_path: Path) -> None:
    folder = tmp_path / "recovery"
    folder.mkdir()
    (folder / "junk.json").write_text("{not json", encoding="utf-8")
    (folder / "other.json").write_text(json.dumps({"format": "something"}), encoding="utf-8")
    window = make_window(recovery_dir=folder)
    assert not window.offer_recovery()


def test_recovery_folder_comes_from_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv(RECOVERY_ENV, str(tmp_path / "elsewhere"))
    assert default_recovery_dir() == tmp_path / "elsewhere"
    assert RecoveryStore().folder == tmp_path / "elsewhere"
    monkeypatch.delenv(RECOVERY_ENV)
    assert default_recovery_dir().name == "recovery"
