"""``adjust``: correct the class prior in a model's scores, for a model that
cannot be retrained (a fine-tuned LLM classifier). The correction
(:class:`~skbalance.LogitAdjustedClassifier` with ``cv="prefit"``) is tuned on
the scores of a validation file and applied to those of a second file, whose
records are written with the corrected prediction added."""

import json

import numpy as np

from skbalance._cli._parser import UsageError
from skbalance._cli._report import print_adjusted
from skbalance._fields import get_field, set_field
from skbalance._io import check_output

__all__ = ["adjust"]


def _given_scores(classes, kind):
    """A fitted "classifier" whose scores are its input: the columns of X are
    the scores of ``classes``, probabilities (``predict_proba``) or
    log-probabilities or logits (``decision_function``)."""
    from sklearn.base import BaseEstimator, ClassifierMixin

    class GivenScores(ClassifierMixin, BaseEstimator):
        classes_ = np.asarray(classes, dtype=object)

        def fit(self, X, y):  # pragma: no cover - prefit only
            return self

        def __sklearn_is_fitted__(self):
            return True

    def scores(self, X):
        return X

    name = "predict_proba" if kind == "probs" else "decision_function"
    setattr(GivenScores, name, scores)
    return GivenScores()


def _key(value):
    """A label as the key of a scores object (JSON keys are strings)."""
    return value if isinstance(value, str) else json.dumps(value)


def _read(path, args, classes, *, labelled):
    """``(records, scores, labels or None)`` of a scores file; ``classes``
    (a list) is filled from the first record when empty."""
    from skbalance._jsonl import JsonlError, read_jsonl

    data = read_jsonl(path)
    rows, labels = [], []
    for record, line in zip(data.records, data.line_numbers, strict=True):
        where = f"{path}:{line}"
        try:
            scores = get_field(record, args.scores)
        except (KeyError, IndexError, TypeError):
            raise JsonlError(f"{where}: no field {args.scores!r} (--scores).") from None
        if not isinstance(scores, dict) or not scores:
            raise JsonlError(
                f"{where}: field {args.scores!r} (--scores) must be an object of "
                f"class -> score; got {json.dumps(scores)[:60]}."
            )
        if not classes:
            classes.extend(sorted(scores))
        if sorted(scores) != classes:
            missing = sorted(set(classes) - set(scores)) or sorted(set(scores))
            raise JsonlError(
                f"{where}: field {args.scores!r} (--scores) has classes "
                f"{sorted(scores)}, not those of the first record of "
                f"{args.val}: {classes} (first difference: {missing[0]!r})."
            )
        values = [scores[c] for c in classes]
        if not all(type(v) in (int, float) for v in values):
            raise JsonlError(
                f"{where}: field {args.scores!r} (--scores) holds a score that is "
                "not a number."
            )
        rows.append(values)
        try:
            label = get_field(record, args.label)
        except (KeyError, IndexError, TypeError):
            label = None
        if label is None and labelled:
            raise JsonlError(f"{where}: no label in field {args.label!r} (--label).")
        if label is not None and _key(label) not in scores:
            raise JsonlError(
                f"{where}: label {label!r} (--label {args.label}) is not one of the "
                f"classes scored in {args.scores!r}: {classes}."
            )
        labels.append(None if label is None else _key(label))
    scores = np.asarray(rows, dtype=float)
    if args.kind == "probs" and ((scores < 0) | (scores > 1)).any():
        raise JsonlError(
            f"{path}: --kind probs, but a score is outside [0, 1]; use --kind "
            "logits or --kind logprobs."
        )
    if any(label is None for label in labels):
        labels = None
    return data, scores, labels


def adjust(args, *, out, err):
    from skbalance import LogitAdjustedClassifier, per_class_report

    if args.output is not None:
        check_output(args.output, force=args.force, inputs=[args.val, args.test])
    classes = []
    _, val_scores, val_labels = _read(args.val, args, classes, labelled=True)
    data, test_scores, test_labels = _read(args.test, args, classes, labelled=False)
    if len(set(val_labels)) < 2:
        raise ValueError(
            f"{args.val}: every record has the label {val_labels[0]!r}; the "
            "correction is tuned on a validation file with at least 2 classes."
        )
    prior = "train"
    if args.prior is not None:
        shares = args.prior
        if not all(type(v) in (int, float) and v > 0 for v in shares.values()):
            raise UsageError("--prior: every share must be a positive number.")
        if sorted(shares) != classes:
            raise UsageError(
                f"--prior: gives classes {sorted(shares)}; the scores have {classes}."
            )
        prior = [shares[c] for c in classes]
    model = LogitAdjustedClassifier(
        _given_scores(classes, args.kind),
        tau="auto" if args.tau is None else args.tau,
        prior=prior,
        cv="prefit",
        scoring=args.scoring,
    ).fit(val_scores, val_labels)
    before = model.classes_[np.argmax(test_scores, axis=1)]
    after = model.predict(test_scores)
    if args.output is not None:
        from skbalance._jsonl import write_lines

        lines = []
        for record, label in zip(data.records, after.tolist(), strict=True):
            set_field(record, args.pred_field, label)
            lines.append(json.dumps(record, ensure_ascii=False).encode("utf-8"))
        write_lines(args.output, lines, inputs=[args.val, args.test], force=args.force)
    # scored where labels are: the second file, else the validation file
    # (in sample: the tau was chosen there)
    labels, scored = (test_labels, args.test) if test_labels else (val_labels, None)
    if scored is None:
        before = model.classes_[np.argmax(val_scores, axis=1)]
        after_scored = model.predict(val_scores)
    else:
        after_scored = after
    reports = [
        per_class_report(labels, p, labels=classes) for p in (before, after_scored)
    ]
    print_adjusted(
        model,
        reports,
        scored=scored or f"{args.val} (in sample: tau was tuned there)",
        changed=int(np.sum(before != after_scored)),
        output=args.output,
        as_json=args.json,
        out=out,
        err=err,
    )
