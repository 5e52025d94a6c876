"""JsonlIndex: what one pass over a JSON Lines file kept."""

import os
from contextlib import contextmanager

from skbalance._jsonl._scan import first_seen_groups, loads

__all__ = ["JsonlIndex"]


class JsonlIndex:
    """The labels, fields and record positions of one pass over a file.

    Made by :func:`read_jsonl_labels`; :func:`write_jsonl_records` copies its
    records into new files by their byte ranges.

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

    See Also
    --------
    read_jsonl_labels : Makes it.
    write_jsonl_records : Writes its records into new files.

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

    def release(self):
        """Free the per-record values: labels, fields, texts, duplicate keys.

        For a large file once its counts are taken (:meth:`value_counts`,
        :attr:`n_duplicates`): the memory goes before more work comes in (the
        command line frees it before importing scikit-learn). The positions
        of the records stay, so :meth:`records` and
        :func:`write_jsonl_records` still work; :attr:`y`, :meth:`codes` and
        :meth:`value_counts` raise ``ValueError``.

        Returns
        -------
        self : JsonlIndex
            The index, without its values.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> from skbalance import read_jsonl_labels
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "d.jsonl"
        >>> _ = p.write_text('{"label": "a"}\\n{"label": "b"}\\n{"label": "a"}\\n')
        >>> index = read_jsonl_labels(p, "label")
        >>> counts = index.value_counts()
        >>> len(index.release()), counts
        (3, {'a': 2, 'b': 1})
        >>> index.y
        Traceback (most recent call last):
        ...
        ValueError: JsonlIndex of ...d.jsonl: its values were released; read ...
        """
        self._columns = self._y = self._keys = self._groups = self.texts = None
        self.fields = {}
        return self

    def _column(self, name):
        if self._columns is None:
            raise ValueError(
                f"JsonlIndex of {self.path}: its values were released; read the "
                "file again."
            )
        return self._columns[name]

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
            self._y = self._column("label").array()
        return self._y

    def codes(self, name="label"):
        """Code the values of a field as integers, without an array of values.

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

        column = self._column(name)
        return column.values, np.frombuffer(column.codes, dtype=np.int32)

    def value_counts(self, by=None):
        """Count the records per label, largest first (ties in label order).

        ``y`` is not made.

        Parameters
        ----------
        by : str, default=None
            The name of a field read with ``fields=``: then ``{value of by:
            {label: count}}`` instead, the values of ``by`` largest first.

        Returns
        -------
        dict
            ``{label: count}``, or ``{value of by: {label: count}}``.
        """
        import numpy as np

        label = self._column("label")
        if label.multilabel:
            raise ValueError("value_counts needs a single label per record.")
        codes = np.frombuffer(label.codes, dtype=np.int32)
        counts = np.bincount(codes, minlength=len(label.values))
        order = sorted(range(counts.size), key=lambda c: (-counts[c], label.values[c]))
        if by is None:
            return {label.values[c]: int(counts[c]) for c in order}
        other = self._column(by)
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
        """Group ids of duplicates, as :func:`duplicate_groups` (with ``dedupe``).

        Numbered in order of first appearance; None without ``dedupe``.
        """
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
        """Give where record ``i`` is, for messages.

        Parameters
        ----------
        i : int
            Position of the record.

        Returns
        -------
        str
            ``FILE:LINE``.
        """
        return f"{self.path}:{self.line_number(i)}"

    def line_number(self, i):
        """Give the line of record ``i`` in its file.

        Parameters
        ----------
        i : int
            Position of the record.

        Returns
        -------
        int
            Its 1-based line number.
        """
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
            The records, in the order of ``rows``.
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
