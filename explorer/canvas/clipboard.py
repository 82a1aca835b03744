"""Copy and paste as text: a selection becomes a graph file, text becomes a graph.

Copied nodes are written with the graph file format (:mod:`explorer.io.format`), so the
clipboard holds ordinary, validated JSON that can be pasted into another window or
saved as a file. Pasting also accepts a micrograd-style program or an expression when
the expression parser is available (``a = 2.0; b = a * 3``), laid out automatically.

Imports: explorer.graph, explorer.io.format (no Qt).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from explorer.graph.layout import apply_layout
from explorer.graph.model import Graph, GraphError
from explorer.io.format import FormatError, dumps, loads


def selection_graph(
    graph: Graph, node_ids: Iterable[str], positions: Mapping[str, tuple[float, float]]
) -> Graph:
    """The chosen nodes with the links among them; ``positions`` overrides stored ones."""
    chosen = [nid for nid in dict.fromkeys(node_ids) if nid in graph]
    keep = set(chosen)
    sub = Graph()
    # The functions the copied calls use, and the ones those call, travel with them.
    needed = {graph.node(nid).function for nid in chosen if graph.node(nid).op == "call"}
    for function in reversed(graph.functions):
        if function.name in needed:
            needed |= function.callees
    for function in graph.functions:
        if function.name in needed:
            sub.add_function(function)
    for node in graph.nodes:  # graph order, so the copy reads like the original
        if node.id not in keep:
            continue
        position = positions.get(node.id, node.position)
        if node.op == "call":
            sub.add_call(sub.function(node.function), node.name, position, node_id=node.id)
        else:
            sub.add_node(node.op, node.name, node.value, position, node_id=node.id)
    for edge in graph.edges():
        if edge.source in keep and edge.target in keep:
            sub.connect(edge.source, edge.target, edge.slot)
    return sub


def selection_text(
    graph: Graph, node_ids: Iterable[str], positions: Mapping[str, tuple[float, float]]
) -> str:
    return dumps(selection_graph(graph, node_ids, positions))


def graph_from_text(text: str) -> Graph:
    """A graph from clipboard text; raises GraphError with a one-line reason."""
    stripped = text.strip()
    if not stripped:
        raise GraphError("the clipboard is empty")
    if stripped.startswith("{"):
        try:
            graph = loads(stripped, source="clipboard")
        except FormatError as exc:
            raise GraphError(f"cannot paste: {exc}") from None
    else:
        graph = _parse_program(stripped)
    if any(node.position is None for node in graph.nodes):
        apply_layout(graph)
    return graph


def _parse_program(text: str) -> Graph:
    try:
        from explorer.graph.parser import parse  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        raise GraphError("the clipboard does not hold a graph") from None
    try:
        graph: Graph = parse(text)
    except (GraphError, ValueError, SyntaxError) as exc:
        raise GraphError(f"cannot paste: {exc}") from None
    return graph
