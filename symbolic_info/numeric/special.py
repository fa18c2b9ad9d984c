"""Special functions compiled by numba, for the ``numba`` backend and exported modules.

numba compiles ``math.lgamma``, ``math.gamma``, ``math.log1p`` and ``math.expm1`` natively but
not the digamma and polygamma functions nor ``xlogy`` / ``xlog1py``; :data:`SOURCE` implements
them in plain Python that ``numba.njit`` compiles. The same text is copied into modules written
by :func:`symbolic_info.numeric.export.export`, so it imports only ``math`` and ``numba``.

digamma: reflection for negative arguments, a series about the positive root
(x0 = 1.4616...; coefficients (-1)^(n+1) zeta(n+1, x0)) within 0.3 of it, the recurrence
psi(x) = psi(x + 1) - 1/x up to x >= 10, then the asymptotic series to x^-14. Agrees with
``scipy.special.digamma`` to 1e-14 relative for positive arguments.

polygamma(n, x), integer n >= 1 (int or integral float; n = 0 is digamma):
psi^(n)(x) = (-1)^(n+1) n! zeta(n+1, x). For x > 0, zeta(n+1, x) is the sum of (x+k)^-(n+1)
for k < N plus zeta(n+1, x+N), N the least shift making y = x+N >= n+6, and n! zeta(n+1, y)
is the Euler-Maclaurin series (n-1)!/y^n [1 + n/(2y) + sum_j B_2j/(2j)! (n)_2j / y^2j],
(n)_2j = n(n+1)...(n+2j-1), up to j = 20 (at y >= n+6 its terms fall to 3e-18 or less before
it diverges). The terms, all positive, are added smallest first (the tail, then k = N-1 down
to 0). Within 1e-15 relative of mpmath for n <= 12 on [1e-6, 1e8]; about (n+1) ulp for larger
n (the rounding of x+k raised to the power n+1). When n > 170 (n! overflows) or y^-(n+1)
would underflow, the sum is scaled by x^(n+1)/n! and the result formed as
exp(log n! - (n+1) log x + log sum): inf or 0 where the value overflows or underflows, and
about 1e-13 relative otherwise (the absolute rounding of the logarithm). Negative non-integer
x by the reflection psi^(n)(x) = (-1)^(n+1) A(f) + A(1-f) - A(1-x), A(t) = n! zeta(n+1, t),
f = x - floor(x); the poles x = 0, -1, ... give (-1)^(n+1) inf (as scipy); x = -inf, nan, and
negative or non-integer n give nan.

xlogy(x, y) = x log y and xlog1py(x, y) = x log1p(y), 0 where x = 0 (unless y is nan), with
the conventions of ``scipy.special``: +-inf at y = 0 (y = -1), nan below.

exp_e1(z) = e^z E1(z), z >= 0: the series -gamma - log z - sum_k (-z)^k/(k k!) below 1, the
continued fraction of E1 (modified Lentz) below 50, the asymptotic series
sum_k (-1)^k k!/z^(k+1) to 30 terms above.

ive(nu, z) = e^-z I_nu(z), z >= 0 (scipy.special.ive; nan for z < 0 or a negative
non-integer nu, I_-n = I_n): below S = max(25, nu^2) the power series
e^-z sum_k (z/2)^(2k+nu) / (k! Gamma(k+nu+1)), its positive terms summed to 1e-17 of the sum
past the largest; above S the Hankel asymptotic series (2 pi z)^(-1/2) sum_k (-1)^k a_k(nu)/z^k,
a_k = a_(k-1) (4 nu^2 - (2k-1)^2)/(8k), to 40 terms or 1e-17 of the sum (at z >= 25 and
nu <= 10, 40 terms are within 5e-17, and the neglected e^-2z part below 2e-22). Against mpmath
on 321 points of [1e-8, 1e8] and both sides of each switch: 8e-16 relative for nu = 0, 1, 2.5,
5; 2.3e-15 for nu = 10, 7.6e-15 for nu = 20 (the power series' first term, computed through
its log past z ~ 700, loses more for nu > 26).

ive_difference(nu, z) = ive(nu, z) - ive(nu + 1, z): for nu = 0 below 25 the trapezoidal
rule on 30 panels of (1/pi) int_0^pi s e^(-z s) dtheta, s = 2 sin^2(theta/2) (positive terms;
within 5e-16); for other orders the difference below the switch (it cancels by
~2z/(2nu + 1): up to 1.5e-14 relative, at z ~ 100 for nu = 10), above it both
asymptotic series term by term, their leading terms 1 cancelling exactly: 1e-16 relative
there (the von Mises entropy's kappa (1 - I1/I0) ~ 1/2 at kappa = 1e6 keeps its digits).
"""

from __future__ import annotations

