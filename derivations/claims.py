"""Every result the lecture states, each checked against what the engine derives.

A claim records what the lecture states (``expected``), what the engine derives (``derived``),
whether they agree (``ok``) and a ``note``: where the lecture rounds, ``ok`` is true and the
note says so; where the lecture is wrong (code that does not run as printed), ``ok`` is false
and the note explains.  No value here is typed in: each comes from ``symbolic_info``
(``entropy``, ``cross_entropy``, ``kl``, the joint builders) or from running the code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import sympy as sp

import symbolic_info as si
from symbolic_info.derive.joint import conditional_entropy, joint_entropy, mutual_information
from symbolic_info.families.joint import independent, joint

from . import code
from . import lecture_text as text


@dataclass
class Claim:
    id: str
    claim: str
    expected: object
    derived: object
    ok: bool
    note: str = ""
    derivations: list = field(default_factory=list, repr=False)

    def record(self) -> dict:
        """The claim as JSON: formulas (:func:`formula`) in sympy's string form."""
        out = asdict(self)
        out.pop("derivations")
        return {k: plain(v) for k, v in out.items()}


_FORMULA = re.compile("\u27e6(.*?)\u27e7", re.S)


def formula(expr) -> str:
    """``expr`` marked as a formula inside a claim's text: the lecture's table prints it as
    LaTeX (:func:`formulas`), claims.json in sympy's string form (:func:`plain`)."""
    if isinstance(expr, (list, tuple)):  # the roots solve gives: one, or a tuple of them
        expr = expr[0] if len(expr) == 1 else sp.Tuple(*expr)
    return "\u27e6" + sp.srepr(sp.sympify(expr)) + "\u27e7"


def formulas(text: str) -> list:
    """``text`` split into plain strings and the sympy expressions marked in it."""
    parts, start = [], 0
    for match in _FORMULA.finditer(text):
        parts += [text[start:match.start()], sp.sympify(match.group(1))]
        start = match.end()
    parts.append(text[start:])
    return [p for p in parts if not (isinstance(p, str) and not p)]


def plain(value):
    """A claim's field with its marked formulas in sympy's string form."""
    if not isinstance(value, str) or "\u27e6" not in value:
        return value
    return "".join(p if isinstance(p, str) else sp.sstr(p) for p in formulas(value))


CLAIMS: list[Callable[[], Claim]] = []


def claim(fn: Callable[[], Claim]) -> Callable[[], Claim]:
    CLAIMS.append(fn)
    return fn


def all_claims() -> list[Claim]:
    return [fn() for fn in CLAIMS]


# -- helpers ------------------------------------------------------------------------------------
def bern(p):
    return si.family("bernoulli", p=p)


def cat(*p):
    return si.family("categorical", p=list(p))


def normal(mu, sigma):
    return si.family("normal", mu=mu, sigma=sigma)


def value(d) -> float:
    """A numeric derivation's value (its result has no free symbols)."""
    return float(sp.N(d.result, 17))


def same(a, b) -> bool:
    """``a == b`` as functions, with logs expanded (the symbols are probabilities)."""
    diff = sp.expand_log(sp.sympify(a) - sp.sympify(b), force=True)
    return sp.simplify(diff) == 0


def rounds_to(x: float, shown: float, digits: int) -> bool:
    return round(x, digits) == shown


def fmt(x: float, digits: int = 6) -> float:
    return float(f"{x:.{digits}g}")


def entropy_of(member) -> tuple:
    """H of a categorical member whose probabilities are expressions: the engine derives H for
    free symbols u_1..u_k, which are then replaced by the expressions.  (The engine's numeric
    check draws each free symbol on its own, so it cannot sample a member whose
    probabilities are sums of other symbols constrained to total 1.)"""
    us = sp.symbols(f"u_1:{len(member.values) + 1}", nonnegative=True)
    d = si.entropy(cat(*us))
    return d, d.result.xreplace(dict(zip(us, member.values)))


def on_simplex(expr, symbols, eliminate) -> sp.Expr:
    """``expr`` with the last probability written as 1 minus the others."""
    others = [s for s in symbols if s != eliminate]
    return expr.xreplace({eliminate: 1 - sp.Add(*others)})


