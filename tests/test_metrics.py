import json

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report, f1_score
from sklearn.model_selection import GridSearchCV

from skbalance import (
    macro_weighted_f1_gap,
    macro_weighted_f1_gap_scorer,
    per_class_report,
)

Y_TRUE = ["billing"] * 8 + ["other"] * 2
Y_PRED = ["billing"] * 8 + ["billing", "other"]


def test_per_class_values_by_hand():
    report = per_class_report(Y_TRUE, Y_PRED)
    assert report.labels == ["billing", "other"]
    # billing: 8 of 9 predicted are right, all 8 found; other: 1 of 1, 1 of 2
    np.testing.assert_allclose(report.precision, [8 / 9, 1.0])
    np.testing.assert_allclose(report.recall, [1.0, 0.5])
    np.testing.assert_allclose(report.f1, [16 / 17, 2 / 3])
    assert report.support.tolist() == [8, 2]
    assert report.macro_f1 == pytest.approx((16 / 17 + 2 / 3) / 2)
    assert report.weighted_f1 == pytest.approx((8 * 16 / 17 + 2 * 2 / 3) / 10)
    assert report.gap == pytest.approx(report.weighted_f1 - report.macro_f1)
    assert report.macro_f1 == pytest.approx(f1_score(Y_TRUE, Y_PRED, average="macro"))


def test_matches_scikit_learn_classification_report():
    rng = np.random.RandomState(0)
    y_true = rng.choice(["a", "b", "c"], 200, p=[0.7, 0.2, 0.1])
    y_pred = np.where(rng.rand(200) < 0.7, y_true, rng.choice(["a", "b", "c"], 200))
    ours = per_class_report(y_true, y_pred).to_dict()
    theirs = classification_report(y_true, y_pred, output_dict=True)
    for label in "abc":
        assert ours["per_class"][label]["f1"] == pytest.approx(
            theirs[label]["f1-score"]
        )
    assert ours["macro_f1"] == pytest.approx(theirs["macro avg"]["f1-score"])
    assert ours["weighted_f1"] == pytest.approx(theirs["weighted avg"]["f1-score"])


def test_text_and_dict():
    report = per_class_report(Y_TRUE, Y_PRED)
    assert str(report) == (
        "class    precision  recall      f1  support\n"
        "billing      0.889   1.000   0.941        8\n"
        "other        1.000   0.500   0.667        2\n"
        "macro F1 0.804, weighted F1 0.886, gap 0.082"
    )
    data = json.loads(json.dumps(report.to_dict()))
    assert data["per_class"]["other"] == {
        "precision": 1.0,
        "recall": 0.5,
        "f1": pytest.approx(2 / 3),
        "support": 2,
    }


def test_labels_order_and_unpredicted_class():
    report = per_class_report(["a", "b", "c"], ["a", "a", "a"], labels=["c", "b", "a"])
    assert report.labels == ["c", "b", "a"]
    assert report.f1.tolist() == [0.0, 0.0, 0.5]


def test_per_group_report():
    locale = ["en-US"] * 7 + ["en-GB"] + ["en-US", "en-GB"]
    report = per_class_report(Y_TRUE, Y_PRED, groups=locale)
    assert list(report.groups) == ["en-GB", "en-US"]
    gb = report.groups["en-GB"]
    assert gb.support.tolist() == [1, 1]
    assert gb.recall.tolist() == [1.0, 1.0]
    us = report.groups["en-US"]
    assert us.recall.tolist() == [1.0, 0.0]  # the US "other" ticket was missed
    assert "group en-US:" in str(report)
    assert report.to_dict()["groups"]["en-GB"]["macro_f1"] == 1.0


def test_per_group_scores_are_over_the_classes_present_in_the_group():
    rng = np.random.RandomState(0)
    domain = np.array(["doc"] * 60 + ["libs"] * 140)
    y_true = np.where(domain == "doc", rng.choice(list("abc"), 200),
                      rng.choice(list("cdefghij"), 200))  # fmt: skip
    y_pred = np.where(rng.rand(200) < 0.6, y_true, rng.choice(list("abcdk"), 200))
    report = per_class_report(y_true, y_pred, groups=domain)
    assert report.labels == list("abcdefghijk")  # all rows: every class, as before
    for name, group in report.groups.items():
        rows = domain == name
        assert group.labels == sorted(set(y_true[rows]) | set(y_pred[rows]))
        assert group.macro_f1 == pytest.approx(
            f1_score(y_true[rows], y_pred[rows], average="macro", zero_division=0)
        )
        assert group.weighted_f1 == pytest.approx(
            f1_score(y_true[rows], y_pred[rows], average="weighted", zero_division=0)
        )
    doc = report.groups["doc"]
    assert doc.labels == list("abcdk")  # k: predicted only, a false positive
    assert doc.support.tolist() == [
        int(np.sum(y_true[domain == "doc"] == c)) for c in "abcdk"
    ]
    header = "group doc (5 of 11 classes present; macro F1 over them):\n"
    section = str(report).split(header)[1].split("\ngroup ")[0].splitlines()
    assert [line.split()[0] for line in section[1:-1]] == list("abcdk")  # no e..j
    assert list(report.to_dict()["groups"]["doc"]["per_class"]) == list("abcdk")
    # with labels, every group is over them (as f1_score with labels=)
    given = per_class_report(y_true, y_pred, labels=list("abc"), groups=domain)
    assert given.groups["libs"].labels == list("abc")
    assert "group libs:" in str(given)


def test_gap_function_and_scorer():
    assert macro_weighted_f1_gap(Y_TRUE, Y_PRED) == pytest.approx(
        per_class_report(Y_TRUE, Y_PRED).gap
    )
    assert macro_weighted_f1_gap(Y_TRUE, Y_TRUE) == 0.0
    rng = np.random.RandomState(0)
    X = rng.rand(200, 3)
    y = (X[:, 0] + 0.3 * rng.rand(200) > 1.1).astype(int)
    grid = GridSearchCV(
        LogisticRegression(),
        {"class_weight": [None, "balanced"]},
        scoring=macro_weighted_f1_gap_scorer,
        cv=3,
    ).fit(X, y)
    scores = grid.cv_results_["mean_test_score"]
    assert np.all(scores <= 0)  # negated: greater is better


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"y_true": ["a", "b"], "y_pred": ["a"]}, r"X has 2 rows but y_pred has 1"),
        ({"y_true": ["a", None], "y_pred": ["a", "b"]}, r"y_true has missing values"),
        (
            {"y_true": ["a", "b"], "y_pred": ["a", "b"], "groups": ["x"]},
            r"^y_true has 2 rows but groups has 1; they must have the same length\.$",
        ),
    ],
)
def test_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        per_class_report(**kwargs)
