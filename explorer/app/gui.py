"""Start the desktop application: ``main(path)`` is what ``chain-explorer [FILE]`` runs.

Start-up is kept light (no pyqtgraph, no plot) so the first paint comes quickly: the
window opens ``path`` if given, else the bundled lesson, and first offers to restore a
crashed session's unsaved changes if one was left behind.

Imports: PySide6, explorer.app.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from explorer.app.settings import APPLICATION, ORGANIZATION


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication, created once, with the names QSettings and QStandardPaths use."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1] if argv is None else argv)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    app.setStyle("Fusion")  # the themed palettes are designed for Fusion on every platform
    if app.platformName() == "offscreen":
        # An offscreen clipboard still holding data at exit crashes PySide6 6.11's teardown.
        app.aboutToQuit.connect(_clear_clipboard)
    return app


def _clear_clipboard() -> None:
    clipboard = QApplication.clipboard()
    if clipboard is not None:
        clipboard.clear()


def main(path: str | None = None) -> int:
    """Run the GUI until the last window closes; returns the exit status."""
    app = make_application()
    from explorer.app.window import MainWindow

    window = MainWindow()
    window.show()
    window.startup(Path(path) if path else None)
    return app.exec()
