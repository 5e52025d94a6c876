"""The on-disk cache of LLM answers that CV folds and grid candidates share."""

import hashlib
import json
import os
from pathlib import Path

from skbalance._io import atomic_output

__all__ = ["Cache", "cache_key", "default_cache_dir"]


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
    leave half a file. Entries hold
    the request's description and its texts, never credentials.

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

    def _path(self, key):
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key):
        """The rewrites cached under ``key`` (texts, dicts of fields or message
        lists, checked against their seed by the caller), or None (missing or
        corrupt)."""
        if self.directory is None:
            return None
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # missing or corrupt: generate again
        texts = entry.get("texts") if isinstance(entry, dict) else None
        if entry.get("key") != key or not isinstance(texts, list):
            return None
        return texts

    def put(self, key, meta, texts):
        """Cache ``texts`` (the rewrites: texts, fields or message lists) under
        ``key``, with the request's ``meta``."""
        if self.directory is None:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(path, force=True, mode="w") as fh:
            json.dump({"key": key, **meta, "texts": texts}, fh, ensure_ascii=False)

    def marker(self, name):
        """Path of a small state file (a pending batch id), or None."""
        if self.directory is None:
            return None
        return self.directory / "batches" / f"{name}.json"
