"""The operation table: what each node kind computes and its *local* derivatives.

This is the whole of the maths an operation knows. The engine never looks inside an op:
it asks for the forward value and for the local derivative with respect to each
operand, exactly as a micrograd ``Value`` closure does, and the chain rule does the rest.

Every op exists twice, in the same table: a scalar form on Python floats (used for the
point evaluation, where per-call overhead dominates) and a vector form on NumPy arrays
(used by the compiled sweep). The two must agree; the property tests check that.

Domain problems are *reported*, never raised to the caller: the scalar form raises
:class:`DomainError` with a human reason that the engine turns into a diagnostic, and
the vector form returns NaN where the value is undefined.

Imports: standard library and NumPy only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

# NumPy ufuncs are typed loosely (they return Any); the vector forms follow suit.
Array = Any
ScalarForward = Callable[..., float]
ScalarLocal = Callable[[tuple[float, ...], float], tuple[float, ...]]
VectorForward = Callable[..., Any]
VectorLocal = Callable[..., tuple[Any, ...]]

NAN = math.nan


class DomainError(ArithmeticError):
    """An operand lies outside the op's domain; ``args[0]`` is the reason in words."""


class NumericOverflow(DomainError):
    """The result is finite in theory but too large for a float."""


@dataclass(frozen=True, slots=True)
class Op:
    """One kind of node.

    ``formulas`` are the local derivatives as a learner would write them, one per operand,
    using ``a`` and ``b`` for the operands and ``out`` for the node's own value.
    """

    name: str
    arity: int
    symbol: str
    title: str
    expression: str
    formulas: tuple[str, ...]
    forward: ScalarForward
    local: ScalarLocal
    vforward: VectorForward
    vlocal: VectorLocal
    operand_names: tuple[str, ...] = ()


def _fmt(x: float) -> str:
    return f"{x:.6g}"


# ---------------------------------------------------------------------------------------
# Scalar forward functions (math on floats; raise DomainError with a reason)


def _add(a: float, b: float) -> float:
    return a + b


def _sub(a: float, b: float) -> float:
    return a - b


def _mul(a: float, b: float) -> float:
    return a * b


def _div(a: float, b: float) -> float:
    if b == 0.0:
        raise DomainError(f"division by zero ({_fmt(a)} / 0)")
    return a / b


def _neg(a: float) -> float:
    return -a


def _pow(a: float, b: float) -> float:
    if a < 0.0 and not b.is_integer():
        raise DomainError(f"negative base to a non-integer power ({_fmt(a)} ** {_fmt(b)})")
    if a == 0.0 and b < 0.0:
        raise DomainError(f"zero to a negative power (0 ** {_fmt(b)})")
    try:
        return math.pow(a, b)
    except OverflowError:
        raise NumericOverflow(f"overflow ({_fmt(a)} ** {_fmt(b)} is too large)") from None


def _exp(a: float) -> float:
    try:
        return math.exp(a)
    except OverflowError:
        raise NumericOverflow(f"overflow (exp({_fmt(a)}) is too large)") from None


def _log(a: float) -> float:
    if a <= 0.0:
        raise DomainError(f"log of a non-positive number (log({_fmt(a)}))")
    return math.log(a)


def _sqrt(a: float) -> float:
    if a < 0.0:
        raise DomainError(f"square root of a negative number (sqrt({_fmt(a)}))")
    return math.sqrt(a)


def _relu(a: float) -> float:
    return a if a > 0.0 else 0.0


def _sigmoid(a: float) -> float:
    # Two branches so that neither exp() can overflow.
    if a >= 0.0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _abs(a: float) -> float:
    return abs(a)


# ---------------------------------------------------------------------------------------
# Scalar local derivatives: (operands, own value) -> one derivative per operand.
# A non-finite result means "undefined here"; the engine reports it.


def _pow_local(args: tuple[float, ...], out: float) -> tuple[float, float]:
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
        d_exp = 0.0  # a**b -> 0 faster than log(a) -> -inf
    else:
        d_exp = NAN  # a**b is not defined for non-integer b near here
    return d_base, d_exp


def _sqrt_local(args: tuple[float, ...], out: float) -> tuple[float]:
    return (0.5 / out if out > 0.0 else NAN,)