# -- entropy ------------------------------------------------------------------------------------
@claim
def fair_coin() -> Claim:
    d = si.entropy(bern(sp.Rational(1, 2)), base=2)
    ok = sp.simplify(d.result - 1) == 0
    return Claim("1", "Fair coin: H = -0.5 log2(0.5) * 2 = 1 bit (maximum uncertainty)",
                 1, fmt(value(d)), ok, "exact: H(Bernoulli(1/2)) = log 2 / log 2 = 1 bit",
                 [d])


@claim
def biased_coin() -> Claim:
    d = si.entropy(bern(0.9), base=2)
    v = value(d)
    return Claim("2", "Biased coin (p = 0.9): H ≈ 0.47 bits", 0.47, fmt(v),
                 rounds_to(v, 0.47, 2),
                 f"the lecture rounds to two decimals; exact value {formula(d.result)} "
                 f"= {v:.5f} bits", [d])


@claim
def nonnegative_and_deterministic() -> Claim:
    d = si.entropy(cat("p_1", "p_2", "p_3"))
    p = sp.Symbol("p", nonnegative=True)
    term_min = sp.minimum(-p * sp.log(p), p, sp.Interval(0, 1))
    terms_ok = all(same(t, -s * sp.log(s)) for t, s in
                   zip(sp.Add.make_args(d.result), d.parameters)) if len(
        sp.Add.make_args(d.result)) == 3 else False
    det = [si.entropy(cat(1, 0, 0)), si.entropy(bern(1)), si.entropy(bern(0))]
    det_values = [sp.simplify(x.result) for x in det]
    ok = term_min == 0 and terms_ok and all(v == 0 for v in det_values)
    return Claim("3", "H is non-negative, and H = 0 if the variable is deterministic",
                 "H >= 0; H = 0 when deterministic",
                 f"H = {formula(d.result)}: each term -p log p has minimum {formula(term_min)} on "
                 f"[0, 1]; H(categorical(1, 0, 0)) = {det_values[0]}, "
                 f"H(Bernoulli(1)) = {det_values[1]}, H(Bernoulli(0)) = {det_values[2]}",
                 bool(ok), "each term of the finite sum is >= 0 (0 log 0 = 0)", [d, det[0]])


@claim
def maximum_is_log_k() -> Claim:
    found, ok = [], True
    lam = sp.Symbol("lambda")
    for k in (2, 3, 4):
        d = si.entropy(cat(*[f"p_{i}" for i in range(1, k + 1)]))
        ps = d.parameters
        lagrangian = d.result + lam * (sp.Add(*ps) - 1)
        sols = sp.solve([sp.diff(lagrangian, s) for s in ps] + [sp.Add(*ps) - 1],
                        [*ps, lam], dict=True)
        hessian_diag = [sp.diff(d.result, s, 2) for s in ps]  # -1/p_i: H is concave
        concave = all(h.xreplace(sols[0]).is_negative for h in hessian_diag) if sols else False
        at = [sols[0][s] for s in ps] if len(sols) == 1 else None
        h_max = sp.simplify(d.result.xreplace(sols[0])) if len(sols) == 1 else None
        ok &= at == [sp.Rational(1, k)] * k and h_max is not None and \
            sp.simplify(h_max - sp.log(k)) == 0 and concave
        found.append(f"k={k}: p = ({', '.join(map(str, at or []))}), H = {formula(h_max)}")
    return Claim("4", "Maximum for the uniform distribution over k outcomes: log k",
                 "max H = log k at p_i = 1/k",
                 "; ".join(found) + " (Lagrange multipliers, sympy.solve; H concave: "
                 "d²H/dp_i² = -1/p_i < 0)", bool(ok), "derived for k = 2, 3, 4", [d])


