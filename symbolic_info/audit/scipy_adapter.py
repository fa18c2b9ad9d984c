"""SciPy: every ``scipy.stats`` distribution whose class overrides ``_entropy`` (an analytic
entropy, not the generic numerical one of ``rv_continuous``/``rv_discrete``), compared through
``.entropy()``. SciPy has no KL registry, so it ships entropies only; it computes in float64.
The multivariate objects (``dirichlet``, ``multivariate_normal``, ``multinomial``, ``wishart``,
...: not ``rv_continuous``/``rv_discrete``) are enumerated when their class defines
``entropy``.

Classes are named by their ``scipy.stats`` names (``norm``, ``gamma``, ...); the keywords are
the shapes and ``loc``/``scale``.
"""

from __future__ import annotations

import math
from functools import cached_property

import numpy as np

from . import conversions as c
from .adapter import FamilyMapping, LibraryAdapter, Params, literal, mapping


def _exp(t: float) -> float:
    """e^t, inf where float64 overflows (a point scipy cannot take: :meth:`ScipyAdapter.entropy`
    refuses it, so the audit skips it)."""
    return math.exp(t) if t < 709.0 else math.inf


def _convert(family: str, to_library, to_ours, **options) -> FamilyMapping:
    return FamilyMapping(family, (), to_library=to_library, to_ours=to_ours, **options)


#: scipy.stats name -> our family (the conversions as the families' comments state them).
MAPPINGS: dict[str, FamilyMapping] = {
    "norm": mapping("normal", "loc=mu", "scale=sigma"),
    "expon": _convert("exponential", lambda o: {"scale": 1 / o["rate"]},
                      lambda k: {"rate": 1 / k["scale"]}),
    "gamma": _convert("gamma", lambda o: {"a": o["shape"], "scale": 1 / o["rate"]},
                      lambda k: {"shape": k["a"], "rate": 1 / k["scale"]}),
    "erlang": _convert("erlang", lambda o: {"a": o["k"], "scale": 1 / o["lam"]},
                       lambda k: {"k": k["a"], "lam": 1 / k["scale"]}),
    "beta": mapping("beta", "a=a", "b=b"),
    "uniform": _convert("uniform", lambda o: {"loc": o["a"], "scale": o["b"] - o["a"]},
                        lambda k: {"a": k["loc"], "b": k["loc"] + k["scale"]}),
    "arcsine": _convert("arcsine", lambda o: {"loc": o["a"], "scale": o["b"] - o["a"]},
                        lambda k: {"a": k["loc"], "b": k["loc"] + k["scale"]}),
    "semicircular": mapping("wigner_semicircle", "loc=a", "scale=R"),
    "triang": _convert("triangular",
                       lambda o: {"c": (o["c"] - o["a"]) / (o["b"] - o["a"]), "loc": o["a"],
                                  "scale": o["b"] - o["a"]},
                       lambda k: {"a": k["loc"], "c": k["loc"] + k["c"] * k["scale"],
                                  "b": k["loc"] + k["scale"]}),
    "laplace": mapping("laplace", "loc=mu", "scale=b"),
    "laplace_asymmetric": mapping("asymmetric_laplace", "loc=mu", "scale=b", "kappa=kappa"),
    "logistic": mapping("logistic", "loc=mu", "scale=s"),
    "halflogistic": mapping("half_logistic", "scale=s"),
    "hypsecant": mapping("hyperbolic_secant", "loc=mu", "scale=s"),
    "cauchy": mapping("cauchy", "loc=x0", "scale=gamma"),
    "halfcauchy": mapping("half_cauchy", "scale=gamma"),
    "halfnorm": mapping("half_normal", "scale=sigma"),
    "gumbel_r": mapping("gumbel", "loc=mu", "scale=beta"),
    "gumbel_l": mapping("gumbel_min", "loc=mu", "scale=beta"),
    "lognorm": _convert("lognormal", lambda o: {"s": o["sigma"], "scale": _exp(o["mu"])},
                        lambda k: {"mu": math.log(k["scale"]), "sigma": k["s"]}),
    "loguniform": mapping("log_uniform", "a=a", "b=b"),
    "reciprocal": mapping("log_uniform", "a=a", "b=b"),
    "powerlaw": mapping("power_function", "a=a"),
    "pareto": mapping("pareto", "scale=xm", "b=alpha"),
    "weibull_min": mapping("weibull", "c=k", "scale=lam"),
    "invweibull": mapping("frechet", "c=alpha", "scale=s"),
    "fisk": mapping("log_logistic", "scale=alpha", "c=beta"),
    "rayleigh": mapping("rayleigh", "scale=sigma"),
    "maxwell": mapping("maxwell", "scale=a"),
    "chi": mapping("chi", "df=k"),
    "chi2": mapping("chi_squared", "df=k"),
    "t": mapping("student_t", "df=nu"),
    "f": mapping("f", "dfn=d1", "dfd=d2"),
    "invgamma": mapping("inverse_gamma", "a=alpha", "scale=beta"),
    "invgauss": _convert("inverse_gaussian",
                         lambda o: {"mu": o["mu"] / o["lam"], "scale": o["lam"]},
                         lambda k: {"mu": k["mu"] * k["scale"], "lam": k["scale"]}),
    "gennorm": mapping("generalized_normal", "loc=mu", "scale=alpha", "beta=beta"),
    "gengamma": _convert("generalized_gamma",
                         lambda o: {"a": o["d"] / o["p"], "c": o["p"], "scale": o["a"]},
                         lambda k: {"a": k["scale"], "d": k["a"] * k["c"], "p": k["c"]}),
    "nakagami": _convert("nakagami", lambda o: {"nu": o["m"], "scale": math.sqrt(o["omega"])},
                         lambda k: {"m": k["nu"], "omega": k["scale"] ** 2}),
    "truncnorm": _convert("truncated_normal",
                          lambda o: {"a": (o["a"] - o["mu"]) / o["sigma"],
                                     "b": (o["b"] - o["mu"]) / o["sigma"],
                                     "loc": o["mu"], "scale": o["sigma"]},
                          lambda k: {"mu": k["loc"], "sigma": k["scale"],
                                     "a": k["loc"] + k["a"] * k["scale"],
                                     "b": k["loc"] + k["b"] * k["scale"]}),
    "vonmises": mapping("von_mises", "loc=mu", "kappa=kappa"),
    # vonmises_line is von Mises on the line [loc - pi, loc + pi], not on our circle: no family
    # discrete
    "bernoulli": mapping("bernoulli", "p=p"),
    "binom": mapping("binomial", "n=n", "p=p"),
    "geom": mapping("geometric", "p=p"),
    # planck(lambda_) counts failures (from 0) of a geometric with p = 1 - e^(-lambda_)
    "planck": _convert("geometric", lambda o: {"lambda_": -math.log1p(-o["p"])},
                       lambda k: {"p": -math.expm1(-k["lambda_"])}, shift=-1.0),
    "dlaplace": mapping("discrete_laplace", "a=a"),
    "hypergeom": mapping("hypergeometric", "M=M", "n=n", "N=N"),
    "randint": _convert("discrete_uniform", lambda o: {"low": 1, "high": o["n"] + 1},
                        lambda k: {"n": k["high"] - k["low"]}),
    # multivariate
    "dirichlet": c.concentration(key="alpha"),
    "multivariate_normal": c.covariance(loc="mean", key="cov"),
    "multinomial": c.probabilities("multinomial", key="p", count="n"),
    "wishart": c.wishart(key="scale"),
}


