"""Dotted paths into records: ``"label"``, ``"meta.domain"``,
``"messages.-1.content"``. Used by the containers of the estimators, the LLM
rewrites and the JSON Lines reader, so it imports nothing of theirs."""

__all__ = ["get_field", "set_field"]


def get_field(record, path):
    """The value at a dotted path: ``"label"``, ``"meta.domain"``,
    ``"messages.0.content"`` or ``"messages.-1.content"``.

    Raises ``KeyError`` with the part of the path that is missing.

    Examples
    --------
    >>> from skbalance._fields import get_field
    >>> chat = {"messages": [{"role": "user", "content": "hi"}], "meta": {"lang": "en"}}
    >>> get_field(chat, "messages.0.content"), get_field(chat, "meta.lang")
    ('hi', 'en')
    """
    value = record
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.lstrip("-").isdigit():
            try:
                value = value[int(part)]
            except IndexError:
                raise KeyError(part) from None
        else:
            raise KeyError(part)
    return value


def set_field(record, path, value):
    """Set the value at a dotted path (see :func:`get_field`) in place.

    Examples
    --------
    >>> from skbalance._fields import set_field
    >>> chat = {"messages": [{"role": "user", "content": "hi"}]}
    >>> set_field(chat, "messages.-1.content", "hello")
    >>> chat
    {'messages': [{'role': 'user', 'content': 'hello'}]}
    """
    *parents, last = path.split(".")
    target = record
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
