"""The derivative program: an IR walked once with the op table's rules, emitting statements
instead of computing numbers (source transformation, as Tapenade and ADIFOR do).

The rules of adcli.ops.table are written against a math namespace `m`; here `m` is an
emitter whose functions append statements, so the partials in the program are the very
rules every engine runs (x^c never calls log, abs'(0) = 0, the nan guards), and the
accumulation mirrors the engines' loops step for step: the same structural zeros, the
same order of additions. Evaluated with the scalar namespace, the program's results are
the engines' bit for bit.

A program is a flat list of statements (op, args, param) in topological order, like the
IR, with common subexpressions merged, constants folded, trivial steps folded (* 1,
- -, x^1) where the folded form is the same float64 result, and dead statements dropped.
Ops are the table's primitives plus a few the rules use to branch: `where` (a select:
renderers evaluate only the branch taken), the comparisons, `and`, `isnan`, and `call`,
one partial derivative of a primitive whose rule takes several steps, kept as a helper
(param: (op, op param, argument position)) so the program stays a small multiple of the
IR while the helper bodies are one per kind of op.
"""
import math

from ..ops import scalar
from ..ops.call import call_value
from ..ops.table import PRIMS

COMPARISONS = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!="}
BRANCHING = ("where", "and", "or", "not", "isnan", *COMPARISONS)
_BY_MATHNAME = {p.mathname: p.name for p in PRIMS.values() if p.mathname}
_COMPARE = {"lt": lambda a, b: a < b, "le": lambda a, b: a <= b, "gt": lambda a, b: a > b,
            "ge": lambda a, b: a >= b, "eq": lambda a, b: a == b, "ne": lambda a, b: a != b}


class Emitter:
    """Append-only statements with common subexpressions merged and constants folded."""

    def __init__(self):
        self.ops = []       # (op, args, param)
        self.roles = []     # what each statement is, for naming: ("input", k), ("value", node), ...
        self._index = {}

    def add(self, op, args=(), param=None, role=None):
        args = tuple(args)
        folded = self._fold(op, args, param)
        if folded is not None:
            return folded
        # add and mul commute exactly in IEEE arithmetic: y*x is x*y, to the bit
        key = (op, tuple(sorted(args)) if op in ("add", "mul") else args, param.hex() if op == "const" else param)
        i = self._index.get(key)
        if i is None:
            i = len(self.ops)
            self.ops.append((op, args, param))
            self.roles.append(role)
            self._index[key] = i
        elif role is not None and self.roles[i] is None:
            self.roles[i] = role
        return i

    def const(self, v):
        return self.add("const", (), float(v)) if not isinstance(v, bool) else self.add("bool", (), v)

    def _c(self, i):
        op, _, param = self.ops[i]
        return param if op in ("const", "bool") else None

    def _fold(self, op, args, param):
        if op in ("const", "bool", "input"):
            return None
        ops = self.ops
        consts = [self._c(a) for a in args]
        if args and all(c is not None for c in consts):
            if op in PRIMS:
                v = call_value(PRIMS[op], scalar, param, consts)
                if math.isfinite(v):
                    return self.const(v)
            elif op in _COMPARE:
                return self.const(bool(_COMPARE[op](*consts)))
            elif op == "and":
                return self.const(bool(consts[0] and consts[1]))
            elif op == "or":
                return self.const(bool(consts[0] or consts[1]))
            elif op == "not":
                return self.const(not consts[0])
            elif op == "isnan":
                return self.const(consts[0] != consts[0])
        if op == "where":
            c, a, b = args
            if consts[0] is not None:
                return a if consts[0] else b
            if a == b:
                return a
        # Trivial steps, folded only where the folded form is the same float64 for every input.
        if op == "mul":
            a, b = args
            if consts[0] == 1.0:
                return b
            if consts[1] == 1.0:
                return a
            if consts[1] == -1.0:
                return self.add("neg", (a,))
            if consts[0] == -1.0:
                return self.add("neg", (b,))
        elif op == "div" and consts[1] == 1.0:
            return args[0]
        elif op == "neg" and ops[args[0]][0] == "neg":
            return ops[args[0]][1][0]
        elif op == "add":
            a, b = args
            if ops[b][0] == "neg":
                return self.add("sub", (a, ops[b][1][0]))
            if ops[a][0] == "neg":
                return self.add("sub", (b, ops[a][1][0]))
            if consts[1] is not None and consts[1] == 0.0 and _is_minus_zero(consts[1]):
                return a  # x + (-0.0) is x for every x; x + 0.0 is not (-0.0 + 0.0 = 0.0)
        elif op == "sub" and ops[args[1]][0] == "neg":
            return self.add("add", (args[0], ops[args[1]][1][0]))
        elif op == "powc":
            if param == 1.0:
                return args[0]
            if param == 0.0:
                return self.const(1.0)  # x^0 = 1 for every x, nan included
        return None


