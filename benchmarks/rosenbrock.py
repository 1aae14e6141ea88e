"""The cheap gradient principle on the n-variable Rosenbrock function, at one point.

    f(x) = sum_{i=1}^{n-1} 100*(x_{i+1} - x_i^2)^2 + (1 - x_i)^2

For n = 10, 100, 1000, 10000 it reports time(gradient) / time(value) for reverse mode
(should stay a small constant) and forward mode (grows with n: one tangent per
variable), both through the evaluators on plain floats, with the value sweep as the
unit; then the time of the exact Hessian at n = 100 (forward-over-reverse). When JAX
is importable, the same run reports jit(grad(f)) / jit(f) and jax.hessian next to them.

The command-line path (--cli, or --cli-only): `adcli grad` and `adcli eval` of

    sum(i = 1:len(x)-1, 100*(x[i+1] - x[i]^2)^2 + (1 - x[i])^2)

with the point read from a file (--at x=@FILE), each a fresh process writing JSON,
for n = 10, 100, 1000, 10000, 100000: time(grad) / time(eval) in wall time and in
CPU time (user + system of the child, steadier on a shared machine), then the wall
time of the whole `adcli grad` at n = 10000 next to a hand-written NumPy script that
reads the same file and writes the same gradient (both fresh processes; the two
gradients are compared).

Run by hand from the repository root:  python benchmarks/rosenbrock.py [--forward-cap N]
[--cli | --cli-only] (the JAX numbers need a Python that has jax plus adcli's dependencies).
Timings are the best of several repeats; ratios come from this one run.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def rosenbrock_source(n):
    # (1 - x_i)^2 first, so the variables appear in the order x1, x2, ..., xn
    return " + ".join(f"(1 - x{i})^2 + 100*(x{i + 1} - x{i}^2)^2" for i in range(1, n))


def best_time(fn, repeats=5, budget=2.0):
    """Best of `repeats` calls, fewer when one call is slow."""
    best, spent, k = float("inf"), 0.0, 0
    while k < repeats and (k == 0 or spent < budget):
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        best, spent, k = min(best, dt), spent + dt, k + 1
    return best


def point(n):
    return [(-1.2 if i % 2 == 0 else 1.0) + 0.001 * i for i in range(n)]


def adcli_ratios(n, forward_cap):
    from adcli.api import parse
    from adcli.engine import forward, reverse
    from adcli.engine.sweep import values
    from adcli.ops import scalar
    program = parse(rosenbrock_source(n))
    xs = point(n)
    cols = list(range(n))
    t_val = best_time(lambda: values(program, xs, scalar))
    t_rev = best_time(lambda: reverse.jacobian(program, xs, cols, scalar))
    t_fwd = best_time(lambda: forward.jacobian(program, xs, cols, scalar), repeats=3) if n <= forward_cap else None
    # the two modes must agree (a benchmark of wrong answers is worthless)
    if t_fwd is not None and n <= 1000:
        g_r = reverse.jacobian(program, xs, cols, scalar)[1][0]
        g_f = forward.jacobian(program, xs, cols, scalar)[1][0]
        assert all(abs(a - b) <= 1e-12 * max(1.0, abs(a)) for a, b in zip(g_r, g_f))
    return len(program), t_val, t_rev, t_fwd


def jax_ratio(n):
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)

    def f(x):
        return jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)
    x = jnp.asarray(point(n))
    fj, gj = jax.jit(f), jax.jit(jax.grad(f))
    fj(x).block_until_ready()
    gj(x).block_until_ready()
    t_val = best_time(lambda: fj(x).block_until_ready(), repeats=50)
    t_grad = best_time(lambda: gj(x).block_until_ready(), repeats=50)
    return t_val, t_grad


def hessian_times(n):
    import adcli
    f = adcli.compile(rosenbrock_source(n))
    assert f.variables == tuple(f"x{i}" for i in range(1, n + 1))
    pt = dict(zip(f.variables, point(n)))
    t_adcli = best_time(lambda: f.hessian(pt), repeats=3)
    out = {"adcli": t_adcli}
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return out
    jax.config.update("jax_enable_x64", True)

    def g(x):
        return jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)
    x = jnp.asarray(point(n))
    hj = jax.jit(jax.hessian(g))
    t0 = time.perf_counter()
    hj(x).block_until_ready()
    out["jax first call (trace + compile)"] = time.perf_counter() - t0
    out["jax jit, compiled"] = best_time(lambda: hj(x).block_until_ready(), repeats=20)
    # agreement with adcli
    H = f.hessian(pt).hessian
    import numpy as np
    assert np.allclose(np.array(H), np.asarray(hj(x)), rtol=1e-12, atol=1e-9)
    return out


ROSENBROCK = "sum(i = 1:len(x)-1, 100*(x[i+1] - x[i]^2)^2 + (1 - x[i])^2)"

NUMPY_SCRIPT = """
import json, sys
import numpy as np
x = np.loadtxt(sys.argv[1])
d = x[1:] - x[:-1] ** 2
f = np.sum(100.0 * d ** 2 + (1.0 - x[:-1]) ** 2)
g = np.zeros_like(x)
g[:-1] = -400.0 * x[:-1] * d - 2.0 * (1.0 - x[:-1])
g[1:] += 200.0 * d
json.dump({"value": float(f), "gradient": {"x": g.tolist()}}, sys.stdout)
"""


def run_timed(argv, repeats):
    """(best wall seconds, best CPU seconds of the child, stdout of the last run)."""
    import resource
    import subprocess
    best_wall = best_cpu = float("inf")
    out = None
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, check=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_wall, best_cpu, out = min(best_wall, wall), min(best_cpu, cpu), done.stdout
    return best_wall, best_cpu, out


def cli_figures(sizes):
    import json
    import tempfile
    adcli = [sys.executable, "-m", "adcli"]
    print(f"adcli grad / adcli eval of {ROSENBROCK}, --at x=@FILE, JSON out, fresh processes")
    print(f"{'n':>7} {'eval wall':>10} {'grad wall':>10} {'ratio':>6} {'eval cpu':>9} {'grad cpu':>9} {'ratio':>6}")
    held = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = os.path.join(tmp, f"x{n}.txt")
            with open(path, "w") as fh:
                fh.write("\n".join(repr(v) for v in point(n)))
            reps = 3 if n <= 10_000 else 1
            at = ["--at", f"x=@{path}", "--format", "json"]
            ew, ec, _ = run_timed(adcli + ["eval", ROSENBROCK, *at], reps)
            gw, gc, out = run_timed(adcli + ["grad", ROSENBROCK, *at], reps)
            print(f"{n:>7} {ew:9.3f}s {gw:9.3f}s {gw / ew:6.2f} {ec:8.3f}s {gc:8.3f}s {gc / ec:6.2f}")
            if n == 10_000:
                nw, nc, nout = run_timed([sys.executable, "-c", NUMPY_SCRIPT, path], reps)
                mine, theirs = json.loads(out)["gradient"]["x"], json.loads(nout)["gradient"]["x"]
                assert len(mine) == len(theirs) == n
                assert all(abs(a - b) <= 1e-12 * max(1.0, abs(b)) for a, b in zip(mine, theirs))
                tw, _, _ = run_timed(adcli + ["grad", ROSENBROCK, "--at", f"x=@{path}"], reps)
                held = (gw, gc, nw, nc, tw)
        if held is None:
            return
        gw, gc, nw, nc, tw = held
        print(f"n = 10000, whole process: adcli grad {gw:.3f}s wall / {gc:.3f}s CPU, NumPy by hand "
              f"{nw:.3f}s / {nc:.3f}s (adcli / NumPy = {gw / nw:.2f} wall, {gc / nc:.2f} CPU); the same "
              f"gradient as a table: {tw:.3f}s (table / JSON = {tw / gw:.2f})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--forward-cap", type=int, default=1000,
                    help="skip forward mode above this n: it keeps n tangents per node, so time and memory "
                         "grow as n * nodes (n = 10000 would hold ~9e8 tangent entries)")
    ap.add_argument("--sizes", default="10,100,1000,10000")
    ap.add_argument("--cli", action="store_true", help="also time the command line with sum() and x=@FILE")
    ap.add_argument("--cli-only", action="store_true", help="only the command-line figures")
    ap.add_argument("--cli-sizes", default="10,100,1000,10000,100000")
    args = ap.parse_args()
    if args.cli or args.cli_only:
        cli_figures([int(s) for s in args.cli_sizes.split(",")])
        if args.cli_only:
            return
        print()
    print("Rosenbrock gradient at one point: time(gradient) / time(value)")
    print(f"{'n':>6} {'nodes':>7} {'value':>10} {'reverse':>9} {'forward':>9} {'jax jit(grad)':>14}"
          f" {'(jax f, grad)':>22}")
    for n in [int(s) for s in args.sizes.split(",")]:
        nodes, t_val, t_rev, t_fwd = adcli_ratios(n, args.forward_cap)
        jr = jax_ratio(n)
        fwd = f"{t_fwd / t_val:9.2f}" if t_fwd is not None else f"{'(skipped)':>9}"
        jx = f"{jr[1] / jr[0]:14.2f}" if jr else f"{'(no jax)':>14}"
        ja = f"{jr[0] * 1e6:9.1f}us {jr[1] * 1e6:9.1f}us" if jr else ""
        print(f"{n:>6} {nodes:>7} {t_val * 1e3:8.2f}ms {t_rev / t_val:9.2f} {fwd} {jx} {ja}")
    print()
    print("Hessian of Rosenbrock, n = 100, at one point (seconds):")
    for k, v in hessian_times(100).items():
        print(f"  {k:36s} {v:.5f}")


if __name__ == "__main__":
    main()
