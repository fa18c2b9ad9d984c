"""Derivation.lambdify: positional and keyword calls, numpy vectorisation, and numerical
evaluation of results that have no closed form.

Tolerances: closed forms in double precision to 1e-12 relative against scipy.stats; results
evaluated by quadrature or series inside lambdify to 1e-8.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import symbolic_info as si


def test_positional_and_keyword_calls_agree():
    d = si.kl(si.family("normal", mu="mu_1", sigma="sigma_1"),
              si.family("normal", mu="mu_2", sigma="sigma_2"))
    f = d.lambdify()
    assert [s.name for s in d.parameters] == ["mu_1", "sigma_1", "mu_2", "sigma_2"]
    a = f(0.1, 1.2, -0.3, 0.8)
    b = f(mu_1=0.1, sigma_1=1.2, mu_2=-0.3, sigma_2=0.8)
    c = f(0.1, 1.2, sigma_2=0.8, mu_2=-0.3)
    assert a == pytest.approx(b, rel=1e-15) == pytest.approx(c, rel=1e-15)


def test_vectorised_over_arrays():
    f = si.entropy(si.family("normal")).lambdify()
    sigma = np.linspace(0.5, 3, 7)
    out = f(0.0, sigma)
    assert out.shape == (7,)
    np.testing.assert_allclose(out, stats.norm(0, sigma).entropy(), rtol=1e-12)
    grid = f(np.zeros((2, 1)), sigma[None, :])
    assert grid.shape == (2, 7)


def test_bad_calls_raise_type_error():
    f = si.entropy(si.family("normal")).lambdify()
    with pytest.raises(TypeError):
        f(1.0)
    with pytest.raises(TypeError):
        f(1.0, 2.0, tau=3.0)


def test_poisson_entropy_evaluates_numerically():
    d = si.entropy(si.family("poisson", lam="mu"))
    assert d.status == "no_closed_form"  # E log X! has no elementary closed form
    f = d.lambdify()
    for mu in (0.3, 1.0, 4.5, 12.0):
        assert f(mu) == pytest.approx(stats.poisson(mu).entropy(), rel=1e-8)
    mus = np.array([0.5, 2.0, 7.0])
    np.testing.assert_allclose(f(mus), [stats.poisson(m).entropy() for m in mus], rtol=1e-8)


def test_binomial_entropy_evaluates_numerically():
    f = si.entropy(si.family("binomial")).lambdify()
    assert f(n=6, p=0.3) == pytest.approx(stats.binom(6, 0.3).entropy(), rel=1e-8)


def test_infinite_result_evaluates_to_inf():
    f = si.kl(si.family("normal"), si.family("exponential")).lambdify()
    assert np.isinf(f(0.0, 1.0, 2.0))
