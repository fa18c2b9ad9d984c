r"""Defining values of the quantities of issue 12, independent of the engine.

Every quantity is a function of one or two expectations, each computed with the quadrature
and summation of :mod:`.cross_validate` (tails out to :math:`10^{300}`, divergence detected):

.. math::
    \int p^\alpha q^{1-\alpha} = \mathbb{E}_P[(q/p)^{1-\alpha}],\quad
    \int p^\alpha = \mathbb{E}_P[p^{\alpha-1}],\quad
    \int \sqrt{pq} = \mathbb{E}_P[\sqrt{q/p}],\quad
    \int p^2/q = \mathbb{E}_P[p/q],

:math:`\mathrm{TV} = \mathbb{E}_P[(1 - q/p)_+]`,
:math:`\mathrm{JS} = \tfrac12\mathbb{E}_P[\log\tfrac{2p}{p+q}] + \tfrac12\mathbb{E}_Q[\log
\tfrac{2q}{p+q}]`, :math:`D_f = \mathbb{E}_P[f(p/q)\,q/p] + f(0)\,Q(p = 0)` (with
:math:`f'(\infty)\,P(q = 0)` where Q vanishes) and :math:`I_{ij} = \mathbb{E}_P[s_i s_j]`
(:math:`s_i = \partial_i \log p`, differentiated here).  Each density is masked to its own
support (the families' formulas do not vanish outside it).  The order :math:`\alpha` of a
Rényi or Tsallis quantity is read from the derivation's definition step.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp
from scipy import optimize

from ..errors import InvalidParameter
from .cross_validate import (
    ATOL,
    FAR,
    Numeric,
    _integral,
    _mass_outside,
    _pointwise,
    _region_value,
    _sum,
    exact,
    relative_error,
)
from .cross_validate import _log_density as log_density

ORDERED = ("renyi_divergence", "renyi_entropy", "tsallis_entropy")
PAIRS = ("renyi_divergence", "bhattacharyya", "hellinger", "chi_square", "total_variation",
         "jensen_shannon", "f_divergence")
QUANTITIES = (*ORDERED, *PAIRS[1:], "fisher_information")
ORDER_RANGE = (0.1, 2.9)  # random orders: uniform here, away from 1 by ORDER_GAP
ORDER_GAP = 0.05
T = sp.Symbol("t", positive=True)  # the generator's variable (as in derive.f_divergence)


# -- the order ------------------------------------------------------------------------------
def order_of(d) -> sp.Expr | None:
    """The order α (or q) of a Rényi / Tsallis derivation, read back from its definition
    log(I)/(α − 1), log(I)/(1 − α) or (1 − I)/(q − 1); None for other quantities."""
    if d.quantity not in ORDERED:
        return None
    definition = d.steps[0].expr
    i = next((s for s in definition.free_symbols if s.name == "I"), None)
    if i is None:
        return d.parameters[-1]
    solve = {"renyi_divergence": 1 + sp.log(i) / definition,
             "renyi_entropy": 1 - sp.log(i) / definition,
             "tsallis_entropy": 1 + (1 - i) / definition}[d.quantity]
    return sp.simplify(solve)


def order_symbol(d) -> sp.Symbol | None:
    """The order when it is a symbol (then the last of ``d.parameters``)."""
    order = order_of(d)
    return order if isinstance(order, sp.Symbol) else None


def draw_order(rng: np.random.Generator) -> float:
    """A random order in (0.1, 0.95) ∪ (1.05, 2.9)."""
    while True:
        a = float(rng.uniform(*ORDER_RANGE))
        if abs(a - 1) > ORDER_GAP:
            return a


# -- members at a point ---------------------------------------------------------------------
@dataclass(frozen=True)
class Side:
    """One member at a numeric point: log density (in ``t``) and support ends."""

    log_p: sp.Expr
    support: sp.Set
    lo: float
    hi: float
    point: dict

    @classmethod
    def of(cls, member, t, ex: dict) -> Side:
        support = member.support.xreplace(ex)
        return cls(log_density(member.density_at(t)).xreplace(ex), support,
                   float(support.inf), float(support.sup), ex)

    def inside(self, t) -> sp.Basic:
        parts = [c for c, end in ((t >= self.lo, self.lo), (t <= self.hi, self.hi))
                 if math.isfinite(end)]
        return sp.And(*parts)

    def masked(self, t) -> sp.Expr:
        """log p, -oo outside the support."""
        inside = self.inside(t)
        return self.log_p if inside == sp.true else sp.Piecewise((self.log_p, inside),
                                                                 (-sp.oo, True))

    def contains(self, other: Side) -> bool:
        return self.lo <= other.lo and other.hi <= self.hi


@dataclass(frozen=True)
class Expectand:
    """E_P[g] as :func:`._region_value` reads it (``t``, ``log_p``, ``g()``)."""

    t: object
    log_p: sp.Expr
    body: sp.Expr

    def g(self) -> sp.Expr:
        return self.body


def _expectation(d, side: Side, g: sp.Expr, t, method: str, anchors: list[float],
                 other: Side | None = None, member=None) -> Numeric:
    """E[g] under the member of ``side``; +oo when ``other`` is given and it puts no mass
    where ``side`` does (a pole of g there)."""
    use_mp = method == "mpmath"
    modules = ["mpmath"] if use_mp else ["scipy", "numpy"]
    if isinstance(t, tuple):
        view = _MemberView(member or d.p, d.q)
        return _region_value(view, Expectand(t, side.log_p, g), side.point)
    if (member or d.p).discrete:
        f_lp, f_g = (sp.lambdify(t, e, modules=modules) for e in (side.log_p, g))
        f_lq = (sp.lambdify(t, other.log_p, modules=modules) if other is not None else None)
        with mpmath.workdps(30):
            return _sum(f_lp, f_g, f_lq, side.support, other.support if other else None,
                        use_mp)
    if other is not None:
        f_lp = sp.lambdify(t, side.log_p, modules=["scipy", "numpy"])
        outside = _mass_outside(f_lp, side.support, other.support)
        if outside is not None:
            return outside
    ends = [side.lo, side.hi] + ([other.lo, other.hi] if other is not None else [])
    anchors = [a for a in anchors + ends if math.isfinite(a)]
    with mpmath.workdps(30) if use_mp else _Null():
        return _integral(_pointwise(side.log_p, g, t, use_mp), side.support, anchors, use_mp)


class _Null:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


@dataclass(frozen=True)
class _MemberView:
    """What :func:`._region_value` reads of a derivation, for an expectation under ``p``."""

    p: object
    q: object


def _crossings(side: Side, other: Side, t, anchors: list[float]) -> list[float]:
    """Points where log p = log q inside P's support (sign changes on a grid, refined)."""
    diff = sp.lambdify(t, side.log_p - other.log_p, modules=["scipy", "numpy"])
    lo = side.lo if math.isfinite(side.lo) else min(anchors, default=0.0) - 60
    hi = side.hi if math.isfinite(side.hi) else max(anchors, default=0.0) + 60
    grid = np.unique(np.concatenate([np.linspace(lo, hi, 4001)[1:-1],
                                     [a for a in anchors if lo < a < hi]]))
    with np.errstate(all="ignore"):
        values = np.array([float(np.real(diff(x))) for x in grid])
    out = []
    for a, b, fa, fb in zip(grid, grid[1:], values, values[1:]):
        if np.isfinite(fa) and np.isfinite(fb) and fa * fb < 0:
            out.append(optimize.brentq(lambda x: float(np.real(diff(x))), a, b, xtol=1e-14))
    return out


