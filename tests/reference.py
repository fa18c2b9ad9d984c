"""References for the engine tests: scipy.stats constructors and numerical integration.

The table ``SCIPY`` maps a registered family name to a function of the family's parameter
values (a dict keyed by parameter name, floats) returning the frozen scipy.stats distribution.
Families absent from the table are checked against numerical integration only.

Numerical integration works on the *defining* integral of the spec's own density
(``-∫ p log p``, ``-∫ p log q``, ``∫ p log(p/q)``), evaluated with mpmath at 30 digits:
tanh-sinh quadrature split at the kinks of ``Abs``/``Piecewise`` and at quantiles of P (so the
mass is never missed on an infinite interval), or direct summation for pmfs.  It shares no code
with the engine's own numeric check.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import mpmath
import numpy as np
import sympy as sp
from scipy import stats

import symbolic_info as si
from symbolic_info.families import sample_parameters
from symbolic_info.families.registry import default_values
from symbolic_info.numeric.lambdify import MPMATH_CDFS
from symbolic_info.numeric.stable import normal_cdfs

DPS = 30
RTOL = 1e-8          # the requirement: relative error at most 1e-8
ATOL = 1e-10         # floor for values near zero (KL between close members)
SCIPY_RTOL = 1e-7    # scipy's own entropies are partly computed by quadrature

# name -> function(params dict) -> frozen scipy.stats distribution
SCIPY: dict[str, Callable[[dict], object]] = {
    "normal": lambda p: stats.norm(loc=p["mu"], scale=p["sigma"]),
    "exponential": lambda p: stats.expon(scale=1 / p["rate"]),
    "gamma": lambda p: stats.gamma(a=p["shape"], scale=1 / p["rate"]),
    "beta": lambda p: stats.beta(a=p["a"], b=p["b"]),
    "laplace": lambda p: stats.laplace(loc=p["mu"], scale=p["b"]),
    "uniform": lambda p: stats.uniform(loc=p["a"], scale=p["b"] - p["a"]),
    "lognormal": lambda p: stats.lognorm(s=p["sigma"], scale=math.exp(p["mu"])),
    "cauchy": lambda p: stats.cauchy(loc=p["x0"], scale=p["gamma"]),
    "logistic": lambda p: stats.logistic(loc=p["mu"], scale=p["s"]),
    "gumbel": lambda p: stats.gumbel_r(loc=p["mu"], scale=p["beta"]),
    "weibull": lambda p: stats.weibull_min(c=p["k"], scale=p["lam"]),
    "rayleigh": lambda p: stats.rayleigh(scale=p["sigma"]),
    "pareto": lambda p: stats.pareto(b=p["alpha"], scale=p["xm"]),
    "chi_squared": lambda p: stats.chi2(df=p["k"]),
    "student_t": lambda p: stats.t(df=p["nu"]),
    "half_normal": lambda p: stats.halfnorm(scale=p["sigma"]),
    "half_cauchy": lambda p: stats.halfcauchy(scale=p["gamma"]),
    "inverse_gamma": lambda p: stats.invgamma(a=p["alpha"], scale=p["beta"]),
    "chi": lambda p: stats.chi(df=p["k"]),
    "maxwell": lambda p: stats.maxwell(scale=p["a"]),
    "levy": lambda p: stats.levy(loc=p["mu"], scale=p["c"]),
    "inverse_gaussian": lambda p: stats.invgauss(p["mu"] / p["lam"], scale=p["lam"]),
    "generalized_normal": lambda p: stats.gennorm(p["beta"], loc=p["mu"], scale=p["alpha"]),
    "von_mises": lambda p: stats.vonmises(p["kappa"], loc=p["mu"]),
    "triangular": lambda p: stats.triang((p["c"] - p["a"]) / (p["b"] - p["a"]), loc=p["a"],
                                         scale=p["b"] - p["a"]),
    "arcsine": lambda p: stats.arcsine(loc=p["a"], scale=p["b"] - p["a"]),
    "wigner_semicircle": lambda p: stats.semicircular(loc=p["a"], scale=p["R"]),
    "beta_prime": lambda p: stats.betaprime(p["a"], p["b"]),
    "f": lambda p: stats.f(p["d1"], p["d2"]),
    "erlang": lambda p: stats.erlang(int(p["k"]), scale=1 / p["lam"]),
    "gumbel_min": lambda p: stats.gumbel_l(loc=p["mu"], scale=p["beta"]),
    "half_logistic": lambda p: stats.halflogistic(scale=p["s"]),
    "hyperbolic_secant": lambda p: stats.hypsecant(loc=p["mu"], scale=p["s"]),
    "log_uniform": lambda p: stats.loguniform(p["a"], p["b"]),
    "power_function": lambda p: stats.powerlaw(p["a"]),
    "exponentiated_exponential": lambda p: stats.exponweib(p["alpha"], 1, scale=1 / p["lam"]),
    "asymmetric_laplace": lambda p: stats.laplace_asymmetric(p["kappa"], loc=p["mu"],
                                                             scale=p["b"]),
    "skew_normal": lambda p: stats.skewnorm(p["alpha"], loc=p["xi"], scale=p["omega"]),
    "truncated_normal": lambda p: stats.truncnorm((p["a"] - p["mu"]) / p["sigma"],
                                                  (p["b"] - p["mu"]) / p["sigma"],
                                                  loc=p["mu"], scale=p["sigma"]),
    "generalized_gamma": lambda p: stats.gengamma(p["d"] / p["p"], p["p"], scale=p["a"]),
    "nakagami": lambda p: stats.nakagami(p["m"], scale=math.sqrt(p["omega"])),
    "frechet": lambda p: stats.invweibull(p["alpha"], scale=p["s"]),
    "log_logistic": lambda p: stats.fisk(p["beta"], scale=p["alpha"]),
    "beta_binomial": lambda p: stats.betabinom(int(p["n"]), p["a"], p["b"]),
    "discrete_laplace": lambda p: stats.dlaplace(p["a"]),
    "rademacher": lambda p: stats.rv_discrete(values=([-1, 1], [0.5, 0.5])),
    "logarithmic": lambda p: stats.logser(p["p"]),
    "zipf": lambda p: stats.zipf(p["a"]),
    "yule_simon": lambda p: stats.yulesimon(p["alpha"]),
    "skellam": lambda p: stats.skellam(p["mu1"], p["mu2"]),
    "hypergeometric": lambda p: stats.hypergeom(int(p["M"]), int(p["n"]), int(p["N"])),
    "bernoulli": lambda p: stats.bernoulli(p["p"]),
    "binomial": lambda p: stats.binom(int(p["n"]), p["p"]),
    "geometric": lambda p: stats.geom(p["p"]),
    "poisson": lambda p: stats.poisson(p["lam"]),
    "negative_binomial": lambda p: stats.nbinom(p["r"], p["p"]),
    "discrete_uniform": lambda p: stats.randint(1, int(p["n"]) + 1),
    "mvnormal": lambda p: stats.multivariate_normal(
        mean=[p["mu_1"], p["mu_2"]],
        cov=[[p["cov_1_1"], p["cov_1_2"]], [p["cov_1_2"], p["cov_2_2"]]]),
    "mvnormal_diag": lambda p: stats.multivariate_normal(
        mean=[p["mu_1"], p["mu_2"]], cov=np.diag([p["sigma_1"] ** 2, p["sigma_2"] ** 2])),
    "dirichlet": lambda p: stats.dirichlet([p[f"alpha_{i}"] for i in (1, 2, 3)]),
    "multinomial": lambda p: stats.multinomial(
        int(round(p["n"])), [p[f"p_{i}"] for i in (1, 2, 3)]),
    "categorical": lambda p: stats.rv_discrete(
        values=(np.arange(len(p)), [p[f"p_{i}"] for i in range(1, len(p) + 1)])),
}

CATEGORICAL_SIZE = 3
# Quantities (of a family, or of a same-family pair) whose defining integral has no value:
# status "undefined", result nan. The log-Cauchy's E[log X] = E[Y], Y Cauchy, has
# E[Y+] = E[Y-] = oo, and its entropy and the cross-entropy of two log-Cauchy laws each sum it
# with terms of finite expectation (tests/test_log_cauchy.py).
UNDEFINED = {("entropy", "log_cauchy"), ("cross_entropy", "log_cauchy")}
# Families whose defining integrals are taken in u = log x: a tail like the log-Cauchy's
# 1/(x log^2 x) holds mass that no quadrature in x reaches (at x = 1e24 a fortieth of it is
# still out). name -> function(params dict) -> the frozen scipy law of log X, whose quantiles
# split the line.
LOG_SCALE: dict[str, Callable[[dict], object]] = {
    "log_cauchy": lambda p: stats.cauchy(loc=p["mu"], scale=p["sigma"]),
}


# --------------------------------------------------------------------------- members

def member(name: str, suffix: str = "1") -> si.Family:
    """The member of ``name`` with symbolic parameters named ``<param>_<suffix>``."""
    if name == "categorical":
        return si.family("categorical",
                         p=[f"p_{i}_{suffix}" for i in range(1, CATEGORICAL_SIZE + 1)])
    return si.family(name, **default_values(name, suffix))


def point_families() -> list[str]:
    """The families whose default member has scalar parameters: the registry-driven tests draw
    scalar points for them. A family whose default member is of symbolic dimension (the
    Wishart, with a matrix scale) has its own tests (tests/test_wishart.py)."""
    return [n for n in si.families() if not member(n, "1").matrix]


@functools.cache
def derivation(quantity: str, p_name: str, q_name: str | None = None,
               timeout: float = 60) -> si.Derivation:
    """The engine's derivation, computed once per session (symbols ``_1`` for P, ``_2`` Q)."""
    p = member(p_name, "1")
    if quantity == "entropy":
        return si.entropy(p, timeout=timeout)
    q = member(q_name, "2")
    return getattr(si, quantity)(p, q, timeout=timeout)


