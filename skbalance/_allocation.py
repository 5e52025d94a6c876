"""How many rows of each class go to each part of a split, and which rows.

The core of :mod:`skbalance._split`, free of any estimator API:

* :func:`part_sizes` turns fractions or counts into exact part sizes;
* :func:`allocate_classes` rounds the per-class, per-part shares of a
  single-label target so that part sizes are exact and every class count is
  within one of its exact share, both at once (a controlled rounding of a
  2-D table, solved as a max-flow);
* :func:`assign_rows` draws which rows of each class go where, vectorized;
* :func:`iterative_parts` is iterative stratification (Sechidis et al. 2011)
  for multi-label targets and for groups of rows, one label at a time
  (rarest first), then passes that cover rare labels, make part sizes exact
  and swap units while that lowers the rate error; the loops are in C
  (:mod:`skbalance._iterative`).
"""

import functools
import math
from fractions import Fraction

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import maximum_flow

from skbalance._iterative import iterative_kernel
from skbalance._labels import sort_by_code

__all__ = ["allocate_classes", "assign_rows", "iterative_parts", "part_sizes"]


def part_sizes(n, sizes, names):
    """Exact number of rows of every part.

    ``sizes`` holds fractions in (0, 1) summing to 1, apportioned by largest
    remainder (ties to the earlier part), or integer counts summing to ``n``;
    one entry may be None, meaning the rest. Every part gets at least one row
    (taken from the largest part when a share rounds to zero).

    Examples
    --------
    >>> part_sizes(100, [0.7, 0.15, 0.15], ["train_size", "val_size", "test_size"])
    array([70, 15, 15])
    >>> part_sizes(11, [0.7, 0.15, None], ["train_size", "val_size", "test_size"])
    array([8, 2, 1])
    """
    if n == 0:
        raise ValueError("Cannot split an empty data set (0 rows).")
    if sum(s is None for s in sizes) > 1:
        raise ValueError("At most one of the sizes may be None (the rest).")
    kinds = set()
    for name, s in zip(names, sizes, strict=True):
        if s is None:
            continue
        if isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 1:
            kinds.add("count")
        elif isinstance(s, (float, np.floating)) and 0 < s < 1:
            kinds.add("fraction")
        else:
            raise ValueError(
                f"{name}={s!r} must be a fraction in (0, 1), a positive integer "
                "count, or None for the rest."
            )
    if len(kinds) > 1:
        shown = ", ".join(f"{a}={b!r}" for a, b in zip(names, sizes, strict=True))
        raise ValueError(
            f"Give the sizes all as fractions or all as counts; got {shown}."
        )
    plus = " + ".join(names)
    if kinds == {"count"}:
        counts = [None if s is None else int(s) for s in sizes]
        given = sum(c for c in counts if c is not None)
        if None in counts:
            counts[counts.index(None)] = n - given
        if sum(counts) != n or min(counts) < 1:
            raise ValueError(
                f"{plus} = {given} rows, but the data has {n}; counts must add up "
                "to the number of rows (or give one size as None for the rest)."
            )
        return np.array(counts, dtype=np.int64)
    numerators, denominator = _exact_shares(
        tuple(None if s is None else float(s) for s in sizes)
    )
    if numerators is None:
        given = sum(Fraction(str(float(s))) for s in sizes if s is not None)
        raise ValueError(
            f"{plus} = {float(given):g}; fractions must sum to 1 (or give one size "
            "as None for the rest)."
        )
    if n < len(sizes):
        raise ValueError(
            f"Cannot split {n} rows into {len(sizes)} non-empty parts; {plus} "
            "need at least one row each."
        )
    quotas = [a * n for a in numerators]  # in units of 1 / denominator
    counts = [q // denominator for q in quotas]
    by_remainder = sorted(
        range(len(counts)), key=lambda j: (-(quotas[j] % denominator), j)
    )
    for j in by_remainder[: n - sum(counts)]:
        counts[j] += 1
    for j in range(len(counts)):  # a tiny data set: no part left empty
        if counts[j] == 0:
            counts[j] = 1
            counts[int(np.argmax(counts))] -= 1
    return np.array(counts, dtype=np.int64)


@functools.lru_cache(maxsize=64)
def _exact_shares(fractions):
    """The shares as integer numerators over one denominator, read as the
    decimals they were written as (0.7 + 0.15 + 0.15 is exactly 1); one None
    is the rest. ``(None, None)`` unless they are positive and sum to 1."""
    shares = [None if s is None else Fraction(str(s)) for s in fractions]
    given = sum(s for s in shares if s is not None)
    if None in shares:
        shares[shares.index(None)] = 1 - given
    if sum(shares) != 1 or min(shares) <= 0:
        return None, None
    denominator = math.lcm(*(s.denominator for s in shares))
    return tuple(int(s * denominator) for s in shares), denominator


def _spread(c, order, n_parts):
    """A class of ``c < n_parts`` rows laid on the parts in ``order``."""
    row = np.zeros(n_parts, dtype=np.int64)
    row[order[:c]] = 1
    return row


def allocate_classes(counts, sizes, *, keep_rare=True, rare_order=None, rng):
    """Rows of every class in every part: an (n_classes, n_parts) int matrix.

    Row sums are the class counts and column sums the part sizes. Every entry
    is the floor or the ceiling of the class's exact share
    ``count * size / n``, except where ``keep_rare`` puts one row of a class of
    at least ``max(3, n_parts)`` rows in every part. With ``rare_order``,
    classes smaller than the number of parts are laid on the parts in that
    order (train, then test) and the other classes share what is left exactly.

    Returns
    -------
    alloc : ndarray of shape (n_classes, n_parts)
    widened : bool
        True when some class is more than one row from its exact share: many
        rare classes to cover against a small part.
    """
    counts = np.asarray(counts, dtype=np.int64)
    sizes = np.asarray(sizes, dtype=np.int64)
    K, P = counts.size, sizes.size
    alloc = np.zeros((K, P), dtype=np.int64)
    free = np.ones(K, dtype=bool)
    if rare_order is not None:
        small = counts < P
        for k in np.flatnonzero(small):
            alloc[k] = _spread(int(counts[k]), np.asarray(rare_order), P)
        free = ~small
    demand = sizes - alloc.sum(axis=0)
    if demand.min() < 0:
        # the rare rows alone overflow a part (a handful of rows): part sizes
        # win, and the rare classes are placed like the others, one row a part
        alloc[:] = 0
        free[:] = True
        demand = sizes
    free_idx = np.flatnonzero(free)
    if free_idx.size == 0:
        return alloc, False
    c = counts[free_idx]
    total = int(c.sum())
    num = c[:, None] * demand[None, :]
    floor, ceil = num // total, num // total + (num % total > 0)
    is_int = floor == ceil
    coverable = (c >= max(3, P)) if keep_rare else np.zeros(c.size, dtype=bool)
    # 1: floor or ceiling; 2: within one (an integer share may move by one);
    # 3: within two; 4: without keep_rare, floor or ceiling (always exists:
    # a controlled rounding of a 2-D table with integer margins)
    boxes = [
        (floor, ceil, coverable),
        (floor - is_int, ceil + is_int, coverable),
        (floor - 1 - is_int, ceil + 1 + is_int, coverable),
        (floor, ceil, np.zeros(c.size, dtype=bool)),
    ]
    for attempt, (low, high, cover) in enumerate(boxes):
        low, high = _cover_rows(
            np.maximum(low, 0), np.minimum(high, c[:, None]), c, cover
        )
        result = _flow_round(c, demand, low, high, rng)
        if result is not None:
            alloc[free_idx] = result
            return alloc, attempt >= 2
    raise AssertionError("a controlled rounding always exists")  # pragma: no cover


def _cover_rows(low, high, c, cover):
    """Bounds with at least one row in every part for the classes ``cover``."""
    low = low.copy()
    low[cover] = np.maximum(low[cover], 1)
    over = low.sum(axis=1) - c
    for i in np.flatnonzero(over > 0):
        for _ in range(int(over[i])):  # at most n_parts - 1 steps
            low[i, int(np.argmax(low[i]))] -= 1
    return low, np.maximum(high, low)


def _flow_round(c, demand, low, high, rng):
    """Integer matrix within [low, high] with row sums c and column sums demand,
    or None. Solved as a max-flow; classes are numbered in random order so
    that no class is favoured when several roundings are possible."""
    K, P = low.shape
    supply = c - low.sum(axis=1)
    need = demand - low.sum(axis=0)
    if supply.min() < 0 or need.min() < 0 or supply.sum() != need.sum():
        return None
    if supply.sum() == 0:
        return low.copy()
    slack = high - low
    perm = rng.permutation(K)  # node 1 + i is class perm[i]
    source, sink = 0, K + P + 1
    rows, cols, caps = [], [], []
    has = supply[perm] > 0
    rows.append(np.zeros(has.sum(), dtype=np.int32))
    cols.append((1 + np.flatnonzero(has)).astype(np.int32))
    caps.append(supply[perm][has])
    ki, jj = np.nonzero(slack[perm] > 0)
    rows.append((1 + ki).astype(np.int32))
    cols.append((1 + K + jj).astype(np.int32))
    caps.append(slack[perm][ki, jj])
    pj = np.flatnonzero(need > 0)
    rows.append((1 + K + pj).astype(np.int32))
    cols.append(np.full(pj.size, sink, dtype=np.int32))
    caps.append(need[pj])
    graph = sparse.csr_matrix(
        (
            np.concatenate(caps).astype(np.int32),
            (np.concatenate(rows), np.concatenate(cols)),
        ),
        shape=(K + P + 2, K + P + 2),
    )
    result = maximum_flow(graph, source, sink)
    if result.flow_value != supply.sum():
        return None
    flow = result.flow.tocoo()
    keep = (flow.row >= 1) & (flow.row <= K) & (flow.col > K) & (flow.data > 0)
    out = low.copy()
    np.add.at(out, (perm[flow.row[keep] - 1], flow.col[keep] - 1 - K), flow.data[keep])
    return out


#: up to this many classes, rows are drawn class by class (fewer random
#: numbers); beyond, one permutation of all rows serves every class
_FEW_CLASSES = 2000


def assign_rows(codes, alloc, rng):
    """Part of every row, given ``alloc[k, j]`` rows of class ``k`` in part
    ``j``, every arrangement of a class's rows equally likely.

    With few classes, each class's rows default to its largest part and only
    the rows of its other parts are drawn (``choice`` without replacement,
    in random order): 30% of the random numbers of a shuffle for 70/15/15.
    """
    K, P = alloc.shape
    n = codes.size
    dtype = np.int8 if P < 128 else np.int64
    counts = alloc.sum(axis=1)
    if K > _FEW_CLASSES:
        perm = rng.permutation(n)
        order = perm[sort_by_code(codes[perm], K)]
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n) - np.repeat(starts, counts)
        cuts = np.cumsum(alloc, axis=1)
        part = np.zeros(n, dtype=dtype)
        for j in range(P - 1):
            part += rank >= cuts[codes, j]
        return part
    order = sort_by_code(codes, K)
    in_order = np.empty(n, dtype=dtype)
    start = 0
    for k in range(K):
        c, row = int(counts[k]), alloc[k]
        big = int(np.argmax(row))
        in_order[start : start + c] = big
        rest = c - int(row[big])
        if rest:
            others = np.repeat(np.delete(np.arange(P), big), np.delete(row, big))
            in_order[start + rng.choice(c, rest, replace=False)] = others
        start += c
    part = np.empty(n, dtype=dtype)
    part[order] = in_order
    return part


