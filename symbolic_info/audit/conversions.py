"""How the libraries' vector classes take our vector families' parameters: probabilities or
logits, a covariance or its Cholesky factor, a diagonal plus a low-rank factor, ... Each is a
:class:`FamilyMapping` built here and shared by the adapters (the keyword names differ).

Our values and the library's are tuples (vectors) and tuples of rows (matrices); conversions
compute in float64 with numpy, so a library's keywords rounded to its dtype map back to the
parameters it really received; probabilities are renormalised (as the libraries do) at 50
digits, as mpmath numbers.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np

from .adapter import FamilyMapping, Params

DIGITS = 50


def matrix(value) -> np.ndarray:
    return np.array(value, dtype=float)


def rows(a: np.ndarray) -> tuple[tuple[float, ...], ...]:
    """A matrix as a tuple of rows of floats."""
    return tuple(tuple(float(x) for x in row) for row in a)


def vector(a) -> tuple[float, ...]:
    return tuple(float(x) for x in a)


def symmetric(a: np.ndarray) -> tuple[tuple[float, ...], ...]:
    """A matrix made exactly symmetric (a product rounds the two triangles apart)."""
    return rows((a + a.T) / 2)


def normalised(p) -> tuple[mpmath.mpf, ...]:
    """p / sum(p) at 50 digits: the probabilities the library is given, exactly (a float64
    division would leave a sum 1 ± 1e-16, more than a KL next to P = Q)."""
    with mpmath.workdps(DIGITS):
        total = mpmath.fsum(mpmath.mpf(x) for x in p)
        return tuple(mpmath.mpf(x) / total for x in p)


def softmax(logits) -> tuple[mpmath.mpf, ...]:
    """The probabilities of ``logits`` at 50 digits."""
    with mpmath.workdps(DIGITS):
        top = max(mpmath.mpf(x) for x in logits)
        return normalised([mpmath.exp(mpmath.mpf(x) - top) for x in logits])


def one_hot(x, params: Params) -> tuple[float, ...]:
    """The outcome ``x`` of a categorical with ``len(params["p"])`` outcomes as a unit vector."""
    return tuple(1.0 if i == int(x) else 0.0 for i in range(len(params["p"])))


# -- categorical and multinomial ---------------------------------------------------------------
def probabilities(family: str, key: str = "probs", count: str | None = None,
                  **options) -> FamilyMapping:
    """``categorical`` (or ``multinomial`` with its number of trials as ``count``) with the
    probabilities as keyword ``key``; the library normalises them, so do we."""
    return _weights(family, key, count, tuple, normalised, **options)


def logits(family: str, key: str = "logits", count: str | None = None,
           **options) -> FamilyMapping:
    """The same with log-probabilities (any additive constant) as keyword ``key``."""
    return _weights(family, key, count, lambda p: tuple(math.log(x) for x in p), softmax,
                    **options)


def _weights(family: str, key: str, count: str | None, to_weights, to_p,
             **options) -> FamilyMapping:
    """Our ``p`` (and ``n``) as the library's keyword ``key`` = ``to_weights(p)`` (and
    ``count``), and back through ``to_p``."""
    def to_library(o: Params) -> Params:
        out = {key: to_weights(o["p"])}
        if count is not None:
            out[count] = o["n"]
        return out

    def to_ours(k: Params) -> Params:
        out = {"p": to_p(k[key])}
        if count is not None:
            out["n"] = int(k[count])
        return out
    renames = ((key, "p"),) + (((count, "n"),) if count else ())
    return FamilyMapping(family, renames, to_library=to_library, to_ours=to_ours, **options)


# -- the multivariate normal -------------------------------------------------------------------
def covariance(loc: str = "loc", key: str = "covariance_matrix") -> FamilyMapping:
    """``mvnormal`` with the covariance as keyword ``key``."""
    return FamilyMapping("mvnormal", ((loc, "mu"), (key, "cov")),
                         to_library=lambda o: {loc: tuple(o["mu"]), key: o["cov"]},
                         to_ours=lambda k: {"mu": vector(k[loc]),
                                            "cov": symmetric(matrix(k[key]))})


def cholesky(loc: str = "loc", key: str = "scale_tril") -> FamilyMapping:
    """``mvnormal`` with the covariance's lower Cholesky factor L (Σ = L Lᵀ) as ``key``."""
    return FamilyMapping(
        "mvnormal", ((loc, "mu"), (key, "cov")),
        to_library=lambda o: {loc: tuple(o["mu"]),
                              key: rows(np.linalg.cholesky(matrix(o["cov"])))},
        to_ours=lambda k: {"mu": vector(k[loc]),
                           "cov": symmetric(np.tril(matrix(k[key])) @ np.tril(matrix(k[key])).T)})


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A symmetric positive definite A as diag(D) + W Wᵀ: D half its smallest eigenvalue
    (each entry), W the Cholesky factor of the rest (full rank)."""
    d = np.full(a.shape[0], np.linalg.eigvalsh(a).min() / 2)
    return d, np.linalg.cholesky(a - np.diag(d))


def low_rank_covariance(loc: str = "loc", factor: str = "cov_factor",
                        diagonal: str = "cov_diag") -> FamilyMapping:
    """``mvnormal`` with Σ = W Wᵀ + diag(D): W as ``factor``, D as ``diagonal`` (torch's
    ``LowRankMultivariateNormal``)."""
    def to_library(o: Params) -> Params:
        d, w = _split(matrix(o["cov"]))
        return {loc: tuple(o["mu"]), factor: rows(w), diagonal: vector(d)}

    def to_ours(k: Params) -> Params:
        w = matrix(k[factor])
        return {"mu": vector(k[loc]), "cov": symmetric(w @ w.T + np.diag(k[diagonal]))}
    return FamilyMapping("mvnormal", ((loc, "mu"),), to_library=to_library, to_ours=to_ours)


def _sqrtm(a: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh(a)
    return (vectors * np.sqrt(values)) @ vectors.T


def low_rank_scale(loc: str = "loc", diagonal: str = "scale_diag",
                   factor: str = "scale_perturb_factor") -> FamilyMapping:
    """``mvnormal`` with Σ = S Sᵀ, S = diag(D) + U Uᵀ (TFP's ``MultivariateNormalDiagPlusLowRank``):
    S the symmetric square root of Σ, split as in :func:`_split`."""
    def to_library(o: Params) -> Params:
        d, u = _split(_sqrtm(matrix(o["cov"])))
        return {loc: tuple(o["mu"]), diagonal: vector(d), factor: rows(u)}

    def to_ours(k: Params) -> Params:
        u = matrix(k[factor])
        s = np.diag(k[diagonal]) + u @ u.T
        return {"mu": vector(k[loc]), "cov": symmetric(s @ s.T)}
    return FamilyMapping("mvnormal", ((loc, "mu"),), to_library=to_library, to_ours=to_ours)


def diagonal(loc: str = "loc", key: str = "scale_diag") -> FamilyMapping:
    """``mvnormal_diag`` with the standard deviations as ``key``."""
    return FamilyMapping("mvnormal_diag", ((loc, "mu"), (key, "sigma")),
                         to_library=lambda o: {loc: tuple(o["mu"]), key: tuple(o["sigma"])},
                         to_ours=lambda k: {"mu": vector(k[loc]), "sigma": vector(k[key])})


# -- the Dirichlet and the Wishart -------------------------------------------------------------
def concentration(key: str = "concentration") -> FamilyMapping:
    return FamilyMapping("dirichlet", ((key, "alpha"),),
                         to_library=lambda o: {key: tuple(o["alpha"])},
                         to_ours=lambda k: {"alpha": vector(k[key])})


def categorical_and_dirichlet() -> dict[str, FamilyMapping]:
    """The classes torch and TFP name and parameterise alike: ``Categorical`` and
    ``OneHotCategorical(probs)``, ``Multinomial(total_count, probs)``,
    ``Dirichlet(concentration)``."""
    return {
        "Categorical": probabilities("categorical"),
        "OneHotCategorical": probabilities("categorical", variate=one_hot),
        "Multinomial": probabilities("multinomial", count="total_count", tied=("n",)),
        "Dirichlet": concentration(),
    }

def wishart(df: str = "df", key: str = "covariance_matrix", tril: bool = False) -> FamilyMapping:
    """``wishart`` with its scale matrix V as ``key`` (its lower Cholesky factor when
    ``tril``)."""
    def to_library(o: Params) -> Params:
        v = matrix(o["scale"])
        return {df: o["df"], key: rows(np.linalg.cholesky(v)) if tril else o["scale"]}

    def to_ours(k: Params) -> Params:
        v = matrix(k[key])
        if tril:
            v = np.tril(v) @ np.tril(v).T
        return {"df": float(k[df]), "scale": symmetric(v)}
    return FamilyMapping("wishart", ((df, "df"), (key, "scale")), to_library=to_library,
                         to_ours=to_ours)
