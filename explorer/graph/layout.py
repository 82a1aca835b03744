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

Imports: standard library, NumPy and ``explorer.graph.model``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, pairwise

import numpy as np

from explorer.graph.model import Edge, Graph

NODE_WIDTH = 150.0
NODE_HEIGHT = 84.0
COLUMN_GAP = 90.0
ROW_GAP = 36.0
COMPONENT_GAP = 2 * ROW_GAP
COLUMN_STEP = NODE_WIDTH + COLUMN_GAP

INPUT_SLACK = 3
"""How many extra column-steps of edge an input may cost before it leaves column 0."""

_DUMMY_WEIGHT = 4.0  # how much more a long edge's lane resists bending than a node
_LONELY_WEIGHT = 1e-3  # a vertex without neighbours on the reference side barely pulls
_MAX_ORDER_ROUNDS = 8
_PATIENCE = 2  # rounds without fewer crossings before the sweeps stop
_PORT_SPREAD = 0.2  # operand ports of one node, in units of one position in the column

_Table = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True, slots=True)
class Layout:
    """The result of :func:`compute_layout`.

    ``routes`` holds, for every edge spanning more than one column, the centre points of
    its lane in the columns it crosses (left to right): bend points a canvas may draw
    the edge through so it does not cut across nodes.
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

    layer = _assign_layers(preds, succs, links, topo, is_input, out)
    ys = np.zeros(n)
    lanes: dict[tuple[int, int], list[tuple[int, float]]] = {}
    bottom = 0.0
    for k, comp in enumerate(_components(preds, succs, out)):
        part = _Part(comp, layer, preds, succs, first_slot, arity, out)
        part.order()
        part.place()
        half = np.asarray(part.half)
        top_edge, bottom_edge = float(np.min(part.y - half)), float(np.max(part.y + half))
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


# ------------------------------------------------------------------------------ layers
def _assign_layers(
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


def _components(preds: list[list[int]], succs: list[list[int]], out: int | None) -> list[list[int]]:
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


# ------------------------------------------------------------------------ one part
class _Part:
    """One weakly connected part, with dummy vertices on its long edges.

    Vertices are local: ``0 .. len(real)-1`` are the real nodes, the rest dummies.
    """

    def __init__(
        self,
        comp: list[int],
        layer: list[int],
        preds: list[list[int]],
        succs: list[list[int]],
        first_slot: dict[tuple[int, int], int],
        arity: list[int],
        out: int | None,
    ) -> None:
        local = {g: i for i, g in enumerate(comp)}
        self.vlayer: list[int] = [layer[g] for g in comp]
        self.half: list[float] = [NODE_HEIGHT / 2] * len(comp)
        self.left: list[list[int]] = [[] for _ in comp]
        self.right: list[list[int]] = [[] for _ in comp]
        self.chains: dict[tuple[int, int], list[int]] = {}
        rank = _postorder(comp, preds, succs, out)
        dfs_key: list[tuple[int, int]] = [(rank[g], -1) for g in comp]
        naive_key: list[tuple[int, int]] = [(g, -1) for g in comp]
        segs: list[tuple[int, int, int, float]] = []  # (left end, right end, slot, port offset)
        for g in comp:
            for t in succs[g]:
                slot = first_slot[g, t]
                span = layer[t] - layer[g]
                prev = local[g]
                chain: list[int] = []
                for step in range(1, span):
                    d = len(self.vlayer)
                    self.vlayer.append(layer[g] + step)
                    self.half.append(0.0)
                    self.left.append([prev])
                    self.right.append([])
                    self.right[prev].append(d)
                    dfs_key.append((rank[g], d))
                    naive_key.append((g, d))
                    segs.append((prev, d, 0, 0.0))
                    chain.append(d)
                    prev = d
                if chain:
                    self.chains[g, t] = chain
                target = local[t]
                offset = _PORT_SPREAD * (slot - (arity[t] - 1) / 2) / max(arity[t] - 1, 1)
                self.left[target].append(prev)
                self.right[prev].append(target)
                segs.append((prev, target, slot, offset))
        self.dummy_from = len(comp)
        self.y = np.zeros(len(self.vlayer))
        base = min(self.vlayer)
        self.layers: list[list[int]] = [[] for _ in range(max(self.vlayer) - base + 1)]
        for v, lay in enumerate(self.vlayer):
            self.layers[lay - base].append(v)
        self._col = np.asarray(self.vlayer, dtype=np.int64) - base
        table = np.asarray(segs, dtype=np.float64).reshape(-1, 4).T
        self._seg_u, self._seg_v, self._seg_slot = table[:3].astype(np.int64)
        self._seg_offset = table[3]
        self._dfs_key = dfs_key
        self._naive_key = naive_key
        self._prepared = False

    # ---------------------------------------------------------------- ordering
    # Positions within a column live in one float array indexed by vertex; a column's
    # members keep a fixed numbering (``_member_index``) so the per-column neighbour
    # tables built once in ``_prepare`` stay valid while the order changes.
    def order(self) -> None:
        if all(len(col) < 2 for col in self.layers):
            return
        self._prepare()
        best_count, best_pos = -1, np.zeros(0)
        for key in (self._dfs_key, self._naive_key):
            pos = self._initial(key)
            count, pos = self._improve(self._crossings(pos), pos)
            if count:
                # Barycenters cannot see two operands entering one node swapped; the
                # mirror image has the same node crossings with every such pair flipped.
                mirror = self._width - 1 - pos
                flipped = self._crossings(mirror)
                if flipped < count:
                    count, pos = self._improve(flipped, mirror)
            if best_count < 0 or count < best_count:
                best_count, best_pos = count, pos
            if best_count == 0:
                break
        self.layers = [members[np.argsort(best_pos[members])].tolist() for members in self._members]

    def _prepare(self) -> None:
        self._prepared = True
        widths = np.asarray([len(col) for col in self.layers], dtype=np.int64)
        self._width = widths[self._col].astype(np.float64)
        self._members = [np.asarray(col, dtype=np.int64) for col in self.layers]
        member_index = np.zeros(len(self.vlayer), dtype=np.int64)
        for members in self._members:
            member_index[members] = np.arange(members.size)
        self._member_index = member_index
        seg_col = self._col[self._seg_u]
        by_col = np.argsort(seg_col, kind="stable")
        bounds = np.searchsorted(seg_col[by_col], np.arange(len(self.layers) + 1))
        # Per column with company: (member number, vertex at the other end, port offset,
        # links per member) for the links from the column before (``_into``) and to the
        # column after (``_out_of``). Operand ports only matter seen from the left.
        self._into: list[_Table | None] = [None] * len(self.layers)
        self._out_of: list[_Table | None] = [None] * len(self.layers)
        for c in range(len(self.layers) - 1):
            picked = by_col[bounds[c] : bounds[c + 1]]
            src, dst = self._seg_u[picked], self._seg_v[picked]
            if widths[c + 1] > 1:
                at = member_index[dst]
                zero = np.zeros(picked.size)
                self._into[c + 1] = (at, src, zero, np.bincount(at, minlength=widths[c + 1]))
            if widths[c] > 1:
                at = member_index[src]
                offsets = self._seg_offset[picked]
                self._out_of[c] = (at, dst, offsets, np.bincount(at, minlength=widths[c]))

    def _initial(self, key: list[tuple[int, int]]) -> np.ndarray:
        pos = np.zeros(len(self.vlayer), dtype=np.float64)
        for col in self.layers:
            pos[sorted(col, key=key.__getitem__)] = np.arange(len(col))
        return pos

    def _improve(self, best: int, pos: np.ndarray) -> tuple[int, np.ndarray]:
        """Barycenter sweeps from ``pos``; the ordering with fewest crossings seen."""
        best_pos = pos
        pos = pos.copy()
        calm = 0
        for _ in range(_MAX_ORDER_ROUNDS):
            if best == 0 or calm >= _PATIENCE:
                break
            improved = False
            for rightward in (True, False):
                self._sweep(pos, rightward)
                count = self._crossings(pos)
                if count < best:
                    best, best_pos, improved = count, pos.copy(), True
            calm = 0 if improved else calm + 1
        return best, best_pos

    def _sweep(self, pos: np.ndarray, rightward: bool) -> None:
        """Re-sort each column by the barycenter of its neighbours in the previous one.

        Vertices with no neighbour there keep their place; the others fill the
        remaining places in barycenter order (stable, so ties keep the current order).
        """
        span = range(1, len(self.layers)) if rightward else range(len(self.layers) - 2, -1, -1)
        tables = self._into if rightward else self._out_of
        for c in span:
            table = tables[c]
            if table is None:
                continue
            at, other, offsets, counts = table
            sums = np.bincount(at, weights=pos[other] + offsets, minlength=counts.size)
            members = self._members[c]
            moving = np.flatnonzero(counts)
            current = pos[members[moving]]
            ranked = np.lexsort((current, sums[moving] / counts[moving]))
            pos[members[moving[ranked]]] = np.sort(current)

    def _crossings(self, pos: np.ndarray) -> int:
        if self._seg_u.size < 2:
            return 0
        place = pos.astype(np.int64)
        width = len(self.vlayer) + 1
        slots = int(self._seg_slot.max()) + 1
        group = self._col[self._seg_u] * width
        upper = group + place[self._seg_u]
        lower = (group + place[self._seg_v]) * slots + self._seg_slot
        return _inversions(lower[np.lexsort((lower, upper))])

    # ---------------------------------------------------------------- rows
    def place(self) -> None:
        cols = self.layers
        y = np.zeros(len(self.vlayer), dtype=np.float64)
        gaps = [self._gaps(col) for col in cols]
        ordered = [np.asarray(col, dtype=np.int64) for col in cols]
        for gap, members in zip(gaps, ordered, strict=True):
            if members.size < 2:
                continue
            packed = np.cumsum(gap)
            y[members] = packed - packed[-1] / 2
        if len(cols) > 1:
            if not self._prepared and any(len(col) > 1 for col in cols):
                self._prepare()
            self._heft = np.where(np.arange(len(self.vlayer)) >= self.dummy_from, _DUMMY_WEIGHT, 1.0)
            rightward = range(1, len(cols))
            leftward = range(len(cols) - 2, -1, -1)
            passes = [("left", rightward), ("right", leftward), ("left", rightward)]
            passes += [("right", leftward), ("both", rightward)]
            for direction, span in passes:
                for c in span:
                    self._align(c, direction, y, gaps[c], ordered[c])
        self.y = y

    def _gaps(self, col: Sequence[int]) -> list[float]:
        half = self.half
        return [0.0] + [half[a] + half[b] + ROW_GAP for a, b in pairwise(col)]

    def _align(self, c: int, direction: str, y: np.ndarray, gaps: list[float], members: np.ndarray) -> None:
        """Fit column ``c`` to the mean height of each vertex's neighbours on ``direction``."""
        if members.size == 1:  # nothing to share the column with: sit at the neighbours' mean
            v = int(members[0])
            nbrs = self._neighbours(v, direction)
            if nbrs:
                y[v] = sum(float(y[u]) for u in nbrs) / len(nbrs)
            return
        width = members.size
        sums = np.zeros(width)
        counts = np.zeros(width)
        for side, table in (("left", self._into[c]), ("right", self._out_of[c])):
            if table is not None and direction in (side, "both"):
                at, other, _, count = table
                sums += np.bincount(at, weights=y[other], minlength=width)
                counts += count
        fixed = self._member_index[members]  # the tables use the column's fixed numbering
        sums, counts = sums[fixed], counts[fixed]
        linked = counts > 0
        desired = np.where(linked, sums / np.maximum(counts, 1.0), y[members])
        weight = np.where(linked, counts * self._heft[members], _LONELY_WEIGHT)
        y[members] = _fit(desired.tolist(), weight.tolist(), gaps)

    def _neighbours(self, v: int, direction: str) -> list[int]:
        if direction == "left":
            return self.left[v]
        if direction == "right":
            return self.right[v]
        return self.left[v] + self.right[v]


