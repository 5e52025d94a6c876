"""One pass over a JSON Lines file keeping only what a command needs.

Helpers of :func:`skbalance.read_jsonl_labels`: the JSON parser (orjson when
installed, the standard library's ``json`` otherwise; both accept the same
files and give the same messages, because a line orjson rejects (NaN,
Infinity, bad JSON) is parsed again by ``json``; one difference: orjson reads
integers beyond 64 bits as floats), the coded columns with their type checks, and the
progress line on a terminal.
"""

import json
import math
import os
import re
import sys
import time
from array import array

from skbalance._text import normalise_text

__all__ = ["Column", "JsonlError", "Progress", "RecordError", "Scan", "loads"]

BOM = b"\xef\xbb\xbf"
_KINDS = {str: "string", int: "number", float: "number", bool: "boolean"}
_ARTICLE = {"string": "a string", "number": "a number", "boolean": "a boolean"}


def _stdlib_loads(line):
    return json.loads(line)


try:  # optional speed-up, measured in benchmarks/bench_jsonl.py
    import orjson

    _fast_loads = orjson.loads

    def loads(line):
        """Parse one line: orjson first, the standard library when it refuses
        (NaN, and the error messages) or may have lost an integer past 64
        bits."""
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            return json.loads(line)
        return json.loads(line) if _long_number(line) else record

except ImportError:  # pragma: no cover - exercised by a test that hides orjson
    loads = _fast_loads = _stdlib_loads

#: a run of 19 digits or more: maybe an integer past 64 bits, which orjson
#: reads as a float without a word (2**64 + 1 -> 1.8446744073709552e+19)
_long_number = re.compile(rb"\d{19}").search


def _inexact(value, raw):
    """Whether ``value``, read by orjson from the line ``raw``, may be an
    integer past 64 bits turned into a float: a float (or a list holding
    one) and a run of 19 digits in the line. Checked only for the values a
    reader keeps, so that lines of text pay nothing."""
    if _fast_loads is _stdlib_loads:
        return False
    if type(value) is list:
        if not any(type(v) is float for v in value):
            return False
    elif type(value) is not float:
        return False
    return _long_number(raw) is not None


class JsonlError(ValueError):
    """A problem with a JSON Lines file, naming the file, line and field."""


class RecordError(JsonlError):
    """A bad record: skipped with ``on_error="skip"``, else raised."""


def record_error(where, message):
    """``where`` is ``(file name, line number)``."""
    return RecordError(f"{where[0]}:{where[1]}: {message}")


def parse_error(where, line):
    """The message for a line that is not a JSON object.

    The column is counted in the line without its ending: a record cut short
    (``{"a": 1``) would otherwise be reported at column 1 of the next line,
    the newline's, where Spark, which reads lines without endings, says the
    end of the record.
    """
    line = line.rstrip(b"\r\n" if isinstance(line, bytes) else "\r\n")
    try:
        record = json.loads(line)
    except UnicodeDecodeError as exc:
        return record_error(where, f"not UTF-8 ({exc.reason}).")
    except json.JSONDecodeError as exc:
        # "Unterminated string starting at" and "Invalid control character
        # at" end with the word that comes next
        msg = exc.msg.removesuffix(" at")
        return record_error(where, f"not valid JSON ({msg} at column {exc.colno}).")
    return record_error(where, f"expected a JSON object, got {type(record).__name__}.")


def nothing_but(n_blank):
    """What a file without records holds: nothing, or blank lines."""
    if not n_blank:
        return "the file is empty"
    return f"{n_blank} blank line{'s' if n_blank != 1 else ''}"


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
        self.types = ()  # the Python types of the kind, once known
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
            # floats take the slow path, which checks they are exact
            self.types = {"string": (str,), "number": (int,)}.get(kind, (bool,))
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


def text_key(value):
    """A 64-bit hash of the text :func:`skbalance.duplicate_groups` compares
    (case folded, whitespace collapsed); records by their sorted JSON."""
    if isinstance(value, (dict, list)):
        value = json.dumps(value, sort_keys=True, ensure_ascii=False)
    elif not isinstance(value, str):
        value = str(value)
    return hash(normalise_text(value))


def first_seen_groups(keys):
    """Group ids numbered in order of first appearance, from hash keys."""
    import numpy as np

    keys = np.frombuffer(keys, dtype=np.int64)
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.intp)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    return rank[inverse.ravel()]


class Progress:
    """``reading FILE: 42% (420 of 1,000 MB)`` on stderr (or ``writing FILE:
    ... records``), redrawn at most 5 times a second, only when stderr is a
    terminal."""

    def __init__(self, name, total, enabled="auto", stream=None, verb="reading"):
        self.stream = sys.stderr if stream is None else stream
        if enabled == "auto":
            enabled = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.enabled = bool(enabled) and bool(total)
        self.name, self.total, self.verb = name, total, verb
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
        if self.verb == "reading":  # bytes
            of = f"{done / 1e6:,.0f} of {self.total / 1e6:,.0f} MB"
        else:
            of = f"{done:,} of {self.total:,} records"
        self.stream.write(f"\r{self.verb} {self.name}: {share:4.0%} ({of})")
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


