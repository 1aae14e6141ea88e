"""adcli fit: least squares with the exact Jacobian of the residuals.

The model `response = expression` is compiled as a program of two outputs, [response,
model] (adcli.language.model); the data columns are arrays, the parameters numbers,
and one call of the many-point derivative path (adcli.api.derivatives) gives both
outputs and their Jacobians with respect to the parameters at every observation, in the
mode the mode rule picks. residual = sqrt(w) * (response - model).

The solver is scipy's MINPACK Levenberg-Marquardt (least_squares, method "lm") with the
exact Jacobian and MINPACK's scaling by the Jacobian's column norms; standard errors
are NIST's: s^2 (J^T J)^-1 with s^2 = RSS / (n - p), from the SVD of J.
"""
import math

from ...errors import UsageError
from ...language.model import model_program
from .. import derivatives
from .backend import scipy_optimize
from .results import Fit
from .tracker import Tracker, run_interruptibly

TOL = 1e-15           # MINPACK's ftol, xtol, gtol: as tight as float64 allows
MAX_EVALUATIONS = 10_000


class Compiled:
    """What adcli.api.derivatives needs of a compiled function: its text and program."""

    def __init__(self, expr, program):
        self.expr, self.program = expr, program


def split_names(program, data):
    """(data columns, parameters) among the program's inputs, in input order."""
    columns = [v for v in program.inputs if v in data]
    params = [v for v in program.inputs if v not in data]
    return columns, params


def fit(model, data, start, weights=None, observer=None, program=None):
    """Fit `model` to data ({column: float64 array}) from start ({parameter: float})."""
    import numpy as np
    if program is None:
        program = model_program(model)[0]
    columns, params = split_names(program, data)
    from .normal import check_start
    check_start(params, start)
    clash = [v for v in start if v in data]
    if clash:
        raise UsageError(f"{', '.join(clash)} is a column of the data, not a parameter: it has no starting value",
                         hint="rename the parameter or the column")
    n = len(next(iter(data.values())))
    if n < len(params):
        raise UsageError(f"{n} observation{'s' if n != 1 else ''} cannot determine {len(params)} parameters",
                         hint="a fit needs at least as many observations as parameters")
    sw = None
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64)
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise UsageError("the weights must be finite and not negative")
        sw = np.sqrt(w)
    f = Compiled(model, program)
    fixed = {c: np.asarray(data[c], dtype=np.float64) for c in columns}
    tracker = Tracker(params, observer)
    cache = {}

    def evaluate(b):
        key = np.asarray(b, dtype=np.float64).tobytes()
        if key not in cache:
            cache.clear()
            point = dict(fixed)
            point.update(zip(params, (float(v) for v in b)))
            r = derivatives.derivatives(f, point, params, "auto")
            res = np.asarray(r.value[0] - r.value[1], dtype=np.float64).reshape(-1)
            jac = np.column_stack([np.asarray(r.jacobian[0][j] - r.jacobian[1][j], dtype=np.float64).reshape(-1)
                                   for j in range(len(params))])
            res = np.broadcast_to(res, (n,)).copy()
            jac = np.broadcast_to(jac, (n, len(params))).copy()
            if sw is not None:
                res, jac = res * sw, jac * sw[:, None]
            cache[key] = res, jac
            tracker.seen(b, _rss(res))
        return cache[key]

    def residuals(b):
        res = evaluate(b)[0]
        # MINPACK stops on nan; a huge finite residual makes it shorten the step instead
        return np.where(np.isfinite(res), res, 1e150)

    def jacobian(b):
        res, jac = evaluate(b)
        tracker.iteration(_rss(res), float(np.max(np.abs(jac.T @ res))) if res.size else 0.0)
        return np.where(np.isfinite(jac), jac, 0.0)

    opt = scipy_optimize("fit")
    x0 = np.array([float(start[p]) for p in params])
    with np.errstate(all="ignore"):
        sol = run_interruptibly(tracker, lambda: opt.least_squares(
            residuals, x0, jac=jacobian, method="lm", x_scale="jac", xtol=TOL, ftol=TOL, gtol=TOL,
            max_nfev=MAX_EVALUATIONS))
    if sol is None:   # interrupted: the best point so far
        best, converged, message = tracker.best_x, False, "interrupted (Ctrl-C): the best point so far"
    else:
        best, converged = sol.x, sol.status > 0
        message = _message(sol)
    with np.errstate(all="ignore"):
        res, jac = evaluate(best)
    return _result(model, params, best, res, jac, n, tracker, converged, message, start, data, columns,
                   program, f, fixed)


