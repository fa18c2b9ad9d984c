r"""More built-in continuous families (the atlas): declarative specs (density, support,
constraints, relations) only. Parameter names follow scipy.stats, or the textbook where scipy
has none; each entry states its density, its scipy.stats equivalent and a reference.

References: [JKB] Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions* I/II
(Wiley 1994/95); [FEHP] Forbes, Evans, Hastings & Peacock, *Statistical Distributions*, 4th ed.
(Wiley 2011); [MJ] Mardia & Jupp, *Directional Statistics* (Wiley 2000).
"""

from __future__ import annotations

import sympy as sp
from sympy import Interval, Piecewise, erf, exp, log, pi, sqrt

from .continuous import HALF_LINE, REAL_LINE, UNIT, register_continuous
from .spec import POSITIVE, POSITIVE_INTEGER, REAL, UNIT_INTERVAL


def _phi(z):
    """The standard normal density."""
    return exp(-z**2 / 2) / sqrt(2 * pi)


def _Phi(z):
    """The standard normal distribution function."""
    return (1 + erf(z / sqrt(2))) / 2


# von Mises [MJ §3.5.4]: exp(kappa cos(x - mu)) / (2 pi I_0(kappa)) on [-pi, pi] (a circle:
# any mu is one period's shift); scipy vonmises(kappa, loc=mu).
register_continuous("von_mises", [("mu", REAL), ("kappa", POSITIVE)],
            lambda x, mu, kappa: exp(kappa * sp.cos(x - mu)) / (2 * pi * sp.besseli(0, kappa)),
            lambda **_: Interval(-pi, pi), title="von Mises")
# triangular [JKB II ch. 26 §9]: 2(x - a)/((b - a)(c - a)) on [a, c], 2(b - x)/((b - a)(b - c))
# on [c, b], a < c < b; scipy triang((c - a)/(b - a), loc=a, scale=b - a).
register_continuous("triangular", [("a", REAL), ("c", REAL), ("b", REAL)],
            lambda x, a, c, b: Piecewise((2 * (x - a) / ((b - a) * (c - a)), x < c),
                                         (2 * (b - x) / ((b - a) * (b - c)), True)),
            lambda a, c, b: Interval(a, b),
            relations=lambda a, c, b: (sp.Lt(a, c), sp.Lt(c, b)), title="Triangular")
# arcsine [JKB II ch. 25 §7]: 1/(pi sqrt((x - a)(b - x))) on [a, b]; scipy arcsine(loc=a,
# scale=b - a).
register_continuous("arcsine", [("a", REAL), ("b", REAL)],
            lambda x, a, b: 1 / (pi * sqrt((x - a) * (b - x))), lambda a, b: Interval(a, b),
            relations=lambda a, b: (sp.Lt(a, b),), title="Arcsine")
# Wigner semicircle [FEHP ch. 46]: 2 sqrt(R^2 - (x - a)^2)/(pi R^2) on [a - R, a + R];
# scipy semicircular(loc=a, scale=R).
register_continuous("wigner_semicircle", [("a", REAL), ("R", POSITIVE)],
            lambda x, a, R: 2 * sqrt(R**2 - (x - a) ** 2) / (pi * R**2),
            lambda a, R: Interval(a - R, a + R), title="Wigner semicircle")
# beta prime [JKB II ch. 25 §7]: x^(a - 1) (1 + x)^(-a - b) / B(a, b) on x > 0;
# scipy betaprime(a, b).
register_continuous("beta_prime", [("a", POSITIVE, "alpha"), ("b", POSITIVE, "beta")],
            lambda x, a, b: x ** (a - 1) * (1 + x) ** (-a - b) / sp.beta(a, b),
            lambda **_: HALF_LINE, title="Beta prime")
# F (Fisher-Snedecor) [JKB II ch. 27]: (d1/d2)^(d1/2) x^(d1/2 - 1) (1 + d1 x/d2)^(-(d1+d2)/2)
# / B(d1/2, d2/2) on x > 0; scipy f(dfn=d1, dfd=d2).
register_continuous("f", [("d1", POSITIVE), ("d2", POSITIVE)],
            lambda x, d1, d2: (d1 / d2) ** (d1 / 2) * x ** (d1 / 2 - 1)
            * (1 + d1 * x / d2) ** (-(d1 + d2) / 2) / sp.beta(d1 / 2, d2 / 2),
            lambda **_: HALF_LINE, title="F")
