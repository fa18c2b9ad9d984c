"""A finite support [lo, hi] standardised to [0, 1] (symbolic_info.strategies): u = (x - lo)/
(hi - lo), the statistic's linear factors rescaled, then the strategies under the push-forward;
and logs split through the positive gaps of ordering relations (expectation.tidy)."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp
from scipy import stats

import symbolic_info as si
from symbolic_info.budget import Budget
from symbolic_info.expectation import clear_cache, expect, tidy
from symbolic_info.families.spec import sample_parameters
from symbolic_info.measure import Measure


def _arcsine_measure():
    p = si.family("arcsine", a="a", b="b")
    x = sp.Dummy("x", real=True)
    return p, x, Measure(p.density_at(x), x, p.support_at(x),
                         lambda rng: sample_parameters(p, rng), p.relations())


@pytest.mark.parametrize("end", ["lower", "upper"])
def test_log_distance_to_an_end_under_the_arcsine_law(end):
    """E log(x - a) = E log(b - x) = log((b - a)/4): tilting the Beta(1/2, 1/2) after
    standardising (sympy's integrators do not close the integral over [a, b])."""
    p, x, m = _arcsine_measure()
    a, b = p.parameters
    statistic = sp.log(x - a) if end == "lower" else sp.log(b - x)
    clear_cache()
    found = expect(m, statistic, Budget(30.0))
    assert found.closed, found
    assert sp.simplify(found.value - sp.log((b - a) / 4)) == 0
    # independently: mpmath quadrature at 30 digits at a point
    with mpmath.workdps(30):
        lo, hi = mpmath.mpf("-0.7"), mpmath.mpf("2.3")
        f = (lambda t: mpmath.log(t - lo)) if end == "lower" else (lambda t: mpmath.log(hi - t))
        numeric = mpmath.quad(lambda t: f(t) / (mpmath.pi * mpmath.sqrt((t - lo) * (hi - t))),
                              [lo, hi])
        assert abs(numeric - mpmath.log((hi - lo) / 4)) < mpmath.mpf(10) ** -12


def test_arcsine_entropy_is_closed_and_matches_scipy():
    d = si.entropy(si.family("arcsine", a="a", b="b"))
    assert d.status == "closed_form", d.status_text()
    a, b = d.parameters
    assert sp.simplify(d.result - sp.log(sp.pi * (b - a) / 4)) == 0
    f = d.lambdify()
    for lo, hi in [(-1.3, 0.4), (2.0, 7.5), (0.0, 1e-3)]:
        assert f(lo, hi) == pytest.approx(stats.arcsine(loc=lo, scale=hi - lo).entropy(),
                                          rel=1e-12)


def test_logs_whose_coefficients_cancel_collapse_under_the_relations():
    """The triangular entropy as the integration route leaves it (a sum of logs with rational
    coefficients that cancel to 1/2 + log((b - a)/2)): split through a < c < b."""
    a, b, c = sp.symbols("a b c", real=True)
    messy = (a * b * sp.log(-2 / (a - b)) + a * c * (-sp.log(-1 / (a - b)) - sp.log(2))
             + b ** 2 * (-sp.log(1 / ((a - b) * (c - b))) - sp.log(b - c) - sp.log(2))
             + b * c * sp.log(-2 / (a - b))) / (-a * b + a * c + b ** 2 - b * c) + sp.S.Half
    tidied = tidy(messy, (a < c, c < b))
    assert sp.count_ops(tidied) < 8, tidied
    rng = np.random.default_rng(3)
    for _ in range(5):
        lo, mode, hi = np.sort(rng.uniform(-3, 3, 3))
        point = {a: lo, b: hi, c: mode}
        assert float(tidied.xreplace(point)) == pytest.approx(
            float(sp.re(messy.xreplace(point).evalf(30))), rel=1e-12)
        assert float(tidied.xreplace(point)) == pytest.approx(
            stats.triang((mode - lo) / (hi - lo), loc=lo, scale=hi - lo).entropy(), rel=1e-12)
