"""Univariate Taylor mode: derivatives of any order along one direction, at one point
or (adcli.taylor_arrays) at many points at once.

Every node carries its normalized Taylor coefficients y_0 .. y_N of t -> y(x + t*d)
(y_k = y^(k)/k!). Each primitive maps the coefficients of its arguments to its own by a
recurrence costing O(N^2) (Griewank & Walther, Evaluating Derivatives, ch. 13): products
are Cauchy sums; exp, sin/cos, sinh/cosh, tan, tanh (and sigmoid through it) and x^c
solve the linear ODE y' = g(y) a' term by term; log, the inverse trigonometric and
hyperbolic functions, log1p, erf and atan2 integrate a derivative series built from
products, quotients and square roots. Coefficient 0 is always the primitive table's own
value, so a Taylor value equals `adcli eval`.

The recurrences keep the first-order rules' care, so that each coefficient is good to a
few ulps over the whole float64 range (tests/test_extremes.py): tanh's g_0 is sech^2, not
1 - y^2; 1 - a^2 takes its value from (1 - a)(1 + a) near +-1; atan, atan2, asinh and
hypot work in units of powers of two of the value and of the step (`scaled`), and the
last two through the unit vector (a, b)/hypot(a, b) (`angle`) rather than the square root
of a^2 + b^2; a coefficient that overflows is +-inf, not the nan of 0 * inf (`rescue`).

The rules are written once, against a kit `K`: K.m is the math namespace (adcli.scalar
or adcli.vector, as in the primitive table) and K's few series operations (Cauchy dot
products, slices, selection by a condition) work on a list of floats for one point
(Floats, below) or on an (N+1, points) numpy array (adcli.taylor_arrays.Arrays). The
sums run in the same order in both, so many points give what a loop of single points
gives, up to the last bits of numpy's elementary functions.

TAYLOR is keyed by the primitive table's names (a test checks it covers PRIMS). Where a
primitive has no Taylor series at the point (abs, relu or sign at 0, min/max at a tie,
sqrt or a fractional power at 0, asin at +-1, ...) the rule's `special` branch raises
Refused: at one point the caller turns it into an error naming the operation, never a
wrong number; at many points those points get nan and one warning with their count.
Special branches are plain one-point code; K.split runs them only at the points that
need them. Where a value is already nan or inf, the higher coefficients are nan and the
usual warning names the operation that produced it.
"""
import math

from ..errors import EvalError
from ..numtext import constant
from ..ops import scalar
from ..ops.call import call_value
from ..ops.table import LN2, LN10, PRIMS, TWO_OVER_SQRT_PI, exp_minus_square, one_minus_square, sech
from .liveness import conditional, masks
from .sweep import _show, compiled, values


class Refused(Exception):
    """This primitive has no Taylor expansion at this point."""


