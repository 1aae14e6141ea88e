"""Jacobians, Hessians, directional derivatives, Taylor coefficients and checks of a
parsed Function, returned as plain result objects that the renderers only format.

adcli.api.Function exposes each as a method (f.jacobian, f.hessian, f.jvp, f.vjp,
f.taylor, f.check); the commands in adcli/commands/higher.py call those.
"""
import math

from ..errors import UsageError

MAX_ORDER = 170  # the largest k with k! finite in float64


class Jacobian:
    def __init__(self, expr, at, outputs, variables, value, jacobian, mode, sweeps, reason, warnings):
        self.expr, self.at, self.outputs, self.variables = expr, at, outputs, variables
        self.value = value          # one number per output
        self.jacobian = jacobian    # rows = outputs, columns = variables
        self.mode = mode            # "forward" or "reverse"
        self.sweeps = sweeps        # {"forward": n, "reverse": m}: sweeps each mode needs
        self.reason = reason        # one sentence: which mode and why
        self.warnings = list(warnings)


class Hessian:
    def __init__(self, expr, at, variables, value, gradient, hessian, warnings):
        self.expr, self.at, self.variables = expr, at, variables
        self.value = value          # a number
        self.gradient = gradient    # {variable: number}
        self.hessian = hessian      # rows x columns, both in the order of `variables`
        self.warnings = list(warnings)


class Jvp:
    def __init__(self, expr, at, direction, outputs, value, jvp, warnings):
        self.expr, self.at, self.dir, self.outputs = expr, at, direction, outputs
        self.value = value          # one number per output
        self.jvp = jvp              # J @ dir, one number per output
        self.warnings = list(warnings)


class Vjp:
    def __init__(self, expr, at, cotangent, outputs, value, vjp, warnings):
        self.expr, self.at, self.cotangent, self.outputs = expr, at, cotangent, outputs
        self.value = value          # one number per output
        self.vjp = vjp              # {variable: (cotangent @ J)[variable]}
        self.warnings = list(warnings)


class Taylor:
    def __init__(self, expr, at, wrt, direction, coefficients, warnings):
        self.expr, self.at, self.wrt, self.dir = expr, at, wrt, direction
        self.coefficients = coefficients   # [c_0 .. c_N], c_k = f^(k) / k!
        from ..engine.taylor import factorial_times
        self.derivatives = [factorial_times(c, k) for k, c in enumerate(coefficients)]
        self.warnings = list(warnings)

    @property
    def order(self):
        return len(self.coefficients) - 1


class Check:
    def __init__(self, expr, at, value, rows, warnings):
        self.expr, self.at, self.value = expr, at, value
        self.rows = rows            # adcli.check.CheckRow per variable
        self.ok = all(r.ok for r in rows)
        self.warnings = list(warnings)


def jacobian(f, point, wrt, mode):
    from .function import choose_mode, sweep_reason
    n_out = len(f.program.outputs)
    wrt = f._wrt(wrt, point)
    chosen = choose_mode(mode, n_out, len(wrt))
    r = f.derivatives(point, wrt=wrt, mode=chosen)
    return Jacobian(f.expr, r.at, r.outputs, r.wrt, r.value, r.jacobian, chosen,
                    {"forward": len(wrt), "reverse": n_out}, sweep_reason(mode, chosen, n_out, len(wrt)),
                    r.warnings)


def hessian(f, point, wrt):
    from ..engine import hessian as hess
    from .function import _errstate, _fill, _finite
    _one_output(f, "hessian")
    wrt = f._wrt(wrt, point)
    m, xs, shape = f._namespace(point)
    index = {v: i for i, v in enumerate(f.program.inputs)}
    cols = [index[v] for v in wrt if v in index]
    with _errstate(m):
        value, grad, rows = hess.hessian(f.program, xs, cols, m)
        got = dict(zip([v for v in wrt if v in index], range(len(cols))))
        g = [_fill(grad[got[v]] if v in got else None, shape, m) for v in wrt]
        h = [[_fill(rows[got[a]][got[b]] if a in got and b in got else None, shape, m) for b in wrt]
             for a in wrt]
        value = _fill(value, shape, m)
        warnings = _diagnose(f, xs, m, [value], g)
        if not _finite([x for row in h for x in row], m) and _finite(g, m):
            warnings += hess.diagnose2(f.program, xs, m)
    return Hessian(f.expr, point, tuple(wrt), value, dict(zip(wrt, g)), h, warnings)


def jvp(f, point, direction):
    from ..engine import forward
    from .function import _errstate, _fill
    given = _direction(f, point, direction)
    direction = {v: given.get(v, 0.0) for v in f.program.inputs}
    direction.update(given)
    m, xs, shape = f._namespace(point)
    seeds = [[float(direction[v])] if direction.get(v) else None for v in f.program.inputs]
    with _errstate(m):
        vals, tans = forward.jvp(f.program, xs, seeds, m)
        value = [_fill(vals[o], shape, m) for o in f.program.outputs]
        out = [_fill(tans[o][0] if tans[o] is not None else None, shape, m) for o in f.program.outputs]
        warnings = _diagnose(f, xs, m, value, out)
    return Jvp(f.expr, point, direction, f.program.labels, value, out, warnings)


