r"""The numerical implementation of a Derivation, rendered by latexify-py.

``Derivation.lambdify`` evaluates ``sympy.lambdify(d.parameters, d.result, modules=[scipy,
numpy])``.  That function's generated source (sympy keeps it in ``linecache``, where
``inspect.getsource`` -- and so latexify -- finds it) is what latexify renders here, so the
document shows the formula the code runs, with the scipy function names it calls.  Where
latexify cannot render it faithfully (a ``Piecewise`` becomes ``numpy.select``; unevaluated
integrals are computed by quadrature; an optimum that is a constant, unbounded, or not
proved; a maximum-entropy result whose multipliers solve unsolved equations), the text says so
and shows sympy's rendering of the result instead.  No formula is ever guessed.
"""

from __future__ import annotations

import sympy as sp

from .printer import InfoLatexPrinter
from .symbols import symbol_latex

FUNCTION_NAMES = {"kl": "kl", "entropy": "entropy", "cross_entropy": "cross_entropy",
                  "joint_entropy": "joint_entropy", "mutual_information": "mutual_information",
                  "conditional_entropy": "conditional_entropy", "maximize": "maximum",
                  "minimize": "minimum", "max_entropy": "max_entropy"}


def implemented_function(d):
    """The function ``d.lambdify()`` evaluates for a closed form (sympy's generated code)."""
    from ..numeric import lambdify as numeric
    modules = numeric.MODULES["numpy"] if hasattr(numeric, "MODULES") else \
        numeric._numpy_modules()
    return sp.lambdify(d.parameters, d.result, modules=modules)


def latexify_unsupported(d) -> str | None:
    """Why latexify cannot show ``d``'s implementation faithfully, or ``None`` when it can."""
    if d.quantity in ("maximize", "minimize"):
        reason = _optimum_unsupported(d)
        if reason is not None:
            return reason
    elif d.quantity == "max_entropy" and d.status == "no_closed_form" and \
            getattr(d, "equations", ()):
        return "the Lagrange multipliers are defined only implicitly by moment equations " \
               "without a closed-form solution, so the result is not a function of the " \
               "parameters alone"
    elif d.status == "infinite":
        return "the quantity is infinite"
    if d.quantity not in ("maximize", "minimize") and d.status != "closed_form" or \
            d.result.has(sp.Integral, sp.Sum):
        return "the result keeps an unevaluated integral or sum, which the implementation " \
               "evaluates numerically (scipy.integrate.quad, mpmath.nsum)"
    if d.result.has(sp.Piecewise):
        return "the result is piecewise, which the implementation evaluates with numpy.select"
    if not d.result.free_symbols:
        return "the result is a constant"
    return None


def _optimum_unsupported(d) -> str | None:
    """Why an optimum (``maximize``/``minimize``) has no function for latexify to render."""
    if d.status == "unbounded":
        return f"the objective is unbounded, the optimal value is {sp.sstr(d.result)}"
    if d.status == "no_closed_form":
        return "no optimum is proved in closed form (the result is the unsolved " \
               "stationarity equations or an unproved candidate), so there is no function " \
               "to evaluate"
    if not d.result.free_symbols:
        return "the optimal value is a constant"
    return None


def _is_optimum(d) -> bool:
    return d.quantity in ("maximize", "minimize")


def implementation_latex(d) -> tuple[str | None, str]:
    """``(latex, note)``: latexify's rendering of the implemented function and a sentence
    saying what it is; ``latex`` is ``None`` when latexify could not be used."""
    reason = latexify_unsupported(d)
    if reason is None:
        try:
            import latexify
            fn = implemented_function(d)
            name = FUNCTION_NAMES.get(d.quantity, "f")
            tex = latexify.get_latex(fn, identifiers={fn.__name__: name},
                                     use_math_symbols=False)
            return _names_as_math(tex, d.parameters), (
                "Rendered by latexify-py from the Python function that "
                "Derivation.lambdify evaluates (sympy's generated code, scipy and numpy "
                "functions under their own names).")
        except ImportError:
            reason = "latexify-py is not installed"
        except Exception as exc:  # noqa: BLE001 - any failure of latexify falls back
            reason = f"latexify-py failed ({type(exc).__name__})"
    shown = ("sympy's rendering of the result" if _is_optimum(d) or d.status != "closed_form"
             and not d.result.has(sp.Integral, sp.Sum) else
             "sympy's rendering of the expression the implementation evaluates")
    return None, f"latexify-py is not used: {reason}. Shown instead: {shown}."


def _names_as_math(tex: str, parameters) -> str:
    r"""latexify writes a parameter ``sigma_1`` as ``\mathrm{sigma\_1}``; write ``\sigma_{1}``.

    Replaces exactly latexify's own rendering of each parameter name (a braced token, so
    ``a\_1`` never matches inside ``a\_12``); single-letter names are already right.
    """
    from latexify.codegen.identifier_converter import IdentifierConverter
    convert = IdentifierConverter(use_math_symbols=False).convert
    for symbol in sorted(parameters, key=lambda s: -len(s.name)):
        token, single = convert(symbol.name)
        if not single:
            tex = tex.replace(token, "{" + symbol_latex(symbol.name) + "}")
    return tex


def fallback_latex(d) -> str:
    """sympy's rendering of ``d.result`` (the expression the implementation evaluates)."""
    printer = InfoLatexPrinter(d.parameters)
    return printer.doprint(d.result)
