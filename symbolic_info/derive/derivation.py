"""Derivations as data: an immutable record of steps ending in a result and its conditions."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import sympy as sp

#: ``closed_form``: every expectation derived; ``infinite``: the quantity is +oo (the reason is
#: a step); ``no_closed_form``: every strategy finished and none gave a closed form;
#: ``timed_out``: a budget ran out first (the result keeps the unevaluated integral or sum);
#: ``undefined``: the defining integral has no value, its positive and negative parts both
#: infinite (the result is nan, the reason an ``undefined`` step).
STATUSES = ("closed_form", "infinite", "no_closed_form", "timed_out", "undefined")


class StepKind(str, Enum):
    """What a step of an entropy / cross-entropy / divergence derivation does.

    Printers and statuses dispatch on the kind.  It is a ``str`` enum, so a kind equals its
    text (``StepKind.SUPPORT == "support"``).
    """

    DEFINITION = "definition"
    SUPPORT = "support"
    DENSITIES = "densities substituted"
    CANCELLATION = "cancellation"
    EXPANSION = "expansion"
    LINEARITY = "linearity of expectation"
    EXPECTATION = "expectation"
    NO_CLOSED_FORM = "no closed form"
    TIME_BUDGET = "time budget"
    DIVERGENCE = "divergence"
    UNDEFINED = "undefined"  # an expectation (or the quantity) with E[s+] = E[s-] = oo
    SUBSTITUTED = "expectations substituted"
    FINITE_SUM = "finite sum"
    SIMPLIFICATION = "simplification"
    CHANGE_OF_BASE = "change of base"
    NUMERIC_CHECK = "numeric check"
    NO_NUMERIC_CHECK = "no numeric check"
    ADDITIVITY = "additivity over independent components"
    COMPONENT = "component"
    MARGINAL = "marginal law"
    POWER_INTEGRAL = "power integral"  # ∫ p^α q^(1-α), the integral behind Rényi & co.
    NORMALISERS = "ratio of normalisers"  # an exponential family's Z at the mixed parameter
    LIMIT = "limit"  # e.g. α -> 1 of a Rényi divergence, checked against the KL
    CROSSING_POINTS = "crossing points"  # where p = q, splitting ∫ |p - q|
    DIFFERENTIATION = "differentiation"  # score or second derivatives of log p
    NUMERIC_VALUE = "numeric value"  # no closed form: a value by quadrature, with its error

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Step:
    """One step of a derivation: the rule applied, the expression it gives, a note in words.

    ``rule`` is a :class:`StepKind` for the steps of entropy / cross-entropy / divergence
    derivations (a string naming one is converted); other derivations (optima) name theirs.
    """

    rule: StepKind | str
    expr: Any
    note: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.rule, StepKind) and self.rule in _KINDS:
            object.__setattr__(self, "rule", StepKind(self.rule))

    @property
    def kind(self) -> StepKind | None:
        return self.rule if isinstance(self.rule, StepKind) else None

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

    @property
    def checked(self) -> bool:
        """Whether a numerical check of the result ran and passed (a NUMERIC_CHECK step)."""
        return any(s.kind is StepKind.NUMERIC_CHECK for s in self.steps)

    @property
    def timed_out(self) -> bool:
        return self.status == "timed_out"

    def status_text(self) -> str:
        """The status in words, claiming a numerical check only where one ran and passed."""
        return status_text(self)

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

    def latex(self, standalone: bool = False, *, checks: bool = True,
              implementation: bool = True) -> str:
        """The derivation as a LaTeX proof (an ``align*`` block, or a whole document);
        ``checks=False`` leaves out the numeric-check rows, ``implementation=False`` (with
        ``standalone``) the numerical implementation."""
        from ..render.latex import render_latex
        return render_latex(self, standalone=standalone, checks=checks,
                            implementation=implementation)

    def _repr_latex_(self) -> str:  # Jupyter
        return self.latex()

    def __str__(self) -> str:
        from ..render.text import render_text
        return render_text(self)

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython
        printer.text(str(self))


_KINDS = {k.value for k in StepKind}


def status_text(d: Derivation) -> str:
    """One sentence for the status of ``d``, read from its steps (never from notes)."""
    if d.status == "infinite":
        reason = next((s.note for s in reversed(d.steps)
                       if s.kind in (StepKind.SUPPORT, StepKind.DIVERGENCE) and s.note), "")
        return "infinite" + (f": {reason}" if reason else "")
    if d.status == "undefined":
        reason = next((s.note for s in reversed(d.steps)
                       if s.kind is StepKind.UNDEFINED and s.note), "")
        return "undefined" + (f": {reason}" if reason else "")
    if d.status == "timed_out":
        budget = next((s.note for s in d.steps if s.kind is StepKind.TIME_BUDGET), "")
        return ("no closed form within the budget" + (f" ({budget})" if budget else "")
                + "; the result keeps an unevaluated integral, evaluated numerically")
    if d.status == "no_closed_form":
        return ("no closed form: every strategy finished and none gave one; the result keeps "
                "an unevaluated integral, evaluated numerically")
    if d.checked:
        return "closed form, checked against numerical integration"
    why = next((s.note for s in d.steps if s.kind is StepKind.NO_NUMERIC_CHECK), "")
    if not any(s.kind in (StepKind.EXPECTATION, StepKind.NUMERIC_CHECK,
                          StepKind.NO_NUMERIC_CHECK) for s in d.steps):
        why = why or "exact finite computation, no integral to check"
    return "closed form, not checked numerically" + (f" ({why})" if why else "")