def vjp(f, point, cotangent):
    from ..engine import reverse
    from .function import _errstate, _fill
    cotangent = check_cotangent(f, cotangent)
    m, xs, shape = f._namespace(point)
    cts = [[c if c != 0 else None] for c in cotangent]
    with _errstate(m):
        vals, adj, _ = reverse.vjp(f.program, xs, cts, m)
        value = [_fill(vals[o], shape, m) for o in f.program.outputs]
        out = {v: _fill(adj[i][0] if adj[i] is not None else None, shape, m)
               for i, v in enumerate(f.program.inputs)}
        warnings = _diagnose(f, xs, m, value, list(out.values()))
    return Vjp(f.expr, point, cotangent, f.program.labels, value, out, warnings)


def check_cotangent(f, cotangent):
    """The cotangent as floats, one per output of f."""
    n_out = len(f.program.outputs)
    cotangent = [float(c) for c in cotangent]
    if len(cotangent) != n_out:
        raise UsageError(f"the cotangent has {len(cotangent)} entr{'y' if len(cotangent) == 1 else 'ies'} "
                         f"but the expression has {n_out} output{'s' if n_out != 1 else ''}",
                         hint="give one number per output, as in --cotangent " + ",".join(["1"] * n_out))
    return cotangent


def taylor(f, point, wrt=None, direction=None, order=5):
    from ..engine.taylor import series
    _one_output(f, "taylor")
    if not 0 <= order <= MAX_ORDER:
        raise UsageError(f"the order must be between 0 and {MAX_ORDER}",
                         hint=f"beyond {MAX_ORDER}, k! overflows float64 and the coefficients f^(k)/k! underflow")
    if wrt is not None and direction is not None:
        raise UsageError("give either --wrt or --dir, not both")
    if direction is None:
        if wrt is None:
            if len(f.program.inputs) != 1:
                raise UsageError("taylor needs one variable or a direction",
                                 hint="add --wrt x, or --dir x=1,y=0 for a direction")
            wrt = f.program.inputs[0]
        f._wrt([wrt], point)
        direction = {wrt: 1.0}
        label = wrt
    else:
        label = "t"
    direction = _direction(f, point, direction)
    m, xs, shape = f._namespace(point)
    d = [float(direction.get(v, 0.0)) for v in f.program.inputs]
    if shape is not None:
        return _taylor_arrays(f, point, label, direction, xs, d, order)
    vals, outs, warnings = series(f.program, xs, d, order)
    coeffs = outs[0]
    if not all(math.isfinite(c) for c in coeffs):
        from ..ops import scalar
        from ..engine.sweep import diagnose
        warnings = diagnose(f.program, vals, scalar) + warnings
    return Taylor(f.expr, point, label, direction if label == "t" else None, coeffs, warnings)


def _taylor_arrays(f, point, label, direction, xs, d, order):
    """Taylor at many points: coefficients[k] is an array of the points' shape. A point
    where a primitive has no series gets nan (with a warning) instead of an error."""
    import numpy as np

    from ..ops import arrays as vector
    from ..engine.sweep import diagnose
    from ..engine.taylor_arrays import series
    vals, outs, warnings = series(f.program, xs, d, order)
    if not np.isfinite(outs[0]).all():
        with np.errstate(all="ignore"):
            warnings = diagnose(f.program, vals, vector) + warnings
    return Taylor(f.expr, point, label, direction if label == "t" else None, list(outs[0]), warnings)


def check(f, point, wrt):
    from ..engine import fdcheck as chk
    from ..ops import scalar
    from ..engine.sweep import values
    _one_output(f, "check")
    wrt = f._wrt(wrt, point)
    m, xs, shape = f._namespace(point)
    if shape is not None:
        raise UsageError("check works at one point at a time, not on arrays")
    index = {v: i for i, v in enumerate(f.program.inputs)}
    cols = [index[v] for v in wrt if v in index]
    got = {name: row for name, *row in chk.check(f.program, xs, cols)}
    rows = [chk.CheckRow(v, *got[v]) if v in got else chk.CheckRow(v, 0.0, 0.0, 0.0, 0.0) for v in wrt]
    vals = values(f.program, xs, scalar)
    value = vals[f.program.outputs[0]]
    warnings = []
    if not math.isfinite(value):
        from ..engine.sweep import diagnose
        warnings = diagnose(f.program, vals, scalar)
    return Check(f.expr, point, value, rows, warnings)


def _one_output(f, command):
    n = len(f.program.outputs)
    if n != 1:
        raise UsageError(f"{command} needs one output, got {n}",
                         hint="give one expression, or use 'adcli jacobian' for several outputs")


def _direction(f, point, direction):
    """{variable: float}; every variable must be in the expression or have a value."""
    if isinstance(direction, str):
        from ..language.point import parse_point
        direction = parse_point([direction])
    out = {}
    for v, d in dict(direction).items():
        if v not in f.program.inputs and v not in point:
            raise UsageError(f"the direction names '{v}', which is not a variable of the expression",
                             hint="give directions only for the variables in the expression")
        try:
            out[v] = float(d)
        except (TypeError, ValueError):
            raise UsageError(f"the direction of '{v}' must be a number") from None
    if not out:
        raise UsageError("the direction is empty: give it as x=1,y=0")
    return out


def _diagnose(f, xs, m, value, derivs):
    from .function import _finite
    if _finite(value, m) and _finite(derivs, m):
        return []
    from ..engine.sweep import diagnose, values
    return diagnose(f.program, values(f.program, xs, m), m, derivatives=not _finite(derivs, m))

