"""Joint tables and the joint builders, checked against numpy on random tables and against
the identities I = H(X) + H(Y) - H(X,Y), H(X,Y) = H(X) + H(Y|X).  Seeds come from the test id
(conftest ``rng``); tolerances are 1e-10 (the numpy reference sums at most a dozen terms)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symbolic_info.derive.joint import (
    conditional_entropy,
    joint_entropy,
    mutual_information,
    reference_value,
)
from symbolic_info.families.joint import JointTable, independent, joint


def numpy_quantities(t: np.ndarray) -> dict:
    px, py = t.sum(1), t.sum(0)

    def h(v):
        v = v[v > 0]
        return float(-np.sum(v * np.log(v)))
    hxy, hx, hy = h(t.ravel()), h(px), h(py)
    return {"joint": hxy, "y|x": hxy - hx, "x|y": hxy - hy, "mi": hx + hy - hxy}


@pytest.mark.parametrize("shape", [(2, 2), (2, 3), (3, 4)])
def test_numeric_tables_match_numpy(shape, rng):
    for _ in range(3):
        t = rng.dirichlet(np.ones(shape[0] * shape[1])).reshape(shape)
        if rng.random() < 0.5:
            t[0, 0] = 0.0
            t /= t.sum()
        ref = numpy_quantities(t)
        J = joint(t)
        got = {"joint": joint_entropy(J), "y|x": conditional_entropy(J, "x"),
               "x|y": conditional_entropy(J, "y"), "mi": mutual_information(J)}
        for key, d in got.items():
            assert d.status == "closed_form"
            assert float(d.result) == pytest.approx(ref[key], abs=1e-10), key


def test_symbolic_table_lambdify_matches_numpy(rng):
    J = joint([["a", "b", "c"], ["d", "e", "f"]])
    assert [s.name for s in J.parameters] == ["a", "b", "c", "d", "e", "f"]
    t = rng.dirichlet(np.ones(6))
    ref = numpy_quantities(t.reshape(2, 3))
    for key, builder in (("joint", joint_entropy), ("mi", mutual_information),
                         ("y|x", lambda j: conditional_entropy(j, given="x")),
                         ("x|y", lambda j: conditional_entropy(j, given="y"))):
        d = builder(J)
        assert d.parameters == J.parameters
        assert d.lambdify()(*t) == pytest.approx(ref[key], abs=1e-10)
        assert d.lambdify()(**{s.name: v for s, v in zip(J.parameters, t)}) == \
            pytest.approx(ref[key], abs=1e-10)


def test_symbolic_identities():
    J = joint([["p_11", "p_12"], ["p_21", "p_22"]])
    ps = J.parameters
    hxy, mi = joint_entropy(J).result, mutual_information(J).result
    hy_x, hx_y = conditional_entropy(J, "x").result, conditional_entropy(J, "y").result

    def h(values):
        return -sp.Add(*[v * sp.log(v) for v in values])
    hx, hy = h(J.row_sums()), h(J.column_sums())
    on_simplex = {ps[-1]: 1 - sum(ps[:-1])}
    for diff in (mi - (hx + hy - hxy), hxy - (hx + hy_x), hxy - (hy + hx_y)):
        diff = sp.expand_log(diff, force=True).xreplace(on_simplex)
        assert sp.simplify(diff) == 0


def test_independent_table_has_zero_information():
    J = independent([0.2, 0.8], [0.1, 0.3, 0.6])
    assert sp.simplify(mutual_information(J).result) == 0
    assert float(joint_entropy(J).result) == pytest.approx(
        reference_value("joint_entropy", J.numeric()), abs=1e-12)


def test_base_two_and_steps():
    d = mutual_information([[0.5, 0], [0, 0.5]], base=2)
    assert d.result == 1
    rules = [s.rule for s in d.steps]
    assert rules[:3] == ["definition", "finite sum", "simplification"]
    assert rules[-1] == "change of base"
    assert "0 log 0 = 0" in d.steps[1].note
    assert d.quantity == "mutual_information" and d.name == "mutual_information_joint"
    assert conditional_entropy(joint([[1]]), "y").name == "conditional_entropy_joint_x_given_y"


def test_marginals_and_conditionals():
    J = joint([[0.1, 0.3], [0.2, 0.4]])
    assert isinstance(J, JointTable)
    assert J.marginal_x().values == (sp.Rational(2, 5), sp.Rational(3, 5))
    assert J.marginal_y().values == (sp.Rational(3, 10), sp.Rational(7, 10))
    assert J.conditional_y_given_x(0).values == (sp.Rational(1, 4), sp.Rational(3, 4))
    assert J.conditional_x_given_y(1).values == (sp.Rational(3, 7), sp.Rational(4, 7))


@pytest.mark.parametrize("table, message", [
    ([[0.5, 0.6]], "sum to 1"),
    ([[-0.1, 1.1]], "nonnegative"),
    ([[1.5, -0.5]], "at most 1"),
    ([[0.5, 0.5], [0.0]], "ragged"),
    ([], "at least one row"),
    ("ab", "nested list"),
    ([["a", -1]], "nonnegative"),
])
def test_invalid_tables(table, message):
    with pytest.raises(ValueError, match=message):
        joint(table)


def test_invalid_given():
    with pytest.raises(ValueError, match="given"):
        conditional_entropy([[1]], given="z")
