"""Lesson directives: one ``name: arguments`` line to its typed directive, checked against the step's graph.

Each ``read_NAME`` method reads the arguments of the directive ``NAME`` (``graph``, ``set``,
``select``, ``highlight``, ``play``, ``dock``, ``view``, ``predict``, ``expect``, ``task``)
into a :mod:`explorer.io.lesson_model` value. The step's graph is built as the directives
are read, so every name is looked up and every stated number is computed by the engine
right here: a number that does not hold refuses the lesson. A refusal is a
:class:`Refused` with the reason; :mod:`explorer.io.lesson` adds the file, line and directive.

Part of the lesson reader (:mod:`explorer.io.lesson` is its public face). Imports: standard
library, explorer.graph, explorer.io.format, explorer.io.lesson_model, explorer.bundled.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
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
    DragTask,
    Expect,
    Highlight,
    LoadGraph,
    Play,
    Predict,
    Quantity,
    Select,
    SetValues,
    ShowDock,
    ShowView,
    Task,
)

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


class Refused(Exception):
    """Raised inside a directive reader; the caller adds file, line and directive."""


class DirectiveReader:
    """Reads the directives of a lesson's steps, in order, keeping the current step graph."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.graph: Graph | None = None  # the current step graph while directives are read

    def need_graph(self) -> Graph:
        if self.graph is None:
            raise Refused("no graph yet: put a 'graph:' directive in this step or an earlier one")
        return self.graph

    def need_names(self, names: Iterable[str]) -> None:
        graph = self.need_graph()
        for name in names:
            try:
                graph.find(name)
            except GraphError:
                known = ", ".join(sorted(n.name for n in graph if n.name)) or "none"
                raise Refused(f"no node named {name!r} in this step's graph (names: {known})") from None

    def read_graph(self, line: int, rest: str) -> LoadGraph:
        kind, arg = _head(rest)
        if not arg:
            raise Refused(
                "expected 'example NAME', 'file PATH', 'program TEXT' or 'chain N of EXPR from x = V'"
            )
        if kind == "example":
            path = examples_dir() / f"{arg}.json"
            if not re.fullmatch(r"[A-Za-z0-9_\-]+", arg) or not path.is_file():
                known = ", ".join(sorted(p.stem for p in examples_dir().glob("*.json")))
                raise Refused(f"no bundled example {arg!r} (bundled: {known})")
            graph = self.load_file(path)
        elif kind == "file":
            graph = self.load_file(self.beside_lesson(arg))
        elif kind == "program":
            graph = self.parse_program(arg)
        elif kind == "chain":
            graph = self.parse_program(chain_program(arg))
        else:
            raise Refused(f"unknown graph source {kind!r} (use example, file, program or chain)")
        self.graph = graph
        return LoadGraph(line, rest, graph.copy())

    def beside_lesson(self, relative: str) -> Path:
        if self.folder is None:
            raise Refused("'graph: file' needs a lesson read from a file")
        candidate = Path(relative)
        if candidate.is_absolute() or ".." in candidate.parts:
            raise Refused(
                f"{relative!r}: a graph file must be in the lesson's folder (no absolute paths or '..')"
            )
        path = self.folder / candidate
        if not path.is_file():
            raise Refused(f"graph file {relative!r} not found next to the lesson")
        return path

    @staticmethod
    def load_file(path: Path) -> Graph:
        try:
            return load(path)
        except FormatError as exc:
            raise Refused(str(exc)) from None

    @staticmethod
    def parse_program(text: str) -> Graph:
        try:
            graph = parse(text)
            evaluate(graph)
        except (GraphError, ValueError) as exc:
            raise Refused(f"cannot build the graph: {exc}") from None
        return graph

    def read_set(self, line: int, rest: str) -> SetValues:
        graph = self.need_graph()
        values: list[tuple[str, float]] = []
        for part in _split_list(rest):
            name, eq, number = part.partition("=")
            name = name.strip()
            if not eq:
                raise Refused(f"expected NAME = NUMBER, got {part!r}")
            self.need_names([name])
            if graph.find(name).op != "input":
                raise Refused(f"{name!r} is not an input; only inputs can be set")
            value = _number(number)
            graph.set_value(graph.find(name).id, value)
            values.append((name, value))
        if not values:
            raise Refused("expected NAME = NUMBER, ...")
        return SetValues(line, tuple(values))

    def read_names(self, rest: str) -> tuple[str, ...]:
        names = tuple(_split_list(rest))
        if not names:
            raise Refused("expected one or more node names")
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
        raise Refused(f"expected start, forward, end or a step number, got {rest!r}")

    def read_dock(self, line: int, rest: str) -> ShowDock:
        if rest not in DOCKS:
            raise Refused(f"unknown dock {rest!r} (docks: {', '.join(DOCKS)})")
        return ShowDock(line, rest)

    def read_view(self, line: int, rest: str) -> ShowView:
        views = tuple(_split_list(rest))
        if not views:
            raise Refused(f"expected one or more of {', '.join(VIEWS)}")
        for view in views:
            if view not in VIEWS:
                raise Refused(f"unknown view {view!r} (views: {', '.join(VIEWS)})")
        if "paths" in views and "steps" in views:
            raise Refused("'paths' and 'steps' are two tabs of one panel: choose one")
        return ShowView(line, views)

    def read_condition(self, text: str) -> Condition:
        match = _CONDITION.match(text)
        if not match:
            raise Refused(f"expected QUANTITY = NUMBER [± TOLERANCE], got {text!r}")
        quantity = _quantity(match.group("q"))
        self.need_names(quantity.names())
        tol = match.group("tol")
        tolerance = None if tol is None else _number(tol)
        if tolerance is not None and tolerance < 0:
            raise Refused("a tolerance must not be negative")
        return Condition(quantity, match.group("rel"), _number(match.group("num")), tolerance)

    def check_now(self, condition: Condition) -> None:
        try:
            value = condition.quantity.evaluate(self.need_graph())
        except GraphError as exc:
            raise Refused(str(exc)) from None
        if not condition.holds_for(value):
            raise Refused(f"{condition.quantity.text} is {value:.12g} here, the lesson says {condition.text}")

    def read_predict(self, line: int, rest: str) -> Predict:
        condition = self.read_condition(rest)
        if condition.relation != "=":
            raise Refused("a prediction asks for one number: use '='")
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
                raise Refused(f"expected 'connect SOURCE -> TARGET', got {arg!r}")
            self.need_names([source.strip(), target.strip()])
            return ConnectTask(line, source.strip(), target.strip())
        if kind == "build":
            return self.read_build(line, arg)
        raise Refused(f"unknown task {kind!r} (tasks: drag, connect, build)")

    def read_drag(self, line: int, arg: str) -> DragTask:
        match = re.fullmatch(rf"({_NAME})\s+until\s+(.+?)(?:,\s*show\s+({_NAME})\s*=\s*(\S+))?", arg)
        if not match:
            raise Refused(f"expected 'drag NAME until CONDITION[, show NAME = NUMBER]', got {arg!r}")
        name = match.group(1)
        self.need_names([name])
        graph = self.need_graph()
        if graph.find(name).op != "input":
            raise Refused(f"{name!r} is not an input; only inputs can be dragged")
        condition = self.read_condition(match.group(2))
        answer = None
        if match.group(3) is not None:
            if match.group(3) != name:
                raise Refused(f"'show' must set the dragged input {name!r}")
            answer = _number(match.group(4))
            solved = graph.copy()
            solved.set_value(solved.find(name).id, answer)
            if not condition.holds(solved):
                raise Refused(f"at {name} = {answer:g} the condition {condition.text} does not hold")
        return DragTask(line, name, condition, answer)

    def read_build(self, line: int, arg: str) -> BuildTask:
        expression, at, where = arg.partition(" at ")
        reference = self.parse_program(expression.strip())
        points: list[tuple[tuple[str, float], ...]] = []
        if at:
            name, eq, numbers = where.partition("=")
            name = name.strip()
            if not eq or not re.fullmatch(_NAME, name):
                raise Refused(f"expected 'at NAME = N1, N2, ...', got {where.strip()!r}")
            try:
                reference.find(name)
            except GraphError:
                raise Refused(f"{name!r} does not appear in {expression.strip()!r}") from None
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
        raise Refused(f"{text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise Refused(f"{text.strip()!r} is not a finite number")
    return value


def _quantity(text: str) -> Quantity:
    match = _QUANTITY.match(text.strip())
    if not match:
        raise Refused(f"expected a node name (h) or a derivative (dh/dx), got {text.strip()!r}")
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
        raise Refused(f"expected 'chain N of EXPR(t) from NAME = VALUE', got {spec!r}")
    count, template, start = int(match.group(1)), match.group(2), match.group(3)
    if not 1 <= count <= MAX_CHAIN:
        raise Refused(f"a chain has 1 to {MAX_CHAIN} links, not {count}")
    if not re.search(r"\bt\b", template):
        raise Refused(f"the template {template!r} must use t (the previous link)")
    if start in ("t", "y") or re.fullmatch(r"n\d+", start):
        raise Refused(f"the chain's input cannot be called {start!r}")
    lines = [f"{start} = {_number(match.group(4))!r}"]
    previous = start
    for i in range(1, count + 1):
        name = "y" if i == count else f"n{i}"
        lines.append(f"{name} = " + _LINK.sub(previous, template))
        previous = name
    return "\n".join(lines)
