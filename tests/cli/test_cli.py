"""The command line, run in-process: exact output, messages and exit codes.

tests/test_cli_script.py runs the installed console script in subprocesses
(stdin/stdout, signals, pipes, special files)."""

import json

import numpy as np
import pytest

from tests.cli.helpers import run


def _rows():
    return [
        {"text": f"refund {i}", "label": "billing", "meta": {"loc": "en-US"}}
        for i in range(8)
    ] + [
        {"text": f"crash {i}", "label": "technical", "meta": {"loc": "en-GB"}}
        for i in range(2)
    ]


@pytest.fixture
def tickets_file(tmp_path):
    path = tmp_path / "tickets.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _rows()))
    return path


@pytest.fixture
def chat_file(tmp_path):
    rows = [
        {
            "messages": [
                {"role": "user", "content": f"question {i}"},
                {"role": "assistant", "content": "answer"},
            ],
            "meta": {"category": "billing" if i < 6 else "technical"},
        }
        for i in range(9)
    ]
    path = tmp_path / "chat.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


# -- balance -------------------------------------------------------------------------


def test_balance_target_ratio(tickets_file, tmp_path):
    out_path = tmp_path / "out.jsonl"
    code, out, err = run("balance", tickets_file, "-o", out_path, "--target-ratio", "1")
    assert (code, err) == (0, "")
    assert out == (
        f"RatioOverSampler on label field 'label': 10 records in, 16 out (6 copies) "
        f"-> {out_path}\n"
        "               before     after   share\n"
        "  billing           8         8   50.0%\n"
        "  technical         2         8   50.0%\n"
    )
    lines = out_path.read_bytes().splitlines()
    original = tickets_file.read_bytes().splitlines()
    assert lines[:10] == original  # records byte for byte, originals first
    assert sorted(set(lines[10:])) == sorted(original[8:])


def _skewed_file(tmp_path):
    rng = np.random.default_rng(0)
    labels = rng.permutation(np.repeat(["a", "b", "c", 7], [200, 70, 25, 5]))
    lines = [json.dumps({"label": str(y), "i": i}) for i, y in enumerate(labels)]
    path = tmp_path / "skewed.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path, lines, labels


@pytest.mark.parametrize(
    ("options", "name", "params"),
    [
        (["balance", "--target-ratio", "0.7"],
         "RatioOverSampler", {"target_ratio": 0.7}),
        (["balance", "--min-share", "0.2", "--shuffle", "--seed", "5"],
         "DomainFloorSampler", {"min_share": 0.2, "shuffle": True, "random_state": 5}),
        (["mix", "--temperature", "0.3", "--size", "400"],
         "MixtureSampler", {"temperature": 0.3, "size": 400}),
        (["mix", "--unimax", "2", "--shuffle", "--seed", "2"],
         "MixtureSampler", {"max_repeats": 2, "shuffle": True, "random_state": 2}),
    ],
)  # fmt: skip
def test_balance_and_mix_write_the_rows_of_the_library_samplers(
    tmp_path, options, name, params
):
    import skbalance

    path, lines, labels = _skewed_file(tmp_path)
    out_path = tmp_path / "out.jsonl"
    command, *rest = options
    code, _, err = run(command, path, "-o", out_path, *rest)
    assert (code, err) == (0, "")
    fitted = getattr(skbalance, name)(**{"random_state": 0, **params})
    fitted.fit(np.zeros((len(lines), 1)), labels)
    expected = [lines[i] for i in fitted.sample_indices_]
    assert out_path.read_text().splitlines() == expected


def test_split_balance_and_mix_do_not_import_scikit_learn(tmp_path):
    import subprocess
    import sys

    path = _skewed_file(tmp_path)[0]
    code = (
        "import sys\n"
        "from skbalance._cli import main\n"
        "path, out = sys.argv[1:]\n"
        "main(['split', path, '--out-dir', out, '--force'])\n"
        "main(['balance', path, '-o', out + '/b.jsonl', '--min-share', '0.1'])\n"
        "main(['mix', path, '-o', out + '/m.jsonl', '--temperature', '0'])\n"
        "print(sorted(m for m in ('sklearn', 'imblearn') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path), str(tmp_path / "out")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "b.jsonl", "m.jsonl", "test.jsonl", "train.jsonl", "val.jsonl",
    ]  # fmt: skip
    assert done.stdout.splitlines()[-1] == "[]"


def test_the_shell_takes_the_range_of_the_samplers_constraints():
    import argparse

    from skbalance._cli._parser import _fraction
    from skbalance._constraints import MIN_SHARE, TARGET_RATIO

    for interval, _ in (TARGET_RATIO, MIN_SHARE):
        assert (interval.left, interval.right, interval.closed) == (0, 1, "both")
        for value in (0, 0.5, 1):
            assert interval.is_satisfied_by(value) and _fraction(str(value)) == value
        for text in ("-0.01", "1.01", "nan", "inf"):
            assert not interval.is_satisfied_by(float(text))
            with pytest.raises(argparse.ArgumentTypeError):
                _fraction(text)


def test_balance_min_share_on_a_nested_domain(tickets_file, tmp_path):
    out_path = tmp_path / "out.jsonl"
    code, out, _ = run(
        "balance", tickets_file, "-o", out_path, "--min-share", "0.3",
        "--domain", "meta.loc",
    )  # fmt: skip
    assert code == 0
    assert out.splitlines()[0] == (
        f"DomainFloorSampler on domain field 'meta.loc': 10 records in, 12 out "
        f"(2 copies) -> {out_path}"
    )
    locs = [json.loads(x)["meta"]["loc"] for x in out_path.read_text().splitlines()]
    assert locs.count("en-GB") == 4 and len(locs) == 12


def test_balance_target_ratio_per_domain(tickets_file, tmp_path):
    out_path = tmp_path / "out.jsonl"
    code, out, _ = run(
        "balance", tickets_file, "-o", out_path, "--target-ratio", "0.5",
        "--domain", "meta.loc",
    )  # fmt: skip
    assert code == 0
    assert out.splitlines()[0] == (
        f"RatioOverSampler on domain field 'meta.loc': 10 records in, 12 out "
        f"(2 copies) -> {out_path}"
    )


def test_balance_chat_records_by_a_dotted_label(chat_file, tmp_path):
    out_path = tmp_path / "out.jsonl"
    code, out, _ = run(
        "balance", chat_file, "-o", out_path, "--target-ratio", "1",
        "--label", "meta.category",
    )  # fmt: skip
    assert code == 0 and "9 records in, 12 out (3 copies)" in out
    written = out_path.read_bytes().splitlines()
    assert set(written) == set(chat_file.read_bytes().splitlines())


