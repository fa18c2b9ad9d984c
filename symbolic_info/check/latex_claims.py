r"""Reading claims written in textbook LaTeX.

A claim goes through three small steps before sympy's LaTeX parser (the antlr backend of
``sympy.parsing.latex.parse_latex``) reads it:

1. ``\begin{cases} v_1 & c_1 \\ v_2 & c_2 \end{cases}`` (also ``dcases`` and
   ``\left\{\begin{array}...\end{array}\right.``) becomes :math:`\mathrm{Piecewise}((v_1, c_1),
   (v_2, c_2))`; each value and each condition is read like a claim.  A condition is a chain of
   relations (``0 < p \le 1``), joined by ``,``, ``\text{ and }``, ``\land`` or ``\text{ or }``,
   ``\lor``; ``\text{if}``, ``\text{for}``, ``\text{when}`` are dropped; ``\text{otherwise}``
   (``else``, ``elsewhere``) is true.
2. The table :data:`MACROS` rewrites textbook macros to the LaTeX the parser knows: delimiter
   sizes (``\left(``, ``\bigl[``), spacing (``\,``, ``\quad``), ``\tfrac``/``\dfrac``, font
   commands around names (``\mathrm{e}``, ``\operatorname{B}``, ``\boldsymbol\mu``), primes and
   orders of :math:`\psi` (``\psi'``, ``\psi^{(1)}`` -> :math:`\psi_1`); ``\frac`` arguments get
   their braces (``\frac12``, ``\frac1\sigma``).
3. Every application of a known function (:data:`FUNCTIONS`) is grouped, so that the parser
   reads ``\ln\Gamma(a)\Gamma(b)`` as :math:`\log(\Gamma(a)\Gamma(b))`.

After parsing, :func:`function_for` maps a function name to sympy: ``\Gamma``, ``\gamma``
(applied), ``\psi``, ``\psi_m`` (:math:`\psi^{(m)}`), ``\mathrm{B}``, ``\operatorname{Ei}``,
``E_n``, and any sympy function by its name (``\erf``, ``\zeta``).  Whether ``\gamma`` is
Euler's constant or the gamma function is decided by whether it is applied (the verifier also
tries an applied ``\gamma(x)`` as Euler's constant times x, the Weibull entropy's reading); a
name applied to one argument that is a parameter or a constant (``\sigma(1 + x)``) is a
product.  :func:`expand_sums` writes ``\sum_{i=1}^{3} p_i \ln p_i`` out term by term;
:func:`matrix_rows` reads ``pmatrix``/``bmatrix`` entries; :func:`equation_sides` splits
``H(X) = ...``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from ..errors import InvalidParameter


class ClaimError(InvalidParameter):
    """A claimed formula cannot be read, or uses a symbol that is not a parameter."""


@dataclass(frozen=True)
class Macro:
    """One textbook rewrite: ``re.sub(pattern, replacement, text)``."""

    pattern: str
    replacement: str | Callable
    note: str


_SIZE = r"\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|Biggl|Biggr|bigm|Bigm|big|Big|bigg|Bigg)"
_FONT = (r"\\(?:mathrm|operatorname\*?|mathit|mathsf|mathbf|mathbb|mathcal|boldsymbol|bm|pmb|"
         r"text|textrm|textit|textsf|textbf|mbox|rm|it)")


def _font(m: re.Match) -> str:
    word = m.group(2)
    return f" {word} " if len(word) == 1 and not m.group(1) else f"\\{word} "


#: Textbook spellings rewritten, in order, to the LaTeX sympy's parser reads.
MACROS: tuple[Macro, ...] = (
    Macro(r"\\(?:displaystyle|textstyle|scriptstyle|limits|nolimits)(?![A-Za-z])", " ",
          "style switches"),
    Macro(_SIZE + r"\s*\.", " ", r"the invisible delimiter \right."),
    Macro(_SIZE + r"(?![A-Za-z])\s*", "", r"delimiter sizes: \left( \bigl[ -> ( ["),
    Macro(r"\\[lr]?vert(?![A-Za-z])", "|", r"\lvert x \rvert -> |x|"),
    Macro(r"\\(?:[,;:!>]|quad(?![A-Za-z])|qquad(?![A-Za-z]))|~|(?<!\\)\\ ", " ", "spacing"),
    Macro(r"\\[tdc]frac(?![A-Za-z])", r"\\frac", r"\tfrac, \dfrac, \cfrac -> \frac"),
    Macro(r"\\(?:boldsymbol|bm|mathbf|pmb)\s*(?=\\[A-Za-z])", "", r"\boldsymbol\mu -> \mu"),
    Macro(_FONT + r"\s*\{\s*(\\?)([A-Za-z]+)\s*\}", _font,
          r"\mathrm{e} -> e, \operatorname{B} -> B, \operatorname{tr} -> \tr"),
    Macro(_FONT + r"\s+([A-Za-z])(?![A-Za-z])", r" \1 ", r"\mathrm T -> T"),
    Macro(r"\\lt(?![A-Za-z])", "<", r"\lt"), Macro(r"\\gt(?![A-Za-z])", ">", r"\gt"),
    Macro(r"\\(le|ge)(?:qslant|qq)(?![A-Za-z])", r"\\\1q", r"\leqslant -> \leq"),
    Macro(r"\\(psi|digamma)\s*(?:''|\^\s*\{\s*\\prime\s*\\prime\s*\})", r"\\psi_{2}",
          r"\psi'' -> \psi_2"),
    Macro(r"\\(psi|digamma)\s*(?:'|\^\s*\{?\s*\\prime\s*\}?)", r"\\psi_{1}",
          r"\psi' -> \psi_1 (trigamma)"),
    Macro(r"\\(psi|digamma)\s*\^\s*\{\s*\(\s*(\d+)\s*\)\s*\}", r"\\psi_{\2}",
          r"\psi^{(m)} -> \psi_m (polygamma)"),
)

#: Function names (canonical: no backslash or braces) -> sympy; any other sympy function is
#: found by its name.  ``gamma`` is the function only when applied (alone it is Euler's gamma).
FUNCTIONS: dict[str, Callable] = {
    "Gamma": sp.gamma, "gamma": sp.gamma, "psi": sp.digamma, "Psi": sp.digamma,
    "digamma": sp.digamma, "trigamma": lambda x: sp.polygamma(1, x), "B": sp.beta,
    "Beta": sp.beta, "beta": sp.beta, "ln": sp.log, "lgamma": sp.loggamma,
    "loggamma": sp.loggamma, "lnGamma": sp.loggamma, "Ei": sp.Ei, "erf": sp.erf,
    "erfc": sp.erfc, "exp": sp.exp, "sqrt": sp.sqrt, "zeta": sp.zeta, "Li": sp.Li,
    "li": sp.li, "Si": sp.Si, "Ci": sp.Ci, "log": sp.log, "max": sp.Max, "min": sp.Min,
}
#: Functions written with their order as a subscript: ``\psi_1(x)``, ``E_1(x)``.
ORDERED_FUNCTIONS: dict[str, Callable] = {"psi": sp.polygamma, "polygamma": sp.polygamma,
                                          "E": sp.expint}
#: Names that are constants when they are not parameters (and not applied, for gamma).
CONSTANTS = {"e": sp.E, "pi": sp.pi, "gamma": sp.EulerGamma, "infty": sp.oo}
_ORDERED = re.compile(r"([A-Za-z]+)_(\d+)")


def quoted(text: str) -> str:
    """LaTeX as the user wrote it, in quotes (``repr`` would double every backslash)."""
    text = " ".join(text.split())
    return f'"{text}"' if "'" in text else f"'{text}'"


def canonical(name: str) -> str:
    """``sigma_{1}`` -> ``sigma_1``; ``\\lambda`` -> ``lambda``."""
    return name.replace("{", "").replace("}", "").replace("\\", "").replace(" ", "")


def function_for(name: str) -> Callable | None:
    """The sympy function a (canonical) name stands for when applied, or None."""
    if name in FUNCTIONS:
        return FUNCTIONS[name]
    ordered = _ORDERED.fullmatch(name)
    if ordered and ordered.group(1) in ORDERED_FUNCTIONS:
        order = int(ordered.group(2))
        return lambda *args: ORDERED_FUNCTIONS[ordered.group(1)](order, *args)
    found = getattr(sp.functions, name, None)
    return found if isinstance(found, sp.FunctionClass) else None


# -- text steps ----------------------------------------------------------------------------------
def _group_end(text: str, start: int, open_: str = "{", close: str = "}") -> int:
    """The index just after the group opening at ``start`` (balanced), or -1."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == open_:
            depth += 1
        elif text[i] == close:
            depth -= 1
            if depth == 0:
                return i + 1
    return -1


