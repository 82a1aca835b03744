"""The step text of a lesson: Markdown rendered by Qt itself, safely.

Raw HTML in the Markdown is switched off (it shows as text); images load only from the
lesson's own folder, never from the network; a click on a web link opens the browser.

Imports: PySide6.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QTextDocument
from PySide6.QtWidgets import QTextBrowser, QWidget

_MARKDOWN = QTextDocument.MarkdownFeature


class LessonText(QTextBrowser):
    """Markdown without HTML; local images from the lesson's folder only; links open outside."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.anchorClicked.connect(self._open_link)
        self.folder: Path | None = None

    def set_markdown(self, text: str, folder: Path | None) -> None:
        self.folder = folder
        features = _MARKDOWN(_MARKDOWN.MarkdownDialectGitHub.value | _MARKDOWN.MarkdownNoHTML.value)
        self.document().setMarkdown(text, features)

    def loadResource(self, kind: int, url: QUrl | str) -> Any:
        url = QUrl(url)
        if url.scheme() not in ("", "file") or self.folder is None:
            return None  # nothing is fetched from the network
        path = Path(url.toLocalFile() or url.path())
        if not path.is_absolute():
            path = self.folder / path
        try:
            if path.resolve().is_relative_to(self.folder.resolve()) and path.is_file():
                return super().loadResource(kind, QUrl.fromLocalFile(str(path)))
        except OSError:
            pass
        return None

    @staticmethod
    def _open_link(url: QUrl) -> None:
        if url.scheme() in ("http", "https"):
            QDesktopServices.openUrl(url)
