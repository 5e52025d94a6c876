"""Generators of new examples: the offline one, any callable, and Anthropic's
Messages API.

A *request* asks for rewrites of one or more seeds of one class::

    {"label": ..., "kind": "text" | "fields" | "chat", "context": [units],
     "seeds": [(seed_unit, n), ...], "random_state": int}

and a generator object answers it with ``(rewrites, usage)``: one list of
rewrites per seed, and the token counts the API reported. A user's callable
``(examples, label, n, random_state) -> list`` (``examples[0]`` the seed unit,
the others more examples of its class) is called once per seed by
:class:`CallableGenerator`; :class:`AnthropicGenerator` sends one API call per
request, asking for every seed's rewrites in one tool call.
"""

import functools
import hashlib
import json
import threading
import types

import numpy as np

from skbalance._compat import import_optional
from skbalance._llm._rewrite import model_view, system_prompts, unit_schema

__all__ = [
    "DEFAULT_MODEL",
    "PROMPT_VERSION",
    "GeneratorOutputError",
    "USAGE_FIELDS",
    "AnthropicGenerator",
    "CallableGenerator",
    "anthropic_sdk",
    "check_client_options",
    "check_generated",
    "generator_id",
    "generator_key",
    "make_generator",
    "min_cached_tokens",
    "offline_generator",
    "request_body",
]

#: bump when the prompt changes, so that cached answers to the old prompt are
#: not reused
PROMPT_VERSION = 4
DEFAULT_MODEL = "claude-haiku-4-5"
#: seconds a request may take before the client gives up on it (and retries
#: it); the SDK's own default is 600
DEFAULT_TIMEOUT = 60.0
#: client options that hold a credential, and the environment variable that
#: should hold it instead
_SECRETS = {"api_key": "ANTHROPIC_API_KEY", "auth_token": "ANTHROPIC_AUTH_TOKEN"}
_TOOL = "record_examples"
#: the token counts of the API's usage object that a fit adds up
USAGE_FIELDS = (
    "input_tokens",
    "output_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
)
#: the shortest prompt prefix the API caches (Anthropic's documented minimum:
#: 2048 tokens for Haiku models, 1024 for the others); a shorter shared part
#: is sent without cache_control, where marking it would cost without saving
MIN_CACHED_TOKENS = {"haiku": 2048}
MIN_CACHED_TOKENS_DEFAULT = 1024
#: one per request (chosen by its random_state), so that the requests for
#: one seed ask for different things
_STYLES = (
    "Vary the tone: some casual, some formal.",
    "Make some of them short and some detailed.",
    "Add realistic details (names, numbers, products).",
    "Write as different kinds of customers would.",
    "Change the sentence structure and the order of information.",
)


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


