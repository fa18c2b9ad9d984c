"""si.audit on vector-valued classes (issue 15): vector and matrix parameters drawn, perturbed
next to P = Q and scaled; the conversions between the libraries' keywords and our families;
a fake library whose correct and broken categorical, multivariate normal and Wishart formulas
are told apart (a `wrong` confirmed by an exact sum, a nested quadrature, a Monte Carlo mean);
and the real libraries' vector classes audited (rows, not `unsupported`)."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from scipy import stats

import symbolic_info as si
from symbolic_info.audit import LibraryAdapter, get_adapter, register_adapter, unregister_adapter
from symbolic_info.audit import conversions as c
from symbolic_info.audit.mapping_check import check_mapping
from symbolic_info.audit.points import vector_points
from symbolic_info.audit.vector import LAYOUTS, draw, log_density, variates

# -- points ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_points_are_valid_normalised_and_positive_definite(name):
    rng = np.random.default_rng(3)
    points = vector_points(name, name, rng, 3, ("n",) if name == "multinomial" else ())
    kinds = {p.kind for p in points}
    assert {"random", "near", "wide"} <= kinds
    for point in points:
        for params in (point.p, point.q):
            for key, kind in LAYOUTS[name]:
                v = params[key]
                if kind == "simplex":
                    assert math.fsum(v) == pytest.approx(1, abs=1e-12) and min(v) > 0
                elif kind == "spd":
                    a = np.array(v)
                    assert np.array_equal(a, a.T) and np.linalg.eigvalsh(a).min() > 0
                elif kind == "count":
                    assert isinstance(v, int) and v == point.p[key]   # tied
        if point.kind == "near":
            d = float(point.note.split("=")[1])
            assert point.q != point.p
            for key in point.p:
                a = np.array(point.p[key], dtype=float)
                b = np.array(point.q[key], dtype=float)
                assert np.abs(b - a).max() <= 2.5 * d * np.abs(a).max()


def test_our_log_density_is_the_textbook_one():
    rng = np.random.default_rng(1)
    for name, ref in (
            ("mvnormal", lambda p, x: stats.multivariate_normal(p["mu"], p["cov"]).logpdf(x)),
            ("dirichlet", lambda p, x: stats.dirichlet(p["alpha"]).logpdf(x)),
            ("multinomial", lambda p, x: stats.multinomial(p["n"], p["p"]).logpmf(x)),
            ("wishart", lambda p, x: stats.wishart(p["df"], np.array(p["scale"])).logpdf(
                np.array(x))),
            ("categorical", lambda p, x: math.log(p["p"][x]))):
        params = draw(name, rng)
        for x in variates(name, params, rng, 3):
            assert float(log_density(name, params, x)) == pytest.approx(ref(params, x),
                                                                         rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("m", [c.covariance(), c.cholesky(), c.low_rank_covariance(),
                               c.low_rank_scale(), c.probabilities("categorical"),
                               c.logits("categorical"), c.concentration(),
                               c.probabilities("multinomial", count="total_count"),
                               c.wishart(), c.wishart(key="scale_tril", tril=True),
                               c.diagonal()])
def test_conversions_round_trip(m):
    ours = draw(m.family, np.random.default_rng(5))
    back = m.our_params(m.library_kwargs(ours))
    assert set(back) == set(ours)
    for key in ours:
        assert np.allclose(np.array(back[key], dtype=float), np.array(ours[key], dtype=float),
                           rtol=1e-12, atol=1e-14)


# -- a fake library with correct and broken vector formulas ------------------------------------
def _mvn_kl(p, q):
    """At 50 digits, so it is accurate next to P = Q too."""
    with mpmath.workdps(50):
        s1, s2 = (mpmath.matrix(kw["covariance_matrix"]) for kw in (p, q))
        dm = mpmath.matrix(q["loc"]) - mpmath.matrix(p["loc"])
        inv = s2 ** -1
        k = len(p["loc"])
        trace = mpmath.fsum((inv * s1)[i, i] for i in range(k))
        return float((trace + (dm.T * inv * dm)[0, 0] - k
                      + mpmath.log(mpmath.det(s2) / mpmath.det(s1))) / 2)


def _broken_mvn_kl(p, q):   # the trace term not halved
    s1, s2 = np.array(p["covariance_matrix"]), np.array(q["covariance_matrix"])
    return _mvn_kl(p, q) + 0.5 * np.trace(np.linalg.inv(s2) @ s1)


def _cat_kl(p, q):
    with mpmath.workdps(50):
        a = [mpmath.mpf(x) / mpmath.fsum(p["probs"]) for x in p["probs"]]
        b = [mpmath.mpf(x) / mpmath.fsum(q["probs"]) for x in q["probs"]]
        return float(mpmath.fsum(x * mpmath.log(x / y) for x, y in zip(a, b)))


def _broken_cat_kl(p, q):   # Q's probabilities halved
    return _cat_kl(p, q) + math.log(2)


def _wishart_entropy(kw):
    return float(stats.wishart(kw["df"], np.array(kw["covariance_matrix"])).entropy())


class FakeVectorAdapter(LibraryAdapter):
    name = "fakevec"
    default_dtype = "float64"
    mappings = {"Cat": c.probabilities("categorical"), "BadCat": c.probabilities("categorical"),
                "MVN": c.covariance(), "BadMVN": c.covariance(),
                "Wishart": c.wishart(), "BadWishart": c.wishart(),
                # a wrong mapping: the library's matrix is a precision matrix
                "PrecisionMVN": c.covariance()}
    kls = {("Cat", "Cat"): _cat_kl, ("BadCat", "BadCat"): _broken_cat_kl,
           ("MVN", "MVN"): _mvn_kl, ("BadMVN", "BadMVN"): _broken_mvn_kl,
           ("PrecisionMVN", "PrecisionMVN"): _mvn_kl}
    entropies = {"Wishart": _wishart_entropy,
                 "BadWishart": lambda kw: _wishart_entropy(kw) + 0.05}

    @property
    def version(self) -> str:
        return "0.0"

    def enumerate_kl_pairs(self):
        return sorted(self.kls)

    def enumerate_entropies(self):
        return sorted(self.entropies)

    def log_prob(self, cls, kwargs, x, dtype):
        if cls.endswith("Cat"):
            return math.log(kwargs["probs"][int(x)] / sum(kwargs["probs"]))
        if cls.endswith("Wishart"):
            return float(stats.wishart(kwargs["df"], np.array(kwargs["covariance_matrix"]))
                         .logpdf(np.array(x)))
        cov = np.array(kwargs["covariance_matrix"])
        if cls == "PrecisionMVN":
            cov = np.linalg.inv(cov)
        return float(stats.multivariate_normal(kwargs["loc"], cov).logpdf(x))

    def kl(self, cls_p, kw_p, cls_q, kw_q, dtype):
        return float(self.kls[cls_p, cls_q](kw_p, kw_q))

    def entropy(self, cls, kw, dtype):
        return self.entropies[cls](kw)


@pytest.fixture(scope="module")
def fake_report():
    register_adapter("fakevec", FakeVectorAdapter)
    yield si.audit("fakevec", points=4)
    unregister_adapter("fakevec")


def test_fake_vector_library_correct_and_broken_formulas_told_apart(fake_report):
    status = {(f.p, f.kind): f for f in fake_report.rows}
    for good in ("Cat", "MVN"):
        assert status[good, "kl"].status == "agrees", status[good, "kl"].counterexample
    # scipy's Wishart entropy may lose digits where it crosses 0 at a wide scale: not wrong
    assert status["Wishart", "entropy"].status in ("agrees", "inaccurate")
    for bad in ("BadCat", "BadMVN"):
        row = status[bad, "kl"]
        assert row.status == "wrong", row.counterexample
        e = row.counterexample
        assert e["numeric"] == pytest.approx(e["ours"], rel=1e-6)
        assert e["snippet"].startswith(f"kl_divergence({bad}(")
    cat = status["BadCat", "kl"].counterexample
    assert cat["ours"] == pytest.approx(_cat_kl(cat["params"]["p"], cat["params"]["q"]),
                                        rel=1e-9)
    assert "nquad" in status["BadMVN", "kl"].counterexample["numeric_note"]
    wishart = status["BadWishart", "entropy"]
    assert wishart.status == "wrong", wishart.counterexample
    assert "Monte Carlo" in wishart.counterexample["numeric_note"]
    assert status["PrecisionMVN", "kl"].status == "mapping_error"


# -- the real libraries --------------------------------------------------------------------------
VECTOR_CLASSES = {
    "torch": ["Categorical", "OneHotCategorical", "Multinomial", "Dirichlet",
              "MultivariateNormal", "LowRankMultivariateNormal", "Wishart"],
    "numpyro": ["CategoricalProbs", "CategoricalLogits", "MultinomialProbs",
                "MultinomialLogits", "Dirichlet", "MultivariateNormal",
                "LowRankMultivariateNormal", "Wishart"],
    "tfp": ["Categorical", "OneHotCategorical", "Multinomial", "Dirichlet",
            "MultivariateNormalTriL", "MultivariateNormalFullCovariance",
            "MultivariateNormalDiag", "MultivariateNormalDiagPlusLowRank",
            "MultivariateNormalDiagPlusLowRankCovariance", "MultivariateNormalLinearOperator",
            "WishartTriL", "WishartLinearOperator"],
    "scipy": ["dirichlet", "multivariate_normal", "multinomial", "wishart"],
}
MODULES = {"torch": "torch", "numpyro": "numpyro", "tfp": "tensorflow_probability",
           "scipy": "scipy"}


@pytest.mark.parametrize("library", sorted(VECTOR_CLASSES))
def test_every_vector_mapping_holds(library):
    pytest.importorskip(MODULES[library])
    adapter = get_adapter(library)
    classes = [k for k in VECTOR_CLASSES[library] if k in adapter.classes] \
        if hasattr(adapter, "classes") else VECTOR_CLASSES[library]
    assert {k: check_mapping(adapter, k) for k in classes} == {k: None for k in classes}


def _vector_units(adapter):
    """The library's formulas whose classes are all mapped to our vector families."""
    from symbolic_info.audit.run import units_of
    from symbolic_info.audit.vector import is_vector
    mapped = {k for k, m in adapter.mappings.items() if is_vector(m.family)}
    return [u.p if u.kind == "entropy" else (u.p, u.q) for u in units_of(adapter)
            if set(u.classes) <= mapped]


@pytest.mark.parametrize("library", sorted(VECTOR_CLASSES))
def test_vector_rows_are_audited(library):
    """Every formula of a vector class is audited (a row per dtype), unless its other class
    has no family of ours (TFP's GaussianProcess)."""
    pytest.importorskip(MODULES[library])
    adapter = get_adapter(library)
    units = _vector_units(adapter)
    report = si.audit(library, pairs=units, points=3)
    assert len(report.rows) == len(units) * len(adapter.dtypes())
    assert not report.by_status("unsupported"), [
        (f.label, f.counterexample) for f in report.by_status("unsupported")]
    assert not report.by_status("mapping_error")
    for row in report.by_status("wrong"):
        assert row.counterexample["numeric"] == pytest.approx(row.counterexample["ours"],
                                                              rel=1e-6)
    if library == "torch":
        assert ("MultivariateNormal", "MultivariateNormal") in units and "Wishart" in units
        f32, = report.find("kl", "Categorical", "Categorical", "float32")
        assert f32.status == "negative" and f32.counterexample["point"].startswith("near")
