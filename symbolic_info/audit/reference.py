"""Our side of the comparison: the derived value at 50 digits (the closed form through
``lambdify('mpmath')``, or the numeric route where there is none), and an independent
numerical integral of the defining integral (or sum) for confirming a disagreement."""

from __future__ import annotations

import math
from functools import lru_cache

import mpmath
import sympy as sp

from ..budget import run_limited
from ..derive import Derivation, entropy, kl
from ..errors import BudgetExceeded
from ..families import Family, get_spec
from ..families.spec import known_size

DIGITS = 50
QUAD_DIGITS = 40
MAX_TERMS = 200_000   # terms of a numeric sum over a discrete support
SECONDS = 20.0        # CPU budget of one value (ours by a numeric route, or a quadrature)


def derive(p: Family, q: Family | None, timeout: float = 30.0) -> Derivation:
    """Our derivation (through the engine and its persistent store)."""
    return entropy(p, timeout=timeout) if q is None else kl(p, q, timeout=timeout)


def our_value(d: Derivation, arguments: dict[str, float]) -> mpmath.mpf:
    """The derivation's value at ``arguments`` (by symbol name), at 50 digits; nan when it
    cannot be evaluated there."""
    f = d.lambdify("mpmath")
    with mpmath.workdps(DIGITS):
        try:
            value = run_limited(f, SECONDS, **{k: mpmath.mpf(v) for k, v in arguments.items()})
            value = mpmath.mpmathify(value)
        except (ValueError, TypeError, ZeroDivisionError, OverflowError, ArithmeticError,
                BudgetExceeded):
            return mpmath.nan
        if isinstance(value, mpmath.mpc):
            value = value.real if abs(value.imag) <= 1e-30 * max(1, abs(value.real)) \
                else mpmath.nan
        return +value


def numeric_member(name: str, params: dict[str, float]) -> Family:
    """Our member of family ``name`` at numeric parameter values (floats kept exactly)."""
    return get_spec(name).member(**{k: sp.Rational(v) if isinstance(v, float) else v
                                    for k, v in params.items()})


@lru_cache(maxsize=256)
def _log_density(name: str):
    """log p(x; θ) of family ``name`` as an mpmath function of (x, *θ)."""
    spec = get_spec(name)
    x = sp.Dummy("x", real=True)
    member = spec.member(**{p.name: sp.Dummy(p.name, **p.constraint.assumption_dict)
                            for p in spec.params})
    expr = sp.log(member.density_at(x))
    return sp.lambdify((x, *member.values), expr, modules="mpmath")


def log_density(name: str, params: dict[str, float], x) -> mpmath.mpf:
    """Our log-density (log-pmf) of family ``name`` at ``x``; -inf outside the support."""
    member = numeric_member(name, params)
    support = member.support
    if not _in_support(support, x):
        return mpmath.ninf
    args = [mpmath.mpf(params[n]) for n in get_spec(name).param_names]
    try:
        value = mpmath.mpmathify(_log_density(name)(mpmath.mpf(x), *args))
    except (ValueError, ZeroDivisionError):
        return mpmath.ninf
    if isinstance(value, mpmath.mpc):  # log of a positive density written with negative parts
        return value.real if abs(value.imag) < 1e-20 else mpmath.nan
    return value


def _in_support(support, x) -> bool:
    try:
        return bool(support.contains(sp.nsimplify(x) if isinstance(x, float) else x))
    except TypeError:
        return True


def _ends(member: Family) -> tuple:
    s = member.support
    return (mpmath.mpf(float(s.inf)) if s.inf.is_finite else mpmath.ninf,
            mpmath.mpf(float(s.sup)) if s.sup.is_finite else mpmath.inf)


def _breakpoints(p: Family, q: Family | None, pp: dict, qp: dict | None) -> list:
    """Where the integrand may change fast: the support ends, and the parameter values
    (locations) with their offsets by each positive value (scales)."""
    lo, hi = _ends(p)
    values = [float(v) for v in list(pp.values()) + list((qp or {}).values())]
    scales = [abs(v) for v in values if v != 0] or [1.0]
    points = {lo, hi}
    if q is not None:
        points.update(e for e in _ends(q) if lo < e < hi)
    for m in values + ([float(lo)] if lo > mpmath.ninf else []):
        for s in [0.0, *scales, *(10 * s for s in scales)]:
            for c in (m - s, m + s):
                if lo < c < hi:
                    points.add(mpmath.mpf(c))
    return sorted(points)


def numeric_value(kind: str, p_name: str, pp: dict[str, float], q_name: str | None = None,
                  qp: dict[str, float] | None = None, seconds: float = SECONDS) -> float:
    """The defining integral (sum) of KL(P ‖ Q) or H(P), computed numerically: mpmath's
    tanh-sinh quadrature at 40 digits between breakpoints, or the sum over the support; nan
    when it fails or takes more than ``seconds`` of CPU time."""
    try:
        return run_limited(_numeric_value, seconds, kind, p_name, pp, q_name, qp)
    except BudgetExceeded:
        return math.nan


def _numeric_value(kind, p_name, pp, q_name, qp) -> float:
    p = numeric_member(p_name, pp)
    q = numeric_member(q_name, qp) if q_name else None

    def integrand(x):
        lp = log_density(p_name, pp, x)
        if lp == mpmath.ninf:
            return mpmath.mpf(0)
        if q is None:
            return -mpmath.exp(lp) * lp
        return mpmath.exp(lp) * (lp - log_density(q_name, qp, x))

    with mpmath.workdps(QUAD_DIGITS):
        try:
            if p.discrete:
                value = _sum(p, lambda k: log_density(p_name, pp, k), integrand)
            else:
                value = mpmath.quad(integrand, _breakpoints(p, q, pp, qp))
        except (ValueError, ZeroDivisionError, OverflowError):
            return math.nan
        return float(value)


def _sum(p: Family, log_p, term) -> mpmath.mpf:
    """Σ term(k) over p's support: every point of a finite one, else until P's mass is
    exhausted and the terms are negligible (at most MAX_TERMS terms)."""
    s = p.support
    size = known_size(s)
    if size is not None and size <= MAX_TERMS:
        return mpmath.fsum(term(int(k)) for k in s)
    tiny = mpmath.mpf(10) ** -(QUAD_DIGITS + 5)
    k, total, mass = int(s.inf), mpmath.mpf(0), mpmath.mpf(0)
    for _ in range(MAX_TERMS):
        t = term(k)
        total += t
        mass += mpmath.exp(log_p(k))
        if mass > 1 - tiny * 1e5 and abs(t) < tiny * (1 + abs(total)):
            break
        k += 1
    return total
