"""The command line with --engine spark, against --engine memory on the same
files: the same reports, weights, per-class counts and messages, records byte
for byte. Runs in-process on the local[2] session of tests/conftest.py."""

import json
import shlex
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli.helpers import both, run

pytestmark = pytest.mark.filterwarnings(
    "ignore:PySpark does not yet fully support pandas:FutureWarning"
)

TICKETS = (
    Path(__file__).resolve().parents[2] / "skbalance" / "data" / "support_tickets.jsonl"
)


@pytest.fixture
def tickets_path(tmp_path, spark):
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


def test_analyze_json_is_the_in_memory_json(tickets_path):
    memory, spark = both("analyze", tickets_path, "--domain", "locale", "--json")
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
def test_weights_json_is_the_in_memory_json(tickets_path, strategy):
    memory, spark = both("weights", tickets_path, "--strategy", strategy)
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
    tickets_path, tmp_path
):
    (code_m, out_m, _), (code_s, out_s, err_s) = (
        run(
            "split",
            tickets_path,
            "--out-dir",
            tmp_path / "m",
            "--seed",
            "7",
            "--domain",
            "locale",
        ),
        run(
            "split",
            tickets_path,
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
    # the same tables; the next command says which engine
    assert out_s.replace(str(tmp_path / "s"), "D") == out_m.replace(
        str(tmp_path / "m"), "D"
    ).replace("train.jsonl --min-share", "train.jsonl --engine spark --min-share")
    source = lines(tickets_path)
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


def test_split_names_rare_classes_and_too_few_groups_as_in_memory(tmp_path, spark):
    path = tmp_path / "rare.jsonl"
    rows = [{"label": y, "d": "xy"[i % 2], "text": "same" if i < 20 else "other"}
            for i, y in enumerate(["a"] * 12 + ["b"] * 12)]  # fmt: skip
    rows += [{"label": "edu", "d": "x", "text": "same"}]
    rows += [{"label": "emb", "d": "y", "text": "same"} for i in range(2)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    for extra, expected in [
        ([], "warning: 2 class(es) have too few examples to be in every part: 'edu' "
             "(1), 'emb' (2)."),
        (["--domain", "d"], "warning: 2 (class, domain) pair(s) have too few "
         "examples to be in every part: ('edu', 'x') (1), ('emb', 'y') (2)."),
        (["--dedupe", "--text", "text"], f"error: {path}: cannot split 27 records "
         "into 3 non-empty parts: --dedupe keeps records of the same --text text "
         "together, and they form only 2 groups (23 + 4 records)."),
        (["--group", "d"], f"error: {path}: cannot split 27 records into 3 "
         "non-empty parts: --group d keeps the records of one value together, and "
         "they hold only 2 values: 'x' (13 records), 'y' (14 records)."),
    ]:  # fmt: skip
        memory, spark_run = (
            run("split", path, "--out-dir", tmp_path / engine, *extra, "--force",
                "--engine", engine)
            for engine in ("memory", "spark")
        )  # fmt: skip
        assert spark_run[0] == memory[0] == (1 if "error" in expected else 0)
        assert spark_run[2] == memory[2]
        assert memory[2].startswith(f"skbalance split: {expected}")


def test_split_parts_layout_is_the_single_file_split_up(tickets_path, tmp_path):
    run("split", tickets_path, "--out-dir", tmp_path / "one", "--engine", "spark")
    code, _, err = run(
        "split",
        tickets_path,
        "--out-dir",
        tmp_path / "many",
        "--engine",
        "spark",
        "--parts",
    )
    assert (code, err) == (0, "")
    for name in ("train", "val", "test"):
        folder = tmp_path / "many" / f"{name}.jsonl"
        assert folder.is_dir() and (folder / "_SUCCESS").exists()
        joined = b"".join(p.read_bytes() for p in sorted(folder.glob("part-*")))
        assert joined == (tmp_path / "one" / f"{name}.jsonl").read_bytes()


@pytest.mark.parametrize("failing", ["val.jsonl", "test.jsonl"])
def test_split_replaces_the_old_parts_as_a_set(
    tickets_path, tmp_path, monkeypatch, failing
):
    """A full disk on val, Ctrl-C while test is written: the three old parts
    stay byte for byte, with no temporary file or folder beside them."""
    import errno
    import io
    import os

    import skbalance._io

    out_dir = tmp_path / "parts"
    assert run("split", tickets_path, "--out-dir", out_dir, "--seed", "1")[0] == 0
    old = {p.name: p.read_bytes() for p in out_dir.iterdir()}

    def write(file, data, offset=None):  # Spark's parts are written in order
        if os.path.basename(file.path) == failing == "val.jsonl":
            raise OSError(errno.ENOSPC, "No space left on device")
        if os.path.basename(file.path) == failing == "test.jsonl":
            raise KeyboardInterrupt
        return io.FileIO.write(file, data)

    monkeypatch.setattr(skbalance._io, "_write_bytes", write)
    result = run("split", tickets_path, "--out-dir", out_dir, "--seed", "2",
                 "--force", "--engine", "spark")  # fmt: skip
    assert result == (
        (130, "", "")
        if failing == "test.jsonl"
        else (
            2,
            "",
            f"skbalance split: error: {out_dir}/val.jsonl: write failed: no space "
            "left on the device.\n",
        )
    )
    assert {p.name: p.read_bytes() for p in out_dir.iterdir()} == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parts", "tickets.jsonl"]


@pytest.mark.parametrize("parts", [False, True])
def test_an_output_folder_where_no_file_can_be_made_is_refused(
    tickets_path, tmp_path, monkeypatch, parts
):
    import errno

    import skbalance._io

    def read_only(folder, name):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(skbalance._io, "_temporary", read_only)
    out = tmp_path / "out.jsonl"
    options = ["--engine", "spark", *["--parts"] * parts]
    code, out_text, err = run(
        "balance", tickets_path, "-o", out, "--target-ratio", "1", *options
    )
    assert (code, out_text, err) == (
        2,
        "",
        f"skbalance balance: error: {out}: cannot write in the folder {tmp_path}: "
        "the file system is read-only.\n",
    )


# -- balance --


@pytest.mark.parametrize(
    "option",
    [
        ["--target-ratio", "0.5"],
        ["--min-share", "0.2"],
        ["--min-share", "0.3", "--domain", "locale"],
    ],
)
def test_balance_reaches_the_in_memory_counts(tickets_path, tmp_path, option):
    (code_m, out_m, _), (code_s, out_s, err_s) = (
        run("balance", tickets_path, "-o", tmp_path / "m.jsonl", *option),
        run(
            "balance",
            tickets_path,
            "-o",
            tmp_path / "s.jsonl",
            *option,
            "--engine",
            "spark",
        ),
    )
    assert (code_m, code_s, err_s) == (0, 0, "")
    assert out_s.replace("s.jsonl", "X") == out_m.replace("m.jsonl", "X")
    source, got = lines(tickets_path), lines(tmp_path / "s.jsonl")
    assert got[: len(source)] == source  # originals first, in input order
    assert set(got) == set(source)  # copies are records of the input, unchanged
    assert len(got) == len(lines(tmp_path / "m.jsonl"))


def test_an_infeasible_floor_gets_the_in_memory_warning(tickets_path, tmp_path):
    memory, spark_run = (
        run(*argv, "-o", tmp_path / name, "--min-share", "0.6", "--domain", "locale")
        for argv, name in (
            (["balance", tickets_path], "m.jsonl"),
            (["balance", tickets_path, "--engine", "spark"], "s.jsonl"),
        )
    )
    assert spark_run[0] == memory[0] == 0
    assert spark_run[2] == memory[2]
    assert memory[2] == (
        "skbalance balance: warning: --min-share 0.6 cannot be met by 2 domains "
        "(2 x 0.6 > 1); using 1/2, every domain equal. --min-share 0.5 or less is "
        "a floor every domain can reach.\n"
    )


def test_balance_shuffle_depends_on_the_seed_only(tickets_path, tmp_path):
    outs = []
    for seed, name in ((1, "a"), (1, "b"), (2, "c")):
        out = tmp_path / f"{name}.jsonl"
        code, _, _ = run(
            "balance",
            tickets_path,
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
    assert outs[0].splitlines()[:50] != lines(tickets_path)[:50]


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
    assert memory.startswith(b"\xef\xbb\xbf") and spark_out.startswith(b"\xef\xbb\xbf")
    assert spark_out[3:].splitlines()[:40] == [r.encode() for r in rows]
    assert Counter(spark_out.splitlines()) == Counter(memory.splitlines())


# -- Parquet --


@pytest.fixture
def tickets_parquet(tickets_path, tmp_path, spark):
    from pyspark.sql import functions as F

    path = str(tmp_path / "tickets.parquet")
    frame = spark.read.json(str(tickets_path)).withColumn(
        "meta", F.struct(F.col("locale").alias("lang"))
    )
    frame.repartition(3).write.parquet(path)
    return path


def _rows(spark, path):
    return Counter(tuple(r) for r in spark.read.parquet(str(path)).collect())


def test_parquet_split_and_balance_keep_every_column(
    tickets_parquet, tickets_path, tmp_path, spark
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
        tickets_path,
        "--out-dir",
        tmp_path / "m",
        "--domain",
        "locale",
        "--seed",
        "7",
    )[1]
    table, hint = out.split("\n", 1)[1].rsplit("next: ", 1)
    assert table == memory.split("\n", 1)[1].rsplit("next: ", 1)[0]
    p = tmp_path / "p"
    assert hint == (
        f"skbalance balance {p}/train.parquet --engine spark --min-share 0.125 -o "
        f"{p}/train.balanced.parquet\n"
    )
    assert run(*shlex.split(hint)[1:])[0] == 0  # the next command works as given
    assert (p / "train.balanced.parquet" / "_SUCCESS").exists()
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
        '{"label": "a", "text": "cut short',
        '{"label": "a", "n": 1',
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
        # the file is split (Spark keeps a last piece of up to 1.1 blocks whole)
        assert n_blocks == max(1, path.stat().st_size // block) or (
            n_blocks == path.stat().st_size // block + 1
        )
        code, _, err = run("weights", path, "--engine", "spark")
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    assert code == 1
    assert err.startswith(f"skbalance weights: error: {path}:{at}: not valid JSON")


@pytest.mark.parametrize(
    ("text", "what"), [("", "the file is empty"), ("\n \n\r\n", "3 blank lines")]
)
def test_a_file_without_records_gets_the_in_memory_message(tmp_path, spark, text, what):
    path = tmp_path / "blank.jsonl"
    path.write_text(text)
    memory, spark_run = both("weights", path)
    assert spark_run == memory
    assert memory == (
        1,
        "",
        f"skbalance weights: error: {path}: no records ({what}).\n",
    )


def test_mixed_label_kinds_get_the_in_memory_message(tmp_path, spark):
    path = tmp_path / "k.jsonl"
    path.write_text('{"label": "a"}\n{"label": "b"}\n{"label": 2}\n')
    memory, spark_run = both("analyze", path)
    assert spark_run == memory
    assert (
        "k.jsonl:3: field 'label' (label) is a number (2), but it is a string on line 1"
        in memory[2]
    )


def test_outputs_are_checked_before_any_work(tickets_path, tmp_path, spark):
    out = tmp_path / "o.jsonl"
    out.write_text("keep\n")
    code, _, err = run(
        "balance", tickets_path, "-o", out, "--target-ratio", "1", "--engine", "spark"
    )
    assert (code, err) == (
        2,
        f"skbalance balance: error: {out}: already exists; pass --force to "
        "overwrite it.\n",
    )
    assert out.read_text() == "keep\n"
    code, _, err = run(
        "balance",
        tickets_path,
        "-o",
        tickets_path,
        "--target-ratio",
        "1",
        "--force",
        "--engine",
        "spark",
    )
    assert code == 2 and "refusing to overwrite the input" in err
    assert lines(tickets_path) == lines(TICKETS)
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
def test_usage_errors(tickets_path, tmp_path, argv, code, message):
    argv = [a.format(f=tickets_path, d=tmp_path) for a in argv]
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


# -- what a hostile user tried (docs/cli.rst, "Spark engine") --


@pytest.mark.parametrize(
    "bad",
    [
        '{"label": "a"} junk',
        '{"label": "a"}{"label": "c"}',
        '{"label": "a"}, {"label": "c"}',
        '{"label": "a"} // a comment',
        '{"label": "a"}\r{"label": "b"}',
        b'{"label": "caf\xe9"}',
    ],
)
def test_lines_spark_would_misread_get_the_in_memory_message(tmp_path, spark, bad):
    path = tmp_path / "bad.jsonl"
    good = b"".join(
        json.dumps({"label": "ab"[i % 3 == 0]}).encode() + b"\n" for i in range(6)
    )
    path.write_bytes(good + (bad if isinstance(bad, bytes) else bad.encode()) + b"\n")
    memory, spark_run = both("analyze", path, "--missing-label", "m")
    assert memory[0] == 1
    assert spark_run == memory


def test_number_labels_beyond_64_bits_and_duplicate_keys_read_as_in_memory(
    tmp_path, spark
):
    path = tmp_path / "n.jsonl"
    labels = [2**64, 2**64 + 1, 2**64 + 1, 7]
    path.write_text(
        "".join(f'{{"label": 0, "label": {y}}}\n' for y in labels)  # the last key wins
    )
    memory, spark_run = both("analyze", path, "--json")
    assert spark_run == memory
    assert json.loads(memory[1])["counts"] == {str(2**64 + 1): 2, str(2**64): 1, "7": 1}


def test_missing_label_of_the_wrong_kind_gets_the_in_memory_message(tmp_path, spark):
    path = tmp_path / "m.jsonl"
    path.write_text('{"label": 1}\n{"label": 2}\n{"other": 3}\n')
    memory, spark_run = both("weights", path, "--missing-label", "none")
    assert spark_run == memory
    assert "m.jsonl:3: field 'label' (label) is a string" in memory[2]


def test_one_class_gets_the_in_memory_message(tmp_path, spark):
    path = tmp_path / "one.jsonl"
    path.write_text('{"label": "a"}\n' * 3)
    (code_m, _, err_m), (code_s, _, err_s) = (
        run("balance", path, "-o", tmp_path / "m.jsonl", "--target-ratio", "1"),
        run(
            "balance",
            path,
            "-o",
            tmp_path / "s.jsonl",
            "--target-ratio",
            "1",
            "--engine",
            "spark",
        ),
    )
    assert (code_s, err_s) == (code_m, err_m) == (1, err_m)
    assert "y has 1 class ('a')" in err_s


def test_an_input_folder_or_glob_is_never_written_into(tmp_path, spark):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(TICKETS, folder / "train.jsonl")
    before = (folder / "train.jsonl").read_bytes()
    cases = [
        (
            ["split", folder, "--out-dir", folder, "--force"],
            "refusing to overwrite the input",
        ),
        (
            ["balance", folder, "-o", folder / "more.jsonl", "--target-ratio", "1"],
            "is inside",
        ),
        (
            [
                "balance",
                f"{folder}/*.jsonl",
                "-o",
                folder / "more.jsonl",
                "--min-share",
                ".2",
            ],
            "is inside",
        ),
        (["weights", folder, "-o", folder / "w.json"], "is inside"),
    ]
    for argv, message in cases:
        code, _, err = run(*argv, "--engine", "spark")
        assert code == 2 and message in err, err
    assert sorted(p.name for p in folder.iterdir()) == ["train.jsonl"]
    assert (folder / "train.jsonl").read_bytes() == before


def test_parts_replace_only_a_folder_that_spark_wrote(tickets_path, tmp_path, spark):
    import os

    argv = [
        "balance",
        tickets_path,
        "--target-ratio",
        "1",
        "--engine",
        "spark",
        "--parts",
        "--force",
    ]
    plain = tmp_path / "plain.txt"
    plain.write_text("keep")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(mine)
    for target, message in (
        (plain, "is not a folder"),
        (fifo, "is not a folder"),
        (mine, "a folder that Spark did not write"),
        (link, "is a symbolic link"),
    ):
        code, _, err = run(*argv[:2], "-o", target, *argv[2:])
        assert code == 2 and message in err, err
    assert plain.read_text() == (mine / "notes.txt").read_text() == "keep"
    assert fifo.is_fifo() and link.is_symlink()
    code, _, err = run(*argv[:2], "-o", tmp_path / "out", *argv[2:])
    assert (code, err) == (0, "")
    code, _, err = run(
        *argv[:2], "-o", tmp_path / "out", *argv[2:]
    )  # its own: replaced
    assert (code, err) == (0, "")


def test_special_and_oddly_named_inputs(tickets_path, tmp_path, spark):
    import os

    fifo = tmp_path / "in.fifo"
    os.mkfifo(fifo)
    hidden = tmp_path / ".hidden.jsonl"
    shutil.copy(TICKETS, hidden)
    braces = tmp_path / "a{b}[1].jsonl"
    shutil.copy(TICKETS, braces)
    code, _, err = run("weights", fifo, "--engine", "spark")
    assert code == 2 and "not a FIFO or device" in err
    code, _, err = run("weights", hidden, "--engine", "spark")
    assert code == 2 and "Spark skips files whose names start with '.' or '_'" in err
    assert both("weights", braces)[1] == run("weights", tickets_path)


def test_parquet_outputs_that_cannot_hold_parquet(tickets_parquet, tmp_path, spark):
    for out, message in (
        ("-", "standard output takes one JSON Lines file"),
        (tmp_path / "b.jsonl", "written as Parquet"),
    ):
        code, _, err = run(
            "balance",
            tickets_parquet,
            "-o",
            out,
            "--target-ratio",
            "1",
            "--engine",
            "spark",
        )
        assert code == 2 and message in err, err
    dotted = str(tmp_path / "dotted.parquet")
    spark.createDataFrame([("a",), ("b",), ("b",)], "`my.label` string").write.parquet(
        dotted
    )
    code, out, _ = run("weights", dotted, "--label", "my.label", "--engine", "spark")
    assert code == 0 and json.loads(out)["counts"] == {"a": 1, "b": 2}


def test_a_column_or_field_named_with_a_backtick_and_a_dot(tmp_path, spark):
    # Parquet columns named "we`ird.col" and "d`o.m" (spark) against the fields
    # at those dotted paths of JSON Lines records (memory)
    values = ["abc"[i % 3] if i % 5 else "a" for i in range(120)]
    jsonl = tmp_path / "x.jsonl"
    jsonl.write_text(
        "".join(
            json.dumps({"we`ird": {"col": v}, "d`o": {"m": int(i % 3 == 0)}, "id": i})
            + "\n"
            for i, v in enumerate(values)
        )
    )
    parquet = str(tmp_path / "x.parquet")
    spark.createDataFrame(
        [(v, int(i % 3 == 0), i) for i, v in enumerate(values)],
        "`we``ird.col` string, `d``o.m` long, id long",
    ).write.parquet(parquet)
    label = ["--label", "we`ird.col"]
    for argv in (
        ["weights", *label],
        ["analyze", *label, "--domain", "d`o.m", "--json"],
        ["analyze", "--label", "d`o.m", "--domain", "we`ird.col"],
    ):
        memory = run(argv[0], jsonl, *argv[1:])
        assert memory[0] == 0, memory
        got = run(argv[0], parquet, *argv[1:], "--engine", "spark")
        assert got[1].replace(parquet, "F") == memory[1].replace(str(jsonl), "F")
        assert (got[0], got[2]) == (0, "")
    # JSON Lines on both engines: the same counts, every record written back
    grouped = ["split", jsonl, *label, "--group", "id", "--out-dir"]
    memory = run(*grouped, tmp_path / "jm")
    code, out, err = run(*grouped, tmp_path / "js", "--engine", "spark")
    assert (memory[0], code, err) == (0, 0, "")
    assert out.replace(str(tmp_path / "js"), "D") == memory[1].replace(
        str(tmp_path / "jm"), "D"
    )
    written = [lines(tmp_path / "js" / f"{n}.jsonl") for n in ("train", "val", "test")]
    assert sorted(sum(written, [])) == sorted(lines(jsonl))
    for option in (
        ["split", "--domain", "d`o.m", "--seed", "3", "--out-dir"],
        ["balance", "--target-ratio", "1", "--shuffle", "-o"],
        ["balance", "--domain", "d`o.m", "--min-share", "0.45", "-o"],
    ):
        where = tmp_path / ("m" if option[0] == "split" else "m.jsonl")
        memory = run(option[0], jsonl, *label, *option[1:], where, "--force")
        assert memory[0] == 0, memory
        out = tmp_path / ("p" if option[0] == "split" else "b.parquet")
        code, text, err = run(
            option[0], parquet, *label, *option[1:], out, "--force", "--engine", "spark"
        )
        assert (code, err) == (0, memory[2])
        assert text.split("\n", 1)[1] == memory[1].split("\n", 1)[1]
        names = ("train", "val", "test") if option[0] == "split" else ("",)
        got = [_rows(spark, out / f"{n}.parquet" if n else out) for n in names]
        if option[0] == "split":
            assert sum(got, Counter()) == _rows(spark, parquet)
        else:
            assert set(got[0]) == set(_rows(spark, parquet))


# -- a new Spark session in a process of its own --


#: what the JVM and Spark print on start-up before skbalance can quiet them
_START_UP = {
    "WARNING: Using incubator modules: jdk.incubator.vector",
    'Setting default log level to "WARN".',
    "To adjust logging level use sc.setLogLevel(newLevel). For SparkR, use "
    "setLogLevel(newLevel).",
}


def _messages(err):
    """stderr without the start-up notices of the JVM and Spark."""
    lines = err.splitlines(True)
    return "".join(line for line in lines if line.rstrip("\n") not in _START_UP)


def _skbalance(*argv, cwd, **kw):
    import subprocess
    import sys

    return subprocess.Popen(
        [sys.executable, "-m", "skbalance", *map(str, argv)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def test_sigterm_stops_spark_and_leaves_nothing_behind(tmp_path, spark):
    import signal
    import time

    path = tmp_path / "big.jsonl"
    row = '{"label": "%s", "text": "%s"}\n'
    with path.open("w") as fh:
        for i in range(400_000):
            fh.write(row % ("ab"[i % 50 == 0], "x" * (i % 97)))
    out = tmp_path / "out.jsonl"
    out.write_text("keep\n")
    proc = _skbalance(
        "balance", path, "-o", out, "--force", "--target-ratio", "1",
        "--engine", "spark", "--spark-master", "local[2]", cwd=tmp_path,
    )  # fmt: skip
    deadline = time.monotonic() + 240
    while not list(tmp_path.glob(".skbalance-*")) and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.2)
    assert list(tmp_path.glob(".skbalance-*")), "the job never started writing"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert (proc.returncode, _messages(err)) == (143, ""), err
    assert out.read_text() == "keep\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.jsonl", "out.jsonl"]


def test_a_new_session_dedupes_texts_from_any_folder_and_names_a_bad_master(
    tmp_path, spark
):
    path = tmp_path / "t.jsonl"
    rows = [
        {"text": f"Hello  World {i % 7}", "label": "ab"[i % 4 == 0]} for i in range(60)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    proc = _skbalance(
        "split", path, "--out-dir", tmp_path / "p", "--dedupe", "--text", "text",
        "--engine", "spark", "--spark-master", "local[1]", cwd=tmp_path,
    )  # fmt: skip
    out, err = proc.communicate(timeout=300)
    assert (proc.returncode, _messages(err)) == (0, ""), err
    assert out.startswith(f"{path}: ")
    proc = _skbalance(
        "weights",
        path,
        "--engine",
        "spark",
        "--spark-master",
        "bogus://x",
        cwd=tmp_path,
    )
    out, err = proc.communicate(timeout=300)
    assert (proc.returncode, err) == (
        2,
        "skbalance weights: error: --spark-master bogus://x: expected local, "
        "local[N], local[*], local[N,F], yarn, spark://HOST:PORT or k8s://URL.\n",
    )


def test_a_session_skbalance_starts_reads_the_packaged_log_settings(monkeypatch):
    """The quiet log4j2 file is found wherever the module sits (a move into
    the _cli/_spark sub-package pointed it at a folder that did not exist)."""
    from skbalance._cli._spark._session import session_settings

    monkeypatch.delenv("PYSPARK_PYTHON", raising=False)
    settings = session_settings(["spark.ui.enabled=true", "a.b=c=d"])
    java = settings["spark.driver.extraJavaOptions"]
    path = Path(java.removeprefix("-Dlog4j2.configurationFile=file:"))
    assert path.is_file() and path.name == "log4j2-quiet.properties"
    assert settings["spark.ui.enabled"] == "true"  # the options win
    assert settings["a.b"] == "c=d"
    assert settings["spark.pyspark.python"] == sys.executable


# -- the path of a command through the modules --


def _module_stacks(argv):
    """The stack of skbalance modules (callers first, a run of frames of one
    module counted once) at every call of a skbalance function while
    ``skbalance ARGV`` runs, in every thread."""
    import threading

    stacks = set()

    def profile(frame, event, arg):
        if event != "call" or not frame.f_globals.get("__name__", "").startswith(
            "skbalance"
        ):
            return
        modules = []
        while frame is not None:
            name = frame.f_globals.get("__name__", "")
            if name.startswith("skbalance") and (not modules or modules[-1] != name):
                modules.append(name)
            frame = frame.f_back
        stacks.add(tuple(reversed(modules)))

    threading.setprofile(profile)
    sys.setprofile(profile)
    try:
        code, _, err = run(*argv)
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
    assert code == 0, err
    return stacks


@pytest.mark.parametrize(
    "command",
    [
        ["analyze", "--domain", "locale"],
        ["weights"],
        ["balance", "--min-share", "0.2", "-o", "{tmp}/out.jsonl", "--force"],
        ["split", "--out-dir", "{tmp}/parts", "--dedupe", "--force"],
        ["mix", "--temperature", "0.3", "-o", "{tmp}/mix.jsonl", "--force"],
    ],
)
def test_spark_commands_pass_each_module_once_in_one_direction(
    tickets_path, tmp_path, command
):
    """From the parser to the written file, no module is entered again below
    a module it called: every call stack holds a module at most once."""
    argv = [command[0], tickets_path, *command[1:], "--engine", "spark"]
    argv = [str(a).replace("{tmp}", str(tmp_path)) for a in argv]
    assert run(*argv)[0] == 0  # imports done: only the command's own calls
    stacks = _module_stacks(argv)
    back = sorted(s for s in stacks if len(set(s)) < len(s))
    assert back == []
    reached = {m for s in stacks for m in s}
    assert {"skbalance._cli._main", "skbalance._cli._commands"} <= reached
    assert "skbalance._cli._spark._engine" in reached


# -- mix --


@pytest.mark.parametrize(
    "options",
    [
        ["--temperature", "0.3"],
        ["--domain", "locale", "--unimax", "2", "--size", "700"],
        ["--weights", '{"billing": 1, "technical": 1, "account": 1, "other": 2}'],
        ["--domain", "locale", "--temperature", "0", "--min-share", "0.3"],
    ],
)
def test_mix_has_the_in_memory_counts(tickets_path, tmp_path, options):
    outputs = tmp_path / "m.jsonl", tmp_path / "s.jsonl"
    memory = run("mix", tickets_path, "-o", outputs[0], *options)
    spark = run("mix", tickets_path, "-o", outputs[1], *options, "--engine", "spark")
    assert memory[0] == spark[0] == 0
    assert spark[1].replace(str(outputs[1]), "OUT") == memory[1].replace(
        str(outputs[0]), "OUT"
    )
    assert spark[2] == memory[2]
    source = Counter(lines(tickets_path))
    for path in outputs:
        written = Counter(lines(path))
        assert set(written) <= set(source)  # records byte for byte
    field = "locale" if "--domain" in options else "label"
    counts = [Counter(json.loads(x)[field] for x in lines(p)) for p in outputs]
    assert counts[0] == counts[1]
