"""The one way skbalance writes output files: atomic, and safe with any path.

:func:`staged_outputs` writes regular files through temporary files in their
targets' folders, flushed to disk, then renames them all into place, with
Ctrl-C and SIGTERM held back until the last rename: a reader never sees half
a file, a set of files (the parts of ``split``) is replaced as a set, and a
failure (an exception, a full disk, Ctrl-C, SIGTERM) leaves the old outputs
and no temporary file. :func:`atomic_output` is one staged output. Symbolic
links are written through to their target; character devices and FIFOs
(``/dev/null``, ``/dev/stdout``, a named pipe) are written directly, never
replaced by a regular file; other special files are refused. An existing
output keeps its permissions, is replaced only with ``force=True``, and is
never one of the inputs. :func:`check_output` finds an output that cannot be
written (a read-only folder or file system) before any work; an error of the
operating system while writing becomes an :class:`OutputError` naming the
output.
"""

import errno
import io
import os
import signal
import stat
import sys
import threading
from contextlib import contextmanager

__all__ = [
    "OutputError",
    "OutputStage",
    "abandon_outputs",
    "atomic_output",
    "check_folder",
    "check_output",
    "copy_at",
    "input_changed",
    "is_stdout",
    "make_folders",
    "os_reason",
    "staged_outputs",
    "write_at",
    "writes_at",
]


class OutputError(ValueError):
    """An output path that cannot or must not be written.

    ``reason`` is one of ``"empty"``, ``"directory"``, ``"folder"``,
    ``"special"``, ``"input"``, ``"exists"``, ``"read-only"``,
    ``"not-writable"`` (a folder where no file can be created) and ``"io"``
    (the operating system failed while writing; the ``OSError`` is the
    ``__cause__``).
    """

    def __init__(self, message, reason):
        super().__init__(message)
        self.reason = reason


#: our words for the errors of the operating system an output meets most
_REASONS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EIO: "input/output error",
    errno.EFBIG: "the file is too large for its file system",
}


def os_reason(exc):
    """Our words for an error of the operating system on an output."""
    return _REASONS.get(exc.errno) or exc.strerror or str(exc)


def _write_failed(path, exc):
    return OutputError(f"{path}: write failed: {os_reason(exc)}.", "io")


def _shown_folder(path):
    return os.path.dirname(os.fspath(path)) or "."


def _not_writable(path, exc):
    return OutputError(
        f"{path}: cannot write in the folder {_shown_folder(path)}: {os_reason(exc)}.",
        "not-writable",
    )


