"""Definite integrals the way the expectation engine needs them.

* linearity first: each term of the integrand separately;
* kinks of ``Abs`` and ``Piecewise`` (linear in x): the support is cut at them, one case per
  possible order of the kinks and the support's ends (orders that the parameters' relations,
  e.g. a < c < b, rule out are dropped), each piece integrated with the branch that holds on
  it; cases combine into a ``Piecewise`` (or, for two kinks on the real line whose cases agree
  under d -> -d, a single form in ``|k2 - k1|``);
* rational integrands on the real line (or even ones on the half-line): residues in the upper
  half-plane;
* Meijer-G first on bounded intervals (it gives up fast where the heuristics hang), plain
  ``integrate`` with ``conds="piecewise"`` elsewhere, whose convergence condition is recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from itertools import permutations

import sympy as sp

from .families.relations import Pinning, pin
from .kinks import kink_points
from .kinks import root as kink_root

# Per attempt (and so per thread): the convergence conditions met by its integrations (e.g.
# alpha > 1 for the mean of a Pareto law), and the relations between the parameters
# (a < c < b) that it may assume; set by ``with_conditions`` around each attempt.
_CONDITIONS: ContextVar[list | None] = ContextVar("conditions", default=None)
_RELATIONS: ContextVar[Pinning | None] = ContextVar("relations", default=None)


def with_conditions(attempt: Callable[[], sp.Expr],
                    relations: Iterable[sp.Basic] = ()) -> Callable[[], tuple]:
    """``attempt`` as a thunk returning (value, convergence condition), run assuming
    ``relations`` between the parameters (they decide the order of kinks and ends, and the
    Piecewise conditions of the value)."""
    pinning = pin(relations)

    def run():
        met: list[sp.Basic] = []
        conditions, assumed = _CONDITIONS.set(met), _RELATIONS.set(pinning)
        try:
            value = attempt()
        finally:
            _RELATIONS.reset(assumed)
            _CONDITIONS.reset(conditions)
        found = [c for c in met if not any(isinstance(s, sp.Dummy) for s in c.free_symbols)]
        return _decided(value, pinning), sp.And(*found)
    return run


def _decided(value, pinning: Pinning):
    """``value`` with the Piecewise conditions that the relations decide replaced (so that
    Piecewise((v, a < c), (w, True)) is v where a < c is a relation)."""
    if not pinning.forward or not isinstance(value, sp.Basic) or not value.has(sp.Piecewise):
        return value

    def branch(e: sp.Piecewise) -> sp.Expr:
        args = [(v, pinning.reduce(c)) for v, c in e.args]
        return sp.Piecewise(*args) if any(c != sp.false for _, c in args) else e

    return value.replace(lambda e: isinstance(e, sp.Piecewise), branch)


def _peel(value: sp.Expr) -> sp.Expr:
    """Piecewise((v, cond), (Integral, True)) -> v, recording a simple ``cond``."""
    if isinstance(value, sp.Piecewise) and len(value.args) == 2 and value.args[1][0].has(
            sp.Integral) and not value.args[0][0].has(sp.Integral):
        head, cond = value.args[0]
        met = _CONDITIONS.get()
        if met is not None and not cond.atoms(sp.Function) and cond != sp.true:
            met.append(cond)
        return head
    return value



def integrate_split(integrand: sp.Expr, x: sp.Symbol, lo: sp.Expr, hi: sp.Expr) -> sp.Expr:
    """∫_lo^hi integrand dx."""
    kinks = [k for k in kink_points(integrand, x)
             if not (sp.Le(k, lo) == sp.true or sp.Ge(k, hi) == sp.true)]
    if kinks:
        return _split_integral(integrand, x, lo, hi, kinks)
    if integrand.has(sp.Piecewise, sp.Abs):
        resolved = _resolve_between_ends(integrand, x, lo, hi)
        if resolved is not None:
            return integrate_split(resolved, x, lo, hi)
    if lo == -sp.oo and hi == sp.oo and integrand.is_rational_function(x):
        return _residue_integral(integrand, x)
    if lo == 0 and hi == sp.oo and integrand.is_rational_function(x):
        real = sp.Dummy("y", real=True)
        even = integrand.xreplace({x: real})
        if sp.simplify(even - even.xreplace({real: -real})) == 0:
            return _residue_integral(even, real) / 2
    bounded = lo.is_number and hi.is_number and lo.is_finite and hi.is_finite
    total = sp.S.Zero
    for term in sp.Add.make_args(sp.expand_mul(integrand)):
        coeff, body = term.as_independent(x, as_Add=False)
        if bounded:
            value = sp.integrate(body, (x, lo, hi), conds="none", meijerg=True)
        else:
            value = _peel(sp.integrate(body, (x, lo, hi), conds="piecewise"))
        if value.has(sp.Integral):
            value = sp.integrate(body, (x, lo, hi), conds="none", meijerg=not bounded)
        if value.has(sp.hyper, sp.meijerg):
            value = sp.hyperexpand(value)
        total += coeff * value
    return total


def _resolve_between_ends(integrand: sp.Expr, x: sp.Symbol, lo: sp.Expr,
                          hi: sp.Expr) -> sp.Expr | None:
    """The integrand on (lo, hi) with each Abs and Piecewise replaced by its branch there,
    when every kink lies at or beyond an end (x < c on (a, c)); None when one is undecided."""
    outside = kink_points(integrand, x)
    if not outside:
        return None
    below = [k for k in outside if k != lo and sp.Le(k, lo) == sp.true]
    above = [k for k in outside if k not in below and k not in (lo, hi)]
    order = below + [lo, hi] + above
    try:
        resolved = _resolve(integrand, x, order, len(below))
    except (NotImplementedError, ValueError, sp.PolynomialError):
        return None
    if resolved.has(sp.nan) or resolved.has(sp.Piecewise, sp.Abs) and resolved.has(x):
        return None
    return resolved


def _sign_on(arg: sp.Expr, x: sp.Symbol, order: list, piece: int) -> int:
    """Sign of the linear ``arg`` on the piece between order[piece] and order[piece + 1]."""
    slope = sp.Poly(arg, x).all_coeffs()[0]
    direction = sp.sign(slope)
    if direction not in (1, -1):
        raise NotImplementedError(f"cannot decide the sign of the slope {slope}")
    position = order.index(kink_root(arg, x))
    return int(direction) if position <= piece else -int(direction)


def _resolve(expr: sp.Expr, x: sp.Symbol, order: list, piece: int) -> sp.Expr:
    """Replace Abs and Piecewise by the branch that holds on one piece of ``order``."""
    def abs_branch(a):
        return _sign_on(a.args[0], x, order, piece) * a.args[0]

    def truth(rel):
        if isinstance(rel, (sp.Eq,)):
            return sp.false
        if isinstance(rel, sp.Ne):
            return sp.true
        sign = _sign_on(rel.lhs - rel.rhs, x, order, piece)
        return sp.sympify(rel.func(sign, 0))

    def branch(pw):
        for value, cond in pw.args:
            decided = cond.replace(
                lambda e: isinstance(e, sp.core.relational.Relational) and e.has(x), truth)
            decided = sp.simplify(decided) if decided not in (sp.true, sp.false) else decided
            if decided == sp.true:
                return value
            if decided != sp.false:
                raise NotImplementedError(f"cannot decide {cond}")
        return sp.nan

    expr = expr.replace(lambda e: isinstance(e, sp.Abs) and e.has(x), abs_branch)
    return expr.replace(lambda e: isinstance(e, sp.Piecewise) and e.has(x), branch)


def _orders(lo, hi, kinks) -> list[list]:
    """Every order of the finite ends and the kinks that sympy cannot rule out."""
    ends = [e for e in (lo, hi) if e.is_finite is not False]
    points = ends + [k for k in kinks if k not in ends]
    result = []
    for order in permutations(points):
        if lo in ends and hi in ends and order.index(lo) > order.index(hi):
            continue
        chain = [sp.Lt(a, b) for a, b in zip(order, order[1:])]
        if any(c == sp.false for c in chain):
            continue
        if sp.And(*chain) == sp.false:
            continue
        relations = _RELATIONS.get()
        if relations is not None and relations.decide(sp.And(*chain)) == sp.false:
            continue
        result.append(list(order))
    if not result:
        raise NotImplementedError("no consistent order of the kinks")
    return result


def _split_integral(integrand, x, lo, hi, kinks):
    cases = []
    for order in _orders(lo, hi, kinks):
        pinned, back = _pin(order, kinks)
        full = ([lo] if lo == -sp.oo else []) + [p.xreplace(pinned) for p in order] \
            + ([hi] if hi == sp.oo else [])
        a_end, b_end = lo.xreplace(pinned), hi.xreplace(pinned)
        start, stop = full.index(a_end), full.index(b_end)
        body = integrand.xreplace(pinned)
        total = sp.S.Zero
        for i in range(start, stop):
            total += integrate_split(_resolve(body, x, full, i), x, full[i], full[i + 1])
        total = total.xreplace(back)
        condition = sp.And(*[sp.Lt(a, b) for a, b in zip(order, order[1:])])
        cases.append((total, condition, order))
    if len(cases) == 1:
        return cases[0][0]
    if len(cases) == 2 and len(kinks) == 2 and lo == -sp.oo and hi == sp.oo:
        even = _even_form(cases, kinks)
        if even is not None:
            return even
    return sp.Piecewise(*[(v, c) for v, c, _ in cases[:-1]], (cases[-1][0], True))


def _pin(order: list, kinks: list) -> tuple[dict, dict]:
    """Express each symbolic kink as its left neighbour + d (d > 0), so that sympy knows the
    order inside the case; returns the substitution and the way back (d -> kink - neighbour)."""
    pinned: dict = {}
    back: dict = {}
    for i, k in enumerate(order):
        if k not in kinks or k.is_number or len(order) < 2:
            continue
        ref, sign = (order[i - 1], 1) if i > 0 else (order[1], -1)
        d = sp.Dummy("d", positive=True)
        solution = _solve_for_symbol(k, ref.xreplace(pinned) + sign * d)
        if solution is None or any(v.has(*pinned) for v in solution):
            continue
        pinned.update(solution)
        back[d] = sign * (k - ref)
    return pinned, back


def _even_form(cases, kinks):
    """Both orders of two kinks give one function of d = |k2 - k1|: return it, else None."""
    first, second = kinks
    d = sp.Dummy("d", positive=True)
    forms = []
    for value, _, order in cases:
        sign = 1 if order.index(first) < order.index(second) else -1
        subs = _solve_for_symbol(second, first + sign * d)
        if subs is None:
            return None
        forms.append(sp.expand(value.xreplace(subs)))
    if sp.simplify(forms[0] - forms[1]) == 0:
        return forms[0].xreplace({d: sp.Abs(second - first)})
    return None


def _solve_for_symbol(kink, target):
    """{symbol: value} making ``kink == target``, for a symbol of ``kink`` not in ``target``."""
    for sym in sorted(kink.free_symbols - target.free_symbols, key=lambda s: s.name):
        sol = sp.solve(sp.Eq(kink, target), sym)
        if len(sol) == 1:
            return {sym: sol[0]}
    return None


def _residue_integral(f: sp.Expr, x: sp.Symbol) -> sp.Expr:
    """∫_ℝ f dx for a rational f decaying like 1/x², by residues in the upper half-plane."""
    num, den = sp.fraction(sp.together(f))
    excess = sp.degree(den, x) - sp.degree(num, x)
    if excess < 2:
        # |f| ~ c |x|^(-excess) is not integrable: +oo or -oo when f keeps one sign at both
        # ends, no value at all when the signs differ (e.g. the mean of a Cauchy law)
        lead = sp.sign(sp.LC(sp.Poly(num, x)) / sp.LC(sp.Poly(den, x)))
        ends = {lead, lead * (-1) ** excess}
        if ends == {1}:
            return sp.oo
        if ends == {-1}:
            return -sp.oo
        raise NotImplementedError("the integral does not exist")
    z = sp.Dummy("z")
    total = sp.S.Zero
    for factor, _ in sp.factor_list(den, x)[1]:
        if not factor.has(x):
            continue
        for root, multiplicity in sp.roots(sp.Poly(factor, x)).items():
            im = sp.im(root)
            if im.is_positive and multiplicity == 1 and sp.degree(den, x) == sp.degree(
                    sp.Poly(den, x).sqf_part(), x):
                # simple pole: Res = num(r) / den'(r)
                total += (num / sp.diff(den, x)).xreplace({x: root})
            elif im.is_positive:
                total += sp.residue((num / den).xreplace({x: z}), z, root)
            elif not (im.is_negative or im.is_zero):
                raise NotImplementedError(f"cannot place the pole {root}")
            elif im.is_zero:
                raise NotImplementedError("a pole on the real line")
    value = sp.factor(sp.cancel(sp.expand(2 * sp.pi * sp.I * total)))
    return value if not value.has(sp.I) else sp.simplify(value)


