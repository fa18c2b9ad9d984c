r"""Properties every pair of members must show, checked on the engine's own derivations.

.. math::
    D_{\mathrm{KL}}(P \parallel P) = 0, \qquad D_{\mathrm{KL}}(P \parallel Q) \ge 0
    \ \text{(Gibbs' inequality)}, \qquad H(P, Q) = H(P) + D_{\mathrm{KL}}(P \parallel Q),

and, in general, :math:`D_{\mathrm{KL}}(P \parallel Q) \ne D_{\mathrm{KL}}(Q \parallel P)`
(reported with a point where the two differ, when one is found).  Identities are checked
symbolically within a time budget, then numerically at random valid points; the inequality at
random points, with the worst (smallest) value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..budget import run_limited
from ..errors import BudgetExceeded, InvalidParameter
from .cross_validate import derived_value, named, sample_points
from .verify import simplify_difference

ATOL = 1e-9   # numeric identities: |lhs - rhs| <= ATOL * max(1, |lhs|, |rhs|)


@dataclass(frozen=True)
class PropertyCheck:
    """One property: whether it holds (None: undecided), how, and a witness point."""

    name: str
    holds: bool | None
    method: str
    detail: str
    point: dict | None = None

    def __str__(self) -> str:
        mark = {True: "yes", False: "NO", None: "?"}[self.holds]
        where = "" if self.point is None else "  at " + ", ".join(
            f"{k}={v:.6g}" for k, v in self.point.items())
        return f"{self.name:<28} {mark:<4} [{self.method}] {self.detail}{where}"


@dataclass(frozen=True)
class Properties:
    """The result of :func:`check_properties` for the pair (P, Q)."""

    p: str
    q: str
    kl_self_zero: PropertyCheck
    kl_nonnegative: PropertyCheck
    asymmetry: PropertyCheck
    decomposition: PropertyCheck
    divergences: tuple[PropertyCheck, ...] = ()  # with divergences=True (issue 12)

    @property
    def checks(self) -> tuple[PropertyCheck, ...]:
        return (self.kl_self_zero, self.kl_nonnegative, self.asymmetry, self.decomposition,
                *self.divergences)

    @property
    def ok(self) -> bool:
        """The identities and the inequalities hold (asymmetry is informative only)."""
        return all(c.holds for c in (self.kl_self_zero, self.kl_nonnegative,
                                     self.decomposition, *self.divergences))

    def __str__(self) -> str:
        head = f"properties of P = {self.p}, Q = {self.q}: {'OK' if self.ok else 'FAILED'}"
        return "\n".join([head, *(f"  {c}" for c in self.checks)])


def _symbolic_zero(expr: sp.Expr, timeout: float) -> bool:
    if expr.has(sp.Integral, sp.Sum) or expr.has(sp.oo, sp.zoo, sp.nan):
        return False
    try:
        return run_limited(simplify_difference, timeout, expr)[0]
    except BudgetExceeded:
        return False
    except Exception:  # noqa: BLE001 - sympy raises on odd inputs; the numeric route decides
        return False


def _close(a: float, b: float) -> bool:
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= ATOL * max(1.0, abs(a), abs(b))


def _self_zero(d, points, timeout) -> PropertyCheck:
    name = "KL(P||P) = 0"
    if d.status != "infinite" and (d.result == 0 or _symbolic_zero(d.result, timeout)):
        return PropertyCheck(name, True, "symbolic", f"{d.name} simplifies to 0")
    for pt in points:
        value = derived_value(d, pt)
        if not _close(value, 0.0):
            return PropertyCheck(name, False, "numeric", f"KL(P||P) = {value:.6g}", named(pt))
    return PropertyCheck(name, True, "numeric", f"0 at {len(points)} random points")


def _nonnegative(d, points) -> PropertyCheck:
    name = "KL(P||Q) >= 0"
    values = [derived_value(d, pt) for pt in points]
    if any(math.isnan(v) for v in values):
        i = next(i for i, v in enumerate(values) if math.isnan(v))
        return PropertyCheck(name, None, "numeric", "KL(P||Q) could not be evaluated",
                             named(points[i]))
    i = int(np.argmin(values))
    ok = values[i] >= -ATOL * max(1.0, abs(values[i]))
    return PropertyCheck(name, ok, "numeric", f"smallest of {len(points)} random points: "
                         f"{values[i]:.6g}", named(points[i]))


def _asymmetry(d_pq, d_qp, points) -> PropertyCheck:
    name = "KL(P||Q) != KL(Q||P)"
    for pt in points:
        a, b = derived_value(d_pq, pt), derived_value(d_qp, pt)
        if not (math.isnan(a) or math.isnan(b) or _close(a, b)):
            return PropertyCheck(name, True, "numeric",
                                 f"KL(P||Q) = {a:.6g}, KL(Q||P) = {b:.6g}", named(pt))
    return PropertyCheck(name, False, "numeric",
                         f"equal at all {len(points)} random points (symmetric here)")


def _decomposition(ce, h, kl_pq, points, timeout) -> PropertyCheck:
    name = "H(P,Q) = H(P) + KL(P||Q)"
    if "undefined" in (ce.status, h.status):
        return PropertyCheck(name, None, "status", "H(P) or H(P,Q) is undefined (its integral "
                             "has no value): the identity has nothing to compare")
    if "infinite" not in (ce.status, kl_pq.status):
        diff = ce.result - h.result - kl_pq.result
        if _symbolic_zero(diff, timeout):
            return PropertyCheck(name, True, "symbolic", "H(P,Q) - H(P) - KL(P||Q) "
                                 "simplifies to 0")
    for pt in points:
        c, e, k = derived_value(ce, pt), derived_value(h, pt), derived_value(kl_pq, pt)
        if not _close(c, e + k):
            return PropertyCheck(name, False, "numeric",
                                 f"H(P,Q) = {c:.12g} but H(P) + KL(P||Q) = {e + k:.12g}",
                                 named(pt))
    return PropertyCheck(name, True, "numeric", f"equal at {len(points)} random points")


def check_properties(P, Q, *, n: int = 20, seed: int = 0, timeout: float = 30,
                     divergences: bool = False) -> Properties:
    """Check KL(P‖P) = 0, KL(P‖Q) ≥ 0, asymmetry and H(P, Q) = H(P) + KL(P‖Q); with
    ``divergences=True`` also the Rényi, Hellinger, Bhattacharyya, χ², TV and JS relations
    and the Rényi / Tsallis entropies of P (:mod:`.inequalities`)."""
    from ..derive import cross_entropy, entropy, kl
    if not (isinstance(n, int) and n > 0):
        raise InvalidParameter(f"n must be a positive integer, got {n!r}")
    rng = np.random.default_rng(seed)
    kl_pp, kl_pq, kl_qp = kl(P, P, timeout=timeout), kl(P, Q, timeout=timeout), \
        kl(Q, P, timeout=timeout)
    h, ce = entropy(P, timeout=timeout), cross_entropy(P, Q, timeout=timeout)
    points = sample_points(kl_pq, n, rng)
    return Properties(
        p=P.label(), q=Q.label(),
        kl_self_zero=_self_zero(kl_pp, sample_points(kl_pp, min(n, 5), rng), timeout),
        kl_nonnegative=_nonnegative(kl_pq, points),
        asymmetry=_asymmetry(kl_pq, kl_qp, [pt for pt in points
                                            if _conditions_ok(kl_qp, pt)]),
        decomposition=_decomposition(ce, h, kl_pq, points, timeout),
        divergences=_divergences(P, Q, n, seed, timeout) if divergences else ())


def _divergences(P, Q, n: int, seed: int, timeout: float) -> tuple[PropertyCheck, ...]:
    from .inequalities import member_checks, pair_checks
    return (pair_checks(P, Q, n=n, seed=seed, timeout=timeout)
            + member_checks(P, n=n, seed=seed, timeout=timeout))


def _conditions_ok(d, point: dict) -> bool:
    from .cross_validate import conditions_hold
    return conditions_hold(d.conditions, point)
