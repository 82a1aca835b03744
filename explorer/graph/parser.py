"""Typed text to a :class:`Graph`: an expression such as ``(2x+1)²`` or a micrograd-style program.

This is the parser's public face: :func:`parse`, :class:`ParseError` and the limits. It reads
the whole text here (a definition ``h(x) = ...``, a lone expression, or a program of
statements: ``name = expression``, ``name.backward()``, imports of ``Value``) and leaves the
rest to its parts, each with one job:

- :mod:`explorer.graph.parse_text`: typography to Python, headers, columns back to the text;
- :mod:`explorer.graph.parse_tree`: :func:`ast.parse`, regrouping chains too long for it;
- :mod:`explorer.graph.parse_expressions`: the whitelisted walk from expressions to nodes;
- :mod:`explorer.graph.parse_functions`: user-defined functions and their calls.

Everything not whitelisted is refused with a :class:`ParseError` pointing at a line and
column of the text the user typed. Nothing is ever evaluated.

Imports: standard library and the graph model only.
"""

from __future__ import annotations

import ast
import math

from explorer.graph.model import Graph
from explorer.graph.parse_expressions import FUNCTIONS, MAX_NODES, MODULE_PREFIXES
from explorer.graph.parse_functions import FunctionBuilder
from explorer.graph.parse_text import (
    GRAPH_BLOCK_END,
    GRAPH_BLOCK_START,
    ParseError,
    Source,
    only_graph_block,
    place,
)
from explorer.graph.parse_tree import parse_tree

__all__ = [
    "FUNCTIONS",
    "GRAPH_BLOCK_END",
    "GRAPH_BLOCK_START",
    "MAX_NODES",
    "MAX_TEXT_LENGTH",
    "MODULE_PREFIXES",
    "ParseError",
    "parse",
]

MAX_TEXT_LENGTH = 100_000
_HARMLESS_IMPORTS = {("math", None), ("numpy", None), ("numpy", "np")}  # besides micrograd
_NO_OUTPUT = "the program has no output: assign a name, like 'y = ...'"
_REFUSED_STATEMENTS = {
    "FunctionDef": "def", "AsyncFunctionDef": "def", "ClassDef": "class", "For": "for", "AsyncFor": "for",
    "While": "while", "If": "if", "With": "with", "AsyncWith": "with", "Match": "match", "Try": "try",
    "TryStar": "try", "Raise": "raise", "Assert": "assert", "Delete": "del", "Return": "return",
    "Global": "global", "Nonlocal": "nonlocal", "Pass": "pass", "Break": "break", "Continue": "continue",
    "TypeAlias": "type",
}  # fmt: skip


def parse(text: str, *, default_input_value: float = 1.0) -> Graph:
    """Build a graph from an expression, a definition ``h(x) = ...`` or a program.

    Every free name (used but never assigned) becomes an input holding
    ``default_input_value``, in an expression and in a program alike; a program name used
    before the line that assigns it is refused. Raises :class:`ParseError`.
    """
    default = float(default_input_value)
    if not math.isfinite(default):
        raise ValueError("default_input_value must be a finite number")
    if not isinstance(text, str):
        raise ParseError(f"expected text, not {type(text).__name__}")
    if len(text) > MAX_TEXT_LENGTH:
        where = place(text, MAX_TEXT_LENGTH)
        raise ParseError(f"the text is longer than {MAX_TEXT_LENGTH} characters", *where)
    if "\0" in text:
        raise ParseError("the text contains a NUL character", *place(text, text.index("\0")))
    source = Source(only_graph_block(text))
    functions = source.take_functions()
    definition = source.take_definition()
    return _Builder(source, default, parse_tree(source), definition, functions).build()


def _is_backward(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "backward"
    )


