"""The library API that the command line is a thin layer over.

    >>> import adcli
    >>> r = adcli.grad("(x+y)*(x-y)", x=3, y=2)
    >>> r.value, r.gradient
    (5.0, {'x': 6.0, 'y': -4.0})
    >>> f = adcli.compile("(x+y)*(x-y)")            # parse once, evaluate many times
    >>> f.grad(x=[1.0, 2.0], y=[0.5, 0.5]).gradient["x"]   # numpy arrays of points
    array([2., 4.])
"""
import math

from ..engine import forward, reverse
from ..errors import EvalError, UsageError

BACKENDS = {"forward": forward, "reverse": reverse}
MODES = ("auto", "forward", "reverse")


def parse(expr):
    """The IR Program of an expression (raises ExprError with a column on bad input)."""
    from ..language.lower import lower
    from ..language.syntax import parse as parse_syntax
    return lower(parse_syntax(expr), expr)


def choose_mode(mode, n_outputs, n_wrt):
    """auto: reverse needs one sweep per output, forward one per input; take the one
    with fewer sweeps (forward on a tie: it keeps no tape)."""
    if mode not in MODES:
        raise UsageError(f"unknown mode {mode!r}: choose auto, forward or reverse")
    if mode != "auto":
        return mode
    return "reverse" if n_outputs < n_wrt else "forward"


def sweep_reason(requested, chosen, n_out, n_wrt):
    """Why this mode, counted in sweeps."""
    def sweeps(n, per):
        return f"{n} sweep{'s' if n != 1 else ''}, one per {per}"
    cost = {"forward": sweeps(n_wrt, "variable"), "reverse": sweeps(n_out, "output")}
    other = "reverse" if chosen == "forward" else "forward"
    text = f"{chosen} mode{', as asked' if requested != 'auto' else ''}: {cost[chosen]}"
    if requested == "auto" and n_out == n_wrt:
        return text + f" ({other} mode would need as many; on a tie forward wins, it keeps no tape)"
    return text + f" ({other} mode would need {cost[other]})"


