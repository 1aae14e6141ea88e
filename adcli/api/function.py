"""The library API that the command line is a thin layer over.

    >>> import adcli
    >>> r = adcli.grad("(x+y)*(x-y)", x=3, y=2)
    >>> r.value, r.gradient
    (5.0, {'x': 6.0, 'y': -4.0})
    >>> f = adcli.compile("(x+y)*(x-y)")            # parse once, evaluate many times
    >>> f.grad(x=[1.0, 2.0], y=[0.5, 0.5]).gradient["x"]   # numpy arrays of points
    array([2., 4.])

A Function parses once; each method checks its point (adcli.api.inputs) and hands the
work to adcli.api.derivatives, which returns the declared results of adcli.api.results.

Called with the values as positional arguments, in the order of `variables`, a Function
is for numeric code: f(x, y) is the value, f.grad(x, y) is (value, gradient as a numpy
array); at one point of floats it runs Python generated from the derivative program
(adcli.engine.codegen), compiled on the first such call.
"""
import functools

from ..errors import UsageError
from . import derivatives, fast
from .inputs import complete_point


def parse(expr):
    """The IR Program of an expression (raises ExprError with a column on bad input)."""
    from ..language import parse as parse_program
    return parse_program(expr)


class Function:
    """A parsed expression, ready to evaluate and differentiate at one point (floats)
    or at many points at once (numpy arrays, evaluated elementwise)."""

    def __init__(self, expr, variables=None):
        self.expr = expr
        self.program = parse(expr)
        self._variables = fast.declared(self.program, variables)
        self._compiled = None

    @property
    def variables(self):
        """The order of positional arguments: as declared with compile(expr, variables=[...]),
        else the order in which the variables first appear in the expression."""
        return self._variables

    def __repr__(self):
        declared = "" if self._variables == self.program.inputs else f", variables={list(self._variables)!r}"
        return f"adcli.compile({self.expr!r}{declared})"

    def __call__(self, *args, **point):
        """The value: f(3.0, 2.0) in the order of f.variables, or f(x=3.0, y=2.0); a float
        at one point (a list for several outputs), arrays at arrays of points."""
        compiled = self.__dict__.get("_value")
        if compiled is not None:
            return compiled(*args, **point)
        return fast.value(self, args, point)

    def eval(self, at=None, **point):
        """Value(s) of the expression at a point."""
        return derivatives.evaluate(self, complete_point(self.program, at, point))

    def grad(self, *args, wrt=None, mode="auto", **point):
        """Value and gradient. With the values as positional arguments, in the order of
        f.variables: (value, gradient), the gradient a numpy array in that order (at arrays
        of points, value has their shape and gradient one more axis, last, per variable).
        With keywords or a dict: a Result (value list, gradient dict), as before."""
        if fast.positional(args, point):
            return fast.grad(self, args, wrt, mode)
        return self._grad(args[0] if args else point.pop("at", None), wrt=wrt, mode=mode, **point)

    def _wrt(self, wrt):
        # Declared variables are the default order of derivatives in every calling form.
        return self._variables if wrt is None and self._variables != self.program.inputs else wrt

    def _grad(self, at=None, *, wrt=None, mode="auto", **point):
        wrt = self._wrt(wrt)
        n_out = len(self.program.outputs)
        if n_out != 1:
            raise UsageError(f"grad needs one output, got {n_out}",
                             hint="differentiate several outputs with 'adcli jacobian' (Function.jacobian)")
        return self.derivatives(at, wrt=wrt, mode=mode, **point)

    def derivatives(self, at=None, *, wrt=None, mode="auto", **point):
        """Values and the Jacobian (rows = outputs) at a point, in the given AD mode."""
        return derivatives.derivatives(self, complete_point(self.program, at, point), wrt, mode)

    def jacobian(self, *args, wrt=None, mode="auto", **point):
        """Values and Jacobian (rows = outputs), with the mode chosen and why. Positional
        values: (values, J) as numpy arrays, J of shape (outputs, variables)."""
        if fast.positional(args, point):
            return fast.jacobian(self, args, wrt, mode)
        at = args[0] if args else point.pop("at", None)
        return derivatives.jacobian(self, complete_point(self.program, at, point), self._wrt(wrt), mode)

    def hessian(self, *args, wrt=None, **point):
        """Value, gradient and exact Hessian (forward-over-reverse) of the one output.
        Positional values: (value, gradient, H) with numpy arrays in the order of f.variables."""
        if fast.positional(args, point):
            return fast.hessian(self, args, wrt)
        at = args[0] if args else point.pop("at", None)
        return derivatives.hessian(self, complete_point(self.program, at, point), self._wrt(wrt))

    def jvp(self, at=None, *, dir, **point):  # noqa: A002 - the CLI's --dir
        """Values and the Jacobian-vector product J @ dir (dir = {variable: number})."""
        return derivatives.jvp(self, complete_point(self.program, at, point), dir)

    def vjp(self, at=None, *, cotangent, **point):
        """Values and the vector-Jacobian product cotangent @ J, one number per variable."""
        return derivatives.vjp(self, complete_point(self.program, at, point), cotangent)

    def taylor(self, at=None, *, wrt=None, dir=None, order=5, **point):  # noqa: A002
        """Derivatives 0..order along a variable or a direction, by Taylor-mode AD. With
        arrays of points, each coefficient is an array, and a point where a function has
        no Taylor series gets nan with a warning (one point raises EvalError)."""
        return derivatives.taylor(self, complete_point(self.program, at, point), wrt, dir, order)

    def check(self, at=None, *, wrt=None, **point):
        """Forward and reverse AD against extrapolated central differences."""
        return derivatives.check(self, complete_point(self.program, at, point), wrt)


def compile(expr, variables=None):  # noqa: A001 - the natural name for "parse once, run many times"
    """Parse an expression once; the Function evaluates and differentiates it. `variables`
    declares the order of positional arguments and of gradients (default: the order of
    first appearance in the expression, so "10*(y-3)^2 + (x-1)^2" has ('y', 'x'))."""
    return Function(expr, variables)


@functools.lru_cache(maxsize=256)
def _cached(expr):
    # Functions hold no state of a call: repeated adcli.grad(EXPR, ...) calls share one parse.
    return Function(expr)


def _function(expr):
    if not isinstance(expr, str):
        raise TypeError(f"the expression must be a str, not {type(expr).__name__}")
    return _cached(expr)


def evaluate(expr, at=None, **point):
    """Value(s) of `expr` at a point: adcli.evaluate("x*y", x=2, y=3).value == [6.0]."""
    return _function(expr).eval(at, **point)


def grad(expr, at=None, *, wrt=None, mode="auto", **point):
    """Value and gradient by automatic differentiation:
    adcli.grad("(x+y)*(x-y)", x=3, y=2).gradient == {'x': 6.0, 'y': -4.0}."""
    return _function(expr)._grad(at, wrt=wrt, mode=mode, **point)
