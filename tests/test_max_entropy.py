"""Maximum-entropy densities: the classic examples, the Gibbs bound, bad input and the CLI."""

from __future__ import annotations

import dataclasses

import click
import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner
from scipy import stats as st

from symbolic_info.errors import InvalidParameter
from symbolic_info.optimize.max_entropy import MaxEntropy, max_entropy
from symbolic_info.optimize.max_entropy_cli import register_cli

x = sp.Symbol("x", real=True)
mu = sp.Symbol("mu", real=True)
sigma = sp.Symbol("sigma", positive=True)
b = sp.Symbol("b", positive=True)
m = sp.Symbol("m", positive=True)
ell = sp.Symbol("l", real=True)
k = sp.Symbol("k", integer=True, positive=True)
lo, hi = sp.symbols("a c", real=True)


def _at(expr, values: dict) -> float:
    return float(sp.N(expr.subs(values)))


def _density_matches(d, reference_pdf, params: dict, points) -> None:
    for point in points:
        got = _at(d.density, {**params, x: point})
        assert got == pytest.approx(reference_pdf(point), rel=1e-9, abs=1e-12)


def _is_proof(d) -> None:
    rules = [s.rule for s in d.steps]
    for rule in ("Lagrangian", "stationarity", "normalisation", "Gibbs inequality",
                 "maximum entropy"):
        assert rule in rules
    assert rules[-1] == "maximum entropy"


def _beats(d, params: dict, rivals) -> None:
    """Every rival (a scipy distribution meeting the constraints) has lower entropy."""
    best = _at(d.result, params)
    for rival in rivals:
        assert float(rival.entropy()) < best - 1e-9, rival.dist.name


# -- the examples ---------------------------------------------------------------------------------
def test_uniform_on_symbolic_finite_set():
    d = max_entropy(x, sp.Range(1, k + 1), {})
    assert isinstance(d, MaxEntropy)
    assert d.status == "closed_form"
    assert sp.simplify(d.result - sp.log(k)) == 0
    assert sp.simplify(d.density - 1 / k) == 0
    _is_proof(d)


@pytest.mark.parametrize("support", [sp.Range(1, 6), sp.FiniteSet(1, 2, 3, 4, 5)])
def test_uniform_on_concrete_finite_set(support):
    d = max_entropy(x, support, {})
    assert d.status == "closed_form"
    assert float(d.result) == pytest.approx(np.log(5))
    assert sp.simplify(d.density - sp.Rational(1, 5)) == 0
    rng = np.random.default_rng(0)
    for _ in range(20):  # any other pmf on five points has less entropy
        q = rng.dirichlet(np.ones(5))
        assert -(q * np.log(q)).sum() < float(d.result)


def test_uniform_on_interval():
    d = max_entropy(x, sp.Interval(lo, hi), {})
    assert d.status == "closed_form"
    params = {lo: -1.0, hi: 2.0}
    assert _at(d.result, params) == pytest.approx(np.log(3))
    _density_matches(d, lambda t: 1 / 3, params, [-0.5, 0.0, 1.7])
    _beats(d, params, [st.beta(2, 2, loc=-1, scale=3), st.triang(0.3, loc=-1, scale=3),
                       st.truncnorm(-1, 2, loc=0, scale=1)])
    _is_proof(d)


def test_exponential_on_half_line():
    d = max_entropy(x, sp.Interval(0, sp.oo), {x: mu})
    assert d.status == "closed_form"
    assert sp.simplify(d.result - (1 + sp.log(mu))) == 0
    assert d.conditions.subs(mu, 2) == sp.true and d.conditions.subs(mu, -2) == sp.false
    params = {mu: 1.7}
    _density_matches(d, st.expon(scale=1.7).pdf, params, [0.0, 0.3, 2.5, 9.0])
    _beats(d, params, [st.gamma(2, scale=1.7 / 2), st.gamma(0.7, scale=1.7 / 0.7),
                       st.uniform(0, 3.4), st.halfnorm(scale=1.7 * np.sqrt(np.pi / 2)),
                       st.lognorm(0.8, scale=1.7 * np.exp(-0.32))])
    _is_proof(d)


