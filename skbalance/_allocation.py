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
  (rarest first) with the samples of that label allocated in one numpy step,
  then a repair pass that makes part sizes exact.
"""

import math
from fractions import Fraction

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import maximum_flow

from skbalance._validation import sort_by_code

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
    shares = [None if s is None else Fraction(str(float(s))) for s in sizes]
    given = sum(s for s in shares if s is not None)
    if None in shares:
        shares[shares.index(None)] = 1 - given
    if sum(shares) != 1 or min(shares) <= 0:
        raise ValueError(
            f"{plus} = {float(given):g}; fractions must sum to 1 (or give one size "
            "as None for the rest)."
        )
    if n < len(sizes):
        raise ValueError(
            f"Cannot split {n} rows into {len(sizes)} non-empty parts; {plus} "
            "need at least one row each."
        )
    quotas = [s * n for s in shares]
    counts = [math.floor(q) for q in quotas]
    by_remainder = sorted(range(len(counts)), key=lambda j: (counts[j] - quotas[j], j))
    for j in by_remainder[: n - sum(counts)]:
        counts[j] += 1
    for j in range(len(counts)):  # a tiny data set: no part left empty
        if counts[j] == 0:
            counts[j] = 1
            counts[int(np.argmax(counts))] -= 1
    return np.array(counts, dtype=np.int64)


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

#: label matrices up to this many cells are held dense (numpy indexing beats
#: scipy's per-call overhead on small data)
_DENSE_CELLS = 100_000


class _Rows:
    """Row operations on the label-count matrix, dense or CSR."""

    def __init__(self, Y):
        self.Y = Y  # CSR of float counts
        self.n_labels = Y.shape[1]
        cells = Y.shape[0] * Y.shape[1]
        self.dense = Y.toarray() if cells <= _DENSE_CELLS else None
        squared = Y.copy()
        squared.data **= 2
        self.square = squared @ np.ones(Y.shape[1])  # squared row norms

    def _gather(self, units):
        """Owner (position in ``units``), label and value of every entry."""
        Y = self.Y
        ends = Y.indptr[units + 1]
        lengths = ends - Y.indptr[units]
        total = int(lengths.sum())
        pos = np.repeat(ends - np.cumsum(lengths), lengths) + np.arange(total)
        owner = np.repeat(np.arange(units.size), lengths)
        return owner, Y.indices[pos], Y.data[pos]

    def sums(self, units, dest=None, n_parts=1):
        """``(n_parts, n_labels)`` sums of the rows, each added to its part."""
        if self.dense is not None:
            if n_parts == 1:
                return self.dense[units].sum(axis=0)[None, :]
            onehot = (dest[None, :] == np.arange(n_parts)[:, None]).astype(float)
            return onehot @ self.dense[units]
        if units.size * 16 >= self.Y.shape[0]:  # one sparse product in C
            pick = np.zeros((self.Y.shape[0], n_parts))
            pick[units, 0 if dest is None else dest] = 1.0
            return np.asarray(self.Y.T @ pick).T
        owner, labels, values = self._gather(units)
        where = labels if n_parts == 1 else dest[owner] * self.n_labels + labels
        out = np.bincount(where, weights=values, minlength=n_parts * self.n_labels)
        return out.reshape(n_parts, self.n_labels)

    def dot(self, units, vector):
        if units.size * 16 >= self.Y.shape[0]:  # one product over all rows is cheaper
            return ((self.dense if self.dense is not None else self.Y) @ vector)[units]
        if self.dense is not None:
            return self.dense[units] @ vector
        owner, labels, values = self._gather(units)
        return np.bincount(owner, weights=values * vector[labels], minlength=units.size)

    def block(self, units):
        """The rows as a dense array."""
        if self.dense is not None:
            return self.dense[units]
        return self.Y[units].toarray()

    def holding(self, units, labels_mask):
        """Which units hold any label of ``labels_mask``."""
        if self.dense is not None:
            return (self.dense[units][:, labels_mask] != 0).any(axis=1)
        owner, labels, _ = self._gather(units)
        out = np.zeros(units.size, dtype=bool)
        out[owner[labels_mask[labels]]] = True
        return out

    def last_of(self, units, have, coverable):
        """Which units hold the last rows of a coverable label in ``have``."""
        if self.dense is not None:
            rows = self.dense[units]
            return ((rows > 0) & coverable & (have - rows < 0.5)).any(axis=1)
        owner, labels, values = self._gather(units)
        last = coverable[labels] & (have[labels] - values < 0.5)
        out = np.zeros(units.size, dtype=bool)
        out[owner[last]] = True
        return out


def _cut(weights, targets):
    """Part of every unit, in the order given, so that the cumulative weight
    is cut where the cumulative targets are (a unit goes where its midpoint
    falls)."""
    bounds = np.cumsum(targets)
    bounds = bounds * (weights.sum() / bounds[-1]) if bounds[-1] > 0 else bounds
    mid = np.cumsum(weights) - weights / 2
    return np.minimum(np.searchsorted(bounds, mid, side="right"), targets.size - 1)


class _State:
    """Assignment of units to parts, and the label and row counts it gives."""

    def __init__(self, Y, weights, sizes):
        self.rows = _Rows(Y)
        self.weights = weights
        self.sizes = sizes.astype(float)
        self.P = sizes.size
        self.part = np.full(Y.shape[0], -1, dtype=np.int64)
        self.total = np.ones(Y.shape[0]) @ Y  # label totals
        self.want = self.sizes[:, None] / self.sizes.sum() * self.total[None, :]
        self.have = np.zeros((self.P, Y.shape[1]))
        self.filled = np.zeros(self.P)
        self.Yc = Y.tocsc()
        self.units_with = np.diff(self.Yc.indptr)  # units holding each label

    def assign(self, units, dest):
        """Put ``units`` in parts ``dest``; return their label sums."""
        self.part[units] = dest
        sums = self.rows.sums(units, dest, self.P)
        self.have += sums
        self.filled += np.bincount(dest, weights=self.weights[units], minlength=self.P)
        return sums.sum(axis=0)

    def move(self, units, src, dst):
        self.part[units] = dst
        sums = self.rows.sums(units)[0]
        self.have[src] -= sums
        self.have[dst] += sums
        moved = self.weights[units].sum()
        self.filled[src] -= moved
        self.filled[dst] += moved


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
    """
    Y = sparse.csr_matrix(Y, dtype=float)
    Y.sum_duplicates()
    n_units, n_labels = Y.shape
    weights = np.ones(n_units) if weights is None else np.asarray(weights, float)
    state = _State(Y, weights, np.asarray(sizes))
    P = state.P
    Yc = state.Yc
    coverable = state.units_with >= max(3, P)
    remaining = state.total.copy()
    jitter = rng.random(n_labels)  # random order among equally rare labels
    done = remaining <= 0
    while not done.all():
        key = np.where(done, np.inf, remaining + jitter * 0.5)
        label = int(np.argmin(key))
        done[label] = True
        col = slice(Yc.indptr[label], Yc.indptr[label + 1])
        units = Yc.indices[col]
        free = state.part[units] < 0
        units, amount = units[free], Yc.data[col][free]
        if units.size == 0:
            continue
        shuffle = rng.permutation(units.size)
        units, amount = units[shuffle], amount[shuffle]
        desire = state.want[:, label] - state.have[:, label]
        targets = np.maximum(desire, 0)
        if targets.sum() <= 0:
            targets = np.maximum(state.sizes - state.filled, 0)
            if targets.sum() <= 0:
                targets = state.sizes.copy()
        dest = np.empty(units.size, dtype=np.int64)
        first = 0
        if keep_rare and coverable[label]:
            lacking = np.flatnonzero(state.have[:, label] == 0)
            lacking = lacking[np.argsort(-desire[lacking], kind="stable")]
            first = min(lacking.size, units.size)
            dest[:first] = lacking[:first]
            targets = targets.copy()
            np.subtract.at(targets, lacking[:first], amount[:first])
            targets = np.maximum(targets, 0)
            if targets.sum() <= 0:
                targets = np.maximum(state.sizes - state.filled, 0) + 1e-9
        if first < units.size:
            dest[first:] = _cut(amount[first:], targets)
        remaining -= state.assign(units, dest)
    rest = np.flatnonzero(state.part < 0)  # units without any label
    if rest.size:
        rest = rest[rng.permutation(rest.size)]
        room = np.maximum(state.sizes - state.filled, 0)
        if room.sum() <= 0:
            room = state.sizes.copy()
        state.assign(rest, _cut(weights[rest], room))
    if keep_rare:
        _cover(state, Yc, coverable)
    _repair_sizes(state, coverable)  # to the requested sizes (as near as groups allow)
    if np.any(np.abs(state.filled - state.sizes) > 0.5):
        # coverage blocks the last moves (tiny data): sizes come first
        _repair_sizes(state, np.zeros_like(coverable))
    # swaps help only where some label is more than one row off
    if np.all(weights == 1) and np.abs(state.have - state.want).max() > 1:
        _refine(state, coverable)
    uncovered = int(((state.have < 0.5) & coverable).any(axis=0).sum())
    return state.part, (uncovered if keep_rare else 0)


