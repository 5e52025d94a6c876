"""What LLMAugmentSampler asks a model to rewrite: the *unit* of a row.

A unit is one of three kinds, chosen by the ``text`` parameter:

* ``"text"``: one string (``text=None`` for texts, or one field name);
* ``"fields"``: several string fields written together (``text=["instruction",
  "response"]``), a dict ``{field: str}``;
* ``"chat"``: a whole conversation (``text="messages"`` naming a list of
  ``{"role", "content"}`` messages), so that a new user turn never keeps the
  old answer. System messages are context: shown to the model once, in the
  request's system prompt, never sent for rewriting nor expected back, kept
  verbatim in the new record and left out of the duplicate check.

This module reads units from rows, checks what a model returned against the
seed (same fields, same roles and turn count, no empty content), gives each
unit a canonical text (for dedupe and cache keys) and a JSON schema (for the
model's tool), and writes new rows with the rewritten unit.
"""

import copy
import json

from skbalance._containers import column_values, is_dataframe, take_rows
from skbalance._fields import get_field, set_field

__all__ = [
    "canonical",
    "check_variant",
    "dedupe_text",
    "model_view",
    "system_prompts",
    "read_units",
    "unit_schema",
    "unit_text",
    "write_units",
]


def _is_chat(value):
    return (
        isinstance(value, list)
        and len(value) > 0
        and all(isinstance(m, dict) and "role" in m and "content" in m for m in value)
    )


def read_units(X, text):
    """``(kind, units)``: the unit of every row, checked.

    A value that is not what the kind needs (NaN, None, a number, a chat
    without messages) is an error naming the row and the field.
    """
    if text is None:
        if is_dataframe(X):
            raise ValueError(
                "X is a DataFrame: set text= to the column holding the texts."
            )
        values = X.tolist() if hasattr(X, "tolist") else list(X)
        return "text", _check_strings(values, "X[{i}]")
    if isinstance(text, (list, tuple)):
        fields = [str(f) for f in text]
        if not fields or len(set(fields)) < len(fields):
            raise ValueError(f"text={list(text)!r} must name distinct fields.")
        columns = [
            _check_strings(
                column_values(X, f, param="text").tolist(),
                f"text={f!r}: row {{i}} of X",
            )
            for f in fields
        ]
        units = [
            dict(zip(fields, row, strict=True)) for row in zip(*columns, strict=True)
        ]
        return "fields", units
    values = column_values(X, text, param="text").tolist()
    if values and _is_chat(values[0]):
        if is_dataframe(X):
            raise ValueError(f"text={text!r}: chat records need a list of dicts X.")
        for i, value in enumerate(values):
            if not _is_chat(value) or not all(
                isinstance(m["content"], str) for m in value
            ):
                raise ValueError(
                    f"text={text!r}: row {i} of X is not a conversation (a "
                    "non-empty list of messages with a role and a string content)."
                )
        return "chat", values
    return "text", _check_strings(values, f"text={text!r}: row {{i}} of X")


def _check_strings(values, where):
    for i, value in enumerate(values):
        if not isinstance(value, str):
            raise ValueError(
                f"{where.format(i=i)} holds {type(value).__name__} {value!r}, not a "
                "text; drop or fill that row (for records or a DataFrame, set "
                "text= to the field holding the text)."
            )
    return values


def unit_text(unit):
    """The canonical text of a unit: itself, ``field: value`` lines, or
    ``role: content`` lines."""
    if isinstance(unit, str):
        return unit
    if isinstance(unit, dict):
        return "\n".join(f"{k}: {v}" for k, v in unit.items())
    return "\n".join(f"{m['role']}: {m['content']}" for m in unit)


def _is_system(message):
    return message.get("role") == "system"


def model_view(unit):
    """What a model rewrites of a unit: a conversation's non-system turns,
    anything else whole."""
    if isinstance(unit, list):
        return [m for m in unit if not _is_system(m)]
    return unit


def system_prompts(unit):
    """The contents of a conversation's system messages (none for texts and
    fields)."""
    if isinstance(unit, list):
        return [m["content"] for m in unit if _is_system(m)]
    return []


