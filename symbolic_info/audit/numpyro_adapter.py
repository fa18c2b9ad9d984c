"""NumPyro: the pairs registered with ``numpyro.distributions.kl.kl_divergence`` (a
``multipledispatch`` dispatcher: its ``funcs`` table) and every distribution class with its own
``entropy``. jax's default dtype is float32; float64 is evaluated in jax's scoped x64 mode."""

from __future__ import annotations

import math
from functools import cached_property

from . import conversions as c
from .adapter import FamilyMapping, LibraryAdapter, Params, literal, mapping
from .jax_support import distribution, precision, scalar, to_float


def _logit(p: float) -> float:
    return math.log(p) - math.log1p(-p)


def _sigmoid(t: float) -> float:
    return 1.0 / (1.0 + math.exp(-t)) if t >= 0 else math.exp(t) / (1.0 + math.exp(t))


#: numpyro class -> our family, keyword by keyword. ``Bernoulli``/``Geometric`` are factory
#: functions in numpyro; its classes are ``BernoulliProbs``, ``BernoulliLogits``, ...
MAPPINGS: dict[str, FamilyMapping] = {
    "Normal": mapping("normal", "loc=mu", "scale=sigma"),
    "Beta": mapping("beta", "concentration1=a", "concentration0=b"),
    "Gamma": mapping("gamma", "concentration=shape", "rate=rate"),
    "Weibull": mapping("weibull", "scale=lam", "concentration=k"),
    "Kumaraswamy": mapping("kumaraswamy", "concentration1=a", "concentration0=b"),
    "BernoulliProbs": mapping("bernoulli", "probs=p"),
    "BernoulliLogits": FamilyMapping("bernoulli", (("logits", "p"),),
                                     to_library=lambda o: {"logits": _logit(o["p"])},
                                     to_ours=lambda k: {"p": _sigmoid(k["logits"])}),
    "GeometricProbs": mapping("geometric", "probs=p", shift=-1.0),
    "GeometricLogits": FamilyMapping("geometric", (("logits", "p"),),
                                     to_library=lambda o: {"logits": _logit(o["p"])},
                                     to_ours=lambda k: {"p": _sigmoid(k["logits"])}, shift=-1.0),
    "Cauchy": mapping("cauchy", "loc=x0", "scale=gamma"),
    "DiscreteUniform": FamilyMapping("discrete_uniform", (("high", "n"),),
                                     to_library=lambda o: {"low": 1, "high": o["n"]},
                                     to_ours=lambda k: {"n": k["high"] - k["low"] + 1}),
    "Exponential": mapping("exponential", "rate=rate"),
    "InverseGamma": mapping("inverse_gamma", "concentration=alpha", "rate=beta"),
    "Laplace": mapping("laplace", "loc=mu", "scale=b"),
    "Levy": mapping("levy", "loc=mu", "scale=c"),
    "LogNormal": mapping("lognormal", "loc=mu", "scale=sigma"),
    "LogUniform": mapping("log_uniform", "low=a", "high=b"),
    "Logistic": mapping("logistic", "loc=mu", "scale=s"),
    "Pareto": mapping("pareto", "scale=xm", "alpha=alpha"),
    "StudentT": mapping("student_t", "df=nu", fixed=(("loc", 0.0), ("scale", 1.0))),
    "Uniform": mapping("uniform", "low=a", "high=b"),
    # vector families
    "CategoricalProbs": c.probabilities("categorical"),
    "CategoricalLogits": c.logits("categorical"),
    "MultinomialProbs": c.probabilities("multinomial", count="total_count", tied=("n",)),
    "MultinomialLogits": c.logits("multinomial", count="total_count", tied=("n",)),
    "Dirichlet": c.concentration(),
    "MultivariateNormal": c.covariance(),
    "LowRankMultivariateNormal": c.low_rank_covariance(),
    "Wishart": c.wishart(df="concentration", key="scale_matrix"),
}


class NumPyroAdapter(LibraryAdapter):
    """``numpyro.distributions`` on jax scalars, without argument validation."""

    name = "numpyro"
    default_dtype = "float32"
    mappings = MAPPINGS

    @cached_property
    def _dist(self):
        import numpyro.distributions
        return numpyro.distributions

    @property
    def version(self) -> str:
        import numpyro
        return str(numpyro.__version__)

    @cached_property
    def classes(self) -> dict[str, type]:
        D = self._dist
        return {c.__name__: c for c in vars(D).values()
                if isinstance(c, type) and issubclass(c, D.Distribution)}

    def enumerate_kl_pairs(self) -> list[tuple[str, str]]:
        from numpyro.distributions.kl import kl_divergence
        return sorted({(p.__name__, q.__name__) for p, q in kl_divergence.funcs})

    def enumerate_entropies(self) -> list[str]:
        D = self._dist
        return sorted(n for n, c in self.classes.items()
                      if "entropy" in vars(c) and c is not D.Distribution)

    def _make(self, cls: str, kw: Params, dtype: str):
        return distribution(self.classes[cls], kw, dtype)

    def log_prob(self, cls: str, kwargs: Params, x, dtype: str) -> float:
        with precision(dtype):
            d = self._make(cls, kwargs, dtype)
            value = int(x) if d.support.is_discrete and not isinstance(x, tuple) else x
            return to_float(d.log_prob(scalar(value, dtype)))

    def kl(self, cls_p: str, kw_p: Params, cls_q: str, kw_q: Params, dtype: str) -> float:
        from numpyro.distributions.kl import kl_divergence
        with precision(dtype):
            return to_float(kl_divergence(self._make(cls_p, kw_p, dtype),
                                          self._make(cls_q, kw_q, dtype)))

    def entropy(self, cls: str, kw: Params, dtype: str) -> float:
        with precision(dtype):
            return to_float(self._make(cls, kw, dtype).entropy())

    def snippet(self, kind: str, p: str, kw_p: Params, q: str | None = None,
                kw_q: Params | None = None, dtype: str = "float32") -> str:
        def call(cls: str, kw: Params) -> str:
            args = ", ".join(f"{k}={v!r}" if isinstance(v, int) else
                             f"{k}=jnp.array({literal(v)}, dtype=jnp.{dtype})"
                             if isinstance(v, tuple) else
                             f"{k}=jnp.{dtype}({float(v)!r})" for k, v in kw.items())
            return f"numpyro.distributions.{cls}({args})"
        x64 = "jax.config.update('jax_enable_x64', True); " if dtype == "float64" else ""
        if kind == "kl":
            return (f"{x64}numpyro.distributions.kl_divergence({call(p, kw_p)}, "
                    f"{call(q, kw_q or {})})")
        return f"{x64}{call(p, kw_p)}.entropy()"
