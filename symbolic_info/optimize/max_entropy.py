r"""Maximum-entropy densities under moment constraints, derived step by step.

.. math::
    \max_p h(p) \quad\text{s.t.}\quad \int_S p = 1,\ \ \mathbb{E}_p[T_i(X)] = v_i .

The Lagrangian's stationary point is the exponential-family member
:math:`p^*(x) = \exp(\lambda_0 + \sum_i \lambda_i T_i(x))`; the multipliers come from the
normalisation :math:`Z(\lambda) = \int_S e^{\sum_i \lambda_i T_i}` (so :math:`\lambda_0 =
-\log Z`) and the moment equations :math:`\partial_{\lambda_i} \log Z = v_i`. Gibbs' inequality
:math:`0 \le D_{\mathrm{KL}}(q \parallel p^*) = h(p^*) - h(q)`, for every :math:`q` meeting the
constraints, proves that :math:`p^*` is the maximiser, and
:math:`h(p^*) = \log Z - \sum_i \lambda_i v_i`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sympy as sp

from ..budget import Budget
from ..derive.derivation import Derivation, Step
from ..errors import BudgetExceeded, InvalidParameter
from ..scope import derivation_budget
from .feasibility import joint_feasibility

_ALLOWED_HEADS = (sp.Add, sp.Mul, sp.Pow, sp.Abs, sp.log, sp.exp)


@dataclass(frozen=True)
class MaxEntropy(Derivation):
    """A :class:`Derivation` of the maximum entropy, with the maximiser attached.

    ``density`` is the maximising density (a pmf on a ``Range``/``FiniteSet`` support), or
    ``None`` when the entropy is unbounded (status ``infinite``). ``multipliers`` maps each
    Lagrange multiplier to its value (a still-unknown multiplier maps to itself);
    ``equations`` are the multiplier equations left unsolved (status ``no_closed_form``).
    """

    density: Any = None
    variable: Any = None
    support: Any = None
    constraints: tuple = ()
    multipliers: tuple = ()
    equations: tuple = ()

    def latex(self, standalone: bool = False) -> str:
        """The proof as numbered LaTeX steps (an ``align*`` block, or a whole document)."""
        from .latex import render
        return render(self, standalone=standalone)

    def latex_section(self, numbered: bool = True) -> str:
        """This proof as one section of :func:`symbolic_info.document`."""
        from .latex import section
        return section(self, numbered=numbered)


# -- input checks ---------------------------------------------------------------------------------
def _check_support(support) -> sp.Set:
    if not isinstance(support, (sp.Interval, sp.Range, sp.FiniteSet)):
        raise InvalidParameter(f"support must be a sympy Interval, Range or FiniteSet, "
                               f"got {support!r}")
    if isinstance(support, sp.Interval):
        width = support.sup - support.inf
        if width.is_extended_positive is False:
            raise InvalidParameter(f"support {support} has zero length")
    if isinstance(support, sp.FiniteSet) and len(support) == 0:
        raise InvalidParameter("support is empty")
    if isinstance(support, sp.Range):
        if support.step != 1:
            raise InvalidParameter(f"a Range support needs step 1, got {support}")
    return support


def _check_statistic(stat, variable) -> sp.Expr:
    try:
        stat = sp.sympify(stat)
    except (sp.SympifyError, TypeError) as exc:
        raise InvalidParameter(f"unsupported statistic {stat!r}") from exc
    if not isinstance(stat, sp.Expr) or variable not in stat.free_symbols:
        raise InvalidParameter(f"unsupported statistic {stat}: it must be an expression in "
                               f"{variable}")
    for node in sp.preorder_traversal(stat):
        if isinstance(node, (sp.Symbol, sp.Number, sp.NumberSymbol)) or \
                node in (sp.pi, sp.E, sp.I):
            continue
        if not isinstance(node, _ALLOWED_HEADS):
            raise InvalidParameter(f"unsupported statistic {stat}: {type(node).__name__} is "
                                   f"not one of + * ** Abs log exp")
    if stat.has(sp.I):
        raise InvalidParameter(f"unsupported statistic {stat}: it must be real")
    return stat


def _check_value(value, stat, variable) -> sp.Expr:
    try:
        value = sp.sympify(value)
    except (sp.SympifyError, TypeError) as exc:
        raise InvalidParameter(f"the value of E[{stat}] must be an expression, got "
                               f"{value!r}") from exc
    if variable in value.free_symbols:
        raise InvalidParameter(f"the value of E[{stat}] must not depend on {variable}")
    if value.is_real is False or value.has(sp.oo, sp.zoo, sp.nan, -sp.oo):
        raise InvalidParameter(f"the value of E[{stat}] must be a finite real, got {value}")
    return value


def _real_variable(variable, support) -> sp.Symbol:
    lo = support.inf
    if isinstance(support, sp.Interval) and lo.is_nonnegative:
        if lo.is_positive or support.left_open:
            return sp.Dummy(variable.name, positive=True)
        return sp.Dummy(variable.name, nonnegative=True)
    if lo.is_positive:
        return sp.Dummy(variable.name, positive=True)
    if isinstance(support, (sp.Range,)) or (isinstance(support, sp.FiniteSet)
                                           and all(p.is_integer for p in support)):
        return sp.Dummy(variable.name, integer=True)
    return sp.Dummy(variable.name, real=True)


def _hull(support) -> sp.Interval:
    if isinstance(support, sp.Interval):
        return support
    if isinstance(support, sp.FiniteSet):
        return sp.Interval(sp.Min(*support), sp.Max(*support))
    return sp.Interval(support.inf, support.sup)


def _stat_range(stat, x, support, budget) -> tuple[sp.Expr, sp.Expr]:
    """Bounds (lo, hi) of the statistic on the support (conservative when unknown)."""
    if isinstance(support, sp.FiniteSet):
        values = [stat.subs(x, p) for p in support]
        return sp.Min(*values), sp.Max(*values)
    from sympy.calculus.util import function_range
    try:
        rng = budget.run(function_range, stat, x, _hull(support), cap=3.0)
        if isinstance(rng, sp.Interval):
            return rng.inf, rng.sup
    except BudgetExceeded:
        pass
    except Exception:  # noqa: BLE001 - function_range gives up in many ways
        pass
    if stat.is_positive or stat.is_nonnegative:
        return sp.S.Zero, sp.oo
    if stat.is_negative or stat.is_nonpositive:
        return -sp.oo, sp.S.Zero
    return -sp.oo, sp.oo


def _feasibility(stat, value, x, support, budget, shown) -> sp.Basic:
    """Where E[stat] = value is attainable by a (non-degenerate) density; raise if nowhere."""
    lo, hi = _stat_range(stat, x, support, budget)
    discrete = not isinstance(support, sp.Interval)
    below = sp.true if lo == -sp.oo else (value >= lo) if discrete else (value > lo)
    above = sp.true if hi == sp.oo else (value <= hi) if discrete else (value < hi)
    cond = sp.And(below, above)
    if cond == sp.false:
        raise InvalidParameter(
            f"no {'pmf' if discrete else 'density'} on {support} has E[{shown}] = {value}: "
            f"{shown} takes values in [{lo}, {hi}]"
            + ("" if discrete else " and a density cannot sit on the boundary"))
    return cond


# -- multipliers and their signs -----------------------------------------------------------------
def _limit(expr, x, point, budget):
    try:
        return budget.run(sp.limit, expr, x, point, cap=3.0)
    except BudgetExceeded:
        return None
    except Exception:  # noqa: BLE001
        return None


def _multiplier_forms(stats, x, support, budget):
    """For each statistic: (lambda expression, free unknown, note). None when unbounded.

    Known-sign reasoning: at each infinite end of the support, the fastest-growing statistic's
    multiplier must push the exponent to -oo (negative multiplier for a statistic going to
    +oo); ``log(x - c)`` at a finite end c needs its multiplier above -1 (integrable power).
    """
    n = len(stats)
    signs: list[set] = [set() for _ in range(n)]
    shifts: list[int | None] = [None] * n
    hull = _hull(support)
    ends = [e for e in (hull.inf, hull.sup) if e in (sp.oo, -sp.oo)]
    for end in ends:
        lims = [_limit(t, x, end, budget) for t in stats]
        divergent = [i for i, lim in enumerate(lims) if lim in (sp.oo, -sp.oo)]
        if not divergent:
            return None  # nothing can make exp(...) decay at this end: unbounded entropy
        dominant = []
        for i in divergent:
            ratios = [_limit(stats[j] / stats[i], x, end, budget) for j in divergent if j != i]
            if all(r is not None and r.is_finite for r in ratios):
                dominant.append(i)
        if len(dominant) == 1:
            i = dominant[0]
            signs[i].add("negative" if lims[i] == sp.oo else "positive")
    if isinstance(support, sp.Interval):
        for end, side in ((support.inf, "left"), (support.sup, "right")):
            if end in (sp.oo, -sp.oo):
                continue
            arg = x - end if side == "left" else end - x
            for i, t in enumerate(stats):
                if _simplified(t - sp.log(arg), budget, cap=2.0) == 0:
                    shifts[i] = 1
                elif _simplified(t + sp.log(arg), budget, cap=2.0) == 0:
                    shifts[i] = -1
    forms = []
    for i in range(n):
        if len(signs[i]) > 1:
            return None  # e.g. T = x on the whole line: no decay at both ends
        k = i + 1
        if shifts[i] is not None:
            kappa = sp.Symbol(f"kappa_{k}", positive=True)
            lam = shifts[i] * (kappa - 1)
            forms.append((lam, kappa, f"lambda_{k} = {sp.sstr(lam)} with kappa_{k} > 0: "
                                      "a power of the distance to the end is integrable "
                                      "there only above -1"))
        elif signs[i] == {"negative"}:
            eta = sp.Symbol(f"eta_{k}", positive=True)
            forms.append((-eta, eta, f"lambda_{k} = -eta_{k} < 0: T_{k} dominates and grows "
                                     "without bound at an infinite end of the support"))
        elif signs[i] == {"positive"}:
            eta = sp.Symbol(f"eta_{k}", positive=True)
            forms.append((eta, eta, f"lambda_{k} = eta_{k} > 0: T_{k} dominates and falls "
                                    "without bound at an infinite end of the support"))
        else:
            lam = sp.Symbol(f"lambda_{k}", real=True)
            forms.append((lam, lam, f"lambda_{k} real"))
    return forms


# -- normalisation and solving -------------------------------------------------------------------
def _clean(expr, budget, cap=5.0):
    expr = expr.rewrite(sp.erf) if expr.has(sp.erfc) else expr
    expr = sp.powsimp(expr, force=True)
    try:
        return budget.run(sp.simplify, expr, cap=cap)
    except BudgetExceeded:
        return expr


def _simplified(expr, budget, cap=3.0):
    """``simplify(expr)`` within ``cap`` seconds of the budget, else ``expr`` unchanged."""
    try:
        return budget.run(sp.simplify, expr, cap=cap)
    except BudgetExceeded:
        return expr


def _first_piece(expr):
    if isinstance(expr, sp.Piecewise):
        for piece, cond in expr.args:
            if cond != sp.false and not piece.has(sp.Integral):
                return piece
    return expr


def _exp_term(term):
    """exp(term), with exp(c*log(u)) written as the power u**c (which sympy integrates)."""
    logs = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.log)]
    if len(logs) == 1:
        return logs[0].args[0] ** sp.cancel(term / logs[0])
    return sp.exp(term)


def _normaliser(exponent, x, support, budget):
    """Z = int_S exp(exponent) dx (or the sum over the support), None if it did not resolve."""
    integrand = sp.Mul(*[_exp_term(t) for t in sp.Add.make_args(sp.expand(exponent))])
    if isinstance(support, sp.FiniteSet):
        return sp.Add(*[integrand.subs(x, p) for p in support])
    if isinstance(support, sp.Range):
        total = sp.Sum(integrand, (x, support.inf, support.sup))
        coeff = sp.expand(exponent).coeff(x)
        if coeff != 0 and (sp.expand(exponent) - coeff * x).free_symbols.isdisjoint({x}):
            w = sp.Dummy("w", positive=True)  # exp(c x) = w**x: a geometric series
            rest = sp.exp(sp.expand(exponent) - coeff * x)
            try:
                z = budget.run(lambda: _first_piece(sp.Sum(w ** x, (x, support.inf,
                                                                   support.sup)).doit()),
                               cap=max(budget.remaining * 0.5, 1))
                if not z.has(sp.Sum):
                    return _clean(rest * z.subs(w, sp.exp(coeff)), budget)
            except BudgetExceeded:
                pass
    else:
        total = sp.Integral(integrand, (x, support.inf, support.sup))
    try:
        z = budget.run(lambda: _first_piece(total.doit()), cap=max(budget.remaining * 0.5, 1))
    except BudgetExceeded:
        return total
    if z.has(sp.Integral, sp.Sum):
        return total
    return _clean(z, budget)


def _solve(equations, unknowns, budget):
    """Solve what can be solved: (solution dict, remaining equations)."""
    equations = [e for e in equations if e != 0]
    if not equations:
        return {}, []
    try:
        sols = budget.run(sp.solve, equations, list(unknowns), dict=True,
                          cap=max(min(budget.remaining * 0.4, 15), 1))
        sols = [s for s in sols if all(u in s for u in unknowns)]
        if sols:
            return sols[0], []
    except BudgetExceeded:
        pass
    except (NotImplementedError, ValueError, TypeError):
        pass
    # elimination, one equation and one unknown at a time
    solution: dict = {}
    remaining = list(equations)
    progress = True
    while remaining and progress:
        progress = False
        for eq in list(remaining):
            for u in [u for u in unknowns if u in eq.free_symbols and u not in solution]:
                try:
                    roots = budget.run(sp.solve, eq, u, cap=max(min(budget.remaining * 0.2, 5),
                                                                0.5))
                except (BudgetExceeded, NotImplementedError, ValueError, TypeError):
                    continue
                if len(roots) != 1:
                    continue
                solution = {k: v.subs(u, roots[0]) for k, v in solution.items()}
                solution[u] = roots[0]
                remaining.remove(eq)
                remaining = [_clean(r.subs(u, roots[0]), budget, cap=2) for r in remaining]
                progress = True
                break
            if progress:
                break
    return solution, [r for r in remaining if r != 0]


def _restore(value, back):
    if not back or isinstance(value, str) or value is None:
        return value
    if isinstance(value, tuple):
        return tuple(_restore(v, back) for v in value)
    return value.xreplace(back) if isinstance(value, sp.Basic) else value


# -- the derivation ------------------------------------------------------------------------------
def max_entropy(variable, support, constraints: Mapping | None = None, *,
                timeout: float = 30) -> MaxEntropy:
    """The maximum-entropy density on ``support`` with ``E[T] = v`` for each ``T: v``.

    ``constraints`` maps statistics (expressions in ``variable``) to their expected values,
    e.g. ``{x: mu, (x - mu)**2: sigma**2}``. The support is a sympy ``Interval`` (a density)
    or a ``Range``/``FiniteSet`` (a pmf).
    """
    if not isinstance(variable, sp.Symbol):
        raise InvalidParameter(f"the variable must be a sympy Symbol, got {variable!r}")
    support = _check_support(support)
    if variable in support.free_symbols:
        raise InvalidParameter(f"the support must not depend on {variable}")
    if constraints is None:
        constraints = {}
    if not isinstance(constraints, Mapping):
        raise InvalidParameter("constraints must map statistics to values, e.g. {x: mu}")
    if not (isinstance(timeout, (int, float)) and timeout > 0):
        raise InvalidParameter(f"timeout must be a positive number of seconds, got {timeout}")
    with derivation_budget(timeout) as budget:
        return _max_entropy(variable, support, constraints, budget)


def _max_entropy(variable, support, constraints: Mapping, budget: Budget) -> MaxEntropy:
    x = _real_variable(variable, support)
    pairs = []
    for stat, value in constraints.items():
        stat = _check_statistic(stat, variable)
        value = _check_value(value, stat, variable)
        pairs.append((stat, value))
    # statistics and their values are real: give symbols of unknown sign real assumptions
    loose = set().union(*[s.free_symbols | v.free_symbols for s, v in pairs]) - {variable}
    real_of = {s: sp.Symbol(s.name, real=True) for s in loose
               if isinstance(s, sp.Symbol) and s.is_real is None}
    back = {r: s for s, r in real_of.items()}
    pairs = [(s.xreplace(real_of), v.xreplace(real_of)) for s, v in pairs]
    stats_user = [s for s, _ in pairs]
    if len(set(stats_user)) != len(stats_user):
        raise InvalidParameter("a statistic is constrained twice")
    stats = [s.subs(variable, x) for s, _ in pairs]
    values = [v for _, v in pairs]
    discrete = not isinstance(support, sp.Interval)
    conditions = sp.And(*[_feasibility(t, v, x, support, budget, shown)
                          for t, v, shown in zip(stats, values, stats_user)])
    conditions = sp.And(conditions, joint_feasibility(list(zip(stats, values, stats_user)), x,
                                                      support, _hull(support), budget))
    if isinstance(support, sp.Interval) and (support.sup - support.inf).is_finite:
        conditions = sp.And(conditions, support.sup > support.inf)

    p = sp.Function("p")
    E = sp.Function("E")
    lams = [sp.Symbol(f"lambda_{i}", real=True) for i in range(len(stats) + 1)]
    big = sp.Sum if discrete else sp.Integral
    steps = [Step("problem", sp.Tuple(*[sp.Eq(E(s), v) for s, v in pairs]),
                  f"maximise the {'Shannon' if discrete else 'differential'} entropy "
                  f"h(p) = -E_p[log p({variable})] over {'pmfs' if discrete else 'densities'} "
                  f"p on {support} subject to these constraints")]
    pv = p(variable)
    lagrangian = (-big(pv * sp.log(pv), (variable, support.inf, support.sup))
                  + lams[0] * (big(pv, (variable, support.inf, support.sup)) - 1)
                  + sum(lam * (big(pv * s, (variable, support.inf, support.sup)) - v)
                        for lam, (s, v) in zip(lams[1:], pairs)))
    steps.append(Step("Lagrangian", lagrangian, "one multiplier per constraint, lambda_0 for "
                                                "normalisation"))
    stationary = sp.exp(lams[0] + sum(lam * s for lam, s in zip(lams[1:], stats_user)))
    steps.append(Step("stationarity", sp.Eq(pv, stationary),
                      "dL/dp(x) = -log p(x) - 1 + lambda_0 + sum_i lambda_i T_i(x) = 0; "
                      "the -1 is absorbed into lambda_0"))

    def finish(**kw) -> MaxEntropy:
        free = set().union(*[v.free_symbols for v in values], support.free_symbols)
        result = kw["result"]
        extra = sorted(result.free_symbols - free, key=lambda s: s.name)
        params = tuple(sorted(free, key=lambda s: s.name)) + tuple(extra)
        kw = {k: _restore(v, back) for k, v in kw.items()}
        return MaxEntropy(name=f"max_entropy({variable} in {support})", quantity="max_entropy",
                          conditions=_restore(_simplified(conditions, budget), back),
                          steps=tuple(steps),
                          parameters=tuple(back.get(s, s) for s in params), variable=variable,
                          support=support, constraints=_restore(tuple(pairs), back), **kw)

    forms = _multiplier_forms(stats, x, support, budget) if not discrete or \
        support.sup == sp.oo or support.inf == -sp.oo else \
        [(sp.Symbol(f"lambda_{i + 1}", real=True), sp.Symbol(f"lambda_{i + 1}", real=True),
          f"lambda_{i + 1} real") for i in range(len(stats))]
    if forms is None:
        steps.append(Step("unbounded", sp.oo,
                          f"exp(lambda_0 + sum lambda_i T_i) is not summable/integrable on "
                          f"{support} for any multipliers: spreading mass further and further "
                          f"out meets the constraints with entropy growing without bound"))
        return finish(result=sp.oo, status="infinite")
    for (lam, _, note), k in zip(forms, range(1, len(forms) + 1)):
        if lam != sp.Symbol(f"lambda_{k}", real=True):
            steps.append(Step("integrability", sp.Eq(lams[k], lam), note))
    exponent = sum(lam * t for (lam, _, _), t in zip(forms, stats))
    z = _normaliser(exponent, x, support, budget)
    zname = sp.Symbol("Z")
    steps.append(Step("normalisation", sp.Eq(zname, z.subs(x, variable)),
                      "lambda_0 = -log Z, Z = " + ("sum" if discrete else "integral")
                      + " of exp(sum_i lambda_i T_i) over the support"))
    unknowns = [u for _, u, _ in forms]
    logz = sp.expand_log(sp.log(z), force=True)
    equations = []
    for (lam, u, _), t, v in zip(forms, stats, values):
        if z.has(sp.Integral, sp.Sum):  # E[T] as the unevaluated ratio of integrals
            integral = z.func(z.function * t, *z.limits)
            equations.append(integral / z - v)
        else:
            d = sp.diff(logz, u) / sp.diff(lam, u)
            equations.append(_clean(d, budget, cap=3) - v)
    if equations:
        steps.append(Step("moment equations", sp.Tuple(*[sp.Eq(e + v, v)
                                                         for e, v in zip(equations, values)]),
                          "E[T_i] = d log Z / d lambda_i = v_i"))
    if z.has(sp.Integral, sp.Sum):
        solution, remaining = {}, equations
    else:
        solution, remaining = _solve(equations, unknowns, budget)
    lam_values = [lam.subs(solution) for lam, _, _ in forms]
    if solution:
        steps.append(Step("multipliers", sp.Tuple(*[sp.Eq(lams[k + 1], lv)
                                                    for k, lv in enumerate(lam_values)]),
                          "solved from the moment equations" if not remaining else
                          "the moment equations solved as far as they go"))
    if remaining:
        steps.append(Step("unsolved multipliers", sp.Tuple(*[sp.Eq(r, 0) for r in remaining]),
                          "these equations have no closed-form solution; the multipliers "
                          "are defined implicitly by them"))
    z_star = z.subs(solution)
    density = _clean(sp.exp(sum(lv * t for lv, t in zip(lam_values, stats))) / z_star, budget)
    density = density.subs(x, variable)
    steps.append(Step("maximiser", sp.Eq(sp.Function("p^*")(variable), density),
                      "p*(x) = exp(sum_i lambda_i T_i(x)) / Z"))
    steps.append(Step("Gibbs inequality",
                      sp.Le(0, sp.Symbol("h(p*)") - sp.Symbol("h(q)")),
                      "for any q on the support with E_q[T_i] = v_i: 0 <= KL(q || p*) = "
                      "-h(q) - E_q[log p*] = -h(q) - lambda_0 - sum_i lambda_i v_i "
                      "= h(p*) - h(q), with equality iff q = p*"))
    entropy = sp.log(z_star) - sum(lv * v for lv, v in zip(lam_values, values))
    entropy = _clean(sp.expand_log(entropy, force=False), budget)
    steps.append(Step("maximum entropy", sp.Eq(sp.Symbol("h(p*)"), entropy),
                      "h(p*) = -E[log p*] = log Z - sum_i lambda_i v_i"))
    status = "no_closed_form" if remaining or z.has(sp.Integral, sp.Sum) else "closed_form"
    multipliers = tuple((lams[k + 1], lv) for k, lv in enumerate(lam_values))
    return finish(result=entropy, status=status, density=density, multipliers=multipliers,
                  equations=tuple(sp.Eq(r, 0) for r in remaining))
