"""StratifiedLabelKFold and StratifiedLabelShuffleSplit: exact folds, the
per-class guarantee, scikit-learn's cv= protocol, groups routing, and fold
quality against iterative-stratification."""

import warnings

import numpy as np
import pytest
import sklearn
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score, cross_validate
from sklearn.multioutput import MultiOutputClassifier

from skbalance import (
    StratifiedLabelKFold,
    StratifiedLabelShuffleSplit,
    StratifiedTripleSplit,
)


def _multilabel(n=600, n_labels=20, seed=0):
    """Power-law label rates (label j about 0.3 * (j + 1) ** -1.2)."""
    rng = np.random.default_rng(seed)
    rate = 0.3 * (np.arange(n_labels) + 1.0) ** -1.2
    Y = (rng.random((n, n_labels)) < rate).astype(int)
    X = rng.normal(size=(n, 3)) + Y[:, :3]
    return X, Y


def _label_error(Y, folds):
    """Mean and worst absolute difference between a label's rate in a test fold
    and in the whole set (the LD of Sechidis et al.), over labels and folds."""
    rate = Y.mean(axis=0)
    diff = np.stack([np.abs(Y[test].mean(axis=0) - rate) for _, test in folds])
    return diff.mean(), diff.max()


def test_single_label_folds_are_exact_and_within_one():
    y = np.array([0] * 80 + [1] * 23)
    folds = list(StratifiedLabelKFold(5, random_state=0).split(y, y))
    assert [len(t) for _, t in folds] == [21, 21, 21, 20, 20]
    for train, test in folds:
        assert np.intersect1d(train, test).size == 0
        assert train.size + test.size == y.size
        assert (y[test] == 1).sum() in (4, 5)  # 23 / 5 = 4.6
        assert (y[test] == 0).sum() == 16  # 80 / 5, exactly
    together = np.sort(np.concatenate([t for _, t in folds]))
    np.testing.assert_array_equal(together, np.arange(y.size))


def test_cross_val_score_single_label():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] + rng.normal(size=200) > 1.2).astype(int)
    scores = cross_val_score(LogisticRegression(), X, y, cv=StratifiedLabelKFold(5))
    assert scores.shape == (5,) and (scores > 0.5).all()
    search = GridSearchCV(
        LogisticRegression(), {"C": [0.1, 1.0]}, cv=StratifiedLabelKFold(3)
    ).fit(X, y)
    assert search.best_params_["C"] in (0.1, 1.0)


@pytest.mark.parametrize("form", ["dense", "sparse", "lists"])
def test_cross_val_score_multilabel(form):
    X, Y = _multilabel(300, 4)
    y = {
        "dense": Y,
        "sparse": sparse.csr_matrix(Y),
        "lists": [list(np.flatnonzero(r)) for r in Y],
    }[form]
    folds = list(StratifiedLabelKFold(5, random_state=0).split(X, y))
    assert [len(t) for _, t in folds] == [60] * 5
    scores = cross_val_score(
        MultiOutputClassifier(LogisticRegression()), X, Y, cv=folds
    )
    assert scores.shape == (5,)
    scores = cross_val_score(
        MultiOutputClassifier(LogisticRegression()),
        X,
        Y,
        cv=StratifiedLabelKFold(5, random_state=0),
    )
    assert scores.shape == (5,)


def test_fold_quality_against_iterstrat():
    from iterstrat.ml_stratifiers import MultilabelStratifiedKFold

    ours, theirs = [], []
    for seed in range(5):
        X, Y = _multilabel(1000, 30, seed)
        folds = list(StratifiedLabelKFold(5, random_state=seed).split(X, Y))
        assert [len(t) for _, t in folds] == [200] * 5  # exact fold sizes
        ours.append(_label_error(Y, folds))
        cv = MultilabelStratifiedKFold(5, shuffle=True, random_state=seed)
        theirs.append(_label_error(Y, list(cv.split(X, Y))))
    # over five seeds, as close to every label's rate as iterstrat (both are at
    # the rounding floor on most seeds; one label one row further is allowed)
    mean_ours, worst_ours = np.mean(ours, axis=0)
    mean_theirs, worst_theirs = np.mean(theirs, axis=0)
    assert mean_ours <= mean_theirs * 1.02
    assert worst_ours <= worst_theirs + 1 / 200 / 5


def test_groups_are_passed_like_scikit_learns_group_splitters():
    rng = np.random.default_rng(0)
    groups = rng.integers(0, 40, 300)
    X = rng.normal(size=(300, 2))
    y = (X[:, 0] > 0.5).astype(int)
    cv = StratifiedLabelKFold(4, random_state=0)
    for train, test in cv.split(X, y, groups):
        assert not set(groups[train]) & set(groups[test])
    assert cross_val_score(LogisticRegression(), X, y, cv=cv, groups=groups).size == 4
    with sklearn.config_context(enable_metadata_routing=True):
        out = cross_validate(
            LogisticRegression(), X, y, cv=cv, params={"groups": groups}
        )
    assert out["test_score"].size == 4
    assert cv.get_metadata_routing().split.requests == {"groups": True}
    shuffle = StratifiedLabelShuffleSplit(3, test_size=0.25, random_state=0)
    assert shuffle.get_metadata_routing().split.requests == {"groups": True}
    for train, test in shuffle.split(X, y, groups):
        assert not set(groups[train]) & set(groups[test])


