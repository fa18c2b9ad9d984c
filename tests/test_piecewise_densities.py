"""Piecewise densities: the log of a piecewise density is piecewise, and a piece condition that
holds on the whole range of integration is resolved before integrating.

The asymmetric Laplace's same-family KL used to sit at its strategies' CPU caps (the statistic
log(Piecewise(exp(...))) sent "tilting" through 15 s of sympy and left "integration" a second of
pool); with linear pieces it closes with margin.  Cross-checked against scipy and quadrature.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from scipy import integrate, stats

import symbolic_info as si
from symbolic_info.integration import integrate_split
from symbolic_info.measure import linear_terms, log_of_pieces

x = sp.Symbol("x", real=True)
a, c = sp.symbols("a c", real=True)
m, b = sp.Symbol("m", real=True), sp.Symbol("b", positive=True)


def test_log_of_pieces_is_piecewise_with_each_log_expanded():
    pw = sp.Piecewise((sp.exp((x - m) / b), x < m), (sp.exp(-(x - m) / b), True))
    pieces = log_of_pieces(sp.log(pw), x)
    assert isinstance(pieces, sp.Piecewise)
    assert [sp.simplify(v) for v, _ in pieces.args] == [(x - m) / b, -(x - m) / b]
    for value in (-1.5, 0.3, 2.0):  # the same function
        at = {x: value, m: 0.25, b: 1.5}
        assert abs(float(pieces.subs(at)) - float(sp.log(pw).subs(at))) < 1e-14


def test_log_of_pieces_keeps_a_zero_piece_and_logs_of_lines_whole():
    pw = sp.Piecewise((sp.exp(x), x > 0), (0, True))
    assert log_of_pieces(sp.log(pw), x) == sp.log(pw)
    triangle = sp.Piecewise((x, x <= 1), (2 - x, True))  # log x, log(2 - x): tilting's case
    assert log_of_pieces(sp.log(triangle), x) == sp.log(triangle)


def test_linear_terms_of_a_piecewise_log_density_are_piecewise_linear():
    density = sp.Piecewise((sp.exp((x - m) / b), x < m), (sp.exp(-(x - m) / b), True)) / (2 * b)
    terms = dict((s, c_) for c_, s in linear_terms(sp.log(density), x))
    statistics = [s for s in terms if s != 1]
    assert len(statistics) == 1 and isinstance(statistics[0], sp.Piecewise)
    assert all(v.is_polynomial(x) and sp.degree(v, x) == 1 for v, _ in statistics[0].args)


def test_a_piece_condition_at_an_end_is_resolved_before_integrating():
    # on (a, c) the condition x < c always holds: the first piece, integrated alone
    pw = sp.Piecewise((sp.log(x - a), x < c), (sp.log(2 * c - x - a), True))
    value = integrate_split(pw, x, a, c)
    assert not value.has(sp.Integral, sp.Piecewise)
    numeric = integrate.quad(lambda t: np.log(t - 0.5), 0.5, 2.0)[0]
    assert abs(float(value.subs({a: 0.5, c: 2.0})) - numeric) < 1e-10


def test_kl_uniform_inside_a_triangle_closes():
    a_, b_, c_ = sp.symbols("a b c", real=True)
    tri = si.family("triangular", a=a_, b=b_, c=c_)
    d = si.kl(si.family("uniform", a=a_, b=c_), tri)
    assert d.status == "closed_form"
    at = {a_: 0.0, c_: 1.0, b_: 3.0}
    ref = integrate.quad(lambda t: np.log(1.0 / stats.triang(1 / 3, loc=0, scale=3).pdf(t)),
                         0.0, 1.0)[0]
    assert abs(float(d.result.subs(at)) - ref) < 1e-9


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_asymmetric_laplace_kl_closes_and_matches_scipy(seed):
    p, q = si.pair("asymmetric_laplace", "asymmetric_laplace")
    d = si.kl(p, q)
    assert d.status == "closed_form", d.status
    rng = np.random.default_rng(seed)
    mu1, mu2 = rng.normal(size=2)
    b1, b2, k1, k2 = rng.uniform(0.4, 2.5, size=4)
    values = dict(zip(p.values, (mu1, b1, k1))) | dict(zip(q.values, (mu2, b2, k2)))
    got = float(d.result.subs({s: sp.Float(v, 30) for s, v in values.items()}))
    P = stats.laplace_asymmetric(k1, loc=mu1, scale=b1)
    Q = stats.laplace_asymmetric(k2, loc=mu2, scale=b2)
    pieces = sorted({mu1, mu2})
    ref = sum(integrate.quad(lambda t: P.pdf(t) * (P.logpdf(t) - Q.logpdf(t)), lo, hi,
                             epsabs=1e-13, epsrel=1e-12)[0]
              for lo, hi in zip([-np.inf] + pieces, pieces + [np.inf]))
    assert abs(got - ref) < 1e-8 * max(1.0, abs(ref))
