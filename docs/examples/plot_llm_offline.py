"""
Generate: LLM augmentation with the offline generator (plumbing, not quality)
=============================================================================

:class:`~skbalance.LLMAugmentSampler` raises rare classes with *new* texts
instead of copies: every new text varies one seed example of its class. With
an API key it asks Anthropic's API (``pip install 'skbalance[llm]'``); here it
uses ``generator="offline"``, a deterministic stand-in that swaps words and
inserts stock phrases, so that this page builds without a network.

.. warning::

   This example shows the **plumbing**: the same targets as the duplicating
   samplers, provenance of every new row, the dry run, the duplicate filter.
   The offline texts say nothing about what an LLM's texts would do to a
   model; measure that on your data with :func:`~skbalance.compare_samplers`.
"""

# %%
from collections import Counter

import matplotlib.pyplot as plt
import numpy as np

from skbalance import ImbalanceDisplay, LLMAugmentSampler, load_support_tickets

texts, labels = load_support_tickets(return_X_y=True)
sampler = LLMAugmentSampler(
    generator="offline", cache=None, target_ratio=0.5, random_state=0
)
print(sampler.dry_run(texts, labels))

texts_res, labels_res = sampler.fit_resample(texts, labels)
print("rows per class:", sampler.counts_before_, "->", sampler.counts_after_)

# %%
# A few new "other" tickets next to the seed they vary (``sample_indices_``
# gives the seed of every new row, ``is_synthetic_`` marks them).
new_rows = np.flatnonzero(sampler.is_synthetic_)
for row in new_rows[np.asarray(labels_res)[new_rows] == "other"][:3]:
    print(f"seed: {texts[sampler.sample_indices_[row]]!r}")
    print(f" new: {texts_res[row]!r}\n")

# %%
# Rows per class before and after: the same targets as
# ``RatioOverSampler(target_ratio=0.5)``, filled with new texts.
disp = ImbalanceDisplay.from_labels(labels, y_after=labels_res, log=False)
synthetic = Counter(np.asarray(labels_res)[sampler.is_synthetic_].tolist())
added = ", ".join(f"{label} {n}" for label, n in sorted(synthetic.items()))
disp.ax_.set_title(
    f"Offline generator (plumbing), target_ratio=0.5\nnew texts: {added}"
)
plt.show()
