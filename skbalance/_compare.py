"""compare_samplers: balancing strategies side by side, fold-safe."""

import time
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.metrics import balanced_accuracy_score, check_scoring
from sklearn.model_selection import RepeatedStratifiedKFold, check_cv

from skbalance._class_weight import ClassWeightComputer
from skbalance._containers import n_rows, take_rows
from skbalance._metrics import per_class_report
from skbalance._validation import check_labels
from skbalance._weighted import WeightedClassifier

__all__ = ["compare_samplers"]

_METRICS = ["macro_f1", "weighted_f1", "gap", "balanced_accuracy", "min_recall"]


class _RowCounter(TransformerMixin, BaseEstimator):
    """Identity step after the sampler: remembers how many rows it saw."""

    def fit(self, X, y=None):
        self.n_rows_ = n_rows(X)
        return self

    def transform(self, X):
        return X


def _model(strategy, estimator, preprocessor):
    """The pipeline for one strategy: resampling touches the training fold
    only, because the sampler is a step of an imbalanced-learn Pipeline."""
    from imblearn.pipeline import Pipeline

    steps = [] if preprocessor is None else [("preprocessor", clone(preprocessor))]
    if strategy is None:
        steps.append(("model", clone(estimator)))
    elif isinstance(strategy, ClassWeightComputer):
        model = WeightedClassifier(clone(estimator), weighting=clone(strategy))
        steps.append(("model", model))
    elif hasattr(strategy, "fit_resample"):
        steps += [
            ("sampler", clone(strategy)),
            ("count", _RowCounter()),
            ("model", clone(estimator)),
        ]
    else:
        raise TypeError(
            f"strategies values must be samplers (with fit_resample), a "
            f"ClassWeightComputer or None; got {type(strategy).__name__}."
        )
    return Pipeline(steps)


def _rows_after(model, n_train):
    counter = model.named_steps.get("count")
    return n_train if counter is None else counter.n_rows_


def compare_samplers(
    strategies,
    estimator,
    X,
    y,
    *,
    cv=5,
    scoring=None,
    n_repeats=1,
    random_state=None,
    preprocessor=None,
):
    """Cross-validate balancing strategies with one model, on the same folds.

    Every strategy runs inside a pipeline, so resampling and weighting see
    the training folds only and every score is on untouched rows.

    Parameters
    ----------
    strategies : dict
        Name -> an imbalanced-learn sampler (any object with
        ``fit_resample``), a :class:`ClassWeightComputer`, or None (no
        balancing).
    estimator : classifier
        The model, cloned for every strategy and fold.
    X : array-like, sparse matrix, DataFrame or list
        The rows (texts are fine when ``estimator`` is a text pipeline).
    y : array-like of shape (n_samples,)
        Class labels.
    cv : int or cross-validation generator, default=5
        Folds; an int gives :class:`~sklearn.model_selection.RepeatedStratifiedKFold`
        with ``n_repeats`` repeats.
    scoring : str, callable, dict or None, default=None
        Extra scores next to the built-in ones: a scorer name, a scorer, or a
        dict name -> scorer.
    n_repeats : int, default=1
        Repeats of the folds when ``cv`` is an int.
    random_state : int or None, default=None
        Shuffles the folds when ``cv`` is an int.
    preprocessor : transformer or None, default=None
        Fitted on each training fold before the sampler, e.g. a
        ``TfidfVectorizer`` so that SMOTE sees numbers; samplers that take
        texts can also stand before a text pipeline given as ``estimator``.

    Returns
    -------
    table : pandas.DataFrame or dict
        One row per strategy (in the order given): mean and standard deviation
        over folds of macro F1, weighted F1, their gap, balanced accuracy,
        the lowest per-class recall and every extra score, the mean fit time in
        seconds and the mean rows in a training fold after balancing. A
        DataFrame indexed by strategy when pandas is installed, else a dict of
        columns (with a ``"strategy"`` column). :class:`ComparisonDisplay`
        draws it.

    See Also
    --------
    ComparisonDisplay : Bar chart of the table.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.datasets import make_classification
    >>> from skbalance import RatioOverSampler, ClassWeightComputer, compare_samplers
    >>> X, y = make_classification(300, weights=[0.9], random_state=0)
    >>> table = compare_samplers(
    ...     {"none": None, "ratio 1.0": RatioOverSampler(random_state=0),
    ...      "weights": ClassWeightComputer()},
    ...     LogisticRegression(), X, y, cv=3, random_state=0)
    >>> list(table.index)
    ['none', 'ratio 1.0', 'weights']
    >>> int(table.loc["ratio 1.0", "rows_after"]) > int(table.loc["none", "rows_after"])
    True
    """
    if not isinstance(strategies, dict) or not strategies:
        raise ValueError(
            "strategies must be a non-empty dict: name -> sampler, "
            "ClassWeightComputer or None."
        )
    n = n_rows(X)
    labels = check_labels(y, n_samples=n)
    if isinstance(cv, Integral):
        splitter = RepeatedStratifiedKFold(
            n_splits=cv, n_repeats=n_repeats, random_state=random_state
        )
    else:
        splitter = check_cv(cv, labels, classifier=True)
    folds = list(splitter.split(np.zeros(n), labels))
    if isinstance(scoring, dict):
        extra = {name: check_scoring(estimator, s) for name, s in scoring.items()}
    elif scoring is not None:
        extra = {str(scoring): check_scoring(estimator, scoring)}
    else:
        extra = {}
    names = _METRICS + list(extra)
    rows = []
    for name, strategy in strategies.items():
        scores = {m: [] for m in names}
        fit_times, sizes = [], []
        for train, test in folds:
            model = _model(strategy, estimator, preprocessor)
            X_train, y_train = take_rows(X, train), take_rows(y, train)
            X_test, y_true = take_rows(X, test), labels[test]
            start = time.perf_counter()
            model.fit(X_train, y_train)
            fit_times.append(time.perf_counter() - start)
            sizes.append(_rows_after(model, len(train)))
            y_pred = model.predict(X_test)
            report = per_class_report(y_true, y_pred, labels=np.unique(labels))
            scores["macro_f1"].append(report.macro_f1)
            scores["weighted_f1"].append(report.weighted_f1)
            scores["gap"].append(report.gap)
            scores["balanced_accuracy"].append(balanced_accuracy_score(y_true, y_pred))
            scores["min_recall"].append(float(np.min(report.recall)))
            for extra_name, scorer in extra.items():
                scores[extra_name].append(scorer(model, X_test, y_true))
        row = {"strategy": name}
        for m in names:
            row[f"{m}_mean"] = float(np.mean(scores[m]))
            row[f"{m}_std"] = float(np.std(scores[m]))
        row["fit_time"] = float(np.mean(fit_times))
        row["rows_after"] = float(np.mean(sizes))
        row["n_folds"] = len(folds)
        rows.append(row)
    columns = {key: [r[key] for r in rows] for key in rows[0]}
    pd = _pandas()
    if pd is None:
        return columns
    return pd.DataFrame(columns).set_index("strategy")


def _pandas():
    """pandas when it is installed, else None (the table is then a dict)."""
    try:
        import pandas
    except ImportError:
        return None
    return pandas
