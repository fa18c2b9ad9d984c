"""tensors: torch and jax near P = Q, float64 and float32, next to torch.distributions.

For every built-in same-family divergence with a closed form (the KL by default), over the
near-equality points of :mod:`symbolic_info.check.accuracy` (Q's parameters P's times 1 ± d,
or plus ± d, d = 1e-2 ... 1e-12), the largest relative error against the mpmath backend (50
digits) of ``lambdify("torch")``, ``lambdify("jax")`` and, for the KL of the families
``torch.distributions`` has, of ``torch.distributions.kl_divergence``, in float64 and in
float32. Each evaluator is compared with mpmath at the inputs it actually received (in float32,
the inputs rounded to float32; where rounding makes P = Q the exact value is 0 and the error
is absolute; an mpmath value below 1e-45 counts as that 0). Float64 cells above 1e-12 are
marked ``*``.
"""

from __future__ import annotations

import argparse
import importlib.util
import time

import numpy as np
import sympy as sp

import symbolic_info as si

from ..check.accuracy import points, relative_error
from ..cli import default_member
from ..families import BUILTIN_FAMILIES

TARGET = 1e-12
ROUNDING = 1e-45  # below, an mpmath value at 50 digits is an exact 0 (P = Q) plus rounding
QUANTITIES = ("kl", "jeffreys", "bhattacharyya", "hellinger", "chi_square")


def _stack(*values):
    import torch
    return torch.stack(torch.broadcast_tensors(*values), -1)


#: family -> (torch.distributions class name, its arguments from our parameters in order)
TORCH_DISTRIBUTIONS = {
    "normal": ("Normal", lambda mu, sigma: (mu, sigma)),
    "exponential": ("Exponential", lambda rate: (rate,)),
    "gamma": ("Gamma", lambda shape, rate: (shape, rate)),
    "beta": ("Beta", lambda a, b: (a, b)),
    "bernoulli": ("Bernoulli", lambda p: (p,)),
    "geometric": ("Geometric", lambda p: (p,)),  # failures or trials: the KL is the same
    "poisson": ("Poisson", lambda lam: (lam,)),
    "laplace": ("Laplace", lambda mu, b: (mu, b)),
    "gumbel": ("Gumbel", lambda mu, beta: (mu, beta)),
    "half_normal": ("HalfNormal", lambda sigma: (sigma,)),
    "pareto": ("Pareto", lambda xm, alpha: (xm, alpha)),
    "lognormal": ("LogNormal", lambda mu, sigma: (mu, sigma)),
    "cauchy": ("Cauchy", lambda x0, gamma: (x0, gamma)),
    "dirichlet": ("Dirichlet", lambda *a: (_stack(*a),)),
    "categorical": ("Categorical", lambda *p: (_stack(*p),)),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--points", type=int, default=44,
                        help="near points per case (default 44: 2 base points x 11 values of d "
                             "x 2 signs)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--families", nargs="+", default=None,
                        help="families to include (default: all built-in)")
    parser.add_argument("--quantities", nargs="+", default=["kl"], choices=QUANTITIES,
                        help="same-family divergences (default: kl)")


def torch_distributions_kl(family: str, n_p: int):
    """kl_divergence of torch.distributions as a function of our parameters, or None."""
    if family not in TORCH_DISTRIBUTIONS or importlib.util.find_spec("torch") is None:
        return None
    import torch
    from torch import distributions
    name, arguments = TORCH_DISTRIBUTIONS[family]
    cls = getattr(distributions, name)

    def kl(*values):
        return distributions.kl_divergence(cls(*arguments(*values[:n_p]), validate_args=False),
                                           cls(*arguments(*values[n_p:]), validate_args=False))
    try:
        kl(*[torch.tensor(0.5, dtype=torch.float64)] * (2 * n_p))
    except NotImplementedError:
        return None
    return kl


