r"""Verify a claimed formula against a derivation.

A claim :math:`c(\theta)` holds when :math:`c(\theta) = r(\theta)` for every valid parameter
point :math:`\theta` (each parameter's constraint and the derivation's conditions), :math:`r`
being the derived result.  First :math:`c - r` is simplified under the parameters' sympy
assumptions within a time budget; a zero is then confirmed at a few points.  Otherwise
:math:`c` and :math:`r` are compared at ``n`` random valid points at 30 significant digits
(mpmath through ``sympy.N``); the first point where they differ is the counterexample.  So a
wrong formula is never reported as holding, and an equal rewrite that ``simplify`` cannot prove
is still accepted (``method == "numeric"``).

Conditional verdicts.  Where the result is a ``Piecewise`` that is :math:`+\infty` on part of
the parameter space (supports not nested, a divergent moment), it is finite exactly on a region
:math:`F` read from the ``Piecewise`` conditions.  The claim is compared with the finite branch
at points inside :math:`F` (and inside ``d.conditions``).  If it agrees there and is finite at
some point outside :math:`F`, where the derivation is :math:`+\infty`, the verdict holds
*conditionally*: ``conditions`` is :math:`F` (with ``d.conditions``).  It is ``sympy.true`` when
the claim agrees everywhere, and a claim that is wrong inside :math:`F` is rejected with a
counterexample inside :math:`F`.  ``assuming=`` (a sympy boolean, or a string read like a
claim) restricts every point to a region the user states (rejection sampling).

Claims are sympy expressions, strings in sympy syntax, or LaTeX (recognised by a backslash and
read with ``sympy.parsing.latex.parse_latex`` after the textbook rewrites of
:mod:`.latex_claims`).  Symbols are matched to parameters by name: ``\sigma_1``, ``\sigma_{1}``
and ``sigma_1`` all name ``sigma_1``; ``\log`` and ``\ln`` are natural logarithms unless a base
is written (``\log_2``, ``\log_b``).  In LaTeX, ``e`` (``\mathrm{e}``), ``\pi`` and ``\gamma``
(when they are not parameters, and ``\gamma`` when not applied) are Euler's number, π and the
Euler-Mascheroni constant; ``\Gamma`` and ``\gamma`` applied, ``\psi``, ``\psi_1`` (``\psi'``)
and ``\mathrm{B}`` are the gamma, digamma, trigamma and beta functions; a ``cases`` environment
is a ``Piecewise`` with its conditions.  ``H(X) = ...`` is read as its right-hand side.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.logic.boolalg import Boolean
from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations

from ..budget import run_limited
from ..errors import BudgetExceeded, InvalidParameter
from .cross_validate import defining_value, exact, named, sample_points
from .latex_claims import (
    CONSTANTS,
    FUNCTIONS,
    ClaimError,
    canonical,
    cases_marker,
    chain,
    condition_parts,
    equation_sides,
    expand_sums,
    function_for,
    group_applications,
    matrix_rows,
    normalise,
    quoted,
    split_cases,
)

CONFIRM_POINTS = 3     # points that confirm a symbolic zero
RTOL = 1e-15           # agreement at 30 digits: |c - r| <= RTOL * max(1, |c|, |r|)
RTOL_NUMERIC = 1e-8    # when the result keeps an Integral/Sum (evaluated by quadrature)
TRIES_PER_POINT = 100  # rejection sampling: at most this many draws per requested point
OUTSIDE_POINTS = 10    # points where the derivation is infinite, to tell the claim's value there
QUANTITY_NAMES = {"kl": "KL divergence", "cross_entropy": "cross-entropy", "entropy": "entropy"}


class AssumptionError(ClaimError):
    """An ``assuming=`` region cannot be read, or no valid parameter point lies in it."""


# -- reading a claim -------------------------------------------------------------------------
def parse_claim(claim, d, *, applied_gamma: str = "function") -> sp.Expr:
    """The claim as a sympy expression in the parameters of ``d``.

    ``applied_gamma``: how LaTeX ``\\gamma(x)`` reads when gamma is not a parameter, as the
    gamma function :math:`\\Gamma(x)` (``"function"``) or as Euler's constant times x
    (``"product"``, as in the Weibull entropy :math:`\\gamma(1 - 1/k) + \\ln(\\lambda/k) + 1`).
    """
    params = {s.name: s for s in d.parameters}
    listing = ", ".join(params) or "none"
    expr, latex = _read(claim, params, d, "claim")
    if isinstance(expr, sp.Equality):  # "D_KL = ..." : keep the side without parameters' name
        names = {s.name for s in expr.lhs.free_symbols}
        if names & set(params):
            raise ClaimError(f"the claim is an equation, {expr}; give the formula alone")
        expr = expr.rhs
    if not isinstance(expr, sp.Expr) or isinstance(expr, sp.Tuple):
        raise ClaimError(f"the claim must be a formula for the {d.quantity.replace('_', '-')}"
                         f" in the parameters {listing}, got {expr!r} (not an expression)")
    return _bind(expr, params, d, latex, applied_gamma=applied_gamma)


def claim_readings(claim, d) -> list[sp.Expr]:
    """The readings of a claim: one, or two when LaTeX ``\\gamma(x)`` may be :math:`\\Gamma(x)`
    or Euler's constant times x (the gamma function first)."""
    first = parse_claim(claim, d)
    if not (isinstance(claim, str) and "\\" in claim and "gamma" in claim):
        return [first]
    second = parse_claim(claim, d, applied_gamma="product")
    return [first] if second == first else [first, second]


