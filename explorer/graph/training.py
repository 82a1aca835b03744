"""Gradient descent on the graph: the gradients, put to work.

Why this module exists, in the words of the lesson
---------------------------------------------------
A gradient says which way to nudge. d(loss)/dp > 0 means "a little more p makes the loss
a little bigger", so a little *less* p makes it smaller. Training does exactly that for
every parameter at once and repeats it:

    p ← p − lr · ∂loss/∂p        for every trainable input p

where the learning rate ``lr`` says how big a nudge is. The gradients come from the
same engine that draws them on the canvas (one forward pass, one backward pass per step),
so what the learner sees is what the update uses.

A step can go wrong, and then nothing is silently lost. When the loss becomes undefined,
grows past :data:`DIVERGENCE_FACTOR` times where it started, or a parameter stops being a
finite number, the step is *not* taken: the run stops at the last good step and a
:class:`Divergence` names the step and the parameter that moved furthest in the update
that blew up (when a node became undefined: furthest among the parameters upstream of
it). Bad starting points (no trainable input, a learning rate that is not a usable
number, a loss undefined before the first step) raise :class:`TrainingError` with one
line and touch nothing.

Speed: the graph is compiled once (:func:`~explorer.graph.engine.compile_graph`) and a
step works on flat lists of floats with no per-node objects, so one step on a 1,000-node
graph costs about one evaluation (≈ 1 ms). The :class:`Trainer` keeps its own copy of the
parameter values and the whole path, so a run can be rewound to any earlier step; the
graph itself changes only when the caller applies the values (the document does it as
one undo step).

Imports: standard library and the rest of ``explorer.graph``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from explorer.graph.engine import NAN, compile_graph, evaluate, forward_values, leaf_values
from explorer.graph.inline import call_locals
from explorer.graph.model import Graph, GraphError

MAX_LEARNING_RATE = 1000.0
"""Larger steps than this only ever overflow; refusing them is clearer than a blow-up."""

DIVERGENCE_FACTOR = 1e6
"""The run stops when |loss| exceeds this many times max(|starting loss|, 1)."""


class TrainingError(GraphError):
    """Training cannot start (or the learning rate is unusable); the message is one line."""


@dataclass(frozen=True, slots=True)
class Divergence:
    """Why a run stopped early: the step that blew up and the parameter to blame."""

    step: int  # the step that was *not* taken (the run stays at step - 1)
    parameter: str  # the parameter's label (name, else id)
    message: str


def parse_learning_rate(value: str | float) -> float:
    """A learning rate from typed text or a number, or TrainingError saying what is wrong."""
    if isinstance(value, str):
        text = value.strip()
        try:
            rate = float(text)
        except ValueError:
            raise TrainingError(f"learning rate {text!r} is not a number") from None
    else:
        rate = float(value)
    if not math.isfinite(rate):
        raise TrainingError(f"learning rate must be a finite number, not {rate}")
    if rate <= 0.0:
        raise TrainingError(
            f"learning rate must be greater than 0 (got {rate:g}): "
            "a step of 0 changes nothing and a negative one climbs the loss"
        )
    if rate > MAX_LEARNING_RATE:
        raise TrainingError(f"learning rate {rate:g} is too large (at most {MAX_LEARNING_RATE:g})")
    return rate


def trainable_parameters(graph: Graph) -> list[str]:
    """Ids of the trainable inputs, in the graph's node order."""
    return [n.id for n in graph.nodes if n.op == "input" and n.trainable]


