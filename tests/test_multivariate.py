"""Multivariate families of explicit dimension: mvnormal, mvnormal_diag, dirichlet.

* entropies against scipy.stats (``multivariate_normal``, ``dirichlet``), through ``d.result``
  and through ``d.lambdify()``, to 1e-10 relative;
* KL divergences against ``torch.distributions.kl_divergence`` in float64 on random batches,
  evaluated by ``d.lambdify()`` on arrays, to 1e-10 relative (denominator ``max(|ref|, 1e-8)``);
* the VAE term KL(N(mu, diag sigma^2) || N(0, I)) in closed form;
* properties: KL(P||P) = 0 exactly, KL >= 0, CE = H + KL;
* invalid parameters, numeric and expression entries, LaTeX (with pdflatex), cross_validate.

torch registers no KL between ``Independent(Normal)`` and ``MultivariateNormal``; for the
diagonal-vs-full cases the reference is torch's MultivariateNormal with covariance
``diag(sigma^2)``, and a separate test checks that this is the same distribution as
``Independent(Normal(mu, sigma), 1)`` (log-densities and entropies agree).

The derivations run in the session's isolated store (``SYMBOLIC_INFO_CACHE`` is set by
conftest.py before symbolic_info is imported) and are computed once per session here.
"""

from __future__ import annotations

import functools
import inspect
import re
import subprocess

import numpy as np
import pytest
import sympy as sp
from optional import needs, require_pdflatex
from scipy import stats

import symbolic_info as si

RTOL = 1e-10
FLOOR = 1e-8  # denominator floor for the relative error of values near zero


# -- families and derivations, once per session -----------------------------------------------
def _cov_names(c: str, k: int) -> list[list[str]]:
    return [[f"{c}{min(i, j)}{max(i, j)}" for j in range(1, k + 1)] for i in range(1, k + 1)]


@functools.cache
def mvn(k: int, mean: str = "m", cov: str = "s") -> si.Family:
    """mvnormal(mu=[m1..mk], cov=[[s11, s12, ...], ...]) with symbolic entries."""
    return si.family("mvnormal", mu=[f"{mean}{i}" for i in range(1, k + 1)],
                     cov=_cov_names(cov, k))


@functools.cache
def diag(k: int = 2, mean: str = "m", sigma: str = "s") -> si.Family:
    return si.family("mvnormal_diag", mu=[f"{mean}{i}" for i in range(1, k + 1)],
                     sigma=[f"{sigma}{i}" for i in range(1, k + 1)])


@functools.cache
def dirichlet(k: int, alpha: str = "a") -> si.Family:
    return si.family("dirichlet", alpha=[f"{alpha}{i}" for i in range(1, k + 1)])


@functools.cache
def derived(quantity: str, p: si.Family, q: si.Family | None = None) -> si.Derivation:
    fn = {"entropy": si.entropy, "kl": si.kl, "cross_entropy": si.cross_entropy}[quantity]
    d = fn(p) if q is None else fn(p, q)
    assert d.status == "closed_form", (quantity, p, q, d.status)
    return d


# -- random valid parameters ---------------------------------------------------------------------
def random_cov(rng: np.random.Generator, k: int, n: int | None = None) -> np.ndarray:
    """A A^T / k + 0.5 I: symmetric positive definite (shape (k, k) or (n, k, k))."""
    a = rng.normal(size=(k, k) if n is None else (n, k, k))
    return a @ np.swapaxes(a, -1, -2) / k + 0.5 * np.eye(k)


def mvn_values(mean: np.ndarray, cov: np.ndarray, m: str = "m", s: str = "s") -> dict:
    """Parameter names of ``mvn(k, m, s)`` -> values (scalars or arrays over a batch)."""
    k = mean.shape[-1]
    values = {f"{m}{i + 1}": mean[..., i] for i in range(k)}
    values |= {f"{s}{i + 1}{j + 1}": cov[..., i, j] for i in range(k) for j in range(i, k)}
    return values


