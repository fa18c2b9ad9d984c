"""PyTorch: ``torch.distributions.kl._KL_REGISTRY`` and every distribution class with its own
``entropy``; torch's default dtype is float32."""

from __future__ import annotations

from functools import cached_property

from . import conversions as c
from .adapter import FamilyMapping, LibraryAdapter, Params, literal, mapping
from .vector import is_vector


def _negative_binomial_to_torch(ours: Params) -> Params:
    return {"total_count": ours["r"], "probs": 1.0 - ours["p"]}


def _negative_binomial_to_ours(kw: Params) -> Params:
    return {"r": kw["total_count"], "p": 1.0 - kw["probs"]}


#: torch class -> our family, keyword by keyword.
MAPPINGS: dict[str, FamilyMapping] = {
    "Normal": mapping("normal", "loc=mu", "scale=sigma"),
    "Gamma": mapping("gamma", "concentration=shape", "rate=rate"),
    "Beta": mapping("beta", "concentration1=a", "concentration0=b"),
    "Exponential": mapping("exponential", "rate=rate"),
    "Laplace": mapping("laplace", "loc=mu", "scale=b"),
    "Gumbel": mapping("gumbel", "loc=mu", "scale=beta"),
    "Uniform": mapping("uniform", "low=a", "high=b"),
    "Bernoulli": mapping("bernoulli", "probs=p"),
    "Poisson": mapping("poisson", "rate=lam"),
    "Pareto": mapping("pareto", "scale=xm", "alpha=alpha"),
    "Cauchy": mapping("cauchy", "loc=x0", "scale=gamma"),
    "HalfNormal": mapping("half_normal", "scale=sigma"),
    "HalfCauchy": mapping("half_cauchy", "scale=gamma"),
    "LogNormal": mapping("lognormal", "loc=mu", "scale=sigma"),
    "Weibull": mapping("weibull", "scale=lam", "concentration=k"),
    "Kumaraswamy": mapping("kumaraswamy", "concentration1=a", "concentration0=b"),
    "ContinuousBernoulli": mapping("continuous_bernoulli", "probs=lam"),
    "Geometric": mapping("geometric", "probs=p", shift=-1.0),
    "Binomial": mapping("binomial", "total_count=n", "probs=p", tied=("n",)),
    "Chi2": mapping("chi_squared", "df=k"),
    "StudentT": mapping("student_t", "df=nu", fixed=(("loc", 0.0), ("scale", 1.0))),
    "InverseGamma": mapping("inverse_gamma", "concentration=alpha", "rate=beta"),
    "VonMises": mapping("von_mises", "loc=mu", "concentration=kappa"),
    "FisherSnedecor": mapping("f", "df1=d1", "df2=d2"),
    "NegativeBinomial": FamilyMapping("negative_binomial", (("total_count", "r"), ("probs", "p")),
                                      to_library=_negative_binomial_to_torch,
                                      to_ours=_negative_binomial_to_ours),
    # vector families
    **c.categorical_and_dirichlet(),
    "MultivariateNormal": c.covariance(),
    "LowRankMultivariateNormal": c.low_rank_covariance(),
    "Wishart": c.wishart(),
}


class TorchAdapter(LibraryAdapter):
    """``torch.distributions``, evaluated on CPU scalars without argument validation."""

    name = "torch"
    default_dtype = "float32"
    mappings = MAPPINGS

    @cached_property
    def _torch(self):
        import torch
        import torch.distributions
        return torch

    @property
    def version(self) -> str:
        return str(self._torch.__version__)

    @cached_property
    def classes(self) -> dict[str, type]:
        D = self._torch.distributions
        return {c.__name__: c for c in vars(D).values()
                if isinstance(c, type) and issubclass(c, D.Distribution)}

    def enumerate_kl_pairs(self) -> list[tuple[str, str]]:
        from torch.distributions.kl import _KL_REGISTRY
        return sorted({(p.__name__, q.__name__) for p, q in _KL_REGISTRY})

    def enumerate_entropies(self) -> list[str]:
        D = self._torch.distributions
        return sorted(n for n, c in self.classes.items()
                      if "entropy" in vars(c) and c is not D.Distribution)

    def _make(self, cls: str, kw: Params, dtype: str):
        t = self._torch
        if is_vector(self.mappings[cls].family):   # vectors, matrices; a count stays an int
            args = {k: v if isinstance(v, int) else t.tensor(v, dtype=getattr(t, dtype))
                    for k, v in kw.items()}
        else:
            args = {k: t.tensor(float(v), dtype=getattr(t, dtype)) for k, v in kw.items()}
        return self.classes[cls](**args, validate_args=False)

    def log_prob(self, cls: str, kwargs: Params, x, dtype: str) -> float:
        t = self._torch
        return float(self._make(cls, kwargs, dtype).log_prob(t.tensor(x, dtype=getattr(t, dtype))))

    def kl(self, cls_p: str, kw_p: Params, cls_q: str, kw_q: Params, dtype: str) -> float:
        from torch.distributions import kl_divergence
        return float(kl_divergence(self._make(cls_p, kw_p, dtype), self._make(cls_q, kw_q, dtype)))

    def entropy(self, cls: str, kw: Params, dtype: str) -> float:
        return float(self._make(cls, kw, dtype).entropy())

    def snippet(self, kind: str, p: str, kw_p: Params, q: str | None = None,
                kw_q: Params | None = None, dtype: str = "float32") -> str:
        def value(k: str, v) -> str:
            if isinstance(v, tuple):
                return f"{k}=torch.tensor({literal(v)}, dtype=torch.{dtype})"
            if isinstance(v, int) and is_vector(self.mappings[p].family):
                return f"{k}={v!r}"
            return f"{k}=torch.tensor({float(v)!r}, dtype=torch.{dtype})"

        def call(cls: str, kw: Params) -> str:
            args = ", ".join(value(k, v) for k, v in kw.items())
            return f"torch.distributions.{cls}({args})"
        if kind == "kl":
            return f"torch.distributions.kl_divergence({call(p, kw_p)}, {call(q, kw_q or {})})"
        return f"{call(p, kw_p)}.entropy()"
