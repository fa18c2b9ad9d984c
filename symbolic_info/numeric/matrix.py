"""Numeric functions of sympy matrix expressions of symbolic dimension, on batched arrays.

``matrix_function(expr, parameters, backend="numpy")`` turns a scalar (or matrix) sympy
expression built from ``MatrixSymbol("mu", k, 1)``, ``MatrixSymbol("Sigma", k, k)``, scalar
Symbols and the dimension Symbol ``k`` into ``f(**arrays)``:

* a k x 1 MatrixSymbol takes an array of shape (..., k) or (..., k, 1) (a 1 x k one (..., k) or
  (..., 1, k)), a k x k one (..., k, k), a scalar Symbol an array of a batch shape; the batch
  shapes broadcast like numpy and the result has the broadcast batch shape (a matrix result
  (..., r, c));
* ``k`` (every Symbol in a MatrixSymbol's shape) is read from the arrays, never passed. An
  array whose last axis has length 1 is read as (..., k, 1) when k is known from another
  argument and its second-to-last axis equals k, and as (..., k) otherwise.

The expression is compiled once into a tree of closures by dispatch on the node type (a dict of
handlers, looked up along the type's MRO); each call walks it with the arrays. Nothing forms an
explicit inverse where a solve will do, and every matrix is factored at most once per call:

* ``log(Determinant(A))`` -> 2 sum(log(diag(L))) with L = cholesky(A); a logarithm of a
  product or power of determinants is split (determinants of positive definite matrices are
  positive), ``log det(A B) = log det A + log det B``, ``log det(A^-1) = -log det A``;
* a product with one inverse ``X A^-1 Y`` -> (L^-1 X^T)^T (L^-1 Y) by triangular solves (a
  quadratic form ``v^T A^-1 v`` as |L^-1 v|^2); more inverses -> Cholesky solves right to
  left (a trailing inverse through the transpose, A being symmetric); a bare inverse ->
  a Cholesky solve against the identity (the only explicit inverse, when nothing multiplies it);
* ``Trace(A^-1 B)`` -> |L_A^-1 L_B|_F^2 when B is itself factored (an operand of an inverse or
  of a log-determinant elsewhere in the expression), else the diagonal of a Cholesky solve;
  ``Trace(X A^-1 Y)`` -> sum((L^-1 X^T) * (L^-1 Y)); ``Trace(X Y)`` -> sum(X * Y^T);
* ``Transpose`` swaps the last two axes, ``Identity(k)`` is eye(k), ``Determinant`` of a
  factored matrix is exp of its log-determinant (else the library's LU determinant).

Index sums that sympy writes for entries of products (``(v.T*M*v)[0, 0]`` evaluates to a
``Sum`` over ``MatrixElement`` products) are turned back into matrix products by
``MatrixExpr.from_index_summation`` before compiling; 1 x 1 matrices in scalar positions are
read as their entry.

Backends: ``numpy`` (numpy, scipy.linalg; batched triangular solves by vectorised
substitution), ``torch`` (torch.linalg.cholesky_ex / solve_triangular; gradients flow) and
``jax`` (jax.numpy, jax.scipy.linalg; differentiable, float64 needs ``jax_enable_x64``).
Cholesky reads the lower triangle: matrices that are inverted or whose log-determinant is
taken must be symmetric positive definite; when a factorisation fails the call raises
:class:`~symbolic_info.errors.InvalidParameter` (a ValueError) naming the matrix (jax under a
transformation cannot raise: the values are nan).
"""

from __future__ import annotations

import functools
import inspect
import math
import operator
from collections.abc import Callable, Sequence

import numpy as np
import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement, MatrixExpr

from ..errors import InvalidParameter

MATRIX_BACKENDS = ("numpy", "torch", "jax")

# Scalar functions by sympy class name: (numpy, torch, jax) attribute paths; others go through
# sympy.lambdify with the backend's modules.
_FUNCTIONS = {
    "log": ("numpy.log", "torch.log", "jax.numpy.log"),
    "exp": ("numpy.exp", "torch.exp", "jax.numpy.exp"),
    "log1p": ("numpy.log1p", "torch.log1p", "jax.numpy.log1p"),
    "expm1": ("numpy.expm1", "torch.expm1", "jax.numpy.expm1"),
    "Abs": ("numpy.abs", "torch.abs", "jax.numpy.abs"),
    "loggamma": ("scipy.special.gammaln", "torch.lgamma", "jax.scipy.special.gammaln"),
    "digamma": ("scipy.special.digamma", "torch.special.digamma",
                "jax.scipy.special.digamma"),
    "erf": ("scipy.special.erf", "torch.special.erf", "jax.scipy.special.erf"),
    "erfc": ("scipy.special.erfc", "torch.special.erfc", "jax.scipy.special.erfc"),
    "xlogy": ("scipy.special.xlogy", "torch.xlogy", "jax.scipy.special.xlogy"),
    "xlog1py": ("scipy.special.xlog1py", "torch.special.xlog1py",
                "jax.scipy.special.xlog1py"),
}
_INTEGER_FIRST = {"polygamma": ("scipy.special.polygamma", "torch.special.polygamma",
                                "jax.scipy.special.polygamma")}


def _attribute(path: str):
    import importlib
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


# -- backends -------------------------------------------------------------------------------