def test_shuffle_false_keeps_input_order_and_is_fixed():
    y = np.array([0, 1] * 10)
    folds = list(StratifiedLabelKFold(2, shuffle=False).split(y, y))
    np.testing.assert_array_equal(folds[0][1], np.arange(10))  # first rows first
    again = list(StratifiedLabelKFold(2, shuffle=False).split(y, y))
    for (a, b), (c, d) in zip(folds, again, strict=True):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)


def test_classes_smaller_than_n_splits_are_named():
    y = np.array(["a"] * 20 + ["b"] * 2 + ["c"])
    with pytest.warns(UserWarning) as record:
        folds = list(StratifiedLabelKFold(5, random_state=0).split(y, y))
    assert [str(w.message) for w in record] == [
        "2 class(es) have fewer examples than n_splits=5, so they cannot be in "
        "every test part: 'b' (2), 'c' (1)."
    ]
    assert [(y[t] == "a").sum() for _, t in folds] == [4] * 5


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_splits": 1}, "n_splits must be an integer >= 2; got 1."),
        ({"n_splits": 2.0}, "n_splits must be an integer >= 2; got 2.0."),
        (
            {"shuffle": False, "random_state": 0},
            "Setting random_state has no effect since shuffle is False; leave "
            "random_state=None or set shuffle=True.",
        ),
        ({"n_splits": 30}, "Cannot have n_splits=30 greater than the 20 rows."),
    ],
)
def test_kfold_errors(kwargs, message):
    y = np.array([0, 1] * 10)
    with pytest.raises(ValueError, match=f"^{message.replace('.', r'[.]')}$"):
        next(StratifiedLabelKFold(**kwargs).split(y, y))


def test_missing_x_or_y_are_errors():
    y = np.array([0, 1] * 10)
    for cv in (StratifiedLabelKFold(), StratifiedLabelShuffleSplit()):
        name = type(cv).__name__
        with pytest.raises(ValueError, match=f"^{name} needs y to stratify on"):
            next(cv.split(y, None))
        with pytest.raises(ValueError, match="^X is None; pass the rows to split"):
            next(cv.split(None, y))
    with pytest.raises(ValueError, match="n_splits must be a positive integer; got 0"):
        next(StratifiedLabelShuffleSplit(0).split(y, y))


def test_shuffle_split_sizes():
    y = np.array([0] * 70 + [1] * 30)
    cv = StratifiedLabelShuffleSplit(4, random_state=0)
    splits = list(cv.split(y, y))
    assert len(splits) == cv.get_n_splits() == 4
    for train, test in splits:
        assert (len(train), len(test)) == (90, 10)  # test_size=0.1 by default
        assert (y[test] == 1).sum() == 3
    assert not np.array_equal(splits[0][1], splits[1][1])
    train, test = next(
        StratifiedLabelShuffleSplit(1, train_size=0.5, test_size=0.2).split(y, y)
    )
    assert (len(train), len(test)) == (50, 20)  # 30 rows left out
    assert ((y[train] == 1).sum(), (y[test] == 1).sum()) == (15, 6)
    train, test = next(StratifiedLabelShuffleSplit(1, train_size=60).split(y, y))
    assert (len(train), len(test)) == (60, 40)


def test_triple_split_tuning_split_is_a_cv():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] > 0.8).astype(int)
    splitter = StratifiedTripleSplit(random_state=0)
    dev, test, cv = splitter.tuning_split(X, y)
    train, val, test2 = next(StratifiedTripleSplit(random_state=0).split(X, y))
    np.testing.assert_array_equal(test, test2)
    ((fit_rows, score_rows),) = list(cv.split())
    np.testing.assert_array_equal(dev[fit_rows], train)
    np.testing.assert_array_equal(dev[score_rows], val)
    search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=cv)
    search.fit(X[dev], y[dev])
    assert 0 <= search.score(X[test], y[test]) <= 1


@pytest.mark.parametrize("make", [StratifiedLabelKFold, StratifiedLabelShuffleSplit])
@pytest.mark.parametrize("multilabel", [False, True])
def test_an_int_and_its_random_state_give_the_same_folds(make, multilabel):
    X, Y = _multilabel(200, 4)
    y = Y if multilabel else Y[:, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = list(make(random_state=0).split(X, y))
        b = list(make(random_state=np.random.RandomState(0)).split(X, y))
        c, d = list(make().split(X, y)), list(make().split(X, y))
    for (tr1, te1), (tr2, te2) in zip(a, b, strict=True):
        np.testing.assert_array_equal(tr1, tr2)
        np.testing.assert_array_equal(te1, te2)
    assert any(not np.array_equal(x[1], z[1]) for x, z in zip(c, d, strict=True))
