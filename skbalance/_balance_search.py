"""BalanceSearch: choose a balancing strategy for a model by screening or
successive halving."""

import math
from numbers import Integral, Real

import numpy as np
from imblearn.pipeline import Pipeline as ImbPipeline
from joblib import Parallel, delayed
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.metrics import check_scoring
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, has_fit_parameter

from skbalance._class_weight import ClassWeightComputer
from skbalance._compat import (
    HasMethods,
    Interval,
    StrOptions,
    _fit_context,
    _safe_indexing,
)
from skbalance._domain_floor import DomainFloorSampler
from skbalance._logit_adjust import DEFAULT_TAUS, LogitAdjustedClassifier, _log_scores
from skbalance._ratio import RatioOverSampler
from skbalance._targets import stratum_targets
from skbalance._weighted import WeightedClassifier, _estimator_has

__all__ = ["BalanceSearch", "select_one_standard_error"]

#: strategy families, simplest first: the order of the one-standard-error rule
FAMILIES = ("none", "weights", "prior", "ratio", "floor", "llm")
RATIOS = (0.3, 0.5, 1.0)
FLOORS = (0.05, 0.1, 0.2)
#: relative floors (a fraction of the uniform share 1/k), above MAX_ABSOLUTE_FLOOR
RELATIVE_FLOORS = (0.25, 0.5)
#: the number of classes above which floors are relative (0.2 * 5 = 1)
MAX_ABSOLUTE_FLOOR = 5
WEIGHTS = ("balanced", "sqrt", "effective_number")
#: the share the LLM sampler raises small classes to (of the largest class)
LLM_RATIO = 0.3
#: screening: the paired t statistic by which a candidate must beat the prior
#: correction over the folds to be chosen instead
PAIRED_T = 2.0
#: the fewest training rows of the first round, per class (and at least 100)
MIN_ROWS_PER_CLASS = 20


class _Candidate:
    """One strategy: a readable name, its parameters and its place in the
    simplicity order."""

    def __init__(self, family, value=None, *, relative=False, tau=None):
        self.family = family
        self.value = value
        self.relative = relative
        #: a fixed prior correction on top (screening: tuned on out-of-fold
        #: scores), or None
        self.tau = tau

    def with_tau(self, tau):
        return _Candidate(self.family, self.value, relative=self.relative, tau=tau)

    @property
    def name(self):
        if self.family in ("none", "prior"):
            return {"none": "none", "prior": "prior correction"}[self.family]
        suffix = " (relative)" if self.relative else ""
        stacked = " + prior correction" if self.tau is not None else ""
        return f"{self.family} {self.value}{suffix}{stacked}"

    @property
    def params(self):
        params = {"strategy": self.family}
        if self.family == "weights":
            params["weighting"] = self.value
        elif self.family in ("ratio", "llm"):
            params["target_ratio"] = self.value
        elif self.family == "floor":
            params.update(min_share=self.value, relative=self.relative)
        if self.tau is not None:
            params["tau"] = self.tau
        return params


def _candidates(families, counts, *, can_weight, can_adjust, has_generator):
    """The strategies worth trying on classes of these counts, simplest first.

    A ratio or floor that every class meets already is left out: it would
    fit the same model as "none"."""
    counts = np.asarray(counts, dtype=float)
    k, smallest = counts.size, counts.min() / counts.max()
    shares = counts / counts.sum()
    out = []
    for family in FAMILIES:
        if family not in families:
            continue
        if family == "none":
            out.append(_Candidate("none"))
        elif family == "weights" and can_weight:
            out += [_Candidate("weights", w) for w in WEIGHTS]
        elif family == "prior" and can_adjust:
            out.append(_Candidate("prior"))
        elif family == "ratio":
            out += [_Candidate("ratio", r) for r in RATIOS if r > smallest]
        elif family == "floor":
            if k <= MAX_ABSOLUTE_FLOOR:
                floors = [s for s in FLOORS if s * k <= 1 and s > shares.min()]
                out += [_Candidate("floor", s) for s in floors]
            else:
                floors = [s for s in RELATIVE_FLOORS if s / k > shares.min()]
                out += [_Candidate("floor", s, relative=True) for s in floors]
        elif family == "llm" and has_generator:
            out.append(_Candidate("llm", LLM_RATIO))
    return out


