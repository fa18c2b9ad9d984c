r"""The power integral :math:`I = \int \prod_i p_i^{w_i}` of multivariate normals and of
product laws (for :mod:`.renyi`).

**Gaussian members** (symbolic dimension k with matrix symbols, or explicit dimension).  Each
log-density is read as a quadratic form, :math:`\log p_i(x) = -\tfrac12 x^\top \Lambda_i x +
h_i^\top x + c_i` (its mean :math:`\mu_i = \Lambda_i^{-1} h_i` and covariance
:math:`\Sigma_i = \Lambda_i^{-1}`), so :math:`\sum_i w_i \log p_i = -\tfrac12 x^\top A x +
b^\top x + c` with :math:`A = \sum_i w_i \Lambda_i`, :math:`b = \sum_i w_i h_i`,
:math:`c = \sum_i w_i c_i`, and the Gaussian integral gives

.. math::
    I = (2\pi)^{k/2} \det(A)^{-1/2} \exp(\tfrac12 b^\top A^{-1} b + c)
    \quad\text{where } A \succ 0,\quad +\infty \text{ elsewhere.}

For two members with :math:`w_1 + w_2 = 1`: :math:`\Sigma_1 A \Sigma_2 = S := w_1 \Sigma_2 +
w_2 \Sigma_1`, hence :math:`\det A = \det S / (\det\Sigma_1 \det\Sigma_2)`, :math:`A \succ 0
\iff S \succ 0` (inversion reverses the Loewner order), and
:math:`b^\top A^{-1} b - w_1 \mu_1^\top\Lambda_1\mu_1 - w_2 \mu_2^\top\Lambda_2\mu_2 =
-w_1 w_2 (\mu_1-\mu_2)^\top S^{-1} (\mu_1-\mu_2)`, so

.. math::
    \log I = -\tfrac12 \log\frac{\det S}{\det\Sigma_1^{w_2}\det\Sigma_2^{w_1}}
             - \tfrac{w_1 w_2}{2} (\mu_1-\mu_2)^\top S^{-1} (\mu_1-\mu_2),

and the Rényi divergence (:math:`w = (\alpha, 1-\alpha)`, :math:`S = \Sigma_\alpha =
\alpha\Sigma_2 + (1-\alpha)\Sigma_1`) is :math:`\frac{\alpha}{2}\Delta^\top\Sigma_\alpha^{-1}
\Delta - \frac{1}{2(\alpha-1)}\log\frac{\det\Sigma_\alpha}{\det\Sigma_1^{1-\alpha}
\det\Sigma_2^{\alpha}}` (not the Chernoff α-divergence often printed in its place, which lacks
the factor :math:`1/(1-\alpha)`).  Each identity is checked numerically at random sizes and
values; the result at k = 2 against nested quadrature of the integrand.  The explicit dimension
is the symbolic derivation at the members' own means and covariances.

**Product laws** whose components pair up: the integrand factorises, so :math:`I = \prod_j I_j`
and :math:`\log I = \sum_j \log I_j`; each component's quantity is derived on its own and its
:math:`I_j` recovered by inverting the quantity's definition.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import sympy as sp
from scipy import integrate
from sympy.logic.boolalg import BooleanFunction

from ..errors import NoRule, SymbolicInfoError
from ..families.spec import Family, sample_parameters
from . import explicit, matrix
from .additivity import matching
from .derivation import Derivation, Step, StepKind
from .power_integral import powers

K = sp.Symbol("k", integer=True, positive=True)  # the dimension of the explicit derivations
IDENTITY_SIZES = (2, 3, 4)
TOLERANCE = 1e-7


class PowerBuilder(Protocol):
    """What this module uses of :class:`.renyi._Builder`."""

    spec: Any  # a PowerQuantity
    p: Family
    q: Family | None
    order: sp.Expr
    steps: list[Step]

    @property
    def members(self) -> tuple[Family, ...]: ...

    def finish(self, result: sp.Expr, status: str) -> Derivation: ...


class PositiveDefinite(BooleanFunction):
    """:math:`M \\succ 0`: decided for a numeric matrix, by its leading principal minors for
    an explicit one with symbols, unevaluated for a matrix expression of symbolic size."""

    @classmethod
    def eval(cls, m):
        if not isinstance(m, sp.MatrixBase):
            return None
        if not m.free_symbols:
            values = np.linalg.eigvalsh(np.array(m.evalf(), dtype=float))
            return sp.true if values.min() > 0 else sp.false
        return sp.And(*[positive(m[:j, :j].det()) for j in range(1, m.shape[0] + 1)])

    def _latex(self, printer) -> str:
        return f"{printer._print(self.args[0])} \\succ 0"

    def _sympystr(self, printer) -> str:
        return f"PositiveDefinite({printer._print(self.args[0])})"


def positive(e: sp.Expr) -> sp.Basic:
    """e > 0 with e factored (a leading principal minor)."""
    e = sp.factor(sp.together(e))
    numerator, denominator = sp.fraction(e)
    if denominator.is_positive:
        e = numerator
    return sp.Gt(e, 0)


def multivariate_power(b: PowerBuilder) -> Derivation | None:
    """The quantity of ``b`` for product laws (additivity), members of symbolic dimension and
    explicit multivariate normals; None where none of these applies (the generic path)."""
    if b.p.spec.factors and matching(b.p, b.q):
        return by_components(b)
    if any(m.matrix for m in b.members):
        if not all(m.matrix and m.spec.name == "mvnormal" for m in b.members):
            raise NoRule(f"{b.spec.name} of families of symbolic dimension: only multivariate "
                         "normals are derived")
        return GaussianPower(b, symbolic=True).run()
    if all(m.multivariate and not m.discrete for m in b.members) and \
            all(gaussian_form(m) is not None for m in b.members):
        return GaussianPower(b, symbolic=False).run()
    return None


# -- the quadratic form of an explicit log-density ---------------------------------------------
@dataclass(frozen=True)
class QuadraticForm:
    """log p(x) = -x'Λx/2 + h'x + c; mean Λ^{-1}h, covariance Λ^{-1}."""

    precision: sp.Matrix
    shift: sp.Matrix
    constant: sp.Expr
    mean: sp.Matrix
    covariance: sp.Matrix


def gaussian_form(m: Family) -> QuadraticForm | None:
    """The quadratic form of an explicit member's log-density, None unless it is a quadratic
    polynomial in the coordinates with a positive definite Λ (a normal law)."""
    xs = m.variables
    if any(lo != -sp.oo or hi != sp.oo for _, lo, hi in m.support_at(xs).limits):
        return None
    log_p = sp.expand(sp.expand_log(sp.log(m.density_at(xs)), force=True))
    _, dependent = log_p.as_independent(*xs, as_Add=True)
    try:
        if sp.Poly(dependent, *xs).total_degree() != 2:
            return None
    except sp.PolynomialError:
        return None
    zero = dict.fromkeys(xs, 0)
    precision = sp.Matrix(len(xs), len(xs), lambda i, j: sp.cancel(
        -sp.diff(log_p, xs[i], xs[j])))
    shift = sp.Matrix([sp.cancel(sp.diff(log_p, v).xreplace(zero)) for v in xs])
    covariance = precision.inv().applyfunc(sp.factor)
    mean = (covariance * shift).applyfunc(sp.factor)
    return QuadraticForm(precision, shift, log_p.xreplace(zero), mean, covariance)


# -- the Gaussian power integral ----------------------------------------------------------------
@dataclass(frozen=True)
class Gaussian:
    """A member of symbolic dimension: mean, covariance and the constant of its log-density."""

    mean: sp.MatrixExpr
    covariance: sp.MatrixExpr
    constant: sp.Expr


def trace_part(e: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """(the terms with a trace, the rest)."""
    with_trace, rest = [], []
    for term in sp.Add.make_args(sp.expand(e)):
        (with_trace if term.has(sp.Trace) else rest).append(term)
    return sp.Add(*with_trace), sp.Add(*rest)


def form(u: sp.MatrixExpr, m: sp.MatrixExpr, v: sp.MatrixExpr) -> sp.Expr:
    """The bilinear form u'Mv as a trace."""
    return sp.Trace(sp.MatMul(sp.Transpose(u), m, v))


