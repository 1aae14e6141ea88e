"""Kernel benchmark: value + full gradient of f_c at 1,000,000 points.

adcli's vectorized reverse evaluator (adcli.vectorized.value_and_grad: chunks, threads)
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

from adcli import api, vectorized  # noqa: E402
from functions import F_C, f_c_by_hand, points  # noqa: E402


def best(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    p = points(n)
    x, y, z = p["x"], p["y"], p["z"]
    program = api.parse(F_C)
    assert program.inputs == ("x", "y", "z")

    def by_adcli():
        return vectorized.value_and_grad(program, [x, y, z])

    def by_hand():
        return f_c_by_hand(x, y, z)

    by_adcli(), by_hand()  # warm up
    t_np = t_ad = None
    # Interleave the two so that load from other processes hits both alike.
    for _ in range(repeats):
        a, hand = best(by_hand, 1)
        b, mine = best(by_adcli, 1)
        t_np = a if t_np is None else min(t_np, a)
        t_ad = b if t_ad is None else min(t_ad, b)
    value, grads = mine
    for got, want, name in zip([value, *grads], hand, ["value", "d/dx", "d/dy", "d/dz"]):
        err = np.max(np.abs(got - want) / np.maximum(1.0, np.abs(want)))
        assert err < 1e-12, (name, err)
    print(f"f_c value+gradient at {n:,} points, best of {repeats} "
          f"({vectorized.workers()} threads, chunks of {vectorized.CHUNK})")
    print(f"  numpy by hand : {t_np * 1e3:8.1f} ms")
    print(f"  adcli reverse : {t_ad * 1e3:8.1f} ms")
    print(f"  ratio adcli/numpy: {t_ad / t_np:.2f}x   (agree to 1e-12: yes)")


if __name__ == "__main__":
    main()
