"""The atlas as a LaTeX book (issue 14): a two-family atlas written and compiled by pdflatex
(every closed form's section typeset, a mark per cell in the matrix), a 60-family matrix of
hand-made cells that fits the page, and compile errors that name the log's first error.

pdflatex missing: these tests skip, except on CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import re

import pytest
import sympy as sp
from optional import require_pdflatex

import symbolic_info as si
from symbolic_info.atlas import STATUSES, Atlas, Cell
from symbolic_info.atlas.book import MARKS, LatexError, compile_book, label, matrix
from symbolic_info.errors import SymbolicInfoError

FAMILIES = ["normal", "exponential"]


def unescape(name: str) -> str:
    return name.replace(r"\_", "_")


def marks_of(atlas: Atlas, quantity: str) -> dict[tuple[str, str | None], str]:
    """(p, q) -> the mark in the matrix of ``quantity`` (q None for an entropy), read from
    each block's header row (the rotated Q names, or one status column) and body rows."""
    found = {}
    for block in re.findall(r"\\begin\{tabular\}\{.*?\}\n(.*?)\n\\end\{tabular\}",
                            matrix(atlas, quantity), re.S):
        head, body = block.split(" \\\\\n\\hline\n")
        cols = [unescape(q) for q in re.findall(r"\\rotatebox\{90\}\{(.*?)\}", head)] or [None]
        for row in body.split(" \\\\\n"):
            entries = row.split(" & ")
            assert len(entries) == 1 + len(cols), row
            for q, mark in zip(cols, entries[1:]):
                assert (unescape(entries[0]), q) not in found
                found[(unescape(entries[0]), q)] = mark
    return found


def assert_compiled(tex_path) -> str:
    """Compile ``tex_path``; the log, checked for errors and overfull lines."""
    require_pdflatex()
    pdf = compile_book(tex_path)
    assert pdf is not None and pdf.exists() and pdf.stat().st_size > 0
    log = tex_path.with_suffix(".log").read_text(errors="replace")
    assert not [line for line in log.splitlines() if line.startswith("!")]
    assert "Output written on" in log
    return log


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Atlas:
    """The atlas of entropy and KL over normal and exponential, in its own store (kept set for
    the module, so the book re-derives its closed forms from that store)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("SYMBOLIC_INFO_CACHE", str(tmp_path_factory.mktemp("book_store")))
    try:
        yield si.atlas(FAMILIES, ("entropy", "kl"), jobs=1, progress=False)
    finally:
        mp.undo()


def test_small_book_compiles_with_every_closed_form(small, tmp_path):
    tex_path = small.to_latex(tmp_path / "book" / "atlas.tex")
    assert tex_path == tmp_path / "book" / "atlas.tex" and tex_path.exists()
    tex = tex_path.read_text()
    assert tex.startswith(r"\documentclass") and r"\tableofcontents" in tex
    assert tex.count(r"\chapter{") == 2
    log = assert_compiled(tex_path)
    assert not [line for line in log.splitlines() if line.startswith("Overfull \\hbox")]
    aux = tex_path.with_suffix(".aux").read_text()
    closed = [c for c in small.cells if c.status == "closed_form"]
    assert len(closed) >= 4
    for c in closed:  # each closed form's section is typeset, with its proof
        assert f"\\newlabel{{{label(c)}}}" in aux
    assert tex.count(r"\therefore") >= len(closed)
    assert small.cell("kl", "normal", "exponential").status == "infinite"
    assert "normal $\\,\\|\\,$ exponential (infinite)" in tex
    for quantity in small.quantities:  # a mark per cell, the mark of its status
        found = marks_of(small, quantity)
        cells = [c for c in small.cells if c.quantity == quantity]
        assert found == {(c.p, c.q): MARKS[c.status] for c in cells}


def fake_atlas(n: int) -> Atlas:
    """Entropy and KL cells over ``n`` made-up families (long names with underscores), the
    statuses spread; results are symbols, so nothing is derived."""
    names = [f"made_up_family_number_{i:02d}" for i in range(n)]
    a, b = sp.symbols("alpha beta", positive=True)
    cells = []
    for i, p in enumerate(names):
        for j, q in enumerate([None, *names]):
            status = STATUSES[(i + 2 * j) % len(STATUSES)]
            closed = status == "closed_form" and (i + j) % 7 == 0  # some closed forms, fast
            status = status if status != "closed_form" or closed else "timed_out"
            result = sp.log(a + i) - b * j if closed else sp.nan
            cells.append(Cell("entropy" if q is None else "kl", p, q, status, result,
                              a > 0 if closed else sp.true,
                              "" if closed else f"made up: {status}_{i}_{j}", 0.0))
    cells.sort(key=lambda c: c.quantity != "entropy")
    return Atlas(tuple(cells))


@pytest.mark.parametrize("n", [6, 30, 60])
def test_large_matrix_fits_the_page(tmp_path, n):
    atlas = fake_atlas(n)
    assert len(atlas.families) == n
    for quantity in ("entropy", "kl"):
        found = marks_of(atlas, quantity)
        cells = [c for c in atlas.cells if c.quantity == quantity]
        assert found == {(c.p, c.q): MARKS[c.status] for c in cells}
    tex_path = atlas.to_latex(tmp_path / "atlas.tex")
    assert r"made\_up\_family" in tex_path.read_text()
    log = assert_compiled(tex_path)
    overfull = [line for line in log.splitlines() if line.startswith("Overfull")]  # h or v
    assert not overfull, overfull[:5]


def test_blocks_and_font_size():
    six, sixty = matrix(fake_atlas(6), "kl"), matrix(fake_atlas(60), "kl")
    assert six.count(r"\begin{tabular}") == 1 and six.count(r"\rotatebox") == 6
    assert "\\small\n" in six and "\\tiny\n" in sixty
    assert sixty.count(r"\begin{tabular}") == 4 and sixty.count(r"\rotatebox") == 2 * 60


def test_compile_error_names_the_first_error(tmp_path):
    require_pdflatex()
    bad = tmp_path / "bad.tex"
    bad.write_text("\\documentclass{report}\n\\begin{document}\n\\nosuchcommand\n"
                   "\\end{document}\n")
    with pytest.raises(LatexError, match=r"Undefined control sequence.*l\.3") as info:
        compile_book(bad)
    assert isinstance(info.value, SymbolicInfoError)


def test_no_pdflatex_gives_none(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    tex = tmp_path / "x.tex"
    tex.write_text("")
    assert compile_book(tex) is None
