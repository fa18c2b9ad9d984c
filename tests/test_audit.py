"""si.audit: the torch adapter's mappings, known torch findings (each counterexample recomputed
by quadrature here), and a fake library whose correct and broken formulas are told apart."""

from __future__ import annotations

import json
import math

import mpmath
import numpy as np
import pytest
from click.testing import CliRunner
from optional import needs
from scipy import integrate

import symbolic_info as si
from symbolic_info.audit import (
    FamilyMapping,
    LibraryAdapter,
    libraries,
    mapping,
    register_adapter,
    unregister_adapter,
)
from symbolic_info.audit.mapping_check import check_mapping
from symbolic_info.cli import cli

torch_needed = needs("torch")


# -- a fake library: Normal with a correct KL, BadNormal with the 1/2 left out ----------------
def _normal_logpdf(kw, x):
    return -0.5 * math.log(2 * math.pi) - math.log(kw["scale"]) \
        - 0.5 * ((x - kw["loc"]) / kw["scale"]) ** 2


def _normal_kl(p, q):
    """Accurate next to P = Q too: u - log1p(u), u = r**2 - 1, by its series for small u."""
    ps, qs = p["scale"], q["scale"]
    u = (ps - qs) * (ps + qs) / (qs * qs)
    g = u - math.log1p(u) if abs(u) > 0.1 else math.fsum(
        (-u) ** k / k for k in range(2, 40))
    return (((p["loc"] - q["loc"]) / qs) ** 2 + g) / 2


def _broken_kl(p, q):
    r = p["scale"] / q["scale"]
    return math.log(1 / r) + (r * r + ((p["loc"] - q["loc"]) / q["scale"]) ** 2 - 1)


class FakeAdapter(LibraryAdapter):
    name = "fake"
    default_dtype = "float64"
    mappings = {"Normal": mapping("normal", "loc=mu", "scale=sigma"),
                "BadNormal": mapping("normal", "loc=mu", "scale=sigma"),
                # a wrong mapping: the library's second argument is a variance
                "VarNormal": mapping("normal", "loc=mu", "var=sigma")}
    formulas = {("Normal", "Normal"): _normal_kl, ("BadNormal", "BadNormal"): _broken_kl,
                ("VarNormal", "VarNormal"): _normal_kl}

    @property
    def version(self) -> str:
        return "0.0"

    def enumerate_kl_pairs(self):
        return sorted(self.formulas) + [("Mystery", "Normal")]

    def enumerate_entropies(self):
        return []

    def log_prob(self, cls, kwargs, x, dtype):
        if cls == "VarNormal":
            return _normal_logpdf({"loc": kwargs["loc"], "scale": math.sqrt(kwargs["var"])}, x)
        return _normal_logpdf(kwargs, x)

    def kl(self, cls_p, kw_p, cls_q, kw_q, dtype):
        return self.formulas[cls_p, cls_q](kw_p, kw_q)

    def entropy(self, cls, kw, dtype):
        raise NotImplementedError


@pytest.fixture(scope="module")
def fake_report():
    register_adapter("fake", FakeAdapter)
    yield si.audit("fake", points=6)
    unregister_adapter("fake")


def test_fake_library_correct_and_broken_formulas_told_apart(fake_report):
    good, = fake_report.find("kl", "Normal", "Normal")
    bad, = fake_report.find("kl", "BadNormal", "BadNormal")
    assert good.status == "agrees" and good.counterexample is None
    assert bad.status == "wrong"
    c = bad.counterexample
    p, q = c["params"]["p"], c["params"]["q"]
    assert c["library"] == pytest.approx(_broken_kl(p, q))
    assert c["ours"] == pytest.approx(_normal_kl(p, q), rel=1e-12)
    assert c["numeric"] == pytest.approx(c["ours"], rel=1e-8)
    assert c["rel_err"] > 1e-3 and c["snippet"].startswith("kl_divergence(BadNormal(")


