"""The command line on a large JSON Lines file: time and peak memory.

A file of flat fine-tuning records (``{"instruction", "response", "category",
"domain"}``, 40 categories with power-law frequencies, about 300 bytes a
record) is generated under the temporary folder (1 GB by default; never
committed) and every command runs as a separate process of the installed
``skbalance`` script, its peak RSS read from the kernel (``wait4``):

* ``analyze`` and ``weights`` against ``pandas.read_json(lines=True)`` +
  ``value_counts()`` (the label counts a pandas user would write);
* ``split`` and ``balance --min-share 0.01`` (12% more records out) against
  the plain loop ``for line in f: json.loads(line)`` (which keeps nothing),
  and ``balance --target-ratio 0.5`` (6.4 times the records out) to show the
  cost of writing;
* ``analyze`` with the standard library's parser (orjson hidden), to show
  what the optional orjson speed-up buys.

Rounds are interleaved (every command once per round, rotated order) and the
medians reported, with ratios taken within a round. Targets (issue #12):
``analyze`` and ``weights`` peak RSS <= 200 MB and faster than pandas;
``split`` and ``balance`` peak RSS <= 100 bytes a record + 100 MB and wall
time <= the ``json.loads`` loop.

``--quick`` (CI) generates about 3 MB, runs each command once and checks the
outputs only: the counts equal a ``json.loads`` count, the split parts
partition the input byte for byte, and the balanced file holds input lines.

Run: ``python benchmarks/bench_jsonl.py [--quick] [--size-mb 1000] [--rounds 3]
[--out benchmarks/results/jsonl.md]``
"""

import argparse
import collections
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXE = shutil.which("skbalance", path=str(Path(sys.executable).parent))
WORDS = (
    "refund invoice charge account password login crash error upload export "
    "report team plan upgrade cancel discount receipt billing sync mobile app "
    "web browser slow timeout workspace admin role permission email notify"
).split()


def generate(path, size_bytes, seed=0):
    """Write records until the file reaches ``size_bytes``; return the count."""
    import numpy as np

    rng = np.random.default_rng(seed)
    p = 0.3 * (np.arange(40) + 1.0) ** -1.2
    p /= p.sum()
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        while fh.tell() < size_bytes:
            block = 20_000 if size_bytes > 1e8 else 2_000
            cats = rng.choice(40, size=block, p=p)
            doms = rng.choice(4, size=block, p=[0.6, 0.25, 0.1, 0.05])
            words = rng.integers(0, len(WORDS), size=(block, 30))
            lines = []
            for c, d, w in zip(cats, doms, words, strict=True):
                text = " ".join(WORDS[i] for i in w)
                lines.append(
                    json.dumps(
                        {
                            "instruction": f"Ticket {n}: {text[:120]}",
                            "response": f"Thanks for writing. {text[60:]}",
                            "category": f"category_{c:02d}",
                            "domain": ["en-US", "en-GB", "de-DE", "fr-FR"][d],
                        },
                        ensure_ascii=False,
                    )
                )
                n += 1
            fh.write("\n".join(lines) + "\n")
    return n


def run(argv):
    """Run a command; return (wall seconds, peak RSS bytes, stdout). The
    outputs of the commands before are flushed to the disk first (not
    timed), so that no command pays for the writing of another."""
    os.sync()
    out = tempfile.TemporaryFile()
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read()
    proc.stderr.close()
    if proc.returncode != 0:
        raise RuntimeError(f"{argv} failed ({proc.returncode}): {err.decode()}")
    out.seek(0)
    return wall, usage.ru_maxrss * 1024, out.read()


