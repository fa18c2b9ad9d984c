"""``python -m symbolic_info.bench SUBCOMMAND``: run one benchmark (see the package docstring)."""

from __future__ import annotations

import argparse
import sys

from ..hash_seed import restart_with_fixed_seed
from . import COMMANDS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m symbolic_info.bench",
                                     description="Benchmarks of symbolic_info.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module in COMMANDS.items():
        doc = (module.__doc__ or "").strip().splitlines()
        command = sub.add_parser(name, help=doc[0] if doc else None,
                                 description=module.__doc__)
        module.add_arguments(command)
    args = parser.parse_args(argv)
    return COMMANDS[args.command].run(args)


if __name__ == "__main__":
    restart_with_fixed_seed()
    sys.exit(main())
