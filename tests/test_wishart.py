"""The Wishart family (issue 11): entropy, cross-entropy and KL divergence derived on the cone of
symmetric positive definite matrices, for a symbolic dimension p and for explicit 2 x 2 entries.

The textbook formulas below are used only here, to test what the engine derives:

* H = (p+1)/2 log det V + p(p+1)/2 log 2 + log Gamma_p(n/2) - (n-p-1)/2 psi_p(n/2) + n p/2,
* KL(W(n1, V1) || W(n2, V2)) = n2/2 (log det V2 - log det V1) + n1/2 tr(V2^-1 V1) - n1 p/2
  + log Gamma_p(n2/2) - log Gamma_p(n1/2) + (n1 - n2)/2 psi_p(n1/2).

Independent numeric references: ``scipy.stats.wishart(df, scale).entropy()`` and Monte Carlo
means of ``scipy.stats.wishart.logpdf`` over ``scipy.stats.wishart.rvs`` draws.
"""

from __future__ import annotations

import dataclasses
import subprocess

import numpy as np
import pytest
import sympy as sp
from optional import needs, require_pdflatex
from scipy import special, stats

import symbolic_info as si
from symbolic_info.derive.derivation import StepKind
from symbolic_info.derive.matrix import cone_numeric_check
from symbolic_info.families.wishart import SPDCone, logmultigamma, multidigamma, multigamma

P_DIM = sp.Symbol("p", integer=True, positive=True)
N1, N2 = sp.symbols("n_1 n_2", positive=True)
V1, V2 = sp.MatrixSymbol("V_1", P_DIM, P_DIM), sp.MatrixSymbol("V_2", P_DIM, P_DIM)
ENTRIES_1 = [["v11", "v12"], ["v12", "v22"]]
ENTRIES_2 = [["w11", "w12"], ["w12", "w22"]]


def _members():
    return (si.family("wishart", df=N1, scale=V1), si.family("wishart", df=N2, scale=V2))


def _spd(rng, k):
    a = rng.normal(size=(k, k))
    return a @ a.T / k + 0.5 * np.eye(k)


def _at(expr, k, values: dict):
    """``expr`` at dimension k with numeric scalars and matrices, as a float."""
    point = {s: sp.ImmutableMatrix(v) if isinstance(v, np.ndarray) else sp.Float(v, 20)
             for s, v in values.items()}
    return float(sp.N(expr.subs({**point, P_DIM: k}).doit(), 20))


def _textbook_entropy(n, v, p):
    return ((p + 1) / 2 * sp.log(sp.Determinant(v)) + p * (p + 1) / 2 * sp.log(2)
            + logmultigamma(p, n / 2) - (n - p - 1) / 2 * multidigamma(p, n / 2) + n * p / 2)


def _textbook_kl(n1, v1, n2, v2, p, half=True):
    c = sp.Rational(1, 2) if half else 1  # half=False: the "missing /2" shipped elsewhere
    return (n2 / 2 * (sp.log(sp.Determinant(v2)) - sp.log(sp.Determinant(v1)))
            + c * n1 * sp.Trace(v2.I * v1) - n1 * p / 2 + logmultigamma(p, n2 / 2)
            - logmultigamma(p, n1 / 2) + (n1 - n2) / 2 * multidigamma(p, n1 / 2))


# -- the family ---------------------------------------------------------------------------------
def test_member_is_a_matrix_family_on_the_cone():
    P, _ = _members()
    assert P.matrix and isinstance(P.support, SPDCone)
    assert P.density.has(multigamma(P_DIM, N1 / 2))
    E = si.family("wishart", df=N1, scale=ENTRIES_1)
    assert E.matrix and E.support == SPDCone(2)
    assert [s.name for s in E.parameters] == ["n_1", "v11", "v12", "v22"]


def test_multivariate_gamma_functions():
    a = sp.Symbol("a", positive=True)
    assert sp.diff(logmultigamma(P_DIM, a), a) == multidigamma(P_DIM, a)
    assert sp.diff(sp.log(multigamma(P_DIM, a)), a) == multidigamma(P_DIM, a)
    for k, x in ((1, 2.3), (2, 3.7), (3, 4.1)):
        assert float(logmultigamma(k, x)) == pytest.approx(special.multigammaln(x, k), rel=1e-14)
        assert float(multidigamma(k, x)) == pytest.approx(
            sum(special.digamma(x + (1 - j) / 2) for j in range(1, k + 1)), rel=1e-14)
    assert multigamma(2, a).rewrite(sp.gamma) == sp.sqrt(sp.pi) * sp.gamma(a) * sp.gamma(
        a - sp.Rational(1, 2))