def dedupe_text(unit):
    """The text the duplicate check compares: :func:`unit_text` of the part
    a model rewrites (a long system prompt shared by every conversation
    would make them all near-duplicates)."""
    return unit_text(model_view(unit))


def unit_schema(kind, seed):
    """The JSON schema of one rewrite of ``seed``, for the model's tool."""
    if kind == "text":
        return {"type": "string"}
    if kind == "fields":
        return {
            "type": "object",
            "properties": {field: {"type": "string"} for field in seed},
            "required": list(seed),
            "additionalProperties": False,
        }
    return {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"role": {"type": "string"}, "content": {"type": "string"}},
            "required": ["role", "content"],
        },
    }


def check_variant(kind, seed, variant):
    """``variant`` cleaned (contents stripped) if it fits ``seed``, else None.

    Texts must be non-empty strings; fields the seed's keys with non-empty
    strings. A chat must have the seed's non-system turns (its roles, in its
    order, with non-empty contents), which is what a model is asked for; the
    seed's whole shape, system messages included, is accepted too (a
    callable may return it). Either way the system messages of the result
    are the seed's, verbatim, in their places.
    """
    if kind == "text":
        if not isinstance(variant, str):
            return None
        return variant.strip() or None
    if kind == "fields":
        if not isinstance(variant, dict) or set(variant) != set(seed):
            return None
        clean = {k: variant[k].strip() for k in seed if isinstance(variant[k], str)}
        return clean if len(clean) == len(seed) and all(clean.values()) else None
    if not isinstance(variant, list) or not all(isinstance(m, dict) for m in variant):
        return None
    turns = model_view(seed)
    if len(variant) == len(seed) and len(seed) != len(turns):
        variant = [m for m, o in zip(variant, seed, strict=True) if not _is_system(o)]
    if len(variant) != len(turns):
        return None
    contents = iter(variant)
    out = []
    for original in seed:
        if _is_system(original):
            out.append(original)
            continue
        message = next(contents)
        content = message.get("content")
        if message.get("role") != original["role"]:
            return None
        if not isinstance(content, str) or not content.strip():
            return None
        out.append({"role": original["role"], "content": content.strip()})
    return out


def write_units(X, seeds, text, kind, units, *, stamp=None, id_field=None):
    """New rows: the rows ``seeds`` of X with their unit replaced by ``units``.

    Texts give a list of texts; a DataFrame gives copies of its rows (index
    labels kept); records give deep copies of their seed with the unit's
    fields set (a chat's messages keep their other keys) and, with ``stamp``
    (``{key: dict}``), the dict added under its key with ``"seed"`` set.
    With ``id_field``, a new record's id is ``"{seed id}-llm{k}"`` (the
    ``k``-th of its seed, made unique against the input's ids) and the stamp
    gets ``"seed_id"``.
    """
    if text is None:
        return list(units)
    if is_dataframe(X):
        rows = take_rows(X, seeds).copy()
        if kind == "fields":
            for field in units[0] if units else ():
                rows[field] = [u[field] for u in units]
        else:
            rows[text] = units
        return rows
    rows = []
    taken = set() if id_field is None else {str(get_field(r, id_field)) for r in X}
    made = {}
    for seed, unit in zip(seeds.tolist(), units, strict=True):
        record = copy.deepcopy(X[seed])
        if kind == "text":
            set_field(record, str(text), unit)
        elif kind == "fields":
            for field, value in unit.items():
                set_field(record, field, value)
        else:
            messages = get_field(record, str(text))
            for message, new in zip(messages, unit, strict=True):
                message["content"] = new["content"]
        extra = {"seed": seed}
        if id_field is not None:
            seed_id = get_field(X[seed], id_field)
            k = made.get(seed, 0) + 1
            while f"{seed_id}-llm{k}" in taken:
                k += 1
            made[seed] = k
            taken.add(f"{seed_id}-llm{k}")
            set_field(record, id_field, f"{seed_id}-llm{k}")
            extra["seed_id"] = seed_id
        if stamp is not None:
            record.update({k: {**v, **extra} for k, v in stamp.items()})
        rows.append(record)
    return rows


def canonical(unit):
    """A stable JSON form of a unit, for cache keys."""
    return json.dumps(unit, sort_keys=True, ensure_ascii=False)
