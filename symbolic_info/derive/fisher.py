r"""The Fisher information matrix of a family member, per observation, derived step by step.

.. math::
    \mathcal{I}(\theta)_{ij} = -\mathbb{E}_P\left[\frac{\partial^2 \log p(X;\theta)}
    {\partial\theta_i\,\partial\theta_j}\right]
    = \mathbb{E}_P\left[s_i(X)\,s_j(X)\right],\qquad s = \nabla_\theta \log p(X;\theta),

with :math:`\theta` the free symbols of the member's parameter values (``P.parameters``), in
that order.  Each second derivative is expanded into coefficient × statistic and each
statistic's expectation derived by the expectation engine; an entry whose expectations do not
close (or a log-density not twice differentiable in θ, such as the Laplace's |x − μ|) is
derived as :math:`\mathbb{E}[s_i s_j]` instead.  Both forms need the regularity conditions: a
support free of θ and θ on a continuum.  A parameter the support depends on (the uniform's
ends, the Pareto's scale) or an integer-valued one (the binomial's n) raises
:class:`NotRegular` naming it.  In base b (scores of :math:`\log_b p`) the matrix is divided
by :math:`(\log b)^2`.
"""

from __future__ import annotations

import re

import numpy as np
import sympy as sp

from ..budget import Budget
from ..errors import BudgetExceeded, InvalidParameter, NoRule, SymbolicInfoError
from ..expectation import Expectation, expect, numeric_expectation, spot_check
from ..families.spec import Family, known_size, sample_parameters
from ..measure import Measure, linear_terms
from .canonical import Canonical
from .derivation import Derivation, Step, StepKind
from .memo import clear_memory, remembered
from .quantities import check_points, integration_variable
from .simplify import textbook

QUANTITY = "fisher_information"
SIMPLIFY_CAP = 3.0  # CPU seconds for simplifying one entry
CHECK_CAP = 10.0  # CPU seconds for the numerical check
NONSMOOTH = (sp.Abs, sp.sign, sp.Heaviside, sp.Piecewise, sp.Max, sp.Min, sp.DiracDelta)
E = sp.Function("E")
_CANONICAL = re.compile(r"(?<![A-Za-z0-9_])_s\d+(?![A-Za-z0-9_])")


class NotRegular(InvalidParameter):
    """The Fisher information is not defined for a parameter: the support depends on it, or
    it takes integer values only."""


def fisher_information(p: Family, *, base=None, timeout: float = 30) -> Derivation:
    r"""The Fisher information matrix :math:`-\mathbb{E}_P[\nabla^2_\theta \log p(X;\theta)]`
    of ``p`` per observation, θ = ``p.parameters`` (a symmetric k × k ``ImmutableMatrix``),
    divided by :math:`(\log b)^2` in base b.  ``timeout`` in CPU seconds, as for :func:`kl`."""
    _check_inputs(p, base, timeout)
    _check_regular(Canonical.of(p, None, base).p, p)
    return remembered("fisher_information", p, None, base, timeout, _build)


def _build(canonical: Canonical, budget: Budget) -> Derivation:
    try:
        return _Fisher(canonical.p, canonical.base, budget).run()
    except SymbolicInfoError as exc:  # the message in the user's symbols
        names = {c.name: u.name for c, u in canonical.backward.items()}
        raise type(exc)(_CANONICAL.sub(lambda m: names.get(m.group(0), m.group(0)),
                                       str(exc))) from None


def clear_cache() -> None:
    clear_memory()


def _check_inputs(p, base, timeout) -> None:
    if not isinstance(p, Family):
        raise InvalidParameter(f"P must be a Family (from symbolic_info.family), "
                               f"got {type(p).__name__}")
    if p.matrix:
        raise NoRule(f"fisher_information of {p.label()}: families of symbolic dimension are "
                     "not supported; give the dimension explicitly")
    if base is not None:
        b = sp.sympify(base)
        if not (b.is_positive and b != 1):
            raise InvalidParameter(f"base must be positive and not 1, got {base}")
    if not (isinstance(timeout, (int, float)) and timeout > 0):
        raise InvalidParameter(f"timeout must be a positive number of seconds, got {timeout}")
    if not p.parameters:
        raise InvalidParameter(f"{p.label()} has no free parameter to differentiate in")


