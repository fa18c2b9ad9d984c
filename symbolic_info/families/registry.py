"""The family registry: ``family``, ``families``, ``from_density`` and ``register``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import sympy as sp

from ..errors import InvalidParameter, UnknownFamily
from .region import Region
from .spec import Alias, Family, FamilySpec, Param, constraint_from_assumptions
from .validate import checked_density
from .validate_region import checked_region_density

_SPECS: dict[str, FamilySpec] = {}
# Families whose spec depends on the call (categorical: one spec per number of outcomes).
_FACTORIES: dict[str, Callable[..., Family]] = {}
# Their default keyword values for a suffix ("1" for P, "2" for Q), and how they are called.
_FACTORY_DEFAULTS: dict[str, Callable[[str], dict]] = {}
_FACTORY_USAGE: dict[str, str] = {}
# Alternative parameterisations of a registered family, each a spec of its own density.
_PARAMETERISATIONS: dict[str, list[FamilySpec]] = {}


def register(spec: FamilySpec) -> FamilySpec:
    """Add ``spec`` to the registry (replacing a spec of the same name)."""
    _SPECS[spec.name] = spec
    return spec


def register_factory(name: str, factory: Callable[..., Family],
                     defaults: Callable[[str], dict] | None = None, usage: str = "") -> None:
    """Register a family whose spec is built per call (e.g. one per dimension); ``defaults``
    gives symbolic keyword values for a suffix, ``usage`` how it is called."""
    _FACTORIES[name] = factory
    if defaults is not None:
        _FACTORY_DEFAULTS[name] = defaults
    _FACTORY_USAGE[name] = usage


def factory_families() -> list[str]:
    """The families built per call (categorical, the multivariate ones)."""
    return sorted(_FACTORIES)


def default_values(name: str, suffix: str = "") -> dict:
    """Keyword values of a symbolic member of ``name`` (symbols subscripted ``suffix``)."""
    if name in _FACTORIES:
        if name not in _FACTORY_DEFAULTS:
            raise InvalidParameter(f"{name} has no default member; give its parameters")
        return _FACTORY_DEFAULTS[name](suffix)
    return get_spec(name).default_values(suffix)


CATEGORICAL_LETTERS = {1: "p", 2: "q"}  # a default categorical P has p_1.., Q has q_1..
CATEGORICAL_DEFAULT_SIZE = 3


def default_member(name: str, role: int = 1, params: dict | None = None) -> Family:
    """``family(name, **params)`` with the family's conventional symbols, subscripted
    ``role`` (1 for P, 2 for Q), for the parameters not in ``params``: ``default_member(
    "gamma", 2)`` is gamma(shape=alpha_2, rate=beta_2). A categorical without ``p`` has
    three outcomes, probabilities ``p_1, p_2, p_3`` (P) or ``q_1, q_2, q_3`` (Q)."""
    params = dict(params or {})
    if name == "categorical":
        if not params:
            letter = CATEGORICAL_LETTERS.get(role, f"p{role}")
            params = {"p": [f"{letter}_{i}" for i in range(1, CATEGORICAL_DEFAULT_SIZE + 1)]}
        return family(name, **params)
    if name in _FACTORIES:
        return family(name, **(default_values(name, str(role)) | params))
    spec = spec_for(name, params)
    for key, value in params.items():
        if isinstance(value, list):
            raise InvalidParameter(f"{name}: parameter {key} takes one value, not a list")
    return spec.member(**(spec.default_values(str(role), given=params) | params))


def pair(p_name: str, q_name: str | None = None, *, p_params: dict | None = None,
         q_params: dict | None = None) -> tuple[Family, Family]:
    """Two members P and Q with distinct symbols, as the command line makes them: each
    parameter not given takes its family's conventional symbol subscripted 1 (P) or 2 (Q).

    ``pair("normal")`` is (normal(mu_1, sigma_1), normal(mu_2, sigma_2)); ``q_name``
    defaults to ``p_name``. Use it for divergences: ``kl(*pair("gamma"))``.
    """
    return (default_member(p_name, 1, p_params),
            default_member(p_name if q_name is None else q_name, 2, q_params))


def usage(name: str) -> str:
    """How ``name`` is called: its parameter names, or its factory's signature."""
    if name in _FACTORIES:
        return _FACTORY_USAGE.get(name, "")
    return ", ".join(get_spec(name).param_names)


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
    return spec_for(name, params).member(**params)


def spec_for(name: str, params) -> FamilySpec:
    """The spec of ``name`` that takes the keywords ``params``: a registered alternative
    parameterisation when every keyword is one of its parameters and none of the registered
    spec's (``bernoulli`` with ``logits=``), else the registered spec."""
    spec = get_spec(name)
    for alternative in _PARAMETERISATIONS.get(name, ()):
        if params and set(params) <= set(alternative.param_names) \
                and not set(params) & set(spec.param_names):
            return alternative
    return spec


def register_parameterisation(spec: FamilySpec) -> FamilySpec:
    """Another parameterisation of the registered family ``spec.name`` (Bernoulli logits),
    with its own density: ``family(name, **params)`` takes it when every keyword is one of its
    parameters and none of the registered spec's."""
    _PARAMETERISATIONS.setdefault(spec.name, []).append(spec)
    return spec


def parameterisations(name: str) -> tuple[FamilySpec, ...]:
    """The alternative parameterisations registered for ``name``."""
    return tuple(_PARAMETERISATIONS.get(name, ()))


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


