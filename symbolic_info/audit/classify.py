"""Evaluate one library formula in one dtype at the audit's points and classify it."""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import numpy as np

from ..derive import Derivation
from .adapter import LibraryAdapter, Params
from .findings import SEVERITY, Finding
from .points import Point
from .reference import numeric_value, our_value, vector_numeric_value
from .units import Unit, arguments
from .vector import is_vector

CONFIRM_TOLERANCE = 1e-6  # the quadrature confirms our value to this relative error
CONFIRM_ATTEMPTS = 3
DOUBT_ATTEMPTS = 3   # quadratures per kind of point checking ``inaccurate`` ones


@dataclass(frozen=True)
class Tolerances:
    """``agree``: the largest relative error that still agrees; ``wrong``: the smallest that
    is a wrong formula (at a random point, once confirmed by quadrature); ``floor``: below
    this magnitude ``wrong`` is judged by the absolute error (rounding of O(1) terms next to
    a value near 0 is no sign of a wrong formula); ``largest``: the dtype's largest finite
    number (a true value beyond it is inf in that dtype)."""

    agree: float
    wrong: float
    floor: float
    largest: float = math.inf


def tolerances(dtype: str) -> Tolerances:
    """1e-6 and 1e-3 in float64; in a coarser dtype, 1e3 and 1e5 units of its precision; the
    floor is eps**(1/4) (1.2e-4 in float64, 1.9e-2 in float32)."""
    info = np.finfo(np.dtype(dtype))
    eps = float(info.eps)
    return Tolerances(max(1e-6, 1e3 * eps), max(1e-3, 1e5 * eps), eps ** 0.25,
                      float(info.max))


@dataclass(frozen=True)
class Evaluation:
    """The library's value and ours at one point (the parameters as the dtype rounds them)."""

    point: Point
    kw_p: Params
    kw_q: Params | None
    ours_p: Params
    ours_q: Params | None
    library: float
    ours: float
    rel_err: float


def rounded(kw: Params, dtype: str) -> Params:
    """Keyword values as the library sees them in ``dtype`` (integers stay integers; vectors
    and matrices, tuples, entry by entry)."""
    return {k: _rounded(v, dtype) for k, v in kw.items()}


def _rounded(v, dtype: str):
    if isinstance(v, tuple):
        return tuple(_rounded(e, dtype) for e in v)
    return v if isinstance(v, int) else float(np.asarray(v, dtype=dtype))


def relative_error(library: float, ours) -> float:
    if mpmath.isinf(ours) and library == float(ours):
        return 0.0
    if ours == 0:
        return 0.0 if library == 0 else math.inf
    return float(abs((mpmath.mpf(library) - ours) / ours))


def evaluate(adapter: LibraryAdapter, unit: Unit, d: Derivation, point: Point,
             dtype: str) -> Evaluation | str | None:
    """The evaluation at ``point``; a string when the library raised (the reason); None when
    the point degenerates in ``dtype`` (Q = P after rounding) or ours cannot be evaluated."""
    mp = adapter.mappings[unit.p]
    kw_p = rounded(mp.library_kwargs(point.p), dtype)
    ours_p = mp.our_params(kw_p)
    kw_q = ours_q = None
    if unit.q is not None:
        mq = adapter.mappings[unit.q]
        kw_q = rounded(mq.library_kwargs(point.q), dtype)
        ours_q = mq.our_params(kw_q)
        if point.kind == "near" and kw_q == kw_p:
            return None
    try:
        library = (adapter.kl(unit.p, kw_p, unit.q, kw_q, dtype) if unit.kind == "kl"
                   else adapter.entropy(unit.p, kw_p, dtype))
    except Exception as exc:  # noqa: BLE001 - whatever the library raises
        return f"{type(exc).__name__}: {exc}"
    names = {str(s) for s in d.parameters}
    values = arguments("p", ours_p) | arguments("q", ours_q or {})
    ours = our_value(d, {k: v for k, v in values.items() if k in names})
    if mpmath.isnan(ours):
        return None
    return Evaluation(point, kw_p, kw_q, ours_p, ours_q, float(library), ours,
                      relative_error(float(library), ours))


def numeric_at(unit: Unit, adapter: LibraryAdapter, e: Evaluation,
               d: Derivation | None = None) -> float:
    p = adapter.mappings[unit.p].family
    q = adapter.mappings[unit.q].family if unit.q else None
    if d is not None and (is_vector(p) or is_vector(q)):
        names = {str(s) for s in d.parameters}
        values = arguments("p", e.ours_p) | arguments("q", e.ours_q or {})
        return vector_numeric_value(d, {k: v for k, v in values.items() if k in names},
                                    p, e.ours_p, q, e.ours_q)
    return numeric_value(unit.kind, p, e.ours_p, q, e.ours_q)


def confirms(numeric: float, ours) -> bool:
    """The quadrature agrees with our value (a vector family's independent value: within its
    absolute ``tolerance`` too, see :class:`.reference.Estimate`)."""
    if mpmath.isinf(ours):
        return math.isinf(numeric) or math.isnan(numeric) or abs(numeric) > 1e30
    return abs(numeric - float(ours)) <= max(
        CONFIRM_TOLERANCE * max(abs(float(ours)), 1e-300), getattr(numeric, "tolerance", 0.0))


