"""Everything the API computes for a parsed Function at a checked point: values,
gradients and Jacobians, Hessians, directional derivatives, Taylor coefficients and
checks, returned as the plain results of adcli.api.results that renderers only format.

adcli.api.Function exposes each as a method (f.eval, f.grad, f.jacobian, f.hessian,
f.jvp, f.vjp, f.taylor, f.check); the batch job kinds call these functions directly.
"""
import math

from ..engine import forward, reverse
from ..engine.sweep import diagnose, values
from ..errors import UsageError
from ..ops import scalar
from .inputs import (
    check_cotangent,
    choose_mode,
    direction_of,
    errstate,
    fill,
    finite,
    hessian_fits,
    namespace,
    one_output,
    sweep_reason,
    wrt_names,
)
from .results import Check, Hessian, Jacobian, Jvp, Result, Taylor, Vjp

BACKENDS = {"forward": forward, "reverse": reverse}
MAX_ORDER = 170  # the largest k with k! finite in float64


def evaluate(f, point):
    """Value(s) of the expression at a point."""
    program = f.program
    m, xs, shape = namespace(program, point)
    with errstate(m):
        if shape is None:
            vals = values(program, xs, m)
            out = [fill(vals[o], shape, m) for o in program.outputs]
        else:
            out, _ = _at_arrays(program, xs, shape, [], None)
        warnings = []
        if not finite(out, m):
            warnings = diagnose(program, vals if shape is None else values(program, xs, m), m)
    return Result(f.expr, point, program.labels, out, warnings=warnings)


def derivatives(f, point, wrt, mode):
    """Values and the Jacobian (rows = outputs) at a point, in the given AD mode. At
    arrays of points this is the many-point path of the batch too (adcli.engine.chunked)."""
    program = f.program
    wrt = wrt_names(program, wrt, point)
    requested, n_out = mode, len(program.outputs)
    mode = choose_mode(mode, n_out, len(wrt))
    m, xs, shape = namespace(program, point)
    index = {v: i for i, v in enumerate(program.inputs)}
    cols = [index[v] for v in wrt if v in index]
    with errstate(m):
        if shape is not None:
            value, rows = _at_arrays(program, xs, shape, cols, mode)
        elif cols:
            value, rows = BACKENDS[mode].jacobian(program, xs, cols, m)
        else:
            value, rows = [values(program, xs, m)[o] for o in program.outputs], None
        # The chunked engine's arrays are new and of the point's shape: they need no copy.
        keep = shape is not None
        jac = []
        for r in range(len(program.outputs)):
            got = dict(zip([v for v in wrt if v in index], rows[r])) if rows else {}
            jac.append([got[v] if keep and v in got else fill(got.get(v), shape, m) for v in wrt])
        value = value if keep else [fill(v, shape, m) for v in value]
        warnings = []
        if not finite(value, m) or not all(finite(r, m) for r in jac):
            warnings = diagnose(program, values(program, xs, m), m,
                                derivatives=not all(finite(r, m) for r in jac),
                                active=reverse.activity(program, cols))
    return Result(f.expr, point, program.labels, value, mode, wrt, jac, warnings,
                  sweep_reason(requested, mode, n_out, len(wrt)))


def _at_arrays(program, xs, shape, cols, mode):
    """(values, Jacobian rows) at arrays of points of any one shape, by the chunked
    engine, which takes one-dimensional arrays: flattened, then shaped back."""
    from ..engine import chunked
    n = math.prod(shape)
    if not cols:
        return [v.reshape(shape) for v in chunked.values(program, _flat(xs), n=n)], None
    run = chunked.reverse_jacobian if mode == "reverse" else chunked.forward_jacobian
    value, rows = run(program, _flat(xs), cols)
    return [v.reshape(shape) for v in value], [[d.reshape(shape) for d in row] for row in rows]


def _flat(xs):
    return [x.reshape(-1) for x in xs]


def jacobian(f, point, wrt, mode):
    n_out = len(f.program.outputs)
    wrt = wrt_names(f.program, wrt, point)
    chosen = choose_mode(mode, n_out, len(wrt))
    r = derivatives(f, point, wrt, chosen)
    return Jacobian(f.expr, r.at, r.outputs, r.wrt, r.value, r.jacobian, chosen,
                    {"forward": len(wrt), "reverse": n_out}, sweep_reason(mode, chosen, n_out, len(wrt)),
                    r.warnings)


