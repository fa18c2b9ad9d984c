"""The numba backend on large inputs: a call of PARALLEL_MIN_SIZE points or more is split into
chunks evaluated by several threads; its values are those of the one-thread call bit for bit
(near-equality series switch per point included) and agree with the numpy backend; broadcasting,
0-d returns and floating-point warnings are as before; it works from several threads at once and
in a forked child; it respects numba's thread count.

The split is forced to 2 threads (whatever the machine has) unless a test says otherwise.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import sys
import warnings

import numpy as np
import pytest
from optional import needs
from scipy import special

import symbolic_info as si

pytestmark = needs("numba")

N = 300_000
NEAR = 1e-9  # relative offset of the near-equal points


@pytest.fixture(scope="module")
def backend():
    from symbolic_info.numeric import numba_backend
    return numba_backend


@pytest.fixture(scope="module")
def normal_kl():
    return si.kl(si.family("normal", mu="mu_1", sigma="sigma_1"),
                 si.family("normal", mu="mu_2", sigma="sigma_2"))


@pytest.fixture(scope="module")
def normal_numba(normal_kl):
    return normal_kl.lambdify("numba")


@pytest.fixture
def split(backend, monkeypatch):
    """Forces 2 threads and records, per large call, whether it was split."""
    calls = []
    original = backend._split_call

    def spy(ufunc, arrays, threads):
        out = original(ufunc, arrays, threads)
        calls.append(out is not None)
        return out

    monkeypatch.setattr(backend, "_thread_count", lambda numba: 2)
    monkeypatch.setattr(backend, "_split_call", spy)
    return calls


def one_thread(f, *args):
    """f evaluated in pieces below PARALLEL_MIN_SIZE (so on one thread), joined."""
    arrays = np.broadcast_arrays(*[np.asarray(a, dtype=float) for a in args])
    flat = [a.reshape(-1) for a in arrays]
    step = 1000
    parts = [f(*[a[i:i + step] for a in flat]) for i in range(0, flat[0].size, step)]
    return np.concatenate(parts).reshape(arrays[0].shape)


def normal_points(rng):
    """(mu_1, sigma_1, mu_2, sigma_2); every third point near P = Q (sigma_2 = sigma_1 (1 +
    1e-9), mu_2 = mu_1), every seventh P = Q exactly."""
    mu1, sigma1 = rng.uniform(-3, 3, N), rng.uniform(0.1, 5, N)
    mu2, sigma2 = rng.uniform(-3, 3, N), rng.uniform(0.1, 5, N)
    near = np.arange(N) % 3 == 0
    mu2[near], sigma2[near] = mu1[near], sigma1[near] * (1 + NEAR)
    equal = np.arange(N) % 7 == 0
    mu2[equal], sigma2[equal] = mu1[equal], sigma1[equal]
    return [mu1, sigma1, mu2, sigma2], near & ~equal, equal


def test_large_normal_kl_is_the_one_thread_result_and_numpy_s(normal_kl, normal_numba, split,
                                                              rng):
    args, near, equal = normal_points(rng)
    values = normal_numba(*args)
    assert split == [True]
    assert values.shape == (N,) and values.dtype == np.float64
    np.testing.assert_array_equal(values, one_thread(normal_numba, *args))
    np.testing.assert_allclose(values, normal_kl.lambdify()(*args), rtol=1e-12, atol=0)
    # The series took over at the near points: KL = (sigma_2/sigma_1 - 1)^2 to first order,
    # which the direct form loses to cancellation (it would be off by ~1e-16 absolute).
    np.testing.assert_allclose(values[near], NEAR ** 2, rtol=1e-6)
    assert np.all(values[equal] == 0)


def test_scalars_broadcast_with_large_arrays(normal_numba, split, rng):
    mu1, sigma2 = rng.uniform(-3, 3, N), rng.uniform(0.1, 5, N)
    values = normal_numba(mu1, 1.5, 0.25, sigma2)
    np.testing.assert_array_equal(values, one_thread(normal_numba, mu1, 1.5, 0.25, sigma2))
    offset = NEAR * rng.uniform(0.5, 2, N)
    near = normal_numba(0.5, 2.0, 0.5, 2.0 * (1 + offset))  # near P = Q everywhere
    np.testing.assert_array_equal(near, one_thread(normal_numba, 0.5, 2.0, 0.5, 2.0 * (1 + offset)))
    np.testing.assert_allclose(near, offset ** 2, rtol=1e-6)
    strided = rng.uniform(0.1, 5, 2 * N)[::2]  # 1-d, not contiguous
    np.testing.assert_array_equal(normal_numba(0.0, strided, 1.0, 1.0),
                                  one_thread(normal_numba, 0.0, strided, 1.0, 1.0))
    # keyword arguments and a 2-d C-ordered array
    grid = mu1.reshape(600, 500)
    values = normal_numba(mu_1=grid, sigma_1=1.0, mu_2=0.0, sigma_2=2.0)
    assert values.shape == (600, 500)
    np.testing.assert_array_equal(values, one_thread(normal_numba, grid, 1.0, 0.0, 2.0))
    assert split == [True, True, True, True]


def test_other_broadcasts_and_small_inputs_stay_on_one_thread(normal_kl, normal_numba, split,
                                                               rng):
    mu = rng.uniform(-3, 3, (N, 1))
    sigma = rng.uniform(0.1, 5, (1, 2))
    values = normal_numba(mu, sigma, 0.0, 1.0)  # an outer product: would copy the inputs
    assert values.shape == (N, 2)
    np.testing.assert_allclose(values, normal_kl.lambdify()(mu, sigma, 0.0, 1.0), rtol=1e-12)
    fortran = np.asfortranarray(rng.uniform(0.1, 5, (600, 500)))  # 2-d, not C-ordered
    np.testing.assert_array_equal(normal_numba(0.0, fortran, 0.0, 1.0),
                                  one_thread(normal_numba, 0.0, fortran, 0.0, 1.0))
    assert split == [False, False]
    value = normal_numba(0.1, 1.0, 0.2, 1.5)  # 0-d in, 0-d out, as before
    assert np.ndim(value) == 0 and isinstance(value, float)
    assert normal_numba(rng.uniform(0.1, 1, 10), 1.0, 0.0, 1.0).shape == (10,)
    with pytest.raises(ValueError):
        normal_numba(np.ones(N), np.ones(N - 1), 0.0, 1.0)


def test_large_gamma_kl_is_the_one_thread_result_and_numpy_s(split, rng):
    d = si.kl(si.family("gamma", shape="k_1", rate="r_1"),
              si.family("gamma", shape="k_2", rate="r_2"))
    f = d.lambdify("numba")
    k1, r1 = rng.uniform(0.1, 20, N), rng.uniform(0.1, 5, N)
    k2, r2 = rng.uniform(0.1, 20, N), rng.uniform(0.1, 5, N)
    k1[:1000] = rng.uniform(100, 1e6, 1000)  # the large-shape (Stirling) branch too
    near = np.arange(N) % 3 == 0
    k2[near], r2[near] = k1[near] * (1 + NEAR), r1[near]
    values = f(k1, r1, k2, r2)
    assert split == [True]
    np.testing.assert_array_equal(values, one_thread(f, k1, r1, k2, r2))
    np.testing.assert_allclose(values, d.lambdify()(k1, r1, k2, r2), rtol=1e-11, atol=0)
    # near P = Q: the Fisher form 1/2 psi'(k) (k_2 - k_1)^2, which the direct form loses
    fisher = 0.5 * special.polygamma(1, k1[near]) * (k2[near] - k1[near]) ** 2
    np.testing.assert_allclose(values[near], fisher, rtol=1e-6)


def test_floating_point_errors_are_reported_as_by_one_thread(normal_numba, backend, split,
                                                             monkeypatch):
    sigma1 = np.ones(N)
    sigma1[N - 5] = 0.0  # log(sigma_2/0): divide by zero, in the last chunk
    sigma1[7] = -1.0  # log of a negative number: invalid, in the first chunk

    def reported():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            values = normal_numba(0.0, sigma1, 0.0, 1.0)
        return values, sorted(str(w.message) for w in caught)

    split_values, split_warnings = reported()
    monkeypatch.setattr(backend, "PARALLEL_MIN_SIZE", 10 ** 12)
    one_values, one_warnings = reported()
    assert split == [True]
    np.testing.assert_array_equal(split_values, one_values)
    assert split_warnings == one_warnings == ["divide by zero encountered in _scalar",
                                              "invalid value encountered in _scalar"]
    monkeypatch.setattr(backend, "PARALLEL_MIN_SIZE", 100_000)
    with np.errstate(divide="raise"), pytest.raises(FloatingPointError, match="divide by zero"):
        normal_numba(0.0, sigma1, 0.0, 1.0)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("error")
        normal_numba(0.0, sigma1, 0.0, 1.0)


def test_several_threads_at_once(normal_numba, split, rng):
    inputs = [normal_points(np.random.default_rng(seed))[0] for seed in range(6)]
    with cf.ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda args: normal_numba(*args), inputs))
    for args, values in zip(inputs, results):
        np.testing.assert_array_equal(values, one_thread(normal_numba, *args))
    assert split == [True] * 6


def _child(f, args, queue):
    queue.put(f(*args))


@pytest.mark.skipif(sys.platform == "win32", reason="no fork")
def test_a_forked_child_splits_its_own_calls(normal_numba, split, rng):
    args = normal_points(rng)[0]
    expected = normal_numba(*args)  # the parent's helper threads exist before the fork
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_child, args=(normal_numba, args, queue))
    process.start()
    values = queue.get(timeout=120)
    process.join(30)
    assert process.exitcode == 0
    np.testing.assert_array_equal(values, expected)


def test_numba_thread_count_is_respected(backend, normal_numba, rng, monkeypatch):
    import numba
    assert backend._thread_count(numba) <= numba.config.NUMBA_NUM_THREADS
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("numba runs one thread here (NUMBA_NUM_THREADS)")
    previous = numba.get_num_threads()
    numba.set_num_threads(1)  # thread-local in numba: this thread only
    try:
        assert backend._thread_count(numba) == 1
        calls = []
        original = backend._split_call
        monkeypatch.setattr(backend, "_split_call", lambda *a: calls.append(a) or original(*a))
        normal_numba(*normal_points(rng)[0])
        assert calls == []
    finally:
        numba.set_num_threads(previous)
    assert backend._thread_count(numba) == min(previous, numba.config.NUMBA_NUM_THREADS)
