"""Cost of `adcli plot --order k`: f and its derivatives up to order k on the plot's
sample grid, in process (plotdata.build, no drawing) and as whole commands.

Orders above 4 are timed in process only (the command draws at most 4). Each order is
reported as a ratio to --order 1 (one forward sweep) measured in the same run.
Run by hand from the repository root:  python benchmarks/plot_orders.py [repeats]
"""
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
EXPR = "sin(x)*exp(-x^2/4) + atan(x)^2"


def in_process(program, order, samples, repeats):
    from adcli.api import plot as plotdata
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        plotdata.build(program, "x", -5.0, 5.0, samples, order, {})
        times.append(time.perf_counter() - t)
    return min(times)


def command(order, repeats):
    times = []
    env = dict(os.environ, COLUMNS="120")
    args = [sys.executable, "-m", "adcli", "plot", EXPR, "--order", str(order), "--width", "120", "--height", "30"]
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run(args, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    from adcli.api import parse
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    program = parse(EXPR)
    print(f"{EXPR}: plotdata.build on 240 samples (best of {repeats * 3}), whole command (median of {repeats})")
    in_process(program, 4, 240, 2)  # warm up (imports, compiled programs)
    base = in_process(program, 1, 240, repeats * 3)
    for order in (1, 2, 3, 4, 6, 8):
        t = in_process(program, order, 240, repeats * 3)
        print(f"  build --order {order}: {t * 1e3:8.2f} ms  = {t / base:6.2f} x order 1")
    c1 = command(1, repeats)
    c4 = command(4, repeats)
    print(f"  command --order 4 / --order 1: {c4 * 1e3:.1f} ms / {c1 * 1e3:.1f} ms = {c4 / c1:.2f}")


if __name__ == "__main__":
    main()
