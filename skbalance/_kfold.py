"""Cross-validators: stratified k-fold and shuffle-split for single-label,
multi-label and grouped data, with exact fold sizes."""

import warnings
from numbers import Integral

import numpy as np
from sklearn.model_selection import BaseCrossValidator
from sklearn.utils import check_random_state

from skbalance._allocation import exact_parts
from skbalance._containers import n_rows
from skbalance._sizes import check_n_splits, fold_parts
from skbalance._stratify import Target, examples, partition

__all__ = ["StratifiedLabelKFold", "StratifiedLabelShuffleSplit"]


def _target(X, y, groups, name):
    if X is None:
        raise ValueError("X is None; pass the rows to split.")
    if y is None:
        raise ValueError(f"{name} needs y to stratify on; got y=None.")
    n = n_rows(X)
    return n, Target(y, groups, n)


def _warn_small(target, n_parts, where):
    """Name the classes with fewer rows than parts (single-label)."""
    if target.multilabel or target.groups is not None:
        return
    small = np.flatnonzero(target.counts < n_parts)
    if small.size:
        pairs = [(target.uniques[k].item(), int(target.counts[k])) for k in small]
        warnings.warn(
            f"{small.size} class(es) have fewer examples than {where}, so they "
            f"cannot be in every test part: {examples(pairs)}.",
            UserWarning,
            stacklevel=3,
        )


