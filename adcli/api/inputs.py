"""What a call is given, checked: the point (numbers, or arrays of points), the math
namespace it selects, the variables to differentiate, a direction, a cotangent, and
the AD mode. Every entry point (the Function methods, the batch job kinds, the
commands) checks its arguments through these, so the messages are the same everywhere."""
import math
import os

from ..errors import EvalError, UsageError
from ..language.point import parse_point, refuse_constant
from ..ops import scalar

MODES = ("auto", "forward", "reverse")


def complete_point(program, at, kwargs):
    """{variable: value} from a dict and keyword values; every variable needs one."""
    if at is not None and not isinstance(at, dict):
        try:
            at = dict(at)
        except (TypeError, ValueError):
            raise TypeError(f"the point must be a dict of values, not {type(at).__name__}") from None
    point = dict(at or {})
    point.update(kwargs)
    for name, v in point.items():
        refuse_constant(name)
        if type(v) is not float:
            point[name] = check_value(name, v)
    missing = [v for v in program.inputs if v not in point]
    if missing:
        raise EvalError(f"no value for variable{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                        hint="give every variable a value, as in --at " +
                             ",".join(f"{v}=1" for v in program.inputs))
    return point


def namespace(program, point):
    """(math namespace, input values in program order, shape): the scalar namespace and
    shape None for numbers, the array namespace and the broadcast shape for arrays."""
    if all(isinstance(v, (int, float)) for v in point.values()):
        return scalar, [float(point[v]) for v in program.inputs], None
    import numpy as np

    from ..ops import arrays
    try:
        xs = np.broadcast_arrays(*[np.asarray(point[v], dtype=np.float64) for v in program.inputs])
        shape = xs[0].shape if xs else np.broadcast_shapes(*[np.shape(v) for v in point.values()])
    except (ValueError, TypeError) as e:
        shapes = ", ".join(f"{k}: {np.shape(v)}" for k, v in point.items())
        raise UsageError(f"the values do not fit together as arrays of points ({shapes})",
                         hint=f"give arrays of one shape, or numbers ({e})") from None
    return arrays, list(xs), shape


def wrt_names(program, wrt, point):
    """The variables to differentiate, as a tuple (default: all of the program's)."""
    if wrt is None:
        return program.inputs
    if isinstance(wrt, str):
        from ..language.point import split_top
        wrt = [w.strip() for _, w in split_top(wrt) if w.strip()]
    inputs = program.input_index
    if program.vectors:
        wrt = elements_of(program, wrt)
    for w in wrt:
        if w not in inputs and w not in point:
            from ..language.vectors import split_element
            got = split_element(w)
            n = dict(program.vectors).get(got[0]) if got else None
            if n is not None:
                raise UsageError(f"cannot differentiate with respect to '{w}': {got[0]} has {n} element"
                                 f"{'s' if n != 1 else ''}", hint=f"name {got[0]}[1] to {got[0]}[{n}], or all of "
                                 f"them as {got[0]}")
            raise UsageError(f"cannot differentiate with respect to '{w}': it has no value",
                             hint=f"give it one with --at {w}=..., or drop it from --wrt")
    if len(set(wrt)) != len(wrt):
        raise UsageError("--wrt names a variable twice")
    return tuple(wrt)


# Peak bytes per Hessian entry at one point, measured with benchmarks/scaling.py and
# expressions of dense Hessians (at most 70): the entry in a Dual's sparse tangent
# during the sweep, then the float and its slot in the rows, then its text on the way
# out. At many points each entry is also an array of them, held about 3 times.
HESSIAN_ENTRY_BYTES = 100
HESSIAN_ARRAYS_HELD = 3


