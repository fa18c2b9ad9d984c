# ruff: noqa: UP031 - LaTeX templates read better with %-formatting than with doubled braces
r"""One LaTeX document with a section per derivation; compiles with ``pdflatex``.

Packages: amsmath and amssymb only (``\allowdisplaybreaks`` lets long proofs break across
pages; long expressions are broken at ``+``/``-`` by :func:`latex.expr_lines`).
"""

from __future__ import annotations

from collections.abc import Iterable

from .implementation import fallback_lines, implementation_latex, implementation_lines
from .latex import family_latex, format_rows, make_printer, proof_rows, title_words
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
#: Derivations are subsections of an unnumbered title: numbered 1, 2, ... (not 0.1, 0.2).
NUMBERING = r"\renewcommand{\thesubsection}{\arabic{subsection}}"


def document(derivations: Iterable, title: str | None = "Derivations", *,
             checks: bool = True, implementation: bool = True) -> str:
    """A complete LaTeX document: a section per derivation (proof, result and, unless
    ``implementation`` is false, the numerical implementation; the numeric-check rows unless
    ``checks`` is false)."""
    derivations = list(derivations)
    parts = [PREAMBLE, r"\begin{document}", NUMBERING]
    if title:
        parts.append(r"\section*{%s}" % text_escape(title))
    for d in derivations:
        numbered = len(derivations) > 1 or bool(title)
        if hasattr(d, "latex_section"):
            parts.append(d.latex_section(numbered=numbered))
        else:
            parts.append(section(d, numbered=numbered, checks=checks,
                                 implementation=implementation))
    parts.append(r"\end{document}")
    return "\n".join(parts) + "\n"


def section(d, numbered: bool = True, *, checks: bool = True,
            implementation: bool = True) -> str:
    """One derivation: heading (its title in words), the members, the proof and the
    numerical implementation. A derivation with its own layout (an optimum, a maximum-entropy
    law) renders itself."""
    if hasattr(d, "latex_section"):
        return d.latex_section(numbered=numbered)
    printer = make_printer(d)
    members = []
    for role, member in (("P", d.p), ("Q", d.q)):
        if member is not None:
            shown = family_latex(member, printer).replace(", ", r",\allowbreak ")
            members.append(f"${role} = {shown}$")  # a long member breaks after a comma
    heading = r"\%s{%s}" % ("subsection" if numbered else "section*",
                            text_escape(title_words(d)))
    lines = [heading]
    if members:
        lines.append("Let " + " and ".join(members) + ".")
    lines.append(r"Status: %s." % text_escape(d.status_text()))
    if d.base is not None:
        lines.append(r"Logarithms in base $%s$." % printer.doprint(d.base))
    lines.append(format_rows(proof_rows(d, printer, checks=checks)))
    if implementation:
        lines.append(implementation_paragraph(d))
    return "\n\n".join(lines)


def implementation_paragraph(d) -> str:
    r"""``\paragraph{Numerical implementation.}`` with latexify's formula (or the fallback),
    broken over lines at body size."""
    tex, note = implementation_latex(d)
    lines = implementation_lines(tex) if tex is not None else fallback_lines(d)
    body = "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"
    return "\n".join([r"\paragraph{Numerical implementation.}", text_escape(note), body])
