# ruff: noqa: UP031 - LaTeX templates read better with %-formatting than with doubled braces
r"""The lecture, derived: ``lecture.tex`` (claims table and derivations), ``lecture.pdf`` and
``claims.json`` written by :func:`build`.

The derivations are rendered with :mod:`symbolic_info.render` (one proof per derivation);
the joint quantities (``joint_entropy``, ``conditional_entropy``, ``mutual_information``) are
named here as :math:`H(X, Y)`, :math:`H(Y \mid X)`, :math:`I(X; Y)`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import sympy as sp

from symbolic_info.render.document import PREAMBLE, implementation_paragraph, section
from symbolic_info.render.latex import (
    format_rows,
    make_printer,
    quantity_latex,
    result_row,
    step_rows,
    title_words,
)
from symbolic_info.render.printer import InfoLatexPrinter
from symbolic_info.render.symbols import text_escape
from symbolic_info.render.textbook import textbook_form

from .claims import Claim, all_claims, formulas

TITLE = "Entropy, Cross-Entropy and KL Divergence: the lecture, derived"
JOINT_NAMES = {"joint_entropy": "H(X, Y)", "mutual_information": "I(X; Y)"}
_UNICODE = {"≈": r"$\approx$", "‖": r"$\|$", "σ": r"$\sigma$", "μ": r"$\mu$", "π": r"$\pi$",
            "½": r"$\frac{1}{2}$", "−": "-", "≠": r"$\neq$", "·": r"$\cdot$", "²": r"$^2$",
            "λ": r"$\lambda$", "≥": r"$\ge$", "≤": r"$\le$", "×": r"$\times$", "‘": "`",
            "’": "'", "“": "``", "”": "''", ">": r"$>$", "<": r"$<$", "|": r"$|$"}


_RELATIONS = {" >= ": " ≥ ", " <= ": " ≤ ", " != ": " ≠ "}
_TIED = re.compile(r" ?(\$(?:<|>|\\ge|\\le|\\neq?|\\approx)\$) ?")


def tex(s) -> str:
    """Plain text (any value) for a LaTeX text cell; breakable after commas and operators, a
    relation (<, >=, ...) tied to the word before it so it never starts a line."""
    text = str(s)
    for ascii_relation, relation in _RELATIONS.items():
        text = text.replace(ascii_relation, relation)
    out = "".join(_UNICODE[ch] if ch in _UNICODE else text_escape(ch) for ch in text)
    out = "".join(ch if ord(ch) < 128 else "?" for ch in out).replace("$$", "")  # σ² one formula
    out = _TIED.sub(lambda m: "~" + m.group(1) + " ", out)  # tied to what it follows
    return out.replace("*", r"*\allowbreak{}").replace("/", r"/\allowbreak{}")


def cell(value) -> str:
    """A cell of the claims table: formulas (sympy values, or marked in a claim's text by
    :func:`claims.formula`) as LaTeX, the rest as text."""
    if isinstance(value, sp.Basic):
        return math_cell(value)
    if isinstance(value, str) and "\u27e6" in value:
        return "".join(tex(p) if isinstance(p, str) else math_cell(p) for p in formulas(value))
    return tex(value)


def math_cell(expr: sp.Basic) -> str:
    """``expr`` as inline math, in the proofs' notation."""
    symbols = sorted(getattr(expr, "free_symbols", ()), key=sp.default_sort_key)
    return "$" + InfoLatexPrinter(symbols).doprint(textbook_form(expr)) + "$"


def joint_name(d) -> str:
    if d.quantity == "conditional_entropy":
        return r"H(X \mid Y)" if d.name.endswith("x_given_y") else r"H(Y \mid X)"
    return JOINT_NAMES.get(d.quantity) or quantity_latex(d)