class GaussianPower:
    """∫ Π p_i^{w_i} of normal members by the Gaussian integral, then the quantity of it."""

    def __init__(self, b: PowerBuilder, symbolic: bool):
        self.b, self.symbolic = b, symbolic
        self.weights = tuple(sp.sympify(w) for w in b.spec.weights(b.order))
        self.rng = np.random.default_rng(17)

    # the derivation at symbolic dimension ---------------------------------------------------
    def members(self) -> tuple[list[Gaussian], dict]:
        """Each member as a Gaussian of symbolic dimension, and (explicit dimension) the
        explicit values of the placeholders."""
        out, values = [], {}
        for i, m in enumerate(self.b.members, start=1):
            if self.symbolic:
                x = sp.MatrixSymbol("x", *m.variable.shape)
                mean, cov = matrix.moments(m, x)
                log_p = sp.expand_log(sp.log(m.density_at(x)), force=True)
                constant = matrix.parts(log_p, x)[0]
            else:
                mean, cov = sp.MatrixSymbol(f"mu_{i}", K, 1), sp.MatrixSymbol(f"Sigma_{i}", K, K)
                found = gaussian_form(m)
                values[mean] = sp.ImmutableMatrix(found.mean)
                values[cov] = sp.ImmutableMatrix(found.covariance)
                constant = (-form(mean, cov.I, mean) / 2 - sp.log(sp.Determinant(cov)) / 2
                            - K * sp.log(2 * sp.pi) / 2)
                self.check_normalised(m, found, constant, mean, cov)
            out.append(Gaussian(mean, cov, constant))
        return out, values

    def check_normalised(self, m: Family, found: QuadraticForm, constant, mean, cov) -> None:
        """The constant of an explicit log-density is the normal's: checked at random values."""
        rng = np.random.default_rng(3)
        for _ in range(3):
            point = {s: sp.Rational(v) if isinstance(v, float) else v
                     for s, v in sample_parameters(m, rng).items()}
            k = len(m.variables)
            at = {K: k, mean: sp.ImmutableMatrix(found.mean.xreplace(point)),
                  cov: sp.ImmutableMatrix(found.covariance.xreplace(point))}
            claimed = float(sp.N(explicit.concrete(constant, at, K), 20))
            actual = float(sp.N(found.constant.xreplace(point), 20))
            if abs(claimed - actual) > 1e-9 * max(1.0, abs(actual)):
                raise NoRule(f"{m.label()}: a quadratic log-density that is not a normalised "
                             "normal density")

    def log_integral(self, gs: list[Gaussian]) -> tuple[sp.Expr, sp.Basic, list[Step]]:
        """log I, the condition for I < oo, and the steps, at symbolic dimension."""
        w = self.weights
        k = gs[0].mean.shape[0]
        a = sp.MatAdd(*[wi * g.covariance.I for wi, g in zip(w, gs)])
        shift = sp.MatAdd(*[wi * g.covariance.I * g.mean for wi, g in zip(w, gs)])
        c = sp.Add(*[wi * g.constant for wi, g in zip(w, gs)])
        steps = [Step(StepKind.NORMALISERS, sp.Tuple(a, shift, c), (
            "sum_i w_i log p_i = -x'Ax/2 + b'x + c with A = sum_i w_i inv(Sigma_i), b = sum_i "
            "w_i inv(Sigma_i) mu_i, c = sum_i w_i c_i (each log-density read as a quadratic "
            "form in x); the Gaussian integral: I = (2 pi)^(k/2) det(A)^(-1/2) exp(b'inv(A)b/2"
            " + c) where A is positive definite, +oo elsewhere (a direction where x'Ax <= 0 "
            "gives an integrand that does not decay)"))]
        quadratic_c, rest_c = trace_part(c)
        if len(gs) == 1:
            g, (w1,) = gs[0], w
            log_det_a = k * sp.log(w1) - sp.log(sp.Determinant(g.covariance))
            quadratic = form(shift, g.covariance / w1, shift) / 2 + quadratic_c
            steps.append(Step(StepKind.SIMPLIFICATION, sp.Eq(
                sp.log(sp.Determinant(a)), log_det_a, evaluate=False),
                "det(w inv(Sigma)) = w^k / det(Sigma), inv(A) = Sigma / w"))
            condition = sp.true if w1.is_positive is not False else sp.false
            claimed_quadratic = sp.S.Zero
        elif len(gs) == 2 and sp.expand(sum(w) - 1) == 0:
            (g1, g2), (w1, w2) = gs, w
            s = matrix.symmetric(sp.expand(g1.covariance * a * g2.covariance).doit(),
                                 [g1.covariance, g2.covariance])
            log_det_a = (sp.log(sp.Determinant(s)) - sp.log(sp.Determinant(g1.covariance))
                         - sp.log(sp.Determinant(g2.covariance)))
            a_inv = g2.covariance * s.I * g1.covariance
            quadratic = form(shift, a_inv, shift) / 2 + quadratic_c
            delta = g1.mean - g2.mean
            claimed_quadratic = -w1 * w2 * form(delta, s.I, delta) / 2
            condition = sp.true if all(wi.is_positive for wi in w) else PositiveDefinite(s)
            steps.append(Step(StepKind.SIMPLIFICATION, matrix.Equation(sp.Symbol("S"), s), (
                f"Sigma_1 A Sigma_2 = S (w_1 + w_2 = 1), so det A = det S / (det Sigma_1 det "
                f"Sigma_2), inv(A) = Sigma_2 inv(S) Sigma_1, and A > 0 iff S > 0 (A = inv("
                f"Sigma_1) S inv(Sigma_2); for weights outside (0, 1) inversion reverses the "
                f"Loewner order); {self.identity_check(gs, a, s)}")))
        else:
            raise NoRule("the Gaussian power integral is derived for one member, or two with "
                         "weights summing to 1")
        checked = self.quadratic_check(gs, quadratic, claimed_quadratic)
        steps.append(Step(StepKind.SIMPLIFICATION, sp.Eq(2 * quadratic, 2 * claimed_quadratic,
                                                         evaluate=False), (
            "the quadratic terms b'inv(A)b/2 - sum_i w_i mu_i' inv(Sigma_i) mu_i / 2 collect "
            f"into one form in the difference of the means; {checked}")))
        scalar = sp.expand(sp.expand_log(k * sp.log(2 * sp.pi) / 2 - log_det_a / 2 + rest_c,
                                         force=True))
        return scalar + claimed_quadratic, condition, steps

    def random_values(self, gs: list[Gaussian], k: int) -> dict:
        point: dict = {K: k}
        for g in gs:
            if isinstance(g.mean, sp.MatrixSymbol):
                point.setdefault(g.mean, exact(self.rng.uniform(-1.5, 1.5, (k, 1))))
            if isinstance(g.covariance, sp.MatrixSymbol):
                a = self.rng.normal(size=(k, k))
                point.setdefault(g.covariance, exact(a @ a.T / k + 0.5 * np.eye(k)))
        for s in self.b.order.free_symbols:
            point[s] = sp.Rational(self.rng.choice([self.rng.uniform(0.15, 0.85),
                                                    self.rng.uniform(1.15, 2.5)]))
        return point

    def numeric(self, expr, point: dict, k_symbol=None) -> complex:
        k_symbol = k_symbol if k_symbol is not None else self.dimension_symbol()
        scalars = {s: v for s, v in point.items() if isinstance(s, sp.Symbol) and s != K}
        at = {s: v for s, v in point.items() if not (isinstance(s, sp.Symbol) and s != K)}
        at[k_symbol] = point[K]
        value = explicit.concrete(sp.sympify(expr).xreplace(scalars), at, k_symbol)
        return complex(sp.N(value, 40))

    def numeric_matrix(self, m: sp.MatrixExpr, point: dict) -> list:
        at = {s: v for s, v in point.items() if not (isinstance(s, sp.Symbol) and s != K)}
        at[self.dimension_symbol()] = point[K]
        return explicit.concrete(m, at, self.dimension_symbol()).evalf().tolist()

    def dimension_symbol(self):
        return self.b.p.variable.shape[0] if self.symbolic else K

    def identity_check(self, gs, a, s) -> str:
        """Σ₁AΣ₂ = S and det A = det S/(det Σ₁ det Σ₂), at random sizes and values."""
        worst = 0.0
        for k in IDENTITY_SIZES:
            point = self.random_values(gs, k)
            lhs = self.numeric(sp.Determinant(a), point)
            rhs = self.numeric(sp.Determinant(s) / (sp.Determinant(gs[0].covariance)
                                                    * sp.Determinant(gs[1].covariance)), point)
            worst = max(worst, abs(lhs - rhs) / max(1.0, abs(rhs)))
        if worst > TOLERANCE:
            raise SymbolicInfoError(f"det A = det S / (det Sigma_1 det Sigma_2) fails "
                                    f"numerically ({worst:.3g})")
        return (f"checked at k = {', '.join(map(str, IDENTITY_SIZES))} and random values "
                f"(relative difference {worst:.1e})")

    def quadratic_check(self, gs, quadratic, claimed) -> str:
        worst = 0.0
        for k in IDENTITY_SIZES:
            point = self.random_values(gs, k)
            lhs, rhs = self.numeric(quadratic, point), self.numeric(claimed, point)
            worst = max(worst, abs(lhs - rhs) / max(1.0, abs(rhs)))
        if worst > TOLERANCE:
            raise SymbolicInfoError(f"the quadratic terms do not collect as claimed ({worst:.3g})")
        return (f"checked at k = {', '.join(map(str, IDENTITY_SIZES))} and random values "
                f"(relative difference {worst:.1e})")

    # the quantity ---------------------------------------------------------------------------
    def textbook(self, log_i: sp.Expr) -> sp.Expr:
        """The quantity of I = e^{log I}: for a logarithm of I, its log-determinants as one
        logarithm and its trace with a factored coefficient; else I with powers of the
        determinants."""
        spec, order = self.b.spec, self.b.order
        traces = {t: sp.Dummy("t") for t in log_i.atoms(sp.Trace)}  # kept whole
        back = {d: t for t, d in traces.items()}
        log_i = log_i.xreplace(traces)
        value = sp.expand(spec.of_integral(sp.exp(log_i), log_i, order))
        if value.has(sp.exp):  # not a logarithm of I
            integral = powers(sp.exp(log_i))
            return spec.of_integral(integral, log_i, order).xreplace(back)
        logs, forms, rest = {}, {}, sp.S.Zero
        for term in sp.Add.make_args(value):
            coeff, body = term.as_independent(sp.log, *back, as_Add=False)
            if isinstance(body, sp.log):
                logs[body.args[0]] = logs.get(body.args[0], 0) + coeff
            elif body in back:
                forms[body] = forms.get(body, 0) + coeff
            else:
                rest += term
        forms = sp.Add(*[sp.factor(c) * back[t] for t, c in forms.items()])
        own = {sp.Determinant(g.covariance) for g in self.gaussians}
        leading = next((c for a, c in logs.items() if isinstance(a, sp.Determinant)
                        and a not in own), None)
        if leading is None:
            return sp.factor(rest) + forms + sp.Add(*[sp.factor(c) * sp.log(a)
                                                       for a, c in logs.items()])
        leading = sp.factor(leading)
        argument = sp.Mul(*[a ** sp.factor(c / leading) for a, c in logs.items()])
        return forms + leading * sp.log(argument) + sp.factor(rest)

    def run(self) -> Derivation:
        b = self.b
        b.steps.append(Step(StepKind.DEFINITION, b.spec.definition(sp.Symbol("I"), b.order),
                            b.spec.text.format(order=b.order)))
        self.gaussians, values = self.members()
        b.steps.append(Step(StepKind.POWER_INTEGRAL, sp.Mul(*[
            sp.Function(f"p_{i}")(sp.Symbol("x")) ** w for i, w in enumerate(self.weights, 1)]),
            "the integral over R^k of " + " · ".join(
                f"p_{i}^({w})" for i, w in enumerate(self.weights, 1))
            + ("" if self.symbolic else
               f"; the members are normal, with means and covariances read off their "
               f"quadratic log-densities: {self.shown(values)}")))
        log_i, condition, steps = self.log_integral(self.gaussians)
        b.steps.extend(steps)
        b.steps.append(Step(StepKind.NORMALISERS, sp.Eq(sp.log(sp.Symbol("I")), log_i,
                                                        evaluate=False),
                            "log I, the log-determinants and the quadratic form collected"))
        value = self.textbook(log_i)
        b.steps.append(Step(StepKind.SUBSTITUTED, value, "the integral substituted"))
        b.steps.append(self.numeric_check(log_i, condition))
        if values:
            value, condition = self.at_explicit(value, values), condition.xreplace(values)
            condition = condition.xreplace({K: len(b.p.variables)}).doit()
            b.steps.append(Step(StepKind.SIMPLIFICATION, value, f"at k = "
                                f"{len(b.p.variables)}: the members' means and covariances "
                                "substituted"))
        if condition != sp.true:
            value = sp.Piecewise((value, condition), (sp.oo, True))
            b.steps.append(Step(StepKind.SUPPORT, value, "the integral diverges where the "
                                "mixed matrix is not positive definite: the quantity is +oo"))
        if b.spec.limit and b.order.free_symbols:
            b.steps.append(self.limit_step(value, values))
        return b.finish(value, "closed_form")

    def shown(self, values: dict) -> str:
        return "; ".join(f"{s} = {sp.sstr(v.tolist())}" for s, v in values.items())

    def at_explicit(self, value: sp.Expr, values: dict) -> sp.Expr:
        """The value at the members' explicit means and covariances: determinants factored,
        each quadratic form one fraction."""
        k = len(self.b.p.variables)

        def entry(e):
            inner = explicit.concrete(e, {**values, K: k}, K)
            return sp.factor(sp.cancel(inner)) if isinstance(e, sp.Determinant) else \
                sp.factor(sp.together(inner))

        fixed = value.replace(lambda e: isinstance(e, (sp.Determinant, sp.Trace)), entry)
        return fixed.xreplace({K: k})

    def numeric_check(self, log_i: sp.Expr, condition: sp.Basic) -> Step:
        """I at k = 2 and random values against nested quadrature of exp(Σ w_i log p_i)."""
        gs = self.gaussians
        for _ in range(20):
            point = self.random_values(gs, 2)
            if condition != sp.true and self.numeric_condition(condition, point) is not True:
                continue
            log_claimed = self.numeric(log_i, point).real
            if abs(log_claimed) > 8:  # a peaked or tiny integrand: quadrature is unreliable
                continue
            claimed = np.exp(log_claimed)
            reference = quadrature(gs, self.weights, point, self)
            error = abs(claimed - reference) / max(1.0, abs(reference))
            if error > 1e-6:
                raise SymbolicInfoError(f"{self.b.spec.name}: the power integral {claimed:.10g}"
                                        f" disagrees with quadrature {reference:.10g}")
            return Step(StepKind.NUMERIC_CHECK, sp.Float(error, 3), "relative difference of I "
                        "from nested quadrature at k = 2, random means, covariances and order")
        return Step(StepKind.NO_NUMERIC_CHECK, sp.nan, "no random point where I is finite")

    def numeric_condition(self, condition, point) -> bool:
        scalars = {s: v for s, v in point.items() if isinstance(s, sp.Symbol) and s != K}
        at = {s: v for s, v in point.items() if not (isinstance(s, sp.Symbol) and s != K)}
        at[self.dimension_symbol()] = point[K]
        return bool(explicit.concrete(condition.xreplace(scalars), at,
                                      self.dimension_symbol()))

    def limit_step(self, value: sp.Expr, values: dict) -> Step:
        """The order-1 limit against the KL divergence (Shannon entropy), at a random point."""
        from .quantities import entropy, kl  # (quantities imports nothing of this module)
        b = self.b
        reference = kl(b.p, b.q) if b.spec.limit == "kl" else entropy(b.p)
        order = next(iter(b.order.free_symbols))
        main = value.args[0][0] if isinstance(value, sp.Piecewise) else value
        if values:
            # 40-digit floats: exact rationals would make sympy extract roots of huge integers
            point = {s: sp.Float(v, 40) if isinstance(v, float) else v for m in b.members
                     for s, v in sample_parameters(m, np.random.default_rng(5)).items()}
            near = [complex(sp.N(main.xreplace({**point, order: sp.Float(1, 40) + e}),
                                 30)).real
                    for e in (sp.Float("1e-12", 40), -sp.Float("1e-12", 40))]
            at_one = complex(sp.N(reference.result.xreplace(point), 30)).real
        else:
            point = self.random_values(self.gaussians, 2)
            near = [self.numeric(main, {**point, order: 1 + e})
                    for e in (sp.Rational(1, 10 ** 12), -sp.Rational(1, 10 ** 12))]
            near = [v.real for v in near]
            at_one = self.numeric(reference.result, point, self.dimension_symbol()).real
        error = max(abs(v - at_one) for v in near) / max(1.0, abs(at_one))
        if error > 1e-6:
            raise SymbolicInfoError(f"{b.spec.name}: the order-1 limit {near} differs from "
                                    f"{reference.name} {at_one}")
        symbol = "D" if b.q is not None else "H"
        return Step(StepKind.LIMIT, sp.Eq(sp.Limit(sp.Symbol(symbol), order, 1),
                                          reference.result, evaluate=False),
                    f"the order-1 limit is {reference.name}: checked at order 1 +- 1e-12 and "
                    f"random values (relative difference {error:.1e})")


