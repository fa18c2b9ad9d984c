r"""Cross-validation: a derived result against an independent numerical value of its definition.

For P with density (or pmf) :math:`p` and Q with :math:`q`, the quantities are defined by

.. math::
    H(P) = -\int p \log p, \qquad H(P, Q) = -\int p \log q, \qquad
    D_{\mathrm{KL}}(P \parallel Q) = \int p\,(\log p - \log q),

(a sum over the support for pmfs), divided by :math:`\log b` in base :math:`b`.  At random
valid parameter points this module evaluates the derivation's result and computes the defining
integral with its own code: ``scipy.integrate.quad`` (or ``mpmath.quad``) on the support split
at the parameter values, at the kinks of ``Abs``/``Piecewise`` and along geometric tails out to
:math:`10^{30}`, so heavy tails (Cauchy, Pareto, Student-t with small :math:`\nu`) are not lost;
pmfs are summed until the remaining mass is negligible.  A quantity is infinite when P puts
mass where Q has none (:math:`p(x) > 0 = q(x)` at a point of supp P) or when the integral
diverges (its far tail keeps contributing).  Nothing here calls the engine's numeric code.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp
from scipy import integrate

from ..errors import InvalidParameter
from ..numeric.lambdify import MPMATH_CDFS, SCIPY_CDFS
from ..numeric.stable import normal_cdfs

METHODS = ("auto", "scipy", "mpmath")
RTOL = 1e-6          # default tolerance of a Report
ATOL = 1e-8          # denominator floor: values near 0 are compared absolutely
TAIL_START = 100.0   # the tails begin 100 beyond the outermost breakpoint
TAIL_STEP, TAIL_END = 5.0, 690.0   # tail slices in u = log|x - c|, out to |x| ~ 1e300
FAR = 1e100          # beyond, the integrand is evaluated with mpmath (no overflow)
FLOATS = [SCIPY_CDFS, "scipy", "numpy"]   # lambdify modules, with log Φ (numeric.functions)
DIGITS = [MPMATH_CDFS, "mpmath"]


# -- parameter points ------------------------------------------------------------------------
def sample_points(d, n: int, rng: np.random.Generator, tries: int = 400) -> list[dict]:
    """``n`` random valid points (Symbol -> float/int) for the parameters of ``d``.

    Each member's parameters are drawn from their constraints
    (:func:`symbolic_info.families.spec.sample_parameters`), P's first; a symbolic order of a
    Rényi or Tsallis quantity is drawn from (0.1, 0.95) ∪ (1.05, 2.9); a point is kept only
    when the derivation's ``conditions`` hold there.
    """
    from ..families.spec import constraint_from_assumptions, sample_parameters
    from .definitions import draw_order, order_symbol

    members = [m for m in (d.p, d.q) if m is not None]
    if not d.parameters:
        return [{}]
    order = order_symbol(d)
    points: list[dict] = []
    for _ in range(tries):
        point: dict = {}
        for m in members:
            for s, v in sample_parameters(m, rng).items():
                point.setdefault(s, v)
        for s in [s for s in d.parameters if s not in point]:
            point[s] = draw_order(rng) if s == order else \
                constraint_from_assumptions(s).sample(rng)
        if conditions_hold(d.conditions, point):
            points.append(point)
            if len(points) == n:
                return points
    raise InvalidParameter(f"could not draw {n} parameter points of {d.name} satisfying "
                           f"{d.conditions}")


def conditions_hold(conditions, point: dict) -> bool:
    if conditions in (True, sp.true):
        return True
    try:
        return bool(sp.sympify(conditions).xreplace(exact(point)))
    except TypeError:
        return False


def exact(point: dict) -> dict:
    """The point as sympy numbers: a float becomes a 40-digit Float holding exactly its binary
    value (not a Rational: powers of 2**52-denominator Rationals make sympy factor integers)."""
    return {k: sp.Float(v, 40) if isinstance(v, float) else sp.sympify(v)
            for k, v in point.items()}


def named(point: dict) -> dict[str, float]:
    return {str(k): (int(v) if isinstance(v, (int, np.integer)) else float(v))
            for k, v in point.items()}


# -- the defining integrand ------------------------------------------------------------------
def _log_density(density: sp.Expr) -> sp.Expr:
    """log of a density, expanded so that it never underflows: log Γ as loggamma, a normal
    CDF (1 + erf z)/2 as log Φ (finite in the tail, where 1 + erf z cancels to 0)."""
    dens = density.rewrite(sp.gamma) if density.has(sp.factorial, sp.binomial) else density
    out = sp.expand_log(sp.log(dens), force=True)
    return normal_cdfs(out.replace(lambda e: isinstance(e, sp.log)
                                   and isinstance(e.args[0], sp.gamma),
                                   lambda e: sp.loggamma(e.args[0].args[0])))


@dataclass(frozen=True)
class Integrand:
    """log p and log q (None for an entropy) in a common variable ``t``."""

    quantity: str
    t: sp.Symbol
    log_p: sp.Expr
    log_q: sp.Expr | None

    @classmethod
    def of(cls, d) -> Integrand:
        if d.quantity not in ("entropy", "cross_entropy", "kl", "jeffreys"):
            raise InvalidParameter(f"cannot cross-validate quantity {d.quantity!r}")
        t = (tuple(sp.Dummy(f"t_{i}", **v.assumptions0) for i, v in
                   enumerate(d.p.variables, start=1)) if d.p.multivariate
             else sp.Dummy("t", real=True))
        log_p = _log_density(d.p.density_at(t))
        log_q = None if d.q is None else _log_density(d.q.density_at(t))
        return cls(d.quantity, t, log_p, log_q)

    def g(self) -> sp.Expr:
        """The function whose P-expectation is the quantity."""
        if self.quantity == "entropy":
            return -self.log_p
        if self.quantity == "jeffreys":  # ∫ (p - q) log(p/q) as a P-expectation
            return (1 - sp.exp(self.log_q - self.log_p)) * (self.log_p - self.log_q)
        return -self.log_q if self.quantity == "cross_entropy" else self.log_p - self.log_q


@dataclass(frozen=True)
class Numeric:
    """One independent value: ``value`` (inf when divergent), and how it was obtained."""

    value: float
    note: str = ""
    standard_error: float = 0.0  # of a Monte Carlo estimate; 0 for quadrature and sums


def defining_value(d, point: dict, method: str = "auto") -> Numeric:
    """The quantity of ``d`` at ``point`` from its defining integral or sum."""
    from . import definitions
    if d.quantity in definitions.QUANTITIES:
        return definitions.defining_value(d, point, method)
    parts = Integrand.of(d)
    ex = exact(point)
    if d.p.multivariate:
        out = _region_value(d, parts, point)
        scale = 1.0 / math.log(float(d.base)) if d.base is not None else 1.0
        return Numeric(out.value * scale if math.isfinite(out.value) else out.value, out.note,
                       out.standard_error * abs(scale))
    support = d.p.support.xreplace(ex)
    q_support = d.q.support.xreplace(ex) if d.q is not None else None
    lp, g = parts.log_p.xreplace(ex), parts.g().xreplace(ex)
    lq = parts.log_q.xreplace(ex) if parts.log_q is not None else None
    use_mp = method == "mpmath"
    modules = DIGITS if use_mp else FLOATS
    scale = 1.0 / math.log(float(d.base)) if d.base is not None else 1.0
    with mpmath.workdps(30) if use_mp else nullcontext():
        if d.p.discrete:
            f_lp, f_g = (sp.lambdify(parts.t, e, modules=modules) for e in (lp, g))
            f_lq = sp.lambdify(parts.t, lq, modules=modules) if lq is not None else None
            # the remainder of a power-law series (Zipf, Yule-Simon), by Euler-Maclaurin
            f_tail = sp.lambdify(parts.t, sp.exp(lp) * g, modules=DIGITS)
            out = _sum(f_lp, f_g, f_lq, support, q_support, use_mp, tail=f_tail)
        else:
            outside = _mass_outside(sp.lambdify(parts.t, lp, modules=FLOATS),
                                    support, q_support)
            if outside is not None:
                return outside
            anchors = [float(v) for v in ex.values()] + _kinks(g + lp, parts.t)
            out = _integral(_pointwise(lp, g, parts.t, use_mp), support, anchors, use_mp)
            if support.inf == 0 and support.sup == sp.oo and math.isfinite(out.value):
                out = _in_log_scale(out, lp, g, parts.t, anchors, use_mp)
    return Numeric(out.value * scale if math.isfinite(out.value) else out.value, out.note)


def _in_log_scale(out: Numeric, lp: sp.Expr, g: sp.Expr, t: sp.Symbol, anchors: list[float],
                  use_mp: bool) -> Numeric:
    """On (0, oo), the integral again in u = log x: log p + u and g at x = e^u, their logs split
    symbolically (log e^u = u). A tail like the log-Cauchy's 1/(x log^2 x), at 0 or at oo,
    holds mass that the pieces and slices in x miss (~1e-3 of it lies beyond x = 1e300); in u
    it is a power tail, which the slices of :func:`_tail` extrapolate. Where the two values
    differ (relative 1e-9), the one in u is taken."""
    u = sp.Dummy("u", real=True)
    lp_u = sp.expand_log(lp.xreplace({t: sp.exp(u)}), force=True) + u
    g_u = sp.expand_log(g.xreplace({t: sp.exp(u)}), force=True)
    anchors_u = [math.log(a) for a in anchors if math.isfinite(a) and a > 0]
    again = _integral(_pointwise(lp_u, g_u, u, use_mp), sp.Interval(-sp.oo, sp.oo), anchors_u,
                      use_mp)
    if not math.isfinite(again.value) or \
            abs(again.value - out.value) <= 1e-9 * max(1.0, abs(out.value)):
        return out
    return Numeric(again.value, f"{again.note}, in u = log x (in x: {out.value:.10g})")


QUADRATURE_DIMENSION = 2  # nested quadrature up to here; Monte Carlo beyond
MONTE_CARLO_DRAWS = 400_000


def _region_value(d, parts: Integrand, point: dict) -> Numeric:
    """The defining integral over a region: nested ``scipy.integrate.nquad`` up to
    :data:`QUADRATURE_DIMENSION` coordinates, Monte Carlo with X drawn from P (the spec's
    ``draw``) beyond, its standard error stated in the note."""
    ex = exact(point)
    region = d.p.support_at(parts.t).xreplace(ex)
    lp, g = parts.log_p.xreplace(ex), parts.g().xreplace(ex)
    names = list(reversed(region.variables))  # nquad integrates its first argument innermost
    if region.dimension <= QUADRATURE_DIMENSION and not region.discrete:
        f = sp.lambdify(names, sp.exp(lp) * g, modules=FLOATS)

        def integrand(*args):
            try:
                value = f(*args)
            except (ZeroDivisionError, OverflowError, ValueError):  # 0**(-a) on the boundary
                return 0.0
            return 0.0 if not np.isfinite(value) else float(np.real(value))

        ranges = []
        for i, (_, lo, hi) in enumerate(reversed(region.limits)):
            outer = names[i + 1:]
            lo_f, hi_f = (sp.lambdify(outer, e, modules=["numpy"]) for e in (lo, hi))
            ranges.append(_ends(lo_f, hi_f, len(outer)))
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value, _ = integrate.nquad(integrand, ranges,
                                       opts={"limit": 200, "epsabs": 1e-12, "epsrel": 1e-11})
        return Numeric(value, "scipy.integrate.nquad over the region")
    if region.discrete:
        mismatch = None
        if d.q is not None and d.p.spec.implicit:
            t = parts.t
            mismatch = sp.Or(*[sp.Ne(a, b) for a, b in zip(
                (e.xreplace(ex) for e in d.p.implicit_at(t)),
                (e.xreplace(ex) for e in d.q.implicit_at(t)))])
        return Numeric(_region_sum(region, lp, g, mismatch), "summation over the region")
    draw = d.p.spec.draw
    if draw is None:
        return Numeric(math.nan, f"no sampler of {d.p.name} for a Monte Carlo estimate")
    values = {name: float(v.xreplace(ex)) for name, v in d.p.params.items()}
    sample = draw(values, np.random.default_rng(0), MONTE_CARLO_DRAWS)
    f = sp.lambdify(list(region.variables), g, modules=FLOATS)
    with np.errstate(all="ignore"):
        terms = np.asarray(f(*sample.T), dtype=float) * np.ones(len(sample))
    mean, error = float(terms.mean()), float(terms.std(ddof=1) / math.sqrt(len(terms)))
    return Numeric(mean, f"Monte Carlo over {len(terms)} draws from P, standard error "
                         f"{error:.2g}", error)


def _region_sum(region, lp, g, mismatch=None) -> float:
    """Σ p·g over a finite discrete region (ends numeric after substitution), in mpmath;
    infinite if Q gives 0 to a point of P's (``mismatch``: the implied coordinates differ)."""
    f_p = sp.lambdify(list(region.variables), sp.exp(lp), modules=DIGITS)
    f_g = sp.lambdify(list(region.variables), g, modules=DIGITS)

    def f(*point):
        mass = f_p(*point)
        if mass == 0:
            return mpmath.mpf(0)
        if mismatch is not None and mismatch.xreplace(
                dict(zip(region.variables, map(sp.Integer, point)))) == sp.true:
            return mpmath.inf
        try:  # Q's pmf at a point outside its support: a pole of its factorials, q = 0
            return mass * f_g(*point)
        except (ValueError, ZeroDivisionError):
            return mpmath.inf

    def level(i: int, fixed: dict) -> mpmath.mpf:
        x, lo, hi = region.limits[i]
        a, b = (int(sp.sympify(e).xreplace(fixed)) for e in (lo, hi))
        total = mpmath.mpf(0)
        for k in range(a, b + 1):
            inner = {**fixed, x: sp.Integer(k)}
            total += level(i + 1, inner) if i + 1 < len(region.limits) else \
                f(*[inner[v] for v in region.variables])
        return total

    with mpmath.workdps(30):
        value = level(0, {})
    return math.inf if value == mpmath.inf else float(value)


