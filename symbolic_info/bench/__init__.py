"""Benchmarks: ``python -m symbolic_info.bench derive [--limit S] [--timeout S]``.

Subcommands live in their own modules and register themselves in :data:`COMMANDS`
(``numeric`` and ``accuracy`` are to come). Each module has ``add_arguments(parser)`` and
``run(args) -> int``.
"""

from __future__ import annotations

from . import derive

COMMANDS = {"derive": derive}

__all__ = ["COMMANDS"]
