"""accuracy: relative error of the double-precision backends against mpmath (50 digits).

Normal KL, Gamma KL, Beta entropy and Bernoulli KL at ``--points`` random parameter sets
(wide ranges: small and large shapes, p in [0, 1]); for each backend the largest and the
median relative error against the ``mpmath`` backend, where the exact value is not 0.
"""

from __future__ import annotations

import argparse
import importlib.util

import numpy as np

import symbolic_info as si

from ..cli import default_member


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--points", type=int, default=300,
                        help="random parameter sets per case (default 300)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backends", nargs="+", default=["numpy", "numba"])


def cases(n: int, rng: np.random.Generator):
    u = rng.uniform
    m = default_member
    yield ("KL normal||normal", si.kl(m("normal", 1), m("normal", 2)),
           [u(-5, 5, n), u(0.01, 20, n), u(-5, 5, n), u(0.01, 20, n)])
    yield ("KL gamma||gamma", si.kl(m("gamma", 1), m("gamma", 2)),
           [u(0.01, 100, n), u(0.01, 20, n), u(0.01, 100, n), u(0.01, 20, n)])
    yield ("entropy beta", si.entropy(m("beta", 1)), [u(0.01, 100, n), u(0.01, 100, n)])
    yield ("KL bernoulli", si.kl(m("bernoulli", 1), m("bernoulli", 2)),
           [u(0, 1, n), u(0, 1, n)])


def run(args: argparse.Namespace) -> int:
    rng = np.random.default_rng(args.seed)
    backends = [b for b in args.backends
                if b == "numpy" or importlib.util.find_spec(b) is not None]
    print(f"accuracy against mpmath (50 digits), {args.points} points per case")
    print(f"  {'case':<20} {'backend':<8} {'max rel err':>12} {'median':>10}")
    for label, d, params in cases(args.points, rng):
        precise = d.lambdify("mpmath")
        rows = np.array(params).T
        exact = np.array([float(precise(*row)) for row in rows])
        keep = np.isfinite(exact) & (exact != 0)
        for backend in backends:
            got = np.asarray(d.lambdify(backend)(*params), dtype=float)
            rel = np.abs(got[keep] - exact[keep]) / np.abs(exact[keep])
            print(f"  {label:<20} {backend:<8} {rel.max():12.2e} {np.median(rel):10.2e}")
    return 0
