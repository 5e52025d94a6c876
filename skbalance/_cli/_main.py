"""Runs a command of the ``skbalance`` command line and turns errors into
messages and exit codes: 0 ok, 1 bad data, 2 usage, 130 Ctrl-C, 141 a closed
pipe, 143 SIGTERM.

Commands (see ``docs/cli.rst``): ``analyze``, ``split``, ``balance``,
``augment``, ``weights``, ``evaluate``, ``compare`` and ``demo``. The parser is
in :mod:`skbalance._cli._parser`, the commands in :mod:`skbalance._cli._data`
and :mod:`skbalance._cli._models` (with ``--engine spark``:
:mod:`skbalance._cli._spark._commands`), what they print in
:mod:`skbalance._cli._report`.
"""

import os
import signal
import sys
import warnings

from skbalance._cli._parser import UsageError, build_parser, is_parquet
from skbalance._io import OutputError
from skbalance._optional import MissingDependency

__all__ = ["main"]


def _command(name, engine="memory"):
    if engine == "spark":
        import skbalance._cli._spark._commands as _commands
        import skbalance._cli._spark._session as _session

        return _session.threaded(getattr(_commands, name))
    if name == "demo":
        from skbalance._cli._data import demo

        return demo
    if name in ("compare", "augment"):
        import skbalance._cli._models as module
    else:
        import skbalance._cli._data as module
    return getattr(module, name)


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
                _command(args.command, getattr(args, "engine", "memory"))(
                    args, out=out, err=err
                )
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
    except KeyboardInterrupt:
        return 128 + signal.SIGINT
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