class Floats:
    """Series as lists of N+1 Python floats: one point, over adcli.scalar (no numpy)."""

    def __init__(self, n):
        self.m = scalar
        self.n = n
        self.warnings = []

    def new(self, n):
        return [0.0] * n

    def new_zeros(self, n):
        return [0.0] * n

    def const(self, v):
        return [v] + [0.0] * (self.n - 1)

    def seed(self, x, d):
        return ([x, d] + [0.0] * (self.n - 2))[:self.n]

    def add(self, a, b):
        return [x + y for x, y in zip(a, b)]

    def sub(self, a, b):
        return [x - y for x, y in zip(a, b)]

    def scale(self, c, a):
        return [c * x for x in a]

    def over(self, a, d):
        return [x / d for x in a]

    def dot(self, xs, ys):
        return sum(x * y for x, y in zip(xs, ys))

    def wdot(self, ws, xs, ys):
        return sum(w * x * y for w, x, y in zip(ws, xs, ys))

    @staticmethod
    def _dot_skipping_zeros(xs, ys):
        return sum(x * y for x, y in zip(xs, ys) if x and y)

    @staticmethod
    def _wdot_skipping_zeros(ws, xs, ys):
        return sum(w * x * y for w, x, y in zip(ws, xs, ys) if w and x and y)

    def bound(self, *series):
        """The largest |coefficient| of the series."""
        return max(abs(c) for a in series for c in a)

    def exponent(self, v):
        """The e with 2^(e-1) <= |v| < 2^e (0 for 0, inf and nan)."""
        return math.frexp(v)[1] if math.isfinite(v) else 0

    def step_exponent(self, e, *series):
        """About the largest r with |a_k| 2^(r k) <= 2^e for every k >= 1 of every series (0
        if they are all constant): t = 2^r u makes each coefficient at most the value's size."""
        q = min(((e - math.log2(abs(c))) / k for a in series for k, c in enumerate(a)
                 if k and c and math.isfinite(c)), default=math.inf)
        return math.floor(q) if math.isfinite(q) else 0

    def rescale(self, a, e, r):
        """a_k 2^(e + r k), exactly (ldexp) and without overflow in between."""
        if type(e) is int and type(r) is int and e == r == 0:
            return a
        return [_ldexp(c, e + r * k) for k, c in enumerate(a)]

    def deriv(self, a):
        """Coefficients of da/dt (one fewer)."""
        return [k * a[k] for k in range(1, len(a))]

    def integrate(self, q, y0):
        """The series whose derivative is q and whose value is y0."""
        return [y0] + [q[k - 1] / k for k in range(1, len(q) + 1)]

    def pick(self, cond, a, b):
        return a if cond else b

    def is_zero(self, a):
        return all(x == 0 for x in a)

    def is_const(self, a):
        return all(x == 0 for x in a[1:])

    def same(self, a, b):
        return all(x == y for x, y in zip(a, b))

    def any(self, cond):
        return bool(cond)

    def uniform(self, c):
        """c as one float (here it always is)."""
        return float(c)

    def all(self, cond):
        return bool(cond)

    def split(self, cond, special, regular, *args):
        """special(K, *args) where cond holds, else regular(K, *args)."""
        return (special if cond else regular)(self, *args)

    def apply(self, rule, name, param, y0, av, sa, live=True):
        """The coefficients of one node (row 0 is its value y0). live: the points where it
        is live (here always all of them: a dead node is skipped at one point)."""
        n = self.n
        if not (math.isfinite(y0) and all(math.isfinite(v) for v in av)):
            if all(math.isfinite(v) for v in av):  # a pole (1/0, log 0) or outside the domain
                raise Refused(f"{_show(PRIMS[name], av, param)} = {constant(y0)}: no Taylor series there")
            return [y0] + [math.nan] * (n - 1)  # the value warning names the op
        try:
            out = list(rule(self, param, y0, *sa))
        except (ArithmeticError, ValueError):
            # Only overflow or underflow to a zero divisor gets here (poles were
            # excluded above): the higher coefficients are not representable.
            out = [y0] + [math.nan] * (n - 1)
        out[0] = y0
        if not all(math.isfinite(c) for c in out) and all(math.isfinite(c) for s in sa for c in s):
            out = self.rescue(rule, param, y0, sa, out)
            warning = f"the Taylor coefficients of {name} overflowed"
            if warning not in self.warnings:
                self.warnings.append(warning)
        return out

    def rescue(self, rule, param, y0, sa, out):
        """Coefficients that overflowed, as +-inf rather than nan. Once one coefficient is
        +-inf, the next recurrence step multiplies it by an exact 0 of some series (a seed
        is x + t: all its higher coefficients are 0) and 0 * inf is nan: log at 1e-300 gave
        -inf, inf, nan, nan. The node is computed again with dot products that skip exact
        zeros, and a nan that this turns into +-inf is replaced; every other coefficient
        stays as it was."""
        self.dot, self.wdot = self._dot_skipping_zeros, self._wdot_skipping_zeros
        try:
            again = list(rule(self, param, y0, *sa))
        except (ArithmeticError, ValueError):
            return out
        finally:
            del self.dot, self.wdot   # the methods again
        return [b if c != c and b in (math.inf, -math.inf) else c for c, b in zip(out, again)]


