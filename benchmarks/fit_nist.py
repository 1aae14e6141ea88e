"""adcli fit against scipy and lmfit on the NIST StRD data sets of tests/data/nist.

For each data set and each of its two certified starts it reports the digits reached
(the StRD's log relative error, LRE: -log10(|got - certified| / |certified|), capped at
11, the digits NIST certifies) of the worst parameter and of the worst standard error,
for
    adcli fit            exact Jacobian from AD, MINPACK Levenberg-Marquardt
    curve_fit            scipy.optimize.curve_fit, its defaults (finite-difference Jacobian)
    least_squares        scipy.optimize.least_squares, its defaults (trf, 2-point Jacobian)
    lmfit                lmfit's default leastsq, when lmfit is installed
and how many cases reach the issue's goal (6 digits of every parameter, 4 of every
standard error). Standard errors of scipy's answers are computed the same way as
adcli's (s^2 (J^T J)^-1 at the answer, from their own Jacobian) - curve_fit's pcov.

Run by hand from the repository root:  python benchmarks/fit_nist.py
"""
import csv
import json
import math
import os
import pathlib
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from adcli.api.optimize.fit import fit  # noqa: E402

NIST = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data" / "nist"
SETS = ["misra1a", "thurber", "mgh09", "boxbod"]


def lre(got, want):
    if not math.isfinite(got):
        return 0.0
    if got == want:
        return 11.0
    return max(0.0, min(11.0, -math.log10(abs(got - want) / abs(want))))


def numpy_model(model):
    """The model's right side as a numpy function f(x, *b): the NIST models use only
    + - * / ^ and exp, which numpy spells ** and np.exp."""
    rhs = model.split("=", 1)[1].replace("^", "**").replace("exp(", "np.exp(")
    return eval(f"lambda x, {', '.join(f'b{i}' for i in range(1, 8))}: {rhs}", {"np": np})  # noqa: S307


def load(name):
    fx = json.loads((NIST / f"{name}.json").read_text())
    rows = list(csv.DictReader(open(NIST / f"{name}.csv")))
    return fx, np.array([float(r["x"]) for r in rows]), np.array([float(r["y"]) for r in rows])


def scores(fx, params, stderr):
    names = list(fx["params"])
    return (min(lre(params[i], fx["params"][b]) for i, b in enumerate(names)),
            min(lre(stderr[i], fx["stderr"][b]) for i, b in enumerate(names)))


def run_adcli(fx, x, y, start):
    r = fit(fx["model"], {"x": x, "y": y}, start)
    names = list(fx["params"])
    return scores(fx, [r.params[b] for b in names], [r.stderr[b] for b in names])


def run_curve_fit(fx, x, y, start):
    import scipy.optimize as so
    f = numpy_model(fx["model"])
    p = len(start)
    g = lambda x, *b: f(x, *b, *[0.0] * (7 - p))  # noqa: E731
    b, cov = so.curve_fit(g, x, y, p0=list(start.values()), maxfev=100_000)
    return scores(fx, b, np.sqrt(np.diag(cov)))


def run_least_squares(fx, x, y, start):
    import scipy.optimize as so
    f = numpy_model(fx["model"])
    p = len(start)
    sol = so.least_squares(lambda b: y - f(x, *b, *[0.0] * (7 - p)), list(start.values()), max_nfev=100_000)
    return scores(fx, sol.x, _stderr(sol.jac, sol.fun, len(x), p))


def _stderr(jac, res, n, p):
    s2 = float(res @ res) / (n - p)
    try:
        return np.sqrt(np.diag(s2 * np.linalg.inv(jac.T @ jac)))
    except np.linalg.LinAlgError:
        return np.full(p, math.nan)


def run_lmfit(fx, x, y, start):
    import lmfit
    f = numpy_model(fx["model"])
    p = len(start)
    params = lmfit.Parameters()
    for b, v in start.items():
        params.add(b, value=v)
    out = lmfit.minimize(lambda ps: y - f(x, *[ps[b].value for b in start], *[0.0] * (7 - p)), params)
    stderr = [out.params[b].stderr if out.params[b].stderr is not None else math.nan for b in start]
    return scores(fx, [out.params[b].value for b in start], stderr)


def main():
    solvers = [("adcli fit", run_adcli), ("curve_fit", run_curve_fit), ("least_squares", run_least_squares)]
    try:
        import lmfit  # noqa: F401
        solvers.append(("lmfit", run_lmfit))
    except ImportError:
        print("(lmfit is not installed: its column is left out)")
    print(f"{'case':<16}" + "".join(f"{name:>22}" for name, _ in solvers))
    print(f"{'':<16}" + "".join(f"{'params / stderr':>22}" for _ in solvers))
    goal = {name: 0 for name, _ in solvers}
    seconds = {name: 0.0 for name, _ in solvers}
    cases = 0
    for name in SETS:
        fx, x, y = load(name)
        for k, start in enumerate(fx["starts"]):
            cases += 1
            cells = []
            for solver, run in solvers:
                t0 = time.perf_counter()
                try:
                    with warnings.catch_warnings(), np.errstate(all="ignore"):
                        warnings.simplefilter("ignore")
                        dp, ds = run(fx, x, y, start)
                except Exception as e:  # noqa: BLE001 - a solver that fails scores 0
                    dp, ds = 0.0, 0.0
                    print(f"  ({solver} on {name} start {k + 1}: {type(e).__name__}: {e})")
                seconds[solver] += time.perf_counter() - t0
                goal[solver] += dp >= 6 and ds >= 4
                cells.append(f"{dp:>10.1f} / {ds:<9.1f}")
            print(f"{fx['name'] + ' start ' + str(k + 1):<16}" + "".join(f"{c:>22}" for c in cells))
    print(f"{'goal reached':<16}" + "".join(f"{f'{goal[s]} of {cases}':>22}" for s, _ in solvers))
    base = seconds["adcli fit"]
    print(f"{'time / adcli':<16}" + "".join(f"{seconds[s] / base:>22.2f}" for s, _ in solvers))


if __name__ == "__main__":
    main()
