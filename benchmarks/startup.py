"""Start-up cost of a single-point answer, as a ratio to the import floor.

Measures, in one run on one machine, the median wall time of

    adcli grad "(x+y)*(x-y)" --at x=3,y=2 --format json     vs  python -c "import click, lark"
    adcli grad "(x+y)*(x-y)" --at x=3,y=2                   vs  python -c "import click, lark, rich.console, rich.table"

Goal: both ratios <= 1.3. Run by hand:  python benchmarks/startup.py [--runs 40] [--compare DIR]...
--compare DIR also times the adcli of another checkout (e.g. an old commit's worktree),
interleaved with the same floor, so old and new are measured in one run. Each figure
also comes as CPU time (user + system of the process), which the other users of a
shared machine disturb much less than wall time.
The adcli command is run as `python -m adcli` with the same interpreter, so both
sides pay the same interpreter start-up; the console script adds only its tiny shim.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

EXPR = ["grad", "(x+y)*(x-y)", "--at", "x=3,y=2"]


def median_time(cmd, runs, env, cpu=None, cwd=None):
    """Median wall time of cmd; with a list as cpu, each run's CPU time (user + system of
    the child) is appended to it: on a shared, loaded machine wall time also measures the
    other users, CPU time much less so."""
    times = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env, cwd=cwd)
        times.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if cpu is not None:
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--compare", metavar="DIR", action="append", default=[],
                    help="another checkout whose adcli is timed alongside (repeatable)")
    args = ap.parse_args()
    # `python -m` puts the working directory first on sys.path: each checkout runs in its own tree
    args.compare = [os.path.abspath(d) for d in args.compare]
    py = sys.executable
    env = dict(os.environ)
    # Users' Pythons cache bytecode; without it every run would recompile adcli.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = here + os.pathsep + env.get("PYTHONPATH", "")
    others = [(d, dict(env, PYTHONPATH=d + os.pathsep + os.environ.get("PYTHONPATH", ""))) for d in args.compare]
    cases = [
        ("json ", [py, "-m", "adcli", *EXPR, "--format", "json"], [py, "-c", "import click, lark"]),
        ("table", [py, "-m", "adcli", *EXPR], [py, "-c", "import click, lark, rich.console, rich.table"]),
    ]
    # Warm the parser cache and the OS file cache first.
    for _, cmd, floor in cases:
        subprocess.run(cmd, stdout=subprocess.DEVNULL, env=env, check=True, cwd=here)
        for d, e in others:
            subprocess.run(cmd, stdout=subprocess.DEVNULL, env=e, check=True, cwd=d)
        subprocess.run(floor, env=env, check=True)
    bare = median_time([py, "-c", "pass"], args.runs, env)
    print(f"python -c pass: {bare * 1e3:.1f} ms (interpreter alone)")
    for name, cmd, floor in cases:
        # Interleave the measurements so drift on a shared machine hits them alike.
        a, b, ca, cb = [], [], [], []
        c, cc = [[] for _ in others], [[] for _ in others]
        for _ in range(args.runs):
            a.append(median_time(cmd, 1, env, ca, cwd=here))
            b.append(median_time(floor, 1, env, cb))
            for k, (d, e) in enumerate(others):
                c[k].append(median_time(cmd, 1, e, cc[k], cwd=d))
        ta, tb = statistics.median(a), statistics.median(b)
        ua, ub = statistics.median(ca), statistics.median(cb)
        line = (f"{name}: adcli {ta * 1e3:.1f} ms, import floor {tb * 1e3:.1f} ms, ratio {ta / tb:.2f}"
                f" (CPU time {ua * 1e3:.1f} / {ub * 1e3:.1f} ms, ratio {ua / ub:.2f})")
        for k, (d, _) in enumerate(others):
            tc, uc = statistics.median(c[k]), statistics.median(cc[k])
            line += (f"\n       {d}: {tc * 1e3:.1f} ms, ratio {tc / tb:.2f}"
                     f" (CPU time {uc * 1e3:.1f} ms, ratio {uc / ub:.2f})")
        print(line)


if __name__ == "__main__":
    main()
