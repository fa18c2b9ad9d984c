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


REMAINDERS = (stirling_remainder, digamma_remainder)


def without_remainders(expr: sp.Expr) -> sp.Expr:
    """The remainders written back as loggamma / polygamma (for printers that lack them)."""
    return expr.replace(lambda e: isinstance(e, REMAINDERS),
                        lambda e: e.rewrite(sp.loggamma))
