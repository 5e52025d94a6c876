import json
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.estimator_checks import (
    check_estimator_cloneable,
    check_estimator_repr,
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

from skbalance import ClassWeightComputer

SEED = ["billing"] * 500 + ["technical"] * 300 + ["account"] * 150 + ["other"] * 50

# Seed example, classes sorted: account 150, billing 500, other 50, technical 300.
# balanced = 1000 / (4 * n_c); "samples" leaves it unchanged (sum n_c w_c = 1000).
EXPECTED = {
    ("balanced", None): [5 / 3, 0.5, 5.0, 5 / 6],
    ("balanced", "classes"): [5 / 6, 0.25, 2.5, 5 / 12],
    ("balanced", "samples"): [5 / 3, 0.5, 5.0, 5 / 6],
    ("sqrt", None): [0.081650, 0.044721, 0.141421, 0.057735],
    ("sqrt", "classes"): [1.003291, 0.549525, 1.737751, 0.709434],
    ("sqrt", "samples"): [1.383899, 0.757993, 2.396984, 0.978565],
    ("effective_number", None): [0.007176, 0.002541, 0.020494, 0.003857],
    ("effective_number", "classes"): [0.842552, 0.298295, 2.406325, 0.452828],
    ("effective_number", "samples"): [1.584652, 0.561026, 4.525764, 0.851669],
}


@pytest.mark.parametrize(("strategy", "normalize"), list(EXPECTED))
def test_seed_example_exact_values(strategy, normalize):
    cw = ClassWeightComputer(strategy=strategy, normalize=normalize).fit(SEED)
    assert list(cw.class_weight_) == ["account", "billing", "other", "technical"]
    np.testing.assert_allclose(
        list(cw.class_weight_.values()), EXPECTED[strategy, normalize], atol=1e-6
    )
    assert cw.counts_.tolist() == [150, 500, 50, 300]


def test_balanced_raw_equals_scikit_learn():
    y = np.array([0] * 7 + [1] * 2 + [2] * 1)
    ours = ClassWeightComputer(normalize=None).fit(y).class_weight_
    theirs = compute_class_weight("balanced", classes=np.array([0, 1, 2]), y=y)
    np.testing.assert_allclose(list(ours.values()), theirs)


def test_max_weight_clips_after_normalizing():
    cw = ClassWeightComputer(normalize="classes", max_weight=1.0).fit(SEED)
    assert cw.class_weight_ == pytest.approx(
        {"account": 5 / 6, "billing": 0.25, "other": 1.0, "technical": 5 / 12}
    )


def test_beta_zero_gives_equal_weights():
    cw = ClassWeightComputer(strategy="effective_number", beta=0.0).fit(SEED)
    assert set(cw.class_weight_.values()) == {1.0}


def test_usable_as_class_weight_of_a_classifier():
    rng = np.random.RandomState(0)
    X = rng.rand(1000, 3)
    cw = ClassWeightComputer().fit(SEED)
    clf = LogisticRegression(class_weight=cw.class_weight_).fit(X, SEED)
    assert set(clf.classes_) == set(cw.class_weight_)


def test_sample_weight_maps_labels():
    cw = ClassWeightComputer(normalize=None).fit(SEED)
    sw = cw.sample_weight(["other", "billing", "other"])
    np.testing.assert_allclose(sw, [5.0, 0.5, 5.0])
    np.testing.assert_allclose(cw.sample_weight(SEED).sum(), 1000)
    with pytest.raises(ValueError, match=r"y has labels not seen at fit: \['spam'\]"):
        cw.sample_weight(["billing", "spam"])


def test_sample_weight_before_fit():
    with pytest.raises(NotFittedError):
        ClassWeightComputer().sample_weight([1, 2])


@pytest.mark.parametrize(
    "labels",
    [
        ["b", "a", "a", "c"],
        [3, 1, 1, 2],
        [True, False, False, False],
        [1.0, 3.0, 3.0, 2.0],
    ],
    ids=["str", "int", "bool", "float"],
)
def test_json_round_trip_keeps_label_types(labels):
    cw = ClassWeightComputer(strategy="sqrt", max_weight=3.0).fit(labels)
    text = cw.to_json()
    data = json.loads(text)
    assert set(data) >= {"class_weights", "strategy", "normalize", "label_type"}
    back = ClassWeightComputer.from_json(text)
    assert back.class_weight_ == cw.class_weight_
    assert [type(k) for k in back.class_weight_] == [type(k) for k in cw.class_weight_]
    np.testing.assert_array_equal(back.classes_, cw.classes_)
    np.testing.assert_array_equal(back.counts_, cw.counts_)
    assert back.get_params() == cw.get_params()
    assert back.to_json() == text
    np.testing.assert_allclose(back.sample_weight(labels), cw.sample_weight(labels))


def test_json_for_a_training_job():
    data = json.loads(ClassWeightComputer(normalize=None).fit(SEED).to_json())
    assert data["class_weights"]["billing"] == 0.5
    assert data["strategy"] == "balanced" and data["normalize"] is None
    assert data["counts"] == {
        "account": 150,
        "billing": 500,
        "other": 50,
        "technical": 300,
    }


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("{}", r"Not a ClassWeightComputer JSON: missing \['class_weights'"),
        (
            '{"class_weights": {}, "label_type": "complex", "strategy": "sqrt", '
            '"normalize": null}',
            r"Unknown label_type 'complex'",
        ),
    ],
)
def test_from_json_errors(text, match):
    with pytest.raises(ValueError, match=match):
        ClassWeightComputer.from_json(text)


