"""Which nodes are live at which points: the rule that keeps the branch of an `if` that was
not taken out of every result.

A node is live at a point when some path from it to an output passes only through
arguments that are used there: an op's guards (adcli.ops.table) say where an argument is
used (if(c, a, b) uses a where c != 0, b where c == 0). For values and warnings every
argument counts (a condition is evaluated); for derivatives only the op's edges do (a
comparison passes none), so a node that only a condition reads is not on a derivative
path.

A mask is True (live at every point), False (at none), or, at many points, a boolean
array. At one point the masks are plain booleans, and the sweeps skip a dead node without
evaluating its partials; at many points they select with m.where, never multiply by a
0/1 mask (0 * nan is nan). Everything here is one loop over the nodes, no recursion.
"""


def conditional(program, code):
    """Whether some op of the program (code: adcli.engine.sweep.compiled) has guards: only
    then can a node be dead anywhere."""
    cache = program._cache
    found = cache.get("conditional")
    if found is None:
        found = cache["conditional"] = any(c[0] is not None and c[0].guards for c in code)
    return found


def always_live(program, code):
    """always[i]: node i reaches an output through derivative edges that no guard switches
    off, so it is live for derivatives at every point. None for a program without guards
    (everything is). The reverse sweep starts from these and works out the rest."""
    if not conditional(program, code):
        return None
    cache = program._cache
    always = cache.get("always")
    if always is None:
        always = [False] * len(code)
        for o in program.outputs:
            always[o] = True
        for i in range(len(code) - 1, -1, -1):
            prim, args, _ = code[i]
            if always[i] and prim is not None:
                for pos in prim.edges:
                    if pos not in prim.guards:
                        always[args[pos]] = True
        always = cache["always"] = tuple(always)
    return always


def both(a, b):
    if a is True:
        return b
    if a is False or b is False:
        return False
    if b is True:
        return a
    return a & b


def either(a, b):
    if a is False:
        return b
    if a is True or b is True:
        return True
    if b is False:
        return a
    return a | b


def truth(x):
    """A guard's result as a mask: a plain bool at one point, an array at many."""
    return x if hasattr(x, "shape") and x.shape else bool(x)


def guard(prim, pos, m, argvals):
    """Where argument `pos` of this op is used (True if everywhere)."""
    rule = prim.guards.get(pos)
    return True if rule is None else truth(rule(m, *argvals))


def masks(program, code, vals, m, derivative=True):
    """The live mask of every node given all values, None if the program has no guards
    (every node is live everywhere). derivative=False: live for values (conditions count)."""
    if not conditional(program, code):
        return None
    live = [False] * len(code)
    for o in program.outputs:
        live[o] = True
    for i in range(len(code) - 1, -1, -1):
        li = live[i]
        prim, args, _ = code[i]
        if li is False or prim is None:
            continue
        av = [vals[a] for a in args]
        for pos in (prim.edges if derivative else range(len(args))):
            a = args[pos]
            if live[a] is not True:
                live[a] = either(live[a], both(li, guard(prim, pos, m, av)))
    return live


def masked(e, term, m):
    """term where e holds and 0 elsewhere (e not False), term a number, an array, a Dual or
    a list of them (None: a structural zero)."""
    if e is True:
        return term
    if type(term) is list:
        return [None if t is None else m.where(e, t, 0.0) for t in term]
    return m.where(e, term, 0.0)
