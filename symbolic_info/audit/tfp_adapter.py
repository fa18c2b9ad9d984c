"""TensorFlow Probability on its jax substrate (``tensorflow_probability.substrates.jax``, so
TensorFlow itself is not needed): the pairs registered in ``kullback_leibler._DIVERGENCES`` and
every distribution class with its own ``_entropy`` (TFP's public ``entropy`` dispatches to it).
jax's default dtype is float32; float64 is evaluated in jax's scoped x64 mode.

TFP 0.25.0 (its latest release) registers its ``tf.Variable`` stand-in with
``jax.interpreters.xla.pytype_aval_mappings``, which jax removed in 0.5, while NumPyro 0.22
needs jax >= 0.7: :func:`load_tfp` adds that table back as an alias of
``jax.core.pytype_aval_mappings`` (only when it is missing) before importing TFP.
"""

from __future__ import annotations

import math
from functools import cached_property

from . import conversions as c
from .adapter import FamilyMapping, LibraryAdapter, Params, literal, mapping
from .jax_support import distribution, precision, scalar, to_float
from .vector import is_vector


def load_tfp():
    """``tensorflow_probability.substrates.jax``, importable on jax >= 0.5 (see above)."""
    import warnings

    import jax
    import jax.interpreters.xla as xla
    if not hasattr(xla, "pytype_aval_mappings"):
        with warnings.catch_warnings():   # jax deprecates jax.core.pytype_aval_mappings
            warnings.simplefilter("ignore", DeprecationWarning)
            xla.pytype_aval_mappings = jax.core.pytype_aval_mappings
    from tensorflow_probability.substrates import jax as tfp
    return tfp


def _probit(p: float) -> float:
    from statistics import NormalDist
    return NormalDist().inv_cdf(p)


def _phi(t: float) -> float:
    return 0.5 * math.erfc(-t / math.sqrt(2.0))


#: TFP class -> our family, keyword by keyword.
MAPPINGS: dict[str, FamilyMapping] = {
    "Normal": mapping("normal", "loc=mu", "scale=sigma"),
    "Bernoulli": mapping("bernoulli", "probs=p"),
    "ProbitBernoulli": FamilyMapping("bernoulli", (("probits", "p"),),
                                     to_library=lambda o: {"probits": _probit(o["p"])},
                                     to_ours=lambda k: {"p": _phi(k["probits"])}),
    "Beta": mapping("beta", "concentration1=a", "concentration0=b"),
    "Cauchy": mapping("cauchy", "loc=x0", "scale=gamma"),
    "Chi": mapping("chi", "df=k"),
    "Chi2": mapping("chi_squared", "df=k"),
    "ContinuousBernoulli": mapping("continuous_bernoulli", "probs=lam"),
    "Gamma": mapping("gamma", "concentration=shape", "rate=rate"),
    "Gumbel": mapping("gumbel", "loc=mu", "scale=beta"),
    "HalfNormal": mapping("half_normal", "scale=sigma"),
    "HalfCauchy": mapping("half_cauchy", "scale=gamma", fixed=(("loc", 0.0),)),
    "Laplace": mapping("laplace", "loc=mu", "scale=b"),
    "LogNormal": mapping("lognormal", "loc=mu", "scale=sigma"),
    "Logistic": mapping("logistic", "loc=mu", "scale=s"),
    "Pareto": mapping("pareto", "concentration=alpha", "scale=xm"),
    "Uniform": mapping("uniform", "low=a", "high=b"),
    "VonMises": mapping("von_mises", "loc=mu", "concentration=kappa"),
    "Weibull": mapping("weibull", "concentration=k", "scale=lam"),
    "GeneralizedNormal": mapping("generalized_normal", "loc=mu", "scale=alpha", "power=beta"),
    "Geometric": mapping("geometric", "probs=p", shift=-1.0),
    "InverseGamma": mapping("inverse_gamma", "concentration=alpha", "scale=beta"),
    "Kumaraswamy": mapping("kumaraswamy", "concentration1=a", "concentration0=b"),
    # log X ~ Logistic(loc, scale): our log_logistic(alpha = e^loc, beta = 1/scale)
    "LogLogistic": FamilyMapping("log_logistic", (),
                                 to_library=lambda o: {"loc": math.log(o["alpha"]),
                                                       "scale": 1 / o["beta"]},
                                 to_ours=lambda k: {"alpha": math.exp(k["loc"]),
                                                    "beta": 1 / k["scale"]}),
    "StudentT": mapping("student_t", "df=nu", fixed=(("loc", 0.0), ("scale", 1.0))),
    "Triangular": mapping("triangular", "low=a", "peak=c", "high=b"),
    "TruncatedNormal": mapping("truncated_normal", "loc=mu", "scale=sigma", "low=a", "high=b"),
    # vector families
    **c.categorical_and_dirichlet(),
    "MultivariateNormalTriL": c.cholesky(),
    "MultivariateNormalFullCovariance": c.covariance(),
    "MultivariateNormalDiag": c.diagonal(),
    "MultivariateNormalDiagPlusLowRank": c.low_rank_scale(),
    "MultivariateNormalDiagPlusLowRankCovariance": c.low_rank_covariance(
        factor="cov_perturb_factor", diagonal="cov_diag_factor"),
    # its scale is a LinearOperator: a lower triangular one (see TFPAdapter._make)
    "MultivariateNormalLinearOperator": c.cholesky(key="scale"),
    "WishartTriL": c.wishart(key="scale_tril", tril=True),
    "WishartLinearOperator": c.wishart(key="scale", tril=True),
}
#: classes whose ``scale`` keyword is a ``LinearOperator`` (given as its lower triangle)
LINEAR_OPERATOR_SCALE = ("MultivariateNormalLinearOperator", "WishartLinearOperator")


