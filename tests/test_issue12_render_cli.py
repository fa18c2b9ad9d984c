"""Issue 12: LaTeX proofs (compiled with pdflatex), text, JSON and the command line for the
Rényi / Tsallis / Bhattacharyya / Hellinger / χ² / total variation / Jensen-Shannon /
f-divergence / Fisher information derivations."""

from __future__ import annotations

import json
import subprocess
from functools import cache

import pytest
import sympy as sp
from optional import require_pdflatex

import symbolic_info as si
from symbolic_info.cli import default_member, run
from symbolic_info.render.json import derivation_to_dict
from symbolic_info.render.symbols import symbol_latex, text_escape

T = sp.Symbol("t", positive=True)

#: key -> (builder, family names, extra positional argument)
CASES = {
    "renyi_divergence normal": (si.renyi_divergence, ("normal", "normal"), ("alpha",)),
    "renyi_divergence exponential": (si.renyi_divergence, ("exponential",) * 2, (2,)),
    "renyi_entropy normal": (si.renyi_entropy, ("normal",), ("alpha",)),
    "tsallis_entropy exponential": (si.tsallis_entropy, ("exponential",), ("q",)),
    "bhattacharyya normal": (si.bhattacharyya, ("normal", "normal"), ()),
    "hellinger bernoulli": (si.hellinger, ("bernoulli", "bernoulli"), ()),
    "chi_square normal": (si.chi_square, ("normal", "normal"), ()),
    "total_variation uniform": (si.total_variation, ("uniform", "uniform"), ()),
    "jensen_shannon bernoulli": (si.jensen_shannon, ("bernoulli", "bernoulli"), ()),
    "jeffreys exponential": (si.jeffreys, ("exponential", "exponential"), ()),
    "f_divergence normal": (si.f_divergence, ("normal", "normal"),
                            (sp.Lambda(T, T * sp.log(T)),)),
    "fisher_information normal": (si.fisher_information, ("normal",), ()),
    "fisher_information gamma": (si.fisher_information, ("gamma",), ()),
}


@cache
def derived(key: str, base=None):
    builder, names, extra = CASES[key]
    members = [default_member(n, role) for role, n in enumerate(names, 1)]
    options = {} if base is None else {"base": base}
    return builder(*members, *extra, **options)


def compile_tex(source: str, directory) -> subprocess.CompletedProcess:
    (directory / "doc.tex").write_text(source, encoding="utf-8")
    return subprocess.run([require_pdflatex(), "-interaction=nonstopmode", "-halt-on-error",
                           "doc.tex"], cwd=directory, capture_output=True, text=True,
                          timeout=120)


# -- LaTeX ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", sorted(CASES))
def test_latex_block_renders(key):
    d = derived(key)
    out = d.latex()
    assert out.startswith(r"\begin{align*}") and r"\therefore" in out
    assert "_x" not in out and "Dummy" not in out
    assert all(ord(ch) < 128 for ch in out), "pdflatex-safe output is ASCII"


def test_every_new_quantity_compiles_in_one_document(tmp_path):
    require_pdflatex()
    source = si.document([derived(k) for k in sorted(CASES)], title="Issue 12")
    out = compile_tex(source, tmp_path)
    assert out.returncode == 0, out.stdout[-3000:]
    assert (tmp_path / "doc.pdf").exists()


@pytest.mark.parametrize("key, base", [("renyi_divergence normal", 2),
                                       ("fisher_information normal", 2),
                                       ("jensen_shannon bernoulli", 2)])
def test_standalone_in_base_b_compiles(tmp_path, key, base):
    require_pdflatex()
    d = derived(key, base)
    source = d.latex(standalone=True)
    out = compile_tex(source, tmp_path)
    assert out.returncode == 0, out.stdout[-3000:]


def test_fisher_in_base_b_divides_by_log_b_squared():
    out = derived("fisher_information normal", 2).latex()
    assert r"(\log 2)^{2}\," in out and r"\text{divide by } (\log 2)^{2}" in out


def test_abstract_definitions():
    tv = derived("total_variation uniform").latex()
    assert r"\left|p(x) - q(x)\right|" in tv or r"\left|p(t) - q(t)\right|" in tv
    assert r"f\!\left(\frac{p(x)}{q(x)}\right)" in derived("f_divergence normal").latex()
    assert r"p(x)^{\alpha} q(x)^{1 - \alpha}" in derived("renyi_divergence normal").latex()


def test_new_step_kinds_have_rows():
    out = derived("renyi_divergence normal").latex()
    assert r"\mu^{*} &=" in out and r"\sigma^{*} &=" in out          # ratio of normalisers
    assert r"\lim_{\alpha \to 1" in out                               # the order-1 limit
    fisher = derived("fisher_information gamma").latex()
    assert r"\mathcal{I}" in fisher and r"\therefore" in fisher


