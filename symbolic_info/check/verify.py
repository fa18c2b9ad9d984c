r"""Verify a claimed formula against a derivation.

A claim :math:`c(\theta)` holds when :math:`c(\theta) = r(\theta)` for every valid parameter
point :math:`\theta` (each parameter's constraint and the derivation's conditions), :math:`r`
being the derived result.  First :math:`c - r` is simplified under the parameters' sympy
assumptions within a time budget; a zero is then confirmed at a few points.  Otherwise
:math:`c` and :math:`r` are compared at ``n`` random valid points at 30 significant digits
(mpmath through ``sympy.N``); the first point where they differ is the counterexample.  So a
wrong formula is never reported as holding, and an equal rewrite that ``simplify`` cannot prove
is still accepted (``method == "numeric"``).

Claims are sympy expressions, strings in sympy syntax, or LaTeX (recognised by a backslash and
read with ``sympy.parsing.latex.parse_latex``).  Symbols are matched to parameters by name:
``\sigma_1``, ``\sigma_{1}`` and ``sigma_1`` all name ``sigma_1``; ``\log`` and ``\ln`` are
natural logarithms unless a base is written (``\log_2``).  In LaTeX, ``e``, ``\pi`` and
``\gamma`` (when they are not parameters) are Euler's number, π and the Euler-Mascheroni
constant; ``\Gamma``, ``\psi`` and ``\mathrm{B}`` are the gamma, digamma and beta functions.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations

from ..budget import run_limited
from ..errors import BudgetExceeded, InvalidParameter
from .cross_validate import defining_value, exact, named, sample_points

CONFIRM_POINTS = 3     # points that confirm a symbolic zero
RTOL = 1e-15           # agreement at 30 digits: |c - r| <= RTOL * max(1, |c|, |r|)
RTOL_NUMERIC = 1e-8    # when the result keeps an Integral/Sum (evaluated by quadrature)
FUNCTIONS = {"Gamma": sp.gamma, "psi": sp.digamma, "Psi": sp.digamma, "digamma": sp.digamma,
             "B": sp.beta, "Beta": sp.beta, "ln": sp.log, "lgamma": sp.loggamma,
             "loggamma": sp.loggamma}
CONSTANTS = {"e": sp.E, "pi": sp.pi, "gamma": sp.EulerGamma}
_TEXT_COMMAND = re.compile(r"\\(?:mathrm|text|textrm|operatorname|mathit)\s*\{\s*([A-Za-z]+)\s*\}")


class ClaimError(InvalidParameter):
    """A claimed formula cannot be read, or uses a symbol that is not a parameter."""


# -- reading a claim -------------------------------------------------------------------------
def parse_claim(claim, d) -> sp.Expr:
    """The claim as a sympy expression in the parameters of ``d``."""
    params = {s.name: s for s in d.parameters}
    listing = ", ".join(params) or "none"
    if isinstance(claim, str):
        text = claim.strip()
        if not text:
            raise ClaimError(f"the claim is empty; the parameters of {d.name} are {listing}")
        expr = _parse_latex(text, params) if "\\" in text else _parse_sympy(text, params)
        latex = "\\" in text
    elif isinstance(claim, (sp.Basic, int, float)):
        expr, latex = sp.sympify(claim), False
    else:
        raise ClaimError(f"a claim is a sympy expression or a string, got "
                         f"{type(claim).__name__}")
    if isinstance(expr, sp.Equality):  # "D_KL = ..." : keep the side without parameters' name
        names = {s.name for s in expr.lhs.free_symbols}
        if names & set(params):
            raise ClaimError(f"the claim is an equation, {expr}; give the formula alone")
        expr = expr.rhs
    if not isinstance(expr, sp.Expr) or isinstance(expr, sp.Tuple):
        raise ClaimError(f"the claim must be a formula for the {d.quantity.replace('_', '-')}"
                         f" in the parameters {listing}, got {expr!r} (not an expression)")
    return _bind(expr, params, d, latex)


def _parse_sympy(text: str, params: dict) -> sp.Expr:
    local = {"ln": sp.log, "e": sp.E, **params}
    try:
        return parse_expr(text, local_dict=local,
                          transformations=standard_transformations + (convert_xor,))
    except Exception as exc:  # noqa: BLE001 - parse_expr raises many kinds
        raise ClaimError(f"cannot parse the claim {text!r}: {type(exc).__name__}: {exc}; "
                         f"parameters: {', '.join(params) or 'none'}") from None


def _placeholder(i: int) -> str:
    return "symbolicinfoparam" + "".join(chr(ord("a") + int(c)) for c in str(i))


def _parse_latex(original: str, params: dict) -> sp.Expr:
    from sympy.parsing.latex import parse_latex
    from sympy.parsing.latex.errors import LaTeXParsingError

    text, places = original, {}
    for i, name in enumerate(sorted(params, key=len, reverse=True)):
        if len(name) > 1:  # bare `rate_1`, `sigma_1`, `s1`: the whole name
            pattern = rf"(?<![\\A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9_])"
            text, count = re.subn(pattern, lambda _m, i=i: "\\" + _placeholder(i) + " ", text)
            if count:
                places[_placeholder(i)] = name
    text = _TEXT_COMMAND.sub(lambda m: "\\" + m.group(1) + " ", text)
    bases = {n.split("_")[0] for n in params if "_" in n}
    for base in sorted(bases, key=len, reverse=True):
        if len(base) > 1 and base.isalpha():  # bare `sigma_{1}`, `rate_{1}`
            text = re.sub(rf"(?<![\\A-Za-z]){base}(?![A-Za-z])", lambda _m: "\\" + base + " ",
                          text)
    try:
        expr = parse_latex(text)
    except ImportError as exc:
        raise ClaimError(f"reading LaTeX needs the antlr4 runtime: {exc}") from None
    except (LaTeXParsingError, Exception) as exc:  # noqa: BLE001 - the parser raises many kinds
        message = " ".join(str(exc).split())
        raise ClaimError(f"cannot parse the LaTeX claim {original!r}: {message}; "
                         f"parameters: {', '.join(params) or 'none'}") from None
    return expr.xreplace({s: sp.Symbol(places[s.name]) for s in expr.free_symbols
                          if s.name in places})


def canonical(name: str) -> str:
    """``sigma_{1}`` -> ``sigma_1``; ``\\lambda`` -> ``lambda``."""
    return name.replace("{", "").replace("}", "").replace("\\", "").replace(" ", "")


def _bind(expr: sp.Expr, params: dict, d, latex: bool) -> sp.Expr:
    loose = {}
    for n in params:
        loose.setdefault(n.replace("_", ""), []).append(n)
    mapping, unknown, unknown_functions = {}, [], []
    for s in expr.free_symbols:
        name = canonical(s.name)
        alias = name.replace("lambda", "lam", 1) if name.startswith("lambda") else name
        if name in params:
            mapping[s] = params[name]
        elif alias in params:
            mapping[s] = params[alias]
        elif len(loose.get(name.replace("_", ""), [])) == 1:
            mapping[s] = params[loose[name.replace("_", "")][0]]
        elif name in CONSTANTS and (latex or name == "e"):
            mapping[s] = CONSTANTS[name]
        else:
            unknown.append(name)
    functions = {}
    for f in expr.atoms(AppliedUndef):
        fname = canonical(type(f).__name__)
        if fname in FUNCTIONS:
            functions[f] = FUNCTIONS[fname]
        else:
            unknown_functions.append(fname)
    listing = ", ".join(params) or "none"
    if unknown_functions:
        raise ClaimError(f"the claim uses the unknown function(s) "
                         f"{', '.join(sorted(set(unknown_functions)))}; known: sympy's functions "
                         f"and {', '.join(FUNCTIONS)}; the parameters of {d.name} are {listing}")
    if unknown:
        what = ", ".join(sorted(unknown))
        verb = "is not a parameter" if len(unknown) == 1 else "are not parameters"
        raise ClaimError(f"the claim uses {what}, which {verb} of {d.name}; its parameters are "
                         f"{listing}")
    for f, fn in functions.items():
        expr = expr.xreplace({f: fn(*f.args)})
    return expr.xreplace(mapping)


# -- the verdict -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    """Whether a claim equals a derivation's result, how this was decided, and a witness."""

    holds: bool
    method: str
    counterexample: dict | None
    difference: sp.Expr
    claim: sp.Expr
    result: sp.Expr
    name: str = ""
    points: int = 0

    @property
    def point(self) -> dict | None:
        """The parameter values of the counterexample (without the two values)."""
        if self.counterexample is None:
            return None
        return {k: v for k, v in self.counterexample.items() if k not in ("claim", "derivation")}

    def __str__(self) -> str:
        lines = [f"claim:      {self.claim}", f"derivation: {self.result}  ({self.name})"]
        if self.holds and self.method == "symbolic":
            lines.append("HOLDS: claim - derivation simplifies to 0 under the parameters' "
                         f"assumptions (confirmed numerically at {self.points} points)")
        elif self.holds:
            lines.append(f"HOLDS: no symbolic proof within the budget, but claim and derivation "
                         f"agree to 30 digits at {self.points} random valid points "
                         f"(claim - derivation = {self.difference})")
        else:
            pt = ", ".join(f"{k}={v:.6g}" for k, v in (self.point or {}).items())
            c, r = self.counterexample["claim"], self.counterexample["derivation"]
            lines.append(f"DOES NOT HOLD ({self.method}): at {pt or 'every point'} the claim is "
                         f"{c:.12g} but the derivation gives {r:.12g}")
            lines.append(f"claim - derivation = {self.difference}")
        return "\n".join(lines)


