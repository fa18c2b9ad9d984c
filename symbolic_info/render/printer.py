# ruff: noqa: UP031 - LaTeX templates read better with %-formatting than with doubled braces
r"""A sympy ``LatexPrinter`` for derivations: names, expectations, digamma, log-gamma, log_b.

- symbols through :func:`symbol_names` (``sigma_1`` -> ``\sigma_{1}``);
- ``E(s)`` (the statistic ``s`` under P) -> ``\mathbb{E}_P[s]``, the variable ``x`` written ``X``;
- ``polygamma(0, a)`` -> ``\psi(a)``, ``polygamma(n, a)`` -> ``\psi^{(n)}(a)``;
- ``loggamma(a)`` and ``log(gamma(a))`` -> ``\log\Gamma(a)``;
- :class:`LogBase` ``(u, b)`` -> ``\log_{b}(u)``, used for results in bits.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sympy as sp
from sympy.printing.latex import LatexPrinter

from .symbols import symbol_latex, symbol_names


class LogBase(sp.Function):
    r"""Unevaluated :math:`\log_b u = \log u / \log b`; a printing device only."""

    nargs = 2


class InfoLatexPrinter(LatexPrinter):
    """LaTeX printer for the expressions of a Derivation."""

    def __init__(self, symbols: Sequence[sp.Symbol] = (), *,
                 variable: sp.Symbol | str | tuple = "x",
                 variable_name: str | tuple[str, ...] | None = None,
                 measure: str = "P", settings: dict | None = None):
        merged = {"symbol_names": symbol_names(symbols)}
        merged.update(settings or {})
        # a name matches every symbol of that name; a symbol (the Dummy of a derivation) only
        # itself, so a parameter that happens to be called x is not taken for the variable.
        # A multivariate derivation has a tuple of variables (x_1, ..., x_k), named in order.
        self.by_name = isinstance(variable, str)
        variables = variable if isinstance(variable, tuple) else (variable,)
        variables = tuple(sp.Symbol(v) if isinstance(v, str) else v for v in variables)
        names = variable_name if isinstance(variable_name, tuple) else (
            (variable_name,) if variable_name else tuple(v.name for v in variables))
        self.variable = variables[0]
        self.variable_name = names[0]
        self.variable_names = dict(zip(variables, names))
        if not self.by_name:
            for v, name in self.variable_names.items():
                merged["symbol_names"][v] = symbol_latex(name)
        super().__init__(merged)
        self.measure = measure
        self._in_expectation = False

    def is_variable(self, expr: sp.Symbol) -> bool:
        if self.by_name:
            return any(expr.name == v.name for v in self.variable_names)
        return expr in self.variable_names

    def random_variable(self, expr: sp.Symbol) -> str:
        """The random variable of a bound variable: x -> X, x_2 -> X_2."""
        names = {v.name: n for v, n in self.variable_names.items()} if self.by_name \
            else self.variable_names
        name = names[expr.name] if self.by_name else names[expr]
        head, _, tail = name.partition("_")
        return symbol_latex(head.upper() + ("_" + tail if tail else ""))

    @contextmanager
    def expectation(self) -> Iterator[None]:
        """Inside this block the integration variable prints as a random variable (``X``)."""
        before, self._in_expectation = self._in_expectation, True
        try:
            yield
        finally:
            self._in_expectation = before

    def expectation_open(self) -> str:
        return r"\mathbb{E}_{" + self.measure + "}"

    # -- overrides -----------------------------------------------------------------------------
    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        if self._in_expectation and self.is_variable(expr):
            return self.random_variable(expr)
        name = self._settings["symbol_names"].get(expr)
        return name if name is not None else symbol_latex(expr.name)

    _print_Dummy = _print_Symbol

    def _print_AppliedUndef(self, expr, exp=None) -> str:
        if expr.func.__name__ == "E" and len(expr.args) == 1:
            with self.expectation():
                inner = self._print(expr.args[0])
            tex = self.expectation_open() + r"\left[" + inner + r"\right]"
            return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)
        return self._print_Function(expr, exp)

    def _print_polygamma(self, expr, exp=None) -> str:
        order, arg = expr.args
        head = r"\psi" if order == 0 else r"\psi^{(%s)}" % self._print(order)
        tex = head + r"\left(%s\right)" % self._print(arg)
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)

    def _print_beta(self, expr, exp=None) -> str:
        """B(a, b), with the arguments through our symbol names (sympy's prints them raw)."""
        args = ", ".join(self._print(a) for a in expr.args)
        tex = r"\operatorname{B}\left(%s\right)" % args
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)

    def _print_loggamma(self, expr, exp=None) -> str:
        tex = r"\log\Gamma\left(%s\right)" % self._print(expr.args[0])
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)

    def _print_log(self, expr, exp=None) -> str:
        if len(expr.args) == 1 and isinstance(expr.args[0], sp.gamma):
            return self._print_loggamma(sp.loggamma(expr.args[0].args[0], evaluate=False), exp)
        if len(expr.args) == 1 and isinstance(expr.args[0], sp.Determinant):
            tex = r"\log\det %s" % self._matrix_operand(expr.args[0].arg)
            return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)
        return super()._print_log(expr, exp)

    # -- matrix expressions (symbolic dimension) -----------------------------------------------
    def _matrix_operand(self, m) -> str:
        tex = self._print(m)
        return tex if isinstance(m, (sp.MatrixSymbol, sp.Inverse, sp.Transpose)) \
            else r"\left(%s\right)" % tex

    def _print_Determinant(self, expr, exp=None) -> str:
        tex = r"\det %s" % self._matrix_operand(expr.arg)
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)

    def _print_Trace(self, expr, exp=None) -> str:
        """tr of a 1 x 1 product is its entry: a quadratic form prints as itself."""
        if expr.arg.shape == (1, 1):
            tex = self._print(expr.arg)
            return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)
        tex = r"\operatorname{tr}\left(%s\right)" % self._print(expr.arg)
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    def _print_Transpose(self, expr) -> str:
        base = expr.arg
        tex = self._print(base)
        if not isinstance(base, sp.MatrixSymbol):
            tex = r"\left(%s\right)" % tex
        return r"%s^{\top}" % tex

    def _print_LogBase(self, expr, exp=None) -> str:
        arg, base = expr.args
        tex = r"\log_{%s}{\left(%s \right)}" % (self._print(base), self._print(arg))
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    # -- pieces for line breaking --------------------------------------------------------------
    def add_terms(self, expr: sp.Add) -> list[str]:
        """The printed terms of a sum, each after the first led by its sign (``+ a``, ``- b``),
        in the order and with the brackets of sympy's ``_print_Add``."""
        pieces = []
        for i, term in enumerate(self._as_ordered_terms(expr)):
            sign = ""
            if i and term.could_extract_minus_sign():
                sign, term = "- ", -term
            elif i:
                sign = "+ "
            tex = self._print(term)
            if self._needs_add_brackets(term):
                tex = r"\left(%s\right)" % tex
            pieces.append(sign + tex)
        return pieces
