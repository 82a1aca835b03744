"""The structure of a graph document checked node by node and edge by edge, then built.

Checking turns the document into a *plan* (plain tuples: nodes, edges in build order,
functions) and refuses, by JSON path, anything the graph model would refuse: unknown keys,
ops and node ids, bad names and values, slots that do not exist or are fed twice, cycles.
Only a plan that passed is built into a :class:`~explorer.graph.model.Graph` through the
ordinary Graph API, so a bad file never leaves a half-built graph behind. The same checks
read each function body (:mod:`explorer.io.format_functions`).

Part of the graph file format (:mod:`explorer.io.format` is its public face). Imports:
standard library, ``explorer.graph`` and the format's check module (never Qt).
"""

from __future__ import annotations

from typing import Any

from explorer.graph.model import MAX_NAME_LENGTH, Graph, name_problem
from explorer.graph.ops import LEAF_OPS, OPS
from explorer.io.format_checks import _field, _integer, _kind, _number, _object, _Refused, _show

NODE_KEYS = ("id", "op", "function", "name", "value", "position", "trainable")
EDGE_KEYS = ("source", "target", "slot")

# id, op, name, value, position, trainable, function (for call nodes, else "")
_PlanNode = tuple[str, str, str, float, tuple[float, float] | None, bool, str]
_Plan = tuple[str, str, str | None, list[_PlanNode], list[tuple[str, str, int]], list[Any]]


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
        raw = _object(raw, p, NODE_KEYS)
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
        raw = _object(raw, p, EDGE_KEYS)
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