def _simplify_difference(diff: sp.Expr) -> tuple[bool, sp.Expr]:
    """(is zero, the shortest form found) for claim - result."""
    if diff == 0:
        return True, sp.S.Zero
    best = diff
    for step in (lambda e: sp.expand(sp.expand_log(sp.expand_func(e), force=True)),
                 lambda e: sp.logcombine(sp.expand(sp.expand_log(e, force=True)), force=True),
                 sp.simplify,
                 lambda e: sp.simplify(sp.expand_log(e.rewrite(sp.gamma), force=True))):
        e = step(diff)
        if e == 0:
            return True, sp.S.Zero
        if sp.count_ops(e) < sp.count_ops(best):
            best = e
    return False, best


def _value(expr: sp.Expr, point: dict) -> complex:
    with np.errstate(all="ignore"):
        v = sp.N(expr.xreplace(exact(point)), 30)
    if v in (sp.oo, sp.zoo, sp.nan) or v == -sp.oo:
        return complex(float(v) if v in (sp.oo, -sp.oo) else math.nan)
    try:
        return complex(v)
    except TypeError:
        return complex(math.nan)


def _result_value(d, point: dict) -> complex:
    """The derived value; where the result keeps an Integral or Sum, the defining integral
    evaluated independently (:func:`defining_value`, which also detects divergence)."""
    if d.status == "infinite":
        return complex(math.inf)
    at_point = d.result.xreplace(exact(point))
    if at_point.has(sp.Integral, sp.Sum):
        return complex(defining_value(d, point).value)
    return _value(d.result, point)


