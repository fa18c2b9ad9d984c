r"""Product laws: independent components :math:`X = (X_1, \dots, X_k)`,
:math:`p(x) = \prod_i p_i(x_i)` on the product of the supports.

``independent(P1, ..., Pk)`` takes family members (univariate or multivariate, continuous or
discrete, of the same or different families).  The spec concatenates its factors' parameters
(renamed ``<parameter>_<i>`` in the template, so two normals do not share a template symbol),
variables and limits; its ``factors`` list the factor specs, so derivations can use additivity.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import sympy as sp

from ..errors import InvalidParameter
from .region import Region, Space
from .spec import Family, FamilySpec, Param


@cache
def product_spec(factors: tuple[FamilySpec, ...]) -> FamilySpec:
    params, symbols, relations, density = [], [], [], sp.S.One
    variables, limits = [], []
    for i, spec in enumerate(factors, start=1):
        renamed = {s: sp.Symbol(f"{s.name}_{i}", **s.assumptions0) for s in spec.symbols}
        params += [Param(f"{p.name}_{i}", p.constraint) for p in spec.params]
        symbols += list(renamed.values())
        relations += [sp.sympify(r).xreplace(renamed) for r in spec.relations]
        coordinates = {v: sp.Symbol(f"x_{len(variables) + j}", **v.assumptions0)
                       for j, v in enumerate(spec.variables, start=1)}
        variables += list(coordinates.values())
        mapping = {**renamed, **coordinates}
        density *= spec.density.xreplace(mapping)
        if spec.multivariate:
            limits += [tuple(sp.sympify(e).xreplace(mapping) for e in limit)
                       for limit in spec.support.limits]
        else:
            support = spec.support.xreplace(renamed)
            limits.append((coordinates[spec.variable], support.inf, support.sup))
    discrete = {spec.discrete for spec in factors}

    def sampler(rng: np.random.Generator) -> tuple:
        out: list = []
        for spec in factors:
            if spec.sampler is not None:
                out += list(spec.sampler(rng))
            else:
                out += [p.constraint.sample(rng) for p in spec.params]
        return tuple(out)

    def label(values) -> str:
        return "independent(" + ", ".join(m.label() for m in _split(factors, values)) + ")"

    return FamilySpec(
        name="independent", params=tuple(params), symbols=tuple(symbols),
        variable=tuple(variables), density=density,
        support=Region(limits, discrete=discrete == {True}), relations=tuple(relations),
        title="Product of independent components", sampler=sampler, label=label,
        factors=factors)


def _split(factors: tuple[FamilySpec, ...], values: tuple) -> list[Family]:
    out, start = [], 0
    for spec in factors:
        out.append(Family(spec, tuple(values[start:start + len(spec.params)])))
        start += len(spec.params)
    return out


def product(*members: Family) -> Family:
    """The product law of independent ``members`` (at least two)."""
    if len(members) < 2:
        raise InvalidParameter("independent needs at least two components")
    for i, m in enumerate(members):
        if not isinstance(m, Family):
            raise InvalidParameter(f"component {i} must be a family member, got "
                                   f"{type(m).__name__}")
    spec = product_spec(tuple(m.spec for m in members))
    return Family(spec, tuple(v for m in members for v in m.values))


def mixed(member: Family) -> bool:
    """Whether a product law has both continuous and discrete components."""
    return len({f.discrete for f in member.spec.factors}) > 1


INDEX = sp.Symbol("i", integer=True, positive=True)


@cache
def indexed_product_spec(component: FamilySpec, k: sp.Expr, name: str = "") -> FamilySpec:
    r"""k independent components of one family (k symbolic), the i-th with parameters
    ``base[i]``: :math:`p(x) = \prod_{i=1}^{k} p_1(x_i; \theta_i)`."""
    bases = tuple(sp.IndexedBase(s.name, **s.assumptions0) for s in component.symbols)
    x = sp.IndexedBase("x", **component.variable.assumptions0)
    density = sp.Product(component.density.xreplace(
        {**{s: b[INDEX] for s, b in zip(component.symbols, bases)},
         component.variable: x[INDEX]}), (INDEX, 1, k))

    def label(values) -> str:
        inner = ", ".join(f"{p.name}={v}[i]" for p, v in zip(component.params, values))
        return f"independent({component.name}({inner}) for i = 1..{k})"

    return FamilySpec(name=name or f"{component.name}_product", params=component.params,
                      symbols=bases, variable=x, density=density, support=Space(k),
                      title=f"Product of {k} {component.title} components", label=label,
                      factors=(component,), repeat=(INDEX, k))


def indexed_product(component: FamilySpec, k: sp.Expr, values: tuple,
                    name: str = "") -> Family:
    """The member with IndexedBase ``values`` of the k-fold product of ``component``."""
    if not (isinstance(k, sp.Symbol) and k.is_integer and k.is_positive):
        raise InvalidParameter(f"k must be a positive integer Symbol, got {k!r}")
    for p, v in zip(component.params, values):
        if not isinstance(v, sp.IndexedBase):
            raise InvalidParameter(f"{p.name} must be an IndexedBase (the i-th value "
                                   f"{p.name}[i]), got {v!r}")
    return Family(indexed_product_spec(component, k, name), tuple(values))
