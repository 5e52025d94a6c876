"""BalanceSearch: the balancing strategy chosen by successive halving."""

import pickle
import re
import warnings

import numpy as np
import pytest
from imblearn.pipeline import Pipeline as ImbPipeline
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    StratifiedKFold,
    cross_val_score,
)
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from skbalance import (
    BalanceSearch,
    DomainFloorSampler,
    LogitAdjustedClassifier,
    RatioOverSampler,
    WeightedClassifier,
)
from skbalance._balance_search import (
    _Candidate,
    _candidates,
    _fast_metric,
    _select_over_reference,
    select_one_standard_error,
)
from skbalance._llm_augment import LLMAugmentSampler


class CountingLogisticRegression(LogisticRegression):
    """Records the rows of every fit, in the class (the search clones it)."""

    rows = []

    def fit(self, X, y, sample_weight=None):
        CountingLogisticRegression.rows.append(len(y))
        return super().fit(X, y, sample_weight=sample_weight)


def _imbalanced(n=1500, seed=0):
    # a rare class that overlaps the others: plain fits rarely predict it
    return make_classification(
        n_samples=n,
        n_features=6,
        n_informative=3,
        n_classes=3,
        n_clusters_per_class=1,
        weights=[0.85, 0.12],
        class_sep=0.6,
        random_state=seed,
    )


def _texts(seed=0):
    """Short texts whose class shows in some words: 300 / 60 / 15 rows."""
    rng = np.random.RandomState(seed)
    common = [f"w{i}" for i in range(40)]
    marks = {"billing": ["invoice", "refund"], "tech": ["crash", "error"],
             "legal": ["contract", "court"]}  # fmt: skip
    texts, labels = [], []
    for label, n in (("billing", 300), ("tech", 60), ("legal", 15)):
        for _ in range(n):
            words = list(rng.choice(common, size=6))
            if rng.random_sample() < 0.6:
                words.append(rng.choice(marks[label]))
            texts.append(" ".join(words))
            labels.append(label)
    order = rng.permutation(len(texts))
    return [texts[i] for i in order], np.asarray(labels)[order]


def test_picks_a_balancing_strategy_near_the_full_grid_for_fewer_fitted_rows():
    X, y = _imbalanced()
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    CountingLogisticRegression.rows = []
    search = BalanceSearch(
        CountingLogisticRegression(),
        cv=cv,
        random_state=0,
        refit=False,
        method="halving",
    ).fit(X, y)
    search_rows = CountingLogisticRegression.rows
    assert search.best_strategy_ != "none"
    assert search.n_resources_[-1] == min(t.size for t, _ in cv.split(X, y))
    assert search.n_candidates_[0] > search.n_candidates_[-1]

    # the same candidates, every one on whole folds
    seed = 0
    counts = np.bincount(y)
    candidates = _candidates(
        {"none", "weights", "prior", "ratio", "floor"},
        counts,
        can_weight=True,
        can_adjust=True,
        has_generator=False,
    )
    assert len(candidates) == search.n_candidates_[0]
    built = [search._build(c, seed) for c in candidates]
    CountingLogisticRegression.rows = []
    grid = GridSearchCV(
        Pipeline([("model", built[0])]),
        {"model": built},
        cv=cv,
        scoring="f1_macro",
        refit=False,
    ).fit(X, y)
    grid_rows = CountingLogisticRegression.rows
    best = grid.best_index_
    standard_error = grid.cv_results_["std_test_score"][best] / np.sqrt(5)
    assert search.best_score_ >= grid.best_score_ - 2 * standard_error, (
        search.best_score_,
        grid.best_score_,
    )
    none = grid.cv_results_["mean_test_score"][0]
    assert search.best_score_ > none  # balancing helps here
    # neither refits; the search fits more models, on fewer rows in all
    assert sum(search_rows) < sum(grid_rows), (sum(search_rows), sum(grid_rows))


