r"""Divergent tails of an integral :math:`\int_\ell^h f(x)\,dx`, and integrals with no value.

Near an end of the support, write the integral as one over :math:`t \to \infty`: :math:`x = t`
at :math:`+\infty`, :math:`x = -t` at :math:`-\infty`, :math:`x = \ell + 1/t` at a finite lower
end (:math:`dx = dt/t^2`), :math:`x = h - 1/t` at a finite upper end; call the integrand
:math:`g(t)`. If

.. math:: L = \lim_{t \to \infty} t \log t \; g(t)

is positive (or :math:`+\infty`), then :math:`g(t) \ge c/(t \log t)` for large :math:`t`, whose
integral diverges (Bertrand): the integral diverges to :math:`+\infty` near that end; a
negative :math:`L`, to :math:`-\infty`. (:math:`L = 0` decides nothing.)

An expectation :math:`\mathbb{E}[s] = \int s\,p` whose integrand diverges to :math:`+\infty`
near one end and to :math:`-\infty` near another has :math:`\mathbb{E}[s^+] =
\mathbb{E}[s^-] = \infty`: it is **undefined** (not :math:`\infty`, not a number), as
:math:`\mathbb{E}[Y]` of a Cauchy :math:`Y` is; so is any sum of it and finite expectations.
One that diverges to :math:`+\infty` near one end, where near the other :math:`L \ge 0` for
every value of the parameters, is :math:`+\infty` (:func:`divergence`).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

#: the large t at which the tails are probed numerically before any symbolic limit
PROBES = (sp.Integer(10) ** 8, sp.Integer(10) ** 16)
PROBE_FLOOR = 1e-6  # |t log t g(t)| at the probes below this: no divergence to look for


@dataclass(frozen=True)
class Tail:
    """The integral diverges to ``sign``·∞ near ``end``: t·log t·g(t) -> ``limit`` with
    x = ``substitution`` (in t)."""

    end: sp.Expr
    sign: int
    limit: sp.Expr
    substitution: sp.Expr

    def text(self, x: sp.Symbol) -> str:
        t = sp.Symbol("t")
        shown = sp.sstr(self.substitution.xreplace({_T: t}))
        towards = "+oo" if self.sign > 0 else "-oo"
        return (f"as {sp.sstr(x)} -> {sp.sstr(self.end)} ({sp.sstr(x)} = {shown}, t -> oo), "
                f"t*log(t) times the integrand -> {sp.sstr(self.limit)}, so the integral "
                f"diverges to {towards} there")


_T = sp.Dummy("t", positive=True)


def _near(end: sp.Expr, upper: bool) -> tuple[sp.Expr, sp.Expr]:
    """(x in terms of t, dx/dt up to sign) for the end approached as t -> oo."""
    if end == sp.oo:
        return _T, sp.S.One
    if end == -sp.oo:
        return -_T, sp.S.One
    return (end - 1 / _T, 1 / _T**2) if upper else (end + 1 / _T, 1 / _T**2)


def _probe(g: sp.Expr, point: dict | None) -> int | None:
    """The sign of t log t g(t) at the probes (at a numeric ``point`` of the parameters), 0
    when it is negligible there, None when it cannot be evaluated."""
    body = g if point is None else g.xreplace(point)
    if body.free_symbols - {_T}:
        return None
    signs = set()
    for t in PROBES:
        try:
            value = complex(sp.N((_T * sp.log(_T) * body).xreplace({_T: t}), 30))
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            return None
        if value != value or abs(value.imag) > 1e-9 * max(1.0, abs(value.real)):
            return None
        signs.add(0 if abs(value.real) < PROBE_FLOOR else (1 if value.real > 0 else -1))
    return signs.pop() if len(signs) == 1 else None


def _scaled(integrand: sp.Expr, x: sp.Symbol, end: sp.Expr, upper: bool) -> tuple[sp.Expr,
                                                                                 sp.Expr]:
    """(x in terms of t, g(t)): the integrand near ``end`` as an integrand in t -> oo."""
    at, jacobian = _near(sp.sympify(end), upper)
    return at, integrand.xreplace({x: at}) * jacobian


def _limit(g: sp.Expr) -> sp.Expr | None:
    """lim t log t g(t), None when sympy cannot find it or it is not real."""
    limit = sp.limit(_T * sp.log(_T) * g, _T, sp.oo)
    if limit.has(sp.Limit, sp.nan, sp.zoo) or not limit.is_extended_real:
        return None
    return limit


def _end(integrand: sp.Expr, x: sp.Symbol, end: sp.Expr, upper: bool,
         point: dict | None) -> tuple[Tail | None, sp.Expr | None, bool]:
    """(the divergent tail at ``end`` or None, L or None, whether L was computed): the numeric
    probe at ``point`` skips the limit where the tail is plainly negligible."""
    at, g = _scaled(integrand, x, end, upper)
    if point is not None and _probe(g, point) == 0:  # None (not evaluated): the limit decides
        return None, None, False
    limit = _limit(g)
    if limit is not None and (limit.is_extended_positive or limit.is_extended_negative):
        sign = 1 if limit.is_extended_positive else -1
        if point is not None and not _holds_at(g, sign, point):
            return None, None, True  # sympy's symbolic limit, refuted at a numeric instance
        return Tail(end, sign, limit, at), limit, True
    return None, limit, True


def _simple_rational(v: sp.Float) -> sp.Rational:
    """A nearby rational with a small denominator (a 20-digit one can stall sympy's limit),
    of the same sign."""
    r = sp.Rational(float(v)).limit_denominator(1000)
    return r if r != 0 or v == 0 else sp.Rational(1, 1000) * sp.sign(v)


def _holds_at(g: sp.Expr, sign: int, point: dict) -> bool:
    """Whether lim t log t g(t) has ``sign`` at the parameter values ``point`` (as nearby
    rationals).
    sympy's limit with symbolic exponents can be wrong: for the log-logistic's
    log(1 + (x/a)^b2) density-weighted it gives oo where every instance gives 0."""
    exact = {k: _simple_rational(v) if isinstance(v, sp.Float) else v for k, v in point.items()}
    body = g.xreplace(exact)
    if body.free_symbols - {_T}:
        return True  # not a full instance: nothing to refute with
    limit = _limit(body)
    return limit is not None and bool(limit.is_extended_positive if sign > 0
                                      else limit.is_extended_negative)


def divergent_tail(integrand: sp.Expr, x: sp.Symbol, end: sp.Expr, upper: bool,
                   point: dict | None = None) -> Tail | None:
    """The tail of ``integrand`` at ``end`` (the upper end if ``upper``) when the test above
    shows it diverges, else None. ``point`` (parameter values) lets a numeric probe skip the
    symbolic limit where the tail is plainly negligible."""
    return _end(integrand, x, end, upper, point)[0]


def tail_limit(integrand: sp.Expr, x: sp.Symbol, end: sp.Expr, upper: bool) -> sp.Expr | None:
    """L = lim t log t g(t) at ``end`` (symbolic in the parameters), None when sympy cannot
    find it or it is not real."""
    return _limit(_scaled(integrand, x, end, upper)[1])


@dataclass(frozen=True)
class Divergence:
    """How ∫ integrand dx has no finite value: ``value`` nan (``tails`` = the tail to +oo and
    the one to -oo), or ±oo (``tails`` = the one divergent tail; at the other end t log t g(t)
    tends, for every value of the parameters, to a limit of the same sign or 0, where the
    integral converges — g = o(1/(t log t)), as for the power and logarithmic tails of these
    densities — or diverges the same way)."""

    value: sp.Expr
    tails: tuple[Tail, ...]


def divergence(integrand: sp.Expr, x: sp.Symbol, lo: sp.Expr, hi: sp.Expr,
               point: dict | None = None) -> Divergence | None:
    """The :class:`Divergence` of ∫_lo^hi integrand dx, None when the test does not show one."""
    ends = ((sp.sympify(lo), False), (sp.sympify(hi), True))
    probed = [_end(integrand, x, end, upper, point) for end, upper in ends]
    tails = [tail for tail, _, _ in probed]
    up = next((t for t in tails if t is not None and t.sign > 0), None)
    down = next((t for t in tails if t is not None and t.sign < 0), None)
    if up is not None and down is not None:
        return Divergence(sp.nan, (up, down))
    found = up or down
    if found is None:
        return None
    i = 1 - tails.index(found)
    _, other, computed = probed[i]
    if not computed:  # the probe skipped it: the sign of L must hold for every parameter
        other = tail_limit(integrand, x, *ends[i])
    if other is None or not (found.sign * other).is_extended_nonnegative:
        return None
    return Divergence(found.sign * sp.oo, (found,))

