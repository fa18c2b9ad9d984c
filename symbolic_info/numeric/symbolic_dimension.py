"""Numeric functions of results of symbolic dimension, on batched arrays.

* A k-fold product of one family (``mvnormal_diag`` with IndexedBase parameters): the sum
  over the last axis of the *component's* own numeric function, evaluated elementwise, so
  the component's stable forms (near-equality series, Stirling forms) carry over: a
  parameter ``mu`` takes an array of shape (..., k).
* Matrix expressions (``mvnormal`` with MatrixSymbol parameters): evaluated through Cholesky
  factors (:mod:`.matrix`): a k-vector takes shape (..., k), a k x k matrix (..., k, k).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp

from ..errors import InvalidParameter


def symbolic_dimension_function(d, backend: str = "numpy") -> Callable:
    members = [m for m in (d.p, d.q) if m is not None]
    if members[0].spec.repeat is not None:
        return _product_function(d, members, backend)
    if d.result.has(sp.MatrixSymbol):
        from .matrix import matrix_function
        f = matrix_function(d.result, tuple(dict.fromkeys(
            v for m in members for v in m.values)), backend)
        return f
    raise InvalidParameter(f"no numeric route for {d.name}")


def _product_function(d, members, backend: str) -> Callable:
    from ..derive.quantities import derive
    if d.status == "infinite":
        raise InvalidParameter(f"{d.name} is infinite")
    from ..families.spec import Family
    # the i-th component with each theta[i] a scalar symbol named like its base: an ordinary
    # derivation (cached), whose numeric function is applied elementwise
    scalar = {}
    for m in members:
        for base in m.values:
            scalar[base] = sp.Symbol(str(base.label), **base.assumptions0)
    components = [Family(m.factors()[0].spec, tuple(scalar[b] for b in m.values))
                  for m in members]
    component = derive(d.quantity, components[0], components[1] if len(components) > 1
                       else None)
    f = component.lambdify(backend)
    order = [s.name for s in component.parameters]
    scale = 1.0 if d.base is None else 1.0 / float(sp.log(d.base))
    names = list(dict.fromkeys(order))

    def evaluate(**arrays):
        missing = [n for n in names if n not in arrays]
        if missing:
            raise TypeError(f"missing arrays for {', '.join(missing)}")
        terms = f(*[arrays[n] for n in order])
        if backend == "numpy":
            return np.sum(np.asarray(terms), axis=-1) * scale
        return terms.sum(-1) * scale

    evaluate.parameters = tuple(names)
    evaluate.component = component
    return evaluate
