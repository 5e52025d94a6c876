"""Data mixtures over languages on real multilingual chat data (issue #25).

What it measures: how the mix of languages in a training set changes a
classifier's macro F1 in every language, and in the worst one. One
multilingual topic classifier is trained on differently mixed versions of the
same training split and scored on the same untouched test split.

Data: chatterbot-corpus (the ``bench`` extra; skipped with a message when it
is missing), ``chatterbot_corpus/data/<language>/<category>.yml``. A record
is one conversation: domain = language, label = category, text = the turns
joined by newlines. The first user turn alone is no topic signal for many
categories (``humor`` is 52 conversations with 6 distinct first turns,
mostly "Tell me a joke"); the answers carry the topic. File names that
translate or misspell a shared category are mapped to it (``emociones`` ->
``emotion``, ``coversations`` -> ``conversations``, ...: ``ALIASES``).
Exact duplicate texts are removed within each language before splitting (a
text filed under two categories of one language is dropped altogether), so
no copy of a test text is ever in training. Then, in order:

* a (language, category) cell is kept when it has at least ``MIN_CELL``
  texts (a stratified split needs a few rows of it on both sides);
* a category is kept when it has such a cell in at least ``MIN_LANGUAGES``
  languages: the categories shared across languages are what a multilingual
  classifier can transfer, and language-specific files (``tech_support``,
  ``proverbs``) would be a language detector, not a topic;
* a language is kept when it has at least ``MIN_ROWS`` texts and
  ``MIN_CLASSES`` categories left (enough to score a macro F1).

Protocol, per seed: a 70/30 split stratified by the (language, category)
pair (scikit-learn's ``train_test_split`` with the pair as stratum). From the
training split only, with the language as the stratum (``groups=``):

* ``unbalanced``: the training split as it is;
* ``alpha=A``: ``MixtureSampler(temperature=A)`` at the input size, for A in
  0, 0.3, 0.5, 1 (1 is the identity: a check of the sampler, not a strategy);
* ``UniMax E=2`` and ``UniMax E=3``: ``MixtureSampler(max_repeats=E)`` alone
  at the input size. At the input size ``E=1`` is the identity too (every
  language at its cap sums to the input exactly), and with a language skew of
  about 7 a cap of 4 epochs does not bind (it is ``alpha=0``), so the caps are
  2 (tight) and 3 (binding on the four smallest languages only).

Classifier, the same for every training set: a TF-IDF of character 2-4
grams within word boundaries (``char_wb``, sublinear tf, grams of at least
2 texts; it works across scripts), fitted once per seed on the distinct
texts of the training split, then LogisticRegression(solver="saga",
max_iter=2000) fitted on each mixed training set's
rows. Fixing the features isolates what the mixture changes: which rows the
classifier sees, and how often (saga: lbfgs took 5-10 s a fit on this
shared machine, saga under 1 s, for the same model). Score: macro F1 per
language on the test split, over the categories of that language present
in its test rows; the mean over languages and the worst language. Mean +-
std over the seeds.

``--quick`` (2 seeds, no file written) checks only: every mixture's counts
per language equal ``skbalance.mixture_counts`` of the training split's
counts, its rows are training rows (``alpha=1``: each exactly once), and
every language is in the test split.
The full run (10 seeds) writes ``benchmarks/results/mixture.md``.

Run: ``python benchmarks/bench_mixture.py [--quick] [--seeds N] [--out FILE]``.
"""

import argparse
import collections
import os
import sys
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

from skbalance import MixtureSampler, mixture_counts

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import machine  # noqa: E402

MIN_CELL = 8
MIN_LANGUAGES = 5
MIN_ROWS = 100
MIN_CLASSES = 4
TEST_SIZE = 0.3

# file names that are a shared category under another name
ALIASES = {
    "IA": "ai",
    "coversations": "conversations",
    "computer": "computers",
    "dinero": "money",
    "emociones": "emotion",
    "emotions": "emotion",
    "greeting": "greetings",
    "perfilbot": "botprofile",
    "profile": "botprofile",
    "psicologia": "psychology",
    "sport": "sports",
}

STRATEGIES = [
    ("unbalanced", None),
    ("alpha=0", {"temperature": 0.0}),
    ("alpha=0.3", {"temperature": 0.3}),
    ("alpha=0.5", {"temperature": 0.5}),
    ("alpha=1", {"temperature": 1.0}),
    ("UniMax E=2", {"max_repeats": 2}),
    ("UniMax E=3", {"max_repeats": 3}),
]


# -- data -----------------------------------------------------------------------


