r"""The entropy of the Poisson family is strictly increasing in :math:`\lambda` and unbounded.

:math:`H(\lambda) = \lambda - \lambda \log \lambda + \mathbb{E}[\log X!]` has no closed form and
sympy cannot decide the sign of :math:`H'(\lambda) = \mathbb{E}[\log(X + 1)] - \log\lambda`
(Jensen's inequality bounds :math:`\mathbb{E}[\log(X+1)]` from above, not below), so the
argument avoids the derivative:

* *monotone*: for independent :math:`X \sim \mathrm{Poisson}(\alpha)`,
  :math:`Y \sim \mathrm{Poisson}(\beta)` the generating functions multiply, so
  :math:`X + Y \sim \mathrm{Poisson}(\alpha + \beta)`, and
  :math:`H(X + Y) = H(X + Y \mid Y) + I(X + Y; Y) > H(X \mid Y) = H(X)`;
* *unbounded*: :math:`p_x / p_{x-1} = \lambda / x` puts the mode at :math:`\lfloor\lambda
  \rfloor`; Robbins' bound :math:`n! \ge \sqrt{2\pi n}\,(n/e)^n` and :math:`\log u \le u - 1`
  give :math:`p_n \le 1/\sqrt{2\pi n}`, so :math:`H \ge -\log \max_x p_x >
  \tfrac12 \log(2\pi(\lambda - 1))`, which tends to :math:`\infty`;
* *infimum*: :math:`0 \le \log x! \le x(x-1)` and :math:`\mathbb{E}[X(X-1)] = \lambda^2` squeeze
  :math:`H` between :math:`\lambda - \lambda\log\lambda` and that plus :math:`\lambda^2`, both
  tending to 0 as :math:`\lambda \to 0^+`.

Every identity is computed or checked by sympy within the time budget; the standard lemmas
(uniqueness of generating functions, the chain rule of entropy, Robbins' bound) are stated in
the steps.  The objective may be :math:`c\,H(\lambda)` with a positive constant :math:`c`
(another logarithm base).
"""

from __future__ import annotations

import sympy as sp

from ..derive.derivation import Step


def _pmf(lam, x):
    return lam**x * sp.exp(-lam) / sp.factorial(x)


def _zero(problem, expr) -> bool:
    """Whether sympy shows ``expr == 0`` within its cap."""
    return problem.attempt(sp.simplify, expr, cap=5.0) == 0


def match_poisson_entropy(f: sp.Expr, lam: sp.Symbol) -> tuple[sp.Expr, sp.Symbol] | None:
    """``(c, x)`` when ``f = c * H(Poisson(lam))`` (nats) for a positive constant ``c``, with
    ``x`` the summation variable of the series ``E[log X!]``; None otherwise."""
    sums = list(f.atoms(sp.Sum))
    if len(sums) != 1 or len(sums[0].limits) != 1:
        return None
    series = sums[0]
    x, lo, hi = series.limits[0]
    if lo != 0 or hi != sp.oo or series.free_symbols != {lam}:
        return None
    if sp.simplify(series.function - _pmf(lam, x) * sp.log(sp.factorial(x))) != 0:
        return None
    z = sp.Dummy("z")
    g = f.xreplace({series: z})
    scale = sp.diff(g, z)
    if scale.free_symbols or scale.is_positive is not True or sp.diff(g, z, 2) != 0:
        return None
    if sp.simplify(g.subs(z, 0) - scale * (lam - lam * sp.log(lam))) != 0:
        return None
    return scale, x


def poisson_entropy_argument(problem) -> tuple | None:
    """``(status, value, point)`` for the Poisson entropy over its rate, steps appended."""
    if len(problem.over) != 1 or problem.equalities:
        return None
    (lam,) = problem.over
    if problem.domains[lam] != sp.Interval.open(0, sp.oo):
        return None
    found = problem.attempt(match_poisson_entropy, problem.f, lam, cap=10.0)
    if found is None:
        return None
    scale, x = found
    H = sp.Function("H")
    if scale != 1:
        problem.steps.append(Step("Poisson entropy", sp.Eq(problem.f, scale * H(lam)),
                                  f"H({lam}) is the entropy in nats of X ~ Poisson({lam}); "
                                  f"the factor {sp.sstr(scale)} is positive"))
    if _derivative(problem, lam, x, H) is None or _monotone(problem, lam, H) is None:
        return None
    if problem.sense == "max":
        return _unbounded(problem, lam, scale, H)
    return _infimum(problem, lam, x, scale, H)