@pytest.mark.parametrize("bad, parameter", [
    (dict(df=1, scale=[[1, 0], [0, 1]]), "df"),                  # df not > p - 1
    (dict(df=sp.Rational(3, 2), scale=sp.MatrixSymbol("V", 3, 3)), "df"),
    (dict(df=-2, scale=V1), "df"),
    (dict(df="n", scale=[[1, 2, 3], [4, 5, 6]]), "scale"),      # not square
    (dict(df="n", scale=sp.MatrixSymbol("V", 2, 3)), "scale"),
    (dict(df="n", scale=[[1, 2], [3, 4]]), "scale"),             # not symmetric
    (dict(df="n", scale=[[1, 2], [2, 1]]), "scale"),             # not positive definite
    (dict(df="n", scale="V"), "scale"),
    (dict(df="n"), "scale"),
])
def test_bad_inputs_name_the_parameter(bad, parameter):
    with pytest.raises(si.InvalidParameter, match=parameter):
        si.family("wishart", **bad)


# -- entropy ------------------------------------------------------------------------------------
def test_entropy_is_the_textbook_form_and_is_derived_step_by_step():
    P, _ = _members()
    d = si.entropy(P)
    assert d.status == "closed_form"
    assert sp.expand(d.result - _textbook_entropy(N1, V1, P_DIM)) == 0
    kinds = [s.kind for s in d.steps]
    assert kinds[:2] == [StepKind.DEFINITION, StepKind.DENSITIES]
    assert StepKind.NUMERIC_CHECK in kinds
    moments = {str(s.expr.lhs): s for s in d.steps
               if s.kind is StepKind.EXPECTATION and isinstance(s.expr, sp.Eq)}
    assert moments["log(Z(a, Theta))"].note.endswith("(Muirhead 1982, Theorem 2.1.11)")
    assert moments["E(W)"].expr.rhs == N1 * V1
    assert "Jacobi" in moments["E(W)"].note and "standard errors" in moments["E(W)"].note
    ld = moments["E(log(Determinant(W)))"]
    assert sp.expand(ld.expr.rhs - (multidigamma(P_DIM, N1 / 2) + P_DIM * sp.log(2)
                                    + sp.log(sp.Determinant(V1)))) == 0
    assert "derivative of log Z in a" in ld.note


def test_steps_survive_the_store():
    """A derivation read back from the store keeps its steps E[W] = n V, ... (an evaluated
    ``Eq`` of a scalar function and a matrix would come back as False)."""
    from symbolic_info.derive.quantities import clear_cache
    P, _ = _members()
    first = si.entropy(P)
    clear_cache()
    again = si.entropy(P)
    assert [s.expr for s in again.steps] == [s.expr for s in first.steps]
    assert any(isinstance(s.expr, sp.Eq) and s.expr.rhs == N1 * V1 for s in again.steps)


@pytest.mark.parametrize("k", [2, 3])
def test_entropy_against_scipy(k, rng):
    P, _ = _members()
    d = si.entropy(P)
    for _ in range(4):
        n, v = rng.uniform(k - 0.5, k + 8), _spd(rng, k)
        got = _at(d.result, k, {N1: n, V1: v})
        assert got == pytest.approx(stats.wishart(df=n, scale=v).entropy(), rel=1e-10)


def test_entropy_of_a_fixed_size_and_a_numeric_df():
    V = sp.MatrixSymbol("V", 3, 3)
    d = si.entropy(si.family("wishart", df=7, scale=V))
    v = _spd(np.random.default_rng(5), 3)
    got = float(sp.N(d.result.subs(V, sp.ImmutableMatrix(v)).doit(), 20))
    assert got == pytest.approx(stats.wishart(df=7, scale=v).entropy(), rel=1e-10)


