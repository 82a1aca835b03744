"""Lesson files: a Markdown text a teacher writes, read into steps the app can play.

A lesson teaches the chain rule one small step at a time, and every number it promises
is computed by the same engine the canvas uses: when a step says ``expect: dh/dx = 28``,
the reader builds the step's graph, differentiates it and refuses the file if the graph
says otherwise. So a lesson cannot drift away from the maths it teaches.

The format (grammar in ``resources/lessons/FORMAT.md``)::

    # Lesson title
    Intro paragraph (shown on the welcome page).

    ## First step title
    Prose in Markdown.

    ```lesson
    graph: program x = 3; g = 2*x + 1; h = g**2
    select: h
    expect: dh/dx = 28
    ```

Steps are ``##`` sections; each may hold one fenced ``lesson`` block of directives, one
per line (``name: arguments``; an indented line continues the one above; ``#`` starts a
comment line). Everything is validated before anything is shown: a refusal is one line
naming the file, the line and the directive, e.g.
``chain.md: line 12: expect: dh/dx is 28.0 here, the lesson says 27``.

Nothing typed in a lesson is executed: programs and expressions go through the
whitelisting parser, graph files through the validating graph reader.

This module reads the Markdown (title, intro, ``##`` steps, fenced blocks) and is the public
face; each directive's arguments are read by :mod:`explorer.io.lesson_directives`.

Imports: standard library, explorer.graph, explorer.io.lesson_directives,
explorer.io.lesson_model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from explorer.graph.engine import evaluate
from explorer.graph.model import Graph
from explorer.io.lesson_directives import DIRECTIVES, DirectiveReader, Refused, chain_program
from explorer.io.lesson_model import (
    BuildTask,
    Condition,
    ConnectTask,
    Directive,
    DragTask,
    Expect,
    Highlight,
    Lesson,
    LoadGraph,
    Play,
    Predict,
    Quantity,
    Select,
    SetValues,
    ShowDock,
    ShowView,
    Step,
    Task,
)

__all__ = [
    "BuildTask",
    "Condition",
    "ConnectTask",
    "Directive",
    "DragTask",
    "Expect",
    "Highlight",
    "Lesson",
    "LessonError",
    "LoadGraph",
    "Play",
    "Predict",
    "Quantity",
    "Select",
    "SetValues",
    "ShowDock",
    "ShowView",
    "Step",
    "Task",
    "chain_program",
    "check_numbers",
    "load_lesson",
    "loads_lesson",
]

MAX_LESSON_BYTES = 1_000_000  # a lesson is prose: a megabyte is far more than any needs
MAX_STEPS = 200
BLOCK_TAG = "lesson"
_FENCE = re.compile(r"^(\s{0,3})(`{3,}|~{3,})\s*([^`\s]*)")


class LessonError(ValueError):
    """A lesson that cannot be opened; ``str()`` is one line: file, line, directive, why."""

    def __init__(self, message: str, *, source: str, line: int | None = None, directive: str | None = None):
        super().__init__(message)
        self.message = message
        self.source = source
        self.line = line
        self.directive = directive

    def __str__(self) -> str:
        parts = [self.source]
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.directive is not None:
            parts.append(self.directive)
        parts.append(self.message)
        return ": ".join(parts)


# ---------------------------------------------------------------------------- reading
def load_lesson(path: str | Path) -> Lesson:
    """Read and validate a lesson file completely; raises :class:`LessonError` (one line)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_LESSON_BYTES:
            raise LessonError(
                f"the file is {size:,} bytes; a lesson may be at most {MAX_LESSON_BYTES:,}", source=path.name
            )
        data = path.read_bytes()
    except OSError as exc:
        raise LessonError(exc.strerror or str(exc), source=path.name) from None
    return loads_lesson(data, source=path.name, folder=path.parent, path=path)


def loads_lesson(
    data: bytes | str, source: str = "<lesson>", folder: Path | None = None, path: Path | None = None
) -> Lesson:
    """Parse lesson text; ``folder`` is where ``graph: file …`` paths are looked up."""
    if isinstance(data, bytes):
        if len(data) > MAX_LESSON_BYTES:
            raise LessonError(
                f"the text is {len(data):,} bytes; a lesson may be at most {MAX_LESSON_BYTES:,}",
                source=source,
            )
        if b"\0" in data:
            line = data[: data.index(b"\0")].count(b"\n") + 1
            raise LessonError("this is a binary file, not a Markdown lesson", source=source, line=line)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise LessonError("the text is not valid UTF-8", source=source, line=line) from None
    else:
        text = data
        if len(text) > MAX_LESSON_BYTES:
            raise LessonError(f"the text is longer than {MAX_LESSON_BYTES:,} characters", source=source)
        if "\0" in text:
            raise LessonError("this is a binary file, not a Markdown lesson", source=source)
    return _Reader(text, source, folder).read(path)


