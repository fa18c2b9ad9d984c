r"""Derivations of symbolic dimension with indexed parameters :math:`\theta_j`, j = 1..k.

The log-density is :math:`-A(\theta) + \sum_{j=1}^{k} \eta_j(\theta_j)\,T(x_j) + \dots`: an
exponential family in its own statistics :math:`T(x_j)`.  Its normaliser is
:math:`\log Z = A(\theta)` (the terms free of x, with the sign that makes the density
integrate to 1), so tilting gives
:math:`\mathbb{E}[T(x_j)] = \partial A / \partial \eta_j
= (\partial A / \partial \theta_j) / (d\eta_j / d\theta_j)`.
The quantity's integrand, a sum of such statistics with coefficients free of x, then follows
by linearity through the sums.
"""

from __future__ import annotations

import sympy as sp
from sympy.simplify.simplify import factor_sum

from ..errors import NoRule, SymbolicInfoError
from . import explicit
from .derivation import Derivation, Step, StepKind

E = sp.Function("E")


def _expanded(expr):
    expr = sp.expand_log(expr, force=True)
    return sp.expand(expr)


def _statistic_terms(expr, x):
    """(rest free of x, [(Sum index, limits, coefficient, statistic)]) of an expanded sum,
    the coefficients of one statistic merged across sums."""
    rest, found = [], {}
    for term in sp.Add.make_args(expr):
        coeff, body = term.as_independent(sp.Sum, as_Add=False)
        if isinstance(body, sp.Sum) and body.has(x):
            (j, lo, hi), = body.limits
            merged: dict = {}
            for inner in sp.Add.make_args(sp.expand(body.function)):
                c, stat = inner.as_independent(x, as_Add=False)
                merged[stat] = merged.get(stat, sp.S.Zero) + c
            for stat, c in merged.items():
                if stat.has(x):
                    key = (j, lo, hi, stat)
                    found[key] = found.get(key, sp.S.Zero) + coeff * c
                else:
                    rest.append(coeff * sp.Sum(c * stat, (j, lo, hi)))
        elif term.has(x):
            raise NoRule(f"a term of the log-density is not a sum over the index: {term}")
        else:
            rest.append(term)
    terms = [(j, lo, hi, sp.factor_terms(c), stat) for (j, lo, hi, stat), c in found.items()]
    return sp.Add(*rest), terms


def moments(p, x):
    """{T(x_j): E[T(x_j)]} for the statistics of P's own log-density, by tilting."""
    log_p = _expanded(sp.log(p.density_at(x)))
    normaliser, terms = _statistic_terms(log_p, x)
    out = {}
    for j, _lo, _hi, eta, stat in terms:
        # a free index i (not the summation's bound j), so d/d theta_i picks one term
        i = sp.Dummy("i", integer=True, positive=True)
        eta_i = eta.xreplace({j: i})
        thetas = [a for a in eta_i.atoms(sp.Indexed) if a.indices == (i,)]
        if len(thetas) != 1:
            raise NoRule(f"the natural parameter {eta} is not a function of one theta_j")
        theta = thetas[0]
        slope = sp.diff(eta_i, theta)
        value = sp.diff(-normaliser, theta) / slope
        value = value.doit().replace(
            lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[0][0])  # i in 1..k
        value = _bound_apart(sp.simplify(value), j)
        out[stat] = (j, value.xreplace({i: j}))
    return out


def _bound_apart(expr, j):
    """The sums inside ``expr`` over an index other than ``j`` (a normaliser's Σ_i e^{l_i}
    beside the summand's l_j), so that they read as free of j."""
    other = sp.Symbol("i" if j.name != "i" else "m", integer=True, positive=True)
    return expr.replace(lambda e: isinstance(e, sp.Sum) and len(e.limits) == 1
                        and e.limits[0][0] == j,
                        lambda e: e.xreplace({j: other}))


def stated_relations(expr, members):
    """``expr`` with each stated relation Σ_j v_j = c of the members substituted (a
    categorical's probabilities sum to 1), whatever the summation index."""
    for m in members:
        for relation in m.relations() if m is not None else ():
            if not (isinstance(relation, sp.Eq) and isinstance(relation.lhs, sp.Sum)
                    and len(relation.lhs.limits) == 1):
                continue
            (j, lo, hi), = relation.lhs.limits

            def matches(e, body=relation.lhs.function, j=j, lo=lo, hi=hi):
                return isinstance(e, sp.Sum) and len(e.limits) == 1 and \
                    e.limits[0][1:] == (lo, hi) and e.function.xreplace({e.limits[0][0]: j}) == body
            expr = expr.replace(matches, lambda e, c=relation.rhs: c)
    return expr


