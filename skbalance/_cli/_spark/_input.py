"""Records of JSON Lines or Parquet files read by Spark, with the fields a
command needs extracted and checked as :func:`skbalance.read_jsonl_labels`
checks them, for ``skbalance ... --engine spark``.

JSON Lines files are read as text (``lineSep="\\n"``, so a record stays
byte for byte what it was; a trailing ``\\r`` is dropped from what is written,
as in memory) and parsed by Spark's ``try_parse_json`` into a variant, from
which every field is taken by its dotted path. One aggregation brings to the
driver the number of rows per status (kept, missing label, bad record) and
per kind of every field (string, number, boolean), with the first row of
each: nothing else. Line numbers (for messages) are worked out only when
there is something to report, from the row counts of the file blocks; the
message itself is made by the in-memory checks on that one line, so both
engines say the same thing.
"""

from skbalance._cli._spark._fields import (
    FLOATS,
    INTEGERS,
    dotted_column,
    parquet_kind,
    variant_field,
)
from skbalance._jsonl._read import _nothing_read
from skbalance._jsonl._scan import Column, JsonlError, RecordError, loads, parse_error
from skbalance._spark_plan import exact_col, pyspark_module

__all__ = ["ORDER", "RAW", "SparkRecords"]

#: the columns SparkRecords adds: where a row is, its raw line, its status
_FILE, _BLOCK, _POS, _RAW, _STATUS = (
    "_sk_file",
    "_sk_block",
    "_sk_pos",
    "_sk_raw",
    "_sk_status",
)
#: the kind class of every kind: the classes must not mix within a field
_CLASS = {
    "string": "string",
    "integer": "number",
    "huge": "number",
    "float": "number",
    "boolean": "boolean",
}
_LINE = "_sk_line"
#: where a row is (file, block, position), to keep the input order; its raw line
ORDER, RAW = (_FILE, _BLOCK, _POS), _RAW