@claim
def additivity_independent() -> Claim:
    hx, hy = si.entropy(cat("a_1", "a_2")), si.entropy(cat("b_1", "b_2", "b_3"))
    table = independent(list(hx.p.values), list(hy.p.values))
    hxy = joint_entropy(table)
    diff = sp.expand(sp.expand_log(hxy.result - hx.result - hy.result, force=True))
    a1, a2 = hx.parameters
    b1, b2, b3 = hy.parameters
    reduced = sp.simplify(diff.xreplace({a2: 1 - a1, b3: 1 - b1 - b2}))
    return Claim("5", "Additivity for independent X, Y: H(X,Y) = H(X) + H(Y)",
                 "H(X,Y) - H(X) - H(Y) = 0",
                 f"H(X,Y) - H(X) - H(Y) = {formula(sp.factor_terms(sp.collect(diff, [hx.result, hy.result])))} "  # noqa: E501
                 f"= {reduced} when a_1 + a_2 = 1 and b_1 + b_2 + b_3 = 1",
                 reduced == 0, "joint table = outer product of symbolic marginals "
                 "(2 × 3); the difference vanishes on the simplex", [hxy])


@claim
def bernoulli_entropy() -> Claim:
    d = si.entropy(bern("p"))
    p, = d.parameters
    stated = -p * sp.log(p) - (1 - p) * sp.log(1 - p)
    crit = sp.solve(sp.diff(d.result, p), p)
    second = [sp.simplify(sp.diff(d.result, p, 2).xreplace({p: c})) for c in crit]
    ok = same(d.result, stated) and crit == [sp.Rational(1, 2)] and all(s < 0 for s in second)
    return Claim("6", "Bernoulli entropy H(p) = -p log p - (1-p) log(1-p), maximal at p = 0.5",
                 "-p*log(p) - (1 - p)*log(1 - p); argmax 0.5",
                 f"{formula(d.result)}; dH/dp = 0 at p = {formula(crit)}, "
                 f"d²H/dp² = {formula(second)}",
                 bool(ok), "the engine's form equals the lecture's; the critical point is "
                 "a maximum", [d])


@claim
def normal_differential_entropy() -> Claim:
    d = si.entropy(normal("mu", "sigma"))
    sigma = next(s for s in d.parameters if s.name == "sigma")
    stated = sp.log(2 * sp.pi * sp.E * sigma**2) / 2
    threshold = sp.solve(d.result, sigma)
    slope = sp.simplify(sp.diff(d.result, sigma))
    at_small = float(d.result.xreplace({sigma: sp.Rational(1, 10)}))
    expected_t = 1 / sp.sqrt(2 * sp.pi * sp.E)
    ok = same(d.result, stated) and len(threshold) == 1 and \
        sp.simplify(threshold[0] - expected_t) == 0 and slope.is_positive and at_small < 0
    return Claim("7", "Differential entropy of N(mu, sigma^2) is ½ log(2πeσ²); it can be "
                 "negative", "½ log(2πeσ²); negative for small σ",
                 f"h = {formula(d.result)}; h = 0 at σ = {formula(threshold)} "
                 f"= 1/sqrt(2πe) ≈ {float(expected_t):.4f}; dh/dσ = {formula(slope)} > 0, "
                 f"so h < 0 exactly for σ < 1/sqrt(2πe) (h = {at_small:.4f} at σ = 0.1)",
                 bool(ok), "the lecture states the sign change without the threshold", [d])


# -- cross-entropy and KL -----------------------------------------------------------------------
def _bernoulli_pq():
    P, Q = bern("p"), bern("q")
    return si.entropy(P), si.cross_entropy(P, Q), si.kl(P, Q)