def parse_assumption(assuming, d) -> sp.Basic:
    """The region ``assuming`` as a sympy boolean in the parameters of ``d``.

    ``None`` is ``sympy.true``.  A string is read like a claim (sympy syntax or LaTeX, the same
    name matching); ``a >= 0, b <= 1`` and ``a >= 0 and b <= 1`` are conjunctions, as is a list
    or tuple of booleans.
    """
    if assuming is None or assuming is True or assuming == sp.true:
        return sp.true
    params = {s.name: s for s in d.parameters}
    if isinstance(assuming, (list, tuple)):
        return sp.And(*(parse_assumption(a, d) for a in assuming))
    if isinstance(assuming, str) and "\\" not in assuming:  # LaTeX reads its own 'and'
        assuming = re.sub(r"\band\b", ",", assuming)
    expr, latex = _read(assuming, params, d, "assumption", AssumptionError)
    if isinstance(expr, (tuple, sp.Tuple)):  # "a >= 0, b <= 1"
        parts = tuple(expr)
        expr = sp.And(*parts) if all(isinstance(a, Boolean) for a in parts) else expr
    if not isinstance(expr, Boolean):
        raise AssumptionError(f"assuming= must be a condition on the parameters of {d.name} "
                              f"({', '.join(params) or 'none'}), such as 'a >= 0' or "
                              f"'(a >= 0) & (b <= 1)', got {expr!r}")
    return _bind(expr, params, d, latex, "assumption", AssumptionError)


def _read(value, params: dict, d, what: str, error: type = ClaimError) -> tuple:
    """(sympy object, read from LaTeX?) for a claim or an assumption, before binding names."""
    listing = ", ".join(params) or "none"
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise error(f"the {what} is empty; the parameters of {d.name} are {listing}")
        latex = "\\" in text
        expr = (_parse_latex(text, params, what, error) if latex
                else _parse_sympy(text, params, what, error))
        return expr, latex
    if isinstance(value, (sp.Basic, int, float)):
        return sp.sympify(value), False
    raise error(f"a{'n' if what[0] in 'aeiou' else ''} {what} is a sympy expression or a "
                f"string, got {type(value).__name__}")


def _parse_sympy(text: str, params: dict, what: str = "claim",
                 error: type = ClaimError) -> sp.Expr:
    local = {"ln": sp.log, "e": sp.E, **params}
    try:
        return parse_expr(text, local_dict=local,
                          transformations=standard_transformations + (convert_xor,))
    except Exception as exc:  # noqa: BLE001 - parse_expr raises many kinds
        hint = ("; write a conjunction as 'a >= 0, b <= 1' or '(a >= 0) & (b <= 1)'"
                if what == "assumption" else "")
        raise error(f"cannot parse the {what} {text!r}: {type(exc).__name__}: {exc}; "
                    f"parameters: {', '.join(params) or 'none'}{hint}") from None


def _placeholder(i: int) -> str:
    return "symbolicinfoparam" + "".join(chr(ord("a") + int(c)) for c in str(i))


