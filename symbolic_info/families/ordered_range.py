r"""A range of integers whose symbolic ends are kept in order by the family's relations.

``sympy.Range(lo, hi + 1)`` with ends such as :math:`\max(0, N - M + n)` and
:math:`\min(n, N) + 1` (the hypergeometric support) cannot tell from the symbols' assumptions
whether it is empty, and then refuses ``inf``, ``sup``, ``size`` and ``bool``: it knows
nothing of the relations :math:`n \le M,\ N \le M` that keep :math:`lo \le hi`.
:class:`OrderedRange` is a ``Range`` (step 1) whose spec declares exactly that: where sympy
cannot decide, it is non-empty, ``inf`` is ``lo``, ``sup`` is ``hi`` and its size is
``hi - lo + 1``. Wherever sympy can decide (numeric ends, after a substitution) it is the
plain ``Range``; it stays an ``OrderedRange`` under ``xreplace``, so the engine's uses of
``support.inf``/``support.sup`` (the sums' limits, the support rule, the numeric routes) work
unchanged.
"""

from __future__ import annotations

import sympy as sp


class OrderedRange(sp.Range):
    """``OrderedRange(lo, hi + 1)``: the integers ``lo, ..., hi``, with ``lo <= hi`` guaranteed
    by the family's relations where the symbols' assumptions cannot show it."""

    def __new__(cls, *args):
        obj = super().__new__(cls, *args)
        if obj.step != 1:
            raise ValueError(f"an OrderedRange has step 1, got {obj.step}")
        return obj

    @property
    def _undecided(self) -> bool:
        """Ends whose order sympy cannot tell (then the declaration decides)."""
        return self.has(sp.Symbol) and (self.stop - self.start).is_positive is None

    def __bool__(self) -> bool:
        return True if self._undecided else super().__bool__()

    @property
    def size(self) -> sp.Expr:
        return self.stop - self.start if self._undecided else super().size

    @property
    def is_empty(self):
        return False if self._undecided else super().is_empty

    @property
    def _inf(self) -> sp.Expr:
        return self.start if self._undecided else super()._inf

    @property
    def _sup(self) -> sp.Expr:
        return self.stop - 1 if self._undecided else super()._sup

    def _contains(self, other):
        if not self._undecided or other.is_infinite:
            return super()._contains(other)
        if other.is_integer is False:
            return sp.false
        inside = sp.And(other >= self.start, other <= self.stop - 1)
        return inside if other.is_integer else None

    def _as_range(self, printer) -> str:
        """Printed as the plain Range where sympy can order the ends."""
        return printer._print(sp.Range(*self.args))

    def _sympystr(self, printer) -> str:
        if not self._undecided:
            return self._as_range(printer)
        return f"{{{printer._print(self.start)}, ..., {printer._print(self.stop - 1)}}}"

    def _latex(self, printer) -> str:
        if not self._undecided:
            return self._as_range(printer)
        lo, hi = printer._print(self.start), printer._print(self.stop - 1)
        return rf"\left\{{{lo}, \ldots, {hi}\right\}}"
