"""An :class:`AuditReport` as Markdown (the terminal), JSON, and an HTML page in the atlas's
style."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from ..atlas.site import CSS, page
from .findings import SEVERITY, AuditReport, Finding

#: The colour class (the atlas's style sheet) each status shows in.
STATUS_CLASSES = {"wrong": "failed", "negative": "failed", "nan_or_inf": "failed",
                  "inaccurate": "timed_out", "mapping_error": "no_closed_form",
                  "unsupported": "refused", "agrees": "closed_form"}
COLUMNS = ("status", "quantity", "dtype", "library", "ours", "numeric", "rel. error", "detail")


def _num(v) -> str:
    return "" if v is None else f"{v:.6g}"


def cells(f: Finding) -> tuple[str, ...]:
    """A row's columns as text."""
    c = f.counterexample or {}
    detail = c.get("snippet") or c.get("reason") or ""
    if c.get("snippet") and c.get("reason"):
        detail = f"{c['reason']}: {c['snippet']}"
    return (f.status, f.label, f.dtype, _num(c.get("library")), _num(c.get("ours")),
            _num(c.get("numeric")), _num(c.get("rel_err")), detail)


def summary(report: AuditReport) -> str:
    counts = ", ".join(f"{n} {s}" for s, n in report.counts().items())
    return f"{report.library} {report.version}: {len(report.rows)} rows ({counts})"


def to_markdown(report: AuditReport) -> str:
    """A heading, the counts and the table sorted by severity."""
    lines = [f"# Audit of {report.library} {report.version}", "", summary(report), "",
             "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for f in report.rows:
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells(f)) + " |")
    return "\n".join(lines) + "\n"


def to_json(report: AuditReport, path=None) -> str:
    text = json.dumps(report.to_dict(), indent=1, default=str)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def to_html(report: AuditReport) -> str:
    title = f"Audit of {report.library} {report.version}"
    counts = report.counts()
    legend = "".join(f'<span class="{STATUS_CLASSES[s]}">{escape(s)} ({counts.get(s, 0)})'
                     f"</span>" for s in SEVERITY)
    head = "".join(f"<th>{escape(c)}</th>" for c in COLUMNS)
    rows = []
    for f in report.rows:
        tds = [f'<td class="{STATUS_CLASSES[f.status]}">{escape(f.status)}</td>']
        tds += [f"<td>{escape(c)}</td>" for c in cells(f)[1:-1]]
        tds.append(f'<td style="text-align:left"><code>{escape(cells(f)[-1])}</code></td>')
        rows.append("<tr>" + "".join(tds) + "</tr>")
    body = (f"<h1>{escape(title)}</h1>\n<p>Every KL divergence and entropy the library "
            f"ships, against the closed forms symbolic_info derives.</p>\n"
            f'<p class="legend">{legend}</p>\n<table>\n<tr>{head}</tr>\n'
            + "\n".join(rows) + "\n</table>")
    return page(title, body, "style.css")


def write_html(report: AuditReport, directory) -> Path:
    """Write ``directory/index.html`` and ``directory/style.css``; return the page's path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "style.css").write_text(CSS, encoding="utf-8")
    index = directory / "index.html"
    index.write_text(to_html(report), encoding="utf-8")
    return index
