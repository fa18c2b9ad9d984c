"""si.audit on SciPy, NumPyro and TFP (jax substrate): every mapping holds, the registries are
enumerated from the libraries, NumPyro's Kumaraswamy–Beta KL is found wrong (its counterexample
recomputed by quadrature here), float64 evaluation leaves jax's default dtype alone. The full
audits are slow."""

from __future__ import annotations

import math

import mpmath
import pytest
from optional import needs
from scipy import integrate, special

import symbolic_info as si
from symbolic_info.audit import get_adapter
from symbolic_info.audit.mapping_check import check_mapping

numpyro_needed = needs("numpyro")
tfp_needed = needs("tensorflow_probability")


def _mapping_errors(library: str) -> dict[str, str]:
    adapter = get_adapter(library)
    return {c: r for c in adapter.mappings if (r := check_mapping(adapter, c)) is not None}


# -- SciPy -------------------------------------------------------------------------------------
def test_scipy_enumerates_analytic_entropies_only():
    import scipy.stats as st
    adapter = get_adapter("scipy")
    shipped = adapter.enumerate_entropies()
    assert {"norm", "gamma", "vonmises", "truncnorm", "gengamma", "invweibull"} <= set(shipped)
    # skewnorm and betaprime use rv_continuous's numerical entropy: not audited
    assert "skewnorm" not in shipped and "betaprime" not in shipped
    assert type(st.norm)._entropy is not st.rv_continuous._entropy
    assert adapter.enumerate_kl_pairs() == [] and adapter.dtypes() == ("float64",)
    assert set(adapter.mappings) <= set(shipped)


def test_every_scipy_mapping_holds():
    # invweibull's logpdf is -inf where the density underflows (x = 0.05, our log density about
    # -2.6e4): the mapping check counts that as agreement
    errors = _mapping_errors("scipy")
    assert not errors, errors


def test_scipy_entropies_agree():
    report = si.audit("scipy", pairs=["norm", "gamma", "triang", "planck"], points=4)
    assert {(f.p, f.status) for f in report.rows} == {
        ("norm", "agrees"), ("gamma", "agrees"), ("triang", "agrees"), ("planck", "agrees")}
    assert report.version == __import__("scipy").__version__


# -- NumPyro -----------------------------------------------------------------------------------
@numpyro_needed
def test_numpyro_enumerates_from_the_library():
    from numpyro.distributions.kl import kl_divergence
    adapter = get_adapter("numpyro")
    assert len(adapter.enumerate_kl_pairs()) == len(
        {(p.__name__, q.__name__) for p, q in kl_divergence.funcs})
    assert ("Kumaraswamy", "Beta") in adapter.enumerate_kl_pairs()
    assert {"Normal", "Levy", "Pareto"} <= set(adapter.enumerate_entropies())
    assert adapter.dtypes() == ("float32", "float64")


@numpyro_needed
def test_every_numpyro_mapping_holds():
    assert _mapping_errors("numpyro") == {}


@numpyro_needed
def test_numpyro_float64_leaves_jax_default_float32():
    # jax's default dtype is what it was before (float32 in a fresh process; another test
    # of the session may have enabled x64 globally): the adapter's float64 is scoped
    import jax.numpy as jnp
    before = jnp.asarray(1.0).dtype
    adapter = get_adapter("numpyro")
    kw = {"loc": 0.1, "scale": 1.0 + 1e-12}
    assert adapter.entropy("Normal", kw, "float64") != adapter.entropy("Normal", kw, "float32")
    assert jnp.asarray(1.0).dtype == before


def _kumaraswamy_log_pdf(a, b, x):
    return mpmath.log(a * b) + (a - 1) * mpmath.log(x) + (b - 1) * mpmath.log1p(-x ** a)


def _beta_log_pdf(a, b, x):
    return (a - 1) * mpmath.log(x) + (b - 1) * mpmath.log1p(-x) - mpmath.log(mpmath.beta(a, b))


def _kumaraswamy_beta_kl(p: dict, q: dict) -> float:
    """KL(Kumaraswamy ‖ Beta) by mpmath quadrature, at 30 digits."""
    a, b = mpmath.mpf(p["concentration1"]), mpmath.mpf(p["concentration0"])
    c, d = mpmath.mpf(q["concentration1"]), mpmath.mpf(q["concentration0"])

    def f(x):
        lp = _kumaraswamy_log_pdf(a, b, x)
        return mpmath.exp(lp) * (lp - _beta_log_pdf(c, d, x))
    with mpmath.workdps(30):
        return float(mpmath.quad(f, [0, 0.5, 1]))


