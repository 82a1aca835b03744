"""Typed text to a :class:`Graph`: an expression such as ``(2x+1)²`` or a micrograd-style program.

The text is parsed by :mod:`ast` and walked by an explicit whitelist: numbers, names,
``+ - * / **``, unary minus and plus, the op functions and methods, ``Value(...)``,
``name = expression`` statements, ``name.backward()`` and imports of ``Value``. Everything
else is refused with a :class:`ParseError` pointing at a line and column of the text the
user typed. Nothing is ever evaluated and constants are never folded: ``9**9**9**9`` is
three pow nodes, and the engine reports the overflow.

Before :func:`ast.parse` sees the text, lesson typography becomes Python (``·`` ``×`` → ``*``,
``−`` → ``-``, ``÷`` → ``/``, ``^`` and superscripts → ``**``, ``2x`` → ``2*x``), a common
indentation is removed and a definition header ``h(x) =`` is taken off. Each line keeps a
map from its rewritten columns back to the user's, so errors point at what was typed.

In a text of several statements, each ``g(x) = 2*x + 1`` defines a *function* instead
(:mod:`explorer.graph.functions`): its header is rewritten to ``g = lambda x:`` so that
:mod:`ast` accepts it, and only lambdas made that way are read as definitions. A body may
use its parameters and call functions defined before it, nothing else.

CPython builds its syntax tree recursively, so a flat chain ``x+x+...`` of a few thousand
terms exceeds the recursion limit. When that happens the tokenizer finds the long ``+ -``
and ``* /`` chains and regroups each into one marker call whose arguments are the operands,
keeping the operators on the side; the walker rebuilds the same left-to-right chain of
nodes from it. The walker itself uses an explicit stack, never recursion.

Imports: standard library and the graph model only.
"""

from __future__ import annotations

import ast
import io
import keyword
import math
import os
import re
import tokenize
import unicodedata
import warnings
from dataclasses import dataclass, field

from explorer.graph.functions import Function, FunctionError
from explorer.graph.model import MAX_NAME_LENGTH, Graph, GraphError, Node

MAX_TEXT_LENGTH = 100_000
MAX_NODES = 20_000
FUNCTIONS = ("exp", "log", "sqrt", "relu", "tanh", "sigmoid", "sin", "cos", "abs")
MODULE_PREFIXES = ("math", "np", "numpy")

_RESERVED = frozenset({*FUNCTIONS, *MODULE_PREFIXES, "Value"})
_HARMLESS_IMPORTS = {("math", None), ("numpy", None), ("numpy", "np")}  # besides micrograd
_NO_OUTPUT = "the program has no output: assign a name, like 'y = ...'"
_BINARY = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
_REFUSED_BINARY = {
    ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.BitOr: "|",
    ast.BitAnd: "&", ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>",
}  # fmt: skip
_REFUSED_EXPRESSIONS = {
    "Lambda": "lambda functions are", "IfExp": "conditional expressions (... if ... else ...) are",
    "Compare": "comparisons are", "ListComp": "comprehensions are", "SetComp": "comprehensions are",
    "DictComp": "comprehensions are", "GeneratorExp": "comprehensions are",
    "Subscript": "subscripts (x[...]) are", "JoinedStr": "f-strings are", "Starred": "starred values are",
    "Tuple": "tuples are", "List": "lists are", "Dict": "dicts are", "Set": "sets are", "Slice": "slices are",
    "NamedExpr": "':=' is", "Await": "'await' is", "Yield": "'yield' is", "YieldFrom": "'yield' is",
}  # fmt: skip
_REFUSED_STATEMENTS = {
    "FunctionDef": "def", "AsyncFunctionDef": "def", "ClassDef": "class", "For": "for", "AsyncFor": "for",
    "While": "while", "If": "if", "With": "with", "AsyncWith": "with", "Match": "match", "Try": "try",
    "TryStar": "try", "Raise": "raise", "Assert": "assert", "Delete": "del", "Return": "return",
    "Global": "global", "Nonlocal": "nonlocal", "Pass": "pass", "Break": "break", "Continue": "continue",
    "TypeAlias": "type",
}  # fmt: skip

# Lesson typography. '·' is a legal identifier character in Python, which is why the
# identifier scanner stops at every glyph that is about to be rewritten.
_GLYPHS = {"·": "*", "⋅": "*", "∙": "*", "×": "*", "−": "-", "–": "-", "÷": "/", "^": "**"}
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+", strict=True))
_SUPER_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_NUMBER = re.compile(tokenize.Number)
_HEADER = re.compile(r"([^\W\d]\w*)[ \t]*\(([^()=#\n]*)\)[ \t]*=(?!=)[ \t]*")

