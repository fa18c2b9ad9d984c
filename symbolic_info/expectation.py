r"""The expectation engine: :math:`\mathbb{E}_P[s(X)]` for one statistic ``s``.

Derivations reduce to a handful of expectations of simple statistics (``x``, ``x**2``,
``log(x)``, ``|x - m|``, ...).  Each is derived by a list of strategies, each under a share of
the time budget, and a candidate is accepted only when it is a textbook closed form (no
``hyper``, ``meijerg``, ``Integral``, ``nan``) that agrees with numerical integration at random
parameter points.  Strategies:

* ``integration``: the defining integral, split at the kinks of ``Abs``/``Piecewise``;
* ``tilting``: for :math:`s = \log w`, :math:`\mathbb{E}[s] = \frac{d}{dt}\log Z(t)|_{t=0}`
  with :math:`Z(t) = \int p(x)\,w(x)^t\,dx` (differentiating the normaliser);
* ``substitution``: a change of variables :math:`u = e^{g(x)}`, :math:`u = (cx)^a` or
  :math:`u = \log x` found in the density, then the expectations of the new statistics under
  the push-forward density;
* ``summation`` (and ``tilting`` with :math:`w = e^x`) for pmfs.

Results are cached per (density, support, statistic).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp
from scipy import integrate

from .budget import Budget
from .errors import BudgetExceeded
from .integration import _integrate, _kinks, _with_conditions

UNACCEPTABLE = (sp.Integral, sp.Sum, sp.hyper, sp.meijerg, sp.Limit, sp.polar_lift,
                sp.exp_polar, sp.periodic_argument)
UNTIDY = (sp.Piecewise, sp.atan, sp.acot, sp.atanh, sp.acoth, sp.erf, sp.erfc)
QUICK_CAP = 0.8  # seconds each strategy gets in the first pass
SECOND_CAP = 3.0  # seconds for each strategy that ran out in the first pass
SECOND_POOL = 4.0  # seconds for the whole second pass of one expectation
STRATEGY_CAP = 6.0  # seconds for tidying and spot checks


@dataclass(frozen=True)
class Expectation:
    """The outcome of deriving E_P[statistic]: a closed form, or the unevaluated integral."""

    statistic: sp.Expr
    value: sp.Expr
    method: str
    closed: bool
    checked: bool = False
    condition: sp.Basic = sp.true


@dataclass(frozen=True)
class Measure:
    """A density (or pmf) in ``variable`` on ``support``; ``sample`` draws parameter points."""

    density: sp.Expr
    variable: sp.Symbol
    support: sp.Set
    sample: Callable[[np.random.Generator], dict] | None = None

    @property
    def discrete(self) -> bool:
        return isinstance(self.support, (sp.Range, sp.FiniteSet))

    @property
    def bounds(self) -> tuple[sp.Expr, sp.Expr]:
        return self.support.inf, self.support.sup

    def split(self) -> tuple[sp.Expr, sp.Expr]:
        """(constant factor, kernel): density = constant * kernel, constant free of x."""
        return self.density.as_independent(self.variable, as_Add=False)

    def unevaluated(self, statistic: sp.Expr) -> sp.Expr:
        lo, hi = self.bounds
        body = statistic * self.density
        if self.discrete:
            return sp.Sum(body, (self.variable, lo, hi))
        return sp.Integral(body, (self.variable, lo, hi))


_CACHE: dict[tuple, Expectation] = {}


def clear_cache() -> None:
    _CACHE.clear()


def expect(measure: Measure, statistic: sp.Expr, budget: Budget,
           rng: np.random.Generator | None = None, quick: bool = False) -> Expectation:
    """E[statistic] under ``measure``: the first accepted strategy, else the unevaluated form.

    ``quick`` runs only the first pass (short caps) and caches no failure, so that a caller
    with several statistics can give each a quick try before any gets a long one.
    """
    statistic = sp.sympify(statistic)
    key = (measure.density, measure.support, statistic)
    if key in _CACHE:
        return _CACHE[key]
    if measure.variable not in statistic.free_symbols:
        return Expectation(statistic, statistic, "constant", True, True)
    rng = rng or np.random.default_rng(20261129)
    failure = "no strategy gave a closed form"
    strategies = list(_strategies(measure, statistic))
    timed_out: list[int] = []
    # Two passes: every strategy first gets a short cap; those that ran out get the rest.
    passes = [(QUICK_CAP, range(len(strategies)))] + ([] if quick else [(SECOND_CAP, timed_out)])
    fallback: Expectation | None = None  # an accepted but untidy form (Piecewise, atan, ...)
    pool_end = None
    for cap, indices in passes:
        for i in list(indices):
            if budget.expired:
                failure = f"the time budget of {budget.seconds:g} s ran out"
                break
            if cap == SECOND_CAP:
                pool_end = pool_end or time.monotonic() + SECOND_POOL
                cap = min(SECOND_CAP, pool_end - time.monotonic())
                if cap <= 0.05:
                    break
            method, attempt = strategies[i]
            try:
                value, condition = budget.run(_with_conditions(attempt), cap=cap)
            except BudgetExceeded:
                if pool_end is None:
                    timed_out.append(i)
                continue
            except (ValueError, TypeError, NotImplementedError, ZeroDivisionError,
                    AttributeError, IndexError, KeyError, RecursionError,
                    sp.PolynomialError, sp.CoercionFailed):
                continue
            if value is None or not acceptable(value):
                continue
            try:
                value = budget.run(tidy, value, cap=STRATEGY_CAP)
            except BudgetExceeded:
                pass
            try:
                verdict = budget.run(spot_check, measure, statistic, value, rng,
                                     cap=STRATEGY_CAP, condition=condition)
            except BudgetExceeded:
                verdict = None
            if verdict is False:
                continue
            result = Expectation(statistic, value, method, True, bool(verdict), condition)
            if value.has(*UNTIDY):
                fallback = fallback or result
                continue
            _CACHE[key] = result
            return result
        if fallback is not None:
            _CACHE[key] = fallback
            return fallback
    result = Expectation(statistic, measure.unevaluated(statistic), failure, False)
    if not budget.expired and not quick:
        _CACHE[key] = result
    return result


def acceptable(value: sp.Expr) -> bool:
    """A textbook closed form: no special-function junk, no unevaluated operators, no nan."""
    value = sp.sympify(value)
    if value.has(*UNACCEPTABLE) or value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return False
    return not any(isinstance(a, sp.Pow) and a.base == 0 for a in value.atoms(sp.Pow))


def tidy(expr: sp.Expr) -> sp.Expr:
    """A textbook form of one expectation: gamma functions expanded, logs split, polygamma."""
    if expr.has(sp.factorial, sp.binomial) or sp.count_ops(expr) > 40:
        expr = min(expr, sp.simplify(expr), key=sp.count_ops)
    expr = sp.expand_func(expr)
    expr = sp.expand_log(sp.expand(expr), force=False)
    expr = expr.replace(lambda e: isinstance(e, sp.polygamma), lambda e: sp.expand_func(e))
    expr = sp.expand(expr)
    return sp.collect(expr, [sp.EulerGamma], evaluate=True)


# --------------------------------------------------------------------------- strategies

def _strategies(m: Measure, s: sp.Expr) -> Iterator[tuple[str, Callable[[], sp.Expr]]]:
    x = m.variable
    if m.discrete:
        yield "summation", lambda: _sum(m, s)
        if s.is_polynomial(x):
            yield "tilting (moment generating function)", lambda: _mgf_moment(m, s)
        return
    is_log = isinstance(s, sp.log)
    if is_log and s.args[0].free_symbols - m.density.free_symbols - {x}:
        yield "differentiation under the integral sign", lambda: _parameter_path(m, s.args[0])
    if is_log:
        yield "tilting", lambda: _tilt(m, s.args[0])
    yield "integration", lambda: _integrate(s * m.density, x, *m.bounds)
    for change, push in _substitutions(m):
        yield f"substitution {change}", _substituted(m, s, push)
    if not is_log and s.is_polynomial(x) and m.support.inf.is_nonnegative:
        yield "tilting (power moments)", lambda: _power_moment(m, s)


def _parameter_path(m: Measure, w: sp.Expr) -> sp.Expr:
    r"""E[log w(X; θ)] for θ free of the density, by differentiating under the integral sign.

    At a point θ* where w(x; θ*) = c·f(x) for a factor f of the kernel, tilting gives
    G(θ*) = log c + E[log f]; then :math:`G(θ) = G(θ^*) + \sum_i \int_{θ_i^*}^{θ_i}
    \mathbb{E}[\partial_i w / w]\,ds`, moving one coordinate at a time.
    """
    x = m.variable
    theta = sorted(w.free_symbols - m.density.free_symbols - {x}, key=lambda s: s.name)
    if not w.is_polynomial(x):
        return None
    _, kernel = m.split()
    c = sp.Dummy("c", positive=True)
    for f in {p.base for p in kernel.atoms(sp.Pow) if p.base.is_polynomial(x) and p.base.has(x)}:
        if sp.degree(f, x) != sp.degree(w, x):
            continue
        equations = sp.Poly(sp.expand(w - c * f), x).all_coeffs()
        for solution in sp.solve(equations, [*theta, c], dict=True, check=False):
            if set(solution) != {*theta, c} or any(
                    sp.Q.positive(t) and (solution[t].is_positive is False)
                    for t in theta if t.is_positive):
                continue
            base = _tilt(m, f)
            if base is None or not acceptable(base):
                continue
            start = {t: solution[t] for t in theta}
            value = sp.log(solution[c]) + base
            current = dict(start)
            for t in theta:
                slope = _integrate(sp.diff(w, t) / w * m.density, x, *m.bounds)
                if not acceptable(slope):
                    return None
                s = sp.Dummy("s", **({"positive": True} if t.is_positive else {"real": True}))
                along = sp.factor(sp.cancel(slope.xreplace({**current, t: s})))
                value += sp.integrate(along, (s, start[t], t), conds="none")
                current[t] = t
            return value
    return None


def _tilt(m: Measure, w: sp.Expr) -> sp.Expr:
    """E[log w(X)] = d/dt log Z(t) at t = 0, Z(t) = ∫ kernel(x) w(x)^t dx."""
    t = sp.Dummy("t", positive=True)
    _, kernel = m.split()
    z = _integrate(sp.powsimp(kernel * w**t), m.variable, *m.bounds)
    if z.has(sp.Integral) or z == 0:
        return None
    if z.has(sp.hyper, sp.meijerg):
        z = sp.hyperexpand(z)
    derivative = sp.diff(sp.log(z), t)
    value = derivative.subs(t, 0)
    if value.has(sp.nan) or not acceptable(value):
        value = sp.limit(derivative, t, 0, "+")
    return value


def _power_moment(m: Measure, s: sp.Expr) -> sp.Expr:
    """E[X^e] = Z(e) / Z(0) with Z(t) = ∫ kernel x^t dx, for each monomial of s."""
    x = m.variable
    t = sp.Dummy("t", positive=True)
    _, kernel = m.split()
    z = _integrate(kernel * x**t, x, *m.bounds)
    if z.has(sp.Integral):
        return None
    z0 = z.subs(t, 0)
    poly = sp.Poly(s, x)
    return sp.Add(*[c * sp.gammasimp(z.subs(t, e[0]) / z0) for e, c in poly.terms()])


def _sum(m: Measure, s: sp.Expr) -> sp.Expr:
    lo, hi = m.bounds
    coeff, kernel = m.split()
    value = sp.summation(s * kernel, (m.variable, lo, hi))
    return coeff * _strip_convergence(value)


def _strip_convergence(value: sp.Expr) -> sp.Expr:
    """Drop the convergence Piecewise that sympy wraps around series (valid on the domain)."""
    def first_branch(pw):
        return pw.args[0][0]
    return value.replace(lambda e: isinstance(e, sp.Piecewise) and e.args[-1][0].has(sp.Sum),
                         first_branch)


def _mgf_moment(m: Measure, s: sp.Expr) -> sp.Expr:
    """E[X^n] = M^(n)(0) / M(0), M(t) = Σ kernel(x) e^{t x}."""
    x = m.variable
    t = sp.Dummy("t")
    lo, hi = m.bounds
    _, kernel = m.split()
    mgf = _strip_convergence(sp.summation(kernel * sp.exp(t * x), (x, lo, hi)))
    if mgf.has(sp.Sum):
        return None
    mgf = sp.simplify(mgf)
    m0 = mgf.subs(t, 0)
    poly = sp.Poly(s, x)
    return sp.Add(*[c * sp.diff(mgf, t, e[0]).subs(t, 0) / m0 for e, c in poly.terms()])


# --------------------------------------------------------------------------- substitution

def _substitutions(m: Measure) -> Iterator[tuple[str, Callable[[sp.Symbol], tuple]]]:
    """Candidate changes of variables u = g(x) read off the density's structure."""
    x = m.variable
    _, kernel = m.split()
    seen = set()
    candidates = []
    for e in sp.preorder_traversal(kernel):
        if isinstance(e, sp.exp) and e.has(x):
            arg = e.args[0]
            if arg.is_polynomial(x) and sp.degree(arg, x) == 1:
                candidates.append(e)
        elif isinstance(e, sp.Pow) and e.base.has(x) and not e.exp.has(x) and not e.exp.is_number:
            if e.base.is_polynomial(x) and sp.degree(e.base, x) == 1:
                candidates.append(e)
        elif isinstance(e, sp.log) and e.args[0].is_polynomial(x) and e.has(x):
            if sp.degree(e.args[0], x) == 1:
                candidates.append(e)
    for c in candidates:
        if c in seen:
            continue
        seen.add(c)
        yield f"u = {c}", c


