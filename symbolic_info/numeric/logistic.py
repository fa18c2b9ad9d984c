r"""Overflow-free forms of the logistic function and its log-normaliser.

A result written with logits holds :math:`1 + e^{a}` (the Bernoulli normaliser), in
:math:`\log(1 + e^{a})` and in ratios :math:`e^{b} / (1 + e^{a})`; at :math:`a = 100` in float32
(or :math:`a = 1000` in float64) :math:`e^{a}` overflows and the value is inf or nan.
:func:`logistic_form` writes :math:`1 + e^{a} = e^{\operatorname{softplus}(a)}`, so that

- :math:`\log(c\,(1 + e^{a})) = \log c + \operatorname{softplus}(a)`,
- :math:`e^{b} / (1 + e^{a}) = e^{b - \operatorname{softplus}(a)}` (the sigmoid
  :math:`\sigma(a) = e^{a - \operatorname{softplus}(a)}`: an exponent ≤ 0),

and :func:`softplus_primitives` spells :math:`\operatorname{softplus}(a) = \max(a, 0) +
\operatorname{log1p}(e^{-|a|})` (with :math:`\max(a, 0) = (a + |a|)/2`, exact in floating point)
in functions every backend prints: the form of ``torch.nn.functional.softplus`` and of the
stable ``binary_cross_entropy_with_logits``.
"""

from __future__ import annotations

import sympy as sp
from sympy.codegen.cfunctions import log1p


class softplus(sp.Function):  # noqa: N801 -- printed by name, like torch.nn.functional
    """softplus(a) = log(1 + e^a)."""

    nargs = 1

    def fdiff(self, argindex=1):
        a = self.args[0]
        return sp.exp(a - softplus(a))  # the sigmoid

    def _eval_is_extended_real(self):
        return self.args[0].is_extended_real

    def _eval_is_positive(self):
        return True if self.args[0].is_extended_real else None

    def _eval_rewrite_as_log(self, a, **kwargs):
        return sp.log(1 + sp.exp(a))

    def _eval_evalf(self, prec):
        return self.rewrite(sp.log)._eval_evalf(prec)


def _one_plus_exp(e: sp.Basic) -> sp.Expr | None:
    """a where e is 1 + e^a, else None."""
    if isinstance(e, sp.Add) and len(e.args) == 2 and sp.S.One in e.args:
        other = e.args[0] if e.args[1] == 1 else e.args[1]
        if isinstance(other, sp.exp) and other.args[0].is_extended_real:
            return other.args[0]
    return None


def logistic_form(expr: sp.Expr) -> sp.Expr:
    """``expr`` with each 1 + e^a (a real) as e^{softplus(a)}, logs of products split off
    it, and each term's exponentials joined (see the module docstring)."""
    found = {e: sp.exp(softplus(a)) for e in expr.atoms(sp.Add)
             if (a := _one_plus_exp(e)) is not None}
    if not found:
        return expr
    expr = expr.xreplace(found)

    def split(e: sp.log) -> sp.Expr:
        factors = sp.Mul.make_args(e.args[0])
        exponents = [f.args[0] for f in factors if isinstance(f, sp.exp) and f.has(softplus)]
        rest = sp.Mul(*[f for f in factors if not (isinstance(f, sp.exp) and f.has(softplus))])
        return sp.Add(*exponents, sp.log(rest) if rest != 1 else 0)

    expr = expr.replace(lambda e: isinstance(e, sp.log) and e.args[0].has(softplus), split)

    def joined(term: sp.Expr) -> sp.Expr:
        if not term.has(softplus):
            return term
        spread = sp.expand(term, mul=True, power_exp=False, power_base=False, log=False,
                           multinomial=False, deep=False)
        return sp.Add(*[sp.powsimp(t, combine="exp") for t in sp.Add.make_args(spread)])

    return sp.Add(*[joined(t) for t in sp.Add.make_args(expr)])


def softplus_primitives(expr: sp.Expr) -> sp.Expr:
    """softplus(a) in primitives, without overflow or needless cancellation: with a = a⁺ + a⁻
    (a⁺ = max(a, 0) = (a + |a|)/2, a⁻ = min(a, 0) = (a - |a|)/2, both exact in floating
    point), softplus(a) = a⁺ + log1p(e^{-|a|}); where a is c·s for a symbol s, s too is
    written a⁺ + a⁻, and the result is collected in a⁺ and a⁻. So the binary cross-entropy
    softplus(l) - p l becomes (1 - p) l⁺ - p l⁻ + log1p(e^{-|l|}) (the form of torch's
    ``binary_cross_entropy_with_logits``: no cancellation of p l against l where p ≈ 1), and
    the Bernoulli entropy's l σ(l) cancels against softplus(l) symbolically."""
    arguments = sorted({e.args[0] for e in expr.atoms(softplus)}, key=sp.default_sort_key)
    if not arguments:
        return expr
    parts, back, symbols = {}, {}, {}
    for a in arguments:
        plus = sp.Dummy("plus", nonnegative=True)
        minus = sp.Dummy("minus", nonpositive=True)
        tail = sp.Dummy("tail", positive=True)
        parts[softplus(a)] = plus + tail
        back.update({plus: (a + sp.Abs(a)) / 2, minus: (a - sp.Abs(a)) / 2,
                     tail: log1p(sp.exp(-sp.Abs(a)))})
        c, s = a.as_coeff_Mul()
        if isinstance(s, sp.Symbol) and s not in symbols:
            symbols[s] = (plus + minus) / c
    expr = expr.xreplace(parts).xreplace(symbols)
    expr = sp.expand(expr, mul=True, power_exp=False, power_base=False, log=False,
                     multinomial=False)
    collected = [d for d in back if d.name != "tail"]
    return sp.collect(expr, collected).xreplace(back)
