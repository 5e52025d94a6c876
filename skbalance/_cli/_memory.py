"""``--engine memory``: a JSON Lines file read once in this process with
:func:`~skbalance._jsonl.read_jsonl_labels` (labels and the fields asked for,
coded, with the byte range of every record), planned by the estimators (a
split) or from the counts by the samplers' own pure functions (``balance``
and ``mix`` write the rows the samplers would, without importing
scikit-learn), and written by :func:`~skbalance._jsonl.write_jsonl_records`,
records byte for byte. The interface is described in
:mod:`skbalance._cli._engine`."""

import os

import skbalance
from skbalance._io import check_output, make_folders, staged_outputs

__all__ = ["MemoryEngine", "read"]


def read(source, *, path=None, label=None, **kw):
    """:func:`~skbalance._jsonl.read_jsonl_labels` of an
    :class:`~skbalance._cli._engine.Input` (another ``path`` or ``label``
    when given)."""
    from skbalance._jsonl import read_jsonl_labels

    return read_jsonl_labels(
        source.path if path is None else path,
        source.label if label is None else label,
        missing_label=source.missing_label,
        on_error=source.on_error,
        **kw,
    )


def _linked_groups(index):
    """Group ids from --group and --dedupe together: records linked through
    either share a part (connected components)."""
    import numpy as np

    found = [
        g for g in (index.fields.get("group"), index.duplicate_groups) if g is not None
    ]
    if len(found) < 2:
        return found[0] if found else None
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    a = np.unique(found[0], return_inverse=True)[1]
    b = np.unique(found[1], return_inverse=True)[1] + a.max() + 1
    n = b.max() + 1
    graph = coo_matrix((np.ones(a.size), (a, b)), shape=(n, n))
    return connected_components(graph, directed=False)[1][a]


def _sorted_codes(index, name):
    """The distinct values of a field, sorted, and the code of every record."""
    import numpy as np

    values, codes = index.codes(name)
    order = sorted(range(len(values)), key=values.__getitem__)
    rank = np.empty(len(values), dtype=np.int32)
    rank[order] = np.arange(len(values), dtype=np.int32)
    return [values[i] for i in order], rank[codes]


def _resample(index, strata, targets_of, who, seed, shuffle, output, force):
    """Write the rows the sampler ``who`` writes for ``strata`` (its
    ``sample_indices_``), stratum ``k`` brought to ``targets_of(counts,
    keys)[k]`` rows (``keys``: the sorted strata); ``(before, after)``
    counts per stratum, as its ``counts_before_`` and ``counts_after_``."""
    import numpy as np

    from skbalance._jsonl import write_jsonl_records
    from skbalance._labels import encode
    from skbalance._plan import resampled_rows
    from skbalance._targets import check_two_strata

    uniques, codes, counts = encode(strata, name="y")
    keys = uniques.tolist()
    check_two_strata(keys, source="y", word="class", who=who)
    targets = targets_of(counts, keys)
    rows = resampled_rows(codes, counts, targets, seed, shuffle=shuffle)
    write_jsonl_records(index, rows, output, force=force)
    after = np.bincount(codes[rows], minlength=len(keys))
    return (
        dict(zip(keys, counts.tolist(), strict=True)),
        dict(zip(keys, after.tolist(), strict=True)),
    )


class MemoryEngine:
    """The commands' engine in this process (see :mod:`skbalance._cli._engine`)."""

    def __init__(self, source):
        self.input, self.name, self.source = source, source.path, None

    @classmethod
    def from_args(cls, source, args):
        return cls(source)

    stop = None  # runs in the main thread: Ctrl-C stops it
    fmt = "jsonl"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def _read(self, outputs=(), force=False, **kw):
        for path in outputs:
            check_output(path, force=force, inputs=[self.input.path])
        self.source = read(self.input, **kw)
        self.name = self.source.path
        return self.source

    def label_counts(
        self,
        *,
        domain=None,
        skip_missing=False,
        duplicates=False,
        outputs=(),
        force=False,
    ):
        fields = {} if domain is None else {"domain": domain}
        index = self._read(
            outputs,
            force,
            fields=fields,
            dedupe=True if duplicates else None,
            offsets=False,
            skip_missing=skip_missing,
        )
        n_duplicates = index.n_duplicates if duplicates else None
        counts = index.value_counts()
        by_domain = None if domain is None else index.value_counts(by="domain")
        index.release()  # the per-record arrays go before scikit-learn comes in
        return counts, by_domain, n_duplicates

    def label_sets(self, *, domain=None, skip_missing=False):
        index = self._read(
            fields={} if domain is None else {"domain": domain},
            multilabel=True,
            dedupe=True,
            offsets=False,
            skip_missing=skip_missing,
        )
        return index.y, index.n_duplicates

    def split(self, paths, *, sizes, seed, domain, group, dedupe, text, force):
        import numpy as np

        from skbalance._jsonl import write_jsonl_records

        fields = {k: v for k, v in (("domain", domain), ("group", group)) if v}
        make_folders(os.path.dirname(paths[0]) or ".")
        index = self._read(
            paths, force, fields=fields, dedupe=(text or True) if dedupe else None
        )
        # classes (and domains) numbered in sorted order, so that the counts
        # per part depend on the counts alone, not on the order of the file
        classes, class_codes = _sorted_codes(index, "label")
        strata, display = class_codes, classes.__getitem__
        if domain is not None:  # class and domain together, as one integer
            domains, domain_codes = _sorted_codes(index, "domain")
            strata = class_codes.astype(np.int64) * len(domains) + domain_codes

            def display(code):
                return classes[code // len(domains)], domains[code % len(domains)]

        train, val, test = sizes
        splitter = skbalance.StratifiedTripleSplit(
            train_size=train, val_size=val, test_size=test, random_state=seed
        )
        parts = next(splitter.split(strata, strata, _linked_groups(index)))
        # the parts replace the old ones as a set, or not at all: a test part
        # beside an older train part would leak test records into training
        with staged_outputs() as stage:
            for path, rows in zip(paths, parts, strict=True):
                output = stage.open(path, force=force, inputs=[self.input.path])
                write_jsonl_records(index, rows, output)
        present = np.unique(strata)
        counts = []
        for rows in parts:
            in_part = np.bincount(strata[rows], minlength=present[-1] + 1)
            counts.append({display(s): int(in_part[s]) for s in present})
        n_duplicates = index.n_duplicates if dedupe else None
        return counts, {int(s): display(s) for s in present}, n_duplicates

    def oversample(self, how, *, domain, output, force):
        fields = {} if domain is None else {"domain": domain}
        index = self._read([output], force, fields=fields)
        strata = index.y if domain is None else index.fields["domain"]
        return _resample(
            index, strata, how.targets, how.name, how.seed, how.shuffle, output, force
        )

    def mix(self, params, *, by, domain, output, force, shuffle, seed):
        import functools

        import numpy as np

        from skbalance._cli._engine import mixture_targets

        index = self._read(
            [output], force, fields={} if by == "class" else {"domain": domain}
        )
        if by == "class":
            strata = index.y
        elif by == "domain":
            strata = index.fields["domain"]
        else:
            strata = np.empty(len(index), dtype=object)
            pairs = zip(index.fields["domain"].tolist(), index.y.tolist(), strict=True)
            strata[:] = list(pairs)
        targets = functools.partial(mixture_targets, **params)
        return _resample(
            index, strata, targets, "MixtureSampler", seed, shuffle, output, force
        )
