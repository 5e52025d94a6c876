"""What the command-line tests share: running ``main`` in this process."""

import io

from skbalance._cli import main


def run(*argv):
    """``(exit code, stdout, stderr)`` of ``skbalance ARGV``."""
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def both(*argv):
    """The in-memory run, then the Spark run."""
    return run(*argv), run(*argv, "--engine", "spark")
