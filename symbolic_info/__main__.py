"""``python -m symbolic_info``: the command line (see :mod:`symbolic_info.cli`)."""

import sys

from .cli import run

sys.exit(run(prog_name="python -m symbolic_info"))