def load_corpus():
    """Deduplicated (text, language, category) records, and what was dropped."""
    try:
        import chatterbot_corpus
        import yaml
    except ImportError:
        return None
    root = os.path.join(os.path.dirname(chatterbot_corpus.__file__), "data")
    raw = 0
    labels_of = collections.defaultdict(set)  # (language, text) -> categories
    order = []
    for language in sorted(os.listdir(root)):
        folder = os.path.join(root, language)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".yml"):
                continue
            with open(os.path.join(folder, name), encoding="utf-8") as fh:
                doc = yaml.safe_load(fh) or {}
            category = ALIASES.get(name[:-4], name[:-4])
            for conversation in doc.get("conversations") or []:
                if not isinstance(conversation, list) or not conversation:
                    continue
                raw += 1
                text = "\n".join(str(turn).strip() for turn in conversation)
                key = (language, text)
                if key not in labels_of:
                    order.append(key)
                labels_of[key].add(category)
    records = [(t, lang, next(iter(labels_of[lang, t]))) for lang, t in order]
    conflicting = sum(len(labels_of[k]) > 1 for k in order)
    records = [r for r, k in zip(records, order, strict=True) if len(labels_of[k]) == 1]
    return records, {"raw": raw, "unique": len(order), "conflicting": conflicting}


def select(records):
    """Keep the shared categories and the languages with enough of them."""
    cells = collections.Counter((lang, cat) for _, lang, cat in records)
    big = {cell for cell, n in cells.items() if n >= MIN_CELL}
    spread = collections.Counter(cat for _, cat in big)
    categories = sorted(c for c, k in spread.items() if k >= MIN_LANGUAGES)
    kept = [r for r in records if (r[1], r[2]) in big and r[2] in categories]
    rows = collections.Counter(lang for _, lang, _ in kept)
    classes = collections.Counter(lang for lang, cat in big if cat in categories)
    languages = sorted(
        lang for lang in rows if rows[lang] >= MIN_ROWS and classes[lang] >= MIN_CLASSES
    )
    kept = [r for r in kept if r[1] in languages]
    categories = sorted({cat for _, _, cat in kept})
    return kept, languages, categories


# -- one seed -------------------------------------------------------------------


def run_seed(texts, langs, y, languages, seed, check):
    """Macro F1 per language and rows per language of every training set."""
    strata = np.char.add(np.char.add(langs.astype(str), "|"), y.astype(str))
    train, test = train_test_split(
        np.arange(len(y)), test_size=TEST_SIZE, stratify=strata, random_state=seed
    )
    if check:
        assert set(langs[test]) == set(languages), "a language is missing from test"
    vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, min_df=2
    )
    X_train = vectorizer.fit_transform(texts[train])
    X_test = vectorizer.transform(texts[test])
    counts = collections.Counter(langs[train])
    train_counts = np.array([counts[lang] for lang in languages])
    out = {}
    for name, params in STRATEGIES:
        if params is None:
            rows = np.arange(len(train))
        else:
            sampler = MixtureSampler(**params, random_state=seed)
            sampler.fit(X_train, y[train], groups=langs[train])
            rows = sampler.sample_indices_
            if check:
                expected = mixture_counts(train_counts, **params)
                got = collections.Counter(langs[train][rows])
                assert [got[lang] for lang in languages] == expected.tolist(), name
                assert rows.min() >= 0 and rows.max() < len(train), name
                if params == {"temperature": 1.0}:
                    assert np.array_equal(np.sort(rows), np.arange(len(train))), name
        used = collections.Counter(langs[train][rows])
        model = LogisticRegression(solver="saga", max_iter=2000, random_state=seed)
        model.fit(X_train[rows], y[train][rows])
        pred = model.predict(X_test)
        f1 = {}
        for lang in languages:
            mask = langs[test] == lang
            present = np.unique(y[test][mask])
            f1[lang] = f1_score(
                y[test][mask],
                pred[mask],
                labels=present,
                average="macro",
                zero_division=0,
            )
        out[name] = {"f1": f1, "rows": {lang: used[lang] for lang in languages}}
    return out


# -- report ---------------------------------------------------------------------


def summarize(runs, languages):
    """Per strategy: mean and std over seeds of every language, the mean, the worst."""
    table = {}
    for name, _ in STRATEGIES:
        per_seed = np.array(
            [[run[name]["f1"][lang] for lang in languages] for run in runs]
        )
        cols = {lang: per_seed[:, j] for j, lang in enumerate(languages)}
        cols["mean"] = per_seed.mean(axis=1)
        cols["worst"] = per_seed.min(axis=1)
        worst = collections.Counter(languages[j] for j in per_seed.argmin(axis=1))
        rows = {
            lang: np.mean([run[name]["rows"][lang] for run in runs])
            for lang in languages
        }
        table[name] = {
            "mean": {k: v.mean() for k, v in cols.items()},
            "std": {k: v.std() for k, v in cols.items()},
            "worst_language": ", ".join(f"{k} ({v})" for k, v in worst.most_common()),
            "rows": rows,
        }
    return table


