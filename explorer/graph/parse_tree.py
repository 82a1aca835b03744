"""The text to a syntax tree, even when CPython's recursion gives out on long chains.

CPython builds its syntax tree recursively, so a flat chain ``x+x+...`` of a few thousand
terms exceeds the recursion limit. When that happens the tokenizer finds the long ``+ -``
and ``* /`` chains and regroups each into one marker call (:data:`CHAIN`) whose arguments are
the operands, keeping the operators on the side (``Source.chains``); the expression walker
rebuilds the same left-to-right chain of nodes from it.

Part of the parser (:mod:`explorer.graph.parser` is its public face). Imports: standard
library and the parser's text module only.
"""

from __future__ import annotations

import ast
import io
import keyword
import tokenize
import warnings
from dataclasses import dataclass, field

from explorer.graph.parse_text import Operators, ParseError, Pos, Source

CHAIN = "__chain__"
_CHAIN_MIN = 8
_SUM_OPS = {"+": "add", "-": "sub"}
_PRODUCT_OPS: dict[str, str | None] = {"*": "mul", "/": "div", "%": None, "//": None, "@": None}
CHAIN_OPS = {**_SUM_OPS, **_PRODUCT_OPS}
_INNER_OPS = {"**", ".", "~", *CHAIN_OPS}  # unary here, or binding tighter than a chain
_ATOMS = {tokenize.NAME, tokenize.NUMBER, tokenize.STRING}


@dataclass(slots=True)
class _Run:
    """Tokens at one bracket depth between two delimiters, for the chain regrouping."""

    start: Pos | None = None
    end: Pos = (0, 0)
    sum_ops: list[tokenize.TokenInfo] = field(default_factory=list)
    segments: list[tuple[Pos, Pos, list[tokenize.TokenInfo]]] = field(default_factory=list)
    seg_start: Pos | None = None
    seg_ops: list[tokenize.TokenInfo] = field(default_factory=list)

    def member(self, tok: tokenize.TokenInfo) -> None:
        self.start = self.start or tok.start
        self.seg_start = self.seg_start or tok.start
        self.end = tok.end

    def end_segment(self) -> None:
        if self.seg_start is not None:
            self.segments.append((self.seg_start, self.end, self.seg_ops))
        self.seg_start, self.seg_ops = None, []


def parse_tree(source: Source) -> ast.Module:
    """The syntax tree of ``source``; long chains are regrouped if CPython's recursion gives out."""
    for attempt in range(2):
        try:
            with warnings.catch_warnings():
                # `1if x` and the like only warn; what follows is refused more clearly.
                warnings.simplefilter("ignore")
                return ast.parse("\n".join(source.lines))
        except SyntaxError as exc:
            message = (exc.msg or "").strip().partition("\n")[0] or "invalid syntax"
            if "Exceeds the limit" in message:
                message = "the number is too large"
            if (exc.lineno or 0) > len(source.lines) or not exc.lineno:
                raise ParseError(message, *source.where(len(source.lines), len(source.lines[-1]))) from None
            raise ParseError(message, *source.where(exc.lineno, (exc.offset or 1) - 1)) from None
        except (RecursionError, MemoryError):
            if attempt or not _regroup_chains(source):
                break
    raise ParseError("the expression is nested too deeply to parse", 1, 1)


def _regroup_chains(source: Source) -> bool:
    """Rewrite long ``+ -`` and ``* /`` chains as marker calls; False if there are none."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO("\n".join(source.lines)).readline))
    except (tokenize.TokenError, SyntaxError):
        return False
    if any(tokenize.tok_name[tok.type].startswith("FSTRING") for tok in tokens):
        return False
    inserts: dict[Pos, list[tuple[int, int, str, Operators | None]]] = {}
    commas: list[tokenize.TokenInfo] = []

    def close(run: _Run) -> None:
        run.end_segment()
        chains = [(start, end, ops, 1) for start, end, ops in run.segments]
        if run.start is not None:
            chains.append((run.start, run.end, run.sum_ops, 0))
        for start, end, ops, order in chains:
            if len(ops) >= _CHAIN_MIN:  # sums open before and close after products
                where = [(tok.string, *source.where(*tok.start)) for tok in ops]
                inserts.setdefault(start, []).append((order, len(commas), CHAIN + "(", where))
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
        row: list(source.lines[row - 1]) for row in {t.start[0] for t in commas} | {r for r, _ in inserts}
    }
    for tok in commas:
        (row, col), (_, end) = tok.start, tok.end
        rows[row][col:end] = list("," + " " * (end - col - 1))  # same width: columns stay put
    for row, chars in rows.items():
        old, out, cols = source.cols[row - 1], list[str](), list[int]()
        for col in range(len(chars) + 1):
            for _order, _seq, text, ops in sorted(inserts.get((row, col), ()), key=lambda t: t[:2]):
                if ops is not None:
                    source.chains[(row, len(out))] = ops
                out.extend(text)
                cols.extend([old[col]] * len(text))
            if col < len(chars):
                out.append(chars[col])
                cols.append(old[col])
        source.lines[row - 1], source.cols[row - 1] = "".join(out), [*cols, old[len(chars)]]
    return True
