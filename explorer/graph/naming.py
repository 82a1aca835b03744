"""One naming rule for every place that names a node: canvas, narrative, plot, inspector, CLI, messages.

A node is called by its name; an unnamed constant by its number; an unnamed computed node by
the formula a learner would write for it (``2·x``, ``c + 1``, ``(2·x + 1)²``) when that is
short; otherwise by its op's title and id (``Multiply n3``), so the reader still knows what
kind of node it is. A bare id such as ``n7`` is never shown on its own.

Imports: standard library and explorer.graph only.
"""

from __future__ import annotations

from explorer.graph.model import Graph
from explorer.graph.ops import OPS


def format_number(x: float, digits: int = 4) -> str:
    """How every view writes a number: short, exact for integers, 'undefined' for NaN.

    It lives in the graph layer because node names (``2·x``) are built here; the views
    import it through ``explorer.theme``."""
    if x != x:
        return "undefined"
    if x == 0.0:
        return "0"
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    text = f"{x:.{digits}g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        return f"{mantissa}e{int(exp)}"
    return text


LABEL_BUDGET = 14
EMPTY_PORT = "□"
_ATOM = 5  # precedence of a name, a number or a call: never needs brackets
_PREC = {"add": 1, "sub": 1, "neg": 2, "mul": 3, "div": 3, "pow": 4}
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def display_name(graph: Graph, node_id: str) -> str:
    """What to call a node anywhere in the app (see the module docstring)."""
    return _labelled(graph, node_id)[0]


def is_formula(graph: Graph, node_id: str) -> bool:
    """True when :func:`display_name` wrote the node as a formula of its operands (it has no name)."""
    node = graph.node(node_id)
    return not node.name and not node.is_leaf and _formula(graph, node_id, LABEL_BUDGET) is not None


def operand_name(graph: Graph, source_id: str, op_name: str, slot: int) -> str:
    """``display_name`` of an operand, bracketed where ``op_name`` written infix needs it."""
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
    title = OPS[node.op].title if node.op in OPS else f"Function {node.function}"
    return built if built is not None else (f"{title} {node.id}", _ATOM)


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
    parts: list[str] = []
    left = budget - 1
    for slot, src in enumerate(node.operands):
        # An empty port is written as a box, so a half-built node still reads as its formula.
        child = (EMPTY_PORT, _ATOM) if src is None else _formula(graph, src, left)
        if child is None:
            return None
        text, prec = child
        if prec < _needed(node.op, slot) or (node.op == "sqrt" and prec < _ATOM):
            text = f"({text})"
        parts.append(text)
        left -= len(text)
    op = node.function or node.op  # a call reads as its function: g(x)
    if op == "pow":
        exponent = graph.node(node.operands[1]) if node.operands[1] is not None else None
        power = exponent.value if exponent and exponent.op == "const" and not exponent.name else None
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
