"""What the commands print and write, the same for every engine: the note
on skipped records, the reports, the tables of ``split``, ``balance`` and
``augment``, the weights JSON, and the library's warnings in the words of
the command line. Functions take values, not the parsed options."""

import json
import math
import os
import warnings
from contextlib import contextmanager

import skbalance
from skbalance._io import atomic_output, check_output, is_stdout
from skbalance._optional import import_optional

__all__ = [
    "caps_in_shell_words",
    "check_plot",
    "print_mix",
    "print_adjusted",
    "print_next",
    "suggested_share",
    "floor_in_shell_words",
    "largest_first",
    "note",
    "plot",
    "print_analysis",
    "print_balance",
    "print_before_after",
    "print_split",
    "reworded",
    "split_names",
    "too_few_groups",
    "write_weights",
]


#: weights spanning more than this (largest / smallest) get a warning
WIDE_WEIGHTS = 100
#: copies of every record of a class past which balance warns
MANY_COPIES = 100


def largest_first(counts):
    """The keys of ``{value: count}`` largest first, ties in value order: the
    order of the classes in every table the commands print."""
    return sorted(counts, key=lambda k: (-counts[k], k))


def suggested_share(n_classes):
    """The floor the command line suggests for ``n_classes``: half of an
    equal share, so that the largest classes keep most of their lead."""
    return round(0.5 / n_classes, 3)


def print_next(words, out):
    """The command to run next, ready to paste."""
    import shlex

    print(f"next: {shlex.join(str(w) for w in words)}", file=out)


def note(source, err):
    """A line on stderr about the records skipped with ``--on-error skip``
    (``source``: a JsonlIndex, or the SparkRecords of --engine spark)."""
    n, lines = source.n_skipped, source.skipped_lines
    if n:
        s = "s" if n > 1 else ""
        more = ", ..." if n > len(lines) else ""
        numbers = ", ".join(map(str, lines))
        print(
            f"skbalance: skipped {n} bad record{s} (line{s} {numbers}{more})", file=err
        )


def _table(title, columns, out, what="class"):
    """Print ``{column: {key: count}}`` as a table with shares, keys in the
    order of the first column."""
    rows = list(next(iter(columns.values())))
    for counts in columns.values():
        rows += [k for k in counts if k not in rows]
    width = max([len(str(k)) for k in rows] + [len(what)])
    print(title, file=out)
    head = "  ".join(f"{name:>8}  {'share':>6}" for name in columns)
    print(f"  {what:<{width}}  {head}", file=out)
    totals = {name: sum(c.values()) or 1 for name, c in columns.items()}
    for key in rows:
        cells = "  ".join(
            f"{c.get(key, 0):>8}  {c.get(key, 0) / totals[n]:>6.1%}"
            for n, c in columns.items()
        )
        print(f"  {key!s:<{width}}  {cells}", file=out)


def print_analysis(report, source, n_dup, *, name, label, as_json, out):
    """The report of ``analyze`` on FILE ``name``, as JSON or text, with the
    records without ``label`` and the duplicates (``source`` as in
    :func:`note`)."""
    extra = {
        "missing_label": source.n_missing,
        "missing_label_lines": source.missing_lines,
        "duplicate_records": n_dup,
        "skipped": source.n_skipped,
        "skipped_lines": source.skipped_lines,
    }
    if as_json:
        print(json.dumps({**report.to_dict(), **extra}, indent=2), file=out)
        return
    print(f"{name}: {report}", file=out)
    n_missing, lines = extra["missing_label"], extra["missing_label_lines"]
    if n_missing:
        print(
            f"records without {label!r}: {n_missing} (lines "
            f"{', '.join(map(str, lines))}{', ...' if n_missing > len(lines) else ''});"
            " not counted above (--missing-label VALUE counts them)",
            file=out,
        )
    print(f"duplicate records: {extra['duplicate_records']}", file=out)


def check_plot(path, *, force, inputs):
    """Before any reading: ``--plot`` needs matplotlib (the install line
    otherwise, exit 2) and a path it may write."""
    if path is not None:
        import_optional("matplotlib", extra="plot", purpose="--plot")
        check_output(path, force=force, inputs=inputs)