def _ends(lo_f, hi_f, n: int):
    """nquad's range of one coordinate: its ends at the n outer coordinates."""
    return lambda *a: [float(lo_f(*a[:n])), float(hi_f(*a[:n]))]


def _kinks(expr: sp.Expr, t: sp.Symbol) -> list[float]:
    """Real zeros of the arguments of Abs and of the Piecewise conditions (numeric point)."""
    args = [a.args[0] for a in expr.atoms(sp.Abs) if a.has(t)]
    for pw in expr.atoms(sp.Piecewise):
        for _, cond in pw.args:
            args += [r.lhs - r.rhs for r in sp.sympify(cond).atoms(sp.core.relational.Relational)
                     if r.has(t)]
    out = []
    for a in args:
        try:
            out += [float(r) for r in sp.solve(a, t) if r.is_real]
        except (NotImplementedError, TypeError, ValueError):
            continue
    return out


def _mass_outside(f_lp, support: sp.Set, q_support: sp.Set | None) -> Numeric | None:
    """inf with a witness when supp P sticks out of supp Q: p(x) > 0 = q(x) there."""
    if q_support is None:
        return None
    a, b = float(support.inf), float(support.sup)
    c, e = float(q_support.inf), float(q_support.sup)
    for lo, hi in ((a, min(b, c)), (max(a, e), b)):
        if not lo < hi:
            continue
        if math.isinf(lo) and math.isinf(hi):
            x = 0.0
        elif math.isinf(lo):
            x = hi - 0.5
        elif math.isinf(hi):
            x = lo + 0.5
        else:
            x = (lo + hi) / 2
        p = math.exp(float(f_lp(x)))
        if p > 0:
            return Numeric(math.inf, f"p({x:.4g}) = {p:.4g} > 0 = q({x:.4g}): x is in supp P, "
                                     f"outside supp Q")
    return None


