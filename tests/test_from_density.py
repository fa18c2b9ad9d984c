"""Families defined through ``si.from_density`` get closed-form entropy and KL.

Seeds and tolerances as in ``test_entropy``: points from the family's constraint samplers,
seeded by the test id; 30-digit closed forms against the 30-digit defining integral, relative
error 1e-8.  The families themselves live in ``user_families`` (registered by conftest, so the
registry-driven suites check them too); this module checks them by name, with known values.
"""

from __future__ import annotations

import pytest
import reference as R
import sympy as sp
from user_families import USER_FAMILIES, x

import symbolic_info as si
from symbolic_info.families.validate import checked_density

POINTS = 3


@pytest.mark.parametrize("name", sorted(USER_FAMILIES))
def test_user_family_is_registered(name):
    assert name in si.families()
    assert not isinstance(USER_FAMILIES[name], type(None))


@pytest.mark.parametrize("name", sorted(USER_FAMILIES))
def test_user_family_is_a_valid_density(name):
    """Non-negative with mass 1 (the check from_density ran), so normalising changes nothing."""
    fam = USER_FAMILIES[name]
    assert checked_density(fam) == fam.density
    assert checked_density(fam, normalize=True) == fam.density


@pytest.mark.parametrize("quantity", ["entropy", "kl", "cross_entropy"])
@pytest.mark.parametrize("name", sorted(USER_FAMILIES))
def test_user_family_closed_form_matches_integration(derive, quantity, name, rng):
    d = derive(quantity, name, None if quantity == "entropy" else name)
    assert d.status == "closed_form", f"{quantity} of {name}: {d.status}: {d.result}"
    assert not d.result.has(sp.Integral, sp.Sum)
    p = R.member(name, "1")
    q = None if quantity == "entropy" else R.member(name, "2")
    for _ in range(POINTS):
        point = R.sample_point(rng, p, *([q] if q is not None else []))
        reference = R.defining_value(quantity, p, q, point)
        claimed = R.evaluate(d.result, point)
        if reference == float("inf"):
            assert claimed == sp.oo, f"{quantity} {name} at {R.show(point)}: {claimed}"
        else:
            assert R.close(claimed, reference), (
                f"{quantity} {name} at {R.show(point)}: derived {claimed}, "
                f"numerical integration {reference!r}")


def test_triangular_entropy_is_one_half(derive):
    assert sp.simplify(derive("entropy", "triangle_0_2").result - sp.Rational(1, 2)) == 0


def test_triangular_against_uniform():
    d = si.kl(USER_FAMILIES["triangle_0_2"], si.family("uniform", a=0, b=2))
    assert d.status == "closed_form"
    assert sp.simplify(d.result - (sp.log(2) - sp.Rational(1, 2))) == 0


def test_maxwell_boltzmann_entropy_is_the_known_formula(derive):
    a = sp.Symbol("a_1", positive=True)
    known = sp.log(a * sp.sqrt(2 * sp.pi)) + sp.EulerGamma - sp.Rational(1, 2)
    d = derive("entropy", "maxwell_boltzmann")
    assert sp.simplify(sp.expand_log(d.result - known, force=True)) == 0


def test_shifted_exponential_kl_is_infinite_when_p_starts_before_q():
    p = si.family("shifted_exponential", mu=0, lam=1)
    q = si.family("shifted_exponential", mu=1, lam=1)
    assert si.kl(p, q).result == sp.oo
    assert si.kl(q, p).result.is_finite


def test_from_density_member_uses_the_users_symbols():
    fam = USER_FAMILIES["power"]
    assert fam.parameters == (sp.Symbol("c", positive=True),)
    assert fam.variable == x
