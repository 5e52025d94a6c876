"""The ``skbalance`` argument parser: every command and option.

Imports nothing heavy, so that ``--help`` and ``--version`` are instant.
"""

import argparse

from skbalance import __version__

__all__ = ["UsageError", "build_parser", "is_parquet"]


class UsageError(Exception):
    """Options that do not go together: exit code 2."""


def is_parquet(path):
    """Whether a FILE names Parquet (``.parquet`` or ``.parq``, a folder's
    trailing slash aside): the format ``--engine spark`` reads it as, and
    one the in-memory engine refuses."""
    return str(path).rstrip("/").lower().endswith((".parquet", ".parq"))


def _fraction(text):
    """``--target-ratio`` and ``--min-share``: a number in [0, 1], the range
    of the samplers' constraints (``skbalance._constraints``; a test keeps
    the two the same), checked here without importing scikit-learn; the
    message is ours, in the notation of the docs."""
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(
            f"must be a number in [0, 1] (0 adds no records); got {text}"
        )
    return value


def _number(cast, accept, wanted):
    """An option's type: ``cast(text)`` (int or float) for which
    ``accept(number)`` holds, else a message saying what is ``wanted``."""

    def parse(text):
        try:
            number = cast(text)
        except ValueError:
            what = "an integer" if cast is int else "a number"
            raise argparse.ArgumentTypeError(f"must be {what}; got {text!r}") from None
        if not accept(number):
            raise argparse.ArgumentTypeError(f"must be {wanted}; got {text}")
        return number

    return parse


_seed = _number(int, lambda n: 0 <= n < 2**32, "in [0, 2**32)")
_count = _number(int, lambda n: n >= 0, ">= 0")
_folds = _number(
    int,
    lambda n: n >= 2,
    ">= 2 (cross-validation trains on some folds and scores on another)",
)
_above_zero = _number(float, lambda x: x > 0, "> 0")
_size = _number(float, lambda x: 0 < x < 1, "in (0, 1)")


def _input(parser, *, optional=False):
    parser.add_argument(
        "input",
        metavar="FILE",
        nargs="?" if optional else None,
        help="JSON Lines file to read; - for standard input",
    )


def _label(parser, *, multilabel=False):
    parser.add_argument(
        "--label",
        default="label",
        metavar="FIELD",
        help="field holding the class label (default: label); dotted paths such "
        "as meta.label or messages.-1.content work",
    )
    parser.add_argument(
        "--missing-label",
        metavar="VALUE",
        help="give records without the label field (or with null) this label "
        "instead of stopping",
    )
    parser.add_argument(
        "--on-error",
        choices=["stop", "skip"],
        default="stop",
        help="a bad record (not JSON, missing or badly typed field) stops the "
        "command (default) or is skipped and counted",
    )


def _output(parser, *, required, what):
    parser.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        required=required,
        help=f"{what}; - for standard output; never an input file",
    )
    parser.add_argument(
        "--force", action="store_true", help="replace an existing output file"
    )


def _seed_option(parser):
    parser.add_argument(
        "--seed", type=_seed, default=0, help="random seed in [0, 2**32) (default: 0)"
    )


def _json(parser):
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def _engine(parser, *, writes=False):
    parser.add_argument(
        "--engine",
        choices=["memory", "spark"],
        default="memory",
        help="run in this process (default), or on Spark for data that does not "
        "fit one machine (pip install 'skbalance[spark]'; FILE may then be a "
        "folder, a glob or a URI such as hdfs:// or s3a://)",
    )
    parser.add_argument(
        "--format",
        choices=["jsonl", "parquet"],
        help="with --engine spark: the input format (default: parquet for a "
        "name ending in .parquet, else jsonl)",
    )
    parser.add_argument(
        "--spark-master",
        metavar="URL",
        help="with --engine spark: the master of a new session, such as "
        "local[4] or yarn (default: Spark's, local[*])",
    )
    parser.add_argument(
        "--spark-conf",
        action="append",
        metavar="KEY=VALUE",
        help="with --engine spark: a setting of a new session; repeatable",
    )
    if writes:
        parser.add_argument(
            "--parts",
            action="store_true",
            help="with --engine spark: write Spark's folder of part files, not one "
            "file (always so for Parquet, and for a path that is not on the local "
            "file system)",
        )


