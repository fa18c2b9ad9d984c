"""``lambdify(validate=True)``: check parameter values against their constraints first.

Each parameter's constraint comes from the family it belongs to (a parameter passed to a family
as a bare symbol takes that family parameter's constraint, e.g. bernoulli p in [0, 1]), else
from the symbol's sympy assumptions. Joint relations of a family (uniform ``a < b``) are
checked too. A violation raises ``ValueError`` (:class:`InvalidParameter`) naming the parameter.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np
import sympy as sp

from ..errors import InvalidParameter
from ..families.spec import constraint_from_assumptions
from .names import lambdify_safely


def _is_integer(v):
    return np.isfinite(v) & (np.floor(v) == v)


# Vectorised tests by constraint description (see families.spec).
TESTS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "real": lambda v: np.isfinite(v),
    "positive": lambda v: (v > 0) & (v < np.inf),
    "in the open interval (0, 1)": lambda v: (v > 0) & (v < 1),
    "in the closed interval [0, 1]": lambda v: (v >= 0) & (v <= 1),
    "a positive integer": lambda v: _is_integer(v) & (v > 0),
    "nonnegative": lambda v: (v >= 0) & (v < np.inf),
    "negative": lambda v: (v < 0) & (v > -np.inf),
    "a nonnegative integer": lambda v: _is_integer(v) & (v >= 0),
    "an integer": _is_integer,
    "greater than 1": lambda v: (v > 1) & (v < np.inf),  # the Zipf exponent
}


def constraints(derivation) -> tuple[dict, list]:
    """``{symbol: Constraint}`` for every parameter, and the families' joint relations."""
    found: dict = {}
    relations: list = []
    for family in (derivation.p, derivation.q):
        if family is None or not hasattr(family, "spec"):
            continue
        for param, value in zip(family.spec.params, family.values):
            if isinstance(value, sp.Symbol) and value not in found:
                found[value] = param.constraint
        relations.extend(r for r in family.relations() if isinstance(r, sp.Basic)
                         and r not in (sp.true, sp.false) and r.free_symbols)
    for s in derivation.parameters:
        found.setdefault(s, constraint_from_assumptions(s))
    return found, relations


def validating(f: Callable, derivation) -> Callable:
    parameters = tuple(derivation.parameters)
    names = [s.name for s in parameters]
    found, relations = constraints(derivation)
    checks = [(s.name, found[s].description, TESTS.get(found[s].description)) for s in parameters]
    joint = [(r, lambdify_safely(parameters, r, modules="numpy")) for r in relations]
    signature = inspect.signature(f)

    def evaluate(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        values = [bound.arguments[n] for n in names]
        for (name, description, test), value in zip(checks, values):
            v = np.asarray(value, dtype=float)
            if test is not None and not np.all(test(v)):
                bad = v[~test(v)] if v.ndim else v
                raise InvalidParameter(f"{name} must be {description}, got "
                                       f"{float(np.ravel(bad)[0])!r}")
        for relation, test in joint:
            with np.errstate(all="ignore"):
                ok = np.asarray(test(*[np.asarray(v, dtype=float) for v in values]))
            if not np.all(ok):
                culprits = ", ".join(sorted(s.name for s in relation.free_symbols))
                raise InvalidParameter(f"parameters {culprits} must satisfy {relation}")
        return f(*args, **kwargs)

    evaluate.__signature__ = signature
    evaluate.__doc__ = f.__doc__
    evaluate.parameters = parameters
    return evaluate
