"""Check a :class:`FamilyMapping` before trusting it: the library's log density and ours must
agree at random parameters and points of the support, so a wrong mapping is reported as a
``mapping_error``, never as a bug of the library."""

from __future__ import annotations

import math

import mpmath
import numpy as np

from ..families import Family, family, get_spec
from . import vector
from .adapter import FamilyMapping, LibraryAdapter
from .points import random_points
from .reference import log_density, numeric_member

PARAMETER_POINTS = 4
TOLERANCE = 1e-6  # on the log density, relative to max(1, |ours|)
#: log of the smallest positive number of a dtype (-744.4 in float64, -103.3 in float32):
#: below it the density underflows to 0, so a log density of -inf there agrees with ours
UNDERFLOW = {dt: math.log(float(np.nextafter(np.zeros((), dt), np.ones((), dt))))
             for dt in ("float32", "float64")}


def support_points(member: Family) -> list[float]:
    """A few points of ``member``'s support (numeric parameters)."""
    s = member.support
    if member.discrete:
        if s.inf.is_finite:
            start = int(s.inf)
            stop = int(s.sup) if s.sup.is_finite else start + 8
        elif s.sup.is_finite:        # unbounded below only: the top of the support
            stop = int(s.sup)
            start = stop - 8
        else:                        # all the integers: around 0 (where the families centre)
            start, stop = -4, 4
        return [float(k) for k in range(start, stop + 1)][:9]
    lo, hi = s.inf, s.sup
    if lo.is_finite and hi.is_finite:
        a, b = float(lo), float(hi)
        return [a + (b - a) * u for u in (0.05, 0.2, 0.5, 0.7, 0.93)]
    if lo.is_finite:
        return [float(lo) + t for t in (0.05, 0.4, 1.0, 2.5, 6.0)]
    if hi.is_finite:
        return [float(hi) - t for t in (0.05, 0.4, 1.0, 2.5, 6.0)]
    return [-3.0, -0.7, 0.0, 0.4, 2.2]


def check_mapping(adapter: LibraryAdapter, cls: str, seed: int = 0) -> str | None:
    """None when ``cls``'s mapping holds; else the reason (the first point that disagrees, or
    the error the library raised)."""
    m = adapter.mappings[cls]
    if vector.is_vector(m.family):
        return check_vector_mapping(adapter, cls, m, seed)
    spec = get_spec(m.family)
    member = family(m.family, **{n: f"m_{n}" for n in spec.param_names})
    rng = np.random.default_rng(seed)
    cases = ((m.library_kwargs(point.p), point.p, x + m.shift,
              log_density(m.family, point.p, x))
             for point in random_points(member, None, rng, PARAMETER_POINTS)
             for x in support_points(numeric_member(m.family, point.p)))
    return _compare(adapter, cls, m, cases)


def check_vector_mapping(adapter: LibraryAdapter, cls: str, m: FamilyMapping,
                         seed: int = 0) -> str | None:
    """:func:`check_mapping` for a vector family: at random parameters, at points of the
    variate drawn from the law (:func:`.vector.variates`, converted to the library's variate
    by the mapping's ``variate``)."""
    rng = np.random.default_rng(seed)

    def cases():
        for _ in range(PARAMETER_POINTS):
            params = vector.draw(m.family, rng)
            kwargs = m.library_kwargs(params)
            for x in vector.variates(m.family, params, rng):
                theirs_x = m.variate(x, params) if m.variate is not None else x
                yield kwargs, params, theirs_x, vector.log_density(m.family, params, x)
    return _compare(adapter, cls, m, cases())


def _compare(adapter: LibraryAdapter, cls: str, m: FamilyMapping, cases) -> str | None:
    """The library's float64 log density against ours at each ``(library kwargs, our
    parameters, the library's variate, our 50-digit log density)``: None when all agree."""
    checked = 0
    for kwargs, params, x, ours in cases:
        if not mpmath.isfinite(ours):
            continue
        try:
            theirs = adapter.log_prob(cls, kwargs, x, "float64")
        except Exception as exc:  # noqa: BLE001 - whatever the library raises
            return f"{cls}({_text(kwargs)}).log_prob({x!r}) raised {type(exc).__name__}: {exc}"
        if theirs == -math.inf and ours < UNDERFLOW["float64"]:
            continue   # the density underflows in float64: -inf is the library's best
        if not math.isfinite(theirs) or abs(theirs - float(ours)) > TOLERANCE * max(
                1.0, abs(float(ours))):
            return (f"log_prob of {cls}({_text(kwargs)}) at {x!r} is {theirs!r}, "
                    f"our {m.family}({_text(params)}) gives {float(ours)!r}")
        checked += 1
    return None if checked else f"no point of {cls}'s support to check the mapping at"


def _text(kw: dict) -> str:
    def one(v):
        if isinstance(v, tuple):
            return "[" + ", ".join(one(e) for e in v) + "]"
        return f"{v:g}"
    return ", ".join(f"{k}={one(v)}" for k, v in kw.items())
