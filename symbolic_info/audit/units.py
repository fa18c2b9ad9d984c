"""A unit of audit work: one library formula (a KL pair or an entropy), and our members for it."""

from __future__ import annotations

from dataclasses import dataclass

from ..families import Family, family, get_spec
from . import vector
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


def arguments(role: str, params: dict) -> dict[str, float]:
    """Numeric values by our symbols' names: ``<role>_<param>``, and for a vector's or a
    matrix's entries ``<role>_<param>_<i>`` / ``<role>_<param>_<i>_<j>``."""
    return vector.arguments(role, params)


def members(unit: Unit, adapter: LibraryAdapter) -> tuple[Family, Family | None]:
    """Our members for ``unit``: P's parameters are symbols ``p_<name>``, Q's ``q_<name>``
    (a parameter the mapping ties is P's symbol in Q too)."""
    mp = adapter.mappings[unit.p]
    mq = adapter.mappings[unit.q] if unit.q is not None else None
    if vector.is_vector(mp.family) or (mq is not None and vector.is_vector(mq.family)):
        return _vector_members(mp, mq, unit.same_class)
    p = family(mp.family, **{n: symbol_name("p", n) for n in our_names(mp)})
    if mq is None:
        return p, None
    tied = set(mq.tied) if unit.same_class else set()
    q = family(mq.family, **{n: symbol_name("p" if n in tied else "q", n) for n in our_names(mq)})
    return p, q


def our_names(m: FamilyMapping) -> tuple[str, ...]:
    """Our parameter names of the family a mapping targets."""
    return get_spec(m.family).param_names


def _vector_members(mp: FamilyMapping, mq: FamilyMapping | None,
                    same_class: bool) -> tuple[Family, Family | None]:
    """Our members of vector families, their entries symbols (see :mod:`.vector`)."""
    if not vector.is_vector(mp.family) or (mq is not None and not vector.is_vector(mq.family)):
        raise ValueError(f"a pair of a vector and a scalar family: {mp.family}, "
                         f"{mq.family if mq else None}")
    p = family(mp.family, **vector.symbolic_keywords(mp.family, "p"))
    if mq is None:
        return p, None
    tied = mq.tied if same_class else ()
    return p, family(mq.family, **vector.symbolic_keywords(mq.family, "q", tied))
