import numpy as np
import pytest
from imblearn.pipeline import make_pipeline
from sklearn.datasets import make_classification
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.svm import LinearSVC

from skbalance import ClassWeightComputer, WeightedClassifier, load_support_tickets


@pytest.fixture
def data():
    return make_classification(
        n_samples=400,
        n_classes=3,
        n_informative=4,
        weights=[0.8, 0.15, 0.05],
        random_state=0,
    )


def test_same_as_fitting_with_the_computed_sample_weights(data):
    X, y = data
    weighting = ClassWeightComputer(strategy="sqrt", normalize="samples")
    model = WeightedClassifier(LogisticRegression(), weighting=weighting).fit(X, y)
    sw = (
        ClassWeightComputer(strategy="sqrt", normalize="samples")
        .fit(y)
        .sample_weight(y)
    )
    manual = LogisticRegression().fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(model.predict_proba(X), manual.predict_proba(X))
    np.testing.assert_array_equal(model.classes_, manual.classes_)
    assert model.n_features_in_ == 20
    # the weighting is fitted, not the given instance
    assert not hasattr(weighting, "class_weight_")


def test_default_weighting_is_balanced_and_keeps_the_loss_scale(data):
    X, y = data
    model = WeightedClassifier(LogisticRegression()).fit(X, y)
    weights = model.weighting_.sample_weight(y)
    np.testing.assert_allclose(weights.sum(), y.size)
    balanced = LogisticRegression(class_weight="balanced").fit(X, y)
    np.testing.assert_allclose(
        model.predict_proba(X), balanced.predict_proba(X), rtol=1e-5
    )


def test_user_sample_weight_counts_and_multiplies(data):
    X, y = data
    sw = np.where(np.arange(y.size) % 2 == 0, 2.0, 1.0)
    model = WeightedClassifier(LogisticRegression()).fit(X, y, sample_weight=sw)
    expected = ClassWeightComputer(normalize="samples").fit(y, sample_weight=sw)
    assert model.weighting_.class_weight_ == pytest.approx(expected.class_weight_)


def test_grid_search_over_the_weighting_in_a_text_pipeline():
    texts, labels = load_support_tickets(return_X_y=True)
    pipe = make_pipeline(
        TfidfVectorizer(),
        WeightedClassifier(LogisticRegression(), weighting=ClassWeightComputer()),
    )
    grid = GridSearchCV(
        pipe,
        {
            "weightedclassifier__weighting__strategy": ["balanced", "sqrt"],
            "weightedclassifier__weighting__max_weight": [None, 2.0],
        },
        scoring="f1_macro",
        cv=3,
        error_score="raise",
    ).fit(texts, labels)
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))
    assert len(grid.cv_results_["params"]) == 4


def test_methods_follow_the_wrapped_classifier(data):
    X, y = data
    svc = WeightedClassifier(LinearSVC()).fit(X, y)
    assert hasattr(svc, "decision_function")
    assert not hasattr(svc, "predict_proba")
    assert hasattr(WeightedClassifier(LogisticRegression()), "predict_proba")


def test_bad_estimator():
    with pytest.raises(
        ValueError, match=r"The 'estimator' parameter of WeightedClassifier"
    ):
        WeightedClassifier("logreg").fit([[0], [1]], [0, 1])
    with pytest.raises(
        ValueError, match=r"The 'weighting' parameter of WeightedClassifier"
    ):
        WeightedClassifier(LogisticRegression(), weighting="balanced").fit(
            [[0], [1]], [0, 1]
        )


def test_a_pipeline_gets_the_weights_in_its_last_step():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = make_classification(300, weights=[0.9], random_state=0)
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    weighted = WeightedClassifier(pipe).fit(X, y)
    direct = make_pipeline(StandardScaler(), LogisticRegression()).fit(
        X, y, logisticregression__sample_weight=weighted.weighting_.sample_weight(y)
    )
    np.testing.assert_allclose(
        weighted.estimator_[-1].coef_, direct[-1].coef_, rtol=1e-6
    )


@pytest.mark.parametrize(
    "weighting",
    [None, *(ClassWeightComputer(strategy=s) for s in ("balanced", "sqrt"))],
    ids=["None", "balanced", "sqrt"],
)
def test_default_weights_keep_the_mean_sample_weight_at_1(data, weighting):
    # as compare_samplers builds it for a ClassWeightComputer() strategy
    X, y = data
    model = WeightedClassifier(LogisticRegression(), weighting=weighting).fit(X, y)
    assert model.weighting_.normalize == "samples"
    np.testing.assert_allclose(model.weighting_.sample_weight(y).mean(), 1.0)
