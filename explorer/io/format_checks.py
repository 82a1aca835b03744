"""JSON-level checks of a graph document, and the field readers every structural check uses.

Over the whole parsed document, iteratively (no nesting can overflow the stack): value types,
nesting depth, string lengths, finite numbers, duplicate keys. Each refusal is a
:class:`_Refused` carrying the JSON path of the offending value; :mod:`explorer.io.format`
turns it into one :class:`~explorer.io.format.FormatError` line once the file is known.

Part of the graph file format (:mod:`explorer.io.format` is its public face). Imports:
standard library only (never Qt).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from typing import Any

MAX_STRING_LENGTH = 10_000
MAX_DEPTH = 100

Document = dict[str, Any]
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class _Refused(Exception):
    """Internal: raised deep in validation, turned into a FormatError once the source is known."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


class _DupDict(dict[str, Any]):
    """A parsed object that had a key twice; the scan refuses it with its path."""

    duplicate: str = ""


class _NonFinite:
    """What ``NaN``/``Infinity``/``-Infinity`` tokens parse to, so the scan can refuse them by path."""

    __slots__ = ("token",)

    def __init__(self, token: str) -> None:
        self.token = token


def _show(value: object, limit: int = 40) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_KINDS: tuple[tuple[Any, str], ...] = (
    (type(None), "null"), (bool, "a boolean"), (int | float, "a number"),
    (str, "a string"), (list, "an array"), (dict, "an object"),
)  # fmt: skip


def _kind(value: object) -> str:
    """What a value is, in JSON words, for "expected X, found Y" messages."""
    if isinstance(value, _NonFinite):
        return value.token
    found = (word for kind, word in _KINDS if isinstance(value, kind))
    return next(found, f"a Python {type(value).__name__}")


def _path(where: tuple[Any, ...] | None) -> str:
    keys: list[str | int] = []
    while where is not None:
        where, key = where
        keys.append(key)
    out = ["$"]
    for key in reversed(keys):
        if isinstance(key, int):
            out.append(f"[{key}]")
        elif _IDENT.match(key):
            out.append(f".{key}")
        else:
            shown = key if len(key) <= 30 else key[:29] + "…"
            out.append(f"[{json.dumps(shown, ensure_ascii=False)}]")
    return "".join(out)


def _scan(root: dict[str, Any]) -> None:
    """JSON-level checks over the whole document: types, depth, lengths, finiteness, duplicates.

    Iterative, so no nesting can overflow the stack. Scalars are checked where they are met
    and only containers go on the stack: this is the hot loop when loading a big file.
    """
    stack: list[tuple[dict[Any, Any] | list[Any], tuple[Any, ...] | None, int]] = [(root, None, 0)]
    while stack:
        value, where, depth = stack.pop()
        if depth >= MAX_DEPTH:
            raise _Refused(_path(where), f"nesting deeper than {MAX_DEPTH} levels")
        items: Iterable[tuple[Any, Any]]
        if isinstance(value, dict):
            if isinstance(value, _DupDict):
                raise _Refused(_path(where), f"duplicate key {_show(value.duplicate)}")
            for key in value:
                if type(key) is not str:
                    raise _Refused(_path(where), f"key {_show(key)} is not a string")
                if len(key) > MAX_STRING_LENGTH:
                    raise _Refused(_path(where), f"a key is longer than {MAX_STRING_LENGTH:,} characters")
            items = value.items()
        else:
            items = enumerate(value)
        for key, item in items:
            if isinstance(item, dict | list):
                stack.append((item, (where, key), depth + 1))
            elif item is not None and (problem := _scalar_problem(item)):
                raise _Refused(_path((where, key)), problem)


def _scalar_problem(value: object) -> str | None:
    if isinstance(value, str):
        if len(value) > MAX_STRING_LENGTH:
            return f"text longer than {MAX_STRING_LENGTH:,} characters"
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate from a "\ud800" escape
                return "text contains an unpaired surrogate"
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else "number out of range (numbers must be finite)"
    if isinstance(value, int):
        return None
    if isinstance(value, _NonFinite):
        return f"{value.token} is not allowed (numbers must be finite)"
    return f"{_kind(value)} is not a JSON value"


def _integer(value: object, path: str) -> int:
    # JSON Schema counts 1.0 as an integer, but the JSON text tells them apart and the app
    # never writes 1.0 for a slot or a version: a float there is a hand edit gone wrong.
    if isinstance(value, float) and value.is_integer():
        raise _Refused(path, f"expected an integer, found {_show(value, 20)} (write it without '.0')")
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Refused(path, f"expected an integer, found {_kind(value)}")
    return value


def _number(value: object, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Refused(path, f"expected a number, found {_kind(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise _Refused(path, "number out of range (numbers must be finite)")
    return number


def _object(value: object, path: str, keys: tuple[str, ...]) -> dict[str, Any]:
    """``value`` checked to be an object whose keys are all among ``keys``."""
    if not isinstance(value, dict):
        raise _Refused(path, f"expected an object, found {_kind(value)}")
    for key in value:
        if key not in keys:
            raise _Refused(path, f"unknown key {_show(key)}")
    return value


def _field(obj: dict[str, Any], key: str, path: str, kind: type, what: str, default: Any = ...) -> Any:
    """``obj[key]`` checked to be a ``kind``; a missing key is refused unless there is a default."""
    if key not in obj:
        if default is ...:
            raise _Refused(path, f"missing key {key!r}")
        return default
    value = obj[key]
    if not isinstance(value, kind):
        raise _Refused(f"{path}.{key}", f"expected {what}, found {_kind(value)}")
    return value
