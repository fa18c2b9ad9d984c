"""Products of independent components, mutual information between blocks, and families of
symbolic dimension (MatrixSymbol mvnormal, IndexedBase mvnormal_diag)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
import torch
from scipy import stats
from torch.distributions import Independent, MultivariateNormal, Normal, kl_divergence

import symbolic_info as si

K = sp.Symbol("k", integer=True, positive=True)


def _spd(rng, k):
    a = rng.normal(size=(k, k))
    return a @ a.T / k + 0.5 * np.eye(k)


# -- products ----------------------------------------------------------------------------------
def test_product_entropy_and_kl_are_sums_of_components():
    p1, p2 = si.family("normal", mu="m1", sigma="s1"), si.family("exponential", rate="l1")
    q1, q2 = si.family("normal", mu="m2", sigma="s2"), si.family("gamma", shape="a", rate="l2")
    P, Q = si.independent(p1, p2), si.independent(q1, q2)
    h = si.entropy(P)
    assert h.status == "closed_form"
    assert sp.simplify(h.result - si.entropy(p1).result - si.entropy(p2).result) == 0
    d = si.kl(P, Q)
    assert sp.simplify(d.result - si.kl(p1, q1).result - si.kl(p2, q2).result) == 0
    kinds = [str(s.kind) for s in d.steps]
    assert "additivity over independent components" in kinds
    assert kinds.count("component") == 2
    assert si.cross_validate(d, n=2).ok


def test_two_categorical_marginals_still_give_a_joint_table():
    table = si.independent([0.5, 0.5], [0.25, 0.75])
    assert isinstance(table, si.JointTable)


def test_mixed_product_entropy():
    B = si.independent(si.family("bernoulli", p="p"), si.family("normal", mu="m", sigma="s"))
    d = si.entropy(B)
    p, s = sp.symbols("p s", positive=True)
    value = d.result.subs({sp.Symbol("p", nonnegative=True): 0.3,
                           sp.Symbol("s", positive=True): 2.0, sp.Symbol("m", real=True): 0})
    expected = stats.bernoulli(0.3).entropy() + stats.norm(0, 2.0).entropy()
    assert float(value) == pytest.approx(float(expected), rel=1e-12)


def test_mvnormal_against_a_product_of_normals():
    M = si.family("mvnormal", mu=["m1", "m2"], cov=[["s11", "s12"], ["s12", "s22"]])
    N = si.independent(si.family("normal", mu="n1", sigma="t1"),
                       si.family("normal", mu="n2", sigma="t2"))
    d = si.kl(M, N)
    assert d.status == "closed_form"
    assert si.cross_validate(d, n=2).ok


# -- mutual information ------------------------------------------------------------------------
def test_gaussian_mutual_information_is_the_log_det_ratio():
    P = si.family("mvnormal", mu=["m1", "m2", "m3"],
                  cov=[["s11", "s12", "s13"], ["s12", "s22", "s23"], ["s13", "s23", "s33"]])
    d = si.mutual_information(P, between=([0], [1, 2]))
    assert d.status == "closed_form"
    rng = np.random.default_rng(3)
    for _ in range(3):
        c = _spd(rng, 3)
        names = {f"s{i + 1}{j + 1}": c[i, j] for i in range(3) for j in range(i, 3)}
        point = {s: names[s.name] for s in d.result.free_symbols if s.name in names}
        expected = 0.5 * np.log(c[0, 0] * np.linalg.det(c[1:, 1:]) / np.linalg.det(c))
        assert float(d.result.subs(point)) == pytest.approx(expected, rel=1e-10)
    kinds = [str(s.kind) for s in d.steps]
    assert "marginal law" in kinds


def test_conditional_entropy_is_the_schur_complement():
    P = si.family("mvnormal", mu=["m1", "m2"], cov=[["s11", "s12"], ["s12", "s22"]])
    d = si.conditional_entropy(P, given=[1])
    s11, s12, s22 = 2.0, 0.7, 1.5
    point = {s: v for s in d.result.free_symbols
             for n, v in (("s11", s11), ("s12", s12), ("s22", s22)) if s.name == n}
    schur = s11 - s12**2 / s22
    assert float(d.result.subs(point)) == pytest.approx(0.5 * np.log(2 * np.pi * np.e * schur),
                                                        rel=1e-12)


def test_table_mutual_information_unchanged_and_bad_blocks_rejected():
    assert si.mutual_information([[0.25, 0.25], [0.25, 0.25]]).result == 0
    P = si.family("mvnormal", mu=["m1", "m2"], cov=[["s11", "s12"], ["s12", "s22"]])
    with pytest.raises(si.InvalidParameter, match="disjoint"):
        si.mutual_information(P, between=([0], [0]))
    with pytest.raises(si.InvalidParameter, match="0..1"):
        si.mutual_information(P, between=([0], [2]))


# -- symbolic dimension ------------------------------------------------------------------------
def _matrix_members():
    P = si.family("mvnormal", mu=sp.MatrixSymbol("mu_1", K, 1),
                  cov=sp.MatrixSymbol("Sigma_1", K, K))
    Q = si.family("mvnormal", mu=sp.MatrixSymbol("mu_2", K, 1),
                  cov=sp.MatrixSymbol("Sigma_2", K, K))
    return P, Q


def _at(expr, values, k):
    subs = {sp.MatrixSymbol(n, K, K if v.ndim == 2 else 1):
            sp.ImmutableMatrix(v if v.ndim == 2 else v.reshape(-1, 1)) for n, v in values.items()}
    return float(sp.N(expr.subs({**subs, K: k}).doit()))


@pytest.mark.parametrize("k", [1, 3, 5])
def test_matrix_mvnormal_kl_and_entropy_against_torch_and_scipy(k):
    P, Q = _matrix_members()
    d, h = si.kl(P, Q), si.entropy(P)
    assert d.status == h.status == "closed_form"
    assert d.checked
    rng = np.random.default_rng(k)
    for _ in range(2):
        values = {"mu_1": rng.normal(size=k), "Sigma_1": _spd(rng, k),
                  "mu_2": rng.normal(size=k), "Sigma_2": _spd(rng, k)}
        t = {n: torch.tensor(v) for n, v in values.items()}
        ref = float(kl_divergence(MultivariateNormal(t["mu_1"], t["Sigma_1"]),
                                  MultivariateNormal(t["mu_2"], t["Sigma_2"])))
        assert _at(d.result, values, k) == pytest.approx(ref, rel=1e-10)
        ent = stats.multivariate_normal(values["mu_1"], values["Sigma_1"]).entropy()
        assert _at(h.result, values, k) == pytest.approx(float(ent), rel=1e-10)


def test_matrix_mvnormal_latex_uses_matrix_notation():
    P, Q = _matrix_members()
    tex = si.kl(P, Q).latex()
    for piece in (r"\operatorname{tr}", r"\log\det", "^{-1}", r"^{\top}"):
        assert piece in tex


def test_symbolic_dimension_diagonal_kl_is_a_sum_and_matches_torch():
    P = si.family("mvnormal_diag", mu=sp.IndexedBase("mu"),
                  sigma=sp.IndexedBase("sigma", positive=True), k=K)
    Q = si.family("mvnormal_diag", mu=sp.IndexedBase("m"),
                  sigma=sp.IndexedBase("s", positive=True), k=K)
    d = si.kl(P, Q)
    assert d.status == "closed_form" and d.result.has(sp.Sum)
    rng = np.random.default_rng(0)
    mu, sg = rng.normal(size=(7, 64)), rng.uniform(0.5, 2, (7, 64))
    m, s = rng.normal(size=(7, 64)), rng.uniform(0.5, 2, (7, 64))
    ours = d.lambdify()(mu=mu, sigma=sg, m=m, s=s)
    t = torch.tensor
    ref = kl_divergence(Independent(Normal(t(mu), t(sg)), 1),
                        Independent(Normal(t(m), t(s)), 1)).numpy()
    np.testing.assert_allclose(ours, ref, rtol=1e-12)
    torch_value = d.lambdify("torch")(mu=t(mu), sigma=t(sg), m=t(m), s=t(s))
    np.testing.assert_allclose(torch_value.numpy(), ref, rtol=1e-12)


def test_symbolic_dimension_diagonal_kl_is_accurate_near_equality():
    import mpmath
    P = si.family("mvnormal_diag", mu=sp.IndexedBase("mu"),
                  sigma=sp.IndexedBase("sigma", positive=True), k=K)
    Q = si.family("mvnormal_diag", mu=sp.IndexedBase("m"),
                  sigma=sp.IndexedBase("s", positive=True), k=K)
    f = si.kl(P, Q).lambdify()
    rng = np.random.default_rng(1)
    mu, sg = rng.normal(size=8), rng.uniform(0.5, 2, 8)
    m, s = mu + 1e-9, sg * (1 + 1e-8)
    with mpmath.workdps(50):
        exact = float(sum((mpmath.mpf(a) - mpmath.mpf(b)) ** 2 / (2 * mpmath.mpf(c) ** 2)
                          + mpmath.mpf(d) ** 2 / (2 * mpmath.mpf(c) ** 2)
                          + mpmath.log(mpmath.mpf(c) / mpmath.mpf(d)) - mpmath.mpf(1) / 2
                          for a, b, c, d in zip(m, mu, s, sg)))
    assert abs(f(mu=mu, sigma=sg, m=m, s=s) - exact) <= 1e-10 * exact


def test_the_vae_kl_of_symbolic_dimension():
    P = si.family("mvnormal_diag", mu=sp.IndexedBase("mu"),
                  sigma=sp.IndexedBase("sigma", positive=True), k=K)
    i = sp.Symbol("i", integer=True, positive=True)
    std = si.family("normal", mu=0, sigma=1)
    d = si.kl(P.factors()[0], std)
    mu, sigma = sp.IndexedBase("mu"), sp.IndexedBase("sigma", positive=True)
    expected = (mu[i] ** 2 + sigma[i] ** 2 - 1) / 2 - sp.log(sigma[i])
    assert sp.simplify(d.result - expected) == 0


# -- Dirichlet of symbolic dimension ------------------------------------------------------------
def _dirichlets():
    P = si.family("dirichlet", alpha=sp.IndexedBase("alpha", positive=True), k=K)
    Q = si.family("dirichlet", alpha=sp.IndexedBase("beta", positive=True), k=K)
    return P, Q


def test_symbolic_dirichlet_entropy_and_kl_against_scipy_and_torch():
    from torch.distributions import Dirichlet
    P, Q = _dirichlets()
    h, d = si.entropy(P), si.kl(P, Q)
    assert h.status == d.status == "closed_form" and h.checked and d.checked
    assert any(str(s.kind) == "expectation" and "tilting" in s.note for s in d.steps)
    rng = np.random.default_rng(5)
    for k in (2, 3, 7):
        a, b = rng.uniform(0.3, 4, (4, k)), rng.uniform(0.3, 4, (4, k))
        expected = [stats.dirichlet(row).entropy() for row in a]
        np.testing.assert_allclose(h.lambdify()(alpha=a), expected, rtol=1e-10)
        ref = kl_divergence(Dirichlet(torch.tensor(a)), Dirichlet(torch.tensor(b))).numpy()
        np.testing.assert_allclose(d.lambdify()(alpha=a, beta=b), ref, rtol=1e-10)
        np.testing.assert_allclose(
            d.lambdify("torch")(alpha=torch.tensor(a), beta=torch.tensor(b)).numpy(), ref,
            rtol=1e-10)


def test_symbolic_dirichlet_kl_of_p_and_p_is_zero():
    P, _ = _dirichlets()
    assert sp.simplify(si.kl(P, P).result) == 0


# -- bivariate user densities ------------------------------------------------------------------
def test_bivariate_user_density_entropy_and_mutual_information():
    x, y = sp.symbols("x y", real=True)
    lam, mu = sp.symbols("lam mu", positive=True)
    P = si.from_density("two_exponentials", lam * mu * sp.exp(-lam * x - mu * y), (x, y),
                        sp.ProductSet(sp.Interval(0, sp.oo), sp.Interval(0, sp.oo)))
    h = si.entropy(P)
    assert h.status == "closed_form"
    assert sp.simplify(h.result - (2 - sp.log(lam * mu))) == 0
    assert si.mutual_information(P, between=([0], [1])).result == 0


def test_bivariate_user_density_without_closed_form_has_a_numeric_value():
    from scipy import integrate
    x, y = sp.symbols("x y", real=True)
    theta = sp.Symbol("theta", positive=True)
    C = si.from_density("fgm_copula", 1 + theta * (2 * x - 1) * (2 * y - 1), (x, y),
                        sp.ProductSet(sp.Interval(0, 1), sp.Interval(0, 1)),
                        relations=[theta < 1])
    m = si.mutual_information(C, between=([0], [1]))
    # the FGM copula's h(X, Y) = -∫∫ c log c: sympy's iterated integration either finishes
    # without a closed form or reaches its caps; either way the value is the integral's
    assert m.status in ("no_closed_form", "timed_out"), m.status

    def c(v, u):
        w = 1 + 0.5 * (2 * u - 1) * (2 * v - 1)
        return w * np.log(w)

    expected = integrate.dblquad(c, 0, 1, 0, 1)[0]
    assert m.lambdify()(theta=0.5) == pytest.approx(expected, rel=1e-8)


def test_bivariate_user_density_that_is_not_one_is_refused():
    x, y = sp.symbols("x y", real=True)
    with pytest.raises(si.InvalidParameter, match="integrates to 1/4"):
        si.from_density("not_normalised", x * y, (x, y),
                        sp.ProductSet(sp.Interval(0, 1), sp.Interval(0, 1)))
    n = si.from_density("normalised", x * y, (x, y),
                        sp.ProductSet(sp.Interval(0, 1), sp.Interval(0, 1)), normalize=True)
    assert si.entropy(n).status == "closed_form"


# -- verify, symbolic dimension ---------------------------------------------------------------
TEXTBOOK_MVN_KL = (r"\frac{1}{2}\left(\operatorname{tr}\left(\Sigma_2^{-1}\Sigma_1\right)"
                   r" + (\mu_2-\mu_1)^\top \Sigma_2^{-1}(\mu_2-\mu_1) - k"
                   r" + \log\det\Sigma_2 - \log\det\Sigma_1\right)")


@pytest.mark.parametrize("claim", [
    TEXTBOOK_MVN_KL,
    "(trace(inv(Sigma_2)*Sigma_1) + (mu_2 - mu_1).T*inv(Sigma_2)*(mu_2 - mu_1) - k"
    " + logdet(Sigma_2) - logdet(Sigma_1))/2",
])
def test_verify_accepts_the_textbook_mvn_kl(claim):
    P, Q = _matrix_members()
    assert si.verify(claim, si.kl(P, Q)).holds


@pytest.mark.parametrize("claim", [
    # the frequently printed variants: no 1/2, Sigma_1 and Sigma_2 swapped in the trace,
    # the wrong sign of the log-determinant ratio
    TEXTBOOK_MVN_KL.replace(r"\frac{1}{2}", ""),
    TEXTBOOK_MVN_KL.replace(r"\Sigma_2^{-1}\Sigma_1", r"\Sigma_1^{-1}\Sigma_2"),
    TEXTBOOK_MVN_KL.replace(r"+ \log\det\Sigma_2 - \log\det\Sigma_1",
                            r"- \log\det\Sigma_2 + \log\det\Sigma_1"),
])
def test_verify_rejects_wrong_mvn_kls_with_a_counterexample(claim):
    P, Q = _matrix_members()
    verdict = si.verify(claim, si.kl(P, Q))
    assert not verdict.holds
    assert verdict.counterexample is not None and "k" in verdict.counterexample


def test_verify_mvn_entropy_in_latex():
    P, _ = _matrix_members()
    h = si.entropy(P)
    assert si.verify(r"\frac{k}{2}\left(1 + \log 2\pi\right) + \frac{1}{2}\log\det\Sigma_1",
                     h).holds
    assert not si.verify(r"\frac{k}{2}\log 2\pi + \frac{1}{2}\log\det\Sigma_1", h).holds


def test_dirichlet_mutual_information_between_two_coordinates():
    D = si.family("dirichlet", alpha=["a1", "a2", "a3"])
    d = si.mutual_information(D, between=([0], [1]))
    assert d.status == "closed_form"
    a = [1.5, 2.0, 2.5]
    expected = (stats.beta(a[0], a[1] + a[2]).entropy() + stats.beta(a[1], a[0] + a[2]).entropy()
                - stats.dirichlet(a).entropy())
    assert d.lambdify()(a1=a[0], a2=a[1], a3=a[2]) == pytest.approx(float(expected), rel=1e-10)


def test_matrix_mvnormal_kl_keeps_its_digits_next_to_equality():
    import mpmath
    P, Q = _matrix_members()
    d = si.kl(P, Q)
    rng = np.random.default_rng(11)
    k = 16
    m1, s1 = rng.normal(size=k), _spd(rng, k)
    m2, s2 = m1 * (1 + 1e-8), s1 * (1 + 1e-8)
    with mpmath.workdps(50):
        a, b = mpmath.matrix(s1.tolist()), mpmath.matrix(s2.tolist())
        diff = mpmath.matrix((m2 - m1).tolist())
        inv = b ** -1
        exact = float((sum((inv * a)[i, i] for i in range(k)) + (diff.T * inv * diff)[0, 0] - k
                       + mpmath.log(mpmath.det(b)) - mpmath.log(mpmath.det(a))) / 2)
    for backend, wrap in (("numpy", np.asarray), ("torch", torch.tensor)):
        value = d.lambdify(backend)(mu_1=wrap(m1), Sigma_1=wrap(s1), mu_2=wrap(m2),
                                    Sigma_2=wrap(s2))
        assert abs(float(value) - exact) <= 1e-10 * exact, (backend, float(value), exact)
    ts = torch.tensor(s2, requires_grad=True)
    value = d.lambdify("torch")(mu_1=torch.tensor(m1), Sigma_1=torch.tensor(s1),
                                mu_2=torch.tensor(m2), Sigma_2=ts)
    value.backward()
    assert torch.isfinite(ts.grad).all()


def test_cross_validate_results_of_symbolic_dimension():
    P, Q = _matrix_members()
    report = si.cross_validate(si.kl(P, Q), n=3)
    assert report.ok and "explicit dimensions" in report.method, str(report)
    D, E = _dirichlets()
    assert si.cross_validate(si.kl(D, E), n=2).ok
    V = si.family("mvnormal_diag", mu=sp.IndexedBase("mu"),
                  sigma=sp.IndexedBase("sigma", positive=True), k=K)
    assert si.cross_validate(si.entropy(V), n=2).ok
