"""Our side of the comparison: the derived value at 50 digits (the closed form through
``lambdify('mpmath')``, or the numeric route where there is none), and an independent
numerical integral of the defining integral (or sum) for confirming a disagreement."""

from __future__ import annotations

import math
from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp

from ..budget import run_limited
from ..derive import Derivation, entropy, kl
from ..errors import BudgetExceeded
from ..families import Family, get_spec
from ..families.spec import known_size

DIGITS = 50
QUAD_DIGITS = 40
MAX_TERMS = 200_000   # terms of a numeric sum over a discrete support
UNDERFLOW = -1e5      # a log density below this contributes nothing
SECONDS = 20.0        # CPU budget of one value (ours by a numeric route, or a quadrature)


def derive(p: Family, q: Family | None, timeout: float = 30.0) -> Derivation:
    """Our derivation (through the engine and its persistent store)."""
    return entropy(p, timeout=timeout) if q is None else kl(p, q, timeout=timeout)


def our_value(d: Derivation, arguments: dict[str, float]) -> mpmath.mpf:
    """The derivation's value at ``arguments`` (by symbol name), at 50 digits; nan when it
    cannot be evaluated there."""
    with mpmath.workdps(DIGITS):
        try:
            value = mpmath.mpmathify(run_limited(_evaluate, SECONDS, d, arguments))
        except (ValueError, TypeError, ZeroDivisionError, OverflowError, ArithmeticError,
                BudgetExceeded):
            return mpmath.nan
        if isinstance(value, mpmath.mpc):
            value = value.real if abs(value.imag) <= 1e-30 * max(1, abs(value.real)) \
                else mpmath.nan
        return +value


def _evaluate(d: Derivation, arguments: dict[str, float]):
    """Through mpmath at 50 digits; where that backend cannot evaluate the result (a sum it
    leaves unevaluated), through numpy's numeric route in float64."""
    floats = {k: v if isinstance(v, (int, float)) else float(v) for k, v in arguments.items()}
    try:
        f = d.lambdify("mpmath")
    except NotImplementedError:
        return float(d.lambdify("numpy")(**floats))
    try:
        return f(**{k: mpmath.mpf(v) for k, v in arguments.items()})
    except NotImplementedError:
        return float(d.lambdify("numpy")(**floats))


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
    # expanded, so no huge exponential is formed (Gumbel's exp(-exp(z))); the real part of the
    # expanded logarithm is log|p| even where it takes logs of negative factors
    expr = sp.expand_log(sp.log(member.density_at(x)), force=True)
    return sp.lambdify((x, *member.values), expr, modules="mpmath")


def log_density_of(name: str, params: dict[str, float]):
    """Our log-density (log-pmf) of family ``name`` at ``params``, as a function of ``x``
    (-inf outside the support)."""
    member = numeric_member(name, params)
    inside = _support_test(member.support)
    f = _log_density(name)
    args = [mpmath.mpf(params[n]) for n in get_spec(name).param_names]

    def log_p(x):
        if not inside(x):
            return mpmath.ninf
        try:
            value = mpmath.mpmathify(f(mpmath.mpf(x), *args))
        except (ValueError, ZeroDivisionError):
            return mpmath.ninf
        return value.real if isinstance(value, mpmath.mpc) else value
    return log_p


def log_density(name: str, params: dict[str, float], x) -> mpmath.mpf:
    """Our log-density (log-pmf) of family ``name`` at ``x``; -inf outside the support."""
    return log_density_of(name, params)(x)


def _support_test(support):
    """A fast test of ``x in support`` for an interval, a range or a finite set."""
    if isinstance(support, sp.Interval):
        lo, hi = float(support.inf), float(support.sup)
        return lambda x: lo <= x <= hi
    if isinstance(support, sp.Range):
        lo, hi = float(support.inf), float(support.sup)
        return lambda x: lo <= x <= hi and float(x) == int(x)
    if isinstance(support, sp.FiniteSet):
        points = {float(v) for v in support}
        return lambda x: float(x) in points
    return lambda x: _in_support(support, x)


def _in_support(support, x) -> bool:
    try:
        return bool(support.contains(sp.nsimplify(x) if isinstance(x, float) else x))
    except TypeError:
        return True


def _ends(member: Family) -> tuple:
    s = member.support
    return (mpmath.mpf(float(s.inf)) if s.inf.is_finite else mpmath.ninf,
            mpmath.mpf(float(s.sup)) if s.sup.is_finite else mpmath.inf)


