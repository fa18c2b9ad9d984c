r"""Builders: entropy, cross-entropy and KL divergence of family members, derived step by step.

.. math::
    H(P) = -\mathbb{E}_P[\log p(X)],\quad H(P, Q) = -\mathbb{E}_P[\log q(X)],\quad
    D_{\mathrm{KL}}(P \parallel Q) = \mathbb{E}_P\left[\log \frac{p(X)}{q(X)}\right].

Each builder expands the log-density into :math:`\sum_i c_i\,s_i(x)` (coefficients free of
:math:`x`), applies linearity of expectation and derives each :math:`\mathbb{E}_P[s_i]` with
the expectation engine. Pmfs on a finite support of known size are summed point by point.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import sympy as sp

from ..budget import Budget
from ..errors import BudgetExceeded, InvalidParameter, NoRule, SymbolicInfoError
from ..expectation import (
    UNDEFINED_CAP,
    Expectation,
    expect,
    numeric_expectation,
    tail_expectation,
)
from ..families.product import mixed
from ..families.spec import (
    Family,
    known_size,
    sample_members,
    sample_parameters,
    warn_if_same_by_default,
)
from ..measure import Measure, linear_terms
from ..numeric.log_signs import real_logarithms
from ..scope import derivation_budget
from ..tails import divergent_tail
from . import store
from .additivity import by_additivity, matching
from .canonical import Canonical
from .derivation import Derivation, Step, StepKind
from .indexed import derive_indexed
from .matrix import derive_matrix
from .rules import RULES, different_spaces
from .simplify import textbook

SYMBOLS = {"entropy": "H(P)", "cross_entropy": "H(P, Q)", "kl": "D_KL(P || Q)"}
DEFINITIONS = {"entropy": "definition of {kind} entropy",
               "cross_entropy": "definition of cross-entropy",
               "kl": "definition of the Kullback-Leibler divergence"}
_CACHE: dict[tuple, Derivation] = {}  # by the user's members
_CANONICAL_CACHE: dict[tuple, Derivation] = {}  # by the canonical members


def entropy(p: Family, *, base=None, timeout: float = 30) -> Derivation:
    r"""Shannon (pmf) or differential (density) entropy :math:`-\mathbb{E}_P[\log p]`."""
    return derive("entropy", p, None, base=base, timeout=timeout)


def cross_entropy(p: Family, q: Family, *, base=None, timeout: float = 30) -> Derivation:
    r"""Cross-entropy :math:`H(P, Q) = -\mathbb{E}_P[\log q(X)]`."""
    return derive("cross_entropy", p, q, base=base, timeout=timeout)


def kl(p: Family, q: Family, *, base=None, timeout: float = 30) -> Derivation:
    r"""Kullback-Leibler divergence :math:`\mathbb{E}_P[\log p(X) - \log q(X)]`."""
    return derive("kl", p, q, base=base, timeout=timeout)


def clear_cache() -> None:
    _CACHE.clear()
    _CANONICAL_CACHE.clear()


def derive(quantity: str, p: Family, q: Family | None, *, base=None,
           timeout: float = 30) -> Derivation:
    """Derive ``quantity`` (``entropy``, ``cross_entropy`` or ``kl``) of P (and Q).

    ``timeout`` is in CPU seconds of the calling thread (see :mod:`symbolic_info.budget`).
    Final outcomes are kept in memory and in the persistent store
    (:mod:`symbolic_info.derive.store`). A ``timed_out`` one is never stored, and kept in
    memory only under its budget, so a call with a larger budget tries again.
    """
    check_inputs(quantity, p, q, base, timeout)
    base = sp.sympify(base) if base is not None else None
    key = _key(quantity, p, q, base)
    derivation = _cached(_CACHE, key, timeout)
    if derivation is None:
        canonical = Canonical.of(p, q, base)
        derivation = canonical.restore(_canonical_derivation(quantity, canonical, timeout),
                                       p, q, base)
        _remember(_CACHE, key, timeout, derivation)
    return derivation


def _canonical_derivation(quantity: str, c: Canonical, timeout: float) -> Derivation:
    """The derivation on the canonical members: from memory, from the store, or derived."""
    key = _key(quantity, c.p, c.q, c.base)
    derivation = _cached(_CANONICAL_CACHE, key, timeout)
    if derivation is not None:
        return derivation
    stored_key = store.derivation_key(quantity, c.p, c.q, c.base)
    derivation = store.load(stored_key, c.p, c.q)
    if derivation is None:
        with derivation_budget(timeout) as budget:
            derivation = _Builder(quantity, c.p, c.q, c.base, budget).run()
        if derivation.status != "timed_out":
            store.save(stored_key, derivation)
    _remember(_CANONICAL_CACHE, key, timeout, derivation)
    return derivation


def _key(quantity: str, p: Family, q: Family | None, base) -> tuple:
    return (quantity, p.spec, p.values, q.spec if q else None, q.values if q else None, base)


def _cached(cache: dict, key: tuple, timeout: float) -> Derivation | None:
    """A final outcome, or one that timed out before with this very budget."""
    return cache.get(key) or cache.get(key + (float(timeout),))


def _remember(cache: dict, key: tuple, timeout: float, d: Derivation) -> None:
    """Keep a final outcome for every budget, a timed-out one only for its own."""
    cache[key if d.status != "timed_out" else key + (float(timeout),)] = d


def check_inputs(quantity, p, q, base, timeout) -> None:
    for role, member in (("P", p), ("Q", q)):
        if member is None and (role == "P" or quantity != "entropy"):
            raise InvalidParameter(f"{quantity} needs a family member for {role}")
        if member is not None and not isinstance(member, Family):
            raise InvalidParameter(f"{role} must be a Family (from symbolic_info.family), "
                                   f"got {type(member).__name__}")
    warn_if_same_by_default(p, q)
    if base is not None:
        b = sp.sympify(base)
        if not (b.is_positive and b != 1):
            raise InvalidParameter(f"base must be positive and not 1, got {base}")
    if not (isinstance(timeout, (int, float)) and timeout > 0):
        raise InvalidParameter(f"timeout must be a positive number of seconds, got {timeout}")


class _Builder:
    """Carries one derivation through its steps; ``run`` returns the Derivation."""

    def __init__(self, quantity: str, p: Family, q: Family | None, base, budget: Budget):
        self.quantity, self.p, self.q, self.budget = quantity, p, q, budget
        self.given_q = q  # Q as given (``q`` may have a parameter pinned by the support)
        self.base = sp.sympify(base) if base is not None else None
        self.x = integration_variable(p)
        self.steps: list[Step] = []
        self.conditions: sp.Basic = sp.true
        self.rng = np.random.default_rng(7)

    # -- the parts of the derivation -------------------------------------------------------
    @property
    def name(self) -> str:
        return "_".join([self.quantity, self.p.name] + ([self.q.name] if self.q else []))

    @property
    def parameters(self) -> tuple[sp.Symbol, ...]:
        params = list(self.p.parameters)
        q = self.given_q
        if q is not None:
            params += [s for s in q.parameters if s not in params]
        return tuple(params)

    def log_integrand(self) -> sp.Expr:
        """The function whose P-expectation is the quantity."""
        log_p = sp.log(self.p.density_at(self.x))
        if self.quantity == "entropy":
            return -log_p
        log_q = sp.log(self.q.density_at(self.x))
        return -log_q if self.quantity == "cross_entropy" else log_p - log_q

    def definition(self) -> sp.Expr:
        if self.p.matrix:  # symbolic dimension: the expectation under P on R^k
            return sp.Function("E")(self.log_integrand())
        body = self.p.density_at(self.x) * self.log_integrand()
        if self.p.multivariate:
            return self.p.support_at(self.x).operator(body)
        lo, hi = self.p.support.inf, self.p.support.sup
        op = sp.Sum if self.p.discrete else sp.Integral
        return op(body, (self.x, lo, hi))

    def finish(self, result: sp.Expr, status: str) -> Derivation:
        result = in_base(result, status, self.base, self.steps)
        conditions = with_stated_relations(self.conditions, (self.p, self.given_q))
        return Derivation(
            name=self.name, quantity=self.quantity, result=result, status=status,
            conditions=conditions, steps=tuple(self.steps), parameters=self.parameters,
            p=self.p, q=self.given_q, base=self.base)

    # -- the derivation ----------------------------------------------------------------------
    def run(self) -> Derivation:
        apart = different_spaces(self.p, self.q) if self.q is not None else None
        if apart is not None:
            self.steps.append(Step(StepKind.SUPPORT, apart.condition, apart.note))
            return self.finish(sp.oo, "infinite")
        if self.p.matrix and not matching(self.p, self.q):
            how = derive_indexed if isinstance(self.p.variable, sp.IndexedBase) \
                else derive_matrix
            d = how(self.quantity, self.p, self.q, self.name, self.parameters, self.rng)
            self.steps = list(d.steps)
            return self.finish(d.result, d.status)
        if matching(self.p, self.q):
            d = by_additivity(self.quantity, self.p, self.q, self.name, self.parameters,
                              lambda a, b: derive(self.quantity, a, b,
                                                  timeout=max(self.budget.remaining, 1.0)))
            self.steps = [Step(StepKind.DEFINITION, self.definition(), DEFINITIONS[
                self.quantity].format(kind="Shannon" if self.p.discrete else "differential")),
                *d.steps]
            self.conditions = d.conditions
            return self.finish(d.result, d.status)
        if self.p.spec.factors and mixed(self.p):
            raise NoRule(f"{self.quantity} of {self.p.label()} against {self.q.label()}: a "
                         "product with continuous and discrete components is derived by "
                         "additivity, which needs Q's components to match P's")
        kind = "Shannon" if self.p.discrete else "differential"
        note = DEFINITIONS[self.quantity].format(kind=kind)
        self.steps.append(Step(StepKind.DEFINITION, self.definition(), note))
        if self.q is not None:
            verdict = RULES.support(self.p, self.q)
            self.steps.append(Step(StepKind.SUPPORT, verdict.condition, verdict.note))
            if verdict.condition == sp.false:
                return self.finish(sp.oo, "infinite")
            contained = verdict.condition
            self.pin_equality(contained)
        else:
            contained = sp.true
        if self.p.discrete and not self.p.multivariate \
                and known_size(self.p.support) is not None:
            result, status = self.finite_sum()
        else:
            result, status = self.by_expectations()
        if status in ("infinite", "undefined"):
            return self.finish(sp.oo if status == "infinite" else sp.nan, status)
        if self.conditions != sp.true and self.q is not None:
            # an expectation that exists only under a condition diverges outside it, and a
            # divergent KL (>= 0) or cross-entropy is +oo there
            contained = sp.And(contained, self.conditions)
            self.conditions = sp.true
        if contained != sp.true:
            result = sp.Piecewise((result, contained), (sp.oo, True))
            self.steps.append(Step(StepKind.SUPPORT, result,
                                   "the quantity is infinite where supp P is not inside supp Q "
                                   "or an expectation diverges"))
        if status == "closed_form":
            try:
                self.budget.run(self.numeric_check, result, cap=10)
            except BudgetExceeded:
                self.steps.append(Step(StepKind.NO_NUMERIC_CHECK, sp.nan,
                                       "the numerical check ran out of its 10 s CPU budget"))
        return self.finish(result, status)

    def pin_equality(self, condition: sp.Basic) -> None:
        """Where the support condition is an equality between a parameter of Q and one of P
        (multinomials with n_Q = n_P), the quantity is finite only there: derive it with Q's
        parameter replaced by P's (the result is then wrapped as finite exactly there)."""
        if not isinstance(condition, sp.Eq):
            return
        lhs, rhs = condition.lhs, condition.rhs
        q_only = set(self.q.parameters) - set(self.p.parameters)
        for a, b in ((lhs, rhs), (rhs, lhs)):
            if isinstance(b, sp.Symbol) and b in q_only:
                self.q = Family(self.q.spec, tuple(sp.sympify(v).xreplace({b: a})
                                                   for v in self.q.values))
                self.steps.append(Step(StepKind.SUPPORT, sp.Eq(b, a, evaluate=False),
                                       f"derived where {b} = {a}; the quantity is infinite "
                                       "elsewhere"))
                return

    def finite_sum(self) -> tuple[sp.Expr, str]:
        """Sum p(k) g(k) over the points of a finite support; 0 log 0 = 0."""
        terms = []
        for k in self.p.support:
            pk = self.p.density_at(self.x).xreplace({self.x: k})
            if pk == 0:
                continue
            if self.quantity != "entropy":
                qk = self.q.density_at(self.x).xreplace({self.x: k})
                if qk == 0:
                    self.steps.append(Step(StepKind.SUPPORT, sp.oo,
                                           f"q({k}) = 0 where p({k}) = {pk} > 0"))
                    return sp.oo, "infinite"
            g = self.log_integrand().xreplace({self.x: k})
            terms.append(sp.Mul(pk, g, evaluate=False))
        total = sp.Add(*terms, evaluate=False) if terms else sp.S.Zero
        self.steps.append(Step(StepKind.FINITE_SUM, total,
                               "sum over the support " + _set_text(self.p.support)))
        result = textbook(sp.expand_log(sp.Add(*terms).doit(), force=False))
        self.steps.append(Step(StepKind.SIMPLIFICATION, result, "textbook form"))
        return result, "closed_form"

    def by_expectations(self) -> tuple[sp.Expr, str]:
        integrand = self.log_integrand()
        self.steps.append(Step(StepKind.DENSITIES, integrand,
                               "log-densities written out"))
        terms = linear_terms(integrand, self.x)
        if not terms:
            self.steps.append(Step(StepKind.CANCELLATION, sp.S.Zero, "the log-densities cancel"))
            return sp.S.Zero, "closed_form"
        expanded = sp.Add(*[c * s for c, s in terms])
        self.steps.append(Step(StepKind.EXPANSION, expanded,
                               "log-density expanded into coefficient × statistic"))
        E = sp.Function("E")
        linear = sp.Add(*[c * (E(s) if s != 1 else 1) for c, s in terms])
        self.steps.append(Step(StepKind.LINEARITY, linear,
                               f"E is the expectation under P = {self.p.label()}"))
        measure = Measure(self.p.density_at(self.x), self.x, self.p.support_at(self.x),
                          lambda rng: sample_parameters(self.p, rng), self.p.relations())
        stats = [s for _, s in terms if s != 1]
        found = {s: expect(measure, s, self.budget, quick=True) for s in stats}
        for s in stats:  # a second, longer try for what the quick pass left open
            if not found[s].closed:
                found[s] = expect(measure, s, self.budget)
        undefined = [s for s in stats if found[s].undefined]
        if undefined:
            outcome = self.without_value(terms, found, undefined, measure)
            if outcome is not None:
                return outcome
            if self.quantity != "kl" and not self.entropy_is_finite():
                # not decided: the defining integral stays
                whole = measure.unevaluated(self.log_integrand())
                self.steps.append(Step(StepKind.NO_CLOSED_FORM, whole, (
                    "a term has no value on its own, and the tails of the whole integrand do "
                    "not settle whether the integral has one: kept as the integral")))
                return whole, "no_closed_form"
            # a KL has a value (in [0, oo]), and so has H(P, Q) = H(P) + KL where H(P) is
            # finite: the terms stay integrals (the divergence rule below may settle it)
            for s in undefined:
                found[s] = replace(found[s], value=measure.unevaluated(s), undefined=False,
                                   method=found[s].method + "; kept as the integral")
        divergent = [s for s in stats if found[s].value in (sp.oo, -sp.oo)]
        if divergent and self.quantity in ("kl", "cross_entropy"):
            for s in divergent:
                self.steps.append(Step(StepKind.EXPECTATION,
                                       sp.Eq(E(s), found[s].value, evaluate=False),
                                       found[s].method))
            if self.quantity == "kl" or self.entropy_is_finite():
                what = "D_KL(P || Q) >= 0" if self.quantity == "kl" else "H(P, Q) = H(P) + D_KL"
                self.steps.append(Step(StepKind.DIVERGENCE, sp.oo,
                                       f"E[{divergent[0]}] diverges under P, so the integral is "
                                       f"not finite; as {what}, the quantity is +oo"))
                return sp.oo, "infinite"
            # H(P) has no finite value: the terms could cancel (oo - oo); the whole integrand's
            # tails decide, else the integral stays
            outcome = self.whole_by_tails(measure)
            if outcome is not None:
                return outcome
            whole = measure.unevaluated(self.log_integrand())
            self.steps.append(Step(StepKind.NO_CLOSED_FORM, whole, (
                "terms diverge and H(P) is not finite, and the tails of the whole integrand "
                "do not settle the integral: kept as the integral")))
            return whole, "no_closed_form"
        total, closed, timed_out = sp.S.Zero, True, False
        for coeff, stat in terms:
            if stat == 1:
                total += coeff
                continue
            e: Expectation = found[stat]
            if e.condition != sp.true:
                self.conditions = _simplest(sp.And(self.conditions, e.condition))
            if e.closed:
                how = e.method + (", checked against numerical integration" if e.checked else "")
                self.steps.append(Step(StepKind.EXPECTATION,
                                       sp.Eq(E(stat), e.value, evaluate=False), how))
            else:
                kind = StepKind.TIME_BUDGET if e.timed_out else StepKind.NO_CLOSED_FORM
                self.steps.append(Step(kind, sp.Eq(E(stat), e.value, evaluate=False), e.method))
                closed, timed_out = False, timed_out or e.timed_out
            total += coeff * e.value
        if total.has(sp.I):  # log(log(1 - p)) - iπ: log(-log(1 - p)), real in float64 too
            total = real_logarithms(total, (self.p, self.q))
        self.steps.append(Step(StepKind.SUBSTITUTED, total, ""))
        if not closed:
            return total, "timed_out" if timed_out else "no_closed_form"
        try:
            result = self.budget.run(textbook, total, cap=10)
        except Exception:  # noqa: BLE001 - a failed tidy-up keeps the raw sum
            result = total
        self.steps.append(Step(StepKind.SIMPLIFICATION, result, "textbook form"))
        return result, "closed_form"

    def without_value(self, terms, found: dict, undefined: list,
                      measure: Measure) -> tuple[sp.Expr, str] | None:
        """The outcome when some E[s] has no value (E[s+] = E[s-] = oo), or None if undecided.

        An entropy or cross-entropy is undefined when one such term is summed with terms of
        finite expectation (s + g, g integrable, keeps both parts infinite), or when the whole
        integrand's tails show it (:func:`tail_expectation` of the integrand; +oo when they
        show it diverges to +oo only). A KL is never
        undefined: the negative part of log(p/q) has E_P[(log p/q)^-] <= 1, so a tail of the
        whole integrand diverging to +oo makes it +oo."""
        E = sp.Function("E")
        what = SYMBOLS[self.quantity]
        shown = {self.x: sp.Symbol("x")}
        for s in undefined:  # E(s) alone: an equation with nan would evaluate to False
            self.steps.append(Step(StepKind.UNDEFINED, E(s), found[s].method))
        if self.quantity == "kl":
            return self.kl_tail(measure)
        others = [s for _, s in terms if s != 1 and s not in undefined]
        if len(undefined) == 1 and all(found[s].closed and _finite(found[s].value)
                                       for s in others):
            term = sp.sstr(undefined[0].xreplace(shown))
            self.steps.append(Step(StepKind.UNDEFINED, sp.nan, (
                f"E[{term}] has no value and every other term has a finite one, so the "
                f"integral defining {what} has none (its positive and negative parts are both "
                f"infinite): {what} is undefined")))
            return sp.nan, "undefined"
        return self.whole_by_tails(measure)

    def whole_by_tails(self, measure: Measure) -> tuple[sp.Expr, str] | None:
        """+oo, or undefined, when the tails of the whole integrand show it
        (:func:`tail_expectation`); None when they do not."""
        what = SYMBOLS[self.quantity]
        try:
            whole = self.budget.run(tail_expectation, measure, self.log_integrand(),
                                    self.rng, cap=UNDEFINED_CAP)
        except Exception:  # noqa: BLE001 - sympy's limit raises anything; undecided then
            whole = None
        if whole is None or whole.value == -sp.oo:
            return None
        if whole.value == sp.oo:
            self.steps.append(Step(StepKind.DIVERGENCE, sp.oo, (
                f"{whole.method}, and s is the integrand of {what}: {what} is +oo")))
            return sp.oo, "infinite"
        self.steps.append(Step(StepKind.UNDEFINED, sp.nan, (
            f"{whole.method}, and s is the integrand of {what}: {what} is undefined")))
        return sp.nan, "undefined"

    def entropy_is_finite(self) -> bool:
        """For a cross-entropy: whether H(P) is a finite closed form (derived under what is left
        of the budget), so that H(P, Q) = H(P) + KL(P || Q) has a value in (-oo, oo]."""
        if self.quantity != "cross_entropy":
            return False
        try:
            h = derive("entropy", self.p, None, timeout=max(self.budget.remaining, 1.0))
        except SymbolicInfoError:
            return False
        return h.status == "closed_form" and _finite(h.result)

    def kl_tail(self, measure: Measure) -> tuple[sp.Expr, str] | None:
        """+oo when a tail of p log(p/q) diverges to +oo (see :meth:`without_value`)."""
        x = self.x
        lo, hi = measure.bounds
        body = self.log_integrand() * measure.density
        for end, upper in ((lo, False), (hi, True)):
            try:
                tail = self.budget.run(divergent_tail, body, x, end, upper, cap=UNDEFINED_CAP)
            except Exception:  # noqa: BLE001 - sympy's limit raises anything; undecided then
                tail = None
            if tail is not None and tail.sign > 0:
                self.steps.append(Step(StepKind.DIVERGENCE, sp.oo, (
                    f"{tail.text(sp.Symbol('x'))}; as E_P[(log p/q)^-] <= 1, the quantity "
                    "is +oo")))
                return sp.oo, "infinite"
        return None

    def numeric_check(self, result: sp.Expr) -> None:
        """Compare the result with numerical integration of the definition at a random point."""
        measure = Measure(self.p.density_at(self.x), self.x, self.p.support_at(self.x))
        members = [self.p] if self.q is None else [self.p, self.q]
        for point in check_points(members, self.conditions, self.rng, self.steps):
            claimed = sp.N(result.xreplace(point), 20)
            if claimed in (sp.oo, sp.zoo) or not claimed.is_finite:
                continue
            reference = numeric_expectation(measure, self.log_integrand(), point)
            if reference is None:
                continue
            err = abs(complex(claimed) - complex(reference)) / max(1.0, abs(complex(reference)))
            shown = ", ".join(f"{k}={float(v):.4g}" for k, v in point.items())
            if err > 1e-6:
                raise SymbolicInfoError(
                    f"{self.name}: the derived result {claimed:.10g} disagrees with numerical "
                    f"integration {complex(reference).real:.10g} at {shown} (relative "
                    f"difference {err:.3g}); is the density normalised and the support right?")
            self.steps.append(Step(StepKind.NUMERIC_CHECK, sp.Float(err, 3),
                                   f"relative difference from numerical integration at {shown}"))
            return