# Erlang [FEHP ch. 15]: lam^k x^(k - 1) e^(-lam x) / (k - 1)! on x > 0, k a positive integer;
# scipy erlang(k, scale=1/lam).
register_continuous("erlang", [("k", POSITIVE_INTEGER), ("lam", POSITIVE)],
            lambda x, k, lam: lam**k * x ** (k - 1) * exp(-lam * x) / sp.factorial(k - 1),
            lambda **_: HALF_LINE, title="Erlang")
# Gumbel of the minimum [JKB II ch. 22]: e^((x - mu)/beta) exp(-e^((x - mu)/beta)) / beta;
# scipy gumbel_l(loc=mu, scale=beta).
register_continuous("gumbel_min", [("mu", REAL), ("beta", POSITIVE)],
            lambda x, mu, beta: exp((x - mu) / beta) * exp(-exp((x - mu) / beta)) / beta,
            lambda **_: REAL_LINE, title="Gumbel (minimum)")
# half-logistic [FEHP ch. 26 / Balakrishnan 1985]: 2 e^(-x/s) / (s (1 + e^(-x/s))^2) on x > 0;
# scipy halflogistic(scale=s).
register_continuous("half_logistic", [("s", POSITIVE)],
            lambda x, s: 2 * exp(-x / s) / (s * (1 + exp(-x / s)) ** 2),
            lambda **_: HALF_LINE, title="Half-logistic")
# hyperbolic secant [JKB II ch. 23 §11]: sech((x - mu)/s) / (pi s); scipy hypsecant(loc=mu,
# scale=s) (the textbook standard form (1/2) sech(pi x/2) is s = 2/pi).
register_continuous("hyperbolic_secant", [("mu", REAL), ("s", POSITIVE)],
            lambda x, mu, s: 2 / (pi * s * (exp((x - mu) / s) + exp(-(x - mu) / s))),
            lambda **_: REAL_LINE, title="Hyperbolic secant")
# log-uniform (reciprocal) [FEHP ch. 28]: 1/(x log(b/a)) on [a, b], 0 < a < b;
# scipy loguniform(a, b).
register_continuous("log_uniform", [("a", POSITIVE), ("b", POSITIVE)],
            lambda x, a, b: 1 / (x * (log(b) - log(a))), lambda a, b: Interval(a, b),
            relations=lambda a, b: (sp.Lt(a, b),), title="Log-uniform")
# power function [JKB II ch. 25 §8]: a x^(a - 1) on [0, 1]; scipy powerlaw(a).
register_continuous("power_function", [("a", POSITIVE)],
            lambda x, a: a * x ** (a - 1), lambda **_: UNIT, title="Power function")
# continuous Bernoulli (Loaiza-Ganem & Cunningham, NeurIPS 2019): C(lam) lam^x (1 - lam)^(1-x)
# on [0, 1], C(lam) = log((1 - lam)/lam) / (1 - 2 lam) (its limit 2 at lam = 1/2);
# torch.distributions.ContinuousBernoulli(probs=lam), not in scipy.
register_continuous("continuous_bernoulli", [("lam", UNIT_INTERVAL)],
            lambda x, lam: (log(1 - lam) - log(lam)) / (1 - 2 * lam)
            * lam**x * (1 - lam) ** (1 - x),
            lambda **_: UNIT, title="Continuous Bernoulli")
# exponentiated exponential (Gupta & Kundu, Aust. N. Z. J. Stat. 1999):
# alpha lam (1 - e^(-lam x))^(alpha - 1) e^(-lam x) on x > 0; scipy exponweib(alpha, 1,
# scale=1/lam).
register_continuous("exponentiated_exponential", [("alpha", POSITIVE), ("lam", POSITIVE)],
            lambda x, alpha, lam: alpha * lam * (1 - exp(-lam * x)) ** (alpha - 1)
            * exp(-lam * x),
            lambda **_: HALF_LINE, title="Exponentiated exponential")
# asymmetric Laplace (Kozubowski & Podgórski 2000; scipy's parameterisation):
# e^(-kappa (x - mu)/b) for x >= mu, e^((x - mu)/(kappa b)) for x < mu, over b (kappa + 1/kappa);
# scipy laplace_asymmetric(kappa, loc=mu, scale=b).
register_continuous("asymmetric_laplace", [("mu", REAL), ("b", POSITIVE), ("kappa", POSITIVE)],
            lambda x, mu, b, kappa: Piecewise((exp((x - mu) / (kappa * b)), x < mu),
                                              (exp(-kappa * (x - mu) / b), True))
            / (b * (kappa + 1 / kappa)),
            lambda **_: REAL_LINE, title="Asymmetric Laplace")
