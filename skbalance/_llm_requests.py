"""The requests of LLMAugmentSampler: planned per rewrite, cached per rewrite,
sent several seeds at a time.

Every new row is an *item*: the ``j``-th rewrite of a seed row. An item's
cache key is a hash of the prompt version, the model, the class, the seed and
``j``, never of the fold or of the other seeds, so CV folds and grid
candidates that need a seed's first rewrites find them in the cache. The
items the cache does not answer are grouped, within a class, into requests of
at most ``n_per_request`` rewrites, so a request asks for exactly what its
seeds will contribute. Every answer is cached per item as it arrives, so an
interrupted fit resumes from the cache.
"""

import hashlib
import json
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed

from skbalance._generators import (
    USAGE_FIELDS,
    AnthropicGenerator,
    GeneratorOutputError,
)
from skbalance._rewrite import canonical, check_variant, unit_text

__all__ = ["collect_rewrites", "run_batch", "run_concurrent"]

#: consecutive requests that could not reach the API before a fit stops
MAX_CONNECTION_FAILURES = 3


def _hash(value):
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def _requests(items, *, units, kind, labels, n_per_request, context_of, seed_of):
    """Group ``(row, j, key)`` items into requests of one class each."""
    by_class = {}
    for item in items:
        by_class.setdefault(labels[item[0]], []).append(item)
    requests = []
    for label, class_items in by_class.items():
        for start in range(0, len(class_items), n_per_request):
            chunk = class_items[start : start + n_per_request]
            rows = list(dict.fromkeys(row for row, _, _ in chunk))
            keys = [[key for row, _, key in chunk if row == r] for r in rows]
            key = _hash([k for ks in keys for k in ks])
            requests.append(
                {
                    "key": key,
                    "label": label,
                    "kind": kind,
                    "context": context_of(label),
                    "seeds": [
                        (units[r], len(k)) for r, k in zip(rows, keys, strict=True)
                    ],
                    "rows": rows,
                    "item_keys": keys,
                    "random_state": seed_of(key),
                }
            )
    return requests


def collect_rewrites(
    need,
    *,
    units,
    kind,
    labels,
    meta,
    n_per_request,
    context_of,
    seed_of,
    send,
    cache,
    max_requests,
    max_rounds,
    dedupe,
):
    """Rounds of requests until every seed row has ``need[row]`` rewrites.

    Parameters
    ----------
    need : dict
        Rewrites wanted per seed row.
    units, kind : list, str
        The unit of every row and their kind (see :mod:`skbalance._rewrite`).
    labels : list
        The class of every row.
    meta : dict
        What identifies the prompt and model in the cache keys.
    n_per_request : int
        Most rewrites asked in one request.
    context_of : callable
        ``context_of(label)``: the examples shown for a class.
    seed_of : callable
        ``seed_of(key)``: the ``random_state`` of a request.
    send : callable
        ``send(requests, on_answer)``: sends the requests and calls
        ``on_answer(request, rewrites)`` for each answer; returns
        ``(n_sent, usage)``.
    cache : Cache
        Answers of earlier requests, per item.
    max_requests : int or None
        Requests that may be sent in all.
    max_rounds : int
        Rounds: the first, then top-ups for rewrites lost to validation or
        dedupe.
    dedupe : skbalance._text.Dedupe or None
        Filters repeated rewrites.

    Returns
    -------
    accepted : dict
        The kept rewrites of every seed row, at most ``need[row]``.
    stats : dict
        ``requests`` sent, ``cached`` items answered by the cache,
        ``received`` rewrites and ``kept`` ones, and the API's ``usage``.
    """
    accepted = {row: [] for row in need}
    tried = Counter()
    stats = {"requests": 0, "cached": 0, "received": 0, "kept": 0}
    usage = dict.fromkeys(USAGE_FIELDS, 0)
    budget = max_requests
    answered = []  # (row, unit) of the answers of the current round

    def on_answer(request, rewrites):
        for row, keys, got in zip(
            request["rows"], request["item_keys"], rewrites, strict=True
        ):
            for k, key in enumerate(keys):
                answer = got[k : k + 1]
                # an item left unanswered is cached empty: the top-up that
                # replaces it is cached too, so a rerun sends nothing
                cache.put(key, {**meta, "label": str(request["label"])}, answer)
                answered.extend((row, unit) for unit in answer)

    def take(row, unit):
        if len(accepted[row]) < need[row]:
            accepted[row].append(unit)
            return True
        return False

    for _ in range(max_rounds):
        items, candidates = [], []
        for row in need:
            missing = need[row] - len(accepted[row])
            for j in range(tried[row], tried[row] + max(missing, 0)):
                key = _hash(
                    {
                        **meta,
                        "label": str(labels[row]),
                        "seed": canonical(units[row]),
                        "variant": j,
                    }
                )
                hit = cache.get(key)
                if hit is None:
                    items.append((row, j, key))
                else:
                    stats["cached"] += 1
                    candidates += [(row, unit) for unit in hit]
            tried[row] += max(missing, 0)
        if not items and not candidates:
            break
        requests = _requests(
            items,
            units=units,
            kind=kind,
            labels=labels,
            n_per_request=n_per_request,
            context_of=context_of,
            seed_of=seed_of,
        )
        if budget is not None:
            requests = requests[:budget]
            budget -= len(requests)

        if requests:
            sent, used = send(requests, on_answer)
            stats["requests"] += sent
            for name, value in used.items():
                usage[name] += value
            candidates += answered
            answered.clear()
        stats["received"] += len(candidates)
        valid = []
        for row, unit in candidates:
            clean = check_variant(kind, units[row], unit)
            if clean is not None:
                valid.append((row, clean))
        if dedupe is None:
            kept = sum(take(row, unit) for row, unit in valid)
        else:
            kept = dedupe.run(valid, take, text_of=unit_text)
        stats["kept"] += kept
        if budget == 0:
            break
    stats["usage"] = usage
    return {row: got for row, got in accepted.items() if got}, stats


