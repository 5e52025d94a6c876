"""Writing records: by their byte ranges (:func:`write_jsonl_records`, for
files of any size) or from lines held in memory (:func:`write_lines`); and
small files read whole (:func:`read_jsonl`, the bundled data set).
"""

import contextlib
import json
import os
import stat
from pathlib import Path

from skbalance._io import (
    atomic_output,
    copy_at,
    input_changed,
    write_at,
    writes_at,
)
from skbalance._jsonl._scan import (
    BOM,
    JsonlError,
    Progress,
    nothing_but,
    parse_error,
)

__all__ = ["JsonlRecords", "read_jsonl", "write_jsonl_records", "write_lines"]


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
    n_blank = 0
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            n_blank += 1
            continue
        try:
            record = json.loads(line)
        except ValueError:
            raise parse_error((path, number), line) from None
        if not isinstance(record, dict):
            raise parse_error((path, number), line)
        records.append(record)
        lines.append(line)
        numbers.append(number)
    if not records:
        raise JsonlError(f"{path}: no records ({nothing_but(n_blank)}).")
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


class _InputChanged(Exception):
    """The input is shorter than when it was read (raised as
    :func:`skbalance._io.input_changed` of the output being written)."""


def _read(fd, size, offset):
    """``size`` bytes of the input at ``offset``, all of them."""
    data = os.pread(fd, size, offset)
    if len(data) != size:
        raise _InputChanged
    return data