def test_fake_library_mapping_error_and_unsupported(fake_report):
    var, = fake_report.find("kl", "VarNormal", "VarNormal")
    assert var.status == "mapping_error" and "VarNormal" in var.counterexample["reason"]
    mystery, = fake_report.find("kl", "Mystery", "Normal")
    assert mystery.status == "unsupported" and "Mystery" in mystery.counterexample["reason"]
    assert [f.status for f in fake_report.rows] == [
        "wrong", "mapping_error", "unsupported", "agrees"]   # sorted by severity


def test_report_outputs(fake_report, tmp_path):
    data = json.loads(fake_report.to_json(tmp_path / "r.json"))
    assert data["library"] == "fake" and data["counts"]["wrong"] == 1
    assert json.loads((tmp_path / "r.json").read_text())["rows"][0]["status"] == "wrong"
    md = fake_report.to_markdown()
    assert md.index("| wrong") < md.index("| agrees")
    page = fake_report.to_html(tmp_path / "site")
    assert "BadNormal" in page.read_text() and (tmp_path / "site" / "style.css").exists()


def test_parallel_run_matches_serial(fake_report):
    register_adapter("fake", FakeAdapter)
    try:
        parallel = si.audit("fake", points=6, jobs=2)
    finally:
        unregister_adapter("fake")
    assert [(f.p, f.q, f.status) for f in parallel.rows] == [
        (f.p, f.q, f.status) for f in fake_report.rows]


def test_cli_unknown_library_and_fake_library(tmp_path):
    result = CliRunner().invoke(cli, ["audit", "nosuchlib"])
    assert result.exit_code == 2 and "known:" in result.output and "torch" in result.output
    register_adapter("fake", FakeAdapter)
    try:
        result = CliRunner().invoke(cli, ["audit", "fake", "--points", "3",
                                          "--json", str(tmp_path / "a.json")])
    finally:
        unregister_adapter("fake")
    assert result.exit_code == 0, result.output
    assert "| wrong | KL(BadNormal ‖ BadNormal)" in result.output
    assert json.loads((tmp_path / "a.json").read_text())["library"] == "fake"


def test_registry_lists_the_four_libraries():
    assert {"torch", "tfp", "numpyro", "scipy"} <= set(libraries())
    assert isinstance(mapping("gamma", "concentration=shape"), FamilyMapping)


# -- torch -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def torch_adapter():
    from symbolic_info.audit import get_adapter
    return get_adapter("torch")


@torch_needed
def test_every_torch_mapping_holds(torch_adapter):
    assert {c: check_mapping(torch_adapter, c) for c in torch_adapter.mappings} == {
        c: None for c in torch_adapter.mappings}


@torch_needed
def test_torch_enumerates_from_the_library(torch_adapter):
    from torch.distributions.kl import _KL_REGISTRY
    assert len(torch_adapter.enumerate_kl_pairs()) == len(
        {(p.__name__, q.__name__) for p, q in _KL_REGISTRY})
    assert {"Normal", "Kumaraswamy", "StudentT"} <= set(torch_adapter.enumerate_entropies())


def _cb_log_density(lam, x):
    c = 2.0 if lam == 0.5 else 2 * mpmath.atanh(1 - 2 * lam) / (1 - 2 * lam)
    return mpmath.log(c) + x * mpmath.log(lam) + (1 - x) * mpmath.log(1 - lam)


@torch_needed
def test_torch_continuous_bernoulli_kl_negative_in_float32():
    report = si.audit("torch", pairs=[("ContinuousBernoulli", "ContinuousBernoulli")], points=6)
    row, = report.find("kl", "ContinuousBernoulli", "ContinuousBernoulli", "float32")
    assert row.status == "negative"
    c = row.counterexample
    lp, lq = c["params"]["p"]["probs"], c["params"]["q"]["probs"]
    with mpmath.workdps(40):
        numeric = mpmath.quad(lambda x: mpmath.exp(_cb_log_density(lp, x))
                              * (_cb_log_density(lp, x) - _cb_log_density(lq, x)), [0, 1])
    assert c["library"] < 0 <= numeric
    assert float(numeric) == pytest.approx(c["ours"], rel=1e-6)
    assert "torch.float32" in c["snippet"]