def test_df_near_p_minus_one_is_derived_and_its_monte_carlo_check_skipped():
    """df = 5/4 > p - 1 at p = 2 is valid, but draws have determinants near 0: the KL is still
    derived; the Monte Carlo checks say why they did not run."""
    V, S = sp.MatrixSymbol("V", 2, 2), sp.MatrixSymbol("S", 2, 2)
    d = si.kl(si.family("wishart", df=sp.Rational(5, 4), scale=V),
              si.family("wishart", df="m", scale=S))
    assert d.status == "closed_form"
    assert d.steps[-1].kind is StepKind.NO_NUMERIC_CHECK
    assert "df >= 3" in d.steps[-1].note
    m = sp.Symbol("m", positive=True)
    assert sp.expand(d.result - _textbook_kl(sp.Rational(5, 4), V, m, S, 2)) == 0


# -- KL divergence and cross-entropy -------------------------------------------------------------
def test_kl_is_the_textbook_form_and_the_wrong_one_is_caught():
    P, Q = _members()
    d = si.kl(P, Q)
    assert d.status == "closed_form"
    assert sp.expand(d.result - _textbook_kl(N1, V1, N2, V2, P_DIM)) == 0
    wrong = _textbook_kl(N1, V1, N2, V2, P_DIM, half=False)
    assert sp.expand(d.result - wrong) != 0
    # the wrong formula is not 0 at P = Q; the derived one is
    same = {N2: N1, V2: V1}
    assert sp.expand(d.result.xreplace(same).doit()) == 0
    assert sp.simplify(wrong.xreplace(same).doit()) != 0
    # and the engine's own numeric check rejects it
    with pytest.raises(si.SymbolicInfoError, match="Monte Carlo"):
        cone_numeric_check(dataclasses.replace(d, result=wrong), np.random.default_rng(7))


def test_kl_of_a_member_with_itself_is_exactly_zero():
    P, _ = _members()
    assert si.kl(P, P).result == 0
    E = si.family("wishart", df=N1, scale=ENTRIES_1)
    assert si.kl(E, E).result == 0


def test_kl_is_nonnegative_at_random_points(rng):
    P, Q = _members()
    d = si.kl(P, Q)
    for k in (2, 3):
        for _ in range(6):
            values = {N1: rng.uniform(k - 0.5, k + 8), N2: rng.uniform(k - 0.5, k + 8),
                      V1: _spd(rng, k), V2: _spd(rng, k)}
            assert _at(d.result, k, values) >= 0


def test_cross_entropy_is_entropy_plus_kl():
    P, Q = _members()
    ce, h, kl = si.cross_entropy(P, Q), si.entropy(P), si.kl(P, Q)
    assert sp.expand(ce.result - h.result - kl.result) == 0
    E, F = (si.family("wishart", df=N1, scale=ENTRIES_1),
            si.family("wishart", df=N2, scale=ENTRIES_2))
    gap = si.cross_entropy(E, F).result - si.entropy(E).result - si.kl(E, F).result
    assert sp.simplify(gap) == 0


def test_kl_and_cross_entropy_against_monte_carlo_at_p_2():
    """scipy's own sampler and log-density (its logpdf loops in Python: 40000 draws)."""
    rng = np.random.default_rng(11)
    P, Q = _members()
    kl, ce = si.kl(P, Q), si.cross_entropy(P, Q)
    n1, n2, v1, v2 = 5.3, 4.1, _spd(rng, 2), _spd(rng, 2)
    draws = stats.wishart.rvs(df=n1, scale=v1, size=40_000, random_state=rng)
    x = np.transpose(draws, (1, 2, 0))
    log_p = stats.wishart.logpdf(x, df=n1, scale=v1)
    log_q = stats.wishart.logpdf(x, df=n2, scale=v2)
    for d, g in ((kl, log_p - log_q), (ce, -log_q)):
        se = g.std(ddof=1) / np.sqrt(g.size)
        got = _at(d.result, 2, {N1: n1, N2: n2, V1: v1, V2: v2})
        assert abs(got - g.mean()) <= 5 * se, (d.name, got, g.mean(), se)


