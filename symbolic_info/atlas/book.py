# ruff: noqa: UP031 - LaTeX templates read better with %-formatting than with doubled braces
r"""The atlas as a LaTeX book (``report`` class) that compiles with pdflatex.

A chapter per quantity: the matrix of statuses (families x families, or one column for an
entropy) as short marks with a legend, then every closed form with its proof (the project's
own section, :func:`symbolic_info.render.document.section`, re-derived through the persistent
store, so a cache hit), then the infinite cells and the others, each with its reason.

The matrix has rotated column headers (graphicx), a font from ``\small`` (a few families) to
``\tiny`` (:data:`SIZES`), and is split into blocks of at most :data:`COLUMNS` columns and
:data:`ROWS` rows, so 60 families fit the page.
:func:`compile_book` runs pdflatex.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import sympy as sp

from ..errors import SymbolicInfoError
from ..render.document import PREAMBLE, section
from ..render.latex import QUANTITY_WORDS, expr_lines
from ..render.printer import InfoLatexPrinter
from ..render.symbols import text_escape
from .atlas import Atlas
from .cell import STATUSES, Cell, Task, members
from .quantities import builder, is_divergence

#: The mark of each status in the matrix, and its words in the legend.
MARKS = {"closed_form": r"$\bullet$", "infinite": r"$\infty$", "undefined": "U",
         "no_closed_form": r"$\circ$", "timed_out": "T", "refused": "R", "failed": "F"}
WORDS = {"closed_form": "closed form", "infinite": "infinite", "undefined": "undefined",
         "no_closed_form": "no closed form", "timed_out": "timed out", "refused": "refused",
         "failed": "failed"}
#: The matrix's font size by the number of families: the first whose bound is not exceeded.
SIZES = ((12, r"\small"), (30, r"\scriptsize"), (None, r"\tiny"))
COLUMNS = 30  # most columns of one block of the matrix
ROWS = 40  # most rows of one block of the matrix
PASSES = 3  # most pdflatex runs (the table of contents needs two)


class LatexError(SymbolicInfoError, RuntimeError):
    """pdflatex failed on the book (or did not finish in time)."""


def write_book(atlas: Atlas, path: Path, *, timeout: float = 30.0) -> Path:
    """Write ``atlas`` as a LaTeX book to ``path`` (its directory is created); closed forms are
    re-derived with ``timeout`` CPU seconds each (a store hit when the atlas was just built)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(book(atlas, timeout=timeout), encoding="utf-8")
    return path


def book(atlas: Atlas, *, timeout: float = 30.0) -> str:
    """The whole book as LaTeX text."""
    preamble = [line for line in PREAMBLE.splitlines() if not line.startswith(r"\documentclass")]
    parts = [r"\documentclass[11pt]{report}", *preamble,
             r"\title{Atlas of closed forms}", r"\author{symbolic\_info}", r"\date{\today}",
             r"\begin{document}", r"\maketitle", r"\tableofcontents"]
    for quantity in atlas.quantities:
        parts.append(chapter(atlas, quantity, timeout))
    parts.append(r"\end{document}")
    return "\n".join(parts) + "\n"


def quantity_words(quantity: str) -> str:
    return QUANTITY_WORDS.get(quantity, quantity.replace("_", " ").capitalize())


def cell_words(cell: Cell) -> str:
    """``normal`` or ``normal || exponential``, escaped."""
    if cell.q is None:
        return text_escape(cell.p)
    return text_escape(cell.p) + r" $\,\|\,$ " + text_escape(cell.q)


def label(cell: Cell) -> str:
    """The ``\\label`` key of a cell's section."""
    return ":".join(["cell", cell.quantity, cell.p] + ([cell.q] if cell.q else []))


def chapter(atlas: Atlas, quantity: str, timeout: float) -> str:
    """One quantity: matrix, closed forms, infinite cells, the rest."""
    cells = [c for c in atlas.cells if c.quantity == quantity]
    counts = atlas.counts(quantity)
    summary = ", ".join(f"{counts[s]} {WORDS[s]}" for s in STATUSES if s in counts)
    parts = [r"\chapter{%s}" % text_escape(quantity_words(quantity)),
             f"{len(cells)} cells: {summary}.",
             r"\section{Matrix}", matrix(atlas, quantity)]
    closed = [c for c in cells if c.status == "closed_form"]
    if closed:
        parts.append(r"\section{Closed forms}")
        parts += [proof(c, timeout) for c in closed]
    infinite = [c for c in cells if c.status == "infinite"]
    if infinite:
        parts += [r"\section{Infinite}", reasons(infinite)]
    undefined = [c for c in cells if c.status == "undefined"]
    if undefined:  # the integral has no value (its positive and negative parts both infinite)
        parts += [r"\section{Undefined}", reasons(undefined)]
    rest = [c for c in cells if c.status not in ("closed_form", "infinite", "undefined")]
    if rest:
        parts += [r"\section{Without a closed form}", reasons(rest)]
    return "\n\n".join(parts)


def legend() -> str:
    return "Legend: " + "; ".join(f"{MARKS[s]} {WORDS[s]}" for s in STATUSES)


def chunks(items: Sequence, most: int) -> list[Sequence]:
    """``items`` in balanced consecutive blocks of at most ``most``."""
    if not items:
        return [items]
    n = math.ceil(len(items) / most)
    size = math.ceil(len(items) / n)
    return [items[i:i + size] for i in range(0, len(items), size)]