def _edges(lo: float, hi: float, anchors: list[float]) -> list[float]:
    """Breakpoints: the anchors inside (lo, hi), and ±1, ±100 beyond them into an infinite end
    (the rest of an infinite end is :func:`_tail`'s)."""
    inner = sorted({a for a in anchors if lo < a < hi and math.isfinite(a)})
    if not inner:
        inner = [lo + 1.0 if math.isfinite(lo) else (hi - 1.0 if math.isfinite(hi) else 0.0)]
        inner = [x for x in inner if lo < x < hi] or [(lo + hi) / 2]
    left = [inner[0] - TAIL_START, inner[0] - 1.0] if math.isinf(lo) else [lo]
    right = [inner[-1] + 1.0, inner[-1] + TAIL_START] if math.isinf(hi) else [hi]
    return [*left, *inner, *right]


def _quad(fun, a: float, b: float, use_mp: bool) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if use_mp:
            return float(mpmath.re(mpmath.quad(fun, [mpmath.mpf(a), mpmath.mpf(b)])))
        try:
            return integrate.quad(fun, a, b, limit=200, epsabs=1e-14, epsrel=1e-12)[0]
        except (ValueError, OverflowError, ZeroDivisionError):
            return math.nan


def _tail(h, c: float, sign: int, scale: float, use_mp: bool) -> float | None:
    r"""The integral of h over :math:`\pm[c + 100, \infty)` (None when it diverges).

    With :math:`x = c \pm e^u`, a power tail :math:`|x|^{-s}` becomes :math:`e^{-(s-1)u}`:
    integrated in slices of ``TAIL_STEP`` in u up to :math:`|x| \approx 10^{300}`.  The
    integral diverges when the largest slice lies far out (:math:`|x| > e^{60}`) or the slices
    stop shrinking; a slowly shrinking remainder is extrapolated geometrically.
    """
    exp = mpmath.exp if use_mp else math.exp

    def w(u):
        e = exp(u)
        return h(c + sign * e) * e

    slices: list[float] = []
    u = math.log(TAIL_START)
    while u < TAIL_END:
        slices.append(_quad(w, u, u + TAIL_STEP, use_mp))
        u += TAIL_STEP
        if not math.isfinite(slices[-1]):
            return None
        size = max(scale, max(abs(v) for v in slices), 1e-300)
        if len(slices) > 6 and all(abs(v) <= 1e-17 * size for v in slices[-4:]):
            break
        if u > 60 and abs(slices[-1]) >= size:  # still growing far out: divergent
            return None
    biggest = max(range(len(slices)), key=lambda i: abs(slices[i]))
    if math.log(TAIL_START) + biggest * TAIL_STEP > 60:
        return None
    last = [abs(v) for v in slices[-4:]]
    size = max(scale, max(abs(v) for v in slices), 1e-300)
    if u >= TAIL_END and not all(v <= 1e-17 * size for v in last):
        ratios = [b / a for a, b in zip(last, last[1:]) if a > 0]
        if len(ratios) < 3 or max(ratios) >= 0.999:
            return None
        r = max(ratios)
        return math.fsum(slices) + slices[-1] * r / (1 - r)
    return math.fsum(slices)


