"""LLMAugmentSampler: new examples of rare classes written by an LLM."""

import copy
import hashlib
import json
import os
import sys
import tempfile
import time
import warnings
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from numbers import Integral, Real
from pathlib import Path

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler

from skbalance._compat import HasMethods, Interval, StrOptions, import_optional
from skbalance._indexing import _is_pandas, take_rows
from skbalance._jsonl import get_field
from skbalance._targets import floor_targets, ratio_targets
from skbalance._validation import check_labels, check_rows, encode

__all__ = ["LLMAugmentSampler", "offline_generator"]

#: bump when the prompt changes, so that cached answers to the old prompt are
#: not reused
PROMPT_VERSION = 1
DEFAULT_MODEL = "claude-haiku-4-5"
_TOOL = "record_examples"
#: one per request (chosen by its random_state), so that the requests for
#: one seed ask for different things
_STYLES = (
    "Vary the tone: some casual, some formal.",
    "Make some of them short and some detailed.",
    "Add realistic details (names, numbers, products).",
    "Write as different kinds of customers would.",
    "Change the sentence structure and the order of information.",
)


def _normalise(text):
    return " ".join(str(text).split()).casefold()


class _NearDuplicates:
    """Character 3-gram sets as hashed binary sparse rows, so that Jaccard
    similarities of many texts come from one sparse product."""

    def __init__(self, texts, threshold):
        from sklearn.feature_extraction.text import HashingVectorizer

        self.threshold = threshold
        self.vectorizer = HashingVectorizer(
            analyzer="char",
            ngram_range=(3, 3),
            preprocessor=_normalise,
            n_features=2**20,
            alternate_sign=False,
            binary=True,
            norm=None,
        )
        self.known = self.vectorizer.transform(texts)

    @staticmethod
    def _jaccard(A, B):
        inter = (A @ B.T).toarray()
        union = A.getnnz(axis=1)[:, None] + B.getnnz(axis=1)[None, :] - inter
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(union > 0, inter / union, 0.0)

    def check(self, texts):
        """Similarities of ``texts`` to the known texts and to each other."""
        from types import SimpleNamespace

        matrix = self.vectorizer.transform(texts)
        to_known = np.zeros(len(texts), dtype=bool)
        for start in range(0, self.known.shape[0], 2048):
            block = self._jaccard(matrix, self.known[start : start + 2048])
            to_known |= (block >= self.threshold).any(axis=1)
        return SimpleNamespace(
            matrix=matrix, to_known=to_known, among=self._jaccard(matrix, matrix)
        )

    def add(self, rows):
        from scipy import sparse

        self.known = sparse.vstack([self.known, rows]).tocsr()


def _stable_rank(text, salt=""):
    """A hash of the text: a random-looking order that is the same in every
    fit, so that CV folds choose the same seeds and reuse the same requests."""
    return hashlib.sha256(f"{salt}\x00{text}".encode()).hexdigest()


# -- generators ------------------------------------------------------------------

_OPENERS = ["Hi,", "Hello,", "Hey team,", "Good morning,", "Quick question:", ""]
_CLOSERS = ["Thanks.", "Thank you!", "Any help is appreciated.", "Cheers.", ""]
_PHRASES = [
    "as soon as possible",
    "since last week",
    "on my laptop",
    "for the second time",
    "this morning",
    "after the update",
    "on the mobile app",
    "again",
    "according to the email",
    "from my work account",
    "right now",
    "once more",
    "as mentioned before",
    "today",
    "on every attempt",
    "without any warning",
]


