"""StratifiedTripleSplit, train_val_test_split, stratified_partition,
duplicate_groups: invariants (hypothesis), rare classes, errors, containers."""

import itertools
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, PredefinedSplit

from skbalance import (
    StratifiedTripleSplit,
    duplicate_groups,
    load_support_tickets,
    stratified_partition,
    train_val_test_split,
)
from skbalance._allocation import part_sizes
from skbalance._multilabel import as_indicator

NAMES = ["train_size", "val_size", "test_size"]
class_counts = st.lists(st.integers(1, 60), min_size=1, max_size=8)


def _labels(counts, seed):
    y = np.repeat(np.arange(len(counts)), counts)
    return np.random.default_rng(seed).permutation(y)


def _check_partition(parts, n):
    together = np.concatenate(parts)
    assert together.size == n
    np.testing.assert_array_equal(np.sort(together), np.arange(n))


def _split(y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # rare classes named
        return next(StratifiedTripleSplit(**kw).split(y, y))


@settings(deadline=None, max_examples=60)
@given(counts=class_counts, seed=st.integers(0, 100))
def test_parts_disjoint_exact_and_every_class_within_one(counts, seed):
    y = _labels([c + 2 for c in counts], seed)  # every class has 3+ rows
    n = y.size
    if n < 20:
        return
    parts = _split(y, keep_rare=False, random_state=seed)
    _check_partition(parts, n)
    sizes = part_sizes(n, [0.7, 0.15, 0.15], NAMES)
    assert [len(p) for p in parts] == sizes.tolist()
    total = np.bincount(y)
    for p, share in zip(parts, [70, 15, 15], strict=True):
        got = np.bincount(y[p], minlength=total.size)
        assert np.all(got >= total * share // 100)  # floor or ceiling of the
        assert np.all(got <= -(-total * share // 100))  # exact share


@settings(deadline=None, max_examples=60)
@given(counts=class_counts, seed=st.integers(0, 100))
def test_rare_classes_placed_and_classes_of_three_in_every_part(counts, seed):
    y = _labels(counts, seed)
    if y.size < 3:
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parts = next(StratifiedTripleSplit(random_state=seed).split(y, y))
    _check_partition(parts, y.size)
    # when the parts are too small for every class of 3+ (5 rows: 3/1/1), it says so
    crowded = any("could not be put" in str(w.message) for w in caught)
    total = np.bincount(y)
    per_part = np.stack([np.bincount(y[p], minlength=total.size) for p in parts])
    sizes = part_sizes(y.size, [0.7, 0.15, 0.15], NAMES)
    big = (total >= 3).sum()  # one row a part each comes first
    if ((total > 0).sum() > sizes[0]) or ((total == 2).sum() + big > sizes[2]):
        return  # a handful of rows: exact part sizes come first
    for k, c in enumerate(total):
        if c == 1:
            assert per_part[:, k].tolist() == [1, 0, 0]
        elif c == 2:
            assert per_part[:, k].tolist() == [1, 0, 1]
        else:
            assert per_part[:, k].min() >= 1 or crowded


@settings(deadline=None, max_examples=40)
@given(counts=class_counts, seed=st.integers(0, 100))
def test_same_random_state_same_split(counts, seed):
    y = _labels(counts, 0)
    if y.size < 3:
        return
    a = _split(y, random_state=seed)
    b = _split(y, random_state=seed)
    for x, z in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, z)


@settings(deadline=None, max_examples=40)
@given(
    n_groups=st.integers(6, 60),
    seed=st.integers(0, 100),
    multilabel=st.booleans(),
)
def test_groups_never_straddle_parts(n_groups, seed, multilabel):
    rng = np.random.default_rng(seed)
    groups = rng.integers(0, n_groups, size=4 * n_groups)
    if multilabel:
        y = (rng.random((groups.size, 5)) < 0.3).astype(int)
    else:
        y = rng.integers(0, 3, size=groups.size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        parts = next(StratifiedTripleSplit(random_state=seed).split(y, y, groups))
    _check_partition(parts, groups.size)
    seen = [set(groups[p].tolist()) for p in parts]
    assert not (seen[0] & seen[1] or seen[0] & seen[2] or seen[1] & seen[2])


@settings(deadline=None, max_examples=40)
@given(
    n=st.integers(20, 300),
    n_labels=st.integers(1, 12),
    seed=st.integers(0, 100),
    shares=st.sampled_from([[0.7, 0.15, 0.15], [0.8, 0.2], [0.2] * 5]),
)
def test_multilabel_parts_exact_and_cover_labels(n, n_labels, seed, shares):
    rng = np.random.default_rng(seed)
    prevalence = rng.uniform(0.005, 0.5, n_labels)
    Y = (rng.random((n, n_labels)) < prevalence).astype(np.int8)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        part = stratified_partition(Y, shares, random_state=seed)
    sizes = part_sizes(n, shares, [str(j) for j in range(len(shares))])
    np.testing.assert_array_equal(np.bincount(part, minlength=len(shares)), sizes)
    holders = Y.sum(axis=0)
    per_part = np.stack([Y[part == j].sum(axis=0) for j in range(len(shares))])
    missing = ((per_part == 0) & (holders >= max(3, len(shares)))).any(axis=0)
    # coverage can be impossible (labels sharing their few rows); then it warns
    assert not missing.any() or any(
        "could not be put" in str(w.message) for w in caught
    )


def test_multilabel_covers_rare_labels_that_iterative_splits_drop():
    # 60 labels of 3 positives each on 1000 rows: every one in every part
    rng = np.random.default_rng(0)
    rows = np.concatenate([rng.choice(1000, 3, replace=False) for _ in range(60)])
    Y = sparse.csr_matrix(
        (np.ones(180, bool), (rows, np.repeat(np.arange(60), 3))), shape=(1000, 60)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "could not be put" warning either
        part = stratified_partition(Y, [0.7, 0.15, 0.15], random_state=0)
    for j in range(3):
        assert (Y[part == j].sum(axis=0) > 0).all()


def test_list_of_label_lists_is_multilabel():
    y = [["billing"], ["billing", "refund"], ["technical"], ["refund"]] * 10
    parts = _split(y, random_state=0)
    assert [len(p) for p in parts] == [28, 6, 6]
    for p in parts:
        assert {label for i in p for label in y[i]} == {
            "billing",
            "refund",
            "technical",
        }


# -- rare classes, as scikit-learn fails on them ---------------------------------


def test_one_two_and_three_member_classes():
    y = np.array(["big"] * 93 + ["one"] + ["two"] * 2 + ["three"] * 3 + ["four"])
    y = y[:99]  # 93 big, 1 one, 2 two, 3 three
    with pytest.warns(UserWarning) as record:
        train, val, test = next(StratifiedTripleSplit(random_state=0).split(y, y))
    message = str(record[0].message)
    assert message == (
        "2 class(es) have too few examples to be in every part: 'one' (1), "
        "'two' (2). They go to train (1 example) or to train and test (2 examples)."
    )
    count = {k: [int((y[p] == k).sum()) for p in (train, val, test)] for k in set(y)}
    assert count["one"] == [1, 0, 0]
    assert count["two"] == [1, 0, 1]
    assert count["three"] == [1, 1, 1]  # scikit-learn: 3/0/0
    assert [len(train), len(val), len(test)] == [69, 15, 15]


def test_single_class_splits_by_size():
    y = np.zeros(40, dtype=int)
    parts = _split(y, random_state=0)
    assert [len(p) for p in parts] == [28, 6, 6]


def test_n_splits_gives_independent_repeats():
    y = _labels([50, 30, 20], 0)
    splits = list(StratifiedTripleSplit(n_splits=3, random_state=0).split(y, y))
    assert len(splits) == 3 == StratifiedTripleSplit(n_splits=3).get_n_splits()
    assert not np.array_equal(splits[0][2], splits[1][2])
    for parts in splits:
        _check_partition(parts, y.size)


def test_absolute_sizes_and_the_rest():
    y = _labels([60, 40], 0)
    parts = _split(y, train_size=None, val_size=10, test_size=20, random_state=0)
    assert [len(p) for p in parts] == [70, 10, 20]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"train_size": 0.6, "val_size": 0.15, "test_size": 0.15},
            "train_size + val_size + test_size = 0.9; fractions must sum to 1 (or "
            "give one size as None for the rest).",
        ),
        (
            {"train_size": 50, "val_size": 10, "test_size": 10},
            "train_size + val_size + test_size = 70 rows, but the data has 100; "
            "counts must add up to the number of rows (or give one size as None "
            "for the rest).",
        ),
        (
            {"train_size": 0.7, "val_size": 15, "test_size": 15},
            "Give the sizes all as fractions or all as counts; got train_size=0.7, "
            "val_size=15, test_size=15.",
        ),
        (
            {"train_size": 1.5},
            "train_size=1.5 must be a fraction in (0, 1), a positive integer count, "
            "or None for the rest.",
        ),
        (
            {"train_size": None, "val_size": None},
            "At most one of the sizes may be None (the rest).",
        ),
        ({"n_splits": 0}, "n_splits must be a positive integer; got 0."),
    ],
)
def test_bad_sizes_are_clear_errors(kwargs, message):
    y = _labels([60, 40], 0)
    with pytest.raises(ValueError, match=re.escape(message)):
        next(StratifiedTripleSplit(**kwargs).split(y, y))


def test_too_few_rows_for_three_parts():
    y = np.array([0, 1])
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Cannot split 2 rows into 3 non-empty parts; train_size + val_size + "
            "test_size need at least one row each."
        ),
    ):
        next(StratifiedTripleSplit().split(y, y))
    parts = _split(np.array([0, 0, 1]), random_state=0)  # 3 rows: one per part
    assert [len(p) for p in parts] == [1, 1, 1]


