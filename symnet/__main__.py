"""``python -m symnet``: the command line (see :mod:`symnet.cli`)."""

import sys

from .cli import main

sys.exit(main())
