"""Throughput and yield of LLMAugmentSampler's requests.

The official anthropic client talks to a local fake of the Messages API
(``skbalance._llm._testing.FakeMessagesAPI``) that answers every request after a
simulated latency (200 ms by default). The same generation runs with
``max_concurrency=1`` (the one-request-at-a-time loop) and with
``max_concurrency=8``; the speed-up is their time ratio, median of
``--repeats`` rounds run in alternation. Target (issue #5): at least
0.8 x max_concurrency. Correctness (every class at target, request counts)
is asserted, never time. No network.

Yield (issue #13), on the bundled support tickets raised to a ratio of 1.0:
the requests sent against ``ceil(new rows / n_per_request)`` per class, the
rewrites kept (after validation and dedupe) against those received (target
>= 0.8), and with long class examples the share of input tokens read from
the API's prompt cache.

Run: ``python benchmarks/bench_llm_throughput.py [--quick] [--latency S]``.
"""

import argparse
import math
import os
import sys
from collections import Counter

from _timing import machine, paired_times

from skbalance import LLMAugmentSampler, load_support_tickets
from skbalance._llm._testing import FakeMessagesAPI


def data(n_requests):
    """One large class and one class of 2 seeds needing ``5 * n_requests``
    new texts (5 per request)."""
    big = [f"invoice {i} has the wrong amount" for i in range(2 + 5 * n_requests)]
    rare = ["the app crashes on start", "login fails with error 500"]
    return big + rare, ["billing"] * len(big) + ["technical"] * 2


def run(concurrency, texts, y, expected):
    sampler = LLMAugmentSampler(
        generator="anthropic",
        cache=None,
        max_concurrency=concurrency,
        random_state=0,
    )
    _, y_res = sampler.fit_resample(texts, y)
    assert sampler.shortfall_ == {}, sampler.shortfall_
    assert sampler.n_requests_ == expected, sampler.n_requests_
    return y_res


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="16 requests, 1 round")
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    n_requests = 16 if args.quick else 64
    repeats = 1 if args.quick else args.repeats
    texts, y = data(n_requests)
    with FakeMessagesAPI(latency=args.latency) as api:
        os.environ["ANTHROPIC_API_KEY"] = "sk-ant-fake"
        os.environ["ANTHROPIC_BASE_URL"] = api.url
        (t_seq, t_par), (ratio,) = paired_times(
            [
                lambda: run(1, texts, y, n_requests),
                lambda: run(8, texts, y, n_requests),
            ],
            repeats,
        )
    target = 0.8 * 8
    verdict = "PASS" if ratio >= target else "MISS"
    print(f"{machine()}; {n_requests} requests of 5 texts, latency {args.latency} s")
    print("| max_concurrency | seconds | speed-up (target >= 6.4) |")
    print("|---:|---:|---|")
    print(f"| 1 | {t_seq:.2f} | 1.0 |")
    print(f"| 8 | {t_par:.2f} | {ratio:.1f}x {verdict} |")
    with FakeMessagesAPI() as api:
        os.environ["ANTHROPIC_BASE_URL"] = api.url
        yield_table(api)
    return 0


def yield_table(api):
    tickets = load_support_tickets()
    texts = [t["text"] for t in tickets]
    y = [t["label"] for t in tickets]
    counts = Counter(y)
    largest = max(counts.values())
    print()
    print(
        "| case | new rows | requests | ceil(new / n) | received | kept | kept share |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    for n_per_request in (5, 10):
        sampler = LLMAugmentSampler(
            cache=None, n_per_request=n_per_request, random_state=0, target_ratio=1.0
        )
        sampler.fit_resample(texts, y)
        stats = sampler.generation_stats_
        bound = sum(math.ceil((largest - c) / n_per_request) for c in counts.values())
        new = sum(largest - c for c in counts.values())
        assert stats["kept"] == new, stats
        share = stats["kept"] / stats["received"]
        verdict = "PASS" if share >= 0.8 else "MISS"
        print(
            f"| tickets, ratio 1.0, n_per_request={n_per_request} | {new} | "
            f"{stats['requests']} | {bound} | {stats['received']} | {stats['kept']} | "
            f"{share:.2f} (>= 0.8) {verdict} |"
        )
    long_texts = [t + " " + "Further details of the case follow. " * 20 for t in texts]
    sampler = LLMAugmentSampler(
        cache=None, n_examples=20, random_state=0, target_ratio=0.5, max_concurrency=1
    )
    sampler.fit_resample(long_texts, y)
    usage = sampler.usage_
    read = usage["cache_read_input_tokens"]
    total = read + usage["cache_creation_input_tokens"] + usage["input_tokens"]
    print()
    print(
        "Prompt cache, 20 examples of ~800 characters per class: "
        f"{sampler.n_requests_} requests, {read:,} of {total:,} input tokens read "
        f"from the cache ({read / total:.0%}); uncached input tokens "
        f"{usage['input_tokens']:,}."
    )


if __name__ == "__main__":
    sys.exit(main())