def point_status(unit: Unit, e: Evaluation, tol: Tolerances) -> str:
    """The status one evaluation suggests (``wrong`` still to be confirmed)."""
    finite = mpmath.isfinite(e.ours)
    if finite and math.isinf(e.library) and abs(e.ours) > tol.largest \
            and (e.library > 0) == (e.ours > 0):
        return "agrees"   # the true value overflows the dtype: inf is the library's best
    if math.isnan(e.library) or (finite and math.isinf(e.library)):
        return "nan_or_inf"
    if unit.kind == "kl" and e.library < 0:
        return "negative"
    if not finite:
        return "agrees" if e.library == float(e.ours) else "wrong"
    if e.point.kind == "random" and float(abs(e.library - e.ours)) > tol.wrong * max(
            float(abs(e.ours)), tol.floor):   # a value next to 0 is no sign of a wrong formula
        return "wrong"
    return "inaccurate" if e.rel_err > tol.agree else "agrees"


def classify(adapter: LibraryAdapter, unit: Unit, d: Derivation, points: list[Point],
             dtype: str) -> Finding:
    """The finding of ``unit`` in ``dtype``: its most severe status over the points, with the
    worst point of that status as the counterexample."""
    tol = tolerances(dtype)
    by_status: dict[str, list[Evaluation]] = {}
    raised: list[str] = []
    for point in points:
        e = evaluate(adapter, unit, d, point, dtype)
        if isinstance(e, str):
            raised.append(e)
        elif e is not None:
            by_status.setdefault(point_status(unit, e, tol), []).append(e)
    if not by_status:
        reason = raised[0] if raised else "no point could be evaluated"
        return Finding(unit.kind, unit.p, unit.q, dtype, "unsupported",
                       _empty(f"the library raised at every point: {reason}"))
    numerics: dict[int, float] = {}

    def numeric(e: Evaluation) -> float:
        if id(e) not in numerics:
            numerics[id(e)] = numeric_at(unit, adapter, e, d)
        return numerics[id(e)]

    wrong = sorted(by_status.pop("wrong", []), key=lambda e: -e.rel_err)
    for e in wrong[:CONFIRM_ATTEMPTS]:
        if confirms(numeric(e), e.ours):
            by_status["wrong"] = [e]
            break
    else:
        if wrong:
            by_status.setdefault("inaccurate", []).extend(wrong)
    if "inaccurate" in by_status:
        kept = _not_ours(by_status.pop("inaccurate"), numeric, numerics)
        if kept:
            by_status["inaccurate"] = kept
    if not by_status:   # every point that differed was our value's fault, not the library's
        by_status["agrees"] = []
    status = min(by_status, key=SEVERITY.index)
    if status == "agrees":
        return Finding(unit.kind, unit.p, unit.q, dtype, "agrees")
    worst = max(by_status[status], key=lambda e: e.rel_err)
    return Finding(unit.kind, unit.p, unit.q, dtype, status,
                   counterexample(adapter, unit, worst, numeric(worst), dtype, status, tol))


def sides_with_library(numeric: float, e: Evaluation) -> bool:
    """The quadrature disagrees with our value and is closer to the library's: the difference
    is our value's fault (e.g. a numeric route missing a sharp peak), not the library's."""
    if math.isnan(numeric) or confirms(numeric, e.ours):
        return False
    if math.isinf(numeric) or math.isinf(e.library):
        return numeric == e.library
    return abs(e.library - numeric) < abs(mpmath.mpf(numeric) - e.ours)


def _not_ours(evaluations: list[Evaluation], numeric, numerics: dict) -> list[Evaluation]:
    """The ``inaccurate`` evaluations that are the library's. For each kind of point ("random",
    "near", "wide"), from the worst: a point whose quadrature sides with the library is
    dropped; the first that stands and those after it are kept. After DOUBT_ATTEMPTS new
    quadratures of one kind all dropped, the rest of that kind is dropped too: our value is
    not to be trusted there."""
    kept = []
    for kind in dict.fromkeys(e.point.kind for e in evaluations):
        ranked = sorted((e for e in evaluations if e.point.kind == kind),
                        key=lambda e: -e.rel_err)
        checks = 0
        for i, e in enumerate(ranked):
            if id(e) not in numerics:
                if checks == DOUBT_ATTEMPTS:
                    break
                checks += 1
            if not sides_with_library(numeric(e), e):
                kept += ranked[i:]
                break
    return kept


def counterexample(adapter: LibraryAdapter, unit: Unit, e: Evaluation, numeric: float,
                   dtype: str, status: str, tol: Tolerances) -> dict:
    reasons = {"wrong": f"relative error above {tol.wrong:g} at a random point, our value "
                        f"confirmed by quadrature",
               "negative": "a KL divergence below zero",
               "nan_or_inf": "the library's value is not finite where the true one is",
               "inaccurate": f"relative error above {tol.agree:g} "
                             f"({e.point.kind} point{', ' + e.point.note if e.point.note else ''})"}
    out = {"params": {"p": e.kw_p, "q": e.kw_q}, "library": e.library,
           "ours": float(e.ours), "numeric": float(numeric), "rel_err": e.rel_err,
           "point": f"{e.point.kind} {e.point.note}".strip(), "reason": reasons[status],
           "snippet": adapter.snippet(unit.kind, unit.p, e.kw_p, unit.q, e.kw_q, dtype)}
    if getattr(numeric, "note", ""):   # how a vector family's independent value was obtained
        out["numeric_note"] = numeric.note
    return out


def _empty(reason: str) -> dict:
    return {"params": None, "library": None, "ours": None, "numeric": None, "rel_err": None,
            "reason": reason, "snippet": None}
