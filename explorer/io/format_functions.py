"""The ``functions`` key of the graph file format (version 2): read, check, build, write.

Each function is ``{"name", "parameters", "output", "nodes", "edges"}``: its body is
written like a graph (same node and edge objects, checked by the same code, with JSON
paths under ``$.functions[i]``); its parameters are the body's ``input`` nodes, named
after them (a parameter needs no ``value``). Nodes anywhere may be ``{"op": "call",
"function": "g"}`` with one operand slot per parameter of ``g``.

Checked before anything is built, each refusal one line naming the JSON path: names and
parameters, every body input a parameter and every parameter an input, a complete body
with an ``output``, no cycle inside a body, no function calling itself or taking part in
a cycle of calls (named: ``f -> g -> f``), nesting at most ``MAX_FUNCTION_DEPTH`` deep and
at most ``MAX_INLINED_NODES`` nodes once inlined. All loops are iterative, so a file with
ten thousand nested definitions is refused at once, never by a recursion error.

Imports: standard library, ``explorer.graph`` and the format's modules (never Qt).
"""

from __future__ import annotations

import json
import keyword
from typing import Any

from explorer.graph.functions import MAX_FUNCTION_DEPTH, MAX_INLINED_NODES, Function, name_problem
from explorer.graph.model import Graph
from explorer.graph.ops import OPS
from explorer.io.format import MAX_ITEMS
from explorer.io.format_checks import _field, _object, _Refused, _show
from explorer.io.format_plan import _build_order, _check_edges, _check_nodes, _PlanNode, build_nodes
from explorer.io.format_writing import nodes_to_list

FUNCTION_KEYS = ("name", "parameters", "output", "nodes", "edges")

# name, parameters, output, nodes, edges in build order
FunctionPlan = tuple[str, list[str], str, list[_PlanNode], list[tuple[str, str, int]]]


def check_functions(raw: list[Any]) -> tuple[list[FunctionPlan], dict[str, int]]:
    """Checked plans in an order where callees come first, and each function's arity."""
    if len(raw) > MAX_ITEMS:
        raise _Refused("$.functions", f"more than {MAX_ITEMS:,} functions")
    heads: list[tuple[str, list[str]]] = []
    index: dict[str, int] = {}
    for i, item in enumerate(raw):
        p = f"$.functions[{i}]"
        item = _object(item, p, FUNCTION_KEYS)
        name = _field(item, "name", p, str, "a string")
        problem = name_problem(name)
        if problem:
            raise _Refused(f"{p}.name", f"cannot name a function: {problem}")
        if name in index:
            raise _Refused(
                f"{p}.name", f"duplicate function name {_show(name)} (also $.functions[{index[name]}])"
            )
        params = _field(item, "parameters", p, list, "an array")
        if not params:
            raise _Refused(f"{p}.parameters", "a function needs at least one parameter")
        for k, param in enumerate(params):
            q = f"{p}.parameters[{k}]"
            if not isinstance(param, str) or not param.isidentifier() or keyword.iskeyword(param):
                raise _Refused(q, f"expected a parameter name, found {_show(param)}")
            if param in params[:k]:
                raise _Refused(q, f"parameter {_show(param)} appears twice")
        index[name] = i
        heads.append((name, params))
    arity = {name: len(params) for name, params in heads}

    plans: list[FunctionPlan] = []
    callees: list[set[str]] = []
    for i, (item, (name, params)) in enumerate(zip(raw, heads, strict=True)):
        p = f"$.functions[{i}]"
        nodes, ops = _check_nodes(_field(item, "nodes", p, list, "an array"), arity, p, body=True)
        found: dict[str, int] = {}
        calls: dict[str, int] = {}
        called: set[str] = set()
        for j, (node_id, op, node_name, _v, _xy, trainable, function) in enumerate(nodes):
            if op == "input":
                if node_name not in params:
                    what = f"input {_show(node_name or node_id)}"
                    raise _Refused(
                        f"{p}.nodes[{j}].name",
                        f"{what} is not a parameter of {name} (parameters: {', '.join(params)})",
                    )
                if trainable:
                    raise _Refused(f"{p}.nodes[{j}].trainable", "a parameter cannot be trainable")
                found[node_name] = j
            elif op == "call":
                if function == name:
                    raise _Refused(
                        f"{p}.nodes[{j}].function", f"{name!r} calls itself; recursion is not supported"
                    )
                calls[node_id] = arity[function]
                called.add(function)
        for k, param in enumerate(params):
            if param not in found:
                raise _Refused(
                    f"{p}.parameters[{k}]", f"parameter {_show(param)} has no input node in the body"
                )
        edges = _check_edges(_field(item, "edges", p, list, "an array"), ops, calls, p)
        fed = {(target, slot) for _s, target, slot in edges}
        for j, (node_id, op, *_rest) in enumerate(nodes):
            want = calls[node_id] if op == "call" else OPS[op].arity
            for slot in range(want):
                if (node_id, slot) not in fed:
                    raise _Refused(
                        f"{p}.nodes[{j}]",
                        f"operand {slot + 1} of {_show(node_id)} is not connected (a body must be complete)",
                    )
        output = _field(item, "output", p, str, "a node id")
        if output not in ops:
            raise _Refused(f"{p}.output", f"no node with id {_show(output)}")
        plans.append((name, params, output, nodes, _build_order(edges, list(ops), p)))
        callees.append(called)
    order = _call_order(heads, callees, index)
    _check_nesting(order, plans, callees, index)
    return [plans[i] for i in order], arity


