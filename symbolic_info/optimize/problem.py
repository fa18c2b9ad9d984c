r"""The shared record of an optimisation: :class:`Optimum` (the result) and :class:`Problem`
(the work in progress), with the helpers every argument uses.

A :class:`Problem` holds the objective, the optimised parameters and their domains (intervals,
narrowed by relations such as :math:`a < b`), equality constraints, the steps so far and the
time budget.  Its methods decide signs on the whole domain (each parameter written through a
positive variable: :math:`p = t/(1+t)` on :math:`(0, 1)`, :math:`\sigma = t` on
:math:`(0, \infty)`), take limits at the ends of a domain, find every critical point of a
function of one variable, and run sympy calls under the budget.  :func:`finish` turns a
problem into its :class:`Optimum`.  The arguments (:mod:`.maximize`, :mod:`.onedim`,
:mod:`.profile`, :mod:`.series`, :mod:`.symmetric`) import these public names only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from ..budget import Budget
from ..derive.derivation import Derivation, Step
from ..errors import BudgetExceeded
from .domain import map_back

__all__ = ["CAP", "OPTIMUM_STATUSES", "Optimum", "Problem", "finish"]

OPTIMUM_STATUSES = ("maximum", "minimum", "supremum", "infimum", "unbounded", "no_closed_form")
CAP = 10.0  # seconds for one sympy call (within the overall budget)


@dataclass(frozen=True)
class Optimum(Derivation):
    """The global optimum of a quantity over some of its parameters, with its proof.

    ``result`` is the optimal value (the supremum/infimum, or ``oo``/``-oo`` when unbounded),
    ``argopt`` the optimising parameter values (a parameter at a boundary value such as ``oo``
    when the optimum is only approached there), ``objective`` the optimised expression,
    ``over`` the optimised parameters; ``parameters`` are those that stay symbolic.
    ``argopts`` lists every optimal point (a tuple of dicts) when the optimum is tied, e.g.
    the two minimisers of :math:`x^4 - x^2`; ``argopt`` is its first entry, and a ``tie``
    step states the tie.
    """

    sense: str = "max"
    argopt: dict = field(default_factory=dict, compare=False, hash=False)
    objective: Any = None
    over: tuple = ()
    argopts: tuple = field(default=(), compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.status not in OPTIMUM_STATUSES:
            raise ValueError(f"status must be one of {OPTIMUM_STATUSES}, got {self.status!r}")
        if self.sense not in ("max", "min"):
            raise ValueError(f"sense must be 'max' or 'min', got {self.sense!r}")

    def status_text(self) -> str:
        """The status of the optimum in words."""
        return {"maximum": "maximum, attained", "minimum": "minimum, attained",
                "supremum": "supremum, approached but not attained",
                "infimum": "infimum, approached but not attained",
                "unbounded": "unbounded",
                "no_closed_form": "no optimum proved in closed form"}[self.status]

    @property
    def argmax(self) -> dict | None:
        return dict(self.argopt) if self.sense == "max" else None

    @property
    def argmin(self) -> dict | None:
        return dict(self.argopt) if self.sense == "min" else None

    def latex(self, standalone: bool = False) -> str:
        """The proof as numbered LaTeX steps (an ``align*`` block, or a whole document)."""
        from .latex import render
        return render(self, standalone=standalone)

    def latex_section(self, numbered: bool = True) -> str:
        """This proof as one section of :func:`symbolic_info.document`."""
        from .latex import section
        return section(self, numbered=numbered)

    @property
    def argmaxes(self) -> list[dict] | None:
        """Every maximiser (several when the maximum is tied); None for a minimisation."""
        return [dict(a) for a in self.argopts] if self.sense == "max" else None

    @property
    def argmins(self) -> list[dict] | None:
        """Every minimiser (several when the minimum is tied); None for a maximisation."""
        return [dict(a) for a in self.argopts] if self.sense == "min" else None


@dataclass
class Problem:
    """An optimisation in progress (mutable: the arguments append steps and narrow domains).

    ``f`` is the objective in the current variables, ``over`` the optimised variables,
    ``rest`` the parameters that stay symbolic, ``domains`` an interval per parameter,
    ``equalities`` expressions constrained to 0, ``source`` what the user passed (a
    Derivation or an expression).  ``changes``/``inverse`` record a change of variables
    (:mod:`.domain`); ``objective`` and ``original_over`` are the objective and variables
    before it.
    """

    f: sp.Expr
    over: tuple[sp.Symbol, ...]
    rest: tuple[sp.Symbol, ...]
    domains: dict[sp.Symbol, sp.Interval]
    equalities: tuple[sp.Expr, ...]
    sense: str
    budget: Budget
    name: str
    source: Any
    steps: list[Step] = field(default_factory=list)
    idle: tuple[sp.Symbol, ...] = ()
    conditions: list = field(default_factory=list)
    relations: tuple[sp.Basic, ...] = ()  # inequality relations, as stated by the family
    changes: dict = field(default_factory=dict)  # parameter -> expression in new variables
    inverse: dict = field(default_factory=dict)  # new variable -> expression in parameters
    objective: Any = None  # the objective before any change of variables
    original_over: tuple[sp.Symbol, ...] = ()

    # -- words ------------------------------------------------------------------------------
    @property
    def word(self) -> str:
        return "maximize" if self.sense == "max" else "minimize"

    @property
    def kind(self) -> str:
        """``maximum`` or ``minimum``."""
        return "maximum" if self.sense == "max" else "minimum"

    # -- bounded sympy calls -----------------------------------------------------------------
    def run(self, fn, *args, cap: float = CAP, **kwargs):
        return self.budget.run(fn, *args, cap=cap, **kwargs)

    def attempt(self, fn, *args, cap: float = CAP, **kwargs):
        """``fn(*args)`` under its cap; None when sympy fails or the cap runs out (the whole
        budget running out still raises, so the optimisation stops)."""
        try:
            return self.run(fn, *args, cap=cap, **kwargs)
        except (NotImplementedError, ValueError, TypeError, AttributeError, RecursionError):
            return None
        except BudgetExceeded:
            if self.budget.expired:
                raise
            return None

    def simplified(self, expr: sp.Expr, cap: float = 5.0) -> sp.Expr:
        """``simplify(expr)`` within its cap, else ``expr`` unchanged."""
        simpler = self.attempt(sp.simplify, expr, cap=cap)
        return expr if simpler is None else simpler

    def is_zero(self, expr: sp.Expr, cap: float = 5.0) -> bool:
        """Whether sympy shows ``expr == 0`` (``cancel``, else ``simplify``) within its cap."""
        return any(self.attempt(transform, expr, cap=cap) == 0
                   for transform in (sp.cancel, sp.simplify))

    def value(self, expr: sp.Expr, point: dict) -> sp.Expr:
        """``expr`` at ``point``, simplified."""
        return self.run(sp.simplify, expr.subs(point))

    # -- signs on the domain -----------------------------------------------------------------
    def positive_form(self) -> dict[sp.Symbol, sp.Expr]:
        """Each parameter written through a positive (or real) variable covering its domain.

        An end of a domain may be another (fixed) parameter, e.g. ``b`` in ``(a, oo)`` under
        ``a < b``; it is written through that parameter's own variable.
        """
        subs = {}
        for s, dom in self.domains.items():
            lo, hi = dom.inf, dom.sup
            t = sp.Dummy(s.name, positive=True)
            if lo == -sp.oo and hi == sp.oo:
                subs[s] = sp.Dummy(s.name, real=True)
            elif hi == sp.oo:
                subs[s] = lo + t
            elif lo == -sp.oo:
                subs[s] = hi - t
            else:
                subs[s] = lo + (hi - lo) * t / (1 + t)
        plain = {s: e for s, e in subs.items() if not self.domains[s].free_symbols}
        return {s: e.xreplace({v: w for v, w in plain.items() if v != s})
                for s, e in subs.items()}

    def sign(self, expr: sp.Expr) -> int | None:
        """+1, -1 or 0 when ``expr`` has that sign on the whole (open) domain; None if
        undecided."""
        e = sp.sympify(expr).xreplace(self.positive_form())
        for transform in (lambda x: x, sp.together, sp.factor, sp.simplify):
            x = self.attempt(transform, e, cap=5.0)
            if x is None:
                continue
            if x.is_zero:
                return 0
            if x.is_positive:
                return 1
            if x.is_negative:
                return -1
        return None

    def holds(self, condition: sp.Basic) -> bool:
        """Whether the boolean ``condition`` is shown true on the whole domain: each relation
        in it is decided by :meth:`sign`, undecided ones stay, and the rest must give True."""
        condition = sp.sympify(condition)
        if condition in (sp.true, True):
            return True
        decided = {}
        for rel in condition.atoms(sp.Rel):
            sign = self.sign(rel.lhs - rel.rhs)
            if sign is None:
                continue
            truth = {sp.Eq: sign == 0, sp.Ne: sign != 0, sp.Lt: sign < 0, sp.Le: sign <= 0,
                     sp.Gt: sign > 0, sp.Ge: sign >= 0}.get(type(rel))
            if truth is not None:
                decided[rel] = sp.true if truth else sp.false
        return condition.xreplace(decided) == sp.true

    def resolved(self, expr: sp.Expr) -> sp.Expr | None:
        """``expr`` with each Piecewise replaced by its first branch whose condition
        :meth:`holds` on the domain (sympy's sums come with convergence conditions); None when
        no branch is shown to hold."""
        for pw in sorted(expr.atoms(sp.Piecewise), key=sp.count_ops):
            branch = next((e for e, c in pw.args if self.holds(c)), None)
            if branch is None:
                return None
            expr = expr.xreplace({pw: branch})
        return self.resolved(expr) if expr.has(sp.Piecewise) else expr

    def inside(self, s: sp.Symbol, value: sp.Expr) -> bool | None:
        """Whether ``value`` lies inside the open domain of ``s`` (None: undecided)."""
        dom = self.domains[s]
        checks = []
        if dom.inf != -sp.oo:
            checks.append(value - dom.inf)
        if dom.sup != sp.oo:
            checks.append(dom.sup - value)
        if value.is_extended_real is False or value.has(sp.I):
            return False
        verdict: bool | None = True
        for c in checks:
            sign = self.sign(c)
            if sign in (0, -1):
                return False
            if sign is None:
                verdict = None
        return verdict

    # -- limits and critical points ----------------------------------------------------------
    def direction(self, s: sp.Symbol, end) -> str:
        return "+" if end == self.domains[s].inf else "-"

    def limit_expr(self, expr: sp.Expr, s: sp.Symbol, end) -> sp.Limit:
        """The unevaluated limit of ``expr`` as ``s`` tends to ``end`` from inside."""
        return sp.Limit(expr, s, end, self.direction(s, end))

    def limit(self, expr: sp.Expr, s: sp.Symbol, end) -> sp.Expr | None:
        """The limit of ``expr`` as ``s`` tends to ``end`` from inside; None if not found."""
        value = self.attempt(sp.limit, expr, s, end, self.direction(s, end), cap=8.0)
        if value is None or value.has(sp.Limit, sp.AccumBounds, sp.nan):
            return None
        return value

    def critical_points(self, f: sp.Expr, s: sp.Symbol) -> list | None:
        """Every zero of df/ds in the open domain of ``s`` (``solveset``), or None if not
        found exactly."""
        dom = self.domains[s]
        real = sp.Dummy(s.name, real=True)
        g = sp.diff(f, s).subs(s, real)
        sols = self.attempt(sp.solveset, g, real, sp.Interval.open(dom.inf, dom.sup), cap=8.0)
        if not isinstance(sols, sp.FiniteSet):
            return None
        return list(sols)

    def domain_text(self) -> str:
        parts = [f"{s} in {self.domains[s]}" for s in self.original_over if s in self.domains]
        parts += [f"{sp.sstr(g)} = 0" for g in self.equalities]
        parts += [sp.sstr(r) for r in self.relations]
        return ", ".join(parts)


def finish(problem: Problem, status: str, result, argopt: dict, note: str = "",
           argopts=None) -> Optimum:
    """The Optimum record; points in new variables (see :mod:`.domain`) are mapped back."""
    if note:
        problem.steps.append(Step(status, result, note))
    conditions = sp.And(*problem.conditions) if problem.conditions else sp.true
    if conditions != sp.true and not problem.budget.expired:
        conditions = problem.simplified(conditions)  # e.g. a < -a/2 as a < 0
    if problem.inverse:
        conditions = conditions.xreplace(problem.inverse)
        if isinstance(result, sp.Basic):
            result = result.xreplace(problem.inverse)
    source = problem.source if isinstance(problem.source, Derivation) else None
    points = [map_back(problem, {**dict(a), **{s: s for s in problem.idle if s not in a}})
              for a in (argopts or [argopt])]
    points = [a for a in points if a]
    return Optimum(
        name=f"{problem.word}_{problem.name}", quantity=problem.word, result=result,
        status=status, conditions=conditions, steps=tuple(problem.steps),
        parameters=tuple(problem.rest), p=source.p if source else None,
        q=source.q if source else None, base=source.base if source else None,
        sense=problem.sense, argopt=dict(points[0]) if points else {},
        objective=problem.objective, over=tuple(problem.original_over),
        argopts=tuple(points))
