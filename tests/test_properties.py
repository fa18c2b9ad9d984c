"""Properties every derivation must have: KL(P||P) = 0, KL >= 0, H(P, Q) = H(P) + KL(P||Q).

Seeds and tolerances: hypothesis draws parameter points from each parameter's constraint
(``reference.point_strategy``; derandomized, so a run is reproducible, with shrinking to the
smallest failing point).  KL >= 0 allows -1e-9 of double-precision round-off; the identity
CE = H + KL is checked symbolically where ``simplify`` is quick and otherwise at 30 digits at
several points (relative 1e-12).
"""

from __future__ import annotations

import numpy as np
import pytest
import reference as R
import sympy as sp
from hypothesis import HealthCheck, given, settings
from test_divergence import CROSS, SLOW

import symbolic_info as si

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
FAST = [n for n in R.point_families() if n not in SLOW]


@pytest.mark.parametrize("name", R.point_families())
def test_kl_of_a_member_with_itself_is_zero(name):
    p = R.member(name, "1")
    d = si.kl(p, p)
    assert d.status == "closed_form"
    assert sp.simplify(d.result) == 0


@pytest.mark.parametrize("name", FAST)
def test_kl_is_nonnegative(derive, name):
    d = derive("kl", name, name)
    p, q = R.member(name, "1"), R.member(name, "2")
    f = d.lambdify()

    @SETTINGS
    @given(R.point_strategy(p, q))
    def check(point):
        value = f(**{s.name: v for s, v in point.items()})
        assert value >= -1e-9, (
            f"KL({p.label()} || {q.label()}) = {value} < 0 at {R.show(point)}")

    check()


def _identity_cases():
    same = [(n, n) for n in FAST]
    cross = [(a, b) for a in CROSS for b in CROSS if a != b and {a, b} & {"gumbel"} == set()]
    return same + cross


@pytest.mark.parametrize(("p_name", "q_name"), _identity_cases())
def test_cross_entropy_is_entropy_plus_kl(derive, p_name, q_name):
    ce = derive("cross_entropy", p_name, q_name)
    kl = derive("kl", p_name, q_name)
    h = derive("entropy", p_name)
    if "undefined" in (ce.status, h.status):  # two sides without a value (R.UNDEFINED)
        assert ("cross_entropy", p_name) in R.UNDEFINED and ce.status == h.status
        return
    if ce.status == "infinite" or kl.status == "infinite":
        assert ce.status == kl.status == "infinite"
        return
    p, q = R.member(p_name, "1"), R.member(q_name, "2")
    rng = np.random.default_rng(2024)
    closed = all(d.status == "closed_form" for d in (ce, kl, h))
    if not closed:
        # a result that keeps an integral (no_closed_form / timed_out): the identity is
        # checked on the numeric functions, which integrate what is left
        functions = [d.lambdify() for d in (ce, h, kl)]
        for _ in range(3):
            point = R.sample_point(rng, p, q)
            values = [float(f(**{s.name: v for s, v in point.items() if s in d.parameters}))
                      for f, d in zip(functions, (ce, h, kl))]
            if any(np.isinf(v) for v in values):
                continue
            gap = values[0] - values[1] - values[2]
            assert abs(gap) <= 1e-6 * max(1, abs(values[0])), (
                f"H(P,Q) - H(P) - KL(P||Q) = {gap} at {R.show(point)}")
        return
    gap = ce.result - h.result - kl.result
    for _ in range(4):
        point = R.sample_point(rng, p, q)
        values = [R.evaluate(e, point) for e in (ce.result, h.result, kl.result)]
        if any(v == sp.oo for v in values):
            continue
        assert abs(complex(R.evaluate(gap, point))) <= 1e-12 * max(1, abs(complex(values[0]))), (
            f"H(P,Q) - H(P) - KL(P||Q) = {R.evaluate(gap, point)} at {R.show(point)}")


@pytest.mark.parametrize("name", ["normal", "exponential", "bernoulli", "gamma", "poisson"])
def test_cross_entropy_is_entropy_plus_kl_symbolically(derive, name):
    ce, kl, h = (derive("cross_entropy", name, name), derive("kl", name, name),
                 derive("entropy", name))
    gap = ce.result - h.result - kl.result
    assert sp.simplify(sp.expand_log(gap, force=True)) == 0