class Trainer:
    """Gradient descent on a graph's trainable inputs, with the path of every step kept.

    ``losses[k]`` and ``path[k]`` are the loss and the parameter values after ``k`` steps
    (``k = 0``: before training). :meth:`go_to_step` moves along the path without
    forgetting it; stepping from an earlier position replaces the later steps.
    """

    def __init__(self, graph: Graph, learning_rate: float | str, output: str | None = None) -> None:
        self.learning_rate = parse_learning_rate(learning_rate)
        self.graph = graph
        params = trainable_parameters(graph)
        if not params:
            raise TrainingError(
                "no trainable inputs: mark at least one input as trainable "
                '(the inspector\'s check box, or "trainable": true in the file)'
            )
        try:
            out_id = graph.find(output).id if output is not None else graph.resolve_output()
        except GraphError as exc:
            raise TrainingError(f"no loss to minimise: {exc}") from None
        program = self._program = compile_graph(graph)
        self.output = out_id
        self._out = program.index[out_id]
        ancestors = program.ancestors(self._out)
        if not any(ancestors[program.index[p]] for p in params):
            names = ", ".join(repr(graph.node(p).label) for p in params[:5])
            raise TrainingError(
                f"the loss {graph.node(out_id).label!r} does not depend on any trainable input ({names})"
            )
        self.parameters = params
        self.labels = [graph.node(p).label for p in params]
        self._slots = [program.index[p] for p in params]
        self._template = leaf_values(graph, program, None)  # NaN for every computed node
        self._plan = program.backward_plan(self._out)
        self._n_locals = program.local_count  # call bodies' edges too (see inline.py)
        start = tuple(self._template[i] for i in self._slots)
        loss, grads = self._evaluate(start)
        if loss != loss:
            reasons = "; ".join(d.message for d in evaluate(graph, output=out_id).diagnostics[:2])
            raise TrainingError(
                f"the loss {graph.node(out_id).label!r} is undefined before training"
                + (f" ({reasons})" if reasons else "")
                + ": fix the graph or the starting values first"
            )
        self.losses: list[float] = [loss]
        self.path: list[tuple[float, ...]] = [start]
        self.rates: list[float] = []  # the learning rate each step used
        self.position = 0
        self._structure = graph.structure_revision
        self._grads: tuple[float, ...] = grads
        self._reference = max(abs(loss), 1.0)

    # ------------------------------------------------------------------ state
    @property
    def steps(self) -> int:
        """How many steps the kept path holds (the position may be earlier)."""
        return len(self.path) - 1

    @property
    def loss(self) -> float:
        return self.losses[self.position]

    @property
    def gradients(self) -> dict[str, float]:
        """∂loss/∂p at the current position, by parameter id."""
        return dict(zip(self.parameters, self._grads, strict=True))

    def values(self, step: int | None = None) -> dict[str, float]:
        """Parameter values (by id) after ``step`` steps, by default at the current position."""
        k = self.position if step is None else step
        return dict(zip(self.parameters, self.path[k], strict=True))

    def set_learning_rate(self, value: float | str) -> None:
        """Change the step size mid-run; the path so far is kept."""
        self.learning_rate = parse_learning_rate(value)

    def go_to_step(self, k: int) -> None:
        """Stand at step ``k`` of the kept path (0 = before training)."""
        if not 0 <= k <= self.steps:
            raise TrainingError(f"there is no step {k} (the run has {self.steps})")
        if k != self.position:
            self.position = k
            self._grads = self._evaluate(self.path[k])[1]

    def rewind_to(self, k: int) -> None:
        """Go back to step ``k`` and forget the steps after it."""
        self.go_to_step(k)
        del self.path[k + 1 :], self.losses[k + 1 :], self.rates[k:]

    def find_step(self) -> int | None:
        """The step of the kept path whose values the graph holds now, else None.

        None when the graph moved on: a structural edit, a different set of trainable
        inputs, another leaf (data, a non-trainable input) changed, or parameter values
        that are on no step of the path (typed by hand). The current position wins a tie.
        """
        graph = self.graph
        if graph.structure_revision != self._structure or trainable_parameters(graph) != self.parameters:
            return None
        program, template, slots = self._program, self._template, set(self._slots)
        for i in program.leaves:
            if i not in slots and graph.node(program.ids[i]).value != template[i]:
                return None
        current = tuple(graph.node(p).value for p in self.parameters)
        if current == self.path[self.position]:
            return self.position
        for k, values in enumerate(self.path):
            if values == current:
                return k
        return None

    def apply(self, graph: Graph | None = None) -> None:
        """Write the current parameter values into ``graph`` (by default the trained one)."""
        target = self.graph if graph is None else graph
        for pid, value in self.values().items():
            target.set_value(pid, value)

    # ------------------------------------------------------------------ stepping
    def step(self) -> Divergence | None:
        """One update of every parameter; None, or why it was not taken."""
        if self.position < self.steps:
            self.rewind_to(self.position)
        lr = self.learning_rate
        current = self.path[-1]
        grads = self._grads
        new = tuple(p - lr * g for p, g in zip(current, grads, strict=True))
        k = self.steps + 1
        for j, (p, g, v) in enumerate(zip(current, grads, new, strict=True)):
            if v - v != 0.0:  # inf or NaN
                what = f"{p:.6g} − {lr:g} × {g:.6g}" if g == g else "its gradient is undefined"
                return self._diverged(k, j, f"it would become {v} ({what})")
        loss, new_grads = self._evaluate(new)
        if loss != loss or abs(loss) > DIVERGENCE_FACTOR * self._reference:
            suspects: Sequence[int] = range(len(new))
            if loss != loss:
                values = dict(zip(self.parameters, new, strict=True))
                reasons = evaluate(self.graph, values=values, output=self.output).diagnostics
                why = "the loss became undefined" + (f" ({reasons[0].message})" if reasons else "")
                if reasons:  # blame a parameter upstream of the node that failed
                    upstream = self._program.ancestors(self._program.index[reasons[0].node_id])
                    suspects = [j for j in suspects if upstream[self._slots[j]]] or suspects
            else:
                why = f"the loss grew from {self.losses[0]:.6g} to {loss:.6g}"
            j = max(suspects, key=lambda i: abs(new[i] - current[i]))
            moved = f"it moved from {current[j]:.6g} to {new[j]:.6g}"
            return self._diverged(k, j, f"{moved}; {why}")
        self.path.append(new)
        self.losses.append(loss)
        self.rates.append(lr)
        self.position = k
        self._grads = new_grads
        return None

    def run(self, n: int) -> Divergence | None:
        """Up to ``n`` steps; stops at the first divergence and returns it."""
        for _ in range(n):
            problem = self.step()
            if problem is not None:
                return problem
        return None

    def _diverged(self, k: int, j: int, detail: str) -> Divergence:
        label = self.labels[j]
        message = (
            f"step {k} diverged: parameter {label!r} blew up ({detail}); "
            f"stopped at step {k - 1}, nothing was changed by step {k} — try a smaller learning rate"
        )
        return Divergence(k, label, message)

    def _evaluate(self, params: tuple[float, ...]) -> tuple[float, tuple[float, ...]]:
        """(loss, ∂loss/∂p for each parameter) at ``params``: one forward, one backward pass."""
        program = self._program
        vals = self._template.copy()
        for i, v in zip(self._slots, params, strict=True):
            vals[i] = v
        locals_ = [NAN] * self._n_locals
        forward_values(self.graph, program, vals, None, locals_)
        if program.calls:  # a call's operand edges get d(call)/d(operand) from its body
            call_locals(program.calls, locals_)
        out = self._out
        loss = vals[out]
        if loss != loss:
            return NAN, tuple(NAN for _ in params)
        grads = [0.0] * len(vals)
        grads[out] = 1.0
        for i, pairs in self._plan:
            g = grads[i]
            for e, src in pairs:
                grads[src] += g * locals_[e]
        return loss, tuple(grads[i] for i in self._slots)


def train(
    graph: Graph, learning_rate: float | str, steps: int, output: str | None = None
) -> tuple[Trainer, Divergence | None]:
    """Run ``steps`` steps on ``graph`` and write the trained values into it."""
    if steps < 0:
        raise TrainingError(f"the number of steps must be 0 or more (got {steps})")
    trainer = Trainer(graph, learning_rate, output)
    problem = trainer.run(steps)
    trainer.apply()
    return trainer, problem
