"""Executors that run cells: a local process pool, or a Dask cluster through its client.

Both submit one task per cell (:func:`symbolic_info.atlas.worker.run_task`) and yield
``(task, outcome)`` as tasks complete; neither schedules anything itself. An error the
executor reports for a task (a pool or Dask worker lost, ``KilledWorker``) becomes that
cell's failure.
"""

from __future__ import annotations

import multiprocessing
import os
import warnings
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed

from ..hash_seed import SEED, seed_is_fixed
from .cell import Task, failed
from .worker import Outcome, run_task


def fork_context():
    """The "fork" multiprocessing context where the platform has it (workers then see what
    this process registered: families, adapters), else the default one."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - platforms without affinity
        return os.cpu_count() or 1


def _lost(task: Task, exc: BaseException) -> Outcome:
    return Outcome(failed(task, f"the executor lost the task: {type(exc).__name__}: {exc}"),
                   0.0, 1)


def run_local(tasks: Iterable[Task], jobs: int, store: str | None,
              wall: float) -> Iterator[tuple[Task, Outcome]]:
    """Run ``tasks`` on ``jobs`` local worker processes (forked where the platform can, so
    families registered in this process exist in the workers)."""
    tasks = list(tasks)
    if not tasks:
        return
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)),
                             mp_context=fork_context()) as pool:
        futures = {pool.submit(run_task, task, store, wall): task for task in tasks}
        try:
            for future in as_completed(futures):
                task = futures[future]
                try:
                    yield task, future.result()
                except Exception as exc:  # noqa: BLE001 - e.g. BrokenProcessPool
                    yield task, _lost(task, exc)
        finally:
            for future in futures:
                future.cancel()


def run_dask(tasks: Iterable[Task], client, store: str | None,
             wall: float) -> Iterator[tuple[Task, Outcome]]:
    """Run ``tasks`` on the Dask cluster of ``client`` (a ``distributed.Client``). The workers
    must import ``symbolic_info`` and see the store's directory to share it."""
    from distributed import as_completed as dask_completed

    tasks = list(tasks)
    if not tasks:
        return
    warn_of_random_seeds(client)
    futures = {}
    for task in tasks:
        future = client.submit(run_task, task, store, wall, pure=False)
        futures[future] = task
    try:
        for future in dask_completed(list(futures)):
            task = futures[future]
            try:
                yield task, future.result()
            except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker, a lost connection
                yield task, _lost(task, exc)
    finally:
        client.cancel([f for f in futures if not f.done()])


def warn_of_random_seeds(client) -> list[str]:
    """Warn when some of the cluster's workers hash strings with another seed than
    :data:`~symbolic_info.hash_seed.SEED` (Dask's own default): their statuses near a cap may
    differ from the command line's. Returns those workers' addresses."""
    random = sorted(address for address, fixed in client.run(seed_is_fixed).items()
                    if not fixed)
    if random:
        warnings.warn(f"{len(random)} Dask worker(s) hash strings with another seed "
                      f"({', '.join(random[:3])}{', ...' if len(random) > 3 else ''}): start "
                      f"them with PYTHONHASHSEED={SEED} for the command line's statuses",
                      RuntimeWarning, stacklevel=3)
    return random