def commands(data, work):
    py = sys.executable
    loads_loop = (
        "import json, sys\n"
        "with open(sys.argv[1], 'rb') as f:\n"
        "    for line in f:\n"
        "        json.loads(line)\n"
    )
    pandas_counts = (
        "import sys, pandas as pd\n"
        "print(pd.read_json(sys.argv[1], lines=True)['category'].value_counts()"
        ".to_json())\n"
    )
    stdlib = (
        "import sys; sys.modules['orjson'] = None\n"
        "from skbalance._cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    return {
        "json.loads loop": [py, "-c", loads_loop, data],
        "pandas read_json + value_counts": [py, "-c", pandas_counts, data],
        "skbalance analyze": [EXE, "analyze", data, "--label", "category", "--json"],
        "skbalance analyze (stdlib json)": [
            py,
            "-c",
            stdlib,
            "analyze",
            data,
            "--label",
            "category",
            "--json",
        ],  # fmt: skip
        "skbalance weights": [EXE, "weights", data, "--label", "category"],
        "skbalance weights (pandas not installed)": [
            py,
            "-c",
            stdlib.replace("'orjson'", "'pandas'"),
            "weights",
            data,
            "--label",
            "category",
        ],  # fmt: skip
        "skbalance split": [
            EXE,
            "split",
            data,
            "--label",
            "category",
            "--out-dir",
            work,
            "--force",
        ],  # fmt: skip
        "skbalance balance": [
            EXE,
            "balance",
            data,
            "--label",
            "category",
            "--min-share",
            "0.01",
            "-o",
            os.path.join(work, "balanced.jsonl"),
            "--force",
        ],  # fmt: skip
        "skbalance mix --temperature 0.3": [
            EXE,
            "mix",
            data,
            "--label",
            "category",
            "--temperature",
            "0.3",
            "-o",
            os.path.join(work, "mixed.jsonl"),
            "--force",
        ],  # fmt: skip
        "skbalance balance --target-ratio 0.5": [
            EXE,
            "balance",
            data,
            "--label",
            "category",
            "--target-ratio",
            "0.5",
            "-o",
            os.path.join(work, "ratio.jsonl"),
            "--force",
        ],  # fmt: skip
    }


def _lines(path):
    with open(path, "rb") as fh:
        for line in fh:
            yield line.rstrip(b"\n")


def _check_copies(data, path, n, floor):
    """Originals first, byte for byte; every copy an input line; the class
    counts of the output at least ``floor(counts, total)``."""
    known = {hash(line) for line in _lines(data)}
    after = collections.Counter()
    total = 0
    originals = _lines(data)
    for i, line in enumerate(_lines(path)):
        if i < n:
            assert line == next(originals)
        else:
            assert hash(line) in known
        after[json.loads(line)["category"]] += 1
        total += 1
    assert min(after.values()) >= floor(total)


