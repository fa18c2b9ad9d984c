"""Rényi divergence and entropy, Tsallis, Bhattacharyya, Hellinger, χ² and f-divergences:
values against numerical integration (mpmath) and scipy at random points, conditions, infinite
cases, order-1 limits, name independence and bad input."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp
from scipy import stats

import symbolic_info as si
from symbolic_info.errors import InvalidParameter


def pair(name: str, **shared):
    spec = si.family(name).spec
    values = [{n: f"{n}_{i}" for n in spec.param_names} for i in (1, 2)]
    for v in values:
        v.update(shared)
    return si.family(name, **values[0]), si.family(name, **values[1])


def value(d, point: dict) -> float:
    return float(sp.N(d.result.xreplace({s: point[s.name] for s in d.result.free_symbols})))


def quad(f, lo, hi) -> float:
    with mpmath.workdps(30):
        return float(mpmath.quad(f, [lo, 0, hi] if lo == -mpmath.inf else [lo, hi]))


ALPHA = sp.Symbol("alpha", positive=True)


def test_normal_renyi_divergence_has_its_factor_and_condition():
    p, q = pair("normal")
    d = si.renyi_divergence(p, q, "alpha")
    assert d.status == "closed_form" and d.checked and d.name == "renyi_divergence_normal_normal"
    assert d.parameters[-1] == ALPHA
    m1, s1, m2, s2 = sp.symbols("mu_1 sigma_1 mu_2 sigma_2", positive=True)
    s_a = ALPHA * s2**2 + (1 - ALPHA) * s1**2
    textbook = (sp.log(s2 / s1) + sp.log(s2**2 / s_a) / (2 * (ALPHA - 1))
                + ALPHA * (m1 - m2) ** 2 / (2 * s_a))
    rng = np.random.default_rng(0)
    for _ in range(6):
        point = {"mu_1": rng.normal(), "mu_2": rng.normal(), "sigma_1": rng.uniform(0.5, 2),
                 "sigma_2": rng.uniform(0.5, 2), "alpha": rng.choice([0.3, 0.7, 1.5, 2.5])}
        admissible = point["alpha"] * point["sigma_2"] ** 2 + (1 - point["alpha"]) * \
            point["sigma_1"] ** 2 > 0
        got = value(d, point)
        if not admissible:
            assert got == float("inf")
            continue
        ref = float(textbook.subs({sp.Symbol(k, positive=True): v for k, v in point.items()}))
        assert got == pytest.approx(ref, rel=1e-10)
        a = point["alpha"]
        integral = quad(lambda x: mpmath.npdf(x, point["mu_1"], point["sigma_1"]) ** a
                        * mpmath.npdf(x, point["mu_2"], point["sigma_2"]) ** (1 - a),
                        -mpmath.inf, mpmath.inf)
        assert got == pytest.approx(float(mpmath.log(integral)) / (a - 1), rel=1e-8)
    assert any(s.kind is si.derive.derivation.StepKind.LIMIT for s in d.steps)


@pytest.mark.parametrize("name, shared", [
    ("exponential", {}), ("gamma", {}), ("beta", {}), ("poisson", {}), ("bernoulli", {}),
    ("weibull", {"k": "k"}), ("gumbel", {"beta": "b"}), ("laplace", {}), ("pareto", {}),
    ("rayleigh", {}), ("lognormal", {}), ("half_normal", {}), ("chi_squared", {}),
    ("uniform", {}), ("chi", {}), ("maxwell", {}), ("levy", {"mu": "m"}),
    ("inverse_gaussian", {}), ("generalized_normal", {"mu": "m", "beta": "b"})])
def test_gil_alajaji_linder_families_have_closed_renyi_divergences(name, shared):
    p, q = pair(name, **shared)
    d = si.renyi_divergence(p, q, "alpha")
    assert d.status == "closed_form", d
    exact = any(s.kind is si.derive.derivation.StepKind.FINITE_SUM for s in d.steps)
    assert d.checked or exact  # a finite sum is exact: nothing to check numerically


def test_renyi_of_a_number_order_and_its_relations():
    p, q = pair("exponential")
    point = {"rate_1": 0.7, "rate_2": 1.9}
    half = value(si.renyi_divergence(p, q, sp.Rational(1, 2)), point)
    assert half == pytest.approx(2 * value(si.bhattacharyya(p, q), point), rel=1e-12)
    two = value(si.renyi_divergence(p, q, 2), point)
    assert two == pytest.approx(np.log1p(value(si.chi_square(p, q), point)), rel=1e-12)
    h2 = value(si.hellinger(p, q), point)
    assert value(si.bhattacharyya(p, q), point) == pytest.approx(-np.log(1 - h2), rel=1e-12)
    orders = [0.2, 0.5, 0.9, 1.5, 3.0]
    values = [value(si.renyi_divergence(p, q, sp.nsimplify(a)), point) for a in orders]
    assert all(b >= a - 1e-12 for a, b in zip(values, values[1:]))  # non-decreasing in α


def test_chi_square_is_infinite_where_the_integral_diverges_with_the_reason():
    p, q = pair("exponential")
    d = si.chi_square(p, q)
    assert value(d, {"rate_1": 1.0, "rate_2": 3.0}) == float("inf")  # 2λ1 - λ2 < 0
    assert value(d, {"rate_1": 1.0, "rate_2": 1.5}) == pytest.approx(
        quad(lambda x: (mpmath.exp(-x)) ** 2 / (1.5 * mpmath.exp(-1.5 * x)), 0, mpmath.inf)
        - 1, rel=1e-10)
    normal = si.chi_square(si.family("normal"), si.family("exponential"))
    assert normal.status == "infinite" and normal.result == sp.oo


def test_renyi_and_tsallis_entropies_against_scipy_and_their_limits():
    p = si.family("normal", mu="m", sigma="s")
    h = si.renyi_entropy(p, "alpha")
    assert h.status == "closed_form" and h.checked
    for a in (0.5, 2.0, 3.0):
        integral = quad(lambda x: mpmath.npdf(x, 0, 1.3) ** a, -mpmath.inf, mpmath.inf)
        ref = float(mpmath.log(integral)) / (1 - a)
        assert value(h, {"m": 0.0, "s": 1.3, "alpha": a}) == pytest.approx(ref, rel=1e-10)
        tsallis = si.tsallis_entropy(p, sp.nsimplify(a))
        assert value(tsallis, {"m": 0, "s": 1.3}) == pytest.approx((1 - integral) / (a - 1),
                                                                   rel=1e-10)
    near = value(h, {"m": 0.0, "s": 1.3, "alpha": 1 + 1e-9})
    assert near == pytest.approx(stats.norm(0, 1.3).entropy(), rel=1e-7)
    q = si.tsallis_entropy(p, "q")
    assert q.parameters[-1] == sp.Symbol("q", positive=True)


def test_discrete_and_finite_supports():
    p, q = pair("bernoulli")
    d = si.renyi_divergence(p, q, 2)
    point = {"p_1": 0.3, "p_2": 0.6}
    ref = np.log(0.3**2 / 0.6 + 0.7**2 / 0.4)
    assert value(d, point) == pytest.approx(ref, rel=1e-12)
    poisson = si.hellinger(*pair("poisson"))
    lam1, lam2 = 2.0, 3.5
    ref = 1 - sum(np.sqrt(stats.poisson(lam1).pmf(k) * stats.poisson(lam2).pmf(k))
                  for k in range(80))
    assert value(poisson, {"lam_1": lam1, "lam_2": lam2}) == pytest.approx(ref, rel=1e-10)


def test_supports_that_do_not_nest():
    u = si.family("uniform", a=0, b=1)
    assert si.hellinger(u, si.family("uniform", a=2, b=3)).result == 1
    assert si.bhattacharyya(u, si.family("uniform", a=2, b=3)).result == sp.oo
    overlap = si.family("uniform", a=sp.Rational(1, 2), b=2)
    assert sp.simplify(si.hellinger(u, overlap).result - (1 - 1 / sp.sqrt(6))) == 0
    assert si.chi_square(u, overlap).status == "infinite"
    d = si.renyi_divergence(u, overlap, "alpha")
    assert value(d, {"alpha": 2.0}) == float("inf")
    assert value(d, {"alpha": 0.5}) == pytest.approx(np.log(6), rel=1e-12)


def test_names_do_not_change_results():
    a = si.renyi_divergence(*pair("gamma"), "alpha")
    p = si.family("gamma", shape="zz", rate="aa")
    q = si.family("gamma", shape="b", rate="c")
    b = si.renyi_divergence(p, q, "order")
    swap = {sp.Symbol("shape_1", positive=True): sp.Symbol("zz", positive=True),
            sp.Symbol("rate_1", positive=True): sp.Symbol("aa", positive=True),
            sp.Symbol("shape_2", positive=True): sp.Symbol("b", positive=True),
            sp.Symbol("rate_2", positive=True): sp.Symbol("c", positive=True),
            ALPHA: sp.Symbol("order", positive=True)}
    assert a.result.xreplace(swap) == b.result


def test_bad_orders_and_bases_are_clear_errors():
    p, q = pair("normal")
    for bad in (1, 0, -2, "not a name"):
        with pytest.raises(InvalidParameter, match="alpha"):
            si.renyi_divergence(p, q, bad)
    with pytest.raises(InvalidParameter, match="base"):
        si.hellinger(p, q, base=2)
    bits = si.renyi_divergence(p, q, 2, base=2)
    nats = si.renyi_divergence(p, q, 2)
    point = {"mu_1": 0.1, "sigma_1": 1.0, "mu_2": 0.4, "sigma_2": 1.2}
    assert value(bits, point) * np.log(2) == pytest.approx(value(nats, point), rel=1e-12)


def test_a_budget_that_runs_out_is_timed_out():
    d = si.renyi_divergence(*pair("cauchy"), "alpha", timeout=0.5)
    assert d.status in ("timed_out", "no_closed_form")
    assert d.status == "timed_out" or d.result.has(sp.Integral)


@pytest.mark.parametrize("generator, named", [
    ("t*log(t)", si.kl), ("(t-1)**2", si.chi_square), ("-log(t)", None),
    ("(sqrt(t)-1)**2/2", si.hellinger), ("2*t*log(t) + 3*(t - 1)", None)])
def test_f_divergence_recognises_named_generators(generator, named):
    p, q = pair("exponential")
    d = si.f_divergence(p, q, generator)
    point = {"rate_1": 0.8, "rate_2": 1.3}
    f = sp.lambdify(sp.Symbol("t"), sp.sympify(generator), "mpmath")
    ref = quad(lambda x: 1.3 * mpmath.exp(-1.3 * x) * f(0.8 * mpmath.exp(-0.8 * x)
                                                        / (1.3 * mpmath.exp(-1.3 * x))),
               0, mpmath.inf)
    assert value(d, point) == pytest.approx(ref, rel=1e-9)
    if named is not None:
        assert value(d, point) == pytest.approx(value(named(p, q), point), rel=1e-12)


def test_f_divergence_rejects_a_concave_generator():
    p, q = pair("normal")
    with pytest.raises(InvalidParameter, match="convex"):
        si.f_divergence(p, q, "-t**2")
    d = si.f_divergence(p, q, sp.Lambda(sp.Symbol("u"), sp.Symbol("u") * sp.log(sp.Symbol("u"))))
    assert sp.simplify(d.result - si.kl(p, q).result) == 0


def test_f_divergence_of_powers_goes_through_power_integrals():
    p, q = si.family("exponential", rate="a"), si.family("exponential", rate="b")
    d = si.f_divergence(p, q, "t**3 + t*log(t)")
    assert d.status == "closed_form" and d.checked
    point = {"a": 1.1, "b": 1.3}
    ref = quad(lambda x: 1.3 * mpmath.exp(-1.3 * x) * (
        (1.1 * mpmath.exp(-1.1 * x) / (1.3 * mpmath.exp(-1.3 * x))) ** 3), 0, mpmath.inf)
    kl = value(si.kl(p, q), point)
    assert value(d, point) == pytest.approx(ref + kl, rel=1e-10)
    assert value(d, {"a": 1.0, "b": 2.0}) == float("inf")  # 3a - 2b < 0: diverges
