"""Sending the requests of LLMAugmentSampler: concurrent calls or one batch.

A *job* is ``(seed_row, label, key, meta, examples)``: ``key`` names the
request in the cache, ``meta`` describes it (stored with the answer),
``examples[0]`` is the seed text. Every answer is cached as soon as it
arrives, so an interrupted fit resumes from the cache.
"""

import hashlib
import json
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed

import numpy as np

from skbalance._generators import AnthropicGenerator, check_generated
from skbalance._text import stable_rank

__all__ = ["collect_texts", "plan_requests", "run_batch", "run_concurrent"]


def plan_requests(
    texts, labels, need, accepted, *, round_, n_examples, meta, context_salt
):
    """The requests of one round: for every seed still short of texts, enough
    slots of ``meta["n"]`` texts; top-up rounds use new slots.

    ``need`` maps a seed row to the texts it must contribute, ``accepted`` to
    those it has. The request key is a hash of ``meta`` with the class, the
    seed text and the slot: the context examples (other texts of the class,
    in an order salted by ``context_salt``) are not part of it, so CV folds
    and grid candidates reuse the answers for a seed.
    """
    n = meta["n"]
    class_texts = {}
    jobs = []
    for i in need:
        missing = need[i] - len(accepted.get(i, []))
        if missing <= 0:
            continue
        label = labels[i]
        label = label.item() if isinstance(label, np.generic) else label
        if label not in class_texts:
            class_texts[label] = [texts[r] for r in np.flatnonzero(labels == label)]
        others = [t for t in class_texts[label] if t != texts[i]]
        salt = f"{context_salt}:{texts[i]}"
        others.sort(key=lambda t: stable_rank(t, salt=salt))
        examples = [texts[i]] + others[: n_examples - 1]
        first = round_ * 1000
        for slot in range(first, first + -(-missing // n)):
            request = {**meta, "label": str(label), "seed": texts[i], "slot": slot}
            key = hashlib.sha256(json.dumps(request, sort_keys=True).encode())
            jobs.append((i, label, key.hexdigest(), request, examples))
    return jobs


def _show_progress(progress, n_jobs):
    return progress is True or (
        progress == "auto" and n_jobs >= 20 and sys.stderr.isatty()
    )


def collect_texts(need, *, plan, send, cache, max_requests, max_rounds, dedupe):
    """Rounds of requests until every seed row has ``need[row]`` texts.

    Parameters
    ----------
    need : dict
        Texts wanted per seed row.
    plan : callable
        ``plan(accepted, round_)``: the jobs of a round (see
        :func:`plan_requests`).
    send : callable
        ``send(jobs, cache)``: sends the jobs the cache did not answer;
        returns ``(answers, n_sent)``.
    cache : Cache
        Answers of earlier requests.
    max_requests : int or None
        Requests that may be sent in all.
    max_rounds : int
        Rounds: the first, then top-ups for texts lost to validation or dedupe.
    dedupe : skbalance._text.Dedupe or None
        Filters repeated texts.

    Returns
    -------
    accepted : dict
        The kept texts of every seed row, at most ``need[row]``.
    n_sent, n_cached : int
        Requests sent, and requests answered by the cache.
    """
    accepted = {}

    def take(i, text):
        if text and len(accepted.setdefault(i, [])) < need[i]:
            accepted[i].append(text)
            return True
        return False

    budget = max_requests
    n_sent = n_cached = 0
    for round_ in range(max_rounds):
        jobs = plan(accepted, round_)
        if not jobs:
            break
        answers = {}
        todo = []
        for job in jobs:
            hit = cache.get(job[2])
            if hit is None:
                todo.append(job)
            else:
                answers[job[2]] = hit
                n_cached += 1
        if budget is not None:
            todo = todo[:budget]
            budget -= len(todo)
        if todo:
            got, sent = send(todo, cache)
            answers.update(got)
            n_sent += sent
        candidates = [
            (i, t.strip()) for i, _, key, _, _ in jobs for t in answers.get(key, [])
        ]
        if dedupe is None:
            for i, text in candidates:
                take(i, text)
        else:
            dedupe.run(candidates, take)
        if budget == 0:
            break
    return accepted, n_sent, n_cached


def run_concurrent(generator, jobs, cache, *, n, seed_of, max_concurrency, progress):
    """Send ``jobs`` with up to ``max_concurrency`` in flight.

    Returns ``(answers, n_sent)``: the texts per key, and the requests sent.
    A failed request is raised after the others finish, as one error naming
    its class and what was cached.
    """
    answers = {}
    failure = None
    with ThreadPoolExecutor(max_workers=max_concurrency) as pool:
        futures = {}
        for job in jobs:
            _, label, key, _, examples = job
            futures[pool.submit(generator, examples, label, n, seed_of(key))] = job
        show = _show_progress(progress, len(futures))
        for done, future in enumerate(as_completed(futures), start=1):
            _, label, key, meta, examples = futures[future]
            if show:
                end = "\n" if done == len(futures) else ""
                print(
                    f"\rLLMAugmentSampler: {done}/{len(futures)} requests",
                    end=end,
                    file=sys.stderr,
                    flush=True,
                )
            try:
                texts = future.result()
            except Exception as exc:  # noqa: BLE001 - reported below
                failure = failure or (label, exc)
                continue
            texts = check_generated(texts, label=label, seed=examples[0])[:n]
            answers[key] = texts
            # short and empty answers are kept too: the top-up requests that
            # replace them are cached as well, so a rerun sends nothing
            cache.put(key, meta, texts)
    if failure is not None:
        label, exc = failure
        raise RuntimeError(
            f"LLMAugmentSampler: a request for class {label!r} failed after the "
            f"client's retries: {type(exc).__name__}: {exc}. The {len(answers)} "
            "answers received before it are in the cache; fit again to resume."
        ) from exc
    return answers, len(futures)


def run_batch(generator, jobs, cache, *, n, seed_of, poll_interval, progress):
    """Send ``jobs`` as one Message Batch, poll it, cache its answers.

    The batch id is written to the cache directory until the results are in,
    so a rerun after an interruption polls the same batch. Returns
    ``(answers, n_sent)``.
    """
    if not isinstance(generator, AnthropicGenerator):
        raise ValueError("batch=True needs generator='anthropic'.")
    client = generator.client.messages.batches
    keys = sorted(job[2] for job in jobs)
    marker = cache.marker(hashlib.sha256("".join(keys).encode()).hexdigest())
    batch_id = None
    if marker is not None and marker.exists():
        batch_id = json.loads(marker.read_text()).get("batch_id")
    if batch_id is None:
        requests = [
            {
                "custom_id": key,
                "params": generator.params(examples, label, n, seed_of(key)),
            }
            for _, label, key, _, examples in jobs
        ]
        batch_id = client.create(requests=requests).id
        if marker is not None:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text(json.dumps({"batch_id": batch_id}))
    while True:
        batch = client.retrieve(batch_id)
        counts = batch.request_counts
        if progress is True or (progress == "auto" and sys.stderr.isatty()):
            print(
                f"\rLLMAugmentSampler: batch {batch_id} {batch.processing_status}, "
                f"{counts.succeeded + counts.errored}/{len(jobs)} done",
                file=sys.stderr,
                flush=True,
            )
        if batch.processing_status == "ended":
            break
        time.sleep(poll_interval)
    meta_of = {key: meta for _, _, key, meta, _ in jobs}
    answers, failed = {}, Counter()
    for item in client.results(batch_id):
        if item.custom_id not in meta_of:
            continue
        if item.result.type == "succeeded":
            texts = generator.parse(item.result.message)[:n]
            answers[item.custom_id] = texts
            cache.put(item.custom_id, meta_of[item.custom_id], texts)
        else:
            failed[item.result.type] += 1
    if marker is not None:
        marker.unlink(missing_ok=True)
    if failed:
        raise RuntimeError(
            f"LLMAugmentSampler: batch {batch_id} had {dict(failed)} requests; "
            f"the {len(answers)} answers received are in the cache; fit again "
            "to send the rest."
        )
    return answers, len(jobs)
