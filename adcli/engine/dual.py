"""Dual numbers built from the primitive table, for forward-over-reverse derivatives.

A Dual is a value with a sparse tangent {direction: number}. Every operation on Duals
goes through the primitive table: the value from the op's value rule, the tangent from
its partials rule, both evaluated on the plain values by the base namespace (adcli.scalar
for one point, adcli.vector for arrays). So DualMath(base) is a math namespace like the
other two, and running the reverse evaluator with it differentiates the reverse sweep
itself: the adjoints come out as Duals whose tangents are Hessian rows. There is no
second derivative table to keep in step with the first.

Sparse tangents make one sweep carry every direction at the cost of the directions that
actually reach a node (a Rosenbrock node sees two variables, not n).
"""
from ..ops.call import call_partials, call_value, is_zero, scale
from ..ops.table import PRIMS

# math-namespace name -> primitive; a function of the namespace is the primitive itself.
_UNARY = {p.mathname: p.name for p in PRIMS.values() if p.mathname and p.arity == 1}
_BINARY = {p.mathname: p.name for p in PRIMS.values() if p.mathname and p.arity == 2}


class Dual:
    __slots__ = ("v", "t", "m")
    __array_ufunc__ = None  # numpy arrays defer to Dual's reflected operators

    def __init__(self, v, t, m):
        self.v = v  # the value (a float, or an array of points)
        self.t = t  # {direction: tangent}; a missing direction is a structural zero
        self.m = m  # the DualMath that made it

    def __repr__(self):
        return f"Dual({self.v!r}, {self.t!r})"

    def __add__(self, o):
        return self.m.apply("add", None, (self, o))

    def __radd__(self, o):
        return self.m.apply("add", None, (o, self))

    def __sub__(self, o):
        return self.m.apply("sub", None, (self, o))

    def __rsub__(self, o):
        return self.m.apply("sub", None, (o, self))

    def __mul__(self, o):
        return self.m.apply("mul", None, (self, o))

    def __rmul__(self, o):
        return self.m.apply("mul", None, (o, self))

    def __truediv__(self, o):
        return self.m.apply("div", None, (self, o))

    def __rtruediv__(self, o):
        return self.m.apply("div", None, (o, self))

    def __neg__(self):
        return self.m.apply("neg", None, (self,))

    def __pos__(self):
        return self

    # Comparisons look at values only: rules use them in m.where to pick a branch.
    def __lt__(self, o):
        return self.v < _v(o)

    def __le__(self, o):
        return self.v <= _v(o)

    def __gt__(self, o):
        return self.v > _v(o)

    def __ge__(self, o):
        return self.v >= _v(o)

    def __eq__(self, o):
        return self.v == _v(o)

    def __ne__(self, o):
        return self.v != _v(o)

    __hash__ = None


def _v(x):
    return x.v if type(x) is Dual else x


class DualMath:
    """The math namespace of Duals over a base namespace (adcli.scalar or adcli.vector)."""
    __name__ = "adcli.engine.dual"

    def __init__(self, base):
        self.base = base
        self.scalar = base.__name__ == "adcli.ops.scalar"
        self.inf, self.nan, self.pi = base.inf, base.nan, base.pi
        for fname, prim in _UNARY.items():
            setattr(self, fname, self._unary(prim))
        for fname, prim in _BINARY.items():
            setattr(self, fname, self._binary(prim))

    def _unary(self, prim):
        return lambda x: self.apply(prim, None, (x,))

    def _binary(self, prim):
        return lambda a, b: self.apply(prim, None, (a, b))

    def apply(self, name, param, args):
        """One primitive on Duals and plain numbers: a plain number when no argument
        carries a tangent, otherwise a Dual with tangent sum_i p_i * t_i."""
        prim = PRIMS[name]
        vals = [a.v if type(a) is Dual else a for a in args]
        y = call_value(prim, self.base, param, vals)
        if not any(type(a) is Dual and a.t for a in args):
            return y
        if name == "div":
            return self._quotient(args, vals[1], y)
        ps = call_partials(prim, self.base, param, y, vals)
        t = {}
        for a, p in zip(args, ps):
            if type(a) is not Dual or is_zero(p):
                continue
            for k, tk in a.t.items():
                term = scale(p, tk)
                t[k] = t[k] + term if k in t else term
        return Dual(y, t, self)

    def _quotient(self, args, b, y):
        """The tangent of y = a/b as (da - y*db)/b: div's rule, with the division done last.
        The partial -y/b alone under- or overflows where the tangent does not: in 1/(1 + x^2)
        at x = 1e100 it is -1e-400 = 0, times the tangent 2e100 of 1 + x^2; (0 - 1e-200 *
        2e100) / 1e200 is the derivative, -2e-300."""
        a_t = args[0].t if type(args[0]) is Dual else {}
        b_t = args[1].t if type(args[1]) is Dual else {}
        div = self.base.div
        t = {}
        for k, ta in a_t.items():
            t[k] = ta - y * b_t[k] if k in b_t else ta
        for k, tb in b_t.items():
            if k not in a_t:
                t[k] = 0.0 - y * tb  # as ta - y*tb with ta = 0: +0 for a zero tangent
        return Dual(y, {k: div(v, b) for k, v in t.items()}, self)

    def pow(self, a, b):
        # A plain number exponent is a constant: powc, whose rule never takes log(a).
        if type(b) in (float, int):
            return self.apply("powc", float(b), (a,))
        return self.apply("pow", None, (a, b))

    def where(self, cond, a, b):
        if self.scalar:
            return a if cond else b
        if type(a) is not Dual and type(b) is not Dual:
            return self.base.where(cond, a, b)
        w = self.base.where
        at = a.t if type(a) is Dual else {}
        bt = b.t if type(b) is Dual else {}
        t = {k: w(cond, at.get(k, 0.0), bt.get(k, 0.0)) for k in (*at, *(k for k in bt if k not in at))}
        return Dual(w(cond, _v(a), _v(b)), t, self)

    def isfinite(self, x):
        return self.base.isfinite(_v(x))

    def isnan(self, x):
        return self.base.isnan(_v(x))

    def copysign(self, a, b):
        return self.base.copysign(_v(a), _v(b))


def seed(x, direction, m):
    """Input value x moving along one direction with unit speed."""
    return Dual(x, {direction: 1.0}, m)