def _derivative(problem, lam, x, H):
    """dH/dlam = E[log(X + 1)] - log(lam), by termwise differentiation and an index shift."""
    p = _pmf(lam, x)
    shift = problem.attempt(sp.combsimp, _pmf(lam, x - 1) / p, cap=5.0)
    dp = problem.attempt(sp.simplify, sp.diff(p, lam) - (x / lam - 1) * p, cap=5.0)
    if shift is None or dp != 0 or not _zero(problem, shift - x / lam):
        return None
    rhs = -sp.log(lam) + sp.Sum(p * sp.log(x + 1), (x, 0, sp.oo))
    problem.steps.append(Step(
        "derivative", sp.Eq(sp.Derivative(H(lam), lam), rhs),
        f"termwise (the series converge locally uniformly): dp_x/d{lam} = p_(x-1) - p_x "
        f"since p_(x-1)/p_x = {sp.sstr(shift)}, and sum_x (p_(x-1) - p_x) log x! = "
        f"sum_x p_x log(x + 1). Its sign is not decided symbolically (Jensen only bounds "
        f"E[log(X + 1)] by log({lam} + 1) from above), so monotonicity is proved by "
        f"convolution instead"))
    return rhs


def _monotone(problem, lam, H):
    """H(alpha + beta) > H(alpha): Poisson laws add under convolution; conditioning."""
    a, b = sp.symbols("alpha beta", positive=True)
    s = sp.Symbol("s", positive=True)
    k = sp.Symbol("k", integer=True, nonnegative=True)
    pgf = problem.attempt(lambda: sp.simplify(sp.Sum(_pmf(lam, k) * s**k,
                                                     (k, 0, sp.oo)).doit()), cap=10.0)
    if pgf is None or pgf.has(sp.Sum) or not _zero(problem, pgf - sp.exp(lam * (s - 1))):
        return None
    problem.steps.append(Step("generating function",
                              sp.Eq(sp.Sum(_pmf(lam, k) * s**k, (k, 0, sp.oo)), pgf),
                              f"E[s^X] for X ~ Poisson({lam}), summed by sympy"))
    if not _zero(problem, pgf.subs(lam, a) * pgf.subs(lam, b) - pgf.subs(lam, a + b)):
        return None
    problem.steps.append(Step(
        "convolution", sp.Eq(pgf.subs(lam, a) * pgf.subs(lam, b), pgf.subs(lam, a + b)),
        "for independent X ~ Poisson(alpha), Y ~ Poisson(beta) the generating function of "
        "X + Y is the product, that of Poisson(alpha + beta); a generating function "
        "determines the distribution, so X + Y ~ Poisson(alpha + beta)"))
    witness = problem.attempt(sp.simplify, _pmf(a + b, 0) * _pmf(b, 1), cap=5.0)
    if witness is None or witness.is_positive is not True:
        return None
    problem.steps.append(Step(
        "conditioning", sp.StrictGreaterThan(H(a + b), H(a)),
        f"H(X + Y) = H(X + Y | Y) + I(X + Y; Y) and H(X + Y | Y) = H(X | Y) = H(X) (given Y, "
        f"X + Y is X shifted, and X is independent of Y); I(X + Y; Y) > 0 because X + Y and "
        f"Y are dependent: P(X + Y = 0, Y = 1) = 0 but P(X + Y = 0) P(Y = 1) = "
        f"{sp.sstr(witness)} > 0"))
    problem.steps.append(Step(
        "monotone", H(lam),
        f"H is strictly increasing on (0, oo): for {lam}' > {lam} take alpha = {lam}, "
        f"beta = {lam}' - {lam}"))
    return True


