"""What a line costs in a session, against a process per line.

Driving adcli from another program one question at a time: N lines `EXPR @ POINT`
through one `adcli repl --format json` over a pipe (each answer read before the next line
is sent, as a driver does), against N runs of `adcli grad EXPR --at POINT --format json`.
Distinct expressions, so that neither side reuses a parsed expression.

Run by hand:  python benchmarks/session.py [--lines 200]
Prints both times per line and their ratio, measured in one run on one machine.
"""
import argparse
import os
import subprocess
import sys
import time


def lines(n):
    return [(f"x^2*y + sin(x*y) + {k}*x", f"x={1 + k / n!r},y=2") for k in range(n)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=200)
    args = ap.parse_args()
    py = sys.executable
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = here + os.pathsep + env.get("PYTHONPATH", "")
    jobs = lines(args.lines)
    subprocess.run([py, "-m", "adcli", "grad", "x", "--at", "x=1"], stdout=subprocess.DEVNULL, env=env, check=True)

    t = time.perf_counter()
    p = subprocess.Popen([py, "-m", "adcli", "repl", "--format", "json"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True, env=env, bufsize=1)
    for expr, at in jobs:
        p.stdin.write(f"{expr} @ {at}\n")
        p.stdin.flush()
        if '"gradient"' not in p.stdout.readline():
            sys.exit("the session did not answer with a gradient")
    p.stdin.close()
    p.wait()
    session = (time.perf_counter() - t) / len(jobs)

    t = time.perf_counter()
    for expr, at in jobs:
        subprocess.run([py, "-m", "adcli", "grad", expr, "--at", at, "--format", "json"],
                       stdout=subprocess.DEVNULL, env=env, check=True)
    separate = (time.perf_counter() - t) / len(jobs)
    print(f"{len(jobs)} lines: session {session * 1e3:.2f} ms a line (start-up included), "
          f"a process a line {separate * 1e3:.1f} ms; ratio {separate / session:.1f}x")


if __name__ == "__main__":
    main()
