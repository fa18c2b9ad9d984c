"""What the jax-based adapters (NumPyro, TFP's jax substrate) share: a dtype's scalars, and
float64 evaluation without changing jax's default for the rest of the process.

jax computes in float32 unless ``jax_enable_x64`` is set, and that flag is global; float64
values are computed inside jax's scoped ``enable_x64`` context instead (``jax.enable_x64``
from jax 0.8 on, ``jax.experimental.enable_x64`` before), so other code in the process (other
tests, our jax backend) keeps float32 as its default.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


def _x64_context():
    import jax
    scoped = getattr(jax, "enable_x64", None)
    if callable(scoped):
        return scoped(True)
    from jax.experimental import enable_x64
    return enable_x64()


@contextlib.contextmanager
def precision(dtype: str) -> Iterator[None]:
    """Evaluate in ``dtype``: float64 inside jax's scoped x64 mode; float32 as jax's default
    (the arrays are made float32 explicitly, so it holds even where x64 is on)."""
    if dtype == "float64":
        with _x64_context():
            yield
    else:
        yield


def scalar(value: float | int, dtype: str):
    """``value`` as a jax scalar of ``dtype`` (an integer stays an integer)."""
    import jax.numpy as jnp
    if isinstance(value, int) and not isinstance(value, bool):
        return jnp.asarray(value)
    return jnp.asarray(value, dtype=getattr(jnp, dtype))


def to_float(value) -> float:
    """A jax scalar as a Python float."""
    import numpy as np
    return float(np.asarray(value))


def distribution(cls, kw: dict, dtype: str):
    """An instance of the library's class ``cls`` with the keyword values as ``dtype`` scalars
    (argument validation off: the audit's points are valid by construction)."""
    return cls(**{k: scalar(v, dtype) for k, v in kw.items()}, validate_args=False)
