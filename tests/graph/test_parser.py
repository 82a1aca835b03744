"""Tests for explorer.graph.parser: graphs built from text, refusals with positions, fuzzing.

Structures are compared against graphs written out by hand; numbers against hand-derived
values (the lesson program, ``(2x+1)²``, Karpathy's tanh neuron) and against sympy
derivatives built independently of the parser.
"""

from __future__ import annotations

import itertools
import math
import pickle
import random
from collections.abc import Callable
from typing import Any

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.graph.engine import evaluate
from explorer.graph.model import Graph, GraphError
from explorer.graph.parser import MAX_NODES, MAX_TEXT_LENGTH, ParseError, parse

Shape = list[tuple[str, str, float, list[str]]]


def shape(graph: Graph) -> Shape:
    """(op, name, value, operand names-or-ids) per node, in insertion order."""
    label = {n.id: n.label for n in graph}
    return [(n.op, n.name, n.value, [label[s] for s in n.operands if s is not None]) for n in graph]


def out(graph: Graph) -> str:
    assert graph.output is not None
    return graph.node(graph.output).label


def assert_well_formed(graph: Graph) -> None:
    names = [n.name for n in graph if n.name]
    assert len(names) == len(set(names))
    assert all(s is not None for n in graph for s in n.operands)
    assert graph.output is not None and graph.output in graph
    assert len(graph) <= MAX_NODES


# ------------------------------------------------------------------------------ structure
def test_lesson_program() -> None:
    g = parse("a = 2.0; b = 3.0; c = a * b; d = c + 1; loss = d**2")
    assert [n.name for n in g if n.name] == ["a", "b", "c", "d", "loss"]
    assert out(g) == "loss"
    assert g.find("a").op == "input" and g.find("a").value == 2.0
    assert g.find("b").op == "input" and g.find("b").value == 3.0
    assert shape(g)[2:] == [
        ("mul", "c", 0.0, ["a", "b"]),
        ("const", "", 1.0, []),
        ("add", "d", 0.0, ["c", "n4"]),
        ("const", "", 2.0, []),
        ("pow", "loss", 0.0, ["d", "n6"]),
    ]
    assert_well_formed(g)


def test_expression_free_names_become_inputs_named_out() -> None:
    g = parse("(2*x+1)**2", default_input_value=3.0)
    assert shape(g) == [
        ("const", "", 2.0, []),
        ("input", "x", 3.0, []),
        ("mul", "", 0.0, ["n1", "x"]),
        ("const", "", 1.0, []),
        ("add", "", 0.0, ["n3", "n4"]),
        ("const", "", 2.0, []),
        ("pow", "out", 0.0, ["n5", "n6"]),
    ]
    assert out(g) == "out"


def test_inputs_in_order_of_first_appearance_and_default_value() -> None:
    g = parse("tanh(w*x + b) + w", default_input_value=0.5)
    assert [(n.name, n.value) for n in g.inputs()] == [("w", 0.5), ("x", 0.5), ("b", 0.5)]
    assert g.node(g.output).op == "add"


def test_constants_are_one_node_per_occurrence_and_never_folded() -> None:
    g = parse("2*x + 2")
    assert [n.value for n in g if n.op == "const"] == [2.0, 2.0]
    g = parse("9**9**9**9")
    assert [n.op for n in g] == ["const"] * 4 + ["pow"] * 3
    top = g.node(g.output)
    assert g.node(top.operands[1]).op == "pow"  # right-associative: 9**(9**(9**9))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-3", [("const", "out", -3.0, [])]),
        ("-x", [("input", "x", 1.0, []), ("neg", "out", 0.0, ["x"])]),
        ("+x", [("input", "x", 1.0, [])]),
        ("x - 3", [("input", "x", 1.0, []), ("const", "", 3.0, []), ("sub", "out", 0.0, ["x", "n2"])]),
        ("x * -3", [("input", "x", 1.0, []), ("const", "", -3.0, []), ("mul", "out", 0.0, ["x", "n2"])]),
        ("-3 ** 2", [("const", "", 3.0, []), ("const", "", 2.0, []), ("pow", "", 0.0, ["n1", "n2"]),
                     ("neg", "out", 0.0, ["n3"])]),
        ("x ** y", [("input", "x", 1.0, []), ("input", "y", 1.0, []), ("pow", "out", 0.0, ["x", "y"])]),
        ("Value(2.5) * x", [("const", "", 2.5, []), ("input", "x", 1.0, []),
                            ("mul", "out", 0.0, ["n1", "x"])]),
    ],
)  # fmt: skip
def test_unary_and_literal_rules(text: str, expected: Shape) -> None:
    assert shape(parse(text)) == expected


