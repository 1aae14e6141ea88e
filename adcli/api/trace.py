"""Evaluation traces in the textbook convention (Griewank & Walther; Baydin et al. 2018).

Inputs are numbered v₋ₙ₊₁ … v₀, operations v₁, v₂, … . Operations are listed in layer
order: every operation after its arguments, those nearest the inputs first (ties in IR
order). That is a valid evaluation order of the same program and the one textbooks use,
so log(x1) + x1*x2 - sin(x2) numbers sin x2 as v₃, as in Baydin et al. Table 2.

Every number comes from the rules of adcli.ops.table through the evaluators' own helpers
(call_value, call_partials, scale, is_zero). The reverse trace is adcli.engine.reverse.sweep
itself, run in the trace's order with a hook that records each step as it executes, a
contribution to an adjoint that already has a value shown as its own accumulation step.

The result is plain data (Trace, Row, Step); adcli.render_trace formats it.
"""
from ..engine import reverse
from ..engine.liveness import masks
from ..engine.sweep import compiled, diagnose
from ..errors import EvalError, UsageError
from ..ops import scalar
from ..ops.call import call_partials, call_value, is_zero, scale


class Row:
    """One variable of the trace. args are references: ("v", k) for variable v_k,
    ("c", value) for a constant shown inline."""
    __slots__ = ("k", "node", "op", "param", "args", "names", "value", "partials", "tangent", "adjoint", "taken")

    def __init__(self, k, node, op, param, args, names, value):
        self.k, self.node, self.op, self.param, self.args, self.names = k, node, op, param, args, names
        self.value = value
        self.partials = None   # local partials from the rule (ints 0/1/-1 are structural)
        self.tangent = None    # forward mode; None is a structural zero
        self.adjoint = None    # reverse mode, after the whole sweep; None is a structural zero
        self.taken = True      # False: only in a branch of an `if` not taken here (its value reaches nothing)

    def __repr__(self):
        return f"Row(v{self.k} = {self.op}{self.args}, value={self.value!r})"


class Step:
    """One assignment of the reverse sweep.

    kind "seed":   v̄_target = ȳ (source is None, partial 1)
    kind "assign": v̄_target = v̄_source · partial   (first contribution)
    kind "add":    v̄_target = v̄_target + v̄_source · partial   (accumulation)
    arg is which argument of the source node the target is."""
    __slots__ = ("kind", "target", "source", "arg", "partial", "value")

    def __init__(self, kind, target, source, arg, partial, value):
        self.kind, self.target, self.source, self.arg = kind, target, source, arg
        self.partial, self.value = partial, value

    def __repr__(self):
        return f"Step({self.kind}, v{self.target} <- v{self.source}, {self.value!r})"


class Trace:
    def __init__(self, expr, at, mode, inputs, rows, outputs, labels):
        self.expr = expr
        self.at = at                  # {variable: value}
        self.mode = mode              # "forward" or "reverse"
        self.inputs = inputs          # variable names, in order (v_{1-n} .. v_0)
        self.rows = rows              # Row per input and operation, in trace order
        self.outputs = outputs        # references, as in Row.args
        self.labels = labels          # source text per output
        self.direction = {}           # forward: {variable: seed tangent}
        self.output_tangents = []     # forward: per output
        self.steps = []               # reverse: the adjoint sweep in execution order
        self.gradient = {}            # reverse: {variable: x̄}
        self.warnings = []

    def row(self, k):
        return self.rows[k + len(self.inputs) - 1]

    def output_values(self):
        return [self.row(r[1]).value if r[0] == "v" else r[1] for r in self.outputs]


def layer_order(program):
    """Layer of every node (inputs and constants 0, an operation one more than its
    deepest argument) and the operations sorted by (layer, id). One loop, no recursion."""
    nodes = program.nodes
    layer = [0] * len(nodes)
    buckets = {}
    for i, nd in enumerate(nodes):
        if nd.op in ("input", "const"):
            continue
        layer[i] = 1 + max(layer[a] for a in nd.args)
        buckets.setdefault(layer[i], []).append(i)
    order = [i for lv in sorted(buckets) for i in buckets[lv]]
    return layer, order


def numbering(program):
    """{node id: textbook index} for inputs and operations, and the operations in trace order."""
    n_in = len(program.inputs)
    index = {i: i - n_in + 1 for i in range(n_in)}
    _, order = layer_order(program)
    for k, i in enumerate(order, start=1):
        index[i] = k
    return index, order


