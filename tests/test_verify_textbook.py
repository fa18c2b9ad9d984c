r"""verify() reads textbook LaTeX: the entropy and KL tables as printed (``\ln``, ``\log_2``,
``\Gamma``, ``\psi``, ``\mathrm{B}``, Euler's ``\gamma``, ``\det``, ``\operatorname{tr}``,
``\begin{cases}``), their wrong variants rejected with a real counterexample, errors that quote
what the user wrote, and ``symbolic-info verify ... --json`` with the options in any order.

Members are always given explicit symbols, so the tests do not depend on the families' default
symbol names.  A rejected claim's counterexample is re-evaluated here (the claim and the
derivation at 30 digits) and must differ by more than 1e-6 relative.
"""

from __future__ import annotations

import json

import pytest
import sympy as sp

import symbolic_info as si
from symbolic_info.check import ClaimError, parse_claim, verify
from symbolic_info.check.verify import AssumptionError, parse_assumption
from symbolic_info.cli import run

F = si.family
K = sp.Symbol("k", integer=True, positive=True)


# -- derivations (explicit symbols) -------------------------------------------------------------
def normal_entropy(base=None):
    return si.entropy(F("normal", mu="mu", sigma="sigma"), base=base)


def exponential_entropy(base=None):
    return si.entropy(F("exponential", rate="lambda"), base=base)


def gamma_entropy():
    return si.entropy(F("gamma", shape="alpha", rate="beta"))


def gumbel_entropy():
    return si.entropy(F("gumbel", mu="mu", beta="beta"))


def beta_entropy():
    return si.entropy(F("beta", a="alpha", b="beta"))


def student_t_entropy():
    return si.entropy(F("student_t", nu="nu"))


def weibull_entropy():
    return si.entropy(F("weibull", k="k", lam="lambda"))


def chi_squared_entropy():
    return si.entropy(F("chi_squared", k="k"))


def laplace_entropy():
    return si.entropy(F("laplace", mu="mu", b="b"))


def gamma_kl():
    return si.kl(F("gamma", shape="alpha_1", rate="beta_1"),
                 F("gamma", shape="alpha_2", rate="beta_2"))


def laplace_kl():
    return si.kl(F("laplace", mu="mu_1", b="b_1"), F("laplace", mu="mu_2", b="b_2"))


def uniform_kl():
    return si.kl(F("uniform", a="a_1", b="b_1"), F("uniform", a="a_2", b="b_2"))


def mvn_members():
    P = F("mvnormal", mu=sp.MatrixSymbol("mu_1", K, 1), cov=sp.MatrixSymbol("Sigma_1", K, K))
    Q = F("mvnormal", mu=sp.MatrixSymbol("mu_2", K, 1), cov=sp.MatrixSymbol("Sigma_2", K, K))
    return P, Q


def mvn_entropy():
    return si.entropy(mvn_members()[0])


def mvn_kl():
    return si.kl(*mvn_members())


def gamma_fisher():
    return si.fisher_information(F("gamma", shape="alpha", rate="beta"))


GAMMA_ENTROPY = r"\alpha - \ln\beta + \ln\Gamma(\alpha) + (1-\alpha)\psi(\alpha)"
BETA_ENTROPY = (r"\ln\mathrm{B}(\alpha,\beta) - (\alpha-1)\psi(\alpha) - (\beta-1)\psi(\beta)"
                r" + (\alpha+\beta-2)\psi(\alpha+\beta)")
GAMMA_KL = (r"(\alpha_1-\alpha_2)\psi(\alpha_1) - \ln\Gamma(\alpha_1) + \ln\Gamma(\alpha_2)"
            r" + \alpha_2\left(\ln\beta_1 - \ln\beta_2\right)"
            r" + \alpha_1\frac{\beta_2-\beta_1}{\beta_1}")
MVN_KL = (r"\frac{1}{2}\left[\operatorname{tr}\left(\Sigma_2^{-1}\Sigma_1\right) - k"
          r" + \left(\mu_2 - \mu_1\right)^\mathsf{T} \Sigma_2^{-1}\left(\mu_2 - \mu_1\right)"
          r" + \ln\frac{\det\Sigma_2}{\det\Sigma_1}\right]")
