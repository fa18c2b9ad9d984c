r"""Inequality relations between parameters in the optimisation domain.

A family may require its parameters to satisfy a relation jointly, e.g. the uniform family's
:math:`a < b`.  Written :math:`h > 0` (or :math:`h \ge 0`) with :math:`h` linear in the
optimised parameters:

* one optimised parameter :math:`s` in :math:`h = c\,s + r` (:math:`c` of known sign): the
  relation is the bound :math:`s > -r/c` (:math:`c > 0`) or :math:`s < -r/c`, intersected
  with the domain of :math:`s` (so ``b`` ranges over :math:`(a, \infty)` when ``a`` is
  fixed); critical points outside are discarded and the boundary analysis runs on it;
* several optimised parameters: a parameter :math:`s` with the whole line as its domain is
  replaced by a new variable :math:`\delta_s = h > 0` (:math:`s = (\delta_s - r)/c`), which
  turns the domain into a box; the optimum is mapped back at the end.
"""

from __future__ import annotations

import sympy as sp

from ..derive.derivation import Step
from ..errors import InvalidParameter

_STRICT = (sp.StrictLessThan, sp.StrictGreaterThan)
_LESS = (sp.StrictLessThan, sp.LessThan)
_GREATER = (sp.StrictGreaterThan, sp.GreaterThan)


def inequalities(relations) -> list[tuple[sp.Expr, bool, sp.Basic]]:
    """``(h, strict, relation)`` for each inequality relation, meaning ``h > 0`` (``>= 0``)."""
    out = []
    for r in relations:
        if isinstance(r, _LESS):
            h = r.rhs - r.lhs
        elif isinstance(r, _GREATER):
            h = r.lhs - r.rhs
        else:
            continue
        out.append((sp.expand(h), isinstance(r, _STRICT), r))
    return out


def apply_inequalities(problem, relations) -> None:
    """Put the inequality ``relations`` into ``problem``'s domain (in place)."""
    for h, strict, relation in inequalities(relations):
        h = sp.expand(h.xreplace(problem.changes))
        involved = [s for s in problem.over if h.has(s)]
        if not involved and not any(relation.has(s) for s in problem.original_over):
            continue  # a relation among the fixed parameters only
        problem.relations += (relation,)
        if len(involved) == 1:
            _narrow(problem, involved[0], h, strict, relation)
        elif involved:
            _substitute(problem, involved, h, strict, relation)


def _linear(h: sp.Expr, s: sp.Symbol) -> tuple[sp.Expr, sp.Expr] | None:
    """``(c, r)`` with ``h = c*s + r``, ``c`` of known sign and free of ``s``; else None."""
    c = sp.diff(h, s)
    if c.has(s) or not (c.is_positive or c.is_negative):
        return None
    return c, sp.expand(h - c * s)


def _narrow(problem, s: sp.Symbol, h: sp.Expr, strict: bool, relation) -> None:
    found = _linear(h, s)
    if found is None:
        raise InvalidParameter(f"the relation {relation} is not linear in {s}: optimising "
                               f"over {s} under it is not supported")
    c, r = found
    bound = problem.attempt(sp.simplify, -r / c, cap=3.0)
    bound = -r / c if bound is None else bound
    old = problem.domains[s]
    if c.is_positive:
        new = sp.Interval(bound, sp.oo, left_open=strict)
    else:
        new = sp.Interval(-sp.oo, bound, right_open=strict)
    dom = old.intersect(new)
    if not isinstance(dom, sp.Interval):
        if c.is_positive:
            dom = sp.Interval(sp.Max(old.inf, bound), old.sup,
                              left_open=strict or old.left_open, right_open=old.right_open)
        else:
            dom = sp.Interval(old.inf, sp.Min(old.sup, bound),
                              left_open=old.left_open, right_open=strict or old.right_open)
    problem.domains[s] = dom


def _substitute(problem, involved, h: sp.Expr, strict: bool, relation) -> None:
    whole = sp.Interval(-sp.oo, sp.oo)
    for s in reversed(involved):  # the later parameter: b = a + delta_b for a < b
        found = _linear(h, s)
        if found is None or problem.domains[s] != whole or not found[0].is_number:
            continue
        c, r = found
        w = sp.Symbol(f"delta_{s.name}", positive=True) if strict else \
            sp.Symbol(f"delta_{s.name}", nonnegative=True)
        expr = (w - r) / c
        problem.changes[s] = expr
        problem.inverse[w] = h.xreplace(problem.inverse)
        problem.f = problem.f.subs(s, expr)
        problem.equalities = tuple(sp.expand(g.subs(s, expr)) for g in problem.equalities)
        problem.over = tuple(w if v == s else v for v in problem.over)
        problem.domains[w] = sp.Interval(0, sp.oo, left_open=strict)
        problem.steps.append(Step(
            "change of variables", sp.Eq(s, expr),
            f"{w} = {sp.sstr(h)} {'>' if strict else '>='} 0 turns the relation "
            f"{sp.sstr(relation)} into a bound on {w} alone (the domain becomes a box)"))
        return
    raise InvalidParameter(
        f"optimising jointly over {', '.join(map(str, involved))} under the relation "
        f"{relation} is not supported: none of them is a real parameter in which the "
        f"relation is linear")


def map_back(problem, point: dict) -> dict:
    """A point in the new variables written in the original parameters."""
    if not problem.changes:
        return dict(point)
    out = {}
    new = set(problem.inverse)
    for s in problem.original_over:
        if s in problem.changes:
            if problem.changes[s].free_symbols & new <= set(point):
                out[s] = problem.changes[s].subs(point)
        elif s in point:
            out[s] = point[s]
    return out
