"""Derivatives of order 2 and more by nested forward mode, built only from the primitive
table.

DualSpace(inner) is a math namespace, like adcli.scalar or adcli.vector, whose numbers
are dual numbers v + t·ε over the namespace `inner`. Each of its functions applies the
rule of the matching primitive (value and partials, from adcli.primitives) to the
value part and pushes the ε part through the partials: forward mode, one level down.
Running adcli.forward.jvp over DualSpace(vector) therefore differentiates the
derivative: the tangent's ε part is f″. Nesting k levels gives f, f′, …, f⁽ᵏ⁺¹⁾ from
one sweep, at a cost that grows like 2ᵏ (fine for the few orders a plot shows).

Used by adcli.plotdata for --order >= 2. Kept apart from the evaluators on purpose: a
Taylor-mode module may replace it; the interface is derivatives(program, ...) below.
The nesting depth is the derivative order, never the expression depth.
"""
from .primitives import PRIMS
from .sweep import call_partials, call_value, is_zero, scale


class Dual:
    """v + t·ε_level. A Dual of a lower level inside one of a higher level is a
    constant at the higher level; tagging each ε with its level keeps them apart."""
    __slots__ = ("v", "t", "level")
    __array_ufunc__ = None  # numpy defers to Dual's operators instead of making object arrays
    __hash__ = None

    def __init__(self, v, t, level):
        self.v = v
        self.t = t
        self.level = level

    def __repr__(self):
        return f"Dual{self.level}({self.v!r}, {self.t!r})"

    def __add__(self, o):
        return _apply("add", None, self, o)

    def __radd__(self, o):
        return _apply("add", None, o, self)

    def __sub__(self, o):
        return _apply("sub", None, self, o)

    def __rsub__(self, o):
        return _apply("sub", None, o, self)

    def __mul__(self, o):
        return _apply("mul", None, self, o)

    def __rmul__(self, o):
        return _apply("mul", None, o, self)

    def __truediv__(self, o):
        return _apply("div", None, self, o)

    def __rtruediv__(self, o):
        return _apply("div", None, o, self)

    def __neg__(self):
        return _apply("neg", None, self)

    def __pos__(self):
        return self

    # Comparisons look at the primal values only (they steer m.where in the rules).
    def __lt__(self, o):
        return primal(self) < primal(o)

    def __le__(self, o):
        return primal(self) <= primal(o)

    def __gt__(self, o):
        return primal(self) > primal(o)

    def __ge__(self, o):
        return primal(self) >= primal(o)

    def __eq__(self, o):
        return primal(self) == primal(o)

    def __ne__(self, o):
        return primal(self) != primal(o)


def primal(x):
    while isinstance(x, Dual):
        x = x.v
    return x


def _level(x):
    return x.level if isinstance(x, Dual) else 0


_spaces = {}


def _apply(name, param, *args):
    """The primitive `name` at dual arguments: its rule on the value parts, its partials
    on the ε parts of the highest level present."""
    level = max(_level(a) for a in args)
    prim = PRIMS[name]
    if level == 0:
        return call_value(prim, space(0), param, list(args))
    inner = space(level - 1)
    vs = [a.v if _level(a) == level else a for a in args]
    ts = [a.t if _level(a) == level else None for a in args]
    y = call_value(prim, inner, param, vs)
    ps = call_partials(prim, inner, param, y, vs)
    out = None
    for p, t in zip(ps, ts):
        if t is None or is_zero(p):
            continue
        term = scale(p, t)
        out = term if out is None else out + term
    return y if out is None else Dual(y, out, level)


def space(levels):
    """DualSpace nested `levels` deep over adcli.vector (levels 0 is adcli.vector)."""
    if levels <= 0:
        from . import vector
        return vector
    s = _spaces.get(levels)
    if s is None:
        s = _spaces[levels] = DualSpace(levels)
    return s


