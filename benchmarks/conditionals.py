"""What `if` costs: the liveness that keeps a branch not taken out of every result.

1. Many points: value + gradient of a piecewise function at N points (chunked reverse
   mode, both branches poisoned by domain errors on the side not taken), against the
   same computed by hand in numpy with np.where on both branches and on their
   derivatives, single-threaded; results checked equal to 1e-12.
2. One point: gradient of a sum of K `if` terms against the sum of the branches that
   are taken, written out: the price of the guards and the live masks in the one
   reverse sweep, per term.

    python benchmarks/conditionals.py [N_POINTS] [K_TERMS] [REPEATS]
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import adcli  # noqa: E402
from adcli import api  # noqa: E402
from adcli.engine import chunked  # noqa: E402

EXPR = "if(x > 0, log(x)*y + sqrt(x), sqrt(-x)*y - log(-x))"


def by_hand(x, y):
    with np.errstate(all="ignore"):
        pos = x > 0
        v = np.where(pos, np.log(x) * y + np.sqrt(x), np.sqrt(-x) * y - np.log(-x))
        gx = np.where(pos, y / x + 0.5 / np.sqrt(x), -0.5 * y / np.sqrt(-x) - 1 / x)
        gy = np.where(pos, np.log(x), np.sqrt(-x))
    return v, gx, gy


def best(fn, repeats):
    times = []
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def many_points(n, repeats):
    rng = np.random.default_rng(1)
    x = rng.uniform(-2, 2, n)
    y = rng.uniform(-2, 2, n)
    program = api.parse(EXPR)
    t_ad, (value, (gx, gy)) = best(lambda: chunked.value_and_grad(program, [x, y]), repeats)
    t_np, (v2, gx2, gy2) = best(lambda: by_hand(x, y), repeats)
    for a, b in ((value, v2), (gx, gx2), (gy, gy2)):
        assert np.all(np.isfinite(a)) and np.allclose(a, b, rtol=1e-12, atol=1e-12), "adcli and numpy disagree"
    print(f"{n:,} points of {EXPR}")
    print(f"  adcli (chunked reverse, threads)  {t_ad * 1e3:8.1f} ms")
    print(f"  numpy by hand (np.where)          {t_np * 1e3:8.1f} ms")
    print(f"  ratio adcli / numpy               {t_ad / t_np:8.2f}")


def one_point(k, repeats):
    terms = [f"if(x{i} > 0, sqrt(x{i})*x{i + 1}, log(-x{i}))" for i in range(k)]
    taken = [f"sqrt(x{i})*x{i + 1}" for i in range(k)]
    point = {f"x{i}": 1.0 + 0.001 * i for i in range(k + 1)}
    f_if, f_plain = adcli.compile(" + ".join(terms)), adcli.compile(" + ".join(taken))
    t_if, r_if = best(lambda: f_if.grad(point, mode="reverse"), repeats)
    t_plain, r_plain = best(lambda: f_plain.grad(point, mode="reverse"), repeats)
    assert r_if.gradient == r_plain.gradient
    print(f"one point, a sum of {k:,} if-terms against the branches taken written out")
    print(f"  with if          {t_if * 1e3:8.1f} ms")
    print(f"  without          {t_plain * 1e3:8.1f} ms")
    print(f"  ratio            {t_if / t_plain:8.2f}  (the if-terms have one comparison and one if more each)")


def main(argv):
    n = int(argv[0]) if argv else 1_000_000
    k = int(argv[1]) if len(argv) > 1 else 10_000
    repeats = int(argv[2]) if len(argv) > 2 else 3
    many_points(n, repeats)
    one_point(k, repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