from . import remainders as _remainders

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


# B_2j / (2j)!, j = 1..20, for the Euler-Maclaurin tail of zeta(n+1, y)
_ZETA_BERNOULLI = (
    0.08333333333333333, -0.001388888888888889, 3.306878306878307e-05, -8.267195767195768e-07,
    2.08767569878681e-08, -5.284190138687493e-10, 1.3382536530684679e-11,
    -3.3896802963225827e-13, 8.586062056277845e-15, -2.174868698558062e-16,
    5.5090028283602295e-18, -1.3954464685812522e-19, 3.534707039629467e-21,
    -8.953517427037546e-23, 2.267952452337683e-24, -5.744790668872202e-26,
    1.455172475614865e-27, -3.6859949406653103e-29, 9.336734257095045e-31,
    -2.36502241570063e-32,
)
_POLYGAMMA_SHIFT = 6.0  # recur up to y >= n + 6 before the asymptotic series


@numba.njit(cache=False)
def _zeta_bracket(n, y):
    # y^n/(n-1)! * n! zeta(n+1, y) by Euler-Maclaurin: 1 + n/(2y) + sum_j ..., y >= n + 6
    w = 1.0 / (y * y)
    t = 1.0
    total = 0.0
    for j in range(len(_ZETA_BERNOULLI)):
        t *= (n + 2.0 * j) * (n + 2.0 * j + 1.0) * w
        term = _ZETA_BERNOULLI[j] * t
        total += term
        if abs(term) < 1e-18:
            break
    return 1.0 + (0.5 * n / y + total)


@numba.njit(cache=False)
def _polygamma_abs(m, x):
    # n! zeta(n+1, x) = |psi^(n)(x)| for integer m = n >= 1 and finite x > 0
    n = float(m)
    s = n + 1.0
    shift = 0
    if x < n + _POLYGAMMA_SHIFT:
        shift = int(math.ceil(n + _POLYGAMMA_SHIFT - x))
    y = x + shift
    if m <= 170 and (s if shift else n) * math.log(y) < 708.0:
        factorial = 1.0
        for i in range(2, m + 1):
            factorial *= i
        if shift == 0:
            return factorial / n * math.pow(x, -n) * _zeta_bracket(n, x)
        total = math.pow(y, -n) / n * _zeta_bracket(n, y)
        for k in range(shift - 1, 0, -1):
            total += 1.0 / (x + k) ** (m + 1)  # integer power: much faster than math.pow
        total += math.pow(x, -s)  # correctly rounded where it matters most (x small)
        return factorial * total
    # n > 170 or y^-(n+1) underflows: scale by x^(n+1)/n!, form the result through its log
    if shift == 0:
        return math.exp(math.lgamma(n) - n * math.log(x) + math.log(_zeta_bracket(n, x)))
    total = 1.0
    for k in range(1, shift):
        term = math.pow(x / (x + k), s)
        total += term
        if term < 1e-18 * total:
            break
    else:
        total += math.pow(x / y, s) * (y / n) * _zeta_bracket(n, y)
    return math.exp(math.lgamma(s) - s * math.log(x) + math.log(total))


@numba.njit(cache=False)
def polygamma(n, x):
    if math.isnan(x) or not (0 <= n < 2147483648) or n != math.floor(n):
        return math.nan
    if n == 0:
        return digamma(x)
    m = int(n)
    sign = 1.0 if m % 2 == 1 else -1.0
    if x == math.inf:
        return sign * 0.0
    if x <= 0.0:
        if x == -math.inf:
            return math.nan
        if x <= -4503599627370496.0 or x == math.floor(x):
            return sign * math.inf
        f = x - math.floor(x)
        g = math.ceil(x) - x
        return sign * _polygamma_abs(m, f) + _polygamma_abs(m, g) - _polygamma_abs(m, 1.0 - x)
    return sign * _polygamma_abs(m, x)


@numba.njit(cache=False)
def xlog1py(x, y):
    if x == 0.0 and not math.isnan(y):
        return 0.0
    if y == -1.0:
        return -math.inf if x > 0.0 else (math.inf if x < 0.0 else math.nan)
    if y < -1.0:
        return math.nan
    return x * math.log1p(y)


@numba.njit(cache=False)
def exp_e1(z):
    if math.isnan(z) or z < 0.0:
        return math.nan
    if z == 0.0:
        return math.inf
    if z < 1.0:
        total = 0.0
        term = 1.0
        for k in range(1, 40):
            term *= -z / k
            total += term / k
        return math.exp(z) * (-0.57721566490153286 - math.log(z) - total)
    if z < 50.0:
        b = z + 1.0
        c = 1e300
        d = 1.0 / b
        h = d
        for i in range(1, 1000):
            a = -float(i * i)
            b += 2.0
            d = 1.0 / (a * d + b)
            c = b + a / c
            step = c * d
            h *= step
            if abs(step - 1.0) < 1e-16:
                break
        return h
    w = 1.0 / z
    total = 0.0
    coefficient = 1.0
    for k in range(1, 30):
        coefficient *= k
    for k in range(29, -1, -1):
        total = total * w + (coefficient if k % 2 == 0 else -coefficient)
        coefficient /= max(k, 1)
    return total * w


