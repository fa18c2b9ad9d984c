r"""Derivatives of Bessel functions with respect to their order, where they are elementary.

Tilting a density whose normaliser is a Bessel function of order :math:`t - 1/2` (the inverse
Gaussian's :math:`\int p\,x^t` is one) leaves :math:`\partial_\nu I_\nu(z)` or
:math:`\partial_\nu K_\nu(z)` at :math:`\nu = \pm 1/2`, which sympy keeps as ``Subs``.  There
(DLMF 10.38.6-7)

.. math::
    \partial_\nu I_\nu(z)\big|_{\nu=\pm 1/2} = -\frac{E_1(2z)\,e^{z} \pm \mathrm{Ei}(2z)\,e^{-z}}
    {\sqrt{2\pi z}}, \qquad
    \partial_\nu K_\nu(z)\big|_{\nu=\pm 1/2} = \pm\sqrt{\frac{\pi}{2z}}\,E_1(2z)\,e^{z}.
"""

from __future__ import annotations

import sympy as sp

HALF = sp.Rational(1, 2)


def _at_half(function: type, z: sp.Expr, sign: int) -> sp.Expr | None:
    if function is sp.besseli:
        return -(sp.expint(1, 2 * z) * sp.exp(z) + sign * sp.Ei(2 * z) * sp.exp(-z)) \
            / sp.sqrt(2 * sp.pi * z)
    if function is sp.besselk:
        return sign * sp.sqrt(sp.pi / (2 * z)) * sp.expint(1, 2 * z) * sp.exp(z)
    return None


def _evaluated(subs: sp.Subs) -> sp.Expr:
    derivative = subs.expr
    if not (isinstance(derivative, sp.Derivative) and len(subs.variables) == 1):
        return subs
    (nu,), (point,) = subs.variables, subs.point
    if derivative.variable_count != ((nu, 1),) or point not in (HALF, -HALF):
        return subs
    bessel = derivative.expr
    if not (isinstance(bessel, (sp.besseli, sp.besselk)) and bessel.args[0] == nu
            and nu not in bessel.args[1].free_symbols):
        return subs
    value = _at_half(type(bessel), bessel.args[1], 1 if point == HALF else -1)
    return subs if value is None else value


def evaluate_order_derivatives(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every order derivative of I or K at order ±1/2 written out."""
    if not expr.has(sp.Subs):
        return expr
    return expr.replace(lambda e: isinstance(e, sp.Subs), _evaluated)