def test_more_parts_than_rows():
    with pytest.raises(ValueError, match="Cannot split 4 rows into 5 non-empty parts"):
        stratified_partition(np.array([0, 0, 1, 1]), [0.2] * 5)


def test_empty_y():
    with pytest.raises(ValueError, match=re.escape("Cannot split an empty data set")):
        next(StratifiedTripleSplit().split([], []))


def test_missing_labels_and_length_mismatch():
    with pytest.raises(ValueError, match="y has missing values"):
        next(StratifiedTripleSplit().split(np.zeros(10), [0.0] * 9 + [np.nan]))
    with pytest.raises(ValueError, match="X has 10 rows but y has 9"):
        next(StratifiedTripleSplit().split(np.zeros(10), [0] * 9))
    with pytest.raises(ValueError, match="StratifiedTripleSplit needs y"):
        next(StratifiedTripleSplit().split(np.zeros(10), None))


def test_keep_rare_impossible_warns_and_still_splits():
    # 20 classes of 3 need 20 rows in val, which has 9: sizes stay exact
    y = np.concatenate([np.repeat(np.arange(20), 3), np.full(0, 0)])
    with pytest.warns(UserWarning) as record:
        parts = next(StratifiedTripleSplit(random_state=0).split(y, y))
    assert [len(p) for p in parts] == [42, 9, 9]
    (message,) = [str(w.message) for w in record]
    counts = np.stack([np.bincount(y[p], minlength=20) for p in parts])
    missing = np.flatnonzero((counts == 0).any(axis=0))
    assert missing.size == 11  # 9 classes fill val; 11 cannot reach it
    named = ", ".join(f"{k} (3 rows)" for k in missing[:10])
    assert message == (
        "11 class(es) of at least 3 rows could not be put in every part (the rows "
        f"they need overflow a part): {named} and 1 more."
    )


