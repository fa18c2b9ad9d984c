r"""Is a user's density on a region of two or more coordinates a density?

Non-negative on a grid of the region (at parameter points drawn from the constraints and
relations) and of total mass 1: :math:`Z(\theta) = \int_R p` by iterated ``sympy.integrate``
under a budget, else by nested quadrature (``scipy.integrate.nquad``) at the drawn points.
``normalize=True`` divides by Z (by its closed form when sympy finds one, otherwise by the
unevaluated integral).
"""

from __future__ import annotations

import warnings

import numpy as np
import sympy as sp
from scipy import integrate

from ..budget import run_limited
from ..errors import BudgetExceeded, InvalidParameter
from .spec import Family, sample_parameters

SYMBOLIC_SECONDS = 10.0
POINTS = 3
GRID = 12
RTOL = 1e-7


def iterated_mass(density: sp.Expr, limits) -> sp.Expr:
    """∫ density over the limits (outermost first), innermost first, with sympy."""
    value = density
    for x, lo, hi in reversed(limits):
        value = sp.integrate(value, (x, lo, hi), conds="none")
        if value.has(sp.Integral):
            return value
    return sp.simplify(value)


def _numeric_mass(density, limits, point) -> float | None:
    body = density.xreplace(point)
    limits = [tuple(sp.sympify(e).xreplace(point) for e in limit) for limit in limits]
    names = [x for x, _, _ in reversed(limits)]
    f = sp.lambdify(names, body, modules=["scipy", "numpy"])

    def g(*args):
        with np.errstate(all="ignore"):
            value = f(*args)
        return float(value) if np.isfinite(value) else 0.0

    ranges = []
    for i, (_, lo, hi) in enumerate(reversed(limits)):
        outer = names[i + 1:]
        lo_f, hi_f = (sp.lambdify(outer, e, modules=["numpy"]) for e in (lo, hi))
        ranges.append(_range(lo_f, hi_f, len(outer)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value, _ = integrate.nquad(g, ranges, opts={"limit": 100})
        except (ValueError, ZeroDivisionError):
            return None
    return value if np.isfinite(value) else None


def _range(lo_f, hi_f, n):
    return lambda *a: [float(lo_f(*a[:n])), float(hi_f(*a[:n]))]


def checked_region_density(family: Family, normalize: bool = False,
                           seed: int = 20261129) -> sp.Expr:
    density, limits = family.density, family.support.limits
    label = f"{family.name}: the density {density}"
    rng = np.random.default_rng(seed)
    points = []
    for _ in range(POINTS):
        try:
            raw = sample_parameters(family, rng)
        except InvalidParameter:
            break
        points.append({k: sp.Float(v, 20) if isinstance(v, float) else sp.sympify(v)
                       for k, v in raw.items()})
    for point in points:  # the sign on a grid
        bounded = [tuple(sp.sympify(e).xreplace(point) for e in limit) for limit in limits]
        grid = _grid(density.xreplace(point), bounded)
        if grid is not None and grid < -1e-12:
            raise InvalidParameter(f"{label} is negative on part of the region (e.g. "
                                   f"{grid:.3g} at {_show(point)})")
    try:
        z = run_limited(iterated_mass, SYMBOLIC_SECONDS, density, limits)
    except (BudgetExceeded, ValueError, TypeError, NotImplementedError):
        z = None
    if z is not None and not z.has(sp.Integral):
        if sp.simplify(z - 1) == 0:
            return density
        if normalize:
            return density / z
        raise InvalidParameter(f"{label} integrates to {z}, not 1; pass normalize=True to "
                               "divide by it")
    for point in points:
        value = _numeric_mass(density, limits, point)
        if value is None:
            raise InvalidParameter(f"{label}: its mass could not be computed at "
                                   f"{_show(point)} (not integrable?)")
        if abs(value - 1) > RTOL:
            if normalize:
                return density / family.support.operator(density)
            raise InvalidParameter(f"{label} integrates to {value:.10g} at {_show(point)}, "
                                   "not 1; pass normalize=True to divide by its mass")
    return density


def _grid(density, limits) -> float | None:
    """The least value of the density on a grid of the (numeric) region."""
    xs = [x for x, _, _ in limits]
    f = sp.lambdify(xs, density, modules=["numpy"])
    least = None

    def walk(i, fixed):
        nonlocal least
        if i == len(limits):
            with np.errstate(all="ignore"):
                value = complex(f(*fixed)).real
            if np.isfinite(value):
                least = value if least is None else min(least, value)
            return
        _, lo, hi = limits[i]
        sub = dict(zip(xs, fixed))
        a, b = (float(sp.sympify(e).xreplace(sub)) for e in (lo, hi))
        a, b = (max(a, -30.0), min(b, 30.0))
        for t in np.linspace(0.02, 0.98, GRID):
            walk(i + 1, [*fixed, a + (b - a) * t])
    walk(0, [])
    return least


def _show(point) -> str:
    return ", ".join(f"{k}={float(v):.4g}" for k, v in point.items())
