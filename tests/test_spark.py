"""skbalance.spark on a local[2] Spark session, against the in-memory API."""

import json
import re
import sys
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from skbalance import (
    ClassWeightComputer,
    DomainFloorSampler,
    MixtureSampler,
    RatioOverSampler,
    StratifiedLabelKFold,
    StratifiedTripleSplit,
    imbalance_report,
    stratified_partition,
)

# pyspark warns (FutureWarning, an error in this suite) that pandas 3 is new
# to it; skbalance.spark uses no pandas
pytestmark = pytest.mark.filterwarnings(
    "ignore:PySpark does not yet fully support pandas:FutureWarning"
)


@pytest.fixture(scope="session")
def sks(spark):
    from skbalance import spark as module

    return module


def frame(spark, labels, groups=None):
    """A DataFrame of ids and labels (and groups)."""
    if groups is None:
        rows = [(i, str(y)) for i, y in enumerate(labels)]
        return spark.createDataFrame(rows, "id long, label string")
    rows = [
        (i, str(y), str(g)) for i, (y, g) in enumerate(zip(labels, groups, strict=True))
    ]
    return spark.createDataFrame(rows, "id long, label string, grp string")


def spark_parts(df, part_col="part"):
    """Part of every id."""
    return {r["id"]: r[part_col] for r in df.select("id", part_col).collect()}


def table(labels, part, n_parts):
    """Rows per (class, part), classes sorted."""
    classes = sorted(set(labels))
    labels = np.asarray(labels)
    return np.array(
        [
            [int(np.sum((labels == k) & (part == j))) for j in range(n_parts)]
            for k in classes
        ]
    )


def as_array(part_of, n):
    return np.array([part_of[i] for i in range(n)])


LABELS = [str(y) for y in np.repeat(["a", "b", "c", "d", "e"], [500, 300, 40, 4, 1])]
np.random.RandomState(0).shuffle(LABELS)


# -- splits ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "sizes, keep_rare, seed",
    [([0.7, 0.15, 0.15], True, 0), ([0.8, 0.2], False, 3), ([600, 145, None], True, 7)],
)
def test_partition_counts_are_those_of_the_in_memory_split(
    sks, spark, sizes, keep_rare, seed
):
    df = frame(spark, LABELS)
    got = as_array(
        spark_parts(
            sks.stratified_partition(df, "label", sizes, keep_rare=keep_rare, seed=seed)
        ),
        len(LABELS),
    )
    mem = stratified_partition(
        np.array(LABELS), sizes, keep_rare=keep_rare, random_state=seed
    )
    assert np.array_equal(
        table(LABELS, got, len(sizes)), table(LABELS, mem, len(sizes))
    )
    assert np.array_equal(np.bincount(got), np.bincount(mem))


@given(
    counts=st.lists(st.integers(1, 60), min_size=1, max_size=5),
    sizes=st.sampled_from([[0.7, 0.15, 0.15], [0.5, 0.5], [0.2] * 5]),
    seed=st.integers(0, 2**32 - 1),
)
@example(counts=[1, 2, 1], sizes=[0.7, 0.15, 0.15], seed=3)  # found by CI-like runs
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_partition_property_exact_sizes_within_one(sks, spark, counts, sizes, seed):
    labels = np.repeat([f"k{i}" for i in range(len(counts))], counts)
    if labels.size < len(sizes):
        return
    df = frame(spark, labels)
    got = as_array(
        spark_parts(
            sks.stratified_partition(df, "label", sizes, keep_rare=False, seed=seed)
        ),
        labels.size,
    )
    mem = stratified_partition(labels, sizes, keep_rare=False, random_state=seed)
    tab = table(labels, got, len(sizes))
    assert np.array_equal(tab, table(labels, mem, len(sizes)))
    # the bound of the in-memory allocation (tests/test_split_properties.py):
    # within one of the share by the fractions or of the share by the rounded
    # part sizes, whichever is further (4 rows at 0.7/0.15/0.15: a class of 2
    # may put both rows in the train part of 2; shares 1.4 and 1.0)
    c = np.array(counts)[:, None]
    by_fraction = c * np.array(sizes)[None, :]
    by_size = c * np.bincount(got, minlength=len(sizes)) / labels.size
    low, high = np.minimum(by_fraction, by_size), np.maximum(by_fraction, by_size)
    assert np.all((low - 1 < tab) & (tab < high + 1))


