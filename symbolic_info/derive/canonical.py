"""Derivations that no symbol name can change.

sympy orders the terms it works on by the names of their symbols, so the path an integration
takes (and whether it finishes within its cap) can depend on what the user called a
parameter.  Every derivation is therefore carried out on *canonical* members: each free symbol
of the members' values (and of the base) is replaced, in order of first appearance, by a symbol
named ``_s0``, ``_s1``, ... with the same sympy assumptions.  The result, the conditions, the
steps and the parameters are then written back in the user's symbols.  Two calls that differ
only in names are the same derivation (and share every cache).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import sympy as sp

from ..families.spec import Family, symbols_in_order
from .derivation import Derivation, Step

_CANONICAL = re.compile(r"(?<![A-Za-z0-9_])_s(\d+)(?![A-Za-z0-9_])")


@dataclass(frozen=True)
class Canonical:
    """The user's members and their canonical versions, with the symbol maps both ways."""

    p: Family
    q: Family | None
    base: sp.Expr | None
    forward: dict  # user symbol -> canonical symbol
    backward: dict  # canonical symbol -> user symbol
    extra: tuple = ()  # further inputs in canonical symbols (the order α of a Rényi divergence)

    @classmethod
    def of(cls, p: Family, q: Family | None, base=None, extra: tuple = ()) -> Canonical:
        values = list(p.values) + (list(q.values) if q is not None else [])
        if base is not None:
            values.append(sp.sympify(base))
        values += [sp.sympify(e) for e in extra]
        symbols = symbols_in_order(values)
        if any(isinstance(v, sp.MatrixExpr) for v in values):
            symbols = ()  # symbolic dimension: no integration whose path a name could change
        forward = {s: sp.Symbol(f"_s{i}", **s.assumptions0) for i, s in enumerate(symbols)}
        backward = {v: k for k, v in forward.items()}

        def member(m: Family | None) -> Family | None:
            if m is None:
                return None
            return Family(m.spec, tuple(sp.sympify(v).xreplace(forward) for v in m.values))

        return cls(member(p), member(q), None if base is None else
                   sp.sympify(base).xreplace(forward), forward, backward,
                   tuple(sp.sympify(e).xreplace(forward) for e in extra))

    def restore(self, d: Derivation, p: Family, q: Family | None, base) -> Derivation:
        """``d`` (derived on the canonical members) in the user's symbols and members."""
        back = self.backward
        names = {int(_CANONICAL.fullmatch(c.name).group(1)): u.name for c, u in back.items()}

        def text(note: str) -> str:
            return _CANONICAL.sub(lambda m: names.get(int(m.group(1)), m.group(0)), note)

        def expr(e):
            return e.xreplace(back) if isinstance(e, sp.Basic) else e

        steps = tuple(Step(s.rule, expr(s.expr), text(s.note)) for s in d.steps)
        return replace(d, result=expr(d.result), conditions=expr(d.conditions), steps=steps,
                       parameters=tuple(back.get(s, s) for s in d.parameters), p=p, q=q,
                       base=base, _numeric={})
