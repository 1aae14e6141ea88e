"""Time and peak memory against the number of variables n, for the commands that take many:

    grad      the n-variable Rosenbrock function (7 operations per variable)
    jacobian  three outputs over the same n variables
    hessian   the Rosenbrock function; its dense n x n Hessian is the output, so n^2 is the floor

each `adcli CMD @FILE --at ... --format json` in a fresh process (the expression from a file,
the point as --at options of at most 100 KB each, as a shell would pass them), its peak
RSS from resource.getrusage(RUSAGE_CHILDREN) in a parent that runs it alone. The growth
exponent is the slope of log(time) against log(n), least squares over all sizes, and
over the last doubling alone (start-up weighs less there): 1 is linear, 2 quadratic.

    python benchmarks/scaling.py [--sizes 1000,2000,4000,8000,16000]
                                 [--hessian-sizes 250,500,1000,2000] [--commands grad,jacobian,hessian]
                                 [--root CHECKOUT]   (measure another checkout, e.g. an older commit)
"""
import argparse
import math
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rosenbrock(n):
    return " + ".join(f"(1 - x{i})^2 + 100*(x{i + 1} - x{i}^2)^2" for i in range(1, n))


def three_outputs(n):
    return ", ".join([rosenbrock(n),
                      " + ".join(f"sin(x{i})*x{i % n + 1}" for i in range(1, n + 1)),
                      " + ".join(f"x{i}^2" for i in range(1, n + 1))])


EXPRESSIONS = {"grad": rosenbrock, "jacobian": three_outputs, "hessian": rosenbrock}


def at_options(n, limit=100_000):
    """--at x1=..,x2=.. split into options of at most `limit` bytes (the kernel refuses
    a single argument above 128 KB)."""
    out, chunk, size = [], [], 0
    for i in range(1, n + 1):
        item = f"x{i}={1 + (i % 7) / 10!r}"
        if size + len(item) + 1 > limit:
            out += ["--at", ",".join(chunk)]
            chunk, size = [], 0
        chunk.append(item)
        size += len(item) + 1
    return out + ["--at", ",".join(chunk)]


_PARENT = ("import os, resource, subprocess, sys, time\n"
           "t0 = time.perf_counter()\n"
           "with open(os.devnull, 'wb') as out:\n"
           "    p = subprocess.run(sys.argv[1:], stdout=out, stderr=subprocess.PIPE)\n"
           "dt = time.perf_counter() - t0\n"
           "err = p.stderr.decode(errors='replace').strip().splitlines()\n"
           "print(dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode, "
           "repr(err[0] if err else ''))\n")


def run(root, args):
    """(wall seconds, peak RSS MB, exit code, first stderr line) of one adcli process."""
    env = dict(os.environ, PYTHONPATH=root)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # From the checkout's folder: `python -m` puts the working folder first on the path.
    out = subprocess.run([sys.executable, "-c", _PARENT, sys.executable, "-m", "adcli", *args],
                         capture_output=True, text=True, env=env, check=True, cwd=root)
    t, rss, rc, err = out.stdout.split(maxsplit=3)
    return float(t), int(rss) / 1024, int(rc), eval(err)  # noqa: S307 - our own repr


def slope(ns, ts):
    xs, ys = [math.log(n) for n in ns], [math.log(t) for t in ts]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else float("nan")


def measure(root, command, sizes, tmp):
    print(f"adcli {command} @FILE --at ... --format json")
    print(f"  {'n':>7} {'time s':>9} {'peak RSS MB':>12}")
    done = []
    for n in sizes:
        path = os.path.join(tmp, f"{command}-{n}.adc")
        with open(path, "w") as f:
            f.write(EXPRESSIONS[command](n))
        t, rss, rc, err = run(root, [command, "@" + path, *at_options(n), "--format", "json"])
        note = "" if rc == 0 else f"  exit {rc}: {err[:90]}"
        print(f"  {n:>7,} {t:>9.2f} {rss:>12.0f}{note}", flush=True)
        if rc == 0:
            done.append((n, t, rss))
    if len(done) >= 2:
        ns, ts, rs = zip(*done)
        last = math.log(ts[-1] / ts[-2]) / math.log(ns[-1] / ns[-2])
        mem = math.log(rs[-1] / rs[-2]) / math.log(ns[-1] / ns[-2])
        print(f"  growth exponent of time: {slope(ns, ts):.2f} (all sizes), {last:.2f} (last doubling); "
              f"of peak RSS: {mem:.2f} (last doubling)")
    print()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,2000,4000,8000,16000")
    ap.add_argument("--hessian-sizes", default="250,500,1000,2000")
    ap.add_argument("--commands", default="grad,jacobian,hessian")
    ap.add_argument("--root", default=ROOT, help="the checkout to measure (default: this one)")
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    start, rss, _, _ = run(root, ["grad", "x", "--at", "x=1", "--format", "json"])
    print(f"{root}: start-up (grad of x) {start:.2f} s, {rss:.0f} MB\n")
    with tempfile.TemporaryDirectory(prefix="adcli-scaling-") as tmp:
        for command in args.commands.split(","):
            sizes = args.hessian_sizes if command == "hessian" else args.sizes
            measure(root, command, [int(s) for s in sizes.split(",")], tmp)


if __name__ == "__main__":
    main()
