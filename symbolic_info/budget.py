"""Budgets around sympy calls, in CPU seconds of the calling thread, from any thread.

sympy's ``integrate``/``simplify``/``summation`` can run for hours, so every such call runs
inside :func:`time_limit`.  A limit of ``s`` seconds means ``s`` seconds of CPU time of the
thread that entered it (``clock_gettime`` on ``pthread_getcpuclockid``), not wall-clock time:
a machine whose cores are busy with other processes, or a process whose other threads hold the
GIL, slows the computation down but does not shrink its budget, so the outcome of a derivation
does not depend on the load.  (Where the platform has no per-thread CPU clock the wall clock is
used.)

One watchdog thread per process watches every active limit of every thread.  When a thread's
CPU clock passes one of its deadlines, the watchdog raises :class:`_Alarm` in that thread
(``PyThreadState_SetAsyncExc``; it takes effect at the thread's next Python bytecode, which is
where sympy spends its time), and repeats it every :data:`REPEAT` seconds until the limit is
left, so an alarm swallowed by code that cannot propagate it is followed by another.  No alarm
is raised while the garbage collector runs (its callbacks and finalizers cannot propagate one:
Python would report it as "Exception ignored").  Limits nest: the innermost expired limit
converts the alarm into :class:`BudgetExceeded`, and an outer deadline is never extended by an
inner one.

The alarm never leaves the limit that raised it: leaving a limit marks it inactive, waits for
a watchdog that is in the middle of raising one, and cancels an alarm still pending.  The alarm
derives from ``BaseException`` so that sympy's internal ``except Exception`` clauses cannot
swallow it.
"""

from __future__ import annotations

import ctypes
import gc
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from . import sympy_state
from .errors import BudgetExceeded

T = TypeVar("T")

REPEAT = 0.05  # seconds between repeated alarms after a deadline
_EPSILON = 1e-3


class _Alarm(BaseException):
    """Raised in a thread by the watchdog; converted to BudgetExceeded by the owning limit."""


def _thread_clock(ident: int) -> int | None:
    try:
        return time.pthread_getcpuclockid(ident)
    except (AttributeError, OSError):  # pragma: no cover - platforms without thread clocks
        return None


def _read(clock: int | None) -> float:
    if clock is None:  # pragma: no cover
        return time.monotonic()
    try:
        return time.clock_gettime(clock)
    except OSError:  # the thread has ended
        return float("inf")


def cpu_seconds() -> float:
    """CPU seconds used so far by the calling thread (wall seconds where unsupported)."""
    return _read(_thread_clock(threading.get_ident()))


class _Cleared(BaseException):
    """Raised by a thread in itself to take delivery of (and so cancel) a pending alarm."""


def _raise_in(ident: int, exc: type[BaseException]) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(exc))


def _cancel_pending() -> None:
    """Cancel an alarm raised in this thread but not yet delivered.

    ``PyThreadState_SetAsyncExc(id, NULL)`` would clear it but leave the interpreter's
    pending-exception flag set (CPython 3.11), which makes a profiler such as cProfile loop
    forever; so the pending alarm is replaced by a marker that this thread then receives.
    """
    try:
        _raise_in(threading.get_ident(), _Cleared)
        for _ in range(1_000_000):  # delivered at the first check of the eval loop
            pass
    except _Cleared:
        pass


class time_limit:  # noqa: N801 - used as a context manager like contextlib's helpers
    """``with time_limit(seconds):`` runs the body for at most ``seconds`` CPU seconds of this
    thread, then raises :class:`BudgetExceeded` (from any thread).  :func:`run_limited` is the
    safer form (see there)."""

    def __init__(self, seconds: float):
        self.seconds = float(seconds)
        self.ident = threading.get_ident()
        self.clock = _thread_clock(self.ident)
        self.deadline = float("inf")
        self.active = False
        self.fired = 0.0  # wall time of the last alarm raised for this limit
        self.at_fork = 0.0  # the thread's CPU clock when the process forked

    @property
    def expired(self) -> bool:
        return _read(self.clock) >= self.deadline - _EPSILON

    def __enter__(self) -> time_limit:
        if self.seconds <= 0:
            raise BudgetExceeded("no time left in the budget")
        try:
            self.deadline = _read(self.clock) + self.seconds
            self.active = True
            _WATCHDOG.add(self)
        except BaseException:
            self._leave()
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        self._leave()
        if exc_type is not None and issubclass(exc_type, _Alarm) and self.expired:
            raise BudgetExceeded(f"ran out of its {self.seconds:.3g} s CPU budget") from None
        return False

    def _leave(self) -> None:
        """Deactivate; no alarm for this limit can be raised after this returns."""
        while True:
            try:
                self.active = False
                while _WATCHDOG.raising is self:
                    time.sleep(0)
                _WATCHDOG.discard(self)
                if self.fired:
                    _cancel_pending()  # an alarm raised but not yet delivered
                if _WATCHDOG.has_expired(self.ident):
                    _WATCHDOG.wake()  # an outer limit's alarm was cancelled: raise it again
                return
            except _Alarm:
                continue