@pytest.mark.parametrize("fn", ["exp", "log", "sqrt", "relu", "tanh", "sigmoid", "sin", "cos", "abs"])
def test_every_function_as_call_method_and_prefixed(fn: str) -> None:
    expected = [("input", "x", 1.0, []), (fn, "out", 0.0, ["x"])]
    for text in (f"{fn}(x)", f"x.{fn}()", f"math.{fn}(x)", f"np.{fn}(x)", f"numpy.{fn}(x)"):
        assert shape(parse(text)) == expected, text


def test_binary_ops_map_to_op_names() -> None:
    for symbol, op in [("+", "add"), ("-", "sub"), ("*", "mul"), ("/", "div"), ("**", "pow")]:
        g = parse(f"a {symbol} b")
        assert shape(g)[-1] == (op, "out", 0.0, ["a", "b"])


def test_method_chain() -> None:
    g = parse("exp(x).tanh().relu()")
    assert [n.op for n in g] == ["input", "exp", "tanh", "relu"]
    assert out(g) == "out"


@pytest.mark.parametrize(
    ("typed", "plain"),
    [
        ("(2x+1)²", "(2*x+1)**2"),
        ("2x·y", "2*x*y"),
        ("x × y", "x * y"),
        ("x ⋅ y", "x * y"),
        ("x − y", "x - y"),
        ("x ÷ y", "x / y"),
        ("x³ + x²", "x**3 + x**2"),
        ("x⁻¹", "x**-1"),
        ("x^2", "x**2"),
        ("3(x+1)", "3*(x+1)"),
        ("2exp(x)", "2*exp(x)"),
        ("0.5x + 1e3y", "0.5*x + 1e3*y"),
        ("x²y", "x**2*y"),
        ("    x + 1", "x + 1"),
        ("\ufeffx + 1", "x + 1"),
    ],
)
def test_lesson_typography(typed: str, plain: str) -> None:
    assert shape(parse(typed)) == shape(parse(plain))


def test_identifiers_with_digits_are_not_split() -> None:
    assert [n.name for n in parse("x2 + y1z").inputs()] == ["x2", "y1z"]


def test_definition_line() -> None:
    g = parse("h(x) = (2x+1)²")
    assert out(g) == "h"
    assert [n.name for n in g.inputs()] == ["x"]
    assert [op for op, *_ in shape(g)] == ["input", "const", "mul", "const", "add", "const", "pow"]
    g = parse("f(y, x) = x*y + k")
    assert [n.name for n in g.inputs()] == ["y", "x", "k"]
    assert out(g) == "f"
    g = parse("f(x, unused) = x")  # the output is the input itself and keeps its name
    assert out(g) == "x" and [n.name for n in g] == ["x", "unused"]


def test_output_name_avoids_an_input_called_out() -> None:
    g = parse("out * 2")
    assert out(g) == "out_1" and g.find("out").op == "input"


def test_reassignment_renames_the_earlier_node() -> None:
    g = parse("x = 1\nx = x * 2\nx = x + 1")
    assert [n.name for n in g if n.name] == ["x_1", "x_2", "x"]
    assert g.find("x").op == "add" and g.find("x_1").op == "input"
    assert out(g) == "x"
    g = parse("x = 1; x_1 = 5; x = x * x_1")  # x_1 is the user's: the old x becomes x_2
    assert g.find("x_2").value == 1.0 and g.find("x_1").value == 5.0
    assert shape(g)[-1] == ("mul", "x", 0.0, ["x_2", "x_1"])


def test_alias_binds_without_a_new_node() -> None:
    g = parse("a = 2; b = a; c = +b")
    assert len(g) == 1 and out(g) == "a"
    g = parse("a = 2; b = a; a = 5; c = b * a")
    assert shape(g)[-1] == ("mul", "c", 0.0, ["a_1", "a"])


