"""Families defined in the tests through ``si.from_density`` (none of them built in).

Importing this module registers them (``conftest`` does), so the registry-driven suites check
them like the built-ins, and ``test_from_density`` checks them by name.
"""

from __future__ import annotations

import sympy as sp
from sympy import Interval, Range, exp, oo, pi, sqrt

import symbolic_info as si

x = sp.Symbol("x", real=True)
k = sp.Symbol("k", integer=True, nonnegative=True)
a = sp.Symbol("a", positive=True)
c = sp.Symbol("c", positive=True)
lam = sp.Symbol("lam", positive=True)
mu = sp.Symbol("mu", real=True)
s = sp.Symbol("s", positive=True)
t = sp.Symbol("t", positive=True)

USER_FAMILIES = {
    # Maxwell-Boltzmann speed distribution with scale a
    "maxwell_boltzmann": si.from_density(
        "maxwell_boltzmann", sqrt(2 / pi) * x**2 * exp(-(x**2) / (2 * a**2)) / a**3, x,
        Interval(0, oo)),
    # triangular density on [0, 2] with its peak at 1 (no parameters; not the built-in
    # triangular(a, c, b), which a user family of that name would replace)
    "triangle_0_2": si.from_density(
        "triangle_0_2", sp.Piecewise((x, x <= 1), (2 - x, True)), x, Interval(0, 2)),
    # the "power" density c x^(c-1) on [0, 1]
    "power": si.from_density("power", c * x ** (c - 1), x, Interval(0, 1)),
    # exponential shifted to start at mu
    "shifted_exponential": si.from_density(
        "shifted_exponential", lam * exp(-lam * (x - mu)), x, Interval(mu, oo)),
    # generalized normal with fixed shape 4: exp(-((x - mu)/s)^4) / (2 s Γ(5/4))
    "generalized_normal_4": si.from_density(
        "generalized_normal_4", exp(-(((x - mu) / s) ** 4)) / (2 * s * sp.gamma(sp.Rational(5, 4))),
        x, Interval(-oo, oo)),
    # a geometric-like pmf with mean t: t^k / (1 + t)^(k + 1) on {0, 1, 2, ...}
    "geometric_mean": si.from_density(
        "geometric_mean", t**k / (1 + t) ** (k + 1), k, Range(0, oo)),
}
