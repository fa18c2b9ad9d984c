r"""Marginal laws of a multivariate family, derived by integrating out coordinates.

:math:`p_A(x_A) = \int p(x_A, x_{\bar A})\,dx_{\bar A}` over the removed coordinates, with the
identities of :mod:`symbolic_info.multiple` (for the normal the Gaussian integral, whose
result is the normal with the blocks :math:`\mu_A`, :math:`\Sigma_{AA}`; for the Dirichlet the
Beta integral, aggregating the removed components).  The marginal is a family spec like any
other (the parameters are the joint's), so every builder applies to it; a marginal on one
coordinate is univariate.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from ..errors import InvalidParameter, NoRule
from ..families.region import Region
from ..families.spec import Family, FamilySpec
from ..multiple import integrate_region


def check_indices(p: Family, indices, role: str) -> tuple[int, ...]:
    """0-based coordinate indices, as numpy counts, checked against P's dimension."""
    if isinstance(indices, int):
        indices = (indices,)
    try:
        out = tuple(int(i) for i in indices)
    except (TypeError, ValueError):
        raise InvalidParameter(f"{role} must be a list of coordinate indices, got "
                               f"{indices!r}") from None
    k = p.dimension
    bad = [i for i in out if not 0 <= i < k]
    if bad or not out or len(set(out)) != len(out):
        raise InvalidParameter(f"{role} must be distinct coordinate indices in 0..{k - 1} "
                               f"(0-based, {p.label()} has {k} coordinates), got {list(out)}")
    return out


@cache
def marginal_spec(spec: FamilySpec, keep: tuple[int, ...]) -> FamilySpec:
    """The spec of the marginal law of the coordinates ``keep`` (sorted)."""
    region = spec.support
    order = list(keep) + [i for i in range(region.dimension) if i not in keep]
    limits = region.limits
    if _depends(limits, keep):  # iterate the kept coordinates first, where the set allows
        swapped = region.reordered(order)
        if swapped is None:
            raise NoRule(f"the marginal of {spec.name} on coordinates {list(keep)}: the range "
                         "of a kept coordinate depends on one integrated out")
        limits = swapped.limits
        keep = tuple(range(len(keep)))
    kept = [limits[i] for i in keep]
    removed = [limit for i, limit in enumerate(limits) if i not in keep]
    density = integrate_region(spec.density, Region(removed, discrete=spec.discrete))
    if density.has(sp.Integral, sp.Sum):
        raise NoRule(f"the marginal density of {spec.name} on coordinates {list(keep)} has no "
                     "closed form")
    density = sp.powsimp(density.replace(
        lambda e: isinstance(e, sp.exp), lambda e: sp.exp(sp.factor_terms(sp.cancel(e.args[0])))))
    if len(kept) == 1:
        x, lo, hi = kept[0]
        variable, support = x, (sp.Range(lo, hi + 1) if spec.discrete else sp.Interval(lo, hi))
    else:
        variable, support = tuple(limit[0] for limit in kept), Region(kept, spec.discrete)
    shown = ", ".join(str(i) for i in keep)
    return FamilySpec(
        name=f"{spec.name}_marginal_{'_'.join(map(str, keep))}", params=spec.params,
        symbols=spec.symbols, variable=variable, density=density, support=support,
        relations=spec.relations, title=f"{spec.title}, marginal of coordinates {shown}",
        sampler=spec.sampler,
        label=lambda values: f"{Family(spec, values).label()}[{shown}]")


def _depends(limits, keep) -> bool:
    gone = {limit[0] for i, limit in enumerate(limits) if i not in keep}
    return any((sp.sympify(lo).free_symbols | sp.sympify(hi).free_symbols) & gone
               for i, (_, lo, hi) in enumerate(limits) if i in keep)


def marginal(p: Family, keep) -> Family:
    """The marginal law of P on the coordinates ``keep`` (0-based); P itself for all."""
    keep = tuple(sorted(check_indices(p, keep, "coordinates")))
    if keep == tuple(range(p.dimension)):
        return p
    return Family(marginal_spec(p.spec, keep), p.values)
