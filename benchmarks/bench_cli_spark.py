"""The command line on a large JSON Lines file: ``--engine memory`` against
``--engine spark`` (local mode), as a user runs it.

Data: ``--rows`` records (2M by default, 20k with ``--quick``) of chat-format
fine-tuning data, about 250 bytes each: ``{"messages": [{"role": "user",
"content": ...}, {"role": "assistant", "content": ...}], "meta": {"category":
..., "lang": ...}}``, 12 categories with power-law frequencies plus one rare
category of 20 records, 6 languages, one record in 1,000 an exact duplicate.
Written to a temporary folder and removed at the end.

Every command runs as a subprocess of the installed command line
(``python -m skbalance``), once with ``--engine memory`` and once with
``--engine spark --spark-master local[2]`` in each round:

* ``analyze --label meta.category --domain meta.lang --json``
* ``split --label meta.category --out-dir DIR``
* ``balance --label meta.category --min-share 0.05 -o OUT``
* ``weights --label meta.category``

Measured: wall time (median of ``--repeats`` rounds), records per second,
peak resident memory of the process tree (the Python process plus Spark's JVM,
summed every 50 ms with psutil when installed, else from ``/proc``), the size
of the outputs, and the ratio Spark / memory; also Spark's fixed cost alone
(``weights`` on a 10-record file).

Asserted (never a time): ``analyze --json`` and ``weights`` print the same
JSON on both engines; ``split`` and ``balance`` print the same per-class
counts; the three parts of ``split`` hold, on each engine, exactly the input's
lines (as multisets of 64-bit line hashes); ``balance`` on Spark writes the
in-memory number of lines, every one an input line.

Run: ``python benchmarks/bench_cli_spark.py [--quick] [--rows N] [--repeats R]
[--out F] [--driver-memory 2g]``.
"""

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np
from _timing import machine

N_CLASSES = 12  # + the rare one: 13 classes, so a 5% floor is feasible
RARE = 20
LANGS = ["en", "de", "fr", "es", "ja", "pt"]
LANG_SHARES = [0.55, 0.12, 0.11, 0.1, 0.07, 0.05]
WORDS = (
    "account billing refund invoice password login error crash update install "
    "order shipping delivery address payment card charge subscription plan "
    "upgrade cancel renew export import report dashboard setting profile email "
    "notification sync backup restore server timeout network latency api key "
    "token permission role team invite project folder file upload download"
).split()
COMMANDS = {
    "analyze": ["--domain", "meta.lang", "--json"],
    "split": ["--out-dir", "{out}"],
    "balance": ["--min-share", "0.05", "-o", "{out}"],
    "weights": [],
}
OUTPUT_NAME = {"split": "parts", "balance": "balanced.jsonl"}


# -- data -----------------------------------------------------------------------


def class_counts(n):
    """Power-law counts of 12 classes summing to n - RARE, then the rare one."""
    weights = (np.arange(N_CLASSES) + 1.0) ** -1.5
    counts = np.floor(weights / weights.sum() * (n - RARE)).astype(np.int64)
    counts[0] += n - RARE - counts.sum()
    return np.append(counts, RARE)


def write_data(path, n, chunk=100_000):
    """``n`` records, shuffled classes, written in chunks (bounded memory)."""
    rng = np.random.default_rng(0)
    names = [f"topic_{k:02d}" for k in range(N_CLASSES)] + ["legal_hold"]
    counts = (
        class_counts(n)
        if n > 10 * RARE
        else np.bincount(np.arange(n) % len(names), minlength=len(names))
    )
    labels = rng.permutation(np.repeat(np.arange(len(names)), counts))
    langs = rng.choice(len(LANGS), size=n, p=LANG_SHARES)
    words = np.array(WORDS)
    size = 0
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for start in range(0, n, chunk):
            stop = min(start + chunk, n)
            m = stop - start
            lengths = rng.integers(6, 12, size=(m, 2))
            picks = words[rng.integers(0, len(words), size=(m, 24))]
            lines = []
            for i in range(m):
                row = start + i
                if row % 1000 == 999 and lines:  # an exact duplicate
                    lines.append(lines[-1])
                    continue
                q, a = lengths[i]
                record = {
                    "messages": [
                        {
                            "role": "user",
                            "content": f"Ticket {row}: " + " ".join(picks[i, :q]) + "?",
                        },
                        {
                            "role": "assistant",
                            "content": " ".join(picks[i, 12 : 12 + a]),
                        },
                    ],
                    "meta": {
                        "category": names[labels[row]],
                        "lang": LANGS[langs[row]],
                    },
                }
                lines.append(json.dumps(record) + "\n")
            text = "".join(lines)
            size += len(text.encode())
            f.write(text)
    return size


