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

User-defined functions (``"functions"``, version 2) are read and written by
:mod:`explorer.io.format_functions`, with the same checks applied to each body.

Older files are upgraded by :data:`MIGRATIONS`, one version step at a time, before the
structural checks. The shape of version 1 is documented in the README and in
``resources/schema/graph.schema.json``.

Imports: standard library and ``explorer.graph`` only (never Qt).
"""

from __future__ import annotations

import codecs
import errno
import json
import math
import os
import re
import stat
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from explorer.graph.model import MAX_NAME_LENGTH, Graph, GraphError, name_problem
from explorer.graph.ops import LEAF_OPS, OPS
from explorer.io.atomic import atomic_write_text

FORMAT_NAME = "chain-rule-explorer"
FORMAT_VERSION = 2

MAX_FILE_BYTES = 20_000_000
MAX_ITEMS = 100_000  # nodes, and separately edges
MAX_STRING_LENGTH = 10_000
MAX_DEPTH = 100
_MAX_INT_DIGITS = 1_000  # longer integer literals become float (inf) and are refused as out of range

Document = dict[str, Any]
Migration = Callable[[Document], Document]


def _v1_to_v2(document: Document) -> Document:
    """Version 2 adds optional keys (``trainable`` on inputs, ``functions`` and call nodes); a
    version-1 file has none of them."""
    if "functions" in document:
        raise _Refused("$", "unknown key 'functions' (it is new in file version 2)")
    for i, node in enumerate(document.get("nodes") or ()):
        for key in ("trainable", "function"):
            if isinstance(node, dict) and key in node:
                raise _Refused(f"$.nodes[{i}]", f"unknown key {key!r} (it is new in file version 2)")
    return {**document, "version": 2}


MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2}
"""``MIGRATIONS[v]`` turns a version-``v`` document into a version ``v + 1`` one (setting
``"version"``). It gets a document that passed the JSON-level checks, must not mutate it,
and may raise :class:`FormatError` (or ``_Refused`` with a JSON path) for content it cannot
upgrade."""

TOP_KEYS = ("format", "version", "title", "description", "output", "functions", "nodes", "edges")
RESERVED_KEYS = ("layout", "meta")  # free-form objects kept for future use; read and ignored
NODE_KEYS = ("id", "op", "function", "name", "value", "position", "trainable")
EDGE_KEYS = ("source", "target", "slot")
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


# ------------------------------------------------------------------------------- validation

# id, op, name, value, position, trainable, function (for call nodes, else "")
_PlanNode = tuple[str, str, str, float, tuple[float, float] | None, bool, str]
_Plan = tuple[str, str, str | None, list[_PlanNode], list[tuple[str, str, int]], list[Any]]
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


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


def _check_nodes(
    raw_nodes: list[Any], functions: dict[str, int], prefix: str = "$", body: bool = False
) -> tuple[list[_PlanNode], dict[str, str]]:
    """Nodes at ``prefix``.nodes; ``functions`` maps each callable name to its arity.

    In a function body (``body``) an input is a parameter and needs no value.
    """
    nodes: list[_PlanNode] = []
    index: dict[str, int] = {}
    names: dict[str, int] = {}
    for i, raw in enumerate(raw_nodes):
        p = f"{prefix}.nodes[{i}]"
        if not isinstance(raw, dict):
            raise _Refused(p, f"expected an object, found {_kind(raw)}")
        for key in raw:
            if key not in NODE_KEYS:
                raise _Refused(p, f"unknown key {_show(key)}")
        node_id = _field(raw, "id", p, str, "a string")
        if not node_id:
            raise _Refused(f"{p}.id", "a node id must not be empty")
        if node_id in index:
            raise _Refused(
                f"{p}.id", f"duplicate node id {_show(node_id)} (also {prefix}.nodes[{index[node_id]}])"
            )
        op = _field(raw, "op", p, str, "a string")
        if op not in OPS and op != "call":
            raise _Refused(f"{p}.op", f"unknown op {_show(op)}")
        function = ""
        if op == "call":
            function = _field(raw, "function", p, str, "a function name")
            if function not in functions:
                raise _Refused(f"{p}.function", f"unknown function {_show(function)}")
        elif "function" in raw:
            raise _Refused(f"{p}.function", f"only call nodes name a function, not {op}")
        name = _field(raw, "name", p, str, "a string", "")
        if len(name) > MAX_NAME_LENGTH:
            raise _Refused(f"{p}.name", f"name longer than {MAX_NAME_LENGTH} characters")
        problem = name_problem(name)
        if problem:
            raise _Refused(f"{p}.name", problem)
        if name in names:
            raise _Refused(f"{p}.name", f"duplicate name {_show(name)} (also {prefix}.nodes[{names[name]}])")
        value = 0.0
        if op == "input" and body:
            value = _number(raw.get("value", 1.0), f"{p}.value")
        elif op in LEAF_OPS:
            if "value" not in raw:
                raise _Refused(p, f"missing key 'value' ({op} nodes need one)")
            value = _number(raw["value"], f"{p}.value")
        elif "value" in raw:
            raise _Refused(f"{p}.value", f"only input and const nodes have a value, not {op}")
        position = None
        if "position" in raw:
            xy = raw["position"]
            if not isinstance(xy, list) or len(xy) != 2:
                found = f"an array of {len(xy)}" if isinstance(xy, list) else _kind(xy)
                raise _Refused(f"{p}.position", f"expected [x, y], found {found}")
            position = (_number(xy[0], f"{p}.position[0]"), _number(xy[1], f"{p}.position[1]"))
        trainable = _field(raw, "trainable", p, bool, "true or false", False)
        if trainable and op != "input":
            raise _Refused(f"{p}.trainable", f"only input nodes can be trainable, not {op}")
        index[node_id] = i
        if name:
            names[name] = i
        nodes.append((node_id, op, name, value, position, trainable, function))
    return nodes, {n[0]: n[1] for n in nodes}


def _check_edges(
    raw_edges: list[Any], ops: dict[str, str], calls: dict[str, int], prefix: str = "$"
) -> list[tuple[str, str, int]]:
    """Edges at ``prefix``.edges; ``calls`` maps each call node's id to its arity."""
    edges: list[tuple[str, str, int]] = []
    fed: dict[tuple[str, int], int] = {}
    for j, raw in enumerate(raw_edges):
        p = f"{prefix}.edges[{j}]"
        if not isinstance(raw, dict):
            raise _Refused(p, f"expected an object, found {_kind(raw)}")
        for key in raw:
            if key not in EDGE_KEYS:
                raise _Refused(p, f"unknown key {_show(key)}")
        ends = []
        for key in ("source", "target"):
            node_id = _field(raw, key, p, str, "a node id")
            if node_id not in ops:
                raise _Refused(f"{p}.{key}", f"no node with id {_show(node_id)}")
            ends.append(node_id)
        source, target = ends
        slot = _integer(_field(raw, "slot", p, object, "an integer"), f"{p}.slot")
        kind = ops[target]
        arity = calls[target] if kind == "call" else OPS[kind].arity
        if arity == 0:
            raise _Refused(f"{p}.slot", f"node {_show(target)} is {kind} and takes no operands")
        if not 0 <= slot < arity:
            raise _Refused(
                f"{p}.slot", f"slot {_show(slot, 20)} out of range: {kind} has slots 0 to {arity - 1}"
            )
        if (target, slot) in fed:
            raise _Refused(
                p,
                f"slot {slot} of node {_show(target)} is already fed by {prefix}.edges[{fed[target, slot]}]",
            )
        fed[target, slot] = j
        edges.append((source, target, slot))
    return edges


