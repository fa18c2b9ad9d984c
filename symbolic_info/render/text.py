"""Plain-text rendering of a Derivation for terminals."""

from __future__ import annotations

import sympy as sp

from .latex import integration_variable_of
from .symbols import variable_name


def render_text(d) -> str:
    """Name, status in words, result, conditions, parameters, then the numbered steps (the
    integration variable under a name no parameter has)."""
    variable = integration_variable_of(d)
    symbols = set(d.parameters)
    variables = variable if isinstance(variable, tuple) else (variable,)
    names = variable_name(variable, symbols)
    shown = dict(zip(variables, map(sp.Symbol, names if isinstance(names, tuple) else (names,))))

    def text(expr) -> str:
        if isinstance(expr, sp.Basic):
            expr = expr.xreplace(shown)
        return sp.sstr(expr)

    lines = [f"{d.name}: {d.status} ({d.status_text()})", f"  result     = {text(d.result)}"]
    if d.conditions != sp.true:
        lines.append(f"  conditions : {sp.sstr(d.conditions)}")
    lines.append(f"  parameters : {', '.join(s.name for s in d.parameters)}")
    lines.append("  steps:")
    for i, step in enumerate(d.steps, 1):
        lines.append(f"  {i:2d}. {step.rule}: {text(step.expr)}")
        if step.note:
            lines.append(f"      -- {step.note}")
    return "\n".join(lines)
