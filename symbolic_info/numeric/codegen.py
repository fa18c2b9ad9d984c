"""Python source of the float64 evaluators of a :class:`StableForm`.

The same text is executed by :meth:`Derivation.lambdify` and written by :func:`export`, so an
exported function computes exactly what the backend computes. ``numpy_function`` writes array
code (numpy and scipy.special); ``scalar_function`` writes scalar ``math`` code that
``numba.vectorize`` compiles. Each evaluates the direct form; where some argument shared by
log Γ and ψ is at least LARGE, the Stirling form on those points; where the form has a
near-equality branch and D < GATE, the Taylor terms (after common-subexpression elimination),
keeping the series where its last terms are below the direct form's rounding error
EPS·Σ|terms| (see :mod:`.stable`).
"""

from __future__ import annotations

import sympy as sp
from sympy.codegen.rewriting import create_expand_pow_optimization, optimize

from .printing import array_code, scalar_code
from .stable import EPS, GATE, ORDER, NearEquality, StableForm

INDENT = "    "


def near_parts(near: NearEquality, mapping: dict) -> tuple[list[tuple[str, sp.Expr]],
                                                             list[str], str, str]:
    """(assignments, term names, last-terms expression, scale expression), CSE applied."""
    deltas = {d: sp.Symbol(f"_d{k}") for k, (d, _, _) in enumerate(near.differences)}
    renamed = [t.xreplace(deltas).xreplace(mapping) for t in near.terms]
    magnitude = near.magnitude.xreplace(mapping)
    replacements, reduced = sp.cse([*renamed, magnitude],
                                   symbols=sp.numbered_symbols("_x"), order="none")
    names = [f"_c{k + near.first}" for k in range(len(renamed))]
    assignments = [(str(s), e) for s, e in replacements]
    assignments += list(zip(names, reduced[:-1]))
    assignments.append(("_scale", reduced[-1]))
    differences = [(str(deltas[d]), (q - p).xreplace(mapping))
                   for d, q, p in near.differences]
    return differences + assignments, names, names[-2:], "_scale"


def _multiplied_powers(expr: sp.Expr) -> sp.Expr:
    """x**n as x*x*...*x (n ≤ ORDER): numpy's power of a float array by an integer is a libm
    call per element, many times slower than the products."""
    return optimize(expr, [create_expand_pow_optimization(ORDER)])


def numpy_function(name: str, args: list[str], form: StableForm, mapping: dict,
                   doc: str = "") -> str:
    """``def name(args)``: vectorised numpy code for ``form`` (symbols renamed by mapping)."""
    direct = form.direct.xreplace(mapping)
    lines = []
    if form.large is not None:
        lines += [f"def _{name}_large({', '.join(args)}):",
                  f"{INDENT}return {array_code(form.large.form.xreplace(mapping))}", "", ""]
    lines += [f"def {name}({', '.join(args)}):"]
    if doc:
        lines.append(INDENT + doc)
    lines += [f"{INDENT}{a} = numpy.asarray({a}, dtype=float)" for a in args]
    lines.append(f"{INDENT}shape = numpy.broadcast({', '.join(args)}).shape" if args else
                 f"{INDENT}shape = ()")
    lines += [f"{INDENT}with numpy.errstate(all='ignore'):",
              f"{INDENT * 2}out = numpy.asarray({array_code(direct)}, dtype=float)",
              f"{INDENT * 2}if out.shape != shape:",
              f"{INDENT * 3}out = numpy.broadcast_to(out, shape).copy()"]
    if form.large is not None:
        condition = array_code(form.large.condition.xreplace(mapping))
        subsets = ", ".join(f"numpy.broadcast_to({a}, shape).reshape(-1).take(large)"
                            for a in args)
        lines += [f"{INDENT * 2}large = numpy.flatnonzero(numpy.broadcast_to({condition}, "
                  f"shape))",
                  f"{INDENT * 2}if large.size:",
                  f"{INDENT * 3}out = out.reshape(-1)",
                  f"{INDENT * 3}out[large] = _{name}_large({subsets})",
                  f"{INDENT * 3}out = out.reshape(shape)"]
    if form.near is not None:
        if isinstance(direct, (sp.Symbol, sp.Number)):
            lines.append(f"{INDENT * 2}out = out.copy()")
        steps, names, last, scale = near_parts(form.near, mapping)
        # a divergence is >= 0: one comparison finds the small values (and rounding's negatives)
        body = [f"near = numpy.flatnonzero(out < {GATE!r})",
                "if near.size:",
                f"{INDENT}out = out.reshape(-1)"]
        body += [f"{INDENT}{a} = numpy.broadcast_to({a}, shape).reshape(-1).take(near)"
                 for a in args]
        body += [f"{INDENT}{target} = {array_code(_multiplied_powers(e))}"
                 for target, e in steps]
        body += [f"{INDENT}_taylor = {' + '.join(reversed(names))}",
                 f"{INDENT}_last = numpy.maximum({', '.join(f'numpy.abs({n})' for n in last)})",
                 f"{INDENT}out[near] = numpy.where(_last <= {EPS!r} * {scale}, _taylor, "
                 f"out.take(near))",
                 f"{INDENT}out = out.reshape(shape)"]
        lines += [INDENT * 2 + b for b in body]
    lines.append(f"{INDENT}return out[()] if out.ndim == 0 else out")
    return "\n".join(lines) + "\n"


def scalar_function(name: str, args: list[str], form: StableForm, mapping: dict,
                    decorator: str = "") -> str:
    """``def name(args)``: scalar ``math`` code for ``form``, for numba to compile. The series
    is a separate ``numba.njit`` function (nan where the direct form is the better one), so
    the loop over the inputs stays small."""
    direct = form.direct.xreplace(mapping)
    lines = []
    if form.large is not None:
        lines += ["@numba.njit(inline='never')", f"def _{name}_large({', '.join(args)}):",
                  f"{INDENT}return {scalar_code(form.large.form.xreplace(mapping))}", "", ""]
    if form.near is not None:
        steps, names, last, scale = near_parts(form.near, mapping)
        lines += ["@numba.njit(inline='never')", f"def _{name}_near({', '.join(args)}):"]
        lines += [f"{INDENT}{target} = {scalar_code(e)}" for target, e in steps]
        lines += [f"{INDENT}if max({', '.join(f'abs({n})' for n in last)}) <= "
                  f"{EPS!r} * {scale}:",
                  f"{INDENT * 2}return {' + '.join(reversed(names))}",
                  f"{INDENT}return math.nan", "", ""]
    lines += [decorator] if decorator else []
    lines += [f"def {name}({', '.join(args)}):", f"{INDENT}out = {scalar_code(direct)}"]
    if form.large is not None:
        lines += [f"{INDENT}if {scalar_code(form.large.condition.xreplace(mapping))}:",
                  f"{INDENT * 2}out = _{name}_large({', '.join(args)})"]
    if form.near is not None:
        lines += [f"{INDENT}if out < {GATE!r}:",
                  f"{INDENT * 2}series = _{name}_near({', '.join(args)})",
                  f"{INDENT * 2}if series == series:",
                  f"{INDENT * 3}return series"]
    lines.append(f"{INDENT}return out")
    return "\n".join(lines) + "\n"
