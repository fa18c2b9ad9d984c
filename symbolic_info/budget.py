"""Time budgets around sympy calls.

sympy's ``integrate``/``simplify``/``summation`` can run for hours, so every such call runs
inside :func:`time_limit`.  In the main thread the limit is enforced with ``SIGALRM`` (limits
nest: the innermost deadline fires first, and an outer deadline is never extended by an inner
one).  Elsewhere the call runs in a forked child process that is killed when time is up.

The interrupt raised by the alarm derives from ``BaseException`` so that sympy's internal
``except Exception`` clauses cannot swallow it; callers see :class:`BudgetExceeded`.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from .errors import BudgetExceeded

T = TypeVar("T")


class _Alarm(BaseException):
    """Raised by the SIGALRM handler; converted to BudgetExceeded by the owning limit."""


_deadlines: list[float] = []


def _on_alarm(signum, frame):  # pragma: no cover - exercised through time_limit
    if _deadlines and time.monotonic() >= min(_deadlines) - 1e-3:
        raise _Alarm()


# After a deadline the alarm repeats at this interval until the limit is left: an alarm raised
# where Python cannot propagate it (a garbage-collection callback, e.g. jax's) is lost, and
# the next one interrupts the computation.
REPEAT = 0.05


def _arm(now: float) -> None:
    if _deadlines:
        signal.setitimer(signal.ITIMER_REAL, max(min(_deadlines) - now, 1e-4), REPEAT)
    else:
        signal.setitimer(signal.ITIMER_REAL, 0)


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Run the body for at most ``seconds`` (main thread only); raise BudgetExceeded after."""
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("time_limit needs the main thread; use run_limited instead")
    now = time.monotonic()
    if seconds <= 0:
        raise BudgetExceeded("no time left in the budget")
    deadline = now + seconds
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    _deadlines.append(deadline)
    _arm(now)
    try:
        yield
    except _Alarm:
        if time.monotonic() >= deadline - 1e-3:
            raise BudgetExceeded(f"ran out of its {seconds:.3g} s budget") from None
        raise
    finally:
        _deadlines.remove(deadline)
        _arm(time.monotonic())
        signal.signal(signal.SIGALRM, previous)


def _run_forked(fn: Callable[..., T], seconds: float, args, kwargs) -> T:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child process
        os.close(read_end)
        try:
            payload = pickle.dumps((True, fn(*args, **kwargs)))
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
            payload = pickle.dumps((False, exc))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        os._exit(0)
    os.close(write_end)
    chunks = []
    deadline = time.monotonic() + seconds
    with os.fdopen(read_end, "rb") as pipe:
        while True:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([pipe], [], [], max(left, 0))
            if not ready:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise BudgetExceeded(f"ran out of its {seconds:.3g} s budget")
            chunk = os.read(pipe.fileno(), 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    os.waitpid(pid, 0)
    ok, value = pickle.loads(b"".join(chunks))
    if ok:
        return value
    raise value


def run_limited(fn: Callable[..., T], seconds: float, *args, **kwargs) -> T:
    """Call ``fn(*args, **kwargs)`` under a time limit of ``seconds``; BudgetExceeded after."""
    if seconds <= 0:
        raise BudgetExceeded("no time left in the budget")
    if threading.current_thread() is threading.main_thread():
        with time_limit(seconds):
            return fn(*args, **kwargs)
    return _run_forked(fn, seconds, args, kwargs)


@dataclass
class Budget:
    """A deadline shared by every bounded call of one derivation."""

    seconds: float
    started: float = 0.0

    def __post_init__(self) -> None:
        self.started = time.monotonic()

    @property
    def remaining(self) -> float:
        return self.seconds - (time.monotonic() - self.started)

    @property
    def expired(self) -> bool:
        return self.remaining <= 0

    def run(self, fn: Callable[..., T], *args, cap: float | None = None, **kwargs) -> T:
        """Run ``fn`` within what is left of the budget (and at most ``cap`` seconds)."""
        seconds = self.remaining if cap is None else min(cap, self.remaining)
        return run_limited(fn, seconds, *args, **kwargs)


_NOMINAL_SECONDS = 0.007  # the calibration loop on an idle core of the reference machine
_speed: dict[str, float] = {}


def slowdown(max_factor: float = 4.0, ttl: float = 10.0) -> float:
    """How much slower than nominal this process runs now (>= 1, at most ``max_factor``).

    Strategy caps are multiplied by it so that a loaded machine (CI, parallel jobs) does not
    turn a closed form into a time-out.  Measured with a small pure-Python loop, refreshed
    every ``ttl`` seconds.
    """
    now = time.monotonic()
    if now - _speed.get("at", -ttl) < ttl:
        return _speed["factor"]
    start = time.perf_counter()
    total = 0
    for i in range(40_000):
        total += i * i % 7
    elapsed = time.perf_counter() - start
    factor = min(max(elapsed / _NOMINAL_SECONDS, 1.0), max_factor)
    _speed.update(at=now, factor=factor)
    return factor
