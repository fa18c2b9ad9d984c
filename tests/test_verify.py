"""verify(): published formulas in several notations, their wrong variants, and bad claims.

Seeds: verify draws its points with ``seed=0`` (numpy's default_rng), so every run checks the
same points.  A rejected claim must come with a counterexample at which the claim and the
derivation really differ: the test recomputes both there, the claim with sympy at 30 digits,
the derivation's closed form likewise (or, when the engine keeps an integral, with scipy's own
quadrature of the defining integral), and asserts a relative difference above 1e-6.
"""

from __future__ import annotations

import math

import pytest
import sympy as sp
from scipy import integrate, stats

import symbolic_info as si
from symbolic_info.check import ClaimError, parse_claim, verify
from symbolic_info.cli import run
from symbolic_info.errors import InvalidParameter, SymbolicInfoError


def normal(i: int):
    return si.family("normal", mu=f"mu_{i}", sigma=f"sigma_{i}")


def kl_normal(base=None):
    return si.kl(normal(1), normal(2), base=base)


def entropy_normal(base=None):
    return si.entropy(normal(1), base=base)


def kl_exponential():
    return si.kl(si.family("exponential", rate="lambda_1"), si.family("exponential",
                                                                      rate="lambda_2"))


def entropy_exponential():
    return si.entropy(si.family("exponential", rate="lambda_1"))


def kl_gamma():
    return si.kl(si.family("gamma", shape="alpha_1", rate="beta_1"),
                 si.family("gamma", shape="alpha_2", rate="beta_2"))


def kl_bernoulli():
    return si.kl(si.family("bernoulli", p="p_1"), si.family("bernoulli", p="p_2"))


def kl_poisson():
    return si.kl(si.family("poisson", lam="lam_1"), si.family("poisson", lam="lam_2"))


def entropy_laplace():
    return si.entropy(si.family("laplace", mu="mu_1", b="b_1"))


def entropy_cauchy():
    return si.entropy(si.family("cauchy", x0="x0_1", gamma="gamma_1"))


def kl_gumbel_normal():
    return si.kl(si.family("gumbel", mu="mu_1", beta="beta_1"), normal(2))


NORMAL_KL = "log(sigma_2/sigma_1) + (sigma_1**2 + (mu_1 - mu_2)**2)/(2*sigma_2**2) - 1/2"
GUMBEL_NORMAL = ("-log(beta_1/(sigma_2*sqrt(2*pi))) + (pi*beta_1/sigma_2)**2/12"
                 " + ((mu_1 + beta_1*EulerGamma - mu_2)/sigma_2)**2/2 - (EulerGamma + 1)")

