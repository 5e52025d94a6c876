"""LLMAugmentSampler: new examples of rare classes written by an LLM.

The sampler is a member of the family of :mod:`skbalance._base`: the same
targets, seed planning (every seed used ``a // c`` or ``a // c + 1`` times),
shuffle and fitted attributes as the duplicating samplers; what it adds is
how a new row is made: requests to a generator (:mod:`skbalance._llm._generators`),
answered from the cache first (:mod:`skbalance._llm._cache`), sent
concurrently or as a batch (:mod:`skbalance._llm._requests`), and deduplicated
(:mod:`skbalance._text`).
"""

import os
import warnings
from collections import Counter
from numbers import Integral, Real

import numpy as np

from skbalance._base import BaseStrataOverSampler
from skbalance._compat import HasMethods, Interval, StrOptions, _fit_context
from skbalance._constraints import MIN_SHARE, TARGET_RATIO
from skbalance._containers import is_dataframe
from skbalance._fields import get_field
from skbalance._llm._generators import (
    DEFAULT_MODEL,
    check_client_options,
    generator_id,
    make_generator,
)
from skbalance._llm._requests import (
    LOST,
    estimate_cost,
    estimate_tokens,
    generate,
    request_output_tokens,
)
from skbalance._llm._rewrite import read_units, unit_text, write_units
from skbalance._targets import default_target, stratum_targets
from skbalance._text import stable_rank

__all__ = ["LLMAugmentSampler"]


