"""check_properties(): KL(P||P) = 0, KL >= 0, asymmetry and H(P, Q) = H(P) + KL(P||Q).

Points are drawn with ``seed=0``; identities are compared at a relative 1e-9 after 30-digit
evaluation, which leaves many orders of magnitude between rounding and a real failure.
"""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

import symbolic_info as si
from symbolic_info.check import Properties, check_properties
from symbolic_info.check.cross_validate import exact
from symbolic_info.families import get_spec


def member(name: str, suffix: str):
    if name == "categorical":
        letter = "p" if suffix == "1" else "q"
        return si.family("categorical", p=[f"{letter}_{i}" for i in (1, 2, 3)])
    return si.family(name, **get_spec(name).default_values(suffix))


@pytest.mark.parametrize("p, q", [("normal", "normal"), ("gamma", "gamma"),
                                  ("poisson", "poisson"), ("categorical", "categorical"),
                                  ("exponential", "exponential"), ("bernoulli", "bernoulli"),
                                  ("uniform", "uniform")])
def test_properties_hold(p, q):
    props = check_properties(member(p, "1"), member(q, "2"), n=10)
    assert props.ok, str(props)
    assert props.kl_self_zero.holds and props.kl_nonnegative.holds
    assert props.decomposition.holds
    assert props.kl_nonnegative.point is not None       # the worst point is reported
    assert props.asymmetry.holds and props.asymmetry.point is not None


def test_asymmetry_point_really_is_asymmetric():
    P, Q = member("normal", "1"), member("normal", "2")
    props = check_properties(P, Q, n=10)
    point = {sp.Symbol(k, **({"positive": True} if k.startswith("sigma") else {"real": True})): v
             for k, v in props.asymmetry.point.items()}
    pq = sp.N(si.kl(P, Q).result.xreplace(exact(point)), 30)
    qp = sp.N(si.kl(Q, P).result.xreplace(exact(point)), 30)
    assert abs(pq - qp) > 1e-6


def test_symmetric_pair_has_no_asymmetry_point():
    # equal variances: KL(P||Q) = KL(Q||P) = (mu_1 - mu_2)^2 / (2 sigma^2)
    P = si.family("normal", mu="mu_1", sigma="sigma")
    Q = si.family("normal", mu="mu_2", sigma="sigma")
    props = check_properties(P, Q, n=8)
    assert props.ok
    assert props.asymmetry.holds is False and props.asymmetry.point is None


def test_decomposition_symbolic_for_closed_forms():
    props = check_properties(member("normal", "1"), member("laplace", "2"), n=5)
    assert props.decomposition.holds
    assert props.kl_self_zero.method == "symbolic"


def test_report_is_frozen_and_readable():
    props = check_properties(member("exponential", "1"), member("exponential", "2"), n=5)
    assert isinstance(props, Properties)
    with pytest.raises(dataclasses.FrozenInstanceError):
        props.p = "x"
    text = str(props)
    for label in ("KL(P||P) = 0", "KL(P||Q) >= 0", "KL(P||Q) != KL(Q||P)",
                  "H(P,Q) = H(P) + KL(P||Q)", "OK"):
        assert label in text
