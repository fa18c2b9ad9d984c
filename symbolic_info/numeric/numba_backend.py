"""The ``numba`` backend: the stable form printed as scalar ``math`` code (direct form, and
the near-equality series where it applies, see :mod:`.codegen`) and compiled as a
``numba.vectorize`` ufunc over float64 (so it broadcasts like numpy)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import sympy as sp

from .codegen import scalar_function
from .special import compiled
from .stable import StableForm


def numba_function(form: StableForm, parameters) -> Callable:
    from .lambdify import bind_arguments, signed_call
    parameters = tuple(parameters)
    names = [s.name for s in parameters]
    args = [f"_a{k}" for k in range(len(parameters))]
    mapping = {s: sp.Symbol(a) for s, a in zip(parameters, args)}
    source = scalar_function("_scalar", args, form, mapping)
    specials = compiled()  # imports numba, or raises a clear ImportError
    import numba
    namespace = {"math": math, "numba": numba, **specials}
    exec(compile(source, "<numba backend>", "exec"), namespace)
    signature = f"float64({', '.join(['float64'] * len(args))})"
    if args:
        ufunc = numba.vectorize([signature], nopython=True)(namespace["_scalar"])
    else:
        value = float(numba.njit(namespace["_scalar"])())
        ufunc = None

    def evaluate(*a, **kwargs):
        values = bind_arguments(names, a, kwargs)
        if ufunc is None:
            return value
        arrays = [np.asarray(v, dtype=float) for v in values]
        out = ufunc(*arrays)
        return out[()] if np.ndim(out) == 0 else out

    evaluate = signed_call(evaluate, names, f"{form.direct}\n\nparameters: {', '.join(names)} "
                       f"(numba)")
    evaluate.parameters = parameters
    evaluate.source = source
    return evaluate
