"""Example data bundled with skbalance."""

from importlib import resources

from skbalance._jsonl import read_jsonl

__all__ = ["load_support_tickets", "support_tickets_path"]


def support_tickets_path():
    """Path of the bundled ``support_tickets.jsonl`` file.

    Returns
    -------
    pathlib.Path
        The JSON Lines file, one ticket per line with the keys ``id``,
        ``text``, ``label`` and ``locale``.
    """
    return resources.files("skbalance") / "data" / "support_tickets.jsonl"


def load_support_tickets(*, return_X_y=False):
    """Load 1,000 synthetic customer-support tickets with an imbalanced prior.

    Labels are 500 billing, 300 technical, 150 account and 50 other
    (imbalance ratio 10); about 90% of the tickets are US English (``en-US``)
    and 10% British English (``en-GB``), which is the second, domain-level
    imbalance. The texts were generated for skbalance from templates (see
    ``tools/make_support_tickets.py``); 12 are exact duplicates of another
    ticket, as when a customer submits twice.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(texts, labels)`` instead of the records.

    Returns
    -------
    records : list of dict
        One dict per ticket with the keys ``id``, ``text``, ``label``,
        ``locale``.
    (texts, labels) : tuple of two lists of str
        When ``return_X_y=True``.

    See Also
    --------
    imbalance_report : Describe the labels or the locales.
    DomainFloorSampler : Floors per class or per locale.

    Examples
    --------
    >>> from collections import Counter
    >>> from skbalance import load_support_tickets
    >>> tickets = load_support_tickets()
    >>> sorted(Counter(t["label"] for t in tickets).items())
    [('account', 150), ('billing', 500), ('other', 50), ('technical', 300)]
    >>> texts, labels = load_support_tickets(return_X_y=True)
    >>> len(texts), labels[0] == tickets[0]["label"]
    (1000, True)
    """
    records = read_jsonl(support_tickets_path()).records
    if return_X_y:
        return [r["text"] for r in records], [r["label"] for r in records]
    return records
