"""Budgets of LLMAugmentSampler: ``max_requests`` shared between classes in
proportion to their need, top-ups for rewrites lost to the label filter,
output that fits ``max_tokens``, and a shortfall warning that names its true
causes. Against the local fake Messages API."""

import json
import re
from collections import Counter

import pytest

from skbalance import LLMAugmentSampler
from skbalance._llm._testing import _answer, _seeds

pytest.importorskip("anthropic", reason="the llm extra (anthropic SDK) is needed")


CLASSES = ("billing", "technical", "account")


def _three_classes():
    """100 / 20 / 5 rows, all different."""
    texts, y = [], []
    for label, n in [("billing", 100), ("technical", 20), ("account", 5)]:
        texts += [
            f"{label} ticket number {i} about topic {i * 7 % 13}" for i in range(n)
        ]
        y += [label] * n
    return texts, y


def test_a_budget_is_shared_so_every_raised_class_gets_rows(api, tmp_path):
    texts, y = _three_classes()
    sampler = LLMAugmentSampler(max_requests=8, cache=tmp_path / "c", random_state=0)
    plan = sampler.dry_run(texts, y)
    # need: 80 rows (16 requests) and 95 rows (19 requests); 8 requests cover
    # 4 + 4, by largest remainders of 8 * 16 / 35 and 8 * 19 / 35 after one each
    assert plan["rows_to_add"] == {"technical": 80, "account": 95}
    assert (plan["requests"], plan["requests_needed"]) == (8, 35)
    assert plan["rows_covered"] == {"technical": 20, "account": 20}
    expected = re.escape(
        "LLMAugmentSampler fell short of target for 'account' (75 rows), "
        "'technical' (60 rows) (max_requests=8 reached with 135 rewrites not "
        "requested)."
    )
    with pytest.warns(UserWarning, match=f"^{expected}$"):
        _, y_res = sampler.fit_resample(texts, y)
    assert api.n_requests == sampler.n_requests_ == 8
    assert Counter(y_res) == {"billing": 100, "technical": 40, "account": 25}
    assert sampler.shortfall_ == {"technical": 60, "account": 75}


def test_a_budget_smaller_than_the_classes_serves_the_largest_needs():
    from skbalance._llm._requests import share_budget

    requests = [{"label": "a"}] * 3 + [{"label": "b"}] * 5 + [{"label": "c"}]
    assert Counter(r["label"] for r in share_budget(requests, 2)) == {"a": 1, "b": 1}
    assert Counter(r["label"] for r in share_budget(requests, 4)) == {
        "a": 1,
        "b": 2,
        "c": 1,
    }
    assert share_budget(requests, 9) == requests
    assert share_budget(requests, None) == requests


def _reject(word):
    """A label filter that gives every text holding ``word`` to 'other'."""

    def label_filter(texts):
        return [
            "other" if word in t else next(c for c in CLASSES if c in t) for t in texts
        ]

    return label_filter


def test_rewrites_lost_to_the_label_filter_are_topped_up_within_the_budget(
    api, tmp_path
):
    texts, y = _three_classes()
    kw = {"target_ratio": 0.4, "label_filter": _reject("please"), "random_state": 0}
    sampler = LLMAugmentSampler(cache=tmp_path / "a", **kw)
    _, y_res = sampler.fit_resample(texts, y)
    stats = sampler.generation_stats_
    assert stats["filtered"] > 0 and sampler.shortfall_ == {}
    assert Counter(y_res) == {"billing": 100, "technical": 40, "account": 40}
    first_round = 4 + 7  # 20 and 35 rows, 5 a request
    assert sampler.n_requests_ > first_round  # the top-ups
    # a budget of the first round alone: nothing left for top-ups, and the
    # warning says why
    tight = LLMAugmentSampler(cache=tmp_path / "b", max_requests=first_round, **kw)
    with pytest.warns(
        UserWarning, match="rewrites the label_filter gave another class"
    ):
        tight.fit_resample(texts, y)
    assert tight.n_requests_ == first_round
    assert sum(tight.shortfall_.values()) == tight.generation_stats_["filtered"]


