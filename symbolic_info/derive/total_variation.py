r"""Total variation distance, derived from the crossing points of the two densities.

.. math::
    \delta(P, Q) = \tfrac12 \int |p - q| = \sup_A\, \bigl(P(A) - Q(A)\bigr)
    = \tfrac12 \sum_i \bigl|G(t_{i+1}) - G(t_i)\bigr|,\qquad G = F_P - F_Q,

where :math:`t_0 = -\infty < t_1 < \dots < t_n < t_{n+1} = \infty` are the points where
:math:`p - q` may change sign: the crossing points (roots of :math:`\log p = \log q`, solved by
sympy, one equation per sign pattern of the ``Abs`` terms in x) and the finite ends of both
supports.  Between two such points :math:`p - q` keeps its sign, so the integral of
:math:`|p - q|` over a piece is :math:`|\Delta F_P - \Delta F_Q|`; :math:`G(\pm\infty) = 0`.
For pmfs the points are :math:`\lfloor t \rfloor` and :math:`F(k) = P(X \le k)`.

The order of symbolic points is read at random valid parameter points: each order seen
(an *arrangement*) gives a case whose condition is that order; several cases give a
``Piecewise`` ending in the unevaluated definition.  With at most two points, none a
support end, the sum is symmetric in them and their order is immaterial.  The CDFs are
derived with :func:`~symbolic_info.integration.integrate_split` (``summation`` for pmfs); a
CDF or crossing equation sympy cannot do leaves the status ``no_closed_form``, a budget that
runs out ``timed_out``.  Finite supports of known size are summed point by point, a pmf
against a density is at distance 1.  TV has no logarithm: ``base`` must be ``None``.

The helpers here (arrangements, CDFs on pieces, numeric evaluation of an integral over the
union of supports) are shared with :mod:`.jensen_shannon`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import product

import mpmath
import numpy as np
import sympy as sp
from scipy import integrate

from ..budget import Budget
from ..errors import BudgetExceeded, InvalidParameter, NoRule, SymbolicInfoError
from ..families.relations import pin
from ..families.spec import Family, known_size, sample_members, warn_if_same_by_default
from ..integration import integrate_split
from .derivation import Derivation, Step, StepKind
from .memo import remembered

SAMPLES = 48  # random parameter points that decide the arrangements of symbolic points
MAX_ABS = 3  # Abs terms in x: 2**MAX_ABS sign patterns, each solved for the crossings
TOLERANCE = 1e-6  # numeric check, relative to max(1, |reference|)


# ------------------------------------------------------------------- shared helpers


def check_pair(quantity: str, p: Family, q: Family, timeout: float) -> None:
    """Both members univariate families, a positive timeout."""
    for role, m in (("P", p), ("Q", q)):
        if not isinstance(m, Family):
            raise InvalidParameter(f"{role} must be a Family (from symbolic_info.family), "
                                   f"got {type(m).__name__}")
        if m.multivariate or m.matrix:
            raise NoRule(f"{quantity} is derived for univariate families; {m.label()} is not")
    warn_if_same_by_default(p, q)
    if not (isinstance(timeout, (int, float)) and timeout > 0):
        raise InvalidParameter(f"timeout must be a positive number of seconds, got {timeout}")


def parameters_of(p: Family, q: Family) -> tuple[sp.Symbol, ...]:
    """P's parameters, then Q's new ones."""
    return tuple(dict.fromkeys(p.parameters + q.parameters))


def draw_point(p: Family, q: Family, rng: np.random.Generator) -> dict:
    """Random valid values (sympy numbers) of the parameters of P and Q."""
    point = sample_members((p, q), rng)
    return {k: sp.Float(v, 20) if isinstance(v, float) else sp.sympify(v)
            for k, v in point.items()}


def ends(m: Family) -> tuple[sp.Expr, sp.Expr]:
    """The support's ends; for a pmf (lo - 1, hi): F(lo - 1) = 0, F(hi) = 1."""
    lo, hi = m.support.inf, m.support.sup
    return (lo - 1, hi) if m.discrete else (lo, hi)


