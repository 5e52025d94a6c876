"""The installed ``skbalance`` console script, run as a user would: every
command on flat and chat records, standard input and output, pipes, signals,
special files, and the exact message of every bad input."""

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

EXE = shutil.which("skbalance", path=str(Path(sys.executable).parent))


def script(*argv, input=None, cwd=None, **kw):
    assert EXE is not None, "the skbalance console script is not installed"
    return subprocess.run(
        [EXE, *map(str, argv)], input=input, capture_output=True, cwd=cwd, **kw
    )


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture
def flat(tmp_path):
    rows = [
        {"instruction": f"refund {i}", "response": "ok", "category": "billing",
         "domain": "en-US"}
        for i in range(12)
    ] + [
        {"instruction": f"crash {i}", "response": "ok", "category": "technical",
         "domain": "en-GB"}
        for i in range(4)
    ]  # fmt: skip
    return _write(tmp_path / "flat.jsonl", rows)


@pytest.fixture
def chat(tmp_path):
    rows = [
        {
            "messages": [
                {"role": "user", "content": f"question {i}"},
                {"role": "assistant", "content": "answer"},
            ],
            "category": "billing" if i < 12 else "technical",
        }
        for i in range(16)
    ]
    return _write(tmp_path / "chat.jsonl", rows)


def test_version_help_and_the_package_root_import_no_scikit_learn():
    result = script("--version")
    assert result.returncode == 0 and result.stdout.startswith(b"skbalance ")
    result = script("--help")
    assert result.returncode == 0
    for command in ("analyze", "split", "balance", "augment", "weights", "evaluate",
                    "compare", "demo"):  # fmt: skip
        assert command.encode() in result.stdout
    check = (
        "import sys, skbalance, skbalance._cli\n"
        "heavy = sorted(m for m in ('numpy', 'sklearn', 'scipy', 'imblearn') "
        "if m in sys.modules)\n"
        "assert not heavy, heavy\n"
        "for name in skbalance.__all__:\n"
        "    assert getattr(skbalance, name) is not None, name\n"
        "assert set(skbalance.__all__) <= set(dir(skbalance))\n"
        "from skbalance import RatioOverSampler, read_jsonl_labels\n"
        "try:\n"
        "    skbalance.nope\n"
        "except AttributeError as e:\n"
        "    assert str(e) == \"module 'skbalance' has no attribute 'nope'\"\n"
    )
    subprocess.run([sys.executable, "-c", check], check=True)


def test_module_entry_point(flat):
    result = subprocess.run(
        [sys.executable, "-m", "skbalance", "weights", str(flat), "--label",
         "category"],
        capture_output=True,
    )  # fmt: skip
    assert result.returncode == 0 and json.loads(result.stdout)["counts"] == {
        "billing": 12,
        "technical": 4,
    }


@pytest.mark.parametrize("kind", ["flat", "chat"])
def test_analyze_from_stdin(kind, flat, chat):
    path = flat if kind == "flat" else chat
    result = script("analyze", "-", "--label", "category", input=path.read_bytes())
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().startswith(
        "-: 16 samples, 2 classes\n"
        "  class          count   share\n"
        "  billing           12   75.0%\n"
        "  technical          4   25.0%\n"
        "imbalance ratio 3.0 (largest / smallest): moderate\n"
    )


@pytest.mark.parametrize("kind", ["flat", "chat"])
def test_balance_stdin_to_stdout_byte_for_byte(kind, flat, chat):
    path = flat if kind == "flat" else chat
    result = script(
        "balance", "-", "-o", "-", "--label", "category", "--target-ratio", "1",
        input=path.read_bytes(),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:16] == path.read_bytes().splitlines() and len(lines) == 24
    assert result.stderr.decode().startswith(
        "RatioOverSampler on label field 'category': 16 records in, 24 out (8 copies)"
        " -> standard output\n"
    )


def test_split_chat_records_with_dedupe(chat, tmp_path):
    result = script(
        "split", chat, "--label", "category", "--out-dir", tmp_path / "parts",
        "--dedupe", "--text", "messages.-1.content", "--sizes", "0.5", "0.25", "0.25",
    )  # fmt: skip
    # every record has the same last message: one duplicate group cannot fill
    # three parts, which is an error naming the group, and nothing is written
    assert result.returncode == 1
    assert (
        result.stderr
        == (
            f"skbalance split: error: {chat}: cannot split 16 records into 3 non-empty "
            "parts: --dedupe keeps records of the same --text messages.-1.content "
            "together, and they form only 1 group (16 records).\n"
        ).encode()
    )
    assert not (tmp_path / "parts").exists() or not any((tmp_path / "parts").iterdir())
    result = script(
        "split", chat, "--label", "category", "--out-dir", tmp_path / "p2",
        "--domain", "messages.0.role",
    )  # fmt: skip
    assert result.returncode == 0
    assert b"11 train / 3 val / 2 test" in result.stdout


