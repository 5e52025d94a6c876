"""LLMAugmentSampler against a local fake of the Messages API, driven by the
real anthropic client (base URL from ANTHROPIC_BASE_URL). No network."""

import json
import pickle
import re
import sys
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import make_pipeline
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from skbalance import LLMAugmentSampler, load_support_tickets
from skbalance._llm._testing import API_KEY, FakeMessagesAPI

pytest.importorskip("anthropic", reason="the llm extra (anthropic SDK) is needed")


def _data():
    texts = [f"my invoice number {i} shows the wrong amount" for i in range(12)]
    texts += ["the app crashes on start", "login fails with error 500"]
    texts += ["please delete my account"]
    y = ["billing"] * 12 + ["technical"] * 2 + ["account"]
    return texts, y


def _sampler(tmp_path, **kw):
    kw.setdefault("cache", tmp_path / "cache")
    kw.setdefault("random_state", 0)
    kw.setdefault("client_options", {"max_retries": 3})
    return LLMAugmentSampler(**kw)


def _all_cache_text(tmp_path):
    return "".join(p.read_text() for p in (tmp_path / "cache").rglob("*.json"))


def test_targets_met_with_new_texts_and_no_key_in_the_cache(api, tmp_path):
    texts, y = _data()
    sampler = _sampler(tmp_path)
    X_res, y_res = sampler.fit_resample(texts, y)
    assert Counter(y_res) == {"billing": 12, "technical": 12, "account": 12}
    assert X_res[:15] == texts  # originals first, unchanged
    new = X_res[15:]
    assert not {t.casefold() for t in new} & {t.casefold() for t in texts}
    assert len(set(new)) == len(new)
    # every new text varies a seed of its own class
    for i, t in zip(sampler.sample_indices_[15:], new, strict=True):
        assert texts[i] in t
        assert y_res[15 + list(sampler.sample_indices_[15:]).index(i)] == y[i]
    assert sampler.is_synthetic_.sum() == 21
    # 2 seeds need 5 each (1 request), 1 seed needs 11 (3 requests)
    assert sampler.n_requests_ == api.n_requests == 5
    # the key travels in a header (x-api-key, or a bearer token in SDK 2)
    for r in api.requests:
        auth = r["headers"].get("x-api-key") or r["headers"].get("authorization")
        assert API_KEY in auth
    body = api.requests[0]["body"]
    assert body["model"] == "claude-haiku-4-5"
    assert body["tool_choice"] == {"type": "tool", "name": "record_examples"}
    assert "billing" not in json.dumps(body)  # no other class's data in a prompt
    cached = _all_cache_text(tmp_path)
    assert cached and API_KEY not in cached
    assert "x-api-key" not in cached and "Bearer" not in cached


def test_a_rerun_makes_no_request(api, tmp_path):
    texts, y = _data()
    first = _sampler(tmp_path).fit_resample(texts, y)
    before = api.n_requests
    sampler = _sampler(tmp_path)
    again = sampler.fit_resample(texts, y)
    assert api.n_requests == before
    assert sampler.n_requests_ == 0 and sampler.n_cached_ == 21  # every rewrite
    assert first == again


def test_rate_limits_and_overload_are_retried(api, tmp_path):
    api.script = ["429", "529", "500"]
    texts, y = _data()
    sampler = _sampler(tmp_path, max_concurrency=1)
    _, y_res = sampler.fit_resample(texts, y)
    assert Counter(y_res)["technical"] == 12
    assert sampler.n_requests_ == 5
    assert api.n_requests == 5 + 3  # the SDK retried each failure once
    retries = [int(r["headers"]["x-stainless-retry-count"]) for r in api.requests]
    assert sum(1 for n in retries if n > 0) == 3


