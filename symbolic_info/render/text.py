"""Plain-text rendering of a Derivation for terminals."""

from __future__ import annotations

import sympy as sp


def render_text(d) -> str:
    lines = [f"{d.name}: {d.status}", f"  result     = {sp.sstr(d.result)}"]
    if d.conditions != sp.true:
        lines.append(f"  conditions : {sp.sstr(d.conditions)}")
    lines.append(f"  parameters : {', '.join(s.name for s in d.parameters)}")
    lines.append("  steps:")
    for i, step in enumerate(d.steps, 1):
        lines.append(f"  {i:2d}. {step.rule}: {sp.sstr(step.expr)}")
        if step.note:
            lines.append(f"      -- {step.note}")
    return "\n".join(lines)