LAPLACE_CASES = (r"\ln\frac{b_2}{b_1} + \begin{cases}"
                 r" \frac{\mu_1-\mu_2}{b_2} + \frac{b_1}{b_2}e^{-(\mu_1-\mu_2)/b_1}"
                 r" & \text{if } \mu_1 \ge \mu_2 \\"
                 r" \frac{\mu_2-\mu_1}{b_2} + \frac{b_1}{b_2}e^{-(\mu_2-\mu_1)/b_1}"
                 r" & \text{otherwise} \end{cases} - 1")
UNIFORM_CASES = (r"D_{\mathrm{KL}}(P \parallel Q) = \begin{cases} \ln\dfrac{b_2-a_2}{b_1-a_1},"
                 r" & a_2 \le a_1 \text{ and } b_1 \le b_2, \\ +\infty, & \text{otherwise.}"
                 r" \end{cases}")

# (derivation, claim): each a textbook formula, in the notation named by its id
HOLDS = {
    "normal \\frac12\\ln": (normal_entropy, r"\frac12\ln(2\pi e\sigma^2)"),
    "normal \\tfrac \\mathrm{e} \\left \\,": (
        normal_entropy, r"\tfrac{1}{2}\ln\left(2\pi\mathrm{e}\,\sigma^{2}\right)"),
    "normal \\dfrac \\cdot \\exp": (normal_entropy, r"\dfrac{1}{2}\cdot\ln(2\pi\sigma^2)"
                                                    r" + \ln\sqrt{\exp(1)}"),
    "normal h(X) = ...": (normal_entropy, r"h(X) = \ln\left(\sigma\sqrt{2\pi e}\right)"),
    "exponential \\ln": (exponential_entropy, r"1 - \ln\lambda"),
    "gamma \\Gamma \\psi": (gamma_entropy, GAMMA_ENTROPY),
    "gamma \\gamma(.) is the function": (gamma_entropy, GAMMA_ENTROPY.replace(r"\Gamma",
                                                                              r"\gamma")),
    "gamma \\operatorname{\\psi} \\bigl(": (
        gamma_entropy, r"\alpha - \ln\beta + \ln\Gamma\bigl(\alpha\bigr)"
                       r" + (1-\alpha)\operatorname{\psi}(\alpha)"),
    "gumbel Euler \\gamma": (gumbel_entropy, r"\ln\beta + \gamma + 1"),
    "beta \\mathrm{B}": (beta_entropy, BETA_ENTROPY),
    "beta \\operatorname{B}": (beta_entropy, BETA_ENTROPY.replace(r"\mathrm{B}",
                                                                 r"\operatorname{B}")),
    "normal bits \\log_2": (lambda: normal_entropy(2), r"\frac12\log_2(2\pi e\sigma^2)"),
    "exponential bits \\log_{2}": (lambda: exponential_entropy(2),
                                   r"\log_{2}\frac{\mathrm{e}}{\lambda}"),
    "student-t \\left[ B \\,": (
        student_t_entropy, r"\frac{\nu+1}{2}\left[\psi\left(\frac{1+\nu}{2}\right)"
                           r" - \psi\left(\frac{\nu}{2}\right)\right]"
                           r" + \ln\left[\sqrt{\nu}\,B\left(\frac{\nu}{2},"
                           r"\frac{1}{2}\right)\right]"),
    "weibull \\gamma(1 - 1/k) is Euler's gamma times": (
        weibull_entropy, r"\gamma\left(1 - \frac{1}{k}\right) + \ln\left(\frac{\lambda}{k}\right)"
                         r" + 1"),
    "chi-squared \\Gamma\\left(\\frac": (
        chi_squared_entropy, r"\frac{k}{2} + \ln\left(2\Gamma\left(\frac{k}{2}\right)\right)"
                             r" + \left(1-\frac{k}{2}\right)\psi\left(\frac{k}{2}\right)"),
    "laplace \\ln(2b) \\quad": (laplace_entropy, r"1 + \ln(2b) \quad"),
    "gamma KL \\ln\\Gamma \\psi": (gamma_kl, GAMMA_KL),
    "MVN entropy \\det": (mvn_entropy, r"\frac{1}{2}\ln\det\left(2\pi e\Sigma_1\right)"),
    "MVN entropy |\\Sigma|": (mvn_entropy, r"\frac{k}{2} + \frac{k}{2}\ln(2\pi)"
                                           r" + \frac{1}{2}\ln\left|\Sigma_1\right|"),
    "MVN KL \\operatorname{tr} \\det ^\\mathsf{T}": (mvn_kl, MVN_KL),
    "MVN KL \\mathrm{tr} |.| ^\\top \\boldsymbol": (
        mvn_kl, r"\frac12\left(\mathrm{tr}(\Sigma_2^{-1}\Sigma_1) + (\boldsymbol\mu_2"
                r"-\boldsymbol\mu_1)^{\top}\Sigma_2^{-1}(\boldsymbol\mu_2-\boldsymbol\mu_1) - k"
                r" + \ln\frac{|\Sigma_2|}{|\Sigma_1|}\right)"),
    "gamma Fisher pmatrix \\psi_1": (
        gamma_fisher, r"\begin{pmatrix} \psi_1(\alpha) & -\frac{1}{\beta} \\"
                      r" -\frac1\beta & \frac{\alpha}{\beta^2} \end{pmatrix}"),
    "gamma Fisher bmatrix \\psi'": (
        gamma_fisher, r"\begin{bmatrix} \psi'(\alpha) & -1/\beta \\ -1/\beta & \alpha/\beta^{2}"
                      r" \end{bmatrix}"),
    "bernoulli bits H_b(p) = ...": (
        lambda: si.entropy(F("bernoulli", p="p"), base=2),
        r"H_b(p) = -p\log_2 p - (1-p)\log_2(1-p)"),
    "categorical \\sum_{i=1}^{3}": (
        lambda: si.entropy(F("categorical", p=["p_1", "p_2", "p_3"])),
        r"-\sum_{i=1}^{3} p_i \ln p_i"),
    "categorical KL \\sum \\frac": (
        lambda: si.kl(F("categorical", p=["p_1", "p_2", "p_3"]),
                      F("categorical", p=["q_1", "q_2", "q_3"])),
        r"\sum_{j=1}^3 p_{j}\ln\frac{p_{j}}{q_{j}}"),
    "laplace KL cases": (laplace_kl, LAPLACE_CASES),
    "uniform KL cases with +\\infty": (uniform_kl, UNIFORM_CASES),
}

