"""Total variation distance (issue 12): derived from the crossing points of the densities."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
import sympy as sp
from scipy import integrate, stats

import symbolic_info as si
from symbolic_info.derive.total_variation import total_variation
from symbolic_info.errors import InvalidParameter

F = si.family


@cache
def _tv(p, q):
    return total_variation(p, q)


def _quad_tv(pdf_p, pdf_q, lo=-np.inf, hi=np.inf, points=()):
    cuts = [lo, *sorted(points), hi]
    return sum(integrate.quad(lambda x: abs(pdf_p(x) - pdf_q(x)) / 2, a, b, limit=200)[0]
               for a, b in zip(cuts, cuts[1:]))


def test_bernoulli_is_the_gap_between_the_probabilities():
    d = _tv(F("bernoulli", p="p1"), F("bernoulli", p="p2"))
    assert d.status == "closed_form" and d.checked
    assert d.name == "total_variation_bernoulli_bernoulli" and d.quantity == "total_variation"
    p1, p2 = d.parameters
    assert sp.simplify(d.result - sp.Abs(p1 - p2)) == 0
    assert [str(s.kind) for s in d.steps][:2] == ["definition", "finite sum"]


def test_categorical_and_binomial_against_scipy():
    rng = np.random.default_rng(1)
    d = _tv(F("categorical", p=["p1", "p2", "p3"]), F("categorical", p=["q1", "q2", "q3"]))
    f = d.lambdify()
    for _ in range(5):
        a, b = rng.dirichlet(np.ones(3)), rng.dirichlet(np.ones(3))
        assert np.isclose(f(*a, *b), np.abs(a - b).sum() / 2)
    d = _tv(F("binomial", n=3, p="p1"), F("binomial", n=3, p="p2"))
    assert d.status == "closed_form" and d.checked
    f, k = d.lambdify(), np.arange(4)
    for a, b in rng.uniform(0.05, 0.95, size=(5, 2)):
        expected = np.abs(stats.binom.pmf(k, 3, a) - stats.binom.pmf(k, 3, b)).sum() / 2
        assert np.isclose(f(a, b), expected)
    # different supports: the points where one pmf alone has mass count in full
    d = total_variation(F("binomial", n=2, p=sp.Rational(1, 2)), F("binomial", n=4, p=0.5))
    k = np.arange(5)
    expected = np.abs(stats.binom.pmf(k, 2, 0.5) - stats.binom.pmf(k, 4, 0.5)).sum() / 2
    assert np.isclose(float(d.result), expected)


def test_normal_same_sigma_is_2_phi_minus_1():
    d = _tv(F("normal", mu="mu_1", sigma="sigma"), F("normal", mu="mu_2", sigma="sigma"))
    assert d.status == "closed_form" and d.checked and d.conditions == sp.true
    kinds = [str(s.kind) for s in d.steps]
    assert "crossing points" in kinds and "numeric check" in kinds
    crossing = next(s for s in d.steps if str(s.kind) == "crossing points")
    mu_1, sigma, mu_2 = d.parameters
    assert crossing.expr == sp.FiniteSet((mu_1 + mu_2) / 2)
    f = d.lambdify()
    rng = np.random.default_rng(2)
    for m1, m2, s in zip(rng.uniform(-3, 3, 8), rng.uniform(-3, 3, 8), rng.uniform(0.3, 3, 8)):
        expected = 2 * stats.norm.cdf(abs(m1 - m2) / (2 * s)) - 1
        assert np.isclose(f(m1, s, m2), expected, atol=1e-12)
        assert np.isclose(f(m2, s, m1), expected, atol=1e-12)  # symmetric


def test_exponential_and_laplace_against_quadrature():
    rng = np.random.default_rng(3)
    d = _tv(F("exponential", rate="l1"), F("exponential", rate="l2"))
    assert d.status == "closed_form" and d.checked
    f = d.lambdify()
    for a, b in rng.uniform(0.3, 4, size=(5, 2)):
        ref = _quad_tv(stats.expon(scale=1 / a).pdf, stats.expon(scale=1 / b).pdf, 0,
                       points=[np.log(a / b) / (a - b)])
        assert np.isclose(f(a, b), ref, atol=1e-9)
        assert np.isclose(f(b, a), ref, atol=1e-9)
    d = _tv(F("laplace", mu="m1", b="b"), F("laplace", mu="m2", b="b"))
    assert d.status == "closed_form" and d.checked
    f = d.lambdify()
    for m1, m2, b in zip(rng.uniform(-2, 2, 5), rng.uniform(-2, 2, 5), rng.uniform(0.3, 2, 5)):
        ref = _quad_tv(stats.laplace(m1, b).pdf, stats.laplace(m2, b).pdf, points=[m1, m2])
        assert np.isclose(f(m1, b, m2), ref, atol=1e-9)


def test_poisson_crossing_is_the_floor_of_a_log_ratio():
    d = _tv(F("poisson", lam="l1"), F("poisson", lam="l2"))
    assert d.status == "closed_form" and d.checked and d.result.has(sp.floor)
    f = d.lambdify()
    k = np.arange(200)
    for a, b in np.random.default_rng(4).uniform(0.2, 8, size=(5, 2)):
        expected = np.abs(stats.poisson.pmf(k, a) - stats.poisson.pmf(k, b)).sum() / 2
        assert np.isclose(f(a, b), expected, atol=1e-10)


def test_uniform_cases_nested_overlapping_disjoint():
    d = _tv(F("uniform", a="a1", b="b1"), F("uniform", a="a2", b="b2"))
    assert d.status == "closed_form" and d.checked
    f = d.lambdify()

    def expected(a1, b1, a2, b2):
        overlap = max(0.0, min(b1, b2) - max(a1, a2))
        return _quad_tv(stats.uniform(a1, b1 - a1).pdf, stats.uniform(a2, b2 - a2).pdf,
                        min(a1, a2), max(b1, b2), points=[max(a1, a2), min(b1, b2)]) \
            if overlap > 0 else 1.0

    for args in [(0, 1, 0, 2), (0, 1, 0.5, 2), (0, 1, 2, 3), (-1, 3, 0, 1), (0, 2, -1, 1)]:
        assert np.isclose(f(*args), expected(*args), atol=1e-9), args


def test_equal_laws_disjoint_supports_and_mixed_kinds():
    assert _tv(F("normal"), F("normal")).result == 0
    assert total_variation(F("uniform", a=0, b=1), F("uniform", a=2, b=3)).result == 1
    d = total_variation(F("poisson", lam="l"), F("normal"))
    assert d.result == 1 and d.status == "closed_form"


def test_bounds_and_pinsker():
    p, q = F("normal", mu="mu_1", sigma="sigma"), F("normal", mu="mu_2", sigma="sigma")
    tv, kl = _tv(p, q).lambdify(), si.kl(p, q).lambdify()
    rng = np.random.default_rng(5)
    for m1, m2, s in zip(rng.uniform(-3, 3, 20), rng.uniform(-3, 3, 20), rng.uniform(0.2, 3, 20)):
        value = tv(m1, s, m2)
        assert 0 <= value <= 1
        assert value <= np.sqrt(kl(mu_1=m1, sigma=s, mu_2=m2) / 2) + 1e-12


def test_budget_running_out_is_timed_out(monkeypatch):
    from symbolic_info.derive.memo import clear_memory
    monkeypatch.setenv("SYMBOLIC_INFO_CACHE", "0")  # no stored outcome may short-cut the work
    clear_memory()
    d = total_variation(F("normal", mu="mu_1", sigma="sigma_1"),
                        F("normal", mu="mu_2", sigma="sigma_2"), timeout=0.01)
    assert d.status == "timed_out"
    assert any(str(s.kind) == "time budget" for s in d.steps)
    assert d.result.has(sp.Integral)


def test_base_is_refused():
    with pytest.raises(InvalidParameter, match="no logarithm"):
        total_variation(F("bernoulli"), F("bernoulli"), base=2)


@pytest.mark.slow
def test_normal_different_sigmas_two_crossings():
    p = F("normal", mu="mu_1", sigma="sigma_1")
    q = F("normal", mu="mu_2", sigma="sigma_2")
    d = _tv(p, q)
    assert d.status == "closed_form" and d.checked
    crossing = next(s for s in d.steps if str(s.kind) == "crossing points")
    assert len(crossing.expr) == 2
    f, kl = d.lambdify(), si.kl(p, q).lambdify()
    rng = np.random.default_rng(6)
    for m1, s1, m2, s2 in rng.uniform([-2, 0.3, -2, 0.3], [2, 3, 2, 3], size=(6, 4)):
        ref = _quad_tv(stats.norm(m1, s1).pdf, stats.norm(m2, s2).pdf, points=[m1, m2])
        assert np.isclose(f(m1, s1, m2, s2), ref, atol=1e-8)
        assert np.isclose(f(m2, s2, m1, s1), ref, atol=1e-8)
        assert f(m1, s1, m2, s2) <= np.sqrt(kl(m1, s1, m2, s2) / 2) + 1e-12


@pytest.mark.slow
def test_exponential_against_normal_non_overlapping_part():
    d = total_variation(F("exponential", rate="l"), F("normal", mu="mu", sigma="s"))
    assert d.status == "closed_form" and d.checked
    f = d.lambdify()
    for lam, mu, s in [(1.0, 0.0, 1.0), (2.0, 1.0, 0.5), (0.5, -1.0, 2.0)]:
        expon, norm = stats.expon(scale=1 / lam), stats.norm(mu, s)
        ref = _quad_tv(lambda x: expon.pdf(x), norm.pdf, points=[0.0, mu])
        assert np.isclose(f(lam, mu, s), ref, atol=1e-8)
