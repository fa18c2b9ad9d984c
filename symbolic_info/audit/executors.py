"""Run audit units here, on local worker processes, or on a Dask cluster; each yields
``(unit, findings)``, a unit the executor lost becoming an ``unsupported`` row with the
reason."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

from ..atlas.backends import fork_context
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


def run_local(work: Work, library: str, units: Sequence[Unit], args: tuple,
              jobs: int) -> Iterator[tuple[Unit, list[Finding]]]:
    """On ``jobs`` processes (forked where possible, so adapters registered here exist there)."""
    if not units:
        return
    with ProcessPoolExecutor(max_workers=min(jobs, len(units)),
                             mp_context=fork_context()) as pool:
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
