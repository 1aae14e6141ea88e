"""adcli solve: a root of a square system F(x) = 0 ("F1, F2, ..." with as many
outputs as variables; one equation in one unknown works the same).

Newton's method in a trust region with the exact Jacobian: scipy's MINPACK
Levenberg-Marquardt (least_squares, method "lm") on F, which for a square nonsingular
Jacobian takes Newton steps limited to a trust region, and unlike Powell's hybrid
(root, "hybr") evaluates the exact Jacobian at every iteration instead of updating an
approximation. A point counts as a root when every |F_i| <= tol; where the search stalls
at a local minimum of ||F||^2 that is not a root, the run has not converged (exit 1).
"""
import math

from ...errors import UsageError
from ...language import parse
from .. import derivatives
from .backend import scipy_optimize
from .fit import Compiled
from .results import Root
from .start import start_point
from .tracker import Tracker, run_interruptibly

TOL = 1e-10
MAX_EVALUATIONS = 10_000


def solve(expr, start, tol=TOL, observer=None, program=None):
    import numpy as np
    program = program or parse(expr)
    x0 = start_point(program, start, "solve")
    names = list(x0)
    m, n = len(program.outputs), len(names)
    if m != n:
        raise UsageError(f"solve needs as many equations as unknowns: {m} equation{'s' if m != 1 else ''}, "
                         f"{n} unknown{'s' if n != 1 else ''} ({', '.join(names)})",
                         hint="for more equations than unknowns, minimize the sum of their squares "
                              "(adcli minimize), or fit a model to data (adcli fit)")
    if not (tol > 0):
        raise UsageError("--tol must be a positive number")
    f = Compiled(expr, program)
    tracker = Tracker(names, observer)
    memo = {}

    def evaluate(x):
        key = np.asarray(x, dtype=np.float64).tobytes()
        if key not in memo:
            memo.clear()
            r = derivatives.derivatives(f, dict(zip(names, map(float, x))), names, "auto")
            memo[key] = np.array(r.value, dtype=np.float64), np.array(r.jacobian, dtype=np.float64)
            tracker.seen(x, _size(memo[key][0]))
        return memo[key]

    def residuals(x):
        F = evaluate(x)[0]
        return np.where(np.isfinite(F), F, 1e150)

    def jacobian(x):
        F, J = evaluate(x)
        tracker.iteration(_size(F), float(np.max(np.abs(J.T @ F))) if np.all(np.isfinite(F)) else math.inf)
        return np.where(np.isfinite(J), J, 0.0)

    opt = scipy_optimize("solve")
    with np.errstate(all="ignore"):
        sol = run_interruptibly(tracker, lambda: opt.least_squares(
            residuals, np.array(list(x0.values())), jac=jacobian, method="lm", x_scale="jac",
            xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=MAX_EVALUATIONS))
        x = tracker.best_x if sol is None else sol.x
        if tracker.best_x is not None and tracker.best < _size(evaluate(x)[0]):
            x = tracker.best_x
        F = evaluate(x)[0]
    size = _size(F)
    converged = size <= tol
    if sol is None:
        message = "interrupted (Ctrl-C): the best point so far"
        converged = False
    elif converged:
        message = f"converged: every |F_i| <= {tol:g}"
    elif sol.status > 0:
        message = (f"did not converge: the search stalled where max |F_i| = {size:.3g}, a local minimum of "
                   "the sum of squares that is not a root; try another start")
    else:
        message = f"did not converge: {str(sol.message).rstrip('.')}"
    warnings = [] if math.isfinite(size) else ["F is not finite at the best point found"]
    return Root(expr, dict(zip(names, map(float, x))), size, [float(v) for v in F], tracker.iterations,
                tracker.evaluations, converged, message, x0, interrupted=tracker.interrupted, warnings=warnings)


def _size(F):
    """max |F_i|, the measure of how far from a root (inf where F is not finite)."""
    import numpy as np
    return float(np.max(np.abs(F))) if np.all(np.isfinite(F)) else math.inf
