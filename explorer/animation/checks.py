"""Two checks a learner can make by hand: nudge an input, and predict a gradient; no Qt.

*Nudge.* Move one input by a small ``h`` and watch the output move: the ratio of the
two changes is the finite-difference estimate of the gradient, written as the lesson
does: ``nudge x from 3 to 3.001: h goes 49 → 49.028004, 0.028004 / 0.001 = 28.004 ≈ 28``.
The numbers come from re-running the engine's forward pass, never from the gradient.

*Predict.* Parse what the learner typed (a number or a simple fraction ``a/b``, never
evaluated as code) and compare it with the engine's answer, to a relative 1e-3.

Imports: standard library, explorer.graph, explorer.theme (through wording).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from explorer.animation.wording import Rich, derivative, fmt, label, num, output_label, rich
from explorer.graph.engine import Evaluation, evaluate, finite_difference
from explorer.theme import format_number

NUDGE = 1e-3
PREDICT_RTOL = 1e-3
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True, slots=True)
class Nudge:
    input_id: str
    x: float
    h: float
    y: float
    y_nudged: float
    grad: float

    @property
    def slope(self) -> float:
        return (self.y_nudged - self.y) / self.h

    @property
    def agrees(self) -> bool:
        """Forward differences are off by about h·f''/2; allow a percent, or 1e-6 near zero."""
        if not (math.isfinite(self.slope) and math.isfinite(self.grad)):
            return False
        return abs(self.slope - self.grad) <= 1e-2 * max(abs(self.grad), 1e-4)


def nudge(evaluation: Evaluation, input_id: str, h: float = NUDGE) -> Nudge:
    """Re-run the forward pass with ``input_id`` moved by ``h`` (other inputs as they are)."""
    graph = evaluation.graph
    node = graph.node(input_id)
    if node.op != "input":
        raise ValueError(f"{node.label!r} is not an input")
    x = node.value
    moved = evaluate(graph, values={node.name or node.id: x + h}, output=evaluation.output)
    return Nudge(input_id, x, h, evaluation.value, moved.value, evaluation.grad_of(input_id))


def nudge_text(evaluation: Evaluation, result: Nudge) -> Rich:
    """``nudge x from 3 to 3.001: h goes 49 → 49.028004, 0.028004 / 0.001 = 28.004 ≈ 28``."""
    graph = evaluation.graph
    x, out = label(graph, result.input_id), output_label(evaluation)

    def long(v: float) -> str:
        return format_number(v, 8)

    dy = result.y_nudged - result.y
    relation = " ≈ " if result.agrees else " ≠ "
    return rich(
        f"nudge {x} from ",
        (long(result.x), "value"),
        " to ",
        (long(result.x + result.h), "value"),
        f": {out} goes ",
        (long(result.y), "value"),
        " → ",
        (long(result.y_nudged), "value"),
        ", ",
        (long(dy), None),
        " / ",
        (long(result.h), None),
        " = ",
        (long(result.slope), None),
        relation,
        num(result.grad, "grad"),
        f" = {derivative(out, x)} from the backward pass",
    )


def engine_slope(evaluation: Evaluation, input_id: str, h: float = NUDGE) -> float:
    """The same estimate from the engine's own finite-difference helper (a cross-check)."""
    return finite_difference(evaluation.graph, input_id, output=evaluation.output, h=h, central=False)


def parse_guess(text: str) -> float | None:
    """A number the learner typed: ``42``, ``-0.5``, ``1e-3``, ``3/4``; None if it is not one."""
    cleaned = text.strip().replace("−", "-").replace(" ", "")
    if not cleaned or len(cleaned) > 64:
        return None
    if "/" in cleaned:
        top, _, bottom = cleaned.partition("/")
        if _NUMBER.match(top) and _NUMBER.match(bottom) and float(bottom) != 0.0:
            return float(top) / float(bottom)
        return None
    return float(cleaned) if _NUMBER.match(cleaned) else None


@dataclass(frozen=True, slots=True)
class Verdict:
    correct: bool
    guess: float | None
    expected: float

    @property
    def message(self) -> str:
        if self.guess is None:
            return "That is not a number; type something like 42, -0.5 or 3/4."
        if self.correct:
            return f"Right: {fmt(self.expected)}."
        return f"Not quite: you said {fmt(self.guess)}, the gradient is {fmt(self.expected)}."


def check_prediction(text: str, expected: float, rtol: float = PREDICT_RTOL) -> Verdict:
    guess = parse_guess(text)
    if guess is None:
        return Verdict(False, None, expected)
    if math.isnan(expected):
        return Verdict(False, guess, expected)
    return Verdict(math.isclose(guess, expected, rel_tol=rtol, abs_tol=1e-9), guess, expected)
