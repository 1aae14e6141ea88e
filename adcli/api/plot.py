"""What `adcli plot` shows, as plain data: f and its derivatives along one variable,
sampled on a grid by the vectorized evaluators, and the y-range that frames them.

f and f′ come from one forward sweep over numpy arrays (adcli.forward.jvp), so f′ keeps
the first-derivative conventions of `adcli grad` (abs′(0) = 0, sqrt′(0) = inf); f″ and
up from Taylor mode over the same arrays (adcli.taylor_arrays), O(k²) per node for
order k. Non-finite samples stay nan/inf: the renderer leaves gaps there.
"""
import math

from ..errors import UsageError

PRIMES = ["", "′", "″", "‴"]


def series_name(order, ascii=False):
    """f, f′, f″, f‴, f⁽⁴⁾ (ASCII: f, f', f'', f''', f(4))."""
    if ascii:
        return "f" + ("'" * order if order <= 3 else f"({order})")
    if order < len(PRIMES):
        return "f" + PRIMES[order]
    sup = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")
    return "f" + f"({order})".translate(sup)


class PlotData:
    def __init__(self, expr, var, lo, hi, fixed, x, series, ylim, warnings):
        self.expr = expr
        self.var = var            # the variable along the x axis
        self.lo, self.hi = lo, hi
        self.fixed = fixed        # {other variable: value}
        self.x = x                # sample points (numpy array)
        self.series = series      # [(order, y array)], f first
        self.ylim = ylim          # (low, high) of the y axis
        self.warnings = warnings


def parse_range(text):
    """'-3:3' or '-pi:pi' -> (lo, hi)."""
    from ..language.point import constant_value
    parts = text.split(":")
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise UsageError(f"bad range '{text}': write it as LOW:HIGH, as in -3:3 or -pi:pi")
    lo, hi = (constant_value(p, text) for p in parts)
    if not (math.isfinite(lo) and math.isfinite(hi)) or not lo < hi:
        raise UsageError(f"bad range '{text}': LOW must be less than HIGH, both finite")
    if not math.isfinite(hi - lo):
        raise UsageError(f"bad range '{text}': HIGH - LOW overflows")
    return lo, hi


def build(program, var, lo, hi, samples, order, fixed, ylim=None, expr=None):
    import numpy as np

    from ..engine.sweep import diagnose, values
    from ..ops import arrays
    if len(program.outputs) != 1:
        raise UsageError(f"plot needs one output, got {len(program.outputs)}")
    if var not in program.inputs:
        raise UsageError(f"'{var}' does not appear in the expression",
                         hint="variables: " + (", ".join(program.inputs) or "none"))
    missing = [v for v in program.inputs if v != var and v not in fixed]
    if missing:
        from ..errors import EvalError
        raise EvalError(f"no value for {', '.join(missing)}",
                        hint="fix the other variables with --at, as in --at " +
                             ",".join(f"{v}=1" for v in missing))
    x = np.linspace(lo, hi, samples)
    xs = [x if v == var else np.full(samples, float(fixed[v])) for v in program.inputs]
    with np.errstate(all="ignore"):
        ys, taylor_warnings = derivatives(program, xs, program.inputs.index(var), order)
        # Where f itself is nan or inf its derivatives mean nothing (the local rules
        # would still give log'(-1) = -1): leave them out too.
        undefined = ~np.isfinite(ys[0])
        for y in ys[1:]:
            y[undefined] = np.nan
        warnings = []
        if not all(np.isfinite(y).all() for y in ys):
            warnings = diagnose(program, values(program, xs, arrays), arrays, derivatives=order > 0)
        warnings += taylor_warnings
    series = list(enumerate(ys))
    return PlotData(expr if expr is not None else program.source, var, lo, hi,
                    {v: fixed[v] for v in program.inputs if v != var}, x, series,
                    ylim or frame([y for _, y in series]), warnings)


def derivatives(program, xs, wrt, order):
    """([f, f′, …, f⁽ᵒʳᵈᵉʳ⁾], warnings): the first output's derivatives along input
    `wrt` at the numpy arrays xs, as float arrays of their broadcast shape. Where Taylor
    mode refuses (abs at 0, ...) f″ and up are nan, with a warning."""
    import numpy as np

    from ..engine import forward, taylor_arrays
    from ..engine.taylor import factorial_times
    from ..ops import arrays
    shape = np.broadcast_shapes(*[np.shape(a) for a in xs]) if xs else ()
    seeds = [[1.0] if i == wrt else None for i in range(len(xs))]
    with np.errstate(all="ignore"):
        vals, tans = forward.jvp(program, xs, seeds, arrays)
        o = program.outputs[0]
        out = [vals[o], tans[o][0] if tans[o] is not None else 0.0][:order + 1]
        warnings = []
        if order >= 2:
            direction = [1.0 if i == wrt else 0.0 for i in range(len(xs))]
            _, coeffs, warnings = taylor_arrays.series(program, xs, direction, order)
            # + 0.0: a zero is printed as 0, never -0 (abs'' at x < 0 is -1 * 0)
            out += [factorial_times(coeffs[0][k], k) + 0.0 for k in range(2, order + 1)]
    return [np.broadcast_to(np.asarray(c, dtype=np.float64), shape).copy() for c in out], warnings


def frame(ys):
    """A y-range showing the curves: all finite values with a margin, or the central
    96% when a few samples near a pole would flatten everything else. Its span is
    always a finite float."""
    import numpy as np
    finite = np.concatenate([y[np.isfinite(y)] for y in ys]) if ys else np.array([])
    if finite.size == 0:
        return (-1.0, 1.0)
    lo, hi = float(finite.min()), float(finite.max())
    qlo, qhi = (float(q) for q in np.quantile(finite, [0.02, 0.98]))
    if qhi > qlo and hi - lo > 10 * (qhi - qlo):
        lo, hi = qlo - 0.25 * (qhi - qlo), qhi + 0.25 * (qhi - qlo)
    # Near the float limits the span, padded, must stay finite: clip to +-8e307.
    lo, hi = max(lo, -8e307), min(hi, 8e307)
    if hi == lo:
        pad = abs(lo) * 0.1 or 1.0
        return (lo - pad, hi + pad)
    pad = 0.05 * (hi - lo)
    return (lo - pad, hi + pad)
