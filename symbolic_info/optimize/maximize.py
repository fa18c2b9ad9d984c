r"""Global optima of derived quantities: :func:`maximize` and :func:`minimize`.

The proof is a list of :class:`~symbolic_info.derive.derivation.Step`: the objective and its
domain (each parameter's family constraint, e.g. :math:`0 < p < 1`, plus equality relations
such as the simplex :math:`\sum_i p_i = 1` of a categorical), the gradient (of the Lagrangian
when there are equality constraints), the critical points inside the domain, the second-order
test (Hessian, or bordered Hessian), and a global argument: concavity/convexity on the whole
domain; in one variable, a complete list of critical points (``solveset``) with a unique strict
local optimum, or all of them compared with the limits at both ends (:mod:`.onedim`; several
optimal points are a tie, listed in ``argopts``); in two variables, a partial-optimisation
(profile) argument (:mod:`.profile`).  A candidate whose global optimality is not proved has
status ``no_closed_form`` (the candidate stays in the steps).  When there is no interior
critical point and a partial derivative has one sign on the whole domain, the optimum is
approached at the boundary and the limit that shows it is a step (status ``unbounded``, or
``supremum`` / ``infimum`` for a finite bound that is not attained).  Inequality relations
between parameters (the uniform family's ``a < b``) narrow the domain or change variables
(:mod:`.domain`).  The entropy of a discrete family over one parameter, an unevaluated series,
is argued from the family's pmf (:mod:`.series`); a symmetric sum over a simplex of symbolic
size by symmetry (:mod:`.symmetric`).  The shared record and helpers are in :mod:`.problem`.

Signs are decided symbolically by writing each parameter through a positive variable
(:math:`p = t/(1+t)` on :math:`(0, 1)`, :math:`\sigma = t` on :math:`(0, \infty)`); what sympy
cannot decide is said so in a step's note rather than assumed.
"""

from __future__ import annotations

import sympy as sp

from ..budget import Budget
from ..derive.derivation import Derivation, Step
from ..errors import BudgetExceeded, InvalidParameter
from ..families.spec import (
    NEGATIVE,
    NONNEGATIVE,
    POSITIVE,
    PROBABILITY,
    REAL,
    UNIT_INTERVAL,
    Constraint,
    constraint_from_assumptions,
)
from ..scope import derivation_budget
from .domain import apply_inequalities
from .onedim import one_variable_argument
from .problem import CAP, OPTIMUM_STATUSES, Optimum, Problem, finish
from .profile import profile_argument
from .series import series_argument
from .symmetric import match_symmetric_sum, maximize_symmetric_entropy, optimize_symmetric_sum

__all__ = ["OPTIMUM_STATUSES", "Optimum", "maximize", "maximize_symmetric_entropy", "minimize"]

_INTERVALS = {
    id(REAL): sp.Interval(-sp.oo, sp.oo),
    id(POSITIVE): sp.Interval.open(0, sp.oo),
    id(UNIT_INTERVAL): sp.Interval.open(0, 1),
    id(PROBABILITY): sp.Interval(0, 1),
    id(NONNEGATIVE): sp.Interval(0, sp.oo),
    id(NEGATIVE): sp.Interval.open(-sp.oo, 0),
}


def maximize(d, over=None, *, timeout: float = 60) -> Optimum:
    """The global maximum of ``d`` (a Derivation or sympy expression) over ``over``.

    ``over`` is a parameter (name or symbol) or a list of them; default: all parameters.
    The other parameters stay symbolic.  A symmetric sum over a simplex of symbolic size,
    such as the categorical entropy ``-Sum(p[i]*log(p[i]), (i, 1, k))`` with ``p`` an
    ``IndexedBase`` (``Sum(p[i], (i, 1, k)) = 1``), is optimised by symmetry
    (:func:`~symbolic_info.optimize.symmetric.optimize_symmetric_sum`).
    """
    return _dispatch(d, over, "max", timeout)


def minimize(d, over=None, *, timeout: float = 60) -> Optimum:
    """The global minimum of ``d`` (a Derivation or sympy expression) over ``over``."""
    return _dispatch(d, over, "min", timeout)


def _dispatch(d, over, sense: str, timeout: float) -> Optimum:
    if not isinstance(d, Derivation) and isinstance(d, sp.Basic) and d.has(sp.Indexed):
        match = match_symmetric_sum(d)
        if match is not None:
            return optimize_symmetric_sum(d, sense, timeout=timeout)
    return _optimize(d, over, sense, timeout)


