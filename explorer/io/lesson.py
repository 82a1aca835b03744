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

Imports: standard library, explorer.graph, explorer.io.format, explorer.io.lesson_model,
explorer.bundled.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from explorer.bundled import examples_dir
from explorer.graph.engine import evaluate
from explorer.graph.model import Graph, GraphError
from explorer.graph.parser import parse
from explorer.io.format import FormatError, load
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
    "check_numbers",
    "load_lesson",
    "loads_lesson",
]

MAX_LESSON_BYTES = 1_000_000  # a lesson is prose: a megabyte is far more than any needs
MAX_STEPS = 200
MAX_CHAIN = 1000
BLOCK_TAG = "lesson"
DOCKS = ("chain", "sensitivity", "inspector", "animation", "nodes", "lesson")
PLAY_NAMED = ("start", "forward", "end")
DIRECTIVES = ("graph", "set", "select", "highlight", "play", "dock", "view", "predict", "expect", "task")
VIEWS = ("gears", "paths", "steps", "magnitudes")

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_QUANTITY = re.compile(rf"^(?:d({_NAME})\s*/\s*d({_NAME})|({_NAME}))$")
_CONDITION = re.compile(
    r"^(?P<q>.+?)\s*(?P<rel><=|>=|=|<|>)\s*(?P<num>[^±]+?)(?:\s*(?:±|\+-|\+/-)\s*(?P<tol>.+))?$"
)
_LINK = re.compile(r"\bt\b")
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


class _Refused(Exception):
    """Raised inside a directive reader; the caller adds file, line and directive."""


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