def finite_size(m: Family) -> bool:
    """A pmf on a finite support of known size."""
    return bool(m.discrete and known_size(m.support) is not None)


@dataclass(frozen=True)
class Arrangement:
    """An order of the partition points seen at random parameters, and its condition."""

    order: tuple[sp.Expr, ...]
    condition: sp.Basic


def arrangements(points: Sequence[sp.Expr], values: Sequence[sp.Expr], p: Family, q: Family,
                 rng: np.random.Generator, floors: frozenset = frozenset(),
                 unordered: bool = False, samples: int = SAMPLES) -> list[Arrangement]:
    """The orders of ``points`` seen at ``samples`` random parameter points, most frequent
    first.  ``values`` are what is evaluated (complex, so a root may turn out not real; the
    floor of the real part is taken at the indices in ``floors``); a point whose value is not
    real at a sample is left out there, and ties keep the order of ``points``.  The condition
    of an order is the chain ``t_1 <= t_2 <= ...`` without the links the members' relations
    decide (no links when ``unordered``), and, where the points left out differ between
    orders, which points are real."""
    symbols = sorted(set().union(*(sp.sympify(v).free_symbols for v in values)) if values
                     else set(), key=sp.default_sort_key)
    f = sp.lambdify(symbols, list(values), modules=["scipy", "numpy"])
    seen: dict[tuple, int] = {}
    draws = samples if symbols else 1
    for _ in range(draws):
        point = draw_point(p, q, rng) if symbols else {}
        args = [complex(point[s]) for s in symbols]
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                numbers = [complex(v) for v in f(*args)]
            except (ValueError, TypeError, ZeroDivisionError, OverflowError):
                continue
        kept = [(np.floor(n.real) if i in floors else n.real, i)
                for i, n in enumerate(numbers)
                if np.isfinite(n.real) and abs(n.imag) <= 1e-9 * max(1.0, abs(n.real))]
        order = tuple(i for _, i in sorted(kept))
        seen[order] = seen.get(order, 0) + 1
    pinning = pin(p.relations() + q.relations())
    out = []
    partial = len({frozenset(o) for o in seen}) > 1
    for order, _ in sorted(seen.items(), key=lambda kv: -kv[1]):
        links = []
        if partial:
            links += [real(values[i]) if i in order else ~real(values[i])
                      for i in range(len(points)) if real(values[i]) != sp.true]
        for i, j in zip(order, order[1:]):
            if unordered:
                continue
            link = sp.Le(points[i], points[j])
            if link == sp.true or (points[j] - points[i]).is_nonnegative:
                continue
            if pinning.decide(link) == sp.true:
                continue
            links.append(link)
        out.append(Arrangement(tuple(points[i] for i in order), sp.And(*links)))
    return out


def real(value: sp.Expr) -> sp.Basic:
    """A condition for ``value`` to be real: its square roots' radicands are nonnegative."""
    radicands = [b.base for b in value.atoms(sp.Pow)
                 if b.exp in (sp.S.Half, -sp.S.Half) and not b.base.is_nonnegative]
    if radicands:
        return sp.And(*(r >= 0 for r in radicands))
    return sp.true if value.is_real else sp.Eq(sp.im(value), 0)


@dataclass(frozen=True)
class CDF:
    """``value`` = P(X <= X_) for X_ (``at``) inside the support; ``closed`` if no
    Integral or Sum is left."""

    member: Family
    at: sp.Symbol
    value: sp.Expr
    closed: bool

    def on(self, order: Sequence[sp.Expr], i: int) -> sp.Expr:
        """F at ``order[i]``: 0 at or before the lower end, 1 at or after the upper end (by
        position in the arrangement), the derived CDF between."""
        lo, hi = ends(self.member)
        if lo in order and order.index(lo) >= i:
            return sp.S.Zero
        if hi in order and order.index(hi) <= i:
            return sp.S.One
        return self.value.xreplace({self.at: order[i]})


