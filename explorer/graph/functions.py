"""User-defined functions: a named body graph that a node can use like an op.

Why functions, in the words of the lesson
-----------------------------------------
The chain rule is the derivative of a *composition*: ``h(x) = f(g(x))`` with
``g(x) = 2x + 1`` and ``f(z) = z²``. A function is one of those boxes: a name, named
parameters, and a body graph with one output. A node with op ``"call"`` uses it: one
operand slot per parameter, one value out. To the graph around it the box is one
operation with a local derivative per operand — ``dg/dx = 2`` — and the engine finds that
local derivative from the body by the same reverse pass it runs everywhere (see
:mod:`explorer.graph.engine`), so the backward pass outside reads like the lesson:
``dh/dx = df/dg × dg/dx = 14 × 2 = 28``.

What a function must be, checked before it joins a graph's library:

* its body's inputs are exactly its parameters (one input node named after each) and
  every other body node is fully connected; the body has a chosen output;
* it only calls functions defined before it, so recursion and cycles between functions
  cannot be built; nesting depth and the size of the fully inlined body are capped so
  that nothing a file describes can make evaluation hang.

This module also holds the pure graph surgery the editor offers: :func:`group` (selected
nodes become a function and one call node) and :func:`ungroup` (a call node is replaced by
its body), and :func:`flatten`, which inlines every call (what a sweep runs on).

Imports: standard library, the op table and the graph model only.
"""

from __future__ import annotations

import keyword
from collections.abc import Iterable, Mapping

from explorer.graph.model import MAX_NAME_LENGTH, Edge, Graph, GraphError, Node
from explorer.graph.ops import OPS, Op

MAX_FUNCTION_DEPTH = 100
MAX_INLINED_NODES = 200_000
RESERVED_NAMES = frozenset({*OPS, "call", "Value", "math", "np", "numpy"})


class FunctionError(GraphError):
    """A function definition or a grouping the model refuses; one line, naming it."""


def _refuse_call(*_args: object) -> float:  # pragma: no cover - the engine inlines calls
    raise FunctionError("a function call is evaluated by inlining its body")


class Function:
    """A name, parameters and a body graph with one output. Never changed once built."""

    __slots__ = ("body", "callees", "depth", "name", "output", "parameter_ids", "parameters", "size")

    def __init__(self, name: str, parameters: Iterable[str], body: Graph) -> None:
        self.name = name
        self.parameters = tuple(parameters)
        self.body = body
        problem = name_problem(name)
        if problem:
            raise FunctionError(f"function {name!r}: {problem}")
        if not self.parameters:
            raise FunctionError(f"function {name!r} needs at least one parameter")
        for p in self.parameters:
            if not isinstance(p, str) or not p.isidentifier() or keyword.iskeyword(p):
                raise FunctionError(f"function {name!r}: parameter {p!r} is not a name")
        if len(set(self.parameters)) != len(self.parameters):
            raise FunctionError(f"function {name!r}: a parameter name appears twice")
        if body.functions:
            raise FunctionError(f"function {name!r}: a body cannot define functions of its own")
        ids: dict[str, str] = {}
        callees: list[str] = []
        for node in body:
            if node.op == "input":
                if node.name not in self.parameters:
                    raise FunctionError(
                        f"function {name!r}: input {node.label!r} is not a parameter "
                        f"(parameters: {', '.join(self.parameters)})"
                    )
                ids[node.name] = node.id
                if node.trainable:
                    raise FunctionError(f"function {name!r}: parameter {node.name!r} cannot be trainable")
            elif node.op == "call":
                if node.function == name:
                    raise FunctionError(f"function {name!r} calls itself; recursion is not supported")
                callees.append(node.function)
            if node.operands and None in node.operands:
                slot = node.operands.index(None) + 1
                raise FunctionError(f"function {name!r}: operand {slot} of {_show(node)} is not connected")
        missing = [p for p in self.parameters if p not in ids]
        if missing:
            raise FunctionError(f"function {name!r}: parameter {missing[0]!r} has no input node in the body")
        if body.output is None:
            raise FunctionError(f"function {name!r} has no output: choose the body node it returns")
        self.output = body.output
        self.parameter_ids = tuple(ids[p] for p in self.parameters)
        self.callees = frozenset(callees)
        self.depth = 1
        self.size = len(body)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Function):
            return NotImplemented
        return (self.name, self.parameters) == (other.name, other.parameters) and self.body == other.body

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Function({self.name}({', '.join(self.parameters)}), {len(self.body)} body nodes)"

    @property
    def signature(self) -> str:
        return f"{self.name}({', '.join(self.parameters)})"