def _grid(lo, hi) -> list[float]:
    """Candidate points spread over [lo, hi] (log-spaced offsets on an infinite side)."""
    offsets = [10.0 ** (k / 10) for k in range(-90, 91)]
    if lo > mpmath.ninf and hi < mpmath.inf:
        a, b = float(lo), float(hi)
        return [a + (b - a) * (1 - math.cos(math.pi * t / 400)) / 2 for t in range(1, 400)]
    if lo > mpmath.ninf:
        return [float(lo) + o for o in offsets]
    if hi < mpmath.inf:
        return [float(hi) - o for o in offsets]
    return [0.0] + [o for o in offsets] + [-o for o in offsets]


def _mode(log_p, lo, hi, extra) -> float | None:
    """Where ``log_p`` is largest: the best point of a grid (and ``extra``), refined by a
    ternary search between its neighbours."""
    with mpmath.workdps(20):
        grid = sorted({x for x in _grid(lo, hi) + list(extra) if lo < x < hi})
        values = [(log_p(x), i) for i, x in enumerate(grid)]
        values = [(v, i) for v, i in values if mpmath.isfinite(v)]
        if not values:
            return None
        _, i = max(values)
        a, b = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
        for _ in range(80):
            m1, m2 = a + (b - a) / 3, b - (b - a) / 3
            if log_p(m1) < log_p(m2):
                a = m1
            else:
                b = m2
        return (a + b) / 2


def _breakpoints(log_p, p: Family, q: Family | None, pp: dict, qp: dict | None) -> list:
    """Where the integrand may change fast: the support ends, the parameter values
    (locations) with their offsets by each positive value (scales), and around P's mode."""
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
    mode = _mode(log_p, lo, hi, values)
    if mode is not None:
        for k in range(-10, 9, 2):
            for c in (mode, mode - 10.0 ** k, mode + 10.0 ** k):
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
    log_p = log_density_of(p_name, pp)
    log_q = log_density_of(q_name, qp) if q_name else None

    def integrand(x):
        lp = log_p(x)
        if lp < UNDERFLOW:   # exp(lp) is 0 at any precision that matters (and slow to get)
            return mpmath.mpf(0)
        if log_q is None:
            return -mpmath.exp(lp) * lp
        return mpmath.exp(lp) * (lp - log_q(x))

    with mpmath.workdps(QUAD_DIGITS):
        try:
            if p.discrete:
                value = _sum(p, log_p, integrand)
            else:
                q = numeric_member(q_name, qp) if q_name else None
                value = mpmath.quad(integrand, _breakpoints(log_p, p, q, pp, qp))
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
    total, mass = mpmath.mpf(0), mpmath.mpf(0)
    for k in _integers(s):
        t = term(k)
        total += t
        mass += mpmath.exp(log_p(k))
        if mass > 1 - tiny * 1e5 and abs(t) < tiny * (1 + abs(total)):
            break
    return total


