"""ClassWeightComputer: class weights for a loss, exportable as JSON."""

import warnings
from numbers import Real

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from skbalance._compat import Interval, StrOptions, _check_sample_weight, _fit_context
from skbalance._labels import count_labels, encode
from skbalance._multilabel import as_indicator, is_multilabel
from skbalance._validation import check_labels, check_rows
from skbalance._weights_json import weights_from_json, weights_to_json

__all__ = ["ClassWeightComputer"]


def _is_number_vector(X):
    """Whether X is a 1-D sequence of numbers (labels or weights, not rows)."""
    if isinstance(X, (list, tuple)):
        return len(X) > 0 and isinstance(X[0], Real)
    if sparse.issparse(X) or getattr(X, "ndim", None) != 1:
        return False
    return getattr(X.dtype, "kind", None) in ("b", "i", "u", "f", "c")


class ClassWeightComputer(BaseEstimator):
    """Class weights from label counts, for a weighted loss.

    Fitted on the labels alone: ``fit(y)``, or ``fit(X, y)`` with X not used
    (scikit-learn's form, as in a pipeline). The weights go to any
    scikit-learn classifier as ``class_weight=``, to a training loop as
    per-sample weights with :meth:`sample_weight`, or to a training job as
    JSON with :meth:`to_json`. For a multi-label indicator matrix the weights
    are per-label positive weights (the ``pos_weight`` of a binary
    cross-entropy loss).

    Read more in the :ref:`User Guide <class_weights>`.

    Parameters
    ----------
    strategy : {"balanced", "sqrt", "effective_number"}, default="balanced"
        How a class's weight falls with its count ``n_c`` (``n`` samples,
        ``k`` classes):

        - ``"balanced"``: ``n / (k * n_c)``, scikit-learn's formula;
        - ``"sqrt"``: ``1 / sqrt(n_c)``, a milder inverse frequency;
        - ``"effective_number"``: ``(1 - beta) / (1 - beta ** n_c)``, the
          inverse effective number of samples (Cui et al., 2019).
    beta : float in [0, 1), default=0.999
        Used by ``"effective_number"``: 0 gives equal weights; towards 1 it
        approaches inverse frequency.
    normalize : {"samples", "classes"} or None, default="samples"
        What averages 1:

        - ``"samples"``: the weight of a sample, ``sum_i w(y_i) == n``
          (scikit-learn's "balanced" semantics): the scale of the loss, and the
          meaning of ``C`` or of a learning rate, do not change. To train with.
        - ``"classes"``: the weight of a class, ``mean(class_weight_) == 1``.
          On skewed labels the samples then average below 1, which acts like
          stronger regularisation: to read or export, not to train with.
        - None: the raw formula.

        Not applied to multi-label positive weights (ratios within a label).
    max_weight : float or None, default=None
        Clip weights to this value, after normalizing.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The classes, sorted; for multi-label y, the label columns ``0..q-1``.
    counts_ : ndarray of shape (n_classes,)
        Rows per class (their total ``sample_weight`` when given); for
        multi-label y, positives per label.
    class_weight_ : dict
        Weight per class, usable as ``class_weight=`` of a classifier; for
        multi-label y, the positive weight per label.
    multilabel_ : bool
        Whether y was a multi-label indicator matrix.

    See Also
    --------
    WeightedClassifier : Fit a classifier with these weights inside a pipeline.
    sklearn.utils.class_weight.compute_class_weight : The "balanced" formula.

    References
    ----------
    .. [1] Y. Cui, M. Jia, T.-Y. Lin, Y. Song, S. Belongie, "Class-Balanced Loss
       Based on Effective Number of Samples", CVPR 2019.

    Examples
    --------
    >>> from skbalance import ClassWeightComputer
    >>> y = ["billing"] * 500 + ["technical"] * 300 + ["account"] * 150 + ["other"] * 50
    >>> cw = ClassWeightComputer(strategy="balanced").fit(y)
    >>> {k: round(v, 4) for k, v in cw.class_weight_.items()}
    {'account': 1.6667, 'billing': 0.5, 'other': 5.0, 'technical': 0.8333}
    >>> cw.sample_weight(["other", "billing"]).tolist()
    [5.0, 0.5]
    >>> round(float(cw.sample_weight(y).mean()), 12)  # normalize="samples"
    1.0
    >>> per_class = ClassWeightComputer(normalize="classes").fit(y).class_weight_
    >>> round(float(sum(per_class.values()) / len(per_class)), 12)
    1.0
    >>> sqrt = ClassWeightComputer(strategy="sqrt").fit(y)
    >>> print(sqrt.to_json())
    {
      "class_weights": {
        "account": 1.3838994441697317,
        "billing": 0.7579929428906232,
        "other": 2.396984149868304,
        "technical": 0.978564681452711
      },
      "label_type": "str",
      "strategy": "sqrt",
      "normalize": "samples",
      "beta": 0.999,
      "max_weight": null,
      "multilabel": false,
      "counts": {
        "account": 150,
        "billing": 500,
        "other": 50,
        "technical": 300
      }
    }
    >>> restored = ClassWeightComputer.from_json(sqrt.to_json())
    >>> restored.class_weight_ == sqrt.class_weight_
    True
    """

    _parameter_constraints: dict = {
        "strategy": [StrOptions({"balanced", "sqrt", "effective_number"})],
        "beta": [Interval(Real, 0, 1, closed="left")],
        "normalize": [StrOptions({"samples", "classes"}), None],
        "max_weight": [Interval(Real, 0, None, closed="neither"), None],
    }

    def __init__(
        self, *, strategy="balanced", beta=0.999, normalize="samples", max_weight=None
    ):
        self.strategy = strategy
        self.beta = beta
        self.normalize = normalize
        self.max_weight = max_weight

    def _raw(self, counts, n):
        counts = counts.astype(np.float64)
        if self.strategy == "balanced":
            return n / (counts.size * counts)
        if self.strategy == "sqrt":
            return 1.0 / np.sqrt(counts)
        if self.beta == 0:
            return np.ones_like(counts)
        # effective number E(n_c) = (1 - beta^n_c) / (1 - beta); weight 1 / E
        return (1.0 - self.beta) / -np.expm1(counts * np.log(self.beta))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X=None, y=None, sample_weight=None):
        """Compute the weights from the labels: ``fit(y)`` or ``fit(X, y)``.

        One positional argument is y; with two, X is not used but must have a
        row per label, and may not be a 1-D array of numbers (not rows of data;
        weights go as ``sample_weight=``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or the labels, default=None
            With y: the data (2-D, or texts or records), not used. Without y:
            the labels, as y below.
        y : array-like of shape (n_samples,) or (n_samples, n_labels), default=None
            Class labels, or a multi-label 0/1 indicator matrix (dense or
            sparse) or a list of label lists.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the class counts: a sample of weight 2
            counts as two samples, so weighting and duplicating agree.

        Returns
        -------
        self : ClassWeightComputer
            The fitted computer.
        """
        n_rows = None
        if y is None:
            y = X  # fit(y)
        elif X is not None:
            if _is_number_vector(X):
                raise ValueError(
                    "fit(X, y) got X as a 1-D array of numbers. Pass the labels "
                    "as fit(y) and their weights as fit(y, sample_weight=w); X, "
                    "when given, holds the rows of y (2-D data, texts or records) "
                    "and is not used."
                )
            n_rows = check_rows(X)
        if y is not None and is_multilabel(y):
            Y, names = as_indicator(y)
            # one row of X per row of Y, reported as for single labels
            check_labels(np.zeros(Y.shape[0], np.int8), n_samples=n_rows)
            self._fit_multilabel(Y, names, sample_weight)
            return self
        labels = check_labels(y, n_samples=n_rows)
        if labels.size == 0:
            raise ValueError("y is empty; class weights need at least one label.")
        if sample_weight is None:
            classes, counts = count_labels(labels, name="y")
        else:
            sample_weight = _check_sample_weight(sample_weight, labels)
            classes, codes, _ = encode(labels, name="y")
            counts = np.bincount(codes, weights=sample_weight, minlength=classes.size)
            if np.any(counts <= 0):
                raise ValueError(
                    "The total sample_weight is 0 for class "
                    f"{classes[counts <= 0].tolist()!r}; its class weight is undefined."
                )
        return self._fit_counts(classes, counts)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_counts(self, classes, counts):
        """Compute the weights from class counts made elsewhere.

        For labels counted where they live (a database, a Spark job: see
        :func:`skbalance.spark.class_weights`); ``fit(y)`` is
        ``fit_counts(*np.unique(y, return_counts=True))``.

        Parameters
        ----------
        classes : array-like of shape (n_classes,)
            Distinct labels, in any order.
        counts : array-like of shape (n_classes,)
            Rows (or total sample weight) of every class, positive.

        Returns
        -------
        self : ClassWeightComputer
            The fitted computer.

        Examples
        --------
        >>> from skbalance import ClassWeightComputer
        >>> cw = ClassWeightComputer(normalize=None).fit_counts(["b", "a"], [10, 90])
        >>> cw.class_weight_ == ClassWeightComputer(normalize=None).fit(
        ...     ["a"] * 90 + ["b"] * 10).class_weight_
        True
        """
        classes, counts = np.asarray(classes), np.asarray(counts)
        if classes.ndim != 1 or counts.shape != classes.shape or classes.size == 0:
            raise ValueError(
                "classes and counts must be 1-D, non-empty and of the same length; "
                f"got shapes {classes.shape} and {counts.shape}."
            )
        if counts.dtype.kind not in "iuf" or not np.all(counts > 0):
            raise ValueError(
                f"counts must be positive numbers; got {counts.tolist()!r}."
            )
        order = np.argsort(classes, kind="stable")
        classes, counts = classes[order], counts[order]
        if np.any(classes[1:] == classes[:-1]):
            raise ValueError(f"classes must be distinct; got {classes.tolist()!r}.")
        dtype = np.int64 if counts.dtype.kind in "iu" else np.float64
        return self._fit_counts(classes, counts.astype(dtype))

    def _fit_counts(self, classes, counts):
        n = counts.sum()
        raw = self._raw(counts, n)
        if self.normalize == "classes":
            raw = raw / raw.mean()
        elif self.normalize == "samples":
            raw = raw * (n / np.dot(raw, counts))
        if self.max_weight is not None:
            raw = np.minimum(raw, self.max_weight)
        self.classes_, self.counts_, self.multilabel_ = classes, counts, False
        self.class_weight_ = dict(zip(classes.tolist(), raw.tolist(), strict=True))
        return self

    def _fit_multilabel(self, Y, names, sample_weight):
        n, q = Y.shape
        if sample_weight is None:
            pos = np.asarray(Y.sum(axis=0)).ravel().astype(np.int64)
        else:
            sample_weight = _check_sample_weight(sample_weight, np.empty(n))
            n = sample_weight.sum()
            pos = np.asarray(Y.T @ sample_weight).ravel()
        neg = n - pos
        empty = np.flatnonzero(pos == 0)
        if empty.size:
            warnings.warn(
                f"Labels {empty.tolist()} have no positive example; their positive "
                "weight is set to 1.",
                UserWarning,
                stacklevel=3,
            )
        safe = np.maximum(pos, 1)
        if self.strategy == "balanced":
            weight = neg / safe
        elif self.strategy == "sqrt":
            weight = np.sqrt(neg / safe)
        else:
            # ratio of inverse effective numbers of positives and negatives
            weight = self._raw(safe, n) / self._raw(np.maximum(neg, 1), n)
        weight = np.where(pos == 0, 1.0, weight)
        if self.max_weight is not None:
            weight = np.minimum(weight, self.max_weight)
        self.classes_ = names
        self.counts_ = pos
        self.multilabel_ = True
        self.class_weight_ = dict(zip(names.tolist(), weight.tolist(), strict=True))

    def sample_weight(self, y):
        """Weight of every sample: the weight of its class.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Class labels, all seen at fit.

        Returns
        -------
        sample_weight : ndarray of shape (n_samples,)
            ``class_weight_[y_i]`` for every sample.
        """
        check_is_fitted(self)
        if self.multilabel_:
            raise ValueError(
                "sample_weight is not defined for multi-label weights; pass "
                "class_weight_ as the pos_weight of a binary cross-entropy loss."
            )
        labels = check_labels(y)
        uniques, codes, _ = encode(labels, name="y")
        positions = np.searchsorted(self.classes_, uniques)
        positions = np.minimum(positions, self.classes_.size - 1)
        unseen = self.classes_[positions] != uniques
        if np.any(unseen):
            raise ValueError(
                f"y has labels not seen at fit: {uniques[unseen].tolist()!r}; "
                f"the fitted classes are {self.classes_.tolist()!r}."
            )
        weights = np.array([self.class_weight_[c] for c in self.classes_.tolist()])
        return weights[positions][codes]

    def to_json(self, *, indent=2):
        """The weights and settings as JSON, for a training job.

        Labels keep their type through :meth:`from_json`: JSON keys are
        strings, so the label type is recorded next to them.

        Parameters
        ----------
        indent : int or None, default=2
            Passed to :func:`json.dumps`.

        Returns
        -------
        str
            ``{"class_weights": {label: weight}, "label_type": ..., "strategy":
            ..., "normalize": ..., "beta": ..., "max_weight": ..., "multilabel":
            ..., "counts": {label: count}}``.
        """
        check_is_fitted(self)
        return weights_to_json(self, indent=indent)

    @classmethod
    def from_json(cls, text):
        """A fitted computer from :meth:`to_json` output.

        Parameters
        ----------
        text : str
            JSON written by :meth:`to_json`.

        Returns
        -------
        ClassWeightComputer
            Fitted, with the same parameters, classes (of the same type),
            counts and weights.
        """
        return weights_from_json(cls, text)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.target_tags.required = True
        tags.target_tags.one_d_labels = True
        return tags