def select_one_standard_error(mean, std, n_splits, complexity):
    """The simplest candidate whose score is within one standard error of the best.

    The standard error is the best candidate's fold standard deviation over
    ``sqrt(n_splits)`` (Breiman et al.'s rule, as in ``glmnet``'s
    ``lambda.1se``). Ties in complexity go to the higher score.

    Parameters
    ----------
    mean, std : array-like of shape (n_candidates,)
        Mean and standard deviation of the fold scores; NaN (a failed
        candidate) is never chosen.
    n_splits : int
        Folds behind each mean.
    complexity : array-like of shape (n_candidates,)
        Any sortable key, smaller is simpler.

    Returns
    -------
    int
        The index of the chosen candidate.

    Examples
    --------
    >>> select_one_standard_error([0.70, 0.71, 0.80], [0.02, 0.02, 0.05], 5, [0, 1, 2])
    2
    >>> select_one_standard_error([0.70, 0.78, 0.80], [0.02, 0.02, 0.05], 5, [0, 1, 2])
    1
    """
    mean = np.asarray(mean, dtype=float)
    std = np.asarray(std, dtype=float)
    if not np.isfinite(mean).any():
        raise ValueError("Every candidate failed: no score to choose by.")
    best = int(np.nanargmax(mean))
    threshold = mean[best] - std[best] / math.sqrt(n_splits)
    within = [i for i in range(mean.size) if mean[i] >= threshold]
    return min(within, key=lambda i: (complexity[i], -mean[i], i))


def _select_over_reference(scores, reference, t=PAIRED_T):
    """The best candidate if it beats the reference by more than ``t``
    standard errors of their paired fold differences (a paired t statistic),
    else the reference.

    Parameters
    ----------
    scores : ndarray of shape (n_candidates, n_splits)
        Fold scores, the same folds for every candidate.
    reference : int
        The candidate kept unless another is clearly better.
    t : float, default=PAIRED_T
        The paired t statistic to pass.

    Returns
    -------
    int
        The index of the chosen candidate.
    """
    mean = scores.mean(axis=1)
    best = int(np.nanargmax(mean))
    if best == reference:
        return reference
    difference = scores[best] - scores[reference]
    error = difference.std(ddof=1) / math.sqrt(difference.size)
    return best if difference.mean() > t * error else reference


def _stratified_subsample(y, train, n_rows, rng):
    """``n_rows`` of the ``train`` indices, every class in proportion and with
    at least 2 rows (or all it has), so that no class vanishes."""
    if n_rows >= train.size:
        return train
    labels = y[train]
    fraction = n_rows / train.size
    keep = []
    for label in np.unique(labels):
        rows = train[labels == label]
        quota = max(round(fraction * rows.size), min(rows.size, 2))
        keep.append(rng.choice(rows, size=quota, replace=False))
    return np.sort(np.concatenate(keep))


def _indexable(X):
    """X in a form whose rows can be taken: CSR for any sparse format, an array
    for an array-like that is neither a list, a DataFrame nor an array."""
    if sparse.issparse(X):
        return X.tocsr()
    if isinstance(X, (list, tuple, np.ndarray)) or hasattr(X, "iloc"):
        return X
    return np.asarray(X)


def _fit_and_score(estimator, X, y, train, test, scorer, fit_params):
    X_train = _safe_indexing(X, train)
    estimator.fit(X_train, y[train], **fit_params)
    return scorer(estimator, _safe_indexing(X, test), y[test])


# -- the screening round ----------------------------------------------------------


def _fast_metric(scoring):
    """``metric(y, predicted, k) -> scores`` for a scorer name whose value
    depends on the predicted classes only, vectorised over rows of
    ``predicted`` (class indices, shape (n_variants, n_rows)); None for any
    other scorer. scikit-learn's metrics validate their input on every call,
    which costs more than the fits of a small data set here."""
    if not isinstance(scoring, str) or scoring not in (
        "f1_macro",
        "f1_weighted",
        "f1_micro",
        "accuracy",
        "balanced_accuracy",
    ):
        return None

    def metric(y, predicted, k):
        predicted = np.atleast_2d(predicted)
        m = predicted.shape[0]
        offset = (np.arange(m) * k)[:, None]
        n_pred = np.bincount((offset + predicted).ravel(), minlength=m * k)
        hits = (predicted == y).astype(float)
        tp = np.bincount((offset + predicted).ravel(), hits.ravel(), m * k)
        n_pred, tp = n_pred.reshape(m, k), tp.reshape(m, k)
        n_true = np.bincount(y, minlength=k).astype(float)
        if scoring in ("accuracy", "f1_micro"):
            return hits.mean(axis=1)
        if scoring == "balanced_accuracy":
            present = n_true > 0
            return (tp[:, present] / n_true[present]).mean(axis=1)
        denominator = n_pred + n_true
        f1 = np.divide(
            2 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0
        )
        if scoring == "f1_weighted":
            return f1 @ (n_true / n_true.sum())
        present = denominator > 0  # sklearn: the labels of y_true or y_pred
        return (f1 * present).sum(axis=1) / present.sum(axis=1)

    return metric


