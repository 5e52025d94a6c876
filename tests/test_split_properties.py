"""Guarantees of the stratified splitters, checked with hypothesis: exact part
sizes and a controlled rounding of every class's exact shares."""

import warnings
from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skbalance import StratifiedLabelKFold, StratifiedTripleSplit, stratified_partition
from skbalance._allocation import allocate_classes, exact_parts
from skbalance._sizes import fold_parts

counts_st = st.lists(st.integers(1, 80), min_size=1, max_size=8)
fractions_st = st.sampled_from(
    [
        [0.7, 0.15, 0.15],
        [0.8, 0.2],
        [0.6, 0.2, 0.2],
        [0.2] * 5,
        [0.5, 0.3, None],
        [0.34, 0.33, 0.33],
        [0.9, 0.05, 0.05],
    ]
)


def _labels(counts, seed):
    y = np.repeat(np.arange(len(counts)), counts)
    return np.random.default_rng(seed).permutation(y)


def _table(y, part, n_parts):
    return np.stack(
        [np.bincount(y[part == j], minlength=y.max() + 1) for j in range(n_parts)],
        axis=1,
    )  # (n_classes, n_parts)


def _exact_shares(counts, sizes):
    """Exact share of every class in every part, as Fractions."""
    n = sum(counts)
    if any(isinstance(s, float) for s in sizes):
        given = [Fraction(str(s)) for s in sizes if s is not None]
        fr = [1 - sum(given) if s is None else Fraction(str(s)) for s in sizes]
    else:
        fr = [Fraction(s, n) for s in sizes]
    return [[c * f for f in fr] for c in counts]


def _rounds(exact, fractions, n):
    """Whether every part size is its exact share rounded down or up (not so
    when a tiny data set gives a part a row it did not earn)."""
    given = [Fraction(str(s)) for s in fractions if s is not None]
    fr = [1 - sum(given) if s is None else Fraction(str(s)) for s in fractions]
    return all(abs(int(t) - n * f) < 1 for t, f in zip(exact, fr, strict=True))