def _show(node: Node) -> str:
    return repr(node.name) if node.name else f"{node.op} node {node.id!r}"


def name_problem(name: object) -> str | None:
    """Why ``name`` cannot name a function, or None."""
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        return f"{name!r} is not a name"
    if len(name) > MAX_NAME_LENGTH:
        return f"the name is longer than {MAX_NAME_LENGTH} characters"
    if name in RESERVED_NAMES or name.startswith("__"):
        return f"{name!r} is reserved"
    return None


def check_function(function: Function, library: Mapping[str, Function]) -> None:
    """Refuse a function whose calls the library cannot satisfy; set its depth and size.

    Callees must already be in the library, so a cycle between functions can never be
    built one definition at a time; the caps keep a chain of nested definitions (or one
    that doubles at every level) from exploding when it is inlined.
    """
    depth, size = 1, 0
    for node in function.body:
        if node.op != "call":
            size += 1
            continue
        callee = library.get(node.function)
        if callee is None:
            raise FunctionError(f"function {function.name!r} calls unknown function {node.function!r}")
        if len(node.operands) != len(callee.parameters):
            raise FunctionError(
                f"function {function.name!r}: {callee.name}() takes {len(callee.parameters)} "
                f"argument(s), but {_show(node)} has {len(node.operands)}"
            )
        depth = max(depth, callee.depth + 1)
        size += callee.size
    if depth > MAX_FUNCTION_DEPTH:
        raise FunctionError(f"function {function.name!r} nests calls more than {MAX_FUNCTION_DEPTH} deep")
    if size > MAX_INLINED_NODES:
        raise FunctionError(f"function {function.name!r} expands to more than {MAX_INLINED_NODES:,} nodes")
    function.depth, function.size = depth, size


_CALL_OPS: dict[tuple[str, tuple[str, ...]], Op] = {}


def call_op(function: Function) -> Op:
    """What a call node shows where an op is expected: symbol, title, operand names."""
    key = (function.name, function.parameters)
    op = _CALL_OPS.get(key)
    if op is None:
        n = function.name
        op = Op(
            "call",
            len(function.parameters),
            n,
            f"Function {function.signature}",
            f"{n}({', '.join('ab'[k] if k < 2 else f'a{k}' for k in range(len(function.parameters)))})",
            tuple(f"∂{n}/∂{p} from its body" for p in function.parameters),
            _refuse_call,
            lambda args, out: tuple(_refuse_call() for _ in args),
            _refuse_call,
            lambda args, out: tuple(_refuse_call() for _ in args),
            function.parameters,
        )
        _CALL_OPS[key] = op
    return op


def op_of(graph: Graph, node: Node) -> Op:
    """The op a node shows: its entry in the op table, or its function's call op."""
    if node.op == "call":
        return call_op(graph.function(node.function))
    return OPS[node.op]


# ------------------------------------------------------------------------------ inlining
def flatten(graph: Graph) -> tuple[Graph, dict[str, str]]:
    """The same computation with every call inlined, and where each node of ``graph`` went.

    Nodes outside calls keep their ids, names and positions. A call's body output takes
    the call node's id and name (so edges and lookups by name still work); other body
    nodes get ids ``call/body`` and no name. Cached per graph structure.
    """
    return graph.derived("functions.flat", _flatten)


def _flatten(graph: Graph) -> tuple[Graph, dict[str, str]]:
    flat = Graph(graph.title, graph.description)
    where: dict[str, str] = {}
    for nid in graph.topological_order():
        node = graph.node(nid)
        if node.op != "call":
            flat.add_node(node.op, node.name, node.value, node.position, nid)
            for slot, src in enumerate(node.operands):
                if src is not None:
                    flat.connect(where[src], nid, slot)
            where[nid] = nid
            continue
        if None in node.operands:
            # Undefined, like any node with a free slot: a neg with nothing connected.
            flat.add_node("neg", node.name, 0.0, node.position, nid)
            where[nid] = nid
            continue
        args = [where[s] for s in node.operands if s is not None]
        where[nid] = _inline(graph, flat, graph.function(node.function), args, nid, node.name)
    for nid in graph.topological_order():
        pos = graph.node(nid).position
        if pos is not None and where[nid] in flat and flat.node(where[nid]).position is None:
            flat.move(where[nid], pos)
    out = graph.output
    if out is not None:
        flat.set_output(where[out])
    return flat, where


