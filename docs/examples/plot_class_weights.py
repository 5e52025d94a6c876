"""
Weight: class weights by strategy
=================================

Instead of copying rows, weight the loss. :class:`~skbalance.ClassWeightComputer`
is fitted on the labels alone and offers three strategies, for a class of
``n_c`` rows among ``n`` rows and ``k`` classes:

- ``"balanced"``: ``n / (k * n_c)`` (scikit-learn's): every class carries the
  same total weight, as 1:1 resampling would;
- ``"sqrt"``: ``1 / sqrt(n_c)``: part of the way;
- ``"effective_number"``: ``(1 - beta) / (1 - beta ** n_c)`` (Cui et al.,
  2019): between none (``beta=0``) and inverse frequency (``beta`` towards 1).

With ``normalize="samples"`` the sample weights sum to ``n``, so the scale of
the loss, and the meaning of ``C`` or a learning rate, do not change.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from skbalance import ClassWeightComputer, load_support_tickets

_, labels = load_support_tickets(return_X_y=True)
classes, counts = np.unique(labels, return_counts=True)
order = np.argsort(-counts)
classes, counts = classes[order], counts[order]

strategies = {
    "balanced": ClassWeightComputer(strategy="balanced", normalize="samples"),
    "sqrt": ClassWeightComputer(strategy="sqrt", normalize="samples"),
    "effective_number (beta=0.99)": ClassWeightComputer(
        strategy="effective_number", beta=0.99, normalize="samples"
    ),
}
weights = {}
for name, computer in strategies.items():
    computer.fit(labels)
    weights[name] = np.array([computer.class_weight_[c] for c in classes])
    print(
        f"{name:<30}",
        dict(zip(classes.tolist(), weights[name].round(2).tolist(), strict=True)),
    )

# %%
# Left: the weight of one row of each class. Right: the share of the total
# loss each class carries (``n_c * w_c / n``): the real prior without weights,
# equal shares with "balanced", in between with "sqrt".
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
x = np.arange(len(classes))
shares = {"none": counts / counts.sum()}
shares.update({k: counts * w / counts.sum() for k, w in weights.items()})
for i, (name, w) in enumerate(weights.items()):
    ax1.bar(x + (i - 1) * 0.27, w, 0.27, label=name, color=f"C{i}")
for i, (name, s) in enumerate(shares.items()):
    color = "0.6" if name == "none" else f"C{i - 1}"
    ax2.bar(x + (i - 1.5) * 0.2, s, 0.2, label=name, color=color)
for ax, ylabel in ((ax1, "weight of one row"), (ax2, "share of the total loss")):
    ax.set_xticks(x, classes)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
ax1.set_title("Class weights (sample weights sum to n)")
ax2.set_title("How much of the loss each class carries")
plt.show()