def derive_cdf(m: Family, budget: Budget) -> CDF:
    """P(X <= X_) for X_ inside the support: integrate_split, or summation for a pmf."""
    lo = m.support.inf
    if m.discrete:
        at = sp.Dummy("K", integer=True)
        j = sp.Dummy("j", integer=True)
        value = budget.run(sp.summation, m.density_at(j), (j, lo, at), cap=_cap(budget, 10))
        closed = not value.has(sp.Sum)
    else:
        at = sp.Dummy("X", positive=True) if lo.is_nonnegative else sp.Dummy("X", real=True)
        u = sp.Dummy("u", real=True)
        value = budget.run(integrate_split, m.density_at(u), u, lo, at, cap=_cap(budget, 10))
        closed = not value.has(sp.Integral)
    if closed:
        value = tidy(value, budget)
    return CDF(m, at, value, closed)


def tidy(expr: sp.Expr, budget: Budget, cap: float = 3) -> sp.Expr:
    """The smaller of ``expr`` and its simplification (``expr`` if the cap runs out)."""
    try:
        simpler = budget.run(sp.simplify, expr, cap=_cap(budget, cap))
    except Exception:  # noqa: BLE001 - a failed tidy-up (cap, sympy error) keeps expr
        return expr
    return min(expr, simpler, key=sp.count_ops)


def under(value: sp.Expr, condition: sp.Basic, relations: Sequence[sp.Basic]) -> sp.Expr:
    """``value`` where ``condition`` (a chain of inequalities) and ``relations`` hold: each
    inequality made true by a positive gap (:func:`~symbolic_info.families.relations.pin`), so
    that sympy can decide the signs inside ``Abs``, then the gaps written back."""
    links = [r for r in (condition.args if isinstance(condition, sp.And) else (condition,))
             if isinstance(r, (sp.Le, sp.Lt, sp.Ge, sp.Gt))]
    pinning = pin([*relations, *links])
    if not pinning.forward:
        return value
    pinned = value.xreplace(pinning.forward).replace(
        lambda e: isinstance(e, sp.Abs), lambda e: sp.Abs(sp.factor(e.args[0])))
    return pinned.xreplace(pinning.back)


def _cap(budget: Budget, seconds: float) -> float:
    """A strategy's cap, scaled up by a budget above 30 s."""
    return seconds * max(1.0, budget.seconds / 30)


def masked(m: Family, other: Family, x: sp.Symbol) -> sp.Expr:
    """The density of ``m`` at x, written as 0 outside its support where the union of the
    supports (with ``other``'s) is larger."""
    lo, hi = m.support.inf, m.support.sup
    if m.support == other.support:
        return m.density_at(x)
    conds = [c for c in ((x >= lo) if lo != -sp.oo else sp.true,
                         (x <= hi) if hi != sp.oo else sp.true) if c != sp.true]
    d = m.density_at(x)
    return sp.Piecewise((d, sp.And(*conds)), (0, True)) if conds else d


def union_limits(p: Family, q: Family) -> tuple[sp.Expr, sp.Expr]:
    """The ends of the smallest interval holding both supports."""
    lo = [p.support.inf, q.support.inf]
    hi = [p.support.sup, q.support.sup]
    return (lo[0] if lo[0] == lo[1] else sp.Min(*lo), hi[0] if hi[0] == hi[1] else sp.Max(*hi))


