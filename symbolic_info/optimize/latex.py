# ruff: noqa: UP031 - LaTeX templates read better with %-formatting than with doubled braces
r"""Optimisation and maximum-entropy proofs as LaTeX: numbered steps, each a claim and its reason.

The steps of an optimum are not a chain of equalities (an objective, a gradient, a Hessian,
a bound ...), so each is its own line: ``1. gradient`` and the note, then the step's
expression (relations printed as relations), then the conclusion with the optimal points.
``render(d)`` is an ``align*`` block (MathJax renders it too); ``render(d, standalone=True)``
a document that compiles with ``pdflatex`` (the preamble and the numerical-implementation
paragraph of :mod:`symbolic_info.render.document`), where an expression too wide to break at
a ``+``/``-`` (a matrix, say) is shrunk to the line width.
"""

from __future__ import annotations

import re
import textwrap

import sympy as sp

from ..render.latex import expr_lines, family_latex, make_printer, quantity_latex, visible_width
from ..render.symbols import text_escape

WIDTH = 56  # visible characters of an expression line
NOTE_WIDTH = 74  # characters of a note line
_WORDS = (("->", "→"), ("<=", "≤"), (">=", "≥"))
_INFINITY = re.compile(r"\boo\b")
_MATH = (("<", "$<$"), (">", "$>$"), ("|", "$|$"))
FIT = r"\resizebox{\ifdim\width>\dimexpr\linewidth-3em\relax\dimexpr\linewidth-3em\relax" \
    r"\else\width\fi}{!}{$\displaystyle %s$}"  # the line width less the indentation


def text_latex(text: str) -> str:
    r"""``text`` for ``\text{...}``: arrows and inequalities as symbols, specials escaped."""
    for old, new in _WORDS:
        text = text.replace(old, new)
    out = text_escape(_INFINITY.sub("∞", text))
    for old, new in _MATH:
        out = out.replace(old, new)
    return out


def note_lines(note: str, width: int = NOTE_WIDTH, indent: int = 0) -> list[str]:
    """The note wrapped into ``\\text`` lines (the first one ``indent`` characters shorter)."""
    chunks = textwrap.wrap(note, width, initial_indent="x" * indent)
    if chunks and indent:
        chunks[0] = chunks[0][indent:]
    return [r"\text{%s}" % text_latex(chunk) for chunk in chunks]


def math_lines(expr, printer, width: int = WIDTH) -> list[str]:
    """``expr`` on one line, or broken: a sum at ``+``/``-``, a relation after its sign, a
    tuple one element per line."""
    if not isinstance(expr, (sp.Basic, sp.MatrixBase)):
        return [r"\text{%s}" % text_latex(str(expr))]
    tex = printer.doprint(expr)
    if visible_width(tex) <= width:
        return [tex]
    if isinstance(expr, sp.Tuple) and len(expr) > 1:
        return [line for item in expr for line in math_lines(item, printer, width)]
    if isinstance(expr, sp.And):
        return [line for item in expr.args for line in math_lines(item, printer, width)]
    if isinstance(expr, sp.Rel):
        lhs = printer.doprint(expr.lhs)
        op = printer.doprint(expr.func(sp.Symbol("L"), sp.Symbol("R"))).split()[1]
        rhs = math_lines(expr.rhs, printer, width)
        return [f"{lhs} {op} {rhs[0]}", *rhs[1:]]
    return list(expr_lines(expr, printer, width))


def _fit(line: str, fit: bool) -> str:
    return FIT % line if fit and visible_width(line) > WIDTH + 10 else line


def proof_lines(d, printer, fit: bool) -> list[str]:
    """The numbered steps of ``d``: heading and note, then the expression lines."""
    lines = []
    for i, step in enumerate(d.steps, 1):
        head = r"\textbf{%d. %s}" % (i, text_latex(step.rule))
        notes = note_lines(step.note, indent=len(step.rule) + 4) if step.note else []
        lines.append(head + (r"\ " + notes[0] if notes else ""))
        lines += [r"\quad " + n for n in notes[1:]]
        lines += [r"\qquad " + _fit(m, fit) for m in math_lines(step.expr, printer)]
    return lines + conclusion_lines(d, printer, fit)


def _point(point: dict, printer) -> str:
    return ", ".join(f"{printer.doprint(k)} = {printer.doprint(v)}" for k, v in point.items())


def conclusion_lines(d, printer, fit: bool) -> list[str]:
    r"""``\therefore`` the result (and where it is attained or approached, and when it holds)."""
    name = quantity_latex(d)
    lines = [r"\therefore\ %s = %s" % (name, _fit(printer.doprint(d.result), fit))
             + r"\quad\text{(%s)}" % text_latex(d.status.replace("_", " "))]
    points = list(getattr(d, "argopts", ()) or ())
    word = {"maximum": "attained at", "minimum": "attained at", "no_closed_form": "candidate"}
    if points and d.status != "no_closed_form":
        lead = word.get(d.status, "approached as")
        for k, point in enumerate(points):
            if lead == "approached as":
                text = ", ".join(f"{printer.doprint(s)} \\to {printer.doprint(v)}"
                                 for s, v in point.items() if v != s)
            else:
                text = _point(point, printer)
            prefix = r"\quad\text{%s } " % (lead if k == 0 else "and")
            lines.append(prefix + _fit(text, fit))
    density = getattr(d, "density", None)
    if density is not None:
        x = d.variable
        lines.append(r"\quad\text{maximiser } p^{*}(%s) = %s" % (
            printer.doprint(x), _fit(printer.doprint(density), fit)))
    if d.conditions != sp.true:
        lines.append(r"\quad\text{for } " + _fit(printer.doprint(d.conditions), fit))
    return lines


def render(d, standalone: bool = False) -> str:
    """``d`` (an Optimum or MaxEntropy) as an ``align*`` proof, or a whole document."""
    if standalone:
        from ..render.document import PREAMBLE
        return "\n".join([PREAMBLE, r"\begin{document}", section(d, numbered=False),
                          r"\end{document}"]) + "\n"
    return align(proof_lines(d, make_printer(d), fit=False))


def align(lines: list[str]) -> str:
    return "\\begin{align*}\n" + " \\\\\n".join("&" + line for line in lines) + \
        "\n\\end{align*}"


def section(d, numbered: bool = True) -> str:
    """One optimisation: heading, the members, the proof and the numerical implementation."""
    from ..render.document import implementation_paragraph
    printer = make_printer(d)
    parts = [r"\%s{$%s$: %s}" % ("subsection" if numbered else "section*", quantity_latex(d),
                                 text_latex(d.name.replace("_", " ")))]
    members = [f"${role} = {family_latex(m, printer)}$"
               for role, m in (("P", d.p), ("Q", d.q)) if m is not None]
    if members:
        parts.append("Let " + " and ".join(members) + ".")
    parts.append(r"Status: %s." % text_latex(d.status.replace("_", " ")))
    if d.base is not None:
        parts.append(r"Logarithms in base $%s$." % printer.doprint(d.base))
    parts.append(align(proof_lines(d, printer, fit=True)))
    parts.append(implementation_paragraph(d))
    return "\n\n".join(parts)
