"""Expressions to nodes: numbers, names, ``+ - * / **``, unary signs, the op functions and ``Value(...)``.

The syntax tree is walked by an explicit whitelist, with an explicit stack and never
recursion; everything else is refused with a :class:`ParseError` pointing at a line and column
of the text the user typed. Nothing is ever evaluated and constants are never folded:
``9**9**9**9`` is three pow nodes, and the engine reports the overflow. Names bind to nodes
here too: ``name = expression``, free names that become inputs, and the ``name_1`` renaming
when a name moves to a newer node.

Part of the parser (:mod:`explorer.graph.parser` is its public face). Imports: standard
library, the graph model and the parser's text and tree modules.
"""

from __future__ import annotations

import ast
import math
from abc import ABC, abstractmethod

from explorer.graph.functions import Function
from explorer.graph.model import MAX_NAME_LENGTH, Graph, Node
from explorer.graph.parse_text import Definition, Located, ParseError, Pos, Source, char_col
from explorer.graph.parse_tree import CHAIN, CHAIN_OPS

MAX_NODES = 20_000
FUNCTIONS = ("exp", "log", "sqrt", "relu", "tanh", "sigmoid", "sin", "cos", "abs")
MODULE_PREFIXES = ("math", "np", "numpy")

RESERVED = frozenset({*FUNCTIONS, *MODULE_PREFIXES, "Value"})
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

Plan = tuple[str, object, list[ast.expr]]  # kind, detail, operands to build first


class ExpressionBuilder(ABC):
    """Walks the syntax tree with an explicit stack and adds nodes to a fresh graph.

    Calls of user-defined functions are left to :class:`~explorer.graph.parse_functions.FunctionBuilder`.
    """

    def __init__(
        self,
        source: Source,
        default: float,
        module: ast.Module,
        definition: Definition | None,
        functions: dict[Pos, Definition] | None = None,
        taken: set[str] | None = None,
    ):
        self.src = source
        self.default = default
        self.module = module
        self.definition = definition
        self.function_headers = functions or {}
        self.library: dict[str, tuple[Function, int]] = {}  # name -> function, line defined
        self.scope: Definition | None = None  # the function whose body is being built
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

    def fail(self, node: Located, message: str) -> ParseError:
        return ParseError(message, *self.src.at(node))

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
        if name in RESERVED:
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
        if name in RESERVED:
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
        stack: list[tuple[ast.expr, Plan | None]] = [(root, None)]
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

    def plan(self, node: ast.expr) -> Plan:
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

    def operator_at(self, node: ast.BinOp, symbol: str) -> Pos:
        """Where the operator of ``node`` is in the text (the tree does not record it)."""
        row, col = node.left.end_lineno or node.lineno, node.left.end_col_offset or 0
        col = char_col(self.src.lines[row - 1], col)
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

    def plan_call(self, call: ast.Call) -> Plan:
        func = call.func
        if isinstance(func, ast.Name):
            ops = self.src.chains.get(self.src.node_col(call)) if func.id == CHAIN else None
            if ops is not None:
                for symbol, line, column in ops:
                    if CHAIN_OPS[symbol] is None:
                        raise ParseError(f"{symbol!r} is not supported", line, column)
                return ("chain", [CHAIN_OPS[symbol] for symbol, _, _ in ops], list(call.args))
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

    # -------------------------------------------------------------------- function calls
    @abstractmethod
    def function_name_problem(self, name: str) -> str | None:
        """Why an unbound ``name`` cannot be read here, where functions make it special."""

    @abstractmethod
    def plan_function_call(self, call: ast.Call, name: str) -> Plan:
        """The plan of a call of the user-defined function ``name``."""

    @abstractmethod
    def call(self, where: ast.expr, name: str, operands: list[str]) -> str:
        """A node that calls ``name``; returns its id."""
