"""Vectors in the language: which names an expression uses as vectors, the names of
their elements in the flat IR (x[1] .. x[n]), and the integer constants that index them
and bound sums, checked with a caret where they are written.

A vector variable is a name the source indexes (x[i]) or takes the len of; its length
comes from the point, so lowering is specialised on the lengths. In the IR a vector of
length n is n scalar inputs named x[1] .. x[n] (names no variable can have), and the
Program records (name, length) of each vector in input order."""
import math

from ..errors import ExprError

RESERVED = frozenset(("len", "sum", "prod"))

# The longest sum or product unrolled: past it the IR would not fit in memory anyway.
MAX_TERMS = 10_000_000


def element(name, k):
    return f"{name}[{k}]"


def split_element(key):
    """('x', 3) for 'x[3]', None for any other name."""
    if key.endswith("]"):
        base, sep, k = key[:-1].partition("[")
        if sep and k.isdigit() and k.isascii() and k[0] != "0":
            return base, int(k)
    return None


def vector_names(stmts):
    """{name: column of its first use as a vector} for each name the statements index or
    take the len of, in order of first appearance; let-bound names are not variables."""
    lets = {s.value for s in stmts if s.kind == "let"}
    found = {}
    for stmt in stmts:
        stack = [stmt]
        while stack:
            node = stack.pop()
            k = node.kind
            if k == "index":
                name, pos = node.value, node.start
            elif k == "call" and node.value == "len" and len(node.args) == 1 and node.args[0].kind == "name":
                name, pos = node.args[0].value, node.args[0].start
            else:
                name = None
            if name is not None and name not in lets and (name not in found or pos < found[name]):
                found[name] = pos
            stack.extend(reversed(node.args))
    return dict(sorted(found.items(), key=lambda kv: kv[1]))


def scalar_uses(stmts):
    """{name: column of its first use} of the names read as numbers (for a caret under
    a variable given a vector but used as a scalar)."""
    found = {}
    for stmt in stmts:
        stack = [stmt]
        while stack:
            node = stack.pop()
            if node.kind == "name" and node.value not in found:
                found[node.value] = node.start
            if not (node.kind == "call" and node.value == "len"):
                stack.extend(node.args)
    return found


def vector_as_scalar(name, n, source, pos):
    return ExprError(f"'{name}' is a vector ({n} element{'s' if n != 1 else ''}), used here as a number",
                     source, pos, f"take an element, as in {name}[1], or sum them: sum(i = 1:len({name}), {name}[i])",
                     kind="name")


def _constant_int(b, i, syntax, source, what, hint):
    """The integer value of node i, which must be a constant known while lowering."""
    node = b.nodes[i]
    if node.op != "const":
        raise ExprError(f"{what} must be an integer known before evaluation", source, syntax.start, hint,
                        kind="name")
    v = node.param
    if not math.isfinite(v) or v != math.floor(v):
        shown = repr(v) if math.isfinite(v) else str(v)
        raise ExprError(f"{what} is {shown}, not an integer", source, syntax.start,
                        "an index or a bound must be a whole number", kind="value")
    return int(v)


_CONSTANTS = "numbers, len(...), let-bound constants and enclosing sum indices"


def index_value(b, i, syntax, name, n, source):
    k = _constant_int(b, i, syntax, source, f"the index of {name}", f"write it with {_CONSTANTS}")
    if not 1 <= k <= n:
        hint = "indices start at 1, as in mathematics" if k == 0 else \
            f"{name} has {n} element{'s' if n != 1 else ''}: {name}[1] to {name}[{n}]"
        raise ExprError(f"index {k} is out of range for {name} (length {n})", source, syntax.start, hint,
                        kind="value")
    return k


def range_bounds(b, ids, syntax, source):
    lo = _constant_int(b, ids[0], syntax[0], source, "the lower bound", f"write it with {_CONSTANTS}")
    hi = _constant_int(b, ids[1], syntax[1], source, "the upper bound", f"write it with {_CONSTANTS}")
    if hi - lo + 1 > MAX_TERMS:
        raise ExprError(f"the range {lo}:{hi} has {hi - lo + 1:,} terms, more than adcli unrolls "
                        f"({MAX_TERMS:,})", source, syntax[0].start, "sum over fewer terms", kind="value")
    return lo, hi
