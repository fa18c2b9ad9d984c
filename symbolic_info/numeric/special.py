"""Special functions compiled by numba, for the ``numba`` backend and exported modules.

numba compiles ``math.lgamma`` and ``math.gamma`` natively but not the digamma function nor
``xlogy``; :data:`SOURCE` implements them in plain Python that ``numba.njit`` compiles. The
same text is copied into modules written by :func:`symbolic_info.numeric.export.export`, so it
imports only ``math`` and ``numba``.

digamma: reflection for negative arguments, a series about the positive root
(x0 = 1.4616...; coefficients (-1)^(n+1) zeta(n+1, x0)) within 0.3 of it, the recurrence
psi(x) = psi(x + 1) - 1/x up to x >= 10, then the asymptotic series to x^-14. Agrees with
``scipy.special.digamma`` to 1e-14 relative for positive arguments.
"""

from __future__ import annotations

SOURCE = '''
_DIGAMMA_ROOT = 1.4616321449683622
_DIGAMMA_ROOT_VALUE = -9.2412655217294275e-17
_DIGAMMA_ROOT_SERIES = (
    0.9676722454476212, -0.4427631689835922, 0.2584997609556511, -0.16394270544240658,
    0.10782405069126241, -0.07219956125645474, 0.04880428816414313, -0.033161126474847376,
    0.022597648232218118, -0.01542476590494897, 0.010538791616612184, -0.007204534386356875,
    0.004926781395729858, -0.0033698016554393312, 0.00230512632673493, -0.001576936771430199,
    0.0010788252019162978, -0.000738070938996006, 0.0005049532658346027, -0.0003454680251063082,
    0.00023635601564027086, -0.00016170622091974827, 0.00011063372768747428, -7.569179582195078e-05,
    5.17857579522209e-05, -3.543007094765967e-05, 2.4240066118601362e-05, -1.6584242271854165e-05,
    1.1346384584663872e-05, -7.76281766846211e-06,
)


@numba.njit(cache=False)
def digamma(x):
    if math.isnan(x) or x == math.inf:
        return x
    if x <= 0.0 and x == math.floor(x):
        return -math.inf if x == 0.0 else math.nan
    result = 0.0
    if x < 0.0:
        result = -math.pi / math.tan(math.pi * x)
        x = 1.0 - x
    if abs(x - _DIGAMMA_ROOT) < 0.3:
        d = x - _DIGAMMA_ROOT
        power = d
        series = _DIGAMMA_ROOT_VALUE
        for c in _DIGAMMA_ROOT_SERIES:
            series += c * power
            power *= d
        return result + series
    while x < 10.0:
        result -= 1.0 / x
        x += 1.0
    z = 1.0 / (x * x)
    tail = z * (1.0 / 12 - z * (1.0 / 120 - z * (1.0 / 252 - z * (1.0 / 240 - z * (
        1.0 / 132 - z * (691.0 / 32760 - z / 12.0))))))
    return result + math.log(x) - 0.5 / x - tail


@numba.njit(cache=False)
def xlogy(x, y):
    if x == 0.0 and not math.isnan(y):
        return 0.0
    if y == 0.0:
        return -math.inf if x > 0.0 else (math.inf if x < 0.0 else math.nan)
    if y < 0.0:
        return math.nan
    return x * math.log(y)
'''

NAMES = ("digamma", "xlogy")
_compiled: dict | None = None


def compiled() -> dict:
    """The compiled functions by name (numba is imported and the source compiled once)."""
    global _compiled
    if _compiled is None:
        try:
            import numba
        except ImportError as exc:
            raise ImportError("the numba backend needs numba: pip install numba "
                              "(or symbolic_info[numba])") from exc
        import math
        namespace = {"math": math, "numba": numba}
        exec(compile(SOURCE, "<symbolic_info.numeric.special>", "exec"), namespace)
        _compiled = {name: namespace[name] for name in NAMES}
    return _compiled


def digamma(x: float) -> float:
    return compiled()["digamma"](x)


def xlogy(x: float, y: float) -> float:
    return compiled()["xlogy"](x, y)