def test_multilabel_positive_weights():
    Y = np.array([[1, 0, 1], [1, 0, 0], [1, 1, 0], [0, 0, 0]])
    cw = ClassWeightComputer().fit(Y)
    assert cw.multilabel_
    # negatives / positives per label: 1/3, 3/1, 3/1
    assert cw.class_weight_ == pytest.approx({0: 1 / 3, 1: 3.0, 2: 3.0})
    sqrt = ClassWeightComputer(strategy="sqrt").fit(sparse.csr_matrix(Y))
    assert sqrt.class_weight_ == pytest.approx({0: 3**-0.5, 1: 3**0.5, 2: 3**0.5})
    eff = ClassWeightComputer(strategy="effective_number", beta=0.5).fit(Y)
    # E(n) = (1 - 0.5^n) / 0.5; pos_weight = E(neg) / E(pos)
    e = {1: 1.0, 3: 1.75}
    assert eff.class_weight_ == pytest.approx(
        {0: e[1] / e[3], 1: e[3] / e[1], 2: e[3] / e[1]}
    )
    with pytest.raises(ValueError, match="not defined for multi-label"):
        cw.sample_weight(Y)
    back = ClassWeightComputer.from_json(cw.to_json())
    assert back.class_weight_ == cw.class_weight_ and back.multilabel_


def test_multilabel_from_label_lists_and_empty_label():
    cw = ClassWeightComputer().fit([["bug", "ui"], ["bug"], ["docs"], ["bug"]])
    assert cw.class_weight_ == pytest.approx({"bug": 1 / 3, "docs": 3.0, "ui": 3.0})
    with pytest.warns(UserWarning, match=r"Labels \[1\] have no positive example"):
        w = ClassWeightComputer().fit(np.array([[1, 0], [0, 0], [1, 0]])).class_weight_
    assert w[1] == 1.0


@pytest.mark.parametrize(
    ("y", "match"),
    [
        ([], r"y is empty"),
        (None, r"requires y to be passed"),
        (["a", None], r"y has missing values \(NaN or None\) at row 1"),
        ([0.5, 1.5, 0.25], r"Unknown label type: continuous"),
    ],
)
def test_bad_labels(y, match):
    with pytest.raises(ValueError, match=match):
        ClassWeightComputer().fit(y)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"strategy": "inverse"}, r"The 'strategy' parameter of ClassWeightComputer"),
        ({"beta": 1.0}, r"The 'beta' parameter of ClassWeightComputer must be a float"),
        ({"normalize": "sum"}, r"The 'normalize' parameter"),
        (
            {"normalize": "mean"},  # the name before 0.1.0: which mean was unclear
            # scikit-learn prints the options as a set, in hash order
            r"^The 'normalize' parameter of ClassWeightComputer must be a str among "
            r"\{'(classes|samples)', '(classes|samples)'\} or None. Got 'mean' "
            r"instead.$",
        ),
        ({"max_weight": 0}, r"The 'max_weight' parameter"),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        ClassWeightComputer(**params).fit([0, 1])