# -- the quantities -------------------------------------------------------------------------
def defining_value(d, point: dict, method: str = "auto") -> Numeric:
    """The quantity of ``d`` (one of :data:`QUANTITIES` but the Fisher information) at
    ``point`` from its definition."""
    if d.quantity not in QUANTITIES or d.quantity == "fisher_information":
        raise InvalidParameter(f"no definition of {d.quantity!r} here")
    ex = exact(point)
    t = (tuple(sp.Dummy(f"t_{i}", **v.assumptions0) for i, v in enumerate(d.p.variables, 1))
         if d.p.multivariate else sp.Dummy("t", real=True))
    p = _side(d.p, t, ex)
    q = _side(d.q, t, ex) if d.q is not None else None
    anchors = [float(v) for v in ex.values()]
    out = _VALUES[d.quantity](d, p, q, t, ex, method, anchors)
    if d.base is not None and math.isfinite(out.value):
        return Numeric(out.value / math.log(float(d.base)), out.note, out.standard_error)
    return out


def _side(member, t, ex: dict) -> Side:
    if isinstance(t, tuple):
        return Side(log_density(member.density_at(t)).xreplace(ex), sp.Reals, -math.inf,
                    math.inf, ex)
    return Side.of(member, t, ex)


def _order(d, ex: dict) -> float:
    return float(order_of(d).xreplace(ex))


