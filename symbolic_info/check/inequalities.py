r"""Identities and inequalities between the divergences of issue 12, at random points.

With :math:`H^2 = 1 - \mathrm{BC}` (``hellinger``) and :math:`D_B = -\log \mathrm{BC}`:

.. math::
    D_\alpha(P\|P) = 0,\quad D_\alpha \ge 0 \text{ non-decreasing in } \alpha,\quad
    D_{1/2} = 2 D_B,\quad D_2 = \log(1 + \chi^2),\quad D_B = -\log(1 - H^2),

.. math::
    H^2 \le \mathrm{TV} \le \sqrt{H^2 (2 - H^2)},\quad \mathrm{TV} \le \sqrt{\mathrm{KL}/2},
    \quad \mathrm{KL} \le \log(1 + \chi^2),\quad \mathrm{JS} \le \log 2,

and for P alone: :math:`H_\alpha` non-increasing in :math:`\alpha`, Tsallis
:math:`S_q \to H` as :math:`q \to 1`.  Each derived result is evaluated at 30 digits
(:func:`.cross_validate.derived_value`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import sympy as sp

from .cross_validate import derived_value, named, sample_points
from .definitions import draw_order, order_symbol
from .properties import PropertyCheck

SLACK = 1e-9  # a <= b holds when a <= b + SLACK * max(1, |a|, |b|)
NEAR_ONE = 1e-6  # Tsallis order 1 ± NEAR_ONE against the Shannon entropy


def _le(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return False
    if math.isinf(a) or math.isinf(b):
        return a <= b
    return a <= b + SLACK * max(1.0, abs(a), abs(b))


def _eq(a: float, b: float, tol: float = SLACK) -> bool:
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def value(d, point: dict, order: float | None = None) -> float:
    """The result of ``d`` at ``point`` (its order, when symbolic, set to ``order``)."""
    symbol = order_symbol(d)
    if symbol is not None and order is not None:
        point = {**point, symbol: order}
    out = derived_value(d, point)
    if math.isnan(out) and d.result.has(sp.Integral, sp.Sum):  # the numeric route failed
        from .cross_validate import defining_value
        return defining_value(d, point).value
    return out


def check_all(name: str, points: list[dict], test: Callable[[dict], tuple[bool, str]],
              ) -> PropertyCheck:
    """The property ``test`` at every point; the first failure is the witness."""
    for pt in points:
        ok, detail = test(pt)
        if not ok:
            return PropertyCheck(name, False, "numeric", detail, named(pt))
    return PropertyCheck(name, True, "numeric", f"at {len(points)} random points")


def pair_checks(P, Q, *, n: int = 10, seed: int = 0, timeout: float = 30,
                quantities: tuple[str, ...] | None = None) -> tuple[PropertyCheck, ...]:
    """The properties of the pair (P, Q) listed in the module docstring; ``quantities``
    restricts the derivations used (default: all of them)."""
    from .. import derive as si
    want = set(quantities or ("renyi_divergence", "bhattacharyya", "hellinger", "chi_square",
                              "total_variation", "jensen_shannon", "kl"))
    ds = {"kl": lambda: si.kl(P, Q, timeout=timeout),
          "renyi_divergence": lambda: si.renyi_divergence(P, Q, "alpha", timeout=timeout),
          "self": lambda: si.renyi_divergence(P, P, "alpha", timeout=timeout),
          "bhattacharyya": lambda: si.bhattacharyya(P, Q, timeout=timeout),
          "hellinger": lambda: si.hellinger(P, Q, timeout=timeout),
          "chi_square": lambda: si.chi_square(P, Q, timeout=timeout),
          "total_variation": lambda: si.total_variation(P, Q, timeout=timeout),
          "jensen_shannon": lambda: si.jensen_shannon(P, Q, timeout=timeout)}
    d = {k: f() for k, f in ds.items() if k in want or (k == "self" and
                                                         "renyi_divergence" in want)}
    rng = np.random.default_rng(seed)
    base = d.get("hellinger") or next(iter(d.values()))
    points = [pt for pt in sample_points(base, n, rng)]
    orders = [sorted((draw_order(rng), draw_order(rng))) for _ in points]
    at = {id(pt): o for pt, o in zip(points, orders)}

    def v(key: str, pt: dict, which: int = 0) -> float:
        return value(d[key], pt, at[id(pt)][which])

    checks = []
    if "renyi_divergence" in d:
        checks += [
            check_all("D_a(P||P) = 0", points, lambda pt: (
                _eq(v("self", pt), 0.0), f"D_a(P||P) = {v('self', pt):.6g}")),
            check_all("D_a(P||Q) >= 0", points, lambda pt: (
                _le(0.0, v("renyi_divergence", pt)),
                f"D_a = {v('renyi_divergence', pt):.6g}")),
            check_all("D_a non-decreasing in a", points, lambda pt: (
                _le(v("renyi_divergence", pt, 0), v("renyi_divergence", pt, 1)),
                f"D_{at[id(pt)][0]:.4g} = {v('renyi_divergence', pt, 0):.10g} > "
                f"D_{at[id(pt)][1]:.4g} = {v('renyi_divergence', pt, 1):.10g}"))]
    for key in ("bhattacharyya", "hellinger", "chi_square", "total_variation",
                "jensen_shannon", "kl"):
        if key in d:
            checks.append(check_all(f"{key} >= 0", points, lambda pt, key=key: (
                _le(0.0, v(key, pt)), f"{key} = {v(key, pt):.6g}")))
    checks += _relations(d, points, v)
    return tuple(checks)


def _relations(d: dict, points: list[dict], v) -> list[PropertyCheck]:
    out = []

    def both(*keys: str) -> bool:
        return all(k in d for k in keys)

    def renyi_at(pt: dict, a: float) -> float:
        return value(d["renyi_divergence"], pt, a)

    if both("hellinger", "total_variation"):
        def le_cam(pt):
            h2, tv = v("hellinger", pt), v("total_variation", pt)
            upper = math.sqrt(max(h2 * (2 - h2), 0.0))
            return _le(h2, tv) and _le(tv, upper), f"H^2 = {h2:.10g}, TV = {tv:.10g}, " \
                                                  f"sqrt(H^2(2 - H^2)) = {upper:.10g}"
        out.append(check_all("H^2 <= TV <= sqrt(H^2(2-H^2))", points, le_cam))
    if both("hellinger", "bhattacharyya"):
        out.append(check_all("D_B = -log(1 - H^2)", points, lambda pt: (
            _eq(v("bhattacharyya", pt), -math.log1p(-v("hellinger", pt))),
            f"D_B = {v('bhattacharyya', pt):.12g}, -log(1 - H^2) = "
            f"{-math.log1p(-v('hellinger', pt)):.12g}")))
    if both("renyi_divergence", "bhattacharyya"):
        out.append(check_all("D_1/2 = 2 D_B", points, lambda pt: (
            _eq(renyi_at(pt, 0.5), 2 * v("bhattacharyya", pt)),
            f"D_1/2 = {renyi_at(pt, 0.5):.12g}, 2 D_B = {2 * v('bhattacharyya', pt):.12g}")))
    if both("renyi_divergence", "chi_square"):
        out.append(check_all("D_2 = log(1 + chi^2)", points, lambda pt: (
            _eq(renyi_at(pt, 2.0), math.log1p(v("chi_square", pt))),
            f"D_2 = {renyi_at(pt, 2.0):.12g}, log(1 + chi^2) = "
            f"{math.log1p(v('chi_square', pt)):.12g}")))
    if both("kl", "chi_square"):
        out.append(check_all("KL <= log(1 + chi^2)", points, lambda pt: (
            _le(v("kl", pt), math.log1p(v("chi_square", pt))),
            f"KL = {v('kl', pt):.10g}, log(1 + chi^2) = {math.log1p(v('chi_square', pt)):.10g}")))
    if both("kl", "total_variation"):
        out.append(check_all("TV <= sqrt(KL/2) (Pinsker)", points, lambda pt: (
            _le(v("total_variation", pt), math.sqrt(v("kl", pt) / 2)),
            f"TV = {v('total_variation', pt):.10g}, sqrt(KL/2) = "
            f"{math.sqrt(v('kl', pt) / 2):.10g}")))
    if "jensen_shannon" in d:
        out.append(check_all("JS <= log 2", points, lambda pt: (
            _le(v("jensen_shannon", pt), math.log(2)), f"JS = {v('jensen_shannon', pt):.10g}")))
    return out


def member_checks(P, *, n: int = 10, seed: int = 0, timeout: float = 30
                  ) -> tuple[PropertyCheck, ...]:
    """H_a non-increasing in a, and Tsallis S_q -> H(P) as q -> 1, at random points."""
    from .. import derive as si
    renyi = si.renyi_entropy(P, "alpha", timeout=timeout)
    tsallis = si.tsallis_entropy(P, "q", timeout=timeout)
    shannon = si.entropy(P, timeout=timeout)
    rng = np.random.default_rng(seed)
    points = sample_points(shannon, n, rng)
    orders = {id(pt): sorted((draw_order(rng), draw_order(rng))) for pt in points}

    def monotone(pt):
        a, b = orders[id(pt)]
        ha, hb = value(renyi, pt, a), value(renyi, pt, b)
        return _le(hb, ha), f"H_{a:.4g} = {ha:.10g} < H_{b:.4g} = {hb:.10g}"

    def limit(pt):
        h = derived_value(shannon, pt)
        near = [value(tsallis, pt, 1 + s * NEAR_ONE) for s in (-1, 1)]
        return all(_eq(x, h, 1e-5) for x in near), f"S_(1±1e-6) = {near}, H = {h:.10g}"

    return (check_all("H_a non-increasing in a", points, monotone),
            check_all("Tsallis S_q -> H as q -> 1", points, limit))

