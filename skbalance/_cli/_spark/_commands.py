"""``--engine spark``: analyze, split, balance and weights run by Spark.

The commands read JSON Lines (as text, records kept byte for byte) or
Parquet files with :class:`~skbalance._cli._spark._input.SparkRecords`, plan with
the functions of :mod:`skbalance.spark` (counts to the driver, quotas from the
in-memory code, rows assigned on the executors) and print what the in-memory
commands print. Outputs are written to a temporary folder next to the target
and moved into place, the three parts of ``split`` as a set: a JSON Lines
output on the local file system becomes one file (Spark's part files joined,
in order), any other output (``--parts``, Parquet, a path on HDFS or S3) is
Spark's folder of part files.
"""

import os

import skbalance
from skbalance._cli._data import check_split, choose_sampler, usage
from skbalance._cli._parser import is_parquet
from skbalance._cli._report import (
    check_plot,
    floor_in_shell_words,
    note,
    print_analysis,
    print_balance,
    print_split,
    split_names,
    too_few_groups,
    write_weights,
)
from skbalance._cli._spark._input import ORDER, RAW, SparkRecords
from skbalance._cli._spark._output import Target, sources, writer
from skbalance._cli._spark._session import read_path, session
from skbalance._io import is_stdout, make_folders, staged_outputs
from skbalance._spark_plan import (
    RARE_ORDER,
    exact_col,
    hashable,
    oversample_plan,
    partition_plan,
    pyspark_module,
)
from skbalance._stratify import TooFewGroupsError
from skbalance._targets import check_two_strata

__all__ = ["analyze", "balance", "split", "weights"]


def _records(spark, args, fields, **kw):
    path = read_path(args)
    fmt = args.format
    if fmt is None:
        fmt = "parquet" if is_parquet(args.input) else "jsonl"
    fields = {"label": args.label, **{k: v for k, v in fields.items() if v}}
    return SparkRecords(
        spark,
        path,
        fmt,
        fields,
        name=args.input,
        missing_label=args.missing_label,
        on_error="skip" if args.on_error == "skip" else "raise",
        **kw,
    )


def _sources(spark, args, records):
    return sources(spark, args.input, records.source.inputFiles())


def _check_output_options(args, records):
    """Outputs that cannot hold what balance writes."""
    if is_stdout(args.output) and (args.parts or records.fmt == "parquet"):
        raise usage(
            "-o -: standard output takes one JSON Lines file, not a folder of parts "
            "(--parts, Parquet); give a path."
        )
    if records.fmt == "parquet" and args.output.lower().endswith((".jsonl", ".json")):
        raise usage(
            f"-o {args.output}: Parquet records are written as Parquet (a folder); "
            "give a name that does not end in .jsonl."
        )


def _has_bom(args, records):
    """Whether a single JSON Lines input starts with a byte order mark, which
    a single-file output then starts with too (as in memory)."""
    from skbalance._jsonl._scan import BOM

    if records.fmt != "jsonl" or not os.path.isfile(args.input):
        return False
    with open(args.input, "rb") as fh:
        return fh.read(len(BOM)) == BOM


def _counts(kept, role, records):
    """``{value: count}`` of a field over the summary rows, largest first
    (ties in value order, as the in-memory reader orders them)."""
    counts = {}
    for r in sorted(kept, key=lambda r: r["first"]):  # equal values: first seen
        value = records.python_value(r[f"_sk_kind_{role}"], r[f"_sk_value_{role}"])
        counts[value] = counts.get(value, 0) + r["n"]
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _record_columns(records):
    return [exact_col(c) for c in records.columns]


# -- commands -----------------------------------------------------------------