class _Reader:
    def __init__(self, text: str, source: str, folder: Path | None) -> None:
        self.lines = text.splitlines()
        self.source = source
        self.folder = folder
        self.graph: Graph | None = None  # the current step graph while directives are read

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
            except _Refused as exc:
                raise self.fail(str(exc), number, name) from None
        return found

    def need_graph(self) -> Graph:
        if self.graph is None:
            raise _Refused("no graph yet: put a 'graph:' directive in this step or an earlier one")
        return self.graph

    def need_names(self, names: Iterable[str]) -> None:
        graph = self.need_graph()
        for name in names:
            try:
                graph.find(name)
            except GraphError:
                known = ", ".join(sorted(n.name for n in graph if n.name)) or "none"
                raise _Refused(f"no node named {name!r} in this step's graph (names: {known})") from None

    def read_graph(self, line: int, rest: str) -> LoadGraph:
        kind, arg = _head(rest)
        if not arg:
            raise _Refused(
                "expected 'example NAME', 'file PATH', 'program TEXT' or 'chain N of EXPR from x = V'"
            )
        if kind == "example":
            path = examples_dir() / f"{arg}.json"
            if not re.fullmatch(r"[A-Za-z0-9_\-]+", arg) or not path.is_file():
                known = ", ".join(sorted(p.stem for p in examples_dir().glob("*.json")))
                raise _Refused(f"no bundled example {arg!r} (bundled: {known})")
            graph = self.load_file(path)
        elif kind == "file":
            graph = self.load_file(self.beside_lesson(arg))
        elif kind == "program":
            graph = self.parse_program(arg)
        elif kind == "chain":
            graph = self.parse_program(chain_program(arg))
        else:
            raise _Refused(f"unknown graph source {kind!r} (use example, file, program or chain)")
        self.graph = graph
        return LoadGraph(line, rest, graph.copy())

    def beside_lesson(self, relative: str) -> Path:
        if self.folder is None:
            raise _Refused("'graph: file' needs a lesson read from a file")
        candidate = Path(relative)
        if candidate.is_absolute() or ".." in candidate.parts:
            raise _Refused(
                f"{relative!r}: a graph file must be in the lesson's folder (no absolute paths or '..')"
            )
        path = self.folder / candidate
        if not path.is_file():
            raise _Refused(f"graph file {relative!r} not found next to the lesson")
        return path

    @staticmethod
    def load_file(path: Path) -> Graph:
        try:
            return load(path)
        except FormatError as exc:
            raise _Refused(str(exc)) from None

    @staticmethod
    def parse_program(text: str) -> Graph:
        try:
            graph = parse(text)
            evaluate(graph)
        except (GraphError, ValueError) as exc:
            raise _Refused(f"cannot build the graph: {exc}") from None
        return graph

    def read_set(self, line: int, rest: str) -> SetValues:
        graph = self.need_graph()
        values: list[tuple[str, float]] = []
        for part in _split_list(rest):
            name, eq, number = part.partition("=")
            name = name.strip()
            if not eq:
                raise _Refused(f"expected NAME = NUMBER, got {part!r}")
            self.need_names([name])
            if graph.find(name).op != "input":
                raise _Refused(f"{name!r} is not an input; only inputs can be set")
            value = _number(number)
            graph.set_value(graph.find(name).id, value)
            values.append((name, value))
        if not values:
            raise _Refused("expected NAME = NUMBER, ...")
        return SetValues(line, tuple(values))

    def read_names(self, rest: str) -> tuple[str, ...]:
        names = tuple(_split_list(rest))
        if not names:
            raise _Refused("expected one or more node names")
        self.need_names(names)
        return names

    def read_select(self, line: int, rest: str) -> Select:
        return Select(line, self.read_names(rest))

    def read_highlight(self, line: int, rest: str) -> Highlight:
        return Highlight(line, self.read_names(rest))

    def read_play(self, line: int, rest: str) -> Play:
        self.need_graph()
        if rest in PLAY_NAMED:
            return Play(line, rest)
        if re.fullmatch(r"\d{1,6}", rest):
            return Play(line, int(rest))
        raise _Refused(f"expected start, forward, end or a step number, got {rest!r}")

    def read_dock(self, line: int, rest: str) -> ShowDock:
        if rest not in DOCKS:
            raise _Refused(f"unknown dock {rest!r} (docks: {', '.join(DOCKS)})")
        return ShowDock(line, rest)

    def read_view(self, line: int, rest: str) -> ShowView:
        views = tuple(_split_list(rest))
        if not views:
            raise _Refused(f"expected one or more of {', '.join(VIEWS)}")
        for view in views:
            if view not in VIEWS:
                raise _Refused(f"unknown view {view!r} (views: {', '.join(VIEWS)})")
        if "paths" in views and "steps" in views:
            raise _Refused("'paths' and 'steps' are two tabs of one panel: choose one")
        return ShowView(line, views)

    def read_condition(self, text: str) -> Condition:
        match = _CONDITION.match(text)
        if not match:
            raise _Refused(f"expected QUANTITY = NUMBER [± TOLERANCE], got {text!r}")
        quantity = _quantity(match.group("q"))
        self.need_names(quantity.names())
        tol = match.group("tol")
        tolerance = None if tol is None else _number(tol)
        if tolerance is not None and tolerance < 0:
            raise _Refused("a tolerance must not be negative")
        return Condition(quantity, match.group("rel"), _number(match.group("num")), tolerance)

    def check_now(self, condition: Condition) -> None:
        try:
            value = condition.quantity.evaluate(self.need_graph())
        except GraphError as exc:
            raise _Refused(str(exc)) from None
        if not condition.holds_for(value):
            raise _Refused(
                f"{condition.quantity.text} is {value:.12g} here, the lesson says {condition.text}"
            )

    def read_predict(self, line: int, rest: str) -> Predict:
        condition = self.read_condition(rest)
        if condition.relation != "=":
            raise _Refused("a prediction asks for one number: use '='")
        self.check_now(condition)
        return Predict(line, condition)

    def read_expect(self, line: int, rest: str) -> Expect:
        condition = self.read_condition(rest)
        self.check_now(condition)
        return Expect(line, condition)

    def read_task(self, line: int, rest: str) -> Task:
        kind, arg = _head(rest)
        if kind == "drag":
            return self.read_drag(line, arg)
        if kind == "connect":
            source, arrow, target = arg.partition("->")
            if not arrow or not source.strip() or not target.strip():
                raise _Refused(f"expected 'connect SOURCE -> TARGET', got {arg!r}")
            self.need_names([source.strip(), target.strip()])
            return ConnectTask(line, source.strip(), target.strip())
        if kind == "build":
            return self.read_build(line, arg)
        raise _Refused(f"unknown task {kind!r} (tasks: drag, connect, build)")

    def read_drag(self, line: int, arg: str) -> DragTask:
        match = re.fullmatch(rf"({_NAME})\s+until\s+(.+?)(?:,\s*show\s+({_NAME})\s*=\s*(\S+))?", arg)
        if not match:
            raise _Refused(f"expected 'drag NAME until CONDITION[, show NAME = NUMBER]', got {arg!r}")
        name = match.group(1)
        self.need_names([name])
        graph = self.need_graph()
        if graph.find(name).op != "input":
            raise _Refused(f"{name!r} is not an input; only inputs can be dragged")
        condition = self.read_condition(match.group(2))
        answer = None
        if match.group(3) is not None:
            if match.group(3) != name:
                raise _Refused(f"'show' must set the dragged input {name!r}")
            answer = _number(match.group(4))
            solved = graph.copy()
            solved.set_value(solved.find(name).id, answer)
            if not condition.holds(solved):
                raise _Refused(f"at {name} = {answer:g} the condition {condition.text} does not hold")
        return DragTask(line, name, condition, answer)

    def read_build(self, line: int, arg: str) -> BuildTask:
        expression, at, where = arg.partition(" at ")
        reference = self.parse_program(expression.strip())
        points: list[tuple[tuple[str, float], ...]] = []
        if at:
            name, eq, numbers = where.partition("=")
            name = name.strip()
            if not eq or not re.fullmatch(_NAME, name):
                raise _Refused(f"expected 'at NAME = N1, N2, ...', got {where.strip()!r}")
            try:
                reference.find(name)
            except GraphError:
                raise _Refused(f"{name!r} does not appear in {expression.strip()!r}") from None
            points = [((name, _number(n)),) for n in _split_list(numbers)]
        if not points:
            names = [n.name for n in reference.inputs() if n.name]
            points = [tuple((n, v + i * 0.37) for i, n in enumerate(names)) for v in (-1.3, 0.4, 2.1)]
        return BuildTask(line, expression.strip(), reference, tuple(points))