@claim
def cross_entropy_bound() -> Claim:
    h, ce, k = _bernoulli_pq()
    p, q = k.parameters
    identity = same(ce.result - h.result, k.result)
    crit = sp.solve(sp.diff(k.result, q), q)
    d2 = sp.simplify(sp.diff(k.result, q, 2))
    grid = np.linspace(0.01, 0.99, 99)
    f2 = sp.lambdify((p, q), d2, "numpy")
    convex = bool(np.all(f2(grid[:, None], grid[None, :]) > 0))
    at_eq = sp.simplify(k.result.xreplace({q: p}))
    P, Q = cat(0.5, 0.5), cat(0.9, 0.1)
    pq, qp = si.cross_entropy(P, Q), si.cross_entropy(Q, P)
    ok = identity and crit == [p] and convex and at_eq == 0 and \
        not np.isclose(value(pq), value(qp))
    return Claim("8", "H(P,Q) >= H(P) with equality iff P = Q; cross-entropy is not symmetric",
                 "H(P,Q) - H(P) >= 0, = 0 iff P = Q; H(P,Q) != H(Q,P)",
                 f"Bernoulli: H(P,Q) - H(P) = KL(P||Q) = {formula(k.result)}; d/dq = 0 only "
                 f"at q = {formula(crit)}, d²/dq² = {formula(d2)} > 0 on (0,1)², "
                 f"KL = {at_eq} at q = p; "
                 f"H([.5,.5],[.9,.1]) = {value(pq):.4f} != H([.9,.1],[.5,.5]) = "
                 f"{value(qp):.4f} nats", bool(ok),
                 "equality iff P = Q follows from CE - H = KL and Gibbs' inequality", [ce, pq])


@claim
def cross_entropy_example() -> Claim:
    d = si.cross_entropy(cat(1, 0), cat(0.9, 0.1))
    v = value(d)
    return Claim("9", "True P = [1, 0], predicted Q = [0.9, 0.1]: "
                 "H(P,Q) = -1 log(0.9) - 0 log(0.1) ≈ 0.105 nats", 0.105, fmt(v),
                 rounds_to(v, 0.105, 3),
                 f"the lecture rounds to three decimals; exact -log(9/10) = {v:.5f} nats "
                 "(the 0·log 0.1 term is 0)", [d])


@claim
def kl_is_ce_minus_h() -> Claim:
    h, ce, k = _bernoulli_pq()
    N1, N2 = normal("mu_1", "sigma_1"), normal("mu_2", "sigma_2")
    hn, cen, kn = si.entropy(N1), si.cross_entropy(N1, N2), si.kl(N1, N2)
    ok_b = same(ce.result - h.result, k.result)
    ok_n = same(cen.result - hn.result, kn.result)
    return Claim("10", "KL(P||Q) = H(P,Q) - H(P) (cross-entropy = entropy + KL)",
                 "KL = H(P,Q) - H(P)",
                 f"Bernoulli: H(P,Q) - H(P) - KL = 0 is {ok_b}; Normal: H(P,Q) - H(P) - KL "
                 f"= 0 is {ok_n}", ok_b and ok_n,
                 "checked symbolically for Bernoulli(p) vs Bernoulli(q) and "
                 "N(mu_1, sigma_1²) vs N(mu_2, sigma_2²)", [h, k])


@claim
def gibbs_asymmetry_triangle() -> Claim:
    _, _, k = _bernoulli_pq()
    p, q = k.parameters
    crit = sp.solve(sp.diff(k.result, q), q)
    at_eq = sp.simplify(k.result.xreplace({q: p}))
    B = {x: bern(x) for x in (0.1, 0.5, 0.9)}
    kl = {(a, b): value(si.kl(B[a], B[b])) for a in B for b in B if a != b}
    asym = (kl[(0.5, 0.9)], kl[(0.9, 0.5)])
    lhs, rhs = kl[(0.1, 0.9)], kl[(0.1, 0.5)] + kl[(0.5, 0.9)]
    ok = crit == [p] and at_eq == 0 and not np.isclose(*asym) and lhs > rhs
    return Claim("11", "KL >= 0 with equality iff P = Q (Gibbs); asymmetric; not a distance "
                 "(no triangle inequality)", "KL >= 0, = 0 iff P = Q; KL(P||Q) != KL(Q||P); "
                 "triangle inequality fails",
                 f"Bernoulli KL has its only critical point at q = p, where it is {at_eq}, "
                 f"and is convex in q; KL(B(.5)||B(.9)) = {asym[0]:.4f} != KL(B(.9)||B(.5)) = "
                 f"{asym[1]:.4f}; KL(B(.1)||B(.9)) = {lhs:.4f} > KL(B(.1)||B(.5)) + "
                 f"KL(B(.5)||B(.9)) = {rhs:.4f} nats", bool(ok),
                 "counterexample to the triangle inequality: P = B(0.1), Q = B(0.5), "
                 "R = B(0.9)", [k])