class _Numpy:
    name = "numpy"
    column = 0
    modules = ["scipy", "numpy"]

    def asarray(self, x):
        return np.asarray(x, dtype=float)

    def is_array(self, x) -> bool:
        return isinstance(x, np.ndarray | np.generic)

    def cholesky(self, a, name: str):
        try:
            return np.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            raise InvalidParameter(f"{name} is not positive definite (its Cholesky "
                                   f"factorisation failed)") from None

    def solve(self, lower, b, transpose: bool = False):
        """X with L X = B (L^T X = B when transpose), L lower triangular."""
        n = lower.shape[-1]
        batch = np.broadcast_shapes(lower.shape[:-2], b.shape[:-2])
        count = math.prod(batch)
        if not batch or count < n:  # LAPACK per matrix (scipy loops over a batch)
            from scipy.linalg import solve_triangular
            lower = np.broadcast_to(lower, batch + lower.shape[-2:])
            b = np.broadcast_to(b, batch + b.shape[-2:])
            return solve_triangular(lower, b, lower=True, trans=1 if transpose else 0,
                                    check_finite=False)
        x = np.empty(batch + b.shape[-2:], dtype=np.result_type(lower, b))
        for i in (range(n - 1, -1, -1) if transpose else range(n)):  # substitution
            row = b[..., i, :]
            if transpose and i + 1 < n:
                row = row - np.einsum("...j,...jm->...m", lower[..., i + 1:, i],
                                      x[..., i + 1:, :])
            elif not transpose and i:
                row = row - np.einsum("...j,...jm->...m", lower[..., i, :i], x[..., :i, :])
            x[..., i, :] = row / lower[..., i, i, None]
        return x

    def eye(self, n: int, like):
        return np.eye(n)

    def full(self, shape, value, like):
        return np.full(shape, float(value))

    def diagonal(self, a):
        return np.diagonal(a, axis1=-2, axis2=-1)

    def swap(self, a):
        return np.swapaxes(a, -1, -2)

    def det(self, a):
        return np.linalg.det(a)

    def eigvalsh(self, a):
        return np.linalg.eigvalsh(a)

    def where(self, condition, a, b):
        return np.where(condition, a, b)

    def broadcast_to(self, x, shape):
        return np.broadcast_to(x, shape)

    def finish(self, x):
        return x[()] if isinstance(x, np.ndarray) and x.ndim == 0 else x


class _Torch(_Numpy):
    name = "torch"
    column = 1
    modules = "torch"

    def __init__(self):
        import torch
        self.torch = torch

    def asarray(self, x):
        if self.torch.is_tensor(x):
            return x if x.is_floating_point() else x.to(self.torch.float64)
        return self.torch.as_tensor(np.asarray(x, dtype=float))

    def is_array(self, x) -> bool:
        return self.torch.is_tensor(x)

    def cholesky(self, a, name: str):
        lower, info = self.torch.linalg.cholesky_ex(a)
        if bool((info != 0).any()):
            raise InvalidParameter(f"{name} is not positive definite (its Cholesky "
                                   f"factorisation failed)")
        return lower

    def solve(self, lower, b, transpose: bool = False):
        if transpose:
            return self.torch.linalg.solve_triangular(lower.mT, b, upper=True)
        return self.torch.linalg.solve_triangular(lower, b, upper=False)

    def eye(self, n: int, like):
        return self.torch.eye(n, dtype=like.dtype, device=like.device)

    def full(self, shape, value, like):
        if self.is_array(value):
            return self.torch.broadcast_to(value, shape)
        return self.torch.full(tuple(shape), float(value), dtype=like.dtype, device=like.device)

    def diagonal(self, a):
        return self.torch.diagonal(a, dim1=-2, dim2=-1)

    def swap(self, a):
        return a.transpose(-1, -2)

    def eigvalsh(self, a):
        return self.torch.linalg.eigvalsh(a)

    def where(self, condition, a, b):
        t = self.torch
        return t.where(t.as_tensor(condition), t.as_tensor(a, dtype=t.float64),
                       t.as_tensor(b, dtype=t.float64))

    def det(self, a):
        return self.torch.linalg.det(a)

    def broadcast_to(self, x, shape):
        return self.torch.broadcast_to(x, tuple(shape))

    def finish(self, x):
        return x


class _Jax(_Numpy):
    name = "jax"
    column = 2
    modules = "jax"

    def __init__(self):
        import jax
        import jax.numpy as jnp
        import jax.scipy.linalg as linalg
        self.jax, self.jnp, self.linalg = jax, jnp, linalg

    def asarray(self, x):
        x = self.jnp.asarray(x)
        return x if self.jnp.issubdtype(x.dtype, self.jnp.floating) else x.astype(float)

    def is_array(self, x) -> bool:
        return isinstance(x, self.jax.Array)

    def cholesky(self, a, name: str):
        lower = self.jnp.linalg.cholesky(a)
        try:
            failed = bool(self.jnp.isnan(self.jnp.diagonal(lower, axis1=-2, axis2=-1)).any())
        except self.jax.errors.ConcretizationTypeError:
            failed = False  # traced: cannot raise, the values are nan
        if failed and not bool(self.jnp.isnan(a).any()):
            raise InvalidParameter(f"{name} is not positive definite (its Cholesky "
                                   f"factorisation failed)")
        return lower

    def solve(self, lower, b, transpose: bool = False):
        batch = np.broadcast_shapes(lower.shape[:-2], b.shape[:-2])
        lower = self.jnp.broadcast_to(lower, batch + lower.shape[-2:])
        b = self.jnp.broadcast_to(b, batch + b.shape[-2:])
        return self.linalg.solve_triangular(lower, b, lower=True, trans=1 if transpose else 0)

    def eye(self, n: int, like):
        return self.jnp.eye(n, dtype=like.dtype)

    def full(self, shape, value, like):
        if self.is_array(value):
            return self.jnp.broadcast_to(value, shape)
        return self.jnp.full(tuple(shape), float(value), dtype=like.dtype)

    def diagonal(self, a):
        return self.jnp.diagonal(a, axis1=-2, axis2=-1)

    def swap(self, a):
        return self.jnp.swapaxes(a, -1, -2)

    def eigvalsh(self, a):
        return self.jnp.linalg.eigvalsh(a)

    def where(self, condition, a, b):
        return self.jnp.where(condition, a, b)

    def det(self, a):
        return self.jnp.linalg.det(a)

    def broadcast_to(self, x, shape):
        return self.jnp.broadcast_to(x, tuple(shape))

    def finish(self, x):
        return x


