"""The lecture's worked examples, compared numerically or through simplify of a difference
(never by printed form)."""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

import symbolic_info as si


def test_normal_kl_is_the_textbook_formula():
    mu1, mu2 = sp.symbols("mu_1 mu_2", real=True)
    s1, s2 = sp.symbols("sigma_1 sigma_2", positive=True)
    d = si.kl(si.family("normal", mu="mu_1", sigma="sigma_1"),
              si.family("normal", mu="mu_2", sigma="sigma_2"))
    assert d.status == "closed_form"
    textbook = sp.log(s2 / s1) + (s1**2 + (mu1 - mu2) ** 2) / (2 * s2**2) - sp.Rational(1, 2)
    assert sp.simplify(sp.expand_log(d.result - textbook, force=True)) == 0
    f = d.lambdify()
    rng = np.random.default_rng(0)
    for _ in range(5):
        m1, m2 = rng.uniform(-2, 2, 2)
        v1, v2 = rng.uniform(0.3, 3, 2)
        expected = math.log(v2 / v1) + (v1**2 + (m1 - m2) ** 2) / (2 * v2**2) - 0.5
        assert math.isclose(f(m1, v1, m2, v2), expected, rel_tol=1e-12, abs_tol=1e-14)


def test_fair_coin_has_one_bit():
    d = si.entropy(si.family("bernoulli", p=sp.Rational(1, 2)), base=2)
    assert d.status == "closed_form"
    assert sp.simplify(d.result - 1) == 0


def test_biased_coin_entropy_in_bits():
    d = si.entropy(si.family("bernoulli", p=0.9), base=2)
    assert math.isclose(float(d.result), 0.4689955935892812, rel_tol=1e-12)
    assert round(float(d.result), 3) == 0.469


def test_coin_kl_in_bits():
    d = si.kl(si.family("bernoulli", p=0.5), si.family("bernoulli", p=0.6), base=2)
    expected = 0.5 * math.log2(0.5 / 0.6) + 0.5 * math.log2(0.5 / 0.4)
    assert math.isclose(float(d.result), expected, rel_tol=1e-12)
    assert round(float(d.result), 3) == 0.029


def test_categorical_cross_entropy_of_a_certain_outcome():
    d = si.cross_entropy(si.family("categorical", p=[1, 0]),
                         si.family("categorical", p=[0.9, 0.1]))
    assert d.status == "closed_form"
    assert math.isclose(float(d.result), -math.log(0.9), rel_tol=1e-12)
    assert round(float(d.result), 3) == 0.105
