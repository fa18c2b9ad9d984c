r"""Derivations of symbolic dimension: matrix-symbol parameters, a k x 1 variable ``x``.

The log-densities are expanded and split by their degree in ``x`` (substitute ``t x`` and
read the powers of ``t``): a constant, a linear part :math:`\operatorname{tr}(L x)` and a
quadratic part :math:`\operatorname{tr}(x^\top M x)`.  The moments of P come from its own
quadratic form: with :math:`\log p(x) = -\tfrac12 x^\top A x + b^\top x + c`, the normaliser
:math:`\log Z(A, b) = \tfrac12 b^\top A^{-1} b - \tfrac12\log\det A + \tfrac{k}{2}\log 2\pi`
(the Gaussian integral) gives :math:`\mathbb{E}[x] = \partial_b \log Z = A^{-1} b` and
:math:`\mathbb{E}[x x^\top] = -2\,\partial_A \log Z = A^{-1} + A^{-1} b b^\top A^{-1}`.
By linearity, :math:`\mathbb{E}[\operatorname{tr}(L x)] = \operatorname{tr}(L\,\mathbb{E}x)`
and :math:`\mathbb{E}[\operatorname{tr}(x^\top M x)] = \operatorname{tr}(M\,\mathbb{E}[x x^\top])`.
Covariance matrices are symmetric: their transposes are replaced by themselves.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from scipy import integrate

from ..errors import NoRule, SymbolicInfoError
from ..families.spec import Family
from .derivation import Derivation, Step, StepKind

E = sp.Function("E")


def symmetric(expr, matrices):
    """``expr`` with Transpose(S) -> S for the symmetric matrices (and their inverses)."""
    mapping = {sp.Transpose(s): s for s in matrices}
    mapping.update({sp.Transpose(sp.Inverse(s)): sp.Inverse(s) for s in matrices})
    mapping.update({sp.Inverse(sp.Transpose(s)): sp.Inverse(s) for s in matrices})
    return expr.xreplace(mapping)


def tidy(expr, matrices=()):
    """Traces split over sums, scalars pulled out, (S^-1)^-1 = S, S S^-1 = I, tr(I) = k, and
    each trace in one canonical rotation (so equal traces cancel)."""
    def split(trace):
        inner = symmetric(sp.expand(trace.arg).doit(), matrices)
        return sp.Trace(inner).doit()
    for _ in range(3):
        expr = symmetric(expr.doit(), matrices)
        expr = expr.replace(lambda e: isinstance(e, sp.Trace), split)
        expr = expr.replace(lambda e: isinstance(e, sp.Trace),
                            lambda e: canonical_trace(e, matrices))
        expr = sp.expand(expr)
    return expr


def canonical_trace(trace, matrices):
    r"""One representative of :math:`\operatorname{tr}(F_1 \cdots F_n)` under the cyclic
    rotations and the transpose :math:`\operatorname{tr}(M) = \operatorname{tr}(M^\top)`
    (the symmetric matrices equal their transposes): a quadratic form
    :math:`a^\top M b` where there is one, else the least by sympy's sort key."""
    arg = trace.arg
    if not isinstance(arg, sp.MatMul):
        return trace
    scalars = [f for f in arg.args if not isinstance(f, sp.MatrixExpr)]
    factors = [f for f in arg.args if isinstance(f, sp.MatrixExpr)]
    flipped = [symmetric(sp.Transpose(f).doit(), matrices) for f in reversed(factors)]
    candidates = []
    for chain in (factors, flipped):
        for i in range(len(chain)):
            rotated = chain[i:] + chain[:i]
            if rotated[0].shape[0] == 1:  # a row vector first: a quadratic / bilinear form
                candidates.append((0, sp.default_sort_key(sp.MatMul(*rotated)), rotated))
            else:
                candidates.append((1, sp.default_sort_key(sp.MatMul(*rotated)), rotated))
    _, _, best = min(candidates, key=lambda c: (c[0], c[1]))
    return sp.Mul(*scalars) * sp.Trace(sp.MatMul(*best))


def parts(expr, x):
    """(constant, linear, quadratic): ``expr`` split by degree in x, via x -> t x."""
    t = sp.Dummy("t")
    scaled = tidy(expr.xreplace({x: t * x}))
    return tuple(scaled.coeff(t, n) for n in (0, 1, 2))


def _chains(part):
    """coefficient x MatMul factors of each trace term of ``part``."""
    out = []
    for term in sp.Add.make_args(sp.expand(part)):
        coeff, traces = term.as_independent(sp.Trace, as_Add=False)
        if not isinstance(traces, sp.Trace):
            raise NoRule(f"cannot read {term} as a trace")
        arg = traces.arg
        factors = list(arg.args) if isinstance(arg, sp.MatMul) else [arg]
        scalars = [f for f in factors if not isinstance(f, sp.MatrixExpr)]
        factors = [f for f in factors if isinstance(f, sp.MatrixExpr)]
        out.append((coeff * sp.Mul(*scalars), factors))
    return out


