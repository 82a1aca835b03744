"""The typed text as :mod:`ast` will read it, with the way back to what the user typed.

Lesson typography becomes Python (``·`` ``×`` → ``*``, ``−`` → ``-``, ``÷`` → ``/``, ``^`` and
superscripts → ``**``, ``2x`` → ``2*x``), a common indentation is removed, a definition
header ``h(x) =`` is taken off, and in a text of several statements each ``g(x) = ...`` header
is rewritten to ``g = lambda x:`` so that :mod:`ast` accepts it. Each line keeps a map from its
rewritten columns back to the user's, so every :class:`ParseError` points at what was typed.

Part of the parser (:mod:`explorer.graph.parser` is its public face). Imports: standard
library and the graph model only.
"""

from __future__ import annotations

import ast
import keyword
import os
import re
import tokenize
import unicodedata
from dataclasses import dataclass

from explorer.graph.model import GraphError

# Lesson typography. '·' is a legal identifier character in Python, which is why the
# identifier scanner stops at every glyph that is about to be rewritten.
_GLYPHS = {"·": "*", "⋅": "*", "∙": "*", "×": "*", "−": "-", "–": "-", "÷": "/", "^": "**"}
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+", strict=True))
_SUPER_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_NUMBER = re.compile(tokenize.Number)
_HEADER = re.compile(r"([^\W\d]\w*)[ \t]*\(([^()=#\n]*)\)[ \t]*=(?!=)[ \t]*")

Pos = tuple[int, int]
Located = ast.expr | ast.stmt | ast.alias | ast.keyword | ast.arg
Operators = list[tuple[str, int, int]]  # symbol, line, column in the typed text


class ParseError(GraphError):
    """Text the parser refuses; ``line`` and ``column`` (1-based) point into the typed text."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(f"line {line}, column {column}: {message}")
        self.message = message
        self.line = line
        self.column = column

    def __reduce__(self) -> tuple[type[ParseError], tuple[str, int, int]]:
        return (type(self), (self.message, self.line, self.column))


GRAPH_BLOCK_START = "# --- graph ---"
GRAPH_BLOCK_END = "# --- end graph ---"


def only_graph_block(text: str) -> str:
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


def place(text: str, index: int) -> Pos:
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


def _header(line: str, col: int = 0) -> tuple[re.Match[str] | None, list[str], list[str]]:
    """A header ``h(x, y) =`` at ``col``: the match, its raw parameter pieces (a trailing
    comma allowed) and their names; no match unless every name is a name."""
    match = _HEADER.match(line, col)
    pieces = match.group(2).split(",") if match else []
    if len(pieces) > 1 and not pieces[-1].strip():
        pieces.pop()
    names = [p.strip() for p in pieces]
    if not match or not all(_is_name(n) for n in [match[1], *names] if n):
        return None, [], []
    return match, pieces, names


def _is_name(text: str) -> bool:
    return text.isidentifier() and not keyword.iskeyword(text)


def char_col(line: str, byte_col: int) -> int:
    """ast counts columns in UTF-8 bytes; the user counts characters."""
    if line.isascii():
        return byte_col
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", "ignore"))


@dataclass(slots=True)
class Definition:
    name: str
    params: list[tuple[str, int, int]]  # name, line, column
    line: int
    column: int


class Source:
    """The text as :mod:`ast` sees it, with the way back to the user's columns."""

    def __init__(self, text: str) -> None:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if text.startswith("\ufeff"):  # a byte-order mark from a pasted file
            text = " " + text[1:]
        typeset = [_typeset(raw) for raw in text.split("\n")]
        self.lines = [line for line, _ in typeset]
        self.cols = [cols for _, cols in typeset]
        self.chains: dict[Pos, Operators] = {}
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

    def where(self, row: int, col: int) -> Pos:
        """1-based (line, column) in the typed text of parser row ``row``, character ``col``."""
        row = min(max(row, 1), len(self.lines))
        cols = self.cols[row - 1]
        return row, cols[min(max(col, 0), len(cols) - 1)] + 1

    def node_col(self, node: Located) -> Pos:
        """Parser (row, character column) where ``node`` starts."""
        row = min(max(node.lineno, 1), len(self.lines))
        return row, char_col(self.lines[row - 1], node.col_offset)

    def at(self, node: Located) -> Pos:
        return self.where(*self.node_col(node))

    def before_end(self, node: ast.expr, back: int) -> Pos:
        row = min(max(node.end_lineno or node.lineno, 1), len(self.lines))
        return self.where(row, char_col(self.lines[row - 1], node.end_col_offset or 0) - back)

    def take_definition(self) -> Definition | None:
        """Find and remove a header ``h(x, y) =``; only one is allowed in a text."""
        found: Definition | None = None
        for row, line in enumerate(self.lines, start=1):
            match, pieces, names = _header(line)
            if match is None:
                continue
            if found is not None:
                raise ParseError("only one definition like 'h(x) = ...' is allowed", *self.where(row, 0))
            params, col = [], match.start(2)
            for piece, name in zip(pieces, names, strict=True):
                if name:
                    where = self.where(row, col + len(piece) - len(piece.lstrip()))
                    params.append((unicodedata.normalize("NFKC", name), *where))
                col += len(piece) + 1
            found = Definition(unicodedata.normalize("NFKC", match[1]), params, *self.where(row, 0))
            self.cut(row, match.end())
        return found

    def take_functions(self) -> dict[Pos, Definition]:
        """Rewrite each header ``g(x) =`` that starts a statement into ``g = lambda x:``.

        Only in a text of two statements or more: a lone ``h(x) = ...`` stays the
        definition of the whole graph. Keys are where each rewritten statement starts.
        """
        starts: list[Pos] = []
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
        found: dict[Pos, Definition] = {}
        shift: dict[int, int] = {}  # how far earlier rewrites moved the rest of each row
        for row, start in starts:
            col = start + shift.get(row, 0)
            line = self.lines[row - 1]
            match, pieces, names = _header(line, col)
            if match is None:
                continue
            params, at = [], match.start(2)
            for piece, name in zip(pieces, names, strict=True):
                if name:
                    where = self.where(row, at + len(piece) - len(piece.lstrip()))
                    params.append((unicodedata.normalize("NFKC", name), *where))
                at += len(piece) + 1
            name = unicodedata.normalize("NFKC", match[1])
            found[(row, col)] = Definition(name, params, *self.where(row, col))
            text = f"{name} = lambda {', '.join(p[0] for p in params)}: "
            cols = self.cols[row - 1]
            self.lines[row - 1] = line[:col] + text + line[match.end() :]
            self.cols[row - 1] = cols[:col] + [cols[col]] * len(text) + cols[match.end() :]
            shift[row] = shift.get(row, 0) + len(text) - (match.end() - col)
        return found