def diag_values(mean: np.ndarray, sigma: np.ndarray, m: str = "m", s: str = "s") -> dict:
    k = mean.shape[-1]
    return ({f"{m}{i + 1}": mean[..., i] for i in range(k)}
            | {f"{s}{i + 1}": sigma[..., i] for i in range(k)})


def alpha_values(alpha: np.ndarray, a: str = "a") -> dict:
    return {f"{a}{i + 1}": alpha[..., i] for i in range(alpha.shape[-1])}


def random_alpha(rng: np.random.Generator, k: int, n: int | None = None) -> np.ndarray:
    return rng.uniform(0.3, 4, size=k if n is None else (n, k))


# -- evaluation --------------------------------------------------------------------------------
def by_subs(expr: sp.Expr, values: dict) -> float:
    """float(expr.subs(...)) with the values given by symbol name."""
    symbols = {s.name: s for s in expr.free_symbols}
    return float(expr.subs({symbols[name]: float(v) for name, v in values.items()
                            if name in symbols}))


def by_lambdify(d: si.Derivation, values: dict):
    """d.lambdify() called with the keywords it takes (by name), on scalars or arrays."""
    f = d.lambdify()
    names = inspect.signature(f).parameters
    return f(**{name: values[name] for name in names})


def rel_error(value, reference) -> np.ndarray:
    value, reference = np.asarray(value, dtype=float), np.asarray(reference, dtype=float)
    return np.abs(value - reference) / np.maximum(np.abs(reference), FLOOR)


def symbol(d: si.Derivation, name: str) -> sp.Symbol:
    return next(s for s in d.result.free_symbols if s.name == name)


# == 1. entropy against scipy.stats ================================================================
@pytest.mark.parametrize("k", [2, 3])
def test_mvnormal_entropy_matches_scipy(k, rng):
    d = derived("entropy", mvn(k))
    assert {s.name for s in d.result.free_symbols} <= set(mvn_values(np.zeros(k),
                                                                     np.eye(k)))
    for _ in range(5):
        mean, cov = rng.uniform(-2, 2, size=k), random_cov(rng, k)
        ref = stats.multivariate_normal(mean, cov).entropy()
        values = mvn_values(mean, cov)
        assert rel_error(by_subs(d.result, values), ref) <= RTOL, (values, ref)
        assert rel_error(by_lambdify(d, values), ref) <= RTOL, (values, ref)


@pytest.mark.parametrize("k", [3, 4])
def test_dirichlet_entropy_matches_scipy(k, rng):
    d = derived("entropy", dirichlet(k))
    for _ in range(5):
        alpha = random_alpha(rng, k)
        ref = stats.dirichlet(alpha).entropy()
        values = alpha_values(alpha)
        assert rel_error(by_subs(d.result, values), ref) <= RTOL, (alpha, ref)
        assert rel_error(by_lambdify(d, values), ref) <= RTOL, (alpha, ref)


def test_mvnormal_diag_entropy_matches_scipy(rng):
    d = derived("entropy", diag(2))
    for _ in range(5):
        mean, sigma = rng.uniform(-2, 2, size=2), rng.uniform(0.2, 3, size=2)
        ref = stats.multivariate_normal(mean, np.diag(sigma ** 2)).entropy()
        values = diag_values(mean, sigma)
        assert rel_error(by_subs(d.result, values), ref) <= RTOL
        assert rel_error(by_lambdify(d, values), ref) <= RTOL


def test_lambdify_broadcasts_scalars_against_arrays(rng):
    d = derived("entropy", mvn(2))
    s22 = rng.uniform(0.5, 2, size=7)
    s12 = rng.uniform(-0.9, 0.9, size=7) * np.sqrt(1.5 * s22)
    out = np.asarray(by_lambdify(d, {"m1": 0.0, "m2": np.zeros(7), "s11": 1.5, "s12": s12,
                                     "s22": s22}))
    assert out.shape == (7,)
    ref = [stats.multivariate_normal(np.zeros(2), [[1.5, b], [b, c]]).entropy()
           for b, c in zip(s12, s22)]
    assert rel_error(out, ref).max() <= RTOL


