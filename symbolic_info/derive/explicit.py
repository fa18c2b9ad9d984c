r"""Results of symbolic dimension (matrix symbols, or indexed parameters with a dimension k)
at explicit sizes: random parameter values (vectors, symmetric positive definite matrices,
entries), the result with everything substituted, and the definition by nested quadrature
(``scipy.integrate.nquad``) of the explicit density.  Used by the derivations' own numeric
checks, by ``cross_validate`` and by ``verify``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import sympy as sp
from scipy import integrate

from ..families.region import OneHot, Simplex


def _bases(d) -> list:
    return list(dict.fromkeys(v for m in (d.p, d.q) if m is not None for v in m.values))


def _dimension(d):
    support = d.p.spec.support
    return support.dimension


def random_point(d, rng: np.random.Generator, k: int) -> dict:
    """Explicit values for every parameter of ``d`` at dimension k."""
    point = {_dimension(d): k}
    # values whose parameter's constraint is nonnegative (a categorical's p), whatever the
    # assumptions of the IndexedBase given
    signed = {v for m in (d.p, d.q) if m is not None for v, c in zip(m.values, m.spec.params)
              if {"positive", "nonnegative"} & set(c.constraint.assumption_dict)}
    for v in _bases(d):
        if isinstance(v, sp.MatrixSymbol):
            if v.shape[1] == 1:
                point[v] = sp.ImmutableMatrix(rng.uniform(-1.5, 1.5, size=(k, 1)))
            else:
                a = rng.normal(size=(k, k))
                point[v] = sp.ImmutableMatrix(a @ a.T / k + 0.5 * np.eye(k))
        elif isinstance(v, sp.IndexedBase):
            low = 0.4 if v.is_positive or v.label.is_positive or v in signed else -1.5
            for i in range(1, k + 1):
                point[v[i]] = sp.Float(rng.uniform(low, 3.0), 20)
    return _on_relations(d, point, k)


def _on_relations(d, point: dict, k: int) -> dict:
    """The point scaled onto the members' stated relations Σ_j v[j] = c (a categorical's
    probabilities sum to 1)."""
    for m in (d.p, d.q):
        for relation in m.relations() if m is not None else ():
            total = relation.lhs if isinstance(relation, sp.Eq) else None
            if isinstance(total, sp.Sum) and isinstance(total.function, sp.Indexed):
                v = total.function.base
                s = sum(point[v[i]] for i in range(1, k + 1))
                for i in range(1, k + 1):
                    point[v[i]] = point[v[i]] * relation.rhs / s
    return point


def concrete(expr, point: dict, k_symbol) -> sp.Expr:
    """``expr`` at an explicit point: k first (sums and products become finite), then the
    values."""
    matrices = {s: v for s, v in point.items() if isinstance(s, sp.MatrixSymbol)}
    entries = {s: v for s, v in point.items() if isinstance(s, sp.Indexed)}
    if matrices:  # the matrix symbols first, while their shapes still read k
        expr = expr.subs(matrices).doit()
    expr = expr.subs(k_symbol, point[k_symbol]).doit()
    return expr.xreplace(entries)


def value_at(expr: sp.Expr, d, point: dict) -> float:
    """``expr`` (the result, or a claim) at an explicit point of ``d``'s parameters."""
    return float(sp.N(concrete(expr, point, _dimension(d)), 30))


def derived_value(d, point: dict) -> float:
    return value_at(d.result, d, point)


def defining_value(d, point: dict) -> float:
    """The quantity at the explicit point by nested quadrature."""
    k = point[_dimension(d)]
    x = d.p.variable
    log_p = sp.log(d.p.density_at(x))
    log_q = None if d.q is None else sp.log(d.q.density_at(x))
    g = {"entropy": -log_p, "cross_entropy": -log_q if d.q is not None else None,
         "kl": log_p - log_q if d.q is not None else None}[d.quantity]
    if isinstance(d.p.spec.support, OneHot):  # a finite sum over the k one-hot outcomes
        body = concrete(d.p.density_at(x) * g, point, _dimension(d))
        return sum(float(sp.N(body.xreplace({x[j]: int(j == i) for j in range(1, k + 1)}), 30))
                   for i in range(1, k + 1))
    simplex = isinstance(d.p.spec.support, Simplex)
    free = k - 1 if simplex else k
    u = sp.symbols(f"u_1:{free + 1}", real=True)
    extra = {x: sp.ImmutableMatrix(u)} if isinstance(x, sp.MatrixSymbol) else {}
    body = concrete(d.p.density_at(x) * g, {**point, **extra}, _dimension(d))
    if isinstance(x, sp.MatrixSymbol):  # (x was substituted with the other matrix symbols)
        pass
    else:
        coords = {x[i]: u[i - 1] for i in range(1, free + 1)}
        if simplex:
            coords[x[k]] = 1 - sp.Add(*u)
        body = body.xreplace(coords)
    body = sp.expand_log(body, force=True)
    f = sp.lambdify(u, body, modules=["scipy", "numpy"])

    def integrand(*args):
        with np.errstate(all="ignore"):
            try:
                value = f(*reversed(args))
            except (ZeroDivisionError, OverflowError, ValueError):
                return 0.0
        return float(value) if np.isfinite(value) else 0.0

    if simplex:
        ranges = [(lambda *outer: [0.0, 1.0 - sum(outer)]) for _ in range(free)]
    else:
        ranges = [[-np.inf, np.inf]] * free
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value, _ = integrate.nquad(integrand, ranges,
                                   opts={"limit": 100, "epsabs": 1e-11, "epsrel": 1e-10})
    return value


def sizes(d) -> tuple[int, ...]:
    """The explicit dimensions tried: nested quadrature stays at two coordinates."""
    return (3,) if isinstance(d.p.spec.support, Simplex) else (1, 2)


def shown(point: dict) -> dict:
    out = {}
    for s, v in point.items():
        if isinstance(v, sp.MatrixBase):
            out[str(s)] = float(np.linalg.norm(np.array(v.tolist(), dtype=float)))
        else:
            out[str(s)] = float(v) if not isinstance(v, int) else v
    return out


def relative(a: float, b: float) -> float:
    if not (math.isfinite(a) and math.isfinite(b)):
        return 0.0 if a == b else math.inf
    return abs(a - b) / max(abs(b), 1e-8)