class ScipyAdapter(LibraryAdapter):
    """``scipy.stats`` frozen distributions, in float64."""

    name = "scipy"
    default_dtype = "float64"
    mappings = MAPPINGS

    @cached_property
    def _stats(self):
        import scipy.stats
        return scipy.stats

    @property
    def version(self) -> str:
        import scipy
        return str(scipy.__version__)

    @cached_property
    def distributions(self) -> dict[str, object]:
        """Every distribution object of ``scipy.stats``, by name."""
        st = self._stats
        return {n: d for n, d in vars(st).items()
                if isinstance(d, st.rv_continuous | st.rv_discrete) and d.name == n}

    @cached_property
    def multivariate(self) -> dict[str, object]:
        """The multivariate distribution objects of ``scipy.stats`` (each the instance of a
        class ``<name>_gen``) whose class defines ``entropy``, by name."""
        st = self._stats
        out = {}
        for n, d in vars(st).items():
            if n.startswith("_") or isinstance(d, type | st.rv_continuous | st.rv_discrete):
                continue
            if type(d).__name__ == f"{n}_gen" and "entropy" in vars(type(d)):
                out[n] = d
        return out

    def enumerate_kl_pairs(self) -> list[tuple[str, str]]:
        return []

    def enumerate_entropies(self) -> list[str]:
        st = self._stats
        generic = {st.rv_continuous._entropy, st.rv_discrete._entropy}
        return sorted([n for n, d in self.distributions.items()
                       if type(d)._entropy not in generic] + list(self.multivariate))

    def _frozen(self, cls: str, kw: Params):
        bad = [k for k, v in kw.items() if not np.all(np.isfinite(np.asarray(v, dtype=float)))]
        if bad:
            raise ValueError(f"{cls}: {', '.join(bad)} not finite in float64")
        if cls in self.multivariate:
            return self.multivariate[cls](**{k: np.asarray(v) if isinstance(v, tuple) else v
                                             for k, v in kw.items()})
        return self.distributions[cls](**kw)

    def log_prob(self, cls: str, kwargs: Params, x, dtype: str) -> float:
        d = self._frozen(cls, kwargs)
        if cls in self.multivariate:
            x = np.asarray(x, dtype=float)
            return float(d.logpmf(x) if hasattr(d, "logpmf") else d.logpdf(x))
        if isinstance(self.distributions[cls], self._stats.rv_discrete):
            return float(d.logpmf(x))
        return float(d.logpdf(x))

    def kl(self, cls_p: str, kw_p: Params, cls_q: str, kw_q: Params, dtype: str) -> float:
        raise NotImplementedError("scipy.stats has no KL divergences")

    def entropy(self, cls: str, kw: Params, dtype: str) -> float:
        return float(self._frozen(cls, kw).entropy())

    def snippet(self, kind: str, p: str, kw_p: Params, q: str | None = None,
                kw_q: Params | None = None, dtype: str = "float64") -> str:
        args = ", ".join(f"{k}={literal(v)}" for k, v in kw_p.items())
        return f"scipy.stats.{p}({args}).entropy()"
