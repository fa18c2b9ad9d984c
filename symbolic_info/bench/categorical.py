"""categorical: lambdify times of explicit categoricals, the vector form, logits vs torch.

Three tables:

- the time of ``kl(categorical(p_1..p_k), categorical(q_1..q_k)).lambdify("numpy")`` at
  k = 10, 20, 30 (a fresh derivation each, so nothing is cached);
- the vector form (``categorical(p=IndexedBase("p"), k=k)``, symbolic k) evaluated on arrays
  of shape (batch, k) = (10^4, 1000): the KL between probability vectors and the
  cross-entropy of probabilities against logits, numpy and torch, median time of
  ``--repeat`` runs, and the largest difference from a hand-written numpy/scipy formula;
- the cross-entropy with logits against torch on ``--n`` random logits (default 10^6), a
  tenth of them set to ±100: ``bernoulli(p)`` vs ``bernoulli(logits=l)`` against
  ``binary_cross_entropy_with_logits``, and ``categorical(p)`` vs ``categorical(logits=l)``
  (k = 10) against ``cross_entropy`` with probability targets, in float32 and float64: the
  largest absolute difference, the largest relative difference (to max(|torch|, 1)) and
  whether any value is not finite.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import sympy as sp
from scipy import special

import symbolic_info as si


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 20, 30],
                        help="k of the explicit categorical KL lambdify times")
    parser.add_argument("--n", type=int, default=10**6, help="random logits (default 10^6)")
    parser.add_argument("--batch", type=int, default=10**4)
    parser.add_argument("--k", type=int, default=1000, help="classes of the vector form")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)


def lambdify_time(k: int) -> tuple[float, float, float]:
    """(derive seconds, lambdify seconds, lambdify CPU seconds) of the KL between two explicit
    k-categoricals (CPU time: the process's own work, whatever the machine's load)."""
    p = si.family("categorical", p=[f"a_{i}" for i in range(1, k + 1)])
    q = si.family("categorical", p=[f"b_{i}" for i in range(1, k + 1)])
    start = time.perf_counter()
    d = si.kl(p, q)
    derived, cpu = time.perf_counter(), time.process_time()
    d.lambdify("numpy")
    return derived - start, time.perf_counter() - derived, time.process_time() - cpu


def vector_members():
    k = sp.Symbol("k", integer=True, positive=True)
    p = si.family("categorical", p=sp.IndexedBase("p"), k=k)
    q = si.family("categorical", p=sp.IndexedBase("q"), k=k)
    logits = si.family("categorical", logits=sp.IndexedBase("l"), k=k)
    return p, q, logits


def _median_time(f, repeat: int) -> float:
    f()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def vector_rows(batch: int, k: int, repeat: int, rng) -> list[tuple]:
    p_member, q_member, l_member = vector_members()
    p = rng.dirichlet(np.ones(k), size=batch)
    q = rng.dirichlet(np.ones(k), size=batch)
    logits = rng.normal(scale=5.0, size=(batch, k))
    kl_ref = np.sum(special.xlogy(p, p) - special.xlogy(p, q), axis=-1)
    ce_ref = -np.sum(p * special.log_softmax(logits, axis=-1), axis=-1)
    rows = []
    cases = [("KL(p || q)", si.kl(p_member, q_member), {"p": p, "q": q}, kl_ref),
             ("CE(p, logits)", si.cross_entropy(p_member, l_member), {"p": p, "l": logits},
              ce_ref)]
    for name, d, arrays, ref in cases:
        start = time.perf_counter()
        f = d.lambdify("numpy")
        made = time.perf_counter() - start
        seconds = _median_time(lambda f=f, arrays=arrays: f(**arrays), repeat)
        error = float(np.max(np.abs(f(**arrays) - ref) / np.maximum(np.abs(ref), 1)))
        rows.append((name, "numpy", made, seconds, error))
        try:
            import torch
        except ImportError:
            continue
        g = d.lambdify("torch")
        tensors = {n: torch.as_tensor(v) for n, v in arrays.items()}
        seconds = _median_time(lambda g=g, tensors=tensors: g(**tensors), repeat)
        error = float(np.max(np.abs(g(**tensors).numpy() - ref) / np.maximum(np.abs(ref), 1)))
        rows.append((name, "torch", 0.0, seconds, error))
    return rows


def _logits(rng, n: int) -> np.ndarray:
    logits = rng.normal(scale=10.0, size=n)
    extreme = rng.random(n) < 0.1
    logits[extreme] = rng.choice([-100.0, 100.0], size=int(extreme.sum()))
    return logits


def _relative(a, b) -> float:
    return float((np.abs(a - b) / np.maximum(np.abs(b), 1)).max())


def _differences(ours, reference, exact) -> tuple[float, float, float, float, bool]:
    """max abs and relative |ours - torch|; relative errors of ours and of torch against
    torch in float64 on the same (rounded) inputs; whether ours is finite everywhere."""
    ours, reference = ours.double().numpy(), reference.double().numpy()
    exact = exact.numpy()
    finite = bool(np.all(np.isfinite(ours)))
    return (float(np.abs(ours - reference).max()), _relative(ours, reference),
            _relative(ours, exact), _relative(reference, exact), finite)


def logits_rows(n: int, rng) -> list[tuple]:
    import torch
    import torch.nn.functional as F  # noqa: N812 -- torch's own alias
    p_member, _, l_member = vector_members()
    bce = si.cross_entropy(si.family("bernoulli", p="p"),
                           si.family("bernoulli", logits="l")).lambdify("torch")
    ce = si.cross_entropy(p_member, l_member).lambdify("torch")
    x = _logits(rng, n)
    y = rng.random(n)
    y[rng.random(n) < 0.2] = 1.0
    k = 10
    z = _logits(rng, n).reshape(-1, k)
    t = rng.dirichlet(np.full(k, 0.3), size=z.shape[0])
    rows = []
    for dtype in (torch.float32, torch.float64):
        xt, yt = torch.as_tensor(x, dtype=dtype), torch.as_tensor(y, dtype=dtype)
        ours = bce(p=yt, l=xt)
        reference = F.binary_cross_entropy_with_logits(xt, yt, reduction="none")
        exact = F.binary_cross_entropy_with_logits(xt.double(), yt.double(), reduction="none")
        rows.append(("bernoulli BCE", str(dtype).removeprefix("torch."), ours.dtype == dtype,
                     *_differences(ours, reference, exact)))
        zt, tt = torch.as_tensor(z, dtype=dtype), torch.as_tensor(t, dtype=dtype)
        ours = ce(p=tt, l=zt)
        reference = F.cross_entropy(zt, tt, reduction="none")
        exact = F.cross_entropy(zt.double(), tt.double(), reduction="none")
        rows.append((f"categorical CE (k={k})", str(dtype).removeprefix("torch."),
                     ours.dtype == dtype, *_differences(ours, reference, exact)))
    return rows


def run(args: argparse.Namespace) -> int:
    rng = np.random.default_rng(args.seed)
    print("explicit categorical KL: derive and lambdify('numpy') seconds (wall; CPU)")
    print(f"{'k':>4}  {'derive':>8}  {'lambdify':>9}  {'CPU':>6}")
    for k in args.sizes:
        derived, made, cpu = lambdify_time(k)
        print(f"{k:>4}  {derived:8.2f}  {made:9.2f}  {cpu:6.2f}")
    print(f"\nvector form, shape ({args.batch}, {args.k}): lambdify seconds, median evaluation "
          f"seconds, max |ours - numpy formula| / max(1, |formula|)")
    print(f"{'quantity':<16}{'backend':<8}{'lambdify':>9}{'evaluate':>10}{'error':>11}")
    for name, backend, made, seconds, error in vector_rows(args.batch, args.k, args.repeat,
                                                            rng):
        print(f"{name:<16}{backend:<8}{made:9.2f}{seconds:10.4f}{error:11.2e}")
    print(f"\ncross-entropy with logits vs torch, {args.n} logits (10% at +-100): max abs and "
          f"max relative (to max(1, |.|)) difference from torch in the same dtype, and the "
          f"relative errors of ours and of torch against torch in float64 on the same inputs")
    print(f"{'case':<24}{'dtype':<9}{'kept dtype':>11}{'abs torch':>11}{'rel torch':>11}"
          f"{'ours err':>10}{'torch err':>10}{'finite':>8}")
    for name, dtype, kept, absolute, relative, ours, theirs, finite in logits_rows(args.n,
                                                                                   rng):
        print(f"{name:<24}{dtype:<9}{str(kept):>11}{absolute:11.2e}{relative:11.2e}"
              f"{ours:10.2e}{theirs:10.2e}{str(finite):>8}")
    return 0
