"""ClassWeightComputer's JSON: what a training job reads, and back.

JSON keys are strings, so the label type is recorded next to the weights and
labels come back with their type (``from_json(to_json())`` round-trips).
"""

import json

import numpy as np

__all__ = ["weights_from_json", "weights_to_json"]

_JSON_TYPES = {"str": str, "int": int, "float": float, "bool": bool}


def _label_type(labels):
    kinds = {type(v).__name__ for v in labels}
    if len(kinds) != 1 or next(iter(kinds)) not in _JSON_TYPES:
        raise TypeError(
            f"Labels of type {sorted(kinds)} cannot be exported to JSON; use str, "
            "int, float or bool labels."
        )
    return kinds.pop()


def _key_to_label(key, kind):
    if kind == "bool":
        if key not in ("true", "false"):
            raise ValueError(f"Bad bool label {key!r} in class_weights.")
        return key == "true"
    return _JSON_TYPES[kind](key)


def _label_to_key(label, kind):
    return ("true" if label else "false") if kind == "bool" else str(label)


def weights_to_json(est, *, indent=2):
    """The weights and settings of the fitted ``est`` as JSON."""
    labels = list(est.class_weight_)
    kind = _label_type(labels)
    payload = {
        "class_weights": {
            _label_to_key(k, kind): w for k, w in est.class_weight_.items()
        },
        "label_type": kind,
        "strategy": est.strategy,
        "normalize": est.normalize,
        "beta": est.beta,
        "max_weight": est.max_weight,
        "multilabel": est.multilabel_,
        "counts": {
            _label_to_key(k, kind): c
            for k, c in zip(labels, est.counts_.tolist(), strict=True)
        },
    }
    return json.dumps(payload, indent=indent)


def weights_from_json(cls, text):
    """A fitted ``cls`` (ClassWeightComputer) from :func:`weights_to_json`."""
    data = json.loads(text)
    missing = {"class_weights", "label_type", "strategy", "normalize"} - set(data)
    if missing:
        raise ValueError(f"Not a ClassWeightComputer JSON: missing {sorted(missing)}.")
    kind = data["label_type"]
    if kind not in _JSON_TYPES:
        raise ValueError(f"Unknown label_type {kind!r} in class weights JSON.")
    est = cls(
        strategy=data["strategy"],
        normalize=data["normalize"],
        beta=data.get("beta", 0.999),
        max_weight=data.get("max_weight"),
    )
    weights = {
        _key_to_label(k, kind): float(w) for k, w in data["class_weights"].items()
    }
    counts = data.get("counts", {})
    est.class_weight_ = weights
    est.classes_ = np.array(list(weights))
    est.counts_ = np.array(
        [int(counts.get(_label_to_key(k, kind), 0)) for k in weights],
        dtype=np.int64,
    )
    est.multilabel_ = bool(data.get("multilabel", False))
    return est
