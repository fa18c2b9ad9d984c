"""Special functions the array libraries lack, written in their own differentiable operations.

``exp_e1(z)`` = e^z E1(z) for torch (which has no exponential integral) and jax: the series
-gamma - log z - sum_k (-z)^k/(k k!) (times e^z) below 1, the continued fraction of E1 (100
steps of the modified Lentz recurrence, enough from z = 1 on) below 50, the asymptotic series
sum_k (-1)^k k!/z^(k+1) above.  Each branch is evaluated at its input clipped to its own range
and the branches are then chosen by ``where``, so no branch produces inf or nan where it is not
used and gradients stay finite on both sides of each switch.
"""

from __future__ import annotations

import math

EULER = 0.57721566490153286
SWITCH = 50.0
_SERIES_TERMS, _FRACTION_STEPS, _ASYMPTOTIC_TERMS = 40, 100, 30


def _ops(library: str):
    """The library's namespace, a conversion to a floating array, and clipping."""
    if library == "torch":
        import torch

        def floating(z):
            z = torch.as_tensor(z)
            return z if z.dtype.is_floating_point else z.to(torch.get_default_dtype())
        return torch, floating, lambda z, lo, hi: torch.clamp(z, lo, hi)
    import jax.numpy as jnp
    return jnp, lambda z: jnp.asarray(z) * 1.0, lambda z, lo, hi: jnp.clip(z, lo, hi)


def exp_e1(library: str):
    """e^z E1(z), z >= 0, as a function of one array of ``library`` ("torch" or "jax")."""
    xp, floating, clip = _ops(library)

    def evaluate(z):
        z = floating(z)
        small = clip(z, 1e-300, 1.0)
        total, term = 0.0 * small, 1.0 + 0.0 * small
        for k in range(1, _SERIES_TERMS):
            term = term * (-small / k)
            total = total + term / k
        below = xp.exp(small) * (-EULER - xp.log(small) - total)
        mid = clip(z, 1.0, SWITCH)
        b, c = mid + 1.0, 1e300 + 0.0 * mid
        d = 1.0 / b
        h = d
        for i in range(1, _FRACTION_STEPS):
            a = -float(i * i)
            b = b + 2.0
            d = 1.0 / (a * d + b)
            c = b + a / c
            h = h * (c * d)
        w = 1.0 / clip(z, SWITCH, math.inf)
        series = 0.0 * w
        for k in range(_ASYMPTOTIC_TERMS - 1, -1, -1):
            series = series * w + float((-1) ** k * math.factorial(k))
        above = series * w
        return xp.where(z < 1.0, below, xp.where(z < SWITCH, h, above))

    return evaluate
