r"""The Wishart family on the cone of symmetric positive definite p x p matrices.

``wishart(df=n, scale=V)``: with ``V = MatrixSymbol("V", p, p)`` (p a positive integer Symbol
for a symbolic dimension, or an integer for a fixed size) or explicit entries
(``scale=[["v11", "v12"], ["v12", "v22"]]``), the density of the usual (n, V) parameterisation,

.. math::
    p(W) = \frac{\det(W)^{(n - p - 1)/2}\, e^{-\operatorname{tr}(V^{-1} W)/2}}
                {2^{n p / 2} \det(V)^{n/2}\, \Gamma_p(n/2)},\qquad n > p - 1,

on :class:`SPDCone` ``(p)``, with the multivariate gamma function
:math:`\Gamma_p(a) = \pi^{p(p-1)/4} \prod_{j=1}^{p} \Gamma(a + (1 - j)/2)`.

Only the density, the parameters, their constraints and the support are declared here; the
entropy, cross-entropy and KL divergence are derived by :mod:`symbolic_info.derive.matrix`
(the moments of W from the normaliser of the cone).  The special functions
:class:`multigamma` (:math:`\Gamma_p`), :class:`logmultigamma` (:math:`\log\Gamma_p`) and
:class:`multidigamma` (:math:`\psi_p(a) = \sum_{j=1}^{p} \psi(a + (1 - j)/2)`) are sympy
functions of (p, a): they stay unevaluated for a symbolic p, their derivatives in a are
:math:`\Gamma_p \psi_p` and :math:`\psi_p`, they evaluate numerically (``evalf``, and on
numpy / torch / jax arrays through ``lambdify``) and ``rewrite(sp.gamma)`` writes them out
for an integer p.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import sympy as sp

from ..errors import InvalidParameter
from .multivariate import POSITIVE_DEFINITE
from .region import Space
from .registry import register_factory
from .spec import Constraint, Family, FamilySpec, Param


class SPDCone(Space):
    r"""The cone :math:`\mathbb{S}_{++}^p` of symmetric positive definite p x p matrices (a
    support of symbolic dimension, so the engine derives on it with matrix expressions)."""

    def _sympystr(self, printer) -> str:
        return f"SPD({printer.doprint(self.dimension)})"

    def _latex(self, printer) -> str:
        return r"\mathbb{S}_{++}^{" + printer._print(self.dimension) + "}"


# -- the multivariate gamma function and its logarithmic derivative ----------------------------
def _terms(p, a) -> list:
    """a + (1 - j)/2 for j = 1, ..., p (p a nonnegative integer)."""
    return [a + sp.Rational(1 - j, 2) for j in range(1, int(p) + 1)]


def _array_function(name: str, x):
    """The elementwise function ``name`` (gammaln, digamma, exp) of the array library of x."""
    module = type(x).__module__.split(".")[0]
    if module == "torch":
        import torch
        return {"gammaln": torch.lgamma, "digamma": torch.special.digamma,
                "exp": torch.exp}[name](x)
    if module in ("jax", "jaxlib"):
        import jax.numpy
        import jax.scipy.special
        return (jax.numpy.exp if name == "exp" else getattr(jax.scipy.special, name))(x)
    from scipy import special
    return (np.exp if name == "exp" else getattr(special, name))(x)


class _OfDimension(sp.Function):
    """A function f(p, a) of a dimension p and an argument a, written out for an integer p."""

    nargs = 2

    def _expanded(self):
        raise NotImplementedError

    def _eval_evalf(self, prec):
        p, a = self.args
        if not (p.is_Integer and p.is_nonnegative and a.is_number):
            return None
        return self._expanded()._eval_evalf(prec)

    def _eval_is_real(self):
        p, a = self.args
        if p.is_integer and p.is_positive and a.is_real and (2 * a - p + 1).is_positive:
            return True
        return None

    def _torchcode(self, printer) -> str:
        """A call of the function by name: ``lambdify`` finds it through ``_imp_``."""
        return f"{type(self).__name__}({', '.join(printer._print(a) for a in self.args)})"

    def _latex_head(self, printer, head: str, exp=None) -> str:
        p, a = self.args
        tex = head + "_{" + printer._print(p) + r"}\left(" + printer._print(a) + r"\right)"
        return tex if exp is None else tex + "^{" + str(exp) + "}"


class multigamma(_OfDimension):
    r"""The multivariate gamma function :math:`\Gamma_p(a) = \pi^{p(p-1)/4}
    \prod_{j=1}^{p} \Gamma(a + (1 - j)/2)`, defined for :math:`a > (p - 1)/2`."""

    def fdiff(self, argindex=2):
        if argindex != 2:
            raise sp.ArgumentIndexError(self, argindex)
        p, a = self.args
        return self * multidigamma(p, a)

    def _expanded(self):
        p, a = self.args
        return sp.pi ** (p * (p - 1) / 4) * sp.Mul(*[sp.gamma(t) for t in _terms(p, a)])

    def _eval_rewrite_as_gamma(self, p, a, **kwargs):
        return self._expanded() if p.is_Integer and p.is_nonnegative else None

    def _eval_is_positive(self):
        return self._eval_is_real()

    def _latex(self, printer, exp=None) -> str:
        return self._latex_head(printer, r"\Gamma", exp)

    @staticmethod
    def _imp_(p, a):
        return _array_function("exp", logmultigamma._imp_(p, a))


class logmultigamma(_OfDimension):
    r""":math:`\log\Gamma_p(a) = \tfrac{p(p-1)}{4}\log\pi + \sum_{j=1}^{p}
    \log\Gamma(a + (1 - j)/2)`, the logarithm of :class:`multigamma`."""

    def fdiff(self, argindex=2):
        if argindex != 2:
            raise sp.ArgumentIndexError(self, argindex)
        return multidigamma(*self.args)

    def _expanded(self):
        p, a = self.args
        return p * (p - 1) / 4 * sp.log(sp.pi) + sp.Add(*[sp.loggamma(t)
                                                            for t in _terms(p, a)])

    def _eval_rewrite_as_gamma(self, p, a, **kwargs):
        return self._expanded() if p.is_Integer and p.is_nonnegative else None

    _eval_rewrite_as_loggamma = _eval_rewrite_as_gamma

    def _latex(self, printer, exp=None) -> str:
        tex = self._latex_head(printer, r"\Gamma")
        if exp is None:
            return r"\log " + tex
        return r"\left(\log " + tex + r"\right)^{" + str(exp) + "}"

    @staticmethod
    def _imp_(p, a):
        p = int(p)
        total = p * (p - 1) / 4 * np.log(np.pi)
        for j in range(1, p + 1):
            total = total + _array_function("gammaln", a + (1 - j) / 2)
        return total


class multidigamma(_OfDimension):
    r"""The multivariate digamma function :math:`\psi_p(a) = \frac{d}{da}\log\Gamma_p(a) =
    \sum_{j=1}^{p} \psi(a + (1 - j)/2)`."""

    def _expanded(self):
        p, a = self.args
        return sp.Add(*[sp.digamma(t) for t in _terms(p, a)])

    def _eval_rewrite_as_gamma(self, p, a, **kwargs):
        return self._expanded() if p.is_Integer and p.is_nonnegative else None

    _eval_rewrite_as_digamma = _eval_rewrite_as_polygamma = _eval_rewrite_as_gamma

    def _latex(self, printer, exp=None) -> str:
        return self._latex_head(printer, r"\psi", exp)

    @staticmethod
    def _imp_(p, a):
        total = 0.0
        for j in range(1, int(p) + 1):
            total = total + _array_function("digamma", a + (1 - j) / 2)
        return total


# -- the family --------------------------------------------------------------------------------
DEGREES_OF_FREEDOM = Constraint("a positive number greater than p - 1 (p the dimension)",
                                (("positive", True),), lambda v: v.is_positive,
                                lambda rng: float(rng.uniform(3.5, 8.0)))


@cache
def wishart_spec(p) -> FamilySpec:
    r"""The Wishart law of p x p matrices (p an integer or a positive integer Symbol)."""
    p = sp.sympify(p)
    n = Param("df", DEGREES_OF_FREEDOM).symbol()
    V, W = sp.MatrixSymbol("V", p, p), sp.MatrixSymbol("W", p, p)
    density = (sp.Determinant(W) ** ((n - p - 1) / 2) * sp.exp(-sp.Trace(V.I * W) / 2)
               / (2 ** (n * p / 2) * sp.Determinant(V) ** (n / 2) * multigamma(p, n / 2)))

    def label(values) -> str:
        df, scale = values
        shown = (_matrix_text(scale.tolist()) if isinstance(scale, sp.MatrixBase)
                 else str(scale))
        return f"wishart(df={df}, scale={shown})"

    return FamilySpec(name="wishart",
                      params=(Param("df", DEGREES_OF_FREEDOM), Param("scale", POSITIVE_DEFINITE)),
                      symbols=(n, V), variable=W, density=density, support=SPDCone(p),
                      title="Wishart", label=label)


def _matrix_text(rows) -> str:
    return "[" + ", ".join("[" + ", ".join(map(str, r)) + "]" for r in rows) + "]"


def _explicit_scale(scale) -> sp.ImmutableMatrix:
    """A list of rows (strings: symbols, positive on the diagonal, real off it) as a symmetric
    matrix; a numeric one must be positive definite."""
    if isinstance(scale, (str, int, float, sp.Basic)) or not isinstance(
            scale, (Sequence, np.ndarray, sp.MatrixBase)):
        raise InvalidParameter(f"scale must be a p x p matrix (a list of rows or a "
                               f"MatrixSymbol), got {scale!r}")
    rows = scale.tolist() if isinstance(scale, (np.ndarray, sp.MatrixBase)) else list(scale)
    p = len(rows)
    if p == 0 or any(isinstance(r, (str, sp.Basic)) or not isinstance(
            r, (Sequence, np.ndarray)) or len(r) != p for r in rows):
        raise InvalidParameter(f"scale must be a square p x p matrix, got {scale!r}")

    def entry(i: int, j: int) -> sp.Expr:
        value = rows[i][j]
        if isinstance(value, str):
            return sp.Symbol(value, positive=True) if i == j else sp.Symbol(value, real=True)
        if isinstance(value, float):
            value = sp.Rational(repr(value))
        try:
            return sp.sympify(value, strict=True)
        except (sp.SympifyError, TypeError) as exc:
            raise InvalidParameter(f"scale[{i}][{j}] must be a number, a symbol name or a sympy "
                                   f"expression, got {value!r}") from exc

    matrix = sp.ImmutableMatrix(p, p, lambda i, j: entry(i, j))
    for i in range(p):
        for j in range(i + 1, p):
            if sp.simplify(matrix[i, j] - matrix[j, i]) != 0:
                raise InvalidParameter(f"scale must be symmetric: scale[{i}][{j}] = "
                                       f"{matrix[i, j]} but scale[{j}][{i}] = {matrix[j, i]}")
    if not matrix.free_symbols:
        try:
            eigen = np.linalg.eigvalsh(np.array(matrix.evalf(), dtype=float))
        except (TypeError, ValueError) as exc:
            raise InvalidParameter(f"scale must be a real matrix, got {matrix.tolist()}") from exc
        if eigen.min() <= 0:
            raise InvalidParameter(f"scale must be positive definite; its smallest eigenvalue "
                                   f"is {eigen.min():.6g}")
    elif any(matrix[i, i].is_nonpositive for i in range(p)):
        raise InvalidParameter("scale must be positive definite: its diagonal entries must be "
                               "positive")
    return matrix


def _degrees_of_freedom(df, p) -> sp.Expr:
    if isinstance(df, str):
        return sp.Symbol(df, positive=True)
    if isinstance(df, float) and np.isfinite(df):
        df = sp.Rational(repr(df))
    try:
        n = sp.sympify(df, strict=True) if not isinstance(df, sp.Basic) else df
    except (sp.SympifyError, TypeError) as exc:
        raise InvalidParameter(f"df must be a positive number or symbol, got {df!r}") from exc
    if not isinstance(n, sp.Expr) or isinstance(n, sp.MatrixExpr):
        raise InvalidParameter(f"df must be a scalar, got {df!r}")
    if n.is_positive is False or n.is_real is False:
        raise InvalidParameter(f"df must be positive (greater than p - 1), got {n}")
    if n.is_number and p.is_Integer and not bool(n > p - 1):
        raise InvalidParameter(f"df must be greater than p - 1 = {p - 1} for a {p} x {p} "
                               f"scale, got {n}")
    return n


def wishart(df=None, scale=None) -> Family:
    """``wishart(df=n, scale=MatrixSymbol("V", p, p))`` (p a positive integer Symbol or an
    integer) or ``wishart(df=n, scale=[[v_11, ..., v_1p], ...])`` (explicit entries)."""
    if df is None or scale is None:
        raise InvalidParameter("wishart needs df=n (degrees of freedom) and scale=V (a p x p "
                               "MatrixSymbol or a list of rows)")
    if isinstance(scale, sp.MatrixSymbol):
        p = scale.shape[0]
        if scale.shape[1] != p:
            raise InvalidParameter(f"scale must be square, got {scale.shape[0]} x "
                                   f"{scale.shape[1]}")
        if not ((isinstance(p, sp.Symbol) and p.is_integer and p.is_positive)
                or (p.is_Integer and p.is_positive)):
            raise InvalidParameter(f"the dimension {p} of scale must be a positive integer or "
                                   "a positive integer Symbol, e.g. Symbol('p', integer=True, "
                                   "positive=True)")
        value = scale
    elif isinstance(scale, sp.MatrixExpr) and not isinstance(scale, sp.MatrixBase):
        raise InvalidParameter(f"scale must be a MatrixSymbol or explicit entries, got {scale}")
    else:
        value = _explicit_scale(scale)
        p = sp.Integer(value.shape[0])
    n = _degrees_of_freedom(df, p)
    return Family(wishart_spec(p), (n, value))


DIMENSION = sp.Symbol("p", integer=True, positive=True)


register_factory("wishart", wishart,
                 lambda suffix: {"df": f"n_{suffix}" if suffix else "n",
                                 "scale": sp.MatrixSymbol(f"V_{suffix}" if suffix else "V",
                                                          DIMENSION, DIMENSION)},
                 "df=n, scale=MatrixSymbol('V', p, p) or [[v_11, ..., v_1p], ...]")
