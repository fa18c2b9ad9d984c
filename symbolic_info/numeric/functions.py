"""sympy functions the numeric printers write by name (like ``scipy.special``)."""

from __future__ import annotations

import math

import sympy as sp


class xlogy(sp.Function):  # noqa: N801 -- printed by name, like scipy.special.xlogy
    """x*log(y), 0 where x = 0 (the convention 0*log 0 = 0)."""

    nargs = 2

    def _eval_rewrite_as_log(self, x, y, **kwargs):
        return x * sp.log(y)


class xlog1py(sp.Function):  # noqa: N801 -- printed by name, like scipy.special.xlog1py
    """x*log(1 + y), 0 where x = 0; log(1 + y) computed without forming 1 + y."""

    nargs = 2

    def _eval_rewrite_as_log(self, x, y, **kwargs):
        return x * sp.log(1 + y)


class stirling_remainder(sp.Function):  # noqa: N801 -- printed by name
    """R(z) = log Γ(z) - (z - 1/2) log z + z - log(2π)/2 (Stirling's remainder, ~1/(12z))."""

    nargs = 1

    def _eval_rewrite_as_loggamma(self, z, **kwargs):
        return sp.loggamma(z) - (z - sp.S.Half) * sp.log(z) + z - sp.log(2 * sp.pi) / 2


class digamma_remainder(sp.Function):  # noqa: N801 -- printed by name
    """S(z) = ψ(z) - log z + 1/(2z) (~ -1/(12 z²))."""

    nargs = 1

    def _eval_rewrite_as_loggamma(self, z, **kwargs):
        return sp.polygamma(0, z) - sp.log(z) + 1 / (2 * z)


class exp_e1(sp.Function):  # noqa: N801 -- printed by name
    """e^z E₁(z), z > 0 (~ 1/z for large z, where e^z overflows and E₁(z) underflows)."""

    nargs = 1

    def _eval_rewrite_as_expint(self, z, **kwargs):
        return sp.exp(z) * sp.expint(1, z)

    def _eval_evalf(self, prec):
        return self.rewrite(sp.expint)._eval_evalf(prec)


class ndtr(sp.Function):  # noqa: N801 -- printed by name, like scipy.special.ndtr
    """Φ(x) = (1 + erf(x/√2))/2, the normal CDF, accurate in its lower tail."""

    nargs = 1

    def _eval_rewrite_as_erf(self, x, **kwargs):
        return (1 + sp.erf(x / sp.sqrt(2))) / 2


class log_ndtr(sp.Function):  # noqa: N801 -- printed by name, like scipy.special.log_ndtr
    """log Φ(x), finite however far into the lower tail x is."""

    nargs = 1

    def _eval_rewrite_as_erf(self, x, **kwargs):
        return sp.log((1 + sp.erf(x / sp.sqrt(2))) / 2)


# e^z E1(z) = sum_k (-1)^k k!/z^(k+1) asymptotically; 30 terms are within 1e-18 for z >= 50
E1_SWITCH = 50
E1_TERMS = 30


def exp_e1_series(z: sp.Expr) -> sp.Expr:
    """The asymptotic series of e^z E₁(z) that printers use for z >= :data:`E1_SWITCH`, in
    Horner form in 1/z."""
    w = sp.Dummy("w")
    series = sum((-1) ** k * sp.factorial(k) * w ** (k + 1) for k in range(E1_TERMS))
    return sp.horner(series, w).xreplace({w: 1 / z})


def scaled_exponential_integrals(expr: sp.Expr) -> sp.Expr:
    """``E₁(a)`` as ``e^{-a} · exp_e1(a)``, with the exponential joined to the factors
    ``e^b`` it multiplies (``e^{2z} E₁(2z)`` becomes ``exp_e1(2z)``): no overflow of e^b
    against an underflowing E₁."""
    if not expr.has(sp.expint):
        return expr

    def scaled(mul: sp.Mul) -> sp.Expr:
        factors = list(mul.args)
        for i, f in enumerate(factors):
            if isinstance(f, sp.expint) and f.args[0] == 1:
                a = f.args[1]
                exps = [g for g in factors if isinstance(g, sp.exp)]
                shift = sp.exp(sp.expand(sum(g.args[0] for g in exps) - a))
                rest = [g for j, g in enumerate(factors) if j != i and g not in exps]
                return sp.Mul(*rest) * shift * exp_e1(a)
        return mul

    expr = expr.replace(lambda e: isinstance(e, sp.Mul) and any(
        isinstance(f, sp.expint) and f.args[0] == 1 for f in e.args), scaled)
    return expr.replace(lambda e: isinstance(e, sp.expint) and e.args[0] == 1,
                        lambda e: sp.exp(-e.args[1]) * exp_e1(e.args[1]))


