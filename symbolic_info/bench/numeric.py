"""numeric: time lambdified Normal KL, Gamma KL and Beta entropy on random parameter arrays.

Each case is evaluated on ``--n`` random parameter sets (default 10^6) by the ``numpy``,
``numba`` and (when installed) ``torch`` / ``jax`` backends of :meth:`Derivation.lambdify`,
by a hand-written numpy/scipy formula and by ``torch.distributions`` (when installed, float64
on the CPU); the table gives the median of ``--repeat`` runs, the ratio to the hand-written
formula measured in the same run, and the largest relative difference from it. Compilation is
excluded (one warm-up call); torch inputs are converted to tensors before timing.

The ``numba`` row uses every thread numba may use (large inputs are split over them); the
``numba 1 thread`` row is the same function with ``numba.set_num_threads(1)``. The target: the
numba Normal KL takes at most half the time of the hand-written numpy formula.
"""

from __future__ import annotations

import argparse
import importlib.util
import time

import numpy as np
from scipy import special

import symbolic_info as si

from ..cli import default_member
from .report import Target, median, print_targets

NUMBA_NORMAL_KL_TARGET = 0.5  # numba Normal KL time / hand-written numpy time


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=10**6,
                        help="parameter sets per evaluation (default 10^6)")
    parser.add_argument("--repeat", type=int, default=7,
                        help="timed runs per backend; the median is reported (default 7)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backends", nargs="+", default=["numpy", "numba", "torch", "jax"],
                        help="lambdify backends to time, where installed "
                             "(default: numpy numba torch jax)")


def _normal_kl(m1, s1, m2, s2):
    return np.log(s2 / s1) + (s1 ** 2 + (m1 - m2) ** 2) / (2 * s2 ** 2) - 0.5


def _gamma_kl(a1, b1, a2, b2):
    return ((a1 - a2) * special.digamma(a1) - special.gammaln(a1) + special.gammaln(a2)
            + a2 * (np.log(b1) - np.log(b2)) + a1 * (b2 - b1) / b1)


def _beta_entropy(a, b):
    return (special.betaln(a, b) - (a - 1) * special.digamma(a) - (b - 1) * special.digamma(b)
            + (a + b - 2) * special.digamma(a + b))


def _torch_distributions(case: str):
    """The torch.distributions evaluator of a case (tensors in, tensor out)."""
    from torch.distributions import Beta, Gamma, Normal, kl_divergence
    return {
        "KL normal||normal": lambda m1, s1, m2, s2: kl_divergence(Normal(m1, s1), Normal(m2, s2)),
        "KL gamma||gamma": lambda a1, b1, a2, b2: kl_divergence(Gamma(a1, b1), Gamma(a2, b2)),
        "entropy beta": lambda a, b: Beta(a, b).entropy(),
    }[case]


def cases(n: int, rng: np.random.Generator):
    u = rng.uniform
    yield ("KL normal||normal", si.kl(default_member("normal", 1), default_member("normal", 2)),
           _normal_kl, [u(-3, 3, n), u(0.1, 5, n), u(-3, 3, n), u(0.1, 5, n)])
    yield ("KL gamma||gamma", si.kl(default_member("gamma", 1), default_member("gamma", 2)),
           _gamma_kl, [u(0.1, 20, n), u(0.1, 5, n), u(0.1, 20, n), u(0.1, 5, n)])
    yield ("entropy beta", si.entropy(default_member("beta", 1)), _beta_entropy,
           [u(0.1, 20, n), u(0.1, 20, n)])


def _evaluators(label: str, d, backends):
    """(name, function, argument converter) for each evaluator timed besides hand numpy."""
    for backend in backends:
        f = d.lambdify(backend)
        yield backend, f, _converter(backend)
        if backend == "numba":
            yield "numba 1 thread", _one_numba_thread(f), _converter(backend)
    if "torch" in backends:
        yield "torch dist", _torch_distributions(label), _converter("torch")


def _one_numba_thread(f):
    """f with numba.set_num_threads(1) in the calling thread."""
    import numba

    def evaluate(*args):
        previous = numba.get_num_threads()
        numba.set_num_threads(1)
        try:
            return f(*args)
        finally:
            numba.set_num_threads(previous)
    return evaluate


def _converter(backend: str):
    if backend == "torch":
        import torch
        return lambda arrays: [torch.from_numpy(a) for a in arrays]
    if backend == "jax":
        import jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        return lambda arrays: [jnp.asarray(a) for a in arrays]
    return lambda arrays: arrays


def _as_numpy(out) -> np.ndarray:
    if hasattr(out, "detach"):
        out = out.detach().numpy()
    if hasattr(out, "block_until_ready"):
        out = np.asarray(out.block_until_ready())
    return np.asarray(out, dtype=float)


def best_of(fn, args, repeat: int) -> tuple[float, np.ndarray]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - start)
    return median(times), np.asarray(out)


def run(args: argparse.Namespace) -> int:
    rng = np.random.default_rng(args.seed)
    backends = [b for b in args.backends
                if b == "numpy" or importlib.util.find_spec(b) is not None]
    skipped = sorted(set(args.backends) - set(backends))
    print(f"numeric: n = {args.n:,} parameter sets, median of {args.repeat} runs"
          + (f" (not installed: {', '.join(skipped)})" if skipped else ""))
    if "numba" in backends:
        import numba
        print(f"  numba threads: {numba.config.NUMBA_NUM_THREADS} (NUMBA_NUM_THREADS)")
    print(f"  {'case':<20} {'evaluator':<14} {'median s':>9} {'ratio':>7} {'max rel diff':>13}")
    ratios = {}
    for label, d, by_hand, params in cases(args.n, rng):
        with np.errstate(all="ignore"):
            base_t, base = best_of(by_hand, params, args.repeat)
        print(f"  {label:<20} {'hand numpy':<14} {base_t:9.4f} {1.0:7.2f} {'':>13}")
        for name, f, convert in _evaluators(label, d, backends):
            inputs = convert(params)
            f(*convert([p[:10] for p in params]))  # compile / warm up
            t, out = best_of(lambda *a, f=f: _as_numpy(f(*a)), inputs, args.repeat)
            with np.errstate(all="ignore"):
                rel = np.max(np.abs(out - base) / np.maximum(np.abs(base), 1e-300))
            ratios[label, name] = t / base_t
            print(f"  {'':<20} {name:<14} {t:9.4f} {t / base_t:7.2f} {rel:13.2e}")
    if ("KL normal||normal", "numba") not in ratios:
        return 0
    passed = print_targets([Target("numba Normal KL / hand-written numpy",
                                   ratios["KL normal||normal", "numba"],
                                   NUMBA_NORMAL_KL_TARGET, "x")])
    return 0 if passed else 1