# -- multi-label and grouped: iterative stratification -----------------------


def iterative_parts(Y, sizes, *, weights=None, keep_rare=True, rng):
    """Part of every unit by iterative stratification.

    Parameters
    ----------
    Y : sparse matrix of shape (n_units, n_labels)
        Label counts of every unit (0/1 for samples; for groups, how many rows
        of the group hold each label).
    sizes : ndarray of int
        Rows wanted in every part.
    weights : ndarray, default=None
        Rows of every unit (group sizes); 1 for samples.
    keep_rare : bool
        Put at least one unit of every label held by at least
        ``max(3, n_parts)`` units in every part.
    rng : numpy.random.Generator

    Returns
    -------
    part : ndarray of int of shape (n_units,)
    uncovered : int
        Coverable labels still missing from some part (0 unless their units
        are too few or too entangled with other labels).

    Notes
    -----
    The work is done in C by :mod:`skbalance._iterative`, one loop over the
    nonzeros per step; this function draws the randomness (the order in
    which every label's units are visited, and a jitter that orders labels
    of equal count) so that ``rng`` alone fixes the result.
    """
    Y = Y.tocsr()
    if not Y.has_canonical_format:  # a flag, set by as_indicator
        Y = Y.copy()
        Y.sum_duplicates()
    n_units, n_labels = Y.shape
    weights = (
        np.ones(n_units) if weights is None else np.asarray(weights, dtype=np.float64)
    )
    if max(n_units, n_labels) >= 2**31:
        raise ValueError(
            f"Cannot split {n_units} units x {n_labels} labels: at most 2**31 - 1 "
            "of each."
        )
    # 0/1 labels (every multi-label target) need no values in the kernel
    binary = Y.dtype == bool or bool((Y.data == 1).all())
    order = rng.permutation(n_units).astype(np.intp, copy=False)
    jitter = rng.random(n_labels)
    part, uncovered = iterative_kernel(
        Y.indptr.astype(np.intp, copy=False),
        Y.indices.astype(np.int32, copy=False),
        np.empty(0) if binary else Y.data.astype(np.float64, copy=False),
        n_labels,
        weights,
        np.asarray(sizes, dtype=np.float64),
        order,
        jitter,
        bool(keep_rare),
        bool(np.all(weights == 1)),  # swaps keep sizes only for unit weights
        binary=binary,
    )
    return part.astype(np.int64, copy=False), (uncovered if keep_rare else 0)
