r"""The support of a multivariate family: iterated limits, outermost first.

:math:`\{(x_1, \dots, x_k): l_1 \le x_1 \le u_1,\ l_2(x_1) \le x_2 \le u_2(x_1), \dots\}`,
each pair of ends a function of the coordinates before it. :math:`\mathbb{R}^k` has constant
ends; the simplex :math:`x_i \ge 0,\ \sum x_i \le 1` has :math:`u_i = 1 - \sum_{j<i} x_j`.
A discrete region runs over the integers between the ends (the multinomial's
:math:`n_1 + \dots + n_{k-1} \le n`).  A ``Region`` is a sympy object, so parameters are
substituted into it with ``xreplace`` and its free symbols are the parameters it involves.
"""

from __future__ import annotations

import sympy as sp


class Region(sp.Basic):
    """``Region(((x1, lo1, hi1), (x2, lo2, hi2), ...), discrete=False)``."""

    def __new__(cls, limits, discrete=False):
        limits = sp.Tuple(*[sp.Tuple(*map(sp.sympify, limit)) for limit in limits])
        return super().__new__(cls, limits, sp.true if discrete else sp.false)

    @property
    def limits(self) -> tuple[tuple[sp.Symbol, sp.Expr, sp.Expr], ...]:
        return tuple(tuple(limit) for limit in self.args[0])

    @property
    def discrete(self) -> bool:
        return bool(self.args[1])

    @property
    def variables(self) -> tuple[sp.Symbol, ...]:
        return tuple(limit[0] for limit in self.limits)

    @property
    def dimension(self) -> int:
        return len(self.limits)

    @property
    def free_symbols(self) -> set[sp.Symbol]:
        inner = set().union(*(set(lo.free_symbols) | set(hi.free_symbols)
                              for _, lo, hi in self.limits))
        return inner - set(self.variables)

    def at(self, variables) -> Region:
        """The same region in other coordinates (``variables``, one per coordinate)."""
        return self.xreplace(dict(zip(self.variables, variables)))

    def sympy_limits(self) -> list[tuple]:
        """The limits as sympy's ``Integral``/``Sum`` take them: innermost first."""
        return list(reversed(self.limits))

    def operator(self, body: sp.Expr) -> sp.Expr:
        """The unevaluated integral (sum) of ``body`` over the region."""
        return (sp.Sum if self.discrete else sp.Integral)(body, *self.sympy_limits())

    def is_whole_space(self) -> bool:
        """:math:`\\mathbb{R}^k` (continuous, every coordinate from -oo to oo)."""
        return not self.discrete and all(lo == -sp.oo and hi == sp.oo
                                         for _, lo, hi in self.limits)

    def reordered(self, order) -> Region | None:
        """The same set with its coordinates iterated in ``order`` (indices), when the ends
        allow it: a box (constant ends), or a simplex (lo_i = 0, hi_i = c - sum of the earlier
        coordinates, c the same constant); None otherwise."""
        limits = self.limits
        xs = [x for x, _, _ in limits]
        constant = all(not (sp.sympify(lo).free_symbols | sp.sympify(hi).free_symbols) & set(xs)
                       for _, lo, hi in limits)
        if constant:
            return Region([limits[i] for i in order], self.discrete)
        c = limits[0][2]
        simplex = all(lo == 0 and sp.expand(hi - (c - sp.Add(*xs[:i]))) == 0
                      for i, (_, lo, hi) in enumerate(limits))
        if not simplex or c.free_symbols & set(xs):
            return None
        ordered = [xs[i] for i in order]
        return Region([(x, 0, c - sp.Add(*ordered[:j])) for j, x in enumerate(ordered)],
                      self.discrete)

    def _sympystr(self, printer) -> str:
        if self.is_whole_space():
            return f"R^{self.dimension}"
        kind = "integers " if self.discrete else ""
        return "{" + kind + ", ".join(f"{printer.doprint(lo)} <= {printer.doprint(x)} <= "
                                      f"{printer.doprint(hi)}" for x, lo, hi in self.limits) + "}"

    def _latex(self, printer) -> str:
        if self.is_whole_space():
            return r"\mathbb{R}^{" + str(self.dimension) + "}"
        body = r",\ ".join(f"{printer._print(lo)} \\le {printer._print(x)} \\le "
                           f"{printer._print(hi)}" for x, lo, hi in self.limits)
        where = r"\mathbb{Z}^{" + str(self.dimension) + r"}:\ " if self.discrete else ""
        return r"\left\{" + where + body + r"\right\}"


class Space(sp.Basic):
    r"""The whole space :math:`\mathbb{R}^k` of a family of symbolic dimension ``k``."""

    def __new__(cls, k):
        return super().__new__(cls, sp.sympify(k))

    @property
    def dimension(self) -> sp.Expr:
        return self.args[0]

    def _sympystr(self, printer) -> str:
        return f"R^{printer.doprint(self.dimension)}"

    def _latex(self, printer) -> str:
        return r"\mathbb{R}^{" + printer._print(self.dimension) + "}"


class OneHot(Space):
    r"""The k one-hot vectors :math:`e_1, \dots, e_k` (a categorical's outcomes, x_j = 1 for
    the class drawn, 0 for the others) of symbolic k."""

    discrete = True

    def _sympystr(self, printer) -> str:
        return f"one-hot^{printer.doprint(self.dimension)}"

    def _latex(self, printer) -> str:
        return r"\{e_1, \dots, e_{" + printer._print(self.dimension) + r"}\}"


class Simplex(Space):
    r"""The probability simplex :math:`\{x \in (0,1)^k: \sum_i x_i = 1\}` of symbolic k."""

    def _sympystr(self, printer) -> str:
        return f"simplex^{printer.doprint(self.dimension)}"

    def _latex(self, printer) -> str:
        return r"\Delta^{" + printer._print(self.dimension) + " - 1}"