# == 2. KL against torch.distributions in float64 ==================================================
N_BATCH = 25


def _torch():
    import torch
    return torch


@needs("torch")
@pytest.mark.parametrize("k", [2, 3])
def test_kl_mvnormal_mvnormal_matches_torch(k, rng):
    torch = _torch()
    from torch.distributions import MultivariateNormal, kl_divergence
    d = derived("kl", mvn(k), mvn(k, "n", "t"))
    mp, mq = rng.uniform(-2, 2, size=(2, N_BATCH, k))
    sp_, sq = random_cov(rng, k, N_BATCH), random_cov(rng, k, N_BATCH)
    t = functools.partial(torch.tensor, dtype=torch.float64)
    ref = kl_divergence(MultivariateNormal(t(mp), covariance_matrix=t(sp_)),
                        MultivariateNormal(t(mq), covariance_matrix=t(sq))).numpy()
    out = by_lambdify(d, mvn_values(mp, sp_) | mvn_values(mq, sq, "n", "t"))
    assert np.shape(out) == (N_BATCH,)
    assert rel_error(out, ref).max() <= RTOL, rel_error(out, ref).max()


@needs("torch")
@pytest.mark.parametrize("k", [3, 4])
def test_kl_dirichlet_dirichlet_matches_torch(k, rng):
    torch = _torch()
    from torch.distributions import Dirichlet, kl_divergence
    d = derived("kl", dirichlet(k), dirichlet(k, "b"))
    a, b = random_alpha(rng, k, N_BATCH), random_alpha(rng, k, N_BATCH)
    t = functools.partial(torch.tensor, dtype=torch.float64)
    ref = kl_divergence(Dirichlet(t(a)), Dirichlet(t(b))).numpy()
    out = by_lambdify(d, alpha_values(a) | alpha_values(b, "b"))
    assert np.shape(out) == (N_BATCH,)
    assert rel_error(out, ref).max() <= RTOL, rel_error(out, ref).max()


def _diag_and_full_batch(rng, k=2):
    mean_d, mean_f = rng.uniform(-2, 2, size=(2, N_BATCH, k))
    sigma = rng.uniform(0.3, 2.5, size=(N_BATCH, k))
    return mean_d, sigma, mean_f, random_cov(rng, k, N_BATCH)


@needs("torch")
@pytest.mark.parametrize("direction", ["diag||full", "full||diag"])
def test_kl_diagonal_vs_full_matches_torch(direction, rng):
    torch = _torch()
    from torch.distributions import MultivariateNormal, kl_divergence
    mean_d, sigma, mean_f, cov = _diag_and_full_batch(rng)
    t = functools.partial(torch.tensor, dtype=torch.float64)
    # the diagonal member as torch's MultivariateNormal (see the module docstring)
    as_mvn = MultivariateNormal(t(mean_d), covariance_matrix=torch.diag_embed(t(sigma) ** 2))
    full = MultivariateNormal(t(mean_f), covariance_matrix=t(cov))
    values = diag_values(mean_d, sigma) | mvn_values(mean_f, cov, "n", "t")
    if direction == "diag||full":
        d = derived("kl", diag(2), mvn(2, "n", "t"))
        ref = kl_divergence(as_mvn, full).numpy()
    else:
        d = derived("kl", mvn(2, "n", "t"), diag(2))
        ref = kl_divergence(full, as_mvn).numpy()
    out = by_lambdify(d, values)
    assert np.shape(out) == (N_BATCH,)
    assert rel_error(out, ref).max() <= RTOL, rel_error(out, ref).max()


