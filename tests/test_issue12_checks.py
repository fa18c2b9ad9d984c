"""Issue 12, the checking side: cross_validate and verify on the quantities beyond KL.

Each closed form is compared with an independent numerical value of its definition at random
points (random orders in (0.1, 0.95) ∪ (1.05, 2.9) where the order is a symbol); scipy gives
extra references (entropy near order 1, ``scipy.spatial.distance.jensenshannon``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from scipy import stats
from scipy.spatial.distance import jensenshannon

import symbolic_info as si
from symbolic_info.families.registry import default_values

N = 4


def member(name: str, suffix: str) -> si.Family:
    return si.family(name, **default_values(name, suffix))


def derive(quantity: str, name: str) -> si.Derivation:
    p, q = member(name, "1"), member(name, "2")
    builders = {
        "renyi_divergence": lambda: si.renyi_divergence(p, q, "a"),
        "renyi_entropy": lambda: si.renyi_entropy(p, "a"),
        "tsallis_entropy": lambda: si.tsallis_entropy(p, "q"),
        "fisher_information": lambda: si.fisher_information(p),
        "f_divergence": lambda: si.f_divergence(p, q, "(t - 1)**4"),
    }
    return builders.get(quantity, lambda: getattr(si, quantity)(p, q))()


FAST = [(q, "normal") for q in ("renyi_divergence", "renyi_entropy", "tsallis_entropy",
                                "bhattacharyya", "hellinger", "chi_square", "jensen_shannon",
                                "fisher_information", "jeffreys")]
FAST += [(q, "exponential") for q in ("renyi_divergence", "chi_square", "hellinger",
                                      "fisher_information", "f_divergence")]
FAST += [(q, "bernoulli") for q in ("renyi_divergence", "jensen_shannon", "total_variation")]
SLOW = [(q, name) for name in ("poisson", "beta", "gamma", "laplace")
        for q in ("renyi_divergence", "bhattacharyya", "hellinger", "chi_square",
                  "jensen_shannon", "fisher_information")]
SLOW += [("total_variation", "normal"), ("f_divergence", "normal"),
         ("total_variation", "exponential"), ("f_divergence", "poisson")]


@pytest.mark.parametrize("quantity, name", FAST, ids=[f"{q}-{n}" for q, n in FAST])
def test_cross_validate(quantity, name):
    report = si.cross_validate(derive(quantity, name), n=N)
    assert report.ok, str(report)


@pytest.mark.slow
@pytest.mark.parametrize("quantity, name", SLOW, ids=[f"{q}-{n}" for q, n in SLOW])
def test_cross_validate_more(quantity, name):
    report = si.cross_validate(derive(quantity, name), n=N)
    assert report.ok, str(report)


def test_mpmath_method():
    report = si.cross_validate(derive("renyi_divergence", "normal"), n=2, method="mpmath")
    assert report.ok, str(report)


def test_orders_are_drawn_away_from_one():
    from symbolic_info.check.cross_validate import sample_points
    d = derive("renyi_divergence", "normal")
    orders = [pt[d.parameters[-1]] for pt in sample_points(d, 30, np.random.default_rng(0))]
    assert all(0.1 <= a <= 2.9 and abs(a - 1) > 0.05 for a in orders)
    assert any(a < 1 for a in orders) and any(a > 1 for a in orders)


def test_divergent_points_agree():
    """The Rényi divergence of normals is +oo where α σ2² + (1 − α) σ1² ≤ 0: the defining
    integral diverges there too."""
    d = derive("renyi_divergence", "normal")
    from symbolic_info.check.cross_validate import defining_value
    mu1, s1, mu2, s2, a = d.parameters
    point = {mu1: 0.0, s1: 2.0, mu2: 1.0, s2: 1.0, a: 2.0}
    assert d.result.xreplace(point) == sp.oo
    assert defining_value(d, point).value == math.inf


def test_renyi_entropy_near_order_one_is_shannon():
    d = derive("renyi_entropy", "gamma")
    shape, rate, a = d.parameters
    for k, r in ((2.5, 1.5), (0.7, 3.0)):
        near = float(sp.N(d.result.xreplace({shape: k, rate: r, a: 1 + 1e-7}), 30))
        assert near == pytest.approx(stats.gamma(k, scale=1 / r).entropy(), rel=1e-6)


def test_jensen_shannon_against_scipy():
    d = derive("jensen_shannon", "bernoulli")
    p1, p2 = d.parameters
    for a, b in ((0.2, 0.7), (0.9, 0.85)):
        derived = float(sp.N(d.result.xreplace({p1: a, p2: b}), 30))
        assert derived == pytest.approx(jensenshannon([1 - a, a], [1 - b, b]) ** 2, rel=1e-10)


def test_jensen_shannon_poisson_against_scipy():
    d = derive("jensen_shannon", "poisson")
    l1, l2 = d.parameters
    k = np.arange(200)
    ref = jensenshannon(stats.poisson(3.0).pmf(k), stats.poisson(5.5).pmf(k)) ** 2
    report_point = {l1: 3.0, l2: 5.5}
    from symbolic_info.check.cross_validate import defining_value
    assert defining_value(d, report_point).value == pytest.approx(ref, rel=1e-8)


# -- verify --------------------------------------------------------------------------------
S_A = "(a*s2**2 + (1 - a)*s1**2)"
RIGHT = f"a*(m1 - m2)**2/(2*{S_A}) - log({S_A}/(s1**(2*(1 - a))*s2**(2*a)))/(2*(a - 1))"
# the commonly printed MVN formula, one dimension: the log term without 1/(1 - α)
WRONG = f"a*(m1 - m2)**2/(2*{S_A}) - log({S_A}/(s1**(2*(1 - a))*s2**(2*a)))/2"


@pytest.fixture(scope="module")
def normals():
    return (si.family("normal", mu="m1", sigma="s1"), si.family("normal", mu="m2", sigma="s2"))


def test_verify_renyi_right_formula_holds(normals):
    verdict = si.verify(RIGHT, "renyi_divergence", *normals, alpha="a")
    assert verdict.holds, str(verdict)
    assert verdict.conditional  # +oo where α s2² + (1 − α) s1² <= 0


def test_verify_renyi_wrong_formula_fails(normals):
    verdict = si.verify(WRONG, "renyi_divergence", *normals, alpha="a")
    assert not verdict.holds
    assert verdict.counterexample is not None
    c, r = verdict.counterexample["claim"], verdict.counterexample["derivation"]
    assert abs(c - r) > 1e-6


def test_verify_with_a_derivation_and_fisher_matrix(normals):
    d = si.renyi_divergence(*normals, "a")
    assert si.verify(RIGHT, d).holds
    fisher = si.fisher_information(normals[0])
    assert si.verify("Matrix([[1/s1**2, 0], [0, 2/s1**2]])", fisher).holds
    assert not si.verify("[[1/s1**2, 0], [0, 1/s1**2]]", fisher).holds


def test_verify_rejects_bad_arguments(normals):
    with pytest.raises(si.InvalidParameter):
        si.verify(RIGHT, "renyi_divergence", *normals)  # no alpha=
    with pytest.raises(si.InvalidParameter):
        si.verify(RIGHT, si.kl(*normals), alpha="a")
