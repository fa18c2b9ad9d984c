r"""The power integral behind Rényi, Tsallis, Bhattacharyya, Hellinger and χ².

.. math::
    I = \int \prod_i p_i(x)^{w_i}\,dx = \int e^{\sum_i w_i \log p_i(x)}\,dx

(a sum for pmfs): :math:`\int p^\alpha q^{1-\alpha}` for the Rényi divergence,
:math:`\int p^\alpha` for the Rényi entropy, :math:`\int \sqrt{pq}` (Bhattacharyya) and
:math:`\int p^2/q` (χ²).  Three ways, in order:

* a finite support: the sum over its points;
* the ratio of normalisers: when :math:`\sum_i w_i \log p_i(x) = \log f(x; \theta^*) + c` for a
  member :math:`f(\cdot; \theta^*)` of one of the families involved (matching the coefficients
  of every statistic of :math:`x`; parameters the members share stay fixed), the integrand is
  :math:`e^c` times a density, so :math:`I = e^c` wherever :math:`\theta^*` is an admissible
  parameter (the family's constraints at :math:`\theta^*`); elsewhere the integral diverges;
* direct integration (summation) of the integrand.

Every closed form is compared with numerical integration at a random valid point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..budget import Budget
from ..errors import BudgetExceeded, InvalidParameter
from ..expectation import numeric_expectation, region_expectation
from ..families.region import Region
from ..families.spec import Family, known_size, sample_members
from ..integration import integrate_split
from ..measure import Measure, acceptable, linear_terms
from ..multiple import integrate_region
from .derivation import Step, StepKind

NORMALISER_CAP = 10.0  # CPU seconds for matching the coefficients and solving for θ*
DIRECT_CAP = 20.0  # CPU seconds for the direct integral
CHECK_CAP = 10.0  # CPU seconds for the numerical check
TOLERANCE = 1e-6


@dataclass(frozen=True)
class PowerIntegral:
    """The outcome: ``value`` (closed, or the unevaluated integral), its logarithm where the
    normalisers gave it directly, the ``condition`` under which it is finite, the steps."""

    value: sp.Expr
    log_value: sp.Expr
    condition: sp.Basic
    steps: tuple[Step, ...]
    status: str  # closed_form, no_closed_form or timed_out
    definition: sp.Expr

    @property
    def closed(self) -> bool:
        return self.status == "closed_form"


def power_integral(members: Sequence[Family], weights: Sequence[sp.Expr], x,
                   budget: Budget, order: dict | None = None,
                   support: sp.Set | None = None) -> PowerIntegral:
    r""":math:`\int \prod_i p_i^{w_i}` over ``support`` (by default the first member's).

    ``order`` maps the order symbols in ``weights`` (α) to samplers ``rng -> value`` for the
    numerical check; the order's own conditions are the caller's.
    """
    members, weights = tuple(members), tuple(sp.sympify(w) for w in weights)
    first = members[0]
    log_integrand = sp.Add(*[w * sp.log(m.density_at(x)) for m, w in zip(members, weights)])
    integrand = sp.Mul(*[m.density_at(x) ** w for m, w in zip(members, weights)])
    support = first.support_at(x) if support is None else support
    definition = _operator(integrand, x, support, first.discrete)
    steps = [Step(StepKind.POWER_INTEGRAL, definition,
                  "the integral of " + " · ".join(f"p_{i + 1}^({w})" for i, w in
                                                  enumerate(weights)))]
    timed_out = False
    attempts = []
    if _finite(first) and support == first.support:
        attempts.append(("finite sum", lambda: _finite_sum(members, weights, x)))
    attempts.append(("ratio of normalisers",
                     lambda: _normalisers(members, weights, x, log_integrand, order,
                                          support)))
    attempts.append(("direct integration",
                     lambda: _direct(log_integrand, x, support, first)))
    for how, attempt in attempts:
        cap = NORMALISER_CAP if how == "ratio of normalisers" else DIRECT_CAP
        try:
            found = budget.run(attempt, cap=cap)
        except BudgetExceeded:
            timed_out = True
            continue
        except (NotImplementedError, ValueError, TypeError, ZeroDivisionError,
                RecursionError, AttributeError, sp.PolynomialError):
            continue
        if found is None:
            continue
        value, log_value, condition, more = found
        result = PowerIntegral(value, log_value, condition, tuple(steps + more),
                               "closed_form", definition)
        if how == "finite sum":
            return result  # exact: nothing to check numerically
        checked = _checked(result, members, weights, x, budget, order, support)
        if checked is not None:  # None: numerical integration disagrees, try the next way
            return checked
    status = "timed_out" if timed_out else "no_closed_form"
    kind = StepKind.TIME_BUDGET if timed_out else StepKind.NO_CLOSED_FORM
    steps.append(Step(kind, definition, "ran out of its CPU budget" if timed_out else
                      "no rule gave a closed form"))
    return PowerIntegral(definition, sp.log(definition), sp.true, tuple(steps), status,
                         definition)


def _operator(body, x, support, discrete: bool) -> sp.Expr:
    if isinstance(support, Region):
        return support.operator(body)
    op = sp.Sum if discrete else sp.Integral
    return op(body, (x, support.inf, support.sup))


def _finite(member: Family) -> bool:
    s = member.support
    return (member.discrete and not member.multivariate and known_size(s) is not None
            and known_size(s) <= 64)


def _finite_sum(members, weights, x):
    terms = []
    for k in members[0].support:
        values = [m.density_at(x).xreplace({x: k}) for m in members]
        if values[0] == 0:
            continue
        terms.append(sp.Mul(*[v ** w for v, w in zip(values, weights)]))
    total = sp.Add(*terms)
    step = Step(StepKind.FINITE_SUM, total, "sum over the support")
    return total, sp.log(total), sp.true, [step]


# -- the ratio of normalisers ----------------------------------------------------------------
def statistics(log_density: sp.Expr, x) -> dict[sp.Expr, sp.Expr]:
    """statistic -> coefficient of a log-density, with e^{a + g(x)} split into e^a e^{g(x)} so
    that the statistics of two members of a location family coincide (1 is the constant)."""
    xs = x if isinstance(x, tuple) else (x,)

    def split(e: sp.exp) -> sp.Expr:
        free, bound = sp.expand(e.args[0]).as_independent(*xs, as_Add=True)
        return sp.exp(free) * sp.exp(bound) if free != 0 and bound != 0 else e

    log_density = log_density.replace(lambda e: isinstance(e, sp.exp) and e.has(*xs), split)
    return {s: c for c, s in linear_terms(log_density, x)}


def _normalisers(members, weights, x, log_integrand, order, support):
    target = statistics(log_integrand, x)
    for spec in dict.fromkeys(m.spec for m in members):
        found = _match(spec, members, target, x, order, support)
        if found is not None:
            return found
    return None


def _match(spec, members, target, x, order, over):
    """θ* with log f(x; θ*) matching ``target`` up to a constant, and the value e^c."""
    same = [m for m in members if m.spec == spec]
    fresh, values = [], []
    for param, *given in zip(spec.params, *(m.values for m in same)):
        if len(members) > 1 and len(same) == len(members) and all(g == given[0]
                                                                   for g in given):
            values.append(given[0])  # shared by every member: stays fixed
        else:
            d = sp.Dummy(param.name, **param.constraint.assumption_dict)
            fresh.append((d, param))
            values.append(d)
    star = Family(spec, tuple(values))
    support = star.support_at(x)
    if any(support.has(d) for d, _ in fresh) or support != over:
        return None  # a parameter that moves the support: not an exponential family in it
    own = statistics(sp.log(star.density_at(x)), x)
    if set(target) - set(own) - {sp.S.One}:
        return None
    equations = [sp.expand(own.get(s, 0) - target.get(s, 0))
                 for s in set(own) | set(target) if s != 1]
    equations = [e for e in equations if e != 0]
    unknowns = [d for d, _ in fresh]
    if any(param.constraint.assumption_dict.get("integer") for _, param in fresh):
        return None  # a count is not a natural parameter
    if not unknowns:  # the members coincide: the integrand is the density itself, times e^c
        solutions = [{}] if not equations else []
    else:
        solutions = sp.solve(equations, unknowns, dict=True) if equations else []
    solutions = [s for s in solutions
                 if set(s) == set(unknowns) and not any(v.has(*unknowns) for v in s.values())]
    for solution in _admissible_branch(solutions, fresh, members, order):
        log_value = target.get(sp.S.One, 0) - own.get(sp.S.One, 0).xreplace(solution)
        condition = sp.And(*[admissible(solution[d], param) for d, param in fresh],
                           *[r.xreplace(solution) for r in star.relations()])
        shown = sp.Tuple(*[sp.Eq(sp.Symbol(f"{param.name}^*"), solution[d])
                           for d, param in fresh]) if fresh else sp.Tuple(*values)
        log_value = sp.expand_log(real_form(log_value, condition), force=False)
        value = real_form(powers(sp.exp(log_value)), condition)
        note = (f"the integrand is e^c times the {spec.name} density at the parameters "
                f"{', '.join(p.name + '^*' for _, p in fresh)} that match the coefficient of "
                "every statistic; I = e^c where they are admissible, +oo elsewhere")
        steps = [Step(StepKind.NORMALISERS, shown, note)]
        return value, log_value, condition, steps
    return None


def powers(e: sp.Expr) -> sp.Expr:
    """exp(c log y + r) -> y**c exp(r): the powers a solution writes through exp and log."""
    def rewrite(t: sp.exp) -> sp.Expr:
        out, rest = sp.S.One, []
        for term in sp.Add.make_args(expand_outside(t.args[0], tuple(t.free_symbols))):
            coeff, body = term.as_independent(sp.log, as_Add=False)
            if isinstance(body, sp.log):
                out *= body.args[0] ** coeff
            else:
                rest.append(term)
        return out * sp.exp(sp.Add(*rest))
    return e.replace(lambda t: isinstance(t, sp.exp) and t.args[0].has(sp.log), rewrite)


def real_form(e: sp.Expr, condition: sp.Basic) -> sp.Expr:
    """√B written i√(−B) where ``condition`` makes B negative, so a value that is real where
    it is finite reads real: i·√(σ₁² − 2σ₂²) becomes −√(2σ₂² − σ₁²) under 2σ₂² − σ₁² > 0."""
    positives = []
    for r in condition.atoms(sp.core.relational.Relational):
        if isinstance(r, sp.StrictGreaterThan):
            positives.append(sp.expand(r.lhs - r.rhs))
        elif isinstance(r, sp.StrictLessThan):
            positives.append(sp.expand(r.rhs - r.lhs))

    def negative(base: sp.Expr) -> bool:
        return any(sp.expand(-base) == p or sp.expand(-1 / base) == p
                   for p in positives)

    fixed = e.replace(
        lambda t: isinstance(t, sp.Pow) and t.exp.is_Rational and t.exp.q == 2
        and negative(t.base),
        lambda t: (-t.base) ** t.exp * sp.I ** (2 * t.exp))
    return sp.expand(fixed) if fixed.has(sp.I) and not sp.expand(fixed).has(sp.I) else fixed


def _admissible_branch(solutions: list[dict], fresh, members, order) -> list[dict]:
    """The branch of the solutions (σ* = +√… rather than −√…) that is admissible at random
    parameter points, the order inside (0, 1) (where every mixture is admissible, the natural
    parameter space being convex); all of them when no point decides."""
    if len(solutions) <= 1:
        return solutions
    rng = np.random.default_rng(11)
    for _ in range(20):
        try:
            point = sample_members(members, rng)
        except InvalidParameter:
            return solutions
        for symbol in order or {}:
            point[symbol] = 0.37
        valid = [s for s in solutions if _valid_at(s, fresh, point)]
        if valid:
            return valid
    return solutions


def _valid_at(solution, fresh, point) -> bool:
    exact = {k: sp.nsimplify(v) if isinstance(v, float) else v for k, v in point.items()}
    for d, param in fresh:
        v = sp.N(solution[d].xreplace(exact))
        if not v.is_number or abs(sp.im(v)) > 1e-12:
            return False
        if param.constraint.holds(sp.re(v)) is False:
            return False
    return True


def admissible(value: sp.Expr, param) -> sp.Basic:
    """The condition for ``value`` to satisfy ``param``'s constraint (``>0``, ``0<p<1``)."""
    name = param.constraint.description
    if name == "positive":
        return positive_where(value)
    if name == "nonnegative":
        return sp.Or(positive_where(value), sp.Eq(value, 0))
    if name == "negative":
        return positive_where(-value)
    if name.startswith("in the open interval"):
        return sp.And(positive_where(value), positive_where(1 - value))
    if name.startswith("in the closed interval"):
        return sp.And(value >= 0, value <= 1)
    return sp.true  # real: every real solution is admissible


def positive_where(e: sp.Expr) -> sp.Basic:
    """The condition for e > 0, reading signs through products and powers:
    σ₁σ₂(1/Y)^{1/2} > 0  ⟺  Y > 0."""
    e = sp.factor_terms(e)
    sign, undecided, conditions = 1, [], []
    for f in sp.Mul.make_args(e):
        if f.is_positive:
            continue
        if f.is_negative:
            sign = -sign
            continue
        if isinstance(f, sp.Pow) and f.exp.is_Rational and f.exp.q % 2 == 1 and \
                f.exp.p % 2 != 0:
            undecided.append(f.base)  # an odd power has the sign of its base
        elif isinstance(f, sp.Pow) and f.exp.is_Rational and f.exp.q % 2 == 1:
            conditions.append(sp.Ne(f.base, 0))  # an even power: positive unless zero
        elif isinstance(f, sp.Pow) and not f.exp.is_integer:
            conditions.append(positive_where(f.base))  # a real power needs a positive base
        else:
            undecided.append(f)
    if not undecided:
        last = sp.true if sign > 0 else sp.false
    else:
        last = sp.Gt(sign * sp.Mul(*undecided), 0)
    return sp.And(*conditions, last)


# -- direct integration ------------------------------------------------------------------------
def _direct(log_integrand, x, support, first: Family):
    """e^c ∫ e^{k(x)} with log-integrand c + k(x) expanded (the form sympy integrates best),
    finite where the tails decay: :func:`tail_condition` at each infinite end."""
    expanded = expand_outside(sp.expand_log(log_integrand, force=True),
                              x if isinstance(x, tuple) else (x,))
    if isinstance(support, Region):
        value = integrate_region(sp.exp(expanded), support)
        condition = sp.true
    else:
        lo, hi = support.inf, support.sup
        if lo.is_nonnegative and not x.is_nonnegative and not first.discrete:
            positive = sp.Dummy("x", positive=True)  # sympy integrates better knowing x > 0
            expanded = expanded.xreplace({x: positive})
            x = positive
        constant, kernel = expanded.as_independent(x, as_Add=True)
        if first.discrete:
            value = sp.summation(sp.exp(kernel), (x, lo, hi))
            value = value.replace(lambda e: isinstance(e, sp.Piecewise) and e.args[-1][0].has(
                sp.Sum), lambda e: e.args[0][0])
        else:
            ends = {e: sp.Dummy("end", positive=True) if e.is_positive else sp.Dummy("end",
                                                                                    real=True)
                    for e in (lo, hi) if isinstance(e, (sp.Max, sp.Min))}
            value = integrate_split(powers(sp.exp(kernel)), x, ends.get(lo, lo),
                                    ends.get(hi, hi))
            value = value.xreplace({d: e for e, d in ends.items()})  # Max(a, b) as one end
        value = sp.exp(constant) * generic(value)
        condition = sp.And(*[tail_condition(kernel, x, end) for end in (lo, hi)
                             if end.is_infinite])
    if not acceptable(value) or value.has(sp.Piecewise):
        return None
    step = Step(StepKind.EXPECTATION, sp.Eq(sp.Symbol("I"), value, evaluate=False),
                "integrated directly" if not first.discrete else "summed directly")
    return value, sp.log(value), condition, [step]


def expand_outside(expr: sp.Expr, xs: tuple) -> sp.Expr:
    """expr expanded, but not inside the functions of x: log((x - m)**2 + g**2) stays whole
    (sympy integrates (x**2 - 2 m x + ...)**(-a) far worse)."""
    protected = {f: sp.Dummy() for f in expr.atoms(sp.Function) if f.has(*xs)}
    return sp.expand(expr.xreplace(protected)).xreplace({v: k for k, v in protected.items()})


def generic(value: sp.Expr) -> sp.Expr:
    """A Piecewise whose first case holds off a set of measure zero (``Ne(...)``) read as that
    case: the exceptional parameters are limits of the generic ones."""
    def first_case(e: sp.Piecewise) -> sp.Expr:
        return e.args[0][0] if isinstance(e.args[0][1], sp.Ne) else e
    return value.replace(lambda e: isinstance(e, sp.Piecewise), first_case)


def tail_condition(kernel: sp.Expr, x, end: sp.Expr) -> sp.Basic:
    """Where ∫ e^{k(x)} converges at the infinite ``end``: k(x)/x → s with s < 0 at +∞
    (s > 0 at −∞); for s = 0, k(x)/log|x| → d < −1; true when neither limit is found."""
    sign = 1 if end == sp.oo else -1
    y = sp.Dummy("y", positive=True)
    along = kernel.xreplace({x: sign * y})
    slope = sp.limit(along / y, y, sp.oo)
    if slope.has(sp.Limit) or slope in (sp.nan, sp.zoo):
        return sp.true
    if slope != 0:
        return positive_where(-slope) if slope.free_symbols else sp.sympify(slope < 0)
    power = sp.limit(along / sp.log(y), y, sp.oo)
    if power.has(sp.Limit) or power in (sp.nan, sp.zoo, 0):
        return sp.true
    return sp.Lt(power, -1) if power.free_symbols else sp.sympify(power < -1)


# -- the numerical check -----------------------------------------------------------------------
def _checked(found: PowerIntegral, members, weights, x, budget: Budget,
             order, support) -> PowerIntegral | None:
    try:
        step = budget.run(_numeric_check, found, members, weights, x, order, support,
                          cap=CHECK_CAP)
    except ValueError:
        return None
    except BudgetExceeded:
        step = Step(StepKind.NO_NUMERIC_CHECK, sp.nan,
                    f"the numerical check ran out of its {CHECK_CAP:g} s CPU budget")
    return PowerIntegral(found.value, found.log_value, found.condition,
                         found.steps + (step,), found.status, found.definition)


def _numeric_check(found: PowerIntegral, members, weights, x, order, support) -> Step:
    """I at a random point where it is finite against numerical integration of E_P[g],
    g = Π p_i^{w_i} / p_1."""
    rng = np.random.default_rng(5)
    first = members[0]
    measure = Measure(first.density_at(x), x, support)
    ratio = sp.exp(sp.Add(*[w * sp.log(m.density_at(x)) for m, w in zip(members, weights)])
                   - sp.log(first.density_at(x)))
    for _ in range(20):
        try:
            point = sample_members(members, rng)
        except InvalidParameter:
            return Step(StepKind.NO_NUMERIC_CHECK, sp.nan,
                        "no valid parameter point could be drawn")
        for symbol, draw in (order or {}).items():
            point[symbol] = draw(rng)
        point = {k: sp.Float(v, 20) if isinstance(v, float) else sp.sympify(v)
                 for k, v in point.items()}
        if found.condition.xreplace(point) != sp.true:
            continue
        if not isinstance(support, Region) and not bool(
                sp.Lt(support.inf.xreplace(point), support.sup.xreplace(point))):
            continue  # supports that do not meet at this point
        claimed = sp.N(found.value.xreplace(point), 20)
        if not claimed.is_finite:
            continue
        numeric = region_expectation if first.multivariate else numeric_expectation
        reference = numeric(measure, ratio, point)
        if reference is None:
            continue
        err = abs(complex(claimed) - complex(reference)) / max(1.0, abs(complex(reference)))
        shown = ", ".join(f"{k}={float(v):.4g}" for k, v in point.items())
        if err > TOLERANCE:
            raise ValueError(f"the power integral {claimed:.10g} disagrees with numerical "
                             f"integration {complex(reference).real:.10g} at {shown}")
        return Step(StepKind.NUMERIC_CHECK, sp.Float(err, 3),
                    f"relative difference from numerical integration at {shown}")
    return Step(StepKind.NO_NUMERIC_CHECK, sp.nan,
                "numerical integration gave no value at 20 random points")