def test_weights_evaluate_compare_and_augment(flat, tmp_path):
    result = script("weights", flat, "--label", "category", "-o", tmp_path / "w.json")
    assert result.returncode == 0
    assert json.loads((tmp_path / "w.json").read_text())["strategy"] == "balanced"
    result = script("evaluate", flat, "--label", "category", "--pred", "category")
    assert result.returncode == 0
    assert result.stdout.decode().endswith(
        "macro F1 1.000, weighted F1 1.000, gap 0.000\n"
    )
    result = script("compare", flat, "--label", "category", "--text", "instruction",
                    "--cv", "2")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert b"none" in result.stdout and b"class weights (balanced)" in result.stdout
    result = script(
        "augment", flat, "--label", "category", "--text", "instruction",
        "--target-ratio", "1", "-o", tmp_path / "aug.jsonl", "--generator", "offline",
        "--cache", tmp_path / "cache",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len((tmp_path / "aug.jsonl").read_bytes().splitlines()) == 24


def test_augment_against_the_local_fake_api(flat, tmp_path):
    pytest.importorskip("anthropic")
    from skbalance._llm._testing import FakeMessagesAPI

    with FakeMessagesAPI() as api:
        env = {**os.environ, "ANTHROPIC_API_KEY": "test-key",
               "ANTHROPIC_BASE_URL": api.url}  # fmt: skip
        result = script(
            "augment", flat, "--label", "category", "--text", "instruction",
            "--min-share", "0.4", "-o", tmp_path / "aug.jsonl", "--cache",
            tmp_path / "cache", "--max-requests", "3", env=env,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert 1 <= len(api.requests) <= 3
    written = (tmp_path / "aug.jsonl").read_bytes().splitlines()
    assert written[:16] == flat.read_bytes().splitlines() and len(written) > 16


# -- bad inputs: exact messages and exit codes -----------------------------------------


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            ['{"label": 1}'] * 4 + ['{"label": NaN}'],
            "{path}:5: field 'label' (label) is NaN; expected a string, number or "
            "boolean.",
        ),
        (
            ['{"label": "a"}', '{"label": "b"}', '{"label": 3}'],
            "{path}:3: field 'label' (label) is a number (3), but it is a string on "
            "line 1; the values of a field must all be strings, all numbers or all "
            "booleans.",
        ),
        (
            ['{"label": "a"}', '{"text": "b"}'],
            "{path}:2: field 'label' (label) is missing (no 'label'; the record's "
            "keys are: text).",
        ),
        (['{"label": "a"}', "{oops"], "{path}:2: not valid JSON (Expecting"),
    ],
)
def test_bad_data_exits_1_with_file_line_and_field(tmp_path, lines, message):
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = script("balance", path, "-o", tmp_path / "o.jsonl", "--min-share", "0.1")
    assert result.returncode == 1
    assert result.stderr.decode().startswith(
        "skbalance balance: error: " + message.format(path=path)
    )
    assert result.stdout == b"" and sorted(os.listdir(tmp_path)) == ["bad.jsonl"]


