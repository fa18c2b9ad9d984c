"""Logarithms whose arguments change sign together, combined into one real logarithm.

A closed form may hold ``log a - log b`` where a and b are both negative on part of the
parameter domain: the continuous Bernoulli entropy has log(1 - 2λ) - log(log((1 - λ)/λ)),
both arguments negative for λ > ½. As complex numbers the imaginary parts iπ cancel, and
sympy evaluates it correctly, but float64 ``log`` of a negative number is nan. Where the two
arguments have the same sign at every sampled valid point, ``c log a - c log b`` is rewritten
``c log(a/b)``, whose argument is positive there.
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from ..families.spec import sample_members

POINTS = 12


def _signs(argument: sp.Expr, points: list[dict]) -> tuple[int, ...] | None:
    """The sign of ``argument`` at each point (``None`` if one is not a real number)."""
    signs = []
    for point in points:
        try:
            value = complex(sp.N(argument.xreplace(point), 20))
        except (TypeError, ValueError, ZeroDivisionError):
            return None
        if value.imag != 0 or not np.isfinite(value.real) or value.real == 0:
            return None
        signs.append(1 if value.real > 0 else -1)
    return tuple(signs)


def _points(members, count: int = POINTS) -> list[dict]:
    rng = np.random.default_rng(20261203)
    points = []
    for _ in range(count):
        try:
            point = sample_members(members, rng)
        except ValueError:
            continue
        points.append({s: sp.Float(mpmath.mpf(v), 20) if isinstance(v, float) else sp.Integer(v)
                       for s, v in point.items()})
    return points


def combine_sign_changing_logs(expr: sp.Expr, members) -> sp.Expr:
    """``expr`` with each pair ``c log a - c log b`` of the top-level sum whose arguments are
    negative somewhere, and share their sign at every sampled point of ``members``, written
    ``c log(a / b)``."""
    terms = sp.Add.make_args(sp.expand(expr, log=False, power_base=False, power_exp=False,
                                       multinomial=False, mul=True))
    logs = []  # (index, coefficient, argument, signs)
    candidates = [(i, t) for i, t in enumerate(terms)
                  if any(isinstance(f, sp.log) for f in sp.Mul.make_args(t))]
    if len(candidates) < 2:
        return expr
    points = _points([m for m in members if m is not None])
    if not points:
        return expr
    for i, term in candidates:
        factors = sp.Mul.make_args(term)
        found = [f for f in factors if isinstance(f, sp.log)]
        if len(found) != 1 or found[0].args[0].is_positive:
            continue
        argument = found[0].args[0]
        signs = _signs(argument, points)
        if signs is None:
            continue
        coefficient = sp.Mul(*[f for f in factors if f is not found[0]])
        logs.append((i, coefficient, argument, signs))
    used: set[int] = set()
    replaced: dict[int, sp.Expr] = {}
    for i, c, a, signs in logs:
        if i in used or all(s > 0 for s in signs):
            continue
        for j, d, b, others in logs:
            if j != i and j not in used and others == signs and sp.simplify(c + d) == 0:
                used |= {i, j}
                replaced[i], replaced[j] = c * sp.log(sp.cancel(a / b)), sp.S.Zero
                break
    if not replaced:
        return expr
    return sp.Add(*[replaced.get(i, t) for i, t in enumerate(terms)])


def real_logarithms(expr: sp.Expr, members) -> sp.Expr:
    """``expr`` with each top-level term ``c log a`` whose argument is negative at every
    sampled point of ``members`` written ``c log(-a) + i π c`` (the principal branch, exact for
    a < 0), kept only when the iπ terms then cancel: a log-series pmf's constant
    -1/log(1 - p) expands to log(log(1 - p)) - iπ, which is log(-log(1 - p)), real and finite in
    float64. Otherwise ``expr`` unchanged."""
    terms = sp.Add.make_args(sp.expand(expr, log=False, power_base=False, power_exp=False,
                                       multinomial=False, mul=True))
    candidates = []
    for i, term in enumerate(terms):
        found = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.log)]
        if len(found) == 1 and not found[0].args[0].is_positive \
                and not found[0].args[0].is_number:
            candidates.append((i, found[0]))
    if not candidates:
        return expr
    points = _points([m for m in members if m is not None])
    if not points:
        return expr
    replaced = {}
    for i, log in candidates:
        signs = _signs(log.args[0], points)
        if signs is not None and all(s < 0 for s in signs):
            replaced[i] = terms[i].xreplace({log: sp.log(-log.args[0]) + sp.I * sp.pi})
    if not replaced:
        return expr
    out = sp.Add(*[sp.expand(replaced[i]) if i in replaced else t for i, t in enumerate(terms)])
    return out if not out.has(sp.I) else expr
