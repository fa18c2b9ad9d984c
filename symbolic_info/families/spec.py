"""Declarative family specs: parameters with constraints, a support, and a density or pmf.

A :class:`FamilySpec` is a template: its density is a sympy expression in template symbols
(one per parameter, carrying the parameter's constraint as sympy assumptions).  A
:class:`Family` is a member of a spec: the template symbols replaced by the user's values.
Built-in families and ``from_density`` families are the same kind of object.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import sympy as sp

from ..errors import InvalidParameter
from .region import Region, Space


@dataclass(frozen=True)
class Constraint:
    """The set of valid values of one parameter.

    ``assumptions`` are given to the sympy Symbol standing for the parameter; ``holds``
    decides a concrete value (``None`` when undecidable); ``sample`` draws a valid value.
    """

    description: str
    assumptions: tuple[tuple[str, bool], ...]
    holds: Callable[[sp.Expr], bool | None]
    sample: Callable[[np.random.Generator], float]

    @property
    def assumption_dict(self) -> dict[str, bool]:
        return dict(self.assumptions)


def _decide(value: sp.Expr, test) -> bool | None:
    try:
        result = test(value)
    except TypeError:
        return None
    return bool(result) if result in (True, False, sp.true, sp.false) else None


REAL = Constraint("real", (("real", True),), lambda v: v.is_extended_real and v.is_finite,
                  lambda rng: float(rng.uniform(-2.0, 2.0)))
POSITIVE = Constraint("positive", (("positive", True),), lambda v: v.is_positive,
                      lambda rng: float(rng.uniform(0.5, 3.0)))
UNIT_INTERVAL = Constraint(
    "in the open interval (0, 1)", (("positive", True),),
    lambda v: _decide(v, lambda u: sp.And(u > 0, u < 1)) if v.is_number else v.is_positive,
    lambda rng: float(rng.uniform(0.05, 0.95)))
PROBABILITY = Constraint(
    "in the closed interval [0, 1]", (("nonnegative", True),),
    lambda v: _decide(v, lambda u: sp.And(u >= 0, u <= 1)) if v.is_number else v.is_nonnegative,
    lambda rng: float(rng.uniform(0.05, 0.95)))
POSITIVE_INTEGER = Constraint("a positive integer", (("integer", True), ("positive", True)),
                              lambda v: v.is_integer and v.is_positive,
                              lambda rng: int(rng.integers(1, 8)))
NONNEGATIVE = Constraint("nonnegative", (("nonnegative", True),), lambda v: v.is_nonnegative,
                         lambda rng: float(rng.uniform(0.0, 3.0)))
NEGATIVE = Constraint("negative", (("negative", True),), lambda v: v.is_negative,
                      lambda rng: float(rng.uniform(-3.0, -0.5)))
NONNEGATIVE_INTEGER = Constraint("a nonnegative integer",
                                 (("integer", True), ("nonnegative", True)),
                                 lambda v: v.is_integer and v.is_nonnegative,
                                 lambda rng: int(rng.integers(0, 8)))
INTEGER = Constraint("an integer", (("integer", True),), lambda v: v.is_integer,
                     lambda rng: int(rng.integers(-4, 5)))


def constraint_from_assumptions(symbol: sp.Symbol) -> Constraint:
    """The constraint a user's symbol states through its sympy assumptions."""
    if symbol.is_integer:
        if symbol.is_positive:
            return POSITIVE_INTEGER
        if symbol.is_nonnegative:
            return NONNEGATIVE_INTEGER
        return INTEGER
    if symbol.is_positive:
        return POSITIVE
    if symbol.is_nonnegative:
        return NONNEGATIVE
    if symbol.is_negative:
        return NEGATIVE
    return REAL


@dataclass(frozen=True)
class Param:
    """One parameter of a family: its keyword name, its constraint and its conventional
    symbol (``notation``: the name of the symbol a member takes when the parameter is not
    given, ``alpha`` for the gamma ``shape``, printed :math:`\\alpha`; the keyword name when
    empty)."""

    name: str
    constraint: Constraint
    notation: str = ""

    def symbol(self, name: str | None = None) -> sp.Symbol:
        return sp.Symbol(name or self.name, **self.constraint.assumption_dict)

    @property
    def default_symbol(self) -> str:
        """The name of the symbol standing for this parameter when it is not given."""
        return self.notation or self.name