def test_balance_shuffle_is_deterministic(tickets_file, tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    for path in (a, b):
        run("balance", tickets_file, "-o", path, "--min-share", "0.4", "--shuffle",
            "--seed", "3")  # fmt: skip
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes().splitlines()[:10] != tickets_file.read_bytes().splitlines()


def test_balance_errors_name_file_line_and_field(tickets_file, tmp_path):
    text = tickets_file.read_text().splitlines()
    text[3] = '{"text": "no label"}'
    tickets_file.write_text("\n".join(text) + "\n")
    code, out, err = run(
        "balance", tickets_file, "-o", tmp_path / "o.jsonl", "--target-ratio", "1"
    )
    assert code == 1 and out == ""
    assert err == (
        f"skbalance balance: error: {tickets_file}:4: field 'label' (label) is "
        "missing (no 'label'; the record's keys are: text).\n"
    )
    assert not (tmp_path / "o.jsonl").exists()
    # kept as a class of its own, or skipped and reported
    code, out, err = run(
        "balance", tickets_file, "-o", tmp_path / "o.jsonl", "--target-ratio", "1",
        "--missing-label", "unknown",
    )  # fmt: skip
    assert code == 0 and "  unknown           1         7" in out
    code, out, err = run(
        "balance", tickets_file, "-o", tmp_path / "o.jsonl", "--target-ratio", "1",
        "--on-error", "skip", "--force",
    )  # fmt: skip
    assert code == 0 and "9 records in" in out
    assert err == "skbalance: skipped 1 bad record (line 4)\n"


def test_nan_and_mixed_labels_name_the_line(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"label": 1}\n' * 4 + '{"label": NaN}\n')
    code, _, err = run("weights", path)
    assert code == 1
    assert err == (
        f"skbalance weights: error: {path}:5: field 'label' (label) is NaN; expected "
        "a string, number or boolean.\n"
    )
    path.write_text('{"label": "a"}\n{"label": 2}\n')
    code, _, err = run("analyze", path)
    assert code == 1
    assert err == (
        f"skbalance analyze: error: {path}:2: field 'label' (label) is a number (2), "
        "but it is a string on line 1; the values of a field must all be strings, "
        "all numbers or all booleans.\n"
    )


def test_a_record_cut_short_is_reported_at_its_end(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"label": "a"}\n{"label": "b", "text": "the end", "n": 1\n')
    code, _, err = run("weights", path)
    assert code == 1
    assert err == (
        f"skbalance weights: error: {path}:2: not valid JSON (Expecting ',' delimiter "
        "at column 41).\n"
    )


def test_a_file_of_blank_lines_is_not_called_empty(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text("\n  \n\n")
    code, _, err = run("analyze", path)
    assert (code, err) == (1, f"skbalance analyze: error: {path}: no records (3 blank "
                              "lines).\n")  # fmt: skip
    path.write_text("")
    code, _, err = run("analyze", path)
    assert err == f"skbalance analyze: error: {path}: no records (the file is empty).\n"


def test_balance_refuses_to_overwrite_its_input_or_an_existing_file(tickets_file):
    before = tickets_file.read_bytes()
    code, _, err = run(
        "balance", tickets_file, "-o", tickets_file, "--target-ratio", "1", "--force"
    )
    assert code == 2
    assert err == (
        f"skbalance balance: error: {tickets_file}: refusing to overwrite the input "
        "file; write to another path.\n"
    )
    other = tickets_file.with_name("other.jsonl")
    other.write_text("keep\n")
    code, _, err = run("balance", tickets_file, "-o", other, "--target-ratio", "1")
    assert code == 2
    assert err == (
        f"skbalance balance: error: {other}: already exists; pass --force to "
        "overwrite it.\n"
    )
    assert tickets_file.read_bytes() == before and other.read_text() == "keep\n"


def test_balance_infeasible_floor_is_lowered_with_a_warning(tickets_file, tmp_path):
    code, out, err = run(
        "balance", tickets_file, "-o", tmp_path / "o.jsonl", "--min-share", "0.6"
    )
    assert code == 0
    # in the words of the shell, which has no relative=True
    assert err == (
        "skbalance balance: warning: --min-share 0.6 cannot be met by 2 classes "
        "(2 x 0.6 > 1); using 1/2, every class equal. --min-share 0.5 or less is a "
        "floor every class can reach.\n"
    )
    assert "50.0%" in out
    rows = [{"label": "abc"[i % 3], "d": "xyz"[i % 3]} for i in range(9)]
    tickets_file.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, out, err = run(
        "balance", tickets_file, "-o", tmp_path / "o.jsonl", "--min-share", "0.4",
        "--domain", "d", "--force",
    )  # fmt: skip
    assert code == 0
    assert err == (
        "skbalance balance: warning: --min-share 0.4 cannot be met by 3 domains "
        "(3 x 0.4 > 1); using 1/3, every domain equal. --min-share 0.3333 or less "
        "is a floor every domain can reach.\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["balance", "x.jsonl", "-o", "y.jsonl"],
            "one of the arguments --target-ratio",
        ),
        (
            ["balance", "x.jsonl", "-o", "y", "--target-ratio", "1.5"],
            "argument --target-ratio: must be a number in [0, 1] (0 adds no "
            "records); got 1.5\n",
        ),
        (
            ["balance", "x.jsonl", "-o", "y", "--min-share", "2"],
            "argument --min-share: must be a number in [0, 1] (0 adds no records); "
            "got 2\n",
        ),
        (
            ["balance", "x.jsonl", "-o", "y", "--min-share", "half"],
            "argument --min-share: must be a number in [0, 1] (0 adds no records); "
            "got half\n",
        ),
        (
            ["augment", "x.jsonl", "--text", "t", "--dry-run", "--min-share", "1.2"],
            "argument --min-share: must be a number in [0, 1] (0 adds no records); "
            "got 1.2\n",
        ),
        (
            ["balance", "x.jsonl", "-o", "y", "--min-share", ".1", "--seed", "-1"],
            "argument --seed: must be in [0, 2**32); got -1",
        ),
        (["split", "x.jsonl", "--out-dir", "d", "--sizes", "1", "0", "0"], "(0, 1)"),
        (
            ["compare", "x.jsonl", "--text", "t", "--cv", "1"],
            "argument --cv: must be >= 2 (cross-validation trains on some folds and "
            "scores on another); got 1\n",
        ),
        (["compare", "x.jsonl", "--text", "t", "--cv", "0"], "must be >= 2 ("),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_usage_errors(argv, message, capsys):
    code, _, _ = run(*argv)
    assert code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "[0.0, 1.0]" not in err  # scikit-learn's wording, not ours


def test_zero_target_is_accepted_and_adds_nothing(tickets_file, tmp_path):
    for option in ("--target-ratio", "--min-share"):
        out_path = tmp_path / f"{option}.jsonl"
        code, out, err = run("balance", tickets_file, "-o", out_path, option, "0")
        assert (code, err) == (0, "")
        assert "10 records in, 10 out (0 copies)" in out
        assert out_path.read_bytes() == tickets_file.read_bytes()


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("", "the output path is empty."),
        (".", ".: is a directory; give a file name to write to."),
        ("no/such/o.jsonl", "no/such/o.jsonl: the folder no/such does not exist."),
    ],
)
def test_bad_output_paths_are_refused_before_any_work(
    tmp_path, monkeypatch, output, message
):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(
        "balance", "missing.jsonl", "-o", output, "--target-ratio", "1"
    )
    assert (code, out) == (2, "")
    assert err == f"skbalance balance: error: {message}\n"


# -- analyze -------------------------------------------------------------------------


def test_analyze_report_domain_missing_and_duplicates(tmp_path):
    path = tmp_path / "in.jsonl"
    rows = _rows() + [_rows()[0], {"text": "x", "meta": {"loc": "en-US"}}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, out, err = run("analyze", path, "--domain", "meta.loc")
    assert (code, err) == (0, "")
    assert out == (
        f"{path}: 11 samples, 2 classes\n"
        "  class          count   share\n"
        "  billing            9   81.8%\n"
        "  technical          2   18.2%\n"
        "imbalance ratio 4.5 (largest / smallest): moderate\n"
        "by group (group imbalance ratio 4.5):\n"
        "  group    billing  technical\n"
        "  en-US          9          0\n"
        "  en-GB          0          2\n"
        "records without 'label': 1 (lines 12); not counted above (--missing-label "
        "VALUE counts them)\n"
        "duplicate records: 1\n"
        f"next: skbalance split {path} --out-dir parts\n"
    )
    code, out, _ = run("analyze", path, "--json")
    report = json.loads(out)
    assert report["counts"] == {"billing": 9, "technical": 2}
    assert report["missing_label"] == 1 and report["duplicate_records"] == 1


def test_analyze_json_equals_imbalance_report(tmp_path):
    from skbalance import imbalance_report

    rows = [
        {"y": y, "d": d}
        for y, d in zip("abcabcaabbz" * 3, "xyxyzzxyxyx" * 3, strict=True)
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, out, _ = run("analyze", path, "--label", "y", "--domain", "d", "--json")
    expected = imbalance_report(
        [r["y"] for r in rows], groups=[r["d"] for r in rows]
    ).to_dict()
    got = json.loads(out)
    unique = {json.dumps(r) for r in rows}
    assert code == 0 and got["duplicate_records"] == len(rows) - len(unique)
    assert {k: got[k] for k in expected} == expected
    assert [list(got[k]) for k in ("counts", "group_counts")] == [
        list(expected[k]) for k in ("counts", "group_counts")
    ]


def test_analyze_multilabel(tmp_path):
    path = tmp_path / "ml.jsonl"
    rows = [{"tags": ["a", "b"]}] * 6 + [{"tags": ["a"]}] * 3 + [{"tags": "c"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, out, _ = run("analyze", path, "--label", "tags", "--multilabel", "--json")
    report = json.loads(out)
    assert code == 0
    assert report["counts"] == {"a": 9, "b": 6, "c": 1}
    assert report["multilabel"]["max_ir"] == 9.0


def test_analyze_plot(tickets_file, tmp_path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "dist.png"
    code, _, _ = run("analyze", tickets_file, "--plot", png)
    assert code == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, _, err = run("analyze", tickets_file, "--plot", png)
    assert code == 2 and "already exists; pass --force" in err


# -- split ---------------------------------------------------------------------------


def _big(tmp_path, n=60):
    rows = [
        {"text": f"t{i % 40}", "label": "a" if i % 4 else "b", "d": f"d{i % 3}"}
        for i in range(n)
    ]
    path = tmp_path / "big.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path, rows


def test_split_writes_three_byte_exact_parts_and_prints_them(tmp_path):
    path, _ = _big(tmp_path)
    out_dir = tmp_path / "parts"
    code, out, err = run("split", path, "--out-dir", out_dir, "--seed", "1")
    assert (code, err) == (0, "")
    assert out == (
        f"{path}: 42 train / 9 val / 9 test -> {out_dir}\n"
        "  class     train   share       val   share      test   share\n"
        "  a            32   76.2%         7   77.8%         6   66.7%\n"
        "  b            10   23.8%         2   22.2%         3   33.3%\n"
        f"next: skbalance balance {out_dir}/train.jsonl --min-share 0.25 -o "
        f"{out_dir}/train.balanced.jsonl\n"
    )
    source = path.read_bytes().splitlines()
    parts = [
        (out_dir / f"{p}.jsonl").read_bytes().splitlines()
        for p in ("train", "val", "test")
    ]
    assert sorted(sum(parts, [])) == sorted(source)
    for part in parts:  # in input order
        assert part == sorted(part, key=source.index)
    code, _, err = run("split", path, "--out-dir", out_dir)
    assert code == 2 and "train.jsonl: already exists; pass --force" in err


def test_split_dedupe_and_groups_keep_duplicates_in_one_part(tmp_path):
    path, rows = _big(tmp_path)
    out_dir = tmp_path / "parts"
    code, _, err = run(
        "split", path, "--out-dir", out_dir, "--dedupe", "--text", "text",
        "--domain", "d", "--sizes", "0.6", "0.2", "0.2",
    )  # fmt: skip
    assert code == 0 and "error" not in err
    seen = {}
    for part in ("train", "val", "test"):
        for line in (out_dir / f"{part}.jsonl").read_text().splitlines():
            text = json.loads(line)["text"]
            assert seen.setdefault(text, part) == part
    assert len(seen) == 40
    code, _, _ = run(
        "split", path, "--out-dir", out_dir, "--group", "d", "--dedupe", "--force"
    )
    assert code == 0


def test_split_tells_the_domain_shares_the_duplicates_and_what_to_run_next(tmp_path):
    rows = [
        {"text": f"t{i % 50}", "label": "b" if i % 5 == 0 else "a", "d": f"d{i % 3}"}
        for i in range(60)
    ]  # 48 a, 12 b: a ratio of 4, a moderate imbalance
    path = tmp_path / "x.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out_dir = tmp_path / "parts"
    code, out, _ = run(
        "split", path, "--out-dir", out_dir, "--dedupe", "--text", "text",
        "--domain", "d",
    )  # fmt: skip
    assert code == 0
    written = {
        part: [json.loads(x) for x in (out_dir / f"{part}.jsonl").open()]
        for part in ("train", "val", "test")
    }
    domains = sorted({r["d"] for r in rows})  # 20 records each: in value order
    table = out.split("domains:\n")[1].splitlines()
    assert table[0].split() == [
        "domain",
        "train",
        "share",
        "val",
        "share",
        "test",
        "share",
    ]
    for line, domain in zip(table[1 : 1 + len(domains)], domains, strict=True):
        counts = [sum(r["d"] == domain for r in written[p]) for p in written]
        cells = line.split()
        assert [cells[0], *cells[1::2]] == [domain, *map(str, counts)]
    repeats = len(rows) - len({r["text"] for r in rows})
    assert (
        f"--dedupe: {repeats} records repeating an earlier one, each in the part" in out
    )
    train = [r["label"] for r in written["train"]]
    assert train.count("a") >= 3 * train.count("b")
    assert out.endswith(
        f"next: skbalance balance {out_dir}/train.jsonl --min-share 0.25 -o "
        f"{out_dir}/train.balanced.jsonl\n"
    )
    code, out, _ = run("analyze", path)
    assert out.endswith(f"next: skbalance split {path} --out-dir parts\n")
    path.write_text("".join(json.dumps(r) + "\n" for r in rows[:10]))  # 8 a, 2 b
    assert "next:" in run("analyze", path)[1]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows[:11]))  # 8 a, 3 b
    assert "next:" not in run("analyze", path)[1]  # mild: nothing to do


def _rare(tmp_path):
    rows = [{"label": y, "d": "xy"[i % 2], "text": f"t{i}"} for i, y in
            enumerate(["a"] * 12 + ["b"] * 12)]  # fmt: skip
    rows += [{"label": "edu", "d": "x", "text": "e"}]
    rows += [{"label": "emb", "d": "y", "text": f"m{i}"} for i in range(2)]
    path = tmp_path / "rare.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_split_names_the_rare_classes_and_pairs_by_their_values(tmp_path):
    path = _rare(tmp_path)
    code, _, err = run("split", path, "--out-dir", tmp_path / "p")
    assert code == 0
    assert err == (
        "skbalance split: warning: 2 class(es) have too few examples to be in every "
        "part: 'edu' (1), 'emb' (2). They go to train (1 example) or to train and "
        "test (2 examples).\n"
    )
    code, _, err = run("split", path, "--out-dir", tmp_path / "q", "--domain", "d")
    assert code == 0
    assert err == (
        "skbalance split: warning: 2 (class, domain) pair(s) have too few examples to "
        "be in every part: ('edu', 'x') (1), ('emb', 'y') (2). They go to train "
        "(1 example) or to train and test (2 examples).\n"
    )


def test_split_with_too_few_groups_names_the_file_and_the_option(tmp_path):
    path = tmp_path / "dup.jsonl"
    rows = [{"label": "ab"[i % 2], "text": "same" if i < 4 else "other", "team": t}
            for i, t in enumerate("xxxxyy")]  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    head = f"skbalance split: error: {path}: cannot split 6 records into 3 non-empty "
    for extra, message in [
        (
            ["--dedupe", "--text", "text"],
            "parts: --dedupe keeps records of the same --text text together, and "
            "they form only 2 groups (4 + 2 records).",
        ),
        (
            ["--group", "team"],
            "parts: --group team keeps the records of one value together, and they "
            "hold only 2 values: 'x' (4 records), 'y' (2 records).",
        ),
        (
            ["--group", "team", "--dedupe", "--text", "text"],
            "parts: --group team and --dedupe keep linked records together, and they "
            "form only 2 groups (4 + 2 records).",
        ),
    ]:
        code, out, err = run("split", path, "--out-dir", tmp_path / "p", *extra)
        assert (code, out, err) == (1, "", head + message + "\n")
    path.write_text('{"label": "a"}\n' * 5)
    code, _, err = run("split", path, "--out-dir", tmp_path / "p", "--dedupe")
    assert err == (
        f"skbalance split: error: {path}: cannot split 5 records into 3 non-empty "
        "parts: --dedupe keeps identical records together, and they form only 1 "
        "group (5 records).\n"
    )


def test_split_usage_errors(tmp_path):
    path, _ = _big(tmp_path)
    code, _, err = run(
        "split", path, "--out-dir", tmp_path, "--sizes", "0.5", "0.2", "0.2"
    )
    assert code == 2
    assert (
        err == "skbalance split: error: --sizes must sum to 1; got 0.5 + 0.2 + 0.2.\n"
    )
    code, _, err = run("split", path, "--out-dir", tmp_path, "--text", "text")
    assert err == (
        "skbalance split: error: --text is used by --dedupe; add --dedupe or leave "
        "--text out.\n"
    )
    code, _, err = run("split", path, "--out-dir", path)
    assert code == 2
    assert (
        err
        == f"skbalance split: error: --out-dir {path}: exists and is not a folder.\n"
    )


def _split_twice(tmp_path):
    """A split of big.jsonl in parts/ (the old set, ``{name: bytes}``) and
    the arguments of a second split replacing it."""
    path, _ = _big(tmp_path)
    out_dir = tmp_path / "parts"
    assert run("split", path, "--out-dir", out_dir, "--seed", "1")[0] == 0
    old = {p.name: p.read_bytes() for p in out_dir.iterdir()}
    assert sorted(old) == ["test.jsonl", "train.jsonl", "val.jsonl"]
    return old, out_dir, ("split", path, "--out-dir", out_dir, "--seed", "2", "--force")


def _contents(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_split_interrupted_while_writing_the_test_part_keeps_the_old_parts(
    tmp_path, monkeypatch
):
    import skbalance._jsonl._records as records

    old, out_dir, argv = _split_twice(tmp_path)
    placed_pieces, calls = records._placed_pieces, []

    def interrupted(*args):  # train, val, then Ctrl-C in the test part
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return placed_pieces(*args)

    monkeypatch.setattr(records, "_placed_pieces", interrupted)
    assert run(*argv) == (130, "", "")
    assert len(calls) == 3
    assert _contents(out_dir) == old  # no part replaced, no temporary file


@pytest.mark.parametrize("failing", ["val.jsonl", "test.jsonl"])
def test_split_full_disk_on_a_later_part_keeps_the_old_parts(
    tmp_path, monkeypatch, failing
):
    import skbalance._io
    from tests.conftest import full_disk_on

    old, out_dir, argv = _split_twice(tmp_path)
    monkeypatch.setattr(skbalance._io, "_write_bytes", full_disk_on(failing))
    assert run(*argv) == (
        2,
        "",
        f"skbalance split: error: {out_dir / failing}: write failed: no space left "
        "on the device.\n",
    )
    assert _contents(out_dir) == old


def test_split_on_a_really_full_disk_keeps_the_old_parts(tmp_path, tmpfs):
    disk = tmpfs("disk", "size=1m")
    path = tmp_path / "in.jsonl"
    row = '{"label": "%s", "text": "%s"}\n'
    path.write_text("".join(row % ("ab"[i % 5 == 0], "x" * 1000) for i in range(1100)))
    for name in ("train", "val", "test"):
        (disk / f"{name}.jsonl").write_text(f"old {name}\n")
    old = _contents(disk)
    # 0.7 + 0.15 of 1.1 MB (and the old parts) fit in 1 MB, all three do not
    code, out, err = run("split", path, "--out-dir", disk, "--force")
    assert (code, out) == (2, "")
    assert err == (
        f"skbalance split: error: {disk}/test.jsonl: write failed: no space left on "
        "the device.\n"
    )
    assert _contents(disk) == old


# -- weights -------------------------------------------------------------------------


def _skewed(tmp_path, big=500, small=2):
    path = tmp_path / "skewed.jsonl"
    rows = [{"label": "common"}] * big + [{"label": "rare"}] * small
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_weights_that_span_a_hundredfold_get_a_warning_and_a_cap(tmp_path, capsys):
    path = _skewed(tmp_path)  # balanced weights 0.502 and 125.5: 250x
    code, out, err = run("weights", path)
    assert code == 0
    assert err == (
        "skbalance weights: warning: the weights span 250x (largest / smallest): "
        "a few records of the rarest class will dominate the loss; --max-weight W "
        "caps them, --strategy sqrt softens them.\n"
    )
    code, out, err = run("weights", path, "--max-weight", "10")
    assert (code, err) == (0, "")
    weights = json.loads(out)["class_weights"]
    assert weights["rare"] == 10.0 and weights["common"] < 1
    code, out, err = run("weights", path, "--strategy", "sqrt")
    assert (code, err) == (0, "")  # sqrt: 15.8x
    code, _, _ = run("weights", path, "--max-weight", "0")  # argparse: sys.stderr
    assert code == 2
    assert capsys.readouterr().err.endswith(
        "argument --max-weight: must be > 0; got 0\n"
    )


def test_balance_warns_when_records_are_copied_a_hundred_times(tmp_path):
    path = _skewed(tmp_path, big=500, small=3)
    code, _, err = run("balance", path, "-o", tmp_path / "o.jsonl",
                       "--target-ratio", "1")  # fmt: skip
    assert code == 0
    assert err == (
        "skbalance balance: warning: 'rare' (3 -> 500, 166 copies each): a model "
        "may learn these records by heart; a lower --target-ratio or --min-share "
        "copies less, `skbalance augment` writes new records instead.\n"
    )
    code, _, err = run("balance", path, "-o", tmp_path / "p.jsonl",
                       "--target-ratio", "0.5")  # fmt: skip
    assert (code, err) == (0, "")  # 3 -> 250: 82 copies each


def test_weights_json_to_stdout_or_a_file(tickets_file, tmp_path):
    from skbalance import ClassWeightComputer

    code, out, _ = run("weights", tickets_file, "--strategy", "sqrt")
    expected = ClassWeightComputer(strategy="sqrt").fit(
        ["billing"] * 8 + ["technical"] * 2
    )
    assert code == 0 and out == expected.to_json() + "\n"
    target = tmp_path / "w.json"
    code, out, err = run("weights", tickets_file, "-o", target)
    assert code == 0 and out == ""
    assert err == f"balanced class weights of 10 records -> {target}\n"
    restored = ClassWeightComputer.from_json(target.read_text())
    # scikit-learn's "balanced": the sample weights of the file average 1
    assert restored.class_weight_ == {"billing": 0.625, "technical": 2.5}


# -- evaluate ------------------------------------------------------------------------


def test_evaluate_a_field_and_per_domain(tmp_path):
    rows = [
        {"label": y, "pred": p, "d": d}
        for y, p, d in [
            ("a", "a", "x"),
            ("a", "a", "x"),
            ("a", "b", "y"),
            ("b", "b", "y"),
        ]
    ]
    path = tmp_path / "preds.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, out, _ = run("evaluate", path, "--pred", "pred")
    assert code == 0
    assert out == (
        "4 records\n"
        "class  precision  recall      f1  support\n"
        "a          1.000   0.667   0.800        3\n"
        "b          0.500   1.000   0.667        1\n"
        "macro F1 0.733, weighted F1 0.767, gap 0.033\n"
    )
    code, out, _ = run("evaluate", path, "--pred", "pred", "--domain", "d", "--json")
    report = json.loads(out)
    assert report["groups"]["x"]["per_class"]["a"]["recall"] == 1.0
    assert report["gap"] == pytest.approx(0.0333, abs=1e-3)


def test_evaluate_per_domain_over_the_classes_present_in_the_domain(tmp_path):
    rows = [("a", "a", "x"), ("a", "a", "x"), ("a", "b", "y"), ("b", "b", "y"),
            ("c", "c", "y"), ("c", "a", "y")]  # fmt: skip
    path = tmp_path / "preds.jsonl"
    path.write_text(
        "".join(json.dumps({"label": y, "pred": p, "d": d}) + "\n" for y, p, d in rows)
    )
    code, out, err = run("evaluate", path, "--pred", "pred", "--domain", "d")
    assert (code, err) == (0, "")
    # x sees only a: its macro F1 is 1, not (1 + 0 + 0) / 3, and b and c are not
    # listed with a support of 0
    assert out == (
        "6 records\n"
        "class  precision  recall      f1  support\n"
        "a          0.667   0.667   0.667        3\n"
        "b          0.500   1.000   0.667        1\n"
        "c          1.000   0.500   0.667        2\n"
        "macro F1 0.667, weighted F1 0.667, gap 0.000\n"
        "group x (1 of 3 classes present; macro F1 over them):\n"
        "  class  precision  recall      f1  support\n"
        "  a          1.000   1.000   1.000        2\n"
        "  macro F1 1.000, weighted F1 1.000, gap 0.000\n"
        "group y:\n"
        "  class  precision  recall      f1  support\n"
        "  a          0.000   0.000   0.000        1\n"
        "  b          0.500   1.000   0.667        1\n"
        "  c          1.000   0.500   0.667        2\n"
        "  macro F1 0.444, weighted F1 0.500, gap 0.056\n"
    )
    code, out, _ = run("evaluate", path, "--pred", "pred", "--domain", "d", "--json")
    x = json.loads(out)["groups"]["x"]
    assert list(x["per_class"]) == ["a"] and x["macro_f1"] == 1.0


def test_evaluate_by_line_refuses_files_whose_ids_are_in_different_orders(tmp_path):
    truth, preds = tmp_path / "truth.jsonl", tmp_path / "preds.jsonl"
    records = [{"pkg": f"p{i}", "src": "web", "y": "ab"[i % 2]} for i in range(6)]
    truth.write_text("".join(json.dumps(r) + "\n" for r in records))
    args = ["evaluate", "--true", truth, "--pred", preds, "--label", "y"]
    # aligned, the id in the same order: no message
    preds.write_text("".join(json.dumps(r) + "\n" for r in records))
    code, out, err = run(*args)
    assert (code, err) == (0, "") and "macro F1 1.000" in out
    # reordered: the ids say so, whatever the field is called
    shuffled = [records[i] for i in (3, 0, 1, 2, 5, 4)]
    preds.write_text("\n" + "".join(json.dumps(r) + "\n" for r in shuffled))
    code, out, err = run(*args)
    assert (code, out) == (1, "")
    assert err == (
        f"skbalance evaluate: error: {preds}:2: 'pkg' is 'p3' where {truth}:1 has "
        "'p0': both files hold the same 6 distinct values of 'pkg' in different "
        "orders, so scoring line by line would pair the wrong records; align them "
        "with --id pkg.\n"
    )
    code, out, err = run(*args, "--id", "pkg")
    assert (code, err) == (0, "") and "macro F1 1.000" in out
    # a shared field that is not an id (repeated values) says nothing
    other = [{"src": "web", "y": r["y"]} for r in shuffled]
    preds.write_text("".join(json.dumps(r) + "\n" for r in other))
    code, out, err = run(*args)
    assert (code, err) == (0, "")


def test_evaluate_two_files_by_line_or_by_id(tmp_path):
    truth = tmp_path / "truth.jsonl"
    preds = tmp_path / "preds.jsonl"
    truth.write_text('{"id": 1, "y": "a"}\n{"id": 2, "y": "b"}\n{"id": 3, "y": "b"}\n')
    preds.write_text(
        '{"id": 3, "out": "b"}\n{"id": 1, "out": "a"}\n{"id": 2, "out": "a"}\n'
    )
    args = ["evaluate", "--true", truth, "--pred", preds, "--label", "y"]
    code, out, _ = run(*args, "--pred-label", "out", "--id", "id", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["per_class"]["b"]["recall"] == 0.5
    assert report["per_class"]["a"]["precision"] == 0.5
    preds.write_text('{"out": "b"}\n{"out": "a"}\n{"out": "a"}\n')  # no ids
    code, out, _ = run(*args, "--pred-label", "out", "--json")  # by line
    assert json.loads(out)["per_class"]["a"]["recall"] == 0.0
    preds.write_text('{"id": 1, "out": "a"}\n')
    code, _, err = run(*args, "--pred-label", "out")
    assert code == 1
    assert err == (
        f"skbalance evaluate: error: {truth} has 3 records but {preds} has 1; "
        "align them by line, or by a field with --id.\n"
    )
    code, _, err = run(*args, "--pred-label", "out", "--id", "id")
    assert err == (
        f"skbalance evaluate: error: {truth}:2: id 2 (--id id) has no prediction in "
        f"{preds}.\n"
    )
    preds.write_text('{"id": 1, "out": "a"}\n{"id": 1, "out": "a"}\n')
    code, _, err = run(*args, "--pred-label", "out", "--id", "id")
    assert err == (
        f"skbalance evaluate: error: {preds}:2: id 1 (--id id) repeats line 1.\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["evaluate", "--pred", "p"], "give FILE (with --pred FIELD), or --true FILE "
         "--pred FILE."),
        (["evaluate", "f", "--pred", "p", "--id", "i"], "--id and --pred-label go "
         "with --true FILE --pred FILE."),
        (["evaluate", "f", "--true", "t", "--pred", "p"], "give FILE or --true FILE, "
         "not both."),
    ],
)  # fmt: skip
def test_evaluate_usage(argv, message):
    code, _, err = run(*argv)
    assert code == 2 and err == f"skbalance evaluate: error: {message}\n"


# -- compare and augment ------------------------------------------------------------


def test_compare_on_the_bundled_tickets(tmp_path):
    from skbalance._datasets import support_tickets_path

    code, out, err = run(
        "compare", support_tickets_path(), "--text", "text", "--cv", "2", "--json"
    )
    assert (code, err) == (0, "")
    rows = json.loads(out)
    assert rows[0]["macro_f1_mean"] >= rows[-1]["macro_f1_mean"]
    assert {r["strategy"] for r in rows} == {
        "none",
        "class weights (balanced)",
        "RatioOverSampler(target_ratio=0.5)",
        "RatioOverSampler(target_ratio=1.0)",
        "DomainFloorSampler(min_share=0.125)",
    }
    none = next(r for r in rows if r["strategy"] == "none")
    assert none["rows_after"] == 500 and none["error"] is None
    assert rows[0]["within_noise_of_best"] is True
    for row in rows:  # within one standard deviation of the best, or not
        gap = rows[0]["macro_f1_mean"] - row["macro_f1_mean"]
        spread = max(rows[0]["macro_f1_std"], row["macro_f1_std"])
        assert row["within_noise_of_best"] is (gap <= spread)


def _run_without(package, *argv):
    """The command line in a fresh interpreter where ``package`` cannot be
    imported, as if it were not installed."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "class Refuse:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == sys.argv[1]:\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}')\n"
        "sys.meta_path.insert(0, Refuse())\n"
        "from skbalance._cli import main\n"
        "sys.exit(main(sys.argv[2:]))\n"
    )
    argv = [str(a) for a in argv]
    return subprocess.run(
        [sys.executable, "-c", code, package, *argv], capture_output=True, text=True
    )


def test_compare_runs_without_pandas(tmp_path):
    """The README's install has no pandas: ``compare`` prints its table from
    the rows (it crashed after all its work, calling .sort_values on a dict)."""
    from skbalance._datasets import support_tickets_path

    argv = ["compare", support_tickets_path(), "--text", "text", "--cv", "2"]
    proc = _run_without("pandas", *argv)
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].endswith("2-fold cross-validation (seed 0); best first")
    scores = [float(line.split()[-6]) for line in lines[2:7]]  # macro F1 mean
    assert len(scores) == 5 and scores == sorted(scores, reverse=True)
    # ties with the best (within the fold spread) are marked, with a legend
    tied = [line for line in lines[3:7] if line.startswith("~ ")]
    if tied:
        assert lines[7].startswith(f"~ {len(tied)} within the fold spread of the best")
    else:
        assert len(lines) == 7


@pytest.mark.parametrize(
    "package, argv, message",
    [
        (
            "matplotlib",
            ["analyze", "{bad}", "--plot", "{tmp}/p.png"],
            "skbalance analyze: error: --plot needs the optional dependency "
            "'matplotlib', which is not installed. Install it with: "
            "pip install 'skbalance[plot]'\n",
        ),
        (
            "anthropic",
            [
                "augment",
                "{bad}",
                "--text",
                "t",
                "--target-ratio",
                "1",
                "-o",
                "{tmp}/o.jsonl",
            ],
            "skbalance augment: error: augment needs the optional dependency "
            "'anthropic', which is not installed. Install it with: "
            "pip install 'skbalance[llm]'\n",
        ),
    ],
)
def test_a_missing_extra_is_named_before_the_input_is_read(
    tmp_path, package, argv, message
):
    """Exit 2 and the install line, before reading: the input here is not
    JSON, and reading it first would end in that error (exit 1)."""
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    argv = [a.format(bad=bad, tmp=tmp_path) for a in argv]
    proc = _run_without(package, *argv)
    assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", message)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl"]


def test_compare_needs_enough_records_per_class(tickets_file):
    code, _, err = run("compare", tickets_file, "--text", "text")
    assert code == 1
    assert err == (
        f"skbalance compare: error: {tickets_file}: class 'technical' has 2 records, "
        "fewer than the 5 folds of --cv 5; use --cv 2 or fewer.\n"
    )
    code, _, err = run("compare", tickets_file, "--text", "text", "--label", "meta.loc",
                       "--missing-label", "x")  # fmt: skip
    assert code == 1


def test_augment_dry_run_and_offline_generation(tickets_file, tmp_path):
    code, out, _ = run(
        "augment", tickets_file, "--text", "text", "--target-ratio", "1",
        "--dry-run", "--cache", tmp_path / "cache",
    )  # fmt: skip
    assert code == 0
    assert out.splitlines()[1] == "  technical: +6 records"
    assert out.startswith(f"{tickets_file}: 10 records; 2 requests to claude-haiku-4-5")
    target = tmp_path / "aug.jsonl"
    code, out, err = run(
        "augment", tickets_file, "--text", "text", "--target-ratio", "1", "-o", target,
        "--generator", "offline", "--provenance", "synthetic", "--cache",
        tmp_path / "cache",
    )  # fmt: skip
    assert code == 0, err
    lines = target.read_bytes().splitlines()
    assert lines[:10] == tickets_file.read_bytes().splitlines()
    new = [json.loads(x) for x in lines[10:]]
    assert len(new) == 6 and all(r["label"] == "technical" for r in new)
    assert all(r["synthetic"]["generator"] == "offline" for r in new)
    assert out.splitlines()[1:] == [  # the table of balance, shares included
        "               before     after   share",
        "  billing           8         8   50.0%",
        "  technical         2         8   50.0%",
    ]
    assert "10 records in, 16 out (6 new" in out
    code, _, err = run(
        "augment", tickets_file, "--text", "text", "--min-share", "1", "--dry-run",
        "--cache", tmp_path / "cache",
    )  # fmt: skip
    assert code == 0
    assert err == (
        "skbalance augment: warning: --min-share 1 cannot be met by 2 classes (2 x 1 "
        "> 1); using 1/2, every class equal. --min-share 0.5 or less is a floor "
        "every class can reach.\n"
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--dry-run", "-o", "x.jsonl"], "--dry-run writes nothing; leave -o out."),
        ([], "give -o OUT to write the augmented file (or --dry-run)."),
    ],
)
def test_augment_usage(tickets_file, extra, message):
    code, _, err = run(
        "augment", tickets_file, "--text", "text", "--min-share", "0.3", *extra
    )
    assert code == 2 and err == f"skbalance augment: error: {message}\n"


# -- outputs through links, pipes and permissions (the console script: test_cli_script)


def _balance_to(path, output, *extra):
    return run("balance", path, "--target-ratio", "1", "-o", output, *extra)


def test_symlink_is_written_through_and_fifo_directly(tickets_file, tmp_path):
    import os
    import stat
    import threading

    real = tmp_path / "real.jsonl"
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    assert _balance_to(tickets_file, link)[0] == 2  # exists: needs --force
    assert _balance_to(tickets_file, link, "--force")[0] == 0
    assert link.is_symlink() and len(real.read_bytes().splitlines()) == 16
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    assert _balance_to(tickets_file, fifo)[0] == 0
    reader.join(timeout=30)
    assert len(got[0].splitlines()) == 16 and stat.S_ISFIFO(fifo.stat().st_mode)


def test_read_only_output_is_refused_even_with_force(tickets_file, tmp_path):
    out = tmp_path / "ro.jsonl"
    out.write_text("keep\n")
    out.chmod(0o444)
    code, _, err = _balance_to(tickets_file, out, "--force")
    assert code == 2
    assert err == (
        f"skbalance balance: error: {out}: is read-only; refusing to replace it "
        "(change its permissions first).\n"
    )
    assert out.read_text() == "keep\n"


#: every command that writes a file: its arguments ({inp}: the input, {dir}:
#: the output folder, {tmp}: the test's folder) and the output named first
WRITERS = {
    "split": (["split", "{inp}", "--out-dir", "{dir}"], "train.jsonl"),
    "balance": (["balance", "{inp}", "-o", "{dir}/b.jsonl", "--target-ratio", "1"],
                "b.jsonl"),
    "weights": (["weights", "{inp}", "-o", "{dir}/w.json"], "w.json"),
    "analyze": (["analyze", "{inp}", "--plot", "{dir}/p.png"], "p.png"),
    "augment": (["augment", "{inp}", "--text", "text", "--target-ratio", "1", "-o",
                 "{dir}/a.jsonl", "--generator", "offline", "--cache", "{tmp}/c"],
                "a.jsonl"),
}  # fmt: skip


def _writer(command, inp, folder, tmp_path):
    if command == "analyze":
        pytest.importorskip("matplotlib")
    argv, name = WRITERS[command]
    return [a.format(inp=inp, dir=folder, tmp=tmp_path) for a in argv], name


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_a_folder_where_no_file_can_be_made_is_found_before_reading(
    tmp_path, monkeypatch, command
):
    """Exit 2 naming the output before the input is read: the input here
    does not exist, and reading it first would end in that error (exit 1)."""
    import errno

    import skbalance._io

    def read_only(folder, name):
        raise OSError(errno.EROFS, "Read-only file system")

    folder = tmp_path / "out"
    folder.mkdir()
    argv, name = _writer(command, tmp_path / "missing.jsonl", folder, tmp_path)
    monkeypatch.setattr(skbalance._io, "_temporary", read_only)
    assert run(*argv) == (
        2,
        "",
        f"skbalance {command}: error: {folder}/{name}: cannot write in the folder "
        f"{folder}: the file system is read-only.\n",
    )


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_a_read_only_file_system_is_found_before_reading(tmp_path, tmpfs, command):
    folder = tmpfs("ro", "ro", "size=64k")
    argv, name = _writer(command, tmp_path / "missing.jsonl", folder, tmp_path)
    assert run(*argv) == (
        2,
        "",
        f"skbalance {command}: error: {folder}/{name}: cannot write in the folder "
        f"{folder}: the file system is read-only.\n",
    )


def test_split_out_dir_that_cannot_be_created(tmp_path, tmpfs):
    folder = tmpfs("ro", "ro", "size=64k")
    code, out, err = run("split", tmp_path / "missing.jsonl", "--out-dir",
                         folder / "parts")  # fmt: skip
    assert (code, out) == (2, "")
    assert err == (
        f"skbalance split: error: {folder}/parts: cannot create the folder: the file "
        "system is read-only.\n"
    )


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_a_full_disk_is_one_line_naming_the_output(tmp_path, monkeypatch, command):
    import skbalance._io
    from tests.conftest import full_disk_on

    folder = tmp_path / "out"
    folder.mkdir()
    argv, name = _writer(command, _big(tmp_path)[0], folder, tmp_path)
    monkeypatch.setattr(skbalance._io, "_write_bytes", full_disk_on(name))
    code, _, err = run(*argv)
    assert (code, err) == (
        2,
        f"skbalance {command}: error: {folder}/{name}: write failed: no space left "
        "on the device.\n",
    )
    assert list(folder.iterdir()) == []  # nothing partial, no temporary file


# -- docs ------------------------------------------------------------------------------


def test_every_command_and_option_is_documented_in_its_own_section():
    import re
    from pathlib import Path

    from skbalance._cli._parser import build_parser as _build_parser

    cli = (Path(__file__).resolve().parents[2] / "docs" / "cli.rst").read_text()
    common = cli.split("\nskbalance ", 1)[0]
    sections = dict(re.findall(r"^skbalance (\w+)\n-+\n(.*?)(?=^skbalance \w+\n-+|\Z)",
                               cli, re.S | re.M))  # fmt: skip
    parser = _build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    assert sorted(sections) == sorted(commands)
    for name, sub in commands.items():
        for action in sub._actions:
            for option in action.option_strings:
                if option in ("-h", "--help"):
                    continue
                assert f"``{option}" in sections[name] or f"``{option}" in common, (
                    f"{option} of {name} is not documented"
                )
            if not action.option_strings:
                assert f"``{action.metavar}``" in sections[name], (
                    f"{action.metavar} of {name} is not documented"
                )


def test_balance_lists_classes_largest_first_as_every_command(tmp_path):
    path = tmp_path / "t.jsonl"
    rows = [{"label": "alpha"}] * 2 + [{"label": "zulu"}] * 10 + [{"label": "mid"}] * 2
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, out, _ = run("balance", path, "-o", tmp_path / "o.jsonl",
                       "--target-ratio", "0.5")  # fmt: skip
    assert code == 0
    table = [line.split()[0] for line in out.splitlines()[2:]]
    assert table == ["zulu", "alpha", "mid"]  # ties in value order
    code, out, _ = run("analyze", path)
    assert [line.split()[0] for line in out.splitlines()[2:5]] == table


def _chats(path, n_billing, n_technical, ids):
    rows = [
        {
            **({"id": ids(i)} if ids else {}),
            "messages": [
                {"role": "system", "content": "You are the support desk."},
                {"role": "user", "content": f"question {i}"},
                {"role": "assistant", "content": f"answer {i}"},
            ],
            "category": "billing" if i < n_billing else "technical",
        }
        for i in range(n_billing + n_technical)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.mark.parametrize("ids", [None, lambda i: i + 1, lambda i: f"c{i}"])
def test_augment_chat_records_whole_marked_with_new_ids(tmp_path, ids):
    path = _chats(tmp_path / "chat.jsonl", 12, 3, ids)
    out = tmp_path / "aug.jsonl"
    code, _, err = run(
        "augment", path, "--label", "category", "--text", "messages",
        "--min-share", "0.4", "--generator", "offline", "-o", out,
        "--cache", tmp_path / "cache",
    )  # fmt: skip
    assert code == 0, err
    lines = out.read_bytes().splitlines()
    assert lines[:15] == path.read_bytes().splitlines()  # originals untouched
    old = [json.loads(x) for x in lines[:15]]
    new = [json.loads(x) for x in lines[15:]]
    assert len(new) == 5 and all(r["category"] == "technical" for r in new)
    for record in new:
        system, user, assistant = record["messages"]
        assert system == old[0]["messages"][0]  # kept verbatim
        assert [user["role"], assistant["role"]] == ["user", "assistant"]
        source = old[record["synthetic"]["seed"]]
        if ids is not None:
            assert record["synthetic"]["seed_id"] == source["id"]
            assert str(record["id"]).startswith(f"{source['id']}-llm")
        assert source["category"] == "technical"
        assert user["content"] != source["messages"][1]["content"]  # new turns
        assert record["synthetic"]["generator"] == "offline"
    if ids is not None:
        all_ids = [str(r["id"]) for r in old + new]
        assert len(set(all_ids)) == len(all_ids)  # new records, new ids


def test_augment_several_fields_and_unmarked(tmp_path):
    rows = [
        {"instruction": f"do {i}", "response": f"done {i}", "label": "ab"[i >= 10]}
        for i in range(13)
    ]
    path = tmp_path / "flat.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "aug.jsonl"
    code, _, err = run(
        "augment", path, "--text", "instruction,response", "--min-share", "0.4",
        "--generator", "offline", "-o", out, "--no-provenance",
        "--cache", tmp_path / "cache",
    )  # fmt: skip
    assert code == 0, err
    new = [json.loads(x) for x in out.read_bytes().splitlines()[13:]]
    assert new and all(set(r) == {"instruction", "response", "label"} for r in new)
    seeds = {(r["instruction"], r["response"]) for r in rows}
    assert all((r["instruction"], r["response"]) not in seeds for r in new)
    code, _, err = run(
        "augment", path, "--text", "instruction", "--text", "answer",
        "--min-share", "0.4", "--dry-run",
    )  # fmt: skip
    assert (code, err) == (
        1,
        f"skbalance augment: error: {path}:1: no field 'answer' (--text).\n",
    )
    path.write_text('{"label": "a", "instruction": {"x": 1}}\n')
    code, _, err = run("augment", path, "--text", "instruction", "--min-share", "0.4",
                       "--dry-run")  # fmt: skip
    assert (code, err) == (
        1,
        f"skbalance augment: error: {path}:1: field 'instruction' (--text) is dict; "
        "expected a string or a list of chat messages (objects with a role and a "
        "content).\n",
    )


# -- mix ---------------------------------------------------------------------------


def _locales(tmp_path):
    rows = [
        {"id": i, "label": "ab"[i % 3 == 0], "locale": "en-US" if i < 90 else "de"}
        for i in range(100)
    ]
    path = tmp_path / "loc.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path, rows


def _counted(path, field):
    from collections import Counter

    return Counter(json.loads(x)[field] for x in path.open())


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--temperature", "0"], {"en-US": 50, "de": 50}),
        (["--temperature", "1"], {"en-US": 90, "de": 10}),
        (["--unimax", "2"], {"en-US": 80, "de": 20}),  # de capped at 2 x 10
        (["--unimax", "2", "--size", "60"], {"en-US": 40, "de": 20}),
        (
            ["--weights", '{"en-US": 3, "de": 1}', "--size", "40"],
            {"en-US": 30, "de": 10},
        ),
        (["--temperature", "0", "--max-repeats", "1.5"], {"en-US": 85, "de": 15}),
    ],
)
def test_mix_reaches_exact_counts_per_domain(tmp_path, options, expected):
    path, rows = _locales(tmp_path)
    out = tmp_path / "mix.jsonl"
    code, stdout, err = run("mix", path, "-o", out, "--domain", "locale", *options)
    assert (code, err) == (0, "")
    assert dict(_counted(out, "locale")) == expected
    kept = [json.loads(x) for x in out.open()]
    originals = path.read_bytes().splitlines()
    by_id = {json.loads(x)["id"]: x for x in originals}
    assert all(by_id[r["id"]] == json.dumps(r).encode() for r in kept)  # verbatim
    for domain, n in expected.items():
        before = sum(r["locale"] == domain for r in rows)
        ids = [r["id"] for r in kept if r["locale"] == domain]
        assert max(ids.count(i) for i in set(ids)) == -(-n // before)  # epochs
        (line,) = [x for x in stdout.splitlines() if x.split()[:1] == [domain]]
        assert line.split()[1:3] == [str(before), str(n)]
        assert line.split()[-1] == str(max(before - n, 0))  # dropped


def test_mix_by_class_and_bad_options(tmp_path, capsys):
    path, _ = _locales(tmp_path)
    out = tmp_path / "mix.jsonl"
    code, _, err = run("mix", path, "-o", out, "--domain", "locale", "--by-class",
                       "--temperature", "0")  # fmt: skip
    assert (code, err) == (0, "")
    pairs = _counted(out, "locale"), _counted(out, "label")
    assert sum(pairs[0].values()) == 100
    lines = [json.loads(x) for x in out.open()]
    assert {(r["locale"], r["label"]) for r in lines} == {
        ("en-US", "a"), ("en-US", "b"), ("de", "a"), ("de", "b")
    }  # fmt: skip
    from collections import Counter

    assert set(Counter((r["locale"], r["label"]) for r in lines).values()) == {25}
    for options, message in [
        (["--by-class", "--temperature", "0"], "--by-class goes with --domain FIELD."),
        (["--unimax", "2", "--max-repeats", "3"],
         "--unimax E is the cap; leave --max-repeats out."),
    ]:  # fmt: skip
        code, _, err = run("mix", path, "-o", out, "--force", *options)
        assert (code, err) == (2, f"skbalance mix: error: {message}\n")
    capsys.readouterr()
    code, _, _ = run("mix", path, "-o", out, "--force", "--weights", "[1, 2]")
    assert code == 2
    assert capsys.readouterr().err.endswith(
        "skbalance mix: error: argument --weights: expected a JSON object (or a "
        "file holding one); got '[1, 2]'\n"
    )
    code, _, err = run("mix", path, "-o", out, "--force", "--domain", "locale",
                       "--weights", '{"en-US": 1}')  # fmt: skip
    assert (code, err) == (
        1,
        "skbalance mix: error: --weights has no number for 'de'; give every stratum "
        "a weight (0 drops it).\n",
    )
    code, _, err = run("mix", path, "-o", out, "--force", "--domain", "locale",
                       "--unimax", "1", "--size", "200")  # fmt: skip
    assert code == 0
    assert err == (
        "skbalance mix: warning: --max-repeats 1.0 caps the strata at 100 rows in "
        "all, fewer than --size 200; the output has 100 rows, every stratum with a "
        "share at its cap.\n"
    )


def test_compare_auto_chooses_as_balance_search(tmp_path):
    from pathlib import Path

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from skbalance import BalanceSearch

    path = Path(__file__).parents[2] / "skbalance" / "data" / "support_tickets.jsonl"
    code, out, err = run("compare", path, "--text", "text", "--auto", "--cv", "3",
                         "--json")  # fmt: skip
    assert (code, err) == (0, "")
    got = json.loads(out)
    rows = [json.loads(line) for line in path.open()]
    model = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000))
    search = BalanceSearch(model, cv=3, random_state=0, refit=False).fit(
        [r["text"] for r in rows], [r["label"] for r in rows]
    )
    assert got["best_strategy"] == search.best_strategy_
    assert [r["chosen"] for r in got["last_round"]].count(True) == 1
    (chosen,) = [r for r in got["last_round"] if r["chosen"]]
    assert chosen["strategy"] == search.best_strategy_
    scores = [r["macro_f1_mean"] for r in got["last_round"]]
    assert scores == sorted(scores, reverse=True)
    assert [r["candidates"] for r in got["rounds"]] == search.n_candidates_