def _ldexp(c, n):
    try:
        return math.ldexp(c, n)
    except OverflowError:
        return math.copysign(math.inf, c)


# ---- series arithmetic on N+1 coefficients, against a kit K -------------------------

def mul(K, a, b):
    n = len(a)
    c = K.new(n)
    for k in range(n):
        c[k] = K.dot(a[:k + 1], b[k::-1])
    return c


def div(K, a, b, y0=None):
    """a / b, with b_0 != 0 (the callers see to it)."""
    n = len(a)
    c = K.new(n)
    c[0] = a[0] / b[0] if y0 is None else y0
    for k in range(1, n):
        c[k] = (a[k] - K.dot(b[1:k + 1], c[k - 1::-1])) / b[0]
    return c


def ode(K, y0, a, g_at):
    """y with y' = g * a': y_k = (1/k) sum_{j=1..k} j a_j g_{k-j}. g_at(y, m) returns
    g_m from y_0 .. y_m, so g may depend on y itself (exp: g = y; tan: g = 1 + y^2)."""
    n = len(a)
    da = K.deriv(a)
    y, g = K.new(n), K.new(n - 1)
    y[0] = y0
    for k in range(1, n):
        g[k - 1] = g_at(y, k - 1)
        y[k] = K.dot(da[:k], g[k - 1::-1]) / k
    return y


def sqrt(K, a, y0):
    """sqrt(a) with a_0 > 0: from y*y = a."""
    n = len(a)
    y = K.new(n)
    y[0] = y0
    for k in range(1, n):
        y[k] = (a[k] - K.dot(y[1:k], y[k - 1:0:-1])) / (2.0 * y0)
    return y


def square_coeff(K, y, m):
    """Coefficient m of y*y."""
    return K.dot(y[:m + 1], y[m::-1])


def exp(K, a, y0):
    return ode(K, y0, a, lambda y, m: y[m])


def log(K, a, y0):
    return K.integrate(div(K, K.deriv(a), a[:-1]), y0)


def _pair(K, a, s0, c0, sign):
    """sin/cos (sign -1) or sinh/cosh (sign 1): s' = c a', c' = sign * s a'."""
    return _pair_of(K, K.deriv(a), s0, c0, sign)


def _pair_of(K, da, s0, c0, sign):
    """_pair given the derivative series da of the argument (one coefficient fewer)."""
    n = len(da) + 1
    s, c = K.new(n), K.new(n)
    s[0], c[0] = s0, c0
    for k in range(1, n):
        s[k] = K.dot(da[:k], c[k - 1::-1]) / k
        t = K.dot(da[:k], s[k - 1::-1])
        c[k] = (-t if sign < 0 else t) / k
    return s, c


# Integer powers up to this one are products: 2^20 needs 20 squarings.
_PRODUCT_POWERS = 2 ** 20


def power(K, a, c, y0):
    """a^c for a constant c (a number, or one per point). A nonnegative integer power
    is a product of Cauchy products, with no division: the recurrence from a*y' = c*y*a'
    divides by a_0 at every step, and where a_0 is small next to the other coefficients
    its rounding errors swamp coefficients that are not large at all (a^c has no
    singularity at a = 0 to make them large). Other powers have one, and use it."""
    c = K.uniform(c)
    if isinstance(c, float):
        if 0 <= c <= _PRODUCT_POWERS and c.is_integer():
            return _product_power(K, a, int(c), y0)
        return K.split(a[0] == 0, _power_at_zero, _power_regular, a, c, y0)
    # one exponent per point (x^y along x): integer ones, and zero bases, one at a time
    return K.split(((c >= 0) & (c % 1 == 0)) | (a[0] == 0), power, _power_regular, a, c, y0)