# (derivation, claim): frequent slips in the same notations
WRONG = {
    "normal without e": (normal_entropy, r"\frac12\ln(2\pi\sigma^2)"),
    "exponential sign": (exponential_entropy, r"1 + \ln\lambda"),
    "gamma (1+alpha) psi": (gamma_entropy, GAMMA_ENTROPY.replace("(1-\\alpha)", "(1+\\alpha)")),
    "gumbel minus gamma": (gumbel_entropy, r"\ln\beta - \gamma + 1"),
    "beta sign of B": (beta_entropy, BETA_ENTROPY.replace(r"\ln\mathrm{B}", r"-\ln\mathrm{B}")),
    "nats for bits": (lambda: normal_entropy(2), r"\frac12\ln(2\pi e\sigma^2)"),
    "weibull 1 + 1/k": (weibull_entropy, r"\gamma\left(1 + \frac{1}{k}\right)"
                                          r" + \ln\left(\frac{\lambda}{k}\right) + 1"),
    "gamma KL swapped psi": (gamma_kl, GAMMA_KL.replace(r"\psi(\alpha_1)", r"\psi(\alpha_2)")),
    "MVN KL without 1/2": (mvn_kl, MVN_KL.replace(r"\frac{1}{2}", "")),
    "categorical sum one term short": (
        lambda: si.entropy(F("categorical", p=["p_1", "p_2", "p_3"])),
        r"-\sum_{i=1}^{2} p_i \ln p_i"),
    "gamma Fisher sign": (gamma_fisher, r"\begin{pmatrix} \psi^{(1)}(\alpha) & \frac{1}{\beta}"
                                        r" \\ \frac1\beta & \frac{\alpha}{\beta^2}"
                                        r" \end{pmatrix}"),
    "laplace KL cases, wrong second branch": (
        laplace_kl, LAPLACE_CASES.replace(r"e^{-(\mu_2-\mu_1)/b_1}", r"e^{(\mu_2-\mu_1)/b_1}")),
}