def joint_section(d) -> str:
    """A section for a derivation from a joint table (the proof as in ``render.document``)."""
    printer = make_printer(d)
    name = joint_name(d)
    base = d.base if d.base is not None and d.base != sp.E else None
    lhs = name if base is None else r"(\log %s)\,%s" % (printer.doprint(base), name)
    rows, repeat = [], True
    for step in d.steps:
        for row in step_rows(d, step, printer, lhs, name, base):
            if row.lhs in ("=", lhs):
                row = type(row)(lhs if repeat else "", row.rhs, row.why)
                repeat = False
            elif row.rhs:
                repeat = True
            rows.append(row)
    rows.append(result_row(d, printer, name, base))
    parts = [r"\subsection{%s}" % text_escape(title_words(d)),
             r"Let $p(x, y) = P(X = x, Y = y)$ be a joint table with marginals $p_X$, $p_Y$.",
             r"Status: closed form, checked against a direct numerical computation.",
             format_rows(rows), implementation_paragraph(d)]
    return "\n\n".join(parts)


def derivation_section(d) -> str:
    if d.quantity in ("joint_entropy", "conditional_entropy", "mutual_information"):
        return joint_section(d)
    return section(d, numbered=True)


def claims_table(claims: list[Claim]) -> str:
    rows = [r"\begin{longtable}{@{}p{0.05\linewidth}p{0.25\linewidth}p{0.12\linewidth}"
            r"p{0.06\linewidth}p{0.42\linewidth}@{}}",
            r"\textbf{id} & \textbf{the lecture states} & \textbf{expected} & \textbf{ok} & "
            r"\textbf{derived by the engine; note} \\ \hline \endhead"]
    for c in claims:
        verdict = r"\textbf{yes}" if c.ok else r"\textbf{NO}"
        rows.append(r"{\small %s} & {\small %s} & {\small %s} & %s & {\small %s\newline "
                    r"\emph{%s}} \\ \hline" % (tex(c.id), tex(c.claim), cell(c.expected),
                                             verdict, cell(c.derived), cell(c.note)))
    rows.append(r"\end{longtable}")
    return "\n".join(rows)


def lecture_tex(claims: list[Claim]) -> str:
    """The whole document: the claims table, then every derivation the claims used."""
    seen, derivations = set(), []
    for c in claims:
        for d in c.derivations:
            key = (d.name, d.quantity, sp.srepr(d.result), str(d.base))
            if key not in seen:
                seen.add(key)
                derivations.append(d)
    wrong = [c.id for c in claims if not c.ok]
    parts = [PREAMBLE.replace(r"\usepackage{amssymb}", "\\usepackage{amssymb}\n"
                              "\\usepackage{longtable}"),
             r"\begin{document}", r"\section*{%s}" % text_escape(TITLE),
             "Every result of the lecture ``Entropy, Cross-Entropy \\& KL Divergence'' "
             "(Probability Foundations for AI/ML, lecture 9), checked against what "
             "\\texttt{symbolic\\_info} derives, and its code samples run as printed. "
             "A claim the lecture rounds is marked correct, with the exact value in the note; "
             "a claim that is wrong is reported, not hidden. "
             f"{len(claims) - len(wrong)} of {len(claims)} claims hold; "
             + (f"wrong as printed: {', '.join(wrong)}." if wrong else "none is wrong."),
             r"\section{Claims}", claims_table(claims), r"\section{Derivations}"]
    parts += [derivation_section(d) for d in derivations]
    parts.append(r"\end{document}")
    return "\n\n".join(parts) + "\n"


def compile_pdf(tex_path: Path) -> Path | None:
    """Run pdflatex twice (longtable widths) when it is installed; the pdf path or None."""
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        return None
    for _ in range(2):
        proc = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error",
                               tex_path.name], cwd=tex_path.parent, capture_output=True,
                              text=True, timeout=300)
        if proc.returncode != 0:
            tail = "\n".join(proc.stdout.splitlines()[-25:])
            raise RuntimeError(f"pdflatex failed on {tex_path}:\n{tail}")
    return tex_path.with_suffix(".pdf")


def build(out: str | os.PathLike, pdf: bool = True) -> dict:
    """Write ``claims.json``, ``lecture.tex`` and (with pdflatex) ``lecture.pdf`` to ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    claims = all_claims()
    (out / "claims.json").write_text(json.dumps([c.record() for c in claims], indent=2,
                                                ensure_ascii=False) + "\n")
    tex_path = out / "lecture.tex"
    tex_path.write_text(lecture_tex(claims))
    pdf_path = compile_pdf(tex_path) if pdf else None
    return {"claims": claims, "tex": tex_path, "pdf": pdf_path}