# -- the problem -------------------------------------------------------------------------------
def _optimize(d, over, sense: str, timeout: float) -> Optimum:
    if not (isinstance(timeout, (int, float)) and timeout > 0):
        raise InvalidParameter(f"timeout must be a positive number of seconds, got {timeout}")
    with derivation_budget(timeout) as budget:
        problem = _problem(d, over, sense, budget)
        try:
            return _solve(problem)
        except BudgetExceeded as exc:
            what = (f"ran out of the {timeout:g} s budget" if problem.budget.expired else
                    f"a sympy call ran out of its cap: {exc}")
            problem.steps.append(Step("time budget", problem.f, what))
            return finish(problem, "no_closed_form", problem.f, {})


def _problem(d, over, sense: str, budget: Budget) -> Problem:
    if isinstance(d, Derivation):
        f, parameters, name = d.result, tuple(d.parameters), d.name
        constraints = _family_constraints(d)
        relations = [r for m in (d.p, d.q) if m is not None for r in m.relations()]
    else:
        try:
            f = sp.sympify(d)
        except (sp.SympifyError, TypeError) as exc:
            raise InvalidParameter(f"cannot optimise {d!r}: not a Derivation or an "
                                   f"expression") from exc
        if not isinstance(f, sp.Expr):
            raise InvalidParameter(f"cannot optimise {d!r}: not a Derivation or an expression")
        parameters = tuple(sorted(f.free_symbols, key=lambda s: s.name))
        name, constraints, relations = "expression", {}, []
    if not parameters:
        raise InvalidParameter(f"{name} has no parameters to optimise over")
    chosen = _chosen(over, parameters, name)
    domains = {}
    for s in parameters:
        constraint = constraints.get(s) or constraint_from_assumptions(s)
        domains[s] = _interval(s, constraint, s in chosen)
    equalities = tuple(sp.expand(r.lhs - r.rhs) for r in relations
                       if isinstance(r, sp.Equality) and r.free_symbols & set(chosen))
    rest = tuple(s for s in parameters if s not in chosen)
    problem = Problem(f, chosen, rest, domains, equalities, sense, budget, name, d,
                       objective=f, original_over=chosen)
    apply_inequalities(problem, relations)
    return problem


def _family_constraints(d: Derivation) -> dict[sp.Symbol, Constraint]:
    out: dict[sp.Symbol, Constraint] = {}
    for member in (d.p, d.q):
        if member is None:
            continue
        for param, value in zip(member.spec.params, member.values):
            if isinstance(value, sp.Symbol) and value not in out:
                out[value] = param.constraint
    return out


def _chosen(over, parameters, name) -> tuple[sp.Symbol, ...]:
    if over is None:
        return tuple(parameters)
    items = [over] if isinstance(over, (str, sp.Symbol)) else list(over)
    by_name = {s.name: s for s in parameters}
    chosen = []
    for item in items:
        key = item.name if isinstance(item, sp.Symbol) else str(item)
        if key not in by_name:
            raise InvalidParameter(
                f"{key!r} is not a parameter of {name}; its parameters are "
                f"{', '.join(by_name)}")
        if by_name[key] not in chosen:
            chosen.append(by_name[key])
    if not chosen:
        raise InvalidParameter(f"nothing to optimise over; the parameters of {name} are "
                               f"{', '.join(by_name)}")
    return tuple(chosen)


def _interval(s: sp.Symbol, constraint: Constraint, chosen: bool) -> sp.Interval:
    """The domain of ``s``.  An integer parameter cannot be optimised over; one that stays
    fixed (the binomial ``n``) gets the real interval around its values, so that a sign shown
    there holds at every integer value."""
    assumptions = dict(constraint.assumptions)
    if assumptions.get("integer"):
        if chosen:
            raise InvalidParameter(f"{s} is {constraint.description}: optimising over an "
                                   f"integer parameter is not supported")
        if assumptions.get("positive"):
            return sp.Interval.open(0, sp.oo)
        if assumptions.get("nonnegative"):
            return sp.Interval(0, sp.oo)
    return _INTERVALS.get(id(constraint), sp.Interval(-sp.oo, sp.oo))