def test_malformed_truncated_and_duplicate_answers_are_topped_up(api, tmp_path):
    api.script = ["malformed", "truncated", "duplicates"]
    texts, y = _data()
    sampler = _sampler(tmp_path, max_concurrency=1)
    X_res, y_res = sampler.fit_resample(texts, y)
    assert Counter(y_res) == {"billing": 12, "technical": 12, "account": 12}
    assert sampler.shortfall_ == {}
    assert sampler.n_requests_ > 5  # top-up requests replaced the lost texts
    assert not {t.casefold() for t in X_res[15:]} & {t.casefold() for t in texts}


def test_budget_stops_generation_with_a_warning(api, tmp_path):
    texts, y = _data()
    sampler = _sampler(tmp_path, max_requests=2, max_concurrency=1)
    with pytest.warns(UserWarning, match="fell short of target for"):
        _, y_res = sampler.fit_resample(texts, y)
    assert api.n_requests == 2
    short = sampler.shortfall_
    assert sum(short.values()) == 21 - 10
    assert Counter(y_res)["billing"] == 12


def test_a_failed_request_is_a_clear_error_and_keeps_earlier_answers(api, tmp_path):
    api.script = ["ok", "ok", "401"]  # authentication errors are not retried
    texts, y = _data()
    sampler = _sampler(tmp_path, max_concurrency=1)
    with pytest.raises(RuntimeError, match="failed after the client's retries") as e:
        sampler.fit_resample(texts, y)
    assert "AuthenticationError" in str(e.value)
    cached = list((tmp_path / "cache").rglob("*.json"))
    assert len(cached) >= 2
    resumed = _sampler(tmp_path)
    resumed.fit_resample(texts, y)
    assert resumed.n_cached_ >= 2 and resumed.n_requests_ <= 3


def test_a_corrupt_cache_entry_is_regenerated(api, tmp_path):
    texts, y = _data()
    _sampler(tmp_path).fit_resample(texts, y)
    entry = next((tmp_path / "cache").rglob("*.json"))
    entry.write_text("{not json")
    sampler = _sampler(tmp_path)
    with pytest.warns(UserWarning, match=re.escape(f"cache entry {entry} (not JSON)")):
        sampler.fit_resample(texts, y)
    assert sampler.n_requests_ == 1 and sampler.n_cached_ == 20  # one rewrite lost
    json.loads(entry.read_text())  # rewritten whole


def test_chat_records_keep_other_fields(api, tmp_path):
    records = [
        {
            "messages": [
                {"role": "user", "content": text},
                {"role": "assistant", "content": "On it."},
            ],
            "domain": "en-GB",
        }
        for text in _data()[0]
    ]
    y = _data()[1]
    sampler = _sampler(tmp_path, text="messages.0.content")
    X_res, _ = sampler.fit_resample(records, y)
    new = X_res[len(records) :]
    assert all(r["messages"][1]["content"] == "On it." for r in new)
    assert all(r["domain"] == "en-GB" for r in new)
    assert records[12]["messages"][0]["content"] == "the app crashes on start"


def test_dataframe_rows_copy_their_seed(api, tmp_path):
    texts, y = _data()
    df = pd.DataFrame({"text": texts, "locale": ["en-US"] * 14 + ["en-GB"]})
    df.index = pd.RangeIndex(100, 115)
    X_res, y_res = _sampler(tmp_path, text="text").fit_resample(df, pd.Series(y))
    assert len(X_res) == 36
    assert (X_res.loc[114, "locale"] == "en-GB").all()  # seed's index label kept
    assert X_res.iloc[:15].equals(df)


def test_dry_run_counts_requests_and_tokens_without_sending(api, tmp_path):
    texts, y = _data()
    plan = _sampler(tmp_path).dry_run(texts, y)
    assert plan["rows_to_add"] == {"account": 11, "technical": 10}
    assert plan["requests"] == 5 and plan["cached"] == 0
    assert plan["input_tokens"] > 0 and plan["output_tokens"] > 0
    assert api.n_requests == 0
    _sampler(tmp_path).fit_resample(texts, y)
    assert _sampler(tmp_path).fit(texts, y).plan_["cached"] == 21