def _backend(name: str):
    if name not in MATRIX_BACKENDS:
        raise InvalidParameter(f"unknown backend {name!r}; matrix expressions evaluate with "
                               f"{', '.join(MATRIX_BACKENDS)}")
    try:
        return {"numpy": _Numpy, "torch": _Torch, "jax": _Jax}[name]()
    except ImportError as exc:
        raise ImportError(f"backend {name!r} needs {name} installed") from exc


# -- one call's state -----------------------------------------------------------------------

class _Env:
    """The arrays of one call, the dimensions read from them, and the per-call caches (values
    of matrix sub-expressions, Cholesky factors)."""

    def __init__(self, ops, values: dict, dims: dict, like):
        self.ops, self.values, self.dims, self.like = ops, values, dims, like
        self.memo: dict = {}
        self.factors: dict = {}
        # inside a case of a Piecewise: a matrix that is not positive definite where that case
        # does not apply is factored as the identity (the case's value there is discarded)
        self.lenient = False

    def size(self, expr: sp.Expr) -> int:
        return int(expr.xreplace(self.dims)) if not isinstance(expr, int) else expr


def _scale(c, x):
    """A batch of scalars (...) times a batch of matrices (..., r, c)."""
    if isinstance(c, int | float):
        return x if c == 1 else c * x
    return c[..., None, None] * x


def _is_number(x) -> bool:
    return isinstance(x, int | float)


# -- preparation ----------------------------------------------------------------------------

def _index_sums_as_products(expr: sp.Expr) -> sp.Expr:
    """Each ``Sum`` over matrix entries -> the matrix product it spells (powers of entries
    written as products first, which ``from_index_summation`` reads)."""

    def as_product(s: sp.Sum) -> sp.Expr:
        body = s.function.replace(
            lambda e: (isinstance(e, sp.Pow) and e.exp.is_Integer and 1 < e.exp <= 8
                       and e.base.has(MatrixElement)),
            lambda e: sp.Mul(*([e.base] * int(e.exp)), evaluate=False))
        try:
            converted = MatrixExpr.from_index_summation(sp.Sum(body, *s.limits))
        except Exception as exc:
            raise NotImplementedError(f"cannot read the index sum {s} as a matrix "
                                      f"product") from exc
        indices = {limit[0] for limit in s.limits}
        if converted.has(sp.Sum) or converted.free_symbols & indices:
            raise NotImplementedError(f"cannot read the index sum {s} as a matrix product")
        return converted

    return expr.replace(lambda e: isinstance(e, sp.Sum) and e.has(MatrixElement), as_product)


def _inverse_items(operand: sp.Expr) -> tuple[list[sp.Expr], list[tuple[str, sp.Expr]]]:
    """Inverse(operand) as (scalar factors, chain items)."""
    if isinstance(operand, sp.Identity):
        return [], []
    if isinstance(operand, sp.Inverse):
        return [], [("mat", operand.arg)]
    if isinstance(operand, sp.Transpose) and operand.arg.is_square:
        return [], [("inv", operand.arg)]  # symmetric positive definite: A^-T = A^-1
    if isinstance(operand, sp.MatMul) and all(m.is_square for m in operand.args
                                              if isinstance(m, MatrixExpr)):
        coeff, mats = operand.as_coeff_matrices()
        scalars, items = ([1 / coeff] if coeff != 1 else []), []
        for m in reversed(mats):
            s, i = _inverse_items(m)
            scalars += s
            items += i
        return scalars, items
    return [], [("inv", operand)]


def _chain_items(node: sp.MatMul) -> tuple[list[sp.Expr], list[tuple[str, sp.Expr]]]:
    """A product as (scalar factors, [("mat", X) | ("inv", A), ...]) in order."""
    coeff, mats = node.as_coeff_matrices()
    scalars, items = ([coeff] if coeff != 1 else []), []
    for m in mats:
        if isinstance(m, sp.Inverse):
            s, i = _inverse_items(m.arg)
        elif isinstance(m, sp.MatPow) and m.exp.is_Integer and m.exp < 0:
            s, i = _inverse_items(m.base)
            s, i = s * int(-m.exp), i * int(-m.exp)
        elif isinstance(m, sp.MatPow) and m.exp.is_Integer and m.exp > 0:
            s, i = _chain_items(sp.MatMul(m.base, evaluate=False))
            s, i = s * int(m.exp), i * int(m.exp)
        elif isinstance(m, sp.MatMul):
            s, i = _chain_items(m)
        else:
            s, i = [], [("mat", m)]
        scalars += s
        items += i
    return scalars, items


def _logdet_terms(x: sp.Expr) -> tuple[list[sp.Expr], list[tuple[sp.Expr, sp.Expr]]]:
    """log det(x) as (scalar logs, [(coefficient, A) with log det A by Cholesky])."""
    if isinstance(x, sp.Identity):
        return [], []
    if isinstance(x, sp.Inverse):
        logs, terms = _logdet_terms(x.arg)
        return [-t for t in logs], [(-c, a) for c, a in terms]
    if isinstance(x, sp.Transpose):
        return _logdet_terms(x.arg)
    if isinstance(x, sp.MatPow) and x.exp.is_Integer:
        logs, terms = _logdet_terms(x.base)
        return [x.exp * t for t in logs], [(x.exp * c, a) for c, a in terms]
    if isinstance(x, sp.MatMul) and all(m.is_square for m in x.args
                                        if isinstance(m, MatrixExpr)):
        coeff, mats = x.as_coeff_matrices()
        if coeff == 1 or coeff.is_positive:
            logs = [x.rows * sp.log(coeff)] if coeff != 1 else []
            terms = []
            for m in mats:
                more_logs, more = _logdet_terms(m)
                logs += more_logs
                terms += more
            return logs, terms
    return [], [(sp.S.One, x)]