def _quiet(call, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return call(*args, **kw)


@settings(deadline=None, max_examples=150)
@given(
    counts=counts_st,
    sizes=fractions_st,
    as_counts=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_without_keep_rare_every_count_is_a_floor_or_ceiling(
    counts, sizes, as_counts, seed
):
    y = _labels(counts, seed)
    n = y.size
    P = len(sizes)
    if n < P:
        return
    names = [str(j) for j in range(P)]
    exact, *_ = exact_parts(n, sizes, names)
    if as_counts or not _rounds(exact, sizes, n):  # shares of the given rows
        sizes = [int(s) for s in exact]
    part = _quiet(stratified_partition, y, sizes, keep_rare=False, random_state=seed)
    np.testing.assert_array_equal(np.bincount(part, minlength=P), exact)
    table = _table(y, part, P)
    shares = _exact_shares(np.bincount(y).tolist(), sizes)
    for k, row in enumerate(shares):
        for j, share in enumerate(row):
            assert share - 1 < table[k, j] < share + 1, (k, j, share, table[k, j])


@settings(deadline=None, max_examples=300)
@given(
    counts=st.lists(st.integers(1, 60), min_size=1, max_size=12),
    weights=st.lists(st.integers(1, 20), min_size=2, max_size=6),
    triple=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_with_keep_rare_the_stated_bound_holds(counts, weights, triple, seed):
    """Rare classes first: one row in every part where the share is below one,
    the rest by largest remainder; every other class is within one of its exact
    share or of its share of what the rare classes leave."""
    n, P, W = sum(counts), len(weights), sum(weights)
    if n < P:
        return
    w = np.array(weights)
    quota = n * w
    sizes = quota // W
    sizes[np.argsort(-(quota % W), kind="stable")[: n - sizes.sum()]] += 1
    if sizes.min() < 1:
        return
    rare_order = [0, 2, 1] if triple and P == 3 else None
    alloc, rare, uncovered = allocate_classes(
        counts,
        sizes,
        fractions=(w, W),
        keep_rare=True,
        rare_order=rare_order,
        rng=np.random.RandomState(seed),
    )
    np.testing.assert_array_equal(alloc.sum(axis=1), counts)
    np.testing.assert_array_equal(alloc.sum(axis=0), sizes)
    assert (alloc >= 0).all()
    shares = [[Fraction(int(c) * int(x), W) for x in w] for c in counts]
    rare_rows = alloc[rare].sum(axis=0)
    left = n - int(rare_rows.sum())
    for k, c in enumerate(counts):
        small = [s < 1 for s in shares[k]]
        if rare[k] and c >= max(3, P):  # covered, the rest by largest remainder
            assert (alloc[k] >= 1).all()
            assert all(alloc[k, j] == 1 for j in range(P) if small[j])
            rest = c - sum(small)
            weight = sum(int(w[j]) for j in range(P) if not small[j])
            for j in range(P):
                if not small[j]:
                    quota = Fraction(rest * int(w[j]), weight)
                    assert quota - 1 < alloc[k, j] < max(quota + 1, 2)
        elif rare[k]:  # smaller than the number of parts: in rare_order
            assert c < P and rare_order is not None
            assert alloc[k, rare_order[:c]].tolist() == [1] * c
        else:
            if k in uncovered:
                assert c >= max(3, P) and (alloc[k] == 0).any()
            for j in range(P):
                of_left = Fraction(c * int(sizes[j] - rare_rows[j]), max(left, 1))
                low = min(shares[k][j], of_left)
                high = max(shares[k][j], of_left)
                assert low - 1 < alloc[k, j] < high + 1, (k, j)
                if not rare.any():
                    assert shares[k][j] - 1 < alloc[k, j] < shares[k][j] + 1


def test_the_issue_example_is_a_controlled_rounding():
    y = np.repeat([0, 1], [5, 13])
    train, val, test = next(
        StratifiedTripleSplit(random_state=0, keep_rare=False).split(np.zeros(18), y)
    )
    got = [np.bincount(y[p], minlength=2).tolist() for p in (train, val, test)]
    assert got == [[3, 9], [1, 2], [1, 2]]  # shares (3.5, 9.1), (.75, 1.95) x2


def test_keep_rare_puts_classes_of_three_in_every_part():
    y = np.array([0] * 100 + [1] * 3 + [2] * 3)
    parts = next(StratifiedTripleSplit(random_state=0).split(y, y))
    got = [np.bincount(y[p], minlength=3).tolist() for p in parts]
    # sizes 74/16/16; classes 1 and 2 need one row a part, class 0 takes the rest
    assert got == [[72, 1, 1], [14, 1, 1], [14, 1, 1]]
    parts = next(StratifiedTripleSplit(random_state=0, keep_rare=False).split(y, y))
    got = [np.bincount(y[p], minlength=3).tolist() for p in parts]
    assert [row[0] for row in got] == [70, 15, 15]  # its exact shares


@settings(deadline=None, max_examples=150)
@given(
    counts=counts_st,
    n_splits=st.integers(2, 7),
    shuffle=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_kfold_folds_exact_and_every_count_a_floor_or_ceiling(
    counts, n_splits, shuffle, seed
):
    y = _labels(counts, seed)
    if y.size < n_splits:
        return
    cv = StratifiedLabelKFold(
        n_splits, shuffle=shuffle, random_state=seed if shuffle else None
    )
    folds = _quiet(lambda: list(cv.split(y, y)))
    tests = [test for _, test in folds]
    np.testing.assert_array_equal(np.sort(np.concatenate(tests)), np.arange(y.size))
    sizes = [t.size for t in tests]
    assert max(sizes) - min(sizes) <= 1
    total = np.bincount(y)
    for train, test in folds:
        assert train.size + test.size == y.size
        got = np.bincount(y[test], minlength=total.size)
        # count / n_splits rounded down or up, for every class in every fold
        assert (total // n_splits <= got).all() and (got <= -(-total // n_splits)).all()


@settings(deadline=None, max_examples=300)
@given(
    counts=st.lists(st.integers(1, 60), min_size=1, max_size=8),
    n_splits=st.integers(2, 9),
    keep_rare=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_fold_allocation_is_within_one_of_count_over_k(
    counts, n_splits, keep_rare, seed
):
    # the one rule of both engines (StratifiedLabelKFold, skbalance.spark.kfold):
    # fold_parts, then allocate_classes on the class counts alone
    n = sum(counts)
    if n < n_splits:
        return
    sizes, *fractions = fold_parts(n, n_splits)
    alloc = allocate_classes(
        counts,
        sizes,
        fractions=tuple(fractions),
        keep_rare=keep_rare,
        rng=np.random.RandomState(seed),
    ).alloc
    assert sizes.tolist() == [
        n // n_splits + (j < n % n_splits) for j in range(n_splits)
    ]
    assert alloc.sum(axis=1).tolist() == counts
    assert alloc.sum(axis=0).tolist() == sizes.tolist()
    c = np.array(counts)[:, None]
    assert ((c // n_splits <= alloc) & (alloc <= -(-c // n_splits))).all()


@settings(deadline=None, max_examples=60)
@given(
    n=st.integers(10, 200),
    n_labels=st.integers(1, 8),
    n_splits=st.integers(2, 6),
    seed=st.integers(0, 1000),
)
def test_multilabel_kfold_folds_exact(n, n_labels, n_splits, seed):
    rng = np.random.default_rng(seed)
    Y = (rng.random((n, n_labels)) < rng.uniform(0.01, 0.5, n_labels)).astype(int)
    folds = _quiet(
        lambda: list(StratifiedLabelKFold(n_splits, random_state=seed).split(Y, Y))
    )
    sizes = [test.size for _, test in folds]
    assert sorted(sizes) == sorted(
        [n // n_splits + (j < n % n_splits) for j in range(n_splits)]
    )