def _pointwise(lp: sp.Expr, g: sp.Expr, t: sp.Symbol, use_mp: bool):
    """x -> p(x) g(x), p = exp(log p): in floats while log p is moderate and |x| < FAR,
    else in mpmath (which neither overflows nor underflows); 0 where p < e^-2000."""
    f_lp, f_g = (sp.lambdify(t, e, modules=FLOATS) for e in (lp, g))
    m_lp, m_g = (sp.lambdify(t, e, modules=DIGITS) for e in (lp, g))

    def precise(x):
        try:
            x = mpmath.mpf(x)
            log_p = m_lp(x)
            return mpmath.mpf(0) if log_p == -mpmath.inf else mpmath.exp(log_p) * m_g(x)
        except (OverflowError, MemoryError, ValueError, ZeroDivisionError):
            return mpmath.mpf(0)  # an astronomically large exponent: p = 0 there

    def h(x):
        xf = np.float64(x)
        if abs(xf) < FAR:
            with np.errstate(all="ignore"):
                rough = float(np.real(f_lp(xf)))
                if not rough > -2000:
                    return mpmath.mpf(0) if use_mp else 0.0
                if not use_mp:
                    p = math.exp(rough)
                    value = 0.0 if p == 0.0 else p * float(np.real(f_g(xf)))
                    if math.isfinite(value):
                        return value  # else log q overflowed in floats: retry in mpmath
        value = precise(x)
        return mpmath.re(value) if use_mp else float(mpmath.re(value))
    return h


