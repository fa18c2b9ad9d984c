r"""Inequality relations between parameters (``a < c``, ``c < b``) as substitutions.

Each relation :math:`l < r` (or :math:`l \le r`) is made true by construction: one symbol of
:math:`r - l` is written as the rest plus a gap :math:`d > 0` (:math:`d \ge 0`), a positive
Dummy.  Under the substitution sympy's own assumptions decide what the relations imply
(:math:`a < c, c < b` give :math:`c = a + d_1`, :math:`b = a + d_1 + d_2`, so
:math:`c < a` is false and :math:`a < b` true).  Equalities and relations that are not linear
in some real symbol are left out: they constrain nothing here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sympy as sp

_LESS = (sp.StrictLessThan, sp.LessThan)
_GREATER = (sp.StrictGreaterThan, sp.GreaterThan)
_STRICT = (sp.StrictLessThan, sp.StrictGreaterThan)


@dataclass(frozen=True)
class Pinning:
    """``forward`` writes symbols through positive gaps; ``back`` writes each gap as r - l."""

    forward: dict
    back: dict

    def decide(self, condition: sp.Basic) -> sp.Basic:
        """``condition`` under the relations: true, false, or ``condition`` unchanged."""
        if not self.forward or condition in (sp.true, sp.false):
            return condition
        try:
            decided = sp.sympify(condition).xreplace(self.forward)
        except (TypeError, ValueError):
            return condition
        return decided if decided in (sp.true, sp.false) else condition

    def reduce(self, condition: sp.Basic) -> sp.Basic:
        """``condition`` with each relation that the relations decide replaced by true/false."""
        if not self.forward or condition in (sp.true, sp.false):
            return condition
        atoms = condition.atoms(sp.core.relational.Relational)
        return condition.xreplace({r: self.decide(r) for r in atoms})


def gaps(relations: Iterable[sp.Basic]) -> list[tuple[sp.Expr, bool]]:
    """``(h, strict)`` for each inequality relation, meaning ``h > 0`` (``h >= 0``)."""
    out = []
    for r in relations:
        if isinstance(r, _LESS):
            out.append((sp.expand(r.rhs - r.lhs), isinstance(r, _STRICT)))
        elif isinstance(r, _GREATER):
            out.append((sp.expand(r.lhs - r.rhs), isinstance(r, _STRICT)))
    return out


def pin(relations: Iterable[sp.Basic]) -> Pinning:
    """The substitution making every inequality relation hold by construction (see module)."""
    forward: dict = {}
    back: dict = {}
    for h, strict in gaps(relations):
        current = sp.expand(h.xreplace(forward))
        if current.is_positive or (not strict and current.is_nonnegative):
            continue  # already implied by the earlier relations
        d = sp.Dummy("d", positive=True) if strict else sp.Dummy("d", nonnegative=True)
        # the greater side first: c = a + d keeps c > 0 when a > 0, a = c - d would not
        candidates = [(s, sp.diff(current, s)) for s in current.free_symbols
                      if not isinstance(s, sp.Dummy) and s.is_real is not False]
        candidates = sorted(((s, m) for s, m in candidates if m.is_number and m != 0),
                            key=lambda sm: (bool(sm[1].is_negative), sm[0].name))
        for s, slope in candidates:
            value = sp.expand(s + (d - current) / slope)
            forward = {k: sp.expand(v.xreplace({s: value})) for k, v in forward.items()}
            forward[s] = value
            back[d] = h
            break
    return Pinning(forward, back)