def line_hashes(paths):
    """Sorted 64-bit hashes of every line of ``paths`` (8 bytes a line)."""
    hashes = []
    for path in paths:
        with open(path, "rb") as f:
            hashes.extend(
                int.from_bytes(hashlib.blake2b(line, digest_size=8).digest(), "little")
                for line in f
            )
    return np.sort(np.array(hashes, dtype=np.uint64))


# -- running and measuring ------------------------------------------------------


PAGE = os.sysconf("SC_PAGE_SIZE")


def _descendants_proc(root):
    """``root`` and its descendants, from the parent ids in /proc."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    stat = f.read()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(b")", 1)[1].split()[1])
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        kids = [p for p, pp in parents.items() if pp == pid]
        tree.update(kids)
        frontier += kids
    return tree


def _rss_proc(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm", "rb") as f:
                total += int(f.read().split()[1]) * PAGE
        except OSError:
            pass
    return total


def _descendants_psutil(root):
    import psutil

    try:
        proc = psutil.Process(root)
        return [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _rss_psutil(procs):
    import psutil

    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


try:
    import psutil  # noqa: F401

    RSS_SOURCE, descendants, rss = "psutil", _descendants_psutil, _rss_psutil
except ImportError:
    RSS_SOURCE, descendants, rss = "/proc", _descendants_proc, _rss_proc


def run(argv):
    """Run the command line; return (seconds, peak tree RSS bytes, stdout).

    The tree's RSS is summed every 50 ms; the tree itself (the JVM is a
    grandchild) is looked up again every 0.5 s, which keeps the sampler's
    own CPU use small."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "skbalance", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    peak = [0]

    def sample():
        tick, tree = 0, []
        while proc.poll() is None:
            if tick % 10 == 0:
                tree = descendants(proc.pid)
            peak[0] = max(peak[0], rss(tree))
            tick += 1
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv)} exited {proc.returncode}:\n{err.decode()}"
        )
    return seconds, peak[0], out.decode()


def output_size(command, out_path, stdout):
    if command == "split":
        return sum(
            os.path.getsize(os.path.join(out_path, f)) for f in os.listdir(out_path)
        )
    if command == "balance":
        return os.path.getsize(out_path)
    return len(stdout.encode())


def check(command, data, outs, n_input):
    """The two engines agree (see the module's docstring); ``outs`` maps an
    engine to (stdout, output path)."""
    (mem_out, mem_path), (spark_out, spark_path) = outs["memory"], outs["spark"]
    if command in ("analyze", "weights"):
        assert json.loads(spark_out) == json.loads(mem_out), command
        return
    # the printed per-class tables, with the output path set aside (the next
    # command suggested names its engine)
    spark_out = spark_out.replace(" --engine spark", "")
    assert spark_out.replace(spark_path, "OUT") == mem_out.replace(mem_path, "OUT")
    want = line_hashes([data])
    if command == "split":
        for path in (mem_path, spark_path):
            parts = [os.path.join(path, f"{p}.jsonl") for p in ("train", "val", "test")]
            assert np.array_equal(line_hashes(parts), want), path
        for p in ("train", "val", "test"):
            sizes = [
                _n_lines(os.path.join(d, f"{p}.jsonl")) for d in (mem_path, spark_path)
            ]
            assert sizes[0] == sizes[1], (p, sizes)
        return
    mem_lines, got = _n_lines(mem_path), line_hashes([spark_path])
    assert len(got) == mem_lines > n_input, (len(got), mem_lines)
    assert np.isin(got, want).all(), "balance wrote a line that is not an input line"


def _n_lines(path):
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def engine_args(engine, driver_memory):
    if engine == "memory":
        return ["--engine", "memory"]
    args = ["--engine", "spark", "--spark-master", "local[2]"]
    args += ["--spark-conf", "spark.ui.showConsoleProgress=false"]
    if driver_memory:
        args += ["--spark-conf", f"spark.driver.memory={driver_memory}"]
    return args


def argv_for(command, data, engine, out, driver_memory):
    extra = [a.replace("{out}", out) for a in COMMANDS[command]]
    return [command, data, "--label", "meta.category", *extra] + engine_args(
        engine, driver_memory
    )