def sample_point(rng: np.random.Generator, *members: si.Family) -> dict[sp.Symbol, float]:
    """Random valid values for the free symbols of every member (P's drawn first)."""
    point: dict[sp.Symbol, float] = {}
    for m in members:
        for s, v in sample_parameters(m, rng).items():
            point.setdefault(s, v)
    return point


def exact(point: dict) -> dict[sp.Symbol, sp.Expr]:
    """The point as 40-digit sympy Floats (exactly the sampled doubles) and Integers.

    Not Rationals: sympy would try to evaluate Rational**Rational powers exactly, which can
    factor huge integers for minutes."""
    return {k: sp.Float(float(v), 40) if isinstance(v, (float, np.floating)) else sp.Integer(v)
            for k, v in point.items()}


def numeric_params(fam: si.Family, point: dict) -> dict[str, float]:
    """The family's parameter values (by parameter name) at ``point``, as floats."""
    ex = exact(point)
    return {name: float(v.xreplace(ex)) for name, v in fam.params.items()}


def scipy_reference(fam: si.Family, point: dict):
    """The frozen scipy distribution of ``fam`` at ``point``, or None."""
    make = SCIPY.get(fam.name)
    return None if make is None else make(numeric_params(fam, point))


def evaluate(expr: sp.Expr, point: dict) -> sp.Expr:
    """A derived result at ``point``, to 30 digits (oo stays oo)."""
    value = sp.sympify(expr).xreplace(exact(point))
    if value.has(sp.Integral, sp.Sum):
        value = value.doit()
    return sp.N(value, DPS)


