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
    shown.update(_other_dummies(d, shown))

    def text(expr) -> str:
        if isinstance(expr, (sp.Basic, sp.MatrixBase)):
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


def _other_dummies(d, shown: dict) -> dict:
    """Other bound variables of the steps (a CDF's ``_X``) under their names without the
    underscore, where no parameter or shown variable has that name (two such variables of one
    name are in different steps, so they may share it)."""
    taken = {s.name for s in d.parameters} | {s.name for s in shown.values()}
    found: dict = {}
    for step in d.steps:
        if not isinstance(step.expr, (sp.Basic, sp.MatrixBase)):
            continue
        for dummy in sorted(step.expr.atoms(sp.Dummy), key=sp.default_sort_key):
            name = dummy.name.lstrip("_")
            if dummy not in shown and dummy not in found and name and name not in taken:
                found[dummy] = sp.Symbol(name)
    return found