def _parse_latex(original: str, params: dict, what: str = "claim",
                 error: type = ClaimError) -> sp.Basic:
    """A LaTeX claim (or assumption) as sympy, names not yet bound: cases blocks become
    ``Piecewise``, ``H(X) = ...`` its right-hand side (see :mod:`.latex_claims`)."""
    text, blocks = split_cases(original)
    read = _LatexReader(original, params, what, error)
    unmatched = re.search(r"\\(?:begin|end)\s*\{\s*[A-Za-z*]+\s*\}", text)
    if unmatched:
        read.fail(original, f"{unmatched.group(0)} has no matching "
                            f"{'end' if 'begin' in unmatched.group(0) else 'begin'}")
    if what == "assumption":
        expr = read.condition(text)
    else:
        lhs, text = equation_sides(text)
        if lhs.strip():
            read.left_side(lhs)
        expr = read.expression(text)
    pieces = {}
    for i, rows in enumerate(blocks):
        args = [(read.expression(v).xreplace(pieces), read.condition(c).xreplace(pieces))
                for v, c in rows]
        if not args:
            raise error(f"the {what} {quoted(original)} has an empty cases block")
        pieces[sp.Symbol(cases_marker(i))] = sp.Piecewise(*args)
    return expr.xreplace(pieces)


class _LatexReader:
    """Reads the pieces of one LaTeX claim, naming the claim as written in every error."""

    def __init__(self, original: str, params: dict, what: str, error: type):
        self.original, self.params, self.what, self.error = original, params, what, error
        bases = {n.split("_")[0] for n in params}
        self.names = set(params) | bases | ({"lambda"} if "lam" in bases else set())

    def fail(self, piece: str, reason: str):
        where = "" if piece.strip() == self.original.strip() else f" (at {quoted(piece)})"
        raise self.error(f"cannot parse the LaTeX {self.what} {quoted(self.original)}{where}: "
                         f"{reason}; parameters: {', '.join(self.params) or 'none'}") from None

    def expression(self, piece: str) -> sp.Basic:
        from sympy.parsing.latex import parse_latex
        text, places = piece, {}
        for i, name in enumerate(sorted(self.params, key=len, reverse=True)):
            if len(name) > 1:  # bare `rate_1`, `sigma_1`, `s1`: the whole name
                pattern = rf"(?<![\\A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9_])"
                text, count = re.subn(pattern, lambda _m, i=i: "\\" + _placeholder(i) + " ",
                                      text)
                if count:
                    places[_placeholder(i)] = name
        bases = {n.split("_")[0] for n in self.params if "_" in n}
        for base in sorted(bases, key=len, reverse=True):
            if len(base) > 1 and base.isalpha():  # bare `sigma_{1}`, `rate_{1}`
                text = re.sub(rf"(?<![\\A-Za-z]){base}(?![A-Za-z])",
                              lambda _m, base=base: "\\" + base + " ", text)
        text = group_applications(normalise(text), self.names | set(places))
        if not text.strip():
            self.fail(piece, "an empty formula")
        try:
            expr = parse_latex(text, strict=True)
        except ImportError as exc:
            raise self.error(f"reading LaTeX needs the antlr4 runtime: {exc}") from None
        except Exception as exc:  # noqa: BLE001 - the parser raises many kinds
            lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
            self.fail(piece, lines[0] if lines else type(exc).__name__)
        if not isinstance(expr, sp.Basic):
            self.fail(piece, f"not a formula ({type(expr).__name__})")
        renamed = {f: sp.Function(places[type(f).__name__])(*f.args)
                   for f in expr.atoms(AppliedUndef) if type(f).__name__ in places}
        expr = expr.xreplace(renamed).xreplace(
            {s: sp.Symbol(places[s.name]) for s in expr.free_symbols if s.name in places})
        return expand_sums(expr)

    def condition(self, piece: str) -> sp.Basic:
        """``\\text{if } 0 < x \\le 1, y > 0`` as a sympy boolean; ``otherwise`` is true."""
        kind, disjuncts = condition_parts(piece)
        if kind == "true":
            return sp.true
        try:
            return sp.Or(*(sp.And(*(chain(c, self.expression) for c in conj))
                           for conj in disjuncts))
        except ClaimError as exc:
            if isinstance(exc, self.error) and str(exc).startswith("cannot parse"):
                raise
            self.fail(piece, str(exc))
        except TypeError as exc:  # a relation between things that cannot be ordered
            self.fail(piece, f"not a condition ({exc})")

    def left_side(self, piece: str) -> None:
        """The left side of ``H(X) = ...``: notation such as ``h(X)``, ``H_b(p)``,
        ``D_{KL}(P \\| Q)`` or ``H``, not a formula in the parameters."""
        try:
            lhs = self.expression(piece)
        except ClaimError:
            return  # D_{KL}(P \| Q): notation the parser does not read
        if isinstance(lhs, AppliedUndef) and canonical(type(lhs).__name__) not in self.names:
            return  # h(X), H_b(p), D(p, q)
        used = {canonical(s.name) for s in lhs.free_symbols} | \
            {canonical(type(f).__name__) for f in lhs.atoms(AppliedUndef)}
        if used & set(self.params):
            raise self.error(f"the {self.what} {quoted(self.original)} is an equation in the "
                             f"parameters; give the formula alone; parameters: "
                             f"{', '.join(self.params)}")


