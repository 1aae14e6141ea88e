"""adcli minimize: a local minimum of one expression, with the exact gradient (reverse
mode, one sweep) and, for Newton, the exact Hessian (forward-over-reverse).

Methods, all scipy.optimize.minimize:
    newton  trust region with the exact Hessian: trust-exact, or trust-constr within bounds;
            beyond NEWTON_MAX variables of a large program, trust-ncg with exact
            Hessian-vector products (adcli.engine.levels)
    bfgs    quasi-Newton from the exact gradient: BFGS, or L-BFGS-B within bounds or
            beyond NEWTON_MAX variables (a dense n x n approximation would not pay)
    auto    newton up to NEWTON_MAX variables (an n x n Hessian costs n reverse sweeps),
            bfgs beyond
"""
import math

from ...errors import UsageError
from ...language import parse
from .. import derivatives
from ..inputs import one_output
from .backend import scipy_optimize
from .fit import Compiled
from .results import Minimum
from .start import bounds_of, start_point
from .tracker import Tracker, run_interruptibly

NEWTON_MAX = 200
LEVELS_MIN = 200   # nodes from which the gradient is taken by levels
METHODS = ("auto", "newton", "bfgs")
EPS = 2.0 ** -52
GTOL = 1e-10            # the gradient's size (max-norm) at which the search stops
MAX_ITERATIONS = 100_000   # BFGS and L-BFGS-B: cheap iterations
NEWTON_ITERATIONS = 10_000
UNBOUNDED = 1e150          # f below -UNBOUNDED: the function decreases without bound
SCIPY_NAMES = {"trust-exact": "newton", "trust-ncg": "newton", "trust-constr": "newton", "BFGS": "bfgs",
               "L-BFGS-B": "l-bfgs-b"}


