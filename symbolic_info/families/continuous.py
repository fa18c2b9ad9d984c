"""Built-in continuous families: declarative specs (density, support, constraints) only."""

from __future__ import annotations

import sympy as sp
from sympy import Abs, Interval, exp, log, oo, pi, sqrt

from .registry import make_spec, register
from .spec import POSITIVE, REAL, Alias, Param

X = sp.Symbol("x", real=True)
REAL_LINE = Interval(-oo, oo)
HALF_LINE = Interval(0, oo)
UNIT = Interval(0, 1)


def register_continuous(name, params, density, support, **kw):
    """Register a continuous family on the variable :data:`X`. ``params``: (keyword,
    constraint) or (keyword, constraint, conventional symbol)."""
    register(make_spec(name, tuple(Param(*p) for p in params), X, density, support, **kw))


register_continuous("normal", [("mu", REAL), ("sigma", POSITIVE)],
            lambda x, mu, sigma: exp(-(x - mu) ** 2 / (2 * sigma**2)) / (sqrt(2 * pi) * sigma),
            lambda **_: REAL_LINE, title="Normal")
register_continuous("exponential", [("rate", POSITIVE, "lam")],
            lambda x, rate: rate * exp(-rate * x), lambda **_: HALF_LINE, title="Exponential")
register_continuous("gamma", [("shape", POSITIVE, "alpha"), ("rate", POSITIVE, "beta")],
            lambda x, shape, rate: rate**shape * x ** (shape - 1) * exp(-rate * x)
            / sp.gamma(shape),
            lambda **_: HALF_LINE,
            aliases=(Alias("scale", "rate", lambda s: 1 / s, "theta", (("shape", "k"),)),),
            title="Gamma")
register_continuous("beta", [("a", POSITIVE, "alpha"), ("b", POSITIVE, "beta")],
            lambda x, a, b: x ** (a - 1) * (1 - x) ** (b - 1) / sp.beta(a, b),
            lambda **_: UNIT, title="Beta")
register_continuous("laplace", [("mu", REAL), ("b", POSITIVE)],
            lambda x, mu, b: exp(-Abs(x - mu) / b) / (2 * b), lambda **_: REAL_LINE,
            title="Laplace")
register_continuous("uniform", [("a", REAL), ("b", REAL)],
            lambda x, a, b: 1 / (b - a), lambda a, b: Interval(a, b),
            relations=lambda a, b: (sp.Lt(a, b),), title="Uniform")
register_continuous("lognormal", [("mu", REAL), ("sigma", POSITIVE)],
            lambda x, mu, sigma: exp(-(log(x) - mu) ** 2 / (2 * sigma**2))
            / (x * sigma * sqrt(2 * pi)), lambda **_: HALF_LINE, title="Log-normal")
register_continuous("cauchy", [("x0", REAL), ("gamma", POSITIVE)],
            lambda x, x0, gamma: gamma / (pi * ((x - x0) ** 2 + gamma**2)),
            lambda **_: REAL_LINE, title="Cauchy")
register_continuous("logistic", [("mu", REAL), ("s", POSITIVE)],
            lambda x, mu, s: exp(-(x - mu) / s) / (s * (1 + exp(-(x - mu) / s)) ** 2),
            lambda **_: REAL_LINE, title="Logistic")
register_continuous("gumbel", [("mu", REAL), ("beta", POSITIVE)],
            lambda x, mu, beta: exp(-(x - mu) / beta) * exp(-exp(-(x - mu) / beta)) / beta,
            lambda **_: REAL_LINE, title="Gumbel")
register_continuous("weibull", [("k", POSITIVE), ("lam", POSITIVE)],
            lambda x, k, lam: k / lam * (x / lam) ** (k - 1) * exp(-((x / lam) ** k)),
            lambda **_: HALF_LINE, title="Weibull")
register_continuous("rayleigh", [("sigma", POSITIVE)],
            lambda x, sigma: x / sigma**2 * exp(-(x**2) / (2 * sigma**2)),
            lambda **_: HALF_LINE, title="Rayleigh")
