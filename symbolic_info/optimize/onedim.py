r"""The global optimum of a function of one variable on an interval, ties included.

Let :math:`f` be continuously differentiable on the open interval :math:`(l, u)` with finitely
many critical points :math:`c_1 < \dots < c_m` (all of them, found by ``solveset``).  Between
consecutive critical points :math:`f'` has one sign (intermediate value theorem), so :math:`f`
is monotone on each piece and

.. math::
    \sup_{(l, u)} f = \max\bigl(f(c_1), \dots, f(c_m), \lim_{x \to l^+} f, \lim_{x \to u^-} f
    \bigr).

The supremum is attained at every critical point whose value equals it (several: a tie), and
at a closed end of the domain when the limit there equals it (the value at the end taken by
continuity, e.g. :math:`0 \log 0 = 0`); otherwise it is only approached at an open end
(status ``supremum``/``infimum``, or ``unbounded`` for an infinite limit).  The infimum is the
same with min.
"""

from __future__ import annotations

import sympy as sp
from sympy.calculus.util import continuous_domain

from ..derive.derivation import Step
from .problem import Problem

_NONSMOOTH = (sp.Abs, sp.sign, sp.Piecewise, sp.Heaviside, sp.DiracDelta, sp.Min, sp.Max,
              sp.floor, sp.ceiling)


def _compare(problem: Problem, a, b) -> int | None:
    """The sign of ``a - b`` on the whole domain (infinite values allowed); None if undecided."""
    if a == b:
        return 0
    if a in (sp.oo, -sp.oo) or b in (sp.oo, -sp.oo):
        return 1 if a == sp.oo or b == -sp.oo else -1
    return problem.sign(a - b)


def _smooth(problem: Problem, s) -> bool:
    """Whether df/ds is continuous on the open domain of ``s`` (so the lemma applies)."""
    g = sp.diff(problem.f, s)
    if g.has(*_NONSMOOTH):
        return False
    dom = problem.domains[s]
    interval = sp.Interval.open(dom.inf, dom.sup)
    real = sp.Dummy(s.name, real=True)
    found = problem.attempt(continuous_domain, g.subs(s, real), real, interval, cap=5.0)
    return found is not None and found == interval


def one_variable_argument(problem: Problem, point: dict, value, local) -> tuple | None:
    """``(status, value, optimal points)`` by the lemma above, the steps appended; or None.

    ``point``/``value`` is the best critical point found by ``solve`` and ``local`` its
    second-order verdict (True: strict local optimum).
    """
    (s,) = problem.over
    kind = "maximum" if problem.sense == "max" else "minimum"
    dom = problem.domains[s]
    complete = problem.critical_points(problem.f, s)
    if complete is None:
        return None
    if local is True and len(complete) == 1 and problem.sign(complete[0] - point[s]) == 0:
        problem.steps.append(Step("global optimum", value,
                                  f"the critical points of the objective on {dom} are exactly "
                                  f"{sp.sstr(complete)}: a differentiable function of one "
                                  f"variable on an open interval whose only critical point is "
                                  f"a strict local {kind} has its global {kind} there (a "
                                  f"better point would force a second critical point between "
                                  f"them)"))
        return kind, value, [point]
    if not _smooth(problem, s):
        return None
    candidates = [({s: c}, problem.value(problem.f, {s: c}), True) for c in complete]
    for end in (dom.inf, dom.sup):
        lim = problem.limit(problem.f, s, end)
        if lim is None:
            problem.steps.append(Step("boundary", problem.limit_expr(problem.f, s, end),
                                      "limit not found"))
            return None
        problem.steps.append(Step("boundary", sp.Eq(problem.limit_expr(problem.f, s, end), lim),
                                  f"{s} -> {end}"))
        candidates.append(({s: end}, lim, dom.contains(end) is sp.true))
    return _best(problem, s, candidates, len(complete))


def _best(problem: Problem, s, candidates, n_critical: int) -> tuple | None:
    want = 1 if problem.sense == "max" else -1
    best = candidates[0][1]
    for _, v, _ in candidates[1:]:
        order = _compare(problem, v, best)
        if order is None:
            return None
        if order == want:
            best = v
    ties = []
    for cand in candidates:
        order = _compare(problem, cand[1], best)
        if order is None:
            return None
        if order == 0:
            ties.append(cand)
    attained = [where for where, _, reached in ties if reached]
    kind = "maximum" if problem.sense == "max" else "minimum"
    where = ", ".join(f"{s} = {sp.sstr(w[s])}" for w, _, _ in candidates)
    problem.steps.append(Step("candidates", sp.Tuple(*[v for _, v, _ in candidates]),
                              f"the values at the {n_critical} critical point(s) and the "
                              f"limits at the ends, at {where}"))
    lemma = (f"f' is continuous on the open interval and vanishes only at the critical points "
             f"found, so f is monotone between them: the {'supremum' if want > 0 else 'infimum'}"
             f" is the {'largest' if want > 0 else 'smallest'} of these values")
    if attained:
        problem.steps.append(Step("global optimum", best, f"{lemma}; it is attained, so it is "
                                                          f"the global {kind}"))
        if len(attained) > 1:
            problem.steps.append(Step("tie", sp.Tuple(*[sp.Dict(a) for a in attained]),
                                      f"the global {kind} {sp.sstr(best)} is attained at each "
                                      f"of these {len(attained)} points"))
        return kind, best, attained
    ends = [w for w, _, _ in ties]
    if best in (sp.oo, -sp.oo):
        status = "unbounded"
    else:
        status = "supremum" if want > 0 else "infimum"
    problem.steps.append(Step(status, best, f"{lemma}; it is only approached, as "
                                            + " or ".join(f"{s} -> {sp.sstr(w[s])}"
                                                          for w in ends)))
    return status, best, ends
