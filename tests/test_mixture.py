"""MixtureSampler: exact counts in every container, strata, pipelines, report."""

import json
import re
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import make_pipeline
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from skbalance import MixtureReport, MixtureSampler
from skbalance._plan import plan_kept
from skbalance._targets import InfeasibleCapWarning

# 60 / 30 / 10 rows of classes a / b / c
Y = np.array(["a"] * 60 + ["b"] * 30 + ["c"] * 10)
ROWS = np.arange(100).reshape(-1, 1) * 1.0


def _containers():
    frame = pd.DataFrame({"x": ROWS[:, 0]}, index=[f"r{i}" for i in range(100)])
    return {
        "array": ROWS,
        "sparse": sparse.csr_matrix(ROWS),
        "dataframe": frame,
        "texts": [f"text {i}" for i in range(100)],
        "records": [{"text": f"t{i}"} for i in range(100)],
    }


@pytest.mark.parametrize("kind", list(_containers()))
def test_uniform_mixture_in_every_container(kind):
    X = _containers()[kind]
    sampler = MixtureSampler(temperature=0, random_state=0)
    X_res, y_res = sampler.fit_resample(X, list(Y))
    assert sorted(Counter(y_res).items()) == [("a", 34), ("b", 33), ("c", 33)]
    assert type(X_res) is type(X)
    idx = sampler.sample_indices_
    if kind == "dataframe":
        assert list(X_res.index) == [f"r{i}" for i in idx]
    elif kind == "sparse":
        np.testing.assert_array_equal(X_res.toarray(), ROWS[idx])
    elif kind in ("texts", "records"):
        assert X_res == [X[i] for i in idx]
        if kind == "records":
            assert X_res[0] is X[idx[0]]  # the very same dicts
    else:
        np.testing.assert_array_equal(X_res, ROWS[idx])


def test_down_sampled_rows_are_distinct_and_kept_in_order():
    sampler = MixtureSampler(temperature=0, random_state=0).fit(ROWS, Y)
    idx = sampler.sample_indices_
    n_kept = 34 + 30 + 10  # a lowered to 34; b and c keep every row
    kept, copies = idx[:n_kept], idx[n_kept:]
    assert (np.diff(kept) > 0).all()  # input order, no row twice
    assert set(range(60, 100)) <= set(kept.tolist())
    assert Counter(Y[kept])["a"] == 34
    # b raised 30 -> 33: 3 copies; c raised 10 -> 33: twice each + 3
    uses = np.bincount(copies, minlength=100)
    assert uses[60:90].sum() == 3 and uses[60:90].max() == 1
    assert sorted(Counter(uses[90:].tolist()).items()) == [(2, 7), (3, 3)]
    assert sampler.counts_before_ == {"a": 60, "b": 30, "c": 10}
    assert sampler.counts_after_ == {"a": 34, "b": 33, "c": 33}
    assert sampler.sampling_strategy_ == {"b": 3, "c": 23}


def test_seeded_and_shuffle_is_a_permutation():
    a = MixtureSampler(max_repeats=2, random_state=3).fit(ROWS, Y).sample_indices_
    b = MixtureSampler(max_repeats=2, random_state=3).fit(ROWS, Y).sample_indices_
    np.testing.assert_array_equal(a, b)
    s = MixtureSampler(max_repeats=2, shuffle=True, random_state=3)
    X_res, y_res = s.fit_resample(ROWS, Y)
    assert sorted(s.sample_indices_.tolist()) != s.sample_indices_.tolist()
    assert Counter(y_res.tolist()) == Counter(Y[a].tolist())
    np.testing.assert_array_equal(X_res, ROWS[s.sample_indices_])


def test_weights_and_size():
    sampler = MixtureSampler(weights={"a": 1, "b": 1, "c": 2}, size=40, random_state=0)
    _, y_res = sampler.fit_resample(ROWS, Y)
    assert sorted(Counter(y_res.tolist()).items()) == [("a", 10), ("b", 10), ("c", 20)]


def test_weights_as_a_list_follow_the_sorted_strata():
    by_list = MixtureSampler(weights=[1, 1, 2], size=40, random_state=0).fit(ROWS, Y)
    assert by_list.counts_after_ == {"a": 10, "b": 10, "c": 20}


def test_weight_zero_drops_a_stratum():
    sampler = MixtureSampler(weights={"a": 1, "b": 1, "c": 0}, random_state=0)
    _, y_res = sampler.fit_resample(ROWS, Y)
    assert sorted(Counter(y_res.tolist()).items()) == [("a", 50), ("b", 50)]
    assert sampler.counts_after_["c"] == 0
    assert sampler.mixture_report_.strata["c"]["dropped"] == 10


