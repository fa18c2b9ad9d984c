"""matrix_function: sympy matrix expressions of symbolic dimension on batched arrays.

The KL divergence between two multivariate normals and the entropy of one, written with
MatrixSymbols of dimension k, against: an explicit float64 numpy reference (np.linalg.inv /
det), mpmath at 50 digits, torch.distributions (values and autograd gradients), and the jax
backend. Every other supported node type against sympy's own evaluation of the expression on
explicit 3 x 3 matrices at 30 digits.

Tolerances: well-conditioned SPD matrices (A A^T / k + I) within 1e-12 relative of mpmath and
1e-10 of the float64 references; gradients within 1e-8; P == Q gives |KL| <= 1e-12 (k = 16).
Ill-conditioned pairs (both covariances of condition number c, k = 16) against mpmath: the
measured errors are printed (pytest -s) and bounded by 1e-13 (c = 1), 1e-11 (c = 1e4) and
1e-8 (c = 1e8) relative; measured on this suite's seeds 1.2e-16, 3.2e-14 and 1.8e-9 (the
explicit-inverse formula and torch.distributions: 1.2e-16 / 3.3e-16, 2.6e-14 / 5.2e-14,
4.2e-10 / 4.2e-10; at c = 1e8 all three are limited by the conditioning of the Cholesky
factorisation itself, ~c * eps).
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp
from optional import needs
from sympy.matrices.expressions.matexpr import MatrixElement

from symbolic_info.errors import InvalidParameter
from symbolic_info.numeric.matrix import matrix_function

k = sp.Symbol("k", integer=True, positive=True)
MU1, MU2 = sp.MatrixSymbol("mu_1", k, 1), sp.MatrixSymbol("mu_2", k, 1)
S1, S2 = sp.MatrixSymbol("Sigma_1", k, k), sp.MatrixSymbol("Sigma_2", k, k)
D = MU2 - MU1
KL = (sp.Trace(S2.I * S1) + (D.T * S2.I * D)[0, 0] - k + sp.log(sp.Determinant(S2))
      - sp.log(sp.Determinant(S1))) / 2
ENTROPY = k / 2 * (1 + sp.log(2 * sp.pi)) + sp.log(sp.Determinant(S1)) / 2
KL_PARAMETERS = [MU1, S1, MU2, S2]
DIMENSIONS = (1, 3, 16)
BATCHES = ((), (5,), (4, 3))

needs_torch = needs("torch")
needs_jax = needs("jax")


def spd(rng, batch, n):
    """Well-conditioned symmetric positive definite matrices A A^T / n + I."""
    a = rng.standard_normal(tuple(batch) + (n, n))
    return a @ np.swapaxes(a, -1, -2) / n + np.eye(n)


def ill_conditioned(rng, n, condition):
    """Q diag(1 ... 1/condition) Q^T with Q a random rotation (symmetrised)."""
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    s = (q * np.logspace(0, -np.log10(condition), n)) @ q.T
    return (s + s.T) / 2


def kl_arrays(rng, batch, n):
    return dict(mu_1=rng.standard_normal(tuple(batch) + (n,)), Sigma_1=spd(rng, batch, n),
                mu_2=rng.standard_normal(tuple(batch) + (n,)), Sigma_2=spd(rng, batch, n))


def numpy_kl(mu_1, Sigma_1, mu_2, Sigma_2):
    """The textbook formula with explicit inverses and determinants."""
    inverse = np.linalg.inv(Sigma_2)
    d = (mu_2 - mu_1)[..., None]
    n = Sigma_1.shape[-1]
    return 0.5 * (np.trace(inverse @ Sigma_1, axis1=-2, axis2=-1)
                  + (np.swapaxes(d, -1, -2) @ inverse @ d)[..., 0, 0] - n
                  + np.log(np.linalg.det(Sigma_2)) - np.log(np.linalg.det(Sigma_1)))


def mpmath_kl(mu_1, Sigma_1, mu_2, Sigma_2):
    """The KL at 50 digits of the exact values of the float64 inputs (one pair)."""
    with mpmath.workdps(50):
        m1, m2 = mpmath.matrix(mu_1.tolist()), mpmath.matrix(mu_2.tolist())
        s1, s2 = mpmath.matrix(Sigma_1.tolist()), mpmath.matrix(Sigma_2.tolist())
        inverse = s2 ** -1
        d = m2 - m1
        n = Sigma_1.shape[0]
        trace = mpmath.fsum((inverse * s1)[i, i] for i in range(n))
        return (trace + (d.T * inverse * d)[0, 0] - n + mpmath.log(mpmath.det(s2))
                - mpmath.log(mpmath.det(s1))) / 2


def relative(got, want):
    return float(np.max(np.abs(np.asarray(got, dtype=float) - want) / np.abs(want)))


def mp_relative(got, exact) -> float:
    with mpmath.workdps(50):
        return float(abs(mpmath.mpf(float(got)) - exact) / abs(exact))


# -- the KL and the entropy -----------------------------------------------------------------

@pytest.mark.parametrize("batch", BATCHES, ids=str)
@pytest.mark.parametrize("n", DIMENSIONS)
def test_kl_matches_explicit_numpy(n, batch, rng):
    arrays = kl_arrays(rng, batch, n)
    f = matrix_function(KL, KL_PARAMETERS)
    got = f(**arrays)
    assert np.shape(got) == batch
    assert relative(got, numpy_kl(**arrays)) <= 1e-10
    # positional arguments in the order of the parameters, vectors as (..., k, 1)
    column = dict(arrays, mu_1=arrays["mu_1"][..., None], mu_2=arrays["mu_2"][..., None])
    np.testing.assert_array_equal(f(*[column[p.name] for p in KL_PARAMETERS]), got)


@pytest.mark.parametrize("n", DIMENSIONS)
def test_kl_matches_mpmath(n, rng):
    f = matrix_function(KL, KL_PARAMETERS)
    for _ in range(2):
        arrays = kl_arrays(rng, (), n)
        assert mp_relative(f(**arrays), mpmath_kl(**arrays)) <= 1e-12


@needs_torch
@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("batch", BATCHES, ids=str)
@pytest.mark.parametrize("n", DIMENSIONS)
def test_kl_matches_torch_distributions(n, batch, backend, rng):
    import torch
    from torch.distributions import MultivariateNormal, kl_divergence
    arrays = kl_arrays(rng, batch, n)
    t = {name: torch.tensor(v, dtype=torch.float64) for name, v in arrays.items()}
    want = kl_divergence(MultivariateNormal(t["mu_1"], t["Sigma_1"]),
                         MultivariateNormal(t["mu_2"], t["Sigma_2"])).numpy()
    f = matrix_function(KL, KL_PARAMETERS, backend=backend)
    got = f(**(t if backend == "torch" else arrays))
    if backend == "torch":
        assert torch.is_tensor(got) and got.dtype == torch.float64
        got = got.numpy()
    assert np.shape(got) == batch
    assert relative(got, want) <= 1e-10


@needs_torch
@pytest.mark.parametrize("batch", BATCHES, ids=str)
@pytest.mark.parametrize("n", DIMENSIONS)
def test_entropy(n, batch, rng):
    import torch
    from torch.distributions import MultivariateNormal
    arrays = kl_arrays(rng, batch, n)
    f = matrix_function(ENTROPY, [MU1, S1])
    got = f(mu_1=arrays["mu_1"], Sigma_1=arrays["Sigma_1"])
    want = MultivariateNormal(torch.tensor(arrays["mu_1"]),
                              torch.tensor(arrays["Sigma_1"])).entropy().numpy()
    assert np.shape(got) == batch
    assert relative(got, want) <= 1e-10
    explicit = n / 2 * (1 + np.log(2 * np.pi)) + np.log(np.linalg.det(arrays["Sigma_1"])) / 2
    assert relative(got, explicit) <= 1e-10
    single = {name: v[(0,) * len(batch)] for name, v in arrays.items()}
    with mpmath.workdps(50):
        exact = (n * (1 + mpmath.log(2 * mpmath.pi))
                 + mpmath.log(mpmath.det(mpmath.matrix(single["Sigma_1"].tolist())))) / 2
    assert mp_relative(f(mu_1=single["mu_1"], Sigma_1=single["Sigma_1"]), exact) <= 1e-12


def test_kl_of_equal_distributions_is_zero(rng):
    arrays = kl_arrays(rng, (6,), 16)
    same = dict(arrays, mu_2=arrays["mu_1"], Sigma_2=arrays["Sigma_1"])
    got = matrix_function(KL, KL_PARAMETERS)(**same)
    assert np.max(np.abs(got)) <= 1e-12


@needs_torch
@needs_jax
@pytest.mark.parametrize("backend", ["torch", "jax"])
def test_kl_of_equal_distributions_is_zero_other_backends(backend, rng):
    arrays = kl_arrays(rng, (6,), 16)
    same = dict(arrays, mu_2=arrays["mu_1"], Sigma_2=arrays["Sigma_1"])
    if backend == "jax":
        import jax
        jax.config.update("jax_enable_x64", True)
    got = np.asarray(matrix_function(KL, KL_PARAMETERS, backend=backend)(**same))
    assert np.max(np.abs(got)) <= 1e-12


def test_batch_shapes_broadcast(rng):
    n = 3
    arrays = dict(mu_1=rng.standard_normal((4, 3, n)), Sigma_1=spd(rng, (3,), n),
                  mu_2=rng.standard_normal(n), Sigma_2=spd(rng, (4, 1), n))
    got = matrix_function(KL, KL_PARAMETERS)(**arrays)
    assert got.shape == (4, 3)
    assert relative(got, numpy_kl(**arrays)) <= 1e-10
    # an argument the expression does not use still broadcasts into the batch shape
    entropy = matrix_function(ENTROPY, [MU1, S1])(mu_1=np.zeros((7, 1, n)),
                                                   Sigma_1=arrays["Sigma_1"])
    assert entropy.shape == (7, 3)


def test_no_explicit_inverse_or_determinant(monkeypatch, rng):
    """The numpy backend factors; it never calls an inverse or a determinant."""
    import scipy.linalg

    def forbidden(*args, **kwargs):
        raise AssertionError("explicit inverse or determinant")
    arrays = kl_arrays(rng, (5,), 16)
    want = numpy_kl(**arrays)
    for module, name in ((np.linalg, "inv"), (np.linalg, "det"), (np.linalg, "slogdet"),
                         (np.linalg, "solve"), (scipy.linalg, "inv"), (scipy.linalg, "det")):
        monkeypatch.setattr(module, name, forbidden)
    assert relative(matrix_function(KL, KL_PARAMETERS)(**arrays), want) <= 1e-10


def test_large_dimension_without_overflow():
    """k = 200, Sigma_1 = 1e-3 I, Sigma_2 = 2e-3 I: det underflows to 0 in float64 (the
    explicit formula gives nan), the log-determinants by Cholesky do not."""
    n = 200
    arrays = dict(mu_1=np.zeros(n), Sigma_1=1e-3 * np.eye(n), mu_2=np.full(n, 1e-2),
                  Sigma_2=2e-3 * np.eye(n))
    with np.errstate(all="ignore"):
        assert not np.isfinite(numpy_kl(**arrays))
    want = 0.5 * (n / 2 + n * 1e-4 / 2e-3 - n + n * np.log(2.0))
    assert relative(matrix_function(KL, KL_PARAMETERS)(**arrays), want) <= 1e-12


# -- ill-conditioned covariances ------------------------------------------------------------

@pytest.mark.parametrize(("condition", "bound"), [(1.0, 1e-13), (1e4, 1e-11), (1e8, 1e-8)])
def test_ill_conditioned_accuracy(condition, bound, rng):
    """Both covariances of condition number ``condition`` (k = 16) against mpmath; prints the
    largest relative error of this module, of the explicit-inverse formula and (when
    installed) of torch.distributions over 5 pairs."""
    n = 16
    f = matrix_function(KL, KL_PARAMETERS)
    errors = {"matrix_function": [], "explicit inverse": [], "torch.distributions": []}
    for _ in range(5):
        arrays = dict(mu_1=rng.standard_normal(n), Sigma_1=ill_conditioned(rng, n, condition),
                      mu_2=rng.standard_normal(n), Sigma_2=ill_conditioned(rng, n, condition))
        exact = mpmath_kl(**arrays)
        errors["matrix_function"].append(mp_relative(f(**arrays), exact))
        errors["explicit inverse"].append(mp_relative(numpy_kl(**arrays), exact))
        try:
            import torch
            from torch.distributions import MultivariateNormal, kl_divergence
        except ImportError:
            continue
        t = {name: torch.tensor(v) for name, v in arrays.items()}
        value = kl_divergence(MultivariateNormal(t["mu_1"], t["Sigma_1"]),
                              MultivariateNormal(t["mu_2"], t["Sigma_2"]))
        errors["torch.distributions"].append(mp_relative(value.item(), exact))
    print(f"\ncondition {condition:g}, k = {n}: largest relative error vs mpmath: "
          + ", ".join(f"{name} {max(e):.2e}" for name, e in errors.items() if e))
    assert max(errors["matrix_function"]) <= bound


# -- gradients and the jax backend ----------------------------------------------------------

@needs_torch
@pytest.mark.parametrize(("n", "batch"), [(3, (4, 3)), (16, (5,))])
def test_torch_gradients_match_torch_distributions(n, batch, rng):
    import torch
    from torch.distributions import MultivariateNormal, kl_divergence
    arrays = kl_arrays(rng, batch, n)
    ours = {name: torch.tensor(v, requires_grad=True) for name, v in arrays.items()}
    theirs = {name: torch.tensor(v, requires_grad=True) for name, v in arrays.items()}
    matrix_function(KL, KL_PARAMETERS, backend="torch")(**ours).sum().backward()
    kl_divergence(MultivariateNormal(theirs["mu_1"], theirs["Sigma_1"]),
                  MultivariateNormal(theirs["mu_2"], theirs["Sigma_2"])).sum().backward()
    for name in ("mu_1", "Sigma_1", "mu_2", "Sigma_2"):
        got, want = ours[name].grad, theirs[name].grad
        assert got is not None, name
        assert float((got - want).abs().max()) <= 1e-8 * max(1.0, float(want.abs().max())), name


@needs_jax
@needs_torch
def test_jax_values_and_gradients(rng):
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import torch
    from torch.distributions import MultivariateNormal, kl_divergence
    arrays = kl_arrays(rng, (4, 3), 5)
    f = matrix_function(KL, KL_PARAMETERS, backend="jax")
    got = f(**{name: jnp.asarray(v) for name, v in arrays.items()})
    assert got.dtype == jnp.float64 and got.shape == (4, 3)
    assert relative(np.asarray(got), numpy_kl(**arrays)) <= 1e-10

    def total(mu_1, Sigma_1):
        return f(mu_1=mu_1, Sigma_1=Sigma_1, mu_2=arrays["mu_2"],
                 Sigma_2=arrays["Sigma_2"]).sum()
    grad_mu, grad_sigma = jax.jit(jax.grad(total, argnums=(0, 1)))(
        jnp.asarray(arrays["mu_1"]), jnp.asarray(arrays["Sigma_1"]))
    t = {name: torch.tensor(v, requires_grad=True) for name, v in arrays.items()}
    kl_divergence(MultivariateNormal(t["mu_1"], t["Sigma_1"]),
                  MultivariateNormal(t["mu_2"], t["Sigma_2"])).sum().backward()
    assert np.max(np.abs(np.asarray(grad_mu) - t["mu_1"].grad.numpy())) <= 1e-8
    assert np.max(np.abs(np.asarray(grad_sigma) - t["Sigma_1"].grad.numpy())) <= 1e-8


# -- the other node types -------------------------------------------------------------------

R = sp.MatrixSymbol("r", 1, k)
S = sp.Symbol("s", positive=True)
EYE = sp.Identity(k)
NODE_CASES = [
    (sp.Trace(S1), None),
    (sp.Trace(S1 * S2), None),
    (sp.Trace(S1 + 2 * EYE), None),
    (sp.Trace(S2 ** -1), None),
    (sp.Trace(S1.I * S2 * S1.I), None),
    (sp.Trace(S1 * sp.Inverse(S2)), None),
    (sp.Trace(S1 ** 2 * S2), None),
    (sp.Trace(S1 ** -2 * S2), None),
    (sp.Trace(sp.Inverse(2 * S1) * S2), None),
    (sp.Trace(sp.Inverse(S1.T) * S2), None),
    (sp.Trace(sp.Inverse(S1 * S2) * S1), None),
    (sp.Trace(S1.T * S2.T * sp.Inverse(S1 + S2)), None),
    (sp.log(sp.Determinant(S1 * S2)), None),
    (sp.log(sp.Determinant(S1) / sp.Determinant(S2)), None),
    (sp.log(sp.Determinant(S1.I)), None),
    (sp.log(2 * sp.Determinant(S1)), None),
    (sp.log(sp.Determinant(2 * S1)), None),
    (sp.Determinant(S1) ** sp.Rational(-1, 2), None),
    (sp.Determinant(S1 + S2), None),
    ((MU1.T * MU1)[0, 0], None),
    ((D.T * D)[0, 0], None),
    (sp.Trace((MU1 - MU2).T * S1.I * (MU1 - MU2)), None),
    (MatrixElement(D.T * S2.I * D, 0, 0), None),
    (MatrixElement(MU1.T * S2 * S1.I * MU2, 0, 0), None),
    (MatrixElement(MU1.T * S1 ** -1 * S2 * S1 ** -1 * MU2, 0, 0), None),
    (MatrixElement(R * S1.I * R.T, 0, 0), None),
    (MatrixElement(sp.HadamardProduct(S1, S2), 0, 1), None),
    (sp.Add(1, MU1.T * S1 * MU1, evaluate=False), 1 + (MU1.T * S1 * MU1)[0, 0]),
    (sp.Add(S, MU1.T * S1.I * MU2, evaluate=False), S + (MU1.T * S1.I * MU2)[0, 0]),
    (S * sp.Trace(S1) + sp.polygamma(1, S) + sp.loggamma(k / 2 + S) + sp.log(k)
     + sp.exp(-S) * k, None),
    (S1.I * MU1, None),
    (MU1.T * S1.I, None),
    (S1 * S2.I + EYE, None),
    (S2.I * S1.I, None),
    ((S1.I * S2).T, None),
    (S1 ** 2, None),
]


def sympy_value(expr, values: dict, n: int):
    """expr on explicit matrices (k = n), by sympy at 30 digits."""
    e = expr.subs(k, n)
    replacements = {}
    for m in e.atoms(sp.MatrixSymbol):
        v = np.asarray(values[m.name], dtype=float).reshape(m.shape)
        replacements[m] = sp.ImmutableMatrix(*m.shape, [sp.Float(x, 30) for x in v.ravel()])
    for s in e.free_symbols - set(replacements):
        replacements[s] = sp.Float(float(values[s.name]), 30)
    e = e.xreplace(replacements).doit()
    if isinstance(e, sp.MatrixBase | sp.MatrixExpr):
        e = sp.ImmutableMatrix(e.as_explicit()).applyfunc(lambda x: sp.N(x, 30))
        return np.array(e.tolist(), dtype=float)
    return float(sp.N(e, 30))


@pytest.mark.parametrize(("expr", "reference"), NODE_CASES, ids=lambda c: str(c)[:60])
def test_node_types(expr, reference, rng):
    n, batch = 3, 2
    values = dict(mu_1=rng.standard_normal((batch, n)), mu_2=rng.standard_normal((batch, n)),
                  Sigma_1=spd(rng, (batch,), n), Sigma_2=spd(rng, (batch,), n),
                  s=rng.uniform(0.5, 2.0, batch), r=rng.standard_normal((batch, n)))
    parameters = sorted(expr.free_symbols - {k}, key=str)
    f = matrix_function(expr, parameters)
    got = f(**{p.name: values[p.name] for p in parameters})
    reference = expr if reference is None else reference
    want = np.array([sympy_value(reference, {name: v[b] for name, v in values.items()}, n)
                     for b in range(batch)])
    assert np.shape(got) == want.shape
    assert np.max(np.abs(got - want) / np.maximum(1.0, np.abs(want))) <= 1e-12


def test_parameters_default_to_the_expression_symbols(rng):
    f = matrix_function(KL, None)
    assert [p.name for p in f.parameters] == ["Sigma_1", "Sigma_2", "mu_1", "mu_2"]
    arrays = kl_arrays(rng, (2,), 3)
    assert relative(f(**arrays), numpy_kl(**arrays)) <= 1e-10
    # k listed among the parameters is read from the shapes all the same
    g = matrix_function(KL, [k, *KL_PARAMETERS])
    assert [p.name for p in g.parameters] == ["mu_1", "Sigma_1", "mu_2", "Sigma_2"]


# -- errors ---------------------------------------------------------------------------------

def not_positive_definite(rng, n):
    arrays = kl_arrays(rng, (3,), n)
    arrays["Sigma_2"][1] = -arrays["Sigma_2"][1]
    return arrays


def test_not_positive_definite_names_the_matrix(rng):
    with pytest.raises(ValueError, match="Sigma_2 is not positive definite"):
        matrix_function(KL, KL_PARAMETERS)(**not_positive_definite(rng, 4))


@needs_torch
@needs_jax
@pytest.mark.parametrize("backend", ["torch", "jax"])
def test_not_positive_definite_other_backends(backend, rng):
    if backend == "jax":
        import jax
        jax.config.update("jax_enable_x64", True)
    with pytest.raises(ValueError, match="Sigma_2 is not positive definite"):
        matrix_function(KL, KL_PARAMETERS, backend=backend)(**not_positive_definite(rng, 4))


def test_argument_errors(rng):
    f = matrix_function(KL, KL_PARAMETERS)
    arrays = kl_arrays(rng, (), 3)
    with pytest.raises(InvalidParameter, match="k = 4 here but 3"):
        f(**dict(arrays, mu_2=np.zeros(4)))
    with pytest.raises(TypeError, match="missing arrays for Sigma_2"):
        f(**{n: v for n, v in arrays.items() if n != "Sigma_2"})
    with pytest.raises(TypeError, match="unexpected arrays k"):
        f(**arrays, k=3)
    with pytest.raises(InvalidParameter, match="do not broadcast"):
        f(**dict(arrays, mu_1=np.zeros((2, 3)), Sigma_2=spd(rng, (5,), 3)))
    with pytest.raises(InvalidParameter, match="mu_2 appear"):
        matrix_function(KL, [MU1, S1, S2])
    with pytest.raises(InvalidParameter, match="unknown backend"):
        matrix_function(KL, KL_PARAMETERS, backend="numba")
