"""Crash recovery: autosave the open document to a separate recovery file, offer it back later.

The user's own file is never written by autosave. Each running window owns one recovery
file ``<session>.json`` in the recovery folder and holds ``<session>.lock`` (a QLockFile)
while it lives, so a second running instance can tell a live session's autosave from one
left behind by a crash: a lock whose process is gone can be taken, a live one cannot.

When to write: at the end of each burst of edits (after a short quiet spell) and, while
edits keep coming, at least every 30 s. When the document becomes clean (saved, or undone
back to the saved state) or the window closes normally, the recovery file is deleted.

Imports: PySide6.QtCore, explorer.document, explorer.io (format, atomic), standard library.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLockFile, QObject, QStandardPaths, QTimer, Signal

from explorer.document.document import GraphDocument
from explorer.io.atomic import atomic_write_text
from explorer.io.format import FormatError, dumps

RECOVERY_ENV = "CHAIN_EXPLORER_RECOVERY_DIR"
RECOVERY_FORMAT = "chain-rule-explorer-recovery"
BURST_QUIET_MS = 1500
MAX_UNSAVED_MS = 30_000


def default_recovery_dir() -> Path:
    """``$CHAIN_EXPLORER_RECOVERY_DIR``, else ``<AppDataLocation>/recovery``."""
    env = os.environ.get(RECOVERY_ENV)
    if env:
        return Path(env)
    from explorer.app.settings import APPLICATION, ORGANIZATION

    app = QCoreApplication.instance()
    if app is not None and (app.organizationName(), app.applicationName()) == (ORGANIZATION, APPLICATION):
        base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
        if base:
            return Path(base) / "recovery"
    # Without our application names AppDataLocation would name the Python executable;
    # spell out the place it would be instead.
    generic = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    return Path(generic or Path.home() / ".local" / "share") / ORGANIZATION / APPLICATION / "recovery"


@dataclass(frozen=True, slots=True)
class RecoveryEntry:
    """One autosave left behind by a session that is no longer running."""

    path: Path
    saved_at: float
    file_path: Path | None
    graph_text: str

    @property
    def when(self) -> str:
        return datetime.fromtimestamp(self.saved_at).strftime("%Y-%m-%d %H:%M")


def read_entry(path: Path) -> RecoveryEntry | None:
    """Parse a recovery file's envelope (not the graph inside); None if it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != RECOVERY_FORMAT:
        return None
    text, saved_at, file_path = data.get("graph"), data.get("saved_at"), data.get("file_path")
    if not isinstance(text, str) or not isinstance(saved_at, int | float):
        return None
    return RecoveryEntry(path, float(saved_at), Path(file_path) if isinstance(file_path, str) else None, text)


def write_entry(path: Path, graph_text: str, file_path: Path | None, saved_at: float | None = None) -> None:
    """Write one recovery file atomically (no .bak: only the latest autosave matters)."""
    envelope = {
        "format": RECOVERY_FORMAT,
        "version": 1,
        "saved_at": time.time() if saved_at is None else saved_at,
        "file_path": str(file_path) if file_path is not None else None,
        "graph": graph_text,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(envelope, ensure_ascii=False, indent=1) + "\n", backup=False)


class RecoveryStore:
    """The recovery folder: this session's file, and the ones crashed sessions left."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = default_recovery_dir() if folder is None else Path(folder)
        self.session = f"{int(time.time() * 1000):x}-{os.getpid()}-{secrets.token_hex(3)}"
        self.path = self.folder / f"{self.session}.json"
        self._lock: QLockFile | None = None

    def _lock_path(self, recovery_file: Path) -> Path:
        return recovery_file.with_suffix(".lock")

    def write(self, graph_text: str, file_path: Path | None) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._lock is None:
            lock = QLockFile(str(self._lock_path(self.path)))
            lock.setStaleLockTime(0)
            if lock.tryLock(0):
                self._lock = lock
        write_entry(self.path, graph_text, file_path)

    def discard(self) -> None:
        """This session needs no recovery (clean document, or a normal close)."""
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    def abandon(self) -> None:
        """Let go of the lock but keep the file, as a crash would (tests use this)."""
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    def orphans(self) -> list[RecoveryEntry]:
        """Recovery files whose session is no longer running, newest first."""
        if not self.folder.is_dir():
            return []
        found: list[RecoveryEntry] = []
        for path in self.folder.glob("*.json"):
            if path == self.path:
                continue
            probe = QLockFile(str(self._lock_path(path)))
            probe.setStaleLockTime(0)  # only a dead owner makes a lock stale, never its age
            if not probe.tryLock(0):
                continue  # a running instance owns it
            probe.unlock()
            entry = read_entry(path)
            if entry is not None:
                found.append(entry)
        found.sort(key=lambda e: e.saved_at, reverse=True)
        return found

    def remove(self, entry: RecoveryEntry) -> None:
        with contextlib.suppress(OSError):
            entry.path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self._lock_path(entry.path).unlink(missing_ok=True)


class AutoSaver(QObject):
    """Watches a document and keeps its recovery file current while it has unsaved changes."""

    failed = Signal(str)  # one-line reason, for the status bar

    def __init__(self, document: GraphDocument, store: RecoveryStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.store = store
        self.pending = False
        self.writes = 0
        self.burst_timer = QTimer(self)
        self.burst_timer.setSingleShot(True)
        self.burst_timer.setInterval(BURST_QUIET_MS)
        self.burst_timer.timeout.connect(self.write_now)
        self.max_timer = QTimer(self)
        self.max_timer.setSingleShot(True)
        self.max_timer.setInterval(MAX_UNSAVED_MS)
        self.max_timer.timeout.connect(self.write_now)
        document.undo_stack.indexChanged.connect(self._changed)
        document.node_changed.connect(self._changed)  # merged value drags do not move the index
        document.modified_changed.connect(self._changed)

    def _changed(self, *_: object) -> None:
        if not self.document.is_modified:
            self.pending = False
            self.burst_timer.stop()
            self.max_timer.stop()
            self.store.discard()
            return
        self.pending = True
        self.burst_timer.start()  # restart: write once the burst goes quiet
        if not self.max_timer.isActive():
            self.max_timer.start()  # but never leave more than 30 s of edits unsaved

    def write_now(self) -> bool:
        """Write the recovery file if there is anything unsaved; True when written."""
        self.burst_timer.stop()
        self.max_timer.stop()
        if not self.document.is_modified:
            self.pending = False
            return False
        try:
            self.store.write(dumps(self.document.graph), self.document.file_path)
        except (FormatError, OSError) as error:
            self.failed.emit(f"Autosave failed: {error}")
            return False
        self.pending = False
        self.writes += 1
        return True

    def stop(self) -> None:
        """A normal end of the session: nothing to recover."""
        self.burst_timer.stop()
        self.max_timer.stop()
        self.pending = False
        self.store.discard()
