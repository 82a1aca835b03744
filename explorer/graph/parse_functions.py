"""User-defined functions in a program: ``g(x) = 2*x + 1`` or ``def g(x): return ...``, and their calls.

Each definition's body becomes a graph of its own (:mod:`explorer.graph.functions`), built by
a builder that shares the program's names; only lambdas made from a ``g(x) =`` header (see
:mod:`explorer.graph.parse_text`) are read as definitions. A body may use its parameters and
call functions defined before it, nothing else. A call becomes one call node.

Part of the parser (:mod:`explorer.graph.parser` is its public face). Imports: standard
library, the graph model and functions, and the parser's text and expression modules.
"""

from __future__ import annotations

import ast

from explorer.graph.functions import Function, FunctionError
from explorer.graph.parse_expressions import MAX_NODES, RESERVED, ExpressionBuilder, Plan
from explorer.graph.parse_text import Definition, ParseError


class FunctionBuilder(ExpressionBuilder):
    """The expression builder that also defines and calls user-defined functions."""

    def define(
        self, header: Definition, expression: ast.expr, prelude: list[ast.Assign] | None = None
    ) -> None:
        """``g(x) = body``: the body becomes a graph of its own, added to the library."""
        name, line, column = header.name, header.line, header.column
        if name in self.library:
            first = self.library[name][1]
            raise ParseError(
                f"{name!r} is already defined on line {first}; define a function once", line, column
            )
        if name in RESERVED:
            raise ParseError(f"{name!r} is a built-in function and cannot be redefined", line, column)
        problem = self.name_problem(name) or (
            f"{name!r} already names a value" if name in self.bindings else None
        )
        if problem:
            raise ParseError(problem, line, column)
        if not header.params:
            raise ParseError(f"a function needs a parameter, like '{name}(x) = ...'", line, column)
        body = FunctionBuilder(self.src, self.default, self.module, None, taken=self.taken)
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

    def python_definition(self, st: ast.FunctionDef) -> tuple[Definition, ast.expr, list[ast.Assign]]:
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
        return Definition(st.name, params, *self.src.at(st)), last.value, assigns

    def function_name_problem(self, name: str) -> str | None:
        """Why an unbound ``name`` cannot be read here, where functions make it special."""
        owner = next((f.name for f, _ in self.library.values() if name in f.parameters), None)
        if self.scope is not None and name not in RESERVED:
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

    def plan_function_call(self, call: ast.Call, name: str) -> Plan:
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
