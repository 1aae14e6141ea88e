"""Start-up cost of a single-point answer, as a ratio to the import floor.

Measures, in one run on one machine, the median wall time of

    adcli grad "(x+y)*(x-y)" --at x=3,y=2 --format json     vs  python -c "import click, lark"
    adcli grad "(x+y)*(x-y)" --at x=3,y=2                   vs  python -c "import click, lark, rich.console, rich.table"

Goal: both ratios <= 1.3. Run by hand:  python benchmarks/startup.py [--runs 40]
The adcli command is run as `python -m adcli` with the same interpreter, so both
sides pay the same interpreter start-up; the console script adds only its tiny shim.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

EXPR = ["grad", "(x+y)*(x-y)", "--at", "x=3,y=2"]


def median_time(cmd, runs, env):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=40)
    args = ap.parse_args()
    py = sys.executable
    env = dict(os.environ)
    # Users' Pythons cache bytecode; without it every run would recompile adcli.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = here + os.pathsep + env.get("PYTHONPATH", "")
    cases = [
        ("json ", [py, "-m", "adcli", *EXPR, "--format", "json"], [py, "-c", "import click, lark"]),
        ("table", [py, "-m", "adcli", *EXPR], [py, "-c", "import click, lark, rich.console, rich.table"]),
    ]
    # Warm the parser cache and the OS file cache first.
    for _, cmd, floor in cases:
        subprocess.run(cmd, stdout=subprocess.DEVNULL, env=env, check=True)
        subprocess.run(floor, env=env, check=True)
    bare = median_time([py, "-c", "pass"], args.runs, env)
    print(f"python -c pass: {bare * 1e3:.1f} ms (interpreter alone)")
    for name, cmd, floor in cases:
        # Interleave the two measurements so drift on a shared machine hits both alike.
        a, b = [], []
        for _ in range(args.runs):
            a.append(median_time(cmd, 1, env))
            b.append(median_time(floor, 1, env))
        ta, tb = statistics.median(a), statistics.median(b)
        print(f"{name}: adcli {ta * 1e3:.1f} ms, import floor {tb * 1e3:.1f} ms, ratio {ta / tb:.2f}")


if __name__ == "__main__":
    main()
