r"""Jensen-Shannon divergence, derived piece by piece of the supports.

.. math::
    \mathrm{JS}(P, Q) = \tfrac12 D_{\mathrm{KL}}(P \parallel M) + \tfrac12 D_{\mathrm{KL}}(Q
    \parallel M),\quad M = \tfrac12 (P + Q),\qquad
    = \tfrac12 \int p \log\frac{2p}{p + q} + q \log\frac{2q}{p + q},

with :math:`0 \le \mathrm{JS} \le \log 2`.  Pmfs on finite supports of known size are summed
point by point (a closed form).  Otherwise the line is cut at the finite ends of both
supports (their order read at random parameters, as for the total variation: one case per
order seen, see :mod:`.total_variation`) and on each piece

* only P has mass: the integrand is :math:`p \log 2`, giving :math:`\tfrac12 \log 2\,
  \Delta F_P` (likewise for Q);
* both have mass and :math:`c = p/q` does not depend on x: :math:`\tfrac12 (\log\frac{2c}
  {1 + c} \Delta F_P + \log\frac{2}{1 + c} \Delta F_Q)`;
* both have mass and :math:`p/q` varies: :math:`\log(p + q)` is the log of a two-component
  mixture, which does not reduce; the piece's integral (sum) stays unevaluated and the
  status is ``no_closed_form`` (``lambdify`` evaluates it by quadrature; with numeric
  parameters a NUMERIC_VALUE step gives the value and an error bound).

A pmf against a density: mutually singular, JS = log 2.  ``base`` divides by log(base).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..budget import Budget
from ..errors import BudgetExceeded, InvalidParameter
from ..families.spec import Family
from .derivation import Derivation, Step, StepKind
from .memo import remembered
from .quantities import in_base
from .simplify import textbook
from .total_variation import (
    CDF,
    arrangements,
    check_against,
    check_pair,
    derive_cdf,
    ends,
    numeric_steps,
    parameters_of,
    run_pairwise,
    tidy,
    under,
    union_limits,
)


def jensen_shannon(p: Family, q: Family, *, base=None, timeout: float = 30) -> Derivation:
    r"""Jensen-Shannon divergence :math:`\tfrac12 D(P \| M) + \tfrac12 D(Q \| M)`,
    :math:`M = (P + Q)/2`; in nats, or in ``base`` (2: bits); ``timeout`` in CPU seconds."""
    check_pair("Jensen-Shannon divergence", p, q, timeout)
    if base is not None:
        b = sp.sympify(base)
        if not (b.is_positive and b != 1):
            raise InvalidParameter(f"base must be positive and not 1, got {base}")
    return remembered("jensen_shannon", p, q, base, timeout,
                      lambda c, budget: _JensenShannon(c.p, c.q, c.base, budget).run())


def js_terms(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    """(1/2)[a log(2a/(a+b)) + b log(2b/(a+b))] at one point, 0 log 0 = 0."""
    if a == 0 or b == 0:
        return (a + b) * sp.log(2) / 2
    return (a * sp.log(2 * a / (a + b)) + b * sp.log(2 * b / (a + b))) / 2


def _log_form(expr: sp.Expr) -> sp.Expr:
    """The shorter of the textbook form and the sum collected by logarithm (a log a + ...)."""
    expanded = sp.expand(sp.expand_log(expr, force=True))
    collected = sp.collect(expanded, sorted(expanded.atoms(sp.log), key=sp.default_sort_key))
    return min(textbook(expr), collected, key=sp.count_ops)


def _js_number(a: float, b: float) -> float:
    total = 0.0
    for u in (a, b):
        if u > 0:
            total += u * np.log(2 * u / (a + b))
    return total / 2


class _JensenShannon:
    """Carries one Jensen-Shannon derivation through its steps."""

    def __init__(self, p: Family, q: Family, base, budget: Budget):
        self.p, self.q, self.base, self.budget = p, q, base, budget
        self.x = sp.Dummy("x", integer=True) if p.discrete else sp.Dummy("x", real=True)
        self.steps: list[Step] = []
        self.conditions: sp.Basic = sp.true
        self.rng = np.random.default_rng(7)
        self._cdfs: list[CDF] | None = None

    @property
    def name(self) -> str:
        return f"jensen_shannon_{self.p.name}_{self.q.name}"

    def body(self) -> sp.Expr:
        """The integrand on the union of the supports (p log 2 / 2 where only P has mass)."""
        p, q, x = self.p, self.q, self.x
        a, b = p.density_at(x), q.density_at(x)
        both = js_terms(a, b)
        if p.support == q.support:
            return both
        inside = [sp.And(*(c for c in ((x >= m.support.inf) if m.support.inf != -sp.oo
                                       else sp.true,
                                       (x <= m.support.sup) if m.support.sup != sp.oo
                                       else sp.true)))
                  for m in (p, q)]
        return sp.Piecewise((both, sp.And(*inside)), (a * sp.log(2) / 2, inside[0]),
                            (b * sp.log(2) / 2, inside[1]), (0, True))

    def definition(self) -> sp.Expr:
        op = sp.Sum if self.p.discrete else sp.Integral
        return op(self.body(), (self.x, *union_limits(self.p, self.q)))

    def finish(self, result: sp.Expr, status: str) -> Derivation:
        result = in_base(result, status, self.base, self.steps)
        return Derivation(name=self.name, quantity="jensen_shannon", result=result,
                          status=status, conditions=self.conditions, steps=tuple(self.steps),
                          parameters=parameters_of(self.p, self.q), p=self.p, q=self.q,
                          base=self.base)

    def run(self) -> Derivation:
        return run_pairwise(self, "Jensen-Shannon divergence",
                            "(1/2)KL(P || M) + (1/2)KL(Q || M), M = (P + Q)/2",
                            (sp.Symbol("JS(P, Q)"), sp.log(2),
                             "each has its mass where the other has none, so JS = log 2"),
                            self.by_pieces)

    # -- finite supports ---------------------------------------------------------------------
    def finite_sum(self) -> Derivation:
        p, q = self.p, self.q
        points = sorted(set(p.support) | set(q.support))
        terms = [js_terms(p.density_at(k) if k in p.support else sp.S.Zero,
                          q.density_at(k) if k in q.support else sp.S.Zero) for k in points]
        self.steps.append(Step(StepKind.FINITE_SUM, sp.Add(*terms, evaluate=False),
                               "sum over the union of the supports, "
                               f"{{{', '.join(map(str, points))}}}"))
        result = sp.Add(*terms)
        if result.free_symbols:
            try:
                result = self.budget.run(_log_form, result, cap=5)
            except Exception:  # noqa: BLE001 - a failed tidy-up keeps the raw sum
                if self.budget.expired:
                    raise BudgetExceeded("the budget ran out") from None
        else:
            result = sp.nsimplify(result) if result.is_Float else sp.expand_log(result)
        self.steps.append(Step(StepKind.SIMPLIFICATION, result, "textbook form"))
        self.check(result)
        return self.finish(result, "closed_form")

    # -- pieces of the supports --------------------------------------------------------------
    def cdfs(self) -> list[CDF]:
        if self._cdfs is None:
            self._cdfs = [derive_cdf(m, self.budget) for m in (self.p, self.q)]
            for m, f in zip((self.p, self.q), self._cdfs):
                self.steps.append(Step(StepKind.EXPECTATION,
                                       sp.Eq(sp.Function("F")(f.at), f.value, evaluate=False),
                                       f"CDF of {m.label()} inside its support" +
                                       ("" if f.closed else " (no closed form)")))
        return self._cdfs

    def by_pieces(self) -> Derivation:
        p, q = self.p, self.q
        t = sp.Dummy("t", real=True)
        ratio = sp.expand(sp.expand_log(sp.log(p.density_at(t)) - sp.log(q.density_at(t)),
                                        force=True))
        constant = not ratio.has(t)
        self.steps.append(Step(StepKind.DENSITIES, ratio.xreplace({t: self.x}),
                               "log p - log q" + (": p/q is constant on the common support"
                                                  if constant else
                                                  ": p/q varies, log((p + q)/2) is the log of "
                                                  "a mixture and does not reduce")))
        if constant and ratio == 0 and p.support == q.support:
            self.steps.append(Step(StepKind.CANCELLATION, sp.S.Zero, "p = q"))
            return self.finish(sp.S.Zero, "closed_form")
        points = []
        for e in (*ends(p), *ends(q)):
            if e not in (sp.oo, -sp.oo) and e not in points:
                points.append(e)
        cases = arrangements(points, points, p, q, self.rng)
        relations = p.relations() + q.relations()
        expressions: dict[sp.Expr, list[sp.Basic]] = {}
        for case in cases:
            value = self.case_value(case.order, sp.exp(ratio) if constant else None)
            if not value.has(sp.Integral, sp.Sum):
                try:
                    value = self.budget.run(under, value, case.condition, relations, cap=2)
                except Exception:  # noqa: BLE001 - the case unrefined (cap, sympy error)
                    if self.budget.expired:
                        raise BudgetExceeded("the budget ran out") from None
            expressions.setdefault(value, []).append(case.condition)
        if len(expressions) == 1:
            (value, conditions), = expressions.items()
            self.conditions = sp.Or(*conditions)
        else:
            value = sp.Piecewise(*((v, sp.Or(*c)) for v, c in expressions.items()),
                                 (self.definition(), True))
        self.steps.append(Step(StepKind.SUBSTITUTED, value,
                               "pieces between the support ends: (1/2) log 2 × mass where one "
                               "law alone has mass, the integral where both have"))
        closed = not any(v.has(sp.Integral, sp.Sum) for v in expressions) and all(
            f.closed for f in (self._cdfs or []))
        if not closed:
            self.steps.extend(numeric_steps(self.definition(), _js_number, p, q,
                                            "JS by quadrature" if not p.discrete else
                                            "JS summed"))
            return self.finish(value, "no_closed_form")
        result = tidy(value, self.budget, cap=5)
        self.steps.append(Step(StepKind.SIMPLIFICATION, result, "simplified"))
        self.check(result)
        return self.finish(result, "closed_form")

    def case_value(self, order: tuple[sp.Expr, ...], c: sp.Expr | None) -> sp.Expr:
        """The sum over the pieces of one arrangement of the support ends."""
        n, total = len(order), sp.S.Zero
        spans = []
        for m in (self.p, self.q):
            lo, hi = ends(m)
            spans.append((order.index(lo) if lo in order else -1,
                          order.index(hi) if hi in order else n))
        for k in range(n + 1):  # piece k lies between order[k - 1] and order[k]
            inside = [lo <= k - 1 and hi >= k for lo, hi in spans]
            if not any(inside):
                continue
            if all(inside) and c is None:
                left = order[k - 1] if k else -sp.oo
                right = order[k] if k < n else sp.oo
                total += self.piece_integral(left, right)
                continue
            mass = [self.mass(i, order, k) for i in range(2)]
            if all(inside):
                total += (sp.log(2 * c / (1 + c)) * mass[0] + sp.log(2 / (1 + c)) * mass[1]) / 2
            else:
                total += sp.log(2) * mass[0 if inside[0] else 1] / 2
        return total

    def mass(self, i: int, order: tuple[sp.Expr, ...], k: int) -> sp.Expr:
        """The mass of member i on piece k: F(order[k]) - F(order[k - 1])."""
        f = self.cdfs()[i]
        right = f.on(order, k) if k < len(order) else sp.S.One
        left = f.on(order, k - 1) if k else sp.S.Zero
        return right - left

    def piece_integral(self, left: sp.Expr, right: sp.Expr) -> sp.Expr:
        body = js_terms(self.p.density_at(self.x), self.q.density_at(self.x))
        if self.p.discrete:
            return sp.Sum(body, (self.x, left + 1 if left != -sp.oo else left, right))
        return sp.Integral(body, (self.x, left, right))

    def check(self, result: sp.Expr) -> None:
        try:
            self.budget.run(check_against, self.name, result, self.conditions, self.p, self.q,
                            self.rng, self.steps, _js_number, cap=10)
        except BudgetExceeded:
            self.steps.append(Step(StepKind.NO_NUMERIC_CHECK, sp.nan,
                                   "the numerical check ran out of its CPU budget"))