def _product(factors, k):
    return sp.MatMul(*factors).doit() if factors else sp.Identity(k)


def moments(p: Family, x):
    """(E[x], E[x x^T]) of P from its quadratic form, as the module docstring states."""
    log_p = sp.expand_log(sp.log(p.density_at(x)), force=True)
    _, linear, quadratic = parts(log_p, x)
    k = x.shape[0]
    a = sp.ZeroMatrix(k, k)
    for coeff, factors in _chains(quadratic):
        if len(factors) < 2 or factors[0] != x.T or factors[-1] != x:
            raise NoRule(f"the quadratic part of log p is not of the form x^T M x: {quadratic}")
        a = a - 2 * coeff * _product(factors[1:-1], k)
    b = sp.ZeroMatrix(k, 1)
    for coeff, factors in _chains(linear):
        if factors[-1] == x:
            b = b + coeff * sp.Transpose(_product(factors[:-1], k))
        elif factors[0] == x.T:
            b = b + coeff * _product(factors[1:], k)
        else:
            raise NoRule(f"the linear part of log p is not of the form b^T x: {linear}")
    symmetric_matrices = [v for v in p.values if v.shape[0] == v.shape[1] != 1]
    covariance = symmetric(sp.Inverse(symmetric(a.doit(), symmetric_matrices)).doit(),
                           symmetric_matrices)
    mean = symmetric(sp.MatMul(covariance, b).doit(), symmetric_matrices)
    mean = symmetric(sp.expand(mean).doit(), symmetric_matrices)
    return mean, covariance


def expectation(expr, x, mean, second, matrices):
    """E[expr] for expr = constant + tr(L x) + tr(x^T M x), by linearity."""
    constant, linear, quadratic = parts(expr, x)
    total = constant + tidy(linear.xreplace({x: mean}), matrices)
    for coeff, factors in _chains(quadratic):
        xi = factors.index(x.T) if x.T in factors else None
        if xi is None:
            raise NoRule(f"cannot take the expectation of {quadratic}")
        rotated = factors[xi:] + factors[:xi]  # tr(AB) = tr(BA): x^T first
        if rotated[-1] != x:
            raise NoRule(f"cannot take the expectation of {quadratic}")
        total += coeff * sp.Trace(sp.MatMul(*rotated[1:-1], second)
                                  if len(rotated) > 2 else second)
    return tidy(total, matrices)


def derive_matrix(quantity: str, p: Family, q: Family | None, name: str, parameters,
                  rng: np.random.Generator) -> Derivation:
    """Entropy / cross-entropy / KL of members of symbolic dimension, with steps."""
    if q is not None and not q.matrix:
        raise NoRule(f"{quantity} between {p.label()} (symbolic dimension) and {q.label()}")
    x = p.variable
    if q is not None and q.variable.shape != x.shape:
        raise NoRule(f"P and Q have different dimensions: {x.shape[0]} and "
                     f"{q.variable.shape[0]}")
    matrices = [v for m in (p, q) if m is not None for v in m.values
                if v.shape[0] == v.shape[1] != 1]
    log_p = sp.expand_log(sp.log(p.density_at(x)), force=True)
    log_q = None if q is None else sp.expand_log(sp.log(q.density_at(x)), force=True)
    integrand = {"entropy": -log_p, "cross_entropy": -log_q if q else None,
                 "kl": log_p - log_q if q else None}[quantity]
    steps = [Step(StepKind.DEFINITION, E(integrand), "definition, as an expectation under P "
                  f"on {p.support}"),
             Step(StepKind.DENSITIES, tidy(integrand, matrices),
                  "log-densities expanded: traces of products with x")]
    mean, covariance = moments(p, x)
    second = covariance + mean * mean.T
    steps.append(Step(StepKind.EXPECTATION, sp.Eq(E(x), mean, evaluate=False),
                      "tilting: with log p = -x'Ax/2 + b'x + c, E[x] is the derivative in b of "
                      "the Gaussian log-normaliser log Z = b'inv(A)b/2 - log det(A)/2 + "
                      "k log(2 pi)/2, inv(A) b"))
    steps.append(Step(StepKind.EXPECTATION, sp.Eq(E(x * x.T), second, evaluate=False),
                      "tilting: E[x x'] is -2 times the derivative of log Z in A, "
                      "inv(A) + inv(A) b b' inv(A)"))
    result = expectation(integrand, x, mean, second, matrices)
    steps.append(Step(StepKind.SUBSTITUTED, result, "linearity of expectation and of the "
                      "trace: E[tr(L x)] = tr(L E[x]), E[tr(x' M x)] = tr(M E[x x'])"))
    completed = complete_squares(result, matrices)
    if completed != result:
        result = completed
        steps.append(Step(StepKind.SIMPLIFICATION, result, "quadratic forms completed: "
                          "u'Mu/2 - u'Mv + v'Mv/2 = (u - v)'M(u - v)/2 for symmetric M"))
    d = Derivation(name=name, quantity=quantity, result=result, status="closed_form",
                   conditions=sp.true, steps=tuple(steps), parameters=parameters, p=p, q=q)
    check = numeric_check(d, integrand, x, rng)
    return Derivation(name=name, quantity=quantity, result=result, status="closed_form",
                      conditions=sp.true, steps=tuple(steps) + (check,),
                      parameters=parameters, p=p, q=q)


