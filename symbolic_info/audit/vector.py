"""Vector- and matrix-valued parameters: our families whose parameters are vectors
(``categorical``, ``multinomial``, ``dirichlet``, ``mvnormal``, ``mvnormal_diag``) or a matrix
(``wishart``), audited at a fixed small dimension (:data:`DIMENSIONS`).

One mechanism for every parameter: a value is a number (a float, or an int for a count), a
tuple of floats (a vector) or a tuple of rows (a matrix). Each parameter of a vector family
has a *kind* (:data:`LAYOUTS`) that says how it is drawn, perturbed next to P = Q and scaled:

* ``real``, ``positive`` (vectors): entries times (1 + d) near P = Q, times the scale at wide
  points;
* ``simplex`` (probabilities): entry i times 1 + d·(-1)^i, renormalised, near P = Q; at wide
  points the first entry times the scale, renormalised (a skewed, still normalised vector);
* ``spd`` (a covariance or scale matrix): every entry times (1 + d) or the scale (stays
  symmetric positive definite);
* ``count`` (the multinomial's n) and ``dof`` (the Wishart's degrees of freedom): kept.

Random values come from our families' own samplers (``sample_parameters`` of a member whose
entries are symbols); a point is kept only when our family accepts it (probabilities summing to
1, a positive definite matrix). Our symbol of an entry is named ``<role>_<param>_<i>`` (a
vector) or ``<role>_<param>_<i>_<j>`` with i <= j (a symmetric matrix); a scalar parameter is
``<role>_<param>`` as for the scalar families.
"""

from __future__ import annotations

import math
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..errors import InvalidParameter
from ..families import Family, family, sample_parameters

REAL, POSITIVE, SIMPLEX, SPD, COUNT, DOF = "real", "positive", "simplex", "spd", "count", "dof"
SCALAR_KINDS = (COUNT, DOF)

#: our vector family -> its parameters (keyword, kind), in the factory's order
LAYOUTS: dict[str, tuple[tuple[str, str], ...]] = {
    "categorical": (("p", SIMPLEX),),
    "multinomial": (("n", COUNT), ("p", SIMPLEX)),
    "dirichlet": (("alpha", POSITIVE),),
    "mvnormal": (("mu", REAL), ("cov", SPD)),
    "mvnormal_diag": (("mu", REAL), ("sigma", POSITIVE)),
    "wishart": (("df", DOF), ("scale", SPD)),
}
#: the dimension each is audited at: k = 3 outcomes or coordinates, d = 2 for the normals and
#: the Wishart (two coordinates: the independent check is a nested quadrature, not Monte Carlo)
DIMENSIONS: dict[str, int] = {"categorical": 3, "multinomial": 3, "dirichlet": 3,
                              "mvnormal": 2, "mvnormal_diag": 2, "wishart": 2}
TRIES = 200   # random draws for one valid point


def is_vector(name: str | None) -> bool:
    """Whether our family ``name`` has vector (or matrix) parameters."""
    return name in LAYOUTS


def entry_name(role: str, param: str, *index: int) -> str:
    """Our symbol's name for a parameter (``p_alpha``) or one of its entries (``p_cov_1_2``)."""
    return "_".join([role, param, *map(str, index)])


def kinds(name: str) -> dict[str, str]:
    return dict(LAYOUTS[name])


def symbolic_keywords(name: str, role: str, tied: tuple[str, ...] = ()) -> dict[str, Any]:
    """Keyword values of our member of ``name`` whose entries are symbols (names), P's (role
    "p") or Q's ("q"); a ``tied`` parameter takes P's symbols."""
    k = DIMENSIONS[name]
    out: dict[str, Any] = {}
    for param, kind in LAYOUTS[name]:
        r = "p" if param in tied else role
        if kind in SCALAR_KINDS:
            out[param] = entry_name(r, param)
        elif kind == SPD:
            out[param] = [[entry_name(r, param, min(i, j) + 1, max(i, j) + 1)
                           for j in range(k)] for i in range(k)]
        else:
            out[param] = [entry_name(r, param, i + 1) for i in range(k)]
    return out


