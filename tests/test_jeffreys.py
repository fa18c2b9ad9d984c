"""The Jeffreys divergence (issue 12): the symmetrised KL, composed from two derived KLs."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp

import symbolic_info as si


def _normals():
    return (si.family("normal", mu="mu_1", sigma="sigma_1"),
            si.family("normal", mu="mu_2", sigma="sigma_2"))


def test_jeffreys_is_the_sum_of_both_kls_and_cross_validates():
    p, q = _normals()
    d = si.jeffreys(p, q)
    assert d.status == "closed_form" and d.checked and d.quantity == "jeffreys"
    assert d.name == "jeffreys_normal_normal"
    assert sp.simplify(d.result - si.kl(p, q).result - si.kl(q, p).result) == 0
    assert si.cross_validate(d, n=3).ok
    kinds = [str(s.kind) for s in d.steps]
    assert kinds.count("component") == 2


def test_jeffreys_is_symmetric_nonnegative_and_zero_at_equality():
    p, q = _normals()
    d = si.jeffreys(p, q)
    assert sp.simplify(d.result - si.jeffreys(q, p).result) == 0
    assert sp.simplify(si.jeffreys(p, p).result) == 0
    f = d.lambdify()
    rng = np.random.default_rng(0)
    for _ in range(20):
        values = rng.uniform(0.2, 3, size=4)
        assert f(*values) >= 0


def test_jeffreys_keeps_its_digits_next_to_equality():
    p, q = _normals()
    f = si.jeffreys(p, q).lambdify()
    # J(N(0, 1), N(0, 1 + d)) = d^2 (2 + ...) for small d: 2e-18 at d = 1e-9
    value = f(0.0, 1.0, 0.0, 1.0 + 1e-9)
    assert value == pytest.approx(2e-18, rel=1e-6)


def test_jeffreys_is_infinite_where_a_kl_is():
    d = si.jeffreys(si.family("normal"), si.family("exponential"))
    assert d.status == "infinite" and d.result == sp.oo


def test_jeffreys_in_bits_and_latex():
    p, q = _normals()
    d = si.jeffreys(p, q, base=2)
    assert sp.simplify(d.result * sp.log(2) - si.jeffreys(p, q).result) == 0
    assert "J(P, Q)" in si.jeffreys(p, q).latex()


def test_cli_derives_jeffreys():
    out = subprocess.run([sys.executable, "-m", "symbolic_info", "derive", "jeffreys",
                          "normal", "normal", "--json"], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["status"] == "closed_form"
