r"""Mutual information and conditional entropy between blocks of a multivariate member.

.. math::
    I(X_A; X_B) = h(X_A) + h(X_B) - h(X_A, X_B)
    = D_{\mathrm{KL}}(P_{AB} \parallel P_A P_B),\qquad
    h(X_A \mid X_B) = h(X_A, X_B) - h(X_B),

each entropy derived (by the engine) from the marginal law of its coordinates
(:mod:`symbolic_info.derive.marginal`).  For the normal the marginals are the blocks of
:math:`\Sigma`, and :math:`I = \tfrac12 \log(\det\Sigma_{AA} \det\Sigma_{BB} / \det\Sigma)`.
"""

from __future__ import annotations

import sympy as sp

from ..errors import InvalidParameter
from ..families.spec import Family
from .additivity import ORDER
from .derivation import Derivation, Step, StepKind
from .marginal import check_indices, marginal
from .quantities import entropy
from .simplify import textbook


def _block(indices) -> sp.Indexed:
    """X_{i,j,...}: the block of coordinates (0-based indices, as numpy counts)."""
    return sp.IndexedBase("X")[tuple(indices)]


def mutual_information(p: Family, between, *, base=None, timeout: float = 30) -> Derivation:
    """I(X_A; X_B) for ``between=(A, B)``, A and B disjoint lists of coordinates (0-based)."""
    try:
        a, b = between
    except (TypeError, ValueError):
        raise InvalidParameter("between must be a pair (A, B) of coordinate lists, got "
                               f"{between!r}") from None
    a, b = check_indices(p, a, "A"), check_indices(p, b, "B")
    if set(a) & set(b):
        raise InvalidParameter(f"A and B must be disjoint, both contain "
                               f"{sorted(set(a) & set(b))}")
    h = sp.Function("h")
    xa, xb = _block(a), _block(b)
    xab = _block(sorted(a + b))
    terms = [(h(xa), xa, 1, a), (h(xb), xb, 1, b), (h(xa, xb), xab, -1, tuple(sorted(a + b)))]
    definition = h(xa) + h(xb) - h(xa, xb)
    note = ("I(X_A; X_B) = D_KL(P_AB || P_A P_B) = h(X_A) + h(X_B) - h(X_A, X_B), each "
            "entropy that of a marginal law")
    return _combine("mutual_information", f"mutual_information_{p.name}", p, definition,
                    note, terms, base, timeout)


def conditional_entropy(p: Family, given, *, base=None, timeout: float = 30) -> Derivation:
    """h(X_A | X_B) for ``given=B`` (A: the other coordinates) = h(X_A, X_B) - h(X_B)."""
    b = check_indices(p, given, "given")
    a = tuple(i for i in range(p.dimension) if i not in b)
    if not a:
        raise InvalidParameter("given must leave at least one coordinate to condition")
    h = sp.Function("h")
    xa, xb = _block(a), _block(b)
    definition = h(xa, xb) - h(xb)
    terms = [(h(xa, xb), _block(range(p.dimension)), 1, tuple(range(p.dimension))),
             (h(xb), xb, -1, b)]
    note = "chain rule: h(X_A | X_B) = h(X_A, X_B) - h(X_B), each entropy that of a marginal law"
    return _combine("conditional_entropy", f"conditional_entropy_{p.name}", p, definition,
                    note, terms, base, timeout)


def _combine(quantity, name, p, definition, note, terms, base, timeout) -> Derivation:
    steps = [Step(StepKind.DEFINITION, definition, note)]
    parts = []
    for symbol, block, sign, keep in terms:
        law = marginal(p, keep)
        d = entropy(law, timeout=timeout)
        parts.append((sign, d))
        if law is not p:
            steps.append(Step(StepKind.MARGINAL, sp.Eq(sp.Function("p")(block), law.density,
                                                       evaluate=False),
                              f"the marginal law of coordinates {list(keep)}, by integrating "
                              "out the others"))
        steps.append(Step(StepKind.COMPONENT, sp.Eq(symbol, d.result, evaluate=False),
                          f"{law.label()}: {d.status_text()}"))
    status = max((d.status for _, d in parts), key=ORDER.index)
    total = sp.Add(*[sign * d.result for sign, d in parts])
    steps.append(Step(StepKind.SUBSTITUTED, total, "entropies substituted"))
    result = textbook(total) if status == "closed_form" else total
    if status == "undefined":
        result = sp.nan
        steps.append(Step(StepKind.UNDEFINED, result, "an entropy of the sum is undefined (its "
                          "integral has no value), so the quantity has none"))
    if status == "closed_form":
        steps.append(Step(StepKind.SIMPLIFICATION, result, "textbook form"))
        if all(d.checked for _, d in parts):
            steps.append(Step(StepKind.NUMERIC_CHECK, sp.Float(0), "each entropy checked "
                              "against numerical integration"))
    if base is not None:
        base = sp.sympify(base)
        if not (base.is_positive and base != 1):
            raise InvalidParameter(f"base must be positive and not 1, got {base}")
    if base is not None and status != "undefined":  # nan in any base
        result = result / sp.log(base)
        steps.append(Step(StepKind.CHANGE_OF_BASE, result,
                          f"divide by log({base}) to express in base {base}"))
    conditions = sp.And(*[d.conditions for _, d in parts])
    return Derivation(name=name, quantity=quantity, result=result, status=status,
                      conditions=conditions, steps=tuple(steps), parameters=p.parameters,
                      p=p, q=None, base=base)