def _gain(state, units, src, dst):
    """How much moving each unit from ``src`` to ``dst`` lowers the squared
    error of the positive rates, sum over parts and labels of
    ``((have - want) / size) ** 2``."""
    ws, wd = 1 / state.sizes[src] ** 2, 1 / state.sizes[dst] ** 2
    surplus = state.have - state.want
    linear = state.rows.dot(units, 2 * surplus[src] * ws - 2 * surplus[dst] * wd)
    return linear - state.rows.square[units] * (ws + wd)


def _cover(state, Yc, coverable):
    """Move single units so that every coverable label is in every part."""
    missing = np.argwhere(coverable[None, :] & (state.have < 0.5))
    for dst, label in missing.tolist():
        if state.have[dst, label] >= 0.5:
            continue
        units = Yc.indices[Yc.indptr[label] : Yc.indptr[label + 1]]
        parts = state.part[units]
        per_part = np.bincount(parts, minlength=state.P)
        src = int(np.argmax(per_part))
        if per_part[src] < 2:
            continue
        cand = units[parts == src]
        cand = cand[~state.rows.last_of(cand, state.have[src], coverable)]
        if cand.size == 0:
            continue
        best = cand[int(np.argmax(_gain(state, cand, src, dst)))]
        state.move(np.array([best]), src, dst)


