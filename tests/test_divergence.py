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
# Same-family pairs without a closed form: the status each must have, and why.
_CAPS = "timed_out"  # an integral whose strategies reach their CPU caps
_SERIES = "no_closed_form"  # a series every strategy finishes on without a closed form
# strategies that finish within about a second of their CPU caps: which of the two statuses
# comes out depends on the CPU's speed (not on the load: the caps are CPU time), so either
_NEAR_CAP = frozenset({_CAPS, _SERIES})
OPEN = {
    # E_t(nu_1)[log(1 + x^2/nu_2)] has no elementary form for nu_1 != nu_2
    ("kl", "student_t"): _CAPS, ("cross_entropy", "student_t"): _CAPS,
    # E[log(1 + e^{-(x - mu_2)/s_2})] under s_1 != s_2 has no elementary form
    ("kl", "logistic"): _CAPS, ("cross_entropy", "logistic"): _CAPS,
    # E[log(1 - X^{a_2})] is a series for a_2 != a_1
    ("kl", "kumaraswamy"): _CAPS, ("cross_entropy", "kumaraswamy"): _CAPS,
    # the log k! / log C(n, k) / log Γ(k + r) terms do not cancel between members
    ("cross_entropy", "poisson"): _SERIES, ("kl", "binomial"): _SERIES,
    ("cross_entropy", "binomial"): _SERIES, ("kl", "negative_binomial"): _SERIES,
    ("cross_entropy", "negative_binomial"): _SERIES,
    # E[log n_i!] under a multinomial: the counts' log-factorials do not cancel in H(P, Q)
    ("cross_entropy", "multinomial"): _SERIES,
    # E|x - mu_2|^beta_2 under a generalized normal of other location and shape
    ("kl", "generalized_normal"): _CAPS, ("cross_entropy", "generalized_normal"): _CAPS,
    # E[log(x - mu_2)] and E[1/(x - mu_2)] under a Lévy of location mu_1 > mu_2
    ("kl", "levy"): _CAPS, ("cross_entropy", "levy"): _CAPS,
    # E log k! (Borel), E log B(k + a, .)
    # (beta-binomial) do not cancel between members; E|k| under the
    # discrete Laplace is elementary but the engine keeps the sum over all the integers
    ("kl", "borel"): _SERIES, ("cross_entropy", "borel"): _SERIES,
    ("kl", "beta_binomial"): _SERIES, ("cross_entropy", "beta_binomial"): _SERIES,
    ("kl", "discrete_laplace"): _SERIES, ("cross_entropy", "discrete_laplace"): _SERIES,
    # E log k under the log-series P (the KL's log k terms cancel: closed)
    ("cross_entropy", "logarithmic"): _SERIES,
    # E log k (Zipf), E log B(k, alpha_2 + 1) (Yule-Simon) under P: power-law series
    ("kl", "zipf"): _SERIES, ("cross_entropy", "zipf"): _SERIES,
    ("kl", "yule_simon"): _SERIES, ("cross_entropy", "yule_simon"): _SERIES,
    # E log I_k(2 sqrt(mu1_2 mu2_2)) under a Skellam P (E k, elementary, also stays a sum)
    ("kl", "skellam"): _SERIES, ("cross_entropy", "skellam"): _SERIES,
    # E log C(n_2, k) and E log C(M_2 - n_2, N_2 - k) under a hypergeometric P: finite sums
    # (where supp P is inside supp Q; +oo elsewhere)
    ("kl", "hypergeometric"): _SERIES, ("cross_entropy", "hypergeometric"): _SERIES,
    # E cos(x - mu_2) under a von Mises (I_1/I_0 ratios), E log(R_2^2 - (x - a_2)^2) under a
    # semicircle, E log(1 + d1_2 x/d2_2) under an F of other degrees of freedom
    ("kl", "von_mises"): _CAPS, ("cross_entropy", "von_mises"): _CAPS,
    ("kl", "wigner_semicircle"): _CAPS, ("cross_entropy", "wigner_semicircle"): _CAPS,
    ("kl", "f"): _CAPS, ("cross_entropy", "f"): _CAPS,
    # E log(x - a_2) and E log(b_2 - x) under an arcsine law on another interval (an elementary
    # log((√(c - a) + √(c - b))²/4) the engine does not reach; its integration takes 3-4 s of a
    # 6 s cap here, and ran into the cap on CI's machine)
    ("kl", "arcsine"): _NEAR_CAP, ("cross_entropy", "arcsine"): _NEAR_CAP,
    # E log cosh((x - mu_2)/s_2) under a hyperbolic secant of another location and scale
    ("kl", "hyperbolic_secant"): _CAPS, ("cross_entropy", "hyperbolic_secant"): _CAPS,
    # E log Φ(alpha_2 (x - xi_2)/omega_2) under a skew-normal (Owen's T-type integrals)
    ("kl", "skew_normal"): _CAPS, ("cross_entropy", "skew_normal"): _CAPS,
    # the log of the other triangle's two pieces over the first's, for every order of the
    # corners: the engine leaves the piecewise integrals (near its caps: 34 s of CPU for the
    # KL, timed out on CI's machine and here beside other work)
    ("kl", "triangular"): _NEAR_CAP, ("cross_entropy", "triangular"): _NEAR_CAP,
    # E_P[log Phi-differences]: the truncated normal's KL keeps integrals over [a_1, b_1]
    # (near its caps, likewise)
    ("kl", "truncated_normal"): _NEAR_CAP, ("cross_entropy", "truncated_normal"): _NEAR_CAP,
    # E log(1 - e^{-lam_2 x}) and E log(1 + e^{-x/s_2}) under other rates / scales
    ("kl", "exponentiated_exponential"): _CAPS,
    ("cross_entropy", "exponentiated_exponential"): _CAPS,
    ("kl", "half_logistic"): _CAPS, ("cross_entropy", "half_logistic"): _CAPS,
    # E log(1 + (x/alpha_2)^beta_2) under a log-logistic of another shape
    ("kl", "log_logistic"): _CAPS, ("cross_entropy", "log_logistic"): _CAPS,
}
# Cross-family pairs without a closed form, likewise (the value is checked all the same).
# (E_U[log x] and E_U[log(1 - x)] over [a, b] are closed since the standardisation u =
# (x - a)/(b - a) and the spot checks' skipping of points where log x is not real: the uniform
# against gamma, beta and Pareto is closed where [a, b] lies in Q's support, +oo elsewhere.)
OPEN_CROSS = {
    # E_Gumbel|x - m| (an exponential integral) and E_Beta[e^{-x/β}] (a Kummer function)
    ("gumbel", "laplace"): _SERIES, ("beta", "gumbel"): _SERIES,
    # E_Beta|x - m| (an incomplete beta) and E_Pareto[e^{-x/β}] (an incomplete gamma)
    ("beta", "laplace"): _CAPS, ("pareto", "gumbel"): _CAPS,
}
# ~10 s or more each on a 2-core machine (the derivation runs into its budget)
SLOW = {"logistic", "kumaraswamy", "student_t", "levy", "generalized_normal",
        # the atlas families whose KL takes > 10 s (or was not timed on a quiet machine)
        "von_mises", "wigner_semicircle", "f", "triangular", "arcsine", "asymmetric_laplace",
        "skew_normal", "exponentiated_exponential", "truncated_normal", "half_logistic",
        "hyperbolic_secant", "log_uniform", "power_function", "continuous_bernoulli",
        "gumbel_min", "log_logistic"}

