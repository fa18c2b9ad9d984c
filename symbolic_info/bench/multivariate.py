"""multivariate: the KL between two k = 16 normals on a batch of 10^4 pairs and the VAE KL
(k = 64 diagonal normals) on a batch of 10^5: time and accuracy of our numpy and torch
functions against torch.distributions.kl_divergence and a hand-written numpy formula, in one
run.  Accuracy is against mpmath at 50 digits on a few rows, at random parameters and near
P = Q (Q's parameters moved by a relative 1e-8).  Targets: ours no slower than
torch.distributions on CPU, and more accurate near P = Q.
"""

from __future__ import annotations

import argparse
import time

import mpmath
import numpy as np
import sympy as sp

import symbolic_info as si

from .report import Target, print_targets

K = sp.Symbol("k", integer=True, positive=True)
ROWS_CHECKED = 4


def members(suffix: str) -> dict:
    """One member per multivariate family (explicit and symbolic dimension), symbols
    subscripted ``suffix``."""
    i = suffix

    def ib(name: str, **kw):
        return sp.IndexedBase(f"{name}{i}", **kw)

    out = {
        "mvnormal 2-D": si.family("mvnormal", mu=[f"m1_{i}", f"m2_{i}"],
                                  cov=[[f"s11_{i}", f"s12_{i}"], [f"s12_{i}", f"s22_{i}"]]),
        "mvnormal 3-D": si.family(
            "mvnormal", mu=[f"m{j}_{i}" for j in (1, 2, 3)],
            cov=[[f"s{min(a, b)}{max(a, b)}_{i}" for b in (1, 2, 3)] for a in (1, 2, 3)]),
        "mvnormal_diag 2-D": si.family("mvnormal_diag", mu=[f"m1_{i}", f"m2_{i}"],
                                       sigma=[f"s1_{i}", f"s2_{i}"]),
        "dirichlet k = 3": si.family("dirichlet", alpha=[f"a{j}_{i}" for j in (1, 2, 3)]),
        "multinomial k = 3": si.family("multinomial", n=f"n_{i}",
                                       p=[f"p{j}_{i}" for j in (1, 2, 3)]),
        "normal x exponential": si.independent(si.family("normal", mu=f"m_{i}", sigma=f"s_{i}"),
                                               si.family("exponential", rate=f"l_{i}")),
        "mvnormal, dimension k": si.family("mvnormal", mu=sp.MatrixSymbol(f"mu_{i}", K, 1),
                                           cov=sp.MatrixSymbol(f"Sigma_{i}", K, K)),
        "mvnormal_diag, dimension k": si.family("mvnormal_diag", mu=ib("mu"),
                                                sigma=ib("sigma", positive=True), k=K),
        "dirichlet, dimension k": si.family("dirichlet", alpha=ib("alpha", positive=True),
                                            k=K),
    }
    if "wishart" in si.families():
        p = sp.Symbol("p", integer=True, positive=True)
        try:
            out["wishart, dimension p"] = si.family(
                "wishart", df=sp.Symbol(f"n_{i}", positive=True),
                scale=sp.MatrixSymbol(f"V_{i}", p, p))
        except Exception:  # noqa: BLE001 - the table reports what exists
            pass
    return out


