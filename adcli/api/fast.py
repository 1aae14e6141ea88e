"""Positional calls of a Function, for numeric code: f(x, y), f.grad(x, y) -> (value,
gradient array), f.jacobian, f.hessian, the values in the order of f.variables.

At one point of floats, f.grad and f(...) run Python generated from the derivative program
and compiled once per Function (adcli.engine.codegen), installed on the instance so that a
call is one Python function call; anything else (ints, numpy scalars, arrays, keywords,
wrt=, mode=) falls back to `general` here, which checks the values and takes the engines'
path. The results are the engines' to the bit: the generated code is their arithmetic.
"""
import functools
from collections.abc import Mapping

from ..errors import UsageError
from .inputs import check_value


def declared(program, variables):
    """The argument order: `variables` as given (every variable of the expression, each
    once; extra names are arguments whose derivative is 0), else order of appearance."""
    if variables is None:
        return program.inputs
    if isinstance(variables, str):
        raise TypeError("variables must be a list of names, as variables=['x', 'y'], not a str")
    variables = tuple(variables)
    for v in variables:
        if not isinstance(v, str):
            raise TypeError(f"variables must be names (str), not {type(v).__name__}")
    if len(set(variables)) != len(variables):
        raise UsageError("variables= names a variable twice")
    missing = [v for v in program.inputs if v not in variables]
    if missing:
        raise UsageError(f"variables= leaves out {', '.join(missing)}, which the expression uses",
                         hint="list every variable of the expression, in the order you will pass them")
    return variables


def positional(args, point):
    """Whether a call gives the values positionally (the old calling forms are a dict or
    None as the first argument, or keywords only)."""
    if not args:
        return False
    first = args[0]
    return not (isinstance(first, Mapping) or (first is None and point))


# Above this many statements the generated Python is not compiled: CPython's compiler takes
# time that grows faster than the size of a function (about 4 s for 32,000 statements), and
# the engines compute the same numbers, to the bit, at a per-call cost that matters less.
COMPILE_MAX = 5000


def _compiled(f, wrt, mode):
    """(value function, gradient function, source) for these wrt and mode, compiled once
    (or the engines' path in that form, for programs above COMPILE_MAX statements)."""
    key = (None if wrt is None else tuple(wrt), mode)
    cache = f._compiled
    if cache is None:
        cache = f._compiled = {}
    got = cache.get(key)
    if got is None:
        from ..engine.codegen import compile_python
        from .diff import program_of
        dp = program_of(f, wrt, mode, f.variables)
        if dp.size > COMPILE_MAX:
            got = cache[key] = _by_engine(f, wrt, mode)
            return got
        got = cache[key] = compile_python(dp, functools.partial(general, f, wrt, mode))
        if key == (None, "auto") and len(f.program.outputs) == 1:
            f.grad = got[1]        # the next f.grad(x, y) is the generated function itself
            f._value = got[0]
    return got


def _by_engine(f, wrt, mode):
    import numpy as np

    def value_fn(*vals):
        return _value_of(f.eval(dict(zip(f.variables, vals))))

    def grad_fn(*vals):
        r = f._grad(dict(zip(f.variables, vals)), wrt=f.variables if wrt is None else wrt, mode=mode)
        return r.value[0], np.array(r.jacobian[0], dtype=np.float64)
    return value_fn, grad_fn, None


def source(f):
    """The generated Python behind f.grad at one point (for inspection)."""
    return _compiled(f, None, "auto")[2]


def _values(f, args):
    names = f.variables
    if len(args) != len(names):
        raise TypeError(f"this function takes {len(names)} value{'s' if len(names) != 1 else ''} "
                        f"({', '.join(names)}), got {len(args)}")
    return [check_value(v, a) for v, a in zip(names, args)]


def general(f, wrt, mode, kind, args, more, kw):
    """Every call the generated functions do not take themselves."""
    from ..engine.codegen import MISSING
    args = tuple(a for a in args if a is not MISSING) + tuple(more)
    kw = dict(kw)
    wrt = kw.pop("wrt", wrt)
    mode = kw.pop("mode", mode)
    if kw or not positional(args, kw):
        if kind == "value":
            return _value_of(f.eval(args[0] if args else None, **kw))
        return f._grad(args[0] if args else None, wrt=wrt, mode=mode, **kw)
    if kind == "value":
        return value(f, args, {})
    return grad(f, args, wrt, mode)


def _scalars(vals):
    return all(type(v) is float for v in vals)


def value(f, args, point):
    if not positional(args, point):
        return _value_of(f.eval(args[0] if args else None, **point))
    vals = _values(f, args)
    if _scalars(vals):
        fn = f.__dict__.get("_value") or _compiled(f, None, "auto")[0]
        return fn(*vals)
    return _value_of(f.eval(dict(zip(f.variables, vals))))


def _value_of(result):
    return result.value[0] if len(result.value) == 1 else result.value


def grad(f, args, wrt, mode):
    import numpy as np
    n_out = len(f.program.outputs)
    if n_out != 1:
        raise UsageError(f"grad needs one output, got {n_out}",
                         hint="differentiate several outputs with f.jacobian(...)")
    vals = _values(f, args)
    if _scalars(vals):
        return _compiled(f, wrt, mode)[1](*vals)
    r = f._grad(dict(zip(f.variables, vals)), wrt=f.variables if wrt is None else wrt, mode=mode)
    cols = r.jacobian[0]
    if not cols:
        return r.value[0], np.zeros(np.shape(r.value[0]) + (0,))
    return r.value[0], np.stack([np.asarray(c, dtype=np.float64) for c in cols], axis=-1)


def jacobian(f, args, wrt, mode):
    import numpy as np
    vals = _values(f, args)
    r = f.jacobian(dict(zip(f.variables, vals)), wrt=f.variables if wrt is None else wrt, mode=mode)
    return np.array(r.value, dtype=np.float64), np.array(r.jacobian, dtype=np.float64)


def hessian(f, args, wrt):
    import numpy as np
    vals = _values(f, args)
    wrt = f.variables if wrt is None else wrt
    r = f.hessian(dict(zip(f.variables, vals)), wrt=wrt)
    return (r.value, np.array([r.gradient[v] for v in r.variables], dtype=np.float64),
            np.array(r.hessian, dtype=np.float64))
