"""Exact stratified splits, floors, over-sampling and mixtures on Spark DataFrames.

Install with ``pip install 'skbalance[spark]'``; pyspark is imported on first
use. The plans of skbalance depend only on per-stratum counts, so every
function here runs in three steps:

1. **one aggregation** brings the row counts per stratum (per stratum and
   hash bucket, or per group and class) to the driver: a small table, never
   a row of data;
2. the driver computes the quotas with the pure functions of the in-memory
   estimators (:func:`~skbalance._allocation.allocate_classes` for splits,
   :func:`~skbalance._targets.stratum_targets` for over-sampling,
   :func:`skbalance.mixture_counts` for mixtures), so the
   per-class counts are those of :func:`skbalance.stratified_partition`,
   :class:`skbalance.StratifiedTripleSplit`,
   :class:`skbalance.StratifiedLabelKFold` (fold sizes and shares from
   :func:`~skbalance._sizes.fold_parts`) and the samplers for the same data
   and seed;
3. the executors assign or replicate the rows: every row gets a random rank
   in its stratum from a hash of ``(seed, the row's values)``, and a small
   broadcast table turns the rank into a part or a number of copies.

Nothing depends on the number or the sizes of the partitions, and the
result is a lazy DataFrame: re-evaluating it (each of the three parts of a
split re-runs the plan unless cached) gives the same rows, because the ranks
come from the row values, not from their position. Identical rows may trade
places, which changes nothing.

The functions take a DataFrame and column names, so a command line can call
them on the lines of a JSON Lines file read as text
(:func:`read_jsonl_lines`) and write the raw line column back unchanged:
``skbalance analyze|split|balance|weights --engine spark`` does that, on JSON
Lines and Parquet (see the command line guide).
"""

import numpy as np

from skbalance._class_weight import ClassWeightComputer
from skbalance._compat import validate_parameter_constraints
from skbalance._constraints import (
    MAX_REPEATS,
    MIN_SHARE,
    SIZE,
    TARGET_RATIO,
    TEMPERATURE,
    WEIGHTS,
)
from skbalance._diagnostics import ImbalanceReport
from skbalance._mixture_plan import mixture_counts
from skbalance._sizes import check_n_splits, fold_parts
from skbalance._spark_plan import (
    RARE_ORDER,
    check_df,
    count_rows,
    exact_col,
    oversample_plan,
    partition,
    pyspark_module,
    resample_plan,
    sorted_keys,
)
from skbalance._targets import default_target

__all__ = [
    "class_weights",
    "imbalance_report",
    "kfold",
    "mix",
    "oversample",
    "read_jsonl_lines",
    "stratified_partition",
    "triple_split",
]


def stratified_partition(
    df, label_col, sizes, *, groups_col=None, keep_rare=True, seed=0, part_col="part"
):
    """The DataFrame with the part of every row, stratified on a column.

    The Spark counterpart of :func:`skbalance.stratified_partition`: the same
    part sizes and the same number of rows of every class in every part for
    the same counts, ``sizes`` and ``seed`` (only which rows of a class go
    where differs). Part sizes are exact and every class count is within one
    of its exact share (see the in-memory function for rare classes); with
    ``groups_col`` the rows of a group share a part.

    Parameters
    ----------
    df : pyspark.sql.DataFrame
        The rows.
    label_col : str
        Column of the class labels (no nulls).
    sizes : sequence of float, int or None
        Size of every part: fractions summing to 1 or counts summing to the
        number of rows; one entry may be None (the rest).
    groups_col : str, default=None
        Column of group ids; the (group, class) counts go to the driver.
    keep_rare : bool, default=True
        Put at least one row of every class with at least
        ``max(3, len(sizes))`` rows in every part.
    seed : int, default=0
        Fixes the quotas (as ``random_state``) and the rows drawn.
    part_col : str, default="part"
        Name of the added column, ``0 .. len(sizes) - 1``.

    Returns
    -------
    pyspark.sql.DataFrame
        ``df``'s columns and ``part_col``; lazy, deterministic.
    """
    return partition(df, label_col, sizes, groups_col, keep_rare, seed, part_col)


