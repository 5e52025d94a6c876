"""The command line with --engine spark, against --engine memory on the same
files: the same reports, weights, per-class counts and messages, records byte
for byte. Runs in-process on the local[2] session of tests/conftest.py."""

import io
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skbalance._cli import main

pytestmark = pytest.mark.filterwarnings(
    "ignore:PySpark does not yet fully support pandas:FutureWarning"
)

TICKETS = (
    Path(__file__).resolve().parents[1] / "skbalance" / "data" / "support_tickets.jsonl"
)


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def both(*argv):
    """The in-memory run, then the Spark run."""
    return run(*argv), run(*argv, "--engine", "spark")


@pytest.fixture
def tickets(tmp_path, spark):
    """The bundled tickets (1,000 records, 4 classes, a locale field)."""
    path = tmp_path / "tickets.jsonl"
    shutil.copy(TICKETS, path)
    return path


def lines(path):
    return Path(path).read_bytes().splitlines(keepends=True)


def is_subsequence(part, whole):
    it = iter(whole)
    return all(any(x == y for y in it) for x in part)


# -- analyze, weights --


def test_analyze_json_is_the_in_memory_json(tickets):
    memory, spark = both("analyze", tickets, "--domain", "locale", "--json")
    assert memory[0] == spark[0] == 0
    assert json.loads(spark[1]) == json.loads(memory[1])
    assert json.loads(spark[1])["n_samples"] == 1000


def test_analyze_counts_missing_labels_and_duplicates_with_their_lines(tmp_path, spark):
    path = tmp_path / "x.jsonl"
    rows = ['{"label": "a"}', '{"label": "b"}', '{"other": 1}', '{"label": "a"}']
    rows += ['{"label": null}', '{"label": "b"}', "", '{"label": "c", "k": 1}']
    path.write_text("\n".join(rows) + "\n")
    memory, spark_run = both("analyze", path, "--json")
    got = json.loads(spark_run[1])
    assert got == json.loads(memory[1])
    assert (got["missing_label"], got["missing_label_lines"]) == (2, [3, 5])
    assert got["duplicate_records"] == 2
    text_memory, text_spark = both("analyze", path)
    assert text_spark == text_memory


@pytest.mark.parametrize("strategy", ["balanced", "effective_number"])
def test_weights_json_is_the_in_memory_json(tickets, strategy):
    memory, spark = both("weights", tickets, "--strategy", strategy)
    assert spark == memory
    assert set(json.loads(spark[1])["class_weights"]) == {
        "billing",
        "technical",
        "account",
        "other",
    }


def test_number_and_boolean_labels_keep_their_type(tmp_path, spark):
    path = tmp_path / "n.jsonl"
    path.write_text(
        "".join(json.dumps({"y": i % 3, "b": i % 4 == 0}) + "\n" for i in range(30))
    )
    for label in ("y", "b"):
        memory, spark_run = both("weights", path, "--label", label)
        assert spark_run == memory
        assert memory[0] == 0


# -- split --


def test_split_has_the_in_memory_counts_and_the_records_byte_for_byte(
    tickets, tmp_path
):
    (code_m, out_m, _), (code_s, out_s, err_s) = (
        run(
            "split",
            tickets,
            "--out-dir",
            tmp_path / "m",
            "--seed",
            "7",
            "--domain",
            "locale",
        ),
        run(
            "split",
            tickets,
            "--out-dir",
            tmp_path / "s",
            "--seed",
            "7",
            "--domain",
            "locale",
            "--engine",
            "spark",
        ),
    )
    assert (code_m, code_s, err_s) == (0, 0, "")
    assert out_s.replace(str(tmp_path / "s"), "D") == out_m.replace(
        str(tmp_path / "m"), "D"
    )
    source = lines(tickets)
    parts = [lines(tmp_path / "s" / f"{n}.jsonl") for n in ("train", "val", "test")]
    assert [len(p) for p in parts] == [700, 150, 150]
    assert Counter(sum(parts, [])) == Counter(source)  # disjoint, covering
    for part in parts:
        assert is_subsequence(part, source)  # input order


