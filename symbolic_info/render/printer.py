# ruff: noqa: UP031 - LaTeX templates read better with %-formatting than with doubled braces
r"""A sympy ``LatexPrinter`` for derivations: names, expectations, digamma, log-gamma, log_b.

- symbols through :func:`symbol_names` (``sigma_1`` -> ``\sigma_{1}``);
- ``E(s)`` (the statistic ``s`` under P) -> ``\mathbb{E}_P[s]``, the variable ``x`` written ``X``;
- ``polygamma(0, a)`` -> ``\psi(a)``, ``polygamma(n, a)`` -> ``\psi^{(n)}(a)``;
- ``loggamma(a)`` and ``log(gamma(a))`` -> ``\log\Gamma(a)``;
- :class:`LogBase` ``(u, b)`` -> ``\log_{b}(u)``, used for results in bits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sympy as sp
from sympy.printing.latex import LatexPrinter

from .symbols import symbol_latex, symbol_names


class LogBase(sp.Function):
    r"""Unevaluated :math:`\log_b u = \log u / \log b`; a printing device only."""

    nargs = 2

    def _eval_rewrite_as_log(self, u, b, **kwargs):
        return sp.log(u) / sp.log(b)


#: Constructs that make a bracketed expression tall: ``\left( \right)`` stays around them.
TALL = ("\\frac", "\\dfrac", "\\sum", "\\int", "\\prod", "\\binom", "\\begin", "\\Bigl",
        "\\lim", "\\left", "\\right")
_BRACKETED = re.compile(r"(?:\\mathopen\{\})?\\left([(\[|])\s?((?:(?!\\left|\\right).)*?)\s?"
                        r"(?:\\mathclose\{\})?\\right([)\]|])", re.S)


def relax_delimiters(tex: str) -> str:
    r"""``\left( u \right)`` written ``(u)`` where ``u`` is not tall (no fraction, sum,
    integral, ...): ``\Gamma(\alpha)``, ``\mathbb{E}_P[X]``, ``|x - \mu|``; innermost first,
    so a bracket around a tall one keeps its ``\left``/``\right``."""
    def plain(match: re.Match) -> str:
        opening, inner, closing = match.groups()
        if any(t in inner for t in TALL):
            return match.group(0).replace(r"\mathopen{}", "").replace(r"\mathclose{}", "") \
                .replace(r"\left", "\x00L").replace(r"\right", "\x00R")
        return opening + inner.strip() + closing
    previous = None
    while previous != tex:
        previous, tex = tex, _BRACKETED.sub(plain, tex)
    return tex.replace("\x00L", r"\left").replace("\x00R", r"\right")


def _single_fraction(tex: str) -> bool:
    r"""``tex`` is one ``\frac{..}{..}`` and nothing else."""
    if not tex.startswith("\\frac{"):
        return False
    depth, groups, i = 0, 0, len("\\frac")
    while i < len(tex):
        ch = tex[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                groups += 1
                if groups == 2:
                    return i == len(tex) - 1
        elif depth == 0:
            return False
        i += 1
    return False


def _bare_argument(arg: sp.Expr, tex: str) -> bool:
    r"""A function argument that needs no brackets: a symbol, a positive integer, a
    constant, or a single fraction (``\log \beta``, ``\log 2``, ``\log\frac{a}{b}``)."""
    if isinstance(arg, (sp.Symbol, sp.NumberSymbol)) or arg is sp.E:
        return True
    if arg.is_Integer and arg.is_positive:
        return True
    if arg.is_Pow and arg.base.is_Integer and arg.exp == sp.S.Half:  # \log \sqrt{2}
        return True
    return _single_fraction(tex)


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

    def doprint(self, expr) -> str:
        """sympy's LaTeX with brackets only where needed (:func:`relax_delimiters`)."""
        return relax_delimiters(super().doprint(expr))

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
        if len(expr.args) != 1:
            return super()._print_log(expr, exp)
        return self.log_latex(r"\log", expr.args[0], exp)

    def log_latex(self, head: str, arg: sp.Expr, exp=None) -> str:
        r"""``\log \beta``, ``\log\frac{a}{b}``, ``\log(2 \pi e \sigma^{2})``; a power as
        ``\log^{2} \beta``."""
        tex = self._print(arg)
        if exp is not None:
            head = "%s^{%s}" % (head, exp)
        if _bare_argument(arg, tex):
            return "%s %s" % (head, tex)
        return r"%s\left(%s\right)" % (head, tex)

    def _print_Mul(self, expr) -> str:
        r"""A rational times a logarithm as ``\frac{1}{2} \log(...)`` (tables write it so);
        a logarithm written without brackets goes last (``\psi(\alpha) \log \beta``, not
        ``\log \beta \psi(\alpha)``); the constants of a product first (``2 \pi e``)."""
        coeff, rest = expr.as_coeff_Mul()
        if coeff.is_Rational and coeff.q != 1 and rest != 1 and _has_log_factor(rest) and \
                sp.fraction(rest)[1] == 1:
            sign = "- " if coeff < 0 else ""
            head = r"\frac{%d}{%d}" % (abs(coeff.p), coeff.q)
            body = self._print(rest)
            if isinstance(rest, sp.Add):
                body = r"\left(%s\right)" % body
            return "%s%s %s" % (sign, head, body)
        if expr.could_extract_minus_sign() and coeff < 0:
            positive = -expr
            if isinstance(positive, sp.Mul):
                return "- " + self._print_Mul(positive)
        merged = _merge_radicals(expr)
        if merged is not None:
            return self._print_Mul(merged)
        numer, denom = sp.fraction(expr, exact=True)
        if denom != 1 and any(_factor_rank(f) in (1, 2) for f in sp.Mul.make_args(numer)):
            return r"\frac{%s}{%s}" % (self._print(numer), self._print(denom))
        factors = sp.Mul.make_args(expr)
        reordered = sorted(factors, key=_factor_rank)
        if any(_factor_rank(f) != 3 for f in factors if not f.is_Number) and \
                sp.fraction(expr)[1] == 1:
            before, self._settings["order"] = self._settings.get("order"), "none"
            try:
                return super()._print_Mul(sp.Mul(*reordered, evaluate=False))
            finally:
                self._settings["order"] = before
        return super()._print_Mul(expr)

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
        if isinstance(arg, sp.gamma):
            tex = r"\log_{%s}\Gamma\left(%s\right)" % (self._print(base), self._print(arg.args[0]))
            return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)
        return self.log_latex(r"\log_{%s}" % self._print(base), arg, exp)

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
            pieces.append(sign + relax_delimiters(tex))
        return pieces