def test_normal_on_the_line():
    d = max_entropy(x, sp.Reals, {x: mu, (x - mu) ** 2: sigma**2})
    assert d.status == "closed_form"
    assert sp.simplify(d.result - sp.log(2 * sp.pi * sp.E * sigma**2) / 2) == 0
    params = {mu: 0.4, sigma: 1.3}
    _density_matches(d, st.norm(0.4, 1.3).pdf, params, [-3.0, 0.0, 0.4, 2.2])
    s = 1.3
    _beats(d, params, [st.laplace(0.4, s / np.sqrt(2)), st.uniform(0.4 - s * np.sqrt(3),
                                                                  2 * s * np.sqrt(3)),
                       st.logistic(0.4, s * np.sqrt(3) / np.pi),
                       st.t(5, loc=0.4, scale=s * np.sqrt(3 / 5))])
    _is_proof(d)


def test_laplace_from_mean_absolute_deviation():
    d = max_entropy(x, sp.Reals, {sp.Abs(x - mu): b})
    assert d.status == "closed_form"
    assert sp.simplify(d.result - (1 + sp.log(2 * b))) == 0
    params = {mu: -0.5, b: 0.8}
    _density_matches(d, st.laplace(-0.5, 0.8).pdf, params, [-4.0, -0.5, 0.1, 3.0])
    _beats(d, params, [st.norm(-0.5, 0.8 * np.sqrt(np.pi / 2)), st.uniform(-0.5 - 1.6, 3.2),
                       st.logistic(-0.5, 0.8 / (2 * np.log(2)))])
    _is_proof(d)


def test_gamma_has_no_closed_form_multipliers():
    d = max_entropy(x, sp.Interval.open(0, sp.oo), {x: m, sp.log(x): ell})
    assert d.status == "no_closed_form"
    assert len(d.equations) == 1
    (equation,) = d.equations
    assert equation.has(sp.polygamma) or equation.has(sp.digamma)
    kappa = next(s for s in equation.free_symbols if s.name.startswith("kappa"))
    # a gamma(shape 2.5, scale 0.6) has these moments; its shape solves the equation
    shape, scale = 2.5, 0.6
    params = {m: shape * scale, ell: float(sp.N(sp.digamma(shape))) + np.log(scale)}
    assert _at(equation.lhs - equation.rhs, {**params, kappa: shape}) == pytest.approx(0, abs=1e-9)
    at_root = {**params, kappa: shape}
    _density_matches(d, st.gamma(shape, scale=scale).pdf, at_root, [0.2, 1.0, 3.0])
    assert _at(d.result, at_root) == pytest.approx(float(st.gamma(shape, scale=scale).entropy()))
    # a rival with the same E[X] and E[log X]: the log-normal
    s2 = 2 * (np.log(params[m]) - params[ell])  # lognormal: E log X = M, E X = exp(M + s2/2)
    rival = st.lognorm(np.sqrt(s2), scale=np.exp(params[ell]))
    assert float(rival.entropy()) < _at(d.result, at_root)
    _is_proof(d)


def test_geometric_on_the_naturals():
    d = max_entropy(x, sp.Range(0, sp.oo), {x: 3})
    assert d.status == "closed_form"
    assert float(d.result) == pytest.approx(float(st.geom(0.25, loc=-1).entropy()))
    assert _at(d.density, {x: 2}) == pytest.approx(st.geom(0.25, loc=-1).pmf(2))


def test_unbounded_entropy_is_infinite():
    d = max_entropy(x, sp.Reals, {x: mu})
    assert d.status == "infinite" and d.result == sp.oo and d.density is None


def test_record_is_frozen():
    d = max_entropy(x, sp.Interval(0, 1), {})
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.result = sp.S.Zero


