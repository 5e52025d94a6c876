"""
How far to rebalance: share floors and ratios on support tickets
================================================================

The bundled support tickets are 50% billing, 30% technical, 15% account and 5%
other. We train TF-IDF + logistic regression inside an imbalanced-learn
pipeline, so that only the training folds are over-sampled, and compare how
far to go: share floors from 0 (no balancing) to 25% (1:1 for four classes),
and ratios of the largest class from 0.1 to 1. Macro-F1 weighs every class
alike; the recall of "other" shows what the rare class gets.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from imblearn.pipeline import make_pipeline
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import make_scorer, recall_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from skbalance import DomainFloorSampler, RatioOverSampler, load_support_tickets

texts, labels = load_support_tickets(return_X_y=True)
cv = StratifiedKFold(5, shuffle=True, random_state=0)
scoring = {
    "macro_f1": "f1_macro",
    "recall_other": make_scorer(recall_score, labels=["other"], average="macro"),
}


def scan(sampler, param, values):
    pipe = make_pipeline(sampler, TfidfVectorizer(), LogisticRegression())
    grid = GridSearchCV(pipe, {param: values}, scoring=scoring, refit=False, cv=cv)
    grid.fit(texts, labels)
    res = grid.cv_results_
    return res["mean_test_macro_f1"], res["mean_test_recall_other"]


floors = [0.0, 0.05, 0.1, 0.15, 0.2, 0.25]
ratios = [0.1, 0.2, 0.3, 0.5, 0.75, 1.0]
floor_f1, floor_recall = scan(
    DomainFloorSampler(random_state=0), "domainfloorsampler__min_share", floors
)
ratio_f1, ratio_recall = scan(
    RatioOverSampler(random_state=0), "ratiooversampler__target_ratio", ratios
)

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5), sharey=True)
ax1.plot(floors, floor_f1, "o-", label="macro-F1")
ax1.plot(floors, floor_recall, "s--", label="recall of 'other'")
ax1.set_xlabel("DomainFloorSampler min_share")
ax1.set_ylabel("5-fold CV score")
ax2.plot(ratios, ratio_f1, "o-", label="macro-F1")
ax2.plot(ratios, ratio_recall, "s--", label="recall of 'other'")
ax2.set_xlabel("RatioOverSampler target_ratio")
ax1.legend()
for ax in (ax1, ax2):
    ax.grid(alpha=0.3)
fig.suptitle("Support tickets: how far to rebalance")
fig.tight_layout()
print("best floor:", floors[int(np.argmax(floor_f1))])
print("best ratio:", ratios[int(np.argmax(ratio_f1))])
plt.show()
