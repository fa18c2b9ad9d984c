r"""Is a user's density a density?  Non-negative on its support, with total mass 1.

For a member :math:`p(x; \theta)` on :math:`S` (a pmf when :math:`S` is a ``Range`` or a
``FiniteSet``):

* **non-negative**: proved when sympy finds :math:`p \ge 0` at
  :math:`x = \ell + t` (:math:`x = (\ell + h\,t)/(1 + t)` on a bounded :math:`[\ell, h]`),
  :math:`t \ge 0`; otherwise checked on a grid of :math:`S` (its ends, the kinks of
  ``Piecewise``/``Abs`` and points between) at parameter points drawn from the constraints and
  relations;
* **mass** :math:`Z(\theta) = \int_S p\,dx` (or :math:`\sum_S p`): derived by sympy under a
  budget, with the relations between the parameters (a < c < b) written as positive gaps;
  where sympy finds no closed form, by scipy ``quad`` (in a logarithmic variable on an
  infinite piece where it does not converge: :mod:`symbolic_info.quadrature`; mpmath
  ``quad``/``nsum`` as a second opinion) at the drawn points.

:func:`checked_density` returns the density to register: the user's when :math:`Z = 1`,
:math:`p / Z` when ``normalize`` is set, and otherwise raises :class:`InvalidParameter`
saying what is wrong and where.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp

from ..budget import run_limited
from ..errors import BudgetExceeded, InvalidParameter
from ..kinks import kink_points
from ..quadrature import log_integrand, quad
from .relations import Pinning, pin
from .spec import Family, sample_parameters

SYMBOLIC_SECONDS = 5.0  # budget of each symbolic attempt (mass, non-negativity)
POINTS = 3  # parameter points for the numerical checks
GRID = 64  # grid points per check of the sign
RTOL = 1e-8  # a numerical mass within this of 1 counts as 1
_SYMPY_ERRORS = (BudgetExceeded, ValueError, TypeError, NotImplementedError, ZeroDivisionError,
                 AttributeError, RecursionError, sp.PolynomialError, sp.CoercionFailed)


@dataclass(frozen=True)
class Mass:
    """The total mass: ``symbolic`` (in the user's symbols) or None when sympy found none;
    ``numeric`` is ``[(point, value or None when the quadrature did not converge)]``."""

    symbolic: sp.Expr | None
    numeric: tuple[tuple[dict, float | None], ...]


def checked_density(family: Family, normalize: bool = False, seed: int = 20261129) -> sp.Expr:
    """The density of ``family`` (template symbols = values) after the checks; see module."""
    density, x, support = family.density, family.variable, family.support
    what = "pmf" if family.discrete else "density"
    label = f"{family.name}: the {what} {density}"
    pinning = pin(family.relations())
    points = _points(family, seed)
    _check_sign(label, density, x, support, pinning, points)
    mass = _mass(density, x, support, pinning, points)
    verb, able = ("sums", "summable") if family.discrete else ("integrates", "integrable")
    where = _set_text(support)
    if mass.symbolic is not None:
        z = mass.symbolic
        if z.has(sp.oo, -sp.oo, sp.zoo, sp.nan):
            raise InvalidParameter(f"{label} is not {able} on {where}")
        if _is_one(z, points):
            return density
        _check_positive(label, verb, z, points)
        if normalize:
            return density / z
        raise InvalidParameter(f"{label} {verb} to {z}, not 1; pass normalize=True to divide "
                               "by it")
    values = mass.numeric
    for point, value in values:
        if value is None or not np.isfinite(value):
            raise InvalidParameter(
                f"{label}: numerical {'summation' if family.discrete else 'integration'} over "
                f"{where} does not converge{_at(point)}, so it is probably not {able} there")
    if all(abs(v - 1) <= RTOL for _, v in values):
        return density
    if normalize:
        for point, value in values:
            if value <= 0:
                raise InvalidParameter(f"{label} {verb} to {value:.6g}{_at(point)}: it cannot "
                                       "be normalised")
        return density / _unevaluated(density, x, support, family.discrete)
    point, value = next((p, v) for p, v in values if abs(v - 1) > RTOL)
    raise InvalidParameter(f"{label} {verb} to {value:.6g}{_at(point)}, not 1; pass "
                           "normalize=True to divide by its total mass" + (HINT if point else ""))


# --------------------------------------------------------------------------- points

def _points(family: Family, seed: int) -> list[dict]:
    if not family.parameters:
        return [{}]
    rng = np.random.default_rng(seed)
    points = []
    for _ in range(POINTS):
        try:
            point = sample_parameters(family, rng)
        except InvalidParameter:
            stated = ", ".join(map(str, family.relations())) or "none"
            raise InvalidParameter(
                f"{family.name}: no parameter values satisfying the constraints and the "
                f"relations ({stated}) could be drawn to check the density; can they all "
                "hold at once?") from None
        points.append({s: sp.Float(v, 20) if isinstance(v, float) else sp.sympify(v)
                       for s, v in point.items()})
    return points


def _values(point: dict) -> str:
    return ", ".join(f"{s} = {_num(v)}" for s, v in point.items())


def _at(point: dict) -> str:
    return f" at {_values(point)}" if point else ""


HINT = ("; if such parameter values are not meant to be valid, say so with sympy assumptions "
        "(positive=True, ...) or relations=[...]")


def _num(value) -> str:
    value = sp.sympify(value)
    if value.is_Integer or value.is_Rational:
        return str(value)
    return f"{float(value):.4g}"


# --------------------------------------------------------------------------- sign

def _check_sign(label, density, x, support, pinning: Pinning, points) -> None:
    try:
        if run_limited(_proved_nonnegative, SYMBOLIC_SECONDS, density, x, support, pinning):
            return
    except _SYMPY_ERRORS:
        pass
    for point in points:
        found = _negative_point(density.xreplace(point), x, support.xreplace(point))
        if found is not None:
            at, value = found
            extra = ", " + _values(point) if point else ""
            raise InvalidParameter(f"{label} is negative on part of the support (e.g. "
                                   f"{_num(value)} at {x} = {_num(at)}{extra})"
                                   + (HINT if point else ""))


def _proved_nonnegative(density, x, support, pinning: Pinning) -> bool:
    t = sp.Dummy("t", nonnegative=True)
    lo, hi = (sp.sympify(e).xreplace(pinning.forward) for e in (support.inf, support.sup))
    if isinstance(support, (sp.Range, sp.FiniteSet)):
        return False
    if lo.is_finite and hi.is_finite:
        at = (lo + hi * t) / (1 + t)
    elif lo.is_finite:
        at = lo + t
    elif hi.is_finite:
        at = hi - t
    else:
        return False  # the whole line: no single substitution keeps x general
    value = density.xreplace(pinning.forward).xreplace({x: at})
    return bool(value.is_nonnegative)


def _grid(x, support) -> list[sp.Expr]:
    """Exact points of a numeric support: ends, kinks (and beside them), and between."""
    if isinstance(support, sp.FiniteSet):
        return list(support)
    if isinstance(support, sp.Range):
        if support.size.is_finite:
            return list(support)[: 4 * GRID]
        start = support.inf if support.inf.is_finite else support.sup
        step = 1 if support.inf.is_finite else -1
        return [start + step * j for j in range(4 * GRID)]
    lo, hi = support.inf, support.sup
    if lo.is_finite and hi.is_finite:
        points = [lo + (hi - lo) * sp.Rational(j, GRID) for j in range(GRID + 1)]
    else:
        offsets = [sp.Rational(j, 8) for j in range(GRID)] + [sp.Integer(2) ** j
                                                              for j in range(3, 40)]
        if lo.is_finite:
            points = [lo + o for o in offsets]
        elif hi.is_finite:
            points = [hi - o for o in offsets]
        else:
            points = [s * o for o in offsets for s in (1, -1)]
    return [p for p in points if support.contains(p) == sp.true]


def _negative_point(density, x, support) -> tuple[sp.Expr, sp.Expr] | None:
    """(x, p(x)) at the first grid point of the numeric ``support`` (from its lower end)
    where ``p < 0``, else None."""
    grid = _grid(x, support)
    if not isinstance(support, (sp.Range, sp.FiniteSet)):
        lo, hi = support.inf, support.sup
        for kink in kink_points(density, x, strict=False):
            if kink.is_number and (lo < kink) == sp.true and (kink < hi) == sp.true:
                gap = (min(hi - lo, 1) if lo.is_finite and hi.is_finite else 1) / sp.Integer(
                    10**6)
                grid += [kink - gap, kink, kink + gap]
    for at in grid:
        try:
            exact = density.xreplace({x: at})
            value = exact if exact.is_Rational else sp.N(exact, 15)
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        if value.is_extended_real and value.is_negative and value.is_finite:
            return at, value
    return None


# --------------------------------------------------------------------------- mass

def _mass(density, x, support, pinning: Pinning, points) -> Mass:
    try:
        symbolic = run_limited(_symbolic_mass, SYMBOLIC_SECONDS, density, x, support, pinning)
    except _SYMPY_ERRORS:
        symbolic = None
    if symbolic is not None:
        return Mass(symbolic, ())
    numeric = tuple((p, _numeric_mass(density.xreplace(p), x, support.xreplace(p)))
                    for p in points)
    return Mass(None, numeric)


def _symbolic_mass(density, x, support, pinning: Pinning) -> sp.Expr | None:
    """Z in the user's symbols, or None when sympy leaves an integral, sum or condition."""
    body = density.xreplace(pinning.forward)
    if isinstance(support, sp.FiniteSet):
        z = sp.Add(*[body.xreplace({x: v}) for v in support.xreplace(pinning.forward)])
    else:
        lo, hi = (sp.sympify(e).xreplace(pinning.forward) for e in (support.inf, support.sup))
        if isinstance(support, sp.Range):
            z = sp.summation(body, (x, lo, hi))
        else:
            z = sp.integrate(body, (x, lo, hi))
    z = _first_branch(z, pinning)
    if z is None or z.has(sp.Integral, sp.Sum, sp.Piecewise, sp.nan):
        return None
    z = z.xreplace(pinning.back)
    if z.has(sp.oo, -sp.oo, sp.zoo):
        return sp.oo
    simpler = sp.simplify(z)
    return simpler if sp.count_ops(simpler) <= sp.count_ops(z) else z


def _first_branch(z: sp.Expr, pinning: Pinning) -> sp.Expr | None:
    """Piecewise((v, cond), ...) -> v when ``cond`` holds under the relations, else None."""
    while isinstance(z, sp.Piecewise):
        value, cond = z.args[0]
        if cond == sp.true or pinning.decide(cond) == sp.true:
            z = value
        else:
            return None
    return z


def _numeric_mass(density, x, support) -> float | None:
    """Z at a numeric point: quad split at the kinks, or summation; None if it diverges."""
    if isinstance(support, sp.FiniteSet):
        return float(sp.N(sp.Add(*[density.xreplace({x: v}) for v in support])))
    if isinstance(support, sp.Range):
        f = sp.lambdify(x, density, modules=["mpmath"])
        lo, hi = support.inf, support.sup
        with mpmath.workdps(20):
            if lo.is_finite and hi.is_finite:
                return float(mpmath.fsum(f(k) for k in range(int(lo), int(hi) + 1)))
            ends = [int(lo) if lo.is_finite else -mpmath.inf,
                    int(hi) if hi.is_finite else mpmath.inf]
            try:
                value = mpmath.nsum(f, ends)
            except (ValueError, ZeroDivisionError, mpmath.libmp.NoConvergence):
                return None
            return float(value) if mpmath.isfinite(value) else None
    lo, hi = float(support.inf), float(support.sup)
    edges = [lo] + sorted(float(k) for k in kink_points(density, x, strict=False)
                          if k.is_number and lo < float(k) < hi) + [hi]
    f = sp.lambdify(x, density, modules=["scipy", "numpy"])
    route = log_integrand(density, x)()  # an infinite piece also in u = log|x - end|
    total = 0.0
    for a, b in zip(edges, edges[1:]):
        value = _quad(f, a, b, route)
        if value is None:
            value = _mpmath_quad(sp.lambdify(x, density, modules=["mpmath"]), a, b)
        if value is None:
            return None
        total += value
    return total


def _quad(f: Callable, a: float, b: float, route=None) -> float | None:
    """scipy quad; on an infinite piece also in a logarithmic variable (``route``:
    :func:`symbolic_info.quadrature.log_integrand`), which reaches a tail like
    1/(x log^2 x); None when no route converges."""
    value, converged = quad(f, a, b, epsabs=1e-13, epsrel=1e-11, logged=route)
    return value if converged else None


def _mpmath_quad(f: Callable, a: float, b: float) -> float | None:
    try:
        with mpmath.workdps(20):
            value, error = mpmath.quad(f, [a, b], error=True)
    except (ValueError, ZeroDivisionError, TypeError, OverflowError):
        return None
    value = complex(value).real
    return value if np.isfinite(value) and error < 1e-9 * max(1.0, abs(value)) else None


# --------------------------------------------------------------------------- helpers

def _is_one(z: sp.Expr, points) -> bool:
    if z == 1:
        return True
    try:
        if run_limited(sp.simplify, SYMBOLIC_SECONDS, z - 1) == 0:
            return True
    except _SYMPY_ERRORS:
        pass
    # a form sympy cannot reduce (gamma quotients, say) that is 1 at every point, to 40 digits
    for point in points:
        value = sp.N(z.xreplace(point), 40)
        if not value.is_number or abs(complex(value) - 1) > 1e-30:
            return False
    return True


def _check_positive(label: str, verb: str, z: sp.Expr, points) -> None:
    for point in points:
        value = sp.N(z.xreplace(point))
        if not (value.is_extended_real and value.is_positive):
            raise InvalidParameter(f"{label} {verb} to {z}, which is {_num(value)}"
                                   f"{_at(point)}: it cannot be normalised")


def _unevaluated(density, x, support, discrete: bool) -> sp.Expr:
    """∫_S p dx (Σ_S p) left as it is, in a bound variable of its own."""
    t = sp.Dummy(x.name, **x.assumptions0)
    body = density.xreplace({x: t})
    if isinstance(support, sp.FiniteSet):
        return sp.Add(*[density.xreplace({x: v}) for v in support])
    cls = sp.Sum if discrete else sp.Integral
    return cls(body, (t, support.inf, support.sup))


def _set_text(s: sp.Set) -> str:
    if isinstance(s, sp.Interval):
        return (f"{'(' if s.left_open or s.inf == -sp.oo else '['}{s.inf}, {s.sup}"
                f"{')' if s.right_open or s.sup == sp.oo else ']'}")
    if isinstance(s, sp.Range):
        if s.size.is_finite and s.size <= 6:
            return "{" + ", ".join(str(k) for k in s) + "}"
        if s.inf.is_finite:
            return "{" + f"{s.inf}, {s.inf + 1}, {s.inf + 2}, ..." + "}"
        return str(s)
    return str(s)
