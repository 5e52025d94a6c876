"""The one way skbalance writes an output file: atomic, and safe with any path.

:func:`atomic_output` writes a regular file through a temporary file in the
target's folder, flushed to disk and renamed into place, so a reader never
sees half a file and a failure (an exception, Ctrl-C, SIGTERM) leaves the old
output and no temporary file. Symbolic links are written through to their
target; character devices and FIFOs (``/dev/null``, ``/dev/stdout``, a named
pipe) are written directly, never replaced by a regular file; other special
files are refused. An existing output keeps its permissions, is replaced only
with ``force=True``, and is never one of the inputs.
"""

import os
import signal
import stat
import sys
import threading
from contextlib import contextmanager

__all__ = ["OutputError", "atomic_output", "check_output", "is_stdout"]


class OutputError(ValueError):
    """An output path that cannot or must not be written.

    ``reason`` is one of ``"empty"``, ``"directory"``, ``"folder"``,
    ``"special"``, ``"input"``, ``"exists"``, ``"read-only"``.
    """

    def __init__(self, message, reason):
        super().__init__(message)
        self.reason = reason


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
        ``force``, or a read-only file.

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
                f"{path}: the folder {os.path.dirname(path) or '.'} does not exist.",
                "folder",
            ) from None
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


#: a temporary output: created here or not at all, not inherited by children
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def _create(path):
    """Make the temporary file ``path`` (a name of this module, so that a
    test can interrupt just after the file is made)."""
    return os.open(path, _NEW_FILE, 0o600)


def _open(fd_or_path, mode, **kw):
    if "b" in mode:
        return open(fd_or_path, mode, **kw)
    return open(fd_or_path, mode, encoding="utf-8", newline="", **kw)


@contextmanager
def atomic_output(path, *, force=False, inputs=(), mode="wb"):
    """Open an output file so that it is written whole or not at all.

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
        See :func:`check_output`.

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
    if mode not in ("wb", "w"):
        raise ValueError(f"mode must be 'wb' or 'w'; got {mode!r}.")
    kind = check_output(path, force=force, inputs=inputs)
    if kind == "stdout":
        stream = sys.stdout.buffer if mode == "wb" else sys.stdout
        yield stream
        stream.flush()
        return
    if kind == "stream":
        with _open(path, mode) as fh:
            yield fh
        return
    target = os.path.realpath(path)
    import secrets  # here: the command line's --help does not pay for it

    folder, name = os.path.split(target)
    keep = os.stat(target) if kind == "regular" else None
    # named before it is made, so that a Ctrl-C or SIGTERM arriving just as
    # the file is made (before its descriptor is bound) still removes it
    tmp = os.path.join(folder, f".{name}.{secrets.token_hex(8)}.tmp")
    opening = True
    with _sigterm_as_exit():
        try:
            fd = _create(tmp)
            opening = False
            if keep is None:
                os.fchmod(fd, 0o666 & ~_umask())
            else:
                os.fchmod(fd, stat.S_IMODE(keep.st_mode))
                if os.geteuid() == 0:  # only root can give the file away
                    os.fchown(fd, keep.st_uid, keep.st_gid)
            with _open(fd, mode) as fh:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException as exc:
            # not when the name was someone else's (a 64-bit random name taken)
            if not (opening and isinstance(exc, FileExistsError)):
                try:
                    os.unlink(tmp)
                except FileNotFoundError:
                    pass
            raise