@dataclass
class _RawStep:
    title: str
    line: int
    prose: list[str] = field(default_factory=list)
    block: list[tuple[int, str]] | None = None  # (line number, text) of the directive block


class _Reader(DirectiveReader):
    """Splits the Markdown into steps and reads each step's directive block."""

    def __init__(self, text: str, source: str, folder: Path | None) -> None:
        super().__init__(folder)
        self.lines = text.splitlines()
        self.source = source

    def fail(self, message: str, line: int | None = None, directive: str | None = None) -> LessonError:
        return LessonError(message, source=self.source, line=line, directive=directive)

    def read(self, path: Path | None) -> Lesson:
        title, intro, raw_steps = self.split()
        steps: list[Step] = []
        graphs: list[Graph | None] = []
        for raw in raw_steps:
            directives = self.directives(raw) if raw.block is not None else []
            steps.append(Step(raw.title, raw.line, "\n".join(raw.prose).strip("\n"), tuple(directives)))
            graphs.append(None if self.graph is None else self.graph.copy())
        summary = next((p.strip() for p in "\n".join(intro).split("\n\n") if p.strip()), "")
        return Lesson(path, title, summary, tuple(steps), tuple(graphs))

    def split(self) -> tuple[str, list[str], list[_RawStep]]:
        """Title, intro lines and raw steps; fenced code is skipped when looking for headings."""
        title = ""
        intro: list[str] = []
        steps: list[_RawStep] = []
        fence: tuple[str, int, bool] | None = None  # (marker, opening line, is a lesson block)
        for number, line in enumerate(self.lines, start=1):
            if fence is not None:
                marker, _opened, is_block = fence
                if line.strip().startswith(marker[0] * len(marker)) and not line.strip().strip(marker[0]):
                    fence = None
                    if not is_block:
                        (steps[-1].prose if steps else intro).append(line)
                elif is_block:
                    assert steps[-1].block is not None
                    steps[-1].block.append((number, line))
                else:
                    (steps[-1].prose if steps else intro).append(line)
                continue
            match = _FENCE.match(line)
            if match:
                is_block = match.group(3) == BLOCK_TAG
                if is_block:
                    if not steps:
                        raise self.fail("a lesson block must be inside a step (a '## ' section)", number)
                    if steps[-1].block is not None:
                        raise self.fail("a step may have only one lesson block", number)
                    steps[-1].block = []
                else:
                    (steps[-1].prose if steps else intro).append(line)
                fence = (match.group(2), number, is_block)
                continue
            if line.startswith("# ") and not title and not steps:
                title = line[2:].strip()
            elif line.startswith("## "):
                if len(steps) >= MAX_STEPS:
                    raise self.fail(f"more than {MAX_STEPS} steps", number)
                steps.append(_RawStep(line[3:].strip() or f"Step {len(steps) + 1}", number))
            else:
                (steps[-1].prose if steps else intro).append(line)
        if fence is not None:
            what = "lesson block" if fence[2] else "code block"
            raise self.fail(f"{what} opened here is never closed (add a line with {fence[0]})", fence[1])
        if not steps:
            raise self.fail("no steps: a lesson needs at least one '## ' section")
        return title or Path(self.source).stem.replace("_", " ").capitalize(), intro, steps

    # ------------------------------------------------------------------ directive blocks
    def directives(self, raw: _RawStep) -> list[Directive]:
        assert raw.block is not None
        entries: list[tuple[int, str]] = []
        for number, line in raw.block:
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            if line[:1].isspace() and entries:
                entries[-1] = (entries[-1][0], entries[-1][1] + "\n" + stripped)
            else:
                entries.append((number, stripped))
        found: list[Directive] = []
        for number, entry in entries:
            name, colon, rest = entry.partition(":")
            name = name.strip()
            if not colon and entry.split()[0] in DIRECTIVES:
                word = entry.split()[0]
                raise self.fail(f"missing ':' after {word!r}", number, word)
            if not colon or name not in DIRECTIVES:
                shown = name if colon else entry.split()[0]
                raise self.fail(
                    f"unknown directive {shown!r} (known: {', '.join(DIRECTIVES)})", number, shown[:40]
                )
            try:
                found.append(getattr(self, f"read_{name}")(number, rest.strip()))
            except Refused as exc:
                raise self.fail(str(exc), number, name) from None
        return found


def check_numbers(lesson: Lesson) -> list[str]:
    """Every stated number, re-checked on a fresh copy of its step's graph (for tests and the CLI)."""
    problems: list[str] = []
    for k, step in enumerate(lesson.steps):
        graph = lesson.start_graph(k)
        for d in step.directives:
            if isinstance(d, Expect | Predict) and graph is not None and not d.condition.holds(graph):
                problems.append(f"step {k + 1}, line {d.line}: {d.condition.text} does not hold")
    return problems


def values_of(graph: Graph, names: Iterable[str]) -> Mapping[str, float]:
    """Current values of named nodes (what the player shows beside a task)."""
    ev = evaluate(graph)
    return {name: ev[name].value for name in names}