def _vary(text, rng, tag):
    words = text.split()
    for _ in range(max(1, len(words) // 4)):
        if len(words) > 2:
            j = int(rng.integers(len(words) - 1))
            words[j], words[j + 1] = words[j + 1], words[j]
    for phrase in rng.choice(_PHRASES, size=2, replace=False):
        words.insert(int(rng.integers(len(words) + 1)), str(phrase))
    opener = _OPENERS[rng.integers(len(_OPENERS))]
    closer = _CLOSERS[rng.integers(len(_CLOSERS))]
    text = " ".join(part for part in (opener, " ".join(words), closer) if part)
    return f"{text} ({tag})"


def offline_generator(examples, label, n, random_state):
    """Deterministic offline generator, for tests, docs and benchmarks.

    Varies the first example: swaps some neighbouring words, inserts stock
    phrases, adds a greeting, a sign-off and a numbered marker. A record
    unit (several fields, or a conversation) gets every field, or every
    non-system message, varied. No model, no network; real augmentation
    needs a real model.

    Parameters
    ----------
    examples : list of str, dict or list of dict
        The unit to vary first, then other examples of the class.
    label : object
        The class (unused: the variations keep the seed's words).
    n : int
        Number of variations to return.
    random_state : int
        Seed of the variations.

    Returns
    -------
    variations : list
        ``n`` units of the seed's form.

    See Also
    --------
    LLMAugmentSampler : Takes it as ``generator="offline"`` or as a callable.

    Examples
    --------
    >>> from skbalance import offline_generator
    >>> texts = offline_generator(["My invoice is wrong."], "billing", 2, 0)
    >>> len(texts), all("(variant 0-" in t for t in texts)
    (2, True)
    >>> chat = [{"role": "system", "content": "Be brief."},
    ...         {"role": "user", "content": "Refund please"}]
    >>> new = offline_generator([chat], "billing", 1, 0)[0]
    >>> new[0] == chat[0], new[1]["content"] != "Refund please"
    (True, True)
    """
    rng = np.random.default_rng(random_state)
    seed = examples[0]
    out = []
    for i in range(n):
        tag = f"variant {random_state}-{i}"
        if isinstance(seed, str):
            out.append(_vary(seed, rng, tag))
        elif isinstance(seed, dict):
            out.append({k: _vary(v, rng, tag) for k, v in seed.items()})
        else:
            out.append(
                [
                    m
                    if m["role"] == "system"
                    else {**m, "content": _vary(m["content"], rng, tag)}
                    for m in seed
                ]
            )
    return out


class GeneratorOutputError(TypeError):
    """A generator callable returned something other than a list: a bug in
    the callable, raised at once rather than retried."""


def check_generated(output, *, label, seed):
    """What a callable returned, or a ``TypeError`` naming the request.

    A list (or tuple) is expected; anything else (a bare ``str``, whose
    characters would become texts, or ``None``) is an error naming the class
    and the seed. Items are checked against the seed later: a malformed item
    is dropped and topped up by another request.
    """
    if isinstance(output, (str, bytes)) or not isinstance(output, (list, tuple)):
        shown = seed if isinstance(seed, str) else json.dumps(seed)
        raise GeneratorOutputError(
            f"The generator returned a {type(output).__name__} for class {label!r} "
            f"(seed {shown[:60]!r}); it must return a list."
        )
    return list(output)


class CallableGenerator:
    """A callable ``(examples, label, n, random_state) -> list``, called once
    per seed of a request (a local callable costs nothing per call)."""

    def __init__(self, function):
        self.function = function

    def __call__(self, request):
        examples = request["context"]
        rewrites = []
        for k, (seed, n) in enumerate(request["seeds"]):
            output = self.function(
                [seed] + [e for e in examples if e != seed],
                request["label"],
                n,
                request["random_state"] + k,
            )
            rewrites.append(check_generated(output, label=request["label"], seed=seed))
        return rewrites, {}

    def close(self):
        """Nothing to release."""


def anthropic_sdk(purpose):
    """The ``anthropic`` module, or :class:`MissingDependency` naming
    ``purpose`` and the ``llm`` extra (the command line asks before reading)."""
    return import_optional("anthropic", extra="llm", purpose=purpose)


class AnthropicGenerator:
    """One Messages API call per request: a forced tool call returning the
    rewrites of every seed. The client is made once per fit, from the
    environment (``ANTHROPIC_API_KEY``, ``ANTHROPIC_BASE_URL``), and closed
    at the end of the fit.

    The instructions and the conversations' system prompts form a system
    prompt prefix that the requests of a class share; when it is long enough
    for the API to cache (``MIN_CACHED_TOKENS``), it is marked with
    ``cache_control``, and the requests after the first read it from the
    cache at a tenth of the price. The examples, drawn for each request,
    come after it.
    """

    def __init__(self, model, max_tokens, client_options):
        anthropic = anthropic_sdk("LLMAugmentSampler(generator='anthropic')")
        self.model = model
        self.max_tokens = max_tokens
        options = {"timeout": DEFAULT_TIMEOUT, **(client_options or {})}
        self.client = anthropic.Anthropic(**options)
        self.connection_errors = (anthropic.APIConnectionError,)
        self._lock = threading.Lock()

    def params(self, request):
        """The body of one Messages API request."""
        return request_body(
            request,
            self.model,
            self.max_tokens,
            min_cached_tokens=min_cached_tokens(self.model),
        )

    @staticmethod
    def parse(message, request):
        """``(rewrites, usage)`` of an answer: the rewrites of every seed
        (empty lists when the answer holds no usable tool call), and the
        token counts with ``truncated``, 1 when ``stop_reason`` says the
        answer was cut off at ``max_tokens``."""
        rewrites = [[] for _ in request["seeds"]]
        for block in message.content:
            if getattr(block, "type", None) != "tool_use":
                continue
            items = (block.input or {}).get("rewrites")
            for item in items if isinstance(items, list) else []:
                k = item.get("id") if isinstance(item, dict) else None
                if isinstance(k, int) and 0 <= k < len(rewrites) and "rewrite" in item:
                    rewrites[k].append(item["rewrite"])
            break
        usage = {name: getattr(message.usage, name, None) or 0 for name in USAGE_FIELDS}
        # an answer cut off at max_tokens: counted, so a shortfall names it
        usage["truncated"] = int(getattr(message, "stop_reason", None) == "max_tokens")
        return rewrites, usage

    def __call__(self, request):
        message = self.client.messages.create(**self.params(request))
        return self.parse(message, request)

    def close(self):
        """Close the HTTP client (no unclosed sockets left behind)."""
        self.client.close()


def min_cached_tokens(model):
    """The shortest prompt prefix the API caches for ``model``."""
    for family, tokens in MIN_CACHED_TOKENS.items():
        if family in model:
            return tokens
    return MIN_CACHED_TOKENS_DEFAULT


def request_body(request, model, max_tokens, *, min_cached_tokens=None):
    """The body of the Messages API request for ``request``: the instructions
    and the system prompts of the conversations as the first block of the
    system prompt (the prefix that the class's requests share, marked for
    the API's prompt cache when at least ``min_cached_tokens`` long), the
    examples drawn for this request as a second block, the seeds as the
    user message, and a forced tool call whose schema fits the seeds' kind.

    A conversation's system messages are context, written once in the system
    prompt and referred to by number from its seed; the seed and its
    rewrites hold only the other turns."""
    kind, label = request["kind"], request["label"]
    description = request.get("description")
    what = {
        "text": "texts",
        "fields": "records (every field rewritten together, so that they "
        "still belong together)",
        "chat": "conversations (every turn rewritten, keeping the roles and the "
        "number of turns; the system prompt a conversation runs under is "
        "context: do not return it)",
    }[kind]
    prompts = list(
        dict.fromkeys(
            text for seed, _ in request["seeds"] for text in system_prompts(seed)
        )
    )
    number = {text: k for k, text in enumerate(prompts)}
    shown = "".join(
        f"<example>{json.dumps(model_view(e), ensure_ascii=False)}</example>\n"
        for e in request["context"]
    )
    system = (
        f"You write training data for a classifier. Class: {label!r}"
        + (f" ({description})" if description else "")
        + ". You "
        f"rewrite {what} of this class: vary the wording, length, tone and "
        "details, keep the meaning and the class, do not copy the seed or the "
        "examples, and do not number the rewrites. When a seed asks for "
        "several rewrites, make them differ from each other as much as from "
        "the seed (other openings, structure and details), not only in a "
        "word or two.\n"
        + "".join(
            f'<system_prompt id="{k}">{text}</system_prompt>\n'
            for k, text in enumerate(prompts)
        )
    )
    system_block = {"type": "text", "text": system}
    if min_cached_tokens is not None and len(system) // 4 >= min_cached_tokens:
        system_block["cache_control"] = {"type": "ephemeral"}
    blocks = [system_block]
    if shown:  # drawn for each request: after the cached prefix
        blocks.append({"type": "text", "text": f"Examples of this class:\n{shown}"})
    seeds = []
    for k, (seed, n) in enumerate(request["seeds"]):
        entry = {"id": k, "n": n, "seed": model_view(seed)}
        if system_prompts(seed):
            entry["system_prompt"] = [number[t] for t in system_prompts(seed)]
        seeds.append(entry)
    style = _STYLES[request["random_state"] % len(_STYLES)]
    prompt = (
        "Rewrite each seed below as many times as its n says. "
        f"{style} (Batch {request['random_state'] % 100_000}.)\n"
        f"<seeds>{json.dumps(seeds, ensure_ascii=False)}</seeds>\n"
        f"Return every rewrite with the {_TOOL} tool, with the id of its seed."
    )
    schema = unit_schema(kind, model_view(request["seeds"][0][0]))
    return {
        "model": model,
        "max_tokens": max_tokens,
        "system": blocks,
        "tools": [
            {
                "name": _TOOL,
                "description": "Record the rewrites.",
                "input_schema": {
                    "type": "object",
                    "properties": {
                        "rewrites": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "integer"},
                                    "rewrite": schema,
                                },
                                "required": ["id", "rewrite"],
                            },
                        }
                    },
                    "required": ["rewrites"],
                },
            }
        ],
        "tool_choice": {"type": "tool", "name": _TOOL},
        "messages": [{"role": "user", "content": prompt}],
    }