def from_density(name: str, density: sp.Expr, variable: sp.Symbol, support: sp.Set, *,
                 relations: Iterable = (), normalize: bool = False) -> Family:
    """Register a user's family and return the member with the user's own symbols.

    ``density`` is a pmf when ``support`` is a ``Range`` (or ``FiniteSet``) and a density when
    it is an ``Interval``. The parameters are the other free symbols (sorted by name); their
    sympy assumptions are their constraints and their names the keyword names. ``relations``
    (e.g. ``[a < c, c < b]``) are inequalities the parameters satisfy jointly, as the uniform
    family's ``a < b``: the samplers, the support arguments, the integration (the order of
    kinks and ends) and the optimisers use them.

    The density must be non-negative on the support with total mass 1
    (:mod:`symbolic_info.families.validate`: symbolically where sympy can, numerically at
    parameter points drawn from the constraints and relations otherwise); if not,
    :class:`InvalidParameter` says what is wrong. With ``normalize=True`` a density of finite
    positive mass ``Z`` is divided by it: by its closed form when sympy derives one (the family
    is then exactly normalised), otherwise by the unevaluated integral (or sum) ``Z``, which is
    exact too but leaves derivations with that integral in them (status ``no_closed_form``,
    evaluated numerically by ``lambdify``).
    """
    if not isinstance(name, str) or not name:
        raise InvalidParameter("a family needs a non-empty name")
    if isinstance(variable, (tuple, list)):
        return _from_region_density(name, density, tuple(variable), support, relations,
                                    normalize)
    if not isinstance(support, (sp.Interval, sp.Range, sp.FiniteSet)):
        raise InvalidParameter(f"support must be a sympy Interval or Range, got {support}")
    density = sp.sympify(density)
    if variable not in density.free_symbols:
        raise InvalidParameter(f"the density does not depend on {variable}")
    symbols = _parameters(density, variable, support)
    stated = _relations(name, relations, variable, symbols)
    spec = _user_spec(name, density, variable, support, symbols, stated)
    checked = checked_density(Family(spec, tuple(symbols)), normalize=normalize)
    if checked is not density:
        symbols = _parameters(checked, variable, support)
        _relations(name, stated, variable, symbols)
        spec = _user_spec(name, checked, variable, support, symbols, stated)
    register(spec)
    return Family(spec, tuple(symbols))


def _from_region_density(name, density, variables, support, relations, normalize) -> Family:
    """A user's density of several variables on a ProductSet of intervals (or a Region)."""
    if isinstance(support, sp.ProductSet):
        sets = list(support.sets)
        if len(sets) != len(variables) or not all(isinstance(s, sp.Interval) for s in sets):
            raise InvalidParameter(f"support must be a ProductSet of {len(variables)} "
                                   f"Intervals, one per variable, got {support}")
        region = Region([(v, s.inf, s.sup) for v, s in zip(variables, sets)])
    elif isinstance(support, Region):
        region = support
    else:
        raise InvalidParameter(f"support of {len(variables)} variables must be a ProductSet "
                               f"of Intervals, got {support}")
    density = sp.sympify(density)
    symbols = sorted((density.free_symbols | region.free_symbols) - set(variables),
                     key=lambda s: s.name)
    stated = _relations(name, relations, variables[0], symbols)

    def spec_of(d):
        params = tuple(Param(s.name, constraint_from_assumptions(s)) for s in symbols)
        return FamilySpec(name=name, params=params, symbols=tuple(symbols), variable=variables,
                          density=d, support=region, relations=tuple(stated), title=name)

    spec = spec_of(density)
    checked = checked_region_density(Family(spec, tuple(symbols)), normalize=normalize)
    if checked is not density:
        spec = spec_of(checked)
    register(spec)
    return Family(spec, tuple(symbols))


def _parameters(density: sp.Expr, variable: sp.Symbol, support: sp.Set) -> list[sp.Symbol]:
    return sorted((density.free_symbols | support.free_symbols) - {variable},
                  key=lambda s: s.name)


def _user_spec(name, density, variable, support, symbols, relations) -> FamilySpec:
    params = tuple(Param(s.name, constraint_from_assumptions(s)) for s in symbols)
    return FamilySpec(name=name, params=params, symbols=tuple(symbols), variable=variable,
                      density=density, support=support, relations=tuple(relations), title=name)


def _relations(name: str, relations: Iterable, variable: sp.Symbol,
               symbols: Sequence[sp.Symbol]) -> tuple[sp.Basic, ...]:
    """The user's relations, checked: inequalities or equalities between the parameters."""
    if isinstance(relations, sp.Basic):
        relations = (relations,)
    out = []
    for relation in relations:
        try:
            relation = sp.sympify(relation)
        except (sp.SympifyError, TypeError) as exc:
            raise InvalidParameter(f"{name}: relation {relation!r} is not a sympy "
                                   "relation") from exc
        if relation == sp.true:
            continue
        if relation == sp.false:
            raise InvalidParameter(f"{name}: the relation is false for every parameter value")
        if not isinstance(relation, sp.core.relational.Relational) or isinstance(
                relation, sp.Ne):
            raise InvalidParameter(f"{name}: relation {relation} is not an inequality "
                                   "(<, <=, >, >=) or an equality between parameters")
        unknown = sorted(relation.free_symbols - set(symbols), key=lambda s: s.name)
        if variable in relation.free_symbols:
            raise InvalidParameter(f"{name}: relation {relation} involves the variable "
                                   f"{variable}; relations are between the parameters")
        if unknown:
            raise InvalidParameter(
                f"{name}: relation {relation} involves {', '.join(map(str, unknown))}, not a "
                "parameter of the density or its support")
        out.append(relation)
    return tuple(out)
