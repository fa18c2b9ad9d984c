r"""The partial-optimisation (profile) argument for a global optimum in two variables.

If :math:`f(x, y)` is strictly convex in :math:`x` for every :math:`y` (for a minimum; concave
for a maximum) and :math:`\partial_x f = 0` has the solution :math:`x = g(y)` inside the
domain, then :math:`g(y)` is the unique minimiser in :math:`x` and
:math:`f(x, y) \ge \varphi(y) = f(g(y), y)`.  The profile :math:`\varphi` is a function of one
variable on an open interval: if it is strictly convex there, or its only critical point
(all of them found by ``solveset``) is a strict local minimum, that point is its global
minimum, and so :math:`(g(y^*), y^*)` is the global minimum of :math:`f`.
"""

from __future__ import annotations

import sympy as sp

from ..derive.derivation import Step
from .problem import Problem


def profile_argument(problem: Problem, point: dict, value) -> bool:
    """Try each variable as the inner one; on success append the steps and return True."""
    if len(problem.over) != 2 or problem.equalities:
        return False
    for x in problem.over:
        if _profile(problem, x, point, value):
            return True
    return False


def _profile(problem: Problem, x, point, value) -> bool:
    want = -1 if problem.sense == "max" else 1
    word = "concave" if want < 0 else "convex"
    kind = "maximum" if want < 0 else "minimum"
    f = problem.f
    (y,) = [v for v in problem.over if v != x]
    d2 = problem.simplified(sp.diff(f, x, 2))
    if problem.sign(d2) != want:
        return False
    sols = problem.attempt(sp.solve, sp.diff(f, x), x, dict=True)
    if sols is None:
        return False
    inner = [s[x] for s in sols if x in s and problem.inside(x, s[x]) is True
             and s[x].xreplace(problem.positive_form()).is_extended_real is True]
    if len(inner) != 1 or inner[0].has(x):
        return False
    g = inner[0]
    phi = problem.simplified(f.subs(x, g))
    if phi.has(x) or not phi.has(y):
        return False
    ystar = point[y]
    if problem.simplified(g.subs(y, ystar) - point[x]) != 0:
        return False
    if problem.simplified(phi.subs(y, ystar) - value) != 0:
        return False
    phi2 = problem.simplified(sp.diff(phi, y, 2))
    if problem.sign(phi2) == want:
        why = f"the profile is strictly {word} in {y} on {problem.domains[y]}"
    else:
        crit = problem.critical_points(phi, y)
        if crit is None or len(crit) != 1 or problem.simplified(crit[0] - ystar) != 0:
            return False
        local = problem.simplified(phi2.subs(y, ystar))
        if problem.sign(local) != want:
            return False
        why = (f"the profile's only critical point on {problem.domains[y]} (all found by "
               f"solveset) is {y} = {sp.sstr(ystar)}, where its second derivative "
               f"{sp.sstr(local)} has the right sign: a strict local {kind} that is the only "
               f"critical point of a function of one variable on an open interval is its "
               f"global {kind}")
    problem.steps.append(Step("partial optimisation", sp.Eq(sp.Derivative(f, x, 2), d2),
                              f"for every fixed {y} the objective is strictly {word} in {x}, "
                              f"so its only critical point {x} = {sp.sstr(g)} is the {kind} "
                              f"over {x}"))
    problem.steps.append(Step("profile", phi, f"the {kind} over {x} as a function of {y}: "
                              f"f({x}, {y}) {'>=' if want > 0 else '<='} profile({y})"))
    problem.steps.append(Step("profile derivative",
                              problem.simplified(sp.diff(phi, y)), why))
    problem.steps.append(Step("global optimum", value,
                              f"f({x}, {y}) {'>=' if want > 0 else '<='} profile({y}) "
                              f"{'>=' if want > 0 else '<='} profile({sp.sstr(ystar)}) = value "
                              f"at the critical point, so it is the global {kind}"))
    return True
