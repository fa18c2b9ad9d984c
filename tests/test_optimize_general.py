"""One argument for the entropy of any discrete family over one parameter, and one for any
symmetric sum over a simplex: the Poisson, binomial and negative-binomial cases (and a user's
family) run through the same code, and every result is checked against scipy; where the
argument cannot prove an optimum the status is no_closed_form and the test names the reason."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from scipy import stats as st
from scipy.special import entr

import symbolic_info as si
from symbolic_info.optimize import maximize, minimize


def _rules(opt) -> list[str]:
    return [str(step.rule) for step in opt.steps]


def _step(opt, rule: str):
    return next(s for s in opt.steps if s.rule == rule)


def _ends(opt) -> list[float]:
    (theta,) = opt.over
    return sorted(float(a[theta]) for a in opt.argopts)


def _sym(opt, name: str) -> sp.Symbol:
    return next(s for s in opt.objective.free_symbols if s.name == name)


def _bound(opt, end: int):
    """The upper bound of the 'entropy bound' step used at the end ``end`` (0 or 1)."""
    bounds = [s.expr for s in opt.steps if s.rule == "entropy bound"]
    relations = [next(r for r in b.args if isinstance(r, sp.LessThan)) for b in bounds]
    return relations[end].rhs


# -- the same code for every family -------------------------------------------------------------
@pytest.mark.parametrize("name, over", [("poisson", "lam"), ("binomial", "p"),
                                        ("negative_binomial", "p"), ("negative_binomial", "r")])
def test_infimum_zero_for_every_family(name, over):
    d = si.entropy(si.family(name))
    opt = minimize(d, over, timeout=60)
    assert opt.status == "infimum" and opt.result == 0
    assert {"entropy series", "positive", "mean", "entropy bound", "limit",
            "infimum"} <= set(_rules(opt))
    assert "Poisson" not in " ".join(s.note for s in opt.steps)
    theta = opt.over[0]
    expected = {("poisson", "lam"): [0.0], ("binomial", "p"): [0.0, 1.0],
                ("negative_binomial", "p"): [1.0], ("negative_binomial", "r"): [0.0]}
    assert _ends(opt) == expected[(name, over)]
    # the stated bound is above scipy's entropy on a grid, and the entropy tends to 0 there
    n, r, p = 6, 2.5, 0.35
    law = {("poisson", "lam"): lambda v: st.poisson(v),
           ("binomial", "p"): lambda v: st.binom(n, v),
           ("negative_binomial", "p"): lambda v: st.nbinom(r, v),
           ("negative_binomial", "r"): lambda v: st.nbinom(v, p)}[(name, over)]
    fixed = {s: {"n": n, "r": r, "p": p}[s.name] for s in opt.objective.free_symbols
             if s != theta and s.name in ("n", "r", "p")}
    grid = {"lam": [0.01, 0.3, 2.0, 9.0], "p": [0.02, 0.3, 0.7, 0.98],
            "r": [0.01, 0.5, 3.0, 20.0]}[over]
    for i, end in enumerate(_ends(opt)):
        upper = _bound(opt, i).subs(fixed)
        for v in grid:
            h = float(law(v).entropy())
            assert 0 < h <= float(upper.subs(theta, v)) + 1e-9
        near = end + (1e-7 if end == 0 else -1e-7)
        assert float(law(near).entropy()) < 1e-4
        assert float(upper.subs(theta, near)) < 1e-4


def test_poisson_and_negative_binomial_over_p_are_unbounded_by_one_argument():
    for name, over, end in (("poisson", "lam", sp.oo), ("negative_binomial", "p", 0)):
        opt = maximize(si.entropy(si.family(name)), over, timeout=60)
        assert opt.status == "unbounded" and opt.result == sp.oo, name
        assert [a[opt.over[0]] for a in opt.argopts] == [end]
        assert {"entropy series", "largest mass", "limit", "pointwise limit", "lower bound",
                "unbounded"} <= set(_rules(opt))
    # the negative binomial's sup over p of p_n, against a grid, and its entropy growing as p -> 0
    largest = _step(opt, "largest mass").expr.rhs
    n = next(s for s in largest.free_symbols if s.name == "n")
    r = _sym(opt, "r")
    ps = np.linspace(1e-4, 1 - 1e-4, 200_001)
    for rv, nv in ((0.7, 1), (2.5, 4), (6.0, 30)):
        best = float(np.max(st.nbinom(rv, ps).pmf(nv)))
        assert float(largest.subs({r: rv, n: nv})) == pytest.approx(best, rel=1e-6)
    log_largest = [s.expr.lhs.args[0] for s in opt.steps if s.rule == "limit"][0]
    assert float(log_largest.subs({r: 2.5, n: sp.Float(10**6)}).evalf()) < np.log(1e-5)
    ks = np.arange(400_000)  # scipy's nbinom.entropy() does not converge for small p
    hs = [float(entr(st.nbinom(2.5, v).pmf(ks)).sum()) for v in (0.5, 0.1, 0.01, 0.001)]
    assert np.all(np.diff(hs) > 0) and hs[-1] > 8


def test_negative_binomial_over_r_is_increasing_but_unbounded_is_not_proved():
    opt = maximize(si.entropy(si.family("negative_binomial")), "r", timeout=60)
    assert opt.status == "no_closed_form"
    assert {"generating function", "convolution", "conditioning", "monotone"} <= set(_rules(opt))
    reason = opt.steps[-1].note
    assert "not shown strictly concave in r" in reason  # sup over r of p_n needs polygammas
    assert "strictly increasing" in reason
    # what was proved holds: the entropy increases in r (scipy), and the pgf is multiplicative
    for p in (0.2, 0.6):
        hs = [float(st.nbinom(r, p).entropy()) for r in np.linspace(0.05, 30, 60)]
        assert np.all(np.diff(hs) > 0)
    pgf = _step(opt, "generating function").expr.rhs
    s = next(x for x in pgf.free_symbols if x.name == "s")
    r, p = _sym(opt, "r"), _sym(opt, "p")
    ks = np.arange(400)
    for rv, pv, sv in ((1.5, 0.3, 0.5), (4.0, 0.7, 0.9)):
        numeric = float((st.nbinom(rv, pv).pmf(ks) * sv**ks).sum())
        assert float(pgf.subs({r: rv, p: pv, s: sv})) == pytest.approx(numeric, rel=1e-10)


def test_binomial_over_p_maximum_is_honestly_not_proved():
    opt = maximize(si.entropy(si.family("binomial")), "p", timeout=60)
    assert opt.status == "no_closed_form"
    assert opt.argopts == ()
    reason = opt.steps[-1].note
    assert "support of binomial(n=n, p=p) is finite" in reason
    assert "stationarity equation is a series" in reason
    # the truth it does not claim: the maximum over p is at 1/2 (scipy)
    ps = np.linspace(0.01, 0.99, 99)
    for n in (1, 4, 15):
        assert ps[int(np.argmax([st.binom(n, v).entropy() for v in ps]))] == pytest.approx(0.5)


def test_bits_and_a_users_family_take_the_same_path():
    opt = minimize(si.entropy(si.family("binomial"), base=2), "p", timeout=60)
    assert opt.status == "infimum" and opt.result == 0
    scaled = _step(opt, "entropy series").expr[0]
    assert sp.simplify(scaled.rhs / sp.Function("H")(opt.over[0]) - 1 / sp.log(2)) == 0
    mu = sp.Symbol("mu", positive=True)
    k = sp.Symbol("k", integer=True, nonnegative=True)
    mine = si.from_density("my_counts", mu**k * sp.exp(-mu) / sp.factorial(k), k,
                           sp.Range(0, sp.oo))
    top = maximize(si.entropy(mine), timeout=60)
    low = minimize(si.entropy(mine), timeout=60)
    assert (top.status, top.result, top.argmax) == ("unbounded", sp.oo, {mu: sp.oo})
    assert (low.status, low.result, low.argmin) == ("infimum", 0, {mu: 0})


def test_a_sum_that_is_not_an_entropy_is_not_argued():
    x = sp.Symbol("x", integer=True, nonnegative=True)
    t = sp.Symbol("t", positive=True)
    opt = maximize(sp.Sum(t**x * sp.exp(-t) / sp.factorial(x) * sp.sin(x), (x, 0, sp.oo)),
                   timeout=20)
    assert opt.status == "no_closed_form"
    assert "entropy series" not in _rules(opt)
    assert opt.steps[-1].note.startswith("stationarity equations not solved")


# -- symmetric sums over a simplex of symbolic size ---------------------------------------------
K = sp.Symbol("k", integer=True, positive=True)
P = sp.IndexedBase("p")
IDX = sp.Symbol("i", integer=True)


def _simplex_points(k: int, rng, m: int = 2000) -> np.ndarray:
    return rng.dirichlet(np.ones(k), size=m)


@pytest.mark.parametrize("sense, summand, value, rule, numeric", [
    ("max", -P[IDX] * sp.log(P[IDX]), sp.log(K), "concavity",
     lambda q: -(q * np.log(q)).sum(axis=1)),
    ("min", P[IDX] ** 2, 1 / K, "convexity", lambda q: (q**2).sum(axis=1)),
    ("max", sp.sqrt(P[IDX]), sp.sqrt(K), "concavity", lambda q: np.sqrt(q).sum(axis=1)),
])
def test_symmetric_sum_from_its_summand(sense, summand, value, rule, numeric):
    objective = sp.Sum(summand, (IDX, 1, K))
    opt = (maximize if sense == "max" else minimize)(objective)
    assert opt.status == ("maximum" if sense == "max" else "minimum")
    assert sp.simplify(opt.result - value) == 0
    assert opt.argopt[P](2) == 1 / K
    assert {"Lagrangian", "stationarity", "symmetry", rule, "global optimum"} <= set(_rules(opt))
    rng = np.random.default_rng(3)
    for k in (2, 5, 9):
        at_uniform = float(value.subs(K, k))
        values = numeric(_simplex_points(k, rng))
        assert float(numeric(np.full((1, k), 1 / k))[0]) == pytest.approx(at_uniform)
        if sense == "max":
            assert values.max() <= at_uniform + 1e-12
        else:
            assert values.min() >= at_uniform - 1e-12


def test_symmetric_sum_with_the_wrong_curvature_is_not_claimed():
    opt = maximize(sp.Sum(P[IDX] ** 2, (IDX, 1, K)))
    assert opt.status == "no_closed_form"
    assert opt.argopts == ()
    assert "opposite sign" in opt.steps[-1].note and "global minimum" in opt.steps[-1].note
    # indeed a vertex of the simplex gives 1 > 1/k
    assert float((np.eye(4)[0] ** 2).sum()) > 1 / 4