def analyze(args, *, out, err):
    if args.multilabel:
        raise usage("--multilabel is not available with --engine spark.")
    check_plot(args)
    F = pyspark_module()
    with session(args) as spark:
        records = _records(
            spark,
            args,
            {"domain": args.domain},
            skip_missing=args.missing_label is None,
        )
        roles = ["label"] if args.domain is None else ["label", "domain"]
        kept = records.summary(values=roles)
        counts = _counts(kept, "label", records)
        group_counts = None
        if args.domain is not None:
            domains = _counts(kept, "domain", records)
            group_counts = {d: dict.fromkeys(counts, 0) for d in domains}
            for r in kept:
                d = records.python_value(r["_sk_kind_domain"], r["_sk_value_domain"])
                y = records.python_value(r["_sk_kind_label"], r["_sk_value_label"])
                group_counts[d][y] += r["n"]
        rows = records.frame({}, raw=True)
        cols = [RAW] if records.fmt == "jsonl" else records.columns
        key = F.xxhash64(*hashable(rows, cols))
        repeats = (
            rows.groupBy(key.alias("_sk_key"))
            .count()
            .agg(F.sum(F.col("count") - 1).alias("d"))
            .first()["d"]
        )
    report = skbalance.ImbalanceReport(
        counts=counts, n_samples=sum(counts.values()), group_counts=group_counts
    )
    n_dup = int(repeats or 0)
    print_analysis(args, args.input, report, records, n_dup, out=out, err=err)


def split(args, *, out, err):
    F = pyspark_module()
    check_split(args)
    if args.dedupe and args.group is not None:
        raise usage(
            "--engine spark takes --dedupe or --group, not both (records linked "
            "through either would need a connected-components pass)."
        )
    with session(args) as spark:
        records = _records(
            spark, args, {"domain": args.domain, "group": args.group}, text=args.text
        )
        ext = "jsonl" if records.fmt == "jsonl" else "parquet"
        inputs = _sources(spark, args, records)
        targets = [
            Target(
                spark,
                os.path.join(args.out_dir, f"{name}.{ext}"),
                fmt=records.fmt,
                parts=args.parts,
                force=args.force,
                inputs=inputs,
            )
            for name in ("train", "val", "test")
        ]
        if targets[0].single:
            make_folders(args.out_dir)
        else:
            targets[0].fs.mkdirs(targets[0].target.getParent())
        for target in targets:
            target.check()
        kept = records.summary(values=["label"])
        names = {"label": "_sk_y", "domain": "_sk_d", "group": "_sk_g"}
        if args.dedupe and args.text is not None:
            names["text"] = "_sk_t"
        frame = records.frame(
            {r: n for r, n in names.items() if r in records.paths},
            raw=args.dedupe and args.text is None,
        )
        stratum = "_sk_y"
        if args.domain is not None:
            frame = frame.withColumn("_sk_s", F.struct("_sk_y", "_sk_d"))
            stratum = "_sk_s"
        groups = "_sk_g" if args.group is not None else None
        if args.dedupe:
            groups = "_sk_g"
            key = _dedupe_key(args, records, frame)
            frame = frame.withColumn("_sk_g", key).drop(RAW)
        # a class, or with --domain the struct of a (class, domain) pair
        name = (lambda key: key) if args.domain is None else tuple
        with split_names(args, name):
            try:
                parted, keys, table = partition_plan(
                    frame,
                    stratum,
                    tuple(args.sizes),
                    groups,
                    True,
                    args.seed,
                    "_sk_part",
                    RARE_ORDER,
                    hash_cols=records.columns,
                )
            except TooFewGroupsError as exc:
                raise ValueError(too_few_groups(args, args.input, exc)) from None
        ordered = parted.orderBy("_sk_part", *ORDER)
        _write_parts(records, ordered, targets, _has_bom(args, records))
    classes = [k[0] if args.domain is not None else k for k in keys]
    totals = _counts(kept, "label", records)
    columns = {}
    for j, name in enumerate(("train", "val", "test")):
        column = dict.fromkeys(totals, 0)
        for key, row in zip(classes, table, strict=True):
            column[key] += int(row[j])
        columns[name] = column
    print_split(args.input, columns, args.out_dir, out)
    note(records, err)