def _log_parts(arg: sp.Expr):
    """log(arg) as (rest, [(coefficient, Determinant(X))]) when arg is a product of powers of
    determinants and other factors (determinants of positive definite matrices are positive,
    so the logarithm splits); None when arg has no determinant factor."""
    rest, dets = [], []
    for factor in sp.Mul.make_args(arg):
        base, exp = factor.as_base_exp()
        if isinstance(base, sp.Determinant) and exp.is_real:
            dets.append((exp, base.arg))
        else:
            rest.append(factor)
    return (sp.Mul(*rest), dets) if dets else None


def _factored_operands(expr: sp.Expr) -> set:
    """The matrices the expression already requires positive definite: operands of inverses
    and of log-determinants (their Cholesky factors are computed anyway)."""
    found = set()
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.MatMul):
            found |= {a for kind, a in _chain_items(node)[1] if kind == "inv"}
        elif isinstance(node, sp.Inverse):
            found |= {a for kind, a in _inverse_items(node.arg)[1] if kind == "inv"}
        elif isinstance(node, sp.log):
            parts = _log_parts(node.args[0])
            for _, x in parts[1] if parts else ():
                found |= {a for _, a in _logdet_terms(x)[1]}
    return found


# -- compilation ----------------------------------------------------------------------------

class LogDetDivergence(sp.Function):
    r""":math:`\operatorname{tr}(B^{-1}A) - \log\det(B^{-1}A) - k
    = \sum_i (\lambda_i - \log(1 + \lambda_i))`, :math:`\lambda_i` the eigenvalues of
    :math:`L^{-1}(A - B)L^{-\top}` (:math:`B = LL^\top`): the log-determinant (Stein)
    divergence, evaluated from the difference A - B so that it keeps its digits where A is
    close to B (the direct form cancels O(1) terms to an O(|A - B|^2) value)."""

    nargs = 2


SERIES_BELOW = 0.05  # |lambda| below this: lambda - log1p(lambda) by its series
SWITCH_BELOW = 0.5  # a direct divergence below this is recomputed from A - B


def log_det_divergences(expr: sp.Expr) -> sp.Expr:
    """c tr(B^-1 A) - c log det A + c log det B - c k  ->  c LogDetDivergence(A, B)."""
    terms = list(sp.Add.make_args(expr))  # not expanded: (mu_1 - mu_2) keeps its difference
    for term in list(terms):
        c, trace = term.as_independent(sp.Trace, as_Add=False)
        if not isinstance(trace, sp.Trace) or not isinstance(trace.arg, sp.MatMul):
            continue
        factors = [f for f in trace.arg.args if isinstance(f, MatrixExpr)]
        if len(factors) != 2 or len(trace.arg.args) != 2:
            continue
        inverse = [f for f in factors if isinstance(f, sp.Inverse)]
        if len(inverse) != 1:
            continue
        b = inverse[0].arg
        a = factors[1] if factors[0] is inverse[0] else factors[0]
        k = a.shape[0]
        wanted = [-c * sp.log(sp.Determinant(a)), c * sp.log(sp.Determinant(b)), -c * k]
        if all(w in terms for w in wanted) and term in terms:
            for w in (*wanted, term):
                terms.remove(w)
            terms.append(c * LogDetDivergence(a, b))
    return sp.Add(*terms)


def _handler(table: dict, node):
    for cls in type(node).__mro__:
        if cls in table:
            return table[cls]
    return None


