from collections import Counter

import numpy as np
import pytest
from imblearn.pipeline import make_pipeline
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from skbalance import DomainFloorSampler, RatioOverSampler

pd = pytest.importorskip("pandas", reason="pandas is in the test extra")


def _support_frame():
    # 90% US English, 10% European English; labels independent of locale
    locale = ["en-US"] * 90 + ["en-GB"] * 10
    return pd.DataFrame(
        {
            "text": [f"ticket {i}" for i in range(100)],
            "locale": locale,
            "label": (["billing", "technical"] * 50),
        },
        index=pd.RangeIndex(1000, 1100),
    )


def test_floor_on_a_dataframe_column():
    df = _support_frame()
    sampler = DomainFloorSampler(min_share=0.2, domain="locale", random_state=0)
    X_res, y_res = sampler.fit_resample(df, df["label"])
    assert sampler.counts_before_ == {"en-GB": 10, "en-US": 90}
    assert sampler.counts_after_ == {"en-GB": 23, "en-US": 90}
    assert X_res["locale"].value_counts().to_dict() == {"en-US": 90, "en-GB": 23}
    assert 23 / 113 >= 0.2 > 22 / 112
    assert "locale" in X_res.columns  # the domain column stays in X
    # y follows X: each copy keeps its own label
    assert (y_res.to_numpy() == X_res["label"].to_numpy()).all()
    assert X_res.index[100:].isin(df.index[90:]).all()


def test_floor_on_record_keys_and_chat_records():
    records = [
        {"messages": [{"role": "user", "content": f"hi {i}"}], "domain": d}
        for i, d in enumerate(["us"] * 18 + ["eu"] * 2)
    ]
    y = ["a", "b"] * 10
    sampler = DomainFloorSampler(min_share=0.25, domain="domain", random_state=0)
    X_res, y_res = sampler.fit_resample(records, y)
    assert dict(Counter(r["domain"] for r in X_res)) == {"us": 18, "eu": 6}
    assert X_res[:20] == records


def test_floor_on_an_array_column_index():
    X = np.array([[0, 1.0]] * 8 + [[1, 2.0]] * 2)
    sampler = DomainFloorSampler(min_share=0.3, domain=0, random_state=0)
    X_res, _ = sampler.fit_resample(X, [0, 1] * 5)
    assert sampler.counts_after_ == {0.0: 8, 1.0: 4}
    assert Counter(X_res[:, 0].tolist()) == {0.0: 8, 1.0: 4}


def test_floor_on_groups_for_plain_texts():
    texts = [f"text {i}" for i in range(10)]
    groups = ["us"] * 9 + ["eu"]
    sampler = DomainFloorSampler(min_share=0.25, random_state=0)
    X_res, y_res = sampler.fit_resample(texts, [0, 1] * 5, groups=groups)
    assert sampler.counts_after_ == {"eu": 3, "us": 9}
    assert X_res[10:] == ["text 9", "text 9"]
    assert y_res[10:] == [1, 1]


def test_class_floors_when_no_domain(tickets):
    sampler = DomainFloorSampler(min_share=0.1, random_state=0)
    _, y_res = sampler.fit_resample(np.zeros((tickets.size, 1)), tickets)
    counts = Counter(y_res.tolist())
    assert counts == {"billing": 500, "technical": 300, "account": 150, "other": 106}


def test_grid_search_over_min_share_on_plain_strings():
    rng = np.random.RandomState(0)
    words = {
        "billing": ["refund", "invoice", "charge", "price", "payment", "card"],
        "technical": ["crash", "error", "bug", "slow", "login", "sync"],
        "account": ["email", "password", "delete", "profile", "team", "rename"],
    }
    counts = {"billing": 60, "technical": 30, "account": 10}
    texts, y = [], []
    for label, n in counts.items():
        for _ in range(n):
            texts.append(" ".join(rng.choice(words[label], 3)) + " please help")
            y.append(label)
    pipe = make_pipeline(
        DomainFloorSampler(random_state=0), TfidfVectorizer(), LogisticRegression()
    )
    grid = GridSearchCV(
        pipe,
        {"domainfloorsampler__min_share": [0.0, 0.05, 0.1, 0.2, 0.3]},
        scoring="f1_macro",
        cv=StratifiedKFold(5, shuffle=True, random_state=0),
        error_score="raise",
    )
    grid.fit(texts, y)
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))
    assert grid.best_score_ > 0.9

    pipe = make_pipeline(
        RatioOverSampler(random_state=0), TfidfVectorizer(), LogisticRegression()
    )
    grid = GridSearchCV(
        pipe,
        {"ratiooversampler__target_ratio": [0.1, 0.5, 1.0]},
        scoring="f1_macro",
        cv=5,
        error_score="raise",
    )
    grid.fit(texts, y)
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))


# --- errors ---------------------------------------------------------------


def test_unknown_dataframe_column():
    df = _support_frame()
    with pytest.raises(
        ValueError,
        match=r"^domain='region' is not a column of X; its columns are "
        r"\['text', 'locale', 'label'\]\.$",
    ):
        DomainFloorSampler(domain="region").fit_resample(df, df["label"])


