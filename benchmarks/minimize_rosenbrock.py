"""The n-dimensional (chained) Rosenbrock function written in the vector language,
minimized from the standard start (-1.2, 1, -1.2, 1, ...), against a gradient written by
hand in NumPy with the same scipy L-BFGS-B settings, at n = 100, 1,000 and 10,000:

    time to converge   (best of 2 alternated runs) adcli.api.optimize.minimize (method bfgs, what auto takes beyond
                       200 variables; the gradient by levels, adcli.engine.levels) vs
                       scipy.optimize.minimize(numpy_fg, ..., method="L-BFGS-B")
    per gradient       one value-and-gradient by levels vs the NumPy one, and the
                       engine's reverse sweep over the same program (adcli.engine.reverse)

The two runs take the same number of iterations (their gradients agree to rounding), so
the difference in time to converge is the gradients' plus adcli's own bookkeeping; a
large part of both is scipy's L-BFGS-B itself. Prints ratios. Checks that both reach
all ones to 1e-5.

    python benchmarks/minimize_rosenbrock.py [N ...]
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import scipy.optimize as so  # noqa: E402

from adcli.api import Function  # noqa: E402
from adcli.api.optimize.minimize import minimize  # noqa: E402
from adcli.engine import levels, reverse  # noqa: E402
from adcli.ops import scalar  # noqa: E402

EXPR = "sum(i = 1:len(x)-1, 100*(x[i+1] - x[i]^2)^2 + (1 - x[i])^2)"
ROUNDS = 2
OPTIONS = {"gtol": 1e-10, "ftol": 1e-15, "maxiter": 100_000, "maxfun": 1_000_000}   # minimize's own


def numpy_fg(x):
    d = x[1:] - x[:-1] ** 2
    g = np.zeros_like(x)
    g[:-1] = -400 * x[:-1] * d - 2 * (1 - x[:-1])
    g[1:] += 200 * d
    return float(np.sum(100 * d ** 2 + (1 - x[:-1]) ** 2)), g


def per_call(fn, *args, least=0.3):
    k, t0 = 0, time.perf_counter()
    while True:
        fn(*args)
        k += 1
        t = time.perf_counter() - t0
        if t >= least:
            return t / k


def main(sizes):
    for n in sizes:
        x0 = np.array([-1.2 if i % 2 == 0 else 1.0 for i in range(n)])
        t = time.perf_counter()
        g, _ = Function(EXPR).bind({"x": list(x0)})
        lv = levels.prepare(g.program)
        t_prep = time.perf_counter() - t
        t_lev, t_np = per_call(lv, x0), per_call(numpy_fg, x0)
        xs = list(x0)
        t_eng = per_call(reverse.jacobian, g.program, xs, list(range(n)), scalar, least=0.5)
        assert np.allclose(lv(x0)[1], numpy_fg(x0)[1], rtol=1e-12, atol=1e-9)

        t_ref = t_ad = float("inf")
        for _ in range(ROUNDS):   # alternated, the best of each: the machine's load moves
            t = time.perf_counter()
            with np.errstate(all="ignore"):   # as adcli runs it: overflow in a trial step warns, slowly
                ref = so.minimize(numpy_fg, x0, jac=True, method="L-BFGS-B", options=OPTIONS)
            t_ref = min(t_ref, time.perf_counter() - t)
            t = time.perf_counter()
            r = minimize(EXPR, {f"x[{k + 1}]": v for k, v in enumerate(x0)}, method="bfgs", program=g.program)
            t_ad = min(t_ad, time.perf_counter() - t)
        err_ad = max(abs(v - 1) for v in r.x.values())
        err_ref = float(np.max(np.abs(ref.x - 1)))
        assert err_ad < 1e-5 and err_ref < 1e-5, (err_ad, err_ref)
        print(f"n = {n:,} ({len(g.program.nodes):,} nodes, prepared in {t_prep:.2f} s)")
        print(f"  per gradient: levels {t_lev * 1e3:.3f} ms, NumPy by hand {t_np * 1e3:.3f} ms "
              f"({t_lev / t_np:.1f}x), engine's reverse sweep {t_eng * 1e3:.1f} ms ({t_eng / t_lev:.0f}x the levels')")
        print(f"  to converge:  adcli {t_ad:.2f} s ({r.iterations} iterations, {r.evaluations} gradients), "
              f"NumPy + L-BFGS-B {t_ref:.2f} s ({ref.nit} iterations, {ref.nfev} gradients): {t_ad / t_ref:.2f}x; "
              f"max |x - 1| {err_ad:.1e} vs {err_ref:.1e}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 1000, 10_000])
