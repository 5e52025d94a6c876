"""One pass over a JSON Lines file keeping only what a command needs.

Helpers of :func:`skbalance.read_jsonl_labels`: the JSON parser (orjson when
installed, the standard library's ``json`` otherwise; both accept the same
files and give the same messages, because a line orjson rejects is parsed
again by ``json``), the coded columns with their type checks, and the
progress line on a terminal.
"""

import hashlib
import json
import math
import os
import sys
import time
from array import array

__all__ = ["Column", "JsonlError", "Progress", "RecordError", "loads"]

BOM = b"\xef\xbb\xbf"
_KINDS = {str: "string", int: "number", float: "number", bool: "boolean"}
_ARTICLE = {"string": "a string", "number": "a number", "boolean": "a boolean"}


def _stdlib_loads(line):
    return json.loads(line)


try:  # optional speed-up, measured in benchmarks/bench_jsonl.py
    import orjson

    def loads(line):
        """Parse one line: orjson first, the standard library when it refuses
        (NaN, integers past 64 bits, and the error messages)."""
        try:
            return orjson.loads(line)
        except orjson.JSONDecodeError:
            return json.loads(line)

except ImportError:  # pragma: no cover - exercised by a test that hides orjson
    loads = _stdlib_loads


class JsonlError(ValueError):
    """A problem with a JSON Lines file, naming the file, line and field."""


class RecordError(JsonlError):
    """A bad record: skipped with ``on_error="skip"``, else raised."""


def record_error(where, message):
    """``where`` is ``(file name, line number)``."""
    return RecordError(f"{where[0]}:{where[1]}: {message}")


def parse_error(where, line):
    """The message for a line that is not a JSON object."""
    try:
        record = json.loads(line)
    except UnicodeDecodeError as exc:
        return record_error(where, f"not UTF-8 ({exc.reason}).")
    except json.JSONDecodeError as exc:
        return record_error(where, f"not valid JSON ({exc.msg} at column {exc.colno}).")
    return record_error(where, f"expected a JSON object, got {type(record).__name__}.")


def _describe(value):
    if value is None:
        return "null"
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, float) and math.isinf(value):
        return "infinite"
    return f"{_ARTICLE.get(_KINDS.get(type(value)), 'a ' + type(value).__name__)}"


class Column:
    """Codes of one field: every value must be a string, number or boolean,
    all of the same kind (a list of them when ``multilabel``)."""

    def __init__(self, role, path, *, missing=None, multilabel=False):
        self.role = role
        self.path = path
        self.simple = "." not in path
        self.missing = missing
        self.multilabel = multilabel
        self.table = {}
        self.values = []
        self.codes = array("i") if not multilabel else []
        self.kind = None
        self.first = None

    def _bad(self, where, what):
        expected = (
            "a list of strings, numbers or booleans"
            if self.multilabel
            else ("a string, number or boolean")
        )
        return record_error(
            where, f"field {self.path!r} ({self.role}) is {what}; expected {expected}."
        )

    def code(self, value, where):
        kind = _KINDS.get(type(value))
        if (
            kind is None
            or (kind == "number" and value != value)
            or (type(value) is float and math.isinf(value))
        ):
            raise self._bad(where, _describe(value))
        if kind != self.kind:
            if self.kind is not None:
                raise record_error(
                    where,
                    f"field {self.path!r} ({self.role}) is {_ARTICLE[kind]} "
                    f"({json.dumps(value)}), but it is {_ARTICLE[self.kind]} on line "
                    f"{self.first[1]}; the values of a field must all be strings, all "
                    "numbers or all booleans.",
                )
            self.kind, self.first = kind, where
        code = self.table.get(value)
        if code is None:
            code = self.table[value] = len(self.values)
            self.values.append(value)
        return code

    def get(self, record, where, get_field):
        try:
            if self.simple:
                value = record[self.path]
            else:
                value = get_field(record, self.path)
        except KeyError as exc:
            if self.missing is not None:
                return self.missing
            keys = ", ".join(map(str, record))
            part = exc.args[0]
            raise record_error(
                where,
                f"field {self.path!r} ({self.role}) is missing (no {part!r}; the "
                f"record's keys are: {keys}).",
            ) from None
        if value is None and self.missing is not None:
            return self.missing
        return value

    def add(self, value, where):
        if not self.multilabel:
            return self.code(value, where)
        if not isinstance(value, list):
            value = [value]
        return tuple(sorted({self.code(v, where) for v in value}))

    def append(self, code):
        self.codes.append(code)

    def array(self):
        """The values of every kept record, as an ndarray (a list of lists
        for a multi-label field)."""
        import numpy as np

        if self.kind == "string" or self.kind is None:
            uniques = np.empty(len(self.values), dtype=object)
            uniques[:] = self.values
        else:
            uniques = np.asarray(self.values)
        if self.multilabel:
            return [uniques[list(c)].tolist() for c in self.codes]
        return uniques[np.frombuffer(self.codes, dtype=np.int32)]


def duplicate_key(value):
    """The key :func:`skbalance.duplicate_groups` compares, as a short digest."""
    if isinstance(value, (dict, list)):
        value = json.dumps(value, sort_keys=True, ensure_ascii=False)
    elif not isinstance(value, str):
        value = str(value)
    key = " ".join(value.split()).casefold()
    return hashlib.blake2b(key.encode(), digest_size=12).digest()


class Progress:
    """``reading FILE: 42%`` on stderr, redrawn at most 5 times a second, only
    when stderr is a terminal."""

    def __init__(self, name, total, enabled="auto", stream=None):
        self.stream = sys.stderr if stream is None else stream
        if enabled == "auto":
            enabled = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.enabled = bool(enabled) and bool(total)
        self.name, self.total = name, total
        self.last = 0.0
        self.shown = False

    def update(self, done):
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last < 0.2:
            return
        self.last = now
        self.shown = True
        share = min(done / self.total, 1.0)
        self.stream.write(
            f"\rreading {self.name}: {share:4.0%} ({done / 1e6:,.0f} of "
            f"{self.total / 1e6:,.0f} MB)"
        )
        self.stream.flush()

    def close(self):
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def file_size(fh):
    try:
        st = os.fstat(fh.fileno())
    except (OSError, AttributeError, ValueError):
        return 0
    return st.st_size if st.st_size > 0 else 0