def test_skip_reports_how_many_and_the_first_lines(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"label": "a"}\n{"x": 1}\nnope\n{"label": "b"}\n')
    result = script("weights", path, "--on-error", "skip")
    assert result.returncode == 0
    assert result.stderr == b"skbalance: skipped 2 bad records (lines 2, 3)\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--seed", "-1"], "argument --seed: must be in [0, 2**32); got -1"),
        (["-o", ""], "skbalance balance: error: the output path is empty."),
        (["-o", "."], "skbalance balance: error: .: is a directory; give a file name"),
    ],
)
def test_usage_errors_exit_2_before_any_work(tmp_path, argv, message):
    result = script("balance", "no-such-input.jsonl", "--min-share", "0.1",
                    *(["-o", "o.jsonl"] if "-o" not in argv else []), *argv,
                    cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2
    assert message in result.stderr.decode()
    assert b"Traceback" not in result.stderr


def test_domain_with_target_ratio_is_a_ratio_per_domain(flat, tmp_path):
    result = script(
        "balance", flat, "--label", "category", "--domain", "domain",
        "--target-ratio", "1", "-o", tmp_path / "o.jsonl",
    )  # fmt: skip
    assert result.returncode == 0
    domains = [
        json.loads(x)["domain"] for x in (tmp_path / "o.jsonl").read_text().splitlines()
    ]
    assert domains.count("en-GB") == domains.count("en-US") == 12


# -- outputs: special files, links, permissions, BOM -----------------------------------


def _balance_to(flat, output, *extra):
    return script("balance", flat, "--label", "category", "--target-ratio", "1",
                  "-o", output, *extra)  # fmt: skip


def test_dev_null_stays_a_device(flat):
    before = os.stat("/dev/null")
    result = _balance_to(flat, "/dev/null")
    assert result.returncode == 0, result.stderr
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev


def test_dev_stdout_is_standard_output(flat, tmp_path):
    result = _balance_to(flat, "/dev/stdout")  # stdout is a pipe here
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 24
    assert b"-> standard output" in result.stderr
    target = tmp_path / "redirected.jsonl"
    with open(target, "wb") as fh:  # stdout redirected to a regular file
        proc = subprocess.run(
            [EXE, "balance", str(flat), "--label", "category", "--target-ratio", "1",
             "-o", "/dev/stdout"],
            stdout=fh, stderr=subprocess.PIPE,
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert len(target.read_bytes().splitlines()) == 24


def test_bom_is_kept_once_at_the_start(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"label": "rare"}\n' + b'{"label": "big"}\n' * 4)
    result = script("balance", path, "-o", "-", "--target-ratio", "1")
    assert result.returncode == 0
    assert result.stdout.count(b"\xef\xbb\xbf") == 1
    assert result.stdout.startswith(b'\xef\xbb\xbf{"label": "rare"}\n')
    assert result.stdout.splitlines()[5:] == [b'{"label": "rare"}'] * 3


# -- pipes and signals -----------------------------------------------------------------


@pytest.fixture
def large(tmp_path):
    path = tmp_path / "large.jsonl"
    with open(path, "w") as fh:
        for i in range(200_000):
            fh.write(f'{{"id": {i}, "label": "{"ab"[i % 7 == 0]}"}}\n')
    return path


def test_broken_pipe_is_quiet(large):
    proc = subprocess.Popen(
        [EXE, "balance", str(large), "-o", "-", "--target-ratio", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout.readline().startswith(b'{"id": 0')
    proc.stdout.close()  # like `| head -1`
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGPIPE
    assert err == b""


def _ctrl_c_default():
    """In the child: SIGINT as a terminal gives it, whatever the test run
    inherited (a shell's background job, nohup, starts with SIGINT ignored,
    and Python then installs no KeyboardInterrupt handler)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_and_sigterm_are_quiet_and_leave_no_temporary_file(large, tmp_path, sig):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    proc = subprocess.Popen(
        [EXE, "balance", str(large), "-o", str(out_dir / "o.jsonl"),
         "--target-ratio", "1", "--shuffle"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_ctrl_c_default,
    )  # fmt: skip
    deadline = time.monotonic() + 120  # a guard against a hang, not a timing
    while not any(out_dir.iterdir()) and proc.poll() is None:
        if time.monotonic() > deadline:
            pytest.fail("balance wrote nothing in 120 s")
        time.sleep(0.001)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:  # pragma: no cover - finished before the signal
        pytest.skip("the run ended before the signal arrived (machine too fast)")
    assert proc.returncode == 128 + sig
    assert err == b""
    assert list(out_dir.iterdir()) == []


def _wait_until_blocked_reading_a_pipe(proc, timeout=120):
    """Wait, without a fixed sleep, until the process has read what was
    written and waits for more: its kernel wait channel is a pipe read."""
    wchan = Path(f"/proc/{proc.pid}/wchan")
    deadline = time.monotonic() + timeout  # a guard against a hang, not a timing
    while "pipe_read" not in wchan.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the command never waited on stdin: {proc.communicate()}")
        time.sleep(0.01)


@pytest.mark.skipif(
    not Path("/proc/self/wchan").exists(), reason="needs Linux's /proc/PID/wchan"
)
def test_ctrl_c_while_reading_stdin_is_quiet():
    proc = subprocess.Popen(
        [EXE, "analyze", "-"],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_ctrl_c_default,
    )
    proc.stdin.write(b'{"label": "a"}\n')
    proc.stdin.flush()
    _wait_until_blocked_reading_a_pipe(proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signal.SIGINT
    assert err == b""


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs Linux's /dev/full")
@pytest.mark.parametrize(
    "argv",
    [
        ["balance", "--label", "category", "--min-share", "0.4", "-o", "-"],
        ["weights", "--label", "category"],
        ["analyze", "--label", "category"],
    ],
)
def test_a_full_standard_output_is_one_line(flat, argv):
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [EXE, argv[0], str(flat), *argv[1:]], stdout=full, stderr=subprocess.PIPE
        )
    assert (done.returncode, done.stderr.decode()) == (
        2,
        f"skbalance {argv[0]}: error: standard output: write failed: no space "
        "left on the device.\n",
    )


def test_augment_a_chat_file_of_1000_records_end_to_end(tmp_path):
    """The bundled tickets as a fine-tuning chat file (a long system prompt,
    the ticket as the user turn, a reply as the assistant turn), augmented
    through the console script against the local fake Messages API."""
    pytest.importorskip("anthropic")
    from collections import Counter

    from skbalance._llm._testing import FakeMessagesAPI, _answer

    system = " ".join(f"Rule {i}: answer as the support desk would." for i in range(50))
    rows = []
    for line in (
        Path(__file__)
        .parents[2]
        .joinpath("skbalance", "data", "support_tickets.jsonl")
        .open()
    ):
        ticket = json.loads(line)
        rows.append({
            "id": ticket["id"],
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": ticket["text"]},
                {"role": "assistant",
                 "content": f"Thanks, this goes to our {ticket['label']} team."},
            ],
            "label": ticket["label"],
        })  # fmt: skip
    chat = _write(tmp_path / "chat.jsonl", rows)
    assert len(rows) == 1000
    out, cache = tmp_path / "aug.jsonl", tmp_path / "cache"
    common = ["--text", "messages", "--target-ratio", "0.5", "--cache", cache]
    with FakeMessagesAPI() as api:
        env = {**os.environ, "ANTHROPIC_API_KEY": "test-key",
               "ANTHROPIC_BASE_URL": api.url}  # fmt: skip
        dry = script("augment", chat, *common, "--dry-run", env=env)
        assert dry.returncode == 0, dry.stderr
        assert api.n_requests == 0
        done = script("augment", chat, *common, "-o", out, env=env)
        assert done.returncode == 0, done.stderr
        bodies = [r["body"] for r in api.requests]
    first = dry.stdout.decode().splitlines()[0]
    n_requests, estimate_in, estimate_out = (
        int(first.split("; ")[1].split()[0]),
        int(first.split("about ")[1].split()[0]),
        int(first.split(" and ")[1].split()[0]),
    )
    # top-up requests replace the rewrites dropped (duplicates of another)
    assert n_requests <= len(bodies) <= 1.1 * n_requests
    usage = [_answer(body, "ok")["usage"] for body in bodies]
    used_in = sum(u["input_tokens"] for u in usage)
    used_out = sum(u["output_tokens"] for u in usage)
    print(
        f"requests {n_requests} planned, {len(bodies)} sent; tokens in "
        f"{estimate_in / used_in:.2f}x, out {estimate_out / used_out:.2f}x"
    )
    assert 1 / 1.5 <= estimate_in / used_in <= 1.5
    assert 1 / 1.5 <= estimate_out / used_out <= 1.5
    written = out.read_bytes().splitlines()
    assert written[:1000] == chat.read_bytes().splitlines()  # originals verbatim
    new = [json.loads(x) for x in written[1000:]]
    counts = Counter(r["label"] for r in rows + new)
    assert counts == {"billing": 500, "technical": 300, "account": 250, "other": 250}
    by_id = {r["id"]: r for r in rows}
    assert len({r["id"] for r in rows + new}) == 1300  # new ids
    for record in new:
        seed = by_id[record["synthetic"]["seed_id"]]
        assert record["label"] == seed["label"]
        old, now = seed["messages"], record["messages"]
        assert now[0] == old[0]  # the system prompt kept
        assert [m["role"] for m in now] == ["system", "user", "assistant"]
        assert now[1]["content"] != old[1]["content"]  # a new question
        assert now[2]["content"] != old[2]["content"]  # and a new answer
    for body in bodies:  # the long system prompt is sent once per request
        assert json.dumps(body).count(system) == 1
