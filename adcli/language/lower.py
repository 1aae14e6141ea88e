"""Syntax tree to IR: resolves let-bindings, the constants pi and e, function names and
arities (with the source column for errors), inlines user functions, and turns a constant
exponent into the parameter of powc.

Each expression is first checked (names, arities, a function calling itself), then
emitted; emitting cannot fail. A user function is emitted at each call by running its
body with the parameters bound to the arguments' nodes: an explicit stack of frames
replaces recursion, so a chain of 10,000 functions, each calling the one before, is as
deep as a loop is. A call repeated with the same argument nodes is the same node (the
IR merges common subexpressions), so it is emitted once and remembered."""
from ..errors import ExprError
from ..ir import Builder
from ..ops.table import CONSTANTS, FUNCTIONS, OPERATORS


class _Function:
    """A user function: its parameters, its body (a syntax node) and the body's nodes in
    the order they are emitted."""
    __slots__ = ("name", "params", "body", "order", "pos")

    def __init__(self, name, params, body, pos):
        self.name, self.params, self.body, self.pos = name, params, body, pos
        self.order = _postorder(body)


class _Scope:
    """What names mean while lowering one program."""

    def __init__(self, source):
        self.source = source
        self.lets = {}          # let-name -> node id
        self.functions = {}     # name -> _Function
        self.used_inputs = {}   # variable name -> position of first use


def lower(stmts, source):
    b = Builder()
    scope = _Scope(source)
    memo = {}
    names = []
    outputs, labels = (), ()
    for stmt in stmts:
        if stmt.kind == "let":
            name = stmt.value
            _check_new_name(name, scope, stmt.start, "bind")
            _check(stmt.args[0], scope, None)
            scope.lets[name] = _emit(stmt.args[0], b, scope, memo, names)
            names.append((name, scope.lets[name]))
        elif stmt.kind == "define":
            _define(stmt, scope)
        else:
            for e in stmt.args:
                _check(e, scope, None)
            outputs = tuple(_emit(e, b, scope, memo, names) for e in stmt.args)
            labels = tuple(source[e.start:e.end].strip() for e in stmt.args)
    return b.finish(outputs, labels, names, source)


def _check_new_name(name, scope, pos, verb):
    source = scope.source
    if name in CONSTANTS or name in FUNCTIONS:
        what = "constant" if name in CONSTANTS else "function"
        raise ExprError(f"cannot {verb} '{name}': it is a built-in {what}", source, pos,
                        f"choose another name, such as my_{name}" if verb == "define" else None, kind="name")
    if name in scope.lets or name in scope.functions:
        raise ExprError(f"'{name}' is already defined", source, pos,
                        "each name can be bound once", kind="name")
    if name in scope.used_inputs:
        raise ExprError(f"'{name}' is already used above as an input variable", source, pos,
                        "choose another name for the " + ("function" if verb == "define" else "binding"),
                        kind="name")


def _define(stmt, scope):
    source = scope.source
    name = stmt.value
    _check_new_name(name, scope, stmt.start, "define")
    *params, body = stmt.args
    seen = set()
    for p in params:
        pname = p.value
        if pname in CONSTANTS or pname in FUNCTIONS:
            what = "constant" if pname in CONSTANTS else "function"
            raise ExprError(f"cannot use '{pname}' as a parameter: it is a built-in {what}", source, p.start,
                            "choose another name for the parameter", kind="name")
        if pname == name:
            raise ExprError(f"'{pname}' is the name of the function itself", source, p.start,
                            "choose another name for the parameter", kind="name")
        if pname in seen:
            raise ExprError(f"parameter '{pname}' appears twice in {name}()", source, p.start,
                            "give each parameter its own name", kind="name")
        seen.add(pname)
    fn = _Function(name, tuple(p.value for p in params), body, stmt.start)
    _check(body, scope, fn)
    scope.functions[name] = fn


def _postorder(root):
    # No recursion: the reverse of a pre-order that visits the right subtree before the
    # left is the post-order (left, right, node), the order in which errors are met.
    order = []
    stack = [root]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(node.args)
    order.reverse()
    return order