@dataclass(frozen=True)
class Alias:
    """An alternative keyword for a parameter: ``target = transform(value)`` (gamma ``scale``).

    ``notation`` is the alias's conventional symbol (``theta`` for a scale) and ``defaults``
    the conventional symbols of the other parameters in that parameterisation (the gamma
    shape is ``k`` next to a scale ``theta``, ``alpha`` next to a rate ``beta``): parameters
    not given take these when the alias is given.
    """

    name: str
    target: str
    transform: Callable[[sp.Expr], sp.Expr]
    notation: str = ""
    defaults: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class FamilySpec:
    """A parametric family: a density (or pmf, when the support is a ``Range``) in template
    symbols, its support, and relations the parameters must satisfy jointly (e.g. ``a < b``).

    A multivariate family has a tuple of variables and a :class:`Region` as its support;
    ``label`` (if given) prints a member from its parameter values (``mu=[...], cov=[[...]]``);
    ``draw(values, rng, n)`` (if given) draws n variates (rows of coordinates) at numeric
    parameter values (by parameter name), for Monte Carlo checks;
    a product law lists its ``factors`` (the specs of its independent components, whose
    parameters and variables it concatenates in order).
    """

    name: str
    params: tuple[Param, ...]
    symbols: tuple[sp.Symbol, ...]
    variable: sp.Symbol | tuple[sp.Symbol, ...]
    density: sp.Expr
    support: sp.Set | Region
    relations: tuple[sp.Basic, ...] = ()
    aliases: tuple[Alias, ...] = ()
    title: str = ""
    sampler: Callable[[np.random.Generator], tuple[float, ...]] | None = None
    label: Callable[[tuple], str] | None = field(default=None, compare=False)
    factors: tuple[FamilySpec, ...] = ()
    # a product of k components of one spec (k symbolic): (index, k); values IndexedBases
    repeat: tuple[sp.Symbol, sp.Expr] | None = None
    # coordinates implied by the variables (a multinomial's n_k = n - Σ n_i): two laws give a
    # point the same outcome only where these agree too
    implicit: tuple[sp.Expr, ...] = ()
    # the relations are stated as conditions of every result (a covariance's positive
    # definiteness in its entries), not only used by the samplers
    relations_are_conditions: bool = False
    draw: Callable[[dict, np.random.Generator, int], np.ndarray] | None = field(
        default=None, compare=False)

    @property
    def discrete(self) -> bool:
        if isinstance(self.support, Region):
            return self.support.discrete
        return isinstance(self.support, (sp.Range, sp.FiniteSet))

    @property
    def multivariate(self) -> bool:
        return isinstance(self.support, Region)

    @property
    def matrix(self) -> bool:
        """Of symbolic dimension: matrix-symbol parameters and variable, support R^k."""
        return isinstance(self.support, Space)

    @property
    def variables(self) -> tuple[sp.Symbol, ...]:
        return self.variable if isinstance(self.variable, tuple) else (self.variable,)

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def default_values(self, suffix: str = "", given=()) -> dict[str, str]:
        """The conventional symbol names of the parameters not in ``given`` (keyword names),
        subscripted ``suffix``: ``{'shape': 'alpha_1', 'rate': 'beta_1'}`` for gamma and
        suffix '1'. An alias in ``given`` (gamma ``scale``) stands for its target and brings
        its parameterisation's symbols (shape ``k``)."""
        names = {p.name: p.default_symbol for p in self.params}
        for alias in self.aliases:
            if alias.name in given:
                names.pop(alias.target, None)
                names.update((k, v) for k, v in alias.defaults if k in names)
        return {k: f"{v}_{suffix}" if suffix else v for k, v in names.items()
                if k not in given}

    def member(self, **values) -> Family:
        """The member with the given parameter values (see :func:`symbolic_info.family`)."""
        known = self.param_names + tuple(a.name for a in self.aliases)
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise InvalidParameter(
                f"{self.name} has no parameter {', '.join(map(repr, unknown))}; "
                f"its parameters are {', '.join(known)}")
        given_aliases = {a.name for a in self.aliases if a.name in values}
        for alias in self.aliases:
            if alias.name in values:
                if alias.target in values:
                    raise InvalidParameter(
                        f"{self.name}: give {alias.target} or {alias.name}, not both")
                param = self.params[self.param_names.index(alias.target)]
                raw = _as_value(Param(alias.name, param.constraint), values.pop(alias.name))
                values[alias.target] = alias.transform(raw)
        defaults = self.default_values(given=set(values) | given_aliases)
        values.update(defaults)
        converted = tuple(_as_value(p, values[p.name]) for p in self.params)
        member = Family(self, converted, defaulted=frozenset(defaults))
        member.check_relations()
        return member