def _show_progress(progress, n_requests):
    return progress is True or (
        progress == "auto" and n_requests >= 20 and sys.stderr.isatty()
    )


def run_concurrent(generator, requests, on_answer, *, max_concurrency, progress):
    """Send ``requests`` with up to ``max_concurrency`` in flight.

    Returns ``(n_sent, usage)``. A request that fails after the client's
    retries is raised once the others finish, as one error naming its class
    and what was cached; after ``MAX_CONNECTION_FAILURES`` requests in a row
    that could not reach the API, the requests not yet sent are cancelled.
    """
    connection_errors = getattr(generator, "connection_errors", ())
    usage = Counter()
    answered = failures_in_a_row = 0
    failure = None
    pool = ThreadPoolExecutor(max_workers=max_concurrency)
    try:
        futures = {pool.submit(generator, request): request for request in requests}
        show = _show_progress(progress, len(futures))
        for done, future in enumerate(as_completed(futures), start=1):
            request = futures[future]
            if show:
                end = "\n" if done == len(futures) else ""
                print(
                    f"\rLLMAugmentSampler: {done}/{len(futures)} requests",
                    end=end,
                    file=sys.stderr,
                    flush=True,
                )
            try:
                rewrites, used = future.result()
            except GeneratorOutputError:
                raise
            except Exception as exc:  # noqa: BLE001 - reported below
                failure = failure or (request, exc)
                if isinstance(exc, connection_errors):
                    failures_in_a_row += 1
                    if failures_in_a_row >= MAX_CONNECTION_FAILURES:
                        break
                continue
            failures_in_a_row = 0
            answered += 1
            usage.update(used)
            on_answer(request, rewrites)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if failure is not None:
        request, exc = failure
        if failures_in_a_row >= MAX_CONNECTION_FAILURES:
            raise RuntimeError(
                f"LLMAugmentSampler: {failures_in_a_row} requests in a row could not "
                f"reach the API ({type(exc).__name__}: {exc}); stopped. The "
                f"{answered} answers received before are in the cache: fit again to "
                "resume once the API can be reached."
            ) from exc
        raise RuntimeError(
            f"LLMAugmentSampler: a request for class {request['label']!r} failed "
            f"after the client's retries: {type(exc).__name__}: {exc}. The "
            f"{answered} answers received before it are in the cache; fit again to "
            "resume."
        ) from exc
    return len(requests), dict(usage)


def run_batch(generator, requests, on_answer, *, cache, poll_interval, progress):
    """Send ``requests`` as one Message Batch, poll it, hand its answers on.

    The batch id is written to the cache directory until the results are in,
    so a rerun after an interruption polls the same batch. Returns
    ``(n_sent, usage)``.
    """
    if not isinstance(generator, AnthropicGenerator):
        raise ValueError("batch=True needs generator='anthropic'.")
    client = generator.client.messages.batches
    marker = cache.marker(_hash(sorted(r["key"] for r in requests)))
    batch_id = None
    if marker is not None and marker.exists():
        batch_id = json.loads(marker.read_text()).get("batch_id")
    if batch_id is None:
        batch_id = client.create(
            requests=[
                {"custom_id": r["key"], "params": generator.params(r)} for r in requests
            ]
        ).id
        if marker is not None:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text(json.dumps({"batch_id": batch_id}))
    while True:
        batch = client.retrieve(batch_id)
        counts = batch.request_counts
        if progress is True or (progress == "auto" and sys.stderr.isatty()):
            print(
                f"\rLLMAugmentSampler: batch {batch_id} {batch.processing_status}, "
                f"{counts.succeeded + counts.errored}/{len(requests)} done",
                file=sys.stderr,
                flush=True,
            )
        if batch.processing_status == "ended":
            break
        time.sleep(poll_interval)
    by_key = {r["key"]: r for r in requests}
    usage, failed, answered = Counter(), Counter(), 0
    for item in client.results(batch_id):
        request = by_key.get(item.custom_id)
        if request is None:
            continue
        if item.result.type == "succeeded":
            rewrites, used = generator.parse(item.result.message, request)
            usage.update(used)
            on_answer(request, rewrites)
            answered += 1
        else:
            failed[item.result.type] += 1
    if marker is not None:
        marker.unlink(missing_ok=True)
    if failed:
        raise RuntimeError(
            f"LLMAugmentSampler: batch {batch_id} had {dict(failed)} requests; "
            f"the {answered} answers received are in the cache; fit again "
            "to send the rest."
        )
    return len(requests), dict(usage)
