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
from collections import Counter

import numpy as np

from skbalance._llm._cache import Cache, cache_key
from skbalance._llm._generators import (
    PROMPT_VERSION,
    USAGE_FIELDS,
    generator_key,
    min_cached_tokens,
    request_body,
)
from skbalance._llm._rewrite import (
    canonical,
    check_variant,
    dedupe_text,
    model_view,
    unit_text,
)
from skbalance._llm._send import Pace, run_batch, run_concurrent
from skbalance._text import Dedupe, seed_similarities

__all__ = [
    "LOST",
    "collect_rewrites",
    "estimate_cost",
    "estimate_tokens",
    "generate",
    "request_output_tokens",
]

#: what a fit can lose on the way to its target, counted in its stats
LOST = (
    "invalid",
    "copies",
    "duplicates",
    "filtered",
    "truncated",
    "unanswered",
    "unrequested",
)


def output_tokens(seed, n):
    """Estimated output tokens of ``n`` rewrites of ``seed`` (4 characters a
    token, rewrites a little longer than the part of the seed rewritten)."""
    return n * (40 + int(1.2 * len(canonical(model_view(seed))))) // 4


#: estimated output tokens of a request besides its rewrites (the tool call)
REQUEST_OUTPUT_TOKENS = 10


def _requests(
    items,
    *,
    units,
    kind,
    labels,
    n_per_request,
    max_tokens,
    context_of,
    seed_of,
    describe,
):
    """Group ``(row, j, key)`` items into requests of one class each: at most
    ``n_per_request`` rewrites, and no more than fit in ``max_tokens`` by
    :func:`output_tokens` (a request holds one rewrite at least). Returns the
    requests and how many were cut short by ``max_tokens``."""
    by_class = {}
    for item in items:
        by_class.setdefault(labels[item[0]], []).append(item)
    requests, n_cut = [], 0
    for label, class_items in by_class.items():
        chunks, chunk, tokens = [], [], REQUEST_OUTPUT_TOKENS
        for item in class_items:
            cost = output_tokens(units[item[0]], 1)
            if chunk and (len(chunk) == n_per_request or tokens + cost > max_tokens):
                n_cut += len(chunk) < n_per_request
                chunks.append(chunk)
                chunk, tokens = [], REQUEST_OUTPUT_TOKENS
            chunk.append(item)
            tokens += cost
        chunks.append(chunk)
        for chunk in chunks:
            rows = list(dict.fromkeys(row for row, _, _ in chunk))
            keys = [[key for row, _, key in chunk if row == r] for r in rows]
            key = cache_key([k for ks in keys for k in ks])
            requests.append(
                {
                    "key": key,
                    "label": label,
                    "description": describe(label),
                    "kind": kind,
                    "context": context_of(label, rows, key),
                    "seeds": [
                        (units[r], len(k)) for r, k in zip(rows, keys, strict=True)
                    ],
                    "rows": rows,
                    "item_keys": keys,
                    "random_state": seed_of(key),
                }
            )
    return requests, n_cut


