"""A graph as a self-contained Python script: a tiny ``Value`` class, the graph, ``backward()``.

The script is the lesson in code. A micrograd/microgpt-style ``Value`` remembers its
operands and its *local* derivatives; ``backward()`` multiplies and sums them along every
edge. Running it prints each input's value and gradient, and the numbers are the app's to
the last bit, because

* every op is the same float formula as :mod:`explorer.graph.ops` (``math.pow``, the
  two-branch sigmoid, ``1/b`` then times the upstream gradient, ...), with the same rule
  that a domain problem or an overflow makes a node *undefined* (NaN) downstream;
* ``backward()`` visits nodes newest first, and the script creates computed nodes in an
  order that sends every gradient sum through its terms in the engine's order (sums of
  three or more terms are where float addition would notice; :func:`_plan` checks it).

Between the ``# --- graph ---`` and ``# --- end graph ---`` markers there are only lines
that Build from expression accepts (``x = Value(3.0)``, ``h = (2 * x + 1) ** 2``,
``h.backward()``), so pasting that block back rebuilds the same graph. Unnamed computed
nodes used once are written inline, so they stay unnamed; the rest get a name (``_t3``).
Constants are written as numbers.

A user-defined function becomes a Python function over ``Value``, decorated with
``@Value.function``: a call runs the body on fresh copies of its arguments, lets
``backward()`` inside the body find d(result)/d(parameter), and records the call as one
``Value`` with those local derivatives — what the engine does with a function node, so
the printed gradients are still the app's to the last bit.

The ``Value`` class itself, as source text, is in :mod:`explorer.io.code_export_value`.

Imports: standard library, explorer.graph and the code export's Value module (no Qt).
"""

from __future__ import annotations

import builtins
import keyword
import math
import textwrap
import unicodedata
from dataclasses import dataclass

from explorer.graph.model import Graph, GraphError, Node
from explorer.io.code_export_value import VALUE_CLASS

GRAPH_BEGIN = "# --- graph ---"
GRAPH_END = "# --- end graph ---"
COMMENT_WIDTH = 86
MAX_INLINE_DEPTH = 12  # deeper expressions get a name: readable, and far from parser limits

# Names the rest of the script needs, and names Build from expression reserves.
_SCRIPT_NAMES = frozenset(
    {"Value", "math", "report", "NAN", "_div", "_pow", "_pow_local", "_log", "_sqrt", "_sigmoid"}
)
_PARSER_RESERVED = frozenset(
    {"exp", "log", "sqrt", "relu", "tanh", "sigmoid", "sin", "cos", "abs", "math", "np", "numpy", "Value"}
)
# Characters Build from expression rewrites before parsing (lesson typography).
_TYPOGRAPHY = frozenset("·⋅∙×−–÷^⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")

_INFIX = {"add": " + ", "sub": " - ", "mul": " * ", "div": " / ", "pow": " ** "}
_METHODS = frozenset({"exp", "log", "sqrt", "relu", "tanh", "sigmoid", "sin", "cos", "abs"})
# Precedence levels, as Python parses them.
_ADD, _MUL, _UNARY, _POW, _ATOM = 60, 70, 80, 90, 100
_LEVEL = {"add": _ADD, "sub": _ADD, "mul": _MUL, "div": _MUL, "pow": _POW}
_NEEDS = {  # (left, right) operand levels below which an operand gets parentheses
    "add": (_ADD, _MUL),
    "sub": (_ADD, _MUL),
    "mul": (_MUL, _UNARY),
    "div": (_MUL, _UNARY),
    "pow": (_ATOM, _UNARY),
}


class CodeExportError(GraphError):
    """The graph cannot be written as a program (e.g. an operand is not connected)."""


def export_python(graph: Graph, output: str | None = None) -> str:
    """The whole script for ``graph`` at its stored input values.

    ``output`` (a name or id) is the node to differentiate; by default the graph's own.
    Raises :class:`CodeExportError` for a half-built graph.
    """
    plan = _plan(graph, output)
    head = [
        "#!/usr/bin/env python3",
        *_comment(graph.title or "Computation graph"),
        *_comment(graph.description),
        "#",
        "# Exported from Chain Rule Explorer. Standard library only: run it with python3.",
        "# The lines between the 'graph' markers can be pasted back into Build from expression.",
        "",
    ]
    out_label = plan.labels[plan.output]
    inputs = ", ".join(f"({plan.labels[n.id]!r}, {plan.names[n.id]})" for n in graph.inputs())
    tail = ["", f"report({plan.names[plan.output]}, {out_label!r}, [{inputs}])", ""]
    block = [*_functions(graph), *plan.lines]
    return "\n".join([*head, VALUE_CLASS, "", GRAPH_BEGIN, *block, GRAPH_END, *tail])


def program_text(graph: Graph, output: str | None = None) -> str:
    """Only the graph-building lines: what Build from expression accepts."""
    return "\n".join([*_functions(graph), *_plan(graph, output).lines]) + "\n"


