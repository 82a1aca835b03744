"""Automatic layered layout: inputs on the left, the output on the right, few crossings.

Used for graphs that arrive without positions (typed expressions, pasted programs, old
files) and by the editor's "auto-layout". A Sugiyama pipeline, every step iterative:

1. **Columns.** Longest path from the sources, so every edge points strictly left to
   right; then, in this order:

   * The output (:meth:`Graph.default_output`) moves to the rightmost column among all
     nodes not downstream of it (normally: all nodes).
   * Inputs stay in column 0, where a learner looks for them, unless that is costly: an
     input whose nearest reader is ``p + 1`` columns in, with ``k`` links, costs
     ``p * k`` extra column-steps of edge; above :data:`INPUT_SLACK` (3) it moves to just
     left of that reader. A neuron's ``x`` and ``b`` stay left; an MLP's second-layer
     weights sit beside their neuron instead of sending edges across the picture.
   * Whatever does not depend on an input left in column 0 (constants, moved inputs,
     sub-expressions such as ``-2`` built only from them) floats right to just left of
     its nearest reader: the ``2`` of ``x**2`` sits beside the ``pow``. Nodes not
     downstream of the output never float past it.

2. **Order in each column.** Long edges get a dummy vertex per column crossed (a lane).
   Two starts, a depth-first post-order from the output (operand 0 above operand 1,
   which draws any expression tree without crossings) and insertion order, each seed
   barycenter sweeps left to right and back (stable: ties keep the current order), and
   the ordering with the fewest crossings seen wins. Crossings count operand slots:
   ``a`` above ``b`` into ``a - b`` is uncrossed only when ``a`` is slot 0.

3. **Rows.** Each column in turn is fitted as closely as the minimum spacing allows
   (weighted least squares, pool-adjacent-violators, linear time) to the mean height
   of each vertex's neighbours in the previous column; sweeps in both directions.
   Lanes weigh more than nodes, so long edges run straight and nodes step aside.

Weakly connected parts are laid out apart and stacked downward, the output's part
first, all sharing the same columns (a longer leftover fragment stretches the edge into
the output rather than moving the inputs). Positions are scene pixels of each node's
top-left corner, y growing downward.

Rows are spaced by what is really drawn (:mod:`~explorer.graph.layout.sizes`): a
constant's small pill needs far less height than a card. Lanes for long edges are
rationed (:data:`~explorer.graph.layout.part.LANE_BUDGET`), so the work stays close to
linear in the size of the graph even where a constant feeds nodes all along it.

:func:`place_missing` places only the nodes that have no position yet, around the ones
the user placed by hand, without covering any of them.

Modules: ``sizes`` (room per node), ``columns`` (step 1), ``part`` (steps 2 and 3 for
one part), ``numeric`` (least squares and inversion counts), ``placing`` (new nodes
among placed ones).

Imports: standard library, NumPy and ``explorer.graph.model``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.graph.layout.columns import INPUT_SLACK, assign_columns, components
from explorer.graph.layout.numeric import fit as _fit
from explorer.graph.layout.numeric import inversions as _inversions
from explorer.graph.layout.part import Part
from explorer.graph.layout.sizes import (
    COLUMN_GAP,
    COLUMN_STEP,
    COMPONENT_GAP,
    HEADER_HEIGHT,
    NODE_HEIGHT,
    NODE_WIDTH,
    PILL_HEIGHT,
    ROW_GAP,
    extent,
)
from explorer.graph.model import Edge, Graph

__all__ = [
    "COLUMN_GAP",
    "COLUMN_STEP",
    "HEADER_HEIGHT",
    "INPUT_SLACK",
    "NODE_HEIGHT",
    "NODE_WIDTH",
    "PILL_HEIGHT",
    "ROW_GAP",
    "Layout",
    "_fit",
    "_inversions",
    "apply_layout",
    "compute_layout",
    "layout",
    "place_missing",
]


@dataclass(frozen=True, slots=True)
class Layout:
    """The result of :func:`compute_layout`.

    ``routes`` holds, for every edge spanning more than one column that got a lane, the
    centre points of its lane in the columns it crosses (left to right): bend points a
    canvas may draw the edge through so it does not cut across nodes.
    """

    positions: dict[str, tuple[float, float]]
    columns: dict[str, int]
    routes: dict[Edge, list[tuple[float, float]]]


def layout(graph: Graph) -> dict[str, tuple[float, float]]:
    """Node id -> scene position (top-left corner) for every node of ``graph``."""
    return compute_layout(graph).positions


def apply_layout(graph: Graph) -> None:
    """Move every node of ``graph`` to its automatic position."""
    for node_id, position in layout(graph).items():
        graph.move(node_id, position)


def place_missing(graph: Graph) -> dict[str, tuple[float, float]]:
    """Positions for the nodes that have none, clear of every node that has one."""
    from explorer.graph.layout.placing import place_missing as place

    return place(graph, compute_layout)


def compute_layout(graph: Graph) -> Layout:
    """Positions, columns and long-edge routes for every node of ``graph``."""
    nodes = graph.nodes
    n = len(nodes)
    if n == 0:
        return Layout({}, {}, {})
    index = {node.id: i for i, node in enumerate(nodes)}
    preds: list[list[int]] = [[] for _ in range(n)]  # distinct operands, in slot order
    succs: list[list[int]] = [[] for _ in range(n)]  # distinct consumers
    links = [0] * n  # outgoing links, counting x*x twice
    first_slot: dict[tuple[int, int], int] = {}
    for edge in graph.edges():  # node order, then slot order: the first slot seen is the lowest
        s, t = index[edge.source], index[edge.target]
        links[s] += 1
        if (s, t) not in first_slot:
            first_slot[s, t] = edge.slot
            preds[t].append(s)
            succs[s].append(t)
    topo = [index[i] for i in graph.topological_order()]
    out_id = graph.default_output()
    out = index[out_id] if out_id is not None else None
    is_input = [node.op == "input" for node in nodes]
    arity = [len(node.operands) for node in nodes]
    extents = [extent(node.op) for node in nodes]

    layer = assign_columns(preds, succs, links, topo, is_input, out)
    ys = np.zeros(n)
    lanes: dict[tuple[int, int], list[tuple[int, float]]] = {}
    bottom = 0.0
    for k, comp in enumerate(components(preds, succs, out)):
        part = Part(comp, layer, preds, succs, first_slot, arity, out, extents)
        part.order()
        part.place()
        top_edge = float(np.min(part.y + np.asarray(part.top)))
        bottom_edge = float(np.max(part.y + np.asarray(part.bottom)))
        shift = -(top_edge + bottom_edge) / 2 if k == 0 else bottom + COMPONENT_GAP - top_edge
        bottom = bottom_edge + shift
        ys[comp] = part.y[: len(comp)] + shift
        for pair, chain in part.chains.items():
            lanes[pair] = [(part.vlayer[d], float(part.y[d]) + shift) for d in chain]

    positions = {
        node.id: (_clean(layer[i] * COLUMN_STEP), _clean(y - NODE_HEIGHT / 2))
        for i, (node, y) in enumerate(zip(nodes, ys.tolist(), strict=True))
    }
    routes: dict[Edge, list[tuple[float, float]]] = {}
    for edge in graph.edges():
        lane = lanes.get((index[edge.source], index[edge.target]))
        if lane:
            routes[edge] = [(_clean(c * COLUMN_STEP + NODE_WIDTH / 2), _clean(y)) for c, y in lane]
    columns = {node.id: layer[i] for i, node in enumerate(nodes)}
    return Layout(positions, columns, routes)


def _clean(value: float) -> float:
    # Rounding hides float noise from the sweeps (and -0.0) so files diff calmly.
    return round(value, 3) + 0.0
