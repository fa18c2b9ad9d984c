"""The atlas as a static site: ``index.html`` (a matrix per quantity) and a page per cell.

Math is rendered at build time to MathML (LaTeX from the textbook printer, converted by
``latex2mathml``; sympy's presentation MathML printer where that fails), so the site needs no
script, server or CDN and opens from ``file://``. A cell's page holds its status and reason,
the result and conditions, the proof (the derivation's steps), the standalone numpy source, a
cross-validation table (closed forms only) and the cell's JSON. The derivation is rebuilt
through the engine with the atlas's members (a hit in the persistent store); a cell whose
re-derivation raises, or that never finished (timed out, refused, failed: not re-run), gets a
page with what the :class:`Cell` holds.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

import sympy as sp
from latex2mathml.converter import convert
from sympy.printing.mathml import mathml

from ..check import cross_validate
from ..numeric.export import module_source
from ..render.latex import QUANTITY_WORDS, make_printer
from ..render.printer import InfoLatexPrinter
from ..render.textbook import textbook_form
from .atlas import Atlas, cell_json
from .cell import STATUSES, Cell, Task, members
from .quantities import builder, is_divergence

#: How each status shows: its words and the mark in a matrix cell.
STATUS_LABELS = {"closed_form": ("closed form", "✓"), "infinite": ("infinite", "∞"),
                 "undefined": ("undefined", "∄"),
                 "no_closed_form": ("no closed form", "∫"), "timed_out": ("timed out", "…"),
                 "refused": ("refused", "–"), "failed": ("failed", "✗")}
#: Statuses whose derivation is finished and stored, so re-deriving it for the page is cheap.
REDERIVED = ("closed_form", "infinite", "undefined", "no_closed_form")
CROSS_VALIDATION_POINTS = 3
TITLE_LENGTH = 400  # characters of a closed form in a matrix cell's tooltip
LOG = '<mi>log</mi><mspace width="0.167em" />'  # latex2mathml sets log flush to its argument

CSS = """\
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px;
       padding: 0 1em; color: #222; line-height: 1.45; }
