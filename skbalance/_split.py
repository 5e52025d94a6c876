"""Stratified train/val/test splits that keep every class in every part."""

from numbers import Integral

import numpy as np
from scipy import sparse

from skbalance._allocation import exact_parts
from skbalance._containers import n_rows, take_rows
from skbalance._stratify import Target, partition
from skbalance._validation import random_state_instance

__all__ = [
    "StratifiedTripleSplit",
    "stratified_partition",
    "train_val_test_split",
]

_NAMES = ["train_size", "val_size", "test_size"]
#: classes smaller than the number of parts go to train, then test, then val
_RARE_ORDER = [0, 2, 1]


def stratified_partition(y, sizes, *, groups=None, keep_rare=True, random_state=None):
    """Part of every row, for any number of parts, stratified on y.

    The engine of :class:`StratifiedTripleSplit`, for two-way splits and
    k-fold partitions: ``sizes=[0.8, 0.2]`` for a hold-out split,
    ``sizes=[0.2] * 5`` for the folds of a 5-fold cross-validation.

    Parameters
    ----------
    y : array-like of shape (n_samples,), indicator matrix or list of label lists
        Class labels, or multi-label targets (a 0/1 matrix, dense or sparse,
        or a list of label lists).
    sizes : sequence of float, int or None
        Size of every part: fractions summing to 1 or counts summing to the
        number of rows; one entry may be None (the rest).
    groups : array-like of shape (n_samples,), default=None
        Rows of a group always share a part.
    keep_rare : bool, default=True
        Put at least one example of every class (or label) with at least
        ``max(3, len(sizes))`` examples in every part.
    random_state : int, RandomState instance or None, default=None
        Controls the shuffling; an int gives the same partition every time.

    Returns
    -------
    part : ndarray of shape (n_samples,)
        Index of the part of every row.

    See Also
    --------
    StratifiedTripleSplit : Train, validation and test indices.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance import stratified_partition
    >>> y = np.array([0] * 90 + [1] * 10)
    >>> part = stratified_partition(y, [0.2] * 5, random_state=0)
    >>> np.bincount(part).tolist(), np.bincount(part[y == 1]).tolist()
    ([20, 20, 20, 20, 20], [2, 2, 2, 2, 2])
    """
    n = _n_samples(y)
    names = [f"sizes[{j}]" for j in range(len(sizes))]
    sizes, *fractions = exact_parts(n, list(sizes), names)
    target = Target(y, groups, n)
    return partition(
        target,
        sizes,
        fractions,
        keep_rare=keep_rare,
        rare_order=None,
        rng=random_state_instance(random_state),
    )


def _n_samples(y):
    if y is None:
        raise ValueError("y is None; pass the labels to stratify on.")
    if sparse.issparse(y) or hasattr(y, "shape"):
        return y.shape[0]
    return len(y)