def _integral(h, support: sp.Set, anchors: list[float], use_mp: bool) -> Numeric:
    lo, hi = float(support.inf), float(support.sup)
    edges = _edges(lo, hi, anchors)
    pieces = [_quad(h, a, b, use_mp) for a, b in zip(edges, edges[1:])]
    total = math.fsum(pieces)
    if not math.isfinite(total):
        return Numeric(math.inf, "the integral diverges (quadrature gives a non-finite value)")
    scale = max(abs(v) for v in pieces)
    for end, c, sign in ((lo, edges[0] + TAIL_START, -1), (hi, edges[-1] - TAIL_START, 1)):
        if math.isinf(end):
            tail = _tail(h, c, sign, scale, use_mp)
            if tail is None:
                side = "right" if sign > 0 else "left"
                return Numeric(math.inf, f"the integral diverges: its {side} tail does not "
                                         f"decay")
            total += tail
    return Numeric(total, f"{len(pieces)} pieces and the tails")


@dataclass(frozen=True)
class _Mirrored:
    """The set -S (``contains(k)`` is ``k`` in the reflection of ``S``)."""

    of: sp.Set

    def contains(self, k):
        return self.of.contains(-k)


TAIL_AFTER = 2000  # terms of a series before a power-law remainder is estimated


def _sum(f_lp, f_g, f_lq, support: sp.Set, q_support: sp.Set | None, use_mp: bool,
         half: bool = False, tail=None) -> Numeric:
    """Σ_k p(k) g(k), until the remaining mass of P is negligible (at most 10^6 terms); over
    all the integers, the sum over k >= 0 plus the mirrored sum over k < 0 (each ``half``:
    settled where p(k) < 1e-30 rather than by the mass). ``tail`` (p·g in mpmath): a series
    not settled after :data:`TAIL_AFTER` terms on an unbounded support, where Q's support is
    unbounded too, is a power-law tail, added by Euler-Maclaurin."""
    if support.inf == -sp.oo:
        right = _sum(f_lp, f_g, f_lq, sp.Range(0, sp.oo), q_support, use_mp, True, tail)
        left = _sum(lambda t: f_lp(-t), lambda t: f_g(-t),
                    None if f_lq is None else (lambda t: f_lq(-t)), sp.Range(1, sp.oo),
                    None if q_support is None else _Mirrored(q_support), use_mp, True,
                    None if tail is None else (lambda t: tail(-t)))
        return Numeric(right.value + left.value, f"{right.note}; {left.note} below 0")
    lo, hi = int(support.inf), support.sup
    last = int(hi) if hi.is_finite else None
    # a FiniteSet ({-1, 1}): its points only, not every integer between its ends
    points = {int(v) for v in support} if isinstance(support, sp.FiniteSet) else None
    total, mass, k, quiet = [], 0.0, lo, 0
    while last is None or k <= last:
        if points is not None and k not in points:
            k += 1
            continue
        x = mpmath.mpf(k) if use_mp else float(k)
        lp = f_lp(x)
        p = float(mpmath.exp(lp)) if use_mp else (math.exp(lp) if np.isfinite(lp) else 0.0)
        if p > 0:
            if f_lq is not None and (q_support is not None and not q_support.contains(k)
                                     or not np.isfinite(float(f_lq(x)))):
                return Numeric(math.inf, f"p({k}) = {p:.4g} > 0 = q({k})")
            term = (mpmath.exp(lp) * f_g(x)) if use_mp else p * float(f_g(x))
            total.append(term)
            mass += p
            small = abs(float(term)) < 1e-25 * max(1.0, abs(float(sum(total))))
            settled = mass > 1 - 1e-12 or (half and p < 1e-30)
            quiet = quiet + 1 if (settled and small) else 0
        elif mass > 1 - 1e-12 or half:
            quiet += 1
        if last is None and quiet > 50:
            break
        k += 1
        if last is None and tail is not None and k - lo == TAIL_AFTER and (
                q_support is None or q_support.sup == sp.oo):
            with mpmath.workdps(30):
                try:
                    rest = mpmath.nsum(tail, [k, mpmath.inf], method="euler-maclaurin")
                except (ValueError, ZeroDivisionError, mpmath.libmp.NoConvergence):
                    rest = mpmath.nan
            if mpmath.isfinite(rest):
                total.append(rest if use_mp else float(rest))
                break
        if k - lo > 1_000_000:
            return Numeric(math.nan, "the series did not settle within 10^6 terms")
    value = float(mpmath.fsum(total)) if use_mp else math.fsum(total)
    return Numeric(value, f"{k - lo} terms")


