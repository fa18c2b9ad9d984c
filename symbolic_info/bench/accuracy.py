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

import mpmath
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
    parser.add_argument("--tensors", action="store_true",
                        help="instead: torch and jax near P = Q in float64 and float32, next "
                             "to torch.distributions (symbolic_info/bench/tensors.py; the KL)")


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


def _relative(got: float, exact) -> float:
    return float(abs((mpmath.mpf(float(got)) - exact) / exact))


def headline() -> list[tuple[str, str, float]]:
    """The issue's two cases: Normal KL with σ₂ = σ₁(1 + 1e-8) and Bernoulli KL with
    p = q + 1e-9, by hand-typed numpy, scipy.special.rel_entr, torch.distributions (when
    installed) and our numpy / numba functions."""
    from scipy import special
    rows = []
    normal = si.kl(default_member("normal", 1), default_member("normal", 2))
    m, s1, s2 = 0.3, 1.7, 1.7 * (1 + 1e-8)
    exact = normal.lambdify("mpmath")(m, s1, m, s2)
    case = "KL normal, s2 = s1(1+1e-8)"
    rows.append((case, "hand numpy", _relative(
        np.log(s2 / s1) + (s1**2 + (m - m) ** 2) / (2 * s2**2) - 0.5, exact)))
    bernoulli = si.kl(default_member("bernoulli", 1), default_member("bernoulli", 2))
    q = 0.37
    p = q + 1e-9
    exact_b = bernoulli.lambdify("mpmath")(p, q)
    case_b = "KL bernoulli, p = q + 1e-9"
    rows.append((case_b, "hand numpy", _relative(
        p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q)), exact_b)))
    rows.append((case_b, "rel_entr", _relative(
        special.rel_entr(p, q) + special.rel_entr(1 - p, 1 - q), exact_b)))
    if importlib.util.find_spec("torch") is not None:
        import torch
        from torch.distributions import Bernoulli, Normal, kl_divergence
        t = torch.tensor
        rows.append((case, "torch dist", _relative(kl_divergence(
            Normal(t(m, dtype=torch.float64), t(s1, dtype=torch.float64)),
            Normal(t(m, dtype=torch.float64), t(s2, dtype=torch.float64))).item(), exact)))
        rows.append((case_b, "torch dist", _relative(kl_divergence(
            Bernoulli(t(p, dtype=torch.float64)), Bernoulli(t(q, dtype=torch.float64))).item(),
            exact_b)))
    for backend in ("numpy", "numba"):
        if backend == "numba" and importlib.util.find_spec("numba") is None:
            continue
        rows.append((case, backend, _relative(normal.lambdify(backend)(m, s1, m, s2), exact)))
        rows.append((case_b, backend, _relative(bernoulli.lambdify(backend)(p, q), exact_b)))
    return sorted(rows, key=lambda r: r[0])


def run(args: argparse.Namespace) -> int:
    if getattr(args, "tensors", False):
        from . import tensors
        return tensors.run(args)
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
    print("near-equality cases from the issue (relative error against mpmath):")
    for case, evaluator, error in headline():
        print(f"  {case:<30} {evaluator:<11} {error:10.1e}")
    print("cells within the target / above it:",
          ", ".join(f"{b} {ok}/{bad}" for b, (ok, bad) in summary.items()),
          f"({time.perf_counter() - start:.0f} s)")
    return 0