def _log_local(args: tuple[float, ...], out: float) -> tuple[float]:
    return (1.0 / args[0],)


def _div_local(args: tuple[float, ...], out: float) -> tuple[float, float]:
    b = args[1]
    return 1.0 / b, -out / b


def _abs_local(args: tuple[float, ...], out: float) -> tuple[float]:
    a = args[0]
    return (1.0 if a > 0.0 else (-1.0 if a < 0.0 else 0.0),)


# ---------------------------------------------------------------------------------------
# Vector forms. Callers run these under np.errstate(all="ignore"); undefined -> NaN.


def _v_div(a: Array, b: Array) -> Array:
    return np.true_divide(a, b)


def _v_pow(a: Array, b: Array) -> Array:
    # IEEE says pow(NaN, 0) = pow(1, NaN) = 1; here an undefined operand stays undefined.
    return np.power(a, b) + 0.0 * a * b


def _v_pow_local(args: tuple[Array, ...], out: Array) -> tuple[Array, Array]:
    a, b = np.broadcast_arrays(*args)
    d_base = np.where(b == 0.0, 0.0, b * np.power(a, b - 1.0))
    d_exp = np.where(
        a > 0.0, out * np.log(np.where(a > 0.0, a, 1.0)), np.where((a == 0.0) & (b > 0.0), 0.0, NAN)
    )
    return d_base, d_exp


def _v_log(a: Array) -> Array:
    return np.log(np.where(a > 0.0, a, NAN))


def _v_sqrt(a: Array) -> Array:
    return np.sqrt(a)


def _v_sqrt_local(args: tuple[Array, ...], out: Array) -> tuple[Array]:
    return (np.where(out > 0.0, 0.5 / out, NAN),)


