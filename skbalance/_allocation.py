"""How many rows of each class go to each part of a split, and which rows.

The core of :mod:`skbalance._split`, free of any estimator API:

* :func:`part_sizes` turns fractions or counts into exact part sizes (in
  :mod:`skbalance._sizes`, re-exported here);
* :func:`allocate_classes` rounds the per-class, per-part shares of a
  single-label target so that part sizes are exact and every class count is
  its exact share rounded down or up, both at once (a controlled rounding of
  a 2-D table, solved as a max-flow);
* :func:`assign_rows` draws which rows of each class go where, vectorized;
* :func:`iterative_parts` is iterative stratification (Sechidis et al. 2011)
  for multi-label targets and for groups of rows, one label at a time
  (rarest first), then passes that cover rare labels, make part sizes exact
  and swap units while that lowers the rate error; the loops are in C
  (:mod:`skbalance._iterative`).
"""

from typing import NamedTuple

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import maximum_flow

from skbalance._iterative import iterative_kernel
from skbalance._labels import sort_by_code
from skbalance._sizes import exact_parts, part_sizes
from skbalance._validation import rng_from_random_state

__all__ = [
    "Allocation",
    "allocate_classes",
    "assign_rows",
    "exact_parts",
    "iterative_parts",
    "part_sizes",
]


class Allocation(NamedTuple):
    """What :func:`allocate_classes` returns."""

    alloc: np.ndarray
    rare: np.ndarray
    uncovered: np.ndarray


def _spread(c, order, n_parts):
    """A class of ``c < n_parts`` rows laid on the parts in ``order``."""
    row = np.zeros(n_parts, dtype=np.int64)
    row[order[:c]] = 1
    return row