def _as_value(param: Param, value) -> sp.Expr:
    """A user's parameter value as a sympy expression, checked against the constraint."""
    if isinstance(value, str):
        return param.symbol(value)
    original = value
    if isinstance(value, float) and np.isfinite(value):
        value = sp.Rational(repr(value))  # 0.9 means 9/10: keep concrete values exact
    try:
        expr = sp.sympify(value, strict=True) if not isinstance(value, sp.Basic) else value
    except (sp.SympifyError, TypeError) as exc:
        raise InvalidParameter(f"{param.name} must be {param.constraint.description}, "
                               f"got {value!r}") from exc
    if expr.free_symbols:
        verdict = param.constraint.holds(expr)
        if verdict is False:
            raise InvalidParameter(
                f"{param.name} must be {param.constraint.description}, got {expr}")
        return expr
    if param.constraint.holds(expr) is not True:
        raise InvalidParameter(f"{param.name} must be {param.constraint.description}, "
                               f"got {original}")
    return expr


@dataclass(frozen=True)
class Family:
    """A member of a family: a spec with its parameter values substituted."""

    spec: FamilySpec
    values: tuple[sp.Expr, ...]
    _cache: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    # the parameters that took their default symbols (not given by the user)
    defaulted: frozenset = field(default=frozenset(), compare=False, hash=False, repr=False)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def discrete(self) -> bool:
        return self.spec.discrete

    @cached_property
    def substitution(self) -> Mapping[sp.Symbol, sp.Expr]:
        return dict(zip(self.spec.symbols, self.values))

    @property
    def params(self) -> dict[str, sp.Expr]:
        return dict(zip(self.spec.param_names, self.values))

    @cached_property
    def parameters(self) -> tuple[sp.Symbol, ...]:
        """The free symbols of the parameter values, in the order of the family's parameters."""
        return symbols_in_order(self.values)

    @property
    def variable(self) -> sp.Symbol | tuple[sp.Symbol, ...]:
        return self.spec.variable

    @property
    def variables(self) -> tuple[sp.Symbol, ...]:
        return self.spec.variables

    @property
    def multivariate(self) -> bool:
        return self.spec.multivariate

    @property
    def matrix(self) -> bool:
        return self.spec.matrix

    @property
    def dimension(self) -> int:
        return len(self.spec.variables)

    def factors(self) -> tuple[Family, ...]:
        """The independent components of a product law (empty for any other family); for a
        product of k components of one family, the i-th component (values ``base[i]``)."""
        if self.spec.repeat is not None:
            index, _ = self.spec.repeat
            return (Family(self.spec.factors[0], tuple(v[index] for v in self.values)),)
        out, start = [], 0
        for spec in self.spec.factors:
            out.append(Family(spec, self.values[start:start + len(spec.params)]))
            start += len(spec.params)
        return tuple(out)

    @cached_property
    def density(self) -> sp.Expr:
        """The density in the spec's variable (for display: a parameter value that is that
        very symbol would be captured; the engine uses :meth:`density_at` with a Dummy)."""
        return self.density_at(self.spec.variable)

    @cached_property
    def support(self) -> sp.Set:
        return self.spec.support.xreplace(self.substitution)

    def density_at(self, x) -> sp.Expr:
        """The density (pmf) at ``x`` (a tuple for a multivariate family): the variables and
        the parameters replaced at once, so a parameter value named like a variable is never
        captured by it."""
        points = x if isinstance(x, tuple) else (x,)
        return self.spec.density.xreplace({**self.substitution,
                                           **dict(zip(self.spec.variables, points))})

    def implicit_at(self, x) -> tuple[sp.Expr, ...]:
        """The implied coordinates at ``x`` (a tuple of the variables' values)."""
        mapping = {**self.substitution, **dict(zip(self.spec.variables, x))}
        return tuple(sp.sympify(e).xreplace(mapping) for e in self.spec.implicit)

    def support_at(self, x) -> sp.Set | Region:
        """The support in the coordinates ``x`` (matters for a multivariate region, whose
        inner ends are functions of the outer coordinates)."""
        if not self.multivariate:
            return self.support
        return self.spec.support.xreplace({**self.substitution,
                                           **dict(zip(self.spec.variables, x))})

    def relations(self) -> tuple[sp.Basic, ...]:
        return tuple(sp.sympify(r).xreplace(self.substitution) for r in self.spec.relations)

    def check_relations(self) -> None:
        for template, relation in zip(self.spec.relations, self.relations()):
            if relation is sp.false or relation == sp.false:
                raise InvalidParameter(f"{self.name}: parameters must satisfy {template}")

    def label(self) -> str:
        if self.spec.label is not None:
            return self.spec.label(self.values)
        inner = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.name}({inner})"

    def __repr__(self) -> str:
        return f"Family<{self.label()}>"

    def __str__(self) -> str:
        return self.label()


