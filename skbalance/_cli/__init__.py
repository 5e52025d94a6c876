"""The ``skbalance`` command line (console script ``skbalance._cli:main``).

The parser (:mod:`._parser`), the commands, what they print
(:mod:`._report`), and the Spark engine (:mod:`._spark`). Nothing outside
this package imports it.
"""

from skbalance._cli._main import main

__all__ = ["main"]