# -- the proof -----------------------------------------------------------------------------------
def _solve(problem: Problem) -> Optimum:
    f, over = problem.f, problem.over
    problem.steps.insert(0, Step("objective", problem.objective, f"{problem.word} over "
                                 f"{', '.join(map(str, problem.original_over))}; domain: "
                                 f"{problem.domain_text()}"))
    idle = [s for s in over if not f.has(s) and not any(g.has(s) for g in problem.equalities)]
    if idle:
        problem.steps.append(Step("independent parameters", sp.Tuple(*idle),
                                  "the objective does not depend on them: any value is optimal"))
        problem.over = tuple(s for s in over if s not in idle)
        problem.idle = tuple(idle)
        if not problem.over:
            return finish(problem, "maximum" if problem.sense == "max" else "minimum", f,
                           {s: s for s in idle})
    over = problem.over
    series = f.has(sp.Sum, sp.Integral, sp.Product)
    grad = [sp.diff(f, s) if series else problem.simplified(sp.diff(f, s), cap=CAP)
            for s in over]
    problem.steps.append(Step("gradient", sp.Matrix(grad),
                              f"partial derivatives in {', '.join(map(str, over))}"))
    lambdas: tuple[sp.Symbol, ...] = ()
    if problem.equalities:
        lambdas = tuple(sp.Symbol(f"lambda_{i + 1}", real=True)
                        for i in range(len(problem.equalities)))
        lagrangian = f - sum(lam * g for lam, g in zip(lambdas, problem.equalities))
        problem.steps.append(Step("Lagrangian", lagrangian,
                                  "equality constraints with Lagrange multipliers"))
        equations = [sp.diff(lagrangian, s) for s in over] + list(problem.equalities)
    else:
        equations = list(grad)
    system = sp.Tuple(*[sp.Eq(e, 0, evaluate=False) for e in equations])
    problem.steps.append(Step("stationarity", system, "critical points solve these equations"))
    if series:
        found = series_argument(problem)
        if isinstance(found, tuple):
            status, value, argopts = found
            return finish(problem, status, value, argopts[0], argopts=argopts)
        # the series argument already tried the derivative's sign
        return _no_critical_points(problem, None if found else grad, solved=False, why=found)
    solutions = problem.attempt(sp.solve, equations, list(over) + list(lambdas), dict=True)
    if solutions is None:
        return _no_critical_points(problem, grad, solved=False)
    points, undecided = [], False
    for sol in solutions:
        if not all(s in sol for s in over):
            continue
        point = {s: sol[s] for s in over}
        verdicts = [problem.inside(s, v) for s, v in point.items()]
        if False in verdicts:
            continue
        if None in verdicts:
            undecided = True
            problem.conditions += [problem.domains[s].as_relational(v)
                                   for s, v in point.items()]
        points.append(point)
    note = "inside the domain" + (" (membership not decided: see conditions)"
                                  if undecided else "")
    problem.steps.append(Step("critical points",
                              sp.Tuple(*[sp.Dict(p) for p in points]), note))
    if not points:
        return _no_critical_points(problem, grad, solved=True)
    return _with_critical_points(problem, points, lambdas, solutions)


def _better(problem: Problem, a: sp.Expr, b: sp.Expr) -> bool | None:
    sign = problem.sign(a - b)
    if sign is None:
        return None
    return sign > 0 if problem.sense == "max" else sign < 0


def _with_critical_points(problem, points, lambdas, solutions) -> Optimum:
    f, over = problem.f, problem.over
    values = [problem.value(f, p) for p in points]
    best = 0
    for i in range(1, len(points)):
        if _better(problem, values[i], values[best]):
            best = i
    point, value = points[best], values[best]
    problem.steps.append(Step("value at the critical point", value,
                              ", ".join(f"{s} = {sp.sstr(v)}" for s, v in point.items())))
    want = -1 if problem.sense == "max" else 1  # the sign definiteness must have
    if problem.equalities:
        sol = next(s for s in solutions if all(s.get(v) == point[v] for v in over))
        lam = {lmb: sol.get(lmb, lmb) for lmb in lambdas}
        lagrangian = f - sum(lm * g for lm, g in zip(lambdas, problem.equalities))
        hess = sp.hessian(lagrangian, over)
        jac = sp.Matrix([[sp.diff(g, s) for s in over] for g in problem.equalities])
        m = jac.rows
        bordered = sp.BlockMatrix([[sp.zeros(m, m), jac], [jac.T, hess]]).as_explicit()
        problem.steps.append(Step("bordered Hessian", bordered,
                                  "Hessian of the Lagrangian bordered by the constraint "
                                  "gradients"))
        basis = jac.subs(point).nullspace()
        z = sp.Matrix.hstack(*basis) if basis else sp.zeros(len(over), 0)
        reduced_all = (z.T * hess.subs(lam) * z) if basis else sp.zeros(0, 0)
        local = _definite(problem, reduced_all.subs(point), want, pointwise=True)
        problem.steps.append(Step("second-order test", reduced_all.subs(point).applyfunc(
            lambda e: problem.simplified(e)),
            _definite_note(local, want, "on the constraints' tangent space")))
        linear = all(sp.Poly(g, *over).total_degree() <= 1 for g in problem.equalities)
        whole = _definite(problem, z.T * sp.hessian(f, over) * z, want) if linear and basis \
            else None
    else:
        hess = sp.hessian(f, over)
        problem.steps.append(Step("Hessian", hess.applyfunc(
            lambda e: problem.run(sp.simplify, e, cap=5.0)), ""))
        at_point = hess.subs(point).applyfunc(lambda e: problem.run(sp.simplify, e, cap=5.0))
        local = _definite(problem, at_point, want, pointwise=True)
        problem.steps.append(Step("second-order test", at_point,
                                  _definite_note(local, want, "at the critical point")))
        whole = _definite(problem, hess, want)
    kind = "maximum" if problem.sense == "max" else "minimum"
    if whole:
        word = "concave" if problem.sense == "max" else "convex"
        problem.steps.append(Step("global optimum", value,
                                  f"the objective is strictly {word} on the whole (convex) "
                                  f"domain, so the critical point is the global {kind}"))
        return finish(problem, kind, value, point)
    if len(over) == 1 and not problem.equalities:
        found = one_variable_argument(problem, point, value, local)
        if found is not None:
            status, result, argopts = found
            return finish(problem, status, result, argopts[0], argopts=argopts)
    if local is False:
        problem.steps.append(Step("no optimum", value, "the critical point is not a strict "
                                  f"local {problem.sense}imum"))
        return _no_critical_points(problem, None, solved=True, checked_monotone=False)
    if local is None:
        return _unproved(problem, value, point, "the second-order test was not decided "
                                                "symbolically")
    if problem.equalities:
        return _unproved(problem, value, point, "the Lagrangian is not shown concave/convex "
                                                "on the constraint set")
    if len(over) == 1:
        return _unproved(problem, value, point, "the critical points were not shown complete "
                                                "or the comparison with the boundary was not "
                                                "decided")
    if profile_argument(problem, point, value):
        return finish(problem, kind, value, point)
    return _unproved(problem, value, point, "neither concavity/convexity on the whole domain "
                                            "nor a partial-optimisation (profile) argument "
                                            "was established")