def check_client_options(client_options):
    """Refuse credentials in ``client_options``: a parameter's value is kept in
    the sampler's ``repr``, ``get_params`` and pickles (a saved
    ``GridSearchCV``), so a key there would leak; the environment holds it."""
    for name, variable in _SECRETS.items():
        if name in (client_options or {}):
            raise ValueError(
                f"client_options holds {name!r}: a key given there is kept in "
                "the sampler's repr, get_params and pickles. Set the "
                f"{variable} environment variable instead."
            )


def make_generator(generator, model, max_tokens, client_options):
    """The generator object behind a ``generator`` parameter."""
    if callable(generator):
        return CallableGenerator(generator)
    if generator == "offline":
        return CallableGenerator(offline_generator)
    return AnthropicGenerator(model, max_tokens, client_options)


def generator_id(generator, model):
    """What made a text, for cache keys and provenance: the model id,
    ``"offline"``, or the qualified name of a callable."""
    if callable(generator):
        name = getattr(generator, "__qualname__", type(generator).__name__)
        return f"callable:{getattr(generator, '__module__', '')}.{name}"
    return "offline" if generator == "offline" else model


def _setting(value, seen):
    """A stable description of a value a callable depends on: a function by
    its fingerprint, another object by its ``repr``, or by its type when the
    ``repr`` shows only a memory address (a live client, a lock)."""
    if callable(value) and not isinstance(value, type):
        return _fingerprint(value, seen)
    if isinstance(value, (list, tuple)):  # settings next to a client
        return [type(value).__name__, [_setting(v, seen) for v in value]]
    if isinstance(value, dict):
        return sorted([repr(k), _setting(v, seen)] for k, v in value.items())
    shown = repr(value)
    if " at 0x" in shown:
        return f"<{type(value).__module__}.{type(value).__qualname__}>"
    return shown