def render(table, languages, info, n_seeds, seconds):
    cols = [*languages, "mean", "worst"]
    base = table["unbalanced"]["mean"]
    best = {c: max(table[n]["mean"][c] for n, _ in STRATEGIES) for c in cols}
    lines = [
        "# Data mixtures over languages: chatterbot-corpus (issue #25)",
        "",
        f"`python benchmarks/bench_mixture.py` on {machine()}; {n_seeds} seeds, "
        f"{seconds:.0f} s in all.",
        "",
        "## Data",
        "",
        f"chatterbot-corpus: {info['raw']:,} conversations, "
        f"{info['unique']:,} distinct within their language, "
        f"{info['conflicting']} texts filed under two categories of one language "
        f"dropped; kept {info['rows']:,} rows in {len(languages)} "
        f"languages and {len(info['categories'])} categories (cells of at least "
        f"{MIN_CELL} texts, categories in at least {MIN_LANGUAGES} languages, "
        f"languages with at least {MIN_ROWS} rows and {MIN_CLASSES} categories). "
        f"Categories: "
        f"{', '.join(info['categories'])}.",
        "",
        "| language | rows | categories | train rows (70%) |",
        "|---|---:|---:|---:|",
    ]
    for lang in languages:
        lines.append(
            f"| {lang} | {info['counts'][lang]:,} | {info['classes'][lang]} | "
            f"{table['unbalanced']['rows'][lang]:,.0f} |"
        )
    lines += [
        "",
        f"Imbalance ratio over languages (largest / smallest): {info['ir']:.1f}.",
        "",
        "## Macro F1 per language on the test split (mean +- std over seeds)",
        "",
        "Best per column in **bold**; a mean below the unbalanced training set's is "
        "marked with its loss in brackets and a down arrow, e.g. `0.612 +- 0.03 "
        "(-0.021 ↓)`. `worst` is the lowest language's F1 of each seed, averaged.",
        "",
        "| training set | " + " | ".join(cols) + " | worst language (seeds) |",
        "|---|" + "---:|" * len(cols) + "---|",
    ]
    for name, _ in STRATEGIES:
        cells = []
        for c in cols:
            m, s = table[name]["mean"][c], table[name]["std"][c]
            cell = f"{m:.3f} +- {s:.3f}"
            if name != "unbalanced" and m < base[c] - 5e-4:
                cell += f" ({m - base[c]:+.3f} ↓)"
            if m >= best[c] - 5e-7:
                cell = f"**{cell}**"
            cells.append(cell)
        lines.append(
            f"| {name} | " + " | ".join(cells) + f" | {table[name]['worst_language']} |"
        )
    lines += [
        "",
        "## Rows used per language (training rows, mean over seeds)",
        "",
        "| training set | " + " | ".join(languages) + " | total | max epochs |",
        "|---|" + "---:|" * (len(languages) + 2),
    ]
    for name, _ in STRATEGIES:
        rows = table[name]["rows"]
        epochs = max(
            rows[lang] / table["unbalanced"]["rows"][lang] for lang in languages
        )
        lines.append(
            f"| {name} | "
            + " | ".join(f"{rows[lang]:,.0f}" for lang in languages)
            + f" | {sum(rows.values()):,.0f} | {epochs:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="2 seeds, checks only (CI)"
    )
    parser.add_argument("--seeds", type=int, default=None, help="seeds (default 10)")
    parser.add_argument("--out", default=None, help="markdown file of the results")
    args = parser.parse_args(argv)
    n_seeds = args.seeds or (2 if args.quick else 10)
    out = args.out or (
        None
        if args.quick
        else os.path.join(os.path.dirname(__file__), "results", "mixture.md")
    )
    start = time.perf_counter()
    loaded = load_corpus()
    if loaded is None:
        print("skipped: chatterbot-corpus (pip install -e '.[bench]')")
        return 0
    records, info = loaded
    kept, languages, categories = select(records)
    texts = np.array([r[0] for r in kept], dtype=object)
    langs = np.array([r[1] for r in kept])
    y = np.array([r[2] for r in kept])
    counts = collections.Counter(langs)
    info.update(
        rows=len(kept),
        categories=categories,
        counts=counts,
        classes={lang: len(set(y[langs == lang])) for lang in languages},
        ir=max(counts.values()) / min(counts.values()),
    )
    print(
        f"{info['raw']} conversations, {info['unique']} distinct within a language, "
        f"{len(kept)} kept; {len(languages)} languages, {len(categories)} categories"
    )
    for lang in sorted(languages, key=lambda lang: -counts[lang]):
        n_classes = info["classes"][lang]
        print(f"  {lang:20s} {counts[lang]:5d} rows  {n_classes:2d} categories")
    print(f"imbalance ratio over languages: {info['ir']:.1f}")
    runs = []
    for seed in range(n_seeds):
        t0 = time.perf_counter()
        runs.append(run_seed(texts, langs, y, languages, seed, check=True))
        print(f"seed {seed}: {time.perf_counter() - t0:.1f} s")
    table = summarize(runs, languages)
    for name, _ in STRATEGIES:
        m = table[name]["mean"]
        print(
            f"{name:12s} mean {m['mean']:.3f}  worst {m['worst']:.3f}  "
            f"rows {sum(table[name]['rows'].values()):,.0f}"
        )
    seconds = time.perf_counter() - start
    print(f"{seconds:.1f} s")
    if out:
        text = render(table, languages, info, n_seeds, seconds)
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(text)
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