def _check(root, scope, fn):
    """Raise the first error of an expression (or of the body of fn), in source order:
    unknown names and functions, wrong arities, a function that calls itself."""
    source = scope.source
    params = fn.params if fn is not None else ()
    for node in (fn.order if fn is not None else _postorder(root)):
        k = node.kind
        if k == "name":
            name = node.value
            if name in params or name in scope.lets or name in CONSTANTS:
                continue
            if name in FUNCTIONS or name in scope.functions or (fn is not None and name == fn.name):
                raise ExprError(f"'{name}' is a function", source, node.start,
                                f"call it with an argument, as in {name}(x)", kind="name")
            scope.used_inputs.setdefault(name, node.start)
        elif k == "call":
            name = node.value
            if fn is not None and name == fn.name:
                raise ExprError(f"{name}() calls itself", source, node.start,
                                "a function may call only functions defined before it, never itself "
                                "(adcli functions are inlined, so they cannot recurse)", kind="name")
            user = scope.functions.get(name)
            if user is not None:
                arity = len(user.params)
            elif name in FUNCTIONS:
                arity = FUNCTIONS[name].arity
            else:
                raise _unknown_function(name, source, node.start, scope, params)
            if len(node.args) != arity:
                want = "1 argument" if arity == 1 else f"{arity} arguments"
                example = f"{name}({', '.join(user.params)})" if user is not None else _example(name, arity)
                raise ExprError(f"{name}() takes {want}, got {len(node.args)}", source, node.start,
                                f"for example {example}", kind="arity")


def _emit(root, b, scope, memo, names):
    """The node id of a checked expression. Frames: [nodes in post-order, next index,
    stack of argument ids, parameters (name -> id) or None, memo key, first new node]."""
    stack = [[_postorder(root), 0, [], None, None, 0]]
    while True:
        frame = stack[-1]
        order, k, ids, params = frame[0], frame[1], frame[2], frame[3]
        if k == len(order):
            result = ids[0]
            stack.pop()
            if frame[4] is not None:
                memo[frame[4]] = result
                if result >= frame[5]:   # a node of its own, not one of the arguments
                    names.append((f"{frame[4][0].name}()", result))
            if not stack:
                return result
            stack[-1][2].append(result)
            continue
        node = order[k]
        frame[1] = k + 1
        n = len(node.args)
        if n:
            args = tuple(ids[-n:])
            del ids[-n:]
        else:
            args = ()
        if node.kind == "call" and node.value in scope.functions:
            fn = scope.functions[node.value]
            key = (fn, args)
            found = memo.get(key)
            if found is not None:
                ids.append(found)
            else:
                stack.append([fn.order, 0, [], dict(zip(fn.params, args)), key, len(b.nodes)])
            continue
        ids.append(_lower_node(node, args, b, scope, params))


_BINARY = {spelling: name for (spelling, arity), name in OPERATORS.items() if arity == 2}


def _lower_node(node, args, b, scope, params):
    k = node.kind
    if k == "bin":
        op = _BINARY[node.value]
        if op == "pow":
            return _power(b, args, node.start)
        return b.op(op, args, pos=node.start)
    if k == "name":
        name = node.value
        if params is not None and name in params:
            return params[name]
        if name in scope.lets:
            return scope.lets[name]
        if name in CONSTANTS:
            return b.const(CONSTANTS[name], node.start)
        return b.input(name, node.start)
    if k == "num":
        return b.const(node.value, node.start)
    if k in ("neg", "not"):
        return b.op(OPERATORS[node.value, 1], args, pos=node.start)
    if k == "call":
        name = node.value
        if name == "pow":
            return _power(b, args, node.start)
        if name == "if" and b.is_const(args[0]):
            # A constant condition picks its branch now (as the op would: nan is non-zero).
            c = b.nodes[args[0]].param
            return args[1] if c != 0 else args[2]
        return b.op(name, args, pos=node.start)
    raise AssertionError(f"unexpected syntax node {k}")  # pragma: no cover


def _power(b, args, pos):
    base, expo = args
    if b.is_const(expo):
        # A constant exponent is a parameter, not an input: no derivative edge, no log.
        return b.op("powc", (base,), param=b.nodes[expo].param, pos=pos)
    return b.op("pow", (base, expo), pos=pos)


def _example(name, arity):
    if name == "if":
        return "if(x > 0, x, 0)"
    return f"{name}(x)" if arity == 1 else f"{name}(x, y)"


def _unknown_function(name, source, pos, scope, params=()):
    import difflib
    import os
    if name in scope.lets or name in scope.used_inputs or name in params:
        return ExprError(f"'{name}' is a variable, not a function", source, pos,
                         f"write {name}*(...) to multiply", kind="name")
    low = name.lower()
    if low in ALIASES:
        want, note = ALIASES[low]
        return ExprError(f"unknown function '{name}'", source, pos,
                         f"did you mean {want}()?" + (f" ({note})" if note else ""), kind="name")
    # Most similar first; on a tie the longer shared prefix wins: 'cosine' -> cos, not sin.
    scored = [(difflib.SequenceMatcher(None, low, f).ratio(), len(os.path.commonprefix([low, f])), f)
              for f in (*FUNCTIONS, *scope.functions)]
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
