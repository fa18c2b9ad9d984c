"""``python -m symbolic_info``: the command line (see :mod:`symbolic_info.cli`)."""

import sys

from .cli import run
from .hash_seed import restart_with_fixed_seed

restart_with_fixed_seed()
sys.exit(run(prog_name="python -m symbolic_info"))