# (derivation, claim, holds)
EQUAL = [
    (kl_normal, NORMAL_KL),
    (kl_normal, r"\log\frac{\sigma_2}{\sigma_1} + \frac{\sigma_1^2 + (\mu_1-\mu_2)^2}"
                r"{2\sigma_2^2} - \frac{1}{2}"),
    (kl_normal, r"\ln\left(\frac{\sigma_{2}}{\sigma_{1}}\right) + \frac{\sigma_{1}^{2} + "
                r"\left(\mu_{1} - \mu_{2}\right)^{2}}{2 \sigma_{2}^{2}} - \frac12"),
    (kl_normal, r"\frac{1}{2}\left(\log\frac{sigma_2^2}{sigma_1^2} + \frac{sigma_1^2 + "
                r"(mu_1 - mu_2)^2}{sigma_2^2} - 1\right)"),
    (kl_normal, "(log(sigma_2**2/sigma_1**2) + (sigma_1**2 + (mu_1-mu_2)**2)/sigma_2**2 - 1)/2"),
    (kl_normal, "log(sigma_2) - log(sigma_1) + sigma_1^2/(2*sigma_2^2) "
                "+ (mu_1 - mu_2)^2/(2*sigma_2^2) - 1/2"),
    (lambda: kl_normal(base=2), r"\log_2\frac{\sigma_2}{\sigma_1} + \frac{\sigma_1^2 + "
                                r"(\mu_1-\mu_2)^2}{2\sigma_2^2 \ln 2} - \frac{1}{2\ln 2}"),
    (entropy_normal, "log(2*pi*E*sigma_1**2)/2"),
    (entropy_normal, r"\frac{1}{2}\log(2\pi e\sigma_1^2)"),
    (entropy_normal, "1/2 + log(sqrt(2*pi)*sigma_1)"),
    (lambda: entropy_normal(base=2), r"\frac{1}{2}\log_2(2\pi e\sigma_1^2)"),
    (kl_exponential, "log(lambda_1/lambda_2) + lambda_2/lambda_1 - 1"),
    (kl_exponential, r"\ln\lambda_1 - \ln\lambda_2 + \frac{\lambda_2}{\lambda_1} - 1"),
    (entropy_exponential, "1 - log(lambda_1)"),
    (kl_gamma, "(alpha_1 - alpha_2)*digamma(alpha_1) - loggamma(alpha_1) + loggamma(alpha_2)"
               " + alpha_2*(log(beta_1) - log(beta_2)) + alpha_1*(beta_2 - beta_1)/beta_1"),
    (kl_gamma, r"(\alpha_1-\alpha_2)\psi(\alpha_1) - \log\Gamma(\alpha_1) + \log\Gamma(\alpha_2)"
               r" + \alpha_2\log\frac{\beta_1}{\beta_2} + \alpha_1\frac{\beta_2-\beta_1}{\beta_1}"),
    (kl_bernoulli, "p_1*log(p_1/p_2) + (1 - p_1)*log((1 - p_1)/(1 - p_2))"),
    (kl_poisson, r"\lambda_1\log\frac{\lambda_1}{\lambda_2} + \lambda_2 - \lambda_1"),
    (kl_poisson, "lam_1*log(lam_1/lam_2) + lam_2 - lam_1"),
    (entropy_laplace, "1 + log(2*b_1)"),
    (entropy_cauchy, r"\log(4\pi\gamma_1)"),
]

WRONG = [
    ("dropped 1/2", kl_normal,
     "log(sigma_2/sigma_1) + (sigma_1**2 + (mu_1 - mu_2)**2)/sigma_2**2 - 1/2"),
    ("sigma_1 and sigma_2 swapped", kl_normal,
     r"\log\frac{\sigma_2}{\sigma_1} + \frac{\sigma_2^2 + (\mu_1-\mu_2)^2}{2\sigma_1^2} - "
     r"\frac{1}{2}"),
    ("inverted ratio in the log", kl_normal,
     r"\log\frac{\sigma_1}{\sigma_2} + \frac{\sigma_1^2 + (\mu_1-\mu_2)^2}{2\sigma_2^2} - "
     r"\frac{1}{2}"),
    ("sign error", kl_normal,
     "log(sigma_2/sigma_1) + (sigma_1**2 + (mu_1 - mu_2)**2)/(2*sigma_2**2) + 1/2"),
    ("missing -1", kl_normal,
     r"\frac{1}{2}\left(\log\frac{\sigma_2^2}{\sigma_1^2} + \frac{\sigma_1^2 + "
     r"(\mu_1 - \mu_2)^2}{\sigma_2^2}\right)"),
    ("bits instead of nats", kl_normal, f"({NORMAL_KL})/log(2)"),
    ("bits instead of nats (LaTeX)", entropy_normal, r"\frac{1}{2}\log_2(2\pi e\sigma_1^2)"),
    ("nats for a base-2 derivation", lambda: entropy_normal(base=2),
     "log(2*pi*E*sigma_1**2)/2"),
    ("dropped 1/2 (entropy)", entropy_normal, "log(2*pi*E*sigma_1**2)"),
    ("rate confused with scale (exponential KL)", kl_exponential,
     "log(lambda_2/lambda_1) + lambda_1/lambda_2 - 1"),
    ("rate confused with scale (exponential entropy)", entropy_exponential,
     "1 + log(lambda_1)"),
    ("rate confused with scale (gamma KL)", kl_gamma,
     "(alpha_1 - alpha_2)*digamma(alpha_1) - loggamma(alpha_1) + loggamma(alpha_2)"
     " + alpha_2*log(beta_2/beta_1) + alpha_1*(beta_1 - beta_2)/beta_2"),
    ("reverse direction (normal)", kl_normal,
     "log(sigma_1/sigma_2) + (sigma_2**2 + (mu_1 - mu_2)**2)/(2*sigma_1**2) - 1/2"),
    ("reverse direction (Bernoulli)", kl_bernoulli,
     "p_2*log(p_2/p_1) + (1 - p_2)*log((1 - p_2)/(1 - p_1))"),
    ("reverse direction (Poisson)", kl_poisson,
     r"\lambda_2\log\frac{\lambda_2}{\lambda_1} + \lambda_1 - \lambda_2"),
]