# ---------------------------------------------------------------------------- helpers
def _head(text: str) -> tuple[str, str]:
    """The first word and the rest (a program may start on the next line)."""
    parts = text.split(None, 1)
    return (parts[0] if parts else "", parts[1].strip() if len(parts) > 1 else "")


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,\n]", text) if part.strip()]


def _number(text: str) -> float:
    try:
        value = float(text.strip().replace("−", "-"))
    except ValueError:
        raise _Refused(f"{text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise _Refused(f"{text.strip()!r} is not a finite number")
    return value


def _quantity(text: str) -> Quantity:
    match = _QUANTITY.match(text.strip())
    if not match:
        raise _Refused(f"expected a node name (h) or a derivative (dh/dx), got {text.strip()!r}")
    if match.group(3) is not None:
        return Quantity(match.group(3))
    return Quantity(match.group(1), match.group(2))


def chain_program(spec: str) -> str:
    """``10 of sigmoid(t) from x = 0`` → a program ``x = 0; n1 = sigmoid(x); …; y = sigmoid(n9)``.

    The template's ``t`` is the previous link; the last node is named ``y``. Long chains are
    the point of the *Long chains* lesson, and writing 100 lines by hand helps nobody.
    """
    match = re.fullmatch(rf"(\d+)\s+of\s+(.+?)\s+from\s+({_NAME})\s*=\s*(\S+)", spec.strip())
    if not match:
        raise _Refused(f"expected 'chain N of EXPR(t) from NAME = VALUE', got {spec!r}")
    count, template, start = int(match.group(1)), match.group(2), match.group(3)
    if not 1 <= count <= MAX_CHAIN:
        raise _Refused(f"a chain has 1 to {MAX_CHAIN} links, not {count}")
    if not re.search(r"\bt\b", template):
        raise _Refused(f"the template {template!r} must use t (the previous link)")
    if start in ("t", "y") or re.fullmatch(r"n\d+", start):
        raise _Refused(f"the chain's input cannot be called {start!r}")
    lines = [f"{start} = {_number(match.group(4))!r}"]
    previous = start
    for i in range(1, count + 1):
        name = "y" if i == count else f"n{i}"
        lines.append(f"{name} = " + _LINK.sub(previous, template))
        previous = name
    return "\n".join(lines)


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
