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
from .stable import zero_safe_logs


def symbolic_dimension_function(d, backend: str = "numpy") -> Callable:
    members = [m for m in (d.p, d.q) if m is not None]
    if members[0].spec.repeat is not None:
        return _product_function(d, members, backend)
    if isinstance(members[0].variable, sp.IndexedBase):
        return _indexed_function(d, members, backend)
    if d.result.has(sp.MatrixSymbol):
        from .matrix import matrix_function
        parameters = [v for m in members for v in m.values
                      if isinstance(v, (sp.MatrixSymbol, sp.Symbol))]
        parameters += sorted(d.result.free_symbols - set(parameters)
                             - {s for p in parameters if isinstance(p, sp.MatrixSymbol)
                                for s in p.shape if isinstance(s, sp.Symbol)}
                             - set(d.result.atoms(sp.MatrixSymbol)), key=str)
        return matrix_function(d.result, tuple(dict.fromkeys(parameters)), backend)
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


MODULES = {"numpy": ["scipy", "numpy"], "torch": "torch", "jax": "jax"}


def _indexed_function(d, members, backend: str) -> Callable:
    """Each Sum over the index: its summand evaluated elementwise on arrays (..., k) and summed
    over the last axis; the rest evaluated on those sums, with k the last axis' length."""
    if backend not in MODULES:
        raise InvalidParameter(f"backend {backend!r} for sums over an index; known: "
                               f"{', '.join(MODULES)}")
    bases = list(dict.fromkeys(v for m in members for v in m.values))
    centred = _shift_invariant(members)
    k = members[0].spec.support.dimension
    scale = sp.S.One if d.base is None else 1 / sp.log(d.base)
    expr = (d.result * scale).replace(  # log Γ as loggamma: no overflow, and torch has lgamma
        lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sp.gamma),
        lambda e: sp.loggamma(e.args[0].args[0]))
    modules = _modules(backend)
    sums = sorted(expr.atoms(sp.Sum), key=lambda s: sp.count_ops(s))
    marker = {}
    pieces = []
    for s in sums:  # innermost first: a Sum inside another's summand is already a marker
        body = s.function.xreplace(marker)
        (j, lo, hi), = s.limits
        scalars = {b: sp.Dummy(str(b.label)) for b in bases}
        body = body.replace(lambda e: isinstance(e, sp.Indexed) and e.base in scalars,
                            lambda e: scalars[e.base])
        inner = [m for m in marker.values() if body.has(m)]
        body = zero_safe_logs(body)  # 0 log 0 = 0: a class of probability 0
        f = sp.lambdify([*scalars.values(), *inner], body, modules=modules,
                        printer=_printer(backend))
        marker[s] = sp.Dummy("sum")
        pieces.append((marker[s], inner, f))
    outside = expr.xreplace(marker)
    g = sp.lambdify([k, *marker.values()], outside, modules=modules)
    names = [str(b.label) for b in bases]

    def evaluate(**arrays):
        missing = [n for n in names if n not in arrays]
        if missing:
            raise TypeError(f"missing arrays for {', '.join(missing)}")
        values = [arrays[n] if backend != "numpy" else np.asarray(arrays[n], dtype=float)
                  for n in names]
        # logits are defined up to an additive constant: the row maximum is taken off, so
        # e^{l_j} <= 1 and log Σ e^{l_j} in [0, log k] (the log-softmax of torch)
        values = [_centred(v, backend) if b in centred else v for b, v in zip(bases, values)]
        size = values[0].shape[-1]
        done = {}
        for name, inner, f in pieces:
            terms = f(*values, *[done[m][..., None] for m in inner])
            terms = terms + 0 * values[0]
            done[name] = terms.sum(-1)
        return g(size, *[done[m] for m in marker.values()])

    evaluate.parameters = tuple(names)
    return evaluate


def _shift_invariant(members) -> set:
    """The IndexedBase values whose parameter is logits (defined up to a constant)."""
    from ..families.discrete import LOGITS
    return {v for m in members for v, p in zip(m.values, m.spec.params)
            if p.constraint is LOGITS}


def _centred(v, backend: str):
    if backend == "numpy":
        return v - np.max(v, axis=-1, keepdims=True)
    if backend == "torch":
        return v - v.amax(-1, keepdim=True).detach()
    return v - _jax_stop(v.max(-1, keepdims=True))


def _jax_stop(v):
    import jax
    return jax.lax.stop_gradient(v)


def _modules(backend: str) -> list:
    """lambdify modules with the zero-safe x log y of the backend."""
    if backend == "numpy":
        from scipy import special
        return [{"xlogy": special.xlogy, "xlog1py": special.xlog1py}, *MODULES[backend]]
    if backend == "torch":
        import torch
        return [{"xlogy": torch.xlogy, "xlog1py": torch.special.xlog1py}, "torch"]
    import jax.scipy.special as special
    return [{"xlogy": special.xlogy, "xlog1py": special.xlog1py}, "jax"]


def _printer(backend: str):
    """sympy's printer of the backend, writing xlogy and xlog1py by name (bound by
    :func:`_modules`); None (lambdify's choice) for numpy."""
    if backend == "numpy":
        return None
    from sympy.printing.numpy import JaxPrinter
    from sympy.printing.pytorch import TorchPrinter

    from .printing import calls_by_name
    base = TorchPrinter if backend == "torch" else JaxPrinter
    return type("IndexedPrinter", (calls_by_name({"xlogy": "xlogy", "xlog1py": "xlog1py"}),
                                   base), {})
