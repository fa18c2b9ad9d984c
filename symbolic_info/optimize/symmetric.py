r"""The entropy of a categorical distribution with a symbolic number of outcomes :math:`k`.

.. math::
    \max_{p}\ -\sum_{i=1}^{k} p_i \log p_i \quad\text{s.t.}\quad \sum_{i=1}^{k} p_i = 1 .

The Lagrangian's stationarity condition :math:`-\log p_i - 1 - \lambda = 0` is the same
equation for every :math:`i`, so all :math:`p_i` equal :math:`e^{-1-\lambda}`; the constraint
gives :math:`p_i = 1/k` and the value :math:`\log k`.  Each term :math:`-x \log x` is strictly
concave (second derivative :math:`-1/x`), so the objective is strictly concave on the convex
simplex and the stationary point of the Lagrangian is the global maximum.
"""

from __future__ import annotations

import sympy as sp

from ..budget import Budget
from ..derive.derivation import Step
from ..errors import BudgetExceeded, InvalidParameter


def maximize_symmetric_entropy(k=None, p=None, index=None, *, timeout: float = 60):
    """The maximum of :math:`-\\sum_{i=1}^k p_i \\log p_i` over the simplex, ``k`` symbolic.

    ``k`` is a positive integer symbol (or name, default ``k``), ``p`` an ``IndexedBase``
    (or name, default ``p``), ``index`` the summation index (default ``i``).
    Returns an :class:`~symbolic_info.optimize.Optimum`; every sympy call runs within
    ``timeout`` seconds (:class:`~symbolic_info.errors.BudgetExceeded` after).
    """
    from .maximize import Optimum
    k = _count(k)
    p = sp.IndexedBase(p or "p") if not isinstance(p, sp.IndexedBase) else p
    i = index if isinstance(index, sp.Symbol) else sp.Symbol(index or "i", integer=True)
    objective = -sp.Sum(p[i] * sp.log(p[i]), (i, 1, k))
    return _derive(objective, p, i, k, Optimum, Budget(float(timeout)))


def match_symmetric_entropy(f, budget: Budget | None = None):
    """``(p, i, k)`` when ``f`` is ``-Sum(p[i]*log(p[i]), (i, 1, k))``, else ``None``."""
    budget = budget or Budget(10.0)
    sign = 1
    expr = f
    if isinstance(expr, sp.Mul) and expr.args[0] == -1 and len(expr.args) == 2:
        sign, expr = -1, expr.args[1]
    if not isinstance(expr, sp.Sum) or len(expr.limits) != 1:
        return None
    i, lo, hi = expr.limits[0]
    if lo != 1:
        return None
    term = sign * expr.function
    indexed = [a for a in term.atoms(sp.Indexed) if a.indices == (i,)]
    if len(indexed) != 1:
        return None
    x = indexed[0]
    try:
        if budget.run(sp.simplify, term - (-x * sp.log(x)), cap=5.0) != 0:
            return None
    except BudgetExceeded:
        return None
    return x.base, i, hi


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


def _derive(objective, p, i, k, Optimum, budget: Budget):
    lam = sp.Symbol("lambda_1", real=True)
    x = sp.Symbol("x", positive=True)
    pi = p[i]
    steps = [Step("objective", objective,
                  f"maximize over p_1, ..., p_{k}; domain: 0 < p_i < 1, "
                  f"Sum(p_i, (i, 1, {k})) = 1")]
    constraint = sp.Sum(pi, (i, 1, k)) - 1
    lagrangian = objective - lam * constraint
    steps.append(Step("Lagrangian", lagrangian, "the simplex constraint with a multiplier"))
    dterm = sp.diff(-x * sp.log(x) - lam * x, x).subs(x, pi)  # d L / d p_i, the same for all i
    steps.append(Step("stationarity", sp.Eq(dterm, 0),
                      f"dL/dp_i for every i = 1, ..., {k}: the same equation in each p_i"))
    common = budget.run(sp.solve, sp.Eq(dterm.subs(pi, x), 0), x, cap=10.0)
    if len(common) != 1:
        raise RuntimeError(f"unexpected stationarity solutions {common}")
    common = common[0]
    steps.append(Step("symmetry", sp.Eq(pi, common),
                      "the equation has this single solution, so all p_i are equal"))
    lam_value = budget.run(sp.solve, sp.Eq(k * common, 1), lam, cap=10.0)
    if len(lam_value) != 1:
        raise RuntimeError(f"unexpected multiplier solutions {lam_value}")
    point = budget.run(sp.simplify, common.subs(lam, lam_value[0]), cap=10.0)
    steps.append(Step("critical points", sp.Eq(pi, point),
                      f"the constraint {k} * p_i = 1 gives lambda_1 = {sp.sstr(lam_value[0])}"))
    value = budget.run(lambda: sp.simplify(sp.expand_log(
        sp.Sum(-point * sp.log(point), (i, 1, k)).doit(), force=True)), cap=10.0)
    steps.append(Step("value at the critical point", value, f"{k} * (-(1/{k}) log(1/{k}))"))
    second = sp.diff(-x * sp.log(x), x, 2)
    if not second.is_negative:
        raise RuntimeError("-x log x is not shown strictly concave")
    steps.append(Step("concavity", sp.Eq(sp.Derivative(-x * sp.log(x), (x, 2)), second),
                      "each term -p_i log p_i is strictly concave on (0, 1), so the objective "
                      "is strictly concave on the (convex) simplex"))
    steps.append(Step("global optimum", value,
                      "a stationary point of the Lagrangian of a strictly concave objective "
                      "under a linear equality constraint is its unique global maximum"))
    return Optimum(name=f"maximize_categorical_entropy({k})", quantity="maximize",
                   result=value, status="maximum", conditions=sp.true, steps=tuple(steps),
                   parameters=(k,), sense="max", argopt={p: sp.Lambda(i, point)},
                   argopts=({p: sp.Lambda(i, point)},),
                   objective=objective, over=(p,))
