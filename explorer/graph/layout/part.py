"""Steps 2 and 3 of the layout for one weakly connected part: order in columns, then rows.

Long edges get a dummy vertex per column crossed (a *lane*), so that the ordering and
the rows see them and they can run straight past the nodes. Lanes cost time and memory
in proportion to the columns they cross, so a part gets at most :data:`LANE_BUDGET`
dummies per node (or :data:`LANE_FLOOR` in all), handed to its shortest long edges
first; the rest (a constant read far to the right, say) are drawn straight and take no
part in the ordering.

Imports: standard library, NumPy and the layout's own modules.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np

from explorer.graph.layout.numeric import fit, inversions
from explorer.graph.layout.sizes import ROW_GAP

LANE_BUDGET = 1
"""Dummy vertices per node a part may spend on lanes for its long edges..."""
LANE_FLOOR = 256
"""...and how many any part may spend: small graphs get every lane they need."""

_DUMMY_WEIGHT = 4.0  # how much more a long edge's lane resists bending than a node
_LONELY_WEIGHT = 1e-3  # a vertex without neighbours on the reference side barely pulls
_MAX_ORDER_ROUNDS = 8
_PATIENCE = 2  # rounds without fewer crossings before the sweeps stop
_DENSE_LINKS = 24  # links per column from which a part orders and places with NumPy
_PORT_SPREAD = 0.2  # operand ports of one node, in units of one position in the column

_Table = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _laned(comp: list[int], layer: list[int], succs: list[list[int]]) -> set[tuple[int, int]]:
    """The long edges (source, target) that get a lane: all, or the shortest within budget."""
    spans = [(layer[t] - layer[g], g, t) for g in comp for t in succs[g] if layer[t] - layer[g] > 1]
    budget = max(LANE_BUDGET * len(comp), LANE_FLOOR)
    if sum(span - 1 for span, _, _ in spans) <= budget:
        return {(g, t) for _, g, t in spans}
    laned: set[tuple[int, int]] = set()
    for span, g, t in sorted(spans):
        budget -= span - 1
        if budget < 0:
            break
        laned.add((g, t))
    return laned


class Part:
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
        extents: list[tuple[float, float]],
    ) -> None:
        local = {g: i for i, g in enumerate(comp)}
        self.vlayer: list[int] = [layer[g] for g in comp]
        self.top: list[float] = [extents[g][0] for g in comp]
        self.bottom: list[float] = [extents[g][1] for g in comp]
        self.left: list[list[int]] = [[] for _ in comp]
        self.right: list[list[int]] = [[] for _ in comp]
        self.chains: dict[tuple[int, int], list[int]] = {}
        rank = _postorder(comp, preds, succs, out)
        dfs_key: list[tuple[int, int]] = [(rank[g], -1) for g in comp]
        naive_key: list[tuple[int, int]] = [(g, -1) for g in comp]
        segs: list[tuple[int, int, int, float]] = []  # (left end, right end, slot, port offset)
        laned = _laned(comp, layer, succs)
        for g in comp:
            for t in succs[g]:
                slot = first_slot[g, t]
                span = layer[t] - layer[g]
                if span > 1 and (g, t) not in laned:
                    continue  # drawn straight; ordering and rows do not see it
                prev = local[g]
                chain: list[int] = []
                for step in range(1, span):
                    d = len(self.vlayer)
                    self.vlayer.append(layer[g] + step)
                    self.top.append(0.0)
                    self.bottom.append(0.0)
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
        # The same tables as Python lists, one list of (other end, port offset) per member:
        # most columns hold a handful of vertices, where a NumPy call costs more than the
        # arithmetic. Sums run in the same order as ``np.bincount`` would, so the results
        # are the same numbers.
        # Wide columns (a layer of neurons) are the other way round: NumPy wins there.
        self._dense = self._seg_u.size > _DENSE_LINKS * len(self.layers)
        self._links_into = [None if self._dense else _link_lists(t) for t in self._into]
        self._links_out = [None if self._dense else _link_lists(t) for t in self._out_of]
        self._member_lists = [members.tolist() for members in self._members]
        self._member_number = member_index.tolist()

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
        if self._dense:
            self._sweep_arrays(pos, span, self._into if rightward else self._out_of)
            return
        tables = self._links_into if rightward else self._links_out
        at = pos.tolist()
        for c in span:
            links = tables[c]
            if links is None:
                continue
            members = self._member_lists[c]
            moving: list[int] = []
            keys: list[tuple[float, float]] = []
            for k, ends in enumerate(links):
                if ends:
                    total = 0.0
                    for other, offset in ends:
                        total += at[other] + offset
                    v = members[k]
                    moving.append(v)
                    keys.append((total / len(ends), at[v]))
            places = sorted(key[1] for key in keys)
            for rank, i in enumerate(sorted(range(len(moving)), key=keys.__getitem__)):
                at[moving[i]] = places[rank]
        pos[:] = at

    def _sweep_arrays(self, pos: np.ndarray, span: range, tables: list[_Table | None]) -> None:
        """:meth:`_sweep` with NumPy, for wide columns (the same numbers, see ``_prepare``)."""
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
        return inversions(lower[np.lexsort((lower, upper))])

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
            self._heft = [_DUMMY_WEIGHT if v >= self.dummy_from else 1.0 for v in range(len(self.vlayer))]
            rightward = range(1, len(cols))
            leftward = range(len(cols) - 2, -1, -1)
            passes = [("left", rightward), ("right", leftward), ("left", rightward)]
            passes += [("right", leftward), ("both", rightward)]
            heights = y.tolist()
            for direction, span in passes:
                for c in span:
                    self._align(c, direction, heights, gaps[c], cols[c])
            y = np.asarray(heights, dtype=np.float64)
        self.y = y

    def _gaps(self, col: Sequence[int]) -> list[float]:
        top, bottom = self.top, self.bottom
        return [0.0] + [bottom[a] - top[b] + ROW_GAP for a, b in pairwise(col)]

    def _align(self, c: int, direction: str, y: list[float], gaps: list[float], members: list[int]) -> None:
        """Fit column ``c`` to the mean height of each vertex's neighbours on ``direction``."""
        if len(members) == 1:  # nothing to share the column with: sit at the neighbours' mean
            v = members[0]
            nbrs = self._neighbours(v, direction)
            if nbrs:
                y[v] = sum(y[u] for u in nbrs) / len(nbrs)
            return
        if self._dense:
            self._align_arrays(c, direction, y, gaps, members)
            return
        width = len(members)
        sums = [0.0] * width  # by the column's fixed member numbering, as the tables are
        counts = [0] * width
        for side, links in (("left", self._links_into[c]), ("right", self._links_out[c])):
            if links is not None and direction in (side, "both"):
                for k, ends in enumerate(links):
                    if ends:
                        total = 0.0
                        for other, _offset in ends:
                            total += y[other]
                        sums[k] += total
                        counts[k] += len(ends)
        number, heft = self._member_number, self._heft
        desired: list[float] = []
        weight: list[float] = []
        for v in members:
            k = number[v]
            if counts[k]:
                desired.append(sums[k] / counts[k])
                weight.append(counts[k] * heft[v])
            else:
                desired.append(y[v])
                weight.append(_LONELY_WEIGHT)
        for v, height in zip(members, fit(desired, weight, gaps), strict=True):
            y[v] = height

    def _align_arrays(
        self, c: int, direction: str, y: list[float], gaps: list[float], members: list[int]
    ) -> None:
        """:meth:`_align` with NumPy, for wide columns (the same numbers)."""
        width = len(members)
        heights = np.asarray(y)
        sums = np.zeros(width)
        counts = np.zeros(width)
        for side, table in (("left", self._into[c]), ("right", self._out_of[c])):
            if table is not None and direction in (side, "both"):
                at, other, _, count = table
                sums += np.bincount(at, weights=heights[other], minlength=width)
                counts += count
        order = np.asarray(members, dtype=np.int64)
        fixed = self._member_index[order]  # the tables use the column's fixed numbering
        sums, counts = sums[fixed], counts[fixed]
        linked = counts > 0
        desired = np.where(linked, sums / np.maximum(counts, 1.0), heights[order])
        weight = np.where(linked, counts * np.asarray(self._heft)[order], _LONELY_WEIGHT)
        for v, height in zip(members, fit(desired.tolist(), weight.tolist(), gaps), strict=True):
            y[v] = height

    def _neighbours(self, v: int, direction: str) -> list[int]:
        if direction == "left":
            return self.left[v]
        if direction == "right":
            return self.right[v]
        return self.left[v] + self.right[v]


def _link_lists(table: _Table | None) -> list[list[tuple[int, float]]] | None:
    if table is None:
        return None
    at, other, offsets, counts = table
    links: list[list[tuple[int, float]]] = [[] for _ in range(counts.size)]
    for k, o, f in zip(at.tolist(), other.tolist(), offsets.tolist(), strict=True):
        links[k].append((o, f))
    return links


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
