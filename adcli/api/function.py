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
from .shapes import bind, lengths_of_columns


def parse(expr, lengths=None):
    """The IR Program of an expression (raises ExprError with a column on bad input);
    lengths gives the length of each vector the expression indexes: parse(expr, {"x": 3})."""
    from ..language import parse as parse_program
    return parse_program(expr, lengths)


class Function:
    """A parsed expression, ready to evaluate and differentiate at one point (floats)
    or at many points at once (numpy arrays, evaluated elementwise).

    An expression that indexes a variable (x[i]) or takes its len is lowered at each
    call for the lengths of the vectors it is given (cached per lengths), as a jit
    specialises on shapes: its IR has the inputs x[1] .. x[n]. A list or a 1-D array is
    one vector, a 2-D array many points of one (a row each)."""

    CACHE = 16   # programs kept per expression, one per vector lengths

    def __init__(self, expr):
        from ..language.lower import lower
        from ..language.syntax import parse as parse_syntax
        from ..language.vectors import vector_names
        self.expr = expr
        self._stmts = parse_syntax(expr)
        self.vectors = vector_names(self._stmts)   # {name: column of its first use as a vector}
        self._programs = {}
        self._program = None if self.vectors else lower(self._stmts, expr)

    @property
    def program(self):
        """The IR. An expression with vectors has one per vector lengths: take it from
        f.specialise(lengths) (or call a method with a point, which does)."""
        if self._program is None:
            names = ", ".join(self.vectors)
            raise UsageError(f"the expression's IR depends on the length of {names}",
                             hint=f"give a point with a vector value, as in --at {next(iter(self.vectors))}=[1,2,3]")
        return self._program

    @property
    def outputs(self):
        """The source text of each output."""
        last = self._stmts[-1]
        return tuple(self.expr[e.start:e.end].strip() for e in last.args)

    @property
    def variables(self):
        """The input names: for an expression with vectors, the vectors' names (not their
        elements) and the other variables', in order of first appearance."""
        if self._program is not None:
            return self._program.inputs
        from ..language.vectors import scalar_uses
        from ..ops.table import CONSTANTS
        lets = {s.value for s in self._stmts if s.kind == "let"}
        indices = _indices(self._stmts)
        found = dict(self.vectors)
        for name, pos in scalar_uses(self._stmts).items():
            if name not in lets and name not in indices and name not in CONSTANTS and name not in found:
                found[name] = pos
        return tuple(sorted(found, key=found.get))

    def specialise(self, lengths):
        """The Function of this expression for vectors of the given lengths ({name: n});
        itself when the expression has no vectors."""
        if self._program is not None:
            return self
        key = tuple(lengths.get(v) for v in self.vectors)
        g = self._programs.get(key)
        if g is None:
            from ..language.lower import lower
            program = lower(self._stmts, self.expr, {v: n for v, n in lengths.items() if v in self.vectors})
            g = object.__new__(Function)
            g.expr, g._stmts, g.vectors, g._programs, g._program = self.expr, self._stmts, {}, {}, program
            if len(self._programs) >= self.CACHE:
                del self._programs[next(iter(self._programs))]
            self._programs[key] = g
        return g

    def bind(self, at=None, point=None):
        """(the Function for the point's vector lengths, the point with each vector given
        as its elements x[1] .. x[n])."""
        given = dict(at or {})
        given.update(point or {})
        return bind(self, given)

    def for_columns(self, names, defaults):
        """(the Function for a points file whose columns are names, the defaults with
        their vectors as elements): a vector x is the columns x[1], x[2], ..."""
        lengths = lengths_of_columns(self.vectors, names)
        for v in lengths:
            if v in defaults:
                raise UsageError(f"the vector {v} is given twice: by the points file's columns and by --at",
                                 hint=f"drop {v} from --at, or its columns from the file")
        return bind(self, dict(defaults), lengths)

    def __repr__(self):
        return f"adcli.compile({self.expr!r})"

    def _at(self, at, point):
        g, flat = self.bind(at, point)
        return g, complete_point(g.program, flat, {})

    def eval(self, at=None, **point):
        """Value(s) of the expression at a point."""
        g, p = self._at(at, point)
        return derivatives.evaluate(g, p)

    def grad(self, at=None, *, wrt=None, mode="auto", **point):
        """Value and gradient at a point (one output; .jacobian takes several)."""
        n_out = len(self.outputs)
        if n_out != 1:
            raise UsageError(f"grad needs one output, got {n_out}",
                             hint="differentiate several outputs with 'adcli jacobian' (Function.jacobian)")
        return self.derivatives(at, wrt=wrt, mode=mode, **point)

    def derivatives(self, at=None, *, wrt=None, mode="auto", **point):
        """Values and the Jacobian (rows = outputs) at a point, in the given AD mode."""
        g, p = self._at(at, point)
        return derivatives.derivatives(g, p, wrt, mode)

    def jacobian(self, at=None, *, wrt=None, mode="auto", **point):
        """Values and Jacobian (rows = outputs), with the mode chosen and why."""
        g, p = self._at(at, point)
        return derivatives.jacobian(g, p, wrt, mode)

    def hessian(self, at=None, *, wrt=None, **point):
        """Value, gradient and exact Hessian (forward-over-reverse) of the one output."""
        g, p = self._at(at, point)
        return derivatives.hessian(g, p, wrt)

    def jvp(self, at=None, *, dir, **point):  # noqa: A002 - the CLI's --dir
        """Values and the Jacobian-vector product J @ dir (dir = {variable: number, or a
        vector for a vector variable})."""
        g, p = self._at(at, point)
        return derivatives.jvp(g, p, dir)

    def vjp(self, at=None, *, cotangent, **point):
        """Values and the vector-Jacobian product cotangent @ J, one number per variable."""
        g, p = self._at(at, point)
        return derivatives.vjp(g, p, cotangent)

    def taylor(self, at=None, *, wrt=None, dir=None, order=5, **point):  # noqa: A002
        """Derivatives 0..order along a variable or a direction, by Taylor-mode AD. With
        arrays of points, each coefficient is an array, and a point where a function has
        no Taylor series gets nan with a warning (one point raises EvalError)."""
        g, p = self._at(at, point)
        return derivatives.taylor(g, p, wrt, dir, order)

    def check(self, at=None, *, wrt=None, **point):
        """Forward and reverse AD against extrapolated central differences."""
        g, p = self._at(at, point)
        return derivatives.check(g, p, wrt)


def _indices(stmts):
    """The names of the sum and prod indices anywhere in the statements."""
    found = set()
    for stmt in stmts:
        stack = [stmt]
        while stack:
            node = stack.pop()
            if node.kind == "sum":
                found.add(node.value[1])
            stack.extend(node.args)
    return found


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
