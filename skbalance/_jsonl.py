"""JSON Lines files, where fine-tuning data lives.

Records are read with their raw line kept, so that a resampled file is
written from the original bytes: every record passes through unchanged (key
order, number formatting, unicode escapes). Outputs are written to a temporary
file next to the target and renamed into place, and an input file is never
overwritten.
"""

import json
import os
import tempfile
from pathlib import Path

__all__ = [
    "JsonlError",
    "field_values",
    "get_field",
    "read_jsonl",
    "set_field",
    "write_lines",
]


class JsonlError(ValueError):
    """A problem with a JSON Lines file, naming the file, line and field."""


class JsonlRecords:
    """Records of a JSON Lines file with their raw lines and line numbers.

    Attributes
    ----------
    path : pathlib.Path
        The file read.
    records : list of dict
        The parsed records (blank lines skipped).
    lines : list of bytes
        The raw bytes of each record's line, without the line ending.
    line_numbers : list of int
        The 1-based line number of each record in the file.
    """

    def __init__(self, path, records, lines, line_numbers):
        self.path = path
        self.records = records
        self.lines = lines
        self.line_numbers = line_numbers

    def __len__(self):
        return len(self.records)


def read_jsonl(path):
    """Read a JSON Lines file of JSON objects.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    JsonlRecords
        Records, raw lines and line numbers.

    Raises
    ------
    JsonlError
        When a line is not valid JSON or not an object, naming file and line.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from skbalance._jsonl import read_jsonl
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "d.jsonl"
    >>> _ = p.write_text('{"label": "a"}\\n\\n{"label": "b"}\\n')
    >>> data = read_jsonl(p)
    >>> len(data), data.line_numbers, data.records[1]["label"]
    (2, [1, 3], 'b')
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise JsonlError(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise JsonlError(f"{path}: is a directory, not a JSON Lines file.") from None
    records, lines, numbers = [], [], []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except UnicodeDecodeError as exc:
            raise JsonlError(
                f"{path}, line {number}: not UTF-8 ({exc.reason})."
            ) from None
        except json.JSONDecodeError as exc:
            raise JsonlError(
                f"{path}, line {number}: not valid JSON ({exc.msg} at column "
                f"{exc.colno})."
            ) from None
        if not isinstance(record, dict):
            raise JsonlError(
                f"{path}, line {number}: expected a JSON object, got "
                f"{type(record).__name__}."
            )
        records.append(record)
        lines.append(line)
        numbers.append(number)
    if not records:
        raise JsonlError(f"{path}: no records (the file is empty).")
    return JsonlRecords(path, records, lines, numbers)


def get_field(record, path):
    """The value at a dotted path: ``"label"``, ``"meta.domain"``,
    ``"messages.0.content"`` or ``"messages.-1.content"``.

    Raises ``KeyError`` with the part of the path that is missing.

    Examples
    --------
    >>> from skbalance._jsonl import get_field
    >>> chat = {"messages": [{"role": "user", "content": "hi"}], "meta": {"lang": "en"}}
    >>> get_field(chat, "messages.0.content"), get_field(chat, "meta.lang")
    ('hi', 'en')
    """
    value = record
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.lstrip("-").isdigit():
            try:
                value = value[int(part)]
            except IndexError:
                raise KeyError(part) from None
        else:
            raise KeyError(part)
    return value


def set_field(record, path, value):
    """Set the value at a dotted path (see :func:`get_field`) in place.

    Examples
    --------
    >>> from skbalance._jsonl import set_field
    >>> chat = {"messages": [{"role": "user", "content": "hi"}]}
    >>> set_field(chat, "messages.-1.content", "hello")
    >>> chat
    {'messages': [{'role': 'user', 'content': 'hello'}]}
    """
    *parents, last = path.split(".")
    target = record
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value


def field_values(data, path, *, option):
    """One field of every record, with an error naming file, line and field.

    Parameters
    ----------
    data : JsonlRecords
        Records read by :func:`read_jsonl`.
    path : str
        Dotted field path (see :func:`get_field`).
    option : str
        The command-line option that named the field, for the message.
    """
    values = []
    for record, number in zip(data.records, data.line_numbers, strict=True):
        try:
            value = get_field(record, path)
        except KeyError as exc:
            keys = ", ".join(map(str, record)) if isinstance(record, dict) else ""
            raise JsonlError(
                f"{data.path}, line {number}: field {path!r} ({option}) is missing "
                f"(no {exc.args[0]!r}; the record's keys are: {keys})."
            ) from None
        if value is None or isinstance(value, (dict, list)):
            what = "null" if value is None else type(value).__name__
            raise JsonlError(
                f"{data.path}, line {number}: field {path!r} ({option}) is {what}; "
                "expected a string, number or boolean."
            )
        values.append(value)
    return values


def write_lines(path, lines, *, inputs=()):
    """Write raw JSON lines to ``path`` atomically (temporary file + rename).

    Parameters
    ----------
    path : str or path-like
        Output file; its folder must exist.
    lines : iterable of bytes
        Raw lines without line endings.
    inputs : iterable of path-like
        Files that must not be overwritten.
    """
    path = Path(path)
    for source in inputs:
        if path.exists() and os.path.samefile(path, source):
            raise JsonlError(
                f"{path}: refusing to overwrite the input file; write to another path."
            )
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise JsonlError(f"{path}: the folder {folder} does not exist.")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            for line in lines:
                fh.write(line)
                fh.write(b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
