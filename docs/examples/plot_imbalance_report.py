"""
Detect: the imbalance report, single- and multi-label
=====================================================

:func:`~skbalance.imbalance_report` counts the classes, their shares and the
imbalance ratio (largest / smallest), and names its severity. With ``groups=``
it also counts every class in every group (here the locale of a ticket). For a
multi-label target (a 0/1 matrix) it adds the measures of Charte et al.: IRLbl
per label, MeanIR, MaxIR, CVIR, SCUMBLE, cardinality and density.
:class:`~skbalance.ImbalanceDisplay` draws the counts.
"""

# %%
# Single-label: the bundled support tickets, by class and by locale.
import matplotlib.pyplot as plt
import numpy as np

from skbalance import ImbalanceDisplay, imbalance_report, load_support_tickets

records = load_support_tickets()
labels = [r["label"] for r in records]
locales = [r["locale"] for r in records]
print(imbalance_report(labels, groups=locales))

# %%
# Multi-label: 14 labels whose prevalence falls as a power law, so that the
# rarest ones have a handful of positives in 2,000 rows.
rng = np.random.RandomState(0)
prevalence = 0.3 * np.arange(1, 15) ** -1.2
Y = (rng.uniform(size=(2000, 14)) < prevalence).astype(int)
report = imbalance_report(Y)
print(
    {
        k: round(report.multilabel[k], 3)
        for k in ("mean_ir", "max_ir", "cvir", "scumble")
    }
)

# %%
# Both side by side: class counts on a linear scale (ratio 10 is "moderate"),
# positives per label on a log scale (ratio above 10 is "severe").
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
ImbalanceDisplay.from_labels(labels, ax=ax1)
ax1.set_title("Support tickets: classes")
ImbalanceDisplay.from_labels(Y, ax=ax2)
mean_ir = report.multilabel["mean_ir"]
ax2.set_title(f"Multi-label: positives per label (MeanIR {mean_ir:.1f})")
plt.show()
