"""The family registry: ``family``, ``families``, ``from_density`` and ``register``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import sympy as sp

from ..errors import InvalidParameter, UnknownFamily
from .spec import Alias, Family, FamilySpec, Param, constraint_from_assumptions

_SPECS: dict[str, FamilySpec] = {}
# Families whose spec depends on the call (categorical: one spec per number of outcomes).
_FACTORIES: dict[str, Callable[..., Family]] = {}


def register(spec: FamilySpec) -> FamilySpec:
    """Add ``spec`` to the registry (replacing a spec of the same name)."""
    _SPECS[spec.name] = spec
    return spec


def register_factory(name: str, factory: Callable[..., Family]) -> None:
    _FACTORIES[name] = factory


def families() -> list[str]:
    """The registered family names, sorted."""
    return sorted(set(_SPECS) | set(_FACTORIES))


def get_spec(name: str) -> FamilySpec:
    try:
        return _SPECS[name]
    except KeyError:
        raise UnknownFamily(f"unknown family {name!r}; known families: "
                            f"{', '.join(families())}") from None


def family(name: str, **params) -> Family:
    """A member of the registered family ``name``.

    Each value is a string (a Symbol of that name with the parameter's constraint as sympy
    assumptions), a sympy expression (used as given) or a number (checked against the
    constraint). Omitted parameters get their own names as symbols.
    """
    if name in _FACTORIES:
        return _FACTORIES[name](**params)
    return get_spec(name).member(**params)


def make_spec(name: str, params: Sequence[Param], variable: sp.Symbol,
              density: Callable[..., sp.Expr], support: Callable[..., sp.Set],
              relations: Callable[..., Iterable] = lambda **_: (),
              aliases: Sequence[Alias] = (), title: str = "", sampler=None) -> FamilySpec:
    """Build a spec from functions of the template symbols (keyword = parameter name)."""
    symbols = {p.name: p.symbol() for p in params}
    return FamilySpec(
        name=name, params=tuple(params), symbols=tuple(symbols.values()), variable=variable,
        density=sp.sympify(density(variable, **symbols)), support=support(**symbols),
        relations=tuple(relations(**symbols)), aliases=tuple(aliases), title=title or name,
        sampler=sampler)


def from_density(name: str, density: sp.Expr, variable: sp.Symbol, support: sp.Set) -> Family:
    """Register a user's family and return the member with the user's own symbols.

    ``density`` is a pmf when ``support`` is a ``Range`` and a density when it is an
    ``Interval``. The parameters are the other free symbols (sorted by name); their sympy
    assumptions are their constraints and their names the keyword names.
    """
    if not isinstance(name, str) or not name:
        raise InvalidParameter("a family needs a non-empty name")
    if not isinstance(support, (sp.Interval, sp.Range, sp.FiniteSet)):
        raise InvalidParameter(f"support must be a sympy Interval or Range, got {support}")
    density = sp.sympify(density)
    if variable not in density.free_symbols:
        raise InvalidParameter(f"the density does not depend on {variable}")
    symbols = sorted((density.free_symbols | support.free_symbols) - {variable},
                     key=lambda s: s.name)
    params = tuple(Param(s.name, constraint_from_assumptions(s)) for s in symbols)
    spec = FamilySpec(name=name, params=params, symbols=tuple(symbols), variable=variable,
                      density=density, support=support, title=name)
    register(spec)
    return Family(spec, tuple(symbols))
