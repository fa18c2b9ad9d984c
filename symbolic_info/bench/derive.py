"""derive: time every built-in entropy and same-family KL (cold, then warm from the store),
a cached call, and sympy.stats; with ``--quantities`` (or ``--gil``), the quantities of
issue 12 instead (:mod:`symbolic_info.bench.quantities`).

Entropies use the default symbols subscripted 1 (categorical: p = [p_1, p_2, p_3]); KLs take
P subscripted 1 and Q subscripted 2. The cold run derives into a new, empty store (a temporary
directory unless ``--store DIR``); the warm run is the same set in a fresh process reading
that store. ``timed_out`` outcomes are never stored, so the warm run derives them again.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np

import symbolic_info as si

from ..cli import default_member
from . import quantities, sympy_stats
from .outcomes import in_fresh_process
from .report import Row, Target, median, print_rows, print_targets, timed

MEDIAN_TARGET_S = 1.0
TOTAL_TARGET_S = 60.0
CACHED_TARGET_MS = 10.0
WARM_TARGET_S = 1.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="time budget of each derivation, seconds (default 30)")
    parser.add_argument("--limit", type=float, default=10.0,
                        help="time limit of each sympy.stats entropy, seconds (default 10)")
    parser.add_argument("--repeat", type=int, default=100,
                        help="calls of the cached KL to time (default 100)")
    parser.add_argument("--no-sympy", action="store_true",
                        help="skip the sympy.stats comparison")
    parser.add_argument("--families", nargs="+", metavar="NAME",
                        help="only these families (default: all built-ins)")
    parser.add_argument("--store", metavar="DIR",
                        help="the store to derive into (default: a new temporary directory)")
    parser.add_argument("--quantities", action="store_true",
                        help="instead: the quantities of issue 12 (see bench/quantities.py)")
    quantities.add_arguments(parser.add_argument_group("--quantities options"), families=False)


def derivation_row(label: str, build, timeout: float) -> Row:
    """Derive under the engine's own budget, guarded by an outer limit a little longer."""
    return timed(label, lambda: build().status, timeout + 5.0)


def ours(names: list[str], timeout: float) -> tuple[list[Row], list[Row]]:
    entropies = [derivation_row(
        f"entropy {n}", lambda n=n: si.entropy(default_member(n, 1), timeout=timeout), timeout)
        for n in names]
    print_rows(entropies, "entropy (symbolic_info)")
    kls = [derivation_row(
        f"kl {n} || {n}",
        lambda n=n: si.kl(default_member(n, 1), default_member(n, 2), timeout=timeout), timeout)
        for n in names]
    print_rows(kls, "KL, same family (symbolic_info)")
    return entropies, kls


def cached_call_ms(repeat: int) -> tuple[float, float]:
    """Median ms per repeated ``si.kl(normal, normal)``: prebuilt members, and built each time."""
    p, q = default_member("normal", 1), default_member("normal", 2)
    si.kl(p, q)
    warm = []
    for _ in range(repeat):
        start = time.perf_counter()
        si.kl(p, q)
        warm.append(time.perf_counter() - start)
    built = []
    for _ in range(repeat):
        start = time.perf_counter()
        si.kl(si.family("normal", mu="mu_1", sigma="sigma_1"),
              si.family("normal", mu="mu_2", sigma="sigma_2"))
        built.append(time.perf_counter() - start)
    return 1e3 * median(warm), 1e3 * median(built)


def compare_sympy(names: list[str], entropies: list[Row], limit: float) -> None:
    print(f"\nentropy through sympy.stats.entropy (limit {limit:g} s each; runs after ours, "
          f"so it shares sympy's warm cache)")
    print(f"  {'family':<18} {'ours s':>8}  {'ours status':<14} {'sympy s':>8}  sympy status")
    rng = np.random.default_rng(11)
    for name, mine in zip(names, entropies, strict=True):
        note = ""
        try:
            member = default_member(name, 1)
        except Exception as exc:  # noqa: BLE001
            theirs = Row(name, 0.0, f"error: {type(exc).__name__}")
        else:
            theirs, result = sympy_stats.entropy_row(member, limit)
            if result is not None and mine.status == "closed_form":
                ours = si.entropy(member).result  # cached
                note = ", " + sympy_stats.agreement(member, ours, result, rng)
        print(f"  {name:<18} {mine.seconds:8.3f}  {mine.status[:14]:<14} "
              f"{theirs.seconds:8.3f}  {theirs.status}{note}")


def warm_run(names: list[str], store: str) -> float:
    """The set again in a fresh process reading ``store``; prints it and returns the seconds
    of its final outcomes (from the store). A ``timed_out`` outcome is never stored, by rule,
    so it is derived again in the warm run too: its seconds are printed, not targeted."""
    warm = in_fresh_process(names, store=store)
    rows = warm["outcomes"]
    again = {k: v for k, v in rows.items() if v["status"] == "timed_out"}
    stored = sum(v["seconds"] for k, v in rows.items() if k not in again)
    derived = sum(v["seconds"] for v in again.values())
    print(f"\nwarm run (fresh process, store filled): {len(rows)} derivations in "
          f"{warm['seconds']:.3f} s ({warm['process_seconds']:.2f} s with the interpreter and "
          f"imports); {len(rows) - len(again)} final outcomes from the store in {stored:.3f} s; "
          f"{len(again)} timed out, never stored, derived again in {derived:.2f} s"
          + (f" ({', '.join(again)})" if again else ""))
    return stored


def run(args: argparse.Namespace) -> int:
    if args.quantities or args.gil:
        return quantities.run(args)
    names = args.families or si.families()
    store = args.store or tempfile.mkdtemp(prefix="symbolic_info_bench_store_")
    os.environ["SYMBOLIC_INFO_CACHE"] = store
    started = time.perf_counter()
    entropies, kls = ours(names, args.timeout)
    rows = entropies + kls
    seconds = [r.seconds for r in rows]
    total, mid = sum(seconds), median(seconds)
    counts: dict[str, int] = {}
    for r in rows:
        key = r.status if not r.status.startswith("error") else "error"
        counts[key] = counts.get(key, 0) + 1
    print(f"\n{len(rows)} derivations: total {total:.2f} s, median {mid:.3f} s, "
          f"max {max(seconds):.2f} s ({max(rows, key=lambda r: r.seconds).name})")
    print("  statuses: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    warm_total = warm_run(names, store)
    warm_ms, built_ms = cached_call_ms(args.repeat)
    print(f"\nrepeated si.kl(normal, normal), median of {args.repeat}: {warm_ms:.3f} ms per call "
          f"({built_ms:.3f} ms including building both members)")
    if not args.no_sympy:
        compare_sympy(names, entropies, args.limit)
    print(f"\nwall time of the benchmark: {time.perf_counter() - started:.1f} s")
    passed = print_targets([
        Target("median derivation", mid, MEDIAN_TARGET_S, "s"),
        Target("whole set (entropies + KLs)", total, TOTAL_TARGET_S, "s"),
        Target("whole set, warm: its final outcomes, from the store", warm_total,
               WARM_TARGET_S, "s"),
        Target("repeated (cached) si.kl call", warm_ms, CACHED_TARGET_MS, "ms"),
    ])
    return 0 if passed else 1
