"""How the animation talks: node labels, derivative notation, and coloured text runs.

Everything the narrative, the step list, the paths view and the canvas captions say is
built here from plain data, so the words can be tested without Qt. Text is a sequence
of *runs* ``(text, kind)``; ``kind`` says which theme colour a number takes (value,
gradient, tangent) and :meth:`Rich.html` turns the runs into Qt rich text.

Notation follows the lesson: ``dh/dx`` for one-letter names, ``d(loss)/dc`` otherwise.

Imports: standard library, explorer.graph, explorer.theme.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from explorer.graph.engine import Evaluation
from explorer.graph.model import Graph
from explorer.graph.naming import LABEL_BUDGET as LABEL_BUDGET
from explorer.graph.naming import display_name, is_formula, operand_name
from explorer.graph.ops import OPS
from explorer.theme import Theme, format_number

Kind = Literal["value", "grad", "tangent", "local", "muted"] | None
Run = tuple[str, Kind]

# Ops written as ``a <symbol> b``; the others as ``name(a)`` unless listed in _UNARY.
_INFIX = frozenset({"add", "sub", "mul", "div", "pow"})
_UNARY = {"neg": "−{}", "abs": "|{}|", "sigmoid": "σ({})", "sqrt": "√({})"}


@dataclass(frozen=True, slots=True)
class Rich:
    """A line of text whose numbers carry a colour role."""

    runs: tuple[Run, ...] = ()

    @property
    def plain(self) -> str:
        return "".join(text for text, _ in self.runs)

    def __add__(self, other: Rich) -> Rich:
        return Rich(self.runs + other.runs)

    def html(self, theme: Theme) -> str:
        colours = {
            "value": theme.value,
            "grad": theme.grad,
            "tangent": theme.tangent,
            "muted": theme.muted_text,
        }
        parts: list[str] = []
        for text, kind in self.runs:
            escaped = html.escape(text)
            colour = colours.get(kind) if kind else None
            if colour:
                parts.append(f'<span style="color:{colour}; font-weight:600">{escaped}</span>')
            elif kind == "local":
                parts.append(f"<b>{escaped}</b>")
            else:
                parts.append(escaped)
        return "".join(parts)


def rich(*parts: str | Run | Rich) -> Rich:
    """Concatenate plain strings, ``(text, kind)`` runs and other Rich lines."""
    runs: list[Run] = []
    for part in parts:
        if isinstance(part, Rich):
            runs.extend(part.runs)
        elif isinstance(part, tuple):
            runs.append(part)
        else:
            runs.append((part, None))
    return Rich(tuple(runs))


def fmt(x: float) -> str:
    return format_number(x)


def num(x: float, kind: Kind) -> Run:
    return (fmt(x), kind)


def label(graph: Graph, node_id: str) -> str:
    """What the lesson calls a node: :func:`explorer.graph.naming.display_name`."""
    return display_name(graph, node_id)


def label_is_formula(graph: Graph, node_id: str) -> bool:
    """True when :func:`label` wrote the node as a formula of its operands (it has no name)."""
    return is_formula(graph, node_id)


def operand_label(graph: Graph, source_id: str, op_name: str, slot: int) -> str:
    """``label`` of an operand, bracketed where :func:`expression` for ``op_name`` needs it."""
    return operand_name(graph, source_id, op_name, slot)


def d(name: str) -> str:
    """The differential of a named quantity: ``dx`` or ``d(loss)``."""
    return f"d{name}" if len(name) == 1 else f"d({name})"


def derivative(top: str, bottom: str) -> str:
    """``dtop/dbottom`` in the lesson's notation."""
    return f"{d(top)}/{d(bottom)}"


def expression(op_name: str, operands: Sequence[str]) -> str:
    """An op applied to operand texts, as a learner writes it: ``a × b``, ``exp(a)``, ``−a``.

    A name that is not an op is a function's: ``g(x)``."""
    op = OPS.get(op_name)
    if op is None:
        return f"{op_name}({', '.join(operands)})"
    if op_name in _INFIX and len(operands) == 2:
        return f"{operands[0]} {op.symbol} {operands[1]}"
    if op_name in _UNARY and len(operands) == 1:
        return _UNARY[op_name].format(operands[0])
    return f"{op_name}({', '.join(operands)})"


def expression_runs(op_name: str, operands: Sequence[Run]) -> Rich:
    """Like :func:`expression` but keeps each operand's colour role."""
    op = OPS.get(op_name)
    if op is None:
        return rich(
            f"{op_name}(",
            *[part for k, o in enumerate(operands) for part in ((", ",) if k else ()) + (o,)],
            ")",
        )
    if op_name in _INFIX and len(operands) == 2:
        return rich(operands[0], f" {op.symbol} ", operands[1])
    if op_name in _UNARY and len(operands) == 1:
        before, after = _UNARY[op_name].split("{}")
        return rich(before, operands[0], after)
    out: list[str | Run] = [f"{op_name}("]
    for i, operand in enumerate(operands):
        if i:
            out.append(", ")
        out.append(operand)
    out.append(")")
    return rich(*out)


def signed_sum(terms: Iterable[float], kind: Kind = "grad") -> Rich:
    """``14 + 28`` or ``1 − 3``: a running sum written the way a person would."""
    runs: list[Run] = []
    for i, term in enumerate(terms):
        if i == 0:
            runs.append(num(term, kind))
        elif term < 0:
            runs.append((" − ", None))
            runs.append(num(-term, kind))
        else:
            runs.append((" + ", None))
            runs.append(num(term, kind))
    return Rich(tuple(runs))


def output_label(evaluation: Evaluation) -> str:
    return label(evaluation.graph, evaluation.output) if evaluation.output else "output"
