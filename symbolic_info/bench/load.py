"""load: the benchmark set's outcomes on an idle machine and on one whose cores are busy.

Each run is a fresh process with the store off, so everything is derived.  The loaded run
starts ``--busy`` CPU-bound processes (default 2, one per core here) for its duration.  Budgets
are CPU seconds of the deriving thread, so every outcome (status, result, steps) must be the
same; the command prints the ones that differ and exits 1 if any do.
"""

from __future__ import annotations

import argparse
import multiprocessing
import time

from .outcomes import differences, in_fresh_process


def _spin(seconds: float) -> None:  # pragma: no cover - runs in a child process
    end = time.monotonic() + seconds
    total = 0
    while time.monotonic() < end:
        total += 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--busy", type=int, default=2, help="CPU-bound processes (default 2)")
    parser.add_argument("--families", nargs="+", metavar="NAME",
                        help="only these families (default: all built-ins)")


def loaded(names, busy: int, limit: float = 1800.0, cases=None) -> dict:
    """The outcomes while ``busy`` processes spin (each stops by itself after ``limit`` s)."""
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_spin, args=(limit,), daemon=True) for _ in range(busy)]
    for w in workers:
        w.start()
    try:
        return in_fresh_process(names, store="0", cases=cases)
    finally:
        for w in workers:
            w.terminate()
            w.join()


def run(args: argparse.Namespace) -> int:
    idle = in_fresh_process(args.families, store="0")
    print(f"idle:   {len(idle['outcomes'])} derivations, {idle['seconds']:.1f} s")
    busy = loaded(args.families, args.busy)
    print(f"loaded: {len(busy['outcomes'])} derivations, {busy['seconds']:.1f} s "
          f"(with {args.busy} CPU-bound processes)")
    diff = differences(idle, busy)
    statuses: dict[str, int] = {}
    for row in idle["outcomes"].values():
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    print("statuses: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    print(f"outcomes identical: {len(idle['outcomes']) - len(diff)}/{len(idle['outcomes'])}")
    for label in diff:
        print(f"  DIFFERS: {label}: idle {idle['outcomes'][label]['status']}, "
              f"loaded {busy['outcomes'].get(label, {}).get('status')}")
    return 1 if diff else 0