class StratifiedTripleSplit:
    """Train, validation and test indices, stratified, with exact sizes.

    Every part gets exactly its share of the rows (largest remainder), and
    every class its exact share of every part (``count * fraction``) rounded
    down or up, both at once: a controlled rounding of the table of shares.
    A class with at least 3 examples is in all three parts; a class with
    1 or 2 examples goes to train, then test, with a warning that names it,
    never an error. Multi-label targets are split by iterative stratification
    (rarest labels first), and ``groups`` keep all rows of a group in one
    part: with a few groups, the assignment with the part sizes closest to
    the exact ones (then the closest class counts); every part gets at least
    one group, and a class that cannot reach every part is named in a
    warning.

    Read more in the :ref:`User Guide <splitting>`.

    Parameters
    ----------
    n_splits : int, default=1
        Number of independent re-shuffled splits.
    train_size, val_size, test_size : float, int or None, default=0.7, 0.15, 0.15
        Fractions summing to 1, or counts summing to the number of rows; one
        of them may be None (the rest).
    keep_rare : bool, default=True
        Put at least one example of every class (or label) with at least 3
        examples in every part; such a class takes one row in a part where
        its share is below one, and the other classes are then rounded
        within what is left (the bound is in the :ref:`User Guide
        <splitting>`). With ``False``,
        every class count is its exact share rounded down or up, which can
        leave a 3-example class out of val.
    random_state : int, RandomState instance or None, default=None
        Controls the shuffling; an int gives the same splits every time.

    See Also
    --------
    train_val_test_split : Split arrays in one call.
    stratified_partition : Any number of parts (hold-out, k-fold).
    duplicate_groups : Group ids that keep duplicates in one part.

    Notes
    -----
    The three parts are not a scikit-learn cross-validator (they are triples,
    not pairs). To tune on train/val and keep test out, :meth:`tuning_split`
    gives the train and val rows and a ``cv=`` over them.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance import StratifiedTripleSplit
    >>> y = np.array(["billing"] * 50 + ["technical"] * 30 + ["account"] * 17
    ...              + ["other"] * 3)
    >>> splitter = StratifiedTripleSplit(random_state=0)
    >>> train, val, test = next(splitter.split(y, y))
    >>> len(train), len(val), len(test)
    (70, 15, 15)
    >>> classes, counts = np.unique(y[test], return_counts=True)
    >>> dict(zip(classes.tolist(), counts.tolist()))
    {'account': 2, 'billing': 8, 'other': 1, 'technical': 4}
    """

    def __init__(
        self,
        n_splits=1,
        *,
        train_size=0.7,
        val_size=0.15,
        test_size=0.15,
        keep_rare=True,
        random_state=None,
    ):
        self.n_splits = n_splits
        self.train_size = train_size
        self.val_size = val_size
        self.test_size = test_size
        self.keep_rare = keep_rare
        self.random_state = random_state

    def __repr__(self):
        params = ", ".join(
            f"{k}={getattr(self, k)!r}"
            for k in (
                "n_splits",
                "train_size",
                "val_size",
                "test_size",
                "keep_rare",
                "random_state",
            )
        )
        return f"{type(self).__name__}({params})"

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of splits that :meth:`split` yields.

        Parameters
        ----------
        X, y, groups : object
            Ignored, for API compatibility.

        Returns
        -------
        n_splits : int
            The ``n_splits`` parameter.
        """
        return self.n_splits

    def tuning_split(self, X, y, groups=None):
        """The first split, as rows to tune on and a ``cv=`` for them.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            As in :meth:`split`.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            As in :meth:`split`.
        groups : array-like of shape (n_samples,), default=None
            As in :meth:`split`.

        Returns
        -------
        dev : ndarray of int
            Train rows then validation rows: fit the search on ``X[dev]``.
        test : ndarray of int
            Test rows, for the final estimate only.
        cv : PredefinedSplit
            One fold over ``dev``: train on its train rows, score on its
            validation rows.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LogisticRegression
        >>> from sklearn.model_selection import GridSearchCV
        >>> from skbalance import StratifiedTripleSplit
        >>> X = np.random.RandomState(0).normal(size=(100, 2))
        >>> y = (X[:, 0] > 0.5).astype(int)
        >>> dev, test, cv = StratifiedTripleSplit(random_state=0).tuning_split(X, y)
        >>> search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1]}, cv=cv)
        >>> search = search.fit(X[dev], y[dev])
        >>> len(dev), len(test), cv.get_n_splits()
        (85, 15, 1)
        """
        train, val, test = next(self.split(X, y, groups))
        fold = np.r_[np.full(train.size, -1), np.zeros(val.size, dtype=int)]
        from sklearn.model_selection import PredefinedSplit

        return np.concatenate([train, val]), test, PredefinedSplit(fold)

    def split(self, X, y, groups=None):
        """Yield train, validation and test indices.

        Parameters
        ----------
        X : object with ``len()``
            The rows (array, DataFrame, list of texts or records); only their
            number is used.
        y : array-like, indicator matrix or list of label lists
            Class labels, or multi-label targets.
        groups : array-like of shape (n_samples,), default=None
            Rows with the same group land in the same part (pass
            :func:`duplicate_groups` to keep duplicates together).

        Yields
        ------
        train, val, test : ndarray of int
            Row indices of each part, sorted; disjoint, covering all rows.
        """
        if not isinstance(self.n_splits, Integral) or self.n_splits < 1:
            raise ValueError(
                f"n_splits must be a positive integer; got {self.n_splits!r}."
            )
        if X is None:
            raise ValueError("X is None; pass the rows to split.")
        n = n_rows(X)
        sizes, *fractions = exact_parts(
            n, [self.train_size, self.val_size, self.test_size], _NAMES
        )
        if y is None:
            raise ValueError(
                "StratifiedTripleSplit needs y to stratify on; use "
                "train_val_test_split(..., stratify=None) for a random split."
            )
        target = Target(y, groups, n)
        target.warn_rare(3)
        rng = random_state_instance(self.random_state)
        for _ in range(self.n_splits):
            part = partition(
                target,
                sizes,
                fractions,
                keep_rare=self.keep_rare,
                rare_order=_RARE_ORDER,
                rng=rng,
            )
            yield tuple(np.flatnonzero(part == j) for j in range(3))


def train_val_test_split(
    *arrays,
    stratify=None,
    groups=None,
    train_size=0.7,
    val_size=0.15,
    test_size=0.15,
    keep_rare=True,
    shuffle=True,
    random_state=None,
):
    """Split arrays into train, validation and test parts.

    Like scikit-learn's :func:`~sklearn.model_selection.train_test_split`,
    with three parts: sizes are exact and every class of ``stratify`` with
    at least 3 examples is in every part.

    Parameters
    ----------
    *arrays : sequence of indexables with the same length
        Lists (of texts or records), arrays, sparse matrices, DataFrames.
    stratify : array-like, indicator matrix or list of label lists, default=None
        Labels to stratify on (multi-label accepted); None for a random split
        with exact sizes.
    groups : array-like, default=None
        Rows with the same group land in the same part.
    train_size, val_size, test_size : float, int or None, default=0.7, 0.15, 0.15
        Fractions summing to 1, or counts summing to the number of rows; one
        may be None (the rest).
    keep_rare : bool, default=True
        Put every class (or label) with at least 3 examples in every part.
    shuffle : bool, default=True
        Shuffle the rows within every part, like ``train_test_split``; with
        False they keep their input order (the parts are the same).
    random_state : int, RandomState instance or None, default=None
        Controls the shuffling.

    Returns
    -------
    splitting : list of length 3 * len(arrays)
        Train, validation and test part of each array, in the container type
        of the array.

    See Also
    --------
    StratifiedTripleSplit : The same split as a splitter.
    duplicate_groups : Groups that keep duplicates in one part.

    Examples
    --------
    >>> from skbalance import train_val_test_split
    >>> texts = [f"ticket {i}" for i in range(20)]
    >>> labels = ["billing"] * 14 + ["technical"] * 6
    >>> X_tr, X_va, X_te, y_tr, y_va, y_te = train_val_test_split(
    ...     texts, labels, stratify=labels, random_state=0)
    >>> len(X_tr), len(X_va), len(X_te)
    (14, 3, 3)
    >>> sorted(set(y_va)), sorted(set(y_te))
    (['billing', 'technical'], ['billing', 'technical'])
    """
    if not arrays:
        raise ValueError("At least one array required as input.")
    n = n_rows(arrays[0])
    for i, a in enumerate(arrays[1:], start=1):
        m = n_rows(a)
        if m != n:
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: "
                f"array 0 has {n} rows, array {i} has {m}."
            )
    sizes, *fractions = exact_parts(n, [train_size, val_size, test_size], _NAMES)
    target = Target(stratify, groups, n)
    target.warn_rare(3)
    rng = random_state_instance(random_state)
    part = partition(
        target,
        sizes,
        fractions,
        keep_rare=keep_rare,
        rare_order=_RARE_ORDER,
        rng=rng,
    )
    index = [np.flatnonzero(part == j) for j in range(3)]
    if shuffle:
        index = [rng.permutation(idx) for idx in index]
    return [take_rows(a, idx) for a in arrays for idx in index]
