"""One derivation's budget, started from sympy's cold cache.

sympy caches intermediate results process-wide (``sympy.core.cache``), and an attempt that runs
out of time leaves its progress there: the same integral that ran out of its cap in a fresh
process can finish within it on a second try.  The outcome of a derivation (closed, no closed
form, timed out) would then depend on what the process ran before.  :func:`derivation_budget`
therefore clears that cache as each derivation starts, nested ones included, so a derivation
sees the same sympy state whatever ran earlier — unless another thread is inside a derivation,
whose work the clearing would disturb (threads share the cache; their outcomes are the
exception); sympy's lazily built tables and its loop marks are kept sound by
:mod:`symbolic_info.sympy_state`.  The engine's own memory of finished expectations and
derivations is kept: those are final outcomes, and a remembered expectation is charged to the
budget at what it cost (:meth:`symbolic_info.budget.Budget.charge`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sympy.core.cache import clear_cache

from .budget import Budget

_DEPTH: dict[int, int] = {}  # thread ident -> how many derivations it is inside
_LOCK = threading.Lock()


@contextmanager
def derivation_budget(seconds: float) -> Iterator[Budget]:
    """A :class:`Budget` of ``seconds`` CPU seconds for one derivation, from a cold cache."""
    ident = threading.get_ident()
    with _LOCK:
        alone = not any(depth for thread, depth in _DEPTH.items() if thread != ident)
        _DEPTH[ident] = _DEPTH.get(ident, 0) + 1
    try:
        if alone:
            clear_cache()
        yield Budget(float(seconds))
    finally:
        with _LOCK:
            _DEPTH[ident] -= 1
            if not _DEPTH[ident]:
                del _DEPTH[ident]


def _after_fork() -> None:
    """In a forked child only the forking thread survives."""
    global _LOCK
    _LOCK = threading.Lock()
    ident = threading.get_ident()
    kept = {ident: _DEPTH[ident]} if ident in _DEPTH else {}
    _DEPTH.clear()
    _DEPTH.update(kept)


os.register_at_fork(after_in_child=_after_fork)