def offline_generator(examples, label, n, random_state):
    """Deterministic offline generator, for tests, docs and benchmarks.

    Varies the first example: swaps some neighbouring words, inserts stock
    phrases, adds a greeting, a sign-off and a numbered marker. No model, no
    network; real augmentation needs a real model.

    Parameters
    ----------
    examples : list of str
        The text to vary first, then other examples of the class.
    label : object
        The class (unused: the variations keep the seed's words).
    n : int
        Number of texts to return.
    random_state : int
        Seed of the variations.

    Returns
    -------
    texts : list of str

    Examples
    --------
    >>> from skbalance import offline_generator
    >>> texts = offline_generator(["My invoice is wrong."], "billing", 2, 0)
    >>> len(texts), all("(variant 0-" in t for t in texts)
    (2, True)
    """
    rng = np.random.default_rng(random_state)
    seed = examples[0]
    out = []
    for i in range(n):
        words = seed.split()
        for _ in range(max(1, len(words) // 4)):
            if len(words) > 2:
                j = int(rng.integers(len(words) - 1))
                words[j], words[j + 1] = words[j + 1], words[j]
        for phrase in rng.choice(_PHRASES, size=2, replace=False):
            words.insert(int(rng.integers(len(words) + 1)), str(phrase))
        opener = _OPENERS[rng.integers(len(_OPENERS))]
        closer = _CLOSERS[rng.integers(len(_CLOSERS))]
        text = " ".join(part for part in (opener, " ".join(words), closer) if part)
        out.append(f"{text} (variant {random_state}-{i})")
    return out


class _AnthropicGenerator:
    """One request to the Messages API: a forced tool call returning a JSON
    list of strings. The client is made once per fit, from the environment
    (``ANTHROPIC_API_KEY``, ``ANTHROPIC_BASE_URL``)."""

    def __init__(self, model, max_tokens, client_options):
        anthropic = import_optional(
            "anthropic", extra="llm", purpose="LLMAugmentSampler(generator='anthropic')"
        )
        self.model = model
        self.max_tokens = max_tokens
        self.client = anthropic.Anthropic(**(client_options or {}))

    def params(self, examples, label, n, random_state):
        """The body of one Messages API request."""
        seed, others = examples[0], examples[1:]
        shown = "".join(f"<example>{e}</example>\n" for e in others)
        prompt = (
            f"You write training data for a text classifier. Class: {label!r}.\n"
            + (f"Other examples of this class:\n{shown}" if others else "")
            + f"Write <n>{n}</n> new texts of this class, each a different rewording "
            "of the text below: vary the wording, length, tone and details, keep "
            "its meaning and its class, do not copy it, and do not number them. "
            f"{_STYLES[random_state % len(_STYLES)]} (Batch {random_state % 100_000}.)"
            f"\n<seed>{seed}</seed>\n"
            f"Return them with the {_TOOL} tool."
        )
        return {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "tools": [
                {
                    "name": _TOOL,
                    "description": "Record the new examples.",
                    "input_schema": {
                        "type": "object",
                        "properties": {
                            "examples": {"type": "array", "items": {"type": "string"}}
                        },
                        "required": ["examples"],
                    },
                }
            ],
            "tool_choice": {"type": "tool", "name": _TOOL},
            "messages": [{"role": "user", "content": prompt}],
        }

    @staticmethod
    def parse(message):
        """The texts of an answer; [] when it holds no usable tool call."""
        for block in message.content:
            if getattr(block, "type", None) == "tool_use":
                texts = (block.input or {}).get("examples")
                if isinstance(texts, list):
                    return [t for t in texts if isinstance(t, str)]
        return []  # malformed: topped up by another request

    def __call__(self, examples, label, n, random_state):
        params = self.params(examples, label, n, random_state)
        return self.parse(self.client.messages.create(**params))


# -- the cache ---------------------------------------------------------------------


def default_cache_dir():
    """``$XDG_CACHE_HOME/skbalance/llm``, else ``~/.cache/skbalance/llm``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "skbalance" / "llm"


class _Cache:
    """One JSON file per request, written atomically (temporary file, then
    rename), so that concurrent writers never leave half a file. Entries hold
    the request's description and its texts, never credentials."""

    def __init__(self, directory):
        self.directory = None if directory is None else Path(directory)

    def _path(self, key):
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key):
        if self.directory is None:
            return None
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # missing or corrupt: generate again
        texts = entry.get("texts") if isinstance(entry, dict) else None
        if entry.get("key") != key or not isinstance(texts, list):
            return None
        return [t for t in texts if isinstance(t, str)]

    def put(self, key, meta, texts):
        if self.directory is None:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"key": key, **meta, "texts": texts}, fh, ensure_ascii=False)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