# --- the shared checks that apply to an estimator fitted on y alone ----------

API_CHECKS = [
    check_estimator_cloneable,
    check_estimator_repr,
    check_no_attributes_set_in_init,
    check_get_params_invariance,
    check_set_params,
    check_parameters_default_constructible,
]


@pytest.mark.parametrize("check", API_CHECKS, ids=lambda c: c.__name__)
def test_sklearn_api_checks(check):
    check("ClassWeightComputer", ClassWeightComputer())


def test_y_only_equivalents_of_the_fit_checks():
    est = ClassWeightComputer(strategy="sqrt", max_weight=2.0)
    params = est.get_params()
    assert est.fit(SEED) is est  # fit returns self
    assert est.get_params() == params  # fit does not change parameters
    first = dict(est.class_weight_)
    assert est.fit(SEED).class_weight_ == first  # idempotent
    assert clone(est).fit(SEED).class_weight_ == first
    assert pickle.loads(pickle.dumps(est)).class_weight_ == first
    assert all(name.endswith("_") for name in vars(est) if name not in params)


# --- invariants ---------------------------------------------------------------

counts_st = st.lists(st.integers(1, 500), min_size=2, max_size=8)


@settings(max_examples=100, deadline=None)
@given(
    counts=counts_st, strategy=st.sampled_from(["balanced", "sqrt", "effective_number"])
)
def test_samples_normalisation_sums_to_n_and_weights_fall_with_counts(counts, strategy):
    y = np.repeat(np.arange(len(counts)), counts)
    cw = ClassWeightComputer(strategy=strategy).fit(y)  # normalize="samples"
    np.testing.assert_allclose(cw.sample_weight(y).mean(), 1.0)
    np.testing.assert_allclose(cw.sample_weight(y).sum(), y.size)
    per_class = ClassWeightComputer(strategy=strategy, normalize="classes").fit(y)
    np.testing.assert_allclose(np.mean(list(per_class.class_weight_.values())), 1.0)
    weights = np.array(list(cw.class_weight_.values()))
    order = np.argsort(counts, kind="stable")
    sorted_counts = np.asarray(counts)[order]
    sorted_weights = weights[order]
    for i in range(len(counts) - 1):
        if sorted_counts[i] < sorted_counts[i + 1]:
            assert sorted_weights[i] > sorted_weights[i + 1]
        else:
            assert sorted_weights[i] == pytest.approx(sorted_weights[i + 1])


@settings(max_examples=100, deadline=None)
@given(
    labels=st.one_of(
        st.lists(st.text(min_size=1, max_size=5), min_size=1, max_size=30),
        st.lists(st.integers(-5, 5), min_size=1, max_size=30),
        st.lists(st.booleans(), min_size=1, max_size=30),
    ),
    normalize=st.sampled_from(["classes", "samples", None]),
)
def test_json_round_trip_is_identity(labels, normalize):
    cw = ClassWeightComputer(normalize=normalize).fit(labels)
    back = ClassWeightComputer.from_json(cw.to_json())
    assert back.class_weight_ == cw.class_weight_
    assert back.to_json() == cw.to_json()


def test_fit_counts_is_fit_on_the_counted_labels():
    y = ["b"] * 7 + ["a"] * 90 + ["c"] * 3
    for params in ({}, {"strategy": "effective_number", "normalize": "samples"}):
        want = ClassWeightComputer(**params).fit(y)
        got = ClassWeightComputer(**params).fit_counts(["c", "a", "b"], [3, 90, 7])
        assert got.to_json() == want.to_json()
        assert got.counts_.dtype == np.int64


