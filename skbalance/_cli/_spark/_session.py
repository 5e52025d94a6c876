"""The Spark session of ``--engine spark``: the running one, or a new one
from the options (quiet, no web UI, this Python on the workers), what Ctrl-C
and SIGTERM stop, and the checks of FILE that Spark does not make."""

import contextlib
import importlib.resources
import os
import re
import shutil
import warnings

from skbalance._cli._parser import UsageError
from skbalance._cli._spark._output import remove_scratch, stop_jobs
from skbalance._io import abandon_outputs
from skbalance._jsonl._scan import JsonlError
from skbalance._spark_plan import pyspark_module

__all__ = ["read_path", "session", "stop"]


def spark_settings(items):
    """``--spark-conf KEY=VALUE`` options as a dict (the last wins)."""
    settings = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--spark-conf {item!r}: expected KEY=VALUE.")
        settings[key] = value
    return settings


def session_settings(spark_conf):
    """The settings of a session skbalance starts: quiet logs (the packaged
    log4j2 file), a progress bar only on a terminal, no web UI, this Python
    on the workers (unless PYSPARK_PYTHON says otherwise), then the
    ``--spark-conf`` options, which win."""
    import sys

    quiet = importlib.resources.files("skbalance") / "data" / "log4j2-quiet.properties"
    settings = {
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{quiet}",
        "spark.ui.showConsoleProgress": str(sys.stderr.isatty()).lower(),
        "spark.ui.enabled": "false",  # a web UI for a command: start-up time
    }
    if "PYSPARK_PYTHON" not in os.environ:
        settings["spark.pyspark.python"] = sys.executable
    return {**settings, **spark_settings(spark_conf)}


def _builder(sql, app, master, conf):
    """A session builder from the options (:func:`session_settings`)."""
    builder = sql.SparkSession.builder.appName(app)
    if master is not None:
        builder = builder.master(master)
    for key, value in session_settings(conf).items():
        builder = builder.config(key, value)
    return builder


_MASTER = re.compile(
    r"local(\[(\d+|\*)(,\d+)?\])?|local-cluster\[[\d, ]+\]|yarn"
    r"|(spark|k8s|mesos)://\S+"
)


def _start(app, master, conf):
    """Whether the session is started here, and the session."""
    try:
        sql = pyspark_module("pyspark.sql")
    except ImportError as exc:
        raise UsageError(str(exc)) from None
    spark_settings(conf)  # a bad one is a usage error before Spark
    if master is not None and not _MASTER.fullmatch(master):
        raise UsageError(
            f"--spark-master {master}: expected local, local[N], local[*], "
            "local[N,F], yarn, spark://HOST:PORT or k8s://URL."
        )
    # a running Spark (this process's: a notebook, the tests) is used as it is
    if pyspark_module("pyspark").SparkContext._active_spark_context is not None:
        return False, sql.SparkSession.builder.getOrCreate()
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise UsageError("--engine spark needs Java 17 or later: java is not on PATH.")
    builder = _builder(sql, app, master, conf)
    try:
        with warnings.catch_warnings():
            # pyspark's notice that pandas 3 is new to it: skbalance uses no pandas
            warnings.filterwarnings("ignore", "PySpark does not yet", FutureWarning)
            return True, builder.getOrCreate()
    except Exception as exc:  # a bad master, setting or Java: say which
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise UsageError(
            f"could not start Spark (--spark-master {master or 'default'}): {first}"
        ) from None


def stop():
    """After Ctrl-C or SIGTERM, from the main thread while the command's
    thread may be inside a call to the JVM: cancel Spark's jobs, wait for
    outputs being renamed into place (or make sure they never are, removing
    their temporary files) and remove the temporary folder."""
    context = pyspark_module("pyspark").SparkContext._active_spark_context
    if context is not None:
        stop_jobs(context)
    abandon_outputs()  # no output half in place when the process exits
    remove_scratch()


@contextlib.contextmanager
def session(app, master, conf, name):
    """The active Spark session, or a new one (stopped at the end) named
    ``app``, from ``--spark-master`` and ``--spark-conf``; Spark's errors
    become messages (``name``: FILE)."""
    started, spark = _start(app, master, conf)
    errors = pyspark_module("pyspark.errors")
    py4j = pyspark_module("py4j.protocol")
    # records may repeat a key (Python keeps the last value; so does Spark then)
    duplicates = spark.conf.get("spark.sql.variant.allowDuplicateKeys", "false")
    spark.conf.set("spark.sql.variant.allowDuplicateKeys", "true")
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "PySpark does not yet", FutureWarning)
            yield spark
    except errors.PySparkException as exc:
        condition = getattr(exc, "getCondition", exc.getErrorClass)()
        if condition == "PATH_NOT_FOUND":
            raise JsonlError(f"{name}: no such file.") from None
        raise JsonlError(f"Spark: {str(exc).strip().splitlines()[0]}") from None
    except py4j.Py4JError as exc:
        raise JsonlError(f"Spark: {str(exc).strip().splitlines()[0]}") from None
    finally:
        if started:
            try:
                spark.stop()
            except Exception:  # pragma: no cover - a JVM already gone
                pass
        else:
            spark.conf.set("spark.sql.variant.allowDuplicateKeys", duplicates)


_GLOB = "{}[]*?\\"


def read_path(path):
    """FILE as Spark should read it, after the checks Spark would not make:
    standard input, special files and the names Spark skips (hidden or
    starting with '_'); glob characters of an existing file are escaped."""
    import stat

    if path == "-":
        raise UsageError("--engine spark reads files, not standard input.")
    if "://" in path or path.startswith("file:") or not os.path.lexists(path):
        return path
    mode = os.stat(path).st_mode if os.path.exists(path) else 0
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise UsageError(
            f"{path}: --engine spark reads regular files and folders, not a FIFO "
            "or device; copy it to a file first."
        )
    if os.path.basename(os.path.normpath(path))[:1] in (".", "_"):
        raise UsageError(
            f"{path}: Spark skips files whose names start with '.' or '_'; rename it."
        )
    return "".join("\\" + c if c in _GLOB else c for c in path)
