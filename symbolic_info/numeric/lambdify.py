"""Lambdify a Derivation: vectorised numpy functions of its parameters.

Closed forms go through sympy's printers with scipy.special for the special functions.
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
from scipy import integrate

from ..errors import InvalidParameter

BACKENDS = ("numpy",)
MODULES = {"numpy": ["scipy", "numpy"]}


def lambdify_derivation(derivation, backend: str = "numpy") -> Callable:
    if backend not in BACKENDS:
        raise InvalidParameter(f"unknown backend {backend!r}; known backends: "
                               f"{', '.join(BACKENDS)}")
    return lambdify_expr(derivation.result, derivation.parameters, backend)


def lambdify_expr(expr: sp.Expr, parameters, backend: str = "numpy") -> Callable:
    parameters = tuple(parameters)
    names = [s.name for s in parameters]
    unevaluated = sorted(expr.atoms(sp.Integral, sp.Sum), key=sp.default_sort_key)
    holes = [sp.Dummy(f"i{k}") for k in range(len(unevaluated))]
    outer = sp.lambdify((*parameters, *holes), expr.xreplace(dict(zip(unevaluated, holes))),
                        modules=MODULES[backend])
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
        values = _bind(names, args, kwargs)
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


def _safe(f: Callable[..., float], values) -> float:
    """A numeric integral or series, nan where it cannot be evaluated (an unchosen branch)."""
    try:
        return float(f(*values))
    except (ValueError, TypeError, ZeroDivisionError, OverflowError, ArithmeticError):
        return float("nan")


def _bind(names, args, kwargs):
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


def _numeric_operator(op, parameters) -> Callable[..., float]:
    (var, lo, hi), = op.limits
    body = sp.lambdify((var, *parameters), op.function, modules=["mpmath"] if
                       isinstance(op, sp.Sum) else ["scipy", "numpy"])
    bounds = sp.lambdify(parameters, (lo, hi), modules=["numpy"])

    if isinstance(op, sp.Sum):
        def series(*values):
            a, b = bounds(*values)
            with mpmath.workdps(20):
                if np.isinf(float(b)):
                    return float(mpmath.nsum(lambda k: body(k, *values), [int(a), mpmath.inf]))
                return float(mpmath.fsum(body(k, *values) for k in range(int(a), int(b) + 1)))
        return series

    precise = sp.lambdify((var, *parameters), op.function, modules=["mpmath"])

    def integrand(t: float, values) -> float:
        value = body(t, *values)
        if not np.isfinite(value):  # overflow in float64 (e.g. log(1 + e^{big})): mpmath
            try:
                value = float(precise(t, *values))
            except (ValueError, TypeError, ZeroDivisionError, OverflowError):
                return 0.0
        return 0.0 if np.isnan(value) else value  # inf * 0 where the density underflows

    def quadrature(*values):
        a, b = bounds(*values)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value, _ = integrate.quad(integrand, float(a), float(b), args=(values,), limit=200,
                                      epsabs=1e-13, epsrel=1e-11)
        return value
    return quadrature
