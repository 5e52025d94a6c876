"""compare_samplers: fold safety, and values equal to a hand-run pipeline."""

import sys

import numpy as np
import pytest
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import make_pipeline
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score, recall_score
from sklearn.model_selection import RepeatedStratifiedKFold

from skbalance import (
    ClassWeightComputer,
    DomainFloorSampler,
    RatioOverSampler,
    compare_samplers,
)


def _data():
    X, y = make_classification(
        400, n_classes=3, n_informative=4, weights=[0.75, 0.2, 0.05], random_state=0
    )
    X[:, 0] = np.arange(len(X))  # a row id in column 0, to trace rows
    return X, y


class Recorder(ClassifierMixin, BaseEstimator):
    """Logistic regression on columns 1:, recording the row ids it sees."""

    seen_fit = []
    seen_predict = []

    def fit(self, X, y):
        Recorder.seen_fit.append(X[:, 0].astype(int).copy())
        self.model_ = LogisticRegression().fit(X[:, 1:], y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        Recorder.seen_predict.append(X[:, 0].astype(int).copy())
        return self.model_.predict(X[:, 1:])


def test_resampled_rows_are_never_scored():
    X, y = _data()
    Recorder.seen_fit, Recorder.seen_predict = [], []
    compare_samplers(
        {"ratio": RatioOverSampler(random_state=0)},
        Recorder(),
        X,
        y,
        cv=4,
        random_state=0,
    )
    folds = list(
        RepeatedStratifiedKFold(n_splits=4, n_repeats=1, random_state=0).split(X, y)
    )
    assert len(Recorder.seen_predict) == 4
    for (train, test), fitted, scored in zip(
        folds, Recorder.seen_fit, Recorder.seen_predict, strict=True
    ):
        np.testing.assert_array_equal(scored, test)  # every test row once, no copy
        assert set(fitted.tolist()) == set(train.tolist())  # copies of train only
        assert len(fitted) > len(train)


def test_values_match_a_hand_run_pipeline():
    X, y = _data()
    X = X[:, 1:]  # without the row id
    sampler = RatioOverSampler(target_ratio=0.5, random_state=0)
    table = compare_samplers(
        {"none": None, "ratio": sampler, "weights": ClassWeightComputer()},
        LogisticRegression(max_iter=500),
        X,
        y,
        cv=5,
        n_repeats=2,
        random_state=1,
        scoring="f1_macro",
    )
    assert list(table.index) == ["none", "ratio", "weights"]
    expected_columns = {
        f"{m}_{s}"
        for m in [
            "macro_f1",
            "weighted_f1",
            "gap",
            "balanced_accuracy",
            "min_recall",
            "f1_macro",
        ]
        for s in ["mean", "std"]
    } | {"fit_time", "rows_after", "n_folds", "error"}
    assert set(table.columns) == expected_columns
    macro, weighted, balanced, lowest, rows = [], [], [], [], []
    cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=2, random_state=1)
    for train, test in cv.split(X, y):
        model = make_pipeline(
            RatioOverSampler(target_ratio=0.5, random_state=0),
            LogisticRegression(max_iter=500),
        ).fit(X[train], y[train])
        pred = model.predict(X[test])
        macro.append(f1_score(y[test], pred, average="macro"))
        weighted.append(f1_score(y[test], pred, average="weighted"))
        balanced.append(balanced_accuracy_score(y[test], pred))
        lowest.append(recall_score(y[test], pred, average=None).min())
        rows.append(len(model[0].sample_indices_))
    row = table.loc["ratio"]
    assert row["n_folds"] == 10
    assert row["macro_f1_mean"] == pytest.approx(np.mean(macro))
    assert row["macro_f1_std"] == pytest.approx(np.std(macro))
    assert row["weighted_f1_mean"] == pytest.approx(np.mean(weighted))
    assert row["gap_mean"] == pytest.approx(np.mean(weighted) - np.mean(macro))
    assert row["balanced_accuracy_mean"] == pytest.approx(np.mean(balanced))
    assert row["min_recall_mean"] == pytest.approx(np.mean(lowest))
    assert row["f1_macro_mean"] == pytest.approx(np.mean(macro))
    assert row["rows_after"] == pytest.approx(np.mean(rows))
    assert table.loc["none", "rows_after"] == pytest.approx(320)  # 4/5 of 400


def test_strategies_of_every_kind_and_errors():
    X, y = _data()
    X = X[:, 1:]
    table = compare_samplers(
        {
            "floors": DomainFloorSampler(min_share=0.2, random_state=0),
            "imblearn": RandomOverSampler(random_state=0),
            "sqrt": ClassWeightComputer(strategy="sqrt"),
        },
        LogisticRegression(max_iter=500),
        X,
        y,
        cv=3,
        random_state=0,
    )
    assert (table["macro_f1_mean"] > 0.3).all()
    assert (table["fit_time"] > 0).all()
    with pytest.raises(ValueError, match="strategies must be a non-empty dict"):
        compare_samplers({}, LogisticRegression(), X, y)
    with pytest.raises(TypeError, match="got LogisticRegression"):
        compare_samplers({"bad": LogisticRegression()}, LogisticRegression(), X, y)