def _check_regular(p: Family, given: Family) -> None:
    """Raise :class:`NotRegular` naming the first parameter the formulas do not apply to."""
    x = integration_variable(p)
    support = p.support_at(x)
    names = dict(zip(p.parameters, given.parameters))
    for canonical, relation in zip(p.relations(), given.relations()):
        if isinstance(canonical, sp.Eq) and canonical.free_symbols & set(p.parameters):
            raise NotRegular(
                f"fisher_information of {given.label()}: the parameters are tied by "
                f"{relation.lhs} = {relation.rhs}, and the Fisher information needs free "
                "parameters; write one in terms of the others (e.g. the last probability as "
                "1 minus the rest)")
    for theta in p.parameters:
        if theta in support.free_symbols:
            raise NotRegular(
                f"fisher_information of {given.label()}: the support "
                f"{given.support} depends on {names[theta]}, so the regularity conditions "
                f"fail and the Fisher information is not defined for {names[theta]} (the "
                f"score's expectation is not 0); give {names[theta]} a number to get the "
                "information about the other parameters")
        if theta.is_integer:
            raise NotRegular(
                f"fisher_information of {given.label()}: {names[theta]} is integer-valued, "
                "and the Fisher information needs parameters on a continuum; give "
                f"{names[theta]} a number (it is then known) to get the information about "
                "the other parameters")


