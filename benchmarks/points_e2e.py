"""End to end: `adcli grad F_C --points rows.csv --format csv` on a 1,000,000-row CSV,
against a short pandas + numpy script that reads the same CSV, computes the gradient
written by hand and writes the same columns. Both run as fresh processes; wall times
are the best of N, measured in this run. Also checks that adcli's output round-trips
float64 exactly and agrees with the hand-written gradient to 1e-12.

pandas is needed only here (not by adcli): run with a Python that has pandas, e.g.
    python3 -m venv /tmp/vb && /tmp/vb/bin/pip install numpy pandas click lark rich
    /tmp/vb/bin/python benchmarks/points_e2e.py [ROWS] [REPEATS]
"""
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402

from functions import F_C, points  # noqa: E402

PANDAS_SCRIPT = """
import sys
import pandas as pd
sys.path.insert(0, {here!r})
from functions import f_c_by_hand
df = pd.read_csv(sys.argv[1])
value, dx, dy, dz = f_c_by_hand(df["x"].to_numpy(), df["y"].to_numpy(), df["z"].to_numpy())
df["value"], df["d/dx"], df["d/dy"], df["d/dz"] = value, dx, dy, dz
df.to_csv(sys.argv[2], index=False)
"""


def timed(cmd, env=None):
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env)
    return time.perf_counter() - t0


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    tmp = tempfile.mkdtemp(prefix="adcli-bench-")
    src = os.path.join(tmp, "points.csv")
    p = points(rows)
    with open(src, "w") as f:
        f.write("x,y,z\n")
        f.write("".join(f"{x!r},{y!r},{z!r}\n" for x, y, z in zip(p["x"].tolist(), p["y"].tolist(),
                                                                   p["z"].tolist())))
    script = os.path.join(tmp, "by_pandas.py")
    with open(script, "w") as f:
        f.write(PANDAS_SCRIPT.format(here=HERE))
    out_ad, out_pd = os.path.join(tmp, "adcli.csv"), os.path.join(tmp, "pandas.csv")
    env = dict(os.environ, PYTHONPATH=ROOT)
    adcli = [sys.executable, "-m", "adcli", "grad", F_C, "--points", src, "--format", "csv"]
    t_ad = t_pd = float("inf")
    for _ in range(repeats):
        t_pd = min(t_pd, timed([sys.executable, script, src, out_pd]))
        with open(out_ad, "w") as f:
            t0 = time.perf_counter()
            subprocess.run(adcli, check=True, env=env, stdout=f)
            t_ad = min(t_ad, time.perf_counter() - t0)

    import csv
    with open(out_ad) as f:   # read with Python's float(): exact by definition
        rd = csv.reader(f)
        head = next(rd)
        mine = dict(zip(head, map(list, zip(*rd))))
    with open(out_pd) as f:
        theirs_head = next(csv.reader(f))
    assert head[:7] == theirs_head and head[7:] == ["error"], (head, theirs_head)
    assert len(mine["x"]) == rows and not any(mine["error"])
    mine = {c: np.array([float(v) for v in col]) for c, col in mine.items() if c != "error"}
    for c in ("x", "y", "z"):
        assert np.array_equal(mine[c], p[c]), c        # input carried through exactly
    import pandas as pd
    theirs = pd.read_csv(out_pd)
    for c in ("value", "d/dx", "d/dy", "d/dz"):
        a, b = mine[c], theirs[c].to_numpy()
        assert np.max(np.abs(a - b) / np.maximum(1, np.abs(b))) < 1e-12, c
    # Round trip: the text adcli wrote reads back as exactly the floats it computed.
    from adcli.api import function as api
    from adcli.engine import chunked as vectorized
    value, grads = vectorized.value_and_grad(api.parse(F_C), [p["x"], p["y"], p["z"]])
    for c, want in zip(("value", "d/dx", "d/dy", "d/dz"), [value, *grads]):
        assert np.array_equal(mine[c], want), f"{c} does not round-trip"
    print(f"grad f_c --points, {rows:,} rows CSV -> CSV, best of {repeats}")
    print(f"  pandas + numpy by hand : {t_pd:6.2f} s")
    print(f"  adcli                  : {t_ad:6.2f} s")
    print(f"  ratio adcli/pandas: {t_ad / t_pd:.2f}x   (round trip exact, agree to 1e-12: yes)")


if __name__ == "__main__":
    main()