@pytest.mark.parametrize("make, claim", HOLDS.values(), ids=list(HOLDS))
def test_textbook_formula_holds(make, claim):
    verdict = verify(claim, make())
    assert verdict.holds, str(verdict)
    assert verdict.counterexample is None


def _really_differs(verdict, d) -> bool:
    point = verdict.point
    subs = {s: sp.nsimplify(point[s.name]) for s in d.parameters if s.name in point}
    c = complex(sp.N(verdict.claim.xreplace(subs), 30))
    r = complex(sp.N(d.result.xreplace(subs), 30))
    return abs(c - r) > 1e-6 * max(1.0, abs(r))


@pytest.mark.parametrize("make, claim", WRONG.values(), ids=list(WRONG))
def test_wrong_variant_fails_with_a_counterexample(make, claim):
    d = make()
    verdict = verify(claim, d)
    assert not verdict.holds
    assert verdict.counterexample is not None
    assert "DOES NOT HOLD" in str(verdict)
    if not d.result.has(sp.MatrixSymbol) and not isinstance(d.result, sp.MatrixBase):
        assert _really_differs(verdict, d)


# -- how names and functions are read ------------------------------------------------------------
LAM = sp.Symbol("lambda", positive=True)


@pytest.mark.parametrize("claim, expected", [
    (r"\gamma", sp.EulerGamma),
    (r"\gamma(\lambda)", sp.gamma(LAM)),
    (r"\Gamma\left(\lambda\right)", sp.gamma(LAM)),
    (r"\lambda(1 + \lambda)", LAM * (1 + LAM)),  # a parameter applied is a product
    (r"\psi(\lambda)", sp.digamma(LAM)),
    (r"\psi_1(\lambda)", sp.polygamma(1, LAM)),
    (r"\psi'(\lambda)", sp.polygamma(1, LAM)),
    (r"\psi^{(2)}(\lambda)", sp.polygamma(2, LAM)),
    (r"\operatorname{Ei}(-\lambda)", sp.Ei(-LAM)),
    (r"E_1(\lambda)", sp.expint(1, LAM)),
    (r"\mathrm{B}(\lambda, 2)", sp.beta(LAM, 2)),
    (r"\log_{10}\lambda", sp.log(LAM) / sp.log(10)),
    (r"\lg\lambda", sp.log(LAM) / sp.log(10)),
    (r"\mathrm{e}^{-\lambda}", sp.exp(-LAM)),
    (r"\exp\Bigl(\frac1\lambda\Bigr)", sp.exp(1 / LAM)),
    (r"\ln\Gamma(\lambda)\Gamma(2)", sp.log(sp.gamma(LAM))),
    (r"\operatorname{erf}(\lambda)", sp.erf(LAM)),
    (r"\max(\lambda, 1) - \min(\lambda, 2)", sp.Max(LAM, 1) - sp.Min(LAM, 2)),
    (r"\exp\left\{-\lambda\right\}", sp.exp(-LAM)),
    (r"\ln\left|1-\lambda\right| + \ln\lvert\lambda\rvert", sp.log(sp.Abs(1 - LAM) * LAM)),
    (r"\frac 1 2 \times\lambda\;\!", LAM / 2),
])
def test_textbook_names_read_as_sympy(claim, expected):
    d = exponential_entropy()
    expr = parse_claim(claim, d).xreplace({s: LAM for s in d.parameters})
    assert sp.simplify(expr - expected) == 0, expr


