"""JSON Lines files, where fine-tuning data lives.

:func:`read_jsonl_labels` streams a file of any size in one pass, keeping
the labels and where every record is; :func:`write_jsonl_records` copies
records into new files by their byte ranges, so every record passes through
unchanged (key order, number formatting, unicode escapes).
"""

import os
import sys
import tempfile
from contextlib import contextmanager

from skbalance._jsonl_records import (
    JsonlRecords,
    read_jsonl,
    write_jsonl_records,
    write_lines,
)
from skbalance._jsonl_scan import (
    Column,
    JsonlError,
    Progress,
    Scan,
    file_size,
    first_seen_groups,
    loads,
)

_SKIP = object()  # the label of a record to skip as missing

__all__ = [
    "JsonlError",
    "JsonlRecords",
    "JsonlIndex",
    "get_field",
    "read_jsonl",
    "read_jsonl_labels",
    "set_field",
    "write_jsonl_records",
    "write_lines",
]


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


class JsonlIndex:
    """What one pass over a JSON Lines file kept: labels, fields, and where
    every record is, made by :func:`read_jsonl_labels`.

    Parameters
    ----------
    path : str
        The file read (``"-"`` for standard input).
    columns : dict of str to Column
        The coded fields.
    starts, lengths : array.array or None
        Byte offset and length (without line ending or BOM) of every kept
        record.
    lines : tuple
        ``(n_records, at, delta)``: record ``i``'s line is ``i + delta[j]``
        from record ``at[j]`` on (the file's blank and skipped lines).
    source : file object or None
        A copy of standard input to read records back from.

    Attributes
    ----------
    path : str
        The file read; ``"-"`` for standard input.
    y : ndarray of shape (n_records,) or list of lists
        The label of every kept record (label lists with ``multilabel``);
        :meth:`value_counts` counts them without making this array.
    fields : dict of str to ndarray
        The other fields asked for, by the name given.
    texts : list of str or None
        The text field, when ``text`` was given.
    duplicate_groups : ndarray of int or None
        With ``dedupe``: a group id shared by records whose text is equal
        after case folding and collapsing whitespace (as
        :func:`duplicate_groups`; with ``dedupe=True``, byte-identical
        records).
    n_duplicates : int or None
        With ``dedupe``: records that repeat an earlier one.
    line_numbers : ndarray of int
        The 1-based line of every kept record (computed on demand: the index
        keeps only where lines and records part, at blank or skipped lines).
    n_missing : int
        Records without the label, skipped with ``skip_missing=True``.
    missing_lines : list of int
        Their first (at most 5) line numbers.
    n_skipped : int
        Records skipped with ``on_error="skip"``.
    skipped_lines : list of int
        The first (at most 5) skipped line numbers.
    bom : bool
        Whether the file started with a UTF-8 byte order mark.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from skbalance import read_jsonl_labels
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "d.jsonl"
    >>> _ = p.write_text('{"label": "a"}\\n{"label": "b"}\\n')
    >>> index = read_jsonl_labels(p, "label")
    >>> len(index), index.y.tolist(), index.line_numbers.tolist()
    (2, ['a', 'b'], [1, 2])
    """

    def __init__(self, path, columns, starts, lengths, lines, source=None):
        import numpy as np

        self.path = path
        self._columns = columns
        self._y = None
        self.fields = {k: c.array() for k, c in columns.items() if k not in ("label",)}
        self.texts = None
        self._keys = None
        self._groups = None
        self._starts = None if starts is None else np.frombuffer(starts, np.int64)
        self._lengths = None if lengths is None else np.frombuffer(lengths, np.int32)
        self._n, self._break_at, self._break_delta = lines
        self._source = source
        self.n_skipped = 0
        self.skipped_lines = []
        self.n_missing = 0
        self.missing_lines = []
        self.bom = False

    def __len__(self):
        return self._n

    @property
    def line_numbers(self):
        """The 1-based line of every record (computed on demand)."""
        import numpy as np

        at = np.frombuffer(self._break_at, dtype=np.int64)
        delta = np.frombuffer(self._break_delta, dtype=np.int64)
        sizes = np.diff(np.r_[at, self._n])
        return np.arange(self._n, dtype=np.int64) + np.repeat(delta, sizes)

    def __repr__(self):
        return f"JsonlIndex(path={self.path!r}, n_records={len(self)})"

    @property
    def y(self):
        """The label of every record (made on first use from the codes)."""
        if self._y is None:
            self._y = self._columns["label"].array()
        return self._y

    def codes(self, name="label"):
        """The values of a field coded as integers, without making the array
        of values.

        Parameters
        ----------
        name : str, default="label"
            ``"label"`` or a name given in ``fields=``.

        Returns
        -------
        values : list
            The distinct values, in order of first appearance.
        codes : ndarray of int32 of shape (n_records,)
            ``values[codes[i]]`` is the value of record ``i``.
        """
        import numpy as np

        column = self._columns[name]
        return column.values, np.frombuffer(column.codes, dtype=np.int32)

    def value_counts(self, by=None):
        """Records per label, largest first (ties in label order), without
        making ``y``.

        Parameters
        ----------
        by : str, default=None
            The name of a field read with ``fields=``: then ``{value of by:
            {label: count}}`` instead, the values of ``by`` largest first.

        Returns
        -------
        dict
        """
        import numpy as np

        label = self._columns["label"]
        if label.multilabel:
            raise ValueError("value_counts needs a single label per record.")
        codes = np.frombuffer(label.codes, dtype=np.int32)
        counts = np.bincount(codes, minlength=len(label.values))
        order = sorted(range(counts.size), key=lambda c: (-counts[c], label.values[c]))
        if by is None:
            return {label.values[c]: int(counts[c]) for c in order}
        other = self._columns[by]
        table = np.bincount(
            np.frombuffer(other.codes, dtype=np.int32).astype(np.int64) * counts.size
            + codes,
            minlength=len(other.values) * counts.size,
        ).reshape(len(other.values), counts.size)
        totals = table.sum(axis=1)
        groups = sorted(range(totals.size), key=lambda g: (-totals[g], other.values[g]))
        return {
            other.values[g]: {label.values[c]: int(table[g, c]) for c in order}
            for g in groups
        }

    @property
    def duplicate_groups(self):
        """Group ids of duplicates (with ``dedupe``), numbered in order of
        first appearance, as :func:`duplicate_groups`; None without."""
        if self._groups is None and self._keys is not None:
            self._groups = first_seen_groups(self._keys)
        return self._groups

    @property
    def n_duplicates(self):
        """Records that repeat an earlier one (with ``dedupe``); None without."""
        import numpy as np

        if self._keys is None:
            return None
        keys = np.sort(np.frombuffer(self._keys, dtype=np.int64))
        return len(self) - 1 - int(np.count_nonzero(keys[1:] != keys[:-1]))

    def where(self, i):
        """``FILE:LINE`` of record ``i``."""
        return f"{self.path}:{self.line_number(i)}"

    def line_number(self, i):
        """The 1-based line of record ``i``."""
        import bisect

        j = bisect.bisect_right(self._break_at, i) - 1
        return int(i + self._break_delta[j])

    def records(self, rows=None):
        """Parse records again, by position (all when ``rows`` is None).

        Parameters
        ----------
        rows : iterable of int, default=None
            Positions of the records.

        Returns
        -------
        list of dict
        """
        if self._starts is None:
            raise ValueError("index was read with offsets=False; read it again.")
        rows = range(len(self)) if rows is None else rows
        with self._open() as fd:
            return [
                loads(os.pread(fd, int(self._lengths[i]), int(self._starts[i])))
                for i in rows
            ]

    @contextmanager
    def _open(self):
        """A file descriptor of the input (or of the copy of stdin)."""
        if self._source is not None:
            yield self._source.fileno()
            return
        fd = os.open(self.path, os.O_RDONLY)
        try:
            yield fd
        finally:
            os.close(fd)