# -- the benchmark --------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeats", type=int)
    parser.add_argument(
        "--driver-memory", help="spark.driver.memory (default: Spark's)"
    )
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    n = 20_000 if args.quick else args.rows
    repeats = args.repeats or (1 if args.quick else 3)
    engines = ("memory", "spark")
    work = tempfile.mkdtemp(prefix="bench_cli_spark-")
    try:
        data = os.path.join(work, "data.jsonl")
        start = time.perf_counter()
        size = write_data(data, n)
        made = time.perf_counter() - start
        tiny = os.path.join(work, "tiny.jsonl")
        write_data(tiny, 10)
        print(
            f"{n:,} records, {size / 1e6:,.0f} MB ({size / n:.0f} B a record), "
            f"written in {made:.0f} s",
            flush=True,
        )

        startup = {}
        for engine in engines if not args.quick else ():  # one Spark start less in CI
            argv_ = argv_for("weights", tiny, engine, "", args.driver_memory)
            startup[engine] = run(argv_)
            print(f"  start-up {engine}: {startup[engine][0]:.1f} s", flush=True)

        times = {(c, e): [] for c in COMMANDS for e in engines}
        peaks = {(c, e): [] for c in COMMANDS for e in engines}
        sizes = {}
        for r in range(repeats):
            for command in COMMANDS:
                outs = {}
                order = engines if r % 2 == 0 else engines[::-1]
                for engine in order:
                    out = os.path.join(work, f"{engine}-{OUTPUT_NAME.get(command, '')}")
                    argv_ = argv_for(command, data, engine, out, args.driver_memory)
                    seconds, peak, stdout = run(argv_)
                    times[command, engine].append(seconds)
                    peaks[command, engine].append(peak)
                    sizes[command, engine] = output_size(command, out, stdout)
                    outs[engine] = (stdout, out)
                    print(
                        f"  round {r + 1} {command} {engine}: {seconds:.1f} s, "
                        f"{peak / 2**20:,.0f} MiB",
                        flush=True,
                    )
                if r == 0:
                    check(command, data, outs, n)
                for _, out in outs.values():
                    if os.path.isdir(out):
                        shutil.rmtree(out)
                    elif os.path.exists(out):
                        os.remove(out)
            if args.out:  # the rounds so far, should a long run be cut short
                save(
                    args.out, report(args, n, size, r + 1, startup, times, peaks, sizes)
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    text = report(args, n, size, repeats, startup, times, peaks, sizes)
    print(text)
    if args.quick:
        print("bench_cli_spark --quick: assertions passed")
    if args.out:
        save(args.out, text)
    return 0


def _bytes(size):
    return f"{size / 1e6:,.1f} MB" if size >= 1e6 else f"{size / 1e3:,.1f} kB"


def save(path, text):
    with open(path, "w") as f:
        f.write(text + "\n")


def report(args, n, size, repeats, startup, times, peaks, sizes):
    mib = 2**20
    memory_conf = args.driver_memory or "Spark's default (1g)"
    out = [
        f"# The command line on {n:,} JSON Lines records ({size / 1e6:,.0f} MB): "
        "--engine memory vs --engine spark (local[2])",
        "",
        machine() + f"; load average {os.getloadavg()[0]:.1f} at the end",
        "",
        f"Spark: local[2], spark.driver.memory = {memory_conf}. Peak RSS of the "
        f"process tree (Python + JVM) summed every 50 ms via {RSS_SOURCE}. "
        f"Times are medians of {repeats} round(s).",
        "",
        "| command | memory s | Spark s | Spark / memory | memory rec/s | Spark rec/s "
        "| memory peak RSS MiB | Spark peak RSS MiB | output (memory / Spark) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for command in COMMANDS:
        tm = statistics.median(times[command, "memory"])
        ts = statistics.median(times[command, "spark"])
        pm = max(peaks[command, "memory"]) / mib
        ps = max(peaks[command, "spark"]) / mib
        sm, ss = _bytes(sizes[command, "memory"]), _bytes(sizes[command, "spark"])
        out.append(
            f"| {command} | {tm:.1f} | {ts:.1f} | {ts / tm:.1f}x | {n / tm:,.0f} "
            f"| {n / ts:,.0f} | {pm:,.0f} | {ps:,.0f} | {sm} / {ss} |"
        )
    if not startup:
        return "\n".join(out)
    (tm, pm, _), (ts, ps, _) = startup["memory"], startup["spark"]
    out += [
        "",
        f"Fixed cost (`weights` on a 10-record file): memory {tm:.1f} s, "
        f"{pm / mib:,.0f} MiB; Spark {ts:.1f} s, {ps / mib:,.0f} MiB "
        "(JVM start, session, stop).",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