def _log_ratio(p: Side, q: Side, t) -> sp.Expr:
    """log q − log p, with log q masked to Q's support (−oo outside)."""
    return (q.log_p if isinstance(t, tuple) else q.masked(t)) - p.log_p


def _log_integral(d, p: Side, log_f: sp.Expr, t, method: str, anchors: list[float],
                  pole: Side | None = None) -> tuple[Numeric, float]:
    """(∫ exp(log_f) over supp P scaled by e^(-c), c): c is the largest log_f found, so the
    integral neither overflows nor underflows (near the edge of the admissible orders it is
    astronomically large); +oo when ``pole`` has no mass where P has."""
    if isinstance(t, tuple) or d.p.discrete:
        return _expectation(d, p, sp.exp(log_f - p.log_p), t, method, anchors, pole), 0.0
    if pole is not None:
        outside = _mass_outside(sp.lambdify(t, p.log_p, modules=["scipy", "numpy"]),
                                p.support, pole.support)
        if outside is not None:
            return outside, 0.0
    use_mp = method == "mpmath"
    f = sp.lambdify(t, log_f, modules=["scipy", "numpy"])
    pole_at = _endpoint_pole(f, p)
    if pole_at is not None:
        return Numeric(math.inf, f"the integral diverges at {pole_at:.6g}: the integrand "
                                 f"grows like |x - {pole_at:.6g}|^s with s <= -1"), 0.0
    peak, c = _peak(f, p, anchors)
    anchors = [a for a in [*anchors, peak, p.lo, p.hi] if math.isfinite(a)]
    with mpmath.workdps(30) if use_mp else _Null():
        h = _exponential(log_f - sp.Float(c, 30), t, use_mp)
        return _integral(h, p.support, anchors, use_mp), c


def _endpoint_pole(f, p: Side) -> float | None:
    """A finite end of supp P where exp(f) is not integrable: f ~ s log|x - end|, s <= -1
    (the slope of f against log|x - end| between 1e-10 and 1e-13 from the end)."""
    for end, sign in ((p.lo, 1.0), (p.hi, -1.0)):
        if not math.isfinite(end):
            continue
        with np.errstate(all="ignore"):
            near, nearer = (float(np.real(f(end + sign * h))) for h in (1e-10, 1e-13))
        if math.isfinite(near) and math.isfinite(nearer) and \
                (nearer - near) / math.log(1e-13 / 1e-10) <= -1 + 1e-6:
            return end
    return None


