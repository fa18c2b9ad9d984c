r"""One-dimensional quadrature for the engine's numeric checks: ``scipy.integrate.quad``, and
on an infinite interval also in a logarithmic variable, which decides where the two disagree.

A density with a slowly decaying tail (the log-Cauchy's :math:`1/(x \log^2 x)` as
:math:`x \to \infty` and :math:`x \to 0`) has too little mass under quad's own map of an
infinite interval: it stops with a warning, or with a wrong value and no warning (2.3492 for
:math:`\mathbb{E} \log((\log X - \mu)^2 + \sigma^2) = \log(4\sigma^2) = 2.4476` at
:math:`\mu = 0.3, \sigma = 1.7`). With :math:`x = a + e^u` on :math:`[a, \infty)`
(:math:`x = b - e^u` on :math:`(-\infty, b]`, the real line split at 0),

.. math:: \int_a^\infty f(x)\,dx = \int_{-\infty}^{\infty} f(a + e^u)\,e^u\,du,

such a tail decays like :math:`1/u^2` in :math:`u`, which quad integrates; a light tail
becomes doubly exponential, which it integrates too. Where the integrand is a sympy
expression and the end is 0, :func:`log_integrand` substitutes :math:`x = \pm e^u`
symbolically, so :math:`\log e^u = u` and :math:`e^u e^{-u} = 1` cancel exactly and the far
tails (:math:`|u| > 709`, where :math:`e^u` overflows a float) still count: there the
log-Cauchy's holds about 1% of the mass.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np
import sympy as sp
from scipy import integrate

#: (start, sign) -> the integrand in u of the piece x = start + sign e^u, Jacobian included
LogRoute = Callable[[float, float], Callable[[float], float]]


def quad(f: Callable[[float], float], a: float, b: float, *, epsabs: float = 1e-12,
         epsrel: float = 1e-10, limit: int = 200,
         logged: LogRoute | None = None) -> tuple[float, bool]:
    """(value, converged) of :math:`\\int_a^b f`; ``f`` returns a float (nan counts as 0).

    On an infinite interval both routes run: the plain one's value is kept when it converged
    and the logarithmic one agrees with it or did not converge. ``converged`` is False when
    quad reported trouble on every route it took (the value is then the plain route's).
    ``logged`` gives the logarithmic route's integrands (:func:`log_integrand`); by default
    they are ``f`` composed with the substitution in floats (:func:`composed`)."""
    value, ok = _scipy(f, a, b, epsabs, epsrel, limit)
    if not (math.isinf(a) or math.isinf(b)):
        return value, ok
    in_log, ok_in_log = _in_log_variable(logged or composed(f), a, b, epsabs, epsrel, limit)
    if not ok_in_log:
        return value, ok
    # quad may also stop without a warning but short of a slow tail's mass: where the two
    # routes disagree, the logarithmic one (which reaches the tail) is taken
    agree = abs(in_log - value) <= 100 * max(epsabs, epsrel * abs(in_log))
    return (value, True) if ok and agree else (in_log, True)


def _scipy(f, a, b, epsabs, epsrel, limit) -> tuple[float, bool]:
    def g(t: float) -> float:
        value = f(t)
        return 0.0 if np.isnan(value) else float(np.real(value))

    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = integrate.quad(g, a, b, limit=limit, epsabs=epsabs, epsrel=epsrel,
                                 full_output=1)
        except (ValueError, OverflowError, ZeroDivisionError, TypeError):
            return math.nan, False
    # a fourth element is quad's warning message: it did not converge as asked
    return float(out[0]), len(out) == 3 and bool(np.isfinite(out[0]))


def _in_log_variable(route: LogRoute, a, b, epsabs, epsrel, limit) -> tuple[float, bool]:
    """:math:`\\int_a^b f` with :math:`x = a + e^u` (or :math:`b - e^u`); the line split at 0."""
    if math.isinf(a) and math.isinf(b):
        left, ok_left = _in_log_variable(route, a, 0.0, epsabs, epsrel, limit)
        right, ok_right = _in_log_variable(route, 0.0, b, epsabs, epsrel, limit)
        return left + right, ok_left and ok_right
    start, sign = (a, 1.0) if math.isfinite(a) else (b, -1.0)
    g = route(start, sign)
    value, ok = _scipy(g, -math.inf, math.inf, epsabs, epsrel, limit)
    # where the integrand overflowed a float (taken as 0), the route may have cut off a slow
    # tail and still "converged" (a t(2.01) second moment: 181.9 for 201): not trusted
    return value, ok and not getattr(g, "overflowed", False)


def composed(f: Callable[[float], float]) -> LogRoute:
    """The logarithmic route in floats: f(start + sign e^u) e^u, 0 where e^u overflows."""
    def make(start: float, sign: float) -> Callable[[float], float]:
        def g(u: float) -> float:
            try:
                step = math.exp(u)
            except OverflowError:
                return 0.0
            value = f(start + sign * step)
            value = 0.0 if np.isnan(value) else float(np.real(value)) * step
            return value if math.isfinite(value) else 0.0
        return g
    return make


def log_integrand(expr: sp.Expr, x: sp.Symbol, modules=("scipy", "numpy"),
                  arguments: tuple = (), lambdify: Callable = sp.lambdify
                  ) -> Callable[..., LogRoute]:
    """The logarithmic route of ``expr`` in ``x``, for the values of ``arguments`` (symbols
    of ``expr``) given to the returned function: where a piece starts at 0, expr at
    x = ±e^u times e^u, substituted symbolically and lambdified once by ``lambdify`` (exact
    cancellations, no overflow); elsewhere :func:`composed` with expr lambdified in x."""
    u = sp.Dummy("u", real=True)
    made: dict = {}

    def lambdified(key, body, variable):
        if key not in made:
            made[key] = lambdify((variable, *arguments), body, modules=list(modules))
        return made[key]

    def bind(*values) -> LogRoute:
        def make(start: float, sign: float) -> Callable[[float], float]:
            if start != 0:
                f = lambdified("x", expr, x)
                return composed(lambda t: f(t, *values))
            # logs split (their real parts: log|ab| = log|a| + log|b|), so that log e^u = u
            # wherever e^u sits in a product inside a log
            body = sp.expand_log(expr.xreplace({x: int(sign) * sp.exp(u)}), force=True)
            h = lambdified(sign, body * sp.exp(u), u)

            def g(t: float) -> float:
                with np.errstate(all="ignore"):
                    try:
                        value = float(np.real(h(t, *values)))
                    except (OverflowError, ZeroDivisionError, ValueError, TypeError):
                        value = math.nan
                if math.isfinite(value):
                    return value
                g.overflowed = True  # e^u overflowed inside the body: a tail may be cut off
                return 0.0
            g.overflowed = False
            return g
        return make
    return bind
