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

from functools import lru_cache

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
        total = sp.S.Zero
        for term in sp.Add.make_args(sp.expand_mul(body)):
            value = binomial_sum(term, x, lo, hi)
            total += value if value is not None else sp.summation(term, (x, lo, hi))
        return total
    total = sp.S.Zero
    for term in sp.Add.make_args(sp.expand_mul(body)):
        value = beta_integral(term, x, lo, hi) if lo == 0 else None
        if value is None:
            value = integrate_split(term, x, lo, hi)
        total += value
    return total


def quadratic_form(q: sp.Expr, xs: tuple[sp.Symbol, ...]):
    """(S, v, w) with q = ½ xᵀSx + vᵀx + w, for q a polynomial of degree ≤ 2 in xs; else None."""
    q = sp.expand(q)
    if not q.is_polynomial(*xs) or sp.Poly(q, *xs).total_degree() > 2:
        return None
    origin = {x: 0 for x in xs}
    hessian = sp.hessian(q, xs)
    return (hessian, sp.Matrix([sp.diff(q, x).xreplace(origin) for x in xs]),
            q.xreplace(origin))


def gaussian_exponent(body: sp.Expr, xs: tuple[sp.Symbol, ...]):
    """(C, A, b, c) with body = C·exp(−½ xᵀAx + bᵀx + c), A free of xs and nonzero; else None."""
    constant, kernel = sp.powsimp(body, combine="exp").as_independent(*xs, as_Add=False)
    kernel = sp.powsimp(kernel, combine="exp")
    if not isinstance(kernel, sp.exp):
        return None
    form = quadratic_form(kernel.args[0], xs)
    if form is None or form[0].is_zero_matrix:
        return None
    hessian, b, c = form
    return constant, -hessian, b, c


@lru_cache(maxsize=64)
def _inverse(a: sp.ImmutableMatrix) -> sp.ImmutableMatrix:
    """A⁻¹ with each entry cancelled (for a family's kernel: the covariance matrix).

    With A = N/d (d the common denominator, N polynomial), A⁻¹ = d·adj(N)/det(N): polynomial
    arithmetic only, then one cancellation per entry."""
    a = sp.Matrix(a)
    common = sp.lcm([sp.denom(sp.together(e)) for e in a])
    polynomial = (a * common).applyfunc(sp.cancel)
    det = sp.expand(polynomial.det())
    if det == 0:
        raise ZeroDivisionError("the quadratic form is singular")
    inverse = (polynomial.adjugate() * common / det).applyfunc(sp.cancel)
    return sp.ImmutableMatrix(inverse)


def gaussian_moment(kernel: sp.Expr, statistic: sp.Expr,
                    xs: tuple[sp.Symbol, ...]) -> sp.Expr | None:
    r"""E[s] for a Gaussian kernel and s = ½ xᵀSx + vᵀx + w, by tilting: the derivative at
    t = 0 of log Z(t), Z(t) = ∫ kernel·e^{t s}. With A(t) = A − tS, b(t) = b + tv,
    :math:`\log Z = c + w t + \tfrac12 b(t)^\top A(t)^{-1} b(t) - \tfrac12 \log\det A(t)
    + \tfrac{k}{2}\log 2\pi`, and :math:`\tfrac{d}{dt}A^{-1} = A^{-1} S A^{-1}`,
    :math:`\tfrac{d}{dt}\log\det A = -\operatorname{tr}(A^{-1} S)`:
    :math:`\mathbb{E}[s] = w + v^\top m + \tfrac12 m^\top S m
    + \tfrac12 \operatorname{tr}(A^{-1}S)` with :math:`m = A^{-1} b`."""
    parts = gaussian_exponent(kernel, xs)
    form = quadratic_form(statistic, xs)
    if parts is None or form is None:
        return None
    _, a, b, _ = parts
    s, v, w = form
    inverse = _inverse(sp.ImmutableMatrix(a))
    m = (inverse * b).applyfunc(sp.cancel)  # the mean
    value = w + (v.T * m)[0, 0] + (m.T * s * m)[0, 0] / 2 + (inverse * s).trace() / 2
    return sp.expand(sp.cancel(value))


def gaussian_integral(body: sp.Expr, xs: tuple[sp.Symbol, ...]) -> sp.Expr | None:
    """∫_{R^k} body dx for body = C · exp(quadratic polynomial in xs); None if not of that form."""
    parts = gaussian_exponent(body, xs)
    if parts is None:
        return None
    constant, a, b, c = parts
    det = sp.factor(a.det())
    if det == 0:
        return None
    quadratic = (b.T * a.adjugate() * b)[0, 0] / det
    k = len(xs)
    return constant * sp.sqrt((2 * sp.pi) ** k / det) * sp.exp(c + quadratic / 2)


def binomial_sum(body: sp.Expr, j: sp.Symbol, lo: sp.Expr, hi: sp.Expr) -> sp.Expr | None:
    r"""The binomial theorem: :math:`\sum_{j=0}^{m} \frac{C\,\rho^j}{j!\,(m-j)!}
    = \frac{C\,(1 + \rho)^m}{m!}` for C, ρ and m free of j (ρ read off the powers whose
    exponents are linear in j); None if ``body`` is not of that form."""
    if lo != 0 or hi.has(j):
        return None
    constant, kernel = body.as_independent(j, as_Add=False)
    rho, rest, seen = sp.S.One, sp.S.One, set()
    for factor in sp.Mul.make_args(kernel):
        base, power = factor.as_base_exp()
        if isinstance(base, sp.factorial) and power == -1:
            arg = sp.expand(base.args[0])
            if arg == j:
                seen.add("j")
                continue
            if sp.expand(arg - (hi - j)) == 0:
                seen.add("m-j")
                continue
            return None
        if base.has(j) or not power.is_polynomial(j) or sp.degree(power, j) > 1:
            return None
        slope = sp.diff(power, j)
        rho *= base ** slope
        rest *= base ** power.xreplace({j: 0})
    if seen != {"j", "m-j"}:
        return None
    return constant * rest * (1 + rho) ** hi / sp.factorial(hi)


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
