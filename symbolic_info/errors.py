"""One small exception hierarchy for symbolic_info."""

from __future__ import annotations


class SymbolicInfoError(Exception):
    """Base class of every error symbolic_info raises on purpose."""


class InvalidParameter(SymbolicInfoError, ValueError):
    """A parameter value breaks its constraint, or is not a parameter of the family."""


class UnknownFamily(SymbolicInfoError, KeyError):
    """No family is registered under the requested name."""

    def __str__(self) -> str:  # KeyError quotes its message; we want plain text
        return str(self.args[0]) if self.args else ""


class NoRule(SymbolicInfoError, LookupError):
    """No pairwise rule is registered for a pair of families."""


class BudgetExceeded(SymbolicInfoError, TimeoutError):
    """A bounded sympy computation ran out of its time budget."""