class _Compiler:
    """sympy node -> closure ``fn(env)``: scalars as arrays of the batch shape (or Python
    numbers), matrices as arrays (..., rows, cols)."""

    def __init__(self, ops, dims: set, factored: set):
        self.ops, self.dims, self.factored = ops, dims, factored
        self.scalar_handlers = {
            sp.Symbol: self._symbol, sp.Add: self._add, sp.Mul: self._mul,
            sp.Pow: self._pow, MatrixElement: self._element, sp.Trace: self._trace,
            sp.Determinant: self._determinant, sp.log: self._log,
            LogDetDivergence: self._log_det_divergence, sp.Function: self._function,
            sp.Piecewise: self._piecewise,
        }
        self.matrix_handlers = {
            sp.MatrixSymbol: self._matrix_symbol, sp.Identity: self._identity,
            sp.ZeroMatrix: self._zero, sp.OneMatrix: self._ones,
            sp.Transpose: self._transpose, sp.MatAdd: self._matadd, sp.MatMul: self._matmul,
            sp.MatPow: self._matpow, sp.HadamardProduct: self._hadamard,
        }

    # scalars

    def scalar(self, node: sp.Expr) -> Callable:
        if isinstance(node, MatrixExpr):
            if node.shape != (1, 1):
                raise NotImplementedError(f"{node} ({node.shape[0]} x {node.shape[1]}) stands "
                                          f"where a scalar is needed")
            matrix = self.matrix(node)
            return lambda env: matrix(env)[..., 0, 0]
        if node.is_number:
            value = complex(sp.N(node, 17))
            if value.imag:
                raise NotImplementedError(f"complex constant {node}")
            return lambda env, v=value.real: v
        handler = _handler(self.scalar_handlers, node)
        if handler is None:
            raise NotImplementedError(f"matrix_function cannot evaluate "
                                      f"{type(node).__name__}: {node}")
        return handler(node)

    def _symbol(self, node):
        if node in self.dims:
            return lambda env: env.dims[node]
        return lambda env: env.values[node.name]

    def _add(self, node):
        terms = [self.scalar(a) for a in node.args]
        return lambda env: functools.reduce(operator.add, (t(env) for t in terms))

    def _mul(self, node):
        factors = [self.scalar(a) for a in node.args]
        return lambda env: functools.reduce(operator.mul, (f(env) for f in factors))

    def _pow(self, node):
        base, exp = node.args
        if isinstance(base, sp.Determinant) and base.arg in self.factored:
            logdet = self.logdet(base.arg)
            e = self.scalar(exp)
            return lambda env: self._exp(env, e(env) * logdet(env))
        b, e = self.scalar(base), self.scalar(exp)
        return lambda env: b(env) ** e(env)

    def _exp(self, env, x):
        if _is_number(x):
            return math.exp(x)
        return self.function_of("exp")(x)

    def _element(self, node):
        parent, i, j = node.args
        if not (i.is_Integer and j.is_Integer):
            raise NotImplementedError(f"entry {node} of symbolic index (outside an index sum "
                                      f"that reads as a matrix product)")
        matrix, i, j = self.matrix(parent), int(i), int(j)
        return lambda env: matrix(env)[..., i, j]

    def _trace(self, node):
        x = node.arg
        if isinstance(x, sp.MatAdd):
            return self._add(sp.Add(*[sp.Trace(t) for t in x.args], evaluate=False))
        if isinstance(x, sp.MatMul):
            scalars, items = _chain_items(x)
            coeff = self.scalar(sp.Mul(*scalars))
            trace = self._trace_chain(items)
            return lambda env: coeff(env) * trace(env)
        if isinstance(x, sp.Identity):
            return self.scalar(x.rows)
        matrix = self.matrix(x)
        ops = self.ops
        return lambda env: ops.diagonal(matrix(env)).sum(-1)

    def _trace_chain(self, items) -> Callable:
        ops = self.ops
        kinds = [kind for kind, _ in items]
        if kinds in (["inv", "mat"], ["mat", "inv"]):
            a = items[kinds.index("inv")][1]
            b = items[kinds.index("mat")][1]
            if b in self.factored:  # tr(A^-1 B) = |L_A^-1 L_B|_F^2
                la, lb = self.factor(a), self.factor(b)

                def frobenius(env):
                    w = ops.solve(la(env), lb(env))
                    return (w * w).sum((-2, -1))
                return frobenius
        if kinds.count("inv") == 1 and 0 < kinds.index("inv") < len(kinds) - 1:
            p = kinds.index("inv")  # tr(X A^-1 Y) = sum((L^-1 X^T) * (L^-1 Y))
            lower = self.factor(items[p][1])
            left_mats, right_mats = [m for _, m in items[:p]], [m for _, m in items[p + 1:]]
            left, right = self.product(left_mats), self.product(right_mats)
            same = sp.Transpose(sp.MatMul(*left_mats)).doit() == sp.MatMul(*right_mats).doit()

            def split_trace(env):
                lo = lower(env)
                v = ops.solve(lo, right(env))
                u = v if same else ops.solve(lo, ops.swap(left(env)))
                return (u * v).sum((-2, -1))
            return split_trace
        if kinds == ["mat", "mat"]:
            x, y = (self.matrix(m) for _, m in items)
            return lambda env: (x(env) * ops.swap(y(env))).sum((-2, -1))
        chain = self.chain(items)
        return lambda env: ops.diagonal(chain(env)).sum(-1)

    def _determinant(self, node):
        if node.arg in self.factored:
            logdet = self.logdet(node.arg)
            return lambda env: self._exp(env, logdet(env))
        matrix, ops = self.matrix(node.arg), self.ops
        return lambda env: ops.det(matrix(env))

    def _log(self, node):
        parts = _log_parts(node.args[0])
        if parts is None:
            return self._function(node)
        rest, dets = parts
        terms = [(self.scalar(c), self.logdet(x)) for c, x in dets]
        rest_log = None if rest == 1 else self._function(sp.log(rest))

        def log_with_determinants(env):
            total = functools.reduce(operator.add, (c(env) * ld(env) for c, ld in terms))
            return total if rest_log is None else total + rest_log(env)
        return log_with_determinants

    def logdet(self, x: sp.Expr) -> Callable:
        logs, terms = _logdet_terms(x)
        parts = [self.scalar(t) for t in logs]
        for c, a in terms:
            coeff, lower, ops = self.scalar(c), self.factor(a), self.ops
            parts.append(lambda env, coeff=coeff, lower=lower: coeff(env) * 2 * _elementwise_log(
                ops, ops.diagonal(lower(env))).sum(-1))
        if not parts:
            return lambda env: 0.0
        return lambda env: functools.reduce(operator.add, (p(env) for p in parts))

    def _log_det_divergence(self, node):
        """Direct form from the two Cholesky factors, ||L_B^-1 L_A||_F^2 - log det A +
        log det B - k; where it is below SWITCH_BELOW (A close to B, where the direct form
        has cancelled its digits) the eigenvalue form from A - B, on those points only."""
        a, b = node.args
        ma, mb, ops = self.matrix(a), self.matrix(b), self.ops
        lower_a, lower_b = self.factor(a), self.factor(b)
        log1p = self.function_of("log1p")

        def stable(a_, b_, low):
            x = ops.solve(low, a_ - b_)  # L^-1 (A - B), from the inputs' difference
            e = ops.solve(low, ops.swap(x))  # L^-1 (A - B)^T L^-T, symmetric
            lam = ops.eigvalsh((e + ops.swap(e)) / 2)
            small = (abs(lam) < SERIES_BELOW) * 1.0
            series = sum((-1) ** n * lam ** n / n for n in range(2, 14))
            safe = lam * (1 - small)  # keep log1p away from -1 where the series is used
            return (series * small + (safe - log1p(safe)) * (1 - small)).sum(-1)

        def value(env):
            la, lb = lower_a(env), lower_b(env)
            m = ops.solve(lb, la)
            k = la.shape[-1]
            direct = ((m * m).sum(-1).sum(-1)
                      - 2 * _elementwise_log(ops, ops.diagonal(la)).sum(-1)
                      + 2 * _elementwise_log(ops, ops.diagonal(lb)).sum(-1) - k)
            near = direct < SWITCH_BELOW
            a_, b_ = ma(env), mb(env)
            if ops.name == "jax":  # no data-dependent shapes under jit: both, then where
                return ops.jnp.where(near, stable(a_, b_, lb), direct)
            if not bool(near.any()):
                return direct
            batch = tuple(direct.shape)
            a_, b_, lb_ = (ops.broadcast_to(t, batch + tuple(t.shape[-2:]))
                           for t in (a_, b_, lb))
            out = direct.clone() if ops.name == "torch" else np.array(direct, copy=True)
            out[near] = stable(a_[near], b_[near], lb_[near])
            return out
        return value

    def function_of(self, name: str) -> Callable:
        return _attribute(_FUNCTIONS[name][self.ops.column])

    def _piecewise(self, node):
        """The first case whose condition holds, elementwise over the batch."""
        cases = [(self.scalar(e), self.condition(c)) for e, c in node.args]
        ops = self.ops

        def run(env):
            value, _ = cases[-1]
            out = value(env)
            for value, condition in reversed(cases[:-1]):
                env.lenient, memo = True, env.memo
                env.memo = {}  # values computed leniently are not shared outside the case
                try:
                    with np.errstate(all="ignore"):
                        out = ops.where(condition(env), value(env), out)
                finally:
                    env.lenient, env.memo = False, memo
            return out
        return run

    def condition(self, node) -> Callable:
        """A boolean of the batch: true/false, relations of scalars, And/Or/Not, and
        positive definiteness (smallest eigenvalue > 0)."""
        if node in (sp.true, True):
            return lambda env: True
        if node in (sp.false, False):
            return lambda env: False
        if isinstance(node, sp.core.relational.Relational):
            lhs, rhs = self.scalar(node.lhs), self.scalar(node.rhs)
            compare = {sp.StrictGreaterThan: operator.gt, sp.StrictLessThan: operator.lt,
                       sp.GreaterThan: operator.ge, sp.LessThan: operator.le,
                       sp.Eq: operator.eq, sp.Ne: operator.ne}[type(node)]
            return lambda env: compare(lhs(env), rhs(env))
        if isinstance(node, (sp.And, sp.Or)):
            parts = [self.condition(a) for a in node.args]
            join = operator.and_ if isinstance(node, sp.And) else operator.or_
            return lambda env: functools.reduce(join, (p(env) for p in parts))
        if isinstance(node, sp.Not):
            inner = self.condition(node.args[0])
            return lambda env: ~np.asarray(inner(env)) if self.ops.name == "numpy" \
                else ~inner(env)
        if type(node).__name__ == "PositiveDefinite":
            matrix = self.matrix(node.args[0])
            return lambda env: self.ops.eigvalsh(matrix(env)).min(-1) > 0 \
                if self.ops.name != "torch" else self.ops.eigvalsh(matrix(env)).min(-1).values > 0
        raise NotImplementedError(f"matrix_function cannot evaluate the condition {node}")

    def _function(self, node):
        name = type(node).__name__
        args = [self.scalar(a) for a in node.args]
        if name in _FUNCTIONS:
            call = self.function_of(name)
        elif name in _INTEGER_FIRST:
            inner = _attribute(_INTEGER_FIRST[name][self.ops.column])

            def call(n, x):
                return inner(int(n), x)
        else:
            dummies = [sp.Dummy(f"a{i}") for i in range(len(node.args))]
            try:
                call = sp.lambdify(dummies, node.func(*dummies), modules=self.ops.modules)
            except Exception as exc:
                raise NotImplementedError(f"backend {self.ops.name!r} cannot evaluate "
                                          f"{node.func}: {exc}") from exc
        func = node.func

        def apply(env):
            values = [a(env) for a in args]
            if all(_is_number(v) for v in values):  # constants and functions of k alone
                return float(sp.N(func(*[sp.sympify(v) for v in values]), 17))
            return call(*values)
        return apply

    # matrices

    def matrix(self, node: sp.Expr) -> Callable:
        handler = _handler(self.matrix_handlers, node)
        if handler is None:
            raise NotImplementedError(f"matrix_function cannot evaluate "
                                      f"{type(node).__name__}: {node}")
        fn = handler(node)

        def memoised(env):
            try:
                return env.memo[node]
            except KeyError:
                value = env.memo[node] = fn(env)
                return value
        return memoised

    def factor(self, a: sp.Expr) -> Callable:
        """The Cholesky factor of a, computed once per call."""
        matrix, name, ops = self.matrix(a), str(a), self.ops

        def lower(env):
            key = (a, env.lenient)
            try:
                return env.factors[key]
            except KeyError:
                m = matrix(env)
                if env.lenient:
                    eye = ops.asarray(np.eye(m.shape[-1]))
                    good = ops.eigvalsh((m + ops.swap(m)) / 2).min(-1)
                    good = (good.values if ops.name == "torch" else good) > 0
                    m = ops.where(good[..., None, None], m, eye)
                value = env.factors[key] = ops.cholesky(m, name)
                return value
        return lower

    def _matrix_symbol(self, node):
        return lambda env: env.values[node.name]

    def _identity(self, node):
        ops = self.ops
        return lambda env: ops.eye(env.size(node.rows), env.like)

    def _zero(self, node):
        ops = self.ops
        return lambda env: ops.full((env.size(node.rows), env.size(node.cols)), 0.0, env.like)

    def _ones(self, node):
        ops = self.ops
        return lambda env: ops.full((env.size(node.rows), env.size(node.cols)), 1.0, env.like)

    def _transpose(self, node):
        matrix, ops = self.matrix(node.arg), self.ops
        return lambda env: ops.swap(matrix(env))

    def _matadd(self, node):
        terms = [self.matrix(a) for a in node.args]
        return lambda env: functools.reduce(operator.add, (t(env) for t in terms))

    def _hadamard(self, node):
        factors = [self.matrix(a) for a in node.args]
        return lambda env: functools.reduce(operator.mul, (f(env) for f in factors))

    def _matmul(self, node):
        scalars, items = _chain_items(node)
        coeff, chain = self.scalar(sp.Mul(*scalars)), self.chain(items)
        return lambda env: _scale(coeff(env), chain(env))

    def _matpow(self, node):
        if not (node.exp.is_Integer and node.exp != 0):
            raise NotImplementedError(f"matrix power {node} (only nonzero integer powers)")
        scalars, items = _chain_items(sp.MatMul(node, evaluate=False))
        coeff, chain = self.scalar(sp.Mul(*scalars)), self.chain(items)
        return lambda env: _scale(coeff(env), chain(env))

    def product(self, mats: Sequence[sp.Expr]) -> Callable:
        """The product of matrices without inverses, right to left when it ends in a column."""
        factors = [self.matrix(m) for m in mats]
        if mats[-1].cols == 1 and len(mats) > 1:
            return lambda env: functools.reduce(lambda acc, f: f(env) @ acc,
                                                reversed(factors[:-1]), factors[-1](env))
        return lambda env: functools.reduce(lambda acc, f: acc @ f(env), factors[1:],
                                            factors[0](env))

    def chain(self, items) -> Callable:
        """The product of the items; inverses by triangular solves with Cholesky factors."""
        ops = self.ops
        kinds = [kind for kind, _ in items]
        if "inv" not in kinds:
            return self.product([m for _, m in items])
        if kinds.count("inv") == 1 and 0 < kinds.index("inv") < len(kinds) - 1:
            p = kinds.index("inv")
            lower = self.factor(items[p][1])
            left_mats = [m for _, m in items[:p]]
            right_mats = [m for _, m in items[p + 1:]]
            left_t = sp.Transpose(sp.MatMul(*left_mats)).doit()
            right = self.product(right_mats)
            if left_t == sp.MatMul(*right_mats).doit():  # X^T A^-1 X = (L^-1 X)^T (L^-1 X)
                def quadratic(env):
                    w = ops.solve(lower(env), right(env))
                    return ops.swap(w) @ w
                return quadratic
            left = self.product(left_mats)

            def bilinear(env):
                lo = lower(env)
                return ops.swap(ops.solve(lo, ops.swap(left(env)))) @ ops.solve(lo, right(env))
            return bilinear
        compiled = [(kind, self.factor(m) if kind == "inv" else self.matrix(m))
                    for kind, m in items]

        def cho_solve(lower, b):
            return ops.solve(lower, ops.solve(lower, b), transpose=True)

        def solve_chain(env):
            last_mat = max((i for i, kind in enumerate(kinds) if kind == "mat"), default=None)
            if last_mat is None:  # only inverses: the rightmost against the identity
                lower = compiled[-1][1](env)
                acc = cho_solve(lower, ops.eye(lower.shape[-1], lower))
                rest = compiled[:-1]
            else:  # X A^-1 B^-1 = (B^-1 A^-1 X^T)^T for symmetric A, B
                acc = ops.swap(compiled[last_mat][1](env))
                for _, lower in compiled[last_mat + 1:]:
                    acc = cho_solve(lower(env), acc)
                acc = ops.swap(acc)
                rest = compiled[:last_mat]
            for kind, fn in reversed(rest):
                acc = cho_solve(fn(env), acc) if kind == "inv" else fn(env) @ acc
            return acc
        return solve_chain