def test_inputs_from_numbers_and_value() -> None:
    g = parse("a = 3\nb = -2.5\nc = +1\nd = Value(4.0)\ne = Value(-1, label='e')\nf = a*b*c*d*e")
    assert [(n.name, n.op, n.value) for n in g.inputs()] == [
        ("a", "input", 3.0), ("b", "input", -2.5), ("c", "input", 1.0), ("d", "input", 4.0),
        ("e", "input", -1.0),
    ]  # fmt: skip
    g = parse("x = --3")  # not a number literal: an expression
    assert shape(g) == [("const", "", -3.0, []), ("neg", "x", 0.0, ["n1"])]


MICROGRAD = """
from micrograd.engine import Value

# inputs x1, x2 and weights w1, w2 of a neuron
x1 = Value(2.0, label='x1')
x2 = Value(0.0, label='x2')
w1 = Value(-3.0, label='w1')
w2 = Value(1.0, label='w2')
b = Value(6.8813735870195432, label='b')
x1w1 = x1*w1; x2w2 = x2*w2
n = x1w1 + x2w2 + b
o = n.tanh()
o.backward()
"""


def test_micrograd_program() -> None:
    g = parse(MICROGRAD)
    assert [n.name for n in g.inputs()] == ["x1", "x2", "w1", "w2", "b"]
    assert out(g) == "o"
    assert shape(g)[5:] == [
        ("mul", "x1w1", 0.0, ["x1", "w1"]),
        ("mul", "x2w2", 0.0, ["x2", "w2"]),
        ("add", "", 0.0, ["x1w1", "x2w2"]),
        ("add", "n", 0.0, ["n8", "b"]),
        ("tanh", "o", 0.0, ["n"]),
    ]


def test_backward_marks_the_output_wherever_it_is() -> None:
    g = parse("a = 2\nb = a * 3\nb.backward()\nc = b + 1")
    assert out(g) == "b"


def test_accepted_imports() -> None:
    lines = ["from micrograd.engine import Value", "from micrograd import Value", "import micrograd"]
    lines += ["import micrograd.engine", "import math", "import numpy as np", "from . import Value"]
    for line in lines:
        assert out(parse(f"{line}\na = 1\nb = a * 2")) == "b"


def test_multiline_and_comments_and_crlf() -> None:
    g = parse("a = 1  # first\r\nb = (a +\r\n     2)\r\n")
    assert shape(g)[-1] == ("add", "b", 0.0, ["a", "n2"])


