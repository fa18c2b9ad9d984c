"""sympy functions the numeric printers write by name (like ``scipy.special``)."""

from __future__ import annotations

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


REMAINDERS = (stirling_remainder, digamma_remainder)


def without_remainders(expr: sp.Expr) -> sp.Expr:
    """The remainders written back as loggamma / polygamma (for printers that lack them)."""
    return expr.replace(lambda e: isinstance(e, REMAINDERS),
                        lambda e: e.rewrite(sp.loggamma))
