"""Rényi divergence & co. of multivariate normals: symbolic dimension, explicit dimension,
diagonal normals and product laws, against the correct formula, quadrature and the KL."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sympy as sp
from scipy import integrate
from scipy.stats import multivariate_normal

import symbolic_info as si

K = sp.Symbol("k", integer=True, positive=True)
MU1, S1 = sp.MatrixSymbol("mu_1", K, 1), sp.MatrixSymbol("Sigma_1", K, K)
MU2, S2 = sp.MatrixSymbol("mu_2", K, 1), sp.MatrixSymbol("Sigma_2", K, K)
ALPHA = sp.Symbol("alpha", positive=True)


def spd(rng: np.random.Generator, k: int) -> np.ndarray:
    a = rng.normal(size=(k, k))
    return a @ a.T / k + 0.4 * np.eye(k)


def correct(m1, c1, m2, c2, a: float) -> float:
    """α/2 Δ'Σ_α⁻¹Δ − log(det Σ_α / (det Σ₁^{1−α} det Σ₂^α)) / (2(α − 1))."""
    s = a * c2 + (1 - a) * c1
    d = m1 - m2
    logdet = np.linalg.slogdet(s)[1] - (1 - a) * np.linalg.slogdet(c1)[1] \
        - a * np.linalg.slogdet(c2)[1]
    return a / 2 * d @ np.linalg.solve(s, d) - logdet / (2 * (a - 1))


def chernoff(m1, c1, m2, c2, a: float) -> float:
    """The formula often printed as the MVN Rényi divergence: −log ∫ p^α q^{1−α}."""
    s = a * c2 + (1 - a) * c1
    d = m1 - m2
    logdet = np.linalg.slogdet(s)[1] - (1 - a) * np.linalg.slogdet(c1)[1] \
        - a * np.linalg.slogdet(c2)[1]
    return a * (1 - a) / 2 * d @ np.linalg.solve(s, d) + logdet / 2


def kl(m1, c1, m2, c2) -> float:
    k = len(m1)
    d = m2 - m1
    return 0.5 * (np.trace(np.linalg.solve(c2, c1)) + d @ np.linalg.solve(c2, d) - k
                  + np.linalg.slogdet(c2)[1] - np.linalg.slogdet(c1)[1])


def log_power_integral(m1, c1, m2, c2, a: float) -> float:
    """log ∫ p^α q^{1−α} over R² by nested quadrature, in the log domain."""
    p, q = multivariate_normal(m1, c1), multivariate_normal(m2, c2)

    def f(y, x):
        return float(np.exp(a * p.logpdf([x, y]) + (1 - a) * q.logpdf([x, y])))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value, _ = integrate.dblquad(f, -np.inf, np.inf, -np.inf, np.inf, epsabs=1e-12,
                                     epsrel=1e-11)
    return float(np.log(value))


def at(expr: sp.Expr, k: int, values: dict) -> float:
    """``expr`` of symbolic dimension at k and explicit values (matrices first)."""
    matrices = {s: sp.ImmutableMatrix(v if v.ndim == 2 else v.reshape(-1, 1)).applyfunc(
        lambda e: sp.Rational(float(e))) for s, v in values.items()
        if isinstance(s, sp.MatrixSymbol)}  # exact: the order-1 limit cancels 12 digits
    scalars = {s: v for s, v in values.items() if not isinstance(s, sp.MatrixSymbol)}
    out = sp.sympify(expr).xreplace(scalars).subs(matrices).doit().subs(K, k).doit()
    return float(sp.N(out, 30))


def point(rng: np.random.Generator, k: int, a: float) -> tuple[dict, tuple]:
    m1, m2 = rng.uniform(-1.5, 1.5, k), rng.uniform(-1.5, 1.5, k)
    c1, c2 = spd(rng, k), spd(rng, k)
    if a > 1:  # keep Σ_α positive definite
        c2 = c2 + (a - 1) / a * c1
    values = {MU1: m1, S1: c1, MU2: m2, S2: c2, ALPHA: sp.Rational(a)}
    return values, (m1, c1, m2, c2)


@pytest.fixture(scope="module")
def symbolic():
    p = si.family("mvnormal", mu=MU1, cov=S1)
    q = si.family("mvnormal", mu=MU2, cov=S2)
    return si.renyi_divergence(p, q, "alpha")