def numeric_value(body: Callable[[np.ndarray, np.ndarray], np.ndarray], p: Family, q: Family,
                  point: dict, breaks: Sequence[float] = ()) -> tuple[float, float] | None:
    """∫ body(p(x), q(x)) dx (Σ over k for pmfs) at a numeric point: ``(value, error bound)``
    by ``scipy.integrate.quad`` split at the support ends and ``breaks`` (the summed error
    estimates), or by summation (the error bound is the mass left out by truncation)."""
    pm, qm = (_numeric_density(m, point) for m in (p, q))
    if pm is None or qm is None:
        return None
    edges = [float(e) for m in (p, q) for e in (m.support.inf.xreplace(point),
                                                m.support.sup.xreplace(point))]
    lo, hi = min(edges), max(edges)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if p.discrete:
            return _numeric_sum(body, pm, qm, lo, hi)
        cuts = sorted({lo, hi, *edges, *(b for b in breaks if lo < b < hi)})
        total, error = 0.0, 0.0
        for a, b in zip(cuts, cuts[1:]):
            if a == b:
                continue
            value, err = integrate.quad(lambda t: float(body(pm(t), qm(t))), a, b, limit=200,
                                        epsabs=1e-12, epsrel=1e-10)
            total, error = total + value, error + err
    return (total, error) if np.isfinite(total) else None


def _numeric_density(m: Family, point: dict) -> Callable[[float], float] | None:
    x = sp.Dummy("x", real=True)
    d = m.density_at(x).xreplace(point)
    if d.free_symbols - {x}:
        return None
    lo, hi = (float(e.xreplace(point)) for e in (m.support.inf, m.support.sup))
    if m.discrete:
        f = sp.lambdify(x, d, modules=["mpmath"])
        return lambda k: float(f(int(k))) if lo <= k <= hi else 0.0
    f = sp.lambdify(x, d, modules=["scipy", "numpy"])
    return lambda t: float(np.real(f(t))) if lo <= t <= hi else 0.0


def _numeric_sum(body, pm, qm, lo: float, hi: float) -> tuple[float, float] | None:
    total, mass, k = mpmath.mpf(0), 0.0, int(lo)
    while k <= hi and k < int(lo) + 200_000:
        a, b = pm(k), qm(k)
        total += body(a, b)
        mass += (a + b) / 2
        k += 1
        if mass > 1 - 1e-15 and k > int(lo) + 10:
            break
    return float(total), max(0.0, 1 - mass)


def numeric_steps(definition: sp.Expr, body, p: Family, q: Family, note: str,
                  breaks: Sequence[float] = ()) -> list[Step]:
    """A NUMERIC_VALUE step when every parameter is a number: the value by quadrature
    (summation) with its error bound."""
    if p.parameters or q.parameters:
        return []
    found = numeric_value(body, p, q, {}, breaks)
    if found is None:
        return []
    value, error = found
    return [Step(StepKind.NUMERIC_VALUE, sp.Float(value, 15),
                 f"{note}; error bound {error:.2g}")]


# ------------------------------------------------------------------- total variation


def total_variation(p: Family, q: Family, *, base=None, timeout: float = 30) -> Derivation:
    r"""Total variation distance :math:`\tfrac12 \int |p - q|` (a sum for pmfs).

    ``base`` must be ``None`` (TV has no logarithm); ``timeout`` in CPU seconds.
    """
    check_pair("total variation", p, q, timeout)
    if base is not None:
        raise InvalidParameter("total variation has no logarithm: base does not apply "
                               f"(got base={base})")
    return remembered("total_variation", p, q, None, timeout,
                      lambda c, budget: _TotalVariation(c.p, c.q, budget).run())