@needs("torch")
def test_independent_normal_is_the_diagonal_mvn_reference(rng):
    """Independent(Normal(mu, sigma), 1) and MultivariateNormal(mu, diag(sigma^2)) are the
    same distribution (the reference used above), and our mvnormal_diag entropy matches it."""
    torch = _torch()
    from torch.distributions import Independent, MultivariateNormal, Normal
    mean_d, sigma, _, _ = _diag_and_full_batch(rng)
    t = functools.partial(torch.tensor, dtype=torch.float64)
    ind = Independent(Normal(t(mean_d), t(sigma)), 1)
    full = MultivariateNormal(t(mean_d), covariance_matrix=torch.diag_embed(t(sigma) ** 2))
    x = t(rng.normal(size=(6, N_BATCH, 2)) * 2)
    assert torch.allclose(ind.log_prob(x), full.log_prob(x), rtol=1e-12, atol=1e-12)
    out = by_lambdify(derived("entropy", diag(2)), diag_values(mean_d, sigma))
    assert rel_error(out, ind.entropy().numpy()).max() <= RTOL


# == 3. the VAE KL term ============================================================================
def test_vae_kl_closed_form(rng):
    d = derived("kl", diag(2), si.family("mvnormal_diag", mu=[0, 0], sigma=[1, 1]))
    m = [symbol(d, "m1"), symbol(d, "m2")]
    s = [symbol(d, "s1"), symbol(d, "s2")]
    assert d.result.free_symbols == {*m, *s}
    expected = sum((mi ** 2 + si_ ** 2 - 1 - 2 * sp.log(si_)) / 2 for mi, si_ in zip(m, s))
    assert sp.simplify(d.result - expected) == 0, d.result
    f = d.lambdify()
    mean, sigma = rng.uniform(-3, 3, size=(2, 20)), rng.uniform(0.05, 4, size=(2, 20))
    ref = ((mean ** 2 + sigma ** 2 - 1 - 2 * np.log(sigma)) / 2).sum(axis=0)
    assert rel_error(f(m1=mean[0], m2=mean[1], s1=sigma[0], s2=sigma[1]), ref).max() <= RTOL


# == 4. properties =================================================================================
def _mvn2_pair(rng, n):
    return (mvn_values(rng.uniform(-2, 2, size=(n, 2)), random_cov(rng, 2, n))
            | mvn_values(rng.uniform(-2, 2, size=(n, 2)), random_cov(rng, 2, n), "n", "t"))


def _diag_pair(rng, n):
    return (diag_values(rng.uniform(-2, 2, size=(n, 2)), rng.uniform(0.3, 3, size=(n, 2)))
            | diag_values(rng.uniform(-2, 2, size=(n, 2)), rng.uniform(0.3, 3, size=(n, 2)),
                          "n", "u"))


def _dirichlet_pair(rng, n):
    return alpha_values(random_alpha(rng, 3, n)) | alpha_values(random_alpha(rng, 3, n), "b")