def _add_analyze(commands):
    p = commands.add_parser(
        "analyze",
        help="class distribution, imbalance ratio and severity of a file",
        description="The imbalance report of a JSON Lines file: counts, shares, "
        "imbalance ratio and severity, the class x domain table, multi-label "
        "measures, records missing the label and duplicate records.",
    )
    _input(p)
    _label(p)
    p.add_argument("--domain", metavar="FIELD", help="field holding the domain")
    p.add_argument(
        "--multilabel",
        action="store_true",
        help="the label field holds a list of labels",
    )
    _json(p)
    p.add_argument("--plot", metavar="PNG", help="draw the distribution to this image")
    p.add_argument("--force", action="store_true", help="replace an existing image")
    _engine(p)


def _add_split(commands):
    p = commands.add_parser(
        "split",
        help="stratified train/val/test files",
        description="Split a JSON Lines file into train.jsonl, val.jsonl and "
        "test.jsonl, stratified by class (and domain), records byte for byte.",
    )
    _input(p)
    _label(p)
    p.add_argument(
        "--out-dir", metavar="DIR", required=True, help="folder to write the parts to"
    )
    p.add_argument(
        "--sizes",
        nargs=3,
        type=_size,
        metavar=("TRAIN", "VAL", "TEST"),
        default=[0.7, 0.15, 0.15],
        help="fractions of the three parts, summing to 1 (default: 0.7 0.15 0.15)",
    )
    p.add_argument(
        "--domain", metavar="FIELD", help="also stratify on this field (the domain)"
    )
    p.add_argument(
        "--group", metavar="FIELD", help="records sharing this field share a part"
    )
    p.add_argument(
        "--dedupe",
        action="store_true",
        help="keep duplicates (same --text after case folding and collapsing "
        "whitespace; the whole record without --text) in one part",
    )
    p.add_argument("--text", metavar="FIELD", help="the text field for --dedupe")
    _seed_option(p)
    p.add_argument("--force", action="store_true", help="replace existing parts")
    _engine(p, writes=True)


def _add_balance(commands):
    p = commands.add_parser(
        "balance",
        help="over-sample a JSON Lines file",
        description="Over-sample a JSON Lines file by duplicating records: to a "
        "ratio of the largest class (--target-ratio) or to a minimum share of the "
        "output for every class (--min-share); with --domain, of every domain "
        "instead. Records are copied byte for byte; originals come first, "
        "copies after.",
    )
    _input(p)
    _output(p, required=True, what="JSON Lines file to write")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "--target-ratio",
        type=_fraction,
        metavar="R",
        help="raise every class (or domain) to at least R times the largest, R in "
        "[0, 1] (0 adds no records)",
    )
    target.add_argument(
        "--min-share",
        type=_fraction,
        metavar="S",
        help="give every class (or domain) at least a share S of the output, S in "
        "[0, 1] (0 adds no records)",
    )
    _label(p)
    p.add_argument(
        "--domain",
        metavar="FIELD",
        help="balance the domains held in this field instead of the classes",
    )
    p.add_argument("--shuffle", action="store_true", help="shuffle the output")
    _seed_option(p)
    _engine(p, writes=True)


def _json_object(text):
    """A JSON object given inline, or in a file holding one."""
    import json
    import os

    if os.path.isfile(text):
        with open(text, encoding="utf-8") as fh:
            text = fh.read()
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not value:
        raise argparse.ArgumentTypeError(
            f"expected a JSON object (or a file holding one); got {text[:60]!r}"
        )
    return value


def _rows(text):
    """``--size``: a number of rows (an integer), or a multiple of the input's
    rows (a number with a point)."""
    if "." in text or "e" in text.lower():
        return _number(float, lambda x: x > 0, "> 0")(text)
    return _number(int, lambda n: n >= 1, ">= 1")(text)


