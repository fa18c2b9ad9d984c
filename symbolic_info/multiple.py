r"""Integrals over a multivariate :class:`~symbolic_info.families.region.Region`.

Two identities, applied wherever the integrand has their form, and iterated one-dimensional
integration (:func:`symbolic_info.integration.integrate_split`) otherwise:

* the Gaussian integral over :math:`\mathbb{R}^k`: for :math:`A` symmetric positive definite,
  :math:`\int e^{-\frac12 x^\top A x + b^\top x + c}\,dx
  = \sqrt{(2\pi)^k / \det A}\; e^{c + \frac12 b^\top A^{-1} b}`
  (complete the square, then :math:`\int e^{-\frac12 y^\top A y} dy` by the eigenbasis of A);
* the Beta integral, one coordinate at a time: for :math:`s` free of :math:`x`,
  :math:`\int_0^s x^{a-1} (s - x)^{b-1}\,dx = s^{a+b-1}\,\Gamma(a)\Gamma(b)/\Gamma(a+b)`
  (substitute :math:`x = s u`), which integrates a Dirichlet kernel over the simplex.

The Gaussian identity holds where A is positive definite: the callers integrate a family's
kernel (positive definite by the family's relations) tilted by a parameter near 0, and every
result is checked against numerical integration before it is accepted.
"""

from __future__ import annotations

import sympy as sp

from .families.region import Region
from .integration import integrate_split


def integrate_region(body: sp.Expr, region: Region) -> sp.Expr:
    """:math:`\\int_{region} body` (or the sum): a closed form, or an expression that still
    holds an ``Integral`` / ``Sum`` where no rule and no one-dimensional integral applied."""
    if not region.discrete and region.is_whole_space():
        value = gaussian_integral(body, region.variables)
        if value is not None:
            return value
    value = body
    for x, lo, hi in region.sympy_limits():  # innermost first
        value = _one_coordinate(value, x, lo, hi, region.discrete)
        if value.has(sp.Integral, sp.Sum):
            return region.operator(body)
    return value


def _one_coordinate(body: sp.Expr, x: sp.Symbol, lo: sp.Expr, hi: sp.Expr,
                    discrete: bool) -> sp.Expr:
    if discrete:
        return sp.summation(body, (x, lo, hi))
    total = sp.S.Zero
    for term in sp.Add.make_args(sp.expand_mul(body)):
        value = beta_integral(term, x, lo, hi) if lo == 0 else None
        if value is None:
            value = integrate_split(term, x, lo, hi)
        total += value
    return total


def gaussian_integral(body: sp.Expr, xs: tuple[sp.Symbol, ...]) -> sp.Expr | None:
    """∫_{R^k} body dx for body = C · exp(quadratic polynomial in xs); None if not of that form."""
    constant, kernel = sp.powsimp(body, combine="exp").as_independent(*xs, as_Add=False)
    kernel = sp.powsimp(kernel, combine="exp")
    if not isinstance(kernel, sp.exp):
        return None
    exponent = sp.expand(kernel.args[0])
    if not exponent.is_polynomial(*xs) or sp.Poly(exponent, *xs).total_degree() != 2:
        return None
    origin = {x: 0 for x in xs}
    hessian = sp.hessian(exponent, xs)
    if hessian.free_symbols & set(xs):
        return None
    a = -hessian
    b = sp.Matrix([sp.diff(exponent, x).xreplace(origin) for x in xs])
    c = exponent.xreplace(origin)
    det = sp.factor(a.det())
    if det == 0:
        return None
    quadratic = (b.T * a.adjugate() * b)[0, 0] / det
    k = len(xs)
    return constant * sp.sqrt((2 * sp.pi) ** k / det) * sp.exp(c + quadratic / 2)


def beta_integral(body: sp.Expr, x: sp.Symbol, lo: sp.Expr, hi: sp.Expr) -> sp.Expr | None:
    """∫_0^s C x^{a-1} (s - x)^{b-1} dx = C s^{a+b-1} Γ(a)Γ(b)/Γ(a+b), s = hi free of x."""
    if lo != 0 or hi.has(x) or hi == sp.oo:
        return None
    constant, kernel = sp.powsimp(body).as_independent(x, as_Add=False)
    a = b = sp.S.One
    for factor in sp.Mul.make_args(kernel):
        base, power = factor.as_base_exp()
        if power.has(x):
            return None
        if base == x:
            a += power
        elif sp.expand(base - (hi - x)) == 0:
            b += power
        elif sp.expand(base + (hi - x)) == 0 and power.is_integer:
            b += power
            constant *= (-1) ** power
        else:
            return None
    if a == 1 and b == 1:
        return None  # nothing to gain over integrating a constant directly
    return constant * hi ** (a + b - 1) * sp.gamma(a) * sp.gamma(b) / sp.gamma(a + b)