_FRAC_ARG = re.compile(r"\s*(\{|\\[A-Za-z]+|[A-Za-z0-9])")


def brace_fractions(text: str) -> str:
    r"""``\frac12`` -> ``\frac{1}{2}``, ``\frac1\sigma`` -> ``\frac{1}{\sigma}``."""
    out, i = [], 0
    for m in re.finditer(r"\\frac(?![A-Za-z])", text):
        if m.start() < i:
            continue
        out.append(text[i:m.end()])
        j, args = m.end(), []
        for _ in range(2):
            a = _FRAC_ARG.match(text, j)
            if not a:
                break
            if a.group(1) == "{":
                end = _group_end(text, a.start(1))
                if end < 0:
                    break
                args.append(text[a.start(1):end])
            else:
                end = a.end()
                args.append("{" + a.group(1) + "}")
            j = end
        if len(args) == 2:
            out.append("".join(brace_fractions(a) for a in args))
            i = j
        else:
            i = m.end()
    out.append(text[i:])
    return "".join(out)


def normalise(text: str) -> str:
    """The claim with :data:`MACROS` applied and ``\\frac`` arguments braced."""
    for macro in MACROS:
        text = re.sub(macro.pattern, macro.replacement, text)
    return brace_fractions(text)


_APPLIED = re.compile(r"(\\[A-Za-z]+|(?<![A-Za-z0-9_\\])[A-Za-z]+)"
                      r"(\s*_\s*(?:\{\s*\d+\s*\}|\d))?\s*\(")