@contextmanager
def _signals_held():
    """Hold Ctrl-C and SIGTERM back until the block is over, then deliver
    the first that came.

    Python runs signal handlers in the main thread only, so that is where
    they are held, by handlers that note the signal (in another thread there
    is nothing to hold: see :func:`abandon_outputs`). Blocking the signals
    with ``signal.pthread_sigmask`` in the main thread is not enough: the
    kernel then gives them to another thread (OpenBLAS starts some), whose C
    handler still has the main thread run the Python handler.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = []
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(signum) is not None:  # None: set outside Python
            previous[signum] = signal.signal(
                signum, lambda signum, frame: held.append(signum)
            )
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if held:
            signal.raise_signal(held[0])


def _temporary(folder, name):
    """Create a temporary file for the output ``name`` in ``folder``: ``(fd,
    path)``. The one place files are created (tests replace it to fake a
    read-only file system)."""
    import tempfile  # here: the command line's --help does not pay for it

    return tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)


def check_folder(path, folder=None):
    """Check that a file can be created next to ``path`` (in ``folder``, by
    default the folder of ``path``), by creating and removing one: the one
    sure test, since root ignores permission bits but not a read-only file
    system.

    Raises
    ------
    OutputError
        With reason ``"not-writable"``, naming ``path`` and the folder.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from skbalance._io import check_folder
    >>> check_folder(pathlib.Path(tempfile.mkdtemp()) / "out.parquet")
    """
    if folder is None:
        folder = os.path.dirname(os.path.realpath(path))
    with _signals_held():  # Ctrl-C never leaves the file behind
        try:
            fd, tmp = _temporary(folder, os.path.basename(path))
        except OSError as exc:
            raise _not_writable(path, exc) from exc
        os.close(fd)
        os.unlink(tmp)


def make_folders(path):
    """Create the folder ``path`` and its parents, as :func:`os.makedirs`
    with ``exist_ok=True``; an error of the operating system is an
    :class:`OutputError` naming it.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from skbalance._io import make_folders
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "a" / "b"
    >>> make_folders(folder)
    >>> folder.is_dir()
    True
    """
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"{path}: cannot create the folder: {os_reason(exc)}.", "not-writable"
        ) from exc


def _kind(mode):
    if stat.S_ISREG(mode):
        return "regular"
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return "stream"
    if stat.S_ISDIR(mode):
        return "directory"
    return "special"


def check_output(path, *, force=False, inputs=()):
    """Check that ``path`` may be written, before any work is done.

    Parameters
    ----------
    path : str or path-like
        The output; ``"-"`` is standard output.
    force : bool, default=False
        Allow replacing an existing regular file.
    inputs : iterable of str or path-like, default=()
        Files that must never be overwritten (``"-"`` entries are ignored).

    Returns
    -------
    kind : {"stdout", "new", "regular", "stream"}
        How the output will be written: ``"stdout"`` for ``"-"`` and any
        path naming standard output (written to ``sys.stdout``, never
        replaced), ``"stream"`` for a character device or FIFO (written
        directly), else a regular file (new or existing).

    Raises
    ------
    OutputError
        With the reason: an empty path, a directory, a missing folder, a
        block device or socket, one of the inputs, an existing file without
        ``force``, a read-only file, or a folder where no file can be created
        (tried: a temporary file is created and removed).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from skbalance._io import check_output
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> check_output(folder / "new.jsonl"), check_output("/dev/null")
    ('new', 'stream')
    """
    path = os.fspath(path)
    if path == "":
        raise OutputError("the output path is empty.", "empty")
    if is_stdout(path):
        return "stdout"
    target = os.path.realpath(path)
    try:
        st = os.stat(path)  # through links, also /dev/stdout -> pipe:[...]
    except FileNotFoundError:
        folder = os.path.dirname(target)
        if not os.path.isdir(folder):
            raise OutputError(
                f"{path}: the folder {_shown_folder(path)} does not exist.",
                "folder",
            ) from None
        check_folder(path, folder)
        return "new"
    kind = _kind(st.st_mode)
    if kind == "directory":
        raise OutputError(
            f"{path}: is a directory; give a file name to write to.", "directory"
        )
    if kind == "special":
        raise OutputError(
            f"{path}: is neither a regular file, a character device nor a pipe; "
            "refusing to write to it.",
            "special",
        )
    for source in inputs:
        source = os.fspath(source)
        if source != "-" and os.path.exists(source) and os.path.samefile(path, source):
            raise OutputError(
                f"{path}: refusing to overwrite the input file; write to another path.",
                "input",
            )
    if kind == "stream":
        return kind
    if not force:
        raise OutputError(
            f"{path}: already exists; pass --force to overwrite it.", "exists"
        )
    if not st.st_mode & 0o222:
        raise OutputError(
            f"{path}: is read-only; refusing to replace it (change its permissions "
            "first).",
            "read-only",
        )
    check_folder(path, os.path.dirname(target))
    return kind


def is_stdout(path):
    """Whether ``path`` is ``"-"`` or names this process's standard output
    (``/dev/stdout``, ``/proc/self/fd/1``, or the file it is redirected to)."""
    path = os.fspath(path)
    if path == "-":
        return True
    try:
        return os.path.samestat(os.stat(path), os.fstat(sys.stdout.fileno()))
    except (OSError, ValueError, AttributeError):
        return False


def _umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def _sigterm_as_exit():
    """Turn SIGTERM into SystemExit(143) while writing, so that clean-up runs
    (only in the main thread, and only when nobody else handles SIGTERM)."""
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    ):
        yield
        return

    def handler(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _write_bytes(file, data, offset=None):
    """Write ``data`` to the raw file of an output (at ``offset`` when given,
    without moving its position): the one place outputs are written, the
    kernel's copies aside (``_copy_file_range``); tests replace it to fake a
    full disk."""
    if offset is None:
        return io.FileIO.write(file, data)
    return os.pwrite(file.fileno(), data, offset)


#: the kernel's copy between files (tests replace it to fake a full disk)
_copy_file_range = getattr(os, "copy_file_range", None)
#: errors of a copy the kernel cannot make here (the bytes are read instead):
#: another file system, no such call, or one a sandbox (seccomp) refuses
_NO_COPY = {
    errno.EXDEV,
    errno.EINVAL,
    errno.ENOSYS,
    errno.EOPNOTSUPP,
    errno.EPERM,
    errno.EAGAIN,
}


def input_changed(path):
    """The error of an output whose input got shorter after it was read."""
    return OutputError(
        f"{path}: write failed: the input changed while it was copied.", "io"
    )


def writes_at(file):
    """Whether ``file`` takes :func:`write_at` and :func:`copy_at`: the
    temporary file of an output (opened with ``mode="wb"``)."""
    return getattr(getattr(file, "raw", None), "temporary", False)


def _temporary_raw(file):
    if not writes_at(file):
        raise ValueError("not a temporary file of an output.")
    return file.raw


def write_at(file, data, offset):
    """Write all of ``data`` at ``offset`` of ``file``, the temporary file of
    an output of :func:`staged_outputs` or :func:`atomic_output` (opened
    with ``mode="wb"``), without moving its position.

    An error of the operating system raises the :class:`OutputError` of a
    failed write, naming the output.
    """
    raw = _temporary_raw(file)
    view = memoryview(data)
    while view:
        try:
            done = _write_bytes(raw, view, offset)
        except OSError as exc:
            raise _write_failed(raw.path, exc) from exc
        view, offset = view[done:], offset + done


def copy_at(file, source, offset, length, at):
    """Copy ``length`` bytes at ``offset`` of the open file descriptor
    ``source`` to ``at`` of ``file`` (as :func:`write_at`).

    The kernel copies (``os.copy_file_range``): the bytes do not pass
    through this process. Where it cannot (another file system on an old
    kernel, a system without the call) they are read and written.
    """
    raw = _temporary_raw(file)
    try:
        while length > 0 and _copy_file_range is not None:
            done = _copy_file_range(source, raw.fileno(), length, offset, at)
            if not done:
                break  # the input is shorter than it was: read below
            offset, length, at = offset + done, length - done, at + done
    except OSError as exc:
        if exc.errno not in _NO_COPY:
            raise _write_failed(raw.path, exc) from exc
    while length > 0:
        data = os.pread(source, min(length, 1 << 22), offset)
        if not data:  # the input is shorter than when it was read
            raise input_changed(raw.path)
        write_at(file, data, at)
        offset, length, at = offset + len(data), length - len(data), at + len(data)


def _rename(source, target):
    """Put a temporary file in place: the one place outputs are renamed
    (tests replace it to act between two renames)."""
    os.replace(source, target)


class _File(io.FileIO):
    """The raw file of an output: an error of the operating system while
    writing becomes an :class:`OutputError` naming the output (a closed pipe
    stays a BrokenPipeError, on which the command line exits quietly)."""

    def __init__(self, file, path, *, temporary=False):
        super().__init__(file, "wb")
        self.path, self.temporary = path, temporary

    def write(self, data):
        try:
            return _write_bytes(self, data)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _write_failed(self.path, exc) from exc


def _wrap(raw, mode):
    buffered = io.BufferedWriter(raw, buffer_size=1 << 16)
    if mode == "wb":
        return buffered
    return io.TextIOWrapper(buffered, encoding="utf-8", newline="")


class _Output:
    """One output of a stage: the path as given, its kind, the file written
    and, for a regular file until it is renamed, the temporary file."""

    def __init__(self, path, kind, file, tmp=None, target=None):
        self.path, self.kind, self.file = path, kind, file
        self.tmp, self.target = tmp, target

    def finish(self):
        """Everything written reaches the disk (or the stream)."""
        if self.kind == "stdout":
            self.file.flush()
            return
        try:
            self.file.flush()
            if self.kind == "regular":
                os.fsync(self.file.fileno())
            self.file.close()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _write_failed(self.path, exc) from exc

    def remove(self):
        """Remove the temporary file (it may still be open)."""
        if self.tmp is not None:
            try:
                os.unlink(self.tmp)
            except FileNotFoundError:
                pass
            self.tmp = None

    def close(self):
        if self.kind != "stdout":
            try:
                self.file.close()
            except Exception:  # a full disk again, on the last buffer
                pass


class OutputStage:
    """Outputs written now and put in place together, at the end of
    :func:`staged_outputs` (which makes them)."""

    def __init__(self):
        self._outputs = []
        self._moves = []
        self._lock = threading.Lock()  # the renames; abandon_outputs
        self._state = "open"  # then "done", "discarded" or "abandoned"

    def open(self, path, *, force=False, inputs=(), mode="wb"):
        """Open an output of the stage; arguments as :func:`atomic_output`.

        Returns
        -------
        file object
            A regular file is a new temporary file in its target's folder
            (with the permissions of the file it replaces, or the umask's);
            standard output, a character device or a FIFO is written
            directly. Do not close it: the stage does.
        """
        if mode not in ("wb", "w"):
            raise ValueError(f"mode must be 'wb' or 'w'; got {mode!r}.")
        kind = check_output(path, force=force, inputs=inputs)
        if kind == "stdout":
            stream = sys.stdout.buffer if mode == "wb" else sys.stdout
            self._outputs.append(_Output(path, kind, stream))
            return stream
        if kind == "stream":
            try:
                raw = _File(path, path)
            except OSError as exc:
                raise _write_failed(path, exc) from exc
            output = _Output(path, kind, _wrap(raw, mode))
            self._outputs.append(output)
            return output.file
        target = os.path.realpath(path)
        if any(output.target == target for output in self._outputs):
            raise ValueError(f"{path}: is already an output of this stage.")
        folder, name = os.path.split(target)
        keep = os.stat(target) if kind == "regular" else None
        with _signals_held(), self._lock:  # the file is known before Ctrl-C
            if self._state != "open":  # abandoned by the main thread
                raise KeyboardInterrupt
            try:
                fd, tmp = _temporary(folder, name)
            except OSError as exc:
                raise _not_writable(path, exc) from exc
            file = _wrap(_File(fd, path, temporary=True), mode)
            self._outputs.append(_Output(path, "regular", file, tmp, target))
        try:
            if keep is None:
                os.fchmod(fd, 0o666 & ~_umask())
            else:
                os.fchmod(fd, stat.S_IMODE(keep.st_mode))
                if os.geteuid() == 0:  # only root can give the file away
                    os.fchown(fd, keep.st_uid, keep.st_gid)
        except OSError as exc:
            raise _write_failed(path, exc) from exc
        return file

    def add_move(self, move):
        """Call ``move()`` with the renames (for outputs another API puts in
        place, such as Spark's folders on HDFS)."""
        self._moves.append(move)

    def _commit(self):
        for output in self._outputs:
            output.finish()
        with _signals_held(), self._lock:
            if self._state != "open":  # abandoned by the main thread
                raise KeyboardInterrupt
            for output in self._outputs:
                if output.tmp is not None:
                    try:
                        _rename(output.tmp, output.target)
                    except OSError as exc:
                        raise _write_failed(output.path, exc) from exc
                    output.tmp = None
            for move in self._moves:
                move()
            self._state = "done"

    def _discard(self):
        with self._lock:
            if self._state == "open":
                self._state = "discarded"
            # every temporary file first: closing flushes, and may fail again
            for output in self._outputs:
                output.remove()
            for output in self._outputs:
                output.close()

    def _abandon(self):
        with self._lock:  # waits for renames in progress
            if self._state == "open":
                self._state = "abandoned"
                for output in self._outputs:  # the writing thread closes them
                    output.remove()


#: the stages open in any thread, for abandon_outputs
_STAGES = set()


@contextmanager
def staged_outputs():
    """Write several outputs, then put them all in place, or none.

    Each output is opened with :meth:`OutputStage.open`. When the block ends
    without an exception, every file is flushed and ``fsync``-ed, then every
    temporary file is renamed into place with Ctrl-C and SIGTERM held back
    until the last rename (and delivered after it). On any exception (a
    full disk, Ctrl-C, SIGTERM) every temporary file is removed and every
    existing output is left as it was. (A rename that fails, or the power
    going, between two renames still leaves some outputs new: the renames
    take microseconds, the writing before them all the time.)

    Yields
    ------
    OutputStage
        Open outputs with its ``open`` method.

    Raises
    ------
    OutputError
        An output that may not be written (see :func:`check_output`), or an
        error of the operating system while writing, naming the output.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from skbalance._io import staged_outputs
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with staged_outputs() as stage:
    ...     for name in ("train", "test"):
    ...         _ = stage.open(folder / f"{name}.jsonl").write(b"{}\\n")
    ...     sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    []
    >>> sorted(p.name for p in folder.iterdir())
    ['test.jsonl', 'train.jsonl']
    """
    stage = OutputStage()
    _STAGES.add(stage)
    try:
        with _sigterm_as_exit():
            try:
                yield stage
                stage._commit()
            except BaseException:
                stage._discard()
                raise
    finally:
        _STAGES.discard(stage)


def abandon_outputs():
    """After Ctrl-C or SIGTERM in the main thread while another thread writes
    outputs (``--engine spark``): wait for renames in progress, make sure the
    other staged outputs are never put in place, and remove their temporary
    files, so that the process can exit at once."""
    for stage in list(_STAGES):
        stage._abandon()


@contextmanager
def atomic_output(path, *, force=False, inputs=(), mode="wb"):
    """Open an output file so that it is written whole or not at all.

    One output of :func:`staged_outputs`.

    Parameters
    ----------
    path : str or path-like
        The output. ``"-"`` is standard output. A symbolic link is written
        through to its target; a character device or FIFO is written
        directly; a regular file is written to a temporary file in its folder
        (same permissions as the file it replaces, or the umask's for a new
        one), flushed with ``fsync`` and renamed into place.
    force : bool, default=False
        Allow replacing an existing regular file.
    inputs : iterable of str or path-like, default=()
        Files that must never be overwritten.
    mode : {"wb", "w"}, default="wb"
        Binary, or text in UTF-8.

    Yields
    ------
    file object
        Write to it; on any exception (Ctrl-C and SIGTERM included) the
        temporary file is removed and an existing output is left unchanged.

    Raises
    ------
    OutputError
        See :func:`check_output`; and an error of the operating system while
        writing (a full disk), naming the output.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from skbalance._io import atomic_output
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "weights.json"
    >>> with atomic_output(out, mode="w") as fh:
    ...     _ = fh.write('{"a": 1.0}')
    >>> out.read_text()
    '{"a": 1.0}'
    """
    with staged_outputs() as stage:
        yield stage.open(path, force=force, inputs=inputs, mode=mode)
