"""Reverse mode: a forward sweep for the values, then adjoints accumulated backwards.

Because the IR is topologically ordered, the reverse sweep is a loop over the nodes in
reverse. Adjoints accumulate (a node used twice receives two contributions) and live
in a list local to one call, never on the nodes, so a second call starts clean. One
sweep can carry q cotangents at once (a vector-Jacobian product per row).

`sweep` is the only reverse loop in adcli. One point (floats), many points (numpy
arrays, in place and in chunks: adcli.engine.chunked), second derivatives (Dual numbers:
adcli.engine.hessian) and the textbook trace (adcli.api.trace, through a hook) all run
it; what differs is the number type, the accumulator and the order of the nodes.
"""
from ..ops.call import call_partials, scale
from .liveness import always_live, both, either, guard, masked
from .sweep import compiled, values


def activity(program, wrt):
    """Which nodes depend on one of the inputs `wrt` (input indices): only their
    adjoints are accumulated and only their partials are ever evaluated, so a variable
    held fixed never contributes 0 * nan, and constants never get an adjoint."""
    code = compiled(program)
    active = [False] * len(code)
    for i in wrt:
        active[i] = True
    for i in range(len(program.inputs), len(code)):
        prim, args, _ = code[i]
        if prim is not None:
            for a in args:  # a plain loop: any() over a generator costs a sweep's worth
                if active[a]:
                    active[i] = True
                    break
    return active


def accumulate(adj, a, p, g, i=None, ps=None):
    """adj[a] += p * g, where None in adj is a structural zero. (i and ps, the node
    and all its partials, are for accumulators that reuse a partial's memory.)"""
    # scale(p, g), written out: this is the inner loop of every one-point gradient.
    if type(p) is int:
        term = g if p == 1 else -g if p == -1 else p * g
    else:
        term = p * g
    t = adj[a]
    adj[a] = term if t is None else t + term


def accumulate_rows(adj, a, p, g, i=None, ps=None):
    """accumulate for adjoints that are lists of q cotangent entries, None where an
    entry is a structural zero: q vector-Jacobian products in one sweep."""
    t = adj[a]
    if t is None:
        t = adj[a] = [None] * len(g)
    for j in range(len(g)):
        if g[j] is not None:
            accumulate(t, j, p, g[j])


def sweep(code, vals, adj, active, m, nodes, add=accumulate, hook=None, drop=None, live=None):
    """The reverse sweep: for each node i of `nodes` (any reverse topological order)
    that has an adjoint g = adj[i], add(adj, a, p, g, i, ps) for each active argument a
    whose local partial p is not the structural 0, then release adj[i].

    adj holds the seeded adjoints (None: a structural zero) and receives the rest;
    the adjoints of inputs are left in it. hook(i, pos, a, p, adj[a]), if given, sees
    each accumulation as it happens (pos: which argument of node i a is). drop[i], if
    given, lists the values no longer needed once node i is done.

    live (for a program with guards: start_live) holds each node's live mask and is
    completed as the sweep goes (adcli.engine.liveness): a node's consumers all come
    before it, so its mask is final when its turn comes. A node dead at every point is
    skipped; where it is dead at some, its contributions are selected away (m.where),
    never multiplied by 0, so nothing of a branch not taken reaches an adjoint."""
    for i in nodes:
        g = adj[i]
        if g is not None:
            prim, args, param = code[i]
            li = True if live is None else live[i]
            if li is False:
                adj[i] = None
            else:
                av = [vals[a] for a in args]
                ps = call_partials(prim, m, param, vals[i], av)
                for pos, a in enumerate(args):
                    p = ps[pos]
                    if active[a] and not (type(p) is int and p == 0):
                        if live is not None:
                            e = both(li, guard(prim, pos, m, av))
                            if e is False or (e is not True and not e.any()):
                                continue
                            if e is not True:
                                p, g_ = 1, masked(e, _times(p, g), m)
                                add(adj, a, p, g_, i, ps)
                                live[a] = either(live[a], e)
                                if hook is not None:
                                    hook(i, pos, a, p, adj[a])
                                continue
                            live[a] = True
                        add(adj, a, p, g, i, ps)
                        if hook is not None:
                            hook(i, pos, a, p, adj[a])
                adj[i] = None  # done with it: frees arrays early, and a gradient is all that is left
        if drop is not None:
            for a in drop[i]:
                vals[a] = None
    return adj


def _times(p, g):
    """p * g for an adjoint or a list of q cotangent entries (None: structural zero)."""
    if type(g) is list:
        return [None if t is None else scale(p, t) for t in g]
    return scale(p, g)


def start_live(program):
    """The live masks a reverse sweep of `program` starts from, or None if it has no
    guards: True for nodes live at every point, False for the rest until the sweep
    reaches them."""
    always = always_live(program, compiled(program))
    return None if always is None else list(always)


def vjp(program, xs, cotangents, m, active_inputs=None):
    """Values of all nodes and the adjoints of the inputs.

    cotangents[r] is the list of q cotangent entries for output r. active_inputs (a
    set of input indices, default all) limits which inputs are differentiated; the
    others are held fixed and their partials are never evaluated. Returns (values,
    adjoints, active) with adjoints[i] a list of q entries (None for a structural zero)."""
    code = compiled(program)
    n, n_in = len(code), len(xs)
    vals = values(program, xs, m)
    active = activity(program, range(n_in) if active_inputs is None else active_inputs)
    q = max((len(c) for c in cotangents), default=0)
    # One cotangent (a gradient, the common case) keeps plain adjoints, not lists of
    # one: the reverse sweep stays within a small constant of the value sweep.
    add = accumulate if q == 1 else accumulate_rows
    adj = [None] * n
    for o, ct in zip(program.outputs, cotangents):
        seed = ct[0] if q == 1 else ct
        if active[o] and seed is not None:
            add(adj, o, 1, seed)
    sweep(code, vals, adj, active, m, range(n - 1, n_in - 1, -1), add, live=start_live(program))
    if q == 1:
        return vals, [None if a is None else [a] for a in adj[:n_in]], active
    return vals, adj[:n_in], active


def jacobian(program, xs, wrt, m):
    """Output values and the Jacobian rows (outputs) x columns (wrt input indices),
    from one reverse sweep carrying one cotangent per output."""
    q = len(program.outputs)
    cts = [[1.0 if j == r else None for j in range(q)] for r in range(q)]
    vals, adj, _ = vjp(program, xs, cts, m, active_inputs=set(wrt))
    rows = [[None] * len(wrt) for _ in range(q)]
    for c, i in enumerate(wrt):
        if adj[i] is not None:
            for r in range(q):
                rows[r][c] = adj[i][r]
    return [vals[o] for o in program.outputs], rows
