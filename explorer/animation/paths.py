"""Every path from a node to the output, with the product of local derivatives along it.

The lesson's sentence made countable: the gradient of the output with respect to a node
is the sum, over every path from the node to the output, of the product of the local
derivatives on that path's edges. Two edges between the same pair of nodes (``x * x``)
are two paths.

Paths are listed by an iterative depth-first walk that stops at ``cap`` (the number of
paths can grow exponentially with depth); the total number of paths and the sum of all
path products are counted exactly by dynamic programming over the topological order, so
a truncated list can still say honestly "… and N more" and give the full sum.

Imports: standard library, explorer.graph.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from explorer.graph.engine import Evaluation
from explorer.graph.model import Edge

DEFAULT_CAP = 1000


@dataclass(frozen=True, slots=True)
class ChainPath:
    """One path from the start node to the output: its edges, their local derivatives, the product."""

    edges: tuple[Edge, ...]
    locals: tuple[float, ...]
    product: float

    @property
    def nodes(self) -> tuple[str, ...]:
        if not self.edges:
            return ()
        return (self.edges[0].source, *(e.target for e in self.edges))


@dataclass(frozen=True, slots=True)
class PathList:
    start: str
    output: str | None
    paths: tuple[ChainPath, ...]
    total_count: int  # all paths, listed or not
    total_sum: float  # sum of the products over all paths (not only the listed ones)

    @property
    def listed_sum(self) -> float:
        return math.fsum(p.product for p in self.paths)

    @property
    def truncated(self) -> int:
        """How many paths exist beyond the listed ones."""
        return self.total_count - len(self.paths)


def _product(values: tuple[float, ...]) -> float:
    result = 1.0
    for v in values:
        result *= v
    return result


def chain_paths(evaluation: Evaluation, start: str, cap: int = DEFAULT_CAP) -> PathList:
    """Paths from node ``start`` to the evaluation's output, at most ``cap`` of them listed."""
    output = evaluation.output
    if output is None:
        return PathList(start, None, (), 0, math.nan)
    program = evaluation.program
    out = program.index[output]
    begin = program.index[start]
    mark = program.ancestors(out)
    if not mark[begin]:
        return PathList(start, output, (), 0, 0.0)

    # Outgoing edges that stay on the way to the output, in edge (topological) order.
    outgoing: list[list[int]] = [[] for _ in program.ids]
    for e, (src, dst) in enumerate(program.edge_ends):
        if mark[src] and mark[dst]:
            outgoing[src].append(e)
    locals_ = evaluation.local_list

    # Exact totals: number of paths and sum of products from each node to the output.
    count = [0] * len(program.ids)
    total = [0.0] * len(program.ids)
    count[out], total[out] = 1, 1.0
    for i in range(out - 1, begin - 1, -1):
        if mark[i]:
            count[i] = sum(count[program.edge_ends[e][1]] for e in outgoing[i])
            total[i] = math.fsum(locals_[e] * total[program.edge_ends[e][1]] for e in outgoing[i])

    paths: list[ChainPath] = []
    stack: list[tuple[int, int]] = [(begin, 0)]  # (node, next outgoing edge to try)
    trail: list[int] = []
    while stack and len(paths) < cap:
        node, k = stack[-1]
        if node == out:
            edges = tuple(program.edges[e] for e in trail)
            factors = tuple(locals_[e] for e in trail)
            paths.append(ChainPath(edges, factors, _product(factors)))
            stack.pop()
            if trail:
                trail.pop()
            continue
        if k >= len(outgoing[node]):
            stack.pop()
            if trail:
                trail.pop()
            continue
        stack[-1] = (node, k + 1)
        e = outgoing[node][k]
        trail.append(e)
        stack.append((program.edge_ends[e][1], 0))
    return PathList(start, output, tuple(paths), count[begin], total[begin])
