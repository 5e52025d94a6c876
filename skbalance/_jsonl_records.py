"""Small JSON Lines files read whole: the bundled data set and the demo.

Files of any size go through :func:`skbalance.read_jsonl_labels` instead.
"""

import json
from pathlib import Path

from skbalance._io import atomic_output
from skbalance._jsonl_scan import BOM, JsonlError

__all__ = ["JsonlRecords", "read_jsonl", "write_lines"]


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
    if raw.startswith(BOM):
        raw = raw[len(BOM) :]
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except UnicodeDecodeError as exc:
            raise JsonlError(f"{path}:{number}: not UTF-8 ({exc.reason}).") from None
        except json.JSONDecodeError as exc:
            raise JsonlError(
                f"{path}:{number}: not valid JSON ({exc.msg} at column {exc.colno})."
            ) from None
        if not isinstance(record, dict):
            raise JsonlError(
                f"{path}:{number}: expected a JSON object, got {type(record).__name__}."
            )
        records.append(record)
        lines.append(line)
        numbers.append(number)
    if not records:
        raise JsonlError(f"{path}: no records (the file is empty).")
    return JsonlRecords(path, records, lines, numbers)


def write_lines(path, lines, *, inputs=(), force=False):
    """Write raw JSON lines to ``path`` with :func:`skbalance._io.atomic_output`.

    Parameters
    ----------
    path : str or path-like
        Output file (``"-"`` for standard output); its folder must exist.
    lines : iterable of bytes
        Raw lines without line endings.
    inputs : iterable of path-like
        Files that must not be overwritten.
    force : bool, default=False
        Replace an existing file.
    """
    with atomic_output(path, force=force, inputs=inputs) as fh:
        for line in lines:
            fh.write(line)
            fh.write(b"\n")
