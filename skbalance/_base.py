"""The over-sampler base shared by skbalance's duplicating samplers.

A subclass says what its strata are (classes of y, or domains) and how many
rows each stratum should end with (a function of ``skbalance._targets``); this
base validates the input, counts the strata, draws the rows to copy, and
builds the output in the container type of the input.
"""

import functools
import sys

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from sklearn import get_config
from sklearn.utils.validation import validate_data

from skbalance._compat import bit_generator, make_constraint
from skbalance._draw import random_subset
from skbalance._indexing import append_rows, take_rows
from skbalance._validation import (
    _dense_codes,
    check_labels,
    check_rows,
    encode_strata,
    random_source,
    sort_by_code,
)

__all__ = ["draw_new_rows"]


#: up to this many raised strata, their rows are found by one scan each
_FEW_STRATA = 8


def _plan_copies(codes, counts, targets, random_state, code_of=None, masks=None):
    """The copies of every raised stratum: ``(members, whole, picks)`` each.

    ``members`` are the rows of the stratum, copied ``whole`` times, then
    ``picks``, ``a % c`` of them drawn without replacement. See
    :func:`draw_new_rows`; ``masks[k]``, when given, is ``codes == code_of[k]``.
    """
    add = (targets - counts).tolist()
    raised = [k for k, a in enumerate(add) if a > 0]
    if not raised:
        return []
    if code_of is None:
        code_of = np.arange(counts.size)
    if len(raised) <= _FEW_STRATA:
        # one comparison per raised stratum beats a sort of all their rows
        if masks is None:
            masks = {k: codes == code_of[k] for k in raised}
        found = [masks[k].nonzero()[0] for k in raised]
    else:
        codes = _dense_codes(codes, code_of)
        if len(raised) == counts.size:
            members = np.arange(codes.size, dtype=np.intp)
        else:
            is_raised = np.zeros(counts.size, dtype=bool)
            is_raised[raised] = True
            members = np.flatnonzero(is_raised[codes])
        members = members[sort_by_code(codes[members], counts.size)]
        ends = np.cumsum(counts[raised]).tolist()
        found = np.split(members, ends[:-1])
    sizes = [
        (rows, *divmod(add[k], rows.size))
        for rows, k in zip(found, raised, strict=True)
    ]
    # the partial copies: `extra` of the c rows, uniformly without replacement
    # and in input order (see skbalance/_draw.pyx)
    bits = bit_generator(random_state)
    return [
        (rows, whole, random_subset(rows, extra, bits) if extra else rows[:0])
        for rows, whole, extra in sizes
    ]


def _fill_copies(out, X, plan):
    """Write the copies of ``plan`` (rows of ``X``) into ``out``, in order.

    A stratum copied whole is taken from ``X`` once, then repeated by block
    copies of that first take, which are twice as fast as taking it again.
    """
    inner = X.shape[1:]
    start = 0
    for rows, whole, picks in plan:
        c = rows.size
        if whole:
            first = out[start : start + c]
            # mode="clip": the indices are valid by construction, and the
            # default mode="raise" makes numpy buffer the whole output
            X.take(rows, axis=0, out=first, mode="clip")
            if whole > 1:
                out[start + c : start + whole * c].reshape((whole - 1, c) + inner)[
                    ...
                ] = first
            start += whole * c
        X.take(picks, axis=0, out=out[start : start + picks.size], mode="clip")
        start += picks.size


def _fill_indices(out, plan):
    """Write the input row of every copy of ``plan`` into ``out``, in order."""
    start = 0
    for rows, whole, picks in plan:
        c = rows.size
        if whole:
            out[start : start + whole * c].reshape(whole, c)[...] = rows
            start += whole * c
        out[start : start + picks.size] = picks
        start += picks.size


def _n_copies(plan):
    return sum(rows.size * whole + picks.size for rows, whole, picks in plan)