def exact(a: np.ndarray) -> sp.ImmutableMatrix:
    """A numpy array as a matrix of exact rationals (the binary values of its floats)."""
    return sp.ImmutableMatrix(a.shape[0], a.shape[1], [sp.Rational(float(v)) for v in a.flat])


def quadrature(gs: list[Gaussian], weights, point: dict, owner: GaussianPower) -> float:
    """∫ exp(Σ w_i log N(x; μ_i, Σ_i)) over R² by nested quadrature, in the log domain."""
    from scipy.stats import multivariate_normal
    laws = []
    for g in gs:
        mean = np.array(owner.numeric_matrix(g.mean, point), dtype=float).ravel()
        cov = np.array(owner.numeric_matrix(g.covariance, point), dtype=float)
        laws.append(multivariate_normal(mean, cov))
    w = [float(owner.numeric(wi, point).real) for wi in weights]

    def integrand(y: float, x: float) -> float:
        return float(np.exp(sum(wi * law.logpdf([x, y]) for wi, law in zip(w, laws))))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value, _ = integrate.dblquad(integrand, -np.inf, np.inf, -np.inf, np.inf,
                                     epsabs=1e-11, epsrel=1e-10)
    return value


# -- product laws: I = Π_j I_j --------------------------------------------------------------------
def by_components(b: PowerBuilder) -> Derivation:
    """The quantity of a product law from its components' (each derived on its own): I_j from
    the component's value by inverting the definition, I = Π_j I_j, log I = Σ_j log I_j."""
    from .renyi import derive_power  # (renyi imports this module)
    spec, order = b.spec, b.order
    ps = b.p.factors()
    qs = b.q.factors() if b.q is not None else [None] * len(ps)
    order_arg = None if spec.fixed_order is not None else order
    parts = [derive_power(spec.name, pj, qj, order_arg, timeout=max(b.budget.remaining, 1.0))
             for pj, qj in zip(ps, qs)]
    b.steps.append(Step(StepKind.DEFINITION, spec.definition(sp.Symbol("I"), order),
                        spec.text.format(order=order)))
    b.steps.append(Step(StepKind.ADDITIVITY, sp.Eq(sp.Symbol("I"), sp.Mul(*[
        sp.Symbol(f"I_{j}") for j in range(1, len(ps) + 1)]), evaluate=False),
        "independent components: the integrand is a product of the components' integrands, "
        "so the power integral is the product of theirs"))
    for j, (pj, qj, part) in enumerate(zip(ps, qs, parts), start=1):
        what = pj.label() if qj is None else f"{pj.label()} || {qj.label()}"
        b.steps.append(Step(StepKind.COMPONENT, sp.Eq(sp.Symbol(f"F_{j}"), part.result,
                                                      evaluate=False),
                            f"{what}: {part.status_text()}"))
    worst = max((part.status for part in parts), key=STATUSES.index)
    if worst == "infinite":
        return b.finish(sp.oo, "infinite")
    if worst != "closed_form":
        raise NoRule(f"{spec.name} of {b.p.label()}: a component has no closed form")
    values, conditions = zip(*[finite_part(part.result) for part in parts])
    of_value, log_of_value = inverse(spec.definition, order)
    integral = sp.Mul(*[of_value(v) for v in values])
    log_integral = sp.Add(*[log_of_value(v) for v in values])
    if b.p.spec.repeat is not None:
        index, k = b.p.spec.repeat
        integral = sp.Product(of_value(values[0]), (index, 1, k))
        coeff, body = log_of_value(values[0]).as_independent(index, as_Add=False)
        log_integral = coeff * sp.Sum(body, (index, 1, k))
    value = spec.of_integral(integral, log_integral, order)
    if spec.logarithmic:  # Σ_j (α - 1) F_j / (α - 1) = Σ_j F_j: the components' values kept
        value = sp.expand(value, deep=False)
    b.steps.append(Step(StepKind.SUBSTITUTED, value, "each I_j from its component's value "
                        "(the definition inverted), I = prod_j I_j substituted"))
    if all(part.checked for part in parts):
        b.steps.append(Step(StepKind.NUMERIC_CHECK, sp.Float(max(
            (float(s.expr) for part in parts for s in part.steps
             if s.kind is StepKind.NUMERIC_CHECK), default=0.0), 3),
            "each component checked against numerical integration"))
    condition = sp.And(*conditions)
    if condition != sp.true:
        value = sp.Piecewise((value, condition), (sp.oo, True))
        b.steps.append(Step(StepKind.SUPPORT, value, "+oo where a component's integral "
                            "diverges"))
    return b.finish(value, "closed_form")


STATUSES = ("closed_form", "no_closed_form", "timed_out", "infinite",
            "undefined")  # the worst one wins


def finite_part(result: sp.Expr) -> tuple[sp.Expr, sp.Basic]:
    """Piecewise((v, c), (oo, True)) -> (v, c); anything else -> (result, true)."""
    if isinstance(result, sp.Piecewise) and len(result.args) == 2 and \
            result.args[1].expr == sp.oo:
        return result.args[0].expr, result.args[0].cond
    return result, sp.true


def inverse(definition: Callable, order: sp.Expr) -> tuple[Callable, Callable]:
    """(F -> I, F -> log I) for the quantity F = definition(I, order), by solving for log I."""
    f, log_i = sp.Dummy("F"), sp.Dummy("L", real=True)
    solutions = sp.solve(sp.Eq(definition(sp.exp(log_i), order), f), log_i)
    if len(solutions) != 1:
        raise NoRule("the definition of the quantity cannot be inverted for the integral")
    solved = solutions[0]
    return (lambda v: sp.exp(solved.xreplace({f: v})) if not isinstance(solved, sp.log)
            else solved.args[0].xreplace({f: v})), (lambda v: solved.xreplace({f: v}))