def test_triple_split_is_a_partition_equal_to_the_in_memory_counts(sks, spark):
    df = frame(spark, LABELS)
    with pytest.warns(
        UserWarning,
        match=r"1 class\(es\) have too few examples to be in every part: 'e' \(1\)",
    ):
        parts = sks.triple_split(df, "label", seed=5)
    ids = [sorted(r["id"] for r in p.select("id").collect()) for p in parts]
    assert sorted(sum(ids, [])) == list(range(len(LABELS)))
    with pytest.warns(UserWarning, match="too few examples"):
        mem = next(StratifiedTripleSplit(random_state=5).split(LABELS, LABELS))
    y = np.array(LABELS)
    for got, want in zip(ids, mem, strict=True):
        assert Counter(y[got]) == Counter(y[want])
    assert [p.columns for p in parts] == [df.columns] * 3


def test_split_does_not_depend_on_partitioning_and_is_deterministic(sks, spark):
    df = frame(spark, LABELS)
    first = spark_parts(sks.stratified_partition(df, "label", [0.5, 0.5], seed=1))
    again = spark_parts(
        sks.stratified_partition(df.repartition(7), "label", [0.5, 0.5], seed=1)
    )
    other = spark_parts(sks.stratified_partition(df, "label", [0.5, 0.5], seed=2))
    assert first == again
    assert first != other


def test_groups_never_straddle_and_match_the_in_memory_groups_split(sks, spark):
    groups = [f"g{i % 41}" for i in range(len(LABELS))]
    df = frame(spark, LABELS, groups)
    out = sks.stratified_partition(
        df, "label", [0.7, 0.15, 0.15], groups_col="grp", seed=0
    )
    rows = out.select("id", "grp", "part").collect()
    assert all(
        len({r["part"] for r in rows if r["grp"] == g}) == 1 for g in set(groups)
    )
    got = as_array({r["id"]: r["part"] for r in rows}, len(LABELS))
    mem = stratified_partition(
        np.array(LABELS), [0.7, 0.15, 0.15], groups=np.array(groups), random_state=0
    )
    assert np.array_equal(table(LABELS, got, 3), table(LABELS, mem, 3))


