"""Large data: `adcli grad F_C --points rows.parquet --output out.parquet` on N rows (10⁷ by
default) against a pyarrow + hand-written NumPy script doing the same (read the Parquet
file, compute value and gradient by hand, write the same columns to Parquet), against
adcli's CSV path (CSV in, CSV out), and `--engine dask` on LocalClusters of 1 and 2
worker processes against the local engine on the same multi-file data set.

Every run is a fresh process; wall time is the best of REPEATS, peak RSS that of the
process (for Dask: the client; the workers are separate processes, warmed up before the
timed runs: imports done and the expression compiled, as on a long-lived cluster). Checks that adcli's
Parquet output agrees with the hand-written gradient to 1e-12, that the Dask outputs
equal the local one bit for bit, and reports the ratios measured in this run.

    nice python benchmarks/points_scale.py [ROWS] [REPEATS]
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from functions import F_C, points  # noqa: E402

BY_HAND = """
import sys
import pyarrow as pa
import pyarrow.parquet as pq
sys.path.insert(0, {here!r})
from functions import f_c_by_hand
t = pq.read_table(sys.argv[1])
value, dx, dy, dz = f_c_by_hand(*(t.column(c).to_numpy() for c in ("x", "y", "z")))
for name, a in (("value", value), ("d/dx", dx), ("d/dy", dy), ("d/dz", dz)):
    t = t.append_column(name, pa.array(a))