def check(data, work, outputs):
    """Correctness of the outputs against a plain json.loads read (streamed:
    the outputs of a 1 GB input do not fit in memory)."""
    counts = collections.Counter(json.loads(x)["category"] for x in _lines(data))
    n = sum(counts.values())
    assert json.loads(outputs["skbalance analyze"])["counts"] == dict(counts)
    assert outputs["skbalance analyze (stdlib json)"] == outputs["skbalance analyze"]
    weights = json.loads(outputs["skbalance weights"])
    assert weights["counts"] == {k: counts[k] for k in sorted(counts)}
    assert (
        outputs["skbalance weights (pandas not installed)"]
        == outputs["skbalance weights"]
    )
    if "pandas read_json + value_counts" in outputs:
        assert json.loads(outputs["pandas read_json + value_counts"]) == dict(counts)
    parts = [Path(work, f"{p}.jsonl") for p in ("train", "val", "test")]
    seen = collections.Counter(hash(x) for p in parts for x in _lines(p))
    assert seen == collections.Counter(hash(x) for x in _lines(data))
    _check_copies(data, Path(work, "balanced.jsonl"), n, lambda t: 0.01 * t - 1)
    big = max(counts.values())
    _check_copies(data, Path(work, "ratio.jsonl"), n, lambda t: big // 2)
    _check_mixture(data, Path(work, "mixed.jsonl"), counts)


def _check_mixture(data, path, counts):
    """The mixture: as many records as in, every one an input line, the
    class counts those of mixture_counts at temperature 0.3."""
    from skbalance import mixture_counts

    keys = sorted(counts)
    want = mixture_counts([counts[k] for k in keys], temperature=0.3)
    known = {hash(line) for line in _lines(data)}
    after = collections.Counter()
    for line in _lines(path):
        assert hash(line) in known
        after[json.loads(line)["category"]] += 1
    assert [after[k] for k in keys] == list(want)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--size-mb", type=float, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out")
    parser.add_argument("--keep", action="store_true", help="keep the data file")
    parser.add_argument("--generate", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--data", help="use this generated file (kept)")
    args = parser.parse_args()
    if args.generate:
        print(generate(args.generate[0], float(args.generate[1])))
        return
    if EXE is None:
        sys.exit("the skbalance console script is not installed")
    size = 3e6 if args.quick else args.size_mb * 1e6
    rounds = 1 if args.quick else args.rounds
    folder = Path(tempfile.mkdtemp(prefix="bench_jsonl_"))
    data = str(folder / "data.jsonl")
    work = str(folder / "out")
    os.mkdir(work)
    try:
        start = time.perf_counter()
        # in a child process: this one stays small (numpy not imported), so
        # that the peak RSS of the commands it starts is theirs alone
        if args.data:
            data, args.keep = args.data, True
            with open(data, "rb") as fh:
                n = sum(1 for _ in fh)
        else:
            made = subprocess.run(
                [sys.executable, __file__, "--generate", data, str(size)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            n = int(made.stdout)
        size = os.path.getsize(data)
        print(
            f"{n:,} records, {size / 1e6:,.0f} MB generated in "
            f"{time.perf_counter() - start:.0f} s",
            flush=True,
        )
        cmds = commands(data, work)
        if args.quick:
            outputs = {name: run(argv)[2] for name, argv in cmds.items()}
            check(data, work, outputs)
            print("bench_jsonl --quick: outputs checked", flush=True)
            return
        walls = {name: [] for name in cmds}
        rss = {name: [] for name in cmds}
        outputs = {}
        names = list(cmds)
        for r in range(rounds):
            order = names[r % len(names) :] + names[: r % len(names)]
            for name in order:
                wall, peak, output = run(cmds[name])
                walls[name].append(wall)
                rss[name].append(peak)
                outputs[name] = output
                print(
                    f"round {r + 1} {name}: {wall:.1f} s, {peak / 1e6:,.0f} MB",
                    flush=True,
                )
        check(data, work, outputs)
        report(n, size, walls, rss, rounds, args.out)
    finally:
        if args.keep:
            print(f"kept {data}")
            shutil.rmtree(work, ignore_errors=True)
        else:
            shutil.rmtree(folder)


def _ratio(walls, a, b):
    """Median over rounds of time(a) / time(b)."""
    return statistics.median(x / y for x, y in zip(walls[a], walls[b], strict=True))


def report(n, size, walls, rss, rounds, out):
    try:
        import orjson

        parser = f"orjson {orjson.__version__}"
    except ImportError:  # the extra "fast" is optional
        parser = "orjson not installed"

    loop, pandas = "json.loads loop", "pandas read_json + value_counts"
    budget = 100 * n + 100e6
    lines = [
        "# bench_jsonl: the command line on a large JSON Lines file",
        "",
        f"{n:,} flat records, {size / 1e6:,.0f} MB, 40 categories (power law); "
        f"{rounds} interleaved rounds, medians; {os.cpu_count()} cores (shared), "
        f"Python {sys.version.split()[0]}, {parser}.",
        "",
        "| command | wall (s) | peak RSS (MB) | bytes / record | vs json.loads loop "
        "| vs pandas | target | met |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    targets = {
        "skbalance analyze": ("RSS <= 200 MB, faster than pandas", pandas, 200e6),
        "skbalance weights": ("RSS <= 200 MB, faster than pandas", pandas, 200e6),
        "skbalance split": ("RSS <= 100 B/record + 100 MB, <= loop", loop, budget),
        "skbalance balance": ("RSS <= 100 B/record + 100 MB, <= loop", loop, budget),
        "skbalance mix --temperature 0.3": (
            "as balance: RSS <= 100 B/record + 100 MB, <= loop",
            loop,
            budget,
        ),
        "skbalance balance --target-ratio 0.5": ("(6.4x the records out)", None, None),
    }
    for name in walls:
        wall = statistics.median(walls[name])
        peak = max(rss[name])
        vs_loop = _ratio(walls, name, loop)
        vs_pandas = _ratio(walls, name, pandas)
        target, against, limit = targets.get(name, ("", None, None))
        if name == "skbalance balance":
            target = "(--min-share 0.01) " + target
        met = ""
        if against is not None:
            fast = _ratio(walls, name, against) <= 1.0
            met = "yes" if fast and peak <= limit else "**no**"
        lines.append(
            f"| {name} | {wall:.1f} | {peak / 1e6:,.0f} | {peak / n:,.0f} | "
            f"{vs_loop:.2f}x | {vs_pandas:.2f}x | {target} | {met} |"
        )
    lines += [
        "",
        "Ratios are time(command) / time(reference) within a round (below 1 is "
        "faster); peak RSS is the largest of the rounds. The split/balance budget "
        f"here is {budget / 1e6:,.0f} MB.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if out:
        Path(out).write_text(text)


if __name__ == "__main__":
    main()