def _bind(expr: sp.Basic, params: dict, d, latex: bool, what: str = "claim",
          error: type = ClaimError, applied_gamma: str = "function") -> sp.Basic:
    loose = {}
    for n in params:
        loose.setdefault(n.replace("_", ""), []).append(n)

    def parameter(name: str):
        alias = name.replace("lambda", "lam", 1) if name.startswith("lambda") else name
        if name in params:
            return params[name]
        if alias in params:
            return params[alias]
        if len(loose.get(name.replace("_", ""), [])) == 1:
            return params[loose[name.replace("_", "")][0]]
        return None

    mapping, unknown, unknown_functions = {}, [], []
    for s in expr.free_symbols:
        name = canonical(s.name)
        found = parameter(name)
        if found is not None:
            mapping[s] = found
        elif name in CONSTANTS and (latex or name == "e"):
            mapping[s] = CONSTANTS[name]
        else:
            unknown.append(name)
    functions = {}
    for f in expr.atoms(AppliedUndef):
        fname = canonical(type(f).__name__)
        found = parameter(fname)
        constant = CONSTANTS.get(fname) if fname != "gamma" and (latex or fname == "e") else None
        fn = function_for(fname)
        if len(f.args) == 1 and found is None and fname == "gamma" and latex \
                and applied_gamma == "product":
            constant = CONSTANTS["gamma"]
        if len(f.args) == 1 and (found is not None or constant is not None):
            functions[f] = (found if found is not None else constant) * f.args[0]  # x(1 + y)
        elif fn is not None:
            functions[f] = fn(*f.args)
        else:
            unknown_functions.append(fname)
    listing = ", ".join(params) or "none"
    if unknown_functions:
        raise error(f"the {what} uses the unknown function(s) "
                    f"{', '.join(sorted(set(unknown_functions)))}; known: sympy's functions "
                    f"and {', '.join(FUNCTIONS)}, psi_m, E_n; the parameters of {d.name} are "
                    f"{listing}")
    if unknown:
        kind, names = what, ", ".join(sorted(unknown))
        verb = "is not a parameter" if len(unknown) == 1 else "are not parameters"
        raise error(f"the {kind} uses {names}, which {verb} of {d.name}; its parameters are "
                    f"{listing}")
    while functions:  # innermost first: an argument may hold another application
        inner = {f: v for f, v in functions.items()
                 if not any(g in functions for g in f.args for g in g.atoms(AppliedUndef))}
        inner = inner or functions
        expr = expr.xreplace(inner)
        functions = {f.xreplace(inner): v.xreplace(inner) for f, v in functions.items()
                     if f not in inner}
    return expr.xreplace(mapping)


# -- the verdict -----------------------------------------------------------------------------
QUANTITY_WORDS = {"kl": "KL", "cross_entropy": "cross-entropy", "entropy": "entropy",
                  "renyi_divergence": "Rényi divergence", "renyi_entropy": "Rényi entropy",
                  "tsallis_entropy": "Tsallis entropy", "bhattacharyya": "Bhattacharyya distance",
                  "hellinger": "squared Hellinger distance", "chi_square": "chi-square divergence",
                  "total_variation": "total variation", "jensen_shannon": "Jensen-Shannon",
                  "jeffreys": "Jeffreys divergence", "f_divergence": "f-divergence",
                  "fisher_information": "Fisher information"}
#: quantity name -> (number of members, the keyword of its order or generator, or "")
BUILDERS = {"entropy": (1, ""), "cross_entropy": (2, ""), "kl": (2, ""), "jeffreys": (2, ""),
            "renyi_divergence": (2, "alpha"), "renyi_entropy": (1, "alpha"),
            "tsallis_entropy": (1, "q"), "bhattacharyya": (2, ""), "hellinger": (2, ""),
            "chi_square": (2, ""), "total_variation": (2, ""), "jensen_shannon": (2, ""),
            "f_divergence": (2, "f"), "fisher_information": (1, "")}


