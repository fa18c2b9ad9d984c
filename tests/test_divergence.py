"""KL divergence and cross-entropy: same-family pairs for every registered family, and the
cross-family pairs among ten families, against the defining integral or sum.

Seeds and tolerances: parameter points come from each family's sampler with a generator
seeded by the test id (``conftest.rng``); P's symbols carry the suffix ``_1`` and Q's ``_2``.
Closed forms are evaluated at 30 digits and must match the 30-digit defining integral to a
relative error of 1e-8 (absolute 1e-10 near zero).  Where the defining integral diverges at a
point (supp P ⊄ supp Q there, or a moment of P that does not exist) the result must be oo.
Results without a closed form are evaluated by ``lambdify`` and must match to 1e-6.
"""

from __future__ import annotations

import itertools

import pytest
import reference as R
import sympy as sp

import symbolic_info as si

POINTS = 3
QUANTITIES = ("kl", "cross_entropy")
# Same-family pairs that may legitimately stay unevaluated: Student-t (the issue says so),
# logistic (E[log(1 + e^{-(x-mu_2)/s_2})] under s_1 != s_2 has no elementary form),
# Kumaraswamy (E[log(1 - X^{a_2})] is a series for a_2 != a_1), and the series families, whose
# log k! / log Γ(k + r) terms do not cancel between members.
MAY_BE_OPEN = {("kl", "student_t"), ("cross_entropy", "student_t"),
               ("kl", "logistic"), ("cross_entropy", "logistic"),
               ("kl", "kumaraswamy"), ("cross_entropy", "kumaraswamy"),
               ("cross_entropy", "poisson"), ("kl", "binomial"), ("cross_entropy", "binomial"),
               ("kl", "negative_binomial"), ("cross_entropy", "negative_binomial")}
# ~10 s or more each on a 2-core machine (the derivation runs into its budget)
SLOW = {"logistic", "kumaraswamy", "student_t"}

CROSS = ["exponential", "gamma", "normal", "laplace", "uniform", "gumbel", "beta", "pareto",
         "bernoulli", "poisson"]


def _same_cases():
    for quantity, name in itertools.product(QUANTITIES, si.families()):
        marks = [pytest.mark.slow] if name in SLOW else []
        yield pytest.param(quantity, name, marks=marks, id=f"{quantity}-{name}")


def _cross_cases():
    for quantity, (p, q) in itertools.product(QUANTITIES, itertools.permutations(CROSS, 2)):
        yield pytest.param(quantity, p, q, id=f"{quantity}-{p}-{q}")


def _check_at_points(d, quantity, p, q, rng):
    f = d.lambdify() if d.status == "no_closed_form" else None
    for _ in range(POINTS):
        point = R.sample_point(rng, p, q)
        reference = R.defining_value(quantity, p, q, point)
        where = f"{quantity}({p.label()} || {q.label()}) at {R.show(point)}"
        if reference == float("inf"):
            claimed = R.evaluate(d.result, point) if f is None else \
                f(**{s.name: v for s, v in point.items()})
            assert claimed in (sp.oo, float("inf")), (
                f"{where}: the defining integral diverges, derived {claimed}")
            continue
        if f is None:
            claimed = R.evaluate(d.result, point)
            ok = claimed.is_finite and R.close(claimed, reference)
        else:
            claimed = f(**{s.name: v for s, v in point.items()})
            ok = R.close(claimed, reference, rtol=1e-6, atol=1e-8)
        assert ok, f"{where}: derived {claimed}, numerical integration {reference!r}"


@pytest.mark.parametrize(("quantity", "name"), _same_cases())
def test_same_family_status(derive, quantity, name):
    d = derive(quantity, name, name)
    if (quantity, name) in MAY_BE_OPEN:
        assert d.status in ("closed_form", "no_closed_form")
    else:
        assert d.status == "closed_form", (
            f"{quantity} {name} || {name} should be a closed form, got {d.status}: {d.result}")


@pytest.mark.parametrize(("quantity", "name"), _same_cases())
def test_same_family_matches_definition(derive, quantity, name, rng):
    d = derive(quantity, name, name)
    _check_at_points(d, quantity, R.member(name, "1"), R.member(name, "2"), rng)


def _never_contained(p: si.Family, q: si.Family) -> bool:
    """supp P ⊄ supp Q for every parameter value (decided from the symbols' assumptions)."""
    if p.discrete != q.discrete:
        return True
    sp_, sq = p.support, q.support
    return sp.Le(sq.inf, sp_.inf) == sp.false or sp.Le(sp_.sup, sq.sup) == sp.false


@pytest.mark.parametrize(("quantity", "p_name", "q_name"), _cross_cases())
def test_cross_family(derive, quantity, p_name, q_name, rng):
    d = derive(quantity, p_name, q_name)
    p, q = R.member(p_name, "1"), R.member(q_name, "2")
    if _never_contained(p, q):
        assert d.status == "infinite" and d.result == sp.oo, (d.status, d.result)
        assert any(s.rule == "support" for s in d.steps)
        return
    # Some of these have no elementary closed form (E_Beta[e^{-x/b}] is a Kummer function,
    # E_Beta|x - m| an incomplete beta): no_closed_form is allowed, the value is checked anyway.
    assert d.status in ("closed_form", "no_closed_form"), (d.status, d.result)
    _check_at_points(d, quantity, p, q, rng)


def test_normal_exponential_is_infinite_with_a_support_step():
    d = si.kl(si.family("normal"), si.family("exponential"))
    assert d.status == "infinite"
    assert d.result == sp.oo
    step = next(s for s in d.steps if s.rule == "support")
    assert "supp" in step.note and "infinite" in step.note


def test_discrete_against_continuous_is_infinite():
    d = si.cross_entropy(si.family("poisson"), si.family("gamma"))
    assert d.status == "infinite" and d.result == sp.oo
    assert any(s.rule == "support" for s in d.steps)
