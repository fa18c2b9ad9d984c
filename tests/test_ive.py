"""e^{-z} I_ν(z) in the numeric backends (symbolic_info.numeric.functions.ive and
ive_difference): the von Mises entropy log(2π I₀(κ)) - κ I₁(κ)/I₀(κ) overflows from κ ≈ 700
when written directly, and κ(1 - I₁/I₀) ~ 1/2 cancels as κ grows."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import scipy.special
import sympy as sp
from optional import needs

import symbolic_info as si
from symbolic_info.numeric.array_special import IVE_SWITCH
from symbolic_info.numeric.functions import ive, ive_difference, scaled_bessel_functions
from symbolic_info.numeric.printing import array_code

POINTS = np.concatenate([np.geomspace(1e-8, 1e8, 81),
                         [0.5, 1.0, 24.999999, 25.0, 25.000001, 99.99, 100.0, 100.01, 700.0,
                          710.0, 1e4, 1e6]])
ORDERS = [0, 1, 2.5]  # the compiled and tensor functions take any order 0 <= ν <= 10
MORE_ORDERS = [5, 10]
# the difference cancels by ~2z/(2ν + 1) below the switch (z = 25); ive alone does not
IVE_TOLERANCE, DIFFERENCE_TOLERANCE = 5e-15, 5e-14
SCIPY_TOLERANCE = 5e-14  # scipy.special.ive (AMOS) at a non-integer order: 1.7e-14 at ν = 2.5


def _exact(nu: float, z: float, difference: bool = False) -> float:
    with mpmath.workdps(50):
        z = mpmath.mpf(z)
        value = mpmath.besseli(nu, z) - (mpmath.besseli(nu + 1, z) if difference else 0)
        return float(value * mpmath.exp(-z))


def _worst(values, nu, difference: bool) -> float:
    exact = np.array([_exact(nu, z, difference) for z in POINTS])
    return float(np.max(np.abs(np.asarray(values, dtype=float) / exact - 1)))


def _tolerance(difference: bool, nu=None) -> float:
    """ν = 0: the difference is a trapezoidal rule of positive terms, as accurate as ive."""
    return DIFFERENCE_TOLERANCE if difference and nu != 0 else IVE_TOLERANCE


# -- the rewrite ---------------------------------------------------------------------------------
def test_von_mises_form_is_scaled():
    k = sp.Symbol("kappa", positive=True)
    raw = sp.log(2 * sp.pi * sp.besseli(0, k)) - k * sp.besseli(1, k) / sp.besseli(0, k)
    scaled = scaled_bessel_functions(raw)
    assert scaled == sp.log(2 * sp.pi * ive(0, k)) + k * ive_difference(0, k) / ive(0, k)
    for value in (sp.Rational(3, 10), 7, 800):
        assert abs(sp.N((scaled - raw).subs(k, value), 40)) < 1e-30


def test_only_positive_arguments_are_scaled():
    x = sp.Symbol("x", real=True)
    k = sp.Symbol("k")
    assert scaled_bessel_functions(sp.besseli(0, x)) == sp.besseli(0, x)
    positive = {k: sp.Dummy("k", positive=True)}  # stable.positive_parameters' mapping
    assert scaled_bessel_functions(sp.besseli(1, k), positive) == sp.exp(k) * ive(1, k)
    assert scaled_bessel_functions(sp.log(2 * sp.besseli(0, k)), positive) == \
        sp.log(2 * ive(0, k)) + k  # the exponent joined: k is real where it is positive


def test_derivatives():
    z = sp.Symbol("z", positive=True)
    for f in (ive(0, z), ive(sp.Rational(5, 2), z), ive_difference(1, z)):
        got = sp.N(f.diff(z).subs(z, 3), 25)
        want = sp.N(f.rewrite(sp.besseli).diff(z).subs(z, 3), 25)
        assert abs(got - want) < 1e-20


# -- numpy ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("nu", ORDERS)
@pytest.mark.parametrize("difference", [False, True], ids=["ive", "difference"])
def test_numpy_code_against_mpmath(nu, difference):
    z = sp.Symbol("z", positive=True)
    code = array_code((ive_difference if difference else ive)(sp.nsimplify(nu), z))
    assert "scipy.special.ive" in code or difference and nu == 0
    values = eval(code, {"numpy": np, "scipy": scipy}, {"z": POINTS})  # noqa: S307 - ours
    tolerance = _tolerance(difference, nu) if float(nu).is_integer() else SCIPY_TOLERANCE
    assert _worst(values, nu, difference) < tolerance


# -- numba ---------------------------------------------------------------------------------------
@needs("numba")
@pytest.mark.parametrize("nu", ORDERS + MORE_ORDERS)
@pytest.mark.parametrize("difference", [False, True], ids=["ive", "difference"])
def test_compiled_against_mpmath(nu, difference):
    from symbolic_info.numeric import special
    f = special.ive_difference if difference else special.ive
    values = [f(float(nu), float(z)) for z in POINTS]
    assert _worst(values, nu, difference) < _tolerance(difference, nu)


@needs("numba")
def test_compiled_special_values():
    from symbolic_info.numeric.special import ive as compiled_ive
    from symbolic_info.numeric.special import ive_difference as compiled_difference
    assert compiled_ive(0.0, 0.0) == 1.0 and compiled_ive(1.0, 0.0) == 0.0
    assert compiled_ive(0.0, np.inf) == 0.0 and compiled_difference(0.0, 0.0) == 1.0
    assert compiled_ive(-1.0, 3.0) == compiled_ive(1.0, 3.0)  # I_{-n} = I_n
    for bad in [(0.0, -1.0), (0.5, np.nan), (-0.5, 2.0)]:
        assert np.isnan(compiled_ive(*bad))


@needs("numba")
@pytest.mark.parametrize("nu", [0.0, 1.0, 2.5, 10.0])
def test_compiled_switches_are_continuous(nu):
    """Both sides of max(25, ν²) (and of (ν + 1)² for the difference) agree to rounding."""
    from symbolic_info.numeric import special
    for f, switch in [(special.ive, max(25.0, nu * nu)),
                      (special.ive_difference, max(25.0, (nu + 1) ** 2))]:
        below, above = f(nu, switch * (1 - 1e-15)), f(nu, switch)
        assert abs(below / above - 1) < 5e-14, (f, nu)


# -- torch and jax -------------------------------------------------------------------------------
def _array_values(library: str, name: str, nu, points):
    from symbolic_info.numeric import array_special
    f = getattr(array_special, name)(library)
    if library == "torch":
        import torch
        return f(nu, torch.tensor(points, dtype=torch.float64)).numpy()
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    return np.asarray(f(nu, jnp.array(points, dtype=jnp.float64)))


@pytest.mark.parametrize("library", [pytest.param("torch", marks=needs("torch")),
                                     pytest.param("jax", marks=needs("jax"))])
@pytest.mark.parametrize("nu", ORDERS + MORE_ORDERS)
@pytest.mark.parametrize("difference", [False, True], ids=["ive", "difference"])
def test_array_libraries_against_mpmath(library, nu, difference):
    values = _array_values(library, "ive_difference" if difference else "ive", nu, POINTS)
    assert _worst(values, nu, difference) < _tolerance(difference, nu)


@pytest.mark.parametrize("library", [pytest.param("torch", marks=needs("torch")),
                                     pytest.param("jax", marks=needs("jax"))])
@pytest.mark.parametrize("nu", [0, 2.5])
def test_array_switch_is_continuous(library, nu):
    points = [IVE_SWITCH * (1 - 1e-15), IVE_SWITCH]
    for name in ("ive", "ive_difference"):
        below, above = _array_values(library, name, nu, points)
        assert abs(below / above - 1) < 5e-14, name


@needs("torch")
@pytest.mark.parametrize("nu", [0, 1, 2.5])
def test_torch_gradients_finite_across_the_switch(nu):
    """d/dz ive(ν, z) = (ive(ν - 1, z) + ive(ν + 1, z))/2 - ive(ν, z), and the difference's."""
    import torch

    from symbolic_info.numeric import array_special
    points = [0.5, 10.0, 24.999999, 25.000001, 80.0, 1e6]
    for name, difference in [("ive", False), ("ive_difference", True)]:
        z = torch.tensor(points, dtype=torch.float64, requires_grad=True)
        getattr(array_special, name)("torch")(nu, z).sum().backward()
        grad = z.grad.numpy()
        assert np.all(np.isfinite(grad)), name

        def derivative(v):
            with mpmath.workdps(40):
                def f(t):
                    value = mpmath.besseli(nu, t) - (mpmath.besseli(nu + 1, t)
                                                     if difference else 0)
                    return value * mpmath.exp(-t)
                return float(mpmath.diff(f, mpmath.mpf(v)))
        want = np.array([derivative(v) for v in points])
        assert np.max(np.abs(grad / want - 1)) < 1e-9, name


