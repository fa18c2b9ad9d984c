r"""Symmetrised divergences composed from derived KL divergences.

.. math::
    J(P, Q) = D_{\mathrm{KL}}(P \parallel Q) + D_{\mathrm{KL}}(Q \parallel P)
    = \int (p - q) \log\frac{p}{q}

(Jeffreys 1946), each KL derived by the engine (steps, checks, the store), the sum written in
textbook form; infinite where either KL is.
"""

from __future__ import annotations

import sympy as sp

from ..families.spec import Family
from .additivity import ORDER
from .derivation import Derivation, Step, StepKind
from .quantities import kl
from .simplify import textbook


def jeffreys(p: Family, q: Family, *, base=None, timeout: float = 30) -> Derivation:
    r"""Jeffreys divergence
    :math:`D_{\mathrm{KL}}(P \parallel Q) + D_{\mathrm{KL}}(Q \parallel P)`."""
    forward = kl(p, q, base=base, timeout=timeout)
    backward = kl(q, p, base=base, timeout=timeout)
    f = sp.Function("D_KL")
    P, Q = sp.Symbol("P"), sp.Symbol("Q")
    steps = [Step(StepKind.DEFINITION, f(P, Q) + f(Q, P),
                  "definition of the Jeffreys divergence, the symmetrised KL")]
    for term, part in ((f(P, Q), forward), (f(Q, P), backward)):
        steps.append(Step(StepKind.COMPONENT, sp.Eq(term, part.result, evaluate=False),
                          f"{part.name}: {part.status_text()}"))
    status = max((forward.status, backward.status), key=ORDER.index)
    parameters = tuple(dict.fromkeys(forward.parameters + backward.parameters))
    conditions = sp.And(forward.conditions, backward.conditions)
    if status == "infinite":
        result = sp.oo
        steps.append(Step(StepKind.DIVERGENCE, sp.oo, "a KL of the pair is infinite, so is J"))
    else:
        total = forward.result + backward.result
        steps.append(Step(StepKind.SUBSTITUTED, total, "both KLs substituted"))
        result = total
        if status == "closed_form" and not total.has(sp.Piecewise):
            result = textbook(total)
            steps.append(Step(StepKind.SIMPLIFICATION, result, "textbook form"))
        if status == "closed_form" and forward.checked and backward.checked:
            steps.append(Step(StepKind.NUMERIC_CHECK, sp.Float(0), "both KLs checked "
                              "against numerical integration"))
    return Derivation(name=f"jeffreys_{p.name}_{q.name}", quantity="jeffreys", result=result,
                      status=status, conditions=conditions, steps=tuple(steps),
                      parameters=parameters, p=p, q=q, base=sp.sympify(base) if base else None)
