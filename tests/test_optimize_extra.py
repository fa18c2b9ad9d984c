"""Optima: ties, inequality relations in the domain, LaTeX that compiles, the command line."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
import sympy as sp
from optional import require_pdflatex
from scipy import optimize
from scipy import stats as st

import symbolic_info as si
from symbolic_info.cli import run
from symbolic_info.errors import InvalidParameter
from symbolic_info.optimize import Optimum, max_entropy, maximize, minimize

x = sp.Symbol("x", real=True)
p = sp.Symbol("p", real=True)


def _rules(opt) -> list[str]:
    return [step.rule for step in opt.steps]


def _by_name(point: dict) -> dict:
    return {s.name: v for s, v in point.items()}


# -- ties -----------------------------------------------------------------------------------------
def test_tie_in_one_variable_lists_every_minimiser():
    opt = minimize(x**4 - x**2)
    assert opt.status == "minimum"
    assert opt.result == sp.Rational(-1, 4)
    r = sp.sqrt(2) / 2
    assert opt.argmins == [{x: -r}, {x: r}]
    assert opt.argmin == {x: -r} and opt.argmaxes is None
    tie = next(s for s in opt.steps if s.rule == "tie")
    assert "2 points" in tie.note
    assert {"candidates", "global optimum", "tie"} <= set(_rules(opt))
    f = sp.lambdify(x, x**4 - x**2)
    found = {round(float(optimize.minimize_scalar(f, bracket=(a, b)).x), 5)
             for a, b in ((-2.0, -0.5), (0.5, 2.0))}
    assert found == {round(-float(r), 5), round(float(r), 5)}
    assert min(f(np.linspace(-3, 3, 20001))) >= -0.25 - 1e-12


def test_tie_of_two_maximisers_of_a_symmetric_quartic():
    f = -(p - sp.Rational(1, 4)) ** 2 * (p - sp.Rational(3, 4)) ** 2
    opt = maximize(f)
    assert opt.status == "maximum" and opt.result == 0
    assert opt.argmaxes == [{p: sp.Rational(1, 4)}, {p: sp.Rational(3, 4)}]
    g = sp.lambdify(p, -f)
    for start in (0.1, 0.9):
        res = optimize.minimize(lambda v: g(v[0]), x0=[start], method="Nelder-Mead",
                                options={"xatol": 1e-10, "fatol": 1e-14})
        assert -res.fun == pytest.approx(0, abs=1e-12)
    assert max(-g(np.linspace(-2, 3, 5001))) <= 1e-15


def test_bernoulli_entropy_minimum_is_tied_at_both_ends():
    opt = minimize(si.entropy(si.family("bernoulli", p="p")))
    assert opt.status == "minimum"  # [0, 1] is closed: a point mass has entropy 0
    assert opt.result == 0
    assert [_by_name(a) for a in opt.argmins] == [{"p": 0}, {"p": 1}]
    assert "tie" in _rules(opt)
    f = si.entropy(si.family("bernoulli", p="p")).lambdify()
    assert np.all(f(np.linspace(1e-9, 1 - 1e-9, 1001)) >= 0)


def test_single_optimum_has_one_entry_in_argopts():
    opt = maximize(si.entropy(si.family("bernoulli", p="p")))
    assert opt.argmaxes == [opt.argmax]
    assert "tie" not in _rules(opt)


# -- inequality relations (uniform: a < b) ---------------------------------------------------------
def test_uniform_entropy_over_b_is_unbounded_both_ways():
    d = si.entropy(si.family("uniform"))
    a, b = d.parameters
    up = maximize(d, over="b")
    assert up.status == "unbounded" and up.result == sp.oo and up.argmax == {b: sp.oo}
    down = minimize(d, over="b")
    assert down.status == "unbounded" and down.result == -sp.oo and down.argmin == {b: a}
    objective = down.steps[0]
    assert "a < b" in objective.note and "Interval.open(a, oo)" in objective.note
    limit = next(s for s in down.steps if s.rule == "limit").expr
    assert limit.lhs.args[2] == a and str(limit.lhs.args[3]) == "+" and limit.rhs == -sp.oo
    f = d.lambdify()
    assert f(0.0, 1e-9) < f(0.0, 1e-3) < f(0.0, 1.0) < f(0.0, 1e6)


def test_uniform_entropy_over_a_and_over_both():
    d = si.entropy(si.family("uniform"))
    a, b = d.parameters
    assert maximize(d, over="a").argmax == {a: -sp.oo}
    assert minimize(d, over="a").argmin == {a: b}
    both = maximize(d)
    assert both.status == "unbounded" and both.result == sp.oo
    change = next(s for s in both.steps if s.rule == "change of variables")
    assert change.expr.lhs == b and sp.simplify(change.expr.rhs - a - sp.Symbol(
        "delta_b", positive=True)) == 0
    assert both.argmax == {a: a, b: sp.oo}
    assert both.over == (a, b)
    low = minimize(d)
    assert low.status == "unbounded" and low.result == -sp.oo and low.argmin == {a: a, b: a}


def test_critical_point_violating_the_relation_is_discarded():
    # cross-entropy of Uniform(1, b) against N(0, 1): the unconstrained critical point
    # b = -1/2 violates 1 < b; the objective increases on (1, oo): infimum as b -> 1+
    d = si.cross_entropy(si.family("uniform", a=1, b="b"), si.family("normal", mu=0, sigma=1))
    opt = minimize(d)
    (b,) = opt.over
    assert opt.status == "infimum"
    value = sp.log(2 * sp.pi) / 2 + sp.Rational(1, 2)
    assert sp.simplify(opt.result - value) == 0
    assert opt.argmin == {b: 1}
    assert next(s for s in opt.steps if s.rule == "critical points").expr == sp.Tuple()
    f = sp.lambdify(b, d.result)
    grid = np.linspace(1 + 1e-6, 10, 2000)
    assert np.all(f(grid) > float(value))
    assert f(1 + 1e-6) == pytest.approx(float(value), abs=1e-5)
    res = optimize.minimize_scalar(f, bounds=(1 + 1e-9, 10), method="bounded")
    assert res.x == pytest.approx(1, abs=1e-3)


def test_relation_with_a_symbolic_end_becomes_a_condition():
    d = si.cross_entropy(si.family("uniform", a="a", b="b"), si.family("normal", mu=0, sigma=1))
    opt = minimize(d, over="b")
    a, b = sp.Symbol("a", real=True), sp.Symbol("b", real=True)
    assert opt.status == "minimum"
    assert _by_name(opt.argmin) == {"b": -sp.Symbol("a", real=True) / 2}
    assert opt.conditions.subs({s: -1 for s in opt.conditions.free_symbols}) == sp.true
    assert opt.conditions.subs({s: 1 for s in opt.conditions.free_symbols}) == sp.false
    f = d.lambdify()
    for av in (-2.0, -0.3):
        res = optimize.minimize_scalar(lambda bv: f(av, bv), bounds=(av + 1e-9, 10),
                                       method="bounded")
        assert res.x == pytest.approx(-av / 2, abs=1e-4)
    del a, b


# -- max entropy: joint infeasibility (each a clear error) -----------------------------------------
@pytest.mark.parametrize("support, constraints, message", [
    (sp.Reals, {x: 1, x**2: sp.Rational(1, 2)}, r"Var\[X\] .* = -1/2"),
    (sp.Reals, {x: sp.Symbol("mu", real=True),
                x**2: sp.Symbol("mu", real=True) ** 2 - sp.Symbol("s", positive=True)},
     r"Var\[X\] .* = -s"),
    (sp.Reals, {x: 2, x**2: 4}, r"Var\[X\] .* = 0.*positive"),
    (sp.Reals, {(x - 1) ** 2: 1, x**2: 1, x: 3}, "contradict each other"),
    (sp.Interval(0, 1), {x: sp.Rational(1, 2), x**2: sp.Rational(1, 2)}, r"E\[\(X - 0\)"),
    (sp.Interval.open(0, sp.oo), {x: 1, sp.log(x): 1}, "strictly concave.*Jensen"),
    (sp.Reals, {x: 3, sp.Abs(x): 1}, r"E\[Abs\(x\)\] >= 3"),
    (sp.Interval(0, sp.oo), {x: -1}, r"E\[x\] = -1"),
    (sp.Reals, {sp.Abs(x - sp.Symbol("mu", real=True)): -1}, "no density"),
    (sp.Reals, {(x - sp.Symbol("mu", real=True)) ** 2: -1}, "no density"),
])
def test_infeasible_constraints_are_clear_errors(support, constraints, message):
    with pytest.raises(InvalidParameter, match=message) as info:
        max_entropy(x, support, constraints)
    assert "no density" in str(info.value) and "\n" not in str(info.value)


def test_feasibility_conditions_join_the_result():
    mu, m2 = sp.Symbol("mu", real=True), sp.Symbol("m2", real=True)
    d = max_entropy(x, sp.Reals, {x: mu, x**2: m2})
    assert d.conditions.subs({mu: 1, m2: 2}) == sp.true
    assert d.conditions.subs({mu: 1, m2: sp.Rational(1, 2)}) == sp.false
    m, ell = sp.Symbol("m", positive=True), sp.Symbol("l", real=True)
    gamma = max_entropy(x, sp.Interval.open(0, sp.oo), {x: m, sp.log(x): ell})
    assert gamma.conditions.subs({m: 1, ell: -1}) == sp.true  # E log X < log E X
    assert gamma.conditions.subs({m: 1, ell: 1}) == sp.false


# -- LaTeX ---------------------------------------------------------------------------------------
def _examples():
    k = sp.Symbol("k", integer=True, positive=True)
    pb, i = sp.IndexedBase("p"), sp.Symbol("i", integer=True)
    mu, sigma = sp.Symbol("mu", real=True), sp.Symbol("sigma", positive=True)
    return [
        maximize(si.entropy(si.family("bernoulli", p="p"))),
        maximize(si.entropy(si.family("categorical", p=["p_1", "p_2", "p_3"]))),
        maximize(-sp.Sum(pb[i] * sp.log(pb[i]), (i, 1, k))),
        maximize(si.entropy(si.family("geometric"))),
        maximize(si.entropy(si.family("poisson"))),
        minimize(si.kl(si.family("bernoulli", p="p"), si.family("bernoulli", p="q")), over="q"),
        minimize(si.kl(si.family("gamma", shape="k", rate="r"),
                       si.family("normal", mu="m", sigma="s")), over=["m", "s"]),
        minimize(x**4 - x**2),
        maximize(si.entropy(si.family("uniform"))),
        maximize(sp.sin(x) * sp.exp(-x**2), timeout=20),
        max_entropy(x, sp.Range(1, k + 1), {}),
        max_entropy(x, sp.Interval(sp.Symbol("a", real=True), sp.Symbol("c", real=True)), {}),
        max_entropy(x, sp.Interval(0, sp.oo), {x: mu}),
        max_entropy(x, sp.Reals, {x: mu, (x - mu) ** 2: sigma**2}),
        max_entropy(x, sp.Reals, {sp.Abs(x - mu): sigma}),
        max_entropy(x, sp.Interval.open(0, sp.oo), {x: sp.Symbol("m", positive=True),
                                                    sp.log(x): sp.Symbol("l", real=True)}),
        max_entropy(x, sp.Reals, {x: mu}),
    ]


@pytest.fixture(scope="module")
def examples():
    return _examples()


def test_latex_is_numbered_steps_not_a_chain(examples):
    for d in examples:
        tex = d.latex()
        assert tex.startswith(r"\begin{align*}") and tex.rstrip().endswith(r"\end{align*}")
        assert r"\textbf{1. " in tex and r"\therefore" in tex
        assert r"\resizebox" not in tex  # MathJax renders the block too
        for chunk in tex.split(r"\text{")[1:]:
            body = chunk.split("}")[0]
            assert "<" not in body.replace("$<$", "") and ">" not in body.replace("$>$", "")
    ties = next(d for d in examples if d.name == "minimize_expression")
    assert r"\text{and }" in ties.latex()  # the second minimiser


@pytest.mark.slow
def test_every_example_compiles_with_pdflatex(examples, tmp_path):
    pdflatex = require_pdflatex()
    for n, d in enumerate(examples):
        sub = tmp_path / str(n)
        sub.mkdir()
        (sub / "doc.tex").write_text(d.latex(standalone=True), encoding="utf-8")
        out = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                             cwd=sub, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, (d.name, out.stdout[-2000:])
        log = (sub / "doc.log").read_text(errors="replace")
        assert "Overfull" not in log, d.name


def test_implementation_paragraph_is_truthful_for_new_results(examples):
    from symbolic_info.render.implementation import implementation_latex
    for d in examples:
        tex, note = implementation_latex(d)
        if d.status in ("unbounded", "infinite"):
            assert tex is None and ("unbounded" in note or "infinite" in note)
        if d.status == "no_closed_form" and d.quantity != "max_entropy":
            assert tex is None and "no optimum is proved" in note
        if tex is not None:
            assert d.result.free_symbols  # a function of the fixed parameters


# -- command line --------------------------------------------------------------------------------
def test_cli_maximize_and_ties(capsys):
    assert run(["maximize", "entropy", "bernoulli"]) == 0
    out = capsys.readouterr().out
    assert "maximum" in out and "argmax     : p_1 = 1/2" in out
    assert run(["minimize", "entropy", "bernoulli"]) == 0
    out = capsys.readouterr().out
    assert "argmin     : p_1 = 0" in out and "argmin     : p_1 = 1" in out
    assert run(["maximize", "entropy", "poisson"]) == 0
    out = capsys.readouterr().out
    assert "unbounded" in out and "lam_1 = oo" in out


def test_cli_max_entropy(capsys):
    assert run(["max-entropy", "--support", "[0, oo)", "--constraint", "x=mu"]) == 0
    out = capsys.readouterr().out
    assert "exp(-x/mu)/mu" in out and "closed_form" in out


@pytest.mark.parametrize("argv", [
    ["maximize", "entropy", "bernoulli", "--over", "sigma"],
    ["maximize", "entropy", "nofamily"],
    ["maximize", "entropy", "bernoulli", "--standalone"],
    ["minimize", "kl", "bernoulli"],
    ["max-entropy", "--support", "nowhere"],
    ["max-entropy", "--support", "R", "--constraint", "x=1", "--constraint", "x**2=1/2"],
    ["max-entropy", "--support", "[0, oo)", "--constraint", "x=-1"],
    ["max-entropy", "--support", "R", "--constraint", "sin(x)=0"],
    ["max-entropy", "--support", "R", "--constraint", "x==1"],
    ["max-entropy", "--support", "R", "--constraint", "x=mu", "--json", "--latex"],
])
def test_cli_bad_input_is_one_line_and_exit_2(argv, capsys):
    assert run(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("symbolic-info: error: ") and err.count("\n") == 1


@pytest.mark.slow
def test_cli_latex_standalone_compiles(tmp_path, capsys):
    pdflatex = require_pdflatex()
    for n, argv in enumerate([["minimize", "entropy", "bernoulli", "--latex", "--standalone"],
                              ["max-entropy", "--support", "R", "--constraint", "x=mu",
                               "--constraint", "(x-mu)**2=sigma**2", "--latex",
                               "--standalone"]]):
        assert run(argv) == 0
        sub = tmp_path / str(n)
        sub.mkdir()
        (sub / "doc.tex").write_text(capsys.readouterr().out, encoding="utf-8")
        out = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                             cwd=sub, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stdout[-2000:]


# -- the examples, numerically ------------------------------------------------------------
def test_symbolic_k_categorical_beats_random_pmfs():
    k = sp.Symbol("k", integer=True, positive=True)
    pb, i = sp.IndexedBase("p"), sp.Symbol("i", integer=True)
    opt = maximize(-sp.Sum(pb[i] * sp.log(pb[i]), (i, 1, k)))
    rng = np.random.default_rng(3)
    for kv in (2, 5, 11):
        best = float(opt.result.subs(k, kv))
        assert float(opt.argmax[pb](1).subs(k, kv)) == pytest.approx(1 / kv)
        for _ in range(50):
            q = rng.dirichlet(np.ones(kv) * rng.uniform(0.2, 5))
            assert st.entropy(q) < best


def test_geometric_entropy_is_monotone_numerically():
    d = si.entropy(si.family("geometric"))
    opt = maximize(d)
    f = d.lambdify()
    grid = np.linspace(1e-4, 1 - 1e-4, 500)
    values = f(grid)
    assert np.all(np.diff(values) < 0)  # decreasing in p: sup as p -> 0
    assert _by_name(opt.argmax) == {"p": 0}


def test_optimum_type_round_trip():
    opt = minimize(x**4 - x**2)
    assert isinstance(opt, Optimum) and isinstance(opt.argopts, tuple)
    with pytest.raises(InvalidParameter):
        maximize(si.entropy(si.family("uniform")), over="c")


def test_document_mixes_optima_and_derivations(tmp_path):
    """si.document renders an optimum with its own numbered layout beside a plain KL."""
    pdflatex = require_pdflatex()
    optimum = maximize(si.entropy(si.family("bernoulli", p="p")))
    kl = si.kl(si.family("normal"), si.family("normal", mu="m", sigma="s"))
    tex = si.document([optimum, kl], title="Mixed")
    assert optimum.latex_section() in tex
    (tmp_path / "mixed.tex").write_text(tex, encoding="utf-8")
    done = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "mixed.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
    assert "Overfull" not in done.stdout
