"""50-digit references for derivatives of every order, independent of adcli's rules.

Each op is written once in SymPy, as the branch it takes at the point (abs is x or -x
there, cbrt is x^(1/3) or -(-x)^(1/3)); SymPy differentiates it symbolically up to the
order wanted, and mpmath evaluates those derivatives at the exact float point. Exact
derivative formulas still cancel in floating point (1 - tanh(356)^2 is 1.6e-309, and tanh
rounds to 1 at any precision below 309 digits), so each value is computed at two working
precisions, 60 and 450 digits above what the point's magnitude needs (then 900, ...),
until two agree to 30 significant digits or both lie below 1e-350, where a float64 is 0.

The Taylor coefficients are c_k = (1/k!) d^k/dt^k f(a + t*da, b + t*db) at t = 0.
"""
import math
from functools import lru_cache

import mpmath as mp
import sympy as sp

X, Y, T, DX, DY = sp.symbols("x y t dx dy", real=True)
HALF_DIGITS = 30


def _expr(name, side=1, p=None, pick_a=True):
    """The op as a SymPy expression of x (and y), on the branch given by side / pick_a."""
    x, y = X, Y
    third = sp.Rational(1, 3)
    table = {
        "neg": -x, "sin": sp.sin(x), "cos": sp.cos(x), "tan": sp.tan(x),
        "asin": sp.asin(x), "acos": sp.acos(x), "atan": sp.atan(x),
        "sinh": sp.sinh(x), "cosh": sp.cosh(x), "tanh": sp.tanh(x),
        "asinh": sp.asinh(x), "acosh": sp.acosh(x), "atanh": sp.atanh(x),
        "exp": sp.exp(x), "expm1": sp.exp(x) - 1,
        "log": sp.log(x), "log1p": sp.log(1 + x), "log2": sp.log(x) / sp.log(2), "log10": sp.log(x) / sp.log(10),
        "sqrt": sp.sqrt(x), "cbrt": side * (side * x) ** third,
        "abs": side * x, "sign": sp.Integer(side), "relu": x if side > 0 else sp.Integer(0),
        "sigmoid": 1 / (1 + sp.exp(-x)), "softplus": sp.log(1 + sp.exp(x)), "erf": sp.erf(x),
        "add": x + y, "sub": x - y, "mul": x * y, "div": x / y, "pow": x ** y,
        "atan2": sp.atan2(x, y), "hypot": sp.sqrt(x ** 2 + y ** 2),
        "min": x if pick_a else y, "max": x if pick_a else y,
    }
    if name == "powc":
        P = sp.Integer(int(p)) if float(p).is_integer() else sp.Rational(p)  # the float exponent, exactly
        return x ** P
    return table[name]


@lru_cache(maxsize=None)
def _coefficient_functions(name, n, side=1, p=None, pick_a=True):
    """mpmath functions of (x, y, dx, dy) giving c_0 .. c_n along the direction."""
    e = _expr(name, side, p, pick_a)
    g = e.subs({X: X + T * DX, Y: Y + T * DY}, simultaneous=True)
    out, d = [], g
    for k in range(n + 1):
        out.append(sp.lambdify((X, Y, DX, DY), d.subs(T, 0) / sp.factorial(k), modules="mpmath", cse=True))
        d = sp.diff(d, T)
    return out


def _mag(*vals):
    return max([0] + [int(math.log10(abs(v))) + 1 for v in vals if v != 0 and math.isfinite(v) and abs(v) > 1])


def _settled(u, v):
    if abs(u - v) <= mp.mpf(10) ** -HALF_DIGITS * max(abs(u), abs(v)):
        return True
    return abs(u) < mp.mpf("1e-350") and abs(v) < mp.mpf("1e-350")


def _evaluate(fn, args):
    base = 60 + _mag(*args)
    prev = None
    for extra in (0, 450, 900, 1800):
        with mp.workdps(base + extra):
            try:
                v = +mp.mpf(fn(*[mp.mpf(a) for a in args]))
            except (ZeroDivisionError, ValueError):
                v = mp.nan
        if prev is not None and (v == prev or _settled(prev, v)):
            return v
        prev = v
    raise AssertionError(f"the reference did not settle at {args}")


@lru_cache(maxsize=None)
def unary(name, x, d=1.0, n=6, p=None):
    """Coefficients c_0..c_n (mpf) of t -> f(x + t*d); p is powc's exponent."""
    fns = _coefficient_functions(name, n, 1 if x > 0 else -1, p)
    return tuple(_evaluate(fn, (x, 0.0, d, 0.0)) for fn in fns)


@lru_cache(maxsize=None)
def binary(name, a, b, da, db, n=6):
    """Coefficients c_0..c_n (mpf) of t -> f(a + t da, b + t db)."""
    fns = _coefficient_functions(name, n, pick_a=(name == "min") == (a < b))
    return tuple(_evaluate(fn, (a, b, da, db)) for fn in fns)


def hessian_binary(name, a, b):
    """(df/da, df/db, d2f/da2, d2f/dadb, d2f/db2) at (a, b)."""
    ca = binary(name, a, b, 1.0, 0.0, 2)
    cb = binary(name, a, b, 0.0, 1.0, 2)
    fns = _mixed(name, (name == "min") == (a < b))
    return ca[1], cb[1], 2 * ca[2], _evaluate(fns, (a, b, 0.0, 0.0)), 2 * cb[2]


@lru_cache(maxsize=None)
def _mixed(name, pick_a):
    return sp.lambdify((X, Y, DX, DY), sp.diff(_expr(name, pick_a=pick_a), X, Y), modules="mpmath", cse=True)


def ulps(got, want):
    """|got - want| in units in the last place of want (an mpf); below the normal range the
    unit is the subnormal spacing 2^-1074. Infinities and nan must match exactly."""
    w = float(want)
    if math.isinf(w) or math.isnan(w) or math.isnan(got) or math.isinf(got):
        return 0.0 if (got == w or (got != got and w != w)) else math.inf
    unit = max(math.ulp(w), 2.0 ** -1074)
    return float(abs(mp.mpf(got) - want) / unit)
