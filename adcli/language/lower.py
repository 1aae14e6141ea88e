"""Syntax tree to IR: resolves let-bindings, the constants pi and e, function names and
arities (with the source column for errors), turns a constant exponent into the
parameter of powc, unrolls sum and prod over the vectors' lengths, which come from
the point (the IR is specialised on them, as a jit specialises on shapes), and inlines
user functions. An explicit stack of frames replaces recursion, for sums nested in sums
and for a chain of 10,000 functions each calling the one before alike. A call repeated
with the same argument nodes is the same node (the IR merges common subexpressions), so
it is emitted once and remembered."""
from ..errors import EvalError, ExprError
from ..ir import Builder
from ..ops.table import CONSTANTS, FUNCTIONS, OPERATORS
from .vectors import (
    RESERVED,
    element,
    index_value,
    range_bounds,
    vector_as_scalar,
)


def lower(stmts, source, lengths=None):
    """The Program of parsed statements. lengths maps each vector variable (a name that
    the source indexes or takes the len of) to its length at the point."""
    return _Lowering(source, lengths or {}).run(stmts)


class _Lowering:
    def __init__(self, source, lengths):
        self.source = source
        self.lengths = lengths
        self.b = Builder()
        self.env = {}          # what a name means here: let-name, sum index or parameter -> node id
        self.lets = {}         # let-name -> node id
        self.functions = {}    # user function name -> _Function
        self.memo = {}         # (function, argument ids) -> the call's node id
        self.names = []        # (let-name or 'f()', node id), for display
        self.indices = set()   # the sum indices in scope
        self.used_inputs = {}  # variable name -> position of first use
        self.vector_ids = {}   # vector name -> node ids of its elements, made at first use
        self._codes = {}       # id(sum node) -> the postfix code of its body, made once
        self._numbers = {}     # number syntax node -> its constant's id (nodes hash by identity)

    def run(self, stmts):
        source, env = self.source, self.env
        names = self.names
        outputs, labels = (), ()
        for stmt in stmts:
            if stmt.kind == "define":
                self.define(stmt)
            elif stmt.kind == "let":
                name = stmt.value
                if name in CONSTANTS or name in FUNCTIONS or name in RESERVED:
                    what = "constant" if name in CONSTANTS else "function"
                    raise ExprError(f"cannot bind '{name}': it is a built-in {what}", source, stmt.start,
                                    "choose another name" if name in RESERVED else None, kind="name")
                if name in env or name in self.functions:
                    raise ExprError(f"'{name}' is already defined", source, stmt.start,
                                    "each name can be bound once", kind="name")
                if name in self.used_inputs or name in self.lengths:
                    raise ExprError(f"'{name}' is already used above as an input variable", source, stmt.start,
                                    "choose another name for the binding", kind="name")
                env[name] = self.lets[name] = self.expr(stmt.args[0])
                names.append((name, env[name]))
            else:
                outputs = tuple(self.expr(e) for e in stmt.args)
                labels = tuple(source[e.start:e.end].strip() for e in stmt.args)
        for v in self.lengths:   # a vector read only inside an empty sum is still an input
            self.vector(v, None)
        vectors = tuple((v, len(ids)) for v, ids in self.vector_ids.items())
        keep = [i for ids in self.vector_ids.values() for i in ids]
        return self.b.finish(outputs, labels, names, source, keep=keep, vectors=vectors)

    def expr(self, root):
        """The node id of one expression. The syntax is run as postfix code, each node
        taking its arguments' ids from the top of a stack; a sum runs its body's code once
        per index value in a frame of its own, and a call of a user function runs the
        function's body in a frame whose names are its parameters and the let-bindings, so
        nesting costs no Python recursion."""
        ids = []
        frames = [[_postfix(root), 0, None]]
        node_id = self.node
        numbers = self._numbers
        op = self.b.op
        functions = self.functions
        while frames:
            env = self.env        # a function's frame has names of its own
            frame = frames[-1]
            code, pc, state = frame
            n = len(code)
            while pc < n:
                node, nargs = code[pc]
                pc += 1
                kind = node.kind
                # The kinds a sum's body repeats most, taken here without a call: a
                # 100,000-term sum runs this loop millions of times.
                if kind == "num":
                    i = numbers.get(node)
                    if i is None:
                        i = numbers[node] = self.b.const(node.value, node.start)
                    ids.append(i)
                    continue
                if kind == "name":
                    i = env.get(node.value)
                    ids.append(node_id(node, ()) if i is None else i)
                    continue
                if nargs:
                    args = ids[-nargs:]
                    del ids[-nargs:]
                else:
                    args = ()
                if kind == "bin":
                    name = _BINARY[node.value]
                    ids.append(_power(self.b, args, node.start) if name == "pow" else
                               op(name, args, pos=node.start))
                    continue
                if kind == "sum":
                    inner = self.start_sum(node, args)
                    if inner is None:      # an empty range
                        ids.append(self.b.const(0.0 if node.value[0] == "sum" else 1.0, node.start))
                        continue
                    frame[1] = pc
                    frames.append([self.body(node), 0, inner])
                    break
                if kind == "call" and node.value in functions:
                    inner = self.start_call(functions[node.value], node, args)
                    if isinstance(inner, int):     # the same call was emitted before
                        ids.append(inner)
                        continue
                    frame[1] = pc
                    frames.append([inner.fn.code, 0, inner])
                    break
                ids.append(node_id(node, args))
            else:
                frames.pop()
                if isinstance(state, _Sum):
                    if self.step_sum(state, ids.pop()):
                        frame[1] = 0
                        frames.append(frame)   # the body again, for the next index
                    else:
                        ids.append(state.acc)
                elif state is not None:
                    self.end_call(state, ids[-1])
        return ids[0]

    # ---- user functions --------------------------------------------------------------

    def define(self, stmt):
        source = self.source
        name = stmt.value
        self.check_new_name(name, stmt.start)
        *params, body = stmt.args
        seen = set()
        for p in params:
            pname = p.value
            if pname in CONSTANTS or pname in FUNCTIONS or pname in RESERVED:
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
        fn = _Function(name, tuple(p.value for p in params), body, stmt.start, dict(self.lets))
        self.check_body(fn)
        self.functions[name] = fn

    def check_new_name(self, name, pos):
        source = self.source
        if name in CONSTANTS or name in FUNCTIONS or name in RESERVED:
            what = "constant" if name in CONSTANTS else "function"
            raise ExprError(f"cannot define '{name}': it is a built-in {what}", source, pos,
                            f"choose another name, such as my_{name}", kind="name")
        if name in self.lets or name in self.functions:
            raise ExprError(f"'{name}' is already defined", source, pos, "each name can be bound once", kind="name")
        if name in self.used_inputs or name in self.lengths:
            raise ExprError(f"'{name}' is already used above as an input variable", source, pos,
                            "choose another name for the function", kind="name")

    def check_body(self, fn):
        """Raise the first error of a function's body, in source order: a call of itself,
        an unknown function, a wrong number of arguments, a function used as a number.
        Free names of the body are input variables from here on, as if written here."""
        source = self.source
        params = set(fn.params)
        indices = {n.value[1] for n, _ in fn.code if n.kind == "sum"}
        len_args = {id(n.args[0]) for n, _ in fn.code if n.kind == "call" and n.value == "len" and n.args}
        for node, _ in fn.code:
            k = node.kind
            if k == "name":
                name = node.value
                if name in params or name in fn.lets or name in CONSTANTS or name in indices \
                        or id(node) in len_args:
                    continue
                if name in FUNCTIONS or name in RESERVED or name in self.functions or name == fn.name:
                    raise ExprError(f"'{name}' is a function", source, node.start,
                                    f"call it with an argument, as in {name}(x)", kind="name")
                if name not in self.lengths:
                    self.used_inputs.setdefault(name, node.start)
            elif k == "call":
                name = node.value
                if name == fn.name:
                    raise ExprError(f"{name}() calls itself", source, node.start,
                                    "a function may call only functions defined before it, never itself "
                                    "(adcli functions are inlined, so they cannot recurse)", kind="name")
                if name not in self.functions and name not in FUNCTIONS and name not in RESERVED:
                    raise _unknown_function(name, source, node.start, fn.lets, self.used_inputs,
                                            self.functions, params)
                self.check_arity(node, len(node.args))

    def check_arity(self, node, got):
        name = node.value
        user = self.functions.get(name)
        if user is not None:
            arity = len(user.params)
        elif name in FUNCTIONS:
            arity = FUNCTIONS[name].arity
        else:
            return
        if got != arity:
            want = "1 argument" if arity == 1 else f"{arity} arguments"
            example = f"{name}({', '.join(user.params)})" if user is not None else _example(name, arity)
            raise ExprError(f"{name}() takes {want}, got {got}", self.source, node.start,
                            f"for example {example}", kind="arity")

    def start_call(self, fn, node, args):
        """The node id of a call emitted before, or the state of a new frame for its body."""
        self.check_arity(node, len(args))
        key = (fn, tuple(args))
        found = self.memo.get(key)
        if found is not None:
            return found
        call = _Call(fn, key, self.env, self.indices, len(self.b.nodes))
        self.env = dict(fn.lets)
        self.env.update(zip(fn.params, args))
        self.indices = set()
        return call

    def end_call(self, call, result):
        self.env, self.indices = call.env, call.indices
        self.memo[call.key] = result
        if result >= call.first:   # a node of its own, not one of the arguments
            self.names.append((f"{call.fn.name}()", result))

    def body(self, node):
        code = self._codes.get(id(node))
        if code is None:
            code = self._codes[id(node)] = _postfix(node.args[2])
        return code

    # ---- sums ------------------------------------------------------------------------

    def start_sum(self, node, args):
        kind, index, at = node.value
        source = self.source
        if kind not in ("sum", "prod"):
            raise ExprError(f"'{kind}(i = a:b, ...)' is not a function", source, node.start,
                            "an index range goes in sum(i = a:b, body) or prod(i = a:b, body)", kind="name")
        if index in self.indices:
            raise ExprError(f"'{index}' is already the index of an enclosing {kind}", source, at,
                            "give the inner index another name, as in sum(j = 1:n, ...)", kind="name")
        if index in self.env or index in self.used_inputs or index in self.lengths \
                or index in CONSTANTS or index in FUNCTIONS or index in RESERVED:
            raise ExprError(f"'{index}' is already a name in the expression", source, at,
                            "give the index a name of its own, such as i or k", kind="name")
        lo, hi = range_bounds(self.b, args, node.args, source)
        if hi < lo:
            return None
        state = _Sum("add" if kind == "sum" else "mul", index, lo, hi, node.start)
        self.indices.add(index)
        self.env[index] = self.b.const(float(lo))
        return state

    def step_sum(self, state, term):
        """Fold one term into the sum; True while there are more."""
        b = self.b
        state.acc = term if state.acc is None else b.op(state.op, (state.acc, term), pos=state.pos)
        if state.k < state.hi:
            state.k += 1
            self.env[state.index] = b.const(float(state.k))
            return True
        del self.env[state.index]
        self.indices.discard(state.index)
        return False

    # ---- one node --------------------------------------------------------------------

    def node(self, node, args):
        k = node.kind
        b = self.b
        if k == "bin":
            op = _BINARY[node.value]
            if op == "pow":
                return _power(b, args, node.start)
            return b.op(op, args, pos=node.start)
        if k == "name":
            name = node.value
            i = self.env.get(name)
            if i is not None:
                return i
            if name in CONSTANTS:
                return b.const(CONSTANTS[name], node.start)
            if name in FUNCTIONS or name in RESERVED or name in self.functions:
                raise ExprError(f"'{name}' is a function", self.source, node.start,
                                f"call it with an argument, as in {name}(x)", kind="name")
            if name in self.lengths:
                raise vector_as_scalar(name, self.lengths[name], self.source, node.start)
            self.used_inputs.setdefault(name, node.start)
            return b.input(name, node.start)
        if k == "num":
            return b.const(node.value, node.start)
        if k == "index":
            return self.element(node, args[0])
        if k in ("neg", "not"):
            return b.op(OPERATORS[node.value, 1], args, pos=node.start)
        if k == "call":
            name = node.value
            if name == "len":
                return self.length(node)
            prim = FUNCTIONS.get(name)
            if prim is None:
                raise _unknown_function(name, self.source, node.start, self.env, self.used_inputs, self.functions)
            if len(args) != prim.arity:
                want = "1 argument" if prim.arity == 1 else f"{prim.arity} arguments"
                raise ExprError(f"{name}() takes {want}, got {len(args)}", self.source, node.start,
                                f"for example {_example(name, prim.arity)}", kind="arity")
            if name == "pow":
                return _power(b, args, node.start)
            if name == "if" and b.is_const(args[0]):
                # A constant condition picks its branch now (as the op would: nan is non-zero).
                return args[1] if b.nodes[args[0]].param != 0 else args[2]
            return b.op(name, args, pos=node.start)
        raise AssertionError(f"unexpected syntax node {k}")  # pragma: no cover

    def vector(self, name, pos):
        """The element ids of a vector variable, all made at its first use, in order, so
        that a vector's inputs stay together and its gradient is whole."""
        ids = self.vector_ids.get(name)
        if ids is None:
            self.check_vector(name, pos)
            n = self.lengths[name]
            ids = self.vector_ids[name] = [self.b.input(element(name, k), pos) for k in range(1, n + 1)]
        return ids

    def check_vector(self, name, pos):
        source = self.source
        if name in self.indices:
            raise ExprError(f"'{name}' is a sum index, a number, not a vector", source, pos,
                            "only a variable given a vector value can be indexed", kind="name")
        if name in self.env:
            raise ExprError(f"'{name}' is a let-binding, not a vector", source, pos,
                            "only a variable given a vector value can be indexed", kind="name")
        if name in CONSTANTS or name in FUNCTIONS or name in RESERVED:
            raise ExprError(f"'{name}' is not a vector", source, pos,
                            "only a variable given a vector value can be indexed", kind="name")
        if name not in self.lengths:
            raise EvalError(f"no value for vector variable {name}", source, pos,
                            f"give it a vector value, as in --at {name}=[1,2,3]")

    def element(self, node, index_id):
        name = node.value
        ids = self.vector_ids.get(name) or self.vector(name, node.start)
        index = self.b.nodes[index_id]
        if index.op == "const":   # the usual case, checked here without a call
            v = index.param
            if v == v and 1 <= v <= len(ids) and v == int(v):
                return ids[int(v) - 1]
        k = index_value(self.b, index_id, node.args[0], name, len(ids), self.source)
        return ids[k - 1]

    def length(self, node):
        source = self.source
        if len(node.args) != 1 or node.args[0].kind != "name":
            raise ExprError("len() takes the name of a vector variable", source, node.start,
                            "for example len(x), with --at x=[1,2,3]", kind="arity")
        arg = node.args[0]
        return self.b.const(float(len(self.vector(arg.value, arg.start))), node.start)


