"""Benchmarks: ``python -m symbolic_info.bench derive [--limit S] [--timeout S]``,
``python -m symbolic_info.bench numeric [--n N] [--repeat R]``,
``python -m symbolic_info.bench accuracy [--points N]``,
``python -m symbolic_info.bench load [--busy N]`` (outcomes idle vs loaded),
``python -m symbolic_info.bench multivariate`` (MVN and VAE KLs on batches vs torch),
``python -m symbolic_info.bench categorical`` (categorical lambdify times, vector form, logits vs
torch),
``python -m symbolic_info.bench outcomes`` (the set's outcomes as JSON, used by the others),
``python -m symbolic_info.bench atlas`` (cold/warm atlas builds: jobs=1, jobs=2, Dask).

Subcommands live in their own modules and register themselves in :data:`COMMANDS`. Each module has
``add_arguments(parser)`` and ``run(args) -> int``.
"""

from __future__ import annotations

from . import (
    accuracy,
    atlas,
    categorical,
    derive,
    load,
    multivariate,
    numeric,
    outcomes,
    quantities,
)

COMMANDS = {"derive": derive, "numeric": numeric, "accuracy": accuracy, "load": load,
            "outcomes": outcomes, "multivariate": multivariate, "quantities": quantities,
            "categorical": categorical, "atlas": atlas}

__all__ = ["COMMANDS"]