def _is_minus_zero(v):
    return v == 0.0 and math.copysign(1.0, v) < 0


class Sym:
    """A statement of an Emitter, with the arithmetic the rules use."""
    __slots__ = ("e", "i")

    def __init__(self, e, i):
        self.e = e
        self.i = i

    def _op(self, op, *others):
        return Sym(self.e, self.e.add(op, [self.i] + [_id(self.e, o) for o in others]))

    def _rop(self, op, other):
        return Sym(self.e, self.e.add(op, [_id(self.e, other), self.i]))

    def __add__(self, o):
        return self._op("add", o)

    def __radd__(self, o):
        return self._rop("add", o)

    def __sub__(self, o):
        return self._op("sub", o)

    def __rsub__(self, o):
        return self._rop("sub", o)

    def __mul__(self, o):
        return self._op("mul", o)

    def __rmul__(self, o):
        return self._rop("mul", o)

    def __truediv__(self, o):
        return self._op("div", o)

    def __rtruediv__(self, o):
        return self._rop("div", o)

    def __neg__(self):
        return self._op("neg")

    def __and__(self, o):
        return self._op("and", o)

    def __rand__(self, o):
        return self._rop("and", o)

    def __lt__(self, o):
        return self._op("lt", o)

    def __le__(self, o):
        return self._op("le", o)

    def __gt__(self, o):
        return self._op("gt", o)

    def __ge__(self, o):
        return self._op("ge", o)

    def __eq__(self, o):  # noqa: D105 - a comparison statement, as numpy arrays compare
        return self._op("eq", o)

    def __ne__(self, o):
        return self._op("ne", o)

    __hash__ = None


def _id(e, v):
    if isinstance(v, Sym):
        return v.i
    return e.const(v)


class Namespace:
    """The math namespace of the rules, emitting statements into an Emitter."""
    inf = math.inf
    nan = math.nan
    pi = math.pi

    def __init__(self, e):
        self.e = e

    def _sym(self, op, args, param=None):
        return Sym(self.e, self.e.add(op, [_id(self.e, a) for a in args], param))

    def where(self, c, a, b):
        if not isinstance(c, Sym):
            return a if c else b
        return self._sym("where", (c, a, b))

    def isnan(self, x):
        return self._sym("isnan", (x,))

    def pow(self, a, c):
        if isinstance(c, Sym):
            return self._sym("pow", (a, c))
        return self._sym("powc", (a,), float(c))

    def __getattr__(self, name):
        op = _BY_MATHNAME.get(name)
        if op is None:
            raise AttributeError(f"the derivative program has no {name!r}")
        return lambda *args: self._sym(op, args)


