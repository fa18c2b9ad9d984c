"""Textbook form: the shape a closed form is printed in, reached by cheap rewrites only.

``simplify`` on a whole KL garbles the logs, so we expand, merge the logarithms of the
parameters into one ``log`` where that is valid (positive arguments), and leave polygamma and
EulerGamma terms as they are.
"""

from __future__ import annotations

import sympy as sp


def textbook(expr: sp.Expr) -> sp.Expr:
    r"""Rewrite ``expr`` as :math:`\log(\cdot) + \text{special terms} + \text{rational part}`."""
    expr = sp.sympify(expr)
    if expr.has(sp.Integral, sp.Sum, sp.Piecewise) or not expr.free_symbols:
        return sp.nsimplify(expr) if expr.is_Float else expr
    expr = sp.expand(sp.expand_log(sp.expand_func(expr), force=False))
    logs, special, rest = [], [], []
    for term in sp.Add.make_args(expr):
        if term.has(sp.polygamma, sp.EulerGamma, sp.loggamma, sp.gamma, sp.beta):
            special.append(term)
        elif term.has(sp.log) and _log_only(term):
            logs.append(term)
        else:
            rest.append(term)
    log_part = sp.logcombine(sp.Add(*logs), force=False)
    log_part = log_part.replace(lambda e: isinstance(e, sp.log),
                                lambda e: sp.log(sp.factor(e.args[0])))
    rest_part = sp.Add(*rest)
    if rest:
        candidates = [sp.factor_terms(sp.together(rest_part)), sp.cancel(rest_part),
                      sp.expand(rest_part)]
        rest_part = min(candidates, key=sp.count_ops)
    return log_part + sp.Add(*special) + rest_part


def _log_only(term: sp.Expr) -> bool:
    coeff, body = term.as_coeff_Mul()
    return isinstance(body, sp.log)
