"""JSON Lines files, where fine-tuning data lives.

:func:`read_jsonl_labels` streams a file of any size in one pass, keeping
the labels and where every record is; :func:`write_jsonl_records` copies
records into new files by their byte ranges, so every record passes through
unchanged (key order, number formatting, unicode escapes).
"""

import os
import sys
import tempfile

from skbalance._fields import get_field
from skbalance._jsonl._index import JsonlIndex
from skbalance._jsonl._scan import (
    Column,
    JsonlError,
    Progress,
    Scan,
    file_size,
    nothing_but,
)

_SKIP = object()  # the label of a record to skip as missing

__all__ = ["read_jsonl_labels"]


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

    See Also
    --------
    write_jsonl_records : Write the records of the index into new files.
    JsonlIndex : What it returns.

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
    return JsonlError(f"{name}: no records ({nothing_but(scan.n_blank)}).")