def _finite(value: sp.Expr) -> bool:
    return not value.has(sp.oo, -sp.oo, sp.zoo, sp.nan, sp.Integral, sp.Sum)


def check_points(members: list[Family], conditions: sp.Basic, rng: np.random.Generator,
                 steps: list[Step], tries: int = 20) -> Iterator[dict]:
    """Up to ``tries`` random valid points of the members' parameters (20-digit Floats) at
    which ``conditions`` hold, for numeric checks; where no point can be drawn (probabilities
    given as expressions, say) or a caller takes them all without returning, a step says
    so."""
    for _ in range(tries):
        try:
            point = sample_members(members, rng)
        except InvalidParameter:
            steps.append(Step(StepKind.NO_NUMERIC_CHECK, sp.nan,
                              "no valid parameter point could be drawn"))
            return
        point = {k: sp.Float(v, 20) if isinstance(v, float) else sp.sympify(v)
                 for k, v in point.items()}
        if conditions == sp.true or conditions.xreplace(point) == sp.true:
            yield point
    steps.append(Step(StepKind.NO_NUMERIC_CHECK, sp.nan,
                      f"numerical integration gave no value at {tries} random points"))


def in_base(result: sp.Expr, status: str, base, steps: list[Step]) -> sp.Expr:
    """``result`` / log(base) with its step (nats when ``base`` is None; +oo stays +oo)."""
    if base is None or status in ("infinite", "undefined"):
        return result
    result = result / sp.log(base)
    steps.append(Step(StepKind.CHANGE_OF_BASE, result,
                      f"divide by log({base}) to express in base {base}"))
    return result