def _inline(graph: Graph, flat: Graph, function: Function, args: list[str], prefix: str, name: str) -> str:
    """Copy ``function``'s body into ``flat`` reading ``args``; returns the id of its result.

    Iterative over the body; nested calls recurse, at most ``MAX_FUNCTION_DEPTH`` deep.
    """
    body = function.body
    where = dict(zip(function.parameter_ids, args, strict=True))
    for bid in body.topological_order():
        bnode = body.node(bid)
        if bnode.op == "input":
            continue
        is_out = bid == function.output
        nid = prefix if is_out else f"{prefix}/{bid}"
        if bnode.op == "call":
            inner = [where[s] for s in bnode.operands if s is not None]
            result = _inline(graph, flat, graph.function(bnode.function), inner, nid, name if is_out else "")
            where[bid] = result
            continue
        flat.add_node(bnode.op, name if is_out else "", bnode.value, None, nid)
        for slot, src in enumerate(bnode.operands):
            if src is not None:
                flat.connect(where[src], nid, slot)
        where[bid] = nid
    return where[function.output]


# ------------------------------------------------------------------------------ grouping
def group(graph: Graph, node_ids: Iterable[str], name: str) -> Graph:
    """A copy of ``graph`` where the selected nodes are one call of a new function ``name``.

    Inputs stay outside (they, and every other node feeding the selection from outside,
    become the parameters, in graph order); the selected node read from outside (or the
    graph's output) becomes the body's output, and the call node takes its id, name and
    position, so every link around the group still reads the same id.
    """
    picked = set(node_ids)
    # Inputs, and constants something outside also reads, stay outside as arguments.
    chosen = [
        nid
        for nid in dict.fromkeys(node_ids)
        if graph.node(nid).op != "input"
        and not (graph.node(nid).op == "const" and any(t not in picked for t, _ in graph.consumers(nid)))
    ]
    if not any(not graph.node(nid).is_leaf for nid in chosen):
        raise FunctionError("select the computed nodes to group (inputs become parameters)")
    problem = name_problem(name)
    if problem:
        raise FunctionError(problem)
    if name in {f.name for f in graph.functions}:
        raise FunctionError(f"a function named {name!r} is already defined")
    inside = set(chosen)
    order = [nid for nid in graph.topological_order() if nid in inside]
    # The output: the one chosen node read from outside (or the graph's output).
    exits = [
        nid for nid in order if nid == graph.output or any(t not in inside for t, _s in graph.consumers(nid))
    ]
    if len(exits) > 1:
        names = ", ".join(_show(graph.node(n)) for n in exits[:3])
        raise FunctionError(f"a function has one output, but {names} are all used outside the group")
    if not exits:
        sinks = [nid for nid in order if not graph.consumers(nid)]
        exits = sinks[-1:] if sinks else order[-1:]
    out = exits[0]
    feeds = {out}
    for nid in reversed(order):
        if nid in feeds:
            feeds.update(s for s in graph.node(nid).operands if s is not None)
    # Every grouped node feeds the output, and only the output is read outside: so no
    # path can leave the group and come back into it (that would already be a cycle).
    unused = [nid for nid in order if nid not in feeds]
    if unused:
        raise FunctionError(
            f"{_show(graph.node(unused[0]))} does not feed the function's output {_show(graph.node(out))}"
        )
    for nid in order:
        node = graph.node(nid)
        if None in node.operands:
            raise FunctionError(f"operand {node.operands.index(None) + 1} of {_show(node)} is not connected")
    sources = [
        src for nid in order for src in graph.node(nid).operands if src is not None and src not in inside
    ]
    sources = sorted(dict.fromkeys(sources), key=graph.index_of)
    body = Graph()
    taken = {graph.node(n).name for n in order if graph.node(n).name}
    params: list[str] = []
    param_of: dict[str, str] = {}
    for k, src in enumerate(sources):
        label = graph.node(src).name
        base = label if label and name_problem(label) is None else ("abcdefgh"[k] if k < 8 else f"a{k}")
        pname = _fresh(base, taken | set(params) | RESERVED_NAMES)
        params.append(pname)
        pid = _fresh(f"p{k}", inside)
        body.add_node("input", pname, 1.0, graph.node(src).position, pid)
        param_of[src] = pid
    # Body nodes keep the graph's order, and the call takes the place of the first one,
    # so ungrouping a run of consecutive nodes gives back the very same graph.
    in_place = sorted(order, key=graph.index_of)
    for nid in in_place:
        node = graph.node(nid)
        if node.op == "call":
            body.add_call(graph.function(node.function), node.name, node.position, nid)
        else:
            body.add_node(node.op, node.name, node.value, node.position, nid)
    for nid in order:
        for slot, operand in enumerate(graph.node(nid).operands):
            assert operand is not None
            body.connect(param_of.get(operand, operand), nid, slot)
    body.set_output(out)
    function = Function(name, params, body)
    result = graph.copy()
    index = graph.index_of(in_place[0])
    out_node = graph.node(out)
    outgoing = [Edge(out, t, s) for t, s in graph.consumers(out) if t not in inside]
    was_output = graph.output == out
    for nid in reversed(order):
        result.remove_node(nid)
    result.add_function(function)
    call = result.add_call(function, out_node.name, out_node.position, out)
    _move_to(result, out, index)
    for slot, src in enumerate(sources):
        result.connect(src, out, slot)
    for edge in outgoing:
        result.connect(edge.source, edge.target, edge.slot)
    if was_output:
        result.set_output(call.id)
    return result


