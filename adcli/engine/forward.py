"""Forward mode: tangents pushed through the IR alongside the values.

One sweep carries a whole seed matrix: each input gets k tangent entries, one per
direction, and each node's tangent is sum_i p_i * tangent(arg_i), with the local
partials p_i from the primitive table. None stands for a structural zero, so an input
that is not differentiated never contributes 0 * nan.
"""
from ..ops.call import call_partials, call_value, is_zero, scale
from .liveness import guard
from .sweep import compiled


def jvp(program, xs, seeds, m):
    """Values of all nodes and tangents of all nodes.

    seeds[i] is None (input i is held fixed) or a list of k tangent entries, each a
    number, an array or None. Returns (values, tangents), both indexed by node id."""
    code = compiled(program)
    n, n_in = len(code), len(xs)
    vals = list(xs) + [None] * (n - n_in)
    tans = list(seeds) + [None] * (n - n_in)
    k = max((len(s) for s in seeds if s is not None), default=0)
    for i in range(n_in, n):
        prim, args, param = code[i]
        if prim is None:
            vals[i] = param
            continue
        av = [vals[a] for a in args]
        y = vals[i] = call_value(prim, m, param, av)
        at = [tans[a] for a in args]
        if all(t is None for t in at):
            continue
        ps = call_partials(prim, m, param, y, av)
        out = [None] * k
        for pos, (p, t) in enumerate(zip(ps, at)):
            if t is None or is_zero(p):
                continue
            # A guarded argument counts only where it is used: its tangent is selected
            # there, never multiplied by a 0 mask elsewhere (0 * nan).
            e = guard(prim, pos, m, av) if prim.guards else True
            if e is False:
                continue
            for j in range(k):
                tj = t[j]
                if tj is None:
                    continue
                term = scale(p, tj)
                if e is not True:
                    term = m.where(e, term, 0.0)
                out[j] = term if out[j] is None else out[j] + term
        tans[i] = out
    return vals, tans

def jacobian(program, xs, wrt, m):
    """Output values and the Jacobian rows (outputs) x columns (wrt input indices),
    from one forward sweep seeded with the identity. Structural zeros are None."""
    k = len(wrt)
    seeds = [None] * len(xs)
    for j, i in enumerate(wrt):
        seeds[i] = [None] * k if seeds[i] is None else seeds[i]
        seeds[i][j] = 1.0
    vals, tans = jvp(program, xs, seeds, m)
    rows = []
    for o in program.outputs:
        t = tans[o]
        rows.append([None] * k if t is None else list(t))
    return [vals[o] for o in program.outputs], rows

sweeps = lambda n_outputs, n_wrt: 1 if n_wrt else 0  # noqa: E731 - one vector sweep