def _substituted(m: Measure, s: sp.Expr, g: sp.Expr) -> Callable[[], sp.Expr]:
    def run():
        x = m.variable
        u = sp.Dummy("u", real=True)
        inverse = sp.expand(_invert(g, x, u))
        lo, hi = (sp.limit(g, x, b, d) for b, d in zip(m.bounds, ("+", "-")))
        if not (lo.is_extended_real and hi.is_extended_real):
            return None
        if (lo > hi) == sp.true:
            lo, hi = hi, lo
        if lo.is_nonnegative:
            positive = sp.Dummy("u", positive=True)
            inverse = inverse.xreplace({u: positive})
            u = positive
        jacobian = sp.Abs(sp.diff(inverse, u))
        jacobian = sp.refine(jacobian, sp.Q.positive(u)) if lo.is_nonnegative else jacobian
        density = _clean(m.density.xreplace({x: inverse}) * jacobian)
        if density.has(sp.Abs):
            density = sp.simplify(density)
        pushed = Measure(density, u, sp.Interval(lo, hi))
        statistic = _clean(s.xreplace({x: inverse}))
        total = sp.S.Zero
        for coeff, stat in linear_terms(statistic, u):
            if stat == 1:
                total += coeff
                continue
            value = None
            for _, attempt in _strategies_no_substitution(pushed, stat):
                try:
                    value = attempt()
                except (ValueError, TypeError, NotImplementedError):
                    value = None
                if value is not None and acceptable(value):
                    break
                value = None
            if value is None:
                return None
            total += coeff * value
        return total
    return run