def ungroup(graph: Graph, call_id: str) -> Graph:
    """A copy of ``graph`` with the call ``call_id`` replaced by its body, in place.

    Body nodes keep their ids (the output takes the call's id), names and positions
    where these are free; the function stays in the library unless nothing uses it.
    """
    call = graph.node(call_id)
    if call.op != "call":
        raise FunctionError(f"{_show(call)} is not a function call")
    if None in call.operands:
        raise FunctionError(f"{_show(call)}: connect every operand before ungrouping")
    function = graph.function(call.function)
    body = function.body
    result = graph.copy()
    index = graph.index_of(call_id)
    outgoing = [Edge(call_id, t, s) for t, s in graph.consumers(call_id)]
    was_output = graph.output == call_id
    result.remove_node(call_id)
    where: dict[str, str] = {
        pid: src for pid, src in zip(function.parameter_ids, call.operands, strict=True) if src
    }
    for bnode in body:
        if bnode.op == "input":
            continue
        if bnode.id == function.output:
            nid = call_id
        else:
            nid = bnode.id if bnode.id not in result else result.new_id()
        free = bnode.name and not result.has_name(bnode.name)
        label = call.name if bnode.id == function.output else (bnode.name if free else "")
        if bnode.op == "call":
            result.add_call(graph.function(bnode.function), label, bnode.position, nid)
        else:
            result.add_node(bnode.op, label, bnode.value, bnode.position, nid)
        _move_to(result, nid, index)
        index += 1
        where[bnode.id] = nid
    for bnode in body:
        for slot, src in enumerate(bnode.operands):
            if src is not None and bnode.op != "input":
                result.connect(where[src], where[bnode.id], slot)
    target = where[function.output]
    for edge in outgoing:
        result.connect(target, edge.target, edge.slot)
    if was_output:
        result.set_output(target)
    if not any(n.function == function.name for n in result) and not any(
        function.name in f.callees for f in result.functions
    ):
        result.remove_function(function.name)
    return result


def _move_to(graph: Graph, node_id: str, index: int) -> None:
    """Put ``node_id`` at ``index`` in insertion order (what files and equality compare)."""
    node, _at, links = graph.remove_node(node_id)
    graph.insert_node(node, index, links)


def _fresh(base: str, taken: set[str] | frozenset[str]) -> str:
    k = 1
    candidate = base
    while candidate in taken:
        candidate = f"{base}{k}"
        k += 1
    return candidate
