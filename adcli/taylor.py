"""Univariate Taylor mode: derivatives of any order along one direction.

Every node carries its normalized Taylor coefficients y_0 .. y_N of t -> y(x + t*d)
(y_k = y^(k)/k!). Each primitive maps the coefficients of its arguments to its own by a
recurrence costing O(N^2) (Griewank & Walther, Evaluating Derivatives, ch. 13): products
are Cauchy sums; exp, sin/cos, sinh/cosh, tan, tanh, sigmoid and x^c solve the linear
ODE y' = g(y) a' term by term; log, the inverse trigonometric and hyperbolic functions,
log1p, erf and atan2 integrate a derivative series built from products, quotients and
square roots. Coefficient 0 is always the primitive table's own value, so a Taylor
value equals `adcli eval`.

TAYLOR is keyed by the primitive table's names (a test checks it covers PRIMS). Where a
primitive has no Taylor series at the point (abs, relu or sign at 0, min/max at a tie,
sqrt or a fractional power at 0, asin at +-1, ...) its rule raises Refused, which the
caller turns into an error naming the operation: never a wrong number. Where a value
is already nan or inf, the higher coefficients are nan and the usual warning names the
operation that produced it.
"""
import math

from .primitives import LN2, LN10, PRIMS, TWO_OVER_SQRT_PI


class Refused(Exception):
    """This primitive has no Taylor expansion at this point."""


# ---- series arithmetic on lists of N+1 coefficients -------------------------------

def const(c, n):
    return [c] + [0.0] * (n - 1)


def add(a, b):
    return [x + y for x, y in zip(a, b)]


def sub(a, b):
    return [x - y for x, y in zip(a, b)]


def cmul(c, a):
    return [c * x for x in a]


def mul(a, b):
    n = len(a)
    return [sum(a[j] * b[k - j] for j in range(k + 1)) for k in range(n)]


def div(a, b, y0=None):
    """a / b, with b_0 != 0 (the callers see to it)."""
    n = len(a)
    c = [a[0] / b[0] if y0 is None else y0]
    for k in range(1, n):
        c.append((a[k] - sum(b[j] * c[k - j] for j in range(1, k + 1))) / b[0])
    return c


def deriv(a):
    """Coefficients of da/dt (one fewer)."""
    return [k * a[k] for k in range(1, len(a))]


def integrate(q, y0):
    """The series whose derivative is q and whose value is y0."""
    return [y0] + [q[k - 1] / k for k in range(1, len(q) + 1)]


def ode(y0, a, g_next):
    """y with y' = g * a': y_k = (1/k) sum_{j=1..k} j a_j g_{k-j}. g_next(y) returns
    g_m from y_0 .. y_m, so g may depend on y itself (exp: g = y; tan: g = 1 + y^2)."""
    y, g = [y0], []
    for k in range(1, len(a)):
        g.append(g_next(y))
        y.append(sum(j * a[j] * g[k - j] for j in range(1, k + 1)) / k)
    return y


def sqrt(a, y0):
    """sqrt(a) with a_0 > 0: from y*y = a."""
    y = [y0]
    for k in range(1, len(a)):
        y.append((a[k] - sum(y[j] * y[k - j] for j in range(1, k))) / (2.0 * y0))
    return y


def square_coeff(y):
    m = len(y) - 1
    return sum(y[i] * y[m - i] for i in range(m + 1))


def exp(a, y0):
    return ode(y0, a, lambda y: y[-1])


def log(a, y0):
    return integrate(div(deriv(a), a[:-1]), y0)


def sincos(a, s0, c0):
    s, c = [s0], [c0]
    for k in range(1, len(a)):
        s.append(sum(j * a[j] * c[k - j] for j in range(1, k + 1)) / k)
        c.append(-sum(j * a[j] * s[k - j] for j in range(1, k + 1)) / k)
    return s, c


def sinhcosh(a, s0, c0):
    s, c = [s0], [c0]
    for k in range(1, len(a)):
        s.append(sum(j * a[j] * c[k - j] for j in range(1, k + 1)) / k)
        c.append(sum(j * a[j] * s[k - j] for j in range(1, k + 1)) / k)
    return s, c


def power(a, c, y0):
    """a^c for a constant c: by the recurrence from a*y' = c*y*a' when a_0 != 0; at
    a_0 = 0 an integer power factors a = t^m * b (b_0 != 0) so no step divides by 0."""
    n = len(a)
    if a[0] != 0:
        y = [y0]
        for k in range(1, n):
            y.append(sum((c * j - (k - j)) * a[j] * y[k - j] for j in range(1, k + 1)) / (k * a[0]))
        return y
    if not float(c).is_integer():
        raise Refused(f"x^{_num(c)} has no Taylor series at x = 0 (its derivatives are not finite there)")
    m = next((k for k in range(n) if a[k] != 0), None)
    if c == 0:
        return const(y0, n)
    if c < 0 or m is None:  # a pole, or the zero series: the value says it all
        return [y0] + ([math.nan] * (n - 1) if c < 0 else [0.0] * (n - 1))
    shift = m * int(c) if m * c <= n else n
    out = [0.0] * n
    if shift < n:
        b = a[m:] + [0.0] * m
        bc = power(b, c, math.pow(b[0], c))
        out[shift:] = bc[:n - shift]
    out[0] = y0
    return out


