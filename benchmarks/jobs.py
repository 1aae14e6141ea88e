"""Job files: lines per second and peak RSS of `adcli grad -f FILE --format json` for
  (1) 100,000 lines of one expression at different points (evaluated in groups),
  (2) 100,000 lines of distinct expressions (each parsed and run on its own),
and the peak RSS of a 10,000,000-row --points file (bounded memory), each a fresh
process measured with resource.getrusage(RUSAGE_CHILDREN). For the distinct expressions
it also reports, in this process, what bounds them: the rate at which Lark parses their
expressions (with adcli's builder, no parse tree), then with lowering to the IR too
(adcli.compile), both CPU time, best of 3 over at most 10,000 lines.

    python benchmarks/jobs.py [LINES] [BIG_ROWS]      (BIG_ROWS=0 skips the big file)
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from functions import F_A, F_B, F_C  # noqa: E402


def run(args, stdin=None):
    """(wall seconds, peak RSS MB, exit code) of one adcli run in a fresh process, which
    runs alone so RUSAGE_CHILDREN's maximum is its own."""
    code = ("import resource, subprocess, sys, time\n"
            "t0 = time.perf_counter()\n"
            "with open(sys.argv[1], 'rb') if sys.argv[1] != '-' else open('/dev/null', 'rb') as inp, "
            "open(os.devnull, 'wb') as out:\n"
            "    rc = subprocess.run(sys.argv[2:], stdin=inp, stdout=out).returncode\n"
            "print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc)\n")
    env = dict(os.environ, PYTHONPATH=ROOT)
    out = subprocess.run([sys.executable, "-c", "import os\n" + code, stdin or "-", sys.executable, "-m",
                          "adcli", *args], capture_output=True, text=True, env=env, check=True,
                         cwd=ROOT)  # `python -m` puts the working folder first on the path
    t, rss, rc = out.stdout.split()
    return float(t), int(rss) / 1024, int(rc)


def grammar_rates(exprs):
    """[(what, expressions per second)] for Lark's parse with adcli's builder, and for
    that plus lowering (adcli.compile): the bounds on a job file of distinct expressions."""
    import time
    sys.path.insert(0, ROOT)
    from adcli.api import Function
    from adcli.language.syntax import parse

    def best(fn):
        times = []
        for _ in range(3):
            t0 = time.process_time()
            for e in exprs:
                fn(e)
            times.append(time.process_time() - t0)
        return len(exprs) / min(times)
    parse(exprs[0])  # load the parser tables first
    return [("  Lark parse + builder", best(parse)), ("  + lowering (compile)", best(Function))]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    big = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000_000
    import random
    rng = random.Random(0)
    tmp = tempfile.mkdtemp(prefix="adcli-jobs-")
    same = os.path.join(tmp, "same.txt")
    with open(same, "w") as f:
        for _ in range(n):
            x, y, z = (rng.uniform(0.5, 2) for _ in range(3))
            f.write(f"{F_C} @ x={x!r}, y={y!r}, z={z!r}\n")
    distinct = os.path.join(tmp, "distinct.txt")
    with open(distinct, "w") as f:
        for i in range(n):
            # Distinct expressions: the three benchmark functions with a different constant.
            base = (F_A, F_B, F_C)[i % 3]
            x, y, z = (rng.uniform(0.5, 2) for _ in range(3))
            point = f"x1={x!r}, x2={y!r}" if base is F_B else f"x={x!r}, y={y!r}, z={z!r}"
            f.write(f"{base} + {i}*x{'1' if base is F_B else ''} @ {point}\n")
    print(f"adcli grad -f FILE --format json, {n:,} lines")
    for name, path in (("one expression", same), ("distinct expressions", distinct)):
        t, rss, rc = run(["grad", "-f", path, "--format", "json"])
        assert rc == 0, rc
        print(f"  {name:22s}: {n / t:10,.0f} lines/s  ({t:.2f} s, peak RSS {rss:.0f} MB)")
    with open(distinct) as f:
        exprs = [line.partition("@")[0].strip() for line, _ in zip(f, range(10_000))]
    for name, rate in grammar_rates(exprs):
        print(f"  {name:22s}: {rate:10,.0f} lines/s  (in this process, CPU time)")
    if big:
        path = os.path.join(tmp, "big.csv")
        with open(path, "w") as f:
            f.write("x,y,z\n")
            row = "1.2345678901234567,0.7654321098765432,1.5\n"
            block = row * 100_000
            for _ in range(big // 100_000):
                f.write(block)
        t, rss, rc = run(["grad", F_C, "--points", path, "--format", "csv"])
        assert rc == 0, rc
        print(f"  --points, {big:,} rows: {t:.1f} s, peak RSS {rss:.0f} MB")
        os.remove(path)


if __name__ == "__main__":
    main()