# Regrouping of long chains (see the module docstring).
_CHAIN = "__chain__"
_CHAIN_MIN = 8
_SUM_OPS = {"+": "add", "-": "sub"}
_PRODUCT_OPS: dict[str, str | None] = {"*": "mul", "/": "div", "%": None, "//": None, "@": None}
_CHAIN_OPS = {**_SUM_OPS, **_PRODUCT_OPS}
_INNER_OPS = {"**", ".", "~", *_CHAIN_OPS}  # unary here, or binding tighter than a chain
_ATOMS = {tokenize.NAME, tokenize.NUMBER, tokenize.STRING}

_Pos = tuple[int, int]
_Located = ast.expr | ast.stmt | ast.alias | ast.keyword | ast.arg
_Operators = list[tuple[str, int, int]]  # symbol, line, column in the typed text
_Plan = tuple[str, object, list[ast.expr]]  # kind, detail, operands to build first


class ParseError(GraphError):
    """Text the parser refuses; ``line`` and ``column`` (1-based) point into the typed text."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(f"line {line}, column {column}: {message}")
        self.message = message
        self.line = line
        self.column = column

    def __reduce__(self) -> tuple[type[ParseError], tuple[str, int, int]]:
        return (type(self), (self.message, self.line, self.column))


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
        where = _place(text, MAX_TEXT_LENGTH)
        raise ParseError(f"the text is longer than {MAX_TEXT_LENGTH} characters", *where)
    if "\0" in text:
        raise ParseError("the text contains a NUL character", *_place(text, text.index("\0")))
    source = _Source(_only_graph_block(text))
    functions = source.take_functions()
    definition = source.take_definition()
    return _Builder(source, default, source.parse(), definition, functions).build()


GRAPH_BLOCK_START = "# --- graph ---"
GRAPH_BLOCK_END = "# --- end graph ---"


def _only_graph_block(text: str) -> str:
    """A script exported by the app (Value class, printing code) parses as its graph block.

    Lines outside ``# --- graph ---`` ... ``# --- end graph ---`` become blank, so line
    numbers in messages still match the pasted text. Nothing outside is ever looked at.
    """
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == GRAPH_BLOCK_START]
    if not starts:
        return text
    begin = starts[0]
    end = next((i for i in range(begin + 1, len(lines)) if lines[i].strip() == GRAPH_BLOCK_END), len(lines))
    return "\n".join(line if begin < i < end else "" for i, line in enumerate(lines))


def _place(text: str, index: int) -> _Pos:
    before = text[:index].replace("\r\n", "\n").replace("\r", "\n")
    return before.count("\n") + 1, len(before) - before.rfind("\n")


# ------------------------------------------------------------------------------ source text
def _typeset(line: str) -> tuple[str, list[int]]:
    """Lesson typography to Python, with the original column of every output character."""
    out: list[str] = []
    cols: list[int] = []

    def emit(text: str, col: int) -> None:
        out.append(text)
        cols.extend([col] * len(text))

    def copy(i: int, j: int) -> int:
        out.append(line[i:j])
        cols.extend(range(i, j))
        return j

    def implicit_product(j: int) -> None:
        # `2x`, `3(x+1)`, `x²y` are products, unless the name is a keyword (`1if`).
        k = j
        while k < len(line) and (_continues_name(line[k]) if k > j else _starts_name(line[k])):
            k += 1
        if j < len(line) and (line[j] == "(" or (k > j and not keyword.iskeyword(line[j:k]))):
            emit("*", j)

    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c in _GLYPHS:
            emit(_GLYPHS[c], i)
            i += 1
        elif c in _SUPER_DIGITS or (c in "⁻⁺" and i + 1 < n and line[i + 1] in _SUPER_DIGITS):
            emit("**" + _SUPERSCRIPTS[c], i)
            i += 1
            while i < n and line[i] in _SUPER_DIGITS:
                emit(_SUPERSCRIPTS[line[i]], i)
                i += 1
            implicit_product(i)
        elif _starts_name(c):
            j = i + 1
            while j < n and _continues_name(line[j]):
                j += 1
            i = copy(i, j)
        elif c in "0123456789" or (c == "." and line[i + 1 : i + 2] in tuple("0123456789")):
            match = _NUMBER.match(line, i)
            i = copy(i, match.end() if match else i + 1)
            implicit_product(i)
        else:
            i = copy(i, i + 1)
    cols.append(n)
    return "".join(out), cols


def _starts_name(c: str) -> bool:
    return c not in _GLYPHS and c.isidentifier()


def _continues_name(c: str) -> bool:
    return c not in _GLYPHS and c not in _SUPERSCRIPTS and ("a" + c).isidentifier()


def _is_name(text: str) -> bool:
    return text.isidentifier() and not keyword.iskeyword(text)


def _char_col(line: str, byte_col: int) -> int:
    """ast counts columns in UTF-8 bytes; the user counts characters."""
    if line.isascii():
        return byte_col
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", "ignore"))


@dataclass(slots=True)
class _Definition:
    name: str
    params: list[tuple[str, int, int]]  # name, line, column
    line: int
    column: int


@dataclass(slots=True)
class _Run:
    """Tokens at one bracket depth between two delimiters, for the chain regrouping."""

    start: _Pos | None = None
    end: _Pos = (0, 0)
    sum_ops: list[tokenize.TokenInfo] = field(default_factory=list)
    segments: list[tuple[_Pos, _Pos, list[tokenize.TokenInfo]]] = field(default_factory=list)
    seg_start: _Pos | None = None
    seg_ops: list[tokenize.TokenInfo] = field(default_factory=list)

    def member(self, tok: tokenize.TokenInfo) -> None:
        self.start = self.start or tok.start
        self.seg_start = self.seg_start or tok.start
        self.end = tok.end

    def end_segment(self) -> None:
        if self.seg_start is not None:
            self.segments.append((self.seg_start, self.end, self.seg_ops))
        self.seg_start, self.seg_ops = None, []


class _Source:
    """The text as :mod:`ast` sees it, with the way back to the user's columns."""

    def __init__(self, text: str) -> None:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if text.startswith("\ufeff"):  # a byte-order mark from a pasted file
            text = " " + text[1:]
        typeset = [_typeset(raw) for raw in text.split("\n")]
        self.lines = [line for line, _ in typeset]
        self.cols = [cols for _, cols in typeset]
        self.chains: dict[_Pos, _Operators] = {}
        margins = [
            line[: len(line) - len(line.lstrip(" \t\f"))]
            for line in self.lines
            if line.strip(" \t\f") and not line.lstrip(" \t\f").startswith("#")
        ]
        margin = os.path.commonprefix(margins) if margins else ""  # noqa: RUF071 - text, not paths
        for row, line in enumerate(self.lines):
            if margin and line.startswith(margin):
                self.cut(row + 1, len(margin))

    def cut(self, row: int, count: int) -> None:
        self.lines[row - 1] = self.lines[row - 1][count:]
        self.cols[row - 1] = self.cols[row - 1][count:]

    def where(self, row: int, col: int) -> _Pos:
        """1-based (line, column) in the typed text of parser row ``row``, character ``col``."""
        row = min(max(row, 1), len(self.lines))
        cols = self.cols[row - 1]
        return row, cols[min(max(col, 0), len(cols) - 1)] + 1

    def node_col(self, node: _Located) -> _Pos:
        """Parser (row, character column) where ``node`` starts."""
        row = min(max(node.lineno, 1), len(self.lines))
        return row, _char_col(self.lines[row - 1], node.col_offset)

    def at(self, node: _Located) -> _Pos:
        return self.where(*self.node_col(node))

    def before_end(self, node: ast.expr, back: int) -> _Pos:
        row = min(max(node.end_lineno or node.lineno, 1), len(self.lines))
        return self.where(row, _char_col(self.lines[row - 1], node.end_col_offset or 0) - back)

    def take_definition(self) -> _Definition | None:
        """Find and remove a header ``h(x, y) =``; only one is allowed in a text."""
        found: _Definition | None = None
        for row, line in enumerate(self.lines, start=1):
            match = _HEADER.match(line)
            pieces = match.group(2).split(",") if match else []
            if len(pieces) > 1 and not pieces[-1].strip():
                pieces.pop()
            names = [p.strip() for p in pieces]
            if not match or not all(_is_name(n) for n in [match[1], *names] if n):
                continue
            if found is not None:
                raise ParseError("only one definition like 'h(x) = ...' is allowed", *self.where(row, 0))
            params, col = [], match.start(2)
            for piece, name in zip(pieces, names, strict=True):
                if name:
                    where = self.where(row, col + len(piece) - len(piece.lstrip()))
                    params.append((unicodedata.normalize("NFKC", name), *where))
                col += len(piece) + 1
            found = _Definition(unicodedata.normalize("NFKC", match[1]), params, *self.where(row, 0))
            self.cut(row, match.end())
        return found

    def take_functions(self) -> dict[_Pos, _Definition]:
        """Rewrite each header ``g(x) =`` that starts a statement into ``g = lambda x:``.

        Only in a text of two statements or more: a lone ``h(x) = ...`` stays the
        definition of the whole graph. Keys are where each rewritten statement starts.
        """
        starts: list[_Pos] = []
        depth = 0
        for row, line in enumerate(self.lines, start=1):
            expecting = depth == 0
            for col, c in enumerate(line):
                if c == "#":
                    break
                if expecting and not c.isspace():
                    starts.append((row, col))
                    expecting = False
                if c in "([{":
                    depth += 1
                elif c in ")]}":
                    depth = max(0, depth - 1)
                elif c == ";" and depth == 0:
                    expecting = True
        if len(starts) < 2:
            return {}
        found: dict[_Pos, _Definition] = {}
        shift: dict[int, int] = {}  # how far earlier rewrites moved the rest of each row
        for row, start in starts:
            col = start + shift.get(row, 0)
            line = self.lines[row - 1]
            match = _HEADER.match(line, col)
            pieces = match.group(2).split(",") if match else []
            if len(pieces) > 1 and not pieces[-1].strip():
                pieces.pop()
            names = [p.strip() for p in pieces]
            if not match or not all(_is_name(n) for n in [match[1], *names] if n):
                continue
            params, at = [], match.start(2)
            for piece, name in zip(pieces, names, strict=True):
                if name:
                    where = self.where(row, at + len(piece) - len(piece.lstrip()))
                    params.append((unicodedata.normalize("NFKC", name), *where))
                at += len(piece) + 1
            name = unicodedata.normalize("NFKC", match[1])
            found[(row, col)] = _Definition(name, params, *self.where(row, col))
            text = f"{name} = lambda {', '.join(p[0] for p in params)}: "
            cols = self.cols[row - 1]
            self.lines[row - 1] = line[:col] + text + line[match.end() :]
            self.cols[row - 1] = cols[:col] + [cols[col]] * len(text) + cols[match.end() :]
            shift[row] = shift.get(row, 0) + len(text) - (match.end() - col)
        return found

    def parse(self) -> ast.Module:
        for attempt in range(2):
            try:
                with warnings.catch_warnings():
                    # `1if x` and the like only warn; what follows is refused more clearly.
                    warnings.simplefilter("ignore")
                    return ast.parse("\n".join(self.lines))
            except SyntaxError as exc:
                message = (exc.msg or "").strip().partition("\n")[0] or "invalid syntax"
                if "Exceeds the limit" in message:
                    message = "the number is too large"
                if (exc.lineno or 0) > len(self.lines) or not exc.lineno:
                    raise ParseError(message, *self.where(len(self.lines), len(self.lines[-1]))) from None
                raise ParseError(message, *self.where(exc.lineno, (exc.offset or 1) - 1)) from None
            except (RecursionError, MemoryError):
                if attempt or not self.regroup_chains():
                    break
        raise ParseError("the expression is nested too deeply to parse", 1, 1)

    # ---------------------------------------------------------------- chain regrouping
    def regroup_chains(self) -> bool:
        """Rewrite long ``+ -`` and ``* /`` chains as marker calls; False if there are none."""
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO("\n".join(self.lines)).readline))
        except (tokenize.TokenError, SyntaxError):
            return False
        if any(tokenize.tok_name[tok.type].startswith("FSTRING") for tok in tokens):
            return False
        inserts: dict[_Pos, list[tuple[int, int, str, _Operators | None]]] = {}
        commas: list[tokenize.TokenInfo] = []

        def close(run: _Run) -> None:
            run.end_segment()
            chains = [(start, end, ops, 1) for start, end, ops in run.segments]
            if run.start is not None:
                chains.append((run.start, run.end, run.sum_ops, 0))
            for start, end, ops, order in chains:
                if len(ops) >= _CHAIN_MIN:  # sums open before and close after products
                    where = [(tok.string, *self.where(*tok.start)) for tok in ops]
                    inserts.setdefault(start, []).append((order, len(commas), _CHAIN + "(", where))
                    inserts.setdefault(end, []).append((3 - order, len(commas), ")", None))
                    commas.extend(ops)

        runs = [_Run()]
        after_operand = False
        for tok in tokens:
            kind, text = tok.type, tok.string
            if kind in (tokenize.NL, tokenize.COMMENT):
                continue
            binary = after_operand and kind == tokenize.OP
            after_operand = False
            if kind == tokenize.OP and text in "([{":
                runs[-1].member(tok)
                runs.append(_Run())
            elif kind == tokenize.OP and text in ")]}":
                if len(runs) > 1:
                    close(runs.pop())
                runs[-1].member(tok)
                after_operand = True
            elif binary and text in _SUM_OPS:
                runs[-1].end_segment()
                runs[-1].sum_ops.append(tok)
            elif binary and text in _PRODUCT_OPS:
                runs[-1].seg_ops.append(tok)
            elif (kind in _ATOMS and (text in ("True", "False", "None") or not keyword.iskeyword(text))) or (
                text == "..."
            ):
                runs[-1].member(tok)
                after_operand = True
            elif kind == tokenize.OP and text in _INNER_OPS:
                runs[-1].member(tok)
            else:  # '=', ',', ':', keywords, comparisons, newlines: the run ends here
                close(runs[-1])
                runs[-1] = _Run()
        if not inserts:
            return False
        rows = {
            row: list(self.lines[row - 1]) for row in {t.start[0] for t in commas} | {r for r, _ in inserts}
        }
        for tok in commas:
            (row, col), (_, end) = tok.start, tok.end
            rows[row][col:end] = list("," + " " * (end - col - 1))  # same width: columns stay put
        for row, chars in rows.items():
            old, out, cols = self.cols[row - 1], list[str](), list[int]()
            for col in range(len(chars) + 1):
                for _order, _seq, text, ops in sorted(inserts.get((row, col), ()), key=lambda t: t[:2]):
                    if ops is not None:
                        self.chains[(row, len(out))] = ops
                    out.extend(text)
                    cols.extend([old[col]] * len(text))
                if col < len(chars):
                    out.append(chars[col])
                    cols.append(old[col])
            self.lines[row - 1], self.cols[row - 1] = "".join(out), [*cols, old[len(chars)]]
        return True


