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

On the cone of symmetric positive definite p x p matrices (``SPDCone``, the Wishart family)
the variable is a p x p matrix W and the log-densities are split into a constant, a multiple
of :math:`\log\det W` and a linear part :math:`\operatorname{tr}(M W)`.  The moments of P
come from its kernel :math:`\det(W)^a e^{\operatorname{tr}(\Theta W)}` and the multivariate
gamma integral (:func:`cone_log_normaliser`): :math:`\mathbb{E}[W]` is the derivative of
:math:`\log Z(a, \Theta)` in :math:`\Theta` (by the rules of :func:`differential`) and
:math:`\mathbb{E}[\log\det W]` its derivative in :math:`a` (see :func:`derive_cone`).
"""

from __future__ import annotations

import re

import numpy as np
import sympy as sp

from ..errors import NoRule, SymbolicInfoError
from ..families.spec import Family
from ..families.wishart import SPDCone, logmultigamma, multidigamma, multigamma
from . import explicit
from .derivation import Derivation, Step, StepKind

E = sp.Function("E")


class Equation(sp.Equality):
    """``lhs = rhs`` for a step, never evaluated, also when rebuilt from the store's pickle
    (``Eq(E(x), mu)`` of a scalar function and a matrix would evaluate to False)."""

    def __new__(cls, lhs, rhs, **kwargs):
        return super().__new__(cls, lhs, rhs, evaluate=False)


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
    if isinstance(p.support, SPDCone):
        return derive_cone(quantity, p, q, name, parameters, rng)
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
    steps.append(Step(StepKind.EXPECTATION, Equation(E(x), mean),
                      "tilting: with log p = -x'Ax/2 + b'x + c, E[x] is the derivative in b of "
                      "the Gaussian log-normaliser log Z = b'inv(A)b/2 - log det(A)/2 + "
                      "k log(2 pi)/2, inv(A) b"))
    steps.append(Step(StepKind.EXPECTATION, Equation(E(x * x.T), second),
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
    check = numeric_check(d, rng)
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


def numeric_check(d, rng, k: int = 2) -> Step:
    """The result at k = 2 and random values against nested quadrature of the definition."""
    point = explicit.random_point(d, rng, k)
    claimed, reference = explicit.derived_value(d, point), explicit.defining_value(d, point)
    error = abs(claimed - reference) / max(1.0, abs(reference))
    if error > 1e-6:
        raise SymbolicInfoError(f"{d.name}: the derived result {claimed:.10g} disagrees with "
                                f"numerical integration {reference:.10g} at k = {k} (relative "
                                f"difference {error:.3g})")
    return Step(StepKind.NUMERIC_CHECK, sp.Float(error, 3),
                f"relative difference from numerical integration at k = {k}, random values")


# -- the cone of symmetric positive definite matrices -------------------------------------------
MONTE_CARLO_DRAWS = 200_000
DENSITY_CHECK_DRAWS = 500


def differential(expr, X, H):
    r"""The derivative of ``expr`` at the matrix ``X`` in the direction ``H``, by the rules of
    matrix calculus: linearity, the product rule, :math:`dX = H`,
    :math:`d(A^{-1}) = -A^{-1}\,dA\,A^{-1}`, :math:`d(A^\top) = (dA)^\top`,
    :math:`d\operatorname{tr}A = \operatorname{tr}dA`, Jacobi's formula
    :math:`d\log\det A = \operatorname{tr}(A^{-1} dA)` (and
    :math:`d\det A = \det A\,\operatorname{tr}(A^{-1} dA)`), and the chain rule
    :math:`df(u) = f'(u)\,du` for scalar functions.  (sympy's matrix calculus returns 0 for
    the derivative of :math:`\log\det X`, so it is not used.)"""
    if not expr.has(X):
        return sp.ZeroMatrix(*expr.shape) if isinstance(expr, sp.MatrixExpr) else sp.S.Zero
    if expr == X:
        return H

    def d(e):
        return differential(e, X, H)

    if isinstance(expr, sp.MatAdd):
        return sp.MatAdd(*[d(a) for a in expr.args])
    if isinstance(expr, sp.Add):
        return sp.Add(*[d(a) for a in expr.args])
    if isinstance(expr, (sp.MatMul, sp.Mul)):
        product = sp.MatMul if isinstance(expr, sp.MatMul) else sp.Mul
        terms = [product(*expr.args[:i], d(a), *expr.args[i + 1:])
                 for i, a in enumerate(expr.args) if a.has(X)]
        return (sp.MatAdd if product is sp.MatMul else sp.Add)(*terms)
    if isinstance(expr, sp.Inverse):
        return sp.MatMul(-1, expr, d(expr.arg), expr)
    if isinstance(expr, sp.Transpose):
        return sp.Transpose(d(expr.arg))
    if isinstance(expr, sp.Trace):
        return sp.Trace(d(expr.arg))
    if isinstance(expr, sp.log) and isinstance(expr.args[0], sp.Determinant):
        a = expr.args[0].arg
        return sp.Trace(sp.MatMul(sp.Inverse(a), d(a)))
    if isinstance(expr, sp.Determinant):
        return expr * sp.Trace(sp.MatMul(sp.Inverse(expr.arg), d(expr.arg)))
    if isinstance(expr, sp.Pow) and not expr.exp.has(X):
        return expr.exp * expr.base ** (expr.exp - 1) * d(expr.base)
    if isinstance(expr, sp.Function):
        return sp.Add(*[expr.fdiff(i) * d(a) for i, a in enumerate(expr.args, start=1)
                        if a.has(X)])
    raise NoRule(f"no rule for the derivative of {expr} in {X}")


def gradient(expr, H, matrices):
    """G with ``expr`` = tr(G H), for ``expr`` linear in the matrix H: each term
    c tr(A H B) read as c tr(B A H) (the trace is invariant under rotation)."""
    k = H.shape[0]
    total = sp.ZeroMatrix(k, k)
    expr = tidy(expr, matrices)
    if expr == 0:
        return total
    for coeff, factors in _chains(expr):
        at = [i for i, f in enumerate(factors) if f == H]
        if coeff.has(H) or len(at) != 1 or any(f.has(H) for i, f in enumerate(factors)
                                                if i != at[0]):
            raise NoRule(f"{expr} is not of the form tr(G {H})")
        i = at[0]
        total = total + coeff * _product(factors[i + 1:] + factors[:i], k)
    return symmetric(total.doit(), matrices)


def symmetric_part(m, matrices):
    """m if it equals its transpose (the symmetric matrices being their own), else (m + m')/2."""
    t = symmetric(sp.Transpose(m).doit(), matrices)
    return m if sp.expand(t - m).doit() == sp.ZeroMatrix(*m.shape) or t == m \
        else ((m + t) / 2).doit()


def cone_parts(expr, W, matrices):
    r"""(constant, b, linear): ``expr`` = constant + b :math:`\log\det W` + linear, the linear
    part a sum of traces :math:`\operatorname{tr}(A W B)` (read by W -> t W)."""
    marker, t = sp.Dummy("L"), sp.Dummy("t")
    e = tidy(sp.expand(expr).xreplace({sp.log(sp.Determinant(W)): marker}), matrices)
    b, rest = e.coeff(marker, 1), e.coeff(marker, 0)
    if sp.expand(b * marker + rest - e) != 0 or b.has(W) or b.has(marker):
        raise NoRule(f"{expr} is not linear in log det {W}")
    degrees: dict = {}
    for term in sp.Add.make_args(tidy(rest.xreplace({W: t * W}), matrices)):
        coeff, power = term.as_coeff_exponent(t)
        degrees[power] = degrees.get(power, sp.S.Zero) + coeff
    if set(degrees) - {0, 1} or degrees.get(0, sp.S.Zero).has(W):
        raise NoRule(f"{expr} is not a constant plus traces linear in {W} and log det {W}")
    return degrees.get(0, sp.S.Zero), b, degrees.get(1, sp.S.Zero)


def cone_log_normaliser(p, a, theta):
    r""":math:`\log Z(a, \Theta)` of the kernel :math:`\det(W)^a e^{\operatorname{tr}(\Theta
    W)}` on the cone of p x p symmetric positive definite matrices,

    .. math::
        \log Z(a, \Theta) = \log\Gamma_p\!\left(a + \tfrac{p+1}{2}\right)
            - \left(a + \tfrac{p+1}{2}\right) \log\det(-\Theta),
        \qquad a > -1,\ -\Theta \text{ positive definite}.

    This is the multivariate gamma integral, the one identity stated (as the Gaussian
    integral is for the normal): Muirhead (1982), *Aspects of Multivariate Statistical
    Theory*, Theorem 2.1.11, :math:`\int_{A > 0} \operatorname{etr}(-\Sigma^{-1} A)
    (\det A)^{\alpha - (m+1)/2}\,(dA) = \Gamma_m(\alpha) (\det\Sigma)^{\alpha}` for
    :math:`\alpha > (m - 1)/2`, with :math:`\alpha = a + (p+1)/2` and
    :math:`\Sigma = (-\Theta)^{-1}`."""
    alpha = a + (p + 1) / sp.Integer(2)
    return logmultigamma(p, alpha) - alpha * sp.log(sp.Determinant(sp.MatMul(-1, theta)))


def expand_logdet(expr, matrices=()):
    r"""Determinants of products, scalar multiples, inverses and transposes split
    (:math:`\det(cA) = c^p\det A`, :math:`\det(AB) = \det A\det B`,
    :math:`\det A^{-1} = 1/\det A`, :math:`\det A^\top = \det A`) and the logarithms expanded
    (the determinants of positive definite matrices are positive)."""
    def split(det):
        arg = symmetric(det.arg.doit(), matrices)
        if isinstance(arg, sp.MatMul) and all(m.is_square for m in arg.args
                                              if isinstance(m, sp.MatrixExpr)):
            coeff, mats = arg.as_coeff_matrices()
            return coeff ** arg.shape[0] * sp.Mul(*[split(sp.Determinant(m)) for m in mats])
        if isinstance(arg, sp.Inverse):
            return 1 / split(sp.Determinant(arg.arg))
        if isinstance(arg, sp.Transpose):
            return split(sp.Determinant(arg.arg))
        return sp.Determinant(arg)
    expr = expr.replace(lambda e: isinstance(e, sp.Determinant), split)
    return sp.expand(sp.expand_log(expr, force=True))


def _log_multigamma(expr):
    r""":math:`\log\Gamma_p(a)` written as the function ``logmultigamma``."""
    return expr.replace(lambda e: isinstance(e, sp.log) and isinstance(e.args[0], multigamma),
                        lambda e: logmultigamma(*e.args[0].args))


def _names_taken(members) -> set:
    taken = set()
    for m in members:
        for v in m.values:
            taken |= {str(s) for s in v.free_symbols} | {str(v)}
            if isinstance(v, sp.MatrixExpr):
                taken |= {str(s) for s in v.shape if isinstance(s, sp.Basic)}
    return taken


def _apart(stems, taken: set) -> str:
    name = next((s for s in stems if s not in taken), None)
    if name is None:
        name = next(f"{stems[0]}_{i}" for i in range(100) if f"{stems[0]}_{i}" not in taken)
    taken.add(name)
    return name


def _textbook_cone(expr, matrices):
    """Collected by log-determinants, traces, psi_p, log Gamma_p and log 2, each coefficient
    factored."""
    expr = tidy(sp.expand(expr), matrices)
    keys = sorted(expr.atoms(sp.Trace, multidigamma, logmultigamma)
                  | {e for e in expr.atoms(sp.log) if isinstance(e.args[0], sp.Determinant)}
                  | ({sp.log(2)} if expr.has(sp.log(2)) else set()), key=sp.default_sort_key)
    collected = sp.collect(expr, keys, func=sp.factor)
    return collected if sp.expand(collected - expr) == 0 else expr


def _matrix_text(m) -> str:
    return "[" + ", ".join("[" + ", ".join(map(str, r)) + "]" for r in m.tolist()) + "]"


def derive_cone(quantity: str, p: Family, q: Family | None, name: str, parameters,
                rng: np.random.Generator) -> Derivation:
    r"""Entropy / cross-entropy / KL of members on the cone of symmetric positive definite
    matrices (Wishart), with steps.

    The log-densities are split into a constant, :math:`b\log\det W` and traces linear in W
    (:func:`cone_parts`); P's own log-density gives its kernel
    :math:`\det(W)^{a} e^{\operatorname{tr}(\Theta W)}`.  Tilting the normaliser
    :math:`\log Z(a, \Theta)` (:func:`cone_log_normaliser`) gives the two expectations:
    :math:`\mathbb{E}[\operatorname{tr}(H W)] = d_\Theta \log Z[H]`, read as
    :math:`\operatorname{tr}(\mathbb{E}[W] H)` (:func:`differential`, :func:`gradient`), and
    :math:`\mathbb{E}[\log\det W] = \partial_a \log Z`.  Linearity of expectation and of the
    trace finishes.  Explicit matrices of parameters are replaced by matrix symbols for the
    derivation and substituted into its result (the derivation at that p).  A numeric check
    at p = 2 (or the members' own p) closes it."""
    members = [m for m in (p, q) if m is not None]
    if q is not None and not isinstance(q.support, SPDCone):
        raise NoRule(f"{quantity} between {p.label()} (on the SPD cone) and {q.label()}")
    if q is not None and q.support != p.support:
        raise NoRule(f"P and Q are laws of matrices of different sizes: {p.support} and "
                     f"{q.support}")
    taken = _names_taken(members)
    explicit: dict = {}
    for role, m in zip("12", members):
        for v in m.values:
            if isinstance(v, sp.MatrixBase) and v not in explicit:
                explicit[v] = sp.MatrixSymbol(_apart([f"V_{role}", "V", "S"], taken), *v.shape)
    generic = [Family(m.spec, tuple(explicit.get(v, v) for v in m.values)) for m in members]
    steps, result = _cone_steps(quantity, generic, taken, rng)
    if explicit and result.has(*explicit.values()):
        back = {s: v for v, s in explicit.items()}
        k = p.support.dimension
        shown = ", ".join(f"{s} = {_matrix_text(v)}" for s, v in back.items())
        result = _explicit(result, back)
        steps.append(Step(StepKind.SIMPLIFICATION, result,
                          f"the derivation at p = {k} with {shown} substituted (determinants "
                          f"and traces written in the entries, Gamma_{k} and psi_{k} written "
                          "out)"))
    d = Derivation(name=name, quantity=quantity, result=result, status="closed_form",
                   conditions=sp.true, steps=tuple(steps), parameters=parameters, p=p, q=q)
    check = cone_numeric_check(d, rng)
    return Derivation(name=name, quantity=quantity, result=result, status="closed_form",
                      conditions=sp.true, steps=tuple(steps) + (check,),
                      parameters=parameters, p=p, q=q)


def _explicit(result, back):
    """The result at explicit matrices, term by term: determinants and traces in the entries
    (each trace one fraction), Gamma_p and psi_p written out, the coefficients kept."""
    functions = (sp.Trace, sp.Determinant, logmultigamma, multidigamma, multigamma)
    terms = []
    for term in sp.Add.make_args(result):
        coeff, rest = term.as_independent(*functions, as_Add=False)
        rest = rest.xreplace(back).doit()
        if rest.has(logmultigamma, multidigamma, multigamma):
            rest = rest.rewrite(sp.gamma)
        if rest.has(sp.log):
            rest = sp.expand_log(rest, force=False)
        else:
            rest = sp.factor(sp.together(rest))
        terms.append(sp.factor(coeff) * rest)
    return sp.Add(*terms)


def _text(expr) -> str:
    """``expr`` in plain text for a note: A^-1, tr(.), det(.), log Gamma_p, psi_p."""
    text = sp.sstr(expr)
    for old, new in (("**(-1)", "^-1"), ("**", "^"), ("Trace(", "tr("), ("Determinant(", "det(")):
        text = text.replace(old, new)
    text = re.sub(r"\blogmultigamma\((\w+), ", r"log Gamma_\1(", text)
    return re.sub(r"\bmultidigamma\((\w+), ", r"psi_\1(", text)


def _cone_steps(quantity: str, members, taken: set,
                rng: np.random.Generator) -> tuple[list[Step], sp.Expr]:
    p, q = members[0], (members[1] if len(members) > 1 else None)
    k = p.support.dimension
    W = sp.MatrixSymbol(_apart(["W", "X", "Y", "Z"], taken), k, k)
    matrices = [W] + [v for m in members for v in m.values if isinstance(v, sp.MatrixExpr)]
    log_p = _log_multigamma(sp.expand_log(sp.log(p.density_at(W)), force=True))
    log_q = None if q is None else _log_multigamma(
        sp.expand_log(sp.log(q.density_at(W)), force=True))
    integrand = {"entropy": lambda: -log_p, "cross_entropy": lambda: -log_q,
                 "kl": lambda: log_p - log_q}[quantity]()
    steps = [Step(StepKind.DEFINITION, E(integrand), "definition, as an expectation under P "
                  f"on {p.support}, the cone of symmetric positive definite {k} x {k} matrices")]
    written = tidy(integrand, matrices)
    if written == 0:
        steps.append(Step(StepKind.CANCELLATION, sp.S.Zero, "the log-densities cancel"))
        return steps, sp.S.Zero
    steps.append(Step(StepKind.DENSITIES, written, "log-densities expanded: a constant, "
                      f"log det {W} and traces linear in {W}"))
    # P's kernel det(W)^a etr(Theta W), read off its log-density
    c_p, a_p, linear_p = cone_parts(log_p, W, matrices)
    theta_p = symmetric_part(gradient(linear_p, W, matrices), matrices)
    a, theta, h = (sp.Symbol(_apart(["a", "alpha", "c"], taken), real=True),
                   sp.MatrixSymbol(_apart(["Theta", "Lambda", "T"], taken), k, k),
                   sp.MatrixSymbol(_apart(["H", "D", "E_"], taken), k, k))
    at = {a: a_p, theta: theta_p}
    kernel = f"{a} = {_text(a_p)}, {theta} = {_text(theta_p)}"
    log_z = cone_log_normaliser(k, a, theta)
    steps.append(Step(StepKind.EXPECTATION,
                      Equation(sp.log(sp.Function("Z")(a, theta)), log_z),
                      f"the normaliser of the kernel det({W})^{a} exp(tr({theta} {W})) over the "
                      f"cone, for {a} > -1 and -{theta} positive definite: the multivariate "
                      "gamma integral (Muirhead 1982, Theorem 2.1.11)"))
    steps.append(Step(StepKind.EXPECTATION,
                      Equation(sp.log(sp.Function("p")(W)),
                               c_p + a_p * sp.log(sp.Determinant(W)) + linear_p),
                      f"the kernel of P, read off its log-density: {kernel}"))
    aux = matrices + [theta, h]
    d_log_z = tidy(differential(log_z, theta, h), aux)
    d_log_z = sp.collect(d_log_z, sorted(d_log_z.atoms(sp.Trace), key=sp.default_sort_key),
                         func=sp.factor)
    g = gradient(d_log_z, h, aux)
    mean = symmetric(sp.expand(symmetric(g.xreplace(at).doit(), matrices)).doit(), matrices)
    d_a = sp.diff(log_z, a)
    log_det = expand_logdet(d_a.xreplace(at), matrices)
    checked = moment_check(p, mean, log_det, rng)
    steps.append(Step(StepKind.EXPECTATION, Equation(E(W), mean),
                      f"tilting: E[tr({h} {W})] is the derivative of log Z in {theta} along "
                      f"{h}; by Jacobi's formula, d log det(-{theta})[{h}] = tr({theta}^-1 "
                      f"{h}), so d log Z[{h}] = {_text(d_log_z)} = tr(E[{W}] {h}) and E[{W}] "
                      f"= {_text(g)} at {kernel}; {checked[0]}"))
    steps.append(Step(StepKind.EXPECTATION,
                      Equation(E(sp.log(sp.Determinant(W))), log_det),
                      f"tilting: E[log det {W}] is the derivative of log Z in {a}, "
                      f"{_text(d_a)} (psi_p the derivative of log Gamma_p), at {kernel}; "
                      f"det(cA) = c^p det A, det(A^-1) = 1/det A; {checked[1]}"))
    constant, b, linear = cone_parts(integrand, W, matrices)
    total = constant + b * log_det + tidy(linear.xreplace({W: mean}), matrices)
    total = tidy(sp.expand(total), matrices)
    steps.append(Step(StepKind.SUBSTITUTED, total, "linearity of expectation and of the "
                      f"trace: E[c + b log det {W} + tr(M {W})] = c + b E[log det {W}] + "
                      f"tr(M E[{W}])"))
    result = _textbook_cone(total, matrices)
    if result != total:
        steps.append(Step(StepKind.SIMPLIFICATION, result, "collected by log-determinants, "
                          "traces and the multivariate gamma and digamma functions"))
    return steps, result


def _random_spd(k: int, rng: np.random.Generator) -> np.ndarray:
    a = rng.normal(size=(k, k))
    return a @ a.T / k + 0.5 * np.eye(k)


def _cone_point(members, k: int, rng: np.random.Generator, minimum: float, tries: int = 100):
    """Random values of the members' free symbols (matrix symbols: k x k SPD matrices; explicit
    entries from a random SPD matrix; degrees of freedom in (k + 1.5, k + 6)), with the
    members' numeric (df, scale); None when no point with every df >= ``minimum`` and SPD
    scales is found."""
    for _ in range(tries):
        point: dict = {}
        for m in members:
            df, scale = m.values
            if isinstance(scale, sp.MatrixSymbol):
                point.setdefault(scale, sp.ImmutableMatrix(_random_spd(k, rng)))
            else:
                s = _random_spd(k, rng)
                for i in range(k):
                    for j in range(k):
                        entry = scale[i, j]
                        if isinstance(entry, sp.Symbol) and entry not in point:
                            point[entry] = sp.Float(s[min(i, j), max(i, j)], 17)
                for symbol in scale.free_symbols - set(point):
                    point[symbol] = sp.Float(rng.uniform(0.5, 2.0), 17)
            for symbol in df.free_symbols - set(point):
                point[symbol] = sp.Float(rng.uniform(k + 1.5, k + 6.0), 17)
        numeric = []
        for m in members:
            df, scale = m.values
            n = float(df.xreplace(point))
            v = np.array(sp.ImmutableMatrix(scale.xreplace(point)).evalf(), dtype=float)
            numeric.append((n, v))
        if all(n >= minimum and np.allclose(v, v.T) and np.linalg.eigvalsh(v).min() > 0
               for n, v in numeric):
            return point, numeric
    return None


def moment_check(p: Family, mean, log_det, rng: np.random.Generator) -> tuple[str, str]:
    """E[W] and E[log det W] as derived, at p = 2 (or P's own p) and random values, against
    Monte Carlo means over draws of ``scipy.stats.wishart.rvs`` (each within 5 standard
    errors, else SymbolicInfoError); the notes say by how many standard errors they differ."""
    from scipy import stats
    dim = p.support.dimension
    k = int(dim) if dim.is_Integer else 2
    drawn = _cone_point([p], k, rng, minimum=k + 1)
    if drawn is None:  # draws with df near p - 1 have determinants that underflow
        return (f"not checked numerically: no parameter point with df >= {k + 1} at p = {k}",) * 2
    point, numeric = drawn
    at = {**point, dim: k} if not dim.is_Integer else point
    df, scale = numeric[0]
    draws = stats.wishart.rvs(df=df, scale=scale, size=MONTE_CARLO_DRAWS, random_state=rng)
    draws = draws.reshape(MONTE_CARLO_DRAWS, k, k)
    root = np.sqrt(MONTE_CARLO_DRAWS)
    claimed = np.array(sp.ImmutableMatrix(mean.subs(at).doit()).evalf(17), dtype=float)
    z_mean = float(np.max(np.abs(claimed - draws.mean(0)) / (draws.std(0, ddof=1) / root)))
    log_dets = np.linalg.slogdet(draws)[1]
    claimed_log_det = float(sp.N(log_det.subs(at).doit(), 17))
    z_log_det = abs(claimed_log_det - log_dets.mean()) / (log_dets.std(ddof=1) / root)
    where = (f"{MONTE_CARLO_DRAWS} draws of scipy.stats.wishart.rvs at p = {k}, df = {df:.4g} "
             "and a random SPD scale")
    for name, z in (("E[W]", z_mean), ("E[log det W]", z_log_det)):
        if not z <= 5:
            raise SymbolicInfoError(f"the derived {name} differs from its Monte Carlo estimate "
                                    f"by {z:.3g} standard errors ({where})")
    return (f"checked against the Monte Carlo mean over {where}: {z_mean:.2f} standard errors "
            "(the largest over the entries)",
            f"checked against the Monte Carlo mean over {where}: {z_log_det:.2f} standard errors")


def cone_numeric_check(d: Derivation, rng: np.random.Generator) -> Step:
    """The result at p = 2 (or the members' own p), random SPD scales and df in (p + 1.5,
    p + 6) against scipy: ``scipy.stats.wishart(df, scale).entropy()`` for an entropy, for a
    KL divergence or cross-entropy a Monte Carlo mean of the defining integrand (the log-densities
    of the definition) over draws of ``scipy.stats.wishart.rvs`` (within 5 standard errors), after
    checking the log-density of P against ``scipy.stats.wishart.logpdf``."""
    from scipy import stats
    members = [m for m in (d.p, d.q) if m is not None]
    dim = d.p.support.dimension
    k = int(dim) if dim.is_Integer else 2
    entropy = d.quantity == "entropy"  # Monte Carlo otherwise: df near p - 1 gives draws
    drawn = _cone_point(members, k, rng, k - 1 + 1e-9 if entropy else k + 1)  # of det ~ 0
    if drawn is None:
        bound = f"df > {k - 1}" if entropy else f"df >= {k + 1}"
        return Step(StepKind.NO_NUMERIC_CHECK, sp.nan, f"no parameter point at p = {k} with "
                    f"{bound} and symmetric positive definite scales")
    point, numeric = drawn
    at = {**point, dim: k} if not dim.is_Integer else point
    claimed = float(sp.N(d.result.subs(at).doit(), 17))
    n_p, v_p = numeric[0]
    shown = f"p = {k}, df = {n_p:.4g}" + (f" and {numeric[1][0]:.4g}" if d.q else "")
    if d.quantity == "entropy":
        reference = float(stats.wishart(df=n_p, scale=v_p).entropy())
        error = abs(claimed - reference) / max(1.0, abs(reference))
        if error > 1e-8:
            raise SymbolicInfoError(f"{d.name}: the derived result {claimed:.12g} disagrees "
                                    f"with scipy.stats.wishart.entropy {reference:.12g} at "
                                    f"{shown} (relative difference {error:.3g})")
        return Step(StepKind.NUMERIC_CHECK, sp.Float(error, 3),
                    f"relative difference from scipy.stats.wishart(df, scale).entropy() at "
                    f"{shown} and random SPD scales")
    u = {(i, j): sp.Symbol(f"u_{i}{j}", real=True) for i in range(k) for j in range(i, k)}
    U = sp.ImmutableMatrix(k, k, lambda i, j: u[(min(i, j), max(i, j))])
    W = sp.MatrixSymbol("W_", k, k)

    def log_density(m):
        value = sp.log(m.density_at(W)).subs(at).xreplace({W: U}).doit()
        return sp.N(_log_multigamma(sp.expand_log(value, force=True)), 17)

    log_p = log_density(members[0])
    log_q = log_density(members[1])
    integrand = -log_q if d.quantity == "cross_entropy" else log_p - log_q
    f = sp.lambdify(list(u.values()), integrand, modules=["numpy", "scipy"])
    g = sp.lambdify(list(u.values()), log_p, modules=["numpy", "scipy"])
    draws = stats.wishart.rvs(df=n_p, scale=v_p, size=MONTE_CARLO_DRAWS, random_state=rng)
    entries = [draws[:, i, j] for (i, j) in u]
    first = [e[:DENSITY_CHECK_DRAWS] for e in entries]
    scipy_log_p = stats.wishart.logpdf(np.transpose(draws[:DENSITY_CHECK_DRAWS], (1, 2, 0)),
                                       df=n_p, scale=v_p)
    density_error = float(np.max(np.abs(g(*first) - scipy_log_p)
                                 / np.maximum(1.0, np.abs(scipy_log_p))))
    if density_error > 1e-9:
        raise SymbolicInfoError(f"{d.name}: the log-density of P differs from "
                                f"scipy.stats.wishart.logpdf by {density_error:.3g} at {shown}")
    with np.errstate(all="ignore"):
        values = np.broadcast_to(np.asarray(f(*entries), dtype=float), (MONTE_CARLO_DRAWS,))
    mean = float(values.mean())
    se = float(values.std(ddof=1) / np.sqrt(MONTE_CARLO_DRAWS))
    if not abs(claimed - mean) <= 5 * se + 1e-12 * max(1.0, abs(mean)):
        raise SymbolicInfoError(f"{d.name}: the derived result {claimed:.10g} disagrees with "
                                f"the Monte Carlo estimate {mean:.10g} (standard error "
                                f"{se:.3g}) at {shown}")
    error = abs(claimed - mean) / max(1.0, abs(mean))
    return Step(StepKind.NUMERIC_CHECK, sp.Float(error, 3),
                f"relative difference from a Monte Carlo mean of the defining integrand over "
                f"{MONTE_CARLO_DRAWS} draws of scipy.stats.wishart.rvs at {shown} and random SPD "
                f"scales: {abs(claimed - mean) / se if se else 0.0:.2f} standard errors "
                f"(standard error {se:.2g}); log p agrees with scipy.stats.wishart.logpdf to "
                f"{density_error:.1g} on {DENSITY_CHECK_DRAWS} draws")
