"""A density or pmf on its support, and what counts as a closed form of an expectation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp

from .families.region import Region

UNACCEPTABLE = (sp.Integral, sp.Sum, sp.hyper, sp.meijerg, sp.Limit, sp.polar_lift,
                sp.exp_polar, sp.periodic_argument)
UNTIDY = (sp.Piecewise, sp.atan, sp.acot, sp.atanh, sp.acoth, sp.erf, sp.erfc)

@dataclass(frozen=True)
class Measure:
    """A density (or pmf) in ``variable`` on ``support``; ``sample`` draws parameter points;
    ``relations`` between the parameters (a < c < b) may be assumed when integrating.
    A multivariate measure has a tuple of variables and a :class:`Region` as support."""

    density: sp.Expr
    variable: sp.Symbol | tuple[sp.Symbol, ...]
    support: sp.Set | Region
    sample: Callable[[np.random.Generator], dict] | None = None
    relations: tuple[sp.Basic, ...] = ()

    @property
    def multivariate(self) -> bool:
        return isinstance(self.support, Region)

    @property
    def variables(self) -> tuple[sp.Symbol, ...]:
        return self.variable if isinstance(self.variable, tuple) else (self.variable,)

    @property
    def discrete(self) -> bool:
        if isinstance(self.support, Region):
            return self.support.discrete
        return isinstance(self.support, (sp.Range, sp.FiniteSet))

    @property
    def bounds(self) -> tuple[sp.Expr, sp.Expr]:
        return self.support.inf, self.support.sup

    def split(self) -> tuple[sp.Expr, sp.Expr]:
        """(constant factor, kernel): density = constant * kernel, constant free of x."""
        return self.density.as_independent(*self.variables, as_Add=False)

    def unevaluated(self, statistic: sp.Expr) -> sp.Expr:
        body = statistic * self.density
        if self.multivariate:
            return self.support.operator(body)
        if isinstance(self.support, sp.FiniteSet):  # its points, not the integers between
            return sp.Add(*[body.xreplace({self.variable: k}) for k in self.support])
        lo, hi = self.bounds
        if self.discrete:
            return sp.Sum(body, (self.variable, lo, hi))
        return sp.Integral(body, (self.variable, lo, hi))


def acceptable(value: sp.Expr) -> bool:
    """A textbook closed form: no special-function junk, no unevaluated operators, no nan."""
    value = sp.sympify(value)
    if value.has(*UNACCEPTABLE) or value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return False
    return not any(isinstance(a, sp.Pow) and a.base == 0 for a in value.atoms(sp.Pow))


def log_of_pieces(log_piecewise: sp.log, x) -> sp.Expr:
    """log(Piecewise((v_i, c_i), ...)) = Piecewise((log v_i, c_i), ...) when that removes the
    log: each piece is nonzero and its expanded log has no log of ``x`` left (exponential
    pieces, as the asymmetric Laplace's, give a piecewise-linear statistic); else unchanged
    (logs of lines, as a triangle's, stay one log, which tilting handles)."""
    xs = x if isinstance(x, tuple) else (x,)
    pieces = log_piecewise.args[0].args
    if any(value == 0 for value, _ in pieces):
        return log_piecewise
    logs = [sp.expand_log(sp.log(value), force=True) for value, _ in pieces]
    if any(a.has(*xs) for log in logs for a in log.atoms(sp.log)):
        return log_piecewise
    return sp.Piecewise(*[(log, condition) for log, (_, condition) in zip(logs, pieces)])


def linear_terms(expr: sp.Expr, x) -> list[tuple[sp.Expr, sp.Expr]]:
    """expr = Σ coeff·statistic with coefficients free of x (a symbol, or a tuple of them);
    statistics merged (1 = constant)."""
    xs = x if isinstance(x, tuple) else (x,)
    expr = sp.expand_log(sp.expand_power_base(expr, force=True), force=True)
    expr = expr.replace(lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sp.Piecewise),
                        lambda e: log_of_pieces(e, x))
    # expand products and powers, but not inside functions: log((x - a)**2 + b**2) stays whole
    protected = {f: sp.Dummy() for f in expr.atoms(sp.Function) if f.has(*xs)}
    expr = sp.expand(expr.xreplace(protected)).xreplace({v: k for k, v in protected.items()})
    merged: dict[sp.Expr, sp.Expr] = {}
    for term in sp.Add.make_args(expr):
        coeff, stat = term.as_independent(*xs, as_Add=False)
        merged[stat] = merged.get(stat, sp.S.Zero) + coeff
    return [(sp.factor_terms(c), s) for s, c in merged.items() if c != 0]
