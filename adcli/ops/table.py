"""The one table of primitives.

Every adcli primitive is an elementwise function. A rule gives its value and its local
partial derivatives, written against a math namespace `m` (adcli.scalar for one point,
adcli.vector for numpy arrays), so the same rule serves forward mode, reverse mode, one
point and many points. Rules branch with `m.where`, never `if`, and guard a discarded
branch rather than multiply it by a 0/1 mask (0 * inf is nan).

Partials that are the exact integers 0, 1 or -1 are structural: the evaluators skip a
0 and add or subtract without multiplying for 1 and -1.

    value(m, p, *args)          p is the op's parameter (the exponent of powc)
    partials(m, p, y, *args)    y is the value already computed

Every other fact about an op sits in its entry too, so adding a function touches this
table alone (tests/test_primitives.py checks each op has them all): its partials as
display text, graph symbols, the name 'adcli functions' lists, the operator spelling the
parser lowers to it, whether users may call it by name, and the math-namespace function
that computes it. Only the Taylor rules live elsewhere (adcli.engine.taylor), because
they are written against the engine's series kernels.

Two facts serve the conditional ops (comparisons, and/or/not, if):

    edges       the argument positions a derivative passes through (default: all). A
                comparison has none: its value is 1 or 0 and its partials the structural 0.
    guards      {position: rule(m, *args) -> mask}: that argument is used only where its
                mask holds (if(c, a, b) uses a where c != 0, b where c == 0). Where it does
                not, nothing of that argument may reach a result: no value, no partial, no
                warning. Evaluators never multiply a partial of a guarded argument by a 0/1
                mask (0 * nan is nan); they select with m.where, or skip it (one point).
                A node is live at a point when some path from it to an output passes only
                through arguments that are used there (adcli.engine.liveness).
"""
import math

LN2 = math.log(2.0)
LN10 = math.log(10.0)
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


class Prim:
    __slots__ = ("name", "arity", "template", "value", "partials", "domain", "sample", "note", "kind", "doc",
                 "partial_texts", "symbol", "ascii_symbol", "spelling", "by_name", "mathname",
                 "display", "edges", "guards")

    def __init__(self, name, arity, template, value, partials, domain="all real x", sample=None,
                 note="", kind="function", doc="", partial_texts=(), symbol=None, ascii_symbol=None,
                 spelling=None, by_name=None, mathname=None, display=None, edges=None, guards=None):
        self.name = name
        self.arity = arity
        self.template = template  # how a trace shows it: "{0} + {1}", "sin {0}", "{0}^{p}"
        self.value = value
        self.partials = partials
        self.domain = domain
        # Intervals the tests sample from, one list per argument: the open domain minus
        # the points where the derivative is only a convention.
        self.sample = sample or [[(-3.0, 3.0)]] * arity
        self.note = note
        self.kind = kind  # "operator", "function" or "internal"
        self.doc = doc
        # For reading only, never for computing: each partial as an adcli expression ({0}, {1} the
        # arguments, {y} the op's value, {p} its parameter), so a test can parse it back and check
        # it against the rule. Piecewise partials use an Iverson bracket [cond].
        self.partial_texts = partial_texts
        # How a graph node shows the op; {p} is the parameter.
        self.symbol = symbol or name
        self.ascii_symbol = ascii_symbol or self.symbol
        self.spelling = spelling  # the operator the parser reads as this op: + - * / ^, or - before one operand
        # Whether a user may call it as name(...): every function, and pow (x^y is also pow(x, y)).
        self.by_name = kind == "function" if by_name is None else by_name
        # The math namespaces' function that computes it (fabs for abs, minimum for min), if they have
        # one: the Dual namespace routes that function through the op so rules differentiate it too.
        self.mathname = mathname
        # How 'adcli functions' lists it: operators as users write them, not by internal names (add, powc).
        self.display = display or name
        # See the module docstring: where derivatives pass, and where an argument is used at all.
        self.edges = tuple(range(arity)) if edges is None else tuple(edges)
        self.guards = guards or {}

    def __repr__(self):
        return f"<primitive {self.name}>"