class _Fisher:
    """Carries one Fisher-information derivation through its steps (canonical symbols)."""

    def __init__(self, p: Family, base, budget: Budget):
        self.p, self.base, self.budget = p, base, budget
        self.theta = p.parameters
        self.x = integration_variable(p)
        self.steps: list[Step] = []
        self.conditions: sp.Basic = sp.true
        self.rng = np.random.default_rng(7)
        self.measure = Measure(p.density_at(self.x), self.x, p.support_at(self.x),
                               lambda rng: sample_parameters(p, rng), p.relations())

    @property
    def pairs(self) -> list[tuple[int, int]]:
        k = len(self.theta)
        return [(i, j) for i in range(k) for j in range(i, k)]

    def matrix(self, entries: dict[tuple[int, int], sp.Expr]) -> sp.ImmutableMatrix:
        k = len(self.theta)
        return sp.ImmutableMatrix(k, k, lambda i, j: entries[(min(i, j), max(i, j))])

    def finish(self, result: sp.ImmutableMatrix, status: str) -> Derivation:
        if self.base is not None and status != "infinite":
            result = sp.ImmutableMatrix(result / sp.log(self.base) ** 2)
            self.steps.append(Step(StepKind.CHANGE_OF_BASE, result,
                                   f"divide by log({self.base})**2: the scores of "
                                   f"log_{self.base} p are those of log p over log({self.base})"))
        return Derivation(name=f"{QUANTITY}_{self.p.name}", quantity=QUANTITY, result=result,
                          status=status, conditions=self.conditions, steps=tuple(self.steps),
                          parameters=self.theta, p=self.p, q=None, base=self.base)

    # -- the derivation --------------------------------------------------------------------
    def run(self) -> Derivation:
        abstract = sp.Function("p")(self.x, *self.theta)
        theta = ", ".join(map(str, self.theta))
        self.steps.append(Step(StepKind.DEFINITION, self.matrix(
            {(i, j): -E(sp.Derivative(sp.log(abstract), self.theta[i], self.theta[j]))
             for i, j in self.pairs}),
            f"Fisher information per observation: I_ij = -E[d^2 log p(X) / d theta_i "
            f"d theta_j] = E[s_i s_j], with the score s = grad log p and theta = ({theta})"))
        support = self.measure.support
        if self.p.discrete and isinstance(support, sp.Set) \
                and known_size(support) is not None:
            return self.finite_sum()
        try:
            log_p, score, hessian = self.budget.run(self.differentiate)
        except BudgetExceeded:
            self.steps.append(Step(StepKind.TIME_BUDGET, sp.nan,
                                   f"the budget of {self.budget.seconds:g} CPU seconds ran out "
                                   "while differentiating the log-density"))
            unevaluated = {(i, j): -self.measure.unevaluated(sp.Derivative(
                sp.log(self.measure.density), self.theta[i], self.theta[j]))
                for i, j in self.pairs}
            return self.finish(self.matrix(unevaluated), "timed_out")
        smooth = not any(log_p.has(f) and any(a.has(*self.theta) for a in log_p.atoms(f))
                         for f in NONSMOOTH)
        if smooth:
            forms = {ij: -hessian[ij] for ij in self.pairs}
            self.steps.append(Step(StepKind.DIFFERENTIATION, self.matrix(
                {ij: -E(hessian[ij]) for ij in self.pairs}),
                "second derivatives of log p(x) in theta"))
        else:
            forms = {(i, j): score[i] * score[j] for i, j in self.pairs}
            self.steps.append(Step(StepKind.DIFFERENTIATION, self.matrix(
                {ij: E(f) for ij, f in forms.items()}),
                "log p(x) is not twice differentiable in theta: I_ij = E[s_i s_j], with the "
                "score s = grad log p(x)"))
        values, outcome = self.expectations(forms)
        open_entries = [ij for ij in self.pairs if outcome[ij] != "closed_form"]
        if smooth and open_entries:
            forms = {(i, j): score[i] * score[j] for i, j in open_entries}
            shown = ", ".join(f"I_{i + 1}{j + 1}" for i, j in open_entries)
            self.steps.append(Step(StepKind.DIFFERENTIATION, self.matrix(
                {ij: E(forms[ij]) if ij in forms else values[ij] for ij in self.pairs}),
                f"-E[d^2 log p] has no closed form for {shown}: there I_ij = E[s_i s_j], "
                "with the score s = grad log p(x)"))
            retried, again = self.expectations(forms)
            for ij in open_entries:
                if again[ij] == "closed_form" or outcome[ij] == "no_closed_form":
                    values[ij], outcome[ij] = retried[ij], again[ij]
        substituted = self.matrix(values)
        self.steps.append(Step(StepKind.SUBSTITUTED, substituted, ""))
        statuses = set(outcome.values())
        for status in ("timed_out", "no_closed_form"):
            if status in statuses:
                return self.finish(substituted, status)
        result = self.matrix({ij: self.simplest(values[ij]) for ij in self.pairs})
        self.steps.append(Step(StepKind.SIMPLIFICATION, result, "simplified entry by entry"))
        try:
            self.budget.run(self.numeric_check, result, score, cap=CHECK_CAP)
        except BudgetExceeded:
            self.steps.append(Step(StepKind.NO_NUMERIC_CHECK, sp.nan,
                                   f"the numerical check ran out of its {CHECK_CAP:g} s CPU "
                                   "budget"))
        return self.finish(result, "closed_form")

    def finite_sum(self) -> Derivation:
        """-Σ_k p(k) ∂_i ∂_j log p(k) over the points of a finite support where p(k) > 0."""
        points = [(k, self.measure.density.xreplace({self.x: k})) for k in self.measure.support]
        points = [(k, pk) for k, pk in points if pk != 0]
        try:
            entries = self.budget.run(lambda: {(i, j): sp.Add(*[
                sp.Mul(-pk, sp.diff(sp.log(pk), self.theta[i], self.theta[j]), evaluate=False)
                for _, pk in points], evaluate=False) for i, j in self.pairs})
            self.steps.append(Step(StepKind.FINITE_SUM, self.matrix(entries),
                                   "sum over the support " + str(self.measure.support)))
            result = self.matrix({ij: self.simplest(e.doit()) for ij, e in entries.items()})
        except BudgetExceeded:
            self.steps.append(Step(StepKind.TIME_BUDGET, sp.nan,
                                   f"the budget of {self.budget.seconds:g} CPU seconds ran out "
                                   "while summing over the support"))
            return self.finish(self.matrix({ij: sp.nan for ij in self.pairs}), "timed_out")
        self.steps.append(Step(StepKind.SIMPLIFICATION, result, "simplified entry by entry"))
        return self.finish(result, "closed_form")

    def differentiate(self) -> tuple[sp.Expr, list[sp.Expr], dict[tuple[int, int], sp.Expr]]:
        """log p, the score ∇ log p and the upper triangle of ∇² log p."""
        log_p = sp.expand_log(sp.log(self.measure.density), force=True)
        score = [sp.diff(log_p, t) for t in self.theta]
        hessian = {(i, j): sp.diff(score[i], self.theta[j]) for i, j in self.pairs}
        return log_p, score, hessian

    def expectations(self, forms: dict[tuple[int, int], sp.Expr]
                     ) -> tuple[dict[tuple[int, int], sp.Expr], dict[tuple[int, int], str]]:
        """E_P of each entry's form by linearity: the values and a status per entry."""
        terms = {ij: linear_terms(form, self.x) for ij, form in forms.items()}
        self.steps.append(Step(StepKind.LINEARITY, self.matrix(
            {ij: sp.Add(*[c * (E(s) if s != 1 else 1) for c, s in terms.get(ij, ())])
             if ij in terms else self.steps[-1].expr[ij] for ij in self.pairs}),
            f"expanded into coefficient × statistic; E is the expectation under "
            f"P = {self.p.label()}"))
        stats = list(dict.fromkeys(s for entry in terms.values() for _, s in entry if s != 1))
        found: dict[sp.Expr, Expectation] = {}
        for s in stats:
            found[s] = expect(self.measure, s, self.budget, quick=True)
        for s in stats:  # x^a log(x)^m, x^n e^(...): derivatives of a parametric expectation
            if not found[s].closed:
                found[s] = self.by_parameter(s) or found[s]
        for s in stats:  # a second, longer try for what the quick passes left open
            if not found[s].closed:
                found[s] = expect(self.measure, s, self.budget)
        for s in stats:
            e = found[s]
            if e.closed:
                how = e.method + (", checked against numerical integration" if e.checked else "")
                kind = StepKind.EXPECTATION
            else:
                how, kind = e.method, (StepKind.TIME_BUDGET if e.timed_out
                                       else StepKind.NO_CLOSED_FORM)
            self.steps.append(Step(kind, sp.Eq(E(s), e.value, evaluate=False), how))
        values, outcome = {}, {}
        for ij, entry in terms.items():
            total, status = sp.S.Zero, "closed_form"
            for c, s in entry:
                e = found.get(s)
                if e is None:
                    total += c * s
                    continue
                if not e.closed or e.value in (sp.oo, -sp.oo):  # oo - oo: undecided here
                    status = "timed_out" if e.timed_out or status == "timed_out" \
                        else "no_closed_form"
                elif e.condition != sp.true:
                    self.conditions = sp.And(self.conditions, e.condition)
                total += c * e.value
            values[ij], outcome[ij] = total, status
        return values, outcome

    def by_parameter(self, statistic: sp.Expr) -> Expectation | None:
        r"""E[r(x) log(x)^m] = ∂_t^m E[r(x) x^t] and E[r(x) x^n] = ∂_t^n E[r(x) e^{tx}] (r with
        an exponential in x) at t = 0 (t → 0+), when the parametric expectation closes."""
        x = self.x
        if not isinstance(x, sp.Symbol):
            return None
        factors = sp.Mul.make_args(statistic)
        t = sp.Dummy("t", positive=True)
        logs = [f for f in factors if f == sp.log(x) or isinstance(f, sp.Pow)
                and f.base == sp.log(x) and f.exp.is_Integer and f.exp > 0]
        powers = [f for f in factors if f == x or isinstance(f, sp.Pow) and f.base == x
                  and f.exp.is_Integer and f.exp > 0]
        if logs and x.is_positive:
            order = 1 if logs[0] == sp.log(x) else int(logs[0].exp)
            generator, how = x ** t, "x^t"
            rest = sp.Mul(*[f for f in factors if f is not logs[0]])
        elif powers and any(f.has(x) for f in statistic.atoms(sp.exp)):
            order = 1 if powers[0] == x else int(powers[0].exp)
            generator, how = sp.exp(t * x), "e^(t x)"
            rest = sp.Mul(*[f for f in factors if f is not powers[0]])
        else:
            return None
        inner = expect(self.measure, rest * generator, self.budget, quick=True)
        if not inner.closed or inner.value.has(sp.oo, -sp.oo):
            return None
        try:
            value = self.budget.run(_at_zero, inner.value, t, order, cap=SIMPLIFY_CAP)
        except (BudgetExceeded, NotImplementedError, ValueError, TypeError):
            return None
        if value is None:
            return None
        verdict = spot_check(self.measure, statistic, value, self.rng)
        if verdict is False:
            return None
        condition = inner.condition.xreplace({t: 0}) if inner.condition != sp.true else sp.true
        return Expectation(statistic, value, f"derivative of order {order} in t at t = 0 of "
                           f"E[{how} × the rest] ({inner.method})", True, bool(verdict),
                           condition)

    def simplest(self, entry: sp.Expr) -> sp.Expr:
        """The shortest of the textbook form, the cancelled form and ``simplify``."""
        candidates = [entry]
        for tidy in (textbook, lambda e: sp.factor(sp.cancel(e)), sp.simplify):
            try:
                candidates.append(self.budget.run(tidy, entry, cap=SIMPLIFY_CAP))
            except (BudgetExceeded, sp.PolynomialError, TypeError, ValueError):
                continue
        candidates += [_sign_absorbed(c) for c in candidates]
        return min(candidates, key=sp.count_ops)

    def numeric_check(self, result: sp.ImmutableMatrix, score: list[sp.Expr]) -> None:
        """Compare every entry with quadrature (summation) of s_i s_j p at a random point."""
        plain = Measure(self.measure.density, self.x, self.measure.support)
        for point in check_points([self.p], self.conditions, self.rng, self.steps):
            claimed = {ij: complex(sp.N(result[ij].xreplace(point), 20)) for ij in self.pairs}
            scale = max([1.0] + [abs(claimed[(i, i)]) for i in range(len(self.theta))])
            worst = 0.0
            for i, j in self.pairs:
                reference = numeric_expectation(plain, score[i] * score[j], point)
                if reference is None or not np.isfinite(claimed[(i, j)]):
                    break
                worst = max(worst, abs(claimed[(i, j)] - reference) / scale)
            else:
                shown = ", ".join(f"{k}={float(v):.4g}" for k, v in point.items())
                if worst > 1e-6:
                    raise SymbolicInfoError(
                        f"fisher_information_{self.p.name}: the derived matrix disagrees with "
                        f"numerical integration of s_i s_j p at {shown} (relative difference "
                        f"{worst:.3g})")
                self.steps.append(Step(StepKind.NUMERIC_CHECK, sp.Float(worst, 3),
                                       "largest relative difference of an entry from numerical "
                                       f"integration of s_i s_j p at {shown}"))
                return


