"""The over-sampler base shared by every sampler of skbalance.

One skeleton, as in imbalanced-learn: ``fit_resample`` validates the
parameters and calls ``_fit_resample``, which

1. checks the rows and the labels and records the feature names,
2. finds the stratum of every row (the classes of ``y``, or domains:
   :meth:`BaseStrataOverSampler._strata`),
3. asks the subclass for the target count of every stratum
   (:meth:`BaseStrataOverSampler._stratum_targets`, a call to
   :func:`skbalance._targets.stratum_targets`, or to
   :func:`skbalance._mixture_plan.mixture_counts` for a mixture),
4. plans which input rows the new rows come from and, when a target is
   below its count, which rows of that stratum stay (a mixture lowers large
   strata): :func:`skbalance._plan.plan_sources` and
   :func:`skbalance._plan.plan_kept`,
5. asks the subclass to make the new rows from those source rows
   (:meth:`BaseStrataOverSampler._make_rows`: copies, or new texts),
6. and builds the output in the container of the input, with
   ``sample_indices_``, ``counts_before_``, ``counts_after_``, the optional
   shuffle and the resampled ``sample_weight``.

Randomness follows scikit-learn: ``random_state`` is resolved with
``check_random_state`` once per fit, so an int and ``RandomState(int)`` give
the same output and None gives fresh randomness.
"""

from collections import namedtuple

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler

from skbalance._compat import _check_sample_weight, _fit_context, validate_data
from skbalance._containers import append_rows, concat_rows, gather_rows, take_rows
from skbalance._labels import encode
from skbalance._plan import plan_kept, plan_sources
from skbalance._targets import check_two_strata
from skbalance._validation import check_labels, check_rows, rng_from_random_state

__all__ = ["BaseStrataOverSampler", "plan_kept", "plan_sources"]


#: what ``_plan`` found: rows, the checked target, stratum codes (None when a
#: subclass plans without them) and counts, the stratum keys, the planned
#: source rows, the fit's random generator, and ``own``: a subclass's own
#: plan (the multi-label samplers' label sets), None for the family's, and
#: ``kept``: the input rows that stay when some strata are lowered (None: all)
#: and ``n_kept``, how many of each stratum's rows stay
_Plan = namedtuple(
    "_Plan",
    "n labels codes counts keys sources rng own kept n_kept",
    defaults=(None, None, None),
)


