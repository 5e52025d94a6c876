"""Generators of new texts: the offline one and Anthropic's Messages API.

A generator is a callable ``(examples, label, n, random_state) -> list of
str``: ``examples[0]`` is the seed text to vary, the others are more examples
of its class. :func:`check_generated` validates what any generator returns.
"""

import numpy as np

from skbalance._compat import import_optional

__all__ = [
    "DEFAULT_MODEL",
    "PROMPT_VERSION",
    "AnthropicGenerator",
    "check_generated",
    "generator_id",
    "make_generator",
    "offline_generator",
]

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


class AnthropicGenerator:
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


def check_generated(texts, *, label, seed):
    """The texts a generator returned, or a ``TypeError`` naming the request.

    A list (or tuple) of ``str`` is expected; anything else (a bare ``str``,
    whose characters would become texts, or ``None``) is an error naming the
    class and the seed text. Non-string items are dropped: a model's
    malformed item is topped up by another request.
    """
    if isinstance(texts, (str, bytes)) or not isinstance(texts, (list, tuple)):
        raise TypeError(
            f"The generator returned a {type(texts).__name__} for class {label!r} "
            f"(seed {seed[:60]!r}); it must return a list of str."
        )
    return [t for t in texts if isinstance(t, str)]


def make_generator(generator, model, max_tokens, client_options):
    """The callable behind a ``generator`` parameter of LLMAugmentSampler."""
    if callable(generator):
        return generator
    if generator == "offline":
        return offline_generator
    return AnthropicGenerator(model, max_tokens, client_options)


def generator_id(generator, model):
    """What made a text, for cache keys and provenance: the model id,
    ``"offline"``, or the qualified name of a callable."""
    if callable(generator):
        name = getattr(generator, "__qualname__", type(generator).__name__)
        return f"callable:{getattr(generator, '__module__', '')}.{name}"
    return "offline" if generator == "offline" else model