class TFPAdapter(LibraryAdapter):
    """``tfp.distributions`` (jax substrate) on jax scalars, without argument validation."""

    name = "tfp"
    default_dtype = "float32"
    mappings = MAPPINGS

    @cached_property
    def _tfp(self):
        return load_tfp()

    @property
    def version(self) -> str:
        return str(self._tfp.__version__)

    @cached_property
    def classes(self) -> dict[str, type]:
        D = self._tfp.distributions
        return {c.__name__: c for c in vars(D).values()
                if isinstance(c, type) and issubclass(c, D.Distribution)}

    def enumerate_kl_pairs(self) -> list[tuple[str, str]]:
        kullback_leibler = self._tfp.distributions.kullback_leibler
        registry = kullback_leibler._DIVERGENCES  # the library's own registry (no public name)
        return sorted({(p.__name__, q.__name__) for p, q in registry})

    def enumerate_entropies(self) -> list[str]:
        """Classes with their own ``_entropy``; and the classes mapped to our vector families
        that inherit an analytic one from a class other than ``Distribution`` (TFP's
        multivariate normals take theirs from ``TransformedDistribution``)."""
        D = self._tfp.distributions
        own = {n for n, c in self.classes.items()
               if "_entropy" in vars(c) and c is not D.Distribution}
        inherited = {n for n, m in self.mappings.items()
                     if is_vector(m.family) and n in self.classes
                     and self.classes[n]._entropy is not D.Distribution._entropy}
        return sorted(own | inherited)

    def _make(self, cls: str, kw: Params, dtype: str):
        if not is_vector(self.mappings[cls].family):
            return distribution(self.classes[cls], kw, dtype)
        # TFP takes counts (Multinomial total_count) as floats of the dtype
        kw = {k: float(v) if isinstance(v, int) else v for k, v in kw.items()}
        if cls in LINEAR_OPERATOR_SCALE:
            lower = self._tfp.tf2jax.linalg.LinearOperatorLowerTriangular
            kw = dict(kw, scale=lower(scalar(kw["scale"], dtype)))
            args = {k: v if k == "scale" else scalar(v, dtype) for k, v in kw.items()}
            return self.classes[cls](**args, validate_args=False)
        return distribution(self.classes[cls], kw, dtype)

    def log_prob(self, cls: str, kwargs: Params, x, dtype: str) -> float:
        value = x if isinstance(x, (tuple, int)) else float(x)   # an outcome stays an int
        with precision(dtype):
            return to_float(self._make(cls, kwargs, dtype).log_prob(scalar(value, dtype)))

    def kl(self, cls_p: str, kw_p: Params, cls_q: str, kw_q: Params, dtype: str) -> float:
        with precision(dtype):
            return to_float(self._tfp.distributions.kl_divergence(
                self._make(cls_p, kw_p, dtype), self._make(cls_q, kw_q, dtype)))

    def entropy(self, cls: str, kw: Params, dtype: str) -> float:
        with precision(dtype):
            return to_float(self._make(cls, kw, dtype).entropy())

    def snippet(self, kind: str, p: str, kw_p: Params, q: str | None = None,
                kw_q: Params | None = None, dtype: str = "float32") -> str:
        def value(cls: str, k: str, v) -> str:
            if not isinstance(v, tuple):
                return f"{k}=jnp.{dtype}({float(v)!r})"
            array = f"jnp.array({literal(v)}, dtype=jnp.{dtype})"
            if cls in LINEAR_OPERATOR_SCALE and k == "scale":
                return f"{k}=tfp.tf2jax.linalg.LinearOperatorLowerTriangular({array})"
            return f"{k}={array}"

        def call(cls: str, kw: Params) -> str:
            return f"tfd.{cls}({', '.join(value(cls, k, v) for k, v in kw.items())})"
        x64 = "jax.config.update('jax_enable_x64', True); " if dtype == "float64" else ""
        if kind == "kl":
            return f"{x64}tfd.kl_divergence({call(p, kw_p)}, {call(q, kw_q or {})})"
        return f"{x64}{call(p, kw_p)}.entropy()"
