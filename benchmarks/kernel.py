"""Kernel benchmark: value + full gradient of f_c (and of f_a, f_b) at 1,000,000 points.

adcli's vectorized reverse evaluator (adcli.engine.chunked.value_and_grad: chunks, threads)
against the same computation written by hand in numpy (benchmarks/functions.py),
single-threaded as a typical user would write it. Prints best-of-N times and the ratio
measured in this run; checks that both agree to 1e-12.

    python benchmarks/kernel.py [N_POINTS] [REPEATS]
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

from adcli import api  # noqa: E402
from adcli.engine import chunked as vectorized  # noqa: E402
from functions import F_A, F_B, F_C, f_a_by_hand, f_b_by_hand, f_c_by_hand, points  # noqa: E402


def best(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def compare(name, expr, by_hand, names, n, repeats):
    p = points(n, names)
    xs = [p[v] for v in names]
    program = api.parse(expr)
    assert program.inputs == tuple(names)

    def by_adcli():
        return vectorized.value_and_grad(program, xs)

    by_adcli(), by_hand(*xs)  # warm up
    t_np = t_ad = float("inf")
    # Interleaved, so that load from other processes hits both alike.
    for _ in range(repeats):
        a, hand = best(lambda: by_hand(*xs), 1)
        b, mine = best(by_adcli, 1)
        t_np, t_ad = min(t_np, a), min(t_ad, b)
    value, grads = mine
    for got, want in zip([value, *grads], hand):
        err = np.max(np.abs(got - want) / np.maximum(1.0, np.abs(want)))
        assert err < 1e-12, (name, err)
    print(f"  {name}: numpy by hand {t_np * 1e3:7.1f} ms, adcli reverse {t_ad * 1e3:7.1f} ms, "
          f"ratio adcli/numpy {t_ad / t_np:.2f}x")


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    print(f"value + gradient at {n:,} points, best of {repeats} "
          f"({vectorized.workers()} threads, chunks of {vectorized.CHUNK}); results agree to 1e-12")
    compare("f_c", F_C, f_c_by_hand, ("x", "y", "z"), n, repeats)
    compare("f_a", F_A, f_a_by_hand, ("x", "y"), n, repeats)
    compare("f_b", F_B, f_b_by_hand, ("x1", "x2"), n, repeats)


if __name__ == "__main__":
    main()
