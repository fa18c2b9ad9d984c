"""The ``numba`` backend: the stable form printed as scalar ``math`` code (direct form, and
the near-equality series where it applies, see :mod:`.codegen`) and compiled as a
``numba.vectorize`` ufunc over float64 (so it broadcasts like numpy).

Large inputs (:data:`PARALLEL_MIN_SIZE` points or more) run the same scalar function in an
``njit(parallel=True)`` ``prange`` loop over numba's threads, so each point still takes its own
branch. That loop is compiled on the first large call only, and used when:

- numba may use more than one thread (:obj:`numba.config.NUMBA_NUM_THREADS`, or
  :func:`numba.set_num_threads` in the calling thread);
- every input is one value or holds the whole broadcast shape in C order (any other broadcast,
  an outer product say, would need its inputs copied: it runs on one thread);
- no other call of this module is running on numba's threads (the ``workqueue`` threading layer
  aborts the process on concurrent launches): a concurrent large call runs on its own thread;
- the process was not forked from one whose threading layer had started (the ``omp`` layer
  kills a forked child that launches parallel work): a forked child runs on one thread.

numba's ``target="parallel"`` ufunc is not used: its per-point code is about twice as slow as
the serial ufunc's, which cancels the second core on the light cases (the Normal KL).
"""

from __future__ import annotations

import math
import os
import sys
import threading
from collections.abc import Callable

import numpy as np
import sympy as sp

from .codegen import scalar_function
from .special import compiled
from .stable import StableForm

#: Broadcast size from which a call runs on all of numba's threads. Measured on 2 cores for
#: the Normal KL (the lightest case): the parallel loop breaks even near 30 000 points and is
#: 1.5 times as fast or more from 100 000.
PARALLEL_MIN_SIZE = 100_000

# One large call at a time on numba's threads (see the module docstring).
_PARALLEL_LOCK = threading.Lock()
# Set in a child forked after numba's threading layer started in the parent.
_FORKED_AFTER_LAUNCH = False


def _after_fork_in_child() -> None:
    global _FORKED_AFTER_LAUNCH
    numba = sys.modules.get("numba")
    if numba is None:
        return
    try:
        numba.threading_layer()  # raises ValueError until the layer has started
    except ValueError:
        return
    _FORKED_AFTER_LAUNCH = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _parallel_source(args: list[str]) -> str:
    """A prange loop writing ``_scalar`` at every point; inputs are 1-d (stride 0 for one
    value), ``_out`` the flat output."""
    items = ", ".join(f"{a}[_i]" for a in args)
    return (f"def _parallel_loop({', '.join(args)}, _out):\n"
            f"    for _i in numba.prange(_out.shape[0]):\n"
            f"        _out[_i] = _scalar_jit({items})\n")


def _flat_inputs(arrays: list[np.ndarray], size: int) -> list[np.ndarray] | None:
    """The inputs as 1-d views of the ``size`` points of their broadcast in C order (one value
    repeated with stride 0), or None where that needs a copy."""
    flat = []
    for x in arrays:
        if not x.flags.aligned:
            return None
        if x.size == 1:
            flat.append(np.broadcast_to(x.reshape(1), (size,)))
        elif x.size == size and (x.ndim == 1 or x.flags.c_contiguous):
            flat.append(x.reshape(size))
        else:
            return None
    return flat


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
    parallel_loop = None

    def compile_parallel_loop():
        """The prange loop, compiled once (on the first large call, under _PARALLEL_LOCK)."""
        nonlocal parallel_loop
        if parallel_loop is None:
            loop_namespace = dict(namespace, _scalar_jit=numba.njit(namespace["_scalar"]))
            exec(compile(_parallel_source(args), "<numba backend, parallel>", "exec"),
                 loop_namespace)
            readonly = numba.types.Array(numba.float64, 1, "A", readonly=True)
            out = numba.types.Array(numba.float64, 1, "C")
            parallel_loop = numba.njit(numba.void(*[readonly] * len(args), out),
                                       parallel=True, nogil=True)(
                loop_namespace["_parallel_loop"])
        return parallel_loop

    def run_parallel(arrays: list[np.ndarray]) -> np.ndarray | None:
        """The values on all of numba's threads, or None where this call should not use them."""
        if _FORKED_AFTER_LAUNCH or numba.config.NUMBA_NUM_THREADS < 2:
            return None
        try:
            shape = np.broadcast_shapes(*(x.shape for x in arrays))
        except ValueError:
            return None  # the ufunc raises numpy's usual error
        size = math.prod(shape)
        flat = _flat_inputs(arrays, size)
        if flat is None or not _PARALLEL_LOCK.acquire(blocking=False):
            return None
        try:
            if numba.get_num_threads() < 2:
                return None
            out = np.empty(size)
            compile_parallel_loop()(*flat, out)
        finally:
            _PARALLEL_LOCK.release()
        return out.reshape(shape)

    def evaluate(*a, **kwargs):
        values = bind_arguments(names, a, kwargs)
        if ufunc is None:
            return value
        arrays = [np.asarray(v, dtype=float) for v in values]
        out = None
        if max(x.size for x in arrays) >= PARALLEL_MIN_SIZE:
            out = run_parallel(arrays)
        if out is None:
            out = ufunc(*arrays)
        return out[()] if np.ndim(out) == 0 else out

    evaluate = signed_call(evaluate, names, f"{form.direct}\n\nparameters: {', '.join(names)} "
                       f"(numba)")
    evaluate.parameters = parameters
    evaluate.source = source
    return evaluate
