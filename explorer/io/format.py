"""The graph file format: JSON text <-> :class:`~explorer.graph.model.Graph`, validated and versioned.

Loading is two-phase, so a bad file can never leave a half-built graph behind: the text is
parsed into plain JSON values, *everything* is checked (JSON-level limits, the version, then
the structure: types, ops, names, ids, slots, cycles), and only a document that passed is
turned into a Graph through the ordinary Graph API. Every refusal is one :class:`FormatError`
naming the file and the JSON path of the offending value; nothing else escapes (no KeyError,
TypeError, RecursionError, UnicodeDecodeError or GraphError).

Writing is stable so files diff well: keys in a fixed human order, one node or edge per line,
nodes in the graph's insertion order, edges in node-then-slot order, UTF-8 without escapes,
a trailing newline. What :func:`dumps` writes, :func:`loads` accepts: the writer runs the
reader's checks on its own output first.

This module is the format's public face: reading, the version check and writing. Its parts,
each with one job:

- :mod:`explorer.io.format_checks`: JSON-level checks (types, depth, lengths, duplicates);
- :mod:`explorer.io.format_migrations`: :data:`MIGRATIONS`, upgrading older files one
  version step at a time, before the structural checks;
- :mod:`explorer.io.format_plan`: nodes and edges checked into a plan, then built;
- :mod:`explorer.io.format_functions`: user-defined functions (``"functions"``, version 2),
  with the same checks applied to each body;
- :mod:`explorer.io.format_writing`: the stable text layout.

The shape of version 1 is documented in the README and in
``resources/schema/graph.schema.json``.

Imports: standard library and ``explorer.graph`` only (never Qt).
"""

from __future__ import annotations

import codecs
import errno
import json
import os
import stat
from collections import Counter
from typing import Any

from explorer.graph.model import Graph, GraphError
from explorer.io.atomic import atomic_write_text
from explorer.io.format_checks import (
    MAX_DEPTH,
    MAX_STRING_LENGTH,
    Document,
    _DupDict,
    _field,
    _integer,
    _kind,
    _NonFinite,
    _Refused,
    _scan,
    _show,
)
from explorer.io.format_migrations import MIGRATIONS, Migration
from explorer.io.format_plan import (
    EDGE_KEYS,
    NODE_KEYS,
    _build,
    _build_order,
    _check_edges,
    _check_nodes,
    _Plan,
)
from explorer.io.format_writing import document_text, nodes_to_list

__all__ = [
    "EDGE_KEYS",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_ITEMS",
    "MAX_STRING_LENGTH",
    "MIGRATIONS",
    "NODE_KEYS",
    "RESERVED_KEYS",
    "TOP_KEYS",
    "Document",
    "FormatError",
    "Migration",
    "dumps",
    "graph_from_dict",
    "graph_to_dict",
    "load",
    "loads",
    "loads_bytes",
    "nodes_to_list",
    "save",
]

FORMAT_NAME = "chain-rule-explorer"
FORMAT_VERSION = 2

MAX_FILE_BYTES = 20_000_000
MAX_ITEMS = 100_000  # nodes, and separately edges
_MAX_INT_DIGITS = 1_000  # longer integer literals become float (inf) and are refused as out of range

TOP_KEYS = ("format", "version", "title", "description", "output", "functions", "nodes", "edges")
RESERVED_KEYS = ("layout", "meta")  # free-form objects kept for future use; read and ignored
_REQUIRED_TOP = ("format", "version", "nodes", "edges")


