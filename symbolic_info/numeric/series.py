"""Numerical sums over a discrete support, for the series a derivation keeps unevaluated.

``mpmath.nsum`` extrapolates (Richardson, Shanks) from the first terms of a series, which is
wrong or nan where the terms first grow (a Skellam pmf whose mode is far from 0, summed over
all the integers from -inf) or decay like a power (Zipf, Yule-Simon: log k / k^a, where the
extrapolations do not converge). :func:`series_sum` adds the terms directly, from the start
outward, until they are negligible against the total; if a one-sided series has not settled
after :data:`DIRECT` terms, its remainder is a smooth tail and is added by Euler-Maclaurin
(an integral plus end corrections, exact to working precision for power-law tails). A sum over
all the integers is the sum over k >= 0 plus the mirrored sum over k <= -1.
"""

from __future__ import annotations

import mpmath


def _besseli(nu, z):
    """I_nu(z); an integer order as |nu| (I_-n = I_n), which mpmath evaluates ~1000x faster
    than a negative one (a Skellam pmf summed over k <= -1)."""
    if mpmath.isint(nu):
        nu = abs(nu)
    return mpmath.besseli(nu, z)


#: lambdify modules for the terms of a series
MODULES = [{"besseli": _besseli}, "mpmath"]

DIRECT = 2000  # terms added one by one before a tail estimate
QUIET = 20     # consecutive negligible terms that settle a series
DPS = 20


def _one_sided(f, start: int) -> mpmath.mpf:
    """Σ_{k >= start} f(k): direct terms, then the Euler-Maclaurin remainder if needed."""
    total = mpmath.mpf(0)
    quiet = 0
    k = start
    for k in range(start, start + DIRECT):
        term = f(mpmath.mpf(k))
        if not mpmath.isfinite(term):
            return mpmath.nan
        total += term
        small = term == 0 or abs(term) <= mpmath.mpf(10) ** (-DPS) * abs(total)
        quiet = quiet + 1 if small and total != 0 else 0
        if quiet >= QUIET:
            return total
    tail = k + 1
    try:
        rest = mpmath.nsum(f, [tail, mpmath.inf], method="euler-maclaurin")
    except (ValueError, ZeroDivisionError, mpmath.libmp.NoConvergence):
        rest = mpmath.nan
    if not mpmath.isfinite(rest):
        try:
            rest = mpmath.nsum(f, [tail, mpmath.inf])
        except (ValueError, ZeroDivisionError, mpmath.libmp.NoConvergence):
            return mpmath.nan
    return total + rest


def series_sum(f, a, b) -> float:
    """Σ_{k = a}^{b} f(k) with ``f`` an mpmath function of the index; ``a`` may be -inf and
    ``b`` inf (numbers or sympy/mpmath infinities); nan when the series does not settle."""
    lo = float(a)
    hi = float(b)
    with mpmath.workdps(DPS):
        if lo != float("-inf") and hi != float("inf"):
            return float(mpmath.fsum(f(mpmath.mpf(k)) for k in range(int(lo), int(hi) + 1)))
        if lo != float("-inf"):
            return float(_one_sided(f, int(lo)))
        if hi == float("inf"):  # every integer: k >= 0 and the mirrored k <= -1
            return float(_one_sided(f, 0) + _one_sided(lambda t: f(-t), 1))
        return float(_one_sided(lambda t: f(-t), -int(hi)))