class _LabelSplitter(BaseCrossValidator):
    """What both splitters share: ``groups`` routed to ``split`` (as
    scikit-learn's group splitters do) and ``get_n_splits``."""

    __metadata_request__split = {"groups": True}

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of (train, test) pairs that :meth:`split` yields.

        Parameters
        ----------
        X, y, groups : object
            Ignored, for API compatibility.

        Returns
        -------
        n_splits : int
            The number of (train, test) pairs :meth:`split` yields.
        """
        return self.n_splits


class StratifiedLabelKFold(_LabelSplitter):
    """Stratified k-fold for single-label, multi-label and grouped data.

    A drop-in ``cv=`` for scikit-learn: :meth:`split` yields ``(train,
    test)`` index pairs. Fold sizes differ by at most one row, and every
    class's count in every fold is its exact share (``count / n_splits``)
    rounded down or up, both at once (a controlled rounding, as in
    :class:`StratifiedTripleSplit`). Multi-label targets (a 0/1 matrix,
    dense or sparse, or a list of label lists) are split by iterative
    stratification; ``groups`` keep all rows of a group in one fold and are
    routed like scikit-learn's group splitters.

    Read more in the :ref:`User Guide <splitting>`.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, at least 2.
    shuffle : bool, default=True
        Assign rows to folds at random; with False, the first rows of every
        class go to the first fold, and so on (multi-label: rows visited in
        input order), and ``random_state`` must be None.
    keep_rare : bool, default=True
        Multi-label and groups: put every label of at least ``n_splits``
        rows in every fold when possible (a warning names the others).
    random_state : int, RandomState instance or None, default=None
        Controls the shuffling; an int gives the same folds every time.

    See Also
    --------
    StratifiedLabelShuffleSplit : Repeated stratified hold-out splits.
    StratifiedTripleSplit : Train, validation and test indices.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_val_score
    >>> from skbalance import StratifiedLabelKFold
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(103, 2))
    >>> y = np.array([0] * 80 + [1] * 23)
    >>> cv = StratifiedLabelKFold(n_splits=5, random_state=0)
    >>> [int(y[test].sum()) for _, test in cv.split(X, y)]
    [5, 5, 5, 4, 4]
    >>> [len(test) for _, test in cv.split(X, y)]
    [21, 21, 21, 20, 20]
    >>> cross_val_score(LogisticRegression(), X, y, cv=cv).shape
    (5,)
    """

    def __init__(self, n_splits=5, *, shuffle=True, keep_rare=True, random_state=None):
        self.n_splits = n_splits
        self.shuffle = shuffle
        self.keep_rare = keep_rare
        self.random_state = random_state

    def split(self, X, y, groups=None):
        """Yield train and test indices of every fold.

        Parameters
        ----------
        X : object with ``len()``
            The rows; only their number is used.
        y : array-like, indicator matrix or list of label lists
            Class labels, or multi-label targets.
        groups : array-like of shape (n_samples,), default=None
            Rows with the same group land in the same fold.

        Yields
        ------
        train, test : ndarray of int
            Sorted row indices.
        """
        k = self.n_splits
        check_n_splits(k)
        if not self.shuffle and self.random_state is not None:
            raise ValueError(
                "Setting random_state has no effect since shuffle is False; "
                "leave random_state=None or set shuffle=True."
            )
        n, target = _target(X, y, groups, type(self).__name__)
        sizes, *fractions = fold_parts(n, k)
        _warn_small(target, k, f"n_splits={k}")
        part = partition(
            target,
            sizes,
            fractions,
            keep_rare=self.keep_rare,
            rare_order=None,
            rng=check_random_state(self.random_state if self.shuffle else 0),
            ordered=not self.shuffle,
        )
        for j in range(k):
            yield np.flatnonzero(part != j), np.flatnonzero(part == j)


class StratifiedLabelShuffleSplit(_LabelSplitter):
    """Repeated stratified train/test splits, with exact sizes.

    Like scikit-learn's ``StratifiedShuffleSplit``, for single-label,
    multi-label and grouped data: each split has exact part sizes and every
    class's count its exact share rounded down or up.

    Read more in the :ref:`User Guide <splitting>`.

    Parameters
    ----------
    n_splits : int, default=10
        Number of re-shuffled splits.
    test_size, train_size : float, int or None, default=None
        Fractions or counts; with both None, ``test_size=0.1``; with one
        None, it is the rest. Both given and summing to less than the data
        leave the other rows out of both parts.
    keep_rare : bool, default=True
        Put every class (or label) of at least 3 rows in both parts.
    random_state : int, RandomState instance or None, default=None
        Controls the shuffling; an int gives the same splits every time.

    See Also
    --------
    StratifiedLabelKFold : Stratified k-fold.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance import StratifiedLabelShuffleSplit
    >>> Y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]] * 10)
    >>> cv = StratifiedLabelShuffleSplit(n_splits=2, test_size=0.25, random_state=0)
    >>> [(len(train), len(test)) for train, test in cv.split(Y, Y)]
    [(30, 10), (30, 10)]
    """

    def __init__(
        self,
        n_splits=10,
        *,
        test_size=None,
        train_size=None,
        keep_rare=True,
        random_state=None,
    ):
        self.n_splits = n_splits
        self.test_size = test_size
        self.train_size = train_size
        self.keep_rare = keep_rare
        self.random_state = random_state

    def split(self, X, y, groups=None):
        """Yield train and test indices of every split.

        Parameters
        ----------
        X : object with ``len()``
            The rows; only their number is used.
        y : array-like, indicator matrix or list of label lists
            Class labels, or multi-label targets.
        groups : array-like of shape (n_samples,), default=None
            Rows with the same group land in the same part.

        Yields
        ------
        train, test : ndarray of int
            Sorted row indices.
        """
        if not isinstance(self.n_splits, Integral) or self.n_splits < 1:
            raise ValueError(
                f"n_splits must be a positive integer; got {self.n_splits!r}."
            )
        n, target = _target(X, y, groups, type(self).__name__)
        train, test = self.train_size, self.test_size
        if train is None and test is None:
            test = 0.1
        wanted, names = [train, test], ["train_size", "test_size"]
        if train is not None and test is not None:
            left = n - train - test if isinstance(train, Integral) else 1 - train - test
            if left > 1e-12:  # the rest is left out
                wanted, names = [train, test, None], [*names, "the rest"]
        sizes, *fractions = exact_parts(n, wanted, names)
        rng = check_random_state(self.random_state)
        for _ in range(self.n_splits):
            part = partition(
                target,
                sizes,
                fractions,
                keep_rare=self.keep_rare,
                rare_order=None,
                rng=rng,
            )
            yield np.flatnonzero(part == 0), np.flatnonzero(part == 1)
