"""The engine every exported script starts with: a tiny ``Value`` class and its float helpers.

:data:`VALUE_CLASS` is Python *source text*, written into the script verbatim by
:func:`explorer.io.code_export.export_python`; it is never run here. A ``Value`` remembers
its operands and its *local* derivatives, and ``backward()`` multiplies and sums them along
every edge. Each op is the same float formula as :mod:`explorer.graph.ops` (``math.pow``,
the two-branch sigmoid, ``1/b`` then times the upstream gradient, ...), with the same rule
that a domain problem or an overflow makes a node undefined (NaN) downstream, so the
script prints the app's numbers to the last bit.

Part of the code export (:mod:`explorer.io.code_export` is its public face). Imports:
nothing.
"""

VALUE_CLASS = '''\
import math

NAN = math.nan


class Value:
    """A number that remembers how it was made: its operands and the local derivatives.

    Each operation knows only its own local derivative (d(a*b)/da = b); backward() uses
    the chain rule to combine them: multiply along every path, add over paths.
    A domain problem (log of 0, 1/0, ...) or an overflow makes a value undefined (nan).
    """

    created = 0  # creation order is a topological order: backward() walks it newest first

    def __init__(self, data, children=(), local_grads=(), label=""):
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self._children = children
        self._local_grads = local_grads
        Value.created += 1
        self._order = Value.created

    def __repr__(self):
        return f"Value(data={self.data!r}, grad={self.grad!r})"

    def _op(self, forward, local, *others):
        children = (self, *(o if isinstance(o, Value) else Value(o) for o in others))
        args = tuple(c.data for c in children)
        if any(a != a for a in args):  # an undefined operand: undefined here too
            return Value(NAN, children, (NAN,) * len(args))
        try:
            out = forward(*args)
        except (ArithmeticError, ValueError):
            out = NAN
        if out - out != 0.0:  # nan or inf
            return Value(NAN, children, (NAN,) * len(args))
        grads = tuple(d if d - d == 0.0 else NAN for d in local(args, out))
        return Value(out, children, grads)

    def __add__(self, other):
        return self._op(lambda a, b: a + b, lambda args, out: (1.0, 1.0), other)

    def __radd__(self, other):
        return Value(other) + self

    def __sub__(self, other):
        return self._op(lambda a, b: a - b, lambda args, out: (1.0, -1.0), other)

    def __rsub__(self, other):
        return Value(other) - self

    def __mul__(self, other):
        return self._op(lambda a, b: a * b, lambda args, out: (args[1], args[0]), other)

    def __rmul__(self, other):
        return Value(other) * self

    def __truediv__(self, other):
        return self._op(_div, lambda args, out: (1.0 / args[1], -out / args[1]), other)

    def __rtruediv__(self, other):
        return Value(other) / self

    def __pow__(self, other):
        return self._op(_pow, _pow_local, other)

    def __rpow__(self, other):
        return Value(other) ** self

    def __neg__(self):
        return self._op(lambda a: -a, lambda args, out: (-1.0,))

    def exp(self):
        return self._op(math.exp, lambda args, out: (out,))

    def log(self):
        return self._op(_log, lambda args, out: (1.0 / args[0],))

    def sqrt(self):
        return self._op(_sqrt, lambda args, out: (0.5 / out if out > 0.0 else NAN,))

    def relu(self):
        return self._op(lambda a: a if a > 0.0 else 0.0, lambda args, out: (1.0 if args[0] > 0.0 else 0.0,))

    def tanh(self):
        return self._op(math.tanh, lambda args, out: (1.0 - out * out,))

    def sigmoid(self):
        return self._op(_sigmoid, lambda args, out: (out * (1.0 - out),))

    def sin(self):
        return self._op(math.sin, lambda args, out: (math.cos(args[0]),))

    def cos(self):
        return self._op(math.cos, lambda args, out: (-math.sin(args[0]),))

    def abs(self):
        return self._op(abs, lambda args, out: (1.0 if args[0] > 0.0 else (-1.0 if args[0] < 0.0 else 0.0),))

    @staticmethod
    def function(body):
        """A user-defined function as one operation whose local derivatives come from its body.

        Each call runs the body on fresh copies of the arguments; backward() inside the body
        gives d(result)/d(parameter) for each parameter, and the call becomes one Value with
        those local derivatives. (Called plainly, the body would be inlined instead.)
        """

        def call(*args):
            args = tuple(a if isinstance(a, Value) else Value(a) for a in args)
            params = tuple(Value(a.data) for a in args)
            out = body(*params)
            out = out if isinstance(out, Value) else Value(out)
            out.backward()
            return Value(out.data, args, tuple(p.grad for p in params))

        call.__name__ = body.__name__
        return call

    def backward(self):
        """d(self)/d(node) into node.grad for every node self depends on."""
        nodes, stack, seen = [], [self], {id(self)}
        while stack:  # every node self depends on (a loop: deep graphs need no recursion)
            node = stack.pop()
            nodes.append(node)
            for child in node._children:
                if id(child) not in seen:
                    seen.add(id(child))
                    stack.append(child)
        nodes.sort(key=lambda node: node._order, reverse=True)  # consumers before operands
        self.grad = 1.0
        for node in nodes:
            for child, local in zip(node._children, node._local_grads):
                child.grad += node.grad * local  # upstream x local, summed over paths


def _div(a, b):
    if b == 0.0:
        raise ZeroDivisionError("division by zero")
    return a / b


def _pow(a, b):
    if a < 0.0 and not b.is_integer():
        raise ValueError("negative base to a non-integer power")
    if a == 0.0 and b < 0.0:
        raise ZeroDivisionError("zero to a negative power")
    return math.pow(a, b)


def _pow_local(args, out):
    a, b = args
    if b == 0.0:
        d_base = 0.0
    else:
        try:
            d_base = b * math.pow(a, b - 1.0)
        except (ValueError, ZeroDivisionError, OverflowError):
            d_base = NAN
    if a > 0.0:
        d_exp = out * math.log(a)
    elif a == 0.0 and b > 0.0:
        d_exp = 0.0
    else:
        d_exp = NAN
    return d_base, d_exp


def _log(a):
    if a <= 0.0:
        raise ValueError("log of a non-positive number")
    return math.log(a)


def _sqrt(a):
    if a < 0.0:
        raise ValueError("square root of a negative number")
    return math.sqrt(a)


def _sigmoid(a):
    if a >= 0.0:  # two branches, so that exp() cannot overflow
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def report(output, name, inputs):
    """The output's value, then each input's value and gradient d(output)/d(input)."""

    def show(x):
        return "undefined" if x != x else repr(x)

    defined = output.data == output.data  # an undefined output has no slope at all
    print(f"{name} = {show(output.data)}")
    for label, value in inputs:
        grad = value.grad if defined else NAN
        print(f"{label} = {show(value.data)}    d{name}/d{label} = {show(grad)}")
'''
