"""cross_validate(): every built-in entropy, same-family KL and cross-entropy against independent
numerical integration of its definition.

Seeds and tolerances: points are drawn with ``seed=0`` from each parameter's constraint, so a run
is reproducible.  The bound asserted is the Report's default, a relative error of at most 1e-6
(values near 0 compared absolutely below 1e-8); quadrature reaches ~1e-12 on these integrands,
so the bound leaves room for the engine's own numeric route on results that keep an integral.
"""

from __future__ import annotations

import dataclasses
import math

import pytest
import reference as R
import sympy as sp

import symbolic_info as si
from symbolic_info.check import Report, cross_validate
from symbolic_info.check.cross_validate import defining_value, sample_points
from symbolic_info.errors import InvalidParameter
from symbolic_info.families.registry import default_values

N = 5
# derivations taking 10 s or more each (the expectation engine's second pass)
SLOW = {("kl", "logistic"), ("cross_entropy", "logistic"), ("kl", "student_t"),
        ("cross_entropy", "student_t"), ("kl", "kumaraswamy"), ("cross_entropy", "kumaraswamy"),
        ("kl", "levy"), ("cross_entropy", "levy")}
# the atlas families whose derivations take > 10 s (tests/test_entropy.py, test_divergence.py)
SLOW |= {(q, n) for q in ("entropy", "kl", "cross_entropy") for n in (
    "von_mises", "wigner_semicircle", "f", "triangular", "arcsine", "asymmetric_laplace",
    "skew_normal", "exponentiated_exponential", "truncated_normal", "half_logistic",
    "hyperbolic_secant", "log_uniform", "power_function", "continuous_bernoulli",
    "gumbel_min", "log_logistic")}
# the engine's numeric route (Derivation.lambdify of an unevaluated integral) returns nan here


def member(name: str, suffix: str):
    if name == "categorical":
        letter = "p" if suffix == "1" else "q"
        return si.family("categorical", p=[f"{letter}_{i}" for i in (1, 2, 3)])
    return si.family(name, **default_values(name, suffix))


def derive(quantity: str, name: str):
    p = member(name, "1")
    if quantity == "entropy":
        return si.entropy(p)
    return getattr(si, quantity)(p, member(name, "2"))


def cases():
    for quantity in ("entropy", "kl", "cross_entropy"):
        for name in R.point_families():
            marks = []
            if (quantity, name) in SLOW:
                marks.append(pytest.mark.slow)
            yield pytest.param(quantity, name, marks=marks, id=f"{quantity}-{name}")


@pytest.mark.parametrize("quantity, name", list(cases()))
def test_builtin_derivations_cross_validate(quantity, name):
    d = derive(quantity, name)
    report = cross_validate(d, n=N)
    if d.status == "undefined":  # no value, nothing to compare (reference.UNDEFINED)
        assert (quantity, name) in R.UNDEFINED and not report.ok and not report.points
        return
    assert report.ok, str(report)
    assert report.max_rel_error <= 1e-6
    assert len(report.points) == (N if d.parameters else 1)


@pytest.mark.parametrize("quantity, name", [("kl", "normal"), ("entropy", "gumbel"),
                                            ("kl", "poisson"), ("entropy", "cauchy"),
                                            ("kl", "laplace")])
def test_mpmath_method(quantity, name):
    report = cross_validate(derive(quantity, name), n=3, method="mpmath")
    assert report.ok, str(report)
    assert report.method.startswith("mpmath")


@pytest.mark.parametrize("name, values", [
    ("student_t", {"nu": sp.Rational(1, 2)}),      # tails like |x|^(-3/2)
    ("pareto", {"xm": 1, "alpha": sp.Rational(1, 2)}),
    ("cauchy", {"x0": "x0", "gamma": "gamma"}),
    ("half_cauchy", {"gamma": "gamma"}),
])
def test_heavy_tails(name, values):
    report = cross_validate(si.entropy(si.family(name, **values)), n=3)
    assert report.ok, str(report)


@pytest.mark.slow
def test_slowly_converging_tail_is_not_mistaken_for_divergence():
    # KL(t_nu || N) is finite for nu > 2, its integrand decays like |x|^(1 - nu)
    d = si.kl(si.family("student_t", nu=sp.Rational(201, 100)), member("normal", "2"))
    # closed_form, or (E log(1 + x^2/nu) at this nu) an integral the numeric route evaluates;
    # either way the value must agree with independent integration
    assert d.status in ("closed_form", "no_closed_form", "timed_out"), d.status
    report = cross_validate(d, n=2)
    assert report.ok, str(report)


def test_base_two():
    report = cross_validate(si.kl(member("normal", "1"), member("normal", "2"), base=2), n=3)
    assert report.ok, str(report)


@pytest.mark.parametrize("p, q", [("normal", "exponential"), ("poisson", "bernoulli"),
                                  ("exponential", "uniform")])
def test_infinite_by_support(p, q):
    d = si.kl(member(p, "1"), member(q, "2"))
    assert d.status == "infinite"
    report = cross_validate(d, n=3)
    assert report.ok, str(report)
    assert all(v == math.inf for v in report.numeric)
    assert any("> 0 = q(" in note for note in report.notes)


def test_divergent_integral_is_detected():
    # KL(Cauchy || Normal) = oo: log q grows like x^2 against a 1/x^2 tail
    d = si.kl(member("cauchy", "1"), member("normal", "2"))
    point = sample_points(d, 1, __import__("numpy").random.default_rng(0))[0]
    value = defining_value(d, point)
    assert value.value == math.inf and "diverges" in value.note


def test_a_wrong_result_is_caught():
    d = si.kl(member("normal", "1"), member("normal", "2"))
    wrong = dataclasses.replace(d, result=d.result * (1 + sp.Rational(1, 10**4)))
    report = cross_validate(wrong, n=3)
    assert not report.ok
    assert report.max_rel_error > 1e-5
    assert "FAILED" in str(report)


def test_report_is_frozen_and_prints_a_table():
    report = cross_validate(si.entropy(member("exponential", "1")), n=3)
    assert isinstance(report, Report)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.rtol = 1.0
    text = str(report)
    assert "lam_1" in text and "derived" in text and "numeric" in text and "OK" in text
    assert len(text.splitlines()) >= 3 + 3
    assert report.max_rel_error == max(report.rel_errors)


def test_points_satisfy_the_conditions_and_constraints():
    d = si.kl(member("uniform", "1"), member("uniform", "2"))
    for point in cross_validate(d, n=4).points:
        assert point["a_1"] < point["b_1"] and point["a_2"] < point["b_2"]


def test_bad_arguments():
    d = si.entropy(member("normal", "1"))
    with pytest.raises(InvalidParameter):
        cross_validate(d, method="simpson")
    with pytest.raises(InvalidParameter):
        cross_validate(d, n=0)