def run_pairwise(builder, quantity: str, formula: str,
                 singular: tuple[sp.Expr, sp.Expr, str],
                 general: Callable[[], Derivation]) -> Derivation:
    """The frame of a divergence computed over the members' supports: the value for a pmf
    against a density (mutually singular; ``singular`` is the symbol, value and reason), the
    definition, a finite sum where both supports are finite, else ``general()``; a budget that
    runs out is ``timed_out`` with the definition as the result.  ``builder`` has ``p``,
    ``q``, ``steps``, ``budget``, ``definition()``, ``finite_sum()`` and ``finish()``."""
    if builder.p.discrete != builder.q.discrete:
        symbol, value, reason = singular
        builder.steps.append(Step(StepKind.DEFINITION, symbol, f"definition of the {quantity}"))
        builder.steps.append(Step(StepKind.SUPPORT, value, "a pmf and a density are mutually "
                                                           f"singular: {reason}"))
        return builder.finish(value, "closed_form")
    builder.steps.append(Step(StepKind.DEFINITION, builder.definition(),
                              f"definition of the {quantity}, {formula}"))
    try:
        if finite_size(builder.p) and finite_size(builder.q):
            return builder.finite_sum()
        return general()
    except BudgetExceeded as exc:
        builder.steps.append(Step(StepKind.TIME_BUDGET, builder.definition(),
                                  f"the {builder.budget.seconds:g} s CPU budget ran out "
                                  f"({exc})"))
        return builder.finish(builder.definition(), "timed_out")