def _product_power(K, a, c, y0):
    """a^c for an integer c >= 0 by repeated squaring."""
    if c == 0:
        return K.const(y0)
    out = None
    while True:
        if c & 1:
            out = a if out is None else mul(K, out, a)
        c >>= 1
        if not c:
            return out
        a = mul(K, a, a)


def _power_regular(K, a, c, y0):
    # from a*y' = c*y*a', with a_0 != 0
    n = len(a)
    y = K.new(n)
    y[0] = y0
    for k in range(1, n):
        w = [c * j - (k - j) for j in range(1, k + 1)]
        y[k] = K.wdot(w, a[1:k + 1], y[k - 1::-1]) / (k * a[0])
    return y


def _power_at_zero(K, a, c, y0):
    """One point with a_0 = 0: an integer power factors a = t^m * b (b_0 != 0) so no
    step divides by 0; any other power has no series there."""
    n = len(a)
    if not float(c).is_integer():
        raise Refused(f"x^{constant(c)} has no Taylor series at x = 0 (its derivatives are not finite there)")
    m = next((k for k in range(n) if a[k] != 0), None)
    if c == 0:
        return K.const(y0)
    if c < 0:
        raise Refused(f"x^{constant(c)} has a pole at x = 0: no Taylor series there")
    if m is None:  # the zero series
        return [y0] + [0.0] * (n - 1)
    shift = m * int(c) if m * c <= n else n
    out = [0.0] * n
    if shift < n:
        b = a[m:] + [0.0] * m
        bc = _power_regular(K, b, c, K.m.pow(b[0], c))
        out[shift:] = bc[:n - shift]
    out[0] = y0
    return out


def _refuse(message):
    """A special branch that refuses; message(*args) words it for this point."""
    def special(K, *args):
        raise Refused(message(*args))
    return special


def _zero_or_refuse(message):
    """A special branch for a point where the rule has no series unless its argument
    series is identically zero (then the result is the zero series)."""
    def special(K, a, *rest):
        if K.is_zero(a) and all(K.is_zero(r) for r in rest):
            return K.const(0.0)
        raise Refused(message)
    return special


# ---- one rule per primitive: rule(K, param, y0, *args) -> coefficients -------------

def _powc(K, p, y0, a):
    return power(K, a, p, y0)


def _pow(K, p, y0, a, b):
    const = K.is_const(b)
    if K.all(const):
        return power(K, a, b[0], y0)
    varying = K.split(K.m.where(const, False, a[0] <= 0),
                      _refuse(lambda a, b: "x^y with a varying exponent needs x > 0 for Taylor mode"),
                      lambda K, a, b: exp(K, mul(K, b, log(K, a, K.m.log(a[0]))), y0), a, b)
    if not K.any(const):
        return varying
    return K.pick(const, power(K, a, b[0], y0), varying)


def _sin(K, p, y0, a):
    return _pair(K, a, y0, K.m.cos(a[0]), -1)[0]


def _cos(K, p, y0, a):
    return _pair(K, a, K.m.sin(a[0]), y0, -1)[1]


def _tan(K, p, y0, a):
    return ode(K, y0, a, lambda y, m: (1.0 if m == 0 else 0.0) + square_coeff(K, y, m))


def _tanh(K, p, y0, a):
    # y' = g a' with g = 1 - y^2, whose g_0 cancels to 0 once y_0 rounds to +-1 (|a_0| > 19):
    # g_0 = sech(a_0)^2 instead. The higher g_m = -sum y_i y_(m-i) do not cancel there (the
    # term 2 y_0 y_m dominates).
    s = sech(K.m, a[0])
    g0 = s * s
    return ode(K, y0, a, lambda y, m: g0 if m == 0 else -square_coeff(K, y, m))


def _sinh(K, p, y0, a):
    return _pair(K, a, y0, K.m.cosh(a[0]), 1)[0]


def _cosh(K, p, y0, a):
    return _pair(K, a, K.m.sinh(a[0]), y0, 1)[1]