# -- the von Mises entropy -----------------------------------------------------------------------
KAPPAS = [1e-6, 0.5, 3.0, 24.9, 25.1, 100.0, 700.0, 710.0, 1e3, 1e4, 1e6, 1e8]


@pytest.fixture(scope="module")
def von_mises():
    d = si.entropy(si.family("von_mises", mu="m", kappa="k"))
    assert d.status == "closed_form" and d.result.has(sp.besseli)
    exact = d.lambdify("mpmath")
    return d, [exact(0.3, k) for k in KAPPAS]


@pytest.mark.parametrize("backend", [
    "numpy", pytest.param("numba", marks=needs("numba")),
    pytest.param("torch", marks=needs("torch")), pytest.param("jax", marks=needs("jax"))])
def test_von_mises_entropy_at_every_scale(von_mises, backend):
    """Finite and within 2e-14 of mpmath up to κ = 1e8 (the direct form: inf from κ ≈ 700,
    and κ(1 - I₁/I₀) computed as a difference loses ~log10(κ) digits)."""
    d, exact = von_mises
    if backend == "jax":
        import jax
        jax.config.update("jax_enable_x64", True)
    f = d.lambdify(backend)
    if backend == "torch":
        import torch
        got = f(0.3, torch.tensor(KAPPAS, dtype=torch.float64)).numpy()
    else:
        got = np.asarray(f(0.3, np.array(KAPPAS)), dtype=float)
    assert np.all(np.isfinite(got))
    errors = [abs((mpmath.mpf(float(g)) - e) / e) for g, e in zip(got, exact)]
    assert max(errors) < 2e-14, list(zip(KAPPAS, map(float, errors)))


