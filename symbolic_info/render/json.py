"""JSON rendering of a Derivation: plain data, expressions as sympy strings (``sympy.sstr``).

The strings parse back with ``sympy.sympify``/``parse_expr``; symbol assumptions are not kept.
"""

from __future__ import annotations

import json
from typing import Any

import sympy as sp


def _expr(value: Any) -> str | None:
    """``sympy.sstr`` of an expression, a matrix (``Matrix([[...]])``), a tuple of equations."""
    return None if value is None else sp.sstr(value)


def _entries(value: Any) -> list[list[str]] | None:
    """A matrix's entries as rows of strings (None for anything else)."""
    if not isinstance(value, sp.MatrixBase):
        return None
    return [[sp.sstr(value[i, j]) for j in range(value.cols)] for i in range(value.rows)]


def _label(member: Any) -> str | None:
    if member is None:
        return None
    label = getattr(member, "label", None)
    return label() if callable(label) else str(member)


def derivation_to_dict(d) -> dict[str, Any]:
    """The derivation as JSON-ready data.

    Keys: ``name, quantity, p, q, base, status, result, conditions, parameters, steps``; each
    step is ``{"rule", "expr", "note"}`` (``rule`` the text of its StepKind). A matrix result
    (Fisher information) also has ``shape`` and ``entries`` (rows of strings).
    """
    data = {
        "name": d.name,
        "quantity": d.quantity,
        "p": _label(d.p),
        "q": _label(d.q),
        "base": _expr(d.base),
        "status": d.status,
        "status_text": d.status_text() if hasattr(d, "status_text") else d.status,
        "result": _expr(d.result),
        "conditions": _expr(d.conditions),
        "parameters": [s.name for s in d.parameters],
        "steps": [{"rule": str(s.rule), "expr": _expr(s.expr), "note": s.note}
                  for s in d.steps],
    }
    entries = _entries(d.result)
    if entries is not None:
        data["shape"] = list(d.result.shape)
        data["entries"] = entries
    return data


def render_json(d, indent: int | None = 2) -> str:
    """The derivation as one JSON object (see :func:`derivation_to_dict`)."""
    return json.dumps(derivation_to_dict(d), indent=indent, ensure_ascii=False)