def test_grid_search_reuses_requests_across_folds_and_ratios(monkeypatch, tmp_path):
    tickets = load_support_tickets()
    texts = [t["text"] for t in tickets]
    labels = np.array([t["label"] for t in tickets])
    with FakeMessagesAPI() as server:
        monkeypatch.setenv("ANTHROPIC_API_KEY", API_KEY)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        one = _sampler(tmp_path / "one", target_ratio=0.5, n_per_request=10)
        one.fit_resample(texts, labels)
        single = server.n_requests
    with FakeMessagesAPI() as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        pipe = make_pipeline(
            _sampler(tmp_path / "grid", n_per_request=10),
            TfidfVectorizer(),
            LogisticRegression(max_iter=200),
        )
        grid = GridSearchCV(
            pipe,
            {"llmaugmentsampler__target_ratio": [0.3, 0.4, 0.5]},
            cv=StratifiedKFold(5, shuffle=True, random_state=0),
            scoring="f1_macro",
            error_score="raise",
        ).fit(texts, labels)
        total = server.n_requests
    print(f"requests: one fit {single}, grid 3 ratios x 5 folds + refit {total}")
    assert grid.best_params_["llmaugmentsampler__target_ratio"] in (0.3, 0.4, 0.5)
    assert total <= 1.5 * single


def test_clone_and_pickle_hold_no_client(api, tmp_path):
    texts, y = _data()
    sampler = _sampler(tmp_path)
    sampler.fit_resample(texts, y)
    assert clone(sampler).get_params()["generator"] == "anthropic"
    restored = pickle.loads(pickle.dumps(sampler))
    np.testing.assert_array_equal(restored.sample_indices_, sampler.sample_indices_)
    assert API_KEY.encode() not in pickle.dumps(sampler)


def test_label_filter_drops_texts_of_another_class(tmp_path):
    texts, y = _data()
    reject_crashes = lambda batch: [  # noqa: E731
        "billing" if "crashes" in t else "technical" if "login" in t else "account"
        for t in batch
    ]
    sampler = LLMAugmentSampler(
        generator="offline", cache=None, label_filter=reject_crashes, max_rounds=1
    )
    with pytest.warns(UserWarning, match="'technical'"):
        X_res, _ = sampler.fit_resample(texts, y)
    assert not any("crashes" in t for t in X_res[15:])


def test_callable_generator_and_bad_parameters(tmp_path):
    calls = []

    def generate(examples, label, n, random_state):
        calls.append((tuple(examples), label, n))
        return [f"{examples[0]} / {label} #{random_state}-{i}" for i in range(n)]

    texts, y = _data()
    # near-identical outputs, kept because dedupe is off
    sampler = LLMAugmentSampler(
        generator=generate, cache=None, n_examples=2, dedupe=False
    )
    _, y_res = sampler.fit_resample(texts, y)
    assert Counter(y_res) == {"billing": 12, "technical": 12, "account": 12}
    assert all(len(examples) <= 2 for examples, _, _ in calls)
    assert {label for _, label, _ in calls} == {"technical", "account"}
    with pytest.raises(ValueError, match="Got both target_ratio=0.5 and min_share=0.1"):
        LLMAugmentSampler(target_ratio=0.5, min_share=0.1).fit_resample(texts, y)
    with pytest.raises(
        ValueError,
        match=re.escape(
            "text='body' is missing from row 0 of X (its keys are ['text'])"
        ),
    ):
        LLMAugmentSampler(text="body", generator="offline").fit_resample(
            [{"text": t} for t in texts], y
        )
    with pytest.raises(ValueError, match="X is a DataFrame: set text="):
        LLMAugmentSampler(generator="offline").fit_resample(
            pd.DataFrame({"text": texts}), y
        )


def test_missing_sdk_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "anthropic", None)
    texts, y = _data()
    with pytest.raises(ImportError, match=re.escape("pip install 'skbalance[llm]'")):
        _sampler(tmp_path).fit_resample(texts, y)


