"""The rules every sampler of the family shares: randomness, sample weights,
no-op targets, and the DomainFloorSampler conventions users trip on."""

import re

import numpy as np
import pytest
from imblearn.pipeline import make_pipeline
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from skbalance import (
    DomainFloorSampler,
    LLMAugmentSampler,
    RatioOverSampler,
    StratifiedTripleSplit,
    train_val_test_split,
)

pd = pytest.importorskip("pandas", reason="pandas is in the test extra")

TEXTS = [f"invoice {i} is wrong by {i * 7} euros" for i in range(20)]
TEXTS += [f"the app crashes on screen {i}" for i in range(7)]
TEXTS += [f"delete account number {i}" for i in range(3)]
LABELS = np.array(["billing"] * 20 + ["technical"] * 7 + ["account"] * 3)

SAMPLERS = [
    RatioOverSampler(target_ratio=0.6, shuffle=True),
    DomainFloorSampler(min_share=0.2, shuffle=True),
    LLMAugmentSampler(target_ratio=0.6, generator="offline", cache=None, shuffle=True),
]


def _resample(sampler, random_state):
    sampler = clone(sampler).set_params(random_state=random_state)
    X_res, y_res = sampler.fit_resample(TEXTS, LABELS)
    return list(X_res), sampler.sample_indices_


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: type(s).__name__)
def test_int_and_random_state_instance_give_the_same_output(sampler):
    for seed in (0, 7):
        X_int, idx_int = _resample(sampler, seed)
        X_rs, idx_rs = _resample(sampler, np.random.RandomState(seed))
        assert X_int == X_rs
        np.testing.assert_array_equal(idx_int, idx_rs)


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: type(s).__name__)
def test_none_is_fresh_randomness(sampler):
    # a shuffled output of 45+ rows: two fits agree by chance with p ~ 1e-50
    outputs = {tuple(_resample(sampler, None)[1].tolist()) for _ in range(3)}
    assert len(outputs) == 3


def test_splitters_follow_the_same_rule():
    y = np.repeat([0, 1, 2], [30, 12, 6])
    X = np.zeros((y.size, 1))

    def parts(random_state):
        split = StratifiedTripleSplit(random_state=random_state).split(X, y)
        return [p.tolist() for p in next(split)]

    assert parts(0) == parts(np.random.RandomState(0))
    assert parts(None) != parts(None)
    a = train_val_test_split(np.arange(48), stratify=y, random_state=3)
    b = train_val_test_split(
        np.arange(48), stratify=y, random_state=np.random.RandomState(3)
    )
    assert all(np.array_equal(p, q) for p, q in zip(a, b, strict=True))


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: type(s).__name__)
def test_sample_weight_follows_the_rows(sampler):
    w = np.arange(LABELS.size, dtype=float) + 1
    sampler = clone(sampler).set_params(random_state=0)
    X_res, y_res, w_res = sampler.fit_resample(TEXTS, LABELS, sample_weight=w)
    np.testing.assert_array_equal(w_res, w[sampler.sample_indices_])
    assert len(w_res) == len(X_res) == len(y_res)
    with pytest.raises(ValueError, match=r"sample_weight.shape == \(7,\), expected"):
        clone(sampler).fit_resample(TEXTS, LABELS, sample_weight=w[:7])


@pytest.mark.parametrize("none", [0, 0.0, None])
def test_zero_or_none_target_is_a_no_op_in_a_grid(none):
    X, y = np.arange(60.0).reshape(30, 2), LABELS
    assert RatioOverSampler(target_ratio=none).fit(X, y).counts_after_ == {
        "account": 3,
        "billing": 20,
        "technical": 7,
    }
    assert DomainFloorSampler(min_share=none).fit(X, y).sampling_strategy_ == {}
    grid = GridSearchCV(
        make_pipeline(RatioOverSampler(random_state=0), LogisticRegression(C=0.01)),
        {"ratiooversampler__target_ratio": [none, 0.5, 1.0]},
        cv=3,
        error_score="raise",
    ).fit(X, y)
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()


def test_relative_floor_sets_floors_with_many_classes():
    y = np.repeat(np.arange(26), [500] + [5] * 25)
    X = np.zeros((y.size, 1))
    sampler = DomainFloorSampler(min_share=0.5, relative=True).fit(X, y)
    total = sum(sampler.counts_after_.values())
    assert min(sampler.counts_after_.values()) / total >= 0.5 / 26


def test_domain_groups_requires_groups_with_the_pipeline_fix():
    X, y = np.zeros((30, 1)), LABELS
    groups = np.r_[["us"] * 27, ["eu"] * 3]
    sampler = DomainFloorSampler(min_share=0.2, domain="groups", random_state=0)
    assert sampler.fit(X, y, groups=groups).counts_after_["eu"] > 3
    message = (
        "DomainFloorSampler(domain='groups') got no groups. Pass "
        "fit_resample(X, y, groups=...); in an imbalanced-learn Pipeline, enable "
        "metadata routing (sklearn.set_config(enable_metadata_routing=True)) and "
        "request it with sampler.set_fit_resample_request(groups=True), or put the "
        "domain in X and set domain to its column."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        sampler.fit_resample(X, y)
    # imbalanced-learn's Pipeline drops step parameters of a sampler without
    # metadata routing: with domain="groups" that is an error, not class floors
    pipe = make_pipeline(clone(sampler), LogisticRegression())
    with pytest.raises(ValueError, match=re.escape("got no groups")):
        pipe.fit(X, y, domainfloorsampler__groups=groups)


@pytest.mark.parametrize("kind", ["dataframe", "records", "array"])
def test_drop_domain_removes_the_column_from_the_output(kind):
    locales = ["us"] * 27 + ["eu"] * 3
    if kind == "dataframe":
        X, key = pd.DataFrame({"n": np.arange(30.0), "locale": locales}), "locale"
    elif kind == "records":
        X, key = [{"n": i, "locale": loc} for i, loc in enumerate(locales)], "locale"
    else:
        X, key = np.c_[np.arange(30.0), np.r_[[0.0] * 27, [1.0] * 3]], 1
    sampler = DomainFloorSampler(
        min_share=0.2, domain=key, drop_domain=True, random_state=0
    )
    X_res, _ = sampler.fit_resample(X, LABELS)
    if kind == "dataframe":
        assert list(X_res.columns) == ["n"]
    elif kind == "records":
        assert all(set(r) == {"n"} for r in X_res)
        assert all("locale" in r for r in X)  # the input records are unchanged
    else:
        assert X_res.shape[1] == 1
    expected = {0.0: 27, 1.0: 7} if kind == "array" else {"eu": 7, "us": 27}
    assert sampler.counts_after_ == expected


def test_drop_domain_needs_a_domain_column():
    with pytest.raises(
        ValueError, match=r"^drop_domain=True needs domain set to a column of X"
    ):
        DomainFloorSampler(drop_domain=True).fit_resample(np.zeros((30, 1)), LABELS)