def graph_block(script: str) -> str:
    """The lines between the graph markers of an exported script ("" if there are none)."""
    lines = script.splitlines()
    stripped = [line.strip() for line in lines]
    try:
        start = stripped.index(GRAPH_BEGIN)
        end = stripped.index(GRAPH_END, start + 1)
    except ValueError:
        return ""
    return "\n".join(lines[start + 1 : end]) + "\n"


# ------------------------------------------------------------------------------ planning
@dataclass(slots=True)
class _Plan:
    lines: list[str]
    names: dict[str, str]  # node id -> Python name (inputs and nodes with a line)
    labels: dict[str, str]  # node id -> what the printout calls it
    output: str


def _comment(text: str) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines():
        lines += [f"# {line}" for line in textwrap.wrap(paragraph, COMMENT_WIDTH)] or ["#"]
    return lines


def _usable(name: str) -> bool:
    """Can ``name`` be a Python variable that Build from expression reads back unchanged?"""
    return (
        name.isidentifier()
        and not keyword.iskeyword(name)
        and unicodedata.normalize("NFKC", name) == name
        and not _TYPOGRAPHY.intersection(name)
        and not name.startswith("__")
        and name not in _PARSER_RESERVED
        and name not in _SCRIPT_NAMES
        and not hasattr(builtins, name)
    )


class _Namer:
    """Python names for nodes: their own name when usable, else a fresh one."""

    def __init__(self, graph: Graph, reserved: set[str]) -> None:
        self.reserved = reserved  # function names
        self.taken = {n.name for n in graph if n.name} | reserved
        self.counter = 0

    def name_for(self, node: Node) -> str:
        if node.name and _usable(node.name) and node.name not in self.reserved:
            return node.name
        base = "".join(c if c.isascii() and ("a" + c).isidentifier() else "_" for c in node.name)
        if base[:1].isdigit():
            base = "_" + base
        for candidate in (base, base + "_") if base.strip("_") else ():
            if _usable(candidate) and candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
        while True:
            self.counter += 1
            candidate = f"_t{self.counter}"
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate


def _own_name(node: Node) -> str:
    """A call named after its function (as typed programs name them) counts as unnamed."""
    return "" if node.op == "call" and node.name == node.function else node.name


def _functions(graph: Graph) -> list[str]:
    """The ``@Value.function`` definitions, callees first, each followed by a blank line."""
    lines: list[str] = []
    for function in graph.functions:
        if not _usable(function.name):
            raise CodeExportError(
                f"the function name {function.name!r} cannot be used in Python code; rename it"
            )
        plan = _plan(function.body, None, body=True, reserved={f.name for f in graph.functions})
        params = ", ".join(plan.names[pid] for pid in function.parameter_ids)
        lines += [
            "@Value.function",
            f"def {function.name}({params}):",
            *(f"    {line}" for line in plan.lines),
            "",
        ]
    return lines


def _plan(graph: Graph, output: str | None, body: bool = False, reserved: set[str] | None = None) -> _Plan:
    """The graph-building lines; with ``body``, a function body's lines ending in ``return``."""
    if reserved is None:
        reserved = {f.name for f in graph.functions}
    out_id = graph.find(output).id if output is not None else graph.default_output()
    if out_id is None:
        raise CodeExportError("the graph is empty: there is nothing to export")
    for node in graph:
        for slot, src in enumerate(node.operands):
            if src is None:
                raise CodeExportError(
                    f"operand {slot + 1} of {node.label!r} ({node.op}) is not connected; "
                    "connect it before exporting code"
                )
    # The engine's topological order (a body has no library to compile calls against).
    order = graph.topological_order()
    index = {nid: k for k, nid in enumerate(order)}
    consumers: dict[str, list[tuple[str, int]]] = {nid: graph.consumers(nid) for nid in order}
    computed = [nid for nid in order if not graph.node(nid).is_leaf]
    # A computed node gets its own line when it has a name, is the output, or is not used
    # exactly once; everything else is written inline in its one consumer.
    rooted = {
        nid for nid in computed if _own_name(graph.node(nid)) or nid == out_id or len(consumers[nid]) != 1
    }
    if graph.node(out_id).is_leaf:
        rooted.add(out_id)
    while True:
        _cap_depth(graph, computed, rooted)
        late = _misordered(graph, index, computed, rooted, consumers)
        if not late:
            break
        rooted |= late

    namer = _Namer(graph, reserved)
    names: dict[str, str] = {}
    labels: dict[str, str] = {}
    lines: list[str] = []
    for node in graph.inputs():
        names[node.id] = namer.name_for(node)
        labels[node.id] = node.name or names[node.id]
        keep_label = f", label={node.name!r}" if node.name and node.name != names[node.id] else ""
        if not body:  # a body's inputs are the function's parameters
            lines.append(f"{names[node.id]} = Value({node.value!r}{keep_label})")
    for nid in order:
        if nid in rooted and nid not in names:
            names[nid] = namer.name_for(graph.node(nid))
            labels[nid] = graph.node(nid).name or names[nid]
    for nid in order:
        if nid in rooted and graph.node(nid).op != "input":
            node = graph.node(nid)
            text = _leaf_value(node.value) if node.op == "const" else _expression(graph, nid, names)[0]
            lines.append(f"{names[nid]} = {text}")
    if not body:
        lines.append(f"{names[out_id]}.backward()")
    elif lines and lines[-1].startswith(f"{names[out_id]} = ") and not _own_name(graph.node(out_id)):
        lines[-1] = "return " + lines[-1].removeprefix(f"{names[out_id]} = ")
    else:
        lines.append(f"return {names[out_id]}")
    return _Plan(lines, names, labels, out_id)