# ------------------------------------------------------------------------------ refusals
REFUSALS = [
    ("", 1, 1, "the text is empty"),
    ("  \n # only a comment\n", 1, 1, "the text is empty"),
    ("from micrograd.engine import Value", 1, 1, "no output"),
    ("x\0", 1, 2, "NUL"),
    ("__import__('os')", 1, 1, "unknown function '__import__'"),
    ("y = 2\nz = foo(y)", 2, 5, "unknown function 'foo'"),
    ("print(x)", 1, 1, "unknown function 'print'"),
    ("a = 2\nprint(a)", 2, 1, "unknown function 'print'"),
    ("sum(x for x in y)", 1, 1, "unknown function 'sum'"),
    ("x.__class__", 1, 3, "attribute access '.__class__'"),
    ("a = 1\nb = a.data", 2, 7, "attribute access '.data'"),
    ("os.system('ls')", 1, 1, "unknown function 'os.system'"),
    ("math.foo(x)", 1, 1, "unknown function 'math.foo'"),
    ("(x + 1).foo()", 1, 9, "unknown method '.foo()'"),
    ("lambda x: x", 1, 1, "lambda"),
    ("[x for x in y]", 1, 1, "comprehensions"),
    ("(x for x in y)", 1, 1, "comprehensions"),
    ("x[0]", 1, 1, "subscripts"),
    ("f'{x}'", 1, 1, "f-strings"),
    ("y = 'abc'", 1, 5, "strings"),
    ("x if y else z", 1, 1, "conditional"),
    ("x < y", 1, 1, "comparisons"),
    ("x and y", 1, 1, "'and'"),
    ("x or y", 1, 1, "'or'"),
    ("not x", 1, 1, "'not'"),
    ("~x", 1, 1, "'~'"),
    ("x % 2", 1, 3, "'%'"),
    ("x // 2", 1, 3, "'//'"),
    ("x @ y", 1, 3, "'@'"),
    ("x | y", 1, 3, "'|'"),
    ("a = 1\nb = a\nc = b % a", 3, 7, "'%'"),
    ("x²·y % 2", 1, 6, "'%'"),
    ("exp(x=1)", 1, 5, "keyword"),
    ("Value(2.0, lbl='a')", 1, 12, "keyword argument 'lbl'"),
    ("Value(2.0, label=x)", 1, 18, "label"),
    ("exp(*xs)", 1, 5, "starred"),
    ("exp()", 1, 1, "exp() takes exactly one argument (0 given)"),
    ("exp(x, y)", 1, 8, "exp() takes exactly one argument (2 given)"),
    ("math.exp()", 1, 1, "math.exp() takes exactly one argument (0 given)"),
    ("x.exp(1)", 1, 7, ".exp() takes no arguments"),
    ("Value()", 1, 1, "Value() takes exactly one argument (0 given)"),
    ("Value(1, 2)", 1, 10, "(2 given)"),
    ("Value(x)", 1, 7, "takes a number"),
    ("Value(Value(2))", 1, 7, "takes a number"),
    ("a = 1\na.b += 1", 2, 1, "augmented assignment needs a name"),
    ("a = 1\na %= 2", 2, 3, "'%' is not supported"),
    ("a, b = 1, 2", 1, 1, "assigning to a tuple"),
    ("a = 1\na.grad = 0.0", 2, 1, "assigning to an attribute"),
    ("a = b = 1", 1, 5, "chained assignment"),
    ("x: float = 2.0", 1, 1, "annotated assignment"),
    ("def f(x):\n    return x", 1, 1, "only defines functions"),  # a def is a function now
    ("class A:\n    pass", 1, 1, "'class'"),
    ("for i in x:\n    pass", 1, 1, "'for'"),
    ("while x:\n    pass", 1, 1, "'while'"),
    ("if x:\n    y = 1", 1, 1, "'if'"),
    ("a = 1\ndel a", 2, 1, "'del'"),
    ("pass", 1, 1, "'pass'"),
    ("import os", 1, 8, "importing 'os'"),
    ("import micrograd as mg", 1, 8, "importing 'micrograd'"),
    ("from os import system", 1, 1, "only 'from ... import Value'"),
    ("from micrograd.engine import Value, Neuron", 1, 1, "only 'from ... import Value'"),
    ("x = True", 1, 5, "True is not a number"),
    ("x = 2j", 1, 5, "complex"),
    ("x = 1e999", 1, 5, "too large"),
    ("x = -1e999", 1, 6, "too large"),
    ("None", 1, 1, "None is not a number"),
    ("a = 1\nb = q * a\nq = 2", 2, 5, "'q' is used before it is assigned"),
    ("c += 1", 1, 1, "'c' is used before it is assigned"),
    ("q.backward()", 1, 1, "unknown name 'q'"),
    ("a = 2\nb = a.backward()", 2, 5, "backward() must be a statement of its own"),
    ("a = 2\na.backward(1)", 2, 12, "backward() takes no arguments"),
    ("a = 2\n(a + 1).backward()", 2, 2, "call backward() on a name"),
    ("x = 1; y = x; 2 * y", 1, 15, "expected an assignment"),
    ("exp = 2", 1, 1, "'exp' is a function name"),
    ("exp + 1", 1, 1, "'exp' cannot be used as a value"),
    ("__x = 1", 1, 1, "'__'"),
    ("a" * 65 + " = 1", 1, 1, "longer than 64"),
    ("h(x) =", 1, 1, "needs an expression"),
    ("h(x) = 2x\ny = h", 2, 5, "'h' is a function; call it"),  # several statements: h is a function
    ("f(x) = x\ng(y) = y", 1, 1, "only defines functions"),
    ("h(x, x) = x", 1, 6, "'x' appears twice"),
    ("h(h) = 1", 1, 3, "both the function and a parameter"),
    ("h(x) = h * x", 1, 8, "cannot be used in its own definition"),
    ("h(exp) = 1", 1, 3, "'exp' is a function name"),
    ("(2*x + 1", 1, 1, "'(' was never closed"),
    # Columns point at the typed text through typography, headers, indentation and newlines.
    ("(2x+1)² + foo(x)", 1, 11, "unknown function 'foo'"),
    ("α = 2; β = α·3 + q; q = 1", 1, 18, "'q' is used before it is assigned"),
    ("h(x) = 2x + foo(x)", 1, 13, "unknown function 'foo'"),
    ("  a = 1\n  b = q\n  q = 1", 2, 7, "'q' is used before it is assigned"),
    ("a = 1\r\nb = q\r\nq = 1", 2, 5, "'q' is used before it is assigned"),
    ("a = 1\rb = q\rq = 1", 2, 5, "'q' is used before it is assigned"),
    ("x" * (MAX_TEXT_LENGTH + 1), 1, MAX_TEXT_LENGTH + 1, "longer than 100000 characters"),
    ("a = 1\n" + "b" * MAX_TEXT_LENGTH, 2, MAX_TEXT_LENGTH - 5, "longer than 100000 characters"),
]