def test_text_escape_is_pdflatex_safe():
    text = text_escape("Rényi α θ ∂² · ⊆ Σ Α ñ — x_1")
    assert all(ord(ch) < 128 for ch in text)
    assert r"R\'{e}nyi" in text and r"$\alpha$" in text and r"$\partial$" in text
    assert r"$^{2}$" in text and r"$\cdot$" in text and r"$\subseteq$" in text
    assert symbol_latex("mu^*") == r"\mu^{*}"


def test_text_escape_compiles(tmp_path):
    require_pdflatex()
    body = "$\\text{" + text_escape("Rényi of order α, θ ∂² · ⊆ Σ ψ ñ ü ç — “q” ’") + "}$"
    source = "\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{amssymb}\n" \
             "\\begin{document}\n" + body + "\n\\end{document}\n"
    out = compile_tex(source, tmp_path)
    assert out.returncode == 0, out.stdout[-2000:]


# -- text and JSON -------------------------------------------------------------------------------
def test_fisher_text_names_the_variable_x():
    text = str(derived("fisher_information normal"))
    assert "_x" not in text and "p(x, mu_1, sigma_1)" in text


def test_json_of_a_matrix_result():
    data = json.loads(json.dumps(derivation_to_dict(derived("fisher_information normal"))))
    assert data["shape"] == [2, 2]
    assert sp.sympify(data["entries"][1][1]) == 2 / sp.Symbol("sigma_1") ** 2
    assert sp.Matrix(sp.sympify(data["result"])).shape == (2, 2)
    assert {s["rule"] for s in data["steps"]} >= {"definition", "differentiation"}


@pytest.mark.parametrize("key", sorted(CASES))
def test_json_of_every_quantity(key):
    data = json.loads(json.dumps(derivation_to_dict(derived(key))))
    assert data["quantity"] == key.split()[0] and data["status"] in si.derive.derivation.STATUSES
    assert all(isinstance(s["rule"], str) for s in data["steps"])


# -- command line --------------------------------------------------------------------------------
def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


COMMANDS = [
    ("renyi-divergence", "normal", "normal", "--alpha", "a"),
    ("renyi-entropy", "normal", "--alpha", "2"),
    ("tsallis-entropy", "normal", "--q", "q"),
    ("bhattacharyya", "normal", "normal"),
    ("hellinger", "exponential", "exponential"),
    ("chi-square", "normal", "normal"),
    ("total-variation", "uniform", "uniform"),
    ("jensen-shannon", "bernoulli", "bernoulli"),
    ("f-divergence", "normal", "normal", "--f", "t*log(t)"),
    ("fisher-information", "normal"),
]


@pytest.mark.parametrize("argv", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_cli_derive_text_json_latex(capsys, argv):
    code, out, err = cli(capsys, "derive", *argv)
    assert code == 0, err
    assert argv[0].replace("-", "_") in out and "steps:" in out
    code, out, err = cli(capsys, "derive", *argv, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["quantity"] == argv[0].replace("-", "_")
    code, out, err = cli(capsys, "derive", *argv, "--latex")
    assert code == 0, err
    assert out.startswith(r"\begin{align*}")


def test_cli_order_is_a_parameter(capsys):
    code, out, _ = cli(capsys, "derive", "renyi-divergence", "normal", "normal", "--alpha", "a",
                       "--json")
    assert code == 0 and json.loads(out)["parameters"][-1] == "a"


@pytest.mark.parametrize("argv, message", [
    (("renyi-divergence", "normal", "normal"), "needs --alpha"),
    (("renyi-entropy", "normal"), "needs --alpha"),
    (("tsallis-entropy", "normal"), "needs --q"),
    (("f-divergence", "normal", "normal"), "needs --f"),
    (("f-divergence", "normal", "normal", "--f", "t*log(s)"), "function of t alone"),
    (("f-divergence", "normal", "normal", "--f", "(("), "cannot read --f"),
    (("hellinger", "normal", "normal", "--alpha", "2"), "does not take --alpha"),
    (("hellinger", "normal", "normal", "--base", "2"), "base does not apply"),
    (("renyi-entropy", "normal", "--alpha", "-1"), "alpha"),
    (("fisher-information", "normal", "normal"), "needs one family"),
])
def test_cli_errors_are_one_line_with_status_2(capsys, argv, message):
    code, out, err = cli(capsys, "derive", *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err and message in err


def test_cli_base_where_it_applies(capsys):
    code, out, err = cli(capsys, "derive", "bhattacharyya", "normal", "normal", "--base", "2",
                         "--json")
    assert code == 0, err
    assert json.loads(out)["base"] == "2"


def test_cli_verify_a_new_quantity(capsys):
    code, out, err = cli(capsys, "verify", "1 - 2*sqrt(lam_1*lam_2)/(lam_1 + lam_2)",
                         "hellinger", "exponential", "exponential")
    assert code == 0, err + out
    code, out, err = cli(capsys, "verify", "log(a)", "renyi-entropy", "exponential",
                         "--alpha", "a")
    assert code == 1 and "DOES NOT HOLD" in out