class ive(sp.Function):  # noqa: N801 -- printed by name, like scipy.special.ive
    """e^{-z} I_ν(z), z ≥ 0, the exponentially scaled modified Bessel function of the first
    kind (~ 1/√(2πz) for large z, where I_ν(z) overflows)."""

    nargs = 2

    def _eval_rewrite_as_besseli(self, nu, z, **kwargs):
        return sp.exp(-z) * sp.besseli(nu, z)

    def _eval_evalf(self, prec):
        return self.rewrite(sp.besseli)._eval_evalf(prec)

    def _eval_is_positive(self):
        nu, z = self.args
        if z.is_positive and nu.is_real and (nu.is_nonnegative or nu.is_integer):
            return True
        return None

    def fdiff(self, argindex=2):
        """d/dz e^{-z} I_ν(z) = (ive(ν - 1, z) + ive(ν + 1, z))/2 - ive(ν, z)."""
        if argindex != 2:
            raise sp.ArgumentIndexError(self, argindex)
        nu, z = self.args
        return (ive(nu - 1, z) + ive(nu + 1, z)) / 2 - ive(nu, z)


class ive_difference(sp.Function):  # noqa: N801 -- printed by name
    """e^{-z} (I_ν(z) - I_{ν+1}(z)) = ive(ν, z) - ive(ν + 1, z), z ≥ 0 (~ (2ν + 1)/(2z) ·
    ive(ν, z) for large z, where the difference of the two cancels)."""

    nargs = 2

    def _eval_rewrite_as_besseli(self, nu, z, **kwargs):
        return sp.exp(-z) * (sp.besseli(nu, z) - sp.besseli(nu + 1, z))

    def _eval_rewrite_as_ive(self, nu, z, **kwargs):
        return ive(nu, z) - ive(nu + 1, z)

    def _eval_evalf(self, prec):
        return self.rewrite(sp.besseli)._eval_evalf(prec)

    def _eval_is_positive(self):
        nu, z = self.args
        if z.is_positive and nu.is_real and nu.is_nonnegative:
            return True  # I_ν > I_{ν+1} for z > 0, ν ≥ -1/2
        return None

    def fdiff(self, argindex=2):
        if argindex != 2:
            raise sp.ArgumentIndexError(self, argindex)
        return self.rewrite(ive).diff(self.args[1])


# e^{-z} I_ν(z) = (2πz)^{-1/2} Σ_k (-1)^k a_k(ν)/z^k asymptotically (Hankel), a_0 = 1,
# a_k = a_{k-1} (4ν² - (2k - 1)²)/(8k); for 0 <= ν <= 10, 40 terms are within 5e-17 of it
# (relative) for z >= 25, where the neglected e^{-2z} part is below 2e-22.
IVE_SWITCH = 25
IVE_TERMS = 40


# e^{-z}(I₀(z) - I₁(z)) = (1/π) ∫_0^π s e^{-zs} dθ, s = 1 - cos θ = 2 sin²(θ/2) ≥ 0: the
# trapezoidal rule on 30 panels (exact up to aliasing ~ I₆₀(z)/I₀(z) for this periodic
# integrand) is within 5e-16 of it for z < IVE_SWITCH, a sum of positive terms where
# ive(0, z) - ive(1, z) cancels by ~2z
DIFFERENCE_PANELS = 30


def difference_nodes() -> list[tuple[float, float]]:
    """(weight, s) of the trapezoidal rule for ive_difference(0, z) = Σ weight·e^{-z s}."""
    panels = DIFFERENCE_PANELS
    out = []
    for j in range(1, panels + 1):
        s = 2 * math.sin(math.pi * j / (2 * panels)) ** 2
        out.append(((0.5 if j == panels else 1.0) * s / panels, s))
    return out


def hankel_coefficients(nu: sp.Expr, terms: int = IVE_TERMS) -> list[sp.Expr]:
    """(-1)^k a_k(ν), k < ``terms``: the coefficients of 1/z^k in √(2πz) e^{-z} I_ν(z)."""
    out, a = [], sp.S.One
    for k in range(terms):
        if k:
            a = sp.expand(a * (4 * nu**2 - (2 * k - 1) ** 2) / (8 * k))
        out.append((-1) ** k * a)
    return out