def _dedupe_key(args, records, frame):
    """Duplicates by the whole record, or by the normalized text (the
    in-memory normalizer, run on the executors)."""
    F = pyspark_module()
    if args.text is None:
        cols = [RAW] if records.fmt == "jsonl" else records.columns
        return F.xxhash64(*hashable(frame, cols))

    def normalise(text):  # skbalance._text.normalise_text, sent by value so
        return " ".join(text.split()).casefold()  # workers need no skbalance

    udf = F.udf(normalise, "string", useArrow=False)
    return F.xxhash64(udf(F.col("_sk_t")))


def _write_parts(records, parted, targets, bom):
    """One Spark job writes the three parts (``partitionBy``); then they are
    moved into place as a set (all of them, or none)."""
    with targets[0].scratch() as scratch:
        columns = _record_columns(records)
        writer(parted.select(*columns, "_sk_part"), records.fmt, "_sk_part")(
            f"{scratch}/out"
        )
        empty = writer(parted.select(*columns).limit(0), records.fmt)
        with staged_outputs() as stage:
            for j, target in enumerate(targets):
                target.take(f"{scratch}/out/_sk_part={j}", empty, stage, bom=bom)


def balance(args, *, out, err):
    F = pyspark_module()
    sampler = type(
        choose_sampler(args.target_ratio, args.min_share, args.shuffle, args.seed)
    ).__name__
    with session(args) as spark:
        records = _records(spark, args, {"domain": args.domain})
        _check_output_options(args, records)
        target = Target(
            spark,
            args.output,
            fmt=records.fmt,
            parts=args.parts,
            force=args.force,
            inputs=_sources(spark, args, records),
        )
        target.check()
        role = "label" if args.domain is None else "domain"
        kept = records.summary(values=[role])
        present = _counts(kept, role, records)
        check_two_strata(list(present), source="y", word="class", who=sampler)
        frame = records.frame({role: "_sk_s"})
        with floor_in_shell_words(args, "class" if args.domain is None else "domain"):
            grown, keys, counts, targets = oversample_plan(
                frame,
                "_sk_s",
                target_ratio=args.target_ratio,
                min_share=args.min_share,
                relative=False,
                seed=args.seed,
                hash_cols=records.columns,
                copy_col="_sk_copy",
            )
        if args.shuffle:
            cols = _record_columns(records)
            order = [F.xxhash64(F.lit(args.seed), *cols, F.col("_sk_copy")), *ORDER]
        else:  # the records in input order, then the copies in input order
            order = [F.col("_sk_copy") > 1, *ORDER, "_sk_copy"]
        result = grown.orderBy(*order).select(*_record_columns(records))
        with target.scratch() as scratch:
            writer(result, records.fmt)(f"{scratch}/out")
            empty = writer(result.limit(0), records.fmt)
            with staged_outputs() as stage:
                target.take(f"{scratch}/out", empty, stage, bom=_has_bom(args, records))
    # the values as the in-memory reader keeps them (1 and 1.0: the first
    # seen), sorted, as the in-memory samplers report them
    target_of = dict(zip(keys, targets.tolist(), strict=True))
    before = {k: present[k] for k in sorted(present)}
    after = {k: int(target_of[k]) for k in before}
    print_balance(args, sampler, before, after, out=out, err=err)
    note(records, err)


def weights(args, *, out, err):
    with session(args) as spark:
        records = _records(spark, args, {})
        if args.output is not None and not is_stdout(args.output):
            inputs = _sources(spark, args, records)
            Target(
                spark,
                args.output,
                fmt="jsonl",
                parts=False,
                force=args.force,
                inputs=inputs,
            ).check()
        kept = records.summary(values=["label"])
    counts = _counts(kept, "label", records)
    classes = sorted(counts)
    write_weights(
        args, classes, [counts[k] for k in classes], records.n_kept, out=out, err=err
    )
    note(records, err)