def _kfold_tables(sks, df, labels, n_splits, seed):
    """Rows per (class, fold) of skbalance.spark.kfold and of
    StratifiedLabelKFold with the same seed, and the Spark test ids."""
    folds = sks.kfold(df, "label", n_splits=n_splits, seed=seed)
    test_ids = [sorted(r["id"] for r in te.select("id").collect()) for _, te in folds]
    got = np.full(len(labels), -1)
    for j, t in enumerate(test_ids):
        got[t] = j
    mem = np.full(len(labels), -1)
    cv = StratifiedLabelKFold(n_splits, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # classes below n_splits
        for j, (_, test) in enumerate(cv.split(labels, labels)):
            mem[test] = j
    return table(labels, got, n_splits), table(labels, mem, n_splits), test_ids, folds


def test_kfold_folds_are_exact_and_match_the_in_memory_kfold(sks, spark):
    labels = LABELS[:843]
    df = frame(spark, labels)
    got, mem, test_ids, folds = _kfold_tables(sks, df, labels, 4, 2)
    assert [len(t) for t in test_ids] == [211, 211, 211, 210]
    assert sorted(sum(test_ids, [])) == list(range(843))
    train0 = sorted(r["id"] for r in folds[0][0].select("id").collect())
    assert train0 == sorted(set(range(843)) - set(test_ids[0]))
    assert np.array_equal(got, mem)


def test_kfold_gives_every_class_its_share_of_one_fold_as_in_memory(sks, spark):
    # 65 rows in 3 folds of 22, 22, 21: the class of 9 rows has 3 in every
    # fold (9 / 3), not 4, 3, 2 (its shares of the rounded fold sizes)
    labels = list(np.repeat(["a", "b", "c", "d"], [17, 20, 9, 19]))
    np.random.RandomState(1).shuffle(labels)
    got, mem, test_ids, _ = _kfold_tables(sks, frame(spark, labels), labels, 3, 0)
    assert [len(t) for t in test_ids] == [22, 22, 21]
    assert got.tolist() == mem.tolist()
    assert got[2].tolist() == [3, 3, 3]
    counts = np.array([17, 20, 9, 19])[:, None]
    assert ((counts // 3 <= got) & (got <= -(-counts // 3))).all()


@pytest.mark.parametrize(
    "counts, n_splits, seed",
    [([5, 7, 2], 4, 0), ([10, 11, 3, 1], 3, 4), ([13, 6, 7], 5, 9)],
)
def test_kfold_counts_are_the_in_memory_counts_when_folds_are_uneven(
    sks, spark, counts, n_splits, seed
):
    labels = [str(y) for y in np.repeat(["x", "y", "z", "w"][: len(counts)], counts)]
    assert len(labels) % n_splits != 0
    got, mem, _, _ = _kfold_tables(sks, frame(spark, labels), labels, n_splits, seed)
    assert got.tolist() == mem.tolist()


def test_sampleby_misses_a_rare_class_where_ours_is_exact(sks, spark):
    F = pytest.importorskip("pyspark.sql.functions")
    df = spark.range(10_000).withColumn(
        "label", F.when(F.col("id") < 20, "rare").otherwise("common")
    )
    sampled = [
        Counter(
            r["label"]
            for r in df.sampleBy("label", {"common": 0.15, "rare": 0.15}, seed=s)
            .groupBy("label")
            .count()
            .collect()
            for _ in range(r["count"])
        )
        for s in range(5)
    ]
    ours = []
    for s in range(3):
        part = sks.stratified_partition(df, "label", [0.85, 0.15], seed=s)
        rows = part.filter("part = 1").groupBy("label").count().collect()
        ours.append({r["label"]: r["count"] for r in rows})
    # the exact share of the rare class in a 15% part is 3 rows, of the part 1500
    assert ours == [{"rare": 3, "common": 1497}] * 3
    assert any(c["rare"] != 3 for c in sampled)
    assert any(sum(c.values()) != 1500 for c in sampled)


# -- over-sampling -----------------------------------------------------------------


def test_oversample_ratio_reaches_the_in_memory_targets_exactly(sks, spark):
    df = frame(spark, LABELS)
    out = sks.oversample(df, "label", target_ratio=0.5, seed=0)
    rows = out.select("id", "label").collect()
    sampler = RatioOverSampler(target_ratio=0.5, random_state=0)
    sampler.fit_resample(np.zeros((len(LABELS), 1)), np.array(LABELS))
    assert Counter(r["label"] for r in rows) == Counter(sampler.counts_after_)
    used = Counter(r["id"] for r in rows)
    assert set(used) == set(range(len(LABELS)))  # every original row kept
    for label in ("c", "d", "e"):  # raised: every row used t // c or t // c + 1 times
        uses = {used[i] for i, y in enumerate(LABELS) if y == label}
        assert max(uses) - min(uses) <= 1
    assert out.columns == df.columns


# -- mixtures ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"temperature": 0.3},
        {"temperature": 0, "size": 400},
        {"max_repeats": 3, "size": 600},
        {"weights": {"a": 4, "b": 2, "c": 1, "d": 1, "e": 0}, "min_share": 0.05},
    ],
    ids=["alpha", "uniform", "unimax", "weights"],
)
def test_mix_counts_are_the_in_memory_counts(sks, spark, params):
    df = frame(spark, LABELS)
    rows = sks.mix(df, "label", seed=0, **params).select("id", "label").collect()
    sampler = MixtureSampler(**params, random_state=0)
    sampler.fit_resample(np.zeros((len(LABELS), 1)), np.array(LABELS))
    assert Counter(r["label"] for r in rows) == Counter(
        {k: v for k, v in sampler.counts_after_.items() if v}
    )
    used = Counter(r["id"] for r in rows)
    for label, before in sampler.counts_before_.items():
        after = sampler.counts_after_[label]
        uses = [used[i] for i, y in enumerate(LABELS) if y == label]
        if after <= before:  # lowered: distinct rows
            assert max(uses) <= 1 and sum(uses) == after
        else:  # raised: every row t // c or t // c + 1 times
            assert min(uses) == after // before and max(uses) == -(-after // before)


def test_mix_on_a_domain_column_is_deterministic(sks, spark):
    groups = ["en"] * 700 + ["sw"] * 145
    df = frame(spark, LABELS, groups)
    out = sks.mix(df, "label", domain_col="grp", temperature=0, seed=1)
    ids = sorted(r["id"] for r in out.collect())
    assert ids == sorted(r["id"] for r in out.collect())
    assert Counter(groups[i] for i in ids) == {"en": 423, "sw": 422}
    assert out.columns == df.columns


def test_mix_by_class_counts_the_domain_class_pairs_as_in_memory(sks, spark):
    groups = (["en"] * 600 + ["sw"] * 245)[: len(LABELS)]
    df = frame(spark, LABELS, groups)
    weights = {(g, y): 1 + (g == "sw") for g in ("en", "sw") for y in set(LABELS)}
    pairs = set(zip(groups, LABELS, strict=True))
    weights = {k: w for k, w in weights.items() if k in pairs}
    out = sks.mix(df, "label", domain_col="grp", by_class=True, weights=weights, seed=2)
    sampler = MixtureSampler(
        domain="groups", by_class=True, weights=weights, random_state=0
    )
    X = np.zeros((len(LABELS), 1))
    sampler.fit_resample(X, np.array(LABELS), groups=np.array(groups))
    assert Counter((r["grp"], r["label"]) for r in out.collect()) == Counter(
        {k: v for k, v in sampler.counts_after_.items() if v}
    )
    assert out.columns == df.columns
    with pytest.raises(ValueError, match="'by_class' parameter of mix"):
        sks.mix(df, "label", domain_col="grp", by_class="yes")


def test_mix_checks_its_parameters(sks, spark):
    df = frame(spark, LABELS)
    with pytest.raises(
        ValueError, match=re.escape("The 'temperature' parameter of mix")
    ):
        sks.mix(df, "label", temperature=-1)


def test_oversample_floors_on_a_domain_column_are_met(sks, spark):
    domains = ["en-US"] * 90 + ["en-GB"] * 7 + ["en-AU"] * 3
    labels = ["billing", "technical"] * 50
    rows = [(i, y, d) for i, (y, d) in enumerate(zip(labels, domains, strict=True))]
    df = spark.createDataFrame(rows, "id long, label string, locale string")
    out = sks.oversample(df, "label", min_share=0.2, domain_col="locale", seed=4)
    got = Counter(r["locale"] for r in out.select("locale").collect())
    X = [{"locale": d} for d in domains]
    sampler = DomainFloorSampler(min_share=0.2, domain="locale", random_state=4)
    sampler.fit_resample(X, labels)
    assert got == Counter(sampler.counts_after_)
    total = sum(got.values())
    assert min(got.values()) / total >= 0.2


def test_oversample_relative_floor_and_no_op(sks, spark):
    df = frame(spark, LABELS)
    out = Counter(
        r["label"]
        for r in sks.oversample(df, "label", min_share=0.5, relative=True).collect()
    )
    total = sum(out.values())
    assert min(out.values()) / total >= 0.5 / 5
    same = Counter(
        r["label"] for r in sks.oversample(df, "label", target_ratio=0).collect()
    )
    assert same == Counter(LABELS)  # 0 is a no-op, as in memory


def test_oversample_defaults_to_the_ratio_samplers_default(sks, spark):
    """Neither target given: RatioOverSampler's default (1.0), as
    LLMAugmentSampler; it was a silent no-op."""
    df = frame(spark, LABELS)
    got = Counter(r["label"] for r in sks.oversample(df, "label").collect())
    sampler = RatioOverSampler(random_state=0)
    sampler.fit_resample(np.zeros((len(LABELS), 1)), np.array(LABELS))
    assert got == Counter(sampler.counts_after_) != Counter(LABELS)


# -- reports and weights --------------------------------------------------------------


@pytest.mark.parametrize("with_groups", [False, True])
def test_report_is_the_in_memory_report(sks, spark, with_groups):
    groups = [f"g{i % 3}" for i in range(len(LABELS))] if with_groups else None
    df = frame(spark, LABELS, groups)
    got = sks.imbalance_report(df, "label", groups_col="grp" if with_groups else None)
    want = imbalance_report(LABELS, groups=groups)
    assert got.to_dict() == want.to_dict()
    assert str(got) == str(want)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"strategy": "sqrt", "normalize": "samples"},
        {"strategy": "effective_number", "max_weight": 5.0},
    ],
)
def test_class_weights_json_is_the_in_memory_json(sks, spark, params):
    df = frame(spark, LABELS)
    got = sks.class_weights(df, "label", **params)
    want = ClassWeightComputer(**params).fit(LABELS)
    assert got.to_json() == want.to_json()
    assert np.array_equal(got.sample_weight(["a", "e"]), want.sample_weight(["a", "e"]))