@pytest.mark.parametrize(
    ("text", "line", "column", "message"), REFUSALS, ids=[ascii(r[0][:30]) for r in REFUSALS]
)
def test_refusals_point_at_line_and_column(text: str, line: int, column: int, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    err = info.value
    assert (err.line, err.column) == (line, column), str(err)
    assert message in err.message
    assert str(err) == f"line {line}, column {column}: {err.message}"
    assert "\n" not in str(err)


def test_parse_error_is_a_graph_error_and_pickles() -> None:
    err = ParseError("unknown name 'foo'", 2, 7)
    assert str(err) == "line 2, column 7: unknown name 'foo'"
    assert isinstance(err, GraphError) and isinstance(err, ValueError)
    again = pickle.loads(pickle.dumps(err))
    assert (again.message, again.line, again.column, str(again)) == (err.message, 2, 7, str(err))


def test_syntax_errors_become_parse_errors() -> None:
    for text in ("x = 1 +", "1 +* 2", "x = 1\n  y = 2", "x := 1", "h(x) = = 2", "a = 1; h(x) = 2 +"):
        with pytest.raises(ParseError) as info:
            parse(text)
        assert 1 <= info.value.line <= text.count("\n") + 1


def test_too_many_nodes() -> None:
    text = "x = 1\n" + "x=x+1\n" * (MAX_NODES // 2)  # each line adds a const and an add
    with pytest.raises(ParseError) as info:
        parse(text)
    assert (info.value.line, info.value.column) == (MAX_NODES // 2 + 1, 3)
    assert f"more than {MAX_NODES} nodes" in info.value.message
    g = parse("+".join(["x"] * MAX_NODES))  # exactly the cap: one input and 19,999 adds
    assert len(g) == MAX_NODES
    with pytest.raises(ParseError, match="more than 20000 nodes"):
        parse("+".join(["x"] * (MAX_NODES + 1)))


def test_bad_default_input_value() -> None:
    with pytest.raises(ValueError, match="finite"):
        parse("x", default_input_value=math.inf)


# ------------------------------------------------------------------------------ long chains
def test_5000_term_chain() -> None:
    g = parse("+".join(["x"] * 5000))
    assert len(g) == 5000
    adds = [n for n in g if n.op == "add"]
    assert len(adds) == 4999
    x = g.find("x").id
    assert adds[0].operands == [x, x]
    # Left-associative: every add reads the previous add, exactly as Python would group it.
    assert all(b.operands == [a.id, x] for a, b in itertools.pairwise(adds))
    assert g.output == adds[-1].id and adds[-1].name == "out"


def test_long_chains_keep_operators_and_precedence() -> None:
    # Deeper than CPython builds in one go: the chains are regrouped and rebuilt.
    terms = " - ".join(["x*x/x"] * 4000)
    product = "*".join(["x"] * 3500)
    g = parse(f"x = 1\ny = tanh({terms}) + {product}")
    ops = [n.op for n in g]
    assert (ops.count("sub"), ops.count("mul"), ops.count("div"), ops.count("add")) == (
        3999,
        4000 + 3499,
        4000,
        1,
    )
    assert out(g) == "y" and g.find("y").op == "add"
    tanh = g.node(g.find("y").operands[0])
    assert tanh.op == "tanh" and g.node(tanh.operands[0]).op == "sub"
    assert evaluate(g).value == pytest.approx(math.tanh(1 - 3999) + 1)
    for text, column in [("+".join(["x"] * 3000) + " % 2", 6001), ("*".join(["x"] * 4000) + " % 2", 8001)]:
        with pytest.raises(ParseError) as info:
            parse(text)
        assert (info.value.line, info.value.column) == (1, column)
        assert info.value.message == "'%' is not supported"


def test_pathological_nesting_is_refused_cleanly() -> None:
    for text in ("-" * 5000 + "x", "x" + "**x" * 5000, "(" * 300 + "x" + ")" * 300, "not " * 3000 + "x"):
        with pytest.raises(ParseError):
            parse(text)


# ------------------------------------------------------------------------------ fuzzing
TOKENS = [
    "x", "y", "a", "2", "3.5", "1e400", "-", "+", "*", "/", "**", "(", ")", "=", ";", "\n", ".", "exp",
    "tanh", "Value", "(2.0)", "label=", "'a'", ",", "²", "⁻", "·", "×", "−", "÷", "^", " ", "\t", "h(x) =",
    "math", ".exp()", ".backward()", "import", "from", "micrograd", "%", "//", "[", "]", "{", "}", ":",
    "lambda", "if", "else", "#", "2x", "__chain__", "__chain__(", "\\", "\r", "é", "0x", "1_0", "not", "@",
    "...", "None", "True", "f'", '"', "yield", "def", "for", "in", "+=", "\x0c", "\u2028", "\ufeff", "\0",
]  # fmt: skip


def check_never_crashes(text: str) -> None:
    try:
        g = parse(text)
    except ParseError as err:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        assert 1 <= err.line <= len(lines)
        assert 1 <= err.column <= len(lines[err.line - 1]) + 1
        assert "\n" not in str(err)
    else:
        assert_well_formed(g)


def long_expression(rng: random.Random, terms: int) -> tuple[str, int | None]:
    """A long, mostly valid expression and the node count it must give (None if refused)."""
    parts: list[str] = []
    depth, nodes, refused = 0, 0, False
    for i in range(terms):
        if depth < 40 and rng.random() < 0.0002:
            opener = rng.choice(["(", "tanh("])
            parts.append(opener)
            depth += 1
            nodes += opener == "tanh("
        operand = rng.choice(["x", "y", "2", "0.5"])
        negated = rng.random() < 0.1
        if negated:  # a negative constant, or a neg node
            parts.append("-")
            nodes += operand in ("x", "y")
        parts.append(operand)
        nodes += operand not in ("x", "y")
        if depth and rng.random() < 0.0002:
            parts.append(")")
            depth -= 1
        if i < terms - 1:
            op = rng.choices(["+", "-", "*", "/", "**", "%"], [50, 30, 10, 5, 1, 0.005])[0]
            # -2**x is -(2**x): the constant is 2 and there is a neg node
            nodes += 1 + (op == "**" and negated and parts[-1] == operand and operand[0].isdigit())
            parts.append(op)
            refused |= op == "%"
    parts.append(")" * depth)
    text = "".join(parts)
    names = ("x" in parts) + ("y" in parts)
    return text, None if refused else nodes + names


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_fuzz_long_expressions(seed: int) -> None:
    # Long enough that CPython's tree builder gives up and the chain regrouping runs; the
    # node count proves no operator or operand was lost or invented on the way.
    rng = random.Random(seed)
    text, expected = long_expression(rng, rng.randint(5000, 8000))
    if expected is None:
        with pytest.raises(ParseError, match="'%' is not supported"):
            parse(text)
        return
    g = parse(text)
    assert_well_formed(g)
    assert len(g) == expected
    junk = rng.randrange(len(text))  # and a damaged copy must still fail cleanly
    check_never_crashes(
        text[:junk] + rng.choice(["(", ")", "+", "x", " ", "=", "\n", "%", "'"]) + text[junk:]
    )


# A random expression tree, rendered as text and evaluated directly: the parsed graph must
# compute the same number, with one node per operator and constant.
Tree = tuple[Any, ...]  # (leaf,) or (op, tree) or (op, tree, tree)
LEAVES = st.one_of(st.sampled_from(["x", "y", "z"]), st.sampled_from(["0.5", "2", "3.25"]))
UNARY = {"tanh": math.tanh, "sin": math.sin, "cos": math.cos, "neg": lambda v: -v}
BINARY: dict[str, Callable[[float, float], float]] = {
    "+": lambda p, q: p + q, "-": lambda p, q: p - q, "*": lambda p, q: p * q, "·": lambda p, q: p * q,
}  # fmt: skip
TREES = st.recursive(
    LEAVES.map(lambda s: (s,)),
    lambda sub: st.one_of(
        st.tuples(st.sampled_from(sorted(UNARY)), sub),
        st.tuples(st.sampled_from(sorted(BINARY)), sub, sub),
    ),
    max_leaves=25,
)
POINT = {"x": 0.3, "y": -1.1, "z": 2.0}


def render(tree: Tree) -> str:
    if len(tree) == 1:
        return tree[0]
    if len(tree) == 2:
        return f"-({render(tree[1])})" if tree[0] == "neg" else f"{tree[0]}({render(tree[1])})"
    return f"({render(tree[1])} {tree[0]} {render(tree[2])})"


def value(tree: Tree) -> float:
    if len(tree) == 1:
        return POINT[tree[0]] if tree[0] in POINT else float(tree[0])
    if len(tree) == 2:
        return UNARY[tree[0]](value(tree[1]))
    return BINARY[tree[0]](value(tree[1]), value(tree[2]))


def count(tree: Tree) -> int:
    if tree[0] == "neg" and len(tree[1]) == 1 and tree[1][0] not in POINT:
        return 1  # -(2) is the constant -2, like -2
    return (tree[0] not in POINT) + sum(count(t) for t in tree[1:])


@settings(max_examples=200, deadline=None)
@given(TREES)
def test_random_expressions_compute_what_they_say(tree: Tree) -> None:
    g = parse(render(tree))
    names = {n.name for n in g.inputs()}
    assert len(g) == count(tree) + len(names)
    ev = evaluate(g, values={k: v for k, v in POINT.items() if k in names})
    assert ev.value == pytest.approx(value(tree), rel=1e-12, abs=1e-12)


# ------------------------------------------------------------------------------ with the engine
def test_lesson_program_gradients() -> None:
    ev = evaluate(parse("a = 2.0; b = 3.0; c = a * b; d = c + 1; loss = d**2"))
    # loss = (ab + 1)²: d loss/da = 2(ab+1)·b = 42, d loss/db = 2(ab+1)·a = 28
    assert ev.value == 49.0
    assert (ev["a"].grad, ev["b"].grad, ev["c"].grad, ev["d"].grad) == (42.0, 28.0, 14.0, 14.0)


@pytest.mark.parametrize("text", ["(2*x+1)**2", "(2x+1)²", "h(x) = (2x + 1)^2"])
def test_square_of_affine(text: str) -> None:
    ev = evaluate(parse(text, default_input_value=3.0))
    assert ev.value == 49.0 and ev["x"].grad == 28.0  # 2(2x+1)·2 at x = 3


def test_micrograd_neuron_gradients() -> None:
    ev = evaluate(parse(MICROGRAD))
    # o = tanh(n) with n = 0.8814 so 1 - o² = 1/2; do/dx1 = w1/2, do/dw1 = x1/2, ...
    assert ev.value == pytest.approx(math.sqrt(0.5), rel=1e-9)
    assert ev["x1"].grad == pytest.approx(-1.5, rel=1e-9)
    assert ev["w1"].grad == pytest.approx(1.0, rel=1e-9)
    assert ev["x2"].grad == pytest.approx(0.5, rel=1e-9)
    assert ev["w2"].grad == 0.0


def test_long_chain_gradient() -> None:
    ev = evaluate(parse("x = 2\ny = " + " - ".join(["x"] * 5000)))
    assert ev.value == 2.0 - 4999 * 2.0 and ev["x"].grad == 1.0 - 4999


X, Y, W, B = sp.symbols("x y w b", real=True)
SYMPY_CASES = [
    ("x*y + sin(x)/y", X * Y + sp.sin(X) / Y),
    ("tanh(w*x + b)", sp.tanh(W * X + B)),
    ("sigmoid(x*y) * exp(-x)", sp.exp(-X) / (1 + sp.exp(-X * Y))),
    ("sqrt(x**2 + y**2) - log(x)", sp.sqrt(X**2 + Y**2) - sp.log(X)),
    ("(2x+1)² · cos(y)", (2 * X + 1) ** 2 * sp.cos(Y)),
    ("x.tanh().exp() + abs(y - 3)", sp.exp(sp.tanh(X)) + sp.Abs(Y - 3)),
    ("x ** y", X**Y),
    ("relu(x - y) + relu(y - x) * w", sp.Max(0, X - Y) + sp.Max(0, Y - X) * W),
    ("3 − x ÷ (1 + y²)", 3 - X / (1 + Y**2)),
    ("z = x*w; q = z.sigmoid(); loss = (q - y)**2", (1 / (1 + sp.exp(-X * W)) - Y) ** 2),
]
POINTS = [{X: 0.7, Y: 1.3, W: 0.4, B: -0.2}, {X: 2.5, Y: -0.6, W: -1.7, B: 0.9}]


@pytest.mark.parametrize(("text", "expr"), SYMPY_CASES, ids=[c[0] for c in SYMPY_CASES])
def test_against_sympy(text: str, expr: sp.Expr) -> None:
    if "=" in text:  # a program: give the free symbols as inputs first
        text = "x = 1; y = 1; w = 1\n" + text
    g = parse(text)
    names = {n.name for n in g.inputs()}
    for point in POINTS:
        values = {str(s): v for s, v in point.items() if str(s) in names}
        ev = evaluate(g, values=values)
        assert ev.value == pytest.approx(float(expr.subs(point)), rel=1e-10)
        for name in names:
            symbol = sp.Symbol(name, real=True)
            expected = float(sp.diff(expr, symbol).subs(point))
            assert ev[name].grad == pytest.approx(expected, rel=1e-9, abs=1e-12), name


MICROGRAD_README = """
from micrograd.engine import Value

a = Value(-4.0)
b = Value(2.0)
c = a + b
d = a * b + b**3
c += c + 1
c += 1 + c + (-a)
d += d * 2 + (b + a).relu()
d += 3 * d + (b - a).relu()
e = c - d
f = e**2
g = f / 2.0
g += 10.0 / f
g.backward()
"""


def test_micrograd_readme_program_with_augmented_assignment() -> None:
    # micrograd's README prints 24.7041, 138.8338 and 645.5773 for this program.
    g = parse(MICROGRAD_README)
    ev = evaluate(g)
    assert ev.value == pytest.approx(24.7041, abs=5e-5)
    assert ev["a"].grad == pytest.approx(138.8338, abs=5e-5)
    assert ev["b"].grad == pytest.approx(645.5773, abs=5e-5)
    assert g.find("g").id == ev.output and g.find("c_1").op == "add"


def test_exported_script_parses_as_its_graph_block() -> None:
    script = (
        "import math\n\nclass Value:\n    def __init__(self, data):\n        self.data = data\n\n"
        "# --- graph ---\na = Value(2.0)\nb = Value(3.0)\nc = a * b\nd = c + 1\nloss = d**2\n"
        "loss.backward()\n# --- end graph ---\n\nprint(a.grad)\n"
    )
    ev = evaluate(parse(script))
    assert (ev.value, ev["a"].grad, ev["b"].grad) == (49.0, 42.0, 28.0)
    with pytest.raises(ParseError) as info:
        parse(script.replace("c = a * b", "c = a * d"))  # d is assigned on the next line
    assert (info.value.line, info.value.column) == (10, 9)


def test_program_free_names_become_inputs_like_expressions() -> None:
    """Issue 12 item 4: the lesson's own program, with x never assigned."""
    graph = parse("g = 2*x + 1; h = g**2", default_input_value=1.0)
    x = graph.find("x")
    assert x is not None and x.op == "input" and x.value == 1.0
    assert graph.node(graph.output).name == "h"
    ev = evaluate(graph, values={"x": 3.0})
    assert ev.value == 49.0 and ev.grad_of(x.id) == 28.0  # 2·(2x+1)·2 at x = 3, by hand
    log_graph = parse("y = log(x - 2)", default_input_value=5.0)
    assert evaluate(log_graph).value == pytest.approx(math.log(3.0))
    # A name read twice is one input; an assigned name read later is the assigned node.
    twice = parse("a = x * x; b = a + x")
    assert [n.name for n in twice.inputs()] == ["x"]
