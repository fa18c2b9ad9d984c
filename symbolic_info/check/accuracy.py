"""Accuracy of the float64 backends against the mpmath backend (50 digits, same inputs).

Three kinds of parameter points are generated for a derivation, from the constraints of its
families only:

- ``random``: valid points drawn by :func:`sample_parameters`;
- ``near``: Q's parameters equal to P's times (1 + d) (positive parameters) or plus d (the
  others), d = 10^-2, ..., 10^-12, where a divergence is as small as ~1e-24;
- ``wide``: each positive parameter in turn over 10^-6, ..., 10^6 and each probability over
  10^-12, ..., 1 - 10^-12, the others at a random valid point.

The error at a point is |f - exact| / |exact| (absolute where exact = 0); points where the
exact value is not finite must give the same non-finite value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp

from ..families.spec import PROBABILITY, UNIT_INTERVAL, sample_parameters
from ..numeric.stable import same_family_pairs

DIFFERENCES = tuple(10.0 ** -k for k in range(2, 13))
SCALES = tuple(10.0 ** k for k in range(-6, 7))
PROBABILITIES = (1e-12, 1e-9, 1e-6, 1e-3, 0.1, 0.5, 0.9, 1 - 1e-3, 1 - 1e-6, 1 - 1e-9,
                 1 - 1e-12)
KINDS = ("random", "near", "wide")
TARGET = 1e-12



@dataclass(frozen=True)
class Accuracy:
    """The largest error of one backend on one kind of point, and where it occurred."""

    label: str
    backend: str
    kind: str
    points: int
    max_error: float
    worst: tuple[float, ...] | None

    def meets(self, target: float) -> bool:
        return self.max_error <= target


def _roles(derivation) -> dict[sp.Symbol, str]:
    """'probability', 'positive', 'integer' or 'real' for each parameter symbol."""
    roles: dict[sp.Symbol, str] = {}
    for family in (derivation.p, derivation.q):
        if family is None:
            continue
        for param, value in zip(family.spec.params, family.values):
            if not isinstance(value, sp.Symbol):
                continue
            if param.constraint in (PROBABILITY, UNIT_INTERVAL):
                roles[value] = "probability"
            elif value.is_integer:
                roles[value] = "integer"
            elif value.is_positive:
                roles[value] = "positive"
            else:
                roles[value] = "real"
    return {s: roles.get(s, "real") for s in derivation.parameters}


def _random_point(derivation, rng: np.random.Generator) -> dict[sp.Symbol, float]:
    point: dict[sp.Symbol, float] = {}
    for family in (derivation.p, derivation.q):
        if family is not None:
            drawn = sample_parameters(family, rng)
            point.update({s: v for s, v in drawn.items() if s not in point})
    return point


def _valid(derivation, point: dict) -> bool:
    for family in (derivation.p, derivation.q):
        if family is None:
            continue
        values = {s: v.xreplace({k: sp.Float(x, 30) for k, x in point.items()})
                  for s, v in zip(family.spec.symbols, family.values)}
        if not all(bool(sp.sympify(r).xreplace(values)) for r in family.spec.relations):
            return False
    return True


def points(derivation, kind: str, n: int = 20, seed: int = 0) -> Iterator[dict]:
    """Parameter points of one kind (see the module docstring)."""
    rng = np.random.default_rng(seed)
    roles = _roles(derivation)
    if kind == "random":
        for _ in range(n):
            yield _random_point(derivation, rng)
    elif kind == "near":
        partner = same_family_pairs(derivation)
        if not partner:
            return
        for _ in range(max(1, n // len(DIFFERENCES))):
            base = _random_point(derivation, rng)
            for d in DIFFERENCES:
                for sign in (1.0, -1.0):
                    point = dict(base)
                    for sq, sp_ in partner.items():
                        if roles[sq] == "integer":
                            point[sq] = base[sp_]
                        elif roles[sq] in ("positive", "probability"):
                            point[sq] = base[sp_] * (1 + sign * d)
                        else:
                            point[sq] = base[sp_] + sign * d
                    if roles.get(next(iter(partner))) == "probability" and not all(
                            0 <= point[s] <= 1 for s in partner):
                        continue
                    if _valid(derivation, point):
                        yield point
    elif kind == "wide":
        for _ in range(max(1, n // len(SCALES))):
            base = _random_point(derivation, rng)
            for symbol, role in roles.items():
                grid = SCALES if role == "positive" else PROBABILITIES \
                    if role == "probability" else ()
                for value in grid:
                    point = dict(base)
                    point[symbol] = value
                    if role == "probability":
                        _rescale_simplex(derivation, point, symbol)
                    if _valid(derivation, point):
                        yield point
    else:
        raise ValueError(f"unknown kind {kind!r}; kinds: {', '.join(KINDS)}")


def _rescale_simplex(derivation, point: dict, fixed: sp.Symbol) -> None:
    """Keep a categorical's probabilities summing to one after ``fixed`` was set."""
    for family in (derivation.p, derivation.q):
        if family is None or family.name != "categorical":
            continue
        members = [v for v in family.values if isinstance(v, sp.Symbol)]
        if fixed not in members:
            continue
        rest = [s for s in members if s != fixed]
        total = sum(point[s] for s in rest)
        for s in rest:
            point[s] = point[s] / total * (1 - point[fixed])


def relative_error(got: float, exact: mpmath.mpf) -> float:
    if not mpmath.isfinite(exact):
        return 0.0 if (np.isnan(got) and mpmath.isnan(exact)) or got == float(exact) else np.inf
    if abs(exact) > np.finfo(float).max:  # the float64 answer is ±inf
        return 0.0 if got == (np.inf if exact > 0 else -np.inf) else np.inf
    if not np.isfinite(got):
        return np.inf
    if exact == 0:
        return abs(got)
    return float(abs((mpmath.mpf(got) - exact) / exact))


def measure(derivation, backend: str | Callable = "numpy", kind: str = "random", n: int = 20,
            seed: int = 0, label: str | None = None) -> Accuracy:
    """The largest error of ``backend`` (a name, or a function of the parameters) against the
    mpmath backend over the points of one kind."""
    f = derivation.lambdify(backend) if isinstance(backend, str) else backend
    exact = derivation.lambdify("mpmath")
    order = derivation.parameters
    rows = [tuple(float(pt[s]) for s in order) for pt in points(derivation, kind, n, seed)]
    worst, largest = None, 0.0
    if rows:
        columns = [np.array(c) for c in zip(*rows)]
        with np.errstate(all="ignore"):
            got = np.broadcast_to(np.asarray(f(*columns), dtype=float), (len(rows),))
        for row, value in zip(rows, got):
            try:
                reference = exact(*row)
            except (ValueError, ZeroDivisionError):
                continue
            error = relative_error(float(value), reference)
            if error > largest or worst is None:
                worst, largest = (row if error >= largest else worst), max(largest, error)
    name = backend if isinstance(backend, str) else getattr(backend, "__name__", "custom")
    return Accuracy(label or derivation.name, name, kind, len(rows), largest, worst)