# Helpers that the rules share with the Taylor recurrences (adcli.engine.taylor). Partials are
# differentiated again, by the dual numbers of the Hessian (adcli.engine.dual): a formula chosen
# for accuracy must keep an accurate derivative too. So no value passes through abs or sign
# where the function is smooth (sigmoid's value rule does, exp(-|x|), but m.sigmoid is its
# math-namespace name: dual numbers take it as one op, with its partial as derivative), and
# where a helper branches for accuracy, both branches are the same function, each with an
# accurate derivative of its own.

def sech(m, x):
    """1/cosh(x) to an ulp or two for every x (1 - tanh^2 cancels to 0 past |x| = 19). cosh's
    argument is held inside +-710, where it is finite (sech is below 5e-309 there), so that
    nested AD differentiates to -sech*tanh, not 0 * inf."""
    return m.div(1.0, m.cosh(m.maximum(m.minimum(x, 710.0), -710.0)))


def one_minus_square(m, x):
    """1 - x^2: as 1 - x*x where x^2 < 1/4, as (1 - x)(1 + x) where x^2 is near 1 (no
    cancellation either way). The first form also keeps its derivative: nested AD would
    differentiate the second to (1 - x) - (1 + x), which loses every digit of -2x near 0."""
    xx = x * x
    return m.where(xx < 0.25, 1.0 - xx, (1.0 - x) * (1.0 + x))


def exp_minus_square(m, x):
    """exp(-x^2) to an ulp or two: x*x rounds by up to x^2/2^53 in the exponent (400 ulps at
    x = 20), so x^2 = hi + lo exactly (Dekker's product, x split into 26-bit halves) and
    exp(-x^2) = exp(-hi) * (1 - lo). Past |x| = 40 it is 0 anyway, and the split would overflow."""
    x = m.where(m.fabs(x) > 40.0, 40.0, x)
    s = 134217729.0 * x
    xh = s - (s - x)
    xl = x - xh
    hi = x * x
    lo = ((xh * xh - hi) + 2.0 * xh * xl) + xl * xl
    return m.exp(-hi) * (1.0 - lo)


TINY = 2.0 ** -1022  # the smallest normal float64


def power_slope(m, c, a, y):
    """c * a^(c-1) given y = a^c: computed as c * (y / a), since c - 1 rounds (0.3 - 1 drops a
    bit) and a^(c-1) multiplies that error by log(a) (270 ulps at a = 1e300). Where y is 0,
    subnormal or infinite, or a is 0, the quotient means nothing and c * a^(c-1) is used."""
    ok = (m.fabs(y) >= TINY) & (m.fabs(y) < m.inf) & (a != 0)
    return m.where(ok, c * m.div(y, a), c * m.pow(a, c - 1.0))


def _exact_less_one(c):
    """Whether c - 1 is exact in float64 (every integer, c >= 1, 0.5, -0.5: most exponents
    people write), so that c * a^(c-1) carries no rounding of the exponent: the rounding
    error of s = c - 1, by Knuth's two-sum, is 0."""
    s = c - 1.0
    t = s - c
    return (c - (s - t)) + (-1.0 - t) == 0.0


def _hypot_partials(m, a, b, h):
    """(a/h, b/h) for h = hypot(a, b), with derivatives that do not cancel: d(a/h)/da = b^2/h^3,
    which nested AD would compute as (1 - (a/h)^2)/h, all digits lost when |a| >> |b|. With p
    the larger of a and b in size, q the smaller and r = q/p: p/h = sign(p)/sqrt(1 + r^2) and
    q/h = r * p/h, whose derivatives are products (r^2 <= 1 cancels at most one bit)."""
    big = m.fabs(a) >= m.fabs(b)
    p, q = m.where(big, a, b), m.where(big, b, a)
    r = m.div(q, p)
    w = m.div(m.sign(p), m.sqrt(1.0 + r * r))
    v = r * w
    origin = h == 0
    return m.where(origin, 0.0, m.where(big, w, v)), m.where(origin, 0.0, m.where(big, v, w))