def expand_partial(prim, param, pos):
    """The rule for one partial of `prim` as its own small program over the parameters
    y (statement 0, the op's value) and its arguments (statements 1..arity). Returns
    (emitter, result statement, None), or (emitter, None, k) for a structural 0, 1, -1."""
    e = Emitter()
    y = Sym(e, e.add("input", (), 0))
    args = [Sym(e, e.add("input", (), k + 1)) for k in range(prim.arity)]
    p = prim.partials(Namespace(e), param, y, *args)[pos]
    if isinstance(p, Sym):
        return e, p.i, None
    if type(p) is int:
        return e, None, p
    return e, e.const(p), None


_HELPERS = {}


def helper(prim, param, pos):
    """(emitter, result, structural, inline): a partial's expansion, cached per kind of
    op; inline when it is a step or two without branches, else kept as a helper call."""
    key = (prim.name, param, pos)
    got = _HELPERS.get(key)
    if got is None:
        e, r, structural = expand_partial(prim, param, pos)
        live = _live(e.ops, [] if r is None else [r])
        body = [i for i in live if e.ops[i][0] not in ("input", "const", "bool")]
        inline = len(body) <= 2 and not any(e.ops[i][0] in BRANCHING for i in body)
        got = _HELPERS[key] = (e, r, structural, inline)
    return got


def _live(ops, roots):
    live = set(roots)
    for i in range(len(ops) - 1, -1, -1):
        if i in live:
            live.update(ops[i][1])
    return sorted(live)


class DerivativeProgram:
    """Statements (op, args, param), their roles, the output statement ids: the values
    first, then the derivatives row by row (output r, variable c), and the counts."""

    def __init__(self, ops, roles, outputs, n_values, variables, wrt, mode, ir_size, ir_inputs=()):
        self.ops = ops
        self.roles = roles
        self.outputs = outputs
        self.n_values = n_values
        self.variables = variables  # the arguments, in order
        self.wrt = wrt
        self.mode = mode
        self.ir_size = ir_size
        self.ir_inputs = ir_inputs  # the IR's inputs: node k is the variable ir_inputs[k]

    def replace(self, ops, roles, outputs):
        return DerivativeProgram(ops, roles, outputs, self.n_values, self.variables, self.wrt, self.mode,
                                 self.ir_size, self.ir_inputs)

    @property
    def size(self):
        """Statements that compute something (inputs and constants are not counted)."""
        return sum(1 for op, _, _ in self.ops if op not in ("input", "const", "bool"))

    def helpers(self):
        """The partial helpers the program calls, in order of first use."""
        seen = []
        for op, _, param in self.ops:
            if op == "call" and param not in seen:
                seen.append(param)
        return seen


