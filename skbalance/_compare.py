"""compare_samplers: balancing strategies side by side, fold-safe."""

import sys
import time
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.metrics import balanced_accuracy_score, check_scoring
from sklearn.model_selection import RepeatedStratifiedKFold, check_cv
from sklearn.utils.parallel import Parallel, delayed

from skbalance._class_weight import ClassWeightComputer
from skbalance._compat import import_optional
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


def _fit_and_score(job, strategy, estimator, preprocessor, X, y, labels, fold, extra):
    """One strategy on one fold: its scores, or the error's reason."""
    train, test = fold
    model = _model(strategy, estimator, preprocessor)
    X_test, y_true = take_rows(X, test), labels[test]
    start = time.perf_counter()
    try:
        model.fit(take_rows(X, train), take_rows(y, train))
    except Exception as exc:
        if job["error_score"] == "raise":
            raise
        return {"error": f"{type(exc).__name__}: {exc}"}
    row = {"fit_time": time.perf_counter() - start}
    row["rows_after"] = _rows_after(model, len(train))
    y_pred = model.predict(X_test)
    report = per_class_report(y_true, y_pred, labels=job["classes"])
    row["macro_f1"] = report.macro_f1
    row["weighted_f1"] = report.weighted_f1
    row["gap"] = report.gap
    row["balanced_accuracy"] = balanced_accuracy_score(y_true, y_pred)
    row["min_recall"] = float(np.min(report.recall))
    for extra_name, scorer in extra.items():
        row[extra_name] = scorer(model, X_test, y_true)
    return row


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
    error_score=np.nan,
    return_folds=False,
    n_jobs=None,
    progress=False,
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
    error_score : "raise" or float, default=np.nan
        When a strategy fails on a fold (an infeasible target, say): the
        score it gets, with the reason in the ``error`` column and a warning;
        the other strategies are still compared. ``"raise"`` raises instead.
    return_folds : bool, default=False
        Also return the score of every strategy on every fold, for paired
        comparisons (the same fold numbers are the same rows).
    n_jobs : int or None, default=None
        Fits run in parallel (joblib); None is 1 unless in a
        ``joblib.parallel_backend`` context, -1 uses every core.
    progress : bool, default=False
        Print ``compare_samplers: k/n fits`` on stderr as fits end.

    Returns
    -------
    table : pandas.DataFrame
        One row per strategy, indexed by strategy (in the order given): mean
        and standard deviation over folds of macro F1, weighted F1, their gap,
        balanced accuracy, the lowest per-class recall and every extra score,
        the mean fit time in seconds, the mean rows in a training fold after
        balancing, the number of folds and ``error`` (the first failure's
        reason; missing when none).
        :class:`ComparisonDisplay` draws it. pandas is needed (``pip install
        'skbalance[pandas]'``); it is checked before any fit.
    folds : pandas.DataFrame
        With ``return_folds=True``: one row per strategy and fold, with
        ``strategy``, ``fold``, every score, ``fit_time``, ``rows_after`` and
        ``error``.

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
    pd = import_optional("pandas", extra="pandas", purpose="compare_samplers")
    rows, per_fold = compare_rows(
        strategies,
        estimator,
        X,
        y,
        cv=cv,
        scoring=scoring,
        n_repeats=n_repeats,
        random_state=random_state,
        preprocessor=preprocessor,
        error_score=error_score,
        n_jobs=n_jobs,
        progress=progress,
    )
    table = pd.DataFrame(rows).set_index("strategy")
    if return_folds:
        return table, pd.DataFrame(per_fold)
    return table


def compare_rows(
    strategies,
    estimator,
    X,
    y,
    *,
    cv,
    scoring,
    n_repeats,
    random_state,
    preprocessor,
    error_score,
    n_jobs,
    progress,
):
    """The work of :func:`compare_samplers`: ``(rows, per_fold)``, each a
    list of dicts (a row per strategy, a row per strategy and fold), which
    the command line prints without pandas."""
    if not isinstance(strategies, dict) or not strategies:
        raise ValueError(
            "strategies must be a non-empty dict: name -> sampler, "
            "ClassWeightComputer or None."
        )
    if not (error_score == "raise" or isinstance(error_score, Real)):
        raise ValueError(
            f"error_score must be 'raise' or a number; got {error_score!r}."
        )
    for strategy in strategies.values():
        _model(strategy, estimator, preprocessor)  # a bad strategy fails now
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
    job = {"error_score": error_score, "classes": np.unique(labels)}
    tasks = [(name, k) for name in strategies for k in range(len(folds))]
    results = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_fit_and_score)(
            job,
            strategies[name],
            estimator,
            preprocessor,
            X,
            y,
            labels,
            folds[k],
            extra,
        )
        for name, k in tasks
    )
    per_fold = []
    results = zip(tasks, results, strict=True)
    for done, ((name, k), result) in enumerate(results, start=1):
        if progress:
            print(
                f"\rcompare_samplers: {done}/{len(tasks)} fits",
                end="\n" if done == len(tasks) else "",
                file=sys.stderr,
                flush=True,
            )
        row = {"strategy": name, "fold": k}
        error = result.pop("error", None)
        if error is not None:
            result = dict.fromkeys([*names, "fit_time", "rows_after"], error_score)
        per_fold.append({**row, **result, "error": error})
    rows = []
    for name in strategies:
        mine = [r for r in per_fold if r["strategy"] == name]
        row = {"strategy": name}
        for m in names:
            values = [r[m] for r in mine]
            row[f"{m}_mean"] = float(np.mean(values))
            row[f"{m}_std"] = float(np.std(values))
        row["fit_time"] = float(np.mean([r["fit_time"] for r in mine]))
        row["rows_after"] = float(np.mean([r["rows_after"] for r in mine]))
        row["n_folds"] = len(folds)
        errors = [r["error"] for r in mine if r["error"] is not None]
        row["error"] = errors[0] if errors else None
        if errors:
            warnings.warn(
                f"compare_samplers: strategy {name!r} failed on {len(errors)} of "
                f"{len(folds)} folds (scored {error_score}): {errors[0]}",
                UserWarning,
                stacklevel=3,
            )
        rows.append(row)
    return rows, per_fold