def close(claimed, reference, rtol: float = RTOL, atol: float = ATOL) -> bool:
    claimed, reference = complex(claimed), complex(reference)
    if abs(claimed.imag) > atol:
        return False
    return abs(claimed.real - reference.real) <= max(rtol * abs(reference.real), atol)


# --------------------------------------------------------------------------- integration

def _kinks(expr: sp.Expr, x: sp.Symbol) -> list[float]:
    out = []
    args = [a.args[0] for a in expr.atoms(sp.Abs) if a.has(x)]
    for pw in expr.atoms(sp.Piecewise):
        for _, cond in pw.args:
            args += [r.lhs - r.rhs for r in cond.atoms(sp.core.relational.Relational)
                     if r.has(x)]
    for a in args:
        for root in sp.solve(a, x):
            if root.is_real:
                out.append(float(root))
    return out


def _log_density(fam: si.Family, x: sp.Symbol, point: dict) -> sp.Expr:
    """log p(x) at ``point``; a normal CDF (1 + erf(z))/2 in it as log Φ, which stays finite
    in the tail where 1 + erf(z) cancels to 0 at any fixed precision (skew-normal)."""
    density = fam.density_at(x).xreplace(exact(point))
    return normal_cdfs(sp.expand_log(sp.log(density), force=True))


