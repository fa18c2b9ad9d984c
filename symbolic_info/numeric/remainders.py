"""Stirling remainders: the source of R(z) = log Γ(z) - (z - ½) log z + z - ½ log 2π and
S(z) = ψ(z) - log z + 1/(2z), as numpy (array) and numba (scalar) code.

For z ≥ 10 both are their asymptotic series, R = Σ_k B_2k / (2k(2k-1) z^(2k-1)) and
S = -Σ_k B_2k / (2k z^2k), k = 1..8 (the Bernoulli numbers from sympy); below, the defining
difference. Rewriting a result with them (:func:`symbolic_info.numeric.stable.rewrite`) lets
the terms ~z log z of log Γ(z) and z ψ(z) cancel symbolically instead of in float64.
The text is executed by the backends and copied into exported modules.
"""

from __future__ import annotations

import sympy as sp

THRESHOLD = 10.0
TERMS = 8


def coefficients() -> tuple[list[str], list[str]]:
    """The coefficients of R and S in 1/z² (k = 1..TERMS), as float literals."""
    r = [repr(float(sp.bernoulli(2 * k) / (2 * k * (2 * k - 1)))) for k in range(1, TERMS + 1)]
    s = [repr(float(-sp.bernoulli(2 * k) / (2 * k))) for k in range(1, TERMS + 1)]
    return r, s


def _horner(coefficients: list[str], variable: str) -> str:
    """c_1 + c_2 v + ... + c_n v^(n-1), nested."""
    text = coefficients[-1]
    for c in reversed(coefficients[:-1]):
        text = f"({c} + {variable} * {text})"
    return text


def _sources() -> tuple[str, str]:
    r, s = coefficients()
    r_series, s_series = _horner(r, "w"), _horner(s, "w")
    half_log_2pi = repr(float(sp.log(2 * sp.pi) / 2))
    array = f'''
def stirling_remainder(z):
    z = numpy.asarray(z, dtype=float)
    with numpy.errstate(all="ignore"):
        w = 1.0 / (z * z)
        return numpy.where(z >= {THRESHOLD!r}, {r_series} / z,
                           scipy.special.gammaln(z) - (z - 0.5) * numpy.log(z) + z
                           - {half_log_2pi})


def digamma_remainder(z):
    z = numpy.asarray(z, dtype=float)
    with numpy.errstate(all="ignore"):
        w = 1.0 / (z * z)
        return numpy.where(z >= {THRESHOLD!r}, {s_series} * w,
                           scipy.special.digamma(z) - numpy.log(z) + 0.5 / z)
'''
    scalar = f'''
@numba.njit(cache=False)
def stirling_remainder(z):
    if z >= {THRESHOLD!r}:
        w = 1.0 / (z * z)
        return {r_series} / z
    return math.lgamma(z) - (z - 0.5) * math.log(z) + z - {half_log_2pi}


@numba.njit(cache=False)
def digamma_remainder(z):
    if z >= {THRESHOLD!r}:
        w = 1.0 / (z * z)
        return {s_series} * w
    return digamma(z) - math.log(z) + 0.5 / z
'''
    return array, scalar


ARRAY_SOURCE, SCALAR_SOURCE = _sources()
NAMES = ("stirling_remainder", "digamma_remainder")