def header(name: str) -> str:
    return r"\rotatebox{90}{%s}" % text_escape(name)


def matrix(atlas: Atlas, quantity: str) -> str:
    """The status marks of ``quantity``: rows P, columns Q (one column for an entropy), in
    blocks that fit the page, with the legend."""
    divergence = any(c.q is not None for c in atlas.cells if c.quantity == quantity)
    families = list(atlas.families)
    marks = {(c.p, c.q): MARKS[c.status] for c in atlas.cells if c.quantity == quantity}
    columns: list[str | None] = families if divergence else [None]
    blocks = []
    for cols in chunks(columns, COLUMNS):
        for rows in chunks(families, ROWS):
            corner = r"$P \backslash Q$" if divergence else ""
            head = " & ".join([corner, *(header(q) if q else "status" for q in cols)])
            body = [" & ".join([text_escape(p), *(marks.get((p, q), "") for q in cols)])
                    for p in rows]
            blocks.append("\\begin{tabular}{l|%s}\n%s \\\\\n\\hline\n%s\n\\end{tabular}"
                          % ("c" * len(cols), head, " \\\\\n".join(body)))
    what = "rows $P$, columns $Q$" if divergence else "one row per family"
    size = next(tex for most, tex in SIZES if most is None or len(families) <= most)
    return "\n".join([f"{legend()} ({what}).", r"\begin{center}", size,
                      r"\setlength{\tabcolsep}{1.5pt}",
                      "\n\n\\bigskip\n".join(blocks), r"\end{center}"])


def derivation(cell: Cell, timeout: float):
    """The cell's derivation, re-derived from the atlas's members (the store makes it a hit)."""
    p, q = members(Task(cell.quantity, cell.p, cell.q, timeout))
    build = builder(cell.quantity)
    return (build(p, q, timeout=timeout) if is_divergence(cell.quantity)
            else build(p, timeout=timeout))


def proof(cell: Cell, timeout: float) -> str:
    """The section of a closed-form cell: the derivation's proof, or (when it cannot be
    re-derived as a closed form) the atlas's result alone."""
    try:
        d = derivation(cell, timeout)
    except SymbolicInfoError as exc:
        return result_only(cell, f"it could not be re-derived ({type(exc).__name__}: {exc})")
    if d.status != "closed_form":
        return result_only(cell, f"the re-derivation ended {d.status_text()}")
    tex = section(d, numbered=True)
    if not tex.startswith("\\subsection{"):  # a derivation with its own layout
        return f"\\subsection{{{cell_words(cell)}}}\\label{{{label(cell)}}}\n\n{tex}"
    heading, _, rest = tex.partition("\n")
    return f"{heading}\\label{{{label(cell)}}}\n{rest}"


def result_only(cell: Cell, why: str) -> str:
    """A closed-form cell shown by its result and conditions, without a proof."""
    printer = InfoLatexPrinter(sorted(cell.result.free_symbols | cell.conditions.free_symbols,
                                      key=str))
    lines = list(expr_lines(cell.result, printer))
    if cell.conditions != sp.true:
        lines.append(r"\text{for } " + printer.doprint(cell.conditions))
    body = "\\begin{align*}\n" + " \\\\\n".join("&" + line for line in lines) + "\n\\end{align*}"
    return "\n\n".join([r"\subsection{%s}\label{%s}" % (cell_words(cell), label(cell)),
                        "{\\raggedright %s\\par}" % text_escape(f"No proof: {why}."), body])


def reasons(cells: Sequence[Cell]) -> str:
    """The cells as a list, each with its status and reason."""
    items = [r"\item %s (%s): %s" % (cell_words(c), WORDS[c.status],
                                     text_escape(c.reason or "no reason recorded"))
             for c in cells]
    return "{\\small\\raggedright\n\\begin{itemize}\n" + "\n".join(items) + \
        "\n\\end{itemize}\n}"


def first_error(log: str) -> str:
    """The log's first error line (``! ...``) with the line number that follows it."""
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("!"):
            where = next((w.strip() for w in lines[i + 1:i + 12] if w.startswith("l.")), "")
            return f"{line} {where}".strip()
    return "no error line in the log"


def compile_book(tex_path: Path, *, timeout: float = 300.0) -> Path | None:
    """Compile ``tex_path`` with pdflatex in its directory (again while the table of contents
    changes, at most :data:`PASSES` runs); the PDF's path, or None when pdflatex is not
    installed. LatexError with the log's first error line when a run fails or exceeds
    ``timeout`` seconds."""
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        return None
    tex_path = Path(tex_path).resolve()
    aux = [tex_path.with_suffix(s) for s in (".aux", ".toc")]
    for _ in range(PASSES):
        before = [f.read_bytes() if f.exists() else None for f in aux]
        try:
            run = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error",
                                  tex_path.name], cwd=tex_path.parent, capture_output=True,
                                 timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise LatexError(f"pdflatex did not finish {tex_path.name} within {timeout:g} s") \
                from exc
        if run.returncode != 0:
            log = tex_path.with_suffix(".log")
            text = log.read_text(errors="replace") if log.exists() else \
                run.stdout.decode(errors="replace")
            raise LatexError(f"pdflatex failed on {tex_path}: {first_error(text)}")
        if [f.read_bytes() if f.exists() else None for f in aux] == before:
            break
    return tex_path.with_suffix(".pdf")
