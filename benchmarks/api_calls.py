"""Per-call cost of the Python API at one point: f.grad(x, y, ...) of a compiled Function
(Python generated from the derivative program, compiled once) against a gradient written by
hand in plain Python (`math`), for f_a, f_b, f_c (benchmarks/functions.py) and the
100-variable Rosenbrock function written out term by term.

The hand-written gradients return (value, numpy array), as f.grad does and as
scipy.optimize.minimize(..., jac=True) wants; the ratio against a hand-written gradient
that returns a list is printed too. Also: the keyword call (a Result) and
adcli.grad(EXPR, ...) with the parse cache. Checks that every result agrees to 1e-12.

    python benchmarks/api_calls.py [REPEATS]
"""
import math
import os
import sys
import timeit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import adcli  # noqa: E402
from functions import F_A, F_B, F_C  # noqa: E402


def fa(x, y):
    s, d = x + y, x - y
    return s * d, [2 * x, -2 * y]


def fb(x1, x2):
    return math.log(x1) + x1 * x2 - math.sin(x2), [1 / x1 + x2, x1 - math.cos(x2)]


def fc(x, y, z):
    xy, yz = x * y, y * z
    s, c = math.sin(xy), math.cos(xy)
    q = 1 + z * z
    a = math.exp(s / q)
    inner = 1 + x * x + yz
    log_inner = math.log(inner)
    u = x - z
    cu, su = math.cos(u), math.sin(u)
    r = math.sqrt(x * x + y * y + z)
    t = math.tanh(y / z)
    dt = r * (1 - t * t) / z
    w = x + yz
    sw = math.sqrt(w)
    cy = math.cos(y)
    den = 2 + cy
    value = a + log_inner * cu - r * t + w * sw / den
    dx = a * c * y / q + 2 * x / inner * cu - log_inner * su - x / r * t + 1.5 * sw / den
    dy = (a * c * x / q + z / inner * cu - (y / r * t + dt) + 1.5 * sw * z / den
          + w * sw * math.sin(y) / (den * den))
    dz = (-a * s * 2 * z / (q * q) + y / inner * cu + log_inner * su - (0.5 / r * t - dt * y / z)
          + 1.5 * sw * y / den)
    return value, [dx, dy, dz]


N_ROSEN = 100
ROSEN = " + ".join(f"(1 - x{i})^2 + 100*(x{i + 1} - x{i}^2)^2" for i in range(1, N_ROSEN))


def rosen(*x):
    value, g = 0.0, [0.0] * len(x)
    for i in range(len(x) - 1):
        a, b = 1 - x[i], x[i + 1] - x[i] * x[i]
        value += a * a + 100 * b * b
        g[i] += -2 * a - 400 * b * x[i]
        g[i + 1] += 200 * b
    return value, g


def as_array(fn):
    def wrapped(*args):
        v, g = fn(*args)
        return v, np.array(g)
    return wrapped


CASES = [("f_a", F_A, fa, (3.0, 2.0)), ("f_b", F_B, fb, (2.0, 5.0)), ("f_c", F_C, fc, (1.1, 0.7, 1.3)),
         (f"rosenbrock n={N_ROSEN}", ROSEN, rosen, tuple((-1.2 if i % 2 == 0 else 1.0) + 0.001 * i
                                                         for i in range(N_ROSEN)))]


def per_call(fn, args, repeats):
    t = timeit.Timer(lambda: fn(*args))
    n, _ = t.autorange()
    return min(t.repeat(repeats, n)) / n


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    print(f"per call at one point, best of {repeats} (microseconds)")
    for name, expr, hand, args in CASES:
        f = adcli.compile(expr)
        names = f.variables
        point = dict(zip(names, args))
        value, g = f.grad(*args)
        hv, hg = hand(*args)
        assert math.isclose(value, hv, rel_tol=1e-12)
        assert np.allclose(g, hg, rtol=1e-12, atol=1e-12), name
        hand_array = as_array(hand)
        t_fast = per_call(f.grad, args, repeats)
        t_hand = per_call(hand_array, args, repeats)
        t_list = per_call(hand, args, repeats)
        t_kw = per_call(f.grad, (point,), repeats)
        t_cached = per_call(adcli.grad, (expr, point), repeats)
        print(f"  {name}: f.grad {t_fast * 1e6:8.2f}  hand (array) {t_hand * 1e6:8.2f}  ratio "
              f"{t_fast / t_hand:5.2f}x   [hand (list) {t_list * 1e6:8.2f}: {t_fast / t_list:5.2f}x;"
              f" f.grad(dict) {t_kw * 1e6:8.1f}; adcli.grad(EXPR) {t_cached * 1e6:8.1f}]")


if __name__ == "__main__":
    main()
