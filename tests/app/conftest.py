"""Fixtures for the main-window tests: private settings, a private recovery folder, and
dialogs that fail loudly instead of blocking when a test did not expect them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QSettings
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox


class Dialogs:
    """Records every static dialog call; answers with whatever the test queued."""

    def __init__(self) -> None:
        self.questions: list[str] = []
        self.errors: list[str] = []
        self.answers: list[QMessageBox.StandardButton] = []
        self.open_paths: list[str] = []
        self.save_paths: list[str] = []

    def question(self, parent: object, title: str, text: str, *args: object) -> QMessageBox.StandardButton:
        self.questions.append(text)
        assert self.answers, f"unexpected question: {text}"
        return self.answers.pop(0)

    def critical(self, parent: object, title: str, text: str, *args: object) -> QMessageBox.StandardButton:
        self.errors.append(text)
        return QMessageBox.StandardButton.Ok

    def get_open(self, *args: object) -> tuple[str, str]:
        assert self.open_paths, "unexpected open dialog"
        return self.open_paths.pop(0), ""

    def get_save(self, *args: object) -> tuple[str, str]:
        assert self.save_paths, "unexpected save dialog"
        return self.save_paths.pop(0), ""


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    d = Dialogs()
    monkeypatch.setattr(QMessageBox, "question", d.question)
    monkeypatch.setattr(QMessageBox, "critical", d.critical)
    monkeypatch.setattr(QMessageBox, "warning", d.critical)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", d.get_open)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", d.get_save)
    return d


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(
    qtbot, qapp: QApplication, settings: QSettings, tmp_path: Path, dialogs: Dialogs
) -> Iterator[Callable[..., object]]:
    from explorer.app.window import MainWindow

    def discard(window: MainWindow) -> None:
        window.document.undo_stack.setClean()  # closing must not ask anything

    def make(settings: QSettings = settings, recovery_dir: Path | None = None) -> MainWindow:
        window = MainWindow(settings=settings, recovery_dir=recovery_dir or tmp_path / "recovery")
        qtbot.addWidget(window, before_close_func=discard)
        if settings.value("window/geometry") is None:
            window.resize(1400, 900)  # the offscreen screen is small; tests see a laptop-sized window
        window.show()
        return window

    # The window themes the whole application; put it back for the next test.
    palette, font, sheet = qapp.palette(), qapp.font(), qapp.styleSheet()
    yield make
    # pytest-qt has closed the windows and called deleteLater, but processEvents() never
    # runs deferred deletes: without this every window of the session stays alive, and
    # each later restyle re-polishes all of them (the suite slowed down test by test).
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
    qapp.setFont(font)


@pytest.fixture
def window(make_window: Callable[..., object]) -> object:
    return make_window()
