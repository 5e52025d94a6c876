"""Failure edges of LLMAugmentSampler: unusable cache entries, persistent
rate limits and overload, timeouts, keys in the parameters, and two fits on
one cache at once. Against the local fake Messages API."""

import json
import re
import warnings
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from skbalance import LLMAugmentSampler
from skbalance._llm._generators import DEFAULT_TIMEOUT, make_generator
from skbalance._llm._testing import API_KEY, FakeMessagesAPI

anthropic = pytest.importorskip("anthropic", reason="the llm extra is needed")


def _data():
    texts = [f"my invoice number {i} shows the wrong amount" for i in range(12)]
    texts += ["the app crashes on start", "login fails with error 500"]
    texts += ["please delete my account"]
    return texts, ["billing"] * 12 + ["technical"] * 2 + ["account"]


def _sampler(tmp_path, **kw):
    kw.setdefault("cache", tmp_path / "c")
    kw.setdefault("random_state", 0)
    return LLMAugmentSampler(**kw)


def _ignored(path, why):
    return re.escape(
        f"LLMAugmentSampler: ignored the cache entry {path} ({why}); its rewrite "
        "is requested again."
    )


def test_entries_that_are_not_objects_or_are_directories_are_named_once(api, tmp_path):
    texts, y = _data()
    first, _ = _sampler(tmp_path).fit_resample(texts, y)
    listed, replaced = sorted((tmp_path / "c").rglob("*.json"))[:2]
    listed.write_text("[1, 2]")  # valid JSON, not an entry
    replaced.unlink()
    replaced.mkdir()  # a directory in an entry's place
    before = api.n_requests
    # checked before paying: as an error, the warning stops the fit unsent
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match="^LLMAugmentSampler: ignored the"):
            _sampler(tmp_path).fit_resample(texts, y)
    assert api.n_requests == before
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sampler = _sampler(tmp_path)
        again, _ = sampler.fit_resample(texts, y)
    messages = [str(w.message) for w in caught if "ignored the cache" in str(w.message)]
    dir_why = "a directory, not a file; remove it to cache again"
    assert len(messages) == 2  # each file named once, not once per read
    expected = [
        _ignored(listed, "a JSON list, not an object"),
        _ignored(replaced, dir_why),
    ]
    assert all(any(re.fullmatch(e, m) for m in messages) for e in expected), messages
    assert sampler.n_cached_ == 19 and 1 <= sampler.n_requests_ <= 2
    assert len(again) == len(first) == 36 and sampler.shortfall_ == {}
    assert isinstance(json.loads(listed.read_text()), dict)  # regenerated
    assert replaced.is_dir()  # left alone, and the fit did not crash on it


@pytest.mark.parametrize("status", ["429", "529"])
def test_persistent_rate_limits_and_overload_stop_the_fit(api, tmp_path, status):
    api.script = [status] * 200
    texts, y = _data()
    sampler = _sampler(
        tmp_path,
        n_per_request=1,
        max_concurrency=1,
        client_options={"max_retries": 1},
    )
    assert sampler.dry_run(texts, y)["requests"] == 21
    with pytest.raises(RuntimeError) as caught:
        sampler.fit_resample(texts, y)
    message = str(caught.value)
    assert message.startswith(
        "LLMAugmentSampler: 3 requests in a row were refused by the API as "
        "rate-limited or overloaded after the client's retries ("
    )
    assert message.endswith(
        "); stopped. The 0 answers received before are in the cache: fit again "
        "to resume later, or with a lower max_concurrency."
    )
    assert caught.value.__cause__.status_code == int(status)
    # 3 requests (and the one a worker may have started), 2 attempts each
    assert 3 * 2 <= api.n_requests <= 4 * 2 < 21 * 2


def test_refusals_that_are_not_in_a_row_do_not_stop_the_fit(api, tmp_path):
    """Two refusals, an answer, two refusals: every planned request is sent,
    and the fit ends with the error of a failed request, not the stop."""
    api.script = ["429", "529", "ok", "429", "529"]
    texts, y = _data()
    sampler = _sampler(tmp_path, max_concurrency=1, client_options={"max_retries": 0})
    with pytest.raises(
        RuntimeError, match=r"^LLMAugmentSampler: a request for class '\w+' failed"
    ):
        sampler.fit_resample(texts, y)
    assert api.n_requests == 5  # all of the plan: no retries, no stop


