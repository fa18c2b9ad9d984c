"""Source code for a prepared result: numpy/scipy array code and scalar ``math`` code for numba.

Both printers write an expression that names only ``numpy`` / ``scipy.special`` (array code) or
``math`` and the functions of :mod:`.special` (scalar code), so the text can run where neither
sympy nor symbolic_info is importable (see :mod:`.export`).
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.numpy import SciPyPrinter
from sympy.printing.pycode import PythonCodePrinter

from .functions import (
    E1_SWITCH,
    IVE_SWITCH,
    difference_nodes,
    exp_e1_series,
    ive,
    ive_series,
)

# Functions the scalar (numba) printer writes; anything else is refused by name.
SCALAR_FUNCTIONS = {
    "log", "exp", "sqrt", "Abs", "gamma", "loggamma", "polygamma", "xlogy", "xlog1py", "sin",
    "cos", "tan", "atan", "asin", "acos", "sinh", "cosh", "tanh", "erf", "erfc", "floor",
    "ceiling", "Max", "Min", "sign", "log1p", "expm1", "Piecewise", "stirling_remainder",
    "digamma_remainder", "exp_e1", "ive", "ive_difference",
}


class UnsupportedFunction(NotImplementedError):
    """A function a backend cannot compile."""


def polygamma_order(order) -> int | None:
    """The order of ``polygamma(order, x)`` as an int when it is a non-negative integer literal
    (``3`` or ``3.0``), else None (a symbolic, negative or fractional order)."""
    order = sp.sympify(order)
    if order.is_Integer and order >= 0:
        return int(order)
    if order.is_Float and float(order) >= 0 and float(order).is_integer():
        return int(order)
    return None


def calls_by_name(names: dict[str, str], module_format: bool = False) -> type:
    """A printer mixin writing each sympy function ``f(args)`` as ``names[f](args)``
    (through the printer's ``_module_format`` when ``module_format``, e.g. scipy.special)."""
    def method(target: str):
        def _print(self, expr):
            callee = self._module_format(target) if module_format else target
            return f"{callee}({', '.join(self._print(a) for a in expr.args)})"
        return _print
    return type("CallsByName", (), {f"_print_{f}": method(t) for f, t in names.items()})


# The Stirling remainders are called by name in both codes (:mod:`.remainders` defines them).
_Remainders = calls_by_name({"stirling_remainder": "stirling_remainder",
                             "digamma_remainder": "digamma_remainder"})
_ScipyCalls = calls_by_name({"xlogy": "scipy.special.xlogy",
                             "xlog1py": "scipy.special.xlog1py"}, module_format=True)
_ScalarCalls = calls_by_name({"digamma": "digamma", "xlogy": "xlogy", "xlog1py": "xlog1py",
                              "exp_e1": "exp_e1", "ive": "ive",
                              "ive_difference": "ive_difference",
                              "log1p": "math.log1p", "expm1": "math.expm1",
                              "loggamma": "math.lgamma", "gamma": "math.gamma"})


class ArrayPrinter(_Remainders, _ScipyCalls, SciPyPrinter):
    """numpy/scipy array code; ``xlogy`` / ``xlog1py`` as ``scipy.special.xlogy`` /
    ``scipy.special.xlog1py``, ``polygamma(0, x)`` as ``scipy.special.digamma(x)`` and
    ``polygamma(n, x)`` as ``scipy.special.polygamma(n, x)`` (sympy's SciPyPrinter already
    writes ``log1p`` / ``expm1`` as ``numpy.log1p`` / ``numpy.expm1``)."""

    def _print_polygamma(self, expr):
        if expr.args[0] == 0:
            return f"{self._module_format('scipy.special.digamma')}({self._print(expr.args[1])})"
        return super()._print_polygamma(expr)

    def _print_zeta(self, expr):
        """The Riemann zeta(s) (and Hurwitz zeta(s, a)) as ``scipy.special.zeta``."""
        args = ", ".join(self._print(a) for a in expr.args)
        return f"{self._module_format('scipy.special.zeta')}({args})"

    def _print_expint(self, expr):
        if expr.args[0] != 1:
            return self._print_not_supported(expr)
        return f"{self._module_format('scipy.special.exp1')}({self._print(expr.args[1])})"

    def _print_exp_e1(self, expr):
        """e^z E1(z): scipy's exp1 below the switch, the asymptotic series above."""
        z = self._print(expr.args[0])
        where, exp = self._module_format("numpy.where"), self._module_format("numpy.exp")
        lower, upper = (self._module_format(f"numpy.{f}") for f in ("minimum", "maximum"))
        small, large = f"{lower}({z}, {E1_SWITCH})", f"{upper}({z}, {E1_SWITCH})"
        w = sp.Dummy("w")
        series = self._print(exp_e1_series(1 / w)).replace(self._print(w), f"(1/{large})")
        exp1 = self._module_format("scipy.special.exp1")
        return f"{where}({z} < {E1_SWITCH}, {exp}({small})*{exp1}({small}), {series})"


    def _print_Max(self, expr):
        return self._fold("numpy.maximum", expr.args)

    def _print_Min(self, expr):
        return self._fold("numpy.minimum", expr.args)

    def _fold(self, name: str, args) -> str:
        """max/min of several arguments as nested numpy.maximum/minimum: names only numpy
        (sympy's printer writes functools.reduce, a name the generated code lacks)."""
        f = self._module_format(name)
        text = self._print(args[0])
        for arg in args[1:]:
            text = f"{f}({text}, {self._print(arg)})"
        return text

    def _print_ive(self, expr):
        """e^{-z} I_ν(z) as scipy.special.ive."""
        args = ", ".join(self._print(a) for a in expr.args)
        return f"{self._module_format('scipy.special.ive')}({args})"

    def _print_ive_difference(self, expr):
        """ive(ν, z) - ive(ν + 1, z) below the switch (for ν = 0 a trapezoidal rule of
        positive terms, :func:`.functions.difference_nodes`), its asymptotic series (whose
        leading terms cancel exactly) above."""
        nu, z = expr.args
        if not nu.is_number:  # a symbolic order: the difference (the series' coefficients
            # would be polynomials in ν of degree up to 78)
            return self._print(expr.rewrite(ive))
        scaled = self._module_format("scipy.special.ive")
        where = self._module_format("numpy.where")
        lower, upper = (self._module_format(f"numpy.{f}") for f in ("minimum", "maximum"))
        text = self._print(z)
        small, large = f"{lower}({text}, {IVE_SWITCH})", f"{upper}({text}, {IVE_SWITCH})"
        w = sp.Dummy("w", positive=True)
        series = self._print(ive_series(nu, w, difference=True)).replace(
            self._print(w), f"{large}")
        order, above = self._print(nu), self._print(nu + 1)
        below = f"{scaled}({order}, {small}) - {scaled}({above}, {small})"
        if nu == 0:  # the trapezoidal rule of functions.difference_nodes: no cancellation
            exp = self._module_format("numpy.exp")
            below = " + ".join(f"{w!r}*{exp}({-s!r}*{small})" for w, s in
                               reversed(difference_nodes()))
        return f"{where}({text} < {IVE_SWITCH}, {below}, {series})"


class ScalarPrinter(_Remainders, _ScalarCalls, PythonCodePrinter):
    """Scalar ``math`` code numba compiles; digamma, polygamma, xlogy and xlog1py from
    :mod:`.special` (``polygamma(n, x)`` needs a literal order n >= 0; n = 0 is digamma)."""

    def __init__(self, settings=None):
        super().__init__({"fully_qualified_modules": True, **(settings or {})})

    def _print_polygamma(self, expr):
        order, arg = expr.args
        n = polygamma_order(order)
        if n is None:
            raise UnsupportedFunction(f"polygamma({order}, ·) is not supported by the numba "
                                      f"backend: the order must be a non-negative integer")
        if n == 0:
            return f"digamma({self._print(arg)})"
        return f"polygamma({n}, {self._print(arg)})"

    def _print_Infinity(self, expr):
        return "math.inf"

    def _print_NegativeInfinity(self, expr):
        return "(-math.inf)"

    def _print_NaN(self, expr):
        return "math.nan"


def check_scalar(expr: sp.Expr, backend: str = "numba") -> None:
    """Raise :class:`UnsupportedFunction` naming each function ``backend`` cannot compile."""
    if expr.has(sp.Integral, sp.Sum):
        raise UnsupportedFunction(f"backend {backend!r} needs a closed form; this result keeps "
                                  f"an unevaluated Integral or Sum (use backend='numpy')")
    bad = sorted({type(f).__name__ for f in expr.atoms(sp.Function)
                  if type(f).__name__ not in SCALAR_FUNCTIONS})
    if bad:
        raise UnsupportedFunction(f"backend {backend!r} cannot compile {', '.join(bad)}")
    for f in sorted(expr.atoms(sp.polygamma), key=sp.default_sort_key):
        if polygamma_order(f.args[0]) is None:
            raise UnsupportedFunction(f"backend {backend!r} cannot compile "
                                      f"polygamma({f.args[0]}, ·): the order must be a "
                                      f"non-negative integer literal")


def scalar_code(expr: sp.Expr) -> str:
    check_scalar(expr)
    return ScalarPrinter().doprint(expr)


def array_code(expr: sp.Expr) -> str:
    if expr.has(sp.Integral, sp.Sum):
        raise UnsupportedFunction("this result keeps an unevaluated Integral or Sum; only a "
                                  "closed form can be written as numpy code")
    printer = ArrayPrinter({"fully_qualified_modules": True})
    code = printer.doprint(expr)
    if printer._not_supported:
        raise UnsupportedFunction(f"cannot write numpy code for "
                                  f"{', '.join(sorted(map(str, printer._not_supported)))}")
    return code


def function_source(name: str, args, body: str, decorator: str = "",
                    doc: str = "") -> str:
    """``def name(args): return body`` with an optional decorator and docstring."""
    lines = [decorator] if decorator else []
    lines.append(f"def {name}({', '.join(args)}):")
    if doc:
        lines.append(f"    {doc}")
    lines.append(f"    return {body}")
    return "\n".join(lines) + "\n"
