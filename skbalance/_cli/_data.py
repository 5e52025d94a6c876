"""Commands on labels and records: analyze, split, balance, weights, evaluate
(and demo). Each reads the file once with :func:`read_jsonl_labels` and calls
the public API."""

import json
import os

import skbalance
from skbalance._cli._parser import UsageError
from skbalance._cli._report import (
    check_plot,
    floor_in_shell_words,
    note,
    print_analysis,
    print_balance,
    print_split,
    split_names,
    too_few_groups,
    write_weights,
)
from skbalance._io import check_output, make_folders, staged_outputs
from skbalance._stratify import TooFewGroupsError

__all__ = [
    "analyze",
    "balance",
    "choose_sampler",
    "demo",
    "evaluate",
    "split",
    "weights",
]


def usage(message):
    return UsageError(message)


def read(args, *, path=None, label=None, **kw):
    """read_jsonl_labels with the command's --label, --missing-label and
    --on-error."""
    from skbalance._jsonl import read_jsonl_labels

    path = args.input if path is None else path
    index = read_jsonl_labels(
        path,
        args.label if label is None else label,
        missing_label=args.missing_label,
        on_error="skip" if args.on_error == "skip" else "raise",
        **kw,
    )
    return index


def analyze(args, *, out, err):
    check_plot(args)
    fields = {} if args.domain is None else {"domain": args.domain}
    index = read(
        args,
        fields=fields,
        dedupe=True,
        offsets=False,
        multilabel=args.multilabel,
        skip_missing=args.missing_label is None,
    )
    n_dup = index.n_duplicates
    if args.multilabel:  # label lists: the report names the labels by value
        report = skbalance.imbalance_report(index.y)
    else:
        # the counts first, then scikit-learn is imported (by ImbalanceReport):
        # the per-record arrays and the library are never in memory together
        counts = index.value_counts()
        by = None if args.domain is None else index.value_counts(by="domain")
        index.release()
        report = skbalance.ImbalanceReport(
            counts=counts, n_samples=sum(counts.values()), group_counts=by
        )
    print_analysis(args, index.path, report, index, n_dup, out=out, err=err)


def _split_groups(index):
    """Group ids from --group and --dedupe together: records linked through
    either share a part (connected components)."""
    import numpy as np

    found = [
        g for g in (index.fields.get("group"), index.duplicate_groups) if g is not None
    ]
    if not found:
        return None
    if len(found) == 1:
        return found[0]
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    a = np.unique(found[0], return_inverse=True)[1]
    b = np.unique(found[1], return_inverse=True)[1]
    graph = coo_matrix((np.ones(a.size), (a, b)), shape=(a.max() + 1, b.max() + 1))
    n_a = a.max() + 1
    full = coo_matrix(
        (np.ones(a.size), (a, b + n_a)), shape=(n_a + graph.shape[1],) * 2
    )
    return connected_components(full, directed=False)[1][a]


def sorted_codes(index, name):
    """The distinct values of a field, sorted, and the code of every record."""
    import numpy as np

    values, codes = index.codes(name)
    order = sorted(range(len(values)), key=values.__getitem__)
    rank = np.empty(len(values), dtype=np.int32)
    rank[order] = np.arange(len(values), dtype=np.int32)
    return [values[i] for i in order], rank[codes]


def check_split(args):
    """The options of ``split`` that do not go together (both engines)."""
    if abs(sum(args.sizes) - 1) > 1e-9:
        raise usage(f"--sizes must sum to 1; got {' + '.join(map(str, args.sizes))}.")
    if args.text is not None and not args.dedupe:
        raise usage("--text is used by --dedupe; add --dedupe or leave --text out.")
    if os.path.exists(args.out_dir) and not os.path.isdir(args.out_dir):
        raise usage(f"--out-dir {args.out_dir}: exists and is not a folder.")