class SparkRecords:
    """The kept records of a file (or folder, or glob) and their fields.

    Parameters
    ----------
    spark : SparkSession
    path : str
        What ``spark.read`` reads.
    fmt : {"jsonl", "parquet"}
    fields : dict of str to str
        Role (``"label"`` first, ``"domain"``, ``"group"``) -> dotted path.
    name : str
        The name of ``path`` in messages.
    text : str, default=None
        A field that must hold a string (``"text"`` role, for ``--dedupe``).
    missing_label, skip_missing, on_error
        As :func:`skbalance.read_jsonl_labels`.
    """

    def __init__(
        self,
        spark,
        path,
        fmt,
        fields,
        *,
        name,
        text=None,
        missing_label=None,
        skip_missing=False,
        on_error="raise",
    ):
        F = pyspark_module()
        self.spark, self.path, self.fmt, self.name = spark, path, fmt, name
        self.paths = dict(fields)
        if text is not None:
            self.paths["text"] = text
        self.missing_label, self.skip_missing = missing_label, skip_missing
        self.on_error = on_error
        if fmt == "jsonl":
            raw = spark.read.option("lineSep", "\n").text(path)
            raw = raw.select(
                F.col("value").alias(_RAW),
                F.col("_metadata.file_path").alias(_FILE),
                F.col("_metadata.file_block_start").alias(_BLOCK),
                F.monotonically_increasing_id().alias(_POS),
            )
            self._raw = self.source = raw
            rows = raw.filter(~F.col(_RAW).rlike("^[ \\t\\n\\r\\x0b\\x0c]*$"))
            rows = rows.withColumn(_LINE, F.regexp_replace(_RAW, "\r$", ""))
            self.columns = [_LINE]
            rows, kinds, values, ok = self._jsonl_fields(rows)
        else:
            raw = self._parquet = self.source = spark.read.parquet(path)
            self.columns = list(raw.columns)
            rows = raw.select(
                "*",
                F.col("_metadata.file_path").alias(_FILE),
                F.lit(0).cast("long").alias(_BLOCK),
                F.col("_metadata.row_index").alias(_POS),
            )
            kinds, values, ok = self._parquet_fields(rows)
        self._kinds, self._values = kinds, values
        label_missing = kinds["label"] == "missing"
        bad = ~ok
        for role, kind in kinds.items():
            if role == "text":
                bad = bad | (kind != "string")
            elif role != "label" or not skip_missing:
                bad = bad | kind.isin("missing", "bad")
            else:
                bad = bad | (kind == "bad")
        status = F.when(~ok, "bad")
        if skip_missing:
            status = status.when(label_missing, "missing")
        self.rows = rows.withColumn(_STATUS, status.when(bad, "bad"))

    def _jsonl_fields(self, rows):
        """``rows`` with the parsed record and the fields as columns (each
        parsed once per row), the kind and value of every field, and whether
        the line is a JSON object."""
        F = pyspark_module()
        # Spark's parser stops after the first value and ignores the rest of
        # the line; inside brackets, anything after the record (text, another
        # record, a comment) makes the line invalid, as in memory
        rows = rows.withColumn(
            "_sk_items",
            F.try_variant_get(
                F.try_parse_json(F.concat(F.lit("["), F.col(_RAW), F.lit("]"))),
                "$",
                "array<variant>",
            ),
        )
        items = F.col("_sk_items")
        rows = rows.withColumn("_sk_v", F.try_element_at(items, F.lit(1)))
        v = F.col("_sk_v")
        ok = F.coalesce(
            F.is_valid_utf8(F.col(_RAW))
            & (F.size(items) == 1)
            & F.col(_RAW).rlike("^[ \t\r]*[{]"),  # one value, an object
            F.lit(False),
        )
        kinds, values = {}, {}
        for role, path in self.paths.items():
            rows = rows.withColumn(f"_sk_x_{role}", variant_field(v, path))
            x = F.col(f"_sk_x_{role}")
            rows = rows.withColumn(f"_sk_t_{role}", F.schema_of_variant(x))
            t = F.col(f"_sk_t_{role}")
            as_double = F.try_variant_get(x, "$", "double")
            kind = (
                F.when(x.isNull() | F.is_variant_null(x), "missing")
                .when(t == "STRING", "string")
                .when(t == "BOOLEAN", "boolean")
                .when(t.isin(*INTEGERS), "integer")
                .when(t.rlike("^DECIMAL\\([0-9]+,0\\)$"), "huge")  # beyond 64 bits
                .when(
                    (t.startswith("DECIMAL") | t.isin(*FLOATS))
                    & ~F.isnan(as_double)
                    & (F.abs(as_double) != float("inf")),
                    "float",
                )
                .otherwise("bad")
            )
            value = (
                F.when(
                    kind == "integer",
                    F.try_variant_get(x, "$", "bigint").cast("string"),
                )
                .when(
                    kind == "huge",
                    F.try_variant_get(x, "$", "decimal(38,0)").cast("string"),
                )
                .when(kind == "float", as_double.cast("string"))
                .otherwise(F.try_variant_get(x, "$", "string"))
            )
            if role == "label" and self.missing_label is not None:
                value = F.when(kind == "missing", F.lit(self.missing_label)).otherwise(
                    value
                )
                kind = F.when(kind == "missing", "string").otherwise(kind)
            rows = rows.withColumn(f"_sk_k_{role}", kind)
            rows = rows.withColumn(f"_sk_val_{role}", value)
            kinds[role] = F.col(f"_sk_k_{role}")
            values[role] = F.col(f"_sk_val_{role}")
        return rows, kinds, values, ok

    def _parquet_fields(self, rows):
        F = pyspark_module()
        kinds, values = {}, {}
        for role, path in self.paths.items():
            column, kind = dotted_column(self._parquet, path, self.name)
            name = parquet_kind(kind)
            if name is None or (role == "text" and name != "string"):
                expected = (
                    "strings" if role == "text" else "strings, numbers or booleans"
                )
                raise JsonlError(
                    f"{self.name}: field {path!r} ({role}) is a column of "
                    f"{kind.simpleString()}; expected {expected}."
                )
            kind = F.when(column.isNull(), "missing").otherwise(name)
            value = column.cast("string")
            if role == "label" and self.missing_label is not None:
                value = F.coalesce(value, F.lit(self.missing_label))
                kind = F.when(column.isNull(), "string").otherwise(name)
            kinds[role], values[role] = kind, value
        return kinds, values, F.lit(True)

    def summary(self, values=()):
        """The one aggregation: rows per status, per kind of every field and
        per value of the ``values`` roles, with the first row of each."""
        F = pyspark_module()
        keys = [F.col(_STATUS)] + [
            F.when(F.col(_STATUS).isNull(), k).alias(f"_sk_kind_{role}")
            for role, k in self._kinds.items()
        ]
        keys += [
            F.when(F.col(_STATUS).isNull(), self._values[r]).alias(f"_sk_value_{r}")
            for r in values
        ]
        first = F.min(F.struct(_FILE, _BLOCK, _POS)).alias("first")
        rows = self.rows.groupBy(*keys).agg(F.count(F.lit(1)).alias("n"), first)
        self._summary = rows.collect()
        return self._check()

    def _check(self):
        """Counts, skipped and missing rows, the first error: from the summary."""
        roles = [r for r in self._kinds if r != "text"]
        ok = [r for r in self._summary if r[_STATUS] is None]
        self.first_class = {}
        for role in roles:
            firsts = {}
            for r in ok:
                kind = _CLASS.get(r[f"_sk_kind_{role}"], r[f"_sk_kind_{role}"])
                firsts[kind] = min(firsts.get(kind, r["first"]), r["first"])
            self.first_class[role] = min(firsts, key=firsts.get) if firsts else None
        self.kinds = {
            role: {r[f"_sk_kind_{role}"] for r in ok if self._wanted(r)}
            for role in roles
        }
        kept = [r for r in ok if self._wanted(r)]
        wrong = [r for r in ok if not self._wanted(r)]
        bad = [r for r in self._summary if r[_STATUS] == "bad"] + wrong
        missing = [r for r in self._summary if r[_STATUS] == "missing"]
        self.n_kept = sum(r["n"] for r in kept)
        self.n_skipped = sum(r["n"] for r in bad)
        self.n_missing = sum(r["n"] for r in missing)
        self.skipped_lines = self.missing_lines = []
        if bad and self.on_error == "raise":
            raise self._error(min(r["first"] for r in bad))
        if bad:
            self.skipped_lines = self._first_lines(self._skipped_rows())
        if missing:
            status = pyspark_module().col(_STATUS) == "missing"
            self.missing_lines = self._first_lines(self.rows.filter(status))
        if not self.n_kept:
            # nothing kept, skipped or missing: every line is blank (JSON
            # Lines; a Parquet file has no rows)
            self.n_blank = self._raw.count() if self.fmt == "jsonl" else 0
            raise _nothing_read(self.name, self.paths["label"], self)
        return kept

    def _wanted(self, row):
        return all(
            _CLASS.get(row[f"_sk_kind_{role}"]) == first
            for role, first in self.first_class.items()
        )

    def _kind_ok(self):
        """The rows of the first kind class of every field (a Column)."""
        F = pyspark_module()
        ok = F.col(_STATUS).isNull()
        for role, first in self.first_class.items():
            kinds = [k for k, c in _CLASS.items() if c == first]
            ok = ok & self._kinds[role].isin(*kinds)
        return ok

    def _skipped_rows(self):
        F = pyspark_module()
        status = F.col(_STATUS)
        return self.rows.filter(
            (status == "bad") | (status.isNull() & ~self._kind_ok())
        )

    def frame(self, names, *, raw=False):
        """The kept rows: the record columns (and with ``raw`` the raw line of
        JSON Lines), where they are (to keep the input order), then the fields (role ->
        column name), typed as one kind (a number field with any non-integer
        is a double column)."""
        kept = self.rows.filter(self._kind_ok())
        selected = [exact_col(c) for c in self.columns]
        selected += [_RAW] if raw and self.fmt == "jsonl" else []
        selected += [_FILE, _BLOCK, _POS]
        for role, name in names.items():
            value = self._values[role]
            kind = self.first_class.get(role, "string")
            if kind == "number":
                if self.kinds[role] == {"integer"}:
                    value = value.cast("bigint")
                elif self.kinds[role] <= {"integer", "huge"}:
                    value = value.cast("decimal(38,0)")
                else:
                    value = value.cast("double")
            elif kind == "boolean":
                value = value == "true"
            selected.append(value.alias(name))
        return kept.select(*selected)

    @staticmethod
    def python_value(kind, text):
        """A value of the summary as the in-memory reader keeps it."""
        if kind in ("integer", "huge"):
            return int(text)
        if kind == "float":
            return float(text)
        if kind == "boolean":
            return text == "true"
        return text

    # -- where a record is and what is wrong with it: run only to report --

    def _where(self, locations):
        """``(name, line)`` of every ``(file, block, position)``."""
        if self.fmt == "parquet":
            return [(self._file_name(f), p + 1) for f, _, p in locations]
        if locations:
            lines_before, start = self._blocks()
        return [
            (self._file_name(f), lines_before[f, b] + p - start[f, b] + 1)
            for f, b, p in locations
        ]

    def _blocks(self):
        """Lines before every file block and its first position: one job over
        the file, run once (a message may need several lines)."""
        F = pyspark_module()
        if getattr(self, "_block_table", None) is None:
            stats = (
                self._raw.groupBy(_FILE, _BLOCK)
                .agg(F.min(_POS).alias("start"), F.count(F.lit(1)).alias("n"))
                .collect()
            )
            before, start, seen = {}, {}, {}
            for r in sorted(stats, key=lambda r: (r[_FILE], r[_BLOCK])):
                key = r[_FILE], r[_BLOCK]
                before[key] = seen.get(r[_FILE], 0)
                seen[r[_FILE]] = before[key] + r["n"]
                start[key] = r["start"]
            self._block_table = before, start
        return self._block_table

    def _file_name(self, file):
        import os
        from urllib.parse import unquote

        local = unquote(file[5:]) if file.startswith("file:") else file
        if local.startswith("///"):
            local = local[2:]
        if os.path.isfile(self.name):
            if os.path.realpath(self.name) == os.path.realpath(local):
                return self.name
        return local

    def _first_lines(self, frame, k=5):
        first = frame.select(_FILE, _BLOCK, _POS).orderBy(_FILE, _BLOCK, _POS).limit(k)
        return [line for _, line in self._where([tuple(r) for r in first.collect()])]

    def _error(self, location):
        """The in-memory message for the record at ``location``."""
        F = pyspark_module()
        (where,) = self._where([tuple(location)])
        if self.fmt == "parquet":
            return RecordError(
                f"{where[0]}:{where[1]}: a field of {sorted(self.paths.values())} is "
                "null (--on-error skip skips such rows)."
            )
        f, b, p = location
        row = (
            self.rows.filter(
                (F.col(_FILE) == f) & (F.col(_BLOCK) == b) & (F.col(_POS) == p)
            )
            .select(F.col(_RAW).cast("binary"))
            .first()
        )
        return self._message(bytes(row[0]), where)

    def _message(self, raw, where):
        from skbalance._fields import get_field

        try:
            record = loads(raw)
        except ValueError:
            return parse_error(where, raw)
        if type(record) is not dict:
            return parse_error(where, raw)
        try:
            for role, path in self.paths.items():
                column = Column(role, path, missing=self._missing(role))
                first = self.first_class.get(role)
                if first is not None:
                    firsts = [
                        r["first"]
                        for r in self._summary
                        if r[_STATUS] is None
                        and _CLASS.get(r[f"_sk_kind_{role}"]) == first
                    ]
                    (seen,) = self._where([tuple(min(firsts))])
                    column.kind, column.first = first, seen
                    column.types = {"string": (str,), "number": (int, float)}.get(
                        first, (bool,)
                    )
                value = column.get(record, where, get_field)
                if role == "text" and type(value) is not str:
                    return RecordError(
                        f"{where[0]}:{where[1]}: field {path!r} (text) is "
                        f"{type(value).__name__}; expected a string."
                    )
                if role != "text":
                    column.code(value, where)
        except RecordError as exc:
            return exc
        return RecordError(
            f"{where[0]}:{where[1]}: Spark's JSON parser rejects this record "
            "(NaN, Infinity or a number it cannot hold); --on-error skip skips it."
        )

    def _missing(self, role):
        if role != "label":
            return None
        return self.missing_label