PAIRS = {
    "mvnormal": (lambda: (mvn(2), mvn(2, "n", "t")), _mvn2_pair),
    "mvnormal_diag": (lambda: (diag(2), diag(2, "n", "u")), _diag_pair),
    "dirichlet": (lambda: (dirichlet(3), dirichlet(3, "b")), _dirichlet_pair),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_kl_of_a_member_with_itself_is_exactly_zero(name):
    p, _ = PAIRS[name][0]()
    d = si.kl(p, p)
    assert d.status == "closed_form"
    assert sp.simplify(d.result) == 0, d.result


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_kl_nonnegative_and_ce_is_h_plus_kl(name, rng):
    make, sample = PAIRS[name]
    p, q = make()
    values = sample(rng, 30)
    h = np.asarray(by_lambdify(derived("entropy", p), values))
    kl = np.asarray(by_lambdify(derived("kl", p, q), values))
    ce = np.asarray(by_lambdify(derived("cross_entropy", p, q), values))
    assert h.shape == kl.shape == ce.shape == (30,)
    assert (kl >= 0).all(), kl.min()
    assert rel_error(ce, h + kl).max() <= 1e-10
    # and through the expressions, at a few points
    for i in range(3):
        point = {name_: float(v[i]) for name_, v in values.items()}
        h_i, kl_i, ce_i = (by_subs(derived(*key).result, point)
                           for key in (("entropy", p), ("kl", p, q), ("cross_entropy", p, q)))
        assert kl_i >= 0
        assert rel_error(ce_i, h_i + kl_i) <= 1e-10


# == 5. invalid parameters =========================================================================
def _raises(match: str | None = None, **kwargs):
    family = kwargs.pop("family")
    with pytest.raises(si.InvalidParameter, match=match) as info:
        si.family(family, **kwargs)
    assert isinstance(info.value, ValueError)
    return str(info.value)


def test_invalid_parameter_is_a_value_error():
    assert issubclass(si.InvalidParameter, ValueError)


def test_non_symmetric_cov():
    message = _raises(family="mvnormal", mu=[0, 0], cov=[[1, 0.5], [0.2, 1]])
    assert "symmetric" in message
    message = _raises(family="mvnormal", mu=["m1", "m2"], cov=[["s11", "a"], ["b", "s22"]])
    assert "symmetric" in message


@pytest.mark.parametrize("cov", [[[1, 2], [2, 1]],
                                 [[1, 0.9, 0.9], [0.9, 1, -0.9], [0.9, -0.9, 1]]],
                         ids=["2x2", "3x3"])
def test_non_positive_definite_numeric_cov_is_rejected(cov):
    _raises(family="mvnormal", mu=[0] * len(cov), cov=cov)


@pytest.mark.parametrize("cov", [[[1, 2], [2, 1]],
                                 [[1, 0.9, 0.9], [0.9, 1, -0.9], [0.9, -0.9, 1]]],
                         ids=["2x2", "3x3"])
def test_non_positive_definite_message_says_positive_definite(cov):
    message = _raises(family="mvnormal", mu=[0] * len(cov), cov=cov)
    assert "positive definite" in message, message


@pytest.mark.parametrize("cov, entry", [([[-1, 0], [0, 1]], "cov_1_1"),
                                        ([[1, 0], [0, -2]], "cov_2_2"),
                                        ([[0, 0], [0, 1]], "cov_1_1")])
def test_negative_variance_names_the_parameter(cov, entry):
    message = _raises(family="mvnormal", mu=[0, 0], cov=cov)
    assert entry in message and "positive" in message, message


@pytest.mark.parametrize("kwargs", [
    dict(mu=[0, 0], cov=[[1, 0, 0], [0, 1, 0], [0, 0, 1]]),
    dict(mu=[0, 0, 0], cov=[[1, 0], [0, 1]]),
    dict(mu=[0, 0], cov=[[1, 0], [0]]),
    dict(mu=[0, 0], cov=[1, 1]),
    dict(mu="m", cov=[[1]]),
], ids=["mu2-cov3", "mu3-cov2", "ragged", "cov-vector", "mu-scalar"])
def test_mvnormal_wrong_shapes(kwargs):
    _raises(family="mvnormal", **kwargs)


def test_mvnormal_without_cov_or_mu():
    assert "cov" in _raises(family="mvnormal", mu=[0, 0])
    assert "mu" in _raises(family="mvnormal", cov=[[1, 0], [0, 1]])


@pytest.mark.parametrize("alpha, match", [([1], "k >= 2"), ([1, 0], "alpha_2"),
                                          ([1, -2, 3], "alpha_2"), ([-0.5, 1], "alpha_1"),
                                          (3, "alpha"), (None, "alpha")])
def test_dirichlet_invalid_alpha(alpha, match):
    _raises(match, family="dirichlet", alpha=alpha)


@pytest.mark.parametrize("kwargs, match", [
    (dict(mu=[0, 0], sigma=[1, 0]), "sigma_2"),
    (dict(mu=[0, 0], sigma=[-1, 1]), "sigma_1"),
    (dict(mu=[0, 0], sigma=[1]), "2 entries"),
    (dict(mu=[0], sigma=[1, 1, 1]), "sigma has 3"),
    (dict(mu=[0, 0]), "sigma"),
])
def test_mvnormal_diag_invalid(kwargs, match):
    _raises(match, family="mvnormal_diag", **kwargs)


def test_symbolic_cov_gives_the_positive_definite_relation():
    p = mvn(2)
    s11, s12, s22 = (next(v for v in p.params.values() if v.name == n)
                     for n in ("s11", "s12", "s22"))
    relations = p.relations()
    assert any(isinstance(r, sp.StrictGreaterThan) and r.rhs == 0
               and sp.expand(r.lhs - (s11 * s22 - s12 ** 2)) == 0 for r in relations), relations
    # k = 3: the leading minors (Sylvester), the last one the determinant
    p3 = mvn(3)
    cov = sp.Matrix(3, 3, lambda i, j: p3.params[f"cov_{min(i, j) + 1}_{max(i, j) + 1}"])
    assert any(isinstance(r, sp.StrictGreaterThan) and sp.expand(r.lhs - cov.det()) == 0
               for r in p3.relations()), p3.relations()


# == 6. numeric and expression entries =============================================================
def test_numeric_mvnormal_entropy_is_exact():
    d = si.entropy(si.family("mvnormal", mu=[0, 0], cov=[[2, 1], [1, 2]]))
    assert d.status == "closed_form" and not d.result.free_symbols
    expected = sp.log(2 * sp.pi * sp.E) + sp.log(3) / 2
    assert sp.simplify(d.result - expected) == 0, d.result
    assert abs(float(d.result) - float(expected)) <= 1e-14 * float(expected)
    assert abs(float(d.lambdify()()) - float(expected)) <= 1e-14 * float(expected)


def test_expression_entries_in_cov(rng):
    s1, s2 = sp.symbols("s1 s2", positive=True)
    r = sp.Symbol("r", real=True)
    p = si.family("mvnormal", mu=[0, 0], cov=[[s1 ** 2, r * s1 * s2], [r * s1 * s2, s2 ** 2]])
    d = si.entropy(p)
    assert d.status == "closed_form"
    assert d.result.free_symbols == {s1, s2, r}
    expected = 1 + sp.log(2 * sp.pi) + sp.log(s1 * s2) + sp.log(1 - r ** 2) / 2
    f = d.lambdify()
    for _ in range(5):
        point = {s1: rng.uniform(0.2, 3), s2: rng.uniform(0.2, 3), r: rng.uniform(-0.95, 0.95)}
        ref = float(expected.subs(point))
        assert rel_error(float(d.result.subs(point)), ref) <= RTOL, point
        assert rel_error(f(**{k.name: v for k, v in point.items()}), ref) <= RTOL, point


# == 7. LaTeX ======================================================================================
def _expectation_mentions_x1(text: str) -> bool:
    return re.search(r"\\mathbb\{E\}_\{P\}\\(?:left|Bigl)\[[^\n]*X_\{1\}", text) is not None


def test_latex_of_mvnormal_kl():
    text = derived("kl", mvn(2), mvn(2, "n", "t")).latex()
    assert r"\mathbb{R}^{2}" in text
    assert _expectation_mentions_x1(text)


def test_latex_of_dirichlet_entropy():
    text = derived("entropy", dirichlet(3)).latex()
    # the integral over the simplex, iterated: x_1 from 0 to 1, x_2 from 0 to 1 - x_1
    assert r"\int_{0}^{1}" in text and r"\int_{0}^{1 - x_{1}}" in text
    assert _expectation_mentions_x1(text)


def _compile(source: str, directory) -> tuple[subprocess.CompletedProcess, str]:
    """pdflatex on ``source``: the process and the log (skip/fail as require_pdflatex says)."""
    pdflatex = require_pdflatex()
    (directory / "doc.tex").write_text(source, encoding="utf-8")
    out = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                         cwd=directory, capture_output=True, text=True, timeout=120)
    return out, (directory / "doc.log").read_text(errors="replace")