def test_domains_from_a_column_groups_and_by_class():
    X = pd.DataFrame(
        {"x": ROWS[:, 0], "lang": ["en"] * 80 + ["sw"] * 20}, index=range(100)
    )
    y = np.array(["q", "a"] * 50)
    s = MixtureSampler(temperature=0, domain="lang", drop_domain=True, random_state=0)
    X_res, _ = s.fit_resample(X, y)
    assert list(X_res.columns) == ["x"]
    assert s.counts_after_ == {"en": 50, "sw": 50}
    g = MixtureSampler(temperature=0, random_state=0)
    g.fit_resample(ROWS, y, groups=X["lang"].to_numpy())
    assert g.counts_after_ == {"en": 50, "sw": 50}
    pairs = MixtureSampler(temperature=0, domain="lang", by_class=True, random_state=0)
    _, y_res = pairs.fit_resample(X, y)
    assert pairs.counts_after_ == {
        ("en", "a"): 25,
        ("en", "q"): 25,
        ("sw", "a"): 25,
        ("sw", "q"): 25,
    }
    weighted = MixtureSampler(
        weights={("en", "a"): 3, ("en", "q"): 1, ("sw", "a"): 0, ("sw", "q"): 0},
        domain="lang",
        by_class=True,
        size=40,
        random_state=0,
    ).fit(X, y)
    assert list(weighted.counts_after_.values()) == [30, 10, 0, 0]
    assert "en / a" in weighted.mixture_report_.to_dict()["strata"]


def test_groups_missing_names_the_sampler():
    msg = "MixtureSampler(domain='groups') got no groups. Pass fit_resample(X, y, "
    with pytest.raises(ValueError, match=re.escape(msg)):
        MixtureSampler(domain="groups").fit_resample(ROWS, Y)


def test_sample_weight_follows_the_rows():
    w = np.arange(100.0)
    s = MixtureSampler(temperature=0.5, size=70, random_state=0)
    _, _, w_res = s.fit_resample(ROWS, Y, sample_weight=w)
    np.testing.assert_array_equal(w_res, w[s.sample_indices_])


def test_infeasible_caps_warn_not_fail():
    with pytest.warns(InfeasibleCapWarning):
        _, y_res = MixtureSampler(max_repeats=1, size=200).fit_resample(ROWS, Y)
    assert len(y_res) == 100


def test_pipeline_and_grid_over_temperature():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], [150, 40, 10])
    X = rng.normal(size=(200, 3)) + y[:, None]
    pipe = make_pipeline(
        MixtureSampler(random_state=0), LogisticRegression(max_iter=500)
    )
    grid = GridSearchCV(
        pipe,
        {"mixturesampler__temperature": [0, 0.3, 0.5, 1]},
        cv=StratifiedKFold(3),
        scoring="f1_macro",
        error_score="raise",
    ).fit(X, y)
    assert not np.isnan(grid.cv_results_["mean_test_score"]).any()
    assert grid.best_params_["mixturesampler__temperature"] in (0, 0.3, 0.5, 1)


def test_report_text_dict_and_json():
    s = MixtureSampler(temperature=0, random_state=0).fit(ROWS, Y)
    report = s.mixture_report_
    assert str(report) == "\n".join(
        [
            "100 rows -> 100 rows, 3 strata",
            "  stratum  before   after   share -> share   max ep  mean ep  dropped",
            "  a            60      34   60.0% -> 34.0%        1     0.57       26",
            "  b            30      33   30.0% -> 33.0%        2     1.10        0",
            "  c            10      33   10.0% -> 33.0%        4     3.30        0",
        ]
    )
    data = json.loads(report.to_json())
    assert data == report.to_dict()
    assert data["strata"]["c"] == {
        "before": 10,
        "after": 33,
        "share_before": 0.1,
        "share_after": 0.33,
        "max_epochs": 4,
        "mean_epochs": 3.3,
        "dropped": 0,
        "added": 23,
    }
    assert repr(report) == str(report)
    empty = MixtureReport(counts_before={"a": 1}, counts_after={"a": 0})
    assert empty.strata["a"]["share_after"] == 0.0


def test_plan_kept_leaves_the_rng_alone_when_nothing_is_lowered():
    rng = np.random.default_rng(0)
    codes = np.array([0, 1, 1])
    assert plan_kept(codes, np.array([1, 2]), np.array([3, 2]), rng) is None
    assert rng.random() == np.random.default_rng(0).random()


def test_few_and_many_strata_find_the_same_rows(monkeypatch):
    import skbalance._plan as plan

    y = np.repeat(np.arange(12), [40, 3, 9, 1, 25, 7, 2, 30, 11, 5, 4, 13])
    y = y[np.random.default_rng(0).permutation(y.size)]
    X = np.arange(y.size * 2.0).reshape(-1, 2)
    many = MixtureSampler(temperature=0.5, random_state=0).fit(X, y).sample_indices_
    monkeypatch.setattr(plan, "_FEW_STRATA", 100)  # 12 strata: one pass each
    few = MixtureSampler(temperature=0.5, random_state=0).fit(X, y).sample_indices_
    np.testing.assert_array_equal(few, many)


def test_gather_keeps_a_fortran_array_and_its_values():
    X = np.asfortranarray(ROWS.repeat(3, axis=1))
    s = MixtureSampler(temperature=0, random_state=0)
    X_res, _ = s.fit_resample(X, Y)
    np.testing.assert_array_equal(X_res, X[s.sample_indices_])
