"""LLMAugmentSampler on fine-tuning data: requests sized to what they
contribute, whole records and conversations, usage and prompt caching, and
failing fast when the API is down. Against the local fake Messages API."""

import gc
import json
import math
import re
import socket
import warnings
from collections import Counter

import numpy as np
import pytest

from skbalance import LLMAugmentSampler
from skbalance._llm._rewrite import check_variant
from skbalance._llm._testing import API_KEY, _answer, _seeds

pytest.importorskip("anthropic", reason="the llm extra (anthropic SDK) is needed")

TOPICS = ["invoice", "refund", "card", "plan", "receipt", "tax", "discount"]


def _tickets():
    """150 / 30 / 20 tickets of three classes, all different."""
    texts, y = [], []
    for label, n, words in [
        ("billing", 150, "my {t} number {i} is wrong"),
        ("technical", 30, "the app crashes on screen {i} near the {t} page"),
        ("account", 20, "please close account {i} and the {t} profile"),
    ]:
        texts += [words.format(i=i, t=TOPICS[i % 7]) for i in range(n)]
        y += [label] * n
    return texts, y


def test_requests_ask_for_what_their_seeds_contribute(api, tmp_path):
    texts, y = _tickets()
    sampler = LLMAugmentSampler(
        cache=tmp_path / "c", n_per_request=5, random_state=0, max_concurrency=4
    )
    plan = sampler.dry_run(texts, y)
    X_res, y_res = sampler.fit_resample(texts, y)
    assert Counter(y_res) == {"billing": 150, "technical": 150, "account": 150}
    # 120 + 130 new rows, 5 a request: ceil(120 / 5) + ceil(130 / 5) = 50
    first_round = math.ceil(120 / 5) + math.ceil(130 / 5)
    assert plan["requests"] == first_round
    assert first_round <= sampler.n_requests_ <= first_round + 4  # a few top-ups
    stats = sampler.generation_stats_
    assert stats["kept"] == 250
    assert stats["kept"] / stats["received"] >= 0.8
    print(f"requests {sampler.n_requests_}, kept / received {stats}")


def test_one_request_carries_several_seeds_and_their_counts(api, tmp_path):
    texts, y = _tickets()
    LLMAugmentSampler(cache=None, n_per_request=5, random_state=0).fit_resample(
        texts, y
    )
    import json

    seeds = [
        json.loads(
            r["body"]["messages"][0]["content"].split("<seeds>")[1].split("<")[0]
        )
        for r in api.requests
    ]
    assert all(sum(s["n"] for s in request) <= 5 for request in seeds)
    assert max(len(request) for request in seeds) > 1


def _chat(i, text):
    return {
        "messages": [
            {"role": "system", "content": "You are a support agent. Be brief."},
            {"role": "user", "content": text},
            {"role": "assistant", "content": f"Answer {i} to: {text}", "name": "bot"},
        ],
        "domain": "en-GB",
        "id": i,
    }


def test_chat_records_are_rewritten_whole_with_system_messages_verbatim(api, tmp_path):
    texts, y = _tickets()
    records = [_chat(i, t) for i, t in enumerate(texts)]
    sampler = LLMAugmentSampler(text="messages", cache=None, random_state=0)
    X_res, y_res = sampler.fit_resample(records, y)
    new = X_res[len(records) :]
    assert len(new) == 250
    for record, seed in zip(new, sampler.sample_indices_[len(records) :], strict=True):
        original = records[seed]
        roles = [m["role"] for m in record["messages"]]
        assert roles == ["system", "user", "assistant"]
        assert record["messages"][0] == original["messages"][0]
        # a new question gets a new answer, never the seed's
        assert record["messages"][1]["content"] != original["messages"][1]["content"]
        assert record["messages"][2]["content"] != original["messages"][2]["content"]
        assert record["messages"][2]["name"] == "bot"  # other message keys kept
        assert (record["domain"], record["id"]) == ("en-GB", original["id"])
    assert records[0]["messages"][1]["content"] == texts[0]  # input untouched
    tool = api.requests[0]["body"]["tools"][0]["input_schema"]
    rewrite = tool["properties"]["rewrites"]["items"]["properties"]["rewrite"]
    assert rewrite["type"] == "array"


