"""The Fisher information matrix: references checked by value, numerical integration of the
score products, symmetry and positive semi-definiteness, the near-P = Q quadratic term of
same-family KLs, budgets and the parameters the formulas do not apply to."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import symbolic_info as si
from symbolic_info.derive.fisher import NotRegular, clear_cache, fisher_information
from symbolic_info.derive.quantities import integration_variable
from symbolic_info.errors import InvalidParameter
from symbolic_info.expectation import clear_cache as clear_expectations
from symbolic_info.expectation import numeric_expectation
from symbolic_info.families.spec import sample_parameters
from symbolic_info.measure import Measure
from symbolic_info.numeric.stable import near_equality

FAST = ["normal", "exponential", "gamma", "poisson", "geometric", "laplace", "lognormal",
        "rayleigh", "half_normal", "inverse_gamma", "chi_squared"]


def _point(member, rng) -> dict:
    return {k: sp.Float(v, 20) if isinstance(v, float) else sp.sympify(v)
            for k, v in sample_parameters(member, rng).items()}


def _scores(member) -> tuple[sp.Symbol, list[sp.Expr], Measure]:
    """The score vector, derived here independently of the module under test."""
    x = integration_variable(member)
    density = member.density_at(x)
    log_p = sp.expand_log(sp.log(density), force=True)
    return x, [sp.diff(log_p, t) for t in member.parameters], \
        Measure(density, x, member.support_at(x))


def test_normal_reference():
    mu, sigma = sp.Symbol("mu", real=True), sp.Symbol("sigma", positive=True)
    d = fisher_information(si.family("normal", mu=mu, sigma=sigma))
    assert d.name == "fisher_information_normal" and d.quantity == "fisher_information"
    assert d.status == "closed_form" and d.checked
    assert d.parameters == (mu, sigma) and d.result.shape == (2, 2)
    assert isinstance(d.result, sp.MatrixBase)
    expected = sp.diag(1 / sigma**2, 2 / sigma**2)
    assert sp.simplify(d.result - expected) == sp.zeros(2, 2)


@pytest.mark.parametrize("name", FAST)
def test_matches_numerical_integration_of_score_products(name, rng):
    member = si.family(name)
    d = fisher_information(member)
    assert d.status == "closed_form", d.status_text()
    _, score, measure = _scores(member)
    k = len(member.parameters)
    for _ in range(2):
        point = _point(member, rng)
        claimed = np.array(sp.N(d.result.xreplace(point), 20).tolist(), dtype=float)
        for i in range(k):
            for j in range(k):
                reference = numeric_expectation(measure, score[i] * score[j], point)
                assert reference is not None
                assert claimed[i, j] == pytest.approx(reference, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("name", ["normal", "gamma", "beta", "laplace", "cauchy", "lognormal"])
def test_symmetric_positive_semidefinite(name, rng):
    member = si.family(name)
    d = fisher_information(member)
    assert d.result == d.result.T
    for _ in range(5):
        value = np.array(sp.N(d.result.xreplace(_point(member, rng))).tolist(), dtype=float)
        assert np.allclose(value, value.T)
        assert np.linalg.eigvalsh(value).min() >= -1e-12


def test_cramer_rao_poisson(rng):
    lam = sp.Symbol("lam", positive=True)
    member = si.family("poisson", lam=lam)
    d = fisher_information(member)
    assert sp.simplify(d.result[0, 0] - 1 / lam) == 0
    # the sample mean is unbiased for lam with variance lam/n: it attains the bound 1/(n I)
    x, _, measure = _scores(member)
    for _ in range(3):
        point = _point(member, rng)
        variance = numeric_expectation(measure, (x - lam) ** 2, point)
        bound = 1 / float(d.result[0, 0].xreplace(point))
        assert variance == pytest.approx(bound, rel=1e-8)


def test_discrete_families():
    p = sp.Symbol("p", nonnegative=True)
    assert sp.simplify(fisher_information(si.family("bernoulli", p=p)).result[0, 0]
                       - 1 / (p * (1 - p))) == 0
    assert sp.simplify(fisher_information(si.family("binomial", n=10, p=p)).result[0, 0]
                       - 10 / (p * (1 - p))) == 0
    p_geo = sp.Symbol("p", positive=True)
    geometric = fisher_information(si.family("geometric", p=p_geo))
    assert geometric.checked
    assert sp.simplify(geometric.result[0, 0] - 1 / (p_geo**2 * (1 - p_geo))) == 0
    p1, p2 = sp.symbols("p1 p2", nonnegative=True)
    d = fisher_information(si.family("categorical", p=[p1, p2, 1 - p1 - p2]))
    expected = sp.Matrix([[1 / p1 + 1 / (1 - p1 - p2), 1 / (1 - p1 - p2)],
                          [1 / (1 - p1 - p2), 1 / p2 + 1 / (1 - p1 - p2)]])
    assert sp.simplify(d.result - expected) == sp.zeros(2, 2)


def test_fixed_and_composite_parameters():
    s = sp.Symbol("s", positive=True)
    d = fisher_information(si.family("normal", mu=0, sigma=s))
    assert d.parameters == (s,) and sp.simplify(d.result[0, 0] - 2 / s**2) == 0
    t = sp.Symbol("t", positive=True)  # mu = t, sigma = t^2: the chain rule, by derivation
    d = fisher_information(si.family("normal", mu=t, sigma=t**2))
    assert d.parameters == (t,) and sp.simplify(d.result[0, 0] - (1 / t**4 + 8 / t**2)) == 0
    alpha = sp.Symbol("alpha", positive=True)  # the Pareto with a known scale is regular
    assert sp.simplify(fisher_information(si.family("pareto", xm=1, alpha=alpha)).result[0, 0]
                       - 1 / alpha**2) == 0


@pytest.mark.parametrize("name, parameter", [("uniform", "a"), ("pareto", "x_m"),
                                             ("binomial", "n"), ("discrete_uniform", "n")])
def test_parameters_the_formulas_do_not_apply_to(name, parameter):
    # the parameter as the default member names it (the Pareto scale xm is the symbol x_m)
    with pytest.raises(NotRegular, match=rf"not defined for {parameter}|{parameter} is integer"):
        fisher_information(si.family(name))
    assert issubclass(NotRegular, InvalidParameter)


def test_tied_probabilities_are_refused():
    with pytest.raises(NotRegular, match="tied by p1 \\+ p2 \\+ p3 = 1"):
        fisher_information(si.family("categorical", p=["p1", "p2", "p3"]))


def test_timeout_gives_timed_out_then_a_larger_budget_derives(monkeypatch):
    monkeypatch.setenv("SYMBOLIC_INFO_CACHE", "0")  # no stored outcome may short-cut the work
    clear_cache()
    clear_expectations()
    member = si.family("normal", mu="m_t", sigma="s_t")
    d = fisher_information(member, timeout=0.01)
    assert d.status == "timed_out"
    assert "budget" in d.status_text()
    assert fisher_information(member).status == "closed_form"


def test_base_divides_by_squared_log():
    rate = sp.Symbol("rate", positive=True)
    member = si.family("exponential", rate=rate)
    bits = fisher_information(member, base=2)
    assert sp.simplify(bits.result[0, 0] - 1 / (rate**2 * sp.log(2) ** 2)) == 0
    assert bits.steps[-1].rule == "change of base"


@pytest.mark.parametrize("bad", [dict(timeout=0), dict(timeout=-1), dict(base=1),
                                 dict(base=-2)])
def test_invalid_arguments(bad):
    with pytest.raises(InvalidParameter):
        fisher_information(si.family("normal"), **bad)
    with pytest.raises(InvalidParameter):
        fisher_information("normal")


def test_renderers_cope_with_a_matrix():
    d = fisher_information(si.family("normal"))
    text = str(d)
    assert "fisher_information_normal: closed_form" in text and "differentiation" in text
    latex = d.latex()
    assert r"\mathcal{I}(\theta)" in latex and r"\begin{matrix}" in latex
    assert hash(d) == hash(d)  # the result is immutable


def test_non_smooth_log_density_uses_score_products():
    b = sp.Symbol("b", positive=True)
    d = fisher_information(si.family("laplace", mu="mu", b=b))
    assert any("not twice differentiable" in s.note for s in d.steps)
    assert sp.simplify(d.result - sp.diag(1 / b**2, 1 / b**2)) == sp.zeros(2, 2)


def _kl_quadratic_term(name: str):
    names = si.family(name).params
    p = si.family(name, **{k: f"{k}_1" for k in names})
    q = si.family(name, **{k: f"{k}_2" for k in names})
    near = near_equality(si.kl(p, q), order=2)
    assert near is not None and near.first == 2
    delta = {theta_p: d for d, _, theta_p in near.differences}
    v = sp.Matrix([delta[s] for s in p.parameters])
    information = fisher_information(p).result
    return near.terms[0], (v.T * information * v)[0] / 2


@pytest.mark.parametrize("name", ["normal", "exponential", "gamma", "poisson", "bernoulli",
                                  "laplace"])
def test_kl_quadratic_term_is_half_the_fisher_form(name):
    series, fisher = _kl_quadratic_term(name)
    assert sp.simplify(sp.expand_func(series - fisher)) == 0


@pytest.mark.slow
@pytest.mark.parametrize("name", ["beta", "weibull"])
def test_kl_quadratic_term_is_half_the_fisher_form_slow(name):
    series, fisher = _kl_quadratic_term(name)
    assert sp.simplify(sp.expand_func(series - fisher)) == 0


@pytest.mark.slow
@pytest.mark.parametrize("name", ["beta", "weibull", "gumbel", "cauchy", "half_cauchy"])
def test_slow_families_match_numerical_integration(name, rng):
    test_matches_numerical_integration_of_score_products(name, rng)
