"""A persistent store of derivations: one sqlite table ``key -> pickled record`` on disk.

A key is the sha256 of a canonical text of what determines a derivation: the quantity, the
base, both family specs with the members' values (``srepr``: the user's symbol names and
assumptions), any extra items (e.g. the timeout) and :func:`engine_version`, a hash of the
package's source, so that any code change invalidates every entry.

The database (``derivations.sqlite3`` in the store's directory) runs in WAL mode with a busy
timeout, so several threads and processes may read and write at once. A store never raises
from :meth:`DerivationStore.get`/:meth:`~DerivationStore.put`: a locked, unreadable or
corrupt database is a miss or a skipped write (a corrupt file is moved aside and recreated),
and a record that cannot be rebuilt is deleted by :func:`load` and re-derived by the caller.

Location (:func:`default_store`): ``$SYMBOLIC_INFO_CACHE`` if set (``0`` turns the store
off), else the user cache directory (``platformdirs.user_cache_dir("symbolic_info")``).
Records are pickles: point the store only at a directory that you alone can write.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import pickle
import re
import sqlite3
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import sympy as sp
from sympy.printing.repr import ReprPrinter

from ..errors import SymbolicInfoError
from ..families.spec import Family
from .derivation import Derivation

ENVIRONMENT_VARIABLE = "SYMBOLIC_INFO_CACHE"
DATABASE_NAME = "derivations.sqlite3"
BUSY_TIMEOUT_SECONDS = 10.0
NOT_STORED = ("p", "q", "_numeric")  # members hold lambdas: re-attached from the caller's
_CORRUPT_CODES = (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB
_DUMMY_INDEX = re.compile(r"dummy_index=(\d+)")


class StoreError(SymbolicInfoError):
    """The store of derivations cannot be used (``cache info``/``cache clear``)."""


class CorruptRecord(StoreError, ValueError):
    """A stored blob is not a record this version of the engine can rebuild."""


# -- keys ----------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def engine_version() -> str:
    """sha256 (16 hex digits) of every ``.py`` file of the package: sorted paths and bytes."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py"), key=lambda p: p.relative_to(root).as_posix()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


class KeyPrinter(ReprPrinter):
    """``srepr`` that writes a symbol with all its assumptions, sorted (``assumptions0``), so
    that symbols sympy deems equal (``positive=True`` and ``positive=True, real=True``) print
    alike; a Dummy also gets its ``dummy_index`` (made canonical by :func:`canonical_dummies`)."""

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        items = [f"{name}={value}" for name, value in sorted(expr.assumptions0.items())]
        if expr.is_Dummy:
            items.append(f"dummy_index={expr.dummy_index}")
        return f"{type(expr).__name__}({', '.join([repr(expr.name), *items])})"


def _text(value) -> str:
    return KeyPrinter().doprint(value) if isinstance(value, sp.Basic) else repr(value)


def _member_items(role: str, member: Family | None) -> list[tuple[str, str]]:
    if member is None:
        return [(role, "None")]
    spec = member.spec
    return [
        (f"{role}.family", spec.name),
        (f"{role}.params", repr(spec.param_names)),
        (f"{role}.constraints", repr(tuple(p.constraint.description for p in spec.params))),
        (f"{role}.symbols", _text(sp.Tuple(*spec.symbols))),
        (f"{role}.density", _text(spec.density)),
        (f"{role}.variable", _text(spec.variable)),
        (f"{role}.support", _text(spec.support)),
        (f"{role}.relations", _text(sp.Tuple(*map(sp.sympify, spec.relations)))),
        (f"{role}.values", _text(sp.Tuple(*member.values))),
    ]


def canonical_dummies(text: str) -> str:
    """``text`` with every ``Dummy``'s per-process index replaced by its order of appearance."""
    order: dict[str, int] = {}

    def number(match: re.Match) -> str:
        return f"dummy_index={order.setdefault(match.group(1), len(order))}"

    return _DUMMY_INDEX.sub(number, text)


def key_text(quantity: str, p: Family, q: Family | None, base=None, **extra) -> str:
    """The canonical text :func:`derivation_key` hashes (stable across processes)."""
    items = [("quantity", str(quantity)),
             ("base", "None" if base is None else _text(sp.sympify(base)))]
    items += _member_items("P", p) + _member_items("Q", q)
    items += [(f"extra.{name}", _text(extra[name])) for name in sorted(extra)]
    items.append(("engine", engine_version()))
    return canonical_dummies(json.dumps(items, ensure_ascii=True))


def derivation_key(quantity: str, p: Family, q: Family | None, base=None, **extra) -> str:
    """sha256 hex of :func:`key_text`: quantity, base, P and Q (spec and values), extra items
    (sorted by name) and the engine version."""
    return hashlib.sha256(key_text(quantity, p, q, base, **extra).encode()).hexdigest()