def test_flat_records_rewrite_several_fields_together(api, tmp_path):
    texts, y = _tickets()
    records = [
        {"instruction": t, "response": f"Reply to {t}", "category": c, "n": i}
        for i, (t, c) in enumerate(zip(texts, y, strict=True))
    ]
    sampler = LLMAugmentSampler(
        text=["instruction", "response"], cache=None, random_state=0, target_ratio=0.5
    )
    X_res, _ = sampler.fit_resample(records, y)
    for record, seed in zip(
        X_res[len(records) :], sampler.sample_indices_[len(records) :], strict=True
    ):
        assert record["instruction"] != records[seed]["instruction"]
        assert record["response"] != records[seed]["response"]
        assert (record["category"], record["n"]) == (y[seed], seed)


def test_a_rewrite_must_fit_its_seed():
    chat = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Refund?"},
        {"role": "assistant", "content": "Yes."},
    ]
    good = [
        {"role": "system", "content": "changed"},
        {"role": "user", "content": " Can I get a refund? "},
        {"role": "assistant", "content": "Sure."},
    ]
    assert check_variant("chat", chat, good) == [
        {"role": "system", "content": "Be brief."},  # kept verbatim
        {"role": "user", "content": "Can I get a refund?"},
        {"role": "assistant", "content": "Sure."},
    ]
    # the shape a model is asked for: the non-system turns only
    assert check_variant("chat", chat, good[1:]) == check_variant("chat", chat, good)
    assert check_variant("chat", chat, good[2:]) is None  # a turn missing
    assert check_variant("chat", chat, [good[2], good[1]]) is None  # roles swapped
    assert check_variant("chat", chat, good[:2]) is None  # a turn missing
    assert check_variant("chat", chat, [good[0], good[2], good[1]]) is None  # roles
    assert check_variant("chat", chat, [*good[:2], {"role": "assistant"}]) is None
    assert check_variant("chat", chat, [*good[:2], {**good[2], "content": " "}]) is None
    seed = {"instruction": "a", "response": "b"}
    assert check_variant("fields", seed, {"instruction": "x", "response": "y"})
    assert check_variant("fields", seed, {"instruction": "x"}) is None
    assert check_variant("fields", seed, {"instruction": "x", "response": 3}) is None
    assert check_variant("text", "a", "  ") is None
    assert check_variant("text", "a", ["b"]) is None


def test_n_per_seed_varies_every_rare_example(api, tmp_path):
    texts, y = _tickets()
    sampler = LLMAugmentSampler(n_per_seed=3, cache=None, random_state=0)
    _, y_res = sampler.fit_resample(texts, y)
    assert Counter(y_res) == {"billing": 150, "technical": 120, "account": 80}
    assert Counter(sampler.sample_indices_[200:].tolist()) == dict.fromkeys(
        range(150, 200), 3
    )
    with pytest.raises(ValueError, match=r"^Got n_per_seed=3 with target_ratio"):
        LLMAugmentSampler(n_per_seed=3, target_ratio=0.5).fit(texts, y)


def test_usage_is_recorded_and_dry_run_estimates_it(api, tmp_path):
    texts, y = _tickets()
    sampler = LLMAugmentSampler(cache=None, random_state=0, target_ratio=0.5)
    plan = sampler.dry_run(texts, y)
    sampler.fit_resample(texts, y)
    usage = sampler.usage_
    reported = sum(r["usage"]["input_tokens"] for r in _answers(api))
    assert usage["input_tokens"] == reported > 0
    assert usage["output_tokens"] > 0
    # the estimate is of the right size (same prompts, rewrites as long as seeds)
    assert 0.5 <= plan["input_tokens"] / usage["input_tokens"] <= 2
    assert 0.25 <= plan["output_tokens"] / usage["output_tokens"] <= 4


def _answers(api):

    return [_answer(r["body"], "ok") for r in api.requests]


def test_the_shared_prompt_is_cached_when_long_enough(api, tmp_path):
    """The instructions and a long system prompt of the conversations form
    the prefix every request of a class shares: cached, while the examples,
    drawn for each request, come after it."""
    texts, y = _tickets()
    records = [_chat(i, t) for i, t in enumerate(texts)]
    for record in records:
        record["messages"][0]["content"] = "Policy details of the case. " * 320
    sampler = LLMAugmentSampler(
        text="messages", cache=None, random_state=0, max_concurrency=1
    )
    sampler.fit_resample(records, y)
    bodies = [r["body"] for r in api.requests]
    assert all(b["system"][0].get("cache_control") for b in bodies)
    assert not any(b["system"][1].get("cache_control") for b in bodies)
    usage = sampler.usage_
    read = usage["cache_read_input_tokens"]
    share = read / (read + usage["cache_creation_input_tokens"] + usage["input_tokens"])
    # two classes: each writes its prefix once, every later request reads it
    assert usage["cache_creation_input_tokens"] > 0 and share > 0.5
    print(f"cached input share {share:.2f} over {len(bodies)} requests")
    short = LLMAugmentSampler(cache=None, random_state=0)
    short.fit_resample(*_tickets())
    assert "cache_control" not in api.requests[-1]["body"]["system"][0]