def test_split_groups_and_duplicates_never_straddle(tmp_path, spark):
    path = tmp_path / "g.jsonl"
    rows = [
        {
            "text": f"Ticket  {i % 45}" if i % 2 else f"ticket {i % 45}",
            "label": "ab"[i % 5 == 0],
            "user": i % 23,
        }
        for i in range(200)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    for option in (["--group", "user"], ["--dedupe", "--text", "text"]):
        out_dir = tmp_path / option[1].strip("-")
        code, _, err = run(
            "split", path, "--out-dir", out_dir, *option, "--engine", "spark"
        )
        assert (code, err) == (0, "")
        seen = {}
        for j, name in enumerate(("train", "val", "test")):
            for line in lines(out_dir / f"{name}.jsonl"):
                r = json.loads(line)
                key = (
                    r["user"]
                    if option[0] == "--group"
                    else " ".join(r["text"].split()).casefold()
                )
                assert seen.setdefault(key, j) == j
        assert len(set(seen.values())) == 3


def test_split_parts_layout_is_the_single_file_split_up(tickets, tmp_path):
    run("split", tickets, "--out-dir", tmp_path / "one", "--engine", "spark")
    code, _, err = run(
        "split", tickets, "--out-dir", tmp_path / "many", "--engine", "spark", "--parts"
    )
    assert (code, err) == (0, "")
    for name in ("train", "val", "test"):
        folder = tmp_path / "many" / f"{name}.jsonl"
        assert folder.is_dir() and (folder / "_SUCCESS").exists()
        joined = b"".join(p.read_bytes() for p in sorted(folder.glob("part-*")))
        assert joined == (tmp_path / "one" / f"{name}.jsonl").read_bytes()


# -- balance --


@pytest.mark.parametrize(
    "option",
    [
        ["--target-ratio", "0.5"],
        ["--min-share", "0.2"],
        ["--min-share", "0.3", "--domain", "locale"],
    ],
)
def test_balance_reaches_the_in_memory_counts(tickets, tmp_path, option):
    (code_m, out_m, _), (code_s, out_s, err_s) = (
        run("balance", tickets, "-o", tmp_path / "m.jsonl", *option),
        run(
            "balance", tickets, "-o", tmp_path / "s.jsonl", *option, "--engine", "spark"
        ),
    )
    assert (code_m, code_s, err_s) == (0, 0, "")
    assert out_s.replace("s.jsonl", "X") == out_m.replace("m.jsonl", "X")
    source, got = lines(tickets), lines(tmp_path / "s.jsonl")
    assert got[: len(source)] == source  # originals first, in input order
    assert set(got) == set(source)  # copies are records of the input, unchanged
    assert len(got) == len(lines(tmp_path / "m.jsonl"))


def test_balance_shuffle_depends_on_the_seed_only(tickets, tmp_path):
    outs = []
    for seed, name in ((1, "a"), (1, "b"), (2, "c")):
        out = tmp_path / f"{name}.jsonl"
        code, _, _ = run(
            "balance",
            tickets,
            "-o",
            out,
            "--target-ratio",
            "1",
            "--shuffle",
            "--seed",
            seed,
            "--engine",
            "spark",
        )
        assert code == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] != outs[2]
    assert outs[0].splitlines()[:50] != lines(tickets)[:50]


def test_crlf_and_bom_records_pass_through_as_in_memory(tmp_path, spark):
    path = tmp_path / "win.jsonl"
    rows = [
        json.dumps({"label": "ab"[i % 4 == 0], "t": f"é {i}"}, ensure_ascii=False)
        for i in range(40)
    ]
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(rows).encode() + b"\r\n")
    for engine, name in (("memory", "m"), ("spark", "s")):
        code, _, _ = run(
            "balance",
            path,
            "-o",
            tmp_path / f"{name}.jsonl",
            "--target-ratio",
            "1",
            "--engine",
            engine,
        )
        assert code == 0
    memory = (tmp_path / "m.jsonl").read_bytes()
    spark_out = (tmp_path / "s.jsonl").read_bytes()
    assert spark_out.splitlines()[:40] == [r.encode() for r in rows]
    assert Counter(spark_out.splitlines()) == Counter(
        memory.removeprefix(b"\xef\xbb\xbf").splitlines()
    )


