r"""More built-in discrete families (the atlas): declarative specs (pmf, support, constraints,
relations) only. Parameter names follow scipy.stats, or the textbook where scipy has none;
each entry states its pmf, its scipy.stats equivalent and a reference.

References: [JKK] Johnson, Kemp & Kotz, *Univariate Discrete Distributions*, 3rd ed.
(Wiley 2005).
"""

from __future__ import annotations

import sympy as sp
from sympy import FiniteSet, Range, exp, log, oo

from .ordered_range import OrderedRange
from .registry import make_spec, register
from .spec import (
    NONNEGATIVE_INTEGER,
    POSITIVE,
    POSITIVE_INTEGER,
    UNIT_INTERVAL,
    Constraint,
    Param,
)

K = sp.Symbol("x", integer=True, nonnegative=True)  # on the nonnegative integers
Z = sp.Symbol("x", integer=True)  # on all the integers

#: a real number above 1 (the Zipf exponent: Σ k^(-a) converges exactly for a > 1)
ABOVE_ONE = Constraint(
    "greater than 1", (("positive", True),),
    lambda v: bool(v > 1) if v.is_number and v.is_real else (v.is_positive or None),
    lambda rng: float(rng.uniform(1.5, 4.0)))


def _discrete(name, params, pmf, support, variable=K, **kw):
    """``params``: (keyword, constraint) or (keyword, constraint, conventional symbol)."""
    register(make_spec(name, tuple(Param(*p) for p in params), variable, pmf, support, **kw))


# beta-binomial [JKK §6.7.2]: C(n, x) B(x + a, n - x + b) / B(a, b) on {0, ..., n};
# scipy betabinom(n, a, b).
_discrete("beta_binomial", [("n", POSITIVE_INTEGER), ("a", POSITIVE, "alpha"),
                            ("b", POSITIVE, "beta")],
          lambda x, n, a, b: sp.binomial(n, x) * sp.beta(x + a, n - x + b) / sp.beta(a, b),
          lambda n, a, b: Range(0, n + 1), title="Beta-binomial")
# Borel [JKK §7.2.2]: e^(-mu x) (mu x)^(x - 1) / x! on x >= 1, 0 < mu < 1; not in scipy. The
# sampler draws mu in (0.05, 0.8) (the tail decays like e^(-(mu - 1 - log mu) x)).
_discrete("borel", [("mu", UNIT_INTERVAL)],
          lambda x, mu: exp(-mu * x) * (mu * x) ** (x - 1) / sp.factorial(x),
          lambda **_: Range(1, oo), title="Borel",
          sampler=lambda rng: (float(rng.uniform(0.05, 0.8)),))
# discrete Laplace [JKK §11.2.5 / Inusah & Kozubowski 2006]: tanh(a/2) e^(-a |x|) on the
# integers; scipy dlaplace(a).
_discrete("discrete_laplace", [("a", POSITIVE)],
          lambda x, a: sp.tanh(a / 2) * exp(-a * sp.Abs(x)), lambda **_: Range(-oo, oo),
          variable=Z, title="Discrete Laplace")
# Rademacher (the random signs of H. Rademacher, Math. Ann. 87, 1922; [JKK §3.2: a two-point
# law]): 1/2 at x = -1 and at x = 1, no parameters; the support is the FiniteSet {-1, 1}, not
# the integers between its ends. Not a named scipy.stats law: scipy.stats.rv_discrete(
# values=([-1, 1], [1/2, 1/2])).
_discrete("rademacher", [], lambda x: sp.Rational(1, 2), lambda **_: FiniteSet(-1, 1),
          variable=Z, title="Rademacher")
# logarithmic (log-series) [JKK ch. 7]: -p^x / (x log(1 - p)) on x >= 1, 0 < p < 1; scipy
# logser(p). Its constant -1/log(1 - p) is positive; expanded, log of it is log(-log(1 - p)).
_discrete("logarithmic", [("p", UNIT_INTERVAL)],
          lambda x, p: -(p**x) / (x * log(1 - p)), lambda **_: Range(1, oo),
          title="Logarithmic (log-series)")
# Zipf (zeta) [JKK §11.2.20]: x^(-a) / zeta(a) on x >= 1, a > 1; scipy zipf(a). E log x has
# no closed form (-zeta'(a)/zeta(a)): the entropy keeps the power-law series. The sampler
# draws a in (1.5, 4): the series' terms decay like log(k) k^(-a).
_discrete("zipf", [("a", ABOVE_ONE)], lambda x, a: x ** (-a) / sp.zeta(a),
          lambda **_: Range(1, oo), title="Zipf (zeta)",
          sampler=lambda rng: (float(rng.uniform(1.5, 4.0)),))
# Yule-Simon [JKK §6.10.3; Simon, Biometrika 1955]: alpha B(x, alpha + 1) on x >= 1,
# alpha > 0; scipy yulesimon(alpha). Its tail decays like x^(-alpha - 1).
_discrete("yule_simon", [("alpha", POSITIVE)],
          lambda x, alpha: alpha * sp.beta(x, alpha + 1), lambda **_: Range(1, oo),
          title="Yule-Simon")
# Skellam [JKK §4.12.3; Skellam, J. R. Stat. Soc. 1946]: the difference of independent
# Poisson(mu1) and Poisson(mu2) counts, e^(-(mu1 + mu2)) (mu1/mu2)^(x/2) I_x(2 sqrt(mu1 mu2)) on
# the integers (I_x = I_-x); scipy skellam(mu1, mu2).
_discrete("skellam", [("mu1", POSITIVE), ("mu2", POSITIVE)],
          lambda x, mu1, mu2: exp(-mu1 - mu2) * (mu1 / mu2) ** (x / 2)
          * sp.besseli(x, 2 * sp.sqrt(mu1 * mu2)),
          lambda **_: Range(-oo, oo), variable=Z, title="Skellam")


def _hypergeometric_point(rng):
    """M in 2..20, n and N in 1..M - 1: a support of at least two points (at most 20)."""
    m = int(rng.integers(2, 21))
    return m, int(rng.integers(1, m)), int(rng.integers(1, m))


# hypergeometric [JKK ch. 6]: the successes among N draws without replacement from M items of
# which n are successes, C(n, x) C(M - n, N - x) / C(M, N) on max(0, N - (M - n)) <= x <=
# min(n, N), with n <= M and N <= M; scipy hypergeom(M, n, N) (its names and order). The ends
# of the support are Max/Min of the parameters, kept in order by the relations: an
# OrderedRange. The sampler keeps sums short (M <= 20).
_discrete("hypergeometric", [("M", POSITIVE_INTEGER), ("n", NONNEGATIVE_INTEGER),
                             ("N", NONNEGATIVE_INTEGER)],
          lambda x, M, n, N: sp.binomial(n, x) * sp.binomial(M - n, N - x) / sp.binomial(M, N),
          lambda M, n, N: OrderedRange(sp.Max(0, N - M + n), sp.Min(n, N) + 1),
          relations=lambda M, n, N: (sp.Le(n, M), sp.Le(N, M)), title="Hypergeometric",
          sampler=_hypergeometric_point)
