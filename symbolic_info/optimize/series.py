r"""The entropy of a discrete family over one of its parameters, argued from the family's pmf.

The objective is :math:`c\,H(\theta)`, where :math:`H(\theta) = -\sum_x p_x(\theta)\log
p_x(\theta)` is the entropy in nats of the member :math:`P_\theta` of the derivation being
optimised and :math:`c = 1/\log b` its change of base.  The pmf, its support and its
parameters come from the family; every identity below is computed or checked by sympy under
the budget.  Where a lemma cannot be established for the family at hand, the argument stops
and the status is ``no_closed_form`` with the reason.

* *positive*: two support points :math:`x_0, x_0 + 1` with positive mass make every mass
  smaller than 1, so :math:`H > 0`.
* *monotone* (:math:`\theta` ranging over :math:`(0, \infty)`): if the generating function
  :math:`G(s; \theta) = \sum_x p_x(\theta) s^x` (summed by sympy) satisfies
  :math:`G(s; \alpha) G(s; \beta) = G(s; \alpha + \beta)`, then :math:`X + Y \sim
  P_{\alpha + \beta}` for independent :math:`X \sim P_\alpha`, :math:`Y \sim P_\beta`, and
  :math:`H(X + Y) = H(X + Y \mid Y) + I(X + Y; Y) > H(X)`, since :math:`X + Y` and :math:`Y`
  are dependent (:math:`P(X + Y = x_0, Y = x_0 + 1) = 0 < p_{x_0}(\alpha + \beta)\,
  p_{x_0 + 1}(\beta)`): :math:`H` is strictly increasing.
* *unbounded* at an end :math:`e` of the domain (infinite support): if :math:`p_x(\theta) \to 0`
  for every fixed :math:`x`, and :math:`M_n = \sup_\theta p_n(\theta) \to 0` as :math:`n \to
  \infty` (the supremum where :math:`\partial_\theta \log p_n = 0`, global since
  :math:`\log p_n` is strictly concave in :math:`\theta`), then :math:`\max_x p_x(\theta) \to 0`
  and :math:`H \ge -\log \max_x p_x(\theta) \to \infty`.
* *infimum* 0 at an end :math:`e`: with :math:`Y = X - \inf \mathrm{supp}` (or
  :math:`\sup \mathrm{supp} - X`), a variable on :math:`\{0, 1, \dots\}` with mean :math:`\mu`,
  Gibbs' inequality against the geometric law with the same mean gives
  :math:`0 < H \le (\mu + 1)\log(\mu + 1) - \mu\log\mu`, which tends to 0 when :math:`\mu \to 0`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..derive.derivation import Derivation, Step
from ..families.spec import Family
from .problem import Problem

__all__ = ["series_argument"]

H = sp.Function("H")


@dataclass(frozen=True)
class _Series:
    """The entropy series of ``family`` in the parameter ``theta``, scaled by ``scale``."""

    family: Family
    theta: sp.Symbol
    scale: sp.Expr
    lo: sp.Expr  # the ends of the support
    hi: sp.Expr

    def pmf(self, x, theta=None) -> sp.Expr:
        """:math:`p_x`, at the parameter value ``theta`` when given."""
        p = self.family.density_at(x)
        return p if theta is None else p.xreplace({self.theta: theta})

    @property
    def label(self) -> str:
        return self.family.label()


def series_argument(problem: Problem) -> tuple | str | None:
    """``(status, value, optimal points)`` for the entropy of a discrete family over one
    parameter, the steps appended; a reason (str) when the argument applies but a lemma is
    not established; None when the objective is not such an entropy."""
    series = _entropy_series(problem)
    if series is None:
        return None
    theta = series.theta
    x = sp.Dummy("x", integer=True)
    problem.steps.append(Step(
        "entropy series",
        sp.Tuple(sp.Eq(problem.f, series.scale * H(theta)),
                 sp.Eq(H(theta), sp.Sum(-series.pmf(x) * sp.log(series.pmf(x)),
                                        (x, series.lo, series.hi)))),
        f"the objective is the entropy of P = {series.label} (the derivation optimised)"
        + (f", times {sp.sstr(series.scale)} > 0 (logarithms in another base)"
           if series.scale != 1 else "") + "; p_x is the family's pmf"))
    if not _positive(problem, series):
        return (f"two points of the support of {series.label} with positive mass were not "
                f"shown, so H > 0 is not established")
    monotone = _derivative(problem, series)
    if monotone is None and problem.domains[theta] == sp.Interval.open(0, sp.oo):
        monotone = _convolution(problem, series)
    want_sup = problem.sense == "max"
    if want_sup:
        return _unbounded(problem, series, monotone)
    return _infimum(problem, series)


def _entropy_series(problem: Problem) -> _Series | None:
    d = problem.source
    if not isinstance(d, Derivation) or d.quantity != "entropy" or d.q is not None:
        return None
    family = d.p
    if family is None or not family.discrete or len(problem.over) != 1:
        return None
    if problem.equalities or problem.changes or not problem.f.has(sp.Sum):
        return None
    (theta,) = problem.over
    support = family.support
    if not isinstance(support, sp.Range) or theta in support.free_symbols:
        return None
    if not family.density.has(theta) or support.inf.is_nonnegative is not True:
        return None
    scale = sp.S.One if d.base is None else 1 / sp.log(d.base)
    if scale.is_positive is not True:
        return None
    return _Series(family, theta, scale, support.inf, support.sup)


def _positive(problem: Problem, series: _Series) -> bool:
    """H > 0: two support points with positive mass."""
    x0 = series.lo
    if series.hi != sp.oo and (series.hi - x0 - 1).is_nonnegative is not True:
        return False
    m0, m1 = series.pmf(x0), series.pmf(x0 + 1)
    if problem.sign(m0) != 1 or problem.sign(m1) != 1:
        return False
    problem.steps.append(Step(
        "positive", sp.StrictGreaterThan(H(series.theta), 0),
        f"p_{x0} = {sp.sstr(m0)} > 0 and p_{x0 + 1} = {sp.sstr(m1)} > 0 (signs decided by "
        f"sympy), so every mass is below 1: each term -p_x log p_x is >= 0 and these two are "
        f"> 0"))
    return True


def _derivative(problem: Problem, series: _Series) -> int | None:
    """dH/dtheta, termwise; its sign (+1/-1) when sympy decides it on the whole domain."""
    theta = series.theta
    dh = sp.diff(problem.f, theta) / series.scale
    sign = None
    if not dh.has(sp.Sum):
        sign = problem.sign(dh)
    else:
        form = dh.xreplace(problem.positive_form())
        sign = 1 if form.is_positive else -1 if form.is_negative else None
    if sign == 1:
        word = "positive: H is strictly increasing"
    elif sign == -1:
        word = "negative: H is strictly decreasing"
    else:
        word = "not decided by sympy (a series)"
    problem.steps.append(Step("derivative", sp.Eq(sp.Derivative(H(theta), theta), dh),
                              f"termwise; its sign on the domain is {word}"))
    return sign if sign in (1, -1) else None


def _convolution(problem: Problem, series: _Series) -> int | None:
    """+1 when the family is closed under convolution in theta (H strictly increasing)."""
    theta = series.theta
    s = sp.Dummy("s", positive=True)
    k = sp.Dummy("k", integer=True, nonnegative=True)
    a, b = sp.Dummy("alpha", positive=True), sp.Dummy("beta", positive=True)
    problem.domains[s] = sp.Interval.open(0, 1)  # for the convergence conditions of the sum
    try:
        pgf = problem.attempt(sp.summation, series.pmf(k) * s**k, (k, series.lo, series.hi))
        pgf = None if pgf is None else problem.resolved(pgf)
    finally:
        del problem.domains[s]
    if pgf is None or pgf.has(sp.Sum):
        problem.steps.append(Step("generating function", sp.Sum(series.pmf(k) * s**k,
                                                                (k, series.lo, series.hi)),
                                  "not summed in closed form by sympy: monotonicity by "
                                  "convolution is not available"))
        return None
    pgf = problem.simplified(pgf)
    problem.steps.append(Step("generating function",
                              sp.Eq(sp.Sum(series.pmf(k) * s**k, (k, series.lo, series.hi)),
                                    pgf),
                              f"E[s^X] for X ~ {series.label}, 0 < s < 1, summed by sympy"))
    product = pgf.subs(theta, a) * pgf.subs(theta, b)
    if not problem.is_zero(product - pgf.subs(theta, a + b)):
        problem.steps.append(Step("convolution", sp.Eq(product, pgf.subs(theta, a + b)),
                                  f"not shown by sympy: the family is not shown closed under "
                                  f"convolution in {theta}"))
        return None
    x0 = series.lo
    witness = problem.simplified(series.pmf(x0, a + b) * series.pmf(x0 + 1, b))
    if witness.is_positive is not True and problem.sign(witness) != 1:
        return None
    label = f"P({theta}=alpha)"
    problem.steps.append(Step(
        "convolution", sp.Eq(product, pgf.subs(theta, a + b)),
        f"checked by sympy: for independent X ~ {label}, Y ~ P({theta}=beta) the generating "
        f"function of X + Y is the product, that of P({theta}=alpha + beta); a generating "
        f"function on (0, 1) determines the distribution, so X + Y ~ P({theta}=alpha + beta)"))
    problem.steps.append(Step(
        "conditioning", sp.StrictGreaterThan(H(a + b), H(a)),
        f"H(X + Y) = H(X + Y | Y) + I(X + Y; Y) and H(X + Y | Y) = H(X | Y) = H(X) (given Y, "
        f"X + Y is X shifted, and X is independent of Y); I(X + Y; Y) > 0 because X + Y and "
        f"Y are dependent: P(X + Y = {x0}, Y = {x0 + 1}) = 0 as X >= {x0} >= 0, but "
        f"P(X + Y = {x0}) P(Y = {x0 + 1}) = {sp.sstr(witness)} > 0"))
    problem.steps.append(Step(
        "monotone", H(theta),
        f"H is strictly increasing on (0, oo): for {theta}' > {theta} take alpha = {theta}, "
        f"beta = {theta}' - {theta}"))
    return 1


# -- the supremum: H -> oo at an end --------------------------------------------------------------
def _unbounded(problem: Problem, series: _Series, monotone: int | None) -> tuple | str:
    theta = series.theta
    dom = problem.domains[theta]
    if series.hi != sp.oo:
        why = (f"the support of {series.label} is finite, so H is bounded by the log of its "
               f"size; the maximum is not found: the stationarity equation is a series sympy "
               f"does not solve")
        return why + _monotone_note(theta, dom, monotone)
    largest = _largest_mass(problem, series)
    if isinstance(largest, str):
        return largest + _monotone_note(theta, dom, monotone)
    ends = [e for e in (dom.inf, dom.sup) if _vanishes_pointwise(problem, series, e)]
    if not ends:
        return (f"p_x({theta}) is not shown to tend to 0 for every fixed x at an end of "
                f"{dom}" + _monotone_note(theta, dom, monotone))
    m = sp.Function("m")
    where = " or ".join(f"{theta} -> {sp.sstr(e)}" for e in ends)
    problem.steps.append(Step(
        "lower bound", sp.GreaterThan(H(theta), -sp.log(m(theta))),
        f"m({theta}) = max_x p_x({theta}) and H = E[-log p_X] >= -log m({theta}); given "
        f"eps > 0, p_n <= M(n) < eps for n >= some N, and p_x < eps for the finitely many x < N "
        f"as {where}: m({theta}) -> 0"))
    problem.steps.append(Step(
        "unbounded", sp.oo,
        f"H >= -log m({theta}) -> oo as {where}: the supremum oo is approached and not "
        f"attained"))
    return "unbounded", sp.oo, [{theta: e} for e in ends]


def _monotone_note(theta, dom, monotone: int | None) -> str:
    if monotone is None:
        return ""
    end = dom.sup if monotone > 0 else dom.inf
    return (f" (H is strictly {'increasing' if monotone > 0 else 'decreasing'}, so its "
            f"supremum is its limit as {theta} -> {end}, which was not found)")


def _largest_mass(problem: Problem, series: _Series) -> sp.Expr | str:
    """M(n) = sup over theta of p_n(theta) with its steps, and M(n) -> 0; else a reason."""
    theta = series.theta
    n = sp.Dummy("n", integer=True, positive=True)
    pn = series.pmf(n)
    logp = sp.expand_log(sp.log(pn), force=True)  # every factor of a pmf is positive
    score = sp.diff(logp, theta)
    if not problem.is_zero(score - sp.diff(pn, theta) / pn):
        return f"d/d{theta} log p_n was not computed"
    curvature = problem.simplified(sp.diff(logp, theta, 2))
    if problem.sign(curvature) != -1:
        return (f"log p_n is not shown strictly concave in {theta} (d2/d{theta}2 log p_n = "
                f"{sp.sstr(curvature)}), so sup over {theta} of p_n was not found")
    sols = problem.attempt(sp.solve, score, theta)
    inside = [v for v in (sols or []) if problem.inside(theta, v) is True]
    if len(inside) != 1:
        return (f"d/d{theta} log p_n = {sp.sstr(score)} = 0 was not solved inside the domain, "
                f"so sup over {theta} of p_n was not found")
    best = inside[0]
    big = problem.simplified(pn.subs(theta, best))
    M = sp.Function("M")
    problem.steps.append(Step(
        "largest mass", sp.Eq(M(n), big),
        f"M(n) = sup over {theta} of p_n for n >= 1: d/d{theta} log p_n = {sp.sstr(score)} "
        f"vanishes at {theta} = {sp.sstr(best)} and d2/d{theta}2 log p_n = "
        f"{sp.sstr(curvature)} < 0 on the domain (decided by sympy), so this is the global "
        f"maximum"))
    log_big = sp.expand_log(sp.log(big.rewrite(sp.gamma)), force=True)
    limit = problem.attempt(sp.limit, log_big, n, sp.oo, cap=8.0)
    if limit != -sp.oo:
        return f"M(n) = {sp.sstr(big)} is not shown to tend to 0 as n -> oo"
    problem.steps.append(Step("limit", sp.Eq(sp.Limit(log_big, n, sp.oo), -sp.oo),
                              "computed by sympy: M(n) -> 0 as n -> oo"))
    return big


def _vanishes_pointwise(problem: Problem, series: _Series, end) -> bool:
    """p_x(theta) -> 0 as theta -> end, for every fixed x in the support (x0 separately)."""
    theta, x0 = series.theta, series.lo
    x = sp.Dummy("x", integer=True, nonnegative=True)
    general = problem.limit(series.pmf(x0 + x), theta, end)
    if general != 0 or problem.limit(series.pmf(x0), theta, end) != 0:
        return False
    problem.steps.append(Step(
        "pointwise limit", sp.Eq(problem.limit_expr(series.pmf(x0 + x), theta, end), 0),
        "for every integer x >= 0 (and at x = 0 separately), computed by sympy"))
    return True


# -- the infimum: H -> 0 at an end ---------------------------------------------------------------
def _infimum(problem: Problem, series: _Series) -> tuple | str:
    theta = series.theta
    dom = problem.domains[theta]
    mean = _mean(problem, series)
    if mean is None:
        return f"the mean of {series.label} was not found"
    bound = _geometric_bound(problem)
    if bound is None:
        return "the geometric entropy bound was not checked by sympy"
    mu, b = bound
    x_ = sp.Symbol("X")
    shifts = [(x_ - series.lo, mean - series.lo)]
    if series.hi != sp.oo:
        shifts.append((series.hi - x_, series.hi - mean))
    ends = []
    for end in (dom.inf, dom.sup):
        for y, mean_y in shifts:
            if problem.limit(mean_y, theta, end) != 0:
                continue
            at = b.subs(mu, mean_y)
            if problem.limit(at, theta, end) != 0:
                continue
            problem.steps.append(Step(
                "entropy bound", sp.And(sp.StrictLessThan(0, H(theta)),
                                        sp.LessThan(H(theta), at)),
                f"Y = {y} takes values 0, 1, ... with mean E[Y] = {sp.sstr(mean_y)} and "
                f"H(Y) = H; Gibbs' inequality against the geometric law with mean mu gives "
                f"H <= {sp.sstr(b)}"))
            problem.steps.append(Step("limit", sp.Eq(problem.limit_expr(at, theta, end), 0),
                                      f"E[Y] -> 0 as {theta} -> {end}, and so the bound"))
            ends.append(end)
            break
    if not ends:
        return f"H is not shown to tend to 0 at an end of {dom}"
    kind = "infimum"
    where = " or ".join(f"{theta} -> {sp.sstr(e)}" for e in ends)
    problem.steps.append(Step(kind, sp.S.Zero,
                              f"H > 0 everywhere and H -> 0 as {where}: the infimum 0 is "
                              f"approached and not attained"))
    return kind, sp.S.Zero, [{theta: e} for e in ends]


def _mean(problem: Problem, series: _Series) -> sp.Expr | None:
    """E[X]: from the derivation's own expectation step, else summed by sympy."""
    E = sp.Function("E")
    d = problem.source
    for step in d.steps:
        e = step.expr
        if (step.rule == "expectation" and isinstance(e, sp.Equality)
                and isinstance(e.lhs, sp.Function) and e.lhs.func == E
                and len(e.lhs.args) == 1 and e.lhs.args[0].is_Symbol
                and e.lhs.args[0] not in series.family.parameters
                and not e.rhs.has(sp.Sum, sp.Piecewise)):
            problem.steps.append(Step("mean", sp.Eq(E(sp.Symbol("X")), e.rhs),
                                      f"from the derivation: {step.note}"))
            return e.rhs
    x = sp.Dummy("x", integer=True)
    total = problem.attempt(sp.summation, x * series.pmf(x), (x, series.lo, series.hi))
    total = None if total is None else problem.resolved(total)
    if total is None or total.has(sp.Sum):
        return None
    total = problem.simplified(total)
    problem.steps.append(Step("mean", sp.Eq(E(sp.Symbol("X")), total), "summed by sympy"))
    return total


def _geometric_bound(problem: Problem) -> tuple[sp.Symbol, sp.Expr] | None:
    """``(mu, B(mu))``: the cross-entropy of a law on {0, 1, ...} with mean mu against the
    geometric law with mean mu, which bounds its entropy (Gibbs); checked by sympy."""
    mu = sp.Dummy("mu", positive=True)
    y = sp.Dummy("y", integer=True, nonnegative=True)
    rho = mu / (1 + mu)
    total = problem.attempt(sp.summation, (1 - rho) * rho**y, (y, 0, sp.oo))
    total = None if total is None else problem.resolved(total)
    if total is None or not problem.is_zero(total - 1):
        return None
    cross = -sp.log(1 - rho) - mu * sp.log(rho)  # -E[log((1 - rho) rho^Y)], E[Y] = mu
    bound = (mu + 1) * sp.log(mu + 1) - mu * sp.log(mu)
    if not problem.is_zero(sp.expand_log(cross - bound, force=True)):
        return None
    return mu, bound
