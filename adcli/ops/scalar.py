"""Math namespace for one point: plain Python floats with IEEE float64 results.

The `math` module raises where IEEE arithmetic returns nan or inf; the primitive rules
must never raise, so each function that can raise is wrapped here. Anything exotic
that still raises is recomputed with numpy scalars by the evaluator (see rules.call).
"""
import math

inf = math.inf
nan = math.nan
pi = math.pi
copysign = math.copysign


def _nan_outside(f, ok):
    def g(x):
        return f(x) if ok(x) else nan
    g.__name__ = f.__name__
    return g


def log(x):
    if x > 0:
        return math.log(x)
    return -inf if x == 0 else nan


def log2(x):
    if x > 0:
        return math.log2(x)
    return -inf if x == 0 else nan


def log10(x):
    if x > 0:
        return math.log10(x)
    return -inf if x == 0 else nan


def log1p(x):
    if x > -1:
        return math.log1p(x)
    return -inf if x == -1 else nan


def atanh(x):
    if -1 < x < 1:
        return math.atanh(x)
    return copysign(inf, x) if abs(x) == 1 else nan


sqrt = _nan_outside(math.sqrt, lambda x: x >= 0)
acosh = _nan_outside(math.acosh, lambda x: x >= 1)
asin = _nan_outside(math.asin, lambda x: -1 <= x <= 1)
acos = _nan_outside(math.acos, lambda x: -1 <= x <= 1)
# sin, cos and tan raise only for +-inf, where IEEE gives nan.
sin = _nan_outside(math.sin, math.isfinite)
cos = _nan_outside(math.cos, math.isfinite)
tan = _nan_outside(math.tan, math.isfinite)
atan = math.atan
tanh = math.tanh
asinh = math.asinh
erf = math.erf
_SPLIT = 134217729.0   # 2^27 + 1: Veltkamp's split of a float into two 26-bit halves


def _two_prod(a, b):
    """(p, e) with p = fl(a*b) and p + e = a*b exactly (Dekker), for normal, unscaled a, b."""
    p = a * b
    ca, cb = _SPLIT * a, _SPLIT * b
    ah, bh = ca - (ca - a), cb - (cb - b)
    al, bl = a - ah, b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def cbrt(x):
    """libm's cbrt with one Newton step on the exact residual y^3 - x: libm's may be 2.6
    ulps off (glibc, cbrt(3.59e-134)), which the partial 1/(3y^2) would double; numpy's
    is within 1, and one point must give what many points give."""
    y = math.cbrt(x)
    if not (x == x and 0.0 < abs(x) < math.inf):
        return y
    # scaled by 2^(3k), exactly, so that the error-free products neither under- nor overflow
    scale = 2.0 ** 300 if abs(x) < 1e-200 else 2.0 ** -300 if abs(x) > 1e200 else 1.0
    xs = x * scale
    ys = math.cbrt(xs)
    p, pe = _two_prod(ys, ys)
    q, qe = _two_prod(ys, p)
    r = (q - xs) + (qe + ys * pe)     # q - xs is exact: q is within a factor 2 of xs
    ys = ys - r / (3.0 * p)
    return ys if scale == 1.0 else ys / (2.0 ** 100 if scale > 1.0 else 2.0 ** -100)
fabs = math.fabs
hypot = math.hypot
atan2 = math.atan2


def exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        return inf


def expm1(x):
    try:
        return math.expm1(x)
    except OverflowError:
        return inf


def sinh(x):
    try:
        return math.sinh(x)
    except OverflowError:
        return copysign(inf, x)


def cosh(x):
    try:
        return math.cosh(x)
    except OverflowError:
        return inf


def sigmoid(x):
    # exp(-|x|) never overflows, so neither branch does.
    z = exp(-fabs(x))
    return 1.0 / (1.0 + z) if x >= 0 else z / (1.0 + z)


def softplus(x):
    # log(1 + exp(x)) = log1p(exp(-|x|)) + max(x, 0), with no overflow.
    return log1p(exp(-fabs(x))) + maximum(x, 0.0)


def _odd_integer(y):
    return math.isfinite(y) and y == math.floor(y) and math.fmod(y, 2) != 0


def pow(x, y):
    try:
        return math.pow(x, y)
    except ValueError:  # 0 to a negative power, or a negative base to a fraction
        if x == 0:
            return copysign(inf, x) if _odd_integer(y) else inf
        return nan
    except OverflowError:
        return -inf if x < 0 and _odd_integer(y) else inf


def div(a, b):
    try:
        return a / b
    except ZeroDivisionError:
        if a != a or a == 0:
            return nan
        return copysign(inf, a) * copysign(1.0, b)


def sign(x):
    if x > 0:
        return 1.0
    if x < 0:
        return -1.0
    return x  # keeps 0.0, -0.0 and nan


def minimum(a, b):
    if a != a or b != b:
        return nan
    return a if a <= b else b


def maximum(a, b):
    if a != a or b != b:
        return nan
    return a if a >= b else b


def where(cond, a, b):
    return a if cond else b


def isfinite(x):
    return math.isfinite(x)


def isnan(x):
    return x != x