def _add_mix(commands):
    p = commands.add_parser(
        "mix",
        help="resample to a data mixture (temperature, weights, UniMax)",
        description="Resample a JSON Lines file to a target mixture of its classes "
        "or domains (MixtureSampler), to exact counts: strata above their target "
        "lose records (drawn without replacement), strata below are raised by "
        "copies. Records are copied byte for byte; those kept come first, in input "
        "order, then the copies.",
    )
    _input(p)
    _output(p, required=True, what="JSON Lines file to write")
    rule = p.add_mutually_exclusive_group(required=True)
    rule.add_argument(
        "--temperature",
        type=_number(float, lambda x: x >= 0, ">= 0"),
        metavar="A",
        help="shares proportional to count ** A: 1 keeps the mix, 0 is uniform",
    )
    rule.add_argument(
        "--weights",
        type=_json_object,
        metavar="JSON_OR_FILE",
        help='shares given per stratum, e.g. \'{"en": 2, "de": 1}\' (with '
        "--by-class: {domain: {class: weight}}), or a file holding them",
    )
    rule.add_argument(
        "--unimax",
        type=_above_zero,
        metavar="E",
        help="UniMax: as uniform as possible, no record repeated more than E times",
    )
    p.add_argument(
        "--size",
        type=_rows,
        metavar="N",
        help="records out: an integer, or a multiple of the input such as 1.5 "
        "(default: as many as in)",
    )
    p.add_argument(
        "--min-share",
        type=_fraction,
        metavar="S",
        help="every stratum gets at least a share S of the output",
    )
    p.add_argument(
        "--max-repeats",
        type=_above_zero,
        metavar="E",
        help="with --temperature or --weights: no record repeated more than E times",
    )
    _label(p)
    p.add_argument(
        "--domain",
        metavar="FIELD",
        help="mix the domains held in this field instead of the classes",
    )
    p.add_argument(
        "--by-class",
        action="store_true",
        help="with --domain: mix the (domain, class) pairs",
    )
    p.add_argument("--shuffle", action="store_true", help="shuffle the output")
    _seed_option(p)
    _engine(p, writes=True)


def _add_augment(commands):
    p = commands.add_parser(
        "augment",
        help="add LLM-written examples of rare classes",
        description="LLMAugmentSampler from the shell: new records for the classes "
        "below target, each a variation of a seed record of its class written by "
        "an LLM (Anthropic's Messages API; key from ANTHROPIC_API_KEY).",
    )
    _input(p)
    _label(p)
    p.add_argument(
        "--text",
        metavar="FIELD",
        required=True,
        action="append",
        help="what is rewritten: a text field, a chat's message list (messages), "
        "or fields rewritten together (instruction,response; or repeat --text)",
    )
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "--target-ratio", type=_fraction, metavar="R", help="as balance"
    )
    target.add_argument("--min-share", type=_fraction, metavar="S", help="as balance")
    _output(p, required=False, what="JSON Lines file to write (not with --dry-run)")
    p.add_argument("--model", metavar="M", default="claude-haiku-4-5", help="model id")
    p.add_argument(
        "--max-requests", type=_count, metavar="N", help="at most N requests"
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="print the requests and estimated tokens; send nothing",
    )
    mark = p.add_mutually_exclusive_group()
    mark.add_argument(
        "--provenance",
        metavar="FIELD",
        default="synthetic",
        help="the field added to every new record: the generator, the seed "
        "record's position and its id (default: synthetic)",
    )
    mark.add_argument(
        "--no-provenance",
        dest="provenance",
        action="store_const",
        const=None,
        help="leave new records unmarked",
    )
    p.add_argument(
        "--id",
        metavar="FIELD",
        help="the id field: new records get new ids, SEEDID-llmK (default: id, "
        "when the records have one)",
    )
    p.add_argument(
        "--cache", metavar="DIR", help="cache folder (default ~/.cache/skbalance/llm)"
    )
    p.add_argument("--generator", default="anthropic", help=argparse.SUPPRESS)
    _seed_option(p)


def _add_weights(commands):
    p = commands.add_parser(
        "weights",
        help="class weights as JSON for a training job",
        description="Class weights from the label counts, as the JSON of "
        "ClassWeightComputer.to_json().",
    )
    _input(p)
    _label(p)
    p.add_argument(
        "--strategy",
        choices=["balanced", "sqrt", "effective_number"],
        default="balanced",
        help="how a weight falls with the class count (default: balanced)",
    )
    p.add_argument(
        "--max-weight",
        type=_above_zero,
        metavar="W",
        help="cap every weight at W (ClassWeightComputer's max_weight)",
    )
    _output(p, required=False, what="JSON file to write (default: standard output)")
    _engine(p)


