"""A unit of audit work: one library formula (a KL pair or an entropy), and our members for it."""

from __future__ import annotations

from dataclasses import dataclass

from ..families import Family, family, get_spec
from .adapter import FamilyMapping, LibraryAdapter


@dataclass(frozen=True)
class Unit:
    """``kind`` "kl" (classes ``p``, ``q``) or "entropy" (class ``p``, ``q`` None)."""

    kind: str
    p: str
    q: str | None = None

    @property
    def classes(self) -> tuple[str, ...]:
        return (self.p,) if self.q is None else (self.p, self.q)

    @property
    def same_class(self) -> bool:
        return self.q == self.p


def symbol_name(role: str, param: str) -> str:
    """The name of our symbol for parameter ``param`` of P (role "p") or Q ("q")."""
    return f"{role}_{param}"


def members(unit: Unit, adapter: LibraryAdapter) -> tuple[Family, Family | None]:
    """Our members for ``unit``: P's parameters are symbols ``p_<name>``, Q's ``q_<name>``
    (a parameter the mapping ties is P's symbol in Q too)."""
    mp = adapter.mappings[unit.p]
    p = family(mp.family, **{n: symbol_name("p", n) for n in our_names(mp)})
    if unit.q is None:
        return p, None
    mq = adapter.mappings[unit.q]
    tied = set(mq.tied) if unit.same_class else set()
    q = family(mq.family, **{n: symbol_name("p" if n in tied else "q", n) for n in our_names(mq)})
    return p, q


def our_names(m: FamilyMapping) -> tuple[str, ...]:
    """Our parameter names of the family a mapping targets."""
    return get_spec(m.family).param_names