# -- train_val_test_split --------------------------------------------------------


def test_train_val_test_split_keeps_containers():
    n = 40
    df = pd.DataFrame({"text": [f"t{i}" for i in range(n)]}, index=range(100, 100 + n))
    texts = df["text"].tolist()
    y = np.array([0] * 30 + [1] * 10)
    X_sp = sparse.csr_matrix(np.arange(n * 2).reshape(n, 2))
    out = train_val_test_split(df, texts, X_sp, y, stratify=y, random_state=0)
    assert len(out) == 12
    df_tr, df_va, df_te = out[:3]
    assert isinstance(df_tr, pd.DataFrame) and isinstance(out[3], list)
    assert sparse.issparse(out[6])
    assert (len(df_tr), len(df_va), len(df_te)) == (28, 6, 6)
    assert out[3] == df_tr["text"].tolist()  # the same rows in every array
    assert not df_tr.index.is_monotonic_increasing  # shuffled by default
    np.testing.assert_array_equal(out[6].toarray()[:, 0] // 2, df_tr.index - 100)
    kept = train_val_test_split(df, stratify=y, shuffle=False, random_state=0)
    for shuffled, ordered in zip(out[:3], kept, strict=True):
        assert ordered.index.is_monotonic_increasing  # input order kept
        assert sorted(shuffled.index) == ordered.index.tolist()  # same parts


def test_train_val_test_split_without_stratify_and_bad_lengths():
    parts = train_val_test_split(list(range(20)), random_state=0)
    assert [len(p) for p in parts] == [14, 3, 3]
    with pytest.raises(ValueError, match="array 0 has 20 rows, array 1 has 19"):
        train_val_test_split(list(range(20)), list(range(19)))


# -- duplicates and groups ---------------------------------------------------------


def test_duplicate_groups_normalises_case_and_whitespace():
    texts = ["Reset my  password", "Invoice?", "reset my password\n", "INVOICE?"]
    np.testing.assert_array_equal(duplicate_groups(texts), [0, 1, 0, 1])
    records = [{"text": "a", "x": 1}, {"x": 1, "text": "A"}]
    np.testing.assert_array_equal(duplicate_groups(records), [0, 0])
    with pytest.raises(TypeError, match=re.escape("texts[1] is a int")):
        duplicate_groups(["a", 3])


def test_duplicates_never_in_two_parts():
    tickets = load_support_tickets()
    texts = [r["text"] for r in tickets]
    labels = [r["label"] for r in tickets]
    groups = duplicate_groups(texts)
    assert np.bincount(groups).max() > 1  # the bundled data has duplicates
    train, val, test = next(
        StratifiedTripleSplit(random_state=0).split(texts, labels, groups)
    )
    keys = [{groups[i] for i in p} for p in (train, val, test)]
    assert not (keys[0] & keys[1] or keys[0] & keys[2] or keys[1] & keys[2])
    assert abs(len(test) - 0.15 * len(texts)) <= 3  # groups of 2: nearly exact
    for p in (train, val, test):
        assert {labels[i] for i in p} == set(labels)


# -- tuning on train/val with test held out -------------------------------------


def test_grid_search_on_train_and_val_with_test_held_out():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = (X[:, 0] + rng.normal(size=300) > 1).astype(int)
    train, val, test = next(StratifiedTripleSplit(random_state=0).split(X, y))
    dev = np.concatenate([train, val])
    cv = PredefinedSplit(np.r_[np.full(train.size, -1), np.zeros(val.size)])
    search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=cv)
    search.fit(X[dev], y[dev])
    (fold,) = list(cv.split())
    np.testing.assert_array_equal(dev[fold[0]], train)
    np.testing.assert_array_equal(dev[fold[1]], val)
    assert not set(dev.tolist()) & set(test.tolist())
    assert 0 <= search.score(X[test], y[test]) <= 1