class _Builder(FunctionBuilder):
    """The whole text: a definition ``h(x) = ...``, a lone expression, or a program of statements."""

    # -------------------------------------------------------------------- statements
    def build(self) -> Graph:
        statements = [st for st in self.module.body if not self.is_import(st)]
        definition = self.definition
        if definition is not None:
            if len(statements) != 1 or not isinstance(statements[0], ast.Expr):
                what = "must be the only statement" if statements else "needs an expression after '='"
                raise ParseError(f"a definition like 'h(x) = ...' {what}", definition.line, definition.column)
            return self.expression(statements[0].value)
        if not statements:
            if self.module.body:
                raise self.fail(self.module.body[0], _NO_OUTPUT)
            raise ParseError("the text is empty", 1, 1)
        first = statements[0]
        if len(statements) == 1 and isinstance(first, ast.Expr) and not _is_backward(first.value):
            return self.expression(first.value)
        return self.program(statements)

    def is_import(self, st: ast.stmt) -> bool:
        """True for an import that is accepted and ignored; refuses any other import."""
        if isinstance(st, ast.ImportFrom):
            if [(a.name, a.asname) for a in st.names] in ([("Value", None)], [("Value", "Value")]):
                return True
            raise self.fail(st, "only 'from ... import Value' may be imported")
        if isinstance(st, ast.Import):
            for alias in st.names:
                micrograd = alias.name.split(".")[0] == "micrograd" and alias.asname is None
                if not micrograd and (alias.name, alias.asname) not in _HARMLESS_IMPORTS:
                    raise self.fail(alias, f"importing {alias.name!r} is not supported; only Value may be")
            return True
        return False

    def expression(self, root: ast.expr) -> Graph:
        """A lone expression: free names are inputs; the result is named ``out`` (or ``h``)."""
        out_name = "out"
        if self.definition is not None:
            out_name = self.definition.name
            for name, line, column in self.definition.params:
                problem = (
                    self.name_problem(name)
                    or (f"{name!r} appears twice" if name in self.bindings else None)
                    or (f"{name!r} cannot be both the function and a parameter" if name == out_name else None)
                )
                if problem:
                    raise ParseError(problem, line, column)
                self.new_input(name, line, column)
            problem = self.name_problem(out_name)
            if problem:
                raise ParseError(problem, self.definition.line, self.definition.column)
        node = self.graph.node(self.expr(root))
        if node.op != "input":
            self.give_name(node, out_name if out_name not in self.holders else self.fresh(out_name))
        self.graph.set_output(node.id)
        return self.graph

    def program(self, statements: list[ast.stmt]) -> Graph:
        output: str | None = None
        marked: str | None = None
        for st in statements:
            header = self.function_headers.get(self.src.node_col(st)) if isinstance(st, ast.Assign) else None
            if header is not None and isinstance(st, ast.Assign):
                assert isinstance(st.value, ast.Lambda)
                self.define(header, st.value.body)
            elif isinstance(st, ast.FunctionDef):
                self.define(*self.python_definition(st))
            elif isinstance(st, ast.Assign):
                output = self.assign(st)
            elif isinstance(st, ast.Expr) and isinstance(st.value, ast.Call) and _is_backward(st.value):
                call = st.value
                if call.args or call.keywords:
                    raise self.fail((call.args or call.keywords)[0], "backward() takes no arguments")
                assert isinstance(call.func, ast.Attribute)
                if not isinstance(call.func.value, ast.Name):
                    raise self.fail(call.func.value, "call backward() on a name, like 'loss.backward()'")
                if call.func.value.id not in self.bindings:
                    raise self.fail(call.func.value, f"unknown name {call.func.value.id!r}")
                marked = self.expr(call.func.value)
            elif isinstance(st, ast.Expr):
                if isinstance(st.value, ast.Call):
                    self.expr(st.value)  # so that print(x) says "unknown function 'print'"
                raise self.fail(st, "expected an assignment like 'y = ...'")
            elif isinstance(st, ast.AugAssign):
                output = self.assign(_desugar_augmented(st, self))
            elif isinstance(st, ast.AnnAssign):
                raise self.fail(st, "annotated assignment is not supported; write 'name = expression'")
            else:
                word = _REFUSED_STATEMENTS.get(type(st).__name__)
                raise self.fail(st, f"'{word}' statements are not supported" if word else "not supported")
        chosen = marked or output
        if chosen is None:  # only definitions (backward() needs an assigned name first)
            raise ParseError("the program only defines functions; use one, like 'y = g(x)'", 1, 1)
        self.graph.set_output(chosen)
        return self.graph


def _desugar_augmented(st: ast.AugAssign, parser: _Builder) -> ast.Assign:
    """``c += e`` is ``c = c + e``, as micrograd's README writes it; the new node takes the name."""
    if not isinstance(st.target, ast.Name):
        raise parser.fail(st.target, "augmented assignment needs a name on the left, like 'c += 1'")
    read = ast.copy_location(ast.Name(id=st.target.id, ctx=ast.Load()), st.target)
    combined = ast.copy_location(ast.BinOp(left=read, op=st.op, right=st.value), st)
    store = ast.copy_location(ast.Name(id=st.target.id, ctx=ast.Store()), st.target)
    return ast.copy_location(ast.Assign(targets=[store], value=combined), st)