def plot(report, path, *, title, force, inputs):
    """The distribution of ``report`` drawn to the image ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    display = skbalance.ImbalanceDisplay({"records": report.counts}).plot()
    display.ax_.set_title(title)
    fmt = os.path.splitext(path)[1].lstrip(".") or "png"
    with atomic_output(path, force=force, inputs=inputs) as fh:
        display.figure_.savefig(fh, format=fmt, bbox_inches="tight")


def _by(columns, pick):
    """``{part: {key: count}}`` summed over ``pick(stratum)``, keys largest
    first (ties in value order)."""
    summed = [{} for _ in columns]
    for total, counts in zip(summed, columns.values(), strict=True):
        for stratum, n in counts.items():
            total[pick(stratum)] = total.get(pick(stratum), 0) + n
    overall = {}
    for total in summed:
        for key, n in total.items():
            overall[key] = overall.get(key, 0) + n
    order = largest_first(overall)
    return {
        part: {key: total.get(key, 0) for key in order}
        for part, total in zip(columns, summed, strict=True)
    }


def print_split(name, columns, out_dir, *, by_domain, n_duplicates, out):
    """The tables of ``split``: ``columns`` is ``{part: {stratum: count}}``,
    a stratum a class or, ``by_domain``, a (class, domain) pair; the shares
    of every class, then of every domain, largest first; then how many
    records ``--dedupe`` kept with the record they repeat."""
    sizes = " / ".join(f"{sum(c.values())} {n}" for n, c in columns.items())
    if not by_domain:
        _table(f"{name}: {sizes} -> {out_dir}", _by(columns, lambda s: s), out)
    else:
        _table(f"{name}: {sizes} -> {out_dir}", _by(columns, lambda s: s[0]), out)
        _table("domains:", _by(columns, lambda s: s[1]), out, what="domain")
    if n_duplicates is not None:
        s = "s" if n_duplicates != 1 else ""
        print(
            f"--dedupe: {n_duplicates} record{s} repeating an earlier one, each in "
            "the part of the record it repeats",
            file=out,
        )


def print_balance(sampler, what, before, after, output, *, out, err):
    """The before/after table of ``balance`` by ``sampler`` (a name) on
    ``what`` (the field), with a warning for classes copied many times."""
    n_in, n_out = sum(before.values()), sum(after.values())
    copied = {k: after[k] / before[k] - 1 for k in after if before[k]}
    many = {k: c for k, c in copied.items() if c >= MANY_COPIES}
    if many:
        listed = ", ".join(
            f"{k!r} ({before[k]} -> {after[k]}, {c:.0f} copies each)"
            for k, c in many.items()
        )
        warnings.warn(
            f"{listed}: a model may learn these records by heart; a lower "
            "--target-ratio or --min-share copies less, `skbalance augment` "
            "writes new records instead.",
            UserWarning,
            stacklevel=2,
        )
    print_before_after(
        f"{sampler} on {what}: {n_in} records in, {n_out} out ({n_out - n_in} copies)",
        before,
        after,
        output,
        out=out,
        err=err,
    )


def print_before_after(title, before, after, output, *, out, err):
    """``title -> output`` and the counts before and after with the shares
    after, largest first (``balance`` and ``augment``); on stderr when the
    records go to standard output."""
    to_stdout = is_stdout(output)
    summary = err if to_stdout else out
    n_out = sum(after.values())
    width = max([len(str(k)) for k in after] + [5])
    print(f"{title} -> {'standard output' if to_stdout else output}", file=summary)
    print(f"  {'':<{width}}  {'before':>8}  {'after':>8}  {'share':>6}", file=summary)
    for key in largest_first(before):
        print(
            f"  {key!s:<{width}}  {before[key]:>8}  {after[key]:>8}  "
            f"{after[key] / n_out:>6.1%}",
            file=summary,
        )


def write_weights(
    classes, counts, *, strategy, max_weight, output, force, inputs, out, err
):
    """The class weights of sorted ``classes`` and their ``counts`` as JSON,
    to standard output or the file ``output``."""
    import numpy as np

    computer = skbalance.ClassWeightComputer(strategy=strategy, max_weight=max_weight)
    text = computer.fit_counts(np.array(classes), np.asarray(counts)).to_json()
    weights = computer.class_weight_.values()
    span = max(weights) / min(weights)
    if span > WIDE_WEIGHTS and max_weight is None:
        warnings.warn(
            f"the weights span {span:.0f}x (largest / smallest): a few records of "
            "the rarest class will dominate the loss; --max-weight W caps them, "
            "--strategy sqrt softens them.",
            UserWarning,
            stacklevel=2,
        )
    if output is None or is_stdout(output):
        print(text, file=out)
        return
    with atomic_output(output, force=force, inputs=inputs, mode="w") as fh:
        fh.write(text + "\n")
    n_records = sum(int(c) for c in counts)
    print(f"{strategy} class weights of {n_records} records -> {output}", file=err)


@contextmanager
def reworded(category, reword):
    """Warnings of ``category`` raised in the block, in the words of the
    command line (``reword(warning) -> text``); other warnings pass through."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", category)  # others keep their filters
        yield
    for warning in caught:
        message = warning.message
        if isinstance(message, category):
            warnings.warn(reword(message), UserWarning, stacklevel=3)
        else:
            warnings.warn(message, stacklevel=3)


def floor_in_shell_words(min_share, what):
    """The warning of a ``--min-share`` that the ``what`` (``"class"`` or
    ``"domain"``) cannot all reach, worded for the command line: the
    library's names ``min_share=`` and ``relative=True``, which the shell
    does not have."""
    from skbalance._targets import InfeasibleFloorWarning

    def reword(message):
        k = message.n_strata
        plural = "classes" if what == "class" else f"{what}s"
        most = math.floor(10_000 / k) / 10_000  # at most 1/k, in 4 decimals
        return (
            f"--min-share {min_share:g} cannot be met by {k} {plural} ({k} x "
            f"{min_share:g} > 1); using 1/{k}, every {what} equal. --min-share "
            f"{most:g} or less is a floor every {what} can reach."
        )

    return reworded(InfeasibleFloorWarning, reword)