def test_preprocessor_is_fitted_per_fold_before_the_sampler():
    from imblearn.over_sampling import SMOTE
    from sklearn.feature_extraction.text import TfidfVectorizer

    from skbalance import load_support_tickets

    tickets = load_support_tickets()
    texts = [t["text"] for t in tickets]
    labels = [t["label"] for t in tickets]
    table = compare_samplers(
        {"smote": SMOTE(random_state=0), "none": None},
        LogisticRegression(max_iter=500),
        texts,
        labels,
        cv=3,
        random_state=0,
        preprocessor=TfidfVectorizer(),
    )
    assert table.loc["smote", "rows_after"] == pytest.approx(4 * 500 * 2 / 3, abs=2)
    assert (table["macro_f1_mean"] > 0.5).all()


def test_display_draws_the_table_and_names_the_plot_extra(monkeypatch, tmp_path):
    import sys

    import matplotlib

    matplotlib.use("Agg")
    from skbalance import ComparisonDisplay

    X, y = _data()
    table = compare_samplers(
        {"none": None, "ratio": RatioOverSampler(random_state=0)},
        LogisticRegression(max_iter=500),
        X[:, 1:],
        y,
        cv=3,
        random_state=0,
    )
    display = ComparisonDisplay(table).plot()
    widths = {b.get_width() for b in display.bars_}
    assert widths == set(table["macro_f1_mean"])
    display.figure_.savefig(tmp_path / "compare.png")
    assert (tmp_path / "compare.png").stat().st_size > 0
    with pytest.raises(ValueError, match="metric='auc'"):
        ComparisonDisplay(table, metric="auc")
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"skbalance\[plot\]"):
        ComparisonDisplay(table).plot()


def test_without_pandas_it_says_so_before_any_fit(monkeypatch):
    from skbalance._optional import MissingDependency

    class Counting(LogisticRegression):
        fits = 0

        def fit(self, X, y, **kw):
            type(self).fits += 1
            return super().fit(X, y, **kw)

    X, y = _data()
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if not installed
    with pytest.raises(MissingDependency) as info:
        compare_samplers({"none": None}, Counting(), X[:, 1:], y, cv=3)
    assert str(info.value) == (
        "compare_samplers needs the optional dependency 'pandas', which is not "
        "installed. Install it with: pip install 'skbalance[pandas]'"
    )
    assert Counting.fits == 0


class _Infeasible(RatioOverSampler):
    """A sampler that fails on every fold, as an infeasible target does."""

    def fit_resample(self, X, y):
        raise ValueError("Got min_share=0.6 with 2 strata, but it cannot be met.")


def test_a_failing_strategy_is_a_nan_row_with_its_reason():
    X, y = _data()
    strategies = {"none": None, "bad": _Infeasible(), "ratio": RatioOverSampler()}
    with pytest.warns(
        UserWarning,
        match=r"strategy 'bad' failed on 3 of 3 folds \(scored nan\): ValueError: "
        r"Got min_share=0\.6",
    ):
        table = compare_samplers(
            strategies,
            LogisticRegression(max_iter=500),
            X[:, 1:],
            y,
            cv=3,
            random_state=0,
        )
    assert np.isnan(table.loc["bad", "macro_f1_mean"])
    assert table.loc["bad", "error"].startswith("ValueError: Got min_share=0.6")
    assert table.loc[["none", "ratio"], "macro_f1_mean"].notna().all()
    assert table["error"].isna().tolist() == [True, False, True]
    with pytest.raises(ValueError, match="cannot be met"):
        compare_samplers(
            strategies, LogisticRegression(), X[:, 1:], y, cv=3, error_score="raise"
        )
    with pytest.raises(ValueError, match=r"error_score must be 'raise' or a number; "):
        compare_samplers(strategies, LogisticRegression(), X, y, error_score="nan")
    with pytest.warns(UserWarning, match=r"\(scored 0\.0\)"):
        table = compare_samplers(
            {"bad": _Infeasible()}, LogisticRegression(), X, y, cv=3, error_score=0.0
        )
    assert table.loc["bad", "macro_f1_mean"] == 0.0


def test_folds_are_returned_for_paired_comparisons_and_match_the_table():
    X, y = _data()
    table, folds = compare_samplers(
        {"none": None, "ratio": RatioOverSampler(random_state=0)},
        LogisticRegression(max_iter=500),
        X[:, 1:],
        y,
        cv=4,
        n_repeats=2,
        random_state=0,
        return_folds=True,
    )
    assert list(folds.columns[:2]) == ["strategy", "fold"]
    assert folds["fold"].tolist() == list(range(8)) * 2
    for name in ("none", "ratio"):
        mine = folds[folds["strategy"] == name]
        assert mine["macro_f1"].mean() == pytest.approx(
            table.loc[name, "macro_f1_mean"]
        )
        assert mine["macro_f1"].std(ddof=0) == pytest.approx(
            table.loc[name, "macro_f1_std"]
        )


def test_parallel_fits_give_the_same_table_and_progress_goes_to_stderr(capsys):
    X, y = _data()
    kw = {"cv": 3, "random_state": 0}
    strategies = {"none": None, "ratio": RatioOverSampler(random_state=0)}
    serial = compare_samplers(strategies, LogisticRegression(), X[:, 1:], y, **kw)
    capsys.readouterr()
    parallel = compare_samplers(
        strategies, LogisticRegression(), X[:, 1:], y, n_jobs=2, progress=True, **kw
    )
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.endswith("\rcompare_samplers: 6/6 fits\n")
    assert captured.err.count("fits") == 6
    cols = [
        c for c in serial.columns if c.endswith(("_mean", "_std")) or c == "rows_after"
    ]
    assert serial[cols].equals(parallel[cols])
