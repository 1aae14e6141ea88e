"""Syntax tree to IR: resolves let-bindings, the constants pi and e, function names and
arities (with the source column for errors), and turns a constant exponent into the
parameter of powc. An explicit stack replaces recursion."""
from ..errors import ExprError
from ..ir import Builder
from ..ops.table import CONSTANTS, FUNCTIONS, OPERATORS


def lower(stmts, source):
    b = Builder()
    env = {}          # let-name -> node id
    used_inputs = {}  # variable name -> position of first use
    names = []
    outputs, labels = (), ()
    for stmt in stmts:
        if stmt.kind == "let":
            name = stmt.value
            if name in CONSTANTS or name in FUNCTIONS:
                what = "constant" if name in CONSTANTS else "function"
                raise ExprError(f"cannot bind '{name}': it is a built-in {what}", source, stmt.start,
                                kind="name")
            if name in env:
                raise ExprError(f"'{name}' is already defined", source, stmt.start,
                                "each name can be bound once", kind="name")
            if name in used_inputs:
                raise ExprError(f"'{name}' is already used above as an input variable", source, stmt.start,
                                "choose another name for the binding", kind="name")
            env[name] = _lower_expr(stmt.args[0], b, env, used_inputs, source)
            names.append((name, env[name]))
        else:
            outputs = tuple(_lower_expr(e, b, env, used_inputs, source) for e in stmt.args)
            labels = tuple(source[e.start:e.end].strip() for e in stmt.args)
    return b.finish(outputs, labels, names, source)


def _lower_expr(root, b, env, used_inputs, source):
    # No recursion: the reverse of a pre-order that visits the right subtree before the
    # left is the post-order (left, right, node), the order in which errors are met;
    # lowered like reverse Polish notation, each node taking its arguments' node ids
    # from the top of a stack.
    order = []
    stack = [root]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(node.args)
    ids = []
    for node in reversed(order):
        n = len(node.args)
        if n:
            args = ids[-n:]
            del ids[-n:]
        else:
            args = ()
        ids.append(_lower_node(node, args, b, env, used_inputs, source))
    return ids[0]


_BINARY = {spelling: name for (spelling, arity), name in OPERATORS.items() if arity == 2}


def _lower_node(node, args, b, env, used_inputs, source):
    k = node.kind
    if k == "bin":
        op = _BINARY[node.value]
        if op == "pow":
            return _power(b, args, node.start)
        return b.op(op, args, pos=node.start)
    if k == "name":
        name = node.value
        if name in env:
            return env[name]
        if name in CONSTANTS:
            return b.const(CONSTANTS[name], node.start)
        if name in FUNCTIONS:
            raise ExprError(f"'{name}' is a function", source, node.start,
                            f"call it with an argument, as in {name}(x)", kind="name")
        used_inputs.setdefault(name, node.start)
        return b.input(name, node.start)
    if k == "num":
        return b.const(node.value, node.start)
    if k == "neg":
        return b.op(OPERATORS[node.value, 1], args, pos=node.start)
    if k == "call":
        name = node.value
        prim = FUNCTIONS.get(name)
        if prim is None:
            raise _unknown_function(name, source, node.start, env, used_inputs)
        if len(args) != prim.arity:
            want = "1 argument" if prim.arity == 1 else f"{prim.arity} arguments"
            raise ExprError(f"{name}() takes {want}, got {len(args)}", source, node.start,
                            f"for example {_example(name, prim.arity)}", kind="arity")
        if name == "pow":
            return _power(b, args, node.start)
        return b.op(name, args, pos=node.start)
    raise AssertionError(f"unexpected syntax node {k}")  # pragma: no cover


def _power(b, args, pos):
    base, expo = args
    if b.is_const(expo):
        # A constant exponent is a parameter, not an input: no derivative edge, no log.
        return b.op("powc", (base,), param=b.nodes[expo].param, pos=pos)
    return b.op("pow", (base, expo), pos=pos)


def _example(name, arity):
    return f"{name}(x)" if arity == 1 else f"{name}(x, y)"


def _unknown_function(name, source, pos, env, used_inputs):
    import difflib
    import os
    if name in env or name in used_inputs:
        return ExprError(f"'{name}' is a variable, not a function", source, pos,
                         f"write {name}*(...) to multiply", kind="name")
    low = name.lower()
    if low in ALIASES:
        want, note = ALIASES[low]
        return ExprError(f"unknown function '{name}'", source, pos,
                         f"did you mean {want}()?" + (f" ({note})" if note else ""), kind="name")
    # Most similar first; on a tie the longer shared prefix wins: 'cosine' -> cos, not sin.
    scored = [(difflib.SequenceMatcher(None, low, f).ratio(), len(os.path.commonprefix([low, f])), f)
              for f in FUNCTIONS]
    best = max(scored)
    hint = f"did you mean {best[2]}()?" if best[0] >= 0.6 else "run 'adcli functions' for the list"
    return ExprError(f"unknown function '{name}'", source, pos, hint, kind="name")


# Other names of adcli's functions, from other languages and textbooks: name -> (adcli's
# name, a note or None). Looked up before the similarity search, which misses some of them
# (ln is not like log, nor exponential like exp). Small and obvious on purpose.
ALIASES = {
    "ln": ("log", "log is the natural logarithm"),
    "arcsin": ("asin", None), "arccos": ("acos", None), "arctan": ("atan", None), "asn": ("asin", None),
    "arcsinh": ("asinh", None), "arccosh": ("acosh", None), "arctanh": ("atanh", None),
    "power": ("pow", None), "exponential": ("exp", None), "sgn": ("sign", None),
    "logistic": ("sigmoid", None),
}
