"""A point's vectors, matched to an expression's: each vector variable's length (which
selects the lowered program) and its elements as the scalar inputs x[1] .. x[n].

A vector variable is one the expression indexes or takes the len of. Its value is a
list or tuple of numbers, a 1-D array (one point) or an array of two or more dimensions
(many points; the last axis is the vector's), or its elements given by name (x[1], ...:
the columns of a points file). A vector typed in a point (--at x=[1,2]) for a variable
the expression reads as a number is an error with a caret under that use; in the API a
list for such a variable keeps its old meaning, many points."""
import numbers

from ..errors import UsageError
from ..language.point import Vector
from ..language.vectors import element, scalar_uses, split_element


def bind(f, point, lengths=None):
    """(the Function for the point's vector lengths, the point with vectors as elements)."""
    vectors = f.vectors
    lengths = dict(lengths or {})
    flat = {}
    for name, v in point.items():
        if name in vectors:
            lengths[name] = _elements(f, name, v, flat)
        elif isinstance(v, Vector):
            uses = scalar_uses(f._stmts)
            if name in uses:
                raise UsageError(f"'{name}' is given a vector ({len(v)} elements) but used as a number",
                                 f.expr, uses[name],
                                 f"give it one number, or index it in the expression: {name}[1], "
                                 f"sum(i = 1:len({name}), {name}[i])")
            _elements(f, name, v, flat)   # not in the expression: kept as elements, to be warned about
        else:
            flat[name] = v
    missing = [v for v in vectors if v not in lengths]
    if missing:
        lengths.update(_counted(flat, missing))
    return f.specialise(lengths), flat


def lengths_of_columns(vectors, names):
    """{vector: length} from a points file's header: x is the columns x[1] .. x[n]."""
    found = {}
    for name in names:
        got = split_element(name.strip())
        if got is not None and got[0] in vectors:
            found.setdefault(got[0], set()).add(got[1])
    lengths = {}
    for v, ks in found.items():
        n = len(ks)
        if max(ks) != n:
            gap = min(k for k in range(1, n + 2) if k not in ks)
            raise UsageError(f"the points file has columns for {element(v, max(ks))} but none for "
                             f"{element(v, gap)}",
                             hint=f"a vector {v} of length n is the columns {element(v, 1)} .. {element(v, 'n')}")
        lengths[v] = n
    return lengths


def _counted(flat, names):
    want = set(names)
    counts = {}
    for key in flat:
        got = split_element(key)
        if got is not None and got[0] in want:
            counts[got[0]] = max(counts.get(got[0], 0), got[1])
    return counts


def _elements(f, name, v, flat):
    """Put the elements of vector value v into flat; return its length."""
    if isinstance(v, (list, tuple)) and not any(isinstance(x, (list, tuple)) or hasattr(x, "shape") for x in v):
        n = len(v)
        _not_empty(name, n)
        for k, x in enumerate(v, 1):
            if not isinstance(x, numbers.Real) or isinstance(x, bool):
                raise UsageError(f"element {k} of {name} is not a number: {x!r}")
            flat[element(name, k)] = float(x)
        return n
    if isinstance(v, numbers.Real) and not hasattr(v, "shape"):
        pos = f.vectors.get(name)
        raise UsageError(f"'{name}' is indexed as a vector in the expression but given a number",
                         f.expr if pos is not None else None, pos,
                         f"give it a vector value, as in --at {name}=[1,2,3]")
    import numpy as np
    try:
        a = np.asarray(v, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise UsageError(f"the value of {name} is not a vector of numbers ({e})") from None
    if a.ndim == 0:
        return _elements(f, name, float(a), flat)
    n = a.shape[-1]
    _not_empty(name, n)
    if a.ndim == 1:
        for k, x in enumerate(a.tolist(), 1):
            flat[element(name, k)] = x
    else:   # many points: the last axis is the vector's
        for k in range(n):
            flat[element(name, k + 1)] = a[..., k]
    return n


def _not_empty(name, n):
    if n == 0:
        raise UsageError(f"the vector {name} is empty", hint=f"give it one element or more, as in {name}=[1,2,3]")