def _by_integral(K, y0, a, denominator):
    """y with y' = a' / denominator (a series with a nonzero value)."""
    return K.integrate(div(K, K.deriv(a), denominator[:-1]), y0)


def _root(K, s):
    return sqrt(K, s, K.m.sqrt(s[0]))


def _end_of_domain(name):
    return _refuse(lambda a, *rest: f"{name} at {constant(a[0])}: its derivatives are infinite there "
                                    "(an end of its domain)")


def _one_minus_square(K, a):
    """1 - a^2, its value as (1 - a_0)(1 + a_0) near |a_0| = 1 (1 - a_0^2 cancels there)."""
    s = K.sub(K.const(1.0), mul(K, a, a))
    s[0] = one_minus_square(K.m, a[0])
    return s


_MODERATE = (2.0 ** -500, 2.0 ** 500)


def scaled(K, a, b):
    """(A, B, S, e, r): a and b in units of 2^e, e the exponent of hypot(a_0, b_0), and with
    the step t in units of 2^r, so that every coefficient is at most 1 in size (A_k =
    a_k 2^(rk - e)); S = A^2 + B^2, with a value in [1/4, 1). a^2 + b^2 itself underflows
    near 1e-160 and overflows near 1e155, long before hypot(a, b) does; and where a is huge
    and its change small (a = 1e200 + t), the step's scale keeps a_1^2 = 1 from underflowing
    as (a_1/a_0)^2. Powers of two scale exactly, so the recurrences give what they give
    unscaled, to the last bit, wherever nothing under- or overflows: between 2^-500 and 2^500
    nothing is scaled (e = r = 0). A result's coefficient k is scaled back by 2^(e - rk)
    (hypot), or by 2^(-rk) (a ratio such as atan2)."""
    fixed = K.all(K.is_const(b))   # atan and asinh: b = 1
    h0 = K.m.hypot(a[0], b[0])
    if K.all((h0 >= _MODERATE[0]) & (h0 <= _MODERATE[1]) & (K.bound(a, b) <= _MODERATE[1])):
        e = r = 0   # nothing can overflow, and what underflows would underflow after scaling back
    else:
        e = K.exponent(h0)
        r = K.step_exponent(e, a) if fixed else K.step_exponent(e, a, b)
        a, b = K.rescale(a, -e, r), K.rescale(b, -e, r)
    if fixed:
        s = mul(K, a, a)
        s[0] = s[0] + b[0] * b[0]
        return a, b, s, e, r
    return a, b, K.add(mul(K, a, a), mul(K, b, b)), e, r


def _turn(K, a, b, s):
    """theta' = (a b' - b a') / (a^2 + b^2) for scaled a, b and s = a^2 + b^2 (see scaled):
    the rate at which the angle of (a, b) turns (atan2's derivative: theta = atan2(b, a))."""
    return div(K, K.sub(_cross(K, a, b), _cross(K, b, a)), s[:-1])


def _cross(K, u, v):
    """u v' (one coefficient fewer), without a Cauchy product where v is a constant."""
    if K.all(K.is_const(v)):
        return K.new_zeros(len(u) - 1)
    if K.all(K.is_const(u)):
        return K.scale(u[0], K.deriv(v))
    return mul(K, u[:-1], K.deriv(v))


def angle(K, a, b):
    """(c, s, A, B, e, r): the unit vector (c, s) = (a, b) / hypot(a, b) as series, from its
    rotation c' = -s theta', s' = c theta' (theta' from _turn), with A, B, e and r from
    `scaled`. Every step is a product, or a quotient by a^2 + b^2 scaled into [1/4, 1):
    none cancels where one of a and b dominates, as 1 - (a/h)^2 does in the square root
    recurrence of a^2 + b^2 (hypot's second coefficient is b^2/(2h^3) when a varies)."""
    a, b, sq, e, r = scaled(K, a, b)
    h0 = K.m.hypot(a[0], b[0])
    s, c = _pair_of(K, _turn(K, a, b, sq), b[0] / h0, a[0] / h0, -1)
    return c, s, a, b, e, r


