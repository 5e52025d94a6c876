"""Where a record of :class:`~skbalance._cli._spark._input.SparkRecords` is
(``FILE:LINE``, from the row counts of the file blocks; Parquet: the row)
and what is wrong with it, in the words of the in-memory reader: the
methods that run only when there is something to report."""

from skbalance._jsonl._scan import Column, RecordError, loads, parse_error
from skbalance._spark_plan import pyspark_module

__all__ = ["Locations"]

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


class Locations:
    """Line numbers and messages of bad, skipped and missing records."""

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
