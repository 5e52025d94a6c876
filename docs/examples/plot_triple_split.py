"""
Split: train, validation and test with the same class shares
============================================================

:func:`~skbalance.train_val_test_split` gives exact 70/15/15 part sizes with
every class within one row of its exact share in every part, and keeps every
class of at least 3 examples in all three parts. Here the tickets are
stratified by class and locale together (a "billing/en-GB" stratum), and
``groups=duplicate_groups(texts)`` keeps a ticket and its duplicates in one
part, so that no test ticket was seen in training.

We add a class of 3 tickets ("legal") to show that it lands in every part,
where scikit-learn's ``train_test_split`` applied twice can leave it out of
validation and test.
"""

# %%
from collections import Counter

import matplotlib.pyplot as plt

from skbalance import (
    ImbalanceDisplay,
    duplicate_groups,
    load_support_tickets,
    train_val_test_split,
)

records = load_support_tickets()
records += [
    {"id": f"legal-{i}", "text": t, "label": "legal", "locale": "en-US"}
    for i, t in enumerate(
        ["GDPR data request", "subpoena for records", "terms of service dispute"]
    )
]
texts = [r["text"] for r in records]
strata = [f"{r['label']}/{r['locale']}" for r in records]

train, val, test = train_val_test_split(
    records, stratify=strata, groups=duplicate_groups(texts), random_state=0
)
parts = {"train": train, "val": val, "test": test}
for name, part in parts.items():
    counts = Counter(r["label"] for r in part)
    print(f"{name:>5}: {len(part):4d} rows", dict(sorted(counts.items())))

# %%
# The shares above each bar are the same in every part: the split kept the
# prior of every class, the rare "legal" class included.
disp = ImbalanceDisplay.from_splits(
    {name: [r["label"] for r in part] for name, part in parts.items()}
)
disp.ax_.set_title("Class counts and shares per part (70/15/15)")
plt.show()