# ------------------------------------------------------------------------------ the walker
def _is_backward(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "backward"
    )


class _Builder:
    """Walks the syntax tree with an explicit stack and adds nodes to a fresh graph."""

    def __init__(
        self,
        source: _Source,
        default: float,
        module: ast.Module,
        definition: _Definition | None,
        functions: dict[_Pos, _Definition] | None = None,
        taken: set[str] | None = None,
    ):
        self.src = source
        self.default = default
        self.module = module
        self.definition = definition
        self.function_headers = functions or {}
        self.library: dict[str, tuple[Function, int]] = {}  # name -> function, line defined
        self.scope: _Definition | None = None  # the function whose body is being built
        self.graph = Graph()
        self.bindings: dict[str, str] = {}  # name in the program -> node id
        self.holders: dict[str, str] = {}  # node name -> node id
        # A function body's builder shares its program's names (walking the tree once).
        self.taken = (
            taken if taken is not None else {n.id for n in ast.walk(module) if isinstance(n, ast.Name)}
        )
        if definition is not None:
            self.taken.update([definition.name, *(p[0] for p in definition.params)])
        self.suffix: dict[str, int] = {}
        # Names a program assigns somewhere: reading one before its assignment is a mistake,
        # not a new input. Every other free name becomes an input, as in an expression.
        self.assigned = (
            set()
            if taken is not None
            else {  # a body reads only its parameters
                target.id
                for st in module.body
                if isinstance(st, ast.Assign | ast.AugAssign)
                for target in (st.targets if isinstance(st, ast.Assign) else [st.target])
                if isinstance(target, ast.Name)
            }
        )

    def fail(self, node: _Located, message: str) -> ParseError:
        return ParseError(message, *self.src.at(node))

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

    def assign(self, st: ast.Assign) -> str:
        if len(st.targets) != 1:
            raise self.fail(st.targets[1], "chained assignment (a = b = ...) is not supported")
        target = st.targets[0]
        if not isinstance(target, ast.Name):
            kind = {"Tuple": "a tuple", "List": "a list", "Attribute": "an attribute"}.get(
                type(target).__name__, "this"
            )
            raise self.fail(target, f"assigning to {kind} is not supported; write 'name = ...'")
        problem = self.name_problem(target.id)
        if problem:
            raise self.fail(target, problem)
        literal = self.input_literal(st.value)
        if literal is not None:
            node = self.add("input", st.value, literal)
        else:
            node = self.graph.node(self.expr(st.value))
            value = st.value
            while isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.UAdd):
                value = value.operand
            if isinstance(value, ast.Name):  # `y = x` is another name for x's node
                self.bindings[target.id] = node.id
                return node.id
        self.give_name(node, target.id)
        self.bindings[target.id] = node.id
        return node.id

    # -------------------------------------------------------------------- names
    def name_problem(self, name: str) -> str | None:
        if name in _RESERVED:
            return f"{name!r} is a function name and cannot name a value"
        if name in self.library:
            return f"{name!r} is a function and cannot name a value"
        if name.startswith("__"):
            return "names starting with '__' are not allowed"
        if len(name) > MAX_NAME_LENGTH:
            return f"the name is longer than {MAX_NAME_LENGTH} characters"
        return None

    def fresh(self, base: str) -> str:
        i = self.suffix.get(base, 0)
        while True:
            i += 1
            name = base[: MAX_NAME_LENGTH - len(f"_{i}")] + f"_{i}"
            if name not in self.holders and name not in self.taken:
                self.suffix[base] = i
                return name

    def give_name(self, node: Node, name: str) -> None:
        """Name ``node``; a node that held the name before becomes ``name_1``, ``name_2``, ..."""
        holder = self.holders.get(name)
        if holder is not None and holder != node.id:
            fresh = self.fresh(name)
            self.graph.rename(holder, fresh)  # O(1): the graph keeps a name index
            self.holders[fresh] = holder
        self.graph.rename(node.id, name)
        self.holders[name] = node.id

    def new_input(self, name: str, line: int, column: int) -> str:
        if len(self.graph) >= MAX_NODES:
            raise ParseError(f"the graph would have more than {MAX_NODES} nodes", line, column)
        node = self.graph.add_node("input", value=self.default)
        self.give_name(node, name)
        self.bindings[name] = node.id
        return node.id

    def lookup(self, node: ast.expr, name: str) -> str:
        if name in self.bindings:
            return self.bindings[name]
        problem = self.function_name_problem(name)
        if problem:
            raise self.fail(node, problem)
        if name in _RESERVED:
            hint = "Value(2.0)" if name == "Value" else f"{name}(x)"
            hint = f"{name}.exp(x)" if name in MODULE_PREFIXES else hint
            raise self.fail(node, f"{name!r} cannot be used as a value; write it like {hint}")
        problem = self.name_problem(name)
        if problem:
            raise self.fail(node, problem)
        if name in self.assigned:
            raise self.fail(node, f"{name!r} is used before it is assigned")
        if self.definition is not None and name == self.definition.name:
            raise self.fail(node, f"{name!r} is being defined and cannot be used in its own definition")
        return self.new_input(name, *self.src.at(node))

    # -------------------------------------------------------------------- expressions
    def add(self, op: str, where: ast.expr, value: float = 0.0) -> Node:
        if len(self.graph) >= MAX_NODES:
            raise self.fail(where, f"the graph would have more than {MAX_NODES} nodes")
        return self.graph.add_node(op, value=value)

    def apply(self, op: str, where: ast.expr, operands: list[str]) -> str:
        node = self.add(op, where)
        for slot, source in enumerate(operands):
            self.graph.connect(source, node.id, slot)
        return node.id

    def expr(self, root: ast.expr) -> str:
        """Post-order walk with an explicit stack; returns the id of the node for ``root``."""
        results: list[str] = []
        stack: list[tuple[ast.expr, _Plan | None]] = [(root, None)]
        while stack:
            node, plan = stack.pop()
            if plan is None:
                plan = self.plan(node)
                if plan[2]:
                    stack.append((node, plan))
                    stack.extend((child, None) for child in reversed(plan[2]))
                    continue
            kind, detail, operands = plan
            args = results[len(results) - len(operands) :]
            del results[len(results) - len(operands) :]
            if kind == "const":
                assert isinstance(detail, float)
                results.append(self.add("const", node, detail).id)
            elif kind == "name":
                assert isinstance(detail, str)
                results.append(self.lookup(node, detail))
            elif kind == "pass":
                results.append(args[0])
            elif kind == "call":
                assert isinstance(detail, str)
                results.append(self.call(node, detail, args))
            elif kind == "chain":
                assert isinstance(detail, list)
                for op, arg in zip(detail, args[1:], strict=True):
                    args[0] = self.apply(op, node, [args[0], arg])
                results.append(args[0])
            else:
                assert isinstance(detail, str)
                results.append(self.apply(detail, node, args))
        return results[0]

    def plan(self, node: ast.expr) -> _Plan:
        """What ``node`` builds and from which operands, after checking it is allowed."""
        if isinstance(node, ast.Constant):
            return ("const", self.number(node), [])
        if isinstance(node, ast.Name):
            return ("name", node.id, [])
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                if isinstance(node.operand, ast.Constant):
                    return ("const", -self.number(node.operand), [])
                return ("op", "neg", [node.operand])
            if isinstance(node.op, ast.UAdd):
                return ("pass", None, [node.operand])
            raise self.fail(node, f"{'not' if isinstance(node.op, ast.Not) else '~'!r} is not supported")
        if isinstance(node, ast.BinOp):
            op = _BINARY.get(type(node.op))
            if op is None:
                symbol = _REFUSED_BINARY.get(type(node.op), "this operator")
                raise ParseError(f"{symbol!r} is not supported", *self.operator_at(node, symbol))
            return ("op", op, [node.left, node.right])
        if isinstance(node, ast.Call):
            return self.plan_call(node)
        if isinstance(node, ast.Attribute):
            hint = f"; call it: x.{node.attr}()" if node.attr in FUNCTIONS else ""
            where = self.src.before_end(node, len(node.attr))
            raise ParseError(f"attribute access '.{node.attr}' is not supported{hint}", *where)
        if isinstance(node, ast.BoolOp):
            raise self.fail(node, f"{'and' if isinstance(node.op, ast.And) else 'or'!r} is not supported")
        refused = _REFUSED_EXPRESSIONS.get(type(node).__name__)
        raise self.fail(node, f"{refused} not supported" if refused else "this is not supported")

    def operator_at(self, node: ast.BinOp, symbol: str) -> _Pos:
        """Where the operator of ``node`` is in the text (the tree does not record it)."""
        row, col = node.left.end_lineno or node.lineno, node.left.end_col_offset or 0
        col = _char_col(self.src.lines[row - 1], col)
        stop_row, stop_col = self.src.node_col(node.right)
        while row <= stop_row:
            line = self.src.lines[row - 1]
            found = line.find(symbol, col, stop_col if row == stop_row else len(line))
            if found >= 0:
                return self.src.where(row, found)
            row, col = row + 1, 0
        return self.src.at(node)

    def number(self, node: ast.Constant) -> float:
        value = node.value
        if isinstance(value, bool) or value is None:
            raise self.fail(node, f"{value} is not a number")
        if isinstance(value, complex):
            raise self.fail(node, "complex numbers are not supported")
        if isinstance(value, str | bytes):
            raise self.fail(node, "strings are not supported")
        if not isinstance(value, int | float):
            raise self.fail(node, f"{value!r} is not supported")
        try:
            result = float(value)
        except OverflowError:
            result = math.inf
        if not math.isfinite(result):
            raise self.fail(node, "the number is too large")
        return result

    def input_literal(self, node: ast.expr) -> float | None:
        """The value of ``3``, ``-3``, ``+3`` or ``Value(3)``; None for anything else."""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Value":
            return self.value_call(node)
        sign = 1.0
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
            node = node.operand
        return sign * self.number(node) if isinstance(node, ast.Constant) else None

    def value_call(self, call: ast.Call) -> float:
        """``Value(2.0)`` or ``Value(-2.0, label='a')``: the number inside."""
        for kw in call.keywords:
            if kw.arg != "label":
                raise self.fail(kw, f"Value() takes no keyword argument {kw.arg or '**'!r} here")
            if not (isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str)):
                raise self.fail(kw.value, "label= must be a plain string")
        self.check_one_argument(call, "Value")
        value = None if isinstance(call.args[0], ast.Call) else self.input_literal(call.args[0])
        if value is None:
            raise self.fail(call.args[0], "Value() takes a number, like Value(2.0)")
        return value

    def check_one_argument(self, call: ast.Call, name: str) -> None:
        for arg in call.args:
            if isinstance(arg, ast.Starred):
                raise self.fail(arg, "starred arguments are not supported")
        if len(call.args) != 1:
            where = call.args[1] if call.args else call
            raise self.fail(where, f"{name}() takes exactly one argument ({len(call.args)} given)")

    def plan_call(self, call: ast.Call) -> _Plan:
        func = call.func
        if isinstance(func, ast.Name):
            ops = self.src.chains.get(self.src.node_col(call)) if func.id == _CHAIN else None
            if ops is not None:
                for symbol, line, column in ops:
                    if _CHAIN_OPS[symbol] is None:
                        raise ParseError(f"{symbol!r} is not supported", line, column)
                return ("chain", [_CHAIN_OPS[symbol] for symbol, _, _ in ops], list(call.args))
            if func.id == "Value":
                return ("const", self.value_call(call), [])
            if func.id in self.library or (self.scope is not None and func.id == self.scope.name):
                return self.plan_function_call(call, func.id)
            if func.id not in FUNCTIONS:
                raise self.fail(func, f"unknown function {func.id!r}")
            name = func.id
        elif isinstance(func, ast.Attribute):
            owner = func.value
            if isinstance(owner, ast.Name) and owner.id in MODULE_PREFIXES:
                name = f"{owner.id}.{func.attr}"
                if func.attr not in FUNCTIONS:
                    raise self.fail(func, f"unknown function {name!r}")
            elif func.attr in FUNCTIONS:  # x.tanh()
                if call.args or call.keywords:
                    raise self.fail((call.args or call.keywords)[0], f".{func.attr}() takes no arguments")
                return ("op", func.attr, [owner])
            elif func.attr == "backward":
                raise self.fail(func, "backward() must be a statement of its own, like 'loss.backward()'")
            elif isinstance(owner, ast.Name):
                raise self.fail(func, f"unknown function {owner.id + '.' + func.attr!r}")
            else:
                where = self.src.before_end(func, len(func.attr))
                raise ParseError(f"unknown method '.{func.attr}()'", *where)
        else:
            raise self.fail(call, f"only these functions can be called: {', '.join(FUNCTIONS)}")
        if call.keywords:
            raise self.fail(call.keywords[0], f"{name}() takes no keyword arguments")
        self.check_one_argument(call, name)
        return ("op", func.attr if isinstance(func, ast.Attribute) else name, [call.args[0]])

    # -------------------------------------------------------------------- functions
    def define(
        self, header: _Definition, expression: ast.expr, prelude: list[ast.Assign] | None = None
    ) -> None:
        """``g(x) = body``: the body becomes a graph of its own, added to the library."""
        name, line, column = header.name, header.line, header.column
        if name in self.library:
            first = self.library[name][1]
            raise ParseError(
                f"{name!r} is already defined on line {first}; define a function once", line, column
            )
        if name in _RESERVED:
            raise ParseError(f"{name!r} is a built-in function and cannot be redefined", line, column)
        problem = self.name_problem(name) or (
            f"{name!r} already names a value" if name in self.bindings else None
        )
        if problem:
            raise ParseError(problem, line, column)
        if not header.params:
            raise ParseError(f"a function needs a parameter, like '{name}(x) = ...'", line, column)
        body = _Builder(self.src, self.default, self.module, None, taken=self.taken)
        body.library, body.scope = self.library, header
        for param, pline, pcolumn in header.params:
            problem = (
                self.name_problem(param)
                or (f"{param!r} appears twice" if param in body.bindings else None)
                or (f"{param!r} cannot be both the function and a parameter" if param == name else None)
            )
            if problem:
                raise ParseError(problem, pline, pcolumn)
            body.new_input(param, pline, pcolumn)
        for st in prelude or ():
            body.assign(st)
        body.graph.set_output(body.expr(expression))
        try:
            function = Function(name, [p[0] for p in header.params], body.graph)
            self.graph.add_function(function)
        except FunctionError as exc:
            raise ParseError(str(exc), line, column) from None
        self.library[name] = (function, line)

    def python_definition(self, st: ast.FunctionDef) -> tuple[_Definition, ast.expr, list[ast.Assign]]:
        """``def g(x): return 2 * x + 1`` (as code export writes it): header, result, assignments.

        Only plain parameters, then assignments and one ``return`` (after an optional
        docstring); the one decorator allowed is ``@Value.function``, which the exported
        script defines.
        """
        for decorator in st.decorator_list:
            is_ours = (
                isinstance(decorator, ast.Attribute)
                and decorator.attr == "function"
                and isinstance(decorator.value, ast.Name)
                and decorator.value.id == "Value"
            )
            if not is_ours:
                raise self.fail(decorator, "only @Value.function may decorate a function")
        args = st.args
        extra = [*args.posonlyargs, *args.kwonlyargs, *[a for a in (args.vararg, args.kwarg) if a]]
        if extra or args.defaults:
            raise self.fail(st, f"{st.name}() may only have plain parameters, like 'def {st.name}(x):'")
        for arg in args.args:
            if arg.annotation is not None:
                raise self.fail(arg.annotation, "annotations are not supported")
        body = list(st.body)
        first = body[0] if body else None
        if (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        ):
            body = body[1:]
        *prelude, last = body or [st]
        for line in prelude:
            if not isinstance(line, ast.Assign):
                raise self.fail(line, "a function body is assignments and one 'return expression'")
        if not isinstance(last, ast.Return) or last.value is None:
            raise self.fail(last, "a function body ends with 'return expression'")
        params = [(arg.arg, *self.src.at(arg)) for arg in args.args]
        assigns = [line for line in prelude if isinstance(line, ast.Assign)]
        return _Definition(st.name, params, *self.src.at(st)), last.value, assigns

    def function_name_problem(self, name: str) -> str | None:
        """Why an unbound ``name`` cannot be read here, where functions make it special."""
        owner = next((f.name for f, _ in self.library.values() if name in f.parameters), None)
        if self.scope is not None and name not in _RESERVED:
            scope = self.scope.name
            if name == scope:
                return f"{name!r} cannot use itself: recursion is not supported"
            if name in self.library:
                return f"{name!r} is a function; call it, like {name}(...)"
            if owner is not None:
                return f"{name!r} is a parameter of {owner}, not of {scope}"
            params = ", ".join(p[0] for p in self.scope.params)
            return f"{name!r} is not a parameter of {scope}; a function uses only its parameters ({params})"
        if name in self.library:
            return f"{name!r} is a function; call it, like {name}(x)"
        return None

    def plan_function_call(self, call: ast.Call, name: str) -> _Plan:
        if self.scope is not None and name == self.scope.name:
            raise self.fail(call.func, f"{name!r} cannot call itself: recursion is not supported")
        function = self.library[name][0]
        if call.keywords:
            raise self.fail(call.keywords[0], f"{name}() takes no keyword arguments")
        for arg in call.args:
            if isinstance(arg, ast.Starred):
                raise self.fail(arg, "starred arguments are not supported")
        n, given = len(function.parameters), len(call.args)
        if given != n:
            where = call.args[n] if given > n else call
            plural = "argument" if n == 1 else "arguments"
            raise self.fail(where, f"{name}() takes {n} {plural} ({given} given)")
        return ("call", name, list(call.args))

    def call(self, where: ast.expr, name: str, operands: list[str]) -> str:
        """A node that calls ``name``; at top level it is named after the function if free."""
        if len(self.graph) >= MAX_NODES:
            raise self.fail(where, f"the graph would have more than {MAX_NODES} nodes")
        node = self.graph.add_call(self.library[name][0])
        for slot, source in enumerate(operands):
            self.graph.connect(source, node.id, slot)
        if self.scope is None and not self.graph.has_name(name):
            self.graph.rename(node.id, name)
        return node.id


def _desugar_augmented(st: ast.AugAssign, parser: _Builder) -> ast.Assign:
    """``c += e`` is ``c = c + e``, as micrograd's README writes it; the new node takes the name."""
    if not isinstance(st.target, ast.Name):
        raise parser.fail(st.target, "augmented assignment needs a name on the left, like 'c += 1'")
    read = ast.copy_location(ast.Name(id=st.target.id, ctx=ast.Load()), st.target)
    combined = ast.copy_location(ast.BinOp(left=read, op=st.op, right=st.value), st)
    store = ast.copy_location(ast.Name(id=st.target.id, ctx=ast.Store()), st.target)
    return ast.copy_location(ast.Assign(targets=[store], value=combined), st)