def test_integer_labels_keep_their_type(sks, spark):
    df = spark.createDataFrame([(i, i % 3) for i in range(30)], "id long, label long")
    assert (
        sks.class_weights(df, "label").to_json()
        == ClassWeightComputer().fit([i % 3 for i in range(30)]).to_json()
    )


# -- JSON Lines ------------------------------------------------------------------------


def test_jsonl_lines_are_written_back_byte_identical(sks, spark, tmp_path):
    template = (
        '{{"text": "caf\\u00e9 {}",  "meta": {{"domain": "{}"}}, '
        '"messages": [{{"role": "user"}}], "label": {}}}'
    )
    lines = [
        template.format(i, "gb" if i % 9 == 0 else "us", 1 if i % 7 == 0 else 0)
        for i in range(120)
    ]
    src = tmp_path / "in.jsonl"
    src.write_bytes(
        ("\n".join(lines[:60]) + "\n\n" + "\n".join(lines[60:]) + "\n").encode()
    )
    df = sks.read_jsonl_lines(spark, str(src), "label")
    assert df.columns == ["line", "label"]
    assert Counter(r["label"] for r in df.collect()) == Counter({"0": 102, "1": 18})
    train, val, test = sks.triple_split(df, "label", seed=0)
    written = []
    for name, part in (("train", train), ("val", val), ("test", test)):
        part.select("line").write.text(str(tmp_path / name))
        for f in sorted((tmp_path / name).glob("part-*")):
            written += f.read_bytes().splitlines()
    assert sorted(written) == sorted(line.encode() for line in lines)
    nested = sks.read_jsonl_lines(spark, str(src), "meta.domain", label_col="domain")
    assert Counter(r["domain"] for r in nested.collect()) == Counter(
        {"us": 106, "gb": 14}
    )
    role = sks.read_jsonl_lines(spark, str(src), "messages.0.role")
    assert {r["label"] for r in role.collect()} == {"user"}


