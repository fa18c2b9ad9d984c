"""The ``numba`` backend: the stable form printed as scalar ``math`` code (direct form, and
the near-equality series where it applies, see :mod:`.codegen`) and compiled as a
``numba.vectorize`` ufunc over float64 (so it broadcasts like numpy).

Large inputs (:data:`PARALLEL_MIN_SIZE` points or more) are split into chunks of
:data:`CHUNK` points that the calling thread and helper threads claim one at a time and
evaluate with that same ufunc (numpy releases the GIL inside it). Each point still takes its own
branch, and the values are those of the one-thread call, bit for bit. The threads number
:obj:`numba.config.NUMBA_NUM_THREADS` (``NUMBA_NUM_THREADS``, by default one per core), or fewer
where :func:`numba.set_num_threads` lowered it in the calling thread. A call runs on one thread
when the inputs are not all single values or C-ordered arrays of the whole broadcast shape (an
outer product, say: splitting it would copy inputs). Floating-point errors (divide by zero,
overflow, invalid) are reported as the one-thread call reports them (``numpy.errstate``: warn
once per kind, raise, ...), from the calling thread.

Why not numba's own parallel targets (measured on 2 cores, Normal KL, numba 0.68): a
``target="parallel"`` ufunc's per-point code is about twice as slow as the serial ufunc's, so it
gained nothing (1.0 of the one-thread time at 10^6 points). A ``prange`` loop over the same
scalar function did as well as these threads with the second core idle (0.65 at 10^5 points,
0.55 at 10^6), but under the default ``omp`` threading layer, with another process keeping the
second core busy, its calls of 3·10^4 to 3·10^5 points took 1.3 to 40 times the one-thread time
(the statically split work waits for a spinning OpenMP thread to be scheduled); and the ``omp``
layer kills a forked child that makes a parallel call after its parent did, while the
``workqueue`` layer aborts on two concurrent parallel calls. Chunks claimed on demand let the
calling thread do the work a descheduled helper has not started.
"""

from __future__ import annotations

import math
import os
import queue
import threading
from collections.abc import Callable

import numpy as np
import sympy as sp

from .codegen import scalar_function
from .special import compiled
from .stable import StableForm

#: Broadcast size from which a call is split over threads. Measured on 2 cores for the Normal
#: KL (the lightest case), split time / one-thread time: 0.85 at 10^5 points, 0.65 at 3·10^5,
#: 0.55 at 10^6 with the second core idle; 1.1 to 1.3 at 10^5 and about 0.9 from 3·10^5 with
#: another process keeping the second core busy. Below 10^5 the gain is under 15 %.
PARALLEL_MIN_SIZE = 100_000
#: Points per chunk (about 0.2 ms of the Normal KL, 2 ms of the Beta entropy; a few
#: microseconds of overhead each).
CHUNK = 32_768


class _Helpers:
    """Daemon threads evaluating chunks of the jobs put on ``queue``; made again in a forked
    child (a fork copies no threads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.count = 0

    def submit(self, job: _Job, helpers: int) -> None:
        with self.lock:
            while self.count < helpers:
                threading.Thread(target=self._serve, name="symbolic_info-numba",
                                 daemon=True).start()
                self.count += 1
        for _ in range(helpers):
            self.queue.put(job)

    def _serve(self) -> None:
        while True:
            self.queue.get().work()


_HELPERS = _Helpers()


def _after_fork_in_child() -> None:
    global _HELPERS
    _HELPERS = _Helpers()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class _Job:
    """One large call: chunks of the flat inputs, claimed by whichever thread asks first."""

    def __init__(self, ufunc, inputs: list[np.ndarray], out: np.ndarray) -> None:
        self.ufunc, self.inputs, self.out = ufunc, inputs, out
        # the kinds of floating-point error the caller does not ignore, recorded in any thread
        self.watched = {kind: "ignore" if mode == "ignore" else "call"
                        for kind, mode in np.geterr().items()}
        self.size = CHUNK
        self.chunks = -(-out.shape[0] // self.size)
        self.claimed = self.done = 0
        self.condition = threading.Condition()
        self.fp_errors: dict[str, int] = {}  # kind -> first chunk where it occurred
        self.error: Exception | None = None

    def _claim(self) -> int | None:
        with self.condition:
            if self.claimed == self.chunks:
                return None
            self.claimed += 1
            return self.claimed - 1

    def work(self) -> None:
        while (chunk := self._claim()) is not None:
            try:
                def record(kind, flag, chunk=chunk):
                    self.fp_errors.setdefault(kind, chunk)
                part = slice(chunk * self.size, (chunk + 1) * self.size)
                with np.errstate(**self.watched, call=record):
                    self.ufunc(*[x[part] for x in self.inputs], out=self.out[part])
            except Exception as exc:  # noqa: BLE001 - re-raised in the calling thread
                self.error = self.error or exc
            finally:
                with self.condition:
                    self.done += 1
                    if self.done == self.chunks:
                        self.condition.notify_all()

    def wait(self) -> None:
        with self.condition:
            self.condition.wait_for(lambda: self.done == self.chunks)
        if self.error is not None:
            raise self.error
        if self.fp_errors:
            # The chunks that raised them, again, in this thread under the caller's errstate:
            # one ufunc call, so each kind is reported once, as by the one-thread call.
            chunks = sorted(set(self.fp_errors.values()))
            parts = [slice(c * self.size, (c + 1) * self.size) for c in chunks]
            self.ufunc(*[np.concatenate([x[p] for p in parts]) for x in self.inputs])


def _thread_count(numba) -> int:
    """NUMBA_NUM_THREADS, or numba.get_num_threads() where the threading layer has started
    (numba.set_num_threads starts it; asking before would start it for nothing)."""
    threads = numba.config.NUMBA_NUM_THREADS
    try:
        numba.threading_layer()
    except ValueError:
        return threads
    return min(threads, numba.get_num_threads())


def _flat_inputs(arrays: list[np.ndarray], size: int) -> list[np.ndarray] | None:
    """The inputs as 1-d views of the ``size`` points of their broadcast in C order (a single
    value repeated with stride 0), or None where that would copy an input."""
    flat = []
    for x in arrays:
        if x.size == 1:
            flat.append(np.broadcast_to(x.reshape(1), (size,)))
        elif x.size == size and (x.ndim == 1 or x.flags.c_contiguous):
            flat.append(x.reshape(size))
        else:
            return None
    return flat


def _split_call(ufunc, arrays: list[np.ndarray], threads: int) -> np.ndarray | None:
    """The ufunc's values computed by ``threads`` threads, or None where this call should run
    on one."""
    try:
        shape = np.broadcast_shapes(*(x.shape for x in arrays))
    except ValueError:
        return None  # the ufunc raises numpy's usual error
    size = math.prod(shape)
    flat = _flat_inputs(arrays, size)
    if flat is None or size <= CHUNK:
        return None
    job = _Job(ufunc, flat, np.empty(size))
    _HELPERS.submit(job, min(threads - 1, job.chunks - 1))
    job.work()
    job.wait()
    return job.out.reshape(shape)


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
        out = None
        if max(x.size for x in arrays) >= PARALLEL_MIN_SIZE:
            threads = _thread_count(numba)
            if threads > 1:
                out = _split_call(ufunc, arrays, threads)
        if out is None:
            out = ufunc(*arrays)
        return out[()] if np.ndim(out) == 0 else out

    evaluate = signed_call(evaluate, names, f"{form.direct}\n\nparameters: {', '.join(names)} "
                       f"(numba)")
    evaluate.parameters = parameters
    evaluate.source = source
    return evaluate