class FormatError(ValueError):
    """A file or document that cannot be read, with where and why; ``str()`` is one line."""

    def __init__(
        self,
        message: str,
        *,
        source: str = "<text>",
        json_path: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.json_path = json_path
        self.line = line
        self.column = column

    def __str__(self) -> str:
        parts = [self.source]
        if self.line is not None:
            parts.append(f"line {self.line}" + (f", column {self.column}" if self.column is not None else ""))
        if self.json_path is not None:
            parts.append(self.json_path)
        parts.append(self.message)
        return ": ".join(parts)


# ----------------------------------------------------------------------------------- reading


def load(path: str | os.PathLike[str]) -> Graph:
    """Read and validate a graph file; every problem is a :class:`FormatError`."""
    source = os.fspath(path)
    try:
        data = _read_regular_file(source)
    except OSError as error:
        raise FormatError(f"cannot read the file: {error.strerror or error}", source=source) from None
    return loads_bytes(data, source=source)


def _read_regular_file(path: str) -> bytes:
    """At most ``MAX_FILE_BYTES + 1`` bytes of a regular file; anything else is refused unread.

    A named pipe, a device or a socket would block ``open()`` or ``read()`` forever, so the
    path is checked before opening, and the opened descriptor again (non-blocking, so a pipe
    swapped in between cannot hang either) before the first read.
    """
    _refuse_special(os.stat(path).st_mode)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with open(fd, "rb", closefd=True) as file:
        _refuse_special(os.fstat(fd).st_mode)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return file.read(MAX_FILE_BYTES + 1)


def _refuse_special(mode: int) -> None:
    """Raise OSError naming what the path is, unless it is a regular file."""
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
    kind = "a named pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    raise OSError(f"not a regular file ({kind})")


def loads_bytes(data: bytes, source: str = "<bytes>") -> Graph:
    """Like :func:`loads` for raw file content (UTF-8, an optional BOM is skipped)."""
    if len(data) > MAX_FILE_BYTES:
        raise FormatError(f"the file is larger than {MAX_FILE_BYTES:,} bytes", source=source)
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        column = len(data[line_start : error.start].decode("utf-8", "replace")) + 1
        raise FormatError(
            f"not valid UTF-8 text (byte 0x{data[error.start]:02x})",
            source=source,
            line=data.count(b"\n", 0, error.start) + 1,
            column=column,
        ) from None
    return loads(text, source=source)


def loads(text: str, source: str = "<text>") -> Graph:
    """Parse, validate and build a graph from JSON text."""
    if len(text) > MAX_FILE_BYTES:
        raise FormatError(f"the text is longer than {MAX_FILE_BYTES:,} characters", source=source)
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise FormatError("the file is empty", source=source)
    try:
        data = json.loads(
            text, object_pairs_hook=_make_object, parse_constant=_NonFinite, parse_int=_parse_int
        )
    except json.JSONDecodeError as error:
        raise FormatError(
            f"invalid JSON: {error.msg}", source=source, line=error.lineno, column=error.colno
        ) from None
    except RecursionError:
        raise FormatError(f"nesting deeper than {MAX_DEPTH} levels", source=source) from None
    return graph_from_dict(data, source=source)


def graph_from_dict(data: object, source: str = "<data>") -> Graph:
    """Validate a parsed document (upgrading older versions) and build the graph it describes."""
    try:
        plan = _check(data)
    except _Refused as refusal:
        raise FormatError(refusal.message, source=source, json_path=refusal.path) from None
    try:
        return _build(plan)
    except GraphError as error:  # pragma: no cover - the checks above refuse all of these first
        raise FormatError(f"{error}", source=source, json_path="$") from None


def _make_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    dup = _DupDict(obj)
    dup.duplicate = next(k for k, n in Counter(k for k, _ in pairs).items() if n > 1)
    return dup


def _parse_int(digits: str) -> int | float:
    # int() refuses > 4300 digits with a ValueError json would not wrap; inf is refused by path.
    return int(digits) if len(digits) <= _MAX_INT_DIGITS else float(digits)


# ------------------------------------------------------------------ the version and the top level


def _check_version(data: dict[str, Any]) -> Document:
    fmt = _field(data, "format", "$", str, "a string")
    if fmt != FORMAT_NAME:
        raise _Refused("$.format", f"expected {FORMAT_NAME!r}, found {_show(fmt)}: not a graph file")
    version = _integer(_field(data, "version", "$", object, "an integer"), "$.version")
    if version > FORMAT_VERSION:
        raise _Refused(
            "$.version",
            "written by a newer version of Chain Rule Explorer "
            f"(file version {_show(version, 20)}, this app reads up to {FORMAT_VERSION})",
        )
    oldest = FORMAT_VERSION
    while oldest - 1 in MIGRATIONS:
        oldest -= 1
    if version < oldest:
        raise _Refused(
            "$.version",
            f"unknown file version {_show(version, 20)} (this app reads {oldest} to {FORMAT_VERSION})",
        )
    for key in ("nodes", "edges", "functions"):
        items = data.get(key)
        if isinstance(items, list) and len(items) > MAX_ITEMS:
            raise _Refused(f"$.{key}", f"more than {MAX_ITEMS:,} {key}")
    _scan(data)
    document: Document = data
    while version < FORMAT_VERSION:
        try:
            document = MIGRATIONS[version](document)
        except FormatError as error:
            raise _Refused(error.json_path or "$", error.message) from None
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
            raise _Refused("$", f"cannot upgrade from file version {version}: {_show(error, 80)}") from None
        version += 1
    return document


def _check(data: object) -> _Plan:
    if not isinstance(data, dict):
        raise _Refused("$", f"expected an object, found {_kind(data)}")
    data = _check_version(data)
    for key in data:
        if key not in TOP_KEYS and key not in RESERVED_KEYS:
            raise _Refused("$", f"unknown key {_show(key)}")
    for key in _REQUIRED_TOP:
        if key not in data:
            raise _Refused("$", f"missing key {key!r}")
    title = _field(data, "title", "$", str, "a string", "")
    description = _field(data, "description", "$", str, "a string", "")
    for key in RESERVED_KEYS:
        _field(data, key, "$", dict, "an object", None)
    from explorer.io.format_functions import check_functions

    functions, arity = check_functions(_field(data, "functions", "$", list, "an array", []))
    nodes, ops = _check_nodes(_field(data, "nodes", "$", list, "an array"), arity)
    calls = {n[0]: arity[n[6]] for n in nodes if n[6]}
    edges = _check_edges(_field(data, "edges", "$", list, "an array"), ops, calls)
    output = data.get("output")
    if output is not None:
        if not isinstance(output, str):
            raise _Refused("$.output", f"expected a node id or null, found {_kind(output)}")
        if output not in ops:
            raise _Refused("$.output", f"no node with id {_show(output)}")
    return title, description, output, nodes, _build_order(edges, list(ops)), functions


# ----------------------------------------------------------------------------------- writing


def graph_to_dict(graph: Graph) -> Document:
    """The document :func:`dumps` writes; refuses (FormatError) a graph the reader would refuse."""
    from explorer.io.format_functions import functions_to_list

    nodes = nodes_to_list(graph)
    data: Document = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "title": graph.title,
        "description": graph.description,
        "output": graph.output,
        **({"functions": functions_to_list(graph)} if graph.functions else {}),
        "nodes": nodes,
        "edges": [{"source": e.source, "target": e.target, "slot": e.slot} for e in graph.edges()],
    }
    try:
        _check(data)
    except _Refused as refusal:
        raise FormatError(refusal.message, source="<graph>", json_path=refusal.path) from None
    return data


def dumps(graph: Graph) -> str:
    """The file text for ``graph``: stable key order, one node/edge per line, trailing newline."""
    return document_text(graph_to_dict(graph))


def save(graph: Graph, path: str | os.PathLike[str]) -> None:
    """Write ``graph`` to ``path`` atomically, keeping the previous file as ``path.bak``.

    Raises :class:`FormatError` (nothing written) for a graph that could not be read back,
    and ``OSError`` when the disk refuses; the existing file is intact either way.
    """
    atomic_write_text(path, dumps(graph), backup=True)
