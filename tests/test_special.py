"""Compiled special functions (numba): polygamma and xlog1py against scipy and mpmath, and the
scalar / array printers for polygamma(n, x), xlog1py, log1p and expm1.

Tolerances: polygamma within 1e-14 relative of scipy.special.polygamma and of mpmath (30
digits) for n = 0..12 on x log-spaced over [1e-6, 1e8] plus random points (measured: at most
2.2e-15 for n = 0, i.e. digamma, and 9e-16 for n >= 1). scipy itself is within 1.4e-15 of
mpmath on that grid, so no point there needs documenting as a scipy inaccuracy; scipy is the
inaccurate one only at large orders, where gamma(n+1)*zeta(n+1, x) overflows or underflows
while the value does not (n = 200, x = 100: scipy nan; n = 100, x = 1e4: scipy -0.0), checked
against mpmath below (1e-12 relative: the compiled code goes through logarithms there).
"""

from __future__ import annotations

import math
import warnings

import mpmath
import numpy as np
import pytest
import sympy as sp
from optional import needs
from scipy import special
from sympy.codegen.cfunctions import expm1, log1p

from symbolic_info.numeric.functions import xlog1py, xlogy
from symbolic_info.numeric.printing import (
    UnsupportedFunction,
    array_code,
    check_scalar,
    function_source,
    scalar_code,
)

pytestmark = needs("numba")

ORDERS = range(0, 13)


@pytest.fixture(scope="module")
def compiled():
    from symbolic_info.numeric.special import compiled
    return compiled()


@pytest.fixture(scope="module")
def vpolygamma(compiled):
    """The compiled polygamma as a ufunc over (int64 order, float64 x)."""
    import numba
    polygamma = compiled["polygamma"]
    return numba.vectorize(["float64(int64, float64)"])(lambda n, x: polygamma(n, x))


@pytest.fixture(scope="module")
def grid():
    rng = np.random.default_rng(20240611)
    return np.concatenate([np.geomspace(1e-6, 1e8, 1401), rng.uniform(0.0, 30.0, 300),
                           np.exp(rng.uniform(math.log(1e-6), math.log(1e8), 300))])


def mp_polygamma(n, x):
    with mpmath.workdps(30):
        return float(mpmath.polygamma(n, mpmath.mpf(float(x))))


@pytest.mark.parametrize("n", ORDERS)
def test_polygamma_matches_scipy(n, vpolygamma, grid):
    np.testing.assert_allclose(vpolygamma(n, grid), special.polygamma(n, grid), rtol=1e-14,
                               atol=0)


@pytest.mark.parametrize("n", ORDERS)
def test_polygamma_matches_mpmath(n, vpolygamma, grid):
    xs = grid[::12]
    expected = np.array([mp_polygamma(n, x) for x in xs])
    np.testing.assert_allclose(vpolygamma(n, xs), expected, rtol=1e-14, atol=0)


def test_polygamma_large_orders_against_mpmath(compiled):
    polygamma = compiled["polygamma"]
    # direct path, larger orders: about (n+1) ulp
    for n, x in [(20, 0.37), (20, 27.5), (40, 31.2), (80, 3.0), (170, 0.9)]:
        assert polygamma(n, x) == pytest.approx(mp_polygamma(n, x), rel=1e-13)
    # where scipy's gamma(n+1)*zeta(n+1, x) is nan or 0 but the value is finite
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        assert np.isnan(special.polygamma(200, 100.0))
        assert special.polygamma(100, 1e4) == 0.0
    for n, x in [(200, 100.0), (200, 1e3), (100, 1e4), (171, 180.0), (1, 1e306)]:
        assert polygamma(n, x) == pytest.approx(mp_polygamma(n, x), rel=1e-12)
    # overflow and underflow
    assert polygamma(200, 1.0) == -math.inf and polygamma(1000, 50.0) == -math.inf
    assert polygamma(1, 1e-300) == math.inf and polygamma(2, 1e-200) == -math.inf
    assert polygamma(3, 5e-324) == math.inf
    assert polygamma(1000, 2000.0) == 0.0 and polygamma(50, 1e8) == 0.0
    assert polygamma(100000, 3e5) == 0.0


def test_polygamma_conventions(compiled):
    polygamma = compiled["polygamma"]
    for n in (1, 2, 3, 4):
        sign = (-1) ** (n + 1)
        for pole in (0.0, -0.0, -1.0, -3.0, -1e17):
            assert polygamma(n, pole) == sign * math.inf
        assert polygamma(n, math.inf) == 0.0
        assert math.copysign(1.0, polygamma(n, math.inf)) == sign
        assert math.isnan(polygamma(n, math.nan)) and math.isnan(polygamma(n, -math.inf))
    # orders: integral floats as ints, others nan
    assert polygamma(3.0, 2.5) == polygamma(3, 2.5) == special.polygamma(3, 2.5)
    assert polygamma(0, 2.5) == compiled["digamma"](2.5)
    for order in (2.5, -1, -1.0, math.nan):
        assert math.isnan(polygamma(order, 2.0))


