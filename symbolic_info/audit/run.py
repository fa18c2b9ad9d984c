"""``si.audit(library)``: enumerate what the library ships, check each mapping, audit every
formula in every dtype; in this process, on local worker processes (``jobs``) or on a Dask
cluster (``client``). Derivations go through the engine's persistent store."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from functools import cache

import numpy as np

from ..errors import SymbolicInfoError
from .adapter import LibraryAdapter, get_adapter
from .classify import classify
from .executors import run_dask, run_local, run_serial
from .findings import AuditReport, Finding
from .mapping_check import check_mapping
from .points import audit_points
from .reference import derive
from .units import Unit, members


def units_of(adapter: LibraryAdapter, pairs: Iterable | None = None) -> list[Unit]:
    """The library's formulas: its KL pairs, then its entropies; restricted to ``pairs``
    (``("Normal", "Normal")`` for a KL, ``"Normal"`` for an entropy) when given."""
    shipped = [Unit("kl", p, q) for p, q in adapter.enumerate_kl_pairs()]
    shipped += [Unit("entropy", p) for p in adapter.enumerate_entropies()]
    if pairs is None:
        return shipped
    wanted = [Unit("entropy", w) if isinstance(w, str) else Unit("kl", *w) for w in pairs]
    missing = [w for w in wanted if w not in shipped]
    if missing:
        raise ValueError(f"{adapter.name} ships no formula for "
                         f"{', '.join(_label(u) for u in missing)}")
    return wanted


def _label(u: Unit) -> str:
    return f"KL({u.p} ‖ {u.q})" if u.kind == "kl" else f"H({u.p})"


@cache
def _mapping_error(adapter: LibraryAdapter, cls: str) -> str | None:
    return check_mapping(adapter, cls)


def _rows(unit: Unit, adapter: LibraryAdapter, status: str, reason: str) -> list[Finding]:
    blank = {"params": None, "library": None, "ours": None, "numeric": None,
             "rel_err": None, "reason": reason, "snippet": None}
    return [Finding(unit.kind, unit.p, unit.q, adapter.default_dtype, status, blank)]


def audit_unit(library: str, unit: Unit, points: int = 20, seed: int = 0,
               timeout: float = 30.0) -> list[Finding]:
    """The findings of one formula: a row per dtype (one ``unsupported`` or ``mapping_error``
    row when it cannot be audited, with the reason: whatever one formula raises is a row of
    that formula, never the end of the audit)."""
    adapter = get_adapter(library)
    try:
        return _audit_unit(adapter, unit, points, seed, timeout)
    except Exception as exc:  # noqa: BLE001 - one formula's failure is a row, not the audit's
        return _rows(unit, adapter, "unsupported",
                     f"the audit failed: {type(exc).__name__}: {exc}")


def _audit_unit(adapter: LibraryAdapter, unit: Unit, points: int, seed: int,
                timeout: float) -> list[Finding]:
    unmapped = [c for c in unit.classes if c not in adapter.mappings]
    if unmapped:
        return _rows(unit, adapter, "unsupported",
                     f"no mapping to a family for {', '.join(dict.fromkeys(unmapped))}")
    for cls in dict.fromkeys(unit.classes):
        try:
            reason = _mapping_error(adapter, cls)
        except Exception as exc:  # noqa: BLE001 - a check that fails is no mapping to trust
            reason = f"the mapping check failed: {type(exc).__name__}: {exc}"
        if reason is not None:
            return _rows(unit, adapter, "mapping_error", f"{cls}: {reason}")
    try:
        p, q = members(unit, adapter)
        d = derive(p, q, timeout=timeout)
    except SymbolicInfoError as exc:
        return _rows(unit, adapter, "unsupported", f"not derived: {type(exc).__name__}: {exc}")
    rng = np.random.default_rng([seed, zlib.crc32(_label(unit).encode())])
    tied = adapter.mappings[unit.q].tied if unit.q else ()
    chosen = audit_points(p, q, rng, points, tied)
    try:
        return [classify(adapter, unit, d, chosen, dtype) for dtype in adapter.dtypes()]
    except Exception as exc:  # noqa: BLE001 - one formula's failure is a row, not the audit's
        return _rows(unit, adapter, "unsupported",
                     f"the audit failed: {type(exc).__name__}: {exc}")


def audit(library: str, *, pairs: Iterable | None = None, points: int = 20, seed: int = 0,
          jobs: int | None = None, client=None, timeout: float = 30.0,
          progress: bool = False) -> AuditReport:
    """Audit ``library``'s shipped KL divergences and entropies against derived ones.

    ``pairs`` restricts the audit (``[("Normal", "Normal"), "Gamma"]``); ``points`` random
    points per formula (plus near-equality and wide-scale points); ``jobs`` local worker
    processes (None: this process), or ``client`` a ``distributed.Client``; ``timeout`` the
    CPU budget of each derivation; ``progress`` a progress bar on stderr.
    """
    adapter = get_adapter(library)
    units = units_of(adapter, pairs)
    args = (points, seed, timeout)
    if client is not None:
        results = run_dask(audit_unit, library, units, args, client)
    elif jobs is not None and jobs > 1:
        results = run_local(audit_unit, library, units, args, jobs)
    else:
        results = run_serial(audit_unit, library, units, args)
    if progress:
        from tqdm import tqdm
        results = tqdm(results, total=len(units), desc=f"audit {library}", unit="formula")
    rows = [row for _, found in results for row in found]
    return AuditReport(library, adapter.version, tuple(rows))