def _unproved(problem, value, point, why: str) -> Optimum:
    """A candidate without a proof of global optimality: status ``no_closed_form``."""
    kind = "maximum" if problem.sense == "max" else "minimum"
    problem.steps.append(Step("candidate", value, ", ".join(
        f"{s} = {sp.sstr(v)}" for s, v in point.items())
        + f": a critical point (strict local {kind} where the second-order test decided it)"))
    problem.steps.append(Step("no_closed_form", value,
                              f"global optimality is not proved: {why}"))
    return finish(problem, "no_closed_form", value, point)


def _definite(problem, matrix: sp.Matrix, want: int, pointwise: bool = False) -> bool | None:
    """Whether ``want``-definite (-1: negative definite, +1: positive) by Sylvester's criterion
    on the whole domain; None if undecided."""
    n = matrix.rows
    if n == 0:
        return True
    for k in range(1, n + 1):
        minor = matrix[:k, :k].det() if k > 1 else matrix[0, 0]
        expected = want ** k
        sign = problem.sign(minor)
        if sign is None:
            return None
        if sign != expected:
            return False if pointwise else None
    return True


def _definite_note(verdict, want: int, where: str) -> str:
    kind = "negative" if want < 0 else "positive"
    if verdict is True:
        return f"{kind} definite {where} (leading principal minors)"
    if verdict is False:
        return f"not {kind} definite {where}"
    return f"definiteness {where} not decided symbolically"


def _no_critical_points(problem, grad, *, solved: bool, checked_monotone: bool = True,
                        why: str | None = None) -> Optimum:
    """No interior critical point: monotone in some parameter, or give up honestly (``why``:
    what a special argument could not establish)."""
    f = problem.f
    if grad is not None and checked_monotone:
        for s, g in zip(problem.over, grad):
            sign = problem.sign(g)
            if sign in (None, 0):
                continue
            increasing = sign > 0
            dom = problem.domains[s]
            end = dom.sup if increasing == (problem.sense == "max") else dom.inf
            problem.steps.append(Step("monotone", g, f"d/d{s} is "
                                      f"{'positive' if increasing else 'negative'} on the "
                                      f"whole domain: the {problem.sense}imum is approached "
                                      f"as {s} -> {end}"))
            lim = problem.limit(f, s, end)
            if lim is None:
                break
            problem.steps.append(Step("limit", sp.Eq(problem.limit_expr(f, s, end), lim), ""))
            if lim in (sp.oo, -sp.oo):
                return finish(problem, "unbounded", lim, {s: end})
            rest = [v for v in problem.over if v != s]
            if lim.free_symbols & set(rest):
                break  # the bound still depends on other optimised parameters
            status = "supremum" if problem.sense == "max" else "infimum"
            argopt = {s: end}
            if dom.contains(end) is sp.true:
                status = "maximum" if problem.sense == "max" else "minimum"
            argopt.update({v: v for v in rest})
            return finish(problem, status, problem.run(sp.simplify, lim), argopt)
    note = ("stationarity equations not solved" if not solved else
            "no interior critical point and no monotone parameter found")
    if why:
        note += f"; {why}"
    eqs = [st.expr for st in problem.steps if st.rule == "stationarity"]
    return finish(problem, "no_closed_form", eqs[-1] if eqs else f, {}, note=note)