def _asin(K, p, y0, a):
    s = _one_minus_square(K, a)
    return K.split(s[0] <= 0, _end_of_domain("asin"),
                   lambda K, a, s, y0: _by_integral(K, y0, a, _root(K, s)), a, s, y0)


def _acos(K, p, y0, a):
    s = _one_minus_square(K, a)
    return K.split(s[0] <= 0, _end_of_domain("acos"),
                   lambda K, a, s, y0: K.scale(-1.0, _by_integral(K, -y0, a, _root(K, s))), a, s, y0)


def _atan(K, p, y0, a):
    # atan(a) = atan2(a, 1): 1 + a^2 overflows at 1.3e154
    return _atan2(K, p, y0, a, K.const(1.0))


def _asinh(K, p, y0, a):
    # y' = a' / hypot(a, 1) = a' s, with (c, s) the unit vector of (a, 1) (see angle); in the
    # scaled units, where 1 is 2^-e, y' = A' s 2^e
    _, s, a, _, e, r = angle(K, a, K.const(1.0))
    y = K.integrate(K.rescale(mul(K, s[:-1], K.deriv(a)), e, 0), y0)
    return K.rescale(y, 0, -r)


def _acosh(K, p, y0, a):
    # y' = a' / sqrt(a^2 - 1), the root as sqrt(a - 1) sqrt(a + 1): a^2 overflows at 1.3e154,
    # and a - 1 is exact near 1 where a^2 - 1 cancels.
    def regular(K, a, y0):
        lo, hi = K.sub(a, K.const(1.0)), K.add(a, K.const(1.0))
        return _by_integral(K, y0, a, mul(K, _root(K, lo), _root(K, hi)))
    return K.split(a[0] <= 1, _end_of_domain("acosh"), regular, a, y0)


def _atanh(K, p, y0, a):
    return _by_integral(K, y0, a, _one_minus_square(K, a))


def _exp(K, p, y0, a):
    return exp(K, a, y0)


def _expm1(K, p, y0, a):
    y = exp(K, a, K.m.exp(a[0]))
    y[0] = y0
    return y


_LOG_AT_ZERO = _refuse(lambda a: "log at 0 has no Taylor series (it is -inf there)")


def _log(K, p, y0, a):
    return K.split(a[0] == 0, _LOG_AT_ZERO, lambda K, a: log(K, a, y0), a)


def _log1p(K, p, y0, a):
    return K.split(a[0] == -1, _refuse(lambda a: "log1p at -1 has no Taylor series (it is -inf there)"),
                   lambda K, a: _by_integral(K, y0, a, K.add(K.const(1.0), a)), a)


def _log_base(scale):
    def regular(K, a, y0):
        y = K.over(log(K, a, 0.0), scale)
        y[0] = y0
        return y

    def rule(K, p, y0, a):
        return K.split(a[0] == 0, _refuse(lambda a, y0: "log at 0 has no Taylor series (it is -inf there)"),
                       regular, a, y0)
    return rule


def _sqrt(K, p, y0, a):
    return K.split(a[0] == 0, _zero_or_refuse("sqrt at 0: its derivatives are infinite there"),
                   lambda K, a: sqrt(K, a, y0), a)


def _cbrt(K, p, y0, a):
    return K.split(a[0] == 0, _zero_or_refuse("cbrt at 0: its derivatives are infinite there"),
                   lambda K, a: _power_regular(K, a, 1.0 / 3.0, y0), a)


def _abs(K, p, y0, a):
    return K.split(a[0] == 0, _zero_or_refuse("abs at 0 has no Taylor series (it has a corner there)"),
                   lambda K, a: K.scale(K.m.sign(a[0]), a), a)


