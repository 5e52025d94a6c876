from collections import Counter

import numpy as np
import pytest
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import make_pipeline
from sklearn.datasets import make_classification
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from skbalance import RatioOverSampler
from tests.conftest import SEED_COUNTS


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [
        (1.0, {"account": 500, "billing": 500, "other": 500, "technical": 500}),
        (0.5, {"account": 250, "billing": 500, "other": 250, "technical": 300}),
        (0.2, {"account": 150, "billing": 500, "other": 100, "technical": 300}),
        (0.1, {"account": 150, "billing": 500, "other": 50, "technical": 300}),
    ],
)
def test_seed_example_exact_counts(tickets, ratio, expected):
    X = np.arange(tickets.size).reshape(-1, 1)
    sampler = RatioOverSampler(target_ratio=ratio, random_state=0)
    X_res, y_res = sampler.fit_resample(X, tickets)
    assert dict(Counter(y_res.tolist())) == expected
    assert sampler.counts_before_ == dict(sorted(SEED_COUNTS.items()))
    assert sampler.counts_after_ == dict(sorted(expected.items()))
    assert sampler.sampling_strategy_ == {
        k: v - SEED_COUNTS[k] for k, v in sorted(expected.items()) if v > SEED_COUNTS[k]
    }
    np.testing.assert_array_equal(X_res[: tickets.size], X)
    # every copy comes from its own class
    np.testing.assert_array_equal(y_res, tickets[sampler.sample_indices_])


def test_target_met_is_a_no_op_without_warning(tickets, recwarn):
    X = np.arange(tickets.size).reshape(-1, 1)
    X_res, y_res = RatioOverSampler(target_ratio=0.05).fit_resample(X, tickets)
    np.testing.assert_array_equal(X_res, X)
    np.testing.assert_array_equal(y_res, tickets)
    assert len(recwarn) == 0


def test_multiclass_ratio_where_imblearn_float_refuses(tickets):
    X = np.arange(tickets.size).reshape(-1, 1)
    with pytest.raises(ValueError, match="binary"):
        RandomOverSampler(sampling_strategy=0.5).fit_resample(X, tickets)
    _, y_res = RatioOverSampler(target_ratio=0.5).fit_resample(X, tickets)
    assert min(Counter(y_res.tolist()).values()) == 250


def test_same_targets_as_random_over_sampler_dict(tickets):
    X = np.arange(tickets.size).reshape(-1, 1)
    ours = RatioOverSampler(target_ratio=0.7, random_state=0)
    _, y_ours = ours.fit_resample(X, tickets)
    _, y_theirs = RandomOverSampler(
        sampling_strategy=ours.counts_after_, random_state=0
    ).fit_resample(X, tickets)
    assert Counter(y_ours.tolist()) == Counter(y_theirs.tolist())


def test_deterministic_for_a_fixed_random_state(tickets):
    X = np.arange(tickets.size).reshape(-1, 1)
    a = RatioOverSampler(target_ratio=0.9, shuffle=True, random_state=42)
    b = RatioOverSampler(target_ratio=0.9, shuffle=True, random_state=42)
    c = RatioOverSampler(target_ratio=0.9, shuffle=True, random_state=43)
    np.testing.assert_array_equal(
        a.fit_resample(X, tickets)[0], b.fit_resample(X, tickets)[0]
    )
    assert not np.array_equal(a.sample_indices_, c.fit(X, tickets).sample_indices_)


def test_grid_search_over_target_ratio_has_no_failed_candidate():
    X, y = make_classification(
        n_samples=300,
        n_classes=3,
        n_informative=4,
        weights=[0.8, 0.15, 0.05],
        random_state=0,
    )
    pipe = make_pipeline(RatioOverSampler(random_state=0), LogisticRegression())
    grid = GridSearchCV(
        pipe,
        {"ratiooversampler__target_ratio": [0.01, 0.1, 0.3, 0.5, 1.0]},
        scoring="f1_macro",
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
        error_score="raise",
    )
    grid.fit(X, y)
    scores = grid.cv_results_["mean_test_score"]
    assert np.all(np.isfinite(scores))
    # 0.01 is below every class's share: a no-op candidate, not a failure
    assert grid.cv_results_["param_ratiooversampler__target_ratio"][0] == 0.01


def test_before_a_text_vectorizer_on_a_plain_list_of_strings():
    texts = ["refund my invoice"] * 8 + ["app crashes on login"] * 2
    y = ["billing"] * 8 + ["technical"] * 2
    pipe = make_pipeline(
        RatioOverSampler(random_state=0), TfidfVectorizer(), LogisticRegression()
    )
    pipe.fit(texts, y)
    assert pipe.predict(["my app crashes"]).tolist() == ["technical"]