# -- Parquet --


@pytest.fixture
def tickets_parquet(tickets, tmp_path, spark):
    from pyspark.sql import functions as F

    path = str(tmp_path / "tickets.parquet")
    frame = spark.read.json(str(tickets)).withColumn(
        "meta", F.struct(F.col("locale").alias("lang"))
    )
    frame.repartition(3).write.parquet(path)
    return path


def _rows(spark, path):
    return Counter(tuple(r) for r in spark.read.parquet(str(path)).collect())


def test_parquet_split_and_balance_keep_every_column(
    tickets_parquet, tickets, tmp_path, spark
):
    code, out, err = run(
        "split",
        tickets_parquet,
        "--out-dir",
        tmp_path / "p",
        "--domain",
        "meta.lang",
        "--seed",
        "7",
        "--engine",
        "spark",
    )
    assert (code, err) == (0, "")
    memory = run(
        "split",
        tickets,
        "--out-dir",
        tmp_path / "m",
        "--domain",
        "locale",
        "--seed",
        "7",
    )[1]
    table = out.split("\n", 1)[1]
    assert table == memory.split("\n", 1)[1]
    parts = [
        _rows(spark, tmp_path / "p" / f"{n}.parquet") for n in ("train", "val", "test")
    ]
    assert sum(parts, Counter()) == _rows(spark, tickets_parquet)
    code, out, err = run(
        "balance",
        tickets_parquet,
        "-o",
        tmp_path / "b.parquet",
        "--min-share",
        "0.2",
        "--engine",
        "spark",
    )
    assert (code, err) == (0, "")
    got = spark.read.parquet(str(tmp_path / "b.parquet"))
    assert got.schema == spark.read.parquet(tickets_parquet).schema
    counts = Counter(r["label"] for r in got.collect())
    assert min(counts.values()) >= 0.2 * sum(counts.values()) - 1


def test_parquet_null_label_is_an_error_naming_the_row(tmp_path, spark):
    path = str(tmp_path / "n.parquet")
    spark.createDataFrame([("a",), ("b",), (None,)], "label string").coalesce(
        1
    ).write.parquet(path)
    code, _, err = run("weights", path, "--engine", "spark")
    assert code == 1
    assert err.startswith("skbalance weights: error: ") and ":3: " in err


# -- errors --


