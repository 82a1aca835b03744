"""The layout's two numeric kernels: spacing-constrained least squares and inversion counts.

Imports: standard library and NumPy.
"""

from __future__ import annotations

from itertools import accumulate

import numpy as np


def fit(desired: list[float], weight: list[float], gaps: list[float]) -> list[float]:
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


def inversions(seq: np.ndarray) -> int:
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