def _peak(f, p: Side, anchors: list[float]) -> tuple[float, float]:
    """(x, f(x)) at the largest f found on a wide grid in supp P (geometric out to 1e8)."""
    centre = float(np.median(anchors)) if anchors else 0.0
    spread = np.geomspace(1e-3, 1e8, 300)
    grid = np.concatenate([centre - spread, centre + spread, anchors, [centre]])
    grid = grid[(grid > p.lo) & (grid < p.hi)]
    with np.errstate(all="ignore"):
        values = np.array([float(np.real(f(x))) for x in grid])
    values[~np.isfinite(values)] = -np.inf
    if not len(grid) or not np.isfinite(values.max()):
        return centre, 0.0
    order = np.argsort(grid)
    grid, values = grid[order], values[order]
    k = int(np.argmax(values))
    lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
    best = optimize.minimize_scalar(lambda x: -float(np.real(f(x))), bounds=(lo, hi),
                                    method="bounded", options={"xatol": 1e-10})
    if best.success and -best.fun > values[k]:
        return float(best.x), float(-best.fun)
    return float(grid[k]), float(values[k])


def _exponential(log_f: sp.Expr, t, use_mp: bool):
    """x -> exp(log_f(x)), in mpmath beyond FAR (or throughout with ``use_mp``)."""
    f = sp.lambdify(t, log_f, modules=["scipy", "numpy"])
    m = sp.lambdify(t, log_f, modules=["mpmath"])

    def h(x):
        if use_mp or abs(x) >= FAR:
            try:
                value = mpmath.exp(mpmath.re(m(mpmath.mpf(x))))
            except (OverflowError, ValueError, ZeroDivisionError):
                value = mpmath.mpf(0)
            return value if use_mp else float(value)
        with np.errstate(all="ignore"):
            value = float(np.real(f(np.float64(x))))
        if math.isnan(value):
            return 0.0
        return math.exp(value) if value < 709 else math.inf
    return h


def _scaled(pair: tuple[Numeric, float], transform, what: str) -> Numeric:
    """transform(log I) of a log-scaled integral (I = value · e^c)."""
    i, c = pair
    if not math.isfinite(i.value) or i.value <= 0:
        return i if not math.isfinite(i.value) else Numeric(math.nan, f"{what} = {i.value}")
    return Numeric(transform(math.log(i.value) + c), i.note)


def _renyi(d, p, q, t, ex, method, anchors) -> Numeric:
    a = _order(d, ex)
    log_f = sp.Float(a, 30) * p.log_p + (1 - sp.Float(a, 30)) * _masked(q, t)
    pair = _log_integral(d, p, log_f, t, method, anchors, q if a > 1 else None)
    return _scaled(pair, lambda log_i: log_i / (a - 1), "∫ p^α q^(1-α)")


def _renyi_entropy(d, p, q, t, ex, method, anchors) -> Numeric:
    a = _order(d, ex)
    i, c = _log_integral(d, p, sp.Float(a, 30) * p.log_p, t, method, anchors)
    if math.isinf(i.value):  # ∫ p^α diverges: H_α = -oo (α > 1) or +oo (α < 1)
        return Numeric(math.inf if a < 1 else -math.inf, i.note)
    if d.quantity == "renyi_entropy":
        return _scaled((i, c), lambda log_i: log_i / (1 - a), "∫ p^α")
    return _scaled((i, c), lambda log_i: (1 - math.exp(log_i)) / (a - 1), "∫ p^α")


def _coefficient(d, p, q, t, ex, method, anchors) -> tuple[Numeric, float]:
    return _log_integral(d, p, (p.log_p + _masked(q, t)) / 2, t, method, anchors)


def _bhattacharyya(d, p, q, t, ex, method, anchors) -> Numeric:
    i, c = _coefficient(d, p, q, t, ex, method, anchors)
    if i.value == 0:
        return Numeric(math.inf, "∫ √(pq) = 0")
    return _scaled((i, c), lambda log_i: -log_i, "∫ √(pq)")


