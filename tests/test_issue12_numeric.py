"""Issue 12 numerics: ``lambdify`` of the new quantities (values against mpmath and quadrature,
+inf outside the admissible region, Fisher matrices of shape (..., k, k), the order as a
parameter and its validation) and the stable forms near P = Q."""

from __future__ import annotations

from functools import cache

import mpmath
import numpy as np
import pytest
import sympy as sp
from optional import needs
from scipy import integrate, stats

import symbolic_info as si
from symbolic_info.cli import default_member
from symbolic_info.errors import InvalidParameter
from symbolic_info.numeric.stable import stable_form

T = sp.Symbol("t", positive=True)
BUILDERS = {
    "renyi_divergence": (si.renyi_divergence, 2, ("alpha",)),
    "renyi_entropy": (si.renyi_entropy, 1, ("alpha",)),
    "tsallis_entropy": (si.tsallis_entropy, 1, ("q",)),
    "bhattacharyya": (si.bhattacharyya, 2, ()),
    "hellinger": (si.hellinger, 2, ()),
    "chi_square": (si.chi_square, 2, ()),
    "jensen_shannon": (si.jensen_shannon, 2, ()),
    "jeffreys": (si.jeffreys, 2, ()),
    "f_divergence": (si.f_divergence, 2, (sp.Lambda(T, (T - 1) ** 2),)),
    "total_variation": (si.total_variation, 2, ()),
}
#: (quantity, family) -> a point of its parameters (P's, then Q's, then the order)
POINTS = {
    ("renyi_divergence", "normal"): (0.3, 1.2, -0.4, 1.5, 0.7),
    ("renyi_entropy", "normal"): (0.3, 1.2, 2.5),
    ("tsallis_entropy", "exponential"): (1.7, 0.6),
    ("bhattacharyya", "normal"): (0.3, 1.2, -0.4, 1.5),
    ("hellinger", "normal"): (0.3, 1.2, -0.4, 1.5),
    ("chi_square", "normal"): (0.3, 1.2, -0.4, 1.5),
    ("jensen_shannon", "bernoulli"): (0.2, 0.7),
    ("jeffreys", "exponential"): (1.3, 0.4),
    ("f_divergence", "normal"): (0.3, 1.2, -0.4, 1.5),
    ("total_variation", "exponential"): (1.3, 0.4),
}


@cache
def derived(quantity: str, family: str):
    builder, arity, extra = BUILDERS[quantity]
    members = [default_member(family, role) for role in range(1, arity + 1)]
    return builder(*members, *extra)


@pytest.mark.parametrize("quantity, family", sorted(POINTS))
def test_numpy_agrees_with_mpmath(quantity, family):
    d = derived(quantity, family)
    point = POINTS[quantity, family]
    assert len(point) == len(d.parameters)
    ours = d.lambdify()(*point)
    reference = d.lambdify("mpmath")(*point)
    assert np.isfinite(ours) and ours == pytest.approx(float(reference), rel=1e-12)
    by_name = d.lambdify()(**{s.name: v for s, v in zip(d.parameters, point)})
    assert by_name == ours


def _normal_pdfs(m1, s1, m2, s2):
    return stats.norm(m1, s1).pdf, stats.norm(m2, s2).pdf


@pytest.mark.parametrize("quantity, integrand, transform", [
    ("hellinger", lambda p, q, x: np.sqrt(p(x) * q(x)), lambda i: 1 - i),
    ("bhattacharyya", lambda p, q, x: np.sqrt(p(x) * q(x)), lambda i: -np.log(i)),
    ("chi_square", lambda p, q, x: p(x) ** 2 / q(x), lambda i: i - 1),
    ("renyi_divergence", lambda p, q, x: p(x) ** 0.7 * q(x) ** 0.3,
     lambda i: np.log(i) / (0.7 - 1)),
])
def test_normal_pair_against_quadrature(quantity, integrand, transform):
    point = POINTS[quantity, "normal"]
    p, q = _normal_pdfs(*point[:4])
    value, _ = integrate.quad(lambda x: integrand(p, q, x), -30, 30, points=[0.0],
                              epsabs=1e-13, epsrel=1e-12, limit=200)
    assert derived(quantity, "normal").lambdify()(*point) == pytest.approx(transform(value),
                                                                           rel=1e-9)


def test_piecewise_is_inf_outside_the_admissible_region_vectorised():
    f = derived("renyi_divergence", "normal").lambdify()
    sigma_2 = np.array([0.5, 1.0, 2.0])
    out = f(0.0, 1.0, 0.5, sigma_2, np.array([[3.0], [0.5]]))
    assert out.shape == (2, 3)
    # alpha sigma_2^2 + (1 - alpha) sigma_1^2 > 0 fails only at alpha = 3, sigma_2 = 0.5
    assert np.isinf(out[0, 0]) and out[0, 0] > 0 and np.isfinite(out[0, 1:]).all()
    assert np.isfinite(out[1]).all()
    chi = derived("chi_square", "normal").lambdify()
    values = chi(0.0, np.array([1.0, 2.0]), 0.0, 1.0)  # sigma_1^2 < 2 sigma_2^2 fails at 2
    assert values[0] == pytest.approx(1 / np.sqrt(1.0) - 1) and np.isposinf(values[1])


def test_order_is_a_parameter_and_validated():
    d = derived("renyi_divergence", "normal")
    assert d.parameters[-1].name == "alpha"
    f = d.lambdify(validate=True)
    assert np.isfinite(f(0.3, 1.2, -0.4, 1.5, alpha=0.7))
    for bad in (0.0, -1.0):
        with pytest.raises(InvalidParameter, match="alpha"):
            f(0.3, 1.2, -0.4, 1.5, bad)
    with pytest.raises(InvalidParameter, match="sigma_1"):
        f(0.3, -1.2, -0.4, 1.5, 0.7)


