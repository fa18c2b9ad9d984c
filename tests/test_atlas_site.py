"""The atlas as a static site (issue 14): ``Atlas.to_html`` writes an index of matrices and a
page per cell, with math rendered to MathML at build time.

A 2-family atlas (normal, exponential; entropy and KL) is built into its own store and written
once per module; headless Chromium (Debian's ``chromium``) loads the pages from ``file://``:
the index has its matrices, a cell page has MathML and no TeX outside ``<annotation>`` (and
outside the verbatim ``<pre>`` blocks: the exported source and the JSON hold LaTeX as data),
every relative link of the index resolves, and a screenshot is written (copied to
``$SYMBOLIC_INFO_ARTIFACTS`` when set). A missing chromium skips those tests, except on CI
(``CI=true``), where they fail. The rest (robustness, escaping, the MathML fallback) needs no
browser.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import sympy as sp
from optional import ON_CI

import symbolic_info as si
from symbolic_info.atlas import Atlas, Cell
from symbolic_info.atlas import site as site_module
from symbolic_info.atlas.site import cell_path, math_markup, write_site

FAMILIES = ["normal", "exponential"]
QUANTITIES = ("entropy", "kl")
TEX = re.compile(r"\\(frac|log|left|right|sigma|mu|lambda|sqrt|int|mathbb|text)\b")


def require_chromium() -> str:
    """The path of chromium; skip when it is missing, except on CI, where the test fails."""
    path = shutil.which("chromium")
    if path is None:
        if ON_CI:
            pytest.fail("chromium is required on CI (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    return path


def chromium(page: Path, profile: Path, *options: str) -> str:
    """Headless chromium on ``page`` (a file): its standard output."""
    command = [require_chromium(), "--headless", "--no-sandbox", "--disable-gpu",
               f"--user-data-dir={profile}", *options, page.resolve().as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class Links(HTMLParser):
    """The ``href`` and ``src`` of every element."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.links += [v for k, v in attrs if k in ("href", "src") and v]


def links_of(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.links


def outside(html: str, *tags: str) -> str:
    """``html`` without the elements ``tags`` (and their content)."""
    for tag in tags:
        html = re.sub(rf"<{tag}\b.*?</{tag}>", "", html, flags=re.S)
    return html


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Atlas, Path]:
    """The 2-family atlas (its own store) and the path of its site's index."""
    mp = pytest.MonkeyPatch()
    mp.setenv("SYMBOLIC_INFO_CACHE", str(tmp_path_factory.mktemp("site_store")))
    try:
        atlas = si.atlas(FAMILIES, QUANTITIES, jobs=1, progress=False)
        start = time.perf_counter()
        index = atlas.to_html(tmp_path_factory.mktemp("site"))
        print(f"site of {len(atlas.cells)} cells written in {time.perf_counter() - start:.1f} s")
    finally:
        mp.undo()
    return atlas, index


def test_files(site):
    atlas, index = site
    assert index.name == "index.html" and (index.parent / "style.css").is_file()
    for c in atlas.cells:
        assert (index.parent / cell_path(c)).is_file()
    assert (index.parent / "cells" / "kl-normal-exponential.html").is_file()
    text = index.read_text()
    assert "http://" not in outside(text, "math") and "https://" not in text  # no CDN
    # a closed form on hover, as plain text; a status class on every cell
    normal = atlas.cell("kl", "normal", "normal")
    assert 'title="KL divergence (normal ‖ normal) = log(sigma_2/sigma_1)' in text
    assert text.count('<td class="') == len(atlas.cells)
    assert 'class="infinite"' in text and normal.status == "closed_form"


def test_index_loads_in_chromium(site, tmp_path):
    atlas, index = site
    dom = chromium(index, tmp_path / "profile", "--dump-dom")
    assert dom.count('<table class="matrix">') == len(atlas.quantities)
    assert 'class="legend"' in dom
    links = links_of(dom)
    relative = [link for link in links if not urlparse(link).scheme]
    assert relative == links  # nothing fetched from elsewhere
    targets = {urlparse(link).path for link in relative}
    assert len(targets) == len(atlas.cells) + 1  # the cell pages and the style sheet
    for link in targets:
        assert (index.parent / unquote(link)).is_file(), link


