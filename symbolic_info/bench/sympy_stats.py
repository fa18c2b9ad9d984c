"""The same entropies through ``sympy.stats.entropy``, for comparison.

Each family maps to a ``sympy.stats`` constructor called with the symbols of our own default
member (so both sides see the same assumptions); ``None`` marks a family sympy lacks.
"""

from __future__ import annotations

import cmath
from collections.abc import Callable

import sympy as sp
import sympy.stats as st

from ..budget import run_limited
from ..errors import BudgetExceeded
from ..families import Family, sample_parameters
from .report import Row, timed

# name -> constructor from our parameter values (by name) to a sympy.stats random variable
CONSTRUCTORS: dict[str, Callable[[dict], object] | None] = {
    "normal": lambda v: st.Normal("X", v["mu"], v["sigma"]),
    "exponential": lambda v: st.Exponential("X", v["rate"]),
    "gamma": lambda v: st.Gamma("X", v["shape"], 1 / v["rate"]),
    "beta": lambda v: st.Beta("X", v["a"], v["b"]),
    "laplace": lambda v: st.Laplace("X", v["mu"], v["b"]),
    "uniform": lambda v: st.Uniform("X", v["a"], v["b"]),
    "lognormal": lambda v: st.LogNormal("X", v["mu"], v["sigma"]),
    "cauchy": lambda v: st.Cauchy("X", v["x0"], v["gamma"]),
    "logistic": lambda v: st.Logistic("X", v["mu"], v["s"]),
    "gumbel": lambda v: st.Gumbel("X", v["beta"], v["mu"]),
    "weibull": lambda v: st.Weibull("X", v["lam"], v["k"]),
    "rayleigh": lambda v: st.Rayleigh("X", v["sigma"]),
    "pareto": lambda v: st.Pareto("X", v["xm"], v["alpha"]),
    "chi_squared": lambda v: st.ChiSquared("X", v["k"]),
    "student_t": lambda v: st.StudentT("X", v["nu"]),
    "inverse_gamma": lambda v: st.GammaInverse("X", v["alpha"], v["beta"]),
    "kumaraswamy": lambda v: st.Kumaraswamy("X", v["a"], v["b"]),
    "half_normal": None,
    "half_cauchy": None,
    "bernoulli": lambda v: st.Bernoulli("X", v["p"]),
    "binomial": lambda v: st.Binomial("X", v["n"], v["p"]),
    "geometric": lambda v: st.Geometric("X", v["p"]),
    "poisson": lambda v: st.Poisson("X", v["lam"]),
    "negative_binomial": lambda v: st.NegativeBinomial("X", v["r"], v["p"]),
    "discrete_uniform": None,  # sympy's DiscreteUniform needs an explicit list of items
    "categorical": lambda v: st.FiniteRV("X", dict(enumerate(v.values()))),
}


def classify(result) -> str:
    """ok, nan, unevaluated (an Integral, Sum or Expectation is left in the result), or
    malformed (not an expression of the parameters, e.g. ``-log(Lambda(x, ...))``)."""
    result = sp.sympify(result)
    if not isinstance(result, sp.Expr) or result.has(sp.Lambda):
        return "malformed"
    if result.has(sp.nan):
        return "nan"
    if result.has(sp.Integral, sp.Sum, st.Expectation):
        return "unevaluated"
    return "ok"


def entropy_row(member: Family, limit: float) -> tuple[Row, sp.Expr | None]:
    """The timing row of ``sympy.stats.entropy`` of ``member``, and its result when ``ok``."""
    make = CONSTRUCTORS.get(member.name)
    if make is None:
        return Row(member.name, 0.0, "n/a"), None
    results = []

    def attempt() -> str:
        result = st.entropy(make(member.params))
        results.append(result)
        return classify(result)

    row = timed(member.name, attempt, limit)
    return row, results[0] if row.status == "ok" and results else None


def agreement(member: Family, ours: sp.Expr, theirs: sp.Expr, rng, limit: float = 5.0) -> str:
    """``agrees`` or ``DIFFERS (...)``: both results at one random valid parameter point."""
    point = {s: sp.Float(v) for s, v in sample_parameters(member, rng).items()}

    def values() -> tuple[complex, complex]:
        return (complex(sp.N(ours.xreplace(point), 15)),
                complex(sp.N(theirs.xreplace(point), 15)))

    try:
        a, b = run_limited(values, limit)
    except BudgetExceeded:
        return "no numeric comparison (timeout)"
    except (TypeError, ValueError) as exc:
        return f"no numeric comparison ({type(exc).__name__})"
    if not cmath.isfinite(b):
        return f"but evaluates to {b.real:g} at a valid point"
    if abs(a - b) <= 1e-9 * max(1.0, abs(a)):
        return "agrees"
    return f"DIFFERS (ours {a.real:.6g}, sympy {b.real:.6g})"