# -- records -------------------------------------------------------------------------------------
def _stored_fields() -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(Derivation) if f.name not in NOT_STORED)


def to_record(d: Derivation) -> bytes:
    """Every field of ``d`` but ``p``, ``q`` and ``_numeric``, pickled as a plain dict."""
    return pickle.dumps({name: getattr(d, name) for name in _stored_fields()},
                        protocol=pickle.HIGHEST_PROTOCOL)


def from_record(blob: bytes, p: Family, q: Family | None) -> Derivation:
    """The Derivation stored in ``blob`` with the members ``p`` and ``q`` re-attached.

    Raises :class:`CorruptRecord` when ``blob`` cannot be unpickled or rebuilt.
    """
    try:
        data = pickle.loads(blob)
    except Exception as exc:  # noqa: BLE001 - garbage bytes raise anything
        raise CorruptRecord(f"cannot unpickle record: {type(exc).__name__}: {exc}") from exc
    wanted = set(_stored_fields())
    if not isinstance(data, dict) or set(data) != wanted:
        found = sorted(data) if isinstance(data, dict) else type(data).__name__
        raise CorruptRecord(f"record has fields {found}, expected {sorted(wanted)}")
    try:
        return Derivation(**data, p=p, q=q)
    except Exception as exc:  # noqa: BLE001 - e.g. a status this version does not know
        raise CorruptRecord(f"cannot rebuild the derivation: {exc}") from exc


# -- the database --------------------------------------------------------------------------------
@dataclass(frozen=True)
class StoreInfo:
    """Where the store lives, how many entries it holds and its size on disk."""

    location: Path
    entries: int
    size_bytes: int


BUSY_RETRIES = 50


