import shutil

import numpy as np
import pytest

# The seed example of the issue tracker: 50% billing, 30% technical,
# 15% account, 5% other support tickets.
SEED_COUNTS = {"billing": 500, "technical": 300, "account": 150, "other": 50}


@pytest.fixture
def tickets():
    """1,000 labelled rows in the seed proportions, in a stable shuffled order."""
    labels = np.repeat(list(SEED_COUNTS), list(SEED_COUNTS.values()))
    order = np.random.RandomState(0).permutation(labels.size)
    return labels[order]


@pytest.fixture(scope="session")
def spark():
    """A small local[2] session, quiet, no UI: started once for the suite
    (tests/test_spark.py, tests/test_cli_spark.py)."""
    if shutil.which("java") is None:
        pytest.skip("Java is not installed (pyspark needs a JVM, Java 17+)")
    pyspark_sql = pytest.importorskip(
        "pyspark.sql", reason="pyspark is not installed: pip install 'skbalance[spark]'"
    )
    session = (
        pyspark_sql.SparkSession.builder.master("local[2]")
        .appName("skbalance-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.default.parallelism", "2")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture
def tmpfs(tmp_path):
    """``mount(name, *options)``: a new tmpfs at ``tmp_path / name`` (``ro``,
    ``size=64k``: a read-only file system, a small disk), unmounted after
    the test; the test is skipped where mounting is not allowed."""
    import subprocess

    mounted = []

    def mount(name, *options):
        folder = tmp_path / name
        folder.mkdir()
        argv = ["mount", "-t", "tmpfs", "-o", ",".join(("nosuid", *options))]
        try:
            result = subprocess.run(
                [*argv, "tmpfs", str(folder)], capture_output=True, text=True
            )
        except FileNotFoundError:
            pytest.skip("no mount command: cannot make a read-only or full disk")
        if result.returncode != 0:
            pytest.skip(
                "mounting a tmpfs needs root and CAP_SYS_ADMIN; mount said: "
                + result.stderr.strip()
            )
        mounted.append(folder)
        return folder

    yield mount
    for folder in reversed(mounted):
        subprocess.run(["umount", "-l", str(folder)], check=False)


def remount_read_only(folder):
    """Make a folder mounted by the ``tmpfs`` fixture read-only."""
    import subprocess

    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)


def full_disk_on(name):
    """A stand-in for ``skbalance._io._write_bytes``: the disk is full when
    the output called ``name`` is written."""
    import errno
    import io
    import os

    def write(file, data, offset=None):
        if os.path.basename(file.path) == name:
            raise OSError(errno.ENOSPC, "No space left on device")
        if offset is None:
            return io.FileIO.write(file, data)
        return os.pwrite(file.fileno(), data, offset)

    return write