def _quantile_points(p: si.Family, point: dict, lo: float, hi: float) -> list[float]:
    ref = scipy_reference(p, point)
    if ref is None:
        return [] if math.isfinite(lo) or math.isfinite(hi) else [0.0]
    return [float(ref.ppf(u)) for u in (0.01, 0.25, 0.5, 0.75, 0.99)]


def defining_value(quantity: str, p: si.Family, q: si.Family | None,
                   point: dict) -> float:
    """The quantity at ``point`` from its defining integral or sum; ``inf`` if it diverges."""
    if p.multivariate and p.discrete:
        return _counts_value(quantity, p, q, point)
    if p.multivariate:
        return _region_value(quantity, p, q, point)
    x = sp.Symbol("x", real=True)
    ex = exact(point)
    support = p.support.xreplace(ex)
    log_p = _log_density(p, x, point)
    if quantity == "entropy":
        g = -log_p
    else:
        log_q = _log_density(q, x, point)
        g = -log_q if quantity == "cross_entropy" else log_p - log_q
    density = p.density_at(x).xreplace(ex)
    if p.name in LOG_SCALE and not p.discrete:
        return _log_scale_value(p, q, g, log_p, x, point)
    with mpmath.workdps(DPS):
        f_g = sp.lambdify(x, g, modules=[MPMATH_CDFS, "mpmath"])
        if p.discrete:
            return _sum(sp.lambdify(x, density, modules="mpmath"), f_g, support, q, x, ex)
        f_logp = sp.lambdify(x, log_p, modules=[MPMATH_CDFS, "mpmath"])

        def f_p(t):
            # exp of the log-density, 0 far in a tail: exp(-exp(huge)) would never finish
            try:
                value = f_logp(t)
            except ZeroDivisionError:
                # a node rounded onto an end where log p has a pole (Lévy's -c/(2(x - mu)))
                return 0
            return 0 if mpmath.re(value) < -1e40 else mpmath.exp(value)
        return _integral(f_p, f_g, support, _kinks(density * g, x),
                         _quantile_points(p, point, float(support.inf), float(support.sup)),
                         q, x, ex)


def _log_scale_value(p: si.Family, q: si.Family | None, g: sp.Expr, log_p: sp.Expr,
                     x: sp.Symbol, point: dict) -> float:
    """∫ p g dx over (0, oo) as ∫ p(e^u) e^u g(e^u) du over the line (see LOG_SCALE)."""
    ex = exact(point)
    support = p.support.xreplace(ex)
    if q is not None:
        sq = q.support.xreplace(ex)
        if float(sq.inf) > float(support.inf) or float(sq.sup) < float(support.sup):
            return math.inf
    u = sp.Symbol("u", real=True)
    log_pu = sp.expand_log(log_p.xreplace({x: sp.exp(u)}), force=True) + u
    g_u = sp.expand_log(g.xreplace({x: sp.exp(u)}), force=True)
    law = LOG_SCALE[p.name](numeric_params(p, point))
    hints = [float(law.ppf(v)) for v in (0.01, 0.25, 0.5, 0.75, 0.99)]
    with mpmath.workdps(DPS):
        f_g = sp.lambdify(u, g_u, modules=[MPMATH_CDFS, "mpmath"])
        f_logp = sp.lambdify(u, log_pu, modules=[MPMATH_CDFS, "mpmath"])

        def f_p(t):
            value = f_logp(t)
            return 0 if mpmath.re(value) < -1e40 else mpmath.exp(value)
        return _integral(f_p, f_g, sp.Interval(-sp.oo, sp.oo), [], hints, None, u, ex)


def _counts_value(quantity: str, p: si.Family, q: si.Family | None, point: dict) -> float:
    """Multinomials as laws of all k counts (scipy.stats.multinomial): the sum over P's
    support of p·g, infinite where Q gives a point of it probability 0."""
    import itertools

    def law(fam):
        values = numeric_params(fam, point)
        probs = [values[f"p_{i}"] for i in range(1, fam.dimension + 2)]
        return int(round(values["n"])), stats.multinomial(int(round(values["n"])), probs)

    n, lp = law(p)
    lq = law(q)[1] if q is not None else None
    total = 0.0
    for counts in itertools.product(range(n + 1), repeat=p.dimension):
        if sum(counts) > n:
            continue
        full = [*counts, n - sum(counts)]
        a = lp.logpmf(full)
        if not np.isfinite(a):
            continue
        if quantity == "entropy":
            g = -a
        else:
            b = lq.logpmf(full)
            if not np.isfinite(b):
                return math.inf
            g = -b if quantity == "cross_entropy" else a - b
        total += math.exp(a) * g
    return total


