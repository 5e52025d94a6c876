"""Real multi-label sets with hundreds of labels, built offline from what the
package registries ship (run as scripts, so this module is found next to the
benchmarks).

* Debian's package index (``apt-get update`` writes it under
  ``/var/lib/apt/lists``) tags every package with debtags (``Tag:`` field,
  facets such as ``role::program`` or ``implemented-in::python``): packages x
  tags, about 30,000 x 600.
* The same index lists every package's dependencies (``Depends:``): packages
  x the packages they depend on, kept when at least ``min_count`` packages
  depend on them (about 56,000 x 600 at 50, 94% of them on under 1% of the
  packages; at 20, 1,600 labels, iterstrat takes minutes per split).
* river's Yeast (2,417 x 14), the standard small set.

Each loader returns a CSR boolean matrix, or raises ``LookupError`` saying what
is missing; the benchmark then skips that set with the message.
"""

import collections
import glob
import lzma
import re
import shutil
import subprocess

import numpy as np
from scipy import sparse

__all__ = ["debian_depends", "debian_tags", "yeast"]

_LISTS = "/var/lib/apt/lists/*_binary-*_Packages*"


def _index_text():
    paths = sorted(glob.glob(_LISTS))
    if not paths:
        raise LookupError(
            "no Debian package index under /var/lib/apt/lists (run apt-get update)"
        )
    path = paths[0]
    if path.endswith(".lz4"):
        if not shutil.which("lz4"):
            raise LookupError(f"{path} is lz4-compressed and lz4 is not installed")
        raw = subprocess.run(["lz4", "-dc", path], capture_output=True, check=True)
        return raw.stdout.decode("utf-8", errors="replace")
    if path.endswith(".xz"):
        with lzma.open(path, "rt", encoding="utf-8", errors="replace") as fh:
            return fh.read()
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.read()


def _field(text, name, parse):
    pattern = re.compile(rf"^{name}: (.*(?:\n .*)*)", re.M)
    rows = []
    for record in text.split("\n\n"):
        found = pattern.search(record)
        if found:
            rows.append({parse(x) for x in found.group(1).split(",")} - {""})
    return rows


def _matrix(rows, min_count):
    counts = collections.Counter(t for row in rows for t in row)
    keep = sorted(t for t, c in counts.items() if c >= min_count)
    column = {t: j for j, t in enumerate(keep)}
    r, c = [], []
    for i, row in enumerate(rows):
        for t in row:
            if t in column:
                r.append(i)
                c.append(column[t])
    Y = sparse.csr_matrix(
        (np.ones(len(r), dtype=bool), (r, c)), shape=(len(rows), len(keep))
    )
    Y.sum_duplicates()
    return Y


def debian_tags(min_count=1):
    """Debian packages x debtags."""
    rows = _field(_index_text(), "Tag", lambda x: x.strip())
    return _matrix(rows, min_count)


def debian_depends(min_count=50):
    """Debian packages x the packages they depend on (first alternative,
    without version or architecture)."""

    def parse(x):
        return x.split("|")[0].strip().split(" ")[0].split(":")[0]

    rows = _field(_index_text(), "Depends", parse)
    return _matrix(rows, min_count)


def yeast():
    try:
        import pandas as pd
        from river import datasets
    except ImportError as exc:
        raise LookupError("river is not installed (pip install '.[bench]')") from exc
    frame = pd.read_csv(datasets.Yeast().path)
    labels = [c for c in frame.columns if c.startswith("Class")]
    return sparse.csr_matrix(frame[labels].to_numpy().astype(bool))
