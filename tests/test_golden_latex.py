"""Golden LaTeX, in the manner of latexify-py's rule tables: the final line of the proof of each
built-in univariate entropy and same-family KL against a reviewed expected string
(``tests/golden/latex_final_lines.json``), so a change of notation shows as a diff.

The printed form is the product here, so these tests compare strings; that the printed form is
still the derived result is checked numerically (:func:`test_textbook_form_is_the_result`).
Regenerate after a deliberate change of notation, then review the diff by eye::

    python tests/test_golden_latex.py --regenerate

Only derivations with a final outcome are golden (a ``timed_out`` one depends on the machine).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from optional import require_pdflatex

import symbolic_info as si
from symbolic_info.families import sample_parameters
from symbolic_info.render.document import document
from symbolic_info.render.latex import make_printer, quantity_latex, result_row
from symbolic_info.render.textbook import expanded, in_base, textbook_form

GOLDEN = Path(__file__).parent / "golden" / "latex_final_lines.json"
FINAL = ("closed_form", "no_closed_form", "infinite")


def univariate_builtins() -> list[str]:
    from symbolic_info.families import BUILTIN_FAMILIES
    return [n for n in BUILTIN_FAMILIES if not si.pair(n)[0].multivariate
            and not si.pair(n)[0].matrix]


def derive(key: str):
    quantity, name = key.split(" ", 1)
    p, q = si.pair(name)
    return si.entropy(p) if quantity == "entropy" else si.kl(p, q)


def final_line(d) -> dict:
    """The last row of the proof: its right side (continuation lines joined) and why."""
    printer = make_printer(d)
    row = result_row(d, printer, quantity_latex(d), None)
    return {"status": d.status, "latex": " ".join(row.rhs), "why": row.why}


def regenerate(names: list[str]) -> None:
    """Write the golden file for the families ``names`` (review the diff by eye)."""
    golden, excluded = {}, {}
    for name in names:
        for quantity in ("entropy", "kl"):
            key = f"{quantity} {name}"
            d = derive(key)
            if d.status in FINAL:
                golden[key] = final_line(d)
            else:
                excluded[key] = d.status
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps({"golden": golden, "excluded": excluded}, indent=1,
                                 ensure_ascii=False) + "\n")


def _golden() -> dict:
    if not GOLDEN.exists():  # before the first --regenerate (the coverage test then fails)
        return {}
    return json.loads(GOLDEN.read_text())["golden"]


@pytest.fixture(scope="module")
def derived():
    cache: dict = {}

    def get(key: str):
        if key not in cache:
            cache[key] = derive(key)
        return cache[key]
    return get


@pytest.mark.parametrize("key", sorted(_golden()))
def test_final_line_is_golden(key, derived):
    d = derived(key)
    expected = _golden()[key]
    assert d.status == expected["status"]
    assert final_line(d) == expected


def test_golden_is_complete_and_current():
    """Each golden family has its entropy and its KL (golden, or excluded with its status),
    and is still a univariate built-in. (A family added later joins with --regenerate.)"""
    data = json.loads(GOLDEN.read_text())
    keys = set(data["golden"]) | set(data["excluded"])
    names = {k.split(" ", 1)[1] for k in keys}
    assert len(names) >= 30 and names <= set(univariate_builtins())
    assert keys == {f"{q} {n}" for n in names for q in ("entropy", "kl")}


@pytest.mark.parametrize("key", [k for k, v in sorted(_golden().items())
                                 if v["status"] == "closed_form"])
def test_textbook_form_is_the_result(key, derived):
    """The printed form (constants gathered, log_2) equals the derived result: the printer
    rewrites, it never changes a value."""
    d = derived(key)
    rng = np.random.default_rng(3)
    forms = [textbook_form(d.result), in_base(d.result / sp.log(2), 2)]
    for _ in range(3):
        point = sample_parameters(d.p, rng) | (sample_parameters(d.q, rng) if d.q else {})
        exact = {s: sp.nsimplify(v) for s, v in point.items()}
        want = complex(sp.N(d.result.xreplace(exact), 30))
        if not np.isfinite(want):  # the infinite branch of a Piecewise prints as \infty
            continue
        for form, scale in zip(forms, (1, np.log(2))):
            if form is None:
                continue
            got = complex(sp.N(expanded(form).xreplace(exact), 30)) * scale
            assert abs(got - want) <= 1e-12 * max(1.0, abs(want)), (key, form)


@pytest.mark.parametrize("expr, expected", [
    (sp.log(sp.Symbol("beta", positive=True)), r"\log \beta"),
    (sp.log(2 * sp.Symbol("b", positive=True)), r"\log(2 b)"),
    (sp.log(sp.Symbol("a", positive=True) / sp.Symbol("b", positive=True)),
     r"\log \frac{a}{b}"),
    (sp.log(sp.sqrt(2) * sp.sqrt(sp.pi) * sp.Symbol("sigma", positive=True)) + sp.S.Half,
     r"\frac{1}{2} \log(2 \pi e \sigma^{2})"),
    (sp.log(2 * sp.Symbol("b", positive=True)) + 1, r"\log(2 b) + 1"),
    (sp.gamma(sp.Symbol("alpha", positive=True)), r"\Gamma(\alpha)"),
    (sp.polygamma(0, sp.Symbol("alpha", positive=True) / 2), r"\psi\left(\frac{\alpha}{2}\right)"),
])
def test_printing_rules(expr, expected):
    """One row per rule: brackets only where needed, constants gathered."""
    from symbolic_info.render.printer import InfoLatexPrinter
    printer = InfoLatexPrinter(sorted(expr.free_symbols, key=str))
    assert printer.doprint(textbook_form(expr)) == expected


def test_base_two_is_written_with_log2():
    sigma = sp.Symbol("sigma", positive=True)
    nats = sp.log(sp.sqrt(2) * sp.sqrt(sp.pi) * sigma) + sp.S.Half
    from symbolic_info.render.printer import InfoLatexPrinter
    tex = InfoLatexPrinter([sigma]).doprint(in_base(nats / sp.log(2), 2))
    assert tex == r"\frac{1}{2} \log_{2}(2 \pi e \sigma^{2})"


def test_golden_document_compiles_at_body_size(tmp_path, derived):
    """Every golden derivation in one document, compiled by pdflatex: no error, nothing
    scaled down, no overfull line (a missing pdflatex fails on CI, skips elsewhere)."""
    import subprocess
    pdflatex = require_pdflatex()
    tex = document([derived(k) for k in sorted(_golden())], title="Golden",
                   checks=False, implementation=True)
    assert "resizebox" not in tex and "scalebox" not in tex
    assert "Dummy" not in tex and "euler" not in tex
    (tmp_path / "doc.tex").write_text(tex, encoding="utf-8")
    out = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-2000:]
    log = (tmp_path / "doc.log").read_text(errors="replace")
    overfull = [line for line in log.splitlines() if line.startswith("Overfull \\hbox")]
    assert not overfull, overfull


if __name__ == "__main__" and "--regenerate" in sys.argv:
    # the families already golden, or those named after --regenerate
    named = sys.argv[sys.argv.index("--regenerate") + 1:]
    regenerate(named or sorted({k.split(" ", 1)[1] for k in _golden()}))
    print(f"wrote {GOLDEN}; review the diff before committing")


# -- titles, numbering, switches ------------------------------------------------------------------
@pytest.mark.parametrize("make, title", [
    (lambda: si.entropy(si.family("gamma")), "Entropy of the Gamma distribution"),
    (lambda: si.kl(*si.pair("gamma")), "KL divergence between two Gamma distributions"),
    (lambda: si.renyi_divergence(*si.pair("normal", "laplace"), 2),
     "Rényi divergence between a Normal and a Laplace distribution"),
    (lambda: si.kl(*si.pair("normal", "exponential")),
     "KL divergence between a Normal and an Exponential distribution"),
    (lambda: si.entropy(si.family("normal"), base=2),
     "Entropy of the Normal distribution, in bits"),
])
def test_titles_are_words(make, title):
    from symbolic_info.render.latex import title_words
    d = make()
    assert title_words(d) == title
    assert "\\subsection{" + title.replace("é", r"\'{e}") + "}" in document([d, d])


def test_switches_leave_out_checks_and_implementation():
    d = si.kl(*si.pair("gamma"))
    assert "numerical check" in d.latex() and "numerical check" not in d.latex(checks=False)
    full = si.document([d])
    bare = si.document([d], checks=False, implementation=False)
    assert "Numerical implementation" in full and "Numerical implementation" not in bare
    assert "relative difference" in full and "relative difference" not in bare
    alone = d.latex(standalone=True, implementation=False)
    assert alone.startswith(r"\documentclass") and "Numerical implementation" not in alone


def test_implementation_block_is_broken_not_scaled():
    from symbolic_info.render.document import implementation_paragraph
    block = implementation_paragraph(si.kl(*si.pair("beta")))
    assert "resizebox" not in block and "scalebox" not in block
    body = block.split(r"\begin{align*}")[1]
    assert body.count(r"\\") >= 2 and r"\mathrm{alpha" not in body  # parameters as symbols
    gumbel = implementation_paragraph(si.entropy(si.family("gumbel")))
    assert r"\gamma" in gumbel and "euler" not in gumbel and "Dummy" not in gumbel


def test_documents_number_sections_from_one(tmp_path):
    """Sections of a document are 1, 2, ... (the .aux table of contents), never 0.1."""
    import subprocess
    pdflatex = require_pdflatex()
    tex = document([si.entropy(si.family("normal")), si.kl(*si.pair("normal"))], title="Two",
                   implementation=False)
    (tmp_path / "doc.tex").write_text(tex.replace(r"\begin{document}",
                                                  "\\begin{document}\n\\tableofcontents"))
    out = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-2000:]
    aux = (tmp_path / "doc.aux").read_text()
    assert r"\numberline {1}" in aux and r"\numberline {2}" in aux and "{0.1}" not in aux


def test_lecture_claims_table_prints_latex():
    from derivations.claims import all_claims
    from derivations.lecture import claims_table
    table = claims_table(all_claims())
    assert "*log(" not in table and "*sqrt(" not in table
    assert r"$\frac{1}{2} \log(2 \pi e \sigma^{2})$" in table  # claim 7, in textbook form
    assert "$$" not in table  # no doubled math shifts (a ‖ printed $$|$$)
