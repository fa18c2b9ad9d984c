r"""Built-in multivariate families of explicit dimension: declarative specs, one per dimension.

* ``mvnormal(mu=[...], cov=[[...]])``:
  :math:`p(x) = (2\pi)^{-k/2} \det\Sigma^{-1/2} \exp(-\tfrac12 (x-\mu)^\top \Sigma^{-1} (x-\mu))`
  on :math:`\mathbb{R}^k`; :math:`\Sigma` symmetric, positive definite (the relation: its
  leading principal minors are positive, Sylvester's criterion).
* ``mvnormal_diag(mu=[...], sigma=[...])``: :math:`\Sigma = \operatorname{diag}(\sigma_i^2)`.
* ``dirichlet(alpha=[...])``: :math:`\frac{\Gamma(\alpha_0)}{\prod_i \Gamma(\alpha_i)}
  \prod_{i=1}^{k} x_i^{\alpha_i - 1}` on the simplex, in the coordinates
  :math:`x_1, \dots, x_{k-1}` with :math:`x_k = 1 - \sum_{i<k} x_i`.

The dimension is read off the values; each spec's parameters are the entries (``mu_1``,
``cov_1_2``, ...) with scalar constraints, so every scalar mechanism (constraints, canonical
names, the store, lambdify) applies unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import sympy as sp

from ..errors import InvalidParameter
from .product import indexed_product
from .region import Region, Simplex, Space
from .registry import register_factory
from .spec import (
    POSITIVE,
    POSITIVE_INTEGER,
    PROBABILITY,
    REAL,
    Constraint,
    Family,
    FamilySpec,
    Param,
)


def coordinates(k: int) -> tuple[sp.Symbol, ...]:
    """The template variables x_1, ..., x_k of a k-dimensional family."""
    return tuple(sp.Symbol(f"x_{i}", real=True) for i in range(1, k + 1))


def _vector(name: str, values, role: str) -> list:
    if isinstance(values, (str, int, float, sp.Basic)) or not isinstance(
            values, (Sequence, np.ndarray)):
        raise InvalidParameter(f"{role} must be a list of {name} values, got {values!r}")
    return list(values)


def _matrix_text(rows) -> str:
    return "[" + ", ".join("[" + ", ".join(map(str, r)) + "]" for r in rows) + "]"


def _vector_text(values) -> str:
    return "[" + ", ".join(map(str, values)) + "]"


# -- the multivariate normal ---------------------------------------------------------------------
def _upper(k: int) -> list[tuple[int, int]]:
    return [(i, j) for i in range(k) for j in range(i, k)]


def _covariance(k: int, symbols: dict) -> sp.Matrix:
    return sp.Matrix(k, k, lambda i, j: symbols[f"cov_{min(i, j) + 1}_{max(i, j) + 1}"])


@cache
def mvnormal_spec(k: int) -> FamilySpec:
    params = [Param(f"mu_{i}", REAL) for i in range(1, k + 1)]
    params += [Param(f"cov_{i + 1}_{j + 1}", POSITIVE if i == j else REAL) for i, j in _upper(k)]
    symbols = {p.name: p.symbol() for p in params}
    x = coordinates(k)
    mu = sp.Matrix([symbols[f"mu_{i}"] for i in range(1, k + 1)])
    cov = _covariance(k, symbols)
    det = cov.det()
    d = sp.Matrix(x) - mu
    quadratic = sp.expand((d.T * cov.adjugate() * d)[0, 0])
    density = sp.exp(-quadratic / (2 * det)) / sp.sqrt((2 * sp.pi) ** k * det)
    minors = tuple(sp.Gt(sp.factor(cov[:m, :m].det()), 0) for m in range(2, k + 1))

    def sampler(rng: np.random.Generator) -> tuple[float, ...]:
        a = rng.normal(size=(k, k))
        c = a @ a.T / k + 0.5 * np.eye(k)
        return tuple(rng.uniform(-2, 2, size=k)) + tuple(c[i, j] for i, j in _upper(k))

    def label(values) -> str:
        s = dict(zip((p.name for p in params), values))
        return (f"mvnormal(mu={_vector_text(values[:k])}, cov="
                f"{_matrix_text(_covariance(k, s).tolist())})")

    def draw(values: dict, rng: np.random.Generator, n: int) -> np.ndarray:
        mean = [values[f"mu_{i}"] for i in range(1, k + 1)]
        cov = np.array(_covariance(k, values).tolist(), dtype=float)
        return rng.multivariate_normal(mean, cov, size=n)

    return FamilySpec(name="mvnormal", params=tuple(params), symbols=tuple(symbols.values()),
                      variable=x, density=density,
                      support=Region([(xi, -sp.oo, sp.oo) for xi in x]), relations=minors,
                      title="Multivariate normal", sampler=sampler, label=label, draw=draw,
                      relations_are_conditions=True)


VECTOR = Constraint("a k x 1 matrix symbol", (), lambda v: None, lambda rng: 0.0)
POSITIVE_DEFINITE = Constraint("a k x k matrix symbol (symmetric positive definite)", (),
                               lambda v: None, lambda rng: 0.0)


@cache
def mvnormal_matrix_spec(k: sp.Expr) -> FamilySpec:
    r"""The normal of symbolic dimension k: :math:`(2\pi)^{-k/2} \det\Sigma^{-1/2}
    \exp(-\tfrac12 \operatorname{tr}((x-\mu)^\top \Sigma^{-1} (x-\mu)))` on
    :math:`\mathbb{R}^k` (the trace of a 1 x 1 matrix is its entry)."""
    mu, sigma = sp.MatrixSymbol("mu", k, 1), sp.MatrixSymbol("Sigma", k, k)
    x = sp.MatrixSymbol("x", k, 1)
    quadratic = sp.Trace((x - mu).T * sigma.I * (x - mu))
    density = sp.exp(-quadratic / 2) / sp.sqrt((2 * sp.pi) ** k * sp.Determinant(sigma))

    def label(values) -> str:
        return f"mvnormal(mu={values[0]}, cov={values[1]})"

    return FamilySpec(name="mvnormal",
                      params=(Param("mu", VECTOR), Param("cov", POSITIVE_DEFINITE)),
                      symbols=(mu, sigma), variable=x, density=density, support=Space(k),
                      title="Multivariate normal", label=label)


def _matrix_mvnormal(mu, cov) -> Family:
    k = mu.shape[0]
    if mu.shape != (k, 1) or cov.shape != (k, k):
        raise InvalidParameter(f"mu must be k x 1 and cov k x k (same k), got {mu.shape} and "
                               f"{cov.shape}")
    if not (isinstance(k, sp.Symbol) and k.is_integer and k.is_positive):
        raise InvalidParameter(f"the dimension {k} must be a positive integer Symbol, e.g. "
                               "Symbol('k', integer=True, positive=True)")
    return Family(mvnormal_matrix_spec(k), (mu, cov))


def mvnormal(mu=None, cov=None) -> Family:
    """``mvnormal(mu=[m_1, ..., m_k], cov=[[s_11, ...], ...])``, k from the values; or
    ``mvnormal(mu=MatrixSymbol("mu", k, 1), cov=MatrixSymbol("Sigma", k, k))`` of symbolic
    dimension k (a positive integer Symbol)."""
    if mu is None or cov is None:
        raise InvalidParameter("mvnormal needs mu=[...] (k means) and cov=[[...]] (k x k)")
    if isinstance(mu, sp.MatrixExpr) or isinstance(cov, sp.MatrixExpr):
        if not (isinstance(mu, sp.MatrixExpr) and isinstance(cov, sp.MatrixExpr)):
            raise InvalidParameter("give mu and cov both as matrix symbols, or both as lists")
        return _matrix_mvnormal(mu, cov)
    mu = _vector("mean", mu, "mu")
    k = len(mu)
    rows = _vector("row", cov, "cov")
    if len(rows) != k or any(len(_vector("covariance", r, "cov")) != k for r in rows):
        raise InvalidParameter(f"cov must be a {k} x {k} matrix (mu has {k} entries)")
    for i, j in _upper(k):
        if i != j and sp.simplify(_entry(rows[i][j]) - _entry(rows[j][i])) != 0:
            raise InvalidParameter(f"cov must be symmetric: cov[{i}][{j}] = {rows[i][j]} but "
                                   f"cov[{j}][{i}] = {rows[j][i]}")
    _positive_definite(rows, k)
    values = {f"mu_{i + 1}": v for i, v in enumerate(mu)}
    values |= {f"cov_{i + 1}_{j + 1}": rows[i][j] for i, j in _upper(k)}
    return mvnormal_spec(k).member(**values)


def _entry(value) -> sp.Expr:
    """A covariance entry as sympy sees it for comparisons: a string is a symbol of that name
    (sympify would read "gamma" or "beta" as the function)."""
    return sp.Symbol(value) if isinstance(value, str) else sp.sympify(value)


def _positive_definite(rows, k: int) -> None:
    """A numeric cov must be positive definite (checked before the relations, for the
    message); a symbolic one states it as relations (its leading principal minors > 0)."""
    try:
        cov = sp.Matrix(k, k, lambda i, j: _entry(rows[i][j]))
    except (sp.SympifyError, TypeError):
        return  # the parameter check names the bad entry
    if not cov.free_symbols and all(cov[i, i].is_positive for i in range(k)):
        # (a non-positive variance is named by the parameter check instead)
        try:
            eigen = np.linalg.eigvalsh(np.array(cov.evalf(), dtype=float))
        except (TypeError, ValueError):  # complex entries: the parameter check names them
            return
        if eigen.min() <= 0:
            raise InvalidParameter(f"cov must be positive definite; its smallest eigenvalue "
                                   f"is {eigen.min():.6g}")


@cache
def mvnormal_diag_spec(k: int) -> FamilySpec:
    params = [Param(f"mu_{i}", REAL) for i in range(1, k + 1)]
    params += [Param(f"sigma_{i}", POSITIVE) for i in range(1, k + 1)]
    symbols = {p.name: p.symbol() for p in params}
    x = coordinates(k)
    density = sp.Mul(*[
        sp.exp(-(xi - symbols[f"mu_{i}"]) ** 2 / (2 * symbols[f"sigma_{i}"] ** 2))
        / (sp.sqrt(2 * sp.pi) * symbols[f"sigma_{i}"]) for i, xi in enumerate(x, start=1)])

    def label(values) -> str:
        return f"mvnormal_diag(mu={_vector_text(values[:k])}, sigma={_vector_text(values[k:])})"

    def draw(values: dict, rng: np.random.Generator, n: int) -> np.ndarray:
        mean = np.array([values[f"mu_{i}"] for i in range(1, k + 1)])
        scale = np.array([values[f"sigma_{i}"] for i in range(1, k + 1)])
        return mean + scale * rng.standard_normal(size=(n, k))

    return FamilySpec(name="mvnormal_diag", params=tuple(params),
                      symbols=tuple(symbols.values()), variable=x, density=density,
                      support=Region([(xi, -sp.oo, sp.oo) for xi in x]),
                      title="Diagonal multivariate normal", label=label, draw=draw)


def mvnormal_diag(mu=None, sigma=None, k=None) -> Family:
    """``mvnormal_diag(mu=[...], sigma=[...])``: independent normal coordinates; or
    ``mvnormal_diag(mu=IndexedBase("mu"), sigma=IndexedBase("sigma"), k=k)`` of symbolic
    dimension k (results are sums over the index i = 1..k)."""
    if mu is None or sigma is None:
        raise InvalidParameter("mvnormal_diag needs mu=[...] and sigma=[...] (standard "
                               "deviations)")
    if k is not None or isinstance(mu, sp.IndexedBase) or isinstance(sigma, sp.IndexedBase):
        if k is None:
            raise InvalidParameter("mvnormal_diag with IndexedBase parameters needs k=")
        from .registry import get_spec
        return indexed_product(get_spec("normal"), sp.sympify(k), (mu, sigma), "mvnormal_diag")
    mu, sigma = _vector("mean", mu, "mu"), _vector("standard deviation", sigma, "sigma")
    if len(mu) != len(sigma):
        raise InvalidParameter(f"mu has {len(mu)} entries but sigma has {len(sigma)}")
    values = {f"mu_{i}": v for i, v in enumerate(mu, start=1)}
    values |= {f"sigma_{i}": v for i, v in enumerate(sigma, start=1)}
    return mvnormal_diag_spec(len(mu)).member(**values)


# -- the Dirichlet ---------------------------------------------------------------------------------
@cache
def dirichlet_spec(k: int) -> FamilySpec:
    params = [Param(f"alpha_{i}", POSITIVE) for i in range(1, k + 1)]
    symbols = {p.name: p.symbol() for p in params}
    alpha = list(symbols.values())
    x = tuple(sp.Symbol(f"x_{i}", positive=True) for i in range(1, k))
    last = 1 - sp.Add(*x)
    density = (sp.gamma(sp.Add(*alpha)) / sp.Mul(*map(sp.gamma, alpha))
               * sp.Mul(*[xi ** (a - 1) for xi, a in zip(x, alpha)]) * last ** (alpha[-1] - 1))
    limits = [(xi, 0, 1 - sp.Add(*x[:i])) for i, xi in enumerate(x)]

    def label(values) -> str:
        return f"dirichlet(alpha={_vector_text(values)})"

    def draw(values: dict, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.dirichlet([values[f"alpha_{i}"] for i in range(1, k + 1)], size=n)[:, :-1]

    return FamilySpec(name="dirichlet", params=tuple(params), symbols=tuple(alpha),
                      variable=x, density=density, support=Region(limits),
                      title="Dirichlet", label=label, draw=draw)


INDEX = sp.Symbol("j", integer=True, positive=True)


@cache
def dirichlet_indexed_spec(k: sp.Expr) -> FamilySpec:
    r"""The Dirichlet of symbolic dimension k: :math:`\frac{\Gamma(\sum_j \alpha_j)}
    {\prod_j \Gamma(\alpha_j)} \prod_{j=1}^{k} x_j^{\alpha_j - 1}` on the simplex."""
    alpha = sp.IndexedBase("alpha", positive=True)
    x = sp.IndexedBase("x", positive=True)
    j = INDEX
    density = (sp.gamma(sp.Sum(alpha[j], (j, 1, k))) / sp.Product(sp.gamma(alpha[j]), (j, 1, k))
               * sp.Product(x[j] ** (alpha[j] - 1), (j, 1, k)))
    return FamilySpec(name="dirichlet", params=(Param("alpha", VECTOR),), symbols=(alpha,),
                      variable=x, density=density, support=Simplex(k), title="Dirichlet",
                      label=lambda values: f"dirichlet(alpha={values[0]}[j], j = 1..{k})")


def dirichlet(alpha=None, k=None) -> Family:
    """``dirichlet(alpha=[a_1, ..., a_k])``, k >= 2, on the simplex in x_1, ..., x_{k-1}; or
    ``dirichlet(alpha=IndexedBase("alpha"), k=k)`` of symbolic dimension k (indices 1..k)."""
    if alpha is None:
        raise InvalidParameter("dirichlet needs alpha=[a_1, ..., a_k] (k >= 2)")
    if k is not None or isinstance(alpha, sp.IndexedBase):
        k = sp.sympify(k)
        if not (isinstance(alpha, sp.IndexedBase) and isinstance(k, sp.Symbol)
                and k.is_integer and k.is_positive):
            raise InvalidParameter("a Dirichlet of symbolic dimension needs alpha=IndexedBase"
                                   "(...) and k= a positive integer Symbol")
        return Family(dirichlet_indexed_spec(k), (alpha,))
    alpha = _vector("concentration", alpha, "alpha")
    if len(alpha) < 2:
        raise InvalidParameter(f"dirichlet needs k >= 2 concentrations, got {len(alpha)}")
    return dirichlet_spec(len(alpha)).member(
        **{f"alpha_{i}": v for i, v in enumerate(alpha, start=1)})


# -- the multinomial ----------------------------------------------------------------------------
@cache
def multinomial_spec(k: int) -> FamilySpec:
    r""":math:`\frac{n!}{\prod_i n_i!} \prod_{i=1}^{k} p_i^{n_i}` on
    :math:`n_1 + \dots + n_k = n`, in the counts :math:`n_1, \dots, n_{k-1}`
    (:math:`n_k = n - \sum_{i<k} n_i`)."""
    params = [Param("n", POSITIVE_INTEGER)] + [Param(f"p_{i}", PROBABILITY)
                                               for i in range(1, k + 1)]
    symbols = {p.name: p.symbol() for p in params}
    n, probs = symbols["n"], [symbols[f"p_{i}"] for i in range(1, k + 1)]
    counts = tuple(sp.Symbol(f"n_{i}", integer=True, nonnegative=True) for i in range(1, k))
    last = n - sp.Add(*counts)
    pmf = (sp.factorial(n) / (sp.Mul(*map(sp.factorial, counts)) * sp.factorial(last))
           * sp.Mul(*[p ** c for p, c in zip(probs, counts)]) * probs[-1] ** last)
    limits = [(c, 0, n - sp.Add(*counts[:i])) for i, c in enumerate(counts)]

    def sampler(rng: np.random.Generator) -> tuple:
        return (int(rng.integers(1, 6)),) + tuple(rng.dirichlet(np.full(k, 2.0)))

    def label(values) -> str:
        return f"multinomial(n={values[0]}, p={_vector_text(values[1:])})"

    def draw(values: dict, rng: np.random.Generator, size: int) -> np.ndarray:
        p = np.array([values[f"p_{i}"] for i in range(1, k + 1)])
        return rng.multinomial(int(values["n"]), p / p.sum(), size=size)[:, :-1]

    return FamilySpec(name="multinomial", params=tuple(params), symbols=tuple(symbols.values()),
                      variable=counts, density=pmf, support=Region(limits, discrete=True),
                      relations=(sp.Eq(sp.Add(*probs), 1),), title="Multinomial",
                      sampler=sampler, label=label, draw=draw, implicit=(last,))


def multinomial(n=None, p=None) -> Family:
    """``multinomial(n, p=[p_1, ..., p_k])``, k >= 2: counts of k outcomes in n trials."""
    if n is None or p is None:
        raise InvalidParameter("multinomial needs n (trials) and p=[p_1, ..., p_k]")
    p = _vector("probability", p, "p")
    if len(p) < 2:
        raise InvalidParameter(f"multinomial needs k >= 2 probabilities, got {len(p)}")
    member = multinomial_spec(len(p)).member(n=n, **{f"p_{i}": v for i, v in
                                                    enumerate(p, start=1)})
    total = sp.Add(*member.values[1:])
    if total.is_number and abs(float(total) - 1) > 1e-12:
        raise InvalidParameter(f"the probabilities p must sum to 1, got {total}")
    return member


DEFAULT_DIMENSION = 2


def _names(stem: str, suffix: str, k: int = DEFAULT_DIMENSION) -> list[str]:
    return [f"{stem}{i}_{suffix}" if suffix else f"{stem}{i}" for i in range(1, k + 1)]


def _cov_names(suffix: str, k: int = DEFAULT_DIMENSION) -> list[list[str]]:
    tail = f"_{suffix}" if suffix else ""
    return [[f"s{min(i, j)}{max(i, j)}{tail}" for j in range(1, k + 1)] for i in range(1, k + 1)]


register_factory("mvnormal", mvnormal,
                 lambda suffix: {"mu": _names("m", suffix), "cov": _cov_names(suffix)},
                 "mu=[m_1, ..., m_k], cov=[[s_11, ..., s_1k], ...]")
register_factory("mvnormal_diag", mvnormal_diag,
                 lambda suffix: {"mu": _names("m", suffix), "sigma": _names("s", suffix)},
                 "mu=[m_1, ..., m_k], sigma=[s_1, ..., s_k]")
register_factory("multinomial", multinomial,
                 lambda suffix: {"n": f"n_{suffix}" if suffix else "n",
                                 "p": _names("p", suffix, 3)},
                 "n, p=[p_1, ..., p_k]")
register_factory("dirichlet", dirichlet,
                 lambda suffix: {"alpha": _names("a", suffix, 3)},
                 "alpha=[a_1, ..., a_k]")