# -- errors ---------------------------------------------------------------------


def test_errors_name_the_parameter(sks, spark):
    df = frame(spark, LABELS[:50])
    with pytest.raises(
        TypeError, match=r"df must be a pyspark.sql.DataFrame; got list\."
    ):
        sks.triple_split([1, 2], "label")
    with pytest.raises(
        ValueError,
        match=r"label_col='y' is not a column of the DataFrame; its columns are "
        r"\['id', 'label'\]\.",
    ):
        sks.triple_split(df, "y")
    with pytest.raises(ValueError, match=r"groups_col='g' is not a column"):
        sks.kfold(df, "label", groups_col="g")
    with pytest.raises(
        ValueError, match=r"seed must be an integer in \[0, 2\*\*32\); got -1\."
    ):
        sks.oversample(df, "label", seed=-1)
    with pytest.raises(
        ValueError,
        match=r"sizes must have 3 entries \(train, val, test\); got \(0.5, 0.5\)\.",
    ):
        sks.triple_split(df, "label", sizes=(0.5, 0.5))
    with pytest.raises(ValueError, match=r"n_splits must be an integer >= 2; got 1\."):
        sks.kfold(df, "label", n_splits=1)
    with pytest.raises(
        ValueError, match=r"Cannot have n_splits=60 greater than the 50 rows\."
    ):
        sks.kfold(df, "label", n_splits=60)
    with pytest.raises(
        ValueError, match=r"sizes\[0\] \+ sizes\[1\] = 1.2; fractions must sum to 1"
    ):
        sks.stratified_partition(df, "label", [0.6, 0.6])
    with pytest.raises(
        ValueError, match=r"The 'target_ratio' parameter of oversample must be"
    ):
        sks.oversample(df, "label", target_ratio=2)
    with pytest.raises(
        ValueError, match=r"Got both target_ratio=0.5 and min_share=0.1"
    ):
        sks.oversample(df, "label", target_ratio=0.5, min_share=0.1)
    one = frame(spark, ["x"] * 5)
    with pytest.raises(
        ValueError,
        match=r"^Column 'label' has 1 value \('x'\); oversample needs at least 2 "
        r"values to balance \(one value cannot be imbalanced\)\.$",
    ):
        sks.oversample(one, "label", target_ratio=1.0)


