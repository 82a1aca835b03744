"""A half-built graph, said once: which empty ports keep the output from being computed.

While a learner is still wiring, the output is undefined because some node it depends on
has an operand port with nothing plugged in. Every view then used to explain the symptom
its own way ("does not depend on x", "undefined ≠ undefined", "slope 0 everywhere"); they
now all say this one sentence instead, naming the empty ports.

Imports: standard library and explorer.graph only.
"""

from __future__ import annotations

from explorer.graph.model import Graph
from explorer.graph.naming import display_name
from explorer.graph.ops import OPS

_SHOWN = 3  # ports named in the sentence; the rest are counted


def empty_ports(graph: Graph, output: str | None) -> list[tuple[str, int]]:
    """(node id, slot) of every unconnected operand port the output depends on, upstream first."""
    if output is None or output not in graph:
        return []
    found: list[tuple[str, int]] = []
    seen = {output}
    order: list[str] = []
    stack = [output]
    while stack:  # iterative: a 10,000-node chain must not hit the recursion limit
        node_id = stack.pop()
        order.append(node_id)
        for source in graph.node(node_id).operands:
            if source is not None and source not in seen:
                seen.add(source)
                stack.append(source)
    for node_id in reversed(order):
        found.extend((node_id, slot) for slot, src in enumerate(graph.node(node_id).operands) if src is None)
    return found


def port_name(op: str, slot: int) -> str:
    """``the exponent`` for pow's slot 1; ``operand 2`` where the op has only letters."""
    spec = OPS.get(op)  # a function call ("call") names its ports after nothing here
    names = spec.operand_names if spec is not None else ()
    name = names[slot] if slot < len(names) else ""
    return f"the {name}" if len(name) > 1 else f"operand {slot + 1}"


def incomplete_message(graph: Graph, output: str | None) -> str | None:
    """One line naming the empty ports that keep ``output`` from being computed, or None."""
    ports = empty_ports(graph, output)
    if not ports or output is None:
        return None
    parts = [f"{port_name(graph.node(n).op, s)} of {display_name(graph, n)!r}" for n, s in ports[:_SHOWN]]
    if len(ports) > _SHOWN:
        parts.append(f"and {len(ports) - _SHOWN} more")
    plural = "s are" if len(ports) > 1 else " is"
    return (
        f"{display_name(graph, output)} is not computable until its empty port{plural} connected: "
        f"{', '.join(parts)}"
    )