def triple_split(
    df, label_col, *, sizes=(0.7, 0.15, 0.15), groups_col=None, keep_rare=True, seed=0
):
    """Train, validation and test DataFrames with exact, stratified sizes.

    The Spark counterpart of :class:`skbalance.StratifiedTripleSplit`: the
    same per-class counts in every part for the same data and seed (part
    sizes exact, every class within one of its exact share, a class of 1 or
    2 rows goes to train, then test, with a warning; never an error).

    Parameters
    ----------
    df : pyspark.sql.DataFrame
        The rows.
    label_col : str
        Column of the class labels (no nulls).
    sizes : tuple of 3 float, int or None, default=(0.7, 0.15, 0.15)
        Fractions summing to 1 or counts summing to the number of rows.
    groups_col : str, default=None
        Rows with the same group land in the same part.
    keep_rare : bool, default=True
        Put every class of at least 3 rows in every part.
    seed : int, default=0
        As ``random_state=seed`` in memory.

    Returns
    -------
    train, val, test : pyspark.sql.DataFrame
        Disjoint, covering ``df``; each re-runs the plan when evaluated
        (cache the input, or ``stratified_partition``'s output, to run it
        once).
    """
    if len(sizes) != 3:
        raise ValueError(
            f"sizes must have 3 entries (train, val, test); got {sizes!r}."
        )
    parted = partition(
        df, label_col, sizes, groups_col, keep_rare, seed, "_sk_part", RARE_ORDER
    )
    return tuple(
        parted.filter(pyspark_module().col("_sk_part") == j).drop("_sk_part")
        for j in range(3)
    )


def kfold(df, label_col, n_splits=5, *, groups_col=None, keep_rare=True, seed=0):
    """Stratified k-fold (train, test) pairs of DataFrames.

    The Spark counterpart of :class:`skbalance.StratifiedLabelKFold`: the
    same fold sizes (the first ``n % n_splits`` folds one row larger) and
    the same rows of every class in every fold for the same counts and seed,
    every class's count in every fold its exact share ``count / n_splits``
    rounded down or up.

    Parameters
    ----------
    df : pyspark.sql.DataFrame
        The rows.
    label_col : str
        Column of the class labels (no nulls).
    n_splits : int, default=5
        Number of folds, at least 2.
    groups_col : str, default=None
        Rows with the same group land in the same fold.
    keep_rare : bool, default=True
        Put every class of at least ``max(3, n_splits)`` rows in every fold.
    seed : int, default=0
        As ``random_state=seed`` in memory.

    Returns
    -------
    list of (train, test) pairs of pyspark.sql.DataFrame
    """
    check_n_splits(n_splits)
    parted = partition(
        df,
        label_col,
        lambda n: fold_parts(n, n_splits),
        groups_col,
        keep_rare,
        seed,
        "_sk_fold",
    )
    fold = pyspark_module().col("_sk_fold")
    return [
        (
            parted.filter(fold != j).drop("_sk_fold"),
            parted.filter(fold == j).drop("_sk_fold"),
        )
        for j in range(n_splits)
    ]


def oversample(
    df,
    label_col,
    *,
    target_ratio=None,
    min_share=None,
    relative=False,
    domain_col=None,
    seed=0,
):
    """Replicate rows so that every stratum reaches exactly its target count.

    The targets are those of :class:`skbalance.RatioOverSampler`
    (``target_ratio``) and :class:`skbalance.DomainFloorSampler`
    (``min_share``, ``relative``), from the same function. A stratum raised
    from ``c`` to ``t`` rows keeps every row and copies each one
    ``(t - c) // c`` times, plus one more copy of ``(t - c) % c`` rows drawn
    without replacement, as in memory.

    Parameters
    ----------
    df : pyspark.sql.DataFrame
        The rows.
    label_col : str
        Column of the class labels (no nulls): the strata unless
        ``domain_col`` is given.
    target_ratio : float in [0, 1] or None, default=None
        Raise every stratum to this fraction of the largest; 0 keeps the
        data as it is. 1.0 (as :class:`skbalance.RatioOverSampler`) when
        neither this nor ``min_share`` is given.
    min_share : float in [0, 1] or None, default=None
        Give every stratum at least this share of the output (the fewest
        added rows that do). Cannot be combined with ``target_ratio``.
    relative : bool, default=False
        ``min_share`` is a fraction of the uniform share ``1 / n_strata``.
    domain_col : str, default=None
        Column of the domains to use as strata instead of the classes.
    seed : int, default=0
        Chooses the rows that get one more copy.

    Returns
    -------
    pyspark.sql.DataFrame
        ``df``'s rows (with copies), same columns; lazy, deterministic.
    """
    check_df(df, seed, label_col=label_col, domain_col=domain_col)
    validate_parameter_constraints(
        {"target_ratio": TARGET_RATIO, "min_share": MIN_SHARE, "relative": ["boolean"]},
        {"target_ratio": target_ratio, "min_share": min_share, "relative": relative},
        "oversample",
    )
    stratum = label_col if domain_col is None else domain_col
    return oversample_plan(
        df,
        stratum,
        target_ratio=default_target(target_ratio, min_share),
        min_share=min_share,
        relative=relative,
        seed=seed,
    )[0]


