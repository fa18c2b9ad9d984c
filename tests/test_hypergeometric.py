"""The hypergeometric family and the support it needs: an ``OrderedRange`` whose ends are
Max/Min of the parameters (kept in order by the relations n <= M, N <= M).

Seeds and tolerances: points from the family's sampler (M <= 20) with fixed seeds; the sums
kept by the derivations are evaluated by ``lambdify`` and must match scipy.stats.hypergeom and
the 30-digit defining sum (tests/reference.py) to 1e-8 relative; KL is +oo exactly where
supp P is not inside supp Q.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import reference as R
import sympy as sp
from scipy import stats

import symbolic_info as si
from symbolic_info.families.ordered_range import OrderedRange
from symbolic_info.families.spec import known_size


def _ends(member, point):
    values = R.numeric_params(member, point)
    m, n, k = (int(values[name]) for name in ("M", "n", "N"))
    return max(0, k - m + n), min(n, k)


def test_hypergeometric_support_is_an_ordered_range():
    p = si.family("hypergeometric")
    m, n, k = p.values
    support = p.support
    assert isinstance(support, OrderedRange)
    assert support.inf == sp.Max(0, k - m + n) and support.sup == sp.Min(n, k)
    assert known_size(support) is None and bool(support)
    numeric = support.xreplace({m: 10, n: 4, k: 8})
    assert isinstance(numeric, OrderedRange) and list(numeric) == [2, 3, 4]
    assert known_size(numeric) == 3
    x = sp.Symbol("x", integer=True)
    assert support.contains(x) == sp.And(x >= sp.Max(0, k - m + n), x <= sp.Min(n, k))
    # ends sympy can order are the plain Range's; a step other than 1 is refused
    assert OrderedRange(0, n + 1).sup == n
    with pytest.raises(ValueError, match="step 1"):
        OrderedRange(0, 10, 2)


def test_hypergeometric_relations_are_checked():
    with pytest.raises(si.InvalidParameter, match="n <= M|N <= M"):
        si.family("hypergeometric", M=5, n=6, N=2)
    with pytest.raises(si.InvalidParameter, match="N <= M"):
        si.family("hypergeometric", M=5, n=2, N=6)


def test_hypergeometric_sampler_draws_valid_points():
    p = R.member("hypergeometric", "1")
    rng = np.random.default_rng(1)
    for _ in range(50):
        point = R.sample_point(rng, p)
        values = R.numeric_params(p, point)
        assert all(float(v).is_integer() for v in values.values())
        assert 0 <= values["n"] <= values["M"] <= 20 and 0 <= values["N"] <= values["M"]
        lo, hi = _ends(p, point)
        assert lo < hi  # at least two points


def test_hypergeometric_entropy_matches_scipy_at_many_points(derive):
    d = derive("entropy", "hypergeometric")
    assert d.status == "no_closed_form" and d.result.has(sp.Sum)
    p = R.member("hypergeometric", "1")
    f = d.lambdify()
    rng = np.random.default_rng(2)
    for _ in range(20):
        point = R.sample_point(rng, p)
        v = R.numeric_params(p, point)
        expected = float(stats.hypergeom(int(v["M"]), int(v["n"]), int(v["N"])).entropy())
        got = f(**{s.name: x for s, x in point.items()})
        assert R.close(got, expected, rtol=1e-8, atol=1e-10), (R.show(point), got, expected)


def test_hypergeometric_numeric_member_is_a_finite_sum():
    d = si.entropy(si.family("hypergeometric", M=10, n=4, N=5))
    assert d.status == "closed_form"
    assert math.isclose(float(d.result), float(stats.hypergeom(10, 4, 5).entropy()),
                        rel_tol=1e-12)
    outside = si.kl(si.family("hypergeometric", M=10, n=4, N=5),
                    si.family("hypergeometric", M=10, n=2, N=5))
    assert outside.status == "infinite" and outside.result == sp.oo


def test_hypergeometric_kl_is_infinite_exactly_outside_q(derive):
    """At random points, and at points chosen with supp P inside supp Q: +oo where it is not
    contained, else the defining sum."""
    d = derive("kl", "hypergeometric", "hypergeometric")
    assert d.status == "no_closed_form"
    assert any(s.rule == "support" for s in d.steps)
    assert isinstance(d.result, sp.Piecewise) and d.result.args[-1][0] == sp.oo
    p, q = R.member("hypergeometric", "1"), R.member("hypergeometric", "2")
    f = d.lambdify()
    rng = np.random.default_rng(3)
    contained = infinite = 0
    for _ in range(400):
        point = R.sample_point(rng, p, q)
        (lo_p, hi_p), (lo_q, hi_q) = _ends(p, point), _ends(q, point)
        inside = lo_q <= lo_p and hi_p <= hi_q
        if not inside and infinite >= 5 or inside and contained >= 8:
            continue
        got = f(**{s.name: x for s, x in point.items()})
        reference = R.defining_value("kl", p, q, point)
        if inside:
            contained += 1
            assert math.isfinite(reference) and R.close(got, reference, rtol=1e-8), (
                R.show(point), got, reference)
        else:
            infinite += 1
            assert got == math.inf and reference == math.inf, (R.show(point), got, reference)
        if contained >= 8 and infinite >= 5:
            break
    assert contained >= 8 and infinite >= 5