class Result:
    """What a command computed, as plain data: renderers format it and compute nothing."""

    def __init__(self, expr, at, outputs, value, mode=None, wrt=(), jacobian=None, warnings=(), reason=None):
        self.expr = expr            # the source text
        self.at = at                # {variable: value}
        self.outputs = outputs      # source text of each output
        self.value = value          # one number per output
        self.mode = mode            # "forward" / "reverse" when derivatives were taken
        self.wrt = tuple(wrt)       # the variables differentiated
        self.jacobian = jacobian    # rows = outputs, columns = wrt
        self.warnings = list(warnings)
        self.reason = reason        # why this AD mode, in sweeps

    @property
    def gradient(self):
        """{variable: derivative} of the first (usually only) output."""
        return dict(zip(self.wrt, self.jacobian[0])) if self.jacobian is not None else None

    def __iter__(self):  # value, gradient = adcli.grad(...)
        yield self.value[0] if len(self.value) == 1 else self.value
        if self.jacobian is not None:
            yield self.gradient

    def __repr__(self):
        value = self.value[0] if len(self.value) == 1 else self.value
        grad = f", gradient={self.gradient!r}" if self.jacobian is not None else ""
        return f"Result(value={value!r}{grad})"


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

    def _point(self, at, kwargs):
        point = dict(at or {})
        point.update(kwargs)
        from ..language.point import refuse_constant
        for name in point:
            refuse_constant(name)
        missing = [v for v in self.program.inputs if v not in point]
        if missing:
            raise EvalError(f"no value for variable{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                            hint="give every variable a value, as in --at " +
                                 ",".join(f"{v}=1" for v in self.program.inputs))
        return point

    def _namespace(self, point):
        if all(isinstance(v, (int, float)) for v in point.values()):
            from ..ops import scalar
            return scalar, [float(point[v]) for v in self.program.inputs], None
        import numpy as np
        from ..ops import arrays as vector
        try:
            arrays = np.broadcast_arrays(*[np.asarray(point[v], dtype=np.float64) for v in self.program.inputs])
            shape = arrays[0].shape if arrays else np.broadcast_shapes(*[np.shape(v) for v in point.values()])
        except (ValueError, TypeError) as e:
            shapes = ", ".join(f"{k}: {np.shape(v)}" for k, v in point.items())
            raise UsageError(f"the values do not fit together as arrays of points ({shapes})",
                             hint=f"give arrays of one shape, or numbers ({e})") from None
        return vector, list(arrays), shape

    def eval(self, at=None, **point):
        """Value(s) of the expression at a point."""
        point = self._point(at, point)
        m, xs, shape = self._namespace(point)
        from ..engine.sweep import values
        with _errstate(m):
            vals = values(self.program, xs, m)
            out = [_fill(vals[o], shape, m) for o in self.program.outputs]
            warnings = _warnings(self.program, vals, m, out, None)
        return Result(self.expr, point, self.program.labels, out, warnings=warnings)

    def grad(self, at=None, *, wrt=None, mode="auto", **point):
        """Value and gradient at a point (one output; .jacobian takes several)."""
        n_out = len(self.program.outputs)
        if n_out != 1:
            raise UsageError(f"grad needs one output, got {n_out}",
                             hint="differentiate several outputs with 'adcli jacobian' (Function.jacobian)")
        return self.derivatives(at, wrt=wrt, mode=mode, **point)

    def derivatives(self, at=None, *, wrt=None, mode="auto", **point):
        """Values and the Jacobian (rows = outputs) at a point, in the given AD mode."""
        point = self._point(at, point)
        wrt = self._wrt(wrt, point)
        requested, n_out = mode, len(self.program.outputs)
        mode = choose_mode(mode, n_out, len(wrt))
        m, xs, shape = self._namespace(point)
        backend = BACKENDS[mode]
        index = {v: i for i, v in enumerate(self.program.inputs)}
        cols = [index[v] for v in wrt if v in index]
        with _errstate(m):
            from ..engine.sweep import values
            if cols:
                value, rows = backend.jacobian(self.program, xs, cols, m)
            else:
                value, rows = [values(self.program, xs, m)[o] for o in self.program.outputs], None
            jac = []
            for r in range(len(self.program.outputs)):
                got = dict(zip([v for v in wrt if v in index], rows[r])) if rows else {}
                jac.append([_fill(got.get(v), shape, m) for v in wrt])
            value = [_fill(v, shape, m) for v in value]
            warnings = []
            if not _finite(value, m) or not all(_finite(r, m) for r in jac):
                from ..engine.sweep import diagnose
                warnings = diagnose(self.program, values(self.program, xs, m), m,
                                    derivatives=not all(_finite(r, m) for r in jac),
                                    active=_active(self.program, cols))
        return Result(self.expr, point, self.program.labels, value, mode, wrt, jac, warnings,
                      sweep_reason(requested, mode, n_out, len(wrt)))

    # Beyond the gradient: the work is in adcli.derivatives; results are plain objects.
    def jacobian(self, at=None, *, wrt=None, mode="auto", **point):
        """Values and Jacobian (rows = outputs), with the mode chosen and why."""
        from . import derivatives
        return derivatives.jacobian(self, self._point(at, point), wrt, mode)

    def hessian(self, at=None, *, wrt=None, **point):
        """Value, gradient and exact Hessian (forward-over-reverse) of the one output."""
        from . import derivatives
        return derivatives.hessian(self, self._point(at, point), wrt)

    def jvp(self, at=None, *, dir, **point):  # noqa: A002 - the CLI's --dir
        """Values and the Jacobian-vector product J @ dir (dir = {variable: number})."""
        from . import derivatives
        return derivatives.jvp(self, self._point(at, point), dir)

    def vjp(self, at=None, *, cotangent, **point):
        """Values and the vector-Jacobian product cotangent @ J, one number per variable."""
        from . import derivatives
        return derivatives.vjp(self, self._point(at, point), cotangent)

    def taylor(self, at=None, *, wrt=None, dir=None, order=5, **point):  # noqa: A002
        """Derivatives 0..order along a variable or a direction, by Taylor-mode AD. With
        arrays of points, each coefficient is an array, and a point where a function has
        no Taylor series gets nan with a warning (one point raises EvalError)."""
        from . import derivatives
        return derivatives.taylor(self, self._point(at, point), wrt, dir, order)

    def check(self, at=None, *, wrt=None, **point):
        """Forward and reverse AD against extrapolated central differences."""
        from . import derivatives
        return derivatives.check(self, self._point(at, point), wrt)

    def _wrt(self, wrt, point):
        if wrt is None:
            return self.program.inputs
        if isinstance(wrt, str):
            wrt = [w.strip() for w in wrt.split(",") if w.strip()]
        for w in wrt:
            if w not in self.program.inputs and w not in point:
                raise UsageError(f"cannot differentiate with respect to '{w}': it has no value",
                                 hint=f"give it one with --at {w}=..., or drop it from --wrt")
        if len(set(wrt)) != len(wrt):
            raise UsageError("--wrt names a variable twice")
        return tuple(wrt)


def _active(program, cols):
    """Which nodes depend on a differentiated input: only their derivatives were taken."""
    active = [False] * len(program.nodes)
    for i in cols:
        active[i] = True
    for i, node in enumerate(program.nodes):
        if any(active[a] for a in node.args):
            active[i] = True
    return active


def _errstate(m):
    if m.__name__ == "adcli.ops.scalar":
        import contextlib
        return contextlib.nullcontext()
    import numpy as np
    return np.errstate(all="ignore")


def _fill(v, shape, m):
    """A structural zero (None) or a broadcast scalar becomes a full result."""
    if shape is None:
        return 0.0 if v is None else float(v)
    import numpy as np
    return np.zeros(shape) if v is None else np.broadcast_to(np.asarray(v, dtype=np.float64), shape).copy()


def _finite(vs, m):
    if m.__name__ == "adcli.ops.scalar":
        return all(math.isfinite(v) for v in vs)
    return all(bool(m.isfinite(v).all()) for v in vs)


def _warnings(program, vals, m, out, active):
    if _finite(out, m):
        return []
    from ..engine.sweep import diagnose
    return diagnose(program, vals, m)


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
