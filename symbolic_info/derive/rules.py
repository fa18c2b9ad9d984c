"""Pairwise rules, keyed by the two family names, with most-specific-match dispatch.

The default rule decides absolute continuity from the supports; a pair registers its own rule
(as ``torch.distributions.kl.register_kl`` does) only where the supports do not tell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from ..budget import run_limited
from ..errors import BudgetExceeded, NoRule
from ..families.relations import pin
from ..families.spec import Family, known_size
from ..families.wishart import SPDCone

ANY = "*"
SIMPLIFY_CAP = 2.0  # CPU seconds to tidy a support condition (ends of Max/Min can be slow)


@dataclass(frozen=True)
class SupportVerdict:
    """Where P is absolutely continuous w.r.t. Q: ``condition`` (true, false or a relation)."""

    condition: sp.Basic
    note: str


class RuleRegistry:
    """Rules keyed by (P family, Q family); ``"*"`` matches any family, exact names win."""

    def __init__(self) -> None:
        self._rules: dict[tuple[str, str, str], Callable] = {}

    def register(self, kind: str, p: str = ANY, q: str = ANY):
        def decorate(fn):
            self._rules[(kind, p, q)] = fn
            return fn
        return decorate

    def lookup(self, kind: str, p: str, q: str) -> Callable:
        for key in ((kind, p, q), (kind, p, ANY), (kind, ANY, q), (kind, ANY, ANY)):
            if key in self._rules:
                return self._rules[key]
        raise NoRule(f"no {kind} rule for the pair ({p}, {q})")

    def keys(self) -> list[tuple[str, str, str]]:
        return sorted(self._rules)

    def support(self, p: Family, q: Family) -> SupportVerdict:
        return self.lookup("support", p.name, q.name)(p, q)


RULES = RuleRegistry()


def _sample_space(f: Family) -> str:
    if isinstance(f.support, SPDCone):
        return f"symmetric positive definite matrices ({f.support})"
    return "numbers or vectors"


def different_spaces(p: Family, q: Family) -> SupportVerdict | None:
    """A law of matrices (the SPD cone) against one of numbers or vectors, or of matrices of
    another size: P and Q live on different spaces, P ≪ Q fails (None when they do not)."""
    cones = [isinstance(f.support, SPDCone) for f in (p, q)]
    if not any(cones) or (all(cones) and p.support == q.support):
        return None
    return SupportVerdict(sp.false, f"P is a law of {_sample_space(p)} and Q of "
                                    f"{_sample_space(q)}: P is not absolutely continuous "
                                    "w.r.t. Q, the quantity is infinite")


@RULES.register("support")
def support_containment(p: Family, q: Family) -> SupportVerdict:
    """P ≪ Q needs supp P ⊆ supp Q; for intervals and ranges, compare the ends (under the
    relations of P's and Q's parameters, e.g. c < b)."""
    sp_, sq = p.support, q.support
    if p.multivariate or q.multivariate:
        return _region_containment(p, q)
    if p.discrete != q.discrete:
        kinds = ("a pmf", "a density") if p.discrete else ("a density", "a pmf")
        return SupportVerdict(sp.false, f"P has {kinds[0]} and Q {kinds[1]}: P is not "
                                        "absolutely continuous w.r.t. Q, the quantity is infinite")
    condition = sp.And(sp.Le(sq.inf, sp_.inf), sp.Le(sp_.sup, sq.sup))
    if p.discrete and not isinstance(sq, sp.Range):
        condition = sp.And(condition, *[sp.Contains(k, sq) for k in sp_]) \
            if known_size(sp_) is not None else condition
    # the families' relations (a < c < b) decide comparisons of the ends they imply
    condition = pin(p.relations() + q.relations()).reduce(condition)
    if condition not in (sp.true, sp.false):
        try:
            condition = run_limited(sp.simplify, SIMPLIFY_CAP, condition)
        except BudgetExceeded:
            pass  # the comparison of the ends as it stands
    text = f"supp P = {sp_}, supp Q = {sq}"
    if condition == sp.true:
        return SupportVerdict(sp.true, f"{text}: supp P ⊆ supp Q")
    if condition == sp.false:
        return SupportVerdict(sp.false, f"{text}: supp P ⊄ supp Q, so P is not absolutely "
                                        "continuous w.r.t. Q and the quantity is infinite")
    return SupportVerdict(condition, f"{text}: supp P ⊆ supp Q exactly when {condition}")


def _region_containment(p: Family, q: Family) -> SupportVerdict:
    """Regions: the same region (in shared coordinates) is contained in itself; R^k contains
    every k-dimensional continuous region."""
    if p.dimension != q.dimension or p.discrete != q.discrete:
        return SupportVerdict(sp.false, f"P lives on {p.dimension} coordinates "
                              f"({'discrete' if p.discrete else 'continuous'}) and Q on "
                              f"{q.dimension} ({'discrete' if q.discrete else 'continuous'}): "
                              "the quantity is infinite")
    xs = tuple(sp.Dummy(f"x_{i}") for i in range(1, p.dimension + 1))
    region_p = p.support_at(xs) if p.multivariate else None
    region_q = q.support_at(xs) if q.multivariate else None
    text = f"supp P = {region_p}, supp Q = {region_q}"
    if region_p == region_q or (region_q is not None and region_q.is_whole_space()):
        return SupportVerdict(sp.true, f"{text}: supp P ⊆ supp Q")
    if region_p is not None and region_q is not None and not p.discrete \
            and region_p.is_whole_space():
        # a finite limit of Q's region leaves an open set outside it, where P's density is > 0
        return SupportVerdict(sp.false, f"{text}: supp P is all of R^{p.dimension} and supp Q "
                                        "has a finite limit, so P puts positive probability "
                                        "outside supp Q and the quantity is infinite")
    raise NoRule(f"no support rule for the pair ({p.name}, {q.name}): the regions "
                 f"{region_p} and {region_q} differ")


@RULES.register("support", "multinomial", "multinomial")
def multinomial_containment(p: Family, q: Family) -> SupportVerdict:
    """The counts of a multinomial sum to its n: in the coordinates n_1..n_{k-1} the regions
    nest when n_P <= n_Q, but as laws of all k counts the supports are disjoint unless
    n_P = n_Q (the last count n - Σ n_i differs)."""
    n_p, n_q = p.params["n"], q.params["n"]
    if p.dimension != q.dimension:
        return SupportVerdict(sp.false, "P and Q count different numbers of outcomes: the "
                                        "quantity is infinite")
    condition = sp.Eq(n_p, n_q)
    if condition in (sp.true, sp.false):
        return SupportVerdict(condition, f"the counts sum to n = {n_p} under P and {n_q} "
                                         f"under Q: supp P {'⊆' if condition else '⊄'} supp Q")
    return SupportVerdict(condition, f"the counts sum to {n_p} under P and to {n_q} under Q: "
                                     f"supp P ⊆ supp Q exactly when {condition}")