def test_default_timeout_and_a_slow_api(monkeypatch, tmp_path):
    assert DEFAULT_TIMEOUT == 60.0
    monkeypatch.setenv("ANTHROPIC_API_KEY", API_KEY)
    generator = make_generator("anthropic", "m", 10, None)
    assert generator.client.timeout == DEFAULT_TIMEOUT  # not the SDK's 600 s
    generator.close()
    generator = make_generator("anthropic", "m", 10, {"timeout": 5.0})
    assert generator.client.timeout == 5.0
    generator.close()
    texts, y = _data()
    with FakeMessagesAPI(latency=3.0) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        sampler = _sampler(
            tmp_path,
            max_concurrency=1,
            n_per_request=1,
            client_options={"timeout": 0.2, "max_retries": 0},
        )
        with pytest.raises(
            RuntimeError, match=r"^LLMAugmentSampler: 3 requests in a row could not"
        ) as caught:
            sampler.fit_resample(texts, y)
        assert isinstance(caught.value.__cause__, anthropic.APITimeoutError)
        assert 3 <= server.n_requests <= 4


@pytest.mark.parametrize(
    "name, variable",
    [("api_key", "ANTHROPIC_API_KEY"), ("auth_token", "ANTHROPIC_AUTH_TOKEN")],
)
def test_a_key_in_client_options_is_refused(api, tmp_path, name, variable):
    texts, y = _data()
    sampler = _sampler(tmp_path, client_options={name: API_KEY})
    expected = re.escape(
        f"client_options holds {name!r}: a key given there is kept in the "
        "sampler's repr, get_params and pickles. Set the "
        f"{variable} environment variable instead."
    )
    with pytest.raises(ValueError, match=f"^{expected}$"):
        sampler.fit_resample(texts, y)
    with pytest.raises(ValueError, match=f"^{expected}$"):
        sampler.dry_run(texts, y)
    assert api.n_requests == 0


def test_two_fits_on_one_cache_at_once_pay_once(api, tmp_path):
    """Two fits in threads (each its own client, as two processes), the same
    data and cache, answers slow enough to overlap: each rewrite is paid
    once (without the lock, both fits sent all 5 requests)."""
    api.latency = 0.2
    texts, y = _data()
    samplers = [_sampler(tmp_path, max_concurrency=2) for _ in range(2)]
    with ThreadPoolExecutor(2) as pool:
        outputs = list(pool.map(lambda s: s.fit_resample(texts, y), samplers))
    assert api.n_requests == 5  # what one fit sends alone
    assert sum(s.n_requests_ for s in samplers) == 5
    assert outputs[0][0] == outputs[1][0]
    assert Counter(outputs[0][1]) == {"billing": 12, "technical": 12, "account": 12}


def test_two_fits_that_group_rewrites_differently_pay_each_once(api, tmp_path):
    """Requests of 5 and of 2 rewrites overlap only in part: a request whose
    entries another fit answered meanwhile asks only for the rest."""
    from skbalance._llm._testing import _seeds

    api.latency = 0.1
    texts, y = _data()
    samplers = [_sampler(tmp_path, max_concurrency=2, n_per_request=n) for n in (5, 2)]
    with ThreadPoolExecutor(2) as pool:
        outputs = list(pool.map(lambda s: s.fit_resample(texts, y), samplers))
    paid = sum(s["n"] for r in api.requests for s in _seeds(r["body"]))
    assert paid == 21  # every rewrite once
    assert outputs[0][0] == outputs[1][0]
    assert all(s.shortfall_ == {} for s in samplers)


def test_a_client_side_rate_limit_spreads_the_requests(api, tmp_path, monkeypatch):
    """60 requests a minute: a request starts a second after the one before,
    on a clock of the test's own (skbalance's names patched, not time's)."""
    clock = [1000.0]
    sleeps = []

    def sleep(seconds):
        sleeps.append(round(seconds, 6))
        clock[0] += seconds

    monkeypatch.setattr("skbalance._llm._send.monotonic", lambda: clock[0])
    monkeypatch.setattr("skbalance._llm._send.sleep", sleep)
    texts, y = _data()
    sampler = _sampler(tmp_path, max_concurrency=1, max_requests_per_minute=60)
    sampler.fit_resample(texts, y)
    assert sampler.n_requests_ == api.n_requests == 5
    assert sleeps == [1.0] * 4  # the first at once, then one a second
    # answered from the cache: nothing sent, nothing to wait for
    sleeps.clear()
    _sampler(tmp_path, max_concurrency=1, max_requests_per_minute=60).fit_resample(
        texts, y
    )
    assert sleeps == []
