"""``atlas()``: plan the cells, read the stored ones, run the rest on workers, collect."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

from ..derive.store import store_directory
from ..errors import InvalidParameter, SymbolicInfoError, UnknownFamily
from ..families import BUILTIN_FAMILIES
from ..families import families as registered_families
from .atlas import Atlas, Stats
from .backends import default_jobs, run_dask, run_local
from .cell import Cell, Task, refused
from .progress import Progress
from .quantities import is_divergence
from .records import cell_key, load_cell, save_cell
from .worker import wall_limit


def plan(families: Sequence[str], quantities: Sequence[str], timeout: float) -> list[Task]:
    """Every cell: for each quantity, each family (an entropy) or each ordered pair of
    families, the same family included (a divergence)."""
    tasks = []
    for quantity in quantities:
        if is_divergence(quantity):
            tasks += [Task(quantity, p, q, timeout) for p in families for q in families]
        else:
            tasks += [Task(quantity, p, None, timeout) for p in families]
    return tasks


def _names(families: Iterable[str] | None) -> list[str]:
    if families is None:
        return list(BUILTIN_FAMILIES)
    known = registered_families()
    if isinstance(families, str):
        raise InvalidParameter("families must be a list of family names, not one string")
    names = list(dict.fromkeys(families))
    for name in names:
        if name not in known:
            raise UnknownFamily(f"families: unknown family {name!r}; see si.families()")
    if not names:
        raise InvalidParameter("families: give at least one family")
    return names


def _check(quantities, jobs, timeout, wall) -> tuple[str, ...]:
    if isinstance(quantities, str):
        raise InvalidParameter("quantities must be a list of names, not one string")
    quantities = tuple(dict.fromkeys(quantities))
    if not quantities:
        raise InvalidParameter("quantities: give at least one quantity")
    for quantity in quantities:
        is_divergence(quantity)  # raises naming an unknown one
    if jobs is not None and not (isinstance(jobs, int) and jobs >= 1):
        raise InvalidParameter(f"jobs must be a positive integer, got {jobs!r}")
    for name, value in (("timeout", timeout), ("wall", wall)):
        if value is not None and not (isinstance(value, (int, float)) and value > 0):
            raise InvalidParameter(f"{name} must be a positive number of seconds, got {value!r}")
    return quantities


def atlas(families: Iterable[str] | None = None, quantities: Iterable[str] = ("entropy", "kl"),
          *, jobs: int | None = None, client=None, timeout: float = 30, progress: bool = True,
          wall: float | None = None) -> Atlas:
    """Derive every cell of ``quantities`` over ``families`` (None: every built-in family).

    Entropies take each family's default member; divergences every ordered pair, P's
    parameters subscripted 1 and Q's 2. Cells run on ``jobs`` local processes (default: the
    cores available) or, with ``client`` (a ``dask.distributed.Client``), on its cluster.
    Each derivation has ``timeout`` CPU seconds; a cell whose worker dies or gives no answer
    within ``wall`` seconds (default ``4 timeout + 60``) is tried once more, then recorded as
    ``failed``. Cells found in the persistent store are read, not derived (``stats``).
    """
    names = _names(families)
    quantities = _check(tuple(quantities), jobs, timeout, wall)
    return build(plan(names, quantities, float(timeout)), jobs=jobs, client=client,
                 progress=progress, wall=wall)


def build(tasks: Sequence[Task], *, jobs: int | None = None, client=None, progress: bool = True,
          wall: float | None = None) -> Atlas:
    """The atlas of exactly ``tasks`` (see :func:`atlas`; e.g. a benchmark's own set)."""
    timeout = max((t.timeout for t in tasks), default=30.0)
    wall = float(wall) if wall is not None else wall_limit(float(timeout))
    directory = store_directory()
    store = "0" if directory is None else str(directory)
    start = time.perf_counter()
    used: dict[Task, float] = {}
    cells: dict[Task, Cell] = {}
    keys: dict[Task, str] = {}
    counts = {"derived": 0, "from_store": 0, "failed": 0, "retried": 0}
    cpu = 0.0
    with Progress(len(tasks), progress) as bar:
        for task in tasks:
            try:
                keys[task] = cell_key(task)
            except SymbolicInfoError as exc:  # the default members cannot be built
                cells[task] = refused(task, f"{type(exc).__name__}: {exc}")
                counts["derived"] += 1
                bar.update("refused")
                continue
            stored = load_cell(keys[task])
            if stored is not None:
                cells[task] = stored
                counts["from_store"] += 1
                bar.update(stored.status)
        pending = [t for t in tasks if t not in cells]
        runner = (run_dask(pending, client, store, wall) if client is not None
                  else run_local(pending, jobs or default_jobs(), store, wall))
        for task, outcome in runner:
            cells[task] = outcome.cell
            used[task] = outcome.cpu_seconds
            cpu += outcome.cpu_seconds
            counts["retried"] += outcome.attempts > 1
            counts["failed" if outcome.cell.status == "failed" else "derived"] += 1
            save_cell(keys[task], outcome.cell)
            bar.update(outcome.cell.status)
    stats = Stats(**counts, cpu_seconds=cpu, wall_seconds=time.perf_counter() - start)
    return Atlas(tuple(cells[t] for t in tasks), stats,
                 tuple(used.get(t, 0.0) for t in tasks))
