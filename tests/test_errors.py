"""Errors: invalid parameters, unknown families and parameter names, support mismatches and
the time budget."""

from __future__ import annotations

import pytest
import sympy as sp

import symbolic_info as si
from symbolic_info.derive.derivation import StepKind
from symbolic_info.families import get_spec
from symbolic_info.families.registry import factory_families


@pytest.mark.parametrize(("name", "params", "words"), [
    ("normal", {"sigma": -1}, ["sigma", "positive", "-1"]),
    ("exponential", {"rate": 0}, ["rate", "positive", "0"]),
    ("bernoulli", {"p": 1.5}, ["p", "[0, 1]", "1.5"]),
    ("binomial", {"n": 2.5}, ["n", "integer", "2.5"]),
    ("gamma", {"scale": -2}, ["scale", "positive", "-2"]),
])
def test_invalid_parameter_names_parameter_and_constraint(name, params, words):
    with pytest.raises(ValueError) as info:
        si.family(name, **params)
    assert isinstance(info.value, si.InvalidParameter)
    for w in words:
        assert w in str(info.value)


def test_sigma_message_is_exact():
    with pytest.raises(ValueError, match=r"^sigma must be positive, got -1$"):
        si.family("normal", mu=0, sigma=-1)


def test_uniform_relation_is_checked():
    with pytest.raises(ValueError, match="a < b"):
        si.family("uniform", a=2, b=1)


def test_categorical_must_sum_to_one():
    with pytest.raises(ValueError, match=r"sum to 1|p_1 \+ p_2"):
        si.family("categorical", p=[0.5, 0.6])


@pytest.mark.parametrize("name", [n for n in si.families() if n not in factory_families()])
def test_every_constraint_rejects_a_bad_value(name):
    spec = get_spec(name)
    for param in spec.params:
        bad = {"real": sp.I, "positive": -1, "nonnegative": -1, "negative": 1,
               "in the open interval (0, 1)": 2, "in the closed interval [0, 1]": 2,
               "a positive integer": 0, "a nonnegative integer": -1,
               "an integer": sp.Rational(1, 2), "greater than 1": 1}[param.constraint.description]
        with pytest.raises(si.InvalidParameter, match=param.name):
            si.family(name, **{param.name: bad})


def test_unknown_family_lists_known_ones():
    with pytest.raises(si.UnknownFamily) as info:
        si.family("nromal")
    message = str(info.value)
    assert "nromal" in message
    for known in ("normal", "poisson", "beta"):
        assert known in message
    assert isinstance(info.value, KeyError)


def test_unknown_parameter_name():
    with pytest.raises(si.InvalidParameter) as info:
        si.family("normal", mean=0)
    assert "mean" in str(info.value)
    assert "mu" in str(info.value) and "sigma" in str(info.value)


def test_kl_normal_exponential_is_infinite():
    d = si.kl(si.family("normal"), si.family("exponential"))
    assert d.status == "infinite"
    assert d.result == sp.oo
    support = [s for s in d.steps if s.rule == "support"]
    assert support and "supp" in support[0].note


def test_builders_reject_non_family_arguments():
    with pytest.raises(si.InvalidParameter):
        si.kl("normal", si.family("normal"))
    with pytest.raises(si.InvalidParameter):
        si.entropy(si.family("normal"), base=1)
    with pytest.raises(si.InvalidParameter):
        si.entropy(si.family("normal"), timeout=-1)


def test_time_budget_gives_timed_out_with_a_budget_step(monkeypatch):
    # no cached derivation or expectation may short-cut the work (names do not matter: every
    # derivation runs on canonical symbols), and the store is off
    from symbolic_info.derive.quantities import clear_cache as clear_derivations
    from symbolic_info.expectation import clear_cache as clear_expectations
    monkeypatch.setenv("SYMBOLIC_INFO_CACHE", "0")
    clear_derivations()
    clear_expectations()
    p = si.family("kumaraswamy", a="a_budget", b="b_budget")
    q = si.family("kumaraswamy", a="a_budget2", b="b_budget2")
    d = si.kl(p, q, timeout=0.01)
    assert d.status == "timed_out"
    assert any(s.kind is StepKind.TIME_BUDGET for s in d.steps), [s.rule for s in d.steps]
    assert "budget" in d.status_text() and "checked" not in d.status_text()
    assert d.result.has(sp.Integral)
    # kept only under its own budget: the same budget returns it, a larger one tries again
    assert si.kl(p, q, timeout=0.01) is d
    member = si.family("gamma", shape="shape_budget", rate="rate_budget")
    assert si.entropy(member, timeout=0.01).status == "timed_out"
    again = si.entropy(member, timeout=30)
    assert again.status == "closed_form", again.status


def test_a_swallowed_alarm_is_repeated():
    """An alarm lost where Python cannot propagate it (a gc callback) is followed by another."""
    import time

    from symbolic_info.budget import _Alarm, time_limit
    from symbolic_info.errors import BudgetExceeded
    start = time.monotonic()
    swallowed = 0
    with pytest.raises(BudgetExceeded):
        with time_limit(0.1):
            while time.monotonic() - start < 5:
                try:
                    while time.monotonic() - start < 5:
                        pass
                except _Alarm:
                    swallowed += 1
                    if swallowed > 1:
                        raise
    assert swallowed == 2 and time.monotonic() - start < 1
