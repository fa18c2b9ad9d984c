"""``symbolic-info derive`` with every parameter a number prints the numeric value (and its
base) after the exact form; ``--json`` has it as a number field. Values are compared with
scipy.stats / closed forms typed independently, never with the printed exact form."""

from __future__ import annotations

import json
import math

import pytest
from scipy import special, stats

from symbolic_info.cli import run


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def value_line(out: str) -> str:
    lines = out.splitlines()
    result = next(i for i, line in enumerate(lines) if line.lstrip().startswith("result"))
    assert lines[result + 1].lstrip().startswith("value"), out  # right after the exact form
    return lines[result + 1].split("=", 1)[1].strip()


def test_gamma_entropy_value_in_nats(capsys):
    code, out, err = cli(capsys, "derive", "entropy", "gamma:shape=2.5,rate=1")
    assert code == 0, err
    number, unit = value_line(out).split(" ", 1)
    assert float(number) == pytest.approx(stats.gamma(2.5).entropy(), rel=1e-13)
    assert unit == "nats (base e)"


def test_base_two_value_in_bits(capsys):
    code, out, err = cli(capsys, "derive", "entropy", "bernoulli:p=0.2", "--base", "2")
    assert code == 0, err
    number, unit = value_line(out).split(" ", 1)
    assert float(number) == pytest.approx(-(0.2 * math.log2(0.2) + 0.8 * math.log2(0.8)),
                                          rel=1e-14)
    assert unit == "bits (base 2)"


def test_json_value_is_a_number(capsys):
    code, out, err = cli(capsys, "derive", "kl", "normal:mu=0,sigma=1", "normal:mu=1,sigma=2",
                         "--json")
    assert code == 0, err
    data = json.loads(out)
    assert isinstance(data["value"], float)
    assert data["value"] == pytest.approx(math.log(2) + (1 + 1) / 8 - 0.5, rel=1e-14)
    assert data["value_base"] == "e" and data["value_unit"] == "nats (base e)"
    assert data["status"] == "closed_form"  # the rest of the object is unchanged


def test_json_value_other_base(capsys):
    code, out, err = cli(capsys, "derive", "--json", "entropy", "exponential:rate=3",
                         "--base", "10")
    assert code == 0, err
    data = json.loads(out)
    assert data["value"] == pytest.approx((1 - math.log(3)) / math.log(10), rel=1e-14)
    assert data["value_base"] == "10"


def test_quantity_without_units_has_no_base(capsys):
    code, out, err = cli(capsys, "derive", "hellinger", "normal:mu=0,sigma=1",
                         "normal:mu=1,sigma=2", "--json")
    assert code == 0, err
    data = json.loads(out)
    # H^2 = 1 - BC, BC = sqrt(2 s1 s2/(s1^2 + s2^2)) exp(-(m1 - m2)^2/(4(s1^2 + s2^2)))
    bc = math.sqrt(2 * 2 / 5) * math.exp(-1 / 20)
    assert data["value"] == pytest.approx(1 - bc, rel=1e-13)
    assert data["value_base"] is None and data["value_unit"] is None


def test_beta_kl_value(capsys):
    code, out, err = cli(capsys, "derive", "kl", "beta:a=2,b=3", "beta:a=1.5,b=4")
    assert code == 0, err

    def log_b(a, b):
        return special.betaln(a, b)
    a1, b1, a2, b2 = 2, 3, 1.5, 4
    expected = (log_b(a2, b2) - log_b(a1, b1) + (a1 - a2) * special.digamma(a1)
                + (b1 - b2) * special.digamma(b1)
                + (a2 - a1 + b2 - b1) * special.digamma(a1 + b1))
    assert float(value_line(out).split()[0]) == pytest.approx(expected, rel=1e-13)


def test_infinite_value_is_null_in_json(capsys):
    code, out, err = cli(capsys, "derive", "kl", "uniform:a=0,b=1", "uniform:a=0,b=0.5",
                         "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["value"] is None and data["value_text"] == "inf"


@pytest.mark.parametrize("argv", [["derive", "kl", "normal", "normal"],
                                  ["derive", "entropy", "gamma:shape=2.5"]])
def test_symbolic_parameters_print_no_value(capsys, argv):
    code, out, err = cli(capsys, *argv)
    assert code == 0, err
    assert "value      =" not in out
    code, out, err = cli(capsys, *argv, "--json")
    assert "value" not in json.loads(out)