def build(quantity: str, members, *, base=None, timeout: float = 30, **extra):
    """The derivation named ``quantity`` (``"renyi_divergence"``, ``"kl"``, ...) of the members,
    with its order (``alpha=`` / ``q=``) or generator (``f=``)."""
    from .. import derive
    key = quantity.lower().replace("-", "_").replace(" ", "_")
    if key not in BUILDERS:
        raise InvalidParameter(f"unknown quantity {quantity!r}; known: {', '.join(BUILDERS)}")
    arity, keyword = BUILDERS[key]
    if len(members) != arity:
        raise InvalidParameter(f"{key} takes {arity} member(s), got {len(members)}")
    given = {k: v for k, v in extra.items() if v is not None}
    if set(given) - {keyword}:
        raise InvalidParameter(f"{key} takes no {', '.join(sorted(set(given) - {keyword}))}=")
    if keyword and keyword not in given:
        raise InvalidParameter(f"{key} needs {keyword}=")
    args = (*members, given[keyword]) if keyword else tuple(members)
    kwargs = {"timeout": timeout} | ({"base": base} if base is not None else {})
    return getattr(derive, key)(*args, **kwargs)


def region_text(condition: sp.Basic) -> str:
    """A sympy boolean as text: ``a1 >= a2 and b1 <= b2``."""
    if isinstance(condition, (sp.And, sp.Or)):
        word = " and " if isinstance(condition, sp.And) else " or "
        parts = [region_text(a) for a in condition.args]
        return word.join(f"({p})" if isinstance(a, (sp.And, sp.Or)) else p
                         for a, p in zip(condition.args, parts))
    if isinstance(condition, sp.Not):
        return f"not ({region_text(condition.args[0])})"
    return sp.sstr(condition)


def _json_number(v):
    if isinstance(v, complex):
        return v.real if v.imag == 0 else str(v)
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    return v


@dataclass(frozen=True)
class Verdict:
    """Whether a claim equals a derivation's result, how this was decided, and a witness.

    ``conditions`` is where the claim holds: ``sympy.true``, or the region where the derivation
    is finite when the claim differs from it only where the derivation is :math:`+\\infty`.
    ``assuming`` is the region the user restricted the check to (``sympy.true`` when none).
    """

    holds: bool
    method: str
    counterexample: dict | None
    difference: sp.Expr
    claim: sp.Expr
    result: sp.Expr
    name: str = ""
    points: int = 0
    conditions: sp.Basic = sp.true
    assuming: sp.Basic = sp.true
    quantity: str = ""

    @property
    def point(self) -> dict | None:
        """The parameter values of the counterexample (without the two values)."""
        if self.counterexample is None:
            return None
        return {k: v for k, v in self.counterexample.items() if k not in ("claim", "derivation")}

    @property
    def conditional(self) -> bool:
        """True when the claim holds only where the derivation is finite."""
        return self.holds and self.conditions != sp.true

    def to_dict(self) -> dict:
        """The verdict as JSON-ready data (expressions as sympy strings)."""
        ce = None if self.counterexample is None else {
            k: _json_number(v) for k, v in self.counterexample.items()}
        return {"holds": self.holds, "method": self.method, "name": self.name,
                "quantity": self.quantity, "claim": sp.sstr(self.claim),
                "derivation": sp.sstr(self.result), "conditions": sp.sstr(self.conditions),
                "assuming": sp.sstr(self.assuming), "points": self.points,
                "counterexample": ce, "difference": sp.sstr(self.difference)}

    def __str__(self) -> str:
        lines = [f"claim:      {self.claim}", f"derivation: {self.result}  ({self.name})"]
        assumed = ("" if self.assuming == sp.true
                   else f" (checked only where {region_text(self.assuming)}, as assumed)")
        if self.holds:
            if self.method == "symbolic":
                how = ("claim - derivation simplifies to 0 under the parameters' assumptions "
                       f"(confirmed numerically at {self.points} points)")
            else:
                how = (f"no symbolic proof within the budget, but claim and derivation agree to "
                       f"30 digits at {self.points} random valid points (claim - derivation = "
                       f"{self.difference})")
            if self.conditional:
                what = QUANTITY_WORDS.get(self.quantity, self.quantity or "quantity")
                lines.append(f"HOLDS where {region_text(self.conditions)}; elsewhere the {what} "
                             f"is infinite{assumed}")
                lines.append(f"where it is finite: {how}")
            else:
                lines.append(f"HOLDS{assumed}: {how}")
        else:
            pt = ", ".join(f"{k}={v:.6g}" if isinstance(v, (int, float, complex)) else f"{k}={v}"
                           for k, v in (self.point or {}).items())
            c, r = self.counterexample["claim"], self.counterexample["derivation"]
            lines.append(f"DOES NOT HOLD ({self.method}): at {pt or 'every point'} the claim is "
                         f"{c:.12g} but the derivation gives {r:.12g}{assumed}")
            lines.append(f"claim - derivation = {self.difference}")
        return "\n".join(lines)