@pytest.mark.parametrize("make, claim", EQUAL, ids=[c for _, c in EQUAL])
def test_equal_forms_hold(make, claim):
    verdict = verify(claim, make())
    assert verdict.holds, str(verdict)
    assert verdict.counterexample is None
    assert verdict.method in ("symbolic", "numeric")
    assert "HOLDS" in str(verdict)
    assert verdict.conditions == sp.true and "elsewhere" not in str(verdict)  # unconditional


def test_rewrite_simplify_cannot_prove_holds_numerically():
    # log(s2/s1) = asinh((s2^2 - s1^2) / (2 s1 s2)); sympy's simplify does not see it
    claim = ("asinh((sigma_2**2 - sigma_1**2)/(2*sigma_1*sigma_2)) "
             "+ (sigma_1**2 + (mu_1 - mu_2)**2)/(2*sigma_2**2) - 1/2")
    verdict = verify(claim, kl_normal())
    assert verdict.holds and verdict.method == "numeric", str(verdict)


def _really_differ(claim, d, verdict) -> None:
    ce = verdict.counterexample
    assert ce is not None and {"claim", "derivation"} <= set(ce)
    params = {s.name: s for s in d.parameters}
    point = {params[k]: sp.Float(v, 40) if isinstance(v, float) else sp.Integer(v)
             for k, v in verdict.point.items()}
    assert set(point) == set(d.parameters)
    claimed = complex(sp.N(parse_claim(claim, d).xreplace(point), 30))
    if d.result.has(sp.Integral, sp.Sum):
        derived = _gumbel_normal_by_scipy(**verdict.point)
    else:
        derived = complex(sp.N(d.result.xreplace(point), 30))
    assert abs(claimed - derived) > 1e-6 * max(1.0, abs(derived))
    assert claimed.real == pytest.approx(ce["claim"], rel=1e-9)
    assert derived.real == pytest.approx(ce["derivation"], rel=1e-6)


@pytest.mark.parametrize("what, make, claim", WRONG, ids=[w for w, _, _ in WRONG])
def test_wrong_forms_are_rejected_with_a_real_counterexample(what, make, claim):
    d = make()
    verdict = verify(claim, d)
    assert not verdict.holds, f"{what}: {verdict}"
    assert "DOES NOT HOLD" in str(verdict)
    _really_differ(claim, d, verdict)


def _gumbel_normal_by_scipy(mu_1, beta_1, mu_2, sigma_2) -> float:
    p, q = stats.gumbel_r(loc=mu_1, scale=beta_1), stats.norm(loc=mu_2, scale=sigma_2)
    lo, hi = p.ppf(1e-300), p.isf(1e-300)
    value, _ = integrate.quad(lambda x: p.pdf(x) * (p.logpdf(x) - q.logpdf(x)), lo, hi,
                              points=[mu_1], limit=400, epsrel=1e-12)
    return value


def test_gumbel_normal_kl_and_the_missing_square():
    """The Gumbel-to-Normal KL of PyTorch's kl.py; its early version lacked a square."""
    d = kl_gumbel_normal()
    assert verify(GUMBEL_NORMAL, d, n=8).holds
    missing_square = GUMBEL_NORMAL.replace("/sigma_2)**2/2", "/sigma_2)/2")
    verdict = verify(missing_square, d, n=8)
    assert not verdict.holds, str(verdict)
    _really_differ(missing_square, d, verdict)