@pytest.mark.parametrize("few", [True, False])  # class by class, or one permutation
def test_assign_rows_gives_every_class_its_allocation(monkeypatch, few):
    from skbalance import _allocation

    if not few:
        monkeypatch.setattr(_allocation, "_FEW_CLASSES", 0)
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 6, 500)
    counts = np.bincount(codes)
    alloc = np.stack([counts - counts // 3 - counts // 5, counts // 3, counts // 5], 1)
    part = _allocation.assign_rows(codes, alloc, np.random.RandomState(0))
    got = np.zeros_like(alloc)
    np.add.at(got, (codes, part), 1)
    np.testing.assert_array_equal(got, alloc)
    again = _allocation.assign_rows(codes, alloc, np.random.RandomState(1))
    assert not np.array_equal(part, again)  # random, not a fixed pattern


def test_every_form_of_the_same_labels_gives_the_same_split():
    """Dense, CSR with int32 or int64 indices, unsorted and duplicate entries
    (summed to 1), and label lists all reach the C kernel as the same matrix."""
    rng = np.random.default_rng(0)
    dense = rng.random((400, 30)) < np.linspace(0.01, 0.4, 30)
    Y = sparse.csr_matrix(dense)
    wide = Y.copy()
    wide.indices = wide.indices.astype(np.int64)
    wide.indptr = wide.indptr.astype(np.int64)
    rows, cols = np.nonzero(dense)
    shuffled = np.random.default_rng(1).permutation(rows.size)
    coo = sparse.coo_matrix(
        (np.ones(rows.size), (rows[shuffled], cols[shuffled])), shape=dense.shape
    ).tocsr()
    lists = [list(np.flatnonzero(row)) for row in dense]
    dtypes = [dense.astype(t) for t in (np.int8, np.uint8, np.int64, np.float32)]
    fortran = np.asfortranarray(dense.astype(np.float64))
    first = stratified_partition(dense, [0.7, 0.15, 0.15], random_state=0)
    for same in (Y, wide, coo, lists, *dtypes, fortran, pd.DataFrame(dense)):
        again = stratified_partition(same, [0.7, 0.15, 0.15], random_state=0)
        np.testing.assert_array_equal(first, again)
    assert np.bincount(first).tolist() == [280, 60, 60]
    assert first.dtype == np.int64


def test_a_messy_sparse_y_is_read_without_changing_it():
    """Duplicate entries (one label, not two) and explicit zeros (no label) in
    a caller's bool CSR matrix: the split is that of the clean matrix, and the
    caller's arrays are left as they were."""
    rng = np.random.default_rng(0)
    dense = rng.random((300, 12)) < np.linspace(0.02, 0.3, 12)
    indices, indptr = [], [0]
    for row in dense:
        ones, empty = np.flatnonzero(row), np.flatnonzero(~row)
        # every 1, one of them again, one explicit zero; columns unsorted
        cols = np.r_[ones, ones[: rng.integers(0, 2)], empty[: rng.integers(0, 2)]]
        indices.extend(cols[::-1])
        indptr.append(len(indices))
    indices = np.array(indices)
    rows = np.repeat(np.arange(300), np.diff(indptr))
    messy = sparse.csr_matrix(
        (dense[rows, indices], indices, np.array(indptr)), shape=dense.shape
    )
    assert not messy.has_canonical_format and not messy.data.all()
    assert messy.nnz > dense.sum()
    arrays = [messy.data.copy(), messy.indices.copy(), messy.indptr.copy()]
    clean = sparse.csr_matrix(dense)
    want = stratified_partition(clean, [0.7, 0.15, 0.15], random_state=0)
    got = stratified_partition(messy, [0.7, 0.15, 0.15], random_state=0)
    np.testing.assert_array_equal(got, want)
    after = [messy.data, messy.indices, messy.indptr]
    for old, new in zip(arrays, after, strict=True):
        np.testing.assert_array_equal(old, new)


def test_swaps_keep_sizes_and_coverage_and_lower_the_rate_error():
    """The kernel's last step on its own: the same split with and without
    swaps, for seeds where some label ends more than one row off."""
    from skbalance._iterative import iterative_kernel

    rng = np.random.default_rng(0)
    Y = sparse.csr_matrix(rng.random((600, 25)) < np.linspace(0.01, 0.5, 25))
    Y = sparse.csr_matrix(Y, dtype=np.float64)
    n, L = Y.shape
    sizes = np.array([360.0, 120.0, 120.0])
    args = (Y.indptr.astype(np.intp), Y.indices.astype(np.int32), Y.data, L, np.ones(n))

    def error(part):
        have = np.stack(
            [np.asarray(Y[part == j].sum(axis=0)).ravel() for j in range(3)]
        )
        want = sizes[:, None] / n * np.asarray(Y.sum(axis=0)).ravel()
        return (((have - want) / sizes[:, None]) ** 2).sum(), have

    lowered = 0
    for seed in range(10):
        order = np.random.default_rng(seed).permutation(n).astype(np.intp)
        jitter = np.random.default_rng(seed).random(L)
        plain, _ = iterative_kernel(*args, sizes, order, jitter, True, False)
        swapped, _ = iterative_kernel(*args, sizes, order, jitter, True, True)
        # 0/1 labels without their values: the same split
        binary, _ = iterative_kernel(
            *args, sizes, order, jitter, True, True, binary=True
        )
        np.testing.assert_array_equal(binary, swapped)
        np.testing.assert_array_equal(np.bincount(swapped, minlength=3), sizes)
        before, have_before = error(plain)
        after, have_after = error(swapped)
        assert after <= before + 1e-12
        assert ((have_after > 0) | (have_before == 0)).all()  # nothing uncovered
        lowered += after < before - 1e-12
    assert lowered >= 5


# -- few groups: the closest sizes the groups allow, errors and warnings ---------

Y20 = np.array([0] * 14 + [1] * 6)


def _sizes_and_classes(groups, **kw):
    parts = train_val_test_split(
        np.arange(20), stratify=Y20, groups=groups, random_state=0, **kw
    )
    return [len(p) for p in parts], [
        np.bincount(Y20[p], minlength=2).tolist() for p in parts
    ]


@pytest.mark.parametrize("seed", range(5))
def test_three_groups_give_the_closest_sizes_and_name_the_classes(seed):
    groups = np.r_[[0] * 10, [1] * 5, [2] * 5]
    with pytest.warns(UserWarning) as record:
        parts = train_val_test_split(
            np.arange(20), stratify=Y20, groups=groups, random_state=seed
        )
    # targets 14/3/3: the 10-row group goes to train, not 15 / 0 / 5
    assert [len(p) for p in parts] == [10, 5, 5]
    assert sorted(parts[0]) == list(range(10))
    assert [str(w.message) for w in record] == [
        "2 class(es) of at least 3 rows could not be put in every part (too few "
        "groups hold them): 0 (14 rows in 2 groups), 1 (6 rows in 2 groups)."
    ]


def test_one_big_group_goes_to_train():
    groups = np.r_[[0] * 18, [1], [2]]
    with pytest.warns(UserWarning, match="could not be put in every part"):
        sizes, _ = _sizes_and_classes(groups)
    assert sizes == [18, 1, 1]  # not 1 / 18 / 1


def test_fewer_groups_than_parts_is_an_error_naming_them():
    with pytest.raises(ValueError) as info:
        train_val_test_split(np.arange(20), groups=["a"] * 20, random_state=0)
    assert str(info.value) == (
        "Cannot split 1 group(s) into 3 non-empty parts: groups 'a' (20 rows)."
    )
    with pytest.raises(
        ValueError, match=r"2 group\(s\) into 5 .* 'a' \(19 rows\), 'b' \(1 row\)\.$"
    ):
        stratified_partition(Y20, [0.2] * 5, groups=["a"] * 19 + ["b"])


def test_a_class_held_by_one_group_is_named():
    # class 1 lives in group 3 only; class 0 is spread over six groups
    groups = np.r_[np.arange(14) % 6, [6] * 6]
    with pytest.warns(UserWarning) as record:
        sizes, classes = _sizes_and_classes(groups)
    assert [str(w.message) for w in record] == [
        "1 class(es) of at least 3 rows could not be put in every part (too few "
        "groups hold them): 1 (6 rows in 1 group)."
    ]
    assert sum(c[1] == 6 for c in classes) == 1  # all of class 1 in one part


@settings(deadline=None, max_examples=60)
@given(
    sizes=st.lists(st.integers(1, 12), min_size=3, max_size=7),
    seed=st.integers(0, 100),
)
def test_few_groups_the_smallest_size_error(sizes, seed):
    groups = np.repeat(np.arange(len(sizes)), sizes)
    y = np.random.default_rng(seed).integers(0, 2, groups.size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        part = stratified_partition(
            y, [0.7, 0.15, 0.15], groups=groups, random_state=seed
        )
    target = part_sizes(groups.size, [0.7, 0.15, 0.15], NAMES)
    got = np.bincount(part, minlength=3)
    assert got.min() >= 1
    # brute force: no assignment of the groups with no empty part does better
    best = min(
        np.abs(np.bincount(a, weights=sizes, minlength=3) - target).sum()
        for a in itertools.product(range(3), repeat=len(sizes))
        if len(set(a)) == 3
    )
    assert np.abs(got - target).sum() == best


@settings(deadline=None, max_examples=60)
@given(
    n_groups=st.integers(12, 80),
    seed=st.integers(0, 1000),
    shares=st.sampled_from([[0.7, 0.15, 0.15], [0.8, 0.2], [0.2] * 5]),
)
def test_many_groups_sizes_within_the_largest_group(n_groups, seed, shares):
    rng = np.random.default_rng(seed)
    groups = rng.integers(0, n_groups, int(rng.integers(n_groups, 6 * n_groups)))
    groups[:n_groups] = np.arange(n_groups)
    y = rng.integers(0, 3, groups.size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        part = stratified_partition(y, shares, groups=groups, random_state=seed)
    target = part_sizes(groups.size, shares, [str(j) for j in range(len(shares))])
    got = np.bincount(part, minlength=len(shares))
    assert got.min() >= 1
    assert np.abs(got - target).max() <= np.bincount(groups).max()


# -- random_state: scikit-learn's semantics ---------------------------------------

SPLITTERS = {
    "triple": lambda y, rs: next(StratifiedTripleSplit(random_state=rs).split(y, y)),
    "function": lambda y, rs: train_val_test_split(
        np.arange(len(y)), stratify=y, random_state=rs
    ),
    "partition": lambda y, rs: [stratified_partition(y, [0.5, 0.5], random_state=rs)],
}


@pytest.mark.parametrize("name", sorted(SPLITTERS))
@pytest.mark.parametrize("multilabel", [False, True])
def test_an_int_and_its_random_state_give_the_same_split(name, multilabel):
    rng = np.random.default_rng(0)
    y = (
        (rng.random((200, 4)) < 0.3).astype(int)
        if multilabel
        else rng.integers(0, 3, 200)
    )
    split = SPLITTERS[name]
    for a, b in zip(split(y, 0), split(y, np.random.RandomState(0)), strict=True):
        np.testing.assert_array_equal(a, b)
    first, second = split(y, None), split(y, None)
    assert any(not np.array_equal(a, b) for a, b in zip(first, second, strict=True))


@pytest.mark.parametrize(
    "y, kind",
    [
        (np.array([["a", "b"]] * 20), "strings"),
        (np.array([[0, 2]] * 20), "numbers other than 0 and 1"),
        (np.array([[0.5, 1.0]] * 20), "numbers other than 0 and 1"),
        (np.array([["a", 1]] * 20, dtype=object), "objects"),
    ],
)
def test_a_multi_output_y_names_what_was_given_and_what_is_accepted(y, kind):
    message = (
        f"y is a 2-D array of {kind} of shape (20, 2) (a multi-output target, one "
        "label per column). Stratified splits accept one label per row (1-D), a "
        "multi-label 0/1 indicator matrix (dense or sparse), or a list of label "
        "lists; to stratify on several columns, join them into one label per row."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        train_val_test_split(np.arange(20), stratify=y, random_state=0)


def test_a_one_hot_y_is_one_label_per_row():
    y = np.array([[1.0, 0.0]] * 10 + [[0.0, 1.0]] * 10)
    parts = train_val_test_split(np.arange(20), stratify=y, random_state=0)
    assert [len(p) for p in parts] == [14, 3, 3]


@pytest.mark.parametrize("bad", [2, -1, 0.5, np.nan])
def test_a_matrix_with_a_value_other_than_0_or_1_is_not_multilabel(bad):
    Y = (np.random.default_rng(0).random((40, 3)) < 0.4).astype(np.float64)
    Y[5, 1] = bad
    with pytest.raises(ValueError, match="^y is a 2-D array of numbers other than"):
        stratified_partition(Y, [0.5, 0.5], random_state=0)
    with pytest.raises(ValueError, match="^A multi-label y must be a 0/1 matrix"):
        as_indicator(Y)
    if bad in (2, -1):
        with pytest.raises(ValueError, match="^y is a 2-D array of numbers other"):
            stratified_partition(Y.astype(np.int8), [0.5, 0.5], random_state=0)


def test_multilabel_labels_that_cannot_reach_every_part_are_named():
    # 10 rows split 7 / 2 / 1: the one test row cannot hold both labels
    Y = np.zeros((10, 2), dtype=int)
    Y[:3, 0] = 1
    Y[3:6, 1] = 1
    with pytest.warns(UserWarning) as record:
        part = stratified_partition(Y, [0.7, 0.15, 0.15], random_state=0)
    assert np.bincount(part).tolist() == [7, 2, 1]
    (message,) = [str(w.message) for w in record]
    missing = [k for k in (0, 1) if not Y[part == 2, k].any()]
    assert message == (
        "1 label(s) of at least 3 rows could not be put in every part (too few "
        f"rows, or rows shared with other labels): {missing[0]} (3 rows)."
    )


@pytest.mark.parametrize("seed", range(5))
def test_classes_of_one_row_stay_in_train_when_a_covered_class_could_yield(seed):
    """9 rows, classes of 1, 1, 1 and 6 (parts 6/2/1): the 6-row class gives
    up a train row to val, the classes of one row stay in train (hypothesis
    found a class of one row in val: the 6-row class was placed first and
    filled train)."""
    y = np.array([0, 1, 2] + [3] * 6)
    parts = next(StratifiedTripleSplit(random_state=seed).split(y, y))
    per_part = np.stack([np.bincount(y[p], minlength=4) for p in parts]).T
    assert per_part[:3].tolist() == [[1, 0, 0]] * 3
    assert per_part[3].min() >= 1