class _Scored(ClassifierMixin, BaseEstimator):
    """Stands for a fitted model whose test-fold log scores are known, so
    that any scorer can score a logit shift without a fit: rows are given
    as their indices."""

    def __init__(self, classes, log_scores):
        self.classes = classes
        self.log_scores = log_scores

    def fit(self, X, y):  # pragma: no cover - never fitted
        return self

    @property
    def classes_(self):
        return self.classes

    def predict(self, X):
        return self.classes[np.argmax(self.log_scores[np.asarray(X)], axis=1)]

    def predict_proba(self, X):
        z = self.log_scores[np.asarray(X)]
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)


def _out_of_fold_log_scores(estimator, X, y, train, test, classes, fit_params):
    """Fit on ``train``, return log scores on ``test`` with a column for each
    of ``classes`` (a class the fold lacks scores ~ -690)."""
    estimator.fit(_safe_indexing(X, train), y[train], **fit_params)
    scores = _log_scores(estimator, _safe_indexing(X, test))
    out = np.full((len(test), classes.size), np.log(1e-300))
    out[:, np.searchsorted(classes, np.asarray(estimator.classes_))] = scores
    return out


def _shift(candidate, counts):
    """The log-score shift that stands for a candidate on a model fitted to
    classes of these counts: class weights move a calibrated model's logits
    by about ``log w``, and a sampler acts as weights ``after / before``."""
    # a class a training fold lacks (a non-stratified cv) counts as one row
    counts = np.maximum(np.asarray(counts, dtype=float), 1)
    family = candidate.family
    if family == "weights":
        computer = ClassWeightComputer(strategy=candidate.value)
        weights = computer.fit_counts(np.arange(counts.size), counts).class_weight_
        return np.log(np.array([weights[c] for c in range(counts.size)]))
    if family == "ratio" or family == "llm":
        after = stratum_targets(counts.astype(int), target_ratio=candidate.value)
    elif family == "floor":
        after = stratum_targets(
            counts.astype(int), min_share=candidate.value, relative=candidate.relative
        )
    else:
        return np.zeros(counts.size)
    return np.log(np.asarray(after, dtype=float) / counts)


