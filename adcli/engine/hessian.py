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
from . import reverse
from .dual import Dual, DualMath


def hessian(program, xs, wrt, m):
    """(value, gradient, rows) of output 0 with respect to the input indices `wrt`;
    rows[i][j] = d2f / dx_wrt[i] dx_wrt[j]. Entries are None for structural zeros."""
    dm = DualMath(m)
    duals = list(xs)
    for j, i in enumerate(wrt):
        duals[i] = Dual(xs[i], {j: 1.0}, dm)
    cts = [[1.0 if r == 0 else None] for r in range(len(program.outputs))]
    vals, adj, _ = reverse.vjp(program, duals, cts, dm, active_inputs=set(wrt))
    y = vals[program.outputs[0]]
    value = y.v if type(y) is Dual else y
    grad, rows = [], []
    for i in wrt:
        a = adj[i][0] if adj[i] is not None else None
        if type(a) is Dual:
            grad.append(a.v)
            rows.append([a.t.get(j) for j in range(len(wrt))])
        else:  # a plain number: this gradient entry does not depend on any variable
            grad.append(a)
            rows.append([None] * len(wrt))
    # The two sweeps reach H[i][j] and H[j][i] by different roundings; their mean is
    # exactly symmetric and no less accurate.
    for i in range(len(wrt)):
        for j in range(i):
            a, b = rows[i][j], rows[j][i]
            if a is not None and b is not None:
                rows[i][j] = rows[j][i] = 0.5 * (a + b)
            elif a is not None or b is not None:
                rows[i][j] = rows[j][i] = a if a is not None else b
    return value, grad, rows


def diagnose2(program, xs, m):
    """Warnings naming each operation whose second derivative is not finite at finite
    arguments with finite first derivatives (x^1.5 at 0): what the first-order
    diagnosis cannot see. One point only; the vectorized case gets one general line."""
    from ..ops.call import call_partials
    from .sweep import _show, all_finite, compiled, values
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
