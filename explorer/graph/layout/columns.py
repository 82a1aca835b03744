"""Step 1 of the layout: a column for every node, and the weakly connected parts.

Longest path from the sources, so every edge points strictly left to right; then the
output moves to the rightmost column, inputs leave column 0 only when keeping them there
is costly (:data:`INPUT_SLACK`), and whatever does not depend on an input left in column
0 floats right to just left of its nearest reader (see the package docstring).

Imports: standard library only.
"""

from __future__ import annotations

INPUT_SLACK = 3
"""How many extra column-steps of edge an input may cost before it leaves column 0."""


def assign_columns(
    preds: list[list[int]],
    succs: list[list[int]],
    links: list[int],
    topo: list[int],
    is_input: list[bool],
    out: int | None,
) -> list[int]:
    n = len(preds)
    layer = [0] * n
    for v in topo:
        for u in preds[v]:
            if layer[u] >= layer[v]:
                layer[v] = layer[u] + 1

    downstream = _downstream(succs, out) if out is not None else set()
    if out is not None:
        rightmost = max((layer[v] for v in range(n) if v not in downstream), default=0)
        if rightmost > layer[out]:
            layer[out] = rightmost
            for v in topo:  # only the output's descendants can move
                for u in preds[v]:
                    if layer[u] >= layer[v]:
                        layer[v] = layer[u] + 1

    pinned = [False] * n
    for v in range(n):
        if is_input[v]:
            nearest = min((layer[t] for t in succs[v]), default=1)
            pinned[v] = (nearest - 1) * links[v] <= INPUT_SLACK
    anchored = pinned[:]
    for v in topo:
        if not anchored[v] and any(anchored[u] for u in preds[v]):
            anchored[v] = True
    for v in reversed(topo):  # consumers first, so whole floating sub-expressions slide
        if anchored[v] or not succs[v]:
            continue
        target = min(layer[t] for t in succs[v]) - 1
        if out is not None and v not in downstream:
            target = min(target, layer[out])
        layer[v] = max(layer[v], target)
    return layer


def _downstream(succs: list[list[int]], start: int) -> set[int]:
    seen = {start}
    stack = [start]
    while stack:
        for t in succs[stack.pop()]:
            if t not in seen:
                seen.add(t)
                stack.append(t)
    return seen


def components(preds: list[list[int]], succs: list[list[int]], out: int | None) -> list[list[int]]:
    """Weakly connected parts, each sorted; the output's part first, then by first node."""
    n = len(preds)
    part = [-1] * n
    comps: list[list[int]] = []
    for start in range(n):
        if part[start] >= 0:
            continue
        part[start] = len(comps)
        members = [start]
        stack = [start]
        while stack:
            v = stack.pop()
            for w in (*preds[v], *succs[v]):
                if part[w] < 0:
                    part[w] = part[start]
                    members.append(w)
                    stack.append(w)
        comps.append(sorted(members))
    if out is not None and part[out] > 0:
        comps.insert(0, comps.pop(part[out]))
    return comps