def _elementwise_log(ops, x):
    """The backend's elementwise logarithm."""
    return _attribute(_FUNCTIONS["log"][ops.column])(x)


# -- the public function --------------------------------------------------------------------

def _dimension_symbols(expr: sp.Expr, matrices) -> set:
    dims = set()
    for m in matrices:
        dims |= m.rows.free_symbols | m.cols.free_symbols
    for node in sp.preorder_traversal(expr):
        if isinstance(node, MatrixExpr) and not isinstance(node, MatrixElement):
            dims |= node.rows.free_symbols | node.cols.free_symbols
    return dims


class _Binder:
    """Reads the arrays of one call: their batch shapes, the dimensions, the layout of
    vectors (..., k) or (..., k, 1)."""

    def __init__(self, matrices: list, scalars: list):
        vectors = [m for m in matrices if 1 in (m.rows, m.cols) and m.shape != (1, 1)]
        squares = [m for m in matrices if m not in vectors]
        self.matrices, self.vectors, self.scalars = squares, vectors, scalars

    def bind(self, ops, arrays: dict):
        dims, batches, values, pending = {}, [], {}, []

        def read(size_expr, size: int, name: str) -> None:
            if isinstance(size_expr, sp.Symbol):
                if dims.setdefault(size_expr, size) != size:
                    raise InvalidParameter(f"{name}: {size_expr} = {size} here but "
                                           f"{dims[size_expr]} from another argument")
            else:
                pending.append((size_expr, size, name))

        for m in self.matrices:
            a = ops.asarray(arrays[m.name])
            if a.ndim < 2:
                raise InvalidParameter(f"{m.name} is {m.rows} x {m.cols}: give an array of "
                                       f"shape (..., {m.rows}, {m.cols}), got {tuple(a.shape)}")
            read(m.rows, a.shape[-2], m.name)
            read(m.cols, a.shape[-1], m.name)
            values[m.name] = a
            batches.append(tuple(a.shape[:-2]))
        # vectors whose last axis is not 1 first: they fix k unambiguously
        for m in sorted(self.vectors, key=lambda m: ops.asarray(arrays[m.name]).shape[-1:] ==
                        (1,)):
            a = ops.asarray(arrays[m.name])
            n = m.rows if m.cols == 1 else m.cols
            if a.ndim < 1:
                raise InvalidParameter(f"{m.name} is {m.rows} x {m.cols}: give an array of "
                                       f"shape (..., {n}), got a scalar")
            known = dims.get(n, int(n) if n.is_Integer else None)
            if m.cols == 1:
                full = a.ndim >= 2 and a.shape[-1] == 1 and known == a.shape[-2]
                column = a if full else a[..., None]
            else:
                full = a.ndim >= 2 and a.shape[-2] == 1 and known == a.shape[-1]
                column = a if full else a[..., None, :]
            read(m.rows, column.shape[-2], m.name)
            read(m.cols, column.shape[-1], m.name)
            values[m.name] = column
            batches.append(tuple(column.shape[:-2]))
        for size_expr, size, name in pending:
            value = sp.sympify(size_expr).xreplace(dims)
            if not value.is_Integer or int(value) != size:
                raise InvalidParameter(f"{name}: expected length {size_expr} = {value}, got "
                                       f"{size}")
        for s in self.scalars:
            a = ops.asarray(arrays[s.name])
            values[s.name] = a
            batches.append(tuple(a.shape))
        try:
            batch = np.broadcast_shapes(*batches) if batches else ()
        except ValueError as exc:
            raise InvalidParameter(f"batch shapes do not broadcast: {batches}") from exc
        return values, dims, batch


