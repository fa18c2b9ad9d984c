"""What runs on a worker: one cell, derived in a child process under a wall-clock limit.

The worker (a local pool process or a Dask worker) forks a child per cell and waits for its
answer on a pipe. The derivation inside runs under the engine's CPU-time budget (``timeout``);
the wall-clock limit only catches a child that hangs outside it (or is starved), and a child
that dies (a crash, ``os._exit``, the OOM killer) or is killed loses only its cell. The cell is
tried once more, then recorded as ``failed`` with the reason. The worker itself survives both,
so the executor (process pool or Dask) never sees a broken worker.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from dataclasses import dataclass

from ..derive.store import ENVIRONMENT_VARIABLE
from ..errors import SymbolicInfoError
from .cell import Cell, Task, failed, members, refused
from .quantities import builder, is_divergence

ATTEMPTS = 2  # the first try and one retry


@dataclass(frozen=True)
class Outcome:
    """A cell with the CPU seconds its children used and how many tries it took."""

    cell: Cell
    cpu_seconds: float
    attempts: int


def wall_limit(timeout: float) -> float:
    """The default wall-clock limit of one cell: a generous multiple of its CPU budget (the
    budget bounds each strategy; a derivation may run several, and the machine may be
    loaded)."""
    return 4.0 * timeout + 60.0


def derive_cell(task: Task) -> Cell:
    """Derive ``task`` in this process (through the engine and its persistent store)."""
    start = time.perf_counter()
    try:
        p, q = members(task)
        build = builder(task.quantity)
        d = (build(p, q, timeout=task.timeout) if is_divergence(task.quantity)
             else build(p, timeout=task.timeout))
    except SymbolicInfoError as exc:
        return refused(task, f"{type(exc).__name__}: {exc}", time.perf_counter() - start)
    reason = "" if d.status == "closed_form" else d.status_text()
    return Cell(task.quantity, task.p, task.q, d.status, d.result, d.conditions, reason,
                time.perf_counter() - start)


def _child(task: Task, store: str | None, out: int) -> None:
    """In the forked child: derive, write the pickled cell to ``out``, exit without cleanup."""
    code = 0
    try:
        if store is not None:
            os.environ[ENVIRONMENT_VARIABLE] = store
        try:
            cell = derive_cell(task)
        except Exception as exc:  # noqa: BLE001 - an engine bug loses its cell only
            cell = failed(task, f"the engine raised {type(exc).__name__}: {exc}")
        try:
            payload = pickle.dumps(cell, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - a result that does not pickle
            payload = pickle.dumps(failed(task, f"the result does not pickle: {exc}"))
        view = memoryview(payload)
        while view:
            view = view[os.write(out, view):]
    except BaseException:  # noqa: BLE001 - never return into the worker's code
        code = 1
    finally:
        os._exit(code)


def _read_until(fd: int, deadline: float) -> tuple[bytes, bool]:
    """Everything from ``fd`` until EOF, or what came before ``deadline`` (then False)."""
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return b"".join(chunks), False
        ready, _, _ = select.select([fd], [], [], min(left, 1.0))
        if ready:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return b"".join(chunks), True
            chunks.append(chunk)


def _death(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return f"its worker died (signal {name})"
    return f"its worker exited with code {os.waitstatus_to_exitcode(status)} without an answer"


def attempt(task: Task, store: str | None, wall: float) -> tuple[Cell | None, float, str]:
    """One try in a forked child: (cell or None, CPU seconds of the child, why it failed)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read)
        _child(task, store, write)
    os.close(write)
    try:
        payload, finished = _read_until(read, time.monotonic() + wall)
    finally:
        os.close(read)
    if not finished:
        os.kill(pid, signal.SIGKILL)
    _, status, usage = os.wait4(pid, 0)
    cpu = usage.ru_utime + usage.ru_stime
    if not finished:
        return None, cpu, f"no answer within {wall:g} s of wall time (killed)"
    try:
        return pickle.loads(payload), cpu, ""
    except Exception:  # noqa: BLE001 - a truncated payload: the child died while writing
        return None, cpu, _death(status)


def run_task(task: Task, store: str | None, wall: float) -> Outcome:
    """The task a worker runs: :func:`attempt`, retried once; a cell ``failed`` after two."""
    cpu, why = 0.0, ""
    for tries in range(1, ATTEMPTS + 1):
        cell, used, why = attempt(task, store, wall)
        cpu += used
        if cell is not None:
            return Outcome(cell, cpu, tries)
    return Outcome(failed(task, f"{why}; tried {ATTEMPTS} times"), cpu, ATTEMPTS)