def test_cases_become_piecewise_with_their_conditions():
    d = uniform_kl()
    expr = parse_claim(UNIFORM_CASES, d)
    assert isinstance(expr, sp.Piecewise)
    names = {s.name: s for s in d.parameters}

    def at(a1, b1, a2, b2):
        return expr.xreplace({names["a_1"]: a1, names["b_1"]: b1, names["a_2"]: a2,
                              names["b_2"]: b2})
    assert at(0, 1, -1, 2) == sp.log(3)
    assert at(-2, 1, -1, 2) == sp.oo
    assert at(0, 3, -1, 2) == sp.oo


@pytest.mark.parametrize("make, claim", [HOLDS["laplace KL cases"], HOLDS["uniform KL cases"
                                                                         " with +\\infty"]])
def test_cases_claims_are_proved_branch_by_branch(make, claim):
    verdict = verify(claim, make())
    assert verdict.holds and verdict.method == "symbolic", str(verdict)
    assert verdict.conditions == sp.true


def test_the_cases_claim_that_leaked_placeholders_now_holds():
    # issue 13: this claim failed with an error showing \symbolicinfoparamd
    d = si.kl(F("uniform", a="a1", b="b1"), F("uniform", a="a2", b="b2"))
    claim = (r"\begin{cases} \ln\frac{b2-a2}{b1-a1} & a2 \le a1, b1 \le b2 \\ \infty &"
             r" \text{otherwise}\end{cases}")
    verdict = verify(claim, d)
    assert verdict.holds and verdict.conditions == sp.true
    assert "symbolicinfo" not in str(verdict)


def test_a_chain_of_relations_and_the_array_form():
    d = uniform_kl()
    chained = (r"\left\{\begin{array}{ll} \ln\frac{b_2-a_2}{b_1-a_1} & \text{for }"
               r" a_2 \leq a_1 < b_1 \leq b_2 \\ \infty & \text{else} \end{array}\right.")
    verdict = verify(chained, d)
    assert verdict.holds and verdict.conditions == sp.true
    assert isinstance(verdict.claim, sp.Piecewise)


def test_cases_combine_with_assuming():
    wrong = WRONG["laplace KL cases, wrong second branch"][1]
    d = laplace_kl()
    verdict = verify(wrong, d, assuming=r"\mu_1 \geq \mu_2")
    assert verdict.holds  # the wrong branch is never used there
    assert verdict.assuming != sp.true and "as assumed" in str(verdict)
    rejected = verify(wrong, d, assuming=r"\mu_1 < \mu_2")
    assert not rejected.holds
    assert rejected.point["mu_1"] < rejected.point["mu_2"]


def test_latex_assumption_chains_and_words():
    d = uniform_kl()
    region = parse_assumption(r"a_2 \le a_1 \text{ and } b_1 \leqslant b_2", d)
    names = {s.name: s for s in d.parameters}
    inside = {names["a_1"]: 0, names["b_1"]: 1, names["a_2"]: -1, names["b_2"]: 2}
    outside = {**inside, names["b_2"]: sp.Rational(1, 2)}
    assert bool(region.xreplace(inside)) and not bool(region.xreplace(outside))