class BalanceSearch(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Choose how to balance a classifier's training data, by cross-validation.

    Tries the balancing strategies of skbalance on the estimator, a classifier
    or a Pipeline (a vectorizer then a classifier, say), and keeps the
    prior correction unless another strategy's cross-validated score is
    clearly better (screening; see below), or the simplest strategy whose
    score is within one standard error of the best (successive halving).
    The candidates, simplest first:

    1. ``"none"``: the estimator as it is;
    2. ``"weights <strategy>"``: the final step in a
       :class:`WeightedClassifier` with :class:`ClassWeightComputer` weights
       ("balanced", "sqrt", "effective_number"), when its ``fit`` takes
       ``sample_weight``;
    3. ``"prior correction"``: the final step in a
       :class:`LogitAdjustedClassifier` (``tau`` tuned on inner 3-fold
       out-of-fold scores), when it has ``predict_proba`` or
       ``decision_function``;
    4. ``"ratio <r>"``: a :class:`RatioOverSampler` at 0.3, 0.5 and 1.0;
    5. ``"floor <s>"``: a :class:`DomainFloorSampler` with class floors 0.05,
       0.1 and 0.2, or, for more than 5 classes, relative floors 0.25 and 0.5
       (``relative=True``: a fraction of the uniform share);
    6. ``"llm 0.3"``: an :class:`LLMAugmentSampler` with ``generator``, only
       when a generator is given.

    The order is that of added assumptions and cost: weights change the loss
    only, the prior correction changes the decision only and nothing in the
    fit, samplers change the training rows (and the model's prior), and
    generated rows add data that was never seen. A ratio or floor that every
    class meets already is left out (it is "none").

    Samplers go before the final step of a Pipeline (or before ``step``),
    in an imbalanced-learn Pipeline, so they touch training folds only; the
    LLM sampler writes texts and goes first. The Pipeline's ``memory`` is
    kept: with one, the steps before the samplers (a vectorizer) are fitted
    once per fold and round and shared by all candidates.

    The cost is kept to about two plain cross-validations of the estimator
    by screening (``method="screen"``, the default): one plain
    cross-validation of the estimator gives out-of-fold class scores (log
    probabilities, or the decision function), and every candidate is first
    scored on them as a logit shift, without a fit. Class weights ``w``
    move a model's logits by about ``log w``, a ratio or floor sampler acts
    as weights ``rows after / rows before``, and the prior correction is the
    shift ``-tau * log prior`` with ``tau`` tuned on the out-of-fold scores
    (each fold is scored with the ``tau`` best on the other folds, so that
    no fold tunes its own score; the refit uses the ``tau`` best on all of
    them and fits once). Then the ``n_verify`` best screened candidates that
    change the fit are fitted for real on the same folds, and a prior
    correction is tuned on top of each of them in the same way (``"weights
    sqrt + prior correction"``, kept when its ``tau`` is above 0). The
    choice is among "none", the prior correction and these (pooled
    out-of-fold predictions choose each ``tau``, as in
    :class:`LogitAdjustedClassifier`). The prior correction is kept unless
    another of them beats it on the folds by a paired t statistic above 2
    (the mean of the fold differences above twice its standard error): it
    needs no fit of its own, was the best single strategy over the 15 sets
    of the benchmark, and on 14 of them picking the best or the simplest of
    close scores lost to it. Without the prior correction among the candidates,
    the rule is the one-standard-error rule. An estimator with neither
    ``predict_proba`` nor ``decision_function`` is searched by successive
    halving instead.

    ``method="halving"`` is successive halving [1]_: every candidate is
    scored on the same ``cv`` folds, first with a stratified subsample of
    each training fold, then the best ``1 / factor`` of them on ``factor``
    times as many rows, until the last round fits on whole training folds.
    Test folds are always whole, so that a small round is not scored on a
    handful of rare rows. The one-standard-error rule picks among the
    candidates of the last round, and every round keeps the simplest
    candidate within one standard error of its best, so that the rule can
    still choose it. It fits about 20 times as many models as screening.

    Parameters
    ----------
    estimator : classifier or Pipeline
        The model to balance; its final step is the classifier. Cloned.
    strategies : list of str or None, default=None
        The families to try, of "none", "weights", "prior", "ratio",
        "floor" and "llm"; None is all of them ("llm" only with a
        ``generator``).
    step : str or None, default=None
        The name of the Pipeline step the samplers go before; None is the
        final step.
    cv : int or cross-validation generator, default=5
        The folds: an int is a shuffled
        :class:`~sklearn.model_selection.StratifiedKFold` seeded by
        ``random_state``.
    scoring : str or callable, default="f1_macro"
        A scikit-learn scorer name or callable ``scorer(estimator, X, y)``.
    factor : int, default=3
        ``method="halving"``: the share of candidates kept after each round
        is ``1 / factor``, and the rows of the next round ``factor`` times as
        many.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds, the subsamples and the samplers.
    refit : bool, default=True
        Fit the chosen candidate on all the data as ``best_estimator_``.
    n_jobs : int or None, default=None
        Fits run in parallel (joblib), over candidates and folds.
    generator : str, callable or None, default=None
        Given to :class:`LLMAugmentSampler`; None leaves generation out.
    method : {"screen", "halving"}, default="screen"
        How the candidates are scored: "screen" scores them all on one plain
        cross-validation's out-of-fold scores and fits only the
        ``n_verify`` best; "halving" fits them all by successive halving
        (the only search of earlier releases; see ``factor``).
    n_verify : int, default=1
        ``method="screen"``: how many of the best screened candidates that
        need their own fits (weights, samplers) are cross-validated for
        real; each costs one more cross-validation. 0 chooses between no
        balancing and the prior correction, with no fit beyond the plain
        cross-validation and the refit.

    Attributes
    ----------
    best_strategy_ : str
        The readable name of the chosen candidate, e.g. ``"ratio 0.5"``.
    best_params_ : dict
        Its parameters: ``{"strategy": "ratio", "target_ratio": 0.5}``;
        with screening, a prior correction's ``tau`` too (``{"strategy":
        "prior", "tau": 0.8}``, or ``{"strategy": "weights", "weighting":
        "sqrt", "tau": 0.3}`` for one on top of weights).
    best_score_ : float
        Its mean score in the last round.
    best_index_ : int
        Its row in ``cv_results_``.
    best_estimator_ : estimator
        The chosen candidate fitted on all the data (``refit=True``).
    cv_results_ : dict of ndarray
        One row per candidate and round: ``iter``, ``n_resources`` (rows of
        each training fold), ``strategy``, ``params``, ``complexity``,
        ``mean_test_score``, ``std_test_score``, ``split<i>_test_score`` and
        ``rank_test_score`` (within the round). With screening, round 0 is
        the screening (every candidate, scored as a logit shift) and round 1
        the choice: "none", the prior correction, the verified candidates
        and the prior correction on top of each.
    n_iterations_ : int
        Rounds run (2 with screening).
    n_resources_, n_candidates_ : list of int
        Training rows per fold and candidates, per round.
    n_splits_ : int
        Folds.
    classes_ : ndarray of shape (n_classes,)
        The classes.

    See Also
    --------
    sklearn.model_selection.HalvingGridSearchCV : Successive halving over any
        grid; it subsamples training and test folds without stratifying.
    LogitAdjustedClassifier : The prior correction.

    References
    ----------
    .. [1] K. Jamieson and A. Talwalkar, "Non-stochastic Best Arm
       Identification and Hyperparameter Optimization", AISTATS 2016.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skbalance import BalanceSearch
    >>> X, y = make_classification(
    ...     n_samples=2000, weights=[0.95], class_sep=0.5, random_state=0)
    >>> search = BalanceSearch(LogisticRegression(), random_state=0).fit(X, y)
    >>> search.best_strategy_, search.best_params_
    ('prior correction', {'strategy': 'prior', 'tau': 0.4})

    Ten candidates screened on one plain 5-fold cross-validation; the best
    screened one that needs fits, weights sqrt, fitted for real (a prior
    correction on top of it tuned to ``tau = 0``: left out); neither it nor
    "none" beats the prior correction:

    >>> search.n_candidates_, search.n_resources_
    ([10, 3], [1600, 1600])
    >>> search.cv_results_["strategy"][search.cv_results_["iter"] == 1].tolist()
    ['none', 'prior correction', 'weights sqrt']
    >>> none = search.cv_results_["strategy"] == "none"
    >>> bool(search.best_score_ > search.cv_results_["mean_test_score"][none].max())
    True
    >>> search.predict(X[:3]).shape
    (3,)
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"])],
        "strategies": [list, tuple, None],
        "step": [str, None],
        "cv": [Interval(Integral, 2, None, closed="left"), "cv_object"],
        "scoring": [str, callable],
        "factor": [Interval(Real, 1, None, closed="neither")],
        "random_state": ["random_state"],
        "refit": ["boolean"],
        "n_jobs": [Integral, None],
        "generator": [str, callable, None],
        "method": [StrOptions({"screen", "halving"})],
        "n_verify": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(
        self,
        estimator,
        *,
        strategies=None,
        step=None,
        cv=5,
        scoring="f1_macro",
        factor=3,
        random_state=None,
        refit=True,
        n_jobs=None,
        generator=None,
        method="screen",
        n_verify=1,
    ):
        self.estimator = estimator
        self.strategies = strategies
        self.step = step
        self.cv = cv
        self.scoring = scoring
        self.factor = factor
        self.random_state = random_state
        self.refit = refit
        self.n_jobs = n_jobs
        self.generator = generator
        self.method = method
        self.n_verify = n_verify

    # -- the candidates ------------------------------------------------------

    def _final(self):
        if isinstance(self.estimator, Pipeline):
            return self.estimator.steps[-1][1]
        return self.estimator

    def _families(self):
        if self.strategies is None:
            return set(FAMILIES)
        unknown = sorted(set(self.strategies) - set(FAMILIES))
        if unknown or not self.strategies:
            raise ValueError(
                f"Got strategies={list(self.strategies)!r}, but each must be one "
                f"of {list(FAMILIES)} and at least one given."
            )
        return set(self.strategies)

    def _sampler_index(self, steps):
        if self.step is None:
            return len(steps) - 1
        names = [name for name, _ in steps]
        if self.step not in names:
            raise ValueError(
                f"Got step={self.step!r}, but the estimator's steps are {names}; "
                "name one of them (the samplers go before it)."
            )
        return names.index(self.step)

    def _build(self, candidate, seed):
        """The estimator of one candidate, unfitted."""
        if candidate.tau is not None:  # a fixed prior correction on top
            family = "none" if candidate.family == "prior" else candidate.family
            inner = _Candidate(family, candidate.value, relative=candidate.relative)
            return LogitAdjustedClassifier(self._build(inner, seed), tau=candidate.tau)
        estimator = clone(self.estimator)
        memory = getattr(estimator, "memory", None)  # caches the steps before
        if isinstance(estimator, Pipeline):
            steps = list(estimator.steps)
        else:
            steps = [("classifier", estimator)]
        final_name, final = steps[-1]
        family = candidate.family
        if family == "weights":
            final = WeightedClassifier(
                final, weighting=ClassWeightComputer(strategy=candidate.value)
            )
        elif family == "prior":
            final = LogitAdjustedClassifier(final, cv=3, random_state=seed)
        steps[-1] = (final_name, final)
        sampler, at = None, self._sampler_index(steps)
        if family == "ratio":
            sampler = RatioOverSampler(target_ratio=candidate.value, random_state=seed)
        elif family == "floor":
            sampler = DomainFloorSampler(
                min_share=candidate.value,
                relative=candidate.relative,
                random_state=seed,
            )
        elif family == "llm":
            from skbalance._llm_augment import LLMAugmentSampler

            sampler = LLMAugmentSampler(
                target_ratio=candidate.value,
                generator=self.generator,
                random_state=seed,
            )
            at = 0  # it writes texts: before any vectorizer
        if sampler is None:
            return ImbPipeline(steps, memory=memory) if len(steps) > 1 else final
        steps.insert(at, ("balance", sampler))
        return ImbPipeline(steps, memory=memory)

    # -- the search ----------------------------------------------------------

    def _schedule(self, n_candidates, n_train, n_classes):
        """Training rows per fold for every round: the last is all of them,
        each earlier one ``factor`` times fewer, none below the smallest
        useful subsample (fewer rounds on small data, as scikit-learn's
        halving search)."""
        smallest = min(n_train, max(100, MIN_ROWS_PER_CLASS * n_classes))
        needed = 1 + int(math.floor(math.log(max(n_candidates, 1), self.factor)))
        possible = 1 + int(math.floor(math.log(n_train / smallest, self.factor)))
        n_rounds = max(1, min(needed, possible))
        return [
            int(n_train / self.factor ** (n_rounds - 1 - i)) for i in range(n_rounds)
        ]

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Score the candidates, choose one and refit it.

        The candidates are scored by screening or by successive halving
        (``method``).

        Parameters
        ----------
        X : array-like, sparse matrix, DataFrame or list
            Training rows, in whatever form the estimator takes (texts for a
            text pipeline).
        y : array-like of shape (n_samples,)
            Class labels.
        **fit_params : dict
            Passed to every candidate's ``fit``.

        Returns
        -------
        self : BalanceSearch
            The fitted search.
        """
        families = self._families()
        check_classification_targets(y)
        y = column_or_1d(y, warn=True)
        self.classes_, counts = np.unique(y, return_counts=True)
        if self.classes_.size < 2:
            raise ValueError(
                "BalanceSearch needs at least 2 classes; y holds 1 class: "
                f"{self.classes_.tolist()}."
            )
        X = _indexable(X)
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        final = self._final()
        candidates = _candidates(
            families,
            counts,
            can_weight=has_fit_parameter(final, "sample_weight"),
            can_adjust=hasattr(final, "predict_proba")
            or hasattr(final, "decision_function"),
            has_generator=self.generator is not None,
        )
        if not candidates:
            raise ValueError(
                f"None of strategies={sorted(families)} applies to this estimator "
                "and data (weights need sample_weight in fit, the prior "
                "correction predict_proba or decision_function, llm a generator)."
            )
        self._sampler_index(  # fails early on an unknown step
            list(self.estimator.steps)
            if isinstance(self.estimator, Pipeline)
            else [("classifier", self.estimator)]
        )
        if isinstance(self.cv, Integral):
            cv = StratifiedKFold(self.cv, shuffle=True, random_state=seed)
        else:
            cv = check_cv(self.cv, y, classifier=True)
        folds = list(cv.split(np.zeros((y.size, 1)), y))
        self.n_splits_ = len(folds)
        scorer = check_scoring(self.estimator, scoring=self.scoring)
        complexity = {
            id(c): (FAMILIES.index(c.family), i) for i, c in enumerate(candidates)
        }
        parallel = Parallel(n_jobs=self.n_jobs)
        can_screen = hasattr(final, "predict_proba") or hasattr(
            final, "decision_function"
        )
        screened = self.method == "screen" and can_screen
        if screened:
            rows = self._screen(
                X, y, candidates, families, folds, scorer, seed, fit_params,
                complexity, parallel,
            )  # fmt: skip
        else:
            rows = self._halve(
                X, y, candidates, folds, scorer, seed, fit_params, complexity, parallel
            )
        self.n_iterations_ = len(self.n_resources_)
        self.cv_results_ = self._results(rows, complexity)
        last = np.flatnonzero(self.cv_results_["iter"] == self.n_iterations_ - 1)
        strategies = self.cv_results_["strategy"][last].tolist()
        if screened and "prior correction" in strategies:
            splits = [f"split{k}_test_score" for k in range(len(folds))]
            chosen = _select_over_reference(
                np.column_stack([self.cv_results_[s][last] for s in splits]),
                strategies.index("prior correction"),
            )
        else:
            chosen = select_one_standard_error(
                self.cv_results_["mean_test_score"][last],
                self.cv_results_["std_test_score"][last],
                len(folds),
                [tuple(c) for c in self.cv_results_["complexity"][last]],
            )
        self.best_index_ = int(last[chosen])
        best = rows[self.best_index_][2]
        self.best_strategy_ = best.name
        self.best_params_ = best.params
        self.best_score_ = float(self.cv_results_["mean_test_score"][self.best_index_])
        if self.refit:
            self.best_estimator_ = self._build(best, seed).fit(X, y, **fit_params)
            for name in ("n_features_in_", "feature_names_in_"):
                if hasattr(self.best_estimator_, name):
                    setattr(self, name, getattr(self.best_estimator_, name))
        return self

    def _screen(
        self, X, y, candidates, families, folds, scorer, seed, fit_params,
        complexity, parallel,
    ):  # fmt: skip
        """One plain cross-validation, every candidate scored on its
        out-of-fold scores as a logit shift, the best ``n_verify`` fitted
        for real on the same folds, a prior correction tuned on top."""
        classes, k = self.classes_, self.classes_.size
        y_idx = np.searchsorted(classes, y)
        metric = _fast_metric(self.scoring)
        n_folds = len(folds)
        n_train = min(train.size for train, _ in folds)
        counts = [np.bincount(y_idx[train], minlength=k) for train, _ in folds]
        log_prior = [np.log(np.maximum(c, 1) / c.sum()) for c in counts]

        def out_of_fold(candidate):
            return parallel(
                delayed(_out_of_fold_log_scores)(
                    self._build(candidate, seed),
                    X,
                    y,
                    train,
                    test,
                    classes,
                    fit_params,
                )  # fmt: skip
                for train, test in folds
            )

        def fold_scores(oof, shifts):
            """Scores of shifted log scores: shifts (n_variants, n_folds, k)
            -> (n_variants, n_folds)."""
            out = np.empty((len(shifts), n_folds))
            for f, (_, test) in enumerate(folds):
                z = oof[f][None] + shifts[:, f, None, :]
                if metric is not None:
                    out[:, f] = metric(y_idx[test], z.argmax(axis=2), k)
                    continue
                for i in range(len(shifts)):
                    rows = np.arange(len(test))
                    out[i, f] = scorer(_Scored(classes, z[i]), rows, y[test])
            return out

        def pooled(oof, shifts, which):
            """Scores of shifted log scores on the rows of these folds taken
            together (as out-of-fold predictions are): (n_variants,)."""
            z = np.concatenate(
                [oof[f][None] + shifts[:, f, None, :] for f in which], axis=1
            )
            test = np.concatenate([folds[f][1] for f in which])
            if metric is not None:
                return metric(y_idx[test], z.argmax(axis=2), k)
            rows = np.arange(test.size)
            return np.array([scorer(_Scored(classes, zi), rows, y[test]) for zi in z])

        def tuned(oof):
            """The prior correction on top of these scores: each fold scored
            with the tau best on the other folds (no fold tunes its own
            score), and the tau best on all folds, for the refit. Out-of-fold
            predictions are pooled to choose ``tau``, as
            :class:`LogitAdjustedClassifier` does: a rare class has few rows
            in one fold."""
            shifts = np.array([[-t * p for p in log_prior] for t in DEFAULT_TAUS])
            grid = fold_scores(oof, shifts)
            everything = list(range(n_folds))
            honest = np.array(
                [
                    grid[
                        int(
                            np.argmax(
                                pooled(
                                    oof, shifts, everything[:f] + everything[f + 1 :]
                                )
                            )
                        ),
                        f,
                    ]
                    for f in everything
                ]
            )
            best = int(np.argmax(pooled(oof, shifts, everything)))
            return honest, float(DEFAULT_TAUS[best])

        rows = []

        def add(round_, candidate, scores):
            rows.append(
                [round_, n_train, candidate, scores.mean(), scores.std(), scores, 0]
            )

        base = out_of_fold(_Candidate("none"))
        final, fitted = [], []
        for c in candidates:
            if c.family == "none":
                scores = fold_scores(base, np.zeros((1, n_folds, k)))[0]
                final.append((c, scores))
            elif c.family == "prior":
                scores, tau = tuned(base)
                prior = c.with_tau(tau)
                complexity[id(prior)] = complexity[id(c)]
                c = prior
                final.append((c, scores))
            else:
                shifts = np.array([[_shift(c, n) for n in counts]])
                scores = fold_scores(base, shifts)[0]
                fitted.append((c, scores))
            add(0, c, scores)
        fitted.sort(key=lambda cs: -cs[1].mean())  # stable: the simpler first
        for i, (c, _) in enumerate(fitted[: self.n_verify]):
            oof = out_of_fold(c)
            final.append((c, fold_scores(oof, np.zeros((1, n_folds, k)))[0]))
            if "prior" in families:
                scores, tau = tuned(oof)
                if tau > 0:
                    stacked = c.with_tau(tau)
                    level = max(FAMILIES.index(c.family), FAMILIES.index("prior"))
                    complexity[id(stacked)] = (level, len(candidates) + i)
                    final.append((stacked, scores))
        for c, scores in final:
            add(1, c, scores)
        for round_ in (0, 1):
            these = [r for r in rows if r[0] == round_]
            for r, rank in zip(
                these, _rank(np.array([r[3] for r in these])), strict=True
            ):
                r[6] = rank
        self.n_resources_ = [n_train, n_train]
        self.n_candidates_ = [len(candidates), len(final)]
        return [tuple(r) for r in rows]

    def _halve(
        self, X, y, candidates, folds, scorer, seed, fit_params, complexity, parallel
    ):
        """Successive halving: rounds on growing subsamples of the folds."""
        n_train = min(train.size for train, _ in folds)
        schedule = self._schedule(len(candidates), n_train, self.classes_.size)
        alive = list(candidates)
        rows, self.n_resources_, self.n_candidates_ = [], [], []
        for round_, n_rows in enumerate(schedule):
            sub_rng = np.random.default_rng(seed + round_)
            trains = [
                _stratified_subsample(y, train, n_rows, sub_rng) for train, _ in folds
            ]
            scores = parallel(
                delayed(_fit_and_score)(
                    self._build(c, seed), X, y, train, test, scorer, fit_params
                )
                for c in alive
                for train, (_, test) in zip(trains, folds, strict=True)
            )
            scores = np.asarray(scores, dtype=float).reshape(len(alive), len(folds))
            mean, std = scores.mean(axis=1), scores.std(axis=1)
            self.n_resources_.append(int(n_rows))
            self.n_candidates_.append(len(alive))
            ranks = _rank(mean)
            for i, c in enumerate(alive):
                rows.append((round_, n_rows, c, mean[i], std[i], scores[i], ranks[i]))
            if round_ == len(schedule) - 1:
                break
            n_keep = max(1, math.ceil(len(alive) / self.factor))
            order = np.argsort(-mean, kind="stable")
            keep = set(order[:n_keep].tolist())
            keep.add(
                select_one_standard_error(
                    mean, std, len(folds), [complexity[id(c)] for c in alive]
                )
            )
            alive = [c for i, c in enumerate(alive) if i in keep]
        return rows

    def _results(self, rows, complexity):
        results = {
            "iter": np.array([r[0] for r in rows]),
            "n_resources": np.array([r[1] for r in rows]),
            "strategy": np.array([r[2].name for r in rows], dtype=object),
            "params": [r[2].params for r in rows],
            "complexity": np.array([complexity[id(r[2])] for r in rows]),
            "mean_test_score": np.array([r[3] for r in rows]),
            "std_test_score": np.array([r[4] for r in rows]),
            "rank_test_score": np.array([r[6] for r in rows]),
        }
        for k in range(self.n_splits_):
            results[f"split{k}_test_score"] = np.array([r[5][k] for r in rows])
        return results

    # -- delegation ----------------------------------------------------------

    def _check_refit(self):
        check_is_fitted(self)
        if not self.refit:
            raise AttributeError(
                "This BalanceSearch was fitted with refit=False: it has no "
                "best_estimator_ to predict with."
            )
        return self.best_estimator_

    def predict(self, X):
        """Predict with the chosen candidate.

        Parameters
        ----------
        X : array-like, sparse matrix, DataFrame or list
            Rows.

        Returns
        -------
        ndarray of shape (n_samples,)
            Predicted classes.
        """
        return self._check_refit().predict(X)

    @available_if(_estimator_has("predict_proba", "best_estimator_"))
    def predict_proba(self, X):
        """Class probabilities of the chosen candidate.

        Parameters
        ----------
        X : array-like, sparse matrix, DataFrame or list
            Rows.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Probabilities.
        """
        return self._check_refit().predict_proba(X)

    @available_if(_estimator_has("decision_function", "best_estimator_"))
    def decision_function(self, X):
        """Decision function of the chosen candidate.

        Parameters
        ----------
        X : array-like, sparse matrix, DataFrame or list
            Rows.

        Returns
        -------
        ndarray
            Scores.
        """
        return self._check_refit().decision_function(X)

    def score(self, X, y, sample_weight=None):
        """The ``scoring`` of the chosen candidate on X and y.

        Parameters
        ----------
        X : array-like, sparse matrix, DataFrame or list
            Rows.
        y : array-like of shape (n_samples,)
            True classes.
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to the scorer.

        Returns
        -------
        float
            The score.
        """
        estimator = self._check_refit()
        scorer = check_scoring(self.estimator, scoring=self.scoring)
        if sample_weight is None:
            return scorer(estimator, X, y)
        return scorer(estimator, X, y, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags = self.estimator.__sklearn_tags__().input_tags
        return tags


def _rank(mean):
    """Rank 1 = best; NaN last."""
    order = np.argsort(-np.nan_to_num(mean, nan=-np.inf), kind="stable")
    ranks = np.empty(mean.size, dtype=int)
    ranks[order] = np.arange(1, mean.size + 1)
    return ranks