def caps_in_shell_words():
    """The warning of a ``--max-repeats`` (or ``--unimax``) cap that keeps a
    mixture below ``--size`` or a stratum below its floor, in the shell's
    option names."""
    from skbalance._targets import InfeasibleCapWarning

    def reword(message):
        text = str(message)
        for name, option in (
            ("max_repeats=", "--max-repeats "),
            ("min_share=", "--min-share "),
            ("size=", "--size "),
        ):
            text = text.replace(name, option)
        return text

    return reworded(InfeasibleCapWarning, reword)


def print_mix(before, after, output, *, out, err):
    """The per-stratum table of ``mix`` (:class:`skbalance.MixtureReport`):
    records and shares before and after, epochs, records dropped."""
    from skbalance import MixtureReport

    report = MixtureReport(counts_before=before, counts_after=after)
    to_stdout = is_stdout(output)
    print(
        f"MixtureSampler -> {'standard output' if to_stdout else output}",
        file=err if to_stdout else out,
    )
    print(report, file=err if to_stdout else out)


@contextmanager
def split_names(by_domain):
    """The split's warnings naming its strata by their values: the block
    fills the dict it gets (stratum -> a class, or with ``--domain``,
    ``by_domain``, a (class, domain) pair)."""
    from skbalance._stratify import ClassWarning

    names = {}
    noun = "(class, domain) pair(s)" if by_domain else None

    def reword(warning):
        return warning.reword({k: repr(v) for k, v in names.items()}.__getitem__, noun)

    with reworded(ClassWarning, reword):
        yield names


def too_few_groups(name, exc, group, dedupe, text):
    """The error of ``split`` when ``--group`` or ``--dedupe`` leave fewer
    groups than parts: the file, and where the groups came from."""
    g = exc.n_groups
    n_rows = sum(rows for _, rows in exc.pairs)
    if dedupe:
        if group is not None:
            who = f"--group {group} and --dedupe keep linked records together"
        elif text is None:
            who = "--dedupe keeps identical records together"
        else:
            who = f"--dedupe keeps records of the same --text {text} together"
        # largest first: the engines number the groups differently
        sizes = " + ".join(
            str(r) for r in sorted((r for _, r in exc.pairs), reverse=True)
        )
        found = f"they form only {g} group{'s' if g != 1 else ''} ({sizes} records)"
    else:
        who = f"--group {group} keeps the records of one value together"
        values = ", ".join(
            f"{value!r} ({rows} record{'s' if rows != 1 else ''})"
            for value, rows in exc.pairs
        )
        found = f"they hold only {g} value{'s' if g != 1 else ''}: {values}"
    return (
        f"{name}: cannot split {n_rows} records into {exc.n_parts} non-empty parts: "
        f"{who}, and {found}."
    )


def print_adjusted(model, reports, *, scored, changed, output, as_json, out, err):
    """What ``adjust`` did: the tuned ``tau``, then per class the recall and
    F1 of the ``reports`` before and after the correction on the file
    ``scored``, as text or JSON; on stderr when the records go to standard
    output."""
    before, after = reports
    summary = err if output is not None and is_stdout(output) else out
    if as_json:
        report = {
            "tau": model.best_tau_,
            "scoring": model.scoring,
            "tuned_score": model.best_score_,
            "prior": dict(
                zip(model.classes_.tolist(), model.prior_.tolist(), strict=True)
            ),
            "scored_on": scored,
            "changed": changed,
            "before": before.to_dict(),
            "after": after.to_dict(),
        }
        print(json.dumps(report, indent=2), file=summary)
        return
    tuned = (
        ""
        if model.best_score_ is None
        else f", {model.scoring} {model.best_score_:.3f}"
    )
    print(f"tau {model.best_tau_:g}{tuned} on the validation file", file=summary)
    print(f"{scored}: {changed} predictions changed", file=summary)
    width = max([len(str(k)) for k in before.labels] + [5])
    print(
        f"  {'class':<{width}}  {'support':>7}  {'recall before -> after':>22}  "
        f"{'F1 before -> after':>18}",
        file=summary,
    )
    support = dict(zip(before.labels, before.support.tolist(), strict=True))
    for key in largest_first(support):
        j = before.labels.index(key)
        print(
            f"  {key!s:<{width}}  {support[key]:>7}  {before.recall[j]:>12.3f} -> "
            f"{after.recall[j]:.3f}  {before.f1[j]:>8.3f} -> {after.f1[j]:.3f}",
            file=summary,
        )
    print(
        f"macro F1 {before.macro_f1:.3f} -> {after.macro_f1:.3f}, weighted F1 "
        f"{before.weighted_f1:.3f} -> {after.weighted_f1:.3f}",
        file=summary,
    )