CROSS = ["exponential", "gamma", "normal", "laplace", "uniform", "gumbel", "beta", "pareto",
         "bernoulli", "poisson"]


def _same_cases():
    for quantity, name in itertools.product(QUANTITIES, R.point_families()):
        marks = [pytest.mark.slow] if name in SLOW else []
        yield pytest.param(quantity, name, marks=marks, id=f"{quantity}-{name}")


def _cross_cases():
    for quantity, (p, q) in itertools.product(QUANTITIES, itertools.permutations(CROSS, 2)):
        yield pytest.param(quantity, p, q, id=f"{quantity}-{p}-{q}")


def _check_at_points(d, quantity, p, q, rng):
    if d.status == "undefined":  # no value (R.UNDEFINED): nan, never evaluated numerically
        f = d.lambdify()
        for _ in range(POINTS):
            point = R.sample_point(rng, p, q)
            assert f(**{s.name: v for s, v in point.items()}) != f(
                **{s.name: v for s, v in point.items()})
        return
    f = d.lambdify() if d.status in ("no_closed_form", "timed_out") else None
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
    if (quantity, name) in R.UNDEFINED:  # the integral has no value (see R.UNDEFINED)
        assert d.status == "undefined" and d.result is sp.nan, (d.status, d.result)
    elif (quantity, name) in OPEN:
        expected = OPEN[quantity, name]
        assert d.status in (expected if isinstance(expected, frozenset) else {expected}), (
            d.status, d.result)
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
    expected = OPEN_CROSS.get((p_name, q_name), "closed_form")
    assert d.status == expected, (d.status, d.result)
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
