"""Textbook symbols: each family's conventional symbols (gamma α, β; Weibull k, λ; ...) as the
defaults of ``si.family``, ``si.pair`` and the command line, and the warning when two members
coincide only because both took those defaults."""

from __future__ import annotations

import warnings

import pytest
import sympy as sp

import symbolic_info as si
from symbolic_info.cli import parse_member, run
from symbolic_info.families import BUILTIN_FAMILIES, get_spec
from symbolic_info.families.registry import factory_families
from symbolic_info.render.symbols import symbol_latex

SCALAR_SPECS = [n for n in BUILTIN_FAMILIES if n not in factory_families()]


@pytest.mark.parametrize("name, symbols", [
    ("normal", ("mu", "sigma")), ("gamma", ("alpha", "beta")), ("beta", ("alpha", "beta")),
    ("exponential", ("lam",)), ("weibull", ("k", "lam")), ("pareto", ("x_m", "alpha")),
    ("poisson", ("lam",)), ("laplace", ("mu", "b")),
])
def test_family_takes_its_conventional_symbols(name, symbols):
    member = si.family(name)
    assert tuple(s.name for s in member.values) == symbols
    assert tuple(member.params) == get_spec(name).param_names  # keywords unchanged


@pytest.mark.parametrize("name", SCALAR_SPECS)
def test_every_default_symbol_prints_as_a_letter(name):
    """No built-in default prints as an italic word (``\\mathit{shape}``)."""
    for value in si.family(name).values:
        assert r"\mathit" not in symbol_latex(value.name), (name, value)
    for value in si.pair(name)[1].values:
        assert r"\mathit" not in symbol_latex(value.name), (name, value)


def test_keywords_stay_and_symbols_keep_their_constraints():
    member = si.family("gamma", shape=2)
    assert member.params["shape"] == 2 and member.params["rate"].name == "beta"
    assert member.params["rate"].is_positive


def test_scale_parameterisation_takes_k_and_theta():
    member = si.family("gamma", scale="theta")
    assert member.params["shape"].name == "k"
    assert sp.simplify(member.params["rate"] - 1 / sp.Symbol("theta", positive=True)) == 0
    assert parse_member("gamma:scale=theta_2", 2).params["shape"].name == "k_2"


def test_pair_subscripts_one_and_two():
    p, q = si.pair("gamma")
    assert [s.name for s in p.values] == ["alpha_1", "beta_1"]
    assert [s.name for s in q.values] == ["alpha_2", "beta_2"]
    p, q = si.pair("normal", "laplace", q_params={"mu": 0})
    assert p.label() == "normal(mu=mu_1, sigma=sigma_1)"
    assert q.label() == "laplace(mu=0, b=b_2)"
    p, q = si.pair("categorical")
    assert [s.name for s in q.values] == ["q_1", "q_2", "q_3"]


@pytest.mark.parametrize("name", ["gamma", "normal", "beta", "categorical", "weibull"])
def test_cli_members_are_the_pair(name):
    assert (parse_member(name, 1), parse_member(name, 2)) == si.pair(name)


def test_pair_kl_is_not_zero_and_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = si.kl(*si.pair("normal"))
    assert d.result != 0 and {s.name for s in d.parameters} == {
        "mu_1", "sigma_1", "mu_2", "sigma_2"}


@pytest.mark.parametrize("builder, extra", [
    (si.kl, ()), (si.cross_entropy, ()), (si.renyi_divergence, (2,)),
    (si.total_variation, ()), (si.hellinger, ())])
def test_default_collision_warns_and_says_how_to_fix(builder, extra):
    with pytest.warns(UserWarning, match=r"pair\('normal', 'normal'\)") as record:
        builder(si.family("normal"), si.family("normal"), *extra)
    message = str(record[0].message)
    assert "default symbols" in message and "sigma_2" in message
    assert record[0].filename == __file__  # points at the user's call


def test_partial_default_collision_warns_about_the_defaulted_parameter():
    with pytest.warns(UserWarning, match="sigma=sigma"):
        si.kl(si.family("normal", mu=0), si.family("normal", mu=0))


@pytest.mark.parametrize("p, q", [
    # one member passed twice: KL(P || P) = 0 is what was asked
    pytest.param(*([si.family("normal")] * 2), id="same object"),
    # both named explicitly: the user chose the same symbols
    pytest.param(si.family("normal", mu="m", sigma="s"), si.family("normal", mu="m", sigma="s"),
                 id="explicit names"),
    # defaults of different families, or defaults that differ
    pytest.param(si.family("gamma"), si.family("exponential"), id="different families"),
    pytest.param(si.family("normal", mu=0), si.family("normal", mu=1), id="different values"),
])
def test_no_warning_when_the_sameness_was_asked_for(p, q):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        si.kl(p, q)


def test_cli_latex_uses_the_textbook_symbols(capsys):
    assert run(["derive", "kl", "gamma", "gamma", "--latex"]) == 0
    out = capsys.readouterr().out
    assert r"\alpha_{1}" in out and r"\beta_{2}" in out and r"\mathit" not in out