def test_answers_cut_off_at_max_tokens_are_named_in_the_shortfall(api, tmp_path):
    api.script = ["truncated"] * 5
    texts = [f"my invoice number {i} shows the wrong amount" for i in range(12)]
    texts += ["the app crashes on start", "login fails with error 500"]
    texts += ["please delete my account"]
    y = ["billing"] * 12 + ["technical"] * 2 + ["account"]
    sampler = LLMAugmentSampler(
        cache=None, max_rounds=1, max_concurrency=1, random_state=0
    )
    with pytest.warns(UserWarning) as caught:
        sampler.fit_resample(texts, y)
    (message,) = [str(w.message) for w in caught]
    assert message.endswith(
        "(5 answers cut off at max_tokens=2048 (stop_reason max_tokens); 12 "
        "rewrites asked for and not returned; not replaced within max_rounds=1)."
    )
    assert sampler.generation_stats_["truncated"] == 5


def test_requests_are_split_to_fit_max_tokens(api, tmp_path):
    """Seeds of 2,000 characters: five rewrites (~3,000 output tokens) do
    not fit in 2,048, so requests ask for three; no answer is cut off."""
    texts, y = _three_classes()
    texts = [t + " " + "with a long description of the case" * 60 for t in texts]
    assert min(len(t) for t in texts) > 2000
    sampler = LLMAugmentSampler(target_ratio=0.4, cache=None, random_state=0)
    expected = re.escape(
        "LLMAugmentSampler: n_per_request=5 rewrites would not fit in "
        "max_tokens=2048 output tokens; "
    )
    with pytest.warns(UserWarning, match=f"^{expected}") as caught:
        plan = sampler.dry_run(texts, y)
    assert "requests ask for fewer rewrites" in str(caught[0].message)
    assert plan["max_output_tokens"] <= 2048
    # 20 and 35 rows, 3 a request
    assert plan["requests"] == 7 + 12
    sampler.fit_resample(texts, y)
    assert sampler.n_requests_ == plan["requests"] == api.n_requests
    assert sampler.generation_stats_["truncated"] == 0 and sampler.shortfall_ == {}
    asked = [sum(s["n"] for s in _seeds(r["body"])) for r in api.requests]
    assert max(asked) == 3
    # unsplit, five such rewrites would be cut off, as the fake (and the
    # API) does past max_tokens
    body = api.requests[0]["body"]
    prompt = body["messages"][0]["content"]
    seed = {**_seeds(body)[0], "n": 5}
    before, _, rest = prompt.partition("<seeds>")
    prompt = f"{before}<seeds>{json.dumps([seed])}</seeds>{rest.split('</seeds>')[1]}"
    body = {**body, "messages": [{"role": "user", "content": prompt}]}
    answer = _answer(body, "ok")
    assert answer["stop_reason"] == "max_tokens"
    assert len(answer["content"][0]["input"]["rewrites"]) < 5


def test_the_dry_run_estimates_the_cost_from_given_prices(tmp_path):
    texts, y = _three_classes()
    prices = {"input": 1.0, "output": 5.0}
    sampler = LLMAugmentSampler(target_ratio=0.4, cache=None, random_state=0)
    plan = sampler.dry_run(texts, y, prices=prices)
    by_hand = (plan["input_tokens"] * 1.0 + plan["output_tokens"] * 5.0) / 1e6
    assert plan["cost"] == pytest.approx(by_hand, rel=1e-3)  # no cached prefix
    batch = LLMAugmentSampler(target_ratio=0.4, cache=None, random_state=0, batch=True)
    assert batch.dry_run(texts, y, prices=prices)["cost"] == pytest.approx(
        plan["cost"] / 2, rel=1e-3
    )
    assert "cost" not in sampler.dry_run(texts, y)
    # a long shared prefix (a chat's system prompt): written once a class,
    # read at a tenth of the price after
    records = [
        {
            "messages": [
                {"role": "system", "content": "Policy of the shop. " * 600},
                {"role": "user", "content": t},
                {"role": "assistant", "content": f"Reply to {t}"},
            ]
        }
        for t in texts
    ]
    chats = LLMAugmentSampler(
        text="messages", target_ratio=0.4, cache=None, random_state=0
    ).dry_run(records, y, prices=prices)
    no_cache = (chats["input_tokens"] * 1.0 + chats["output_tokens"] * 5.0) / 1e6
    assert chats["cost"] < 0.7 * no_cache
    with pytest.raises(
        ValueError,
        match=re.escape(
            "prices={'input': 1.0} must be {'input': price, 'output': price}, "
            "prices per million tokens (numbers >= 0)."
        ),
    ):
        sampler.dry_run(texts, y, prices={"input": 1.0})
