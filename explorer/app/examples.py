"""Where the bundled example graphs live, and their titles for the Examples menu.

Reads only the small header of each file (``title``) with the standard ``json`` module, so
building the menu stays cheap; the full, validated load happens when one is opened.

Imports: standard library and ``explorer.bundled`` (which finds the folder in any install).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from explorer.bundled import examples_dir

LESSON_STEM = "lesson"


@dataclass(frozen=True, slots=True)
class Example:
    path: Path
    title: str
    description: str


def list_examples(folder: Path | None = None) -> list[Example]:
    """Every example, lesson first, then by file name; unreadable files are skipped."""
    folder = examples_dir() if folder is None else folder
    found: list[Example] = []
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict):
            continue
        title = data.get("title")
        description = data.get("description")
        found.append(
            Example(
                path,
                title if isinstance(title, str) and title else path.stem.replace("_", " ").capitalize(),
                description if isinstance(description, str) else "",
            )
        )
    found.sort(key=lambda e: (LESSON_STEM not in e.path.stem, e.path.name))
    return found


def lesson_path(folder: Path | None = None) -> Path | None:
    """The first-run example: ``lesson.json`` (or the first example whose name has 'lesson')."""
    folder = examples_dir() if folder is None else folder
    exact = folder / f"{LESSON_STEM}.json"
    if exact.is_file():
        return exact
    candidates = sorted(p for p in folder.glob("*.json") if LESSON_STEM in p.stem)
    return candidates[0] if candidates else None