@claim
def kl_bernoulli_example() -> Claim:
    d = si.kl(bern(0.5), bern(0.6), base=2)
    v = value(d)
    return Claim("12", "P = Bern(0.5), Q = Bern(0.6): KL(P||Q) ≈ 0.029 bits", 0.029, fmt(v),
                 rounds_to(v, 0.029, 3),
                 f"the lecture rounds to three decimals; exact {formula(d.result)} = "
                 f"{v:.5f} bits", [d])


@claim
def normal_kl_closed_form() -> Claim:
    d = si.kl(normal("mu_1", "sigma_1"), normal("mu_2", "sigma_2"))
    m1, s1, m2, s2 = d.parameters
    stated = sp.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - sp.Rational(1, 2)
    ok = same(d.result, stated)
    f = d.lambdify()
    g = sp.lambdify((m1, s1, m2, s2), stated, "numpy")
    num = float(f(0.3, 1.2, -0.5, 0.7)) - float(g(0.3, 1.2, -0.5, 0.7))
    return Claim("13", "KL(N(μ1,σ1²) || N(μ2,σ2²)) = log(σ2/σ1) + (σ1² + (μ1-μ2)²)/(2σ2²) - 1/2",
                 formula(stated), formula(d.result), bool(ok and abs(num) < 1e-12),
                 f"symbolic difference 0; numeric difference {num:.1e} at (0.3, 1.2, -0.5, "
                 "0.7)", [d])


# -- joint quantities ---------------------------------------------------------------------------
def _symbolic_2x2():
    return joint([["p_11", "p_12"], ["p_21", "p_22"]])


@claim
def mutual_information_identities() -> Claim:
    J = _symbolic_2x2()
    ps = J.parameters
    mi = mutual_information(J)
    # KL(P(X,Y) || P(X)P(Y)) by the engine: categorical KL on the 4 cells with Q's cells as
    # free symbols, then Q's cells replaced by the products of the marginals.
    cells = cat(*ps)
    qs = sp.symbols("q_1:5", positive=True)
    kl = si.kl(cells, cat(*qs))
    prod = J.product_of_marginals().entries
    kl_sub = kl.result.xreplace(dict(zip(qs, prod)))
    _, hx = entropy_of(J.marginal_x())
    _, hy = entropy_of(J.marginal_y())
    hx_given_y = conditional_entropy(J, given="y")
    hxy = joint_entropy(J)
    last = ps[-1]
    checks = {
        "I = KL(P(X,Y) || P(X)P(Y))": same(mi.result, kl_sub),
        "I = H(X) - H(X|Y)": sp.simplify(on_simplex(sp.expand_log(
            mi.result - (hx - hx_given_y.result), force=True), ps, last)) == 0,
        "I = H(X) + H(Y) - H(X,Y)": sp.simplify(on_simplex(sp.expand_log(
            mi.result - (hx + hy - hxy.result), force=True), ps, last)) == 0,
    }
    return Claim("14", "Mutual information I(X;Y) = KL(P(X,Y) || P(X)P(Y)) = H(X) - H(X|Y)",
                 "I = KL(P(X,Y)||P(X)P(Y)) = H(X) - H(X|Y)",
                 f"I = {formula(mi.result)}; " + "; ".join(f"{k}: {v}" for k, v in
                                                           checks.items()),
                 all(checks.values()), "symbolic 2×2 joint table p_11..p_22 with "
                 "p_22 = 1 - p_11 - p_12 - p_21 where the identity needs the sum to be 1",
                 [mi, hx_given_y])


@claim
def chain_rule() -> Claim:
    J = _symbolic_2x2()
    hxy, (_, hx) = joint_entropy(J), entropy_of(J.marginal_x())
    hy_given_x = conditional_entropy(J, given="x")
    diff = sp.expand_log(hxy.result - hx - hy_given_x.result, force=True)
    ok = sp.simplify(diff) == 0
    return Claim("15", "Chain rule: H(X,Y) = H(X) + H(Y|X)", "H(X,Y) - H(X) - H(Y|X) = 0",
                 f"H(X,Y) - H(X) - H(Y|X) = {sp.simplify(diff)} on the symbolic 2×2 table",
                 bool(ok), "holds identically in p_11..p_22", [hxy, hy_given_x])