def _at_zero(f: sp.Expr, t: sp.Symbol, order: int) -> sp.Expr | None:
    """The order-th derivative of f in t at t = 0 (its limit t → 0+ where f is 0·∞ there)."""
    g = sp.diff(f, t, order)
    value = g.xreplace({t: sp.S.Zero})
    if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or not value.is_finite:
        g = sp.gammasimp(sp.diff(sp.gammasimp(f), t, order))
        value = g.xreplace({t: sp.S.Zero})
    if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or not value.is_finite:
        value = sp.limit(g, t, 0, "+")
    if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo, sp.Limit) or value.free_symbols & {t}:
        return None
    return sp.expand_func(value)


def _sign_absorbed(e: sp.Expr) -> sp.Expr:
    """-a/(b (p - 1)) -> a/(b (1 - p)): the sign taken into a factor of the denominator (of
    each term of a sum)."""
    if isinstance(e, sp.Add):
        return sp.Add(*[_sign_absorbed(t) for t in e.args])
    num, den = sp.fraction(sp.factor(e)) if not e.has(sp.Integral, sp.Sum) else (e, 1)
    if not (num.could_extract_minus_sign() and isinstance(den, (sp.Mul, sp.Add))):
        return e
    for f in sp.Mul.make_args(den):
        if isinstance(f, sp.Add):
            return (-num) / (den / f * (-f))
    return e