def _build_order(
    edges: list[tuple[str, str, int]], node_ids: list[str], prefix: str = "$"
) -> list[tuple[str, str, int]]:
    """The edges grouped by target in a stable topological order; refuses a cycle by path.

    Connecting in this order means a target never has consumers yet when it is linked, so the
    Graph's own cycle check stays O(1) per link instead of walking everything downstream.
    """
    incoming: dict[str, list[int]] = {nid: [] for nid in node_ids}
    outgoing: dict[str, list[int]] = {nid: [] for nid in node_ids}
    for j, (source, target, _slot) in enumerate(edges):
        incoming[target].append(j)
        outgoing[source].append(j)
    indegree = {nid: len(incoming[nid]) for nid in node_ids}
    ready = [nid for nid in reversed(node_ids) if indegree[nid] == 0]
    order: list[str] = []
    while ready:
        nid = ready.pop()
        order.append(nid)
        released = []
        for j in outgoing[nid]:
            target = edges[j][1]
            indegree[target] -= 1
            if indegree[target] == 0:
                released.append(target)
        ready.extend(reversed(released))
    if len(order) < len(node_ids):
        raise _cycle(edges, incoming, indegree, prefix)
    return [edges[j] for nid in order for j in sorted(incoming[nid], key=lambda j: edges[j][2])]