def _open_input(path):
    if path == "-":
        return sys.stdin.buffer, False
    try:
        return open(path, "rb", buffering=1 << 20), True
    except FileNotFoundError:
        raise JsonlError(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise JsonlError(f"{path}: is a directory, not a JSON Lines file.") from None
    except PermissionError:
        raise JsonlError(f"{path}: permission denied.") from None


def read_jsonl_labels(
    path,
    label,
    *,
    fields=None,
    text=None,
    dedupe=None,
    multilabel=False,
    missing_label=None,
    skip_missing=False,
    on_error="raise",
    offsets=True,
    progress="auto",
):
    """Read the labels of a JSON Lines file in one pass, in little memory.

    Only the labels (and the fields asked for) are kept, coded, with the byte
    range of every record, so that :func:`write_jsonl_records` can copy
    records into new files. Every error names ``FILE:LINE`` and the field.

    Parameters
    ----------
    path : str or path-like
        The file; ``"-"`` reads standard input (kept in an unnamed temporary
        file when ``offsets`` is true, so that records can be copied).
    label : str
        Field holding the class label; dotted paths reach into records
        (``"meta.category"``, ``"messages.-1.content"``).
    fields : dict of str to str, default=None
        Other fields to keep: name -> dotted path (a domain, a prediction, a
        group). Values must be strings, numbers or booleans.
    text : str, default=None
        A text field to keep whole (for a model), in ``texts``.
    dedupe : str or True, default=None
        A field whose normalized text gives ``duplicate_groups``; True
        compares whole records, byte for byte. Kept as a 64-bit hash per
        record.
    multilabel : bool, default=False
        The label is a list of labels (a single value counts as a list of one).
    missing_label : str, default=None
        Label given to records without the label field or with null there;
        by default such a record is an error.
    skip_missing : bool, default=False
        Skip records without the label field (or with null there) and count
        them in ``n_missing``, instead of an error.
    on_error : {"raise", "skip"}, default="raise"
        What to do with a bad record (not JSON, not an object, a missing or
        badly typed field): raise :class:`~skbalance._jsonl.JsonlError`, or
        skip it and count it in ``n_skipped``.
    offsets : bool, default=True
        Keep where every record is (needed by :func:`write_jsonl_records`).
    progress : "auto" or bool, default="auto"
        A progress line on stderr; "auto" when stderr is a terminal.

    Returns
    -------
    JsonlIndex
        Labels, fields and record positions.

    Raises
    ------
    JsonlError
        A bad record (``FILE:LINE`` and field named), a missing or empty file.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from skbalance import read_jsonl_labels
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "chat.jsonl"
    >>> _ = p.write_text(
    ...     '{"messages": [{"content": "hi"}], "meta": {"cat": "greet"}}\\n'
    ...     '{"messages": [{"content": "bye"}], "meta": {"cat": "leave"}}\\n')
    >>> index = read_jsonl_labels(p, "meta.cat", text="messages.-1.content")
    >>> index.y.tolist(), index.texts
    (['greet', 'leave'], ['hi', 'bye'])
    """
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip'; got {on_error!r}.")
    path = os.fspath(path)
    name = "<stdin>" if path == "-" else path
    missing = _SKIP if skip_missing and missing_label is None else missing_label
    columns = {"label": Column("label", label, missing=missing, multilabel=multilabel)}
    for role, field in (fields or {}).items():
        columns[role] = Column(role, field)
    scan = Scan(
        name,
        columns["label"],
        [c for k, c in columns.items() if k != "label"],
        text=None if text is None else Column("text", text),
        dedupe=dedupe if dedupe in (None, True) else Column("dedupe", dedupe),
        on_error=on_error,
        offsets=offsets,
        skip=_SKIP,
    )
    fh, close = _open_input(path)
    spool = tempfile.TemporaryFile() if path == "-" and offsets else None
    bar = Progress(name, file_size(fh), progress)
    try:
        scan.run(fh, get_field, spool=spool, bar=bar if bar.enabled else None)
        if spool is not None:
            spool.flush()
        if not scan.kept:
            raise _nothing_read(name, label, scan)
    except BaseException:
        if spool is not None:
            spool.close()
        raise
    finally:
        bar.close()
        if close:
            fh.close()
    index = JsonlIndex(
        path,
        columns,
        scan.starts if offsets else None,
        scan.lengths if offsets else None,
        (scan.kept, scan.break_at, scan.break_delta),
        source=spool,
    )
    if text is not None:
        index.texts = scan.texts
    if dedupe is not None:
        index._keys = scan.keys
    index.bom = scan.bom
    index.n_skipped, index.skipped_lines = scan.n_skipped, scan.skipped_lines
    index.n_missing, index.missing_lines = scan.n_missing, scan.missing_lines
    return index


def _nothing_read(name, label, scan):
    if scan.n_missing:
        return JsonlError(
            f"{name}: no record has the field {label!r} (label; {scan.n_missing} "
            f"without it, from line {scan.missing_lines[0]})."
        )
    if scan.n_skipped:
        return JsonlError(
            f"{name}: no valid records ({scan.n_skipped} skipped, from line "
            f"{scan.skipped_lines[0]})."
        )
    return JsonlError(f"{name}: no records (the file is empty).")
