r"""Strategies for one expectation :math:`\mathbb{E}_P[s(X)]`, each a thunk returning a
candidate value (or None); :mod:`symbolic_info.expectation` runs them under budgets and checks.

* ``integration``: the defining integral (see :mod:`symbolic_info.integration`);
* ``tilting``: for :math:`s = \log w`, :math:`\mathbb{E}[s] = \frac{d}{dt}\log Z(t)|_{t=0}`
  with :math:`Z(t) = \int p(x)\,w(x)^t\,dx` (differentiating the normaliser);
* ``differentiation under the integral sign``: move Q's parameters along a path from a point
  where tilting applies;
* ``substitution``: a change of variables :math:`u = e^{g(x)}`, :math:`u = (cx)^a` or
  :math:`u = \log x` read off the density, then the new statistics under the push-forward;
* ``summation`` and ``tilting (moment generating function)`` for pmfs; power moments;
* ``the score identity``: E[s] from differentiating ∫ p = 1 in a parameter whose score is
  affine in s (no integral evaluated).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import sympy as sp

from .integration import integrate_split
from .measure import Measure, acceptable, linear_terms
from .multiple import gaussian_moment, integrate_region
from .order_derivatives import evaluate_order_derivatives


def strategies(m: Measure, s: sp.Expr) -> Iterator[tuple[str, Callable[[], sp.Expr]]]:
    if m.multivariate:
        yield from _multivariate(m, s)
        return
    x = m.variable
    if m.discrete:
        yield "summation", lambda: _sum(m, s)
        if s.is_polynomial(x):
            yield "tilting (moment generating function)", lambda: _mgf_moment(m, s)
        return
    is_log = isinstance(s, sp.log)
    if is_log and s.args[0].free_symbols - m.density.free_symbols - {x}:
        yield "differentiation under the integral sign", lambda: _parameter_path(m, s.args[0])
    if is_log:
        yield "tilting", lambda: _tilt(m, s.args[0])
    yield "integration", lambda: integrate_split(s * m.density, x, *m.bounds)
    for change, push in _substitutions(m):
        yield f"substitution {change}", _substituted(m, s, push)
    if not is_log and s.is_polynomial(x) and m.support.inf.is_nonnegative:
        yield "tilting (power moments)", lambda: _power_moment(m, s)
    yield "the score identity", lambda: _score_identity(m, s)


def _multivariate(m: Measure, s: sp.Expr) -> Iterator[tuple[str, Callable[[], sp.Expr]]]:
    """Over a region: tilting by the normaliser (the Gaussian and Beta identities of
    :mod:`symbolic_info.multiple` keep the tilted kernel integrable), then the integral."""
    if isinstance(s, sp.log):
        yield "tilting", lambda: _tilt_region(m, lambda t: s.args[0] ** t)
    elif s.is_polynomial(*m.variables):
        if m.support.is_whole_space():
            yield "tilting (Gaussian normaliser)", lambda: gaussian_moment(
                m.split()[1], s, m.variables)
        yield "tilting (moment generating function)", lambda: _tilt_region(
            m, lambda t: sp.exp(t * s))
    yield "integration", lambda: integrate_region(s * m.density, m.support)


def _tilt_region(m: Measure, weight: Callable[[sp.Expr], sp.Expr]) -> sp.Expr | None:
    r"""E[s] = d/dt log Z(t) at t = 0, Z(t) = ∫ kernel · w(x; t), w = e^{t s} or (e^s)^t."""
    t = sp.Dummy("t", real=True)
    _, kernel = m.split()
    z = integrate_region(sp.powsimp(kernel * weight(t)), m.support)
    if z.has(sp.Integral, sp.Sum) or z == 0:
        return None
    value = sp.diff(sp.log(z), t).subs(t, 0)
    if value.has(sp.nan):
        return None
    # the family's equalities (p_1 + ... + p_k = 1) where they appear after cancelling
    value = sp.cancel(value)
    for relation in m.relations:
        if isinstance(relation, sp.Eq):
            value = value.subs(relation.lhs, relation.rhs)
    return value


def _parameter_path(m: Measure, w: sp.Expr) -> sp.Expr:
    r"""E[log w(X; θ)] for θ free of the density, by differentiating under the integral sign.

    At a point θ* where w(x; θ*) = c·f(x) for a factor f of the kernel, tilting gives
    G(θ*) = log c + E[log f]; then :math:`G(θ) = G(θ^*) + \sum_i \int_{θ_i^*}^{θ_i}
    \mathbb{E}[\partial_i w / w]\,ds`, moving one coordinate at a time.
    """
    x = m.variable
    theta = sorted(w.free_symbols - m.density.free_symbols - {x}, key=lambda s: s.name)
    if not w.is_polynomial(x):
        return None
    _, kernel = m.split()
    c = sp.Dummy("c", positive=True)
    for f in {p.base for p in kernel.atoms(sp.Pow) if p.base.is_polynomial(x) and p.base.has(x)}:
        if sp.degree(f, x) != sp.degree(w, x):
            continue
        equations = sp.Poly(sp.expand(w - c * f), x).all_coeffs()
        for solution in sp.solve(equations, [*theta, c], dict=True, check=False):
            if set(solution) != {*theta, c} or any(
                    sp.Q.positive(t) and (solution[t].is_positive is False)
                    for t in theta if t.is_positive):
                continue
            base = _tilt(m, f)
            if base is None or not acceptable(base):
                continue
            start = {t: solution[t] for t in theta}
            value = sp.log(solution[c]) + base
            current = dict(start)
            for t in theta:
                slope = integrate_split(sp.diff(w, t) / w * m.density, x, *m.bounds)
                if not acceptable(slope):
                    return None
                s = sp.Dummy("s", **({"positive": True} if t.is_positive else {"real": True}))
                along = sp.factor(sp.cancel(slope.xreplace({**current, t: s})))
                value += sp.integrate(along, (s, start[t], t), conds="none")
                current[t] = t
            return value
    return None


def _score_identity(m: Measure, s: sp.Expr) -> sp.Expr | None:
    r"""E[s] from :math:`\int c(\theta)\,k(x;\theta)\,dx = 1` for every parameter value.

    Differentiating in a parameter θ that the support does not depend on gives
    :math:`0 = \partial_\theta \log c + \mathbb{E}[\partial_\theta \log k]`; where
    :math:`\partial_\theta \log k = g(\theta)\,s(x) + h(\theta)`,
    :math:`\mathbb{E}[s] = -(\partial_\theta \log c + h)/g` — no integral is evaluated
    (the von Mises: :math:`\mathbb{E}\cos(x - \mu) = I_1(\kappa)/I_0(\kappa)`).
    """
    x = m.variable
    constant, kernel = m.split()
    fixed = m.support.free_symbols
    log_kernel = sp.expand_log(sp.log(kernel), force=True)
    for theta in sorted(m.density.free_symbols - {x} - fixed, key=lambda t: t.name):
        g, h = sp.S.Zero, sp.S.Zero
        for coeff, stat in linear_terms(sp.diff(log_kernel, theta), x):
            ratio = sp.cancel(stat / s)
            if not ratio.has(x):
                g += coeff * ratio
            elif not stat.has(x):
                h += coeff * stat
            else:
                break
        else:
            if g != 0 and not g.has(x):
                return sp.simplify(-(sp.diff(sp.log(constant), theta) + h) / g)
    return None


def _tilt(m: Measure, w: sp.Expr) -> sp.Expr:
    """E[log w(X)] = d/dt log Z(t) at t = 0, Z(t) = ∫ kernel(x) w(x)^t dx."""
    t = sp.Dummy("t", positive=True)
    _, kernel = m.split()
    z = integrate_split(sp.powsimp(kernel * w**t), m.variable, *m.bounds)
    if z.has(sp.Integral) or z == 0:
        return None
    if z.has(sp.hyper, sp.meijerg):
        z = sp.hyperexpand(z)
    derivative = sp.diff(sp.log(z), t)
    value = evaluate_order_derivatives(derivative.subs(t, 0))
    if value.has(sp.nan) or not acceptable(value):
        value = sp.limit(derivative, t, 0, "+")
    return value


def _power_moment(m: Measure, s: sp.Expr) -> sp.Expr:
    """E[X^e] = Z(e) / Z(0) with Z(t) = ∫ kernel x^t dx, for each monomial of s."""
    x = m.variable
    t = sp.Dummy("t", positive=True)
    _, kernel = m.split()
    z = integrate_split(kernel * x**t, x, *m.bounds)
    if z.has(sp.Integral):
        return None
    z0 = z.subs(t, 0)
    poly = sp.Poly(s, x)
    return sp.Add(*[c * sp.gammasimp(z.subs(t, e[0]) / z0) for e, c in poly.terms()])


def _sum(m: Measure, s: sp.Expr) -> sp.Expr:
    lo, hi = m.bounds
    coeff, kernel = m.split()
    value = sp.summation(s * kernel, (m.variable, lo, hi))
    return coeff * _strip_convergence(value)


def _strip_convergence(value: sp.Expr) -> sp.Expr:
    """Drop the convergence Piecewise that sympy wraps around series (valid on the domain)."""
    def first_branch(pw):
        return pw.args[0][0]
    return value.replace(lambda e: isinstance(e, sp.Piecewise) and e.args[-1][0].has(sp.Sum),
                         first_branch)


def _mgf_moment(m: Measure, s: sp.Expr) -> sp.Expr:
    """E[X^n] = M^(n)(0) / M(0), M(t) = Σ kernel(x) e^{t x}."""
    x = m.variable
    t = sp.Dummy("t")
    lo, hi = m.bounds
    _, kernel = m.split()
    mgf = _strip_convergence(sp.summation(kernel * sp.exp(t * x), (x, lo, hi)))
    if mgf.has(sp.Sum):
        return None
    mgf = sp.simplify(mgf)
    m0 = mgf.subs(t, 0)
    poly = sp.Poly(s, x)
    return sp.Add(*[c * sp.diff(mgf, t, e[0]).subs(t, 0) / m0 for e, c in poly.terms()])


def _substitutions(m: Measure) -> Iterator[tuple[str, Callable[[sp.Symbol], tuple]]]:
    """Candidate changes of variables u = g(x) read off the density's structure, and the
    standardisation u = (x - lo)/(hi - lo) of a finite support."""
    x = m.variable
    _, kernel = m.split()
    seen = set()
    candidates = []
    for e in sp.preorder_traversal(kernel):
        if isinstance(e, sp.exp) and e.has(x):
            arg = e.args[0]
            if arg.is_polynomial(x) and sp.degree(arg, x) == 1:
                candidates.append(e)
        elif isinstance(e, sp.Pow) and e.base.has(x) and not e.exp.has(x) and not e.exp.is_number:
            if e.base.is_polynomial(x) and sp.degree(e.base, x) == 1:
                candidates.append(e)
        elif isinstance(e, sp.log) and e.args[0].is_polynomial(x) and e.has(x):
            if sp.degree(e.args[0], x) == 1:
                candidates.append(e)
    lo, hi = m.bounds
    if lo.is_finite and hi.is_finite and (lo, hi) != (0, 1):
        # a finite support [lo, hi] standardised to [0, 1]: u = (x - lo)/(hi - lo)
        candidates.append((x - lo) / (hi - lo))
    for c in candidates:
        if c in seen:
            continue
        seen.add(c)
        shown = c.xreplace({x: sp.Symbol("x")})  # the Dummy variable printed as x, not _x
        yield f"u = {shown}", c


def _substituted(m: Measure, s: sp.Expr, g: sp.Expr) -> Callable[[], sp.Expr]:
    def run():
        x = m.variable
        standardise = _is_linear(g, x)
        pushed = _standardised(m) if standardise else _pushed_forward(m, g)
        if pushed is None:
            return None
        pushed, inverse = pushed
        u = pushed.variable
        statistic = s.xreplace({x: inverse})
        if standardise:  # u in (0, 1): its linear factors may be rescaled, their logs split
            statistic = _factored_bases(statistic, u)
        statistic = _clean(statistic)
        total = sp.S.Zero
        for coeff, stat in linear_terms(statistic, u):
            if stat == 1:
                total += coeff
                continue
            value = None
            for _, attempt in _strategies_no_substitution(pushed, stat):
                try:
                    value = attempt()
                except (ValueError, TypeError, NotImplementedError):
                    value = None
                if value is not None and acceptable(value):
                    break
                value = None
            if value is None:
                return None
            total += coeff * value
        return total
    return run


def _is_linear(g: sp.Expr, x: sp.Symbol) -> bool:
    return g.is_polynomial(x) and sp.degree(g, x) == 1


def _standardised(m: Measure) -> tuple[Measure, sp.Expr]:
    """The push-forward by u = (x - lo)/(hi - lo): density p(lo + (hi - lo) u)·(hi - lo) on
    [0, 1] (hi > lo, so the Jacobian needs no absolute value), with polynomial bases factored
    so that the scale cancels; and x = lo + (hi - lo) u."""
    x = m.variable
    lo, hi = m.bounds
    u = sp.Dummy("u", positive=True)
    inverse = lo + (hi - lo) * u
    density = _factored_bases(m.density.xreplace({x: inverse}) * (hi - lo), u)
    return Measure(_clean(density), u, sp.Interval(0, 1), relations=m.relations), inverse


def _factored_bases(expr: sp.Expr, u: sp.Symbol) -> sp.Expr:
    """Each sum c0 + c1 u with c1/c0 a number written c0·(1 + (c1/c0) u), and c1 u as is:
    b - a - (b - a) u = (b - a)(1 - u). For u in (0, 1) only: a sum of one sign there keeps
    1 + (c1/c0) u > 0, so logs and powers of the product may be split."""
    def linear(e):
        return e.is_Add and e.has(u) and e.is_polynomial(u) and sp.degree(e, u) == 1

    def scaled(e):
        c1, c0 = (sp.cancel(c) for c in sp.Poly(e, u).all_coeffs())
        if c0 == 0:
            return c1 * u
        ratio = sp.cancel(c1 / c0)
        return c0 * (1 + ratio * u) if ratio.is_number else e
    return expr.replace(linear, scaled)


def _pushed_forward(m: Measure, g: sp.Expr) -> tuple[Measure, sp.Expr] | None:
    """The push-forward by u = g(x) (exp, power or log of a linear form) and x = g⁻¹(u)."""
    x = m.variable
    u = sp.Dummy("u", real=True)
    inverse = sp.expand(_invert(g, x, u))
    lo, hi = (sp.limit(g, x, b, d) for b, d in zip(m.bounds, ("+", "-")))
    if not (lo.is_extended_real and hi.is_extended_real):
        return None
    if (lo > hi) == sp.true:
        lo, hi = hi, lo
    if lo.is_nonnegative:
        positive = sp.Dummy("u", positive=True)
        inverse = inverse.xreplace({u: positive})
        u = positive
    jacobian = sp.Abs(sp.diff(inverse, u))
    jacobian = sp.refine(jacobian, sp.Q.positive(u)) if lo.is_nonnegative else jacobian
    density = _clean(m.density.xreplace({x: inverse}) * jacobian)
    if density.has(sp.Abs):
        density = sp.simplify(density)
    return Measure(density, u, sp.Interval(lo, hi)), inverse


def _strategies_no_substitution(m: Measure, s: sp.Expr):
    for name, attempt in strategies(m, s):
        if not name.startswith("substitution"):
            yield name, attempt


def _invert(g: sp.Expr, x: sp.Symbol, u: sp.Symbol) -> sp.Expr:
    """x as a function of u = g(x) for g = exp(linear), (linear)^a, log(linear)."""
    if isinstance(g, sp.exp):
        inner = sp.log(u)
        linear = g.args[0]
    elif isinstance(g, sp.log):
        inner = sp.exp(u)
        linear = g.args[0]
    else:
        inner = u ** (1 / g.exp)
        linear = g.base
    a, b = sp.Poly(linear, x).all_coeffs()
    return (inner - b) / a


def _clean(expr: sp.Expr) -> sp.Expr:
    """Tidy a substituted expression: exponents expanded, exp(c log u) = u**c, powers merged."""
    expr = expr.replace(lambda e: isinstance(e, sp.exp), lambda e: _exp_of_logs(e.args[0]))
    expr = sp.expand_power_base(sp.powsimp(expr, force=True), force=True)
    expr = sp.powsimp(sp.powdenest(expr, force=True), force=True)
    return sp.expand_log(expr, force=True)


def _exp_of_logs(arg: sp.Expr) -> sp.Expr:
    """exp(Σ c_i log w_i + rest) = Π w_i**c_i · exp(rest)."""
    arg = sp.expand(arg)
    factors, rest = [], []
    for term in sp.Add.make_args(arg):
        coeff, body = term.as_independent(sp.log, as_Add=False)
        if isinstance(body, sp.log) and not coeff.has(sp.log):
            factors.append(body.args[0] ** coeff)
        else:
            rest.append(term)
    return sp.Mul(*factors) * sp.exp(sp.Add(*rest))