# -- Fisher information --------------------------------------------------------------------------
def test_fisher_matrix_shape_and_values():
    d = si.fisher_information(default_member("normal", 1))
    f = d.lambdify()
    sigma = np.array([0.5, 1.0, 2.0])
    out = f(0.0, sigma)
    assert out.shape == (3, 2, 2)
    expected = np.stack([np.diag([1 / s ** 2, 2 / s ** 2]) for s in sigma])
    np.testing.assert_allclose(out, expected, rtol=1e-14)
    assert f(0.0, 2.0).shape == (2, 2)
    m = d.lambdify("mpmath")(0.0, 2.0)
    assert isinstance(m, mpmath.matrix) and float(m[1, 1]) == pytest.approx(0.5)
    with pytest.raises(InvalidParameter, match="sigma_1"):
        d.lambdify(validate=True)(0.0, -1.0)


def test_fisher_gamma_against_quadrature_of_scores():
    d = si.fisher_information(default_member("gamma", 1))
    point = (2.5, 1.5)
    names = [s.name for s in d.parameters]
    out = d.lambdify()(*point)
    assert out.shape == (2, 2) and np.allclose(out, out.T)
    assert np.all(np.linalg.eigvalsh(out) > 0), names


@needs("numba")
def test_fisher_numba_matrix():
    d = si.fisher_information(default_member("normal", 1))
    out = d.lambdify("numba")(np.zeros(4), np.linspace(1, 2, 4))
    assert out.shape == (4, 2, 2)
    np.testing.assert_allclose(out[:, 1, 1], 2 / np.linspace(1, 2, 4) ** 2)


# -- stability near P = Q ------------------------------------------------------------------------
NEAR = [("hellinger", ()), ("bhattacharyya", ()), ("chi_square", ()),
        ("renyi_divergence", (0.7,)), ("renyi_divergence", (2.5,)), ("jeffreys", ())]


def _reference(d, point) -> float:
    with mpmath.workdps(50):
        return float(d.lambdify("mpmath")(*[mpmath.mpf(v) for v in point]))


@pytest.mark.parametrize("quantity, order", NEAR, ids=[f"{q}{o}" for q, o in NEAR])
@pytest.mark.parametrize("delta", [(1e-8, 0.0), (0.0, 1e-8), (1e-8, -1e-8), (1e-4, 1e-4)])
def test_near_equality_keeps_its_digits(quantity, order, delta):
    d = derived(quantity, "normal")
    point = (0.3, 1.3, 0.3 + delta[0], 1.3 + delta[1], *order)
    reference = _reference(d, point)
    assert reference > 0
    ours = float(d.lambdify()(*point))
    assert abs(ours - reference) <= 1e-10 * reference


def test_naive_evaluation_loses_the_digits_the_stable_form_keeps():
    """The figures of the report: Hellinger at |θ_Q - θ_P| = 1e-8."""
    d = derived("hellinger", "normal")
    point = (0.3, 1.3, 0.3 + 1e-8, 1.3 + 1e-8)
    reference = _reference(d, point)
    naive = sp.lambdify(d.parameters, d.result, modules="numpy")(*point)
    assert abs(naive - reference) > 0.5 * reference  # all digits lost
    assert abs(d.lambdify()(*point) - reference) <= 1e-14 * reference


def test_hellinger_direct_form_is_minus_expm1_of_log_bc():
    form = stable_form(derived("hellinger", "normal"))
    assert "expm1" in str(form.direct) and form.near is not None
    assert "expm1" in str(stable_form(derived("chi_square", "normal")).direct)


def test_vectorised_near_and_far_points_together():
    d = derived("hellinger", "normal")
    mu_2 = 0.3 + np.array([1e-8, 1e-3, 0.5, 3.0])
    out = d.lambdify()(0.3, 1.3, mu_2, 1.3)
    reference = [_reference(d, (0.3, 1.3, m, 1.3)) for m in mu_2]
    np.testing.assert_allclose(out, reference, rtol=1e-10)


# -- other backends ------------------------------------------------------------------------------
@needs("numba")
def test_numba_renyi_near_and_inf():
    d = derived("renyi_divergence", "normal")
    f = d.lambdify("numba")
    point = (0.3, 1.3, 0.3 + 1e-8, 1.3, 0.7)
    assert abs(f(*point) - _reference(d, point)) <= 1e-10 * _reference(d, point)
    assert np.isposinf(f(0.0, 3.0, 0.5, 1.0, 2.0))


@needs("torch")
def test_torch_hellinger_with_gradients():
    import torch
    d = derived("hellinger", "normal")
    args = [torch.tensor(v, dtype=torch.float64, requires_grad=True)
            for v in (0.3, 1.2, -0.4, 1.5)]
    out = d.lambdify("torch")(*args)
    out.backward()
    assert float(out) == pytest.approx(d.lambdify()(0.3, 1.2, -0.4, 1.5), rel=1e-12)
    assert all(a.grad is not None and torch.isfinite(a.grad) for a in args)


@needs("jax")
def test_jax_fisher_matrix():
    import jax.numpy as jnp
    d = si.fisher_information(default_member("normal", 1))
    out = d.lambdify("jax")(jnp.zeros(3), jnp.array([1.0, 2.0, 4.0]))
    assert out.shape == (3, 2, 2)
    assert float(out[1, 1, 1]) == pytest.approx(0.5, rel=1e-6)