def mix(
    df,
    label_col,
    *,
    weights=None,
    temperature=None,
    max_repeats=None,
    size=None,
    min_share=None,
    domain_col=None,
    by_class=False,
    seed=0,
):
    """Resample the strata of a DataFrame to a target mixture, exactly.

    The counts per stratum are those of :class:`skbalance.MixtureSampler`,
    from the same function (:func:`skbalance.mixture_counts`). A stratum
    lowered from ``c`` to ``t`` rows keeps ``t`` rows drawn without
    replacement; one raised keeps every row and copies each ``t // c - 1``
    times, plus one more copy of ``t % c`` rows drawn without replacement.

    Parameters
    ----------
    df : pyspark.sql.DataFrame
        The rows.
    label_col : str
        Column of the class labels (no nulls): the strata unless
        ``domain_col`` is given.
    weights : dict, default=None
        ``{stratum: weight}``, normalised to shares (0 drops a stratum).
    temperature : float >= 0, default=None
        Share proportional to ``n_i ** temperature``.
    max_repeats : float > 0, default=None
        At most ``floor(max_repeats * n_i)`` rows per stratum; alone, UniMax.
    size : int >= 1 or float > 0, default=None
        Rows of the output (a float: a multiple of the input's rows); None
        keeps the input's size.
    min_share : float in [0, 1], default=None
        Every stratum gets at least ``ceil(min_share * size)`` rows.
    domain_col : str, default=None
        Column of the domains to use as strata instead of the classes.
    by_class : bool, default=False
        With ``domain_col``, make the strata the ``(domain, class)`` pairs
        (the keys of ``weights`` then), as :class:`skbalance.MixtureSampler`.
    seed : int, default=0
        Chooses the rows that stay and the rows that get one more copy.

    Returns
    -------
    pyspark.sql.DataFrame
        The mixture, same columns; lazy, deterministic.
    """
    check_df(df, seed, label_col=label_col, domain_col=domain_col)
    params = {
        "weights": weights,
        "temperature": temperature,
        "max_repeats": max_repeats,
        "size": size,
        "min_share": min_share,
    }
    validate_parameter_constraints(
        {
            "weights": WEIGHTS,
            "temperature": TEMPERATURE,
            "max_repeats": MAX_REPEATS,
            "size": SIZE,
            "min_share": MIN_SHARE,
            "by_class": ["boolean"],
        },
        {**params, "by_class": by_class},
        "mix",
    )

    def targets(counts, keys):
        return mixture_counts(counts, keys=keys, **params)

    if domain_col is None or not by_class:
        stratum = label_col if domain_col is None else domain_col
        return resample_plan(df, stratum, targets, who="mix", seed=seed)[0]
    F = pyspark_module()
    pairs = df.withColumn(
        "_sk_pair", F.struct(exact_col(domain_col), exact_col(label_col))
    )
    out = resample_plan(pairs, "_sk_pair", targets, who="mix", seed=seed)[0]
    return out.drop("_sk_pair")


def _report_counts(df, label_col, groups_col):
    check_df(df, label_col=label_col, groups_col=groups_col)
    names = [label_col] if groups_col is None else [label_col, groups_col]
    return count_rows(df, names)