class _Function:
    """A user function: its parameters, its body (a syntax node), the body's postfix code
    and the let-bindings it sees (those made before it)."""
    __slots__ = ("name", "params", "body", "pos", "code", "lets")

    def __init__(self, name, params, body, pos, lets):
        self.name, self.params, self.body, self.pos, self.lets = name, params, body, pos, lets
        self.code = _postfix(body)


class _Call:
    """A call of a user function being emitted: the caller's names to restore after it."""
    __slots__ = ("fn", "key", "env", "indices", "first")

    def __init__(self, fn, key, env, indices, first):
        self.fn, self.key, self.env, self.indices, self.first = fn, key, env, indices, first


class _Sum:
    __slots__ = ("op", "index", "k", "hi", "acc", "pos")

    def __init__(self, op, index, lo, hi, pos):
        self.op, self.index, self.k, self.hi, self.acc, self.pos = op, index, lo, hi, None, pos


def _postfix(root):
    """(node, number of argument ids it takes) in post-order: the reverse of a pre-order
    that visits the right subtree before the left. A sum takes its bounds only (its body
    is run by the sum), len(x) nothing (it reads a length, not a value)."""
    order = []
    stack = [root]
    while stack:
        node = stack.pop()
        k = node.kind
        if k == "sum":
            order.append((node, 2))
            stack.extend(node.args[:2])
        elif k == "call" and node.value == "len":
            order.append((node, 0))
        else:
            order.append((node, len(node.args)))
            stack.extend(node.args)
    order.reverse()
    return order


_BINARY = {spelling: name for (spelling, arity), name in OPERATORS.items() if arity == 2}


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


def _unknown_function(name, source, pos, env, used_inputs, functions=(), params=()):
    import difflib
    import os
    if name in env or name in used_inputs or name in params:
        return ExprError(f"'{name}' is a variable, not a function", source, pos,
                         f"write {name}*(...) to multiply", kind="name")
    if name in ("sum", "prod"):
        return ExprError(f"{name}() takes an index and a range", source, pos,
                         f"write {name}(i = 1:len(x), x[i]) for the {name} of a vector x", kind="arity")
    low = name.lower()
    if low in ALIASES:
        want, note = ALIASES[low]
        return ExprError(f"unknown function '{name}'", source, pos,
                         f"did you mean {want}()?" + (f" ({note})" if note else ""), kind="name")
    # Most similar first; on a tie the longer shared prefix wins: 'cosine' -> cos, not sin.
    scored = [(difflib.SequenceMatcher(None, low, f).ratio(), len(os.path.commonprefix([low, f])), f)
              for f in (*FUNCTIONS, *functions)]
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