@torch_needed
def test_torch_bernoulli_kl_inaccurate_near_p_equal_q():
    import torch
    report = si.audit("torch", pairs=[("Bernoulli", "Bernoulli")], points=6)
    row, = report.find("kl", "Bernoulli", "Bernoulli", "float64")
    assert row.status in ("inaccurate", "negative") and row.counterexample["point"].startswith(
        "near")
    c = row.counterexample
    p, q = (mpmath.mpf(c["params"][r]["probs"]) for r in ("p", "q"))
    with mpmath.workdps(40):
        exact = p * mpmath.log(p / q) + (1 - p) * mpmath.log((1 - p) / (1 - q))
    assert float(exact) == pytest.approx(c["ours"], rel=1e-9)
    assert abs(c["library"] - float(exact)) > 1e-6 * float(exact)
    # the point: p = q + 1e-9
    B = torch.distributions.Bernoulli
    q0 = 0.3
    library = float(torch.distributions.kl_divergence(
        B(probs=torch.tensor(q0 + 1e-9, dtype=torch.float64)),
        B(probs=torch.tensor(q0, dtype=torch.float64))))
    d = si.kl(si.family("bernoulli", p="p_1"), si.family("bernoulli", p="p_2"))
    ours = d.lambdify("mpmath")(p_1=mpmath.mpf(q0 + 1e-9), p_2=mpmath.mpf(q0))
    assert abs(library - float(ours)) / float(ours) > 1e-2


@torch_needed
def test_torch_normal_kl_inaccurate_near_p_equal_q():
    import torch
    report = si.audit("torch", pairs=[("Normal", "Normal")], points=6)
    row, = report.find("kl", "Normal", "Normal", "float64")
    assert row.status == "inaccurate" and row.counterexample["point"].startswith("near")
    c = row.counterexample
    p, q = c["params"]["p"], c["params"]["q"]
    with mpmath.workdps(40):
        def log_n(kw, x):
            return -mpmath.log(kw["scale"]) - ((x - kw["loc"]) / kw["scale"]) ** 2 / 2
        numeric = mpmath.quad(lambda x: mpmath.npdf(x, p["loc"], p["scale"])
                              * (log_n(p, x) - log_n(q, x)), [-mpmath.inf, p["loc"], mpmath.inf])
    assert float(numeric) == pytest.approx(c["ours"], rel=1e-6)
    assert c["rel_err"] > 1e-6
    # the point: loc differing by 1e-8 gives exactly 0.0 in float64
    N = torch.distributions.Normal
    t = lambda v: torch.tensor(v, dtype=torch.float64)  # noqa: E731
    assert float(torch.distributions.kl_divergence(N(t(0.3), t(1.7)),
                                                   N(t(0.3 + 1e-8), t(1.7)))) == 0.0
    d = si.kl(si.family("normal", mu="m1", sigma="s1"), si.family("normal", mu="m2", sigma="s1"))
    ours = d.lambdify("mpmath")(m1=mpmath.mpf(0.3), s1=mpmath.mpf(1.7),
                                m2=mpmath.mpf(0.3 + 1e-8))
    assert float(ours) == pytest.approx(1.73e-17, rel=1e-2)
    # scipy's quadrature agrees on an ordinary point
    kl = integrate.quad(lambda x: np.exp(_normal_logpdf({"loc": 0, "scale": 1}, x))
                        * (_normal_logpdf({"loc": 0, "scale": 1}, x)
                           - _normal_logpdf({"loc": 1, "scale": 2}, x)), -np.inf, np.inf)[0]
    assert kl == pytest.approx(_normal_kl({"loc": 0, "scale": 1}, {"loc": 1, "scale": 2}))


@pytest.mark.slow
@torch_needed
def test_full_torch_audit():
    report = si.audit("torch")
    assert report.version.startswith("2.")
    assert not report.by_status("mapping_error")
    for row in report.by_status("wrong"):
        c = row.counterexample
        assert c["numeric"] == pytest.approx(c["ours"], rel=1e-6)
    for row in report.findings():
        assert row.counterexample and row.counterexample["reason"]
    statuses = {(f.p, f.q, f.dtype): f.status for f in report.rows if f.kind == "kl"}
    assert statuses["ContinuousBernoulli", "ContinuousBernoulli", "float32"] == "negative"