def test_nulls_and_empty_frames_are_errors(sks, spark):
    df = spark.createDataFrame(
        [(1, "a"), (2, None), (3, None)], "id long, label string"
    )
    with pytest.raises(
        ValueError,
        match=r"Column 'label' has 2 missing \(null\) values; drop or fill them "
        r"first\.",
    ):
        sks.imbalance_report(df, "label")
    empty = spark.createDataFrame([], "id long, label string")
    with pytest.raises(ValueError, match=r"The DataFrame is empty \(0 rows\)\."):
        sks.class_weights(empty, "label")


@pytest.mark.parametrize("field", ["", "a..b", "messages.-1.role"])
def test_jsonl_field_paths_are_checked(sks, spark, field):
    with pytest.raises(
        ValueError, match=rf"label_field={field!r} must be a dotted path"
    ):
        sks.read_jsonl_lines(spark, "unused.jsonl", field)


def test_missing_pyspark_names_the_extra(monkeypatch):
    from skbalance import spark as module

    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(ImportError, match=r"pip install 'skbalance\[spark\]'"):
        module.triple_split(object(), "label")


def test_docs_list_the_spark_functions():
    api = (Path(__file__).parents[1] / "docs" / "api.rst").read_text()
    from skbalance import spark as module

    assert all(f"spark.{name}" in api for name in module.__all__)
    assert json.loads(json.dumps(module.__all__)) == sorted(module.__all__)