def ive_series(nu: sp.Expr, z: sp.Expr, difference: bool = False) -> sp.Expr:
    """The asymptotic series of ive(ν, z) (or, with ``difference``, of ive_difference(ν, z),
    term by term: its leading terms cancel exactly) that printers use for z >=
    :data:`IVE_SWITCH`, in Horner form in 1/z."""
    w = sp.Dummy("w")
    c = hankel_coefficients(nu)
    if difference:
        c = [a - b for a, b in zip(c, hankel_coefficients(nu + 1))]
    scale = 1 / sp.sqrt(2 * sp.pi)
    if all(x.is_number for x in c):  # floats: printed code names no constant such as π
        c = [(x / sp.sqrt(2 * sp.pi)).evalf(20) for x in c]
        scale = sp.S.One
    series = sp.horner(sum(x * w**k for k, x in enumerate(c)), w)
    return scale * series.xreplace({w: 1 / z}) / sp.sqrt(z)


def scaled_bessel_functions(expr: sp.Expr, positive: dict | None = None) -> sp.Expr:
    """``I_ν(z)`` as ``e^z · ive(ν, z)`` where z is positive (with the parameters of
    ``positive``, symbol -> positive Dummy, known positive), the exponentials then joined:
    ``log(c e^z w)`` -> ``log(c w) + z`` (z real), ratios cancel (I₁(κ)/I₀(κ) is
    ive(1, κ)/ive(0, κ)), and a sum ``c - c·ive(ν + 1, z)/ive(ν, z)`` becomes
    ``c·ive_difference(ν, z)/ive(ν, z)`` (κ(1 - I₁/I₀) in the von Mises entropy, ~1/2 for
    large κ: no cancellation). No overflow where e^z does not overflow the result."""
    if not expr.has(sp.besseli):
        return expr
    positive = positive or {}

    def scalable(e) -> bool:
        return isinstance(e, sp.besseli) and e.args[1].xreplace(positive).is_positive is True

    expr = expr.replace(scalable, lambda e: sp.exp(e.args[1]) * ive(*e.args))
    expr = expr.replace(lambda e: isinstance(e, sp.log) and e.has(ive),
                        lambda e: _joined_log(e, positive))
    return expr.replace(lambda e: isinstance(e, sp.Add) and e.has(ive), _ive_differences)


def _joined_log(e: sp.log, positive: dict) -> sp.Expr:
    """log(c e^a w) -> log(c w) + a for real a (e^a > 0, so no branch is crossed)."""
    factors = sp.Mul.make_args(sp.powsimp(e.args[0], combine="exp"))

    def real_exp(f) -> bool:
        return isinstance(f, sp.exp) and f.args[0].xreplace(positive).is_real is True

    exponents = [f.args[0] for f in factors if real_exp(f)]
    if not exponents:
        return e
    return sp.log(sp.Mul(*[f for f in factors if not real_exp(f)])) + sp.Add(*exponents)


def _ive_differences(add: sp.Add) -> sp.Expr:
    """``c - c·ive(ν + 1, z)/ive(ν, z)`` -> ``c·ive_difference(ν, z)/ive(ν, z)`` in a sum."""
    terms = list(add.args)
    for k, term in enumerate(terms):
        for f in sp.Mul.make_args(term):
            if not isinstance(f, ive):
                continue
            nu, z = f.args
            below = ive(nu - 1, z)
            if not term.has(below):
                continue
            c = sp.expand(-term * below / f)
            if c.has(ive(nu, z), below) or c not in terms[:k] + terms[k + 1:]:
                continue
            j = next(i for i, t in enumerate(terms) if i != k and t == c)
            rest = [t for i, t in enumerate(terms) if i not in (j, k)]
            return _ive_differences(sp.Add(*rest, c * ive_difference(nu - 1, z) / below))
    return add


REMAINDERS = (stirling_remainder, digamma_remainder)


def without_remainders(expr: sp.Expr) -> sp.Expr:
    """The remainders written back as loggamma / polygamma (for printers that lack them)."""
    return expr.replace(lambda e: isinstance(e, REMAINDERS),
                        lambda e: e.rewrite(sp.loggamma))
