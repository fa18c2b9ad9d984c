"""User families with relations between parameters, and densities that are not densities.

The triangular law on [a, b] with mode c needs a < c < b: with ``relations=[a < c, c < b]``
its entropy derives to 1/2 + log((b - a)/2), the samplers draw only ordered points, the
support argument and the optimisers' domains use the order.  ``from_density`` refuses what is
not a density (negative somewhere, mass not 1, not integrable) with the reason, and
``normalize=True`` divides by the derived mass.  Families are registered inside the tests (not
at import), so the registry-driven suites never enrol them.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from scipy import integrate

import symbolic_info as si
from symbolic_info.families import sample_parameters
from symbolic_info.families import validate as V

x = sp.Symbol("x", real=True)
k = sp.Symbol("k", integer=True, nonnegative=True)
a, b, c = sp.symbols("a b c", real=True)
pos = sp.Symbol("c", positive=True)
t = sp.Symbol("t", positive=True)
TRIANGLE = sp.Piecewise((2 * (x - a) / ((b - a) * (c - a)), x < c),
                        (2 * (b - x) / ((b - a) * (b - c)), True))


@pytest.fixture(scope="module")
def triangular():
    return si.from_density("triangular_abc", TRIANGLE, x, sp.Interval(a, b),
                           relations=[a < c, c < b])


def _points(rng, n=5):
    """Random ordered (a, c, b)."""
    for _ in range(n):
        lo, mode, hi = sorted(rng.uniform(-3, 3, size=3))
        yield {a: lo, c: mode, b: hi}


# --------------------------------------------------------------------------- relations

def test_relations_are_stored_in_the_spec(triangular):
    assert triangular.spec.relations == (a < c, c < b)
    assert triangular.relations() == (a < c, c < b)


def test_triangular_entropy_is_one_half_plus_log_half_width(triangular, rng):
    d = si.entropy(triangular)
    assert d.status == "closed_form", (d.status, d.result)
    known = sp.Rational(1, 2) + sp.log((b - a) / 2)
    delta = sp.simplify(sp.expand_log((d.result - known).subs(b, a + sp.Symbol("w", positive=True)),
                                      force=True))
    assert delta == 0, d.result
    for point in _points(rng):  # and against the defining integral, independently
        p = sp.lambdify(x, TRIANGLE.subs(point), "numpy")
        lo, mode, hi = point[a], point[c], point[b]
        h = sum(integrate.quad(lambda u: -p(u) * math.log(p(u)) if p(u) > 0 else 0.0, s, e)[0]
                for s, e in ((lo, mode), (mode, hi)))
        assert float(d.result.subs(point)) == pytest.approx(h, rel=1e-9)


def test_samplers_respect_the_relations(triangular, rng):
    for _ in range(200):
        point = sample_parameters(triangular, rng)
        assert point[a] < point[c] < point[b]


def test_a_member_breaking_the_relations_is_refused(triangular):
    with pytest.raises(si.InvalidParameter, match="c < b"):
        si.family("triangular_abc", a=0, b=1, c=2)
    assert si.family("triangular_abc", a=0, b=2, c=1).relations() == (sp.true, sp.true)


def test_support_argument_uses_the_relations(triangular):
    # supp U(a, c) = [a, c] lies inside [a, b] because c < b: no "infinite where" case
    d = si.kl(si.family("uniform", a=a, b=c), triangular)
    assert d.status == "closed_form"
    assert not d.result.has(sp.Piecewise) and not d.result.has(sp.oo)
    w, v = sp.symbols("w v", positive=True)  # c = a + w, b = c + v
    known = sp.log(b - a) - sp.log(c - a) - sp.log(2) + 1
    gap = (d.result - known).subs({c: a + w, b: a + w + v})
    assert sp.simplify(sp.expand_log(gap, force=True)) == 0
    verdict = si.RULES.support(si.family("uniform", a=a, b=c), triangular)
    assert verdict.condition == sp.true


def test_without_a_relation_the_support_comparison_stays_conditional():
    # uniform(a, c) and uniform(a, b) state a < c and a < b: nothing orders b and c
    verdict = si.RULES.support(si.family("uniform", a=a, b=c), si.family("uniform", a=a, b=b))
    assert verdict.condition in (sp.Le(c, b), sp.Ge(b, c))


def test_optimiser_domain_uses_the_relations(triangular):
    d = si.kl(si.family("uniform", a=a, b=c), triangular)
    o = si.minimize(d, over=["c"])
    assert "c in Interval.open(a, b)" in o.steps[0].note


@pytest.mark.parametrize("relations, message", [
    ([x < c], "involves the variable x"),
    ([a < sp.Symbol("z")], "involves z, not a parameter"),
    ([a + c], "not an inequality"),
    ([sp.Ne(a, c)], "not an inequality"),
    ([sp.Lt(1, 0)], "false for every parameter value"),
])
def test_bad_relations_are_refused(relations, message):
    with pytest.raises(si.InvalidParameter, match=message):
        si.from_density("bad_relations", TRIANGLE, x, sp.Interval(a, b), relations=relations)


# --------------------------------------------------------------------------- not a density

@pytest.mark.parametrize("density, support, message", [
    (x, sp.Interval(0, 1), r"the density x integrates to 1/2, not 1; pass normalize=True"),
    (2 * x - 1, sp.Interval(0, 1),
     r"2\*x - 1 is negative on part of the support \(e\.g\. -1 at x = 0\)"),
    (1 / x, sp.Interval(1, sp.oo), r"1/x is not integrable on \[1, oo\)"),
    (pos * sp.exp(-x), sp.Interval(0, sp.oo), r"c\*exp\(-x\) integrates to c, not 1"),
    (sp.Piecewise((x, x <= 1), (3 - x, True)), sp.Interval(0, 2), r"integrates to 2, not 1"),
    (t**k / (1 + t) ** k, sp.Range(0, sp.oo), r"the pmf .* sums to t \+ 1, not 1"),
    (sp.Rational(1, 2) - k, sp.FiniteSet(0, 1), r"is negative .* -1/2 at k = 1"),
])
def test_not_a_density_is_refused(density, support, message):
    with pytest.raises(si.InvalidParameter, match=message):
        si.from_density("not_a_density", density, k if density.has(k) else x, support)
    assert "not_a_density" not in si.families()


def test_parameters_outside_the_stated_constraints_make_it_negative():
    lam = sp.Symbol("lam", real=True)  # should have been positive=True
    with pytest.raises(si.InvalidParameter,
                       match=r"is negative .* at x = 0, lam = -.*sympy assumptions"):
        si.from_density("rate_any_sign", lam * sp.exp(-lam * x), x, sp.Interval(0, sp.oo))


def test_a_forgotten_relation_is_pointed_at():
    # without a < c < b the mode may lie outside [a, b]: the mass is then not 1
    with pytest.raises(si.InvalidParameter, match=r"not 1; .* or relations="):
        si.from_density("triangle_unordered", TRIANGLE, x, sp.Interval(a, b))
    with pytest.raises(si.InvalidParameter, match=r"relations \(a < b, b < a\) could be drawn"):
        si.from_density("triangle_contradiction", TRIANGLE, x, sp.Interval(a, b),
                        relations=[a < b, b < a])


def test_the_numerical_path_decides_when_sympy_cannot(monkeypatch):
    monkeypatch.setattr(V, "SYMBOLIC_SECONDS", 0)  # every symbolic attempt is out of budget
    with pytest.raises(si.InvalidParameter, match=r"integrates to 0\.5 at c = .*, not 1"):
        si.from_density("numeric_half", pos * x ** (pos - 1) / 2, x, sp.Interval(0, 1))
    with pytest.raises(si.InvalidParameter, match=r"\[1, oo\) does not converge"):
        si.from_density("numeric_log", 1 / x, x, sp.Interval(1, sp.oo))
    with pytest.raises(si.InvalidParameter, match=r"negative .*-1 at x = 0"):
        si.from_density("numeric_neg", 2 * x - 1, x, sp.Interval(0, 1))
    tri = si.from_density("numeric_tri", TRIANGLE, x, sp.Interval(a, b), relations=[a < c, c < b])
    assert tri.density == TRIANGLE
    geo = si.from_density("numeric_geo", t**k / (1 + t) ** (k + 1), k, sp.Range(0, sp.oo))
    assert geo.parameters == (t,)


def test_normalize_divides_by_the_derived_mass():
    fam = si.from_density("x_normalized", x, x, sp.Interval(0, 1), normalize=True)
    assert sp.simplify(fam.density - 2 * x) == 0
    d = si.entropy(fam)
    assert d.status == "closed_form"
    h, _ = integrate.quad(lambda u: -2 * u * math.log(2 * u) if u > 0 else 0.0, 0, 1)
    assert float(d.result) == pytest.approx(h, rel=1e-10)

    exp_fam = si.from_density("c_exp_normalized", pos * sp.exp(-x), x, sp.Interval(0, sp.oo),
                              normalize=True)
    assert exp_fam.density == sp.exp(-x) and exp_fam.parameters == ()
    assert si.entropy(exp_fam).result == 1


def test_normalize_keeps_parameters_and_relations(rng):
    # (x - a) on [a, b] has mass (b - a)^2 / 2: the normalised family is the right triangle
    fam = si.from_density("ramp", x - a, x, sp.Interval(a, b), relations=[a < b], normalize=True)
    assert sp.simplify(fam.density - 2 * (x - a) / (b - a) ** 2) == 0
    assert fam.relations() == (a < b,)
    for _ in range(3):
        point = sample_parameters(fam, rng)
        mass, _ = integrate.quad(sp.lambdify(x, fam.density.subs(point)), point[a], point[b])
        assert mass == pytest.approx(1, rel=1e-12)


def test_normalize_without_a_closed_form_keeps_the_integral(monkeypatch):
    monkeypatch.setattr(V, "SYMBOLIC_SECONDS", 0)
    fam = si.from_density("numeric_normalized", sp.exp(-x**4), x, sp.Interval(0, sp.oo),
                          normalize=True)
    assert fam.density.has(sp.Integral)
    f = sp.lambdify(x, fam.density.doit())
    assert integrate.quad(f, 0, np.inf)[0] == pytest.approx(1, rel=1e-9)


def test_normalize_refuses_a_density_of_mass_zero_or_infinite():
    with pytest.raises(si.InvalidParameter, match="not integrable"):
        si.from_density("inf_mass", 1 / x, x, sp.Interval(1, sp.oo), normalize=True)
    with pytest.raises(si.InvalidParameter, match="negative"):
        si.from_density("zero_mass", 2 * x - 1, x, sp.Interval(0, 1), normalize=True)


def test_a_valid_density_with_parameters_passes():
    lam = sp.Symbol("lam", positive=True)
    mu = sp.Symbol("mu", real=True)
    fam = si.from_density("laplace_user", lam / 2 * sp.exp(-lam * sp.Abs(x - mu)), x,
                          sp.Interval(-sp.oo, sp.oo))
    assert fam.parameters == (lam, mu)
    assert fam.density == lam / 2 * sp.exp(-lam * sp.Abs(x - mu))