def _cap_depth(graph: Graph, computed: list[str], rooted: set[str]) -> None:
    """Give a name to any inline node that would nest deeper than MAX_INLINE_DEPTH."""
    height: dict[str, int] = {}
    for nid in computed:  # topological: operands first
        h = 1 + max(
            (
                height[s]
                for s in graph.node(nid).operands
                if s is not None and s in height and s not in rooted
            ),
            default=0,
        )
        if h > MAX_INLINE_DEPTH:
            rooted.add(nid)
            h = 1
        height[nid] = h


def _creation_order(graph: Graph, order: list[str], rooted: set[str]) -> list[str]:
    """Computed nodes in the order the script creates them: line by line, post-order inside."""
    made: list[str] = []
    for nid in order:
        if nid not in rooted or graph.node(nid).is_leaf:
            continue
        stack: list[tuple[str, bool]] = [(nid, False)]
        while stack:
            current, expanded = stack.pop()
            if expanded:
                made.append(current)
                continue
            stack.append((current, True))
            for src in reversed(graph.node(current).operands):
                assert src is not None
                if src not in rooted and not graph.node(src).is_leaf:
                    stack.append((src, False))
    return made


def _misordered(
    graph: Graph,
    index: dict[str, int],
    computed: list[str],
    rooted: set[str],
    consumers: dict[str, list[tuple[str, int]]],
) -> set[str]:
    """Inline nodes that would add a gradient term out of the engine's order.

    The engine adds a node's incoming terms consumer by consumer in reverse topological
    order (slots in order); the script's ``backward()`` does the same in reverse creation
    order. Two terms add the same either way round, so only sums of three or more terms
    are checked. Returns the inline consumers that must get a line of their own.
    """
    rank = {nid: k for k, nid in enumerate(_creation_order(graph, list(index), rooted))}
    late: set[str] = set()
    for uses in consumers.values():
        if len(uses) < 3:
            continue
        engine = sorted(uses, key=lambda u: (-index[u[0]], u[1]))
        script = sorted(uses, key=lambda u: (-rank[u[0]], u[1]))
        if engine != script:
            late.update(t for t, _ in uses if t not in rooted)
    return late


# ------------------------------------------------------------------------------ expressions
def _number(value: float) -> str:
    """A constant as typed: ``2`` for whole numbers, else the exact repr (``0.1``, ``-0.0``)."""
    negative_zero = value == 0.0 and math.copysign(1.0, value) < 0.0
    if value.is_integer() and abs(value) < 1e15 and not negative_zero:
        return str(int(value))
    return repr(value)


def _leaf_value(value: float) -> str:
    return f"Value({value!r})"


def _expression(graph: Graph, node_id: str, names: dict[str, str]) -> tuple[str, int]:
    """Python text for the computation of ``node_id`` and its precedence level."""
    node = graph.node(node_id)
    operands = [graph.node(s) for s in node.operands if s is not None]
    parts = [_operand(graph, o, names) for o in operands]
    if node.op == "call":
        return f"{node.function}({', '.join(text for text, _level in parts)})", _ATOM
    if node.op in _INFIX:
        (left, left_level), (right, right_level) = parts
        if operands[0].op == "const" and operands[1].op == "const":
            # Two plain numbers would be computed by Python, not recorded: wrap one.
            left, left_level = f"Value({operands[0].value!r})", _ATOM
        need_left, need_right = _NEEDS[node.op]
        left = left if left_level >= need_left else f"({left})"
        right = right if right_level >= need_right else f"({right})"
        return f"{left}{_INFIX[node.op]}{right}", _LEVEL[node.op]
    (text, level), (operand,) = parts[0], operands
    if operand.op == "const":
        text, level = f"Value({operand.value!r})", _ATOM
    if node.op == "neg":
        return f"-{text if level >= _ATOM else f'({text})'}", _UNARY
    if node.op in _METHODS:
        return f"{text if level >= _ATOM else f'({text})'}.{node.op}()", _ATOM
    raise CodeExportError(f"cannot write the {node.op!r} operation as code")  # pragma: no cover


def _operand(graph: Graph, node: Node, names: dict[str, str]) -> tuple[str, int]:
    if node.id in names:
        return names[node.id], _ATOM
    if node.op == "const":
        text = _number(node.value)
        return text, (_UNARY if text.startswith("-") else _ATOM)
    return _expression(graph, node.id, names)
