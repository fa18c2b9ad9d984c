"""Lambdify a Derivation: vectorised numeric functions of its parameters.

Backends: ``numpy`` (scipy.special for the special functions), ``mpmath`` (scalar inputs,
50 significant digits, returns ``mpmath.mpf``), ``numba`` (a compiled ufunc; digamma and
xlogy from :mod:`.special`), and ``jax`` / ``torch`` when installed.

Before printing, :func:`prepare` rewrites ``log(gamma(x))`` as ``loggamma(x)`` (no overflow)
and, when a logarithm's argument may vanish, each ``c*log(a)`` as ``xlogy(c, a)`` so that
0*log 0 = 0 and a KL with incompatible supports is inf rather than nan.

Results that keep an unevaluated ``Integral`` or ``Sum`` (status ``no_closed_form``) are
evaluated point by point: each integral by ``scipy.integrate.quad``, each series by
``mpmath.nsum``, the rest of the expression by the printed function.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable

import mpmath
import numpy as np
import sympy as sp
from scipy import integrate, special

from ..errors import InvalidParameter
from ..quadrature import log_integrand, quad
from .functions import xlog1py, xlogy  # noqa: F401 -- re-exported
from .names import lambdify_safely
from .series import MODULES as SERIES_MODULES
from .series import series_sum

BACKENDS = ("numpy", "mpmath", "numba", "jax", "torch")
MPMATH_DPS = 50


def _mp_xlogy(x, y):
    return mpmath.mpf(0) if x == 0 else x * mpmath.log(y)


def _numpy_modules():
    from scipy import special
    return [{"xlogy": special.xlogy}, "scipy", "numpy"]


MODULES = {"numpy": _numpy_modules()}  # sympy.lambdify modules of the numpy backend


def lambdify_derivation(derivation, backend: str = "numpy", validate: bool = False) -> Callable:
    if backend not in BACKENDS:
        raise InvalidParameter(f"unknown backend {backend!r}; known backends: "
                               f"{', '.join(BACKENDS)}")
    parameters = tuple(derivation.parameters)
    if getattr(derivation, "status", None) == "undefined":
        f = _undefined_function(derivation, parameters, backend)
        if validate:
            from .validate import validating
            f = validating(f, derivation)
        return f
    if isinstance(derivation.result, sp.MatrixBase):
        return _matrix_function(derivation, backend, validate)
    if derivation.p is not None and derivation.p.matrix and (
            derivation.result.has(sp.MatrixSymbol, sp.Indexed)):
        from .symbolic_dimension import symbolic_dimension_function
        return symbolic_dimension_function(derivation, backend)
    if backend == "numpy":
        f = _numpy_stable(derivation, parameters)
    elif backend == "mpmath":
        f = _mpmath_function(prepare(derivation.result), parameters)
    elif backend == "numba":
        from .numba_backend import numba_function
        from .stable import stable_form
        f = numba_function(stable_form(derivation), parameters)
    else:
        f = _array_library_function(derivation, parameters, backend)
    if validate:
        from .validate import validating
        f = validating(f, derivation)
    return f


def _undefined_function(derivation, parameters, backend: str) -> Callable:
    """An undefined quantity (its integral has no value) is not evaluated numerically: nan for
    every argument, in the arguments' broadcast shape (an mpmath nan with ``mpmath``); torch
    and jax, which take closed forms only, refuse it as they refuse an integral."""
    if backend in ("jax", "torch"):
        raise NotImplementedError(f"backend {backend!r} needs a closed form; this quantity is "
                                  f"{derivation.status_text()}")
    names = [s.name for s in parameters]

    def evaluate(*args, **kwargs):
        values = bind_arguments(names, args, kwargs)
        if backend == "mpmath":
            return mpmath.nan
        shape = np.broadcast_shapes(*(np.shape(v) for v in values))
        return np.full(shape, np.nan) if shape else np.nan

    f = signed_call(evaluate, names, f"undefined: {derivation.status_text()}\n\nparameters: "
                    f"{', '.join(names)} (always nan)")
    f.parameters = parameters
    return f


def _matrix_function(derivation, backend: str, validate: bool) -> Callable:
    """A matrix result (Fisher information) entry by entry: each entry lambdified as a
    derivation of its own, the values stacked into shape (..., rows, cols) (numpy, numba,
    torch, jax) or an ``mpmath.matrix``."""
    from dataclasses import replace
    matrix = derivation.result
    functions: dict = {}
    for entry in set(matrix):  # one function per distinct entry (a symmetric matrix repeats)
        functions[entry] = lambdify_derivation(
            replace(derivation, result=entry, quantity=f"{derivation.quantity}_entry",
                    _numeric={}), backend, validate=validate)
    names = [s.name for s in derivation.parameters]
    stack = MATRIX_STACKERS.get(backend, _stack_numpy)

    def evaluate(*args, **kwargs):
        values = {entry: f(*args, **kwargs) for entry, f in functions.items()}
        return stack([[values[matrix[i, j]] for j in range(matrix.cols)]
                      for i in range(matrix.rows)])

    evaluate = signed_call(evaluate, names, f"{matrix}\n\nparameters: {', '.join(names)} "
                           f"(entry by entry, shape (..., {matrix.rows}, {matrix.cols}))")
    evaluate.parameters = tuple(derivation.parameters)
    return evaluate


def _stack_numpy(rows: list[list]) -> np.ndarray:
    flat = np.broadcast_arrays(*[np.asarray(v, dtype=float) for row in rows for v in row])
    shape = flat[0].shape
    return np.stack(flat, axis=-1).reshape(*shape, len(rows), len(rows[0]))


def _stack_mpmath(rows: list[list]):
    return mpmath.matrix(rows)


def _stack_library(module: str) -> Callable[[list[list]], object]:
    def stack(rows: list[list]):
        import importlib
        lib = importlib.import_module(module)
        flat = [v for row in rows for v in row]
        like = next((v for v in flat if hasattr(v, "shape") and hasattr(v, "dtype")), None)
        dtype = like.dtype if like is not None else None
        tensors = [lib.asarray(v, dtype=dtype) if module != "torch" else
                   lib.as_tensor(v, dtype=dtype) for v in flat]
        tensors = lib.broadcast_tensors(*tensors) if module == "torch" else \
            lib.broadcast_arrays(*tensors)
        out = lib.stack(list(tensors), -1)
        return out.reshape(*out.shape[:-1], len(rows), len(rows[0]))
    return stack


MATRIX_STACKERS = {"numpy": _stack_numpy, "numba": _stack_numpy, "mpmath": _stack_mpmath,
                   "torch": _stack_library("torch"), "jax": _stack_library("jax.numpy")}


def _numpy_stable(derivation, parameters) -> Callable:
    """The numpy evaluator of the stable form (:mod:`.codegen`); results that keep an
    unevaluated Integral or Sum go through :func:`lambdify_expr`."""
    from .stable import stable_form
    form = stable_form(derivation)
    if form.direct.has(sp.Integral, sp.Sum):
        return lambdify_expr(form.direct, parameters)
    from .codegen import numpy_function
    names = [s.name for s in parameters]
    args = [f"_a{k}" for k in range(len(parameters))]
    source = numpy_function("_evaluate", args, form, dict(zip(parameters, map(sp.Symbol, args))))
    import scipy.special

    from .remainders import ARRAY_SOURCE
    namespace = {"numpy": np, "scipy": scipy}
    exec(compile(ARRAY_SOURCE + source, "<numpy backend>", "exec"), namespace)
    core = namespace["_evaluate"]

    def evaluate(*a, **kwargs):
        return core(*bind_arguments(names, a, kwargs))

    evaluate = signed_call(evaluate, names, f"{form.direct}\n\nparameters: {', '.join(names)}")
    evaluate.parameters = parameters
    evaluate.source = source
    return evaluate


def prepare(expr: sp.Expr) -> sp.Expr:
    """``log(gamma(x))`` -> ``loggamma(x)`` for positive x; ``c*log(a)`` -> ``xlogy(c, a)``
    when some logarithm's argument is not known to be positive (the part of
    :func:`.stable.rewrite` the mpmath backend needs)."""
    from .stable import loggamma_form, zero_safe_logs
    expr = loggamma_form(expr)
    return expr if expr.has(sp.Integral, sp.Sum) else zero_safe_logs(expr)


def lambdify_expr(expr: sp.Expr, parameters, backend: str = "numpy") -> Callable:
    parameters = tuple(parameters)
    names = [s.name for s in parameters]
    unevaluated = sorted(expr.atoms(sp.Integral, sp.Sum), key=sp.default_sort_key)
    holes = [sp.Dummy(f"i{k}") for k in range(len(unevaluated))]
    from .printing import ArrayPrinter
    outer = lambdify_safely((*parameters, *holes), expr.xreplace(dict(zip(unevaluated, holes))),
                        modules=_numpy_modules(), printer=ArrayPrinter)
    inner = [_numeric_operator(op, parameters) for op in unevaluated]

    if inner:
        def scalar(*values):
            filled = [_safe(f, values) for f in inner]
            return outer(*values, *filled)
        core = np.vectorize(scalar, otypes=[float])
    else:
        def core(*values):
            return outer(*values)

    def evaluate(*args, **kwargs):
        values = bind_arguments(names, args, kwargs)
        arrays = [np.asarray(v, dtype=float) for v in values]
        with np.errstate(all="ignore"):
            out = core(*arrays)
        out = np.asarray(out, dtype=float)
        if not arrays or out.shape == np.broadcast(*arrays).shape or not arrays:
            return out[()] if out.ndim == 0 else out
        return np.broadcast_to(out, np.broadcast(*arrays).shape).copy()

    evaluate.__signature__ = inspect.Signature(
        [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names])
    evaluate.__doc__ = f"{expr}\n\nparameters: {', '.join(names)}"
    evaluate.parameters = parameters
    return evaluate


def signed_call(f: Callable, names, doc: str) -> Callable:
    f.__signature__ = inspect.Signature(
        [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names])
    f.__doc__ = doc
    return f


def _mpmath_function(expr: sp.Expr, parameters) -> Callable:
    names = [s.name for s in parameters]
    if expr.has(sp.Sum):
        raise NotImplementedError("the mpmath backend does not evaluate unevaluated Sum "
                                  "results; use backend='numpy'")
    with mpmath.workdps(MPMATH_DPS):
        raw = lambdify_safely(parameters, expr, modules=[{"xlogy": _mp_xlogy}, "mpmath"])

    def evaluate(*args, **kwargs):
        values = bind_arguments(names, args, kwargs)
        with mpmath.workdps(MPMATH_DPS):
            converted = []
            for n, v in zip(names, values):
                if np.ndim(v) != 0:
                    raise TypeError(f"the mpmath backend takes scalars; {n} has shape "
                                    f"{np.shape(v)}")
                converted.append(mpmath.mpf(v) if not isinstance(v, mpmath.mpf) else v)
            return +raw(*converted)

    evaluate = signed_call(evaluate, names, f"{expr}\n\nparameters: {', '.join(names)} "
                       f"(mpmath, {MPMATH_DPS} digits)")
    evaluate.parameters = parameters
    return evaluate


def _array_library_function(derivation, parameters, backend: str) -> Callable:
    """torch / jax: the numpy backend's stable form with its near-equality series and
    large-argument branches selected by ``where`` (double where: finite gradients on both
    sides of each switch); Python numbers and tensors mix (see :mod:`.tensors`)."""
    from .tensors import tensor_evaluator
    core, source = tensor_evaluator(derivation, parameters, backend)
    names = [s.name for s in parameters]

    def evaluate(*args, **kwargs):
        return core(*bind_arguments(names, args, kwargs))

    f = signed_call(evaluate, names, f"{derivation.result}\n\nparameters: {', '.join(names)} "
                    f"({backend})")
    f.parameters = parameters
    f.source = source
    return f


def _safe(f: Callable[..., float], values) -> float:
    """A numeric integral or series, nan where it cannot be evaluated (an unchosen branch)."""
    try:
        return float(f(*values))
    except (ValueError, TypeError, ZeroDivisionError, OverflowError, ArithmeticError):
        return float("nan")


def bind_arguments(names, args, kwargs):
    if len(args) > len(names):
        raise TypeError(f"expected at most {len(names)} arguments ({', '.join(names)}), "
                        f"got {len(args)}")
    values = dict(zip(names, args))
    for k, v in kwargs.items():
        if k not in names:
            raise TypeError(f"unknown parameter {k!r}; parameters: {', '.join(names)}")
        if k in values:
            raise TypeError(f"parameter {k!r} given twice")
        values[k] = v
    missing = [n for n in names if n not in values]
    if missing:
        raise TypeError(f"missing parameters: {', '.join(missing)}")
    return [values[n] for n in names]


def _nested_operator(op, parameters) -> Callable[..., float]:
    """An Integral or Sum over several variables (sympy's limits: innermost first, each end a
    function of the outer variables and the parameters): nested finite sums in mpmath, or
    ``scipy.integrate.nquad``."""
    limits = list(op.limits)
    variables = [v for v, _, _ in limits]
    body = lambdify_safely((*variables, *parameters), op.function,
                           modules=SERIES_MODULES if isinstance(op, sp.Sum) else ["scipy", "numpy"])
    ends = [lambdify_safely((*variables[i + 1:], *parameters), (lo, hi), modules=["numpy"])
            for i, (_, lo, hi) in enumerate(limits)]

    if isinstance(op, sp.Sum):
        def total(*values):
            def level(i, outer):
                a, b = ends[i](*outer, *values)
                if np.isinf(float(b)):
                    raise ValueError("an infinite nested sum is not evaluated")
                out = mpmath.mpf(0)
                for k in range(int(a), int(b) + 1):
                    inner = (k, *outer)
                    out += level(i - 1, inner) if i else body(*inner, *values)
                return out
            with mpmath.workdps(20):
                return float(level(len(limits) - 1, ()))
        return total

    def nested(*values):
        def f(*xs):
            value = body(*xs, *values)
            return float(value) if np.isfinite(value) else 0.0
        ranges = [_range(ends[i], values) for i in range(len(limits))]
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value, _ = integrate.nquad(f, ranges, opts={"limit": 100, "epsabs": 1e-12,
                                                        "epsrel": 1e-10})
        return value
    return nested


def _range(end, values):
    return lambda *outer: [float(e) for e in end(*outer, *values)]


# the normal CDF and its log (numeric.functions.ndtr / log_ndtr) for integrands and terms
SCIPY_CDFS = {"ndtr": special.ndtr, "log_ndtr": special.log_ndtr}
MPMATH_CDFS = {"ndtr": mpmath.ncdf, "log_ndtr": lambda x: mpmath.log(mpmath.ncdf(x))}


def _numeric_operator(op, parameters) -> Callable[..., float]:
    if len(op.limits) > 1:
        return _nested_operator(op, parameters)
    from .stable import normal_cdfs
    (var, lo, hi), = op.limits
    function = normal_cdfs(op.function)
    body = lambdify_safely((var, *parameters), function, modules=SERIES_MODULES if
                           isinstance(op, sp.Sum) else [SCIPY_CDFS, "scipy", "numpy"])
    bounds = lambdify_safely(parameters, (lo, hi), modules=["numpy"])

    if isinstance(op, sp.Sum):
        def series(*values):
            # direct terms from the start outward, a power-law tail by Euler-Maclaurin
            # (numeric/series.py): nsum's extrapolation is nan where the terms first grow
            a, b = bounds(*values)
            return series_sum(lambda k: body(k, *values), a, b)
        return series

    precise = lambdify_safely((var, *parameters), function, modules=[MPMATH_CDFS, "mpmath"])

    def integrand(t: float, values) -> float:
        value = body(t, *values)
        if not np.isfinite(value):  # overflow in float64 (e.g. log(1 + e^{big})): mpmath
            try:
                value = float(precise(t, *values))
            except (ValueError, TypeError, ZeroDivisionError, OverflowError):
                return 0.0
        return 0.0 if np.isnan(value) else value  # inf * 0 where the density underflows

    # an infinite interval also in u = log|x - end| (symbolically where the end is 0)
    routes = log_integrand(function, var, [SCIPY_CDFS, "scipy", "numpy"], tuple(parameters),
                           lambdify_safely)

    def quadrature(*values):
        a, b = bounds(*values)
        value, _ = quad(lambda t: integrand(t, values), float(a), float(b), epsabs=1e-13,
                        epsrel=1e-11, logged=routes(*values))
        return value
    return quadrature
