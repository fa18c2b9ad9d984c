r"""The textbook form of a result, for printing: constants gathered the way tables print them.

Two rewrites, both exact (each term is replaced by an equal one; :func:`expanded` undoes the
printing devices) and both general (no family is named):

- **A half-log with its constant.** ``c log A + r`` where the factors of ``A > 0`` have
  exponents with common denominator ``m > 1`` and the rational constant ``r`` of the sum is
  ``c/m`` becomes ``(c/m) log(e A^m)``: ``log(√2 √π σ) + 1/2`` is ``½ log(2πeσ²)`` (the
  normal), ``μ + ½ log(2πeσ²)`` (the log-normal), ``½ log(16πec²) + 3γ/2`` (the Lévy). A sum
  without that constant keeps its logarithm (``log(2b) + 1``, the Laplace, is already the
  table's form).
- **Logarithms in base b.** A quantity in base ``b`` is ``N / log b`` with ``N`` in nats; each
  term of ``N`` linear in logarithms is written with ``log_b`` (``c log u / log b = c log_b
  u``) and each term without a logarithm times ``log_b e``: ``½ log₂(2πeσ²)``, not
  ``\frac{...}{2 \log 2}``. A term not linear in logarithms keeps its ``/ log b``.
"""

from __future__ import annotations

from functools import reduce
from math import lcm

import sympy as sp

from .printer import LogBase

_LOGS = (sp.log, sp.loggamma)


def expanded(expr):
    """``expr`` with the printing devices (:class:`LogBase`) written as plain sympy."""
    if not isinstance(expr, sp.Basic):
        return expr
    return expr.replace(lambda e: isinstance(e, LogBase),
                        lambda e: sp.log(e.args[0]) / sp.log(e.args[1]))


def textbook_form(expr):
    """``expr`` as tables print it (see the module docstring); ``expr`` itself when no rewrite
    applies. A ``Piecewise`` is rewritten piece by piece."""
    if isinstance(expr, sp.Piecewise):
        return sp.Piecewise(*[(textbook_form(v), c) for v, c in expr.args], evaluate=False)
    if not isinstance(expr, sp.Expr) or not isinstance(expr, sp.Add):
        return expr
    return _half_log_with_constant(expr)


def _half_log_with_constant(expr: sp.Add) -> sp.Expr:
    terms = list(expr.args)
    constant = sp.Add(*[t for t in terms if t.is_Rational])
    if constant == 0:
        return expr
    for i, term in enumerate(terms):
        coeff, rest = term.as_coeff_Mul()
        if not isinstance(rest, sp.log) or not coeff.is_Rational:
            continue
        argument = rest.args[0]
        if argument.is_positive is not True:
            continue
        m = _common_root(argument)
        if m == 1 or constant != coeff / m:
            continue
        gathered = sp.expand_power_base(sp.powsimp(argument**m, force=True), force=True)
        new = sp.Mul(coeff / m, sp.log(sp.E * gathered), evaluate=False)
        others = [t for j, t in enumerate(terms) if j != i and not t.is_Rational]
        return sp.Add(*others, new, evaluate=False) if others else new
    return expr


def _common_root(argument: sp.Expr) -> int:
    """The least m for which every factor of ``argument`` has an integer exponent times m
    (2 for √2 √π σ); 1 when all exponents are integers."""
    denominators = []
    for base, exponent in argument.as_powers_dict().items():
        if base.is_Rational and base.q != 1:  # 1/2 as a factor: 2^-1
            continue
        if exponent.is_Rational:
            denominators.append(int(exponent.q))
        else:
            return 1
    return reduce(lcm, denominators, 1)


def in_base(expr: sp.Expr, base) -> sp.Expr | None:
    r"""``expr`` (a quantity in base ``b``, that is its value in nats over ``log b``) with
    ``\log_b``: terms linear in logarithms in ``log_b``, terms without one times ``log_b e``
    (:func:`textbook_form` first, on the value in nats). ``None`` when no term has a
    logarithm (nothing to gain) or the value is not such a quotient."""
    if base is None or not isinstance(expr, sp.Expr):
        return None
    base = sp.sympify(base)
    nats = sp.Add(*[t * sp.log(base) for t in sp.Add.make_args(expr)])
    if nats.has(sp.log(base) ** -1):
        return None
    nats = textbook_form(nats)
    parts = sp.Add.make_args(nats)
    constant = sp.Add(*[t for t in parts if t.is_number and not t.has(*_LOGS)])
    parts = [t for t in parts if not (t.is_number and not t.has(*_LOGS))]
    terms, changed = [], False
    for term in parts + ([constant] if constant != 0 else []):  # constants as one (c) log_b e
        written = _term_in_base(term, base)
        if written is None:
            terms.append(term / sp.log(base))
        else:
            terms.append(written)
            changed = changed or written.has(LogBase)
    if not changed:
        return None
    return sp.Add(*terms, evaluate=False) if len(terms) > 1 else terms[0]


def _term_in_base(term: sp.Expr, base) -> sp.Expr | None:
    """One term of the value in nats, divided by ``log b`` and written with ``log_b``; None
    when the term is not linear in its logarithms."""
    logs = [e for e in term.atoms(*_LOGS)]
    if not logs:
        if term.has(sp.Integral, sp.Sum):
            return None
        return term * LogBase(sp.E, base)
    t = sp.Dummy("t")
    scaled = term.xreplace({e: t * e for e in logs})
    if sp.expand(scaled - t * term) != 0:
        return None
    mapping = {}
    for e in logs:
        u = e.args[0] if isinstance(e, sp.log) else sp.gamma(e.args[0])
        mapping[e] = sp.S.One if u == base else LogBase(u, base)
    return term.xreplace(mapping)