def arguments(role: str, params: dict[str, Any]) -> dict[str, float]:
    """Numeric values by our symbols' names: a scalar as ``<role>_<param>``, a vector's entries
    ``<role>_<param>_<i>``, a matrix's ``<role>_<param>_<i>_<j>`` (all i, j)."""
    out: dict[str, float] = {}
    for param, value in params.items():
        if not isinstance(value, tuple):
            out[entry_name(role, param)] = value
            continue
        for i, entry in enumerate(value, start=1):
            if isinstance(entry, tuple):
                for j, x in enumerate(entry, start=1):
                    out[entry_name(role, param, i, j)] = x
            else:
                out[entry_name(role, param, i)] = entry
    return out


def _number(value):
    return int(value) if isinstance(value, (int, np.integer)) else float(value)


def _substitute(keywords, values: dict[str, Any]):
    """``keywords`` (names, lists of names, lists of rows of names) with each name's value."""
    def one(v):
        if isinstance(v, (list, tuple)):
            return tuple(one(e) for e in v)
        return _number(values[v])
    return {k: one(v) for k, v in keywords.items()}


def _as_lists(value):
    if isinstance(value, tuple):
        return [_as_lists(e) for e in value]
    return value


DIGITS = 50


def _exact(value):
    """A value for our family: a float as a 50-digit sympy Float holding its binary value
    exactly (not a Rational: powers of 2**52-denominator Rationals are computed exactly)."""
    if isinstance(value, tuple):
        return [_exact(e) for e in value]
    if isinstance(value, (int, np.integer)):
        return sp.Integer(int(value))
    return sp.Float(value, DIGITS)


def _closed(probabilities: list) -> list:
    """Probabilities whose sum is exactly 1 for our family's relation: the last one as 1 minus
    the others (within a rounding of the float given)."""
    head = [sp.Float(v, DIGITS) if not isinstance(v, sp.Basic) else v
            for v in probabilities[:-1]]
    return [*head, 1 - sp.Add(*head)]


def member(name: str, params: dict[str, Any], exact: bool = False) -> Family:
    """Our member of ``name`` at numeric ``params`` (exact: floats as 50-digit Floats)."""
    convert = _exact if exact else _as_lists
    values = {k: convert(v) for k, v in params.items()}
    for k, kind in LAYOUTS[name]:
        if kind == SIMPLEX:
            values[k] = _closed(values[k])
    return family(name, **values)


def valid(name: str, params: dict[str, Any]) -> bool:
    """Whether our family accepts ``params`` (finite, in their constraints and relations,
    probabilities summing to 1 within 1e-12, a matrix positive definite)."""
    leaves = np.asarray(list(arguments("p", params).values()), dtype=float)
    if not np.all(np.isfinite(leaves)):
        return False
    for k, kind in LAYOUTS[name]:
        if kind == SIMPLEX and (abs(math.fsum(params[k]) - 1) > 1e-12 or min(params[k]) <= 0):
            return False
        if kind == SPD and np.linalg.eigvalsh(np.array(params[k], dtype=float)).min() <= 0:
            return False
    try:
        member(name, params)
    except (InvalidParameter, ValueError, TypeError, ZeroDivisionError, OverflowError):
        return False
    return True


def draw(name: str, rng: np.random.Generator, fixed: dict[str, Any] | None = None) -> dict:
    """One random valid value of ``name``'s parameters from our family's samplers (its spec's
    sampler when it has one, else each parameter's constraint); the parameters in ``fixed``
    (tied to P's) keep their values."""
    keywords = symbolic_keywords(name, "p")
    symbolic = family(name, **keywords)
    spec = symbolic.spec
    for _ in range(TRIES):
        if spec.sampler is not None:   # its relations (sum p = 1) are checked by valid()
            template = dict(zip(spec.symbols, spec.sampler(rng)))
            point = {str(v): template[s] for s, v in zip(spec.symbols, symbolic.values)}
        else:
            point = {str(s): v for s, v in sample_parameters(symbolic, rng).items()}
        params = _substitute(keywords, point) | dict(fixed or {})
        if valid(name, params):
            return params
    raise InvalidParameter(f"could not draw valid parameters of {name}")


# -- near-equality and wide-scale points -------------------------------------------------------
def _scale(value, factor: float):
    if isinstance(value, tuple):
        return tuple(_scale(e, factor) for e in value)
    return value * factor


def _normalised(values) -> tuple[float, ...]:
    total = math.fsum(values)
    return tuple(v / total for v in values)