def test_one_standard_error_rule_prefers_the_simpler_of_tied_candidates():
    # cv_results_ of a last round: none, weights sqrt, prior, ratio 0.5
    mean = [0.600, 0.742, 0.744, 0.750]
    std = [0.02, 0.03, 0.03, 0.03]
    complexity = [(0, 0), (1, 2), (2, 4), (3, 6)]
    # 0.750 - 0.03 / sqrt(5) = 0.7366: weights, prior and ratio are tied
    assert select_one_standard_error(mean, std, 5, complexity) == 1
    # with 100 folds the standard error is 0.003: only ratio is within it
    assert select_one_standard_error(mean, std, 100, complexity) == 3
    # a failed candidate (NaN) is never chosen
    assert select_one_standard_error([np.nan, 0.7], [np.nan, 0.1], 5, [0, 1]) == 1
    with pytest.raises(ValueError, match=re.escape("Every candidate failed")):
        select_one_standard_error([np.nan], [np.nan], 5, [0])


def test_raw_text_pipeline_with_every_argument_defaulted():
    texts, y = _texts()
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression())
    search = BalanceSearch(pipe).fit(texts, y)
    predicted = search.predict(["invoice w1 w2", "court contract w3"])
    assert set(predicted) <= set(y)
    assert search.predict_proba(texts[:4]).shape == (4, 3)
    assert isinstance(search.best_strategy_, str)
    assert search.best_params_["strategy"] in {
        "none",
        "weights",
        "prior",
        "ratio",
        "floor",
    }
    assert search.score(texts, y) == pytest.approx(
        f1_score(y, search.predict(texts), average="macro")
    )


def test_samplers_go_before_the_final_step_or_the_named_step():
    pipe = Pipeline([("tfidf", TfidfVectorizer()), ("clf", LogisticRegression())])
    search = BalanceSearch(pipe, random_state=0, generator="offline")
    counts = [300, 60, 15]
    families = {"none", "weights", "prior", "ratio", "floor", "llm"}
    cands = {
        c.name: c
        for c in _candidates(
            families, counts, can_weight=True, can_adjust=True, has_generator=True
        )
    }
    ratio = search._build(cands["ratio 0.5"], 0)
    assert isinstance(ratio, ImbPipeline)
    assert [n for n, _ in ratio.steps] == ["tfidf", "balance", "clf"]
    assert isinstance(ratio.named_steps["balance"], RatioOverSampler)
    assert ratio.named_steps["balance"].target_ratio == 0.5
    weights = search._build(cands["weights sqrt"], 0)
    assert [n for n, _ in weights.steps] == ["tfidf", "clf"]
    assert isinstance(weights.named_steps["clf"], WeightedClassifier)
    assert weights.named_steps["clf"].weighting.strategy == "sqrt"
    prior = search._build(cands["prior correction"], 0)
    assert isinstance(prior.named_steps["clf"], LogitAdjustedClassifier)
    llm = search._build(cands["llm 0.3"], 0)  # it writes texts: first
    assert [n for n, _ in llm.steps] == ["balance", "tfidf", "clf"]
    assert isinstance(llm.named_steps["balance"], LLMAugmentSampler)
    at_tfidf = search.set_params(step="tfidf")._build(cands["ratio 0.5"], 0)
    assert [n for n, _ in at_tfidf.steps] == ["balance", "tfidf", "clf"]
    # a plain classifier becomes a two-step pipeline, or stays itself
    plain = BalanceSearch(LogisticRegression())
    floor = plain._build(cands["floor 0.1"], 0)
    assert [n for n, _ in floor.steps] == ["balance", "classifier"]
    assert isinstance(floor.named_steps["balance"], DomainFloorSampler)
    assert isinstance(plain._build(cands["none"], 0), LogisticRegression)


