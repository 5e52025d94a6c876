"""The on-disk cache of LLM answers that CV folds and grid candidates share."""

import contextlib
import hashlib
import json
import os
import threading
import warnings
from pathlib import Path

from skbalance._io import atomic_output

try:  # POSIX; elsewhere two processes on one cache may both pay for an entry
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

__all__ = ["Cache", "cache_key", "default_cache_dir"]

#: entries are locked by the first hex digits of their key: 4,096 lock files
#: at most, and two requests of one fit rarely wait on each other
LOCK_PREFIX = 3


def cache_key(value):
    """The key of a JSON-able description: a SHA-256 of its sorted JSON."""
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def default_cache_dir():
    """``$XDG_CACHE_HOME/skbalance/llm``, else ``~/.cache/skbalance/llm``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "skbalance" / "llm"


class Cache:
    """One JSON file per rewrite, written by the package's one atomic writer
    (:func:`skbalance._io.atomic_output`), so that concurrent writers never
    leave half a file. Entries hold the request's description and its
    rewrites, never credentials.

    An entry that cannot be read as one of ours (not JSON, JSON that is not
    an object, another key, a directory in its place) is ignored with a
    warning naming the file, once per ``Cache``, before anything is sent:
    its rewrite is requested again and replaces it (a directory is left
    alone and the new rewrite is not stored).

    :meth:`claim` locks entries (``fcntl.flock`` on a lock file per
    ``LOCK_PREFIX`` first digits of their keys, under ``locks/``), so that two
    processes, or two fits in threads, that need the same rewrites do not
    both pay for them.

    Parameters
    ----------
    directory : "auto", path or None
        Where the entries live; ``"auto"`` is :func:`default_cache_dir`, None
        caches nothing.
    """

    def __init__(self, directory):
        if isinstance(directory, str) and directory == "auto":
            directory = default_cache_dir()
        self.directory = None if directory is None else Path(directory)
        if self.directory is not None and self.directory.exists():
            if not self.directory.is_dir():
                raise ValueError(
                    f"cache={str(self.directory)!r} is a file; give a directory "
                    "(created if missing), 'auto' or None."
                )
        self._warned = set()
        self._warn_lock = threading.Lock()

    def _path(self, key):
        return self.directory / key[:2] / f"{key}.json"

    def _ignore(self, path, why):
        with self._warn_lock:
            if path in self._warned:
                return
            self._warned.add(path)
        warnings.warn(
            f"LLMAugmentSampler: ignored the cache entry {path} ({why}); its "
            "rewrite is requested again.",
            UserWarning,
            stacklevel=2,
        )

    def get(self, key):
        """The rewrites cached under ``key`` (texts, dicts of fields or message
        lists, checked against their seed by the caller), or None (missing or
        unusable, see the class)."""
        if self.directory is None:
            return None
        path = self._path(key)
        if path.is_dir():
            self._ignore(path, "a directory, not a file; remove it to cache again")
            return None
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._ignore(path, f"unreadable: {exc.strerror or exc}")
            return None
        except ValueError:
            self._ignore(path, "not JSON")
            return None
        if not isinstance(entry, dict):
            self._ignore(path, f"a JSON {type(entry).__name__}, not an object")
            return None
        texts = entry.get("texts")
        if entry.get("key") != key or not isinstance(texts, list):
            self._ignore(path, "not an entry of this key")
            return None
        return texts

    def put(self, key, meta, texts):
        """Cache ``texts`` (the rewrites: texts, fields or message lists) under
        ``key``, with the request's ``meta``."""
        if self.directory is None:
            return
        path = self._path(key)
        if path.is_dir():
            return  # named by get(), before the request was sent
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(path, force=True, mode="w") as fh:
            json.dump({"key": key, **meta, "texts": texts}, fh, ensure_ascii=False)

    @contextlib.contextmanager
    def claim(self, keys):
        """Hold the locks of the entries ``keys`` (their stripes, taken in
        sorted order, so two claims never wait on each other in a cycle);
        re-read the cache inside, then send only what it still misses."""
        if self.directory is None or fcntl is None:
            yield
            return
        folder = self.directory / "locks"
        folder.mkdir(parents=True, exist_ok=True)
        with contextlib.ExitStack() as stack:
            for stripe in sorted({key[:LOCK_PREFIX] for key in keys}):
                path = folder / f"{stripe}.lock"
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
                stack.callback(os.close, fd)
                fcntl.flock(fd, fcntl.LOCK_EX)
                stack.callback(fcntl.flock, fd, fcntl.LOCK_UN)
            yield

    def marker(self, name):
        """Path of a small state file (a pending batch id), or None."""
        if self.directory is None:
            return None
        return self.directory / "batches" / f"{name}.json"
