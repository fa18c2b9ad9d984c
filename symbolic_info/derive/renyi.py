r"""Rényi, Tsallis, Bhattacharyya, Hellinger and Pearson χ²: functions of one power integral.

.. math::
    D_\alpha(P \parallel Q) = \frac{\log \int p^\alpha q^{1-\alpha}}{\alpha - 1},\quad
    H_\alpha(P) = \frac{\log \int p^\alpha}{1 - \alpha},\quad
    S_q(P) = \frac{1 - \int p^q}{q - 1},

.. math::
    D_B = -\log \int \sqrt{pq},\quad H^2 = 1 - \int \sqrt{pq},\quad
    \chi^2(P \parallel Q) = \int \frac{p^2}{q} - 1.

Each derives :math:`I = \int \prod p_i^{w_i}` with :mod:`.power_integral` (the ratio of
normalisers for exponential families, direct integration otherwise), then applies its function
of :math:`I`.  Where the integral diverges (an inadmissible mixed parameter, or supp P not in
supp Q for an order above 1) the quantity is :math:`+\infty`.  The Rényi quantities end with
their limit at order 1 (the KL divergence, the Shannon entropy), checked numerically.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp

from ..budget import Budget
from ..errors import BudgetExceeded, InvalidParameter, NoRule
from ..families.spec import Family, sample_members
from .derivation import Derivation, Step, StepKind
from .memo import remembered
from .power_integral import PowerIntegral, power_integral
from .quantities import (
    check_inputs,
    entropy,
    in_base,
    integration_variable,
    kl,
    with_stated_relations,
)
from .renyi_matrix import multivariate_power
from .rules import RULES
from .simplify import textbook

LIMIT_CAP = 8.0  # CPU seconds for the symbolic limit at order 1


@dataclass(frozen=True)
class PowerQuantity:
    """A quantity F(I) of the power integral I = ∫ Π p_i^{w_i} (w_i functions of the order)."""

    name: str
    members: int  # 1 (P) or 2 (P, Q)
    weights: Callable[[sp.Expr], tuple[sp.Expr, ...]]
    of_integral: Callable[[sp.Expr, sp.Expr, sp.Expr], sp.Expr]  # (I, log I, order) -> value
    definition: Callable[[sp.Expr, sp.Expr], sp.Expr]  # (I as an expression, order) -> value
    text: str
    logarithmic: bool  # a log base applies
    needs_absolute_continuity: Callable[[sp.Expr], sp.Basic]  # order -> where supp P ⊆ supp Q
    order_name: str = ""  # "alpha" or "q"; "" for a fixed order
    fixed_order: sp.Expr | None = None
    limit: str = ""  # the quantity at order 1: "kl" or "entropy"
    # the value where I diverges: +oo for divergences; for entropies the sign of 1 - order
    divergent: Callable[[sp.Expr], sp.Expr] = lambda order: sp.oo


def _entropy_divergent(order: sp.Expr) -> sp.Expr:
    """log(oo) / (1 - α) and (1 - oo) / (α - 1): -oo above order 1, +oo below."""
    return sp.Piecewise((-sp.oo, order > 1), (sp.oo, True))


HALF = sp.Rational(1, 2)
QUANTITIES: dict[str, PowerQuantity] = {
    q.name: q for q in (
        PowerQuantity(
            "renyi_divergence", 2, lambda a: (a, 1 - a),
            lambda i, log_i, a: log_i / (a - 1),
            lambda i, a: sp.log(i) / (a - 1),
            "definition of the Rényi divergence of order {order}", True,
            lambda a: sp.Gt(a, 1), "alpha", limit="kl"),
        PowerQuantity(
            "renyi_entropy", 1, lambda a: (a,),
            lambda i, log_i, a: log_i / (1 - a),
            lambda i, a: sp.log(i) / (1 - a),
            "definition of the Rényi entropy of order {order}", True,
            lambda a: sp.false, "alpha", limit="entropy", divergent=_entropy_divergent),
        PowerQuantity(
            "tsallis_entropy", 1, lambda q: (q,),
            lambda i, log_i, q: (1 - i) / (q - 1),
            lambda i, q: (1 - i) / (q - 1),
            "definition of the Tsallis entropy of index {order}", False,
            lambda q: sp.false, "q", limit="entropy", divergent=_entropy_divergent),
        PowerQuantity(
            "bhattacharyya", 2, lambda _: (HALF, HALF),
            lambda i, log_i, _: -log_i, lambda i, _: -sp.log(i),
            "definition of the Bhattacharyya distance (the coefficient is the integral)",
            True, lambda _: sp.false, fixed_order=HALF),
        PowerQuantity(
            "hellinger", 2, lambda _: (HALF, HALF),
            lambda i, log_i, _: 1 - i, lambda i, _: 1 - i,
            "definition of the squared Hellinger distance", False,
            lambda _: sp.false, fixed_order=HALF),
        PowerQuantity(
            "chi_square", 2, lambda _: (2, -1),
            lambda i, log_i, _: i - 1, lambda i, _: i - 1,
            "definition of the Pearson chi-square divergence", False,
            lambda _: sp.true, fixed_order=sp.Integer(2)),
    )
}

def renyi_divergence(p: Family, q: Family, alpha, *, base=None,
                     timeout: float = 30) -> Derivation:
    r"""Rényi divergence :math:`\frac{1}{\alpha-1}\log\int p^\alpha q^{1-\alpha}`."""
    return derive_power("renyi_divergence", p, q, alpha, base=base, timeout=timeout)


def renyi_entropy(p: Family, alpha, *, base=None, timeout: float = 30) -> Derivation:
    r"""Rényi entropy :math:`\frac{1}{1-\alpha}\log\int p^\alpha`."""
    return derive_power("renyi_entropy", p, None, alpha, base=base, timeout=timeout)


def tsallis_entropy(p: Family, q, *, base=None, timeout: float = 30) -> Derivation:
    r"""Tsallis entropy :math:`\frac{1 - \int p^q}{q - 1}`."""
    return derive_power("tsallis_entropy", p, None, q, base=base, timeout=timeout)


def bhattacharyya(p: Family, q: Family, *, base=None, timeout: float = 30) -> Derivation:
    r"""Bhattacharyya distance :math:`-\log\int\sqrt{pq}`."""
    return derive_power("bhattacharyya", p, q, None, base=base, timeout=timeout)


def hellinger(p: Family, q: Family, *, base=None, timeout: float = 30) -> Derivation:
    r"""Squared Hellinger distance :math:`1 - \int\sqrt{pq}`."""
    return derive_power("hellinger", p, q, None, base=base, timeout=timeout)


def chi_square(p: Family, q: Family, *, base=None, timeout: float = 30) -> Derivation:
    r"""Pearson :math:`\chi^2(P \parallel Q) = \int p^2/q - 1`."""
    return derive_power("chi_square", p, q, None, base=base, timeout=timeout)


def order_value(value, name: str = "alpha") -> sp.Expr:
    """The order of a quantity: a positive number other than 1, or a symbol (a string becomes
    a positive symbol)."""
    if isinstance(value, str):
        if not value.isidentifier():
            raise InvalidParameter(f"{name} must be a positive number other than 1 or a "
                                   f"symbol name, got {value!r}")
        return sp.Symbol(value, positive=True)
    if isinstance(value, float):
        value = sp.Rational(repr(value))
    try:
        expr = sp.sympify(value, strict=True)
    except (sp.SympifyError, TypeError):
        raise InvalidParameter(f"{name} must be a positive number other than 1 or a symbol, "
                               f"got {value!r}") from None
    if expr.is_number and not (expr.is_positive and expr != 1):
        raise InvalidParameter(f"{name} must be positive and not 1, got {value}")
    if not expr.is_number and expr.is_positive is False:
        raise InvalidParameter(f"{name} must be positive, got {value}")
    return expr


def derive_power(quantity: str, p: Family, q: Family | None, order, *, base=None,
                 timeout: float = 30) -> Derivation:
    """Derive one of :data:`QUANTITIES` (canonical symbols, memory cache and the store as for
    the KL)."""
    spec = QUANTITIES[quantity]
    check_inputs("entropy" if spec.members == 1 else "kl", p, q, base, timeout)
    if base is not None and not spec.logarithmic:
        raise InvalidParameter(f"{quantity} has no logarithm: base does not apply")
    order = spec.fixed_order if spec.fixed_order is not None else \
        order_value(order, spec.order_name)
    return remembered(quantity, p, q, base, timeout, lambda c, budget: _Builder(
        spec, c.p, c.q, c.extra[0], c.base, budget).run(), extra=(order,))


class _Builder:
    def __init__(self, spec: PowerQuantity, p: Family, q: Family | None, order: sp.Expr,
                 base, budget: Budget):
        self.spec, self.p, self.q, self.order, self.base = spec, p, q, order, base
        self.budget = budget
        self.x = integration_variable(p)
        self.steps: list[Step] = []
        self.conditions: sp.Basic = sp.true

    @property
    def members(self) -> tuple[Family, ...]:
        return (self.p,) if self.q is None else (self.p, self.q)

    @property
    def name(self) -> str:
        return "_".join([self.spec.name] + [m.name for m in self.members])

    @property
    def order_symbols(self) -> tuple[sp.Symbol, ...]:
        return tuple(sorted(self.order.free_symbols, key=lambda s: s.name))

    @property
    def parameters(self) -> tuple[sp.Symbol, ...]:
        params = list(self.p.parameters)
        if self.q is not None:
            params += [s for s in self.q.parameters if s not in params]
        return tuple(params + [s for s in self.order_symbols if s not in params])

    def order_draws(self) -> dict:
        """Samplers of the order for numerical checks: away from 1, on both sides of it."""
        return {s: (lambda rng: float(rng.choice([rng.uniform(0.15, 0.85),
                                                   rng.uniform(1.15, 2.5)])))
                for s in self.order_symbols}

    def points(self, n: int) -> list[dict]:
        """n random valid points of the parameters and the order (exact numbers)."""
        rng, out = np.random.default_rng(1), []
        draws = self.order_draws()
        for _ in range(n):
            try:
                point = sample_members(self.members, rng)
            except InvalidParameter:
                break
            point.update({s: draw(rng) for s, draw in draws.items()})
            out.append({k: sp.Float(v, 30) if isinstance(v, float) else sp.sympify(v)
                        for k, v in point.items()})
        return out

    def run(self) -> Derivation:
        special = multivariate_power(self)  # products, symbolic dimension, normals on R^k
        if special is not None:
            return special
        integral_name = sp.Symbol("I")
        definition = self.spec.definition(integral_name, self.order)
        self.steps.append(Step(StepKind.DEFINITION, definition,
                               self.spec.text.format(order=self.order)))
        if self.q is not None:
            verdict = RULES.support(self.p, self.q)
            self.steps.append(Step(StepKind.SUPPORT, verdict.condition, verdict.note))
            contained = verdict.condition
        else:
            contained = sp.true
        must_contain = self.spec.needs_absolute_continuity(self.order)
        if contained == sp.false and must_contain == sp.true:
            self.steps.append(Step(StepKind.DIVERGENCE, sp.oo, "P is not absolutely "
                                   "continuous with respect to Q and the order is above 1"))
            return self.finish(sp.oo, "infinite")
        support, overlap = None, sp.true
        if contained != sp.true:
            support, overlap = common_support(self.p, self.q)
            if overlap == sp.false:  # disjoint supports: the integral is 0
                empty = self.empty_value()
                self.steps.append(Step(StepKind.SUPPORT, empty, "the supports do not meet: "
                                       "the integral is 0"))
                return self.finish(empty, "infinite" if empty == sp.oo else "closed_form")
        weights = self.spec.weights(self.order)
        found: PowerIntegral = power_integral(self.members, weights, self.x, self.budget,
                                              self.order_draws(), support)
        self.steps.extend(found.steps)
        if not found.closed:
            value = self.spec.definition(found.value, self.order)
            self.steps.append(Step(StepKind.SUBSTITUTED, value, "the integral kept"))
            return self.finish(value, found.status)
        value = self.spec.of_integral(found.value, found.log_value, self.order)
        self.steps.append(Step(StepKind.SUBSTITUTED, value, "the integral substituted"))
        try:
            value = self.budget.run(_tidy, value, self.points(3), cap=10)
        except BudgetExceeded:
            pass
        self.steps.append(Step(StepKind.SIMPLIFICATION, value, "textbook form"))
        value = self.cases(value, found.condition, contained, must_contain, overlap)
        if self.spec.limit and self.order.free_symbols:
            self.limit_step(value)
        return self.finish(value, "closed_form")

    def cases(self, value, finite, contained, must_contain, overlap) -> sp.Expr:
        """The value where the integral converges (and, for an order above 1, supp P ⊆ supp Q);
        its value at I = 0 where the supports do not meet; +oo elsewhere."""
        if contained == sp.true:
            if finite == sp.true:
                return value
            cases = [(value, finite), (self.spec.divergent(self.order), True)]
        else:
            main = sp.And(finite, overlap, sp.Or(contained, sp.Not(must_contain)))
            empty = self.empty_value()
            cases = [(value, main), (empty, sp.And(sp.Not(overlap), sp.Not(must_contain))),
                     (self.spec.divergent(self.order), True)]
        value = sp.Piecewise(*cases)
        self.steps.append(Step(StepKind.SUPPORT, value, "the integral diverges where the "
                               "mixed parameter is not admissible, or where supp P is not in "
                               "supp Q for an order above 1: the quantity is infinite there"))
        return value

    def empty_value(self) -> sp.Expr:
        """The quantity at I = 0 (supports that do not meet): 1 for H², else +oo."""
        empty = self.spec.of_integral(sp.S.Zero, -sp.oo, self.order)
        return sp.oo if empty.has(sp.nan, sp.zoo) or empty.is_infinite else empty

    def limit_step(self, value: sp.Expr) -> None:
        """The order-1 limit (KL or Shannon entropy), compared at a random point."""
        order = self.order
        reference = kl(self.p, self.q, timeout=max(self.budget.remaining, 1.0)) \
            if self.spec.limit == "kl" else entropy(self.p, timeout=max(self.budget.remaining,
                                                                        1.0))
        main = value.args[0][0] if isinstance(value, sp.Piecewise) else value
        try:
            limit = self.budget.run(sp.limit, main, order, 1, cap=LIMIT_CAP)
            if limit.has(sp.Limit) or not limit.is_finite and limit.free_symbols == set():
                limit = None
        except (BudgetExceeded, NotImplementedError, ValueError, TypeError):
            limit = None
        rng = np.random.default_rng(3)
        try:
            point = sample_members(self.members, rng)
        except InvalidParameter:
            return
        shown = ", ".join(f"{k}={float(v):.4g}" for k, v in point.items())
        try:
            target, approached = self.budget.run(_near_order_one, main, reference.result,
                                                 order, point, cap=LIMIT_CAP)
            err = abs(approached - target) / max(1.0, abs(target))
        except (BudgetExceeded, TypeError, ValueError):
            err = float("inf")
        if reference.status != "closed_form" or err > 1e-8:
            self.steps.append(Step(StepKind.NO_NUMERIC_CHECK, sp.nan,
                                   f"the limit at order 1 could not be confirmed against "
                                   f"{reference.name} ({reference.status}) at {shown}"))
            return
        shown_limit = limit if limit is not None else reference.result
        how = "computed, " if limit is not None else ""
        self.steps.append(Step(
            StepKind.LIMIT, sp.Eq(sp.Limit(sp.Symbol(self.quantity_symbol()), order, 1),
                                  shown_limit, evaluate=False),
            f"{how}the order-1 limit is {reference.name}: checked at {shown} (relative "
            f"difference {err:.1e} at order 1 - 1e-20)"))

    def quantity_symbol(self) -> str:
        return "D" if self.q is not None else "H"

    def finish(self, result: sp.Expr, status: str) -> Derivation:
        result = in_base(result, status, self.base, self.steps)
        conditions = with_stated_relations(self.conditions, self.members)
        return Derivation(name=self.name, quantity=self.spec.name, result=result,
                          status=status, conditions=conditions, steps=tuple(self.steps),
                          parameters=self.parameters, p=self.p, q=self.q, base=self.base)


SPECIAL = (sp.log, sp.gamma, sp.loggamma, sp.polygamma, sp.beta)


def common_support(p: Family, q: Family) -> tuple[sp.Set, sp.Basic]:
    """The intersection of two interval supports, and the condition that it is not empty."""
    if p.multivariate or p.discrete or not all(
            isinstance(m.support, sp.Interval) for m in (p, q)):
        raise NoRule(f"the supports of {p.label()} and {q.label()} do not nest, and their "
                     "intersection is derived for intervals only")
    lo = sp.Max(p.support.inf, q.support.inf)
    hi = sp.Min(p.support.sup, q.support.sup)
    return sp.Interval(lo, hi), sp.Lt(lo, hi)


def _tidy(value: sp.Expr, points: list[dict]) -> sp.Expr:
    """The shortest of: the value, its textbook form, and its logarithmic terms collected by
    argument with factored coefficients plus its rational rest factored."""
    forced = sp.expand_log(_exponents(sp.powsimp(value, force=True)), force=True)
    candidates = [value, _by_logs(value), _exponents(value), forced, _by_logs(forced)]
    try:
        candidates.append(textbook(value))
    except (TypeError, ValueError, NotImplementedError):
        pass
    return min((c for c in candidates if _same(c, value, points)), key=sp.count_ops)


def _exponents(value: sp.Expr) -> sp.Expr:
    """Each exp(a) with a over one factored denominator."""
    return value.replace(lambda e: isinstance(e, sp.exp),
                         lambda e: sp.exp(sp.factor(sp.together(e.args[0]))))


def _same(a: sp.Expr, b: sp.Expr, points: list[dict]) -> bool:
    """Equal at the valid ``points`` (where both are finite): a rewrite that assumed too much
    (a log of a product split where a factor is negative) is refused."""
    if a is b:
        return True
    if not points:
        return False
    for point in points:
        x, y = complex(sp.N(a.xreplace(point), 20)), complex(sp.N(b.xreplace(point), 20))
        if abs(x - y) > 1e-9 * max(1.0, abs(y)):
            return False
    return True


def _by_logs(value: sp.Expr) -> sp.Expr:
    """Σ_k c_k log(a_k) + r with each c_k and r factored (the α/(α-1) of a Rényi divergence
    cancels in r)."""
    logs, rest = [], []
    for term in sp.Add.make_args(sp.expand(sp.expand_log(value, force=False))):
        (logs if term.has(*SPECIAL) else rest).append(term)
    keys = sorted(sp.Add(*logs).atoms(*SPECIAL), key=sp.default_sort_key)
    collected = sp.collect(sp.Add(*logs), keys, evaluate=False) if logs else {}
    return sp.Add(*[sp.factor(c) * k for k, c in collected.items()]) + \
        sp.factor(sp.together(sp.Add(*rest)))


def _near_order_one(main: sp.Expr, reference: sp.Expr, order: sp.Symbol,
                    point: dict) -> tuple[complex, complex]:
    """The reference (KL or entropy) and the quantity at order 1 - 1e-20, at ``point``, in
    60-digit floats (exact rationals would make sympy extract roots of huge integers)."""
    with mpmath.workdps(60):
        at = {k: sp.Float(v, 60) if isinstance(v, float) else v for k, v in point.items()}
        target = complex(sp.N(reference.xreplace(at), 30))
        near = main.xreplace(at).xreplace({order: sp.Float(1, 60) - sp.Float("1e-20", 60)})
        return target, complex(sp.N(near, 40))
