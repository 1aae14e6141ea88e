"""adcli fit from the normal equations alone: for data sets that are never in memory.

JᵀJ, Jᵀr and the residual sum of squares are sums over rows, so one pass over the data
(a map-reduce over its partitions, adcli.dist.fit) gives all the solver needs at a
point. scipy's least_squares wants every residual at once, so this is a small
Levenberg-Marquardt of its own on the p x p system: Marquardt's scaling by the diagonal
of JᵀJ (kept at its largest so far, as MINPACK keeps its column norms), the damping
chosen by a trust region on the scaled step as in MINPACK, and every trial point costs one pass, which also brings the
normal equations there, so an accepted step needs no second pass.

The standard errors are the in-memory fit's: s² (JᵀJ)⁻¹ with s² = RSS / (n - p).
Forming JᵀJ squares the condition number of J, which is the price of never holding J;
the residual Jᵀr that decides convergence is summed directly, so the parameters are as
accurate as the data determine them while cond(J)² stays well below 1/eps.
"""
import math

from ...errors import UsageError

MAX_PASSES = 500       # passes over the data (each is one iteration here)
XTOL = 1e-13           # relative step below which the parameters stopped changing
FTOL = 1e-15           # relative decrease of the RSS (actual and predicted) below which it stopped
GTOL = 1e-15           # largest cosine between the residual and a column of J
FACTOR = 100.0         # MINPACK's initial step bound, times |D x0|


def chunk_sums(f, params, b, cols, weights=None):
    """{"jtj", "jtr", "rss", "n"} of one chunk of rows: `cols` {column: float64 array}
    (the model's columns),
    b the parameters' values; residual r = sqrt(w) (response - model), J = dr/db.
    Sums by numpy's pairwise summation (no BLAS: its threads may change the order of
    additions), so a chunk gives the same bits wherever it runs."""
    import numpy as np

    from .. import derivatives
    n = len(next(iter(cols.values()))) if cols else (len(weights) if weights is not None else 0)
    if n == 0:
        return None
    point = dict(cols)
    point.update(zip(params, map(float, b)))
    with np.errstate(all="ignore"):
        r = derivatives.derivatives(f, point, params, "auto")
        res = np.broadcast_to(np.asarray(r.value[0] - r.value[1], dtype=np.float64).reshape(-1), (n,))
        jac = [np.broadcast_to(np.asarray(r.jacobian[0][j] - r.jacobian[1][j], dtype=np.float64).reshape(-1),
                               (n,)) for j in range(len(params))]
        if weights is not None:
            sw = np.sqrt(weights)
            res = res * sw
            jac = [c * sw for c in jac]
        p = len(params)
        jtj = np.empty((p, p))
        for i in range(p):
            for j in range(i + 1):
                jtj[i, j] = jtj[j, i] = np.sum(jac[i] * jac[j])
        jtr = np.array([np.sum(c * res) for c in jac])
        rss = np.sum(res * res)
    return {"jtj": jtj, "jtr": jtr, "rss": float(rss), "n": n}


class State:
    """The sums at one point b."""

    def __init__(self, b, sums):
        import numpy as np
        self.b = np.asarray(b, dtype=np.float64)
        self.jtj, self.jtr, self.rss, self.n = sums["jtj"], sums["jtr"], sums["rss"], sums["n"]
        self.finite = math.isfinite(self.rss) and bool(np.all(np.isfinite(self.jtj)) and
                                                        np.all(np.isfinite(self.jtr)))


