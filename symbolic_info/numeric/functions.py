"""sympy functions the numeric printers write by name (like ``scipy.special``)."""

from __future__ import annotations

import sympy as sp


class xlogy(sp.Function):  # noqa: N801 -- printed by name, like scipy.special.xlogy
    """x*log(y), 0 where x = 0 (the convention 0*log 0 = 0)."""

    nargs = 2

    def _eval_rewrite_as_log(self, x, y, **kwargs):
        return x * sp.log(y)


class xlog1py(sp.Function):  # noqa: N801 -- printed by name, like scipy.special.xlog1py
    """x*log(1 + y), 0 where x = 0; log(1 + y) computed without forming 1 + y."""

    nargs = 2

    def _eval_rewrite_as_log(self, x, y, **kwargs):
        return x * sp.log(1 + y)
