r"""f-divergences :math:`D_f(P \parallel Q) = \int q\, f(p/q)` for a convex f with f(1) = 0.

A generator that is :math:`k f_0(t) + a + b\,t` for a named generator :math:`f_0` gives
:math:`k D_{f_0} + a + b` (the affine part integrates to :math:`a + b = f(1) - k f_0(1)`), so
the named divergences are recognised through the second derivative:
:math:`f'' / f_0''` constant.  Any other generator is integrated directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..budget import Budget
from ..errors import BudgetExceeded, InvalidParameter
from ..expectation import numeric_expectation
from ..families.spec import Family, sample_members
from ..integration import integrate_split
from ..measure import Measure, acceptable
from ..scope import derivation_budget
from .derivation import Derivation, Step, StepKind
from .jensen_shannon import jensen_shannon
from .power_integral import power_integral
from .quantities import check_inputs, integration_variable, kl
from .renyi import chi_square, hellinger
from .rules import RULES
from .symmetric import jeffreys
from .total_variation import total_variation

T = sp.Symbol("t", positive=True)


@dataclass(frozen=True)
class NamedGenerator:
    """A named f-divergence: its generator f0(t) and its builder (P, Q, timeout)."""

    name: str
    generator: sp.Expr
    build: Callable[[Family, Family, float], Derivation]


NAMED: list[NamedGenerator] = [
    NamedGenerator("kl", T * sp.log(T), lambda p, q, timeout: kl(p, q, timeout=timeout)),
    NamedGenerator("reverse kl", -sp.log(T), lambda p, q, timeout: kl(q, p, timeout=timeout)),
    NamedGenerator("chi_square", (T - 1) ** 2,
                   lambda p, q, timeout: chi_square(p, q, timeout=timeout)),
    NamedGenerator("neyman chi_square", (T - 1) ** 2 / T,
                   lambda p, q, timeout: chi_square(q, p, timeout=timeout)),
    NamedGenerator("hellinger", (sp.sqrt(T) - 1) ** 2 / 2,
                   lambda p, q, timeout: hellinger(p, q, timeout=timeout)),
    NamedGenerator("jeffreys", (T - 1) * sp.log(T),
                   lambda p, q, timeout: jeffreys(p, q, timeout=timeout)),
    NamedGenerator("total_variation", sp.Abs(T - 1) / 2,
                   lambda p, q, timeout: total_variation(p, q, timeout=timeout)),
    NamedGenerator("jensen_shannon", (T * sp.log(2 * T / (1 + T)) + sp.log(2 / (1 + T))) / 2,
                   lambda p, q, timeout: jensen_shannon(p, q, timeout=timeout)),
]


def register_generator(named: NamedGenerator) -> None:
    """Recognise one more named generator (total variation, Jensen-Shannon, ...)."""
    NAMED.append(named)


def generator_expr(f) -> sp.Expr:
    """f(t) as an expression in the positive symbol t: from a sympy Lambda, a callable on
    sympy expressions, or a string in t."""
    if isinstance(f, str):
        try:
            f = sp.sympify(f, locals={"t": T})
        except (sp.SympifyError, TypeError, SyntaxError):
            raise InvalidParameter(f"f must be an expression in t, got {f!r}") from None
    if isinstance(f, sp.Lambda):
        if len(f.variables) != 1:
            raise InvalidParameter("f must be a function of one variable")
        return f(T)
    if isinstance(f, sp.Expr):
        extra = f.free_symbols - {T}
        if len(f.free_symbols) == 1 and extra:  # another name for the variable
            return f.xreplace({extra.pop(): T})
        return f
    if callable(f):
        return sp.sympify(f(T))
    raise InvalidParameter(f"f must be a sympy Lambda, a callable or a string, got {f!r}")


GRID = np.geomspace(1e-3, 1e3, 41)


def _values(f: sp.Expr, ts) -> np.ndarray:
    fn = sp.lambdify(T, f, "mpmath")
    return np.array([complex(fn(mpmath_float(t))) for t in ts])


def mpmath_float(t: float):
    import mpmath
    return mpmath.mpf(float(t))


def check_convex(f: sp.Expr) -> None:
    """f convex on (0, ∞): second differences ≥ 0 across (0, ∞) (f need not be smooth:
    |t - 1| / 2 is the total variation's generator)."""
    h = 1e-3
    for t in GRID:
        step = h * t
        left, mid, right = _values(f, [t - step, t, t + step])
        if any(abs(v.imag) > 1e-12 for v in (left, mid, right)):
            raise InvalidParameter(f"f must be real on (0, oo): f({t:.3g}) = {mid}")
        if (left + right - 2 * mid).real < -1e-9 * max(1.0, abs(mid)):
            raise InvalidParameter(f"f must be convex on (0, oo): it bends down at t = {t:.3g}")


def recognise(f: sp.Expr, f0: sp.Expr) -> tuple[sp.Expr, sp.Expr] | None:
    """(k, a + b) with f(t) = k f0(t) + a + b t for all t > 0 (k > 0), checked at 41 points
    across (0, ∞) to 1e-12; None otherwise."""
    values, named = _values(f, GRID).real, _values(f0, GRID).real
    design = np.column_stack([named, np.ones_like(GRID), GRID])
    (k, a, b), *_ = np.linalg.lstsq(design, values, rcond=None)
    if not k > 1e-9 or np.max(np.abs(design @ [k, a, b] - values)) > 1e-9 * max(
            1.0, np.max(np.abs(values))):
        return None
    k = sp.nsimplify(k, rational=True, tolerance=1e-10)
    offset = sp.nsimplify(f.xreplace({T: 1}) - k * f0.xreplace({T: 1}))
    return k, offset


def f_divergence(p: Family, q: Family, f, *, base=None, timeout: float = 30) -> Derivation:
    r""":math:`D_f(P \parallel Q) = \int q\,f(p/q)` (a sum for pmfs)."""
    check_inputs("kl", p, q, base, timeout)
    generator = generator_expr(f)
    if generator.free_symbols - {T}:
        raise InvalidParameter("f may contain only the variable t, got "
                               f"{sorted(map(str, generator.free_symbols - {T}))}")
    check_convex(generator)
    base = sp.sympify(base) if base is not None else None
    with derivation_budget(timeout) as budget:
        return _derive(p, q, generator, base, budget)


def _derive(p: Family, q: Family, generator: sp.Expr, base, budget: Budget) -> Derivation:
    x = integration_variable(p)
    dp, dq = p.density_at(x), q.density_at(x)
    lo, hi = p.support.inf, p.support.sup
    op = sp.Sum if p.discrete else sp.Integral
    steps = [Step(StepKind.DEFINITION, op(dq * generator.xreplace({T: dp / dq}), (x, lo, hi)),
                  f"definition of the f-divergence with f(t) = {generator}")]
    params = tuple(dict.fromkeys(p.parameters + q.parameters))
    name = f"f_divergence_{p.name}_{q.name}"

    def done(result, status, more=()):
        steps.extend(more)
        if base is not None and status != "infinite":
            result = result / sp.log(base)
            steps.append(Step(StepKind.CHANGE_OF_BASE, result, f"divide by log({base})"))
        return Derivation(name=name, quantity="f_divergence", result=result, status=status,
                          conditions=conditions, steps=tuple(steps), parameters=params,
                          p=p, q=q, base=base)

    conditions = sp.true
    for named in NAMED:
        found = recognise(generator, named.generator)
        if found is None:
            continue
        ratio, offset = found
        part = named.build(p, q, max(budget.remaining, 1.0))
        conditions = part.conditions
        letter = sp.Function("D_" + named.name.replace(" ", "_"))
        recognised = Step(StepKind.COMPONENT, sp.Eq(sp.Function("D_f")(sp.Symbol("P"),
                                                                      sp.Symbol("Q")),
                                                    ratio * letter(sp.Symbol("P"),
                                                                   sp.Symbol("Q")) + offset,
                                                    evaluate=False),
                          f"f(t) = {ratio}·f0(t) + affine, f0(t) = {named.generator}: the "
                          f"{named.name} generator ({part.name}: {part.status_text()})")
        if part.status == "infinite":
            return done(sp.oo, "infinite", [recognised, Step(
                StepKind.DIVERGENCE, sp.oo, f"the {named.name} divergence is infinite")])
        value = ratio * part.result + offset
        return done(value, part.status, [recognised, *[s for s in part.steps
                                                       if s.kind is StepKind.NUMERIC_CHECK],
                                         Step(StepKind.SUBSTITUTED, value, "")])
    verdict = RULES.support(p, q)
    steps.append(Step(StepKind.SUPPORT, verdict.condition, verdict.note))
    if verdict.condition == sp.false:
        return done(sp.oo, "infinite", [Step(StepKind.DIVERGENCE, sp.oo,
                                             "supp P is not inside supp Q")])
    terms = power_terms(generator)
    if terms is not None:
        found = _by_power_integrals(terms, p, q, x, budget, verdict.condition)
        if found is not None:
            value, more, status = found
            return done(value, status, more)
    body = sp.powsimp(dq * generator.xreplace({T: dp / dq}), force=True)
    try:
        if p.discrete:
            value = budget.run(sp.summation, body, (x, lo, hi), cap=20)
        else:
            value = budget.run(integrate_split, body, x, lo, hi, cap=20)
    except BudgetExceeded:
        return done(op(body, (x, lo, hi)), "timed_out",
                    [Step(StepKind.TIME_BUDGET, op(body, (x, lo, hi)), "integration ran out of "
                          "its CPU budget")])
    except (NotImplementedError, ValueError, TypeError):
        value = None
    if value is None or not acceptable(value):
        kept = op(body, (x, lo, hi))
        return done(kept, "no_closed_form", [Step(StepKind.NO_CLOSED_FORM, kept,
                                                  "no closed form of the integral")])
    value = sp.simplify(value)
    if verdict.condition != sp.true:
        value = sp.Piecewise((value, verdict.condition), (sp.oo, True))
    more = [Step(StepKind.EXPECTATION, sp.Eq(sp.Symbol("D_f"), value, evaluate=False),
                 "integrated directly")]
    more.append(_numeric_check(value, p, q, generator, x))
    return done(value, "closed_form", more)


def power_terms(f: sp.Expr) -> dict | None:
    """f(t) = a + b t + Σ c_k t^{a_k} + c t log t + d log t, as {"affine": a + b,
    a_k: c_k, "t log t": c, "log t": d}; None for any other term."""
    out: dict = {}
    for term in sp.Add.make_args(sp.expand(sp.expand_log(f, force=True))):
        coeff, rest = term.as_independent(T, as_Add=False)
        if rest == 1 or rest == T:
            key = "affine"
        elif rest == T * sp.log(T):
            key = "t log t"
        elif rest == sp.log(T):
            key = "log t"
        elif isinstance(rest, sp.Pow) and rest.base == T and rest.exp.is_number:
            key = rest.exp
        else:
            return None
        out[key] = out.get(key, 0) + coeff
    return out


def _by_power_integrals(terms: dict, p: Family, q: Family, x, budget: Budget, contained):
    r""":math:`\int q f(p/q) = a + b + \sum_k c_k \int p^{a_k} q^{1-a_k}
    + c\,D_{KL}(P\|Q) - d\,D_{KL}(Q\|P)`, each power integral derived by
    :func:`power_integral`; None when one has no closed form."""
    total, steps, status = terms.get("affine", 0), [], "closed_form"
    E = sp.Function("I")
    for key, coeff in terms.items():
        if key == "affine":
            continue
        if key in ("t log t", "log t"):
            d = kl(p, q, timeout=max(budget.remaining, 1.0)) if key == "t log t" else \
                kl(q, p, timeout=max(budget.remaining, 1.0))
            if d.status != "closed_form":
                return None
            total += coeff * d.result if key == "t log t" else -coeff * d.result
            steps.append(Step(StepKind.COMPONENT, sp.Eq(sp.Function("D_KL")(
                *(sp.symbols("P Q") if key == "t log t" else sp.symbols("Q P"))), d.result,
                evaluate=False), f"{d.name}: {d.status_text()}"))
            continue
        found = power_integral((p, q), (key, 1 - key), x, budget)
        if not found.closed:
            return None
        steps.extend(found.steps)
        steps.append(Step(StepKind.COMPONENT, sp.Eq(E(key), found.value, evaluate=False),
                          f"the power integral of order {key}"))
        total += coeff * found.value
        if found.condition != sp.true:
            contained = sp.And(contained, found.condition)
    if contained != sp.true:
        total = sp.Piecewise((total, contained), (sp.oo, True))
    try:
        total = budget.run(sp.simplify, total, cap=5)
    except BudgetExceeded:
        pass
    steps.append(Step(StepKind.SUBSTITUTED, total, "the power integrals and KLs substituted"))
    return total, steps, status


def _numeric_check(value, p: Family, q: Family, generator, x) -> Step:
    rng = np.random.default_rng(9)
    measure = Measure(p.density_at(x), x, p.support_at(x))
    ratio = q.density_at(x) / p.density_at(x)
    statistic = ratio * generator.xreplace({T: 1 / ratio})
    for _ in range(10):
        try:
            point = sample_members((p, q), rng)
        except InvalidParameter:
            break
        claimed = sp.N(value.xreplace({k: sp.Float(v, 20) for k, v in point.items()}), 20)
        if not claimed.is_finite:
            continue
        reference = numeric_expectation(measure, statistic, point)
        if reference is None:
            continue
        err = abs(complex(claimed) - complex(reference)) / max(1.0, abs(complex(reference)))
        if err > 1e-6:
            raise InvalidParameter(f"the integral of q f(p/q) gave {claimed} but numerical "
                                   f"integration {reference}")
        shown = ", ".join(f"{k}={float(v):.4g}" for k, v in point.items())
        return Step(StepKind.NUMERIC_CHECK, sp.Float(err, 3),
                    f"relative difference from numerical integration at {shown}")
    return Step(StepKind.NO_NUMERIC_CHECK, sp.nan, "no numerical check was possible")