def build(program, wrt, mode, variables=None, inline_helpers=False):
    """The derivative program of an IR Program: values of its outputs and their
    derivatives with respect to `wrt` (variable names), in forward or reverse mode,
    computed as adcli.engine.forward / reverse compute them. `variables` (default: the
    program's inputs) is the argument order; names not in the expression are arguments
    whose derivative is 0."""
    variables = tuple(program.inputs if variables is None else variables)
    e = Emitter()
    arg = {v: e.add("input", (), k, ("input", k)) for k, v in enumerate(variables)}
    nodes = program.nodes
    val = [None] * len(nodes)
    for i, node in enumerate(nodes):
        if node.op == "input":
            val[i] = arg[node.param]
        elif node.op == "const":
            val[i] = e.const(node.param)
        else:
            args = [val[a] for a in node.args]
            if node.op in _NUMERIC_LOGIC:
                # The language's comparisons and and/or/not are numbers 1 or 0 (the op
                # table's rules), where the statements' own conditions are booleans.
                val[i] = _numeric_logic(e, node.op, args)
            else:
                val[i] = e.add(node.op, args, node.param, ("value", i))
    index = program.input_index
    cols = [index.get(w) for w in wrt]
    partial_cache = {}

    def partial(i, pos):
        """The statement (or structural int) of node i's local partial for argument pos."""
        key = (i, pos)
        if key in partial_cache:
            return partial_cache[key]
        node = nodes[i]
        prim = PRIMS.get(node.op)
        if prim is None and node.op in BRANCHING:  # a comparison: its derivative is 0
            partial_cache[key] = (None, 0)
            return partial_cache[key]
        sub, r, structural, inline = helper(prim, node.param, pos)
        params = [val[i]] + [val[a] for a in node.args]
        if structural is not None:
            out = (None, structural)
        elif inline or inline_helpers:
            out = (_replay(e, sub, r, params), None)
        else:
            out = (e.add("call", params, (node.op, node.param, pos), ("partial", i, pos)), None)
        partial_cache[key] = out
        return out

    def scale(p, g):
        s, k = p
        if s is None:  # a structural 1 or -1: no multiply, as adcli.ops.call.scale
            return g if k == 1 else e.add("neg", (g,)) if k == -1 else e.add("mul", (e.const(k), g))
        return e.add("mul", (s, g))

    outputs = [val[o] for o in program.outputs]
    rows = []
    if mode == "reverse":
        active = _activity(program, {c for c in cols if c is not None})
        for o in program.outputs:
            adj = [None] * len(nodes)
            # guard[a]: the condition under which a's adjoint is not 0, when every contribution
            # to it came through a select (None: unconditional). A contribution from a guarded
            # node is added only where its guard holds, so a partial that is nan in the branch
            # not taken is never multiplied into anything (no 0 * nan).
            guard = [None] * len(nodes)
            free = [False] * len(nodes)
            if active[o]:
                adj[o] = e.const(1.0)
                free[o] = True

            def contribute(a, term, cond, adj=adj, guard=guard, free=free):
                old = adj[a]
                new = term if old is None else e.add("add", (old, term))
                if cond is None:
                    adj[a] = new
                    free[a] = True
                else:
                    adj[a] = e.add("where", (cond, new, e.const(0.0) if old is None else old))
                    if not free[a]:
                        guard[a] = cond if old is None else e.add("or", (guard[a], cond))
                e.roles[adj[a]] = e.roles[adj[a]] or ("adjoint", a)

            for i in range(len(nodes) - 1, len(program.inputs) - 1, -1):
                g = adj[i]
                if g is None or nodes[i].op == "const":
                    continue
                gi = None if free[i] else guard[i]
                args = nodes[i].args
                if nodes[i].op in SELECTS:
                    c = _truth(e, val[args[0]])
                    for pos, cond in ((1, c), (2, e.add("not", (c,)))):
                        if active[args[pos]]:
                            contribute(args[pos], g, cond if gi is None else e.add("and", (gi, cond)))
                    continue
                for pos, a in enumerate(args):
                    if not active[a]:
                        continue
                    p = partial(i, pos)
                    if p[1] == 0:
                        continue
                    contribute(a, scale(p, g), gi)
            rows.append([e.const(0.0) if c is None or adj[c] is None else adj[c] for c in cols])
    else:
        k = len(wrt)
        tan = [None] * len(nodes)
        for j, c in enumerate(cols):
            if c is not None:
                tan[c] = tan[c] or [None] * k
                tan[c][j] = e.const(1.0)
        for i in range(len(program.inputs), len(nodes)):
            node = nodes[i]
            if node.op == "const":
                continue
            at = [tan[a] for a in node.args]
            if all(t is None for t in at):
                continue
            if node.op in SELECTS:
                tan[i] = _select_tangent(e, _truth(e, val[node.args[0]]), at[1], at[2], k)
                continue
            out = [None] * k
            for pos, t in enumerate(at):
                if t is None:
                    continue
                p = partial(i, pos)
                if p[1] == 0:
                    continue
                for j in range(k):
                    if t[j] is None:
                        continue
                    term = scale(p, t[j])
                    out[j] = term if out[j] is None else e.add("add", (out[j], term))
                    e.roles[out[j]] = e.roles[out[j]] or ("tangent", i, j)
            tan[i] = out
        for o in program.outputs:
            t = tan[o]
            rows.append([e.const(0.0) if t is None or t[j] is None else t[j] for j in range(len(wrt))])
    outs = outputs + [d for row in rows for d in row]
    ops, roles, outs = _compact(e, outs, len(variables))
    return DerivativeProgram(ops, roles, outs, len(outputs), variables, tuple(wrt), mode, len(nodes),
                             program.inputs)