@numpyro_needed
def test_numpyro_kumaraswamy_beta_kl_is_wrong():
    report = si.audit("numpyro", pairs=[("Kumaraswamy", "Beta")], points=4)
    assert [f.status for f in report.rows] == ["wrong", "wrong"]
    for row in report.rows:
        c = row.counterexample
        numeric = _kumaraswamy_beta_kl(c["params"]["p"], c["params"]["q"])
        assert numeric == pytest.approx(c["ours"], rel=1e-9)
        assert numeric == pytest.approx(c["numeric"], rel=1e-9)
        assert abs(c["library"] - numeric) > 1e-3 * numeric
        assert c["snippet"].startswith("numpyro.distributions.kl_divergence(numpyro.distributions"
                                       ".Kumaraswamy(") or "jax_enable_x64" in c["snippet"]
    # the point, recomputed with scipy's quadrature too
    import numpyro.distributions as nd
    library = float(nd.kl_divergence(nd.Kumaraswamy(2.0, 3.0), nd.Beta(1.5, 2.5)))
    log_beta = math.log(special.beta(1.5, 2.5))

    def f(x):
        lk = math.log(6.0) + math.log(x) + 2 * math.log1p(-x * x)
        lb = 0.5 * math.log(x) + 1.5 * math.log1p(-x) - log_beta
        return math.exp(lk) * (lk - lb)
    numeric = integrate.quad(f, 0, 1, epsabs=1e-13)[0]
    assert library == pytest.approx(0.0788, abs=5e-4)
    assert numeric == pytest.approx(0.0889, abs=5e-4)
    p, q = {"concentration1": 2.0, "concentration0": 3.0}, {"concentration1": 1.5,
                                                               "concentration0": 2.5}
    assert numeric == pytest.approx(_kumaraswamy_beta_kl(p, q), rel=1e-9)


# -- TFP (jax substrate) -----------------------------------------------------------------------
@tfp_needed
def test_tfp_enumerates_from_the_library_without_tensorflow():
    import sys
    adapter = get_adapter("tfp")
    from symbolic_info.audit.tfp_adapter import load_tfp
    kullback_leibler = load_tfp().distributions.kullback_leibler
    assert len(adapter.enumerate_kl_pairs()) == len(
        {(p.__name__, q.__name__) for p, q in kullback_leibler._DIVERGENCES})
    assert {("Normal", "Normal"), ("Weibull", "Gamma")} <= set(adapter.enumerate_kl_pairs())
    assert {"Kumaraswamy", "TruncatedNormal"} <= set(adapter.enumerate_entropies())
    assert "tensorflow" not in sys.modules


@tfp_needed
def test_every_tfp_mapping_holds():
    assert _mapping_errors("tfp") == {}


@tfp_needed
def test_tfp_gamma_kl_and_entropy():
    report = si.audit("tfp", pairs=[("Chi2", "Gamma"), "Kumaraswamy"], points=4)
    statuses = {(f.label, f.dtype): f.status for f in report.rows}
    assert statuses[("H(Kumaraswamy)", "float64")] == "agrees"
    assert statuses[("KL(Chi2 ‖ Gamma)", "float64")] == "agrees"


# -- the full audits ---------------------------------------------------------------------------
# In this process (no jobs), to keep the test's own cost predictable; jobs=2 after jax has
# computed is tested in test_audit.py (the workers are spawned then).
def _check_full(report) -> None:
    assert not report.by_status("mapping_error"), report.by_status("mapping_error")
    for row in report.by_status("wrong"):
        c = row.counterexample
        assert c["numeric"] == pytest.approx(c["ours"], rel=1e-6)
    for row in report.findings():
        assert row.counterexample and row.counterexample["reason"]


@pytest.mark.slow
def test_full_scipy_audit():
    report = si.audit("scipy")
    _check_full(report)
    assert len(report.by_status("agrees")) >= 30


@pytest.mark.slow
@numpyro_needed
def test_full_numpyro_audit():
    report = si.audit("numpyro")
    _check_full(report)
    statuses = {(f.p, f.q, f.dtype): f.status for f in report.rows if f.kind == "kl"}
    assert statuses["Kumaraswamy", "Beta", "float32"] == "wrong"
    assert statuses["Kumaraswamy", "Beta", "float64"] == "wrong"


@pytest.mark.slow
@tfp_needed
def test_full_tfp_audit():
    report = si.audit("tfp")
    _check_full(report)
    assert report.version == "0.25.0" or report.version.startswith("0.")
