"""The engines of the commands on labels (``--engine memory|spark``).

A command (:mod:`skbalance._cli._commands`) is written once: it checks its
options, asks its engine for counts or for an output, and prints through
:mod:`skbalance._cli._report`. An engine is a class, in a module of its own,
built from an :class:`Input`, with this interface:

``name``
    FILE as messages name it.
``fmt``
    The format of the input and of the outputs, ``"jsonl"`` or
    ``"parquet"``.
``source``
    After a read: what :func:`~skbalance._cli._report.note` reports on
    (``n_skipped``, ``skipped_lines``, ``n_missing``, ``missing_lines``).
``with engine:``
    The span of a command (Spark: the session, started at the first read).
``stop``
    None, or what the main thread calls on Ctrl-C or SIGTERM while the
    command runs in a thread of its own (Spark: cancel the jobs, remove the
    temporary files).
``label_counts(*, domain, skip_missing, duplicates, outputs, force)``
    ``(counts, by_domain, n_duplicates)``: ``{class: count}`` largest first
    (ties in value order), ``{domain: {class: count}}`` or None, and the
    number of records repeating an earlier one (when ``duplicates``).
    ``outputs`` are checked before the input is read.
``label_sets(*, domain, skip_missing)``
    The label list of every record (``analyze --multilabel``) and the number
    of duplicate records.
``split(paths, *, sizes, seed, domain, group, dedupe, text, force)``
    Write the parts to ``paths`` as a set; ``({class: count} of every part,
    names)``: ``names`` maps every stratum the split's warnings may name to a
    class, or with ``domain`` a (class, domain) pair.
``oversample(how, *, domain, output, force)``
    Write the input and the copies that ``how`` (an :class:`Oversampling`)
    asks for; ``(before, after)`` counts per class (or domain).

``mix(params, *, by, domain, output, force, shuffle, seed)``
    Write the mixture of :func:`mixture_targets` (``params``) over the
    classes, the domains or the (domain, class) pairs (``by``); ``(before,
    after)`` counts per stratum.
``from_args(source, args)`` (a class method)
    The engine of the command's options (``source``: its :class:`Input`).

A third engine (Polars, DuckDB) is one more module with that class, named in
:data:`ENGINES`.
"""

import importlib
from dataclasses import dataclass

__all__ = ["ENGINES", "Input", "engine_for", "mixture_targets"]

#: ``--engine`` -> the module and class of the engine
ENGINES = {
    "memory": ("skbalance._cli._memory", "MemoryEngine"),
    "spark": ("skbalance._cli._spark._engine", "SparkEngine"),
}


@dataclass(frozen=True)
class Input:
    """FILE and how to read its labels (the options every reading command
    has)."""

    path: str
    label: str = "label"
    missing_label: object = None
    on_error: str = "raise"  # or "skip"

    @classmethod
    def from_args(cls, args, path=None):
        return cls(
            path=args.input if path is None else path,
            label=args.label,
            missing_label=args.missing_label,
            on_error="skip" if args.on_error == "skip" else "raise",
        )


@dataclass(frozen=True)
class Oversampling:
    """What ``balance`` asks for: ``--target-ratio`` (the targets of
    :class:`~skbalance.RatioOverSampler`) or ``--min-share`` (those of
    :class:`~skbalance.DomainFloorSampler`), ``--shuffle`` and ``--seed``."""

    target_ratio: float = None
    min_share: float = None
    shuffle: bool = False
    seed: int = 0

    @property
    def name(self):
        """The sampler of the library that writes the same rows."""
        if self.target_ratio is not None:
            return "RatioOverSampler"
        return "DomainFloorSampler"

    def targets(self, counts, keys=None):
        """Rows per stratum after, from the rows per stratum before; ``keys``
        (the sorted strata) is unused, taken to be called as
        :func:`mixture_targets` is."""
        from skbalance._targets import stratum_targets

        if self.target_ratio is not None:
            return stratum_targets(counts, target_ratio=self.target_ratio)
        return stratum_targets(counts, min_share=self.min_share, relative=False)


def engine_for(args):
    """The engine of ``--engine`` (in memory for commands without it), built
    from the command's options by its ``from_args``."""
    module, cls = ENGINES[getattr(args, "engine", "memory")]
    engine = getattr(importlib.import_module(module), cls)
    return engine.from_args(Input.from_args(args), args)


def _text(value):
    """A stratum as a key of JSON: a string as it is, any other value as its
    JSON text (``1``, ``true``)."""
    import json

    return value if isinstance(value, str) else json.dumps(value)


def mixture_targets(counts, keys, *, weights=None, **params):
    """:func:`~skbalance._mixture_plan.mixture_counts` of the sorted strata
    ``keys``, with ``--weights`` read from JSON: keyed by the text of a
    stratum (``{domain: {class: weight}}`` for (domain, class) pairs)."""
    from skbalance._mixture_plan import mixture_counts

    if weights is not None:
        listed = []
        for key in keys:
            found = weights
            for part in key if isinstance(key, tuple) else (key,):
                found = found.get(_text(part)) if isinstance(found, dict) else None
            if type(found) not in (int, float):
                raise ValueError(
                    f"--weights has no number for {key!r}; give every "
                    f"{'(domain, class) pair' if isinstance(key, tuple) else 'stratum'}"
                    " a weight (0 drops it)."
                )
            listed.append(found)
        weights = listed
    return mixture_counts(counts, keys=keys, weights=weights, **params)
