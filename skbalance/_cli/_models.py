"""Commands that train or call a model on the texts: compare and augment."""

import json
import math

import skbalance
from skbalance._cli._engine import Input
from skbalance._cli._memory import read
from skbalance._cli._parser import UsageError
from skbalance._cli._report import (
    floor_in_shell_words,
    note,
    print_before_after,
    suggested_share,
)
from skbalance._compare import compare_rows
from skbalance._fields import get_field
from skbalance._io import check_output
from skbalance._llm._generators import anthropic_sdk

__all__ = ["augment", "compare"]


def _strategies(n_classes):
    share = suggested_share(n_classes)
    return {
        "none": None,
        "class weights (balanced)": skbalance.ClassWeightComputer(),
        "RatioOverSampler(target_ratio=0.5)": skbalance.RatioOverSampler(
            target_ratio=0.5
        ),
        "RatioOverSampler(target_ratio=1.0)": skbalance.RatioOverSampler(
            target_ratio=1.0
        ),
        f"DomainFloorSampler(min_share={share:g})": skbalance.DomainFloorSampler(
            min_share=share
        ),
    }


def compare(args, *, out, err):
    from collections import Counter

    index = read(Input.from_args(args), text=args.text, offsets=False)
    counts = Counter(index.y.tolist())
    if len(counts) < 2:
        raise ValueError(
            f"{index.path}: only one class ({next(iter(counts))!r}) in "
            f"{args.label!r}; there is nothing to compare."
        )
    rare, n_rare = min(counts.items(), key=lambda kv: (kv[1], str(kv[0])))
    if n_rare < args.cv:
        raise ValueError(
            f"{index.path}: class {rare!r} has {n_rare} record"
            f"{'s' if n_rare > 1 else ''}, fewer than the {args.cv} folds of --cv "
            f"{args.cv}; use --cv {max(n_rare, 2)} or fewer"
            + (", or drop the class." if n_rare < 2 else ".")
        )
    if args.auto:
        _search(args, index, out=out, err=err)
        return
    strategies = _strategies(len(counts))
    for sampler in strategies.values():
        if hasattr(sampler, "random_state"):
            sampler.set_params(random_state=args.seed)
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000))
    # the rows, not compare_samplers' table: the command needs no pandas
    rows, _ = compare_rows(
        strategies,
        model,
        index.texts,
        index.y,
        cv=args.cv,
        scoring=None,
        n_repeats=1,
        random_state=args.seed,
        preprocessor=None,
        error_score=float("nan"),
        n_jobs=args.n_jobs,
        progress=hasattr(err, "isatty") and err.isatty(),
    )
    # best first, a strategy that failed last (list.sort is stable)
    rows.sort(key=lambda r: -r["macro_f1_mean"] if r["error"] is None else math.inf)
    best = rows[0]
    for row in rows:
        row["within_noise_of_best"] = row["error"] is None and (
            best["macro_f1_mean"] - row["macro_f1_mean"]
            <= max(best["macro_f1_std"], row["macro_f1_std"])
        )
    if args.json:
        text = json.dumps(rows, indent=2).replace("NaN", "null")
        print(text, file=out)
    else:
        _print_table(rows, index, args, out)
    note(index, err)


def _search(args, index, *, out, err):
    """``compare --auto``: :class:`skbalance.BalanceSearch` on the texts (a
    TF-IDF + logistic regression pipeline, the vectorizer cached across
    candidates), the last round's candidates and the choice."""
    import tempfile

    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    with tempfile.TemporaryDirectory(prefix="skbalance-compare-") as cache:
        model = make_pipeline(
            TfidfVectorizer(), LogisticRegression(max_iter=1000), memory=cache
        )
        search = skbalance.BalanceSearch(
            model, cv=args.cv, random_state=args.seed, refit=False, n_jobs=args.n_jobs
        ).fit(index.texts, index.y)
    results = search.cv_results_
    last = np.flatnonzero(results["iter"] == search.n_iterations_ - 1)
    last = sorted(last, key=lambda i: -results["mean_test_score"][i])
    rows = [
        {
            "strategy": str(results["strategy"][i]),
            "params": results["params"][i],
            "macro_f1_mean": float(results["mean_test_score"][i]),
            "macro_f1_std": float(results["std_test_score"][i]),
            "chosen": int(i) == int(search.best_index_),
        }
        for i in last
    ]
    if args.json:
        summary = {
            "best_strategy": search.best_strategy_,
            "best_params": search.best_params_,
            "rounds": [
                {"candidates": c, "rows": r}
                for c, r in zip(search.n_candidates_, search.n_resources_, strict=True)
            ],
            "last_round": rows,
        }
        print(json.dumps(summary, indent=2, default=str), file=out)
    else:
        rounds = ", ".join(
            f"{c} on {r} rows"
            for c, r in zip(search.n_candidates_, search.n_resources_, strict=True)
        )
        print(
            f"{index.path}: {len(index)} records, TF-IDF + logistic regression, "
            f"BalanceSearch by successive halving ({rounds} of each training fold; "
            f"{args.cv} folds, seed {args.seed})",
            file=out,
        )
        width = max(len(row["strategy"]) for row in rows)
        print(f"  {'strategy':<{width}}  {'macro F1':>15}", file=out)
        for row in rows:
            macro = f"{row['macro_f1_mean']:.3f} ± {row['macro_f1_std']:.3f}"
            mark = "*" if row["chosen"] else " "
            print(f"{mark} {row['strategy']:<{width}}  {macro:>15}", file=out)
        print(
            f"* chosen: {search.best_strategy_}, the simplest within one standard "
            "error of the best",
            file=out,
        )
    note(index, err)