def warn_if_same_by_default(p, q) -> None:
    """Warn (``UserWarning``) when P and Q are one distribution only because both took the
    same default symbols (``si.kl(si.family("normal"), si.family("normal"))`` is 0): the
    warning says how to get distinct members. Passing one member twice is not warned about."""
    if p is q or not isinstance(p, Family) or not isinstance(q, Family):
        return
    if p.spec != q.spec or p.values != q.values:
        return
    shared = [n for n in p.spec.param_names if n in p.defaulted and n in q.defaulted]
    if not shared:
        return
    name, values = p.spec.name, p.params
    took = ", ".join(f"{n}={values[n]}" for n in shared)
    subscripted = p.spec.default_values("2")
    example = ", ".join(f"{n}={subscripted[n]!r}" for n in shared if n in subscripted)
    warnings.warn(
        f"P and Q are the same member {p.label()} only because both took the default "
        f"symbols ({took}); for two distinct members use symbolic_info.pair({name!r}, "
        f"{name!r}) (symbols subscripted 1 and 2) or name the parameters, e.g. "
        f"symbolic_info.family({name!r}, {example})",
        UserWarning, stacklevel=_caller_stacklevel())


def _caller_stacklevel() -> int:
    """The ``stacklevel`` of the first frame outside this package (the user's call)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def symbols_in_order(values) -> tuple[sp.Symbol, ...]:
    """The free symbols of ``values`` by first appearance (by name within one value)."""
    seen: list[sp.Symbol] = []
    for value in values:
        for s in sorted(value.free_symbols, key=lambda s: s.name):
            if s not in seen:
                seen.append(s)
    return tuple(seen)


def known_size(support) -> int | None:
    """The number of points of a discrete support when it is a known finite number (a
    ``FiniteSet``, or a ``Range`` with numeric ends), else None. A ``FiniteSet`` has no
    ``.size``; the engine asks this instead of ``support.size``."""
    if isinstance(support, sp.FiniteSet):
        return len(support)
    if isinstance(support, sp.Range) and support.size.is_number and support.size.is_finite:
        return int(support.size)
    return None


def sample_parameters(family: Family, rng: np.random.Generator, tries: int = 200) -> dict:
    """Random valid numeric values for the free symbols of ``family``'s parameters.

    Parameters whose value is a bare symbol are drawn from the family's constraint and must
    satisfy its relations and leave the support non-empty; other symbols from their assumptions.
    """
    spec = family.spec
    for _ in range(tries):
        point: dict[sp.Symbol, float] = {}
        if spec.sampler is not None:
            template = dict(zip(spec.symbols, spec.sampler(rng)))
        else:
            template = {s: p.constraint.sample(rng) for s, p in zip(spec.symbols, spec.params)}
        for symbol, value in zip(spec.symbols, family.values):
            if isinstance(value, sp.Symbol):
                point[value] = template[symbol]
        for value in family.values:
            for s in value.free_symbols - set(point):
                point[s] = constraint_from_assumptions(s).sample(rng)
        exact = {k: sp.Rational(v) if isinstance(v, float) else sp.sympify(v)
                 for k, v in point.items()}
        values = {s: v.xreplace(exact) for s, v in zip(spec.symbols, family.values)}
        values = {s: sp.Rational(v) if isinstance(v, float) else sp.sympify(v)
                  for s, v in values.items()}
        if all(bool(sp.sympify(r).xreplace(values)) for r in spec.relations) and _nonempty(
                spec.support.xreplace(values)):
            return point
    raise InvalidParameter(f"could not draw valid parameters for {family.label()}")


def sample_members(members, rng: np.random.Generator) -> dict:
    """Random valid values for the free symbols of several members at once (a symbol shared
    by two members gets the value drawn for the first); :class:`InvalidParameter` if none."""
    point: dict = {}
    for member in members:
        point.update({s: v for s, v in sample_parameters(member, rng).items()
                      if s not in point})
    return point


def _nonempty(support: sp.Set | Region) -> bool:
    if isinstance(support, (Region, Space)):
        return True
    if support is sp.S.EmptySet:  # Interval(a, b) at a point where b < a
        return False
    try:
        return support.inf < support.sup
    except TypeError:
        return True
