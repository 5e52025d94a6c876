"""
Balance: share floors per domain, before and after
==================================================

The bundled tickets are 90% US English and 10% British English. A model
fine-tuned on them sees few European tickets. :class:`~skbalance.DomainFloorSampler`
with ``domain="locale"`` duplicates rows of the rare locale until every locale
holds at least ``min_share`` of the *output*, with the fewest added rows: with
900 US and 100 British rows and a 20% floor, 125 British copies are needed
(225 of 1,125 rows), not 100, because the copies grow the total too.

Only a training part is ever balanced; the test rows stay as they come.
"""

# %%
from collections import Counter

import matplotlib.pyplot as plt

from skbalance import DomainFloorSampler, ImbalanceDisplay, load_support_tickets

records = load_support_tickets()
labels = [r["label"] for r in records]
locales = [r["locale"] for r in records]

sampler = DomainFloorSampler(min_share=0.2, domain="locale", random_state=0)
records_res, labels_res = sampler.fit_resample(records, labels)
print("rows per locale:", sampler.counts_before_, "->", sampler.counts_after_)
print("rows added:", sampler.sampling_strategy_)

# %%
# The classes keep their shares *within* each locale, because whole rows are
# copied: the British part is still half billing.
after = Counter((r["locale"], y) for r, y in zip(records_res, labels_res, strict=True))
print({k: v for k, v in sorted(after.items()) if k[0] == "en-GB"})

# %%
# Left: rows per locale before and after. Right: the same floor on the classes
# (no ``domain``): "account" (15%) and "other" (5%) are below 20%, so both are
# raised, and the larger classes are left as they are.
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
locales_res = [r["locale"] for r in records_res]
ImbalanceDisplay.from_labels(locales, y_after=locales_res, ax=ax1, log=False)
ax1.set_title("Locale floor of 20%")
class_sampler = DomainFloorSampler(min_share=0.2, random_state=0)
_, labels_cls = class_sampler.fit_resample(records, labels)
ImbalanceDisplay.from_labels(labels, y_after=labels_cls, ax=ax2, log=False)
ax2.set_title("Class floor of 20%")
plt.show()
