"""``--engine spark``: the commands' engine on Spark (the interface is
described in :mod:`skbalance._cli._engine`).

Files are read as JSON Lines (as text, records kept byte for byte) or
Parquet with :class:`~skbalance._cli._spark._input.SparkRecords`, planned
with the functions of :mod:`skbalance._spark_plan` (counts to the driver,
quotas from the in-memory code, rows assigned on the executors). Outputs are
written to a temporary folder next to the target and moved into place, the
three parts of ``split`` as a set: a JSON Lines output on the local file
system becomes one file (Spark's part files joined, in order), any other
output (``--parts``, Parquet, a path on HDFS or S3) is Spark's folder of part
files.
"""

import contextlib
import functools
import os

from skbalance._cli._engine import mixture_targets
from skbalance._cli._parser import UsageError, is_parquet
from skbalance._cli._spark._input import ORDER, RAW, SparkRecords
from skbalance._cli._spark._output import Target, sources, writer
from skbalance._cli._spark._session import read_path, session, stop
from skbalance._io import is_stdout, make_folders, staged_outputs
from skbalance._spark_plan import (
    RARE_ORDER,
    exact_col,
    hashable,
    oversample_plan,
    partition_plan,
    pyspark_module,
    resample_plan,
)
from skbalance._targets import check_two_strata

__all__ = ["SparkEngine"]


