"""Built-in discrete families: declarative specs (pmf, support, constraints) only."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy as sp
from sympy import Range, exp, factorial, oo

from ..errors import InvalidParameter
from .registry import make_spec, register, register_factory
from .spec import POSITIVE, POSITIVE_INTEGER, PROBABILITY, UNIT_INTERVAL, Family, Param

K = sp.Symbol("x", integer=True, nonnegative=True)


def _discrete(name, params, pmf, support, **kw):
    register(make_spec(name, tuple(Param(n, c) for n, c in params), K, pmf, support, **kw))


_discrete("bernoulli", [("p", PROBABILITY)], lambda x, p: p**x * (1 - p) ** (1 - x),
          lambda **_: Range(0, 2), title="Bernoulli")
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


def categorical(p: Sequence | None = None, **named) -> Family:
    """``categorical(p=[p_1, ..., p_k])``: P(X = i - 1) = p_i on {0, ..., k - 1}."""
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
    "p=[p_1, ..., p_k]")