def _code(code):
    """The bytecode, constants and names of a code object, nested code
    objects (inner functions, lambdas) included."""
    return [
        code.co_code.hex(),
        [
            _code(c) if isinstance(c, types.CodeType) else repr(c)
            for c in code.co_consts
        ],
        list(code.co_names),
    ]


def _fingerprint(function, seen):
    explicit = getattr(function, "cache_key", None)
    if isinstance(explicit, str):
        return ["cache_key", explicit]
    if id(function) in seen:  # a recursive closure
        return "<recursion>"
    seen = seen | {id(function)}
    if isinstance(function, functools.partial):
        return [
            "partial",
            _fingerprint(function.func, seen),
            [_setting(a, seen) for a in function.args],
            {k: _setting(v, seen) for k, v in sorted(function.keywords.items())},
        ]
    if isinstance(function, types.MethodType):
        return [
            "method",
            _fingerprint(function.__func__, seen),
            _setting(function.__self__, seen),
        ]
    code = getattr(function, "__code__", None)
    if code is None:  # an object with __call__: its class's code, its state
        call = type(function).__call__
        inner = _code(call.__code__) if hasattr(call, "__code__") else []
        state = getattr(function, "__dict__", {})
        return [
            "object",
            f"{type(function).__module__}.{type(function).__qualname__}",
            inner,
            {k: _setting(v, seen) for k, v in sorted(state.items())},
            _setting(function, seen) if " at 0x" not in repr(function) else "",
        ]
    cells = [
        _setting(cell.cell_contents, seen) if _has_contents(cell) else "<empty>"
        for cell in function.__closure__ or ()
    ]
    return [
        "function",
        f"{getattr(function, '__module__', '')}.{function.__qualname__}",
        _code(code),
        [_setting(d, seen) for d in function.__defaults__ or ()],
        {
            k: _setting(v, seen)
            for k, v in sorted((function.__kwdefaults__ or {}).items())
        },
        cells,
    ]


def _has_contents(cell):
    try:
        cell.cell_contents  # noqa: B018 - an unset cell raises
    except ValueError:
        return False
    return True


def generator_key(generator, model):
    """What identifies a generator in cache keys.

    The model id, or ``"offline"``; for a callable, its :func:`generator_id`
    and a hash of what its answers depend on; or, when it has a
    ``cache_key`` attribute (a str: the caller's promise that equal keys give
    interchangeable answers), that key alone. Without one, the hash is of
    its code (bytecode,
    constants, names, nested functions), default arguments and closure
    values (by ``repr``; an object whose ``repr`` shows only an address, such
    as a client, counts by its type), through ``functools.partial``, bound
    methods and callable objects (their class's ``__call__`` and their
    attributes). Two lambdas, or one closure factory called with other
    settings, get different keys. Module globals it reads are not part of
    the key: give ``cache_key`` when they matter.
    """
    made_by = generator_id(generator, model)
    if not callable(generator):
        return made_by
    if isinstance(getattr(generator, "cache_key", None), str):
        return f"cache_key:{generator.cache_key}"
    fingerprint = json.dumps(_fingerprint(generator, frozenset()), sort_keys=True)
    return f"{made_by}#{hashlib.sha256(fingerprint.encode()).hexdigest()[:16]}"