# -- the report ------------------------------------------------------------------------------
def derived_value(d, point: dict) -> float:
    """The derivation's result at ``point``: 30-digit evaluation of a closed form; the
    derivation's own numeric route (``d.lambdify()``) when it keeps an Integral or Sum."""
    try:
        at_point = d.result.xreplace(exact(point))  # settles Piecewise support conditions
        if at_point.has(sp.Integral, sp.Sum) and at_point != sp.oo:
            return float(d.lambdify()(**{str(k): v for k, v in point.items()}))
        value = sp.N(at_point, 30)
        if value in (sp.oo, sp.zoo) or value == sp.oo:
            return math.inf
        c = complex(value)
        return c.real if abs(c.imag) <= 1e-12 * max(1.0, abs(c.real)) else math.nan
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return math.nan


def relative_error(derived: float, reference: float) -> float:
    """|derived − reference| / max(|reference|, ATOL); 0 when both are +inf."""
    if math.isinf(derived) and math.isinf(reference) and derived == reference:
        return 0.0
    if not (math.isfinite(derived) and math.isfinite(reference)):
        return math.inf
    return abs(derived - reference) / max(abs(reference), ATOL)


@dataclass(frozen=True)
class Report:
    """The outcome of :func:`cross_validate`: one row per parameter point."""

    name: str
    status: str
    method: str
    points: tuple[dict[str, float], ...]
    derived: tuple[float, ...]
    numeric: tuple[float, ...]
    rel_errors: tuple[float, ...]
    notes: tuple[str, ...] = ()
    rtol: float = RTOL
    # per point: rtol, or 5 standard errors of a Monte Carlo reference (relative)
    tolerances: tuple[float, ...] = ()

    @property
    def max_rel_error(self) -> float:
        return max(self.rel_errors, default=math.inf)

    @property
    def ok(self) -> bool:
        tolerances = self.tolerances or (self.rtol,) * len(self.rel_errors)
        return bool(self.rel_errors) and all(e <= t for e, t in zip(self.rel_errors,
                                                                     tolerances))

    def __str__(self) -> str:
        if self.status == "undefined":
            return "\n".join([f"cross-validation of {self.name} (undefined): not evaluated "
                              "numerically, the quantity has no value",
                              *(f"note: {n}" for n in self.notes)])
        tolerance = max(self.tolerances or (self.rtol,))
        why = "" if tolerance <= self.rtol else ": 5 Monte Carlo standard errors"
        head = (f"cross-validation of {self.name} ({self.status}) against {self.method}: "
                f"{'OK' if self.ok else 'FAILED'}, max relative error "
                f"{self.max_rel_error:.3g} (tolerance {tolerance:.3g}{why})")
        names = list(self.points[0]) if self.points else []
        cols = [*names, "derived", "numeric", "rel. error"]
        rows = [[_fmt(pt[k]) for k in names] + [_fmt(a), _fmt(b), f"{e:.2e}"]
                for pt, a, b, e in zip(self.points, self.derived, self.numeric,
                                       self.rel_errors)]
        widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]
        lines = [head, "  ".join(c.rjust(w) for c, w in zip(cols, widths)),
                 "  ".join("-" * w for w in widths)]
        lines += ["  ".join(v.rjust(w) for v, w in zip(r, widths)) for r in rows]
        lines += [f"note: {n}" for n in dict.fromkeys(self.notes) if n]
        return "\n".join(lines)


