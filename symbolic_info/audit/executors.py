"""Run audit units here, on local worker processes, or on a Dask cluster; each yields
``(unit, findings)``, a unit the executor lost becoming an ``unsupported`` row with the
reason."""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

from ..atlas.backends import fork_context
from .adapter import _LAZY, register_adapter
from .findings import Finding
from .units import Unit

Work = Callable[..., list[Finding]]


def _lost(unit: Unit, exc: BaseException) -> list[Finding]:
    reason = f"the executor lost the task: {type(exc).__name__}: {exc}"
    return [Finding(unit.kind, unit.p, unit.q, "float64", "unsupported",
                    {"params": None, "library": None, "ours": None, "numeric": None,
                     "rel_err": None, "reason": reason, "snippet": None})]


def run_serial(work: Work, library: str, units: Sequence[Unit],
               args: tuple) -> Iterator[tuple[Unit, list[Finding]]]:
    for unit in units:
        yield unit, work(library, unit, *args)


def worker_context(library: str):
    """The multiprocessing context of the workers, and their initializer and its arguments.

    Forked where possible, so adapters and families registered here exist there; but a process
    forked after jax has computed here can deadlock (jax is multithreaded), so once jax is
    imported here, a library registered by module path gets fresh ("spawn") workers, which
    register it as here and import its adapter on first use."""
    context = fork_context()
    if library in _LAZY and "jax" in sys.modules:
        context = multiprocessing.get_context("spawn")
    if context.get_start_method() != "fork" and library in _LAZY:
        return context, register_adapter, (library, _LAZY[library])
    return context, None, ()


def run_local(work: Work, library: str, units: Sequence[Unit], args: tuple,
              jobs: int) -> Iterator[tuple[Unit, list[Finding]]]:
    """On ``jobs`` processes (see :func:`worker_context`)."""
    if not units:
        return
    context, initializer, initargs = worker_context(library)
    with ProcessPoolExecutor(max_workers=min(jobs, len(units)), mp_context=context,
                             initializer=initializer, initargs=initargs) as pool:
        futures = {pool.submit(work, library, unit, *args): unit for unit in units}
        for future in as_completed(futures):
            unit = futures[future]
            try:
                yield unit, future.result()
            except Exception as exc:  # noqa: BLE001 - e.g. BrokenProcessPool
                yield unit, _lost(unit, exc)


def run_dask(work: Work, library: str, units: Sequence[Unit], args: tuple,
             client) -> Iterator[tuple[Unit, list[Finding]]]:
    """On the Dask cluster of ``client``; its workers must import the library's adapter."""
    from distributed import as_completed as dask_completed

    futures = {client.submit(work, library, unit, *args, pure=False): unit for unit in units}
    for future in dask_completed(list(futures)):
        unit = futures[future]
        try:
            yield unit, future.result()
        except Exception as exc:  # noqa: BLE001 - KilledWorker, a lost connection
            yield unit, _lost(unit, exc)
