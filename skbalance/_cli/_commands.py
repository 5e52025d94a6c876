"""The commands on labels, each written once for every engine: analyze,
split, balance and weights (and demo). A command checks its options, asks
its engine (:mod:`skbalance._cli._engine`) for counts or for an output, and
prints through :mod:`skbalance._cli._report`."""

import os

import skbalance
from skbalance._cli._engine import Oversampling
from skbalance._cli._parser import UsageError
from skbalance._cli._report import (
    caps_in_shell_words,
    check_plot,
    floor_in_shell_words,
    note,
    plot,
    print_analysis,
    print_balance,
    print_mix,
    print_next,
    print_split,
    split_names,
    suggested_share,
    too_few_groups,
    write_weights,
)
from skbalance._io import check_output

__all__ = [
    "analyze",
    "balance",
    "demo",
    "mix",
    "split",
    "weights",
]


def analyze(args, engine, *, out, err):
    check_plot(args.plot, force=args.force, inputs=[args.input])
    skip_missing = args.missing_label is None
    if args.multilabel:  # label lists: the report names the labels by value
        y, n_duplicates = engine.label_sets(
            domain=args.domain, skip_missing=skip_missing
        )
        report = skbalance.imbalance_report(y)
    else:
        counts, by_domain, n_duplicates = engine.label_counts(
            domain=args.domain, skip_missing=skip_missing, duplicates=True
        )
        # the counts first, then scikit-learn is imported (by ImbalanceReport):
        # the per-record arrays and the library are never in memory together
        report = skbalance.ImbalanceReport(
            counts=counts, n_samples=sum(counts.values()), group_counts=by_domain
        )
    print_analysis(
        report,
        engine.source,
        n_duplicates,
        name=engine.name,
        label=args.label,
        as_json=args.json,
        out=out,
    )
    if report.severity in _TO_BALANCE and not args.json:
        print_next(
            ["skbalance", "split", args.input, *_same_options(args)]
            + ["--out-dir", "parts"],
            out,
        )
    note(engine.source, err)
    if args.plot is not None:
        title = f"{os.path.basename(args.input)}: {args.label}"
        plot(report, args.plot, title=title, force=args.force, inputs=[args.input])


#: the severities after which the command line suggests the next step
_TO_BALANCE = ("moderate", "severe")


def _same_options(args):
    """The options a next command needs to read as this one did."""
    words = [] if args.label == "label" else ["--label", args.label]
    if args.engine != "memory":
        words += ["--engine", args.engine]
    return words


def check_split(sizes, text, dedupe, out_dir):
    """The options of ``split`` that do not go together."""
    if abs(sum(sizes) - 1) > 1e-9:
        raise UsageError(f"--sizes must sum to 1; got {' + '.join(map(str, sizes))}.")
    if text is not None and not dedupe:
        raise UsageError(
            "--text is used by --dedupe; add --dedupe or leave --text out."
        )
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise UsageError(f"--out-dir {out_dir}: exists and is not a folder.")


def split(args, engine, *, out, err):
    from skbalance._stratify import TooFewGroupsError  # scikit-learn

    check_split(args.sizes, args.text, args.dedupe, args.out_dir)
    names = ("train", "val", "test")
    try:
        with split_names(args.domain is not None) as strata:
            parts, shown, n_duplicates = engine.split(
                [os.path.join(args.out_dir, f"{name}.jsonl") for name in names],
                sizes=args.sizes,
                seed=args.seed,
                domain=args.domain,
                group=args.group,
                dedupe=args.dedupe,
                text=args.text,
                force=args.force,
            )
            strata.update(shown)
    except TooFewGroupsError as exc:
        how = (args.group, args.dedupe, args.text)
        raise ValueError(too_few_groups(engine.name, exc, *how)) from None
    print_split(
        engine.name,
        dict(zip(names, parts, strict=True)),
        args.out_dir,
        by_domain=args.domain is not None,
        n_duplicates=n_duplicates,
        out=out,
    )
    from skbalance._diagnostics import severity  # scikit-learn, after the work

    train = {}
    for stratum, n in parts[0].items():  # by class
        key = stratum if args.domain is None else stratum[0]
        train[key] = train.get(key, 0) + n
    if severity(max(train.values()) / max(min(train.values()), 1)) in _TO_BALANCE:
        ext = "parquet" if engine.fmt == "parquet" else "jsonl"
        path = os.path.join(args.out_dir, f"train.{ext}")
        print_next(
            ["skbalance", "balance", path, *_same_options(args)]
            + ["--min-share", suggested_share(len(train)), "-o"]
            + [os.path.join(args.out_dir, f"train.balanced.{ext}")],
            out,
        )
    note(engine.source, err)


def balance(args, engine, *, out, err):
    how = Oversampling(args.target_ratio, args.min_share, args.shuffle, args.seed)
    word = "class" if args.domain is None else "domain"
    with floor_in_shell_words(args.min_share, word):
        before, after = engine.oversample(
            how, domain=args.domain, output=args.output, force=args.force
        )
    field = args.label if args.domain is None else args.domain
    print_balance(
        how.name,
        f"{'label' if args.domain is None else 'domain'} field {field!r}",
        before,
        after,
        args.output,
        out=out,
        err=err,
    )
    note(engine.source, err)


def mix(args, engine, *, out, err):
    if args.by_class and args.domain is None:
        raise UsageError("--by-class goes with --domain FIELD.")
    if args.unimax is not None and args.max_repeats is not None:
        raise UsageError("--unimax E is the cap; leave --max-repeats out.")
    params = {
        "weights": args.weights,
        "temperature": args.temperature,
        "max_repeats": args.unimax or args.max_repeats,
        "size": args.size,
        "min_share": args.min_share,
    }
    by = "class" if args.domain is None else "pair" if args.by_class else "domain"
    word = {"class": "class", "domain": "domain", "pair": "(domain, class) pair"}[by]
    with floor_in_shell_words(args.min_share, word), caps_in_shell_words():
        before, after = engine.mix(
            params,
            by=by,
            domain=args.domain,
            output=args.output,
            force=args.force,
            shuffle=args.shuffle,
            seed=args.seed,
        )
    print_mix(before, after, args.output, out=out, err=err)
    note(engine.source, err)


def weights(args, engine, *, out, err):
    counts, _, _ = engine.label_counts(
        outputs=[] if args.output is None else [args.output], force=args.force
    )
    classes = sorted(counts)
    write_weights(
        classes,
        [counts[k] for k in classes],
        strategy=args.strategy,
        max_weight=args.max_weight,
        output=args.output,
        force=args.force,
        inputs=[args.input],
        out=out,
        err=err,
    )
    note(engine.source, err)


def demo(args, *, out, err):
    from skbalance._demo import run_demo

    if args.output is not None:
        check_output(args.output, force=args.force)
    run_demo(output=args.output, out=out, force=args.force)
