"""The gradient of one output at one point, by levels: every node of the same depth,
op and parameter is one numpy operation over the nodes' gathered arguments, so a
program of 10,000 nodes that is a sum of 1,000 copies of one term (an unrolled
sum(i = 1:n, ...)) costs a few dozen numpy calls a sweep rather than 10,000 Python
steps. What an optimizer calling the gradient thousands of times needs.

prepare(program) works the levels out once; the sweeps then touch only arrays.

A long chain of additions (a sum unrolled as ((t1 + t2) + t3) + ...) would be as deep
as it is long; its links, each used once, are gathered into one n-ary sum (np.add.reduceat
forward, a repeat of the adjoint backwards). Only nodes that reach the output are
swept, so a partial of a node that does not matter never meets an adjoint.

A program with guards (if, where, and the rules' own: see adcli.engine.liveness) is not
prepared (None): which branch is live differs from node to node and point to point, and
the engine's reverse sweep (adcli.engine.reverse) selects it. The numbers are those of
the engine's rules (adcli.ops.arrays, the many-point path's); only the order in which an
n-ary sum adds its terms differs.
"""
from ..ops import arrays
from ..ops.call import call_partials, call_value
from .liveness import always_live
from .sweep import compiled

CHAIN_MIN = 16   # a chain of additions at least this long becomes one n-ary sum
_SUMS = ("add", "sub")


class Levels:
    """A program prepared for gradients by levels: call it with the input values (a
    float64 array in input order) for (value, gradient array)."""

    def __init__(self, size, inputs, consts, steps, output):
        self.size, self.inputs, self.consts, self.steps, self.output = size, inputs, consts, steps, output

    def __call__(self, x):
        import numpy as np
        vals = np.empty(self.size)
        vals[self.inputs] = x
        cidx, cval = self.consts
        vals[cidx] = cval
        for step in self.steps:
            if step[0] == "sum":
                _, out, terms, signs, starts = step
                vals[out] = np.add.reduceat(vals[terms] * signs, starts)
            else:
                _, prim, param, out, args = step
                vals[out] = call_value(prim, arrays, param, [vals[a] for a in args])
        adj = np.zeros(self.size)
        adj[self.output] = 1.0
        for step in reversed(self.steps):
            if step[0] == "sum":
                _, out, terms, signs, starts = step
                counts = np.diff(np.append(starts, len(terms)))
                np.add.at(adj, terms, np.repeat(adj[out], counts) * signs)
            else:
                _, prim, param, out, args = step
                g = adj[out]
                ps = call_partials(prim, arrays, param, vals[out], [vals[a] for a in args])
                for a, p in zip(args, ps):
                    if type(p) is int:
                        if p == 0:
                            continue
                        np.add.at(adj, a, g if p == 1 else -g if p == -1 else p * g)
                    else:
                        np.add.at(adj, a, p * g)
        return float(vals[self.output]), adj[self.inputs]


    def hvp(self, x, v):
        """(gradient, H @ v) at x: the sweep above run on Dual numbers (adcli.engine.dual)
        with every input moving along v, so the adjoints' tangents are the exact Hessian
        times v, from the table's first-derivative rules alone (forward-over-reverse)."""
        import numpy as np

        from .dual import Dual, DualMath
        dm = DualMath(arrays)
        vals, tans = np.empty(self.size), np.zeros(self.size)
        vals[self.inputs], tans[self.inputs] = x, v
        cidx, cval = self.consts
        vals[cidx] = cval
        for step in self.steps:
            if step[0] == "sum":
                _, out, terms, signs, starts = step
                vals[out] = np.add.reduceat(vals[terms] * signs, starts)
                tans[out] = np.add.reduceat(tans[terms] * signs, starts)
            else:
                _, prim, param, out, args = step
                y = call_value(prim, dm, param, [Dual(vals[a], {0: tans[a]}, dm) for a in args])
                vals[out], tans[out] = _parts(y)
        adj, adjt = np.zeros(self.size), np.zeros(self.size)
        adj[self.output] = 1.0
        for step in reversed(self.steps):
            if step[0] == "sum":
                _, out, terms, signs, starts = step
                counts = np.diff(np.append(starts, len(terms)))
                np.add.at(adj, terms, np.repeat(adj[out], counts) * signs)
                np.add.at(adjt, terms, np.repeat(adjt[out], counts) * signs)
            else:
                _, prim, param, out, args = step
                g = Dual(adj[out], {0: adjt[out]}, dm)
                y = Dual(vals[out], {0: tans[out]}, dm)
                ps = call_partials(prim, dm, param, y, [Dual(vals[a], {0: tans[a]}, dm) for a in args])
                for a, p in zip(args, ps):
                    if type(p) is int and p == 0:
                        continue
                    cv, ct = _parts(g if type(p) is int and p == 1 else p * g)
                    np.add.at(adj, a, cv)
                    np.add.at(adjt, a, ct)
        return adj[self.inputs], adjt[self.inputs]