def levenberg_marquardt(sums, x0, tracker):
    """(state at the best point, converged, message); sums(b) is one pass over the data.
    Moré's trust region on the scaled step: the radius starts at FACTOR |D x0| as in
    MINPACK, so that a wild first Gauss-Newton step from a poor start is cut short."""
    import numpy as np
    x = State(x0, sums(x0))
    tracker.seen(x.b, x.rss)
    if not x.finite:
        return x, False, "did not converge: the residuals or their Jacobian are not finite at the starting point"
    scale = np.maximum(np.diag(x.jtj), 0.0)
    d = np.sqrt(np.where(scale > 0, scale, 1.0))
    radius = FACTOR * float(np.linalg.norm(d * x.b)) or FACTOR
    tracker.iteration(x.rss, _gmax(x))
    passes = 1
    while passes < MAX_PASSES:
        if x.rss == 0.0 or _cosine(x) <= GTOL:
            return x, True, "converged: the gradient vanishes (gtol)"
        scale = np.maximum(scale, np.diag(x.jtj))
        d = np.sqrt(np.where(scale > 0, scale, 1.0))
        y = _bounded_step(x.jtj / np.outer(d, d), x.jtr / d, radius)
        step = y / d
        if not np.all(np.isfinite(step)):
            return x, False, "did not converge: the normal equations have no finite solution"
        predicted = -(2.0 * float(step @ x.jtr) + float(step @ x.jtj @ step))
        if np.all(np.abs(step) <= XTOL * (np.abs(x.b) + XTOL)):
            return x, True, "converged: the parameters stopped changing (xtol)"
        trial = State(x.b + step, sums(x.b + step))
        passes += 1
        tracker.seen(trial.b, trial.rss)
        actual = x.rss - trial.rss if trial.finite else -math.inf
        rho = actual / predicted if predicted > 0 else -math.inf
        length = float(np.linalg.norm(y))
        if rho < 0.25:   # MINPACK's update: a step that made things worse shrinks the region most
            radius = (0.5 if actual >= 0 else 0.1) * min(radius, 10.0 * length)
        elif rho > 0.75:
            radius = 2.0 * length
        if trial.finite and actual >= 0 and rho > 1e-4:
            small = actual <= FTOL * x.rss and predicted <= FTOL * x.rss
            x = trial
            tracker.iteration(x.rss, _gmax(x))
            if small:
                return x, True, "converged: the residual sum of squares stopped changing (ftol)"
        elif trial.finite and predicted <= FTOL * x.rss and abs(actual) <= FTOL * x.rss:
            return x, True, "converged: the residual sum of squares stopped changing (ftol)"
    return x, False, f"did not converge: {MAX_PASSES} passes over the data"


def _bounded_step(a, g, radius):
    """The y minimizing |r + J y|^2 (scaled) with |y| <= radius (to within 10%, as
    MINPACK's lmpar): -(A + lam I)^-1 g with lam = 0 when that is inside, else the lam
    that puts it on the boundary, by bisection on log lam. lam may need to be as small
    as a column that has all but vanished (a parameter on a plateau), so the search
    spans 600 decades; p is small and each trial is one p x p solve."""
    import numpy as np
    eye = np.eye(len(g))

    def y_of(lam):
        try:
            y = np.linalg.solve(a + lam * eye, -g)
        except np.linalg.LinAlgError:
            return None
        return y if np.all(np.isfinite(y)) else None

    y = y_of(0.0)
    if y is not None and np.linalg.norm(y) <= 1.1 * radius:
        return y
    hi = float(np.linalg.norm(g)) / radius
    if not (hi > 0 and math.isfinite(hi)):
        return np.zeros_like(g)
    top, low = math.log(hi), math.log(hi) - 1380.0
    best = y_of(hi)
    for _ in range(80):
        mid = 0.5 * (top + low)
        y = y_of(math.exp(mid))
        n = np.linalg.norm(y) if y is not None else math.inf
        if n > 1.1 * radius:
            low = mid
        else:
            top, best = mid, y
            if n >= 0.9 * radius:
                break
    return best


def _gmax(x):
    import numpy as np
    return float(np.max(np.abs(x.jtr))) if x.jtr.size else 0.0


def _cosine(x):
    """MINPACK's gtol measure: the largest |Jᵀr|_j / (|J_j| |r|), J_j the column now."""
    import numpy as np
    norm = np.sqrt(np.maximum(np.diag(x.jtj), 0.0) * x.rss)
    with np.errstate(all="ignore"):
        c = np.where(norm > 0, np.abs(x.jtr) / norm, 0.0)
    return float(np.max(c)) if c.size else 0.0