def allocate_classes(
    counts, sizes, *, fractions=None, keep_rare=True, rare_order=None, rng
):
    """Rows of every class in every part: an (n_classes, n_parts) int table.

    A pure function of the class counts (no rows, no labels), so that any
    backend that can count classes can use it.

    Parameters
    ----------
    counts : array-like of int of shape (n_classes,)
        Rows of every class.
    sizes : array-like of int of shape (n_parts,)
        Rows of every part, summing to ``counts.sum()``.
    fractions : tuple (weights, denominator), default=None
        The requested fraction of every part, exactly:
        ``weights[j] / denominator``. The exact share of class ``k`` in part
        ``j`` is ``counts[k] * weights[j] / denominator``. Default
        ``(sizes, counts.sum())``.
    keep_rare : bool, default=True
        Put one row of every class of at least ``max(3, n_parts)`` rows in
        every part, and lay classes smaller than ``n_parts`` on the parts in
        ``rare_order``.
    rare_order : sequence of int, default=None
        Parts that a class of 1, 2, ... rows fills first (train, then test);
        None places such classes like the others.
    rng : numpy.random.RandomState
        Breaks ties between equally good tables.

    Returns
    -------
    alloc : ndarray of shape (n_classes, n_parts)
        Row sums are ``counts`` and column sums ``sizes``, always.
    rare : ndarray of bool of shape (n_classes,)
        The classes placed first (see Notes).
    uncovered : ndarray of int
        Classes of at least ``max(3, n_parts)`` rows that ``keep_rare`` could
        not put in every part (the rows they need overflow a part).

    Notes
    -----
    With ``keep_rare=False`` the table is a controlled rounding of the table
    of exact shares: every entry is the floor or the ceiling of its share and
    the margins are exact (solved as a max-flow with lower and upper bounds).
    With ``keep_rare=True`` the rare classes are placed first, each only if
    its rows still fit in every part (``rare``), each group in random order:
    the classes of one row (on the first part of ``rare_order``: their row
    has nowhere else to go), then every class of at least
    ``max(3, n_parts)`` rows with a share below one in some part, which gets
    one row there and the rest of its rows by largest remainder of its other
    shares (at least one a part), then the other classes smaller than the
    number of parts, which follow ``rare_order``. Every other class then gets
    the floor or ceiling of its exact share, or, where the rows of the rare
    classes make that impossible, a count between the floor and the ceiling of the two
    shares: its exact share and its share of what the rare classes leave,
    ``count * (sizes[j] - rare_rows[j]) / (n - rare_rows.sum())``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.RandomState(0)
    >>> allocate_classes([5, 13], [12, 3, 3], fractions=([70, 15, 15], 100),
    ...                  keep_rare=False, rng=rng)[0].tolist()
    [[3, 1, 1], [9, 2, 2]]
    """
    counts = np.asarray(counts, dtype=np.int64)
    sizes = np.asarray(sizes, dtype=np.int64)
    K, P = counts.size, sizes.size
    n = int(counts.sum())
    weights, denominator = (sizes, n) if fractions is None else fractions
    num = counts[:, None] * np.asarray(weights, dtype=np.int64)[None, :]
    floor = num // denominator
    ceil = floor + (num % denominator > 0)
    alloc = np.zeros((K, P), dtype=np.int64)
    fixed = np.zeros(K, dtype=bool)
    uncovered = []
    big = (counts >= max(3, P)) if keep_rare else np.zeros(K, dtype=bool)
    if keep_rare:
        cover = big & (floor.min(axis=1) == 0)
        small = [], []  # classes of one row, of 2 to n_parts - 1 rows
        if rare_order is not None:
            order = np.asarray(rare_order)
            for k in rng.permutation(np.flatnonzero(counts < P)):
                small[int(counts[k] > 1)].append((k, _spread(int(counts[k]), order, P)))
        # classes of one row first (their row has nowhere else to go), then
        # the classes that need a row in every part, then the classes of 2+
        candidates = (
            small[0]
            + [
                (k, _covered(int(counts[k]), num[k], denominator, rng))
                for k in rng.permutation(np.flatnonzero(cover))
            ]
            + small[1]
        )
        # room for one row a part of every other class of max(3, P) rows
        room = sizes - (big & ~cover).sum()
        for k, row in candidates:
            if (row <= room).all():
                alloc[k], fixed[k] = row, True
                room -= row
    free = np.flatnonzero(~fixed)
    demand = sizes - alloc.sum(axis=0)
    if free.size:
        c = counts[free]
        low, high = floor[free], ceil[free]
        result = _flow_round(c, demand, low, high, rng)
        if result is None:  # rare rows in the way: round what they leave too
            left = c[:, None] * demand[None, :]
            total = max(int(c.sum()), 1)
            low = np.minimum(low, left // total)
            high = np.maximum(high, left // total + (left % total > 0))
            one = np.where(big[free, None], np.maximum(low, 1), low)
            result = _flow_round(c, demand, one, high, rng)
            if result is None:
                result = _flow_round(c, demand, low, high, rng)
        alloc[free] = result
    uncovered = np.flatnonzero(big & (alloc == 0).any(axis=1))
    return Allocation(alloc, fixed, uncovered)


def _covered(c, num, denominator, rng):
    """Class of ``c`` rows with share ``num[j] / denominator`` in part ``j``:
    one row in every part where the share is below one, the rest by largest
    remainder of the other shares (ties at random), at least one a part."""
    small = num < denominator
    row = small.astype(np.int64)
    others = np.flatnonzero(~small)
    rest = c - int(row.sum())
    quota = rest * num[others]
    whole = int(num[others].sum())
    row[others] = quota // whole
    remainder = quota % whole
    jitter = rng.random(others.size)
    by_remainder = np.lexsort((jitter, -remainder))
    row[others[by_remainder[: rest - int(row[others].sum())]]] += 1
    for j in others[row[others] == 0]:  # a part the other rows left empty
        row[j] = 1
        row[int(np.argmax(row))] -= 1
    return row


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


def assign_rows(codes, alloc, rng, *, ordered=False):
    """Part of every row, given ``alloc[k, j]`` rows of class ``k`` in part
    ``j``, every arrangement of a class's rows equally likely (with
    ``ordered``, the first rows of a class go to the first part, and so on).

    With few classes, each class's rows default to its largest part and only
    the rows of its other parts are drawn (``choice`` without replacement,
    in random order): 30% of the random numbers of a shuffle for 70/15/15.
    """
    K, P = alloc.shape
    n = codes.size
    dtype = np.int8 if P < 128 else np.int64
    counts = alloc.sum(axis=1)
    rng = None if ordered else rng_from_random_state(rng)
    if ordered:
        part = np.empty(n, dtype=dtype)
        part[sort_by_code(codes, K)] = np.repeat(
            np.tile(np.arange(P, dtype=dtype), K), alloc.ravel()
        )
        return part
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


def iterative_parts(
    Y, sizes, *, weights=None, keep_rare=True, rng, ordered=False, timings=None
):
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
    rng : numpy.random.RandomState
    ordered : bool, default=False
        Visit the units in input order rather than in random order.
    timings : dict, default=None
        Receives the seconds spent in every step of the kernel.

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
    gen = rng_from_random_state(rng)
    order = np.arange(n_units) if ordered else gen.permutation(n_units)
    order = order.astype(np.intp, copy=False)
    jitter = gen.random(n_labels)
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
        timings=timings,
    )
    return part.astype(np.int64, copy=False), (uncovered if keep_rare else 0)