def _call_order(
    heads: list[tuple[str, list[str]]], callees: list[set[str]], index: dict[str, int]
) -> list[int]:
    """Function indices with callees first (file order among equals); refuses a cycle by name."""
    callers: list[list[int]] = [[] for _ in heads]
    pending = [len(c) for c in callees]
    for i, called in enumerate(callees):
        for name in called:
            callers[index[name]].append(i)
    ready = [i for i in reversed(range(len(heads))) if pending[i] == 0]
    order: list[int] = []
    while ready:
        i = ready.pop()
        order.append(i)
        released = []
        for caller in callers[i]:
            pending[caller] -= 1
            if pending[caller] == 0:
                released.append(caller)
        ready.extend(sorted(released, reverse=True))
    if len(order) < len(heads):
        # Every function left over calls one that is left over too: walking on must repeat.
        at = next(i for i in range(len(heads)) if pending[i] > 0)
        seen: dict[int, int] = {}
        trail: list[int] = []
        while at not in seen:
            seen[at] = len(trail)
            trail.append(at)
            at = min(index[n] for n in callees[at] if pending[index[n]] > 0)
        loop = trail[seen[at] :]
        names = [heads[i][0] for i in loop] + [heads[loop[0]][0]]
        shown = " -> ".join(_show(n, 20) for n in names[:8]) + (" -> …" if len(names) > 8 else "")
        raise _Refused(f"$.functions[{min(loop)}]", f"functions call each other in a cycle: {shown}")
    return order


def _check_nesting(
    order: list[int], plans: list[FunctionPlan], callees: list[set[str]], index: dict[str, int]
) -> None:
    depth = [1] * len(plans)
    size = [0] * len(plans)
    for i in order:
        name, _params, _out, nodes, _edges = plans[i]
        depth[i] = 1 + max((depth[index[c]] for c in callees[i]), default=0)
        size[i] = sum(size[index[n[6]]] if n[1] == "call" else 1 for n in nodes)
        if depth[i] > MAX_FUNCTION_DEPTH:
            raise _Refused(
                f"$.functions[{i}]", f"function {name!r} nests calls more than {MAX_FUNCTION_DEPTH} deep"
            )
        if size[i] > MAX_INLINED_NODES:
            raise _Refused(
                f"$.functions[{i}]", f"function {name!r} expands to more than {MAX_INLINED_NODES:,} nodes"
            )


def build_functions(graph: Graph, plans: list[FunctionPlan]) -> None:
    """Add checked functions to ``graph``'s library, callees first."""
    for name, params, output, nodes, edges in plans:
        body = Graph()
        build_nodes(body, nodes, edges, {f.name: f for f in graph.functions})
        body.set_output(output)
        graph.add_function(Function(name, params, body))


def functions_to_list(graph: Graph) -> list[dict[str, Any]]:
    """The "functions" array: library order, callees first; parameters carry no value."""
    result = []
    for function in graph.functions:
        nodes = nodes_to_list(function.body)
        for item in nodes:
            if item["op"] == "input":
                item.pop("value", None)
        result.append(
            {
                "name": function.name,
                "parameters": list(function.parameters),
                "output": function.output,
                "nodes": nodes,
                "edges": [
                    {"source": e.source, "target": e.target, "slot": e.slot} for e in function.body.edges()
                ],
            }
        )
    return result


def dump_functions(functions: list[dict[str, Any]]) -> str:
    """The "functions" value as file text: one body node or edge per line, like the graph's."""

    def row(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))

    items = []
    for function in functions:
        lines = []
        for key, value in function.items():
            if key in ("nodes", "edges") and value:
                text = "[\n        " + ",\n        ".join(row(v) for v in value) + "\n      ]"
            else:
                text = json.dumps(value, ensure_ascii=False)
            lines.append(f'      "{key}": {text}')
        items.append("{\n" + ",\n".join(lines) + "\n    }")
    return "[\n    " + ",\n    ".join(items) + "\n  ]"
