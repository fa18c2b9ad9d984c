"""sympy's module-level state, kept sound when a budget interrupts a sympy call.

A budget stops sympy at any bytecode (:mod:`symbolic_info.budget`).  Most of sympy is
functional, but a few module globals are written during a call and put back only when it
returns normally:

* ``manualintegrate._integral_cache`` marks each integrand under way (``None``) to detect
  loops, and deletes the mark on return.  A mark left by an interrupted call makes every later
  attempt at that integrand return "don't know" at once: the same integral that ran out of its
  cap on the first try then "finishes" unevaluated on the second, so an outcome would depend on
  what ran before.  ``_parts_u_cache`` counts uses of a factor in integration by parts and is
  cleared on return.  Both become per-thread (threads no longer see each other's marks, which
  also made concurrent integrations interfere) and are rolled back to their state at entry when
  a bounded call ends by an exception (:func:`rollback`).
* ``meijerint._lookup_table`` and manualintegrate's special-function patterns are built on
  first use, in place: an interruption while building them leaves them half filled for the life
  of the process.  :func:`install` builds them at once, outside any budget.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

import sympy as sp
from sympy.integrals import manualintegrate


class ThreadLocalDict(MutableMapping):
    """A dict whose contents are the calling thread's own (``default`` for missing keys, like
    ``defaultdict``, when given)."""

    def __init__(self, default: Callable[[], Any] | None = None):
        self._local = threading.local()
        self._default = default

    @property
    def data(self) -> dict:
        try:
            return self._local.data
        except AttributeError:
            self._local.data = {}
            return self._local.data

    def __getitem__(self, key):
        data = self.data
        if key not in data and self._default is not None:
            data[key] = self._default()
        return data[key]

    def __setitem__(self, key, value) -> None:
        self.data[key] = value

    def __delitem__(self, key) -> None:
        del self.data[key]

    def __iter__(self) -> Iterator:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __contains__(self, key) -> bool:
        return key in self.data

    def clear(self) -> None:
        self.data.clear()


_ROLLED_BACK = ("_integral_cache", "_parts_u_cache")


def mark() -> tuple[dict, ...]:
    """The calling thread's rolled-back state, to restore with :func:`rollback`."""
    return tuple(dict(getattr(manualintegrate, name).data) for name in _ROLLED_BACK)


def rollback(state: tuple[dict, ...]) -> None:
    """Put the calling thread's state back as :func:`mark` found it."""
    for name, saved in zip(_ROLLED_BACK, state):
        data = getattr(manualintegrate, name).data
        data.clear()
        data.update(saved)


def install() -> None:
    """Make the loop marks per-thread and build sympy's lazily built tables now."""
    if not isinstance(manualintegrate._integral_cache, ThreadLocalDict):
        manualintegrate._integral_cache = ThreadLocalDict()
        manualintegrate._parts_u_cache = ThreadLocalDict(int)
    t = sp.Dummy("t", positive=True)
    sp.integrate(sp.exp(-t) * t ** sp.Rational(1, 3), (t, 0, sp.oo), meijerg=True)
    manualintegrate.manualintegrate(sp.exp(-t ** 2), t)


install()
