"""The cache of LLMAugmentSampler keeps every kind of rewrite: texts, several
fields of a record, whole conversations. A second fit on the same cache adds
the first fit's rows with no request, and a grid search pays little more
than its largest fit. Against the local fake Messages API."""

import numpy as np
import pytest
from imblearn.pipeline import make_pipeline
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.preprocessing import FunctionTransformer

from skbalance import LLMAugmentSampler, load_support_tickets

pytest.importorskip("anthropic", reason="the llm extra (anthropic SDK) is needed")

SYSTEM = "You are the support agent of a software company. Be brief and kind."


def _texts():
    texts = [f"my invoice number {i} shows the wrong amount" for i in range(12)]
    texts += ["the app crashes on start", "login fails with error 500"]
    texts += ["please delete my account"]
    return texts, ["billing"] * 12 + ["technical"] * 2 + ["account"]


def _chat(text, i):
    return {
        "id": f"r{i}",
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": text},
            {"role": "assistant", "content": f"Thanks for writing (case {i})."},
        ],
    }


def _data(kind):
    texts, y = _texts()
    if kind == "texts":
        return texts, y, None
    if kind == "fields":
        records = [
            {"instruction": t, "response": f"Reply {i}: noted.", "id": i}
            for i, t in enumerate(texts)
        ]
        return records, y, ["instruction", "response"]
    return [_chat(t, i) for i, t in enumerate(texts)], y, "messages"


@pytest.mark.parametrize("kind", ["texts", "fields", "chats"])
def test_a_second_fit_adds_the_rows_of_the_first_with_no_request(api, tmp_path, kind):
    X, y, text = _data(kind)

    def sampler():
        return LLMAugmentSampler(text=text, cache=tmp_path / "c", random_state=0)

    first = sampler()
    X1, y1 = first.fit_resample(X, y)
    assert first.n_requests_ == api.n_requests == 5 and first.n_cached_ == 0
    assert len(X1) == 36 and first.shortfall_ == {}
    plan = sampler().dry_run(X, y)
    assert (plan["requests"], plan["cached"]) == (0, 21)
    second = sampler()
    X2, y2 = second.fit_resample(X, y)
    assert api.n_requests == 5  # nothing sent
    assert (second.n_requests_, second.n_cached_) == (0, 21)
    assert X2 == X1 and list(y2) == list(y1)
    np.testing.assert_array_equal(second.sample_indices_, first.sample_indices_)


def _chat_tickets():
    tickets = load_support_tickets()
    records = [_chat(t["text"], i) for i, t in enumerate(tickets)]
    return records, np.array([t["label"] for t in tickets])


def _user_turns(records):
    return [r["messages"][1]["content"] for r in records]


def test_a_grid_on_chat_records_costs_little_more_than_its_largest_fit(api, tmp_path):
    """3 ratios x 5 folds and the refit, on 1,000 chat records: the folds and
    candidates share the cached conversations of their seeds."""
    records, labels = _chat_tickets()
    ratios = [0.3, 0.4, 0.5]
    single = {}
    for ratio in ratios:
        before = api.n_requests
        LLMAugmentSampler(
            text="messages",
            target_ratio=ratio,
            n_per_request=10,
            cache=tmp_path / f"one-{ratio}",
            random_state=0,
        ).fit_resample(records, labels)
        single[ratio] = api.n_requests - before
    before = api.n_requests
    pipe = make_pipeline(
        LLMAugmentSampler(
            text="messages", n_per_request=10, cache=tmp_path / "grid", random_state=0
        ),
        FunctionTransformer(_user_turns),
        TfidfVectorizer(),
        LogisticRegression(max_iter=200),
    )
    grid = GridSearchCV(
        pipe,
        {"llmaugmentsampler__target_ratio": ratios},
        cv=StratifiedKFold(5, shuffle=True, random_state=0),
        scoring="f1_macro",
        error_score="raise",
    ).fit(records, labels)
    total = api.n_requests - before
    largest = max(single.values())
    print(f"requests: single fits {single}, grid 3 x 5 + refit {total}")
    assert grid.best_params_["llmaugmentsampler__target_ratio"] in ratios
    assert total <= 1.1 * largest, (total, largest)


def _fit_texts(tmp_path, generator):
    texts, y = _texts()
    sampler = LLMAugmentSampler(
        generator=generator, cache=tmp_path / "c", dedupe=False, random_state=0
    )
    X_res, _ = sampler.fit_resample(texts, y)
    return X_res[15:], sampler


def test_two_lambdas_do_not_share_cache_entries(tmp_path):
    first = lambda ex, label, n, rs: [f"{ex[0]} A{rs}-{i}" for i in range(n)]  # noqa: E731
    second = lambda ex, label, n, rs: [f"{ex[0]} B{rs}-{i}" for i in range(n)]  # noqa: E731
    new_a, _ = _fit_texts(tmp_path, first)
    new_b, sampler = _fit_texts(tmp_path, second)
    assert sampler.n_cached_ == 0 and sampler.n_requests_ > 0
    assert all(" A" in t for t in new_a) and all(" B" in t for t in new_b)
    again, sampler = _fit_texts(tmp_path, first)
    assert sampler.n_requests_ == 0 and again == new_a


def _factory(tone, *, suffix="."):
    def generate(examples, label, n, random_state):
        return [
            f"{examples[0]} in a {tone} tone{suffix} #{random_state}-{i}"
            for i in range(n)
        ]

    return generate


def test_a_closure_factory_with_other_settings_gets_its_own_entries(tmp_path):
    new_formal, _ = _fit_texts(tmp_path, _factory("formal"))
    new_casual, sampler = _fit_texts(tmp_path, _factory("casual"))
    assert sampler.n_cached_ == 0
    assert all("casual tone" in t for t in new_casual)
    _, sampler = _fit_texts(tmp_path, _factory("casual", suffix="!"))  # a default
    assert sampler.n_cached_ == 0
    # the same settings again, from a new closure: answered by the cache
    again, sampler = _fit_texts(tmp_path, _factory("formal"))
    assert (sampler.n_requests_, sampler.n_cached_) == (0, 21)
    assert again == new_formal


def test_an_explicit_cache_key_is_the_callers_promise(tmp_path):
    def one(examples, label, n, random_state):
        return [f"{examples[0]} one {random_state}-{i}" for i in range(n)]

    def other(examples, label, n, random_state):
        return [f"{examples[0]} other {random_state}-{i}" for i in range(n)]

    one.cache_key = other.cache_key = "my-model-v1"
    new_one, _ = _fit_texts(tmp_path, one)
    new_other, sampler = _fit_texts(tmp_path, other)
    assert sampler.n_requests_ == 0 and new_other == new_one


def test_settings_next_to_a_live_object_still_count():
    """A closure holding {"client": <object at 0x...>, "temperature": t}:
    the client counts by its type, the temperature by its value."""
    from skbalance._llm._generators import generator_key

    class Client:
        pass

    def factory(temperature):
        options = {"client": Client(), "temperature": temperature}

        def generate(examples, label, n, random_state):
            return [f"{options['temperature']} {examples[0]}"] * n

        return generate

    assert generator_key(factory(0.2), "m") == generator_key(factory(0.2), "m")
    assert generator_key(factory(0.2), "m") != generator_key(factory(0.9), "m")
