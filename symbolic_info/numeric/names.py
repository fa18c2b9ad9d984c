"""Lambdify without name capture: the arguments become Dummies before sympy prints them."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp


def lambdify_safely(args, expr, **kwargs) -> Callable:
    """``sympy.lambdify`` with the arguments replaced by Dummies first.

    sympy puts the expression's symbols into the generated function's namespace by name, so a
    parameter named ``gamma``, ``beta``, ``pi`` or ``E`` would shadow the function or constant
    of that name (and ``dummify=True`` does not prevent it).
    """
    single = not isinstance(args, (tuple, list))
    symbols = (args,) if single else tuple(args)
    mapping = {s: sp.Dummy(f"a{i}") for i, s in enumerate(symbols)}
    body = sp.sympify(expr).xreplace(mapping)
    dummies = tuple(mapping.values())
    return sp.lambdify(dummies[0] if single else dummies, body, **kwargs)