def simplify_difference(diff: sp.Expr) -> tuple[bool, sp.Expr]:
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




# -- where the derivation is finite ----------------------------------------------------------
@dataclass(frozen=True)
class FiniteRegion:
    """A result split by finiteness: finite exactly where ``region`` holds, +oo elsewhere;
    ``branch`` is the result there (the one finite Piecewise branch, else the result)."""

    region: sp.Basic
    branch: sp.Expr


def _infinite(expr: sp.Expr) -> bool:
    return expr in (sp.oo, -sp.oo, sp.zoo) or expr.is_infinite is True


def finite_region(result: sp.Expr) -> FiniteRegion:
    """Read the finite region from the structure of ``result``: a ``Piecewise`` (after
    :func:`sympy.piecewise_fold`) whose branches are finite under some conditions and
    infinite under others.  Branch i applies where its condition holds and no earlier one
    does, so the region is the union of those effective conditions of the finite branches."""
    if _infinite(result):
        return FiniteRegion(sp.false, result)
    if not result.has(sp.Piecewise):
        return FiniteRegion(sp.true, result)
    folded = sp.piecewise_fold(result)
    if not isinstance(folded, sp.Piecewise):
        return FiniteRegion(sp.true, result)
    finite, earlier, any_infinite = [], sp.false, False
    for expr, cond in folded.args:
        here = sp.And(cond, sp.Not(earlier))
        if _infinite(expr):
            any_infinite = True
        elif here != sp.false:
            finite.append((expr, here))
        earlier = sp.Or(earlier, cond)
    if not any_infinite:
        return FiniteRegion(sp.true, result)
    region = sp.Or(*(c for _, c in finite))
    return FiniteRegion(region, finite[0][0] if len(finite) == 1 else result)


def holds_at(condition: sp.Basic, point: dict) -> bool:
    """Whether the sympy boolean ``condition`` is true at ``point`` (False when undecided)."""
    if condition in (True, sp.true):
        return True
    try:
        return bool(condition.xreplace(exact(point)))
    except TypeError:
        return False


def _draw(d, n: int, rng: np.random.Generator, assuming: sp.Basic,
          finite: sp.Basic) -> tuple[list[dict], list[dict]]:
    """(points inside the finite region, points outside it), every one valid for ``d`` and
    inside ``assuming``: rejection sampling from the parameters' constraints.  ``n`` inside
    (or ``n`` outside when the derivation is infinite everywhere) and up to
    ``OUTSIDE_POINTS`` outside, within ``TRIES_PER_POINT * n`` draws."""
    want_in = 0 if finite == sp.false else n
    want_out = 0 if finite == sp.true else (n if finite == sp.false else min(n, OUTSIDE_POINTS))
    if not d.parameters:
        return ([{}], []) if want_in else ([], [{}])
    inside: list[dict] = []
    outside: list[dict] = []
    tries = TRIES_PER_POINT * n
    for i in range(tries):
        point = sample_points(d, 1, rng)[0]  # one draw that satisfies d.conditions
        if not holds_at(assuming, point):
            continue
        if holds_at(finite, point):
            if len(inside) < want_in:
                inside.append(point)
        elif len(outside) < want_out:
            outside.append(point)
        if len(inside) >= want_in and (len(outside) >= want_out or (want_in and i >= 10 * n)):
            break
    if not inside and not outside:
        if assuming != sp.true:
            raise AssumptionError(f"no parameter point of {d.name} where "
                                  f"{region_text(assuming)} could be drawn ({tries} random "
                                  f"valid points tried); the region is empty or too small")
        raise InvalidParameter(f"could not draw {n} parameter points of {d.name} satisfying "
                               f"{d.conditions}")
    return inside, outside


# -- comparing values ------------------------------------------------------------------------
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


def _witness(point: dict, c: complex, r: complex) -> dict:
    out = named(point)
    out["claim"] = c.real if abs(c.imag) <= 1e-15 * max(1, abs(c.real)) else c
    out["derivation"] = r.real
    return out


