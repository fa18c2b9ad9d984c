"""The log-Cauchy family (X = e^Y, Y ~ Cauchy(mu, sigma)) and the status "undefined".

Its density integrates to 1 (heavy tails 1/(x log^2 x) at 0 and at oo, integrated in u = log x);
its differential entropy h(Y) + E[Y] and its cross-entropy have no value (E[log X] = E[Y]
has E[Y+] = E[Y-] = oo), so the engine says "undefined" with the reason as a step, never a
number, oo or "no closed form"; the same-family KL is the Cauchy KL (the log x terms cancel).

Seeds and tolerances: points are drawn by a generator seeded per test (``conftest.rng``);
references integrate in u = log x with scipy's Cauchy density (relative 1e-9).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import reference as R
import sympy as sp
from scipy import integrate, stats

import symbolic_info as si
from symbolic_info.cli import run
from symbolic_info.derive.derivation import StepKind
from symbolic_info.expectation import tail_expectation, undefined_expectation
from symbolic_info.families.validate import checked_density
from symbolic_info.measure import Measure
from symbolic_info.quadrature import log_integrand, quad
from symbolic_info.render.json import derivation_to_dict


def _density(mu: float, sigma: float):
    """The log-Cauchy density by change of variables: scipy's Cauchy density of log x over x."""
    law = stats.cauchy(loc=mu, scale=sigma)
    return lambda x: law.pdf(math.log(x)) / x if x > 0 else 0.0


def _cauchy_kl(m1, s1, m2, s2):
    return sp.log(((s1 + s2) ** 2 + (m1 - m2) ** 2) / (4 * s1 * s2))


def test_density_integrates_to_one(rng):
    p = si.family("log_cauchy")
    for _ in range(3):
        point = R.sample_point(rng, p)
        mu, sigma = (float(v) for v in point.values())
        density = p.density.xreplace(R.exact(point))
        f = sp.lambdify(p.variable, density, modules="numpy")
        # the engine's quadrature: scipy quad, and in u = log x (substituted symbolically),
        # which decides where they disagree (quad alone stops short of the tails' mass)
        value, converged = quad(lambda x: f(x) if x > 0 else 0.0, 0.0, math.inf,
                                logged=log_integrand(density, p.variable)())
        assert converged and abs(value - 1) < 1e-9, (point, value)
        # the density is scipy's exp(Cauchy) by change of variables
        for x in (1e-30, 0.01, 0.7, 1.0, 3.0, 1e5, 1e30):
            assert f(x) == pytest.approx(_density(mu, sigma)(x), rel=1e-12)


def test_validation_accepts_the_density():
    """The density check of from_density families (symbolic, else numerical quadrature over
    (0, oo), which needs the log variable here) passes the family's members."""
    member = si.family("log_cauchy", mu=sp.Rational(3, 10), sigma=sp.Rational(17, 10))
    assert checked_density(member) is member.density
    assert checked_density(si.family("log_cauchy")) is not None


def test_entropy_is_undefined():
    d = si.entropy(si.family("log_cauchy"))
    assert d.status == "undefined"
    assert d.result is sp.nan
    kinds = [s.kind for s in d.steps]
    assert StepKind.UNDEFINED in kinds
    reason = [s for s in d.steps if s.kind is StepKind.UNDEFINED]
    # E[log x] has no value, named with both of its divergent tails
    assert any(s.expr.has(sp.log) and s.expr.func.__name__ == "E"
               and "E[s+] = E[s-] = oo" in s.note for s in reason)
    assert "+oo" in reason[0].note and "-oo" in reason[0].note
    assert d.status_text().startswith("undefined: ")
    assert not d.checked
    assert d.conditions == sp.true


def test_undefined_is_rendered_and_not_evaluated():
    d = si.entropy(si.family("log_cauchy"))
    text = str(d)
    assert "undefined" in text and "nan" in text
    tex = d.latex()
    assert r"\text{undefined}" in tex
    data = derivation_to_dict(d)
    assert data["status"] == "undefined" and data["result"] == "nan"
    assert any(step["rule"] == "undefined" for step in data["steps"])
    f = d.lambdify()
    assert math.isnan(f(0.5, 1.2))
    values = f(np.array([0.0, 1.0]), np.array([1.0, 2.0]))
    assert values.shape == (2,) and np.isnan(values).all()
    import mpmath
    assert mpmath.isnan(d.lambdify("mpmath")(0.5, 1.2))
    report = si.cross_validate(d, n=3)
    assert not report.ok and report.status == "undefined" and not report.points
    assert "undefined" in str(report)
    bits = si.entropy(si.family("log_cauchy"), base=2)
    assert bits.status == "undefined" and bits.result is sp.nan
    assert not any(s.kind is StepKind.CHANGE_OF_BASE for s in bits.steps)


def test_cross_entropy_is_undefined():
    d = si.cross_entropy(*si.pair("log_cauchy"))
    assert d.status == "undefined" and d.result is sp.nan
    assert any(s.kind is StepKind.UNDEFINED and s.expr is sp.nan for s in d.steps)