def _print_table(rows, index, args, out):
    width = max(len(row["strategy"]) for row in rows)
    print(
        f"{index.path}: {len(index)} records, TF-IDF + logistic regression, "
        f"{args.cv}-fold cross-validation (seed {args.seed}); best first",
        file=out,
    )
    print(
        f"  {'strategy':<{width}}  {'train rows':>10}  {'macro F1':>15}  "
        f"{'weighted F1':>11}  {'gap':>6}  {'min recall':>10}",
        file=out,
    )
    for row in rows:
        name = row["strategy"]
        if row["error"] is not None:
            print(f"  {name:<{width}}  failed: {row['error']}", file=out)
            continue
        macro = f"{row['macro_f1_mean']:.3f} ± {row['macro_f1_std']:.3f}"
        tie = "~" if row["within_noise_of_best"] and row is not rows[0] else " "
        print(
            f"{tie} {name:<{width}}  {row['rows_after']:>10.0f}  {macro:>15}  "
            f"{row['weighted_f1_mean']:>11.3f}  {row['gap_mean']:>6.3f}  "
            f"{row['min_recall_mean']:>10.3f}",
            file=out,
        )
    tied = sum(r["within_noise_of_best"] for r in rows[1:])
    if tied:
        print(
            f"~ {tied} within the fold spread of the best (macro F1 apart by no "
            "more than a standard deviation): a tie on this data; prefer the "
            "simplest.",
            file=out,
        )


def _text_fields(items):
    """``--text`` (repeatable, comma-separated): one field, or a list of
    fields rewritten together."""
    fields = [f.strip() for item in items for f in item.split(",") if f.strip()]
    if not fields:
        raise UsageError("--text: give a field, or fields separated by commas.")
    return fields[0] if len(fields) == 1 else fields


def _check_texts(index, records, fields):
    """Every record holds every ``--text`` field: a string, or a list of chat
    messages (objects with a role and a content)."""
    from skbalance._jsonl import JsonlError

    for i, record in enumerate(records):
        for field in [fields] if isinstance(fields, str) else fields:
            try:
                value = get_field(record, field)
            except (KeyError, IndexError, TypeError):
                raise JsonlError(
                    f"{index.where(i)}: no field {field!r} (--text)."
                ) from None
            chat = isinstance(value, list) and all(
                isinstance(m, dict) and "role" in m and "content" in m for m in value
            )
            if not (isinstance(value, str) or (chat and value)):
                raise JsonlError(
                    f"{index.where(i)}: field {field!r} (--text) is "
                    f"{type(value).__name__}; expected a string or a list of chat "
                    "messages (objects with a role and a content)."
                )


def augment(args, *, out, err):
    from skbalance._jsonl import write_jsonl_records

    if args.dry_run and args.output is not None:
        raise UsageError("--dry-run writes nothing; leave -o out.")
    if not args.dry_run and args.output is None:
        raise UsageError("give -o OUT to write the augmented file (or --dry-run).")
    text = _text_fields(args.text)
    if args.output is not None:
        check_output(args.output, force=args.force, inputs=[args.input])
    if args.generator == "anthropic" and not args.dry_run:
        # before the scan: a missing extra costs no read of a large file
        anthropic_sdk("augment")
    index = read(Input.from_args(args))
    records = index.records()
    _check_texts(index, records, text)
    id_field = args.id
    if id_field is None and records and "id" in records[0]:
        id_field = "id"
    sampler = skbalance.LLMAugmentSampler(
        text=text,
        provenance=args.provenance,
        id_field=id_field,
        target_ratio=args.target_ratio,
        min_share=args.min_share,
        model=args.model,
        max_requests=args.max_requests,
        generator=args.generator,
        cache="auto" if args.cache is None else args.cache,
        random_state=args.seed,
    )
    if args.dry_run:
        with floor_in_shell_words(args.min_share, "class"):
            plan = sampler.dry_run(records, index.y)
        print(
            f"{index.path}: {len(index)} records; {plan['requests']} requests to "
            f"{args.model} ({plan['cached']} answered by the cache), about "
            f"{plan['input_tokens']} input and {plan['output_tokens']} output tokens",
            file=out,
        )
        for label, n in plan["rows_to_add"].items():
            print(f"  {label}: +{n} records", file=out)
        note(index, err)
        return
    with floor_in_shell_words(args.min_share, "class"):
        X_out, _ = sampler.fit_resample(records, index.y)
    n = len(index)
    model = args.model if args.generator == "anthropic" else args.generator
    lines = (
        json.dumps(record, ensure_ascii=False).encode("utf-8") for record in X_out[n:]
    )
    write_jsonl_records(index, range(n), args.output, force=args.force, new=lines)
    print_before_after(
        f"LLMAugmentSampler ({model}): {n} records in, {len(X_out)} out "
        f"({len(X_out) - n} new, {sampler.n_requests_} requests, "
        f"{sampler.n_cached_} cached)",
        sampler.counts_before_,
        sampler.counts_after_,
        args.output,
        out=out,
        err=err,
    )
    note(index, err)