def complete_squares(expr, matrices):
    """c u'Mu - 2c u'Mv + c v'Mv -> c (u - v)'M(u - v), M symmetric, u and v vectors."""
    forms: dict = {}
    rest = []
    for term in sp.Add.make_args(sp.expand(expr)):
        coeff, trace = term.as_independent(sp.Trace, as_Add=False)
        factors = list(trace.arg.args) if isinstance(trace, sp.Trace) and isinstance(
            trace.arg, sp.MatMul) else None
        if (factors and len(factors) >= 3 and isinstance(factors[0], sp.Transpose)
                and factors[0].arg.shape[1] == 1 and factors[-1].shape[1] == 1):
            u, v, middle = factors[0].arg, factors[-1], sp.MatMul(*factors[1:-1])
            key = tuple(sorted((u, v), key=sp.default_sort_key))
            forms.setdefault(middle, {}).setdefault(key, []).append(term)
            forms[middle].setdefault(("coeff", key), sp.S.Zero)
            forms[middle][("coeff", key)] += coeff
        else:
            rest.append(term)
    out = list(rest)
    for middle, entries in forms.items():
        pairs = {k: v for k, v in entries.items() if k[0] != "coeff"}
        coeff = {k[1]: v for k, v in entries.items() if k[0] == "coeff"}
        used = set()
        for (u, v) in [key for key in pairs if key[0] != key[1]]:
            c = coeff.get((u, u))
            if c is None or (u, u) in used or (v, v) in used or c != coeff.get((v, v)) \
                    or sp.expand(coeff[(u, v)] + 2 * c) != 0:
                continue
            difference = u - v
            out.append(c * sp.Trace(sp.MatMul(sp.Transpose(difference), middle, difference)))
            used |= {(u, u), (v, v), (u, v)}
        for key, terms in pairs.items():
            if key not in used:
                out += terms
    return sp.Add(*out)


def explicit_point(d, k: int, rng: np.random.Generator) -> dict:
    """Random numeric values (k x 1 vectors, k x k SPD matrices) for the matrix symbols."""
    point = {}
    for m in (d.p, d.q):
        if m is None:
            continue
        for v in m.values:
            if v in point:
                continue
            if v.shape[1] == 1:
                point[v] = sp.ImmutableMatrix(rng.uniform(-1, 1, size=(k, 1)))
            else:
                a = rng.normal(size=(k, k))
                point[v] = sp.ImmutableMatrix(a @ a.T / k + 0.5 * np.eye(k))
    return point


def numeric_check(d, integrand, x, rng, k: int = 2) -> Step:
    """The result at k = 2 and random values against nested quadrature of the definition."""
    dim = x.shape[0]
    point = explicit_point(d, k, rng)
    at = {**point, dim: k}
    claimed = float(sp.N(d.result.subs(at).doit()))
    u = sp.symbols("u_1:3", real=True)
    vector = sp.ImmutableMatrix(u)
    body = (d.p.density_at(x) * integrand).subs({**at, x: vector}).doit()
    f = sp.lambdify(u, body, modules=["numpy", "scipy"])
    with np.errstate(all="ignore"):
        reference, _ = integrate.nquad(lambda a, b: float(np.nan_to_num(f(a, b))),
                                       [[-np.inf, np.inf]] * 2,
                                       opts={"epsabs": 1e-11, "epsrel": 1e-10})
    error = abs(claimed - reference) / max(1.0, abs(reference))
    if error > 1e-6:
        raise SymbolicInfoError(f"{d.name}: the derived result {claimed:.10g} disagrees with "
                                f"numerical integration {reference:.10g} at k = {k} (relative "
                                f"difference {error:.3g})")
    return Step(StepKind.NUMERIC_CHECK, sp.Float(error, 3),
                f"relative difference from numerical integration at k = {k}, random values")