class LLMAugmentSampler(BaseStrataOverSampler):
    """Add new examples of rare classes, written by an LLM.

    Classes are raised to ``target_ratio`` of the largest class, to class
    floors ``min_share``, or by ``n_per_seed`` rewrites of every example of
    the smaller classes, with the targets of :class:`RatioOverSampler` and
    :class:`DomainFloorSampler`, but the new rows are rewrites instead of
    copies. Every new row rewrites one seed example of its class (each seed
    is used evenly, a // c or a // c + 1 times); a request asks for the
    rewrites of up to ``n_per_request`` seeds' worth, next to a few other
    examples of the class. For fine-tuning records, several fields or a
    whole conversation are rewritten together.

    Read more in the :ref:`User Guide <llm_augment>`.

    Parameters
    ----------
    target_ratio : float in [0, 1] or None, default=None
        Size of every class as a fraction of the largest, as in
        :class:`RatioOverSampler`; 1.0 when neither this nor ``min_share`` is
        given, and 0 adds nothing.
    min_share : float in [0, 1] or None, default=None
        Minimum share of the output for every class, as in
        :class:`DomainFloorSampler`. Cannot be combined with ``target_ratio``.
    n_per_seed : int or None, default=None
        Instead of targets: ``n_per_seed`` rewrites of every example of every
        class smaller than the largest.
    text : str, list of str or None, default=None
        What is rewritten when X holds records or a DataFrame: a column, key
        or dotted path such as ``"meta.question"``; a list of fields, written
        together (``["instruction", "response"]``); or the field of a chat
        record's message list (``"messages"``), whose non-system turns are
        rewritten together with the same roles and turn count (system
        messages are context: sent once in the system prompt, not rewritten,
        kept verbatim, not part of the duplicate check). Other fields of a
        new record are copied from its seed. None when X is a list or 1-D
        array of texts.
    generator : "anthropic", "offline" or callable, default="anthropic"
        ``"anthropic"`` calls the Messages API with the official SDK (extra
        ``llm``; key from ``ANTHROPIC_API_KEY``). A callable
        ``(examples, label, n, random_state) -> list`` (called once per
        seed, ``examples[0]`` the seed's text, fields dict or message list)
        plugs in any other model; ``"offline"`` is :func:`offline_generator`.
        A callable's rewrites are cached under a hash of its code, default
        arguments and closure values (so two lambdas, or one factory called
        with other settings, never share entries); give it a ``cache_key``
        attribute (a str) to name what its answers depend on instead, e.g.
        when it reads module globals or a remote model's version.
    model : str, default="claude-haiku-4-5"
        Model id for ``generator="anthropic"``.
    n_per_request : int, default=5
        Rewrites asked for in one request, for one or several seeds of a
        class: a request asks for exactly what its seeds contribute.
    n_examples : int, default=3
        ``n_examples - 1`` other examples of the class are shown next to the
        seeds, drawn for each request from the class's rows (not its own
        seeds), so that the model sees more of the class than a fixed few.
        They follow the instructions and the conversations' system prompts,
        the prefix shared by the class's requests, which is marked for the
        API's prompt cache when long enough to be cached.
    max_concurrency : int, default=8
        Requests in flight at once (threads; safe in notebooks).
    max_requests_per_minute : int or None, default=None
        A client-side rate limit: requests are spread so that no more than
        this many start in a minute (below the account's limit, the API
        never answers 429). None sends as fast as ``max_concurrency``
        allows. Not used by ``batch=True``.
    cache : "auto", path or None, default="auto"
        Directory of the on-disk cache of rewrites, one entry per rewrite of
        a seed, so that CV folds and grid candidates reuse them; ``"auto"``
        is ``~/.cache/skbalance/llm``; None disables it.
    max_requests : int or None, default=None
        At most this many new requests per fit, shared between the classes
        in proportion to the requests they need (every class below target
        gets one at least while the budget allows); rewrites lost to
        validation, dedupe or ``label_filter`` are topped up within what is
        left. Classes left short are named in a warning, with the causes,
        and in ``shortfall_``.
    dedupe : bool, default=True
        Drop texts equal (after case folding and collapsing whitespace) to an
        original or to another new text, and texts whose character 3-gram
        Jaccard similarity to one of them reaches ``similarity``.
    similarity : float in (0, 1], default=0.9
        Near-duplicate threshold of ``dedupe``.
    seed_similarity : float in (0, 1] or None, default=None
        Drop rewrites whose cosine similarity to their own seed, on word 1-
        and 2-gram counts, reaches this (0.8 catches a one-word edit of a
        ten-word seed, which the character 3-gram check keeps); they are
        topped up as other lost rewrites. None checks nothing more.
    label_filter : classifier, callable or None, default=None
        A fitted classifier (``predict``) or a callable mapping a list of texts
        to labels: new texts it assigns to another class are dropped, and
        replaced by top-up requests. Several fields are given as ``field:
        value`` lines and a conversation as ``role: content`` lines, so a
        judge (an LLM, a classifier) can also refuse a new answer that does
        not answer its new question, by returning any other label.
    max_tokens : int, default=2048
        Output token limit of one request. Requests ask for fewer than
        ``n_per_request`` rewrites when their estimated output would not fit
        (the dry run warns); an answer cut off at the limit (``stop_reason``
        ``"max_tokens"``) is counted and named in the shortfall warning.
    client_options : dict or None, default=None
        Keyword arguments of ``anthropic.Anthropic`` (``max_retries``,
        ``timeout``, ``base_url``). ``timeout`` is 60 seconds unless given
        (the SDK's own default is 600). A key (``api_key``, ``auth_token``)
        is refused: it would be kept in ``repr``, ``get_params`` and pickles;
        set ``ANTHROPIC_API_KEY`` instead.
    max_rounds : int, default=3
        Rounds of top-up requests for texts lost to validation or dedupe.
    batch : bool, default=False
        Send the requests as one Message Batch (half the price, answers within
        24 hours; ``generator="anthropic"`` only). The fit polls every
        ``poll_interval`` seconds; an interrupted fit picks the same batch up
        again when rerun on the same data.
    poll_interval : float, default=30.0
        Seconds between polls of a batch.
    class_descriptions : dict or None, default=None
        A description of some or all classes (``{label: str}``), shown next
        to the class's name in its prompts (``generator="anthropic"``), e.g.
        what the class covers and what it does not. It is part of the cache
        key of the class's rewrites.
    provenance : str or None, default=None
        For records: a field added to every new record, holding the model and
        the index of its seed row (originals are left as they are), and the
        seed record's id with ``id_field``.
    id_field : str or None, default=None
        For records: the field (or dotted path) holding a record's id. A new
        record gets a new id, ``"{seed id}-llm{k}"`` for the ``k``-th new
        record of a seed (counted from 1; a string, made unique against the
        input's ids), instead of a copy of its seed's; ``provenance`` then
        names the seed's id as ``seed_id``. Every record must have one
        (checked before anything is sent).
    progress : "auto" or bool, default="auto"
        Report requests done on stderr; "auto" does so for 20 requests or more
        when stderr is a terminal.
    shuffle : bool, default=False
        Shuffle the output rows; by default originals come first, unchanged.
    random_state : int, RandomState instance or None, default=None
        Chooses the seeds used once more when a class is not raised by a
        whole multiple, seeds the generator calls (their ``random_state``)
        and the shuffle. Resolved with scikit-learn's ``check_random_state``:
        an int and ``RandomState(int)`` give the same output; None gives new
        requests that the cache does not answer only where the seeds differ
        (the cache key is the seed text, generator, class and slot).

    Attributes
    ----------
    counts_before_, counts_after_ : dict
        Rows per class before and after.
    shortfall_ : dict
        Rows per class below target (budget, or texts lost to dedupe).
    sample_indices_ : ndarray
        Input row of every output row: itself, or the seed of a new text.
    is_synthetic_ : ndarray of bool
        Which output rows are new texts.
    n_requests_ : int
        Requests sent to the generator in the last fit.
    n_cached_ : int
        Rewrites answered from the cache in the last fit.
    usage_ : dict
        Tokens the API reported for the fit: ``input_tokens``,
        ``output_tokens``, ``cache_creation_input_tokens`` and
        ``cache_read_input_tokens`` (zeros for callables).
    generation_stats_ : dict
        ``requests``, ``cached``, ``received`` (rewrites received) and
        ``kept`` (after validation, ``label_filter`` and dedupe); and what
        was lost: ``invalid``, ``copies`` (``seed_similarity``), ``filtered``
        and ``duplicates`` rewrites,
        ``truncated`` answers (cut off at ``max_tokens``), ``unanswered``
        rewrites (asked for, not returned) and ``unrequested`` ones (beyond
        ``max_requests``).

    See Also
    --------
    RatioOverSampler : The same targets, by duplication.

    Examples
    --------
    >>> from collections import Counter
    >>> from skbalance import LLMAugmentSampler
    >>> texts = [f"invoice {i} is wrong" for i in range(8)]
    >>> texts += ["app crashes", "login fails"]
    >>> y = ["billing"] * 8 + ["technical"] * 2
    >>> sampler = LLMAugmentSampler(generator="offline", cache=None, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(texts, y)
    >>> Counter(y_res)
    Counter({'billing': 8, 'technical': 8})
    >>> int(sampler.sample_indices_[10]), bool(sampler.is_synthetic_[10])
    (8, True)
    """

    _parameter_constraints: dict = {
        **BaseStrataOverSampler._parameter_constraints,
        "target_ratio": TARGET_RATIO,
        "min_share": MIN_SHARE,
        "n_per_seed": [Interval(Integral, 1, None, closed="left"), None],
        "text": [str, Integral, list, None],
        "generator": [StrOptions({"anthropic", "offline"}), callable],
        "model": [str],
        "n_per_request": [Interval(Integral, 1, None, closed="left")],
        "n_examples": [Interval(Integral, 1, None, closed="left")],
        "max_concurrency": [Interval(Integral, 1, None, closed="left")],
        "max_requests_per_minute": [Interval(Integral, 1, None, closed="left"), None],
        "cache": [StrOptions({"auto"}), str, os.PathLike, None],
        "max_requests": [Interval(Integral, 0, None, closed="left"), None],
        "dedupe": ["boolean"],
        "similarity": [Interval(Real, 0, 1, closed="right")],
        "seed_similarity": [Interval(Real, 0, 1, closed="right"), None],
        "label_filter": [HasMethods(["predict"]), callable, None],
        "max_tokens": [Interval(Integral, 1, None, closed="left")],
        "client_options": [dict, None],
        "max_rounds": [Interval(Integral, 1, None, closed="left")],
        "batch": ["boolean"],
        "poll_interval": [Interval(Real, 0, None, closed="left")],
        "class_descriptions": [dict, None],
        "provenance": [str, None],
        "id_field": [str, None],
        "progress": [StrOptions({"auto"}), "boolean"],
    }

    def __init__(
        self,
        *,
        target_ratio=None,
        min_share=None,
        n_per_seed=None,
        text=None,
        generator="anthropic",
        model=DEFAULT_MODEL,
        n_per_request=5,
        n_examples=3,
        max_concurrency=8,
        max_requests_per_minute=None,
        cache="auto",
        max_requests=None,
        dedupe=True,
        similarity=0.9,
        seed_similarity=None,
        label_filter=None,
        max_tokens=2048,
        client_options=None,
        max_rounds=3,
        batch=False,
        poll_interval=30.0,
        class_descriptions=None,
        provenance=None,
        id_field=None,
        progress="auto",
        shuffle=False,
        random_state=None,
    ):
        self.target_ratio = target_ratio
        self.min_share = min_share
        self.n_per_seed = n_per_seed
        self.text = text
        self.generator = generator
        self.model = model
        self.n_per_request = n_per_request
        self.n_examples = n_examples
        self.max_concurrency = max_concurrency
        self.max_requests_per_minute = max_requests_per_minute
        self.cache = cache
        self.max_requests = max_requests
        self.dedupe = dedupe
        self.similarity = similarity
        self.seed_similarity = seed_similarity
        self.label_filter = label_filter
        self.max_tokens = max_tokens
        self.client_options = client_options
        self.max_rounds = max_rounds
        self.batch = batch
        self.poll_interval = poll_interval
        self.class_descriptions = class_descriptions
        self.provenance = provenance
        self.id_field = id_field
        self.progress = progress
        self.shuffle = shuffle
        self.random_state = random_state

    def _stratum_targets(self, counts, keys):
        return stratum_targets(
            counts,
            target_ratio=default_target(
                self.target_ratio, self.min_share, self.n_per_seed
            ),
            min_share=self.min_share,
            n_per_seed=self.n_per_seed,
        )

    def _source_rank(self, X, labels, rng):
        # seeds giving one more rewrite: by a hash of their text salted by
        # random_state, the same in every fold (whose rewrites are cached)
        salt = str(rng.integers(2**31))
        _, units = read_units(X, self.text)
        return np.array([stable_rank(unit_text(unit), salt) for unit in units])

    def _check_descriptions(self, labels):
        known = set(labels.tolist())
        for label, text in (self.class_descriptions or {}).items():
            if label not in known:
                raise ValueError(
                    f"class_descriptions names {label!r}, which is not a class "
                    f"of y (classes: {sorted(known, key=str)!r})."
                )
            if not isinstance(text, str):
                raise ValueError(
                    f"class_descriptions[{label!r}] is {type(text).__name__}; "
                    "a description is a str."
                )

    def _make_rows(self, X, plan):
        labels, sources, rng = plan.labels, plan.sources, plan.rng
        self._check_descriptions(labels)
        if self.provenance is not None and (self.text is None or is_dataframe(X)):
            raise ValueError(
                f"provenance={self.provenance!r} needs records (dicts) with text=; "
                "for texts and DataFrames use is_synthetic_ and sample_indices_."
            )
        if self.id_field is not None:
            if self.text is None or is_dataframe(X):
                raise ValueError(
                    f"id_field={self.id_field!r} needs records (dicts) with text=."
                )
            for i, record in enumerate(X):
                try:
                    get_field(record, self.id_field)
                except KeyError:
                    raise ValueError(
                        f"id_field={self.id_field!r} is missing from row {i} of X; "
                        "every record needs an id to give its rewrites new ones."
                    ) from None
        check_client_options(self.client_options)
        kind, units = read_units(X, self.text)
        need = Counter(sources.tolist())
        generator = make_generator(
            self.generator, self.model, self.max_tokens, self.client_options
        )
        try:
            accepted, stats = generate(
                self, units, kind, labels, need, rng, generator=generator
            )
        finally:
            generator.close()
        self.usage_ = stats.pop("usage")
        lost = {name: stats.pop(name) for name in LOST}
        for name in ("requests_needed", "covered", "split"):
            stats.pop(name, None)
        self.generation_stats_ = {**stats, **lost}
        self.n_requests_, self.n_cached_ = stats["requests"], stats["cached"]
        seeds = [row for row in sorted(accepted) for _ in accepted[row]]
        new = [unit for row in sorted(accepted) for unit in accepted[row]]
        wanted, got = Counter(labels[sources].tolist()), Counter(labels[seeds].tolist())
        self.shortfall_ = {k: wanted[k] - got[k] for k in wanted if wanted[k] > got[k]}
        if self.shortfall_:
            warnings.warn(
                "LLMAugmentSampler fell short of target for "
                + ", ".join(f"{k!r} ({v} rows)" for k, v in self.shortfall_.items())
                + f" ({self._causes(lost)}).",
                UserWarning,
                stacklevel=4,
            )
        seeds = np.asarray(seeds, dtype=np.intp)
        stamp = None
        if self.provenance is not None:
            made_by = generator_id(self.generator, self.model)
            stamp = {self.provenance: {"generator": made_by}}
        return seeds, write_units(
            X, seeds, self.text, kind, new, stamp=stamp, id_field=self.id_field
        )

    def _causes(self, lost):
        """The causes of a shortfall, from what ``generate`` lost."""
        causes = []
        if lost["unrequested"]:
            causes.append(
                f"max_requests={self.max_requests} reached with "
                f"{lost['unrequested']} rewrites not requested"
            )
        if lost["truncated"]:
            causes.append(
                f"{lost['truncated']} answers cut off at max_tokens="
                f"{self.max_tokens} (stop_reason max_tokens)"
            )
        for name, what in [
            ("unanswered", "rewrites asked for and not returned"),
            ("invalid", "invalid rewrites"),
            ("copies", "near-copies of their seed"),
            ("duplicates", "duplicates"),
            ("filtered", "rewrites the label_filter gave another class"),
        ]:
            if lost[name]:
                causes.append(f"{lost[name]} {what}")
        if not lost["unrequested"]:
            causes.append(f"not replaced within max_rounds={self.max_rounds}")
        return "; ".join(causes)

    def _finish(self, plan, sources):
        order = super()._finish(plan, sources)
        synthetic = np.arange(plan.n + sources.size) >= plan.n
        self.is_synthetic_ = synthetic if order is None else synthetic[order]
        return order

    @_fit_context(prefer_skip_nested_validation=True)
    def dry_run(self, X, y, *, prices=None):
        """What a fit would send, without sending anything.

        Parameters
        ----------
        X : list or 1-D array of str, list of dict, or DataFrame
            The rows, as for :meth:`fit_resample`.
        y : array-like of shape (n_samples,)
            Class labels.
        prices : dict or None, default=None
            ``{"input": ..., "output": ...}``, the model's prices per million
            tokens (from the provider's price list: they change), to add a
            ``cost`` estimate to the plan: the shared prompt prefix, when
            long enough to be cached, written once per class at 1.25 times
            the input price and read at 0.1 times by the other requests, and
            half of everything with ``batch=True``.

        Returns
        -------
        plan : dict
            ``rows_to_add`` per class, the full need; ``requests``, the first
            round's requests within ``max_requests`` (top-ups for rewrites
            lost to validation, dedupe and ``label_filter`` come on top,
            within the budget); ``requests_needed``, the first round's
            requests without the budget; ``rows_covered`` per class, the rows
            the cache and the budgeted requests ask for; ``cached``, the
            rewrites the cache already holds; ``input_tokens`` /
            ``output_tokens``, estimates (4 characters a token) of what the
            requests would use, from the prompts that would be sent and
            rewrites a little longer than their seeds; and
            ``max_output_tokens``, the estimate of the largest request. A
            request holds fewer than ``n_per_request`` rewrites when they
            would not fit in ``max_tokens`` (with a warning here). With
            ``prices``, ``cost``: the estimate in their currency.
        """
        if prices is not None and (
            not isinstance(prices, dict)
            or set(prices) != {"input", "output"}
            or not all(isinstance(v, Real) and v >= 0 for v in prices.values())
        ):
            raise ValueError(
                f"prices={prices!r} must be {{'input': price, 'output': price}}, "
                "prices per million tokens (numbers >= 0)."
            )
        plan = self._dry_run(X, y, keep_requests=prices is not None)
        planned = plan.pop("planned_requests", None)
        if prices is not None:
            cost = estimate_cost(
                planned, self.model, self.max_tokens, prices, batch=self.batch
            )
            plan["cost"] = round(cost, 6)
        return plan

    def _dry_run(self, X, y, keep_requests=False):
        check_client_options(self.client_options)
        plan = self._plan(X, y)
        self._check_descriptions(plan.labels)
        kind, units = read_units(X, self.text)
        planned = []
        need = Counter(plan.sources.tolist())
        _, stats = generate(
            self, units, kind, plan.labels, need, plan.rng, planned=planned
        )
        tokens = estimate_tokens(planned, self.model, self.max_tokens)
        largest = max((request_output_tokens(r) for r in planned), default=0)
        if stats.get("split"):
            warnings.warn(
                f"LLMAugmentSampler: n_per_request={self.n_per_request} rewrites "
                f"would not fit in max_tokens={self.max_tokens} output tokens; "
                f"{stats['split']} requests ask for fewer rewrites (~{largest} "
                "output tokens at most). Raise max_tokens (within the model's "
                "limit) to send fewer requests.",
                UserWarning,
                stacklevel=3,
            )
        elif largest > self.max_tokens:
            warnings.warn(
                f"LLMAugmentSampler: one rewrite is estimated at ~{largest} output "
                f"tokens, over max_tokens={self.max_tokens}: raise max_tokens, or "
                "its answers will be cut off.",
                UserWarning,
                stacklevel=3,
            )
        covered = stats.get("covered", {})
        return {
            "rows_to_add": dict(self.sampling_strategy_),
            "requests": len(planned),
            "requests_needed": stats.get("requests_needed", 0),
            "rows_covered": {
                label: min(covered.get(label, 0), rows)
                for label, rows in self.sampling_strategy_.items()
            },
            "cached": stats["cached"],
            **tokens,
            "max_output_tokens": largest,
            **({"planned_requests": planned} if keep_requests else {}),
        }

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Plan the generation without sending a request (see :meth:`dry_run`).

        Parameters
        ----------
        X : list or 1-D array of str, list of dict, or DataFrame
            The rows, as for :meth:`fit_resample`.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : object
            With ``plan_``, the :meth:`dry_run` report.
        """
        self.plan_ = self._dry_run(X, y)
        return self

    def fit_resample(self, X, y, *, sample_weight=None):
        """Generate new texts for the classes below target.

        Parameters
        ----------
        X : list or 1-D array of str, list of dict, or DataFrame
            Texts, or records / a DataFrame with ``text`` naming the field.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows; a new row gets its seed's weight. Returned
            third.

        Returns
        -------
        X_resampled : same container as X
            The originals, unchanged and in order, then the new rows (records
            copied from their seed with the text replaced).
        y_resampled : same container as y
            Labels of ``X_resampled``.
        sample_weight_resampled : ndarray of shape (n_samples_resampled,)
            Only when ``sample_weight`` is given.
        """
        return super().fit_resample(X, y, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        return tags