def _sign(K, p, y0, a):
    return K.split(a[0] == 0, _zero_or_refuse("sign at 0 has no Taylor series (it jumps there)"),
                   lambda K, a: K.const(y0), a)


def _relu(K, p, y0, a):
    return K.split(a[0] == 0, _zero_or_refuse("relu at 0 has no Taylor series (it has a corner there)"),
                   lambda K, a: K.pick(a[0] > 0, a, K.const(0.0)), a)


def _sigmoid(K, p, y0, a):
    # sigmoid(a) = (1 + tanh(a/2)) / 2. Its own ODE, y' = (y - y^2) a', cancels in 1 - y once
    # y rounds to 1 (a > 19) and in 1 - 2y near a = 0 (the second derivative at 1e-17 was 0).
    h = K.scale(0.5, a)
    s = K.scale(0.5, _tanh(K, None, K.m.tanh(h[0]), h))
    s[0] = y0
    return s


def _softplus(K, p, y0, a):
    # softplus' = sigmoid: its series first, with its value from the table
    s = _sigmoid(K, None, PRIMS["sigmoid"].value(K.m, None, a[0]), a)
    return ode(K, y0, a, lambda y, m: s[m])


def _erf(K, p, y0, a):
    g = K.scale(TWO_OVER_SQRT_PI, exp(K, K.scale(-1.0, mul(K, a, a)), exp_minus_square(K.m, a[0])))
    return ode(K, y0, a, lambda y, m: g[m])


def _atan2(K, p, y0, a, b):
    def regular(K, a, b):
        # y' = (b a' - a b') / (a^2 + b^2): the turn of the angle of (b, a), scaled (see scaled)
        a, b, s, e, r = scaled(K, a, b)
        return K.rescale(K.integrate(_turn(K, b, a, s), y0), 0, -r)
    return K.split((a[0] == 0) & (b[0] == 0), _refuse(lambda a, b: "atan2 at the origin has no Taylor series"),
                   regular, a, b)


def _hypot(K, p, y0, a, b):
    return K.split((a[0] == 0) & (b[0] == 0),
                   _zero_or_refuse("hypot at the origin has no Taylor series (it has a corner there)"),
                   _hypot_regular, a, b)


def _hypot_regular(K, a, b):
    # h' = c a' + s b' for the unit vector (c, s) = (a, b)/h (see angle), in scaled units
    c, s, a, b, e, r = angle(K, a, b)
    dh = K.add(mul(K, c[:-1], K.deriv(a)), mul(K, s[:-1], K.deriv(b)))
    return K.rescale(K.integrate(dh, K.m.hypot(a[0], b[0])), e, -r)


def _pick(name, smaller):
    def tie(K, a, b):
        if K.same(a, b):
            return a
        raise Refused(f"{name} at a tie ({name}({constant(a[0])}, {constant(b[0])})) has no Taylor series")

    def rule(K, p, y0, a, b):
        return K.split(a[0] == b[0], tie,
                       lambda K, a, b: K.pick(a[0] < b[0] if smaller else a[0] > b[0], a, b), a, b)
    return rule


TAYLOR = {
    "add": lambda K, p, y0, a, b: K.add(a, b),
    "sub": lambda K, p, y0, a, b: K.sub(a, b),
    "mul": lambda K, p, y0, a, b: mul(K, a, b),
    "div": lambda K, p, y0, a, b: K.split(
        b[0] == 0, _refuse(lambda a, b: "division by zero: a pole, or 0/0, has no Taylor series computed here"),
        lambda K, a, b: div(K, a, b, y0), a, b),
    "neg": lambda K, p, y0, a: K.scale(-1.0, a),
    "powc": _powc, "pow": _pow,
    "sin": _sin, "cos": _cos, "tan": _tan,
    "asin": _asin, "acos": _acos, "atan": _atan,
    "sinh": _sinh, "cosh": _cosh, "tanh": _tanh,
    "asinh": _asinh, "acosh": _acosh, "atanh": _atanh,
    "exp": _exp, "expm1": _expm1,
    "log": _log, "log1p": _log1p, "log2": _log_base(LN2), "log10": _log_base(LN10),
    "sqrt": _sqrt, "cbrt": _cbrt,
    "abs": _abs, "sign": _sign, "relu": _relu,
    "sigmoid": _sigmoid, "softplus": _softplus, "erf": _erf,
    "atan2": _atan2, "hypot": _hypot,
    "min": _pick("min", True), "max": _pick("max", False),
    # piecewise constant: the value, then zeros
    **{name: (lambda K, p, y0, *args: K.const(y0)) for name in ("lt", "le", "gt", "ge", "eq", "ne",
                                                                "and", "or", "not")},
    # the branch the condition selects, coefficients and all (its value is never blended)
    "if": lambda K, p, y0, c, a, b: K.pick(c[0] != 0, a, b),
}