def _repair_sizes(state, coverable):
    """Move units from parts above their size to parts below it, best-scoring
    first, never emptying a coverable label from a part."""
    for _ in range(10 * state.P):
        over = state.filled - state.sizes
        src, dst = int(np.argmax(over)), int(np.argmin(over))
        budget = min(over[src], -over[dst])
        if budget < 0.5:
            return
        cand = np.flatnonzero(state.part == src)
        cand = cand[state.weights[cand] <= budget + 1e-9]
        if cand.size == 0:
            return
        cand = cand[np.argsort(-_gain(state, cand, src, dst), kind="stable")]
        moved_any = False
        while budget >= 0.5 and cand.size:
            batch = cand[np.cumsum(state.weights[cand]) <= budget + 1e-9]
            if batch.size == 0:
                break
            cand = cand[batch.size :]
            ok = batch[~_guard_batch(state, batch, src, coverable)]
            if ok.size:
                state.move(ok, src, dst)
                budget -= state.weights[ok].sum()
                moved_any = True
            cand = cand[state.weights[cand] <= budget + 1e-9]
        if not moved_any:
            return


def _guard_batch(state, batch, src, coverable):
    """Units of ``batch`` that, moved together, would empty a coverable label
    from ``src``: every unit holding such a label is held back."""
    removed = state.rows.sums(batch)[0]
    empties = coverable & (state.have[src] >= 0.5) & (state.have[src] - removed < 0.5)
    if not empties.any():
        return np.zeros(batch.size, dtype=bool)
    return state.rows.holding(batch, empties)


def _objective(state, parts):
    surplus = (state.have[parts] - state.want[parts]) / state.sizes[parts, None]
    return float((surplus**2).sum())


def _refine(state, coverable, rounds=2):
    """Swap units between pairs of parts while that lowers the rate error.

    Sizes stay as they are. For each pair of parts, the units with the best
    gain on each side are paired up in order, and the number of pairs swapped
    is the prefix length that minimises the exact error of the two parts
    (computed for every prefix at once). Two rounds take most of the gain;
    stops earlier when a round gains less than 1%.
    """
    P = state.P
    everything = list(range(P))
    # at most 256 pairs per swap, and a dense block of at most 4M cells
    cap = max(1, min(256, 4_000_000 // max(1, state.rows.n_labels)))
    for _ in range(rounds):
        start = _objective(state, everything)
        for src in range(P):
            for dst in range(src + 1, P):
                _swap_best_prefix(state, src, dst, cap, coverable)
        if _objective(state, everything) > 0.99 * start:
            return


def _swap_best_prefix(state, src, dst, cap, coverable):
    a = np.flatnonzero(state.part == src)
    b = np.flatnonzero(state.part == dst)
    k = min(cap, a.size, b.size)
    if k == 0:
        return
    ga, gb = _gain(state, a, src, dst), _gain(state, b, dst, src)
    top_a = np.argpartition(-ga, k - 1)[:k] if k < a.size else np.arange(a.size)
    top_b = np.argpartition(-gb, k - 1)[:k] if k < b.size else np.arange(b.size)
    a = a[top_a[np.argsort(-ga[top_a], kind="stable")]]
    b = b[top_b[np.argsort(-gb[top_b], kind="stable")]]
    shift = np.cumsum(state.rows.block(a) - state.rows.block(b), axis=0)
    e_src = state.have[src] - state.want[src]
    e_dst = state.have[dst] - state.want[dst]
    ws, wd = 1 / state.sizes[src] ** 2, 1 / state.sizes[dst] ** 2
    error = ((e_src - shift) ** 2).sum(axis=1) * ws + ((e_dst + shift) ** 2).sum(
        axis=1
    ) * wd
    best = int(np.argmin(error))
    if error[best] >= (e_src**2).sum() * ws + (e_dst**2).sum() * wd - 1e-15:
        return
    a, b = a[: best + 1], b[: best + 1]
    keep = ~(
        _guard_batch(state, a, src, coverable) | _guard_batch(state, b, dst, coverable)
    )
    if keep.any():
        state.move(a[keep], src, dst)
        state.move(b[keep], dst, src)