# -- bad input ------------------------------------------------------------------------------------
@pytest.mark.parametrize("support, constraints, message", [
    (sp.Reals, {x: mu, (x - mu) ** 2: -1}, "no density"),
    (sp.Interval(0, sp.oo), {x: -2}, "no density"),
    (sp.Interval(0, 1), {x: 2}, "no density"),
    (sp.Reals, {sp.sin(x): 0}, "unsupported statistic"),
    (sp.Reals, {mu: 1}, "unsupported statistic"),
    (sp.Union(sp.Interval(0, 1), sp.Interval(2, 3)), {}, "support must be"),
    (sp.Interval(0, 1), [x], "constraints must map"),
    (sp.Interval(0, 1), {x: sp.I}, "finite real"),
    (sp.Interval(0, 1), {x: sp.oo}, "finite real"),
])
def test_bad_input(support, constraints, message):
    with pytest.raises(InvalidParameter, match=message):
        max_entropy(x, support, constraints)


# -- command line ---------------------------------------------------------------------------------
@pytest.fixture
def group():
    @click.group()
    def top() -> None:
        pass
    register_cli(top)
    return top


def test_cli_exponential(group):
    out = CliRunner().invoke(group, ["max-entropy", "--support", "[0, oo)", "--constraint",
                                     "x=mu"])
    assert out.exit_code == 0, out.output
    assert "exp(-x/mu)/mu" in out.output and "closed_form" in out.output


def test_cli_normal_json(group):
    import json
    out = CliRunner().invoke(group, ["max-entropy", "--support", "R", "--constraint", "x=mu",
                                     "--constraint", "(x-mu)**2=sigma**2", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["status"] == "closed_form" and "sigma" in data["result"]


def test_cli_bad_support(group):
    out = CliRunner().invoke(group, ["max-entropy", "--support", "nowhere"])
    assert out.exit_code != 0
    assert isinstance(out.exception, InvalidParameter)


# -- random feasible densities --------------------------------------------------------------------
def test_random_feasible_densities_have_lower_entropy():
    """Random members of other families, scaled to meet the constraints, never beat p*."""
    rng = np.random.default_rng(11)
    expo = max_entropy(x, sp.Interval(0, sp.oo), {x: mu})
    normal = max_entropy(x, sp.Reals, {x: mu, (x - mu) ** 2: sigma**2})
    laplace = max_entropy(x, sp.Reals, {sp.Abs(x - mu): b})
    box = max_entropy(x, sp.Interval(lo, hi), {})
    for _ in range(25):
        m_, s_, a_ = rng.uniform(0.3, 3), rng.uniform(0.3, 3), rng.uniform(-2, 2)
        shape, beta = rng.uniform(0.2, 6), rng.uniform(0.5, 6)
        if abs(shape - 1) > 1e-3:  # gamma and Weibull with mean m_
            rivals = [st.gamma(shape, scale=m_ / shape),
                      st.weibull_min(shape, scale=m_ / float(sp.gamma(1 + 1 / shape)))]
            _beats(expo, {mu: m_}, rivals)
        if abs(beta - 2) > 1e-3:  # generalised normal with variance s_**2
            scale = s_ * np.sqrt(float(sp.gamma(1 / beta) / sp.gamma(3 / beta)))
            df = rng.uniform(2.5, 30)
            _beats(normal, {mu: a_, sigma: s_},
                   [st.gennorm(beta, loc=a_, scale=scale),
                    st.t(df, loc=a_, scale=s_ * np.sqrt((df - 2) / df))])
        if abs(beta - 1) > 1e-3:  # generalised normal with E|X - mu| = m_
            scale = m_ * float(sp.gamma(1 / beta) / sp.gamma(2 / beta))
            _beats(laplace, {mu: a_, b: m_}, [st.gennorm(beta, loc=a_, scale=scale)])
        pa, pb = rng.uniform(0.3, 5, size=2)
        if abs(pa - 1) + abs(pb - 1) > 1e-3:
            _beats(box, {lo: a_, hi: a_ + s_}, [st.beta(pa, pb, loc=a_, scale=s_)])
