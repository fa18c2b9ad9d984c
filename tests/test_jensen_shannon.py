"""Jensen-Shannon divergence (issue 12): finite sums, pieces of the supports, quadrature."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
import sympy as sp
from scipy import integrate, stats
from scipy.spatial.distance import jensenshannon

import symbolic_info as si
from symbolic_info.derive.jensen_shannon import jensen_shannon
from symbolic_info.derive.total_variation import total_variation

F = si.family
LOG2 = np.log(2)


@cache
def _js(p, q, base=None):
    return jensen_shannon(p, q, base=base)


def test_bernoulli_matches_scipy_is_symmetric_and_bounded():
    d = _js(F("bernoulli", p="p1"), F("bernoulli", p="p2"))
    assert d.status == "closed_form" and d.checked
    assert d.name == "jensen_shannon_bernoulli_bernoulli" and d.quantity == "jensen_shannon"
    f = d.lambdify()
    for a, b in np.random.default_rng(0).uniform(0.01, 0.99, size=(20, 2)):
        expected = jensenshannon([a, 1 - a], [b, 1 - b]) ** 2
        assert np.isclose(f(a, b), expected, atol=1e-12)
        assert np.isclose(f(b, a), expected, atol=1e-12)
        assert 0 <= f(a, b) <= LOG2
    p1, p2 = d.parameters
    assert abs(float(d.result.subs({p1: 0.3, p2: 0.3}))) < 1e-14


def test_categorical_and_binomial_against_scipy():
    rng = np.random.default_rng(1)
    f = _js(F("categorical", p=["p1", "p2", "p3"]),
            F("categorical", p=["q1", "q2", "q3"])).lambdify()
    for _ in range(5):
        a, b = rng.dirichlet(np.ones(3)), rng.dirichlet(np.ones(3))
        assert np.isclose(f(*a, *b), jensenshannon(a, b) ** 2)
    d = _js(F("binomial", n=4, p="p1"), F("binomial", n=4, p="p2"))
    assert d.status == "closed_form" and d.checked
    f, k = d.lambdify(), np.arange(5)
    for a, b in rng.uniform(0.05, 0.95, size=(5, 2)):
        expected = jensenshannon(stats.binom.pmf(k, 4, a), stats.binom.pmf(k, 4, b)) ** 2
        assert np.isclose(f(a, b), expected)
    d = jensen_shannon(F("binomial", n=3, p=0.2), F("binomial", n=5, p=0.5))
    k = np.arange(6)
    expected = jensenshannon(stats.binom.pmf(k, 3, 0.2), stats.binom.pmf(k, 5, 0.5)) ** 2
    assert d.status == "closed_form" and np.isclose(float(d.result), expected)


def test_base_two_divides_by_log_2():
    p, q = F("bernoulli", p="p1"), F("bernoulli", p="p2")
    bits = _js(p, q, base=2)
    assert any(str(s.kind) == "change of base" for s in bits.steps)
    f, g = bits.lambdify(), _js(p, q).lambdify()
    assert np.isclose(f(0.1, 0.8), g(0.1, 0.8) / LOG2)
    assert f(1e-9, 1 - 1e-9) <= 1 + 1e-9


def test_disjoint_nested_and_mixed_supports():
    d = jensen_shannon(F("uniform", a=0, b=1), F("uniform", a=2, b=3))
    assert d.status == "closed_form" and d.result == sp.log(2)
    d = jensen_shannon(F("uniform", a=0, b=1), F("uniform", a=0, b=2))
    assert d.status == "closed_form" and d.checked
    # on [0, 1]: p = 1, q = 1/2; on [1, 2] only Q: (1/2) log 2 * 1/2
    expected = (np.log(4 / 3) + 0.5 * np.log(2 / 3)) / 2 + LOG2 / 4
    assert np.isclose(float(d.result), expected)
    assert jensen_shannon(F("poisson", lam="l"), F("normal")).result == sp.log(2)


def test_uniform_symbolic_is_closed_in_every_arrangement():
    d = _js(F("uniform", a="a1", b="b1"), F("uniform", a="a2", b="b2"))
    assert d.status == "closed_form" and d.checked
    f = d.lambdify()
    for a1, b1, a2, b2 in [(0, 1, 0, 2), (0, 1, 0.5, 2), (0, 1, 2, 3), (-1, 3, 0, 1)]:
        def body(x):
            p = 1 / (b1 - a1) if a1 <= x <= b1 else 0.0
            q = 1 / (b2 - a2) if a2 <= x <= b2 else 0.0
            return sum(u * np.log(2 * u / (p + q)) for u in (p, q) if u > 0) / 2
        cuts = sorted({a1, b1, a2, b2})
        ref = sum(integrate.quad(body, a, b)[0] for a, b in zip(cuts, cuts[1:]))
        assert np.isclose(f(a1, b1, a2, b2), ref, atol=1e-9)


def test_normals_have_no_closed_form_and_a_numeric_value():
    d = _js(F("normal", mu=0, sigma=1), F("normal", mu=1, sigma=2))
    assert d.status == "no_closed_form" and d.result.has(sp.Integral)
    step = next(s for s in d.steps if str(s.kind) == "numeric value")
    assert "error bound" in step.note

    def body(x):
        p, q = stats.norm.pdf(x, 0, 1), stats.norm.pdf(x, 1, 2)
        return sum(u * np.log(2 * u / (p + q)) for u in (p, q) if u > 0) / 2
    ref = integrate.quad(body, -40, 40, points=[0, 1], limit=200)[0]
    assert np.isclose(float(step.expr), ref, atol=1e-9)
    assert 0 <= float(step.expr) <= LOG2
    d = _js(F("normal", mu="mu_1", sigma="sigma_1"), F("normal", mu="mu_2", sigma="sigma_2"))
    assert d.status == "no_closed_form"
    assert np.isclose(d.lambdify()(0, 1, 1, 2), ref, atol=1e-9)  # the Integral, by quadrature


def test_poisson_keeps_the_sum_and_bounds_tv():
    p, q = F("poisson", lam="l1"), F("poisson", lam="l2")
    d = _js(p, q)
    assert d.status == "no_closed_form" and d.result.has(sp.Sum)
    k = np.arange(100)
    a, b = 1.5, 4.0
    assert np.isclose(d.lambdify()(a, b),
                      jensenshannon(stats.poisson.pmf(k, a), stats.poisson.pmf(k, b)) ** 2,
                      atol=1e-10)


def test_js_is_at_most_tv_log_2():
    # JS <= TV log 2 (Lin 1991), and both vanish at P = Q
    p, q = F("bernoulli", p="p1"), F("bernoulli", p="p2")
    js, tv = _js(p, q).lambdify(), total_variation(p, q).lambdify()
    for a, b in np.random.default_rng(2).uniform(0.01, 0.99, size=(20, 2)):
        assert js(a, b) <= tv(a, b) * LOG2 + 1e-12
    assert _js(F("normal"), F("normal")).result == 0


def test_budget_running_out_is_timed_out(monkeypatch):
    from symbolic_info.derive.memo import clear_memory
    monkeypatch.setenv("SYMBOLIC_INFO_CACHE", "0")  # no stored outcome may short-cut the work
    clear_memory()
    d = jensen_shannon(F("uniform", a="a1", b="b1"), F("uniform", a="a2", b="b2"),
                       timeout=0.01)
    assert d.status == "timed_out" and d.result.has(sp.Integral)


@pytest.mark.slow
def test_exponential_against_normal_keeps_the_common_part_unevaluated():
    d = jensen_shannon(F("exponential", rate="l"), F("normal", mu="mu", sigma="s"))
    assert d.status == "no_closed_form"
    lam, mu, s = 1.0, 0.5, 1.5

    def body(x):
        p = lam * np.exp(-lam * x) if x >= 0 else 0.0
        q = stats.norm.pdf(x, mu, s)
        return sum(u * np.log(2 * u / (p + q)) for u in (p, q) if u > 0) / 2
    ref = integrate.quad(body, -np.inf, 0)[0] + integrate.quad(body, 0, np.inf)[0]
    assert np.isclose(d.lambdify()(lam, mu, s), ref, atol=1e-8)
