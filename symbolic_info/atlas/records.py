"""Cells in the persistent store of derivations (:mod:`symbolic_info.derive.store`).

The engine stores each derivation it finishes (in the worker's child); the atlas stores each
cell too, under a key of the quantity, both members (spec and values), the CPU budget and the
engine version, so that a rerun reads every finished cell without starting a worker: also the
cells the engine does not store (timed out under this very budget, refused). Failed cells are
never stored, so a rerun tries them again; an interrupted run resumes from what was stored.
"""

from __future__ import annotations

import dataclasses
import pickle

from ..derive.store import default_store, derivation_key
from .cell import Cell, Task, members

KIND = "atlas-cell"


def cell_key(task: Task) -> str:
    """The store key of ``task``'s cell (its members, quantity, budget, engine version)."""
    p, q = members(task)
    return derivation_key(task.quantity, p, q, None, record=KIND, timeout=float(task.timeout))


def load_cell(key: str) -> Cell | None:
    """The stored cell under ``key``, or None (also when the store is off or the record
    cannot be read, which is then deleted)."""
    store = default_store()
    blob = store.get(key) if store is not None else None
    if blob is None:
        return None
    try:
        fields = pickle.loads(blob)
        return Cell(**fields)
    except Exception:  # noqa: BLE001 - a record from another version: derive again
        store.delete(key)
        return None


def save_cell(key: str, cell: Cell) -> bool:
    """Store ``cell`` under ``key`` unless it failed; False when skipped."""
    store = default_store()
    if store is None or cell.status == "failed":
        return False
    try:
        blob = pickle.dumps({f.name: getattr(cell, f.name) for f in dataclasses.fields(cell)},
                             protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - not picklable: just not stored
        return False
    return store.put(key, blob)