def test_the_candidates_follow_the_data():
    everything = {"none", "weights", "prior", "ratio", "floor", "llm"}
    names = [
        c.name
        for c in _candidates(
            everything,
            [900, 100],
            can_weight=True,
            can_adjust=True,
            has_generator=False,
        )  # fmt: skip
    ]
    # a 10% class meets the 0.05 and 0.1 floors already: left out
    assert names == [
        "none",
        "weights balanced",
        "weights sqrt",
        "weights effective_number",
        "prior correction",
        "ratio 0.3",
        "ratio 0.5",
        "ratio 1.0",
        "floor 0.2",
    ]
    many = [1000] + [30] * 7  # 8 classes: relative floors
    names = [
        c.name
        for c in _candidates(
            everything, many, can_weight=False, can_adjust=False, has_generator=True
        )
    ]
    assert names == [
        "none",
        "ratio 0.3",
        "ratio 0.5",
        "ratio 1.0",
        "floor 0.25 (relative)",
        "floor 0.5 (relative)",
        "llm 0.3",
    ]


def test_cv_results_and_the_halving_schedule():
    X, y = _imbalanced(n=900)
    search = BalanceSearch(
        LogisticRegression(), cv=3, random_state=0, method="halving"
    ).fit(X, y)
    results = search.cv_results_
    n_rows = sum(search.n_candidates_)
    assert results["iter"].tolist() == [
        i for i, n in enumerate(search.n_candidates_) for _ in range(n)
    ]
    assert (
        len(results["params"]) == n_rows and results["split2_test_score"].size == n_rows
    )
    np.testing.assert_allclose(
        results["mean_test_score"],
        np.mean([results[f"split{k}_test_score"] for k in range(3)], axis=0),
    )
    assert search.n_resources_ == sorted(search.n_resources_)
    assert search.n_resources_[0] < search.n_resources_[-1] == 600
    last = results["iter"] == search.n_iterations_ - 1
    assert results["strategy"][search.best_index_] == search.best_strategy_
    assert last[search.best_index_]
    # the last round's candidates were kept from the round before
    previous = set(results["strategy"][results["iter"] == search.n_iterations_ - 2])
    assert set(results["strategy"][last]) <= previous


def test_deterministic_clone_and_pickle():
    X, y = _imbalanced(n=600)
    search = BalanceSearch(LogisticRegression(), cv=3, random_state=0)
    a = clone(search).fit(X, y)
    b = clone(search).fit(X, y)
    assert a.best_strategy_ == b.best_strategy_
    np.testing.assert_array_equal(
        a.cv_results_["mean_test_score"], b.cv_results_["mean_test_score"]
    )
    restored = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(restored.predict(X), a.predict(X))


def test_refit_false_keeps_no_model():
    X, y = _imbalanced(n=600)
    search = BalanceSearch(
        LogisticRegression(), cv=3, refit=False, strategies=["none", "weights"]
    ).fit(X, y)
    assert not hasattr(search, "best_estimator_")
    assert search.best_params_["strategy"] in {"none", "weights"}
    with pytest.raises(AttributeError, match=re.escape("fitted with refit=False")):
        search.predict(X)
    with pytest.raises(NotFittedError):
        BalanceSearch(LogisticRegression()).predict(X)


def test_errors():
    X, y = _imbalanced(n=300)
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Got strategies=['ratio', 'smote'], but each must be one of ['none', "
            "'weights', 'prior', 'ratio', 'floor', 'llm'] and at least one given."
        ),
    ):
        BalanceSearch(LogisticRegression(), strategies=["ratio", "smote"]).fit(X, y)
    pipe = Pipeline([("scale", "passthrough"), ("clf", LogisticRegression())])
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Got step='tfidf', but the estimator's steps are ['scale', 'clf']; "
            "name one of them (the samplers go before it)."
        ),
    ):
        BalanceSearch(pipe, step="tfidf").fit(X, y)
    with pytest.raises(
        ValueError,
        match=re.escape(
            "BalanceSearch needs at least 2 classes; y holds 1 class: [0]."
        ),
    ):
        BalanceSearch(LogisticRegression()).fit(X, np.zeros(len(y), dtype=int))
    with pytest.raises(
        ValueError, match=re.escape("None of strategies=['llm'] applies")
    ):
        BalanceSearch(LogisticRegression(), strategies=["llm"]).fit(X, y)


