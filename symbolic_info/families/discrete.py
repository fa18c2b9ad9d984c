"""Built-in discrete families: declarative specs (pmf, support, constraints) only."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import sympy as sp
from sympy import Range, exp, factorial, oo

from ..errors import InvalidParameter
from .region import OneHot
from .registry import make_spec, register, register_factory, register_parameterisation
from .spec import (
    POSITIVE,
    POSITIVE_INTEGER,
    PROBABILITY,
    REAL,
    UNIT_INTERVAL,
    Constraint,
    Family,
    FamilySpec,
    Param,
)

K = sp.Symbol("x", integer=True, nonnegative=True)


def _discrete(name, params, pmf, support, **kw):
    register(make_spec(name, tuple(Param(n, c) for n, c in params), K, pmf, support, **kw))


_discrete("bernoulli", [("p", PROBABILITY)], lambda x, p: p**x * (1 - p) ** (1 - x),
          lambda **_: Range(0, 2), title="Bernoulli")
register_parameterisation(make_spec(
    "bernoulli", (Param("logits", REAL),), K,
    lambda x, logits: exp(x * logits) / (1 + exp(logits)), lambda **_: Range(0, 2),
    title="Bernoulli"))  # P(X = 1) = sigmoid(logits); log-normaliser softplus(logits)
_discrete("binomial", [("n", POSITIVE_INTEGER), ("p", UNIT_INTERVAL)],
          lambda x, n, p: sp.binomial(n, x) * p**x * (1 - p) ** (n - x),
          lambda n, p: Range(0, n + 1), title="Binomial")
_discrete("geometric", [("p", UNIT_INTERVAL)], lambda x, p: (1 - p) ** (x - 1) * p,
          lambda **_: Range(1, oo), title="Geometric")
_discrete("poisson", [("lam", POSITIVE)], lambda x, lam: lam**x * exp(-lam) / factorial(x),
          lambda **_: Range(0, oo), title="Poisson")
_discrete("negative_binomial", [("r", POSITIVE), ("p", UNIT_INTERVAL)],
          lambda x, r, p: sp.gamma(x + r) / (sp.gamma(r) * factorial(x)) * p**r * (1 - p) ** x,
          lambda **_: Range(0, oo), title="Negative binomial")
_discrete("discrete_uniform", [("n", POSITIVE_INTEGER)], lambda x, n: 1 / n,
          lambda n: Range(1, n + 1), title="Discrete uniform")


def _categorical_spec(k: int):
    params = tuple(Param(f"p_{i}", PROBABILITY) for i in range(1, k + 1))

    def pmf(x, **p):
        return sp.Piecewise(*[(p[f"p_{i}"], sp.Eq(x, i - 1)) for i in range(1, k + 1)],
                            (0, True))

    return make_spec("categorical", params, K, pmf, lambda **_: Range(0, k),
                     relations=lambda **p: (sp.Eq(sp.Add(*p.values()), 1),),
                     title="Categorical",
                     sampler=lambda rng: tuple(rng.dirichlet(np.full(k, 2.0))))


_CATEGORICAL: dict[int, object] = {}


#: an IndexedBase of k class probabilities p[1], ..., p[k] (summing to 1)
PROBABILITY_VECTOR = Constraint("an IndexedBase of k probabilities summing to 1",
                                (("nonnegative", True),), lambda v: None, lambda rng: 0.5)
#: an IndexedBase of k real logits; softmax(l) = softmax(l - c): defined up to an additive
#: constant, which evaluators may choose (the row maximum) to avoid overflow
LOGITS = Constraint("an IndexedBase of k real logits", (("real", True),), lambda v: None,
                    lambda rng: float(rng.normal()))
INDEX = sp.Symbol("j", integer=True, positive=True)
ONE_HOT = sp.IndexedBase("x", integer=True, nonnegative=True)


@cache
def categorical_vector_spec(k: sp.Symbol, logits: bool = False) -> FamilySpec:
    r"""The categorical of symbolic k on the one-hot vectors x (x_j = [X = j]):
    :math:`\prod_j p_j^{x_j} / \sum_j p_j` (the relation :math:`\sum_j p_j = 1` stated), or
    with logits :math:`e^{\sum_j x_j l_j} / \sum_j e^{l_j}` (softmax; the log-normaliser is
    log-sum-exp)."""
    j, x = INDEX, ONE_HOT
    if logits:
        theta = sp.IndexedBase("l", real=True)
        density = sp.exp(sp.Sum(x[j] * theta[j], (j, 1, k))) / sp.Sum(sp.exp(theta[j]),
                                                                    (j, 1, k))
        param, relations = Param("logits", LOGITS), ()
    else:
        theta = sp.IndexedBase("p", positive=True)
        density = sp.Product(theta[j] ** x[j], (j, 1, k)) / sp.Sum(theta[j], (j, 1, k))
        param, relations = Param("p", PROBABILITY_VECTOR), (sp.Eq(sp.Sum(theta[j], (j, 1, k)),
                                                               1),)
    name = param.name
    return FamilySpec(name="categorical", params=(param,), symbols=(theta,), variable=x,
                      density=density, support=OneHot(k), relations=relations,
                      title="Categorical",
                      label=lambda values: f"categorical({name}={values[0]}[j], j = 1..{k})")


def _vector_categorical(p, logits, k) -> Family:
    value = p if logits is None else logits
    k = sp.sympify(k) if k is not None else None
    if not isinstance(value, sp.IndexedBase) or not (
            isinstance(k, sp.Symbol) and k.is_integer and k.is_positive):
        raise InvalidParameter(f"a categorical of symbolic size needs "
                               f"{'p' if logits is None else 'logits'}=IndexedBase(...) and "
                               f"k= a positive integer Symbol, got {value!r} and k={k!r}")
    return Family(categorical_vector_spec(k, logits is not None), (value,))


def categorical(p: Sequence | None = None, logits=None, k=None, **named) -> Family:
    """``categorical(p=[p_1, ..., p_k])``: P(X = i - 1) = p_i on {0, ..., k - 1}; or of
    symbolic size ``categorical(p=IndexedBase("p"), k=k)`` / ``categorical(
    logits=IndexedBase("l"), k=k)`` (classes 1..k, results as sums over them)."""
    if logits is not None and (p is not None or named):
        raise InvalidParameter("categorical takes p= or logits=, not both")
    if logits is not None or k is not None or isinstance(p, sp.IndexedBase):
        return _vector_categorical(p, logits, k)
    if p is None and not named:
        raise InvalidParameter("categorical needs p=[p_1, ..., p_k]")
    if p is not None and named:
        raise InvalidParameter("categorical takes p=[...] or p_1=..., not both")
    if p is None:
        k = len(named)
        values = named
    else:
        if isinstance(p, (str, int, float)) or len(p) < 1:
            raise InvalidParameter(f"p must be a list of k >= 1 probabilities, got {p!r}")
        k = len(p)
        values = {f"p_{i}": v for i, v in enumerate(p, start=1)}
    spec = _CATEGORICAL.get(k)
    if spec is None:
        spec = _CATEGORICAL[k] = _categorical_spec(k)
    member = spec.member(**values)
    total = sp.Add(*member.values)
    if total.is_number and abs(float(total) - 1) > 1e-12:
        raise InvalidParameter(f"the probabilities p must sum to 1, got {total}")
    return member


CATEGORICAL_DEFAULT_SIZE = 3
register_factory(
    "categorical", categorical,
    lambda suffix: {"p": [f"p_{i}_{suffix}" if suffix else f"p_{i}"
                          for i in range(1, CATEGORICAL_DEFAULT_SIZE + 1)]},
    "p=[p_1, ..., p_k] | p=IndexedBase, k=k | logits=IndexedBase, k=k")