pq.write_table(t, sys.argv[2], **({{"use_dictionary": False}} if "--plain" in sys.argv else {{}}))
"""


# A small launcher measures the peak RSS: a child forked from this process (which holds the
# data) would count this process's memory as its own (Linux keeps the high-water mark across exec).
LAUNCH = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
open(sys.argv[1], "w").write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def timed(cmd, stdout=None):
    """(wall seconds, peak RSS in MB) of one fresh process."""
    env = dict(os.environ, PYTHONPATH=ROOT, ADCLI_NO_PROGRESS="1")
    fd, rss_file = tempfile.mkstemp()
    os.close(fd)
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", LAUNCH, rss_file, *cmd], env=env, stdout=stdout)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit(f"failed ({p.returncode}): {' '.join(cmd[:6])} ...")
    with open(rss_file) as f:
        rss = int(f.read()) / 1024
    os.unlink(rss_file)
    return wall, rss


def best(cmd, repeats, before=None, stdout_path=None):
    wall, rss = float("inf"), 0.0
    for _ in range(repeats):
        if before:
            before()
        if stdout_path:
            with open(stdout_path, "w") as f:
                w, r = timed(cmd, f)
        else:
            w, r = timed(cmd)
        wall, rss = min(wall, w), max(rss, r)
    return wall, rss


def warm(expr):
    import pyarrow.parquet  # noqa: F401

    from adcli.dist.partition import compiled
    compiled(expr)


def main():
    rows = int(float(sys.argv[1])) if len(sys.argv) > 1 else 10_000_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    tmp = tempfile.mkdtemp(prefix="adcli-scale-")
    try:
        run(rows, repeats, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(rows, repeats, tmp):
    p = points(rows)
    src = os.path.join(tmp, "points.parquet")
    pq.write_table(pa.table(p), src, row_group_size=1 << 20)
    parts = os.path.join(tmp, "parts")   # the same rows as a data set of 10 files
    os.mkdir(parts)
    step = -(-rows // 10)
    for k in range(10):
        pq.write_table(pa.table({c: a[k * step:(k + 1) * step] for c, a in p.items()}),
                       os.path.join(parts, f"part.{k}.parquet"), row_group_size=1 << 20)
    script = os.path.join(tmp, "by_hand.py")
    with open(script, "w") as f:
        f.write(BY_HAND.format(here=HERE))
    out_hand, out_ad = os.path.join(tmp, "hand.parquet"), os.path.join(tmp, "adcli.parquet")
    adcli = [sys.executable, "-m", "adcli", "grad", F_C, "--points"]
    print(f"grad f_c, {rows:,} rows, best of {repeats} (wall s, peak RSS MB)")

    t_hand, m_hand = best([sys.executable, script, src, out_hand], repeats)
    t_plain, m_plain = best([sys.executable, script, src, out_hand, "--plain"], repeats)
    t_pq, m_pq = best(adcli + [src, "--output", out_ad], repeats)
    print(f"  pyarrow + NumPy by hand, Parquet -> Parquet : {t_hand:7.2f} s  {m_hand:7.0f} MB")
    print(f"    the same, use_dictionary=False            : {t_plain:7.2f} s  {m_plain:7.0f} MB")
    print(f"  adcli, Parquet -> Parquet                   : {t_pq:7.2f} s  {m_pq:7.0f} MB"
          f"   ratio adcli/by hand {t_pq / t_hand:.2f}x ({t_pq / t_plain:.2f}x against use_dictionary=False)")
    mine, theirs = pq.read_table(out_ad), pq.read_table(out_hand)
    assert mine.num_rows == rows and mine.column("error").null_count == rows
    for c in ("value", "d/dx", "d/dy", "d/dz"):
        a, b = mine.column(c).to_numpy(), theirs.column(c).to_numpy()
        assert np.max(np.abs(a - b) / np.maximum(1, np.abs(b))) < 1e-12, c
    for c in ("x", "y", "z"):
        assert np.array_equal(mine.column(c).to_numpy(), p[c]), c

    csv_src = os.path.join(tmp, "points.csv")
    with open(csv_src, "w") as f:
        f.write("x,y,z\n")
        step_rows = 1 << 20
        for lo in range(0, rows, step_rows):
            f.write("".join(f"{x!r},{y!r},{z!r}\n" for x, y, z in zip(
                *(p[c][lo:lo + step_rows].tolist() for c in ("x", "y", "z")))))
    t_csv, m_csv = best(adcli + [csv_src, "--format", "csv"], 1, stdout_path=os.path.join(tmp, "adcli.csv"))
    print(f"  adcli, CSV -> CSV (1 run)                   : {t_csv:7.2f} s  {m_csv:7.0f} MB"
          f"   Parquet path is {t_csv / t_pq:.1f}x faster")
    os.unlink(csv_src)

    # Dask: the 10-file data set, local engine against LocalClusters of 1 and 2 workers.
    out_local = os.path.join(tmp, "local.parquet")
    t_local, _ = best(adcli + [parts, "--output", out_local], repeats)
    print(f"  local engine, 10-file data set              : {t_local:7.2f} s   {rows / t_local:,.0f} rows/s")
    want = pq.read_table(out_local)
    import logging

    import distributed
    for workers in (1, 2):
        with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                      dashboard_address=":0", silence_logs=logging.ERROR) as cluster, \
                distributed.Client(cluster) as client:
            # Workers of a real cluster live long: imports and the expression's compilation are
            # paid once per worker, before the timed runs (a cold start is what the tests see).
            client.run(warm, F_C)
            out = os.path.join(tmp, f"dask{workers}.parquet")
            t_dask, m_dask = best(adcli + [parts, "--engine", "dask", "--scheduler", cluster.scheduler_address,
                                           "--output", out], repeats,
                                  before=lambda out=out: shutil.rmtree(out, ignore_errors=True))
        got = pq.read_table(out)
        assert got.equals(want), "the Dask output differs from the local one"
        print(f"  Dask LocalCluster, {workers} worker{'s' if workers > 1 else ' '}              : {t_dask:7.2f} s"
              f"   {rows / t_dask:,.0f} rows/s   overhead against local {t_dask / t_local:.2f}x"
              f"   (client {m_dask:.0f} MB)")
    print(f"  (this machine: {os.cpu_count()} cores; outputs agree to 1e-12 with the hand-written gradient, "
          f"Dask == local bit for bit)")


if __name__ == "__main__":
    main()
