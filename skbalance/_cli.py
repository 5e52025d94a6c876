"""The ``skbalance`` command line: a thin layer over the library.

Commands
--------
``skbalance demo``
    The whole workflow on the bundled support tickets.
``skbalance balance INPUT -o OUTPUT``
    Over-sample a JSON Lines file to a target ratio or to share floors; the
    records pass through unchanged.
"""

import argparse
import sys

from skbalance import __version__
from skbalance._domain_floor import DomainFloorSampler
from skbalance._jsonl import JsonlError, field_values, read_jsonl, write_lines
from skbalance._ratio import RatioOverSampler

__all__ = ["main"]


def _share(value):
    value = float(value)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1]; got {value:g}")
    return value


def _ratio(value):
    value = float(value)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1]; got {value:g}")
    return value


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="skbalance",
        description="Detect, split, rebalance and weight imbalanced training data.",
    )
    parser.add_argument(
        "--version", action="version", version=f"skbalance {__version__}"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="run the workflow on the bundled support tickets",
        description="Run the workflow on the 1,000 support tickets bundled with "
        "skbalance: distribution, a stratified split, and a TF-IDF + logistic "
        "regression model trained without and with each balancing strategy.",
    )
    demo.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="also write the balanced training split to this JSON Lines file",
    )

    balance = commands.add_parser(
        "balance",
        help="over-sample a JSON Lines file",
        description="Over-sample a JSON Lines file by duplicating records: to a "
        "ratio of the largest class (--target-ratio) or to a minimum share of the "
        "output for every class or domain (--min-share). Records are copied "
        "byte for byte; originals come first, copies after.",
    )
    balance.add_argument("input", metavar="INPUT", help="JSON Lines file to read")
    balance.add_argument(
        "-o",
        "--output",
        metavar="OUTPUT",
        required=True,
        help="JSON Lines file to write (never the input)",
    )
    target = balance.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "--target-ratio",
        type=_ratio,
        metavar="R",
        help="raise every class to at least R times the largest class, R in (0, 1]",
    )
    target.add_argument(
        "--min-share",
        type=_share,
        metavar="S",
        help="give every class (or domain, with --domain) at least a share S of "
        "the output",
    )
    balance.add_argument(
        "--label",
        default="label",
        metavar="FIELD",
        help="field holding the class label (default: label); dotted paths such "
        "as meta.label or messages.-1.content work",
    )
    balance.add_argument(
        "--domain",
        metavar="FIELD",
        help="with --min-share: field holding the domain to put floors on",
    )
    balance.add_argument("--shuffle", action="store_true", help="shuffle the output")
    balance.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    return parser


def _print_counts(title, before, after, out):
    total = sum(after.values())
    width = max(len(str(k)) for k in after)
    print(title, file=out)
    print(f"  {'':<{width}}  {'before':>8}  {'after':>8}  {'share':>6}", file=out)
    for key in after:
        share = after[key] / total
        print(
            f"  {key!s:<{width}}  {before[key]:>8}  {after[key]:>8}  {share:>6.1%}",
            file=out,
        )


def _balance(args, out):
    if args.domain is not None and args.min_share is None:
        raise JsonlError("--domain needs --min-share (floors are put on domains).")
    data = read_jsonl(args.input)
    if args.domain is not None:
        strata = field_values(data, args.domain, option="--domain")
        y = [0] * len(data)
        sampler = DomainFloorSampler(
            min_share=args.min_share, shuffle=args.shuffle, random_state=args.seed
        )
        sampler.fit(data.records, y, groups=strata)
        what = f"domain field {args.domain!r}"
    else:
        y = field_values(data, args.label, option="--label")
        if args.target_ratio is not None:
            sampler = RatioOverSampler(
                target_ratio=args.target_ratio,
                shuffle=args.shuffle,
                random_state=args.seed,
            )
        else:
            sampler = DomainFloorSampler(
                min_share=args.min_share, shuffle=args.shuffle, random_state=args.seed
            )
        sampler.fit(data.records, y)
        what = f"label field {args.label!r}"
    lines = data.lines
    write_lines(
        args.output, (lines[i] for i in sampler.sample_indices_), inputs=[args.input]
    )
    n_in, n_out = len(data), len(sampler.sample_indices_)
    _print_counts(
        f"{type(sampler).__name__} on {what}: {n_in} records in, {n_out} out "
        f"({n_out - n_in} copies) -> {args.output}",
        sampler.counts_before_,
        sampler.counts_after_,
        out,
    )


def main(argv=None, *, out=None, err=None):
    """Run the command line; return the exit code.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments, without the program name; ``sys.argv[1:]`` when None.
    out, err : text streams, default=None
        Where to print results and errors; stdout and stderr when None.

    Returns
    -------
    int
        0 on success, 1 on bad input data, 2 on a usage error.
    """
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        if args.command == "demo":
            from skbalance._demo import run_demo

            run_demo(output=args.output, out=out)
        else:
            _balance(args, out)
    except (JsonlError, ValueError) as exc:
        print(f"skbalance: error: {exc}", file=err)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
