"""The panel's three uses of the vectorised sweep, with no Qt: a curve, a range, a grid.

Nodes are handed to :func:`explorer.graph.tape.sweep` by name when they have one (it
looks names up first), else by id. Every function returns NaN where y is undefined and
lets :class:`~explorer.graph.model.GraphError` through for the caller to show.

Imports: NumPy, explorer.graph, explorer.plot.sampling.
"""

from __future__ import annotations

import numpy as np

from explorer.graph.model import Graph, GraphError
from explorer.graph.tape import sweep, sweep_grid
from explorer.plot.sampling import interesting_range


def key(graph: Graph, node_id: str) -> str:
    node = graph.node(node_id)
    return node.name or node.id


def curve(graph: Graph, x: str, y: str, lo: float, hi: float, n: int) -> tuple[np.ndarray, ...]:
    """(xs, y(xs), dy/dx(xs)) at ``n`` evenly spaced x in [lo, hi]."""
    xs = np.linspace(lo, hi, n)
    ys, dys = sweep(graph, key(graph, x), xs, output=key(graph, y))
    return xs, ys, dys


def fit_range(graph: Graph, x: str, y: str | None, x0: float) -> tuple[float, float]:
    """:func:`~explorer.plot.sampling.interesting_range` of y around x = x0."""
    if y is None:
        return (x0 - 2.0, x0 + 2.0)
    x_key, y_key = key(graph, x), key(graph, y)
    try:
        return interesting_range(lambda xs: sweep(graph, x_key, xs, output=y_key), x0)
    except GraphError:
        return (x0 - 2.0, x0 + 2.0)


def grid(graph: Graph, x: str, x2: str, y: str, xs: np.ndarray, x2s: np.ndarray) -> np.ndarray:
    """``values[j, i]`` = y at (x = xs[i], x₂ = x2s[j]): the whole grid in one tape pass."""
    return grid_with_slopes(graph, x, x2, y, xs, x2s)[0]


def grid_with_slopes(
    graph: Graph, x: str, x2: str, y: str, xs: np.ndarray, x2s: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(y, ∂y/∂x, ∂y/∂x₂) at ``[j, i]`` = (x = xs[i], x₂ = x2s[j])."""
    return sweep_grid(graph, key(graph, x), key(graph, x2), xs, x2s, output=key(graph, y))