@pytest.mark.parametrize(
    "check",
    [
        "check_no_attributes_set_in_init",
        "check_get_params_invariance",
        "check_set_params",
        "check_estimators_overwrite_params",
    ],
)
def test_sklearn_api_checks_that_need_no_numeric_x(check):
    from sklearn.utils import estimator_checks

    sampler = LLMAugmentSampler(generator="offline", cache=None, random_state=0)
    if check == "check_estimators_overwrite_params":
        # the same contract on texts: fitting leaves the parameters as they were
        params = clone(sampler).get_params()
        sampler.fit_resample(*_data())
        assert sampler.get_params() == params
        return
    getattr(estimator_checks, check)("LLMAugmentSampler", sampler)


def test_parameters_are_default_constructible():
    from sklearn.utils.estimator_checks import check_parameters_default_constructible

    check_parameters_default_constructible("LLMAugmentSampler", LLMAugmentSampler())


def test_dedupe_works_across_chunks(tmp_path):
    """Near-duplicates are caught between chunks of candidates too."""
    from skbalance._text import Dedupe

    dedupe = Dedupe(["please delete my account"], np.array(["account"]), 0.9)
    candidates = [
        (0, "refund my last order please"),
        (0, "Refund my last order  please"),
    ]
    candidates += [(0, "please delete my account!")]
    # a near-duplicate in the next chunk of the text before it
    candidates += [(0, "the app crashes"), (0, "the app crashes!")]
    candidates += [(0, "my card was charged twice")]
    accepted = []
    dedupe.run(candidates, lambda i, text: accepted.append(text) or True, chunk=2)
    assert accepted == [
        "refund my last order please",
        "the app crashes",
        "my card was charged twice",
    ]


def test_requests_overlap_up_to_max_concurrency_under_latency(monkeypatch, tmp_path):
    texts, y = _data()
    with FakeMessagesAPI(latency=0.1) as server:
        monkeypatch.setenv("ANTHROPIC_API_KEY", API_KEY)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        sampler = _sampler(tmp_path, max_concurrency=3, n_per_request=2)
        sampler.fit_resample(texts, y)
    # the seeds of a class share requests: ceil(10 / 2) + ceil(11 / 2)
    assert sampler.n_requests_ == 11
    assert server.max_in_flight == 3  # overlapping, never above the limit


def test_fit_resample_inside_a_running_event_loop(api, tmp_path):
    """As in a notebook: the sampler's threads need no event loop of their own."""
    import asyncio

    async def in_loop():
        return _sampler(tmp_path).fit_resample(*_data())

    X_res, _ = asyncio.run(in_loop())
    assert len(X_res) == 36


def test_provenance_and_progress(capsys):
    records = [{"text": t, "id": i} for i, t in enumerate(_data()[0])]
    sampler = LLMAugmentSampler(
        text="text",
        generator="offline",
        cache=None,
        provenance="_generated",
        progress=True,
        random_state=0,
    )
    X_res, _ = sampler.fit_resample(records, _data()[1])
    assert all("_generated" not in r for r in X_res[:15])  # originals untouched
    seeds = sampler.sample_indices_[15:]
    assert [r["_generated"]["seed"] for r in X_res[15:]] == seeds.tolist()
    assert {r["_generated"]["generator"] for r in X_res[15:]} == {"offline"}
    pairs = zip(X_res[15:], seeds, strict=True)
    assert all(r["id"] == records[s]["id"] for r, s in pairs)
    err = capsys.readouterr().err
    assert (
        f"LLMAugmentSampler: {sampler.n_requests_}/{sampler.n_requests_} requests"
        in err
    )
    with pytest.raises(ValueError, match="provenance='p' needs records"):
        LLMAugmentSampler(generator="offline", provenance="p").fit_resample(*_data())


def test_message_batch_is_polled_cached_and_resumed(api, tmp_path):
    api.batch_polls = 2
    texts, y = _data()
    sampler = _sampler(tmp_path, batch=True, poll_interval=0.01, progress=False)
    _, y_res = sampler.fit_resample(texts, y)
    assert Counter(y_res) == {"billing": 12, "technical": 12, "account": 12}
    assert len(api.batches) == 1 and sampler.n_requests_ == 5
    (batch,) = api.batches.values()
    assert batch["polls"] >= 2
    assert len(batch["requests"]) == 5
    assert not list((tmp_path / "cache" / "batches").glob("*.json"))  # done
    again = _sampler(tmp_path, batch=True, poll_interval=0.01)
    again.fit_resample(texts, y)
    assert len(api.batches) == 1 and again.n_requests_ == 0  # from the cache


