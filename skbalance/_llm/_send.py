"""Sending the requests of LLMAugmentSampler: concurrent calls, or one
Message Batch. Each answer is handed to ``on_answer`` as it arrives, which
caches it, so an interrupted fit resumes from the cache.
"""

import json
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from threading import Lock
from time import monotonic, sleep

from skbalance._llm._cache import cache_key
from skbalance._llm._generators import AnthropicGenerator, GeneratorOutputError

__all__ = ["Pace", "run_batch", "run_concurrent"]

#: consecutive requests that could not reach the API, or that the API
#: refused as rate-limited or overloaded after the client's retries, before a
#: fit stops
MAX_CONNECTION_FAILURES = 3
#: HTTP statuses of a refusal that more requests would only repeat: rate
#: limited (429) and overloaded (529)
REFUSED_STATUSES = (429, 529)


class Pace:
    """At most ``per_minute`` requests a minute, spread evenly: each call of
    :meth:`wait` (one per request sent, from any thread) returns at least
    ``60 / per_minute`` seconds after the one before. None waits for
    nothing. ``monotonic`` and ``sleep`` are names of this module, so tests
    can give it a clock of their own."""

    def __init__(self, per_minute):
        self.interval = None if per_minute is None else 60.0 / per_minute
        self._next = None
        self._lock = Lock()

    def wait(self):
        if self.interval is None:
            return
        with self._lock:
            now = monotonic()
            start = now if self._next is None else max(now, self._next)
            self._next = start + self.interval
        if start > now:
            sleep(start - now)


def _show_progress(progress, n_requests):
    return progress is True or (
        progress == "auto" and n_requests >= 20 and sys.stderr.isatty()
    )


def _refused(exc):
    return getattr(exc, "status_code", None) in REFUSED_STATUSES


def run_concurrent(
    call, requests, on_answer, *, max_concurrency, progress, connection_errors=()
):
    """Send ``requests`` with up to ``max_concurrency`` in flight.

    ``call(request)`` returns ``(answers, usage, sent)`` (``sent`` False when
    the cache answered it after all), and ``on_answer(request, answers)``
    takes each answer as it arrives. Returns ``(n_sent, usage)``. A request
    that fails after the client's retries is raised once the others finish,
    as one error naming its class and what was cached; after
    ``MAX_CONNECTION_FAILURES`` requests in a row that could not reach the
    API (``connection_errors``), or that it refused as rate-limited or
    overloaded (429, 529), the requests not yet sent are cancelled.
    """
    usage = Counter()
    answered = failures_in_a_row = n_sent = 0
    failure = None
    pool = ThreadPoolExecutor(max_workers=max_concurrency)
    try:
        futures = {pool.submit(call, request): request for request in requests}
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
                answers, used, sent = future.result()
            except GeneratorOutputError:
                raise
            except Exception as exc:  # noqa: BLE001 - reported below
                n_sent += 1
                failure = failure or (request, exc)
                if isinstance(exc, connection_errors) or _refused(exc):
                    failures_in_a_row += 1
                    if failures_in_a_row >= MAX_CONNECTION_FAILURES:
                        failure = (request, exc)  # the stop names the last
                        break
                continue
            failures_in_a_row = 0
            answered += 1
            n_sent += sent
            usage.update(used)
            on_answer(request, answers)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if failure is not None:
        request, exc = failure
        if failures_in_a_row >= MAX_CONNECTION_FAILURES and _refused(exc):
            raise RuntimeError(
                f"LLMAugmentSampler: {failures_in_a_row} requests in a row were "
                "refused by the API as rate-limited or overloaded after the "
                f"client's retries ({type(exc).__name__}: {exc}); stopped. The "
                f"{answered} answers received before are in the cache: fit again "
                "to resume later, or with a lower max_concurrency."
            ) from exc
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
    return n_sent, dict(usage)


def run_batch(generator, requests, on_answer, *, cache, poll_interval, progress):
    """Send ``requests`` as one Message Batch, poll it, hand its answers on.

    The batch id is written to the cache directory until the results are in,
    so a rerun after an interruption polls the same batch. Returns
    ``(n_sent, usage)``.
    """
    if not isinstance(generator, AnthropicGenerator):
        raise ValueError("batch=True needs generator='anthropic'.")
    client = generator.client.messages.batches
    marker = cache.marker(cache_key(sorted(r["key"] for r in requests)))
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
        sleep(poll_interval)  # a name of this module, so tests can patch it alone
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