def _hellinger(d, p, q, t, ex, method, anchors) -> Numeric:
    i, c = _coefficient(d, p, q, t, ex, method, anchors)
    if i.value == 0:
        return Numeric(1.0, "∫ √(pq) = 0")
    return _scaled((i, c), lambda log_i: -math.expm1(log_i), "∫ √(pq)")


def _chi_square(d, p, q, t, ex, method, anchors) -> Numeric:
    pair = _log_integral(d, p, 2 * p.log_p - _masked(q, t), t, method, anchors, q)
    return _scaled(pair, lambda log_i: math.expm1(log_i), "∫ p²/q")


def _masked(side: Side, t) -> sp.Expr:
    return side.log_p if isinstance(t, tuple) else side.masked(t)


def _total_variation(d, p, q, t, ex, method, anchors) -> Numeric:
    gap = 1 - sp.exp(_log_ratio(p, q, t))
    if not isinstance(t, tuple) and not d.p.discrete:
        anchors = anchors + _crossings(p, q, t, anchors)
    return _expectation(d, p, (gap + sp.Abs(gap)) / 2, t, method, anchors)


def _jensen_shannon(d, p, q, t, ex, method, anchors) -> Numeric:
    def half(a: Side, b: Side, member) -> Numeric:
        g = (sp.log(2) - sp.log(1 + sp.exp(_log_ratio(a, b, t)))) / 2
        return _expectation(d, a, g, t, method, anchors, member=member)
    first, second = half(p, q, d.p), half(q, p, d.q)
    return Numeric(first.value + second.value, "E_P and E_Q parts",
                   math.hypot(first.standard_error, second.standard_error))


def generator_of(d) -> sp.Expr:
    """The generator f(t) of an f-divergence, read from the definition's note."""
    found = re.search(r"f\(t\) = (.+)$", d.steps[0].note or "")
    if found is None:
        raise InvalidParameter(f"no generator in the definition of {d.name}")
    return sp.sympify(found.group(1), locals={"t": T})


def _f_divergence(d, p, q, t, ex, method, anchors) -> Numeric:
    f = generator_of(d)
    slope = sp.limit(f / T, T, sp.oo)   # f'(oo): where q = 0 < p
    at_zero = sp.limit(f, T, 0, "+")    # f(0): where p = 0 < q
    if isinstance(t, tuple) or d.p.discrete:
        r = sp.exp(-_log_ratio(p, q, t))
        inside_q = sp.true if isinstance(t, tuple) else q.inside(t)
        g = (sp.Piecewise((f.xreplace({T: r}) / r, inside_q), (slope, True))
             if slope.is_finite else f.xreplace({T: r}) / r)
        main = _expectation(d, p, g, t, method, anchors, None if slope.is_finite else q)
    else:
        main = _direct_f(f, slope, p, q, t, method, anchors)
    if math.isinf(main.value) or isinstance(t, tuple) or p.contains(q):
        return main
    outside = _expectation(d, q, sp.Piecewise((0, p.inside(t)), (1, True)), t, method,
                           anchors, member=d.q)
    if outside.value <= 0:
        return main
    if not at_zero.is_finite:
        return Numeric(math.inf, f"f(0) = {at_zero} and Q puts mass {outside.value:.3g} "
                                 f"where p = 0")
    return Numeric(main.value + float(at_zero) * outside.value,
                   f"{main.note}; f(0)·Q(p = 0)")