def _compare(claim, d, points) -> dict | None:
    """The first point where claim and derivation differ (None when they agree at all)."""
    rtol = RTOL_NUMERIC if d.result.has(sp.Integral, sp.Sum) else RTOL
    for point in points:
        c, r = _value(claim, point), _result_value(d, point)
        if not _agree(c, r, rtol):
            return _witness(point, c, r)
    return None


def _finite_beyond(claim, points) -> dict | None:
    """The first point (where the derivation is +oo) at which the claim is not +oo."""
    for point in points:
        c = _value(claim, point)
        if not _agree(c, complex(math.inf), RTOL):
            return _witness(point, c, complex(math.inf))
    return None


def _symbolic_zero(expr: sp.Expr, target: sp.Expr, timeout: float) -> tuple[bool, sp.Expr]:
    """(claim - target is provably 0, the shortest difference found)."""
    if _infinite(target):
        return expr == target, sp.S.Zero if expr == target else sp.oo
    if target.has(sp.Integral, sp.Sum):
        return False, sp.sympify(expr - target)
    try:
        return run_limited(simplify_difference, timeout, expr - target)
    except BudgetExceeded:
        return False, sp.sympify(expr - target)
    except Exception:  # noqa: BLE001 - sympy raises on odd inputs; numeric decides
        return False, sp.sympify(expr - target)


def _canonical_relations(condition: sp.Basic) -> sp.Basic:
    return condition.replace(lambda e: isinstance(e, sp.core.relational.Relational),
                             lambda e: e.canonical)


def branches_zero(claim: sp.Expr, finite: FiniteRegion) -> bool:
    """Whether a ``Piecewise`` claim equals the derivation branch by branch: each finite branch
    minus the derivation's finite branch, refined under that branch's condition (and not the
    earlier ones'), simplifies to 0; each infinite branch is +oo and applies only outside the
    derivation's finite region (decided propositionally, relations in canonical form)."""
    from sympy.logic.inference import satisfiable
    folded = sp.piecewise_fold(claim)
    if not isinstance(folded, sp.Piecewise) or finite.branch.has(sp.Piecewise):
        return False
    earlier = sp.false
    for value, condition in folded.args:
        here = sp.And(condition, sp.Not(earlier))
        earlier = sp.Or(earlier, condition)
        if here == sp.false:
            continue
        if _infinite(value):
            overlap = _canonical_relations(sp.And(here, finite.region))
            if value != sp.oo or satisfiable(overlap) is not False:
                return False
        elif not (simplify_difference(value - finite.branch)[0]
                  or simplify_difference(sp.refine(value - finite.branch, here))[0]):
            return False
    return True


def verify(claim, d, *members, assuming=None, n: int = 25, seed: int = 0,
           timeout: float = 10.0, alpha=None, q=None, f=None, base=None) -> Verdict:
    """Decide whether ``claim`` equals ``d.result``, unconditionally or where ``d.result`` is
    finite, at parameter points inside ``assuming`` (see the module docstring).

    ``d`` is a derivation, or a quantity's name followed by its members:
    ``verify(claim, "renyi_divergence", P, Q, alpha="a")`` (``q=`` for the Tsallis entropy,
    ``f=`` for an f-divergence, ``base=`` for a logarithm base)."""
    from ..derive.derivation import Derivation
    if isinstance(d, str):
        d = build(d, members, base=base, timeout=max(timeout, 30.0), alpha=alpha, q=q, f=f)
    elif members or any(v is not None for v in (alpha, q, f, base)):
        raise InvalidParameter("members, alpha=, q=, f= and base= go with a quantity's name, "
                               "not with a Derivation")
    if not isinstance(d, Derivation):
        raise InvalidParameter(f"verify needs a Derivation (from symbolic_info.kl, ...), "
                               f"got {type(d).__name__}")
    if not (isinstance(n, int) and n > 0):
        raise InvalidParameter(f"n must be a positive integer, got {n!r}")
    if d.result.has(sp.MatrixSymbol):
        return _verify_matrix(claim, d, seed)
    if isinstance(d.result, sp.MatrixBase):
        return _verify_entries(claim, d, n, seed)
    readings = claim_readings(claim, d)
    if d.status == "undefined":  # no value for any claim to equal
        return Verdict(False, f"the derivation is {d.status_text()}", None, sp.nan, readings[0],
                       sp.nan, d.name, 0, quantity=d.quantity)
    region = parse_assumption(assuming, d)
    if region == sp.false:
        raise AssumptionError(f"assuming= contradicts the parameters' constraints of {d.name}: "
                              f"{assuming!r} is false for every valid point")
    verdicts = []
    for expr in readings:  # the first reading that holds, else the first one's verdict
        verdicts.append(_decide(expr, d, region, n, seed, timeout))
        if verdicts[-1].holds:
            return verdicts[-1]
    return verdicts[0]