def _is_busy(exc: sqlite3.Error) -> bool:
    """The database is locked by another connection (a transient error)."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def _is_corruption(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _CORRUPT_CODES
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text


_ABANDONED: list[sqlite3.Connection] = []  # a parent's connections, never used or closed in a fork


class DerivationStore:
    """``key -> bytes`` in ``path/derivations.sqlite3``; thread-, process- and fork-safe.

    Each thread of each process opens its own connection (connections are keyed by
    ``os.getpid()``, so a forked child never touches its parent's). ``get`` and ``put``
    never raise: any sqlite error is a miss or a skipped write.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path).expanduser()
        self.database = self.path / DATABASE_NAME
        self._local = threading.local()
        self._lock = threading.Lock()
        self.disabled: str | None = None  # the reason, once the store gave up

    def __repr__(self) -> str:
        return f"DerivationStore({str(self.path)!r})"

    # connections
    def _open(self) -> sqlite3.Connection:
        self.path.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(self.database), timeout=BUSY_TIMEOUT_SECONDS,
                               isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("CREATE TABLE IF NOT EXISTS derivations ("
                         "key TEXT PRIMARY KEY, value BLOB NOT NULL, created REAL NOT NULL)")
        except BaseException:
            conn.close()
            raise
        return conn

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection in this process, opened (and repaired) on first use."""
        local = self._local
        pid = os.getpid()
        if getattr(local, "pid", None) == pid and local.conn is not None:
            return local.conn
        if getattr(local, "conn", None) is not None:  # inherited through fork
            _ABANDONED.append(local.conn)
        local.pid, local.conn = pid, None
        try:
            local.conn = self._open()
        except sqlite3.Error as exc:
            if not _is_corruption(exc):
                raise
            self._move_aside()
            local.conn = self._open()
        return local.conn

    def _forget_connection(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None and getattr(self._local, "pid", None) == os.getpid():
            try:
                conn.close()
            except sqlite3.Error:
                pass

    def _move_aside(self) -> None:
        """Rename a corrupt database file (and its WAL files) out of the way."""
        with self._lock:
            if self._probe_ok():  # another thread or process repaired it already
                return
            stamp = f"corrupt-{os.getpid()}-{time.time_ns()}"
            for suffix in ("", "-wal", "-shm"):
                source = self.database.with_name(DATABASE_NAME + suffix)
                try:
                    source.rename(source.with_name(f"{source.name}.{stamp}"))
                except OSError:
                    pass
            warnings.warn(f"symbolic_info: the store of derivations {self.database} was "
                          f"corrupt; moved aside as *.{stamp} and recreated", stacklevel=2)

    def _probe_ok(self) -> bool:
        try:
            conn = sqlite3.connect(str(self.database), timeout=BUSY_TIMEOUT_SECONDS)
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            finally:
                conn.close()
        except sqlite3.Error as exc:
            return not _is_corruption(exc)
        return True

    def _run(self, operation, default):
        """``operation(conn)``, or ``default`` on any sqlite or file-system error."""
        if self.disabled:
            return default
        repaired, busy = False, 0
        while True:
            try:
                return operation(self._connection())
            except sqlite3.Error as exc:
                if _is_busy(exc) and busy < BUSY_RETRIES:
                    # another process holds the lock past the busy timeout (or sqlite gave up
                    # at once, as it does while another connection switches to WAL): retry
                    busy += 1
                    time.sleep(0.01 * busy)
                    continue
                if not _is_corruption(exc) or repaired:
                    return default
                repaired = True
                self._forget_connection()
                self._move_aside()
            except OSError as exc:  # the directory cannot be created or opened
                self._disable(f"{type(exc).__name__}: {exc}")
                return default
        return default

    def _disable(self, reason: str) -> None:
        if not self.disabled:
            self.disabled = reason
            warnings.warn(f"symbolic_info: store of derivations at {self.path} disabled "
                          f"({reason})", stacklevel=2)

    # the interface
    def get(self, key: str) -> bytes | None:
        """The blob stored under ``key``, or None (also on any error)."""
        row = self._run(lambda c: c.execute("SELECT value FROM derivations WHERE key = ?",
                                            (key,)).fetchone(), None)
        if row is None or not isinstance(row[0], (bytes, memoryview)):
            return None
        return bytes(row[0])

    def put(self, key: str, blob: bytes) -> bool:
        """Store ``blob`` under ``key`` (replacing); False when the write was skipped."""
        def write(conn):
            conn.execute("INSERT OR REPLACE INTO derivations (key, value, created) "
                         "VALUES (?, ?, ?)", (key, sqlite3.Binary(blob), time.time()))
            return True
        return self._run(write, False)

    def delete(self, key: str) -> None:
        """Remove ``key`` if present (errors ignored)."""
        self._run(lambda c: c.execute("DELETE FROM derivations WHERE key = ?", (key,)), None)

    def _checked(self, operation):
        try:
            return operation(self._connection())
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"store of derivations at {self.path} unavailable: "
                             f"{type(exc).__name__}: {exc}") from exc

    def info(self) -> StoreInfo:
        """Location, number of entries and bytes on disk (database and WAL files)."""
        entries = self._checked(
            lambda c: c.execute("SELECT count(*) FROM derivations").fetchone()[0])
        size = 0
        for suffix in ("", "-wal", "-shm"):
            try:
                size += self.database.with_name(DATABASE_NAME + suffix).stat().st_size
            except OSError:
                pass
        return StoreInfo(self.path, int(entries), size)

    def clear(self) -> int:
        """Remove every entry; the number removed."""
        def empty(conn) -> int:
            removed = conn.execute("DELETE FROM derivations").rowcount
            try:
                conn.execute("VACUUM")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.OperationalError:  # another process is using it: shrink later
                pass
            return int(removed)
        return self._checked(empty)


# -- the default store ---------------------------------------------------------------------------
_STORES: dict[tuple[int, Path], DerivationStore] = {}
_STORES_LOCK = threading.Lock()


def store_directory() -> Path | None:
    """The directory ``$SYMBOLIC_INFO_CACHE`` names (read now): None for ``0``, the user cache
    directory when unset or empty."""
    value = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if value == "0":
        return None
    if value:
        return Path(value).expanduser()
    import platformdirs
    return Path(platformdirs.user_cache_dir("symbolic_info"))


def default_store() -> DerivationStore | None:
    """The store at :func:`store_directory`, one object per (process, path); None when off."""
    directory = store_directory()
    if directory is None:
        return None
    key = (os.getpid(), directory.absolute())
    with _STORES_LOCK:
        store = _STORES.get(key)
        if store is None:
            store = _STORES[key] = DerivationStore(directory)
    return store


def load(key: str, p: Family, q: Family | None) -> Derivation | None:
    """The stored derivation under ``key`` with ``p``, ``q`` attached, or None.

    A record that cannot be rebuilt is deleted (and so re-derived by the caller).
    """
    store = default_store()
    blob = store.get(key) if store is not None else None
    if blob is None:
        return None
    try:
        return from_record(blob, p, q)
    except CorruptRecord:
        store.delete(key)
        return None


def save(key: str, d: Derivation) -> bool:
    """Store ``d`` under ``key`` in the default store; False when skipped (store off, a
    timed-out derivation, a record that does not pickle, a failed write)."""
    store = default_store()
    if store is None or str(getattr(d.status, "value", d.status)) == "timed_out":
        return False
    try:
        blob = to_record(d)
    except Exception:  # noqa: BLE001 - an unpicklable object in a step: just not stored
        return False
    return store.put(key, blob)