class BaseStrataOverSampler(BaseOverSampler):
    """Base class of skbalance's over-samplers.

    Subclasses implement ``_stratum_targets(counts, keys)`` and may override
    ``_strata`` (default: the classes of y), ``_source_rank`` (default: the
    rows used once more are a random subset) and ``_make_rows`` (default:
    copies of the source rows).

    Warning: This class should not be used directly. Use the derived classes.
    """

    _parameter_constraints: dict = {
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
    }

    # -- what a subclass supplies ------------------------------------------------

    def _strata(self, X, y, **params):
        """``(strata, source, word)``: the stratum of every row, where it was
        read (for messages) and what a stratum is called."""
        if params:
            raise TypeError(
                f"{type(self).__name__}.fit_resample got unexpected parameters "
                f"{sorted(params)}."
            )
        return y, "y", "class"

    def _stratum_targets(self, counts, keys):  # pragma: no cover - abstract
        """Rows per stratum after resampling (``keys``: the sorted strata).

        A target below a count lowers that stratum (:func:`plan_kept`); this
        is for samplers that copy rows (the default ``_make_rows``).
        """
        raise NotImplementedError

    def _source_rank(self, X, labels, rng):
        """A rank per row that chooses the rows used once more, or None for a
        random subset (see :func:`plan_sources`)."""
        return None

    def _make_rows(self, X, plan):
        """``(sources, new)``: the new rows made from the rows
        ``plan.sources`` (``plan`` is what ``_plan`` returned).

        ``new`` is None for copies of ``X[sources]``, else the new rows (a
        list, or a DataFrame for a DataFrame X), one per kept source.
        """
        return plan.sources, None

    # -- the skeleton ------------------------------------------------------------

    def _plan(self, X, y, **params):
        n = check_rows(X)
        labels = check_labels(y, n_samples=n)
        validate_data(self, X=X, skip_check_array=True, reset=True)
        strata, source, word = self._strata(X, labels, **params)
        uniques, codes, counts = encode(strata, name=source)
        check_two_strata(
            uniques.tolist(), source=source, word=word, who=type(self).__name__
        )
        keys = uniques.tolist()
        targets = self._stratum_targets(counts, keys)
        rng = self._fit_rng()
        rank = self._source_rank(X, labels, rng)
        sources = plan_sources(codes, counts, targets, rng, rank)
        kept = plan_kept(codes, counts, targets, rng)
        self.counts_before_ = dict(zip(keys, counts.tolist(), strict=True))
        self.sampling_strategy_ = {
            k: t - c
            for k, c, t in zip(keys, counts.tolist(), targets.tolist(), strict=True)
            if t > c
        }
        return _Plan(
            n,
            labels,
            codes,
            counts,
            keys,
            sources,
            rng,
            kept=kept,
            n_kept=np.minimum(counts, targets),
        )

    def _fit_rng(self):
        """This fit's NumPy Generator (for its O(k) subset draws), from
        ``random_state`` by scikit-learn's rule."""
        return rng_from_random_state(self.random_state)

    def _finish(self, plan, sources):
        """Record what the fit made from ``sources`` (the input row of every
        new row); returns the shuffle order of the output, or None."""
        before = plan.counts if plan.kept is None else plan.n_kept
        after = before + np.bincount(plan.codes[sources], minlength=len(plan.keys))
        self.counts_after_ = dict(zip(plan.keys, after.tolist(), strict=True))
        return self._order(plan.n, sources, plan.rng, plan.kept)

    def _order(self, n, sources, rng, kept=None):
        """Set ``sample_indices_`` (the ``kept`` input rows, by default all,
        then ``sources``); the shuffle order, or None."""
        if kept is None:
            kept = np.arange(n, dtype=np.intp)
        indices = np.concatenate([kept, sources])
        order = rng.permutation(indices.size) if self.shuffle else None
        self.sample_indices_ = indices if order is None else indices[order]
        return order

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
        plan = self._plan(X, y, **params)
        self._finish(plan, plan.sources)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_resample(self, X, y, *, sample_weight=None, **params):
        """Resample the data set; the output has the container type of the input.

        Parameters
        ----------
        X : {ndarray, sparse matrix, DataFrame, Series, list} of n_samples rows
            A 2-D array (numeric or object), a sparse matrix, a DataFrame, or a
            1-D array, Series or list of texts or records (dicts).
        y : array-like of shape (n_samples,)
            Class labels (no missing values).
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows, resampled with them and returned third.
        **params : dict
            Sampler-specific, e.g. ``groups`` for :class:`DomainFloorSampler`.

        Returns
        -------
        X_resampled : same container as X
            The original rows, unchanged and in order, then the new rows (all
            shuffled together when ``shuffle=True``). DataFrame rows keep their
            index label, so a copy carries its source's label.
        y_resampled : same container as y
            The labels of ``X_resampled``.
        sample_weight_resampled : ndarray of shape (n_samples_resampled,)
            Only when ``sample_weight`` is given: the weight of every output
            row's source row.
        """
        return self._fit_resample(X, y, sample_weight=sample_weight, **params)

    def _fit_resample(self, X, y, *, sample_weight=None, **params):
        plan = self._plan(X, y, **params)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, np.empty(plan.n))
        sources, new = self._make_rows(X, plan)
        order = self._finish(plan, sources)
        X = self._output_rows(X)
        if plan.kept is not None:
            # some strata lowered (copies only): one gather of the output rows,
            # in their shuffled order when shuffle=True
            X_out = gather_rows(X, self.sample_indices_)
            y_out = gather_rows(y, self.sample_indices_)
        else:
            X_out = append_rows(X, sources) if new is None else concat_rows(X, new)
            y_out = self._output_labels(y, plan, sources)
            if order is not None:
                X_out, y_out = take_rows(X_out, order), take_rows(y_out, order)
        if sample_weight is None:
            return X_out, y_out
        return X_out, y_out, sample_weight[self.sample_indices_]

    def _output_labels(self, y, plan, sources):
        """The labels of the output rows: y, then the labels of the new rows
        ``sources`` (by default their source's; ``plan`` as in ``_make_rows``)."""
        return append_rows(y, sources)

    def _output_rows(self, X):
        """The rows that the output is made of (a subclass may drop a column)."""
        return X

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.dataframe = True
        tags.input_tags.sparse = True
        tags.sampler_tags.sample_indices = True
        return tags