def _direct_f(f: sp.Expr, slope: sp.Expr, p: Side, q: Side, t, method: str,
              anchors: list[float]) -> Numeric:
    """∫ q f(p/q) over supp P, q f(p/q) evaluated in mpmath wherever floats under- or
    overflow (so a divergent tail is not hidden by p underflowing to 0)."""
    if not slope.is_finite:
        outside = _mass_outside(sp.lambdify(t, p.log_p, modules=["scipy", "numpy"]),
                                p.support, q.support)
        if outside is not None:
            return outside
    use_mp = method == "mpmath"
    logs = sp.lambdify(t, (p.log_p, q.log_p), modules=["scipy", "numpy"])
    logs_mp = sp.lambdify(t, (p.log_p, q.log_p), modules=["mpmath"])
    fn = sp.lambdify(T, f, modules=["scipy", "numpy"])
    fm = sp.lambdify(T, f, modules=["mpmath"])
    beyond = float(slope) if slope.is_finite else math.inf

    def precise(x):
        lp, lq = (mpmath.re(v) for v in logs_mp(mpmath.mpf(x)))
        if not q.lo <= x <= q.hi:
            return mpmath.exp(lp) * beyond
        return mpmath.exp(lq) * mpmath.re(fm(mpmath.exp(lp - lq)))

    def h(x):
        if use_mp or abs(x) >= FAR:
            value = precise(x)
            return value if use_mp else float(value)
        with np.errstate(all="ignore"):
            lp, lq = (float(np.real(v)) for v in logs(np.float64(x)))
            if not q.lo <= x <= q.hi:
                return math.exp(lp) * beyond
            qx, r = math.exp(lq), np.float64(math.exp(min(lp - lq, 709.0)))
            try:
                value = qx * float(np.real(fn(r)))
            except (OverflowError, ValueError, ZeroDivisionError):
                value = math.nan
        if math.isfinite(value) and qx > 0 and lp - lq < 709:
            return value
        return float(precise(x))

    anchors = [a for a in [*anchors, p.lo, p.hi, q.lo, q.hi] if math.isfinite(a)]
    with mpmath.workdps(30) if use_mp else _Null():
        return _integral(h, p.support, anchors, use_mp)


_VALUES = {"renyi_divergence": _renyi, "renyi_entropy": _renyi_entropy,
           "tsallis_entropy": _renyi_entropy, "bhattacharyya": _bhattacharyya,
           "hellinger": _hellinger, "chi_square": _chi_square,
           "total_variation": _total_variation, "jensen_shannon": _jensen_shannon,
           "f_divergence": _f_divergence}


# -- Fisher information ---------------------------------------------------------------------
def fisher_entries(d, point: dict, method: str = "auto") -> dict[tuple[int, int], Numeric]:
    """E_P[s_i s_j] for i <= j (1-based), s the score in ``d.p.parameters``."""
    ex = exact(point)
    member = d.p
    t = (tuple(sp.Dummy(f"t_{i}", **v.assumptions0) for i, v in enumerate(member.variables, 1))
         if member.multivariate else sp.Dummy("t", real=True))
    log_p = log_density(member.density_at(t))
    scores = [sp.diff(log_p, s) for s in member.parameters]
    side = _side(member, t, ex)
    out = {}
    for i, si in enumerate(scores):
        for j in range(i, len(scores)):
            g = (si * scores[j]).xreplace(ex)
            out[i + 1, j + 1] = _expectation(d, side, g, t, method,
                                             [float(v) for v in ex.values()])
    return out


def fisher_rows(d, point: dict, method: str = "auto") -> list[tuple[dict, float, float, float]]:
    """(point with the entry (i, j), derived, numeric, relative error) per entry i <= j; an
    entry is compared relative to the largest entry of the matrix when it is smaller."""
    from .cross_validate import named
    matrix = sp.Matrix(d.result).xreplace(exact(point))
    entries = fisher_entries(d, point, method)
    scale = max((abs(r.value) for r in entries.values() if math.isfinite(r.value)), default=1.0)
    rows = []
    for (i, j), ref in entries.items():
        try:
            derived = float(sp.re(sp.N(matrix[i - 1, j - 1], 30)))
        except (TypeError, ValueError):
            derived = math.nan
        error = relative_error(derived, ref.value)
        if math.isfinite(error):
            error = abs(derived - ref.value) / max(abs(ref.value), 1e-6 * scale, ATOL)
        rows.append(({**named(point), "i": i, "j": j}, derived, ref.value, error))
    return rows