def _region_value(quantity: str, p: si.Family, q: si.Family | None, point: dict) -> float:
    """Over a region of two coordinates: scipy's nested quadrature (dblquad) of p·g with
    log p and log q expanded (finite in the tails); P and Q on the same region (or Q on R^2)."""
    from scipy import integrate
    if p.dimension != 2:
        raise NotImplementedError("the reference integrates regions of two coordinates")
    xs = sp.symbols("u v", real=True)
    ex = exact(point)
    log_p = _log_density(p, xs, point)
    g = -log_p if quantity == "entropy" else -_log_density(q, xs, point) + (
        log_p if quantity == "kl" else 0)
    f = sp.lambdify(xs, sp.exp(log_p) * g, modules=["scipy", "numpy"])
    (_, lo1, hi1), (_, lo2, hi2) = p.support_at(xs).xreplace(ex).limits
    inner_lo, inner_hi = (sp.lambdify(xs[0], e, modules=["numpy"]) for e in (lo2, hi2))

    def integrand(v, u):
        try:
            value = f(u, v)
        except (ZeroDivisionError, OverflowError):
            return 0.0
        return float(value) if np.isfinite(value) else 0.0

    value, _ = integrate.dblquad(integrand, float(lo1), float(hi1),
                                 lambda u: float(inner_lo(u)), lambda u: float(inner_hi(u)),
                                 epsabs=1e-13, epsrel=1e-12)
    return value


def _outside_q(q, x, ex, k) -> bool:
    if q is None:
        return False
    return not bool(q.support.xreplace(ex).contains(k))


def _sum(f_p, f_g, support, q, x, ex) -> float:
    if isinstance(support, sp.FiniteSet):  # its points only (Rademacher's {-1, 1})
        total = mpmath.mpf(0)
        for k in support:
            pk = f_p(mpmath.mpf(int(k)))
            if pk != 0:
                if _outside_q(q, x, ex, k):
                    return math.inf
                total += pk * f_g(mpmath.mpf(int(k)))
        return float(total)
    if support.inf == -sp.oo:  # over all the integers: k >= 0, then -k > 0 mirrored
        right = _sum(f_p, f_g, sp.Range(0, sp.oo), q, x, ex)
        left = _sum(lambda t: f_p(-t), lambda t: f_g(-t), sp.Range(1, sp.oo), q, x, ex)
        return right + left
    lo = int(support.inf)
    hi = support.sup
    total = mpmath.mpf(0)
    k = lo
    small = 0
    while hi == sp.oo or k <= int(hi):
        pk = f_p(mpmath.mpf(k))
        if pk != 0:
            if _outside_q(q, x, ex, k):
                return math.inf
            term = pk * f_g(mpmath.mpf(k))
            total += term
            small = small + 1 if abs(term) < mpmath.mpf(10) ** (-DPS) and k > lo + 5 else 0
            if small > 20:
                break
        k += 1
        if hi == sp.oo and k > lo + 2_000:
            # a power-law tail (Zipf, Yule-Simon): the remainder by Euler-Maclaurin
            with mpmath.workdps(DPS):
                total += mpmath.nsum(lambda t: f_p(t) * f_g(t), [k, mpmath.inf],
                                     method="euler-maclaurin")
            break
    return float(total)


