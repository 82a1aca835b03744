"""What a lesson is once read: steps, their directives, and the conditions they check.

Plain frozen data plus the small pure checks the player asks (is a task met, does a
condition hold). Reading and validating the Markdown text is ``explorer.io.lesson``'s job.

Imports: standard library, explorer.graph.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from explorer.graph.engine import evaluate
from explorer.graph.model import Graph, GraphError

DEFAULT_REL_TOL = 1e-9


# ---------------------------------------------------------------------------- quantities
@dataclass(frozen=True, slots=True)
class Quantity:
    """A node's value (``h``) or a derivative of one node with respect to another (``dh/dx``)."""

    of: str
    wrt: str | None = None

    @property
    def text(self) -> str:
        return self.of if self.wrt is None else f"d{self.of}/d{self.wrt}"

    def names(self) -> tuple[str, ...]:
        return (self.of,) if self.wrt is None else (self.of, self.wrt)

    def evaluate(self, graph: Graph) -> float:
        """The number now: d(of)/d(wrt) is the gradient of ``wrt`` with ``of`` as the output."""
        if self.wrt is None:
            return evaluate(graph, output=self.of)[self.of].value
        return evaluate(graph, output=self.of)[self.wrt].grad


@dataclass(frozen=True, slots=True)
class Condition:
    """``quantity rel number ± tolerance``: what a prediction, an expectation or a task checks."""

    quantity: Quantity
    relation: str
    number: float
    tolerance: float | None = None  # None: a relative 1e-9, i.e. "the same float"

    @property
    def text(self) -> str:
        tol = "" if self.tolerance is None else f" ± {self.tolerance:g}"
        return f"{self.quantity.text} {self.relation} {self.number:g}{tol}"

    def slack(self) -> float:
        if self.tolerance is not None:
            return self.tolerance
        return DEFAULT_REL_TOL * max(1.0, abs(self.number))

    def holds_for(self, value: float) -> bool:
        if not math.isfinite(value):
            return False
        if self.relation == "=":
            return abs(value - self.number) <= self.slack()
        if self.relation in ("<", "<="):
            return value < self.number + (self.slack() if self.relation == "<=" else 0.0)
        return value > self.number - (self.slack() if self.relation == ">=" else 0.0)

    def holds(self, graph: Graph) -> bool:
        try:
            return self.holds_for(self.quantity.evaluate(graph))
        except GraphError:
            return False


# ---------------------------------------------------------------------------- directives
@dataclass(frozen=True, slots=True)
class LoadGraph:
    line: int
    source: str  # as written, e.g. "example lesson_h" or "program x = 3; ..."
    graph: Graph


@dataclass(frozen=True, slots=True)
class SetValues:
    line: int
    values: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class Select:
    line: int
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Highlight:
    line: int
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Play:
    """Seek the animation: ``start``, ``forward`` (end of the forward pass), ``end`` or a step number."""

    line: int
    position: str | int


@dataclass(frozen=True, slots=True)
class ShowDock:
    line: int
    dock: str


@dataclass(frozen=True, slots=True)
class ShowView:
    """Views for this step: ``gears`` (edge widths), ``paths``/``steps`` (Chain Rule tabs),
    ``magnitudes`` (|gradient| per node on a log scale). Gears are off in steps without it."""

    line: int
    views: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Predict:
    """The learner types a number; it counts when within the tolerance of the graph's own number."""

    line: int
    condition: Condition


@dataclass(frozen=True, slots=True)
class Expect:
    """A number the lesson states; checked against the engine when the lesson is read."""

    line: int
    condition: Condition


@dataclass(frozen=True, slots=True)
class DragTask:
    """``drag x until dh/dx = 0 ± 0.05, show x = -0.5``: met when the condition holds."""

    line: int
    name: str
    condition: Condition
    answer: float | None = None

    def is_met(self, graph: Graph) -> bool:
        return self.condition.holds(graph)


@dataclass(frozen=True, slots=True)
class ConnectTask:
    """``connect g -> f``: met when an edge runs from the node named ``source`` into ``target``."""

    line: int
    source: str
    target: str

    def is_met(self, graph: Graph) -> bool:
        try:
            src, dst = graph.find(self.source).id, graph.find(self.target).id
        except GraphError:
            return False
        return any(e.source == src and e.target == dst for e in graph.edges())


@dataclass(frozen=True, slots=True)
class BuildTask:
    """``build (2*x+1)**2 at x = -1, 0, 2``: met when the learner's output agrees at every point."""

    line: int
    expression: str
    reference: Graph
    points: tuple[tuple[tuple[str, float], ...], ...]

    def is_met(self, graph: Graph) -> bool:
        for point in self.points:
            try:
                want = evaluate(self.reference, values=dict(point)).value
                if any(graph.find(name).op != "input" for name, _ in point):
                    return False
                got = evaluate(graph, values=dict(point)).value
            except GraphError:
                return False
            if not (math.isfinite(got) and math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9)):
                return False
        return True


Task = DragTask | ConnectTask | BuildTask
Directive = LoadGraph | SetValues | Select | Highlight | Play | ShowDock | ShowView | Predict | Expect | Task


@dataclass(frozen=True, slots=True)
class Step:
    title: str
    line: int
    text: str  # Markdown prose, the directive block taken out
    directives: tuple[Directive, ...] = ()

    def of_kind(self, kind: type) -> list[Directive]:
        return [d for d in self.directives if isinstance(d, kind)]

    @property
    def tasks(self) -> list[Task]:
        return [d for d in self.directives if isinstance(d, DragTask | ConnectTask | BuildTask)]

    @property
    def predictions(self) -> list[Predict]:
        return [d for d in self.directives if isinstance(d, Predict)]


@dataclass(frozen=True, slots=True)
class Lesson:
    path: Path | None
    title: str
    summary: str
    steps: tuple[Step, ...]
    graphs: tuple[Graph | None, ...] = field(default=(), repr=False)  # each step's starting graph

    def __len__(self) -> int:
        return len(self.steps)

    def start_graph(self, k: int) -> Graph | None:
        """A fresh copy of the graph step ``k`` starts from (None before any ``graph:``)."""
        graph = self.graphs[k]
        return None if graph is None else graph.copy()