h1, h2, h3 { font-weight: 600; }
a { color: #0645ad; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: center; }
th { background: #f3f3f3; font-weight: 600; }
table.matrix td { padding: 0; min-width: 2.6em; }
table.matrix td a { display: block; padding: 0.3em 0.6em; text-decoration: none;
                    color: #111; font-size: 1.1em; }
table.matrix td a:hover { outline: 2px solid #333; }
.closed_form { background: #b7e4b0; }
.infinite { background: #c6d8f5; }
.undefined { background: #dccbf0; }
.no_closed_form { background: #f7e29c; }
.timed_out { background: #f5c28e; }
.refused { background: #d9d9d9; }
.failed { background: #f19c9c; }
.legend span { display: inline-block; padding: 0.15em 0.6em; margin: 0 0.4em 0.4em 0;
               border: 1px solid #bbb; }
.badge { padding: 0.1em 0.5em; border: 1px solid #999; border-radius: 3px; }
.math { overflow-x: auto; overflow-y: hidden; padding: 0.3em 0; }
math[display="block"] { font-size: 1.15em; }
ol.steps li { margin-bottom: 0.8em; }
.rule { font-weight: 600; }
.note { color: #555; }
pre { background: #f6f6f6; border: 1px solid #ddd; padding: 0.8em; overflow-x: auto;
      font-size: 0.85em; }
table.numbers td { text-align: right; font-family: monospace; }
.error { color: #a00; }
"""


# -- names and paths -------------------------------------------------------------------------
def cell_path(c: Cell) -> str:
    """The page of ``c``, relative to the index: ``cells/kl-normal-exponential.html``."""
    return "cells/" + "-".join(n for n in (c.quantity, c.p, c.q) if n is not None) + ".html"


def cell_title(c: Cell) -> str:
    """``KL divergence (normal ‖ exponential)``, ``Entropy (normal)``."""
    words = QUANTITY_WORDS.get(c.quantity, c.quantity.replace("_", " ").capitalize())
    return f"{words} ({c.p})" if c.q is None else f"{words} ({c.p} ‖ {c.q})"


def tooltip(c: Cell) -> str:
    """The plain text a matrix cell shows on hover: the closed form, or the status and why."""
    label = STATUS_LABELS[c.status][0]
    if c.status != "closed_form":
        return f"{cell_title(c)}: {label}" + (f": {c.reason}" if c.reason else "")
    text = sp.sstr(c.result)
    if c.conditions != sp.true:
        text += f"  for {sp.sstr(c.conditions)}"
    if len(text) > TITLE_LENGTH:
        text = text[:TITLE_LENGTH] + "…"
    return f"{cell_title(c)} = {text}"


# -- math --------------------------------------------------------------------------------------
def math_markup(expr, printer: InfoLatexPrinter | None = None, display: bool = False) -> str:
    """``expr`` as MathML: its LaTeX (``printer``) through latex2mathml, with the LaTeX as an
    annotation; sympy's presentation MathML when that fails or leaves a TeX command in; the
    text of ``expr`` as code when both fail."""
    mode = "block" if display else "inline"
    try:
        tex = (printer or InfoLatexPrinter(symbols_of(expr))).doprint(expr)
        markup = convert(tex, display=mode)
    except Exception:  # noqa: BLE001 - any LaTeX either side may choke on
        tex, markup = None, ""
    if tex is not None and "\\" not in markup:
        head, _, body = markup.partition(">")
        body = body.removesuffix("</math>").replace("<mi>log</mi>", LOG)
        return (f'{head}><semantics><mrow>{body}</mrow><annotation encoding="application/x-tex">'
                f"{escape(tex)}</annotation></semantics></math>")
    try:
        body = mathml(expr, printer="presentation")
    except Exception:  # noqa: BLE001
        return f"<code>{escape(str(expr))}</code>"
    body = body.replace("<mo><</mo>", "<mo>&lt;</mo>").replace("<mo>></mo>", "<mo>&gt;</mo>")
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML" display="{mode}">{body}</math>'


def symbols_of(expr) -> list[sp.Symbol]:
    """The free symbols of ``expr`` in a fixed order (none for a non-sympy value)."""
    free = getattr(expr, "free_symbols", set())
    return sorted(free, key=sp.default_sort_key)


def shown_result(expr):
    """The result as tables print it (:func:`textbook_form`), or as it is."""
    try:
        return textbook_form(expr)
    except Exception:  # noqa: BLE001 - printing never fails a page
        return expr


# -- the derivation behind a cell ----------------------------------------------------------------
def derivation_of(c: Cell, timeout: float = 30.0):
    """The derivation of ``c`` through the engine, with the atlas's members (a store hit)."""
    p, q = members(Task(c.quantity, c.p, c.q, timeout))
    build = builder(c.quantity)
    return build(p, q, timeout=timeout) if is_divergence(c.quantity) else \
        build(p, timeout=timeout)


def source_text(d) -> str:
    """The standalone numpy module of ``d`` (what ``symbolic_info.export`` writes)."""
    name = d.name if d.name.isidentifier() and not d.name.startswith("_") else "evaluate"
    return module_source({name: d}, "numpy")


# -- pages -------------------------------------------------------------------------------------
def page(title: str, body: str, css: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(title)}</title>\n"
            f'<link rel="stylesheet" href="{css}">\n</head>\n<body>\n{body}\n</body>\n</html>\n')


def legend(counts: dict[str, int]) -> str:
    items = "".join(f'<span class="{s}">{STATUS_LABELS[s][1]} {STATUS_LABELS[s][0]}'
                    f" ({counts.get(s, 0)})</span>" for s in STATUSES)
    return f'<p class="legend">{items}</p>'


def matrix_cell(c: Cell) -> str:
    label, mark = STATUS_LABELS[c.status]
    return (f'<td class="{c.status}" title="{escape(tooltip(c))}">'
            f'<a href="{cell_path(c)}" aria-label="{escape(cell_title(c))}: {label}">'
            f"{mark}</a></td>")


def matrix(atlas: Atlas, quantity: str) -> str:
    """The table of ``quantity``: one row of families (entropy), or rows P by columns Q."""
    cells = [c for c in atlas.cells if c.quantity == quantity]
    if all(c.q is None for c in cells):
        head = "".join(f"<th>{escape(c.p)}</th>" for c in cells)
        row = "".join(matrix_cell(c) for c in cells)
        return (f'<table class="matrix"><tr><th>family</th>{head}</tr>'
                f"<tr><th>{escape(quantity)}</th>{row}</tr></table>")
    ps = list(dict.fromkeys(c.p for c in cells))
    qs = list(dict.fromkeys(c.q for c in cells))
    by_key = {(c.p, c.q): c for c in cells}
    rows = [f'<tr><th>P \\ Q</th>{"".join(f"<th>{escape(q)}</th>" for q in qs)}</tr>']
    for p in ps:
        tds = "".join(matrix_cell(by_key[p, q]) if (p, q) in by_key else "<td></td>"
                      for q in qs)
        rows.append(f"<tr><th>{escape(p)}</th>{tds}</tr>")
    return f'<table class="matrix">{"".join(rows)}</table>'


def index_page(atlas: Atlas) -> str:
    sections = []
    for quantity in atlas.quantities:
        words = QUANTITY_WORDS.get(quantity, quantity)
        sections.append(f'<h2 id="{escape(quantity)}">{escape(words)}</h2>\n'
                        f"{legend(atlas.counts(quantity))}\n{matrix(atlas, quantity)}")
    s = atlas.stats
    summary = (f"<p>{len(atlas.cells)} cells over {len(atlas.families)} families: "
               + ", ".join(f"{n} {STATUS_LABELS[k][0]}" for k, n in atlas.counts().items())
               + f". Derived {s.derived}, read from the store {s.from_store}, failed "
               f"{s.failed}. Hover a cell for its closed form; click it for the proof.</p>")
    return page("symbolic_info atlas", "<h1>symbolic_info atlas</h1>\n" + summary + "\n"
                + "\n".join(sections), "style.css")


def steps_html(d) -> str:
    printer = make_printer(d)
    items = []
    for step in d.steps:
        expr = step.expr
        shown = math_markup(expr, printer, display=True) \
            if isinstance(expr, (sp.Basic, sp.MatrixBase)) else f"<code>{escape(str(expr))}</code>"
        note = f'<div class="note">{escape(step.note)}</div>' if step.note else ""
        items.append(f'<li><span class="rule">{escape(str(step.rule))}</span>'
                     f'<div class="math">{shown}</div>{note}</li>')
    return f'<ol class="steps">{"".join(items)}</ol>'


def report_html(report) -> str:
    """A cross-validation :class:`Report` as a table."""
    names = list(report.points[0]) if report.points else []
    head = "".join(f"<th>{escape(n)}</th>" for n in [*names, "derived", "numeric",
                                                       "rel. error"])
    rows = []
    for point, a, b, e in zip(report.points, report.derived, report.numeric,
                              report.rel_errors):
        values = [f"{point[n]:.6g}" for n in names] + [f"{a:.10g}", f"{b:.10g}", f"{e:.2e}"]
        rows.append("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in values) + "</tr>")
    notes = "".join(f"<p class=\"note\">{escape(n)}</p>" for n in dict.fromkeys(report.notes)
                    if n)
    verdict = "OK" if report.ok else "FAILED"
    return (f"<p>Against {escape(report.method)}: <strong>{verdict}</strong>, max relative "
            f"error {report.max_rel_error:.3g}.</p>"
            f'<table class="numbers"><tr>{head}</tr>{"".join(rows)}</table>{notes}')


def attempt(what: str, make) -> str:
    """``make()``, or a line saying why ``what`` could not be made."""
    try:
        return make()
    except Exception as exc:  # noqa: BLE001 - one part of a page never fails the site
        return f'<p class="error">No {escape(what)}: {escape(type(exc).__name__)}: ' \
               f"{escape(str(exc))}</p>"


def cell_page(c: Cell, timeout: float = 30.0) -> str:
    """The page of ``c`` (see the module docstring)."""
    d, why = None, ""
    if c.status in REDERIVED:
        try:
            d = derivation_of(c, timeout)
        except Exception as exc:  # noqa: BLE001 - the page shows what the Cell holds
            why = f"re-deriving the cell raised {type(exc).__name__}: {exc}"
    else:
        why = f"the cell is {STATUS_LABELS[c.status][0]}; its derivation is not re-run"
    printer = printer_of(d)
    result = c.result if d is None else d.result
    conditions = c.conditions if d is None else d.conditions
    label, _ = STATUS_LABELS[c.status]
    parts = [f'<p><a href="../index.html#{escape(c.quantity)}">← atlas</a></p>',
             f"<h1>{escape(cell_title(c))}</h1>",
             f'<p>Status: <span class="badge {c.status}">{escape(label)}</span></p>']
    if c.reason:
        parts.append(f"<p>Reason: {escape(c.reason)}</p>")
    parts.append("<h2>Result</h2>")
    if result is sp.nan:
        parts.append("<p>No result.</p>")
    else:
        parts.append(f'<div class="math">{math_markup(shown_result(result), printer, True)}'
                     "</div>")
        parts.append("<p>Holds " + ("for all parameter values" if conditions == sp.true else
                                    "for " + math_markup(conditions, printer)) + ".</p>")
    parts.append("<h2>Proof</h2>")
    if d is None:
        parts.append(f"<p>No steps: {escape(why)}.</p>")
    else:
        parts.append(attempt("proof", lambda: steps_html(d)))
        parts.append("<h2>Numerical implementation</h2>")
        if d.status == "undefined":
            parts.append("<p>The quantity is undefined (its integral has no value): there is "
                         "nothing to evaluate.</p>")
        elif d.result.has(sp.Integral, sp.Sum):
            parts.append("<p>The result keeps an unevaluated integral or sum: "
                         "<code>Derivation.lambdify</code> evaluates it numerically; there is "
                         "no standalone source.</p>")
        else:
            parts.append(attempt("source", lambda: f"<pre><code>{escape(source_text(d), False)}"
                                                   "</code></pre>"))
        if d.status == "closed_form":
            parts.append("<h2>Cross-validation</h2>")
            parts.append(attempt("cross-validation", lambda: report_html(
                cross_validate(d, n=CROSS_VALIDATION_POINTS))))
    data = json.dumps(cell_json(c), indent=1, ensure_ascii=False, default=str)
    parts.append(f"<h2>JSON</h2>\n<pre><code>{escape(data, False)}</code></pre>")
    return page(cell_title(c), "\n".join(parts), "../style.css")


def printer_of(d) -> InfoLatexPrinter | None:
    """The textbook printer of ``d`` (None without a derivation: a default one per
    expression)."""
    if d is None:
        return None
    try:
        return make_printer(d)
    except Exception:  # noqa: BLE001
        return None


def write_site(atlas: Atlas, directory: Path, *, timeout: float = 30.0) -> Path:
    """Write ``index.html``, ``style.css`` and ``cells/*.html`` for ``atlas`` into
    ``directory`` (created); returns the index's path. ``timeout`` is the CPU budget of a
    re-derivation that misses the store."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "cells").mkdir(exist_ok=True)
    (directory / "style.css").write_text(CSS, encoding="utf-8")
    for c in atlas.cells:
        (directory / cell_path(c)).write_text(cell_page(c, timeout), encoding="utf-8")
    index = directory / "index.html"
    index.write_text(index_page(atlas), encoding="utf-8")
    return index
