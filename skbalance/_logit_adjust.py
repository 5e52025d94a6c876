"""LogitAdjustedClassifier: correct a classifier's class prior at prediction
time, tuned on out-of-fold scores."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, check_cv, cross_val_predict
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, column_or_1d

from skbalance._compat import HasMethods, Interval, StrOptions, _fit_context
from skbalance._kfold import StratifiedLabelKFold

__all__ = ["LogitAdjustedClassifier"]

#: the metrics ``scoring`` names, on predicted classes
_METRICS = {
    "f1_macro": lambda y, p: f1_score(y, p, average="macro"),
    "balanced_accuracy": balanced_accuracy_score,
    "accuracy": accuracy_score,
    "f1_weighted": lambda y, p: f1_score(y, p, average="weighted"),
}
#: the ``scoring`` names for one label of a multi-label target (a 0/1
#: column): F1 of the positive class (macro and weighted F1 over labels are
#: maximised label by label), balanced accuracy, accuracy (1 - Hamming loss)
_LABEL_METRICS = {
    "f1_macro": lambda y, p: f1_score(y, p, zero_division=0.0),
    "balanced_accuracy": balanced_accuracy_score,
    "accuracy": accuracy_score,
    "f1_weighted": lambda y, p: f1_score(y, p, zero_division=0.0),
}
#: the default grid of ``tau``: from no correction to twice the full one
DEFAULT_TAUS = np.round(np.linspace(0.0, 2.0, 21), 2)


def _log_scores(estimator, X):
    """Per-class log scores: log probabilities, or the decision function
    (logits; ``[0, d]`` for a binary classifier's 1-D ``d``)."""
    if hasattr(estimator, "predict_proba"):
        return np.log(np.clip(estimator.predict_proba(X), 1e-300, None))
    return _as_columns(estimator.decision_function(X))


def _label_scores(estimator, X):
    """Per-label scores of a multi-label estimator, shape (n_samples,
    n_labels), and whether they are probabilities: the positive class's
    probability (one array, as OneVsRestClassifier; or a list of per-label
    arrays, as MultiOutputClassifier), else the decision function."""
    if hasattr(estimator, "predict_proba"):
        return _positive_column(estimator.predict_proba(X)), True
    return _positive_column(estimator.decision_function(X)), False


def _positive_column(scores):
    if isinstance(scores, list):  # one (n_samples, 2) array per label
        return np.column_stack([s[:, -1] for s in scores]).astype(float)
    return np.asarray(scores, dtype=float)


def _logit(p):
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.log(p) - np.log1p(-p)


def _as_columns(scores):
    scores = np.asarray(scores, dtype=float)
    if scores.ndim == 1:
        return np.column_stack([np.zeros_like(scores), scores])
    return scores


class LogitAdjustedClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Correct a classifier's class prior at prediction time (logit adjustment).

    A classifier fitted on imbalanced data favours the classes it saw most.
    Instead of resampling, its log scores are shifted by the log ratio of a
    target prior to the prior it was trained on, as in post-hoc logit
    adjustment [1]_ and Bayes prior-shift correction [2]_::

        predict(x) = argmax_y  log p(y | x) + tau * (log target(y) - log prior(y))

    ``tau = 0`` is the classifier as it is, ``tau = 1`` the full correction
    (with ``target="uniform"``: the balanced-error rule). With ``tau="auto"``
    the strength is tuned on out-of-fold scores (one set of ``cv`` fits, then
    one fit on all the data), or on a held-out set for a model trained
    already (``cv="prefit"``). Nothing is retrained for a new ``tau``, so it
    also corrects a model that cannot be retrained (a fine-tuned model's
    class scores, from the command line).

    For a multi-label target (``y`` a 0/1 indicator matrix, the estimator
    one that takes it, e.g. a ``OneVsRestClassifier``) every label is a
    binary problem with its own correction: label ``j`` is predicted when
    ``logit p_j(x) + tau_j * (logit target_j - logit prior_j) > 0``, that is
    when its score passes a threshold, and ``tau_j`` (so the threshold) is
    tuned label by label on the same out-of-fold or held-out scores, by the
    same ``scoring`` read per label. The thresholds are ``thresholds_``.

    Parameters
    ----------
    estimator : classifier
        Has ``predict_proba`` (log probabilities are adjusted) or
        ``decision_function`` (taken as logits). Cloned at fit, unless
        ``cv="prefit"``.
    tau : "auto" or float, default="auto"
        The strength of the correction; "auto" picks the best of ``taus`` by
        ``scoring`` (the smallest of tied values).
    taus : array-like of float or None, default=None
        The grid of ``tau="auto"``; None is 0, 0.1, ..., 2.
    prior : "train" or array-like of shape (n_classes,), default="train"
        The class prior the estimator was trained on: "train" is the shares
        of ``y`` given to ``fit`` (with ``cv="prefit"``, of the held-out
        ``y``, which should be drawn as the training data were). Give it
        when the estimator resamples (a pipeline with a sampler learns the
        resampled shares), in the order of ``classes_``. Multi-label: the
        positive rate of each label, in (0, 1).
    target : "uniform" or array-like of shape (n_classes,), default="uniform"
        The prior to correct to: "uniform" for balanced predictions (every
        class equally likely a priori), or the class shares where the model
        will be used (a known prior shift). Multi-label: "uniform" is a
        rate of 0.5 for every label (a label's ``tau = 1`` threshold is then
        its prior rate), or the positive rate of each label.
    cv : int, cross-validation generator, iterable or "prefit", default=5
        How out-of-fold scores are made for ``tau="auto"``: an int is a
        shuffled :class:`~sklearn.model_selection.StratifiedKFold` seeded by
        ``random_state``. "prefit": ``estimator`` is fitted already and
        ``fit(X, y)`` is given a held-out set to tune on.
    scoring : {"f1_macro", "balanced_accuracy", "accuracy", "f1_weighted"} \
or callable, default="f1_macro"
        What ``tau`` maximises, on predicted classes; a callable is
        ``score(y_true, y_pred) -> float``. Multi-label: read per label, on
        its 0/1 column: "f1_macro" and "f1_weighted" are the label's F1 (so
        their average over labels is maximised), "accuracy" one minus its
        Hamming loss; a callable is given one column.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds of an int ``cv`` (multi-label:
        :class:`StratifiedLabelKFold`).
    n_jobs : int or None, default=None
        Folds fitted in parallel (joblib).

    Attributes
    ----------
    estimator_ : classifier
        Fitted on all of ``X`` (or the prefit estimator).
    classes_ : ndarray of shape (n_classes,)
        The classes; multi-label, the label columns ``0 .. n_labels - 1``.
    multilabel_ : bool
        Whether ``y`` was a multi-label indicator matrix.
    prior_, target_ : ndarray of shape (n_classes,)
        The priors used, summing to 1; multi-label, the positive rate of
        each label.
    best_tau_ : float, or ndarray of shape (n_labels,)
        The ``tau`` used to predict; multi-label, one per label.
    thresholds_ : ndarray of shape (n_labels,)
        Multi-label only: the score above which each label is predicted, a
        probability when the estimator has ``predict_proba``, else a value
        of its decision function.
    best_score_ : float or None
        Its ``scoring`` on the out-of-fold (or held-out) predictions (the
        mean over labels for a multi-label target); None when ``tau`` is a
        number.
    cv_results_ : dict of ndarray or None
        ``{"tau": ..., "score": ...}`` over the grid (multi-label: a score
        column per label); None for a fixed tau.
    n_features_in_ : int
        Features seen at fit (when the estimator records them).

    See Also
    --------
    WeightedClassifier : Weights the loss instead.
    RatioOverSampler : Resamples the training data instead.

    References
    ----------
    .. [1] A. K. Menon, S. Jayasumana, A. S. Rawat, H. Jain, A. Veit and
       S. Kumar, "Long-tail learning via logit adjustment", ICLR 2021.
    .. [2] M. Saerens, P. Latinne and C. Decaestecker, "Adjusting the outputs
       of a classifier to new a priori probabilities: a simple procedure",
       Neural Computation 14(1), 2002.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.metrics import recall_score
    >>> from skbalance import LogitAdjustedClassifier
    >>> X, y = make_classification(
    ...     n_samples=2000, weights=[0.95], class_sep=0.5, random_state=0)
    >>> plain = LogisticRegression().fit(X, y)
    >>> adjusted = LogitAdjustedClassifier(
    ...     LogisticRegression(), random_state=0).fit(X, y)
    >>> float(adjusted.best_tau_) > 0
    True
    >>> bool(recall_score(y, adjusted.predict(X)) > recall_score(y, plain.predict(X)))
    True
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit"])],
        "tau": [StrOptions({"auto"}), Real],
        "taus": ["array-like", None],
        "prior": [StrOptions({"train"}), "array-like"],
        "target": [StrOptions({"uniform"}), "array-like"],
        "cv": [
            Interval(Integral, 2, None, closed="left"),
            "cv_object",
            StrOptions({"prefit"}),
        ],
        "scoring": [StrOptions(set(_METRICS)), callable],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        estimator,
        *,
        tau="auto",
        taus=None,
        prior="train",
        target="uniform",
        cv=5,
        scoring="f1_macro",
        random_state=None,
        n_jobs=None,
    ):
        self.estimator = estimator
        self.tau = tau
        self.taus = taus
        self.prior = prior
        self.target = target
        self.cv = cv
        self.scoring = scoring
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _shares(self, value, name, counts):
        if isinstance(value, str):
            shares = counts if value == "train" else np.ones(counts.size)
            if not (shares > 0).all():
                empty = self.classes_[shares == 0].tolist()[0]
                raise ValueError(
                    f"{name}='train': class {empty!r} has no "
                    "row in y, so the prior has no share for it; give prior= "
                    "as shares."
                )
        else:
            shares = np.asarray(value, dtype=float).ravel()
            if shares.size != counts.size or not (shares > 0).all():
                raise ValueError(
                    f"{name} must hold a positive share for each of the "
                    f"{counts.size} classes (in the order of classes_); got "
                    f"{shares.size} values, the smallest {shares.min():g}."
                )
        return shares / shares.sum()

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Fit the estimator and choose ``tau``.

        Parameters
        ----------
        X : array-like, sparse matrix, DataFrame or list
            Training rows (held-out rows with ``cv="prefit"``).
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a 0/1 multi-label indicator matrix.
        **fit_params : dict
            Passed to the estimator's ``fit``.

        Returns
        -------
        self : LogitAdjustedClassifier
            The fitted model.
        """
        prefit = isinstance(self.cv, str) and self.cv == "prefit"
        if prefit:
            check_is_fitted(self.estimator)
            self.estimator_ = self.estimator
        else:  # the estimator validates X and y, as it would alone
            self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
        if type_of_target(y) == "multilabel-indicator":
            return self._fit_multilabel(X, np.asarray(y), prefit, fit_params)
        self.multilabel_ = False
        self.classes_ = classes = np.asarray(self.estimator_.classes_)
        labels = column_or_1d(y)
        counts = np.array([np.sum(labels == c) for c in classes], dtype=float)
        if prefit and counts.sum() < labels.size:
            raise ValueError(
                "y holds classes the prefit estimator does not know; its classes "
                f"are {classes.tolist()}."
            )
        self.prior_ = self._shares(self.prior, "prior", counts)
        self.target_ = self._shares(self.target, "target", counts)
        if hasattr(self.estimator_, "n_features_in_"):
            self.n_features_in_ = self.estimator_.n_features_in_
        if hasattr(self.estimator_, "feature_names_in_"):
            self.feature_names_in_ = self.estimator_.feature_names_in_
        if self.tau != "auto":
            self.best_tau_, self.best_score_, self.cv_results_ = (
                float(self.tau),
                None,
                None,
            )
            return self
        if prefit:
            scores = _log_scores(self.estimator_, X)
        else:
            scores = self._out_of_fold(X, labels, fit_params)
        taus = DEFAULT_TAUS if self.taus is None else np.asarray(self.taus, float)
        metric = _METRICS.get(self.scoring, self.scoring)
        shift = np.log(self.target_) - np.log(self.prior_)
        results = np.array(
            [
                metric(labels, classes[np.argmax(scores + t * shift, axis=1)])
                for t in taus
            ]
        )
        best = int(np.argmax(results))  # the first best: the smallest tau
        self.best_tau_, self.best_score_ = float(taus[best]), float(results[best])
        self.cv_results_ = {"tau": taus.copy(), "score": results}
        return self

    def _rates(self, value, name, positives, n_rows):
        """Per-label positive rates of a multi-label prior or target."""
        if isinstance(value, str):
            if value == "uniform":
                return np.full(positives.size, 0.5)
            rates = positives / n_rows
            constant = np.flatnonzero((rates == 0) | (rates == 1))
            if constant.size:
                raise ValueError(
                    f"{name}='train': label {int(constant[0])} is "
                    f"{'never' if rates[constant[0]] == 0 else 'always'} set in y, "
                    "so its prior rate has no log-odds; give prior= as rates."
                )
            return rates
        rates = np.asarray(value, dtype=float).ravel()
        if rates.size != positives.size or not ((rates > 0) & (rates < 1)).all():
            raise ValueError(
                f"{name} must hold a rate in (0, 1) for each of the "
                f"{positives.size} labels of a multi-label y; got {rates.size} "
                "values."
            )
        return rates

    def _fit_multilabel(self, X, Y, prefit, fit_params):
        """One correction per label: ``tau`` (so a threshold) tuned label by
        label on out-of-fold (or held-out) scores."""
        n_rows, n_labels = Y.shape
        self.multilabel_ = True
        self.classes_ = np.arange(n_labels)
        positives = Y.sum(axis=0).astype(float)
        self.prior_ = self._rates(self.prior, "prior", positives, n_rows)
        self.target_ = self._rates(self.target, "target", positives, n_rows)
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(self.estimator_, name):
                setattr(self, name, getattr(self.estimator_, name))
        shift = _logit(self.target_) - _logit(self.prior_)
        if self.tau != "auto":
            self.best_tau_ = np.full(n_labels, float(self.tau))
            self.best_score_ = self.cv_results_ = None
        else:
            if prefit:
                scores, proba = _label_scores(self.estimator_, X)
            else:
                scores, proba = self._out_of_fold_labels(X, Y, fit_params)
            logits = _logit(scores) if proba else scores
            taus = DEFAULT_TAUS if self.taus is None else np.asarray(self.taus, float)
            metric = _LABEL_METRICS.get(self.scoring, self.scoring)
            results = np.array(
                [
                    [
                        metric(Y[:, j], (logits[:, j] + t * shift[j] > 0).astype(int))
                        for j in range(n_labels)
                    ]
                    for t in taus
                ]
            )
            best = np.argmax(results, axis=0)  # the first best: the smallest tau
            self.best_tau_ = taus[best]
            self.best_score_ = float(results[best, np.arange(n_labels)].mean())
            self.cv_results_ = {"tau": taus.copy(), "score": results}
        cut = -self.best_tau_ * shift  # in log-odds (or decision values)
        proba = hasattr(self.estimator_, "predict_proba")
        self.thresholds_ = 1 / (1 + np.exp(-cut)) if proba else cut
        return self

    def _out_of_fold_labels(self, X, Y, fit_params):
        if isinstance(self.cv, Integral):
            cv = StratifiedLabelKFold(self.cv, random_state=self.random_state)
        else:
            cv = check_cv(self.cv)
        proba = hasattr(self.estimator, "predict_proba")
        scores = cross_val_predict(
            clone(self.estimator),
            X,
            Y,
            cv=cv,
            method="predict_proba" if proba else "decision_function",
            n_jobs=self.n_jobs,
            params=fit_params or None,
        )
        return _positive_column(scores), proba

    def _out_of_fold(self, X, y, fit_params):
        if isinstance(self.cv, Integral):
            cv = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
        else:
            cv = check_cv(self.cv, y, classifier=True)
        method = (
            "predict_proba"
            if hasattr(self.estimator, "predict_proba")
            else "decision_function"
        )
        scores = cross_val_predict(
            clone(self.estimator),
            X,
            y,
            cv=cv,
            method=method,
            n_jobs=self.n_jobs,
            params=fit_params or None,
        )
        if method == "predict_proba":
            return np.log(np.clip(scores, 1e-300, None))
        return _as_columns(scores)

    def _adjusted(self, X):
        check_is_fitted(self)
        if self.multilabel_:
            scores, proba = _label_scores(self.estimator_, X)
            logits = _logit(scores) if proba else scores
            shift = _logit(self.target_) - _logit(self.prior_)
            return logits + self.best_tau_ * shift
        shift = np.log(self.target_) - np.log(self.prior_)
        return _log_scores(self.estimator_, X) + self.best_tau_ * shift

    def decision_function(self, X):
        """The adjusted log scores.

        Parameters
        ----------
        X : array-like, sparse matrix, DataFrame or list
            Rows.

        Returns
        -------
        ndarray of shape (n_samples, n_classes), or (n_samples,) for two classes
            ``log p(y | x) + best_tau_ * (log target_ - log prior_)``; for two
            classes, as scikit-learn's binary classifiers, the second column
            minus the first (positive: ``classes_[1]``). Multi-label: the
            adjusted log-odds of each label, shape (n_samples, n_labels),
            positive where the label is predicted.
        """
        scores = self._adjusted(X)
        if not self.multilabel_ and scores.shape[1] == 2:
            return scores[:, 1] - scores[:, 0]
        return scores

    def predict_proba(self, X):
        """Class probabilities under the target prior.

        A softmax of the adjusted log scores.

        Parameters
        ----------
        X : array-like, sparse matrix, DataFrame or list
            Rows.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Probabilities, in the order of ``classes_``; multi-label, the
            adjusted probability of each label (above 0.5 where predicted).
        """
        scores = self._adjusted(X)
        if self.multilabel_:
            return 1 / (1 + np.exp(-scores))
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        return scores / scores.sum(axis=1, keepdims=True)

    def predict(self, X):
        """The class with the highest adjusted score.

        Parameters
        ----------
        X : array-like, sparse matrix, DataFrame or list
            Rows.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted classes; multi-label, a 0/1 indicator matrix.
        """
        scores = self._adjusted(X)  # checks the fit first
        if self.multilabel_:
            return (scores > 0).astype(int)
        return self.classes_[np.argmax(scores, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags = self.estimator.__sklearn_tags__().input_tags
        return tags
