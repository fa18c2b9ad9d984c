r"""The expectation engine: :math:`\mathbb{E}_P[s(X)]` for one statistic ``s``.

Derivations reduce to a handful of expectations of simple statistics (``x``, ``x**2``,
``log(x)``, ``|x - m|``, ...).  Each is derived by a list of strategies, each under a share of
the time budget, and a candidate is accepted only when it is a textbook closed form (no
``hyper``, ``meijerg``, ``Integral``, ``nan``) that agrees with numerical integration at random
parameter points.  The strategies are in :mod:`symbolic_info.strategies`.

Caps and budgets are CPU seconds of the calling thread (:mod:`symbolic_info.budget`), so the
outcome does not depend on the machine's load.  Results are cached per (density, support,
statistic); a failure is cached only when every strategy finished (``timed_out`` is False).
A remembered result is charged to the budget at what it cost, so that what is left for the rest
of a derivation does not depend on what was derived before.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import mpmath
import numpy as np
import sympy as sp
from scipy import integrate

from .budget import Budget
from .errors import BudgetExceeded, InvalidParameter
from .families.relations import Pinning, pin
from .families.spec import constraint_from_assumptions
from .integration import with_conditions
from .kinks import kink_points
from .measure import UNTIDY, Measure, acceptable
from .numeric.series import MODULES as SERIES_MODULES
from .numeric.series import series_sum
from .quadrature import log_integrand, quad
from .strategies import strategies
from .tails import divergence

# CPU seconds, for the default budget of REFERENCE_BUDGET seconds; a larger budget scales
# them up in proportion (a smaller one does not shrink them: the budget itself limits).
REFERENCE_BUDGET = 30.0
QUICK_CAP = 0.8  # each strategy in the first pass
SECOND_CAP = 3.0  # each strategy that ran out in the first pass
SECOND_POOL = 4.0  # the whole second pass of one expectation
STRATEGY_CAP = 6.0  # tidying and spot checks
SPOT_CHECK_SEED = 20261129
UNDEFINED_CAP = 4.0  # the test of an expectation with no finite value (tails.divergence)


@dataclass(frozen=True)
class Expectation:
    """The outcome of deriving E_P[statistic]: a closed form, or the unevaluated integral."""

    statistic: sp.Expr
    value: sp.Expr
    method: str
    closed: bool
    checked: bool = False
    condition: sp.Basic = sp.true
    timed_out: bool = False  # not closed because a cap or the budget ran out, not by the math
    cpu: float = 0.0  # CPU seconds it took to derive (charged again when it is remembered)
    # E[s+] = E[s-] = oo: the expectation has no value (``value`` is nan, ``method`` says why)
    undefined: bool = False


_CACHE: dict[tuple, Expectation] = {}


def clear_cache() -> None:
    _CACHE.clear()


def expect(measure: Measure, statistic: sp.Expr, budget: Budget,
           rng: np.random.Generator | None = None, quick: bool = False) -> Expectation:
    """E[statistic] under ``measure``: the first accepted strategy, else the unevaluated form.

    ``rng`` draws the spot checks' parameter points; by default a new generator with a fixed
    seed, so that the points (and so the outcome) do not depend on what was derived before.

    ``quick`` runs only the first pass (short caps), so that a caller with several statistics
    can give each a quick try before any gets a long one. A failure is cached only when every
    strategy finished within its cap; otherwise it is ``timed_out`` and a later call (with a
    larger budget) tries again.
    """
    statistic = sp.sympify(statistic)
    key = (measure.density, measure.support, measure.relations, statistic)
    if key in _CACHE:
        budget.charge(_CACHE[key].cpu)
        return _CACHE[key]
    begun = budget.used

    def keep(result: Expectation) -> Expectation:
        _CACHE[key] = replace(result, cpu=budget.used - begun)
        return _CACHE[key]

    if not set(measure.variables) & statistic.free_symbols:
        return Expectation(statistic, statistic, "constant", True, True)
    rng = rng or np.random.default_rng(SPOT_CHECK_SEED)
    candidates = list(strategies(measure, statistic))
    timed_out: list[int] = []
    # Two passes: every strategy first gets a short cap; those that ran out get the rest.
    scale = max(1.0, budget.seconds / REFERENCE_BUDGET)
    quick_cap, second_cap = QUICK_CAP * scale, SECOND_CAP * scale
    passes = [(quick_cap, range(len(candidates)))] + ([] if quick else [(second_cap, timed_out)])
    fallback: Expectation | None = None  # an accepted but untidy form (Piecewise, atan, ...)
    pool_left = SECOND_POOL * scale
    ran_out = False  # a strategy hit its cap in the last pass that ran it
    for second, (cap, indices) in enumerate(passes):
        ran_out = False
        for i in list(indices):
            if budget.expired:
                break
            if second:
                cap = min(second_cap, pool_left)
                if cap <= 0.05:  # the pool is spent: the rest did not get their turn
                    ran_out = True
                    break
            method, attempt = candidates[i]
            started = budget.used
            try:
                value, condition = budget.run(with_conditions(attempt, measure.relations), cap=cap)
            except BudgetExceeded:
                ran_out = True
                if not second:
                    timed_out.append(i)
                continue
            except (ValueError, TypeError, NotImplementedError, ZeroDivisionError,
                    AttributeError, IndexError, KeyError, RecursionError,
                    sp.PolynomialError, sp.CoercionFailed):
                continue
            finally:
                if second:
                    pool_left -= budget.used - started
            if value in (sp.oo, -sp.oo) and method == "integration":
                # diverging to +oo at one end and to -oo at another is no value at all
                result = _tails_within(measure, statistic, budget, rng, scale) or \
                    Expectation(statistic, value, "integration: the integral diverges",
                                True, False, condition)
                return keep(result)
            if value is None or not acceptable(value):
                continue
            try:
                value = budget.run(tidy, value, measure.relations, cap=STRATEGY_CAP * scale)
            except BudgetExceeded:
                pass
            try:
                verdict = budget.run(spot_check, measure, statistic, value, rng,
                                     cap=STRATEGY_CAP * scale, condition=condition)
            except BudgetExceeded:
                verdict = None
            if verdict is False:
                continue
            result = Expectation(statistic, value, method, True, bool(verdict), condition)
            if value.has(*UNTIDY):
                fallback = fallback or result
                continue
            return keep(result)
        if fallback is not None:
            return keep(fallback)
        if not second:  # no strategy gave a value in the first pass: is there a finite one?
            infinite = _tails_within(measure, statistic, budget, rng, scale)
            if infinite is not None:
                return keep(infinite)
    if budget.expired:
        failure = f"the derivation's budget of {budget.seconds:g} CPU seconds ran out"
    elif ran_out:
        caps = f"{quick_cap:g} s" if quick else f"{quick_cap:g} s, then {second_cap:g} s"
        tried = ", ".join(method for method, _ in candidates)
        failure = (f"ran out of CPU time: no closed form within the caps of its strategies "
                   f"({caps} each; a larger timeout scales them up); tried {tried}")
    else:
        failure = "every strategy finished and none gave a closed form"
    out_of_time = budget.expired or ran_out
    result = Expectation(statistic, measure.unevaluated(statistic), failure, False,
                         timed_out=out_of_time)
    return result if out_of_time else keep(result)


def tail_expectation(m: Measure, statistic: sp.Expr,
                     rng: np.random.Generator | None = None) -> Expectation | None:
    r"""E[statistic] decided by the tails of its integral (:func:`symbolic_info.tails.
    divergence`): no value when the integral of :math:`s\,p` diverges to :math:`+\infty` near
    one end of the support and to :math:`-\infty` near another (:math:`\mathbb{E}[s^+] =
    \mathbb{E}[s^-] = \infty`: ``undefined``, value nan); :math:`\pm\infty` when it diverges
    near one end and not the other way near the other; None when the test does not show either
    (a density on an interval only)."""
    if m.multivariate or m.discrete:
        return None
    point = None
    if m.sample is not None:
        rng = rng or np.random.default_rng(SPOT_CHECK_SEED)
        try:
            point = m.sample(rng)
            for s in statistic.free_symbols - set(point) - set(m.variables):  # Q's, say
                point[s] = constraint_from_assumptions(s).sample(rng)
            point = {k: sp.Float(v, 20) if isinstance(v, float) else sp.sympify(v)
                     for k, v in point.items()}
        except InvalidParameter:
            point = None
    x = m.variable
    found = divergence(statistic * m.density, x, *m.bounds, point)
    if found is None:
        return None
    shown = sp.Symbol("x")
    what = sp.sstr(statistic.xreplace({x: shown}))
    tails = "; ".join(tail.text(shown) for tail in found.tails)
    if found.value is sp.nan:
        note = f"no value: E[s+] = E[s-] = oo for s = {what} ({tails})"
        return Expectation(statistic, sp.nan, note, False, undefined=True)
    note = (f"the integral diverges: {tails}; at the other end t*log(t) times the integrand "
            f"has a limit of the same sign or 0, for every value of the parameters")
    return Expectation(statistic, found.value, note, True, False)


def undefined_expectation(m: Measure, statistic: sp.Expr,
                          rng: np.random.Generator | None = None) -> Expectation | None:
    """:func:`tail_expectation` when it finds no value (E[s+] = E[s-] = oo), else None."""
    found = tail_expectation(m, statistic, rng)
    return found if found is not None and found.undefined else None


def _tails_within(m: Measure, statistic: sp.Expr, budget: Budget,
                  rng: np.random.Generator | None, scale: float) -> Expectation | None:
    """:func:`tail_expectation` under its cap; None when it runs out or sympy fails."""
    if budget.expired:
        return None
    try:
        return budget.run(tail_expectation, m, statistic, rng, cap=UNDEFINED_CAP * scale)
    except (BudgetExceeded, ValueError, TypeError, NotImplementedError, ZeroDivisionError,
            AttributeError, IndexError, KeyError, RecursionError, sp.PolynomialError):
        return None


def tidy(expr: sp.Expr, relations: tuple[sp.Basic, ...] = ()) -> sp.Expr:
    """A textbook form of one expectation: gamma functions expanded, logs split, polygamma;
    under ``relations`` (a < c < b) also logs split through the positive gaps, when shorter."""
    if relations and expr.has(sp.log):
        split = logs_split_under(expr, pin(relations))
        if sp.count_ops(split) < sp.count_ops(expr):
            expr = split
    if expr.has(sp.factorial, sp.binomial) or sp.count_ops(expr) > 40:
        expr = min(expr, sp.simplify(expr), key=sp.count_ops)
    expr = sp.expand_func(expr)
    expr = sp.expand_log(sp.expand(expr), force=False)
    expr = expr.replace(lambda e: isinstance(e, sp.polygamma), lambda e: sp.expand_func(e))
    expr = sp.expand(expr)
    if expr.has(sp.sinh, sp.cosh):  # e^z (cosh z - sinh z) = 1, as sympy's Bessel forms give
        exponential = sp.powsimp(sp.expand(expr.rewrite(sp.exp)))
        if sp.count_ops(exponential) < sp.count_ops(expr):
            expr = exponential
    return sp.collect(expr, [sp.EulerGamma], evaluate=True)


def logs_split_under(expr: sp.Expr, pinning: Pinning) -> sp.Expr:
    """``expr`` with its parameters written through the positive gaps of ``pinning``
    (c = a + d1, b = a + d1 + d2), each log's argument factored and the log split (valid: the
    gaps are positive), the coefficient of each log cancelled, then the gaps written back:
    a sum of log(b - c)·(…) terms whose coefficients cancel collapses to its few logs."""
    if not pinning.forward:
        return expr
    z = expr.xreplace(pinning.forward)
    z = z.replace(lambda e: isinstance(e, sp.log), lambda e: sp.log(sp.factor(e.args[0])))
    z = sp.expand(sp.expand_log(z, force=False))
    logs = sorted(z.atoms(sp.log), key=sp.default_sort_key)
    parts = sp.collect(z, logs, evaluate=False)
    z = sp.Add(*[sp.cancel(c) * k for k, c in parts.items()])
    return z.xreplace(pinning.back)


# --------------------------------------------------------------------------- checks

def numeric_expectation(m: Measure, statistic: sp.Expr, point: dict) -> float | None:
    """E[statistic] by quadrature (scipy, split at kinks) or summation at a numeric point."""
    if m.multivariate:
        return region_expectation(m, statistic, point)
    x = m.variable
    body = (statistic * m.density).xreplace(point)
    lo, hi = (sp.sympify(b).xreplace(point) for b in m.bounds)
    if body.free_symbols - {x}:
        return None
    try:
        if isinstance(m.support, sp.FiniteSet):  # its points only, not every integer between
            with mpmath.workdps(20):
                return float(mpmath.fsum(sp.N(body.xreplace({x: k}), 20)
                                         for k in m.support.xreplace(point)))
        if m.discrete:
            return _numeric_sum(body, x, lo, hi)
        f = sp.lambdify(x, body, modules=["scipy", "numpy"])

        def g(t: float) -> float:
            value = f(t)
            return 0.0 if np.isnan(value) else float(np.real(value))

        edges = [float(lo)]
        kinks = sorted(float(k) for k in kink_points(body, x))
        edges += [k for k in kinks if float(lo) < k < float(hi)]
        edges.append(float(hi))
        total = 0.0
        route = log_integrand(body, x)()  # an infinite piece also in u = log|x - end|
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for a, b in zip(edges, edges[1:]):
                value, _ = quad(g, a, b, epsabs=1e-12, epsrel=1e-10, logged=route)
                total += value
        return total if np.isfinite(total) else None
    except (ValueError, TypeError, ZeroDivisionError, OverflowError, NotImplementedError):
        return None


MAX_QUADRATURE_DIMENSION = 2  # beyond, nested quadrature is too slow for a spot check


def region_expectation(m: Measure, statistic: sp.Expr, point: dict) -> float | None:
    """E[statistic] over a region at a numeric point: nested quadrature (``scipy.integrate.
    nquad``, inner ends functions of the outer coordinates) or nested sums; None beyond
    :data:`MAX_QUADRATURE_DIMENSION` continuous coordinates."""
    # log(c·exp(q(x))) as log c + q(x): the tails stay finite where exp underflows
    statistic = sp.expand_log(statistic.xreplace(point), force=True)
    body = (statistic * m.density).xreplace(point)
    region = m.support.xreplace(point)
    if body.free_symbols - set(m.variables) or region.free_symbols:
        return None
    inner_first = list(reversed(region.limits))
    names = [x for x, _, _ in inner_first]
    try:
        if region.discrete:
            return _region_sum(body, region.limits, {})
        if len(names) > MAX_QUADRATURE_DIMENSION:
            return None
        f = sp.lambdify(names, body, modules=["scipy", "numpy"])

        def integrand(*args):
            value = f(*args)
            return 0.0 if np.isnan(value) else float(np.real(value))

        def ends(lo, hi, outer):
            lo_f = sp.lambdify(outer, lo, modules=["numpy"])
            hi_f = sp.lambdify(outer, hi, modules=["numpy"])
            return lambda *a: [float(lo_f(*a[:len(outer)])), float(hi_f(*a[:len(outer)]))]

        ranges = [ends(lo, hi, names[i + 1:]) for i, (_, lo, hi) in enumerate(inner_first)]
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            total, _ = integrate.nquad(integrand, ranges,
                                       opts={"limit": 100, "epsabs": 1e-11, "epsrel": 1e-10})
        return total if np.isfinite(total) else None
    except (ValueError, TypeError, ZeroDivisionError, OverflowError, NotImplementedError):
        return None


def _region_sum(body: sp.Expr, limits, fixed: dict) -> float:
    (x, lo, hi), rest = limits[0], limits[1:]
    lo, hi = (int(sp.sympify(e).xreplace(fixed)) for e in (lo, hi))
    total = mpmath.mpf(0)
    for k in range(lo, hi + 1):
        inner = {**fixed, x: sp.Integer(k)}
        total += (_region_sum(body, rest, inner) if rest
                  else mpmath.mpf(sp.N(body.xreplace(inner), 20)))
    return float(total)


def _numeric_sum(body: sp.Expr, x: sp.Symbol, lo, hi) -> float | None:
    f = sp.lambdify(x, body, modules=SERIES_MODULES)
    # direct terms outward, a power-law tail by Euler-Maclaurin (numeric/series.py)
    return series_sum(f, lo, hi)


def real_on_support(m: Measure, statistic: sp.Expr, point: dict) -> bool:
    """Whether the statistic is real at interior points of a univariate continuous support
    (log(x) under U(a, b) with a < 0 is not: such a point is outside its domain)."""
    if m.multivariate or m.discrete:
        return True
    lo, hi = (sp.sympify(b).xreplace(point) for b in m.bounds)
    if lo.is_finite and hi.is_finite:
        inner = [lo + (hi - lo) * k for k in (sp.Rational(1, 10), sp.S.Half, sp.Rational(9, 10))]
    elif lo.is_finite:
        inner = [lo + k for k in (sp.Rational(1, 2), 1, 2)]
    elif hi.is_finite:
        inner = [hi - k for k in (sp.Rational(1, 2), 1, 2)]
    else:
        inner = [sp.S(-1), sp.S.Zero, sp.S.One]
    for t in inner:
        try:
            value = complex(sp.N(statistic.xreplace(point).xreplace({m.variable: t}), 15))
        except (TypeError, ValueError):
            continue  # not a number here (a pole, a free symbol): no verdict
        if abs(value.imag) > 1e-12 * max(1.0, abs(value.real)):
            return False
    return True


def spot_check(m: Measure, statistic: sp.Expr, value: sp.Expr, rng: np.random.Generator,
               points: int = 2, rtol: float = 1e-6, condition: sp.Basic = sp.true) -> bool | None:
    """Compare ``value`` with numerical integration; None when no point could be evaluated."""
    if m.sample is None:
        return None
    checked = 0
    for _ in range(points * 3):
        try:
            point = m.sample(rng)
        except InvalidParameter:
            return None
        extra = (statistic.free_symbols | value.free_symbols) - set(point) - set(m.variables)
        for s in extra:
            point[s] = constraint_from_assumptions(s).sample(rng)
        point = {k: sp.Float(v, 20) if isinstance(v, float) else sp.sympify(v)
                 for k, v in point.items()}
        if condition != sp.true and condition.xreplace(point) != sp.true:
            continue
        if not real_on_support(m, statistic, point):  # outside the statistic's domain
            continue
        reference = numeric_expectation(m, statistic, point)
        try:
            claimed = complex(sp.N(value.xreplace(point), 30))
        except (TypeError, ValueError):
            return False
        if reference is None or not np.isfinite(reference):
            continue
        reference = complex(reference)
        scale = max(1.0, abs(reference))
        if not np.isfinite(claimed.real) or abs(claimed - reference) > rtol * scale:
            return False
        checked += 1
        if checked >= points:
            return True
    return None if checked == 0 else True
