"""Truncated Taylor series of an expression along a direction, by jet arithmetic.

``taylor_coefficients(f, shifts, N)`` gives c_0, ..., c_N with

    f(x + t δ) = Σ_k c_k t^k + O(t^{N+1}),

where ``shifts`` maps each moving symbol x_i to (its base point, δ_i). Each subexpression is
carried as its jet (c_0, ..., c_N): sums add, products convolve, and a function g of a jet
u = u_0 + v (v without constant term) is Σ_k g^{(k)}(u_0)/k! · v^k (Faà di Bruno through
powers of v), g^{(k)} from ``sympy.diff`` of g at a dummy point. Unlike repeated
differentiation of f, whose size grows exponentially with the order, the work grows like N²
per operation, and the coefficients share subexpressions (evaluate them after ``cse``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import sympy as sp

Jet = tuple[sp.Expr, ...]


class Unsupported(ValueError):
    """An operation the jet arithmetic does not expand (Piecewise, Integral, ...)."""


def taylor_coefficients(expr: sp.Expr, shifts: dict[sp.Symbol, tuple[sp.Expr, sp.Expr]],
                        order: int) -> Jet:
    """The coefficients c_0, ..., c_order of f(x + t δ) in t (see the module docstring)."""
    moving = set(shifts)
    memo: dict[sp.Expr, Jet] = {}
    zero = (sp.S.Zero,) * order

    def constant(e: sp.Expr) -> Jet:
        return (e, *zero)

    def jet(e: sp.Expr) -> Jet:
        if e in memo:
            return memo[e]
        if e in shifts:
            base, delta = shifts[e]
            out = (base, delta, *zero[1:]) if order else (base,)
        elif not (e.free_symbols & moving):
            out = constant(e)
        elif isinstance(e, sp.Add):
            out = _add([jet(a) for a in e.args])
        elif isinstance(e, sp.Mul):
            out = jet(e.args[0])
            for a in e.args[1:]:
                out = _mul(out, jet(a), order)
        elif isinstance(e, sp.Pow):
            base, exponent = e.args
            if exponent.free_symbols & moving:
                out = jet(sp.exp(exponent * sp.log(base), evaluate=False))
            else:
                out = _compose(lambda s: s**exponent, jet(base), order)
        elif isinstance(e, sp.Abs):
            out = _abs(jet(e.args[0]))
        elif isinstance(e, sp.Function) and len(e.args) == 1:
            out = _compose(e.func, jet(e.args[0]), order)
        elif isinstance(e, sp.polygamma) and not (e.args[0].free_symbols & moving):
            n = e.args[0]
            out = _compose(lambda s: sp.polygamma(n, s), jet(e.args[1]), order)
        else:
            raise Unsupported(f"no Taylor expansion of {type(e).__name__}")
        memo[e] = out
        return out

    return jet(expr)


def _add(jets: list[Jet]) -> Jet:
    return tuple(sp.Add(*column) for column in zip(*jets))


def _mul(a: Jet, b: Jet, order: int) -> Jet:
    return tuple(sp.Add(*[a[i] * b[k - i] for i in range(k + 1)
                          if a[i] != 0 and b[k - i] != 0]) for k in range(order + 1))


def _abs(u: Jet) -> Jet:
    """|u|: sign(u_0)·u where u_0 ≠ 0; t·|u_1| where u = u_1 t (a kink at the base point,
    expanded on the side t > 0, as evaluating at t = 1 needs)."""
    if u[0] != 0:
        return tuple(sp.sign(u[0]) * c for c in u)
    if any(c != 0 for c in u[2:]):
        raise Unsupported("no Taylor expansion of |u| at a zero of u of higher order")
    return tuple(sp.Abs(c) if k == 1 else sp.S.Zero for k, c in enumerate(u))


def _compose(g: Callable[[sp.Expr], sp.Expr], u: Jet, order: int) -> Jet:
    """g(u) for a jet u: Σ_k g^{(k)}(u_0)/k! · (u - u_0)^k, truncated."""
    s, derivatives = _derivatives(g, order)
    u0 = u[0]
    v = (sp.S.Zero, *u[1:])
    out = [g(u0)] + [sp.S.Zero] * order
    power = v
    for k in range(1, order + 1):
        factor = derivatives[k].xreplace({s: u0}) / math.factorial(k)
        if factor != 0:
            for j in range(k, order + 1):
                if power[j] != 0:
                    out[j] += factor * power[j]
        if k < order:
            power = _mul(power, v, order)
    return tuple(out)


_DERIVATIVES: dict = {}


def _derivatives(g: Callable[[sp.Expr], sp.Expr], order: int) -> tuple[sp.Dummy, list]:
    """(s, [g(s), g'(s), ..., g^(order)(s)]), remembered for a sympy function class (``log``
    is composed with every logarithm's argument)."""
    if isinstance(g, type) and (g, order) in _DERIVATIVES:
        return _DERIVATIVES[g, order]
    s = sp.Dummy("s")
    derivatives = [g(s)]
    for _ in range(order):
        derivatives.append(sp.diff(derivatives[-1], s))
    if isinstance(g, type):
        _DERIVATIVES[g, order] = (s, derivatives)
    return s, derivatives