def _fmt(v: float) -> str:
    if isinstance(v, (int, np.integer)):
        return str(v)
    return "inf" if v == math.inf else f"{v:.10g}"


def cross_validate(d, *, n: int = 10, seed: int = 0, method: str = "auto",
                   rtol: float = RTOL) -> Report:
    """Compare ``d.result`` with independent numerical integration at ``n`` random points.

    ``method``: ``"auto"``/``"scipy"`` (``scipy.integrate.quad`` or float summation) or
    ``"mpmath"`` (``mpmath.quad`` and summation at 30 digits).
    """
    if method not in METHODS:
        raise InvalidParameter(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if not (isinstance(n, int) and n > 0):
        raise InvalidParameter(f"n must be a positive integer, got {n!r}")
    rng = np.random.default_rng(seed)
    if d.p.matrix:
        return _symbolic_dimension_report(d, n, rng, rtol)
    how = ("summation" if d.p.discrete else "scipy.integrate.quad") if method != "mpmath" \
        else ("mpmath summation" if d.p.discrete else "mpmath.quad")
    if d.p.multivariate:
        how = ("summation over the region" if d.p.discrete else "scipy.integrate.nquad"
               if d.p.dimension <= QUADRATURE_DIMENSION
               else "Monte Carlo (standard error in the notes)")
    points = sample_points(d, n, rng)
    if d.status == "undefined":  # no value: nothing to evaluate or to compare (ok is False)
        return Report(d.name, d.status, "nothing (the quantity is undefined)", (), (), (), (),
                      (d.status_text(),), rtol)
    if d.quantity == "fisher_information":
        return _fisher_report(d, points, how, method, rtol)
    derived, numeric, errors, notes, tolerances = [], [], [], [], []
    for point in points:
        a = math.inf if d.status == "infinite" else derived_value(d, point)
        ref = defining_value(d, point, method)
        derived.append(a)
        numeric.append(ref.value)
        errors.append(relative_error(a, ref.value))
        tolerances.append(max(rtol, 5 * ref.standard_error / max(abs(ref.value), ATOL))
                          if math.isfinite(ref.value) else rtol)
        if ref.standard_error:
            notes.append(ref.note)
        if math.isinf(ref.value):
            notes.append(ref.note)
    if d.status in ("no_closed_form", "timed_out"):
        notes.append(f"{d.status.replace('_', ' ')}: the derivation's own numeric route "
                     "(lambdify) is compared with independent integration")
    return Report(d.name, d.status, how, tuple(named(p) for p in points), tuple(derived),
                  tuple(numeric), tuple(errors), tuple(notes), rtol, tuple(tolerances))


def _fisher_report(d, points: list[dict], how: str, method: str, rtol: float) -> Report:
    """One row per point and entry (i, j), i <= j, of the Fisher information matrix against
    E_P[s_i s_j] (the score differentiated here); an entry smaller than the matrix's largest
    is compared relative to 1e-6 of that one."""
    from .definitions import fisher_rows
    rows = [row for point in points for row in fisher_rows(d, point, method)]
    note = "entries (i, j) of the matrix against E_P[s_i s_j], s = the score"
    return Report(d.name, d.status, how, tuple(r[0] for r in rows), tuple(r[1] for r in rows),
                  tuple(r[2] for r in rows), tuple(r[3] for r in rows), (note,), rtol)


def _symbolic_dimension_report(d, n: int, rng: np.random.Generator, rtol: float) -> Report:
    """A result of symbolic dimension at explicit random sizes and values
    (:mod:`symbolic_info.derive.explicit`); the points show k and the norms of matrix values."""
    from ..derive import explicit as dimension
    points, derived, numeric, errors = [], [], [], []
    sizes = dimension.sizes(d)
    for i in range(n):
        point = dimension.random_point(d, rng, sizes[i % len(sizes)])
        a, b = dimension.derived_value(d, point), dimension.defining_value(d, point)
        points.append(dimension.shown(point))
        derived.append(a)
        numeric.append(b)
        errors.append(dimension.relative(a, b))
    note = ("symbolic dimension: evaluated at explicit sizes and random values (matrices shown "
            "by their Frobenius norm), against nested quadrature of the explicit density")
    return Report(d.name, d.status, "scipy.integrate.nquad at explicit dimensions",
                  tuple(points), tuple(derived), tuple(numeric), tuple(errors), (note,), rtol)


def evaluator(expr: sp.Expr) -> Callable[[dict], float]:
    """A 30-digit evaluator of ``expr`` at a point (used by verify and properties)."""
    def f(point: dict) -> float:
        value = sp.N(sp.sympify(expr).xreplace(exact(point)), 30)
        return math.inf if value == sp.oo else float(sp.re(value))
    return f
