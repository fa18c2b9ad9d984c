"""The points an audit evaluates at: random valid parameters from our samplers, near-equality
points (Q = P·(1 + d)), and wide scales (every scale-like parameter times 1e-6 … 1e6).

A point is our parameter values by name, for P and Q (``None`` for an entropy): numbers, or
for our vector families (:mod:`.vector`) tuples of numbers and tuples of rows, drawn,
perturbed and scaled by the kind of each parameter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..errors import InvalidParameter
from ..families import Family, get_spec, sample_parameters
from ..families.spec import POSITIVE, REAL
from . import vector

NEAR = tuple(10.0 ** -k for k in range(3, 13))     # d = 1e-3 … 1e-12
SCALES = (1e-6, 1e-3, 1e3, 1e6)
NEAR_BASES = 2   # random points near-equality perturbs
WIDE_BASES = 2   # random points wide scales multiply


@dataclass(frozen=True)
class Point:
    """Our parameter values of P and Q (by name); ``kind`` "random", "near" or "wide", and
    ``note`` (the d or the scale)."""

    kind: str
    p: dict[str, float]
    q: dict[str, float] | None
    note: str = ""


def values(member: Family, point: dict) -> dict[str, float]:
    """``member``'s parameter values (by name) at a point of its symbols."""
    out = {}
    for name, value in member.params.items():
        v = value.xreplace({s: sp.sympify(x) for s, x in point.items()})
        out[name] = int(v) if v.is_integer else float(v)
    return out


def random_points(p: Family, q: Family | None, rng: np.random.Generator, n: int) -> list[Point]:
    """``n`` random valid points (a symbol P and Q share gets one value)."""
    out = []
    for _ in range(n):
        point = dict(sample_parameters(p, rng))
        if q is not None:
            point.update({s: v for s, v in sample_parameters(q, rng).items() if s not in point})
        out.append(Point("random", values(p, point), values(q, point) if q is not None else None))
    return out


def _scalable(family: str) -> set[str]:
    """Our parameters of ``family`` that a scale (or a d) may multiply: real and positive ones
    (not probabilities or integers)."""
    spec = get_spec(family)
    return {p.name for p in spec.params if p.constraint in (REAL, POSITIVE)}


def valid(family: str, params: dict[str, float]) -> bool:
    try:
        get_spec(family).member(**params)
    except (InvalidParameter, ValueError, TypeError):
        return False
    return True


def near_points(base: Point, p_family: str, tied: tuple[str, ...] = ()) -> list[Point]:
    """Q = P·(1 + d) (every parameter not tied), for d = 1e-3 … 1e-12: same-family pairs."""
    out = []
    for d in NEAR:
        q = {k: v if (k in tied or isinstance(v, int)) else v * (1.0 + d)
             for k, v in base.p.items()}
        if valid(p_family, q):
            out.append(Point("near", dict(base.p), q, f"d={d:g}"))
    return out


def wide_points(base: Point, p_family: str, q_family: str | None) -> list[Point]:
    """Every real or positive parameter of P and Q multiplied by a scale 1e-6 … 1e6."""
    out = []
    sp_, sq = _scalable(p_family), _scalable(q_family) if q_family else set()
    for s in SCALES:
        p = {k: v * s if k in sp_ else v for k, v in base.p.items()}
        q = None if base.q is None else {k: v * s if k in sq else v for k, v in base.q.items()}
        if valid(p_family, p) and (q is None or valid(q_family, q)):
            out.append(Point("wide", p, q, f"scale={s:g}"))
    return out


def audit_points(p: Family, q: Family | None, rng: np.random.Generator, n: int,
                 tied: tuple[str, ...] = ()) -> list[Point]:
    """Random points, then near-equality points (same family only), then wide scales."""
    if vector.is_vector(p.name) or (q is not None and vector.is_vector(q.name)):
        return vector_points(p.name, q.name if q is not None else None, rng, n, tied)
    base = random_points(p, q, rng, n)
    out = list(base)
    if q is not None and q.name == p.name:
        for b in base[:NEAR_BASES]:
            out += near_points(b, p.name, tied)
    for b in base[:WIDE_BASES]:
        out += wide_points(b, p.name, q.name if q is not None else None)
    return out


def vector_points(p_name: str, q_name: str | None, rng: np.random.Generator, n: int,
                  tied: tuple[str, ...] = ()) -> list[Point]:
    """The same three kinds of points for our vector families (see :mod:`.vector`): ``n``
    random ones, Q next to P (same family), and both at wide scales."""
    if not (vector.is_vector(p_name) and (q_name is None or vector.is_vector(q_name))):
        raise ValueError(f"a pair of a vector and a scalar family: {p_name}, {q_name}")
    base = []
    for _ in range(n):
        pp = vector.draw(p_name, rng)
        qp = None
        if q_name is not None:
            qp = vector.draw(q_name, rng, {k: pp[k] for k in tied} if q_name == p_name else None)
        base.append(Point("random", pp, qp))
    out = list(base)
    if q_name == p_name:
        for b in base[:NEAR_BASES]:
            for d in NEAR:
                q = vector.perturbed(p_name, b.p, d, tied)
                if vector.valid(p_name, q):
                    out.append(Point("near", dict(b.p), q, f"d={d:g}"))
    for b in base[:WIDE_BASES]:
        for s in SCALES:
            p = vector.scaled(p_name, b.p, s)
            q = None if b.q is None else vector.scaled(q_name, b.q, s)
            if vector.valid(p_name, p) and (q is None or vector.valid(q_name, q)):
                out.append(Point("wide", p, q, f"scale={s:g}"))
    return out