def test_verdict_is_frozen_and_records_the_difference():
    verdict = verify("log(sigma_1/sigma_2) + (sigma_1**2 + (mu_1 - mu_2)**2)/(2*sigma_2**2)"
                     " - 1/2", kl_normal())
    with pytest.raises(AttributeError):
        verdict.holds = True
    s1, s2 = sp.Symbol("sigma_1", positive=True), sp.Symbol("sigma_2", positive=True)
    assert sp.simplify(verdict.difference - 2 * sp.log(s1 / s2)) == 0


def test_infinite_derivation():
    d = si.kl(normal(1), si.family("exponential", rate="lambda_2"))
    assert d.status == "infinite"
    assert verify("oo", d).holds
    verdict = verify("log(lambda_2)", d)
    assert not verdict.holds and verdict.counterexample["derivation"] == math.inf


# -- bad claims ----------------------------------------------------------------------------
@pytest.mark.parametrize("claim, words", [
    ("log(sigma_2/", ["cannot parse"]),
    ("log(sigma_2/)) + 1", ["cannot parse"]),
    (r"\frac{\sigma_1}{", ["cannot parse the LaTeX"]),
    ("log(tau_1/sigma_1)", ["tau_1", "not a parameter"]),
    (r"\log\frac{\tau}{\sigma_1}", ["tau", "not a parameter"]),
    ("foo(sigma_1)", ["unknown function", "foo"]),
    ("sigma_1 > 0", ["must be a formula"]),
    ("", ["empty"]),
])
def test_bad_claims_give_clear_errors(claim, words):
    with pytest.raises(ClaimError) as info:
        verify(claim, kl_normal())
    message = str(info.value)
    for w in words:
        assert w in message
    assert "mu_1, sigma_1, mu_2, sigma_2" in message or not claim  # the parameters, listed


def test_claim_for_the_wrong_quantity_names_the_foreign_symbols():
    # the normal KL claimed for the entropy of P: Q's symbols are no parameters of H(P)
    with pytest.raises(ClaimError) as info:
        verify(NORMAL_KL, entropy_normal())
    message = str(info.value)
    assert "mu_2" in message and "sigma_2" in message and "entropy_normal" in message
    assert "its parameters are mu_1, sigma_1" in message


def test_claim_error_is_in_the_hierarchy():
    assert issubclass(ClaimError, InvalidParameter)
    assert issubclass(ClaimError, SymbolicInfoError)
    with pytest.raises(InvalidParameter):
        verify(NORMAL_KL, "not a derivation")


# -- command line ----------------------------------------------------------------------------
CLI_P, CLI_Q = "normal:mu=m1,sigma=s1", "normal:mu=m2,sigma=s2"


def test_cli_verify_holds(capsys):
    code = run(["verify", "log(s2/s1) + (s1**2 + (m1 - m2)**2)/(2*s2**2) - 1/2", "kl",
                CLI_P, CLI_Q])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "HOLDS" in out


def test_cli_verify_does_not_hold(capsys):
    code = run(["verify", "log(s2/s1) + (s1**2 + (m1 - m2)**2)/(s2**2) - 1/2", "kl",
                CLI_P, CLI_Q])
    out, err = capsys.readouterr()
    assert code == 1, err
    assert "DOES NOT HOLD" in out and "s1=" in out


@pytest.mark.parametrize("argv", [
    ["verify", "log(x)", "kl", CLI_P, CLI_Q],
    ["verify", "log(s2/", "kl", CLI_P, CLI_Q],
    ["verify", "log(s2)", "divergence", CLI_P, CLI_Q],
    ["verify", "log(s2)", "entropy", CLI_P, CLI_Q],
])
def test_cli_verify_bad_input_exits_2_with_one_line(capsys, argv):
    code = run(argv)
    out, err = capsys.readouterr()
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("symbolic-info: error:")