def _num(v):
    from .ir import fmt_const
    return fmt_const(float(v))


def _same(a, b):
    return all(x == y for x, y in zip(a, b))


def _zero(a):
    return all(x == 0 for x in a)


def _is_const(a):
    return all(x == 0 for x in a[1:])


# ---- one rule per primitive: rule(param, y0, *args) -> coefficients ----------------

def _powc(p, y0, a):
    return power(a, p, y0)


def _pow(p, y0, a, b):
    if _is_const(b):
        return power(a, b[0], y0)
    if not a[0] > 0:
        raise Refused("x^y with a varying exponent needs x > 0 for Taylor mode")
    return exp(mul(b, log(a, math.log(a[0]))), y0)


def _sin(p, y0, a):
    return sincos(a, y0, math.cos(a[0]))[0]


def _cos(p, y0, a):
    return sincos(a, math.sin(a[0]), y0)[1]


def _tan(p, y0, a):
    return ode(y0, a, lambda y: (1.0 if len(y) == 1 else 0.0) + square_coeff(y))


def _tanh(p, y0, a):
    return ode(y0, a, lambda y: (1.0 if len(y) == 1 else 0.0) - square_coeff(y))


def _sinh(p, y0, a):
    return sinhcosh(a, y0, math.cosh(a[0]))[0]


def _cosh(p, y0, a):
    return sinhcosh(a, math.sinh(a[0]), y0)[1]


def _by_integral(y0, a, denominator):
    """y with y' = a' / denominator (a series with a nonzero value)."""
    return integrate(div(deriv(a), denominator[:-1]), y0)


def _unit_root(a, sign, what):
    """sqrt(1 - a^2) (sign -1) or sqrt(1 + a^2) (sign 1), for the inverse functions."""
    a2 = mul(a, a)
    s = sub(const(1.0, len(a)), a2) if sign < 0 else add(a2, const(1.0, len(a)))
    if not s[0] > 0:
        raise Refused(f"{what}: its derivatives are infinite there (an end of its domain)")
    return sqrt(s, math.sqrt(s[0]))


def _asin(p, y0, a):
    return _by_integral(y0, a, _unit_root(a, -1, f"asin at {_num(a[0])}"))


def _acos(p, y0, a):
    return cmul(-1.0, _by_integral(-y0, a, _unit_root(a, -1, f"acos at {_num(a[0])}")))


def _atan(p, y0, a):
    return _by_integral(y0, a, add(const(1.0, len(a)), mul(a, a)))


def _asinh(p, y0, a):
    return _by_integral(y0, a, _unit_root(a, 1.0, "asinh"))


def _acosh(p, y0, a):
    s = sub(mul(a, a), const(1.0, len(a)))
    if not s[0] > 0:
        raise Refused(f"acosh at {_num(a[0])}: its derivatives are infinite there (an end of its domain)")
    return _by_integral(y0, a, sqrt(s, math.sqrt(s[0])))


def _atanh(p, y0, a):
    return _by_integral(y0, a, sub(const(1.0, len(a)), mul(a, a)))


def _exp(p, y0, a):
    return exp(a, y0)


def _expm1(p, y0, a):
    y = exp(a, math.exp(a[0]))
    y[0] = y0
    return y


def _log(p, y0, a):
    return log(a, y0)


def _log1p(p, y0, a):
    return _by_integral(y0, a, add(const(1.0, len(a)), a))


def _log2(p, y0, a):
    return [y0] + [c / LN2 for c in log(a, 0.0)[1:]]


def _log10(p, y0, a):
    return [y0] + [c / LN10 for c in log(a, 0.0)[1:]]


def _sqrt(p, y0, a):
    if a[0] == 0 and not _zero(a):
        raise Refused("sqrt at 0: its derivatives are infinite there")
    return sqrt(a, y0) if a[0] != 0 else const(0.0, len(a))


def _cbrt(p, y0, a):
    if a[0] == 0:
        if _zero(a):
            return const(0.0, len(a))
        raise Refused("cbrt at 0: its derivatives are infinite there")
    return power(a, 1.0 / 3.0, y0)


def _abs(p, y0, a):
    if a[0] > 0:
        return a
    if a[0] < 0:
        return cmul(-1.0, a)
    if _zero(a):
        return a
    raise Refused("abs at 0 has no Taylor series (it has a corner there)")


def _sign(p, y0, a):
    if a[0] != 0 or _zero(a):
        return const(y0, len(a))
    raise Refused("sign at 0 has no Taylor series (it jumps there)")


def _relu(p, y0, a):
    if a[0] > 0:
        return a
    if a[0] < 0 or _zero(a):
        return const(0.0, len(a))
    raise Refused("relu at 0 has no Taylor series (it has a corner there)")


def _sigmoid(p, y0, a):
    return ode(y0, a, lambda y: y[-1] - square_coeff(y))


