"""Taylor mode cost against the order N on a ~100-node expression of one variable.

Univariate Taylor arithmetic costs O(N^2) per nonlinear node (Cauchy products and the
ODE recurrences), so doubling N should multiply the time by at most about 4; nested
first-order AD would instead grow exponentially with N. Prints the time per order and
the ratio to the previous order; a ratio of 4 per doubling is O(N^2).

The second table is the same expression at 10,000 points at once (adcli.engine.taylor_arrays):
numpy arrays of coefficients, one einsum per Cauchy sum. Its time per N^2 should stay
flat too, and the last column compares it with a loop of one-point calls (timed on
200 points and scaled).

Run by hand from the repository root:  python benchmarks/taylor_scaling.py
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def expression():
    """A fixed chain of let-bindings mixing every kind of recurrence, repeated on its own
    output twice (~100 operations)."""
    steps = [
        "{a1} = sin({u}) * {u} + 1",
        "{a2} = exp({a1} / 10) + cos({a1})",
        "{a3} = log(1 + {a2}^2) * tanh({u})",
        "{a4} = sqrt(2 + {a3}^2) / (1 + {a1}^2)",
        "{a5} = atan({a4}) + sigmoid({a3} - {a2})",
        "{a6} = {a5}^3 - {a4} * {a2} + erf({a1} / 4)",
        "{a7} = sinh({a6} / 10) + asinh({a5}) * {a3}",
        "{a8} = hypot({a7}, 1) + {u}^2 * {a6}",
        "{a9} = expm1({a8} / 20) - log1p({a7}^2)",
        "{a10} = cbrt(3 + sigmoid({a9})) * tan({a9} / 30)",
    ]
    lines, prev = [], "x"
    for r in range(2):
        names = {f"a{k}": f"b{r}_{k}" for k in range(1, 11)}
        lines += [s.format(u=prev, **names) for s in steps]
        prev = names["a10"]
    return "; ".join(lines) + f"; {prev} + x"


def main():
    from adcli.api import parse
    from adcli.engine.sweep import values
    from adcli.engine.taylor import series
    from adcli.ops import scalar
    src = expression()
    program = parse(src)
    ops = sum(1 for n in program.nodes if n.op not in ("input", "const"))
    t0 = time.perf_counter()
    for _ in range(20):
        values(program, [0.3], scalar)
    t_val = (time.perf_counter() - t0) / 20
    print(f"expression: {ops} operations; one value sweep {t_val * 1e3:.3f} ms")
    print(f"{'order N':>8} {'time':>10} {'x previous':>11} {'time / N^2':>12} {'time / value':>13}")
    prev = None
    for order in (5, 10, 20, 40, 80):
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            _, outs, _ = series(program, [0.3], [1.0], order)
            best = min(best, time.perf_counter() - t0)
        ratio = f"{best / prev:11.2f}" if prev else f"{'':>11}"
        print(f"{order:>8} {best * 1e3:8.2f}ms {ratio} {best / order ** 2 * 1e6:10.2f}us {best / t_val:13.1f}")
        prev = best
    vectorized(program)


def vectorized(program, points=10_000):
    import numpy as np

    from adcli.engine.sweep import values
    from adcli.engine.taylor import series
    from adcli.engine.taylor_arrays import series as series_arrays
    from adcli.ops import arrays as vector
    xs = np.linspace(-0.5, 0.5, points)
    with np.errstate(all="ignore"):
        t0 = time.perf_counter()
        values(program, [xs], vector)
        t_val = time.perf_counter() - t0
    print(f"\n{points} points at once; one vectorized value sweep {t_val * 1e3:.2f} ms")
    print(f"{'order N':>8} {'time':>10} {'x previous':>11} {'time / N^2':>12} {'time / value':>13} {'loop / this':>12}")
    prev = None
    for order in (10, 20, 40):
        best = float("inf")
        for _ in range(2):
            t0 = time.perf_counter()
            series_arrays(program, [xs], [1.0], order)
            best = min(best, time.perf_counter() - t0)
        sample = xs[::points // 200].tolist()
        t0 = time.perf_counter()
        for x in sample:
            series(program, [x], [1.0], order)
        loop = (time.perf_counter() - t0) / len(sample) * points
        ratio = f"{best / prev:11.2f}" if prev else f"{'':>11}"
        print(f"{order:>8} {best * 1e3:8.1f}ms {ratio} {best / order ** 2 * 1e3:10.3f}ms {best / t_val:13.1f}"
              f" {loop / best:12.1f}")
        prev = best


if __name__ == "__main__":
    main()