# -- the lecture's code -------------------------------------------------------------------------
_RUNS: dict[str, object] = {}


def python_runs():
    if "python" not in _RUNS:
        repaired, done = code.repair(text.PYTHON_SAMPLE, code.PYTHON_REPAIRS)
        _RUNS["python"] = (code.run_python(text.PYTHON_SAMPLE), code.run_python(repaired), done)
    return _RUNS["python"]


def rust_runs():
    if "rust" not in _RUNS:
        repaired, done = code.repair(text.RUST_SAMPLE, code.RUST_REPAIRS)
        if code.rustc():
            _RUNS["rust"] = (code.rust_errors_by_round(text.RUST_SAMPLE),
                             code.run_rust(repaired), done)
        else:
            _RUNS["rust"] = (None, None, code.static_rust_defects(text.RUST_SAMPLE))
    return _RUNS["rust"]


def _printed(label: str) -> str:
    printed, repaired, _ = python_runs()
    shown = printed.printed(label)
    if shown is not None:
        return f"printed as is: {shown}"
    again = repaired.printed(label)
    return "not reached as printed (" + printed.error + ")" + (
        f"; after the repair it prints {again}" if again else "")


@claim
def code_entropy_coin() -> Claim:
    d = si.entropy(cat(0.5, 0.5), base=2)
    printed, _, _ = python_runs()
    shown = printed.printed("Entropy coin:")
    ok = shown is not None and np.isclose(float(shown), value(d)) and value(d) == 1
    return Claim("16a", "Python: entropy([0.5, 0.5], base=2) prints 1 bit", 1, fmt(value(d)),
                 bool(ok), "Python " + _printed("Entropy coin:"), [])


@claim
def code_cross_entropy() -> Claim:
    d = si.cross_entropy(cat(0.5, 0.5), cat(0.9, 0.1))
    printed, repaired, done = python_runs()
    again = repaired.printed("Cross-entropy:")
    runs = printed.printed("Cross-entropy:") is not None
    return Claim("16b", "Python: cross_h = -np.sum(p * np.log(q + 1e-10)) for p = [0.5, 0.5], "
                 "q = [0.9, 0.1] (value not printed in the lecture)",
                 "runs and prints H(P,Q)", fmt(value(d)), runs,
                 f"as printed the line raises {printed.error}: {done[0]}. With q an array it "
                 f"prints {again} (engine: {value(d):.6f} nats; the 1e-10 smoothing is "
                 "negligible)")


@claim
def code_kl() -> Claim:
    d = si.kl(cat(0.5, 0.5), cat(0.9, 0.1))
    _, repaired, _ = python_runs()
    again = repaired.printed("KL(P||Q):")
    ok = again is not None and np.isclose(float(again), value(d), rtol=1e-9)
    return Claim("16c", "Python: entropy(p, q, base=np.e) gives KL(P||Q) for p = [0.5, 0.5], "
                 "q = [0.9, 0.1] (value not printed in the lecture)",
                 "KL(P||Q) in nats", fmt(value(d)), bool(ok),
                 "the line itself is correct; " + _printed("KL(P||Q):"), [d])


@claim
def code_ce_loss() -> Claim:
    d = si.cross_entropy(cat(1, 0), cat(0.8, 0.2))
    _, repaired, _ = python_runs()
    again = repaired.printed("CE loss:")
    ok = again is not None and np.isclose(float(again), value(d), rtol=1e-12)
    return Claim("16d", "Python: CE loss -sum(y_true log y_pred) for y_true = [1, 0], "
                 "y_pred = [0.8, 0.2] (value not printed; ≈ 0.223)", 0.223, fmt(value(d)),
                 bool(ok and rounds_to(value(d), 0.223, 3)),
                 "the line is correct (numpy arrays); " + _printed("CE loss:") +
                 f"; exact -log(4/5) = {value(d):.5f} nats", [d])