_IVE_SWITCH = 25.0  # the asymptotic series from max(25, nu^2) on
_IVE_TERMS = 40


@numba.njit(cache=False)
def _ive_switch(nu):
    return max(_IVE_SWITCH, nu * nu)


@numba.njit(cache=False)
def _ive_power(nu, z):
    # e^-z sum_k (z/2)^(2k+nu) / (k! Gamma(k+nu+1)), nu >= 0, 0 < z < _ive_switch(nu)
    h = 0.5 * z
    term = math.pow(h, nu) * math.exp(-z) / math.gamma(nu + 1.0) if nu <= 170.0 else 0.0
    if not (term > 1e-290 and term < math.inf):
        term = math.exp(nu * math.log(h) - z - math.lgamma(nu + 1.0))
    q = h * h
    total = term
    k = 0.0
    while k < 2000.0:
        k += 1.0
        term *= q / (k * (k + nu))
        total += term
        if term < 1e-17 * total and k > h:
            break
    return total


@numba.njit(cache=False)
def _hankel_step(nu, k, w):
    # t_k / t_(k-1) in the asymptotic series of e^-z I_nu(z), w = 1/z
    return ((2.0 * k - 1.0) * (2.0 * k - 1.0) - 4.0 * nu * nu) * w / (8.0 * k)


@numba.njit(cache=False)
def ive(nu, z):
    if math.isnan(nu) or math.isnan(z) or z < 0.0:
        return math.nan
    if nu < 0.0:
        if nu != math.floor(nu):
            return math.nan
        nu = -nu
    if z == 0.0:
        return 1.0 if nu == 0.0 else 0.0
    if z == math.inf:
        return 0.0
    if z < _ive_switch(nu):
        return _ive_power(nu, z)
    w = 1.0 / z
    term = 1.0
    total = 1.0
    for k in range(1, _IVE_TERMS):
        term *= _hankel_step(nu, k, w)
        total += term
        if abs(term) < 1e-17 * abs(total):
            break
    return total / math.sqrt(2.0 * math.pi * z)


# e^-z (I0 - I1) = (1/pi) int_0^pi s e^(-z s) dtheta, s = 2 sin^2(theta/2): the trapezoidal
# rule on 30 panels, (weight, s) smallest terms first
_DIFFERENCE_NODES = tuple(
    ((0.5 if j == 30 else 1.0) * 2.0 * math.sin(math.pi * j / 60.0) ** 2 / 30.0,
     2.0 * math.sin(math.pi * j / 60.0) ** 2) for j in range(30, 0, -1))


@numba.njit(cache=False)
def ive_difference(nu, z):
    if math.isnan(nu) or math.isnan(z) or z < 0.0:
        return math.nan
    if nu == 0.0 and z < _IVE_SWITCH:
        total = 0.0
        for weight, s in _DIFFERENCE_NODES:
            total += weight * math.exp(-z * s)
        return total
    if nu < 0.0 or z < _ive_switch(nu + 1.0) or z == math.inf:
        return ive(nu, z) - ive(nu + 1.0, z)
    # both asymptotic series term by term: their leading terms 1 cancel exactly
    w = 1.0 / z
    a = 1.0
    b = 1.0
    total = 0.0
    for k in range(1, _IVE_TERMS):
        a *= _hankel_step(nu, k, w)
        b *= _hankel_step(nu + 1.0, k, w)
        total += a - b
        if abs(a - b) < 1e-17 * abs(total):
            break
    return total / math.sqrt(2.0 * math.pi * z)
'''

SOURCE += _remainders.SCALAR_SOURCE  # Stirling remainders (after digamma, which they call)
NAMES = ("digamma", "polygamma", "xlogy", "xlog1py", "exp_e1", "ive", "ive_difference",
         *_remainders.NAMES)
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


def polygamma(n: int, x: float) -> float:
    return compiled()["polygamma"](n, x)


def xlog1py(x: float, y: float) -> float:
    return compiled()["xlog1py"](x, y)


def exp_e1(z: float) -> float:
    return compiled()["exp_e1"](z)


def ive(nu: float, z: float) -> float:
    return compiled()["ive"](nu, z)


def ive_difference(nu: float, z: float) -> float:
    return compiled()["ive_difference"](nu, z)
