"""Family specs and the registry; importing this package registers the built-ins."""

from . import continuous, discrete, multivariate, wishart  # noqa: F401 - registers the built-ins
from .registry import families, family, from_density, get_spec, register
from .spec import Constraint, Family, FamilySpec, Param, sample_parameters

BUILTIN_FAMILIES: tuple[str, ...] = tuple(families())  # before any user registers a family

__all__ = ["BUILTIN_FAMILIES", "Constraint", "Family", "FamilySpec", "Param", "families", "family",
           "from_density", "get_spec", "register", "sample_parameters"]