def matrix_function(expr: sp.Expr, parameters: Sequence[sp.Expr] | None = None,
                    backend: str = "numpy") -> Callable:
    """``f(**arrays)`` evaluating ``expr`` (a sympy expression of MatrixSymbols of symbolic
    dimension, scalar Symbols and the dimension k) on batched arrays, keyword names the
    parameters' names (positional arguments in the order of ``parameters`` also work).

    ``parameters``: the MatrixSymbols and Symbols ``f`` takes (None: the expression's own,
    sorted by name); dimension Symbols (those in a MatrixSymbol's shape) are read from the
    arrays' shapes and dropped from the parameters. ``backend``: "numpy", "torch" or "jax".
    See the module docstring for the shapes and the numerical methods.
    """
    ops = _backend(backend)
    expr = log_det_divergences(_index_sums_as_products(sp.sympify(expr)))
    matrices_in = {m for m in expr.atoms(sp.MatrixSymbol)}
    if parameters is None:
        parameters = sorted(matrices_in | (expr.free_symbols - matrices_in), key=str)
    parameters = list(dict.fromkeys(parameters))
    for p in parameters:
        if not isinstance(p, sp.MatrixSymbol | sp.Symbol):
            raise InvalidParameter(f"parameter {p!r} is neither a MatrixSymbol nor a Symbol")
    dims = _dimension_symbols(expr, [p for p in parameters if isinstance(p, sp.MatrixSymbol)])
    parameters = [p for p in parameters if p not in dims]
    names = [p.name for p in parameters]
    if len(set(names)) != len(names):
        raise InvalidParameter(f"two parameters share a name: {names}")
    needed = (matrices_in | expr.free_symbols) - dims
    missing = sorted(str(s) for s in needed - set(parameters))
    if missing:
        raise InvalidParameter(f"{', '.join(missing)} appear in the expression but not among "
                               f"the parameters")
    unbound = {d for d in dims if not any(d in p.shape for p in parameters
                                          if isinstance(p, sp.MatrixSymbol))}
    if unbound:
        raise InvalidParameter(f"no parameter's shape gives {', '.join(map(str, unbound))}")
    compiler = _Compiler(ops, dims, _factored_operands(expr))
    is_matrix = isinstance(expr, MatrixExpr)
    evaluate = compiler.matrix(expr) if is_matrix else compiler.scalar(expr)
    binder = _Binder([p for p in parameters if isinstance(p, sp.MatrixSymbol)],
                     [p for p in parameters if not isinstance(p, sp.MatrixSymbol)])

    def f(*args, **arrays):
        if len(args) > len(names):
            raise TypeError(f"f takes {len(names)} arrays ({', '.join(names)}), "
                            f"got {len(args)} positional")
        for name, a in zip(names, args):
            if name in arrays:
                raise TypeError(f"{name} given twice")
            arrays[name] = a
        unknown = sorted(set(arrays) - set(names))
        if unknown:
            raise TypeError(f"unexpected arrays {', '.join(unknown)}; f takes "
                            f"{', '.join(names)}")
        absent = [n for n in names if n not in arrays]
        if absent:
            raise TypeError(f"missing arrays for {', '.join(absent)}")
        values, sizes, batch = binder.bind(ops, arrays)
        like = next(iter(values.values()), None)
        env = _Env(ops, values, sizes, like if like is not None else ops.asarray(0.0))
        result = evaluate(env)
        if is_matrix:
            shape = batch + (env.size(expr.rows), env.size(expr.cols))
        else:
            shape = batch
        if not ops.is_array(result):
            return ops.finish(ops.full(shape, result, env.like))
        return ops.finish(ops.broadcast_to(result, np.broadcast_shapes(shape,
                                                                        tuple(result.shape))))

    f.__signature__ = inspect.Signature(
        [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names])
    f.__name__ = "matrix_function"
    f.__doc__ = f"{expr}\n\nparameters: {', '.join(names)} (backend {backend})"
    f.parameters = tuple(parameters)
    f.expr = expr
    return f
