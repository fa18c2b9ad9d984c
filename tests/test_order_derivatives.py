"""Order derivatives of Bessel functions at ±1/2 (symbolic_info.order_derivatives), which the
inverse Gaussian's E[log x] needs."""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from symbolic_info.order_derivatives import evaluate_order_derivatives


@pytest.mark.parametrize("function", [sp.besseli, sp.besselk])
@pytest.mark.parametrize("order", [sp.Rational(1, 2), -sp.Rational(1, 2)])
@pytest.mark.parametrize("z", [0.05, 0.7, 3.0, 20.0])
def test_order_derivatives_of_bessel_functions(function, order, z):
    """DLMF 10.38.6-7 against mpmath's numerical derivative in the order."""
    nu, w = sp.Symbol("nu"), sp.Symbol("w", positive=True)
    expr = sp.Subs(sp.Derivative(function(nu, w), nu), nu, order)
    value = evaluate_order_derivatives(expr)
    assert not value.has(sp.Subs, sp.Derivative)
    numeric = {sp.besseli: mpmath.besseli, sp.besselk: mpmath.besselk}[function]
    with mpmath.workdps(30):
        want = mpmath.diff(lambda n: numeric(n, z), float(order))
    assert float(value.subs(w, z)) == pytest.approx(float(want), rel=1e-12)


def test_other_subs_are_left_alone():
    nu, w = sp.Symbol("nu"), sp.Symbol("w", positive=True)
    expr = sp.Subs(sp.Derivative(sp.besselj(nu, w), nu), nu, sp.Rational(1, 2))
    assert evaluate_order_derivatives(expr) == expr