def test_polygamma_negative_arguments(compiled):
    polygamma = compiled["polygamma"]
    xs = [-0.5, -1e-9, -0.999999, -2.3, -7.5, -12.25, -30.6]
    for n in range(1, 8):
        for x in xs:
            assert polygamma(n, x) == pytest.approx(mp_polygamma(n, x), rel=1e-13)
    # far out (mpmath is slow there; scipy agrees with it to 1e-16 at this point)
    assert polygamma(5, -1e5 - 0.25) == pytest.approx(492231.2671105559, rel=1e-14)


def test_xlog1py_matches_scipy(compiled):
    xlog1py_ = compiled["xlog1py"]
    values = [0.0, -0.0, 1e-300, 0.3, 2.0, -0.5, math.inf, -math.inf, math.nan]
    args = [-2.0, -1.0, -0.999, -1e-12, 0.0, 1e-300, 0.5, 3.0, 1e300, math.inf, math.nan]
    for x in values:
        for y in args:
            got, expected = xlog1py_(x, y), float(special.xlog1py(x, y))
            if math.isnan(expected):
                assert math.isnan(got), (x, y)
            else:
                assert got == pytest.approx(expected, rel=1e-15, abs=0), (x, y)
    assert xlog1py_(0.0, -1.0) == 0.0 and xlog1py_(0.0, -2.0) == 0.0
    assert xlog1py_(0.5, -1.0) == -math.inf and xlog1py_(-0.5, -1.0) == math.inf
    assert math.isnan(xlog1py_(0.5, -2.0)) and math.isnan(xlog1py_(0.0, math.nan))


def test_module_wrappers(compiled):
    from symbolic_info.numeric import special as ours
    assert set(ours.NAMES) <= set(compiled)
    assert ours.polygamma(2, 3.5) == pytest.approx(special.polygamma(2, 3.5), rel=1e-15)
    assert ours.xlog1py(2.0, 0.5) == pytest.approx(2.0 * math.log1p(0.5), rel=1e-15)
    assert ours.digamma(2.0) == pytest.approx(special.digamma(2.0), rel=1e-15)
    assert ours.xlogy(0.0, 0.0) == 0.0


a, b = sp.symbols("a b", positive=True)
EXPR = (sp.polygamma(3, a) + sp.polygamma(0, b) + xlog1py(a, b - 1) + log1p(b) * expm1(-a)
        + xlogy(b, a))


def test_scalar_code_prints_special_functions():
    code = scalar_code(EXPR)
    for piece in ("polygamma(3, a)", "digamma(b)", "xlog1py(a, b - 1)", "math.log1p(b)",
                  "math.expm1(-a)", "xlogy(b, a)"):
        assert piece in code, code
    assert scalar_code(sp.polygamma(sp.Float(2.0), a)) == "polygamma(2, a)"


def test_array_code_prints_special_functions():
    code = array_code(EXPR)
    for piece in ("scipy.special.polygamma(3, a)", "scipy.special.digamma(b)",
                  "scipy.special.xlog1py(a, b - 1)", "numpy.log1p(b)", "numpy.expm1(-a)",
                  "scipy.special.xlogy(b, a)"):
        assert piece in code, code


def test_scalar_code_compiles_under_numba_and_matches_array_code(compiled):
    import numba
    import scipy
    namespace = {"math": math, "numba": numba, **compiled}
    exec(compile(function_source("_scalar", ["a", "b"], scalar_code(EXPR)), "<test>", "exec"),
         namespace)
    ufunc = numba.vectorize(["float64(float64, float64)"], nopython=True)(namespace["_scalar"])
    arrays = {"numpy": np, "scipy": scipy}
    exec(compile(function_source("_array", ["a", "b"], array_code(EXPR)), "<test>", "exec"),
         arrays)
    rng = np.random.default_rng(7)
    xa, xb = rng.uniform(0.05, 20.0, 200), rng.uniform(0.05, 20.0, 200)
    np.testing.assert_allclose(ufunc(xa, xb), arrays["_array"](xa, xb), rtol=1e-13)
    with mpmath.workdps(30):
        for x, y in zip(xa[:5], xb[:5]):
            exact = (mpmath.polygamma(3, x) + mpmath.digamma(y) + x * mpmath.log(y)
                     + mpmath.log1p(y) * mpmath.expm1(-x) + y * mpmath.log(x))
            assert ufunc(x, y) == pytest.approx(float(exact), rel=1e-13)


def test_check_scalar_polygamma_orders():
    n = sp.Symbol("n", integer=True, nonnegative=True)
    x = sp.Symbol("x", positive=True)
    check_scalar(sp.polygamma(3, x) + sp.polygamma(0, x) + xlog1py(x, x))  # accepted
    check_scalar(sp.polygamma(sp.Float(4.0), x))
    for order in (n, sp.Rational(1, 2), sp.Float(1.5)):
        with pytest.raises(UnsupportedFunction, match=r"polygamma\(.*non-negative integer"):
            check_scalar(sp.polygamma(order, x) + sp.log(x))
        with pytest.raises(UnsupportedFunction, match="polygamma"):
            scalar_code(sp.polygamma(order, x))
