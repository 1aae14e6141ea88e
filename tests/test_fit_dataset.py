"""adcli fit on a Parquet data set, one map-reduce of JᵀJ, Jᵀr and the RSS per iteration
(adcli.dist.fit, adcli.api.optimize.normal): NIST's certified values (an oracle
independent of adcli) from a data set written as several files, the same estimates as
the in-memory fit of the CSV (scipy's MINPACK on all residuals, a different solver),
and the local and Dask engines equal bit for bit on a real LocalCluster of two workers."""
import json
import math
import pathlib

import numpy as np
import pytest

from conftest import strict_json

pytest.importorskip("scipy")
pa = pytest.importorskip("pyarrow")
import pyarrow.csv as pcsv  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

NIST = pathlib.Path(__file__).resolve().parent / "data" / "nist"


def fixture(name):
    return json.loads((NIST / f"{name}.json").read_text(encoding="utf-8"))


def digits(got, want):
    return 15.0 if got == want else -math.log10(abs(got - want) / abs(want))


def as_dataset(name, d, files=3, extra=None):
    """The NIST CSV written as `files` Parquet files (the last ones may be empty of
    nothing: every file gets at least one row); extra: {column: array} added."""
    t = pcsv.read_csv(NIST / f"{name}.csv")
    for k, v in (extra or {}).items():
        t = t.append_column(k, pa.array(v))
    d.mkdir()
    n = t.num_rows
    cuts = np.linspace(0, n, files + 1).astype(int)
    for i in range(files):
        pq.write_table(t.slice(cuts[i], cuts[i + 1] - cuts[i]), d / f"part-{i}.parquet")
    return d


def at(start):
    return ",".join(f"{b}={v!r}" for b, v in start.items())


def certified(got, fx):
    assert got["converged"] is True, got["message"]
    assert got["n"] == fx["n"] and got["dof"] == fx["dof"]
    for b in fx["params"]:
        assert digits(got["params"][b], fx["params"][b]) >= 6, (b, got["params"][b], fx["params"][b])
        assert digits(got["stderr"][b], fx["stderr"][b]) >= 4, (b, got["stderr"][b], fx["stderr"][b])
    assert digits(got["rss"], fx["rss"]) >= 6


def agrees(a, b):
    """Two fits of the same data: the estimates to 6 digits, standard errors to 4."""
    assert a.keys() == b.keys()
    for p in a["params"]:
        assert digits(a["params"][p], b["params"][p]) >= 6
        assert digits(a["stderr"][p], b["stderr"][p]) >= 4
    assert (a["n"], a["dof"]) == (b["n"], b["dof"])


@pytest.mark.parametrize("name,start", [("misra1a", 0), ("misra1a", 1), ("thurber", 1)])
def test_a_parquet_data_set_is_fitted_by_map_reduce_to_the_certified_values(adcli, tmp_path, name, start):
    fx = fixture(name)
    d = as_dataset(name, tmp_path / "data")
    r = adcli("fit", fx["model"], "--data", str(d), "--at", at(fx["starts"][start]), "--format", "json")
    assert r.code == 0, r.err
    got = strict_json(r.out)
    certified(got, fx)
    mem = adcli("fit", fx["model"], "--data", str(NIST / f"{name}.csv"), "--at", at(fx["starts"][start]),
                "--format", "json")
    agrees(got, strict_json(mem.out))
    # a glob of the files is the same data set, read in the same order: the same bits
    glob = adcli("fit", fx["model"], "--data", str(d / "part-*.parquet"), "--at", at(fx["starts"][start]),
                 "--format", "json")
    assert glob.out == r.out


def test_weights_and_the_table_as_the_in_memory_fit(adcli, tmp_path):
    fx = fixture("misra1a")
    x = np.loadtxt(NIST / "misra1a.csv", delimiter=",", skiprows=1)[:, 1]
    w = 1.0 / (1.0 + x / 400.0)
    d = as_dataset("misra1a", tmp_path / "data", files=2, extra={"w": w})
    csv = tmp_path / "w.csv"
    pcsv.write_csv(pq.read_table(d), csv)
    args = ("fit", fx["model"], "--at", at(fx["starts"][1]), "--weights", "w")
    got = strict_json(adcli(*args, "--data", str(d), "--format", "json").out)
    mem = strict_json(adcli(*args, "--data", str(csv), "--format", "json").out)
    agrees(got, mem)
    assert digits(got["params"]["b1"], fx["params"]["b1"]) < 6   # the weights did change the fit
    table = adcli(*args, "--data", str(d), "--explain")
    assert table.code == 0
    assert "fitted to 14 observations of" in table.out and d.name in table.out
    assert "correlation" in table.out


def test_what_the_data_set_path_refuses(adcli, tmp_path):
    fx = fixture("misra1a")
    y = pcsv.read_csv(NIST / "misra1a.csv").column("y").to_pylist()
    y[5] = None
    d = as_dataset("misra1a", tmp_path / "data", files=2, extra={"y2": y})
    model = fx["model"].replace("y =", "y2 =")
    r = adcli("fit", model, "--data", str(d), "--at", at(fx["starts"][0]))
    assert r.code == 2 and "1 row with no number in column y2" in r.err
    r = adcli("fit", fx["model"], "--data", str(d), "--at", "b1=1")
    assert r.code == 2 and "no starting value for the parameter b2" in r.err
    r = adcli("fit", fx["model"], "--data", str(d), "--at", at(fx["starts"][0]), "--plot")
    assert r.code == 2 and "--plot draws every observation" in r.err
    r = adcli("fit", fx["model"], "--data", str(NIST / "misra1a.csv"), "--at", at(fx["starts"][0]),
              "--engine", "dask")
    assert r.code == 2 and "reads a Parquet or Arrow data set" in r.err
    r = adcli("fit", fx["model"], "--data", str(d), "--at", at(fx["starts"][0]), "--scheduler", "tcp://h:1")
    assert r.code == 2 and "--scheduler applies to --engine dask" in r.err


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    import logging
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=logging.ERROR) as c:
        yield c


@pytest.mark.slow
@pytest.mark.parametrize("name,start", [("misra1a", 0), ("thurber", 1)])
def test_dask_fit_equals_the_local_one_bit_for_bit(adcli, cluster, tmp_path, name, start):
    fx = fixture(name)
    d = as_dataset(name, tmp_path / "data", files=4)
    args = ("fit", fx["model"], "--data", str(d), "--at", at(fx["starts"][start]), "--format", "json")
    dask = adcli(*args, "--engine", "dask", "--scheduler", cluster.scheduler_address)
    local = adcli(*args, "--engine", "local")
    assert dask.code == local.code == 0, dask.err
    assert dask.out == local.out        # every digit of every number: the same sums in the same order
    got = strict_json(dask.out)
    certified(got, fx)
    mem = adcli("fit", fx["model"], "--data", str(NIST / f"{name}.csv"), "--at", at(fx["starts"][start]),
                "--format", "json")
    agrees(got, strict_json(mem.out))