# skew-normal (Azzalini, Scand. J. Stat. 1985): 2/omega phi(z) Phi(alpha z), z = (x - xi)/omega;
# scipy skewnorm(alpha, loc=xi, scale=omega).
register_continuous("skew_normal", [("xi", REAL), ("omega", POSITIVE), ("alpha", REAL)],
            lambda x, xi, omega, alpha: 2 / omega * _phi((x - xi) / omega)
            * _Phi(alpha * (x - xi) / omega),
            lambda **_: REAL_LINE, title="Skew-normal")
# truncated normal [JKB I ch. 13 §10]: phi((x - mu)/sigma) / (sigma (Phi((b - mu)/sigma) -
# Phi((a - mu)/sigma))) on [a, b]; scipy truncnorm((a - mu)/sigma, (b - mu)/sigma, loc=mu,
# scale=sigma).
register_continuous("truncated_normal",
                    [("mu", REAL), ("sigma", POSITIVE), ("a", REAL), ("b", REAL)],
            lambda x, mu, sigma, a, b: _phi((x - mu) / sigma)
            / (sigma * (_Phi((b - mu) / sigma) - _Phi((a - mu) / sigma))),
            lambda mu, sigma, a, b: Interval(a, b),
            relations=lambda mu, sigma, a, b: (sp.Lt(a, b),), title="Truncated normal")
# generalized gamma (Stacy, Ann. Math. Stat. 1962): p x^(d - 1) e^(-(x/a)^p) / (a^d Gamma(d/p))
# on x > 0; scipy gengamma(d/p, p, scale=a).
register_continuous("generalized_gamma", [("a", POSITIVE), ("d", POSITIVE), ("p", POSITIVE)],
            lambda x, a, d, p: p * x ** (d - 1) * exp(-((x / a) ** p)) / (a**d * sp.gamma(d / p)),
            lambda **_: HALF_LINE, title="Generalized gamma")
# Nakagami (Nakagami 1960; [FEHP ch. 34]): 2 m^m x^(2m - 1) e^(-m x^2/omega) / (Gamma(m) omega^m)
# on x > 0; scipy nakagami(m, scale=sqrt(omega)).
register_continuous("nakagami", [("m", POSITIVE), ("omega", POSITIVE)],
            lambda x, m, omega: 2 * m**m * x ** (2 * m - 1) * exp(-m * x**2 / omega)
            / (sp.gamma(m) * omega**m),
            lambda **_: HALF_LINE, title="Nakagami")
# Fréchet (inverse Weibull) [JKB I ch. 21 / Fréchet 1927]: (alpha/s) (x/s)^(-1 - alpha)
# e^(-(x/s)^(-alpha)) on x > 0; scipy invweibull(alpha, scale=s).
register_continuous("frechet", [("alpha", POSITIVE), ("s", POSITIVE)],
            lambda x, alpha, s: alpha / s * (x / s) ** (-1 - alpha) * exp(-((x / s) ** (-alpha))),
            lambda **_: HALF_LINE, title="Fréchet")
# log-logistic (Fisk) [FEHP ch. 29]: (beta/alpha) (x/alpha)^(beta - 1) / (1 + (x/alpha)^beta)^2
# on x > 0; scipy fisk(beta, scale=alpha).
register_continuous("log_logistic", [("alpha", POSITIVE), ("beta", POSITIVE)],
            lambda x, alpha, beta: beta / alpha * (x / alpha) ** (beta - 1)
            / (1 + (x / alpha) ** beta) ** 2,
            lambda **_: HALF_LINE, title="Log-logistic")
# log-Cauchy (Olive, *Statistical Theory and Inference*, Springer 2014, §10.17): X = e^Y with
# Y ~ Cauchy(mu, sigma), sigma / (pi x ((log x - mu)^2 + sigma^2)) on x > 0; not in scipy.stats
# (its density is scipy's cauchy(loc=mu, scale=sigma).pdf(log x) / x). E[log X] does not exist,
# so neither does its differential entropy h(Y) + E[Y].
register_continuous("log_cauchy", [("mu", REAL), ("sigma", POSITIVE)],
            lambda x, mu, sigma: sigma / (pi * x * ((log(x) - mu) ** 2 + sigma**2)),
            lambda **_: HALF_LINE, title="Log-Cauchy")
