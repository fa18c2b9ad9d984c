"""Benchmarks: ``python -m symbolic_info.bench derive [--limit S] [--timeout S]``,
``python -m symbolic_info.bench numeric [--n N] [--repeat R]``,
``python -m symbolic_info.bench accuracy [--points N]``.

Subcommands live in their own modules and register themselves in :data:`COMMANDS`. Each module has
``add_arguments(parser)`` and ``run(args) -> int``.
"""

from __future__ import annotations

from . import accuracy, derive, numeric

COMMANDS = {"derive": derive, "numeric": numeric, "accuracy": accuracy}

__all__ = ["COMMANDS"]
