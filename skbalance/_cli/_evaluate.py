"""``evaluate``: per-class scores of predictions, in a field of FILE or in a
second file aligned by line (refused when a shared id field is in another
order) or by ``--id``."""

import json

import skbalance
from skbalance._cli._engine import Input
from skbalance._cli._memory import read
from skbalance._cli._parser import UsageError
from skbalance._cli._report import note

__all__ = ["evaluate"]


def _aligned(source, *, true, pred, pred_label, id_field, domain):
    """(y_true, y_pred, domain or None, note source) for evaluate: from one
    file (``source``, ``pred`` its prediction field) or from two (``true``
    and ``pred`` files, by line or by ``id_field``)."""
    import numpy as np

    fields = {} if domain is None else {"domain": domain}
    if true is None:
        if source.path is None:
            raise UsageError(
                "give FILE (with --pred FIELD), or --true FILE --pred FILE."
            )
        if id_field is not None or pred_label is not None:
            raise UsageError("--id and --pred-label go with --true FILE --pred FILE.")
        index = read(source, fields={**fields, "prediction": pred})
        return index.y, index.fields["prediction"], index.fields.get("domain"), [index]
    if source.path is not None:
        raise UsageError("give FILE or --true FILE, not both.")
    if id_field is not None:
        fields["id"] = id_field
    # by line: the records are read again to look for a shared id field
    by_line = id_field is None
    truth = read(source, path=true, fields=fields, offsets=by_line)
    predicted = read(
        source,
        path=pred,
        label=pred_label or source.label,
        fields={} if id_field is None else {"id": id_field},
        offsets=by_line,
    )
    if id_field is None:
        if len(truth) != len(predicted):
            raise ValueError(
                f"{true} has {len(truth)} records but {pred} has "
                f"{len(predicted)}; align them by line, or by a field with --id."
            )
        taken = {source.label, pred_label or source.label, domain}
        _check_order(truth, predicted, taken)
        return truth.y, predicted.y, truth.fields.get("domain"), [truth, predicted]
    position = {}
    for i, key in enumerate(predicted.fields["id"].tolist()):
        if key in position:
            raise ValueError(
                f"{predicted.where(i)}: id {key!r} (--id {id_field}) repeats line "
                f"{predicted.line_number(position[key])}."
            )
        position[key] = i
    rows = []
    for i, key in enumerate(truth.fields["id"].tolist()):
        if key not in position:
            raise ValueError(
                f"{truth.where(i)}: id {key!r} (--id {id_field}) has no prediction "
                f"in {pred}."
            )
        rows.append(position[key])
    y_pred = predicted.y[np.asarray(rows, dtype=np.intp)]
    return truth.y, y_pred, truth.fields.get("domain"), [truth, predicted]


#: field names tried first as the id of a record
_ID_NAMES = ("id", "uid", "uuid", "guid", "_id", "key", "idx", "index")


def _id_candidates(truth, pred, taken):
    """Top-level fields of the first record of both files holding a string or
    an integer, other than those ``taken`` (the label, prediction and domain):
    the fields that may identify a record, id-like names first."""
    first_truth, first_pred = truth.records([0])[0], pred.records([0])[0]
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


def _check_order(truth, pred, taken, chunk=8192):
    """Refuse to score two files line by line when a field identifies their
    records (a string or integer in every record of both, distinct within
    each file, the same values in both) and puts them in different orders:
    the lines would pair the wrong records; such a field in the same order in
    both files shows they are aligned. Only the top-level fields of the first
    records are candidates, dropped at the first record without one."""
    from array import array

    import numpy as np

    alive = _id_candidates(truth, pred, taken)
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
    y_true, y_pred, domain, indexes = _aligned(
        Input.from_args(args),
        true=args.true,
        pred=args.pred,
        pred_label=args.pred_label,
        id_field=args.id,
        domain=args.domain,
    )
    report = skbalance.per_class_report(y_true, y_pred, groups=domain)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2), file=out)
    else:
        print(f"{len(y_true)} records", file=out)
        print(report, file=out)
    for index in indexes:
        note(index, err)
