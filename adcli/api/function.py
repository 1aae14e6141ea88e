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
"""
from ..errors import UsageError
from . import derivatives
from .inputs import complete_point


def parse(expr):
    """The IR Program of an expression (raises ExprError with a column on bad input)."""
    from ..language import parse as parse_program
    return parse_program(expr)


class Function:
    """A parsed expression, ready to evaluate and differentiate at one point (floats)
    or at many points at once (numpy arrays, evaluated elementwise)."""

    def __init__(self, expr):
        self.expr = expr
        self.program = parse(expr)

    @property
    def variables(self):
        return self.program.inputs

    def __repr__(self):
        return f"adcli.compile({self.expr!r})"

    def eval(self, at=None, **point):
        """Value(s) of the expression at a point."""
        return derivatives.evaluate(self, complete_point(self.program, at, point))

    def grad(self, at=None, *, wrt=None, mode="auto", **point):
        """Value and gradient at a point (one output; .jacobian takes several)."""
        n_out = len(self.program.outputs)
        if n_out != 1:
            raise UsageError(f"grad needs one output, got {n_out}",
                             hint="differentiate several outputs with 'adcli jacobian' (Function.jacobian)")
        return self.derivatives(at, wrt=wrt, mode=mode, **point)

    def derivatives(self, at=None, *, wrt=None, mode="auto", **point):
        """Values and the Jacobian (rows = outputs) at a point, in the given AD mode."""
        return derivatives.derivatives(self, complete_point(self.program, at, point), wrt, mode)

    def jacobian(self, at=None, *, wrt=None, mode="auto", **point):
        """Values and Jacobian (rows = outputs), with the mode chosen and why."""
        return derivatives.jacobian(self, complete_point(self.program, at, point), wrt, mode)

    def hessian(self, at=None, *, wrt=None, **point):
        """Value, gradient and exact Hessian (forward-over-reverse) of the one output."""
        return derivatives.hessian(self, complete_point(self.program, at, point), wrt)

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


def compile(expr):  # noqa: A001 - the natural name for "parse once, run many times"
    """Parse an expression once; the Function evaluates and differentiates it."""
    return Function(expr)


def evaluate(expr, at=None, **point):
    """Value(s) of `expr` at a point: adcli.evaluate("x*y", x=2, y=3).value == [6.0]."""
    return Function(expr).eval(at, **point)


def grad(expr, at=None, *, wrt=None, mode="auto", **point):
    """Value and gradient by automatic differentiation:
    adcli.grad("(x+y)*(x-y)", x=3, y=2).gradient == {'x': 6.0, 'y': -4.0}."""
    return Function(expr).grad(at, wrt=wrt, mode=mode, **point)