class _TotalVariation:
    """Carries one total variation derivation through its steps."""

    def __init__(self, p: Family, q: Family, budget: Budget):
        self.p, self.q, self.budget = p, q, budget
        self.x = sp.Dummy("x", integer=True) if p.discrete else sp.Dummy("x", real=True)
        self.steps: list[Step] = []
        self.conditions: sp.Basic = sp.true
        self.rng = np.random.default_rng(7)
        self.roots: list[sp.Expr] = []

    def definition(self) -> sp.Expr:
        op = sp.Sum if self.p.discrete and self.q.discrete else sp.Integral
        lo, hi = union_limits(self.p, self.q)
        body = sp.Abs(masked(self.p, self.q, self.x) - masked(self.q, self.p, self.x)) / 2
        return op(body, (self.x, lo, hi))

    def finish(self, result: sp.Expr, status: str) -> Derivation:
        return Derivation(name=f"total_variation_{self.p.name}_{self.q.name}",
                          quantity="total_variation", result=result, status=status,
                          conditions=self.conditions, steps=tuple(self.steps),
                          parameters=parameters_of(self.p, self.q), p=self.p, q=self.q)

    def run(self) -> Derivation:
        return run_pairwise(self, "total variation distance", "(1/2)∫|p - q|",
                            (sp.Symbol("delta(P, Q)"), sp.S.One,
                             "the countable support of the pmf has mass 1 under it and 0 "
                             "under the density, so the distance is 1"),
                            self.by_crossings)

    # -- finite supports ---------------------------------------------------------------------
    def finite_sum(self) -> Derivation:
        p, q = self.p, self.q
        points = sorted(set(p.support) | set(q.support))
        terms = []
        for k in points:
            pk = p.density_at(k) if k in p.support else sp.S.Zero
            qk = q.density_at(k) if k in q.support else sp.S.Zero
            terms.append(sp.Abs(pk - qk) / 2)
        total = sp.Add(*terms, evaluate=False)
        self.steps.append(Step(StepKind.FINITE_SUM, total,
                               "sum over the union of the supports, "
                               f"{{{', '.join(map(str, points))}}}"))
        result = sp.Add(*terms)
        result = tidy(result, self.budget) if result.free_symbols else result
        self.steps.append(Step(StepKind.SIMPLIFICATION, result, "terms collected"))
        self.numeric_check(result, [])
        return self.finish(result, "closed_form")

    # -- crossing points ---------------------------------------------------------------------
    def log_ratio(self) -> sp.Expr:
        t = sp.Dummy("t", real=True)
        d = sp.log(self.p.density_at(t)) - sp.log(self.q.density_at(t))
        return sp.expand(sp.expand_log(d, force=True)), t

    def crossings(self) -> list[sp.Expr] | None:
        """Roots of log p = log q in x (as reals), one solve per sign pattern of the Abs
        terms; None when sympy cannot solve one."""
        d, t = self.log_ratio()
        if not d.has(t):
            self.steps.append(Step(StepKind.CROSSING_POINTS, sp.EmptySet,
                                   f"log p - log q = {d} does not depend on x: no crossing"))
            return []
        absolute = sorted((a for a in d.atoms(sp.Abs) if a.has(t)), key=sp.default_sort_key)
        if len(absolute) > MAX_ABS or any(e.has(t) for e in d.atoms(sp.Piecewise)):
            return None
        roots: list[sp.Expr] = []
        for signs in product((1, -1), repeat=len(absolute)):
            branch = d.xreplace({a: s * a.args[0] for a, s in zip(absolute, signs)})
            if not branch.has(t):
                continue
            try:
                found = self.budget.run(sp.solve, branch, t, cap=_cap(self.budget, 10))
            except (NotImplementedError, ValueError, TypeError):
                return None
            for r in found:
                if isinstance(r, dict) or r.has(t) or not isinstance(r, sp.Expr):
                    return None
                r = self.expanded(r)
                if r not in roots:
                    roots.append(r)
        roots = self.complete(roots, d, t)
        if roots is None:
            return None
        how = ("solved for x" if not absolute else
               f"solved for x on each of the {2 ** len(absolute)} sign patterns of the |.| "
               "terms (a root of another pattern only refines the partition)")
        self.steps.append(Step(StepKind.CROSSING_POINTS, sp.FiniteSet(*roots),
                               f"p = q where log p - log q = {d} vanishes, {how}"))
        return roots

    def complete(self, roots: list[sp.Expr], d: sp.Expr, t: sp.Symbol) -> list | None:
        """The roots, if at 6 random parameter points every sign change of log p - log q
        found on a fine grid of the support lies next to one of them; None otherwise (sympy's solve
        gives one branch of a Lambert W where p and q of two gammas cross twice)."""
        if all(self.sign_changes_match(roots, d, t) for _ in range(6)):
            return roots
        self.steps.append(Step(StepKind.CROSSING_POINTS, sp.FiniteSet(*roots),
                               "these roots miss sign changes of log p - log q found "
                               "numerically: the crossing points are incomplete"))
        return None

    def sign_changes_match(self, roots: list[sp.Expr], d: sp.Expr, t: sp.Symbol) -> bool:
        point = draw_point(self.p, self.q, self.rng)
        lo = max(float(sp.N(self.p.support.inf.xreplace(point))),
                 float(sp.N(self.q.support.inf.xreplace(point))), -1e3)
        hi = min(float(sp.N(self.p.support.sup.xreplace(point))),
                 float(sp.N(self.q.support.sup.xreplace(point))), 1e3)
        if self.p.discrete or not lo < hi:
            return True  # pmfs: the floors of the roots split the support; nothing to count
        f = sp.lambdify(t, d.xreplace(point), "numpy")
        grid = np.unique(np.concatenate([np.linspace(lo, hi, 20001)[1:-1],
                                         lo + np.geomspace(1e-9, 1, 400) * (hi - lo)]))
        with np.errstate(all="ignore"):
            values = np.asarray(f(grid), dtype=float) * np.ones_like(grid)
        keep = np.isfinite(values)
        grid, values = grid[keep], values[keep]
        where = np.nonzero(np.sign(values[1:]) * np.sign(values[:-1]) < 0)[0]
        found = []
        for r in roots:
            v = complex(sp.N(r.xreplace(point)))
            if abs(v.imag) < 1e-9 * max(1.0, abs(v)):
                found.append(v.real)
        found = np.array(found)
        # every sign change lies next to a root (a root of another |.| pattern only refines)
        return all(found.size and np.any((found >= grid[i] - 1e-6 * (1 + abs(grid[i])))
                                         & (found <= grid[i + 1] + 1e-6 * (1 + abs(grid[i + 1]))))
                   for i in where)

    def expanded(self, r: sp.Expr) -> sp.Expr:
        """``r`` with its logarithms expanded (log(a**c*b**d) -> c log a + d log b), kept if
        it agrees with ``r`` at three random parameter points."""
        e = sp.expand_log(r, force=True)
        if e == r:
            return r
        for _ in range(3):
            point = draw_point(self.p, self.q, self.rng)
            a, b = (complex(sp.N(v.xreplace(point))) for v in (r, e))
            if not abs(a - b) <= 1e-9 * max(1.0, abs(a)):
                return r
        return e

    def by_crossings(self) -> Derivation:
        p, q = self.p, self.q
        if p.support == q.support and self.log_ratio()[0] == 0:
            self.steps.append(Step(StepKind.CANCELLATION, sp.S.Zero, "p = q: the densities "
                                   "cancel"))
            return self.finish(sp.S.Zero, "closed_form")
        roots = self.crossings()
        if roots is None:
            return self.no_closed_form("sympy found no closed form for the crossing points "
                                       "(roots of log p = log q)")
        self.roots = roots
        cdfs = [derive_cdf(m, self.budget) for m in (p, q)]
        for m, f in zip((p, q), cdfs):
            self.steps.append(Step(StepKind.EXPECTATION, sp.Eq(sp.Function("F")(f.at),
                                                             f.value, evaluate=False),
                                   f"CDF of {m.label()} inside its support" +
                                   ("" if f.closed else " (no closed form)")))
        marks = [sp.floor(r) for r in roots] if p.discrete else list(roots)
        points, values = [], []
        for e, v in [*zip(marks, roots), *((e, e) for m in (p, q) for e in ends(m))]:
            if e not in (sp.oo, -sp.oo) and e not in points:
                points.append(e)
                values.append(v)
        cases = arrangements(points, values, p, q, self.rng,
                             floors=frozenset(range(len(marks))) if p.discrete else frozenset(),
                             unordered=len(points) <= 2 and len(marks) == len(points))
        self.conditions = sp.And(*(sp.Ne(den, 0) for r in roots
                                   for den in [sp.fraction(sp.together(r))[1]]
                                   if not den.is_nonzero))
        expressions: dict[sp.Expr, list[sp.Basic]] = {}
        relations = p.relations() + q.relations()
        for case in cases:
            value = self.case_value(case.order, cdfs)
            try:
                value = self.budget.run(under, value, case.condition, relations,
                                        cap=_cap(self.budget, 2))
            except Exception:  # noqa: BLE001 - the case unrefined (cap, sympy error)
                if self.budget.expired:
                    raise BudgetExceeded("the budget ran out") from None
            expressions.setdefault(value, []).append(case.condition)
        closed = all(f.closed for f in cdfs)
        free = [v for v, c in expressions.items() if sp.true in c]
        if free:
            expressions = {free[0]: [sp.true]}
        if len(expressions) == 1:
            (value, conditions), = expressions.items()
            self.conditions = sp.And(self.conditions, sp.Or(*conditions))
            note = "(1/2) Σ |ΔF_P - ΔF_Q| over the pieces between the crossing points and " \
                   "the support ends"
            if self.conditions != sp.true:
                note += " in the order seen at random parameters (the condition)"
        else:
            value = sp.Piecewise(*((v, sp.Or(*c)) for v, c in expressions.items()),
                                 (self.definition(), True))
            note = ("(1/2) Σ |ΔF_P - ΔF_Q| over the pieces, one case per order of the points "
                    "seen at random parameters; the integral elsewhere")
        self.steps.append(Step(StepKind.SUBSTITUTED, value, note))
        if not closed:
            self.steps.extend(numeric_steps(self.definition(), _half_gap, p, q,
                                            "(1/2)∫|p - q| numerically", self.floats(roots)))
            return self.finish(value, "no_closed_form")
        result = tidy(value, self.budget, cap=5)
        self.steps.append(Step(StepKind.SIMPLIFICATION, result, "simplified"))
        self.numeric_check(result, roots)
        return self.finish(result, "closed_form")

    def case_value(self, order: tuple[sp.Expr, ...], cdfs: list[CDF]) -> sp.Expr:
        g = [sp.S.Zero] + [cdfs[0].on(order, i) - cdfs[1].on(order, i)
                           for i in range(len(order))] + [sp.S.Zero]
        return sp.Add(*[sp.Abs(b - a) for a, b in zip(g, g[1:])]) / 2

    def no_closed_form(self, why: str) -> Derivation:
        definition = self.definition()
        self.steps.append(Step(StepKind.NO_CLOSED_FORM, definition, why))
        self.steps.extend(numeric_steps(definition, _half_gap, self.p, self.q,
                                        "(1/2)∫|p - q| numerically"))
        return self.finish(definition, "no_closed_form")

    # -- numeric check -----------------------------------------------------------------------
    def numeric_check(self, result: sp.Expr, roots: list[sp.Expr]) -> None:
        try:
            self.budget.run(self._numeric_check, result, roots, cap=_cap(self.budget, 10))
        except BudgetExceeded:
            self.steps.append(Step(StepKind.NO_NUMERIC_CHECK, sp.nan,
                                   "the numerical check ran out of its CPU budget"))

    def _numeric_check(self, result: sp.Expr, roots: list[sp.Expr]) -> None:
        name = f"total_variation_{self.p.name}_{self.q.name}"
        check_against(name, result, self.conditions, self.p, self.q, self.rng, self.steps,
                      _half_gap, roots)

    @staticmethod
    def floats(roots: list[sp.Expr]) -> list[float]:
        out = []
        for r in roots:
            try:
                v = complex(sp.N(r))
            except TypeError:  # a root with parameters in it: no number to mark
                continue
            if abs(v.imag) < 1e-12 and np.isfinite(v.real):
                out.append(v.real)
        return out