def minimize(expr, start, bounds=None, method="auto", observer=None, program=None):
    import numpy as np
    if method not in METHODS:
        raise UsageError(f"unknown method {method!r}: choose auto, newton or bfgs")
    program = program or parse(expr)
    one_output(program, "minimize")
    x0 = start_point(program, start, "minimize")
    bounds = bounds_of(program, bounds)
    names = list(x0)
    n = len(names)
    f = Compiled(expr, program)
    if method == "auto":
        method = "newton" if n <= NEWTON_MAX else "bfgs"
    tracker = Tracker(names, observer)
    memo = {}
    by_levels = _levels(f.program)

    def point(x):
        return dict(zip(names, (float(v) for v in x)))

    def value_grad(x):
        key = np.asarray(x, dtype=np.float64).tobytes()
        if key not in memo:
            if len(memo) > 8:
                memo.clear()
            value = math.nan
            if by_levels is not None:
                value, grad = by_levels(np.asarray(x, dtype=np.float64))
            if not (math.isfinite(value) and np.isfinite(grad).all()):
                # nan and inf as the engine makes them (structural zeros, live branches)
                r = derivatives.derivatives(f, point(x), names, "reverse")
                value, grad = float(r.value[0]), np.array(r.jacobian[0], dtype=np.float64)
            memo[key] = value, grad
            tracker.seen(x, value if not math.isnan(value) else math.inf)
        value, grad = memo[key]
        # a step into nan or inf is a step the trust region or line search must reject
        return (value if math.isfinite(value) else math.inf), np.where(np.isfinite(grad), grad, 0.0)

    def objective(x):
        value, grad = value_grad(x)
        if value < -UNBOUNDED:
            raise Unbounded(value)
        return value, grad

    def hess(x):
        h = np.array(derivatives.hessian(f, point(x), names).hessian, dtype=np.float64)
        return np.where(np.isfinite(h), h, 0.0)

    def hessp(x, v):
        hv = by_levels.hvp(np.asarray(x, dtype=np.float64), np.asarray(v, dtype=np.float64))[1]
        return np.where(np.isfinite(hv), hv, 0.0)

    def callback(intermediate_result):
        x = intermediate_result.x
        value, grad = value_grad(x)
        tracker.iteration(value, float(np.max(np.abs(_projected(grad, x, bounds, names)))) if n else 0.0)

    opt = scipy_optimize("minimize")
    box = None
    if bounds:
        box = opt.Bounds([bounds.get(v, (-math.inf, math.inf))[0] for v in names],
                         [bounds.get(v, (-math.inf, math.inf))[1] for v in names])
    x_start = np.array(list(x0.values()))
    if box is not None:
        x_start = np.clip(x_start, box.lb, box.ub)

    def run(method, x_start):
        kwargs = dict(fun=objective, x0=x_start, jac=True, callback=callback)
        if method == "newton" and box is None and by_levels is not None and n > NEWTON_MAX:
            # n x n Hessians would cost n sweeps each: exact Hessian-vector products instead
            scipy_method, kwargs["hessp"] = "trust-ncg", hessp
            kwargs["options"] = {"gtol": GTOL, "maxiter": NEWTON_ITERATIONS}
        elif method == "newton" and box is None:
            scipy_method, kwargs["hess"] = "trust-exact", hess
            # scipy's cap of 1000 on the radius would make f = -x take 1e147 iterations to
            # reach -UNBOUNDED; a radius that doubles up to 1e150 (its square must not
            # overflow) takes about 500
            kwargs["options"] = {"gtol": GTOL, "maxiter": NEWTON_ITERATIONS, "max_trust_radius": UNBOUNDED}
        elif method == "newton":
            scipy_method, kwargs["hess"], kwargs["bounds"] = "trust-constr", hess, box
            kwargs["options"] = {"gtol": GTOL, "xtol": 1e-15, "maxiter": NEWTON_ITERATIONS}
        elif box is None and n <= NEWTON_MAX:
            scipy_method = "BFGS"
            kwargs["options"] = {"gtol": GTOL, "maxiter": MAX_ITERATIONS}
        else:
            scipy_method, kwargs["bounds"] = "L-BFGS-B", box
            kwargs["options"] = {"gtol": GTOL, "ftol": 1e-15, "maxiter": MAX_ITERATIONS,
                                 "maxfun": 10 * MAX_ITERATIONS}
        try:
            return SCIPY_NAMES[scipy_method], run_interruptibly(
                tracker, lambda: opt.minimize(method=scipy_method, **kwargs))
        except OverflowError:
            return SCIPY_NAMES[scipy_method], Stopped(tracker.best_x, "the search overflowed float64")
        except Unbounded as e:
            return SCIPY_NAMES[scipy_method], Stopped(tracker.best_x, f"f decreases without bound (f = {e.args[0]:.3g} "
                                                      "was reached): the function has no minimum this way")

    with np.errstate(all="ignore"):
        ran, sol = run(method, x_start)
        methods, note = [ran], None
        other = "bfgs" if method == "newton" else "newton"
        if sol is not None and box is not None and method == "newton":
            # trust-constr is an interior-point method: it stops a little inside an active
            # bound (1e-5 away, measured). L-BFGS-B, which projects onto the box, goes on
            # from there and lands on the bound.
            ran, sol = run("bfgs", np.clip(np.array(sol.x), box.lb, box.ub))
            methods.append(ran)
            note = f"{ran} finished newton's interior point on the bounds"
        elif (sol is not None and not sol.success and not isinstance(sol, Stopped)
              and (other == "bfgs" or n <= NEWTON_MAX)):
            # One method stalls where the other does not (trust-exact on badly scaled
            # problems, BFGS across a kink of the model): go on with the other from the
            # best point seen. tests/test_optimize.py has a problem for each direction.
            first = str(sol.message).rstrip(".").lower()
            ran, sol = run(other, np.array(tracker.best_x))
            methods.append(ran)
            note = f"{methods[0]} stopped: {first}; {ran} went on from its best point"
        if sol is None:
            x, converged, message = tracker.best_x, False, "interrupted (Ctrl-C): the best point so far"
        else:
            x, converged = sol.x, bool(sol.success)
            message = _message(sol) + (f" ({note})" if note else "")
            if tracker.best_x is not None and tracker.best < value_grad(x)[0]:
                x = tracker.best_x       # a search that ended above a point it had seen
        value, grad = value_grad(x)
        gnorm = float(np.max(np.abs(_projected(grad, x, bounds, names)))) if n else 0.0
    if sol is not None and not converged and gnorm <= GTOL:
        converged, message = True, f"converged: the gradient vanishes ({message})"
    elif sol is not None and not converged and not bounds and n <= NEWTON_MAX and math.isfinite(value):
        decrease = _newton_decrease(hess(x), grad)
        if decrease is not None and decrease <= 8 * EPS * abs(value):
            # Both methods stopped because no step changes f visibly: at a point where f is
            # convex and Newton's step would lower it by less than f's own rounding, the
            # minimum is found to float64's resolution of f.
            converged = True
            message = (f"converged: the Hessian is positive definite and a Newton step would lower f by "
                       f"{decrease:.2g}, below the rounding of f ({message})")
    warnings = [] if math.isfinite(value) else ["the function is not finite at the best point found"]
    return Minimum(expr, point(x), value, gnorm, tracker.iterations, tracker.evaluations, converged, message,
                   ", then ".join(methods), x0, bounds or None,
                   interrupted=tracker.interrupted, warnings=warnings)


def _levels(program):
    """The gradient by levels (adcli.engine.levels) for a large program, prepared once:
    a sweep of a few dozen numpy calls instead of one Python step per node. Small
    programs keep the engine's sweep, which is as fast there and gives the same bits."""
    if len(program.nodes) < LEVELS_MIN:
        return None
    from ...engine.levels import prepare
    return prepare(program)


class Unbounded(Exception):
    """f fell below -UNBOUNDED: raised inside scipy's search to end it."""


class Stopped:
    """A search ended by adcli rather than by scipy, in the shape of scipy's result."""
    success = False

    def __init__(self, x, message):
        self.x, self.message = x, message


def _newton_decrease(h, g):
    """g^T H^-1 g / 2, the decrease a Newton step predicts, or None where H is not
    positive definite (the point is not a minimum of the quadratic model)."""
    import numpy as np
    try:
        c = np.linalg.cholesky(h)
    except np.linalg.LinAlgError:
        return None
    y = np.linalg.solve(c, g)
    return float(y @ y) / 2


def _projected(grad, x, bounds, names):
    """The gradient with the components that push against an active bound removed:
    at a minimum on the boundary it is zero, as the gradient is at an interior one."""
    if not bounds:
        return grad
    import numpy as np
    g = np.array(grad, dtype=np.float64)
    for i, v in enumerate(names):
        lo, hi = bounds.get(v, (-math.inf, math.inf))
        if (x[i] <= lo and g[i] > 0) or (x[i] >= hi and g[i] < 0):
            g[i] = 0.0
    return g


def _message(sol):
    text = str(sol.message).rstrip(".").lower()   # L-BFGS-B's messages are in capitals
    return ("converged: " if sol.success else "did not converge: ") + text
