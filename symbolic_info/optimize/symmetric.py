r"""A symmetric sum over a simplex with a symbolic number of outcomes :math:`k`.

.. math::
    \operatorname{opt}_{p}\ c \sum_{i=1}^{k} g(p_i) \quad\text{s.t.}\quad
    \sum_{i=1}^{k} p_i = 1,\ 0 < p_i < 1 .

The summand :math:`g` and the factor :math:`c` are read from the objective (the categorical
entropy has :math:`c = -1`, :math:`g(y) = y \log y`).  The Lagrangian's stationarity condition
:math:`c\,g'(p_i) - \lambda = 0` is the same equation for every :math:`i`; when sympy finds it
has exactly one solution :math:`y(\lambda)`, all :math:`p_i` are equal, the constraint gives
:math:`p_i = 1/k`, and the value is :math:`c \sum_{i=1}^k g(1/k)` (summed by sympy).  When
:math:`c\,g'' < 0` on :math:`(0, 1)` (decided by sympy; :math:`> 0` for a minimum) the objective
is strictly concave on the convex simplex, so the stationary point of the Lagrangian under the
linear constraint is the unique global maximum.  A step sympy cannot take gives status
``no_closed_form`` with the reason.
"""

from __future__ import annotations

import sympy as sp

from ..derive.derivation import Step
from ..errors import BudgetExceeded, InvalidParameter
from ..scope import derivation_budget
from .problem import Optimum, Problem, finish

__all__ = ["match_symmetric_sum", "maximize_symmetric_entropy", "optimize_symmetric_sum"]


def maximize_symmetric_entropy(k=None, p=None, index=None, *, timeout: float = 60) -> Optimum:
    """The maximum of the entropy :math:`-\\sum_{i=1}^k p_i \\log p_i` over the simplex.

    ``k`` is a positive integer symbol (or name, default ``k``), ``p`` an ``IndexedBase``
    (or name, default ``p``), ``index`` the summation index (default ``i``); the objective is
    the definition of entropy, optimised by :func:`optimize_symmetric_sum`.
    """
    k = _count(k)
    p = sp.IndexedBase(p or "p") if not isinstance(p, sp.IndexedBase) else p
    i = index if isinstance(index, sp.Symbol) else sp.Symbol(index or "i", integer=True)
    return optimize_symmetric_sum(-sp.Sum(p[i] * sp.log(p[i]), (i, 1, k)), "max",
                                  timeout=timeout)


def match_symmetric_sum(f: sp.Expr) -> tuple | None:
    """``(c, g, p, i, k)`` when ``f = c * Sum(g(p[i]), (i, 1, k))`` with ``c`` a constant and
    ``g`` a Lambda (the summand depends on ``i`` only through ``p[i]``); else None."""
    f = sp.sympify(f)
    sums = list(f.atoms(sp.Sum))
    if len(sums) != 1 or len(sums[0].limits) != 1:
        return None
    (series,) = sums
    i, lo, k = series.limits[0]
    z = sp.Dummy("z")
    rest = f.xreplace({series: z})
    c = sp.diff(rest, z)
    if lo != 1 or c.has(z) or c.free_symbols or rest.subs(z, 0) != 0 or c == 0:
        return None
    indexed = [a for a in series.function.atoms(sp.Indexed) if a.indices == (i,)]
    if len(indexed) != 1 or len(series.function.atoms(sp.Indexed)) != 1:
        return None
    y = sp.Dummy("y", positive=True)
    g = series.function.xreplace({indexed[0]: y})
    if g.has(i) or not g.has(y) or g.free_symbols - {y}:
        return None
    if k.is_integer is not True or k.is_positive is not True:
        return None
    return c, sp.Lambda(y, g), indexed[0].base, i, k


def optimize_symmetric_sum(objective: sp.Expr, sense: str, *, timeout: float = 60) -> Optimum:
    """The maximum (``sense='max'``) or minimum of a symmetric sum over the simplex (see the
    module docstring), with its proof; ``no_closed_form`` with the reason where a step fails."""
    if not (isinstance(timeout, (int, float)) and timeout > 0):
        raise InvalidParameter(f"timeout must be a positive number of seconds, got {timeout}")
    found = match_symmetric_sum(objective)
    if found is None:
        raise InvalidParameter(f"{objective} is not c * Sum(g(p[i]), (i, 1, k)) with k a "
                               f"positive integer symbol")
    c, g, p, i, k = found
    y = g.variables[0]
    with derivation_budget(timeout) as budget:
        problem = Problem(objective, (), (k,), {y: sp.Interval.open(0, 1)}, (), sense,
                          budget, f"symmetric_sum({k})", objective,
                          objective=objective, original_over=(p,))
        try:
            return _derive(problem, c, g.expr, y, p, i, k)
        except BudgetExceeded:
            problem.steps.append(Step("time budget", objective,
                                      f"ran out of the {timeout:g} s budget"))
            return finish(problem, "no_closed_form", objective, {})


