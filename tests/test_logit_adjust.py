"""LogitAdjustedClassifier: the prior corrected at prediction time."""

import re

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.multiclass import OneVsRestClassifier
from sklearn.svm import LinearSVC

from skbalance import LogitAdjustedClassifier, RatioOverSampler


def _data(n=6000, weights=(0.9,), seed=0, class_sep=0.6):
    X, y = make_classification(
        n_samples=n,
        n_features=8,
        n_informative=4,
        n_classes=len(weights) + 1,
        n_clusters_per_class=1,
        weights=list(weights),
        class_sep=class_sep,
        random_state=seed,
    )
    return train_test_split(X, y, test_size=0.5, stratify=y, random_state=seed)


def test_a_known_prior_shift_is_recovered():
    """A model trained on 1:1 resampled data, corrected back to the true
    prior (tau=1, the Bayes rule), predicts as the model trained on the
    original data (accuracy within the paired noise of the test set);
    uncorrected, it does clearly worse. Two Gaussian classes with one
    covariance: logistic regression is the right model, so the rule is
    exact up to estimation noise."""
    rng = np.random.RandomState(0)
    n, p_rare = 40_000, 0.1
    y = (rng.random_sample(n) < p_rare).astype(int)
    X = rng.normal(size=(n, 2)) + 1.5 * y[:, None]
    X_fit, X_test, y_fit, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=0
    )
    original = LogisticRegression().fit(X_fit, y_fit)
    X_bal, y_bal = RatioOverSampler(random_state=0).fit_resample(X_fit, y_fit)
    balanced = LogisticRegression().fit(X_bal, y_bal)
    true_prior = np.bincount(y_fit) / y_fit.size
    corrected = LogitAdjustedClassifier(
        balanced, cv="prefit", tau=1.0, prior=[0.5, 0.5], target=true_prior
    ).fit(X_fit[:1000], y_fit[:1000])
    pred = {
        "original": original.predict(X_test),
        "balanced": balanced.predict(X_test),
        "corrected": corrected.predict(X_test),
    }
    acc = {name: accuracy_score(y_test, p) for name, p in pred.items()}
    # the standard error of a difference of accuracies on one test set
    # (McNemar): from the rows the two models disagree on
    disagree = np.sum(pred["corrected"] != pred["original"])
    assert abs(acc["corrected"] - acc["original"]) <= 2 * max(disagree, 1) ** 0.5 / (
        n / 2
    ), (acc, disagree)
    assert acc["balanced"] < acc["original"] - 0.02, acc


def test_tau_auto_is_tuned_out_of_fold_and_lifts_macro_f1():
    # rare classes that overlap the others: where the prior weighs most
    X_train, X_test, y_train, y_test = _data(weights=(0.9, 0.06), class_sep=0.3)
    plain = LogisticRegression().fit(X_train, y_train)
    model = LogitAdjustedClassifier(LogisticRegression(), random_state=0)
    model.fit(X_train, y_train)
    assert model.best_tau_ > 0
    assert model.cv_results_["tau"].tolist() == np.linspace(0, 2, 21).round(2).tolist()
    best = model.cv_results_["score"].max()
    assert model.best_score_ == best
    assert model.cv_results_["score"][0] < best  # tau = 0: no correction
    f1 = {
        "plain": f1_score(y_test, plain.predict(X_test), average="macro"),
        "adjusted": f1_score(y_test, model.predict(X_test), average="macro"),
    }
    assert f1["adjusted"] > f1["plain"] + 0.05, f1  # 0.531 -> 0.618
    np.testing.assert_allclose(model.prior_, np.bincount(y_train) / y_train.size)
    np.testing.assert_allclose(model.target_, [1 / 3] * 3)


def test_tau_zero_is_the_estimator_and_probabilities_sum_to_one():
    X_train, X_test, y_train, _ = _data(weights=(0.8, 0.15))
    inner = LogisticRegression().fit(X_train, y_train)
    model = LogitAdjustedClassifier(LogisticRegression(), tau=0.0).fit(X_train, y_train)
    assert model.cv_results_ is None and model.best_score_ is None
    np.testing.assert_array_equal(model.predict(X_test), inner.predict(X_test))
    np.testing.assert_allclose(model.predict_proba(X_test), inner.predict_proba(X_test))
    adjusted = LogitAdjustedClassifier(LogisticRegression(), tau=1.0).fit(
        X_train, y_train
    )
    proba = adjusted.predict_proba(X_test)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (proba.argmax(axis=1) == np.searchsorted(adjusted.classes_,
            adjusted.predict(X_test))).all()  # fmt: skip


def test_a_classifier_without_probabilities_is_adjusted_on_its_logits():
    X_train, X_test, y_train, y_test = _data(weights=(0.85, 0.12))
    model = LogitAdjustedClassifier(LinearSVC(), cv=3, random_state=0)
    model.fit(X_train, y_train)
    assert model.decision_function(X_test).shape == (len(X_test), 3)
    binary = LogitAdjustedClassifier(LinearSVC(), tau=1.0).fit(X_train, y_train == 2)
    scores = binary.decision_function(X_test)
    assert scores.shape == (len(X_test),)
    np.testing.assert_array_equal(binary.predict(X_test), scores > 0)


def test_in_a_grid_search_over_tau():
    X_train, _, y_train, _ = _data(n=1500, weights=(0.9,))
    grid = GridSearchCV(
        LogitAdjustedClassifier(LogisticRegression()),
        {"tau": [0.0, 0.5, 1.0]},
        scoring="f1_macro",
        cv=3,
    ).fit(X_train, y_train)
    assert grid.best_params_["tau"] in (0.5, 1.0)