def _atan2_partials(m, a, b):
    # b / (a^2 + b^2) as (b/h)/h with h = hypot(a, b): a^2 + b^2 underflows to 0 near
    # 1e-160 and overflows near 1e155, long before the derivative does.
    h = m.hypot(a, b)
    return (m.where(h == 0, 0.0, m.div(m.div(b, h), h)),
            m.where(h == 0, 0.0, -m.div(m.div(a, h), h)))


def _atan_partial(m, x):
    # 1/(1 + x^2), x held inside +-1e300 (where it is 0 to float64 anyway): nested AD
    # differentiates x*x to 2x, which overflows past 9e307 (0 * inf, a nan second derivative).
    x = m.maximum(m.minimum(x, 1e300), -1e300)
    return 1.0 / (1.0 + x * x)


def _square(x):
    return x * x


def _inside(m, y, partial):
    # Outside the domain the value is nan, and so is the derivative: the formula 1/x
    # would otherwise report log'(-1) = -1 for a function that does not exist there.
    return m.where(m.isnan(y), y, partial)  # y, not a fresh nan: under nested AD its tangent is nan too


def _tie_split(m, y, a, b, less):
    half = m.where(a == b, 0.5, 0.0)
    return _inside(m, y, m.where(less(a, b), 1.0, half)), _inside(m, y, m.where(less(b, a), 1.0, half))


def _bool(m, cond):
    return m.where(cond, 1.0, 0.0)


def _comparison(name, spelling, symbol, ascii_symbol, test, doc):
    return Prim(name, 2, f"{{0}} {ascii_symbol} {{1}}", lambda m, p, a, b: _bool(m, test(a, b)),
                lambda m, p, y, a, b: (0, 0), kind="operator", doc=doc, spelling=spelling, symbol=symbol,
                ascii_symbol=ascii_symbol, partial_texts=("0", "0"), display=spelling, edges=(),
                note="1 or 0; its partials are 0 everywhere, also at a = b where it jumps "
                     "(a comparison with nan is 0, except nan != b, which is 1)")


def _truth(m, a):
    return a != 0   # nan counts as non-zero, as in IEEE arithmetic and numpy


def _if_value(m, p, c, a, b):
    return m.where(_truth(m, c), a, b)


POS = [[(0.1, 4.0)]]
NONZERO = [[(-3.0, -0.1), (0.1, 3.0)]]
UNIT = [[(-0.9, 0.9)]]