def _postorder(
    comp: list[int], preds: list[list[int]], succs: list[list[int]], out: int | None
) -> dict[int, int]:
    """Depth-first post-order from the sinks (output first), operands in slot order."""
    roots = [g for g in comp if not succs[g]]
    if out is not None and out in roots:
        roots.remove(out)
        roots.insert(0, out)
    rank: dict[int, int] = {}
    seen: set[int] = set()
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, 0)]
        while stack:
            v, i = stack[-1]
            if i < len(preds[v]):
                stack[-1] = (v, i + 1)
                u = preds[v][i]
                if u not in seen:
                    seen.add(u)
                    stack.append((u, 0))
            else:
                stack.pop()
                rank[v] = len(rank)
    return rank


def _fit(desired: list[float], weight: list[float], gaps: list[float]) -> list[float]:
    """Weighted least-squares positions, in the given order, at least ``gaps`` apart.

    Substituting ``z_i = y_i - (gaps_0 + ... + gaps_i)`` turns the spacing constraints
    into ``z`` non-decreasing: isotonic regression, solved by pool-adjacent-violators.
    """
    offsets = list(accumulate(gaps))
    sums: list[float] = []
    weights: list[float] = []
    sizes: list[int] = []
    for d, w, o in zip(desired, weight, offsets, strict=True):
        s, ww, size = (d - o) * w, w, 1
        while sums and sums[-1] * ww >= s * weights[-1]:
            s += sums.pop()
            ww += weights.pop()
            size += sizes.pop()
        sums.append(s)
        weights.append(ww)
        sizes.append(size)
    result: list[float] = []
    for s, ww, size in zip(sums, weights, sizes, strict=True):
        mean = s / ww
        start = len(result)
        result.extend(mean + offsets[start + k] for k in range(size))
    return result


def _inversions(seq: np.ndarray) -> int:
    """Pairs i < j with seq[i] > seq[j], by a bottom-up merge count in NumPy."""
    n = int(seq.size)
    if n < 2:
        return 0
    _, ranks = np.unique(seq, return_inverse=True)
    values = ranks.astype(np.int64).ravel()
    span = int(values.max()) + 1
    index = np.arange(n, dtype=np.int64)
    total = 0
    width = 1
    while width < n:
        block = index // (2 * width)
        right = (index // width) % 2 == 1
        keys = block * span + values  # halves are sorted, so the left halves are sorted globally
        left_keys = keys[~right]
        queries = keys[right]
        not_greater = np.searchsorted(left_keys, queries, side="right")
        block_end = np.searchsorted(left_keys, (block[right] + 1) * span, side="left")
        total += int((block_end - not_greater).sum())
        values = np.sort(keys, kind="stable") - block * span
        width *= 2
    return total