def _chunk_bytes(fd, starts, lengths, gap, window):
    """The records at ``starts``/``lengths`` (in this order), each followed by
    a newline, read in few large reads: records are visited in file order,
    and neighbours less than ``gap`` bytes apart (within one aligned
    ``window`` of the file) are read together. Records written one after
    the other that lie one after the other in the file, one ``\\n`` apart,
    are copied as one slice (with the newlines between them)."""
    import numpy as np

    order = np.argsort(starts, kind="stable")
    s = starts[order]
    e = s + lengths[order]
    new = np.empty(s.size, dtype=bool)
    new[0] = True
    reach = np.maximum.accumulate(e)
    new[1:] = (s[1:] - reach[:-1] > gap) | (s[1:] // window != s[:-1] // window)
    # runs: next in the output and next in the file, in the same read
    run = np.empty(s.size, dtype=bool)
    run[0] = True
    run[1:] = new[1:] | (order[1:] != order[:-1] + 1) | (s[1:] != e[:-1] + 1)
    firsts = np.flatnonzero(run)
    lasts = np.r_[firsts[1:], s.size] - 1
    block_of_run = np.cumsum(new)[firsts] - 1
    n_blocks = int(block_of_run[-1]) + 1
    block_first = np.flatnonzero(new)
    block_end = np.maximum.reduceat(e, block_first)
    # the place of each run in the output: the rank of its first record
    place = np.empty(firsts.size, dtype=np.intp)
    place[np.argsort(order[firsts], kind="stable")] = np.arange(firsts.size)
    pieces = [b""] * (firsts.size + 1)  # the last one gives the final newline
    bounds = np.searchsorted(block_of_run, np.arange(n_blocks + 1)).tolist()
    run_s, run_e = s[firsts].tolist(), e[lasts].tolist()
    place_list, s_block = place.tolist(), s[block_first].tolist()
    for k, end in enumerate(block_end.tolist()):
        base = s_block[k]
        block = _read(fd, end - base, base)
        for i in range(bounds[k], bounds[k + 1]):
            pieces[place_list[i]] = block[run_s[i] - base : run_e[i] - base]
    return b"\n".join(pieces)


def _placed_pieces(fd, starts, lengths, rows, at, window, copy):
    """Write the records ``rows`` of the file ``fd`` at their places in an
    output whose first record starts at ``at``, reading the input once in
    file order: yields, for every ``window`` of the input (and at most
    ``window`` bytes out), the pieces to write, ``(data, at)``, or
    ``(offset, length, at)`` for the kernel to copy (a run of records of at
    least ``copy`` bytes; none when ``copy`` is None) followed by its
    newline, and the number of records placed.

    Records that follow one another in the file (one ``\\n`` apart) and in
    the output are a run, taken as one slice; runs that follow one another
    in the output are written together. So a part of a split, or the rows
    of a class copied whole, are read in large reads and written in few
    large writes, wherever they lie in the file."""
    import numpy as np

    if not rows.size:
        return
    # (in place where it can: 2 arrays of 8 bytes a row are kept)
    out_start = lengths[rows].astype(np.int64)
    out_start += 1
    np.cumsum(out_start, out=out_start)  # where each row ends, then starts
    out_start -= lengths[rows]
    out_start += at - 1
    s = starts[rows]
    order = np.argsort(s, kind="stable")  # the output rows in file order
    s = s[order]
    s //= window
    cut = s[1:] != s[:-1]  # a group: one window of the input...
    s = lengths[rows[order]].astype(np.int64)
    s += 1
    np.cumsum(s, out=s)
    s //= window
    cut |= s[1:] != s[:-1]  # ...and about one window of output at most
    del s
    bounds = [0, *(np.flatnonzero(cut) + 1).tolist(), rows.size]
    del cut
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        p = np.sort(order[lo:hi])  # in output order
        ps, pl = starts[rows[p]], lengths[rows[p]].astype(np.int64)
        follows = p[1:] == p[:-1] + 1  # in the output
        run = np.r_[True, ~follows | (ps[1:] != ps[:-1] + pl[:-1] + 1)]
        firsts = np.flatnonzero(run)
        lasts = np.r_[firsts[1:], p.size] - 1
        run_s, run_e = ps[firsts], ps[lasts] + pl[lasts]
        joined = np.r_[False, follows][firsts]  # to the run before it
        copied = np.zeros(firsts.size, dtype=bool)
        if copy is not None:
            copied = run_e - run_s >= copy
        base = block = None
        if not copied.all():
            base = int(run_s[~copied].min())
            block = _read(fd, int(run_e[~copied].max()) - base, base)
        pieces, group, group_at = [], [], 0
        for rs, re_, to, ok, kernel in zip(
            run_s.tolist(),
            run_e.tolist(),
            out_start[p[firsts]].tolist(),
            joined.tolist(),
            copied.tolist(),
            strict=True,
        ):
            if group and not ok:  # not next to the runs before it
                pieces.append((b"\n".join([*group, b""]), group_at))
                group = []
            if kernel:
                if group:
                    pieces.append((b"\n".join([*group, b""]), group_at))
                pieces.append((rs, re_ - rs, to))
                group, group_at = [b""], to + re_ - rs  # its newline
            else:
                if not group:
                    group_at = to
                group.append(block[rs - base : re_ - base])
        if group:
            pieces.append((b"\n".join([*group, b""]), group_at))
        yield pieces, hi - lo


def _in_order(fd, starts, lengths, rows, *, chunk, gap, window):
    """The bytes of ``rows`` in output order, ``chunk`` records at a time
    (:func:`_chunk_bytes`), each with its number of records."""
    import numpy as np

    for lo in range(0, rows.size, chunk):
        part = rows[lo : lo + chunk]
        size = lengths[part].astype(np.int64)
        yield _chunk_bytes(fd, starts[part], size, gap, window), part.size


def _pieces_of(fd, starts, lengths, rows, at, *, chunk, gap, window, copy):
    """The pieces that write ``rows`` from ``at`` on, as
    :func:`_placed_pieces` gives them, but for rows out of file order (more
    than one descent in 16 rows: shuffled), which are written in order
    (:func:`_in_order`): placed, each would cost a write of its own (a
    shuffled file took twice the time, and hundreds of MB more memory for
    short records)."""
    import numpy as np

    s = starts[rows]
    shuffled = np.count_nonzero(s[1:] < s[:-1]) > rows.size // 16
    del s  # (not kept while the rows are placed)
    if not shuffled:
        yield from _placed_pieces(fd, starts, lengths, rows, at, window, copy)
        return
    kw = {"chunk": chunk, "gap": gap, "window": window}
    for data, n in _in_order(fd, starts, lengths, rows, **kw):
        yield [(data, at)], n
        at += len(data)


def _is_regular(file):
    """Whether an open file is a regular file (not a pipe or a terminal)."""
    try:
        return stat.S_ISREG(os.fstat(file.fileno()).st_mode)
    except (AttributeError, OSError, ValueError):  # no descriptor, closed
        return False


@contextlib.contextmanager
def _writing_behind(write, depth=2):
    """Run ``write`` in a second thread, so that the next records are
    gathered while the last ones are written (the operating system's copy
    does not hold the interpreter). Yields ``put(data)``; an error of the
    writer (a full disk, a closed pipe) is raised here, at the next ``put``
    or at the end, and the data put after it is dropped."""
    import queue
    import threading

    chunks = queue.Queue(depth)
    failed = []

    def run():
        while (data := chunks.get()) is not None:
            if failed:
                continue
            try:
                write(data)
            except BaseException as exc:  # raised again in the caller's thread
                failed.append(exc)

    def put(data):
        if failed:
            raise failed[0]
        chunks.put(data)

    thread = threading.Thread(target=run, name="skbalance-writer", daemon=True)
    thread.start()
    try:
        yield put
    except BaseException:
        failed.append(None)  # whatever is queued is not written
        raise
    finally:
        chunks.put(None)
        thread.join()
    if failed:
        raise failed[0]


@contextlib.contextmanager
def _input_changed(name):
    try:
        yield
    except _InputChanged:
        raise input_changed(name) from None


def write_jsonl_records(
    index,
    rows,
    output,
    *,
    force=False,
    new=(),
    progress="auto",
    chunk=1 << 14,
    gap=1024,
    window=1 << 23,
    copy=1 << 16,
    plan=1 << 21,
):
    """Write records of a read file, by position, byte for byte.

    Records are copied from the input file by their byte ranges (never
    parsed again), each followed by a newline; a byte order mark is written
    once at the start when the input had one. A path is written by
    :func:`skbalance._io.atomic_output`: whole, or not at all; its records
    are read in file order and written in their places, so that scattered
    rows (the copies of a class, a part of a split) cost large reads and
    few writes (on the 1 GB file of ``benchmarks/bench_jsonl.py``, a
    ``mix`` takes 7.2 s instead of 8.3 s). A regular file is written
    in a second thread while the next records are read; a pipe or a
    terminal in this one, so that Ctrl-C stops a stalled write.

    Parameters
    ----------
    index : JsonlIndex
        From :func:`read_jsonl_labels` with ``offsets=True``.
    rows : array-like of int
        Positions of the records to write, in order (repeats allowed).
    output : str, path-like or binary file object
        The file to write; ``"-"`` for standard output. Never the input. An
        open file (an output of :func:`skbalance._io.staged_outputs`, to
        write several files as a set) is written to and left open.
    force : bool, default=False
        Replace an existing file (ignored for an open file).
    new : iterable of bytes, default=()
        New records (JSON, without line ending) written after ``rows``.
    progress : "auto" or bool, default="auto"
        A progress line on stderr (``writing OUT: 42% (...)``); "auto" when
        stderr is a terminal.
    chunk, gap, window : int, default=16384, 1024, 8 MiB
        A path is written by place: every ``window`` of the input (and at
        most about ``window`` bytes of output) is read once, in file order,
        and its records written where they go, the records that follow one
        another in the output together. Anything else (standard output, a
        pipe, an open file) is written in order, ``chunk`` records at a
        time, read in few reads: neighbours in the file less than ``gap``
        bytes apart are read together.
    copy : int or None, default=64 KiB
        By place, records that follow one another in the file and in the
        output, at least ``copy`` bytes of them, are copied by the kernel
        (``os.copy_file_range``; never when None): they do not pass through
        this process.
    plan : int, default=2**21
        By place, at most ``plan`` rows of the output are placed at once
        (about 32 bytes of memory a row); the input is read once for each.

    Returns
    -------
    int
        Records written.

    Raises
    ------
    OutputError
        An output that may not be written, or an error of the operating
        system while writing it (a full disk), naming the output; nothing is
        left of a path then.

    See Also
    --------
    read_jsonl_labels : Make the index whose records are written.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from skbalance import read_jsonl_labels, write_jsonl_records
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "in.jsonl").write_text('{"y": 1}\\n\\n{"y": 2}\\n')
    >>> index = read_jsonl_labels(folder / "in.jsonl", "y")
    >>> write_jsonl_records(index, [1, 0, 1], folder / "out.jsonl")
    3
    >>> (folder / "out.jsonl").read_text()
    '{"y": 2}\\n{"y": 1}\\n{"y": 2}\\n'
    """
    import numpy as np

    if index._starts is None:
        raise ValueError("index was read with offsets=False; read it again.")
    rows = np.asarray(rows, dtype=np.intp)
    inputs = () if index.path == "-" else (index.path,)
    n_new = 0
    starts, lengths = index._starts, index._lengths
    if hasattr(output, "write"):
        writing = contextlib.nullcontext(output)
    else:
        writing = atomic_output(output, force=force, inputs=inputs)
    name = "records" if hasattr(output, "write") else os.fspath(output)
    name = "standard output" if name == "-" else name
    shown = Progress(name, int(rows.size), enabled=progress, verb="writing")
    with index._open() as fd, writing as out, _input_changed(name):
        # a pipe may stall: there, Ctrl-C must interrupt the write itself
        behind = _writing_behind if _is_regular(out) else contextlib.nullcontext
        kw = {"chunk": chunk, "gap": gap, "window": window}
        if writes_at(out):  # a temporary file of ours: by place
            out.flush()
            at = out.tell() + (len(BOM) if index.bom else 0)

            def write(pieces):
                for piece in pieces:
                    if len(piece) == 2:
                        write_at(out, *piece)
                    else:
                        copy_at(out, fd, *piece)

            with behind(write) as put:
                if index.bom:
                    put([(BOM, at - len(BOM))])
                done = 0
                for lo in range(0, rows.size, plan):
                    part = rows[lo : lo + plan]
                    placed = _pieces_of(fd, starts, lengths, part, at, copy=copy, **kw)
                    for pieces, n in placed:
                        put(pieces)
                        done += n
                        shown.update(done)
                    at += int(lengths[part].sum(dtype=np.int64)) + part.size
            out.seek(at)
        else:
            with behind(out.write) as put:
                if index.bom:
                    put(BOM)
                done = 0
                for data, n in _in_order(fd, starts, lengths, rows, **kw):
                    put(data)
                    done += n
                    shown.update(done)
        shown.close()
        for line in new:
            out.write(line)
            out.write(b"\n")
            n_new += 1
    return int(rows.size) + n_new
