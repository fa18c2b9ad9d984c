"""Derivations as data: an immutable record of steps ending in a result and its conditions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp

STATUSES = ("closed_form", "infinite", "no_closed_form")


@dataclass(frozen=True)
class Step:
    """One step of a derivation: the rule applied, the expression it gives, a note in words."""

    rule: str
    expr: Any
    note: str = ""

    def __str__(self) -> str:
        return f"[{self.rule}] {self.expr}" + (f"   ({self.note})" if self.note else "")


@dataclass(frozen=True)
class Derivation:
    """The derivation of one quantity (entropy, cross-entropy, KL, ...).

    ``parameters`` are the free symbols of the result in a fixed order: P's parameters in the
    order of P's family parameters, then Q's parameters not already among them.
    """

    name: str
    quantity: str
    result: sp.Expr
    status: str
    conditions: sp.Basic
    steps: tuple[Step, ...]
    parameters: tuple[sp.Symbol, ...]
    p: Any = None
    q: Any = None
    base: Any = None
    _numeric: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")

    def lambdify(self, backend: str = "numpy", validate: bool = False):
        """A vectorised function of ``parameters`` (positionally or by name).

        ``backend``: "numpy", "mpmath" (scalars, 50 digits), "numba", "jax", "torch".
        ``validate=True`` checks the values against the parameters' constraints first and
        raises ``ValueError`` naming the offending parameter.
        """
        key = (backend, bool(validate))
        if key not in self._numeric:
            from ..numeric.lambdify import lambdify_derivation
            self._numeric[key] = lambdify_derivation(self, backend, validate=validate)
        return self._numeric[key]

    def latex(self, standalone: bool = False) -> str:
        """The derivation as a LaTeX proof (an ``align*`` block, or a whole document)."""
        from ..render.latex import render_latex
        return render_latex(self, standalone=standalone)

    def _repr_latex_(self) -> str:  # Jupyter
        return self.latex()

    def __str__(self) -> str:
        from ..render.text import render_text
        return render_text(self)

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython
        printer.text(str(self))