def test_explicit_entries_are_the_symbolic_result_at_p_2(rng):
    P, Q = _members()
    E, F = (si.family("wishart", df=N1, scale=ENTRIES_1),
            si.family("wishart", df=N2, scale=ENTRIES_2))
    for quantity, args, generic in (("entropy", (E,), (P,)), ("kl", (E, F), (P, Q)),
                                    ("cross_entropy", (E, F), (P, Q))):
        d = getattr(si, quantity)(*args)
        assert d.status == "closed_form"
        assert not d.result.has(sp.MatrixSymbol, logmultigamma, multidigamma)
        assert "the derivation at p = 2" in d.steps[-2].note
        symbolic = getattr(si, quantity)(*generic).result
        v1, v2 = _spd(rng, 2), _spd(rng, 2)
        n1, n2 = rng.uniform(2, 9), rng.uniform(2, 9)
        names = {"n_1": n1, "n_2": n2, "v11": v1[0, 0], "v12": v1[0, 1], "v22": v1[1, 1],
                 "w11": v2[0, 0], "w12": v2[0, 1], "w22": v2[1, 1]}
        explicit = float(d.result.subs({s: names[s.name] for s in d.result.free_symbols}))
        assert explicit == pytest.approx(
            _at(symbolic, 2, {N1: n1, N2: n2, V1: v1, V2: v2}), rel=1e-12)


# -- rendering and numerics ------------------------------------------------------------------------
def test_latex_proof_compiles(tmp_path):
    pdflatex = require_pdflatex()
    P, Q = _members()
    E = si.family("wishart", df=N1, scale=ENTRIES_1)
    tex = si.document([si.entropy(P), si.kl(P, Q), si.entropy(E)])
    for piece in (r"\Gamma_{p}", r"\psi_{p}", r"\log\det V_{1}", r"\log \Gamma_{2}",
                  r"\mathbb{E}_{P}[W] &= n_{1} V_{1}"):
        assert piece in tex, piece
    (tmp_path / "wishart.tex").write_text(tex)
    run = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "wishart.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "wishart.pdf").exists()


def _reference_kl(n1, v1, n2, v2):
    k = v1.shape[-1]
    psi = sum(special.digamma(n1 / 2 + (1 - j) / 2) for j in range(1, k + 1))
    return (n2 / 2 * (np.linalg.slogdet(v2)[1] - np.linalg.slogdet(v1)[1])
            + n1 / 2 * np.trace(np.linalg.solve(v2, v1)) - n1 * k / 2
            + special.multigammaln(n2 / 2, k) - special.multigammaln(n1 / 2, k)
            + (n1 - n2) / 2 * psi)


def _batch(rng, k, size):
    a = rng.normal(size=(size, k, k))
    return {"n_1": rng.uniform(k, k + 9, size), "V_1": a @ np.swapaxes(a, -1, -2) / k
            + 0.5 * np.eye(k), "n_2": rng.uniform(k, k + 9, size),
            "V_2": _spd(rng, k)[None] + 0.1 * np.eye(k)}


def test_lambdify_on_batches(rng):
    P, Q = _members()
    f = si.kl(P, Q).lambdify()
    for k in (2, 4):
        args = _batch(rng, k, 500)
        got = f(**args)
        want = np.array([_reference_kl(args["n_1"][i], args["V_1"][i], args["n_2"][i],
                                       args["V_2"][0]) for i in range(500)])
        assert got.shape == (500,)
        assert np.max(np.abs(got - want) / np.abs(want)) < 1e-12
        assert np.all(got >= 0)


@needs("torch")
def test_lambdify_torch(rng):
    import torch
    P, Q = _members()
    f = si.kl(P, Q).lambdify("torch")
    args = _batch(rng, 3, 200)
    got = f(**{k: torch.tensor(v) for k, v in args.items()}).numpy()
    want = si.kl(P, Q).lambdify()(**args)
    assert np.max(np.abs(got - want) / np.abs(want)) < 1e-12


@pytest.mark.parametrize(("p_name", "q_name"), [("gamma", "wishart"), ("wishart", "gamma"),
                                                ("mvnormal", "wishart"),
                                                ("categorical", "wishart")])
def test_a_law_of_matrices_against_one_of_numbers_is_infinite(p_name, q_name):
    """P and Q on different spaces (the SPD cone and the reals or R^k): P ≪ Q fails, so the
    KL is oo with the reason as a support step (the atlas once lost these cells to an engine
    TypeError when Q was the Wishart)."""
    p, q = si.pair(p_name, q_name)
    d = si.kl(p, q)
    assert d.status == "infinite" and d.result == sp.oo
    step = next(s for s in d.steps if s.rule == "support")
    assert "symmetric positive definite matrices" in step.note