def _append_copies(X, plan, n, sampler):
    """All rows of ``X`` then its copies, in the container type of ``X``.

    A C-ordered array is filled in place: the original rows as one block copy
    (faster than a gather), then the copies by :func:`_fill_copies`. Other
    containers take the fitted ``sampler.sample_indices_``.
    """
    if isinstance(X, np.ndarray) and X.ndim >= 1 and X.shape[0] == n:
        if X.flags.c_contiguous or not X.flags.f_contiguous:
            out = np.empty((n + _n_copies(plan),) + X.shape[1:], dtype=X.dtype)
            out[:n] = X
            _fill_copies(out[n:], X, plan)
            return out
    indices = sampler.sample_indices_
    return append_rows(X, indices[n:], indices)


def draw_new_rows(codes, counts, targets, random_state, code_of=None):
    """Input rows to copy so that stratum ``k`` ends with ``targets[k]`` rows.

    Every row of a raised stratum is copied ``a // c`` or ``a // c + 1`` times
    (``a`` rows added to a stratum of ``c``): whole copies of the stratum,
    then ``a % c`` of its rows drawn without replacement. Unlike drawing with
    replacement, no row is copied many times while another is never copied.

    Parameters
    ----------
    codes : ndarray of int, shape (n_samples,)
        Stratum code of every row.
    counts, targets : ndarray of int, shape (n_strata,)
        Rows per stratum before and after; ``targets >= counts``.
    random_state : numpy.random.RandomState or numpy.random.Generator
        Source of randomness for the partial copies.
    code_of : ndarray of int, shape (n_strata,), default=None
        The code of stratum ``k`` in ``codes`` (as given by
        :func:`skbalance._validation.encode_strata`); ``None`` for ``k``.

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
    plan = _plan_copies(codes, counts, targets, random_state, code_of)
    new_rows = np.empty(_n_copies(plan), dtype=np.intp)
    _fill_indices(new_rows, plan)
    return new_rows


def _record_features(estimator, X):
    """``validate_data(estimator, X=X, skip_check_array=True, reset=True)``.

    A 2-D array and a DataFrame whose column names are all ``str`` get
    ``n_features_in_`` and ``feature_names_in_`` directly, as scikit-learn
    records them; its dataframe detection (narwhals) took 0.25 ms a fit. Any
    other input goes through scikit-learn.
    """
    if type(X) is np.ndarray and X.ndim == 2:
        estimator.n_features_in_ = X.shape[1]
        estimator.__dict__.pop("feature_names_in_", None)
        return
    pd = sys.modules.get("pandas")
    if pd is not None and type(X) is pd.DataFrame and X.shape[1]:
        names = np.asarray(X.columns, dtype=object)
        if all(type(name) is str for name in names.tolist()):
            estimator.n_features_in_ = X.shape[1]
            estimator.feature_names_in_ = names
            return
    validate_data(estimator, X=X, skip_check_array=True, reset=True)


def _fit_context(fit_method):
    """scikit-learn's ``_fit_context(prefer_skip_nested_validation=True)``, lighter.

    The parameters are validated on entry unless scikit-learn's
    ``skip_parameter_validation`` is set, as with scikit-learn's decorator. Its
    two contexts are left out: skipping nested validation only saves time in
    validated scikit-learn functions, which these samplers do not call, and
    the callback context only tears down callbacks, which they do not
    support. Entering them cost 0.1 ms a fit, 7% of a 100k-row resampling.
    """

    @functools.wraps(fit_method)
    def wrapper(estimator, *args, **kwargs):
        if not get_config()["skip_parameter_validation"]:
            estimator._validate_params()
        return fit_method(estimator, *args, **kwargs)

    return wrapper


def _constraint_objects(cls):
    """``(name, constraint objects)`` of every validated parameter of ``cls``.

    The parameters validated by ``BaseEstimator._validate_params``: those of
    ``__init__`` that have constraints other than ``"no_validation"``.
    """
    constraints = cls._parameter_constraints
    return tuple(
        (name, tuple(make_constraint(c) for c in constraints[name]))
        for name in cls._get_param_names()
        if name in constraints and constraints[name] != "no_validation"
    )


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

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        try:
            objects = _constraint_objects(cls)
        except Exception:  # e.g. *args in __init__: scikit-learn's error at fit
            return
        cls._built_constraints = (cls._parameter_constraints, cls.__init__, objects)

    def _validate_params(self):
        """scikit-learn's parameter validation, with the constraints built once.

        scikit-learn reads the signature of ``__init__`` and builds every
        constraint object again on each fit: 0.1 ms cold, 8% of a 100k-row
        resampling. Here they are built when the class is defined. A value
        that satisfies none of its constraints goes to scikit-learn's own
        validation, for its exact error, and so does everything when
        ``_parameter_constraints`` or ``__init__`` has been replaced since.
        """
        cls = type(self)
        built = cls.__dict__.get("_built_constraints")
        if (
            built is None
            or built[0] is not cls._parameter_constraints
            or built[1] is not cls.__init__
        ):
            super()._validate_params()
            return
        for name, constraints in built[2]:
            value = getattr(self, name)
            if not any(c.is_satisfied_by(value) for c in constraints):
                super()._validate_params()  # raises InvalidParameterError

    def _strata(self, X, y, **params):  # pragma: no cover - abstract
        raise NotImplementedError

    def _stratum_targets(self, counts, strata):  # pragma: no cover - abstract
        raise NotImplementedError

    def _fit(self, X, y, **params):
        n = check_rows(X)
        labels = check_labels(y, n_samples=n)
        _record_features(self, X)
        strata, source, word = self._strata(X, labels, **params)
        uniques, codes, code_of, counts, masks = encode_strata(strata, name=source)
        if uniques.size < 2:
            plural = "classes" if word == "class" else f"{word}s"
            raise ValueError(
                f"{source} has 1 {word} ({uniques.tolist()[0]!r}); "
                f"{type(self).__name__} needs at least 2 {plural} to balance "
                f"(one {word} cannot be imbalanced)."
            )
        targets = self._stratum_targets(counts, uniques)
        random_state = random_source(self.random_state)
        plan = _plan_copies(codes, counts, targets, random_state, code_of, masks)

        keys, before, after = uniques.tolist(), counts.tolist(), targets.tolist()
        self.counts_before_ = dict(zip(keys, before, strict=True))
        self.counts_after_ = dict(zip(keys, after, strict=True))
        self.sampling_strategy_ = {
            k: t - c for k, c, t in zip(keys, before, after, strict=True) if t > c
        }
        self._copies = n, plan
        self._sample_indices = None
        if self.shuffle:  # permuted with this fit's generator
            indices = self.sample_indices_
            self._sample_indices = indices[random_state.permutation(indices.size)]
        return n, plan

    @property
    def sample_indices_(self):
        """Input row of every output row, ndarray of shape (n_samples_resampled,).

        Built on first access: resampling an array without ``shuffle`` does not
        need it, and writing it cost 4% of a 100k-row resampling.
        """
        indices = self.__dict__.get("_sample_indices")
        if indices is None:
            if "_copies" not in self.__dict__:
                raise AttributeError(
                    f"{type(self).__name__} has no sample_indices_ before fit."
                )
            n, plan = self._copies
            indices = np.arange(n + _n_copies(plan), dtype=np.intp)
            _fill_indices(indices[n:], plan)
            self._sample_indices = indices
        return indices

    @_fit_context
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

    @_fit_context
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
        n, plan = self._fit(X, y, **params)
        if self.shuffle:
            indices = self.sample_indices_
            return take_rows(X, indices), take_rows(y, indices)
        return _append_copies(X, plan, n, self), _append_copies(y, plan, n, self)

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
