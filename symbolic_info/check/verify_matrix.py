r"""Verifying a claimed formula of symbolic dimension (matrix symbols, a dimension k).

A claim is read in sympy syntax with the derivation's matrix symbols by name and ``tr``/
``trace``, ``det``, ``logdet``, ``inv``, ``X.T``, or in LaTeX with ``\operatorname{tr}``,
``\det``, ``\log\det``, ``^{-1}``, ``^{\top}`` (``^T``), ``\frac``, ``\left( \right)``.  The
claim holds when ``claim - result`` reduces to 0 by the trace identities (symbolic), and is
otherwise compared at random numeric points of dimensions k = 1, 2, 3 (random vectors, random
symmetric positive definite matrices); a point where they differ is the counterexample.
"""

from __future__ import annotations

import re

import numpy as np
import sympy as sp
from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations

from .latex_claims import normalise

DIMENSIONS = (1, 2, 3)
POINTS_PER_DIMENSION = 4
RTOL = 1e-9


def matrix_symbols(d) -> dict:
    out = {}
    for m in (d.p, d.q):
        if m is None:
            continue
        for v in m.values:
            if isinstance(v, sp.MatrixSymbol):
                out[v.name] = v
                out[str(v.shape[0])] = v.shape[0]
    return out


_LATEX = [  # after the textbook rewrites of latex_claims.normalise
    (r"\\ln(?![A-Za-z])", r"\\log"), (r"\|([^|]*)\|", r"\\det(\1)"),  # |Sigma| = det Sigma
    (r"\\(?:tr|Tr|trace|Trace)(?![A-Za-z])", " trace "),
    (r"\\log\s*\\det", " logdet "), (r"\\det", " det "), (r"\\log", " log "),
    (r"\^\{\s*-\s*1\s*\}|\^-1", ".inv()"),
    (r"\^\s*\{\s*(?:\\top|T|\\intercal|\\prime)\s*\}|\^\s*(?:\\top|\\intercal|T)(?![A-Za-z])|'",
     ".T"),
    (r"\\cdot|\\times", " "), (r"\[", "("), (r"\]", ")"),
]


def _latex_to_sympy(text: str) -> str:
    text = normalise(text)
    text = re.sub(r"_\{([^{}]*)\}", r"_\1", text)  # Sigma_{1} -> Sigma_1
    # \frac{a}{b} -> ((a)/(b)), innermost first
    frac = re.compile(r"\\frac\{([^{}]*)\}\{([^{}]*)\}")
    while frac.search(text):
        text = frac.sub(r"((\1)/(\2))", text)
    for pattern, repl in _LATEX:
        text = re.sub(pattern, repl, text)
    text = re.sub(r"\\([A-Za-z]+)", r" \1", text)  # \Sigma -> Sigma, \mu -> mu
    text = text.replace("{", "(").replace("}", ")")
    text = re.sub(r"([A-Za-z_][A-Za-z0-9_]*)\s*\.inv\(\)", r"inv(\1)", text)
    # log det X, det X, trace X applied to a bare symbol: add the parentheses
    text = re.sub(r"\b(logdet|det|trace)\s+(inv\([A-Za-z0-9_]+\)|[A-Za-z_][A-Za-z0-9_]*)"
                  r"((?:\.T)*)", r"\1(\2\3)", text)
    return _explicit_products(text)


FUNCTIONS = {"trace", "det", "logdet", "inv", "log", "exp", "sqrt"}


def _explicit_products(text: str) -> str:
    """'*' between juxtaposed factors: ')(' , ') X', 'X (' (X not a function), 'X.T Y'."""
    tokens = re.findall(r"[A-Za-z_][A-Za-z0-9_]*|\d+\.?\d*|\.T|\S", text)
    out: list[str] = []
    for token in tokens:
        if out:
            last = out[-1]
            ends = last == ")" or last == ".T" or (re.match(r"[A-Za-z_0-9]", last)
                                                  and last not in FUNCTIONS)
            starts = token == "(" or re.match(r"[A-Za-z_0-9]", token)
            if ends and starts and token != ".T":
                out.append("*")
        out.append(token)
    return " ".join(_wrap_bare_calls(out)).replace(" .T", ".T")


def _wrap_bare_calls(tokens: list[str]) -> list[str]:
    """'log 2 * pi' -> 'log ( 2 * pi )': a function written without parentheses takes the
    product that follows it."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        out.append(token)
        if token in FUNCTIONS and i + 1 < len(tokens) and tokens[i + 1] != "(":
            j = i + 1
            while j < len(tokens) and (re.match(r"[A-Za-z_0-9]", tokens[j]) or tokens[j] in
                                       ("*", ".T")):
                j += 1
            out += ["(", *tokens[i + 1:j], ")"]
            i = j
            continue
        i += 1
    return out


def parse_matrix_claim(claim, d) -> sp.Expr:
    from .verify import ClaimError
    names = matrix_symbols(d)
    if isinstance(claim, sp.Basic):
        return claim
    text = claim.strip()
    transformations = standard_transformations + (convert_xor,)
    if "\\" in text:
        text = _latex_to_sympy(text)
    local = {**names, "ln": sp.log, "e": sp.E, "pi": sp.pi,
             "tr": sp.Trace, "trace": sp.Trace, "Trace": sp.Trace,
             "det": sp.Determinant, "logdet": lambda m: sp.log(sp.Determinant(m)),
             "inv": sp.Inverse, "Inverse": sp.Inverse}
    try:
        expr = parse_expr(text, local_dict=local, evaluate=False,
                          transformations=transformations)
    except Exception as exc:  # noqa: BLE001 - parse_expr raises many kinds
        shown = ", ".join(n for n, v in names.items() if isinstance(v, sp.MatrixSymbol))
        raise ClaimError(f"cannot parse the claim {claim!r}: {type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''}; matrix symbols: "
                         f"{shown}") from None
    # a 1 x 1 matrix product (a quadratic form) is its trace; then evaluate
    expr = expr.replace(lambda e: isinstance(e, sp.MatrixExpr) and e.shape == (1, 1)
                        and not isinstance(e, sp.MatrixSymbol),
                        lambda e: sp.Trace(e))
    expr = expr.doit() if hasattr(expr, "doit") else expr
    if isinstance(expr, sp.MatrixExpr):
        expr = sp.Trace(expr) if expr.shape == (1, 1) else expr
    if isinstance(expr, sp.MatrixExpr):
        raise ClaimError(f"the claim {claim!r} is a matrix, not a number")
    return expr


def compare(expr: sp.Expr, d, seed: int = 0):
    """(symbolic zero?, counterexample or None, number of points compared)."""
    from ..derive.explicit import random_point, value_at
    from ..derive.matrix import tidy
    matrices = [v for m in (d.p, d.q) if m is not None for v in m.values
                if isinstance(v, sp.MatrixSymbol) and v.shape[0] == v.shape[1]]
    zero = tidy(expr - d.result, matrices) == 0
    rng = np.random.default_rng(seed)
    count = 0
    for k in DIMENSIONS:
        for _ in range(POINTS_PER_DIMENSION):
            point = random_point(d, rng, k)
            claimed, derived = value_at(expr, d, point), value_at(d.result, d, point)
            count += 1
            if abs(claimed - derived) > RTOL * max(1.0, abs(derived)):
                shown = {str(s): (np.array(v.tolist(), dtype=float).round(6).tolist()
                                  if isinstance(v, sp.MatrixBase) else v)
                         for s, v in point.items()}
                return zero, {**shown, "claim": claimed, "derivation": derived}, count
    return zero, None, count