def _strategies_no_substitution(m: Measure, s: sp.Expr):
    for name, attempt in _strategies(m, s):
        if not name.startswith("substitution"):
            yield name, attempt


def _invert(g: sp.Expr, x: sp.Symbol, u: sp.Symbol) -> sp.Expr:
    """x as a function of u = g(x) for g = exp(linear), (linear)^a, log(linear)."""
    if isinstance(g, sp.exp):
        inner = sp.log(u)
        linear = g.args[0]
    elif isinstance(g, sp.log):
        inner = sp.exp(u)
        linear = g.args[0]
    else:
        inner = u ** (1 / g.exp)
        linear = g.base
    a, b = sp.Poly(linear, x).all_coeffs()
    return (inner - b) / a


def _clean(expr: sp.Expr) -> sp.Expr:
    """Tidy a substituted expression: exponents expanded, exp(c log u) = u**c, powers merged."""
    expr = expr.replace(lambda e: isinstance(e, sp.exp), lambda e: _exp_of_logs(e.args[0]))
    expr = sp.expand_power_base(sp.powsimp(expr, force=True), force=True)
    expr = sp.powsimp(sp.powdenest(expr, force=True), force=True)
    return sp.expand_log(expr, force=True)


def _exp_of_logs(arg: sp.Expr) -> sp.Expr:
    """exp(Σ c_i log w_i + rest) = Π w_i**c_i · exp(rest)."""
    arg = sp.expand(arg)
    factors, rest = [], []
    for term in sp.Add.make_args(arg):
        coeff, body = term.as_independent(sp.log, as_Add=False)
        if isinstance(body, sp.log) and not coeff.has(sp.log):
            factors.append(body.args[0] ** coeff)
        else:
            rest.append(term)
    return sp.Mul(*factors) * sp.exp(sp.Add(*rest))