def build(program, point, mode="forward", direction=None, expr=None):
    """The trace of `program` at `point` ({variable: float}).

    forward: tangents for `direction` ({variable: number}; default: the first variable).
    reverse: the adjoint sweep seeded with ȳ = 1 (one output only)."""
    if mode not in ("forward", "reverse"):
        raise UsageError(f"unknown mode {mode!r}: choose forward or reverse")
    missing = [v for v in program.inputs if v not in point]
    if missing:
        raise EvalError(f"no value for variable{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                        hint="give every variable a value, as in --at " +
                             ",".join(f"{v}=1" for v in program.inputs))
    if mode == "reverse" and len(program.outputs) != 1:
        raise UsageError(f"a reverse trace needs one output, got {len(program.outputs)}",
                         hint="trace one output at a time, or use --mode forward")
    code = compiled(program)
    nodes = program.nodes
    index, order = numbering(program)

    def ref(i):
        return ("v", index[i]) if nodes[i].op != "const" else ("c", nodes[i].param)

    vals = [None] * len(nodes)
    rows = []
    for i, name in enumerate(program.inputs):
        vals[i] = float(point[name])
        rows.append(Row(index[i], i, "input", name, (), program.names.get(i, ()), vals[i]))
    for i, nd in enumerate(nodes):
        if nd.op == "const":
            vals[i] = nd.param
    for i in order:
        prim, args, param = code[i]
        av = [vals[a] for a in args]
        vals[i] = call_value(prim, scalar, param, av)
        row = Row(index[i], i, nodes[i].op, param, tuple(ref(a) for a in args), program.names.get(i, ()),
                  vals[i])
        row.partials = tuple(call_partials(prim, scalar, param, vals[i], av))
        rows.append(row)
    trace = Trace(expr if expr is not None else program.source, dict(point), mode, program.inputs, rows,
                  [ref(o) for o in program.outputs], program.labels)
    live = masks(program, code, vals, scalar, derivative=False)
    if live is not None:
        for r in rows:
            r.taken = live[r.node] is not False
    by_node = {r.node: r for r in rows}
    if mode == "forward":
        _forward(program, trace, by_node, order, direction)
    else:
        _reverse(program, trace, vals, order, index)
    trace.warnings = _warnings(program, trace, vals)
    return trace


def _forward(program, trace, by_node, order, direction):
    if direction is None:
        direction = {program.inputs[0]: 1.0} if program.inputs else {}
    for name in direction:
        if name not in program.input_index:
            raise UsageError(f"'{name}' is not a variable of the expression",
                             hint="variables: " + (", ".join(program.inputs) or "none"))
    trace.direction = {v: float(direction.get(v, 0.0)) for v in program.inputs}
    tan = {}
    for i, name in enumerate(program.inputs):
        d = trace.direction[name]
        # A zero direction is a structural zero, as in adcli.forward: 0 * inf never happens.
        tan[i] = d if d != 0 else None
        by_node[i].tangent = tan[i]
    nodes = program.nodes
    for i in order:
        row = by_node[i]
        out = None
        for a, p in zip(nodes[i].args, row.partials):
            t = tan.get(a)
            if t is None or is_zero(p):
                continue
            term = scale(p, t)
            out = term if out is None else out + term
        tan[i] = row.tangent = out
    trace.output_tangents = [tan.get(o) for o in program.outputs]


def _reverse(program, trace, vals, order, index):
    """The adjoint steps, as adcli.engine.reverse.sweep executes them over the trace's
    own order; the hook records each accumulation the moment it happens."""
    nodes = program.nodes
    # Textbooks give every variable of the trace an adjoint, even one no input reaches
    # (log(-1) in x + log(-1)): only constants are left out, not inactive nodes.
    active = [nd.op != "const" for nd in nodes]
    adj = [None] * len(nodes)
    final = {}  # node -> its adjoint so far; the sweep releases adj[i] once node i is done
    o = program.outputs[0]
    if active[o]:
        adj[o] = final[o] = 1.0
        trace.steps.append(Step("seed", index[o], None, None, 1, 1.0))

    def record(i, pos, a, p, value):
        trace.steps.append(Step("add" if a in final else "assign", index[a], index[i], pos, p, value))
        final[a] = value

    reverse.sweep(compiled(program), vals, adj, active, scalar, reversed(order), hook=record,
                  live=reverse.start_live(program))
    for r in trace.rows:
        r.adjoint = final.get(r.node)
    trace.gradient = {name: final.get(i, 0.0) for i, name in enumerate(program.inputs)}


def _warnings(program, trace, vals):
    import math
    nums = [r.value for r in trace.rows if r.taken]
    nums += [r.tangent for r in trace.rows if r.tangent is not None and r.taken]
    nums += [s.value for s in trace.steps]
    if all(math.isfinite(v) for v in nums):
        return []
    return diagnose(program, vals, scalar, derivatives=True)
