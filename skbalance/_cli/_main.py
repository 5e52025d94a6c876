"""Runs a command of the ``skbalance`` command line and turns errors into
messages and exit codes: 0 ok, 1 bad data, 2 usage, 130 Ctrl-C, 141 a closed
pipe, 143 SIGTERM.

Commands (see ``docs/cli.rst``): ``analyze``, ``split``, ``balance``,
``mix``, ``augment``, ``weights``, ``evaluate``, ``compare``, ``adjust`` and
``demo``. The parser is in :mod:`skbalance._cli._parser`; the commands on labels in
:mod:`skbalance._cli._commands`, each run by an engine
(:mod:`skbalance._cli._engine`: in memory, or on Spark); ``evaluate`` in
:mod:`skbalance._cli._evaluate`, ``compare`` and ``augment`` in
:mod:`skbalance._cli._models`, ``adjust`` in :mod:`skbalance._cli._adjust`;
what they print in :mod:`skbalance._cli._report`.
"""

import errno
import importlib
import os
import signal
import sys
import warnings

from skbalance._cli._parser import UsageError, build_parser, is_parquet
from skbalance._io import OutputError, os_reason
from skbalance._optional import MissingDependency

__all__ = ["main"]


#: command -> the module that runs it; the commands on labels take an engine
_COMMANDS = {
    "analyze": "skbalance._cli._commands",
    "split": "skbalance._cli._commands",
    "balance": "skbalance._cli._commands",
    "mix": "skbalance._cli._commands",
    "weights": "skbalance._cli._commands",
    "demo": "skbalance._cli._commands",
    "evaluate": "skbalance._cli._evaluate",
    "compare": "skbalance._cli._models",
    "augment": "skbalance._cli._models",
    "adjust": "skbalance._cli._adjust",
}
_ON_ENGINES = ("analyze", "split", "balance", "mix", "weights")


def _run(args, *, out, err):
    """Run the command of ``args`` (on its engine, for the commands on labels)."""
    command = getattr(importlib.import_module(_COMMANDS[args.command]), args.command)
    if args.command not in _ON_ENGINES:
        command(args, out=out, err=err)
        return
    from skbalance._cli._engine import engine_for

    engine = engine_for(args)

    def work():
        with engine:
            command(args, engine, out=out, err=err)

    if engine.stop is None:
        work()
    else:
        _in_thread(work, engine.stop)


def _in_thread(work, stop):
    """Run ``work()`` in a thread of its own, so that the main thread, never
    inside a call to the JVM, can take Ctrl-C or SIGTERM: it calls ``stop()``
    and exits (130 or 143); the daemon thread goes with the process."""
    import threading

    box = {}

    def target():
        try:
            work()
        except BaseException as exc:
            box["error"] = exc

    worker = threading.Thread(target=target, name="skbalance-engine", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
    except BaseException:
        stop()
        raise
    if "error" in box:
        raise box["error"]


def _engine_problem(args):
    """Options of --engine spark given to the in-memory engine."""
    if getattr(args, "engine", "spark") == "spark":
        return None
    for option, given in (
        ("--format", args.format is not None),
        ("--spark-master", args.spark_master is not None),
        ("--spark-conf", args.spark_conf is not None),
        ("--parts", getattr(args, "parts", False)),
    ):
        if given:
            return f"{option} goes with --engine spark."
    if is_parquet(args.input):
        return f"{args.input}: Parquet input needs --engine spark."
    return None


#: the errors only a write meets: a full output
_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def _quiet_stdout():
    """After a closed pipe: send what is left to /dev/null, so that the
    interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout without a file
        pass


def _on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def main(argv=None, *, out=None, err=None):
    """Run the command line; return the exit code.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments, without the program name; ``sys.argv[1:]`` when None.
    out, err : text streams, default=None
        Where to print results and errors; stdout and stderr when None.

    Returns
    -------
    int
        0 on success, 1 on bad input data, 2 on a usage error, 130 after
        Ctrl-C, 141 when the output pipe was closed.
    """
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    problem = _engine_problem(args)
    if problem:
        print(f"skbalance {args.command}: error: {problem}", file=err)
        return 2
    previous = None
    try:
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread
        pass
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            try:
                _run(args, out=out, err=err)
                out.flush()  # a full standard output fails here, not at exit
            finally:
                for warning in caught:
                    print(
                        f"skbalance {args.command}: warning: {warning.message}",
                        file=err,
                    )
    except (UsageError, OutputError, MissingDependency) as exc:
        print(f"skbalance {args.command}: error: {exc}", file=err)
        return 2
    except ValueError as exc:  # JsonlError and the library's data errors
        print(f"skbalance {args.command}: error: {exc}", file=err)
        return 1
    except BrokenPipeError:
        _quiet_stdout()
        return 128 + signal.SIGPIPE
    except OSError as exc:
        # what only a write meets, with no file named: standard output
        if exc.filename is not None or exc.errno not in _FULL:
            raise
        _quiet_stdout()
        print(
            f"skbalance {args.command}: error: standard output: write failed: "
            f"{os_reason(exc)}.",
            file=err,
        )
        return 2
    except KeyboardInterrupt:
        return 128 + signal.SIGINT
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