def hessian_fits(k, shape):
    """Refuse, before any work, a Hessian of k variables whose working memory exceeds
    the memory available (EvalError, exit code 1): it is dense, k x k entries however
    sparse the expression, since every entry is returned and written out."""
    points = math.prod(shape) if shape else 1
    per_entry = HESSIAN_ENTRY_BYTES + (HESSIAN_ARRAYS_HELD * 8 * points if shape is not None else 0)
    need = k * k * per_entry
    avail = available_memory()
    if avail is None or need <= avail:
        return
    at = f" at {points:,} points" if shape is not None else ""
    fits = math.isqrt(avail // per_entry)
    raise EvalError(f"the Hessian of {k:,} variables does not fit in memory: {k:,} x {k:,} entries{at} are "
                    f"{_gb(k * k * 8 * points)} as float64, and computing and writing them takes about "
                    f"{_gb(need)}, where {_gb(avail)} is available",
                    hint=f"differentiate with respect to fewer variables with --wrt: about {fits:,} fit"
                         + (", or give fewer points at once" if shape is not None else ""))


def _gb(nbytes):
    gb = nbytes / 1024 ** 3
    return f"{gb:,.1f} GB" if gb >= 0.1 else f"{gb:.2g} GB"


def available_memory():
    """Bytes this process can still allocate, or None when unknown: the kernel's
    MemAvailable (free memory plus what can be reclaimed), else the free pages, capped
    by the address-space limit (ulimit -v) and by a control group's memory limit."""
    avail = _meminfo("MemAvailable")
    if avail is None:
        try:
            avail = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            avail = None
    for room in (_address_space_room(), _cgroup_room()):
        if room is not None:
            avail = room if avail is None else min(avail, room)
    return avail


def _meminfo(key):
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _address_space_room():
    try:
        import resource
        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
        if limit == resource.RLIM_INFINITY:
            return None
        with open("/proc/self/statm", encoding="ascii") as f:
            used = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        return max(0, limit - used)
    except (ImportError, OSError, ValueError, IndexError, AttributeError):
        return None


def _cgroup_room():
    try:
        with open("/sys/fs/cgroup/memory.max", encoding="ascii") as f:
            limit = f.read().strip()
        if limit == "max":
            return None
        with open("/sys/fs/cgroup/memory.current", encoding="ascii") as f:
            return max(0, int(limit) - int(f.read().strip()))
    except (OSError, ValueError):
        return None


def elements_of(program, names):
    """names with each vector's name replaced by its elements, x -> x[1] .. x[n]."""
    from ..language.vectors import element
    lengths = dict(program.vectors)
    out = []
    for w in names:
        n = lengths.get(w)
        if n is None:
            out.append(w)
        else:
            out.extend(element(w, k) for k in range(1, n + 1))
    return out


def direction_of(program, point, direction):
    """{variable: float}; every variable must be in the expression or have a value. A
    vector variable's direction is a vector of its length, or given element by element."""
    if isinstance(direction, str):
        direction = parse_point([direction])
    out, inputs = {}, program.input_index
    direction = dict(direction)
    lengths = dict(program.vectors)
    for v in [v for v in direction if v in lengths]:
        from ..language.vectors import element
        d = direction.pop(v)
        d = list(d) if isinstance(d, (list, tuple)) or hasattr(d, "__len__") else None
        if d is None or len(d) != lengths[v]:
            raise UsageError(f"the direction of the vector {v} must be a vector of its length, {lengths[v]}",
                             hint=f"give it as {v}=[...] with {lengths[v]} numbers")
        for k, x in enumerate(d, 1):
            direction[element(v, k)] = x
    for v, d in direction.items():
        if v not in inputs and v not in point:
            raise UsageError(f"the direction names '{v}', which is not a variable of the expression",
                             hint="give directions only for the variables in the expression")
        try:
            out[v] = float(d)
        except (TypeError, ValueError):
            raise UsageError(f"the direction of '{v}' must be a number") from None
    if not out:
        raise UsageError("the direction is empty: give it as x=1,y=0")
    return out


def check_cotangent(program, cotangent):
    """The cotangent as floats, one per output (program: anything with .outputs, a
    Program or a Function)."""
    n_out = len(program.outputs)
    cotangent = [float(c) for c in cotangent]
    if len(cotangent) != n_out:
        raise UsageError(f"the cotangent has {len(cotangent)} entr{'y' if len(cotangent) == 1 else 'ies'} "
                         f"but the expression has {n_out} output{'s' if n_out != 1 else ''}",
                         hint="give one number per output, as in --cotangent " + ",".join(["1"] * n_out))
    return cotangent


def one_output(program, command):
    n = len(program.outputs)
    if n != 1:
        raise UsageError(f"{command} needs one output, got {n}",
                         hint="give one expression, or use 'adcli jacobian' for several outputs")


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


def errstate(m):
    """IEEE results without numpy's warnings: adcli names the operation itself."""
    if m.__name__ == "adcli.ops.scalar":
        import contextlib
        return contextlib.nullcontext()
    import numpy as np
    return np.errstate(all="ignore")


def fill(v, shape, m):
    """A structural zero (None) or a broadcast scalar becomes a full result."""
    if shape is None:
        return 0.0 if v is None else float(v)
    import numpy as np
    return np.zeros(shape) if v is None else np.broadcast_to(np.asarray(v, dtype=np.float64), shape).copy()


def finite(vs, m):
    if m.__name__ == "adcli.ops.scalar":
        return all(math.isfinite(v) for v in vs)
    return all(bool(m.isfinite(v).all()) for v in vs)


def check_value(name, v):
    """A value given for a variable, as a float or a float64 array; a TypeError for
    anything that is not a number or numbers (a str such as "3", None, a complex)."""
    if type(v) is float:
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    if isinstance(v, (str, bytes, bool, complex)) or v is None:
        raise TypeError(f"the value of {name} must be a number or an array of numbers, "
                        f"not {type(v).__name__} ({_short(v)})")
    import numpy as np
    try:
        a = np.asarray(v)
    except (ValueError, TypeError):
        a = None
    if a is None or a.dtype.kind not in "fiu":
        what = type(v).__name__ if a is None else f"{type(v).__name__} of {a.dtype}"
        raise TypeError(f"the value of {name} must be a number or an array of numbers, not {what}")
    return float(a) if a.ndim == 0 else a.astype(np.float64, copy=False)


def _short(v):
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."