def split(args, *, out, err):
    import numpy as np

    check_split(args)
    make_folders(args.out_dir)
    names = ("train", "val", "test")
    paths = [os.path.join(args.out_dir, f"{n}.jsonl") for n in names]
    for path in paths:
        check_output(path, force=args.force, inputs=[args.input])
    fields = {k: v for k, v in (("domain", args.domain), ("group", args.group)) if v}
    dedupe = (args.text or True) if args.dedupe else None
    index = read(args, fields=fields, dedupe=dedupe)
    # classes (and domains) numbered in sorted order, so that the counts per
    # part depend on the counts alone, not on the order of the file (and are
    # those of --engine spark)
    classes, strata = sorted_codes(index, "label")
    if args.domain is not None:  # class and domain together, as one integer
        domains, domain_codes = sorted_codes(index, "domain")
        strata = strata.astype(np.int64) * len(domains) + domain_codes
    train_size, val_size, test_size = args.sizes
    splitter = skbalance.StratifiedTripleSplit(
        train_size=train_size,
        val_size=val_size,
        test_size=test_size,
        random_state=args.seed,
    )

    def display(code):  # a class, or the (class, domain) pair of a code
        if args.domain is None:
            return classes[code]
        return classes[code // len(domains)], domains[code % len(domains)]

    with split_names(args, display):
        try:
            parts = next(splitter.split(strata, strata, _split_groups(index)))
        except TooFewGroupsError as exc:
            raise ValueError(too_few_groups(args, index.path, exc)) from None
    from skbalance._jsonl import write_jsonl_records

    # the three parts replace the old ones as a set, or not at all: a test
    # part beside an older train part would leak test records into training
    with staged_outputs() as stage:
        for path, rows in zip(paths, parts, strict=True):
            output = stage.open(path, force=args.force, inputs=[args.input])
            write_jsonl_records(index, rows, output)
    codes = strata if args.domain is None else sorted_codes(index, "label")[1]
    order = list(index.value_counts())
    position = {c: classes.index(c) for c in order}
    columns = {}
    for name, rows in zip(names, parts, strict=True):
        counts = np.bincount(codes[rows], minlength=len(classes))
        columns[name] = {c: int(counts[position[c]]) for c in order}
    print_split(index.path, columns, args.out_dir, out)
    note(index, err)


def choose_sampler(target_ratio, min_share, shuffle, seed):
    """The sampler of ``balance`` (both engines): RatioOverSampler for
    ``--target-ratio``, else DomainFloorSampler for ``--min-share``."""
    if target_ratio is not None:
        return skbalance.RatioOverSampler(
            target_ratio=target_ratio, shuffle=shuffle, random_state=seed
        )
    return skbalance.DomainFloorSampler(
        min_share=min_share, shuffle=shuffle, random_state=seed
    )


def balance(args, *, out, err):
    from skbalance._jsonl import write_jsonl_records

    check_output(args.output, force=args.force, inputs=[args.input])
    fields = {} if args.domain is None else {"domain": args.domain}
    index = read(args, fields=fields)
    strata = index.y if args.domain is None else index.fields["domain"]
    sampler = choose_sampler(args.target_ratio, args.min_share, args.shuffle, args.seed)
    with floor_in_shell_words(args, "class" if args.domain is None else "domain"):
        sampler.fit(range(len(index)), strata)
    rows = sampler.sample_indices_
    write_jsonl_records(index, rows, args.output, force=args.force)
    print_balance(
        args,
        type(sampler).__name__,
        sampler.counts_before_,
        sampler.counts_after_,
        out=out,
        err=err,
    )
    note(index, err)


def weights(args, *, out, err):
    import numpy as np

    if args.output is not None:
        check_output(args.output, force=args.force, inputs=[args.input])
    index = read(args, offsets=False)
    # the counts of the codes, not an array of labels: fit_counts gives what
    # fit(y) gives (and what --engine spark gives) in a few bytes per record
    classes, codes = sorted_codes(index, "label")
    counts = np.bincount(codes, minlength=len(classes))
    n_records = len(index)
    index.release()  # the codes go before scikit-learn comes in
    write_weights(args, classes, counts, n_records, out=out, err=err)
    note(index, err)


def _aligned(args):
    """(y_true, y_pred, domain or None, note source) for evaluate."""
    import numpy as np

    fields = {} if args.domain is None else {"domain": args.domain}
    if args.true is None:
        if args.input is None:
            raise usage("give FILE (with --pred FIELD), or --true FILE --pred FILE.")
        if args.id is not None or args.pred_label is not None:
            raise usage("--id and --pred-label go with --true FILE --pred FILE.")
        index = read(args, fields={**fields, "prediction": args.pred})
        return index.y, index.fields["prediction"], index.fields.get("domain"), [index]
    if args.input is not None:
        raise usage("give FILE or --true FILE, not both.")
    if args.id is not None:
        fields["id"] = args.id
    # by line: the records are read again to look for a shared id field
    by_line = args.id is None
    truth = read(args, path=args.true, fields=fields, offsets=by_line)
    pred_fields = {} if args.id is None else {"id": args.id}
    pred = read(
        args,
        path=args.pred,
        label=args.pred_label or args.label,
        fields=pred_fields,
        offsets=by_line,
    )
    if args.id is None:
        if len(truth) != len(pred):
            raise ValueError(
                f"{args.true} has {len(truth)} records but {args.pred} has "
                f"{len(pred)}; align them by line, or by a field with --id."
            )
        _check_order(args, truth, pred)
        return truth.y, pred.y, truth.fields.get("domain"), [truth, pred]
    position = {}
    for i, key in enumerate(pred.fields["id"].tolist()):
        if key in position:
            raise ValueError(
                f"{pred.where(i)}: id {key!r} (--id {args.id}) repeats line "
                f"{pred.line_number(position[key])}."
            )
        position[key] = i
    rows = []
    for i, key in enumerate(truth.fields["id"].tolist()):
        if key not in position:
            raise ValueError(
                f"{truth.where(i)}: id {key!r} (--id {args.id}) has no prediction "
                f"in {args.pred}."
            )
        rows.append(position[key])
    domain = truth.fields.get("domain")
    return truth.y, pred.y[np.asarray(rows, dtype=np.intp)], domain, [truth, pred]


#: field names tried first as the id of a record
_ID_NAMES = ("id", "uid", "uuid", "guid", "_id", "key", "idx", "index")


def _id_candidates(args, truth, pred):
    """Top-level fields of the first record of both files holding a string or
    an integer, other than the label, prediction and domain: the fields that
    may identify a record, id-like names first."""
    first_truth, first_pred = truth.records([0])[0], pred.records([0])[0]
    taken = {args.label, args.pred_label or args.label, args.domain}
    found = [
        key
        for key, value in first_truth.items()
        if key not in taken
        and key in first_pred
        and type(value) in (str, int)
        and type(first_pred[key]) in (str, int)
    ]

    def id_like(key):
        name = key.lower()
        return name in _ID_NAMES or name.endswith("id")

    return sorted(found, key=lambda key: not id_like(key))  # stable


def _key(value):
    """A 64-bit key of an id: the integer itself (hash() gives -1 and -2 the
    same), a hash of a string."""
    return value if type(value) is int and -(2**63) <= value < 2**63 else hash(value)


def _check_order(args, truth, pred, chunk=8192):
    """Refuse to score two files line by line when a field identifies their
    records (a string or integer in every record of both, distinct within
    each file, the same values in both) and puts them in different orders:
    the lines would pair the wrong records; such a field in the same order in
    both files shows they are aligned. Only the top-level fields of the first
    records are candidates, dropped at the first record without one."""
    from array import array

    import numpy as np

    alive = _id_candidates(args, truth, pred)
    if not alive:
        return
    n = len(truth)
    keys = {field: (array("q"), array("q")) for field in alive}  # of the values
    first_diff = {}
    for lo in range(0, n, chunk):
        rows = range(lo, min(lo + chunk, n))
        t_records, p_records = truth.records(rows), pred.records(rows)
        for field in list(alive):
            t_values = [r.get(field) for r in t_records]
            p_values = [r.get(field) for r in p_records]
            if not all(type(v) in (str, int) for v in t_values + p_values):
                alive.remove(field)  # missing somewhere, or not an id
                continue
            if field not in first_diff:
                for i, (t, p) in enumerate(zip(t_values, p_values, strict=True)):
                    if t != p:
                        first_diff[field] = (lo + i, t, p)
                        break
            keys[field][0].extend(map(_key, t_values))
            keys[field][1].extend(map(_key, p_values))
        if not alive:
            return
    ids = []  # distinct in each file, the same values in both
    for field in alive:
        t_keys, p_keys = (
            np.sort(np.frombuffer(k, dtype=np.int64)) for k in keys[field]
        )
        distinct = n < 2 or bool(np.all(t_keys[1:] != t_keys[:-1]))
        if distinct and np.array_equal(t_keys, p_keys):
            ids.append(field)
    if any(field not in first_diff for field in ids):
        return  # an id in the same order in both files: aligned
    if ids:
        field = ids[0]
        i, t, p = first_diff[field]
        raise ValueError(
            f"{pred.where(i)}: {field!r} is {p!r} where {truth.where(i)} has "
            f"{t!r}: both files hold the same {n} distinct values of {field!r} in "
            "different orders, so scoring line by line would pair the wrong "
            f"records; align them with --id {field}."
        )


def evaluate(args, *, out, err):

    y_true, y_pred, domain, indexes = _aligned(args)
    report = skbalance.per_class_report(y_true, y_pred, groups=domain)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2), file=out)
    else:
        print(f"{len(y_true)} records", file=out)
        print(report, file=out)
    for index in indexes:
        note(index, err)


def demo(args, *, out, err):
    from skbalance._demo import run_demo

    if args.output is not None:
        check_output(args.output, force=args.force)
    run_demo(output=args.output, out=out, force=args.force)