def _rss(res):
    return math.fsum(float(v) * float(v) for v in res)


def _message(sol):
    return {1: "converged: the gradient vanishes (gtol)", 2: "converged: the residual sum of squares stopped "
            "changing (ftol)", 3: "converged: the parameters stopped changing (xtol)",
            4: "converged: the residual sum of squares and the parameters stopped changing"}.get(
        sol.status, f"did not converge: {sol.message}")


def _result(model, params, b, res, jac, n, tracker, converged, message, start, data, columns, program, f, fixed):
    import numpy as np
    p = len(params)
    rss = _rss(res)
    dof = n - p
    warnings = []
    if not math.isfinite(rss):
        warnings.append("the residuals are not finite at the best point found")
    s2 = rss / dof if dof > 0 else math.nan
    cov = _covariance(jac, s2)
    if cov is None:
        warnings.append("the Jacobian is rank-deficient at the solution: the standard errors are infinite "
                        "(some parameters are not determined by the data)")
        cov = np.full((p, p), math.inf)
    se = np.sqrt(np.abs(np.diag(cov)))
    with np.errstate(all="ignore"):
        corr = cov / np.outer(se, se)
    np.fill_diagonal(corr, 1.0)
    out = Fit(model, dict(zip(params, map(float, b))), dict(zip(params, map(float, se))), rss,
              math.sqrt(s2) if dof > 0 else math.nan, dof, n, tracker.iterations, converged, message,
              [[float(v) for v in row] for row in corr], dict(start), interrupted=tracker.interrupted,
              warnings=warnings)
    predictors = [c for c in columns if not _is_response(c, program)]
    if len(predictors) == 1:   # a curve over one predictor: what --plot draws
        out.predictor = predictors[0]
        point = dict(fixed)
        point.update(zip(params, map(float, b)))
        out.data = (fixed[out.predictor], derivatives.evaluate(f, point).value[0])
        out.curve = _curve(f, params, b, out.predictor, fixed)
    return out


def _is_response(column, program):
    """A column that appears in the response only (the first output's own inputs)."""
    return column in _output_inputs(program, 0) and column not in _output_inputs(program, 1)


def _output_inputs(program, k):
    """Names of the inputs an output depends on: one pass backwards over the IR."""
    from ...engine.reverse import activity
    return {program.inputs[i] for i in range(len(program.inputs)) if activity(program, [i])[program.outputs[k]]}


def _curve(f, params, b, predictor, fixed):
    def curve(xs):
        # the other columns are the response's, which the model does not read
        point = {c: (xs if c == predictor else float(v[0])) for c, v in fixed.items()}
        point.update(zip(params, map(float, b)))
        return derivatives.evaluate(f, point).value[1]
    return curve


def _covariance(jac, s2):
    """s^2 (J^T J)^-1 from the SVD of J; None when J is rank-deficient."""
    import numpy as np
    if not np.all(np.isfinite(jac)):
        return None
    _, s, vt = np.linalg.svd(jac, full_matrices=False)
    if s.size == 0 or s[-1] <= s[0] * jac.shape[0] * np.finfo(float).eps:
        return None
    v = vt.T / s
    return s2 * (v @ v.T)