def _agree(c: complex, r: complex, rtol: float) -> bool:
    if math.isinf(c.real) or math.isinf(r.real):
        return c == r
    if not (np.isfinite(c) and np.isfinite(r)):
        return False
    return abs(c - r) <= rtol * max(1.0, abs(c), abs(r))


def _compare(claim, d, points) -> dict | None:
    rtol = RTOL_NUMERIC if d.result.has(sp.Integral, sp.Sum) else RTOL
    for point in points:
        c, r = _value(claim, point), _result_value(d, point)
        if not _agree(c, r, rtol):
            out = named(point)
            out["claim"] = c.real if abs(c.imag) <= 1e-15 * max(1, abs(c.real)) else c
            out["derivation"] = r.real
            return out
    return None


def verify(claim, d, *, n: int = 25, seed: int = 0, timeout: float = 10.0) -> Verdict:
    """Decide whether ``claim`` equals ``d.result`` (see the module docstring)."""
    from ..derive.derivation import Derivation
    if not isinstance(d, Derivation):
        raise InvalidParameter(f"verify needs a Derivation (from symbolic_info.kl, ...), "
                               f"got {type(d).__name__}")
    if not (isinstance(n, int) and n > 0):
        raise InvalidParameter(f"n must be a positive integer, got {n!r}")
    expr = parse_claim(claim, d)
    rng = np.random.default_rng(seed)
    points = sample_points(d, n, rng)
    result = sp.oo if d.status == "infinite" else d.result
    zero, difference = False, sp.sympify(expr - result) if result != sp.oo else sp.nan
    if d.status == "infinite":
        zero, difference = expr == sp.oo, sp.S.Zero if expr == sp.oo else sp.oo
    elif not d.result.has(sp.Integral, sp.Sum):
        try:
            zero, difference = run_limited(_simplify_difference, timeout, expr - result)
        except BudgetExceeded:
            zero = False
        except Exception:  # noqa: BLE001 - sympy raises on odd inputs; numeric decides
            zero = False
    if zero:
        witness = _compare(expr, d, points[:CONFIRM_POINTS])
        if witness is None:
            return Verdict(True, "symbolic", None, sp.S.Zero, expr, result, d.name,
                           min(CONFIRM_POINTS, len(points)))
    else:
        witness = _compare(expr, d, points)
    if witness is None:
        return Verdict(True, "numeric", None, difference, expr, result, d.name, len(points))
    return Verdict(False, "numeric" if not zero else "numeric (symbolic zero refuted)",
                   witness, difference, expr, result, d.name, len(points))