_table = [
    # operators
    Prim("add", 2, "{0} + {1}", lambda m, p, a, b: a + b, lambda m, p, y, a, b: (1, 1), kind="operator",
         doc="a + b", spelling="+", symbol="+", partial_texts=("1", "1"), display="+"),
    Prim("sub", 2, "{0} - {1}", lambda m, p, a, b: a - b, lambda m, p, y, a, b: (1, -1), kind="operator",
         doc="a - b", spelling="-", symbol="−", ascii_symbol="-", partial_texts=("1", "-1"), display="-"),
    Prim("mul", 2, "{0} * {1}", lambda m, p, a, b: a * b, lambda m, p, y, a, b: (b, a), kind="operator",
         doc="a * b", spelling="*", symbol="×", ascii_symbol="*", partial_texts=("{1}", "{0}"), display="*"),
    Prim("div", 2, "{0} / {1}", lambda m, p, a, b: m.div(a, b),
         lambda m, p, y, a, b: (m.div(1.0, b), -m.div(y, b)), domain="b != 0",
         sample=[[(-3.0, 3.0)], [(-3.0, -0.2), (0.2, 3.0)]], kind="operator", doc="a / b",
         note="a/0 is +-inf (0/0 is nan), with a warning", spelling="/", symbol="/",
         partial_texts=("1/{1}", "-{0}/{1}^2"), mathname="div", display="/"),
    Prim("neg", 1, "-{0}", lambda m, p, a: -a, lambda m, p, y, a: (-1,), kind="operator", doc="-a",
         spelling="-", symbol="−", ascii_symbol="-", partial_texts=("-1",), display="- (unary)"),
    Prim("powc", 1, "{0}^{p}", lambda m, p, a: m.pow(a, p),
         lambda m, p, y, a: (0 if p == 0 else 1 if p == 1 else p * m.pow(a, p - 1) if _exact_less_one(p)
                             else power_slope(m, p, a, y),),
         domain="all x for an integer c, x >= 0 otherwise", sample=POS, kind="operator",
         doc="x^c, c a constant",
         note="c is a parameter, not an input: d/dx x^c = c*x^(c-1) never evaluates log(x), "
              "so d/dx x^2 at x=-3 is -6; d/dx x^c at 0 is 0 for c > 1, 1 for c = 1, inf for 0 < c < 1 "
              "and +-inf for c < 0", symbol="^{p}", partial_texts=("{p}*{0}^({p} - 1)",), display="^ (constant c)"),
    Prim("pow", 2, "{0}^{1}", lambda m, p, a, b: m.pow(a, b),
         lambda m, p, y, a, b: (m.where((b == 0) & (a == 0), 0.0, power_slope(m, b, a, y)),
                                m.where((a == 0) & (b > 0), 0.0, y * m.log(a))),
         domain="x > 0 (x = 0 and negative x with integer y also evaluate)",
         sample=[[(0.2, 3.0)], [(-2.0, 2.0)]], kind="operator", doc="x^y, pow(x, y)",
         note="d/dy x^y at x = 0 is 0 for y > 0 (the limit from x > 0) and -inf for y <= 0; "
              "at x < 0 it is nan (x^y is not real nearby)",
         spelling="^", by_name=True, symbol="^", partial_texts=("{1}*{0}^({1} - 1)", "{y}*log({0})"),
         display="pow (x^y)"),
    # elementary functions
    Prim("sin", 1, "sin {0}", lambda m, p, x: m.sin(x), lambda m, p, y, x: (m.cos(x),), partial_texts=("cos({0})",),
         mathname="sin"),
    Prim("cos", 1, "cos {0}", lambda m, p, x: m.cos(x), lambda m, p, y, x: (-m.sin(x),), partial_texts=("-sin({0})",),
         mathname="cos"),
    Prim("tan", 1, "tan {0}", lambda m, p, x: m.tan(x), lambda m, p, y, x: (1.0 + y * y,),
         domain="x != pi/2 + k*pi", sample=[[(-1.2, 1.2)]], partial_texts=("1 + {y}^2",), mathname="tan"),
    Prim("asin", 1, "asin {0}", lambda m, p, x: m.asin(x),
         lambda m, p, y, x: (m.div(1.0, m.sqrt(one_minus_square(m, x))),), domain="-1 <= x <= 1",
         sample=UNIT, note="derivative is +inf at x = +-1", partial_texts=("1/sqrt(1 - {0}^2)",), mathname="asin"),
    Prim("acos", 1, "acos {0}", lambda m, p, x: m.acos(x),
         lambda m, p, y, x: (-m.div(1.0, m.sqrt(one_minus_square(m, x))),), domain="-1 <= x <= 1",
         sample=UNIT, note="derivative is -inf at x = +-1", partial_texts=("-1/sqrt(1 - {0}^2)",), mathname="acos"),
    Prim("atan", 1, "atan {0}", lambda m, p, x: m.atan(x), lambda m, p, y, x: (_atan_partial(m, x),),
         partial_texts=("1/(1 + {0}^2)",), mathname="atan"),
    Prim("sinh", 1, "sinh {0}", lambda m, p, x: m.sinh(x), lambda m, p, y, x: (m.cosh(x),),
         partial_texts=("cosh({0})",), mathname="sinh"),
    Prim("cosh", 1, "cosh {0}", lambda m, p, x: m.cosh(x), lambda m, p, y, x: (m.sinh(x),),
         partial_texts=("sinh({0})",), mathname="cosh"),
    # sech^2, not 1 - y^2: that cancels to 0 once tanh(x) rounds to +-1 (|x| > 19).
    Prim("tanh", 1, "tanh {0}", lambda m, p, x: m.tanh(x), lambda m, p, y, x: (_square(sech(m, x)),),
         partial_texts=("1 - {y}^2",), mathname="tanh"),
    Prim("asinh", 1, "asinh {0}", lambda m, p, x: m.asinh(x), lambda m, p, y, x: (1.0 / m.hypot(x, 1.0),),
         partial_texts=("1/sqrt({0}^2 + 1)",), mathname="asinh"),
    Prim("acosh", 1, "acosh {0}", lambda m, p, x: m.acosh(x),
         lambda m, p, y, x: (m.div(1.0, m.sqrt(x - 1.0) * m.sqrt(x + 1.0)),), domain="x >= 1",
         sample=[[(1.1, 4.0)]], note="derivative is +inf at x = 1", partial_texts=("1/sqrt({0}^2 - 1)",),
         mathname="acosh"),
    Prim("atanh", 1, "atanh {0}", lambda m, p, x: m.atanh(x),
         lambda m, p, y, x: (_inside(m, y, m.div(1.0, one_minus_square(m, x))),), domain="-1 < x < 1", sample=UNIT,
         partial_texts=("1/(1 - {0}^2)",), mathname="atanh"),
    Prim("exp", 1, "exp {0}", lambda m, p, x: m.exp(x), lambda m, p, y, x: (y,), partial_texts=("{y}",),
         mathname="exp"),
    Prim("expm1", 1, "expm1 {0}", lambda m, p, x: m.expm1(x), lambda m, p, y, x: (m.exp(x),),
         doc="exp(x) - 1, accurate near 0", partial_texts=("{y} + 1",), mathname="expm1"),
    Prim("log", 1, "log {0}", lambda m, p, x: m.log(x), lambda m, p, y, x: (_inside(m, y, m.div(1.0, x)),),
         domain="x > 0", sample=POS, doc="natural logarithm", note="log(0) = -inf, log(x<0) = nan",
         partial_texts=("1/{0}",), mathname="log"),
    Prim("log1p", 1, "log1p {0}", lambda m, p, x: m.log1p(x), lambda m, p, y, x: (_inside(m, y, m.div(1.0, 1.0 + x)),),
         domain="x > -1", sample=[[(-0.9, 3.0)]], doc="log(1 + x), accurate near 0", partial_texts=("1/(1 + {0})",),
         mathname="log1p"),
    Prim("log2", 1, "log2 {0}", lambda m, p, x: m.log2(x), lambda m, p, y, x: (_inside(m, y, m.div(1.0, x * LN2)),),
         domain="x > 0", sample=POS, partial_texts=("1/({0}*log(2))",), mathname="log2"),
    Prim("log10", 1, "log10 {0}", lambda m, p, x: m.log10(x), lambda m, p, y, x: (_inside(m, y, m.div(1.0, x * LN10)),),
         domain="x > 0", sample=POS, partial_texts=("1/({0}*log(10))",), mathname="log10"),
    Prim("sqrt", 1, "sqrt {0}", lambda m, p, x: m.sqrt(x), lambda m, p, y, x: (m.div(0.5, m.fabs(y)),),
         domain="x >= 0", sample=POS, note="sqrt'(0) = +inf", partial_texts=("1/(2*{y})",), mathname="sqrt"),
    # y/x/3 rather than 1/(3y^2): it carries cbrt's rounding error once, not twice (libm's
    # cbrt may be 1.3 ulps off: 4.7 ulps at 2.3e-159); 1/(3y^2) still at 0 (+inf), at inf
    # and nan (0), where y/x has no value
    Prim("cbrt", 1, "cbrt {0}", lambda m, p, x: m.cbrt(x),
         lambda m, p, y, x: (m.where(m.fabs(x) > 0.0, m.where(m.fabs(x) < 1e300, m.div(m.div(y, x), 3.0),
                                                             m.div(1.0, 3.0 * y * y)),
                                     m.div(1.0, 3.0 * y * y)),),
         sample=NONZERO, doc="real cube root", note="cbrt'(0) = +inf", partial_texts=("1/(3*{y}^2)",), mathname="cbrt"),
    Prim("abs", 1, "abs {0}", lambda m, p, x: m.fabs(x), lambda m, p, y, x: (m.sign(x),),
         sample=NONZERO, note="abs'(0) = 0", partial_texts=("sign({0})",), mathname="fabs"),
    # 0.0, not the structural 0 that evaluators skip: skipping it would stop a nan from reaching
    # the result (sign(log(x)) at x = -1 had the derivative 0). nan where the value is nan.
    Prim("sign", 1, "sign {0}", lambda m, p, x: m.sign(x), lambda m, p, y, x: (_inside(m, y, 0.0),),
         sample=NONZERO, doc="-1, 0 or 1", note="sign' = 0 everywhere, 0 included", partial_texts=("0",),
         mathname="sign"),
    # sigmoid' = sech(x/2)^2 / 4, not y(1 - y): that cancels once y rounds near 1, and its
    # derivative 1 - 2y cancels near x = 0.
    Prim("sigmoid", 1, "sigmoid {0}", lambda m, p, x: m.sigmoid(x),
         lambda m, p, y, x: (0.25 * _square(sech(m, 0.5 * x)),),
         doc="1 / (1 + exp(-x))", partial_texts=("{y}*(1 - {y})",), mathname="sigmoid"),
    # where, not maximum: under nested AD maximum would bring max's tie rule (1/2) to x = 0.
    Prim("relu", 1, "relu {0}", lambda m, p, x: m.where(x > 0, x, m.where(x == x, 0.0, x)),
         lambda m, p, y, x: (_inside(m, y, m.where(x > 0, 1.0, 0.0)),), sample=NONZERO, doc="max(x, 0)",
         note="relu'(0) = 0", partial_texts=("[{0} > 0]",)),
    Prim("softplus", 1, "softplus {0}", lambda m, p, x: m.softplus(x),
         lambda m, p, y, x: (m.sigmoid(x),), doc="log(1 + exp(x))", partial_texts=("sigmoid({0})",),
         mathname="softplus"),
    Prim("erf", 1, "erf {0}", lambda m, p, x: m.erf(x),
         lambda m, p, y, x: (TWO_OVER_SQRT_PI * exp_minus_square(m, x),), doc="error function",
         partial_texts=("2/sqrt(pi)*exp(-{0}^2)",), mathname="erf"),
    Prim("atan2", 2, "atan2({0}, {1})", lambda m, p, a, b: m.atan2(a, b),
         lambda m, p, y, a, b: _atan2_partials(m, a, b),
         domain="(y, x) != (0, 0)", sample=[[(0.2, 3.0)], [(-3.0, 3.0)]],
         doc="angle of the point (x, y); note the order atan2(y, x)",
         note="both partials are 0 at the origin (convention)",
         partial_texts=("{1}/({0}^2 + {1}^2)", "-{0}/({0}^2 + {1}^2)"), mathname="atan2"),
    Prim("hypot", 2, "hypot({0}, {1})", lambda m, p, a, b: m.hypot(a, b),
         lambda m, p, y, a, b: _hypot_partials(m, a, b, y),
         sample=[NONZERO[0], NONZERO[0]], doc="sqrt(x^2 + y^2) without overflow",
         note="both partials are 0 at the origin, like abs'(0) = 0", partial_texts=("{0}/{y}", "{1}/{y}"),
         mathname="hypot"),
    Prim("min", 2, "min({0}, {1})", lambda m, p, a, b: m.minimum(a, b),
         lambda m, p, y, a, b: _tie_split(m, y, a, b, lambda u, v: u < v),
         sample=[[(-3.0, -0.1)], [(0.1, 3.0)]], doc="the smaller of a and b",
         note="at a tie each argument gets half the derivative", partial_texts=("[{0} < {1}]", "[{1} < {0}]"),
         mathname="minimum"),
    Prim("max", 2, "max({0}, {1})", lambda m, p, a, b: m.maximum(a, b),
         lambda m, p, y, a, b: _tie_split(m, y, a, b, lambda u, v: u > v),
         sample=[[(-3.0, -0.1)], [(0.1, 3.0)]], doc="the larger of a and b",
         note="at a tie each argument gets half the derivative", partial_texts=("[{0} > {1}]", "[{1} > {0}]"),
         mathname="maximum"),
    # comparisons and logic: values 1 or 0, no derivative passes through them
    _comparison("lt", "<", "<", "<", lambda a, b: a < b, "1 if a < b, else 0"),
    _comparison("le", "<=", "≤", "<=", lambda a, b: a <= b, "1 if a <= b, else 0"),
    _comparison("gt", ">", ">", ">", lambda a, b: a > b, "1 if a > b, else 0"),
    _comparison("ge", ">=", "≥", ">=", lambda a, b: a >= b, "1 if a >= b, else 0"),
    _comparison("eq", "==", "=", "==", lambda a, b: a == b, "1 if a == b, else 0"),
    _comparison("ne", "!=", "≠", "!=", lambda a, b: a != b, "1 if a != b, else 0"),
    Prim("and", 2, "{0} and {1}", lambda m, p, a, b: m.where(_truth(m, a), _bool(m, _truth(m, b)), 0.0),
         lambda m, p, y, a, b: (0, 0), kind="operator", doc="1 if a and b are non-zero, else 0",
         spelling="and", symbol="and", partial_texts=("0", "0"), display="and", edges=(),
         guards={1: lambda m, a, b: _truth(m, a)},
         note="b is looked at only where a is non-zero (no warning from b elsewhere); partials 0"),
    Prim("or", 2, "{0} or {1}", lambda m, p, a, b: m.where(_truth(m, a), 1.0, _bool(m, _truth(m, b))),
         lambda m, p, y, a, b: (0, 0), kind="operator", doc="1 if a or b is non-zero, else 0",
         spelling="or", symbol="or", partial_texts=("0", "0"), display="or", edges=(),
         guards={1: lambda m, a, b: a == 0},
         note="b is looked at only where a is 0 (no warning from b elsewhere); partials 0"),
    Prim("not", 1, "not {0}", lambda m, p, a: _bool(m, a == 0), lambda m, p, y, a: (0,), kind="operator",
         doc="1 if a is 0, else 0", spelling="not", symbol="not", partial_texts=("0",), display="not",
         edges=(), note="1 or 0; its partial is 0 everywhere (not nan is 0)"),
    # if(c, a, b): the partials are Iverson brackets, and the guards keep the branch not
    # taken out of every result (see the module docstring).
    Prim("if", 3, "if({0}, {1}, {2})", _if_value,
         lambda m, p, y, c, a, b: (0, m.where(_truth(m, c), 1, 0), m.where(_truth(m, c), 0, 1)),
         doc="a where c is non-zero, b elsewhere", edges=(1, 2),
         guards={1: lambda m, c, a, b: _truth(m, c), 2: lambda m, c, a, b: c == 0},
         sample=[[(-3.0, -0.1), (0.1, 3.0)], [(-3.0, 3.0)], [(-3.0, 3.0)]],
         note="the derivative is that of the branch taken; at the boundary (c exactly 0 or not) the "
              "branch the condition selects is used, with its own one-sided derivative; nothing of the "
              "branch not taken reaches any result (no nan, no warning); a nan condition counts as "
              "non-zero, as in IEEE arithmetic (a comparison with nan is 0, so if(x > 0, a, b) takes b)",
         partial_texts=("0", "[{0} != 0]", "[{0} == 0]")),
]

PRIMS = {p.name: p for p in _table}

# Names a user may call, one-argument functions first as the README lists them.
# pow(x, c) with a constant c becomes powc while lowering.
FUNCTIONS = {p.name: p for p in sorted((p for p in _table if p.by_name), key=lambda p: p.arity)}

# (spelling, arity) -> op: how the parser's operators lower; "-" is sub between two operands, neg before one.
# x^c with a constant c also becomes powc while lowering.
OPERATORS = {(p.spelling, p.arity): p.name for p in _table if p.spelling}

CONSTANTS = {"pi": math.pi, "e": math.e}