def test_kl_is_the_cauchy_kl(rng):
    p, q = si.pair("log_cauchy")
    d = si.kl(p, q)
    assert d.status in ("closed_form", "timed_out"), (d.status, d.result)
    m1, s1, m2, s2 = d.parameters
    expected = _cauchy_kl(m1, s1, m2, s2)
    if d.status == "closed_form":
        assert d.checked
        assert sp.simplify(d.result - expected) == 0, d.result
    f = d.lambdify()
    for _ in range(4):
        point = R.sample_point(rng, p, q)
        a, b, c, e = (float(point[s]) for s in (m1, s1, m2, s2))
        pdf_p, pdf_q = stats.cauchy(loc=a, scale=b).pdf, stats.cauchy(loc=c, scale=e).pdf
        # KL in u = log x: the Jacobians cancel in log(p/q)
        ref = integrate.quad(lambda u: pdf_p(u) * math.log(pdf_p(u) / pdf_q(u)), -np.inf,
                             np.inf, epsabs=1e-13, epsrel=1e-12, limit=400)[0]
        assert abs(float(f(a, b, c, e)) - ref) <= 1e-8 * max(1.0, abs(ref)), (point, ref)
        assert abs(float(expected.subs({m1: a, s1: b, m2: c, s2: e})) - ref) < 1e-8


def test_undefined_expectation_tests_the_tails():
    """E[x] of a Cauchy has no value; E[x] of a normal and E[log x] of a log-normal do."""
    x = sp.Dummy("x", real=True)
    x0, g = sp.Symbol("x0", real=True), sp.Symbol("g", positive=True)
    cauchy = Measure(g / (sp.pi * ((x - x0) ** 2 + g**2)), x, sp.Interval(-sp.oo, sp.oo))
    found = undefined_expectation(cauchy, x)
    assert found is not None and found.undefined and found.value is sp.nan
    assert undefined_expectation(cauchy, x**2) is None  # +oo at both ends: not undefined
    m, s = sp.Symbol("m", real=True), sp.Symbol("s", positive=True)
    normal = Measure(sp.exp(-(x - m) ** 2 / (2 * s**2)) / (sp.sqrt(2 * sp.pi) * s), x,
                     sp.Interval(-sp.oo, sp.oo))
    assert undefined_expectation(normal, x) is None
    y = sp.Dummy("y", positive=True)
    lognormal = Measure(sp.exp(-(sp.log(y) - m) ** 2 / (2 * s**2))
                        / (y * sp.sqrt(2 * sp.pi) * s), y, sp.Interval(0, sp.oo))
    assert undefined_expectation(lognormal, sp.log(y)) is None


def test_tail_expectation_finds_infinite_expectations():
    """E[x^2] of a Cauchy is +oo (both tails to +oo), E[-x^2] -oo; E[x] has no value; E[x] of a
    log-Cauchy is +oo (its tail at 0 converges: t log t g(t) -> 0 there)."""
    x = sp.Dummy("x", real=True)
    x0, g = sp.Symbol("x0", real=True), sp.Symbol("g", positive=True)
    cauchy = Measure(g / (sp.pi * ((x - x0) ** 2 + g**2)), x, sp.Interval(-sp.oo, sp.oo))
    assert tail_expectation(cauchy, x**2).value == sp.oo
    assert tail_expectation(cauchy, -x**2).value == -sp.oo
    assert tail_expectation(cauchy, x).undefined
    y = sp.Dummy("y", positive=True)
    log_cauchy = si.family("log_cauchy")
    m = Measure(log_cauchy.density.xreplace({log_cauchy.variable: y}), y, sp.Interval(0, sp.oo))
    found = tail_expectation(m, y)
    assert found.value == sp.oo and found.closed and "diverges to +oo" in found.method
    # a statistic whose tail at 0 goes to -oo where its sign depends on a parameter: undecided
    k = sp.Symbol("k", positive=True)
    assert tail_expectation(m, (k - 1) * sp.log(y) + y) is None


@pytest.mark.parametrize("q_name", ["rayleigh", "lognormal", "exponential", "half_normal"])
def test_cross_entropy_against_positive_families_is_infinite(q_name):
    """H(log-Cauchy, Q) = -E[log q(X)]: for these Q the integrand diverges to +oo at 0 or at oo
    and nowhere to -oo (E[X] = oo; E[log X] alone has no value), so H(P, Q) = +oo, with the
    tail as a step; the defining integral in u = log x, cut at |u| = U, grows without bound."""
    p, q = R.member("log_cauchy", "1"), R.member(q_name, "2")
    d = si.cross_entropy(p, q)
    assert d.status == "infinite" and d.result == sp.oo, (d.status, d.result)
    assert any(step.kind is StepKind.DIVERGENCE for step in d.steps)
    # H(P) has no value here, so H(P, Q) = H(P) + KL is no reason: the tails are
    assert not any("H(P) + D_KL" in step.note for step in d.steps), d.steps[-1].note
    point = {s: 0.7 for s in d.parameters}
    minus_log_q = sp.expand_log(-sp.log(q.density.xreplace({q.variable: p.variable})),
                                force=True)
    body = sp.lambdify(p.variable, (minus_log_q * p.density).xreplace(
        {s: sp.Float(v) for s, v in point.items()}))
    cut = [integrate.quad(lambda u: math.exp(u) * body(math.exp(u)), -c, c, limit=400)[0]
           for c in (10.0, 50.0, 150.0)]
    assert cut[0] < cut[1] < cut[2] and cut[2] - cut[1] > 0.1, cut