class _Collection:
    """Whether the garbage collector is running (and with it gc callbacks and finalizers).

    An exception raised there cannot propagate (Python reports it as "Exception ignored in
    ..." through ``sys.unraisablehook``), so no alarm is raised while it runs.  Our callbacks
    are kept first (start) and last (stop) in ``gc.callbacks``.
    """

    def __init__(self) -> None:
        self.running = False

    def start(self, phase: str, info: dict) -> None:
        if phase == "start":
            self.running = True

    def stop(self, phase: str, info: dict) -> None:
        if phase == "stop":
            self.running = False

    def install(self) -> None:
        callbacks = gc.callbacks
        if not callbacks or callbacks[0] is not self.start:
            if self.start in callbacks:
                callbacks.remove(self.start)
            callbacks.insert(0, self.start)
        if callbacks[-1] is not self.stop:
            if self.stop in callbacks:
                callbacks.remove(self.stop)
            callbacks.append(self.stop)


_COLLECTION = _Collection()


class _Watchdog:
    """The thread that raises alarms in threads whose CPU clocks passed a deadline."""

    def __init__(self) -> None:
        self.limits: list[time_limit] = []
        self.raising: time_limit | None = None
        self.condition = threading.Condition()
        self.thread: threading.Thread | None = None

    def add(self, limit: time_limit) -> None:
        _COLLECTION.install()
        with self.condition:
            self.limits.append(limit)
            self._ensure_thread()
            self.condition.notify()

    def _ensure_thread(self) -> None:
        if self.thread is None or not self.thread.is_alive():
            self.thread = threading.Thread(target=self.run, name="symbolic_info-budget",
                                           daemon=True)
            self.thread.start()

    def discard(self, limit: time_limit) -> None:
        with self.condition:
            if limit in self.limits:
                self.limits.remove(limit)

    def wake(self) -> None:
        with self.condition:
            self.condition.notify()

    def has_expired(self, ident: int) -> bool:
        return any(lim.ident == ident and lim.active and lim.expired for lim in list(self.limits))

    def run(self) -> None:  # pragma: no cover - exercised through time_limit
        with self.condition:
            while True:
                wait = 0.5
                now = time.monotonic()
                for limit in list(self.limits):
                    left = limit.deadline - _read(limit.clock)
                    if left > _EPSILON:
                        wait = min(wait, left)  # CPU time runs no faster than wall time
                        continue
                    if now - limit.fired >= REPEAT and not _COLLECTION.running:
                        self.raising = limit  # seen by _leave before it cancels
                        if limit.active:
                            limit.fired = now
                            _raise_in(limit.ident, _Alarm)
                        self.raising = None
                    wait = min(wait, REPEAT)
                self.condition.wait(max(wait, 1e-3))

    def after_fork(self) -> None:
        """In a forked child only the forking thread survives: keep its limits, re-based on
        the child's thread clock, and start a new watchdog when one is needed."""
        ident = threading.get_ident()
        clock = _thread_clock(ident)
        kept = []
        for limit in self.limits:
            if limit.ident == ident and limit.active:
                left = limit.deadline - limit.at_fork
                limit.clock = clock
                limit.deadline = _read(clock) + left
                kept.append(limit)
        self.limits, self.raising, self.thread = kept, None, None
        self.condition = threading.Condition()
        if kept:
            self._ensure_thread()

    def before_fork(self) -> None:
        for limit in list(self.limits):
            limit.at_fork = _read(limit.clock)


_WATCHDOG = _Watchdog()
os.register_at_fork(before=_WATCHDOG.before_fork, after_in_child=_WATCHDOG.after_fork)


def run_limited(fn: Callable[..., T], seconds: float, *args, **kwargs) -> T:
    """Call ``fn(*args, **kwargs)`` with at most ``seconds`` CPU seconds; BudgetExceeded after.

    Prefer this to ``with time_limit(...)``: an alarm can arrive at any bytecode, including the
    first one of a context manager's ``__exit__``, where no code of the limit can catch it;
    here every such point lies inside this function's own ``try``.  A call that ends by an
    exception leaves sympy's module state as it found it (:mod:`symbolic_info.sympy_state`).
    """
    limit = time_limit(seconds)
    state = sympy_state.mark()
    try:
        limit.__enter__()
        try:
            result = fn(*args, **kwargs)
        finally:
            limit._leave()
        return result
    except _Alarm:
        limit._leave()
        sympy_state.rollback(state)  # what the interrupted call left half done
        if limit.expired:
            raise BudgetExceeded(f"ran out of its {limit.seconds:.3g} s CPU budget") from None
        raise  # an outer limit's alarm
    except BaseException:
        sympy_state.rollback(state)
        raise


@dataclass
class Budget:
    """A CPU-time allowance shared by every bounded call of one derivation (in the thread
    that created it)."""

    seconds: float
    started: float = 0.0
    clock: int | None = field(default=None, repr=False)
    charged: float = 0.0  # CPU seconds of remembered work, counted as if redone

    def __post_init__(self) -> None:
        self.clock = _thread_clock(threading.get_ident())
        self.started = _read(self.clock)

    @property
    def used(self) -> float:
        return _read(self.clock) - self.started + self.charged

    def charge(self, seconds: float) -> None:
        """Count ``seconds`` as used: what a remembered result cost when it was derived, so
        that a derivation has the same budget left whether or not it was remembered."""
        self.charged += max(0.0, seconds)

    @property
    def remaining(self) -> float:
        return self.seconds - self.used

    @property
    def expired(self) -> bool:
        return self.remaining <= 0

    def run(self, fn: Callable[..., T], *args, cap: float | None = None, **kwargs) -> T:
        """Run ``fn`` within what is left of the budget (and at most ``cap`` seconds)."""
        seconds = self.remaining if cap is None else min(cap, self.remaining)
        return run_limited(fn, seconds, *args, **kwargs)
