"""--engine dask and map-reduce on a real distributed.LocalCluster of two worker processes,
shared by the tests of this module: the output equals the local engine's bit for bit, a
bad row is an error record in its place, a worker killed during a run is survived with
no row lost or written twice, and map-reduce sums equal the local ones exactly."""
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import ROOT, subprocess_env

pa = pytest.importorskip("pyarrow")
distributed = pytest.importorskip("distributed")
import pyarrow.parquet as pq  # noqa: E402

pytestmark = pytest.mark.slow

F_C = ("exp(sin(x*y)/(1 + z^2)) + log(1 + x^2 + y*z)*cos(x - z) - sqrt(x*x + y*y + z)*tanh(y/z)"
       " + (x + y*z)^1.5/(2 + cos(y))")


@pytest.fixture(scope="module")
def cluster():
    import logging
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=logging.ERROR) as c, distributed.Client(c) as client:
        yield c, client


def write_dataset(d, sizes, seed=0, nulls=(), negative=()):
    """Files part-0 ... with `sizes` rows of x, y, z in [0.5, 2] (x null at the global rows
    `nulls`, z negative at `negative`, so that sqrt and log give nan), an id and a label;
    the first file in several row groups."""
    rng = np.random.default_rng(seed)
    d.mkdir()
    start = 0
    for k, n in enumerate(sizes):
        x, y, z = (rng.uniform(0.5, 2, n) for _ in range(3))
        rows = np.arange(start, start + n)
        z[np.isin(rows, negative)] *= -1
        t = pa.table({"id": pa.array(rows, type=pa.int64()),
                      "x": pa.array(x, mask=np.isin(rows, nulls)), "y": y, "z": z,
                      "label": pa.array([f"r{i}" for i in rows])})
        pq.write_table(t, d / f"part-{k}.parquet", row_group_size=max(1, n // 3) if k == 0 else None)
        start += n
    return start


def adcli_proc(*argv):
    return subprocess.Popen([sys.executable, "-m", "adcli", *argv], cwd=ROOT, env=subprocess_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run(*argv):
    p = adcli_proc(*argv)
    out, err = p.communicate(timeout=300)
    return p.returncode, out, err


def same_bits(a, b):
    """Two tables with the same schema and, column by column, the same values; float
    columns compared as their bit patterns (nan == nan, -0 != 0)."""
    assert a.schema == b.schema
    for name in a.schema.names:
        x, y = a.column(name).combine_chunks(), b.column(name).combine_chunks()
        if pa.types.is_float64(x.type):
            assert x.is_null().to_pylist() == y.is_null().to_pylist(), name
            xs = x.fill_null(0.0).to_numpy().view(np.int64)
            ys = y.fill_null(0.0).to_numpy().view(np.int64)
            assert np.array_equal(xs, ys), name
        else:
            assert x.equals(y), name


def test_dask_output_equals_local_bit_for_bit_with_error_records_in_place(cluster, tmp_path):
    c, _ = cluster
    total = write_dataset(tmp_path / "in", [5000, 1, 3000, 7000], nulls=[10, 5003, 9999],
                          negative=list(range(100, 130)))
    local = run("grad", F_C, "--points", str(tmp_path / "in"), "-o", str(tmp_path / "local.parquet"))
    dask = run("grad", F_C, "--points", str(tmp_path / "in"), "--engine", "dask",
               "--scheduler", c.scheduler_address, "-o", str(tmp_path / "out.parquet"))
    assert local[0] == dask[0] == 1 and local[1] == dask[1] == ""
    assert dask[2] == local[2]   # the same warnings (nan rows), counts and first failure, in input order
    assert "3 of 15001 rows failed; the first: line 11: row error: column x: empty" in dask[2]
    parts = sorted(os.listdir(tmp_path / "out.parquet"))
    assert parts == [f"part.{i:05d}.parquet" for i in range(4)]   # one per input file, nothing else
    got = pq.read_table(tmp_path / "out.parquet")
    same_bits(got, pq.read_table(tmp_path / "local.parquet"))
    assert got.schema.names == ["id", "x", "y", "z", "label", "value", "d/dx", "d/dy", "d/dz", "error"]
    assert got.column("id").to_pylist() == list(range(total))    # input order, no row lost or repeated
    errors = got.column("error").to_pylist()
    assert [i for i, e in enumerate(errors) if e] == [10, 5003, 9999]
    assert errors[5003] == "row: column x: empty" and got.column("value")[5003].as_py() is None


def test_a_csv_file_is_cut_into_blocks_of_lines_numbered_as_locally(cluster, tmp_path):
    c, _ = cluster
    rng = np.random.default_rng(2)
    n = 60_000
    x, y, z = (rng.uniform(-0.5, 2, n).tolist() for _ in range(3))
    lines = ["id;x;y;z"] + [f"r{i};{a!r};{b!r};{w!r}" for i, (a, b, w) in enumerate(zip(x, y, z))]
    lines[100], lines[30_000], lines[45_000] = "r99;oops;1;2", "", "r;1;2"   # bad, blank, short
    src = tmp_path / "points.csv"
    src.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")   # a BOM and CRLF line ends
    assert src.stat().st_size > 3 << 20   # more than one block of 1 MiB
    local = run("grad", "x*y*z + log(z)", "--points", str(src), "--delimiter", ";",
                "-o", str(tmp_path / "local.parquet"))
    dask = run("grad", "x*y*z + log(z)", "--points", str(src), "--delimiter", ";", "--engine", "dask",
               "--scheduler", c.scheduler_address, "-o", str(tmp_path / "out.parquet"))
    assert local == dask and dask[0] == 1
    assert "2 of 59999 rows failed; the first: line 101: row error: column x: 'oops' is not a number" in dask[2]
    assert len(os.listdir(tmp_path / "out.parquet")) > 1
    got = pq.read_table(tmp_path / "out.parquet")
    same_bits(got, pq.read_table(tmp_path / "local.parquet"))
    ids = got.column("id").to_pylist()
    assert len(ids) == n - 1 and ids[:3] == ["r0", "r1", "r2"] and ids[-1] == f"r{n - 1}"


def test_a_worker_killed_during_the_run_is_survived(cluster, tmp_path):
    c, client = cluster
    sizes = [40_000] * 16
    total = write_dataset(tmp_path / "in", sizes, seed=4, nulls=[70_000])
    assert run("grad", F_C, "--points", str(tmp_path / "in"), "-o", str(tmp_path / "local.parquet"))[0] == 1
    out = tmp_path / "out.parquet"
    p = adcli_proc("grad", F_C, "--points", str(tmp_path / "in"), "--engine", "dask",
                   "--scheduler", c.scheduler_address, "-o", str(out))
    victim = None
    deadline = time.monotonic() + 120
    while victim is None and time.monotonic() < deadline and p.poll() is None:
        busy = [w for w, keys in client.processing().items() if keys]
        if busy and os.path.isdir(out) and any(n.startswith("part.") for n in os.listdir(out)):
            pids = client.run(os.getpid)
            victim = pids[busy[0]]
            done_before = len([n for n in os.listdir(out) if n.startswith("part.")])
            os.kill(victim, signal.SIGKILL)
        time.sleep(0.02)
    err = p.communicate(timeout=300)[1]
    code = p.returncode
    assert victim is not None and done_before < len(sizes), "the run ended before a worker could be killed"
    assert code == 1 and "1 of 640000 rows failed; the first: line 70001" in err
    assert sorted(os.listdir(out)) == [f"part.{i:05d}.parquet" for i in range(len(sizes))]   # no leftovers
    got = pq.read_table(out)
    assert got.column("id").to_pylist() == list(range(total))
    same_bits(got, pq.read_table(tmp_path / "local.parquet"))
    client.wait_for_workers(2, timeout=60)   # the nanny restarts it for the tests after this one


def test_without_a_scheduler_adcli_starts_a_local_cluster(tmp_path):
    write_dataset(tmp_path / "in", [300, 200])
    code, out, err = run("hessian", "x*y*z", "--points", str(tmp_path / "in"), "--engine", "dask",
                         "-o", str(tmp_path / "out"))
    assert (code, out, err) == (0, "", "")
    got = pq.read_table(tmp_path / "out").to_pydict()
    assert got["H[x,y]"] == got["z"] and got["H[x,x]"] == [0.0] * 500 and got["value"][0] == pytest.approx(
        got["x"][0] * got["y"][0] * got["z"][0], rel=1e-15)


def test_map_reduce_sums_normal_equations_the_same_on_both_engines(cluster, tmp_path):
    from adcli.dist.mapreduce import Executor
    from dist_helpers import normal_equations
    c, _ = cluster
    rng = np.random.default_rng(9)
    d = tmp_path / "fit"
    d.mkdir()
    ts, ys = [], []
    for k, n in enumerate([4000, 1, 2500, 9000]):
        t = rng.uniform(0, 3, n)
        y = 2.5 * np.exp(-1.3 * t) + rng.normal(0, 0.01, n)
        pq.write_table(pa.table({"t": t, "y": y, "w": np.arange(n)}), d / f"p{k}.parquet", row_group_size=1000)
        ts.append(t)
        ys.append(y)
    params = {"a": 2.0, "b": 1.0}
    args = ("a*exp(-b*t)", params)
    with Executor() as local:
        want = local.map_reduce(local.open(str(d)), normal_equations, args, columns=("t", "y"))
    with Executor("dask", scheduler=c.scheduler_address) as ex:
        data = ex.open(str(d), rows_per_part=3000)
        assert len(data.parts) > 4    # the big file is split by row groups
        got = ex.map_reduce(data, normal_equations, args, columns=("t", "y"))
    # The same parts summed in the same order: equal to the last bit, whatever ran where.
    with Executor() as local:
        again = local.map_reduce(local.open(str(d), rows_per_part=3000), normal_equations, args, columns=("t", "y"))
    assert np.array_equal(got[0], again[0]) and np.array_equal(got[1], again[1]) and got[2] == again[2] == 15501
    # Against the normal equations written by hand over all rows at once.
    t, y = np.concatenate(ts), np.concatenate(ys)
    e = np.exp(-params["b"] * t)
    J = np.column_stack([e, -params["a"] * t * e])
    r = y - params["a"] * e
    for mine in (want, got):
        np.testing.assert_allclose(mine[0], J.T @ J, rtol=1e-12)
        np.testing.assert_allclose(mine[1], J.T @ r, rtol=1e-10)


def test_a_scheduler_that_does_not_answer_is_one_usage_error(tmp_path):
    write_dataset(tmp_path / "in", [10])
    code, out, err = run("grad", "x*y", "--points", str(tmp_path / "in"), "--engine", "dask",
                         "--scheduler", "tcp://127.0.0.1:1", "-o", str(tmp_path / "out"))
    assert (code, out) == (2, "") and err.startswith("adcli: error: cannot reach the Dask scheduler at tcp://127.0.0.1:1")
    assert "dask scheduler" in err and "Traceback" not in err and not os.path.exists(tmp_path / "out")
