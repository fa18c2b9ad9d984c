"""e^z E1(z) in the numeric backends (symbolic_info.numeric.functions.exp_e1): the inverse
Gaussian's entropy has e^{2λ/μ} E1(2λ/μ), which overflows times underflows when written
directly."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import scipy.stats as st
import sympy as sp

import symbolic_info as si
from symbolic_info.numeric.functions import exp_e1, scaled_exponential_integrals
from symbolic_info.numeric.printing import array_code
from symbolic_info.numeric.special import exp_e1 as compiled_exp_e1

POINTS = [1e-12, 1e-5, 0.1, 0.5, 0.999, 1.0, 1.5, 3.0, 10.0, 30.0, 49.99, 50.0, 70.0, 300.0,
          1e5, 1e200]


def _exact(z: float) -> float:
    with mpmath.workdps(40):
        return float(mpmath.exp(z) * mpmath.e1(z))


def test_products_with_exponentials_are_joined():
    z = sp.Symbol("z", positive=True)
    assert scaled_exponential_integrals(sp.exp(2 * z) * sp.expint(1, 2 * z)) == exp_e1(2 * z)
    alone = scaled_exponential_integrals(sp.expint(1, z))
    assert alone == sp.exp(-z) * exp_e1(z)
    assert abs(sp.N(alone.subs(z, 2) - sp.expint(1, 2), 30)) < 1e-25


def test_compiled_exp_e1_against_mpmath():
    worst = max(abs(compiled_exp_e1(z) / _exact(z) - 1) for z in POINTS)
    assert worst < 5e-15, worst


def test_numpy_code_against_mpmath():
    z = sp.Symbol("z", positive=True)
    code = array_code(exp_e1(z))
    namespace = {"numpy": np, "scipy": __import__("scipy.special")}
    values = eval(code, namespace, {"z": np.array(POINTS)})  # noqa: S307 - our own code
    exact = np.array([_exact(v) for v in POINTS])
    assert np.max(np.abs(values / exact - 1)) < 5e-15


@pytest.mark.parametrize("backend", ["numpy", "numba", "mpmath"])
def test_inverse_gaussian_entropy_everywhere(backend):
    """Including 2λ/μ of 10⁵, where e^{2λ/μ} alone overflows."""
    d = si.entropy(si.family("inverse_gaussian", mu="m", lam="l"))
    assert d.status == "closed_form" and d.result.has(sp.expint)
    f = d.lambdify(backend)
    for m, lam in [(1.3, 0.7), (0.01, 100.0), (1.0, 1e-6), (1e-3, 1e3), (1.0, 24.9)]:
        want = st.invgauss(mu=m / lam, scale=lam).entropy()
        assert float(f(m, lam)) == pytest.approx(want, rel=1e-12, abs=1e-13)


@pytest.mark.parametrize("library", ["torch", "jax"])
def test_array_library_exp_e1_against_mpmath(library):
    from symbolic_info.numeric.array_special import exp_e1 as array_exp_e1
    if library == "torch":
        import torch
        values = array_exp_e1("torch")(torch.tensor(POINTS[:-1], dtype=torch.float64)).numpy()
    else:
        import jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        values = np.asarray(array_exp_e1("jax")(jnp.array(POINTS[:-1], dtype=jnp.float64)))
    exact = np.array([_exact(v) for v in POINTS[:-1]])
    assert np.max(np.abs(values / exact - 1)) < 1e-14


def test_torch_exp_e1_gradient_is_finite_across_the_switches():
    """d/dz e^z E1(z) = e^z E1(z) - 1/z on both sides of z = 1 and z = 50."""
    import torch

    from symbolic_info.numeric.array_special import exp_e1 as array_exp_e1
    points = [0.5, 0.999999, 1.000001, 20.0, 49.999, 50.001, 80.0]
    z = torch.tensor(points, dtype=torch.float64, requires_grad=True)
    array_exp_e1("torch")(z).sum().backward()
    want = np.array([_exact(v) - 1 / v for v in points])
    assert np.all(np.isfinite(z.grad.numpy()))
    assert np.max(np.abs(z.grad.numpy() / want - 1)) < 1e-9


def test_inverse_gaussian_entropy_in_torch():
    import torch
    d = si.entropy(si.family("inverse_gaussian", mu="m", lam="l"))
    f = d.lambdify("torch")
    for m, lam in [(1.3, 0.7), (1e-3, 1e3)]:
        got = f(torch.tensor(m, dtype=torch.float64), torch.tensor(lam, dtype=torch.float64))
        want = st.invgauss(mu=m / lam, scale=lam).entropy()
        assert float(got) == pytest.approx(want, rel=1e-12)
