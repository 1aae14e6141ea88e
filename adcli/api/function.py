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
(adcli.engine.codegen), compiled on the first such call. A vector variable's value is a
list or 1-D array, and its derivatives are its elements' in place:
compile("sum(i = 1:len(x), x[i]^2) * y").grad([1.0, 2.0], 3.0) is (15.0, [6, 12, 5]).
"""
import functools

from ..errors import UsageError
from . import derivatives, fast
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

    def __init__(self, expr, variables=None):
        from ..language.lower import lower
        from ..language.syntax import parse as parse_syntax
        from ..language.vectors import vector_names
        self.expr = expr
        self._stmts = parse_syntax(expr)
        self.vectors = vector_names(self._stmts)   # {name: column of its first use as a vector}
        self._programs = {}
        self._program = None if self.vectors else lower(self._stmts, expr)
        self._declared = None if variables is None else tuple(variables) if not isinstance(variables, str) \
            else variables
        if self._program is not None:
            self._variables = fast.declared(self._program, variables)
        else:
            self._variables = _declared_names(self._appearance(), variables)
        self._compiled = None

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
        """The order of positional arguments and of derivatives: as declared with
        compile(expr, variables=[...]), else the order in which the variables first appear
        in the expression (for an expression with vectors, the vectors' names, not their
        elements)."""
        return self._variables

    def _appearance(self):
        if self._program is not None:
            return self._program.inputs
        from ..language.vectors import scalar_uses
        from ..ops.table import CONSTANTS
        lets = {s.value for s in self._stmts if s.kind == "let"}
        params = {p.value for s in self._stmts if s.kind == "define" for p in s.args[:-1]}
        indices = _indices(self._stmts)
        found = dict(self.vectors)
        for name, pos in scalar_uses(self._stmts).items():
            if name not in lets and name not in indices and name not in CONSTANTS and name not in found \
                    and name not in params:
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
            from ..language.vectors import element
            program = lower(self._stmts, self.expr, {v: n for v, n in lengths.items() if v in self.vectors})
            g = object.__new__(Function)
            g.expr, g._stmts, g.vectors, g._programs, g._program = self.expr, self._stmts, {}, {}, program
            g._declared, g._compiled = self._declared, None
            sizes = dict(program.vectors)
            # The declared order, each vector as its elements in place.
            g._variables = tuple(e for v in self._variables
                                 for e in ([element(v, k) for k in range(1, sizes[v] + 1)] if v in sizes else [v]))
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

    def _positional(self, args, point):
        return fast.positional(args, point)

    def _spread(self, args):
        """(the Function for the vectors' lengths, the values of its variables in order)
        from positional values in the order of f.variables: a vector's value is a list or
        a 1-D array (one point) or a 2-D array (many points, a row each), and stands for
        its elements x[1] .. x[n] in place."""
        if self._program is not None:
            return self, args
        names = self._variables
        if len(args) != len(names):
            raise TypeError(f"this function takes {len(names)} value{'s' if len(names) != 1 else ''} "
                            f"({', '.join(names)}), got {len(args)}")
        g, flat = self.bind(dict(zip(names, args)))
        return g, tuple(flat[v] for v in g._variables)

    def __repr__(self):
        declared = "" if self._declared is None else f", variables={list(self._variables)!r}"
        return f"adcli.compile({self.expr!r}{declared})"

    def __call__(self, *args, **point):
        """The value: f(3.0, 2.0) in the order of f.variables, or f(x=3.0, y=2.0); a float
        at one point (a list for several outputs), arrays at arrays of points."""
        compiled = self.__dict__.get("_value")
        if compiled is not None:
            return compiled(*args, **point)
        if self._program is None:
            if self._positional(args, point):
                g, vals = self._spread(args)
                return fast.value(g, vals, {})
            return self.eval(args[0] if args else None, **point)
        return fast.value(self, args, point)

    def _at(self, at, point):
        g, flat = self.bind(at, point)
        return g, complete_point(g.program, flat, {})

    def eval(self, at=None, **point):
        """Value(s) of the expression at a point."""
        g, p = self._at(at, point)
        return derivatives.evaluate(g, p)

    def grad(self, *args, wrt=None, mode="auto", **point):
        """Value and gradient. With the values as positional arguments, in the order of
        f.variables: (value, gradient), the gradient a numpy array in that order (at arrays
        of points, value has their shape and gradient one more axis, last, per variable).
        With keywords or a dict: a Result (value list, gradient dict), as before."""
        if self._positional(args, point):
            return fast.grad(*self._spread(args), wrt, mode)
        return self._grad(args[0] if args else point.pop("at", None), wrt=wrt, mode=mode, **point)

    def _wrt(self, wrt):
        # Declared variables are the default order of derivatives in every calling form.
        return self._variables if wrt is None and self._variables != self.program.inputs else wrt

    def _grad(self, at=None, *, wrt=None, mode="auto", **point):
        n_out = len(self.outputs)
        if n_out != 1:
            raise UsageError(f"grad needs one output, got {n_out}",
                             hint="differentiate several outputs with 'adcli jacobian' (Function.jacobian)")
        return self.derivatives(at, wrt=wrt, mode=mode, **point)

    def derivatives(self, at=None, *, wrt=None, mode="auto", **point):
        """Values and the Jacobian (rows = outputs) at a point, in the given AD mode."""
        g, p = self._at(at, point)
        return derivatives.derivatives(g, p, g._wrt(wrt), mode)

    def jacobian(self, *args, wrt=None, mode="auto", **point):
        """Values and Jacobian (rows = outputs), with the mode chosen and why. Positional
        values: (values, J) as numpy arrays, J of shape (outputs, variables)."""
        if self._positional(args, point):
            return fast.jacobian(*self._spread(args), wrt, mode)
        g, p = self._at(args[0] if args else point.pop("at", None), point)
        return derivatives.jacobian(g, p, g._wrt(wrt), mode)

    def hessian(self, *args, wrt=None, **point):
        """Value, gradient and exact Hessian (forward-over-reverse) of the one output.
        Positional values: (value, gradient, H) with numpy arrays in the order of f.variables."""
        if self._positional(args, point):
            return fast.hessian(*self._spread(args), wrt)
        g, p = self._at(args[0] if args else point.pop("at", None), point)
        return derivatives.hessian(g, p, g._wrt(wrt))

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


def _declared_names(names, variables):
    """The declared order of an expression with vectors (names are its vectors' and
    scalars' names), checked as fast.declared checks a scalar expression's."""
    if variables is None:
        return tuple(names)

    class _Names:
        inputs = tuple(names)
    return fast.declared(_Names, variables)


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