def _to(library: str, dtype: str, columns: list[np.ndarray]) -> list:
    if library == "torch":
        import torch
        return [torch.as_tensor(c, dtype=getattr(torch, dtype)) for c in columns]
    import jax.numpy as jnp
    return [jnp.asarray(c, dtype=dtype) for c in columns]


def worst_error(d, evaluate, library: str, dtype: str, rows: list[tuple[float, ...]],
                exact) -> tuple[float, tuple | None]:
    """The largest relative error of ``evaluate`` (arrays of ``library`` in ``dtype``) against
    mpmath at the inputs rounded to ``dtype``."""
    rounded = np.array(rows, dtype=dtype)
    got = np.asarray(evaluate(*_to(library, dtype, list(rounded.T))), dtype=float)
    got = np.broadcast_to(got, (len(rows),))
    worst, where = 0.0, None
    for row, value in zip(rounded.astype(float), got):
        try:
            reference = exact(*row)
        except (ValueError, ZeroDivisionError):
            continue
        if abs(reference) < ROUNDING:  # P = Q after rounding: the 50-digit residue of 0
            reference = reference * 0
        error = relative_error(float(value), reference)
        if error >= worst:
            worst, where = error, tuple(row)
    return worst, where


def cases(families, quantities):
    for quantity in quantities:
        for name in families:
            p, q = default_member(name, 1), default_member(name, 2)
            try:
                d = getattr(si, quantity)(p, q)
            except Exception:  # noqa: BLE001 -- a family the quantity does not take
                continue
            if d.status == "closed_form" and not isinstance(d.result, sp.MatrixBase):
                yield quantity, name, d


def run(args: argparse.Namespace) -> int:
    have = {lib: importlib.util.find_spec(lib) is not None for lib in ("torch", "jax")}
    if have["jax"]:
        import jax
        jax.config.update("jax_enable_x64", True)
    families = args.families or list(BUILTIN_FAMILIES)
    start = time.perf_counter()
    columns = [(lib, dt) for dt in ("float64", "float32") for lib in ("torch", "jax", "dist")]
    print("near P = Q (Q = P(1 ± d) or P ± d, d = 1e-2 ... 1e-12): max relative error against "
          f"mpmath at the inputs each evaluator received; * = float64 above {TARGET:g}")
    print(f"  {'case':<24} {'points':>6}" + "".join(
        f"{(lib if lib != 'dist' else 'torch.dist') + ' ' + dt[-2:]:>15}"
        for lib, dt in columns))
    quantities = [q for q in args.quantities if q in QUANTITIES] or ["kl"]
    for quantity, name, d in cases(families, quantities):
        rows = [tuple(float(pt[s]) for s in d.parameters)
                for pt in points(d, "near", args.points, args.seed)]
        if not rows:
            continue
        try:
            exact = d.lambdify("mpmath")
        except Exception as exc:  # noqa: BLE001 -- no 50-digit reference (matrix arguments)
            print(f"  {quantity + ' ' + name:<24} no mpmath reference ({type(exc).__name__})")
            continue
        n_p = len(d.p.values) if d.p is not None else 0
        reference_kl = torch_distributions_kl(name, n_p) if quantity == "kl" and \
            len(d.parameters) == 2 * n_p else None
        cells = []
        for lib, dtype in columns:
            try:
                if lib == "dist":
                    evaluate, library = reference_kl, "torch"
                else:
                    evaluate, library = (d.lambdify(lib) if have[lib] else None), lib
                if evaluate is None:
                    cells.append(f"{'-':>15}")
                    continue
                with np.errstate(all="ignore"):
                    error, _ = worst_error(d, evaluate, library, dtype, rows, exact)
            except Exception as exc:  # noqa: BLE001 -- an evaluator that cannot take these
                cells.append(f"{type(exc).__name__[:14]:>15}")
                continue
            mark = "*" if dtype == "float64" and error > TARGET else " "
            cells.append(f"{error:14.1e}{mark}")
        print(f"  {quantity + ' ' + name:<24} {len(rows):>6}" + "".join(cells), flush=True)
    print(f"({time.perf_counter() - start:.0f} s)")
    return 0
