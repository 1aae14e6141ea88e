"""Start-up hygiene: a single-point answer imports neither numpy nor Rich, and a table
imports Rich but not numpy. Checked in fresh processes through sys.modules."""
import json

import pytest

from conftest import probe

SEED = ("grad", "(x+y)*(x-y)", "--at", "x=3,y=2")


def imports(*argv):
    """(numpy imported, Rich imported, exit code) of `adcli ARGV` in a fresh process, and its stdout."""
    p = probe(argv)
    return (p.imported("numpy"), p.imported("rich"), p.codes[0]), p.out


@pytest.mark.parametrize("fmt", ["json", "csv", "plain"])
def test_machine_formats_import_neither_numpy_nor_rich(fmt):
    got, out = imports(*SEED, "--format", fmt)
    assert got == (False, False, 0), got
    if fmt == "json":
        assert json.loads(out)["gradient"] == {"x": 6.0, "y": -4.0}


def test_table_imports_rich_but_not_numpy():
    got, out = imports(*SEED)
    assert got == (False, True, 0), got
    assert "∂f/∂x" in out


def test_eval_and_errors_import_neither():
    assert imports("eval", "sin(x)^2 + cos(x)^2", "--at", "x=0.7", "--format", "plain")[0] == (False, False, 0)
    assert imports("eval", "2x", "--at", "x=1")[0] == (False, False, 2)
    # A warning (log of a negative number) is still found without numpy.
    assert imports("grad", "log(x)", "--at", "x=-1", "--format", "json")[0] == (False, False, 0)


def test_the_probe_would_notice_numpy():
    # Guard the guard: a batch does import numpy, and the probe sees it.
    got, out = imports("grad", "x*y", "--points", "examples/points.csv", "--format", "csv")
    assert got == (True, False, 0), got
    assert out.startswith("id,x,y,value")


OPTIONAL = ("pyarrow", "dask", "distributed")


def test_optional_dependencies_are_imported_only_by_what_uses_them(tmp_path):
    """pyarrow only when a Parquet or Arrow file is read or written, dask and distributed
    only for --engine dask: not by one point, a table, a CSV batch or a job file."""
    p = probe(SEED, [*SEED, "--format", "json"], ["functions"],
              ["grad", "x*y", "--points", "examples/points.csv", "--format", "csv"],
              ["grad", "x*y", "--points", "examples/points.csv", "-o", str(tmp_path / "o.jsonl")],
              ["eval", "-f", "examples/jobs.txt", "--format", "json"])
    assert p.codes == [0, 0, 0, 0, 0, 0]
    assert [m for m in OPTIONAL if p.imported(m)] == []


def test_a_parquet_run_imports_pyarrow_but_not_dask(tmp_path):
    pytest.importorskip("pyarrow")
    out = tmp_path / "o.parquet"
    p = probe(["grad", "x*y", "--points", "examples/points.csv", "-o", str(out)],
              ["grad", "x*y", "--points", str(out), "--format", "csv"])
    assert p.codes == [0, 0] and p.out.startswith("id,x,y,value,d/dx,d/dy,error,value,")
    assert p.imported("pyarrow") and not p.imported("dask") and not p.imported("distributed")
