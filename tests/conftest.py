"""Shared test setup: Qt runs offscreen, so GUI tests need no display."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_SCALE_FACTOR", "1")

# CI runs property tests with a fixed seed per test, so a run is repeatable and a red CI is
# a real regression, not a new random example; local runs keep exploring new examples.
from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_sessionfinish(session: object, exitstatus: int) -> None:
    """Empty the clipboard before Qt tears down: with the offscreen platform, a clipboard
    still holding mime data at exit crashes the interpreter (seen with PySide6 6.11)."""
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is not None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.clear()
