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
from explorer.graph.functions import op_of
from explorer.graph.model import Graph
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


LABEL_BUDGET = 14
_ATOM = 5  # precedence of a name, a number or a call: never needs brackets
_PREC = {"add": 1, "sub": 1, "neg": 2, "mul": 3, "div": 3, "pow": 4}
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def label(graph: Graph, node_id: str) -> str:
    """What the lesson calls a node: its name; an unnamed constant by its number; an unnamed
    computed node by its formula when that is short (``2·x``, ``c + 1``, ``exp(z1)``); else
    the op's title and id (``Multiply n3``)."""
    return _labelled(graph, node_id)[0]


def label_is_formula(graph: Graph, node_id: str) -> bool:
    """True when :func:`label` wrote the node as a formula of its operands (it has no name)."""
    node = graph.node(node_id)
    return not node.name and not node.is_leaf and _formula(graph, node_id, LABEL_BUDGET) is not None


def operand_label(graph: Graph, source_id: str, op_name: str, slot: int) -> str:
    """``label`` of an operand, bracketed where :func:`expression` for ``op_name`` needs it."""
    text, prec = _labelled(graph, source_id)
    return f"({text})" if prec < _needed(op_name, slot) else text


def _labelled(graph: Graph, node_id: str) -> tuple[str, int]:
    node = graph.node(node_id)
    if node.name:
        return node.name, _ATOM
    if node.op == "const":
        return format_number(node.value), _ATOM if node.value >= 0 else _PREC["neg"]
    if node.is_leaf:
        return f"{node.op} {node.id}", _ATOM
    built = _formula(graph, node_id, LABEL_BUDGET)
    return built if built is not None else (f"{op_of(graph, node).title} {node.id}", _ATOM)


def _needed(op_name: str, slot: int) -> int:
    """The least precedence an operand in ``slot`` may have without brackets."""
    if op_name in ("add", "sub"):
        return 1 if slot == 0 or op_name == "add" else 2
    if op_name in ("mul", "div"):
        return 3 if slot == 0 or op_name == "mul" else 4
    if op_name == "pow":
        return _ATOM
    if op_name == "neg":
        return 3
    return 0  # written as a call or between bars: the brackets are already there


def _formula(graph: Graph, node_id: str, budget: int) -> tuple[str, int] | None:
    """The node as a learner writes it, or None when it will not fit in ``budget`` characters.

    Each level spends at least one character, so the recursion is at most ``budget`` deep,
    and a child gets only what its siblings left, so the work stays small on any graph.
    """
    if budget <= 0:
        return None
    node = graph.node(node_id)
    if node.name or node.is_leaf:
        text, prec = _labelled(graph, node_id)
        return (text, prec) if node.name or node.op == "const" else None
    if any(src is None for src in node.operands):
        return None
    parts: list[str] = []
    left = budget - 1
    for slot, src in enumerate(node.operands):
        assert src is not None
        child = _formula(graph, src, left)
        if child is None:
            return None
        text, prec = child
        if prec < _needed(node.op, slot) or (node.op == "sqrt" and prec < _ATOM):
            text = f"({text})"
        parts.append(text)
        left -= len(text)
    op = node.function or node.op  # a call reads as its function: g(x)
    if op == "pow":
        exponent = graph.node(node.operands[1] or "")
        power = exponent.value if exponent.op == "const" and not exponent.name else None
        if power is not None and power.is_integer() and 0 <= power <= 9:
            text, prec = parts[0] + str(int(power)).translate(_SUPERSCRIPT), _PREC["pow"]
        else:
            text, prec = f"{parts[0]}^{parts[1]}", _PREC["pow"]
    elif op in ("add", "sub"):
        text, prec = f"{parts[0]} {OPS[op].symbol} {parts[1]}", 1
    elif op == "mul":
        text, prec = f"{parts[0]}·{parts[1]}", 3
    elif op == "div":
        text, prec = f"{parts[0]}/{parts[1]}", 3
    elif op == "neg":
        text, prec = f"−{parts[0]}", 2
    elif op == "abs":
        text, prec = f"|{parts[0]}|", _ATOM
    elif op == "sqrt":
        text, prec = f"√{parts[0]}", _ATOM
    elif op == "sigmoid":
        text, prec = f"σ({parts[0]})", _ATOM
    else:
        text, prec = f"{op}({', '.join(parts)})", _ATOM
    return (text, prec) if len(text) <= budget else None


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
