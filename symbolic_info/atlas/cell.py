"""One cell of the atlas: a quantity of one family (entropy) or of an ordered pair (divergence).

A :class:`Task` names what to derive (picklable: names, not members); a :class:`Cell` is the
outcome. The members are the families' defaults: for an entropy ``si.family(name)`` (or, for a
family that needs arguments, its default member subscripted 1); for a divergence
``si.pair(p, q)``: P's parameters subscripted 1 and Q's 2.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..errors import InvalidParameter
from ..families import family, pair
from ..families.registry import default_member
from ..families.spec import Family

# the engine's statuses, then "refused" (the engine raised: no rule, unsupported pair, ...) and
# "failed" (the cell's worker died or hung, twice)
STATUSES = ("closed_form", "infinite", "undefined", "no_closed_form", "timed_out", "refused",
            "failed")


@dataclass(frozen=True)
class Task:
    """What one cell derives: ``quantity`` of family ``p`` (and ``q``) under ``timeout`` CPU
    seconds."""

    quantity: str
    p: str
    q: str | None
    timeout: float

    @property
    def label(self) -> str:
        return f"{self.quantity}({self.p})" if self.q is None else \
            f"{self.quantity}({self.p} || {self.q})"


@dataclass(frozen=True)
class Cell:
    """The outcome of one task. ``result`` and ``conditions`` are sympy objects (``nan`` and
    ``true`` when there is none); ``reason`` says why a cell is not a closed form (empty when
    it is); ``seconds`` is the wall time it took this run (loading, when from the store)."""

    quantity: str
    p: str
    q: str | None
    status: str
    result: sp.Basic
    conditions: sp.Basic
    reason: str
    seconds: float

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")

    @property
    def key(self) -> tuple[str, str, str | None]:
        return (self.quantity, self.p, self.q)


def members(task: Task) -> tuple[Family, Family | None]:
    """The default members of ``task``: see the module docstring."""
    if task.q is None:
        try:
            return family(task.p), None
        except InvalidParameter:  # a family that takes arguments (categorical, mvnormal, ...)
            return default_member(task.p, 1), None
    return pair(task.p, task.q)


def failed(task: Task, reason: str, seconds: float = 0.0) -> Cell:
    """The cell of a task whose worker died, hung or raised unexpectedly."""
    return Cell(task.quantity, task.p, task.q, "failed", sp.nan, sp.true, reason, seconds)


def refused(task: Task, reason: str, seconds: float = 0.0) -> Cell:
    """The cell of a task the engine refused (it raised a SymbolicInfoError)."""
    return Cell(task.quantity, task.p, task.q, "refused", sp.nan, sp.true, reason, seconds)