@pytest.mark.parametrize("library", [pytest.param("torch", marks=needs("torch")),
                                     pytest.param("jax", marks=needs("jax"))])
def test_von_mises_entropy_gradient(von_mises, library):
    """dH/dκ (torch autograd, jax.grad) finite and within 1e-10 of sympy's derivative of the
    closed form (mpmath, 50 digits), across the switch and where I₀ overflows."""
    d, _ = von_mises
    k = sp.Symbol("k", positive=True)
    (symbol,) = [s for s in d.parameters if s.name == "k"]
    derivative = sp.lambdify(k, d.result.diff(symbol).subs(symbol, k), modules="mpmath")
    kappas = [0.5, 24.999, 25.001, 1e3, 1e6]
    f = d.lambdify(library)
    if library == "torch":
        import torch
        kappa = torch.tensor(kappas, dtype=torch.float64, requires_grad=True)
        f(0.3, kappa).sum().backward()
        grad = kappa.grad.numpy()
    else:
        import jax
        jax.config.update("jax_enable_x64", True)
        grad = np.array([float(jax.grad(lambda t: f(0.3, t))(v)) for v in kappas])
    with mpmath.workdps(50):
        want = np.array([float(derivative(mpmath.mpf(v))) for v in kappas])
    assert np.all(np.isfinite(grad))
    assert np.max(np.abs(grad / want - 1)) < 1e-10, list(zip(kappas, grad, want))