def group_applications(text: str, parameters: set[str]) -> str:
    r"""``\Gamma(a)`` -> ``{\Gamma(a)}`` for every known function that is not a parameter."""
    out, i = [], 0
    for m in _APPLIED.finditer(text):
        if m.start() < i:
            continue
        name = canonical(m.group(1) + (m.group(2) or ""))
        if name in parameters or canonical(m.group(1)) in parameters \
                or function_for(name) is None or name in ("log", "ln", "exp", "sqrt"):
            continue
        end = _group_end(text, m.end() - 1, "(", ")")
        if end < 0:
            continue
        out += [text[i:m.start()], "{", text[m.start():m.end()],
                group_applications(text[m.end():end - 1], parameters), ")}"]
        i = end
    out.append(text[i:])
    return "".join(out)


_SUBSCRIPTED = re.compile(r"(.+?)_\{?([A-Za-z0-9]+)\}?")
MAX_SUM_TERMS = 1000


def expand_sums(expr: sp.Basic) -> sp.Basic:
    r"""``\sum_{i=1}^{3} p_i \ln p_i`` -> :math:`p_1 \ln p_1 + p_2 \ln p_2 + p_3 \ln p_3`: a
    sum with numeric bounds over names subscripted by its index, written out term by term."""
    def written_out(s: sp.Sum) -> sp.Basic:
        if len(s.limits) != 1:
            return s
        i, a, b = s.limits[0]
        if not (a.is_Integer and b.is_Integer) or int(b) - int(a) >= MAX_SUM_TERMS:
            return s

        def term(j: int) -> sp.Basic:
            renamed = {}
            for sym in s.function.free_symbols:
                m = _SUBSCRIPTED.fullmatch(sym.name)
                if m and m.group(2) == i.name:
                    renamed[sym] = sp.Symbol(f"{m.group(1)}_{j}")
            return s.function.xreplace(renamed).xreplace({i: j})
        return sp.Add(*(term(j) for j in range(int(a), int(b) + 1)))
    return expr.replace(lambda e: isinstance(e, sp.Sum), written_out)


# -- cases ---------------------------------------------------------------------------------------
_CASES = re.compile(r"(?:\\left\s*\\\{\s*\\begin\{array\}\s*\{[^{}]*\}(?P<array>.*?)"
                    r"\\end\{array\}\s*\\right\s*\.)|(?:\\begin\{(?P<env>[dr]?cases\*?)\}"
                    r"(?P<body>.*?)\\end\{(?P=env)\})", re.S)
_OTHERWISE = re.compile(r"^\s*(?:\\text\{|\\mathrm\{|\\textrm\{|\\mbox\{)?\s*(?:otherwise|else|"
                        r"elsewhere|o\.w\.|in all other cases)\s*\.?\s*\}?\s*[.,]?\s*$")
_WORD = re.compile(r"\\(?:text|mathrm|textrm|mbox|textit)\s*\{([^{}]*)\}")


def split_cases(text: str) -> tuple[str, list[list[tuple[str, str]]]]:
    """(text with each cases block replaced by ``\\symbolicinfocasesN``, the blocks' rows as
    (value, condition) texts as written).  Inner blocks are replaced first."""
    blocks: list[list[tuple[str, str]]] = []
    while True:
        m = None
        for m_ in _CASES.finditer(text):  # innermost: a block without another inside
            body = m_.group("array") if m_.group("array") is not None else m_.group("body")
            if "\\begin" not in body:
                m = m_
                break
        if m is None:
            break
        body = m.group("array") if m.group("array") is not None else m.group("body")
        rows = []
        for row in re.split(r"\\\\(?:\[[^\]]*\])?", body):
            if not row.strip():
                continue
            value, _amp, condition = row.partition("&")
            rows.append((value.strip().rstrip(",").strip(), condition.strip()))
        text = text[:m.start()] + f" \\{cases_marker(len(blocks))} " + text[m.end():]
        blocks.append(rows)
    return text, blocks