_LOGS = (sp.log, LogBase, sp.loggamma)


def _has_log_factor(expr: sp.Expr) -> bool:
    return any(isinstance(f, _LOGS) or (f.is_Pow and isinstance(f.base, _LOGS))
               for f in sp.Mul.make_args(expr))


def _factor_rank(factor: sp.Expr) -> int:
    """The place of a factor in a printed product: numbers, pi, e, the rest, then logs."""
    if factor.is_Number:
        return 0
    if factor is sp.pi:
        return 1
    if factor is sp.E:
        return 2
    if factor.is_number:  # a radical of constants: √(2π)
        return 0
    if isinstance(factor, _LOGS) or (factor.is_Pow and isinstance(factor.base, _LOGS)):
        return 4
    return 3


def _merge_radicals(expr: sp.Mul) -> sp.Mul | None:
    r"""``\sqrt{2} \sqrt{\pi}`` as one ``\sqrt{2 \pi}``: constant factors with one rational,
    non-integer exponent gathered under it (None when there are not two of them)."""
    factors = sp.Mul.make_args(expr)
    groups: dict = {}
    for f in factors:
        base, exponent = f.as_base_exp()
        if f.is_Pow and exponent.is_Rational and exponent.q != 1 and base.is_number and \
                base.is_positive and not base.is_Mul:
            groups.setdefault(exponent, []).append(f)
    merge = {e: fs for e, fs in groups.items() if len(fs) > 1}
    if not merge:
        return None
    taken = {f for fs in merge.values() for f in fs}
    out = [f for f in factors if f not in taken]
    for exponent, fs in merge.items():
        bases = sorted((f.as_base_exp()[0] for f in fs), key=_factor_rank)
        out.append(sp.Pow(sp.Mul(*bases, evaluate=False), exponent, evaluate=False))
    return sp.Mul(*out, evaluate=False)