def test_an_interrupted_batch_is_picked_up_again(api, tmp_path, monkeypatch):
    api.batch_polls = 3
    texts, y = _data()
    sleeps = []

    def interrupt(seconds):
        sleeps.append(seconds)
        raise KeyboardInterrupt

    monkeypatch.setattr("skbalance._llm._send.sleep", interrupt)  # ours alone
    with pytest.raises(KeyboardInterrupt):
        _sampler(tmp_path, batch=True, poll_interval=5.0).fit_resample(texts, y)
    assert sleeps == [5.0] and len(api.batches) == 1
    monkeypatch.undo()
    monkeypatch.setenv("ANTHROPIC_API_KEY", API_KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.url)
    sampler = _sampler(tmp_path, batch=True, poll_interval=0.01)
    _, y_res = sampler.fit_resample(texts, y)
    assert len(api.batches) == 1  # the same batch, not a second one
    assert Counter(y_res)["account"] == 12


def test_concurrent_writers_leave_whole_entries(tmp_path):
    """Many threads writing the same and different keys: every file is whole."""
    from concurrent.futures import ThreadPoolExecutor

    from skbalance._llm._cache import Cache

    cache = Cache(tmp_path)
    keys = [f"{i % 4:064x}" for i in range(200)]

    def write(i):
        cache.put(keys[i], {"n": i}, [f"text {i}"] * 50)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(200)))
    files = list(tmp_path.rglob("*"))
    assert not [f for f in files if f.suffix == ".tmp"]
    for key in set(keys):
        texts = cache.get(key)
        assert texts is not None and len(texts) == 50


def test_a_fitted_classifier_as_label_filter():
    texts, y = _data()
    clf = make_pipeline(TfidfVectorizer(), LogisticRegression(C=100, max_iter=500))
    clf.fit(texts, y)
    sampler = LLMAugmentSampler(
        generator="offline", cache=None, label_filter=clf, random_state=0
    )
    X_res, y_res = sampler.fit_resample(texts, y)
    predicted = clf.predict(X_res[15:])
    np.testing.assert_array_equal(predicted, np.asarray(y_res[15:]))


@pytest.mark.parametrize("bad", ["one text", None, 3])
def test_a_generator_that_returns_no_list_names_the_class_and_seed(bad):
    texts, y = _data()
    sampler = LLMAugmentSampler(generator=lambda *a: bad, cache=None, random_state=0)
    with pytest.raises(
        TypeError,
        match=rf"^The generator returned a {type(bad).__name__} for class "
        r"'(technical|account)' \(seed '.+'\); it must return a list\.$",
    ):
        sampler.fit_resample(texts, y)


def test_cache_that_is_a_file_and_missing_texts_are_named(tmp_path):
    texts, y = _data()
    file = tmp_path / "not-a-dir"
    file.write_text("x")
    with pytest.raises(ValueError, match=r"^cache='.+not-a-dir' is a file; give a"):
        LLMAugmentSampler(generator="offline", cache=file).fit_resample(texts, y)
    df = pd.DataFrame({"text": texts[:-1] + [np.nan]})
    with pytest.raises(
        ValueError, match=r"^text='text': row 14 of X holds float nan, not a text;"
    ):
        LLMAugmentSampler(text="text", generator="offline", cache=None).fit_resample(
            df, y
        )


def test_a_single_class_is_an_error_as_for_every_sampler():
    with pytest.raises(ValueError, match=r"^y has 1 class \('a'\); LLMAugmentSampler"):
        LLMAugmentSampler(generator="offline", cache=None).fit_resample(
            ["x", "y"], ["a", "a"]
        )