def share_budget(requests, budget):
    """The requests that ``budget`` pays for, shared between classes in
    proportion to their requests (largest remainders), every class getting
    one at least while the budget allows, in the order given."""
    if budget is None or len(requests) <= budget:
        return requests
    need = Counter(r["label"] for r in requests)
    # the classes first served when the budget cannot give each one: the
    # largest needs, then the order of appearance
    order = sorted(need, key=lambda label: -need[label])
    share = dict.fromkeys(need, 0)
    for label in order[:budget]:
        share[label] = 1
    left = budget - sum(share.values())
    if left > 0:
        rest = {label: need[label] - share[label] for label in need}
        total = sum(rest.values())
        exact = {label: left * rest[label] / total for label in need}
        for label in need:
            share[label] += int(exact[label])
        remainder = budget - sum(share.values())
        by_fraction = sorted(
            need, key=lambda label: -(exact[label] - int(exact[label]))
        )
        for label in by_fraction[:remainder]:
            share[label] += 1
    taken = Counter()
    chosen = []
    for request in requests:
        if taken[request["label"]] < share[request["label"]]:
            taken[request["label"]] += 1
            chosen.append(request)
    return chosen


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
    max_tokens=None,
    label_check=None,
    seed_similarity=None,
    describe=lambda label: None,
):
    """Rounds of requests until every seed row has ``need[row]`` rewrites.

    Parameters
    ----------
    need : dict
        Rewrites wanted per seed row.
    units, kind : list, str
        The unit of every row and their kind (see :mod:`skbalance._llm._rewrite`).
    labels : list
        The class of every row.
    meta : dict
        What identifies the prompt and model in the cache keys.
    n_per_request : int
        Most rewrites asked in one request.
    context_of : callable
        ``context_of(label, rows, key)``: the examples shown next to the
        seed ``rows`` of a request of key ``key``.
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
    max_tokens : int or None
        Output token limit of a request: requests hold fewer rewrites when
        ``n_per_request`` of them would not fit (see :func:`_requests`).
    label_check : callable or None
        ``label_check(rows, units)``: True for the valid rewrites to keep
        (the ``label_filter``); the others are topped up as lost ones.
    seed_similarity : float or None
        Drop rewrites whose :func:`skbalance._text.seed_similarities` to
        their seed reaches it (topped up as lost ones).
    describe : callable
        ``describe(label)``: the description of a class shown in its
        prompts, or None; part of its rewrites' cache keys.

    Returns
    -------
    accepted : dict
        The kept rewrites of every seed row, at most ``need[row]``.
    stats : dict
        ``requests`` sent, ``cached`` items answered by the cache,
        ``received`` rewrites and ``kept`` ones, and the API's ``usage``;
        what was lost: ``invalid``, ``copies`` (of their seed),
        ``duplicates``, ``filtered`` rewrites,
        ``truncated`` answers (cut off at ``max_tokens``), ``unanswered``
        rewrites (asked for, not returned) and
        ``unrequested`` rewrites (beyond ``max_requests``); of the first
        round, ``requests_needed`` (without the budget), ``covered`` (rows
        per class that the cache and the budgeted requests ask for) and
        ``split`` (requests that ``max_tokens`` made smaller).
    """
    accepted = {row: [] for row in need}
    tried = Counter()
    stats = {"requests": 0, "cached": 0, "received": 0, "kept": 0}
    lost = dict.fromkeys(LOST, 0)
    first = {}
    usage = dict.fromkeys(USAGE_FIELDS, 0)
    budget = max_requests
    answered = []  # ((row, j), row, unit) of the answers of the current round
    position = {}  # item key -> (row, j)

    def on_answer(request, answers, *, stored=False):
        # answers: item key -> its rewrites (one, or none)
        for key, answer in answers.items():
            if not stored:
                # an item left unanswered is cached empty: the top-up that
                # replaces it is cached too, so a rerun sends nothing
                cache.put(key, {**meta, "label": str(request["label"])}, answer)
            answered.extend((position[key], position[key][0], u) for u in answer)

    def take(row, unit):
        if len(accepted[row]) < need[row]:
            accepted[row].append(unit)
            return True
        return False

    for round_ in range(max_rounds):
        items, candidates = [], []
        for row in need:
            missing = need[row] - len(accepted[row])
            for j in range(tried[row], tried[row] + max(missing, 0)):
                described = describe(labels[row])
                key = cache_key(
                    {
                        **meta,
                        "label": str(labels[row]),
                        "seed": canonical(units[row]),
                        "variant": j,
                        # only when given, so that other keys stay as they were
                        **({"description": described} if described else {}),
                    }
                )
                hit = cache.get(key)
                if hit is None:
                    items.append((row, j, key))
                    position[key] = (row, j)
                else:
                    stats["cached"] += 1
                    candidates += [((row, j), row, unit) for unit in hit]
            tried[row] += max(missing, 0)
        if not items and not candidates:
            break
        requests, n_cut = _requests(
            items,
            units=units,
            kind=kind,
            labels=labels,
            n_per_request=n_per_request,
            max_tokens=max_tokens or float("inf"),
            context_of=context_of,
            seed_of=seed_of,
            describe=describe,
        )
        asked = sum(n for r in requests for _, n in r["seeds"])
        needed = len(requests)
        requests = share_budget(requests, budget)
        if budget is not None:
            budget -= len(requests)
        lost["unrequested"] = asked - sum(n for r in requests for _, n in r["seeds"])
        if round_ == 0:
            covered = Counter(labels[row] for _, row, _ in candidates)
            for request in requests:
                covered[request["label"]] += sum(n for _, n in request["seeds"])
            first = {"requests_needed": needed, "covered": covered, "split": n_cut}

        if requests:
            sent, used = send(requests, on_answer)
            stats["requests"] += sent
            lost["truncated"] += used.pop("truncated", 0)
            n_asked = sum(n for r in requests for _, n in r["seeds"])
            lost["unanswered"] += max(n_asked - len(answered), 0)  # 0 in a dry run
            for name, value in used.items():
                usage[name] += value
            candidates += answered
            answered.clear()
        stats["received"] += len(candidates)
        # in item order, whatever order the answers arrived in: a rerun from
        # the cache keeps the same rewrites
        candidates.sort(key=lambda candidate: candidate[0])
        valid = []
        for _, row, unit in candidates:
            clean = check_variant(kind, units[row], unit)
            if clean is not None:
                valid.append((row, clean))
        lost["invalid"] += len(candidates) - len(valid)
        if seed_similarity is not None and valid:
            similar = seed_similarities(
                [dedupe_text(units[row]) for row, _ in valid],
                [dedupe_text(unit) for _, unit in valid],
            )
            lost["copies"] += int((similar >= seed_similarity).sum())
            valid = [
                v for v, s in zip(valid, similar, strict=True) if s < seed_similarity
            ]
        if label_check is not None and valid:
            keep = label_check([row for row, _ in valid], [u for _, u in valid])
            lost["filtered"] += len(valid) - sum(keep)
            valid = [v for v, k in zip(valid, keep, strict=True) if k]
        if dedupe is None:
            kept = sum(take(row, unit) for row, unit in valid)
        else:
            kept = dedupe.run(valid, take, text_of=dedupe_text)
        lost["duplicates"] += len(valid) - kept
        stats["kept"] += kept
        if budget == 0:
            break
    stats["usage"] = usage
    return {row: got for row, got in accepted.items() if got}, {
        **stats,
        **lost,
        **first,
    }