# Ops that choose one of two arguments by a condition, if(c, a, b): written as a `where`
# statement, and differentiated without a partial, so that nothing of the branch not taken
# reaches a derivative (a 0 * nan would): its adjoint accumulates only where it is taken, its
# tangent is the taken branch's. The condition gets no derivative.
SELECTS = ("if", "select")
_NUMERIC_LOGIC = frozenset((*COMPARISONS, "and", "or", "not"))


def _truth(e, c):
    """The condition of a select as a boolean statement: non-zero, nan included (as the
    op table's if tests it)."""
    return e.add("ne", (c, e.const(0.0)))


def _numeric_logic(e, op, args):
    one, zero = e.const(1.0), e.const(0.0)
    if op == "and":
        return e.add("where", (_truth(e, args[0]), e.add("where", (_truth(e, args[1]), one, zero)), zero))
    if op == "or":
        return e.add("where", (_truth(e, args[0]), one, e.add("where", (_truth(e, args[1]), one, zero))))
    cond = e.add("eq", (args[0], zero)) if op == "not" else e.add(op, args)
    return e.add("where", (cond, one, zero))


def _select_tangent(e, c, ta, tb, k):
    out = [None] * k
    for j in range(k):
        a = None if ta is None else ta[j]
        b = None if tb is None else tb[j]
        if a is None and b is None:
            continue
        out[j] = e.add("where", (c, e.const(0.0) if a is None else a, e.const(0.0) if b is None else b))
    return out


def _replay(e, sub, r, params):
    """Copy the statements of a partial's expansion that its result needs into e, with
    its parameters (y, args) bound to statements of e."""
    live = _live(sub.ops, [r])
    m = {}
    for i in live:
        op, args, param = sub.ops[i]
        if op == "input":
            m[i] = params[param]
        elif op in ("const", "bool"):
            m[i] = e.const(param)
        else:
            m[i] = e.add(op, [m[a] for a in args], param)
    return m[r]


def _activity(program, wrt_ids):
    active = [False] * len(program.nodes)
    for i in wrt_ids:
        active[i] = True
    for i in range(len(program.inputs), len(program.nodes)):
        node = program.nodes[i]
        if node.op != "const" and any(active[a] for a in node.args):
            active[i] = True
    return active


def _compact(e, outs, n_inputs):
    """Drop the statements no output needs; renumber (every input is kept: it is an argument)."""
    live = set(outs) | set(range(n_inputs))
    for i in range(len(e.ops) - 1, -1, -1):
        if i in live:
            live.update(e.ops[i][1])
    keep = sorted(live)
    new = {old: k for k, old in enumerate(keep)}
    ops = [(op, tuple(new[a] for a in args), param) for op, args, param in (e.ops[i] for i in keep)]
    roles = [e.roles[i] for i in keep]
    return ops, roles, [new[o] for o in outs]


def flatten(dp):
    """The same program with every helper call replaced by the helper's statements
    (for targets that cannot define functions: adcli's own language)."""
    e = Emitter()
    m = []
    for (op, args, param), role in zip(dp.ops, dp.roles):
        if op == "call":
            name, p, pos = param
            sub, r, _, _ = helper(PRIMS[name], p, pos)
            m.append(_replay(e, sub, r, [m[a] for a in args]))
            if role is not None and e.roles[m[-1]] is None:
                e.roles[m[-1]] = role
        elif op in ("const", "bool"):
            m.append(e.const(param))
        else:
            m.append(e.add(op, [m[a] for a in args], param, role))
    return dp.replace(*_compact(e, [m[o] for o in dp.outputs], len(dp.variables)))