def hessian(f, point, wrt):
    from ..engine import hessian as hess  # its machinery stays off the other commands' start-up
    one_output(f.program, "hessian")
    wrt = wrt_names(f.program, wrt, point)
    m, xs, shape = namespace(f.program, point)
    hessian_fits(len(wrt), shape)
    index = f.program.input_index
    cols = [index[v] for v in wrt if v in index]
    with errstate(m):
        value, grad, rows = hess.hessian(f.program, xs, cols, m)
        if len(cols) == len(wrt):
            # Every variable is in the expression: the engine's rows are the Hessian's,
            # completed in place rather than copied (they are the one n x n object).
            g = [fill(d, shape, m) for d in grad]
            h = rows
            for row in h:
                for j, x in enumerate(row):
                    row[j] = fill(x, shape, m)
        else:
            got = dict(zip([v for v in wrt if v in index], range(len(cols))))
            g = [fill(grad[got[v]] if v in got else None, shape, m) for v in wrt]
            h = [[fill(rows[got[a]][got[b]] if a in got and b in got else None, shape, m) for b in wrt]
                 for a in wrt]
        value = fill(value, shape, m)
        warnings = _diagnose(f, xs, m, [value], g)
        if not all(finite(row, m) for row in h) and finite(g, m):
            warnings += hess.diagnose2(f.program, xs, m)
    return Hessian(f.expr, point, tuple(wrt), value, dict(zip(wrt, g)), h, warnings)


def jvp(f, point, direction):
    given = direction_of(f.program, point, direction)
    direction = {v: given.get(v, 0.0) for v in f.program.inputs}
    direction.update(given)
    m, xs, shape = namespace(f.program, point)
    seeds = [[float(direction[v])] if direction.get(v) else None for v in f.program.inputs]
    with errstate(m):
        vals, tans = forward.jvp(f.program, xs, seeds, m)
        value = [fill(vals[o], shape, m) for o in f.program.outputs]
        out = [fill(tans[o][0] if tans[o] is not None else None, shape, m) for o in f.program.outputs]
        warnings = _diagnose(f, xs, m, value, out)
    return Jvp(f.expr, point, direction, f.program.labels, value, out, warnings)


def vjp(f, point, cotangent):
    cotangent = check_cotangent(f.program, cotangent)
    m, xs, shape = namespace(f.program, point)
    cts = [[c if c != 0 else None] for c in cotangent]
    with errstate(m):
        vals, adj, _ = reverse.vjp(f.program, xs, cts, m)
        value = [fill(vals[o], shape, m) for o in f.program.outputs]
        out = {v: fill(adj[i][0] if adj[i] is not None else None, shape, m)
               for i, v in enumerate(f.program.inputs)}
        warnings = _diagnose(f, xs, m, value, list(out.values()))
    return Vjp(f.expr, point, cotangent, f.program.labels, value, out, warnings)


def taylor(f, point, wrt=None, direction=None, order=5):
    from ..engine.taylor import series
    one_output(f.program, "taylor")
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
        wrt_names(f.program, [wrt], point)
        direction = {wrt: 1.0}
        label = wrt
    else:
        label = "t"
    direction = direction_of(f.program, point, direction)
    m, xs, shape = namespace(f.program, point)
    d = [float(direction.get(v, 0.0)) for v in f.program.inputs]
    if shape is not None:
        return _taylor_arrays(f, point, label, direction, xs, d, order)
    vals, outs, warnings = series(f.program, xs, d, order)
    coeffs = outs[0]
    if not all(math.isfinite(c) for c in coeffs):
        warnings = diagnose(f.program, vals, scalar) + warnings
    return Taylor(f.expr, point, label, direction if label == "t" else None, coeffs, warnings)


def _taylor_arrays(f, point, label, direction, xs, d, order):
    """Taylor at many points: coefficients[k] is an array of the points' shape. A point
    where a primitive has no series gets nan (with a warning) instead of an error."""
    import numpy as np

    from ..engine.taylor_arrays import series
    from ..ops import arrays
    vals, outs, warnings = series(f.program, xs, d, order)
    if not np.isfinite(outs[0]).all():
        with np.errstate(all="ignore"):
            warnings = diagnose(f.program, vals, arrays) + warnings
    return Taylor(f.expr, point, label, direction if label == "t" else None, list(outs[0]), warnings)


def check(f, point, wrt):
    from ..engine import fdcheck as chk
    one_output(f.program, "check")
    wrt = wrt_names(f.program, wrt, point)
    m, xs, shape = namespace(f.program, point)
    if shape is not None:
        raise UsageError("check works at one point at a time, not on arrays")
    index = {v: i for i, v in enumerate(f.program.inputs)}
    cols = [index[v] for v in wrt if v in index]
    got = {row.var: row for row in chk.check(f.program, xs, cols)}
    rows = [got[v] if v in got else chk.CheckRow(v, 0.0, 0.0, 0.0, 0.0) for v in wrt]
    vals = values(f.program, xs, scalar)
    value = vals[f.program.outputs[0]]
    warnings = []
    if not math.isfinite(value):
        warnings = diagnose(f.program, vals, scalar)
    return Check(f.expr, point, value, rows, warnings)


def _diagnose(f, xs, m, value, derivs):
    if finite(value, m) and finite(derivs, m):
        return []
    return diagnose(f.program, values(f.program, xs, m), m, derivatives=not finite(derivs, m))

