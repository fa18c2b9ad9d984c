"""The command line: output of ``derive`` (text and JSON), and one-line errors with status 2."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

from symbolic_info.cli import parse_member, parse_value, run
from symbolic_info.render.json import derivation_to_dict

ROOT = Path(__file__).resolve().parents[1]
JSON_KEYS = {"quantity", "p", "q", "status", "result", "conditions", "steps"}


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def normal_kl(m1, s1, m2, s2) -> float:
    return math.log(s2 / s1) + (s1 ** 2 + (m1 - m2) ** 2) / (2 * s2 ** 2) - 0.5


def test_kl_normal_normal_text(capsys):
    code, out, err = cli(capsys, "derive", "kl", "normal", "normal")
    assert code == 0, err
    assert "closed_form" in out
    assert "sigma_2" in out and "mu_1" in out
    assert "steps" in out


def test_kl_normal_normal_json(capsys):
    code, out, err = cli(capsys, "derive", "kl", "normal:mu=mu_1,sigma=sigma_1",
                         "normal:mu=mu_2,sigma=sigma_2", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert JSON_KEYS <= set(data)
    assert data["quantity"] == "kl"
    assert data["status"] == "closed_form"
    assert data["p"] == "normal(mu=mu_1, sigma=sigma_1)"
    assert all(set(step) == {"rule", "expr", "note"} for step in data["steps"])
    result = sp.sympify(data["result"])
    point = {"mu_1": 0.3, "sigma_1": 1.7, "mu_2": -0.4, "sigma_2": 0.8}
    value = float(result.subs({sp.Symbol(k): v for k, v in point.items()}))
    assert value == pytest.approx(normal_kl(0.3, 1.7, -0.4, 0.8), rel=1e-12)


def test_entropy_base_2_of_fair_coin_is_one_bit(capsys):
    code, out, err = cli(capsys, "derive", "entropy", "bernoulli:p=0.5", "--base", "2", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["base"] == "2"
    assert sp.sympify(data["result"]) == 1


def test_partial_parameters_get_defaults_and_numbers_are_exact(capsys):
    code, out, err = cli(capsys, "derive", "cross-entropy", "exponential:rate=2", "exponential",
                         "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["q"] == "exponential(rate=lam_2)"  # the rate's conventional symbol, λ
    result = sp.sympify(data["result"])
    # H(Exp(2), Exp(r)) = r/2 - log(r)
    assert float(result.subs(sp.Symbol("lam_2"), 3.0)) == pytest.approx(1.5 - math.log(3.0))


def test_families_lists_names(capsys):
    code, out, _ = cli(capsys, "families")
    names = [line.split()[0] for line in out.splitlines()]
    assert code == 0 and "normal" in names and "categorical" in names


@pytest.mark.parametrize("argv", [
    ["derive", "kl", "nosuchfamily", "normal"],       # unknown family
    ["derive", "kl", "normal:sigma=-1", "normal"],    # constraint broken
    ["derive", "kl", "normal"],                       # wrong number of families
    ["derive", "entropy", "normal", "normal"],        # wrong number of families
    ["derive", "entropy", "normal:mu"],               # malformed spec
    ["derive", "entropy", "normal:foo=1"],            # no such parameter
    ["derive", "entropy", "normal:mu=[1,2]"],         # list for a scalar
    ["derive", "entropy", "categorical:p=[0.5,0.6]"],  # probabilities do not sum to 1
    ["derive", "entropy", "binomial:n=2.5"],          # not an integer
    ["derive", "entropy", "normal", "--base", "1"],   # bad base
    ["derive", "nonsense", "normal"],                 # click usage error
    ["derive", "entropy", "normal", "--timeout", "0"],
    ["--bogus"],
])
def test_bad_input_is_one_line_and_status_2(capsys, argv):
    code, out, err = cli(capsys, *argv)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_python_m_symbolic_info_error_has_no_traceback():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "symbolic_info", "derive", "kl", "gamma"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr


def test_parse_value():
    assert parse_value("3") == 3 and isinstance(parse_value("3"), int)
    assert parse_value("0.9") == 0.9
    assert parse_value("1/2") == sp.Rational(1, 2)
    assert parse_value("mu_1") == "mu_1"
    assert parse_value("[1/2, 1/2]") == [sp.Rational(1, 2)] * 2


def test_parse_member_defaults():
    assert parse_member("gamma", 2).label() == "gamma(shape=alpha_2, rate=beta_2)"
    assert parse_member("gamma:scale=2").label() == "gamma(shape=k_1, rate=1/2)"  # (k, θ)
    assert parse_member("categorical", 2).label() == "categorical(p_1=q_1, p_2=q_2, p_3=q_3)"


def test_json_of_infinite_kl():
    import symbolic_info as si
    d = si.kl(si.family("uniform", a=0, b=2), si.family("uniform", a=0, b=1))
    data = derivation_to_dict(d)
    assert data["status"] == "infinite" and data["result"] == "oo"