def test_symbolic_dimension_is_closed_with_checked_steps(symbolic):
    assert symbolic.status == "closed_form"
    assert symbolic.checked
    kinds = {str(s.kind) for s in symbolic.steps}
    assert {"numeric check", "limit", "ratio of normalisers"} <= kinds


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("low", [True, False])
def test_symbolic_matches_correct_formula(symbolic, k, low):
    rng = np.random.default_rng(10 * k + low)
    for _ in range(3):
        a = rng.uniform(0.1, 0.9) if low else rng.uniform(1.1, 2.0)
        values, args = point(rng, k, a)
        assert at(symbolic.result, k, values) == pytest.approx(correct(*args, a), rel=1e-9)


@pytest.mark.slow
@pytest.mark.parametrize("a", [0.3, 0.8, 1.4])
def test_symbolic_matches_quadrature_at_k2(symbolic, a):
    rng = np.random.default_rng(int(a * 10))
    values, args = point(rng, 2, a)
    reference = log_power_integral(*args, a) / (a - 1)
    assert at(symbolic.result, 2, values) == pytest.approx(reference, rel=1e-6, abs=1e-8)


def test_literature_formula_without_the_factor_does_not_match(symbolic):
    rng = np.random.default_rng(4)
    a = 0.4
    values, args = point(rng, 2, a)
    derived = at(symbolic.result, 2, values)
    printed = chernoff(*args, a)
    assert abs(derived - printed) > 1e-2 * abs(derived)
    assert derived == pytest.approx(printed / (1 - a), rel=1e-9)  # the missing 1/(1 - α)
    assert derived == pytest.approx(log_power_integral(*args, a) / (a - 1), rel=1e-6)


@pytest.mark.parametrize("k", [2, 3])
def test_order_one_limit_is_the_kl(symbolic, k):
    rng = np.random.default_rng(k)
    values, (m1, c1, m2, c2) = point(rng, k, 0.5)
    main = symbolic.result.args[0][0]
    for eps in (sp.Rational(1, 10 ** 12), -sp.Rational(1, 10 ** 12)):
        near = at(main, k, {**values, ALPHA: 1 + eps})
        assert near == pytest.approx(kl(m1, c1, m2, c2), rel=1e-8)


def test_admissibility_above_one(symbolic):
    """Finite iff Σ_α = αΣ₂ + (1 − α)Σ₁ is positive definite: +oo where it is not, and the
    truncated integral grows without bound there."""
    rng = np.random.default_rng(8)
    a = 1.8
    c1 = spd(rng, 2) * 4
    c2 = spd(rng, 2) * 0.2
    m1, m2 = np.zeros(2), np.array([0.3, -0.2])
    assert np.linalg.eigvalsh(a * c2 + (1 - a) * c1).min() < 0
    values = {MU1: m1, S1: c1, MU2: m2, S2: c2, ALPHA: sp.Rational(a)}
    assert at(symbolic.result, 2, values) == float("inf")
    p, q = multivariate_normal(m1, c1), multivariate_normal(m2, c2)

    def box(r: float) -> float:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return integrate.dblquad(lambda y, x: float(np.exp(a * p.logpdf([x, y]) + (1 - a)
                                                        * q.logpdf([x, y]))),
                                     -r, r, -r, r)[0]
    assert box(8) > 10 * box(4)
    good = {**values, S2: c2 + c1}  # Σ_α positive definite again
    assert np.isfinite(at(symbolic.result, 2, good))


def test_symbolic_renyi_entropy():
    p = si.family("mvnormal", mu=MU1, cov=S1)
    d = si.renyi_entropy(p, "alpha")
    rng = np.random.default_rng(2)
    for k in (2, 3):
        c, a = spd(rng, k), 1.7
        expected = k / 2 * np.log(2 * np.pi) + np.linalg.slogdet(c)[1] / 2 \
            + k * np.log(a) / (2 * (a - 1))
        values = {MU1: rng.normal(size=k), S1: c, ALPHA: sp.Rational(a)}
        assert at(d.result, k, values) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("quantity", ["bhattacharyya", "hellinger", "chi_square"])
def test_symbolic_fixed_orders(quantity):
    p = si.family("mvnormal", mu=MU1, cov=S1)
    q = si.family("mvnormal", mu=MU2, cov=S2)
    d = getattr(si, quantity)(p, q)
    assert d.status == "closed_form"
    rng = np.random.default_rng(6)
    a = {"bhattacharyya": 0.5, "hellinger": 0.5, "chi_square": 2.0}[quantity]
    values, args = point(rng, 2, a)
    log_i = (a - 1) * correct(*args, a)
    expected = {"bhattacharyya": -log_i, "hellinger": 1 - np.exp(log_i),
                "chi_square": np.exp(log_i) - 1}[quantity]
    assert at(d.result, 2, values) == pytest.approx(expected, rel=1e-9)