register_continuous("pareto", [("xm", POSITIVE, "x_m"), ("alpha", POSITIVE)],
            lambda x, xm, alpha: alpha * xm**alpha / x ** (alpha + 1),
            lambda xm, alpha: Interval(xm, oo), title="Pareto")
register_continuous("chi_squared", [("k", POSITIVE)],
            lambda x, k: x ** (k / 2 - 1) * exp(-x / 2) / (2 ** (k / 2) * sp.gamma(k / 2)),
            lambda **_: HALF_LINE, title="Chi-squared")
register_continuous("student_t", [("nu", POSITIVE)],
            lambda x, nu: sp.gamma((nu + 1) / 2) / (sqrt(nu * pi) * sp.gamma(nu / 2))
            * (1 + x**2 / nu) ** (-(nu + 1) / 2), lambda **_: REAL_LINE, title="Student's t")
register_continuous("half_normal", [("sigma", POSITIVE)],
            lambda x, sigma: sqrt(2) / (sigma * sqrt(pi)) * exp(-(x**2) / (2 * sigma**2)),
            lambda **_: HALF_LINE, title="Half-normal")
register_continuous("half_cauchy", [("gamma", POSITIVE)],
            lambda x, gamma: 2 * gamma / (pi * (x**2 + gamma**2)), lambda **_: HALF_LINE,
            title="Half-Cauchy")
register_continuous("inverse_gamma", [("alpha", POSITIVE), ("beta", POSITIVE)],
            lambda x, alpha, beta: beta**alpha / sp.gamma(alpha) * x ** (-alpha - 1)
            * exp(-beta / x), lambda **_: HALF_LINE, title="Inverse-gamma")
register_continuous("kumaraswamy", [("a", POSITIVE), ("b", POSITIVE)],
            lambda x, a, b: a * b * x ** (a - 1) * (1 - x**a) ** (b - 1), lambda **_: UNIT,
            title="Kumaraswamy")
# The remaining Gil-Alajaji-Linder (2013) families. Parameters and their scipy.stats names:
# chi(k) is scipy's chi(df=k); maxwell(a) is maxwell(scale=a); levy(mu, c) is
# levy(loc=mu, scale=c); inverse_gaussian(mu, lam) (mean mu, shape lam) is
# invgauss(mu/lam, scale=lam); generalized_normal(mu, alpha, beta) is
# gennorm(beta, loc=mu, scale=alpha).
register_continuous("chi", [("k", POSITIVE)],
            lambda x, k: x ** (k - 1) * exp(-(x**2) / 2) / (2 ** (k / 2 - 1) * sp.gamma(k / 2)),
            lambda **_: HALF_LINE, title="Chi")
register_continuous("maxwell", [("a", POSITIVE)],
            lambda x, a: sqrt(2 / pi) * x**2 * exp(-(x**2) / (2 * a**2)) / a**3,
            lambda **_: HALF_LINE, title="Maxwell-Boltzmann")
register_continuous("levy", [("mu", REAL), ("c", POSITIVE)],
            lambda x, mu, c: sqrt(c / (2 * pi)) * exp(-c / (2 * (x - mu)))
            / (x - mu) ** sp.Rational(3, 2),
            lambda mu, c: Interval(mu, oo), title="Lévy")
register_continuous("inverse_gaussian", [("mu", POSITIVE), ("lam", POSITIVE)],
            lambda x, mu, lam: sqrt(lam / (2 * pi)) * x ** sp.Rational(-3, 2)
            * exp(-lam * (x - mu) ** 2 / (2 * mu**2 * x)),
            lambda **_: HALF_LINE, title="Inverse Gaussian")
register_continuous("generalized_normal", [("mu", REAL), ("alpha", POSITIVE), ("beta", POSITIVE)],
            lambda x, mu, alpha, beta: beta / (2 * alpha * sp.gamma(1 / beta))
            * exp(-((Abs(x - mu) / alpha) ** beta)),
            lambda **_: REAL_LINE, title="Generalized normal")