@pytest.mark.parametrize(
    "bad",
    [
        "not json",
        '["a list"]',
        '{"label": {"a": 1}}',
        '{"label": 3}',
        '{"x": 1}',
        '{"label": 1e400}',
    ],
)
@pytest.mark.parametrize("on_error", ["stop", "skip"])
def test_bad_records_get_the_in_memory_message(tmp_path, spark, bad, on_error):
    path = tmp_path / "bad.jsonl"
    good = [json.dumps({"label": "ab"[i % 3 == 0]}) for i in range(12)]
    path.write_text("\n".join(good[:5] + [bad] + good[5:] + [bad]) + "\n")
    memory, spark_run = both("weights", path, "--on-error", on_error)
    assert spark_run == memory
    assert memory[0] == (1 if on_error == "stop" else 0)
    assert ":6: " in memory[2] or "lines 6, 14" in memory[2]


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    n=st.integers(50, 3000), bad=st.data(), block=st.sampled_from([2048, 8192, 65536])
)
def test_line_numbers_hold_across_file_blocks(tmp_path_factory, spark, n, bad, block):
    at = bad.draw(st.integers(1, n))
    path = tmp_path_factory.mktemp("blocks") / "x.jsonl"
    rows = [json.dumps({"label": "ab"[i % 2], "pad": "x" * (i % 37)}) for i in range(n)]
    rows[at - 1] = '{"label": "a", "broken'
    path.write_text("\n".join(rows) + "\n")
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(block))
    try:
        blocks = spark.read.text(str(path)).select("_metadata.file_block_start")
        n_blocks = blocks.distinct().count()
        assert n_blocks == -(-path.stat().st_size // block)  # the file is split
        code, _, err = run("weights", path, "--engine", "spark")
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    assert code == 1
    assert err.startswith(f"skbalance weights: error: {path}:{at}: not valid JSON")


def test_mixed_label_kinds_get_the_in_memory_message(tmp_path, spark):
    path = tmp_path / "k.jsonl"
    path.write_text('{"label": "a"}\n{"label": "b"}\n{"label": 2}\n')
    memory, spark_run = both("analyze", path)
    assert spark_run == memory
    assert (
        "k.jsonl:3: field 'label' (label) is a number (2), but it is a string on line 1"
        in memory[2]
    )


def test_outputs_are_checked_before_any_work(tickets, tmp_path, spark):
    out = tmp_path / "o.jsonl"
    out.write_text("keep\n")
    code, _, err = run(
        "balance", tickets, "-o", out, "--target-ratio", "1", "--engine", "spark"
    )
    assert (code, err) == (
        2,
        f"skbalance balance: error: {out}: already exists; pass --force to "
        "overwrite it.\n",
    )
    assert out.read_text() == "keep\n"
    code, _, err = run(
        "balance",
        tickets,
        "-o",
        tickets,
        "--target-ratio",
        "1",
        "--force",
        "--engine",
        "spark",
    )
    assert code == 2 and "refusing to overwrite the input" in err
    assert lines(tickets) == lines(TICKETS)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "o.jsonl",
        "tickets.jsonl",
    ]  # no scratch left


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (
            ["analyze", "-", "--engine", "spark"],
            2,
            "--engine spark reads files, not standard input.",
        ),
        (
            ["analyze", "{f}", "--multilabel", "--engine", "spark"],
            2,
            "--multilabel is not available with --engine spark.",
        ),
        (["analyze", "{f}", "--parts"], 2, None),
        (
            ["weights", "{f}", "--format", "parquet"],
            2,
            "--format goes with --engine spark.",
        ),
        (
            ["analyze", "{d}/none.jsonl", "--engine", "spark"],
            1,
            "{d}/none.jsonl: no such file.",
        ),
        (
            ["weights", "{d}/x.parquet"],
            2,
            "{d}/x.parquet: Parquet input needs --engine spark.",
        ),
        (
            ["weights", "{f}", "--engine", "spark", "--spark-conf", "novalue"],
            2,
            "--spark-conf 'novalue': expected KEY=VALUE.",
        ),
        (
            [
                "split",
                "{f}",
                "--out-dir",
                "{d}/o",
                "--dedupe",
                "--group",
                "locale",
                "--engine",
                "spark",
            ],
            2,
            "--engine spark takes --dedupe or --group, not both (records linked "
            "through either would need a connected-components pass).",
        ),
    ],
)
def test_usage_errors(tickets, tmp_path, argv, code, message):
    argv = [a.format(f=tickets, d=tmp_path) for a in argv]
    got_code, _, err = run(*argv)
    assert got_code == code
    if message is not None:
        assert err == f"skbalance {argv[0]}: error: {message.format(d=tmp_path)}\n"


def test_parquet_with_a_map_column_splits_and_balances(tmp_path, spark):
    path = str(tmp_path / "m.parquet")
    rows = [(i, "ab"[i % 4 == 0], {"k": i % 3}) for i in range(40)]
    spark.createDataFrame(
        rows, "id long, label string, tags map<string,long>"
    ).write.parquet(path)
    code, _, err = run("split", path, "--out-dir", tmp_path / "p", "--engine", "spark")
    assert (code, err) == (0, "")
    ids = [
        r["id"]
        for n in ("train", "val", "test")
        for r in spark.read.parquet(str(tmp_path / "p" / f"{n}.parquet")).collect()
    ]
    assert sorted(ids) == list(range(40))
    code, _, err = run(
        "balance",
        path,
        "-o",
        tmp_path / "b.parquet",
        "--target-ratio",
        "1",
        "--engine",
        "spark",
    )
    assert (code, err) == (0, "")
    got = spark.read.parquet(str(tmp_path / "b.parquet")).collect()
    assert Counter(r["label"] for r in got) == {"a": 30, "b": 30}
    assert all(r["tags"] == {"k": r["id"] % 3} for r in got)