def test_latex_document_compiles(tmp_path):
    source = si.document([derived("kl", mvn(2), mvn(2, "n", "t")),
                          derived("entropy", dirichlet(3)),
                          derived("kl", diag(2), mvn(2, "n", "t"))], title="Multivariate")
    out, _ = _compile(source, tmp_path)
    assert out.returncode == 0, out.stdout[-2000:]
    assert (tmp_path / "doc.pdf").exists()


OVERFULL_CASES = [
    pytest.param(("entropy", "mvnormal_diag"), id="entropy-mvnormal_diag"),
    pytest.param(("entropy", "mvnormal"), id="entropy-mvnormal-2d"),
    pytest.param(("entropy", "mvnormal3"), id="entropy-mvnormal-3d"),
    pytest.param(("kl", "mvnormal"), id="kl-mvnormal-mvnormal"),
    pytest.param(("kl", "diag-full"), id="kl-mvnormal_diag-mvnormal"),
    pytest.param(("kl", "full-diag"), id="kl-mvnormal-mvnormal_diag"),
    pytest.param(("entropy", "dirichlet"), id="entropy-dirichlet-3"),
    pytest.param(("kl", "dirichlet"), id="kl-dirichlet-3"),
    pytest.param(("entropy", "dirichlet4"), id="entropy-dirichlet-4"),
]


