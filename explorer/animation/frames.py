"""What every node and edge shows at step *n* of the trace: a pure function, no Qt.

Position ``n`` counts finished steps: ``0`` is "nothing computed yet" (inputs and
constants known, every computed node shows "?"), ``len(trace)`` is "everything known".
:meth:`Timeline.frame` returns a :class:`Frame`, a sparse description of the display
overrides at ``n``; the player applies it to the canvas, and stepping back is just
applying an earlier frame, so it restores exactly the earlier state.

Conventions (the canvas contract: ``None`` means "show the evaluation's own number"):

* values: ``"?"`` for a computed node whose forward step has not happened, else absent;
* gradients: hidden (``""``) throughout the forward pass and for nodes the backward pass
  never reaches (constants, nodes the output does not depend on); ``"?"`` while a node
  waits for its gradient; a partial sum as a number; ``"14 + 28 = 42"`` on the step that
  adds a second or later contribution; absent once complete;
* edge captions: hidden during the forward pass except on the edges carrying values into
  the current node (the value they carry); in the backward pass, each processed edge
  shows its ``upstream × local = contribution``, the others keep their local derivative,
  except edges the backward pass skips (out of constants), which stay blank;
* emphasis: ``"active"`` on the current step's node(s) and edge(s); ``"done"`` on nodes
  whose gradient is complete.

Imports: standard library, explorer.graph, explorer.theme (through wording).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field

from explorer.animation.expanded import body_edge, body_path, expand_trace, split_path
from explorer.animation.wording import d, fmt, label, signed_sum
from explorer.graph.engine import Evaluation
from explorer.graph.model import Edge
from explorer.graph.trace import BackwardStep, ForwardStep, SeedStep, Step, Trace

PENDING = "?"
HIDDEN = ""


@dataclass(frozen=True, slots=True)
class Frame:
    """Display overrides at one position; a missing key means ``None`` (no override)."""

    position: int
    values: dict[str, str] = field(default_factory=dict)
    grads: dict[str, str] = field(default_factory=dict)
    node_emphasis: dict[str, str] = field(default_factory=dict)
    captions: dict[Edge, str] = field(default_factory=dict)
    edge_emphasis: dict[Edge, str] = field(default_factory=dict)
    tangents: dict[str, str] = field(default_factory=dict)


def product_text(upstream: float, local: float, contribution: float) -> str:
    return f"{fmt(upstream)} × {fmt(local)} = {fmt(contribution)}"


def running_sum_text(terms: tuple[float, ...], total: float) -> str:
    return f"{signed_sum(terms).plain} = {fmt(total)}"


class Timeline:
    """A trace prepared for seeking: which step computes which node, who gets gradients."""

    def __init__(self, evaluation: Evaluation, expanded: Iterable[str] = ()) -> None:
        self.evaluation = evaluation
        self.expanded = frozenset(expanded)
        self.trace: Trace
        self.trace, self.opened = expand_trace(evaluation, self.expanded)
        self.steps: tuple[Step, ...] = self.trace.steps
        self.count = len(self.steps)
        self.forward_count = self.trace.forward_count
        self.output = evaluation.output
        graph = evaluation.graph
        self.node_ids: list[str] = list(evaluation.program.ids)
        self.edges: list[Edge] = list(evaluation.program.edges)
        for call, opened in self.opened.items():  # the bodies of expanded calls, by path
            body = opened.function.body
            self.node_ids += [body_path(call, n.id) for n in body if n.op != "const"]
            self.edges += [body_edge(call, e) for e in body.edges()]
        outer = evaluation.program.ids
        self.leaves: list[str] = [nid for nid in outer if graph.node(nid).is_leaf]
        self.inputs: list[str] = [nid for nid in outer if graph.node(nid).op == "input"]
        self.computed_at: dict[str, int] = {}
        for k, step in enumerate(self.steps[: self.forward_count]):
            assert isinstance(step, ForwardStep)
            self.computed_at[step.node_id] = k
        # Nodes the backward pass hands a gradient to, and how many terms each receives.
        self.term_count: dict[str, int] = {}
        self.body_seeds: set[str] = set()  # body outputs, handed their box's gradient
        for step in self.steps[self.forward_count :]:
            if isinstance(step, BackwardStep):
                src = step.edge.source
                self.term_count[src] = self.term_count.get(src, 0) + 1
            elif isinstance(step, SeedStep) and split_path(step.node_id) is not None:
                self.body_seeds.add(step.node_id)

    def __len__(self) -> int:
        return self.count

    def step(self, k: int) -> Step:
        return self.steps[k]

    def clamp(self, n: int) -> int:
        return max(0, min(int(n), self.count))

    def frame(self, n: int, tangents: Mapping[str, float] | None = None, tangent_input: str = "") -> Frame:
        """The display at position ``n`` (``n`` steps done); tangents optional (forward mode)."""
        n = self.clamp(n)
        frame = Frame(n)
        for nid, k in self.computed_at.items():
            if k >= n:
                frame.values[nid] = PENDING
        current = self.steps[n - 1] if n > 0 else None
        if n <= self.forward_count:
            self._forward_overlay(frame, current)
        else:
            self._backward_overlay(frame, n, current)
        if tangents is not None:
            self._tangents(frame, n, tangents, tangent_input)
        return frame

    def _forward_overlay(self, frame: Frame, current: Step | None) -> None:
        for nid in self.node_ids:
            frame.grads[nid] = HIDDEN
        for edge in self.edges:
            frame.captions[edge] = HIDDEN
        if isinstance(current, ForwardStep):
            frame.node_emphasis[current.node_id] = "active"
            for edge, value in zip(current.edges, current.operand_values, strict=True):
                frame.captions[edge] = fmt(value)
                frame.edge_emphasis[edge] = "active"

    def _backward_overlay(self, frame: Frame, n: int, current: Step | None) -> None:
        waiting = set(self.term_count) | self.body_seeds
        for nid in self.node_ids:
            if nid != self.output:
                frame.grads[nid] = PENDING if nid in waiting else HIDDEN
        if self.output is not None:
            frame.node_emphasis[self.output] = "done"
        for edge in self.edges:
            if edge.source not in waiting:  # from a constant, or not on the way to the output
                frame.captions[edge] = HIDDEN
        for k in range(self.forward_count + 1, n):
            step = self.steps[k]
            if isinstance(step, SeedStep):  # a body's output receives its box's gradient
                frame.grads.pop(step.node_id, None)
                frame.node_emphasis[step.node_id] = "done"
                continue
            assert isinstance(step, BackwardStep)
            src = step.edge.source
            frame.captions[step.edge] = product_text(step.upstream, step.local, step.contribution)
            if step.final:
                del frame.grads[src]
                frame.node_emphasis[src] = "done"
            else:
                frame.grads[src] = fmt(step.grad_after)
        if isinstance(current, SeedStep):
            frame.node_emphasis[current.node_id] = "active"
        elif isinstance(current, BackwardStep):
            src = current.edge.source
            frame.edge_emphasis[current.edge] = "active"
            frame.node_emphasis[src] = "active"
            if len(current.terms) > 1:
                frame.grads[src] = running_sum_text(current.terms, current.grad_after)

    def _tangents(self, frame: Frame, n: int, tangents: Mapping[str, float], tangent_input: str) -> None:
        frame.tangents.update(
            tangent_texts(
                self.evaluation, tangents, tangent_input, {k for k, at in self.computed_at.items() if at >= n}
            )
        )


def tangent_texts(
    evaluation: Evaluation, tangents: Mapping[str, float], tangent_input: str, pending: Set[str] = frozenset()
) -> dict[str, str]:
    """``dc/dx = 2`` for every node but constants (``?`` for nodes not computed yet)."""
    graph = evaluation.graph
    texts: dict[str, str] = {}
    for nid in evaluation.program.ids:
        if graph.node(nid).op == "const":
            continue
        shown = PENDING if nid in pending else fmt(tangents.get(nid, 0.0))
        texts[nid] = f"{d(label(graph, nid))}/{d(tangent_input)} = {shown}"
    return texts


def idle_frame(
    evaluation: Evaluation, tangents: Mapping[str, float] | None = None, tangent_input: str = ""
) -> Frame:
    """No animation: the canvas shows the evaluation itself, plus forward-mode tangents if asked.

    Needs no trace, so it stays cheap while an input is being dragged.
    """
    frame = Frame(-1)
    if tangents is not None:
        frame.tangents.update(tangent_texts(evaluation, tangents, tangent_input))
    return frame