def with_stated_relations(conditions: sp.Basic, members) -> sp.Basic:
    """``conditions`` and the relations of members whose relations are stated as conditions
    (a covariance's positive definiteness in its entries: s11*s22 - s12**2 > 0)."""
    for member in members:
        if member is not None and member.spec.relations_are_conditions:
            stated = [r for r in member.relations() if r not in (sp.true, True)]
            if stated:
                conditions = sp.And(conditions, *stated)
    return conditions


def _simplest(condition: sp.Basic) -> sp.Basic:
    """(n > 1) & (n > 2) -> n > 2, when sympy can do it quickly."""
    try:
        return min(condition, condition.simplify(), key=sp.count_ops)
    except (TypeError, ValueError, NotImplementedError):
        return condition


# The integration (summation) variables: Dummies, so no user symbol can ever be captured by
# them whatever its name; one per kind of support, so per-family caches are shared.
VARIABLES = {
    (True, True): sp.Dummy("x", integer=True, nonnegative=True),
    (True, False): sp.Dummy("x", integer=True),
    (False, True): sp.Dummy("x", positive=True),
    (False, False): sp.Dummy("x", real=True),
}


_COORDINATES: dict[tuple, sp.Dummy] = {}


def integration_variable(p: Family) -> sp.Dummy | tuple[sp.Dummy, ...]:
    """x with the assumptions its support allows (positive on a positive half-line); for a
    multivariate family a tuple x_1, ..., x_k with the assumptions of the spec's variables;
    for a family of symbolic dimension a k x 1 matrix symbol named apart from the parameters."""
    if p.matrix:
        taken = {str(s) for s in p.parameters} | {str(v) for v in p.values}
        name = next(n for n in ("x", "y", "z", "u", "v", "w", "x_") if n not in taken)
        if isinstance(p.variable, sp.IndexedBase):
            return sp.IndexedBase(name, **p.variable.assumptions0)
        return sp.MatrixSymbol(name, *p.variable.shape)
    if p.multivariate:
        return tuple(_COORDINATES.setdefault(
            (i, tuple(sorted(v.assumptions0.items()))),
            sp.Dummy(f"x_{i}", **v.assumptions0)) for i, v in enumerate(p.variables, start=1))
    return VARIABLES[(bool(p.discrete), bool(p.support.inf.is_nonnegative))]


def _set_text(s: sp.Set) -> str:
    if isinstance(s, sp.Range) and s.size.is_number and s.size <= 6:
        return "{" + ", ".join(str(k) for k in s) + "}"
    return str(s)
