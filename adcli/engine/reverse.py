"""Reverse mode: a forward sweep for the values, then adjoints accumulated backwards.

Because the IR is topologically ordered, the reverse sweep is a loop over the nodes in
reverse. Adjoints accumulate (a node used twice receives two contributions) and live
in a list local to one call, never on the nodes, so a second call starts clean. One
sweep can carry q cotangents at once (a vector-Jacobian product per row).
"""
from ..ops.call import call_partials, is_zero, scale
from .sweep import compiled, values


def vjp(program, xs, cotangents, m, active_inputs=None):
    """Values of all nodes and the adjoints of the inputs.

    cotangents[r] is the list of q cotangent entries for output r. active_inputs (a
    set of input indices, default all) limits which inputs are differentiated; the
    others are held fixed and their partials are never evaluated. Returns (values,
    adjoints) with adjoints[i] a list of q entries (None for a structural zero)."""
    code = compiled(program)
    n, n_in = len(code), len(xs)
    vals = values(program, xs, m)
    active = [False] * n
    for i in range(n_in):
        active[i] = active_inputs is None or i in active_inputs
    for i in range(n_in, n):
        prim, args, _ = code[i]
        if prim is not None:
            for a in args:  # a plain loop: any() over a generator costs a sweep's worth
                if active[a]:
                    active[i] = True
                    break
    q = max((len(c) for c in cotangents), default=0)
    if q == 1:
        return _vjp1(code, n_in, vals, active, program.outputs, cotangents, m)
    adj = [None] * n
    for o, ct in zip(program.outputs, cotangents):
        if not active[o]:
            continue
        acc = adj[o] if adj[o] is not None else [None] * q
        for j in range(q):
            if ct[j] is not None:
                acc[j] = ct[j] if acc[j] is None else acc[j] + ct[j]
        adj[o] = acc
    for i in range(n - 1, n_in - 1, -1):
        a_i = adj[i]
        if a_i is None:
            continue
        prim, args, param = code[i]
        av = [vals[a] for a in args]
        ps = call_partials(prim, m, param, vals[i], av)
        for a, p in zip(args, ps):
            if not active[a] or is_zero(p):
                continue
            tgt = adj[a]
            if tgt is None:
                tgt = adj[a] = [None] * q
            for j in range(q):
                g = a_i[j]
                if g is None:
                    continue
                term = scale(p, g)
                tgt[j] = term if tgt[j] is None else tgt[j] + term
        adj[i] = None  # done with it; frees arrays early in the vectorized case
    return vals, adj[:n_in], active


def _vjp1(code, n_in, vals, active, outputs, cotangents, m):
    """vjp for one cotangent (a gradient, the common case): plain adjoints, not lists
    of one, keep the reverse sweep within a small constant of the value sweep."""
    adj = [None] * len(code)
    for o, ct in zip(outputs, cotangents):
        c = ct[0]
        if active[o] and c is not None:
            adj[o] = c if adj[o] is None else adj[o] + c
    for i in range(len(code) - 1, n_in - 1, -1):
        g = adj[i]
        if g is None:
            continue
        prim, args, param = code[i]
        ps = call_partials(prim, m, param, vals[i], [vals[a] for a in args])
        for a, p in zip(args, ps):
            if not active[a] or is_zero(p):
                continue
            term = scale(p, g)
            t = adj[a]
            adj[a] = term if t is None else t + term
        adj[i] = None
    return vals, [None if a is None else [a] for a in adj[:n_in]], active


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