def _integral(f_p, f_g, support, kinks, hints, q, x, ex) -> float:
    lo, hi = support.inf, support.sup
    if q is not None:
        sq = q.support.xreplace(ex)
        if float(sq.inf) > float(lo) or float(sq.sup) < float(hi):
            return math.inf
    a, b = float(lo), float(hi)
    if math.isfinite(a) and math.isfinite(b):
        hints = [*hints, (a + b) / 2]
    inner = sorted({t for t in kinks + hints if a < t < b and math.isfinite(t)})
    edges = [mpmath.mpf(a) if math.isfinite(a) else -mpmath.inf, *map(mpmath.mpf, inner),
             mpmath.mpf(b) if math.isfinite(b) else mpmath.inf]

    def integrand(t):
        pt = f_p(t)
        if pt == 0:
            return 0
        value = pt * f_g(t)
        # a node rounded onto a singular end of the support (or just past an end where the
        # density vanishes, the triangular's, where its log turns complex): negligible weight
        return value if mpmath.isfinite(value) and not isinstance(value, mpmath.mpc) else 0

    total = mpmath.mpf(0)
    for i, (left, right) in enumerate(zip(edges, edges[1:])):
        if i == 0 and mpmath.isfinite(left) and mpmath.isfinite(right):
            # x = left + u^4 smooths an algebraic singularity at the end of the support
            value, err = mpmath.quad(lambda u: 4 * u**3 * integrand(left + u**4),
                                     [0, (right - left) ** 0.25], error=True, maxdegree=10)
        elif i == len(edges) - 2 and mpmath.isfinite(left) and mpmath.isfinite(right):
            value, err = mpmath.quad(lambda u: 4 * u**3 * integrand(right - u**4),
                                     [0, (right - left) ** 0.25], error=True, maxdegree=10)
        elif mpmath.isinf(left) or mpmath.isinf(right):
            value = _tail(integrand, left, right)
            if value is None:
                return math.inf
            total += value
            continue
        else:
            value, err = mpmath.quad(integrand, [left, right], error=True, maxdegree=10)
        if not mpmath.isfinite(value) or err > mpmath.mpf(10) ** -12 * max(1, abs(value)):
            raise RuntimeError(f"quadrature did not converge on [{left}, {right}]")
        total += value
    return float(total)


def _tail(integrand, left, right):
    """∫ over an infinite piece; None when it diverges.

    The piece is cut at start ± 10^k (k = 0, 1, 2, 4, 8, 12, 16, 20, 24); the increments over
    the last, equally long in log x, stretches decide: negligible -> converged; shrinking
    geometrically (a power-law tail) -> add the geometric remainder; not shrinking -> diverges.
    """
    sign = 1 if mpmath.isinf(right) else -1
    start = left if sign == 1 else right
    cuts = [start + sign * mpmath.mpf(10) ** k for k in (0, 1, 2, 4, 8, 12, 16, 20, 24)]
    edges = [start, *cuts]
    pieces = []
    for a, b in zip(edges, edges[1:]):
        lo_, hi_ = (a, b) if sign == 1 else (b, a)
        pieces.append(mpmath.quad(integrand, [lo_, hi_], maxdegree=10))
    total = mpmath.fsum(pieces)
    if not mpmath.isfinite(total):
        return None
    d1, d2, d3 = pieces[-3], pieces[-2], pieces[-1]
    scale = max(1, abs(total))
    if abs(d3) <= mpmath.mpf(10) ** -14 * scale:
        return total
    if abs(d3) >= 0.95 * abs(d2) or abs(d2) >= 0.95 * abs(d1) or d2 * d3 <= 0:
        return None
    r = d3 / d2
    return total + d3 * r / (1 - r)


def show(point: dict) -> str:
    return ", ".join(f"{k}={float(v):.6g}" for k, v in point.items())


# --------------------------------------------------------------------------- hypothesis

def point_strategy(*members: si.Family):
    """A hypothesis strategy of valid points: each free symbol drawn from its constraint.

    Families with joint relations (uniform's a < b, categorical's sum to one) are drawn from
    their own sampler under a hypothesis-chosen seed, so shrinking still works on the seed.
    """
    from hypothesis import strategies as st

    from symbolic_info.families.spec import constraint_from_assumptions

    by_description = {
        "real": st.floats(-3, 3),
        "positive": st.floats(0.2, 5),
        "nonnegative": st.floats(0, 5),
        "negative": st.floats(-5, -0.2),
        "in the open interval (0, 1)": st.floats(0.02, 0.98),
        "in the closed interval [0, 1]": st.floats(0.02, 0.98),
        "a positive integer": st.integers(1, 8),
        "a nonnegative integer": st.integers(0, 8),
        "an integer": st.integers(-4, 4),
    }
    if any(m.spec.relations or m.spec.sampler for m in members):
        return st.integers(0, 2**32 - 1).map(
            lambda seed: sample_point(np.random.default_rng(seed), *members))
    fields = {}
    for m in members:
        for value, param in zip(m.values, m.spec.params):
            for s in sorted(value.free_symbols, key=lambda s: s.name):
                c = param.constraint if value == s else constraint_from_assumptions(s)
                fields.setdefault(s, by_description[c.description])
    return st.fixed_dictionaries(fields)
