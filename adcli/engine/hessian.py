"""Exact second derivatives by forward-over-reverse.

The reverse evaluator runs unchanged with a namespace of Dual numbers (adcli.dual):
input j is seeded with the tangent direction j, so the adjoint of input i comes back as
a Dual whose value is df/dx_i and whose tangent j is d2f/dx_i dx_j. Both the forward
sweep and the adjoint accumulation are differentiated, using only the primitive table's
value and partials rules, so no finite differences and no second table of rules. One
sweep with sparse tangents carries every direction.

Where a first-derivative rule is exact at a special point the second derivative is too:
x^c is the parameterised powc, whose partial c*x^(c-1) is again a powc, so d2/dx2 x^2 at
x = 0 is 2 and d2/dx2 x^3 at 0 is 0, with no log(0) anywhere.
"""
from ..ops.call import call_partials, call_value
from . import reverse
from .dual import Dual, DualMath
from .sweep import _show, all_finite, compiled, values


def hessian(program, xs, wrt, m):
    """(value, gradient, rows) of output 0 with respect to the input indices `wrt`;
    rows[i][j] = d2f / dx_wrt[i] dx_wrt[j]. Entries are None for structural zeros.

    Memory: the rows are the only n x n object. A node carries a tangent only when the
    reverse sweep reads its value (a partial sum of n terms does not: its tangent would
    hold up to n entries, n^2/2 over the sum); each Dual is released once the reverse
    sweep is past its node, and each adjoint's tangent once its row is made."""
    dm = DualMath(m)
    code = compiled(program)
    n, n_in = len(code), len(xs)
    vals = list(xs) + [None] * (n - n_in)
    for j, i in enumerate(wrt):
        vals[i] = Dual(xs[i], {j: 1.0}, dm)
    need = _tangents_needed(code, n_in)
    for i in range(n_in, n):
        prim, args, param = code[i]
        if prim is None:
            vals[i] = param
        elif need[i]:
            vals[i] = call_value(prim, dm, param, [vals[a] for a in args])
        else:  # the same value, without its tangent
            vals[i] = call_value(prim, m, param, [_value(vals[a]) for a in args])
    out = program.outputs[0]
    y = vals[out]
    value = y.v if type(y) is Dual else y
    active = reverse.activity(program, wrt)
    adj = [None] * n
    if active[out]:
        adj[out] = 1.0
    # The consumers of node i come before it in the reverse sweep, so once node i is
    # done its value is needed no more: drop it (a sum of n terms holds n^2/2 tangent
    # entries in its partial sums).
    reverse.sweep(code, vals, adj, active, dm, range(n - 1, n_in - 1, -1), drop=_Itself(),
                  live=reverse.start_live(program))
    del vals, y
    k = len(wrt)
    grad, rows = [], []
    for i in wrt:
        a, adj[i] = adj[i], None
        if type(a) is Dual:
            grad.append(a.v)
            t = a.t
            rows.append([t.get(j) for j in range(k)])
        else:  # a plain number: this gradient entry does not depend on any variable
            grad.append(a)
            rows.append([None] * k)
        a = t = None
    # The two sweeps reach H[i][j] and H[j][i] by different roundings; their mean is
    # exactly symmetric and no less accurate.
    for i in range(k):
        row = rows[i]
        for j in range(i):
            a, b = row[j], rows[j][i]
            if a is not None and b is not None:
                row[j] = rows[j][i] = 0.5 * (a + b)
            elif a is not None or b is not None:
                row[j] = rows[j][i] = a if a is not None else b
    return value, grad, rows


def _tangents_needed(code, n_in):
    """need[i]: node i's value must carry its tangent. It must when the partials of
    node i read values (then also its arguments' tangents), and when a node that needs
    its tangent uses node i (the tangent is made from the arguments' tangents). An op
    whose partials are constants (+, -, negation) reads none. One backward loop."""
    need = [False] * len(code)
    for i in range(len(code) - 1, n_in - 1, -1):
        prim, args, _ = code[i]
        if prim is not None and (need[i] or not _constant_partials(prim)):
            need[i] = True
            for a in args:
                need[a] = True
    return need


_CONSTANT = {}


def _constant_partials(prim):
    """Whether an op's local partials are integers that read none of its values: asked
    of the rule itself, given placeholders that fail on any use (no namespace either)."""
    known = _CONSTANT.get(prim.name)
    if known is None:
        try:
            ps = prim.partials(None, None, *[object() for _ in range(prim.arity + 1)])
            known = all(type(p) is int for p in ps)
        except Exception:  # any use of a placeholder: the partials read values
            known = False
        _CONSTANT[prim.name] = known
    return known


def _value(x):
    return x.v if type(x) is Dual else x


class _Itself:
    """drop[i] for reverse.sweep: node i's own value."""

    def __getitem__(self, i):
        return (i,)


def diagnose2(program, xs, m):
    """Warnings naming each operation whose second derivative is not finite at finite
    arguments with finite first derivatives (x^1.5 at 0): what the first-order
    diagnosis cannot see. One point only; the vectorized case gets one general line."""
    if m.__name__ != "adcli.ops.scalar":
        return ["some second derivatives are not finite (a derivative rule is singular at those points)"]
    vals = values(program, xs, m)
    dm = DualMath(m)
    found, seen = [], set()
    for i, (prim, args, param) in enumerate(compiled(program)):
        if prim is None or prim.name in seen:
            continue
        av = [vals[a] for a in args]
        if not all_finite(av + [vals[i]], m):
            continue
        ps = call_partials(prim, m, param, vals[i], av)
        if not all_finite([p for p in ps if type(p) is not int], m):
            continue  # the first-order diagnosis already names this one
        duals = [Dual(v, {k: 1.0}, dm) for k, v in enumerate(av)]
        y = prim.value(dm, param, *duals)
        for p in prim.partials(dm, param, y, *duals):
            if type(p) is Dual and not all_finite(list(p.t.values()), m):
                seen.add(prim.name)
                found.append(f"the second derivative of {_show(prim, av, param)} is not finite")
                break
    return found
