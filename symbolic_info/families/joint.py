r"""Joint distributions of two discrete variables: a :math:`k \times m` table of probabilities.

:math:`P(X = i, Y = j) = t_{ij}` for :math:`i < k`, :math:`j < m`.  Entries may be numbers
(checked: nonnegative, summing to 1) or sympy expressions (strings become symbols that are
nonnegative); the marginals and the conditionals are categorical family members

.. math::
    P_X(i) = \sum_j t_{ij},\qquad P_Y(j) = \sum_i t_{ij},\qquad
    P(Y = j \mid X = i) = t_{ij} / P_X(i).

Reference: Cover & Thomas, *Elements of Information Theory*, 2nd ed., ch. 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy as sp

from ..errors import InvalidParameter
from .product import product
from .registry import family
from .spec import Family, symbols_in_order

TOLERANCE = 1e-12


@dataclass(frozen=True)
class JointTable:
    """A validated joint pmf table; build it with :func:`joint` or :func:`independent`."""

    table: sp.ImmutableMatrix

    # -- shape and symbols -------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, int]:
        return self.table.shape

    @property
    def entries(self) -> tuple[sp.Expr, ...]:
        """The entries in row-major order."""
        return tuple(self.table)

    @cached_property
    def parameters(self) -> tuple[sp.Symbol, ...]:
        """Free symbols of the table, by first appearance in row-major order."""
        return symbols_in_order(self.entries)

    @property
    def total(self) -> sp.Expr:
        return sp.Add(*self.entries)

    @property
    def normalisation(self) -> sp.Basic:
        """``True`` when the entries sum to 1 identically, else the equation they must meet."""
        total = self.total
        if sp.simplify(total - 1) == 0:
            return sp.true
        return sp.Eq(total, 1)

    # -- marginals and conditionals ----------------------------------------------------------
    def row_sums(self) -> tuple[sp.Expr, ...]:
        k, m = self.shape
        return tuple(_tidy(sp.Add(*[self.table[i, j] for j in range(m)])) for i in range(k))

    def column_sums(self) -> tuple[sp.Expr, ...]:
        k, m = self.shape
        return tuple(_tidy(sp.Add(*[self.table[i, j] for i in range(k)])) for j in range(m))

    def marginal_x(self) -> Family:
        r""":math:`P_X(i) = \sum_j t_{ij}` as ``categorical(p=[...])`` (X takes values 0..k-1)."""
        return family("categorical", p=list(self.row_sums()))

    def marginal_y(self) -> Family:
        r""":math:`P_Y(j) = \sum_i t_{ij}` as ``categorical(p=[...])``."""
        return family("categorical", p=list(self.column_sums()))

    def conditional_y_given_x(self, i: int) -> Family:
        r""":math:`P(Y = j \mid X = i) = t_{ij} / P_X(i)` (needs :math:`P_X(i) > 0`)."""
        k, m = self.shape
        if not 0 <= i < k:
            raise InvalidParameter(f"x = {i} is outside 0..{k - 1}")
        row = self.row_sums()[i]
        if row == 0:
            raise InvalidParameter(f"P(X = {i}) = 0: the conditional of Y given X = {i} "
                                   "is undefined")
        return family("categorical", p=[_tidy(self.table[i, j] / row) for j in range(m)])

    def conditional_x_given_y(self, j: int) -> Family:
        r""":math:`P(X = i \mid Y = j) = t_{ij} / P_Y(j)` (needs :math:`P_Y(j) > 0`)."""
        k, m = self.shape
        if not 0 <= j < m:
            raise InvalidParameter(f"y = {j} is outside 0..{m - 1}")
        col = self.column_sums()[j]
        if col == 0:
            raise InvalidParameter(f"P(Y = {j}) = 0: the conditional of X given Y = {j} "
                                   "is undefined")
        return family("categorical", p=[_tidy(self.table[i, j] / col) for i in range(k)])

    def product_of_marginals(self) -> JointTable:
        r"""The table :math:`P_X(i) P_Y(j)` (X and Y made independent)."""
        rows, cols = self.row_sums(), self.column_sums()
        return JointTable(sp.ImmutableMatrix(len(rows), len(cols),
                                             [r * c for r in rows for c in cols]))

    def subs(self, values) -> JointTable:
        """The table with some symbols replaced (e.g. by numbers); validated again."""
        return joint(self.table.xreplace({sp.sympify(k): sp.sympify(v)
                                          for k, v in dict(values).items()}))

    def numeric(self, point=None) -> np.ndarray:
        """The table as a float array (symbols replaced by ``point``, a mapping)."""
        table = self.table.xreplace({sp.sympify(k): sp.sympify(v)
                                     for k, v in dict(point or {}).items()})
        return np.array(table.evalf(), dtype=float)

    def label(self) -> str:
        return "joint(" + str(self.table.tolist()) + ")"

    def __repr__(self) -> str:
        return f"JointTable<{self.table.tolist()}>"

    __str__ = label


def _tidy(expr: sp.Expr) -> sp.Expr:
    """A small expression as short as cheap rewrites make it (``a*b_1 + a*b_2`` -> ``a*(...)``)."""
    expr = sp.sympify(expr)
    if not expr.free_symbols:
        return expr
    return min((expr, sp.factor(expr), sp.cancel(expr)), key=sp.count_ops)


def _entry(value, where: str) -> sp.Expr:
    if isinstance(value, str):
        return sp.Symbol(value, nonnegative=True)
    if isinstance(value, float):
        if not np.isfinite(value):
            raise InvalidParameter(f"entry {where} must be a finite probability, got {value}")
        value = sp.Rational(repr(value))  # 0.9 means 9/10: keep concrete values exact
    try:
        expr = value if isinstance(value, sp.Basic) else sp.sympify(value, strict=True)
    except (sp.SympifyError, TypeError) as exc:
        raise InvalidParameter(f"entry {where} must be a probability, got {value!r}") from exc
    if not isinstance(expr, sp.Expr):
        raise InvalidParameter(f"entry {where} must be a probability, got {value!r}")
    if expr.is_number:
        if not expr.is_real:
            raise InvalidParameter(f"entry {where} must be a real probability, got {expr}")
        if expr < 0:
            raise InvalidParameter(f"entry {where} must be nonnegative, got {expr}")
        if expr > 1:
            raise InvalidParameter(f"entry {where} must be at most 1, got {expr}")
    elif expr.is_negative:
        raise InvalidParameter(f"entry {where} must be nonnegative, but {expr} is negative")
    return expr


def joint(table) -> JointTable:
    """A joint pmf from a k×m table (nested sequences, a numpy array or a sympy Matrix).

    Raises ``InvalidParameter`` (a ``ValueError``) naming the problem: a ragged or empty
    table, a negative entry, an entry above 1, or numeric entries not summing to 1.
    """
    if isinstance(table, JointTable):
        return table
    if isinstance(table, sp.MatrixBase):
        rows = table.tolist()
    elif isinstance(table, np.ndarray):
        if table.ndim != 2:
            raise InvalidParameter(f"the table must be 2-dimensional, got shape {table.shape}")
        rows = table.tolist()
    elif isinstance(table, Sequence) and not isinstance(table, str):
        rows = [list(r) if isinstance(r, (Sequence, np.ndarray)) and not isinstance(r, str)
                else None for r in table]
        if any(r is None for r in rows):
            raise InvalidParameter("the table must be a list of rows (a k×m nested list)")
    else:
        raise InvalidParameter(f"the table must be a k×m nested list, array or Matrix, "
                               f"got {type(table).__name__}")
    if not rows or not rows[0]:
        raise InvalidParameter("the table must have at least one row and one column")
    m = len(rows[0])
    for i, r in enumerate(rows):
        if len(r) != m:
            raise InvalidParameter(f"the table is ragged: row 0 has {m} entries, "
                                   f"row {i} has {len(r)}")
    entries = [_entry(v, f"({i}, {j})") for i, r in enumerate(rows) for j, v in enumerate(r)]
    matrix = sp.ImmutableMatrix(len(rows), m, entries)
    total = sp.Add(*entries)
    if total.is_number:
        if abs(float(total) - 1) > TOLERANCE:
            raise InvalidParameter(f"the entries of the table must sum to 1, got {total}")
    else:
        difference = sp.simplify(total - 1)
        if difference.is_number and difference != 0:
            raise InvalidParameter(f"the entries of the table must sum to 1, got {total}")
    return JointTable(matrix)


def independent(*components):
    r"""Independent components.

    Two sequences of probabilities or categorical members: the joint table of independent X
    and Y, :math:`t_{ij} = p_X(i)\,p_Y(j)` (a :class:`JointTable`).  Otherwise family members
    (any families, at least two): their product law, a family member whose entropy and
    divergences are derived by additivity (:mod:`symbolic_info.families.product`).
    """
    if len(components) == 2 and all(_table_marginal(c) for c in components):
        a, b = (_probabilities(c, r) for c, r in zip(components, ("px", "py")))
        return joint([[ai * bj for bj in b] for ai in a])
    return product(*components)


def _table_marginal(c) -> bool:
    if isinstance(c, Family):
        return c.name == "categorical"
    return isinstance(c, (Sequence, np.ndarray)) and not isinstance(c, str)


def _probabilities(p, role: str) -> list:
    if isinstance(p, Family):
        if p.name != "categorical":
            raise InvalidParameter(f"{role} must be categorical, got {p.name}")
        return list(p.values)
    if isinstance(p, (str, int, float)) or not isinstance(p, (Sequence, np.ndarray)):
        raise InvalidParameter(f"{role} must be a list of probabilities, got {p!r}")
    return [_entry(v, f"{role}[{i}]") for i, v in enumerate(p)]
