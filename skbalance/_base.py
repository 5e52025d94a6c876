"""The over-sampler base shared by skbalance's duplicating samplers.

A subclass says what its strata are (classes of y, or domains) and how many
rows each stratum should end with (a function of ``skbalance._targets``); this
base validates the input, counts the strata, draws the rows to copy, and
builds the output in the container type of the input.
"""

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from sklearn.utils.validation import validate_data

from skbalance._compat import _fit_context
from skbalance._indexing import append_rows, take_rows
from skbalance._validation import (
    check_labels,
    check_rows,
    encode,
    random_source,
    sort_by_code,
)

__all__ = ["draw_new_rows"]


#: up to this many raised strata, their rows are found by one scan each
_FEW_STRATA = 8


def draw_new_rows(codes, counts, targets, random_state):
    """Input rows to copy so that stratum ``k`` ends with ``targets[k]`` rows.

    Every row of a raised stratum is copied ``a // c`` or ``a // c + 1`` times
    (``a`` rows added to a stratum of ``c``): whole copies of the stratum,
    then ``a % c`` of its rows drawn without replacement. Unlike drawing with
    replacement, no row is copied many times while another is never copied.

    Parameters
    ----------
    codes : ndarray of int, shape (n_samples,)
        Stratum code of every row, in ``range(len(counts))``.
    counts, targets : ndarray of int, shape (n_strata,)
        Rows per stratum before and after; ``targets >= counts``.
    random_state : numpy.random.RandomState or numpy.random.Generator
        Source of randomness for the partial copies.

    Returns
    -------
    new_rows : ndarray of intp
        Indices of the rows to append, grouped by stratum.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance._base import draw_new_rows
    >>> codes = np.array([0, 0, 0, 0, 1, 1])
    >>> new = draw_new_rows(codes, np.array([4, 2]), np.array([4, 5]),
    ...                     np.random.RandomState(0))
    >>> sorted(np.bincount(new, minlength=6).tolist())
    [0, 0, 0, 0, 1, 2]
    """
    add = targets - counts
    raised = np.flatnonzero(add > 0)
    if raised.size == 0:
        return np.empty(0, dtype=np.intp)
    if raised.size <= _FEW_STRATA:
        # one comparison per raised stratum beats a sort of all their rows
        members = np.concatenate([np.flatnonzero(codes == k) for k in raised])
    else:
        if raised.size == counts.size:
            members = np.arange(codes.size, dtype=np.intp)
        else:
            is_raised = np.zeros(counts.size, dtype=bool)
            is_raised[raised] = True
            members = np.flatnonzero(is_raised[codes])
        members = members[sort_by_code(codes[members], counts.size)]
    parts = []
    start = 0
    for k in raised.tolist():
        c, a = int(counts[k]), int(add[k])
        rows = members[start : start + c]
        start += c
        whole, extra = divmod(a, c)
        if whole:
            parts.append(np.tile(rows, whole))
        if extra:
            parts.append(rows[random_state.choice(c, extra, replace=False)])
    return np.concatenate(parts).astype(np.intp, copy=False)


class BaseStrataOverSampler(BaseOverSampler):
    """Base class: random duplication up to per-stratum targets.

    Subclasses implement ``_strata(X, y, **params)``, returning the stratum of
    every row and a description of where it came from, and
    ``_stratum_targets(counts, strata)``.

    Warning: This class should not be used directly. Use the derived classes.
    """

    _parameter_constraints: dict = {
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
    }
    #: how a stratum is called in messages, per source of strata
    _stratum_word = "class"

    def _strata(self, X, y, **params):  # pragma: no cover - abstract
        raise NotImplementedError

    def _stratum_targets(self, counts, strata):  # pragma: no cover - abstract
        raise NotImplementedError

    def _fit(self, X, y, **params):
        n = check_rows(X)
        labels = check_labels(y, n_samples=n)
        validate_data(self, X=X, skip_check_array=True, reset=True)
        strata, source, word = self._strata(X, labels, **params)
        uniques, codes, counts = encode(strata, name=source)
        if uniques.size < 2:
            plural = "classes" if word == "class" else f"{word}s"
            raise ValueError(
                f"{source} has 1 {word} ({uniques.tolist()[0]!r}); "
                f"{type(self).__name__} needs at least 2 {plural} to balance "
                f"(one {word} cannot be imbalanced)."
            )
        targets = self._stratum_targets(counts, uniques)
        random_state = random_source(self.random_state)
        new_rows = draw_new_rows(codes, counts, targets, random_state)

        keys = uniques.tolist()
        self.counts_before_ = dict(zip(keys, counts.tolist(), strict=True))
        self.counts_after_ = dict(zip(keys, targets.tolist(), strict=True))
        self.sampling_strategy_ = {
            k: a
            for k, a in zip(keys, (targets - counts).tolist(), strict=True)
            if a > 0
        }
        indices = np.concatenate([np.arange(n, dtype=np.intp), new_rows])
        if self.shuffle:
            indices = indices[random_state.permutation(indices.size)]
        self.sample_indices_ = indices
        return new_rows

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, **params):
        """Compute the per-stratum targets and the rows to copy.

        Use :meth:`fit_resample` to get the resampled data.

        Parameters
        ----------
        X : {array-like, dataframe, sparse matrix, list}
            The rows: see :meth:`fit_resample`.
        y : array-like of shape (n_samples,)
            Class labels.
        **params : dict
            Passed on as in :meth:`fit_resample`.

        Returns
        -------
        self : object
            The fitted sampler.
        """
        self._fit(X, y, **params)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_resample(self, X, y, **params):
        """Resample the data set; the output has the container type of the input.

        Parameters
        ----------
        X : {ndarray, sparse matrix, DataFrame, Series, list} of n_samples rows
            A 2-D array (numeric or object), a sparse matrix, a DataFrame, or a
            1-D array, Series or list of texts or records (dicts).
        y : array-like of shape (n_samples,)
            Class labels (no missing values).
        **params : dict
            Sampler-specific, e.g. ``groups`` for :class:`DomainFloorSampler`.

        Returns
        -------
        X_resampled : same container as X
            The original rows, unchanged and in order, then the copies (all
            shuffled together when ``shuffle=True``). DataFrame rows keep their
            index label, so a copy carries its source's label.
        y_resampled : same container as y
            The labels of ``X_resampled``.
        """
        new_rows = self._fit(X, y, **params)
        indices = self.sample_indices_
        if self.shuffle:
            return take_rows(X, indices), take_rows(y, indices)
        return append_rows(X, new_rows, indices), append_rows(y, new_rows, indices)

    def _fit_resample(self, X, y, **params):
        # imbalanced-learn's hook; fit_resample above keeps containers itself.
        return self.fit_resample(X, y, **params)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.dataframe = True
        tags.input_tags.sparse = True
        tags.sampler_tags.sample_indices = True
        return tags
