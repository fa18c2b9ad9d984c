r"""Builders for two discrete variables given by a joint table :math:`t_{ij} = P(X=i, Y=j)`.

.. math::
    H(X, Y) = -\sum_{i,j} t_{ij}\log t_{ij},\qquad
    H(Y \mid X) = -\sum_{i,j} t_{ij}\log\frac{t_{ij}}{P_X(i)},\qquad
    I(X; Y) = \sum_{i,j} t_{ij}\log\frac{t_{ij}}{P_X(i)\,P_Y(j)},

with :math:`0 \log 0 = 0` (terms whose entry is exactly 0 are dropped).  Each builder writes
the definition, the finite sum over the table, its textbook simplification and a numeric
check against a direct numpy computation at a random point.  Reference: Cover & Thomas,
*Elements of Information Theory*, 2nd ed., §2.2-2.4.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..errors import InvalidParameter, SymbolicInfoError
from ..families.joint import JointTable, joint
from ..families.spec import Family
from . import information
from .derivation import Derivation, Step
from .simplify import textbook

GIVEN = ("x", "y")
# summation indices: Dummies, so a cell probability named x or y is never captured
_I, _J = sp.Dummy("x", integer=True, nonnegative=True), sp.Dummy("y", integer=True,
                                                                   nonnegative=True)
_P, _PX, _PY = sp.Function("p"), sp.Function("p_X"), sp.Function("p_Y")


def joint_entropy(table, *, base=None) -> Derivation:
    r"""Joint entropy :math:`H(X, Y) = -\sum_{i,j} t_{ij} \log t_{ij}`."""
    return _JointBuilder("joint_entropy", _as_joint(table), base).run()


def conditional_entropy(table, given: str = "x", *, base=None) -> Derivation:
    r"""Conditional entropy :math:`H(Y \mid X)` (``given="x"``) or :math:`H(X \mid Y)`
    (``given="y"``): :math:`-\sum_{i,j} t_{ij} \log(t_{ij} / P_{\text{given}})`.

    For a multivariate family member ``table``, ``given`` is a list of coordinates B and the
    result is :math:`h(X_A \mid X_B)` for the other coordinates A
    (:func:`symbolic_info.derive.information.conditional_entropy`)."""
    if isinstance(table, Family):
        return information.conditional_entropy(table, given, base=base)
    if given not in GIVEN:
        raise InvalidParameter(f"given must be 'x' or 'y', got {given!r}")
    return _JointBuilder("conditional_entropy", _as_joint(table), base, given=given).run()


def mutual_information(table, *, between=None, base=None) -> Derivation:
    r"""Mutual information :math:`I(X; Y) = D_{\mathrm{KL}}(P_{XY} \parallel P_X P_Y)` of a
    joint table; for a multivariate family member, :math:`I(X_A; X_B)` for
    ``between=(A, B)`` (:func:`symbolic_info.derive.information.mutual_information`)."""
    if isinstance(table, Family):
        if between is None:
            raise InvalidParameter("mutual_information of a family member needs "
                                   "between=(A, B), two lists of coordinates")
        return information.mutual_information(table, between, base=base)
    if between is not None:
        raise InvalidParameter("between applies to a multivariate family member, not a table")
    return _JointBuilder("mutual_information", _as_joint(table), base).run()


def _as_joint(table) -> JointTable:
    return table if isinstance(table, JointTable) else joint(table)


def _check_base(base):
    if base is None:
        return None
    b = sp.sympify(base)
    if not (b.is_positive and b != 1):
        raise InvalidParameter(f"base must be positive and not 1, got {base}")
    return b


class _JointBuilder:
    def __init__(self, quantity: str, table: JointTable, base, given: str | None = None):
        self.quantity, self.joint, self.given = quantity, table, given
        self.base = _check_base(base)
        self.steps: list[Step] = []
        self.rows, self.cols = table.row_sums(), table.column_sums()

    @property
    def name(self) -> str:
        suffix = {"x": "_y_given_x", "y": "_x_given_y"}.get(self.given, "")
        return f"{self.quantity}_joint{suffix}"

    # -- the summand, abstract and concrete ---------------------------------------------------
    def abstract_summand(self) -> sp.Expr:
        p = _P(_I, _J)
        if self.quantity == "joint_entropy":
            return -p * sp.log(p)
        if self.quantity == "conditional_entropy":
            return -p * sp.log(p / (_PX(_I) if self.given == "x" else _PY(_J)))
        return p * sp.log(p / (_PX(_I) * _PY(_J)))

    def log_term(self, i: int, j: int) -> sp.Expr:
        """The factor multiplying t_ij in the sum (a log, with its sign)."""
        t = self.joint.table[i, j]
        if self.quantity == "joint_entropy":
            return -sp.log(t)
        if self.quantity == "conditional_entropy":
            return -sp.log(t / (self.rows[i] if self.given == "x" else self.cols[j]))
        return sp.log(t / (self.rows[i] * self.cols[j]))

    def definition(self) -> sp.Expr:
        k, m = self.joint.shape
        return sp.Sum(self.abstract_summand(), (_I, 0, k - 1), (_J, 0, m - 1))

    # -- the derivation -------------------------------------------------------------------------
    def run(self) -> Derivation:
        notes = {"joint_entropy": "definition of the joint entropy",
                 "conditional_entropy": "definition of the conditional entropy, p_"
                                        f"{self.given.upper()} the marginal of "
                                        f"{self.given.upper()}" if self.given else "",
                 "mutual_information": "definition of mutual information: "
                                       "KL(p || p_X p_Y)"}
        self.steps.append(Step("definition", self.definition(), notes[self.quantity]))
        k, m = self.joint.shape
        terms, dropped = [], 0
        for i in range(k):
            for j in range(m):
                t = self.joint.table[i, j]
                if t == 0:
                    dropped += 1
                    continue
                terms.append(sp.Mul(t, self.log_term(i, j), evaluate=False))
        note = f"sum over the {k}×{m} table"
        if dropped:
            note += f"; {dropped} zero entr{'y' if dropped == 1 else 'ies'} dropped (0 log 0 = 0)"
        self.steps.append(Step("finite sum", sp.Add(*terms, evaluate=False), note))
        result = _simplify(sp.Add(*[t.doit() for t in terms]))
        self.steps.append(Step("simplification", result, "textbook form"))
        conditions = self.joint.normalisation
        self.numeric_check(result)
        if self.base is not None:
            result = result / sp.log(self.base)
            self.steps.append(Step("change of base", result,
                                   f"divide by log({self.base}) to express in base {self.base}"))
        return Derivation(name=self.name, quantity=self.quantity, result=result,
                          status="closed_form", conditions=conditions, steps=tuple(self.steps),
                          parameters=self.joint.parameters, p=None, q=None, base=self.base)

    def numeric_check(self, result: sp.Expr) -> None:
        """Compare with a direct numpy computation from the table at a random point."""
        params = self.joint.parameters
        rng = np.random.default_rng(7)
        point = _sample_point(self.joint, rng) if params else {}
        if point is None:
            self.steps.append(Step("numeric check", sp.nan,
                                   "no point with all entries positive was found"))
            return
        table = self.joint.numeric(point)
        reference = reference_value(self.quantity, table, self.given)
        claimed = complex(sp.N(result.xreplace({s: sp.Float(v, 20) for s, v in point.items()}),
                               20))
        err = abs(claimed - reference) / max(1.0, abs(reference))
        shown = ", ".join(f"{s.name}={v:.4g}" for s, v in point.items())
        if not err <= 1e-9:
            raise SymbolicInfoError(f"{self.name}: the derived result disagrees with the direct "
                                    f"computation (relative difference {err:.3g})")
        self.steps.append(Step("numeric check", sp.Float(err, 3),
                               "relative difference from a direct numpy computation"
                               + (f" at {shown}" if shown else "")))


def _simplify(expr: sp.Expr) -> sp.Expr:
    expr = sp.expand_log(expr, force=False)
    if not expr.free_symbols:
        return sp.nsimplify(expr) if expr.is_Float else expr
    return textbook(expr)


def _sample_point(table: JointTable, rng: np.random.Generator, tries: int = 200):
    """Values of the free symbols making every entry positive (and the total 1 when the
    entries are distinct bare symbols: a Dirichlet draw)."""
    params = table.parameters
    entries = table.entries
    if all(isinstance(e, sp.Symbol) for e in entries) and len(set(entries)) == len(entries):
        draw = rng.dirichlet(np.full(len(entries), 2.0))
        return dict(zip(entries, (float(v) for v in draw)))
    for _ in range(tries):
        point = {s: float(rng.uniform(0.05, 0.95)) for s in params}
        values = [float(e.xreplace(point)) for e in entries]
        if all(v > 0 for v in values):
            return point
    return None


def reference_value(quantity: str, table: np.ndarray, given: str | None = None) -> float:
    """The quantity computed directly from a numeric table with numpy (0 log 0 = 0)."""
    t = np.asarray(table, dtype=float)
    px, py = t.sum(axis=1, keepdims=True), t.sum(axis=0, keepdims=True)
    mask = t > 0
    if quantity == "joint_entropy":
        ratio = t
        sign = -1.0
    elif quantity == "conditional_entropy":
        ratio = t / (px if given == "x" else py)
        sign = -1.0
    elif quantity == "mutual_information":
        ratio = t / (px * py)
        sign = 1.0
    else:
        raise InvalidParameter(f"unknown joint quantity {quantity!r}")
    return float(sign * np.sum(t[mask] * np.log(ratio[mask])))