def imbalance_report(df, label_col, groups_col=None):
    """Counts, shares, imbalance ratio and severity of a DataFrame column.

    The same :class:`skbalance.ImbalanceReport` (and ``to_dict()`` JSON) as
    :func:`skbalance.imbalance_report` on the collected column, from one
    aggregation.

    Parameters
    ----------
    df : pyspark.sql.DataFrame
        The rows.
    label_col : str
        Column of the class labels (no nulls).
    groups_col : str, default=None
        Column of a second variable (the domain): the report then gives the
        counts per group and class.

    Returns
    -------
    ImbalanceReport
    """
    rows = _report_counts(df, label_col, groups_col)
    classes = sorted_keys(k[0] for k, _ in rows)
    totals = dict.fromkeys(classes, 0)
    for key, c in rows:
        totals[key[0]] += c
    by_count = sorted(classes, key=lambda k: -totals[k])  # stable: ties sorted
    group_counts = None
    if groups_col is not None:
        groups = sorted_keys(k[1] for k, _ in rows)
        table = {g: dict.fromkeys(by_count, 0) for g in groups}
        for (label, group), c in rows:
            table[group][label] = c
        order = sorted(groups, key=lambda g: -sum(table[g].values()))
        group_counts = {g: table[g] for g in order}
    return ImbalanceReport(
        counts={k: totals[k] for k in by_count},
        n_samples=sum(totals.values()),
        group_counts=group_counts,
    )


def class_weights(df, label_col, **params):
    """Class weights of a DataFrame column, as a fitted ClassWeightComputer.

    The same weights, ``to_json()`` and ``sample_weight`` as
    ``ClassWeightComputer(**params).fit(y)`` on the collected column, from one
    aggregation (:meth:`~skbalance.ClassWeightComputer.fit_counts`).

    Parameters
    ----------
    df : pyspark.sql.DataFrame
        The rows.
    label_col : str
        Column of the class labels (no nulls).
    **params : dict
        Parameters of :class:`skbalance.ClassWeightComputer` (``strategy``,
        ``beta``, ``normalize``, ``max_weight``).

    Returns
    -------
    ClassWeightComputer
        Fitted.
    """
    rows = _report_counts(df, label_col, None)
    classes = sorted_keys(k[0] for k, _ in rows)
    count_of = {k[0]: c for k, c in rows}
    return ClassWeightComputer(**params).fit_counts(
        np.array(classes), np.array([count_of[k] for k in classes], dtype=np.int64)
    )


def read_jsonl_lines(spark, path, label_field, *, line_col="line", label_col="label"):
    """The lines of JSON Lines files with one field extracted, for any of the
    functions above; write ``line_col`` back to keep records byte-identical.

    Lines are read as text (``spark.read.text``), blank lines are skipped as
    in the in-memory reader, and the field is read with Spark's
    ``get_json_object``: a string value as it is, any other value as its JSON
    text (``1``, ``true``, ``{"a": 1}``). A line that is not JSON, or lacks
    the field, has a null label, which the other functions reject by count.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
        The session.
    path : str or list of str
        Files, directories or globs, as ``spark.read.text`` takes them.
    label_field : str
        Dotted path of the field, as in the command line: ``"label"``,
        ``"meta.domain"``, ``"messages.0.role"`` (no negative indices).
    line_col, label_col : str, default="line", "label"
        Names of the two columns.

    Returns
    -------
    pyspark.sql.DataFrame
        Columns ``line_col`` (the raw line) and ``label_col`` (a string).
    """
    F = pyspark_module()
    parts = label_field.split(".")
    if not label_field or any(not p or p.startswith("-") for p in parts):
        raise ValueError(
            f"label_field={label_field!r} must be a dotted path of keys and "
            "non-negative list indices, such as 'meta.domain' or 'messages.0.role'."
        )
    json_path = "$" + "".join(f"[{p}]" if p.isdigit() else f"['{p}']" for p in parts)
    lines = spark.read.text(path).withColumnRenamed("value", line_col)
    line = exact_col(line_col)
    lines = lines.filter(F.trim(line) != "")
    return lines.withColumn(label_col, F.get_json_object(line, json_path))