def test_column_names_with_dots_and_an_existing_part_column(sks, spark):
    rows = [(i, str(y)) for i, y in enumerate(LABELS[:200])]
    df = spark.createDataFrame(rows, "`row id` long, `meta.label` string")
    with pytest.warns(UserWarning, match=r"2 class\(es\) have too few examples"):
        parts = sks.triple_split(df, "meta.label", keep_rare=False, seed=0)
    assert [p.columns for p in parts] == [["row id", "meta.label"]] * 3
    assert sum(p.count() for p in parts) == 200
    over = sks.oversample(df, "meta.label", target_ratio=1.0)
    assert over.columns == ["row id", "meta.label"]
    with pytest.raises(
        ValueError,
        match=r"part_col='meta.label' is already a column of the DataFrame; choose "
        r"another name\.",
    ):
        sks.stratified_partition(df, "meta.label", [0.5, 0.5], part_col="meta.label")


def _counts_per_part(parts, name):
    """Rows of every value of column ``name`` in every DataFrame, in one job
    (the columns renamed by position, so that no name is parsed)."""
    F = pytest.importorskip("pyspark.sql.functions")
    k = parts[0].columns.index(name)
    tagged = [
        p.toDF(*(f"_c{i}" for i in range(len(p.columns)))).select(
            F.lit(j).alias("_j"), f"_c{k}"
        )
        for j, p in enumerate(parts)
    ]
    union = tagged[0]
    for t in tagged[1:]:
        union = union.union(t)
    got = [Counter() for _ in parts]
    for r in union.collect():
        got[r[0]][r[1]] += 1
    return got


def test_names_with_a_backtick_and_a_dot_are_columns_not_paths(sks, spark, tmp_path):
    labels = LABELS[:300]
    groups = [f"g{i % 29}" for i in range(len(labels))]
    df = spark.createDataFrame(
        [(i, y, g) for i, (y, g) in enumerate(zip(labels, groups, strict=True))],
        "`row id` long, `we``ird.col` string, `g``r.p` string",
    )
    name, group = "we`ird.col", "g`r.p"
    y = np.array(labels)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the class of 1 row
        folds = sks.kfold(df, name, n_splits=3, seed=3)
        cv = StratifiedLabelKFold(3, random_state=3)
        want = [Counter(y[t]) for _, t in cv.split(y, y)]
        assert _counts_per_part([te for _, te in folds], name) == want
        parts = sks.triple_split(df, name, groups_col=group, seed=1)
        mem = stratified_partition(
            y, [0.7, 0.15, 0.15], groups=np.array(groups), random_state=1
        )
    assert _counts_per_part(parts, name) == [Counter(y[mem == j]) for j in range(3)]
    assert [p.columns for p in parts] == [df.columns] * 3
    parted = sks.stratified_partition(df, name, [0.5, 0.5], part_col="p`a.rt")
    assert parted.columns == [*df.columns, "p`a.rt"]
    assert sorted(Counter(r["p`a.rt"] for r in parted.collect()).values()) == [150] * 2
    over = sks.oversample(df, name, target_ratio=1.0, seed=0)
    sampler = RatioOverSampler(target_ratio=1.0, random_state=0)
    _, want = sampler.fit_resample(np.zeros((y.size, 1)), y)
    assert Counter(r[name] for r in over.collect()) == Counter(want)
    by_group = sks.oversample(df, name, domain_col=group, min_share=0.03)
    assert by_group.columns == df.columns
    assert min(Counter(r[group] for r in by_group.collect()).values()) >= 10
    report = sks.imbalance_report(df, name, groups_col=group)
    assert report.to_dict() == imbalance_report(y, groups=groups).to_dict()
    weights = sks.class_weights(df, name, strategy="sqrt")
    assert weights.to_json() == ClassWeightComputer(strategy="sqrt").fit(y).to_json()
    path = tmp_path / "x.jsonl"
    path.write_text('{"y": "a"}\n\n{"y": "b"}\n')
    lines = sks.read_jsonl_lines(
        spark, str(path), "y", line_col="li`ne.x", label_col="la`bel.y"
    )
    assert [tuple(r) for r in lines.collect()] == [
        ('{"y": "a"}', "a"),
        ('{"y": "b"}', "b"),
    ]
