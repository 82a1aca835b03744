"""The bundled lessons and how far the learner got in each (kept in QSettings).

Listing reads only each file's ``# Title`` line (:func:`read_title`); a lesson is parsed and validated when it
is opened (``explorer.io.lesson.load_lesson``), so the welcome page and the menu cost
next to nothing at start-up.

Imports: PySide6.QtCore (QSettings), explorer.bundled. Not explorer.io.lesson: the parser and
the engine stay unloaded until a lesson is opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings

from explorer.bundled import lessons_dir

_GROUP = "lessons"


def read_title(path: Path) -> str:
    """The ``# Title`` of a lesson file, cheaply (the welcome page lists lessons without parsing them)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            for _, raw in zip(range(40), handle, strict=False):
                if raw.startswith("# "):
                    return raw[2:].strip()
    except OSError:
        pass
    return path.stem.replace("_", " ").capitalize()


@dataclass(frozen=True, slots=True)
class LessonEntry:
    path: Path
    title: str

    @property
    def key(self) -> str:
        """The settings key: the file's stem (``01_chain_rule``)."""
        return self.path.stem


def list_lessons(folder: Path | None = None) -> list[LessonEntry]:
    """Every ``*.md`` lesson in ``folder`` (default: the bundled ones), in file-name order."""
    folder = lessons_dir() if folder is None else folder
    return [LessonEntry(p, read_title(p)) for p in sorted(folder.glob("*.md")) if p.is_file()]


@dataclass(frozen=True, slots=True)
class Progress:
    step: int  # the step the learner was last on (0-based)
    furthest: int  # the furthest step reached (0-based)
    count: int  # how many steps the lesson had then (0: never opened)

    @property
    def done(self) -> bool:
        return self.count > 0 and self.furthest >= self.count - 1

    def text(self) -> str:
        if self.count == 0:
            return "Not started"
        if self.done:
            return f"Done ({self.count} steps)"
        return f"Step {self.step + 1} of {self.count}"


class LessonProgress:
    """Per-lesson progress in the app's QSettings, under ``lessons/<stem>/``."""

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    def _int(self, key: str) -> int:
        value = self._settings.value(f"{_GROUP}/{key}")
        try:
            return max(0, int(value))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return 0

    def get(self, key: str) -> Progress:
        count = self._int(f"{key}/count")
        step = min(self._int(f"{key}/step"), max(count - 1, 0))
        return Progress(step, max(step, min(self._int(f"{key}/furthest"), max(count - 1, 0))), count)

    def record(self, key: str, step: int, count: int) -> Progress:
        before = self.get(key)
        furthest = max(step, before.furthest if before.count == count else 0)
        self._settings.setValue(f"{_GROUP}/{key}/step", step)
        self._settings.setValue(f"{_GROUP}/{key}/furthest", furthest)
        self._settings.setValue(f"{_GROUP}/{key}/count", count)
        return Progress(step, furthest, count)