def test_missing_record_key():
    X = [{"text": "a", "locale": "us"}, {"text": "b"}]
    with pytest.raises(
        ValueError,
        match=r"^domain='locale' is missing from row 1 of X \(its keys are "
        r"\['text'\]\)\.$",
    ):
        DomainFloorSampler(domain="locale").fit_resample(X, [0, 1])


def test_domain_on_records_that_are_not_dicts():
    with pytest.raises(ValueError, match=r"row 0 of X is a str, not a dict"):
        DomainFloorSampler(domain="locale").fit_resample(["a", "b"], [0, 1])


@pytest.mark.parametrize(
    ("domain", "match"),
    [
        (5, r"^domain=5 is out of range for X with 2 columns\.$"),
        (
            "locale",
            r"^domain='locale' must be a column index \(an int\) when X is a 2-D",
        ),
    ],
)
def test_bad_array_column(domain, match):
    with pytest.raises(ValueError, match=match):
        DomainFloorSampler(domain=domain).fit_resample(np.zeros((4, 2)), [0, 1, 0, 1])


def test_domain_on_sparse_input():
    from scipy import sparse

    with pytest.raises(ValueError, match=r"needs X to be a DataFrame, a list of dicts"):
        DomainFloorSampler(domain=0).fit_resample(sparse.eye(4).tocsr(), [0, 1, 0, 1])


def test_domain_and_groups_together():
    df = _support_frame()
    with pytest.raises(ValueError, match=r"^Got both domain='locale' and groups"):
        DomainFloorSampler(domain="locale").fit_resample(
            df, df["label"], groups=df["locale"]
        )


def test_groups_length_mismatch():
    with pytest.raises(
        ValueError, match=r"^X has 4 rows but groups has 3; they must have the same"
    ):
        DomainFloorSampler().fit_resample(
            np.zeros((4, 1)), [0, 1, 0, 1], groups=[1, 2, 3]
        )


def test_missing_domain_values():
    df = _support_frame()
    df.loc[1005, "locale"] = None
    with pytest.raises(
        ValueError,
        match=r"^domain='locale' has missing values \(NaN or None\) at row 5;",
    ):
        DomainFloorSampler(domain="locale").fit_resample(df, df["label"])


def test_single_domain():
    df = _support_frame().assign(locale="en-US")
    with pytest.raises(
        ValueError,
        match=r"^domain='locale' has 1 domain \('en-US'\); DomainFloorSampler needs "
        r"at least 2 domains",
    ):
        DomainFloorSampler(domain="locale").fit_resample(df, df["label"])


def test_infeasible_min_share_is_lowered_to_equal_strata_with_a_warning(tickets):
    # a grid over min_share never has a failed candidate: 0.3 x 4 > 1 becomes 1/4
    with pytest.warns(
        UserWarning,
        match=r"^min_share=0\.3 cannot be met by 4 strata \(min_share \* n_strata "
        r"must be <= 1\); using 1/4, every stratum equal\. Set relative=True",
    ):
        sampler = DomainFloorSampler(min_share=0.3)
        sampler.fit_resample(np.zeros((tickets.size, 1)), tickets)
    assert set(sampler.counts_after_.values()) == {max(sampler.counts_before_.values())}


def test_groups_reach_the_sampler_through_a_pipeline_with_metadata_routing():
    import sklearn

    texts = [f"refund {i}" for i in range(18)] + ["crash 1", "crash 2"]
    y = ["billing"] * 18 + ["technical"] * 2
    locale = ["en-US"] * 16 + ["en-GB"] * 4
    with sklearn.config_context(enable_metadata_routing=True):
        sampler = DomainFloorSampler(min_share=0.3, random_state=0)
        sampler.set_fit_request(groups=True).set_fit_resample_request(groups=True)
        pipe = make_pipeline(sampler, TfidfVectorizer(), LogisticRegression())
        pipe.fit(texts, y, groups=locale)
    fitted = pipe.named_steps["domainfloorsampler"]
    assert fitted.counts_before_ == {"en-GB": 4, "en-US": 16}
    assert fitted.counts_after_ == {"en-GB": 7, "en-US": 16}


def test_imblearn_drops_step_fit_params_for_samplers_without_routing():
    # Why the docs point to domain= or metadata routing: imbalanced-learn 0.14's
    # Pipeline does not pass `step__param` fit parameters to fit_resample, so
    # the floors silently fall back to the classes. If this starts failing,
    # upstream fixed it and the docs can say so.
    texts = [f"refund {i}" for i in range(18)] + ["crash 1", "crash 2"]
    y = ["billing"] * 18 + ["technical"] * 2
    pipe = make_pipeline(
        DomainFloorSampler(min_share=0.3, random_state=0),
        TfidfVectorizer(),
        LogisticRegression(),
    )
    pipe.fit(texts, y, domainfloorsampler__groups=["en-US"] * 16 + ["en-GB"] * 4)
    assert list(pipe.named_steps["domainfloorsampler"].counts_before_) == [
        "billing",
        "technical",
    ]
