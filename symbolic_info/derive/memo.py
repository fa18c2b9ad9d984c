"""One derivation, remembered: on canonical members, in memory and in the persistent store.

Every builder of a quantity runs through :func:`remembered`: the members (and the base, and
further inputs such as a Rényi order) are put in canonical symbols (:mod:`.canonical`), the
derivation is looked up in memory, then in the store (:mod:`.store`), and only then built; a
final outcome is saved, a ``timed_out`` one is kept in memory under its own budget only, so a
call with a larger budget tries again.  The result is written back in the user's symbols.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from ..budget import Budget
from ..families.spec import Family
from ..scope import derivation_budget
from . import store
from .canonical import Canonical
from .derivation import Derivation

_MEMORY: dict[tuple, Derivation] = {}


def remembered(quantity: str, p: Family, q: Family | None, base, timeout: float,
               build: Callable[[Canonical, Budget], Derivation],
               extra: tuple = ()) -> Derivation:
    """``build(canonical, budget)`` on the canonical members, or its remembered outcome."""
    base = sp.sympify(base) if base is not None else None
    extra = tuple(sp.sympify(e) for e in extra)
    key = (quantity, p.spec, p.values, q.spec if q else None, q.values if q else None, base,
           extra)
    found = _MEMORY.get(key) or _MEMORY.get(key + (float(timeout),))
    if found is not None:
        return found
    canonical = Canonical.of(p, q, base, extra=extra)
    named = {f"extra_{i}": e for i, e in enumerate(canonical.extra)}
    stored_key = store.derivation_key(quantity, canonical.p, canonical.q, canonical.base,
                                      **named)
    derivation = store.load(stored_key, canonical.p, canonical.q)
    if derivation is None:
        with derivation_budget(timeout) as budget:
            derivation = build(canonical, budget)
        if derivation.status != "timed_out":
            store.save(stored_key, derivation)
    derivation = canonical.restore(derivation, p, q, base)
    _MEMORY[key if derivation.status != "timed_out" else key + (float(timeout),)] = derivation
    return derivation


def clear_memory() -> None:
    _MEMORY.clear()
