"""lambdify backends: numpy, numba, jax and torch agree with mpmath (50 digits) on random
points; special functions compiled for numba agree with scipy; validate=True; 0*log 0 = 0 and
incompatible supports give inf.

Tolerances: double-precision backends within 1e-12 relative (plus 1e-14 absolute, for results
near 0) of mpmath; the numba digamma within 1e-14 relative of scipy for positive arguments.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from optional import needs
from scipy import special

from symbolic_info.errors import InvalidParameter
from symbolic_info.numeric.lambdify import prepare
from symbolic_info.numeric.printing import UnsupportedFunction, check_scalar

CASES = [("kl", "normal", "normal"), ("kl", "gamma", "gamma"), ("entropy", "beta", None),
         ("kl", "bernoulli", "bernoulli")]
ARRAY_BACKENDS = ["numpy", pytest.param("numba", marks=needs("numba")),
                  pytest.param("jax", marks=needs("jax")),
                  pytest.param("torch", marks=needs("torch"))]
needs_numba = needs("numba")

# Ranges per parameter name (stem before the subscript), wide enough to reach the asymptotic
# and small-argument branches of the special functions.
RANGES = {"mu": (-5.0, 5.0), "sigma": (0.05, 20.0), "shape": (0.05, 50.0),
          "rate": (0.05, 20.0), "a": (0.05, 50.0), "b": (0.05, 50.0), "p": (0.0, 1.0),
          "alpha": (0.05, 50.0), "beta": (0.05, 20.0)}  # gamma and beta: α, β


def random_points(d, rng, n=40):
    columns = [rng.uniform(*RANGES[s.name.rsplit("_", 1)[0]], size=n) for s in d.parameters]
    return np.array(columns).T


def to_backend(values, backend):
    if backend == "jax":
        import jax.numpy as jnp
        return [jnp.asarray(v) for v in values]
    if backend == "torch":
        import torch
        return [torch.as_tensor(v, dtype=torch.float64) for v in values]
    return values


@pytest.mark.parametrize("backend", ARRAY_BACKENDS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(x for x in c if x))
def test_backend_agrees_with_mpmath(case, backend, derive, rng):
    d = derive(*case)
    if backend == "jax":
        import jax
        jax.config.update("jax_enable_x64", True)
    points = random_points(d, rng)
    precise = d.lambdify("mpmath")
    expected = np.array([float(precise(*row)) for row in points])
    f = d.lambdify(backend)
    got = np.asarray(f(*to_backend(list(points.T), backend)), dtype=float)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)
    # scalars too
    assert float(f(*to_backend(list(points[0]), backend))) == pytest.approx(
        expected[0], rel=1e-12, abs=1e-14)


def test_mpmath_backend_has_fifty_digits(derive):
    d = derive("kl", "normal", "normal")
    value = d.lambdify("mpmath")(0, 1, 0, 3)
    with mpmath.workdps(50):
        exact = mpmath.log(3) - mpmath.mpf(1) / 2 + mpmath.mpf(1) / 18
        assert abs(value - exact) < mpmath.mpf(10) ** -48
    with pytest.raises(TypeError):
        d.lambdify("mpmath")(np.zeros(2), 1, 0, 3)


def test_unknown_backend_is_refused(derive):
    with pytest.raises(InvalidParameter, match="unknown backend"):
        derive("kl", "normal", "normal").lambdify("fortran")


@needs_numba
def test_numba_broadcasts_like_numpy(derive):
    d = derive("kl", "normal", "normal")
    mu = np.linspace(-1, 1, 5)[:, None]
    sigma = np.linspace(0.5, 2, 3)[None, :]
    np.testing.assert_allclose(d.lambdify("numba")(mu, sigma, 0.0, 1.0),
                               d.lambdify()(mu, sigma, 0.0, 1.0), rtol=1e-14)
    assert d.lambdify("numba")(mu, sigma, 0.0, 1.0).shape == (5, 3)


@needs_numba
def test_numba_digamma_matches_scipy():
    from symbolic_info.numeric.special import compiled
    digamma = compiled()["digamma"]
    xs = np.concatenate([np.geomspace(1e-8, 1e8, 4001), np.linspace(1.1, 1.9, 4001),
                         np.linspace(0.01, 30.0, 6001)])
    got = np.array([digamma(x) for x in xs])
    np.testing.assert_allclose(got, special.digamma(xs), rtol=1e-14)
    assert digamma(0.0) == -np.inf and np.isnan(digamma(-2.0)) and np.isnan(digamma(np.nan))
    negative = np.array([-0.5, -1.5, -3.25, -7.9])
    np.testing.assert_allclose([digamma(x) for x in negative], special.digamma(negative),
                               rtol=1e-11)


@needs_numba
def test_numba_xlogy_matches_scipy():
    from symbolic_info.numeric.special import compiled
    xlogy = compiled()["xlogy"]
    for x, y in [(0.0, 0.0), (0.0, 2.0), (0.5, 0.0), (-0.5, 0.0), (0.3, 0.7), (2.0, 5.0)]:
        assert xlogy(x, y) == special.xlogy(x, y)


def test_numba_refuses_unsupported_functions_by_name():
    import sympy as sp
    x = sp.Symbol("x", positive=True)
    n = sp.Symbol("n", integer=True, positive=True)
    check_scalar(sp.polygamma(3, x))  # integer orders are compiled (tests/test_special.py)
    with pytest.raises(UnsupportedFunction, match="polygamma"):
        check_scalar(sp.polygamma(n, x))
    with pytest.raises(UnsupportedFunction, match="besselk"):
        check_scalar(sp.besselk(0, x))


def test_prepare_uses_loggamma_and_xlogy(derive):
    import sympy as sp
    assert prepare(derive("entropy", "beta").result).has(sp.loggamma)
    assert not prepare(derive("entropy", "beta").result).has(sp.gamma)
    assert "xlogy" in str(prepare(derive("kl", "bernoulli", "bernoulli").result))
    normal = derive("kl", "normal", "normal").result
    assert prepare(normal) == normal  # nothing to guard


@pytest.mark.parametrize("backend", ["numpy", "mpmath",
                                     pytest.param("numba", marks=needs_numba)])
def test_zero_log_zero_and_incompatible_supports(derive, backend):
    f = derive("kl", "bernoulli", "bernoulli").lambdify(backend)
    assert float(f(0.0, 0.3)) == pytest.approx(-np.log(0.7), rel=1e-14)
    assert float(f(1.0, 0.3)) == pytest.approx(-np.log(0.3), rel=1e-14)
    assert float(f(0.0, 0.0)) == 0.0 and float(f(1.0, 1.0)) == 0.0
    assert float(f(0.3, 0.0)) == np.inf and float(f(0.3, 1.0)) == np.inf
    g = derive("kl", "uniform", "uniform").lambdify(backend)
    assert float(g(0.0, 3.0, -1.0, 2.0)) == np.inf
    assert float(g(0.0, 1.0, -1.0, 2.0)) == pytest.approx(np.log(3), rel=1e-14)


def test_validate_names_the_offending_parameter(derive):
    f = derive("kl", "bernoulli", "bernoulli").lambdify(validate=True)
    assert f(0.2, 0.5) == pytest.approx(derive("kl", "bernoulli", "bernoulli").lambdify()(0.2,
                                                                                          0.5))
    with pytest.raises(ValueError, match="p_1"):
        f(1.2, 0.5)
    with pytest.raises(ValueError, match="p_2"):
        f(p_1=0.2, p_2=np.array([0.5, -0.1]))
    g = derive("kl", "normal", "normal").lambdify("mpmath", validate=True)
    with pytest.raises(ValueError, match="sigma_2"):
        g(0.0, 1.0, 0.0, -1.0)
    h = derive("kl", "uniform", "uniform").lambdify(validate=True)
    with pytest.raises(ValueError, match="a_1, b_1"):
        h(1.0, 0.0, 0.0, 2.0)