def _parts(d):
    """(value, tangent) of a Dual, or of a plain number (tangent 0)."""
    from .dual import Dual
    if type(d) is Dual:
        return d.v, d.t.get(0, 0.0)
    return d, 0.0


def prepare(program):
    """The Levels of a one-output program, or None for one with guards."""
    import numpy as np
    code = compiled(program)
    if len(program.outputs) != 1 or always_live(program, code) is not None:
        return None
    n, n_in = len(code), len(program.inputs)
    output = program.outputs[0]
    uses = [0] * n
    for prim, args, _ in code:
        if prim is not None:
            for a in args:
                uses[a] += 1
    # Links of addition chains: an add or sub used once, by an add or sub, as a term.
    into = [-1] * n
    for i in range(n_in, n):
        prim, args, _ = code[i]
        if prim is not None and prim.name in _SUMS:
            for a in args:
                pa = code[a][0]
                if pa is not None and pa.name in _SUMS and uses[a] == 1 and a != output:
                    into[a] = i
    terms = {}   # head of a long chain -> [(node, sign)]
    for i in range(n - 1, n_in - 1, -1):
        prim = code[i][0]
        if prim is None or prim.name not in _SUMS or into[i] != -1:
            continue
        found, stack = [], [(i, 1.0)]
        while stack:
            j, s = stack.pop()
            _, args, _ = code[j]
            signs = (s, s if code[j][0].name == "add" else -s)
            for a, sa in zip(reversed(args), reversed(signs)):
                if into[a] == j:
                    stack.append((a, sa))
                else:
                    found.append((a, sa))
        if len(found) >= CHAIN_MIN:
            terms[i] = found[::-1]
    absorbed = [False] * n
    for i in terms:
        stack = [a for a in code[i][1] if into[a] == i]
        while stack:
            j = stack.pop()
            absorbed[j] = True
            stack.extend(a for a in code[j][1] if into[a] == j)
    # What reaches the output, through the chains' terms where a chain is one node.
    needed = [False] * n
    needed[output] = True
    for i in range(n - 1, -1, -1):
        if needed[i] and code[i][0] is not None:
            for a in (t for t, _ in terms[i]) if i in terms else code[i][1]:
                needed[a] = True
    level = [0] * n
    groups = {}
    for i in range(n_in, n):
        prim, args, param = code[i]
        if prim is None or not needed[i] or absorbed[i]:
            continue
        if i in terms:
            level[i] = 1 + max(level[t] for t, _ in terms[i])
            key = (level[i], "sum")
        else:
            level[i] = 1 + max(level[a] for a in args)
            key = (level[i], prim.name, _hashable(param))
        groups.setdefault(key, []).append(i)
    steps = []
    for key in sorted(groups, key=lambda k: (k[0], k[1:] != ("sum",), repr(k[1:]))):
        nodes = groups[key]
        out = np.array(nodes, dtype=np.intp)
        if key[1] == "sum" and len(key) == 2:
            flat = [t for i in nodes for t in terms[i]]
            lengths = [len(terms[i]) for i in nodes]
            starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.intp)
            steps.append(("sum", out, np.array([t for t, _ in flat], dtype=np.intp),
                          np.array([s for _, s in flat]), starts))
        else:
            prim, args, param = code[nodes[0]]
            cols = [np.array([code[i][1][k] for i in nodes], dtype=np.intp) for k in range(len(args))]
            steps.append(("op", prim, param, out, cols))
    consts = [i for i in range(n_in, n) if code[i][0] is None]
    cval = np.array([float(code[i][2]) for i in consts])
    return Levels(n, np.arange(n_in, dtype=np.intp), (np.array(consts, dtype=np.intp), cval), steps, output)


def _hashable(param):
    try:
        hash(param)
    except TypeError:
        return repr(param)
    return param