@needs("distributed")
def test_dask_client_matches_serial(fake_report):
    from distributed import Client, LocalCluster
    register_adapter("fake", FakeAdapter)
    try:
        with LocalCluster(n_workers=1, threads_per_worker=1, processes=False) as cluster, \
                Client(cluster) as client:
            report = si.audit("fake", points=6, client=client)
    finally:
        unregister_adapter("fake")
    assert [(f.p, f.q, f.status) for f in report.rows] == [
        (f.p, f.q, f.status) for f in fake_report.rows]


# -- supports unbounded below, and a formula whose audit raises ------------------------------
def test_support_points_on_all_the_integers():
    from symbolic_info.audit.mapping_check import support_points
    from symbolic_info.audit.reference import numeric_member, numeric_value
    points = support_points(numeric_member("discrete_laplace", {"a": 0.7}))
    assert 0.0 in points and min(points) < 0 < max(points)
    a = 0.7   # H of tanh(a/2) e^(-a|x|): a / sinh(a) - log(tanh(a/2))
    assert numeric_value("entropy", "discrete_laplace", {"a": a}) == pytest.approx(
        a / math.sinh(a) - math.log(math.tanh(a / 2)), rel=1e-12)


def _raise(_):
    raise RuntimeError("no keywords today")


class RaisingAdapter(FakeAdapter):
    name = "raising"
    mappings = {"Normal": FakeAdapter.mappings["Normal"],
                "Broken": FamilyMapping("normal", (), to_library=_raise, to_ours=_raise)}
    formulas = {("Normal", "Normal"): _normal_kl, ("Broken", "Broken"): _normal_kl}

    def enumerate_kl_pairs(self):
        return sorted(self.formulas)


def test_a_unit_that_raises_is_a_row_not_the_end_of_the_audit():
    register_adapter("raising", RaisingAdapter)
    try:
        report = si.audit("raising", points=3)
    finally:
        unregister_adapter("raising")
    broken, = report.find("kl", "Broken", "Broken")
    assert broken.status == "mapping_error"
    assert "RuntimeError: no keywords today" in broken.counterexample["reason"]
    good, = report.find("kl", "Normal", "Normal")
    assert good.status == "agrees"


# -- underflow is agreement --------------------------------------------------------------------
class UnderflowAdapter(FakeAdapter):
    """Normal whose log density is log(pdf): -inf wherever the pdf underflows in float64."""

    name = "underflow"
    mappings = {"Normal": FakeAdapter.mappings["Normal"]}

    def log_prob(self, cls, kwargs, x, dtype):
        lp = _normal_logpdf(kwargs, x)
        return -math.inf if lp < -744.44 else lp


def test_mapping_check_takes_underflow_for_agreement(monkeypatch):
    from symbolic_info.audit import mapping_check
    # far points, where the normal density underflows in float64 (log density about -2000)
    monkeypatch.setattr(mapping_check, "support_points", lambda m: [0.0, 1.0, 70.0, -70.0])
    assert check_mapping(UnderflowAdapter(), "Normal") is None

    class Cutoff(UnderflowAdapter):   # -inf where the density does not underflow: a mismatch
        def log_prob(self, cls, kwargs, x, dtype):
            return -math.inf if abs(x) > 0.5 else _normal_logpdf(kwargs, x)
    assert "is -inf" in check_mapping(Cutoff(), "Normal")


@needs("scipy")
def test_scipy_invweibull_mapping_holds_despite_underflow():
    from symbolic_info.audit import get_adapter
    assert check_mapping(get_adapter("scipy"), "invweibull") is None


# -- classify: a true value beyond the dtype's range; a point where our value is the culprit -----
class OverflowAdapter(FakeAdapter):
    """Normal computing its KL in numpy float64: inf where the true value overflows; and
    InfNormal, inf everywhere (a real nan_or_inf)."""

    name = "overflow"
    mappings = {"Normal": FakeAdapter.mappings["Normal"],
                "InfNormal": FakeAdapter.mappings["Normal"]}

    def enumerate_kl_pairs(self):
        return [("InfNormal", "InfNormal"), ("Normal", "Normal")]

    def kl(self, cls_p, kw_p, cls_q, kw_q, dtype):
        if cls_p == "InfNormal":
            return math.inf
        with np.errstate(all="ignore"):
            r = np.float64(kw_p["scale"]) / kw_q["scale"]
            z = (np.float64(kw_p["loc"]) - kw_q["loc"]) / kw_q["scale"]
            return float((r * r + z * z - 1) / 2 - np.log(r))