def _add_evaluate(commands):
    p = commands.add_parser(
        "evaluate",
        help="per-class scores of predictions",
        description="Per-class precision, recall and F1, macro and weighted F1 and "
        "their gap, of predictions in a field of FILE, or of a predictions file "
        "against a reference file (--true).",
    )
    _input(p, optional=True)
    _label(p)
    p.add_argument(
        "--pred",
        required=True,
        metavar="FIELD_OR_FILE",
        help="field holding the prediction; with --true, the predictions file",
    )
    p.add_argument("--true", metavar="FILE", help="reference file (labels in --label)")
    p.add_argument(
        "--pred-label",
        metavar="FIELD",
        help="with --true: field of the prediction in the predictions file "
        "(default: --label)",
    )
    p.add_argument(
        "--id",
        metavar="FIELD",
        help="with --true: align records by this field (default: by position, "
        "refused when a shared id field is in another order)",
    )
    p.add_argument(
        "--domain",
        metavar="FIELD",
        help="also report per domain, each over the classes present in it",
    )
    _json(p)


def _add_compare(commands):
    p = commands.add_parser(
        "compare",
        help="which balancing strategy helps on this file",
        description="Cross-validate a TF-IDF + logistic regression model on the "
        "file's texts without balancing and with each strategy "
        "(compare_samplers); the table is sorted by macro F1.",
    )
    _input(p)
    _label(p)
    p.add_argument("--text", metavar="FIELD", required=True, help="the text field")
    p.add_argument(
        "--cv",
        type=_folds,
        default=5,
        metavar="K",
        help="folds, 2 or more (default: 5)",
    )
    p.add_argument(
        "--n-jobs", type=int, default=1, metavar="N", help="parallel fits (default 1)"
    )
    p.add_argument(
        "--auto",
        action="store_true",
        help="search the strategies by successive halving (BalanceSearch) and "
        "choose the simplest within one standard error of the best",
    )
    _seed_option(p)
    _json(p)


def _add_adjust(commands):
    p = commands.add_parser(
        "adjust",
        help="correct a model's class prior in its scores (logit adjustment)",
        description="Tune a prior correction (LogitAdjustedClassifier, "
        "cv='prefit') on the per-class scores of a validation file and apply it "
        "to the scores of TEST: for a model that cannot be retrained, such as a "
        "fine-tuned LLM classifier. Prints per-class recall and F1 before and "
        "after (on TEST when its records have labels, else on VAL).",
    )
    p.add_argument("val", metavar="VAL", help="JSON Lines scores with labels")
    p.add_argument("test", metavar="TEST", help="JSON Lines scores to correct")
    p.add_argument(
        "--scores",
        metavar="FIELD",
        default="scores",
        help="field holding an object of class -> score (default: scores)",
    )
    p.add_argument(
        "--kind",
        choices=["probs", "logprobs", "logits"],
        default="logprobs",
        help="what the scores are (default: logprobs)",
    )
    p.add_argument(
        "--label",
        default="label",
        metavar="FIELD",
        help="field holding the true class (default: label)",
    )
    p.add_argument(
        "--tau",
        type=_number(float, lambda x: x >= 0, ">= 0"),
        metavar="T",
        help="the strength of the correction (default: tuned on VAL)",
    )
    p.add_argument(
        "--scoring",
        choices=["f1_macro", "balanced_accuracy", "accuracy", "f1_weighted"],
        default="f1_macro",
        help="what the tuned tau maximises on VAL (default: f1_macro)",
    )
    p.add_argument(
        "--prior",
        type=_json_object,
        metavar="JSON_OR_FILE",
        help="the class shares the model was trained on (default: those of VAL's "
        "labels), e.g. after balancing its training data",
    )
    _output(p, required=False, what="TEST's records with the prediction added")
    p.add_argument(
        "--pred-field",
        metavar="FIELD",
        default="prediction",
        help="the field given the corrected prediction (default: prediction)",
    )
    _json(p)


def build_parser():
    """The argument parser of the ``skbalance`` command."""
    parser = argparse.ArgumentParser(
        prog="skbalance",
        description="Detect, split, rebalance and weight imbalanced training data "
        "in JSON Lines files.",
    )
    parser.add_argument(
        "--version", action="version", version=f"skbalance {__version__}"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (
        _add_analyze,
        _add_split,
        _add_balance,
        _add_mix,
        _add_augment,
        _add_weights,
        _add_evaluate,
        _add_compare,
        _add_adjust,
    ):
        add(commands)
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
    demo.add_argument(
        "--force", action="store_true", help="replace an existing output file"
    )
    return parser
