"""Kinks of a piecewise expression: where an ``Abs`` argument or a ``Piecewise`` condition
changes sign.  Shared by the integrator and the density checks of user families."""

from __future__ import annotations

import sympy as sp


def switches(expr: sp.Expr, x: sp.Symbol) -> list[sp.Expr]:
    """The expressions whose sign decides a branch: Abs arguments, Piecewise conditions."""
    found = [a.args[0] for a in expr.atoms(sp.Abs) if a.has(x)]
    for pw in expr.atoms(sp.Piecewise):
        for _, cond in pw.args:
            found += [r.lhs - r.rhs for r in cond.atoms(sp.core.relational.Relational)
                      if r.has(x)]
    return found


def root(arg: sp.Expr, x: sp.Symbol) -> sp.Expr:
    """The zero of ``arg``, linear in ``x``; NotImplementedError otherwise."""
    poly = sp.Poly(arg, x) if arg.is_polynomial(x) else None
    if poly is None or poly.degree() != 1:
        raise NotImplementedError(f"kink of {arg} is not linear in {x}")
    a, b = poly.all_coeffs()
    return -b / a


def kink_points(expr: sp.Expr, x: sp.Symbol, strict: bool = True) -> list[sp.Expr]:
    """The kinks of ``expr`` in ``x``, each once. A switch that is not linear in ``x`` raises
    NotImplementedError, or is skipped when ``strict`` is False."""
    points: list[sp.Expr] = []
    for arg in switches(expr, x):
        try:
            point = root(arg, x)
        except NotImplementedError:
            if strict:
                raise
            continue
        if point not in points:
            points.append(point)
    return points