def _fixed_points(*points):
    from symbolic_info.audit.points import Point
    return lambda *args, **kwargs: [Point("random", p, q) for p, q in points]


def test_library_inf_where_the_true_value_overflows_agrees(monkeypatch):
    from symbolic_info.audit import run
    monkeypatch.setattr(run, "audit_points", _fixed_points(
        ({"mu": 0.0, "sigma": 1.0}, {"mu": 1e200, "sigma": 1.0}),   # KL = 5e399 > 1.8e308
        ({"mu": 0.0, "sigma": 1.0}, {"mu": 0.5, "sigma": 2.0})))
    register_adapter("overflow", OverflowAdapter)
    try:
        report = si.audit("overflow", points=2)
    finally:
        unregister_adapter("overflow")
    assert report.find("kl", "Normal", "Normal")[0].status == "agrees"
    bad, = report.find("kl", "InfNormal", "InfNormal")
    assert bad.status == "nan_or_inf" and bad.counterexample["params"]["q"]["loc"] == 0.5


def test_no_finding_where_the_quadrature_sides_with_the_library(monkeypatch):
    """Our value wrong (as a numeric route missing a peak would be), the library's right: the
    quadrature agrees with the library, so nothing is recorded against it."""
    from symbolic_info.audit import classify
    right = classify.our_value
    monkeypatch.setattr(classify, "our_value", lambda d, arguments: 3 * right(d, arguments))
    register_adapter("fake", FakeAdapter)
    try:
        report = si.audit("fake", pairs=[("Normal", "Normal")], points=4)
    finally:
        unregister_adapter("fake")
    row, = report.rows
    assert row.status == "agrees", row.counterexample


def test_a_finding_stands_where_the_quadrature_sides_with_us():
    from symbolic_info.audit.classify import Evaluation, sides_with_library
    from symbolic_info.audit.points import Point
    e = Evaluation(Point("random", {}, None), {}, None, {}, None, 1.5, mpmath.mpf(1), 0.5)
    assert not sides_with_library(1.0, e)            # the quadrature confirms ours
    assert not sides_with_library(math.nan, e)       # no quadrature: the finding stands
    assert sides_with_library(1.5, e)                # the library's value is the right one
    assert not sides_with_library(1.01, e)           # ours off, but the library is further


# -- local workers after jax -------------------------------------------------------------------
def test_workers_are_spawned_for_a_lazy_library_once_jax_is_loaded(monkeypatch):
    import sys

    from symbolic_info.audit.executors import worker_context
    register_adapter("fake", FakeAdapter)
    try:
        monkeypatch.setitem(sys.modules, "jax", sys.modules.get("jax") or object())
        context, initializer, _ = worker_context("fake")   # a factory: only forking carries it
        assert initializer is None
        context, initializer, initargs = worker_context("numpyro")
        assert context.get_start_method() == "spawn"
        assert initargs == ("numpyro", "symbolic_info.audit.numpyro_adapter:NumPyroAdapter")
    finally:
        unregister_adapter("fake")


@needs("numpyro")
def test_numpyro_on_local_workers_after_jax_has_run():
    import jax.numpy as jnp
    float(jnp.sum(jnp.arange(4.0)))   # jax has computed in this process
    pairs = [("Normal", "Normal"), "Normal"]
    parallel = si.audit("numpyro", pairs=pairs, points=3, jobs=2)
    serial = si.audit("numpyro", pairs=pairs, points=3)
    assert [(f.label, f.dtype, f.status) for f in parallel.rows] == [
        (f.label, f.dtype, f.status) for f in serial.rows]
    assert all(f.status != "unsupported" for f in parallel.rows), parallel.rows
