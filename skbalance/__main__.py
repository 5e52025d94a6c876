"""``python -m skbalance``: the same as the ``skbalance`` command."""

import sys

from skbalance._cli import main

sys.exit(main())