class Scan:
    """The one pass: parse every line, code the fields, note where the record
    is. The label of a known value and kind costs a dict look-up and a type
    check; everything else (a new value, a wrong type, a missing field) goes
    through :class:`Column`, which names ``FILE:LINE`` and the field."""

    def __init__(self, name, label, others, *, text, dedupe, on_error, offsets, skip):
        """``dedupe`` is None, True (whole records) or a Column."""
        self.name, self.label, self.others = name, label, others
        self.text, self.dedupe = text, dedupe
        self.raise_errors = on_error == "raise"
        self.offsets, self.skip = offsets, skip
        self.texts, self.keys = [], array("q")
        self.starts, self.lengths = array("q"), array("i")
        # line numbers, kept as the records where "line - position" changes
        self.kept, self.break_at, self.break_delta = 0, array("q"), array("q")
        self.n_skipped, self.skipped_lines = 0, []
        self.n_missing, self.missing_lines = 0, []
        self.n_blank = 0
        self.bom = False

    def _skipped(self, number, missing=False):
        if missing:
            self.n_missing += 1
            if len(self.missing_lines) < 5:
                self.missing_lines.append(number)
        else:
            self.n_skipped += 1
            if len(self.skipped_lines) < 5:
                self.skipped_lines.append(number)

    def _slow(self, record, raw, number, get_field):
        """The code of a record the fast path did not handle (None to skip)
        and the record, parsed again if orjson may have lost a number."""
        where = (self.name, number)
        label = self.label
        value = label.get(record, where, get_field)
        if _inexact(value, raw):
            record = json.loads(raw)
            value = label.get(record, where, get_field)
        if value is self.skip:
            self._skipped(number, missing=True)
            return None, record
        return label.add(value, where), record

    def _rest(self, record, raw, number, get_field):
        """The other fields, the text and the duplicate key of a record."""
        where = (self.name, number)
        values = [c.get(record, where, get_field) for c in self.others]
        if any(_inexact(v, raw) for v in values):
            record = json.loads(raw)
            values = [c.get(record, where, get_field) for c in self.others]
        codes = [c.add(v, where) for c, v in zip(self.others, values, strict=True)]
        text = key = None
        if self.text is not None:
            text = self.text.get(record, where, get_field)
            if type(text) is not str:
                raise record_error(
                    where,
                    f"field {self.text.path!r} (text) is {type(text).__name__}; "
                    "expected a string.",
                )
        if isinstance(self.dedupe, Column):
            key = self.dedupe.get(record, where, get_field)
        return codes, text, key

    def run(self, fh, get_field, spool=None, bar=None):
        label = self.label
        key = label.path if label.simple and not label.multilabel else None
        table, codes_append = label.table, label.codes.append
        starts, lengths = self.starts.append, self.lengths.append
        kept, delta = 0, 0  # the first record always opens a run
        break_at, break_delta = self.break_at.append, self.break_delta.append
        whole = self.dedupe is True  # byte-identical records
        keys = self.keys.append
        by_field = isinstance(self.dedupe, Column)
        rest = bool(self.others) or self.text is not None or by_field
        offsets = self.offsets
        pos = 0
        for number, raw in enumerate(fh, start=1):
            start = pos
            pos += len(raw)
            if spool is not None:
                spool.write(raw)
            if number == 1 and raw.startswith(BOM):
                raw, start, self.bom = raw[len(BOM) :], start + len(BOM), True
            if bar is not None and not number & 0xFFFF:
                bar.update(pos)
            try:
                try:
                    record = _fast_loads(raw)
                except ValueError:
                    if not raw.strip():
                        self.n_blank += 1
                        continue
                    try:  # the standard library takes NaN and big integers
                        record = json.loads(raw)
                    except ValueError:
                        raise parse_error((self.name, number), raw) from None
                if type(record) is not dict:
                    raise parse_error((self.name, number), raw)
                value = record.get(key, _NONE) if key is not None else _NONE
                code = table.get(value) if type(value) in label.types else None
                if code is None:
                    code, record = self._slow(record, raw, number, get_field)
                    if code is None:
                        continue
                if rest:
                    others, text, dup = self._rest(record, raw, number, get_field)
            except RecordError:
                if self.raise_errors:
                    raise
                self._skipped(number)
                continue
            codes_append(code)
            if rest:
                for column, c in zip(self.others, others, strict=True):
                    column.codes.append(c)
                if text is not None:
                    self.texts.append(text)
                if by_field:
                    keys(text_key(dup))
            if whole:
                keys(hash(raw if raw[-1:] == b"\n" else raw + b"\n"))
            if number - kept != delta:
                delta = number - kept
                break_at(kept)
                break_delta(delta)
            kept += 1
            self.kept = kept
            if offsets:
                end = len(raw)
                if end and raw[end - 1] == 10:
                    end -= 1
                    if end and raw[end - 1] == 13:
                        end -= 1
                starts(start)
                lengths(end)


class _Missing:
    """A field that is not there (distinct from JSON null)."""


_NONE = _Missing()