def _half_gap(a: float, b: float) -> float:
    return abs(a - b) / 2


def check_against(name: str, result: sp.Expr, conditions: sp.Basic, p: Family, q: Family,
                  rng: np.random.Generator, steps: list[Step], body,
                  roots: Sequence[sp.Expr] = ()) -> None:
    """Compare ``result`` with :func:`numeric_value` of ``body`` at a random point where the
    conditions hold; append a NUMERIC_CHECK step, or raise when they disagree."""
    for _ in range(20):
        point = draw_point(p, q, rng) if p.parameters or q.parameters else {}
        if conditions != sp.true and conditions.xreplace(point) != sp.true:
            continue
        claimed = sp.N(result.xreplace(point), 20)
        if not claimed.is_number or claimed.has(sp.nan, sp.zoo) or not claimed.is_finite:
            continue
        breaks = []
        for r in roots:
            v = complex(sp.N(r.xreplace(point)))
            if abs(v.imag) < 1e-12 and np.isfinite(v.real):
                breaks.append(v.real)
        found = numeric_value(body, p, q, point, breaks)
        if found is None:
            continue
        reference = found[0]
        err = abs(float(claimed) - reference) / max(1.0, abs(reference))
        shown = ", ".join(f"{k}={float(v):.4g}" for k, v in point.items()) or "the given values"
        if err > TOLERANCE:
            raise SymbolicInfoError(f"{name}: the derived result {float(claimed):.10g} "
                                    f"disagrees with numerical integration {reference:.10g} "
                                    f"at {shown} (relative difference {err:.3g})")
        steps.append(Step(StepKind.NUMERIC_CHECK, sp.Float(err, 3),
                          f"relative difference from numerical integration at {shown}"))
        return
    steps.append(Step(StepKind.NO_NUMERIC_CHECK, sp.nan,
                      "numerical integration gave no value at 20 random points"))