def constants_out_of_sums(expr):
    """Each Sum's factors free of its index taken out (Σ_j a_j / Σ_i e^{l_i} =
    (Σ_j a_j) / Σ_i e^{l_i})."""
    return expr.replace(lambda e: isinstance(e, sp.Sum) and len(e.limits) == 1,
                        lambda e: factor_sum(e))


def merge_sums(expr):
    """Sums over the same range merged into one; a sum of a constant is k times it."""
    groups: dict = {}
    rest = []
    for term in sp.Add.make_args(sp.expand(expr)):
        coeff, body = term.as_independent(sp.Sum, as_Add=False)
        if isinstance(body, sp.Sum) and len(body.limits) == 1 and not coeff.has(sp.Sum):
            (j, lo, hi), = body.limits
            if not body.function.has(j):
                rest.append(coeff * body.doit())
                continue
            groups.setdefault((lo, hi, j), []).append(coeff * body.function)
        else:
            rest.append(term)
    sums = [sp.Sum(sp.collect(sp.expand(sp.Add(*parts)), sp.polygamma(0, sp.Wild("a"))),
                   (j, lo, hi)) for (lo, hi, j), parts in groups.items()]
    return sp.Add(*rest, *sums)


def derive_indexed(quantity, p, q, name, parameters, rng) -> Derivation:
    if q is not None and (q.spec.name != p.spec.name or q.spec.support != p.spec.support):
        raise NoRule(f"{quantity} between {p.label()} and {q.label()}")
    x = p.variable
    log_p = sp.log(p.density_at(x))
    log_q = None if q is None else sp.log(q.density_at(x))
    integrand = {"entropy": -log_p, "cross_entropy": -log_q if q else None,
                 "kl": log_p - log_q if q else None}[quantity]
    steps = [Step(StepKind.DEFINITION, E(integrand), f"definition, as an expectation under P "
                  f"on {p.support}")]
    expanded = _expanded(integrand)
    steps.append(Step(StepKind.EXPANSION, expanded, "log-densities expanded: sums over the "
                      "index of coefficient × statistic"))
    found = moments(p, x)
    for stat, (_j, value) in found.items():
        steps.append(Step(StepKind.EXPECTATION, sp.Eq(E(stat), value, evaluate=False),
                          "tilting: the derivative of P's log-normaliser in the natural "
                          "parameter of this statistic"))
    rest, terms = _statistic_terms(expanded, x)
    total = rest
    for j, lo, hi, coeff, stat in terms:
        match = next(((jj, v) for s, (jj, v) in found.items()
                      if sp.simplify(stat.xreplace({j: jj}) - s) == 0), None)
        if match is None:
            raise NoRule(f"no expectation of {stat} under {p.label()}")
        jj, value = match
        total += sp.Sum(coeff * value.xreplace({jj: j}), (j, lo, hi))
    result = merge_sums(sp.expand(total))
    steps.append(Step(StepKind.SUBSTITUTED, result, "linearity of expectation through the sums"))
    related = constants_out_of_sums(merge_sums(stated_relations(result, (p, q))))
    if related != result:
        result = related
        steps.append(Step(StepKind.SIMPLIFICATION, result, "the stated relations of the "
                          "parameters (the probabilities sum to 1)"))
    d = Derivation(name=name, quantity=quantity, result=result, status="closed_form",
                   conditions=sp.true, steps=tuple(steps), parameters=parameters, p=p, q=q)
    return Derivation(name=name, quantity=quantity, result=result, status="closed_form",
                      conditions=sp.true, steps=tuple(steps) + (numeric_check(d, rng),),
                      parameters=parameters, p=p, q=q)


def numeric_check(d, rng, k: int = 3) -> Step:
    """The result at k = 3 and random parameters against nested quadrature over the simplex
    (or R^k)."""
    point = explicit.random_point(d, rng, k)
    claimed, reference = explicit.derived_value(d, point), explicit.defining_value(d, point)
    error = abs(claimed - reference) / max(1.0, abs(reference))
    if error > 1e-6:
        raise SymbolicInfoError(f"{d.name}: the derived result {claimed:.10g} disagrees with "
                                f"numerical integration {reference:.10g} at k = {k}")
    return Step(StepKind.NUMERIC_CHECK, sp.Float(error, 3),
                f"relative difference from numerical integration at k = {k}, random parameters")
