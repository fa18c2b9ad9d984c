r"""Joint feasibility of maximum-entropy constraints: which values some density can have.

Each constraint alone is checked against the range of its statistic (in :mod:`.max_entropy`).
Together, the constraints must also respect the inequalities every distribution obeys:

* statistics that are polynomials of degree at most 2 in :math:`x` are linear in the moments
  :math:`m_1 = \mathbb{E}[X]`, :math:`m_2 = \mathbb{E}[X^2]`: the system must be consistent,
  the variance :math:`m_2 - m_1^2` positive (a density is not a point mass; a pmf may be, so
  there it is :math:`\ge 0`), and on a bounded support :math:`[l, u]`
  :math:`\mathbb{E}[(X - l)(u - X)] = (l + u) m_1 - l u - m_2` positive (:math:`\ge 0`);
* with the mean known, Jensen's inequality for a statistic :math:`g` with :math:`g'' > 0` on
  the support (:math:`< 0`): :math:`\mathbb{E}[g(X)] > g(m_1)` (:math:`<`), strict for a
  density; for :math:`|x - c|`: :math:`\mathbb{E}|X - c| \ge |m_1 - c|`.

A condition that is false raises :class:`~symbolic_info.errors.InvalidParameter` naming the
constraints and the inequality; one that sympy cannot decide joins the result's conditions.
"""

from __future__ import annotations

import sympy as sp

from ..errors import BudgetExceeded, InvalidParameter

_M1, _M2 = sp.symbols("m_1 m_2")


def _quadratic(stat, x):
    """``(a2, a1, a0)`` with ``stat = a2 x**2 + a1 x + a0``, or None."""
    if not stat.is_polynomial(x):
        return None
    poly = sp.Poly(stat, x)
    if poly.degree() > 2:
        return None
    a0, a1, a2 = (poly.coeff_monomial(x**k) for k in range(3))
    return a2, a1, a0


def _what(pairs, discrete: bool, support) -> str:
    shown = " and ".join(f"E[{sp.sstr(s)}] = {sp.sstr(v)}" for s, v in pairs)
    return f"no {'pmf' if discrete else 'density'} on {support} has {shown}"


def _simplify(expr, budget):
    """``simplify(expr)`` within a small cap of the budget, else ``expr`` unchanged."""
    if expr in (sp.true, sp.false) or not isinstance(expr, sp.Basic):
        return expr
    try:
        return budget.run(sp.simplify, expr, cap=3.0)
    except BudgetExceeded:
        return expr


def _check(cond, message: str, budget) -> sp.Basic:
    cond = _simplify(cond, budget)
    if cond == sp.false:
        raise InvalidParameter(message)
    return cond


def _interior(x, hull: sp.Interval):
    """``x`` written through a positive (or real) variable covering the hull's interior."""
    lo, hi = hull.inf, hull.sup
    t = sp.Dummy("t", positive=True)
    if lo == -sp.oo and hi == sp.oo:
        return sp.Dummy("t", real=True)
    if hi == sp.oo:
        return lo + t
    if lo == -sp.oo:
        return hi - t
    return lo + (hi - lo) * t / (1 + t)


def joint_feasibility(triples, x, support, hull: sp.Interval, budget) -> sp.Basic:
    """Conditions the constraints ``(statistic in x, value, statistic as shown)`` impose
    together; raise InvalidParameter when none can hold."""
    discrete = not isinstance(support, sp.Interval)
    cond = sp.true
    quadratic = [(q, v, shown) for t, v, shown in triples
                 for q in [_quadratic(t, x)] if q is not None and (q[0], q[1]) != (0, 0)]
    m1 = None
    if quadratic:
        m1, moments_cond = _moments(quadratic, discrete, support, hull, budget)
        cond = sp.And(cond, moments_cond)
    if m1 is not None:
        for t, v, shown in triples:
            if _quadratic(t, x) is None:
                cond = sp.And(cond, _jensen(t, v, shown, x, m1, discrete, support, hull,
                                            quadratic, budget))
    return cond


def _moments(quadratic, discrete: bool, support, hull, budget):
    """The mean (or None) and the conditions from the statistics of degree <= 2."""
    equations = [a2 * _M2 + a1 * _M1 + a0 - v for (a2, a1, a0), v, _ in quadratic]
    pairs = [(shown, v) for _, v, shown in quadratic]
    solutions = budget.run(sp.linsolve, equations, [_M1, _M2], cap=5.0)
    if solutions == sp.EmptySet:
        raise InvalidParameter(_what(pairs, discrete, support)
                               + ": these constraints contradict each other (they are linear "
                                 "in E[X] and E[X**2])")
    (m1, m2), = solutions
    m1 = None if m1.has(_M1, _M2) else m1
    m2 = None if m2.has(_M1, _M2) else m2
    cond = sp.true
    if m1 is None or m2 is None:
        return m1, cond
    variance = _simplify(m2 - m1**2, budget)
    strict = "positive" if not discrete else "nonnegative"
    cond = _check(variance >= 0 if discrete else variance > 0,
                  _what(pairs, discrete, support)
                  + f": they give Var[X] = E[X**2] - E[X]**2 = {sp.sstr(variance)}, and the "
                    f"variance of a {'pmf' if discrete else 'density'} is {strict}", budget)
    lo, hi = hull.inf, hull.sup
    if lo.is_finite and hi.is_finite:
        spread = _simplify((lo + hi) * m1 - lo * hi - m2, budget)
        cond = sp.And(cond, _check(
            spread >= 0 if discrete else spread > 0,
            _what(pairs, discrete, support)
            + f": X lies in [{lo}, {hi}], so E[(X - {lo})({hi} - X)] must be {strict}, but "
              f"they give {sp.sstr(spread)}", budget))
    return m1, cond


def _jensen(t, v, shown, x, m1, discrete, support, hull, quadratic, budget) -> sp.Basic:
    """Jensen's inequality between E[t] = v and t(E[X]) = t(m1)."""
    what = _what([(s, w) for _, w, s in quadratic] + [(shown, v)], discrete, support)
    at_mean = t.subs(x, m1)
    if isinstance(t, sp.Abs):
        inner = _quadratic(t.args[0], x)
        if inner is None or inner[0] != 0:
            return sp.true
        return _check(sp.Ge(v, at_mean),
                      what + f": they give E[X] = {sp.sstr(m1)}, and {sp.sstr(shown)} is convex, "
                             f"so E[{sp.sstr(shown)}] >= {sp.sstr(at_mean)} (Jensen's inequality)",
                      budget)
    if t.has(sp.Abs, sp.Piecewise, sp.sign):
        return sp.true
    try:
        second = budget.run(sp.simplify, sp.diff(t, x, 2).subs(x, _interior(x, hull)), cap=3.0)
    except Exception:  # noqa: BLE001 - no verdict from sympy is no condition
        return sp.true
    if second.is_positive:
        word, sign = "convex", ">=" if discrete else ">"
    elif second.is_negative:
        word, sign = "concave", "<=" if discrete else "<"
    else:
        return sp.true
    rel = {">": sp.Gt, ">=": sp.Ge, "<": sp.Lt, "<=": sp.Le}[sign](v, at_mean)
    return _check(rel, what + f": they give E[X] = {sp.sstr(m1)}, and {sp.sstr(shown)} is "
                              f"strictly {word} on the support, so Jensen's inequality gives "
                              f"E[{sp.sstr(shown)}] {sign} {sp.sstr(at_mean)}", budget)