class CountingTfidf(TfidfVectorizer):
    """Counts its fits, in the class (the search clones it)."""

    fits = 0

    def fit_transform(self, raw_documents, y=None):
        CountingTfidf.fits += 1
        return super().fit_transform(raw_documents, y)


def test_a_pipeline_memory_shares_the_vectorizer_between_candidates(tmp_path):
    texts, y = _texts()
    runs = {}
    for memory in (None, str(tmp_path)):
        CountingTfidf.fits = 0
        pipe = make_pipeline(CountingTfidf(), LogisticRegression(), memory=memory)
        search = BalanceSearch(
            pipe, strategies=["none", "weights", "ratio"], cv=3, random_state=0
        ).fit(texts, y)
        runs[memory] = (CountingTfidf.fits, search.best_strategy_)
    (plain, plain_choice), (cached, cached_choice) = runs.values()
    assert cached_choice == plain_choice
    # one vectorizer fit per fold (and the refit), not per candidate: the
    # screening's plain CV and the verified candidates share the folds
    assert cached == 3 + 1 < plain, runs


def test_screening_fits_one_plain_cv_and_the_verified_candidates():
    X, y = _imbalanced()
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    for n_verify in (0, 1, 2):
        CountingLogisticRegression.rows = []
        search = BalanceSearch(
            CountingLogisticRegression(), cv=cv, random_state=0, n_verify=n_verify
        ).fit(X, y)
        # a plain CV, n_verify CVs of fitted candidates, the refit
        assert len(CountingLogisticRegression.rows) == 5 * (1 + n_verify) + 1
        results = search.cv_results_
        assert search.n_iterations_ == 2
        assert search.n_resources_ == [1200, 1200]
        screened = results["strategy"][results["iter"] == 0].tolist()
        assert len(screened) == search.n_candidates_[0] == 11
        final = results["strategy"][results["iter"] == 1].tolist()
        assert final[:2] == ["none", "prior correction"]
        # the verified ones are the best screened candidates that need fits
        needs_fits = [
            (-results["mean_test_score"][i], s)
            for i, s in enumerate(screened)
            if s not in ("none", "prior correction")
        ]
        verified = [s for _, s in sorted(needs_fits)[:n_verify]]
        assert [s for s in final[2:] if "+" not in s] == verified
        assert all(s.removesuffix(" + prior correction") in verified for s in final[2:])
        assert len(final) == search.n_candidates_[1]
        assert results["iter"][search.best_index_] == 1
    # "none" is scored on the plain CV as cross_val_score scores it
    plain = cross_val_score(LogisticRegression(), X, y, cv=cv, scoring="f1_macro")
    none = results["iter"] == 0
    none &= results["strategy"] == "none"
    scores = [results[f"split{k}_test_score"][none][0] for k in range(5)]
    np.testing.assert_allclose(scores, plain)


def test_screening_with_any_scorer_and_the_fast_metrics():
    X, y = make_classification(
        n_samples=600, weights=[0.9], class_sep=0.7, random_state=1
    )
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    # a scorer that is not one of the fast names: scored through _Scored
    for scoring in ("f1", "roc_auc", "f1_macro", "balanced_accuracy"):
        search = BalanceSearch(
            LogisticRegression(), cv=cv, scoring=scoring, random_state=0
        ).fit(X, y)
        results = search.cv_results_
        none = (results["iter"] == 0) & (results["strategy"] == "none")
        plain = cross_val_score(LogisticRegression(), X, y, cv=cv, scoring=scoring)
        scores = [results[f"split{k}_test_score"][none][0] for k in range(3)]
        np.testing.assert_allclose(scores, plain, err_msg=scoring)
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 300)
    predicted = rng.integers(0, 5, (3, 300))  # class 4 predicted, never true
    for name, metric in {
        "f1_macro": lambda a, b: f1_score(a, b, average="macro"),
        "f1_weighted": lambda a, b: f1_score(a, b, average="weighted"),
        "f1_micro": lambda a, b: f1_score(a, b, average="micro"),
        "accuracy": accuracy_score,
        "balanced_accuracy": balanced_accuracy_score,
    }.items():
        fast = _fast_metric(name)(y, predicted, 5)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # balanced accuracy: class 4
            expected = [metric(y, p) for p in predicted]
        np.testing.assert_allclose(fast, expected, err_msg=name)
    assert _fast_metric("roc_auc") is None
    assert _fast_metric(f1_score) is None


