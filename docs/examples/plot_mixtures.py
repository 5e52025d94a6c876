"""
Mixtures: shares before and after, by temperature and UniMax
============================================================

The bundled tickets have 8 strata of locale x class, from 450 US billing
tickets down to 5 British "other" ones. :class:`~skbalance.MixtureSampler`
with ``domain="locale", by_class=True`` sets an exact number of rows for each
pair. Temperature sampling gives stratum ``i`` a share proportional to
``n_i ** alpha``: ``alpha=1`` keeps the mix, ``alpha=0`` is uniform, and the
values between flatten it. UniMax (``max_repeats=E`` alone) spreads the rows
as uniformly as it can without repeating a stratum more than ``E`` epochs.

Every mixture here has the input's 1,000 rows: the large strata are
down-sampled, the small ones copied.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from skbalance import MixtureSampler, load_support_tickets

records = load_support_tickets()
labels = [r["label"] for r in records]

mixtures = {
    "alpha = 1 (input)": {"temperature": 1},
    "alpha = 0.5": {"temperature": 0.5},
    "alpha = 0.3": {"temperature": 0.3},
    "alpha = 0 (uniform)": {"temperature": 0},
    "UniMax, 3 epochs": {"max_repeats": 3},
}
shares = {}
for name, params in mixtures.items():
    sampler = MixtureSampler(
        **params, domain="locale", by_class=True, random_state=0
    ).fit(records, labels)
    report = sampler.mixture_report_
    shares[name] = [s["share_after"] for s in report.strata.values()]
strata = [" / ".join(k) for k in report.strata]
print(report)

# %%
# The report of the last mixture (UniMax) shows what each stratum costs: the
# 5 British "other" tickets are used 3 times each (its cap), the US billing
# tickets lose more than half of their rows.
#
# The bars: share of each stratum after each mixture. Lowering ``alpha``
# moves rows from the large strata to the small ones; UniMax gives every
# stratum the same share unless its cap stops it.
fig, ax = plt.subplots(figsize=(10, 4.5), layout="constrained")
width = 0.8 / len(shares)
x = np.arange(len(strata))
for j, (name, values) in enumerate(shares.items()):
    ax.bar(x + j * width, values, width, label=name)
ax.set_xticks(x + 0.4 - width / 2, strata, rotation=30, ha="right")
ax.set_ylabel("share of the output")
ax.set_title("Shares per locale / class after each mixture (1,000 rows)")
ax.legend()
plt.show()