def _cycle(
    edges: list[tuple[str, str, int]],
    incoming: dict[str, list[int]],
    indegree: dict[str, int],
    prefix: str = "$",
) -> _Refused:
    # Every node left over has an operand that is left over too: walking back must repeat.
    start = next(nid for nid, d in indegree.items() if d > 0)
    seen: dict[str, int] = {}
    trail: list[int] = []
    node = start
    while node not in seen:
        seen[node] = len(trail)
        j = next(j for j in incoming[node] if indegree[edges[j][0]] > 0)
        trail.append(j)
        node = edges[j][0]
    loop = trail[seen[node] :]
    ids = [edges[j][0] for j in reversed(loop)]
    ids.append(ids[0])
    shown = " -> ".join(_show(i, 20) for i in ids[:8]) + (" -> …" if len(ids) > 8 else "")
    return _Refused(f"{prefix}.edges[{max(loop)}]", f"the edges make a cycle: {shown}")


def _build(plan: _Plan) -> Graph:
    from explorer.io.format_functions import build_functions

    title, description, output, nodes, edges, functions = plan
    graph = Graph(title, description)
    build_functions(graph, functions)
    build_nodes(graph, nodes, edges, {f.name: f for f in graph.functions})
    graph.set_output(output)
    return graph


def build_nodes(
    graph: Graph, nodes: list[_PlanNode], edges: list[tuple[str, str, int]], functions: dict[str, Any]
) -> None:
    """Add checked nodes and edges to ``graph`` (the top level, or a function body)."""
    for node_id, op, name, value, position, trainable, function in nodes:
        if op == "call":
            graph.add_call(functions[function], name, position, node_id=node_id)
        else:
            graph.add_node(op, name, value, position, node_id=node_id)
        if trainable:
            graph.set_trainable(node_id, True)
    for source, target, slot in edges:
        graph.connect(source, target, slot)


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


def nodes_to_list(graph: Graph) -> list[dict[str, Any]]:
    """The "nodes" array for a graph or a function body, keys in the file's order."""
    nodes: list[dict[str, Any]] = []
    for node in graph.nodes:
        item: dict[str, Any] = {"id": node.id, "op": node.op, "name": node.name}
        if node.op == "call":
            item = {"id": node.id, "op": "call", "function": node.function, "name": node.name}
        if node.op in LEAF_OPS:
            item["value"] = _as_float(node.value)
        if node.position is not None:
            xy = node.position
            item["position"] = [_as_float(c) for c in xy] if isinstance(xy, tuple | list) else xy
        if node.trainable:
            item["trainable"] = True
        nodes.append(item)
    return nodes


def _as_float(value: object) -> object:
    # Ints become floats so that a reloaded graph writes byte-identical text; others are refused.
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:
            return math.inf
    return value


def dumps(graph: Graph) -> str:
    """The file text for ``graph``: stable key order, one node/edge per line, trailing newline."""
    from explorer.io.format_functions import dump_functions

    data = graph_to_dict(graph)
    lines = []
    for key, value in data.items():
        if key == "functions":
            text = dump_functions(value)
        elif key in ("nodes", "edges") and value:
            rows = ",\n    ".join(json.dumps(v, ensure_ascii=False, separators=(", ", ": ")) for v in value)
            text = f"[\n    {rows}\n  ]"
        else:
            text = json.dumps(value, ensure_ascii=False, allow_nan=False, indent=2)
        lines.append(f"  {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def save(graph: Graph, path: str | os.PathLike[str]) -> None:
    """Write ``graph`` to ``path`` atomically, keeping the previous file as ``path.bak``.

    Raises :class:`FormatError` (nothing written) for a graph that could not be read back,
    and ``OSError`` when the disk refuses; the existing file is intact either way.
    """
    atomic_write_text(path, dumps(graph), backup=True)