def test_cell_page_renders_math(site, tmp_path):
    atlas, index = site
    page = index.parent / cell_path(atlas.cell("kl", "normal", "normal"))
    dom = chromium(page, tmp_path / "profile", "--dump-dom")
    assert dom.count("<math") >= 10  # the result and every step
    assert "<mfrac>" in dom and "<annotation" in dom
    shown = outside(dom, "annotation", "pre")
    assert not TEX.search(shown), TEX.search(shown)
    assert "Cross-validation" in dom and "<strong>OK</strong>" in dom
    assert "def kl_normal_normal(" in dom  # the exported source
    assert '"status": "closed_form"' in dom  # the cell's JSON
    for link in links_of(dom):
        assert (page.parent / urlparse(link).path).is_file(), link


def test_screenshot(site, tmp_path):
    _, index = site
    shot = tmp_path / "atlas_index.png"
    chromium(index, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1200,900",
             "--hide-scrollbars")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5000
    print(f"screenshot: {shot}")
    artifacts = os.environ.get("SYMBOLIC_INFO_ARTIFACTS")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        copy = shutil.copy(shot, Path(artifacts) / shot.name)
        print(f"screenshot copied to {copy}")


# -- without a browser -------------------------------------------------------------------------
def test_pages_of_cells_without_a_derivation(tmp_path, monkeypatch):
    """Cells that never finished are not re-derived; a re-derivation that raises still gives a
    page with what the Cell holds; text is escaped."""
    s = sp.Symbol("sigma_1", positive=True)
    cells = (
        Cell("entropy", "normal", None, "closed_form", sp.log(s) + 1, sp.true, "", 0.1),
        Cell("kl", "normal", "normal", "failed", sp.nan, sp.true, "died <signal> & gone", 0.0),
        Cell("kl", "normal", "cauchy", "timed_out", sp.nan, sp.true, "budget", 0.0),
        Cell("kl", "cauchy", "normal", "refused", sp.nan, sp.true, "no rule", 0.0),
    )
    calls = []

    def broken(c, timeout=30.0):
        calls.append(c.key)
        raise RuntimeError("engine <broken>")

    monkeypatch.setattr(site_module, "derivation_of", broken)
    index = write_site(Atlas(cells), tmp_path / "out")
    assert calls == [("entropy", "normal", None)]
    page = (index.parent / cell_path(cells[0])).read_text()
    assert "re-deriving the cell raised RuntimeError: engine &lt;broken&gt;" in page
    assert "<math" in page and "<msub>" in page and '"status": "closed_form"' in page
    failed = (index.parent / cell_path(cells[1])).read_text()
    assert "died &lt;signal&gt; &amp; gone" in failed and "<signal>" not in failed
    assert "No result." in failed and "not re-run" in failed
    text = index.read_text()
    assert text.count("<tr>") == 1 + 1 + 1 + 2  # entropy: head, row; kl: head, 2 rows
    assert "<td></td>" in text  # cauchy || cauchy is not in this atlas


def test_math_fallback_to_sympy_mathml():
    """LaTeX that latex2mathml leaves a command in goes through sympy's MathML printer."""
    x = sp.Symbol("x", positive=True)

    class Unknown:
        def doprint(self, expr):
            return r"\unknowncommand{x}"

    out = math_markup(sp.And(x < 1, x > sp.Rational(1, 2)), Unknown())
    assert out.startswith("<math") and "\\" not in out
    assert "<mo>&lt;</mo>" in out and "<mo><</mo>" not in out
    good = math_markup(sp.log(x) / 2, display=True)
    assert 'display="block"' in good and "<mfrac>" in good
    assert '<annotation encoding="application/x-tex">' in good
