# ruff: noqa: UP031 - LaTeX templates read better with %-formatting than with doubled braces
r"""One LaTeX document with a section per derivation; compiles with ``pdflatex``.

Packages: amsmath and amssymb only (``\allowdisplaybreaks`` lets long proofs break across
pages; long expressions are broken at ``+``/``-`` by :func:`latex.expr_lines`).
"""

from __future__ import annotations

from collections.abc import Iterable

from .implementation import fallback_latex, implementation_latex
from .latex import family_latex, format_rows, make_printer, proof_rows, quantity_latex
from .symbols import text_escape

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage{amsmath}
\usepackage{amssymb}
\usepackage{graphicx}
\setlength{\textwidth}{6.5in}
\setlength{\oddsidemargin}{0in}
\setlength{\evensidemargin}{0in}
\allowdisplaybreaks
"""
FIT_LINE = r"\[\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}" \
    r"{$\displaystyle %s$}\]"  # shrunk to the line width only when wider


def document(derivations: Iterable, title: str | None = "Derivations") -> str:
    """A complete LaTeX document: a section per derivation (proof, result, implementation)."""
    derivations = list(derivations)
    parts = [PREAMBLE, r"\begin{document}"]
    if title:
        parts.append(r"\section*{%s}" % text_escape(title))
    for d in derivations:
        parts.append(section(d, numbered=len(derivations) > 1 or bool(title)))
    parts.append(r"\end{document}")
    return "\n".join(parts) + "\n"


def section(d, numbered: bool = True) -> str:
    """One derivation: heading, the members, the proof and the numerical implementation.
    A derivation with its own layout (an optimum, a maximum-entropy law) renders itself."""
    if hasattr(d, "latex_section"):
        return d.latex_section(numbered=numbered)
    printer = make_printer(d)
    name = quantity_latex(d)
    members = []
    for role, member in (("P", d.p), ("Q", d.q)):
        if member is not None:
            members.append(f"${role} = {family_latex(member, printer)}$")
    heading = r"\%s{$%s$%s}" % ("subsection" if numbered else "section*", name,
                                ": " + text_escape(d.name.replace("_", " ")))
    lines = [heading]
    if members:
        lines.append("Let " + " and ".join(members) + ".")
    lines.append(r"Status: %s." % text_escape(d.status_text()))
    if d.base is not None:
        lines.append(r"Logarithms in base $%s$." % printer.doprint(d.base))
    lines.append(format_rows(proof_rows(d, printer)))
    lines.append(implementation_paragraph(d))
    return "\n\n".join(lines)


def implementation_paragraph(d) -> str:
    r"""``\paragraph{Numerical implementation.}`` with latexify's formula or the fallback."""
    tex, note = implementation_latex(d)
    shown = tex if tex is not None else fallback_latex(d)
    body = FIT_LINE % shown
    return "\n".join([r"\paragraph{Numerical implementation.}", text_escape(note), body])
