"""adcli fit on a data set read by map-reduce: a synthetic Misra1a-like data set of N rows
(10⁶ by default; y = b1 (1 - exp(-b2 x)) + noise) written as FILES Parquet files, fitted
through adcli.dist.fit.fit_dataset with the local engine and on a Dask LocalCluster of 1
and 2 worker processes (warmed up first: imports done, the model compiled, as on a
long-lived cluster), and, for reference, the in-memory fit (scipy MINPACK on every
residual) of the same rows. Reports passes over the data, time per pass, and the ratios;
checks that the Dask fits equal the local one bit for bit and the in-memory one to 8 digits.

    nice python benchmarks/fit_scale.py [ROWS] [FILES]
"""
import logging
import math
import os
import shutil
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

MODEL = "y = b1*(1 - exp(-b2*x))"
START = {"b1": 500.0, "b2": 1e-4}


def write(d, n, files):
    rng = np.random.default_rng(0)
    x = rng.uniform(50, 800, n)
    y = 240 * (1 - np.exp(-5.5e-4 * x)) + rng.normal(0, 0.1, n)
    cuts = np.linspace(0, n, files + 1).astype(int)
    for i in range(files):
        pq.write_table(pa.table({"x": x[cuts[i]:cuts[i + 1]], "y": y[cuts[i]:cuts[i + 1]]}),
                       os.path.join(d, f"part-{i}.parquet"))
    return x, y


def counted(run):
    """(fit, seconds, passes): passes counted by wrapping the map-reduce."""
    from adcli.dist import mapreduce
    calls = [0]
    original = mapreduce.Executor.map_reduce

    def map_reduce(self, *a, **k):
        calls[0] += 1
        return original(self, *a, **k)
    mapreduce.Executor.map_reduce = map_reduce
    try:
        t = time.perf_counter()
        r = run()
        return r, time.perf_counter() - t, calls[0]
    finally:
        mapreduce.Executor.map_reduce = original


def main():
    n = int(float(sys.argv[1])) if len(sys.argv) > 1 else 10 ** 6
    files = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    import distributed

    from adcli.api.optimize.fit import fit
    from adcli.dist.fit import fit_dataset
    d = tempfile.mkdtemp(prefix="adcli-fit-")
    try:
        x, y = write(d, n, files)
        print(f"{n:,} rows in {files} Parquet files; model {MODEL}, start {START}")
        local, t_local, p_local = counted(lambda: fit_dataset(MODEL, d, START))
        print(f"local engine: {p_local} passes, {t_local:.2f} s, {t_local / p_local * 1e3:.0f} ms per pass; "
              f"{local.message}")
        rows = [("local", t_local, p_local)]
        for workers in (1, 2):
            with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                          dashboard_address=None, silence_logs=logging.ERROR) as c:
                fit_dataset(MODEL, d, START, engine="dask", scheduler=c.scheduler_address)   # warm-up
                r, t, p = counted(lambda: fit_dataset(MODEL, d, START, engine="dask",
                                                      scheduler=c.scheduler_address))
            same = r.params == local.params and r.stderr == local.stderr and r.rss == local.rss
            print(f"dask, {workers} worker{'s' if workers > 1 else ''}: {p} passes, {t:.2f} s, "
                  f"{t / p * 1e3:.0f} ms per pass ({t / p / (t_local / p_local):.2f}x the local pass); "
                  f"equal to local bit for bit: {same}")
            rows.append((f"dask-{workers}", t, p))
        fit(MODEL, {"x": x[:100], "y": y[:100]}, START)   # warm-up: scipy imported
        mem, t_mem, _ = counted(lambda: fit(MODEL, {"x": x, "y": y}, START))
        worst = min(-math.log10(abs(mem.params[b] - local.params[b]) / abs(mem.params[b]) or 1e-16)
                    for b in START)
        print(f"in memory (scipy MINPACK on all residuals): {mem.iterations} Jacobians, {t_mem:.2f} s in all "
              f"({t_local / t_mem:.2f}x for the local map-reduce fit); estimates agree to {worst:.1f} digits")
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