def _unbounded(problem, lam, scale, H):
    n = sp.Symbol("n", integer=True, positive=True)
    x = sp.Symbol("x", integer=True, positive=True)
    ratio = problem.attempt(sp.combsimp, _pmf(lam, x) / _pmf(lam, x - 1), cap=5.0)
    if ratio is None or not _zero(problem, ratio - lam / x):
        return None
    p = sp.Function("p")
    problem.steps.append(Step(
        "mode", sp.Eq(p(x) / p(x - 1), ratio),
        f"p(x) = {sp.sstr(_pmf(lam, x))} (computed by sympy); the ratio is at least 1 exactly "
        f"when x <= {lam}: the pmf rises up to x = floor({lam}) and falls after it, so "
        f"max_x p(x) = p(floor({lam}))"))
    robbins = _pmf(lam, n).subs(sp.factorial(n), sp.sqrt(2 * sp.pi * n) * (n / sp.E) ** n)
    exponent = n - lam + n * sp.log(lam / n)
    same = problem.attempt(lambda: sp.simplify(sp.expand_log(
        sp.log(robbins) - (exponent - sp.log(2 * sp.pi * n) / 2), force=True)), cap=5.0)
    if same != 0:
        return None
    problem.steps.append(Step(
        "Stirling bound", sp.Le(_pmf(lam, n), 1 / sp.sqrt(2 * sp.pi * n)),
        f"for n >= 1, Robbins' bound n! >= sqrt(2 pi n) (n/e)^n gives p_n <= "
        f"exp({sp.sstr(exponent)})/sqrt(2 pi n) (checked by sympy), and the exponent is "
        f"n (log u - (u - 1)) <= 0 with u = {lam}/n, since log u <= u - 1"))
    bound = sp.log(2 * sp.pi * (lam - 1)) / 2
    problem.steps.append(Step(
        "lower bound", sp.StrictGreaterThan(H(lam), bound),
        f"for {lam} > 1: H = E[-log p_X] >= -log max_x p_x = -log p_floor({lam}) >= "
        f"log(2 pi floor({lam}))/2 > log(2 pi ({lam} - 1))/2, as floor({lam}) >= 1 and "
        f"floor({lam}) > {lam} - 1"))
    lim = problem.attempt(sp.limit, scale * bound, lam, sp.oo, cap=8.0)
    if lim != sp.oo:
        return None
    problem.steps.append(Step("limit", sp.Eq(sp.Limit(scale * bound, lam, sp.oo), lim),
                              "the lower bound tends to oo"))
    problem.steps.append(Step(
        "unbounded", sp.oo,
        f"the objective {'H' if scale == 1 else sp.sstr(scale) + ' H'} is strictly increasing "
        f"and above a bound that tends to oo: its supremum oo is approached as {lam} -> oo "
        f"and not attained"))
    return "unbounded", sp.oo, {lam: sp.oo}


def _infimum(problem, lam, x, scale, H):
    moment = problem.attempt(lambda: sp.simplify(sp.Sum(x * (x - 1) * _pmf(lam, x),
                                                        (x, 0, sp.oo)).doit()), cap=10.0)
    if moment is None or not _zero(problem, moment - lam**2):
        return None
    problem.steps.append(Step("factorial moment",
                              sp.Eq(sp.Sum(x * (x - 1) * _pmf(lam, x), (x, 0, sp.oo)), moment),
                              "E[X (X - 1)], summed by sympy"))
    lower = lam - lam * sp.log(lam)
    upper = lower + moment
    problem.steps.append(Step(
        "bounds", sp.And(sp.Le(lower, H(lam)), sp.Le(H(lam), upper)),
        f"H = {sp.sstr(lower)} + E[log X!] and 0 <= log x! <= x log x <= x (x - 1) for "
        f"integers x >= 0 (log u <= u - 1), so 0 <= E[log X!] <= E[X (X - 1)]"))
    limits = [problem.attempt(sp.limit, e, lam, 0, "+", cap=8.0) for e in (lower, upper)]
    if limits != [0, 0]:
        return None
    problem.steps.append(Step(
        "limit", sp.Tuple(sp.Eq(sp.Limit(lower, lam, 0, "+"), 0),
                          sp.Eq(sp.Limit(upper, lam, 0, "+"), 0)),
        f"both bounds tend to 0, so H({lam}) -> 0 as {lam} -> 0+"))
    problem.steps.append(Step(
        "infimum", sp.S.Zero,
        f"H is strictly increasing, so H({lam}) > lim H = 0 for every {lam} > 0: the "
        f"infimum 0 is approached as {lam} -> 0+ and not attained"))
    return "infimum", sp.S.Zero * scale, {lam: sp.S.Zero}