def perturbed(name: str, params: dict[str, Any], d: float,
              tied: tuple[str, ...] = ()) -> dict[str, Any]:
    """Q next to P: each parameter moved by a relative d (see the module's docstring)."""
    out = {}
    for k, v in params.items():
        kind = kinds(name)[k]
        if k in tied or kind == COUNT:
            out[k] = v
        elif kind == SIMPLEX:
            out[k] = _normalised([x * (1.0 + d * (-1) ** i) for i, x in enumerate(v)])
        else:
            out[k] = _scale(v, 1.0 + d)
    return out


def scaled(name: str, params: dict[str, Any], s: float) -> dict[str, Any]:
    """The wide-scale point of ``params`` at scale ``s`` (see the module's docstring)."""
    out = {}
    for k, v in params.items():
        kind = kinds(name)[k]
        if kind in SCALAR_KINDS:
            out[k] = v
        elif kind == SIMPLEX:
            out[k] = _normalised([v[0] * s, *v[1:]])
        else:
            out[k] = _scale(v, s)
    return out


# -- the variate -------------------------------------------------------------------------------
def variates(name: str, params: dict[str, Any], rng: np.random.Generator,
             n: int = 5) -> list:
    """Points of the variate where the mapping check compares log densities, in the libraries'
    full coordinates: an outcome 0..k-1 (categorical), the k counts (multinomial), the k
    coordinates summing to 1 (Dirichlet), a vector (normals), a symmetric positive definite
    matrix as a tuple of rows (Wishart). Drawn from the law itself."""
    if name == "categorical":
        return list(range(len(params["p"])))
    if name == "multinomial":
        return [tuple(int(c) for c in rng.multinomial(params["n"], params["p"]))
                for _ in range(n)]
    if name == "dirichlet":
        out = []
        while len(out) < n:
            x = rng.dirichlet(params["alpha"])
            if x.min() > 1e-6:   # a coordinate next to 0 puts log p out of float's reach
                out.append(tuple(float(v) for v in x))
        return out
    if name == "mvnormal":
        return [tuple(map(float, rng.multivariate_normal(params["mu"], params["cov"])))
                for _ in range(n)]
    if name == "mvnormal_diag":
        return [tuple(float(m + s * rng.standard_normal()) for m, s in
                      zip(params["mu"], params["sigma"])) for _ in range(n)]
    if name == "wishart":
        draws = wishart_draws(params["df"], np.array(params["scale"]), rng, n)
        return [tuple(tuple(map(float, row)) for row in w) for w in draws]
    raise KeyError(name)


def wishart_draws(df: float, scale: np.ndarray, rng: np.random.Generator,
                  n: int) -> np.ndarray:
    """``n`` Wishart(df, scale) matrices by the Bartlett decomposition: W = L A Aᵀ Lᵀ, L the
    Cholesky factor of the scale, A lower triangular with A_ii² ~ χ²(df - i + 1) and standard
    normal entries below the diagonal."""
    k = scale.shape[0]
    lower = np.linalg.cholesky(scale)
    a = np.zeros((n, k, k))
    for i in range(k):
        a[:, i, i] = np.sqrt(rng.chisquare(df - i, size=n))
        a[:, i, :i] = rng.standard_normal(size=(n, i))
    la = lower @ a
    return la @ np.transpose(la, (0, 2, 1))


def our_coordinates(name: str, params: dict[str, Any], x):
    """The variate ``x`` (full coordinates) in our family's variables: the Dirichlet's and the
    multinomial's last coordinate is implied (left out); a matrix stays a matrix."""
    if name in ("dirichlet", "multinomial"):
        return tuple(x[:-1])
    return x


def log_density(name: str, params: dict[str, Any], x) -> mpmath.mpf:
    """Our log-density (log-pmf) of ``name`` at ``params``, at the variate ``x`` (full
    coordinates), at 50 digits from the family's own density expression."""
    m = member(name, params, exact=True)
    ours = our_coordinates(name, params, x)
    exact = _exact
    if m.matrix:
        w = sp.ImmutableMatrix([[exact(v) for v in row] for row in ours])
        expr = m.spec.density.xreplace({**m.substitution, m.spec.variable: w}).doit()
    elif isinstance(ours, tuple):
        expr = m.density_at(tuple(exact(v) for v in ours))
    else:
        expr = m.density_at(exact(ours))
    if expr.has(sp.factorial, sp.binomial):
        expr = expr.rewrite(sp.gamma)
    with mpmath.workdps(50):
        value = sp.N(expr, 50)
        if value == 0:
            return mpmath.ninf
        return mpmath.log(mpmath.mpf(sp.re(value)))