@claim
def code_normal_entropy() -> Claim:
    d = si.entropy(normal(0, 1))
    _, repaired, _ = python_runs()
    again = repaired.printed("Differential entropy normal:")
    ok = again is not None and np.isclose(float(again), value(d), rtol=1e-12)
    return Claim("16e", "Python: 0.5 log(2πeσ²) for N(0, 1) (value not printed; ≈ 1.4189)",
                 1.4189, fmt(value(d)), bool(ok and rounds_to(value(d), 1.4189, 4)),
                 f"exact {formula(d.result)} = {value(d):.6f} nats; the line is correct; "
                 + _printed("Differential entropy normal:"), [d])


@claim
def code_python_runs() -> Claim:
    printed, repaired, done = python_runs()
    return Claim("16f", "The Python sample runs as printed", "runs",
                 "runs" if printed.ok else printed.error, printed.ok,
                 "it prints the coin entropy, then stops: " + "; ".join(done) +
                 (". Repaired, it runs and every value matches the engine (16a-16e)"
                  if repaired.ok else ""))


@claim
def code_rust_compiles() -> Claim:
    errors, repaired, done = rust_runs()
    engine = {"Cross-entropy:": value(si.cross_entropy(cat(0.5, 0.5), cat(0.9, 0.1))),
              "KL(P||Q):": value(si.kl(cat(0.5, 0.5), cat(0.9, 0.1))),
              "CE loss:": value(si.cross_entropy(cat(1, 0), cat(0.8, 0.2))),
              "Differential entropy normal:": value(si.entropy(normal(0, 1))),
              "Entropy coin (base 2):": value(si.entropy(cat(0.5, 0.5), base=2))}
    if errors is None:
        derived = "rustc not installed; defects found by inspection: " + "; ".join(done)
        note = "the sample does not compile as printed"
        ok = not done
    else:
        derived = f"{len(errors)} rustc errors: " + "; ".join(errors)
        ok = not errors
        agree = repaired.ok and all(
            repaired.printed(k) is not None and np.isclose(float(repaired.printed(k)), v,
                                                           rtol=1e-8)
            for k, v in engine.items())
        note = ("does not compile as printed: " + "; ".join(done) +
                (". With these repairs it compiles, runs and every printed value matches the "
                 "engine" if agree else ". Even repaired, its output differs from the engine"))
    return Claim("16g", "The Rust sample compiles and prints the same values", "compiles",
                 derived, ok, note)


@claim
def sympy_snippet() -> Claim:
    run = code.run_python(text.SYMPY_SAMPLE)
    h = si.entropy(bern("p"))
    p, = h.parameters
    crit = sp.solve(sp.diff(h.result, p), p)
    k = si.kl(bern("p"), bern("q"))
    shown_p = run.printed("Max entropy p:")
    shown_kl = run.printed("KL(P||Q):")
    syms = {s.name: s for s in k.parameters}
    ok_p = shown_p is not None and sp.sympify(shown_p) == crit[0] == sp.Rational(1, 2)
    ok_kl = shown_kl is not None and same(sp.sympify(shown_kl, locals=syms), k.result)
    rust = code.run_rust(text.RUST_SYMPY_SAMPLE) if code.rustc() else None
    rust_note = "" if rust is None else (
        "; its Rust companion compiles and prints the same two lines as fixed strings "
        "(nothing is computed)" if rust.ok else f"; its Rust companion fails: {rust.error}")
    return Claim("17", "sympy: the argmax of the Bernoulli entropy is 0.5; the Bernoulli KL is "
                 "p log(p/q) + (1-p) log((1-p)/(1-q))",
                 "0.5; p*log(p/q) + (1 - p)*log((1 - p)/(1 - q))",
                 f"snippet prints {shown_p!r} and {shown_kl!r}; engine: argmax {crit}, "
                 f"KL = {formula(k.result)}", bool(ok_p and ok_kl),
                 "sympy prints the exact 1/2 where the comment says 0.5 (the same value); "
                 "the printed KL equals the engine's" + rust_note, [])