def test_examples_are_drawn_for_each_request_from_the_class(api, tmp_path):
    texts, y = _tickets()
    LLMAugmentSampler(cache=None, random_state=0, n_examples=4).fit_resample(texts, y)
    shown = Counter()
    for r in api.requests:
        body = r["body"]
        (examples,) = [b["text"] for b in body["system"][1:]]
        seeds = {s["seed"] for s in _seeds(body)}
        drawn = [e.split("</example>")[0] for e in examples.split("<example>")[1:]]
        drawn = [json.loads(e) for e in drawn]
        assert len(drawn) == 3 and not seeds & set(drawn)  # never its own seeds
        shown.update(drawn)
    # over the requests, many of the 50 rare examples are shown, not a fixed 3
    assert len(shown) > 20


def test_fails_fast_when_the_api_is_down(monkeypatch, tmp_path):
    """Nothing listens on the port: the fit stops with skbalance's error,
    chained to the client's connection error, and says how to resume."""
    anthropic = pytest.importorskip("anthropic")
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("ANTHROPIC_API_KEY", API_KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", f"http://127.0.0.1:{port}")
    texts, y = _tickets()
    sampler = LLMAugmentSampler(cache=tmp_path / "c", n_per_request=2, random_state=0)
    with pytest.raises(RuntimeError) as caught:
        sampler.fit_resample(texts, y)
    message = str(caught.value)
    assert message.startswith(
        "LLMAugmentSampler: 3 requests in a row could not reach the API ("
    )
    assert message.endswith(
        "); stopped. The 0 answers received before are in the cache: fit again "
        "to resume once the API can be reached."
    )
    assert isinstance(caught.value.__cause__, anthropic.APIConnectionError)


@pytest.mark.parametrize("answered_first", [0, 2])
def test_stops_after_three_requests_that_cannot_reach_the_api(
    api, tmp_path, answered_first
):
    """'Fails fast' counted in attempts, not seconds: after some answers, the
    server drops every connection. The fit stops after 3 requests in a row
    failed, each tried once more by the client (max_retries=1); the one
    request the worker may have started meanwhile is awaited, the rest of the
    plan is never sent, and the answers received before are in the cache."""
    anthropic = pytest.importorskip("anthropic")
    api.script = ["ok"] * answered_first + ["drop"] * 100
    texts, y = _tickets()
    sampler = LLMAugmentSampler(
        cache=tmp_path / "c",
        n_per_request=2,
        max_concurrency=1,
        client_options={"max_retries": 1},
        random_state=0,
    )
    with pytest.raises(
        RuntimeError,
        match=rf"^LLMAugmentSampler: 3 requests in a row could not reach the API "
        rf"\(.*\); stopped\. The {answered_first} answers received before are in "
        r"the cache: fit again to resume once the API can be reached\.$",
    ) as caught:
        sampler.fit_resample(texts, y)
    assert isinstance(caught.value.__cause__, anthropic.APIConnectionError)
    planned = sampler.dry_run(texts, y)["requests"]
    attempts = api.n_requests - answered_first
    assert planned > 50 and 3 * 2 <= attempts <= (3 + 1) * 2, (planned, attempts)
    cached = list((tmp_path / "c").rglob("*.json"))  # not the locks/
    assert len(cached) == 2 * answered_first  # an entry per seed, 2 seeds a request


def test_no_unclosed_sockets(api, tmp_path):
    texts, y = _tickets()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        LLMAugmentSampler(cache=None, random_state=0, target_ratio=0.3).fit_resample(
            texts, y
        )
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


def test_dry_run_sends_nothing_and_counts_the_cache(api, tmp_path):
    texts, y = _tickets()
    sampler = LLMAugmentSampler(cache=tmp_path / "c", random_state=0, target_ratio=0.5)
    plan = sampler.dry_run(texts, y)
    assert api.n_requests == 0 and plan["cached"] == 0
    assert plan["rows_to_add"] == {"account": 55, "technical": 45}
    sampler.fit_resample(texts, y)
    again = LLMAugmentSampler(cache=tmp_path / "c", random_state=0, target_ratio=0.5)
    assert again.dry_run(texts, y)["cached"] == 100
    assert again.dry_run(texts, y)["requests"] == 0
    np.testing.assert_array_equal(sampler.sample_indices_[:200], np.arange(200))


LONG_SYSTEM = "".join(
    f"Rule {i}: answer customers of plan {TOPICS[i % 7]} politely, cite the "
    f"policy section {i}, never promise a refund before checking order {i}. "
    for i in range(80)
)


def test_a_long_system_prompt_is_context_sent_once_and_never_echoed(api, tmp_path):
    """A 10,000-character system prompt: written once per request, in the
    cached system prompt; the seeds and the answers hold only the other
    turns; every rewrite is kept (it used to be a near-duplicate of every
    other through the shared prompt: 0 rows kept)."""
    texts, y = _tickets()
    assert len(LONG_SYSTEM) > 10_000
    records = [_chat(i, t) for i, t in enumerate(texts)]
    for record in records:
        record["messages"][0]["content"] = LONG_SYSTEM
    sampler = LLMAugmentSampler(
        text="messages", target_ratio=0.3, cache=None, random_state=0
    )
    X_res, _ = sampler.fit_resample(records, y)
    assert sampler.shortfall_ == {}
    stats = sampler.generation_stats_
    assert stats["kept"] == stats["received"] == 15 + 25
    for body in (r["body"] for r in api.requests):
        assert json.dumps(body).count("Rule 79: answer") == 1
        block = body["system"][0]  # the shared prefix; examples come after
        assert LONG_SYSTEM in block["text"] and block["cache_control"]
        seeds = _seeds(body)
        assert [m["role"] for s in seeds for m in s["seed"]] == [
            "user",
            "assistant",
        ] * len(seeds)
        assert all(s["system_prompt"] == [0] for s in seeds)
    for answer in _answers(api):
        rewrites = answer["content"][0]["input"]["rewrites"]
        assert {m["role"] for r in rewrites for m in r["rewrite"]} == {
            "user",
            "assistant",
        }
    for record, seed in zip(
        X_res[len(records) :], sampler.sample_indices_[len(records) :], strict=True
    ):
        assert record["messages"][0] == records[seed]["messages"][0]  # verbatim
        assert (
            record["messages"][1]["content"] != records[seed]["messages"][1]["content"]
        )
    # the shared prefix is written to the API's prompt cache once per class
    assert sampler.usage_["cache_read_input_tokens"] > 0


def _one_word_edits(examples, label, n, random_state):
    """A poor model: swaps one word of the seed for another, then once a
    real rewrite."""
    words = examples[0].split()
    out = []
    for i in range(n):
        if (random_state + i) % 3 == 2:
            out.append(f"Totally different wording {random_state}-{i} for {label}")
        else:
            k = (random_state + i) % len(words)
            out.append(
                " ".join(words[:k] + [f"word{random_state}x{i}"] + words[k + 1 :])
            )
    return out


def test_seed_similarity_drops_one_word_edits_of_the_seed(tmp_path):
    texts = [
        f"the mobile app crashes every time I open report number {i} today"
        for i in range(4)
    ]
    texts += [f"my invoice number {i} shows the wrong amount" for i in range(8)]
    y = ["technical"] * 4 + ["billing"] * 8
    loose = LLMAugmentSampler(
        generator=_one_word_edits, cache=None, random_state=0, max_rounds=1
    )
    X_loose, _ = loose.fit_resample(texts, y)
    edits = [t for t in X_loose[12:] if "Totally" not in t]
    assert edits  # the character 3-gram check keeps one-word edits
    strict = LLMAugmentSampler(
        generator=_one_word_edits,
        cache=None,
        random_state=0,
        max_rounds=1,
        seed_similarity=0.8,
    )
    with pytest.warns(UserWarning, match="near-copies of their seed"):
        X_strict, _ = strict.fit_resample(texts, y)
    assert all("Totally" in t for t in X_strict[12:])
    assert strict.generation_stats_["copies"] == len(edits)


def test_the_prompt_asks_one_seeds_rewrites_to_differ(api, tmp_path):
    texts, y = _tickets()
    LLMAugmentSampler(target_ratio=0.2, cache=None, random_state=0).fit_resample(
        texts, y
    )
    system = api.requests[0]["body"]["system"][0]["text"]
    assert "make them differ from each other as much as from the seed" in system


def test_new_records_get_new_ids_and_name_their_seed(api, tmp_path):
    texts, y = _tickets()
    records = [_chat(f"t{i:03d}", t) for i, t in enumerate(texts)]
    records[0]["id"] = "t180-llm1"  # an id the scheme would give: skipped
    sampler = LLMAugmentSampler(
        text="messages",
        target_ratio=0.4,
        provenance="_generated",
        id_field="id",
        cache=None,
        random_state=0,
    )
    X_res, _ = sampler.fit_resample(records, y)
    new = X_res[len(records) :]
    seeds = sampler.sample_indices_[len(records) :].tolist()
    ids = [r["id"] for r in X_res]
    assert len(set(ids)) == len(ids)  # unique, originals included
    assert [r["id"] for r in X_res[: len(records)]] == [r["id"] for r in records]
    assert all("_generated" not in r for r in X_res[: len(records)])
    for record, seed in zip(new, seeds, strict=True):
        seed_id = records[seed]["id"]
        assert record["_generated"] == {
            "generator": "claude-haiku-4-5",
            "seed": seed,
            "seed_id": seed_id,
        }
        assert re.fullmatch(rf"{seed_id}-llm\d+", record["id"])
    # t180 (a seed twice) skips the id another record already has
    assert {"t180-llm2", "t180-llm3"} <= set(ids) and records[0]["id"] == "t180-llm1"
    broken = [dict(r) for r in records]
    del broken[7]["id"]
    before = api.n_requests
    with pytest.raises(
        ValueError,
        match=re.escape(
            "id_field='id' is missing from row 7 of X; every record needs an id "
            "to give its rewrites new ones."
        ),
    ):
        sampler.fit_resample(broken, y)
    assert api.n_requests == before  # checked before anything is sent
    with pytest.raises(
        ValueError, match=re.escape("id_field='id' needs records (dicts) with text=.")
    ):
        LLMAugmentSampler(id_field="id", generator="offline").fit_resample(texts, y)


def test_class_descriptions_are_shown_and_key_the_cache(api, tmp_path):
    texts, y = _tickets()
    kw = {"target_ratio": 0.2, "cache": tmp_path / "c", "random_state": 0}
    LLMAugmentSampler(**kw).fit_resample(texts, y)
    plain = api.n_requests
    described = LLMAugmentSampler(
        class_descriptions={"account": "closing or changing an account, not billing"},
        **kw,
    )
    described.fit_resample(texts, y)
    assert described.n_cached_ == 0 < described.n_requests_  # new answers
    for r in api.requests[plain:]:
        system = r["body"]["system"][0]["text"]
        assert "Class: 'account' (closing or changing an account, not billing)." in (
            system
        )
    with pytest.raises(
        ValueError,
        match=re.escape(
            "class_descriptions names 'acount', which is not a class of y "
            "(classes: ['account', 'billing', 'technical'])."
        ),
    ):
        LLMAugmentSampler(class_descriptions={"acount": "x"}, **kw).dry_run(texts, y)
    with pytest.raises(
        ValueError,
        match=re.escape(
            "class_descriptions['account'] is int; a description is a str."
        ),
    ):
        LLMAugmentSampler(class_descriptions={"account": 3}, **kw).fit_resample(
            texts, y
        )


def test_a_judge_of_turn_consistency_drops_and_tops_up_conversations(api, tmp_path):
    """``label_filter`` reads a conversation as ``role: content`` lines, so a
    judge (an LLM, a classifier) can refuse a new answer that does not answer
    its new question: refused conversations are dropped and replaced."""
    import zlib

    texts, y = _tickets()
    records = [_chat(i, t) for i, t in enumerate(texts)]
    y = ["billing" if label == "billing" else "account" for label in y]

    def judge(conversations):  # a third refused, as a strict judge might
        labels = []
        for text in conversations:
            roles = [line.split(":", 1)[0] for line in text.splitlines()]
            assert roles == ["system", "user", "assistant"]
            labels.append(
                "refused" if zlib.crc32(text.encode()) % 3 == 0 else "account"
            )
        return labels

    sampler = LLMAugmentSampler(
        text="messages", target_ratio=0.5, label_filter=judge, cache=None, max_rounds=6,
        random_state=0,
    )  # fmt: skip
    X_res, y_res = sampler.fit_resample(records, y)
    assert Counter(y_res)["account"] == 75  # reached, despite the refusals
    assert sampler.generation_stats_["filtered"] > 0  # some were refused, and replaced
    for record in X_res[len(records) :]:
        text = "\n".join(f"{m['role']}: {m['content']}" for m in record["messages"])
        assert zlib.crc32(text.encode()) % 3 != 0