def generate(sampler, units, kind, labels, need, rng, *, generator=None, planned=None):
    """The request side of a fit of ``sampler`` (an LLMAugmentSampler): the
    rewrites that ``need`` asks for, with the sampler's settings.

    The seed of every request derives from ``rng`` (the fit's generator, from
    ``random_state``). With ``planned`` (a list), nothing is sent: the first
    round's requests are appended to it (a dry run).
    """
    request_seed = int(rng.integers(2**31))

    def seed_of(salt):
        text = f"{request_seed}:{salt}"
        return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)

    by_class = {}
    for row, label in enumerate(labels.tolist()):
        by_class.setdefault(label, []).append(row)

    def context_of(label, rows, key):
        # other examples of the class, drawn for each request (salted by its
        # key) so that the model sees more of the class than a fixed few;
        # the request's own seeds are not repeated as examples
        pool, seeds, wanted = by_class[label], set(rows), sampler.n_examples - 1
        draw = np.random.default_rng(seed_of(f"context:{key}"))
        picked = draw.choice(len(pool), min(len(pool), wanted + len(rows)), False)
        others = [pool[i] for i in picked.tolist() if pool[i] not in seeds]
        return [units[r] for r in others[:wanted]]

    cache = Cache(sampler.cache)
    meta = {
        "prompt_version": PROMPT_VERSION,
        "model": generator_key(sampler.generator, sampler.model),
    }

    pace = Pace(sampler.max_requests_per_minute)

    def by_item(request, rewrites):
        """Item key -> its rewrite (a list of one, or empty), from the
        rewrites of every seed of ``request``."""
        return {
            key: got[k : k + 1]
            for keys, got in zip(request["item_keys"], rewrites, strict=True)
            for k, key in enumerate(keys)
        }

    def claimed(request):
        """Send ``request`` for what the cache still misses once its entries
        are locked (another fit may have answered them meanwhile), and store
        the answers before the locks are released."""
        keys = [key for keys in request["item_keys"] for key in keys]
        with cache.claim(keys):
            hits = {key: cache.get(key) for key in keys}
            answers = {key: hit for key, hit in hits.items() if hit is not None}
            missing = [
                [k for k in keys if hits[k] is None] for keys in request["item_keys"]
            ]
            if not any(missing):
                return answers, {}, False
            kept = [k for k, m in enumerate(missing) if m]
            narrowed = {
                **request,
                "seeds": [(request["seeds"][k][0], len(missing[k])) for k in kept],
                "rows": [request["rows"][k] for k in kept],
                "item_keys": [missing[k] for k in kept],
            }
            pace.wait()
            rewrites, usage = generator(narrowed)
            fresh = by_item(narrowed, rewrites)
            for key, answer in fresh.items():
                cache.put(key, {**meta, "label": str(request["label"])}, answer)
        return {**answers, **fresh}, usage, True

    def send(requests, on_answer):
        if planned is not None:
            planned.extend(requests)
            return 0, {}
        if sampler.batch:
            return run_batch(
                generator,
                requests,
                lambda request, rewrites: on_answer(
                    request, by_item(request, rewrites)
                ),
                cache=cache,
                poll_interval=sampler.poll_interval,
                progress=sampler.progress,
            )
        return run_concurrent(
            claimed,
            requests,
            lambda request, answers: on_answer(request, answers, stored=True),
            max_concurrency=sampler.max_concurrency,
            progress=sampler.progress,
            connection_errors=getattr(generator, "connection_errors", ()),
        )

    def label_check(rows, new):
        f, texts = sampler.label_filter, [unit_text(unit) for unit in new]
        predicted = f.predict(texts) if hasattr(f, "predict") else f(texts)
        return (np.asarray(predicted) == labels[rows]).tolist()

    dedupe = (
        Dedupe([dedupe_text(u) for u in units], labels, sampler.similarity)
        if sampler.dedupe
        else None
    )
    return collect_rewrites(
        need,
        units=units,
        kind=kind,
        labels=labels.tolist(),
        meta=meta,
        n_per_request=sampler.n_per_request,
        context_of=context_of,
        seed_of=seed_of,
        send=send,
        cache=cache,
        max_requests=sampler.max_requests,
        max_rounds=1 if planned is not None else sampler.max_rounds,
        dedupe=dedupe,
        max_tokens=sampler.max_tokens,
        label_check=None if sampler.label_filter is None else label_check,
        seed_similarity=sampler.seed_similarity,
        describe=(sampler.class_descriptions or {}).get,
    )