# -- errors name what the user wrote -------------------------------------------------------------
@pytest.mark.parametrize("claim, words", [
    (r"\begin{cases} \ln\frac{b2-a2}{b1-a1} & a2 \le a1, b1 \le \\ \infty & \text{otherwise}"
     r"\end{cases}", ["b1 \\le", "empty side"]),
    (r"\begin{cases} \ln\frac{b2-a2}{b1-a1}} & a2 \le a1 \\ \infty & \text{otherwise}"
     r"\end{cases}", ["cannot parse", r"\ln\frac{b2-a2}{b1-a1}}"]),
    (r"\begin{cases} \ln\frac{b2-a2}{b1-a1} & a2 \le a1 \\ \infty & \text{when } b1"
     r"\end{cases}", ["not a relation", "b1"]),
    (r"\begin{cases} \ln\frac{b2-a2}{b1-a1} & a2 \le c \\ \infty & \text{otherwise}"
     r"\end{cases}", ["c,", "not a parameter"]),
    (r"\begin{cases} \ln\frac{b2-a2}{b1-a1} & a2 \le a1 \\ \infty & \text{otherwise}",
     [r"\begin{cases}", "no matching end"]),
    (r"\frac{b2 - a2}{", ["cannot parse", r"\frac{b2 - a2}{"]),
    (r"\ln(b2 - a2) + \foo(a1)", ["unknown function", "foo"]),
    (r"b1 = \ln(b2 - a2)", ["equation"]),
    (r"2 b1 = \ln(b2 - a2)", ["equation"]),
])
def test_errors_quote_the_claim_never_internal_names(claim, words):
    d = si.kl(F("uniform", a="a1", b="b1"), F("uniform", a="a2", b="b2"))
    with pytest.raises(ClaimError) as info:
        verify(claim, d)
    message = str(info.value)
    assert "symbolicinfo" not in message and "Dummy" not in message
    for w in words:
        assert w in message, message
    assert "a1, b1, a2, b2" in message


def test_bad_latex_assumption_names_it():
    with pytest.raises(AssumptionError) as info:
        verify(r"1 - \ln\lambda", exponential_entropy(), assuming=r"\lambda \ge")
    assert "symbolicinfo" not in str(info.value) and r"\lambda \ge" in str(info.value)


# -- the command line: --json in any order -------------------------------------------------------
BERNOULLI_CLAIM = r"-p\ln p - (1-p)\ln(1-p)"  # starts with '-', contains 'n' (as in -n)


@pytest.mark.parametrize("argv", [
    ["verify", BERNOULLI_CLAIM, "entropy", "bernoulli:p=p", "--json"],
    ["verify", "--json", BERNOULLI_CLAIM, "entropy", "bernoulli:p=p"],
    ["verify", BERNOULLI_CLAIM, "--json", "entropy", "bernoulli:p=p"],
    ["verify", BERNOULLI_CLAIM, "entropy", "--json", "bernoulli:p=p"],
    ["verify", BERNOULLI_CLAIM, "entropy", "bernoulli:p=p", "-n", "5", "--json", "--seed=3"],
    ["verify", "--points=4", BERNOULLI_CLAIM, "entropy", "bernoulli:p=p", "-n5", "--json"],
    ["verify", "--timeout", "20", "--json", "--", BERNOULLI_CLAIM, "entropy", "bernoulli:p=p"],
])
def test_cli_verify_json_in_any_option_order(capsys, argv):
    code = run(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert data["holds"] is True and data["quantity"] == "entropy"


def test_cli_verify_textbook_normal_json(capsys):
    code = run(["verify", r"\frac12\ln(2\pi e\sigma^2)", "entropy", "normal:mu=mu,sigma=sigma",
                "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["holds"] is True


def test_cli_verify_cases_with_assuming_json(capsys):
    wrong = WRONG["laplace KL cases, wrong second branch"][1]
    argv = ["verify", wrong, "kl", "laplace:mu=mu_1,b=b_1", "laplace:mu=mu_2,b=b_2"]
    assert run([*argv, "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["holds"] is False and data["counterexample"] is not None
    assert run(["verify", "--assuming", "mu_1 >= mu_2", *argv[1:], "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["holds"] is True and data["assuming"] != "True"


@pytest.mark.parametrize("extra, words", [
    (["--jsn"], ["No such option", "--jsn"]),
    (["--latex"], ["No such option", "--latex"]),
    (["bernoulli"], ["entropy needs one family"]),
])
def test_cli_verify_bad_options_one_line_exit_2(capsys, extra, words):
    code = run(["verify", BERNOULLI_CLAIM, "entropy", "bernoulli:p=p", *extra])
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    for w in words:
        assert w in err
