"""Document handling for the main window: New, Open, Open Recent, Examples, Save, Save As,
Revert, the unsaved-changes question, files dropped on the window, and restoring a
crashed session's autosave.

A mixin of :class:`~explorer.app.window.MainWindow` so its methods are the window's own
(``window.open_file(path)``). Loading is all-or-nothing: a file is parsed and validated
completely by :mod:`explorer.io.format` before the open document is touched, so a bad file
shows its one-line reason and leaves everything as it was. Saving is atomic with a
``.bak`` of the previous version (also :mod:`explorer.io.format`). Every dialog goes
through a static QMessageBox/QFileDialog call so tests can replace it.

Imports: PySide6, explorer.document, explorer.io, explorer.graph, explorer.app.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox

from explorer.app.examples import Example, examples_dir, list_examples
from explorer.graph.model import Graph
from explorer.io.format import FormatError, load, loads, save

if TYPE_CHECKING:
    from PySide6.QtCore import QMimeData, SignalInstance
    from PySide6.QtWidgets import QMenu

    from explorer.app.recovery import AutoSaver, RecoveryStore
    from explorer.app.settings import Preferences
    from explorer.document.document import GraphDocument

FILE_FILTER = "Chain Rule Explorer graphs (*.json);;All files (*)"
OPEN_FILTER = "Chain Rule Explorer graphs (*.json);;Lessons (*.md);;All files (*)"
Button = QMessageBox.StandardButton


def inside_the_app(path: Path) -> bool:
    """Whether ``path`` lies in the application's own files (package, bundled examples):
    saving there would write into the installation."""
    resolved = path.resolve()
    own = (Path(__file__).resolve().parents[1], examples_dir().parent)
    return any(resolved == folder or folder in resolved.parents for folder in own)


class DocumentHandling:
    """File commands; expects the attributes declared below on the window."""

    document: GraphDocument
    prefs: Preferences
    autosaver: AutoSaver
    recovery_store: RecoveryStore
    recent_menu: QMenu
    examples_menu: QMenu
    example_title: str | None

    # ------------------------------------------------------------------ hooks the window provides
    def _document_replaced(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _status(self, text: str) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def open_lesson(self, path: str | Path, step: int | None = None) -> bool:  # pragma: no cover
        raise NotImplementedError

    _file_dropped: SignalInstance  # the window's queued "open this path" signal

    # ------------------------------------------------------------------ questions
    def maybe_save(self) -> bool:
        """Ask about unsaved changes; True when it is fine to throw the document away."""
        if not self.document.is_modified:
            return True
        answer = QMessageBox.question(
            self,  # type: ignore[arg-type]
            "Unsaved changes",
            f"Save the changes to “{self._document_label()}” first?\n\n"
            "Your changes will be lost if you don't save them.",
            Button.Save | Button.Discard | Button.Cancel,
            Button.Save,
        )
        if answer == Button.Save:
            return self.save()
        return answer == Button.Discard

    def _document_label(self) -> str:
        if self.document.file_path is not None:
            return self.document.file_path.name
        return self.example_title or self.document.graph.title or "Untitled"

    def _error(self, title: str, text: str) -> None:
        QMessageBox.critical(self, title, text)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ opening
    def new_document(self) -> bool:
        if not self.maybe_save():
            return False
        self.example_title = None
        self.document.reset(Graph(), None)
        self._document_replaced()
        return True

    def open_dialog(self) -> bool:
        start = self.prefs.last_dir or (
            str(self.document.file_path.parent) if self.document.file_path else str(Path.home())
        )
        path, _ = QFileDialog.getOpenFileName(self, "Open graph", start, OPEN_FILTER)  # type: ignore[arg-type]
        if not path:
            return False
        return self.open_file(path)

    def open_file(self, path: str | os.PathLike[str]) -> bool:
        """Open a graph file in this window; False (document untouched) if refused or cancelled.

        The file is read and validated first, so a broken file is reported without asking
        about unsaved changes; only then is the user asked whether to save the current one.
        """
        target = Path(path)
        if target.suffix.lower() == ".md":  # a lesson (File > Open, a drop, the command line)
            return self.open_lesson(target)
        try:
            graph = load(target)
        except FormatError as error:
            self._error("Cannot open the file", str(error))
            return False
        if not self.maybe_save():
            return False
        self.example_title = None
        self.document.reset(graph, target.resolve())
        self.prefs.add_recent(target)
        self.prefs.last_dir = str(target.resolve().parent)
        self._document_replaced()
        self._status(f"Opened {target.name}")
        return True

    def open_example(self, example: Example | Path) -> bool:
        """Open a bundled example as a new, untitled document (Save asks where to keep it)."""
        path = example.path if isinstance(example, Example) else Path(example)
        try:
            graph = load(path)
        except FormatError as error:
            self._error("Cannot open the example", str(error))
            return False
        if not self.maybe_save():
            return False
        self.example_title = graph.title or path.stem
        self.document.reset(graph, None)
        self._document_replaced()
        self._status(f"Example: {self.example_title}")
        return True

    def open_recent(self, path: str) -> bool:
        if not Path(path).is_file():
            self._error("Cannot open the file", f"{path}: the file no longer exists")
            self.prefs.remove_recent(path)
            return False
        return self.open_file(path)

    def revert(self) -> bool:
        """Throw away unsaved changes and reload the file from disk (after asking)."""
        path = self.document.file_path
        if path is None or not self.document.is_modified:
            return False
        answer = QMessageBox.question(
            self,  # type: ignore[arg-type]
            "Revert",
            f"Discard your changes and go back to the saved “{path.name}”?",
            Button.Discard | Button.Cancel,
            Button.Cancel,
        )
        if answer != Button.Discard:
            return False
        try:
            graph = load(path)
        except FormatError as error:
            self._error("Cannot revert", str(error))
            return False
        self.document.reset(graph, path)
        self._document_replaced()
        self._status(f"Reverted to the saved {path.name}")
        return True

    # ------------------------------------------------------------------ saving
    def save(self) -> bool:
        path = self.document.file_path
        if path is None:
            return self.save_as()
        return self._save_to(path)

    def save_as(self) -> bool:
        current = self.document.file_path
        if current is not None and not inside_the_app(current):
            start = str(current)
        else:  # never suggest writing into the app's own folders (an opened example)
            stem = "".join(c if c.isalnum() or c in "-_ " else "_" for c in self._document_label())
            stem = re.sub(r"[_ ]*_[_ ]*", "_", stem).strip("_ ")  # "h(x) = (2x+1)^2" -> "h_x_2x_1_2"
            name = current.name if current is not None else f"{stem or 'graph'}.json"
            start = str(self.save_folder() / name)
        path, _ = QFileDialog.getSaveFileName(self, "Save graph as", start, FILE_FILTER)  # type: ignore[arg-type]
        if not path:
            return False
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(".json")
        return self._save_to(target)

    def save_folder(self) -> Path:
        """Where Save As starts for a new file: the folder the user last used, else their
        Documents folder, else home; never a folder of the application itself."""
        documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        for candidate in (self.prefs.last_dir, documents, str(Path.home())):
            if candidate and Path(candidate).is_dir() and not inside_the_app(Path(candidate)):
                return Path(candidate)
        return Path.home()

    def _save_to(self, path: Path) -> bool:
        try:
            save(self.document.graph, path)
        except (FormatError, OSError) as error:
            reason = str(error) if isinstance(error, FormatError) else f"{path}: {error.strerror or error}"
            self._error("Cannot save the file", reason)
            return False
        self.example_title = None
        self.document.mark_saved(path.resolve())
        self.prefs.add_recent(path)
        self.prefs.last_dir = str(path.resolve().parent)
        self._status(f"Saved {path.name}")
        return True

    # ------------------------------------------------------------------ menus
    def _fill_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        files = self.prefs.recent_files
        for i, path in enumerate(files):
            label = f"&{i + 1}  {Path(path).name}" if i < 9 else Path(path).name
            action = menu.addAction(label)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_recent(p))
        if files:
            menu.addSeparator()
            menu.addAction("Clear menu", self.prefs.clear_recent)
        else:
            menu.addAction("No recent files").setEnabled(False)

    def _fill_examples_menu(self) -> None:
        menu = self.examples_menu
        menu.clear()
        examples = list_examples()
        for example in examples:
            action = menu.addAction(example.title)
            action.setStatusTip(example.description)
            action.setToolTip(example.description)
            action.triggered.connect(lambda _=False, e=example: self.open_example(e))
        if not examples:
            menu.addAction("No examples found").setEnabled(False)

    # ------------------------------------------------------------------ dropped files
    @staticmethod
    def _dropped_file(data: QMimeData) -> str | None:
        if not data.hasUrls():
            return None
        for url in data.urls():
            if url.isLocalFile() and Path(url.toLocalFile()).is_file():
                return url.toLocalFile()
        return None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_file(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._dropped_file(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self._dropped_file(event.mimeData())
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        # Opened after the drop returns: a dialog (unsaved changes, a bad file) must not
        # run inside the platform's drag-and-drop loop.
        self._file_dropped.emit(path)

    # ------------------------------------------------------------------ crash recovery
    def offer_recovery(self) -> bool:
        """If a crashed session left an autosave, offer to restore it; True when restored."""
        entries = self.recovery_store.orphans()
        if not entries:
            return False
        entry = entries[0]
        name = entry.file_path.name if entry.file_path is not None else "an untitled graph"
        answer = QMessageBox.question(
            self,  # type: ignore[arg-type]
            "Restore unsaved changes?",
            f"Chain Rule Explorer did not close normally. Unsaved changes to {name} "
            f"were saved automatically at {entry.when}.\n\nRestore them?",
            Button.Yes | Button.No,
            Button.Yes,
        )
        if answer != Button.Yes:
            self.recovery_store.remove(entry)
            return False
        try:
            graph = loads(entry.graph_text, source=str(entry.path))
        except FormatError as error:
            self._error("Cannot restore the changes", str(error))
            self.recovery_store.remove(entry)
            return False
        self.example_title = None
        self.document.reset(graph, entry.file_path)
        # The restored graph differs from what is on disk: it must count as unsaved.
        self.document.undo_stack.resetClean()
        self._document_replaced()
        self.autosaver.write_now()  # our own autosave first, then the crashed one can go
        self.recovery_store.remove(entry)
        self._status(f"Restored unsaved changes to {name}")
        return True
