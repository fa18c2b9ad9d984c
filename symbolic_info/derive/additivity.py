r"""Additivity over independent components.

For :math:`P = \prod_i P_i` and :math:`Q = \prod_i Q_i` with matching components,
:math:`\log p(x) = \sum_i \log p_i(x_i)` and the expectation of each term under :math:`P` is
one under :math:`P_i` alone, so

.. math::
    H(P) = \sum_i H(P_i),\quad H(P, Q) = \sum_i H(P_i, Q_i),\quad
    D_{\mathrm{KL}}(P \parallel Q) = \sum_i D_{\mathrm{KL}}(P_i \parallel Q_i),

each component derived on its own (no integral over the product space).
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from ..families.spec import Family
from .derivation import Derivation, Step, StepKind

SYMBOL = {"entropy": "H", "cross_entropy": "H", "kl": "D_KL"}
# the worst one wins; an undefined term (no value) leaves the sum undefined, even beside +oo
ORDER = ("closed_form", "no_closed_form", "timed_out", "infinite", "undefined")


def matching(p: Family, q: Family | None) -> bool:
    """Whether P (and Q) are product laws whose components pair up by dimension."""
    if not p.spec.factors:
        return False
    if q is None:
        return True
    if (p.spec.repeat is None) != (q.spec.repeat is None):
        return False
    if p.spec.repeat is not None:
        return (p.spec.repeat[1] == q.spec.repeat[1]
                and p.factors()[0].dimension == q.factors()[0].dimension)
    return (len(q.spec.factors) == len(p.spec.factors)
            and all(a.dimension == b.dimension for a, b in zip(p.factors(), q.factors())))


def by_additivity(quantity: str, p: Family, q: Family | None, name: str,
                  parameters: tuple, component: Callable[[Family, Family | None], Derivation]
                  ) -> Derivation:
    """The quantity of a product law as the sum of its components' (``component`` derives
    one): the steps after the definition, one for the additivity and one per component."""
    ps = p.factors()
    qs = q.factors() if q is not None else [None] * len(ps)
    f = sp.Function(SYMBOL[quantity])
    if p.spec.repeat is not None:  # k components of one family: the sum over the index
        index, k = p.spec.repeat
        labels, qlabels = [sp.Indexed("P", index)], [sp.Indexed("Q", index)]
    else:
        labels = [sp.Symbol(f"P_{i}") for i in range(1, len(ps) + 1)]
        qlabels = [sp.Symbol(f"Q_{i}") for i in range(1, len(ps) + 1)]
    terms = [f(a) if q is None else f(a, b) for a, b in zip(labels, qlabels)]
    total = sp.Sum(terms[0], (index, 1, k)) if p.spec.repeat is not None else \
        sp.Add(*terms, evaluate=False)
    steps = [Step(StepKind.ADDITIVITY, total,
                  "P" + (" and Q are products" if q is not None else " is a product")
                  + " of independent components: log p(x) = Σ_i log p_i(x_i), and each "
                  "term's expectation involves its own component only")]
    parts = [component(a, b) for a, b in zip(ps, qs)]
    for term, a, b, part in zip(terms, ps, qs, parts):
        what = a.label() if b is None else f"{a.label()} || {b.label()}"
        steps.append(Step(StepKind.COMPONENT, sp.Eq(term, part.result, evaluate=False),
                          f"{what}: {part.status_text()}"))
    status = max((part.status for part in parts), key=ORDER.index)
    result = {"infinite": sp.oo, "undefined": sp.nan}.get(
        status, sp.Add(*[part.result for part in parts]))
    if p.spec.repeat is not None and status not in ("infinite", "undefined"):
        result = sp.Sum(result, (index, 1, k))
    conditions = sp.And(*[part.conditions for part in parts])
    steps.append(Step(StepKind.SUBSTITUTED, result, "components substituted"))
    if status == "undefined":
        steps.append(Step(StepKind.UNDEFINED, sp.nan, "a component's quantity is undefined "
                          "(its integral has no value), so the sum has none"))
    if status == "closed_form" and all(part.checked for part in parts):
        steps.append(Step(StepKind.NUMERIC_CHECK, sp.Float(max(
            (float(s.expr) for part in parts for s in part.steps
             if s.kind is StepKind.NUMERIC_CHECK), default=0.0), 3),
            "each component checked against numerical integration"))
    return Derivation(name=name, quantity=quantity, result=result, status=status,
                      conditions=conditions, steps=tuple(steps), parameters=parameters,
                      p=p, q=q, base=None)
