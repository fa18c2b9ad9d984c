"""The identities and inequalities between the divergences of issue 12, at random points of
several families (``si.check_properties(P, Q, divergences=True)``)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import symbolic_info as si
from symbolic_info.check.inequalities import member_checks, pair_checks
from symbolic_info.families.registry import default_values


def member(name: str, suffix: str, **values) -> si.Family:
    return si.family(name, **{**default_values(name, suffix), **values})


def test_le_cam_bounds_numerically():
    """The statement asserted: H² ≤ TV ≤ sqrt(H²(2 − H²)) with H² = 1 − BC, on random
    discrete laws (and TV ≤ sqrt(2)·H, looser)."""
    rng = np.random.default_rng(1)
    for _ in range(2000):
        p, q = rng.dirichlet(np.ones(5) * 0.3), rng.dirichlet(np.ones(5) * 0.3)
        h2 = 1 - np.sum(np.sqrt(p * q))
        tv = 0.5 * np.sum(np.abs(p - q))
        assert h2 <= tv + 1e-12
        assert tv <= math.sqrt(h2 * (2 - h2)) + 1e-12 <= math.sqrt(2 * h2) + 2e-12


@pytest.mark.slow
def test_normal_pair():
    props = si.check_properties(member("normal", "1"), member("normal", "2"), n=6,
                                divergences=True)
    assert props.ok, str(props)
    assert len(props.divergences) == 18


@pytest.mark.parametrize("name", ["normal", "exponential", "poisson"])
def test_pair_without_total_variation(name):
    checks = pair_checks(member(name, "1"), member(name, "2"), n=6,
                         quantities=("renyi_divergence", "bhattacharyya", "hellinger",
                                     "chi_square", "kl"))
    assert all(c.holds for c in checks), "\n".join(map(str, checks))


@pytest.mark.parametrize("name", ["normal", "exponential", "gamma"])
def test_member(name):
    checks = member_checks(member(name, "1"), n=6)
    assert all(c.holds for c in checks), "\n".join(map(str, checks))


@pytest.mark.slow
@pytest.mark.parametrize("p, q", [
    (member("bernoulli", "1"), member("bernoulli", "2")),
    (member("exponential", "1"), member("exponential", "2")),
    (member("poisson", "1"), member("poisson", "2")),
    (member("laplace", "1", mu=0), member("laplace", "2", mu=0)),
    (member("beta", "1"), member("beta", "2")),
], ids=["bernoulli", "exponential", "poisson", "laplace-same-location", "beta"])
def test_pairs(p, q):
    props = si.check_properties(p, q, n=6, divergences=True)
    assert props.ok, str(props)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["poisson", "bernoulli", "beta", "laplace"])
def test_member_more(name):
    checks = member_checks(member(name, "1"), n=6)
    assert all(c.holds for c in checks), "\n".join(map(str, checks))
