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

from .printer import InfoLatexPrinter, relax_delimiters
from .symbols import symbol_latex

FUNCTION_NAMES = {"kl": "kl", "entropy": "entropy", "cross_entropy": "cross_entropy",
                  "joint_entropy": "joint_entropy", "mutual_information": "mutual_information",
                  "conditional_entropy": "conditional_entropy", "maximize": "maximum",
                  "minimize": "minimum", "max_entropy": "max_entropy"}


def implemented_function(d):
    """The function ``d.lambdify()`` evaluates for a closed form (sympy's generated code),
    its arguments named ``arg0, arg1, ...`` (:func:`argument_names`): a parameter whose name
    is no Python identifier, or a module function's, never becomes a ``Dummy``."""
    from ..numeric import lambdify as numeric
    modules = numeric.MODULES["numpy"] if hasattr(numeric, "MODULES") else \
        numeric._numpy_modules()
    names = argument_names(d.parameters)
    return sp.lambdify(list(names.values()), d.result.xreplace(names), modules=modules)


def argument_names(parameters) -> dict:
    """Each parameter -> the plain symbol ``arg<i>`` the rendered code calls it."""
    return {s: sp.Symbol(f"arg{i}", **s.assumptions0) for i, s in enumerate(parameters)}


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
    elif d.status == "undefined":
        return "the quantity is undefined (its integral has no value)"
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
            tex = _names_as_math(tex, argument_names(d.parameters))
            return readable_code_names(tex), (
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


def _names_as_math(tex: str, names: dict) -> str:
    r"""latexify writes the argument ``arg0`` as ``\mathrm{arg0}``; write the parameter's
    symbol (``\sigma_{1}``). Replaces exactly latexify's own rendering of each argument
    name (a braced token, so ``arg1`` never matches inside ``arg12``)."""
    from latexify.codegen.identifier_converter import IdentifierConverter
    convert = IdentifierConverter(use_math_symbols=False).convert
    for symbol, argument in sorted(names.items(), key=lambda kv: -len(kv[1].name)):
        token, _ = convert(argument.name)
        tex = tex.replace(token, "{" + symbol_latex(symbol.name) + "}")
    return tex


#: latexify's rendering of code names -> the mathematician's (constants and sympy's helper
#: names, so the block shows no internal identifier).
CODE_NAMES = {r"\mathrm{euler\_gamma}": r"\gamma", r"\mathrm{pi}": r"\pi",
              r"\mathrm{E}": "e", r"\mathrm{polygamma}": r"\operatorname{polygamma}",
              r"\mathrm{expint}": r"\operatorname{expint}"}


def readable_code_names(tex: str) -> str:
    """latexify's LaTeX with :data:`CODE_NAMES` replaced and brackets only where needed."""
    for code, math in CODE_NAMES.items():
        tex = tex.replace(code, math)
    return relax_delimiters(tex)


IMPLEMENTATION_WIDTH = 50  # visible characters of one line of the implementation block


def implementation_lines(tex: str, width: int = IMPLEMENTATION_WIDTH) -> list[str]:
    r"""latexify's ``f(x) = t_1 + t_2 - ...`` as ``align*`` lines ``f(x) &= t_1``,
    ``&\quad + t_2``, ..., broken before a ``+``/``-`` outside any brackets (body size; a
    single term wider than a line stays whole)."""
    lhs, rhs = _split_top_level(tex, (" = ",))
    if rhs is None:
        return [tex]
    pieces = []
    for piece in _top_level_terms(rhs):
        pieces += _fraction_pieces(piece) if visible_width(piece) > width else [piece]
    lines, current, used = [], "", visible_width(lhs)  # the first line holds the left side
    for piece in pieces:
        if current and used + visible_width(current + piece) > width:
            lines.append(current)
            current, used = "", 0
        current = (current + " " + piece).strip()
    lines.append(current)
    return [f"{lhs} &= {lines[0]}"] + ["&\\quad " + line for line in lines[1:]]


def _depths(tex: str):
    r"""(index, depth) for each character: depth counts braces and \left/\right pairs."""
    depth, i = 0, 0
    while i < len(tex):
        if tex.startswith(r"\left", i):
            depth += 1
        elif tex.startswith(r"\right", i):
            depth -= 1
        elif tex[i] in "{([":
            depth += 1
        elif tex[i] in "})]":
            depth -= 1
        yield i, depth
        i += 1


def _split_top_level(tex: str, separators) -> tuple[str, str | None]:
    for i, depth in _depths(tex):
        if depth == 0 and any(tex.startswith(sep, i) for sep in separators):
            sep = next(sep for sep in separators if tex.startswith(sep, i))
            return tex[:i], tex[i + len(sep):]
    return tex, None


def _top_level_terms(rhs: str) -> list[str]:
    """The terms of a sum, each after the first led by its sign (``+ a``, ``- b``)."""
    cuts = [i for i, depth in _depths(rhs)
            if depth == 0 and i > 0 and rhs.startswith((" + ", " - "), i)]
    pieces, start = [], 0
    for cut in cuts:
        pieces.append(rhs[start:cut].strip())
        start = cut
    pieces.append(rhs[start:].strip())
    return [p for p in pieces if p]


def visible_width(tex: str) -> int:
    r"""The proof's width measure, with latexify's ``\cdot`` counted as the space it takes."""
    from .latex import visible_width as width
    return width(tex) + 2 * tex.count(r"\cdot")


def _bracket_pieces(piece: str) -> list[str]:
    r"""A term too wide for a line that ends in a bracketed sum (``c \log (a + b + ...)``) as
    ``c \log \Bigl(`` a, + b, ... ``\Bigr)``; the term itself otherwise."""
    if not piece.endswith(")"):
        return [piece]
    depth = 0
    for i in range(len(piece) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(piece[i], 0)
        if depth == 0:
            break
    else:
        return [piece]
    prefix, inner = piece[:i], piece[i + 1:-1]
    if prefix.endswith(r"\left") or inner.endswith(r"\right"):
        prefix, inner = prefix.removesuffix(r"\left"), inner.removesuffix(r"\right")
    terms = _top_level_terms(inner.strip())
    if len(terms) < 2 or not prefix.strip():
        return [piece]
    return [prefix + r"\Bigl( " + terms[0], *terms[1:-1], terms[-1] + r" \Bigr)"]


def _fraction_pieces(piece: str) -> list[str]:
    r"""A term too wide for a line that is ``\frac{N}{D}`` (after its sign) as
    ``\frac{1}{D} \Bigl(`` the terms of ``N`` ``\Bigr)``, pieces the line breaker may put on
    lines of their own (N / D = (1/D) N); the term itself when it is not such a fraction."""
    sign, body = ("", piece)
    if piece[:2] in ("+ ", "- "):
        sign, body = piece[:2], piece[2:]
    parts = _fraction_parts(body)
    if parts is None:
        return _bracket_pieces(piece)
    numerator, denominator = parts
    terms = _top_level_terms(numerator)
    if len(terms) < 2:
        return [piece]
    head = sign + r"\frac{1}{" + denominator + r"} \Bigl("
    return [head + " " + terms[0], *terms[1:-1], terms[-1] + r" \Bigr)"]


def _fraction_parts(tex: str) -> tuple[str, str] | None:
    r"""(N, D) when ``tex`` is exactly ``\frac{N}{D}``."""
    if not tex.startswith("\\frac{"):
        return None
    groups, depth, start = [], 0, None
    for i in range(len("\\frac"), len(tex)):
        ch = tex[i]
        if ch == "{":
            depth += 1
            if depth == 1:
                start = i + 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                groups.append(tex[start:i])
                if len(groups) == 2:
                    return tuple(groups) if i == len(tex) - 1 else None
        elif depth == 0:
            return None
    return None


def fallback_lines(d) -> list[str]:
    """sympy's rendering of ``d.result`` (the expression the implementation evaluates), broken
    over lines like the proof."""
    from .latex import expr_lines
    printer = InfoLatexPrinter(d.parameters)
    lines = expr_lines(d.result, printer)
    return ["&" + lines[0]] + ["&\\quad " + line for line in lines[1:]]


def fallback_latex(d) -> str:
    """sympy's rendering of ``d.result`` on one line."""
    return InfoLatexPrinter(d.parameters).doprint(d.result)