def _solve(a, b):
    import numpy as np
    try:
        return np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(a, b, rcond=None)[0]


def covariance(jtj, s2):
    """s² (JᵀJ)⁻¹, scaled by the diagonal before inverting; None when JᵀJ is singular to
    working precision (the parameters are not all determined by the data)."""
    import numpy as np
    if not np.all(np.isfinite(jtj)):
        return None
    diag = np.diag(jtj)
    if np.any(diag <= 0):
        return None
    d = np.sqrt(diag)
    a = jtj / np.outer(d, d)
    w, v = np.linalg.eigh(a)
    if w[0] <= w[-1] * len(w) * np.finfo(float).eps:
        return None
    inv = (v / w) @ v.T
    return s2 * inv / np.outer(d, d)


def check_start(params, start):
    """The errors the in-memory fit gives for a start that does not fit the model."""
    if not params:
        raise UsageError("the model has no parameters: every name in it is a column of the data",
                         hint="a parameter is a name that is not a column, given a starting value with --at")
    missing = [p for p in params if p not in start]
    if missing:
        raise UsageError(f"no starting value for the parameter{'s' if len(missing) > 1 else ''} "
                         f"{', '.join(missing)}",
                         hint="give every parameter one with --at, as in --at " +
                              ",".join(f"{p}={start.get(p, 1)!r}" if p in start else f"{p}=1" for p in params))


def fit_normal(model, params, sums, start, observer=None):
    """The Fit of `model` from start ({parameter: float}); sums(b) gives the normal
    equations at b (a dict as chunk_sums returns, summed over all rows)."""
    import numpy as np

    from .results import Fit
    from .tracker import Tracker, run_interruptibly
    check_start(params, start)
    tracker = Tracker(params, observer)
    x0 = np.array([float(start[p]) for p in params])
    best = {}

    def tracked(b):
        s = sums(b)
        if s is None or s["n"] == 0:
            raise UsageError("the data set has no rows")
        if s["n"] < len(params):
            raise UsageError(f"{s['n']} observation{'s' if s['n'] != 1 else ''} cannot determine "
                             f"{len(params)} parameters",
                             hint="a fit needs at least as many observations as parameters")
        st = State(b, s)
        if st.finite and ("x" not in best or st.rss < best["x"].rss):
            best["x"] = st
        best.setdefault("first", st)
        return s

    with np.errstate(all="ignore"):
        out = run_interruptibly(tracker, lambda: levenberg_marquardt(tracked, x0, tracker))
    if out is None:
        x, converged, message = best.get("x", best.get("first")), False, \
            "interrupted (Ctrl-C): the best point so far"
        if x is None:
            raise KeyboardInterrupt
    else:
        x, converged, message = out
    p, n = len(params), x.n
    dof = n - p
    warnings = []
    if not math.isfinite(x.rss):
        warnings.append("the residuals are not finite at the best point found")
    s2 = x.rss / dof if dof > 0 else math.nan
    cov = covariance(x.jtj, s2)
    if cov is None:
        warnings.append("the Jacobian is rank-deficient at the solution: the standard errors are infinite "
                        "(some parameters are not determined by the data)")
        cov = np.full((p, p), math.inf)
    se = np.sqrt(np.abs(np.diag(cov)))
    with np.errstate(all="ignore"):
        corr = cov / np.outer(se, se)
    np.fill_diagonal(corr, 1.0)
    return Fit(model, dict(zip(params, map(float, x.b))), dict(zip(params, map(float, se))), x.rss,
               math.sqrt(s2) if dof > 0 else math.nan, dof, n, tracker.iterations, converged, message,
               [[float(v) for v in row] for row in corr], dict(start), interrupted=tracker.interrupted,
               warnings=warnings)
