"""What both evaluators share: the compiled node list, a safe call of a rule, the
value-only sweep and the search for the operation that produced a nan or inf."""
import math

from ..numtext import constant
from ..ops.call import call_partials, call_value
from ..ops.table import PRIMS
from .liveness import masks


def compiled(program):
    """(prim, args, param) per node; prim is None for inputs and constants."""
    code = program._compiled
    if code is None:
        code = program._compiled = tuple(
            (None if n.op in ("input", "const") else PRIMS[n.op], n.args, n.param) for n in program.nodes)
    return code


def values(program, xs, m):
    """The value of every node, given the input values xs."""
    code = compiled(program)
    vals = list(xs) + [None] * (len(code) - len(xs))
    for i in range(len(xs), len(code)):
        prim, args, param = code[i]
        if prim is None:
            vals[i] = param
        else:
            vals[i] = call_value(prim, m, param, [vals[a] for a in args])
    return vals


def all_finite(xs, m):
    for x in xs:
        if m.__name__ == "adcli.ops.scalar":
            if not math.isfinite(x):
                return False
        elif not m.isfinite(x).all():
            return False
    return True


def diagnose(program, vals, m, derivatives=False, active=None):
    """Warnings naming each operation that turned finite inputs into nan or inf (and
    nan out of non-nan inputs). With derivatives=True, also each local partial that
    is not finite at finite inputs. Only called when some result is not finite.

    Only live nodes, at the points where they are live, are looked at: an operation in
    the branch of an `if` that was not taken gives no warning (adcli.engine.liveness)."""
    code = compiled(program)
    found = []
    seen = set()
    scalar = m.__name__ == "adcli.ops.scalar"
    value_live = masks(program, code, vals, m, derivative=False)
    deriv_live = masks(program, code, vals, m, derivative=True) if derivatives else None
    for i, (prim, args, param) in enumerate(code):
        if prim is None:
            continue
        lv = True if value_live is None else value_live[i]
        if lv is False:
            continue
        av = [_at(lv, vals[a]) for a in args]
        y = _at(lv, vals[i])
        if scalar:
            bad = _bad_scalar(y, av)
            if bad and (prim.name, "v") not in seen:
                seen.add((prim.name, "v"))
                found.append(f"{_show(prim, av, param)} = {constant(y)}{_why(prim, y)}")
        else:
            mask = _bad_vector(m, y, av)
            count = int(mask.sum()) if mask is not None else 0
            if count and (prim.name, "v") not in seen:
                seen.add((prim.name, "v"))
                first = int(mask.argmax())
                at, y0 = [_pick(a, first) for a in av], _pick(y, first)
                found.append(f"{_show(prim, at, param)} = {constant(y0)}{_why(prim, y0)}"
                             f" (at {count} point{'s' if count != 1 else ''})")
        if derivatives and (active is None or active[i]):
            ld = True if deriv_live is None else deriv_live[i]
            if ld is False:
                continue
            av = [_at(ld, vals[a]) for a in args]
            y = _at(ld, vals[i])
            if not all_finite(av + [y], m):
                continue
            ps = call_partials(prim, m, param, y, av)
            for k, p in enumerate(ps):
                if type(p) is int or (prim.name, "d") in seen:
                    continue
                bad = None if scalar else ~m.isfinite(p)
                if (math.isfinite(p) if scalar else not bad.any()):
                    continue
                seen.add((prim.name, "d"))
                first = 0 if scalar else int(bad.argmax())
                at = av if scalar else [_pick(a, first) for a in av]
                wrt = f" with respect to its {_ORDINAL[k]} argument" if len(ps) > 1 else ""
                value = constant(p if scalar else _pick(p, first))
                count = "" if scalar else f" at {_points(int(bad.sum()))}"
                see = " (a convention: see 'adcli functions')" if prim.note else ""
                found.append(f"the derivative of {_show(prim, at, param)}{wrt} is {value}{count}{see}")
    return found


_ORDINAL = ("first", "second", "third")


def _at(mask, v):
    """v at the points where mask holds (all of v where it is True)."""
    if mask is True or not hasattr(v, "shape") or v.shape != mask.shape:
        return v
    return v[mask]


def _points(n):
    return f"{n} point{'s' if n != 1 else ''}"


def _bad_scalar(y, av):
    if y != y:
        return all(a == a for a in av)
    if math.isinf(y):
        return all(math.isfinite(a) for a in av)
    return False


def _bad_vector(m, y, av):
    import numpy as np
    y = np.asarray(y)
    fin = m.isfinite(y)
    if fin.all():
        return None
    nan_y = m.isnan(y)
    no_nan_in = np.ones(y.shape, bool)
    all_fin_in = np.ones(y.shape, bool)
    for a in av:
        no_nan_in = no_nan_in & ~m.isnan(a)
        all_fin_in = all_fin_in & m.isfinite(a)
    return (nan_y & no_nan_in) | (~fin & ~nan_y & all_fin_in)


def _pick(a, k):
    import numpy as np
    a = np.asarray(a)
    return float(a.reshape(-1)[k]) if a.ndim else float(a)


def _show(prim, av, param):
    args = [constant(a) for a in av]
    if prim.kind == "function":
        return f"{prim.name}({', '.join(args)})"
    args = [f"({a})" if a.startswith("-") else a for a in args]
    return prim.template.format(*args, p=constant(param) if param is not None else "")


def _why(prim, y):
    if prim.name == "div":
        return " (division by zero)"
    if prim.domain != "all real x":
        return f" ({prim.name} is defined for {prim.domain})" if prim.kind == "function" else ""
    # Finite arguments overflow to inf; nan comes from inf - inf, 0 * inf, sin(inf).
    return " (undefined)" if y != y else " (overflow)"