def test_errors():
    X_train, _, y_train, _ = _data(n=600)
    with pytest.raises(
        ValueError,
        match=r"^prior must hold a positive share for each of the 2 classes \(in "
        r"the order of classes_\); got 3 values, the smallest 0\.2\.$",
    ):
        LogitAdjustedClassifier(LogisticRegression(), prior=[0.5, 0.3, 0.2]).fit(
            X_train, y_train
        )
    with pytest.raises(NotFittedError):
        LogitAdjustedClassifier(LogisticRegression(), cv="prefit").fit(X_train, y_train)
    fitted = LogisticRegression().fit(X_train, y_train)
    with pytest.raises(
        ValueError,
        match=r"^prior='train': class 1 has no row in y, so the prior has no share "
        r"for it; give prior= as shares\.$",
    ):
        LogitAdjustedClassifier(fitted, cv="prefit").fit(
            X_train[y_train == 0], y_train[y_train == 0]
        )
    with pytest.raises(
        ValueError,
        match=r"^y holds classes the prefit estimator does not know; its classes "
        r"are \[0, 1\]\.$",
    ):
        LogitAdjustedClassifier(fitted, cv="prefit").fit(X_train, y_train + 1)


def _multilabel(n=6000, seed=0):
    """Three labels from logistic models on 6 features; label 2 is rare (about
    4% of rows) and noisy, so a 0.5 threshold rarely predicts it."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 6))
    logits = np.column_stack(
        [X[:, 0] + X[:, 1], 1.5 * X[:, 2] - 0.5, 1.2 * X[:, 3] + X[:, 4] - 4.0]
    )
    Y = (rng.random_sample(logits.shape) < 1 / (1 + np.exp(-logits))).astype(int)
    return train_test_split(X, Y, test_size=0.5, random_state=seed)


def test_multilabel_thresholds_lift_a_rare_label():
    X_train, X_test, Y_train, Y_test = _multilabel()
    model = LogitAdjustedClassifier(
        OneVsRestClassifier(LogisticRegression()), random_state=0
    ).fit(X_train, Y_train)
    plain = OneVsRestClassifier(LogisticRegression()).fit(X_train, Y_train)
    assert model.multilabel_ and model.classes_.tolist() == [0, 1, 2]
    assert model.thresholds_.shape == (3,) and model.best_tau_.shape == (3,)
    assert model.cv_results_["score"].shape == (21, 3)
    np.testing.assert_allclose(model.prior_, Y_train.mean(axis=0))
    # the rare label's threshold falls well below 0.5
    assert model.thresholds_[2] < 0.4, model.thresholds_
    predicted = model.predict(X_test)
    assert predicted.shape == Y_test.shape and set(np.unique(predicted)) <= {0, 1}
    f1_tuned = f1_score(Y_test[:, 2], predicted[:, 2])
    f1_half = f1_score(Y_test[:, 2], plain.predict(X_test)[:, 2])
    assert f1_tuned > f1_half + 0.05, (f1_tuned, f1_half)
    # a label is predicted exactly where its score passes its threshold
    proba = plain.predict_proba(X_test)
    model_proba = model.estimator_.predict_proba(X_test)
    np.testing.assert_allclose(model_proba, proba)
    np.testing.assert_array_equal(
        predicted, (model_proba > model.thresholds_).astype(int)
    )
    np.testing.assert_array_equal(predicted, model.predict_proba(X_test) > 0.5)
    np.testing.assert_array_equal(predicted, model.decision_function(X_test) > 0)
    macro = f1_score(Y_test, predicted, average="macro")
    assert macro > f1_score(Y_test, plain.predict(X_test), average="macro")


def test_multilabel_prefit_fixed_tau_and_decision_function():
    X_train, X_test, Y_train, Y_test = _multilabel(n=3000)
    svc = OneVsRestClassifier(LinearSVC()).fit(X_train, Y_train)
    model = LogitAdjustedClassifier(svc, cv="prefit").fit(X_test, Y_test)
    assert model.estimator_ is svc
    # no probabilities: thresholds are decision values
    np.testing.assert_array_equal(
        model.predict(X_test),
        (svc.decision_function(X_test) > model.thresholds_).astype(int),
    )
    fixed = LogitAdjustedClassifier(
        OneVsRestClassifier(LogisticRegression()), tau=1.0
    ).fit(X_train, Y_train)
    assert fixed.best_score_ is None and fixed.cv_results_ is None
    # tau = 1 with a uniform target: each label's threshold is its prior rate
    np.testing.assert_allclose(fixed.thresholds_, Y_train.mean(axis=0))


@pytest.mark.filterwarnings("ignore::UserWarning")  # OvR on a constant label
def test_multilabel_errors():
    X_train, _, Y_train, _ = _multilabel(n=600)
    Y_const = Y_train.copy()
    Y_const[:, 1] = 0
    with pytest.raises(
        ValueError,
        match=re.escape(
            "prior='train': label 1 is never set in y, so its prior rate has no "
            "log-odds; give prior= as rates."
        ),
    ):
        LogitAdjustedClassifier(OneVsRestClassifier(LogisticRegression()), tau=1.0).fit(
            X_train, Y_const
        )
    with pytest.raises(
        ValueError,
        match=re.escape(
            "target must hold a rate in (0, 1) for each of the 3 labels of a "
            "multi-label y; got 2 values."
        ),
    ):
        LogitAdjustedClassifier(
            OneVsRestClassifier(LogisticRegression()), tau=1.0, target=[0.5, 0.5]
        ).fit(X_train, Y_train)
