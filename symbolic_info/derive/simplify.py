"""Textbook form: the shape a closed form is printed in, reached by cheap rewrites only.

``simplify`` on a whole KL garbles the logs, so we expand, merge the logarithms of the
parameters into one ``log`` where that is valid (positive arguments), leave polygamma and
EulerGamma terms as they are, and write the rational rest over common denominators with
squares completed: ``(mu_1**2 - 2*mu_1*mu_2 + mu_2**2 + sigma_1**2)/(2*sigma_2**2) - 1/2``
becomes ``((mu_1 - mu_2)**2 + sigma_1**2)/(2*sigma_2**2) - 1/2``.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import sympy as sp

SPECIAL = (sp.polygamma, sp.EulerGamma, sp.loggamma, sp.gamma, sp.beta)


def textbook(expr: sp.Expr) -> sp.Expr:
    r"""Rewrite ``expr`` as :math:`\log(\cdot) + \text{special terms} + \text{rational part}`."""
    expr = sp.sympify(expr)
    if expr.has(sp.Integral, sp.Sum, sp.Piecewise) or not expr.free_symbols:
        return sp.nsimplify(expr) if expr.is_Float else expr
    expr = sp.expand(sp.expand_log(sp.expand_func(expr), force=False))
    logs, special, rest = [], [], []
    for term in sp.Add.make_args(expr):
        if term.has(*SPECIAL):
            special.append(term)
        elif term.has(sp.log) and _log_only(term):
            logs.append(term)
        else:
            rest.append(term)
    by_coeff: dict[sp.Expr, list[sp.Expr]] = defaultdict(list)
    for term in logs:  # c*log(a) - c*log(b) -> c*log(a/b), per symbolic coefficient c
        coeff, body = term.as_independent(sp.log, as_Add=False)
        number, symbolic = coeff.as_coeff_Mul()
        by_coeff[symbolic].append(number * body)
    log_part = sp.Add(*[c * sp.logcombine(sp.Add(*bodies), force=False)
                        for c, bodies in by_coeff.items()])
    log_part = log_part.replace(lambda e: isinstance(e, sp.log), _tidy_log)
    special_part = sp.Add(*special)
    keys = sorted(special_part.atoms(sp.polygamma), key=sp.default_sort_key) + [sp.EulerGamma]
    special_part = sp.collect(special_part, keys)
    return log_part + special_part + _rational_part(sp.Add(*rest))


def _tidy_log(e: sp.log) -> sp.Expr:
    """log(a) with a factored and squares completed in its numerator."""
    num, den = sp.fraction(sp.factor(e.args[0]))
    if isinstance(num, sp.Add):
        num = _complete_squares(num)
    return sp.log(num / den)


def _log_only(term: sp.Expr) -> bool:
    _, body = term.as_independent(sp.log, as_Add=False)
    return isinstance(body, sp.log)


def _rational_part(rest: sp.Expr) -> sp.Expr:
    """Group terms by denominator, complete squares in each numerator, keep constants apart."""
    if rest == 0:
        return sp.S.Zero
    groups: dict[sp.Expr, list[sp.Expr]] = defaultdict(list)
    for term in sp.Add.make_args(sp.expand(rest)):
        num, den = sp.fraction(sp.cancel(sp.together(term)))
        scale, core = sp.factor_terms(den).as_coeff_Mul()
        groups[core].append(num / scale)
    grouped = sp.Add(*[_smaller(sp.factor_terms(_complete_squares(sp.Add(*nums))) / core)
                       for core, nums in groups.items()])
    candidates = [grouped, sp.factor_terms(sp.together(rest)), sp.expand(rest)]
    best = min(candidates, key=sp.count_ops)
    return grouped if sp.count_ops(grouped) <= sp.count_ops(best) + 4 else best


def _smaller(fraction: sp.Expr) -> sp.Expr:
    """The fraction, or its cancelled form where that is shorter ((a - b)/(b - a) -> -1)."""
    cancelled = sp.cancel(fraction)
    return cancelled if sp.count_ops(cancelled) < sp.count_ops(fraction) else fraction


def _complete_squares(poly: sp.Expr) -> sp.Expr:
    """Replace c*(a**2 - 2*a*b + b**2) inside ``poly`` by c*(a - b)**2 (and a + b likewise)."""
    residual = sp.expand(poly)
    squares = []
    for a, b in combinations(sorted(residual.free_symbols, key=lambda s: s.name), 2):
        ca, cb = residual.coeff(a, 2), residual.coeff(b, 2)
        cab = residual.coeff(a, 1).coeff(b, 1)
        if ca == 0 or ca != cb or ca.has(a, b):
            continue
        for sign in (-1, 1):
            if sp.expand(cab - sign * 2 * ca) == 0:
                square = ca * (a + sign * b) ** 2
                residual = sp.expand(residual - sp.expand(square))
                squares.append(square)
                break
    return residual + sp.Add(*squares)