_MATRIX = re.compile(r"\\begin\{(?P<env>[pbB]?matrix)\}(?P<body>.*)\\end\{(?P=env)\}", re.S)


def matrix_rows(text: str) -> list[list[str]] | None:
    """The entries of ``\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix}`` (also ``bmatrix``,
    ``matrix``, inside ``\\left( \\right)``) as written, row by row; None when it is not one."""
    m = _MATRIX.search(text)
    if m is None or text[:m.start()].strip(" ({[").replace("\\left", "").strip() \
            or text[m.end():].strip(" )}]").replace("\\right", "").strip():
        return None
    rows = [r for r in re.split(r"\\\\(?:\[[^\]]*\])?", m.group("body")) if r.strip()]
    return [[e.strip() for e in r.split("&")] for r in rows]


def cases_marker(i: int) -> str:
    return "symbolicinfocases" + "".join(chr(ord("a") + int(c)) for c in str(i))


def condition_parts(text: str) -> tuple[str, list[list[str]]]:
    """A condition as ``("true", [])`` for otherwise, else ("", disjunction of conjunctions of
    relation chains), each chain as written."""
    if not text.strip() or _OTHERWISE.match(text):
        return "true", []

    def words(m: re.Match) -> str:
        inner = m.group(1).strip().lower()
        if inner in ("and", ",", ""):
            return r" \land " if inner else " "
        if inner == "or":
            return r" \lor "
        if re.fullmatch(r"(?:if|for|when|where|whenever|provided|as|and if|if and only if)",
                        inner):
            return " "
        return m.group(0)
    text = _WORD.sub(words, text)
    text = re.sub(r"^\s*(?:if|for|when)\b", " ", text)
    text = re.sub(r"(?<![A-Za-z\\])and(?![A-Za-z])", r" \\land ", text)
    text = re.sub(r"(?<![A-Za-z\\])or(?![A-Za-z])", r" \\lor ", text)
    text = text.strip().rstrip(".,;").strip()
    disjuncts = re.split(r"\\(?:lor|vee)(?![A-Za-z])", text)
    return "", [[c for c in re.split(r"\\(?:land|wedge)(?![A-Za-z])|,", d) if c.strip()]
                for d in disjuncts]


_RELATION = re.compile(r"(\\leq?(?![A-Za-z])|\\geq?(?![A-Za-z])|\\neq?(?![A-Za-z])|<=|>=|!=|<|>|=)")
RELATIONS = {r"\le": sp.Le, r"\leq": sp.Le, "<=": sp.Le, r"\ge": sp.Ge, r"\geq": sp.Ge,
             ">=": sp.Ge, "<": sp.Lt, ">": sp.Gt, "=": sp.Eq, r"\ne": sp.Ne, r"\neq": sp.Ne,
             "!=": sp.Ne}


def chain(text: str, read: Callable[[str], sp.Basic]) -> sp.Basic:
    """``a < x \\le b`` -> ``(a < x) & (x <= b)``, each side read by ``read``."""
    for macro in MACROS:  # \lt, \gt, \leqslant, ... before the relations are found
        if macro.note.startswith(("\\lt", "\\gt", "\\leqslant")):
            text = re.sub(macro.pattern, macro.replacement, text)
    pieces = _RELATION.split(text)
    if len(pieces) < 3:
        raise ClaimError(f"the condition {quoted(text)} is not a relation such as 'x > 0'")
    if any(not p.strip() for p in pieces[0::2]):
        raise ClaimError(f"the relation {quoted(text)} has an empty side")
    sides = [read(p) for p in pieces[0::2]]
    ops = pieces[1::2]
    return sp.And(*(RELATIONS[op](a, b) for a, op, b in zip(sides, ops, sides[1:])))


def equation_sides(text: str) -> tuple[str, str]:
    """("", text), or (left, right) of a claim written ``H(X) = ...`` (one top-level '=')."""
    depth, at = 0, []
    for i, ch in enumerate(text):
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        elif ch == "=" and depth == 0 and (i == 0 or text[i - 1] not in "<>!=") \
                and (i + 1 == len(text) or text[i + 1] != "="):
            at.append(i)
    if len(at) != 1:
        return "", text
    return text[:at[0]], text[at[0] + 1:]