# -- the sampler ---------------------------------------------------------------------


class LLMAugmentSampler(BaseOverSampler):
    """Add new examples of rare classes, written by an LLM.

    Classes are raised to ``target_ratio`` of the largest class, or to class
    floors ``min_share``, with the same target arithmetic as
    :class:`RatioOverSampler` and :class:`DomainFloorSampler`, but the new
    rows are new texts instead of copies. Every new text varies one seed
    example of its class (each seed is used evenly, a // c or a // c + 1
    times), shown with a few other examples of the class.

    Read more in the :ref:`User Guide <llm_augment>`.

    Parameters
    ----------
    target_ratio : float in (0, 1], default=None
        Size of every class as a fraction of the largest; 1.0 when neither
        this nor ``min_share`` is given.
    min_share : float in (0, 1), default=None
        Minimum share of the output for every class. Cannot be combined with
        ``target_ratio``.
    text : str or None, default=None
        Where the text is, when X holds records or a DataFrame: a column, key,
        or dotted path such as ``"messages.0.content"``. Other fields of a new
        record are copied from its seed. None when X is a list or 1-D array of
        texts.
    generator : "anthropic", "offline" or callable, default="anthropic"
        ``"anthropic"`` calls the Messages API with the official SDK (extra
        ``llm``; key from ``ANTHROPIC_API_KEY``). A callable
        ``(examples, label, n, random_state) -> list of str`` plugs in any
        other model; ``"offline"`` is :func:`offline_generator`.
    model : str, default="claude-haiku-4-5"
        Model id for ``generator="anthropic"``.
    n_per_request : int, default=5
        Texts asked for in one request.
    n_examples : int, default=3
        Examples shown in a prompt: the seed and ``n_examples - 1`` others of
        its class.
    max_concurrency : int, default=8
        Requests in flight at once (threads; safe in notebooks).
    cache : "auto", path or None, default="auto"
        Directory of the on-disk cache of answers; ``"auto"`` is
        ``~/.cache/skbalance/llm``; None disables it.
    max_requests : int or None, default=None
        At most this many new requests per fit; classes left short are named
        in a warning and in ``shortfall_``.
    dedupe : bool, default=True
        Drop texts equal (after case folding and collapsing whitespace) to an
        original or to another new text, and texts whose character 3-gram
        Jaccard similarity to one of them reaches ``similarity``.
    similarity : float in (0, 1], default=0.9
        Near-duplicate threshold of ``dedupe``.
    label_filter : classifier, callable or None, default=None
        A fitted classifier (``predict``) or a callable mapping a list of texts
        to labels: new texts it assigns to another class are dropped.
    max_tokens : int, default=2048
        Output token limit of one request.
    client_options : dict or None, default=None
        Keyword arguments of ``anthropic.Anthropic`` (``max_retries``,
        ``timeout``, ``base_url``); the key stays in the environment.
    max_rounds : int, default=3
        Rounds of top-up requests for texts lost to validation or dedupe.
    batch : bool, default=False
        Send the requests as one Message Batch (half the price, answers within
        24 hours; ``generator="anthropic"`` only). The fit polls every
        ``poll_interval`` seconds; an interrupted fit picks the same batch up
        again when rerun on the same data.
    poll_interval : float, default=30.0
        Seconds between polls of a batch.
    provenance : str or None, default=None
        For records: a field added to every new record, holding the model and
        the index of its seed row (originals are left as they are).
    progress : "auto" or bool, default="auto"
        Report requests done on stderr; "auto" does so for 20 requests or more
        when stderr is a terminal.
    shuffle : bool, default=False
        Shuffle the output rows; by default originals come first, unchanged.
    random_state : int, RandomState instance or None, default=None
        Seeds the generator calls and the shuffle.

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
        Requests sent to the generator in the last fit (not from the cache).
    n_cached_ : int
        Requests answered from the cache in the last fit.

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
        "target_ratio": [Interval(Real, 0, 1, closed="right"), None],
        "min_share": [Interval(Real, 0, 1, closed="neither"), None],
        "text": [str, Integral, None],
        "generator": [StrOptions({"anthropic", "offline"}), callable],
        "model": [str],
        "n_per_request": [Interval(Integral, 1, None, closed="left")],
        "n_examples": [Interval(Integral, 1, None, closed="left")],
        "max_concurrency": [Interval(Integral, 1, None, closed="left")],
        "cache": [StrOptions({"auto"}), str, os.PathLike, None],
        "max_requests": [Interval(Integral, 0, None, closed="left"), None],
        "dedupe": ["boolean"],
        "similarity": [Interval(Real, 0, 1, closed="right")],
        "label_filter": [HasMethods(["predict"]), callable, None],
        "max_tokens": [Interval(Integral, 1, None, closed="left")],
        "client_options": [dict, None],
        "max_rounds": [Interval(Integral, 1, None, closed="left")],
        "batch": ["boolean"],
        "poll_interval": [Interval(Real, 0, None, closed="left")],
        "provenance": [str, None],
        "progress": [StrOptions({"auto"}), "boolean"],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        target_ratio=None,
        min_share=None,
        text=None,
        generator="anthropic",
        model=DEFAULT_MODEL,
        n_per_request=5,
        n_examples=3,
        max_concurrency=8,
        cache="auto",
        max_requests=None,
        dedupe=True,
        similarity=0.9,
        label_filter=None,
        max_tokens=2048,
        client_options=None,
        max_rounds=3,
        batch=False,
        poll_interval=30.0,
        provenance=None,
        progress="auto",
        shuffle=False,
        random_state=None,
    ):
        self.target_ratio = target_ratio
        self.min_share = min_share
        self.text = text
        self.generator = generator
        self.model = model
        self.n_per_request = n_per_request
        self.n_examples = n_examples
        self.max_concurrency = max_concurrency
        self.cache = cache
        self.max_requests = max_requests
        self.dedupe = dedupe
        self.similarity = similarity
        self.label_filter = label_filter
        self.max_tokens = max_tokens
        self.client_options = client_options
        self.max_rounds = max_rounds
        self.batch = batch
        self.poll_interval = poll_interval
        self.provenance = provenance
        self.progress = progress
        self.shuffle = shuffle
        self.random_state = random_state

    # -- input ---------------------------------------------------------------------

    def _texts(self, X, n):
        if self.text is None:
            if _is_pandas(X) and getattr(X, "ndim", 1) == 2:
                raise ValueError(
                    "X is a DataFrame: set text= to the column holding the texts."
                )
            values = list(X.tolist() if hasattr(X, "tolist") else X)
            for i, v in enumerate(values):
                if not isinstance(v, str):
                    raise ValueError(
                        f"X[{i}] is a {type(v).__name__}, not a text; for records "
                        "or a DataFrame set text= to the field holding the text."
                    )
            return values
        if _is_pandas(X) and getattr(X, "ndim", 1) == 2:
            if self.text not in X.columns:
                raise ValueError(f"text={self.text!r} is not a column of X.")
            return X[self.text].astype(str).tolist()
        texts = []
        for i, record in enumerate(X):
            try:
                value = get_field(record, str(self.text))
            except (KeyError, TypeError):
                raise ValueError(
                    f"text={self.text!r}: row {i} of X has no such field."
                ) from None
            if not isinstance(value, str):
                raise ValueError(
                    f"text={self.text!r}: row {i} holds a {type(value).__name__}, "
                    "not a text."
                )
            texts.append(value)
        return texts

    def _targets(self, counts):
        if self.target_ratio is not None and self.min_share is not None:
            raise ValueError(
                "Got both target_ratio and min_share; set one of them (the other "
                "stays None)."
            )
        if self.min_share is not None:
            return floor_targets(counts, self.min_share)
        ratio = 1.0 if self.target_ratio is None else self.target_ratio
        return ratio_targets(counts, ratio)

    def _generator(self):
        if callable(self.generator):
            return self.generator
        if self.generator == "offline":
            return offline_generator
        return _AnthropicGenerator(self.model, self.max_tokens, self.client_options)

    def _model_id(self):
        if callable(self.generator):
            name = getattr(
                self.generator, "__qualname__", type(self.generator).__name__
            )
            return f"callable:{getattr(self.generator, '__module__', '')}.{name}"
        return "offline" if self.generator == "offline" else self.model

    # -- planning ------------------------------------------------------------------

    def _plan(self, texts, codes, uniques, counts, targets):
        """Per class: the seeds and how many new texts each seed needs.

        Seeds of a class are ordered by a hash of their text, so that the
        seeds getting one more text are the same in every CV fold.
        """
        plan = []
        for k in np.flatnonzero(targets > counts).tolist():
            rows = np.flatnonzero(codes == k)
            order = sorted(rows.tolist(), key=lambda i: _stable_rank(texts[i]))
            add = int(targets[k] - counts[k])
            whole, extra = divmod(add, len(order))
            need = {i: whole + (r < extra) for r, i in enumerate(order)}
            plan.append((uniques[k], order, need))
        return plan

    def _request(self, label, seed, others, slot):
        examples = [seed] + others
        meta = {
            "prompt_version": PROMPT_VERSION,
            "model": self._model_id(),
            "label": str(label),
            "seed": seed,
            "n": self.n_per_request,
            "slot": slot,
        }
        # the context examples are not part of the key: CV folds reuse the
        # generations of a seed (use n_examples=1 for prompts of the seed only)
        key = hashlib.sha256(json.dumps(meta, sort_keys=True).encode()).hexdigest()
        return key, meta, examples

    def _jobs(self, texts, plan, accepted, round_):
        """The requests of one round: for every seed still short of texts,
        enough slots of ``n_per_request``; top-up rounds use new slots."""
        jobs = []
        for label, order, need in plan:
            class_texts = [texts[i] for i in order]
            for i in order:
                missing = need[i] - len(accepted.get(i, []))
                if missing <= 0:
                    continue
                first = round_ * 1000
                others = self._context(texts[i], class_texts)
                for slot in range(first, first + -(-missing // self.n_per_request)):
                    key, meta, examples = self._request(label, texts[i], others, slot)
                    jobs.append((i, label, key, meta, examples))
        return jobs

    def _context(self, seed, class_texts):
        """Other examples of the seed's class, chosen with random_state (a hash
        order salted by it and the seed: the same in every fit)."""
        others = [t for t in class_texts if t != seed]
        salt = f"{self._seed('context')}:{seed}"
        others.sort(key=lambda t: _stable_rank(t, salt=salt))
        return others[: self.n_examples - 1]

    # -- fitting ---------------------------------------------------------------------

    def _prepare(self, X, y):
        self._validate_params()
        n = check_rows(X)
        labels = check_labels(y, n_samples=n)
        texts = self._texts(X, n)
        uniques, codes, counts = encode(labels, name="y")
        targets = self._targets(counts)
        plan = self._plan(texts, codes, uniques, counts, targets)
        return n, texts, uniques, codes, counts, targets, plan

    def dry_run(self, X, y):
        """What a fit would send, without sending anything.

        Parameters
        ----------
        X, y : see :meth:`fit_resample`.

        Returns
        -------
        plan : dict
            ``rows_to_add`` per class, ``requests`` (first round, before
            top-ups), ``cached`` (of those, answered by the cache), and
            ``input_tokens`` / ``output_tokens``: rough estimates (4
            characters a token) of the requests not cached.
        """
        n, texts, uniques, codes, counts, targets, plan = self._prepare(X, y)
        cache = _Cache(default_cache_dir() if self.cache == "auto" else self.cache)
        requests = cached = chars_in = chars_out = 0
        for i, _, key, _, examples in self._jobs(texts, plan, {}, 0):
            requests += 1
            if cache.get(key) is not None:
                cached += 1
                continue
            chars_in += 600 + sum(len(e) for e in examples)
            chars_out += 40 + self.n_per_request * int(1.2 * len(texts[i]))
        add = {
            k: int(t - c)
            for k, t, c in zip(
                uniques.tolist(), targets.tolist(), counts.tolist(), strict=True
            )
            if t > c
        }
        return {
            "rows_to_add": add,
            "requests": requests,
            "cached": cached,
            "input_tokens": chars_in // 4,
            "output_tokens": chars_out // 4,
        }

    def fit(self, X, y):
        """Plan the generation without sending a request (see :meth:`dry_run`).

        Parameters
        ----------
        X, y : see :meth:`fit_resample`.

        Returns
        -------
        self : object
            With ``plan_``, the :meth:`dry_run` report.
        """
        self.plan_ = self.dry_run(X, y)
        return self

    def fit_resample(self, X, y):
        """Generate new texts for the classes below target.

        Parameters
        ----------
        X : list or 1-D array of str, list of dict, or DataFrame
            Texts, or records / a DataFrame with ``text`` naming the field.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        X_resampled : same container as X
            The originals, unchanged and in order, then the new rows (records
            copied from their seed with the text replaced).
        y_resampled : same container as y
            Labels of ``X_resampled``.
        """
        n, texts, uniques, codes, counts, targets, plan = self._prepare(X, y)
        new_texts, seeds = self._generate(texts, codes, uniques, plan)
        keys = uniques.tolist()
        got = np.bincount(codes[seeds], minlength=len(keys)) if seeds else 0
        after = counts + got
        self.counts_before_ = dict(zip(keys, counts.tolist(), strict=True))
        self.counts_after_ = dict(zip(keys, np.asarray(after).tolist(), strict=True))
        self.shortfall_ = {
            k: int(t - a)
            for k, t, a in zip(
                keys, targets.tolist(), np.asarray(after).tolist(), strict=True
            )
            if t > a
        }
        if self.shortfall_:
            warnings.warn(
                "LLMAugmentSampler fell short of target for "
                + ", ".join(f"{k!r} ({v} rows)" for k, v in self.shortfall_.items())
                + " (max_requests reached, or texts lost to validation and dedupe).",
                UserWarning,
                stacklevel=2,
            )
        indices = np.concatenate([np.arange(n), np.asarray(seeds, dtype=np.intp)])
        synthetic = np.r_[np.zeros(n, bool), np.ones(len(seeds), bool)]
        order = np.arange(indices.size)
        if self.shuffle:
            order = np.random.default_rng(self._seed(0)).permutation(indices.size)
        self.sample_indices_ = indices[order]
        self.is_synthetic_ = synthetic[order]
        X_new = self._new_rows(X, seeds, new_texts)
        X_out = _concat(X, X_new)
        y_out = take_rows(y, indices)
        if self.shuffle:
            X_out, y_out = take_rows(X_out, order), take_rows(y_out, order)
        return X_out, y_out

    def _seed(self, salt):
        rs = self.random_state
        base = 0 if rs is None else rs if isinstance(rs, Integral) else 0
        return int(hashlib.sha256(f"{base}:{salt}".encode()).hexdigest()[:8], 16)

    def _generate(self, texts, codes, uniques, plan):
        """Run the requests (cache first), validate, dedupe, top up."""
        cache = _Cache(default_cache_dir() if self.cache == "auto" else self.cache)
        originals = {_normalise(t) for t in texts}
        # near-duplicates are looked for within a class (its originals and its
        # new texts); exact duplicates everywhere
        near = {}
        if self.dedupe:
            for label, order, _ in plan:
                near[label] = _NearDuplicates(
                    [texts[i] for i in order], self.similarity
                )
        generator = None
        budget = self.max_requests
        self.n_requests_ = self.n_cached_ = 0
        accepted = {}  # seed row -> list of texts
        need_of = {i: k for _, _, need in plan for i, k in need.items()}
        for round_ in range(self.max_rounds):
            jobs = self._jobs(texts, plan, accepted, round_)
            if not jobs:
                break
            answers = {}
            todo = []
            for job in jobs:
                hit = cache.get(job[2])
                if hit is not None:
                    answers[job[2]] = hit
                    self.n_cached_ += 1
                else:
                    todo.append(job)
            if budget is not None:
                todo = todo[:budget]
                budget -= len(todo)
            if todo:
                generator = generator or self._generator()
                run = self._run_batch if self.batch else self._run
                answers.update(run(generator, todo, cache))
            by_class = {}
            for i, label, key, _, _ in jobs:
                for t in answers.get(key, []):
                    by_class.setdefault(label, []).append((i, t.strip()))
            for label, candidates in by_class.items():
                self._accept(candidates, accepted, need_of, originals, near.get(label))
            if budget == 0:
                break
        seeds, new_texts = [], []
        for _, order, _ in plan:
            for i in order:
                for t in accepted.get(i, []):
                    seeds.append(i)
                    new_texts.append(t)
        if self.label_filter is not None and new_texts:
            keep = self._filter(new_texts, [codes[s] for s in seeds], uniques)
            seeds = [s for s, k in zip(seeds, keep, strict=True) if k]
            new_texts = [t for t, k in zip(new_texts, keep, strict=True) if k]
        return new_texts, seeds

    def _accept(self, candidates, accepted, need_of, originals, near, chunk=2048):
        """Keep candidates in order while their seed needs texts: not empty,
        not an exact duplicate, not a near-duplicate of a class text or of a
        candidate kept before it. Chunks bound the similarity matrices."""
        for start in range(0, len(candidates), chunk):
            part = candidates[start : start + chunk]
            similar = near.check([t for _, t in part]) if near is not None else None
            kept = []
            for k, (i, t) in enumerate(part):
                if not t or len(accepted.get(i, [])) >= need_of[i]:
                    continue
                if self.dedupe:
                    if _normalise(t) in originals or similar.to_known[k]:
                        continue
                    if kept and similar.among[k, kept].max() >= self.similarity:
                        continue
                    originals.add(_normalise(t))
                accepted.setdefault(i, []).append(t)
                kept.append(k)
            if near is not None and kept:
                near.add(similar.matrix[kept])

    def _filter(self, new_texts, new_codes, uniques):
        f = self.label_filter
        predicted = f.predict(new_texts) if hasattr(f, "predict") else f(new_texts)
        expected = uniques[np.asarray(new_codes)]
        return (np.asarray(predicted) == expected).tolist()

    def _run_batch(self, generator, jobs, cache):
        """Send ``jobs`` as one Message Batch, poll it, cache its answers.

        The batch id is written to the cache directory until the results are
        in, so a rerun after an interruption polls the same batch."""
        if not isinstance(generator, _AnthropicGenerator):
            raise ValueError("batch=True needs generator='anthropic'.")
        client = generator.client.messages.batches
        keys = sorted(job[2] for job in jobs)
        marker = None
        if cache.directory is not None:
            name = hashlib.sha256("".join(keys).encode()).hexdigest()
            marker = cache.directory / "batches" / f"{name}.json"
        batch_id = None
        if marker is not None and marker.exists():
            batch_id = json.loads(marker.read_text()).get("batch_id")
        if batch_id is None:
            requests = [
                {
                    "custom_id": key,
                    "params": generator.params(
                        examples, label, self.n_per_request, self._seed(key)
                    ),
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
            if self.progress is True or (
                self.progress == "auto" and sys.stderr.isatty()
            ):
                print(
                    f"\rLLMAugmentSampler: batch {batch_id} {batch.processing_status}, "
                    f"{counts.succeeded + counts.errored}/{len(jobs)} done",
                    file=sys.stderr,
                    flush=True,
                )
            if batch.processing_status == "ended":
                break
            time.sleep(self.poll_interval)
        meta_of = {key: meta for _, _, key, meta, _ in jobs}
        answers, failed = {}, Counter()
        for item in client.results(batch_id):
            if item.custom_id not in meta_of:
                continue
            if item.result.type == "succeeded":
                texts = generator.parse(item.result.message)[: self.n_per_request]
                answers[item.custom_id] = texts
                cache.put(item.custom_id, meta_of[item.custom_id], texts)
            else:
                failed[item.result.type] += 1
        self.n_requests_ += len(jobs)
        if marker is not None:
            marker.unlink(missing_ok=True)
        if failed:
            raise RuntimeError(
                f"LLMAugmentSampler: batch {batch_id} had {dict(failed)} requests; "
                f"the {len(answers)} answers received are in the cache; fit again "
                "to send the rest."
            )
        return answers

    def _run(self, generator, jobs, cache):
        """Send ``jobs`` with up to ``max_concurrency`` in flight; cache every
        answer as it arrives, so a failure keeps what came before it."""
        answers = {}
        failure = None
        with ThreadPoolExecutor(max_workers=self.max_concurrency) as pool:
            futures = {
                pool.submit(
                    generator, examples, label, self.n_per_request, self._seed(key)
                ): (key, meta)
                for _, label, key, meta, examples in jobs
            }
            show = self.progress is True or (
                self.progress == "auto" and len(futures) >= 20 and sys.stderr.isatty()
            )
            for done, future in enumerate(as_completed(futures), start=1):
                key, meta = futures[future]
                self.n_requests_ += 1
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
                    failure = failure or (meta, exc)
                    continue
                texts = [t for t in texts if isinstance(t, str)][: self.n_per_request]
                answers[key] = texts
                # short and empty answers are kept too: the top-up requests that
                # replace them are cached as well, so a rerun sends nothing
                cache.put(key, meta, texts)
        if failure is not None:
            meta, exc = failure
            raise RuntimeError(
                f"LLMAugmentSampler: a request for class {meta['label']!r} failed "
                f"after the client's retries: {type(exc).__name__}: {exc}. The "
                f"{len(answers)} answers received before it are in the cache; "
                "fit again to resume."
            ) from exc
        return answers

    def _new_rows(self, X, seeds, new_texts):
        if self.provenance is not None and (
            self.text is None or (_is_pandas(X) and getattr(X, "ndim", 1) == 2)
        ):
            raise ValueError(
                f"provenance={self.provenance!r} needs records (dicts) with text=; "
                "for texts and DataFrames use is_synthetic_ and sample_indices_."
            )
        if self.text is None:
            return list(new_texts)
        if _is_pandas(X) and getattr(X, "ndim", 1) == 2:
            rows = take_rows(X, np.asarray(seeds, dtype=np.intp)).copy()
            rows[self.text] = new_texts
            return rows
        rows = []
        for s, t in zip(seeds, new_texts, strict=True):
            record = copy.deepcopy(X[s])
            _set_field(record, str(self.text), t)
            if self.provenance is not None:
                record[self.provenance] = {
                    "generator": self._model_id(),
                    "seed": int(s),
                }
            rows.append(record)
        return rows

    def _fit_resample(self, X, y):  # imbalanced-learn's hook
        return self.fit_resample(X, y)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.sparse = False
        tags.input_tags.string = True
        tags.input_tags.dataframe = True
        tags.sampler_tags.sample_indices = True
        return tags


def _set_field(record, path, value):
    parts = path.split(".")
    target = record
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    last = parts[-1]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value


def _concat(X, new):
    pd = sys.modules.get("pandas")  # imported already when X is pandas
    if _is_pandas(X) and getattr(X, "ndim", 1) == 2:
        return pd.concat([X, new])
    if isinstance(X, np.ndarray):
        out = np.empty(len(X) + len(new), dtype=object)
        out[: len(X)] = X
        out[len(X) :] = new
        return out
    if _is_pandas(X):
        return pd.concat([X, pd.Series(new, dtype=X.dtype, name=X.name)])
    return list(X) + list(new)