def _softplus(p, y0, a):
    # softplus' = sigmoid: its series first, with its value from the table
    from . import scalar
    s = _sigmoid(None, PRIMS["sigmoid"].value(scalar, None, a[0]), a)
    return ode(y0, a, lambda y: s[len(y) - 1])


def _erf(p, y0, a):
    g = cmul(TWO_OVER_SQRT_PI, exp(cmul(-1.0, mul(a, a)), math.exp(-a[0] * a[0])))
    return ode(y0, a, lambda y: g[len(y) - 1])


def _atan2(p, y0, a, b):
    if a[0] == 0 and b[0] == 0:
        raise Refused("atan2 at the origin has no Taylor series")
    num = sub(mul(b, deriv(a) + [0.0]), mul(a, deriv(b) + [0.0]))
    return integrate(div(num[:-1], add(mul(a, a), mul(b, b))[:-1]), y0)


def _hypot(p, y0, a, b):
    if a[0] == 0 and b[0] == 0:
        if _zero(a) and _zero(b):
            return const(0.0, len(a))
        raise Refused("hypot at the origin has no Taylor series (it has a corner there)")
    return sqrt(add(mul(a, a), mul(b, b)), y0)


def _pick(name, smaller):
    def rule(p, y0, a, b):
        if a[0] == b[0] and not _same(a, b):
            raise Refused(f"{name} at a tie ({name}({_num(a[0])}, {_num(b[0])})) has no Taylor series")
        first = a[0] < b[0] if smaller else a[0] > b[0]
        return a if first or _same(a, b) else b
    return rule


TAYLOR = {
    "add": lambda p, y0, a, b: add(a, b),
    "sub": lambda p, y0, a, b: sub(a, b),
    "mul": lambda p, y0, a, b: mul(a, b),
    "div": lambda p, y0, a, b: div(a, b, y0),
    "neg": lambda p, y0, a: cmul(-1.0, a),
    "powc": _powc, "pow": _pow,
    "sin": _sin, "cos": _cos, "tan": _tan,
    "asin": _asin, "acos": _acos, "atan": _atan,
    "sinh": _sinh, "cosh": _cosh, "tanh": _tanh,
    "asinh": _asinh, "acosh": _acosh, "atanh": _atanh,
    "exp": _exp, "expm1": _expm1,
    "log": _log, "log1p": _log1p, "log2": _log2, "log10": _log10,
    "sqrt": _sqrt, "cbrt": _cbrt,
    "abs": _abs, "sign": _sign, "relu": _relu,
    "sigmoid": _sigmoid, "softplus": _softplus, "erf": _erf,
    "atan2": _atan2, "hypot": _hypot,
    "min": _pick("min", True), "max": _pick("max", False),
}


def series(program, xs, direction, order):
    """Taylor coefficients 0..order of every output along x + t*direction. An input
    with direction 0, and every node depending only on such inputs, stays a plain
    number. Returns (values of all nodes, coefficient lists of the outputs, warnings)."""
    from . import scalar
    from .errors import EvalError
    from .sweep import call_value, compiled
    code = compiled(program)
    n_in, n = len(xs), order + 1
    vals = list(xs) + [None] * (len(code) - n_in)
    ser = [None] * len(code)
    warnings = []
    for i, d in enumerate(direction):
        if d:
            ser[i] = [xs[i], d] + [0.0] * (n - 2) if n > 1 else [xs[i]]
    for i in range(n_in, len(code)):
        prim, args, param = code[i]
        if prim is None:
            vals[i] = param
            continue
        av = [vals[a] for a in args]
        y0 = vals[i] = call_value(prim, scalar, param, av)
        if all(ser[a] is None for a in args):
            continue
        sa = [ser[a] if ser[a] is not None else const(vals[a], n) for a in args]
        if not (math.isfinite(y0) and all(math.isfinite(v) for v in av)):
            ser[i] = [y0] + [math.nan] * (n - 1)  # the value warning names the op
            continue
        try:
            out = TAYLOR[prim.name](param, y0, *sa)
        except (ArithmeticError, ValueError):
            # Only overflow or underflow to a zero divisor gets here (poles were
            # excluded above): the higher coefficients are not representable.
            out = [y0] + [math.nan] * (n - 1)
            warnings.append(f"the Taylor coefficients of {prim.name} overflowed (given as nan)")
        except Refused as e:
            node = program.nodes[i]
            raise EvalError(f"taylor: {e}", program.source, node.pos,
                            hint="Taylor coefficients exist only where the function is smooth; "
                                 "'adcli grad' gives the first derivative with its convention") from None
        out = list(out)
        out[0] = y0
        ser[i] = out
    outs = [ser[o] if ser[o] is not None else const(vals[o], n) for o in program.outputs]
    return vals, outs, warnings


def factorial_times(c, k):
    """c * k! as a float (inf when it overflows)."""
    if c == 0 or c != c:
        return c
    try:
        return c * float(math.factorial(k))
    except OverflowError:
        return math.copysign(math.inf, c)