class SparkEngine:
    """The commands' engine on Spark.

    Parameters
    ----------
    source : Input
    fmt : {"jsonl", "parquet"} or None
        None: Parquet for a name ending in .parquet or .parq, else JSON Lines.
    master, conf : str and list of str, or None
        ``--spark-master`` and ``--spark-conf`` of a new session.
    parts : bool
        Write Spark's folder of part files, not one file.
    app : str
        The name of a new session.
    """

    def __init__(self, source, *, fmt=None, master=None, conf=None, parts=False, app):
        self.input, self.name, self.source = source, source.path, None
        if fmt is None:
            fmt = "parquet" if is_parquet(source.path) else "jsonl"
        self.fmt, self.master, self.conf = fmt, master, conf
        self.parts, self.app, self.spark = parts, app, None

    @classmethod
    def from_args(cls, source, args):
        return cls(
            source,
            fmt=args.format,
            master=args.spark_master,
            conf=args.spark_conf,
            parts=getattr(args, "parts", False),
            app=f"skbalance {args.command}",
        )

    #: what the main thread calls on Ctrl-C while the command runs in a
    #: thread of its own (see :mod:`skbalance._cli._main`)
    stop = staticmethod(stop)

    def __enter__(self):
        self._stack = contextlib.ExitStack()  # the session, from the first read
        return self

    def __exit__(self, *exc):
        return self._stack.__exit__(*exc)

    # -- reading ----------------------------------------------------------------

    def _read(self, fields, outputs=(), force=False, fmt=None, folder=False, **kw):
        """The records, and a ``Target`` of every output, checked (its folder
        made first when ``folder``)."""
        fields = {"label": self.input.label, **{k: v for k, v in fields.items() if v}}
        if self.spark is None:
            app, master, conf = self.app, self.master, self.conf
            self.spark = self._stack.enter_context(
                session(app, master, conf, self.name)
            )
        records = self.source = SparkRecords(
            self.spark,
            read_path(self.input.path),
            self.fmt,
            fields,
            name=self.name,
            missing_label=self.input.missing_label,
            on_error=self.input.on_error,
            **kw,
        )
        inputs = sources(self.spark, self.name, records.source.inputFiles())
        targets = [
            Target(
                self.spark,
                path,
                fmt=fmt or records.fmt,
                parts=self.parts and fmt is None,
                force=force,
                inputs=inputs,
            )
            for path in outputs
        ]
        if folder and targets[0].single:
            make_folders(os.path.dirname(outputs[0]) or ".")
        elif folder:
            targets[0].fs.mkdirs(targets[0].target.getParent())
        for target in targets:
            target.check()
        return records, targets

    def _counts(self, kept, role):
        """``{value: count}`` of a field over the summary rows, largest first
        (ties in value order, as the in-memory reader orders them)."""
        counts = {}
        for r in sorted(kept, key=lambda r: r["first"]):  # equal values: first seen
            value = self.source.python_value(
                r[f"_sk_kind_{role}"], r[f"_sk_value_{role}"]
            )
            counts[value] = counts.get(value, 0) + r["n"]
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def _columns(self):
        return [exact_col(c) for c in self.source.columns]

    def _has_bom(self):
        """Whether a single JSON Lines input starts with a byte order mark,
        which a single-file output then starts with too (as in memory)."""
        from skbalance._jsonl._scan import BOM

        if self.fmt != "jsonl" or not os.path.isfile(self.input.path):
            return False
        with open(self.input.path, "rb") as fh:
            return fh.read(len(BOM)) == BOM

    # -- the interface ------------------------------------------------------------

    def label_counts(
        self,
        *,
        domain=None,
        skip_missing=False,
        duplicates=False,
        outputs=(),
        force=False,
    ):
        F = pyspark_module()
        records, _ = self._read(
            {"domain": domain},
            [o for o in outputs if not is_stdout(o)],
            force,
            fmt="jsonl",
            skip_missing=skip_missing,
        )
        roles = ["label"] if domain is None else ["label", "domain"]
        kept = records.summary(values=roles)
        counts = self._counts(kept, "label")
        by_domain = None
        if domain is not None:
            by_domain = {
                d: dict.fromkeys(counts, 0) for d in self._counts(kept, "domain")
            }
            for r in kept:
                d = records.python_value(r["_sk_kind_domain"], r["_sk_value_domain"])
                y = records.python_value(r["_sk_kind_label"], r["_sk_value_label"])
                by_domain[d][y] += r["n"]
        if not duplicates:
            return counts, by_domain, None
        rows = records.frame({}, raw=True)
        cols = [RAW] if records.fmt == "jsonl" else records.columns
        key = F.xxhash64(*hashable(rows, cols))
        repeats = (
            rows.groupBy(key.alias("_sk_key"))
            .count()
            .agg(F.sum(F.col("count") - 1).alias("d"))
            .first()["d"]
        )
        return counts, by_domain, int(repeats or 0)

    def label_sets(self, **kw):
        raise UsageError("--multilabel is not available with --engine spark.")

    def split(self, paths, *, sizes, seed, domain, group, dedupe, text, force):
        F = pyspark_module()
        if dedupe and group is not None:
            raise UsageError(
                "--engine spark takes --dedupe or --group, not both (records linked "
                "through either would need a connected-components pass)."
            )
        if self.fmt != "jsonl":  # the parts of Parquet records are Parquet
            paths = [os.path.splitext(p)[0] + ".parquet" for p in paths]
        records, targets = self._read(
            {"domain": domain, "group": group}, paths, force, folder=True, text=text
        )
        roles = ["label"] if domain is None else ["label", "domain"]
        kept = records.summary(values=roles)
        names = {"label": "_sk_y", "domain": "_sk_d", "group": "_sk_g"}
        if dedupe and text is not None:
            names["text"] = "_sk_t"
        frame = records.frame(
            {r: n for r, n in names.items() if r in records.paths},
            raw=dedupe and text is None,
        )
        stratum = "_sk_y"
        if domain is not None:
            frame = frame.withColumn("_sk_s", F.struct("_sk_y", "_sk_d"))
            stratum = "_sk_s"
        groups = "_sk_g" if group is not None else None
        if dedupe:
            groups = "_sk_g"
            frame = frame.withColumn("_sk_g", self._dedupe_key(frame, text)).drop(RAW)
        parted, keys, table, n_groups = partition_plan(
            frame,
            stratum,
            tuple(sizes),
            groups,
            True,
            seed,
            "_sk_part",
            RARE_ORDER,
            hash_cols=records.columns,
        )
        self._write_parts(parted.orderBy("_sk_part", *ORDER), targets)
        # the values as the in-memory reader keeps them (1 and 1.0: the first
        # seen): a class, or with --domain a (class, domain) pair
        same = {role: {v: v for v in self._counts(kept, role)} for role in roles}
        if domain is None:
            shown = [same["label"][k] for k in keys]
        else:
            shown = [(same["label"][c], same["domain"][d]) for c, d in keys]
        counts = [
            {name: int(row[j]) for name, row in zip(shown, table, strict=True)}
            for j in range(len(paths))
        ]
        n_duplicates = records.n_kept - n_groups if dedupe else None
        return counts, dict(zip(keys, shown, strict=True)), n_duplicates

    def _dedupe_key(self, frame, text):
        """Duplicates by the whole record, or by the normalized text (the
        in-memory normalizer, run on the executors)."""
        F = pyspark_module()
        if text is None:
            cols = [RAW] if self.source.fmt == "jsonl" else self.source.columns
            return F.xxhash64(*hashable(frame, cols))

        def normalise(text):  # skbalance._text.normalise_text, sent by value so
            return " ".join(text.split()).casefold()  # workers need no skbalance

        udf = F.udf(normalise, "string", useArrow=False)
        return F.xxhash64(udf(F.col("_sk_t")))

    def _write_parts(self, parted, targets):
        """One Spark job writes the parts (``partitionBy``); then they are
        moved into place as a set (all of them, or none)."""
        fmt, columns = self.source.fmt, self._columns()
        with targets[0].scratch() as scratch:
            writer(parted.select(*columns, "_sk_part"), fmt, "_sk_part")(
                f"{scratch}/out"
            )
            empty = writer(parted.select(*columns).limit(0), fmt)
            with staged_outputs() as stage:
                for j, target in enumerate(targets):
                    target.take(
                        f"{scratch}/out/_sk_part={j}", empty, stage, bom=self._has_bom()
                    )

    def _write_grown(self, grown, target, shuffle, seed):
        """Write the rows of a resampling plan (``_sk_copy``: the copy number):
        shuffled, or the records in input order then the copies."""
        F = pyspark_module()
        if shuffle:
            order = [F.xxhash64(F.lit(seed), *self._columns(), F.col("_sk_copy"))]
            order += ORDER
        else:
            order = [F.col("_sk_copy") > 1, *ORDER, "_sk_copy"]
        result = grown.orderBy(*order).select(*self._columns())
        with target.scratch() as scratch:
            writer(result, self.source.fmt)(f"{scratch}/out")
            empty = writer(result.limit(0), self.source.fmt)
            with staged_outputs() as stage:
                target.take(f"{scratch}/out", empty, stage, bom=self._has_bom())

    def _check_single_output(self, output):
        """Outputs that cannot hold records written by Spark."""
        if is_stdout(output) and (self.parts or self.fmt == "parquet"):
            raise UsageError(
                "-o -: standard output takes one JSON Lines file, not a folder of "
                "parts (--parts, Parquet); give a path."
            )
        if self.fmt == "parquet" and output.lower().endswith((".jsonl", ".json")):
            raise UsageError(
                f"-o {output}: Parquet records are written as Parquet (a folder); "
                "give a name that does not end in .jsonl."
            )

    def oversample(self, how, *, domain, output, force):
        self._check_single_output(output)
        role = "label" if domain is None else "domain"
        records, (target,) = self._read({"domain": domain}, [output], force)
        present = self._counts(records.summary(values=[role]), role)
        check_two_strata(list(present), source="y", word="class", who=how.name)
        grown, keys, _, targets = oversample_plan(
            records.frame({role: "_sk_s"}),
            "_sk_s",
            target_ratio=how.target_ratio,
            min_share=how.min_share,
            relative=False,
            seed=how.seed,
            hash_cols=records.columns,
            copy_col="_sk_copy",
        )
        self._write_grown(grown, target, how.shuffle, how.seed)
        # the values as the in-memory reader keeps them (1 and 1.0: the first
        # seen), sorted, as the in-memory samplers report them
        target_of = dict(zip(keys, targets.tolist(), strict=True))
        before = {k: present[k] for k in sorted(present)}
        return before, {k: int(target_of[k]) for k in before}

    def mix(self, params, *, by, domain, output, force, shuffle, seed):
        F = pyspark_module()
        self._check_single_output(output)
        records, (target,) = self._read({"domain": domain}, [output], force)
        records.summary(values=[])
        names = {"label": "_sk_y", "domain": "_sk_d"}
        names = {r: n for r, n in names.items() if r in records.paths}
        frame = records.frame(names)
        stratum = {"class": "_sk_y", "domain": "_sk_d"}.get(by, "_sk_s")
        if by == "pair":
            frame = frame.withColumn("_sk_s", F.struct("_sk_d", "_sk_y"))
        grown, keys, counts, targets = resample_plan(
            frame,
            stratum,
            functools.partial(mixture_targets, **params),
            who="mix",
            seed=seed,
            hash_cols=records.columns,
            copy_col="_sk_copy",
        )
        self._write_grown(grown, target, shuffle, seed)
        keys = [tuple(k) if by == "pair" else k for k in keys]
        before = dict(zip(keys, counts.tolist(), strict=True))
        return before, dict(zip(keys, targets.tolist(), strict=True))