def estimate_tokens(requests, model, max_tokens):
    """Rough token counts of ``requests`` (4 characters a token): the prompts
    that would be sent, and rewrites as long as their seeds."""
    chars_in = sum(
        len(json.dumps(request_body(r, model, max_tokens))) for r in requests
    )
    out = sum(request_output_tokens(r) for r in requests)
    return {"input_tokens": chars_in // 4, "output_tokens": out}


def request_output_tokens(request):
    """Estimated output tokens of one request (see :func:`output_tokens`)."""
    return REQUEST_OUTPUT_TOKENS + sum(
        output_tokens(seed, n) for seed, n in request["seeds"]
    )


#: what the API charges for prompt-cache writes and reads, as multiples of
#: the input price (Anthropic's pricing page, 2026-12: 5-minute cache writes
#: 1.25x, reads 0.1x); Message Batches cost half of everything
CACHE_WRITE_PRICE, CACHE_READ_PRICE, BATCH_PRICE = 1.25, 0.1, 0.5


def estimate_cost(requests, model, max_tokens, prices, *, batch=False):
    """Estimated cost of ``requests`` in the currency of ``prices``.

    ``prices`` gives ``input`` and ``output`` prices per million tokens. The
    prefix shared by a class's requests, when long enough to be cached, is
    counted as written to the API's prompt cache by the class's first
    request and read by the others; ``batch`` halves the total.
    """
    threshold = min_cached_tokens(model)
    total, seen = 0.0, set()
    for request in requests:
        body = request_body(request, model, max_tokens, min_cached_tokens=threshold)
        tokens = len(json.dumps(body)) // 4
        prefix_block = body["system"][0]
        prefix = 0
        if prefix_block.get("cache_control"):
            prefix = (len(json.dumps(body["tools"])) + len(prefix_block["text"])) // 4
            rate = (
                CACHE_READ_PRICE if prefix_block["text"] in seen else CACHE_WRITE_PRICE
            )
            seen.add(prefix_block["text"])
            total += prefix * rate * prices["input"]
        total += (tokens - prefix) * prices["input"]
        total += request_output_tokens(request) * prices["output"]
    return total / 1e6 * (BATCH_PRICE if batch else 1.0)