def _overfull_case(quantity: str, which: str) -> si.Derivation:
    members = {"mvnormal": (mvn(2), mvn(2, "n", "t")), "mvnormal3": (mvn(3),),
               "mvnormal_diag": (diag(2),), "diag-full": (diag(2), mvn(2, "n", "t")),
               "full-diag": (mvn(2, "n", "t"), diag(2)),
               "dirichlet": (dirichlet(3), dirichlet(3, "b")), "dirichlet4": (dirichlet(4),)}
    return derived(quantity, *members[which][:1 if quantity == "entropy" else 2])


@pytest.mark.parametrize("case", OVERFULL_CASES)
def test_latex_document_has_no_overfull_boxes(case, tmp_path):
    out, log = _compile(si.document([_overfull_case(*case)]), tmp_path)
    assert out.returncode == 0, out.stdout[-2000:]
    assert "Overfull" not in log, re.findall(r"Overfull \\hbox \([\d.]+pt too wide\)", log)


# == 8. cross_validate =============================================================================
def test_cross_validate_2d_kl_by_nested_quadrature():
    report = si.cross_validate(derived("kl", mvn(2), mvn(2, "n", "t")), n=3)
    assert report.ok, str(report)
    assert "nquad" in report.method
    assert report.max_rel_error <= 1e-6


def test_cross_validate_dirichlet_entropy():
    report = si.cross_validate(derived("entropy", dirichlet(3)), n=3)
    assert report.ok, str(report)
    assert "nquad" in report.method


def test_cross_validate_3d_mvnormal_by_monte_carlo():
    report = si.cross_validate(derived("entropy", mvn(3)), n=3)
    assert "Monte Carlo" in report.method
    assert report.ok, str(report)
    # the tolerance is 5 Monte Carlo standard errors (relative), wider than rtol
    assert all(t > report.rtol for t in report.tolerances)
    assert all(e <= t for e, t in zip(report.rel_errors, report.tolerances))
    assert any("Monte Carlo" in note for note in report.notes)


def test_cross_validate_3d_mvnormal_kl_by_monte_carlo():
    report = si.cross_validate(derived("kl", mvn(3), mvn(3, "n", "t")), n=3)
    assert "Monte Carlo" in report.method
    assert report.ok, str(report)



def test_kl_from_the_whole_plane_into_the_simplex_is_infinite():
    """supp N(mu, Sigma) = R^2 is not inside the simplex of a Dirichlet: KL = oo, with the
    reason as a step (it was a NoRule refusal in the full atlas)."""
    for name in ("mvnormal", "mvnormal_diag"):
        p, q = si.pair(name, "dirichlet")
        d = si.kl(p, q)
        assert d.status == "infinite" and d.result == sp.oo, (name, d.status)
        assert any(step.rule == "support" and "outside supp Q" in step.note
                   for step in d.steps), d.steps
    # the other way round the simplex lies inside R^2
    p, q = si.pair("dirichlet", "mvnormal")
    assert si.kl(p, q).status != "infinite"
