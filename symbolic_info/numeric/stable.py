"""Numerically stable forms of a closed-form result, for the float64 backends.

:func:`rewrite` turns the result into an expression whose float64 evaluation does not lose
accuracy needlessly:

- ``log(gamma(x))`` -> ``loggamma(x)`` (no overflow), and a product holding ``gamma(x)`` or a
  power with a symbolic exponent -> ``exp(sum of logs)`` (``λ^k Γ(k/c)`` overflows alone);
- with ``stirling=True``, where log Γ(z) and ψ(z) share an argument, their Stirling forms
  with small remainders (:func:`_stirling`); the evaluators use this form only where such an
  argument is at least ``LARGE``;
- ``I_ν(z)`` for positive z -> ``e^z ive(ν, z)`` with the exponentials joined
  (:func:`scaled_bessel_form`): log I₀(κ) = log ive(0, κ) + κ, I₁/I₀ = ive(1, κ)/ive(0, κ),
  and κ(1 - I₁/I₀) as κ ive_difference(0, κ)/ive(0, κ) (no overflow, no cancellation);
- ``log(1 + x)`` -> ``log1p(x)`` and ``exp(x) - 1`` -> ``expm1(x)`` (sympy's codegen
  rewriting rules);
- when a logarithm's argument may vanish, ``c log a`` -> ``xlogy(c, a)`` and ``c log1p(a)``
  -> ``xlog1py(c, a)``, so that 0 log 0 = 0 and a KL with incompatible supports is inf.

A divergence D(θ_P ‖ θ_Q) between two members of one family cancels catastrophically as
θ_Q → θ_P: its terms are O(1) while D is O(|θ_Q - θ_P|²). :func:`near_equality` derives its
Taylor expansion in δ = θ_Q - θ_P,

    D = Σ_{k=2}^{N} c_k(θ_P, δ),   c_k = Σ_{|α|=k} ∂^α_{θ_Q} D |_{θ_Q=θ_P} δ^α / α!,

whose leading term c_2 = ½ δᵀ I(θ_P) δ is the Fisher-information quadratic form (c_0 = c_1 = 0
are checked). δ is computed as a float difference, exact when θ_Q is near θ_P (Sterbenz). The
evaluators use the series only where the direct value is small (|D| < ``GATE``) and the series'
last terms are below the direct form's rounding error, estimated as ``EPS`` times the sum of the
absolute values of its terms; elsewhere the direct (rewritten) form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp
from sympy.codegen.cfunctions import expm1, log1p
from sympy.codegen.rewriting import expm1_opt, optimize

from ..budget import BudgetExceeded, run_limited
from .functions import (
    digamma_remainder,
    log_ndtr,
    ndtr,
    scaled_bessel_functions,
    scaled_exponential_integrals,
    stirling_remainder,
    xlog1py,
    xlogy,
)
from .log_signs import combine_sign_changing_logs
from .logistic import logistic_form, softplus, softplus_primitives
from .names import lambdify_safely
from .taylor import Unsupported, taylor_coefficients

ORDER = 12
GATE = 2e-3
EPS = 1e-15
NEAR_BUDGET = 20.0
LARGE = 100.0  # below, log Γ(z) and z ψ(z) cancel to a loss of at most ~z·eps ≤ 1e-14


@dataclass(frozen=True)
class NearEquality:
    """The Taylor expansion of a divergence in δ = θ_Q - θ_P: ``D ≈ Σ terms``.

    ``differences`` holds (δ symbol, θ_Q symbol, θ_P symbol); ``terms`` are c_first, ..., c_N
    in θ_P and the δ symbols (first = 2, or 1 where θ_P is on the boundary of Q's support
    condition, e.g. the Pareto minimum); ``magnitude`` is the rounding scale of the direct
    form (see :func:`_rounding_scale`).
    """

    differences: tuple[tuple[sp.Symbol, sp.Symbol, sp.Symbol], ...]
    terms: tuple[sp.Expr, ...]
    magnitude: sp.Expr
    first: int = 2


@dataclass(frozen=True)
class LargeArguments:
    """The Stirling form of the result, used where some argument z shared by log Γ(z) and
    ψ(z) is at least ``LARGE`` (``condition``), since its remainders cost more than log Γ."""

    condition: sp.Basic
    form: sp.Expr


@dataclass(frozen=True)
class StableForm:
    """What the float64 evaluators compute: the rewritten direct form; for large arguments
    its Stirling form; near P = Q the Taylor expansion (``None`` where they do not apply)."""

    direct: sp.Expr
    near: NearEquality | None = None
    large: LargeArguments | None = None


def stable_form(derivation) -> StableForm:
    """The stable form of ``derivation.result`` (cached on the derivation)."""
    cache = derivation._numeric
    if "stable" not in cache:
        result = derivation.result
        if derivation.quantity in ONE_MINUS_QUANTITIES:
            result = one_minus_form(result, positive_parameters(derivation))
        if result.has(sp.log) and not result.has(sp.Integral, sp.Sum):
            members = [m for m in (derivation.p, derivation.q) if hasattr(m, "spec")]
            result = combine_sign_changing_logs(result, members)
        positive = positive_parameters(derivation) if result.has(sp.besseli) else {}
        direct = rewrite(scaled_bessel_form(result, positive))
        shared = _shared_arguments(direct)
        large = None
        if shared:
            large = LargeArguments(sp.Or(*[z >= LARGE for z in shared]), rewrite(
                scaled_bessel_form(derivation.result, positive), stirling=True))
        cache["stable"] = StableForm(direct, near_equality(derivation), large)
    return cache["stable"]


def scaled_bessel_form(expr: sp.Expr, positive: dict) -> sp.Expr:
    """I_ν(z) as e^z ive(ν, z) where z is positive, exponentials joined
    (:func:`.functions.scaled_bessel_functions`); results with an Integral or Sum unchanged
    (their numeric route evaluates the raw integrand)."""
    if expr.has(sp.Integral, sp.Sum):
        return expr
    return scaled_bessel_functions(expr, positive)


def loggamma_form(expr: sp.Expr) -> sp.Expr:
    """n! -> Γ(n + 1), then log Γ(x) -> log Γ as one function (no overflow)."""
    if expr.has(sp.factorial):
        expr = expr.replace(lambda e: isinstance(e, sp.factorial),
                            lambda e: sp.gamma(e.args[0] + 1))
    return expr.replace(lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sp.gamma)
                        and e.args[0].args[0].is_positive,
                        lambda e: sp.loggamma(e.args[0].args[0]))


def normal_cdfs(expr: sp.Expr) -> sp.Expr:
    """``c + c erf(z)`` -> ``2c Φ(√2 z)`` and ``c - c erf(z)`` -> ``2c Φ(-√2 z)`` in every sum
    (:class:`ndtr`), then ``log Φ`` -> :class:`log_ndtr`: in a tail the normal CDF is tiny,
    not 1 - 1 = 0, and its log finite (the log of a skew-normal density)."""
    if not expr.has(sp.erf):
        return expr

    def rewritten(add: sp.Add) -> sp.Expr:
        terms = list(add.args)
        for k, term in enumerate(terms):
            factors = sp.Mul.make_args(term)
            found = [f for f in factors if isinstance(f, sp.erf)]
            if len(found) != 1:
                continue
            c = sp.Mul(*[f for f in factors if f is not found[0]])
            z = found[0].args[0]
            for j, other in enumerate(terms):
                if j != k and other in (c, -c):
                    sign = 1 if other == c else -1
                    new = 2 * sign * c * ndtr(sign * sp.sqrt(2) * z)
                    rest = [t for i, t in enumerate(terms) if i not in (j, k)]
                    return sp.Add(*rest, new)
        return add

    expr = expr.replace(lambda e: isinstance(e, sp.Add) and e.has(sp.erf), rewritten)
    return expr.replace(lambda e: isinstance(e, sp.log) and isinstance(e.args[0], ndtr),
                        lambda e: log_ndtr(e.args[0].args[0]))


def positive_parameters(derivation) -> dict[sp.Symbol, sp.Dummy]:
    """Each parameter its family constrains to be positive -> a positive Dummy (the symbols
    themselves may carry no assumptions), for deciding the sign of a subexpression."""
    from .validate import constraints
    found, _ = constraints(derivation)
    return {s: sp.Dummy(s.name, positive=True) for s, c in found.items()
            if c.description == "positive" and s.is_positive is not True}


def rewrite(expr: sp.Expr, stirling: bool = False) -> sp.Expr:
    """The stable rewriting of ``expr`` described in the module docstring (with
    ``stirling=True``, also the Stirling form of :func:`_stirling`)."""
    expr = scaled_exponential_integrals(loggamma_form(expr))
    if expr.has(sp.Integral, sp.Sum):
        return expr
    expr = logistic_form(expr)  # 1 + e^a as e^{softplus(a)}: logits without overflow
    expr = _exp_of_logs(_shared_denominators(expr))
    if stirling:
        expr = _stirling(expr)
    expr = _expm1(_log1p(expr))
    return softplus_primitives(zero_safe_logs(expr))


def _expm1(expr: sp.Expr) -> sp.Expr:
    """``exp(x) - 1`` -> ``expm1(x)`` (sympy's ``expm1_opt``), applied only to the terms of the
    top-level sum that can take part: those holding an exponential, the terms sharing a symbol
    with them (``a e^x - a`` factors to ``a expm1(x)``) and the numbers. sympy's rule factors
    the whole expression, which costs exponentially in its number of symbols (a KL between two
    categoricals with k = 30: minutes); the other terms pass through, so the cost grows with
    the exponential terms only."""
    if not expr.has(sp.exp):
        return expr
    terms = sp.Add.make_args(expr)
    final = [t.has(softplus) for t in terms]  # e^{b - softplus(a)}: kept apart (no factoring)
    taking = [(t.is_number or t.has(sp.exp)) and not f for t, f in zip(terms, final)]
    symbols = set().union(*(t.free_symbols for t, take in zip(terms, taking) if take))
    changed = True
    while changed:  # close over shared symbols
        changed = False
        for i, t in enumerate(terms):
            if not taking[i] and not final[i] and t.free_symbols & symbols:
                taking[i] = changed = True
                symbols |= t.free_symbols
    part = sp.Add(*[t for t, take in zip(terms, taking) if take])
    return optimize(part, [expm1_opt]) + sp.Add(*[t for t, take in zip(terms, taking)
                                                  if not take])


def _log1p(expr: sp.Expr) -> sp.Expr:
    """``log(1 + x)`` -> ``log1p(x)``, also for the numerator or denominator of a ratio
    (``log((1 - p)/p)`` -> ``log1p(-p) - log(p)``); other logs are left whole (``log(a/b)`` is
    more accurate than ``log a - log b`` when a ≈ b)."""

    def one_plus(a: sp.Expr) -> bool:
        return isinstance(a, sp.Add) and sp.S.One in a.args

    def single(a: sp.Expr) -> sp.Expr:
        return log1p(a - 1) if one_plus(a) else sp.log(a)

    def split(e: sp.log) -> sp.Expr:
        argument = e.args[0]
        if one_plus(argument):
            return single(argument)
        numerator, denominator = sp.fraction(sp.together(argument))
        if denominator != 1 and (one_plus(numerator) or one_plus(denominator)) and \
                denominator.is_positive:  # then log(n/d) = log n - log d wherever n/d >= 0
            return single(numerator) - single(denominator)
        return e

    return expr.replace(lambda e: isinstance(e, sp.log), split)


def _unevaluated(cls, arg):
    return None


#: ``expm1`` that stays unevaluated (sympy's evaluates ``expm1(log b + c)`` back to
#: ``b e^c - 1``); named ``expm1``, so every printer writes it as the library's expm1.
Expm1OfLog = type("expm1", (expm1,), {"eval": classmethod(_unevaluated),
                                      "__doc__": "expm1, never evaluated symbolically"})


#: Quantities of the form ±(1 - B) with B > 0 an integral that is 1 at P = Q (or order 1).
ONE_MINUS_QUANTITIES = frozenset({"hellinger", "chi_square", "tsallis_entropy"})


def one_minus_form(expr: sp.Expr, positive: dict | None = None) -> sp.Expr:
    """``1 - B`` -> ``-expm1(log B)`` and ``B - 1`` -> ``expm1(log B)`` for a positive B at
    the top of ``expr`` (or of a piece of a Piecewise, or over a constant denominator): the
    Hellinger distance 1 - BC, the χ² divergence ∫p²/q - 1, the Tsallis entropy. ``log B`` is
    the log of its non-exponential factors plus the exponents (no exp is evaluated, so a BC
    near 1 keeps its digits in log BC)."""
    def applies(e: sp.Expr) -> bool:
        if not isinstance(e, sp.Add) or len(e.args) != 2:
            return False
        one = [a for a in e.args if a in (sp.S.One, sp.S.NegativeOne)]
        if len(one) != 1:
            return False
        other = e.args[0] if e.args[1] is one[0] else e.args[1]
        sign = 1 if one[0] == -1 else -1
        return _positive_where_real((sign * other).xreplace(positive or {})) and \
            other.free_symbols != set()

    def rewritten(e: sp.Add) -> sp.Expr:
        one = next(a for a in e.args if a in (sp.S.One, sp.S.NegativeOne))
        other = e.args[0] if e.args[1] is one else e.args[1]
        sign = 1 if one == -1 else -1
        return sign * Expm1OfLog(log_of_positive(sign * other))

    def top(e: sp.Expr) -> sp.Expr:
        if isinstance(e, sp.Piecewise):
            return sp.Piecewise(*[(top(v), c) for v, c in e.args])
        if applies(e):
            return rewritten(e)
        if isinstance(e, sp.Mul):  # (1 - B)/(q - 1): the Tsallis entropy
            return sp.Mul(*[rewritten(f) if applies(f) else f for f in e.args])
        return e

    return top(expr)


def _positive_where_real(b: sp.Expr) -> bool:
    """Whether b > 0 wherever it is real: known positive, or a product of positive factors,
    exponentials and square roots (the χ² integral e^c σ_2² √(1/(2σ_2² - σ_1²)) / σ_1)."""
    if b.is_positive is True:
        return True
    return all(f.is_positive is True or isinstance(f, sp.exp) or
               isinstance(f, sp.Pow) and f.exp in (sp.S.Half, -sp.S.Half)
               for f in sp.Mul.make_args(b))


def log_of_positive(b: sp.Expr) -> sp.Expr:
    """log b for a positive product b: the exponents of its exp factors plus the log of the
    rest, kept as one log (a ratio near 1 stays accurate)."""
    factors = sp.Mul.make_args(sp.powsimp(b, combine="exp"))
    exponents = [f.args[0] for f in factors if isinstance(f, sp.exp)]
    rest = sp.Mul(*[f for f in factors if not isinstance(f, sp.exp)])
    return sp.Add(*exponents, sp.log(rest) if rest != 1 else 0)


def _shared_arguments(expr: sp.Expr) -> list[sp.Expr]:
    """The arguments z of both a log Γ(z) and a ψ(z) in ``expr``."""
    shared = {f.args[0] for f in expr.atoms(sp.loggamma)} & {
        f.args[1] for f in expr.atoms(sp.polygamma) if f.args[0] == 0}
    return sorted(shared, key=sp.default_sort_key)


def _stirling(expr: sp.Expr) -> sp.Expr:
    """Where log Γ(z) and ψ(z) share an argument z, write them as their Stirling forms,
    (z - ½) log z - z + ½ log 2π + R(z) and log z - 1/(2z) + S(z), and expand: the terms
    ~z log z cancel symbolically (in float64 they cancel to ~log z, losing ~z·eps; e.g. the
    Gamma entropy at shape 10⁶), leaving the small remainders R, S (:mod:`.remainders`)."""
    shared = _shared_arguments(expr)
    if not shared:
        return expr
    forms = {}
    for z in shared:
        forms[sp.loggamma(z)] = ((z - sp.S.Half) * sp.log(z) - z + sp.log(2 * sp.pi) / 2
                                 + stirling_remainder(z))
        forms[sp.polygamma(0, z)] = sp.log(z) - 1 / (2 * z) + digamma_remainder(z)
        for f in expr.atoms(sp.loggamma):
            shift = _shift(f.args[0], z)
            if f not in forms and shift is not None:
                # log Γ(z + h), h ≥ 0 free of some symbol of z: log(z + h) = log z +
                # log1p(h/z), so its ~z log z terms cancel against log Γ(z)'s symbolically
                w = f.args[0]
                forms[f] = ((w - sp.S.Half) * (sp.log(z) + log1p(shift / z)) - w
                            + sp.log(2 * sp.pi) / 2 + stirling_remainder(w))
    return sp.expand(expr.xreplace(forms), log=False, power_base=False, power_exp=False,
                     multinomial=False)


def _overflows_alone(term: sp.Expr) -> bool:
    """Whether ``term`` holds a factor that overflows alone: Γ or a power with a symbolic
    exponent and base."""
    return any(isinstance(f, sp.gamma) or isinstance(f, sp.Pow) and f.exp.free_symbols
               and f.base.free_symbols for f in sp.preorder_traversal(term))


def _shared_denominators(expr: sp.Expr) -> sp.Expr:
    """Terms of the top-level sum whose denominator is a sum holding Γ or symbolic powers,
    grouped by denominator and their common factors taken out (``factor_terms``): in
    ``d a^d Γ(c)/(a^d b^p d Γ(c') + a^d b^p p Γ(c'))`` the a^d and Γ cancel, which float64
    cannot do once each overflows (the generalized gamma KL at d = 100)."""
    if not isinstance(expr, sp.Add):
        return expr
    groups: dict = {}
    rest = []
    for term in expr.args:
        denominator = term.as_numer_denom()[1]
        if isinstance(denominator, sp.Add) and _overflows_alone(denominator):
            groups.setdefault(denominator, []).append(term)
        else:
            rest.append(term)
    if not groups:
        return expr
    return sp.Add(*rest, *[sp.factor_terms(sp.Add(*g)) for g in groups.values()])


def _shift(w: sp.Expr, z: sp.Expr) -> sp.Expr | None:
    """h = w - z when it is known non-negative and does not hold every symbol of z (so it
    stays small against a large z); else None."""
    h = sp.cancel(w - z)
    if h == 0 or z.free_symbols <= h.free_symbols:
        return None
    return h if h.is_nonnegative else None


def _exp_of_logs(expr: sp.Expr) -> sp.Expr:
    """Products of positive factors that overflow alone -> exp(Σ log factors)."""
    def overflowing(term: sp.Expr) -> bool:
        if not isinstance(term, sp.Mul) or not any(
                isinstance(f, sp.gamma) or isinstance(f, sp.Pow) and f.exp.free_symbols
                and f.base.free_symbols for f in term.args):  # (the cheap test first)
            return False
        return term.is_positive is True or (-term).is_positive is True

    def as_exp(term: sp.Expr) -> sp.Expr:
        sign = 1 if term.is_positive else -1
        exponent = sp.expand_log(sp.log(sign * term), force=False)
        exponent = exponent.replace(lambda e: isinstance(e, sp.log)
                                    and isinstance(e.args[0], sp.gamma),
                                    lambda e: sp.loggamma(e.args[0].args[0]))
        return sign * sp.exp(sp.powsimp(exponent, combine="exp"))

    return expr.replace(overflowing, as_exp)


def zero_safe_logs(expr: sp.Expr) -> sp.Expr:
    """``c log a`` -> ``xlogy(c, a)``, ``c log1p(a)`` -> ``xlog1py(c, a)`` where a log's
    argument may vanish."""
    logs = sorted(expr.atoms(sp.log, log1p), key=sp.default_sort_key)

    def risky(f) -> bool:
        argument = f.args[0] if isinstance(f, sp.log) else 1 + f.args[0]
        return argument.is_positive is not True

    if not any(risky(f) for f in logs):
        return expr
    pieces = _by_log_factor(sp.expand(expr, log=False, power_base=False, power_exp=False),
                            logs)
    terms = []
    for key, coefficient in pieces.items():
        if key in logs and coefficient.free_symbols:
            wrap = xlogy if isinstance(key, sp.log) else xlog1py
            terms.append(wrap(sp.factor_terms(sp.together(coefficient)), key.args[0]))
        else:
            terms.append(coefficient * key)
    return sp.Add(*terms)


def _by_log_factor(expr: sp.Expr, logs: list) -> dict:
    """{log factor (or 1): sum of its coefficients} over the terms of ``expr``: each term
    filed under the first of ``logs`` that is one of its factors (``sympy.collect(expr, logs,
    evaluate=False)`` for these keys, in one pass over the terms instead of one per log)."""
    rank = {f: i for i, f in enumerate(logs)}
    pieces: dict = {}
    for term in sp.Add.make_args(expr):
        factors = sp.Mul.make_args(term)
        found = [f for f in factors if f in rank]
        if not found:
            pieces[sp.S.One] = pieces.get(sp.S.One, sp.S.Zero) + term
            continue
        key = min(found, key=rank.__getitem__)
        rest = list(factors)
        rest.remove(key)
        pieces[key] = pieces.get(key, sp.S.Zero) + sp.Mul(*rest)
    return pieces


def same_family_pairs(derivation) -> dict[sp.Symbol, sp.Symbol]:
    """θ_Q symbol -> θ_P symbol for a quantity between two members of one family (empty
    otherwise, or when two of Q's parameters would share one of P's)."""
    p, q = derivation.p, derivation.q
    if p is None or q is None or p.spec is not q.spec:
        return {}
    pairs = {vq: vp for vp, vq in zip(p.values, q.values)
             if isinstance(vq, sp.Symbol) and isinstance(vp, sp.Symbol) and vq != vp}
    return pairs if len(pairs) == len(set(pairs.values())) else {}


#: The divergences that vanish at P = Q with a zero gradient there (O(δ²) between members of one
#: family), so their near-equality series starts at δ²: the KL and Jeffreys, the Rényi
#: divergence, Bhattacharyya, squared Hellinger, χ², Jensen-Shannon, an f-divergence with
#: f(1) = 0 (c_0 = c_1 = 0 is checked; the total variation, O(|δ|) with a kink, is not one).
NEAR_EQUALITY_QUANTITIES = frozenset({"kl", "jeffreys", "renyi_divergence", "bhattacharyya",
                                      "hellinger", "chi_square", "jensen_shannon",
                                      "f_divergence"})


def _partner(derivation) -> dict[sp.Symbol, sp.Symbol]:
    """θ_Q -> θ_P for a divergence between members of one family."""
    if derivation.quantity not in NEAR_EQUALITY_QUANTITIES:
        return {}
    return same_family_pairs(derivation)


def near_equality(derivation, order: int = ORDER) -> NearEquality | None:
    """The Taylor expansion of a same-family KL about θ_Q = θ_P, or None where it does not
    apply (another quantity, an unevaluated result, c_0 or c_1 not zero, or the time budget
    ran out). A result with several finite pieces (asymmetric Laplace: μ_1 > μ_2 or not) is
    expanded piece by piece, each piece's series used where its condition holds."""
    partner = _partner(derivation)
    result = _finite_piece(derivation.result)
    if not partner or result is None or result.has(sp.Integral, sp.Sum):
        return None
    pieces = _analytic_pieces(result)
    if pieces is None:
        return None
    # the differences are Dummies: a parameter named like one (delta_mu) is never captured
    deltas = {q: sp.Dummy(f"delta_{q.name}", real=True) for q in partner}
    expansions = []
    for expr, _ in pieces:
        try:
            terms = run_limited(_taylor_terms, NEAR_BUDGET, expr, partner, order, deltas)
        except BudgetExceeded:
            return None
        if terms is None:
            return None
        expansions.append(terms)
    count = max(len(t) for t in expansions)
    expansions = [(sp.S.Zero,) * (count - len(t)) + tuple(t) for t in expansions]
    differences = tuple((deltas[q], q, p) for q, p in partner.items())
    first = order + 1 - count
    if len(pieces) == 1:
        return NearEquality(differences, expansions[0],
                            _rounding_scale(loggamma_form(result)), first)
    terms = tuple(sp.Piecewise(*[(t[k], c) for t, (_, c) in zip(expansions, pieces)])
                  for k in range(count))
    magnitude = sp.Piecewise(*[(_rounding_scale(loggamma_form(e)), c) for e, c in pieces])
    return NearEquality(differences, terms, magnitude, first)


def _analytic_pieces(result: sp.Expr) -> list[tuple[sp.Expr, sp.Basic]] | None:
    """[(piece, condition)] of ``result`` with its Piecewise parts folded to the top (one
    piece, condition True, where it has none); None if a piece is infinite or nested."""
    if not result.has(sp.Piecewise):
        return [(result, sp.true)]
    folded = sp.piecewise_fold(result)
    if not isinstance(folded, sp.Piecewise):
        return None
    pieces = [(e, c) for e, c in folded.args]
    if any(e.has(sp.Piecewise) or e.is_finite is False or e.has(sp.oo, sp.zoo)
           for e, _ in pieces):
        return None
    return pieces


def _finite_piece(result: sp.Expr) -> sp.Expr | None:
    """The result, or its one finite piece when it is ``Piecewise((D, cond), (oo, True))``
    (near P = Q the evaluators only use the series where the direct value is finite)."""
    if not isinstance(result, sp.Piecewise):
        return result
    finite = [e for e, _ in result.args if e.is_finite is not False and e != sp.oo]
    return finite[0] if len(finite) == 1 else None


def _rounding_scale(expr: sp.Expr) -> sp.Expr:
    """Σ over the terms of ``expr`` of |term|, each log(a) counted as |log a| + 1: the scale
    of the float64 rounding error of the direct form (a log of a ratio near 1 carries an
    absolute error ~ eps however small the log is); log|a| where a may be negative (the
    imaginary parts iπ of such logs cancel in the result)."""
    def counted(term: sp.Expr) -> sp.Expr:
        return sp.Abs(term.replace(lambda e: isinstance(e, sp.log),
                                   lambda e: sp.Abs(sp.log(sp.Abs(e.args[0]))) + 1))
    return sp.Add(*[counted(t) for t in sp.Add.make_args(expr)])


def _taylor_terms(expr: sp.Expr, partner: dict, order: int,
                  deltas: dict) -> tuple[sp.Expr, ...] | None:
    """c_2, ..., c_order of D(θ_P ‖ θ_P + δ), or None unless c_0 and c_1 vanish."""
    expr = loggamma_form(expr)
    try:
        coefficients = taylor_coefficients(expr, {q: (p, deltas[q]) for q, p in partner.items()},
                                           order)
    except Unsupported:
        return None
    if not _vanishes(coefficients[0]):
        return None
    first = 2 if _vanishes(coefficients[1]) else 1
    return tuple(_numeric_constants(c) for c in coefficients[first:])


def _numeric_constants(term: sp.Expr) -> sp.Expr:
    """Constant special values (zeta(3), polygamma(2, 1), ...) as 20-digit floats."""
    constants = {f: f.evalf(20) for f in term.atoms(sp.Function) if not f.free_symbols}
    return term.xreplace(constants) if constants else term


def _vanishes(term: sp.Expr) -> bool:
    """Whether a Taylor coefficient is identically zero (symbolically, or at random points)."""
    if term == 0:
        return True
    symbols = sorted(term.free_symbols, key=lambda s: s.name)
    f = lambdify_safely(symbols, term, modules=["mpmath"])
    rng = np.random.default_rng(0)
    import mpmath
    with mpmath.workdps(30):
        for _ in range(5):
            values = [_sample(s, rng) for s in symbols]
            try:
                if abs(f(*values)) > 1e-20:
                    return False
            except (ValueError, ZeroDivisionError, TypeError):
                return False
    return True


def _sample(symbol: sp.Symbol, rng: np.random.Generator):
    import mpmath
    if symbol.is_integer:
        return mpmath.mpf(int(rng.integers(1, 6)))
    if symbol.is_positive:
        return mpmath.mpf(float(rng.uniform(0.2, 0.8)))
    return mpmath.mpf(float(rng.uniform(-1, 1)))
