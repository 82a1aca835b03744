"""Gradient health: where the chain rule's product grows tiny, and why.

The gradient of a deep parameter is a product of local derivatives along the paths to the
loss. One small factor anywhere on a path shrinks everything behind it, and a long chain
of factors below 1 (sigmoid's is at most 0.25) vanishes geometrically. Learners of deep
networks ask "why does my first layer not learn?"; this module answers with numbers the
engine already has:

* **edge strength** — |contribution| (upstream × local) of every edge on a log scale,
  0 (six or more decades below the strongest edge, or exactly 0) to 1 (the strongest);
* **saturated** tanh and sigmoid nodes, whose local derivative has collapsed (1 − o² or
  s(1 − s) below 5% of its largest value), and **dead relus** (input ≤ 0: local 0, so
  nothing flows back through them);
* **gradient by depth** — the median and largest |d(loss)/d(node)| of the nodes that are
  ``d`` steps (longest path) before the output: a vanishing gradient is a falling line.

Imports: standard library and the rest of ``explorer.graph``.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

from explorer.graph.engine import Evaluation
from explorer.graph.model import Edge

DECADES = 6.0
"""Edges this many powers of ten weaker than the strongest get strength 0."""
SATURATION = 0.05
"""A squashing node is saturated below this fraction of its largest local derivative."""


@dataclass(frozen=True, slots=True)
class DepthGradient:
    depth: int  # steps before the output, along the longest path
    median: float  # median |d(out)/d(node)| of the nodes at this depth
    largest: float
    count: int


@dataclass(frozen=True)
class Health:
    edge_strength: dict[Edge, float] = field(default_factory=dict)
    saturated: dict[str, str] = field(default_factory=dict)  # node id -> why, in one line
    dead: dict[str, str] = field(default_factory=dict)
    by_depth: list[DepthGradient] = field(default_factory=list)


def gradient_health(ev: Evaluation) -> Health:
    """Edge strengths, saturated and dead nodes, and gradient magnitude by depth."""
    program = ev.program
    if ev.output is None:
        return Health()
    out = program.index[ev.output]
    mark = program.ancestors(out)
    varies = program.varies

    strengths: dict[Edge, float] = {}
    logs: dict[int, float] = {}
    for e, (src, dst) in enumerate(program.edge_ends):
        if not (mark[dst] and varies[src]):
            continue
        c = abs(ev.contribution_list[e])
        if math.isfinite(c) and c > 0.0:
            logs[e] = math.log10(c)
    top = max(logs.values(), default=0.0)
    for e, (src, dst) in enumerate(program.edge_ends):
        if mark[dst] and varies[src]:
            lg = logs.get(e)
            strength = 0.0 if lg is None else min(1.0, max(0.0, (lg - (top - DECADES)) / DECADES))
            strengths[program.edges[e]] = strength

    saturated: dict[str, str] = {}
    dead: dict[str, str] = {}
    values = ev.value_list
    for i, op in enumerate(program.ops):
        if not mark[i] or not varies[i] or op.name not in ("tanh", "sigmoid", "relu"):
            continue
        (a,) = program.operands[i]
        if a < 0 or values[i] != values[i]:
            continue
        nid, x, y = program.ids[i], values[a], values[i]
        if op.name == "tanh" and 1.0 - y * y < SATURATION:
            saturated[nid] = f"saturated tanh: input {x:.3g}, local derivative 1 − o² = {1.0 - y * y:.2g}"
        elif op.name == "sigmoid" and y * (1.0 - y) < SATURATION * 0.25:
            saturated[nid] = (
                f"saturated sigmoid: input {x:.3g}, local derivative s(1 − s) = {y * (1.0 - y):.2g}"
            )
        elif op.name == "relu" and x <= 0.0:
            dead[nid] = f"dead relu: input {x:.3g} ≤ 0, so nothing flows back through it"

    depth = [-1] * len(program.ids)
    depth[out] = 0
    for i in range(out, -1, -1):
        if depth[i] < 0:
            continue
        for j in program.operands[i]:
            if j >= 0 and depth[i] + 1 > depth[j]:
                depth[j] = depth[i] + 1
    groups: dict[int, list[float]] = {}
    for i, d in enumerate(depth):
        g = ev.grad_list[i]
        if d >= 0 and varies[i] and math.isfinite(g):
            groups.setdefault(d, []).append(abs(g))
    by_depth = [DepthGradient(d, statistics.median(gs), max(gs), len(gs)) for d, gs in sorted(groups.items())]
    return Health(strengths, saturated, dead, by_depth)
