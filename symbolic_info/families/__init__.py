"""Family specs and the registry; importing this package registers the built-ins."""

from . import (  # noqa: F401 - registers the built-ins
    continuous,
    continuous_more,
    discrete,
    discrete_more,
    multivariate,
    wishart,
)
from .registry import default_member, families, family, from_density, get_spec, pair, register
from .spec import Constraint, Family, FamilySpec, Param, sample_parameters

BUILTIN_FAMILIES: tuple[str, ...] = tuple(families())  # before any user registers a family

__all__ = ["BUILTIN_FAMILIES", "Constraint", "Family", "FamilySpec", "Param", "default_member",
           "families", "family", "from_density", "get_spec", "pair", "register",
           "sample_parameters"]