# -- explicit dimension ----------------------------------------------------------------------
def explicit_values(values: dict) -> dict:
    (m1, c1, m2, c2) = (values[MU1], values[S1], values[MU2], values[S2])
    names = {"m1": m1[0], "m2": m1[1], "a": c1[0, 0], "b": c1[0, 1], "c": c1[1, 1],
             "n1": m2[0], "n2": m2[1], "d": c2[0, 0], "e": c2[0, 1], "f": c2[1, 1]}
    return {sp.Symbol(n, real=True): sp.Rational(float(v)) for n, v in names.items()}


@pytest.mark.slow
def test_explicit_2d_mvnormal():
    p = si.family("mvnormal", mu=["m1", "m2"], cov=[["a", "b"], ["b", "c"]])
    q = si.family("mvnormal", mu=["n1", "n2"], cov=[["d", "e"], ["e", "f"]])
    d = si.renyi_divergence(p, q, "alpha")
    assert d.status == "closed_form" and isinstance(d.result, sp.Piecewise)
    rng = np.random.default_rng(12)
    by_name = {s.name: s for s in d.result.free_symbols}
    for a in (0.35, 1.6):
        values, args = point(rng, 2, a)
        at_point = {by_name[s.name]: v for s, v in explicit_values(values).items()}
        at_point[by_name["alpha"]] = sp.Rational(a)
        assert float(d.result.xreplace(at_point)) == pytest.approx(correct(*args, a), rel=1e-9)
    values, args = point(rng, 2, 1.8)
    values[S2] = values[S1] * 0.05  # Σ_α not positive definite
    at_point = {by_name[s.name]: v for s, v in explicit_values(values).items()}
    at_point[by_name["alpha"]] = sp.Rational(1.8)
    assert d.result.xreplace(at_point) == sp.oo


@pytest.mark.slow
def test_explicit_2d_hellinger_and_chi_square():
    p = si.family("mvnormal", mu=["m1", "m2"], cov=[["a", "b"], ["b", "c"]])
    q = si.family("mvnormal", mu=["n1", "n2"], cov=[["d", "e"], ["e", "f"]])
    rng = np.random.default_rng(13)
    for quantity, a in (("hellinger", 0.5), ("chi_square", 2.0)):
        d = getattr(si, quantity)(p, q)
        values, args = point(rng, 2, a)
        by_name = {s.name: s for s in d.result.free_symbols}
        at_point = {by_name[s.name]: v for s, v in explicit_values(values).items()
                    if s.name in by_name}
        log_i = (a - 1) * correct(*args, a)
        expected = 1 - np.exp(log_i) if quantity == "hellinger" else np.exp(log_i) - 1
        assert float(d.result.xreplace(at_point)) == pytest.approx(expected, rel=1e-9)


@pytest.mark.slow
def test_diagonal_and_products_are_additive():
    normal = si.family("normal", mu="m", sigma="s")
    other = si.family("normal", mu="n", sigma="t")
    one = si.renyi_divergence(normal, other, "alpha").result
    diag = si.renyi_divergence(si.family("mvnormal_diag", mu=["m1", "m2"], sigma=["s1", "s2"]),
                               si.family("mvnormal_diag", mu=["n1", "n2"], sigma=["t1", "t2"]),
                               "alpha")
    prod = si.renyi_divergence(
        si.independent(si.family("normal", mu="m1", sigma="s1"),
                       si.family("normal", mu="m2", sigma="s2")),
        si.independent(si.family("normal", mu="n1", sigma="t1"),
                       si.family("normal", mu="n2", sigma="t2")), "alpha")
    assert any(str(s.kind) == "additivity over independent components" for s in prod.steps)
    for a in (0.4, 1.3):
        vals = {"m1": 0.3, "m2": -1.1, "n1": 0.9, "n2": 0.2,
                "s1": 1.2, "s2": 0.7, "t1": 1.5, "t2": 1.1, "alpha": a}
        vals = {k: sp.Rational(v) for k, v in vals.items()}

        def value(e):
            return float(e.xreplace({s: vals[s.name] for s in e.free_symbols}))

        expected = sum(value(one.xreplace({s: sp.Symbol(s.name + i, **s.assumptions0)
                                            for s in one.free_symbols if s.name != "alpha"}))
                       for i in ("1", "2"))
        assert value(diag.result) == pytest.approx(expected, rel=1e-10)
        assert value(prod.result) == pytest.approx(expected, rel=1e-10)
