import io
import json
import subprocess
import sys

import pytest

from skbalance._cli import main


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def tickets_file(tmp_path):
    rows = [
        {"text": f"refund {i}", "label": "billing", "meta": {"loc": "en-US"}}
        for i in range(8)
    ] + [
        {"text": f"crash {i}", "label": "technical", "meta": {"loc": "en-GB"}}
        for i in range(2)
    ]
    path = tmp_path / "tickets.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_balance_target_ratio(tickets_file, tmp_path):
    out_path = tmp_path / "out.jsonl"
    code, out, err = run(
        "balance", str(tickets_file), "-o", str(out_path), "--target-ratio", "1"
    )
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


def test_balance_min_share_on_a_nested_domain(tickets_file, tmp_path):
    out_path = tmp_path / "out.jsonl"
    code, out, _ = run(
        "balance",
        str(tickets_file),
        "-o",
        str(out_path),
        "--min-share",
        "0.3",
        "--domain",
        "meta.loc",
    )
    assert code == 0
    assert out.splitlines()[0] == (
        f"DomainFloorSampler on domain field 'meta.loc': 10 records in, 12 out "
        f"(2 copies) -> {out_path}"
    )
    locs = [json.loads(x)["meta"]["loc"] for x in out_path.read_text().splitlines()]
    assert locs.count("en-GB") == 4 and len(locs) == 12


def test_balance_shuffle_is_deterministic(tickets_file, tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    for path in (a, b):
        run(
            "balance",
            str(tickets_file),
            "-o",
            str(path),
            "--min-share",
            "0.4",
            "--shuffle",
            "--seed",
            "3",
        )
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes().splitlines()[:10] != tickets_file.read_bytes().splitlines()


def test_balance_errors_name_file_line_and_field(tickets_file, tmp_path):
    text = tickets_file.read_text().splitlines()
    text[3] = '{"text": "no label"}'
    tickets_file.write_text("\n".join(text) + "\n")
    code, out, err = run(
        "balance",
        str(tickets_file),
        "-o",
        str(tmp_path / "o.jsonl"),
        "--target-ratio",
        "1",
    )
    assert code == 1 and out == ""
    assert err == (
        f"skbalance: error: {tickets_file}, line 4: field 'label' (--label) is missing "
        "(no 'label'; the record's keys are: text).\n"
    )
    assert not (tmp_path / "o.jsonl").exists()


def test_balance_refuses_to_overwrite_its_input(tickets_file):
    before = tickets_file.read_bytes()
    code, _, err = run(
        "balance", str(tickets_file), "-o", str(tickets_file), "--target-ratio", "1"
    )
    assert code == 1
    assert err == (
        f"skbalance: error: {tickets_file}: refusing to overwrite the input file; "
        "write to another path.\n"
    )
    assert tickets_file.read_bytes() == before


def test_balance_infeasible_floor_is_clipped_with_a_warning(tickets_file, tmp_path):
    with pytest.warns(UserWarning, match=r"min_share=0\.6 cannot be met by 2 strata"):
        code, out, _ = run(
            "balance",
            str(tickets_file),
            "-o",
            str(tmp_path / "o.jsonl"),
            "--min-share",
            "0.6",
        )
    assert code == 0
    assert "50.0%" in out


def test_domain_without_min_share(tickets_file, tmp_path):
    code, _, err = run(
        "balance",
        str(tickets_file),
        "-o",
        str(tmp_path / "o.jsonl"),
        "--target-ratio",
        "1",
        "--domain",
        "meta.loc",
    )
    assert code == 1
    assert err == (
        "skbalance: error: --domain needs --min-share (floors are put on domains).\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["balance", "x.jsonl", "-o", "y.jsonl"],
            "one of the arguments --target-ratio",
        ),
        (["balance", "x.jsonl", "-o", "y", "--target-ratio", "0"], "must be in (0, 1]"),
        (["balance", "x.jsonl", "-o", "y", "--min-share", "2"], "must be in [0, 1]"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_usage_errors(argv, message, capsys):
    code, _, _ = run(*argv)
    assert code == 2
    assert message in capsys.readouterr().err


def test_console_script_and_module_entry_points(tickets_file, tmp_path):
    # the installed console script exists and runs (skops once lost theirs)
    import shutil

    exe = shutil.which(
        "skbalance", path=str(__import__("pathlib").Path(sys.executable).parent)
    )
    assert exe is not None, "the skbalance console script is not installed"
    result = subprocess.run(
        [exe, "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("skbalance ")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "skbalance",
            "balance",
            str(tickets_file),
            "-o",
            str(tmp_path / "m.jsonl"),
            "--min-share",
            "0.25",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "DomainFloorSampler on label field 'label'" in result.stdout


def test_demo_splits_without_leaks_and_writes_training_records(tmp_path):
    from skbalance import duplicate_groups, load_support_tickets
    from skbalance._datasets import support_tickets_path

    output = tmp_path / "train.jsonl"
    code, out, _ = run("demo", "--output", str(output))
    assert code == 0
    assert "700 train / 150 val / 150 test" in out
    assert "Chosen by cross-validation on train+val " in out
    source = support_tickets_path().read_text(encoding="utf-8").splitlines()
    written = output.read_text(encoding="utf-8").splitlines()
    assert set(written) <= set(source)  # records byte for byte
    assert len(written) > 700  # the training part and its copies
    # no duplicate group of a written record appears outside the training part
    tickets = load_support_tickets()
    groups = duplicate_groups([t["text"] for t in tickets])
    line_group = dict(zip(source, groups.tolist(), strict=True))
    train_groups = {line_group[line] for line in written}
    assert len(set(written)) == 700  # every training record, once or more
    outside = [g for line, g in line_group.items() if line not in set(written)]
    assert not train_groups & set(outside)
