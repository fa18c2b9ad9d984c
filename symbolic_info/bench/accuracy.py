"""accuracy: the largest relative error of each float64 evaluator against mpmath (50 digits).

For every built-in entropy, same-family KL and cross-entropy with a closed form, over the
points of :mod:`symbolic_info.check.accuracy` (random, near-equality d = 1e-2 ... 1e-12, wide
scales 1e-6 ... 1e6 and probabilities 1e-12 ... 1 - 1e-12), the largest relative error of the
``numpy`` and ``numba`` backends and of a naive ``sympy.lambdify`` of the raw result (numpy +
scipy, no rewriting), each against the ``mpmath`` backend on the same float64 inputs. Cells
above the target (1e-12) are marked ``*``; the last column names the worst point.
"""

from __future__ import annotations

import argparse
import importlib.util
import time

import numpy as np
import sympy as sp

import symbolic_info as si

from ..check.accuracy import KINDS, measure
from ..cli import default_member
from ..families import BUILTIN_FAMILIES

TARGET = 1e-12
QUANTITIES = ("entropy", "kl", "cross_entropy")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--points", type=int, default=44,
                        help="points per kind (default 44: 2 base points x 11 values of d)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backends", nargs="+", default=["numpy", "numba", "naive"],
                        help="evaluators (default: numpy numba naive)")
    parser.add_argument("--families", nargs="+", default=None,
                        help="families to include (default: all built-in)")
    parser.add_argument("--quantities", nargs="+", default=list(QUANTITIES),
                        choices=QUANTITIES)


def derivations(families, quantities):
    """(label, Derivation) for each closed form among the built-in quantities."""
    for quantity in quantities:
        for name in families:
            p = default_member(name, 1)
            d = si.entropy(p) if quantity == "entropy" else \
                getattr(si, quantity)(p, default_member(name, 2))
            if d.status == "closed_form":
                yield f"{quantity} {name}", d


def naive(d):
    """``sympy.lambdify`` of the raw result with numpy + scipy: what a user types first."""
    f = sp.lambdify(d.parameters, d.result, modules=["scipy", "numpy"])
    f.__name__ = "naive"
    return f


def run(args: argparse.Namespace) -> int:
    backends = [b for b in args.backends
                if b in ("numpy", "naive") or importlib.util.find_spec(b) is not None]
    families = args.families or list(BUILTIN_FAMILIES)
    start = time.perf_counter()
    print(f"accuracy against mpmath (50 digits): max relative error per kind of point; "
          f"* = above {TARGET:g}")
    header = f"  {'function':<30} {'evaluator':<7}" + "".join(f"{k:>11}" for k in KINDS)
    print(header + "  worst point")
    summary = {b: [0, 0] for b in backends}
    for label, d in derivations(families, args.quantities):
        for backend in backends:
            evaluator = naive(d) if backend == "naive" else backend
            cells, worst = [], (0.0, None, None)
            for kind in KINDS:
                try:
                    with np.errstate(all="ignore"):
                        a = measure(d, evaluator, kind, n=args.points, seed=args.seed)
                except Exception as exc:  # noqa: BLE001 -- a backend that cannot evaluate
                    cells.append(f"{type(exc).__name__[:10]:>11}")
                    continue
                if not a.points:
                    cells.append(f"{'-':>11}")
                    continue
                mark = "*" if a.max_error > TARGET else " "
                cells.append(f"{a.max_error:10.1e}{mark}")
                if a.max_error > worst[0]:
                    worst = (a.max_error, kind, a.worst)
                summary[backend][a.max_error > TARGET] += 1
            where = "" if worst[1] is None or worst[0] <= TARGET else \
                f"  {worst[1]} {tuple(float(f'{x:.3g}') for x in worst[2])}"
            print(f"  {label:<30} {backend:<7}" + "".join(cells) + where, flush=True)
    print("cells within the target / above it:",
          ", ".join(f"{b} {ok}/{bad}" for b, (ok, bad) in summary.items()),
          f"({time.perf_counter() - start:.0f} s)")
    return 0