def _derive(problem: Problem, c, g, y, p, i, k) -> Optimum:
    lam = sp.Symbol("lambda_1", real=True)  # as in the Lagrangian of maximize
    pi = p[i]
    problem.steps.append(Step("objective", problem.objective,
                              f"{problem.word} over p_1, ..., p_{k}; domain: 0 < p_i < 1, "
                              f"Sum(p_i, (i, 1, {k})) = 1; the summand "
                              f"{sp.sstr((c * g).xreplace({y: pi}))} depends on i only "
                              f"through p_i"))
    lagrangian = problem.objective - lam * (sp.Sum(pi, (i, 1, k)) - 1)
    problem.steps.append(Step("Lagrangian", lagrangian,
                              "the simplex constraint with a multiplier"))
    dterm = problem.run(sp.simplify, sp.diff(c * g, y) - lam)
    problem.steps.append(Step("stationarity", sp.Eq(dterm.xreplace({y: pi}), 0),
                              f"dL/dp_i for every i = 1, ..., {k}: the same equation in each "
                              f"p_i"))
    common = problem.attempt(sp.solve, dterm, y)
    if common is None or len(common) != 1:
        why = ("sympy did not solve it" if common is None else
               f"it has {len(common)} solutions {sp.sstr(common)}, not one")
        return _give_up(problem, sp.Eq(dterm.xreplace({y: pi}), 0), {},
                        f"the stationarity equation does not force equal p_i: {why}")
    common = common[0]
    problem.steps.append(Step("symmetry", sp.Eq(pi, common),
                              "for each value of the multiplier sympy finds at most this "
                              "one solution, so all p_i are equal"))
    point = sp.S.One / k  # k equal parts summing to 1
    multiplier = problem.attempt(sp.solve, common - point, lam)
    multiplier = [m for m in multiplier or [] if m.is_extended_real is not False
                  and problem.is_zero(dterm.xreplace({y: point, lam: m}))]
    if not multiplier:
        return _give_up(problem, sp.Eq(pi, common), {},
                        f"no real multiplier was found with p_i = 1/{k}")
    problem.steps.append(Step("critical points", sp.Eq(pi, point),
                              f"the constraint {k} * p_i = 1, with the multiplier "
                              f"{sp.sstr(multiplier[0])}"))
    if problem.sign(point) != 1:  # k equal positive parts summing to 1 lie in the simplex
        return _give_up(problem, sp.Eq(pi, point), {},
                        "the stationary point is not shown to be positive")
    value = problem.run(lambda: sp.simplify(sp.expand_log(
        c * sp.Sum(g.xreplace({y: point}), (i, 1, k)).doit(), force=True)))
    problem.steps.append(Step("value at the critical point", value,
                              f"the objective at p_i = 1/{k}, summed by sympy"))
    argopt = {p: sp.Lambda(i, point)}
    second = problem.run(sp.simplify, sp.diff(c * g, y, 2))
    want = -1 if problem.sense == "max" else 1
    word = "concave" if want < 0 else "convex"
    sign = problem.sign(second)
    if sign == -want:
        other = "minimum" if want < 0 else "maximum"
        return _give_up(problem, value, {},
                        f"the summand's second derivative {sp.sstr(second)} has the opposite "
                        f"sign on (0, 1): the stationary point is the global {other}, and the "
                        f"{problem.kind} lies on the boundary of the simplex")
    if sign != want:
        return _give_up(problem, value, argopt,
                        f"the summand's second derivative {sp.sstr(second)} is not shown "
                        f"{'negative' if want < 0 else 'positive'} on (0, 1), so the "
                        f"objective is not shown strictly {word}")
    rule = "concavity" if want < 0 else "convexity"
    problem.steps.append(Step(rule, sp.Eq(sp.Derivative(c * g, (y, 2)), second).xreplace(
                                  {y: pi}),
                              f"each term is strictly {word} in p_i on (0, 1), so the "
                              f"objective is strictly {word} on the (convex) simplex"))
    problem.steps.append(Step("global optimum", value,
                              f"a stationary point of the Lagrangian of a strictly {word} "
                              f"objective under a linear equality constraint is its unique "
                              f"global {problem.kind}"))
    return finish(problem, problem.kind, value, argopt)


def _give_up(problem: Problem, result, argopt: dict, why: str) -> Optimum:
    """Status ``no_closed_form``: ``why`` is the step that could not be taken."""
    if argopt:
        problem.steps.append(Step("candidate", result, "the symmetric stationary point"))
    problem.steps.append(Step("no_closed_form", result, f"the {problem.kind} is not proved: "
                                                        f"{why}"))
    return finish(problem, "no_closed_form", result, argopt)


def _count(k) -> sp.Expr:
    if k is None:
        k = "k"
    if isinstance(k, str):
        k = sp.Symbol(k, integer=True, positive=True)
    k = sp.sympify(k)
    if k.is_integer is not True or k.is_positive is not True:
        raise InvalidParameter(f"the number of outcomes {k} must be a positive integer "
                               f"(e.g. Symbol('k', integer=True, positive=True))")
    return k