def sweep(program, xs, direction, order, K):
    """Taylor coefficients 0..order of every output along x + t*direction, in the kit K
    (one point or many). An input with direction 0, and every node depending only on
    such inputs, stays a plain value. Returns (values of all nodes, coefficients of
    the outputs); K.warnings collects the warnings."""
    code = compiled(program)
    n_in = len(xs)
    # With an `if`, only nodes on a live derivative path get coefficients, and only at the
    # points where they are live: a pole in the branch not taken is not refused, and no
    # nan or warning of it reaches a result (adcli.engine.liveness).
    live = None
    if order > 0 and conditional(program, code):
        live = masks(program, code, values(program, xs, K.m), K.m)
    vals = list(xs) + [None] * (len(code) - n_in)
    ser = [None] * len(code)
    if order > 0:
        for i, d in enumerate(direction):
            if d:
                ser[i] = K.seed(xs[i], d)
    # A node's coefficients are dropped after their last use (N+1 rows per point add up).
    last = list(range(len(code)))
    for i, (_, args, _) in enumerate(code):
        for a in args:
            last[a] = i
    for o in program.outputs:
        last[o] = len(code)
    for i in range(n_in, len(code)):
        prim, args, param = code[i]
        if prim is None:
            vals[i] = param
            continue
        av = [vals[a] for a in args]
        y0 = vals[i] = call_value(prim, K.m, param, av)
        if all(ser[a] is None for a in args):
            continue
        li = True if live is None else live[i]
        if li is False:
            continue
        sa = [ser[a] if ser[a] is not None else K.const(vals[a]) for a in args]
        if prim.guards or not prim.edges:
            # if, comparisons and logic: a choice or a constant, never a recurrence that
            # could overflow or refuse; their arguments' finiteness says nothing about them
            ser[i] = TAYLOR[prim.name](K, param, y0, *sa)
            continue
        try:
            ser[i] = K.apply(TAYLOR[prim.name], prim.name, param, y0, av, sa, li)
        except Refused as e:
            node = program.nodes[i]
            raise EvalError(f"taylor: {e}", program.source, node.pos,
                            hint="Taylor coefficients exist only where the function is smooth; "
                                 "'adcli grad' gives the first derivative with its convention") from None
        for a in args:
            if last[a] == i:
                ser[a] = None
    outs = [ser[o] if ser[o] is not None else K.const(vals[o]) for o in program.outputs]
    return vals, outs


def series(program, xs, direction, order):
    """Taylor coefficients 0..order of every output along x + t*direction at one point
    (floats). Returns (values of all nodes, coefficient lists of the outputs, warnings);
    raises EvalError naming the operation where a primitive has no series."""
    K = Floats(order + 1)
    vals, outs = sweep(program, xs, direction, order, K)
    return vals, outs, K.warnings


def factorial_times(c, k):
    """c * k! (a float, or a numpy array of them), inf where it overflows."""
    try:
        f = float(math.factorial(k))
    except OverflowError:
        f = math.inf
    if not isinstance(c, float):
        return c * f
    if c == 0 or c != c:
        return c
    return c * f