def _integers(s):
    """At most MAX_TERMS points of an infinite integer support: up from its lowest point, down
    from its highest, or (all the integers) 0, 1, -1, 2, -2, ..."""
    if s.inf.is_finite:
        return (int(s.inf) + i for i in range(MAX_TERMS))
    if s.sup.is_finite:
        return (int(s.sup) - i for i in range(MAX_TERMS))
    return ((i + 1) // 2 * (1 if i % 2 else -1) for i in range(MAX_TERMS))


# -- vector families ---------------------------------------------------------------------------
VECTOR_SECONDS = 60.0        # CPU budget of one independent value of a vector family
MONTE_CARLO_DRAWS = 200_000  # Wishart draws of the Monte Carlo check
MONTE_CARLO_SIGMAS = 5.0     # a Monte Carlo value confirms ours within this many standard errors
NQUAD_TOLERANCE = 1e-10      # the absolute error nquad's value is trusted to (it asks for 1e-12)


class Estimate(float):
    """An independent value with the absolute ``tolerance`` it confirms ours within (beyond
    the relative 1e-6 of a quadrature): MONTE_CARLO_SIGMAS standard errors of a Monte Carlo
    mean, NQUAD_TOLERANCE for ``scipy.integrate.nquad``, 0 for a sum at 30 digits; and a
    ``note`` saying how it was obtained."""

    tolerance: float
    note: str

    def __new__(cls, value: float, tolerance: float = 0.0, note: str = "") -> Estimate:
        out = super().__new__(cls, value)
        out.tolerance = float(tolerance)
        out.note = note
        return out


def vector_numeric_value(d: Derivation, arguments: dict[str, float], p_name: str,
                         pp: dict, q_name: str | None = None, qp: dict | None = None,
                         seconds: float = VECTOR_SECONDS) -> Estimate:
    """The defining integral (sum) of ``d`` at a point of our vector families, independently
    of the derivation's result: through :func:`symbolic_info.check.cross_validate.defining_value`
    (an exact sum over the outcomes of a categorical or over the count vectors of a
    multinomial, at 30 digits; ``scipy.integrate.nquad`` over the two coordinates of a normal
    or of a Dirichlet with k = 3, trusted to :data:`NQUAD_TOLERANCE`, so it neither confirms
    nor contradicts a value next to 0 of a point next to P = Q); for the Wishart, whose
    variable is a matrix, a Monte Carlo mean over :data:`MONTE_CARLO_DRAWS` Bartlett draws of
    our log density, with its standard error (a value confirms ours within
    :data:`MONTE_CARLO_SIGMAS` of them). nan when it fails or takes more than ``seconds`` of
    CPU time."""
    try:
        if "wishart" in (p_name, q_name):
            return run_limited(_wishart_monte_carlo, seconds, d.quantity, pp, qp)
        return run_limited(_defining_value, seconds, d, arguments)
    except Exception as exc:  # noqa: BLE001 - no independent value: a finding is not confirmed
        return Estimate(math.nan, 0.0, f"no independent value: {type(exc).__name__}: {exc}")


def _defining_value(d: Derivation, arguments: dict[str, float]) -> Estimate:
    from ..check.cross_validate import defining_value
    # an mpmath number (probabilities renormalised at 50 digits) as a 50-digit Float: sympify
    # would round it to mpmath's working precision
    point = {s: v if isinstance(v, (int, float)) else sp.Float(v, DIGITS)
             for s, v in ((s, arguments[str(s)]) for s in d.parameters)}
    out = defining_value(d, point, method="mpmath")   # sums at 30 digits (nquad is float64)
    if out.standard_error:
        tolerance = MONTE_CARLO_SIGMAS * out.standard_error
    else:
        tolerance = NQUAD_TOLERANCE if "nquad" in out.note else 0.0
    return Estimate(out.value, tolerance, out.note)


def _wishart_log_pdf(params: dict):
    """Our Wishart log density at ``params`` as a numpy function of W's entries w_ij
    (i <= j), from the family's density expression."""
    from .vector import member
    m = member("wishart", params, exact=True)
    k = len(params["scale"])
    names = {(i, j): sp.Symbol(f"w_{i}_{j}", real=True) for i in range(k) for j in range(i, k)}
    w = sp.ImmutableMatrix(k, k, lambda i, j: names[min(i, j), max(i, j)])
    density = m.spec.density.xreplace({**m.substitution, m.spec.variable: w}).doit()
    log_p = sp.expand_log(sp.log(density.rewrite(sp.gamma)), force=True)
    log_p = sp.N(log_p.replace(lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sp.gamma),
                               lambda e: sp.loggamma(e.args[0].args[0])), 30)
    f = sp.lambdify(list(names.values()), log_p, modules=["scipy", "numpy"])
    return lambda draws: np.asarray(f(*(draws[:, i, j] for i, j in names)), dtype=float)


def _wishart_monte_carlo(quantity: str, pp: dict, qp: dict | None) -> Estimate:
    from .vector import wishart_draws
    draws = wishart_draws(pp["df"], np.array(pp["scale"], dtype=float),
                          np.random.default_rng(0), MONTE_CARLO_DRAWS)
    with np.errstate(all="ignore"):
        log_p = _wishart_log_pdf(pp)(draws)
        g = -log_p if quantity == "entropy" else log_p - _wishart_log_pdf(qp)(draws)
    if not np.all(np.isfinite(g)):
        return Estimate(math.nan, 0.0, "Monte Carlo: a log density not finite at a draw")
    error = float(g.std(ddof=1) / math.sqrt(g.size))
    return Estimate(float(g.mean()), MONTE_CARLO_SIGMAS * error,
                    f"Monte Carlo over {g.size} draws from P, standard error {error:.2g}")