def test_an_undefined_component_makes_a_product_undefined():
    d = si.entropy(si.independent(si.family("log_cauchy"), si.family("normal")))
    assert d.status == "undefined" and d.result is sp.nan
    assert d.status_text().startswith("undefined")


def test_cli_prints_the_undefined_outcome(capsys):
    code = run(["derive", "entropy", "log_cauchy"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in out + err
    assert "undefined" in out
    assert not any(line.lstrip().startswith("value") for line in out.splitlines())
    code = run(["derive", "entropy", "log_cauchy:mu=0,sigma=1", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    import json
    data = json.loads(out)
    assert data["status"] == "undefined" and "value" not in data
    code = run(["derive", "entropy", "log_cauchy", "--latex"])
    out, err = capsys.readouterr()
    assert code == 0 and r"\text{undefined}" in out, err


@pytest.mark.parametrize("q_name", ["lognormal", "gamma", "exponential", "weibull", "pareto",
                                    "half_cauchy", "log_logistic"])
@pytest.mark.slow
def test_kl_against_positive_families(q_name, rng):
    """KL(log-Cauchy || Q): whatever the engine derives, checked at random points against
    integration in u = log x (infinite where that integral diverges)."""
    p, q = R.member("log_cauchy", "1"), R.member(q_name, "2")
    d = si.kl(p, q)
    assert d.status != "undefined"  # a KL is never undefined: its negative part is integrable
    f = d.lambdify()
    for _ in range(2):
        point = R.sample_point(rng, p, q)
        reference = R.defining_value("kl", p, q, point)
        value = float(f(**{s.name: v for s, v in point.items()}))
        if math.isinf(reference):
            assert value == math.inf, (d.status, d.result, point)
        else:
            assert abs(value - reference) <= 1e-6 * max(1.0, abs(reference)), (
                d.status, point, value, reference)


def test_undefined_survives_the_store():
    from symbolic_info.derive.quantities import clear_cache
    first = si.entropy(si.family("log_cauchy"))
    clear_cache()  # memory only: the session's store still holds it
    again = si.entropy(si.family("log_cauchy"))
    assert again is not first and again.status == "undefined" and again.result == sp.nan
    assert again.steps == first.steps


def test_verify_refuses_any_value_of_an_undefined_quantity():
    d = si.entropy(si.family("log_cauchy"))
    verdict = si.verify("log(4*pi*sigma)", d)
    assert not verdict.holds and "undefined" in verdict.method


def test_atlas_shows_the_undefined_cell(monkeypatch, tmp_path):
    monkeypatch.setenv("SYMBOLIC_INFO_CACHE", str(tmp_path / "store"))
    atlas = si.atlas(["log_cauchy"], ("entropy", "kl"), timeout=30, progress=False, jobs=1)
    cell = atlas.cell("entropy", "log_cauchy")
    assert cell.status == "undefined" and cell.reason.startswith("undefined")
    assert atlas.counts("entropy") == {"undefined": 1}
    assert atlas.cell("kl", "log_cauchy", "log_cauchy").status == "closed_form"
    index = atlas.to_html(tmp_path / "site")
    html = index.read_text()
    assert 'class="undefined"' in html and "∄" in html
    tex = atlas.to_latex(tmp_path / "atlas.tex").read_text()
    assert r"\section{Undefined}" in tex and "U undefined" in tex


def test_a_symbolic_limit_refuted_at_an_instance_claims_no_divergence():
    """sympy's lim t log t g(t) for E log(1 + (x/a2)^b2) under the log-logistic is oo with
    symbolic exponents, though every instance gives 0 (the expectation is finite: the KL
    log-logistic -> log-logistic was "infinite"). The claim is checked at the sampled point."""
    p = si.family("log_logistic", alpha="a1", beta="b1")
    a2, b2 = sp.Symbol("a2", positive=True), sp.Symbol("b2", positive=True)
    x = sp.Dummy("x", positive=True)
    m = Measure(p.density_at(x), x, p.support_at(x),
                lambda rng: {**dict(zip(p.parameters, rng.uniform(0.05, 3, 2)))})
    statistic = sp.log(x**b2 / a2**b2 + 1)
    assert tail_expectation(m, statistic, np.random.default_rng(5)) is None
    # the value is finite: quadrature at a point
    point = {p.parameters[0]: 1.5, p.parameters[1]: 0.8, a2: 2.0, b2: 3.0}
    body = (statistic * m.density).xreplace(point)
    value, _ = quad(sp.lambdify(x, body, "numpy"), 0, np.inf, logged=log_integrand(body, x)())
    assert np.isfinite(value) and value > 0