def _v_sigmoid(a: Array) -> Array:
    # exp(-|a|) never overflows; the two halves of the stable formula in one expression.
    e = np.exp(-np.abs(a))
    return np.where(a >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def _v_relu(a: Array) -> Array:
    return np.maximum(a, 0.0)


def _v_relu_local(args: tuple[Array, ...], out: Array) -> tuple[Array]:
    a = args[0]
    return (np.where(a > 0.0, 1.0, np.where(np.isnan(a), NAN, 0.0)),)


def _ones(args: tuple[Array, ...], out: Array) -> tuple[Array, ...]:
    return tuple(np.ones_like(out) for _ in args)


def _leaf(*_: float) -> float:
    raise TypeError("leaf nodes have no forward function; their value is stored")


def _no_local(args: tuple[float, ...], out: float) -> tuple[float, ...]:
    return ()


OPS: dict[str, Op] = {}


def _register(op: Op) -> None:
    OPS[op.name] = op


_register(Op("input", 0, "x", "Input", "x", (), _leaf, _no_local, _leaf, _no_local))
_register(Op("const", 0, "c", "Constant", "c", (), _leaf, _no_local, _leaf, _no_local))
_register(
    Op(
        "add", 2, "+", "Add", "a + b",
        ("∂(a+b)/∂a = 1", "∂(a+b)/∂b = 1"),
        _add, lambda args, out: (1.0, 1.0),
        np.add, _ones,
        ("a", "b"),
    )
)  # fmt: skip
_register(
    Op(
        "sub", 2, "−", "Subtract", "a − b",
        ("∂(a−b)/∂a = 1", "∂(a−b)/∂b = −1"),
        _sub, lambda args, out: (1.0, -1.0),
        np.subtract, lambda args, out: (np.ones_like(out), -np.ones_like(out)),
        ("a", "b"),
    )
)  # fmt: skip
_register(
    Op(
        "mul", 2, "×", "Multiply", "a × b",
        ("∂(a·b)/∂a = b", "∂(a·b)/∂b = a"),
        _mul, lambda args, out: (args[1], args[0]),
        np.multiply, lambda args, out: (args[1] + 0.0 * out, args[0] + 0.0 * out),
        ("a", "b"),
    )
)  # fmt: skip
_register(
    Op(
        "div", 2, "÷", "Divide", "a ÷ b",
        ("∂(a/b)/∂a = 1/b", "∂(a/b)/∂b = −a/b²"),
        _div, _div_local,
        _v_div, lambda args, out: (np.true_divide(1.0, args[1]) + 0.0 * out, -out / args[1]),
        ("a", "b"),
    )
)  # fmt: skip
_register(
    Op(
        "neg", 1, "−", "Negate", "−a",
        ("∂(−a)/∂a = −1",),
        _neg, lambda args, out: (-1.0,),
        np.negative, lambda args, out: (-np.ones_like(out),),
        ("a",),
    )
)  # fmt: skip
_register(
    Op(
        "pow", 2, "**", "Power", "a ** b",
        ("∂(aᵇ)/∂a = b·aᵇ⁻¹", "∂(aᵇ)/∂b = aᵇ·ln a"),
        _pow, _pow_local,
        _v_pow, _v_pow_local,
        ("base", "exponent"),
    )
)  # fmt: skip
_register(
    Op(
        "exp", 1, "exp", "Exponential", "exp(a)",
        ("∂exp(a)/∂a = exp(a)",),
        _exp, lambda args, out: (out,),
        np.exp, lambda args, out: (out,),
        ("a",),
    )
)  # fmt: skip
_register(
    Op(
        "log", 1, "log", "Natural log", "log(a)",
        ("∂log(a)/∂a = 1/a",),
        _log, _log_local,
        _v_log, lambda args, out: (1.0 / args[0] + 0.0 * out,),
        ("a",),
    )
)  # fmt: skip
_register(
    Op(
        "sqrt", 1, "√", "Square root", "sqrt(a)",
        ("∂√a/∂a = 1/(2√a)",),
        _sqrt, _sqrt_local,
        _v_sqrt, _v_sqrt_local,
        ("a",),
    )
)  # fmt: skip
_register(
    Op(
        "relu", 1, "relu", "ReLU", "relu(a)",
        ("∂relu(a)/∂a = 1 if a > 0 else 0",),
        _relu, lambda args, out: (1.0 if args[0] > 0.0 else 0.0,),
        _v_relu, _v_relu_local,
        ("a",),
    )
)  # fmt: skip
_register(
    Op(
        "tanh", 1, "tanh", "tanh", "tanh(a)",
        ("∂tanh(a)/∂a = 1 − tanh²(a)",),
        math.tanh, lambda args, out: (1.0 - out * out,),
        np.tanh, lambda args, out: (1.0 - out * out,),
        ("a",),
    )
)  # fmt: skip
_register(
    Op(
        "sigmoid", 1, "σ", "Sigmoid", "sigmoid(a)",
        ("∂σ(a)/∂a = σ(a)·(1 − σ(a))",),
        _sigmoid, lambda args, out: (out * (1.0 - out),),
        _v_sigmoid, lambda args, out: (out * (1.0 - out),),
        ("a",),
    )
)  # fmt: skip
_register(
    Op(
        "sin", 1, "sin", "Sine", "sin(a)",
        ("∂sin(a)/∂a = cos(a)",),
        math.sin, lambda args, out: (math.cos(args[0]),),
        np.sin, lambda args, out: (np.cos(args[0]) + 0.0 * out,),
        ("a",),
    )
)  # fmt: skip
_register(
    Op(
        "cos", 1, "cos", "Cosine", "cos(a)",
        ("∂cos(a)/∂a = −sin(a)",),
        math.cos, lambda args, out: (-math.sin(args[0]),),
        np.cos, lambda args, out: (-np.sin(args[0]) + 0.0 * out,),
        ("a",),
    )
)  # fmt: skip
_register(
    Op(
        "abs", 1, "|a|", "Absolute value", "abs(a)",
        ("∂|a|/∂a = sign(a)  (0 at a = 0)",),
        _abs, _abs_local,
        np.abs, lambda args, out: (np.sign(args[0]) + 0.0 * out,),
        ("a",),
    )
)  # fmt: skip

LEAF_OPS = frozenset({"input", "const"})


def get_op(name: str) -> Op:
    """Look an op up by name; a KeyError names the unknown op."""
    try:
        return OPS[name]
    except KeyError:
        raise KeyError(f"unknown op {name!r}") from None