def cells() -> list[tuple[str, str, str, float]]:
    """(family, quantity, status, seconds) of every multivariate cell, derived afresh."""
    rows = []
    ps, qs = members("1"), members("2")
    for name, p in ps.items():
        tasks = [("entropy", lambda p=p: si.entropy(p)),
                 ("kl", lambda p=p, q=qs[name]: si.kl(p, q)),
                 ("cross_entropy", lambda p=p, q=qs[name]: si.cross_entropy(p, q))]
        if p.multivariate and p.dimension >= 2 and not p.discrete:
            tasks.append(("mutual_information",
                          lambda p=p: si.mutual_information(p, between=([0], [1]))))
        for quantity, build in tasks:
            started = time.perf_counter()
            try:
                status = build().status
            except Exception as exc:  # noqa: BLE001 - a benchmark reports, it does not stop
                status = f"error: {type(exc).__name__}: {str(exc)[:60]}"
            rows.append((name, quantity, status, time.perf_counter() - started))
    return rows


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mvn-k", type=int, default=16)
    parser.add_argument("--mvn-batch", type=int, default=10_000)
    parser.add_argument("--vae-k", type=int, default=64)
    parser.add_argument("--vae-batch", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs (median)")
    parser.add_argument("--no-cells", action="store_true",
                        help="skip the table of (family, quantity) cells")


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def spd(rng, batch: int, k: int) -> np.ndarray:
    a = rng.normal(size=(batch, k, k))
    return a @ np.swapaxes(a, -1, -2) / k + 0.5 * np.eye(k)


def mvn_exact(m1, s1, m2, s2) -> float:
    """KL between two normals at 50 digits (mpmath)."""
    with mpmath.workdps(50):
        a, b = mpmath.matrix(s1.tolist()), mpmath.matrix(s2.tolist())
        d = mpmath.matrix((m2 - m1).tolist())
        inv = b ** -1
        tr = sum((inv * a)[i, i] for i in range(len(m1)))
        quad = (d.T * inv * d)[0, 0]
        value = (tr + quad - len(m1) + mpmath.log(mpmath.det(b)) - mpmath.log(mpmath.det(a))) / 2
        return float(value)


def diag_exact(m1, s1, m2, s2) -> float:
    with mpmath.workdps(50):
        return float(sum((mpmath.mpf(c) - mpmath.mpf(a)) ** 2 / (2 * mpmath.mpf(d) ** 2)
                         + mpmath.mpf(b) ** 2 / (2 * mpmath.mpf(d) ** 2)
                         + mpmath.log(mpmath.mpf(d) / mpmath.mpf(b)) - mpmath.mpf(1) / 2
                         for a, b, c, d in zip(m1, s1, m2, s2)))


def relative(values, exact) -> float:
    values, exact = np.asarray(values, dtype=float), np.asarray(exact, dtype=float)
    return float(np.max(np.abs(values - exact) / np.abs(exact)))


def mvn_hand(m1, s1, m2, s2):
    inv = np.linalg.inv(s2)
    d = m2 - m1
    tr = np.trace(inv @ s1, axis1=-2, axis2=-1)
    quad = np.einsum("...i,...ij,...j->...", d, inv, d)
    return (tr + quad - m1.shape[-1] + np.linalg.slogdet(s2)[1] - np.linalg.slogdet(s1)[1]) / 2


def diag_hand(m1, s1, m2, s2):
    return np.sum(np.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5, axis=-1)


def run(args: argparse.Namespace) -> int:
    import torch
    from torch.distributions import Independent, MultivariateNormal, Normal, kl_divergence
    torch.set_default_dtype(torch.float64)
    rng = np.random.default_rng(0)
    if not args.no_cells:
        import os
        import tempfile
        os.environ["SYMBOLIC_INFO_CACHE"] = tempfile.mkdtemp(prefix="symbolic_info_cells_")
        print("multivariate cells (derived afresh)")
        print(f"  {'family':<28} {'quantity':<20} {'status':<16} {'seconds':>8}")
        for name, quantity, status, seconds in cells():
            print(f"  {name:<28} {quantity:<20} {status:<16} {seconds:8.2f}")
    started = time.perf_counter()
    mvn = si.kl(si.family("mvnormal", mu=sp.MatrixSymbol("mu_1", K, 1),
                          cov=sp.MatrixSymbol("Sigma_1", K, K)),
                si.family("mvnormal", mu=sp.MatrixSymbol("mu_2", K, 1),
                          cov=sp.MatrixSymbol("Sigma_2", K, K)))
    diag = si.kl(si.family("mvnormal_diag", mu=sp.IndexedBase("mu"),
                           sigma=sp.IndexedBase("sigma", positive=True), k=K),
                 si.family("mvnormal_diag", mu=sp.IndexedBase("m"),
                           sigma=sp.IndexedBase("s", positive=True), k=K))
    print(f"derived both KLs in {time.perf_counter() - started:.2f} s: {mvn.status}, "
          f"{diag.status}")
    rows, targets = [], []

    # -- MVN, k = 16 -------------------------------------------------------------------------
    k, n = args.mvn_k, args.mvn_batch
    m1, m2 = rng.normal(size=(n, k)), rng.normal(size=(n, k))
    s1, s2 = spd(rng, n, k), spd(rng, n, k)
    f_np, f_torch = mvn.lambdify(), mvn.lambdify("torch")
    t = {name: torch.tensor(v) for name, v in
         (("m1", m1), ("m2", m2), ("s1", s1), ("s2", s2))}

    def ours_np(a=m1, b=s1, c=m2, d=s2):
        return f_np(mu_1=a, Sigma_1=b, mu_2=c, Sigma_2=d)

    def ours_torch(a=t["m1"], b=t["s1"], c=t["m2"], d=t["s2"]):
        return f_torch(mu_1=a, Sigma_1=b, mu_2=c, Sigma_2=d)

    def theirs(a=t["m1"], b=t["s1"], c=t["m2"], d=t["s2"]):
        return kl_divergence(MultivariateNormal(a, b), MultivariateNormal(c, d))

    def theirs_unchecked(a=t["m1"], b=t["s1"], c=t["m2"], d=t["s2"]):
        return kl_divergence(MultivariateNormal(a, b, validate_args=False),
                             MultivariateNormal(c, d, validate_args=False))

    timings = {"symbolic_info numpy": best(ours_np, args.repeat),
               "symbolic_info torch": best(ours_torch, args.repeat),
               "torch.distributions": best(theirs, args.repeat),
               "torch, validate_args=False": best(theirs_unchecked, args.repeat),
               "hand-written numpy": best(lambda: mvn_hand(m1, s1, m2, s2), args.repeat)}
    near_m2, near_s2 = m1 * (1 + 1e-8), s1 * (1 + 1e-8)
    tn = {"m2": torch.tensor(near_m2), "s2": torch.tensor(near_s2)}
    exact = [mvn_exact(m1[i], s1[i], m2[i], s2[i]) for i in range(ROWS_CHECKED)]
    exact_near = [mvn_exact(m1[i], s1[i], near_m2[i], near_s2[i]) for i in range(ROWS_CHECKED)]
    sl = slice(0, ROWS_CHECKED)
    errors = {
        "symbolic_info numpy": (relative(ours_np()[sl], exact),
                                relative(ours_np(c=near_m2, d=near_s2)[sl], exact_near)),
        "symbolic_info torch": (relative(ours_torch()[sl].numpy(), exact), relative(
            ours_torch(c=tn["m2"], d=tn["s2"])[sl].numpy(), exact_near)),
        "torch.distributions": (relative(theirs()[sl].numpy(), exact), relative(
            theirs(c=tn["m2"], d=tn["s2"])[sl].numpy(), exact_near)),
        "torch, validate_args=False": (relative(theirs_unchecked()[sl].numpy(), exact),
                                       relative(theirs_unchecked(c=tn["m2"], d=tn["s2"])[sl]
                                                .numpy(), exact_near)),
        "hand-written numpy": (relative(mvn_hand(m1, s1, m2, s2)[sl], exact), relative(
            mvn_hand(m1, s1, near_m2, near_s2)[sl], exact_near))}
    rows.append((f"MVN KL, k = {k}, batch {n}", timings, errors))
    targets += [Target("MVN numpy / torch.distributions time",
                       timings["symbolic_info numpy"] / timings["torch.distributions"], 1.0, "x"),
                Target("MVN near P = Q: our error / torch.distributions' error",
                       errors["symbolic_info numpy"][1] / max(errors["torch.distributions"][1],
                                                              1e-300), 1.0, "x")]

    # -- VAE, k = 64 -------------------------------------------------------------------------
    k, n = args.vae_k, args.vae_batch
    mu, sigma = rng.normal(size=(n, k)), rng.uniform(0.3, 3.0, size=(n, k))
    zeros, ones = np.zeros((n, k)), np.ones((n, k))
    g_np, g_torch = diag.lambdify(), diag.lambdify("torch")
    tm, ts, tz, to = (torch.tensor(v) for v in (mu, sigma, zeros, ones))

    def vae_np(a=mu, b=sigma, c=zeros, d=ones):
        return g_np(mu=a, sigma=b, m=c, s=d)

    def vae_torch(a=tm, b=ts, c=tz, d=to):
        return g_torch(mu=a, sigma=b, m=c, s=d)

    def vae_theirs(a=tm, b=ts, c=tz, d=to):
        return kl_divergence(Independent(Normal(a, b), 1), Independent(Normal(c, d), 1))

    timings = {"symbolic_info numpy": best(vae_np, args.repeat),
               "symbolic_info torch": best(vae_torch, args.repeat),
               "torch.distributions": best(vae_theirs, args.repeat),
               "hand-written numpy": best(lambda: diag_hand(mu, sigma, zeros, ones),
                                          args.repeat)}
    near_mu, near_sigma = mu[:ROWS_CHECKED] * 1e-8, 1 + 1e-8 * sigma[:ROWS_CHECKED]
    z, o = zeros[:ROWS_CHECKED], ones[:ROWS_CHECKED]
    exact = [diag_exact(mu[i], sigma[i], zeros[i], ones[i]) for i in range(ROWS_CHECKED)]
    exact_near = [diag_exact(near_mu[i], near_sigma[i], z[i], o[i])
                  for i in range(ROWS_CHECKED)]
    tnm, tns, tz4, to4 = (torch.tensor(v) for v in (near_mu, near_sigma, z, o))
    errors = {
        "symbolic_info numpy": (relative(vae_np()[sl], exact),
                                relative(vae_np(near_mu, near_sigma, z, o), exact_near)),
        "symbolic_info torch": (relative(vae_torch()[sl].numpy(), exact), relative(
            vae_torch(tnm, tns, tz4, to4).numpy(), exact_near)),
        "torch.distributions": (relative(vae_theirs()[sl].numpy(), exact), relative(
            vae_theirs(tnm, tns, tz4, to4).numpy(), exact_near)),
        "hand-written numpy": (relative(diag_hand(mu, sigma, zeros, ones)[sl], exact),
                               relative(diag_hand(near_mu, near_sigma, z, o), exact_near))}
    rows.append((f"VAE KL, k = {k}, batch {n}", timings, errors))
    targets += [Target("VAE numpy / torch.distributions time",
                       timings["symbolic_info numpy"] / timings["torch.distributions"], 1.0, "x"),
                Target("VAE near P = Q: our error / torch.distributions' error",
                       errors["symbolic_info numpy"][1] / max(errors["torch.distributions"][1],
                                                              1e-300), 1.0, "x")]

    for title, timings, errors in rows:
        print(f"\n{title}")
        print(f"  {'':<27} {'seconds':>9} {'vs torch':>9} {'rel. error':>11} "
              f"{'near P = Q':>11}")
        for name, seconds in timings.items():
            random_error, near_error = errors[name]
            print(f"  {name:<27} {seconds:9.4f} "
                  f"{seconds / timings['torch.distributions']:9.2f} {random_error:11.2e} "
                  f"{near_error:11.2e}")
    return 0 if print_targets(targets) else 1