@pytest.mark.parametrize(
    "classes, counts, message",
    [
        (
            [],
            [],
            r"classes and counts must be 1-D, non-empty and of the same length; "
            r"got shapes \(0,\) and \(0,\)\.",
        ),
        (["a", "b"], [1], r"got shapes \(2,\) and \(1,\)\."),
        (["a", "b"], [1, 0], r"counts must be positive numbers; got \[1, 0\]\."),
        (
            ["a", "b"],
            ["1", "2"],
            r"counts must be positive numbers; got \['1', '2'\]\.",
        ),
        (["a", "a"], [1, 2], r"classes must be distinct; got \['a', 'a'\]\."),
    ],
)
def test_fit_counts_errors(classes, counts, message):
    with pytest.raises(ValueError, match=message):
        ClassWeightComputer().fit_counts(classes, counts)


# --- fit(y) and fit(X, y) -----------------------------------------------------

FEATURES_01 = np.tile([[1, 0, 1], [0, 1, 1]], (500, 1))  # 0/1 features, 1000 rows


@pytest.mark.parametrize(
    "call",
    [
        lambda cw: cw.fit(SEED),
        lambda cw: cw.fit(y=SEED),
        lambda cw: cw.fit(FEATURES_01, SEED),  # once per-feature pos_weights
        lambda cw: cw.fit(X=FEATURES_01, y=SEED),
        lambda cw: cw.fit(np.array(SEED, dtype=object), SEED),  # texts as X
        lambda cw: cw.fit(sparse.csr_matrix(FEATURES_01), SEED),
    ],
    ids=["y", "y=", "X01-y", "X=-y=", "texts-y", "sparse-y"],
)
def test_fit_y_and_fit_X_y_give_the_weights_of_y(call):
    expected = ClassWeightComputer(strategy="sqrt").fit(SEED)
    cw = call(ClassWeightComputer(strategy="sqrt"))
    assert not cw.multilabel_
    assert cw.class_weight_ == expected.class_weight_


def test_fit_X_y_sample_weight_positional():
    sw = np.arange(1000) % 3 + 1.0
    expected = ClassWeightComputer().fit(SEED, sample_weight=sw).class_weight_
    assert ClassWeightComputer().fit(FEATURES_01, SEED, sw).class_weight_ == expected


def test_fit_X_and_multilabel_y():
    Y = np.array([[1, 0, 1], [1, 0, 0], [1, 1, 0], [0, 0, 0]])
    expected = ClassWeightComputer().fit(Y).class_weight_
    assert ClassWeightComputer().fit(np.ones((4, 2)), Y).class_weight_ == expected
    with pytest.raises(
        ValueError, match=r"^X has 3 rows but y has 4; they must have the same length.$"
    ):
        ClassWeightComputer().fit(np.ones((3, 2)), Y)


@pytest.mark.parametrize(
    "X", [np.array([1.0, 2.0, 1.0, 1.0]), [1, 2, 1, 1]], ids=["array", "list"]
)
def test_fit_with_a_vector_of_numbers_as_X_is_an_error(X):
    # the call that once meant fit(y, sample_weight): never read as labels
    with pytest.raises(
        ValueError,
        match=r"^fit\(X, y\) got X as a 1-D array of numbers. Pass the labels as "
        r"fit\(y\) and their weights as fit\(y, sample_weight=w\); X, when given, "
        r"holds the rows of y \(2-D data, texts or records\) and is not used.$",
    ):
        ClassWeightComputer().fit(X, ["a", "b", "a", "a"])


def test_fit_X_y_of_different_lengths():
    with pytest.raises(
        ValueError, match=r"^X has 3 rows but y has 4; they must have the same length.$"
    ):
        ClassWeightComputer().fit(np.ones((3, 2)), ["a", "b", "a", "a"])


@pytest.mark.parametrize(
    "call", [lambda cw: cw.fit(), lambda cw: cw.fit(None, None)], ids=["()", "None"]
)
def test_fit_without_labels(call):
    with pytest.raises(
        ValueError,
        match=r"^This estimator requires y to be passed, but the target y is None.$",
    ):
        call(ClassWeightComputer())