def test_a_tuned_prior_correction_is_refitted_once_with_its_tau():
    X, y = _imbalanced()
    search = BalanceSearch(
        LogisticRegression(), strategies=["prior"], cv=3, random_state=0
    ).fit(X, y)
    assert search.best_strategy_ == "prior correction"
    tau = search.best_params_["tau"]
    assert search.best_params_ == {"strategy": "prior", "tau": tau} and tau > 0
    model = search.best_estimator_
    assert isinstance(model, LogitAdjustedClassifier)
    assert model.best_tau_ == tau and model.cv_results_ is None
    assert isinstance(model.estimator_, LogisticRegression)
    # on top of a verified candidate: its own estimator under the correction
    candidate = _Candidate("ratio", 0.5).with_tau(0.4)
    assert candidate.name == "ratio 0.5 + prior correction"
    assert candidate.params == {"strategy": "ratio", "target_ratio": 0.5, "tau": 0.4}
    built = search._build(candidate, 0)
    assert isinstance(built, LogitAdjustedClassifier) and built.tau == 0.4
    assert isinstance(built.estimator.named_steps["balance"], RatioOverSampler)


class PredictOnly(ClassifierMixin, BaseEstimator):
    """A classifier without scores: nothing to screen on."""

    def fit(self, X, y, sample_weight=None):
        self.model_ = LogisticRegression().fit(X, y, sample_weight=sample_weight)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


def test_halving_is_used_when_there_is_nothing_to_screen_on():
    X, y = _imbalanced(n=900)
    search = BalanceSearch(PredictOnly(), cv=3, random_state=0).fit(X, y)
    assert search.n_resources_[0] < search.n_resources_[-1] == 600
    assert "prior correction" not in set(search.cv_results_["strategy"])
    with pytest.raises(
        InvalidParameterError,
        match=re.escape("The 'method' parameter of BalanceSearch must be a str among"),
    ):
        BalanceSearch(LogisticRegression(), method="grid").fit(X, y)


def test_screening_keeps_the_prior_correction_unless_clearly_beaten():
    prior = [0.70, 0.72, 0.74, 0.71, 0.73]
    # better on every fold by 0.01-0.02: a paired t statistic of 6.5
    clearly = [0.72, 0.73, 0.76, 0.72, 0.75]
    # better on average (+0.01) but not on every fold: t = 0.6
    noisy = [0.78, 0.70, 0.72, 0.70, 0.76]
    assert _select_over_reference(np.array([prior, clearly]), 0) == 1
    assert _select_over_reference(np.array([prior, noisy]), 0) == 0
    assert _select_over_reference(np.array([noisy, prior, clearly]), 1) == 2
    # the prior correction the best: kept
    assert _select_over_reference(np.array([clearly, prior]), 0) == 0
    # it is only the rule when the prior correction is a candidate
    X, y = _imbalanced(n=600)
    search = BalanceSearch(
        LogisticRegression(), strategies=["none", "weights"], cv=3, random_state=0
    ).fit(X, y)
    last = search.cv_results_["iter"] == 1
    results = search.cv_results_
    expected = select_one_standard_error(
        results["mean_test_score"][last],
        results["std_test_score"][last],
        3,
        [tuple(c) for c in results["complexity"][last]],
    )
    assert search.best_index_ == np.flatnonzero(last)[expected]


def test_screening_a_class_that_a_training_fold_lacks():
    X, y = _imbalanced(n=600)
    y = y.copy()
    y[0] = 3  # one row: the training folds without it lack the class
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn warns of the rare class
        search = BalanceSearch(LogisticRegression(), cv=KFold(3), random_state=0).fit(
            X, y
        )
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.predict(X[:5]).shape == (5,)