def linear_terms(expr: sp.Expr, x: sp.Symbol) -> list[tuple[sp.Expr, sp.Expr]]:
    """expr = Σ coeff·statistic with coefficients free of x; statistics merged (1 = constant)."""
    expr = sp.expand_log(sp.expand_power_base(expr, force=True), force=True)
    # expand products and powers, but not inside functions: log((x - a)**2 + b**2) stays whole
    protected = {f: sp.Dummy() for f in expr.atoms(sp.Function) if f.has(x)}
    expr = sp.expand(expr.xreplace(protected)).xreplace({v: k for k, v in protected.items()})
    merged: dict[sp.Expr, sp.Expr] = {}
    for term in sp.Add.make_args(expr):
        coeff, stat = term.as_independent(x, as_Add=False)
        merged[stat] = merged.get(stat, sp.S.Zero) + coeff
    return [(sp.factor_terms(c), s) for s, c in merged.items() if c != 0]


# --------------------------------------------------------------------------- checks

def numeric_expectation(m: Measure, statistic: sp.Expr, point: dict) -> float | None:
    """E[statistic] by quadrature (scipy, split at kinks) or summation at a numeric point."""
    x = m.variable
    body = (statistic * m.density).xreplace(point)
    lo, hi = (sp.sympify(b).xreplace(point) for b in m.bounds)
    if body.free_symbols - {x}:
        return None
    try:
        if m.discrete:
            return _numeric_sum(body, x, lo, hi)
        f = sp.lambdify(x, body, modules=["scipy", "numpy"])

        def g(t: float) -> float:
            value = f(t)
            return 0.0 if np.isnan(value) else float(np.real(value))

        edges = [float(lo)]
        kinks = sorted(float(k) for k in _kinks(body, x))
        edges += [k for k in kinks if float(lo) < k < float(hi)]
        edges.append(float(hi))
        total = 0.0
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for a, b in zip(edges, edges[1:]):
                value, _ = integrate.quad(g, a, b, limit=200, epsabs=1e-12, epsrel=1e-10)
                total += value
        return total if np.isfinite(total) else None
    except (ValueError, TypeError, ZeroDivisionError, OverflowError, NotImplementedError):
        return None


def _numeric_sum(body: sp.Expr, x: sp.Symbol, lo, hi) -> float | None:
    f = sp.lambdify(x, body, modules=["mpmath"])
    with mpmath.workdps(20):
        if hi.is_finite:
            return float(mpmath.fsum(f(k) for k in range(int(lo), int(hi) + 1)))
        return float(mpmath.nsum(f, [int(lo), mpmath.inf]))


def spot_check(m: Measure, statistic: sp.Expr, value: sp.Expr, rng: np.random.Generator,
               points: int = 2, rtol: float = 1e-6, condition: sp.Basic = sp.true) -> bool | None:
    """Compare ``value`` with numerical integration; None when no point could be evaluated."""
    if m.sample is None:
        return None
    checked = 0
    for _ in range(points * 3):
        point = m.sample(rng)
        extra = (statistic.free_symbols | value.free_symbols) - set(point) - {m.variable}
        for s in extra:
            from .families.spec import constraint_from_assumptions
            point[s] = constraint_from_assumptions(s).sample(rng)
        point = {k: sp.Float(v, 20) if isinstance(v, float) else sp.sympify(v)
                 for k, v in point.items()}
        if condition != sp.true and condition.xreplace(point) != sp.true:
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