def _unary(name):
    return lambda self, x: _apply(name, None, x)


def _binary(name):
    return lambda self, a, b: _apply(name, None, a, b)


class DualSpace:
    """A math namespace over dual numbers of one level (see the module docstring)."""

    inf = float("inf")
    nan = float("nan")

    def __init__(self, level):
        self.level = level
        self.inner = space(level - 1)
        self.__name__ = f"adcli.nested[{level}]"
        self.pi = self.inner.pi

    for _name, _prim in (("sin", "sin"), ("cos", "cos"), ("tan", "tan"), ("asin", "asin"), ("acos", "acos"),
                         ("atan", "atan"), ("sinh", "sinh"), ("cosh", "cosh"), ("tanh", "tanh"),
                         ("asinh", "asinh"), ("acosh", "acosh"), ("atanh", "atanh"), ("exp", "exp"),
                         ("expm1", "expm1"), ("log", "log"), ("log1p", "log1p"), ("log2", "log2"),
                         ("log10", "log10"), ("sqrt", "sqrt"), ("cbrt", "cbrt"), ("fabs", "abs"),
                         ("sign", "sign"), ("erf", "erf")):
        locals()[_name] = _unary(_prim)
    for _name, _prim in (("hypot", "hypot"), ("atan2", "atan2"), ("minimum", "min"), ("maximum", "max"),
                         ("div", "div")):
        locals()[_name] = _binary(_prim)
    del _name, _prim

    def pow(self, a, b):
        if isinstance(b, (int, float)):
            return _apply("powc", float(b), a)  # a constant exponent, as the IR has it
        return _apply("pow", None, a, b)

    def where(self, cond, a, b):
        lv = self.level
        if _level(a) < lv and _level(b) < lv:
            return self.inner.where(cond, a, b)
        va = a.v if _level(a) == lv else a
        vb = b.v if _level(b) == lv else b
        ta = a.t if _level(a) == lv and a.t is not None else 0.0
        tb = b.t if _level(b) == lv and b.t is not None else 0.0
        return Dual(self.inner.where(cond, va, vb), self.inner.where(cond, ta, tb), lv)

    def isfinite(self, x):
        from . import vector
        return vector.isfinite(primal(x))

    def isnan(self, x):
        from . import vector
        return vector.isnan(primal(x))


def derivatives(program, xs, wrt, order):
    """[f, f′, …, f⁽ᵒʳᵈᵉʳ⁾] of the first output along input `wrt`, at numpy arrays xs
    (one array per input), as float arrays of the broadcast shape."""
    import numpy as np

    from . import forward, sweep, vector
    shape = np.broadcast_shapes(*[np.shape(a) for a in xs]) if xs else ()
    if order == 0:
        out = [sweep.values(program, xs, vector)[program.outputs[0]]]
    else:
        levels = order - 1
        x = xs[wrt]
        for lv in range(1, levels + 1):
            x = Dual(x, 1.0, lv)
        args = list(xs)
        args[wrt] = x
        seeds = [None] * len(xs)
        seeds[wrt] = [1.0]
        vals, tans = forward.jvp(program, args, seeds, space(levels))
        o = program.outputs[0]
        value, tangent = vals[o], (tans[o][0] if tans[o] is not None else None)
        out = [_coeff(value, j, levels) for j in range(levels + 1)]
        out.append(_coeff(tangent, levels, levels))
    return [np.broadcast_to(np.asarray(c, dtype=np.float64), shape).copy() for c in out]


def _coeff(x, j, levels):
    """The coefficient of ε_levels … ε_(levels-j+1): the ε part of the outer j levels,
    the value part of the others."""
    for lv in range(levels, 0, -1):
        take_t = lv > levels - j
        if x is None:
            return 0.0
        if _level(x) == lv:
            x = x.t if take_t else x.v
        elif take_t:
            return 0.0  # constant at this level
    return 0.0 if x is None else x
