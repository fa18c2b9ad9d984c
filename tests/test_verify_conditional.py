"""Conditional verdicts of verify(): formulas that hold where the KL is finite, and assuming=.

The five textbook formulas below are typed in from references, not from the engine's output:

- Uniform–Uniform, Pareto–Pareto, Beta–Uniform, Uniform–Exponential, Pareto–Exponential:
  PyTorch ``torch/distributions/kl.py`` (``_kl_uniform_uniform``, ``_kl_pareto_pareto`` after
  M. Gil, "On Rényi divergence measures for continuous alphabet sources", 2011,
  ``_kl_beta_uniform``, ``_kl_uniform_exponetial``, ``_kl_pareto_exponential``), which set
  the KL to +inf exactly where the supports are not nested (or, for Pareto–Exponential, where
  the Pareto mean α x_m/(α − 1) diverges, α ≤ 1);
- the Beta entropy in the Beta–Uniform formula: log B(α, β) − (α − 1)ψ(α) − (β − 1)ψ(β)
  + (α + β − 2)ψ(α + β) (Wikipedia, "Beta distribution", Shannon entropy).

Each region is written out here by hand from the same references and compared with the
verdict's region by evaluating both at a grid of points that includes the boundaries (never by
the printed form).  verify draws its points with ``seed=0``, so every run checks the same
points.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass

import pytest
import sympy as sp

import symbolic_info as si
from symbolic_info.check.verify import (
    AssumptionError,
    ClaimError,
    finite_region,
    parse_assumption,
    parse_claim,
    verify,
)
from symbolic_info.cli import run
from symbolic_info.errors import InvalidParameter, SymbolicInfoError

F = si.family
REAL = [sp.Integer(-2), sp.Rational(-1, 2), sp.Integer(0), sp.Rational(1, 3), sp.Integer(1),
        sp.Rational(3, 2)]
POSITIVE = [sp.Rational(1, 2), sp.Integer(1), sp.Rational(3, 2), sp.Integer(3)]


@dataclass(frozen=True)
class Case:
    """A pair, its textbook KL, where that KL is finite, and wrong variants of the formula."""

    name: str
    p: tuple
    q: tuple
    formula: str
    region: object          # callable: {name: value} -> bool, the reference's finite region
    grid: dict              # name -> candidate values (boundaries included)
    wrong: dict             # what is wrong -> claim

    def derivation(self):
        return si.kl(F(self.p[0], **self.p[1]), F(self.q[0], **self.q[1]))

    def grid_points(self):
        """Valid grid points (uniform a < b)."""
        names = list(self.grid)
        for values in itertools.product(*(self.grid[n] for n in names)):
            point = dict(zip(names, values))
            if all(point[a] < point[b] for a, b in UNIFORM_ENDS if a in point and b in point):
                yield point


UNIFORM_ENDS = [("a1", "b1"), ("a2", "b2"), ("a", "b")]
BETA_ENTROPY = ("(log(beta(al, be)) - (al - 1)*digamma(al) - (be - 1)*digamma(be)"
                " + (al + be - 2)*digamma(al + be))")

CASES = [
    Case("uniform-uniform", ("uniform", {"a": "a1", "b": "b1"}),
         ("uniform", {"a": "a2", "b": "b2"}),
         "log((b2 - a2)/(b1 - a1))",
         lambda v: v["a2"] <= v["a1"] and v["b1"] <= v["b2"],
         {n: REAL for n in ("a1", "b1", "a2", "b2")},
         {"sign flipped": "log((b1 - a1)/(b2 - a2))",
          "factor dropped": "log(b2 - a2)",
          "parameters swapped": "log((b2 - a1)/(b1 - a2))"}),
    Case("pareto-pareto", ("pareto", {"xm": "m1", "alpha": "k1"}),
         ("pareto", {"xm": "m2", "alpha": "k2"}),
         "k2*log(m1/m2) - log(k2/k1) + k2/k1 - 1",
         lambda v: v["m1"] >= v["m2"],
         {n: POSITIVE for n in ("m1", "k1", "m2", "k2")},
         {"sign flipped": "k2*log(m1/m2) + log(k2/k1) + k2/k1 - 1",
          "factor dropped": "log(m1/m2) - log(k2/k1) + k2/k1 - 1",
          "parameters swapped": "k1*log(m1/m2) - log(k2/k1) + k2/k1 - 1"}),
    Case("beta-uniform", ("beta", {"a": "al", "b": "be"}), ("uniform", {"a": "a", "b": "b"}),
         f"-{BETA_ENTROPY} + log(b - a)",
         lambda v: v["a"] <= 0 and v["b"] >= 1,
         {"al": POSITIVE[:2], "be": POSITIVE[2:], "a": REAL, "b": REAL},
         {"sign flipped": f"{BETA_ENTROPY} + log(b - a)",
          "factor dropped": BETA_ENTROPY.replace("(al - 1)*digamma(al)", "digamma(al)")
          .join(["-", " + log(b - a)"]),
          "parameters swapped": BETA_ENTROPY.replace("(al - 1)*digamma(al)",
                                                     "(al - 1)*digamma(be)")
          .join(["-", " + log(b - a)"])}),
    Case("uniform-exponential", ("uniform", {"a": "a", "b": "b"}), ("exponential", {"rate": "l"}),
         "l*(b + a)/2 - log((b - a)*l)",
         lambda v: v["a"] >= 0,
         {"a": REAL, "b": REAL, "l": POSITIVE},
         {"sign flipped": "l*(b + a)/2 + log((b - a)*l)",
          "factor dropped": "l*(b + a) - log((b - a)*l)",
          "parameters swapped": "(b + a)/(2*l) - log((b - a)/l)"}),
    Case("pareto-exponential", ("pareto", {"xm": "m", "alpha": "k"}),
         ("exponential", {"rate": "l"}),
         "log(k/(m*l)) - 1/k + l*k*m/(k - 1) - 1",
         lambda v: v["k"] > 1,
         {"m": POSITIVE, "k": POSITIVE, "l": POSITIVE},
         {"sign flipped": "log(k/(m*l)) + 1/k + l*k*m/(k - 1) - 1",
          "factor dropped": "log(k/(m*l)) - 1/k + l*m/(k - 1) - 1",
          "parameters swapped": "log(k/(m*l)) - 1/k + k*m/(l*(k - 1)) - 1"}),
]
IDS = [c.name for c in CASES]


@pytest.fixture(scope="module", params=CASES, ids=IDS)
def case(request):
    return request.param, request.param.derivation()


def _at(expr: sp.Basic, d, point: dict) -> sp.Basic:
    params = {s.name: s for s in d.parameters}
    return expr.xreplace({params[k]: sp.sympify(v) for k, v in point.items()})


def _same_region(region: sp.Basic, c: Case, d) -> int:
    """Compare the verdict's region with the reference's at every valid grid point."""
    checked = 0
    for point in c.grid_points():
        assert bool(_at(region, d, point)) == c.region(point), (c.name, point, region)
        checked += 1
    return checked


# -- the five textbook formulas hold, with their regions --------------------------------------
def test_textbook_formula_holds_where_the_kl_is_finite(case):
    c, d = case
    assert d.status == "closed_form"
    verdict = verify(c.formula, d)
    assert verdict.holds, str(verdict)
    assert verdict.conditional and verdict.conditions != sp.true
    assert verdict.counterexample is None and verdict.assuming == sp.true
    assert "HOLDS where" in str(verdict) and "elsewhere the KL is infinite" in str(verdict)
    assert _same_region(verdict.conditions, c, d) > 20
    # and the derivation really is infinite outside, finite inside, at those grid points
    for point in c.grid_points():
        value = _at(d.result, d, point)
        assert (value != sp.oo) == c.region(point), (c.name, point, value)


def test_region_agrees_with_sympy_boolean_equivalence_for_the_uniforms():
    c, d = CASES[0], CASES[0].derivation()
    region = verify(c.formula, d).conditions
    a1, b1, a2, b2 = d.parameters
    expected = sp.And(a2 <= a1, b1 <= b2)
    assert sp.simplify_logic(sp.Xor(region, expected)) == sp.false


def test_wrong_variants_are_rejected_inside_the_region(case):
    c, d = case
    reference = parse_claim(c.formula, d)
    for what, claim in c.wrong.items():
        verdict = verify(claim, d)
        assert not verdict.holds, f"{c.name}, {what}: {verdict}"
        assert verdict.conditions == sp.true
        point = verdict.point
        assert c.region(point), f"{c.name}, {what}: counterexample {point} outside the region"
        # there the claim really differs from the textbook formula and the KL is finite
        exact = {k: sp.Float(v, 40) for k, v in point.items()}
        claimed = complex(sp.N(_at(parse_claim(claim, d), d, exact), 30))
        true_value = complex(sp.N(_at(reference, d, exact), 30))
        assert math.isfinite(verdict.counterexample["derivation"])
        assert abs(claimed - true_value) > 1e-6 * max(1.0, abs(true_value)), (what, point)
        assert verdict.counterexample["derivation"] == pytest.approx(true_value.real, rel=1e-9)


def test_other_quantities_are_named():
    p, q = F("uniform", a="a1", b="b1"), F("uniform", a="a2", b="b2")
    verdict = verify("log(b2 - a2)", si.cross_entropy(p, q))
    assert verdict.holds and verdict.conditional
    assert "elsewhere the cross-entropy is infinite" in str(verdict)


def test_base_two_result_is_read_through_the_division():
    c = CASES[0]
    d = si.kl(F("uniform", a="a1", b="b1"), F("uniform", a="a2", b="b2"), base=2)
    verdict = verify("log((b2 - a2)/(b1 - a1), 2)", d)
    assert verdict.holds and verdict.conditional, str(verdict)
    _same_region(verdict.conditions, c, d)
    assert not verify(c.formula, d).holds  # nats for a bits derivation


def test_unconditional_agreement_keeps_conditions_true():
    d = si.kl(si.family("normal", mu="mu_1", sigma="sigma_1"),
              si.family("normal", mu="mu_2", sigma="sigma_2"))
    verdict = verify("log(sigma_2/sigma_1) + (sigma_1**2 + (mu_1 - mu_2)**2)/(2*sigma_2**2)"
                     " - 1/2", d)
    assert verdict.holds and verdict.conditions == sp.true and not verdict.conditional
    assert "elsewhere" not in str(verdict)
    # a claim that is itself +oo outside the region agrees everywhere: no condition
    c = CASES[0]
    d = c.derivation()
    a1, b1, a2, b2 = d.parameters
    piecewise = sp.Piecewise((sp.log((b2 - a2) / (b1 - a1)), (a1 >= a2) & (b1 <= b2)),
                             (sp.oo, True))
    verdict = verify(piecewise, d)
    assert verdict.holds and verdict.conditions == sp.true, str(verdict)


def test_a_claim_finite_only_where_the_kl_is_finite_but_wrong_outside_is_still_conditional():
    # a Piecewise claim that is 0 (not oo) outside: it differs only where the KL is infinite
    c = CASES[0]
    d = c.derivation()
    a1, b1, a2, b2 = d.parameters
    claim = sp.Piecewise((sp.log((b2 - a2) / (b1 - a1)), (a1 >= a2) & (b1 <= b2)), (0, True))
    verdict = verify(claim, d)
    assert verdict.holds and verdict.conditional
    _same_region(verdict.conditions, c, d)


def test_infinite_everywhere_is_never_conditional():
    d = si.kl(si.family("normal", mu="mu_1", sigma="sigma_1"),
              si.family("exponential", rate="lambda_2"))
    assert d.status == "infinite"
    verdict = verify("log(lambda_2)", d)
    assert not verdict.holds and verdict.conditions == sp.true
    assert verdict.counterexample["derivation"] == math.inf
    assert verify("oo", d).holds


def test_finite_region_of_several_branches():
    x, y = sp.symbols("x y", real=True)
    result = sp.Piecewise((1, x > 0), (sp.oo, y > 0), (2, True))
    fr = finite_region(result)
    for xv, yv in itertools.product([-1, 1], [-1, 1]):
        expected = xv > 0 or not yv > 0
        assert bool(fr.region.xreplace({x: xv, y: yv})) == expected
    assert finite_region(sp.oo).region == sp.false
    assert finite_region(x + y).region == sp.true
    assert finite_region(sp.Piecewise((x, y > 0), (y, True))).region == sp.true


# -- assuming= ----------------------------------------------------------------------------------
ABS_A1 = "log((b2 - a2)/(b1 - sqrt(a1**2)))"  # true only where a1 >= 0 (a1 = |a1| there)


def test_assuming_makes_a_claim_true_only_there_hold():
    c = CASES[0]
    d = c.derivation()
    without = verify(ABS_A1, d)
    assert not without.holds
    assert without.point["a1"] < 0 and c.region(without.point)
    verdict = verify(ABS_A1, d, assuming="a1 >= 0")
    assert verdict.holds, str(verdict)
    a1 = d.parameters[0]
    assert verdict.assuming == (a1 >= 0)
    _same_region(verdict.conditions, c, d)  # still conditional on nested supports
    assert "as assumed" in str(verdict) and "a1 >= 0" in str(verdict)


@pytest.mark.parametrize("assuming", [
    "a1 >= 0", r"a_1 \geq 0", r"a_{1} \ge 0", sp.Symbol("a1") >= 0, ["a1 >= 0"],
])
def test_assuming_is_read_like_a_claim(assuming):
    d = CASES[0].derivation()
    a1 = d.parameters[0]
    assert parse_assumption(assuming, d) == (a1 >= 0)


def test_assuming_conjunctions():
    d = CASES[0].derivation()
    a1, b1, a2, b2 = d.parameters
    expected = sp.And(a1 >= a2, b1 <= b2)
    for text in ("a1 >= a2, b1 <= b2", "a1 >= a2 and b1 <= b2", "(a1 >= a2) & (b1 <= b2)"):
        assert parse_assumption(text, d) == expected
    # inside the nested region there is nothing outside: the claim holds without condition
    verdict = verify(CASES[0].formula, d, assuming="a1 >= a2, b1 <= b2")
    assert verdict.holds and verdict.conditions == sp.true and verdict.assuming == expected


def test_assuming_the_finite_region_of_uniform_exponential():
    c = CASES[3]
    d = c.derivation()
    verdict = verify(c.formula, d, assuming="a >= 0")
    assert verdict.holds and verdict.conditions == sp.true, str(verdict)


def test_wrong_claims_are_rejected_inside_the_assumed_region():
    d = si.kl(si.family("normal", mu="mu_1", sigma="sigma_1"),
              si.family("normal", mu="mu_2", sigma="sigma_2"))
    true_for_positive = ("log(sigma_2/sigma_1) + (sigma_1**2 + (sqrt(mu_1**2) - mu_2)**2)"
                         "/(2*sigma_2**2) - 1/2")
    assert not verify(true_for_positive, d).holds
    assert verify(true_for_positive, d, assuming="mu_1 >= 0").holds
    wrong = true_for_positive.replace("- 1/2", "+ 1/2")
    verdict = verify(wrong, d, assuming="mu_1 >= 0")
    assert not verdict.holds and verdict.point["mu_1"] >= 0
    # and for a conditional formula: wrong inside (the nested region) and (a1 >= 0)
    c = CASES[0]
    d = c.derivation()
    verdict = verify(c.wrong["factor dropped"], d, assuming="a1 >= 0")
    assert not verdict.holds and verdict.point["a1"] >= 0 and c.region(verdict.point)
    # inside a region where the KL is infinite, a finite claim is wrong: the witness is there
    verdict = verify(c.formula, d, assuming="a1 < a2")
    assert not verdict.holds
    assert verdict.point["a1"] < verdict.point["a2"]
    assert verdict.counterexample["derivation"] == math.inf


@pytest.mark.parametrize("assuming, error, words", [
    ("a1 >= 5", AssumptionError, ["no parameter point", "a1 >= 5"]),
    ("c >= 1", AssumptionError, ["c", "not a parameter"]),
    ("a1 + 1", AssumptionError, ["must be a condition"]),
    ("a1 >= ", AssumptionError, ["cannot parse the assumption"]),
    ("0 <= a1 <= 1", AssumptionError, ["cannot parse", "a >= 0, b <= 1"]),
    ("", AssumptionError, ["empty"]),
    (3.5, AssumptionError, ["must be a condition"]),
])
def test_bad_assumptions_give_clear_errors(assuming, error, words):
    d = CASES[0].derivation()
    with pytest.raises(error) as info:
        verify(CASES[0].formula, d, assuming=assuming)
    for w in words:
        assert w in str(info.value)


def test_contradictory_assumption_is_an_error():
    d = si.kl(si.family("exponential", rate="l1"), si.family("exponential", rate="l2"))
    with pytest.raises(AssumptionError, match="false for every valid point"):
        verify("log(l1/l2) + l2/l1 - 1", d, assuming="l1 < 0")


def test_assumption_error_is_in_the_hierarchy():
    assert issubclass(AssumptionError, ClaimError)
    assert issubclass(AssumptionError, InvalidParameter)
    assert issubclass(AssumptionError, SymbolicInfoError)


# -- command line -------------------------------------------------------------------------------
UU = ["kl", "uniform:a=a1,b=b1", "uniform:a=a2,b=b2"]


def test_cli_conditional_verdict_json(capsys):
    code = run(["verify", CASES[0].formula, *UU, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert data["holds"] is True and data["assuming"] == "True"
    names = {n: sp.Symbol(n) for n in ("a1", "b1", "a2", "b2")}
    region = sp.sympify(data["conditions"], locals=names)
    for point in CASES[0].grid_points():
        assert bool(region.xreplace({names[k]: v for k, v in point.items()})) == \
            CASES[0].region(point)


def test_cli_assuming(capsys):
    assert run(["verify", ABS_A1, *UU]) == 1
    capsys.readouterr()
    assert run(["verify", ABS_A1, *UU, "--assuming", "a1 >= 0"]) == 0
    out, _ = capsys.readouterr()
    assert "HOLDS where" in out and "as assumed" in out
    assert run(["verify", ABS_A1, *UU, "--assuming", "a1 >= 0", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["assuming"] == "a1 >= 0"


def test_cli_bad_assuming_exits_2_with_one_line(capsys):
    code = run(["verify", CASES[0].formula, *UU, "--assuming", "x >= 0"])
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "not a parameter" in err