def _decide(expr: sp.Expr, d, region: sp.Basic, n: int, seed: int, timeout: float) -> Verdict:
    """The verdict on one reading of a claim (see :func:`verify`)."""
    result = sp.oo if d.status == "infinite" else d.result
    finite = finite_region(result)
    inside, outside = _draw(d, n, np.random.default_rng(seed), region, finite.region)
    zero, difference = _symbolic_zero(expr, finite.branch, timeout)
    if not zero and expr.has(sp.Piecewise):  # a cases claim: branch by branch
        try:
            zero = run_limited(branches_zero, timeout, expr, finite)
        except Exception:  # noqa: BLE001 - over budget or sympy refused; numeric decides
            zero = False
    checked = inside[:CONFIRM_POINTS] if zero else inside
    witness = _compare(expr, d, checked)
    method = "symbolic" if zero else "numeric"
    if zero and witness is not None:
        method = "numeric (symbolic zero refuted)"
    beyond = _finite_beyond(expr, outside) if witness is None else None
    conditions = sp.true
    if beyond is not None and not inside:  # infinite wherever we looked: the claim is wrong
        witness, method, difference = beyond, "numeric", sp.oo
    elif beyond is not None:  # equal where finite, finite where the derivation is not
        conditions = finite.region if d.conditions == sp.true \
            else sp.And(d.conditions, finite.region)
    count = len(checked) if inside else len(outside)
    return Verdict(witness is None, method, witness, sp.S.Zero if zero and witness is None
                   else difference, expr, result, d.name, count, conditions, region, d.quantity)


def _verify_matrix(claim, d, seed: int) -> Verdict:
    """A claim of symbolic dimension (:mod:`.verify_matrix`)."""
    from .verify_matrix import compare, parse_matrix_claim
    expr = parse_matrix_claim(claim, d)
    zero, witness, count = compare(expr, d, seed)
    method = "symbolic" if zero and witness is None else "numeric"
    if zero and witness is not None:
        method = "numeric (symbolic zero refuted)"
    return Verdict(holds=witness is None, method=method, counterexample=witness,
                   difference=sp.S.Zero if witness is None else expr - d.result, claim=expr,
                   result=d.result, name=d.name, points=count, quantity=d.quantity)


def _verify_entries(claim, d, n: int, seed: int) -> Verdict:
    """A claimed explicit matrix (a Fisher information): entry by entry at random points."""
    params = {s.name: s for s in d.parameters}
    latex = isinstance(claim, str) and "\\" in claim
    if latex:  # \begin{pmatrix} a & b \\ c & d \end{pmatrix}
        rows = matrix_rows(claim)
        if rows is None:
            raise ClaimError(f"the claim must be a {d.result.shape[0]}x{d.result.shape[1]} "
                             f"matrix (pmatrix, bmatrix or matrix), got {claim!r}")
        read = _LatexReader(claim, params, "claim", ClaimError)
        text = [[read.expression(entry) for entry in row] for row in rows]
    else:
        text = claim if not isinstance(claim, str) else _parse_sympy(claim, params)
    try:
        expr = sp.Matrix(sp.sympify(text))
    except (TypeError, ValueError, sp.SympifyError):
        raise ClaimError(f"the claim must be a {d.result.shape[0]}x{d.result.shape[1]} matrix, "
                         f"got {claim!r}") from None
    if expr.shape != d.result.shape:
        raise ClaimError(f"the claim is {expr.shape[0]}x{expr.shape[1]}, the derivation "
                         f"{d.result.shape[0]}x{d.result.shape[1]}")
    expr = expr.applyfunc(lambda e: _bind(sp.sympify(e), params, d, latex))
    result = sp.Matrix(d.result)
    zero = all(simplify_difference(e)[0] for e in (expr - result))
    points = sample_points(d, CONFIRM_POINTS if zero else n, np.random.default_rng(seed))
    witness = None
    for point in points:
        for c_e, r_e in zip(expr, result):
            c, r = _value(c_e, point), _value(r_e, point)
            if not _agree(c, r, RTOL):
                witness = _witness(point, c, r)
                break
        if witness is not None:
            break
    method = "symbolic" if zero and witness is None else "numeric"
    return Verdict(witness is None, method, witness,
                   sp.zeros(*result.shape) if witness is None else expr - result, expr, result,
                   d.name, len(points), quantity=d.quantity)
