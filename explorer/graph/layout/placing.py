"""New nodes among placed ones: positions for nodes that have none, covering nothing.

A graph may arrive half-placed: nodes the user arranged by hand, plus nodes an edit
added without a position (a pasted expression, a node inserted by a command). The new
ones take their place from the automatic layout of the whole graph, moved as a block
so that the layout's frame sits on the hand-placed nodes (the median offset between
where the layout would put those and where they are), and then each new node that
would cover a placed node, or a new node placed before it, slides down its column to
the first free gap. Hand-placed nodes never move.

Imports: standard library and the layout's own modules.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from typing import Any

from explorer.graph.layout.sizes import COLUMN_GAP, COLUMN_STEP, NODE_HEIGHT, NODE_WIDTH, ROW_GAP, extent
from explorer.graph.model import Graph

_Box = tuple[float, float, float, float]  # left, top, right, bottom (scene units)
_SLACK = 1e-6  # rounding in the sums must not make a gap of exactly ROW_GAP count as too close


def place_missing(graph: Graph, compute: Callable[[Graph], Any]) -> dict[str, tuple[float, float]]:
    """Top-left positions for every node of ``graph`` without one (see the module docstring)."""
    missing = [node for node in graph.nodes if node.position is None]
    if not missing:
        return {}
    auto: dict[str, tuple[float, float]] = compute(graph).positions
    placed = [node for node in graph.nodes if node.position is not None]
    if not placed:
        return auto
    dx, dy = _offset(graph, auto, placed, {node.id for node in missing})
    grid = _Grid()
    for node in placed:
        assert node.position is not None
        grid.add(_box(node.op, node.position))
    result: dict[str, tuple[float, float]] = {}
    for node in sorted(missing, key=lambda n: (auto[n.id][0], auto[n.id][1])):
        x, y = auto[node.id][0] + dx, auto[node.id][1] + dy
        top, _bottom = extent(node.op)
        while True:
            blocker = grid.first_hit(_box(node.op, (x, y)))
            if blocker is None:
                break
            # Just below what is in the way; always downward, so the search ends.
            y = max(y + 1.0, blocker[3] + ROW_GAP - top - NODE_HEIGHT / 2)
        position = (round(x, 3) + 0.0, round(y, 3) + 0.0)
        grid.add(_box(node.op, position))
        result[node.id] = position
    return result


def _offset(
    graph: Graph, auto: dict[str, tuple[float, float]], placed: list[Any], missing: set[str]
) -> tuple[float, float]:
    """How far the layout's frame must move to sit on the hand-placed nodes.

    Neighbours of the new nodes count most: only they vote when there are any.
    """
    near = set()
    for edge in graph.edges():
        if edge.source in missing and edge.target not in missing:
            near.add(edge.target)
        elif edge.target in missing and edge.source not in missing:
            near.add(edge.source)
    voters = [node for node in placed if node.id in near] or placed
    dx = statistics.median(node.position[0] - auto[node.id][0] for node in voters)
    dy = statistics.median(node.position[1] - auto[node.id][1] for node in voters)
    return dx, dy


def _box(op: str, position: tuple[float, float]) -> _Box:
    """What is drawn for a node at ``position`` (top-left of its card slot)."""
    top, bottom = extent(op)
    centre = position[1] + NODE_HEIGHT / 2
    return (position[0], centre + top, position[0] + NODE_WIDTH, centre + bottom)


class _Grid:
    """Boxes bucketed by column-wide strips of x, so a lookup sees only its neighbours."""

    def __init__(self) -> None:
        self._strips: dict[int, list[_Box]] = {}

    def _span(self, box: _Box) -> range:
        return range(math.floor(box[0] / COLUMN_STEP), math.floor(box[2] / COLUMN_STEP) + 1)

    def add(self, box: _Box) -> None:
        for strip in self._span(box):
            self._strips.setdefault(strip, []).append(box)

    def first_hit(self, box: _Box) -> _Box | None:
        """The lowest-reaching box that ``box`` would cover or crowd (closer than the gaps)."""
        left, top, right, bottom = box
        hits = [
            other
            for strip in self._span(box)
            for other in self._strips.get(strip, ())
            if other[0] < right + COLUMN_GAP / 2
            and left < other[2] + COLUMN_GAP / 2
            and other[1] < bottom + ROW_GAP - _SLACK
            and top < other[3] + ROW_GAP - _SLACK
        ]
        return max(hits, key=lambda b: b[3]) if hits else None
